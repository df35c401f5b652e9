//! devgen's own flake.nix, for `nix run github:OWNER/devgen`: parsed by the real Nix and its
//! outputs evaluated with a stub nixpkgs (this machine has no binary cache to build from),
//! asserting the package, app, overlay, dev shell, checks and formatter of every system, and
//! that the package's version is Cargo.toml's.

use std::process::Command;

use serde_json::{json, Value};

use crate::support::{fixture_path, read, repo_root, require, run_ok};

/// The dev shell's tools the issue names, as the stub gives them.
const SHELL_TOOLS: [&str; 9] = [
    "pkg:cargo",
    "pkg:clippy",
    "pkg:rustfmt",
    "pkg:rust-analyzer",
    "pkg:nix",
    "pkg:shellcheck",
    "pkg:elixir",
    "pkg:tmux",
    "pkg:dnsmasq",
];

const SYSTEMS: [&str; 4] = [
    "aarch64-darwin",
    "aarch64-linux",
    "x86_64-darwin",
    "x86_64-linux",
];

/// `minimal`: a stub offering only buildRustPackage, mkShell, genAttrs and the dev shell's
/// nine tools, as a check outside this repository might.
fn evaluated(minimal: bool) -> Value {
    let out = run_ok(
        Command::new(require("nix-instantiate"))
            .args(["--eval", "--strict", "--json"])
            .arg(fixture_path("support/eval-own-flake.nix"))
            .arg("--arg")
            .arg("flake")
            .arg(repo_root().join("flake.nix"))
            .args(["--arg", "minimal", if minimal { "true" } else { "false" }]),
    );
    serde_json::from_str(&out).expect("nix prints JSON")
}

fn cargo_version() -> String {
    let manifest: toml_edit::DocumentMut = read(&repo_root(), "Cargo.toml").parse().unwrap();
    manifest["package"]["version"].as_str().unwrap().to_string()
}

#[test]
fn nix_parses_devgens_own_flake() {
    run_ok(
        Command::new(require("nix-instantiate"))
            .arg("--parse")
            .arg(repo_root().join("flake.nix")),
    );
}

#[test]
fn the_flake_gives_every_system_a_package_app_shell_checks_and_formatter() {
    let v = evaluated(false);
    assert_eq!(
        v["outputs"],
        json!([
            "apps",
            "checks",
            "devShells",
            "formatter",
            "overlays",
            "packages"
        ])
    );
    let version = cargo_version();
    let package = json!({
        "pname": "devgen",
        "version": version,
        "lockFile": "Cargo.lock",
        "cargoTestFlags": ["--lib"],
        "mainProgram": "devgen",
        "license": ["MIT", "Apache-2.0"],
    });
    for system in SYSTEMS {
        assert_eq!(
            v["packages"][system]["names"],
            json!(["default", "devgen"]),
            "{system}"
        );
        assert_eq!(v["packages"][system]["default"], package, "{system}");
        assert_eq!(
            v["apps"][system],
            json!({ "type": "app", "program": format!("/nix/store/stub-devgen-{version}/bin/devgen") }),
            "{system}"
        );
        let shell: Vec<&str> = v["devShells"][system]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        for tool in SHELL_TOOLS {
            assert!(
                shell.contains(&tool),
                "{system}: the dev shell lacks {tool}"
            );
        }
        let checks = &v["checks"][system];
        assert_eq!(
            checks["names"],
            json!(["build", "clippy", "nix-edit", "suite"])
        );
        assert!(checks["clippy"]["nativeBuildInputs"]
            .as_array()
            .unwrap()
            .contains(&json!("pkg:clippy")));
        assert!(checks["clippy"]["buildPhase"]
            .as_str()
            .unwrap()
            .contains("-D warnings"));
        // the editor crate's own tests run on their own
        assert_eq!(
            checks["nix-edit"]["cargoTestFlags"],
            json!(["-p", "nix-edit"])
        );
        // the suite runs with the programs it drives; only the network-bound test is skipped,
        // by name
        assert_eq!(
            checks["suite"]["cargoTestFlags"],
            json!(["--test", "suite", "--", "--skip", "pre_commit::"])
        );
        assert!(checks["suite"]["nativeCheckInputs"]
            .as_array()
            .unwrap()
            .contains(&json!("pkg:tmux")));
        assert_eq!(v["formatter"][system], "pkg:nixfmt-rfc-style");
    }
    assert_eq!(v["overlay"], package, "the overlay adds pkgs.devgen");
}

#[test]
fn the_flake_evaluates_against_a_package_set_with_only_what_it_must_have() {
    let v = evaluated(true);
    let shell_tools = json!(SHELL_TOOLS);
    for system in SYSTEMS {
        assert_eq!(
            v["packages"][system]["default"]["version"],
            cargo_version().as_str()
        );
        assert_eq!(v["devShells"][system], shell_tools, "{system}");
        assert_eq!(
            v["checks"][system]["names"],
            json!(["build", "clippy", "nix-edit", "suite"])
        );
    }
}
