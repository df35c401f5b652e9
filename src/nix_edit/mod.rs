//! nix_edit: format-preserving edits of Nix files, addressed by attribute path.
//!
//! In the spirit of toml_edit's `DocumentMut`: parse a document, read and change the values
//! bound at attribute paths, print it. Every byte outside an edit is kept — comments, blank
//! lines, ordering, odd indentation. rowan 0.17 has no mutable tree, so each edit is a text
//! splice computed from the syntax tree; the result is re-parsed and refused if it has a
//! syntax error or if the path does not then hold what was asked for.
//!
//! A path is looked up in the file's top-level attribute set, found through the usual
//! wrappers (a module's `{ pkgs, ... }:`, `let … in`, `with …;`, parentheses), and may be
//! written nested (`a = { b = 1; };`), dotted (`a.b = 1;`) or mixed. Anything devgen cannot
//! edit without guessing — a path through a function call or a variable, an `inherit` that
//! would need rewriting — is an error naming the place, never a guess.

mod path;

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
pub use path::AttrPath;

/// A parsed Nix document.
#[derive(Debug, Clone)]
pub struct NixDocument {
    file: String,
    text: String,
    root: SyntaxNode,
}

/// Where `add` puts an element.
enum AddTarget {
    /// Nothing is bound at the path: the list is created.
    Unbound,
    /// The element is in the list already.
    Present,
    /// The list literals of the value bound at the path, and that value.
    Lists(Vec<ListLiteral>, SyntaxNode),
}

/// Where a path leads in a document.
enum Lookup {
    /// A binding whose attribute path ends exactly at the path.
    Found(ast::AttrpathValue),
    /// The path's last name is bound by an `inherit`.
    Inherited(ast::Inherit),
    /// Nothing is bound at the path; `set` would insert `path[consumed..]` into `set`,
    /// after `anchor` (the entry sharing most of the path), or after the last entry.
    Missing {
        set: ast::AttrSet,
        consumed: usize,
        anchor: Option<SyntaxNode>,
    },
    /// The path's value is made of several bindings: dotted ones below it (`a.b.c = 1;`
    /// for `a.b`), possibly beside one of the path itself (`a.b = { … }; a.b.d = 2;`).
    Spread(Vec<ast::AttrpathValue>),
}

