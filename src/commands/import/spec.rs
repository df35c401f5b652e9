//! The first spec of a project: `devgen init` derives it from what the directory already
//! says about itself — its name, `mix.exs` (app and module), `package.json` (Node) — and
//! writes it with a comment on every key.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{
    camel_case, DEFAULT_ELIXIR, DEFAULT_LIVE_DEBUGGER_PORT, DEFAULT_PHOENIX_PORT, DEFAULT_POSTGRES,
    DEFAULT_POSTGRES_PORT,
};
use crate::project::ProjectRoot;
use crate::render::Renderer;
use crate::spec::reference::schema_url;
use crate::spec::rules::{is_module_name, is_otp_app, is_project_name};
use crate::spec::SPEC_FILE;

/// Node major version when `package.json` names none.
const DEFAULT_NODE: &str = "22";

#[derive(Debug, Serialize)]
struct FirstSpec {
    name: String,
    app: Option<String>,
    module: Option<String>,
    host: String,
    ip: String,
    elixir: &'static str,
    node: Option<String>,
    postgres: &'static str,
    phoenix_port: u16,
    /// LiveDebugger's port, or none when mix.exs does not depend on it.
    live_debugger: Option<u16>,
    postgres_port: u16,
    /// The schema's URL for the `#:schema` line; none while devgen has no public home.
    schema_url: Option<String>,
}

/// The text of a first `devgen.toml` for the project at `root`, named `name` (else after
/// its directory), on the address `ip`.
pub fn first_spec(
    root: &ProjectRoot,
    renderer: &Renderer,
    name: Option<&str>,
    ip: Ipv4Addr,
) -> Result<String> {
    let name = project_name(root, name)?;
    let default_app = name.replace('-', "_");
    let mix = root.read("mix.exs")?;
    let app = mix
        .as_deref()
        .and_then(mix_app)
        .filter(|a| *a != default_app);
    let effective_app = app.clone().unwrap_or(default_app);
    let module = mix
        .as_deref()
        .and_then(mix_module)
        .filter(|m| *m != camel_case(&effective_app));
    let first = FirstSpec {
        host: format!("{name}.test"),
        name,
        app,
        module,
        ip: ip.to_string(),
        elixir: DEFAULT_ELIXIR,
        node: node_version(root)?,
        postgres: DEFAULT_POSTGRES,
        phoenix_port: DEFAULT_PHOENIX_PORT,
        live_debugger: live_debugger(mix.as_deref()),
        postgres_port: DEFAULT_POSTGRES_PORT,
        schema_url: schema_url(),
    };
    renderer.render_template(
        SPEC_FILE,
        "init/devgen.toml.j2",
        &crate::render::values(&first),
    )
}

/// `--name`, checked, or a name derived from the directory's.
fn project_name(root: &ProjectRoot, name: Option<&str>) -> Result<String> {
    match name {
        Some(n) if is_project_name(n) => Ok(n.to_string()),
        Some(n) => Err(Error::Usage(format!(
            "--name {n:?} is not a valid project name\n  = help: use lowercase letters, digits, '-' and '_', starting with a letter, like \"my-app\""
        ))),
        None => {
            let dir_name = root
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            project_name_from(&dir_name).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot derive a project name from the directory name {dir_name:?}\n  = help: pass one: devgen init --name my-app"
                ))
            })
        }
    }
}

/// The Node major version of the project's `package.json` (or `assets/package.json`):
/// its `engines.node`, else devgen's default; `None` without a package.json.
fn node_version(root: &ProjectRoot) -> Result<Option<String>> {
    for path in ["package.json", "assets/package.json"] {
        if let Some(text) = root.read(path)? {
            return Ok(Some(
                node_major(&text).unwrap_or_else(|| DEFAULT_NODE.to_string()),
            ));
        }
    }
    Ok(None)
}

