//! Literal quoting for each language devgen writes. Templates use these as filters
//! (`{{ value | nix_str }}`); each returns a complete literal, quotes included, so a template
//! cannot forget half of the job. Validation already rejects most odd input; these make
//! sure that whatever gets through still cannot break out of its string.

/// A Nix double-quoted string: the editor's quoting, so that what devgen writes and what
/// it edits agree.
pub use nix_edit::quote_string as nix_str;

/// A Nix attribute name: bare when it is a plain identifier, quoted otherwise.
pub use nix_edit::quote_attr as nix_attr;

/// An Elixir double-quoted string (no interpolation can happen inside).
pub fn elixir_str(s: &str) -> String {
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
            '#' if chars.peek() == Some(&'{') => out.push_str("\\#"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    toml_edit::Value::from(s).to_string().trim().to_string()
}

/// A YAML double-quoted string: JSON's quoting, which YAML reads the same way.
pub fn yaml_str(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// A Caddyfile quoted token: `"` escaped, and `{` and `}` too, so that no placeholder
/// (`{env.X}`, `{$X}`) is read from it. Caddy's lexer unescapes nothing else, so a backslash
/// stays as written (the spec refuses one in a header value).
pub fn caddy_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if matches!(c, '"' | '{' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nix_strings_cannot_interpolate_or_escape() {
        assert_eq!(nix_str("a\"b"), r#""a\"b""#);
        assert_eq!(nix_str("${pkgs.evil}"), r#""\${pkgs.evil}""#);
        assert_eq!(nix_str("$HOME"), r#""$HOME""#);
        assert_eq!(nix_str("back\\slash"), r#""back\\slash""#);
    }

    #[test]
    fn nix_attr_quotes_only_when_needed() {
        assert_eq!(nix_attr("ERL_AFLAGS"), "ERL_AFLAGS");
        assert_eq!(nix_attr("in"), "\"in\"");
        assert_eq!(nix_attr("MY.VAR"), "\"MY.VAR\"");
    }

    #[test]
    fn caddy_tokens_keep_their_text_and_read_no_placeholder() {
        assert_eq!(caddy_str(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(caddy_str("{$HOME}"), r#""\{$HOME\}""#);
        assert_eq!(caddy_str(r"a\b"), r#""a\b""#);
    }

    #[test]
    fn elixir_strings_cannot_interpolate() {
        assert_eq!(elixir_str("#{System.halt()}"), r#""\#{System.halt()}""#);
        assert_eq!(elixir_str("a\"b"), r#""a\"b""#);
    }
}
