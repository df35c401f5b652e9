//! Existing projects: devgen joins files people already have and keeps every byte of
//! theirs — their line endings, their formatting, their own outputs.

use std::fs;

use crate::support::{assert_exit, devgen, project_with_spec, read, read_fixture};

/// A file every new line of which is CRLF, as a Windows editor keeps it.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Every line break of `text` is CRLF.
fn all_crlf(text: &str) -> bool {
    text.match_indices('\n')
        .all(|(i, _)| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

#[test]
fn files_kept_in_crlf_get_devgens_lines_in_crlf_and_stay_in_sync() {
    let dir = project_with_spec(&read_fixture("specs/minimal.toml"));
    let d = dir.path();
    fs::create_dir(d.join("config")).unwrap();
    let mine = [
        (".gitignore", "/deps\n/_build\n"),
        ("Procfile", "worker: ./bin/worker\n"),
        (
            "config/dev.exs",
            "import Config\n\nconfig :acme, :key,\n  value: 1\n",
        ),
    ];
    for (file, text) in mine {
        fs::write(d.join(file), crlf(text)).unwrap();
    }
    assert_exit(&devgen(d, &["sync"]), 0);
    for (file, text) in mine {
        let now = read(d, file);
        assert!(all_crlf(&now), "{file} has LF lines:\n{now:?}");
        assert!(
            now.starts_with(&crlf(text)),
            "{file} lost its own lines:\n{now:?}"
        );
    }
    assert_exit(&devgen(d, &["diff"]), 0);
    let again = devgen(d, &["sync"]);
    assert_exit(&again, 0);
    assert!(crate::support::stderr(&again).contains("already match"));
}

/// A mix.exs with these dependencies (as `mix phx.new` writes them, one a line).
fn mix_exs(deps: &[&str]) -> String {
    let deps: Vec<String> = deps.iter().map(|d| format!("      {d}")).collect();
    format!(
        "defmodule Shop.MixProject do\n  use Mix.Project\n\n  def project do\n    [app: :shop, version: \"0.1.0\", deps: deps()]\n  end\n\n  defp deps do\n    [\n{}\n    ]\n  end\nend\n",
        deps.join(",\n")
    )
}

/// LiveDebugger's config makes every `mix` run warn when the app does not depend on it:
/// `init` turns it on only for an app that does.
#[test]
fn init_configures_live_debugger_only_when_mix_exs_depends_on_it() {
    for (deps, on) in [
        (&[r#"{:phoenix, "~> 1.8"}"#][..], false),
        (
            &[
                r#"{:phoenix, "~> 1.8"}"#,
                r#"{:live_debugger, "~> 0.4", only: :dev}"#,
            ][..],
            true,
        ),
    ] {
        let parent = tempfile::tempdir().unwrap();
        let dir = parent.path().join("shop");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("mix.exs"), mix_exs(deps)).unwrap();
        assert_exit(&devgen(&dir, &["init", "--ip", "127.0.0.30"]), 0);
        let spec = read(&dir, "devgen.toml");
        let devgen_exs = read(&dir, "config/devgen.exs");
        assert_eq!(spec.contains("live_debugger = 4007"), on, "{spec}");
        assert_eq!(spec.contains("live_debugger = false"), !on, "{spec}");
        assert_eq!(
            devgen_exs.contains("config :live_debugger"),
            on,
            "{devgen_exs}"
        );
        assert_exit(&devgen(&dir, &["diff"]), 0);
    }
}

/// `postgres.<host>` resolves only once `devgen net --apply` has run for the project: init
/// names that step while the machine's dnsmasq does not know the project yet.
#[test]
fn init_names_the_dns_step_while_the_machine_does_not_resolve_the_project() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    fs::create_dir(&dir).unwrap();
    let out = devgen(&dir, &["init", "--ip", "127.0.0.31"]);
    assert_exit(&out, 0);
    let said = crate::support::stderr(&out);
    let next = &said[said
        .find("\nnext:\n")
        .expect("init ends with the next steps")..];
    assert!(
        next.starts_with("\nnext:\n  sudo devgen net --apply  # once for this project: acme.test and postgres.acme.test resolve to 127.0.0.31\n  direnv allow             # enter"),
        "{next}"
    );
}

/// `devgen diff | head -1` (with `2>&1` too): when the reader goes away, devgen stops
/// quietly with the status of a program stopped by SIGPIPE — it used to panic (101).
#[test]
fn a_reader_that_goes_away_stops_devgen_quietly() {
    let dir = crate::support::synced_project("minimal");
    let spec = read(dir.path(), "devgen.toml").replace("[postgres]", "[postgres]\nport = 5439");
    fs::write(dir.path().join("devgen.toml"), spec).unwrap();
    for args in [&["diff"][..], &["diff", "--format", "json"]] {
        let mut child = crate::support::devgen_cmd(dir.path(), args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Both readers gone before devgen has written a byte.
        drop(child.stdout.take());
        drop(child.stderr.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(141), "{args:?}");
    }
}

/// A value the spec no longer has goes with the blank line it leaves doubled.
#[test]
fn turning_node_off_leaves_no_gap_in_devenv_nix() {
    let dir = crate::support::synced_project("liberties");
    let d = dir.path();
    let spec = read(d, "devgen.toml");
    let without_node: String = spec
        .lines()
        .filter(|l| !l.starts_with("node ="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without_node, spec);
    fs::write(d.join("devgen.toml"), without_node).unwrap();
    assert_exit(&devgen(d, &["sync"]), 0);
    let devenv = read(d, "devenv.nix");
    assert!(!devenv.contains("javascript"), "{devenv}");
    assert!(
        !devenv.contains("\n\n\n"),
        "a doubled blank line:\n{devenv}"
    );
}

/// The `(call, element)` pairs of devenv.nix's `packages`, as the Nix editor reads them.
fn packages(dir: &std::path::Path) -> Vec<(Option<String>, String)> {
    let doc = nix_edit::NixDocument::parse("devenv.nix", read(dir, "devenv.nix")).unwrap();
    let path: nix_edit::AttrPath = "packages".parse().unwrap();
    let elements = doc.list_elements(&path).unwrap();
    elements.into_iter().map(|e| (e.call, e.text)).collect()
}

/// inotify-tools has no macOS build: listed among the spec's extras it stays in the
/// Linux-only part of `packages`, and one an older devgen put among everyone's moves there.
#[test]
fn a_linux_only_extra_stays_linux_only() {
    let linux = Some("pkgs.lib.optionals pkgs.stdenv.isLinux".to_string());
    let spec = format!(
        "{}\n[packages]\nextra = [\"inotify-tools\", \"jq\"]\n",
        read_fixture("specs/minimal.toml")
    );
    let dir = project_with_spec(&spec);
    let d = dir.path();
    assert_exit(&devgen(d, &["sync"]), 0);
    let got = packages(d);
    assert!(
        got.contains(&(linux.clone(), "pkgs.inotify-tools".into())),
        "{got:?}"
    );
    assert!(got.contains(&(None, "pkgs.jq".into())), "{got:?}");
    assert!(
        !got.contains(&(None, "pkgs.inotify-tools".into())),
        "{got:?}"
    );

    // As an older devgen wrote it: among everyone's packages.
    let mut doc = nix_edit::NixDocument::parse("devenv.nix", read(d, "devenv.nix")).unwrap();
    let path: nix_edit::AttrPath = "packages".parse().unwrap();
    doc.remove(&path, "pkgs.inotify-tools").unwrap();
    doc.add(&path, "pkgs.inotify-tools").unwrap();
    fs::write(d.join("devenv.nix"), doc.text()).unwrap();
    assert!(packages(d).contains(&(None, "pkgs.inotify-tools".into())));
    assert_exit(&devgen(d, &["sync"]), 0);
    let got = packages(d);
    assert!(
        got.contains(&(linux, "pkgs.inotify-tools".into())),
        "{got:?}"
    );
    assert!(
        !got.contains(&(None, "pkgs.inotify-tools".into())),
        "{got:?}"
    );
    assert_exit(&devgen(d, &["diff"]), 0);
}

/// A directory named in another script or with accents gets a readable ASCII project name,
/// and init says where it came from.
#[test]
fn a_non_ascii_directory_name_is_transliterated_and_said() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("Ünïcode Café");
    fs::create_dir(&dir).unwrap();
    let out = devgen(&dir, &["init", "--ip", "127.0.0.32"]);
    assert_exit(&out, 0);
    let spec = read(&dir, "devgen.toml");
    assert!(spec.contains("name = \"unicode-cafe\""), "{spec}");
    assert!(
        crate::support::stderr(&out)
            .contains("note: project name `unicode-cafe` from the directory name \"Ünïcode Café\""),
        "{}",
        crate::support::stderr(&out)
    );
}

/// A team shares one devgen.toml among checkouts through a symlink: devgen reads it
/// (diff, sync) and still writes nothing outside the project.
#[test]
fn a_spec_symlinked_from_outside_is_read() {
    let shared = tempfile::tempdir().unwrap();
    fs::write(
        shared.path().join("devgen.toml"),
        read_fixture("specs/minimal.toml"),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        shared.path().join("devgen.toml"),
        dir.path().join("devgen.toml"),
    )
    .unwrap();
    let out = devgen(dir.path(), &["sync"]);
    assert_exit(&out, 0);
    assert!(dir.path().join("devenv.nix").exists());
    assert_exit(&devgen(dir.path(), &["diff"]), 0);
    assert_eq!(crate::support::files_under(shared.path()), ["devgen.toml"]);
}

/// What real Nix makes of `flake.nix` in `dir` with stub inputs of every common shape.
fn evaluate_flake(dir: &std::path::Path) -> serde_json::Value {
    let out = crate::support::run_ok(
        std::process::Command::new(crate::support::require("nix-instantiate"))
            .args(["--eval", "--strict", "--json"])
            .arg(crate::support::fixture_path(
                "support/eval-foreign-flake.nix",
            ))
            .arg("--arg")
            .arg("flake")
            .arg(dir.join("flake.nix")),
    );
    serde_json::from_str(&out).unwrap()
}

/// A project with the team's own flake.nix (one of `fixtures/nix/flakes/`) and a mix.exs.
fn project_with_flake(flake: &str) -> (tempfile::TempDir, String) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("shop");
    fs::create_dir(&dir).unwrap();
    let text = read_fixture(&format!("nix/flakes/{flake}.nix"));
    fs::write(dir.join("flake.nix"), &text).unwrap();
    fs::write(dir.join("mix.exs"), mix_exs(&[r#"{:phoenix, "~> 1.8"}"#])).unwrap();
    (parent, text)
}

/// The lines of `before` that devgen must keep as they were (all but the ones it edits).
fn kept_lines(before: &str, after: &str, edited: &[&str]) {
    for line in before.lines().filter(|l| !l.trim().is_empty()) {
        if edited.iter().any(|e| line.contains(e)) {
            continue;
        }
        assert!(after.contains(line), "lost {line:?}:\n{after}");
    }
}

/// init in a project whose flake.nix the team wrote in flake-utils', flake-parts' or plain
/// style: devgen adds its input and its shell in that shape, keeps everything of theirs,
/// and what it wrote evaluates with their outputs beside it.
#[test]
fn init_joins_an_existing_flake_in_its_own_shape() {
    for (flake, shell_place) in [
        ("flake-utils", "devShells.default = devenv.lib.mkShell"),
        (
            "flake-parts",
            "devShells.default = inputs.devenv.lib.mkShell",
        ),
        ("plain", "devShells = forEachSystem (system: {"),
        (
            "bare",
            "devShells = nixpkgs.lib.genAttrs [ \"x86_64-linux\"",
        ),
    ] {
        let (parent, before) = project_with_flake(flake);
        let dir = parent.path().join("shop");
        let out = devgen(&dir, &["init", "--ip", "127.0.0.33"]);
        assert_exit(&out, 0);
        let after = read(&dir, "flake.nix");
        let outputs_line = [
            "outputs = { self, nixpkgs, flake-utils }:",
            "outputs = { self, nixpkgs }: {",
        ];
        kept_lines(&before, &after, &outputs_line);
        assert!(after.contains(shell_place), "{flake}:\n{after}");
        assert!(
            after.contains("devenv.url = \"github:cachix/devenv\""),
            "{flake}:\n{after}"
        );
        crate::support::nix_parses(&dir, "flake.nix");
        let got = evaluate_flake(&dir);
        for system in ["x86_64-linux", "aarch64-darwin"] {
            assert_eq!(
                got["devShells"][system]["default"],
                serde_json::json!({ "modules": ["devenv.nix"], "pkgsSystem": system }),
                "{flake}: {got:#}"
            );
            assert_eq!(
                got["packages"][system],
                serde_json::json!(["default"]),
                "{flake}: {got:#}"
            );
        }
        let names = got["outputNames"].as_array().unwrap();
        assert!(names.contains(&"formatter".into()), "{flake}: {got:#}");
        assert_exit(&devgen(&dir, &["diff"]), 0);
        let again = devgen(&dir, &["sync"]);
        assert!(
            crate::support::stderr(&again).contains("already match"),
            "{flake}: {}",
            crate::support::stderr(&again)
        );
    }
}

/// In the flake devgen created, the team's own outputs, inputs and follows are theirs: a spec
/// change, and even --force, keeps them.
#[test]
fn the_teams_own_flake_outputs_never_conflict() {
    let dir = crate::support::synced_project("minimal");
    let d = dir.path();
    let flake = read(d, "flake.nix")
        .replace(
            "    {\n      devShells = forEachSystem",
            "    {\n      formatter = forEachSystem (system: nixpkgs.legacyPackages.${system}.nixfmt-rfc-style);\n      packages = forEachSystem (system: { default = nixpkgs.legacyPackages.${system}.hello; });\n      devShells = forEachSystem",
        )
        .replace(
            "    devenv.url = \"github:cachix/devenv\";\n",
            "    devenv.url = \"github:cachix/devenv\";\n    devenv.inputs.nixpkgs.follows = \"nixpkgs\";\n",
        );
    assert!(
        flake.contains("formatter = ") && flake.contains("follows"),
        "{flake}"
    );
    fs::write(d.join("flake.nix"), &flake).unwrap();
    assert_exit(&devgen(d, &["diff"]), 0);
    let spec =
        read(d, "devgen.toml").replace("name = \"acme\"", "name = \"acme\"\nmodule = \"AcmeShop\"");
    fs::write(d.join("devgen.toml"), spec).unwrap();
    for args in [&["sync"][..], &["sync", "--force"]] {
        assert_exit(&devgen(d, args), 0);
        let now = read(d, "flake.nix");
        for mine in [
            "formatter = forEachSystem",
            "packages = forEachSystem",
            "devenv.inputs.nixpkgs.follows",
        ] {
            assert!(now.contains(mine), "{args:?} lost {mine}:\n{now}");
        }
    }
    assert!(read(d, "flake.nix").contains("AcmeShop development environment"));
    let got = evaluate_flake(d);
    assert_eq!(
        got["packages"]["x86_64-linux"],
        serde_json::json!(["default"]),
        "{got:#}"
    );
}

/// A lock written when devgen owned `outputs` whole: the next sync keeps the file, notes
/// nothing as taken over, and records the dev shell path by path.
#[test]
fn a_lock_that_owned_outputs_whole_moves_to_the_shell_path() {
    let dir = crate::support::synced_project("minimal");
    let d = dir.path();
    let lock = read(d, "devgen.lock");
    let start = lock.find("\"outputs.devShells.default\" = \"\"\"").unwrap();
    let end = start + lock[start..].find("\"\"\"\n").unwrap() + 4;
    let end = end + lock[end..].find("\"\"\"\n").unwrap() + 4;
    let outputs = nix_edit::NixDocument::parse("flake.nix", read(d, "flake.nix"))
        .unwrap()
        .get(&"outputs".parse().unwrap())
        .unwrap()
        .unwrap();
    let old = format!(
        "{}outputs = \"\"\"\n{outputs}\"\"\"\n{}",
        &lock[..start],
        &lock[end..]
    );
    fs::write(d.join("devgen.lock"), &old).unwrap();
    let flake = read(d, "flake.nix");
    let out = devgen(d, &["sync"]);
    assert_exit(&out, 0);
    assert!(
        !crate::support::stderr(&out).contains("manages from now on"),
        "{}",
        crate::support::stderr(&out)
    );
    assert_eq!(read(d, "flake.nix"), flake);
    assert!(read(d, "devgen.lock").contains("\"outputs.devShells.default\""));
    assert_exit(&devgen(d, &["diff"]), 0);
}

/// An existing devenv.nix with PostgreSQL on 127.0.0.1 (devenv's default): the address is
/// no project's, so init takes a free one from the registry, gives PostgreSQL the project's,
/// says so, and adopts the rest (the port) — where it used to take 127.0.0.1 as the project
/// address and then conflict with itself.
#[test]
fn init_over_a_devenv_on_127_0_0_1_takes_a_free_address_and_the_rest() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("shop");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("devenv.nix"),
        "{ pkgs, ... }:\n{\n  services.postgres = {\n    enable = true;\n    listen_addresses = \"127.0.0.1\";\n    port = 5433;\n  };\n  packages = [ pkgs.git ];\n}\n",
    )
    .unwrap();
    let out = devgen(&dir, &["init"]);
    assert_exit(&out, 0);
    let said = crate::support::stderr(&out);
    assert!(
        said.contains("`services.postgres.listen_addresses` was \"127.0.0.1\""),
        "{said}"
    );
    assert!(said.contains("postgres.port = 5433"), "{said}");
    let spec = read(&dir, "devgen.toml");
    assert!(!spec.contains("ip = \"127.0.0.1\""), "{spec}");
    assert!(spec.contains("ip = \"127.0.0.10\""), "{spec}");
    let devenv = read(&dir, "devenv.nix");
    assert!(devenv.contains("then \"127.0.0.10\" else ip;"), "{devenv}");
    assert!(devenv.contains("pkgs.git"), "{devenv}");
    assert_exit(&devgen(&dir, &["diff"]), 0);
}

/// `scripts/restart-phoenix` aborts Phoenix and counts on overmind to start it again, which
/// only `auto_restart` does: turned off, devgen stops writing the script and removes the one
/// it wrote — unless it was changed by hand, which is a conflict until --force.
#[test]
fn turning_auto_restart_off_removes_the_restart_script_devgen_wrote() {
    let dir = crate::support::synced_project("liberties");
    let d = dir.path();
    assert!(d.join("scripts/restart-phoenix").exists());
    let spec = read(d, "devgen.toml").replace("auto_restart = true", "auto_restart = false");
    fs::write(d.join("devgen.toml"), &spec).unwrap();
    let diff = devgen(d, &["diff", "--format", "json"]);
    assert_exit(&diff, 1);
    let report: serde_json::Value = serde_json::from_str(&crate::support::stdout(&diff)).unwrap();
    let script = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "scripts/restart-phoenix")
        .expect("the script is in the report");
    assert_eq!(script["action"], "remove", "{script:#}");
    assert!(
        script["diff"].as_str().unwrap().contains("+++ /dev/null"),
        "{script:#}"
    );

    // Changed by hand: a conflict, and nothing is removed.
    let script_text = read(d, "scripts/restart-phoenix") + "# ours\n";
    fs::write(d.join("scripts/restart-phoenix"), &script_text).unwrap();
    assert_exit(&devgen(d, &["sync"]), 3);
    assert_eq!(read(d, "scripts/restart-phoenix"), script_text);

    // --force removes it; the lock forgets it; the next run is in sync.
    let out = devgen(d, &["sync", "--force"]);
    assert_exit(&out, 0);
    assert!(crate::support::stderr(&out).contains("removed scripts/restart-phoenix"));
    assert!(!d.join("scripts/restart-phoenix").exists());
    assert!(!read(d, "devgen.lock").contains("restart-phoenix"));
    assert_exit(&devgen(d, &["diff"]), 0);

    // On again: written again.
    fs::write(
        d.join("devgen.toml"),
        spec.replace("auto_restart = false", "auto_restart = true"),
    )
    .unwrap();
    assert_exit(&devgen(d, &["sync"]), 0);
    assert!(d.join("scripts/restart-phoenix").exists());
}

/// A devenv module's `lib` is nixpkgs' own: the team's `lib.optionals pkgs.stdenv.isLinux`
/// list is devgen's Linux-only list, and devgen's inotify-tools stays in it — it used to move
/// to a `pkgs.lib.optionals` list of its own on the next run, so `diff` never came to rest.
#[test]
fn a_linux_only_list_spelled_with_the_modules_lib_is_devgens_too() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("shop");
    fs::create_dir(&dir).unwrap();
    let linux = "] ++ lib.optionals pkgs.stdenv.isLinux [ pkgs.inotify-tools ];";
    fs::write(
        dir.join("devenv.nix"),
        format!("{{ pkgs, lib, ... }}:\n{{\n  packages = [ pkgs.git\n  {linux}\n}}\n"),
    )
    .unwrap();
    assert_exit(&devgen(&dir, &["init", "--ip", "127.0.0.44"]), 0);
    assert_exit(&devgen(&dir, &["sync"]), 0);
    assert_exit(&devgen(&dir, &["diff"]), 0);
    let devenv = read(&dir, "devenv.nix");
    assert!(devenv.contains(linux), "{devenv}");
    assert!(!devenv.contains("pkgs.lib.optionals"), "{devenv}");
}
