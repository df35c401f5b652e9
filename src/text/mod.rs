//! Text helpers shared by every layer that edits a file it does not own whole: marked
//! blocks ([`blocks`]), ensured lines ([`lines`]), line endings ([`with_line_endings_of`])
//! and shell words ([`shell`]). Each exists once; the reconcile stage, the machine's files
//! and worktrees all use these.

pub mod blocks;
pub mod lines;
pub mod shell;

/// `edited` in the line endings and byte-order mark of `original`. Editors such as toml_edit
/// write `\n` and drop a BOM, but a file the user keeps in CRLF should stay CRLF when devgen
/// edits a line of it.
pub fn with_line_endings_of(original: &str, edited: &str) -> String {
    let body = edited.strip_prefix('\u{feff}').unwrap_or(edited);
    let mut out = String::with_capacity(body.len() + 64);
    if original.starts_with('\u{feff}') {
        out.push('\u{feff}');
    }
    if original.contains("\r\n") {
        out.push_str(&body.replace("\r\n", "\n").replace('\n', "\r\n"));
    } else {
        out.push_str(body);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_keep_the_originals_crlf_and_bom() {
        let original = "\u{feff}[project]\r\nname = \"a\"\r\n";
        assert_eq!(
            with_line_endings_of(original, "[project]\nname = \"a\"\nip = \"127.0.0.10\"\n"),
            "\u{feff}[project]\r\nname = \"a\"\r\nip = \"127.0.0.10\"\r\n"
        );
        assert_eq!(with_line_endings_of("a\n", "a\nb\n"), "a\nb\n");
    }
}
