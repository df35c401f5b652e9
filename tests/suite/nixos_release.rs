//! The release as a Nix package and the NixOS host, from `[deploy.nixos]`: flake.nix gains
//! `packages.<system>.default` (nix/package.nix, nixpkgs' mixRelease with the dev shell's
//! Elixir), `nixosModules.default` and `nixosConfigurations.<name>` (nix/host.nix) — in
//! devgen's own flake and in a team's flake of its own shape — and the hash Nix reports for
//! the dependencies goes back into devgen.toml with `devgen deps-hash`. Evaluated and built
//! by real Nix with stub inputs (fixtures/support/eval-release.nix); the dependencies'
//! fixed-output derivations are real ones, so Nix's own hash check runs.

use std::fs;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::{
    assert_exit, devgen, devgen_cmd, fixture_path, nix_parses, project_with_spec, read,
    read_fixture, require, run_ok, stderr, synced_project,
};

/// nixpkgs' placeholder hash, which nix/package.nix starts with.
const FAKE_HASH: &str = "sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

/// The parts of a Phoenix project nix/package.nix reads: mix.exs with its version and the
/// `assets.deploy` alias, config.exs with esbuild and a Tailwind 3 pin (Phoenix 1.7).
fn add_phoenix_sources(dir: &Path, app: &str) {
    let module = format!("{}{}", app[..1].to_uppercase(), &app[1..]);
    fs::write(
        dir.join("mix.exs"),
        format!(
            "defmodule {module}.MixProject do\n  use Mix.Project\n\n  @version \"0.3.1\"\n\n  def project do\n    [app: :{app}, version: @version, aliases: aliases()]\n  end\n\n  defp aliases do\n    [\"assets.deploy\": [\"tailwind {app} --minify\", \"esbuild {app} --minify\", \"phx.digest\"]]\n  end\nend\n"
        ),
    )
    .unwrap();
    fs::write(
        dir.join("mix.lock"),
        "%{\n  \"jason\": {:hex, :jason, \"1.4.4\", \"b9226785a9aa77b6857ca22832cffa5d5011a667207eb2a0ad56adb5db443b8a\", [:mix], [], \"hexpm\", \"c5eb0cab91f094599f94d55bc63409236a8ec69a21a67814529e8d5f6cc90b3b\"},\n}\n",
    )
    .unwrap();
    fs::create_dir_all(dir.join("config")).unwrap();
    fs::write(
        dir.join("config/config.exs"),
        format!("import Config\n\nconfig :esbuild,\n  version: \"0.17.11\"\n\nconfig :tailwind,\n  version: \"3.4.3\",\n  {app}: []\n"),
    )
    .unwrap();
}

/// `fixtures/support/eval-release.nix` on the project in `dir`: the flake's production
/// outputs and nix/host.nix as data, with the release at `packages.<system>.default`.
fn evaluate(dir: &Path, host: &str) -> serde_json::Value {
    evaluate_package(dir, host, "default")
}

/// [`evaluate`], with the release at `packages.<system>.<package>`.
fn evaluate_package(dir: &Path, host: &str, package: &str) -> serde_json::Value {
    let out = run_ok(
        Command::new(require("nix-instantiate"))
            .args(["--eval", "--strict", "--json"])
            .arg(fixture_path("support/eval-release.nix"))
            .args(["--arg", "root"])
            .arg(dir)
            .args(["--argstr", "host", host, "--argstr", "package", package])
            .args(["-A", "evaluated"]),
    );
    serde_json::from_str(&out).unwrap()
}

/// That the host's third module gives the app's service the release built for the host's
/// system, as [`evaluate`] reports it.
#[track_caller]
fn assert_host_runs_the_release(got: &serde_json::Value, app: &str) {
    assert_eq!(
        got["host"]["modules"][2],
        serde_json::json!({ app: { "package": "the release of x86_64-linux" } })
    );
}

