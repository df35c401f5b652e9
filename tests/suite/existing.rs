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