/// A project name from a directory name: written in ASCII (`Ünïcode` → `unicode`, by
/// deunicode's transliteration), lowercased, other characters turned into '-', starting
/// with a letter.
fn project_name_from(dir: &str) -> Option<String> {
    let mapped: String = deunicode::deunicode(dir)
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .trim_end_matches('-');
    let mut name = String::new();
    for c in trimmed.chars() {
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name.truncate(64);
    let name = name.trim_end_matches('-').to_string();
    is_project_name(&name).then_some(name)
}

/// `app: :my_app` from a mix.exs.
fn mix_app(mix: &str) -> Option<String> {
    let rest = &mix[mix.find("app:")? + 4..];
    let rest = rest.trim_start().strip_prefix(':')?;
    let app: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    is_otp_app(&app).then_some(app)
}

/// LiveDebugger's port for a first spec: off when the app's mix.exs does not depend on
/// `:live_debugger` (its config would only make every `mix` run warn), on without a mix.exs.
fn live_debugger(mix: Option<&str>) -> Option<u16> {
    match mix {
        Some(mix) if !depends_on(mix, "live_debugger") => None,
        _ => Some(DEFAULT_LIVE_DEBUGGER_PORT),
    }
}

/// Whether a mix.exs lists the dependency `app` (`{:app, …}` on a line not commented out).
fn depends_on(mix: &str, app: &str) -> bool {
    let dep = format!("{{:{app},");
    mix.lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.split('#').next().is_some_and(|code| code.contains(&dep)))
}

/// `MyApp` from `defmodule MyApp.MixProject do`.
fn mix_module(mix: &str) -> Option<String> {
    let rest = &mix[mix.find("defmodule ")? + 10..];
    let name = rest
        .split_whitespace()
        .next()?
        .strip_suffix(".MixProject")?;
    is_module_name(name).then(|| name.to_string())
}

/// The major version in package.json's `engines.node` (">=20.0" → "20").
fn node_major(package_json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(package_json).ok()?;
    let range = v.get("engines")?.get("node")?.as_str()?;
    let digits: String = range
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (!digits.is_empty()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_directories() {
        assert_eq!(project_name_from("acme").as_deref(), Some("acme"));
        assert_eq!(
            project_name_from("Liberties WWW").as_deref(),
            Some("liberties-www")
        );
        assert_eq!(project_name_from("2048-game").as_deref(), Some("game"));
        assert_eq!(project_name_from("...").as_deref(), None);
        assert_eq!(project_name_from("Ünïcode").as_deref(), Some("unicode"));
        assert_eq!(
            project_name_from("Café Crème").as_deref(),
            Some("cafe-creme")
        );
    }

    #[test]
    fn live_debugger_follows_the_apps_dependencies() {
        let with = "  defp deps do\n    [\n      {:phoenix, \"~> 1.8\"},\n      {:live_debugger, \"~> 0.4\", only: :dev}\n    ]\n";
        let without = "  defp deps do\n    [\n      {:phoenix, \"~> 1.8\"},\n      # {:live_debugger, \"~> 0.4\"}\n    ]\n";
        assert_eq!(live_debugger(Some(with)), Some(DEFAULT_LIVE_DEBUGGER_PORT));
        assert_eq!(live_debugger(Some(without)), None);
        assert_eq!(live_debugger(None), Some(DEFAULT_LIVE_DEBUGGER_PORT));
    }

    #[test]
    fn reads_mix_and_package_json() {
        let mix =
            "defmodule Liberties.MixProject do\n  def project do\n    [\n      app: :liberties,\n";
        assert_eq!(mix_app(mix).as_deref(), Some("liberties"));
        assert_eq!(mix_module(mix).as_deref(), Some("Liberties"));
        assert_eq!(
            node_major(r#"{"engines": {"node": ">=20.11"}}"#).as_deref(),
            Some("20")
        );
        assert_eq!(node_major(r#"{"name": "x"}"#), None);
    }
}
