//! The files an import reads, one module each, in the order their word counts: devenv.nix
//! says what the environment is, asdf's `.tool-versions` and package.json what the
//! project builds with, the Phoenix config what it listens on, mix.exs what the app is
//! called; the Procfile, `.envrc`, flake.nix and compose files say more that stays theirs.

mod compose;
mod config;
mod devenv;
mod mix;
mod scripts;
mod versions;

use nix_edit::{NixDocument, Shape};

use super::findings::Findings;
use crate::error::Result;
use crate::project::ProjectRoot;
use crate::spec::edit::Setting;

use mix::MixProject;

/// Read every file of the project an import knows.
pub fn scan(root: &ProjectRoot) -> Result<Findings> {
    let mut found = Findings::default();
    let read = |path: &str, f: &mut Findings| -> Result<Option<String>> {
        let text = root.read(path)?;
        if text.is_some() {
            f.read.push(path.to_string());
        }
        Ok(text)
    };
    if let Some(text) = read("devenv.nix", &mut found)? {
        devenv::read(&text, &mut found);
    }
    if let Some(text) = read(".tool-versions", &mut found)? {
        versions::tool_versions(&text, &mut found);
    }
    for path in ["package.json", "assets/package.json"] {
        if let Some(text) = read(path, &mut found)? {
            versions::package_json(path, &text, &mut found);
            break;
        }
    }
    let mix = read("mix.exs", &mut found)?;
    let project = mix.as_deref().map(MixProject::read).unwrap_or_default();
    project.report(&mut found);
    let mut databases = Vec::new();
    for path in ["config/dev.exs", "config/test.exs"] {
        if let Some(text) = read(path, &mut found)? {
            databases.extend(config::read(path, &text, &mut found));
        }
    }
    if let [(dev, origin), (test, _)] = databases.as_slice() {
        let names = toml_edit::Array::from_iter([dev.as_str(), test.as_str()]);
        let setting = Setting::new("postgres", "databases", Some(names.into()));
        found.take(
            setting,
            origin.clone(),
            format!("Repo database: {dev:?}, and {test:?} in test"),
        );
    }
    if let Some(text) = read("Procfile", &mut found)? {
        scripts::procfile(&text, &mut found);
    }
    if let Some(text) = read(".envrc", &mut found)? {
        scripts::envrc(&text, &mut found);
    }
    if let Some(text) = read("flake.nix", &mut found)? {
        scripts::flake(&text, &mut found);
    }
    if root.read("devenv.yaml")?.is_some() {
        found.read.push("devenv.yaml".into());
        scripts::devenv_yaml(&mut found);
    }
    for path in compose::FILES {
        if let Some(text) = read(path, &mut found)? {
            compose::read(path, &text, &mut found);
        }
    }
    Ok(found)
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The text of a Nix string literal without interpolation; `None` for anything else.
pub fn nix_string(expr: &str) -> Option<String> {
    let doc = NixDocument::parse("value", expr).ok()?;
    match doc.value().shape() {
        Shape::Str(text) => text,
        _ => None,
    }
}
