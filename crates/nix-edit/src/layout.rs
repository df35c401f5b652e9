//! The document's own layout: where a new entry or list element goes and how it is
//! indented, what to cut to remove an entry or element with its comment lines, and the
//! layout facts these read from the text (line ending, a line's indentation, one level of
//! indentation). Each answer is a [`Splice`] for [`Tree::apply`](crate::tree::Tree::apply);
//! nothing here changes a document. Where a function takes `text`, it is the document's
//! text, and the nodes given with it are of that text's syntax tree.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::syntax::start;
use crate::tree::Splice;

/// Where and how to insert a new entry `binding` into `set`: after `anchor`, or after the
/// last entry.
pub(crate) fn insert_entry(
    text: &str,
    set: &ast::AttrSet,
    anchor: Option<&SyntaxNode>,
    binding: &str,
) -> Splice {
    let open = set.l_curly_token().expect("parsed set");
    let close = set.r_curly_token().expect("parsed set");
    let last = set.entries().last().map(|e| e.syntax().clone());
    let after = anchor.cloned().or(last);
    insert_between(
        text,
        open.text_range().end().into(),
        close.text_range().start().into(),
        after.as_ref(),
        binding,
    )
}

/// Where and how to give the `//` chain `chain` (its rightmost operand `last`) a new
/// rightmost operand, the set literal of `binding` — in the chain's own layout: on a
/// line of its own starting with `//` when the chain's last `//` starts its line, after a
/// `//` that ends the line when that one ends its line, else on the same line.
pub(crate) fn append_operand(
    text: &str,
    chain: &ast::Expr,
    last: &ast::Expr,
    binding: &str,
) -> Splice {
    let eol = eol(text);
    let end = usize::from(chain.syntax().text_range().end());
    let last_start = start(last.syntax());
    // the chain's last `//` is the last one before its last operand: anything after that
    // `//` and before the operand is blank, a comment or a parenthesis
    let op = chain
        .syntax()
        .descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| t.kind() == SyntaxKind::TOKEN_UPDATE)
        .map(|t| usize::from(t.text_range().start()))
        .take_while(|at| *at < last_start)
        .last()
        .expect("a chain has an operator before its last operand");
    let op_line = text[..op].rfind('\n').map_or(0, |i| i + 1);
    let set = |indent: &str| match binding.contains('\n') {
        false => format!("{{ {binding} }}"),
        true => {
            let inner = format!("{indent}{}", indent_unit(text));
            let binding = reindent(binding, &inner, eol);
            format!("{{{eol}{inner}{binding}{eol}{indent}}}")
        }
    };
    let text = if text[op_line..op].trim().is_empty() {
        let indent = &text[op_line..op];
        format!("{eol}{indent}// {}", set(indent))
    } else if ends_line(text, op + 2) {
        let indent = line_indent(text, last_start);
        format!(" //{eol}{indent}{}", set(&indent))
    } else {
        format!(" // {}", set(&line_indent(text, end)))
    };
    Splice {
        range: end..end,
        text,
    }
}

/// Whether nothing but blanks follows `at` on its line in `text`.
pub(crate) fn ends_line(text: &str, at: usize) -> bool {
    let rest = &text[at..];
    rest[..rest.find('\n').unwrap_or(rest.len())]
        .trim()
        .is_empty()
}

