//! One registered checkout — a project, or a git worktree of one — with the address, host
//! and ports it claims, and the ways a claim collides with another.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::Model;

/// The ports a project listens on, all on its own IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ports {
    pub phoenix: u16,
    /// `None`: the project uses the machine's shared PostgreSQL (`mode = "shared"`), so no
    /// PostgreSQL listens on its address.
    pub postgres: Option<u16>,
    /// `None`: LiveDebugger is off.
    pub live_debugger: Option<u16>,
    /// Every other port (the backing services', the frontend's, the proxy's), by the names
    /// `Model::named_ports` gives them (`nats`, `minio_console`, `proxy`).
    #[serde(flatten)]
    pub services: BTreeMap<String, u16>,
}

/// One registered checkout: a project, or a git worktree of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The canonical path of the checkout's root.
    pub root: PathBuf,
    pub name: String,
    pub host: String,
    pub ip: Ipv4Addr,
    pub ports: Ports,
    /// For a worktree: the root of the project it belongs to. Its address lies in that
    /// project's block, and it may share the project's address on other ports.
    pub worktree_of: Option<PathBuf>,
}

impl Entry {
    /// The entry for the project at `root`, as its model says.
    pub fn from_model(root: &Path, model: &Model) -> Entry {
        Entry {
            root: root.to_path_buf(),
            name: model.project.name.clone(),
            host: model.project.host.clone(),
            ip: model.project.ip,
            ports: Ports {
                phoenix: model.phoenix.port,
                postgres: (!model.postgres.shared).then_some(model.postgres.port),
                live_debugger: model.phoenix.live_debugger,
                services: model
                    .named_ports()
                    .into_iter()
                    .filter(|p| {
                        !["phoenix", "postgres", "live_debugger"].contains(&p.name.as_str())
                    })
                    .map(|p| (p.name, p.port))
                    .collect(),
            },
            worktree_of: None,
        }
    }

    /// Every address:port this checkout listens on, named.
    pub fn endpoints(&self) -> Vec<(String, SocketAddrV4)> {
        let at = |port| SocketAddrV4::new(self.ip, port);
        let mut v = vec![("phoenix".to_string(), at(self.ports.phoenix))];
        if let Some(pg) = self.ports.postgres {
            v.push(("postgres".to_string(), at(pg)));
        }
        if let Some(ld) = self.ports.live_debugger {
            v.push(("live_debugger".to_string(), at(ld)));
        }
        for (name, &port) in &self.ports.services {
            v.push((name.clone(), at(port)));
        }
        v
    }

    /// The project a checkout belongs to: its own root, or for a worktree its project's.
    pub(super) fn family(&self) -> &Path {
        self.worktree_of.as_deref().unwrap_or(&self.root)
    }

    pub fn describe(&self) -> String {
        match &self.worktree_of {
            Some(of) => format!(
                "worktree `{}` at {} (of {})",
                self.name,
                self.root.display(),
                of.display()
            ),
            None => format!("project `{}` at {}", self.name, self.root.display()),
        }
    }

    pub(super) fn root_str(&self) -> Result<&str> {
        path_str(&self.root)
    }
}

pub(super) fn path_str(p: &Path) -> Result<&str> {
    p.to_str().ok_or_else(|| {
        Error::Usage(format!(
            "{} is not valid UTF-8; the machine registry only holds UTF-8 paths\n  = help: move the project to a path with a UTF-8 name",
            p.display()
        ))
    })
}

/// How a claim collides with what is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// The address belongs to another project.
    Ip { other: Entry },
    /// One of the claim's address:port pairs is another checkout's, or the shared PostgreSQL.
    Endpoint {
        what: String,
        addr: SocketAddrV4,
        /// `None`: the shared-services PostgreSQL.
        other: Option<(Entry, String)>,
    },
}

impl Clash {
    /// What collides, in one sentence.
    pub fn message(&self) -> String {
        match self {
            Clash::Ip { other } => {
                format!("ip {} is already used by {}", other.ip, other.describe())
            }
            Clash::Endpoint {
                what,
                addr,
                other: Some((other, theirs)),
            } => format!(
                "{what} on {addr} collides with the {theirs} port of {}",
                other.describe()
            ),
            Clash::Endpoint {
                what,
                addr,
                other: None,
            } => format!("{what} on {addr} collides with the shared-services PostgreSQL"),
        }
    }

    /// The other checkout's root, when there is one.
    pub(super) fn other_root(&self) -> Option<&Path> {
        match self {
            Clash::Ip { other }
            | Clash::Endpoint {
                other: Some((other, _)),
                ..
            } => Some(&other.root),
            Clash::Endpoint { other: None, .. } => None,
        }
    }
}
