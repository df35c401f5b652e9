//! Targets: what devgen writes, one folder each under `src/targets/` with its templates in
//! the matching folder of `templates/`.
//!
//! A [`Target`] declares its files ([`OutputDecl`]s), the values its templates see — built
//! from the [`Model`] by the target itself, so the model stays free of any file's spelling —
//! and which hand-written values in its files a key of devgen.toml can take back
//! ([`Adoptable`]). [`TARGETS`] is the one list of them: the pipeline, the tests and the
//! docs all read it.

mod adopt;
pub mod container;
pub mod deploy;
pub mod dev;
pub mod dotenv;
pub mod flake;
mod nixpkgs;
pub mod ports;
pub mod proxy;
pub mod release;
pub mod services;
pub mod shared;
pub mod variables;

use crate::error::Result;
use crate::model::Model;
use crate::render::{FileKind, OutputDecl, Rendered, Renderer, Syntax};

pub use adopt::{
    address_and_port, nix_string, project_address, settings_for, Adoptable, AttrMatch,
};

/// Every target, one line each.
pub static TARGETS: &[&Target] = &[
    &dev::TARGET,
    &services::TARGET,
    &proxy::TARGET,
    &container::TARGET,
    &release::TARGET,
    &deploy::TARGET,
    &dotenv::TARGET,
    &shared::TARGET,
];

/// One target: a set of files written from one set of values.
pub struct Target {
    pub name: &'static str,
    pub outputs: &'static [OutputDecl],
    pub scope: Scope,
    /// Values in its files that devgen.toml can say (`sync --adopt`, a first `init`).
    pub adopt: &'static [Adoptable],
}

/// What a target is rendered for.
pub enum Scope {
    /// A project, from its model: `context` gives the templates' values, or `None` when
    /// the project's spec leaves the target off.
    Project {
        context: fn(&Model) -> Option<minijinja::Value>,
    },
    /// The machine, by its own command (`devgen shared`).
    Machine,
}

impl Target {
    /// The values of this target's templates for `model`; `None` for a machine target, or
    /// one the spec leaves off.
    pub fn context(&self, model: &Model) -> Option<minijinja::Value> {
        match self.scope {
            Scope::Project { context } => context(model),
            Scope::Machine => None,
        }
    }
}

/// Every output of every target the project's spec turns on, in the order of [`TARGETS`].
pub fn render_project(renderer: &Renderer, model: &Model) -> Result<Vec<Rendered>> {
    let mut rendered = Vec::new();
    for target in TARGETS {
        if let Some(ctx) = target.context(model) {
            rendered.extend(renderer.render(target.outputs, &ctx)?);
        }
    }
    Ok(rendered)
}

/// An owned shell script devgen writes executable.
pub(crate) const fn script(path: &'static str, template: &'static str) -> OutputDecl {
    OutputDecl {
        executable: true,
        ..crate::render::decl(path, template, crate::render::Ownership::Owned, SHELL)
    }
}

/// Kinds of file with nothing known of them but their language.
pub const NIX: &FileKind = &FileKind::plain(Syntax::Nix);
/// A flake: devgen owns its inputs, cache entries and dev shell, joined to the flake's shape.
pub const FLAKE: &FileKind = &FileKind {
    merge_rule: Some(&flake::RULE),
    ..FileKind::plain(Syntax::Nix)
};
/// A devenv module (`devenv.nix`): checked against devenv's options before it is written.
pub const DEVENV_MODULE: &FileKind = &FileKind {
    devenv_module: true,
    stock_value: Some(stock_devenv_value),
    same_element: Some(same_database),
    ..FileKind::plain(Syntax::Nix)
};

/// Two elements of `initialDatabases` naming one database: devenv would create it twice.
fn same_database(list: &str, theirs: &str, ours: &str) -> bool {
    list == "services.postgres.initialDatabases"
        && dev::database_name(theirs).is_some_and(|name| dev::database_name(ours) == Some(name))
}

/// A value of a devenv.nix devgen has not seen that says nothing of the project: PostgreSQL
/// listening on the machine's own loopback address (devenv's default), which no project
/// address is, and which devgen gives the project's.
pub fn stock_devenv_value(path: &str, value: &str) -> bool {
    path == "services.postgres.listen_addresses"
        && matches!(
            value.trim(),
            "\"127.0.0.1\""
                | "\"localhost\""
                | "\"::1\""
                | "\"127.0.0.1,::1\""
                | "\"localhost,::1\""
        )
}
pub const SHELL: &FileKind = &FileKind::plain(Syntax::Shell);
pub const ELIXIR: &FileKind = &FileKind::plain(Syntax::Elixir);
pub const DOTENV: &FileKind = &FileKind::plain(Syntax::Dotenv);
pub const TMUX: &FileKind = &FileKind::plain(Syntax::Tmux);
pub const GITIGNORE: &FileKind = &FileKind::plain(Syntax::Gitignore);
pub const YAML: &FileKind = &FileKind::plain(Syntax::Yaml);
pub const CADDYFILE: &FileKind = &FileKind::plain(Syntax::Caddyfile);
pub const DOCKERFILE: &FileKind = &FileKind::plain(Syntax::Dockerfile);
pub const HCL: &FileKind = &FileKind::plain(Syntax::Hcl);
pub const TOML: &FileKind = &FileKind::plain(Syntax::Toml);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declared_template_exists() {
        let r = Renderer::new();
        for t in TARGETS {
            for d in t.outputs {
                assert!(
                    r.has_template(d.template),
                    "{}: no template {}",
                    t.name,
                    d.template
                );
            }
        }
    }

    #[test]
    fn no_two_project_targets_write_one_file() {
        let mut seen = std::collections::BTreeSet::new();
        for t in TARGETS
            .iter()
            .filter(|t| matches!(t.scope, Scope::Project { .. }))
        {
            for d in t.outputs {
                assert!(seen.insert(d.path), "{} is declared twice", d.path);
            }
        }
    }
}
