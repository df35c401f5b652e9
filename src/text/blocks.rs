//! Marked blocks: a region of a file that otherwise belongs to the user, between a begin
//! and an end marker line. One implementation for every such block devgen keeps — the
//! generated files' blocks (a Procfile, `.envrc`, `.gitignore`) and a worktree's
//! `.envrc.local`. Markers are matched as whole lines (trailing spaces ignored); any
//! arrangement other than none, or exactly one begin before one end, is an error that
//! points at the offending line, never a guess.

use std::ops::Range;

use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};

/// The marker lines of one kind of block.
#[derive(Debug, Clone, Copy)]
pub struct Markers {
    /// The begin marker, as devgen writes it.
    pub begin: &'static str,
    /// The end marker, as devgen writes it.
    pub end: &'static str,
    /// What any begin marker line starts with, edited or not: such a line is taken for a
    /// marker, so that an edited marker is reported rather than missed.
    pub begin_prefix: &'static str,
    /// What any end marker line starts with.
    pub end_prefix: &'static str,
    /// The command that writes the block again, for the fix of a broken one.
    pub rerun: &'static str,
}

/// A marker line found in a text: its byte range, line ending included.
type Found = (usize, usize);

impl Markers {
    /// `inner` between the two markers, as it stands in a file.
    pub fn wrap(&self, inner: &str) -> String {
        format!("{}\n{inner}{}\n", self.begin, self.end)
    }

    /// Where the inner text of the one well-formed block of `text` lies. `Ok(None)`: no
    /// marker at all. Any other arrangement of markers is an error naming `file` and the line.
    pub fn find(&self, file: &str, text: &str) -> Result<Option<Range<usize>>> {
        let (begins, ends) = self.marker_lines(text);
        let fix = format!(
            "keep exactly one block:\n{}\n…\n{}\nthen run `{}`",
            self.begin, self.end, self.rerun
        );
        let err = |(at, end): Found, msg: &str, help: &str| -> Error {
            Diagnostic::new(file, text, at..end, msg.to_string())
                .with_label("here")
                .with_help(help.to_string())
                .into_error()
        };
        match (begins.as_slice(), ends.as_slice()) {
            ([], []) => Ok(None),
            ([b], [e]) if b.1 <= e.0 => {
                if text[b.0..b.1].trim_end() != self.begin {
                    let help = format!("restore the line to:\n{}", self.begin);
                    return Err(err(*b, "devgen's begin marker was changed", &help));
                }
                if text[e.0..e.1].trim_end() != self.end {
                    let help = format!("restore the line to:\n{}", self.end);
                    return Err(err(*e, "devgen's end marker was changed", &help));
                }
                Ok(Some(b.1..e.0))
            }
            ([b], [e]) if e.0 < b.0 => Err(err(
                *e,
                "devgen's end marker comes before its begin marker",
                &fix,
            )),
            ([_, b, ..], _) => Err(err(
                *b,
                "devgen's begin marker appears more than once",
                &fix,
            )),
            (_, [_, e, ..]) => Err(err(*e, "devgen's end marker appears more than once", &fix)),
            ([b], []) => Err(err(
                *b,
                "devgen's block has no end marker",
                &format!("add the line\n{}\nwhere the block ends", self.end),
            )),
            ([], [e]) => Err(err(
                *e,
                "devgen's block has no begin marker",
                &format!("add the line\n{}\nwhere the block starts", self.begin),
            )),
            _ => unreachable!("every arrangement of markers is covered above"),
        }
    }

    /// `text` with its block's inner text replaced by `inner`, or with the block appended
    /// when it has none.
    pub fn put(&self, file: &str, text: &str, inner: &str) -> Result<String> {
        Ok(match self.find(file, text)? {
            Some(r) => format!("{}{inner}{}", &text[..r.start], &text[r.end..]),
            None => append(text, &self.wrap(inner)),
        })
    }

