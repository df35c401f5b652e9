//! The editor's behaviour on small documents and on the seed devenv.nix: where edits go,
//! what they keep, and which errors they give, at which place.

use crate::*;

const SEED: &str = include_str!("../../tests/fixtures/seed-devenv.nix");

fn doc(text: &str) -> NixDocument {
    NixDocument::parse("test.nix", text).unwrap()
}

fn p(s: &str) -> AttrPath {
    s.parse().unwrap()
}

/// `FILE:LINE:COL` of an error (`EXPR` for one in the expression given to the edit).
fn at(err: &Error) -> String {
    let (line, col) = err.line_col();
    format!("{}:{line}:{col}", err.file().unwrap_or("EXPR"))
}

/// Apply `edit`, assert it changed the document, and that doing it again changes nothing.
fn edited(text: &str, edit: impl Fn(&mut NixDocument) -> Result<bool>) -> String {
    let mut d = doc(text);
    assert!(edit(&mut d).unwrap(), "the edit changed nothing");
    let once = d.text().to_string();
    assert!(
        !edit(&mut d).unwrap(),
        "a second application changed something"
    );
    assert_eq!(d.text(), once);
    once
}

#[test]
fn get_reads_nested_dotted_and_mixed_forms() {
    let d = doc(SEED);
    assert_eq!(
        d.get(&p("services.postgres.port")).unwrap().as_deref(),
        Some("5432")
    );
    assert_eq!(
        d.get(&p("services.postgres.settings.log_directory"))
            .unwrap()
            .as_deref(),
        Some("\"log\"")
    );
    assert_eq!(
        d.get(&p("env.ERL_AFLAGS")).unwrap().as_deref(),
        Some("\"-kernel shell_history enabled\"")
    );
    let err = d.get(&p("env")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Spread { operation: "read", example, .. } if example == "env.ERL_AFLAGS"),
        "{err:?}"
    );
    assert_eq!(d.get(&p("services.redis.enable")).unwrap(), None);
    let d = doc("{ a.b = { c = 1; }; x = { y.z = 2; }; }");
    assert_eq!(d.get(&p("a.b.c")).unwrap().as_deref(), Some("1"));
    assert_eq!(d.get(&p("x.y.z")).unwrap().as_deref(), Some("2"));
}

#[test]
fn set_edits_inside_the_existing_set_not_at_top_level() {
    let out = edited(SEED, |d| {
        d.set(
            &p("services.postgres.settings.log_min_messages"),
            "\"warning\"",
        )
    });
    assert!(out.contains("      log_truncate_on_rotation = \"off\";\n      log_min_messages = \"warning\";\n    };"), "{out}");
    assert_eq!(
        out.len(),
        SEED.len() + "      log_min_messages = \"warning\";\n".len()
    );
}

#[test]
fn set_replaces_a_value_in_place() {
    let out = edited(SEED, |d| d.set(&p("services.postgres.port"), "5433"));
    assert_eq!(out, SEED.replace("port = 5432;", "port = 5433;"));
}

#[test]
fn set_of_a_new_path_goes_after_the_sibling_it_shares_most_with() {
    let out = edited(SEED, |d| d.set(&p("languages.elixir.lsp.enable"), "false"));
    assert!(
        out.contains("    package = pkgs.elixir_1_18;\n    lsp.enable = false;\n  };"),
        "{out}"
    );
    let out = edited(SEED, |d| d.set(&p("env.MIX_ENV"), "\"dev\""));
    assert!(
        out.contains(
            "  env.ERL_AFLAGS = \"-kernel shell_history enabled\";\n  env.MIX_ENV = \"dev\";\n"
        ),
        "{out}"
    );
    let out = edited(SEED, |d| d.set(&p("services.redis.enable"), "true"));
    assert!(
        out.contains("    };\n  };\n  services.redis.enable = true;\n\n  env."),
        "{out}"
    );
}

