//! Finding what a path is bound to in a [`Tree`]: the walk from the document's value down
//! nested and dotted bindings, through the wrappers of [`crate::reach`] at any depth, to a
//! [`Lookup`] and the wrappers passed ([`Located`]) — for a delete, with what the bindings
//! found shadow in `//` chains, or for a write, where a `//` chain takes a new operand; the
//! value's source text and its list literals; and the errors its refusals produce, their
//! nearest editable place checked (the `rec` checks are in `rec_scope`). Read-only: the
//! edits above build on these answers.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::SyntaxNode;
use rowan::ast::AstNode;

use crate::error::{Error, ErrorKind, Result};
use crate::lists::{collect_lists, ListLiteral};
use crate::path::AttrPath;
use crate::reach::{
    binds_name, binds_name_but, looked_through, merge_list, plain_set, sets_of, span_of, unparen,
    unwrap_one, update_operands, Binds, Through, Unseen, Wrapper, WrapperKind,
};
use crate::syntax::{attr_name, describe, inherited_value, range, start};
use crate::tree::Tree;

/// Where a path leads in a document.
pub(crate) enum Lookup {
    /// A binding whose attribute path ends exactly at the path.
    Found(ast::AttrpathValue),
    /// The path's last name is bound by an `inherit`.
    Inherited(ast::Inherit),
    /// Nothing is bound at the path; `set` would insert `path[consumed..]` into `set`,
    /// after `anchor` (the entry sharing most of the path), or after the last entry.
    /// `shared` is how many names of the path the text there already has: `consumed` and
    /// the anchor's.
    Missing {
        set: ast::AttrSet,
        consumed: usize,
        anchor: Option<SyntaxNode>,
        shared: usize,
    },
    /// The path's value is made of several bindings: dotted ones below it (`a.b.c = 1;`
    /// for `a.b`), possibly beside one of the path itself (`a.b = { … }; a.b.d = 2;`).
    Spread(Vec<ast::AttrpathValue>),
    /// Nothing the editor sees binds `path[consumed]` in the `//` chain `chain`, and its
    /// rightmost operand is a value it cannot see inside (`unseen`): `set` gives the chain a
    /// new operand on the right, `// { path[consumed..] = …; }`, which wins over whatever
    /// that value binds. Only a lookup for writing ([`lookup_for_write`]) gives it.
    Append {
        chain: ast::Expr,
        /// The chain's rightmost operand.
        last: ast::Expr,
        consumed: usize,
        unseen: Unseen,
    },
}

/// Where a path leads, and how it got there.
pub(crate) struct Located {
    pub(crate) found: Lookup,
    /// The wrappers the path went through, outermost first.
    pub(crate) wrappers: Vec<Wrapper>,
    /// For a `delete` ([`lookup_for_delete`]): what binds the path in the operands of a
    /// `//` on the left of the one that wins, at any level, which would bind it once the
    /// bindings on their right are gone — so that `delete` removes them too, and nothing is
    /// bound at the path afterwards. Empty for any other lookup.
    pub(crate) shadowed: Vec<Located>,
    /// For a path nothing the editor sees binds: an operand of a `//` chain on the left of
    /// where it would go, which the editor cannot see inside and may bind it.
    pub(crate) unseen: Option<Unseen>,
}

impl Located {
    fn new(found: Lookup, wrappers: Vec<Wrapper>) -> Self {
        Located {
            found,
            wrappers,
            shadowed: Vec::new(),
            unseen: None,
        }
    }

    /// Whether nothing is bound at the path.
    pub(crate) fn is_missing(&self) -> bool {
        matches!(self.found, Lookup::Missing { .. } | Lookup::Append { .. })
    }

    /// The byte ranges of the entries a `delete` removes: what was found, and what it
    /// shadows.
    fn doomed(&self, out: &mut Vec<Range<usize>>) {
        match &self.found {
            Lookup::Found(av) => out.push(range(av.syntax())),
            Lookup::Inherited(inh) => out.push(range(inh.syntax())),
            Lookup::Spread(bindings) => out.extend(bindings.iter().map(|b| range(b.syntax()))),
            Lookup::Missing { .. } | Lookup::Append { .. } => {}
        }
        for s in &self.shadowed {
            s.doomed(out);
        }
    }

