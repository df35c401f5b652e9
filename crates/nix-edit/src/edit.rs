//! The edits of a [`Tree`] by attribute path — `set`, `delete`, `add`, `add_when` and
//! `remove`, and `add_parameter` — each a lookup, a splice in the document's own layout and, for `set` and
//! `delete`, a read-back. An edit that fails part-way may leave the tree changed: the
//! document above runs each one atomically and puts the tree back.

use std::ops::Range;

use rnix::ast;
use rnix::SyntaxNode;
use rowan::ast::AstNode;

use crate::error::{ErrorKind, Note, Result};
use crate::layout::{
    append_operand, ends_line, eol, insert_element, insert_entry, line_indent, reindent,
    removal_range, Above,
};
use crate::lists::ListLiteral;
use crate::lookup::{
    is_bound, list_literals, lookup, lookup_for_delete, lookup_for_write, not_a_list, spread_error,
    value_text, Located, Lookup,
};
use crate::path::AttrPath;
use crate::reach::Wrapper;
use crate::rec_scope::{check_new_in_rec, check_unused_in_rec};
use crate::syntax::{check_expr, describe, range, same_expr, start, Given};
use crate::tree::{Splice, Tree};

/// What an edit went through and what it changed, for its report.
#[derive(Default)]
pub(crate) struct Log {
    /// The wrappers the edited paths went through, outermost first, each once.
    pub(crate) wrappers: Vec<Wrapper>,
    /// Each splice: the byte range of the text before the edit it replaced, and the length
    /// of what replaced it. The ranges do not overlap.
    pub(crate) splices: Vec<(Range<usize>, usize)>,
    /// What the edit could not check.
    pub(crate) notes: Vec<Note>,
}

impl Log {
    /// Note the wrappers `located` went through.
    fn passed(&mut self, located: &Located) {
        for w in &located.wrappers {
            if !self.wrappers.contains(w) {
                self.wrappers.push(w.clone());
            }
        }
    }

    /// Note the wrappers `located` and what it shadows went through: a `delete` removes
    /// both.
    fn passed_all(&mut self, located: &Located) {
        self.passed(located);
        for s in &located.shadowed {
            self.passed_all(s);
        }
    }

    /// Note something the edit could not check.
    fn note(&mut self, note: Note) {
        self.notes.push(note);
    }

    /// Apply `splice` to `tree`, noting it.
    fn apply(&mut self, tree: &mut Tree, splice: Splice) -> Result<()> {
        self.splices.push((splice.range.clone(), splice.text.len()));
        tree.apply(splice)
    }

    /// Apply splices that do not overlap, noting them.
    fn apply_all(&mut self, tree: &mut Tree, splices: Vec<Splice>) -> Result<()> {
        self.splices
            .extend(splices.iter().map(|s| (s.range.clone(), s.text.len())));
        tree.apply_all(splices)
    }
}

/// Bind `path` to `expr`: replace the value if bound, otherwise insert a binding in the
/// innermost attribute set on the path; then check that it reads back.
pub(crate) fn set(tree: &mut Tree, path: &AttrPath, expr: &str, log: &mut Log) -> Result<bool> {
    set_given(tree, path, &Given::parse(expr)?, log)
}

