//! The HTTPS front door (`[proxy]`, `[frontend]`): every generated Caddyfile is what Caddy
//! itself accepts, and a real Caddy started from one, in front of stand-ins for Phoenix, the
//! frontend and an HMR websocket, serves every route of https://<host>:<port> over HTTP/2
//! with a certificate of the project's own local CA.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{
    assert_exit, devgen, fixture_path, project_with_spec, read, require, run_ok, serve,
    synced_project, Server,
};

/// `caddy ARGS` in `dir`, its data and config homes inside it, as the test's own.
fn caddy(dir: &Path) -> Command {
    let mut cmd = Command::new(require("caddy"));
    cmd.current_dir(dir)
        .env("XDG_DATA_HOME", dir.join(".caddy-data"))
        .env("XDG_CONFIG_HOME", dir.join(".caddy-config"))
        .env_remove("DEVGEN_IP")
        .env_remove("DEVGEN_HOST");
    cmd
}

fn validate(dir: &Path) -> Output {
    caddy(dir)
        .args([
            "validate",
            "--config",
            "Caddyfile",
            "--adapter",
            "caddyfile",
        ])
        .output()
        .unwrap()
}

#[test]
fn caddy_accepts_every_generated_caddyfile_and_rejects_a_broken_one() {
    let with_frontend = synced_project("front");
    let phoenix_only = project_with_spec(
        "[project]\nname = \"api\"\nip = \"127.0.0.66\"\n\n[proxy]\nport = 8443\n",
    );
    assert_exit(&devgen(phoenix_only.path(), &["sync"]), 0);
    for dir in [with_frontend.path(), phoenix_only.path()] {
        let out = validate(dir);
        assert!(out.status.success(), "{out:?}");
    }
    // Without a frontend, everything else goes to Phoenix.
    let caddyfile = read(phoenix_only.path(), "Caddyfile");
    assert!(
        caddyfile.contains("\thandle {\n\t\treverse_proxy {$DEVGEN_IP:127.0.0.66}:4000\n\t}\n"),
        "{caddyfile}"
    );
    let broken = read(with_frontend.path(), "Caddyfile").replacen("\thandle {", "\thandle {{", 1);
    std::fs::write(with_frontend.path().join("Caddyfile"), broken).unwrap();
    assert!(!validate(with_frontend.path()).status.success());
}

/// A stand-in HTTP server answering "NAME <path>", on `ip:port`.
fn http_standin(dir: &Path, name: &str, ip: &str, port: u16) -> Server {
    serve(
        Command::new(require("python3"))
            .arg(fixture_path("support/standins.py"))
            .args(["http", name, ip, &port.to_string()])
            .current_dir(dir),
        &format!("{ip}:{port}"),
    )
}

/// `GET path` through Caddy: (HTTP version, body), the certificate checked against `ca`.
fn get(host: &str, ip: &str, port: u16, path: &str, ca: &Path) -> (String, String) {
    let out = run_ok(
        Command::new(require("curl"))
            .args(["-sS", "--http2", "--cacert"])
            .arg(ca)
            .args([
                "--resolve",
                &format!("{host}:{port}:{ip}"),
                "-w",
                "\n%{http_version}",
                &format!("https://{host}:{port}{path}"),
            ]),
    );
    let (body, version) = out.rsplit_once('\n').unwrap();
    (version.to_string(), body.to_string())
}

