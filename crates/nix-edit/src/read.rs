//! Reading what a document says without evaluating it: every expression seen as what it
//! statically is — a set with its entries, a list, a literal, a variable together with the
//! `let` or `rec` binding it names, a call with its arguments, … — for tools that check the
//! shapes of a file's values (is this port an integer, is this key an option) rather than
//! their meaning. Parentheses are looked through; nothing is ever evaluated or guessed.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::reach::unparen;
use crate::syntax::{attr_name, describe, range, static_string};

/// One expression of a document.
#[derive(Debug, Clone)]
pub struct Value {
    inner: Inner,
}

#[derive(Debug, Clone)]
enum Inner {
    /// An expression of the document.
    Expr(ast::Expr),
    /// The value an `inherit` gives a name: `inherit (from) name;` or `inherit name;`.
    Inherited {
        from: Option<ast::Expr>,
        name: String,
        node: SyntaxNode,
    },
}

/// What a [`Value`] statically is.
#[derive(Debug, Clone)]
pub enum Shape {
    /// An attribute set literal (`rec` or not), its entries in source order.
    Set(Vec<Entry>),
    /// A list literal.
    List(Vec<Value>),
    /// `true` or `false` (where no binding shadows them).
    Bool(bool),
    /// An integer literal, negated or not.
    Int(i64),
    /// A floating-point literal, negated or not.
    Float(f64),
    /// `null` (where no binding shadows it).
    Null,
    /// A string literal: its text when it has no interpolation.
    Str(Option<String>),
    /// A path literal: `./x`, `/x`, `~/x`, `<x>`.
    Path,
    /// A function; its body.
    Lambda(Value),
    /// `let … in body`: the body (the bindings resolve through [`Shape::Variable`]).
    Let(Value),
    /// `with namespace; body`.
    With {
        /// The value whose attributes come into scope.
        namespace: Value,
        /// The expression they are in scope of.
        body: Value,
    },
    /// `assert c; body`: the body.
    Assert(Value),
    /// `if c then a else b`: both branches.
    If {
        /// The value when the condition holds.
        then: Value,
        /// The value when it does not.
        otherwise: Value,
    },
    /// A name, with what binds it.
    Variable {
        /// The name as written.
        name: String,
        /// The binding it refers to.
        bound_by: BoundBy,
    },
    /// `base.a.b` (static names), possibly with an `or` default.
    Select {
        /// The value selected from.
        base: Value,
        /// The names selected, in order.
        path: Vec<String>,
        /// The value after `or`, when there is one.
        default: Option<Value>,
    },
    /// `f a b`: the function and its arguments, in order.
    Call {
        /// The function (itself no call).
        function: Value,
        /// The arguments, first to last.
        args: Vec<Value>,
    },
    /// `a ++ b ++ c`.
    Concat(Vec<Value>),
    /// `a // b // c`.
    Update(Vec<Value>),
    /// `a + b + c`.
    Add(Vec<Value>),
    /// Any other expression, described (`a comparison`, `an attribute test`, …).
    Other(String),
}

/// What a name refers to.
#[derive(Debug, Clone)]
pub enum BoundBy {
    /// A `let` binding, or an entry of an enclosing `rec` set: its value.
    Let(Value),
    /// A parameter of an enclosing function.
    Argument,
    /// Bound by no `let`, `rec` or function: it comes from the innermost `with`, if any
    /// (this is its namespace) — or it is a builtin or undefined.
    With(Value),
    /// Bound by nothing around it.
    Nothing,
}

/// A name the document reads, with the attribute names it selects from it: `pkgs.git` in
/// `pkgs.git.out` or in `inherit (pkgs) git;`, a bare `jq` under `with pkgs;`.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The name read.
    pub name: String,
    /// The static attribute names selected from it, up to the first computed one.
    pub path: Vec<String>,
    /// What binds the name where it is read.
    pub bound_by: BoundBy,
    /// Where the name is read.
    pub span: Range<usize>,
}