#[test]
fn one_line_sets_stay_on_one_line_and_empty_sets_fill() {
    assert_eq!(
        edited("{ a = 1; }", |d| d.set(&p("b"), "2")),
        "{ a = 1; b = 2; }"
    );
    assert_eq!(edited("{ }", |d| d.set(&p("b"), "2")), "{ b = 2; }");
    assert_eq!(edited("{}", |d| d.set(&p("b"), "2")), "{ b = 2; }");
    assert_eq!(
        edited("{\n  x = {\n  };\n}\n", |d| d.set(&p("x.y"), "1")),
        "{\n  x = {\n    y = 1;\n  };\n}\n"
    );
}

#[test]
fn add_handles_concatenated_and_with_lists() {
    let out = edited(SEED, |d| d.add(&p("packages"), "pkgs.redis"));
    assert!(
        out.contains("    pkgs.chromedriver  # For Wallaby E2E tests\n    pkgs.redis\n  ] ++"),
        "{out}"
    );
    assert!(
        !doc(SEED)
            .clone()
            .add(&p("packages"), "pkgs . tmux")
            .unwrap(),
        "compared by syntax"
    );
    let with = "{ pkgs, ... }: {\n  packages = with pkgs; [\n    git\n    jq\n  ];\n}\n";
    let out = edited(with, |d| d.add(&p("packages"), "pkgs.redis"));
    assert!(out.contains("    jq\n    redis\n  ];"), "{out}");
    assert!(!doc(with).add(&p("packages"), "pkgs.git").unwrap());
    assert_eq!(
        edited("{ l = [ ]; }", |d| d.add(&p("l"), "1")),
        "{ l = [ 1 ]; }"
    );
    assert_eq!(
        edited("{ l = [ 1 2 ]; }", |d| d.add(&p("l"), "3")),
        "{ l = [ 1 2 3 ]; }"
    );
    assert_eq!(edited("{ }", |d| d.add(&p("l"), "3")), "{ l = [ 3 ]; }");
}

#[test]
fn remove_takes_the_element_and_its_comment_only() {
    let out = edited(SEED, |d| d.remove(&p("packages"), "pkgs.tmux"));
    assert_eq!(
        out,
        SEED.replace(
            "    pkgs.tmux  # Same version overmind uses, avoids version mismatch\n",
            ""
        )
    );
    assert_eq!(
        edited("{ l = [ 1 2 3 ]; }", |d| d.remove(&p("l"), "2")),
        "{ l = [ 1 3 ]; }"
    );
    let out = edited(SEED, |d| d.remove(&p("packages"), "pkgs.inotify-tools"));
    assert_eq!(
        out,
        SEED.replace("    pkgs.inotify-tools\n", ""),
        "the second literal of the chain"
    );
}

#[test]
fn delete_removes_the_binding_with_its_comment_lines() {
    let out = edited(SEED, |d| d.delete(&p("services.postgres.listen_addresses")));
    assert_eq!(
        out,
        SEED.replace("    # Listen on project-specific IP (postgres.theliberties.test -> 127.0.0.10)\n    listen_addresses = \"127.0.0.10\";\n", "")
    );
    assert_eq!(
        edited("{ a = 1; b = 2; }", |d| d.delete(&p("a"))),
        "{ b = 2; }"
    );
    assert_eq!(
        edited("{ a.b = 1; a.c = 2; d = 3; }", |d| d.delete(&p("a"))),
        "{ d = 3; }"
    );
}

#[test]
fn crlf_files_and_tabs_keep_their_style() {
    let crlf = "{\r\n\ta = {\r\n\t\tb = 1;\r\n\t};\r\n}\r\n";
    assert_eq!(
        edited(crlf, |d| d.set(&p("a.c"), "2")),
        "{\r\n\ta = {\r\n\t\tb = 1;\r\n\t\tc = 2;\r\n\t};\r\n}\r\n"
    );
    assert_eq!(
        edited("{\r\n}\r\n", |d| d.set(&p("a"), "2")),
        "{\r\n  a = 2;\r\n}\r\n"
    );
}

