//! `devgen doctor`: seed 000's troubleshooting section as checks, each reported as pass,
//! fail (with the fix) or not applicable (with the reason).
//!
//! This module owns the checks and what they look at on the running machine: whether the
//! project address can be bound, what the system resolver and dnsmasq answer for the host
//! names, who holds the project's ports, whether PostgreSQL answers, which tmux overmind
//! talks to, and overmind's control socket. It reads the project's spec and the machine
//! registry and changes nothing.

use std::net::{
    IpAddr, Ipv4Addr, SocketAddr, SocketAddrV4, TcpListener, TcpStream, ToSocketAddrs, UdpSocket,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde::Serialize;

use crate::commands::{exit, find_root, Format, Io};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::net::{Paths, Platform};
use crate::registry::{self, Entry, Registry};
use crate::spec::{self, SPEC_FILE};

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
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
    pub status: Outcome,
    /// What was found.
    pub summary: String,
    /// What to do about a failure (null otherwise).
    pub fix: Option<String>,
}

fn pass(id: &'static str, summary: impl Into<String>) -> Check {
    Check {
        id,
        status: Outcome::Pass,
        summary: summary.into(),
        fix: None,
    }
}

fn fail(id: &'static str, summary: impl Into<String>, fix: impl Into<String>) -> Check {
    Check {
        id,
        status: Outcome::Fail,
        summary: summary.into(),
        fix: Some(fix.into()),
    }
}

fn not_applicable(id: &'static str, why: impl Into<String>) -> Check {
    Check {
        id,
        status: Outcome::NotApplicable,
        summary: why.into(),
        fix: None,
    }
}

/// What `devgen doctor` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Format,
    /// The dnsmasq to ask directly; default: 127.0.0.1:53 when `devgen net --apply` has
    /// installed its dnsmasq drop-in on this machine.
    pub dns: Option<SocketAddr>,
}

/// `--dns ADDR[:PORT]`: a DNS server address, port 53 unless given.
pub fn parse_dns_server(text: &str) -> std::result::Result<SocketAddr, String> {
    text.parse::<SocketAddr>()
        .or_else(|_| text.parse::<IpAddr>().map(|ip| SocketAddr::new(ip, 53)))
        .map_err(|_| format!("{text:?} is not an address like 127.0.0.1 or 127.0.0.1:5353"))
}

/// The project as the checks see it.
struct Project {
    root: PathBuf,
    model: Model,
    /// The address and host this checkout runs on: the spec's, or a worktree's overrides
    /// (DEVGEN_IP, DEVGEN_HOST) from the environment, as the generated files read them.
    ip: Ipv4Addr,
    host: String,
    postgres_host: String,
    /// Which override variables were set, for the report's first line.
    overridden: Vec<&'static str>,
    platform: Platform,
}

impl Project {
    /// The project's own PostgreSQL, or `None` in shared mode.
    fn own_postgres(&self) -> Option<u16> {
        (!self.model.postgres.shared).then_some(self.model.postgres.port)
    }
}