/// Where and how to append `element` to `list`.
pub(crate) fn insert_element(text: &str, list: &ast::List, element: &str) -> Splice {
    let open = list.l_brack_token().expect("parsed list");
    let close = list.r_brack_token().expect("parsed list");
    let last = list.items().last().map(|e| e.syntax().clone());
    insert_between(
        text,
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
    text: &str,
    open_end: usize,
    close_start: usize,
    after: Option<&SyntaxNode>,
    item: &str,
) -> Splice {
    let multiline = text[open_end..close_start].contains('\n');
    let eol = eol(text);
    match (after, multiline) {
        // the closing delimiter on the last item's line (`[{ … }]`): stay on that line
        (Some(node), true)
            if !text[end_of_item(text, node, close_start)..close_start].contains('\n') =>
        {
            let at = end_of_item(text, node, close_start);
            Splice {
                range: at..at,
                text: format!(" {item}"),
            }
        }
        (Some(node), true) => {
            let indent = line_indent(text, start(node));
            let at = end_of_item(text, node, close_start);
            Splice {
                range: at..at,
                text: format!("{eol}{indent}{}", reindent(item, &indent, eol)),
            }
        }
        (Some(node), false) => {
            let at = end_of_item(text, node, close_start);
            Splice {
                range: at..at,
                text: format!(" {item}"),
            }
        }
        (None, true) => {
            let indent = format!("{}{}", line_indent(text, open_end), indent_unit(text));
            // right after the opening delimiter's line (and any comment on it)
            let line_end = text[open_end..close_start]
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
fn end_of_item(text: &str, node: &SyntaxNode, limit: usize) -> usize {
    let mut end = usize::from(node.text_range().end());
    let mut next = node.next_sibling_or_token();
    while let Some(el) = next {
        match el.kind() {
            SyntaxKind::TOKEN_WHITESPACE if !el.to_string().contains('\n') => {}
            SyntaxKind::TOKEN_COMMENT
                if !el.to_string().contains('\n') || el.to_string().starts_with("/*") =>
            {
                let e = usize::from(el.text_range().end());
                if e <= limit && !text[end..usize::from(el.text_range().start())].contains('\n') {
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

/// What the comment lines directly above an item are taken to be.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Above {
    /// The item's own (a binding's explanation): removed with it.
    Own,
    /// In a list, a heading of the elements under it when another element follows with
    /// no blank line between (`# tools` above `pkgs.git` and `pkgs.jq`): kept then.
    Heading,
}

/// The text to cut to remove `node`: its whole line(s) with the comment lines directly
/// above when it stands alone on its lines (see [`Above`]), or just it and the space
/// before it. A blank line left doubled, or left next to a bracket, goes with it.
pub(crate) fn removal_range(text: &str, node: &SyntaxNode, above: Above) -> Range<usize> {
    let start = start(node);
    let end = end_of_item(text, node, text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let alone_before = text[line_start..start].trim().is_empty();
    let alone_after = text[end..line_end].trim().is_empty();
    if !(alone_before && alone_after && line_start > 0) {
        let ws_start = text[..start].trim_end_matches([' ', '\t']).len();
        return ws_start..end;
    }
    let next = line_at(text, line_end);
    let heads_next = above == Above::Heading && next.is_some_and(|n| !is_blank(n) && !closes(n));
    let from = if heads_next {
        line_start
    } else {
        comments_above(text, line_start)
    };
    tidy_blank_lines(text, from..line_end)
}

/// The start of the comment lines directly above the line starting at `line_start`.
fn comments_above(text: &str, line_start: usize) -> usize {
    let mut from = line_start;
    while let Some(prev) = line_before(text, from) {
        if !prev.trim().starts_with('#') {
            break;
        }
        from -= prev.len();
    }
    from
}

/// `cut` (whole lines), grown so that removing it leaves no doubled blank line and no
/// blank line right after an opening or before a closing bracket.
fn tidy_blank_lines(text: &str, cut: Range<usize>) -> Range<usize> {
    let before = line_before(text, cut.start);
    let after = line_at(text, cut.end);
    match (before, after) {
        (Some(b), Some(a)) if (is_blank(b) || opens(b)) && is_blank(a) => {
            cut.start..cut.end + a.len()
        }
        (Some(b), Some(a)) if is_blank(b) && closes(a) => cut.start - b.len()..cut.end,
        _ => cut,
    }
}

/// The line (with its line break) that ends where `offset` starts a line.
fn line_before(text: &str, offset: usize) -> Option<&str> {
    if offset == 0 {
        return None;
    }
    let start = text[..offset - 1].rfind('\n').map_or(0, |i| i + 1);
    Some(&text[start..offset])
}

/// The line (with its line break) starting at `offset`.
fn line_at(text: &str, offset: usize) -> Option<&str> {
    if offset >= text.len() {
        return None;
    }
    let end = text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1);
    Some(&text[offset..end])
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

fn closes(line: &str) -> bool {
    line.trim_start().starts_with(['}', ']'])
}

fn opens(line: &str) -> bool {
    line.trim_end().ends_with(['{', '['])
}

/// The line ending `text` uses.
pub(crate) fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

/// The whitespace that starts the line of `text` containing `offset`.
pub(crate) fn line_indent(text: &str, offset: usize) -> String {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

/// One level of indentation as `text` writes it.
fn indent_unit(text: &str) -> String {
    let mut best: Option<String> = None;
    for line in text.lines() {
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

/// Indent the second and later lines of a multi-line `text` by `indent`, with `eol`. Lines
/// that start inside a string literal keep their text: indenting them would change the
/// string's value (or, in a `''` string, at least its text).
pub(crate) fn reindent(text: &str, indent: &str, eol: &str) -> String {
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
