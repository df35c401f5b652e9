//! The crate's error type. An [`Error`] is structured data — what went wrong (an
//! [`ErrorKind`]), the byte span it is about and the text that span points into — so that a
//! caller can render it in its own words and style; `Display` gives a neutral one-line
//! message and [`Error::help`] a neutral line on how to fix it. Also [`line_col`], which
//! turns a byte offset into the position editors show.

use std::fmt;
use std::ops::Range;

use crate::path::AttrPath;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a document could not be parsed or an edit was refused, and where.
///
/// The span is a byte range of [`Error::input`]: the document, the expression given to the
/// edit ([`ErrorKind::Expression`], then [`Error::file`] is `None`), or the text the edit
/// would have produced ([`ErrorKind::EditUnparsable`]). An edit that fails leaves its
/// document unchanged.
#[derive(Clone, PartialEq, Eq)]
pub struct Error {
    /// Boxed so that a `Result` costs one pointer on the way out, not the whole error.
    inner: Box<Inner>,
}

#[derive(Clone, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    span: Range<usize>,
    input: String,
    document: Option<String>,
    /// The nearest place on the path the editor can edit, when there is one.
    editable: Option<AttrPath>,
}

/// What went wrong. Every variant but the internal ones (a bug in this crate, never an
/// answer to the input) is something a user can fix in the document or in the edit.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// The document does not parse. `message` is what is wrong (e.g. "unexpected `}`,
    /// expected `;`"), without any prefix.
    Syntax {
        /// What the parser did not expect, and what it expected instead.
        message: String,
    },
    /// The expression given to an edit does not parse (span and input are in the
    /// expression, trimmed).
    Expression {
        /// What the parser did not expect, and what it expected instead.
        message: String,
    },
    /// The document's value holds no attribute set the editor can see: through functions,
    /// `let`, `with`, parentheses, `assert`, calls whose last argument is a set, `//` and
    /// `mkMerge`, it is something else (a string, a list, `(import ./x.nix { }).shell`).
    NotAttrSetDocument {
        /// What the value is instead, e.g. "a function call".
        found: String,
    },
    /// A path runs through a value the editor cannot see inside: not an attribute set
    /// literal, nor one of the wrappers it goes through (a function, `let`, `with`, a call
    /// whose last argument is a set, `//`, `mkMerge`). [`Error::editable`] names the value
    /// as a whole.
    NotAttrSet {
        /// The prefix of the path bound to that value.
        path: AttrPath,
        /// What the value is instead, e.g. "the variable `x`".
        found: String,
    },
    /// In `a // b`, an operand the editor cannot see inside (a variable, a call) or a name
    /// computed at evaluation (`${n} = …;`) stands on the right of where the path leads, and
    /// might bind it: what the path holds would be a guess. Or, with `after_delete`, such a
    /// value stands where it would still bind the path after a `delete` removed every
    /// binding the editor sees — on their left in a `//` chain, or beside them in
    /// `mkMerge` — so that the delete could not keep its promise. The span is that value.
    Hidden {
        /// The prefix of the path the value might bind; with `after_delete`, the whole path
        /// being deleted.
        path: AttrPath,
        /// What the value is, e.g. "the variable `extra`", "the computed name `${n}`".
        found: String,
        /// Whether it is a `delete` that is refused, for what the value might still bind.
        after_delete: bool,
    },
    /// Several elements of a `mkMerge` list bind the path, so which one to read or change
    /// would be a guess. The span is the first.
    Ambiguous {
        /// The path asked for.
        path: AttrPath,
        /// The function as written: `lib.mkMerge`.
        function: String,
        /// Where each element binds it, in source order.
        places: Vec<Range<usize>>,
    },
    /// The expression given to an edit ends in a `#` comment, and where it would go more
    /// follows on the same line (a one-line set or list, a comment already there), which
    /// the comment would swallow; or it ends in comments on several lines. Span and input
    /// are in the expression: the comment.
    TrailingComment,
    /// `add_parameter` on a value that is not a function of an attribute set pattern.
    NotAPattern {
        /// The path asked for.
        path: AttrPath,
        /// What the value is instead.
        found: String,
    },
    /// A path runs through a name bound by `inherit`, so the editor cannot see inside it.
    InheritedPrefix {
        /// The prefix of the path the `inherit` binds.
        path: AttrPath,
    },
    /// `set` of a path bound by `inherit`: it would need rewriting the `inherit`.
    InheritRewrite {
        /// The path asked for.
        path: AttrPath,
    },
    /// `delete` of one of several names bound by one `inherit`.
    InheritShared {
        /// The path asked for.
        path: AttrPath,
    },
    /// add, remove or read a list at a path whose value is not a list.
    NotAList {
        /// The path asked for.
        path: AttrPath,
        /// What the value is instead: "an inherited value", "a function call's list", or a
        /// description like "a literal".
        found: String,
    },
    /// The value at `path` is made of several bindings (`a = { … }; a.b = …;`), so reading
    /// or replacing it as one value would be a guess.
    Spread {
        /// The path asked for.
        path: AttrPath,
        /// What was asked: "read", "set", "add to" or "remove from".
        operation: &'static str,
        /// The source text of the first binding's attribute path, e.g. `env.ERL_AFLAGS`.
        example: String,
    },
    /// `delete` of the last binding of a name that its `rec` set still uses; the span is
    /// the use.
    UsedInRec {
        /// The name that would be left undefined.
        name: String,
    },
    /// `set` of a name new to a `rec` set that the set already reads from outside it: the
    /// new binding would change what those reads give. The span is the first use.
    ReadInRec {
        /// The name that would be bound.
        name: String,
    },
    /// Internal (a bug): after `set`, the path does not read back what was set.
    ReadBack {
        /// The path that was set.
        path: AttrPath,
        /// What it reads instead; `None` when nothing is bound there.
        found: Option<String>,
    },
    /// Internal (a bug): after `delete`, something is still bound at the path.
    StillBound {
        /// The path that was deleted.
        path: AttrPath,
    },
    /// Internal (a bug): the edit would leave the document unparsable. Span and input are in
    /// the text the edit would have produced.
    EditUnparsable {
        /// The syntax error in that text.
        message: String,
    },
}