/// `devgen doctor`: run every check; exit 1 when one fails.
pub fn doctor(dir: &Path, opts: &Options, io: &mut Io) -> Result<i32> {
    let root = find_root(dir)?;
    let text = root
        .read(SPEC_FILE)?
        .ok_or_else(|| Error::Usage(format!("{SPEC_FILE} disappeared")))?;
    let src = spec::parse(SPEC_FILE, &text)?;
    let (model, _) = registry::resolve_model(root.path(), &src)?;
    let mut overridden = Vec::new();
    let mut from_env = |name: &'static str| {
        let v = std::env::var(name).ok().filter(|v| !v.is_empty());
        if v.is_some() {
            overridden.push(name);
        }
        v
    };
    let ip_text = from_env(model.overrides.ip).unwrap_or_else(|| model.project.ip.clone());
    let host = from_env(model.overrides.host).unwrap_or_else(|| model.project.host.clone());
    let ip = spec::parse_loopback_ip(&ip_text).map_err(|why| {
        Error::Usage(format!(
            "{}={ip_text:?}: {why}\n  = help: fix it in .envrc.local (`devgen worktree` writes it), then `direnv reload`",
            model.overrides.ip
        ))
    })?;
    let p = Project {
        root: root.path().to_path_buf(),
        ip,
        postgres_host: format!("postgres.{host}"),
        host,
        overridden,
        model,
        platform: Platform::current(),
    };

    let mut checks = vec![check_registry(&p), check_ip(&p)];
    checks.push(check_resolves(&p, "dns-host", &p.host));
    checks.push(if p.model.postgres.shared {
        not_applicable(
            "dns-postgres-host",
            "mode = \"shared\": the config reaches the shared PostgreSQL by address, not by name",
        )
    } else {
        check_resolves(&p, "dns-postgres-host", &p.postgres_host)
    });
    checks.push(check_dnsmasq(&p, opts.dns));
    let overmind = OvermindState::find(&p);
    let ld = p.model.phoenix.live_debugger;
    checks.push(check_port(
        &p,
        "port-phoenix",
        "Phoenix",
        "[phoenix] port",
        Some(p.model.phoenix.port),
    ));
    checks.push(if p.model.postgres.shared {
        not_applicable(
            "port-postgres",
            format!(
                "mode = \"shared\": PostgreSQL is the machine's shared one at {}:{}, not on {}",
                p.model.postgres.ip, p.model.postgres.port, p.ip
            ),
        )
    } else {
        check_port(
            &p,
            "port-postgres",
            "PostgreSQL",
            "[postgres] port",
            p.own_postgres(),
        )
    });
    checks.push(check_port(
        &p,
        "port-live-debugger",
        "LiveDebugger",
        "[phoenix] live_debugger",
        ld,
    ));
    checks.push(check_postgres(&p, &overmind));
    checks.push(check_tmux(&overmind));
    checks.push(check_overmind_socket(&p, &overmind));

    let failed = checks.iter().filter(|c| c.status == Outcome::Fail).count();
    let code = if failed == 0 {
        exit::IN_SYNC
    } else {
        exit::DRIFT
    };
    match opts.format {
        Format::Json => {
            let report = JsonReport {
                project: JsonProject {
                    name: &p.model.project.name,
                    root: &p.root,
                    ip: p.ip.to_string(),
                    host: &p.host,
                },
                status: if failed == 0 { "ok" } else { "failed" },
                exit_code: code,
                checks: &checks,
            };
            serde_json::to_writer_pretty(&mut *io.out, &report)
                .map_err(std::io::Error::from)
                .map_err(out_err)?;
            writeln!(io.out).map_err(out_err)?;
        }
        Format::Text => {
            let from = if p.overridden.is_empty() {
                String::new()
            } else {
                format!("; {} from the environment", p.overridden.join(" and "))
            };
            writeln!(
                io.out,
                "devgen doctor: {} at {} ({}, {}{from})",
                p.model.project.name,
                p.root.display(),
                p.ip,
                p.host
            )
            .map_err(out_err)?;
            let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
            for c in &checks {
                let mark = match c.status {
                    Outcome::Pass => "pass",
                    Outcome::Fail => "FAIL",
                    Outcome::NotApplicable => "n/a ",
                };
                writeln!(io.out, "  {mark}  {:<width$}  {}", c.id, c.summary).map_err(out_err)?;
                if let Some(fix) = &c.fix {
                    let pad = " ".repeat(width + 10);
                    writeln!(
                        io.out,
                        "{pad}fix: {}",
                        fix.replace('\n', &format!("\n{pad}     "))
                    )
                    .map_err(out_err)?;
                }
            }
            let summary = if failed == 0 {
                format!(
                    "devgen doctor: all {} checks passed or do not apply",
                    checks.len()
                )
            } else {
                format!("devgen doctor: {failed} of {} checks failed", checks.len())
            };
            writeln!(io.out, "{summary}").map_err(out_err)?;
        }
    }
    Ok(code)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    project: JsonProject<'a>,
    status: &'static str,
    exit_code: i32,
    checks: &'a [Check],
}

#[derive(Serialize)]
struct JsonProject<'a> {
    name: &'a str,
    root: &'a Path,
    ip: String,
    host: &'a str,
}

// ---------------------------------------------------------------------------------------
// The checks.

