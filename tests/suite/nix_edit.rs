//! `devgen nix` on every shape the editor promises to handle, through the command line:
//! each case's diff (or error) is an insta snapshot, and each edited file is given to real
//! Nix — `nix-instantiate --parse`, then an evaluation showing the path holds what was asked.

use std::process::Command;

use crate::support::{devgen, fixture_path, require, run_ok, stderr, stdout};

/// One `devgen nix` invocation on a file of `fixtures/nix/`.
struct Case {
    name: String,
    file: String,
    args: Vec<String>,
}

/// The editor's shapes (`fixtures/nix/shapes.toml`, which the editor crate's own snapshot
/// test reads too), each named as its transcript is here.
fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(fixture_path("nix/shapes.toml")).unwrap();
    let doc: toml_edit::DocumentMut = text.parse().unwrap();
    let string = |t: &toml_edit::Table, key: &str| t.get(key)?.as_str().map(str::to_string);
    doc["case"]
        .as_array_of_tables()
        .expect("[[case]] tables")
        .iter()
        .map(|t| Case {
            // `get` of an unbound path is an error on the command line: `cli` names it so
            name: string(t, "cli").or_else(|| string(t, "name")).unwrap(),
            file: string(t, "file").unwrap(),
            args: t["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_string())
                .collect(),
        })
        .collect()
}

fn transcript(c: &Case) -> (String, Option<String>) {
    let dir = fixture_path("nix");
    let mut args = vec!["nix", c.args[0].as_str(), c.file.as_str()];
    args.extend(c.args[1..].iter().map(String::as_str));
    let shown = format!(
        "$ devgen nix {} {} {}",
        c.args[0],
        c.file,
        c.args[1..]
            .iter()
            .map(|a| shell_word(a))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let edits = c.args[0] != "get";
    if edits {
        args.push("--diff");
    }
    let out = devgen(&dir, &args);
    let code = out.status.code().unwrap();
    let text = format!(
        "{shown}{}\n[exit {code}]\n{}{}",
        if edits { " --diff" } else { "" },
        stdout(&out),
        stderr(&out)
    );
    // the new file itself, for the Nix checks
    let new_file = (edits && code == 0).then(|| {
        let printed = devgen(&dir, &args[..args.len() - 1]);
        stdout(&printed)
    });
    (text, new_file)
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{s}'")
    }
}

/// A Nix expression checking, in the edited file, what the case asked for.
fn nix_check(c: &Case, before: &str, after: &str) -> String {
    let path = &c.args[1];
    let check = match c.args[0].as_str() {
        "set" => format!("after.{path} == ({})", c.args[2]),
        "add" => {
            format!("builtins.length after.{path} == builtins.length (before.{path} or [ ]) + 1")
        }
        "remove" => format!("builtins.length after.{path} == builtins.length before.{path} - 1"),
        "delete" => format!("!(after ? {path}) && (before ? {path})"),
        other => unreachable!("{other}"),
    };
    format!(
        "let
           pkgs = {{ lib.optionals = c: l: if c then l else [ ]; stdenv.isLinux = true; }};
           load = f: let v = import f; in
             if builtins.isFunction v then v {{ inherit pkgs; config = {{ }}; lib = {{ mkIf = c: v: v; }}; }} else v;
           before = load {before};
           after = load {after};
         in {check}"
    )
}

#[test]
fn nix_edits_of_every_shape_match_their_snapshots_and_real_nix_agrees() {
    let nix = require("nix-instantiate");
    let work = tempfile::tempdir().unwrap();
    for c in &cases() {
        let (text, new_file) = transcript(c);
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("devgen nix on fixtures/nix/{}", c.file),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("nix_edit__{}", c.name), text);
        });
        let is_error = c.name.starts_with("error_");
        assert_eq!(
            text.contains("[exit 0]"),
            !is_error,
            "{}: exit status\n{text}",
            c.name
        );
        if is_error {
            assert!(
                text.contains(&format!("{}:", c.file))
                    || text.contains("EXPR:")
                    || c.name == "error_unset_path",
                "{}: the error names a place\n{text}",
                c.name
            );
            continue;
        }
        let Some(new_text) = new_file else { continue };
        let before = fixture_path(&format!("nix/{}", c.file));
        let after = work.path().join(format!("{}.nix", c.name));
        std::fs::write(&after, &new_text).unwrap();
        run_ok(Command::new(&nix).arg("--parse").arg(&after));
        if new_text == std::fs::read_to_string(&before).unwrap() {
            continue; // a no-op: nothing to evaluate
        }
        let expr = nix_check(
            c,
            &before.display().to_string(),
            &after.display().to_string(),
        );
        let result = run_ok(Command::new(&nix).args(["--eval", "--strict", "--expr", &expr]));
        assert_eq!(
            result.trim(),
            "true",
            "{}: Nix does not see the edit\n{expr}\n{new_text}",
            c.name
        );
    }
}

/// The help of a refused edit names a path that exists: the whole path of a binding inside
/// a nested set, and no `set` for a name a `let` binds.
#[test]
fn refusals_point_at_paths_that_exist() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("flake.nix"),
        "{\n  inputs = {\n    nixpkgs.url = \"github:NixOS/nixpkgs\";\n  };\n  outputs = _: { };\n}\n",
    )
    .unwrap();
    let out = devgen(dir.path(), &["nix", "get", "flake.nix", "inputs.nixpkgs"]);
    crate::support::assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("use a longer path, like `inputs.nixpkgs.url`"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        dir.path().join("devenv.nix"),
        "{ pkgs, ... }:\nlet\n  tools = [ pkgs.jq ];\nin\n{\n  packages = tools;\n}\n",
    )
    .unwrap();
    let out = devgen(dir.path(), &["nix", "get", "devenv.nix", "tools"]);
    crate::support::assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("`tools` is bound by a `let` in devenv.nix"),
        "{err}"
    );
    assert!(err.contains("--> devenv.nix:3:3"), "{err}");
    assert!(!err.contains("devgen nix set"), "{err}");
}
