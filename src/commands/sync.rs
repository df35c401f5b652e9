//! `devgen sync`: bring the files in line with the spec, all of the plan or none of it —
//! after finishing or undoing a run that was interrupted.
//! With `--adopt`, values changed by hand in merged files are first written back into
//! devgen.toml where a key of it says them.

use std::path::Path;

use super::adopt::adopt;
use super::pipeline::Resolved;
use super::Outcome;
use crate::error::Result;
use crate::machine::registry::{self, Registry};
use crate::model::Model;
use crate::output::{stream_error, Io};
use crate::project::{self, apply, find_root, Access, ProjectRoot, Run};
use crate::reconcile::FilePlan;
use crate::render::Renderer;
use crate::targets::container;

/// What `devgen sync` was told.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Replace what was changed by hand.
    pub force: bool,
    /// Write values changed by hand into devgen.toml first.
    pub adopt: bool,
    /// Write nothing; show the diff.
    pub dry_run: bool,
}

/// `devgen sync` in the project around `dir`.
pub fn sync(dir: &Path, opts: Options, io: &mut Io) -> Result<Outcome> {
    let root = find_root(dir)?;
    let _lock = project::open(&root, Access::writing_unless(opts.dry_run), io)?;
    let spec_text = root.read_spec()?;
    let mut registry = Registry::load_default();
    let resolved = Resolved::from_registry(root.path(), &spec_text, registry.as_ref())?;
    follow(&mut registry, root.path(), &resolved, opts.dry_run, io)?;
    let renderer = Renderer::new();
    note_app_lines(&root, &resolved.model, io)?;
    let run = resolved.plan(root, &renderer, opts.force)?;
    if opts.adopt && run.plan.has_conflicts() {
        return adopt_then_apply(run, &renderer, &spec_text, &mut registry, opts.dry_run, io);
    }
    Ok(apply(run, None, opts.dry_run, io)?.into())
}

/// Lines a target needs in the app's own source, which devgen does not edit: said, with
/// where they go, while they are missing (`devgen doctor` checks them too).
fn note_app_lines(root: &ProjectRoot, model: &Model, io: &mut Io) -> Result<()> {
    for need in container::app_lines(model) {
        if !need.present(|file| root.read(file))? {
            writeln!(
                io.err,
                "note: the container serves the frontend through Phoenix: add\n    {}\n  last in the browser scope of {} (devgen does not edit it)",
                need.line, need.file
            )
            .map_err(stream_error)?;
        }
    }
    Ok(())
}

/// Keep the project's registry entry true to its spec; a registry that cannot be read is
/// left alone (the address note says so where it matters).
fn follow(
    registry: &mut Result<Registry>,
    root: &Path,
    resolved: &Resolved,
    dry_run: bool,
    io: &mut Io,
) -> Result<()> {
    match registry {
        Ok(reg) => registry::follow(reg, root, &resolved.src, &resolved.model, dry_run, io),
        Err(_) => Ok(()),
    }
}

fn adopt_then_apply(
    run: Run,
    renderer: &Renderer,
    spec_text: &str,
    registry: &mut Result<Registry>,
    dry_run: bool,
    io: &mut Io,
) -> Result<Outcome> {
    let adopted = adopt(spec_text, &run.plan.hand_values())?;
    for line in &adopted.refused {
        writeln!(
            io.err,
            "note: cannot adopt {line}: devgen.toml has no key that says it"
        )
        .map_err(stream_error)?;
    }
    if adopted.changes.is_empty() {
        return Ok(apply(run, None, dry_run, io)?.into());
    }
    for line in &adopted.changes {
        writeln!(io.err, "  adopting {line}").map_err(stream_error)?;
    }
    apply_spec_change(
        run.root,
        renderer,
        spec_text.to_string(),
        adopted.spec_text,
        registry,
        dry_run,
        io,
    )
}

/// Write `new_spec` in place of `spec_text`, with every file as the new spec says, all of it
/// or none (`sync --adopt`, `deps-hash`). The new spec claims its address and ports like any
/// spec: a collision stops here, before anything is written.
pub(super) fn apply_spec_change(
    root: ProjectRoot,
    renderer: &Renderer,
    spec_text: String,
    new_spec: String,
    registry: &mut Result<Registry>,
    dry_run: bool,
    io: &mut Io,
) -> Result<Outcome> {
    let resolved = Resolved::from_registry(root.path(), &new_spec, registry.as_ref())?;
    follow(registry, root.path(), &resolved, dry_run, io)?;
    let run = resolved.plan(root, renderer, false)?;
    let spec_plan = FilePlan::spec(Some(spec_text), new_spec);
    Ok(apply(run, Some(spec_plan), dry_run, io)?.into())
}
