//! [`NixDocument`], the editor's public face: parsing, reading values, lists and bindings,
//! and the edits — each run atomically, so a refused edit leaves the document as it was —
//! with the plain data it hands out ([`Binding`], [`ValueKind`], [`ListElement`]). `set`
//! and `delete` live here; the list edits are in `lists`, the path walk in `lookup`.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::SyntaxNode;
use rowan::ast::AstNode;

use crate::error::{line_col, Error, ErrorKind, Result};
use crate::lists::collect_lists;
use crate::lookup::Lookup;
use crate::path::AttrPath;
use crate::splice::{reindent, Splice};
use crate::syntax::{
    as_attr_set, attr_name, check_expr, inherited_value, parse_checked, range, same_expr, start,
};

/// A parsed Nix document, edited in place by attribute path.
///
/// Every byte outside an edit is kept. Each edit is checked before it is adopted: the
/// result must parse, and (for `set` and `delete`) the path must then read back what was
/// asked; otherwise the edit is refused and the document is unchanged.
#[derive(Debug, Clone)]
pub struct NixDocument {
    /// The name the document was parsed under, for errors.
    pub(crate) file: String,
    pub(crate) text: String,
    /// The syntax tree of `text`, always in step with it.
    pub(crate) root: SyntaxNode,
}

/// A binding found by [`NixDocument::bindings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The full path from the top-level set, nested sets and dotted names joined.
    pub path: AttrPath,
    /// Byte range of the value's source.
    pub value: Range<usize>,
    /// What the value is, as far as editing inside it goes.
    pub kind: ValueKind,
}

/// An element of a list, and the call its list is given to (for `cond [ … ]` lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    /// For an element of a conditional list like `lib.optionals cond [ … ]`, the call
    /// before the list (`lib.optionals cond`); `None` for a plain list.
    pub call: Option<String>,
    /// The element's source text.
    pub text: String,
}

/// What a binding's value is, as far as editing inside it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An attribute set literal (possibly under parentheses, `with` or `let`).
    Set,
    /// A list literal, or a `++` chain or `with` holding one.
    List,
    /// Anything else.
    Other,
}

impl NixDocument {
    /// Parse `text`; `file` names it in errors. A document with syntax errors is refused:
    /// only what Nix itself would accept is edited.
    pub fn parse(file: impl Into<String>, text: impl Into<String>) -> Result<Self> {
        let file = file.into();
        let text = text.into();
        match parse_checked(&text) {
            Ok(root) => Ok(NixDocument { file, text, root }),
            Err(failure) => Err(Error::new(
                ErrorKind::Syntax {
                    message: failure.message,
                },
                failure.span,
                text,
                Some(file),
            )),
        }
    }

    /// The document's text, with every edit so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The source text of the value bound at `path`, or `None` when nothing is. A name bound
    /// by `inherit (x) a;` reads as `x.a`.
    pub fn get(&self, path: &AttrPath) -> Result<Option<String>> {
        match self.lookup(path)? {
            Lookup::Found(av) => Ok(Some(
                self.node_text(av.value().expect("a parsed binding has a value").syntax()),
            )),
            Lookup::Inherited(inh) => {
                Ok(Some(inherited_value(&inh, path.segments().last().unwrap())))
            }
            Lookup::Missing { .. } => Ok(None),
            Lookup::Spread(bindings) => Err(self.spread_error(path, &bindings, "read")),
        }
    }

    /// Bind `path` to `expr`: replace the value if bound, otherwise insert a binding in the
    /// innermost attribute set on the path, after the sibling sharing most of the path, in
    /// that set's layout. Returns whether the document changed; on error it is unchanged.
    pub fn set(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        self.atomically(|d| d.set_inner(path, expr))
    }

    /// Remove the binding at `path` — every binding at or under it when it is made of
    /// several — with its own comment lines. Returns whether anything was removed.
    pub fn delete(&mut self, path: &AttrPath) -> Result<bool> {
        self.atomically(|d| d.delete_inner(path))
    }

    /// Make sure `expr` is an element of the list at `path`, creating the list when the path
    /// is unbound. Elements compare by syntax: `pkgs.tmux` equals `pkgs . tmux`, and inside
    /// `with pkgs; [ … ]` also `tmux`. Returns whether the document changed.
    pub fn add(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        self.atomically(|d| d.add_inner(path, expr))
    }

    /// Make sure `expr` is an element of the list at `path` that is given to `call`, like
    /// `pkgs.lib.optionals pkgs.stdenv.isLinux [ … ]`: into that list when the chain has one,
    /// otherwise as a new `++ call [ expr ]` at the end of the chain. An element already
    /// anywhere in the chain counts as present. Returns whether the document changed.
    pub fn add_when(&mut self, path: &AttrPath, call: &str, expr: &str) -> Result<bool> {
        self.atomically(|d| d.add_when_inner(path, call, expr))
    }

    /// Remove `expr` from the list at `path` (from whichever literal of its `++` chain holds
    /// it), comparing elements as [`add`](Self::add) does. Returns whether an element was
    /// removed.
    pub fn remove(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        self.atomically(|d| d.remove_inner(path, expr))
    }

    /// Run `edit`; on error, put the document back as it was.
    fn atomically(&mut self, edit: impl FnOnce(&mut Self) -> Result<bool>) -> Result<bool> {
        let saved = (self.text.clone(), self.root.clone());
        let result = edit(self);
        if result.is_err() {
            (self.text, self.root) = saved;
        }
        result
    }

    /// Every attribute path bound in the document's top-level set with a static name,
    /// nested sets included, in source order.
    pub fn bindings(&self) -> Result<Vec<Binding>> {
        let mut out = Vec::new();
        walk_bindings(&self.top_set()?, &[], &mut out);
        Ok(out)
    }

