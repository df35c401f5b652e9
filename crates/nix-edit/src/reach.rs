//! What a value is made of, as far as paths go: the [`Wrapper`]s a path passes on its way to
//! an attribute set literal — a function's body, `let … in`, `with …;`, `assert …;`, a call
//! whose last argument is a set, the operands of `//`, the elements of `mkMerge [ … ]` — and
//! the questions the path walk in `lookup` asks of them: which call a path goes through,
//! which set literals a value is made of, whether it binds a name. Read-only.

use std::fmt;
use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rowan::ast::AstNode;

use crate::path::AttrPath;
use crate::syntax::{attr_name, describe, range};
use crate::tree::Tree;

/// A value a path went through on its way to the attribute set literal it continues in: not
/// a set itself, but one the editor sees a set inside. [`NixDocument::locate`] and
/// [`NixDocument::edit`] list them, outermost first, so that a caller can tell where a
/// value was read or an edit landed.
///
/// [`NixDocument::locate`]: crate::NixDocument::locate
/// [`NixDocument::edit`]: crate::NixDocument::edit
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wrapper {
    /// What was gone through.
    pub kind: WrapperKind,
    /// The byte range of the whole wrapping expression; for `//`, of the operand gone into.
    pub span: Range<usize>,
    /// How many names of the path lead to it: 0 for the document's own value, 1 for the
    /// value of the path's first name, and so on.
    pub depth: usize,
}

/// What a path went through.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WrapperKind {
    /// A function, into its body: a module's `{ pkgs, ... }:`, a flake's outputs, an
    /// overlay's `final: prev:`.
    Function {
        /// The parameter as written: `{ self, nixpkgs, ... }`, `final`.
        parameter: String,
    },
    /// `let … in`, into its body.
    Let,
    /// `let name = …; in name`, into the value the `let` binds to the name its body is.
    LetBound {
        /// The name.
        name: String,
    },
    /// `with x;`, into its body.
    With {
        /// The namespace as written: `pkgs`, `lib`.
        namespace: String,
    },
    /// `assert …;`, into its body.
    Assert,
    /// A call, into its last argument: `lib.mkIf cond { … }`, `pkgs.mkShell { … }`, or a
    /// call of a function named to [`NixDocument::look_through`](crate::NixDocument::look_through).
    Call {
        /// The function as written: `lib.mkIf`, `pkgs.mkShell`.
        function: String,
    },
    /// `a // b // …`, into one operand.
    Update {
        /// Which operand, counted from 1 on the left.
        operand: usize,
        /// How many operands the chain has.
        operands: usize,
    },
    /// `a // b // …`, into a new operand on its right, `// { … }`: nothing the editor sees
    /// binds the name, and the rightmost operand is a value it cannot see inside, which the
    /// new operand wins over. The span is empty, at the end of the chain.
    NewOperand {
        /// How many operands the chain had.
        operands: usize,
    },
    /// `lib.mkMerge [ … ]`, into one element of the list.
    Merge {
        /// The function as written: `lib.mkMerge`, `mkMerge`.
        function: String,
        /// Which element, counted from 1.
        element: usize,
        /// How many elements the list has.
        elements: usize,
    },
}

impl Wrapper {
    /// The part of `path` that leads to this wrapper: `None` for the document's own value.
    pub fn path_to(&self, path: &AttrPath) -> Option<AttrPath> {
        (self.depth > 0)
            .then(|| AttrPath(path.segments()[..self.depth.min(path.segments().len())].to_vec()))
    }
}

/// In words: "the call of `lib.mkIf`", "operand 2 of 3 of `//`".
impl fmt::Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            WrapperKind::Function { parameter } => write!(f, "the function `{parameter}:`"),
            WrapperKind::Let => f.write_str("`let … in`"),
            WrapperKind::LetBound { name } => write!(f, "`let {name} = …; in {name}`"),
            WrapperKind::With { namespace } => write!(f, "`with {namespace};`"),
            WrapperKind::Assert => f.write_str("`assert …;`"),
            WrapperKind::Call { function } => write!(f, "the call of `{function}`"),
            WrapperKind::Update { operand, operands } => {
                write!(f, "operand {operand} of {operands} of `//`")
            }
            WrapperKind::NewOperand { operands } => {
                write!(
                    f,
                    "a new operand {} of `//`, on the right of its {operands}",
                    operands + 1
                )
            }
            WrapperKind::Merge {
                function,
                element,
                elements,
            } => write!(f, "element {element} of {elements} of `{function}`"),
        }
    }
}

