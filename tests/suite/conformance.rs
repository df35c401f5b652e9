//! Every generated file, accepted by the real program that consumes it: Nix parses and
//! evaluates flake.nix and devenv.nix to the values the spec asks for; shellcheck and
//! `bash -n` accept the scripts, `.envrc` and each Procfile command; Elixir's Config.Reader
//! reads the Phoenix config of a `mix phx.new`-like app with devgen's values winning; tmux
//! loads `.tmux.overmind.conf` and runs its hook.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{
    fixture_path, project_with_spec, read, read_fixture, repo_root, require, run_ok,
    synced_project, SPEC_FIXTURES,
};

/// What each spec fixture must produce, written out by hand from the fixture.
struct Expect {
    fixture: &'static str,
    app: &'static str,
    repo: &'static str,
    endpoint: &'static str,
    host: &'static str,
    ip: &'static str,
    ip_tuple: &'static str,
    phoenix_port: u16,
    live_debugger: Option<u16>,
    postgres_port: u16,
    databases: &'static [&'static str],
    dev_database: &'static str,
    test_database: &'static str,
    elixir: &'static str,
    node: Option<&'static str>,
    postgres: &'static str,
    packages: &'static [&'static str],
    linux_packages: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    log_alerts: bool,
    auto_restart: bool,
    pre_commit_hook: bool,
    /// `Some(ip)`: the machine's shared PostgreSQL at `ip`, none of the project's own.
    shared_postgres: Option<&'static str>,
    /// PostgreSQL extensions, and logical replication.
    extensions: &'static [&'static str],
    logical_replication: bool,
    /// Backing services on: their settings, commands and variables are the services
    /// module's to check (tests/suite/services.rs), with the `pkgs` attributes they use.
    services: Option<&'static [&'static str]>,
    /// `[proxy] port`: Phoenix's URLs use Caddy's HTTPS origin.
    proxy_port: Option<u16>,
    /// `[frontend]`: the Procfile runs its dev server.
    frontend: bool,
}

/// What the fixtures of the seed 001-004 targets share: the defaults of an isolated
/// project on Elixir 1.18, Erlang 27 and PostgreSQL 17; each says what differs.
const SEEDS: Expect = Expect {
    fixture: "",
    app: "",
    repo: "",
    endpoint: "",
    host: "",
    ip: "",
    ip_tuple: "",
    phoenix_port: 4000,
    live_debugger: Some(4007),
    postgres_port: 5432,
    databases: &[],
    dev_database: "",
    test_database: "",
    elixir: "beam.packages.erlang_27.elixir_1_18",
    node: None,
    postgres: "postgresql_17",
    packages: &["overmind", "tmux"],
    linux_packages: &["inotify-tools"],
    env: &[],
    log_alerts: true,
    auto_restart: true,
    pre_commit_hook: false,
    shared_postgres: None,
    extensions: &[],
    logical_replication: false,
    services: None,
    proxy_port: None,
    frontend: false,
};