impl NixDocument {
    /// Parse `text`; `file` names it in error messages. A document with syntax errors is
    /// refused: devgen edits only what Nix itself would accept.
    pub fn parse(file: impl Into<String>, text: impl Into<String>) -> Result<Self> {
        let file = file.into();
        let text = text.into();
        let root = parse_checked(&file, &text)?;
        Ok(NixDocument { file, text, root })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The source text of the value bound at `path`, or `None` when nothing is.
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
    /// innermost attribute set on the path. Returns whether the document changed.
    fn set_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        let splice = match self.lookup(path)? {
            Lookup::Found(av) => {
                let value = av.value().expect("a parsed binding has a value");
                if same_tokens(&self.node_text(value.syntax()), &expr) {
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
                    range(inh.syntax()),
                    format!(
                    "`{path}` is bound by `inherit` here; devgen does not rewrite inherit bindings"
                ),
                    format!(
                    "replace the inherit of `{}` by hand with `{} = …;`, then run the edit again",
                    path.segments().last().unwrap(),
                    path.segments().last().unwrap()
                ),
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
            Some(v) if same_tokens(&v, &expr) => Ok(true),
            other => Err(Error::Usage(format!(
                "internal error: after setting `{path}` in {} it reads {other:?}; nothing was written. Please report this with the file",
                self.file
            ))),
        }
    }

    /// Remove the binding at `path` (every binding under it, when it is spread over dotted
    /// bindings), with its own comment lines. Returns whether anything was removed.
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
                        range(inh.syntax()),
                        format!("`{path}` is one of several names this `inherit` binds; devgen does not rewrite inherit bindings"),
                        "remove the name from the inherit by hand".to_string(),
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
            return Err(Error::Usage(format!(
                "internal error: `{path}` is still bound in {} after deleting it",
                self.file
            )));
        }
        Ok(true)
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
    /// is unbound. Returns whether the document changed.
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

    /// Remove `expr` from the list at `path`. Returns whether an element was removed.
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

    /// In a `rec` set, refuse to delete the last binding of a name the set still refers to:
    /// the result would not even parse as far as Nix is concerned (undefined variable).
    /// Shadowing is not tracked, so this errs on the side of refusing.
    fn check_unused_in_rec(&self, doomed: &[ast::AttrpathValue]) -> Result<()> {
        for av in doomed {
            let Some(set) = av.syntax().parent().and_then(ast::AttrSet::cast) else {
                continue;
            };
            if set.rec_token().is_none() {
                continue;
            }
            let first_name = |b: &ast::AttrpathValue| {
                b.attrpath()
                    .and_then(|p| p.attrs().next())
                    .and_then(|a| attr_name(&a))
            };
            let Some(name) = first_name(av) else { continue };
            let still_bound = set.attrpath_values().any(|b| {
                !doomed
                    .iter()
                    .any(|d| range(d.syntax()) == range(b.syntax()))
                    && first_name(&b).as_deref() == Some(name.as_str())
            });
            if still_bound {
                continue;
            }
            let doomed_ranges: Vec<Range<usize>> =
                doomed.iter().map(|d| range(d.syntax())).collect();
            let use_site = set
                .syntax()
                .descendants()
                .filter_map(ast::Ident::cast)
                .find(|ident| {
                    let at = start(ident.syntax());
                    let is_reference = ident.syntax().parent().is_some_and(|p| match p.kind() {
                        SyntaxKind::NODE_ATTRPATH
                        | SyntaxKind::NODE_PAT_ENTRY
                        | SyntaxKind::NODE_PAT_BIND
                        | SyntaxKind::NODE_IDENT_PARAM => false,
                        // `inherit x;` reads `x` from the scope around its set: the rec set's
                        // scope for a nested set, the outer scope for the rec set itself
                        SyntaxKind::NODE_INHERIT => {
                            let inherit = ast::Inherit::cast(p.clone()).expect("kind checked");
                            inherit.from().is_none()
                                && p.parent().is_some_and(|s| range(&s) != range(set.syntax()))
                        }
                        _ => true,
                    });
                    is_reference
                        && ident.syntax().to_string() == name
                        && !doomed_ranges.iter().any(|r| r.contains(&at))
                });
            if let Some(ident) = use_site {
                return Err(self.error(
                    range(ident.syntax()),
                    format!("cannot delete `{name}`: this rec set still uses it here, which would leave it undefined"),
                    "remove or change the uses first, then delete it".into(),
                ));
            }
        }
        Ok(())
    }

    /// Make sure `expr` is an element of the list at `path` (creating the list when the
    /// path is unbound). Elements compare by syntax: `pkgs.tmux` equals `pkgs . tmux`, and
    /// inside `with pkgs; [ … ]` also `tmux`. Returns whether the document changed.
    fn add_when_inner(&mut self, path: &AttrPath, call: &str, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        let call = check_expr(call)?;
        let (lists, value) = match self.add_target(path, &expr)? {
            AddTarget::Unbound => return self.set_inner(path, &format!("{call} [ {expr} ]")),
            AddTarget::Present => return Ok(false),
            AddTarget::Lists(lists, value) => (lists, value),
        };
        let splice = match lists
            .iter()
            .find(|l| l.call.as_deref().is_some_and(|c| same_tokens(c, &call)))
        {
            Some(list) => {
                let element = list.styled(&self.text, &expr);
                self.insert_element(&list.node, &element)
            }
            None => {
                let end = range(&value).end;
                Splice {
                    range: end..end,
                    text: format!(" ++ {call} [ {expr} ]"),
                }
            }
        };
        self.apply(splice)?;
        Ok(true)
    }

    /// Where `add` would put `expr` (already checked) in the list at `path`.
    fn add_target(&self, path: &AttrPath, expr: &str) -> Result<AddTarget> {
        let av = match self.lookup(path)? {
            Lookup::Missing { .. } => return Ok(AddTarget::Unbound),
            Lookup::Found(av) => av,
            Lookup::Inherited(inh) => {
                return Err(self.not_a_list(path, inh.syntax(), "an inherited value"))
            }
            Lookup::Spread(bindings) => return Err(self.spread_error(path, &bindings, "add to")),
        };
        let lists = self.list_literals(path, &av)?;
        if lists.iter().any(|l| l.position(&self.text, expr).is_some()) {
            return Ok(AddTarget::Present);
        }
        let value = av.value().expect("parsed").syntax().clone();
        Ok(AddTarget::Lists(lists, value))
    }

    fn add_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        let (lists, value) = match self.add_target(path, &expr)? {
            AddTarget::Unbound => return self.set_inner(path, &format!("[ {expr} ]")),
            AddTarget::Present => return Ok(false),
            AddTarget::Lists(lists, value) => (lists, value),
        };
        let Some(list) = lists.iter().find(|l| !l.conditional) else {
            return Err(self.not_a_list(path, &value, "a function call's list"));
        };
        let element = list.styled(&self.text, &expr);
        let splice = self.insert_element(&list.node, &element);
        self.apply(splice)?;
        Ok(true)
    }

