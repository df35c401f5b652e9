//! [`NixDocument`], the editor's public face and the top of the crate: parsing, reading
//! values, lists and bindings, and the edits — each run atomically, so a refused edit
//! leaves the document as it was — with the plain data it hands out ([`Binding`],
//! [`ValueKind`], [`ListElement`]). It owns the document's [`Tree`] and composes the
//! modules below: the path walk in `lookup`, the edits themselves in `edit`.

use std::cell::OnceCell;
use std::fmt;
use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;

use crate::edit::{self, Log};
use crate::error::{line_col, Note, Result};
use crate::lists::collect_lists;
use crate::lookup::{
    bound_list_literals, document_expr, lookup, lookup_for_write, top_sets, value_text, Lookup,
};
use crate::path::AttrPath;
use crate::reach::Wrapper;
use crate::read::{Reference, Value};
use crate::syntax::{attr_name, check_expr, range, start};
use crate::tree::Tree;

/// A parsed Nix document, edited in place by attribute path.
///
/// Every byte outside an edit is kept. Each edit is checked before it is adopted: the
/// result must parse, and (for `set` and `delete`) the path must then read back what was
/// asked; otherwise the edit is refused and the document is unchanged.
#[derive(Clone)]
pub struct NixDocument {
    /// The name, text and syntax tree, changed only by the edits below.
    tree: Tree,
    /// For a partial `tree`, the whole tree of its text once a question needed it, so that
    /// it is parsed once however many questions need it; emptied when the text changes.
    whole: OnceCell<Tree>,
}

/// Shows the document's name, text and syntax tree; the tree type that keeps them is
/// private.
impl fmt::Debug for NixDocument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NixDocument")
            .field("file", &self.tree.file())
            .field("text", &self.tree.text())
            .field("root", self.tree.root())
            .finish()
    }
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

/// An edit, for [`NixDocument::edit`]: the operations of [`NixDocument::set`],
/// [`delete`](NixDocument::delete), [`add`](NixDocument::add),
/// [`add_when`](NixDocument::add_when) and [`remove`](NixDocument::remove) as data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edit<'a> {
    /// Bind `path` to `expr`.
    Set {
        /// Where.
        path: &'a AttrPath,
        /// The Nix expression.
        expr: &'a str,
    },
    /// Remove what is bound at `path`.
    Delete {
        /// Where.
        path: &'a AttrPath,
    },
    /// Make sure `expr` is an element of the list at `path`.
    Add {
        /// Where.
        path: &'a AttrPath,
        /// The element.
        expr: &'a str,
    },
    /// Make sure `expr` is an element of the list at `path` given to `call`.
    AddWhen {
        /// Where.
        path: &'a AttrPath,
        /// The call the list is given to, like `lib.optionals stdenv.isLinux`.
        call: &'a str,
        /// The element.
        expr: &'a str,
    },
    /// Remove `expr` from the list at `path`.
    Remove {
        /// Where.
        path: &'a AttrPath,
        /// The element.
        expr: &'a str,
    },
}

/// What an edit did: whether it changed the document, what it changed, the wrappers its
/// path went through to get there, and what it could not check ([`NixDocument::edit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditReport {
    /// Whether the document changed; `false` when it already was as asked.
    pub changed: bool,
    /// The wrappers the path went through to where the edit landed (or would have, for an
    /// edit that changed nothing), outermost first, their spans in the text before the
    /// edit: a `delete` through `//` lists those of every operand it removed a binding from.
    pub wrappers: Vec<Wrapper>,
    /// Each run of text the edit replaced, in document order; empty when nothing changed.
    pub changes: Vec<Change>,
    /// What the edit could not check, for the caller to tell its user: a value the editor
    /// cannot see inside that the edit may have overridden more of than the path.
    pub notes: Vec<Note>,
}

/// A run of text an edit replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Its byte range in the text before the edit (empty for an insertion).
    pub before: Range<usize>,
    /// The byte range of what replaced it in the text after the edit (empty for a removal).
    pub after: Range<usize>,
}

impl EditReport {
    /// The byte range of the text after the edit that the edit wrote, when it made one
    /// change: empty, at its place, for a removal. `None` when nothing changed, and when
    /// the edit made several changes apart (a `delete` of a name bound in several places):
    /// one range around them would take in text the edit did not touch, so
    /// [`changes`](Self::changes) says where each is.
    pub fn span(&self) -> Option<Range<usize>> {
        match self.changes.as_slice() {
            [one] => Some(one.after.clone()),
            _ => None,
        }
    }
}

