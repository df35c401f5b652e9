//! Source diagnostics: an error anchored to a byte span of a file, rendered the way rustc
//! does it — `file:line:col`, the offending line, a caret under the span, and a hint.
//!
//! Every error about user input (the spec, a marker in a managed file) goes through here so
//! that they all look alike and all name the exact place to fix.

use std::fmt;
use std::ops::Range;

/// An error about a specific place in a text file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file as the user should see it (relative to the project root).
    pub file: String,
    /// The whole text of the file, so the renderer can show the line.
    pub source: String,
    /// Byte range of the offending text; may be empty (points between two characters).
    pub span: Range<usize>,
    pub message: String,
    /// Short text printed after the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(
        file: impl Into<String>,
        source: impl Into<String>,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        let source = source.into();
        let span = clamp_span(&source, span);
        Diagnostic {
            file: file.into(),
            source,
            span,
            message: message.into(),
            label: None,
            help: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// 1-based line and column (in characters) of the start of the span.
    pub fn line_col(&self) -> (usize, usize) {
        line_col(&self.source, self.span.start)
    }

    /// `file:line:col`, the form editors and terminals turn into links.
    pub fn location(&self) -> String {
        let (line, col) = self.line_col();
        format!("{}:{}:{}", self.file, line, col)
    }
}

/// 1-based line and character column of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(source.len());
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

fn clamp_span(source: &str, span: Range<usize>) -> Range<usize> {
    let mut start = span.start.min(source.len());
    let mut end = span.end.clamp(start, source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (line_no, col) = self.line_col();
        let line_start = self.source[..self.span.start]
            .rfind('\n')
            .map(|i| i + 1)
            .unwrap_or(0);
        let line_end = self.source[self.span.start..]
            .find('\n')
            .map(|i| self.span.start + i)
            .unwrap_or(self.source.len());
        let line = self.source[line_start..line_end].trim_end_matches('\r');
        // The caret covers the span, or the part of it on the first line.
        let span_end = self
            .span
            .end
            .min(line_start + line.len())
            .max(self.span.start);
        let width = self.source[self.span.start..span_end]
            .chars()
            .count()
            .max(1);
        let gutter = line_no.to_string().len();
        let pad = " ".repeat(gutter);
        let indent: String = line[..self.span.start - line_start]
            .chars()
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();

        writeln!(f, "error: {}", self.message)?;
        writeln!(f, "{pad}--> {}:{}:{}", self.file, line_no, col)?;
        writeln!(f, "{pad} |")?;
        writeln!(f, "{line_no} | {line}")?;
        write!(f, "{pad} | {indent}{}", "^".repeat(width))?;
        if let Some(label) = &self.label {
            write!(f, " {label}")?;
        }
        writeln!(f)?;
        if let Some(help) = &self.help {
            writeln!(f, "{pad} |")?;
            for (i, help_line) in help.lines().enumerate() {
                if i == 0 {
                    writeln!(f, "{pad} = help: {help_line}")?;
                } else {
                    writeln!(f, "{pad}         {help_line}")?;
                }
            }
        }
        Ok(())
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_location_line_and_caret() {
        let src = "[postgres]\nprot = 5432\n";
        let d = Diagnostic::new("devgen.toml", src, 11..15, "unknown key `prot`")
            .with_label("not a key of [postgres]")
            .with_help("did you mean `port`?");
        let out = d.to_string();
        assert_eq!(d.location(), "devgen.toml:2:1");
        assert_eq!(
            out,
            "error: unknown key `prot`\n --> devgen.toml:2:1\n  |\n2 | prot = 5432\n  | ^^^^ not a key of [postgres]\n  |\n  = help: did you mean `port`?\n"
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let src = "name = \"é\" x\n";
        assert_eq!(line_col(src, src.find('x').unwrap()), (1, 12));
    }

    #[test]
    fn suggests_only_close_words() {
        let keys = ["port", "databases", "log_alerts"];
        assert_eq!(did_you_mean("prot", keys), Some("port"));
        assert_eq!(did_you_mean("database", keys), Some("databases"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