/// One entry of an attribute set: `a.b.c = value;` or an `inherit`ed name.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The attribute path's names; `None` for a name computed at evaluation (`${x}`).
    pub names: Vec<Option<String>>,
    /// Where each name is written.
    pub name_spans: Vec<Range<usize>>,
    /// The value bound.
    pub value: Value,
}

impl Value {
    pub(crate) fn of(expr: ast::Expr) -> Value {
        Value {
            inner: Inner::Expr(unparen(expr)),
        }
    }

    /// Where the value is written.
    pub fn span(&self) -> Range<usize> {
        match &self.inner {
            Inner::Expr(e) => range(e.syntax()),
            Inner::Inherited { node, .. } => range(node),
        }
    }

    /// The value's source text.
    pub fn text(&self) -> String {
        match &self.inner {
            Inner::Expr(e) => e.syntax().to_string(),
            Inner::Inherited {
                from: Some(from),
                name,
                ..
            } => format!("{}.{name}", from.syntax()),
            Inner::Inherited { name, .. } => name.clone(),
        }
    }

    /// What the expression is, in words: "a function call", "the variable `x`", ….
    pub fn describe(&self) -> String {
        match &self.inner {
            Inner::Expr(e) => describe(e),
            Inner::Inherited { from: Some(_), .. } => "an attribute of another value".into(),
            Inner::Inherited { name, .. } => format!("the variable `{name}`"),
        }
    }

    /// Whether the value is a name an `inherit` gives, which has no expression of its own
    /// to stand in for it.
    pub fn is_inherited(&self) -> bool {
        matches!(self.inner, Inner::Inherited { .. })
    }

    /// The names of a function's formal parameters (`{ pkgs, lib ? x, ... }@args: …` has
    /// `pkgs` and `lib`), the names a caller passes; `None` when the value is no function of
    /// an attribute set.
    pub fn parameters(&self) -> Option<Vec<String>> {
        let Inner::Expr(ast::Expr::Lambda(l)) = &self.inner else {
            return None;
        };
        let ast::Param::Pattern(p) = l.param()? else {
            return None;
        };
        let names = p.pat_entries().filter_map(|e| e.ident());
        Some(names.map(|i| i.syntax().to_string()).collect())
    }

    /// What the value statically is.
    pub fn shape(&self) -> Shape {
        match &self.inner {
            Inner::Expr(e) => shape_of(e),
            Inner::Inherited {
                from: Some(from),
                name,
                ..
            } => Shape::Select {
                base: Value::of(from.clone()),
                path: vec![name.clone()],
                default: None,
            },
            Inner::Inherited { name, node, .. } => variable(name, node),
        }
    }
}

fn shape_of(e: &ast::Expr) -> Shape {
    let value = |e: Option<ast::Expr>| e.map(Value::of);
    let other = || Shape::Other(describe(e));
    let shape = match e {
        ast::Expr::AttrSet(set) => Some(Shape::Set(entries(set))),
        ast::Expr::List(list) => Some(Shape::List(list.items().map(Value::of).collect())),
        ast::Expr::Literal(lit) => Some(literal(lit)),
        ast::Expr::UnaryOp(op) => negated(op),
        ast::Expr::Str(s) => Some(Shape::Str(static_string(s))),
        ast::Expr::PathAbs(_)
        | ast::Expr::PathRel(_)
        | ast::Expr::PathHome(_)
        | ast::Expr::PathSearch(_) => Some(Shape::Path),
        ast::Expr::Lambda(l) => value(l.body()).map(Shape::Lambda),
        ast::Expr::LetIn(l) => value(l.body()).map(Shape::Let),
        ast::Expr::With(w) => value(w.namespace())
            .zip(value(w.body()))
            .map(|(namespace, body)| Shape::With { namespace, body }),
        ast::Expr::Assert(a) => value(a.body()).map(Shape::Assert),
        ast::Expr::IfElse(i) => value(i.body())
            .zip(value(i.else_body()))
            .map(|(then, otherwise)| Shape::If { then, otherwise }),
        ast::Expr::Ident(i) => Some(variable(&i.syntax().to_string(), i.syntax())),
        ast::Expr::Select(s) => select(s),
        ast::Expr::Apply(a) => Some(call(a)),
        ast::Expr::BinOp(b) => binary(b),
        _ => None,
    };
    shape.unwrap_or_else(other)
}