    /// `text` without its block, markers included (and without the blank line `append`
    /// put before it), with the block's inner text. `Ok(None)`: no block.
    pub fn remove(&self, file: &str, text: &str) -> Result<Option<(String, String)>> {
        let Some(inner) = self.find(file, text)? else {
            return Ok(None);
        };
        let before = &text[..inner.start];
        let begin_line = before.trim_end_matches(['\n', '\r']);
        let start = begin_line.rfind('\n').map_or(0, |i| i + 1);
        let after = &text[inner.end..];
        let end = inner.end + after.find('\n').map_or(after.len(), |i| i + 1);
        let mut head = text[..start].to_string();
        let tail = &text[end..];
        if tail.is_empty() {
            for blank in ["\r\n", "\n"] {
                if head.ends_with(&format!("{blank}{blank}")) {
                    head.truncate(head.len() - blank.len());
                    break;
                }
            }
        }
        Ok(Some((head + tail, text[inner].to_string())))
    }

    /// The begin and end marker lines of `text`, in order.
    fn marker_lines(&self, text: &str) -> (Vec<Found>, Vec<Found>) {
        let mut begins = Vec::new();
        let mut ends = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let content = line.trim_end();
            if content.starts_with(self.begin_prefix) {
                begins.push((offset, offset + line.len()));
            } else if content.starts_with(self.end_prefix) {
                ends.push((offset, offset + line.len()));
            }
            offset += line.len();
        }
        (begins, ends)
    }
}

/// `text`, then `block` after a blank line (none when `text` is empty), in `text`'s line
/// endings.
pub fn append(text: &str, block: &str) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = text.to_string();
    if !out.is_empty() {
        if !out.ends_with('\n') {
            out.push_str(eol);
        }
        if !out.ends_with(&format!("{eol}{eol}")) {
            out.push_str(eol);
        }
    }
    out + block
}

#[cfg(test)]
mod tests {
    use super::*;

    const M: Markers = Markers {
        begin: "# >>> mine >>> keep out",
        end: "# <<< mine <<<",
        begin_prefix: "# >>> mine",
        end_prefix: "# <<< mine",
        rerun: "mine again",
    };

    #[test]
    fn removing_a_block_gives_back_the_users_text() {
        let theirs = "A=1\n";
        let with = append(theirs, &M.wrap("B=2\n"));
        assert_eq!(
            M.remove("f", &with).unwrap(),
            Some((theirs.to_string(), "B=2\n".to_string()))
        );
        let middle = "A=1\n# >>> mine >>> keep out\nB=2\n# <<< mine <<<\nC=3\n";
        assert_eq!(M.remove("f", middle).unwrap().unwrap().0, "A=1\nC=3\n");
        assert_eq!(M.remove("f", &M.wrap("B=2\n")).unwrap().unwrap().0, "");
        assert_eq!(M.remove("f", "A=1\n").unwrap(), None);
    }

    #[test]
    fn blocks_are_added_replaced_and_never_guessed() {
        let added = M.put("f", "export MINE=1", "A=1\n").unwrap();
        assert_eq!(added, format!("export MINE=1\n\n{}", M.wrap("A=1\n")));
        let replaced = M
            .put("f", &format!("{added}export AFTER=1\n"), "A=2\n")
            .unwrap();
        assert_eq!(
            replaced,
            format!("export MINE=1\n\n{}export AFTER=1\n", M.wrap("A=2\n"))
        );
        assert_eq!(M.put("f", "", "A=1\n").unwrap(), M.wrap("A=1\n"));
    }

    #[test]
    fn broken_markers_are_errors_with_a_line() {
        let twice = format!("{}{}", M.wrap(""), M.wrap(""));
        let err = M.find("f", &twice).unwrap_err().to_string();
        assert!(
            err.contains("f:3:1") && err.contains("more than once"),
            "{err}"
        );
        assert!(err.contains("then run `mine again`"), "{err}");
        let reversed = format!("{}\n{}\n", M.end, M.begin);
        let err = M.find("f", &reversed).unwrap_err().to_string();
        assert!(
            err.contains("f:1:1") && err.contains("comes before"),
            "{err}"
        );
        let edited = "# >>> mine >>> edited\n# <<< mine <<<\n";
        let err = M.find("f", edited).unwrap_err().to_string();
        assert!(err.contains("begin marker was changed"), "{err}");
        let err = M.find("f", "x\n# >>> mine >>> keep out\n").unwrap_err();
        assert!(err.to_string().contains("f:2:1"), "{err}");
    }
}