#[test]
fn wrappers_rec_and_quoted_names() {
    let text = "{ lib, ... }:\nlet x = 1; in\nwith lib; (rec {\n  env.\"MY.VAR\" = \"a\";\n})\n";
    let d = doc(text);
    assert_eq!(
        d.get(&p("env.\"MY.VAR\"")).unwrap().as_deref(),
        Some("\"a\"")
    );
    let out = edited(text, |d| d.set(&p("env.\"MY.VAR\""), "\"b\""));
    assert!(out.contains("env.\"MY.VAR\" = \"b\";"));
    let out = edited(text, |d| d.set(&p("env.\"OTHER.VAR\""), "\"c\""));
    assert!(out.contains("  env.\"OTHER.VAR\" = \"c\";\n"), "{out}");
}

#[test]
fn inherit_is_read_and_refused_for_rewrites() {
    let text = "{ inherit (pkgs) hello; inherit a b; }";
    let d = doc(text);
    assert_eq!(d.get(&p("hello")).unwrap().as_deref(), Some("pkgs.hello"));
    let err = doc(text).set(&p("hello"), "1").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InheritRewrite { path: p("hello") });
    assert_eq!(at(&err), "test.nix:1:3");
    assert_eq!(err.span(), 2..23);
    let err = doc(text).delete(&p("a")).unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InheritShared { path: p("a") });
    assert_eq!(at(&err), "test.nix:1:25");
    let err = doc(text).set(&p("hello.x"), "1").unwrap_err();
    assert_eq!(err.kind(), &ErrorKind::InheritedPrefix { path: p("hello") });
    assert_eq!(edited(text, |d| d.delete(&p("hello"))), "{ inherit a b; }");
}

#[test]
fn paths_through_calls_and_variables_are_errors_with_a_place() {
    let text = "{ lib, ... }:\n{\n  a = lib.mkIf true shared;\n  c = x;\n}\n";
    let err = doc(text).set(&p("a.b"), "2").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAttrSet {
            path: p("a"),
            found: "a function call".into()
        }
    );
    assert_eq!(at(&err), "test.nix:3:7");
    assert_eq!(err.editable(), Some(&p("a")), "the nearest editable place");
    let err = doc(text).set(&p("c.d"), "2").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAttrSet {
            path: p("c"),
            found: "the variable `x`".into()
        }
    );
    assert_eq!(at(&err), "test.nix:4:7");
    let err = doc("{ a = 1; }").add(&p("a"), "2").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAList {
            path: p("a"),
            found: "a literal".into()
        }
    );
    let err = doc("{ a = 1; }").set(&p("a"), " (").unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Expression { .. }),
        "{err:?}"
    );
    assert_eq!((err.file(), err.input(), err.span()), (None, "(", 1..1));
    assert_eq!(at(&err), "EXPR:1:2");
    let err = NixDocument::parse("bad.nix", "{ a = ; }").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Syntax {
            message: "unexpected `;`, expected `(` or `rec` or `{` or `[` or a string or a name"
                .into()
        }
    );
    assert_eq!(at(&err), "bad.nix:1:7");
    let err = doc("f x").set(&p("a"), "1").unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAttrSetDocument {
            found: "a function call".into()
        }
    );
    assert_eq!(err.span(), 0..3);
    assert_eq!(
        err.editable(),
        None,
        "nothing of the document can be edited"
    );
}

#[test]
fn trailing_comments_on_the_last_entry_stay_with_it() {
    let text = "{\n  a = 1; # one\n}\n";
    assert_eq!(
        edited(text, |d| d.set(&p("b"), "2")),
        "{\n  a = 1; # one\n  b = 2;\n}\n"
    );
    let list = "{\n  l = [\n    x # ex\n  ];\n}\n";
    assert_eq!(
        edited(list, |d| d.add(&p("l"), "y")),
        "{\n  l = [\n    x # ex\n    y\n  ];\n}\n"
    );
}

#[test]
fn multi_line_values_are_indented_to_their_place() {
    let out = edited("{\n  a = {\n    b = 1;\n  };\n}\n", |d| {
        d.set(&p("a.c"), "{\n  d = 1;\n}")
    });
    assert_eq!(
        out,
        "{\n  a = {\n    b = 1;\n    c = {\n      d = 1;\n    };\n  };\n}\n"
    );
}