fn literal(lit: &ast::Literal) -> Shape {
    let text = lit.syntax().to_string();
    match lit.kind() {
        ast::LiteralKind::Integer(_) => text
            .parse()
            .map_or(Shape::Other("an integer".into()), Shape::Int),
        ast::LiteralKind::Float(_) => text
            .parse()
            .map_or(Shape::Other("a float".into()), Shape::Float),
        ast::LiteralKind::Uri(_) => Shape::Str(Some(text)),
    }
}

/// `-5`, `-1.5`: the literal, negated.
fn negated(op: &ast::UnaryOp) -> Option<Shape> {
    if op.operator()? != ast::UnaryOpKind::Negate {
        return None;
    }
    match shape_of(&op.expr()?) {
        Shape::Int(n) => Some(Shape::Int(n.checked_neg()?)),
        Shape::Float(f) => Some(Shape::Float(-f)),
        _ => None,
    }
}

fn entries(set: &impl HasEntry) -> Vec<Entry> {
    let mut out = Vec::new();
    for entry in set.entries() {
        match entry {
            ast::Entry::AttrpathValue(av) => {
                let (Some(path), Some(value)) = (av.attrpath(), av.value()) else {
                    continue;
                };
                let attrs: Vec<ast::Attr> = path.attrs().collect();
                out.push(Entry {
                    names: attrs.iter().map(attr_name).collect(),
                    name_spans: attrs.iter().map(|a| range(a.syntax())).collect(),
                    value: Value::of(value),
                });
            }
            ast::Entry::Inherit(inh) => {
                let from = inh.from().and_then(|f| f.expr());
                for attr in inh.attrs() {
                    let Some(name) = attr_name(&attr) else {
                        continue;
                    };
                    out.push(Entry {
                        names: vec![Some(name.clone())],
                        name_spans: vec![range(attr.syntax())],
                        value: Value {
                            inner: Inner::Inherited {
                                from: from.clone(),
                                name,
                                node: attr.syntax().clone(),
                            },
                        },
                    });
                }
            }
        }
    }
    out
}

fn select(s: &ast::Select) -> Option<Shape> {
    let names: Option<Vec<String>> = s.attrpath()?.attrs().map(|a| attr_name(&a)).collect();
    Some(Shape::Select {
        base: Value::of(s.expr()?),
        path: names?,
        default: s.default_expr().map(Value::of),
    })
}

/// `f a b` is `(f a) b`: the innermost function, and the arguments in order.
fn call(a: &ast::Apply) -> Shape {
    let mut args = Vec::new();
    let mut cur = ast::Expr::Apply(a.clone());
    while let ast::Expr::Apply(app) = unparen(cur.clone()) {
        match (app.lambda(), app.argument()) {
            (Some(f), Some(arg)) => {
                args.push(Value::of(arg));
                cur = f;
            }
            _ => break,
        }
    }
    args.reverse();
    Shape::Call {
        function: Value::of(cur),
        args,
    }
}

/// `++`, `//` and `+` chains, flattened; other operators are described.
fn binary(b: &ast::BinOp) -> Option<Shape> {
    let op = b.operator()?;
    let make: fn(Vec<Value>) -> Shape = match op {
        ast::BinOpKind::Concat => Shape::Concat,
        ast::BinOpKind::Update => Shape::Update,
        ast::BinOpKind::Add => Shape::Add,
        _ => return None,
    };
    let mut operands = Vec::new();
    flatten(ast::Expr::BinOp(b.clone()), op, &mut operands);
    Some(make(operands))
}

fn flatten(e: ast::Expr, op: ast::BinOpKind, out: &mut Vec<Value>) {
    match unparen(e) {
        ast::Expr::BinOp(b) if b.operator() == Some(op) => {
            if let Some(l) = b.lhs() {
                flatten(l, op, out);
            }
            if let Some(r) = b.rhs() {
                flatten(r, op, out);
            }
        }
        other => out.push(Value::of(other)),
    }
}

