//! Lists: the list literals a value is made of ([`ListLiteral`], found by
//! [`collect_lists`] through `++` chains, `with` and conditional calls), element
//! comparison by syntax, and the internals of `add`, `add_when` and `remove`.

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::document::NixDocument;
use crate::ident::is_ident;
use crate::lookup::Lookup;
use crate::path::AttrPath;
use crate::splice::Splice;
use crate::syntax::{check_expr, range, same_expr, significant_tokens};
use crate::Result;

/// A list literal, and the namespace of the `with` around it, if any.
pub(crate) struct ListLiteral {
    pub(crate) node: ast::List,
    with_namespace: Option<String>,
    /// The last argument of a call in the chain, like `lib.optionals cond [ … ]`: its
    /// elements count as present and can be removed; `add` leaves it alone, `add_when`
    /// with the same call puts elements into it.
    pub(crate) conditional: bool,
    /// For a conditional list, the call before it: `lib.optionals cond`.
    pub(crate) call: Option<String>,
}

impl ListLiteral {
    /// The index of the element equal to `expr` by syntax.
    pub(crate) fn position(&self, text: &str, expr: &str) -> Option<usize> {
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
                if !spelled && rest.split('.').all(is_ident) {
                    return rest.to_string();
                }
            }
        }
        expr.to_string()
    }
}

/// Push the list literals `expr` is made of onto `out`; `ns` is the namespace of the `with`
/// around `expr`, if any.
pub(crate) fn collect_lists(expr: ast::Expr, ns: Option<String>, out: &mut Vec<ListLiteral>) {
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

/// Where `add` puts an element.
enum AddTarget {
    /// Nothing is bound at the path: the list is created.
    Unbound,
    /// The element is in the list already.
    Present,
    /// The list literals of the value bound at the path, and that value.
    Lists(Vec<ListLiteral>, SyntaxNode),
}

impl NixDocument {
    /// Make sure `expr` is an element of the list at `path`, creating the list when the
    /// path is unbound. Elements compare by syntax: `pkgs.tmux` equals `pkgs . tmux`, and
    /// inside `with pkgs; [ … ]` also `tmux`. Returns whether the document changed.
    pub(crate) fn add_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
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

    /// Make sure `expr` is an element of the list at `path` given to `call`: into that list
    /// when the chain has one, otherwise as a new `++ call [ expr ]` at the end of the
    /// chain. Returns whether the document changed.
    pub(crate) fn add_when_inner(
        &mut self,
        path: &AttrPath,
        call: &str,
        expr: &str,
    ) -> Result<bool> {
        let expr = check_expr(expr)?;
        let call = check_expr(call)?;
        let (lists, value) = match self.add_target(path, &expr)? {
            AddTarget::Unbound => return self.set_inner(path, &format!("{call} [ {expr} ]")),
            AddTarget::Present => return Ok(false),
            AddTarget::Lists(lists, value) => (lists, value),
        };
        let splice = match lists
            .iter()
            .find(|l| l.call.as_deref().is_some_and(|c| same_expr(c, &call)))
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

    /// Remove `expr` from the list at `path`, comparing elements by syntax. Returns whether
    /// an element was removed.
    pub(crate) fn remove_inner(&mut self, path: &AttrPath, expr: &str) -> Result<bool> {
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

    /// The list literals of the value at `path`, for reading; none when it is unbound.
    pub(crate) fn bound_list_literals(&self, path: &AttrPath) -> Result<Vec<ListLiteral>> {
        match self.lookup(path)? {
            Lookup::Found(av) => self.list_literals(path, &av),
            Lookup::Missing { .. } => Ok(Vec::new()),
            Lookup::Inherited(inh) => {
                Err(self.not_a_list(path, inh.syntax(), "an inherited value"))
            }
            Lookup::Spread(bindings) => Err(self.spread_error(path, &bindings, "read")),
        }
    }
}
