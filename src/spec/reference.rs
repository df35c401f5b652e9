//! The spec reference, generated from the spec's own types: the JSON Schema that editors
//! validate devgen.toml against (`devgen schema`, and `devgen.schema.json` in the
//! repository), and the same as Markdown tables for the README (`devgen schema --markdown`).
//! Both come from [`super::json_schema`], so they cannot drift from the parser.

use serde_json::Value;

use crate::spec;

/// devgen's repository, as Cargo.toml's `repository` names it: the one place that does.
/// Empty while the project has no public home, and then no URL is written anywhere.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// Where editors find the schema: `init` writes it into devgen.toml as a `#:schema`
/// directive (taplo's convention), pointing at the copy committed in devgen's repository —
/// when that repository is on GitHub, whose raw files serve it; `None` otherwise, rather
/// than a URL that does not answer.
pub fn schema_url() -> Option<String> {
    schema_url_of(REPOSITORY)
}

fn schema_url_of(repository: &str) -> Option<String> {
    let path = repository
        .strip_prefix("https://github.com/")?
        .trim_end_matches('/')
        .trim_end_matches(".git");
    let (owner, repo) = path.split_once('/')?;
    Some(format!(
        "https://raw.githubusercontent.com/{owner}/{repo}/main/devgen.schema.json"
    ))
}

/// The JSON Schema, pretty-printed, with a final newline.
pub fn json() -> String {
    let schema = spec::json_schema();
    let mut text = serde_json::to_string_pretty(schema.as_value()).expect("a schema is JSON");
    text.push('\n');
    text
}

/// One table a section, and one a table inside a section (`[services.nats]`): key, type,
/// default, description.
pub fn markdown() -> String {
    let schema = spec::json_schema();
    let root = schema.as_value();
    let defs = root.get("definitions").cloned().unwrap_or(Value::Null);
    let mut out = String::new();
    let sections = root["properties"].as_object().expect("the spec is a table");
    for (section, prop) in sections {
        let required = root["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|k| k == section));
        write_section(&mut out, section, prop, required, &defs);
    }
    out
}

/// The table of `[name]`, then those of the tables among its keys.
fn write_section(out: &mut String, name: &str, prop: &Value, required: bool, defs: &Value) {
    // An array of tables is written `[[name]]`, one table an element.
    let array = non_null(prop).get("items").is_some();
    let header = if array {
        format!("[[{name}]]")
    } else {
        format!("[{name}]")
    };
    out.push_str(&format!(
        "### `{header}`{}\n\n{}\n\n",
        if required { " (required)" } else { "" },
        description(prop)
    ));
    let table = resolve(elements(non_null(prop)), defs);
    let Some(keys) = table.get("properties").and_then(Value::as_object) else {
        out.push_str(&format!(
            "Any key: `NAME = \"value\"` ({}).\n\n",
            type_of(&table["additionalProperties"], defs)
        ));
        return;
    };
    let required: Vec<&str> = table["required"]
        .as_array()
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("| key | type | default | meaning |\n|---|---|---|---|\n");
    for (key, p) in keys {
        let default = match p.get("default") {
            Some(d) => format!("`{d}`"),
            None if required.contains(&key.as_str()) => "required".to_string(),
            None => "—".to_string(),
        };
        out.push_str(&format!(
            "| `{key}` | {} | {default} | {} |\n",
            type_of(p, defs),
            description(p).replace('|', "\\|")
        ));
    }
    out.push('\n');
    for (key, p) in keys {
        if is_table(p, defs) {
            write_section(out, &format!("{name}.{key}"), p, false, defs);
        }
    }
}

/// Whether a key's value is a table with keys of its own.
fn is_table(p: &Value, defs: &Value) -> bool {
    resolve(elements(non_null(p)), defs)
        .get("properties")
        .is_some()
}

/// The schema of an array's elements, or `p` itself.
fn elements(p: &Value) -> &Value {
    p.get("items").unwrap_or(p)
}

/// An optional value's schema without its `null` (`anyOf: [{ $ref }, { type: null }]`).
fn non_null(p: &Value) -> &Value {
    match p.get("anyOf").and_then(Value::as_array) {
        Some(any) => any
            .iter()
            .find(|v| v.get("type").and_then(Value::as_str) != Some("null"))
            .unwrap_or(p),
        None => p,
    }
}

fn description(p: &Value) -> String {
    p.get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .replace('\n', " ")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Follow a `$ref` into the definitions.
fn resolve<'a>(p: &'a Value, defs: &'a Value) -> &'a Value {
    // draft-07 ignores siblings of `$ref`, so a described reference is `allOf: [{ $ref }]`
    if let Some([only]) = p.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
        return resolve(only, defs);
    }
    match p.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.rsplit('/').next().unwrap_or(r);
            defs.get(name).unwrap_or(p)
        }
        None => p,
    }
}

