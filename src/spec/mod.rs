//! The spec: `devgen.toml` as the user wrote it.
//!
//! This stage owns reading the file, its shape (which keys exist, which types they take:
//! [`sections`], [`values`]) and the validity of each value on its own ([`validate`], with
//! the naming [`rules`]). Every value keeps its byte span, so any error — here or in the
//! model stage, which checks values against each other — can point at the exact place in the
//! file. Nothing here fills in defaults: that is the model's job. Edits of the file that keep
//! its comments ([`edit`]) and the reference generated from its types ([`reference`]) live
//! here too.

pub mod edit;
pub mod reference;
pub mod rules;
mod sections;
mod serde_errors;
mod validate;
mod values;

use std::ops::Range;

use crate::diagnostic::Diagnostic;

pub use sections::{
    json_schema, FrontendSpec, HooksSpec, Isolation, Mode, PackageManager, PackagesSpec,
    PhoenixSpec, PostgresSpec, ProjectSpec, ProxySpec, Spec, ToolchainSpec, Upstream, UpstreamName,
    SECTIONS, SUBSECTIONS,
};
pub use values::{LiveDebugger, Port, Version};

/// The spec's file name, at the project root.
pub const SPEC_FILE: &str = "devgen.toml";

/// A spec together with the text it came from, so later stages can point into it.
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub file: String,
    pub text: String,
    pub spec: Spec,
}

impl SpecSource {
    /// A diagnostic pointing at `span` of the spec file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file.clone(), self.text.clone(), span, message)
    }

    /// Whether the project uses the machine's shared PostgreSQL.
    pub fn is_shared_mode(&self) -> bool {
        self.spec
            .project
            .mode
            .as_ref()
            .is_some_and(|m| *m.get_ref() == Mode::Shared)
    }
}

/// Parse and validate the text of a spec file. `file` is the name used in messages.
pub fn parse(file: &str, text: &str) -> Result<SpecSource, Box<Diagnostic>> {
    let doc = toml_edit::Document::parse(text.to_string()).map_err(|e| {
        Box::new(
            Diagnostic::new(
                file,
                text,
                e.span().unwrap_or(0..0),
                format!("invalid TOML: {}", e.message().trim_end()),
            )
            .with_help("see https://toml.io for the syntax; strings need double quotes"),
        )
    })?;
    let spec: Spec = toml_edit::de::from_document(doc.clone())
        .map_err(|e| Box::new(serde_errors::translate(file, text, &doc, &e)))?;
    let source = SpecSource {
        file: file.to_string(),
        text: text.to_string(),
        spec,
    };
    validate::validate(&source)?;
    Ok(source)
}