/// What a value is looked into for, which decides whether a call's set argument counts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Through {
    /// A path being followed, to what is written: into the set argument of any call,
    /// `import ./x.nix { … }` and `callPackage ./pkg { … }` too, whose arguments are what a
    /// user edits there.
    Path,
    /// What the value binds when evaluated: not into a call whose result is not made of its
    /// set argument — `import`, `callPackage`, a call given a path (`./x.nix`), whose set is
    /// the arguments of the file they load.
    Value,
}

/// The wrapper `expr` is, with its inside, when it is one of the single-inside kinds: a
/// function, `let`, `with`, `assert`, or a call gone through for `through`. `None` for
/// anything else (a set literal, `//`, `mkMerge`, a value the editor cannot see inside).
pub(crate) fn unwrap_one(
    tree: &Tree,
    expr: &ast::Expr,
    through: Through,
) -> Option<(WrapperKind, ast::Expr)> {
    let text = |n: &rnix::SyntaxNode| squeeze(&tree.node_text(n));
    match expr {
        ast::Expr::Lambda(l) => Some((
            WrapperKind::Function {
                parameter: l.param().map(|p| text(p.syntax())).unwrap_or_default(),
            },
            l.body()?,
        )),
        ast::Expr::LetIn(l) => {
            let body = l.body()?;
            Some(match let_bound(l, &body) {
                Some((name, value)) => (WrapperKind::LetBound { name }, value),
                None => (WrapperKind::Let, body),
            })
        }
        ast::Expr::With(w) => Some((
            WrapperKind::With {
                namespace: w.namespace().map(|n| text(n.syntax())).unwrap_or_default(),
            },
            w.body()?,
        )),
        ast::Expr::Assert(a) => Some((WrapperKind::Assert, a.body()?)),
        ast::Expr::Apply(a) => {
            let (head, argument) = through_call(tree, a, through)?;
            Some((
                WrapperKind::Call {
                    function: text(head.syntax()),
                },
                argument,
            ))
        }
        _ => None,
    }
}

/// For `let … name = value; … in name`: the name and the value. `None` when the body is
/// anything but a name the `let` binds with a binding of its own (not an `inherit`, nor
/// dotted bindings under it).
fn let_bound(l: &ast::LetIn, body: &ast::Expr) -> Option<(String, ast::Expr)> {
    let ast::Expr::Ident(ident) = unparen(body.clone()) else {
        return None;
    };
    let name = ident.syntax().to_string();
    let mut bindings = l.attrpath_values().filter(|av| {
        av.attrpath()
            .and_then(|p| p.attrs().next())
            .is_some_and(|a| attr_name(&a).as_deref() == Some(name.as_str()))
    });
    let (Some(only), None) = (bindings.next(), bindings.next()) else {
        return None;
    };
    match only.attrpath()?.attrs().count() {
        1 => Some((name, only.value()?)),
        _ => None,
    }
}

/// `text` on one line, runs of whitespace made one space: a parameter pattern or a
/// function written over several lines, for a message.
fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `expr` without the parentheses around it.
pub(crate) fn unparen(mut expr: ast::Expr) -> ast::Expr {
    while let ast::Expr::Paren(p) = &expr {
        match p.expr() {
            Some(inner) => expr = inner,
            None => break,
        }
    }
    expr
}

/// The function of `call` (its head, below every argument) and the arguments, first
/// first.
fn head_and_arguments(call: &ast::Apply) -> Option<(ast::Expr, Vec<ast::Expr>)> {
    let mut args = vec![call.argument()?];
    let mut head = call.lambda()?;
    while let ast::Expr::Apply(inner) = unparen(head.clone()) {
        args.push(inner.argument()?);
        head = inner.lambda()?;
    }
    args.reverse();
    Some((unparen(head), args))
}

/// The last name of a function: `mkIf` for `lib.mkIf`, `mkShell` for `mkShell`.
fn last_name(head: &ast::Expr) -> Option<String> {
    match head {
        ast::Expr::Ident(i) => Some(i.syntax().to_string()),
        ast::Expr::Select(s) => attr_name(&s.attrpath()?.attrs().last()?),
        _ => None,
    }
}

/// Functions whose set argument is not what their result is made of: `import ./x.nix { … }`
/// and `callPackage ./pkg { … }` give the set to the file's function as its arguments.
const NOT_THROUGH: &[&str] = &["import", "callPackage", "callPackages"];

