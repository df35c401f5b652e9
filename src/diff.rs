//! Unified diffs of planned changes, plain or coloured.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};
use similar::{ChangeTag, TextDiff};

const DEL: Style = AnsiColor::Red.on_default();
const ADD: Style = AnsiColor::Green.on_default();
const HUNK: Style = AnsiColor::Cyan.on_default();
const HEAD: Style = Style::new().bold();

/// A unified diff from `old` (absent: a new file) to `new`, with `a/` and `b/` paths like
/// git. Styled with ANSI codes; the output stream strips them when colour is off.
pub fn unified(path: &str, old: Option<&str>, new: &str) -> String {
    between(path, old, Some(new))
}

/// A unified diff from `old` to `new`, either absent: a new file, a removed one.
pub fn between(path: &str, old: Option<&str>, new: Option<&str>) -> String {
    let diff = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
    let mut out = String::new();
    let name = |side: &str, text: Option<&str>| match text {
        Some(_) => format!("{side}/{}", path.trim_start_matches('/')),
        None => "/dev/null".to_string(),
    };
    let _ = writeln!(out, "{HEAD}--- {}{HEAD:#}", name("a", old));
    let _ = writeln!(out, "{HEAD}+++ {}{HEAD:#}", name("b", new));
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        let _ = writeln!(out, "{HUNK}{}{HUNK:#}", hunk.header());
        for change in hunk.iter_changes() {
            let (sign, style) = match change.tag() {
                ChangeTag::Delete => ('-', DEL),
                ChangeTag::Insert => ('+', ADD),
                ChangeTag::Equal => (' ', Style::new()),
            };
            let text = change.value();
            let _ = write!(out, "{style}{sign}{}{style:#}", text.trim_end_matches('\n'));
            out.push('\n');
            if change.missing_newline() {
                out.push_str("\\ No newline at end of file\n");
            }
        }
    }
    out
}

/// Strip ANSI styling (for JSON output and tests).
pub fn plain(text: &str) -> String {
    let mut out = Vec::new();
    let mut stream = anstream::StripStream::new(&mut out);
    std::io::Write::write_all(&mut stream, text.as_bytes()).expect("writing to memory");
    String::from_utf8(out).expect("stripping keeps UTF-8")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_changed_lines() {
        let d = plain(&unified(
            "devenv.nix",
            Some("a\nport = 5432;\nc\n"),
            "a\nport = 5433;\nc\n",
        ));
        assert_eq!(
            d,
            "--- a/devenv.nix\n+++ b/devenv.nix\n@@ -1,3 +1,3 @@\n a\n-port = 5432;\n+port = 5433;\n c\n"
        );
    }

    #[test]
    fn new_files_come_from_dev_null() {
        let d = plain(&unified("Procfile", None, "x\n"));
        assert!(
            d.starts_with("--- /dev/null\n+++ b/Procfile\n@@ -0,0 +1 @@\n+x\n"),
            "{d}"
        );
    }
}
