//! devgen never writes a devenv module that devenv would refuse: before a plan changes a
//! `devenv.nix`, the text it would write is checked against devenv's options (the check of
//! `devgen check`). A finding in devgen's own template is a bug in devgen; one in the lines
//! the user keeps in the file stops the run, pointing at the line to fix.

use nix_edit::NixDocument;

use crate::devenv::{self, Finding};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::render::Rendered;

/// An error when `desired`, what the plan would write for `r`, sets something devenv refuses.
pub(super) fn refuse_what_devenv_refuses(r: &Rendered, desired: &str) -> Result<()> {
    let path = r.path.as_str();
    if let Some(own) = r
        .nix
        .as_ref()
        .and_then(|doc| devenv::check(doc).findings.into_iter().next())
    {
        return Err(Error::Render {
            path: path.to_string(),
            message: format!("devenv would refuse the generated {path}: {}", own.message),
        });
    }
    let doc = NixDocument::parse(path, desired)?;
    let findings = devenv::check(&doc).findings;
    match findings.first() {
        None => Ok(()),
        Some(first) => Err(refusal(path, desired, first, findings.len())),
    }
}

fn refusal(path: &str, text: &str, f: &Finding, count: usize) -> Error {
    let more = match count {
        1 => String::new(),
        n => format!(" ({} more after it)", n - 1),
    };
    Diagnostic::new(path, text, f.span.clone(), format!("{path} would set something devenv refuses: {}{more}", f.message))
        .with_label(f.label.clone())
        .with_help(format!(
            "{}\nnothing was written: fix this line of {path} (`devgen check` lists every finding), then run devgen again",
            f.help
        ))
        .into_error()
}