#[test]
fn a_path_bound_whole_and_by_dotted_bindings_is_deleted_everywhere() {
    let text = "{\n  a = {\n    x = 1;\n  };\n  a.y = 2;\n  b = 3;\n}\n";
    let err = doc(text).set(&p("a"), "{ }").unwrap_err();
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Spread {
                operation: "set",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(at(&err), "test.nix:2:3");
    assert_eq!(edited(text, |d| d.delete(&p("a"))), "{\n  b = 3;\n}\n");
    assert_eq!(doc(text).get(&p("a.y")).unwrap().as_deref(), Some("2"));
    assert_eq!(doc(text).get(&p("a.x")).unwrap().as_deref(), Some("1"));
}

#[test]
fn deleting_a_name_a_rec_set_still_uses_is_refused() {
    let text = "rec {\n  version = \"1.0\";\n  name = \"x-${version}\";\n}\n";
    let err = doc(text).delete(&p("version")).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::UsedInRec {
            name: "version".into()
        }
    );
    assert_eq!(at(&err), "test.nix:3:15");
    assert_eq!(
        edited(text, |d| d.delete(&p("name"))),
        "rec {\n  version = \"1.0\";\n}\n"
    );
    let nested = "rec {\n  id = 1;\n  sub = { inherit id; };\n}\n";
    let err = doc(nested).delete(&p("id")).unwrap_err();
    assert_eq!(at(&err), "test.nix:3:19");
    // not rec: no scope to break
    assert!(doc("{ a = 1; b = a; }").delete(&p("a")).unwrap());
}

#[test]
fn a_list_hugging_its_last_element_gets_the_new_one_on_that_line() {
    let text = "{\n  users = [{\n    name = \"db\";\n  }];\n}\n";
    let out = edited(text, |d| d.add(&p("users"), "x"));
    assert_eq!(out, "{\n  users = [{\n    name = \"db\";\n  } x];\n}\n");
    let mut d = doc(&out);
    assert!(d.remove(&p("users"), "x").unwrap());
    assert_eq!(d.text(), text);
}

#[test]
fn add_when_targets_the_conditional_list_or_creates_it() {
    let cond = "pkgs.lib.optionals pkgs.stdenv.isLinux";
    let mut d = doc(SEED);
    assert!(d.add_when(&p("packages"), cond, "pkgs.strace").unwrap());
    assert!(
        d.text()
            .contains("    pkgs.inotify-tools\n    pkgs.strace\n  ];"),
        "{}",
        d.text()
    );
    assert!(!d.add_when(&p("packages"), cond, "pkgs.strace").unwrap());
    assert!(
        !d.add_when(&p("packages"), cond, "pkgs.tmux").unwrap(),
        "present unconditionally"
    );
    let out = edited("{ pkgs, ... }: { packages = [ pkgs.git ]; }", |d| {
        d.add_when(&p("packages"), cond, "pkgs.inotify-tools")
    });
    assert_eq!(out, "{ pkgs, ... }: { packages = [ pkgs.git ] ++ pkgs.lib.optionals pkgs.stdenv.isLinux [ pkgs.inotify-tools ]; }");
    let out = edited("{ }", |d| d.add_when(&p("packages"), cond, "x"));
    assert_eq!(
        out,
        "{ packages = pkgs.lib.optionals pkgs.stdenv.isLinux [ x ]; }"
    );
}

#[test]
fn multi_line_values_are_indented_but_string_contents_are_not() {
    let text = "{\n  services.x = {\n    enable = true;\n  };\n}\n";
    let out = edited(text, |d| {
        d.set(&p("services.x.script"), "''\n  echo ready\n''")
    });
    assert_eq!(
        out,
        "{\n  services.x = {\n    enable = true;\n    script = ''\n  echo ready\n'';\n  };\n}\n"
    );
    let out = edited(text, |d| {
        d.set(
            &p("services.x.settings"),
            "{\n  a = \"x\n y\";\n  b = 1;\n}",
        )
    });
    assert_eq!(
        out,
        "{\n  services.x = {\n    enable = true;\n    settings = {\n      a = \"x\n y\";\n      b = 1;\n    };\n  };\n}\n"
    );
}

