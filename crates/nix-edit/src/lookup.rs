//! Finding what a path is bound to in a [`Tree`]: the document's top-level attribute set
//! (through the usual wrappers), the walk down nested and dotted bindings to a [`Lookup`],
//! the value's source text and its list literals, the check that a `rec` set does not still
//! use a name being deleted, and the errors these refusals produce. Read-only: the edits
//! above build on these answers.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::error::{Error, ErrorKind, Result};
use crate::lists::{collect_lists, ListLiteral};
use crate::path::AttrPath;
use crate::syntax::{as_attr_set, attr_name, describe, inherited_value, range, start};
use crate::tree::Tree;

/// Where a path leads in a document.
pub(crate) enum Lookup {
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

/// What one attribute set says about a path, gathered entry by entry in [`lookup_in`].
#[derive(Default)]
struct Scan {
    /// The entry sharing the longest prefix with the path (the last of equals), and how long.
    anchor: Option<(usize, SyntaxNode)>,
    /// The deepest `Missing` found inside a nested set on the path.
    deeper: Option<Lookup>,
    /// Bindings of exactly the path.
    exact: Vec<ast::AttrpathValue>,
    /// Dotted bindings below the path.
    spread: Vec<ast::AttrpathValue>,
}

/// Where `path` leads in the document `tree`.
pub(crate) fn lookup(tree: &Tree, path: &AttrPath) -> Result<Lookup> {
    let set = top_set(tree)?;
    lookup_in(tree, &set, path.segments(), 0)
}

/// The source text of the value bound at `path`, or `None` when nothing is. A name bound
/// by `inherit (x) a;` reads as `x.a`.
pub(crate) fn value_text(tree: &Tree, path: &AttrPath) -> Result<Option<String>> {
    match lookup(tree, path)? {
        Lookup::Found(av) => Ok(Some(
            tree.node_text(av.value().expect("a parsed binding has a value").syntax()),
        )),
        Lookup::Inherited(inh) => Ok(Some(inherited_value(&inh, path.segments().last().unwrap()))),
        Lookup::Missing { .. } => Ok(None),
        Lookup::Spread(bindings) => Err(spread_error(tree, path, &bindings, "read")),
    }
}

/// Whether anything is bound at or under `path`.
pub(crate) fn get_or_spread(tree: &Tree, path: &AttrPath) -> Result<bool> {
    Ok(!matches!(lookup(tree, path)?, Lookup::Missing { .. }))
}

/// The attribute set the file evaluates to, through the usual wrappers.
pub(crate) fn top_set(tree: &Tree) -> Result<ast::AttrSet> {
    let root = ast::Root::cast(tree.root().clone()).expect("the root node is a Root");
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
                return Err(tree.error(
                    ErrorKind::NotAttrSetDocument {
                        found: describe(&other),
                    },
                    range(other.syntax()),
                ))
            }
        };
    }
}

