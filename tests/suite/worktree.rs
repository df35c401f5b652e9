//! `devgen worktree` in real git worktrees: each gets an address of its project's block and
//! a host of its own, registered and exported from an untracked `.envrc.local` that real
//! Nix then reads through the committed devenv.nix; the committed files stay untouched.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::net::Dnsmasq;
use crate::support::{
    assert_exit, devgen_cmd, fixture_path, read, require, run_ok, stderr, stdout,
};

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A project `shop`, committed to git and registered (with `blog` before it, so that
    /// shop's block is .20).
    fn new() -> Repo {
        let r = Repo {
            dir: tempfile::tempdir().unwrap(),
        };
        assert_exit(&r.devgen(&r.path("blog"), &["init"]), 0);
        let shop = r.path("shop");
        assert_exit(&r.devgen(&shop, &["init"]), 0);
        r.git(&shop, &["init", "-q", "-b", "main"]);
        r.git(&shop, &["add", "-A"]);
        r.git(&shop, &["commit", "-q", "-m", "environment from devgen"]);
        r
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("registry.toml")
    }

    fn devgen(&self, dir: &Path, args: &[&str]) -> Output {
        devgen_cmd(dir, args)
            .env("DEVGEN_REGISTRY", self.registry())
            .output()
            .unwrap()
    }

    fn git(&self, dir: &Path, args: &[&str]) -> String {
        crate::support::git(dir, args)
    }

    /// `git worktree add ../NAME -b NAME` in shop.
    fn add_worktree(&self, name: &str) -> PathBuf {
        self.git(
            &self.path("shop"),
            &["worktree", "add", "-q", &format!("../{name}"), "-b", name],
        );
        fs::canonicalize(self.path(name)).unwrap()
    }

    fn entries(&self) -> Vec<serde_json::Value> {
        let out = self.devgen(self.dir.path(), &["registry", "list", "--format", "json"]);
        assert_exit(&out, 0);
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        v["entries"].as_array().unwrap().clone()
    }
}

/// The variables `.envrc.local` exports, as real bash sees them after sourcing it.
fn exported(dir: &Path) -> (String, String) {
    let out = run_ok(
        Command::new(require("bash"))
            .args([
                "-c",
                "set -eu; source ./.envrc.local; echo \"$DEVGEN_IP $DEVGEN_HOST\"",
            ])
            .current_dir(dir)
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST"),
    );
    let (ip, host) = out.trim().split_once(' ').unwrap();
    (ip.to_string(), host.to_string())
}

