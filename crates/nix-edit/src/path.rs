//! Attribute paths as users write them on a command line: dot-separated names, with
//! double-quoted segments for names that contain dots (`env."MY.VAR"`); and [`PathError`],
//! why a string is not one.

use std::fmt;
use std::str::FromStr;

use crate::ident::quote_attr;

/// The path of an attribute from the top of a document: `services.postgres.port` is
/// `["services", "postgres", "port"]`. Never empty.
///
/// ```
/// let p: nix_edit::AttrPath = r#"env."MY.VAR""#.parse()?;
/// assert_eq!(p.segments(), ["env", "MY.VAR"]);
/// assert_eq!(p.to_string(), r#"env."MY.VAR""#);
/// # Ok::<(), nix_edit::PathError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath(pub(crate) Vec<String>);

/// Why a string or a list of names is not an [`AttrPath`]. Its `Display` names the input.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathError {
    /// [`AttrPath::new`] of no names.
    Empty,
    /// A `\` at the very end of a quoted name.
    UnfinishedEscape {
        /// The whole path as given.
        input: String,
    },
    /// A quoted name without its closing `"`.
    UnclosedQuote {
        /// The whole path as given.
        input: String,
    },
    /// Something other than `.` or the end right after a quoted name.
    AfterQuote {
        /// The whole path as given.
        input: String,
        /// The character found.
        found: char,
    },
    /// A `"` inside a bare name (a quote may only start a name).
    QuoteInName {
        /// The whole path as given.
        input: String,
    },
    /// An empty name: two dots in a row, a dot at an end, or an empty string.
    EmptyName {
        /// The whole path as given.
        input: String,
    },
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathError::Empty => f.write_str("an attribute path needs at least one name"),
            PathError::UnfinishedEscape { input } => {
                write!(f, "{input:?}: unfinished escape in a quoted name")
            }
            PathError::UnclosedQuote { input } => {
                write!(f, "{input:?}: a quoted name is missing its closing quote")
            }
            PathError::AfterQuote { input, found } => {
                write!(f, "{input:?}: unexpected {found:?} after a quoted name")
            }
            PathError::QuoteInName { input } => write!(
                f,
                "{input:?}: a quote may only start a name; write \"a.b\" as a whole segment"
            ),
            PathError::EmptyName { input } => write!(
                f,
                "{input:?}: empty name in the path (two dots, or a dot at an end)"
            ),
        }
    }
}

impl std::error::Error for PathError {}

impl AttrPath {
    /// The path of these names, as they are (no parsing or unquoting); at least one.
    pub fn new(segments: Vec<String>) -> Result<Self, PathError> {
        if segments.is_empty() {
            return Err(PathError::Empty);
        }
        Ok(AttrPath(segments))
    }

    /// The names, unquoted.
    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The path as Nix source: each segment bare, or quoted when it must be.
    pub fn to_nix(&self) -> String {
        Self::segments_to_nix(&self.0)
    }

    /// `segments` as a Nix attribute path, each bare or quoted as it must be.
    pub fn segments_to_nix(segments: &[String]) -> String {
        segments
            .iter()
            .map(|s| quote_attr(s))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Shows the path as Nix source ([`AttrPath::to_nix`]).
impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_nix())
    }
}

/// Parses dot-separated names; a name that starts with `"` runs to the next unescaped `"`
/// (`\` escapes the character after it) and may contain dots.
impl FromStr for AttrPath {
    type Err = PathError;

    fn from_str(s: &str) -> Result<Self, PathError> {
        let input = || s.to_string();
        let mut segments = Vec::new();
        let mut chars = s.chars().peekable();
        loop {
            let mut seg = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c) => seg.push(c),
                            None => return Err(PathError::UnfinishedEscape { input: input() }),
                        },
                        Some(c) => seg.push(c),
                        None => return Err(PathError::UnclosedQuote { input: input() }),
                    }
                }
                match chars.peek() {
                    None | Some('.') => {}
                    Some(&found) => {
                        return Err(PathError::AfterQuote {
                            input: input(),
                            found,
                        })
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    if c == '"' {
                        return Err(PathError::QuoteInName { input: input() });
                    }
                    seg.push(c);
                    chars.next();
                }
                if seg.is_empty() {
                    return Err(PathError::EmptyName { input: input() });
                }
            }
            segments.push(seg);
            match chars.next() {
                None => break,
                Some('.') => continue,
                // both branches above stop at a dot or at the end
                Some(c) => unreachable!("a name ended at {c:?}"),
            }
        }
        AttrPath::new(segments)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotted_and_quoted_segments() {
        let p: AttrPath = "services.postgres.port".parse().unwrap();
        assert_eq!(p.segments(), ["services", "postgres", "port"]);
        let p: AttrPath = r#"env."MY.VAR""#.parse().unwrap();
        assert_eq!(p.segments(), ["env", "MY.VAR"]);
        assert_eq!(p.to_nix(), r#"env."MY.VAR""#);
        assert!("a..b".parse::<AttrPath>().is_err());
        assert!("".parse::<AttrPath>().is_err());
        assert!("a.\"b".parse::<AttrPath>().is_err());
    }

    /// The messages are the ones devgen printed when these were plain strings.
    #[test]
    fn errors_name_the_input_and_the_problem() {
        let err = |s: &str| s.parse::<AttrPath>().unwrap_err();
        assert_eq!(
            err("a..b").to_string(),
            r#""a..b": empty name in the path (two dots, or a dot at an end)"#
        );
        assert_eq!(
            err("").to_string(),
            r#""": empty name in the path (two dots, or a dot at an end)"#
        );
        assert_eq!(
            err("a.\"b").to_string(),
            r#""a.\"b": a quoted name is missing its closing quote"#
        );
        assert_eq!(
            err("\"a\\").to_string(),
            r#""\"a\\": unfinished escape in a quoted name"#
        );
        assert_eq!(
            err("\"a\"b").to_string(),
            r#""\"a\"b": unexpected 'b' after a quoted name"#
        );
        assert_eq!(
            err("a\"b\"").to_string(),
            r#""a\"b\"": a quote may only start a name; write "a.b" as a whole segment"#
        );
        assert!(matches!(err("a."), PathError::EmptyName { .. }));
        assert_eq!(
            AttrPath::new(vec![]).unwrap_err().to_string(),
            "an attribute path needs at least one name"
        );
    }
}