/// Where `path[consumed..]` leads in `set`, which `path[..consumed]` is bound to.
fn lookup_in(tree: &Tree, set: &ast::AttrSet, path: &[String], consumed: usize) -> Result<Lookup> {
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
                        return Ok(Lookup::Inherited(inh));
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
                if let Some(found) = scan_binding(tree, &mut scan, av, path, consumed)? {
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

/// Note what binding `av` says about `path[consumed..]` in `scan`; a lookup that ends
/// inside its value (found, inherited, spread) is the answer, returned at once.
fn scan_binding(
    tree: &Tree,
    scan: &mut Scan,
    av: ast::AttrpathValue,
    path: &[String],
    consumed: usize,
) -> Result<Option<Lookup>> {
    let rest = &path[consumed..];
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
        let sets = nested_sets(tree, &value);
        if sets.is_empty() {
            return Err(not_a_set(tree, &path[..consumed + common], &value));
        }
        // Evaluation reads the sets in this order; a new binding goes into the last.
        let mut missing = None;
        for inner in &sets {
            match lookup_in(tree, inner, path, consumed + common)? {
                m @ Lookup::Missing { .. } => missing = Some(m),
                found => return Ok(Some(found)),
            }
        }
        if let Some(Lookup::Missing {
            set,
            consumed: c,
            anchor: a,
        }) = missing
        {
            let deepest = match &scan.deeper {
                Some(Lookup::Missing { consumed: d, .. }) => c > *d,
                _ => true,
            };
            if deepest {
                scan.deeper = Some(Lookup::Missing {
                    set,
                    consumed: c,
                    anchor: a,
                });
            }
        }
    } else if common == rest.len() {
        scan.spread.push(av);
    }
    Ok(None)
}

/// The attribute sets a path continues into below `value`, in the order evaluation reads
/// them: the set itself (through parentheses, `let` and `with`); and, when the document
/// looks through functions (`NixDocument::look_through`), a function's body, the last
/// argument of a call of one of the named functions, and the operands of `//` from the
/// right.
fn nested_sets(tree: &Tree, value: &ast::Expr) -> Vec<ast::AttrSet> {
    if let Some(set) = as_attr_set(value) {
        return vec![set];
    }
    if tree.through().is_none() {
        return Vec::new();
    }
    match value {
        ast::Expr::Paren(p) => p.expr().map_or_else(Vec::new, |e| nested_sets(tree, &e)),
        ast::Expr::LetIn(l) => l.body().map_or_else(Vec::new, |e| nested_sets(tree, &e)),
        ast::Expr::With(w) => w.body().map_or_else(Vec::new, |e| nested_sets(tree, &e)),
        ast::Expr::Lambda(l) => l.body().map_or_else(Vec::new, |e| nested_sets(tree, &e)),
        ast::Expr::Apply(a) => match looked_through_argument(tree, a) {
            Some(arg) => nested_sets(tree, &arg),
            None => Vec::new(),
        },
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            let mut sets = b.rhs().map_or_else(Vec::new, |e| nested_sets(tree, &e));
            sets.extend(b.lhs().map_or_else(Vec::new, |e| nested_sets(tree, &e)));
            sets
        }
        _ => Vec::new(),
    }
}

/// The last argument of `call` when its function is one the document looks through:
/// named by its last name (`eachDefaultSystem` for `flake-utils.lib.eachDefaultSystem`).
fn looked_through_argument(tree: &Tree, call: &ast::Apply) -> Option<ast::Expr> {
    let mut function = call.lambda()?;
    while let ast::Expr::Apply(inner) = function {
        function = inner.lambda()?;
    }
    let name = match &function {
        ast::Expr::Ident(i) => i.syntax().to_string(),
        ast::Expr::Select(s) => attr_name(&s.attrpath()?.attrs().last()?)?,
        _ => return None,
    };
    tree.through()?
        .contains(&name)
        .then(|| call.argument())
        .flatten()
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
    match lookup(tree, path)? {
        Lookup::Found(av) => list_literals(tree, path, &av),
        Lookup::Missing { .. } => Ok(Vec::new()),
        Lookup::Inherited(inh) => Err(not_a_list(tree, path, inh.syntax(), "an inherited value")),
        Lookup::Spread(bindings) => Err(spread_error(tree, path, &bindings, "read")),
    }
}

/// In a `rec` set, refuse to delete the last binding of a name the set still refers to:
/// the result would not even evaluate (undefined variable). Shadowing is not tracked,
/// so this errs on the side of refusing.
pub(crate) fn check_unused_in_rec(tree: &Tree, doomed: &[ast::AttrpathValue]) -> Result<()> {
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
        let doomed_ranges: Vec<Range<usize>> = doomed.iter().map(|d| range(d.syntax())).collect();
        if let Some(ident) = use_in_rec(&set, &name, &doomed_ranges) {
            return Err(tree.error(ErrorKind::UsedInRec { name }, range(ident.syntax())));
        }
    }
    Ok(())
}

// ---- errors -----------------------------------------------------------------------

/// `prefix` is bound to `value`, which is not an attribute set the path can run through.
fn not_a_set(tree: &Tree, prefix: &[String], value: &ast::Expr) -> Error {
    tree.error(
        ErrorKind::NotAttrSet {
            path: AttrPath(prefix.to_vec()),
            found: describe(value),
        },
        range(value.syntax()),
    )
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

/// The first place the `rec` set `set` reads `name`, outside the `doomed` bindings.
fn use_in_rec(set: &ast::AttrSet, name: &str, doomed: &[Range<usize>]) -> Option<ast::Ident> {
    set.syntax()
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
                && !doomed.iter().any(|r| r.contains(&at))
        })
}
