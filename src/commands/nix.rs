//! `devgen nix OP FILE PATH [EXPR]`: the Nix editor on its own — read a value, set one,
//! ensure an element is in a list, remove one, delete a binding — printing the new file, a
//! diff, or writing it back atomically; with `--format json`, one JSON document saying the
//! value or the new file, the span read or edited, the wrappers the path went through and
//! whether the file changed; with `--verbose`, the wrappers and the place on stderr.

use std::ops::Range;
use std::path::Path;

use serde::Serialize;

use super::{Outcome, ERROR_EXIT_CODE};
use crate::diagnostic::Diagnostic;
use crate::diff;
use crate::error::{Error, Result};
use crate::output::{stream_error, Format, Io};
use crate::project::ProjectRoot;
use nix_edit::{AttrPath, Bound, Edit, EditReport, NixDocument, Wrapper, WrapperKind};

/// What `devgen nix` does to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Get,
    Set,
    Add,
    Remove,
    Delete,
}

impl Op {
    /// The operation as the command line spells it.
    fn name(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Set => "set",
            Op::Add => "add",
            Op::Remove => "remove",
            Op::Delete => "delete",
        }
    }
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
    pub format: Format,
    /// Say on stderr which wrappers the path went through and where the edit landed.
    pub verbose: bool,
}

/// `devgen nix`. With `--format json` an error is a JSON document too, and goes to stderr
/// as usual: the rendered `error`, and for a refusal of the editor its `kind`, the place
/// (`line`, `column`, `span`, in the file or in EXPR as `input` says) and the nearest
/// `editable` place, when it has them.
pub fn nix(dir: &Path, req: &Request, io: &mut Io) -> Result<Outcome> {
    let mut refusal = None;
    match run(dir, req, io, &mut refusal) {
        Err(e) if req.format == Format::Json => {
            let mut json = serde_json::json!({
                "status": "error",
                "exit_code": ERROR_EXIT_CODE,
                "file": req.file.display().to_string(),
                "operation": req.op.name(),
                "path": req.path,
                "error": diff::plain(&e.to_string()),
            });
            if let Some(r) = &refusal {
                refusal_json(r, &mut json);
            }
            io.json(&json)?;
            Err(e)
        }
        other => other,
    }
}

/// An error of the editor, kept for the JSON report, as devgen's error.
fn kept(refusal: &mut Option<nix_edit::Error>) -> impl FnOnce(nix_edit::Error) -> Error + '_ {
    |e| {
        *refusal = Some(e.clone());
        Error::from(e)
    }
}

/// The editor's refusal `e` as fields of the JSON error `json`.
fn refusal_json(e: &nix_edit::Error, json: &mut serde_json::Value) {
    use nix_edit::ErrorKind as K;
    let kind = match e.kind() {
        K::Syntax { .. } => "syntax",
        K::Expression { .. } => "expression",
        K::TrailingComment => "trailing-comment",
        K::NotAttrSetDocument { .. } => "not-attr-set-document",
        K::NotAttrSet { .. } => "not-attr-set",
        K::Hidden { .. } => "hidden",
        K::Ambiguous { .. } => "ambiguous",
        K::NotAPattern { .. } => "not-a-pattern",
        K::InheritedPrefix { .. } => "inherited-prefix",
        K::InheritRewrite { .. } => "inherit-rewrite",
        K::InheritShared { .. } => "inherit-shared",
        K::NotAList { .. } => "not-a-list",
        K::Spread { .. } => "spread",
        K::UsedInRec { .. } => "used-in-rec",
        K::ReadInRec { .. } => "read-in-rec",
        K::ReadBack { .. } => "read-back",
        K::StillBound { .. } => "still-bound",
        K::EditUnparsable { .. } => "edit-unparsable",
        _ => "other",
    };
    json["kind"] = kind.into();
    // the internal errors' spans are in text the edit would have made, not in any input
    if !e.kind().is_internal() {
        let span = JsonSpan::of(e.input(), &e.span());
        json["input"] = if e.file().is_some() {
            "file"
        } else {
            "expression"
        }
        .into();
        json["line"] = span.line.into();
        json["column"] = span.column.into();
        json["span"] = serde_json::to_value(span).expect("a span serializes");
    }
    if let Some(place) = e.editable() {
        json["editable"] = place.to_string().into();
    }
}