const EXPECTED: &[Expect] = &[
    Expect {
        fixture: "liberties",
        app: "liberties",
        repo: "Liberties.Repo",
        endpoint: "LibertiesWeb.Endpoint",
        host: "theliberties.test",
        ip: "127.0.0.10",
        ip_tuple: "{127, 0, 0, 10}",
        phoenix_port: 4000,
        live_debugger: Some(4007),
        postgres_port: 5432,
        databases: &["liberties_dev", "liberties_test"],
        dev_database: "liberties_dev",
        test_database: "liberties_test",
        elixir: "beam.packages.erlang_27.elixir_1_18",
        node: Some("nodejs_22"),
        postgres: "postgresql_16",
        packages: &["overmind", "tmux", "flyctl", "chromedriver"],
        linux_packages: &["inotify-tools"],
        env: &[("ERL_AFLAGS", "-kernel shell_history enabled")],
        log_alerts: true,
        auto_restart: true,
        pre_commit_hook: false,
        ..SEEDS
    },
    Expect {
        fixture: "minimal",
        app: "acme",
        repo: "Acme.Repo",
        endpoint: "AcmeWeb.Endpoint",
        host: "acme.test",
        ip: "127.0.0.10",
        ip_tuple: "{127, 0, 0, 10}",
        phoenix_port: 4000,
        live_debugger: Some(4007),
        postgres_port: 5432,
        databases: &["acme_dev", "acme_test"],
        dev_database: "acme_dev",
        test_database: "acme_test",
        elixir: "beamPackages.elixir_1_18",
        node: None,
        postgres: "postgresql_16",
        packages: &["overmind", "tmux"],
        linux_packages: &["inotify-tools"],
        env: &[],
        log_alerts: true,
        auto_restart: true,
        pre_commit_hook: false,
        ..SEEDS
    },
    Expect {
        fixture: "lean",
        app: "shop_api",
        repo: "Acme.Shop.Repo",
        endpoint: "Acme.ShopWeb.Endpoint",
        host: "api.shop.test",
        ip: "127.0.0.30",
        ip_tuple: "{127, 0, 0, 30}",
        phoenix_port: 4100,
        live_debugger: None,
        postgres_port: 5433,
        databases: &["shop_dev", "shop_test", "shop_analytics"],
        dev_database: "shop_dev",
        test_database: "shop_test",
        elixir: "beam.packages.erlang_26.elixir_1_17",
        node: None,
        postgres: "postgresql_15",
        packages: &["overmind", "tmux", "flyctl", "nodePackages.pnpm", "redis"],
        linux_packages: &["inotify-tools"],
        env: &[
            ("ERL_AFLAGS", "-kernel shell_history enabled"),
            ("GREETING", r#"say "hi" to ${USER} \ o/"#),
        ],
        log_alerts: false,
        auto_restart: false,
        pre_commit_hook: true,
        ..SEEDS
    },
    Expect {
        fixture: "shared",
        app: "ledger",
        repo: "Ledger.Repo",
        endpoint: "LedgerWeb.Endpoint",
        host: "ledger.test",
        ip: "127.0.0.40",
        ip_tuple: "{127, 0, 0, 40}",
        phoenix_port: 4000,
        live_debugger: Some(4007),
        postgres_port: 5432,
        databases: &["ledger_dev", "ledger_test"],
        dev_database: "ledger_dev",
        test_database: "ledger_test",
        elixir: "beamPackages.elixir_1_18",
        node: None,
        postgres: "postgresql_17",
        // the client (pg_isready, psql), since there is no service to bring it
        packages: &["overmind", "tmux", "postgresql_17"],
        linux_packages: &["inotify-tools"],
        env: &[],
        log_alerts: false,
        auto_restart: true,
        pre_commit_hook: false,
        shared_postgres: Some("127.0.0.2"),
        ..SEEDS
    },
    Expect {
        fixture: "services",
        app: "haven",
        repo: "Haven.Repo",
        endpoint: "HavenWeb.Endpoint",
        host: "haven.test",
        ip: "127.0.0.50",
        ip_tuple: "{127, 0, 0, 50}",
        databases: &["haven_dev", "haven_test"],
        dev_database: "haven_dev",
        test_database: "haven_test",
        extensions: &["timescaledb", "pgvector"],
        logical_replication: true,
        services: Some(&["pgweb"]),
        ..SEEDS
    },
    Expect {
        fixture: "front",
        app: "streampai",
        repo: "Streampai.Repo",
        endpoint: "StreampaiWeb.Endpoint",
        host: "streampai.test",
        ip: "127.0.0.60",
        ip_tuple: "{127, 0, 0, 60}",
        databases: &["streampai_dev", "streampai_test"],
        dev_database: "streampai_dev",
        test_database: "streampai_test",
        packages: &["overmind", "tmux", "caddy", "bun"],
        logical_replication: true,
        // The frontend's and the proxy's variables and `caddy-trust` are the proxy module's.
        services: Some(&[]),
        proxy_port: Some(8000),
        frontend: true,
        ..SEEDS
    },
    Expect {
        fixture: "container",
        app: "atelier",
        repo: "Atelier.Repo",
        endpoint: "AtelierWeb.Endpoint",
        host: "atelier.test",
        ip: "127.0.0.80",
        ip_tuple: "{127, 0, 0, 80}",
        databases: &["atelier_dev", "atelier_test"],
        dev_database: "atelier_dev",
        test_database: "atelier_test",
        elixir: "beam.packages.erlang_27.elixir_1_17",
        postgres: "postgresql_16",
        packages: &["overmind", "tmux", "bun"],
        logical_replication: true,
        // container-build and container-run, and the frontend's variables, are the
        // container and proxy modules' to check.
        services: Some(&[]),
        frontend: true,
        ..SEEDS
    },
    Expect {
        fixture: "deploy",
        app: "haven",
        repo: "Haven.Repo",
        endpoint: "HavenWeb.Endpoint",
        host: "haven.test",
        ip: "127.0.0.90",
        ip_tuple: "{127, 0, 0, 90}",
        databases: &["haven_dev", "haven_test"],
        dev_database: "haven_dev",
        test_database: "haven_test",
        postgres: "postgresql_16",
        packages: &[
            "overmind",
            "tmux",
            "opentofu",
            "awscli2",
            "nixos-rebuild",
            "flyctl",
        ],
        // tf-deploy and tf-destroy are the deploy module's.
        services: Some(&[]),
        ..SEEDS
    },
];

#[test]
fn expectations_cover_every_fixture() {
    let covered: Vec<_> = EXPECTED.iter().map(|e| e.fixture).collect();
    assert_eq!(covered, SPEC_FIXTURES);
}

fn nix_eval(file: &Path, args: &[(&str, String)]) -> Value {
    nix_eval_with(file, args, &[])
}

/// Evaluate with the worktree override variables set as in `vars` (and otherwise unset).
fn nix_eval_with(file: &Path, args: &[(&str, String)], vars: &[(&str, &str)]) -> Value {
    let mut cmd = Command::new(require("nix-instantiate"));
    cmd.args(["--eval", "--strict", "--json"]).arg(file);
    without_overrides(&mut cmd).envs(vars.iter().copied());
    for (name, expr) in args {
        cmd.args(["--arg", name, expr]);
    }
    serde_json::from_str(&run_ok(&mut cmd)).expect("nix prints JSON")
}

/// The `pkgs` attribute paths a fixture's devenv.nix may use, as a Nix list for the stub.
fn stub_paths(e: &Expect) -> String {
    let mut paths: Vec<&str> = vec![e.elixir, e.postgres];
    paths.extend(e.node);
    paths.extend(e.services.unwrap_or_default());
    paths.extend(e.packages);
    paths.extend(e.linux_packages);
    let quoted: Vec<String> = paths.iter().map(|p| nix_string(p)).collect();
    format!("[ {} ]", quoted.join(" "))
}

/// The `--arg`s of the devenv.nix evaluation stub for a fixture.
fn stub_args(e: &Expect, devenv: &Path, linux: bool) -> Vec<(&'static str, String)> {
    let extensions: Vec<String> = e.extensions.iter().map(|x| nix_string(x)).collect();
    vec![
        ("devenv", devenv.display().to_string()),
        ("paths", stub_paths(e)),
        ("isLinux", linux.to_string()),
        ("extensions", format!("[ {} ]", extensions.join(" "))),
    ]
}

/// What the services module checks (tests/suite/services.rs), out of `got`: the services
/// beside PostgreSQL, their process and commands, and their variables.
fn without_services(mut got: Value, e: &Expect) -> Value {
    if e.services.is_none() {
        return got;
    }
    let top = got.as_object_mut().unwrap();
    top.remove("processes");
    top.remove("scripts");
    if let Some(env) = top.get_mut("env").and_then(Value::as_object_mut) {
        env.retain(|name, _| e.env.iter().any(|(k, _)| k == name));
        if env.is_empty() {
            top.remove("env");
        }
    }
    let services = top["services"].as_object_mut().unwrap();
    services.retain(|name, _| name == "postgres");
    got
}

fn nix_string(s: &str) -> String {
    serde_json::to_string(s).unwrap().replace("${", "\\${")
}

#[test]
fn nix_parses_both_nix_files() {
    for e in EXPECTED {
        let dir = synced_project(e.fixture);
        for file in ["flake.nix", "devenv.nix"] {
            run_ok(
                Command::new(require("nix-instantiate"))
                    .arg("--parse")
                    .arg(dir.path().join(file)),
            );
        }
    }
}

#[test]
fn devenv_nix_evaluates_to_the_spec_values_on_linux_and_darwin() {
    for e in EXPECTED {
        let dir = synced_project(e.fixture);
        for linux in [true, false] {
            let got = nix_eval(
                &fixture_path("support/eval-devenv.nix"),
                &stub_args(e, &dir.path().join("devenv.nix"), linux),
            );
            let got = without_services(got, e);
            let mut packages: Vec<String> = e.packages.iter().map(|p| format!("pkg:{p}")).collect();
            if linux {
                packages.extend(e.linux_packages.iter().map(|p| format!("pkg:{p}")));
            }
            let mut postgres = json!({
                "enable": true,
                "package": format!("pkg:{}", e.postgres),
                "initialDatabases": e.databases.iter().map(|d| json!({ "name": d })).collect::<Vec<_>>(),
                "listen_addresses": e.ip,
                "port": e.postgres_port,
            });
            if e.log_alerts {
                postgres["settings"] = json!({
                    "logging_collector": "on",
                    "log_directory": "log",
                    "log_filename": "postgresql.log",
                    "log_truncate_on_rotation": "off",
                });
            }
            if !e.extensions.is_empty() {
                postgres["extensions"] = e.extensions.iter().map(|x| format!("ext:{x}")).collect();
            }
            if e.extensions.contains(&"timescaledb") {
                postgres["settings"]["shared_preload_libraries"] = json!("timescaledb");
            }
            if e.logical_replication {
                postgres["settings"]["wal_level"] = json!("logical");
                postgres["settings"]["max_replication_slots"] = json!(10);
                postgres["settings"]["max_wal_senders"] = json!(10);
            }
            let mut want = json!({
                "languages": { "elixir": { "enable": true, "package": format!("pkg:{}", e.elixir) } },
                "services": { "postgres": postgres },
                "packages": packages,
            });
            if e.shared_postgres.is_some() {
                want.as_object_mut().unwrap().remove("services");
            }
            if let Some(node) = e.node {
                want["languages"]["javascript"] =
                    json!({ "enable": true, "package": format!("pkg:{node}") });
            }
            if e.pre_commit_hook {
                want["git-hooks"] = json!({ "hooks": { "devgen-diff": { "enable": true, "entry": "devgen diff", "pass_filenames": false } } });
            }
            if !e.env.is_empty() {
                want["env"] = e
                    .env
                    .iter()
                    .map(|(k, v)| (k.to_string(), json!(v)))
                    .collect::<serde_json::Map<_, _>>()
                    .into();
            }
            assert_eq!(got, want, "{} (linux: {linux})", e.fixture);
        }
    }
}

/// devenv option names from devenv's reference as devgen embeds it, with `<name>` standing
/// for any attribute: an oracle independent of devgen's checker, read from the table itself.
fn devenv_options() -> Vec<Vec<String>> {
    std::fs::read_to_string(repo_root().join("src/devenv/options.tsv"))
        .expect("the embedded options table")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split('\t').next())
        .map(|name| name.split('.').map(str::to_string).collect())
        .collect()
}