impl ErrorKind {
    /// Whether this is one of the editor's own failures — an edit that did not read back,
    /// left the path bound, or made text that does not parse — rather than a refusal of its
    /// input: a bug to report, whose span is in text the edit would have made.
    pub fn is_internal(&self) -> bool {
        matches!(
            self,
            ErrorKind::ReadBack { .. }
                | ErrorKind::StillBound { .. }
                | ErrorKind::EditUnparsable { .. }
        )
    }
}

impl Error {
    /// An error about `span` of `input`; `document` names the document `input` belongs to.
    /// The span is kept inside `input` and on character boundaries.
    pub(crate) fn new(
        kind: ErrorKind,
        span: Range<usize>,
        input: impl Into<String>,
        document: Option<String>,
    ) -> Self {
        let input = input.into();
        let span = clamp_span(&input, span);
        Error {
            inner: Box::new(Inner {
                kind,
                span,
                input,
                document,
                editable: None,
            }),
        }
    }

    /// This error, naming `path` as the nearest place the editor can edit.
    pub(crate) fn with_editable(self, path: AttrPath) -> Self {
        self.editable_at(Some(path))
    }

    /// This error, naming `path` as the nearest place the editor can edit, or none.
    pub(crate) fn editable_at(mut self, path: Option<AttrPath>) -> Self {
        self.inner.editable = path;
        self
    }

    /// For a path the editor cannot follow ([`ErrorKind::NotAttrSet`],
    /// [`ErrorKind::Hidden`]), the nearest place on it that can be edited: a path bound in
    /// the document whose whole value `set` replaces. `None` when there is none (the
    /// document's own value is what cannot be seen inside) and for the other kinds.
    pub fn editable(&self) -> Option<&AttrPath> {
        self.inner.editable.as_ref()
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.inner.kind
    }

    /// The byte range of [`Error::input`] the error is about; may be empty (a point between
    /// two characters). [`ErrorKind::ReadBack`] and [`ErrorKind::StillBound`] have an empty
    /// span at 0; [`ErrorKind::EditUnparsable`] points at the syntax error in the text the
    /// edit would have produced.
    pub fn span(&self) -> Range<usize> {
        self.inner.span.clone()
    }