    /// The elements of the list at `path` — every literal of its `++` chain, conditional
    /// ones included — as source text, with the call a conditional list is given to.
    pub fn list_elements(&self, path: &AttrPath) -> Result<Vec<ListElement>> {
        Ok(self
            .bound_list_literals(path)?
            .iter()
            .flat_map(|l| {
                l.node.items().map(move |item| ListElement {
                    call: l.call.clone(),
                    text: self.node_text(item.syntax()),
                })
            })
            .collect())
    }

    /// Whether `expr` is an element of the list at `path`, compared as `add` compares: by
    /// syntax, and inside `with pkgs; [ … ]` `tmux` is `pkgs.tmux`.
    pub fn contains_element(&self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        Ok(self
            .bound_list_literals(path)?
            .iter()
            .any(|l| l.position(&self.text, &expr).is_some()))
    }

    /// Where the value bound at `path` starts, as 1-based line and column (in characters);
    /// `None` when `path` is not bound by one binding of its own.
    pub fn value_position(&self, path: &AttrPath) -> Option<(usize, usize)> {
        match self.lookup(path).ok()? {
            Lookup::Found(av) => Some(line_col(&self.text, start(av.value()?.syntax()))),
            _ => None,
        }
    }

    /// Bind `path` to `expr` (see [`set`](Self::set)), then check that it reads back.
    pub(crate) fn set_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        let splice = match self.lookup(path)? {
            Lookup::Found(av) => {
                let value = av.value().expect("a parsed binding has a value");
                if same_expr(&self.node_text(value.syntax()), &expr) {
                    return Ok(false);
                }
                let indent = self.line_indent(start(av.syntax()));
                Splice {
                    range: range(value.syntax()),
                    text: reindent(&expr, &indent, self.eol()),
                }
            }
            Lookup::Inherited(inh) => {
                return Err(self.error(
                    ErrorKind::InheritRewrite { path: path.clone() },
                    range(inh.syntax()),
                ))
            }
            Lookup::Spread(bindings) => return Err(self.spread_error(path, &bindings, "set")),
            Lookup::Missing {
                set,
                consumed,
                anchor,
            } => {
                let binding = format!(
                    "{} = {};",
                    AttrPath::segments_to_nix(&path.segments()[consumed..]),
                    expr
                );
                self.insert_entry(&set, anchor.as_ref(), &binding)
            }
        };
        self.apply(splice)?;
        match self.get(path)? {
            Some(v) if same_expr(&v, &expr) => Ok(true),
            found => Err(self.error(
                ErrorKind::ReadBack {
                    path: path.clone(),
                    found,
                },
                0..0,
            )),
        }
    }

    /// Remove the binding(s) at `path` (see [`delete`](Self::delete)), then check that
    /// nothing is bound there.
    fn delete_inner(&mut self, path: &AttrPath) -> Result<bool> {
        let ranges: Vec<Range<usize>> = match self.lookup(path)? {
            Lookup::Missing { .. } => return Ok(false),
            Lookup::Found(av) => {
                self.check_unused_in_rec(std::slice::from_ref(&av))?;
                vec![self.removal_range(av.syntax())]
            }
            Lookup::Spread(bindings) => {
                self.check_unused_in_rec(&bindings)?;
                bindings
                    .iter()
                    .map(|b| self.removal_range(b.syntax()))
                    .collect()
            }
            Lookup::Inherited(inh) => {
                if inh.attrs().count() != 1 {
                    return Err(self.error(
                        ErrorKind::InheritShared { path: path.clone() },
                        range(inh.syntax()),
                    ));
                }
                vec![self.removal_range(inh.syntax())]
            }
        };
        self.apply_all(
            ranges
                .into_iter()
                .map(|range| Splice {
                    range,
                    text: String::new(),
                })
                .collect(),
        )?;
        if self.get_or_spread(path)? {
            return Err(self.error(ErrorKind::StillBound { path: path.clone() }, 0..0));
        }
        Ok(true)
    }

    /// The source text of `node`.
    pub(crate) fn node_text(&self, node: &SyntaxNode) -> String {
        self.text[range(node)].to_string()
    }

    /// An error about `span` of this document.
    pub(crate) fn error(&self, kind: ErrorKind, span: Range<usize>) -> Error {
        Error::new(kind, span, self.text.clone(), Some(self.file.clone()))
    }
}

/// Push the bindings of `set`, whose path is `prefix`, onto `out`, and those of the
/// attribute sets bound in it.
fn walk_bindings(set: &ast::AttrSet, prefix: &[String], out: &mut Vec<Binding>) {
    for av in set.attrpath_values() {
        let Some(names) = av
            .attrpath()
            .map(|p| p.attrs().map(|a| attr_name(&a)).collect::<Option<Vec<_>>>())
        else {
            continue;
        };
        let (Some(names), Some(value)) = (names, av.value()) else {
            continue;
        };
        let full: Vec<String> = prefix.iter().cloned().chain(names).collect();
        let inner = as_attr_set(&value);
        let mut lists = Vec::new();
        collect_lists(value.clone(), None, &mut lists);
        let kind = if inner.is_some() {
            ValueKind::Set
        } else if lists.iter().any(|l| !l.conditional) {
            ValueKind::List
        } else {
            ValueKind::Other
        };
        out.push(Binding {
            path: AttrPath(full.clone()),
            value: range(value.syntax()),
            kind,
        });
        if let Some(inner) = inner {
            walk_bindings(&inner, &full, out);
        }
    }
}