fn is_option(options: &[Vec<String>], path: &[String]) -> bool {
    options
        .iter()
        .any(|o| o.len() == path.len() && o.iter().zip(path).all(|(a, b)| a == b || a == "<name>"))
}

/// Every leaf the evaluated devenv.nix sets must sit at or below a documented option.
fn unknown_options(
    options: &[Vec<String>],
    value: &Value,
    path: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    if !path.is_empty() && is_option(options, path) {
        return;
    }
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                path.push(k.clone());
                unknown_options(options, v, path, out);
                path.pop();
            }
        }
        _ => out.push(path.join(".")),
    }
}

#[test]
fn devenv_nix_sets_only_documented_devenv_options() {
    let options = devenv_options();
    assert!(options.len() > 1000, "the reference lists devenv's options");
    assert!(!is_option(
        &options,
        &["languages".into(), "elixir".into(), "nope".into()]
    ));
    for e in EXPECTED {
        let dir = synced_project(e.fixture);
        let got = nix_eval(
            &fixture_path("support/eval-devenv.nix"),
            &stub_args(e, &dir.path().join("devenv.nix"), true),
        );
        let mut unknown = Vec::new();
        unknown_options(&options, &got, &mut Vec::new(), &mut unknown);
        assert!(
            unknown.is_empty(),
            "{}: not devenv options: {unknown:?}",
            e.fixture
        );
    }
}