/// The function `call` applies and the argument a path goes into, when it goes through the
/// call: the last argument of a call of a function named to `look_through` (whatever it
/// is), or the last argument of any other call when that argument is a set — a set literal,
/// or a value made of sets the way this module sees them (`//`, `mkMerge`, another such
/// call). For [`Through::Value`], not through `import`, `callPackage`, or a call given a
/// path (`./x.nix`): their set is the arguments of the file they load.
pub(crate) fn through_call(
    tree: &Tree,
    call: &ast::Apply,
    through: Through,
) -> Option<(ast::Expr, ast::Expr)> {
    let (head, args) = head_and_arguments(call)?;
    let name = last_name(&head);
    let last = call.argument()?;
    if let (Some(name), Some(names)) = (&name, tree.through()) {
        if names.contains(name) {
            return Some((head, last));
        }
    }
    let loads_a_file = name.as_deref().is_some_and(|n| NOT_THROUGH.contains(&n))
        || args.iter().any(|a| {
            matches!(
                unparen(a.clone()),
                ast::Expr::PathAbs(_)
                    | ast::Expr::PathRel(_)
                    | ast::Expr::PathHome(_)
                    | ast::Expr::PathSearch(_)
            )
        });
    if loads_a_file && through == Through::Value {
        return None;
    }
    set_like(tree, &last).then_some((head, last))
}

/// Whether `expr` is a value a call's argument can be gone into as a set: a set literal
/// (through parentheses, `let`, `with`, `assert`), a `//` chain with such an operand, a
/// `mkMerge` list, or a call that is gone through. A function is not: its body is what a
/// call makes of it.
fn set_like(tree: &Tree, expr: &ast::Expr) -> bool {
    match unparen(expr.clone()) {
        ast::Expr::AttrSet(_) => true,
        ast::Expr::LetIn(l) => l.body().is_some_and(|b| set_like(tree, &b)),
        ast::Expr::With(w) => w.body().is_some_and(|b| set_like(tree, &b)),
        ast::Expr::Assert(a) => a.body().is_some_and(|b| set_like(tree, &b)),
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            let mut operands = Vec::new();
            update_operands(ast::Expr::BinOp(b), &mut operands);
            operands.iter().any(|o| set_like(tree, o))
        }
        ast::Expr::Apply(a) => {
            merge_list(&a).is_some() || through_call(tree, &a, Through::Value).is_some()
        }
        _ => false,
    }
}

/// The operands of a `//` chain, left to right: `a // b // c` is `a // (b // c)` to Nix,
/// and three operands here.
pub(crate) fn update_operands(expr: ast::Expr, out: &mut Vec<ast::Expr>) {
    match unparen(expr.clone()) {
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            if let (Some(lhs), Some(rhs)) = (b.lhs(), b.rhs()) {
                update_operands(lhs, out);
                update_operands(rhs, out);
            }
        }
        _ => out.push(expr),
    }
}

/// For `lib.mkMerge [ … ]`: the function as written and the list literal.
pub(crate) fn merge_list(call: &ast::Apply) -> Option<(String, ast::List)> {
    let head = unparen(call.lambda()?);
    if last_name(&head).as_deref() != Some("mkMerge") {
        return None;
    }
    match unparen(call.argument()?) {
        ast::Expr::List(list) => Some((squeeze(&head.syntax().to_string()), list)),
        _ => None,
    }
}

/// The set literals `expr` is made of, in source order, pushed onto `out`; whether every
/// part of it was seen (false when a part is a value the editor cannot see inside: a
/// variable, a call it does not go through). `through` is for `expr`'s own wrappers: the
/// operands of `//` and the elements of `mkMerge` are looked into for what they bind, since
/// that is what the path walk asks of them.
pub(crate) fn sets_of(
    tree: &Tree,
    expr: &ast::Expr,
    through: Through,
    out: &mut Vec<ast::AttrSet>,
) -> bool {
    let expr = unparen(expr.clone());
    if let Some((_, inside)) = unwrap_one(tree, &expr, through) {
        return sets_of(tree, &inside, through, out);
    }
    match expr {
        ast::Expr::AttrSet(set) => {
            out.push(set);
            true
        }
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            let mut operands = Vec::new();
            update_operands(ast::Expr::BinOp(b), &mut operands);
            // every operand, not only up to the first unseen one: their sets count too
            let mut all = true;
            for o in &operands {
                all &= sets_of(tree, o, Through::Value, out);
            }
            all
        }
        ast::Expr::Apply(a) => match merge_list(&a) {
            Some((_, list)) => {
                let mut all = true;
                for e in list.items() {
                    all &= sets_of(tree, &e, Through::Value, out);
                }
                all
            }
            None => false,
        },
        _ => false,
    }
}

/// Whether a value binds a name at its top, as far as the editor can tell ([`binds_name`]).
pub(crate) enum Binds {
    /// One of the set literals it is made of binds the name.
    Yes,
    /// None does, and every part of it was seen.
    No,
    /// None does as far as the editor sees, but a part it cannot see might.
    Unknown(Unseen),
}

