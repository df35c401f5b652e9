//! The machine's shared services: one PostgreSQL that every project with
//! `mode = "shared"` uses, each with databases of its own. `devgen shared` renders its
//! environment (a flake and a devenv.nix, like a project's) from the shared address and the
//! databases of the shared-mode projects, and prints it or keeps a directory in line with it
//! the way `sync` keeps a project: merged files patched, hand edits kept.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::DEFAULT_POSTGRES;
use crate::outputs::{decl, OutputDecl, Ownership, Syntax};

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
    pub fn new(ip: Ipv4Addr, port: u16, postgres: Option<&str>) -> Result<Self> {
        let version = postgres.unwrap_or(DEFAULT_POSTGRES);
        if version.is_empty() || version.len() > 3 || !version.bytes().all(|c| c.is_ascii_digit()) {
            return Err(Error::Usage(format!(
                "invalid PostgreSQL version {version:?}\n  = help: give the major version, like --postgres 16"
            )));
        }
        Ok(SharedService {
            ip: ip.to_string(),
            port,
            postgres_package: format!("postgresql_{version}"),
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
}

/// The files of the shared environment.
pub static SHARED_TARGET: &[OutputDecl] = &[
    decl(
        "flake.nix",
        "shared/flake.nix.j2",
        Ownership::Merged,
        Syntax::Nix,
    ),
    decl(
        "devenv.nix",
        "shared/devenv.nix.j2",
        Ownership::Merged,
        Syntax::Nix,
    ),
];