    /// The first entry that binds the path, for an error's place.
    fn first_entry(&self) -> Option<SyntaxNode> {
        match &self.found {
            Lookup::Found(av) => Some(av.syntax().clone()),
            Lookup::Inherited(inh) => Some(inh.syntax().clone()),
            Lookup::Spread(bindings) => bindings.first().map(|b| b.syntax().clone()),
            Lookup::Missing { .. } | Lookup::Append { .. } => None,
        }
    }
}

/// What one attribute set says about a path, gathered entry by entry in [`lookup_in`].
#[derive(Default)]
struct Scan {
    /// The entry sharing the longest prefix with the path (the last of equals), and how long.
    anchor: Option<(usize, SyntaxNode)>,
    /// The deepest `Missing` found inside a nested set on the path.
    deeper: Option<Located>,
    /// Bindings of exactly the path.
    exact: Vec<ast::AttrpathValue>,
    /// Dotted bindings below the path.
    spread: Vec<ast::AttrpathValue>,
}

/// What a lookup is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purpose {
    /// Reading what is bound.
    Read,
    /// Binding the path: a `//` chain whose rightmost operand the editor cannot see inside
    /// may take a new operand ([`Lookup::Append`]).
    Write,
    /// Deleting what is bound: what the bindings found shadow in a `//` chain is looked up
    /// too ([`Located::shadowed`]), and a value the editor cannot see inside that might still
    /// bind the path afterwards refuses it.
    Delete,
}

/// A path being looked up in a document.
struct Walk<'a> {
    tree: &'a Tree,
    path: &'a [String],
    purpose: Purpose,
}

impl Walk<'_> {
    fn deleting(&self) -> bool {
        self.purpose == Purpose::Delete
    }
}

/// Where `path` leads in the document `tree`, through the wrappers of [`crate::reach`].
pub(crate) fn lookup(tree: &Tree, path: &AttrPath) -> Result<Located> {
    walk(tree, path, Purpose::Read)
}

/// Where `path` leads in the document `tree` for binding it: as [`lookup`], and where a new
/// name cannot go into any operand of a `//` chain because its rightmost one is a value the
/// editor cannot see inside, [`Lookup::Append`].
pub(crate) fn lookup_for_write(tree: &Tree, path: &AttrPath) -> Result<Located> {
    walk(tree, path, Purpose::Write)
}

/// Where `path` leads in the document `tree` for deleting what is bound there: as
/// [`lookup`], with what the bindings found shadow ([`Located::shadowed`]); refused
/// ([`ErrorKind::Hidden`]) when a value the editor cannot see inside might still bind the
/// path once they are gone.
pub(crate) fn lookup_for_delete(tree: &Tree, path: &AttrPath) -> Result<Located> {
    walk(tree, path, Purpose::Delete)
}

fn walk(tree: &Tree, path: &AttrPath, purpose: Purpose) -> Result<Located> {
    unverified_walk(tree, path.segments(), purpose).map_err(|e| verified(tree, e))
}

/// [`walk`] without checking the editable place of its error, which takes walks of its own.
fn unverified_walk(tree: &Tree, path: &[String], purpose: Purpose) -> Result<Located> {
    let w = Walk {
        tree,
        path,
        purpose,
    };
    descend(&w, document_expr(tree), 0, Vec::new())
}

/// `err` with its nearest editable place checked: the place it names, or the nearest path
/// above it, that is bound by one binding of its own — whose whole value `set` replaces.
/// None when no such path is on the way.
fn verified(tree: &Tree, err: Error) -> Error {
    let Some(suggested) = err.editable().cloned() else {
        return err;
    };
    let segments = suggested.segments();
    let editable = (1..=segments.len())
        .rev()
        .map(|n| AttrPath(segments[..n].to_vec()))
        .find(|p| {
            matches!(
                unverified_walk(tree, p.segments(), Purpose::Read),
                Ok(Located {
                    found: Lookup::Found(_),
                    ..
                })
            )
        });
    err.editable_at(editable)
}

