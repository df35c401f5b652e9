//! Ensured lines: one line devgen needs in a file that otherwise belongs to someone else
//! (`import_config "devgen.exs"` in a Phoenix config, PF's anchor lines, dnsmasq's include).
//! A line counts as present when a line of the file is it, ignoring the whitespace around
//! it; adding it keeps every other byte of the file.

use std::ops::Range;

/// Where each line of `text` that is `line` (ignoring surrounding whitespace) lies, without
/// its line ending.
pub fn occurrences(text: &str, line: &str) -> Vec<Range<usize>> {
    let mut offset = 0;
    let mut found = Vec::new();
    for l in text.split_inclusive('\n') {
        if l.trim() == line {
            found.push(offset..offset + l.trim_end().len());
        }
        offset += l.len();
    }
    found
}

/// `text` with `line` in it: unchanged when it is there already; otherwise `line` goes
/// after the last line starting with `after` (ignoring indentation), or at the end.
pub fn ensure(text: &str, line: &str, after: Option<&str>) -> String {
    if !occurrences(text, line).is_empty() {
        return text.to_string();
    }
    let at = after
        .and_then(|prefix| {
            let mut offset = 0;
            let mut end = None;
            for l in text.split_inclusive('\n') {
                offset += l.len();
                if l.trim_start().starts_with(prefix) {
                    end = Some(offset);
                }
            }
            end
        })
        .unwrap_or(text.len());
    let (before, rest) = text.split_at(at);
    let eol = line_ending(text);
    let sep = if before.is_empty() || before.ends_with('\n') {
        ""
    } else {
        eol
    };
    format!("{before}{sep}{line}{eol}{rest}")
}

/// `text` with `line` in it: unchanged when it is there already; otherwise `line` goes at
/// the end as a paragraph of its own, after a blank line (as `mix format` wants a line
/// after an expression that spans several).
pub fn ensure_paragraph(text: &str, line: &str) -> String {
    if !occurrences(text, line).is_empty() || text.trim().is_empty() {
        return ensure(text, line, None);
    }
    let eol = line_ending(text);
    let mut out = text.to_string();
    if !out.ends_with('\n') {
        out.push_str(eol);
    }
    if !out.ends_with(&format!("{eol}{eol}")) {
        out.push_str(eol);
    }
    format!("{out}{line}{eol}")
}

/// The line ending a file uses: CRLF when it has one, else LF. New lines follow it.
fn line_ending(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_after_their_kind_once() {
        let pf = "scrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nrdr-anchor \"com.apple/*\"\nload anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\n";
        let once = ensure(pf, "nat-anchor \"devgen\"", Some("nat-anchor"));
        let twice = ensure(
            &once,
            "load anchor \"devgen\" from \"/etc/pf.anchors/devgen\"",
            Some("load anchor"),
        );
        assert_eq!(
            twice,
            "scrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nnat-anchor \"devgen\"\nrdr-anchor \"com.apple/*\"\n\
             load anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\nload anchor \"devgen\" from \"/etc/pf.anchors/devgen\"\n"
        );
        assert_eq!(
            ensure(&twice, "nat-anchor \"devgen\"", Some("nat-anchor")),
            twice
        );
        assert_eq!(ensure("", "x", Some("y")), "x\n");
    }

    #[test]
    fn a_line_at_the_end_gets_a_line_break_before_it_when_needed() {
        assert_eq!(ensure("a\nb", "c", None), "a\nb\nc\n");
        assert_eq!(ensure("a\r\nb\r\n", "c", None), "a\r\nb\r\nc\r\n");
        assert_eq!(ensure("a\n  c  \n", "c", None), "a\n  c  \n");
        assert_eq!(ensure("x = 1\ny", "z", Some("x")), "x = 1\nz\ny");
    }

    #[test]
    fn a_paragraph_line_gets_a_blank_line_before_it_once() {
        assert_eq!(ensure_paragraph("a,\n  b\n", "c"), "a,\n  b\n\nc\n");
        assert_eq!(ensure_paragraph("a,\n  b", "c"), "a,\n  b\n\nc\n");
        assert_eq!(ensure_paragraph("a\n\n", "c"), "a\n\nc\n");
        assert_eq!(ensure_paragraph("a\r\nb\r\n", "c"), "a\r\nb\r\n\r\nc\r\n");
        assert_eq!(ensure_paragraph("a\nc\n", "c"), "a\nc\n");
        assert_eq!(ensure_paragraph("", "c"), "c\n");
    }

    #[test]
    fn occurrences_name_each_copy() {
        assert_eq!(occurrences("a\nb\n a \n", "a"), [0..1, 4..6]);
    }
}