/// [`set`] of an expression already checked. A `#` comment that ends it goes after the
/// binding's `;`.
fn set_given(tree: &mut Tree, path: &AttrPath, given: &Given, log: &mut Log) -> Result<bool> {
    let expr = &given.code;
    let located = lookup_for_write(tree, path)?;
    log.passed(&located);
    let splice = match located.found {
        Lookup::Found(av) => {
            let value = av.value().expect("a parsed binding has a value");
            if same_expr(&tree.node_text(value.syntax()), expr) {
                return Ok(false);
            }
            let indent = line_indent(tree.text(), start(av.syntax()));
            let splice = Splice {
                range: range(value.syntax()),
                text: reindent(expr, &indent, eol(tree.text())),
            };
            commented_binding(tree, &av, splice, given)?
        }
        Lookup::Inherited(inh) => {
            return Err(tree.error(
                ErrorKind::InheritRewrite { path: path.clone() },
                range(inh.syntax()),
            ))
        }
        Lookup::Spread(bindings) => return Err(spread_error(tree, path, &bindings, "set")),
        Lookup::Missing {
            set,
            consumed,
            anchor,
            ..
        } => {
            check_new_in_rec(tree, &set, &path.segments()[consumed])?;
            let binding = format!(
                "{} = {};",
                AttrPath::segments_to_nix(&path.segments()[consumed..]),
                expr
            );
            let splice = insert_entry(tree.text(), &set, anchor.as_ref(), &binding);
            commented_insertion(tree, splice, given)?
        }
        Lookup::Append {
            chain,
            last,
            consumed,
            unseen,
        } => {
            let rest = &path.segments()[consumed..];
            if rest.len() > 1 {
                log.note(Note {
                    span: unseen.span.clone(),
                    message: format!(
                        "{} may bind `{}` too: the new operand of `//` replaces that value whole, \
                         and with it anything bound under `{}` there",
                        unseen.found,
                        AttrPath(path.segments()[..=consumed].to_vec()),
                        AttrPath(path.segments()[..=consumed].to_vec()),
                    ),
                });
            }
            let binding = format!("{} = {};", AttrPath::segments_to_nix(rest), expr);
            let splice = append_operand(tree.text(), &chain, &last, &binding);
            commented_insertion(tree, splice, given)?
        }
    };
    log.apply(tree, splice)?;
    match value_text(tree, path)? {
        Some(v) if same_expr(&v, expr) => Ok(true),
        found => Err(tree.error(
            ErrorKind::ReadBack {
                path: path.clone(),
                found,
            },
            0..0,
        )),
    }
}

/// `splice`, which inserts a new entry or element, with the comment that ended the
/// expression at the end of its text — when nothing but blanks follows on its line, which
/// the comment would swallow; refused otherwise.
fn commented_insertion(tree: &Tree, mut splice: Splice, given: &Given) -> Result<Splice> {
    let Some(comment) = &given.comment else {
        return Ok(splice);
    };
    if !ends_line(tree.text(), splice.range.end) {
        return Err(given.comment_error());
    }
    splice.text.push(' ');
    splice.text.push_str(comment);
    Ok(splice)
}

/// `splice`, which changes the value of `av`, stretched over the binding's `;` with the
/// comment that ended the expression after it — when nothing but blanks follows the `;` on
/// its line; refused otherwise.
fn commented_binding(
    tree: &Tree,
    av: &ast::AttrpathValue,
    mut splice: Splice,
    given: &Given,
) -> Result<Splice> {
    let Some(comment) = &given.comment else {
        return Ok(splice);
    };
    let semicolon = av
        .syntax()
        .children_with_tokens()
        .filter_map(|e| e.into_token())
        .find(|t| t.kind() == rnix::SyntaxKind::TOKEN_SEMICOLON)
        .map(|t| usize::from(t.text_range().end()));
    let Some(end) = semicolon.filter(|end| ends_line(tree.text(), *end)) else {
        return Err(given.comment_error());
    };
    splice.text.push_str(&tree.text()[splice.range.end..end]);
    splice.text.push(' ');
    splice.text.push_str(comment);
    splice.range.end = end;
    Ok(splice)
}

/// `ranges` sorted, with the ones that touch or overlap joined: cuts of neighbouring
/// bindings may share the blank line between them.
fn coalesce(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| r.start);
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match out.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => out.push(r),
        }
    }
    out
}

/// Remove the binding(s) at `path` with their own comment lines — in a `//` chain, also in
/// the operands on the left that would bind it once the ones on their right no longer do
/// — then check that nothing is bound there.
pub(crate) fn delete(tree: &mut Tree, path: &AttrPath, log: &mut Log) -> Result<bool> {
    let located = lookup_for_delete(tree, path)?;
    log.passed_all(&located);
    if located.is_missing() {
        return Ok(false);
    }
    let mut ranges = Vec::new();
    removals(tree, path, &located, &mut ranges)?;
    log.apply_all(
        tree,
        coalesce(ranges)
            .into_iter()
            .map(|range| Splice {
                range,
                text: String::new(),
            })
            .collect(),
    )?;
    if is_bound(tree, path)? {
        return Err(tree.error(ErrorKind::StillBound { path: path.clone() }, 0..0));
    }
    Ok(true)
}

