//! Text splices: where a new entry, element or removal goes in the document's own layout,
//! and applying a splice. rowan 0.17 has no mutable tree, so every edit is a replacement of
//! a byte range, after which the document is parsed again — only the smallest set or list
//! literal around the splice, grafted into the tree, when that is enough.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::{SyntaxKind, SyntaxNode};
use rowan::ast::AstNode;

use crate::document::NixDocument;
use crate::error::{Error, ErrorKind, Result};
use crate::syntax::{parse_checked, range, start};

/// A text replacement: `range` of the document becomes `text`.
pub(crate) struct Splice {
    pub(crate) range: Range<usize>,
    pub(crate) text: String,
}

impl NixDocument {
    /// Where and how to insert a new entry `binding` into `set`: after `anchor`, or after
    /// the last entry.
    pub(crate) fn insert_entry(
        &self,
        set: &ast::AttrSet,
        anchor: Option<&SyntaxNode>,
        binding: &str,
    ) -> Splice {
        let open = set.l_curly_token().expect("parsed set");
        let close = set.r_curly_token().expect("parsed set");
        let last = set.entries().last().map(|e| e.syntax().clone());
        let after = anchor.cloned().or(last);
        self.insert_between(
            open.text_range().end().into(),
            close.text_range().start().into(),
            after.as_ref(),
            binding,
        )
    }

