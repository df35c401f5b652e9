//! The resolved model: the spec with every default filled in and every derived name computed.
//!
//! Targets build what their templates see from this and nothing else, so no template decides
//! a default or derives a name itself. The model speaks of the project — names, addresses,
//! ports, versions, databases — never in the spelling of one file's language: nixpkgs
//! attribute names, Elixir terms and the like belong to the target that writes them. This
//! stage also owns the checks that compare values with each other (two services on one port
//! of the project IP, [`ports`]), since only here are all values known.
//!
//! What the spec leaves to the machine (the project's address when it names none, where the
//! shared PostgreSQL listens) comes in as [`Facts`]: the machine layer reads them from its
//! registry, so this stage never reads a file.

mod container;
mod deploy;
mod front;
mod given;
mod ports;
mod resolve;
mod services;

use std::net::{Ipv4Addr, SocketAddrV4};

use serde::Serialize;

pub use container::{Container, Mount};
pub use deploy::{Deploy, DeployCompose, Fly, Terraform};
pub use front::{Frontend, Hmr, Proxy, Route};

pub use resolve::{camel_case, default_host, resolve};
pub use services::{Mailpit, Minio, Nats, Pgweb, Redis, ServicePort, Services, SERVICE_PORTS};

/// The convention's first address: what a spec without `ip` gets when the machine registry
/// has no address for the project either.
pub const DEFAULT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 10);
/// The spec's own, which its schema and checks take too.
pub use crate::spec::rules::DEFAULT_ELIXIR;
pub const DEFAULT_POSTGRES: &str = "16";
pub const DEFAULT_PHOENIX_PORT: u16 = 4000;
pub const DEFAULT_LIVE_DEBUGGER_PORT: u16 = 4007;
pub const DEFAULT_POSTGRES_PORT: u16 = 5432;
/// Where the machine's shared PostgreSQL listens, unless the registry says otherwise.
pub const DEFAULT_SHARED_POSTGRES: SocketAddrV4 =
    SocketAddrV4::new(Ipv4Addr::new(127, 0, 0, 2), 5432);

/// What the machine knows that a spec may leave out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The project's address when the spec names none.
    pub fallback_ip: Ipv4Addr,
    /// Where the shared PostgreSQL listens, for a project in shared mode.
    pub shared_postgres: SocketAddrV4,
}

impl Facts {
    /// The convention's defaults, for a machine whose registry says nothing.
    pub const DEFAULT: Facts = Facts {
        fallback_ip: DEFAULT_IP,
        shared_postgres: DEFAULT_SHARED_POSTGRES,
    };
}

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub project: Project,
    pub toolchain: Toolchain,
    pub phoenix: Phoenix,
    pub postgres: Postgres,
    /// The spec's extra packages for the dev shell, as the user named them.
    pub extra_packages: Vec<String>,
    pub env: Vec<EnvVar>,
    /// Enable `devgen diff` as a pre-commit hook.
    pub pre_commit_hook: bool,
    pub overrides: Overrides,
    pub services: Services,
    pub frontend: Option<Frontend>,
    pub proxy: Option<Proxy>,
    pub container: Option<Container>,
    pub deploy: Option<Deploy>,
}

/// A port of the project, named: the name the registry and a worktree's override use
/// (`DEVGEN_<NAME>_PORT`), and the spec key that sets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NamedPort {
    pub name: String,
    pub key: &'static str,
    pub port: u16,
}

impl NamedPort {
    /// The variable through which a worktree in ports isolation moves it.
    pub fn variable(&self) -> String {
        port_variable(&self.name)
    }
}

/// The variable through which a worktree in ports isolation moves the port `name`:
/// `DEVGEN_PHOENIX_PORT`.
pub fn port_variable(name: &str) -> String {
    format!("DEVGEN_{}_PORT", name.to_ascii_uppercase())
}

