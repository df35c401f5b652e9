//! `devgen diff`: print what `sync` would change, as unified diffs or a JSON report, and
//! write nothing. Exit 0 in sync, 1 drift, 3 conflict (2 on errors, and when an interrupted
//! run left the files half written: `devgen sync` finishes it).

use std::path::Path;

use super::pipeline::Resolved;
use super::{Outcome, ERROR_EXIT_CODE};
use crate::diff::plain;
use crate::error::{Error, Result};
use crate::machine::registry::{self, Registry};
use crate::output::{stream_error, Format, Io};
use crate::project::report::{print_diffs, summary, JsonReport};
use crate::project::{self, find_root, Access, Run};
use crate::reconcile::lock::LOCK_FILE;
use crate::reconcile::Verdict;
use crate::render::Renderer;

/// `devgen diff` in the project around `dir`.
pub fn diff(dir: &Path, quiet: bool, format: Format, io: &mut Io) -> Result<Outcome> {
    let run = match plan(dir, io) {
        Ok(run) => run,
        // A tool reading JSON gets JSON for an error too; the message also goes to stderr.
        Err(e) if format == Format::Json && !quiet => {
            io.json(&serde_json::json!({
                "status": "error",
                "exit_code": ERROR_EXIT_CODE,
                "error": plain(&e.to_string()),
                "files": [],
            }))?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let outcome = match run.plan.verdict() {
        Verdict::InSync => Outcome::Success,
        Verdict::Drift => Outcome::Drift,
        Verdict::Conflict => Outcome::Conflict,
    };
    if quiet {
        return Ok(outcome);
    }
    match format {
        Format::Json => io.json(&JsonReport::new(&run.plan, outcome.exit_code().into()))?,
        Format::Text => {
            run.print_ip_note(io)?;
            print_diffs(&run.plan, &run.source, io)?;
            writeln!(io.err, "{}", summary(&run.plan, &run.source)).map_err(stream_error)?;
        }
    }
    Ok(outcome)
}

/// The project's plan, as `sync` would make it. A project an interrupted run left half
/// written is refused.
fn plan(dir: &Path, io: &mut Io) -> Result<Run> {
    let root = find_root(dir)?;
    let _lock = project::open(&root, Access::Read, io)?;
    let spec_text = root.read_spec()?;
    let registry = Registry::load_default();
    let resolved = Resolved::from_registry(root.path(), &spec_text, registry.as_ref())?;
    if let Ok(registry) = &registry {
        // What `sync` would refuse, `diff` refuses too.
        registry::changed_entry(registry, root.path(), &resolved.src, &resolved.model)?;
    }
    let run = resolved.plan(root, &Renderer::new(), false)?;
    fail_closed_without_lock(&run)?;
    Ok(run)
}

/// Without the lock devgen cannot tell its own values from hand edits, so `diff` must not
/// vouch for files it finds on disk. (With no output on disk yet there is nothing to vouch
/// for: everything is reported missing.)
fn fail_closed_without_lock(run: &Run) -> Result<()> {
    let existing: Vec<&str> = run
        .plan
        .files
        .iter()
        .filter(|f| f.current.is_some() && f.path != LOCK_FILE)
        .map(|f| f.path.as_str())
        .collect();
    if run.plan.lock_missing && !existing.is_empty() {
        return Err(Error::Usage(format!(
            "{LOCK_FILE} is missing, so devgen cannot tell what it wrote in {} from hand edits\n  \
             = help: if devgen has not run here yet, `devgen init --dry-run` shows what it would change, \
             and `devgen init` does it\n          \
             if {LOCK_FILE} was deleted, restore it (`git checkout -- {LOCK_FILE}`), or run `devgen sync` \
             to take the files over and record them",
            existing.join(", ")
        )));
    }
    Ok(())
}
