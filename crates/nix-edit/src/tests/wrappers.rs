//! Paths through wrappers: functions, `let`, `with`, calls, `//`, `mkMerge`, read and written.

use super::*;

// ---- paths through wrappers ------------------------------------------------------------

/// A fixture of `tests/fixtures/wrappers/`: files shaped like real ones.
fn wrapped(name: &str) -> NixDocument {
    let path = format!(
        "{}/tests/fixtures/wrappers/{name}.nix",
        env!("CARGO_MANIFEST_DIR")
    );
    NixDocument::parse(name, std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The wrappers `path` goes through in `d`, in words, each with the line:column it starts.
pub(super) fn through(d: &NixDocument, path: &str) -> Vec<String> {
    d.locate(&p(path))
        .unwrap()
        .wrappers
        .iter()
        .map(|w| {
            let (line, col) = line_col(d.text(), w.span.start);
            format!("{line}:{col} {w}")
        })
        .collect()
}

/// Apply `edit` to the fixture `name`: it changes the document, and again it does not.
fn edited_fixture(name: &str, edit: impl Fn(&mut NixDocument) -> Result<bool>) -> String {
    edited(wrapped(name).text(), edit)
}

#[test]
fn a_flakes_outputs_function_its_let_and_mkshell_are_gone_through() {
    let d = wrapped("flake-let");
    let packages = "outputs.devShells.x86_64-linux.default.packages";
    assert_eq!(
        d.get(&p(packages)).unwrap().as_deref(),
        Some("[\n          pkgs.elixir\n          pkgs.postgresql\n        ]")
    );
    assert_eq!(
        through(&d, packages),
        [
            "6:13 the function `{ self, nixpkgs }:`",
            "7:5 `let … in`",
            "14:40 the call of `pkgs.mkShell`"
        ]
    );
    let w = &d.locate(&p(packages)).unwrap().wrappers;
    assert_eq!(
        (w[0].depth, w[2].path_to(&p(packages))),
        (1, Some(p("outputs.devShells.x86_64-linux.default")))
    );
    let out = edited_fixture("flake-let", |d| d.add(&p(packages), "pkgs.redis"));
    assert!(
        out.contains("          pkgs.postgresql\n          pkgs.redis\n        ];\n      };"),
        "{out}"
    );
    let out = edited_fixture("flake-let", |d| {
        d.set(
            &p("outputs.devShells.x86_64-linux.default.env.MIX_ENV"),
            "\"dev\"",
        )
    });
    assert!(
        out.contains("        ];\n        env.MIX_ENV = \"dev\";\n      };\n    };"),
        "inside mkShell's set: {out}"
    );
    // a new output goes into the set the function's `let` gives
    let out = edited_fixture("flake-let", |d| {
        d.set(&p("outputs.formatter"), "pkgs.nixfmt")
    });
    assert!(
        out.contains("      };\n      formatter = pkgs.nixfmt;\n    };\n}"),
        "{out}"
    );
    // `callPackage ./package.nix { }`: a path goes into the arguments given to the file, as
    // written — what a user overrides there
    let packages = p("outputs.packages.x86_64-linux.default");
    assert_eq!(d.get(&p(&format!("{packages}.version"))).unwrap(), None);
    assert_eq!(
        through(&d, &format!("{packages}.version"))[2..],
        ["12:39 the call of `pkgs.callPackage`"]
    );
    let out = edited_fixture("flake-let", |d| {
        d.set(&p(&format!("{packages}.version")), "\"1.2\"")
    });
    assert!(
        out.contains("pkgs.callPackage ./package.nix { version = \"1.2\"; };"),
        "{out}"
    );
}

#[test]
fn a_module_config_under_mkif_is_read_and_written_inside_the_call() {
    let d = wrapped("module-mkif");
    assert_eq!(
        d.get(&p("config.home.packages")).unwrap().as_deref(),
        Some("[ pkgs.tool ]")
    );
    assert_eq!(
        through(&d, "config.home.packages"),
        [
            "1:1 the function `{ config, lib, pkgs, ... }:`",
            "3:1 `with lib;`",
            "5:1 `let … in`",
            "19:12 the call of `mkIf`"
        ]
    );
    let out = edited_fixture("module-mkif", |d| {
        d.set(&p("config.programs.tool.extra"), "true")
    });
    assert!(
        out.contains("builtins.toJSON cfg.settings;\n    programs.tool.extra = true;\n  };\n}"),
        "{out}"
    );
    let out = edited_fixture("module-mkif", |d| {
        d.set(
            &p("config.xdg.configFile.\"tool/config.json\".text"),
            "\"{}\"",
        )
    });
    assert!(
        out.contains("    xdg.configFile.\"tool/config.json\".text = \"{}\";\n"),
        "{out}"
    );
    assert!(out.contains("# the tool reads this file at start"), "{out}");
    // options are another path: `mkOption { … }` is a call whose last argument is a set
    assert_eq!(
        d.get(&p("options.programs.tool.settings.default"))
            .unwrap()
            .as_deref(),
        Some("{ }")
    );
    let out = edited_fixture("module-mkif", |d| d.delete(&p("config.home.packages")));
    assert!(
        out.contains("  config = mkIf cfg.enable {\n    # the tool reads"),
        "{out}"
    );
}

#[test]
fn mkmerge_reads_and_writes_the_one_element_that_binds_the_path() {
    let d = wrapped("module-mkmerge");
    let description = "config.systemd.services.backup.description";
    assert_eq!(
        d.get(&p(description)).unwrap().as_deref(),
        Some("\"Nightly backup\"")
    );
    assert_eq!(
        through(&d, description)[2..],
        [
            "7:12 element 2 of 3 of `lib.mkMerge`",
            "12:6 the call of `lib.mkIf`"
        ]
    );
    let out = edited_fixture("module-mkmerge", |d| {
        d.set(&p("config.systemd.services.backup.startAt"), "\"weekly\"")
    });
    assert!(out.contains("        startAt = \"weekly\";\n"), "{out}");
    // the third element binds onFailure: it is the one
    let out = edited_fixture("module-mkmerge", |d| {
        d.add(
            &p("config.systemd.services.backup.onFailure"),
            "\"mail@%n.service\"",
        )
    });
    assert!(
        out.contains("onFailure = [ \"notify@%n.service\" \"mail@%n.service\" ];"),
        "{out}"
    );
    // a new name: into the element that shares most of the path, else the plain set
    let out = edited_fixture("module-mkmerge", |d| {
        d.set(&p("config.networking.firewall.enable"), "false")
    });
    assert!(
        out.contains("      environment.systemPackages = [ pkgs.restic ];\n      networking.firewall.enable = false;\n    }"),
        "{out}"
    );
    let out = edited_fixture("module-mkmerge", |d| {
        d.set(&p("config.systemd.services.backup.after"), "[ ]")
    });
    assert!(
        out.contains("        startAt = \"daily\";\n        after = [ ];\n      };"),
        "beside its siblings, in the element that has them: {out}"
    );
    // several elements bind it: an error naming each place
    let err = d.get(&p("config.systemd.services.backup")).unwrap_err();
    let ErrorKind::Ambiguous {
        path,
        function,
        places,
    } = err.kind()
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (path, function.as_str()),
        (&p("config.systemd.services.backup"), "lib.mkMerge")
    );
    let at: Vec<(usize, usize)> = places.iter().map(|r| line_col(d.text(), r.start)).collect();
    assert_eq!(at, [(13, 7), (20, 7)]);
    assert_eq!(
        err.to_string(),
        "`config.systemd.services.backup` is bound in 2 elements of `lib.mkMerge`: at 13:7 and 20:7"
    );
    assert!(wrapped("module-mkmerge")
        .delete(&p("config.systemd.services.backup"))
        .is_err());
    // two mkIf sets binding the same name are as ambiguous
    let two = "{ lib, ... }:\n{\n  config = lib.mkMerge [\n    (lib.mkIf a { x = 1; })\n    (lib.mkIf b { x = 2; })\n  ];\n}\n";
    assert!(matches!(
        doc(two).set(&p("config.x"), "3").unwrap_err().kind(),
        ErrorKind::Ambiguous { .. }
    ));
}

#[test]
fn an_overlay_is_gone_into_through_both_functions_and_a_call() {
    let d = wrapped("overlay");
    let requests = "python3.packageOverrides.requests";
    assert_eq!(
        d.get(&p(requests)).unwrap().as_deref(),
        Some("pyPrev.requests.overridePythonAttrs { doCheck = false; }")
    );
    assert_eq!(
        through(&d, requests),
        [
            "1:1 the function `final:`",
            "1:8 the function `prev:`",
            "2:13 the call of `prev.python3.override`",
            "3:24 the function `pyFinal:`",
            "3:33 the function `pyPrev:`"
        ]
    );
    assert_eq!(
        d.get(&p("python3.packageOverrides.requests.doCheck"))
            .unwrap()
            .as_deref(),
        Some("false")
    );
    let out = edited_fixture("overlay", |d| d.set(&p("hello"), "prev.hello"));
    assert!(
        out.contains("  tool = final.callPackage ./tool { };\n  hello = prev.hello;\n}"),
        "{out}"
    );
    let out = edited_fixture("overlay", |d| {
        d.set(&p("python3.packageOverrides.flask"), "null")
    });
    assert!(
        out.contains("      requests = pyPrev.requests.overridePythonAttrs { doCheck = false; };\n      flask = null;\n"),
        "{out}"
    );
}

#[test]
fn mkshell_is_gone_into_at_the_top() {
    let out = edited_fixture("shell", |d| d.add(&p("packages"), "pkgs.redis"));
    assert!(
        out.contains("    pkgs.postgresql\n    pkgs.redis\n  ];"),
        "{out}"
    );
    let out = edited_fixture("shell", |d| d.set(&p("env.MIX_ENV"), "\"test\""));
    assert!(out.contains("  '';\n  env.MIX_ENV = \"test\";\n}"), "{out}");
    // the default argument's `import <nixpkgs> { }` is no path of the value
    let d = wrapped("shell");
    assert_eq!(
        through(&d, "packages"),
        [
            "1:1 the function `{ pkgs ? import <nixpkgs> { } }:`",
            "3:1 the call of `pkgs.mkShell`"
        ]
    );
}

#[test]
fn update_reads_the_rightmost_operand_that_binds_the_name() {
    let d = wrapped("optional-attrs");
    assert_eq!(
        d.get(&p("programs.git.userName")).unwrap().as_deref(),
        Some("\"Ada\"")
    );
    assert_eq!(
        through(&d, "programs.git.userName")[1],
        "3:1 operand 1 of 2 of `//`"
    );
    assert_eq!(
        d.get(&p("targets.darwin.defaults.\"com.apple.dock\".autohide"))
            .unwrap()
            .as_deref(),
        Some("true")
    );
    // a name the left binds goes there; a new one into the rightmost set
    let out = edited_fixture("optional-attrs", |d| {
        d.set(&p("programs.git.userEmail"), "\"ada@example.org\"")
    });
    assert!(
        out.contains("    userName = \"Ada\";\n    userEmail = \"ada@example.org\";\n  };"),
        "{out}"
    );
    // a new name into the rightmost set reached without a call: not into optionalAttrs,
    // whose set may not count
    let out = edited_fixture("optional-attrs", |d| d.set(&p("xdg.enable"), "true"));
    assert!(
        out.contains("    userName = \"Ada\";\n  };\n  xdg.enable = true;\n}\n// lib"),
        "{out}"
    );
    // `//` replaces a name whole: the right one's `a` hides everything of the left one's
    let text = "{ a = { x = 1; }; b = 0; } // { a = { y = 2; }; }\n";
    let d = doc(text);
    assert_eq!(d.get(&p("a.y")).unwrap().as_deref(), Some("2"));
    assert_eq!(
        d.get(&p("a.x")).unwrap(),
        None,
        "the left `a` is overridden"
    );
    assert_eq!(
        edited(text, |d| d.set(&p("a.x"), "3")),
        "{ a = { x = 1; }; b = 0; } // { a = { y = 2; x = 3; }; }\n"
    );
    assert_eq!(
        edited(text, |d| d.set(&p("b"), "1")),
        "{ a = { x = 1; }; b = 1; } // { a = { y = 2; }; }\n"
    );
}

#[test]
fn delete_through_update_removes_the_name_from_every_operand() {
    let text = "{ a = 1; b = 0; } // { a = 2; }\n";
    let mut d = doc(text);
    let report = d.edit(Edit::Delete { path: &p("a") }).unwrap();
    assert_eq!(d.text(), "{ b = 0; } // { }\n");
    assert!(report.changed);
    assert_eq!(
        report.changes,
        [
            Change {
                before: 1..8,
                after: 1..1
            },
            Change {
                before: 22..29,
                after: 15..15
            }
        ]
    );
    assert_eq!(
        report.wrappers.len(),
        2,
        "both operands: {:?}",
        report.wrappers
    );
    assert_eq!(d.get(&p("a")).unwrap(), None);
    assert!(!d.delete(&p("a")).unwrap());
}

#[test]
fn an_update_operand_the_editor_cannot_see_inside_is_taken_into_account() {
    // on the right of where the path goes: it might override what is there
    let text = "{\n  services = { a = 1; } // extra;\n}\n";
    for result in [
        doc(text).get(&p("services.a")).map(|_| ()),
        doc(text).set(&p("services.a"), "2").map(|_| ()),
        doc(text).delete(&p("services.a")).map(|_| ()),
    ] {
        let err = result.unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::Hidden { path, found, after_delete: false }
                if path.segments()[0] == "services" && found == "the variable `extra`"),
            "{err:?}"
        );
        assert_eq!(at(&err), "test.nix:2:28");
        assert_eq!(err.editable(), Some(&p("services")));
    }
    assert!(
        doc(text).set(&p("services"), "{ }").unwrap(),
        "the editable place is"
    );
    // on the left: what the right binds wins, and a new name goes on the right
    let text = "{\n  services = defaults // { a = 1; };\n}\n";
    assert_eq!(
        doc(text).get(&p("services.a")).unwrap().as_deref(),
        Some("1")
    );
    assert_eq!(
        edited(text, |d| d.set(&p("services.b"), "2")),
        "{\n  services = defaults // { a = 1; b = 2; };\n}\n"
    );
}

