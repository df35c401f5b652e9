//! `devgen nix` on every shape the editor promises to handle, through the command line:
//! each case's diff (or error) is an insta snapshot, and each edited file is given to real
//! Nix — `nix-instantiate --parse`, then an evaluation showing the path holds what was asked.

use std::process::Command;

use crate::support::{assert_exit, devgen, fixture_path, require, run_ok, stderr, stdout};

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
    // Stubs of what the fixtures call: a module's wrappers give their sets as they are
    // (`mkIf` as if its condition held, `mkMerge` merging its elements deeply).
    format!(
        "let
           pkgs = {{
             lib.optionals = c: l: if c then l else [ ];
             stdenv = {{ isLinux = true; isDarwin = true; }};
             mkShell = a: a;
           }};
           deep = a: b: a // builtins.mapAttrs (n: v:
             if builtins.isAttrs v && builtins.isAttrs (a.${{n}} or null) then deep a.${{n}} v else v) b;
           lib = {{
             mkIf = c: v: v;
             mkMerge = builtins.foldl' deep {{ }};
             optionalAttrs = c: v: if c then v else {{ }};
             mkEnableOption = _: null;
             mkOption = a: a;
             types.attrs = null;
           }};
           args = {{ inherit pkgs lib; config = {{ }}; }};
           load = f: let v = import f; in
             if builtins.isFunction v then v (builtins.intersectAttrs (builtins.functionArgs v) args) else v;
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

/// `devgen nix … --format json` on `fixtures/nix/wrappers/FILE`.
fn nix_json(args: &[&str]) -> (std::process::Output, serde_json::Value) {
    nix_json_in(&fixture_path("nix/wrappers"), args)
}

/// `devgen nix … --format json` in `dir`.
fn nix_json_in(dir: &std::path::Path, args: &[&str]) -> (std::process::Output, serde_json::Value) {
    let mut all = vec!["nix"];
    all.extend(args);
    all.extend(["--format", "json"]);
    let out = devgen(dir, &all);
    let json = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (out, json)
}

