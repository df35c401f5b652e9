//! serde's messages about the spec's shape, turned into ones that name the section and
//! suggest a fix: an unknown key gets the keys its section takes and a "did you mean", a
//! missing key or section says what to add, a wrong type says how to write the right one.

use crate::diagnostic::{did_you_mean, Diagnostic};

use super::{SECTIONS, SUBSECTIONS};

/// The diagnostic for serde's error `e` while reading `text` (parsed as `doc`).
pub(super) fn translate(
    file: &str,
    text: &str,
    doc: &toml_edit::Document<String>,
    e: &toml_edit::de::Error,
) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let msg = e.message().trim_end();
    let first_ticked = msg.split('`').nth(1).unwrap_or("");
    let section = section_at(doc, span.start);
    let diagnostic = Diagnostic::new(file, text, span.clone(), "");
    if msg.starts_with("unknown field") {
        return unknown_key(diagnostic, first_ticked, section.as_deref());
    }
    if msg.starts_with("missing field") {
        return missing_key(diagnostic, first_ticked, section.as_deref());
    }
    let key = key_name_at(text, span.start);
    if msg.starts_with("invalid type") {
        return wrong_type(diagnostic, &key, msg);
    }
    if msg.contains("untagged enum Upstream") {
        return Diagnostic {
            message: "a route goes to \"phoenix\", \"frontend\" or a port number".to_string(),
            ..diagnostic
        }
        .with_label("not one of them")
        .with_help(value_hint(&key));
    }
    Diagnostic {
        message: msg.to_string(),
        ..diagnostic
    }
    .with_help(value_hint(&key))
}

/// `key` is not one of its section's (or, above every section header, not a section).
fn unknown_key(d: Diagnostic, key: &str, section: Option<&str>) -> Diagnostic {
    let (place, valid): (String, Vec<&str>) = match section {
        Some(s) => (
            format!("[{s}]"),
            SECTIONS
                .iter()
                .chain(SUBSECTIONS)
                .find(|(n, _)| *n == s)
                .map(|(_, k)| k.to_vec())
                .unwrap_or_default(),
        ),
        None => (
            "devgen.toml".to_string(),
            SECTIONS.iter().map(|(n, _)| *n).collect(),
        ),
    };
    let what = if section.is_some() { "key" } else { "section" };
    // A key written above every section header (`name = …` before `[project]`).
    let home = SECTIONS
        .iter()
        .find(|(_, keys)| keys.contains(&key))
        .filter(|_| section.is_none());
    let mut help = match (home, did_you_mean(key, valid.iter().copied())) {
        (Some((sec, _)), _) => {
            format!("`{key}` belongs under [{sec}]: put it below a `[{sec}]` line\n")
        }
        (None, Some(s)) => format!("did you mean `{s}`?\n"),
        (None, None) => String::new(),
    };
    let takes: Vec<String> = valid.iter().map(|k| format!("`{k}`")).collect();
    help.push_str(&format!("{place} takes: {}", takes.join(", ")));
    Diagnostic {
        message: format!("unknown {what} `{key}` in {place}"),
        ..d
    }
    .with_label(format!("not a {what} devgen knows"))
    .with_help(help)
}

/// A required key, or the required `[project]` section, is missing.
fn missing_key(d: Diagnostic, key: &str, section: Option<&str>) -> Diagnostic {
    match section {
        Some(s) => Diagnostic {
            message: format!("[{s}] is missing `{key}`"),
            ..d
        }
        .with_label("in this table")
        .with_help(format!("add `{key} = ...` under [{s}]")),
        None => Diagnostic {
            message: format!("devgen.toml has no [{key}] section"),
            ..d
        }
        .with_help(format!(
            "add a [{key}] section, at least:\n[project]\nname = \"my-app\""
        )),
    }
}

/// serde's "invalid type: integer `3`, expected a string".
fn wrong_type(d: Diagnostic, key: &str, msg: &str) -> Diagnostic {
    let expected = msg.split("expected ").nth(1).unwrap_or("another type");
    Diagnostic {
        message: format!(
            "wrong type for `{key}`: {}",
            msg.trim_start_matches("invalid type: ")
        ),
        ..d
    }
    .with_label(format!("expected {expected}"))
    .with_help(type_hint(expected))
}

/// How to write a valid value for `key`, for errors raised while reading the value.
fn value_hint(key: &str) -> String {
    match key {
        "port" => "write a port number from 1 to 65535, like 4000".to_string(),
        "live_debugger" => {
            "write a port number, like live_debugger = 4007, or live_debugger = false".to_string()
        }
        "elixir" => "quote the version: elixir = \"1.18\"".to_string(),
        "routes" => "write where each path goes: \"phoenix\", \"frontend\", or a port on the project ip, like routes = { \"/admin/*\" = \"phoenix\", \"/docs/*\" = 4200 }".to_string(),
        "mode" => "write mode = \"isolated\" (a PostgreSQL of the project's own, the default) or mode = \"shared\" (the machine's shared PostgreSQL)".to_string(),
        "erlang" | "node" | "postgres" => format!("quote the major version: {key} = \"27\""),
        _ => format!("fix the value of `{key}`"),
    }
}

fn type_hint(expected: &str) -> String {
    if expected.contains("string") {
        "put the value in double quotes, like \"value\"".to_string()
    } else if expected.contains("bool") {
        "write true or false, without quotes".to_string()
    } else if expected.contains("sequence") {
        "write a list, like [\"a\", \"b\"]".to_string()
    } else if expected.contains("port") || expected.contains("integer") {
        "write a number without quotes, like 4000".to_string()
    } else {
        format!("write {expected}")
    }
}

/// The top-level section containing byte `offset`; `None` when `offset` is on a top-level
/// key itself (a section name).
fn section_at(doc: &toml_edit::Document<String>, offset: usize) -> Option<String> {
    let top = doc.as_table();
    if top.iter().any(|(name, _)| {
        top.key(name)
            .and_then(|k| k.span())
            .is_some_and(|s| s.contains(&offset))
    }) {
        return None;
    }
    table_at(top, offset, true)
}

/// The name of the table of `table` that holds `offset`: an inline value around it, or the
/// table whose header comes last before it, and within that the same again (the header of
/// `[services.nats]` gives an implicit `services` a span that starts after the table's own).
fn table_at(table: &toml_edit::Table, offset: usize, top: bool) -> Option<String> {
    let mut best: Option<(usize, &str, &toml_edit::Item)> = None;
    for (name, item) in table.iter() {
        let Some(span) = item.span() else { continue };
        // Above every header a value is a section of its own; below one, only an inline table.
        if span.contains(&offset) && !item.is_table() && (top || item.is_inline_table()) {
            return Some(name.to_string());
        }
        if item.is_table()
            && span.start <= offset
            && best.as_ref().is_none_or(|(s, _, _)| span.start > *s)
        {
            best = Some((span.start, name, item));
        }
    }
    let (_, name, item) = best?;
    let inner = item.as_table().and_then(|t| table_at(t, offset, false));
    Some(match inner {
        Some(inner) => format!("{name}.{inner}"),
        None => name.to_string(),
    })
}

/// The key written at the start of the line containing `offset` (for messages).
fn key_name_at(text: &str, offset: usize) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    text[start..]
        .split(['=', '\n'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_string()
}
