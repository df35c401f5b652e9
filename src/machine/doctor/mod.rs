//! `devgen doctor`'s checks: seed 000's troubleshooting section as checks, each coming out
//! as pass, fail (with the fix) or not applicable (with the reason).
//!
//! This module owns the checks and what they look at on the running machine: whether the
//! project address can be bound, what the system resolver and dnsmasq answer for the host
//! names ([`dns`]), who holds the project's ports ([`processes`]), whether PostgreSQL
//! and the backing services answer ([`services`]), which tmux overmind talks to and overmind's control socket ([`overmind`]). It
//! reads the project's model and the machine registry, and changes nothing.

mod checks;
mod dns;
mod overmind;
mod processes;
mod proxy;
mod services;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::net::Platform;
use super::registry::Registry;
use crate::error::{Error, Result};
use crate::model::Model;
use crate::spec::rules::parse_loopback_ip;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    /// The check does not apply here; the summary says why.
    NotApplicable,
}

/// One check's result.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    /// Stable name, for scripts.
    pub id: &'static str,
    pub status: Status,
    /// What was found.
    pub summary: String,
    /// What to do about a failure (null otherwise).
    pub fix: Option<String>,
}

fn pass(id: &'static str, summary: impl Into<String>) -> Check {
    Check {
        id,
        status: Status::Pass,
        summary: summary.into(),
        fix: None,
    }
}

fn fail(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        id,
        status: Status::Fail,
        summary: summary.into(),
        fix: Some(fix.into()),
    }
}

fn not_applicable(id: &'static str, why: impl Into<String>) -> Check {
    Check {
        id,
        status: Status::NotApplicable,
        summary: why.into(),
        fix: None,
    }
}

/// A line the app's own source needs, which devgen does not edit: whether `file` holds
/// `marker`, as `present` says (or why the file could not be read).
pub fn source_line(
    id: &'static str,
    file: &str,
    marker: &str,
    line: &str,
    present: std::io::Result<bool>,
) -> Check {
    match present {
        Ok(true) => pass(id, format!("{file} has {marker}")),
        Ok(false) => fail(
            id,
            format!("{file} lacks {marker}"),
            format!("add `{line}` to {file} (devgen does not edit it)"),
        ),
        Err(e) => fail(
            id,
            format!("cannot read {file}: {e}"),
            format!("add `{line}` to the app's {file}"),
        ),
    }
}

/// `--dns ADDR[:PORT]`: a DNS server address, port 53 unless given.
pub fn parse_dns_server(text: &str) -> std::result::Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("{text:?} is not an address like 127.0.0.1 or 127.0.0.1:5353"))
}

/// The checkout as the checks see it.
pub struct Checkout {
    pub root: PathBuf,
    pub model: Model,
    /// The address and host this checkout runs on: the spec's, or a worktree's overrides
    /// (DEVGEN_IP, DEVGEN_HOST) from the environment, as the generated files read them.
    pub ip: Ipv4Addr,
    pub host: String,
    postgres_host: String,
    /// Which override variables were set, for the report's first line.
    pub overridden: Vec<&'static str>,
    platform: Platform,
}

impl Checkout {
    /// The checkout at `root` with the project's `model`, and the overrides its environment
    /// sets.
    pub fn new(root: &Path, mut model: Model) -> Result<Checkout> {
        let mut overridden = Vec::new();
        // Ports isolation: a worktree moves each port by its own variable.
        if model.project.ports_isolation {
            for p in model.named_ports() {
                let moved = std::env::var(p.variable())
                    .ok()
                    .and_then(|v| v.parse().ok());
                if let Some(port) = moved {
                    model.move_port(&p.name, port);
                }
            }
        }
        let mut from_env = |name: &'static str| {
            let v = std::env::var(name).ok().filter(|v| !v.is_empty());
            if v.is_some() {
                overridden.push(name);
            }
            v
        };
        let ip_text = from_env(model.overrides.ip).unwrap_or_else(|| model.project.ip.to_string());
        let host = from_env(model.overrides.host).unwrap_or_else(|| model.project.host.clone());
        let ip = parse_loopback_ip(&ip_text).map_err(|why| {
            Error::Usage(format!(
                "{}={ip_text:?}: {why}\n  = help: fix it in .envrc.local (`devgen worktree` writes it), then `direnv reload`",
                model.overrides.ip
            ))
        })?;
        Ok(Checkout {
            root: root.to_path_buf(),
            ip,
            postgres_host: format!("postgres.{host}"),
            host,
            overridden,
            model,
            platform: Platform::current(),
        })
    }

    /// The project's own PostgreSQL, or `None` in shared mode.
    fn own_postgres(&self) -> Option<u16> {
        (!self.model.postgres.shared).then_some(self.model.postgres.port)
    }
}

/// Every check, in the order of the report. `registry` is the machine registry as the
/// command read it; `dns` the dnsmasq to ask directly (default: 127.0.0.1:53 when
/// `devgen net --apply` has installed its drop-in on this machine).
pub fn run(
    c: &Checkout,
    registry: std::result::Result<&Registry, &Error>,
    dns: Option<SocketAddr>,
) -> Vec<Check> {
    let overmind = overmind::OvermindState::find(c);
    let mut found = vec![
        checks::registry(c, registry),
        checks::ip(c),
        checks::resolves(c, "dns-host", &c.host),
        checks::resolves_postgres(c),
        checks::dnsmasq(c, dns),
        checks::port(
            c,
            "port-phoenix",
            "Phoenix",
            "[phoenix] port",
            Some(c.model.phoenix.port),
        ),
        checks::postgres_port(c),
        checks::port(
            c,
            "port-live-debugger",
            "LiveDebugger",
            "[phoenix] live_debugger",
            c.model.phoenix.live_debugger,
        ),
        checks::postgres(c, &overmind),
    ];
    found.extend(services::checks(c, &overmind));
    found.extend(proxy::checks(c, &overmind));
    found.extend([
        checks::devenv_module(c),
        overmind::check_tmux(&overmind),
        overmind::check_socket(c, &overmind),
    ]);
    found
}
