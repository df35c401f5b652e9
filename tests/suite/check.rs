//! `devgen check`: devenv modules checked against devenv's options. Broken modules under
//! `fixtures/check/broken/` each name on their first line the place and message devgen must
//! report (`# expect: LINE:COL message`); valid ones under `fixtures/check/valid/` must pass
//! with nothing left unchecked; devgen's own output must always pass.

use std::path::Path;

use serde_json::Value;

use crate::support::{
    assert_exit, devgen, fixture_path, read, require, stderr, stdout, synced_project, SPEC_FIXTURES,
};

/// The `.nix` files directly in `fixtures/check/<dir>`, by name.
fn modules(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixture_path(&format!("check/{dir}")))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".nix"))
        .collect();
    names.sort();
    names
}

/// What a broken module's first line says devgen must report: `(line, column, message)`.
fn expectation(dir: &Path, name: &str) -> (usize, usize, String) {
    let text = read(dir, name);
    let rest = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("# expect: "))
        .unwrap_or_else(|| panic!("{name}: the first line is `# expect: LINE:COL message`"));
    let (place, message) = rest.split_once(' ').unwrap();
    let (line, col) = place.split_once(':').unwrap();
    (
        line.parse().unwrap(),
        col.parse().unwrap(),
        message.to_string(),
    )
}

fn json(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", stdout(out), stderr(out)))
}

#[test]
fn each_class_of_mistake_has_a_broken_module() {
    let have = modules("broken");
    for class in [
        "misspelled-option.nix",
        "string-for-port.nix",
        "list-for-string.nix",
        "string-for-package.nix",
        "port-out-of-range.nix",
        "submodule-typo.nix",
        "process-typo.nix",
        "name-level-typo.nix",
        "wrong-type-under-mkif.nix",
        "wrong-type-under-mkdefault.nix",
        "unknown-enum-value.nix",
        "computed-port-out-of-range.nix",
    ] {
        assert!(
            have.iter().any(|h| h == class),
            "no fixtures/check/broken/{class}"
        );
    }
}

#[test]
fn every_broken_module_is_rejected_at_its_line_and_column_with_a_fix() {
    require("nix-instantiate");
    let dir = fixture_path("check/broken");
    for name in modules("broken") {
        let (line, col, message) = expectation(&dir, &name);
        let out = devgen(&dir, &["check", &name]);
        assert_exit(&out, 1);
        let text = stdout(&out);
        assert!(
            text.contains(&format!("--> {name}:{line}:{col}\n")),
            "{name}: expected the finding at {line}:{col}:\n{text}"
        );
        assert!(
            text.contains(&message),
            "{name}: expected `{message}`:\n{text}"
        );
        assert!(
            text.contains("= help: "),
            "{name}: a finding says how to fix it:\n{text}"
        );
        let report = json(&devgen(&dir, &["check", "--format", "json", &name]));
        let first = &report["files"][0]["findings"][0];
        assert_eq!(
            (first["line"].as_u64(), first["column"].as_u64()),
            (Some(line as u64), Some(col as u64)),
            "{name}"
        );
    }
}

/// The text output of every broken module, reviewed by eye in `snapshots/check__*.snap`.
#[test]
fn broken_modules_read_like_rustc() {
    require("nix-instantiate");
    let dir = fixture_path("check/broken");
    for name in modules("broken") {
        let out = devgen(&dir, &["check", &name]);
        let shown = format!("{}\n{}", stdout(&out), stderr(&out));
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("devgen check fixtures/check/broken/{name}"),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("check__{}", name.trim_end_matches(".nix")), shown);
        });
    }
    // A broken module removed leaves no snapshot behind.
    let snapshots = std::fs::read_dir(crate::support::repo_root().join("snapshots")).unwrap();
    for snapshot in snapshots.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()) {
        if let Some(stem) = snapshot
            .strip_prefix("check__")
            .and_then(|s| s.strip_suffix(".snap"))
        {
            assert!(
                dir.join(format!("{stem}.nix")).exists(),
                "snapshots/{snapshot} has no module"
            );
        }
    }
}

#[test]
fn valid_modules_pass_with_nothing_left_unchecked() {
    require("nix-instantiate");
    let dir = fixture_path("check/valid");
    for name in modules("valid") {
        let out = devgen(&dir, &["check", "--format", "json", &name]);
        assert_exit(&out, 0);
        let file = &json(&out)["files"][0];
        assert_eq!(file["findings"], serde_json::json!([]), "{name}");
        assert_eq!(file["unchecked"], serde_json::json!([]), "{name}: {file:#}");
        assert!(file["checked"].as_u64().unwrap() > 0, "{name}: {file:#}");
    }
}

/// Without evaluation, what only evaluation can know is listed with `--verbose`, not guessed.
#[test]
fn no_eval_leaves_computed_values_unchecked_and_lists_them() {
    let dir = fixture_path("check/valid");
    let out = devgen(
        &dir,
        &["check", "--no-eval", "--verbose", "computed-values.nix"],
    );
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("unchecked: computed-values.nix:9:28 `services.postgres.port` is the result of `builtins.add` (devenv wants an integer between 0 and 65535)"),
        "{err}"
    );
    assert!(err.contains("5 unchecked"), "{err}");
    let quiet = devgen(&dir, &["check", "--no-eval", "computed-values.nix"]);
    assert!(
        stderr(&quiet).contains("(--verbose lists them)"),
        "{}",
        stderr(&quiet)
    );
}