/// Where a path leads in a document ([`NixDocument::locate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The wrappers the path goes through, outermost first.
    pub wrappers: Vec<Wrapper>,
    /// What is bound there.
    pub bound: Bound,
    /// When nothing the editor sees is bound there: a value on the way it cannot see
    /// inside that may bind the path all the same — an operand of `//` on the left of the
    /// set the path would go into (`x // { … }`).
    pub maybe_bound_by: Option<Note>,
}

/// What a path is bound to, as a [`Location`] says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// One binding: the byte range of its value.
    Value(Range<usize>),
    /// An `inherit`: the byte range of the `inherit` entry.
    Inherited(Range<usize>),
    /// Several bindings make it up (`a.b = 1; a.c = 2;` for `a`): the byte range of each.
    Spread(Vec<Range<usize>>),
    /// Nothing; `set` would insert a new binding into the attribute set literal whose byte
    /// range this is.
    Unbound {
        /// The set's byte range.
        set: Range<usize>,
    },
}

/// What a binding's value is, as far as editing inside it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A value paths go into, as `get` and `set` do: an attribute set literal, or sets
    /// behind the wrappers of [Through wrappers](crate#through-wrappers) (a function,
    /// `let`, `with`, a call whose last argument is a set, `//`, `mkMerge`).
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
        let tree = Tree::parse(file.into(), text.into())?;
        Ok(NixDocument {
            tree,
            whole: OnceCell::new(),
        })
    }

    /// Parse `text` for reading and editing `path`: the same document as
    /// [`parse`](Self::parse) gives, with the same answers and edits and the same errors,
    /// made faster for a large file by parsing into a tree only the top-level bindings a
    /// path starting with `path`'s first name can reach — and when that name is bound by
    /// one binding to a set literal (`top = { … };`), only that set's bindings the path's
    /// next name can reach, and so on down the path.
    ///
    /// The whole text is still checked against Nix's grammar (rnix's tokenizer and a
    /// recognizer of rnix's grammar that builds no tree), so a document with a syntax
    /// error anywhere is refused as by `parse`; the rest is kept as text. Anything the fast
    /// check does not follow with certainty is parsed whole, as by `parse`. A method asked
    /// about a path that does not start as the parsed part does (another first name, or
    /// `top` alone where `top.x` was asked for), or about the whole document
    /// ([`value`](Self::value), [`references`](Self::references),
    /// [`bindings`](Self::bindings)), parses the whole text first: the answers never
    /// differ, only the time. So does any method after an edit that added or removed a
    /// binding in a set the parse left bindings out of.
    pub fn parse_for(
        file: impl Into<String>,
        text: impl Into<String>,
        path: &AttrPath,
    ) -> Result<Self> {
        let tree = match Tree::partial(file.into(), text.into(), path) {
            // the scan's idea of the sets on the path must be the ones paths are looked up in
            Ok((tree, sets)) if Self::on_the_path(&tree, path, &sets) => tree,
            Ok((tree, _)) => {
                let (file, text) = tree.into_source();
                Tree::parse(file, text)?
            }
            Err((file, text)) => Tree::parse(file, text)?,
        };
        #[cfg(debug_assertions)]
        if tree.is_partial() {
            if let Err(e) = Tree::parse(tree.file().to_string(), tree.text().to_string()) {
                panic!("the fast check accepted a document rnix refuses: {e}");
            }
        }
        Ok(NixDocument {
            tree,
            whole: OnceCell::new(),
        })
    }

    /// Whether paths starting as `path` does lead through the sets whose spans are `sets`
    /// in `tree`: the first is the one top-level set, and each other is the value that the
    /// names before it lead to.
    fn on_the_path(tree: &Tree, path: &AttrPath, sets: &[Range<usize>]) -> bool {
        let top =
            top_sets(tree).is_ok_and(|top| top.len() == 1 && range(top[0].syntax()) == sets[0]);
        top && (1..sets.len()).all(|depth| {
            let names = AttrPath(path.segments()[..depth].to_vec());
            // a value with the set's span is the set literal itself, under no wrapper
            lookup(tree, &names).is_ok_and(|located| {
                matches!(&located.found, Lookup::Found(av)
                    if av.value().is_some_and(|v| range(v.syntax()) == sets[depth]))
            })
        })
    }

    /// Whether only part of the document is parsed into a tree, as
    /// [`parse_for`](Self::parse_for) does when that saves time (for tests and
    /// benchmarks: the answers are the same either way).
    pub fn is_partial(&self) -> bool {
        self.tree.is_partial()
    }

    /// The tree to answer a question about `path` from: the document's own when it covers
    /// the path, otherwise the whole tree of its text. In debug builds, an answer from a
    /// partial tree is checked against the whole tree's.
    fn answer<T: PartialEq + fmt::Debug>(&self, path: &AttrPath, f: impl Fn(&Tree) -> T) -> T {
        if !self.tree.covers(path) {
            return f(self.whole());
        }
        let answer = f(&self.tree);
        #[cfg(debug_assertions)]
        if self.tree.is_partial() {
            assert_eq!(
                answer,
                f(self.whole()),
                "a partial tree answered {path} otherwise"
            );
        }
        answer
    }

    /// The whole tree, for questions about the whole document: the document's own when it
    /// is whole, otherwise the whole tree of its text, parsed the first time it is asked for.
    fn whole(&self) -> &Tree {
        if self.tree.is_partial() {
            self.whole.get_or_init(|| self.tree.whole())
        } else {
            &self.tree
        }
    }

    /// The document's text, with every edit so far.
    pub fn text(&self) -> &str {
        self.tree.text()
    }

    /// The document's whole expression, to read what it says without evaluating it (see
    /// [`Value::shape`]). A view of the document as it is now: later edits do not show in it.
    pub fn value(&self) -> Value {
        Value::of(document_expr(self.whole()))
    }

    /// Where a `let` around the document's value binds `name` (`let tools = …; in { … }`),
    /// as a span: a name the paths of the value do not reach, which tools can point at.
    pub fn let_binding(&self, name: &str) -> Option<Range<usize>> {
        // the wrappers around the top-level set are in a partial tree too
        let find = |tree: &Tree| {
            let root = ast::Root::cast(tree.root().clone())?;
            crate::read::outer_let_binding(root.expr()?, name)
        };
        let found = find(&self.tree);
        #[cfg(debug_assertions)]
        if self.tree.is_partial() {
            assert_eq!(found, find(self.whole()), "a partial tree's let bindings");
        }
        found
    }

    /// From now on, let paths also go into the last argument of a call of one of the
    /// functions named in `calls` (by their last name: `eachDefaultSystem`, `genAttrs`,
    /// `mkFlake`), whatever that argument is — a function whose body is a set, mostly. A
    /// flake's `outputs.devShells.default` then reaches inside
    /// `outputs = { … }: { devShells = forEachSystem (system: { default = …; }); }` and
    /// inside `flake-utils.lib.eachDefaultSystem (system: { devShells.default = …; })`; and in
    /// a `//` chain, a new name goes into the rightmost operand that is such a call (the
    /// per-system body) before any other set. Which functions map their argument into their
    /// result is the caller's knowledge; calls whose last argument is a set are gone through
    /// without it.
    pub fn look_through<S: Into<String>>(&mut self, calls: impl IntoIterator<Item = S>) {
        let names: Vec<String> = calls.into_iter().map(Into::into).collect();
        if let Some(whole) = self.whole.get_mut() {
            whole.set_through(names.clone());
        }
        self.tree.set_through(names);
    }

    /// Every name the document reads, with the attribute names selected from it and what
    /// binds it, in source order (see [`Reference`]).
    pub fn references(&self) -> Vec<Reference> {
        crate::read::references(self.whole().root())
    }

    /// The source text of the value bound at `path`, or `None` when nothing is. A name bound
    /// by `inherit (x) a;` reads as `x.a`.
    pub fn get(&self, path: &AttrPath) -> Result<Option<String>> {
        self.answer(path, |tree| value_text(tree, path))
    }

    /// Where `path` leads: what is bound there, and the wrappers the path goes through on
    /// the way (a module's function, `lib.mkIf cond { … }`, an operand of `//`, …).
    pub fn locate(&self, path: &AttrPath) -> Result<Location> {
        self.answer(path, |tree| Self::locate_in(tree, path))
    }

    fn locate_in(tree: &Tree, path: &AttrPath) -> Result<Location> {
        let located = lookup(tree, path)?;
        let bound = match &located.found {
            Lookup::Found(av) => Bound::Value(range(
                av.value().expect("a parsed binding has a value").syntax(),
            )),
            Lookup::Inherited(inh) => Bound::Inherited(range(inh.syntax())),
            Lookup::Spread(bindings) => {
                Bound::Spread(bindings.iter().map(|b| range(b.syntax())).collect())
            }
            Lookup::Missing { set, .. } => Bound::Unbound {
                set: range(set.syntax()),
            },
            // a lookup for reading does not give one; were it to, the chain takes the name
            Lookup::Append { chain, .. } => Bound::Unbound {
                set: range(chain.syntax()),
            },
        };
        let maybe_bound_by = located.unseen.map(|u| Note {
            message: format!(
                "{}, which the editor cannot see inside, may bind `{path}`",
                u.found
            ),
            span: u.span,
        });
        Ok(Location {
            wrappers: located.wrappers,
            bound,
            maybe_bound_by,
        })
    }

    /// Run `edit`, and report what it did: whether the document changed, the text it
    /// replaced, and the wrappers its path went through. On error the document is
    /// unchanged.
    pub fn edit(&mut self, edit: Edit<'_>) -> Result<EditReport> {
        let path = match edit {
            Edit::Set { path, .. }
            | Edit::Delete { path }
            | Edit::Add { path, .. }
            | Edit::AddWhen { path, .. }
            | Edit::Remove { path, .. } => path,
        };
        let (changed, log) = self.atomically(path, |t, log| match edit {
            Edit::Set { path, expr } => edit::set(t, path, expr, log),
            Edit::Delete { path } => edit::delete(t, path, log),
            Edit::Add { path, expr } => edit::add(t, path, expr, log),
            Edit::AddWhen { path, call, expr } => edit::add_when(t, path, call, expr, log),
            Edit::Remove { path, expr } => edit::remove(t, path, expr, log),
        });
        let changed = changed?;
        let mut splices = log.splices;
        splices.sort_by_key(|(r, _)| r.start);
        let mut shift: isize = 0;
        let changes = splices
            .into_iter()
            .map(|(before, len)| {
                let start = (before.start as isize + shift) as usize;
                shift += len as isize - before.len() as isize;
                Change {
                    after: start..start + len,
                    before,
                }
            })
            .collect();
        Ok(EditReport {
            changed,
            wrappers: log.wrappers,
            changes,
            notes: log.notes,
        })
    }

    /// Bind `path` to `expr`: replace the value if bound, otherwise insert a binding in the
    /// innermost attribute set on the path, after the sibling sharing most of the path, in
    /// that set's layout. Returns whether the document changed; on error it is unchanged.
    pub fn set(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        Ok(self.edit(Edit::Set { path, expr })?.changed)
    }

    /// Remove the binding at `path` — every binding at or under it when it is made of
    /// several, and in a `//` chain those in the operands on its left that would take over
    /// once it is gone — with its own comment lines. Returns whether anything was removed;
    /// refused when a value the editor cannot see inside might still bind the path.
    pub fn delete(&mut self, path: &AttrPath) -> Result<bool> {
        Ok(self.edit(Edit::Delete { path })?.changed)
    }

    /// Make sure `expr` is an element of the list at `path`, creating the list when the path
    /// is unbound. Elements compare by syntax: `pkgs.tmux` equals `pkgs . tmux`, and inside
    /// `with pkgs; [ … ]` also `tmux`. Returns whether the document changed.
    pub fn add(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        Ok(self.edit(Edit::Add { path, expr })?.changed)
    }

    /// Make sure `expr` is an element of the list at `path` that is given to `call`, like
    /// `pkgs.lib.optionals pkgs.stdenv.isLinux [ … ]`: into that list when the chain has one,
    /// otherwise as a new `++ call [ expr ]` at the end of the chain. An element already
    /// anywhere in the chain counts as present. Returns whether the document changed.
    pub fn add_when(&mut self, path: &AttrPath, call: &str, expr: &str) -> Result<bool> {
        Ok(self.edit(Edit::AddWhen { path, call, expr })?.changed)
    }

    /// Remove `expr` from the list at `path` (from whichever literal of its `++` chain holds
    /// it), comparing elements as [`add`](Self::add) does. Returns whether an element was
    /// removed.
    pub fn remove(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        Ok(self.edit(Edit::Remove { path, expr })?.changed)
    }

    /// Make `name` a parameter of the function bound at `path`: `outputs = { self, nixpkgs }:`
    /// becomes `outputs = { self, nixpkgs, devenv }:`. Nothing changes when the pattern
    /// has it or takes any (`...`), or when the function takes its argument whole
    /// (`inputs: …`). Returns whether the document changed.
    pub fn add_parameter(&mut self, path: &AttrPath, name: &str) -> Result<bool> {
        self.atomically(path, |t, _| edit::add_parameter(t, path, name))
            .0
    }

    /// Whether `name` is bound — by a function's parameter, a `let` or a `rec` set, not
    /// by a `with` — where the value at `path` is, or would go when nothing is bound there.
    pub fn binds(&self, path: &AttrPath, name: &str) -> Result<bool> {
        self.answer(path, |tree| {
            let node = match lookup_for_write(tree, path)?.found {
                Lookup::Found(av) => av.syntax().clone(),
                Lookup::Inherited(inh) => inh.syntax().clone(),
                Lookup::Missing { set, .. } => set.syntax().clone(),
                Lookup::Append { chain, .. } => chain.syntax().clone(),
                Lookup::Spread(bindings) => bindings[0].syntax().clone(),
            };
            Ok(matches!(
                crate::read::binding_of(name, &node),
                crate::read::BoundBy::Let(_) | crate::read::BoundBy::Argument
            ))
        })
    }

    /// Run `edit`, an edit at `path`, on the tree; on error, put the tree back as it was.
    /// A partial tree that does not cover `path` (another first name, or a set it leaves
    /// entries out of edited already) is made whole first; in debug builds, an edit of a partial tree is
    /// checked against the same edit of the whole tree. Gives the result with the edit's
    /// log.
    fn atomically(
        &mut self,
        path: &AttrPath,
        edit: impl Fn(&mut Tree, &mut Log) -> Result<bool>,
    ) -> (Result<bool>, Log) {
        if !self.tree.covers(path) {
            self.tree = match self.whole.take() {
                Some(whole) => whole,
                None => self.tree.whole(),
            };
        }
        #[cfg(debug_assertions)]
        let reference = self.tree.is_partial().then(|| {
            let mut whole = self.whole().clone();
            let result = edit(&mut whole, &mut Log::default());
            (result, whole.text().to_string())
        });
        let saved = self.tree.clone();
        let mut log = Log::default();
        let result = edit(&mut self.tree, &mut log);
        if result.is_err() {
            self.tree = saved;
        } else if self.tree.text() != saved.text() {
            self.whole = OnceCell::new();
        }
        #[cfg(debug_assertions)]
        if let Some((expected, text)) = reference {
            assert_eq!(result, expected, "a partial tree edited {path} otherwise");
            if result.is_ok() {
                assert_eq!(
                    self.tree.text(),
                    text,
                    "a partial tree edited {path} otherwise"
                );
            }
        }
        (result, log)
    }

    /// Every attribute path bound in the document's top-level set with a static name,
    /// nested sets included, in source order — the sets values hold seen through the same
    /// wrappers as `get` and `set` go through ([`ValueKind::Set`]). A value made of several
    /// sets (`{ … } // { … }`, `lib.mkMerge [ … ]`), at the top or below, gives the bindings
    /// of each.
    pub fn bindings(&self) -> Result<Vec<Binding>> {
        let mut out = Vec::new();
        let tree = self.whole();
        for set in top_sets(tree)? {
            walk_bindings(tree, &set, &[], &mut out);
        }
        Ok(out)
    }

    /// The elements of the list at `path` — every literal of its `++` chain, conditional
    /// ones included — as source text, with the call a conditional list is given to.
    pub fn list_elements(&self, path: &AttrPath) -> Result<Vec<ListElement>> {
        self.answer(path, |tree| {
            Ok(bound_list_literals(tree, path)?
                .iter()
                .flat_map(|l| {
                    l.node.items().map(move |item| ListElement {
                        call: l.call.clone(),
                        text: tree.node_text(item.syntax()),
                    })
                })
                .collect())
        })
    }

    /// Whether `expr` is an element of the list at `path`, compared as `add` compares: by
    /// syntax, and inside `with pkgs; [ … ]` `tmux` is `pkgs.tmux`.
    pub fn contains_element(&self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        self.answer(path, |tree| {
            Ok(bound_list_literals(tree, path)?
                .iter()
                .any(|l| l.position(tree.text(), &expr).is_some()))
        })
    }

    /// Where the value bound at `path` starts, as 1-based line and column (in characters);
    /// `None` when `path` is not bound by one binding of its own.
    pub fn value_position(&self, path: &AttrPath) -> Option<(usize, usize)> {
        self.answer(path, |tree| match lookup(tree, path).ok()?.found {
            Lookup::Found(av) => Some(line_col(tree.text(), start(av.value()?.syntax()))),
            _ => None,
        })
    }
}

/// Push the bindings of `set`, whose path is `prefix`, onto `out`, and those of the
/// attribute sets bound in it.
fn walk_bindings(tree: &Tree, set: &ast::AttrSet, prefix: &[String], out: &mut Vec<Binding>) {
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
        let mut inner = Vec::new();
        crate::reach::sets_of(tree, &value, crate::reach::Through::Path, &mut inner);
        let mut lists = Vec::new();
        collect_lists(value.clone(), None, &mut lists);
        let kind = if !inner.is_empty() {
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
        for inner in &inner {
            walk_bindings(tree, inner, &full, out);
        }
    }
}