fn run(
    dir: &Path,
    req: &Request,
    io: &mut Io,
    refusal: &mut Option<nix_edit::Error>,
) -> Result<Outcome> {
    let full = dir.join(req.file);
    let shown = req.file.display().to_string();
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io("cannot read", req.file, e))?;
    let attr_path: AttrPath = req.path.parse().map_err(|e| {
        Error::Usage(format!("bad attribute path {e}\n  = help: write names joined by dots, quoting a name that contains dots: env.\"MY.VAR\""))
    })?;
    // Only the bindings the path can reach are parsed into a tree: on a large file, the one
    // full parse would be most of the time.
    let mut doc =
        NixDocument::parse_for(shown.clone(), text.clone(), &attr_path).map_err(kept(refusal))?;
    let expr = || {
        req.expr
            .ok_or_else(|| Error::Usage(format!("{:?} needs an EXPR after the path", req.op)))
    };
    let path = &attr_path;
    let edit = match req.op {
        Op::Get => return get(&doc, path, &shown, req, io, refusal),
        Op::Set => Edit::Set {
            path,
            expr: expr()?,
        },
        Op::Add => Edit::Add {
            path,
            expr: expr()?,
        },
        Op::Remove => Edit::Remove {
            path,
            expr: expr()?,
        },
        Op::Delete => Edit::Delete { path },
    };
    let report = doc.edit(edit).map_err(kept(refusal))?;
    let changed = report.changed;
    // said whatever the format: the edit is made, and what it may have overridden is the
    // user's to check
    for note in &report.notes {
        let (line, col) = nix_edit::line_col(&text, note.span.start);
        writeln!(io.err, "{shown}:{line}:{col}: note: {}", note.message).map_err(stream_error)?;
    }
    if req.verbose {
        say_wrappers(io, &shown, &text, path, &report.wrappers)?;
        for c in &report.changes {
            let (line, col) = nix_edit::line_col(doc.text(), written(doc.text(), &c.after).start);
            writeln!(io.err, "{shown}:{line}:{col}: edited here").map_err(stream_error)?;
        }
    }
    let mut json = (req.format == Format::Json)
        .then(|| JsonReport::edit(req, &shown, path, &text, doc.text(), &report));
    match req.output {
        Output::Print => match &mut json {
            Some(j) => j.text = Some(doc.text().to_string()),
            None => write!(io.out, "{}", doc.text()).map_err(stream_error)?,
        },
        Output::Diff if changed => {
            let d = diff::unified(&shown, Some(&text), doc.text());
            match &mut json {
                Some(j) => j.diff = Some(diff::plain(&d)),
                None => write!(io.out, "{d}").map_err(stream_error)?,
            }
        }
        Output::InPlace if changed => write_back(&full, &shown, doc.text())?,
        Output::Diff | Output::InPlace => {}
    }
    if let Some(j) = &json {
        io.json(j)?;
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
    req: &Request,
    io: &mut Io,
    refusal: &mut Option<nix_edit::Error>,
) -> Result<Outcome> {
    let location = doc.locate(path).map_err(kept(refusal))?;
    if req.verbose {
        say_wrappers(io, shown, doc.text(), path, &location.wrappers)?;
    }
    let Some(value) = doc.get(path).map_err(kept(refusal))? else {
        return Err(not_set(
            doc,
            path,
            shown,
            req.path,
            location.maybe_bound_by.as_ref(),
        ));
    };
    match req.format {
        Format::Text => writeln!(io.out, "{value}").map_err(stream_error)?,
        Format::Json => {
            let span = match &location.bound {
                Bound::Value(r) | Bound::Inherited(r) => Some(JsonSpan::of(doc.text(), r)),
                _ => None,
            };
            io.json(&JsonReport {
                status: "ok",
                file: shown.to_string(),
                operation: req.op.name(),
                path: path.to_string(),
                changed: false,
                value: Some(value),
                span,
                changes: Vec::new(),
                wrappers: wrappers_json(doc.text(), path, &location.wrappers),
                notes: Vec::new(),
                text: None,
                diff: None,
            })?
        }
    }
    Ok(Outcome::Success)
}

/// One line on stderr for each wrapper the path went through.
fn say_wrappers(
    io: &mut Io,
    shown: &str,
    text: &str,
    path: &AttrPath,
    wrappers: &[Wrapper],
) -> Result<()> {
    for w in wrappers {
        let (line, col) = nix_edit::line_col(text, w.span.start);
        let of = match w.path_to(path) {
            Some(p) => format!(", the value of `{p}`"),
            None => String::new(),
        };
        writeln!(io.err, "{shown}:{line}:{col}: went through {w}{of}").map_err(stream_error)?;
    }
    Ok(())
}

/// What `devgen nix --format json` prints.
#[derive(Serialize)]
struct JsonReport {
    status: &'static str,
    file: String,
    operation: &'static str,
    path: String,
    /// Whether the file changed (always false for `get`).
    changed: bool,
    /// `get`: the value's source.
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    /// `get`: the value's span; an edit: the span of the text it wrote in the new file,
    /// without the blank around it (empty, at its place, for a removal); `null` when
    /// nothing changed, and when the edit made several changes (a delete through `//`):
    /// then `changes` says where each is.
    span: Option<JsonSpan>,
    /// An edit: each run of text replaced, before (in the file as it was) and after.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<JsonChange>,
    /// The wrappers the path went through, outermost first.
    wrappers: Vec<JsonWrapper>,
    /// An edit: what it could not check, each with where (in the file as it was).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<JsonNote>,
    /// The new file, when it is printed rather than written or diffed.
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    /// The unified diff, with `--diff`.
    #[serde(skip_serializing_if = "Option::is_none")]
    diff: Option<String>,
}