    /// Remove `expr` from the list at `path`, comparing elements by syntax. Returns whether
    /// an element was removed.
    fn remove_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
        let expr = check_expr(expr)?;
        let lists = match self.lookup(path)? {
            Lookup::Missing { .. } => return Ok(false),
            Lookup::Found(av) => self.list_literals(path, &av)?,
            Lookup::Inherited(inh) => {
                return Err(self.not_a_list(path, inh.syntax(), "an inherited value"))
            }
            Lookup::Spread(bindings) => {
                return Err(self.spread_error(path, &bindings, "remove from"))
            }
        };
        let Some((list, index)) = lists
            .iter()
            .find_map(|l| l.position(&self.text, &expr).map(|i| (l, i)))
        else {
            return Ok(false);
        };
        let item = list.node.items().nth(index).expect("position found it");
        let range = self.removal_range(item.syntax());
        self.apply(Splice {
            range,
            text: String::new(),
        })?;
        Ok(true)
    }

    /// Every attribute path bound in the document's top-level set with a static name,
    /// nested sets included, in source order.
    pub fn bindings(&self) -> Result<Vec<Binding>> {
        fn walk(set: &ast::AttrSet, prefix: &[String], out: &mut Vec<Binding>) {
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
                    walk(&inner, &full, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.top_set()?, &[], &mut out);
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

    /// The list literals of the value at `path`, for reading; none when it is unbound.
    fn bound_list_literals(&self, path: &AttrPath) -> Result<Vec<ListLiteral>> {
        match self.lookup(path)? {
            Lookup::Found(av) => self.list_literals(path, &av),
            Lookup::Missing { .. } => Ok(Vec::new()),
            Lookup::Inherited(inh) => {
                Err(self.not_a_list(path, inh.syntax(), "an inherited value"))
            }
            Lookup::Spread(bindings) => Err(self.spread_error(path, &bindings, "read")),
        }
    }

    /// Where the value bound at `path` starts, as 1-based line and column.
    pub fn value_position(&self, path: &AttrPath) -> Option<(usize, usize)> {
        match self.lookup(path).ok()? {
            Lookup::Found(av) => Some(crate::diagnostic::line_col(
                &self.text,
                start(av.value()?.syntax()),
            )),
            _ => None,
        }
    }

    // ---- lookup ---------------------------------------------------------------------

    fn lookup(&self, path: &AttrPath) -> Result<Lookup> {
        let set = self.top_set()?;
        self.lookup_in(&set, path.segments(), 0)
    }

    /// Whether anything is bound at or under `path`.
    fn get_or_spread(&self, path: &AttrPath) -> Result<bool> {
        Ok(!matches!(self.lookup(path)?, Lookup::Missing { .. }))
    }

    /// The attribute set the file evaluates to, through the usual wrappers.
    fn top_set(&self) -> Result<ast::AttrSet> {
        let root = ast::Root::cast(self.root.clone()).expect("the root node is a Root");
        let mut expr = root.expr().expect("a parsed document has an expression");
        loop {
            expr = match expr {
                ast::Expr::AttrSet(set) => return Ok(set),
                ast::Expr::Lambda(l) => l.body().expect("parsed"),
                ast::Expr::LetIn(l) => l.body().expect("parsed"),
                ast::Expr::With(w) => w.body().expect("parsed"),
                ast::Expr::Paren(p) => p.expr().expect("parsed"),
                ast::Expr::Assert(a) => a.body().expect("parsed"),
                other => {
                    return Err(self.error(
                        range(other.syntax()),
                        format!("the file's value is {}, not an attribute set", describe(&other)),
                        "devgen edits files whose value is an attribute set, like a module `{ pkgs, ... }: { … }` or a flake `{ … }`".into(),
                    ))
                }
            };
        }
    }

    fn lookup_in(&self, set: &ast::AttrSet, path: &[String], consumed: usize) -> Result<Lookup> {
        let rest = &path[consumed..];
        let mut anchor: Option<(usize, SyntaxNode)> = None;
        let mut deeper: Option<Lookup> = None;
        let mut exact = Vec::new();
        let mut spread = Vec::new();
        for entry in set.entries() {
            match entry {
                ast::Entry::Inherit(inh) => {
                    if inh
                        .attrs()
                        .any(|a| attr_name(&a).as_deref() == Some(rest[0].as_str()))
                    {
                        if rest.len() == 1 {
                            return Ok(Lookup::Inherited(inh));
                        }
                        return Err(self.error(
                            range(inh.syntax()),
                            format!(
                                "`{}` is bound by `inherit` here, so devgen cannot see inside it",
                                AttrPath::segments_to_nix(&path[..=consumed])
                            ),
                            "write the value out as an attribute set to edit inside it".into(),
                        ));
                    }
                }
                ast::Entry::AttrpathValue(av) => {
                    let names: Vec<Option<String>> = av
                        .attrpath()
                        .map(|p| p.attrs().map(|a| attr_name(&a)).collect())
                        .unwrap_or_default();
                    let common = names
                        .iter()
                        .zip(rest)
                        .take_while(|(n, r)| n.as_deref() == Some(r.as_str()))
                        .count();
                    if common == 0 {
                        continue;
                    }
                    if anchor.as_ref().is_none_or(|(c, _)| common >= *c) {
                        anchor = Some((common, av.syntax().clone()));
                    }
                    if common == names.len() && common == rest.len() {
                        exact.push(av);
                        continue;
                    }
                    if common == names.len() {
                        let value = av.value().expect("parsed");
                        let Some(inner) = as_attr_set(&value) else {
                            return Err(self.not_a_set(&path[..consumed + common], &value));
                        };
                        match self.lookup_in(&inner, path, consumed + common)? {
                            Lookup::Missing {
                                set,
                                consumed: c,
                                anchor: a,
                            } => {
                                let deepest = match &deeper {
                                    Some(Lookup::Missing { consumed: d, .. }) => c > *d,
                                    _ => true,
                                };
                                if deepest {
                                    deeper = Some(Lookup::Missing {
                                        set,
                                        consumed: c,
                                        anchor: a,
                                    });
                                }
                            }
                            found => return Ok(found),
                        }
                    } else if common == rest.len() {
                        spread.push(av);
                    }
                }
            }
        }
        // Nix merges `a = { … };` with `a.b = …;` in the same set: then `a` is made of
        // several bindings, and only deleting all of them is unambiguous.
        match (exact.len(), spread.len()) {
            (1, 0) => return Ok(Lookup::Found(exact.remove(0))),
            (0, 0) => {}
            _ => {
                exact.extend(spread);
                exact.sort_by_key(|b| start(b.syntax()));
                return Ok(Lookup::Spread(exact));
            }
        }
        if let Some(d) = deeper {
            return Ok(d);
        }
        Ok(Lookup::Missing {
            set: set.clone(),
            consumed,
            anchor: anchor.map(|(_, n)| n),
        })
    }

    /// The list literals a list-valued binding is made of: `[ … ]`, the literals of a
    /// `[ … ] ++ … ++ [ … ]` chain, or the list of `with pkgs; [ … ]`.
    fn list_literals(&self, path: &AttrPath, av: &ast::AttrpathValue) -> Result<Vec<ListLiteral>> {
        let value = av.value().expect("parsed");
        let mut lists = Vec::new();
        collect_lists(value.clone(), None, &mut lists);
        if lists.is_empty() {
            return Err(self.not_a_list(path, value.syntax(), &describe(&value)));
        }
        Ok(lists)
    }

    // ---- splices ----------------------------------------------------------------------

    /// Where and how to insert a new entry `binding` into `set`.
    fn insert_entry(
        &self,
        set: &ast::AttrSet,
        anchor: Option<&SyntaxNode>,
        binding: &str,
    ) -> Splice {
        let open = set.l_curly_token().expect("parsed set");
        let close = set.r_curly_token().expect("parsed set");
        let last = set.entries().last().map(|e| e.syntax().clone());
        let after = anchor.cloned().or(last);
        self.insert_between(
            open.text_range().end().into(),
            close.text_range().start().into(),
            after.as_ref(),
            binding,
        )
    }

    fn insert_element(&self, list: &ast::List, element: &str) -> Splice {
        let open = list.l_brack_token().expect("parsed list");
        let close = list.r_brack_token().expect("parsed list");
        let last = list.items().last().map(|e| e.syntax().clone());
        self.insert_between(
            open.text_range().end().into(),
            close.text_range().start().into(),
            last.as_ref(),
            element,
        )
    }

    /// Insert `item` between the delimiters at `open_end` and `close_start`, after `after`
    /// (or first when `None`), in the container's own layout: one item per line in a
    /// multi-line container, on the same line in a one-line one.
    fn insert_between(
        &self,
        open_end: usize,
        close_start: usize,
        after: Option<&SyntaxNode>,
        item: &str,
    ) -> Splice {
        let multiline = self.text[open_end..close_start].contains('\n');
        let eol = self.eol();
        match (after, multiline) {
            // the closing delimiter on the last item's line (`[{ … }]`): stay on that line
            (Some(node), true)
                if !self.text[self.end_of_item(node, close_start)..close_start].contains('\n') =>
            {
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!(" {item}"),
                }
            }
            (Some(node), true) => {
                let indent = self.line_indent(start(node));
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!("{eol}{indent}{}", reindent(item, &indent, eol)),
                }
            }
            (Some(node), false) => {
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!(" {item}"),
                }
            }
            (None, true) => {
                let indent = format!("{}{}", self.line_indent(open_end), self.indent_unit());
                // right after the opening delimiter's line (and any comment on it)
                let line_end = self.text[open_end..close_start]
                    .find(['\r', '\n'])
                    .map_or(close_start, |i| open_end + i);
                Splice {
                    range: line_end..line_end,
                    text: format!("{eol}{indent}{}", reindent(item, &indent, eol)),
                }
            }
            (None, false) => Splice {
                range: open_end..close_start,
                text: format!(" {item} "),
            },
        }
    }

    /// The end of `node` plus any comment that follows it on the same line, but not past
    /// `limit`.
    fn end_of_item(&self, node: &SyntaxNode, limit: usize) -> usize {
        let mut end = usize::from(node.text_range().end());
        let mut next = node.next_sibling_or_token();
        while let Some(el) = next {
            match el.kind() {
                SyntaxKind::TOKEN_WHITESPACE if !el.to_string().contains('\n') => {}
                SyntaxKind::TOKEN_COMMENT
                    if !el.to_string().contains('\n') || el.to_string().starts_with("/*") =>
                {
                    let e = usize::from(el.text_range().end());
                    if e <= limit
                        && !self.text[end..usize::from(el.text_range().start())].contains('\n')
                    {
                        end = e;
                    }
                    break;
                }
                _ => break,
            }
            next = el.next_sibling_or_token();
        }
        end.min(limit)
    }

    /// The text to cut to remove `node`: its whole line(s) with the comment lines directly
    /// above when it stands alone on its lines, or just it and the space before it.
    fn removal_range(&self, node: &SyntaxNode) -> Range<usize> {
        let start = start(node);
        let end = self.end_of_item(node, self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[end..]
            .find('\n')
            .map_or(self.text.len(), |i| end + i + 1);
        let alone_before = self.text[line_start..start].trim().is_empty();
        let alone_after = self.text[end..line_end].trim().is_empty();
        if alone_before && alone_after && line_start > 0 {
            // take the comment lines attached above (no blank line between)
            let mut from = line_start;
            while from > 0 {
                let prev_start = self.text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
                let prev = self.text[prev_start..from].trim();
                if prev.starts_with('#') {
                    from = prev_start;
                } else {
                    break;
                }
            }
            from..line_end
        } else {
            let ws_start = self.text[..start].trim_end_matches([' ', '\t']).len();
            ws_start..end
        }
    }

    /// Apply one splice. Only the smallest set or list literal around it is parsed again
    /// (a bracketed literal is self-delimiting, so the text around it parses as before), and
    /// its new green node is grafted into the tree: an edit deep in a large file costs the
    /// size of its set, not of the file.
    fn apply(&mut self, splice: Splice) -> Result<()> {
        let node = self.enclosing_literal(&splice.range);
        let mut text = String::with_capacity(self.text.len() + splice.text.len());
        text.push_str(&self.text[..splice.range.start]);
        text.push_str(&splice.text);
        text.push_str(&self.text[splice.range.end..]);
        let Some(node) = node else {
            return self.replace_text(text);
        };
        let node_range = range(&node);
        let new_len = node_range.len() + splice.text.len() - splice.range.len();
        let node_text = &text[node_range.start..node_range.start + new_len];
        let parsed = rnix::Root::parse(node_text);
        let replacement = parsed.syntax().first_child().filter(|c| {
            parsed.errors().is_empty()
                && c.kind() == node.kind()
                && range(c) == (0..node_text.len())
        });
        let Some(replacement) = replacement else {
            // Let the whole-file parse name the error.
            return self.replace_text(text);
        };
        let root = SyntaxNode::new_root(node.replace_with(replacement.green().to_owned()));
        debug_assert_eq!(
            root.green().to_owned(),
            rnix::Root::parse(&text).syntax().green().to_owned(),
            "a grafted tree must equal the tree of a full parse"
        );
        self.text = text;
        self.root = root;
        Ok(())
    }

    /// Apply splices that do not overlap, last first so that earlier offsets hold.
    fn apply_all(&mut self, mut splices: Vec<Splice>) -> Result<()> {
        splices.sort_by_key(|s| std::cmp::Reverse(s.range.start));
        for s in splices {
            self.apply(s)?;
        }
        Ok(())
    }

    /// The smallest set or list literal strictly around `r` (its delimiters untouched).
    fn enclosing_literal(&self, r: &Range<usize>) -> Option<SyntaxNode> {
        let text_range = rowan::TextRange::new((r.start as u32).into(), (r.end as u32).into());
        let element = self.root.covering_element(text_range);
        let mut node = match element {
            rowan::NodeOrToken::Node(n) => Some(n),
            rowan::NodeOrToken::Token(t) => t.parent(),
        };
        while let Some(n) = node {
            let nr = range(&n);
            if matches!(n.kind(), SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LIST)
                && nr.start < r.start
                && r.end < nr.end
            {
                return Some(n);
            }
            node = n.parent();
        }
        None
    }

    /// Adopt `text` as the document, if it parses.
    fn replace_text(&mut self, text: String) -> Result<()> {
        let root = parse_checked(&self.file, &text).map_err(|e| {
            Error::Usage(format!(
                "internal error: the edit would leave {} unparsable, so nothing was written:\n{e}",
                self.file
            ))
        })?;
        self.text = text;
        self.root = root;
        Ok(())
    }

    // ---- layout helpers ---------------------------------------------------------------

    fn node_text(&self, node: &SyntaxNode) -> String {
        self.text[range(node)].to_string()
    }

    fn eol(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The whitespace that starts the line containing `offset`.
    fn line_indent(&self, offset: usize) -> String {
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// One level of indentation as this file writes it.
    fn indent_unit(&self) -> String {
        let mut best: Option<String> = None;
        for line in self.text.lines() {
            let ws: String = line
                .chars()
                .take_while(|c| *c == ' ' || *c == '\t')
                .collect();
            if ws.is_empty() || ws.len() == line.len() {
                continue;
            }
            if ws.starts_with('\t') {
                return "\t".into();
            }
            if best.as_ref().is_none_or(|b| ws.len() < b.len()) {
                best = Some(ws);
            }
        }
        best.unwrap_or_else(|| "  ".into())
    }

    // ---- errors -----------------------------------------------------------------------

    fn error(&self, span: Range<usize>, message: String, help: String) -> Error {
        Diagnostic::new(self.file.clone(), self.text.clone(), span, message)
            .with_help(help)
            .into_error()
    }

    fn not_a_set(&self, prefix: &[String], value: &ast::Expr) -> Error {
        self.error(
            range(value.syntax()),
            format!("`{}` is bound to {} here, not an attribute set", AttrPath::segments_to_nix(prefix), describe(value)),
            "devgen edits inside attribute set literals only; change this value by hand, or edit a path that does not run through it".into(),
        )
    }

    fn not_a_list(&self, path: &AttrPath, node: &SyntaxNode, what: &str) -> Error {
        self.error(
            range(node),
            format!("`{path}` is {what}, not a list"),
            "add and remove work on list literals: `[ … ]`, `[ … ] ++ …`, or `with pkgs; [ … ]`"
                .into(),
        )
    }

    fn spread_error(&self, path: &AttrPath, bindings: &[ast::AttrpathValue], verb: &str) -> Error {
        let first = &bindings[0];
        let shown = first
            .attrpath()
            .map(|p| self.node_text(p.syntax()))
            .unwrap_or_default();
        self.error(
            range(first.syntax()),
            format!("cannot {verb} `{path}`: it is made of several bindings, such as `{shown}`"),
            format!("use a longer path, like `{shown}`, or delete `{path}` first"),
        )
    }
}

/// A binding found by [`NixDocument::bindings`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    pub path: AttrPath,
    /// Byte range of the value's source.
    pub value: Range<usize>,
    pub kind: ValueKind,
}

/// An element of a list, and the call its list is given to (for `cond [ … ]` lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    pub call: Option<String>,
    pub text: String,
}