#[test]
fn each_worktree_gets_an_address_of_its_projects_block_and_a_host_of_its_own() {
    let r = Repo::new();
    let main = fs::canonicalize(r.path("shop")).unwrap();
    let fix = r.add_worktree("shop-fix-login");
    let out = r.devgen(&fix, &["worktree"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("worktree `shop-fix-login` of shop")
            && stderr(&out).contains("127.0.0.21 fix-login.shop.test"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        exported(&fix),
        ("127.0.0.21".to_string(), "fix-login.shop.test".to_string())
    );
    // The committed files are untouched and .envrc.local is ignored: git sees nothing.
    assert_eq!(r.git(&fix, &["status", "--porcelain"]), "");

    // A second worktree takes the next address; the first keeps its own on a second run.
    let api = r.add_worktree("api-v2");
    assert_exit(&r.devgen(&api, &["worktree"]), 0);
    assert_eq!(exported(&api).0, "127.0.0.22");
    let envrc = fs::read(fix.join(".envrc.local")).unwrap();
    let again = r.devgen(&fix, &["worktree"]);
    assert_exit(&again, 0);
    assert!(
        stderr(&again).contains(".envrc.local already says so"),
        "{}",
        stderr(&again)
    );
    assert_eq!(fs::read(fix.join(".envrc.local")).unwrap(), envrc);

    let entries = r.entries();
    let wt: Vec<&serde_json::Value> = entries
        .iter()
        .filter(|e| e["worktree_of"] == main.to_str().unwrap())
        .collect();
    assert_eq!(wt.len(), 2, "{entries:#?}");
    assert_eq!(wt[0]["root"], fix.to_str().unwrap());
    assert_eq!(wt[0]["ip"], "127.0.0.21");
    // A new project still skips the whole .20 block.
    assert_exit(&r.devgen(&r.path("wiki"), &["init"]), 0);
    assert!(read(&r.path("wiki"), "devgen.toml").contains("ip = \"127.0.0.30\""));

    // A real dnsmasq serving `devgen net`'s configuration answers the worktree's host with
    // its address, and the project's own with the project's.
    let net = r.dir.path().join("net");
    let out = r.devgen(
        r.dir.path(),
        &[
            "net",
            "--platform",
            "linux",
            "--write",
            net.to_str().unwrap(),
        ],
    );
    assert_exit(&out, 0);
    let dns = Dnsmasq::start(&net.join("dnsmasq.conf"), "fix-login.shop.test");
    assert_eq!(dns.query("fix-login.shop.test"), "127.0.0.21");
    assert_eq!(dns.query("postgres.fix-login.shop.test"), "127.0.0.21");
    assert_eq!(dns.query("api-v2.shop.test"), "127.0.0.22");
    assert_eq!(dns.query("shop.test"), "127.0.0.20");
    assert_eq!(dns.query("postgres.shop.test"), "127.0.0.20");
    // Releasing the worktree frees its address for the next one.
    assert_exit(&r.devgen(&fix, &["registry", "release"]), 0);
    let docs = r.add_worktree("docs");
    assert_exit(&r.devgen(&docs, &["worktree"]), 0);
    assert_eq!(exported(&docs).0, "127.0.0.21");
}

#[test]
fn real_nix_reads_the_worktree_address_through_the_committed_devenv_nix() {
    let r = Repo::new();
    let fix = r.add_worktree("fix");
    assert_exit(&r.devgen(&fix, &["worktree"]), 0);
    // The packages the default spec's devenv.nix refers to, for the stub pkgs.
    let paths =
        r#"[ "beamPackages.elixir_1_18" "postgresql_16" "overmind" "tmux" "inotify-tools" ]"#;
    let script = "set -eu; source ./.envrc.local; exec \"$@\"";
    let out = run_ok(
        Command::new(require("bash"))
            .args(["-c", script, "bash"])
            .arg(require("nix-instantiate"))
            .args(["--eval", "--strict", "--json"])
            .arg(fixture_path("support/eval-devenv.nix"))
            .args(["--arg", "devenv", "./devenv.nix"])
            .args(["--arg", "paths", paths])
            .args(["--arg", "isLinux", "true"])
            .current_dir(&fix),
    );
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["services"]["postgres"]["listen_addresses"], "127.0.0.21");
    // The same file in the main checkout, without the overrides, keeps the project's.
    assert_eq!(
        read(&fix, "devenv.nix"),
        read(&r.path("shop"), "devenv.nix")
    );
}

#[test]
fn doctor_in_a_worktree_checks_the_address_it_runs_on() {
    let r = Repo::new();
    let fix = r.add_worktree("fix");
    let doctor = |vars: &[(&str, &str)]| {
        let mut cmd = devgen_cmd(&fix, &["doctor", "--format", "json"]);
        cmd.env("DEVGEN_REGISTRY", r.registry())
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST")
            .envs(vars.iter().copied());
        let out = cmd.output().unwrap();
        let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
        v["checks"][0].clone()
    };
    // Before `devgen worktree`: it would run on shop's address.
    let c = doctor(&[]);
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["fix"]
            .as_str()
            .unwrap()
            .contains("`devgen worktree` here"),
        "{c:#}"
    );
    assert_exit(&r.devgen(&fix, &["worktree"]), 0);
    // Registered, but the shell has not loaded .envrc.local.
    let c = doctor(&[]);
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(c["fix"].as_str().unwrap().contains("direnv allow"), "{c:#}");
    let (ip, host) = exported(&fix);
    let c = doctor(&[("DEVGEN_IP", &ip), ("DEVGEN_HOST", &host)]);
    assert_eq!(c["status"], "pass", "{c:#}");
}

#[test]
fn worktree_refuses_the_main_checkout_an_unregistered_project_and_no_git() {
    let r = Repo::new();
    let out = r.devgen(&r.path("shop"), &["worktree"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("is the project's main checkout"),
        "{}",
        stderr(&out)
    );

    let fix = r.add_worktree("fix");
    assert_exit(&r.devgen(&r.path("shop"), &["registry", "release"]), 0);
    let out = r.devgen(&fix, &["worktree"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("is not in the machine registry")
            && stderr(&out).contains("run `devgen init` there first"),
        "{}",
        stderr(&out)
    );
    assert!(!fix.join(".envrc.local").exists());

    let out = r.devgen(&r.path("blog"), &["worktree"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("is not in a git repository"),
        "{}",
        stderr(&out)
    );
}

/// direnv runs `.envrc` top to bottom, and `use flake` evaluates devenv.nix right where it
/// stands: the worktree's address must already be exported there, on a fresh load too. Here
/// real bash runs the generated `.envrc` with direnv's two functions stood in for: `source_env`
/// sources, and `use` evaluates devenv.nix with real Nix in the environment of that moment.
#[test]
fn the_generated_envrc_exports_the_worktree_address_before_nix_evaluates_devenv_nix() {
    let r = Repo::new();
    let fix = r.add_worktree("fix");
    assert_exit(&r.devgen(&fix, &["worktree"]), 0);
    let paths =
        r#"[ "beamPackages.elixir_1_18" "postgresql_16" "overmind" "tmux" "inotify-tools" ]"#;
    let script = format!(
        "set -eu
        source_env() {{ source \"$1\"; }}
        use() {{
          {nix} --eval --strict --json {eval} --arg devenv ./devenv.nix --arg paths '{paths}' \
            --arg isLinux true > evaluated.json
        }}
        source ./.envrc",
        nix = require("nix-instantiate").display(),
        eval = fixture_path("support/eval-devenv.nix").display(),
    );
    run_ok(
        Command::new(require("bash"))
            .args(["-c", &script])
            .current_dir(&fix)
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST"),
    );
    let v: serde_json::Value = serde_json::from_str(&read(&fix, "evaluated.json")).unwrap();
    assert_eq!(v["services"]["postgres"]["listen_addresses"], "127.0.0.21");
}