    /// Where and how to append `element` to `list`.
    pub(crate) fn insert_element(&self, list: &ast::List, element: &str) -> Splice {
        let open = list.l_brack_token().expect("parsed list");
        let close = list.r_brack_token().expect("parsed list");
        let last = list.items().last().map(|e| e.syntax().clone());
        self.insert_between(
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
        &self,
        open_end: usize,
        close_start: usize,
        after: Option<&SyntaxNode>,
        item: &str,
    ) -> Splice {
        let multiline = self.text[open_end..close_start].contains('\n');
        let eol = self.eol();
        match (after, multiline) {
            // the closing delimiter on the last item's line (`[{ … }]`): stay on that line
            (Some(node), true)
                if !self.text[self.end_of_item(node, close_start)..close_start].contains('\n') =>
            {
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!(" {item}"),
                }
            }
            (Some(node), true) => {
                let indent = self.line_indent(start(node));
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!("{eol}{indent}{}", reindent(item, &indent, eol)),
                }
            }
            (Some(node), false) => {
                let at = self.end_of_item(node, close_start);
                Splice {
                    range: at..at,
                    text: format!(" {item}"),
                }
            }
            (None, true) => {
                let indent = format!("{}{}", self.line_indent(open_end), self.indent_unit());
                // right after the opening delimiter's line (and any comment on it)
                let line_end = self.text[open_end..close_start]
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
    fn end_of_item(&self, node: &SyntaxNode, limit: usize) -> usize {
        let mut end = usize::from(node.text_range().end());
        let mut next = node.next_sibling_or_token();
        while let Some(el) = next {
            match el.kind() {
                SyntaxKind::TOKEN_WHITESPACE if !el.to_string().contains('\n') => {}
                SyntaxKind::TOKEN_COMMENT
                    if !el.to_string().contains('\n') || el.to_string().starts_with("/*") =>
                {
                    let e = usize::from(el.text_range().end());
                    if e <= limit
                        && !self.text[end..usize::from(el.text_range().start())].contains('\n')
                    {
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
    pub(crate) fn removal_range(&self, node: &SyntaxNode) -> Range<usize> {
        let start = start(node);
        let end = self.end_of_item(node, self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = self.text[end..]
            .find('\n')
            .map_or(self.text.len(), |i| end + i + 1);
        let alone_before = self.text[line_start..start].trim().is_empty();
        let alone_after = self.text[end..line_end].trim().is_empty();
        if alone_before && alone_after && line_start > 0 {
            // take the comment lines attached above (no blank line between)
            let mut from = line_start;
            while from > 0 {
                let prev_start = self.text[..from - 1].rfind('\n').map_or(0, |i| i + 1);
                let prev = self.text[prev_start..from].trim();
                if prev.starts_with('#') {
                    from = prev_start;
                } else {
                    break;
                }
            }
            from..line_end
        } else {
            let ws_start = self.text[..start].trim_end_matches([' ', '\t']).len();
            ws_start..end
        }
    }

    /// Apply one splice. Only the smallest set or list literal around it is parsed again
    /// (a bracketed literal is self-delimiting, so the text around it parses as before), and
    /// its new green node is grafted into the tree: an edit deep in a large file costs the
    /// size of its set, not of the file.
    pub(crate) fn apply(&mut self, splice: Splice) -> Result<()> {
        let node = self.enclosing_literal(&splice.range);
        let mut text = String::with_capacity(self.text.len() + splice.text.len());
        text.push_str(&self.text[..splice.range.start]);
        text.push_str(&splice.text);
        text.push_str(&self.text[splice.range.end..]);
        let Some(node) = node else {
            return self.replace_text(text);
        };
        let node_range = range(&node);
        let new_len = node_range.len() + splice.text.len() - splice.range.len();
        let node_text = &text[node_range.start..node_range.start + new_len];
        let parsed = rnix::Root::parse(node_text);
        let replacement = parsed.syntax().first_child().filter(|c| {
            parsed.errors().is_empty()
                && c.kind() == node.kind()
                && range(c) == (0..node_text.len())
        });
        let Some(replacement) = replacement else {
            // Let the whole-file parse name the error.
            return self.replace_text(text);
        };
        let root = SyntaxNode::new_root(node.replace_with(replacement.green().to_owned()));
        debug_assert_eq!(
            root.green().to_owned(),
            rnix::Root::parse(&text).syntax().green().to_owned(),
            "a grafted tree must equal the tree of a full parse"
        );
        self.text = text;
        self.root = root;
        Ok(())
    }

    /// Apply splices that do not overlap, last first so that earlier offsets hold.
    pub(crate) fn apply_all(&mut self, mut splices: Vec<Splice>) -> Result<()> {
        splices.sort_by_key(|s| std::cmp::Reverse(s.range.start));
        for s in splices {
            self.apply(s)?;
        }
        Ok(())
    }

    /// The smallest set or list literal strictly around `r` (its delimiters untouched).
    fn enclosing_literal(&self, r: &Range<usize>) -> Option<SyntaxNode> {
        let text_range = rowan::TextRange::new((r.start as u32).into(), (r.end as u32).into());
        let element = self.root.covering_element(text_range);
        let mut node = match element {
            rowan::NodeOrToken::Node(n) => Some(n),
            rowan::NodeOrToken::Token(t) => t.parent(),
        };
        while let Some(n) = node {
            let nr = range(&n);
            if matches!(n.kind(), SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LIST)
                && nr.start < r.start
                && r.end < nr.end
            {
                return Some(n);
            }
            node = n.parent();
        }
        None
    }

    /// Adopt `text` as the document, if it parses. If it does not, the edit is wrong: the
    /// error points into `text`, and the document stays as it was.
    fn replace_text(&mut self, text: String) -> Result<()> {
        let root = match parse_checked(&text) {
            Ok(root) => root,
            Err(failure) => {
                return Err(Error::new(
                    ErrorKind::EditUnparsable {
                        message: failure.message,
                    },
                    failure.span,
                    text,
                    Some(self.file.clone()),
                ))
            }
        };
        self.text = text;
        self.root = root;
        Ok(())
    }

    // ---- layout -----------------------------------------------------------------------

    /// The line ending this document uses.
    pub(crate) fn eol(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The whitespace that starts the line containing `offset`.
    pub(crate) fn line_indent(&self, offset: usize) -> String {
        let line_start = self.text[..offset].rfind('\n').map_or(0, |i| i + 1);
        self.text[line_start..]
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect()
    }

    /// One level of indentation as this file writes it.
    fn indent_unit(&self) -> String {
        let mut best: Option<String> = None;
        for line in self.text.lines() {
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