/// What a binding's value is, as far as editing inside it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// An attribute set literal (possibly under parentheses, `with` or `let`).
    Set,
    /// A list literal, or a `++` chain or `with` holding one.
    List,
    Other,
}

/// A text replacement.
struct Splice {
    range: Range<usize>,
    text: String,
}

/// A list literal, and the namespace of the `with` around it, if any.
struct ListLiteral {
    node: ast::List,
    with_namespace: Option<String>,
    /// The last argument of a call in the chain, like `lib.optionals cond [ … ]`: its
    /// elements count as present and can be removed; `add` leaves it alone, `add_when`
    /// with the same call puts elements into it.
    conditional: bool,
    /// For a conditional list, the call before it: `lib.optionals cond`.
    call: Option<String>,
}

impl ListLiteral {
    /// The index of the element equal to `expr` by syntax.
    fn position(&self, text: &str, expr: &str) -> Option<usize> {
        let want = self.canonical(expr);
        self.node
            .items()
            .position(|item| self.canonical(&text[range(item.syntax())]) == want)
    }

    /// Tokens without trivia, and without the `with` namespace prefix.
    fn canonical(&self, source: &str) -> Vec<(SyntaxKind, String)> {
        let tokens = significant_tokens(source);
        if let Some(ns) = &self.with_namespace {
            let ns_tokens = significant_tokens(ns);
            let n = ns_tokens.len();
            if tokens.len() > n + 1
                && tokens[..n] == ns_tokens[..]
                && tokens[n].0 == SyntaxKind::TOKEN_DOT
            {
                return tokens[n + 1..].to_vec();
            }
        }
        tokens
    }