impl JsonReport {
    fn edit(
        req: &Request,
        shown: &str,
        path: &AttrPath,
        before: &str,
        after: &str,
        report: &EditReport,
    ) -> Self {
        JsonReport {
            status: "ok",
            file: shown.to_string(),
            operation: req.op.name(),
            path: path.to_string(),
            changed: report.changed,
            value: None,
            span: report
                .span()
                .map(|r| JsonSpan::of(after, &written(after, &r))),
            changes: report
                .changes
                .iter()
                .map(|c| JsonChange {
                    before: JsonSpan::of(before, &c.before),
                    after: JsonSpan::of(after, &c.after),
                })
                .collect(),
            wrappers: wrappers_json(before, path, &report.wrappers),
            notes: report
                .notes
                .iter()
                .map(|n| JsonNote {
                    message: n.message.clone(),
                    span: JsonSpan::of(before, &n.span),
                })
                .collect(),
            text: None,
            diff: None,
        }
    }
}

/// Something an edit could not check ([`nix_edit::Note`]).
#[derive(Serialize)]
struct JsonNote {
    message: String,
    #[serde(flatten)]
    span: JsonSpan,
}

/// The part of `r` in `text` that is not blank at its ends: the binding an edit wrote,
/// without the line break and indentation before it.
fn written(text: &str, r: &Range<usize>) -> Range<usize> {
    let inner = &text[r.clone()];
    let start = r.start + (inner.len() - inner.trim_start().len());
    let end = (r.end - (inner.len() - inner.trim_end().len())).max(start);
    start..end
}

/// A byte range of a file, with the line and column (1-based, in characters) it starts at.
#[derive(Serialize)]
struct JsonSpan {
    start: usize,
    end: usize,
    line: usize,
    column: usize,
}

impl JsonSpan {
    fn of(text: &str, r: &Range<usize>) -> Self {
        let (line, column) = nix_edit::line_col(text, r.start);
        JsonSpan {
            start: r.start,
            end: r.end,
            line,
            column,
        }
    }
}

#[derive(Serialize)]
struct JsonChange {
    before: JsonSpan,
    after: JsonSpan,
}

/// A wrapper: its kind, in words, what it is of the path, where it is, and the kind's own
/// details.
#[derive(Serialize)]
struct JsonWrapper {
    kind: &'static str,
    description: String,
    /// The part of the path bound to the wrapped value; `null` for the file's own value.
    of: Option<String>,
    #[serde(flatten)]
    span: JsonSpan,
    #[serde(skip_serializing_if = "Option::is_none")]
    function: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    namespace: Option<String>,
    /// For `let name = …; in name`: the name.
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// For `//`: which operand (from 1, on the left) of how many; for `mkMerge`: which
    /// element of how many.
    #[serde(skip_serializing_if = "Option::is_none")]
    index: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
}

fn wrappers_json(text: &str, path: &AttrPath, wrappers: &[Wrapper]) -> Vec<JsonWrapper> {
    wrappers
        .iter()
        .map(|w| {
            let mut j = JsonWrapper {
                kind: "",
                description: w.to_string(),
                of: w.path_to(path).map(|p| p.to_string()),
                span: JsonSpan::of(text, &w.span),
                function: None,
                parameter: None,
                namespace: None,
                name: None,
                index: None,
                count: None,
            };
            j.kind = match &w.kind {
                WrapperKind::Function { parameter } => {
                    j.parameter = Some(parameter.clone());
                    "function"
                }
                WrapperKind::Let => "let",
                WrapperKind::LetBound { name } => {
                    j.name = Some(name.clone());
                    "let-bound"
                }
                WrapperKind::With { namespace } => {
                    j.namespace = Some(namespace.clone());
                    "with"
                }
                WrapperKind::Assert => "assert",
                WrapperKind::Call { function } => {
                    j.function = Some(function.clone());
                    "call"
                }
                WrapperKind::Update { operand, operands } => {
                    (j.index, j.count) = (Some(*operand), Some(*operands));
                    "update"
                }
                WrapperKind::NewOperand { operands } => {
                    (j.index, j.count) = (Some(operands + 1), Some(operands + 1));
                    "new-operand"
                }
                WrapperKind::Merge {
                    function,
                    element,
                    elements,
                } => {
                    j.function = Some(function.clone());
                    (j.index, j.count) = (Some(*element), Some(*elements));
                    "merge"
                }
                _ => "other",
            };
            j
        })
        .collect()
}

/// The error for a path nothing binds: one a `let` binds is no path of the value, and
/// `set` would not reach it either.
fn not_set(
    doc: &NixDocument,
    path: &AttrPath,
    shown: &str,
    given: &str,
    maybe: Option<&nix_edit::Note>,
) -> Error {
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
        None => {
            // said when a value the editor cannot see inside may bind it after all
            let note = maybe.map_or(String::new(), |n| {
                let (line, col) = nix_edit::line_col(doc.text(), n.span.start);
                format!("\n  = note: {shown}:{line}:{col}: {}", n.message)
            });
            Error::Usage(format!(
                "`{path}` is not set in {shown}{note}\n  = help: `devgen nix set {shown} {given} EXPR` binds it"
            ))
        }
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