/// The byte ranges deleting what `located` found takes, and what it shadows.
fn removals(
    tree: &Tree,
    path: &AttrPath,
    located: &Located,
    out: &mut Vec<Range<usize>>,
) -> Result<()> {
    match &located.found {
        Lookup::Missing { .. } | Lookup::Append { .. } => {}
        Lookup::Found(av) => {
            check_unused_in_rec(tree, std::slice::from_ref(av))?;
            out.push(removal_range(tree.text(), av.syntax(), Above::Own));
        }
        Lookup::Spread(bindings) => {
            check_unused_in_rec(tree, bindings)?;
            out.extend(
                bindings
                    .iter()
                    .map(|b| removal_range(tree.text(), b.syntax(), Above::Own)),
            );
        }
        Lookup::Inherited(inh) => {
            if inh.attrs().count() != 1 {
                return Err(tree.error(
                    ErrorKind::InheritShared { path: path.clone() },
                    range(inh.syntax()),
                ));
            }
            out.push(removal_range(tree.text(), inh.syntax(), Above::Own));
        }
    }
    for s in &located.shadowed {
        removals(tree, path, s, out)?;
    }
    Ok(())
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

/// Make sure `expr` is an element of the list at `path`, creating the list when the path
/// is unbound. Elements compare by syntax: `pkgs.tmux` equals `pkgs . tmux`, and inside
/// `with pkgs; [ … ]` also `tmux`. Returns whether the document changed.
pub(crate) fn add(tree: &mut Tree, path: &AttrPath, expr: &str, log: &mut Log) -> Result<bool> {
    let given = Given::parse(expr)?;
    let expr = &given.code;
    let (lists, value) = match add_target(tree, path, expr, log)? {
        AddTarget::Unbound => {
            return set_given(tree, path, &given.with_code(format!("[ {expr} ]")), log)
        }
        AddTarget::Present => return Ok(false),
        AddTarget::Lists(lists, value) => (lists, value),
    };
    let Some(list) = lists.iter().find(|l| !l.conditional) else {
        return Err(not_a_list(tree, path, &value, "a function call's list"));
    };
    let element = list.styled(tree.text(), expr);
    let splice = insert_element(tree.text(), &list.node, &element);
    let splice = commented_insertion(tree, splice, &given)?;
    log.apply(tree, splice)?;
    Ok(true)
}

/// Make sure `expr` is an element of the list at `path` given to `call`: into that list
/// when the chain has one, otherwise as a new `++ call [ expr ]` at the end of the chain.
/// Returns whether the document changed.
pub(crate) fn add_when(
    tree: &mut Tree,
    path: &AttrPath,
    call: &str,
    expr: &str,
    log: &mut Log,
) -> Result<bool> {
    let given = Given::parse(expr)?;
    let expr = &given.code;
    let call = Given::parse(call)?;
    if call.comment.is_some() {
        return Err(call.comment_error());
    }
    let call = call.code;
    let (lists, value) = match add_target(tree, path, expr, log)? {
        AddTarget::Unbound => {
            let list = format!("{call} [ {expr} ]");
            return set_given(tree, path, &given.with_code(list), log);
        }
        AddTarget::Present => return Ok(false),
        AddTarget::Lists(lists, value) => (lists, value),
    };
    let splice = match lists
        .iter()
        .find(|l| l.call.as_deref().is_some_and(|c| same_expr(c, &call)))
    {
        Some(list) => {
            let element = list.styled(tree.text(), expr);
            let splice = insert_element(tree.text(), &list.node, &element);
            commented_insertion(tree, splice, &given)?
        }
        None => {
            let end = range(&value).end;
            let splice = Splice {
                range: end..end,
                text: format!(" ++ {call} [ {expr} ]"),
            };
            let av = value
                .parent()
                .and_then(ast::AttrpathValue::cast)
                .expect("a bound value's parent is its binding");
            commented_binding(tree, &av, splice, &given)?
        }
    };
    log.apply(tree, splice)?;
    Ok(true)
}

/// Where `add` would put `expr` (already checked) in the list at `path`.
fn add_target(tree: &Tree, path: &AttrPath, expr: &str, log: &mut Log) -> Result<AddTarget> {
    let located = lookup_for_write(tree, path)?;
    log.passed(&located);
    let av = match located.found {
        Lookup::Missing { .. } | Lookup::Append { .. } => return Ok(AddTarget::Unbound),
        Lookup::Found(av) => av,
        Lookup::Inherited(inh) => {
            return Err(not_a_list(tree, path, inh.syntax(), "an inherited value"))
        }
        Lookup::Spread(bindings) => return Err(spread_error(tree, path, &bindings, "add to")),
    };
    let lists = list_literals(tree, path, &av)?;
    if lists
        .iter()
        .any(|l| l.position(tree.text(), expr).is_some())
    {
        return Ok(AddTarget::Present);
    }
    let value = av.value().expect("parsed").syntax().clone();
    Ok(AddTarget::Lists(lists, value))
}

/// Remove `expr` from the list at `path`, comparing elements by syntax. Returns whether an
/// element was removed.
pub(crate) fn remove(tree: &mut Tree, path: &AttrPath, expr: &str, log: &mut Log) -> Result<bool> {
    let expr = check_expr(expr)?;
    let located = lookup(tree, path)?;
    log.passed(&located);
    let lists = match located.found {
        Lookup::Missing { .. } | Lookup::Append { .. } => return Ok(false),
        Lookup::Found(av) => list_literals(tree, path, &av)?,
        Lookup::Inherited(inh) => {
            return Err(not_a_list(tree, path, inh.syntax(), "an inherited value"))
        }
        Lookup::Spread(bindings) => return Err(spread_error(tree, path, &bindings, "remove from")),
    };
    let Some((list, index)) = lists
        .iter()
        .find_map(|l| l.position(tree.text(), &expr).map(|i| (l, i)))
    else {
        return Ok(false);
    };
    let item = list.node.items().nth(index).expect("position found it");
    let range = removal_range(tree.text(), item.syntax(), Above::Heading);
    log.apply(
        tree,
        Splice {
            range,
            text: String::new(),
        },
    )?;
    Ok(true)
}

/// Make `name` a parameter of the function at `path` (`{ self, nixpkgs }:` becomes
/// `{ self, nixpkgs, devenv }:`); nothing when the pattern has it or takes `...`, or when
/// the function takes its argument whole (`inputs: …`).
pub(crate) fn add_parameter(tree: &mut Tree, path: &AttrPath, name: &str) -> Result<bool> {
    let not_a_pattern = |tree: &Tree, node: &rnix::SyntaxNode, found: String| {
        tree.error(
            ErrorKind::NotAPattern {
                path: path.clone(),
                found,
            },
            range(node),
        )
    };
    let av = match lookup(tree, path)?.found {
        Lookup::Found(av) => av,
        _ => return Ok(false),
    };
    let value = av.value().expect("parsed");
    let ast::Expr::Lambda(lambda) = &value else {
        return Err(not_a_pattern(tree, value.syntax(), describe(&value)));
    };
    let pattern = match lambda.param() {
        Some(ast::Param::Pattern(pattern)) => pattern,
        // `inputs: …` takes any set already.
        _ => return Ok(false),
    };
    let has = |n: &str| {
        pattern
            .pat_entries()
            .any(|e| e.ident().is_some_and(|i| i.syntax().to_string() == n))
    };
    if pattern.ellipsis_token().is_some() || has(name) {
        return Ok(false);
    }
    let splice = match pattern.pat_entries().last() {
        Some(last) => Splice {
            range: range(last.syntax()).end..range(last.syntax()).end,
            text: format!(", {name}"),
        },
        None => {
            let open = range(pattern.syntax()).start + 1;
            Splice {
                range: open..open,
                text: format!(" {name}"),
            }
        }
    };
    tree.apply(splice)?;
    Ok(true)
}
