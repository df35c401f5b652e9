//! The resolved model: the spec with every default filled in and every derived name computed.
//!
//! Templates read this and nothing else, so they never decide a default or derive a name
//! themselves. This stage also owns the checks that compare values with each other (two
//! services on one port of the project IP), since only here are all values known.

use std::net::Ipv4Addr;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::spec::{self, LiveDebugger, SpecSource};

/// The convention's first address: what a spec without `ip` gets when the machine registry
/// has no address for the project either (see [`crate::registry`]).
pub const DEFAULT_IP: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 10);
pub const DEFAULT_ELIXIR: &str = "1.18";
pub const DEFAULT_POSTGRES: &str = "16";
pub const DEFAULT_PHOENIX_PORT: u16 = 4000;
pub const DEFAULT_LIVE_DEBUGGER_PORT: u16 = 4007;
pub const DEFAULT_POSTGRES_PORT: u16 = 5432;
/// Where the machine's shared PostgreSQL listens, unless the registry says otherwise.
pub const DEFAULT_SHARED_POSTGRES: (Ipv4Addr, u16) = (Ipv4Addr::new(127, 0, 0, 2), 5432);

/// Packages every dev environment gets: overmind runs the Procfile, and tmux must be the
/// same build overmind talks to, or tmux commands fail with "server exited unexpectedly".
const BASE_PACKAGES: &[&str] = &["overmind", "tmux"];
/// Linux-only packages: inotify-tools drives Phoenix live reload.
const LINUX_PACKAGES: &[&str] = &["inotify-tools"];

