//! `devgen check [FILE]...`: a devenv.nix (devgen's or hand-written) checked against devenv's
//! options, offline: unknown options, wrong types, integers out of range, values outside an
//! enumeration, keys a submodule does not take, read-only options — each with its file, line
//! and column and how to write it. Exit 0 clean, 1 findings, 2 error.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Outcome;
use crate::devenv::{self, Finding, Report, Unchecked};
use crate::diagnostic::{line_col, Diagnostic};
use crate::error::{Error, Result};
use crate::output::{stream_error, Format, Io};
use crate::project::find_root;
use nix_edit::NixDocument;

/// What `devgen check` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The modules to check (none: the project's devenv.nix).
    pub files: Vec<PathBuf>,
    pub format: Format,
    /// Also list the values neither reading nor evaluation could check.
    pub verbose: bool,
    /// Only read: leave values reading cannot know unchecked rather than evaluate them.
    pub no_eval: bool,
}

/// The module checked.
pub struct Checked {
    pub file: String,
    pub text: String,
    pub report: Report,
}

/// `devgen check` from `dir`.
pub fn check(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    let mut checked = Vec::new();
    for (path, shown) in targets(dir, &opts.files) {
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::io("cannot read", Path::new(&shown), e))?;
        let mut c = module(&shown, text)?;
        if !opts.no_eval {
            c.evaluate(path.parent().unwrap_or(dir))?;
        }
        checked.push(c);
    }
    let clean = checked.iter().all(|c| c.report.findings.is_empty());
    let outcome = if clean {
        Outcome::Success
    } else {
        Outcome::Findings
    };
    match opts.format {
        Format::Json => io.json(&JsonReport::new(&checked, outcome))?,
        Format::Text => {
            for c in &checked {
                print(c, opts.verbose, io)?;
            }
        }
    }
    Ok(outcome)
}

/// The files to check, each with the name messages give it: the ones named, or the
/// project's devenv.nix.
fn targets(dir: &Path, files: &[PathBuf]) -> Vec<(PathBuf, String)> {
    if !files.is_empty() {
        return files
            .iter()
            .map(|f| (dir.join(f), f.display().to_string()))
            .collect();
    }
    let root = find_root(dir)
        .map(|r| r.path().to_path_buf())
        .unwrap_or_else(|_| dir.to_path_buf());
    vec![(root.join("devenv.nix"), "devenv.nix".to_string())]
}

/// Check the module `text`, named `file` in messages; a file that does not parse is an error.
pub fn module(file: &str, text: String) -> Result<Checked> {
    let doc = NixDocument::parse(file, text.as_str())?;
    let report = devenv::check(&doc);
    Ok(Checked {
        file: file.to_string(),
        text,
        report,
    })
}

impl Checked {
    /// Settle what reading left unchecked by evaluating the module, from `dir` (where its
    /// relative paths point), when nix-instantiate is installed.
    pub fn evaluate(&mut self, dir: &Path) -> Result<()> {
        let doc = NixDocument::parse(self.file.as_str(), self.text.as_str())?;
        devenv::evaluate::settle(&doc, dir, &mut self.report);
        Ok(())
    }

    /// A finding as a diagnostic: the place, the line, a caret, the fix.
    pub fn diagnostic(&self, f: &Finding) -> Diagnostic {
        Diagnostic::new(
            self.file.clone(),
            self.text.clone(),
            f.span.clone(),
            f.message.clone(),
        )
        .with_label(f.label.clone())
        .with_help(f.help.clone())
    }

    fn place(&self, span: &std::ops::Range<usize>) -> (usize, usize) {
        line_col(&self.text, span.start)
    }
}

fn print(c: &Checked, verbose: bool, io: &mut Io) -> Result<()> {
    for f in &c.report.findings {
        write!(io.out, "{}", c.diagnostic(f)).map_err(stream_error)?;
    }
    // Findings go to stdout, the rest to stderr: keep them in order where both are one.
    io.out.flush().map_err(stream_error)?;
    if verbose {
        for u in &c.report.unchecked {
            let (line, col) = c.place(&u.span);
            writeln!(
                io.err,
                "  unchecked: {}:{line}:{col} `{}` is {} (devenv wants {})",
                c.file, u.path, u.what, u.wants
            )
            .map_err(stream_error)?;
            if let Some(reason) = &u.reason {
                writeln!(io.err, "    {reason}").map_err(stream_error)?;
            }
        }
    }
    let r = &c.report;
    let counts = format!(
        "{} value{} checked against devenv's options, {} unchecked{}",
        r.checked,
        if r.checked == 1 { "" } else { "s" },
        r.unchecked.len(),
        if verbose || r.unchecked.is_empty() {
            ""
        } else {
            " (--verbose lists them)"
        }
    );
    let n = r.findings.len();
    let summary = match n {
        0 => format!("devgen check: {}: no findings; {counts}", c.file),
        _ => format!(
            "devgen check: {}: {n} finding{}; {counts}",
            c.file,
            if n == 1 { "" } else { "s" }
        ),
    };
    writeln!(io.err, "{summary}").map_err(stream_error)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    devenv: &'static str,
    status: &'static str,
    exit_code: u8,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    file: &'a str,
    checked: usize,
    findings: Vec<JsonFinding<'a>>,
    unchecked: Vec<JsonUnchecked<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: &'a str,
    label: &'a str,
    help: &'a str,
}

#[derive(Serialize)]
struct JsonUnchecked<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    what: &'a str,
    wants: &'a str,
    reason: Option<&'a str>,
}

impl<'a> JsonReport<'a> {
    fn new(checked: &'a [Checked], outcome: Outcome) -> Self {
        JsonReport {
            devenv: devenv::options::revision(),
            status: if outcome == Outcome::Success {
                "clean"
            } else {
                "findings"
            },
            exit_code: outcome.exit_code(),
            files: checked.iter().map(JsonFile::new).collect(),
        }
    }
}

impl<'a> JsonFile<'a> {
    fn new(c: &'a Checked) -> Self {
        let finding = |f: &'a Finding| {
            let (line, column) = c.place(&f.span);
            JsonFinding {
                path: &f.path,
                line,
                column,
                message: &f.message,
                label: &f.label,
                help: &f.help,
            }
        };
        let unchecked = |u: &'a Unchecked| {
            let (line, column) = c.place(&u.span);
            JsonUnchecked {
                path: &u.path,
                line,
                column,
                what: &u.what,
                wants: &u.wants,
                reason: u.reason.as_deref(),
            }
        };
        JsonFile {
            file: &c.file,
            checked: c.report.checked,
            findings: c.report.findings.iter().map(finding).collect(),
            unchecked: c.report.unchecked.iter().map(unchecked).collect(),
        }
    }
}