#[test]
fn flake_outputs_give_every_system_a_dev_shell_that_imports_devenv_nix() {
    for e in EXPECTED {
        let dir = synced_project(e.fixture);
        let got = nix_eval(
            &fixture_path("support/eval-flake.nix"),
            &[("flake", dir.path().join("flake.nix").display().to_string())],
        );
        assert_eq!(
            got["inputs"],
            json!({ "nixpkgs": "github:cachix/devenv-nixpkgs/rolling", "devenv": "github:cachix/devenv" })
        );
        assert_eq!(
            got["nixConfig"]["extra-substituters"],
            "https://devenv.cachix.org"
        );
        let systems = [
            "aarch64-darwin",
            "aarch64-linux",
            "x86_64-darwin",
            "x86_64-linux",
        ];
        let shells = got["devShells"].as_object().unwrap();
        assert_eq!(shells.keys().collect::<Vec<_>>(), systems);
        for system in systems {
            let shell = &shells[system];
            assert_eq!(shell["modules"], json!(["devenv.nix"]), "{system}");
            assert_eq!(shell["pkgsSystem"], system, "pkgs must be the system's own");
            assert!(shell["inputNames"]
                .as_array()
                .unwrap()
                .contains(&json!("devenv")));
        }
        assert!(got["description"]
            .as_str()
            .unwrap()
            .contains(e.repo.trim_end_matches(".Repo")));
    }
}

