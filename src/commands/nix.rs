//! `devgen nix OP FILE PATH [EXPR]`: the Nix editor on its own — read a value, set one,
//! ensure an element is in a list, remove one, delete a binding — printing the new file, a
//! diff, or writing it back atomically.

use std::path::Path;

use super::Outcome;
use crate::diagnostic::Diagnostic;
use crate::diff;
use crate::error::{Error, Result};
use crate::output::{stream_error, Io};
use crate::project::ProjectRoot;
use nix_edit::{AttrPath, NixDocument};

/// What `devgen nix` does to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Get,
    Set,
    Add,
    Remove,
    Delete,
}

/// How `devgen nix` reports an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The whole new file on stdout.
    Print,
    /// A unified diff on stdout.
    Diff,
    /// Write the file back, atomically.
    InPlace,
}

/// One `devgen nix` call: `file` (relative to `dir`), the attribute `path`, and the `expr`
/// that set, add and remove take.
pub struct Request<'a> {
    pub op: Op,
    pub file: &'a Path,
    pub path: &'a str,
    pub expr: Option<&'a str>,
    pub output: Output,
}

/// `devgen nix`.
pub fn nix(dir: &Path, req: &Request, io: &mut Io) -> Result<Outcome> {
    let full = dir.join(req.file);
    let shown = req.file.display().to_string();
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io("cannot read", req.file, e))?;
    let attr_path: AttrPath = req.path.parse().map_err(|e| {
        Error::Usage(format!("bad attribute path {e}\n  = help: write names joined by dots, quoting a name that contains dots: env.\"MY.VAR\""))
    })?;
    // Only the bindings the path can reach are parsed into a tree: on a large file, the one
    // full parse would be most of the time.
    let mut doc = NixDocument::parse_for(shown.clone(), text.clone(), &attr_path)?;
    let expr = || {
        req.expr
            .ok_or_else(|| Error::Usage(format!("{:?} needs an EXPR after the path", req.op)))
    };
    let changed = match req.op {
        Op::Get => return get(&doc, &attr_path, &shown, req.path, io),
        Op::Set => doc.set(&attr_path, expr()?)?,
        Op::Add => doc.add(&attr_path, expr()?)?,
        Op::Remove => doc.remove(&attr_path, expr()?)?,
        Op::Delete => doc.delete(&attr_path)?,
    };
    match req.output {
        Output::Print => write!(io.out, "{}", doc.text()).map_err(stream_error)?,
        Output::Diff if changed => {
            write!(io.out, "{}", diff::unified(&shown, Some(&text), doc.text()))
                .map_err(stream_error)?
        }
        Output::InPlace if changed => write_back(&full, &shown, doc.text())?,
        Output::Diff | Output::InPlace => {}
    }
    if !changed {
        writeln!(io.err, "{shown}: already as asked; nothing changed").map_err(stream_error)?;
    }
    // The process ends right after this: freeing a large tree node by node is wasted time.
    std::mem::forget(doc);
    Ok(Outcome::Success)
}

/// Print the value at `path`, or say that nothing is bound there.
fn get(
    doc: &NixDocument,
    path: &AttrPath,
    shown: &str,
    given: &str,
    io: &mut Io,
) -> Result<Outcome> {
    match doc.get(path)? {
        Some(value) => {
            writeln!(io.out, "{value}").map_err(stream_error)?;
            Ok(Outcome::Success)
        }
        None => Err(not_set(doc, path, shown, given)),
    }
}

/// The error for a path nothing binds: one a `let` binds is no path of the value, and
/// `set` would not reach it either.
fn not_set(doc: &NixDocument, path: &AttrPath, shown: &str, given: &str) -> Error {
    let first = &path.segments()[0];
    match doc.let_binding(first) {
        Some(span) => Diagnostic::new(
            shown,
            doc.text(),
            span,
            format!("`{first}` is bound by a `let` in {shown}, not in the attribute set the file evaluates to"),
        )
        .with_label("a let binding")
        .with_help("devgen nix edits the attribute paths of the file's value; change a let binding by hand")
        .into_error(),
        None => Error::Usage(format!(
            "`{path}` is not set in {shown}\n  = help: `devgen nix set {shown} {given} EXPR` binds it"
        )),
    }
}

/// Write the edited file back atomically, through its directory as the root.
fn write_back(full: &Path, shown: &str, text: &str) -> Result<()> {
    let parent = full
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = full
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Usage(format!("{shown}: not a file name devgen can write")))?;
    ProjectRoot::open(parent)?.write(name, text, false)
}
