//! How a plan is shown: a unified diff per changed file (with `# conflict:` lines for files
//! in conflict), one summary line, the conflict report with its fixes, and the JSON report
//! of `diff --format json`.

use std::path::PathBuf;

use serde::Serialize;

use crate::diff;
use crate::error::Result;
use crate::output::{stream_error, Io};
use crate::reconcile::{Plan, Status};
use crate::spec::SPEC_FILE;

/// What a run's outputs are rendered from, for messages and the commands they suggest.
#[derive(Debug, Clone)]
pub enum Source {
    /// A project's devgen.toml.
    Spec,
    /// The shared service's settings, written into this directory.
    Shared(PathBuf),
}

impl Source {
    pub fn name(&self) -> &'static str {
        match self {
            Source::Spec => SPEC_FILE,
            Source::Shared(_) => "the shared service's settings",
        }
    }

    /// The command that replaces hand edits with devgen's version.
    fn force_command(&self) -> String {
        match self {
            Source::Spec => "devgen sync --force".to_string(),
            Source::Shared(dir) => format!("devgen shared --write {} --force", dir.display()),
        }
    }
}

/// A unified diff of every file the plan changes or finds in conflict, on `out`.
pub fn print_diffs(plan: &Plan, source: &Source, io: &mut Io) -> Result<()> {
    for f in plan.files.iter().filter(|f| f.reported()) {
        if let Status::Conflict(why) = &f.status {
            let why = why.replace('\n', "\n#   ");
            writeln!(io.out, "# conflict: {}: {why}", f.path).map_err(stream_error)?;
            if f.forced.is_some() {
                writeln!(
                    io.out,
                    "# (+ lines: devgen's version, which `{}` writes)",
                    source.force_command()
                )
                .map_err(stream_error)?;
            }
        }
        if f.current.as_deref() == Some(f.shown()) && !f.needs_exec_bit {
            continue;
        }
        if f.current.as_deref() == Some(f.desired.as_str()) && f.forced.is_none() {
            writeln!(
                io.out,
                "# {}: not executable; devgen will add the execute bits",
                f.path
            )
            .map_err(stream_error)?;
            continue;
        }
        let after = (!f.remove).then(|| f.shown());
        write!(
            io.out,
            "{}",
            diff::between(&f.path, f.current.as_deref(), after)
        )
        .map_err(stream_error)?;
    }
    Ok(())
}

/// The files in conflict and how to resolve them, on `err`.
pub fn report_conflicts(plan: &Plan, source: &Source, io: &mut Io) -> Result<()> {
    let n = plan.conflicts().count();
    writeln!(
        io.err,
        "error: {n} file{} changed by hand; nothing was written",
        if n == 1 { "" } else { "s" }
    )
    .map_err(stream_error)?;
    for f in plan.conflicts() {
        if let Status::Conflict(why) = &f.status {
            let why = why.replace('\n', "\n    ");
            writeln!(io.err, "  {} ({}): {why}", f.path, f.role.name()).map_err(stream_error)?;
        }
    }
    let force = source.force_command();
    let help = match source {
        Source::Spec => format!(
            "the diff above shows devgen's version against yours. Carry your change into {SPEC_FILE}\n\
             \x20         if it can be said there, or run `{force}` to replace the files with devgen's\n\
             \x20         version (your changes shown above are then lost)"
        ),
        Source::Shared(_) => format!(
            "the diff above shows devgen's version against yours; run `{force}` to replace\n\
             \x20         the files with devgen's version (your changes shown above are then lost)"
        ),
    };
    writeln!(io.err, "  = help: {help}").map_err(stream_error)?;
    if matches!(source, Source::Spec) && plan.conflicts().any(|f| !f.hand_values.is_empty()) {
        writeln!(
            io.err,
            "  = help: `devgen sync --adopt` writes the values changed by hand into {SPEC_FILE} (keeping its\n\
             \x20         comments) where a key of {SPEC_FILE} says them, then syncs"
        )
        .map_err(stream_error)?;
    }
    Ok(())
}

/// One line saying how the files stand.
pub fn summary(plan: &Plan, source: &Source) -> String {
    let source = source.name();
    let count = |s: &str| plan.reported_with(s);
    let total = plan.files.len();
    let (missing, drift, conflict) = (count("missing"), count("drift"), count("conflict"));
    if missing + drift + conflict == 0 {
        return format!("devgen: all {total} files in sync with {source}");
    }
    let mut parts = Vec::new();
    for (n, what) in [
        (missing, "to create"),
        (drift, "to update"),
        (conflict, "in conflict"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "devgen: {} of {total} files differ from {source}",
        parts.join(", ")
    )
}

/// `diff --format json`: the verdict and each file's status, reason and diff.
#[derive(Serialize)]
pub struct JsonReport<'a> {
    status: &'static str,
    exit_code: i32,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    mode: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    /// `"remove"` for a file devgen wrote and the spec no longer asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'static str>,
    diff: String,
}

impl<'a> JsonReport<'a> {
    /// The report of `plan`, whose command exits with `exit_code`.
    pub fn new(plan: &'a Plan, exit_code: i32) -> Self {
        let status = plan.verdict().name();
        let files = plan
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                mode: f.role.name(),
                status: if f.reported() {
                    f.status.name()
                } else {
                    "in-sync"
                },
                reason: match &f.status {
                    Status::Conflict(why) => Some(why),
                    _ => None,
                },
                action: f.remove.then_some("remove"),
                diff: if f.reported() && (f.remove || f.current.as_deref() != Some(f.shown())) {
                    let after = (!f.remove).then(|| f.shown());
                    diff::plain(&diff::between(&f.path, f.current.as_deref(), after))
                } else {
                    String::new()
                },
            })
            .collect();
        JsonReport {
            status,
            exit_code,
            files,
        }
    }
}
