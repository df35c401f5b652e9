//! The front door's checks (`[proxy]`, `[frontend]`): the ports of Caddy, the frontend's dev
//! server and its HMR websockets; Caddy answering `https://<host>:<port>` over HTTP/2 with a
//! certificate of the project's own local CA; whether this machine trusts that CA; and each
//! route reaching something on its upstream port. curl asks Caddy, as a browser would.

use std::net::{SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::overmind::OvermindState;
use super::{checks, fail, not_applicable, pass, Check, Checkout};
use crate::model::Proxy;

/// Where Caddy keeps the root certificate of its local CA, under its storage.
const CA_ROOT: &str = "pki/authorities/local/root.crt";

/// The front's ports, then, with a proxy, Caddy, the trust in its CA and its routes.
pub(super) fn checks(c: &Checkout, overmind: &OvermindState) -> Vec<Check> {
    let mut found = Vec::new();
    if let Some(f) = &c.model.frontend {
        let port = Some(f.port);
        found.push(checks::port(
            c,
            "port-frontend",
            "the frontend",
            "[frontend] port",
            port,
        ));
        for hmr in &f.hmr {
            let what = format!("the frontend's HMR websocket {}", hmr.path);
            found.push(checks::port(
                c,
                "port-frontend-hmr",
                &what,
                "[frontend] hmr",
                Some(hmr.port),
            ));
        }
    }
    let Some(proxy) = &c.model.proxy else {
        return found;
    };
    let port = Some(proxy.port);
    if proxy.port < 1024 {
        found.push(privileged_port(proxy.port));
    }
    found.push(checks::port(c, "port-proxy", "Caddy", "[proxy] port", port));
    let admin = Some(proxy.admin_port);
    found.push(checks::port(
        c,
        "port-proxy-admin",
        "Caddy's admin endpoint",
        "[proxy] port",
        admin,
    ));
    let ca = c.root.join(&proxy.state_dir).join(CA_ROOT);
    found.push(answers(c, overmind, proxy, &ca));
    found.push(trusted(c, proxy, &ca));
    found.push(routes(c, proxy));
    found
}

/// A port below 1024 (`443`): Linux lets a user's Caddy bind it only from the first
/// unprivileged port down; macOS (since 10.14) lets it.
fn privileged_port(port: u16) -> Check {
    const ID: &str = "proxy-privileged-port";
    const KNOB: &str = "/proc/sys/net/ipv4/ip_unprivileged_port_start";
    let Ok(text) = std::fs::read_to_string(KNOB) else {
        return not_applicable(
            ID,
            format!("no {KNOB} here: this system decides port {port} by itself"),
        );
    };
    match text.trim().parse::<u16>() {
        Ok(start) if start <= port => pass(ID, format!("users may bind port {port} here (unprivileged ports start at {start})")),
        Ok(start) => fail(
            ID,
            format!("port {port} is privileged here (unprivileged ports start at {start}): Caddy, run as you, cannot bind it"),
            format!("`sudo sysctl -w net.ipv4.ip_unprivileged_port_start={port}` (and the same line in /etc/sysctl.d/60-devgen.conf to keep it), or a port above 1023 in [proxy] port"),
        ),
        Err(_) => not_applicable(ID, format!("{KNOB} says {:?}", text.trim())),
    }
}

/// `curl ARGS https://<host>:<port>/` with the host resolved to the checkout's address:
/// (exit code, `%{http_version}`), or why curl could not run.
fn curl(c: &Checkout, port: u16, args: &[&str]) -> Result<(i32, String), String> {
    let curl = which::which("curl").map_err(|_| "curl is not on PATH".to_string())?;
    let host = &c.host;
    let out = Command::new(curl)
        .args(["-sS", "-o", "/dev/null", "--http2", "--max-time", "5"])
        .args(args)
        .args(["--resolve", &format!("{host}:{port}:{}", c.ip)])
        .args(["-w", "%{http_version}", &format!("https://{host}:{port}/")])
        .output()
        .map_err(|e| format!("cannot run curl: {e}"))?;
    Ok((
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// Caddy answers over HTTP/2, with a certificate its local CA issued.
fn answers(c: &Checkout, overmind: &OvermindState, proxy: &Proxy, ca: &Path) -> Check {
    const ID: &str = "proxy";
    let origin = format!("https://{}:{}", c.host, proxy.port);
    if TcpListener::bind(SocketAddrV4::new(c.ip, proxy.port)).is_ok() {
        return if overmind.running() {
            fail(
                ID,
                format!("nothing listens for {origin}, though overmind runs here"),
                "look at the proxy's window: `overmind connect proxy`",
            )
        } else {
            not_applicable(ID, format!("nothing listens for {origin}; `overmind start` runs Caddy (the Procfile's proxy process)"))
        };
    }
    if !ca.is_file() {
        return fail(
            ID,
            format!(
                "something listens for {origin}, but Caddy's local CA is not in {}",
                ca.display()
            ),
            "stop it, then start the proxy with `overmind start` (the Procfile's proxy process)",
        );
    }
    match curl(c, proxy.port, &["--cacert", &ca.display().to_string()]) {
        Ok((0, version)) if version == "2" => pass(
            ID,
            format!(
                "Caddy answers {origin} over HTTP/2, with a certificate of this project's local CA"
            ),
        ),
        Ok((0, version)) => fail(
            ID,
            format!("{origin} answers over HTTP/{version}, not HTTP/2"),
            "something else may hold the port (see port-proxy)",
        ),
        Ok((60, _)) => fail(
            ID,
            format!(
                "{origin}'s certificate is not from this project's local CA ({})",
                ca.display()
            ),
            "another program may hold the port (see port-proxy)",
        ),
        Ok((code, _)) => fail(
            ID,
            format!("curl could not reach {origin} (curl exit {code})"),
            "look at the proxy's window: `overmind connect proxy`",
        ),
        Err(why) => not_applicable(ID, why),
    }
}

/// This machine trusts the project's local CA: browsers take its certificates.
fn trusted(c: &Checkout, proxy: &Proxy, ca: &Path) -> Check {
    const ID: &str = "proxy-trust";
    if !ca.is_file() {
        return not_applicable(
            ID,
            "Caddy has not made this project's local CA yet: it does on its first start",
        );
    }
    if TcpListener::bind(SocketAddrV4::new(c.ip, proxy.port)).is_ok() {
        return not_applicable(ID, "the proxy is not running: the trust is asked of it");
    }
    match curl(c, proxy.port, &[]) {
        Ok((0, _)) => pass(ID, "this machine trusts the project's local CA"),
        Ok((60, _)) => fail(ID, format!("this machine does not trust the project's local CA ({}): browsers warn, and secure cookies fail", ca.display()), "run `caddy-trust` in the dev shell while the proxy runs (it asks for sudo)"),
        Ok((code, _)) => fail(ID, format!("curl could not ask the proxy (curl exit {code})"), "see the `proxy` check"),
        Err(why) => not_applicable(ID, why),
    }
}

/// Each route's upstream port has something listening.
fn routes(c: &Checkout, proxy: &Proxy) -> Check {
    const ID: &str = "proxy-routes";
    let mut ports: Vec<u16> = proxy.routes.iter().map(|r| r.port).collect();
    ports.push(proxy.fallback);
    ports.sort_unstable();
    ports.dedup();
    let down: Vec<u16> = ports
        .into_iter()
        .filter(|port| {
            let addr = SocketAddr::V4(SocketAddrV4::new(c.ip, *port));
            TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_err()
        })
        .collect();
    if down.is_empty() {
        return pass(ID, "every route's upstream answers");
    }
    let mut paths: Vec<String> = Vec::new();
    for port in &down {
        let mut on: Vec<&str> = proxy
            .routes
            .iter()
            .filter(|r| r.port == *port)
            .map(|r| r.path.as_str())
            .collect();
        if proxy.fallback == *port {
            on.push("everything else");
        }
        paths.push(format!("{}:{port} ({})", c.ip, on.join(", ")));
    }
    fail(ID, format!("nothing answers on {}", paths.join("; ")), "start them with `overmind start` (Phoenix and the frontend are Procfile processes); Caddy answers 502 on these routes until then")
}