    /// `expr` as this list writes elements: without the `with` namespace when no element
    /// spells it out.
    fn styled(&self, text: &str, expr: &str) -> String {
        if let Some(ns) = &self.with_namespace {
            let prefix = format!("{ns}.");
            let spelled = self
                .node
                .items()
                .any(|i| text[range(i.syntax())].starts_with(&prefix));
            if let Some(rest) = expr.strip_prefix(&prefix) {
                if !spelled && rest.split('.').all(crate::spec::rules::is_nix_ident) {
                    return rest.to_string();
                }
            }
        }
        expr.to_string()
    }
}

fn collect_lists(expr: ast::Expr, ns: Option<String>, out: &mut Vec<ListLiteral>) {
    match expr {
        ast::Expr::List(node) => out.push(ListLiteral {
            node,
            with_namespace: ns,
            conditional: false,
            call: None,
        }),
        ast::Expr::Apply(a) => {
            if let Some(ast::Expr::List(node)) = a.argument() {
                let call = a.lambda().map(|l| l.syntax().to_string());
                out.push(ListLiteral {
                    node,
                    with_namespace: ns,
                    conditional: true,
                    call,
                });
            }
        }
        ast::Expr::Paren(p) => {
            if let Some(e) = p.expr() {
                collect_lists(e, ns, out)
            }
        }
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Concat) => {
            if let Some(l) = b.lhs() {
                collect_lists(l, ns.clone(), out);
            }
            if let Some(r) = b.rhs() {
                collect_lists(r, ns, out);
            }
        }
        ast::Expr::With(w) => {
            let namespace = w.namespace().map(|n| n.syntax().to_string());
            if let Some(body) = w.body() {
                collect_lists(body, namespace, out);
            }
        }
        _ => {}
    }
}

