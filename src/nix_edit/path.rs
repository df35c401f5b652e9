//! Attribute paths as users write them on the command line: dot-separated names, with
//! double-quoted segments for names that contain dots (`env."MY.VAR"`).

use std::fmt;
use std::str::FromStr;

use crate::render::escape::nix_attr;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrPath(pub(super) Vec<String>);

impl AttrPath {
    pub fn new(segments: Vec<String>) -> Result<Self, String> {
        if segments.is_empty() {
            return Err("an attribute path needs at least one name".into());
        }
        Ok(AttrPath(segments))
    }

    pub fn segments(&self) -> &[String] {
        &self.0
    }

    /// The path as Nix source: each segment bare, or quoted when it must be.
    pub fn to_nix(&self) -> String {
        Self::segments_to_nix(&self.0)
    }

    pub fn segments_to_nix(segments: &[String]) -> String {
        segments
            .iter()
            .map(|s| nix_attr(s))
            .collect::<Vec<_>>()
            .join(".")
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_nix())
    }
}

impl FromStr for AttrPath {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
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
                            None => {
                                return Err(format!("{s:?}: unfinished escape in a quoted name"))
                            }
                        },
                        Some(c) => seg.push(c),
                        None => {
                            return Err(format!(
                                "{s:?}: a quoted name is missing its closing quote"
                            ))
                        }
                    }
                }
                match chars.peek() {
                    None | Some('.') => {}
                    Some(c) => return Err(format!("{s:?}: unexpected {c:?} after a quoted name")),
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == '.' {
                        break;
                    }
                    if c == '"' {
                        return Err(format!("{s:?}: a quote may only start a name; write \"a.b\" as a whole segment"));
                    }
                    seg.push(c);
                    chars.next();
                }
                if seg.is_empty() {
                    return Err(format!(
                        "{s:?}: empty name in the path (two dots, or a dot at an end)"
                    ));
                }
            }
            segments.push(seg);
            match chars.next() {
                None => break,
                Some('.') => continue,
                Some(c) => return Err(format!("{s:?}: unexpected {c:?}")),
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
}