/// The document's whole expression.
pub(crate) fn document_expr(tree: &Tree) -> ast::Expr {
    let root = ast::Root::cast(tree.root().clone()).expect("the root node is a Root");
    root.expr().expect("a parsed document has an expression")
}

/// The source text of the value bound at `path`, or `None` when nothing is. A name bound
/// by `inherit (x) a;` reads as `x.a`.
pub(crate) fn value_text(tree: &Tree, path: &AttrPath) -> Result<Option<String>> {
    match lookup(tree, path)?.found {
        Lookup::Found(av) => Ok(Some(
            tree.node_text(av.value().expect("a parsed binding has a value").syntax()),
        )),
        Lookup::Inherited(inh) => Ok(Some(inherited_value(&inh, path.segments().last().unwrap()))),
        Lookup::Missing { .. } | Lookup::Append { .. } => Ok(None),
        Lookup::Spread(bindings) => Err(spread_error(tree, path, &bindings, "read")),
    }
}

/// Whether anything is bound at or under `path`.
pub(crate) fn is_bound(tree: &Tree, path: &AttrPath) -> Result<bool> {
    Ok(!lookup(tree, path)?.is_missing())
}

/// The attribute set literals the file evaluates to, through the wrappers of
/// [`crate::reach`]: one for most files, every operand's for `{ … } // { … }`.
pub(crate) fn top_sets(tree: &Tree) -> Result<Vec<ast::AttrSet>> {
    let expr = document_expr(tree);
    let mut sets = Vec::new();
    sets_of(tree, &expr, Through::Path, &mut sets);
    if !sets.is_empty() {
        return Ok(sets);
    }
    let mut inner = unparen(expr);
    while let Some((_, inside)) = unwrap_one(tree, &inner, Through::Path) {
        inner = unparen(inside);
    }
    Err(tree.error(
        ErrorKind::NotAttrSetDocument {
            found: describe(&inner),
        },
        range(inner.syntax()),
    ))
}

/// Where `path[consumed..]` leads in `expr`, the value `path[..consumed]` is bound to (the
/// document's own for 0), with `trail` the wrappers passed so far.
fn descend(w: &Walk, expr: ast::Expr, consumed: usize, mut trail: Vec<Wrapper>) -> Result<Located> {
    let mut expr = unparen(expr);
    while let Some((kind, inside)) = unwrap_one(w.tree, &expr, Through::Path) {
        trail.push(Wrapper {
            kind,
            span: span_of(&expr),
            depth: consumed,
        });
        expr = unparen(inside);
    }
    match &expr {
        ast::Expr::AttrSet(set) => lookup_in(w, set, consumed, trail),
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            update(w, &expr, consumed, trail)
        }
        ast::Expr::Apply(a) => match merge_list(a) {
            Some((function, list)) => merge(w, &expr, function, &list, consumed, trail),
            None => Err(opaque(w, consumed, &expr)),
        },
        _ => Err(opaque(w, consumed, &expr)),
    }
}

