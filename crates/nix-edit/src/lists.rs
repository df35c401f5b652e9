//! List literals: the ones a value is made of ([`ListLiteral`], found by [`collect_lists`]
//! through `++` chains, `with` and conditional calls), finding an element in one by syntax,
//! and writing a new element as its list does. Pure: it reads syntax nodes and the text
//! they are in, and knows nothing of documents or paths.

use rnix::ast;
use rnix::SyntaxKind;
use rowan::ast::AstNode;

use crate::ident::is_ident;
use crate::syntax::{range, significant_tokens};

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
    pub(crate) fn styled(&self, text: &str, expr: &str) -> String {
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