/// A short human name of a property's type.
fn type_of(p: &Value, defs: &Value) -> String {
    if is_table(p, defs) {
        return "table".to_string();
    }
    let p = resolve(p, defs);
    if let Some(c) = p.get("const") {
        return format!("`{c}`");
    }
    if let Some(values) = p.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        return names.join(" or ");
    }
    if let Some(any) = p
        .get("anyOf")
        .or_else(|| p.get("oneOf"))
        .and_then(Value::as_array)
    {
        let kinds: Vec<String> = any
            .iter()
            .map(|v| type_of(v, defs))
            .filter(|t| t != "null")
            .collect();
        return kinds.join(" or ");
    }
    match &p["type"] {
        Value::String(t) if t == "array" => format!("list of {}", type_of(&p["items"], defs)),
        Value::String(t) if t == "integer" && p.get("maximum").is_some() => "port".to_string(),
        Value::String(t) => t.clone(),
        Value::Array(ts) => ts
            .iter()
            .filter_map(Value::as_str)
            .filter(|t| *t != "null")
            .map(|t| {
                if t == "array" {
                    format!("list of {}", type_of(&p["items"], defs))
                } else if t == "integer" && p.get("maximum").is_some() {
                    "port".to_string()
                } else {
                    t.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_url_follows_a_github_repository_and_none_else() {
        assert_eq!(
            schema_url_of("https://github.com/acme/devgen").as_deref(),
            Some("https://raw.githubusercontent.com/acme/devgen/main/devgen.schema.json")
        );
        assert_eq!(
            schema_url_of("https://github.com/acme/devgen.git/").as_deref(),
            Some("https://raw.githubusercontent.com/acme/devgen/main/devgen.schema.json")
        );
        assert_eq!(schema_url_of(""), None);
        assert_eq!(schema_url_of("https://git.example/acme/devgen"), None);
    }

    /// The keys "did you mean" offers are the keys the schema (and the parser) takes.
    #[test]
    fn the_spec_sections_listed_for_suggestions_match_the_schema() {
        let schema = spec::json_schema();
        let root = schema.as_value();
        let defs = &root["definitions"];
        let from_schema: Vec<(String, Vec<String>)> = root["properties"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, p)| {
                let keys = resolve(non_null(p), defs)
                    .get("properties")
                    .and_then(Value::as_object)
                    .map(|k| k.keys().cloned().collect())
                    .unwrap_or_default();
                (name.clone(), keys)
            })
            .collect();
        let listed: Vec<(String, Vec<String>)> = spec::SECTIONS
            .iter()
            .map(|(n, k)| (n.to_string(), k.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(listed, from_schema);
        // The tables inside sections: each key of a section that is a table.
        let mut tables = Vec::new();
        for (name, p) in root["properties"].as_object().unwrap() {
            let section = resolve(non_null(p), defs);
            for (key, k) in section["properties"].as_object().into_iter().flatten() {
                if is_table(k, defs) {
                    let keys = resolve(elements(non_null(k)), defs)["properties"]
                        .as_object()
                        .unwrap()
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>();
                    tables.push((format!("{name}.{key}"), keys));
                }
            }
        }
        let listed: Vec<(String, Vec<String>)> = spec::SUBSECTIONS
            .iter()
            .map(|(n, k)| (n.to_string(), k.iter().map(|s| s.to_string()).collect()))
            .collect();
        assert_eq!(listed, tables);
    }

    #[test]
    fn markdown_has_a_row_for_every_key() {
        let md = markdown();
        for (section, keys) in spec::SECTIONS.iter().chain(spec::SUBSECTIONS) {
            assert!(
                md.contains(&format!("### `[{section}]`"))
                    || md.contains(&format!("### `[[{section}]]`")),
                "{section}"
            );
            for key in *keys {
                assert!(md.contains(&format!("| `{key}` |")), "{section}.{key}");
            }
        }
    }
}
