//! The checks of the project's network and services: registry, address, host names,
//! dnsmasq, ports and PostgreSQL. overmind's and tmux's are in [`super::overmind`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream, ToSocketAddrs};
use std::process::Command;
use std::time::Duration;

use super::overmind::OvermindState;
use super::processes::{listeners, output, Proc};
use super::{dns, fail, not_applicable, pass, Check, Checkout};
use crate::error::Error;
use crate::machine::net::{Paths, Platform};
use crate::machine::registry::{Clash, Entry, Registry};

/// The project is in the machine registry with what its spec says, and no one else's
/// claim collides with it.
pub(super) fn registry(c: &Checkout, registry: Result<&Registry, &Error>) -> Check {
    const ID: &str = "registry";
    let registry = match registry {
        Ok(r) => r,
        Err(e) => {
            return fail(
                ID,
                format!(
                    "the machine registry cannot be read: {}",
                    first_line(&e.to_string())
                ),
                "fix or remove the registry file named above, then run `devgen init` here",
            )
        }
    };
    let want = Entry::from_model(&c.root, &c.model);
    let shown = registry.path().display().to_string();
    if let Some(e) = registry.get(&c.root).filter(|e| e.worktree_of.is_some()) {
        return registered_worktree(c, e, &shown);
    }
    if let Some(clash) = registry.clash(&want) {
        let worktree = matches!(&clash, Clash::Ip { other } if other.name == c.model.project.name);
        let fix = if worktree {
            "this looks like a git worktree of that project: `devgen worktree` here gives it an address of its own"
        } else {
            "give this project an address of its own (delete `ip` from devgen.toml and run `devgen init`), \
             or release the other one: `devgen registry release PATH`"
        };
        return fail(ID, clash.message(), fix);
    }
    match registry.get(&c.root) {
        None => fail(
            ID,
            format!(
                "{} is not in the machine registry {shown}",
                c.model.project.name
            ),
            "run `devgen init` here: it registers the project, so no other takes its address",
        ),
        Some(e) if *e == want => pass(ID, format!("registered with {} in {shown}", e.ip)),
        Some(e) => fail(
            ID,
            format!(
                "the registry holds {} {} for this project, devgen.toml says {} {}",
                e.ip, e.host, want.ip, want.host
            ),
            "run `devgen sync`: it brings the registry entry in line with devgen.toml",
        ),
    }
}

/// A worktree's own address lives in its environment (.envrc.local), not in devgen.toml:
/// what the registry gives it must be what the checkout runs on.
fn registered_worktree(c: &Checkout, e: &Entry, shown: &str) -> Check {
    const ID: &str = "registry";
    if e.ip == c.ip && e.host == c.host {
        return pass(
            ID,
            format!(
                "registered as a worktree with {} {} in {shown}",
                e.ip, e.host
            ),
        );
    }
    fail(
        ID,
        format!(
            "the registry gives this worktree {} {}, but it runs on {} {} here",
            e.ip, e.host, c.ip, c.host
        ),
        format!(
            "`direnv allow` (or `direnv reload`) so that .envrc.local exports {} and {}; `devgen worktree` rewrites it",
            c.model.overrides.ip, c.model.overrides.host
        ),
    )
}

/// Something can listen on the project address (on macOS: the lo0 alias is there).
pub(super) fn ip(c: &Checkout) -> Check {
    const ID: &str = "ip";
    match TcpListener::bind((c.ip, 0)) {
        Ok(_) => pass(ID, format!("{} can be bound", c.ip)),
        Err(e) => {
            let fix = match c.platform {
                Platform::Macos => format!(
                    "add the loopback alias: `sudo ifconfig lo0 alias {}`; to keep it after a reboot: `sudo devgen net --apply`",
                    c.ip
                ),
                Platform::Linux => format!(
                    "lo should carry all of 127.0.0.0/8: check `ip addr show lo`, and add it with `sudo ip addr add {}/8 dev lo`",
                    c.ip
                ),
            };
            let alias = if c.platform == Platform::Macos {
                let lo0 = output("/sbin/ifconfig", &["lo0"]).unwrap_or_default();
                if lo0.contains(&format!("inet {} ", c.ip)) {
                    " (lo0 has the alias)"
                } else {
                    " (lo0 has no alias for it)"
                }
            } else {
                ""
            };
            fail(ID, format!("cannot bind {}{alias}: {e}", c.ip), fix)
        }
    }
}

fn dns_fix(c: &Checkout, name: &str) -> String {
    let tld = c.host.rsplit('.').next().unwrap_or_default().to_string();
    match c.platform {
        Platform::Macos => format!(
            "run `sudo devgen net --apply` (dnsmasq entries and /etc/resolver/{tld}), then check `dig {name} @127.0.0.1`"
        ),
        Platform::Linux => format!(
            "run `sudo devgen net --apply` (dnsmasq entries, and systemd-resolved sending .{tld} to dnsmasq), \
             then check `dig {name} @127.0.0.1`"
        ),
    }
}

