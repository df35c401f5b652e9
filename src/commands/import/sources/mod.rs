//! The files an import reads, one module each, in the order their word counts: devenv.nix
//! says what the environment is, asdf's `.tool-versions` and package.json what the
//! project builds with, the Phoenix config what it listens on, mix.exs what the app is
//! called; the Procfile, `.envrc`, flake.nix and compose files say more that stays theirs.

mod compose;
mod config;
mod devenv;
mod docker;
mod frontend;
mod mix;
mod scripts;
mod versions;

use super::findings::Findings;
use crate::error::Result;
use crate::project::ProjectRoot;
use crate::spec::edit::Setting;

use mix::MixProject;

/// Read every file of the project an import knows.
pub fn scan(root: &ProjectRoot) -> Result<Findings> {
    let mut found = Findings::default();
    environment(root, &mut found)?;
    application(root, &mut found)?;
    surroundings(root, &mut found)?;
    Ok(found)
}

/// The text of `path`, noted as read when it exists.
fn read(root: &ProjectRoot, path: &str, found: &mut Findings) -> Result<Option<String>> {
    let text = root.read(path)?;
    if text.is_some() {
        found.read.push(path.to_string());
    }
    Ok(text)
}

/// What the environment is built with: devenv.nix, `.tool-versions`, package.json.
fn environment(root: &ProjectRoot, found: &mut Findings) -> Result<()> {
    if let Some(text) = read(root, "devenv.nix", found)? {
        devenv::read(&text, found);
    }
    if let Some(text) = read(root, ".tool-versions", found)? {
        versions::tool_versions(&text, found);
    }
    for path in ["package.json", "assets/package.json"] {
        if let Some(text) = read(root, path, found)? {
            versions::package_json(path, &text, found);
            break;
        }
    }
    frontend::scan(root, found)
}

/// What the app is: mix.exs, and the Phoenix config's ports and databases.
fn application(root: &ProjectRoot, found: &mut Findings) -> Result<()> {
    let mix = read(root, "mix.exs", found)?;
    mix.as_deref()
        .map(MixProject::read)
        .unwrap_or_default()
        .report(found);
    let mut databases = Vec::new();
    for path in ["config/dev.exs", "config/test.exs"] {
        if let Some(text) = read(root, path, found)? {
            databases.extend(config::read(path, &text, found));
        }
    }
    if let [(dev, origin), (test, _)] = databases.as_slice() {
        let names = toml_edit::Array::from_iter([dev.as_str(), test.as_str()]);
        let setting = Setting::new("postgres", "databases", Some(names.into()));
        let source = format!("Repo database: {dev:?}, and {test:?} in test");
        found.take(setting, origin.clone(), source);
    }
    Ok(())
}

/// What runs around it, which stays the user's: Procfile, `.envrc`, flake.nix, devenv.yaml,
/// compose files.
fn surroundings(root: &ProjectRoot, found: &mut Findings) -> Result<()> {
    if let Some(text) = read(root, "Procfile", found)? {
        scripts::procfile(&text, found);
    }
    if let Some(text) = read(root, ".envrc", found)? {
        scripts::envrc(&text, found);
    }
    if let Some(text) = read(root, "flake.nix", found)? {
        scripts::flake(&text, found);
    }
    if read(root, "devenv.yaml", found)?.is_some() {
        scripts::devenv_yaml(found);
    }
    for path in compose::FILES {
        if let Some(text) = read(root, path, found)? {
            compose::read(path, &text, found);
        }
    }
    if let Some(text) = read(root, "Dockerfile", found)? {
        docker::dockerfile(&text, found);
    }
    Ok(())
}

/// The 1-based line of byte `offset` in `text`.
pub fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}
