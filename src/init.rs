//! The first spec of a project: `devgen init` derives it from what the directory already
//! says about itself — its name, `mix.exs` (app and module), `package.json` (Node) — and
//! writes it with a comment on every key.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::fsys::ProjectRoot;
use crate::model::{
    camel_case, DEFAULT_ELIXIR, DEFAULT_IP, DEFAULT_LIVE_DEBUGGER_PORT, DEFAULT_PHOENIX_PORT,
    DEFAULT_POSTGRES, DEFAULT_POSTGRES_PORT,
};
use crate::outputs::Renderer;
use crate::spec::{is_project_name, parse_loopback_ip};

/// What `devgen init` was told on the command line.
#[derive(Debug, Clone, Default)]
pub struct InitOptions {
    pub name: Option<String>,
    pub ip: Option<String>,
}

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
    live_debugger: u16,
    postgres_port: u16,
    schema_url: &'static str,
}

/// The text of a first `devgen.toml` for the project at `root`.
pub fn first_spec(root: &ProjectRoot, renderer: &Renderer, opts: &InitOptions) -> Result<String> {
    let dir_name = root
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match &opts.name {
        Some(n) if is_project_name(n) => n.clone(),
        Some(n) => {
            return Err(Error::Usage(format!(
                "--name {n:?} is not a valid project name\n  = help: use lowercase letters, digits, '-' and '_', starting with a letter, like \"my-app\""
            )))
        }
        None => project_name_from(&dir_name).ok_or_else(|| {
            Error::Usage(format!(
                "cannot derive a project name from the directory name {dir_name:?}\n  = help: pass one: devgen init --name my-app"
            ))
        })?,
    };
    let ip = match &opts.ip {
        Some(ip) => parse_loopback_ip(ip).map_err(|why| {
            Error::Usage(format!(
                "--ip {ip:?}: {why}\n  = help: pick an address in 127.0.0.0/8, like 127.0.0.10"
            ))
        })?,
        None => DEFAULT_IP,
    };

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

    let mut node = None;
    for path in ["package.json", "assets/package.json"] {
        if let Some(text) = root.read(path)? {
            node = Some(node_major(&text).unwrap_or_else(|| DEFAULT_NODE.to_string()));
            break;
        }
    }

    let first = FirstSpec {
        host: format!("{name}.test"),
        name,
        app,
        module,
        ip: ip.to_string(),
        elixir: DEFAULT_ELIXIR,
        node,
        postgres: DEFAULT_POSTGRES,
        phoenix_port: DEFAULT_PHOENIX_PORT,
        live_debugger: DEFAULT_LIVE_DEBUGGER_PORT,
        postgres_port: DEFAULT_POSTGRES_PORT,
        schema_url: crate::reference::SCHEMA_URL,
    };
    renderer
        .render_template("init/devgen.toml.j2", &first)
        .map_err(|e| {
            Error::Render(crate::outputs::RenderError {
                path: crate::spec::SPEC_FILE,
                message: format!("{e:#}"),
            })
        })
}

/// A project name from a directory name: lowercased, other characters turned into '-',
/// starting with a letter.
pub fn project_name_from(dir: &str) -> Option<String> {
    let mapped: String = dir
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
    crate::spec::is_otp_app(&app).then_some(app)
}

/// `MyApp` from `defmodule MyApp.MixProject do`.
fn mix_module(mix: &str) -> Option<String> {
    let rest = &mix[mix.find("defmodule ")? + 10..];
    let name = rest
        .split_whitespace()
        .next()?
        .strip_suffix(".MixProject")?;
    crate::spec::is_module_name(name).then(|| name.to_string())
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