/// The kind of each wrapper a JSON report lists.
fn kinds(json: &serde_json::Value) -> Vec<&str> {
    json["wrappers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect()
}

/// `--format json` says what a tool needs: the value or the new file, the span read or
/// written (bytes and line:column), the wrappers the path went through, whether the file
/// changed; the text output is the same file as before.
#[test]
fn json_reports_the_span_the_wrappers_and_the_change() {
    let path = "config.programs.tool.extra";
    let (out, j) = nix_json(&["set", "module-mkif.nix", path, "true"]);
    assert_exit(&out, 0);
    assert_eq!(
        (&j["status"], &j["operation"], &j["path"], &j["changed"]),
        (&"ok".into(), &"set".into(), &path.into(), &true.into()),
        "{j:#}"
    );
    let text = j["text"].as_str().unwrap();
    let span = &j["span"];
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "programs.tool.extra = true;");
    assert_eq!((&span["line"], &span["column"]), (&24.into(), &5.into()));
    let change = &j["changes"][0];
    assert_eq!(
        change["before"]["start"], change["before"]["end"],
        "an insertion"
    );
    assert_eq!(kinds(&j), ["function", "with", "let", "call"]);
    let call = &j["wrappers"][3];
    assert_eq!(call["function"], "mkIf");
    assert_eq!(call["of"], "config");
    assert_eq!((&call["line"], &call["column"]), (&19.into(), &12.into()));
    assert_eq!(call["description"], "the call of `mkIf`");
    assert_eq!(j["wrappers"][0]["of"], serde_json::Value::Null);
    // the text output is the same new file
    let plain = devgen(
        &fixture_path("nix/wrappers"),
        &["nix", "set", "module-mkif.nix", path, "true"],
    );
    assert_exit(&plain, 0);
    assert_eq!(stdout(&plain), text);

    let (out, j) = nix_json(&[
        "get",
        "module-mkmerge.nix",
        "config.systemd.services.backup.description",
    ]);
    assert_exit(&out, 0);
    assert_eq!(j["value"], "\"Nightly backup\"");
    assert_eq!(j["changed"], false);
    assert_eq!(
        (&j["span"]["line"], &j["span"]["column"]),
        (&14.into(), &23.into())
    );
    assert_eq!(kinds(&j), ["function", "let", "merge", "call"]);
    let merge = &j["wrappers"][2];
    assert_eq!(
        (&merge["function"], &merge["index"], &merge["count"]),
        (&"lib.mkMerge".into(), &2.into(), &3.into())
    );

    // nothing to change: no span, and the note on stderr as in text
    let (out, j) = nix_json(&[
        "set",
        "module-mkmerge.nix",
        "config.systemd.services.backup.startAt",
        "\"daily\"",
    ]);
    assert_exit(&out, 0);
    assert_eq!(
        (&j["changed"], &j["span"]),
        (&false.into(), &serde_json::Value::Null)
    );
    assert!(
        stderr(&out).contains("already as asked"),
        "{}",
        stderr(&out)
    );

    // --diff puts the diff in the report; through `//`, the operand it went into
    let (out, j) = nix_json(&[
        "set",
        "optional-attrs.nix",
        "programs.git.userEmail",
        "\"ada@example.org\"",
        "--diff",
    ]);
    assert_exit(&out, 0);
    assert!(j.get("text").is_none(), "{j:#}");
    assert!(
        j["diff"]
            .as_str()
            .unwrap()
            .contains("+    userEmail = \"ada@example.org\";"),
        "{j:#}"
    );
    let operand = &j["wrappers"][1];
    assert_eq!(
        (&operand["kind"], &operand["index"], &operand["count"]),
        (&"update".into(), &1.into(), &2.into())
    );

    // a refusal is a JSON document too, and an error on stderr
    let (out, j) = nix_json(&[
        "get",
        "module-mkmerge.nix",
        "config.systemd.services.backup",
    ]);
    assert_exit(&out, 2);
    assert_eq!(j["status"], "error");
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("is bound in 2 elements of `lib.mkMerge`: at 13:7 and 20:7"),
        "{j:#}"
    );
    assert!(
        stderr(&out).contains("--> module-mkmerge.nix:13:7"),
        "{}",
        stderr(&out)
    );
}

/// `--verbose` names each wrapper the path went through, and where the edit landed, on
/// stderr; stdout is the new file as without it.
#[test]
fn verbose_says_which_wrappers_the_path_went_through() {
    let dir = fixture_path("nix/wrappers");
    let out = devgen(
        &dir,
        &[
            "nix",
            "add",
            "shell.nix",
            "packages",
            "pkgs.redis",
            "--verbose",
        ],
    );
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        "shell.nix:1:1: went through the function `{ pkgs ? import <nixpkgs> { } }:`\n\
         shell.nix:3:1: went through the call of `pkgs.mkShell`\n\
         shell.nix:7:5: edited here\n"
    );
    assert!(stdout(&out).contains("    pkgs.postgresql\n    pkgs.redis\n  ];"));
    let out = devgen(
        &dir,
        &[
            "nix",
            "get",
            "flake-let.nix",
            "outputs.devShells.x86_64-linux.default.packages",
            "-v",
        ],
    );
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("flake-let.nix:6:13: went through the function `{ self, nixpkgs }:`, the value of `outputs`\n"),
        "{err}"
    );
    assert!(
        err.contains("flake-let.nix:14:40: went through the call of `pkgs.mkShell`, the value of `outputs.devShells.x86_64-linux.default`\n"),
        "{err}"
    );
}