#[test]
fn a_refused_edit_leaves_the_document_as_it_was() {
    let text = "{ inherit a b; l = [ 1 ]; n = 1; }";
    let mut d = doc(text);
    assert!(d.set(&p("a"), "1").is_err());
    assert!(d.delete(&p("a")).is_err());
    assert!(d.add(&p("n"), "2").is_err());
    assert!(d.add_when(&p("l"), "f", "(").is_err());
    assert!(d.remove(&p("a"), "1").is_err());
    assert!(d.set(&p("l"), "[ 1").is_err());
    assert_eq!(d.text(), text);
    // and the tree is still the text's: a later edit works
    assert!(d.add(&p("l"), "2").unwrap());
    assert_eq!(d.text(), "{ inherit a b; l = [ 1 2 ]; n = 1; }");
}

#[test]
fn reads_bindings_list_elements_and_positions() {
    let d = doc(SEED);
    let bindings = d.bindings().unwrap();
    let kind = |path: &str| bindings.iter().find(|b| b.path == p(path)).map(|b| b.kind);
    assert_eq!(kind("services.postgres"), Some(ValueKind::Set));
    assert_eq!(
        kind("services.postgres.initialDatabases"),
        Some(ValueKind::List)
    );
    assert_eq!(kind("packages"), Some(ValueKind::List));
    assert_eq!(kind("services.postgres.port"), Some(ValueKind::Other));
    assert_eq!(kind("env.ERL_AFLAGS"), Some(ValueKind::Other));
    let port = bindings
        .iter()
        .find(|b| b.path == p("services.postgres.port"))
        .unwrap();
    assert_eq!(&SEED[port.value.clone()], "5432");

    let elements = d.list_elements(&p("packages")).unwrap();
    assert_eq!(elements.len(), 5);
    assert_eq!(
        elements[4],
        ListElement {
            call: Some("pkgs.lib.optionals pkgs.stdenv.isLinux".into()),
            text: "pkgs.inotify-tools".into()
        }
    );
    assert_eq!(elements[0].call, None);
    assert!(d.contains_element(&p("packages"), "pkgs . tmux").unwrap());
    assert!(d
        .contains_element(&p("packages"), "pkgs.inotify-tools")
        .unwrap());
    assert!(!d.contains_element(&p("packages"), "pkgs.redis").unwrap());
    assert!(d.list_elements(&p("nothing.here")).unwrap().is_empty());

    assert_eq!(
        d.value_position(&p("services.postgres.port")),
        Some((22, 12))
    );
    assert_eq!(d.value_position(&p("env")), None, "spread over bindings");
    assert_eq!(d.value_position(&p("services.redis")), None);
}