/// Where `path[consumed..]` leads in `set`, which `path[..consumed]` is bound to.
fn lookup_in(
    w: &Walk,
    set: &ast::AttrSet,
    consumed: usize,
    trail: Vec<Wrapper>,
) -> Result<Located> {
    let (tree, path) = (w.tree, w.path);
    let rest = &path[consumed..];
    let mut scan = Scan::default();
    for entry in set.entries() {
        match entry {
            ast::Entry::Inherit(inh) => {
                if inh
                    .attrs()
                    .any(|a| attr_name(&a).as_deref() == Some(rest[0].as_str()))
                {
                    if rest.len() == 1 {
                        return Ok(Located::new(Lookup::Inherited(inh), trail));
                    }
                    return Err(tree.error(
                        ErrorKind::InheritedPrefix {
                            path: AttrPath(path[..=consumed].to_vec()),
                        },
                        range(inh.syntax()),
                    ));
                }
            }
            ast::Entry::AttrpathValue(av) => {
                if let Some(found) = scan_binding(w, &mut scan, av, consumed, &trail)? {
                    return Ok(found);
                }
            }
        }
    }
    let Scan {
        anchor,
        deeper,
        mut exact,
        spread,
    } = scan;
    // Nix merges `a = { … };` with `a.b = …;` in the same set: then `a` is made of
    // several bindings, and only deleting all of them is unambiguous.
    match (exact.len(), spread.len()) {
        (1, 0) => return Ok(Located::new(Lookup::Found(exact.remove(0)), trail)),
        (0, 0) => {}
        _ => {
            exact.extend(spread);
            exact.sort_by_key(|b| start(b.syntax()));
            return Ok(Located::new(Lookup::Spread(exact), trail));
        }
    }
    if let Some(d) = deeper {
        return Ok(d);
    }
    let shared = consumed + anchor.as_ref().map_or(0, |(c, _)| *c);
    Ok(Located::new(
        Lookup::Missing {
            set: set.clone(),
            consumed,
            anchor: anchor.map(|(_, n)| n),
            shared,
        },
        trail,
    ))
}

/// Note what binding `av` says about `path[consumed..]` in `scan`; a lookup that ends
/// inside its value (found, inherited, spread) is the answer, returned at once.
fn scan_binding(
    w: &Walk,
    scan: &mut Scan,
    av: ast::AttrpathValue,
    consumed: usize,
    trail: &[Wrapper],
) -> Result<Option<Located>> {
    let rest = &w.path[consumed..];
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
        return Ok(None);
    }
    if scan.anchor.as_ref().is_none_or(|(c, _)| common >= *c) {
        scan.anchor = Some((common, av.syntax().clone()));
    }
    if common == names.len() && common == rest.len() {
        scan.exact.push(av);
        return Ok(None);
    }
    if common == names.len() {
        let value = av.value().expect("parsed");
        let inner = descend(w, value, consumed + common, trail.to_vec())?;
        let Lookup::Missing { consumed: c, .. } = &inner.found else {
            return Ok(Some(inner));
        };
        let deepest = match &scan.deeper {
            Some(Located {
                found: Lookup::Missing { consumed: d, .. },
                ..
            }) => c > d,
            _ => true,
        };
        if deepest {
            scan.deeper = Some(inner);
        }
    } else if common == rest.len() {
        scan.spread.push(av);
    }
    Ok(None)
}