/// Through `//`, a delete that removes the name from two operands has no one span — the
/// JSON `span` is `null` and `changes` lists both — and a `set` reports only the operand it
/// went into.
#[test]
fn a_delete_through_update_reports_each_change_and_a_set_only_its_operand() {
    let dir = tempfile::tempdir().unwrap();
    let text = "{\n  a = 1;\n  b = 2;\n} // {\n  a = 3;\n}\n";
    std::fs::write(dir.path().join("f.nix"), text).unwrap();
    let out = devgen(
        dir.path(),
        &["nix", "delete", "f.nix", "a", "--format", "json"],
    );
    assert_exit(&out, 0);
    let j: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(j["span"], serde_json::Value::Null, "{j:#}");
    let changes = j["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{j:#}");
    for c in changes {
        assert_eq!(c["after"]["start"], c["after"]["end"], "removals: {j:#}");
    }
    assert_eq!(j["text"], "{\n  b = 2;\n} // {\n}\n");
    assert_eq!(j["wrappers"].as_array().unwrap().len(), 2, "{j:#}");

    let out = devgen(dir.path(), &["nix", "set", "f.nix", "a", "5", "--verbose"]);
    assert_exit(&out, 0);
    assert_eq!(
        stderr(&out),
        "f.nix:4:6: went through operand 2 of 2 of `//`\nf.nix:5:7: edited here\n"
    );
}

/// An EXPR ending in a `#` comment keeps it at the end of the line the edit writes; where
/// more follows on that line, it is refused as a problem of the EXPR, not as a bug.
#[test]
fn an_expr_ending_in_a_comment_keeps_it_or_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.nix"), "{\n  b = 1;\n}\n").unwrap();
    let out = devgen(
        dir.path(),
        &["nix", "set", "c.nix", "a", "pkgs.foo # pinned"],
    );
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "{\n  b = 1;\n  a = pkgs.foo; # pinned\n}\n");
    std::fs::write(dir.path().join("one.nix"), "{ b = 1; }\n").unwrap();
    let out = devgen(
        dir.path(),
        &["nix", "set", "one.nix", "a", "pkgs.foo # pinned"],
    );
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.starts_with("error: the expression ends in a `#` comment, and more follows on the line where devgen would write it"),
        "{err}"
    );
    assert!(err.contains("--> EXPR:1:10"), "{err}");
    assert!(
        err.contains("= help: write the comment as `/* … */`"),
        "{err}"
    );
    assert!(!err.contains("internal error"), "{err}");
}