/// A name at `node`, with what binds it: the closest `let`, `rec` set or function around it
/// wins; a `with` only supplies names nothing else binds.
fn variable(name: &str, node: &SyntaxNode) -> Shape {
    let bound_by = binding_of(name, node);
    match (&bound_by, name) {
        (BoundBy::Nothing | BoundBy::With(_), "true") => Shape::Bool(true),
        (BoundBy::Nothing | BoundBy::With(_), "false") => Shape::Bool(false),
        (BoundBy::Nothing | BoundBy::With(_), "null") => Shape::Null,
        _ => Shape::Variable {
            name: name.to_string(),
            bound_by,
        },
    }
}

pub(crate) fn binding_of(name: &str, node: &SyntaxNode) -> BoundBy {
    // `inherit x;` reads `x` from outside the set it stands in, even a `rec` one.
    let skip_set = node
        .parent()
        .filter(|p| p.kind() == SyntaxKind::NODE_INHERIT)
        .and_then(|p| p.parent());
    let mut with: Option<Value> = None;
    for scope in node.ancestors().skip(1) {
        if skip_set.as_ref() == Some(&scope) {
            continue;
        }
        if let Some(bound) = bound_in(name, &scope) {
            return bound;
        }
        if with.is_none() {
            with = ast::With::cast(scope.clone())
                .filter(|w| {
                    w.body()
                        .is_some_and(|b| b.syntax().text_range().contains_range(node.text_range()))
                })
                .and_then(|w| w.namespace())
                .map(Value::of);
        }
    }
    with.map_or(BoundBy::Nothing, BoundBy::With)
}

/// What `scope` binds `name` to, if it binds it.
fn bound_in(name: &str, scope: &SyntaxNode) -> Option<BoundBy> {
    if let Some(l) = ast::LetIn::cast(scope.clone()) {
        return let_value(name, &l).map(BoundBy::Let);
    }
    if let Some(set) = ast::AttrSet::cast(scope.clone()).filter(|s| s.rec_token().is_some()) {
        return let_value(name, &set).map(BoundBy::Let);
    }
    let lambda = ast::Lambda::cast(scope.clone())?;
    let binds = match lambda.param()? {
        ast::Param::IdentParam(p) => p.ident().is_some_and(|i| i.syntax().to_string() == name),
        ast::Param::Pattern(p) => {
            p.pat_bind()
                .and_then(|b| b.ident())
                .is_some_and(|i| i.syntax().to_string() == name)
                || p.pat_entries()
                    .any(|e| e.ident().is_some_and(|i| i.syntax().to_string() == name))
        }
    };
    binds.then_some(BoundBy::Argument)
}

/// The value `entries` give `name` with a binding of that one name.
fn let_value(name: &str, scope: &impl HasEntry) -> Option<Value> {
    entries(scope)
        .into_iter()
        .find(|e| e.names.len() == 1 && e.names[0].as_deref() == Some(name))
        .map(|e| e.value)
}

/// Where a `let` around the document's value (through its function, `with` and `assert`)
/// binds `name`: the binding's span.
pub(crate) fn outer_let_binding(root_expr: ast::Expr, name: &str) -> Option<Range<usize>> {
    let mut expr = unparen(root_expr);
    loop {
        expr = match expr {
            ast::Expr::Lambda(l) => unparen(l.body()?),
            ast::Expr::With(w) => unparen(w.body()?),
            ast::Expr::Assert(a) => unparen(a.body()?),
            ast::Expr::LetIn(l) => {
                let found = l.entries().find_map(|e| match e {
                    ast::Entry::AttrpathValue(av) => {
                        let attrs: Vec<ast::Attr> = av.attrpath()?.attrs().collect();
                        let first = attrs.first().and_then(attr_name);
                        (first.as_deref() == Some(name)).then(|| range(av.syntax()))
                    }
                    ast::Entry::Inherit(_) => None,
                });
                if found.is_some() {
                    return found;
                }
                unparen(l.body()?)
            }
            _ => return None,
        }
    }
}