/// The Procfile's commands, one per process, without the names.
fn procfile_commands(procfile: &str) -> BTreeMap<String, String> {
    procfile
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, cmd) = l.split_once(": ").expect("name: command");
            (name.to_string(), cmd.to_string())
        })
        .collect()
}

#[test]
fn shellcheck_and_bash_accept_every_shell_file_and_procfile_command() {
    let shellcheck = require("shellcheck");
    let bash = require("bash");
    for e in EXPECTED {
        let dir = synced_project(e.fixture);
        let mut scripts = vec![dir.path().join(".envrc")];
        // The restart script only comes with overmind's auto restart.
        let restart = dir.path().join("scripts/restart-phoenix");
        assert_eq!(restart.exists(), e.auto_restart, "{}", e.fixture);
        if e.auto_restart {
            scripts.push(restart);
        }
        let procs = procfile_commands(&read(dir.path(), "Procfile"));
        let mut names: Vec<_> = procs.keys().cloned().collect();
        names.sort();
        // a shared PostgreSQL runs elsewhere: no `devenv up` for a service of the project's own
        let mut want = vec!["phoenix"];
        if e.shared_postgres.is_none() {
            want.push("devenv");
        }
        if e.log_alerts {
            want.push("postgres-alerts");
        }
        if e.frontend {
            want.push("frontend");
        }
        if e.proxy_port.is_some() {
            want.push("proxy");
        }
        want.sort();
        assert_eq!(names, want, "{}: Procfile processes", e.fixture);
        let waits_for = match e.shared_postgres {
            Some(ip) => format!("pg_isready -q -h {ip} -p {}", e.postgres_port),
            None => format!(
                "pg_isready -q -h \"${{DEVGEN_IP:-{}}}\" -p {}",
                e.ip, e.postgres_port
            ),
        };
        assert!(
            procs["phoenix"].contains(&waits_for),
            "{}",
            procs["phoenix"]
        );
        for (name, cmd) in &procs {
            // overmind runs each command as a bash script
            let path = dir.path().join(format!("procfile-{name}.sh"));
            std::fs::write(&path, format!("#!/usr/bin/env bash\n{cmd}\n")).unwrap();
            scripts.push(path);
        }
        for script in &scripts {
            run_ok(
                Command::new(&shellcheck)
                    .args(["--shell=bash", "--severity=style"])
                    .arg(script),
            );
            run_ok(Command::new(&bash).arg("-n").arg(script));
        }
        let envrc = read(dir.path(), ".envrc");
        assert!(envrc.contains("use flake . --impure"));
        assert_eq!(
            envrc.contains("export OVERMIND_AUTO_RESTART=phoenix"),
            e.auto_restart,
            "{}",
            e.fixture
        );
    }
}

/// Lay out a `mix phx.new`-like app's config, then let devgen add to it.
fn phoenix_app(e: &Expect) -> tempfile::TempDir {
    let dir = project_with_spec(&read_fixture(&format!("specs/{}.toml", e.fixture)));
    std::fs::create_dir(dir.path().join("config")).unwrap();
    for file in ["config.exs", "dev.exs", "test.exs"] {
        let text = read_fixture(&format!("phoenix/{file}"))
            .replace("__APP__", e.app)
            .replace("__REPO__", e.repo)
            .replace("__ENDPOINT__", e.endpoint)
            .replace("__MAILER__", &e.repo.replace(".Repo", ".Mailer"));
        std::fs::write(dir.path().join("config").join(file), text).unwrap();
    }
    let out = crate::support::devgen(dir.path(), &["sync"]);
    crate::support::assert_exit(&out, 0);
    dir
}

/// The environment a plain checkout has: no worktree overrides.
fn without_overrides(cmd: &mut Command) -> &mut Command {
    cmd.env_remove("DEVGEN_IP").env_remove("DEVGEN_HOST")
}