/// A refusal's JSON document carries what a tool needs besides the rendered text: the
/// kind, the place in the file or in EXPR, and the nearest editable place.
#[test]
fn json_errors_carry_the_kind_the_place_and_the_editable_path() {
    let (out, j) = nix_json(&[
        "get",
        "module-mkmerge.nix",
        "config.systemd.services.backup",
    ]);
    assert_exit(&out, 2);
    assert_eq!(j["kind"], "ambiguous", "{j:#}");
    assert_eq!((&j["line"], &j["column"]), (&13.into(), &7.into()), "{j:#}");
    assert_eq!(j["input"], "file");
    assert_eq!(j["span"]["line"], 13);
    assert!(j.get("editable").is_none(), "{j:#}");
    assert!(j["error"].as_str().unwrap().contains("bound in 2 elements"));

    let dir = tempfile::tempdir().unwrap();
    let text = "{\n  services = { a = 1; } // extra;\n}\n";
    std::fs::write(dir.path().join("f.nix"), text).unwrap();
    let json = |args: &[&str]| {
        let (out, j) = nix_json_in(dir.path(), args);
        assert_exit(&out, 2);
        j
    };
    let j = json(&["get", "f.nix", "services.a"]);
    assert_eq!(j["kind"], "hidden", "{j:#}");
    assert_eq!(j["editable"], "services");
    let (start, end) = (
        j["span"]["start"].as_u64().unwrap() as usize,
        j["span"]["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "extra");
    assert_eq!((&j["line"], &j["column"]), (&2.into(), &28.into()));

    let j = json(&["set", "f.nix", "x", "{ a = "]);
    assert_eq!(
        (&j["kind"], &j["input"]),
        (&"expression".into(), &"expression".into()),
        "{j:#}"
    );
    assert_eq!(j["line"], 1);
}

/// A file nesting deeper than any parser's stack takes — a `//` chain of 100,000 operands,
/// lists 5,000 deep, a call with 5,000 arguments — is refused with the place and exit code
/// 2: never an abort, whatever the operation and path.
#[test]
fn files_nested_too_deeply_are_refused_not_aborted() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "chain.nix",
            format!(
                "{{ a = 1; b = {}; c = 2; }}\n",
                vec!["x"; 100_000].join(" // ")
            ),
        ),
        (
            "lists.nix",
            format!(
                "{{ a = 1; b = {}{}; c = 2; }}\n",
                "[".repeat(5_000),
                "]".repeat(5_000)
            ),
        ),
        (
            "call.nix",
            format!(
                "rec {{ a = 1; b = f {}; c = 2; }}\n",
                vec!["x"; 5_000].join(" ")
            ),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
        for args in [
            &["get", name, "a"][..],
            &["get", name, "b"],
            &["get", name, "b.c"],
            &["set", name, "a", "2"],
            &["set", name, "b.c", "1"],
            &["set", name, "d", "1"],
            &["add", name, "b", "1"],
            &["delete", name, "b"],
        ] {
            let mut all = vec!["nix"];
            all.extend(args);
            let out = devgen(dir.path(), &all);
            let err = stderr(&out);
            assert_eq!(
                out.status.code(),
                Some(2),
                "{args:?}: {:?} {err}",
                out.status
            );
            assert!(err.contains("nested too deeply"), "{args:?}: {err}");
            assert!(err.contains(&format!("--> {name}:1:")), "{args:?}: {err}");
        }
    }
}

/// A `//` chain whose rightmost operand devgen cannot see inside takes a new name as a new
/// operand; the JSON report names it and carries the note a longer path gets, and a read of
/// a name that an unseen operand on the left may bind says so.
#[test]
fn a_new_operand_of_update_is_reported_with_what_it_may_replace() {
    let (out, j) = nix_json(&["set", "by-platform.nix", "generic.enable", "true"]);
    assert_exit(&out, 0);
    assert_eq!(kinds(&j), ["function", "let", "new-operand"], "{j:#}");
    let new = &j["wrappers"][2];
    assert_eq!(
        (&new["index"], &new["count"]),
        (&3.into(), &3.into()),
        "{j:#}"
    );
    let notes = j["notes"].as_array().expect("notes");
    assert_eq!(notes.len(), 1, "{j:#}");
    assert_eq!(
        (&notes[0]["line"], &notes[0]["column"]),
        (&13.into(), &4.into())
    );
    assert!(
        notes[0]["message"]
            .as_str()
            .unwrap()
            .contains("replaces that value whole"),
        "{j:#}"
    );
    assert!(
        j["text"].as_str().unwrap().ends_with(
            "// (lib.optionalAttrs pkgs.stdenv.isLinux linux)\n// { generic.enable = true; }\n"
        ),
        "{j:#}"
    );
    // and on stderr, whatever the format: the edit is made, what it may replace is for the
    // user to check
    assert!(
        stderr(&out)
            .starts_with("by-platform.nix:13:4: note: a function call may bind `generic` too"),
        "{}",
        stderr(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("f.nix"),
        "{ base }:\nbase // {\n  b = 2;\n}\n",
    )
    .unwrap();
    let out = devgen(dir.path(), &["nix", "get", "f.nix", "a"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("`a` is not set in f.nix"), "{err}");
    assert!(
        err.contains("= note: f.nix:2:1: the variable `base`, which the editor cannot see inside, may bind `a`"),
        "{err}"
    );
}