/// What the editor cannot see in a value: a part it cannot see inside (a variable, a call
/// it does not go through), or a name computed when the file is evaluated (`${n} = …;`).
#[derive(Clone)]
pub(crate) struct Unseen {
    /// Where it is.
    pub(crate) span: Range<usize>,
    /// What it is, in words: "the variable `extra`", "the computed name `${n}`".
    pub(crate) found: String,
}

/// Whether the value `expr` binds `name` at its top: [`Binds::Yes`] when one of the set
/// literals it is made of does, [`Binds::Unknown`] when none does but one of them has a
/// computed name or a part of the value cannot be seen inside, [`Binds::No`] otherwise.
pub(crate) fn binds_name(tree: &Tree, expr: &ast::Expr, name: &str) -> Binds {
    binds_name_but(tree, expr, name, &[])
}

/// [`binds_name`] as it will be once the entries whose ranges are in `doomed` are gone.
pub(crate) fn binds_name_but(
    tree: &Tree,
    expr: &ast::Expr,
    name: &str,
    doomed: &[Range<usize>],
) -> Binds {
    let mut sets = Vec::new();
    let all = sets_of(tree, expr, Through::Value, &mut sets);
    let mut computed = None;
    for set in &sets {
        for entry in set.entries() {
            if doomed.contains(&range(entry.syntax())) {
                continue;
            }
            match entry_binds(&entry, name) {
                Some(true) => return Binds::Yes,
                Some(false) => {}
                None => {
                    computed.get_or_insert(entry);
                }
            }
        }
    }
    if let Some(entry) = computed {
        let attr = match &entry {
            ast::Entry::AttrpathValue(av) => av.attrpath().and_then(|p| p.attrs().next()),
            ast::Entry::Inherit(inh) => inh.attrs().find(|a| attr_name(a).is_none()),
        };
        let node = attr.map_or(entry.syntax().clone(), |a| a.syntax().clone());
        return Binds::Unknown(Unseen {
            span: range(&node),
            found: format!("the computed name `{}`", squeeze(&node.to_string())),
        });
    }
    if all {
        Binds::No
    } else {
        Binds::Unknown(Unseen {
            span: span_of(expr),
            found: describe(&unparen(expr.clone())),
        })
    }
}

/// Whether `entry` binds `name`: a binding whose path starts with it, or an `inherit` of
/// it; `None` when its name is computed (`${n} = …;`), so that it might.
pub(crate) fn entry_binds(entry: &ast::Entry, name: &str) -> Option<bool> {
    let attrs: Vec<ast::Attr> = match entry {
        ast::Entry::Inherit(inh) => inh.attrs().collect(),
        ast::Entry::AttrpathValue(av) => av
            .attrpath()
            .and_then(|p| p.attrs().next())
            .into_iter()
            .collect(),
    };
    let mut unknown = false;
    for a in &attrs {
        match attr_name(a) {
            Some(n) if n == name => return Some(true),
            Some(_) => {}
            None => unknown = true,
        }
    }
    (!unknown).then_some(false)
}

/// Whether `expr` reaches a set literal without going through a call: through
/// parentheses, a function, `let`, `with` or `assert`, or as a `//` chain with such an
/// operand. `lib.optionalAttrs c { … }` does not: what is written there may not count.
pub(crate) fn plain_set(tree: &Tree, expr: &ast::Expr) -> bool {
    match unparen(expr.clone()) {
        ast::Expr::AttrSet(_) => true,
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            let mut operands = Vec::new();
            update_operands(ast::Expr::BinOp(b), &mut operands);
            operands.iter().any(|o| plain_set(tree, o))
        }
        ast::Expr::Apply(_) => false,
        other => unwrap_one(tree, &other, Through::Value)
            .is_some_and(|(_, inside)| plain_set(tree, &inside)),
    }
}

/// The byte range of `expr`, for wrappers and errors.
pub(crate) fn span_of(expr: &ast::Expr) -> Range<usize> {
    range(expr.syntax())
}

/// Whether `expr` is a call of a function named to `look_through`.
pub(crate) fn looked_through(tree: &Tree, expr: &ast::Expr) -> bool {
    let ast::Expr::Apply(call) = unparen(expr.clone()) else {
        return false;
    };
    let Some((head, _)) = head_and_arguments(&call) else {
        return false;
    };
    match (last_name(&head), tree.through()) {
        (Some(name), Some(names)) => names.contains(&name),
        _ => false,
    }
}