#[test]
fn a_new_name_takes_a_new_operand_where_the_rightmost_cannot_be_seen_inside() {
    // nothing seen binds `b`, and `extra` might: a new operand on the right wins over it
    let text = "{\n  services = { a = 1; } // extra;\n}\n";
    let mut d = doc(text);
    let report = d
        .edit(Edit::Set {
            path: &p("services.b"),
            expr: "2",
        })
        .unwrap();
    assert_eq!(
        d.text(),
        "{\n  services = { a = 1; } // extra // { b = 2; };\n}\n"
    );
    assert_eq!(
        report.wrappers[0].kind,
        WrapperKind::NewOperand { operands: 2 }
    );
    assert!(
        report.notes.is_empty(),
        "one name: nothing else is replaced"
    );
    assert_eq!(d.get(&p("services.b")).unwrap().as_deref(), Some("2"));
    assert!(
        !d.set(&p("services.b"), "2").unwrap(),
        "a second time: as asked"
    );
    // deleting it again is refused: `extra` may bind it then
    assert!(matches!(
        d.delete(&p("services.b")).unwrap_err().kind(),
        ErrorKind::Hidden {
            after_delete: true,
            ..
        }
    ));

    // a chain of calls only, one operand a line: the new one on a line of its own; a
    // longer path replaces what the calls may bind at its first name, and says so
    let text = "{ lib, ... }:\n(lib.optionalAttrs a (import ./x.nix))\n// (lib.optionalAttrs b (import ./y.nix))\n";
    let mut d = doc(text);
    let report = d
        .edit(Edit::Set {
            path: &p("tests.one.enable"),
            expr: "true",
        })
        .unwrap();
    assert_eq!(
        d.text(),
        format!("{}// {{ tests.one.enable = true; }}\n", text)
    );
    let [note] = report.notes.as_slice() else {
        panic!("one note: {:?}", report.notes)
    };
    assert_eq!(
        &text[note.span.clone()],
        "(lib.optionalAttrs b (import ./y.nix))"
    );
    assert!(note.message.contains("`tests`"), "{}", note.message);

    // `add` creates its list the same way; operators at line ends keep theirs there
    let text = "{\n  xs = a //\n    b;\n}\n";
    assert_eq!(
        edited(text, |d| d.add(&p("xs.list"), "1")),
        "{\n  xs = a //\n    b //\n    { list = [ 1 ]; };\n}\n"
    );
    // a read still says what it cannot see: `b` may bind it
    let err = doc(text).get(&p("xs.list")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Hidden { found, after_delete: false, .. } if found == "the variable `b`"),
        "{err:?}"
    );
    assert_eq!(at(&err), "test.nix:3:5");
}