impl Model {
    /// Every port of the project on its address, named (see [`NamedPort`]).
    pub fn named_ports(&self) -> Vec<NamedPort> {
        let mut ports = Vec::new();
        let mut add = |name: &str, key: &'static str, port: u16| {
            ports.push(NamedPort {
                name: name.to_string(),
                key,
                port,
            })
        };
        add("phoenix", "phoenix.port", self.phoenix.port);
        if let Some(ld) = self.phoenix.live_debugger {
            add("live_debugger", "phoenix.live_debugger", ld);
        }
        if !self.postgres.shared {
            add("postgres", "postgres.port", self.postgres.port);
        }
        for p in self.services.ports() {
            add(p.name, p.key, p.port);
        }
        if let Some(f) = &self.frontend {
            add("frontend", "frontend.port", f.port);
            for h in &f.hmr {
                add(
                    &format!("frontend_hmr_{}", h.name.to_ascii_lowercase()),
                    "frontend.hmr",
                    h.port,
                );
            }
        }
        if let Some(p) = &self.proxy {
            add("proxy", "proxy.port", p.port);
            add(
                "proxy_admin",
                "proxy (Caddy's admin endpoint)",
                p.admin_port,
            );
        }
        ports
    }

    /// The model of a checkout that moved the port `name` to `port` (ports isolation: a
    /// worktree's DEVGEN_<NAME>_PORT), every place that port appears moved with it.
    pub fn move_port(&mut self, name: &str, port: u16) {
        let old = self.named_ports().into_iter().find(|p| p.name == name);
        let Some(old) = old.map(|p| p.port) else {
            return;
        };
        let at = |p: &mut u16| {
            if *p == old {
                *p = port;
            }
        };
        match name {
            "phoenix" => at(&mut self.phoenix.port),
            "live_debugger" => self.phoenix.live_debugger.iter_mut().for_each(at),
            "postgres" => at(&mut self.postgres.port),
            "proxy" => self.proxy.iter_mut().for_each(|p| at(&mut p.port)),
            "proxy_admin" => self.proxy.iter_mut().for_each(|p| at(&mut p.admin_port)),
            "frontend" => self.frontend.iter_mut().for_each(|f| at(&mut f.port)),
            _ if name.starts_with("frontend_hmr_") => self
                .frontend
                .iter_mut()
                .flat_map(|f| f.hmr.iter_mut())
                .for_each(|h| at(&mut h.port)),
            _ => self.services.move_port(name, old, port),
        }
        // The proxy's routes to it.
        for proxy in self.proxy.iter_mut() {
            for route in proxy
                .routes
                .iter_mut()
                .filter(|r| r.via.as_deref() == Some(name))
            {
                route.port = port;
            }
            if proxy.fallback_via == name {
                proxy.fallback = port;
            }
        }
    }

    /// Every port something of the project listens on at the project IP, named by the spec
    /// key that sets it, in the spec's order.
    pub fn ports(&self) -> Vec<(&'static str, u16)> {
        self.named_ports().iter().map(|p| (p.key, p.port)).collect()
    }
}

/// Environment variables through which a checkout overrides the committed values: a git
/// worktree's untracked `.envrc.local` sets them, so that the generated files stay the same
/// in every worktree while each runs on its own address.
#[derive(Debug, Clone, Serialize)]
pub struct Overrides {
    pub ip: &'static str,
    pub host: &'static str,
}

pub const OVERRIDES: Overrides = Overrides {
    ip: "DEVGEN_IP",
    host: "DEVGEN_HOST",
};

#[derive(Debug, Clone, Serialize)]
pub struct Project {
    pub name: String,
    /// The OTP application.
    pub app: String,
    /// The application's module prefix.
    pub module: String,
    pub host: String,
    /// The host name the dev config uses to reach PostgreSQL.
    pub postgres_host: String,
    pub ip: Ipv4Addr,
    /// Overmind's tmux session name (it is set through OVERMIND_TITLE).
    pub tmux_session: String,
    /// `ports`: every checkout on 127.0.0.1, a worktree moving each port by its overrides
    /// (`DEVGEN_<NAME>_PORT`) rather than its address.
    pub ports_isolation: bool,
}

/// Toolchain versions, as the spec gives them (or devgen's defaults).
#[derive(Debug, Clone, Serialize)]
pub struct Toolchain {
    /// Elixir, `major.minor`.
    pub elixir: String,
    /// Erlang/OTP's major version; `None`: the package set's default.
    pub erlang: Option<String>,
    /// Node.js's major version; `None`: no JavaScript toolchain.
    pub node: Option<String>,
    /// PostgreSQL's major version.
    pub postgres: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Phoenix {
    pub port: u16,
    pub live_debugger: Option<u16>,
    pub auto_restart: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Postgres {
    /// The machine's shared server (`mode = "shared"`) rather than one of the project's own.
    pub shared: bool,
    /// The address apps connect to: the project IP, or the shared server's.
    pub ip: Ipv4Addr,
    pub port: u16,
    pub databases: Vec<String>,
    pub dev_database: String,
    pub test_database: String,
    pub log_alerts: bool,
    /// Relative to PGDATA, which devenv puts at `.devenv/state/postgres`.
    pub log_directory: String,
    pub log_filename: String,
    /// The log file relative to the project root, for the Procfile's alert process.
    pub log_path: String,
    /// Extensions, by their nixpkgs names under `postgresql.pkgs`.
    pub extensions: Vec<String>,
    /// `wal_level = logical`, with slots and senders for change-data-capture clients.
    pub logical_replication: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}
