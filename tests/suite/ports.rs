//! Ports isolation (`[project] isolation = "ports"`, seed 002's worktree scheme, for
//! machines where loopback aliases cannot be added): every checkout on 127.0.0.1, each git
//! worktree with its own block of ports from the registry, exported by its `.envrc.local`;
//! the committed files — devenv.nix, the Phoenix config, the Procfile, the Caddyfile —
//! agree on every port a worktree moves.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{assert_exit, devgen_cmd, fixture_path, read, require, run_ok};

const SPEC: &str = "[project]\nname = \"shop\"\nisolation = \"ports\"\n\n[toolchain]\nerlang = \"27\"\npostgres = \"17\"\n\n\
[services.nats]\n[services.redis]\n\n[frontend]\npackage_manager = \"bun\"\nhmr = { \"/_build/_hmr/client\" = 3001 }\n\n[proxy]\n";

struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn run(&self, dir: &Path, args: &[&str]) -> std::process::Output {
        devgen_cmd(dir, args)
            .env("DEVGEN_REGISTRY", self.dir.path().join("registry.toml"))
            .output()
            .unwrap()
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        crate::support::git(dir, args)
    }
}

/// The variables a checkout's `.envrc.local` exports (none for the main checkout).
fn exports(dir: &Path) -> BTreeMap<String, String> {
    let Ok(text) = fs::read_to_string(dir.join(".envrc.local")) else {
        return BTreeMap::new();
    };
    let out = run_ok(
        Command::new(require("bash"))
            .args(["-c", "set -a; source ./.envrc.local; env"])
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap()),
    );
    let names: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("export ")?.split('=').next())
        .collect();
    out.lines()
        .filter_map(|l| l.split_once('='))
        .filter(|(k, _)| names.contains(k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn vars(exports: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    exports
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// devenv.nix evaluated in `dir`'s environment.
fn devenv(dir: &Path, exports: &BTreeMap<String, String>) -> serde_json::Value {
    crate::support::eval_devenv(dir, crate::support::FRONT_PKGS, &[], &vars(exports))
}

/// The Procfile's `phoenix` line, expanded by bash the way overmind runs it, up to its port.
fn procfile_postgres_port(dir: &Path, exports: &BTreeMap<String, String>) -> String {
    let procfile = read(dir, "Procfile");
    let line = procfile
        .lines()
        .find_map(|l| l.strip_prefix("phoenix: "))
        .unwrap();
    let word = line
        .split(" -p ")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    run_ok(
        Command::new(require("bash"))
            .args(["-c", &format!("echo {word}")])
            .envs(vars(exports)),
    )
    .trim()
    .to_string()
}

/// Caddy's listen address and upstream addresses for `dir`'s environment.
fn caddy_addresses(dir: &Path, exports: &BTreeMap<String, String>) -> (String, Vec<String>) {
    let out = run_ok(
        Command::new(require("caddy"))
            .args(["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"])
            .current_dir(dir)
            .env("XDG_DATA_HOME", dir.join(".caddy-data"))
            .env("XDG_CONFIG_HOME", dir.join(".caddy-config"))
            .env_remove("DEVGEN_HOST")
            .envs(vars(exports)),
    );
    let config: serde_json::Value = serde_json::from_str(&out).unwrap();
    let listen = config["apps"]["http"]["servers"]["srv0"]["listen"][0]
        .as_str()
        .unwrap()
        .to_string();
    let mut upstreams: Vec<String> = out
        .split("\"dial\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect();
    upstreams.sort();
    upstreams.dedup();
    (listen, upstreams)
}

/// The dev config of `dir` as Elixir's Config.Reader reads it (with a phx.new config.exs).
fn elixir_config(dir: &Path, exports: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let config = crate::support::read_fixture("phoenix/config.exs")
        .replace("__APP__", "shop")
        .replace("__REPO__", "Shop.Repo")
        .replace("__ENDPOINT__", "ShopWeb.Endpoint")
        .replace("__MAILER__", "Shop.Mailer");
    fs::write(dir.join("config/config.exs"), config).unwrap();
    let out = run_ok(
        Command::new(require("elixir"))
            .arg(fixture_path("support/read_config.exs"))
            .args(["dev", "shop", "Shop.Repo", "ShopWeb.Endpoint"])
            .current_dir(dir)
            .env_remove("DEVGEN_HOST")
            .envs(vars(exports)),
    );
    out.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn ports_isolation_gives_each_worktree_its_own_block_and_every_file_agrees() {
    let m = Machine {
        dir: tempfile::tempdir().unwrap(),
    };
    let shop = m.dir.path().join("shop");
    fs::create_dir(&shop).unwrap();
    fs::write(shop.join("devgen.toml"), SPEC).unwrap();
    assert_exit(&m.run(&shop, &["init"]), 0);
    assert!(
        !read(&shop, "devgen.toml").contains("ip ="),
        "ports isolation claims no address"
    );
    m.git(&shop, &["init", "-q", "-b", "main"]);
    m.git(&shop, &["add", "-A"]);
    m.git(&shop, &["commit", "-q", "-m", "environment"]);
    let mut checkouts: Vec<PathBuf> = vec![fs::canonicalize(&shop).unwrap()];
    for name in ["fix-login", "new-cart", "search"] {
        m.git(
            &shop,
            &["worktree", "add", "-q", &format!("../{name}"), "-b", name],
        );
        let wt = fs::canonicalize(m.dir.path().join(name)).unwrap();
        let out = m.run(&wt, &["worktree"]);
        assert_exit(&out, 0);
        checkouts.push(wt);
    }
    let mut phoenix_ports = Vec::new();
    for (i, dir) in checkouts.iter().enumerate() {
        let env = exports(dir);
        let offset = 100 * i as u16;
        let expect = |base: u16| (base + offset).to_string();
        if i > 0 {
            assert_eq!(
                env["DEVGEN_PHOENIX_PORT"],
                expect(4000),
                "{}",
                dir.display()
            );
            assert!(
                !env.contains_key("DEVGEN_IP"),
                "ports isolation moves no address"
            );
        }
        // devenv.nix
        let nix = devenv(dir, &env);
        assert_eq!(nix["services"]["postgres"]["port"], 5432 + offset);
        assert_eq!(nix["services"]["postgres"]["listen_addresses"], "127.0.0.1");
        assert_eq!(nix["services"]["nats"]["port"], 4222 + offset);
        assert_eq!(nix["services"]["nats"]["monitoring"]["port"], 8222 + offset);
        assert_eq!(nix["services"]["redis"]["port"], 6379 + offset);
        assert_eq!(
            nix["env"]["NATS_URL"],
            format!("nats://127.0.0.1:{}", expect(4222))
        );
        assert_eq!(nix["env"]["FRONTEND_HMR_CLIENT_PORT"], expect(3001));
        // the Procfile waits for PostgreSQL on the same port
        assert_eq!(procfile_postgres_port(dir, &env), expect(5432));
        // Caddy listens on its own port and proxies to the checkout's Phoenix and frontend
        let (listen, upstreams) = caddy_addresses(dir, &env);
        assert_eq!(listen, format!("127.0.0.1:{}", expect(8000)));
        assert_eq!(
            upstreams,
            [expect(3000), expect(3001), expect(4000)].map(|p| format!("127.0.0.1:{p}"))
        );
        // the Phoenix config, read by Elixir as Mix reads it
        let config = elixir_config(dir, &env);
        assert_eq!(config["endpoint_port"], expect(4000));
        assert_eq!(
            config["endpoint_url_port"],
            expect(8000),
            "URLs are Caddy's origin"
        );
        assert_eq!(config["repo_port"], expect(5432));
        assert_eq!(config["live_debugger_port"], expect(4007));
        phoenix_ports.push(expect(4000));
    }
    phoenix_ports.dedup();
    assert_eq!(phoenix_ports.len(), 4);
    // doctor in a worktree checks the worktree's ports.
    let wt = &checkouts[1];
    let env = exports(wt);
    let out = devgen_cmd(wt, &["doctor", "--format", "json"])
        .env("DEVGEN_REGISTRY", m.dir.path().join("registry.toml"))
        .envs(vars(&env))
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let summary = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["summary"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(
        summary("port-phoenix").contains("127.0.0.1:4100"),
        "{report:#}"
    );
    assert!(
        summary("port-redis").contains("127.0.0.1:6479"),
        "{report:#}"
    );
    assert!(
        summary("port-proxy").contains("127.0.0.1:8100"),
        "{report:#}"
    );
    // The registry holds them all on 127.0.0.1 without a clash; a second run keeps the block.
    let again = m.run(&checkouts[2], &["worktree"]);
    assert_exit(&again, 0);
    assert_eq!(exports(&checkouts[2])["DEVGEN_PHOENIX_PORT"], "4200");
}