#[test]
fn lambdas_let_and_with_are_gone_through_at_any_depth() {
    let text = "{ lib, ... }:\n{\n  a = let b = 1; in with lib; {\n    c = b;\n  };\n  f = x: { y = x; };\n  g = assert true; { h = 1; };\n}\n";
    let d = doc(text);
    assert_eq!(d.get(&p("a.c")).unwrap().as_deref(), Some("b"));
    assert_eq!(d.get(&p("f.y")).unwrap().as_deref(), Some("x"));
    assert_eq!(d.get(&p("g.h")).unwrap().as_deref(), Some("1"));
    assert_eq!(
        through(&d, "a.c")[1..],
        ["3:7 `let … in`", "3:21 `with lib;`"]
    );
    assert_eq!(through(&d, "g.h")[1..], ["7:7 `assert …;`"]);
    assert_eq!(
        edited(text, |d| d.set(&p("a.d"), "2")),
        text.replace("    c = b;\n", "    c = b;\n    d = 2;\n")
    );
    assert_eq!(
        edited(text, |d| d.set(&p("f.z"), "1")),
        text.replace("{ y = x; }", "{ y = x; z = 1; }")
    );
}

#[test]
fn calls_are_gone_through_only_into_a_set_argument() {
    let text = "{ pkgs, lib, ... }:\n{\n  a = lib.mkDefault { x = 1; };\n  b = pkgs.writeText \"b\" \"text\";\n  c = import ./c.nix { inherit pkgs; };\n  d = lib.mkIf true (lib.mkMerge [ { y = 1; } ]);\n  e = lib.mkForce (lib.optionalAttrs true { z = 1; });\n}\n";
    let d = doc(text);
    assert_eq!(d.get(&p("a.x")).unwrap().as_deref(), Some("1"));
    assert_eq!(d.get(&p("d.y")).unwrap().as_deref(), Some("1"));
    assert_eq!(d.get(&p("e.z")).unwrap().as_deref(), Some("1"));
    let err = d.get(&p("b.x")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotAttrSet { found, .. } if found == "a function call"),
        "{err:?}"
    );
    assert_eq!(err.editable(), Some(&p("b")));
    assert!(doc(text).set(&p("b"), "{ }").unwrap());
    // `import ./c.nix { … }`: into the arguments given to the file, as written
    assert_eq!(d.get(&p("c.pkgs")).unwrap().as_deref(), Some("pkgs"));
    assert_eq!(
        edited("import ./x.nix { }", |d| d.set(&p("a"), "1")),
        "import ./x.nix { a = 1; }"
    );
    // …but as an operand of `//` its result is what counts, and it binds what the file
    // gives: a new name goes on its right
    assert_eq!(
        edited("{ a = 1; } // import ./x.nix { b = 2; }", |d| d
            .set(&p("b"), "3")),
        "{ a = 1; } // import ./x.nix { b = 2; } // { b = 3; }"
    );
    // a document whose value is a call with no set to go into: nothing to edit
    let err = doc("f x").set(&p("a"), "1").unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::NotAttrSetDocument { .. }));
    assert_eq!(err.editable(), None);
}