/// The project is in the machine registry with what its spec says, and no one else's
/// claim collides with it.
fn check_registry(p: &Project) -> Check {
    const ID: &str = "registry";
    let registry = match registry::default_path().and_then(|path| Registry::load(&path)) {
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
    let Ok(want) = Entry::from_model(&p.root, &p.model) else {
        return fail(
            ID,
            "the project address is not IPv4",
            "fix `ip` in devgen.toml",
        );
    };
    let shown = registry.path().display().to_string();
    if let Some(e) = registry.get(&p.root).filter(|e| e.worktree_of.is_some()) {
        // A worktree's own address lives in its environment (.envrc.local), not in devgen.toml.
        return if e.ip == p.ip && e.host == p.host {
            pass(
                ID,
                format!(
                    "registered as a worktree with {} {} in {shown}",
                    e.ip, e.host
                ),
            )
        } else {
            fail(
                ID,
                format!(
                    "the registry gives this worktree {} {}, but it runs on {} {} here",
                    e.ip, e.host, p.ip, p.host
                ),
                format!(
                    "`direnv allow` (or `direnv reload`) so that .envrc.local exports {} and {}; `devgen worktree` rewrites it",
                    p.model.overrides.ip, p.model.overrides.host
                ),
            )
        };
    }
    if let Some(clash) = registry.clash(&want) {
        let worktree =
            matches!(&clash, registry::Clash::Ip { other } if other.name == p.model.project.name);
        let fix = if worktree {
            "this looks like a git worktree of that project: `devgen worktree` here gives it an address of its own"
        } else {
            "give this project an address of its own (delete `ip` from devgen.toml and run `devgen init`), \
             or release the other one: `devgen registry release PATH`"
        };
        return fail(ID, clash.message(), fix);
    }
    match registry.get(&p.root) {
        None => fail(
            ID,
            format!(
                "{} is not in the machine registry {shown}",
                p.model.project.name
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

/// Something can listen on the project address (on macOS: the lo0 alias is there).
fn check_ip(p: &Project) -> Check {
    const ID: &str = "ip";
    match TcpListener::bind((p.ip, 0)) {
        Ok(_) => pass(ID, format!("{} can be bound", p.ip)),
        Err(e) => {
            let fix = match p.platform {
                Platform::Macos => format!(
                    "add the loopback alias: `sudo ifconfig lo0 alias {}`; to keep it after a reboot: `sudo devgen net --apply`",
                    p.ip
                ),
                Platform::Linux => format!(
                    "lo should carry all of 127.0.0.0/8: check `ip addr show lo`, and add it with `sudo ip addr add {}/8 dev lo`",
                    p.ip
                ),
            };
            let alias = if p.platform == Platform::Macos {
                let lo0 = output("/sbin/ifconfig", &["lo0"]).unwrap_or_default();
                if lo0.contains(&format!("inet {} ", p.ip)) {
                    " (lo0 has the alias)"
                } else {
                    " (lo0 has no alias for it)"
                }
            } else {
                ""
            };
            fail(ID, format!("cannot bind {}{alias}: {e}", p.ip), fix)
        }
    }
}

fn dns_fix(p: &Project, name: &str) -> String {
    let tld = p.host.rsplit('.').next().unwrap_or_default().to_string();
    match p.platform {
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
fn check_resolves(p: &Project, id: &'static str, name: &str) -> Check {
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
                dns_fix(p, name),
            )
        }
        Ok(Err(e)) => {
            return fail(
                id,
                format!("the system resolver does not know {name}: {e}"),
                dns_fix(p, name),
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
    if addrs == [p.ip] {
        pass(id, format!("{name} resolves to {}", p.ip))
    } else {
        fail(
            id,
            format!("{name} resolves to {}, not only {}", join(&addrs), p.ip),
            dns_fix(p, name),
        )
    }
}

/// dnsmasq itself answers both names with the project address.
fn check_dnsmasq(p: &Project, server: Option<SocketAddr>) -> Check {
    const ID: &str = "dns-dnsmasq";
    let dropin = Paths::for_platform(p.platform).dnsmasq_dropin;
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
    let mut names = vec![&p.host];
    if !p.model.postgres.shared {
        names.push(&p.postgres_host);
    }
    for name in names {
        match dns_query_a(server, name) {
            Ok(ips) if ips == [p.ip] => {}
            Ok(ips) if ips.is_empty() => wrong.push(format!("{name}: no address")),
            Ok(ips) => wrong.push(format!("{name}: {}", join(&ips))),
            Err(e) => {
                return fail(
                    ID,
                    format!("dnsmasq at {server} does not answer: {e}"),
                    match p.platform {
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
                if p.model.postgres.shared {
                    p.host.clone()
                } else {
                    format!("{} and {}", p.host, p.postgres_host)
                },
                p.ip
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
fn check_port(p: &Project, id: &'static str, what: &str, key: &str, port: Option<u16>) -> Check {
    let Some(port) = port else {
        return not_applicable(id, format!("{what} is off in devgen.toml"));
    };
    let addr = SocketAddrV4::new(p.ip, port);
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
    let holders = listeners(p.ip, port);
    if holders.is_empty() {
        return fail(
            id,
            format!("{addr} is taken by a process devgen cannot see"),
            format!("find it with `sudo lsof -nP -iTCP:{port} -sTCP:LISTEN`, and stop it"),
        );
    }
    let ours = |h: &Proc| h.cwd.as_deref().is_some_and(|c| c.starts_with(&p.root));
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
fn check_postgres(p: &Project, overmind: &OvermindState) -> Check {
    const ID: &str = "postgres";
    let shared = p.model.postgres.shared;
    let ip = if shared {
        match p.model.postgres.ip.parse() {
            Ok(ip) => ip,
            Err(_) => {
                return fail(
                    ID,
                    "the shared PostgreSQL address is not IPv4",
                    "fix the registry's [shared] postgres",
                )
            }
        }
    } else {
        p.ip
    };
    let addr = SocketAddrV4::new(ip, p.model.postgres.port);
    let log = &p.model.postgres.log_path;
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
    match which("pg_isready") {
        Some(pg_isready) => {
            let out = Command::new(&pg_isready)
                .args(["-h", &ip.to_string(), "-p", &p.model.postgres.port.to_string()])
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

/// overmind's tmux and the `tmux` on PATH are one version (else "server exited
/// unexpectedly" from every tmux command against overmind's server).
fn check_tmux(overmind: &OvermindState) -> Check {
    const ID: &str = "tmux";
    let Some(overmind_bin) = &overmind.binary else {
        return not_applicable(
            ID,
            "overmind is not on PATH (enter the dev shell: `direnv allow`, or `nix develop --impure`)",
        );
    };
    let Some(path_tmux) = which("tmux") else {
        return fail(
            ID,
            "there is no tmux on PATH, and overmind needs one",
            "enter the dev shell, whose devenv.nix has pkgs.tmux: `direnv reload`",
        );
    };
    let (theirs, how) = match (&overmind.server, overmind_wrapper_tmux(overmind_bin)) {
        (Some(server), _) if server.exe.is_some() => (
            server.exe.clone().expect("checked"),
            format!("its running server (pid {})", server.pid),
        ),
        (_, Some(t)) => (t, format!("the PATH of {}", overmind_bin.display())),
        _ => (path_tmux.clone(), "PATH, like you".to_string()),
    };
    let version =
        |t: &Path| output(t.to_str().unwrap_or_default(), &["-V"]).map(|v| v.trim().to_string());
    let (Some(a), Some(b)) = (version(&theirs), version(&path_tmux)) else {
        return fail(
            ID,
            format!(
                "cannot run `tmux -V` with {} or {}",
                theirs.display(),
                path_tmux.display()
            ),
            "reinstall tmux, or enter the dev shell: `direnv reload`",
        );
    };
    if a == b {
        pass(
            ID,
            format!("overmind and PATH both use {a} (overmind's from {how})"),
        )
    } else {
        fail(
            ID,
            format!(
                "overmind uses {a} ({}, from {how}), PATH has {b} ({})",
                theirs.display(),
                path_tmux.display()
            ),
            "run `direnv reload` (or cd into the project) so the dev shell's tmux, overmind's own, comes first on PATH",
        )
    }
}

/// `.overmind.sock` is there exactly when overmind runs here.
fn check_overmind_socket(p: &Project, overmind: &OvermindState) -> Check {
    const ID: &str = "overmind-socket";
    let sock = p.root.join(".overmind.sock");
    match (&overmind.socket, &overmind.server) {
        (SockFile::Answers, _) => pass(ID, "overmind answers on .overmind.sock"),
        (SockFile::Stale(e), _) => fail(
            ID,
            format!(".overmind.sock is there but nothing answers on it ({e})"),
            format!("overmind died and left it: `rm {}`, then `overmind start`", sock.display()),
        ),
        (SockFile::NotASocket, _) => fail(
            ID,
            ".overmind.sock is not a socket",
            format!("remove it (`rm {}`), then `overmind start`", sock.display()),
        ),
        (SockFile::Missing, Some(server)) => fail(
            ID,
            format!(
                "overmind's tmux server for this project runs (pid {}, -L {}), but .overmind.sock is gone",
                server.pid, server.socket
            ),
            format!(
                "overmind cannot be reached without it: stop the server (`tmux -L {} kill-server`), then `overmind start`",
                server.socket
            ),
        ),
        (SockFile::Missing, None) => not_applicable(ID, "overmind is not running here"),
    }
}

// ---------------------------------------------------------------------------------------
// overmind, as found on the machine.

enum SockFile {
    Missing,
    Answers,
    Stale(String),
    NotASocket,
}

struct OvermindState {
    /// The `overmind` on PATH.
    binary: Option<PathBuf>,
    socket: SockFile,
    /// The tmux server overmind started for this project.
    server: Option<TmuxServer>,
}

struct TmuxServer {
    pid: u32,
    /// The `-L` name, overmind-<session>-<id>.
    socket: String,
    exe: Option<PathBuf>,
}

impl OvermindState {
    fn find(p: &Project) -> OvermindState {
        use std::os::unix::fs::FileTypeExt;
        let path = p.root.join(".overmind.sock");
        let socket = match std::fs::symlink_metadata(&path) {
            Err(_) => SockFile::Missing,
            Ok(m) if !m.file_type().is_socket() => SockFile::NotASocket,
            Ok(_) => match std::os::unix::net::UnixStream::connect(&path) {
                Ok(_) => SockFile::Answers,
                Err(e) => SockFile::Stale(e.to_string()),
            },
        };
        let prefix = format!("overmind-{}-", p.model.project.tmux_session);
        let server = processes().into_iter().find_map(|proc| {
            let name = tmux_socket_arg(&proc.args)?;
            let id = name.strip_prefix(&prefix)?;
            // overmind's ids are 21 characters; a longer tail is another session's name.
            if id.len() != 21 || proc.cwd.as_deref().is_none_or(|c| c != p.root) {
                return None;
            }
            Some(TmuxServer {
                pid: proc.pid,
                socket: name.to_string(),
                exe: proc.exe,
            })
        });
        OvermindState {
            binary: which("overmind"),
            socket,
            server,
        }
    }

    fn running(&self) -> bool {
        matches!(self.socket, SockFile::Answers) || self.server.is_some()
    }
}

/// The value of `-L NAME` (or `-LNAME`) in a tmux command line.
fn tmux_socket_arg(args: &[String]) -> Option<&str> {
    let exe = args.first()?;
    if !Path::new(exe)
        .file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with("tmux"))
    {
        return None;
    }
    args.iter().enumerate().skip(1).find_map(|(i, a)| {
        if a == "-L" {
            args.get(i + 1).map(String::as_str)
        } else {
            a.strip_prefix("-L").filter(|s| !s.is_empty())
        }
    })
}

/// nixpkgs wraps overmind in a script putting its own tmux first on PATH: that tmux.
fn overmind_wrapper_tmux(overmind: &Path) -> Option<PathBuf> {
    let bytes = std::fs::read(overmind).ok()?;
    if !bytes.starts_with(b"#!") || bytes.len() > 1 << 20 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    text.split(|c: char| c.is_whitespace() || "'\":=;".contains(c))
        .filter(|t| t.starts_with('/') && t.ends_with("/bin"))
        .map(|dir| Path::new(dir).join("tmux"))
        .find(|t| t.is_file())
}

// ---------------------------------------------------------------------------------------
// Processes and sockets.

struct Proc {
    pid: u32,
    args: Vec<String>,
    cwd: Option<PathBuf>,
    exe: Option<PathBuf>,
}

impl Proc {
    fn describe(&self) -> String {
        let name = self
            .args
            .first()
            .map(|a| {
                Path::new(a)
                    .file_name()
                    .map_or(a.clone(), |n| n.to_string_lossy().into_owned())
            })
            .unwrap_or_else(|| "?".to_string());
        match &self.cwd {
            Some(cwd) => format!("pid {} ({name}, in {})", self.pid, cwd.display()),
            None => format!("pid {} ({name})", self.pid),
        }
    }
}

/// Every process devgen may look at.
fn processes() -> Vec<Proc> {
    if Path::new("/proc/self/cmdline").exists() {
        let Ok(dir) = std::fs::read_dir("/proc") else {
            return Vec::new();
        };
        dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .filter_map(proc_info)
            .collect()
    } else {
        // macOS: ps for the command lines; lsof for a process's directory and executable.
        let Some(ps) = output("ps", &["-axo", "pid=,command="]) else {
            return Vec::new();
        };
        ps.lines()
            .filter_map(|l| {
                let (pid, cmd) = l.trim_start().split_once(' ')?;
                let pid = pid.parse().ok()?;
                let args: Vec<String> = cmd.split_whitespace().map(str::to_string).collect();
                let interesting = tmux_socket_arg(&args).is_some();
                Some(Proc {
                    pid,
                    cwd: interesting.then(|| lsof_path(pid, "cwd")).flatten(),
                    exe: interesting.then(|| lsof_path(pid, "txt")).flatten(),
                    args,
                })
            })
            .collect()
    }
}

fn proc_info(pid: u32) -> Option<Proc> {
    let base = PathBuf::from(format!("/proc/{pid}"));
    let cmdline = std::fs::read(base.join("cmdline")).ok()?;
    let args = cmdline
        .split(|b| *b == 0)
        .filter(|a| !a.is_empty())
        .map(|a| String::from_utf8_lossy(a).into_owned())
        .collect();
    Some(Proc {
        pid,
        args,
        cwd: std::fs::read_link(base.join("cwd")).ok(),
        exe: std::fs::read_link(base.join("exe")).ok(),
    })
}

fn lsof_path(pid: u32, fd: &str) -> Option<PathBuf> {
    let out = output("lsof", &["-a", "-p", &pid.to_string(), "-d", fd, "-Fn"])?;
    out.lines()
        .find_map(|l| l.strip_prefix('n'))
        .map(PathBuf::from)
}

/// The processes listening on `ip:port` (or on every address at `port`, which takes it too).
fn listeners(ip: Ipv4Addr, port: u16) -> Vec<Proc> {
    if !Path::new("/proc/net/tcp").exists() {
        let Some(out) = output(
            "lsof",
            &["-nP", &format!("-iTCP:{port}"), "-sTCP:LISTEN", "-Fpn"],
        ) else {
            return Vec::new();
        };
        let mut pids = Vec::new();
        let mut pid = None;
        for line in out.lines() {
            if let Some(p) = line.strip_prefix('p') {
                pid = p.parse::<u32>().ok();
            } else if let Some(name) = line.strip_prefix('n') {
                if name == format!("{ip}:{port}") || name == format!("*:{port}") {
                    pids.extend(pid);
                }
            }
        }
        pids.dedup();
        return pids
            .into_iter()
            .map(|pid| Proc {
                pid,
                args: output("ps", &["-o", "command=", "-p", &pid.to_string()])
                    .map(|c| c.split_whitespace().map(str::to_string).collect())
                    .unwrap_or_default(),
                cwd: lsof_path(pid, "cwd"),
                exe: None,
            })
            .collect();
    }
    let mut inodes = Vec::new();
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        let Ok(table) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in table.lines().skip(1) {
            let f: Vec<&str> = line.split_whitespace().collect();
            if f.len() < 10 || f[3] != "0A" {
                continue; // not LISTEN
            }
            let Some((addr, p)) = f[1].split_once(':') else {
                continue;
            };
            if u16::from_str_radix(p, 16).ok() != Some(port) {
                continue;
            }
            let holds = if v6 {
                // `::` takes every IPv4 address too; so does its v4-mapped form of ours.
                addr.bytes().all(|b| b == b'0')
                    || addr == format!("0000000000000000FFFF0000{}", hex_v4(ip))
            } else {
                addr == hex_v4(ip) || addr == "00000000"
            };
            if holds {
                inodes.push(format!("socket:[{}]", f[9]));
            }
        }
    }
    if inodes.is_empty() {
        return Vec::new();
    }
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_dir(format!("/proc/{pid}/fd")).is_ok_and(|fds| {
                fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                    .any(|l| inodes.iter().any(|i| Path::new(i) == l))
            })
        })
        .filter_map(proc_info)
        .collect()
}

/// An IPv4 address as /proc/net/tcp prints it: the in-memory word, in hex.
fn hex_v4(ip: Ipv4Addr) -> String {
    format!("{:08X}", u32::from_ne_bytes(ip.octets()))
}

// ---------------------------------------------------------------------------------------
// Small tools.

/// Ask `server` for the A records of `name` (one UDP query, 3 s to answer).
pub fn dns_query_a(server: SocketAddr, name: &str) -> std::result::Result<Vec<Ipv4Addr>, String> {
    let id = (std::process::id() as u16) ^ 0x5a5a;
    let mut q = Vec::with_capacity(64);
    q.extend_from_slice(&id.to_be_bytes());
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]); // RD; one question
    for label in name.trim_end_matches('.').split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err(format!("{name:?} is not a DNS name"));
        }
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.extend_from_slice(&[0, 0, 1, 0, 1]); // end of name; type A; class IN
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().expect("literal")
    } else {
        "[::]:0".parse().expect("literal")
    };
    let sock = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    sock.send_to(&q, server).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 1500];
    loop {
        let (n, from) = sock.recv_from(&mut buf).map_err(|e| e.to_string())?;
        if from != server || n < 12 || buf[..2] != id.to_be_bytes() {
            continue; // not our answer
        }
        return parse_a_answers(&buf[..n]);
    }
}

fn parse_a_answers(msg: &[u8]) -> std::result::Result<Vec<Ipv4Addr>, String> {
    let bad = || "a malformed DNS answer".to_string();
    let rcode = msg[3] & 0x0f;
    if rcode == 3 {
        return Ok(Vec::new()); // NXDOMAIN
    }
    if rcode != 0 {
        return Err(format!("DNS error code {rcode}"));
    }
    let qd = u16::from_be_bytes([msg[4], msg[5]]);
    let an = u16::from_be_bytes([msg[6], msg[7]]);
    let mut at = 12;
    let skip_name = |mut at: usize| -> Option<usize> {
        loop {
            let len = *msg.get(at)? as usize;
            if len & 0xc0 == 0xc0 {
                return Some(at + 2);
            }
            at += 1;
            if len == 0 {
                return Some(at);
            }
            at += len;
        }
    };
    for _ in 0..qd {
        at = skip_name(at).ok_or_else(bad)? + 4;
    }
    let mut ips = Vec::new();
    for _ in 0..an {
        at = skip_name(at).ok_or_else(bad)?;
        let head = msg.get(at..at + 10).ok_or_else(bad)?;
        let (rtype, len) = (
            u16::from_be_bytes([head[0], head[1]]),
            u16::from_be_bytes([head[8], head[9]]) as usize,
        );
        let data = msg.get(at + 10..at + 10 + len).ok_or_else(bad)?;
        if rtype == 1 && len == 4 {
            ips.push(Ipv4Addr::new(data[0], data[1], data[2], data[3]));
        }
        at += 10 + len;
    }
    ips.sort();
    Ok(ips)
}

/// The first `program` on PATH.
fn which(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The standard output of a command that ran, successful or not.
fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
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

fn out_err(e: std::io::Error) -> Error {
    Error::io("cannot write to", Path::new("the output"), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proc_net_tcp_addresses() {
        // /proc prints the address word as it sits in memory.
        let want = if cfg!(target_endian = "little") {
            "0A00007F"
        } else {
            "7F00000A"
        };
        assert_eq!(hex_v4(Ipv4Addr::new(127, 0, 0, 10)), want);
    }

    #[test]
    fn tmux_socket_names_from_command_lines() {
        let args = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            tmux_socket_arg(&args("tmux -C -L overmind-shop-x new -n web")),
            Some("overmind-shop-x")
        );
        assert_eq!(
            tmux_socket_arg(&args("/nix/store/abc-tmux-3.4/bin/tmux -Lovermind-a-b")),
            Some("overmind-a-b")
        );
        assert_eq!(tmux_socket_arg(&args("grep -L overmind-shop")), None);
    }

    #[test]
    fn dns_answers_with_compressed_names() {
        // id, flags (response), 1 question, 2 answers; shop.test A; two A records
        // pointing back at the question's name.
        let mut m = vec![0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
        m.extend_from_slice(b"\x04shop\x04test\x00\x00\x01\x00\x01");
        for last in [20u8, 10] {
            m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, last]);
        }
        assert_eq!(
            parse_a_answers(&m).unwrap(),
            [Ipv4Addr::new(127, 0, 0, 10), Ipv4Addr::new(127, 0, 0, 20)]
        );
        m[3] = 0x83; // NXDOMAIN
        assert_eq!(parse_a_answers(&m).unwrap(), Vec::<Ipv4Addr>::new());
        assert!(parse_a_answers(&m[..20]).is_ok()); // NXDOMAIN needs no more
        m[3] = 0x80;
        assert!(parse_a_answers(&m[..30]).is_err());
    }
}
