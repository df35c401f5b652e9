//! The staged pipeline every project command runs: the spec parsed and resolved into the
//! model (with the facts the machine registry gives), every target it turns on rendered, and
//! each output planned against the files on disk and the lock.

use std::path::Path;

use crate::error::{Error, Result};
use crate::machine::registry::{self, Registry};
use crate::model::{self, Facts, Model};
use crate::project::{ProjectRoot, Run, Source};
use crate::reconcile;
use crate::render::Renderer;
use crate::spec::{self, SpecSource, SPEC_FILE};
use crate::targets;

/// A spec, parsed and resolved.
pub struct Resolved {
    pub src: SpecSource,
    pub model: Model,
    /// How a spec without `ip` got its address.
    pub ip_note: Option<String>,
}

impl Resolved {
    /// `spec_text` of the project at `root`, with the facts `registry` holds for it.
    pub fn from_registry(
        root: &Path,
        spec_text: &str,
        registry: std::result::Result<&Registry, &Error>,
    ) -> Result<Resolved> {
        let src = spec::parse(SPEC_FILE, spec_text)?;
        let (facts, ip_note) = registry::facts(registry, root, &src);
        let model = model::resolve(&src, &facts)?;
        Ok(Resolved {
            src,
            model,
            ip_note,
        })
    }

    /// `spec_text`, with `facts` given.
    pub fn with_facts(spec_text: &str, facts: &Facts) -> Result<Resolved> {
        Resolved::from_source(spec::parse(SPEC_FILE, spec_text)?, facts)
    }

    /// A parsed spec, with `facts` given.
    pub fn from_source(src: SpecSource, facts: &Facts) -> Result<Resolved> {
        let model = model::resolve(&src, facts)?;
        Ok(Resolved {
            src,
            model,
            ip_note: None,
        })
    }

    /// Every output of the project rendered, and planned against the files under `root`.
    pub fn plan(&self, root: ProjectRoot, renderer: &Renderer, force: bool) -> Result<Run> {
        let rendered = targets::render_project(renderer, &self.model)?;
        let plan = reconcile::plan(&rendered, &root, force)?;
        Ok(Run {
            root,
            source: Source::Spec,
            plan,
            ip_note: self.ip_note.clone(),
        })
    }
}