fn read_config(dir: &Path, env: &str, e: &Expect) -> BTreeMap<String, String> {
    read_config_with(dir, env, e, &[])
}

fn elixir_config_command(dir: &Path, env: &str, e: &Expect, vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(require("elixir"));
    cmd.arg(fixture_path("support/read_config.exs"))
        .args([env, e.app, e.repo, e.endpoint])
        .current_dir(dir)
        .env_remove("MIX_TEST_PARTITION");
    without_overrides(&mut cmd).envs(vars.iter().copied());
    cmd
}

fn read_config_with(
    dir: &Path,
    env: &str,
    e: &Expect,
    vars: &[(&str, &str)],
) -> BTreeMap<String, String> {
    let out = run_ok(&mut elixir_config_command(dir, env, e, vars));
    out.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn elixir_reads_dev_and_test_config_with_devgen_values_over_phoenix_defaults() {
    for e in EXPECTED {
        let dir = phoenix_app(e);
        let q = |s: &str| format!("{s:?}");
        let dev = read_config(dir.path(), "dev", e);
        assert_eq!(dev["endpoint_ip"], e.ip_tuple, "{}", e.fixture);
        assert_eq!(dev["endpoint_port"], e.phoenix_port.to_string());
        assert_eq!(dev["endpoint_url_host"], q(e.host));
        match e.proxy_port {
            // Behind Caddy: Phoenix's URLs are the HTTPS origin, its cookie HTTPS-only.
            Some(port) => {
                assert_eq!(dev["endpoint_url_port"], port.to_string());
                assert_eq!(dev["endpoint_url_scheme"], q("https"));
                assert_eq!(
                    dev["endpoint_session_options"],
                    "[same_site: \"None\", secure: true]"
                );
            }
            None => {
                assert_eq!(dev["endpoint_url_port"], e.phoenix_port.to_string());
                assert_eq!(dev["endpoint_url_scheme"], "nil");
            }
        }
        let mut origins = vec![q(&format!("//{}", e.host))];
        if let Some(port) = e.proxy_port {
            origins.insert(0, q(&format!("https://{}:{port}", e.host)));
        }
        assert_eq!(
            dev["endpoint_check_origin"],
            format!("[{}]", origins.join(", "))
        );
        let dev_db_host = match e.shared_postgres {
            Some(ip) => ip.to_string(),
            None => format!("postgres.{}", e.host),
        };
        assert_eq!(dev["repo_hostname"], q(&dev_db_host));
        assert_eq!(dev["repo_port"], e.postgres_port.to_string());
        assert_eq!(dev["repo_database"], q(e.dev_database));
        // the app's own settings survive
        assert_eq!(dev["repo_pool_size"], "10");
        assert_eq!(dev["endpoint_code_reloader"], "true");
        match e.live_debugger {
            Some(port) => {
                assert_eq!(dev["live_debugger_ip"], e.ip_tuple);
                assert_eq!(dev["live_debugger_port"], port.to_string());
                assert_eq!(
                    dev["live_debugger_external_url"],
                    q(&format!("http://{}:{port}", e.host))
                );
            }
            None => assert_eq!(dev["live_debugger_port"], "nil"),
        }
        if e.fixture == "services" {
            // Mailpit on: mail goes to it over SMTP; MinIO on: ExAws's S3 is MinIO.
            assert_eq!(dev["mailer_adapter"], "Swoosh.Adapters.SMTP");
            assert_eq!(dev["mailer_relay"], q(e.ip));
            assert_eq!(dev["mailer_port"], "1025");
            assert_eq!(dev["ex_aws_access_key_id"], q("minioadmin"));
            assert_eq!(dev["ex_aws_s3_host"], q(e.ip));
            assert_eq!(dev["ex_aws_s3_port"], "9000");
        } else {
            assert_eq!(dev["mailer_adapter"], "Swoosh.Adapters.Local");
            assert_eq!(dev["ex_aws_s3_host"], "nil");
        }

        let test = read_config(dir.path(), "test", e);
        assert_eq!(
            test["repo_hostname"],
            q(e.shared_postgres.unwrap_or(e.ip)),
            "tests use the direct IP"
        );
        assert_eq!(test["repo_port"], e.postgres_port.to_string());
        assert_eq!(test["repo_database"], q(e.test_database));
        assert_eq!(test["endpoint_ip"], e.ip_tuple);
        assert_eq!(
            test["endpoint_port"], "4002",
            "the app's test port survives"
        );
    }
}

/// A git worktree's `.envrc.local` exports DEVGEN_IP and DEVGEN_HOST; the committed files,
/// the same in every checkout, then put PostgreSQL and Phoenix on the worktree's address.
#[test]
fn a_worktree_override_moves_postgres_and_phoenix_to_the_worktrees_address() {
    let e = &EXPECTED[0];
    let dir = phoenix_app(e);
    let vars = [
        ("DEVGEN_IP", "127.0.0.11"),
        ("DEVGEN_HOST", "fix-login.theliberties.test"),
    ];

    let paths_expr = stub_paths(e);
    let args = [
        (
            "devenv",
            dir.path().join("devenv.nix").display().to_string(),
        ),
        ("paths", paths_expr),
        ("isLinux", "true".to_string()),
    ];
    let eval = |vars: &[(&str, &str)]| {
        nix_eval_with(&fixture_path("support/eval-devenv.nix"), &args, vars)["services"]["postgres"]
            ["listen_addresses"]
            .clone()
    };
    assert_eq!(eval(&vars), json!("127.0.0.11"), "Nix reads the override");
    assert_eq!(eval(&[]), json!(e.ip), "and the spec's IP without it");

    let q = |s: &str| format!("{s:?}");
    let dev = read_config_with(dir.path(), "dev", e, &vars);
    assert_eq!(dev["endpoint_ip"], "{127, 0, 0, 11}");
    assert_eq!(dev["endpoint_url_host"], q("fix-login.theliberties.test"));
    assert_eq!(
        dev["repo_hostname"],
        q("postgres.fix-login.theliberties.test")
    );
    assert_eq!(dev["live_debugger_ip"], "{127, 0, 0, 11}");
    assert_eq!(dev["repo_port"], e.postgres_port.to_string(), "ports stay");
    let test = read_config_with(dir.path(), "test", e, &vars);
    assert_eq!(test["repo_hostname"], q("127.0.0.11"));
    assert_eq!(test["endpoint_ip"], "{127, 0, 0, 11}");

    // a broken override is an error that says where to fix it, not a match error
    let out = elixir_config_command(dir.path(), "dev", e, &[("DEVGEN_IP", "localhost")])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("DEVGEN_IP=localhost is not an IPv4 address; fix .envrc.local"),
        "{err}"
    );
}

