//! The `shared` target: the machine's one PostgreSQL that every project with
//! `mode = "shared"` uses, each with databases of its own — a flake and a devenv.nix like a
//! project's, rendered by `devgen shared` from the shared address and the databases of the
//! shared-mode projects. Templates in `templates/shared/`.

use std::net::SocketAddrV4;

use serde::Serialize;

use super::{nixpkgs, Scope, Target, DEVENV_MODULE, FLAKE};
use crate::error::{Error, Result};
use crate::model::DEFAULT_POSTGRES;
use crate::render::{decl, OutputDecl, Ownership};
use crate::spec::rules::is_major_version;

pub static TARGET: Target = Target {
    name: "shared",
    outputs: OUTPUTS,
    scope: Scope::Machine,
    adopt: &[],
};

static OUTPUTS: &[OutputDecl] = &[
    decl("flake.nix", "shared/flake.nix.j2", Ownership::Merged, FLAKE),
    decl(
        "devenv.nix",
        "shared/devenv.nix.j2",
        Ownership::Merged,
        DEVENV_MODULE,
    ),
];

/// What the shared environment is rendered from.
#[derive(Debug, Clone, Serialize)]
pub struct SharedService {
    pub ip: String,
    pub port: u16,
    /// Attribute path under `pkgs`.
    pub postgres_package: String,
    /// Every database of every shared-mode project, in order, once each.
    pub databases: Vec<String>,
}

impl SharedService {
    /// `postgres`: the major version of the shared server (devgen's default when `None`).
    pub fn new(addr: SocketAddrV4, postgres: Option<&str>) -> Result<Self> {
        let version = postgres.unwrap_or(DEFAULT_POSTGRES);
        if !is_major_version(version) {
            return Err(Error::Usage(format!(
                "invalid PostgreSQL version {version:?}\n  = help: give the major version, like --postgres 16"
            )));
        }
        Ok(SharedService {
            ip: addr.ip().to_string(),
            port: addr.port(),
            postgres_package: nixpkgs::postgresql(version),
            databases: Vec::new(),
        })
    }

    /// Add a project's databases, keeping each name once.
    pub fn add_databases<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for n in names {
            if !self.databases.iter().any(|d| d == n) {
                self.databases.push(n.to_string());
            }
        }
    }

    /// The values of the target's templates.
    pub fn context(&self) -> minijinja::Value {
        crate::render::values(self)
    }

    /// The major version of a `postgres_package` written by this target, for keeping the
    /// version a directory already runs.
    pub fn version_of(package: &str) -> Option<&str> {
        package
            .strip_prefix("pkgs.")?
            .strip_prefix(nixpkgs::POSTGRESQL)
    }
}