#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub project: Project,
    pub toolchain: Toolchain,
    pub phoenix: Phoenix,
    pub postgres: Postgres,
    pub packages: Packages,
    pub env: Vec<EnvVar>,
    /// Enable `devgen diff` as a pre-commit hook through devenv's git-hooks.
    pub pre_commit_hook: bool,
    pub overrides: Overrides,
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
    pub app: String,
    pub module: String,
    pub repo_module: String,
    pub endpoint_module: String,
    pub host: String,
    /// The host name the dev config uses to reach PostgreSQL.
    pub postgres_host: String,
    pub ip: String,
    /// The IP as an Elixir tuple, `{127, 0, 0, 10}`.
    pub ip_tuple: String,
    /// Overmind's tmux session name (it is set through OVERMIND_TITLE).
    pub tmux_session: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Toolchain {
    pub elixir: String,
    pub erlang: Option<String>,
    pub node: Option<String>,
    pub postgres: String,
    /// Attribute paths under `pkgs`.
    pub elixir_package: String,
    pub node_package: Option<String>,
    pub postgres_package: String,
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
    pub ip: String,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct Packages {
    /// Attribute paths under `pkgs`, in order: devgen's own, then the spec's extras.
    pub all: Vec<String>,
    pub linux: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
}

/// Fill in defaults and derive names; reject values that clash with each other.
pub fn resolve(src: &SpecSource) -> Result<Model, Box<Diagnostic>> {
    resolve_with_ip(src, DEFAULT_IP)
}

/// [`resolve_with_ip`], with the shared PostgreSQL at `shared_postgres` (the registry's,
/// when it names one) for a project in shared mode.
pub fn resolve_with(
    src: &SpecSource,
    fallback_ip: Ipv4Addr,
    shared_postgres: (Ipv4Addr, u16),
) -> Result<Model, Box<Diagnostic>> {
    let mut m = resolve_with_ip(src, fallback_ip)?;
    if m.postgres.shared {
        m.postgres.ip = shared_postgres.0.to_string();
        m.postgres.port = shared_postgres.1;
    }
    Ok(m)
}

/// [`resolve`], with `fallback_ip` for a spec that names no `ip` (the address the machine
/// registry holds for the project).
pub fn resolve_with_ip(src: &SpecSource, fallback_ip: Ipv4Addr) -> Result<Model, Box<Diagnostic>> {
    let s = &src.spec;
    let p = &s.project;
    let name = p.name.get_ref().clone();
    let app = p
        .app
        .as_ref()
        .map(|a| a.get_ref().clone())
        .unwrap_or_else(|| name.replace('-', "_"));
    let module = p
        .module
        .as_ref()
        .map(|m| m.get_ref().clone())
        .unwrap_or_else(|| camel_case(&app));
    let host = p
        .host
        .as_ref()
        .map(|h| h.get_ref().clone())
        .unwrap_or_else(|| format!("{name}.test"));
    let ip = match &p.ip {
        // Already validated by the spec stage.
        Some(ip) => {
            spec::parse_loopback_ip(ip.get_ref()).map_err(|e| Box::new(src.error(ip.span(), e)))?
        }
        None => fallback_ip,
    };
    let o = ip.octets();

    let t = &s.toolchain;
    let version = |v: &Option<serde_spanned::Spanned<spec::Version>>| {
        v.as_ref().map(|v| v.get_ref().0.clone())
    };
    let elixir = version(&t.elixir).unwrap_or_else(|| DEFAULT_ELIXIR.to_string());
    let erlang = version(&t.erlang);
    let node = version(&t.node);
    let postgres_version = version(&t.postgres).unwrap_or_else(|| DEFAULT_POSTGRES.to_string());
    // nixpkgs keeps Elixir in the BEAM package sets; top-level elixir_* are deprecated aliases.
    let beam_set = match &erlang {
        Some(otp) => format!("beam.packages.erlang_{otp}"),
        None => "beamPackages".to_string(),
    };
    let elixir_package = format!("{beam_set}.elixir_{}", elixir.replace('.', "_"));

    let phoenix_port = s
        .phoenix
        .port
        .as_ref()
        .map(|p| p.get_ref().0)
        .unwrap_or(DEFAULT_PHOENIX_PORT);
    let live_debugger = match s.phoenix.live_debugger.as_ref().map(|l| *l.get_ref()) {
        None => Some(DEFAULT_LIVE_DEBUGGER_PORT),
        Some(LiveDebugger::Off) => None,
        Some(LiveDebugger::Port(p)) => Some(p.0),
    };
    let shared = p.mode.as_ref().map(|m| *m.get_ref()) == Some(spec::Mode::Shared);
    let (postgres_ip, postgres_port) = if shared {
        (DEFAULT_SHARED_POSTGRES.0, DEFAULT_SHARED_POSTGRES.1)
    } else {
        let port = s.postgres.port.as_ref().map(|p| p.get_ref().0);
        (ip, port.unwrap_or(DEFAULT_POSTGRES_PORT))
    };
    // A shared server is not on the project IP, so its port cannot clash with Phoenix's.
    check_ports(
        src,
        phoenix_port,
        live_debugger,
        (!shared).then_some(postgres_port),
    )?;

    let databases: Vec<String> = match &s.postgres.databases {
        Some(dbs) => dbs.get_ref().iter().map(|d| d.get_ref().clone()).collect(),
        None => vec![format!("{app}_dev"), format!("{app}_test")],
    };
    let dev_database = databases[0].clone();
    let test_database = databases
        .get(1)
        .cloned()
        .unwrap_or_else(|| format!("{app}_test"));

    let postgres_package = format!("postgresql_{postgres_version}");
    let mut all: Vec<String> = BASE_PACKAGES.iter().map(|p| p.to_string()).collect();
    // Without a service of its own the shell still needs the client (pg_isready, psql).
    if shared {
        all.push(postgres_package.clone());
    }
    for extra in &s.packages.extra {
        if !all.contains(extra.get_ref()) {
            all.push(extra.get_ref().clone());
        }
    }
    let linux = LINUX_PACKAGES
        .iter()
        .filter(|p| !all.iter().any(|a| a == *p))
        .map(|p| p.to_string())
        .collect();

    let log_directory = "log".to_string();
    let log_filename = "postgresql.log".to_string();
    Ok(Model {
        project: Project {
            repo_module: format!("{module}.Repo"),
            endpoint_module: format!("{module}Web.Endpoint"),
            postgres_host: format!("postgres.{host}"),
            ip: ip.to_string(),
            ip_tuple: format!("{{{}, {}, {}, {}}}", o[0], o[1], o[2], o[3]),
            tmux_session: name.clone(),
            name,
            app,
            module,
            host,
        },
        toolchain: Toolchain {
            elixir,
            erlang,
            node_package: node.as_ref().map(|n| format!("nodejs_{n}")),
            node,
            postgres_package,
            postgres: postgres_version,
            elixir_package,
        },
        phoenix: Phoenix {
            port: phoenix_port,
            live_debugger,
            auto_restart: s.phoenix.auto_restart.unwrap_or(true),
        },
        postgres: Postgres {
            shared,
            ip: postgres_ip.to_string(),
            port: postgres_port,
            databases,
            dev_database,
            test_database,
            log_alerts: !shared && s.postgres.log_alerts.as_ref().is_none_or(|a| *a.get_ref()),
            log_path: format!(".devenv/state/postgres/{log_directory}/{log_filename}"),
            log_directory,
            log_filename,
        },
        packages: Packages { all, linux },
        env: s
            .env
            .iter()
            .map(|(k, v)| EnvVar {
                name: k.get_ref().clone(),
                value: v.get_ref().clone(),
            })
            .collect(),
        pre_commit_hook: s.hooks.pre_commit.unwrap_or(false),
        overrides: OVERRIDES,
    })
}

/// Phoenix, LiveDebugger and PostgreSQL all listen on the project IP: their ports must differ.
fn check_ports(
    src: &SpecSource,
    phoenix: u16,
    live_debugger: Option<u16>,
    postgres: Option<u16>,
) -> Result<(), Box<Diagnostic>> {
    let s = &src.spec;
    let span_of = |key: &str| match key {
        "phoenix.port" => s.phoenix.port.as_ref().map(|p| p.span()),
        "phoenix.live_debugger" => s.phoenix.live_debugger.as_ref().map(|p| p.span()),
        _ => s.postgres.port.as_ref().map(|p| p.span()),
    };
    let mut ports = vec![("phoenix.port", phoenix)];
    ports.extend(postgres.map(|p| ("postgres.port", p)));
    if let Some(ld) = live_debugger {
        ports.insert(1, ("phoenix.live_debugger", ld));
    }
    for (i, (a, pa)) in ports.iter().enumerate() {
        for (b, pb) in &ports[i + 1..] {
            if pa == pb {
                // Point at whichever of the two the user wrote (a default has no span).
                let (key, other, span) = match span_of(b) {
                    Some(span) => (b, a, span),
                    None => (a, b, span_of(a).unwrap_or(0..0)),
                };
                return Err(Box::new(
                    src.error(
                        span,
                        format!("{key} = {pa} clashes with {other}, which is also {pb}"),
                    )
                    .with_label("port already taken on the project IP")
                    .with_help(format!(
                        "give {key} a port of its own; both listen on the project IP"
                    )),
                ));
            }
        }
    }
    Ok(())
}

/// `my_app` → `MyApp`, the way `mix new` derives the module from the app.
pub fn camel_case(app: &str) -> String {
    app.split('_')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            let mut c = seg.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_follows_mix() {
        assert_eq!(camel_case("liberties"), "Liberties");
        assert_eq!(camel_case("my_app"), "MyApp");
        assert_eq!(camel_case("app2_web"), "App2Web");
    }
}
