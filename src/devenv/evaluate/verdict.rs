//! What evaluation made of a value, checked as if it had been written there: each traced
//! value becomes a Nix literal (a package `pkgs.<stand-in>`, a string of unknown text an
//! interpolation, a stand-in of unknown value a free name), and the checker reads that.

use nix_edit::{quote_attr, quote_string, NixDocument, Shape};
use serde_json::Value as Json;

use super::super::check::{check_at, Finding, Place};
use super::stubs::UNKNOWN_TEXT;

/// What evaluation settled about one value.
pub(super) enum Verdict {
    /// Every value it evaluated to fits; how many values were checked.
    Fits(usize),
    Findings(Vec<Finding>),
    /// Still unknown, and why.
    Unknown(String),
}

/// The verdict on the values `traced` for a value at `place`, written at `span`.
pub(super) fn verdict(place: &Place, span: &std::ops::Range<usize>, traced: &[Json]) -> Verdict {
    let mut checked = 0;
    for json in traced {
        let mut unknown = None;
        let literal = render(json, &mut unknown);
        let Some(report) = check_literal(place, &literal) else {
            return Verdict::Unknown("devgen cannot read back what it evaluates to".into());
        };
        if !report.findings.is_empty() {
            let shown = short(&literal);
            let relocated = report.findings.into_iter().map(|f| Finding {
                span: span.clone(),
                label: format!("evaluates to {shown}"),
                ..f
            });
            return Verdict::Findings(relocated.collect());
        }
        if !report.unchecked.is_empty() {
            return Verdict::Unknown(match unknown {
                Some(name) => {
                    format!("it depends on `{name}`, which only devenv's evaluation knows")
                }
                None => format!(
                    "it evaluates to {}, which reading cannot check",
                    short(&literal)
                ),
            });
        }
        checked += report.checked;
    }
    Verdict::Fits(checked)
}

/// Check `literal` at `place`; `None` when it does not parse (which would be devgen's bug).
fn check_literal(place: &Place, literal: &str) -> Option<super::super::Report> {
    let doc = NixDocument::parse("evaluated.nix", format!("{{ pkgs, ... }}: {literal}")).ok()?;
    let Shape::Lambda(body) = doc.value().shape() else {
        return None;
    };
    Some(check_at(place, &body))
}

/// A traced value as a Nix literal; the name of the first stand-in of unknown value in it
/// goes to `unknown`.
fn render(json: &Json, unknown: &mut Option<String>) -> String {
    let kind = json["t"].as_str().unwrap_or("unknown");
    match kind {
        "int" | "float" | "bool" | "null" => render_scalar(kind, &json["v"]),
        "string" => match json["v"].as_str() {
            Some(s) if s.contains(UNKNOWN_TEXT) => "\"${unknownText}\"".into(),
            Some(s) => quote_string(s),
            None => "\"${unknownText}\"".into(),
        },
        "path" => match json["v"].as_str() {
            Some(p) if p.starts_with('/') && p.chars().all(path_char) => p.to_string(),
            _ => "/devgen/unreadable/path".into(),
        },
        "lambda" => "(x: x)".into(),
        "package" => "pkgs.evaluated".into(),
        "list" => {
            let items = json["items"].as_array().into_iter().flatten();
            let items: Vec<String> = items.map(|i| format!("({})", render(i, unknown))).collect();
            format!("[ {} ]", items.join(" "))
        }
        "set" => {
            let items = json["items"].as_object().into_iter().flatten();
            let items: Vec<String> = items
                .map(|(k, v)| format!("{} = {};", quote_attr(k), render(v, unknown)))
                .collect();
            format!("{{ {} }}", items.join(" "))
        }
        _ => {
            unknown.get_or_insert_with(|| json["name"].as_str().unwrap_or("?").to_string());
            "unknownValue".into()
        }
    }
}

fn render_scalar(kind: &str, v: &Json) -> String {
    match (kind, v) {
        ("float", Json::Number(n)) => {
            let text = n.to_string();
            if text.contains(['.', 'e']) {
                text
            } else {
                format!("{text}.0")
            }
        }
        (_, Json::Null) => "null".into(),
        (_, other) => other.to_string(),
    }
}

fn path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "._-+/".contains(c)
}

/// A literal short enough for a label.
fn short(literal: &str) -> String {
    const MAX: usize = 60;
    if literal.chars().count() <= MAX {
        return format!("`{literal}`");
    }
    let cut: String = literal.chars().take(MAX).collect();
    format!("`{cut}…`")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn traced_values_read_back_as_literals() {
        let mut unknown = None;
        let list = json!({"t": "list", "items": [
            {"t": "package"}, {"t": "string", "v": "a\"${b}"}, {"t": "int", "v": 3},
            {"t": "float", "v": 2}, {"t": "set", "items": {"x y": {"t": "null", "v": null}}},
            {"t": "unknown", "name": "lib.foo"}
        ]});
        assert_eq!(
            render(&list, &mut unknown),
            r#"[ (pkgs.evaluated) ("a\"\${b}") (3) (2.0) ({ "x y" = null; }) (unknownValue) ]"#
        );
        assert_eq!(unknown.as_deref(), Some("lib.foo"));
    }
}
