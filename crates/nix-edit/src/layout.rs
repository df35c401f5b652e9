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

/// The text to cut to remove `node`: its whole line(s) with the comment lines directly
/// above when it stands alone on its lines, or just it and the space before it.
pub(crate) fn removal_range(text: &str, node: &SyntaxNode) -> Range<usize> {
    let start = start(node);
    let end = end_of_item(text, node, text.len());
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let alone_before = text[line_start..start].trim().is_empty();
    let alone_after = text[end..line_end].trim().is_empty();
    if alone_before && alone_after && line_start > 0 {
        // take the comment lines attached above (no blank line between)
        let mut from = line_start;
        while from > 0 {
            let prev_start = text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
            let prev = text[prev_start..from].trim();
            if prev.starts_with('#') {
                from = prev_start;
            } else {
                break;
            }
        }
        from..line_end
    } else {
        let ws_start = text[..start].trim_end_matches([' ', '\t']).len();
        ws_start..end
    }
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