/// Teams run `mix format --check-formatted` in CI: devgen's Elixir must already be formatted.
#[test]
fn generated_elixir_is_as_mix_format_writes_it() {
    let check = "for f <- System.argv() do
      s = File.read!(f)
      formatted = IO.iodata_to_binary([Code.format_string!(s), ?\\n])
      if formatted != s, do: IO.puts(\"#{f} is not formatted; mix format writes:\\n#{formatted}\")
    end";
    for e in EXPECTED {
        // devgen's own config files, and its line added to phx.new's (whose last
        // expression spans several lines: the formatter wants a blank line after it).
        for (dir, kind) in [
            (synced_project(e.fixture), "new"),
            (phoenix_app(e), "phx.new"),
        ] {
            let mut files = vec![
                "config/devgen.exs".to_string(),
                "config/devgen_test.exs".to_string(),
                "config/dev.exs".to_string(),
                "config/test.exs".to_string(),
            ];
            // The container's release module and SPA controller.
            for source in [
                format!("lib/{}/release.ex", e.app),
                format!("lib/{}_web/controllers/spa_controller.ex", e.app),
            ] {
                if dir.path().join(&source).exists() {
                    files.push(source);
                }
            }
            let out = run_ok(
                Command::new(require("elixir"))
                    .args(["-e", check])
                    .args(&files)
                    .current_dir(dir.path()),
            );
            assert!(out.is_empty(), "{} ({kind}): {out}", e.fixture);
        }
    }
}

#[test]
fn elixir_reads_config_devgen_creates_from_nothing() {
    let e = &EXPECTED[1];
    let dir = synced_project(e.fixture);
    // devgen created dev.exs and test.exs; a config.exs is all the app adds
    let config = read_fixture("phoenix/config.exs")
        .replace("__APP__", e.app)
        .replace("__REPO__", e.repo)
        .replace("__ENDPOINT__", e.endpoint)
        .replace("__MAILER__", &e.repo.replace(".Repo", ".Mailer"));
    std::fs::write(dir.path().join("config/config.exs"), config).unwrap();
    let dev = read_config(dir.path(), "dev", e);
    assert_eq!(dev["endpoint_ip"], e.ip_tuple);
    assert_eq!(dev["repo_database"], format!("{:?}", e.dev_database));
}

#[test]
fn tmux_loads_the_overmind_config_and_its_hook_silences_the_devenv_window() {
    let tmux = require("tmux");
    let dir = synced_project("minimal");
    let tmpdir = tempfile::tempdir().unwrap();
    let socket = "devgen-conf-test";
    let t = |args: &[&str]| {
        run_ok(
            Command::new(&tmux)
                .env("TMUX_TMPDIR", tmpdir.path())
                .env_remove("TMUX")
                .arg("-L")
                .arg(socket)
                .args(args),
        )
    };
    let conf = dir.path().join(".tmux.overmind.conf");
    let _server = crate::restart_phoenix::TmuxServer {
        tmux: tmux.clone(),
        tmpdir: tmpdir.path().to_path_buf(),
        socket: socket.into(),
    };
    // as overmind does: the first window is devenv, created with the config
    t(&[
        "-f",
        conf.to_str().unwrap(),
        "new-session",
        "-d",
        "-s",
        "acme",
        "-n",
        "devenv",
        "sleep 60",
    ]);
    t(&["set-window-option", "-g", "monitor-activity", "on"]);
    t(&["new-window", "-t", "acme", "-n", "phoenix", "sleep 60"]);
    assert!(t(&["show-hooks", "-g"]).contains("client-attached"));
    // a control-mode client attaching, as overmind's does, fires client-attached
    let attach = Command::new(&tmux)
        .env("TMUX_TMPDIR", tmpdir.path())
        .env_remove("TMUX")
        .args(["-L", socket, "-C", "attach", "-t", "acme"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut waited = 0;
    loop {
        let devenv = t(&[
            "display-message",
            "-p",
            "-t",
            "acme:devenv",
            "#{monitor-activity}",
        ]);
        if devenv.trim() == "0" || waited > 50 {
            assert_eq!(
                devenv.trim(),
                "0",
                "the hook turned monitor-activity off in the devenv window"
            );
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    }
    let phoenix = t(&[
        "display-message",
        "-p",
        "-t",
        "acme:phoenix",
        "#{monitor-activity}",
    ]);
    assert_eq!(phoenix.trim(), "1", "other windows keep the user's setting");
    drop(attach);
}

/// `devgen shared --write DIR`: the shared PostgreSQL's own environment, from the projects
/// that use it, evaluated by real Nix and checked against devenv's options.
#[test]
fn the_shared_postgres_environment_serves_the_shared_projects_databases() {
    let project = synced_project("shared");
    let out_dir = tempfile::tempdir().unwrap();
    let out = crate::support::devgen(
        project.path(),
        &[
            "shared",
            "--postgres",
            "17",
            "--write",
            out_dir.path().to_str().unwrap(),
        ],
    );
    crate::support::assert_exit(&out, 0);
    for file in ["flake.nix", "devenv.nix"] {
        run_ok(
            Command::new(require("nix-instantiate"))
                .arg("--parse")
                .arg(out_dir.path().join(file)),
        );
    }
    let got = nix_eval(
        &fixture_path("support/eval-devenv.nix"),
        &[
            (
                "devenv",
                out_dir.path().join("devenv.nix").display().to_string(),
            ),
            ("paths", "[ \"postgresql_17\" ]".into()),
            ("isLinux", "true".into()),
        ],
    );
    assert_eq!(
        got,
        json!({ "services": { "postgres": {
            "enable": true,
            "package": "pkg:postgresql_17",
            "listen_addresses": "127.0.0.2",
            "port": 5432,
            "initialDatabases": [{ "name": "ledger_dev" }, { "name": "ledger_test" }],
        } } })
    );
    let mut unknown = Vec::new();
    unknown_options(&devenv_options(), &got, &mut Vec::new(), &mut unknown);
    assert!(unknown.is_empty(), "not devenv options: {unknown:?}");
    let flake = nix_eval(
        &fixture_path("support/eval-flake.nix"),
        &[(
            "flake",
            out_dir.path().join("flake.nix").display().to_string(),
        )],
    );
    for system in [
        "aarch64-darwin",
        "aarch64-linux",
        "x86_64-darwin",
        "x86_64-linux",
    ] {
        assert_eq!(
            flake["devShells"][system]["modules"],
            json!(["devenv.nix"]),
            "{flake}"
        );
    }
}