/// The system resolver (what Phoenix and Postgrex use) answers `name` with the project
/// address, and nothing else.
pub(super) fn resolves(c: &Checkout, id: &'static str, name: &str) -> Check {
    let (tx, rx) = std::sync::mpsc::channel();
    let query = format!("{name}:0");
    // getaddrinfo cannot be given a timeout; a thread left behind ends with the process.
    std::thread::spawn(move || {
        let _ = tx.send(query.to_socket_addrs().map(|a| a.collect::<Vec<_>>()));
    });
    let addrs: Vec<Ipv4Addr> = match rx.recv_timeout(Duration::from_secs(5)) {
        Err(_) => {
            return fail(
                id,
                format!("the system resolver took over 5 s on {name}"),
                dns_fix(c, name),
            )
        }
        Ok(Err(e)) => {
            return fail(
                id,
                format!("the system resolver does not know {name}: {e}"),
                dns_fix(c, name),
            )
        }
        Ok(Ok(addrs)) => {
            let mut v: Vec<Ipv4Addr> = addrs
                .iter()
                .filter_map(|a| match a.ip() {
                    IpAddr::V4(ip) => Some(ip),
                    IpAddr::V6(_) => None,
                })
                .collect();
            v.sort();
            v.dedup();
            v
        }
    };
    if addrs == [c.ip] {
        pass(id, format!("{name} resolves to {}", c.ip))
    } else {
        fail(
            id,
            format!("{name} resolves to {}, not only {}", join(&addrs), c.ip),
            dns_fix(c, name),
        )
    }
}

/// dnsmasq itself answers both names with the project address.
pub(super) fn dnsmasq(c: &Checkout, server: Option<SocketAddr>) -> Check {
    const ID: &str = "dns-dnsmasq";
    let dropin = Paths::for_platform(c.platform).dnsmasq_dropin;
    let server = match server {
        Some(s) => s,
        None if dropin.is_file() => SocketAddr::from(([127, 0, 0, 1], 53)),
        None => {
            return not_applicable(
                ID,
                format!(
                    "no dnsmasq set up by `devgen net --apply` here ({} is absent); `--dns ADDR:PORT` checks one",
                    dropin.display()
                ),
            )
        }
    };
    let mut wrong = Vec::new();
    let mut names = vec![&c.host];
    if !c.model.postgres.shared {
        names.push(&c.postgres_host);
    }
    for name in names {
        match dns::query_a(server, name) {
            Ok(ips) if ips == [c.ip] => {}
            Ok(ips) if ips.is_empty() => wrong.push(format!("{name}: no address")),
            Ok(ips) => wrong.push(format!("{name}: {}", join(&ips))),
            Err(e) => {
                return fail(
                    ID,
                    format!("dnsmasq at {server} does not answer: {e}"),
                    match c.platform {
                        Platform::Macos => "start it: `sudo brew services restart dnsmasq`",
                        Platform::Linux => "start it: `sudo systemctl restart dnsmasq`",
                    },
                )
            }
        }
    }
    if wrong.is_empty() {
        pass(
            ID,
            format!(
                "dnsmasq at {server} answers {} with {}",
                if c.model.postgres.shared {
                    c.host.clone()
                } else {
                    format!("{} and {}", c.host, c.postgres_host)
                },
                c.ip
            ),
        )
    } else {
        fail(
            ID,
            format!("dnsmasq at {server} answers {}", wrong.join("; ")),
            "run `sudo devgen net --apply`: it writes this project's entries and restarts dnsmasq",
        )
    }
}

/// The port on the project address is free, or held by this project's own processes.
pub(super) fn port(
    c: &Checkout,
    id: &'static str,
    what: &str,
    key: &str,
    port: Option<u16>,
) -> Check {
    let Some(port) = port else {
        return not_applicable(id, format!("{what} is off in devgen.toml"));
    };
    let addr = SocketAddrV4::new(c.ip, port);
    let err = match TcpListener::bind(addr) {
        Ok(_) => return pass(id, format!("{addr} is free for {what}")),
        Err(e) => e,
    };
    if err.kind() != std::io::ErrorKind::AddrInUse {
        return fail(
            id,
            format!("cannot bind {addr}: {err}"),
            "see the `ip` check above",
        );
    }
    let holders = listeners(c.ip, port);
    if holders.is_empty() {
        return fail(
            id,
            format!("{addr} is taken by a process devgen cannot see"),
            format!("find it with `sudo lsof -nP -iTCP:{port} -sTCP:LISTEN`, and stop it"),
        );
    }
    let ours = |h: &Proc| h.cwd.as_deref().is_some_and(|dir| dir.starts_with(&c.root));
    let described: Vec<String> = holders.iter().map(Proc::describe).collect();
    if holders.iter().all(ours) {
        pass(
            id,
            format!("{addr} is held by this project: {}", described.join(", ")),
        )
    } else {
        let pids: Vec<String> = holders.iter().map(|h| h.pid.to_string()).collect();
        fail(
            id,
            format!("{addr} is held by {}, not by this project", described.join(", ")),
            format!(
                "stop it (`kill {}`), or give {what} another port: {key} in devgen.toml, then `devgen sync`",
                pids.join(" ")
            ),
        )
    }
}