/// Every kind's message and help, in the crate's own neutral words.
#[test]
fn messages_and_helps_are_neutral() {
    let cases = [
        (
            ErrorKind::Syntax {
                message: "unexpected `}`, expected `;`".into(),
            },
            "Nix syntax error: unexpected `}`, expected `;`",
        ),
        (
            ErrorKind::Expression {
                message: "unexpected end of file".into(),
            },
            "the expression does not parse: unexpected end of file",
        ),
        (
            ErrorKind::NotAttrSetDocument {
                found: "a function call".into(),
            },
            "the document's value is a function call, not an attribute set",
        ),
        (
            ErrorKind::NotAttrSet {
                path: p("a.b"),
                found: "the variable `x`".into(),
            },
            "`a.b` is bound to the variable `x` here, not an attribute set",
        ),
        (
            ErrorKind::InheritedPrefix { path: p("a") },
            "`a` is bound by `inherit` here, so the editor cannot see inside it",
        ),
        (
            ErrorKind::InheritRewrite { path: p("a") },
            "`a` is bound by `inherit` here; inherit bindings are not rewritten",
        ),
        (
            ErrorKind::InheritShared { path: p("a") },
            "`a` is one of several names this `inherit` binds; inherit bindings are not rewritten",
        ),
        (
            ErrorKind::NotAList {
                path: p("l"),
                found: "a literal".into(),
            },
            "`l` is a literal, not a list",
        ),
        (
            ErrorKind::Spread {
                path: p("env"),
                operation: "add to",
                example: "env.A".into(),
            },
            "cannot add to `env`: it is made of several bindings, such as `env.A`",
        ),
        (
            ErrorKind::UsedInRec {
                name: "version".into(),
            },
            "cannot delete `version`: this rec set still uses it here, which would leave it undefined",
        ),
        (
            ErrorKind::ReadBack {
                path: p("a"),
                found: Some("1".into()),
            },
            "internal error: after setting `a` it reads `1`; the edit was undone",
        ),
        (
            ErrorKind::ReadBack {
                path: p("a"),
                found: None,
            },
            "internal error: after setting `a` it reads nothing; the edit was undone",
        ),
        (
            ErrorKind::StillBound { path: p("a") },
            "internal error: `a` is still bound after deleting it; the edit was undone",
        ),
        (
            ErrorKind::EditUnparsable {
                message: "unexpected end of file".into(),
            },
            "internal error: the edit would leave the document unparsable (unexpected end of file); it was undone",
        ),
    ];
    for (kind, message) in cases {
        let err = Error::new(kind, 0..0, "{ }", Some("x.nix".into()));
        assert_eq!(err.to_string(), message);
        let help = err.help().expect("every kind has a help");
        for text in [message, help.as_str()] {
            assert!(!text.to_lowercase().contains("devgen"), "{text}");
            assert!(!text.contains('\n'), "one line: {text}");
        }
    }
    let err = doc("{ inherit (x) a; }").set(&p("a"), "1").unwrap_err();
    assert_eq!(
        err.help().as_deref(),
        Some("replace the inherit of `a` by hand with `a = …;`, then run the edit again")
    );
    let err = doc("{ a.b = 1; a.c = 2; }").get(&p("a")).unwrap_err();
    assert_eq!(
        err.help().as_deref(),
        Some("use a longer path, like `a.b`, or delete `a` first")
    );
}

#[test]
fn removing_leaves_no_doubled_blank_line_and_none_next_to_a_bracket() {
    let text = "{\n  a = 1;\n\n  b = {\n    x = 1;\n  };\n\n  c = 3;\n}\n";
    assert_eq!(
        edited(text, |d| d.delete(&p("b"))),
        "{\n  a = 1;\n\n  c = 3;\n}\n"
    );
    assert_eq!(
        edited(text, |d| d.delete(&p("c"))),
        "{\n  a = 1;\n\n  b = {\n    x = 1;\n  };\n}\n"
    );
    let first = "{\n\n  a = 1;\n\n  b = 2;\n}\n";
    assert_eq!(edited(first, |d| d.delete(&p("a"))), "{\n\n  b = 2;\n}\n");
    let after_open = "{\n  a = 1;\n\n  b = 2;\n}\n";
    assert_eq!(
        edited(after_open, |d| d.delete(&p("a"))),
        "{\n  b = 2;\n}\n"
    );
}

#[test]
fn a_comment_heading_several_elements_stays_when_one_goes() {
    let text = "{\n  l = [\n    # tools\n    pkgs.git\n    pkgs.jq\n\n    # alone\n    pkgs.hello\n  ];\n}\n";
    assert_eq!(
        edited(text, |d| d.remove(&p("l"), "pkgs.git")),
        "{\n  l = [\n    # tools\n    pkgs.jq\n\n    # alone\n    pkgs.hello\n  ];\n}\n"
    );
    assert_eq!(
        edited(text, |d| d.remove(&p("l"), "pkgs.hello")),
        "{\n  l = [\n    # tools\n    pkgs.git\n    pkgs.jq\n  ];\n}\n"
    );
}