/// Build attribute `attr` of eval-release.nix (a fixed-output derivation) with real Nix.
fn build(dir: &Path, attr: &str) -> Output {
    Command::new(require("nix-build"))
        .arg(fixture_path("support/eval-release.nix"))
        .args(["--arg", "root"])
        .arg(dir)
        .args(["-A", attr, "--no-out-link"])
        // Root on a machine without Nix's build users: build as this user.
        .args([
            "--option",
            "build-users-group",
            "",
            "--option",
            "sandbox",
            "false",
        ])
        .output()
        .unwrap()
}

/// `devgen deps-hash` in `dir` with `message` on standard input.
fn deps_hash(dir: &Path, message: &[u8]) -> Output {
    use std::io::Write;
    let mut child = devgen_cmd(dir, &["deps-hash"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(message).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_flake_builds_the_release_with_the_dev_shells_elixir_and_names_the_host_that_runs_it() {
    let dir = synced_project("deploy");
    let d = dir.path();
    assert_exit(&devgen(d, &["diff"]), 0);
    add_phoenix_sources(d, "haven");
    for file in [
        "flake.nix",
        "nix/package.nix",
        "nix/host.nix",
        "nix/module.nix",
    ] {
        nix_parses(d, file);
    }
    let got = evaluate(d, "web");
    assert_eq!(
        got["systems"],
        serde_json::json!([
            "aarch64-darwin",
            "aarch64-linux",
            "x86_64-darwin",
            "x86_64-linux"
        ])
    );
    let release = &got["release"];
    // [toolchain] erlang = "27" and devgen's Elixir: the dev shell's BEAM package set.
    assert_eq!(release["elixir"], "pkg:elixir_1_18");
    assert_eq!(release["pname"], "haven");
    assert_eq!(release["version"], "0.3.1", "mix.exs's @version");
    // The lockfile's digest in the name: a new mix.lock is a new derivation.
    let deps_name = release["mixFodDeps"].as_str().unwrap();
    let digest = deps_name.strip_prefix("mix-deps-haven-0.3.1-").unwrap();
    assert!(
        digest.len() == 8 && digest.bytes().all(|b| b.is_ascii_hexdigit()),
        "{deps_name}"
    );
    let deps = &release["deps"];
    assert_eq!(deps["hash"], FAKE_HASH);
    let root = d.display().to_string();
    assert_eq!(
        deps["src"]["files"],
        serde_json::json!([
            format!("{root}/mix.exs"),
            format!("{root}/mix.lock"),
            format!("{root}/config")
        ]),
        "the dependencies are fetched again only when what names them changes"
    );
    let pre = release["preBuild"].as_str().unwrap();
    assert!(
        pre.contains("config :esbuild, path: \"/stub/esbuild/bin/esbuild\"")
            && pre.contains("config :tailwind, path: \"/stub/tailwindcss-3/bin/tailwindcss-3\""),
        "asset tools from nixpkgs, Tailwind's major as config.exs pins it: {pre}"
    );
    assert!(release["postBuild"]
        .as_str()
        .unwrap()
        .contains("mix do deps.loadpaths --no-deps-check + assets.deploy"));
    assert_eq!(release["meta"]["mainProgram"], "haven");
    assert_eq!(got["module"], "module.nix");
    let host = &got["host"];
    assert_eq!(
        host["modules"],
        serde_json::json!([
            "module.nix",
            "host.nix",
            { "haven": { "package": "the release of x86_64-linux" } }
        ])
    );
    let file = &host["file"];
    assert_eq!(
        file["imports"],
        serde_json::json!(["/stub/nixos/modules/virtualisation/amazon-image.nix"]),
        "[deploy.terraform] makes an EC2 host from the NixOS AMI"
    );
    assert_eq!(file["nixpkgs"]["hostPlatform"], "x86_64-linux");
    assert_eq!(file["networking"]["hostName"], "web");
    let app = &file["services"]["haven"];
    assert_eq!(app["enable"], true);
    assert_eq!(app["host"], "haven.example.com");
    assert_eq!(app["environmentFile"], "/var/lib/secrets/haven.env");
    assert_eq!(
        file["services"]["openssh"]["settings"]["PasswordAuthentication"],
        false
    );
}

#[test]
fn nixs_hash_mismatch_goes_back_into_devgen_toml_and_then_the_dependencies_build() {
    let dir = project_with_spec(
        "[project]\nname = \"haven\"\nip = \"127.0.0.91\"\n\n[frontend]\ndir = \"frontend\"\npackage_manager = \"bun\"\n\n[deploy]\nhost = \"haven.example.com\"\n\n# the release's dependency hashes go here\n[deploy.nixos]\nname = \"web\"\n",
    );
    let d = dir.path();
    fs::create_dir_all(d.join("frontend")).unwrap();
    fs::write(d.join("frontend/package.json"), "{\"name\": \"front\"}\n").unwrap();
    fs::write(d.join("frontend/bun.lock"), "{}\n").unwrap();
    assert_exit(&devgen(d, &["sync"]), 0);
    add_phoenix_sources(d, "haven");

    for (attr, key) in [("deps", "mix_deps_hash"), ("frontendDeps", "x86_64-linux")] {
        let first = build(d, attr);
        assert!(!first.status.success(), "{attr} builds with lib.fakeHash");
        let message = String::from_utf8_lossy(&first.stderr).to_string();
        assert!(message.contains("hash mismatch"), "{message}");
        let taken = deps_hash(d, &first.stderr);
        assert_exit(&taken, 0);
        let spec = read(d, "devgen.toml");
        assert!(
            spec.contains(
                "# the release's dependency hashes go here\n[deploy.nixos]\nname = \"web\"\n"
            ),
            "the spec keeps its comments and order: {spec}"
        );
        let line = spec
            .lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("{key} is not in devgen.toml:\n{spec}\n{}", stderr(&taken)));
        let hash = line.split('"').nth(1).unwrap();
        assert!(message.contains(hash), "the hash Nix got: {message}");
        assert!(read(d, "nix/package.nix").contains(&format!("\"{hash}\"")));
        let again = build(d, attr);
        assert!(
            again.status.success(),
            "{attr} builds with the hash taken back: {}",
            String::from_utf8_lossy(&again.stderr)
        );
    }
    assert!(
        read(d, "devgen.toml").contains("[deploy.nixos.frontend_deps_hash]\nx86_64-linux = "),
        "the frontend's hash is the system's it was installed on"
    );
    assert_exit(&devgen(d, &["diff"]), 0);

    // A new mix.lock: a new derivation, whose hash Nix asks for again rather than finding
    // the old dependencies by their name.
    let lock = read(d, "mix.lock").replace("1.4.4", "1.4.5");
    fs::write(d.join("mix.lock"), lock).unwrap();
    let after_lock_change = build(d, "deps");
    assert!(!after_lock_change.status.success());
    assert!(String::from_utf8_lossy(&after_lock_change.stderr).contains("hash mismatch"));
}

#[test]
fn a_message_with_no_hash_or_a_spec_without_nixos_changes_nothing() {
    let dir = synced_project("deploy");
    let d = dir.path();
    let before = read(d, "devgen.toml");
    let out = deps_hash(
        d,
        b"error: builder for '/nix/store/x-haven.drv' failed with exit code 1\n",
    );
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("no hash in the message"),
        "{}",
        stderr(&out)
    );
    let out = deps_hash(
        d,
        b"error: hash mismatch in fixed-output derivation '/nix/store/0abc-source.drv':\n  specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n  got:    sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("not of the release's dependencies"));
    assert_eq!(read(d, "devgen.toml"), before);

    let lean = synced_project("minimal");
    let out = deps_hash(
        lean.path(),
        b"got:    sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
    );
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("has no [deploy.nixos]"));
}

#[test]
fn a_teams_own_flake_gets_the_release_and_host_in_its_own_helper_and_keeps_the_rest() {
    let team = read_fixture("nix/flakes/for-all-systems.nix");
    let dir = synced_with(
        &team,
        "[project]\nname = \"shop\"\nip = \"127.0.0.92\"\n\n[deploy]\nhost = \"shop.example.com\"\n\n[deploy.nixos]\nname = \"prod\"\nproxy = \"caddy\"\n",
    );
    let d = dir.path();
    let flake = read(d, "flake.nix");
    for line in team.lines().filter(|l| !l.contains("outputs = ")) {
        assert!(
            flake.contains(line),
            "the team's line {line:?} is kept:\n{flake}"
        );
    }
    assert!(
        flake.contains("packages = forAllSystems (system: {"),
        "{flake}"
    );
    add_phoenix_sources(d, "shop");
    // Not on EC2: the machine's own disks, boot loader and keys, which the user saves there.
    fs::write(d.join("nix/machine.nix"), "{ }\n").unwrap();
    let got = evaluate(d, "prod");
    assert_eq!(
        got["systems"],
        serde_json::json!(["aarch64-darwin", "x86_64-linux"])
    );
    assert_eq!(got["release"]["pname"], "shop");
    assert_host_runs_the_release(&got, "shop");
    let imports = got["host"]["file"]["imports"].as_array().unwrap();
    assert_eq!(imports.len(), 1);
    assert!(
        imports[0].as_str().unwrap().ends_with("-machine.nix"),
        "{imports:?}"
    );
}

#[test]
fn a_flake_that_maps_every_output_over_systems_is_told_how_to_make_room_for_a_host() {
    let team = read_fixture("nix/flakes/flake-utils.nix");
    // The same flake without the set beside the systems' outputs.
    let (start, end) = (team.find(") // {").unwrap(), team.rfind("};").unwrap());
    let team = format!("{}){}", &team[..start], &team[end + 1..]);
    let err = refused(&team);
    assert!(
        err.contains("flake.nix:9:")
            && err.contains("are not per system")
            && err.contains("// { };"),
        "{err}"
    );
}

#[test]
fn a_flake_utils_flake_gets_the_host_in_its_set_beside_the_systems_outputs() {
    let team = read_fixture("nix/flakes/flake-utils.nix");
    let dir = synced(&team);
    let d = dir.path();
    let flake = read(d, "flake.nix");
    let beside = &flake[flake.find(") // {").unwrap()..];
    assert!(
        beside.contains("nixosModules.default = ./nix/module.nix;")
            && beside.contains("nixosConfigurations.prod = nixpkgs.lib.nixosSystem {"),
        "{flake}"
    );
    add_phoenix_sources(d, "shop");
    let got = evaluate_package(d, "prod", "shop");
    assert_eq!(
        got["release"]["pname"], "shop",
        "beside the team's own default package"
    );
    assert_host_runs_the_release(&got, "shop");
}

/// `devgen sync` on a [`team_project`] of `flake`, refused: its error; nothing written.
fn refused(flake: &str) -> String {
    let dir = team_project(flake);
    let d = dir.path();
    let out = devgen(d, &["sync"]);
    assert_exit(&out, 2);
    assert_eq!(read(d, "flake.nix"), flake, "nothing written");
    assert!(!d.join("nix").exists());
    stderr(&out)
}

/// A [`team_project`] of `flake`, synced, and in sync after.
fn synced(flake: &str) -> tempfile::TempDir {
    synced_with(flake, SHOP)
}

/// A project of `flake` and the spec `spec`, synced, and in sync after.
fn synced_with(flake: &str, spec: &str) -> tempfile::TempDir {
    let dir = project(flake, spec);
    assert_exit(&devgen(dir.path(), &["sync"]), 0);
    assert_exit(&devgen(dir.path(), &["diff"]), 0);
    dir
}

/// The spec of a project `shop` on EC2 with `[deploy.nixos]` named `prod`.
const SHOP: &str = "[project]\nname = \"shop\"\nip = \"127.0.0.94\"\n\n[deploy]\nhost = \"shop.example.com\"\n\n[deploy.terraform]\nssh_cidrs = [\"203.0.113.0/24\"]\n\n[deploy.nixos]\nname = \"prod\"\n";

/// A project `shop` with `flake` as its flake.nix and `[deploy.nixos]` named `prod`.
fn team_project(flake: &str) -> tempfile::TempDir {
    project(flake, SHOP)
}

/// A project with `flake` as its flake.nix and `spec` as its devgen.toml.
fn project(flake: &str, spec: &str) -> tempfile::TempDir {
    let dir = project_with_spec(spec);
    fs::write(dir.path().join("flake.nix"), flake).unwrap();
    dir
}

#[test]
fn a_flake_parts_flake_gets_the_host_under_flake_and_keeps_its_own_default_package() {
    let team = read_fixture("nix/flakes/flake-parts.nix");
    let dir = synced(&team);
    let d = dir.path();
    let flake = read(d, "flake.nix");
    assert!(flake.contains("packages.default = pkgs.hello;"), "{flake}");
    add_phoenix_sources(d, "shop");
    // flake-parts refuses outputs it does not declare (the stub too): the module and the
    // host are under `flake`, the release beside the team's own default package.
    let got = evaluate_package(d, "prod", "shop");
    assert_eq!(got["release"]["pname"], "shop");
    assert_eq!(got["module"], "module.nix");
    assert_host_runs_the_release(&got, "shop");
}

#[test]
fn a_helper_that_hands_out_package_sets_is_not_taken_for_one_over_system_names() {
    let team = "{\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs/nixos-unstable\";\n\n  outputs = { self, nixpkgs }:\n    let\n      forAllSystems = f: nixpkgs.lib.genAttrs [ \"x86_64-linux\" \"aarch64-darwin\" ] (system: f nixpkgs.legacyPackages.${system});\n    in\n    {\n      formatter = forAllSystems (pkgs: pkgs.nixfmt-rfc-style);\n    };\n}\n";
    let dir = team_project(team);
    let d = dir.path();
    assert_exit(&devgen(d, &["sync"]), 0);
    let flake = read(d, "flake.nix");
    assert!(
        flake.contains("packages = nixpkgs.lib.genAttrs [ \"x86_64-linux\""),
        "{flake}"
    );
    add_phoenix_sources(d, "shop");
    let got = evaluate(d, "prod");
    assert_eq!(
        got["systems"],
        serde_json::json!([
            "aarch64-darwin",
            "aarch64-linux",
            "x86_64-darwin",
            "x86_64-linux"
        ])
    );
    assert_eq!(got["release"]["pname"], "shop");
}

#[test]
fn packages_spelled_out_per_system_are_the_teams_and_devgen_says_what_to_add() {
    let err = refused(&read_fixture("nix/flakes/bare.nix"));
    assert!(
        err.contains("flake.nix:6:13:")
            && err.contains("has `packages` of its own")
            && err.contains(
                "packages.<system>.default = nixpkgs.legacyPackages.${system}.callPackage ./nix/package.nix { };"
            ),
        "{err}"
    );
}

#[test]
fn an_app_named_like_a_nix_keyword_gets_its_release_beside_the_teams_default_package() {
    let dir = synced_with(
        &read_fixture("nix/flakes/plain.nix"),
        "[project]\nname = \"rec\"\nip = \"127.0.0.97\"\n\n[deploy]\nhost = \"rec.example.com\"\n\n[deploy.nixos]\nname = \"prod\"\n\n[deploy.terraform]\nssh_cidrs = [\"203.0.113.0/24\"]\n",
    );
    let d = dir.path();
    let flake = read(d, "flake.nix");
    assert!(
        flake.contains(
            "\"rec\" = nixpkgs.legacyPackages.${system}.callPackage ./nix/package.nix { };"
        ),
        "{flake}"
    );
    add_phoenix_sources(d, "rec");
    let got = evaluate_package(d, "prod", "rec");
    assert_eq!(got["release"]["pname"], "rec");
    assert_host_runs_the_release(&got, "rec");
}