/// Where `path[consumed..]` leads in the `//` chain `expr`. Nix gives the operand on the
/// right what both bind, whole: reads go to the rightmost operand that binds the path's
/// next name, and so does `set`. A new name goes into the rightmost operand that is a set
/// literal reached without a call (a call such as `lib.optionalAttrs c { … }` may not give
/// its set), else the rightmost set inside a call; in a document that looks through
/// functions, the rightmost operand gone into through one of them comes first (a flake's
/// per-system body). A value the editor cannot see inside, or a computed name, on the right
/// of that place might override it: refused — except that, when nothing it sees binds the
/// name, a lookup for writing gives the chain a new operand on the right
/// ([`Lookup::Append`]), which nothing overrides. For a `delete`, the operands on the left that
/// bind the path once the bindings on their right are gone are looked up too.
fn update(w: &Walk, expr: &ast::Expr, consumed: usize, trail: Vec<Wrapper>) -> Result<Located> {
    let mut operands = Vec::new();
    update_operands(expr.clone(), &mut operands);
    let n = operands.len();
    let name = &w.path[consumed];
    let into = |i: usize| {
        let mut t = trail.clone();
        t.push(Wrapper {
            kind: WrapperKind::Update {
                operand: i + 1,
                operands: n,
            },
            span: span_of(&operands[i]),
            depth: consumed,
        });
        t
    };
    let binds: Vec<Binds> = operands
        .iter()
        .map(|o| binds_name(w.tree, o, name))
        .collect();
    // the rightmost operand the editor cannot see inside, and what it is
    let unseen = binds.iter().enumerate().rev().find_map(|(i, b)| match b {
        Binds::Unknown(u) => Some((i, u)),
        _ => None,
    });
    let hidden_right_of = |i: usize| match unseen {
        Some((j, u)) if j > i => Err(hidden(w, consumed, u, false)),
        _ => Ok(()),
    };
    if let Some(i) = (0..n).rev().find(|i| matches!(binds[*i], Binds::Yes)) {
        hidden_right_of(i)?;
        let mut located = descend(w, operands[i].clone(), consumed, into(i))?;
        if w.deleting() {
            shadowed(w, &operands, &binds, i, consumed, &into, &mut located)?;
        }
        return Ok(located);
    }
    // a new name: only an operand on the right of every one the editor cannot see inside
    let open: Vec<usize> = (unseen.map_or(0, |(j, _)| j + 1)..n).collect();
    let target = open
        .iter()
        .rev()
        .find(|i| looked_through(w.tree, &operands[**i]))
        .or_else(|| {
            open.iter()
                .rev()
                .find(|i| plain_set(w.tree, &operands[**i]))
        })
        .or_else(|| open.last());
    match (target, unseen) {
        // a new operand on the right wins over whatever the rightmost one binds
        (None, Some((_, u))) if w.purpose == Purpose::Write => {
            let mut t = trail;
            t.push(Wrapper {
                kind: WrapperKind::NewOperand { operands: n },
                span: span_of(expr).end..span_of(expr).end,
                depth: consumed,
            });
            let found = Lookup::Append {
                chain: expr.clone(),
                last: operands[n - 1].clone(),
                consumed,
                unseen: u.clone(),
            };
            Ok(Located::new(found, t))
        }
        (None, Some((_, u))) => Err(hidden(w, consumed, u, false)),
        (None, None) => Err(opaque(w, consumed, expr)),
        // nothing the editor sees binds the name; what it cannot see might
        (Some(_), Some((_, u))) if w.deleting() => Err(hidden(w, consumed, u, true)),
        (Some(&i), unseen) => {
            let mut located = descend(w, operands[i].clone(), consumed, into(i))?;
            if located.is_missing() && located.unseen.is_none() {
                located.unseen = unseen.map(|(_, u)| u.clone());
            }
            Ok(located)
        }
    }
}

/// For a `delete` of what `located` found in operand `i` of a `//` chain: the bindings of
/// the path in the operands on its left that would take over once it no longer binds the
/// path's next name, pushed onto `located.shadowed` — the next operand on the left that
/// binds the name, and so on while the ones on its right no longer do. One the editor
/// cannot see inside refuses the delete: it might still bind the path.
fn shadowed(
    w: &Walk,
    operands: &[ast::Expr],
    binds: &[Binds],
    i: usize,
    consumed: usize,
    into: &dyn Fn(usize) -> Vec<Wrapper>,
    located: &mut Located,
) -> Result<()> {
    let name = &w.path[consumed];
    let mut doomed = Vec::new();
    located.doomed(&mut doomed);
    let mut k = i;
    loop {
        match binds_name_but(w.tree, &operands[k], name, &doomed) {
            Binds::Yes => return Ok(()),
            Binds::Unknown(u) => return Err(hidden(w, consumed, &u, true)),
            Binds::No => {}
        }
        let Some(left) = (0..k).rev().find(|j| !matches!(binds[*j], Binds::No)) else {
            return Ok(());
        };
        if let Binds::Unknown(u) = &binds[left] {
            return Err(hidden(w, consumed, u, true));
        }
        let other = descend(w, operands[left].clone(), consumed, into(left))?;
        other.doomed(&mut doomed);
        if !other.is_missing() {
            located.shadowed.push(other);
        }
        k = left;
    }
}

