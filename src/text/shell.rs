//! POSIX shell words. Generated scripts quote every value the same way ([`quote`]), so a
//! reader sees one style; commands shown to the user quote only what needs it ([`word`]).

/// `s` single-quoted, whatever it holds: the form generated files use.
pub fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `s` as a word of a command line shown to the user: as it is when it is made of
/// characters the shell leaves alone, else [`quote`]d.
pub fn word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b));
    if plain {
        s.to_string()
    } else {
        quote(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_words_survive_quotes() {
        assert_eq!(quote("it's"), r"'it'\''s'");
        assert_eq!(quote("plain"), "'plain'");
    }

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(
            word("/home/me/.config/devgen/registry.toml"),
            "/home/me/.config/devgen/registry.toml"
        );
        assert_eq!(word("/a b/it's"), r"'/a b/it'\''s'");
        assert_eq!(word(""), "''");
    }
}