/// PostgreSQL answers on the project address: `pg_isready` when installed, else a TCP
/// connection.
pub(super) fn postgres(c: &Checkout, overmind: &OvermindState) -> Check {
    const ID: &str = "postgres";
    let shared = c.model.postgres.shared;
    let ip = if shared { c.model.postgres.ip } else { c.ip };
    let addr = SocketAddrV4::new(ip, c.model.postgres.port);
    let log = &c.model.postgres.log_path;
    if TcpListener::bind(addr).is_ok() {
        return if shared {
            fail(
                ID,
                format!("nothing listens on {addr}, the machine's shared PostgreSQL"),
                "start it: `devgen shared --write DIR`, then `cd DIR && nix develop --impure --command devenv up`",
            )
        } else if overmind.running() {
            fail(
                ID,
                format!("nothing listens on {addr}, though overmind runs here"),
                format!(
                    "look at devenv's window: `overmind connect devenv`; PostgreSQL's log: `tail {log}`"
                ),
            )
        } else {
            not_applicable(
                ID,
                format!("nothing listens on {addr} and overmind is not running here; start it with `overmind start`"),
            )
        };
    }
    match which::which("pg_isready").ok() {
        Some(pg_isready) => {
            let out = Command::new(&pg_isready)
                .args(["-h", &ip.to_string(), "-p", &c.model.postgres.port.to_string()])
                .args(["-t", "5"])
                .output();
            match out {
                Ok(o) if o.status.success() => pass(
                    ID,
                    format!("PostgreSQL accepts connections on {addr} (pg_isready)"),
                ),
                Ok(o) => fail(
                    ID,
                    format!(
                        "pg_isready: {}",
                        String::from_utf8_lossy(&o.stdout).trim()
                    ),
                    format!("something else may hold the port (see port-postgres); PostgreSQL's log: `tail {log}`"),
                ),
                Err(e) => fail(
                    ID,
                    format!("cannot run {}: {e}", pg_isready.display()),
                    "reinstall the PostgreSQL client",
                ),
            }
        }
        None => match TcpStream::connect_timeout(&SocketAddr::V4(addr), Duration::from_secs(3)) {
            Ok(_) => pass(
                ID,
                format!("{addr} accepts TCP connections (pg_isready is not on PATH, so only the port was checked)"),
            ),
            Err(e) => fail(
                ID,
                format!("{addr} refuses TCP connections: {e}"),
                format!("PostgreSQL's log: `tail {log}`"),
            ),
        },
    }
}

/// The system resolver, for the Postgres host name; not applicable in shared mode, where
/// the config reaches the server by address.
pub(super) fn resolves_postgres(c: &Checkout) -> Check {
    if c.model.postgres.shared {
        return not_applicable(
            "dns-postgres-host",
            "mode = \"shared\": the config reaches the shared PostgreSQL by address, not by name",
        );
    }
    resolves(c, "dns-postgres-host", &c.postgres_host)
}

/// PostgreSQL's port on the project address; in shared mode the server is elsewhere.
pub(super) fn postgres_port(c: &Checkout) -> Check {
    if c.model.postgres.shared {
        return not_applicable(
            "port-postgres",
            format!(
                "mode = \"shared\": PostgreSQL is the machine's shared one at {}:{}, not on {}",
                c.model.postgres.ip, c.model.postgres.port, c.ip
            ),
        );
    }
    port(
        c,
        "port-postgres",
        "PostgreSQL",
        "[postgres] port",
        c.own_postgres(),
    )
}

fn join(ips: &[Ipv4Addr]) -> String {
    if ips.is_empty() {
        return "nothing".to_string();
    }
    ips.iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// The project's devenv.nix sets only what devenv takes (`devgen check`).
pub(super) fn devenv_module(c: &Checkout) -> Check {
    const ID: &str = "devenv-nix";
    let Ok(text) = std::fs::read_to_string(c.root.join("devenv.nix")) else {
        return not_applicable(ID, "there is no devenv.nix here (`devgen sync` writes it)");
    };
    let doc = match nix_edit::NixDocument::parse("devenv.nix", text.as_str()) {
        Ok(doc) => doc,
        Err(e) => {
            let (line, col) = e.line_col();
            return fail(
                ID,
                format!("devenv.nix does not parse at {line}:{col}: {e}"),
                "fix the syntax: `devgen check` shows the line",
            );
        }
    };
    let mut report = crate::devenv::check(&doc);
    crate::devenv::evaluate::settle(&doc, &c.root, &mut report);
    match report.findings.first() {
        None => pass(
            ID,
            format!(
                "devenv.nix sets only devenv's options ({} values checked)",
                report.checked
            ),
        ),
        Some(f) => {
            let (line, col) = nix_edit::line_col(&text, f.span.start);
            let n = report.findings.len();
            fail(
                ID,
                format!(
                    "devenv.nix:{line}:{col}: {}{}",
                    f.message,
                    if n > 1 {
                        format!(" ({} more)", n - 1)
                    } else {
                        String::new()
                    }
                ),
                "`devgen check` shows each finding with its line and how to write it",
            )
        }
    }
}