/// What evaluation cannot settle either stays unchecked, with the reason.
#[test]
fn a_value_only_devenv_knows_stays_unchecked_with_the_reason() {
    require("nix-instantiate");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("devenv.nix"),
        "{ pkgs, inputs, ... }:\n{\n  packages = [ inputs.tools.packages.${pkgs.system}.lint ];\n  env.X = \"1\";\n}\n",
    )
    .unwrap();
    let out = devgen(dir.path(), &["check", "--format", "json"]);
    assert_exit(&out, 0);
    let file = &json(&out)["files"][0];
    let unchecked = &file["unchecked"][0];
    assert_eq!(unchecked["path"], "packages[0]", "{file:#}");
    assert_eq!(
        (unchecked["line"].as_u64(), unchecked["column"].as_u64()),
        (Some(3), Some(16))
    );
    let reason = unchecked["reason"].as_str().unwrap();
    assert!(
        reason.contains("stand-ins failed") && reason.contains("missing"),
        "{reason}"
    );
}

#[test]
fn the_json_report_names_devenvs_revision_and_each_finding() {
    let dir = fixture_path("check/broken");
    let out = devgen(
        &dir,
        &[
            "check",
            "--format",
            "json",
            "port-out-of-range.nix",
            "process-typo.nix",
        ],
    );
    assert_exit(&out, 1);
    let report = json(&out);
    assert_eq!(report["status"], "findings");
    assert_eq!(report["exit_code"], 1);
    assert!(report["devenv"]
        .as_str()
        .unwrap()
        .starts_with("cachix/devenv "));
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    let finding = &files[1]["findings"][0];
    assert_eq!(finding["path"], "processes.phoenix.exce");
    assert_eq!(finding["label"], "not an option of devenv");
    assert!(
        finding["help"]
            .as_str()
            .unwrap()
            .contains("`processes.phoenix.exec`"),
        "{finding:#}"
    );
}

#[test]
fn a_module_that_does_not_parse_or_exist_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("devenv.nix"),
        "{ pkgs, ... }:\n{\n  packages = [ pkgs.git ;\n}\n",
    )
    .unwrap();
    let out = devgen(dir.path(), &["check"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("devenv.nix:3:"), "{}", stderr(&out));
    let out = devgen(dir.path(), &["check", "missing.nix"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("missing.nix"), "{}", stderr(&out));
}

/// devgen's own devenv.nix, for every spec fixture and for the shared PostgreSQL
/// environment, sets nothing devenv would refuse — a finding here is a devgen bug.
#[test]
fn devgens_output_for_every_fixture_and_target_passes_devgen_check() {
    require("nix-instantiate");
    for fixture in SPEC_FIXTURES {
        let project = synced_project(fixture);
        let out = devgen(project.path(), &["check", "--format", "json"]);
        assert_exit(&out, 0);
        let file = &json(&out)["files"][0];
        assert_eq!(file["findings"], serde_json::json!([]), "{fixture}");
        assert_eq!(
            file["unchecked"],
            serde_json::json!([]),
            "{fixture}: {file:#}"
        );
    }
    let project = synced_project("shared");
    let out_dir = tempfile::tempdir().unwrap();
    let dest = out_dir.path().to_str().unwrap();
    assert_exit(
        &devgen(
            project.path(),
            &["shared", "--postgres", "17", "--write", dest],
        ),
        0,
    );
    let out = devgen(out_dir.path(), &["check", "devenv.nix"]);
    assert_exit(&out, 0);
}

/// A typo in lines the user keeps in devenv.nix stops `sync` before it writes a module devenv
/// would refuse, pointing at the line; nothing is written.
#[test]
fn sync_refuses_to_write_a_devenv_nix_devenv_would_refuse() {
    let project = synced_project("minimal");
    let dir = project.path();
    let typo = read(dir, "devenv.nix").replacen(
        "{\n",
        "{\n  processes.worker.exce = \"./bin/worker\";\n",
        1,
    );
    std::fs::write(dir.join("devenv.nix"), &typo).unwrap();
    let spec = read(dir, "devgen.toml").replace("acme", "acme2");
    std::fs::write(dir.join("devgen.toml"), &spec).unwrap();
    let before: Vec<(String, String)> = crate::support::files_under(dir)
        .into_iter()
        .map(|f| (f.clone(), read(dir, &f)))
        .collect();
    let out = devgen(dir, &["sync"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("devenv.nix:3:20"), "{err}");
    assert!(err.contains("processes.worker.exce"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    for (file, text) in before {
        assert_eq!(read(dir, &file), text, "{file} changed");
    }
    let diff = devgen(dir, &["diff"]);
    assert_exit(&diff, 2);
}

/// `scripts/update-devenv-options` turns devenv's options reference into the table devgen
/// embeds: names unescaped, types on one line, defaults from their first line or code block.
#[test]
fn the_update_script_converts_devenvs_options_reference() {
    let dir = fixture_path("check/reference");
    let script = crate::support::repo_root().join("scripts/update-devenv-options");
    let out = std::process::Command::new(require("python3"))
        .arg(script)
        .args(["v9.9.9", "--date", "2026-01-01", "--out", "-", "--from"])
        .arg(dir.join("options.md"))
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), read(&dir, "options.tsv"));
}