/// The attribute set a binding's value is, seen through parentheses, `with` and `let`.
fn as_attr_set(value: &ast::Expr) -> Option<ast::AttrSet> {
    match value {
        ast::Expr::AttrSet(s) => Some(s.clone()),
        ast::Expr::Paren(p) => as_attr_set(&p.expr()?),
        ast::Expr::With(w) => as_attr_set(&w.body()?),
        ast::Expr::LetIn(l) => as_attr_set(&l.body()?),
        _ => None,
    }
}

/// A static attribute name: `a`, `"a.b"`, `${"a"}`; `None` for a computed one.
fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(i) => Some(i.syntax().to_string()),
        ast::Attr::Str(s) => static_string(s),
        ast::Attr::Dynamic(d) => match d.expr()? {
            ast::Expr::Str(s) => static_string(&s),
            _ => None,
        },
    }
}

fn static_string(s: &ast::Str) -> Option<String> {
    let mut out = String::new();
    for part in s.normalized_parts() {
        match part {
            ast::InterpolPart::Literal(l) => out.push_str(&l),
            ast::InterpolPart::Interpolation(_) => return None,
        }
    }
    Some(out)
}

/// What `inherit (x) a;` gives `a`, as source: `x.a`; plain `inherit a;` gives `a`.
fn inherited_value(inh: &ast::Inherit, name: &str) -> String {
    let attr = AttrPath::segments_to_nix(&[name.to_string()]);
    match inh.from().and_then(|f| f.expr()) {
        Some(ast::Expr::Ident(from)) => format!("{}.{attr}", from.syntax()),
        Some(from) => format!("({}).{attr}", from.syntax()),
        None => attr,
    }
}

