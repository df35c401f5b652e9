//! The checker's findings in words: what is wrong, where, and how to write it instead.

use nix_edit::Value;

use super::check::At;
use super::check::{show, Problem};
use super::resolve::Known;
use super::types::{describe, enum_word, Type};
use crate::diagnostic::did_you_mean;

/// Where devenv's options are documented, for the names it does not know.
const REFERENCE: &str = "https://devenv.sh/reference/options/";

impl super::check::Checker {
    /// `path` names no option of `node`.
    pub(super) fn unknown(&mut self, at: At, path: &[String], span: std::ops::Range<usize>) {
        if self.is_declared(path) {
            return; // an option of the module's own
        }
        let (parent, name) = path.split_at(path.len() - 1);
        let name = &name[0];
        let help = match did_you_mean(name, at.names()) {
            Some(s) => format!(
                "did you mean `{}`?",
                show(&[parent, &[s.to_string()]].concat())
            ),
            None if parent.is_empty() => format!("devenv's options are listed at {REFERENCE}"),
            None => format!(
                "the options of `{}` are listed at {REFERENCE}",
                show(parent)
            ),
        };
        self.push(
            path,
            span,
            format!("unknown option `{}`", show(path)),
            "not an option of devenv",
            help,
        );
    }

    /// A name below an option whose type has nothing below it.
    pub(super) fn not_a_set(&mut self, path: &[String], ty: &Type, span: std::ops::Range<usize>) {
        let parent = show(&path[..path.len() - 1]);
        self.push(
            path,
            span,
            format!(
                "`{}` is not an option: `{parent}` is {}, with nothing below it",
                show(path),
                describe(ty)
            ),
            "nothing to set here",
            format!("set `{parent}` itself: {parent} = …;"),
        );
    }

    pub(super) fn read_only(&mut self, path: &[String], value: &Value) {
        self.push(
            path,
            value.span(),
            format!("`{}` is read-only: devenv sets it itself", show(path)),
            "a read-only option",
            "remove this definition; read the value from `config` instead".to_string(),
        );
    }

    /// A group of options given something that is not a set.
    pub(super) fn wrong_namespace(&mut self, path: &[String], known: &Known, value: &Value) {
        let shown = show(path);
        self.push(
            path,
            value.span(),
            format!(
                "`{shown}` groups options, so it takes an attribute set, not {}",
                known.noun()
            ),
            &known.noun(),
            format!("set the options inside it: {shown} = {{ … }};"),
        );
    }

    /// A value that does not fit its option's type.
    pub(super) fn misfit(
        &mut self,
        path: &[String],
        ty: &Type,
        known: &Known,
        value: &Value,
        problem: Problem,
    ) {
        let shown = show(path);
        let text = value.text();
        let (message, label, help) = match problem {
            Problem::Kind => (
                format!(
                    "`{shown}` is {}, but devenv wants {}",
                    known.noun(),
                    describe(ty)
                ),
                known.noun(),
                rewrite(ty, known).unwrap_or_else(|| how_to_write(ty)),
            ),
            Problem::Range { min, max } => (
                format!(
                    "`{shown}` = {text} is out of range: devenv wants {}",
                    describe(ty)
                ),
                "out of range".to_string(),
                format!("use a value from {min} to {max}"),
            ),
            Problem::NotInEnum(values) => {
                let words: Vec<String> = values.iter().map(enum_word).collect();
                let given = text.trim_matches('"').to_string();
                let close = did_you_mean(&given, words.iter().map(|w| w.trim_matches('"')));
                let help = match close {
                    Some(c) => format!("did you mean \"{c}\"?"),
                    None => format!("use one of {}", words.join(", ")),
                };
                (
                    format!(
                        "`{shown}` = {text} is not one of the values devenv takes: {}",
                        words.join(", ")
                    ),
                    "not one of its values".to_string(),
                    help,
                )
            }
            Problem::NotAbsolute => (
                format!("`{shown}` = {text} is not an absolute path"),
                "a relative path".to_string(),
                "start it with /, or write a path literal such as ./file".to_string(),
            ),
        };
        self.push(path, value.span(), message, &label, help);
    }
}

/// The value rewritten as the type wants it, when that is plain: `"5432"` as `5432`,
/// `"true"` as `true`, `5432` as `"5432"`.
fn rewrite(ty: &Type, known: &Known) -> Option<String> {
    let text = match known {
        Known::Str(Some(s)) => s.trim(),
        _ => return None,
    };
    let plain = match ty {
        Type::Int { min, max } => text
            .parse::<i128>()
            .ok()
            .filter(|n| (*min..=*max).contains(n))
            .map(|n| n.to_string()),
        Type::Bool => matches!(text, "true" | "false").then(|| text.to_string()),
        Type::Either(alts) => alts.iter().find_map(|a| rewrite(a, known)),
        _ => None,
    }?;
    Some(format!("write {plain}, without quotes"))
}

/// How to write a value of `ty`, for a value of another kind.
fn how_to_write(ty: &Type) -> String {
    match ty {
        Type::Bool => "write true or false, without quotes".into(),
        Type::Int { .. } => "write a whole number without quotes, like 5432".into(),
        Type::Float => "write a number with a decimal point, like 1.5".into(),
        Type::Str => "write a string in double quotes, like \"value\"".into(),
        Type::AbsolutePath => {
            "write an absolute path: a path literal like ./file, or a string starting with /".into()
        }
        Type::PathLike => "write a path, like ./file".into(),
        Type::Package => "write a package of nixpkgs, like pkgs.hello".into(),
        Type::Null => "write null".into(),
        Type::Enum(values) => {
            let words: Vec<String> = values.iter().map(enum_word).collect();
            format!("write one of {}", words.join(", "))
        }
        Type::List(_) => "write a list: [ … ]".into(),
        Type::AttrsOf(_) | Type::Attrs | Type::Submodule { .. } => {
            "write an attribute set: { … }".into()
        }
        Type::Either(alts) => alts
            .iter()
            .find(|a| !matches!(a, Type::Null))
            .map(how_to_write)
            .unwrap_or_else(|| "write null".into()),
        Type::Function => "write a function: x: …".into(),
        Type::Any => "write any value".into(),
    }
}
