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
    let bom = if original.starts_with('\u{feff}') {
        "\u{feff}"
    } else {
        ""
    };
    format!("{bom}{}", in_line_endings_of(original, body))
}

/// `piece` (devgen's text, in LF) in the line endings of `file`, to be put into it: CRLF
/// when the file has CRLF lines.
pub fn in_line_endings_of(file: &str, piece: &str) -> String {
    if file.contains("\r\n") {
        piece.replace("\r\n", "\n").replace('\n', "\r\n")
    } else {
        piece.to_string()
    }
}

/// `text` with CRLF line endings read as LF: what devgen compares and records, so that a
/// file kept in CRLF is in sync with devgen's LF text.
pub fn as_lf(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains("\r\n") {
        text.replace("\r\n", "\n").into()
    } else {
        text.into()
    }
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
