//! devenv's option types, read from the descriptions its options reference prints
//! ("16 bit unsigned integer; between 0 and 65535 (both inclusive)", "null or (list of
//! string)", "attribute set of (submodule)", "one of “tcp”, “unix_stream”", …) into a
//! [`Type`] the checker can test a value against.
//!
//! The descriptions follow nixpkgs' `lib.types`: `X or Y` joins alternatives; `list of`,
//! `attribute set of` and the like take one term, parenthesised when it is itself an
//! alternative; a description this parser does not know is [`Type::Any`], which accepts
//! everything — the checker never reports what it cannot read.

/// An option's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Bool,
    /// An integer within `min..=max`.
    Int {
        min: i128,
        max: i128,
    },
    /// A floating-point number (an integer is not one: `lib.types.float`).
    Float,
    /// A string (also `strings concatenated with …`, `string matching the pattern …`).
    Str,
    /// An absolute path: a path literal, or a string starting with `/`.
    AbsolutePath,
    /// A path of some other kind (in the store, relative, an executable): a path or a string.
    PathLike,
    Package,
    Null,
    /// One of these values.
    Enum(Vec<EnumValue>),
    List(Box<Type>),
    /// An attribute set whose every value is of the type (`attribute set of`, lazily or not).
    AttrsOf(Box<Type>),
    /// Any attribute set (`attribute set`).
    Attrs,
    /// A submodule: its options are the option's children; `freeform` types the others.
    Submodule {
        freeform: Option<Box<Type>>,
    },
    /// Any of these.
    Either(Vec<Type>),
    /// A function.
    Function,
    /// Anything: `anything`, `unspecified value`, JSON/YAML/TOML values, `module`, and every
    /// description the parser does not know.
    Any,
}

/// A value of an enumeration.
#[derive(Debug, Clone, PartialEq)]
pub enum EnumValue {
    Str(String),
    Int(i64),
    Bool(bool),
}

/// An option's type as the reference describes it, and whether it is read-only.
pub fn parse(description: &str) -> (Type, bool) {
    let (text, read_only) = read_only(description);
    let mut p = Parser { rest: text.trim() };
    let ty = p.alternatives();
    // Anything left over is a description this parser does not follow: accept anything.
    let ty = if p.rest.trim().is_empty() {
        ty
    } else {
        Type::Any
    };
    (ty, read_only)
}

/// A type description without its read-only mark, and whether it had one.
pub fn read_only(description: &str) -> (&str, bool) {
    match description.strip_suffix(" *(read only)*") {
        Some(t) => (t, true),
        None => (description, false),
    }
}

struct Parser<'a> {
    rest: &'a str,
}