#[test]
fn a_real_caddy_serves_every_route_over_http2_websockets_included() {
    let dir = synced_project("front");
    let d = dir.path();
    let (ip, host) = ("127.0.0.60", "streampai.test");
    let _phoenix = http_standin(d, "phoenix", ip, 4000);
    let _frontend = http_standin(d, "frontend", ip, 3000);
    let _hmr = serve(
        Command::new(require("python3"))
            .arg(fixture_path("support/standins.py"))
            .args(["ws", ip, "3001"]),
        &format!("{ip}:3001"),
    );
    // The Procfile's proxy process, as overmind runs it.
    let procfile = read(d, "Procfile");
    let proxy = procfile
        .lines()
        .find_map(|l| l.strip_prefix("proxy: "))
        .expect("a proxy process");
    let _caddy = serve(
        Command::new(require("bash"))
            .args(["-c", proxy])
            .current_dir(d)
            .env("PATH", std::env::var("PATH").unwrap())
            .env("XDG_DATA_HOME", d.join(".caddy-data"))
            .env("XDG_CONFIG_HOME", d.join(".caddy-config"))
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST"),
        &format!("{ip}:8000"),
    );
    // The project's own local CA, in the project's own storage.
    let ca = d.join(".devenv/state/caddy/pki/authorities/local/root.crt");
    for (path, want) in [
        ("/api/x", "phoenix /api/x"),
        ("/live/websocket", "phoenix /live/websocket"),
        ("/electric/v1/shape", "phoenix /electric/v1/shape"),
        ("/", "frontend /"),
        ("/about", "frontend /about"),
    ] {
        let (version, body) = get(host, ip, 8000, path, &ca);
        assert_eq!(version, "2", "{path} over HTTP/2");
        assert_eq!(body, want);
    }
    let echoed = run_ok(
        Command::new(require("python3"))
            .arg(fixture_path("support/standins.py"))
            .args([
                "ws-client",
                &format!("wss://{host}:8000/_build/_hmr/client"),
                ip,
            ])
            .arg(&ca)
            .arg("hot update"),
    );
    assert_eq!(echoed.trim(), "hot update");
    // No server on port 80 for redirects.
    let adapted =
        run_ok(caddy(d).args(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"]));
    let config: serde_json::Value = serde_json::from_str(&adapted).unwrap();
    let servers = config["apps"]["http"]["servers"].as_object().unwrap();
    assert_eq!(servers.len(), 1, "{adapted}");
    let server = servers.values().next().unwrap();
    assert_eq!(server["listen"], serde_json::json!([format!("{ip}:8000")]));
    assert_eq!(server["automatic_https"]["disable_redirects"], true);
    // Caddy's admin endpoint answers on the project's own address, not localhost:2019.
    assert_eq!(config["admin"]["listen"], format!("{ip}:2019"));
    assert!(std::net::TcpStream::connect((ip, 2019)).is_ok());
}

/// devenv.nix of the front fixture, evaluated with `vars` set.
fn evaluate(dir: &Path, vars: &[(&str, &str)]) -> serde_json::Value {
    crate::support::eval_devenv(dir, crate::support::FRONT_PKGS, &[], vars)
}

#[test]
fn a_worktree_moves_the_proxy_and_the_origin_the_frontend_is_told() {
    let dir = synced_project("front");
    let d = dir.path();
    let main = evaluate(d, &[]);
    assert_eq!(main["env"]["API_ORIGIN"], "https://streampai.test:8000");
    assert_eq!(main["env"]["FRONTEND_HMR_SERVER_FUNCTION_PORT"], "3003");
    let worktree = [
        ("DEVGEN_IP", "127.0.0.61"),
        ("DEVGEN_HOST", "fix.streampai.test"),
    ];
    let moved = evaluate(d, &worktree);
    assert_eq!(
        moved["env"]["API_ORIGIN"],
        "https://fix.streampai.test:8000"
    );
    // Caddy reads the same overrides from the environment the Procfile runs in.
    let adapted = run_ok(
        caddy(d)
            .args(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"])
            .envs(worktree),
    );
    let config: serde_json::Value = serde_json::from_str(&adapted).unwrap();
    let server = &config["apps"]["http"]["servers"]["srv0"];
    assert_eq!(server["listen"], serde_json::json!(["127.0.0.61:8000"]));
    assert!(adapted.contains("\"fix.streampai.test\""), "{adapted}");
    assert!(adapted.contains("\"127.0.0.61:4000\""), "{adapted}");
    // The trust command is a script shellcheck accepts.
    let trust = main["scripts"]["caddy-trust"]["exec"].as_str().unwrap();
    let file = d.join("caddy-trust.sh");
    std::fs::write(&file, format!("#!/usr/bin/env bash\n{trust}\n")).unwrap();
    run_ok(Command::new(require("shellcheck")).arg(&file));
}

#[test]
fn a_frontend_without_a_proxy_runs_on_the_project_ip_and_bun_needs_no_node() {
    let dir = project_with_spec(
        "[project]\nname = \"spa\"\nip = \"127.0.0.67\"\n\n[frontend]\npackage_manager = \"bun\"\n",
    );
    let d = dir.path();
    assert_exit(&devgen(d, &["sync"]), 0);
    assert!(!d.join("Caddyfile").exists());
    let procfile = read(d, "Procfile");
    assert!(
        procfile.contains("frontend: cd 'frontend' && export HOST=\"${DEVGEN_IP:-127.0.0.67}\" PORT=3000 && bun run dev\n"),
        "{procfile}"
    );
    assert!(read(d, ".env").contains("FRONTEND_PORT=3000\n"));
    // npm runs on Node.js: without [toolchain] node, the spec says how to fix it.
    let npm = project_with_spec("[project]\nname = \"spa\"\n\n[frontend]\ndir = \"web\"\n");
    let out = devgen(npm.path(), &["diff"]);
    assert_exit(&out, 2);
    let err = crate::support::stderr(&out);
    assert!(
        err.contains("the frontend's npm needs Node.js")
            && err.contains("add node = \"22\" under [toolchain]"),
        "{err}"
    );
}

/// Start the Procfile's proxy process of `d` as overmind would, waiting for `addr`.
fn start_proxy(d: &Path, addr: &str) -> Server {
    let procfile = read(d, "Procfile");
    let proxy = procfile
        .lines()
        .find_map(|l| l.strip_prefix("proxy: "))
        .expect("a proxy process");
    serve(
        Command::new(require("bash"))
            .args(["-c", proxy])
            .current_dir(d)
            .env("XDG_DATA_HOME", d.join(".caddy-data"))
            .env("XDG_CONFIG_HOME", d.join(".caddy-config"))
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST"),
        addr,
    )
}

#[test]
fn two_projects_proxies_run_side_by_side_sharing_nothing() {
    let registry = tempfile::tempdir().unwrap();
    let registry = registry.path().join("registry.toml");
    let mut projects = Vec::new();
    for (name, ip) in [("north", "127.0.0.68"), ("south", "127.0.0.69")] {
        let dir = project_with_spec(&format!(
            "[project]\nname = \"{name}\"\nip = \"{ip}\"\n\n[proxy]\n"
        ));
        assert_exit(
            &crate::support::devgen_on(&registry, dir.path(), &["init"]),
            0,
        );
        projects.push((dir, name, ip));
    }
    let mut running = Vec::new();
    for (dir, name, ip) in &projects {
        running.push(http_standin(dir.path(), name, ip, 4000));
        running.push(start_proxy(dir.path(), &format!("{ip}:8000")));
    }
    for (dir, name, ip) in &projects {
        let d = dir.path();
        let ca = d.join(".devenv/state/caddy/pki/authorities/local/root.crt");
        let (version, body) = get(&format!("{name}.test"), ip, 8000, "/", &ca);
        assert_eq!(
            (version.as_str(), body.as_str()),
            ("2", format!("{name} /").as_str())
        );
        assert!(
            std::net::TcpStream::connect((*ip, 2019)).is_ok(),
            "{name}'s own admin endpoint"
        );
    }
    // Each project's CA is its own: north's does not vouch for south.
    let north_ca = projects[0]
        .0
        .path()
        .join(".devenv/state/caddy/pki/authorities/local/root.crt");
    let out = Command::new(require("curl"))
        .args(["-sS", "--cacert"])
        .arg(&north_ca)
        .args([
            "--resolve",
            "south.test:8000:127.0.0.69",
            "https://south.test:8000/",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(60), "{out:?}");
}

#[test]
fn port_443_is_checked_by_doctor_and_net_says_how_to_allow_it() {
    let registry = tempfile::tempdir().unwrap();
    let registry = registry.path().join("registry.toml");
    let dir = project_with_spec(
        "[project]\nname = \"tls\"\nip = \"127.0.0.71\"\n\n[proxy]\nport = 443\n",
    );
    let d = dir.path();
    assert_exit(&crate::support::devgen_on(&registry, d, &["init"]), 0);
    let out = crate::support::devgen_on(&registry, d, &["net", "--platform", "linux"]);
    assert_exit(&out, 0);
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("#   sudo sysctl -w net.ipv4.ip_unprivileged_port_start=443\n"),
        "{printed}"
    );
    let out = crate::support::devgen_on(&registry, d, &["doctor", "--format", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let check = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "proxy-privileged-port")
        .expect("a check of the privileged port")
        .clone();
    let start: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    if start <= 443 {
        assert_eq!(check["status"], "pass", "{check:#}");
    } else {
        assert_eq!(check["status"], "fail", "{check:#}");
        assert!(check["fix"]
            .as_str()
            .unwrap()
            .contains("ip_unprivileged_port_start=443"));
    }
}