/// Where `path[consumed..]` leads in `expr`, a call of `mkMerge` on `list`: into the one
/// element that binds the path — several are an error naming each — and for a new binding
/// into the element that shares most of the path; of equals, the first that is a set
/// literal itself (not under a call such as `mkIf`), else the first. Elements the editor
/// cannot see inside are passed over: the module system merges them, it does not override
/// — but they refuse a `delete`, since they might still bind the path. So does an element
/// the path cannot be followed into (an error there); for any other lookup that error is
/// the answer only when no element binds the path.
fn merge(
    w: &Walk,
    expr: &ast::Expr,
    function: String,
    list: &ast::List,
    consumed: usize,
    trail: Vec<Wrapper>,
) -> Result<Located> {
    let elements: Vec<ast::Expr> = list.items().collect();
    let name = &w.path[consumed];
    let mut found = Vec::new();
    let mut missing = Vec::new();
    let mut errors = Vec::new();
    // what refuses a delete, unless several elements bind the path: that is said first,
    // as every other operation says it
    let mut refusal = None;
    for (i, element) in elements.iter().enumerate() {
        match binds_name(w.tree, element, name) {
            Binds::Unknown(u) if w.deleting() => {
                refusal.get_or_insert_with(|| hidden(w, consumed, &u, true));
                continue;
            }
            Binds::Unknown(_) => continue,
            Binds::Yes | Binds::No => {}
        }
        let mut t = trail.clone();
        t.push(Wrapper {
            kind: WrapperKind::Merge {
                function: function.clone(),
                element: i + 1,
                elements: elements.len(),
            },
            span: span_of(expr),
            depth: consumed,
        });
        match descend(w, element.clone(), consumed, t) {
            Ok(located) if located.is_missing() => missing.push((i, located)),
            Ok(located) => found.push(located),
            // the element might still bind the path through what the walk could not follow
            Err(e) if w.deleting() => {
                refusal.get_or_insert_with(|| match e.kind() {
                    ErrorKind::NotAttrSet { found, .. } => {
                        let unseen = Unseen {
                            span: e.span(),
                            found: found.clone(),
                        };
                        hidden(w, consumed, &unseen, true)
                    }
                    _ => e,
                });
            }
            Err(e) => errors.push(e),
        }
    }
    if found.len() > 1 {
        let places: Vec<Range<usize>> = found
            .iter()
            .filter_map(|l| l.first_entry().map(|n| range(&n)))
            .collect();
        return Err(w.tree.error(
            ErrorKind::Ambiguous {
                path: AttrPath(w.path.to_vec()),
                function,
                places: places.clone(),
            },
            places[0].clone(),
        ));
    }
    if let Some(e) = refusal {
        return Err(e);
    }
    if let Some(one) = found.pop() {
        return Ok(one);
    }
    if !errors.is_empty() {
        return Err(errors.remove(0));
    }
    let level = trail.len() + 1;
    missing
        .into_iter()
        .max_by_key(|(i, l)| {
            let shared = match l.found {
                Lookup::Missing { shared, .. } => shared,
                _ => 0,
            };
            let plain = !l.wrappers[level..]
                .iter()
                .any(|x| x.depth == consumed && matches!(x.kind, WrapperKind::Call { .. }));
            (shared, plain, std::cmp::Reverse(*i))
        })
        .map(|(_, l)| l)
        .ok_or_else(|| opaque(w, consumed, expr))
}

/// The list literals a list-valued binding is made of: `[ … ]`, the literals of a
/// `[ … ] ++ … ++ [ … ]` chain, or the list of `with pkgs; [ … ]`.
pub(crate) fn list_literals(
    tree: &Tree,
    path: &AttrPath,
    av: &ast::AttrpathValue,
) -> Result<Vec<ListLiteral>> {
    let value = av.value().expect("parsed");
    let mut lists = Vec::new();
    collect_lists(value.clone(), None, &mut lists);
    if lists.is_empty() {
        return Err(not_a_list(tree, path, value.syntax(), &describe(&value)));
    }
    Ok(lists)
}