#[test]
fn an_edits_report_says_what_it_replaced_and_what_it_went_through() {
    let text = "{ lib, ... }:\n{\n  config = lib.mkIf true {\n    a = 1;\n  };\n}\n";
    let mut d = doc(text);
    let report = d
        .edit(Edit::Set {
            path: &p("config.a"),
            expr: "22",
        })
        .unwrap();
    assert_eq!(
        report.changes,
        [Change {
            before: 51..52,
            after: 51..53
        }]
    );
    assert_eq!(&d.text()[report.span().unwrap()], "22");
    let kinds: Vec<&WrapperKind> = report.wrappers.iter().map(|w| &w.kind).collect();
    assert_eq!(
        kinds,
        [
            &WrapperKind::Function {
                parameter: "{ lib, ... }".into()
            },
            &WrapperKind::Call {
                function: "lib.mkIf".into()
            }
        ]
    );
    let again = d
        .edit(Edit::Set {
            path: &p("config.a"),
            expr: "22",
        })
        .unwrap();
    assert!(!again.changed && again.changes.is_empty() && again.span().is_none());
    let kinds_of = |r: &EditReport| {
        r.wrappers
            .iter()
            .map(|w| w.kind.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds_of(&again),
        kinds_of(&report),
        "where it would have gone"
    );
    assert_eq!(
        again.wrappers[1].span.end,
        report.wrappers[1].span.end + 1,
        "spans are in the text before the edit"
    );
    let report = d
        .edit(Edit::Add {
            path: &p("config.l"),
            expr: "1",
        })
        .unwrap();
    assert_eq!(&d.text()[report.span().unwrap()], "\n    l = [ 1 ];");
    let location = d.locate(&p("config.l")).unwrap();
    assert_eq!(location.wrappers.len(), report.wrappers.len());
    assert!(matches!(location.bound, Bound::Value(ref r) if &d.text()[r.clone()] == "[ 1 ]"));
    assert!(matches!(
        d.locate(&p("config.zz")).unwrap().bound,
        Bound::Unbound { .. }
    ));
}

#[test]
fn mkif_beside_another_binding_of_the_same_name() {
    // Nix refuses `config = mkIf …; config.b = …;`; the editor reads each binding where it
    // is, refuses `config` as a whole (made of two bindings), and puts a new name under
    // `config` into the set of mkIf, the innermost set on the path
    let text = "{ lib, ... }:\n{\n  config = lib.mkIf true { a = 1; };\n  config.b = 2;\n}\n";
    let d = doc(text);
    assert_eq!(d.get(&p("config.a")).unwrap().as_deref(), Some("1"));
    assert_eq!(d.get(&p("config.b")).unwrap().as_deref(), Some("2"));
    assert!(matches!(
        d.get(&p("config")).unwrap_err().kind(),
        ErrorKind::Spread { .. }
    ));
    assert_eq!(
        edited(text, |d| d.set(&p("config.c"), "3")),
        text.replace("{ a = 1; }", "{ a = 1; c = 3; }")
    );
    // the same name in `options` and under `config`'s mkIf: two paths
    let module = "{ lib, ... }:\n{\n  options.enable = lib.mkEnableOption \"x\";\n  config = lib.mkIf true { enable = true; };\n}\n";
    assert_eq!(
        doc(module).get(&p("config.enable")).unwrap().as_deref(),
        Some("true")
    );
    assert!(doc(module).get(&p("options.enable.x")).is_err());
}

#[test]
fn syntax_errors_name_the_tokens_as_a_person_writes_them() {
    let message = |text: &str| match NixDocument::parse("bad.nix", text).unwrap_err().kind() {
        ErrorKind::Syntax { message } => message.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        message("{ a. = 1; }"),
        "unexpected `=`, expected a name or `or`"
    );
    assert_eq!(
        message("{ inherit a; b c }"),
        "unexpected name, expected `=`"
    );
    assert_eq!(
        message("{ a = 1 $ ; }"),
        "unexpected invalid character, expected `;`"
    );
}

#[test]
fn a_let_whose_body_is_one_of_its_names_is_gone_through_into_that_value() {
    let text = "{ buildEnv }:\nlet\n  env = buildEnv {\n    name = \"env\";\n  };\nin\nenv\n";
    let d = doc(text);
    assert_eq!(d.get(&p("name")).unwrap().as_deref(), Some("\"env\""));
    assert_eq!(
        through(&d, "name")[1..],
        ["2:1 `let env = …; in env`", "3:9 the call of `buildEnv`"]
    );
    assert_eq!(
        edited(text, |d| d.set(&p("meta.x"), "1")),
        text.replace(
            "    name = \"env\";\n",
            "    name = \"env\";\n    meta.x = 1;\n"
        )
    );
    // a name it binds only in part, or not at all, is a value the editor cannot see inside
    for text in [
        "let env = { a = 1; }; env.b = 2; in env",
        "let inherit (x) env; in env",
        "let other = { }; in env",
    ] {
        let err = doc(text).set(&p("c"), "1").unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::NotAttrSetDocument { found } if found == "the variable `env`"),
            "{text}: {err:?}"
        );
    }
}
