//! Applying a plan: all of it or none of it. With any conflict nothing is written and the
//! conflicts are reported with their diffs; otherwise every changed file (content or execute
//! bits) is written in one transaction ([`super::transaction`]) with the ending signals held
//! off, and files already right are not touched, so a second `sync` changes no byte and no
//! mtime.

use std::process::{Command, Stdio};

use super::report::{print_diffs, report_conflicts, summary, Source};
use super::root::ProjectRoot;
use super::signals::Held;
use super::transaction::{self, Change};
use crate::error::Result;
use crate::output::{stream_error, Io};
use crate::reconcile::{FilePlan, Plan};

/// Everything a run knows once the pipeline has run.
pub struct Run {
    pub root: ProjectRoot,
    pub source: Source,
    /// The plan for every output, then for devgen.lock itself.
    pub plan: Plan,
    /// How a spec without `ip` got its address (from the machine registry, or not).
    pub ip_note: Option<String>,
}

impl Run {
    /// Print the note on the project's address, if there is one.
    pub fn print_ip_note(&self, io: &mut Io) -> Result<()> {
        if let Some(note) = &self.ip_note {
            writeln!(io.err, "{note}").map_err(stream_error)?;
        }
        Ok(())
    }
}

/// How applying a plan ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// Every file written (or, in a dry run, shown), or nothing to write.
    Done,
    /// Files were changed by hand; nothing was written.
    Conflict,
}

/// Write the plan, with `spec_plan` (a new or adopted devgen.toml) first; with `dry_run`,
/// show it instead.
pub fn apply(
    mut run: Run,
    spec_plan: Option<FilePlan>,
    dry_run: bool,
    io: &mut Io,
) -> Result<Applied> {
    if let Some(sp) = spec_plan {
        run.plan.files.insert(0, sp);
    }
    run.print_ip_note(io)?;
    let plan = &run.plan;
    if plan.has_conflicts() {
        print_diffs(plan, &run.source, io)?;
        report_conflicts(plan, &run.source, io)?;
        return Ok(Applied::Conflict);
    }
    if dry_run {
        print_diffs(plan, &run.source, io)?;
        writeln!(
            io.err,
            "{} (dry run: nothing written)",
            summary(plan, &run.source)
        )
        .map_err(stream_error)?;
        return Ok(Applied::Done);
    }
    report_taken_over(plan, io)?;
    warn_uncommitted(&run.root, plan, io)?;
    // Ctrl-C (or SIGTERM, SIGHUP) now waits until the run is written and reported; then it
    // ends devgen as it would have.
    let held = Held::signals()?;
    let written = write_changes(&run.root, plan, &held, io)?;
    let total = plan.files.len();
    let source = run.source.name();
    // The files are written: a reader gone away (`devgen sync | head -1`) must not turn a
    // finished run into a failed one, so what follows is said on a best-effort basis.
    let _ = if written == 0 {
        writeln!(io.err, "devgen: all {total} files already match {source}")
    } else {
        writeln!(
            io.err,
            "devgen: wrote {written} of {total} files from {source}"
        )
    };
    drop(held);
    Ok(Applied::Done)
}

/// Create the files `new` (path, text) all together or none, with signals held off as
/// for any run: `import` writes devgen.toml and its first lock this way.
pub fn create_files(root: &ProjectRoot, new: &[(&str, &str)]) -> Result<()> {
    let changes: Vec<Change> = new
        .iter()
        .map(|&(path, content)| Change {
            path,
            content,
            executable: false,
            before: None,
            remove: false,
        })
        .collect();
    let held = Held::signals()?;
    transaction::commit(root, &changes, &held)
}

/// Write every file the plan changes, all or none, then say which; how many were.
fn write_changes(root: &ProjectRoot, plan: &Plan, held: &Held, io: &mut Io) -> Result<usize> {
    let changed: Vec<&FilePlan> = plan.files.iter().filter(|f| f.changes()).collect();
    let changes: Vec<Change> = changed
        .iter()
        .map(|f| Change {
            path: &f.path,
            content: &f.desired,
            executable: f.executable || f.needs_exec_bit,
            before: f.current.as_deref(),
            remove: f.remove,
        })
        .collect();
    transaction::commit(root, &changes, held)?;
    for f in &changed {
        let verb = match (f.remove, &f.current) {
            (true, _) => "removed",
            (false, None) => "created",
            (false, Some(_)) => "updated",
        };
        // Written already: see `apply` on saying it.
        let _ = writeln!(io.err, "  {verb} {}", f.path);
    }
    Ok(changed.len())
}

/// Say what devgen took over: parts of merged files that were already as devgen would write
/// them, with no record of devgen writing them (a repository devgen has not seen).
fn report_taken_over(plan: &Plan, io: &mut Io) -> Result<()> {
    for f in plan.files.iter().filter(|f| !f.replaced.is_empty()) {
        writeln!(
            io.err,
            "  {}: devgen gives the project's own values where the file had ones any project could have: {}",
            f.path,
            f.replaced.join(", ")
        )
        .map_err(stream_error)?;
    }
    for f in plan.files.iter().filter(|f| !f.taken_over.is_empty()) {
        writeln!(
            io.err,
            "  {}: devgen manages from now on what was already there: {}",
            f.path,
            f.taken_over.join(", ")
        )
        .map_err(stream_error)?;
    }
    Ok(())
}

/// Warn before changing files that have uncommitted changes in git, so that the user
/// knows `git diff` will show their edits and devgen's mixed. Not in a git repository, or
/// without git, there is nothing to warn about.
fn warn_uncommitted(root: &ProjectRoot, plan: &Plan, io: &mut Io) -> Result<()> {
    let touched: Vec<&str> = plan
        .files
        .iter()
        .filter(|f| f.changes() && f.current.is_some())
        .map(|f| f.path.as_str())
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let dirty = uncommitted(root, &touched);
    if !dirty.is_empty() {
        writeln!(
            io.err,
            "warning: uncommitted changes in {}; devgen changes them now, so `git diff` will show your edits and devgen's together\n  \
             = help: commit or stash first to review devgen's changes on their own",
            dirty.join(", ")
        )
        .map_err(stream_error)?;
    }
    Ok(())
}

/// Which of `paths` git reports as changed and not committed (none outside a repository).
fn uncommitted(root: &ProjectRoot, paths: &[&str]) -> Vec<String> {
    let Ok(out) = Command::new("git")
        .arg("-C")
        .arg(root.path())
        .args(["status", "--porcelain=v1", "-z", "--"])
        .args(paths)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return Vec::new();
    };
    if !out.status.success() {
        return Vec::new();
    }
    // `XY path` entries; a rename or copy is followed by an entry holding the old path.
    let listing = String::from_utf8_lossy(&out.stdout);
    let mut entries = listing.split('\0');
    let mut dirty = Vec::new();
    while let Some(e) = entries.next() {
        if e.starts_with('R') || e.starts_with('C') {
            entries.next();
        }
        if let (false, Some(path)) = (e.starts_with("??"), e.get(3..).filter(|p| !p.is_empty())) {
            dirty.push(path.to_string());
        }
    }
    dirty
}
