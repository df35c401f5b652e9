//! `sync --adopt`: carry values changed by hand in a merged Nix file back into devgen.toml.
//!
//! A conflict says the file and the spec disagree on a value devgen owns. When the file's
//! value is one devgen.toml can express (a port, the IP, a toolchain version, an env var),
//! adopting writes it into the spec — through toml_edit, so comments and layout survive —
//! and the next run of the pipeline finds the file and the spec agreeing.

use toml_edit::{DocumentMut, Item, Table, Value};

use crate::error::{Error, Result};
use crate::spec::SPEC_FILE;

/// One spec key and the value adopting gives it; `None` removes the key.
type Setting = (Vec<String>, Option<Value>);

/// The spec keys that express `value` at attribute `path` of `file`, or `None` when the path
/// maps to nothing devgen.toml can say (or the value is not one it can hold).
fn settings_for(file: &str, path: &str, value: &str) -> Option<Vec<Setting>> {
    let key = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
    let value = value.trim();
    if file != "devenv.nix" {
        return None;
    }
    if let Some(name) = path.strip_prefix("env.") {
        let name = nix_plain_string(name).unwrap_or_else(|| name.to_string());
        return Some(vec![(
            key("env", &name),
            Some(nix_plain_string(value)?.into()),
        )]);
    }
    let version_after = |prefix: &str| {
        let v = value.strip_prefix(prefix)?;
        (!v.is_empty() && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
            .then(|| v.replace('_', "."))
    };
    let settings = match path {
        "services.postgres.port" => {
            vec![(
                key("postgres", "port"),
                Some(value.parse::<i64>().ok()?.into()),
            )]
        }
        "services.postgres.listen_addresses" => {
            // devgen writes `let ip = builtins.getEnv "…"; in if ip == "" then "IP" else ip`
            let ip = match value.split_once(" then ") {
                Some((_, rest)) => rest.split_once(" else ")?.0.trim(),
                None => value,
            };
            vec![(key("project", "ip"), Some(nix_plain_string(ip)?.into()))]
        }
        "services.postgres.package" => vec![(
            key("toolchain", "postgres"),
            Some(version_after("pkgs.postgresql_")?.into()),
        )],
        "languages.javascript.package" => vec![(
            key("toolchain", "node"),
            Some(version_after("pkgs.nodejs_")?.into()),
        )],
        "languages.elixir.package" => {
            let (erlang, elixir) = match value.strip_prefix("pkgs.beam.packages.erlang_") {
                Some(rest) => {
                    let (otp, elixir) = rest.split_once(".elixir_")?;
                    (Some(otp.replace('_', ".")), elixir)
                }
                None => (None, value.strip_prefix("pkgs.beamPackages.elixir_")?),
            };
            if elixir.is_empty() || !elixir.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
                return None;
            }
            vec![
                (
                    key("toolchain", "elixir"),
                    Some(elixir.replace('_', ".").into()),
                ),
                (key("toolchain", "erlang"), erlang.map(Value::from)),
            ]
        }
        _ => return None,
    };
    Some(settings)
}

/// The text of a Nix string literal with no interpolation, or `None` for any other expression.
fn nix_plain_string(expr: &str) -> Option<String> {
    let inner = expr.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next()? {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            '"' => return None,
            '$' if chars.peek() == Some(&'{') => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

/// What adopting did and could not do.
#[derive(Debug, Default)]
pub struct Adopted {
    /// The new devgen.toml.
    pub spec_text: String,
    /// One line per key written: `postgres.port = 6000 (from devenv.nix services.postgres.port)`.
    pub changes: Vec<String>,
    /// Paths whose hand value devgen.toml cannot express.
    pub refused: Vec<String>,
}

/// Write each `(file, path, value)` the user set by hand into `spec_text`.
pub fn adopt(spec_text: &str, hand_values: &[(String, String, String)]) -> Result<Adopted> {
    let mut doc: DocumentMut = spec_text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Usage(format!("{SPEC_FILE}: {}", e.message())))?;
    let mut adopted = Adopted::default();
    for (file, path, value) in hand_values {
        let Some(settings) = settings_for(file, path, value) else {
            adopted.refused.push(format!("{file}: `{path}` = {value}"));
            continue;
        };
        for (keys, new) in settings {
            let shown = keys.join(".");
            match &new {
                Some(v) => adopted.changes.push(format!(
                    "{shown} = {} (from {file} `{path}`)",
                    v.to_string().trim()
                )),
                None if get(&doc, &keys).is_some() => {
                    adopted
                        .changes
                        .push(format!("{shown} removed (from {file} `{path}`)"));
                }
                None => {}
            }
            put(&mut doc, &keys, new);
        }
    }
    adopted.spec_text = crate::escape::like_original(spec_text, &doc.to_string());
    Ok(adopted)
}

fn get<'a>(doc: &'a DocumentMut, keys: &[String]) -> Option<&'a Item> {
    let (last, tables) = keys.split_last()?;
    let mut table = doc.as_table();
    for t in tables {
        table = table.get(t)?.as_table()?;
    }
    table.get(last)
}