/// Every name read below `root`, in source order.
pub(crate) fn references(root: &SyntaxNode) -> Vec<Reference> {
    let mut out = Vec::new();
    for node in root.descendants() {
        if let Some(ident) = ast::Ident::cast(node.clone()).filter(|_| is_read(&node)) {
            let name = ident.syntax().to_string();
            out.push(Reference {
                bound_by: binding_of(&name, &node),
                path: selected(&node),
                span: range(&node),
                name,
            });
        }
        if let Some(inherit) = ast::Inherit::cast(node) {
            out.extend(inherited(&inherit));
        }
    }
    out
}

/// Whether an identifier reads a name (rather than naming an attribute or a parameter).
fn is_read(node: &SyntaxNode) -> bool {
    !node.parent().is_some_and(|p| {
        matches!(
            p.kind(),
            SyntaxKind::NODE_ATTRPATH
                | SyntaxKind::NODE_INHERIT
                | SyntaxKind::NODE_IDENT_PARAM
                | SyntaxKind::NODE_PAT_ENTRY
                | SyntaxKind::NODE_PAT_BIND
        )
    })
}

/// The static names a select takes from the identifier `node`, when it is the select's base.
fn selected(node: &SyntaxNode) -> Vec<String> {
    let Some(select) = node.parent().and_then(ast::Select::cast) else {
        return Vec::new();
    };
    if select.expr().map(|e| e.syntax().clone()).as_ref() != Some(node) {
        return Vec::new();
    }
    let attrs = select.attrpath().into_iter().flat_map(|p| p.attrs());
    attrs.map_while(|a| attr_name(&a)).collect()
}

/// `inherit (x.y) a b;` reads `x.y.a` and `x.y.b`; `inherit a;` reads `a` from outside.
fn inherited(inherit: &ast::Inherit) -> Vec<Reference> {
    let from = inherit.from().and_then(|f| f.expr());
    let base = from.clone().and_then(base_ident);
    if from.is_some() && base.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for attr in inherit.attrs() {
        let Some(name) = attr_name(&attr) else {
            continue;
        };
        let reference = match &base {
            None => Reference {
                bound_by: binding_of(&name, attr.syntax()),
                path: Vec::new(),
                span: range(attr.syntax()),
                name,
            },
            Some(base) => {
                let base_name = base.to_string();
                Reference {
                    bound_by: binding_of(&base_name, base),
                    path: selected(base).into_iter().chain([name]).collect(),
                    span: range(attr.syntax()),
                    name: base_name,
                }
            }
        };
        out.push(reference);
    }
    out
}

