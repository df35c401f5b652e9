//! Line files: devgen owns one line of a file that otherwise belongs to the user
//! (`import_config "devgen.exs"` in `config/dev.exs`). It is added once, at the end, and
//! found wherever the user moves it; twice is an error.

use super::Status;
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::text::lines;

/// The status of the file at `path`, and its text with `wanted` in it once. A file devgen
/// creates starts with `preamble`.
pub(super) fn plan(
    path: &str,
    wanted: &str,
    preamble: &str,
    current: Option<&str>,
) -> Result<(Status, String)> {
    let Some(text) = current else {
        return Ok((Status::Missing, format!("{preamble}{wanted}\n")));
    };
    let found = lines::occurrences(text, wanted);
    match found.len() {
        0 => Ok((Status::Drift, lines::ensure_paragraph(text, wanted))),
        1 => Ok((Status::InSync, text.to_string())),
        n => Err(Diagnostic::new(
            path,
            text,
            found[1].clone(),
            format!("`{wanted}` appears {n} times"),
        )
        .with_label("again here")
        .with_help("keep one of them; devgen manages that one line")
        .into_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensured_line_is_added_once() {
        let want = "import_config \"devgen.exs\"";
        let (s, t) = plan(
            "config/dev.exs",
            want,
            "import Config\n\n",
            Some("import Config\nconfig :a, b: 1"),
        )
        .unwrap();
        assert_eq!(s, Status::Drift);
        assert_eq!(t, format!("import Config\nconfig :a, b: 1\n\n{want}\n"));
        let (s, _) = plan("config/dev.exs", want, "", Some(&t)).unwrap();
        assert_eq!(s, Status::InSync);
        let twice = format!("{t}{want}\n");
        let err = plan("config/dev.exs", want, "", Some(&twice))
            .unwrap_err()
            .to_string();
        assert!(err.contains("config/dev.exs:5:1"), "{err}");
    }
}