fn describe(expr: &ast::Expr) -> String {
    match expr {
        ast::Expr::Apply(_) => "a function call".into(),
        ast::Expr::Ident(i) => format!("the variable `{}`", i.syntax()),
        ast::Expr::Select(_) => "an attribute of another value".into(),
        ast::Expr::Lambda(_) => "a function".into(),
        ast::Expr::LetIn(_) | ast::Expr::LegacyLet(_) => "a let expression".into(),
        ast::Expr::With(_) => "a with expression".into(),
        ast::Expr::IfElse(_) => "an if expression".into(),
        ast::Expr::List(_) => "a list".into(),
        ast::Expr::AttrSet(_) => "an attribute set".into(),
        ast::Expr::Str(_) => "a string".into(),
        ast::Expr::Literal(_) => "a literal".into(),
        ast::Expr::BinOp(_) | ast::Expr::UnaryOp(_) => "an operator expression".into(),
        ast::Expr::PathAbs(_)
        | ast::Expr::PathRel(_)
        | ast::Expr::PathHome(_)
        | ast::Expr::PathSearch(_) => "a path".into(),
        ast::Expr::Paren(p) => p
            .expr()
            .map(|e| describe(&e))
            .unwrap_or_else(|| "an expression".into()),
        _ => "an expression".into(),
    }
}

fn range(node: &SyntaxNode) -> Range<usize> {
    let r = node.text_range();
    usize::from(r.start())..usize::from(r.end())
}

fn start(node: &SyntaxNode) -> usize {
    usize::from(node.text_range().start())
}

