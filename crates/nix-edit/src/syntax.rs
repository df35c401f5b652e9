//! Reading rnix's syntax: parsing with the first error turned into a span and a message,
//! checking the expressions given to edits, comparing expressions by their tokens, static
//! attribute names, and the small helpers every other module uses on nodes (ranges, what a
//! value is in words).

use std::ops::Range;

use rnix::ast;
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

pub(crate) use crate::depth::ParseFailure;
use crate::error::{Error, ErrorKind, Result};
use crate::path::AttrPath;

/// Parse `text`; refuse it on its first syntax error. Errors without a place (the end of
/// the input came too soon) point at the end.
pub(crate) fn parse_checked(text: &str) -> std::result::Result<SyntaxNode, ParseFailure> {
    let parsed = crate::depth::parse(text, crate::depth::MAX_DEPTH)?;
    if let Some(err) = parsed.errors().first() {
        return Err(ParseFailure {
            span: parse_error_range(err).unwrap_or(text.len()..text.len()),
            message: parse_error_message(err),
        });
    }
    Ok(parsed.syntax())
}

/// Check that `expr` is exactly one Nix expression; return it trimmed. An error's span is
/// in the trimmed expression.
pub(crate) fn check_expr(expr: &str) -> Result<String> {
    let trimmed = expr.trim();
    if let Err(failure) = parse_checked(trimmed) {
        return Err(Error::new(
            ErrorKind::Expression {
                message: failure.message,
            },
            failure.span,
            trimmed,
            None,
        ));
    }
    Ok(trimmed.to_string())
}

/// An expression given to an edit, checked ([`check_expr`]) and split from the `#` comment
/// that ends it, if any: such a comment would swallow whatever the edit writes after the
/// expression on its line (`;`, `]`, `}`), so the edits write the comment after that, at
/// the end of the line — or refuse when more follows there.
pub(crate) struct Given {
    /// The expression without that comment, trimmed: what is written as the value.
    pub(crate) code: String,
    /// The `#` comment that ended it (with any comment before it on its line).
    pub(crate) comment: Option<String>,
    /// The expression as given, trimmed, and where its comment starts: for an error.
    whole: String,
    comment_at: usize,
}

impl Given {
    /// Check `expr` and split off the `#` comment that ends it. Comments on several lines
    /// at its end are refused: no one line can end with them.
    pub(crate) fn parse(expr: &str) -> Result<Given> {
        let whole = check_expr(expr)?;
        let mut offset = 0;
        let mut code_end = 0;
        for (kind, token) in rnix::tokenize(&whole) {
            offset += token.len();
            if !matches!(
                kind,
                SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT
            ) {
                code_end = offset;
            }
        }
        let tail = &whole[code_end..];
        if !tail.contains('#') || code_end == 0 {
            return Ok(Given {
                code: whole.clone(),
                comment: None,
                comment_at: whole.len(),
                whole,
            });
        }
        let comment_at = code_end + (tail.len() - tail.trim_start().len());
        let given = Given {
            code: whole[..code_end].to_string(),
            comment: Some(whole[comment_at..].to_string()),
            comment_at,
            whole: whole.clone(),
        };
        if tail.trim().contains('\n') {
            return Err(given.comment_error());
        }
        Ok(given)
    }

    /// The same comment after other code: `[ code ]` for a list made of the expression.
    pub(crate) fn with_code(&self, code: String) -> Given {
        Given {
            code,
            comment: self.comment.clone(),
            whole: self.whole.clone(),
            comment_at: self.comment_at,
        }
    }

    /// The error when the comment cannot end the line it would go on.
    pub(crate) fn comment_error(&self) -> Error {
        Error::new(
            ErrorKind::TrailingComment,
            self.comment_at..self.whole.len(),
            self.whole.clone(),
            None,
        )
    }
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

/// rnix's error in words, with tokens named as a person would (`;`, "a name").
fn parse_error_message(err: &rnix::ParseError) -> String {
    use rnix::ParseError as P;
    match err {
        P::Unexpected(_) => "unexpected input".into(),
        P::UnexpectedExtra(_) => "unexpected input after the end of the expression".into(),
        P::UnexpectedWanted(found, _, wanted) => {
            let found = kind_name(*found);
            // "unexpected name", not "unexpected a name"
            let found = found
                .strip_prefix("an ")
                .or_else(|| found.strip_prefix("a "))
                .unwrap_or(&found);
            format!("unexpected {found}, expected {}", kinds(wanted))
        }
        P::UnexpectedEOF => "unexpected end of file".into(),
        P::UnexpectedEOFWanted(wanted) => {
            format!("unexpected end of file, expected {}", kinds(wanted))
        }
        other => other.to_string(),
    }
}

/// The tokens a parser wanted, in words: "a name or `or`". `__curPos` is left out: rnix
/// lists it wherever a name may stand, and nobody means to write it.
fn kinds(k: &[SyntaxKind]) -> String {
    k.iter()
        .filter(|k| **k != SyntaxKind::TOKEN_CUR_POS)
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
        K::TOKEN_OR => "`or`".into(),
        K::TOKEN_ERROR => "an invalid character".into(),
        other => format!("{other:?}")
            .trim_start_matches("TOKEN_")
            .to_lowercase()
            .replace('_', " "),
    }
}

/// The tokens of `source` that carry meaning (no whitespace, no comments).
pub(crate) fn significant_tokens(source: &str) -> Vec<(SyntaxKind, String)> {
    rnix::tokenize(source)
        .filter(|(k, _)| !matches!(k, SyntaxKind::TOKEN_WHITESPACE | SyntaxKind::TOKEN_COMMENT))
        .map(|(k, t)| (k, t.to_string()))
        .collect()
}

/// Whether two pieces of Nix are the same expression up to layout and comments: they have
/// the same tokens once whitespace and comments are dropped.
///
/// ```
/// assert!(nix_edit::same_expr("pkgs.tmux", "pkgs . tmux # the multiplexer"));
/// assert!(!nix_edit::same_expr("[ 1 2 ]", "[ 2 1 ]"));
/// ```
pub fn same_expr(a: &str, b: &str) -> bool {
    significant_tokens(a) == significant_tokens(b)
}

/// A static attribute name: `a`, `"a.b"`, `${"a"}`; `None` for a computed one.
pub(crate) fn attr_name(attr: &ast::Attr) -> Option<String> {
    match attr {
        ast::Attr::Ident(i) => Some(i.syntax().to_string()),
        ast::Attr::Str(s) => static_string(s),
        ast::Attr::Dynamic(d) => match d.expr()? {
            ast::Expr::Str(s) => static_string(&s),
            _ => None,
        },
    }
}

/// The value of a string without interpolations.
pub(crate) fn static_string(s: &ast::Str) -> Option<String> {
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
pub(crate) fn inherited_value(inh: &ast::Inherit, name: &str) -> String {
    let attr = AttrPath::segments_to_nix(&[name.to_string()]);
    match inh.from().and_then(|f| f.expr()) {
        Some(ast::Expr::Ident(from)) => format!("{}.{attr}", from.syntax()),
        Some(from) => format!("({}).{attr}", from.syntax()),
        None => attr,
    }
}

/// What an expression is, in words, for error messages: "a function call".
pub(crate) fn describe(expr: &ast::Expr) -> String {
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

/// The byte range of a node in its document.
pub(crate) fn range(node: &SyntaxNode) -> Range<usize> {
    let r = node.text_range();
    usize::from(r.start())..usize::from(r.end())
}

/// The byte offset where a node starts in its document.
pub(crate) fn start(node: &SyntaxNode) -> usize {
    usize::from(node.text_range().start())
}