/// A flake fixture with paths looked through the functions flakes map systems with.
fn flake(name: &str) -> NixDocument {
    let path = format!(
        "{}/tests/fixtures/flakes/{name}.nix",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut d = NixDocument::parse(name, std::fs::read_to_string(path).unwrap()).unwrap();
    d.look_through(["eachDefaultSystem", "genAttrs", "forEachSystem", "mkFlake"]);
    d
}

#[test]
fn paths_go_through_the_functions_a_flake_maps_systems_with() {
    let mut d = flake("flake-utils");
    assert_eq!(
        d.get(&p("outputs.packages.default")).unwrap().as_deref(),
        Some("pkgs.hello")
    );
    assert_eq!(
        d.get(&p("outputs.overlays.default")).unwrap().as_deref(),
        Some("final: prev: { }")
    );
    // A new binding goes into the per-system body, beside the user's.
    assert!(d
        .set(&p("outputs.devShells.default"), "pkgs.mkShell { }")
        .unwrap());
    assert!(d.text().contains(
        "        formatter = pkgs.nixfmt-rfc-style;\n        devShells.default = pkgs.mkShell { };\n"
    ), "{}", d.text());

    let mut d = flake("plain");
    assert_eq!(
        d.get(&p("outputs.packages.default")).unwrap().as_deref(),
        Some("nixpkgs.legacyPackages.${system}.hello")
    );
    assert!(d.set(&p("outputs.checks"), "{ }").unwrap());
    assert!(
        d.text().contains("      checks = { };\n    };\n}"),
        "{}",
        d.text()
    );

    let mut d = flake("flake-parts");
    assert_eq!(
        d.get(&p("outputs.perSystem.formatter")).unwrap().as_deref(),
        Some("pkgs.alejandra")
    );
    assert!(d
        .set(
            &p("outputs.perSystem.devShells.default"),
            "pkgs.mkShell { }"
        )
        .unwrap());
    assert!(
        d.text()
            .contains("        devShells.default = pkgs.mkShell { };\n      };"),
        "{}",
        d.text()
    );
}

#[test]
fn without_look_through_a_path_stops_at_a_function() {
    let path = format!(
        "{}/tests/fixtures/flakes/plain.nix",
        env!("CARGO_MANIFEST_DIR")
    );
    let d = NixDocument::parse("plain.nix", std::fs::read_to_string(path).unwrap()).unwrap();
    // the function and its `let` are gone through, the call given a function is not
    assert!(d.get(&p("outputs.packages")).unwrap().is_some());
    let err = d.get(&p("outputs.packages.default")).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAttrSet {
            path: p("outputs.packages"),
            found: "a function call".into()
        }
    );
}

#[test]
fn binds_says_which_names_are_in_scope_where_a_value_goes() {
    let d = flake("flake-utils");
    let shell = p("outputs.devShells.default");
    assert!(
        d.binds(&shell, "pkgs").unwrap(),
        "the let of the per-system body"
    );
    assert!(d.binds(&shell, "system").unwrap());
    assert!(d.binds(&shell, "self").unwrap());
    assert!(!d.binds(&shell, "inputs").unwrap());
    let d = flake("plain");
    assert!(!d.binds(&p("outputs.devShells"), "system").unwrap());
    assert!(d.binds(&p("outputs.devShells"), "inputs").unwrap());
    assert!(d.binds(&p("outputs.packages.default"), "system").unwrap());
}

#[test]
fn add_parameter_extends_a_set_pattern_once() {
    let mut d = flake("flake-utils");
    assert!(d.add_parameter(&p("outputs"), "devenv").unwrap());
    assert!(
        d.text()
            .contains("outputs = { self, nixpkgs, flake-utils, devenv }:"),
        "{}",
        d.text()
    );
    assert!(!d.add_parameter(&p("outputs"), "devenv").unwrap());
    let mut d = flake("plain");
    assert!(
        !d.add_parameter(&p("outputs"), "devenv").unwrap(),
        "`...` takes it already"
    );
    let mut d = doc("{ outputs = { }: { }; f = x: x; g = 1; }");
    assert!(d.add_parameter(&p("outputs"), "devenv").unwrap());
    assert_eq!(d.text(), "{ outputs = { devenv }: { }; f = x: x; g = 1; }");
    assert!(
        !d.add_parameter(&p("f"), "y").unwrap(),
        "`x: …` takes any set"
    );
    assert!(d.add_parameter(&p("g"), "y").is_err());
}

mod update;
mod wrappers;