/// Indent the second and later lines of a multi-line `text` by `indent`, with `eol`. Lines
/// that start inside a string literal keep their text: indenting them would change the
/// string's value (or, in a `''` string, at least its text).
fn reindent(text: &str, indent: &str, eol: &str) -> String {
    // Byte offsets of the newlines that belong to string contents.
    let mut in_string = Vec::new();
    let mut offset = 0;
    for (kind, tok) in rnix::tokenize(text) {
        if kind == SyntaxKind::TOKEN_STRING_CONTENT {
            in_string.extend(tok.match_indices('\n').map(|(i, _)| offset + i));
        }
        offset += tok.len();
    }
    let mut out = String::with_capacity(text.len());
    let mut offset = 0;
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push_str(eol);
            let line_text = line.strip_suffix('\r').unwrap_or(line);
            if !line_text.is_empty() && !in_string.contains(&(offset - 1)) {
                out.push_str(indent);
            }
        }
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        offset += line.len() + 1;
    }
    out
}

/// Parse, and turn the first syntax error into a diagnostic.
fn parse_checked(file: &str, text: &str) -> Result<SyntaxNode> {
    let parsed = rnix::Root::parse(text);
    if let Some(err) = parsed.errors().first() {
        let span = parse_error_range(err).unwrap_or(text.len()..text.len());
        return Err(Diagnostic::new(
            file,
            text,
            span,
            format!("Nix syntax error: {}", parse_error_message(err)),
        )
        .with_help("fix the syntax first; devgen only edits files that Nix can parse")
        .into_error());
    }
    Ok(parsed.syntax())
}

fn parse_error_range(err: &rnix::ParseError) -> Option<Range<usize>> {
    use rnix::ParseError as P;
    let r = match err {
        P::Unexpected(r)
        | P::UnexpectedExtra(r)
        | P::UnexpectedWanted(_, r, _)
        | P::UnexpectedDoubleBind(r)
        | P::DuplicatedArgs(r, _) => *r,
        _ => return None,
    };
    Some(usize::from(r.start())..usize::from(r.end()))
}

fn parse_error_message(err: &rnix::ParseError) -> String {
    use rnix::ParseError as P;
    match err {
        P::Unexpected(_) => "unexpected input".into(),
        P::UnexpectedExtra(_) => "unexpected input after the end of the expression".into(),
        P::UnexpectedWanted(found, _, wanted) => format!(
            "unexpected {}, expected {}",
            kind_name(*found),
            kinds(wanted)
        ),
        P::UnexpectedEOF => "unexpected end of file".into(),
        P::UnexpectedEOFWanted(wanted) => {
            format!("unexpected end of file, expected {}", kinds(wanted))
        }
        other => other.to_string(),
    }
}

fn kinds(k: &[SyntaxKind]) -> String {
    k.iter()
        .map(|k| kind_name(*k))
        .collect::<Vec<_>>()
        .join(" or ")
}

fn kind_name(k: SyntaxKind) -> String {
    use SyntaxKind as K;
    match k {
        K::TOKEN_SEMICOLON => "`;`".into(),
        K::TOKEN_ASSIGN => "`=`".into(),
        K::TOKEN_L_BRACE => "`{`".into(),
        K::TOKEN_R_BRACE => "`}`".into(),
        K::TOKEN_L_BRACK => "`[`".into(),
        K::TOKEN_R_BRACK => "`]`".into(),
        K::TOKEN_L_PAREN => "`(`".into(),
        K::TOKEN_R_PAREN => "`)`".into(),
        K::TOKEN_IDENT => "a name".into(),
        K::TOKEN_STRING_START => "a string".into(),
        K::TOKEN_REC => "`rec`".into(),
        other => format!("{other:?}")
            .trim_start_matches("TOKEN_")
            .to_lowercase()
            .replace('_', " "),
    }
}

/// Check that `expr` is exactly one Nix expression; return it trimmed.
fn check_expr(expr: &str) -> Result<String> {
    let trimmed = expr.trim();
    let parsed = rnix::Root::parse(trimmed);
    if let Some(err) = parsed.errors().first() {
        let span = parse_error_range(err).unwrap_or(trimmed.len()..trimmed.len());
        return Err(Diagnostic::new("EXPR", trimmed, span, format!("the expression does not parse: {}", parse_error_message(err)))
            .with_help("quote it for your shell, e.g. 'pkgs.redis' or '\"a string\"' (Nix strings need double quotes)")
            .into_error());
    }
    Ok(trimmed.to_string())
}

/// The tokens of `source` that carry meaning (no whitespace, no comments).
fn significant_tokens(source: &str) -> Vec<(SyntaxKind, String)> {
    rnix::tokenize(source)
        .filter(|(k, _)| !matches!(k, SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT))
        .map(|(k, t)| (k, t.to_string()))
        .collect()
}

/// Whether two pieces of Nix are the same expression up to layout and comments.
pub fn same_expr(a: &str, b: &str) -> bool {
    same_tokens(a, b)
}

fn same_tokens(a: &str, b: &str) -> bool {
    significant_tokens(a) == significant_tokens(b)
}

#[cfg(test)]
mod tests;