/// The list literals of the value at `path`, for reading; none when it is unbound.
pub(crate) fn bound_list_literals(tree: &Tree, path: &AttrPath) -> Result<Vec<ListLiteral>> {
    match lookup(tree, path)?.found {
        Lookup::Found(av) => list_literals(tree, path, &av),
        Lookup::Missing { .. } | Lookup::Append { .. } => Ok(Vec::new()),
        Lookup::Inherited(inh) => Err(not_a_list(tree, path, inh.syntax(), "an inherited value")),
        Lookup::Spread(bindings) => Err(spread_error(tree, path, &bindings, "read")),
    }
}

// ---- errors -----------------------------------------------------------------------

/// The path runs into `expr`, a value the editor cannot see inside, as the value of
/// `path[..consumed]` (the document's own value for 0). The nearest place it can edit is
/// that value as a whole.
fn opaque(w: &Walk, consumed: usize, expr: &ast::Expr) -> Error {
    let found = describe(expr);
    if consumed == 0 {
        return w
            .tree
            .error(ErrorKind::NotAttrSetDocument { found }, span_of(expr));
    }
    let prefix = AttrPath(w.path[..consumed].to_vec());
    w.tree
        .error(
            ErrorKind::NotAttrSet {
                path: prefix.clone(),
                found,
            },
            span_of(expr),
        )
        .with_editable(prefix)
}

/// `path[..=consumed]` might be bound by `unseen`, which the editor cannot see inside: on
/// the right of where the path would go in a `//` chain, so that the value there would be
/// a guess; or, `after_delete`, where it would still bind the path after a `delete`.
fn hidden(w: &Walk, consumed: usize, unseen: &Unseen, after_delete: bool) -> Error {
    // what a delete is refused for is the whole path: `x` may bind `a.b` by binding `a`
    let path = match after_delete {
        true => w.path,
        false => &w.path[..=consumed],
    };
    let err = w.tree.error(
        ErrorKind::Hidden {
            path: AttrPath(path.to_vec()),
            found: unseen.found.clone(),
            after_delete,
        },
        unseen.span.clone(),
    );
    match consumed {
        0 => err,
        _ => err.with_editable(AttrPath(w.path[..consumed].to_vec())),
    }
}

/// `path`, at `node`, is `what` rather than a list.
pub(crate) fn not_a_list(tree: &Tree, path: &AttrPath, node: &SyntaxNode, what: &str) -> Error {
    tree.error(
        ErrorKind::NotAList {
            path: path.clone(),
            found: what.to_string(),
        },
        range(node),
    )
}

/// `operation` cannot treat `path` as one value: it is made of `bindings`.
pub(crate) fn spread_error(
    tree: &Tree,
    path: &AttrPath,
    bindings: &[ast::AttrpathValue],
    operation: &'static str,
) -> Error {
    let first = &bindings[0];
    let example = first
        .attrpath()
        .and_then(|p| full_path(path, &p))
        .or_else(|| first.attrpath().map(|p| tree.node_text(p.syntax())))
        .unwrap_or_default();
    tree.error(
        ErrorKind::Spread {
            path: path.clone(),
            operation,
            example,
        },
        range(first.syntax()),
    )
}

/// The whole path of a binding written as `local` inside the sets leading to `path`
/// (`inputs.nixpkgs.url` for `nixpkgs.url = …;` inside `inputs = { … };`), when its names
/// are static.
fn full_path(path: &AttrPath, local: &ast::Attrpath) -> Option<String> {
    let names: Vec<String> = local
        .attrs()
        .map(|a| attr_name(&a))
        .collect::<Option<_>>()?;
    let segs = path.segments();
    let start = (0..segs.len()).find(|&i| {
        let rest = &segs[i..];
        rest.len() <= names.len() && names[..rest.len()] == *rest
    })?;
    let whole: Vec<String> = segs[..start].iter().cloned().chain(names).collect();
    Some(AttrPath::segments_to_nix(&whole))
}
