//! Nix identifiers and literals: when an attribute name may be written bare, and how to
//! quote a name or a string so that whatever it holds cannot break out of its literal.

/// Nix's keywords: an attribute name spelled like one must be quoted.
const KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

/// Whether `s` is a Nix identifier that needs no quoting as an attribute name: a letter or
/// `_`, then letters, digits, `_`, `'` or `-`, and not a keyword.
///
/// ```
/// assert!(nix_edit::is_ident("ERL_AFLAGS"));
/// assert!(nix_edit::is_ident("flake-utils"));
/// assert!(!nix_edit::is_ident("in"));
/// assert!(!nix_edit::is_ident("MY.VAR"));
/// ```
pub fn is_ident(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
        && !KEYWORDS.contains(&s)
}

/// `s` as a Nix attribute name: bare when it is an identifier ([`is_ident`]), otherwise a
/// quoted string ([`quote_string`]).
///
/// ```
/// assert_eq!(nix_edit::quote_attr("port"), "port");
/// assert_eq!(nix_edit::quote_attr("MY.VAR"), r#""MY.VAR""#);
/// ```
pub fn quote_attr(s: &str) -> String {
    if is_ident(s) {
        s.to_string()
    } else {
        quote_string(s)
    }
}

/// `s` as a Nix double-quoted string, quotes included: `"`, `\`, newline, carriage return
/// and tab are escaped, and so is the `$` of `${`, so the string cannot interpolate.
///
/// ```
/// assert_eq!(nix_edit::quote_string("a\"b"), r#""a\"b""#);
/// assert_eq!(nix_edit::quote_string("${x}"), r#""\${x}""#);
/// ```
pub fn quote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' if chars.peek() == Some(&'{') => out.push_str("\\$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_attr_path(s: &str) -> bool {
        s.split('.').all(is_ident)
    }

    #[test]
    fn identifiers() {
        assert!(is_attr_path("nodePackages.pnpm"));
        assert!(!is_attr_path("with"));
        assert!(!is_attr_path("foo;bar"));
        assert!(is_ident("_private"));
        assert!(is_ident("a'"));
        assert!(!is_ident("9lives"));
        assert!(!is_ident("-a"));
        assert!(!is_ident(""));
        assert!(!is_ident("or"));
    }

    #[test]
    fn strings_cannot_interpolate_or_escape() {
        assert_eq!(quote_string("a\"b"), r#""a\"b""#);
        assert_eq!(quote_string("${pkgs.evil}"), r#""\${pkgs.evil}""#);
        assert_eq!(quote_string("$HOME"), r#""$HOME""#);
        assert_eq!(quote_string("back\\slash"), r#""back\\slash""#);
        assert_eq!(quote_string("a\nb\r\tc"), r#""a\nb\r\tc""#);
    }

    #[test]
    fn attrs_are_quoted_only_when_needed() {
        assert_eq!(quote_attr("ERL_AFLAGS"), "ERL_AFLAGS");
        assert_eq!(quote_attr("in"), "\"in\"");
        assert_eq!(quote_attr("MY.VAR"), "\"MY.VAR\"");
    }
}