/// Set (or remove) a key, keeping the comments around the value it replaces.
fn put(doc: &mut DocumentMut, keys: &[String], new: Option<Value>) {
    let (last, tables) = keys.split_last().expect("a spec key has a name");
    let mut table: &mut Table = doc.as_table_mut();
    for t in tables {
        if !table.contains_key(t) {
            if new.is_none() {
                return;
            }
            table.insert(t, Item::Table(Table::new()));
        }
        table = table[t.as_str()]
            .as_table_mut()
            .expect("the spec parsed, so its sections are tables");
    }
    match new {
        None => {
            table.remove(last);
        }
        Some(mut v) => match table.get_mut(last).and_then(Item::as_value_mut) {
            Some(old) => {
                *v.decor_mut() = old.decor().clone();
                *old = v;
            }
            None => {
                table.insert(last, Item::Value(v));
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(file: &str, path: &str, value: &str) -> (String, String, String) {
        (file.into(), path.into(), value.into())
    }

    #[test]
    fn a_port_is_written_into_its_key_keeping_the_comment() {
        let spec = "[project]\nname = \"a\"\n\n[postgres]\nport = 5432   # the port\n";
        let a = adopt(spec, &[one("devenv.nix", "services.postgres.port", "6000")]).unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n\n[postgres]\nport = 6000   # the port\n"
        );
        assert_eq!(
            a.changes,
            ["postgres.port = 6000 (from devenv.nix `services.postgres.port`)"]
        );
    }

    #[test]
    fn the_ip_default_is_read_out_of_the_worktree_override() {
        let a = adopt(
            "[project]\nname = \"a\"\nip = \"127.0.0.10\"\n",
            &[one(
                "devenv.nix",
                "services.postgres.listen_addresses",
                "let ip = builtins.getEnv \"DEVGEN_IP\"; in if ip == \"\" then \"127.0.0.20\" else ip",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\nip = \"127.0.0.20\"\n"
        );
    }

    #[test]
    fn a_missing_section_is_created() {
        let a = adopt(
            "[project]\nname = \"a\"\n",
            &[one(
                "devenv.nix",
                "services.postgres.package",
                "pkgs.postgresql_17",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n\n[toolchain]\npostgres = \"17\"\n"
        );
    }

    #[test]
    fn elixir_package_sets_elixir_and_erlang() {
        let spec = "[project]\nname = \"a\"\n[toolchain]\nelixir = \"1.18\"\nerlang = \"27\"\n";
        let a = adopt(
            spec,
            &[one(
                "devenv.nix",
                "languages.elixir.package",
                "pkgs.beamPackages.elixir_1_17",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n[toolchain]\nelixir = \"1.17\"\n"
        );
        let a = adopt(
            spec,
            &[one(
                "devenv.nix",
                "languages.elixir.package",
                "pkgs.beam.packages.erlang_26.elixir_1_16",
            )],
        )
        .unwrap();
        assert!(
            a.spec_text.contains("elixir = \"1.16\"\nerlang = \"26\""),
            "{}",
            a.spec_text
        );
    }

    #[test]
    fn env_strings_are_decoded_and_other_expressions_refused() {
        let a = adopt(
            "[project]\nname = \"a\"\n",
            &[
                one("devenv.nix", "env.ERL_AFLAGS", "\"-kernel \\\"x\\\"\""),
                one("devenv.nix", "env.X", "\"${pkgs.hello}\""),
                one("devenv.nix", "services.postgres.port", "config.port"),
                one("flake.nix", "nixConfig.extra-substituters", "[ ]"),
            ],
        )
        .unwrap();
        assert!(
            a.spec_text.contains("ERL_AFLAGS = '-kernel \"x\"'"),
            "{}",
            a.spec_text
        );
        assert_eq!(a.refused.len(), 3, "{:?}", a.refused);
    }
}