/// A phrase of a description and the type it names.
type Noun = (&'static str, fn() -> Type);
/// A phrase that takes one term, and the type it makes of the term's.
type Prefix = (&'static str, fn(Type) -> Type);

/// Nouns, longest first where one starts another.
const NOUNS: &[Noun] = &[
    ("boolean", || Type::Bool),
    ("signed integer", || Type::Int {
        min: i64::MIN.into(),
        max: i64::MAX.into(),
    }),
    ("unsigned integer, meaning >=0", || Type::Int {
        min: 0,
        max: i64::MAX.into(),
    }),
    ("positive integer, meaning >0", || Type::Int {
        min: 1,
        max: i64::MAX.into(),
    }),
    ("floating point number", || Type::Float),
    ("absolute path", || Type::AbsolutePath),
    ("path in the Nix store", || Type::PathLike),
    ("relative path not in the Nix store", || Type::PathLike),
    ("Path to executable", || Type::PathLike),
    ("path", || Type::PathLike),
    ("package", || Type::Package),
    ("null", || Type::Null),
    ("submodule", || Type::Submodule { freeform: None }),
    ("attribute set", || Type::Attrs),
    ("string", || Type::Str),
    ("anything", || Type::Any),
    ("unspecified value", || Type::Any),
    ("raw value", || Type::Any),
    ("JSON value", || Type::Any),
    ("YAML 1.1 value", || Type::Any),
    ("TOML value", || Type::Any),
    ("module", || Type::Any),
    ("value false (singular enum)", || {
        Type::Enum(vec![EnumValue::Bool(false)])
    }),
];

/// Prefixes that take one term.
const PREFIXES: &[Prefix] = &[
    ("list of ", |t| Type::List(Box::new(t))),
    ("lazy attribute set of ", |t| Type::AttrsOf(Box::new(t))),
    ("attribute set of ", |t| Type::AttrsOf(Box::new(t))),
    ("open submodule of ", |t| Type::Submodule {
        freeform: Some(Box::new(t)),
    }),
    ("function that evaluates to a(n) ", |_| Type::Function),
    ("outputOf ", |_| Type::Any),
];

impl Parser<'_> {
    /// `a or b or c`.
    fn alternatives(&mut self) -> Type {
        let mut alts = vec![self.term()];
        while let Some(rest) = self.rest.strip_prefix(" or ") {
            self.rest = rest;
            alts.push(self.term());
        }
        if alts.len() == 1 {
            alts.pop().expect("one")
        } else {
            Type::Either(alts)
        }
    }

    /// A parenthesised type, a prefix and its term, or a noun.
    fn term(&mut self) -> Type {
        if let Some(rest) = self.rest.strip_prefix('(') {
            self.rest = rest;
            let inner = self.alternatives();
            return match self.rest.strip_prefix(')') {
                Some(rest) => {
                    self.rest = rest;
                    inner
                }
                None => self.unknown(),
            };
        }
        for (prefix, make) in PREFIXES {
            if let Some(rest) = self.rest.strip_prefix(prefix) {
                self.rest = rest;
                return make(self.term());
            }
        }
        self.noun()
    }

    fn noun(&mut self) -> Type {
        if let Some(rest) = self.rest.strip_prefix("one of ") {
            self.rest = rest;
            return self.enumeration();
        }
        if let Some(t) = self.integer_range() {
            return t;
        }
        for (word, skip_to) in [
            ("strings concatenated with ", Some(Type::Str)),
            ("string matching the pattern ", Some(Type::Str)),
            ("string convertible to it", Some(Type::Str)),
        ] {
            if self.rest.starts_with(word) {
                self.skip_noun();
                return skip_to.expect("a type");
            }
        }
        for (word, make) in NOUNS {
            if let Some(rest) = self.rest.strip_prefix(word) {
                if rest.is_empty() || rest.starts_with(" or ") || rest.starts_with(')') {
                    self.rest = rest;
                    return make();
                }
            }
        }
        self.unknown()
    }

    /// `16 bit unsigned integer; between 0 and 65535 (both inclusive)`,
    /// `integer between 1 and 31 (both inclusive)`.
    fn integer_range(&mut self) -> Option<Type> {
        // Only a whole integer phrase before `between`: not `string or … between`.
        let (_, after) = self.rest.split_once("between ").filter(|(head, _)| {
            !head.contains(" or ")
                && !head.contains('(')
                && (head.ends_with(" integer; ") || *head == "integer ")
        })?;
        let (range, rest) = after.split_once(" (both inclusive)")?;
        let (min, max) = range.split_once(" and ")?;
        let (min, max) = (min.trim().parse().ok()?, max.trim().parse().ok()?);
        self.rest = rest;
        Some(Type::Int { min, max })
    }

    /// `“a”, “b”` or `0, 1, 2`, up to the first thing that is not a value.
    fn enumeration(&mut self) -> Type {
        let mut values = Vec::new();
        loop {
            let value = if let Some(rest) = self.rest.strip_prefix('“') {
                let Some((s, rest)) = rest.split_once('”') else {
                    return self.unknown();
                };
                self.rest = rest;
                EnumValue::Str(s.to_string())
            } else {
                let digits: String = self
                    .rest
                    .chars()
                    .take_while(|c| c.is_ascii_digit() || *c == '-')
                    .collect();
                let Ok(n) = digits.parse() else {
                    return self.unknown();
                };
                self.rest = &self.rest[digits.len()..];
                EnumValue::Int(n)
            };
            values.push(value);
            match self.rest.strip_prefix(", ") {
                Some(rest) => self.rest = rest,
                None => return Type::Enum(values),
            }
        }
    }

    /// Skip a noun this parser does not read word by word: up to ` or ` or a closing
    /// parenthesis at its own depth.
    fn skip_noun(&mut self) {
        let mut depth = 0usize;
        let bytes = self.rest.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' if depth == 0 => break,
                b')' => depth -= 1,
                b' ' if depth == 0 && self.rest[i..].starts_with(" or ") => break,
                _ => {}
            }
            i += 1;
        }
        self.rest = &self.rest[i..];
    }

    /// A description not known here: it accepts anything.
    fn unknown(&mut self) -> Type {
        self.skip_noun();
        Type::Any
    }
}

/// A value of an enumeration as Nix writes it.
pub fn enum_word(v: &EnumValue) -> String {
    match v {
        EnumValue::Str(s) => format!("\"{s}\""),
        EnumValue::Int(n) => n.to_string(),
        EnumValue::Bool(b) => b.to_string(),
    }
}