    /// The text the span points into: the document (for the internal errors, as the edit
    /// left it before it was undone), the expression given to the edit
    /// ([`ErrorKind::Expression`]), or the text the edit would have produced
    /// ([`ErrorKind::EditUnparsable`]).
    pub fn input(&self) -> &str {
        &self.inner.input
    }

    /// The document's name as given to [`NixDocument::parse`](crate::NixDocument::parse);
    /// `None` when the span is in the expression given to an edit.
    pub fn file(&self) -> Option<&str> {
        self.inner.document.as_deref()
    }

    /// 1-based line and column (in characters) where the span starts in [`Error::input`].
    pub fn line_col(&self) -> (usize, usize) {
        line_col(&self.inner.input, self.inner.span.start)
    }

    /// A neutral line saying how to fix it.
    pub fn help(&self) -> Option<String> {
        use ErrorKind as K;
        let help = match &self.inner.kind {
            K::Syntax { .. } => "fix the syntax first; only documents that Nix can parse are edited".into(),
            K::Expression { .. } => "give exactly one Nix expression, such as `pkgs.redis` or `\"a string\"` (Nix strings need double quotes)".into(),
            K::NotAttrSetDocument { .. } => "only documents whose value is an attribute set are edited, like a module `{ pkgs, ... }: { … }` or a flake `{ … }`".into(),
            K::NotAttrSet { .. } => match &self.inner.editable {
                Some(p) => format!("edits go inside attribute set literals only; the nearest editable place is `{p}`, whose whole value can be set, or change this value by hand"),
                None => "edits go inside attribute set literals only; change this value by hand, or edit a path that does not run through it".into(),
            },
            K::Hidden { after_delete: false, .. } => match &self.inner.editable {
                Some(p) => format!("write the binding into the rightmost operand by hand, or set `{p}` as a whole"),
                None => "write the binding into the rightmost operand by hand".into(),
            },
            K::Hidden { after_delete: true, .. } => match &self.inner.editable {
                Some(p) => format!("remove the binding by hand where it is, or set `{p}` as a whole"),
                None => "remove the binding by hand where it is".into(),
            },
            K::Ambiguous { .. } => "edit the element you mean by hand, or give each name to one element only".into(),
            K::TrailingComment => "write the comment as `/* … */`, or leave it out and add it by hand".into(),
            K::NotAPattern { .. } => "parameters are added to functions of a set pattern, like `{ self, nixpkgs }: …`".into(),
            K::InheritedPrefix { .. } => "write the value out as an attribute set to edit inside it".into(),
            K::InheritRewrite { path } => {
                let name = path.segments().last().expect("a path has a name");
                format!("replace the inherit of `{name}` by hand with `{name} = …;`, then run the edit again")
            }
            K::InheritShared { .. } => "remove the name from the inherit by hand".into(),
            K::NotAList { .. } => "add and remove work on list literals: `[ … ]`, `[ … ] ++ …`, or `with pkgs; [ … ]`".into(),
            K::Spread { path, example, .. } => {
                format!("use a longer path, like `{example}`, or delete `{path}` first")
            }
            K::UsedInRec { .. } => "remove or change the uses first, then delete it".into(),
            K::ReadInRec { .. } => "rename the uses first, or bind the name by hand where it does not change them".into(),
            K::ReadBack { .. } | K::StillBound { .. } | K::EditUnparsable { .. } => {
                "this is a bug in nix-edit; please report it with the document".into()
            }
        };
        Some(help)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ErrorKind as K;
        match &self.inner.kind {
            K::Syntax { message } => write!(f, "Nix syntax error: {message}"),
            K::Expression { message } => write!(f, "the expression does not parse: {message}"),
            K::NotAttrSetDocument { found } => {
                write!(f, "the document's value is {found}, not an attribute set")
            }
            K::NotAttrSet { path, found } => {
                write!(f, "`{path}` is bound to {found} here, not an attribute set")
            }
            K::Hidden {
                path,
                found,
                after_delete: false,
            } => write!(
                f,
                "`{path}` may be bound by {found} here, on the right of `//`, which the editor cannot see inside"
            ),
            K::Hidden {
                path,
                found,
                after_delete: true,
            } => write!(
                f,
                "cannot delete `{path}`: it may still be bound by {found} here, which the editor cannot see inside"
            ),
            K::Ambiguous {
                path,
                function,
                places,
            } => {
                write!(f, "`{path}` is bound in {} elements of `{function}`: at ", places.len())?;
                for (i, place) in places.iter().enumerate() {
                    let (line, col) = line_col(&self.inner.input, place.start);
                    let sep = match i {
                        0 => "",
                        _ if i + 1 == places.len() => " and ",
                        _ => ", ",
                    };
                    write!(f, "{sep}{line}:{col}")?;
                }
                Ok(())
            }
            K::TrailingComment => f.write_str(
                "the expression ends in a `#` comment, and more follows on the line where it would go",
            ),
            K::NotAPattern { path, found } => {
                write!(f, "`{path}` is {found}, not a function of a set pattern")
            }
            K::InheritedPrefix { path } => write!(
                f,
                "`{path}` is bound by `inherit` here, so the editor cannot see inside it"
            ),
            K::InheritRewrite { path } => write!(
                f,
                "`{path}` is bound by `inherit` here; inherit bindings are not rewritten"
            ),
            K::InheritShared { path } => write!(
                f,
                "`{path}` is one of several names this `inherit` binds; inherit bindings are not rewritten"
            ),
            K::NotAList { path, found } => write!(f, "`{path}` is {found}, not a list"),
            K::Spread {
                path,
                operation,
                example,
            } => write!(
                f,
                "cannot {operation} `{path}`: it is made of several bindings, such as `{example}`"
            ),
            K::UsedInRec { name } => write!(
                f,
                "cannot delete `{name}`: this rec set still uses it here, which would leave it undefined"
            ),
            K::ReadInRec { name } => write!(
                f,
                "cannot bind `{name}` in this rec set: the set already reads `{name}` here from outside it, and would read the new binding instead"
            ),
            K::ReadBack { path, found } => {
                write!(f, "internal error: after setting `{path}` it reads ")?;
                match found {
                    Some(value) => write!(f, "`{value}`")?,
                    None => f.write_str("nothing")?,
                }
                f.write_str("; the edit was undone")
            }
            K::StillBound { path } => write!(
                f,
                "internal error: `{path}` is still bound after deleting it; the edit was undone"
            ),
            K::EditUnparsable { message } => write!(
                f,
                "internal error: the edit would leave the document unparsable ({message}); it was undone"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// Shows the fields, as if the error were not boxed.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("span", &self.inner.span)
            .field("document", &self.inner.document)
            .field("input", &self.inner.input)
            .field("editable", &self.inner.editable)
            .finish()
    }
}

/// 1-based line and column of byte `offset` in `text`, the column counted in characters. An
/// offset past the end counts as the end.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = text[line_start..offset].chars().count() + 1;
    (line, col)
}

/// `span` moved inside `text` and onto character boundaries, so that slicing by it and
/// [`line_col`] never panic.
fn clamp_span(text: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(text.len());
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "name = \"é\" x\n";
        assert_eq!(line_col(src, src.find('x').unwrap()), (1, 12));
        assert_eq!(line_col("a\nbc", 3), (2, 2));
        assert_eq!(line_col("a\n", 99), (2, 1));
    }

    #[test]
    fn spans_are_clamped_into_the_input() {
        let e = Error::new(
            ErrorKind::Syntax {
                message: "x".into(),
            },
            2..40,
            "é=1",
            None,
        );
        assert_eq!(e.span(), 2..4);
        let e = Error::new(
            ErrorKind::Syntax {
                message: "x".into(),
            },
            1..1,
            "é",
            None,
        );
        assert_eq!(e.span(), 0..2, "a span inside a character covers it");
    }
}

/// Something an edit could not check, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// The byte range, in the text before the edit, of what it is about.
    pub span: Range<usize>,
    /// In words, one sentence.
    pub message: String,
}