/// The identifier an expression selects from: `x` in `x` and in `x.a.b`.
fn base_ident(e: ast::Expr) -> Option<SyntaxNode> {
    match unparen(e) {
        ast::Expr::Ident(i) => Some(i.syntax().clone()),
        ast::Expr::Select(s) => match s.expr()? {
            ast::Expr::Ident(i) => Some(i.syntax().clone()),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::NixDocument;

    fn shape(text: &str) -> Shape {
        NixDocument::parse("t.nix", text).unwrap().value().shape()
    }

    fn set(shape: Shape) -> Vec<Entry> {
        match shape {
            Shape::Set(entries) => entries,
            other => panic!("not a set: {other:?}"),
        }
    }

    #[test]
    fn a_module_is_a_function_of_a_set_whose_entries_name_their_paths() {
        let Shape::Lambda(body) = shape("{ pkgs, ... }: { a.b = 1; \"c.d\" = -2.5; }") else {
            panic!("not a function")
        };
        let entries = set(body.shape());
        assert_eq!(entries[0].names, [Some("a".into()), Some("b".into())]);
        assert!(matches!(entries[0].value.shape(), Shape::Int(1)));
        assert_eq!(entries[1].names, [Some("c.d".into())]);
        assert!(matches!(entries[1].value.shape(), Shape::Float(f) if f == -2.5));
    }

    #[test]
    fn names_resolve_to_their_let_rec_function_or_with() {
        let entries = set(shape("let p = 5; in { port = p; }").let_body());
        let Shape::Variable {
            name,
            bound_by: BoundBy::Let(v),
        } = entries[0].value.shape()
        else {
            panic!()
        };
        assert_eq!(name, "p");
        assert!(matches!(v.shape(), Shape::Int(5)));
        let Shape::Lambda(body) = shape("pkgs: with pkgs; [ tmux pkgs ]") else {
            panic!()
        };
        let Shape::With { body, .. } = body.shape() else {
            panic!()
        };
        let Shape::List(items) = body.shape() else {
            panic!()
        };
        assert!(
            matches!(&items[0].shape(), Shape::Variable { bound_by: BoundBy::With(ns), .. } if ns.text() == "pkgs")
        );
        assert!(matches!(
            &items[1].shape(),
            Shape::Variable {
                bound_by: BoundBy::Argument,
                ..
            }
        ));
        let entries = set(shape("rec { a = 1; b = a; inherit c; }"));
        assert!(matches!(
            &entries[1].value.shape(),
            Shape::Variable {
                bound_by: BoundBy::Let(_),
                ..
            }
        ));
        assert!(matches!(
            &entries[2].value.shape(),
            Shape::Variable {
                bound_by: BoundBy::Nothing,
                ..
            }
        ));
    }

    #[test]
    fn calls_selects_and_operators_break_down() {
        let entries = set(shape("{ a = lib.mkIf cond { x = true; }; inherit (pkgs) git; l = [ 1 ] ++ b ++ [ 2 ]; s = \"x${y}\"; }"));
        let Shape::Call { function, args } = entries[0].value.shape() else {
            panic!()
        };
        assert_eq!(function.text(), "lib.mkIf");
        assert_eq!(args.len(), 2);
        assert!(matches!(
            set(args[1].shape())[0].value.shape(),
            Shape::Bool(true)
        ));
        let Shape::Select { base, path, .. } = entries[1].value.shape() else {
            panic!()
        };
        assert_eq!(
            (base.text(), path),
            ("pkgs".to_string(), vec!["git".to_string()])
        );
        assert!(matches!(entries[2].value.shape(), Shape::Concat(v) if v.len() == 3));
        assert!(matches!(entries[3].value.shape(), Shape::Str(None)));
        let shadowed = set(shape("let true = 1; in { a = true; }").let_body());
        assert!(matches!(shadowed[0].value.shape(), Shape::Variable { .. }));
    }

    #[test]
    fn references_name_what_is_read_and_what_is_selected_from_it() {
        let doc = NixDocument::parse(
            "t.nix",
            "{ pkgs, lib, ... }@args: with pkgs; { a = pkgs.beam.${v}.x; inherit (pkgs.python3) flask; b = [ jq ]; c = { x }: x; }",
        )
        .unwrap();
        let params = doc.value().parameters().unwrap();
        assert_eq!(params, ["pkgs", "lib"]);
        let read: Vec<(String, Vec<String>, bool)> = doc
            .references()
            .into_iter()
            .map(|r| {
                let with = matches!(r.bound_by, BoundBy::With(_));
                (r.name, r.path, with)
            })
            .collect();
        let owned = |n: &str, p: &[&str], w: bool| {
            (
                n.to_string(),
                p.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                w,
            )
        };
        assert!(read.contains(&owned("pkgs", &["beam"], false)), "{read:?}");
        assert!(read.contains(&owned("v", &[], true)), "{read:?}");
        assert!(read.contains(&owned("pkgs", &["python3", "flask"], false)));
        assert!(read.contains(&owned("jq", &[], true)));
        assert!(read.contains(&owned("x", &[], false)));
        // Attribute names and parameters are not reads.
        assert!(!read
            .iter()
            .any(|(n, _, _)| n == "a" || n == "flask" || n == "args"));
        let Shape::Lambda(body) = doc.value().shape() else {
            panic!()
        };
        let Shape::With { body, .. } = body.shape() else {
            panic!()
        };
        let entries = set(body.shape());
        assert!(entries[1].value.is_inherited() && !entries[0].value.is_inherited());
    }

    impl Shape {
        fn let_body(self) -> Shape {
            match self {
                Shape::Let(body) => body.shape(),
                other => panic!("not a let: {other:?}"),
            }
        }
    }
}