/// A type in words: "an integer between 0 and 65535", "null or a list of strings".
pub fn describe(ty: &Type) -> String {
    match ty {
        Type::Bool => "a boolean".into(),
        Type::Int { min, max } => {
            let (lo, hi) = (i128::from(i64::MIN), i128::from(i64::MAX));
            match (*min == lo, *max == hi) {
                (true, true) => "an integer".into(),
                (false, true) => format!("an integer of at least {min}"),
                _ => format!("an integer between {min} and {max}"),
            }
        }
        Type::Float => "a floating point number".into(),
        Type::Str => "a string".into(),
        Type::AbsolutePath => "an absolute path".into(),
        Type::PathLike => "a path".into(),
        Type::Package => "a package".into(),
        Type::Null => "null".into(),
        Type::Enum(values) => {
            let words: Vec<String> = values.iter().map(enum_word).collect();
            format!("one of {}", words.join(", "))
        }
        Type::List(item) => format!("a list of {}", bare(&describe(item))),
        Type::AttrsOf(item) => format!("an attribute set of {}", bare(&describe(item))),
        Type::Attrs => "an attribute set".into(),
        Type::Submodule { .. } => "an attribute set of options".into(),
        Type::Either(alts) => alts.iter().map(describe).collect::<Vec<_>>().join(" or "),
        Type::Function => "a function".into(),
        Type::Any => "anything".into(),
    }
}

/// "a string" → "strings": a noun for after "list of".
fn bare(noun: &str) -> String {
    let singular = noun
        .strip_prefix("a ")
        .or_else(|| noun.strip_prefix("an "))
        .unwrap_or(noun);
    match singular.split_once(' ') {
        None if singular != "null" && singular != "anything" => format!("{singular}s"),
        _ => singular.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(s: &str) -> Type {
        parse(s).0
    }

    #[test]
    fn nouns_and_ranges() {
        assert_eq!(ty("boolean"), Type::Bool);
        assert_eq!(
            ty("16 bit unsigned integer; between 0 and 65535 (both inclusive)"),
            Type::Int { min: 0, max: 65535 }
        );
        assert_eq!(
            ty("integer between 1 and 31 (both inclusive)"),
            Type::Int { min: 1, max: 31 }
        );
        assert_eq!(
            ty("positive integer, meaning >0"),
            Type::Int {
                min: 1,
                max: i64::MAX.into()
            }
        );
        assert_eq!(ty("strings concatenated with “\\\\n”"), Type::Str);
        assert_eq!(ty("Traffic Server records value"), Type::Any);
        assert_eq!(parse("boolean *(read only)*"), (Type::Bool, true));
    }

    #[test]
    fn alternatives_and_composites() {
        assert_eq!(
            ty("null or (list of string)"),
            Type::Either(vec![Type::Null, Type::List(Box::new(Type::Str))])
        );
        assert_eq!(
            ty("attribute set of list of string"),
            Type::AttrsOf(Box::new(Type::List(Box::new(Type::Str))))
        );
        assert_eq!(
            ty("list of (string or absolute path)"),
            Type::List(Box::new(Type::Either(vec![Type::Str, Type::AbsolutePath])))
        );
        assert_eq!(
            ty("open submodule of lazy attribute set of anything"),
            Type::Submodule {
                freeform: Some(Box::new(Type::AttrsOf(Box::new(Type::Any))))
            }
        );
        assert_eq!(
            ty("null or (function that evaluates to a(n) list of package)"),
            Type::Either(vec![Type::Null, Type::Function])
        );
        assert_eq!(
            ty("attribute set of section of an INI file (attrs of INI atom (null, bool, int, float or string))"),
            Type::AttrsOf(Box::new(Type::Any))
        );
    }

    #[test]
    fn enumerations() {
        assert_eq!(
            ty("null or one of “off”, “error” or string"),
            Type::Either(vec![
                Type::Null,
                Type::Enum(vec![
                    EnumValue::Str("off".into()),
                    EnumValue::Str("error".into())
                ]),
                Type::Str
            ])
        );
        assert_eq!(
            ty("one of 0, 1, 2"),
            Type::Enum(vec![
                EnumValue::Int(0),
                EnumValue::Int(1),
                EnumValue::Int(2)
            ])
        );
        assert_eq!(
            ty("null or (list of string) or value false (singular enum)"),
            Type::Either(vec![
                Type::Null,
                Type::List(Box::new(Type::Str)),
                Type::Enum(vec![EnumValue::Bool(false)])
            ])
        );
    }

    /// Every type of the embedded reference parses to something; the ones that read as
    /// `Any` are only the descriptions of values devenv takes whatever they are.
    #[test]
    fn every_type_of_the_reference_is_read() {
        for line in super::super::options::DATA
            .lines()
            .filter(|l| !l.starts_with('#'))
        {
            let description = line.split('\t').nth(1).expect("a type column");
            let (t, _) = parse(description);
            let anything = [
                "anything",
                "unspecified value",
                "raw value",
                "JSON value",
                "YAML 1.1 value",
                "TOML value",
                "module",
                "outputOf",
                "Traffic Server",
                "INI",
                "function that evaluates",
            ];
            if t == Type::Any {
                assert!(
                    anything.iter().any(|a| description.contains(a)),
                    "not read: {description}"
                );
            }
        }
    }
}
