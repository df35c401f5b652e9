//! The editor's behaviour on small documents and on the seed devenv.nix: where edits go,
//! what they keep, and which errors they give, at which place.

use crate::*;

const SEED: &str = include_str!("../tests/fixtures/seed-devenv.nix");

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
fn through(d: &NixDocument, path: &str) -> Vec<String> {
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
    // `callPackage ./package.nix { }` gives its set to the file: not gone through
    let err = d
        .get(&p("outputs.packages.x86_64-linux.default.version"))
        .unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::NotAttrSet {
            path: p("outputs.packages.x86_64-linux.default"),
            found: "a function call".into()
        }
    );
    assert_eq!(
        err.editable(),
        Some(&p("outputs.packages.x86_64-linux.default"))
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
    // on the right of where the path goes: it might override it
    let text = "{\n  services = { a = 1; } // extra;\n}\n";
    for result in [
        doc(text).get(&p("services.a")).map(|_| ()),
        doc(text).set(&p("services.b"), "1").map(|_| ()),
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
    for (path, editable) in [("b.x", "b"), ("c.pkgs", "c")] {
        let err = d.get(&p(path)).unwrap_err();
        assert!(
            matches!(err.kind(), ErrorKind::NotAttrSet { found, .. } if found == "a function call"),
            "{path}: {err:?}"
        );
        assert_eq!(err.editable(), Some(&p(editable)));
        assert!(doc(text).set(&p(editable), "{ }").unwrap());
    }
    // a document whose value is a call of something else: nothing to edit
    let err = doc("import ./x.nix { }").set(&p("a"), "1").unwrap_err();
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

// ---- `//` and `mkMerge`: what a delete leaves, where a new name goes -------------------

#[test]
fn delete_through_update_refuses_when_an_unseen_operand_may_still_bind_the_name() {
    let text = "let x = { a = 5; }; in x // { a = 1; b = 2; }";
    let mut d = doc(text);
    let err = d.delete(&p("a")).unwrap_err();
    assert_eq!(
        err.kind(),
        &ErrorKind::Hidden {
            path: p("a"),
            found: "the variable `x`".into(),
            after_delete: true
        }
    );
    assert_eq!(&text[err.span()], "x");
    assert_eq!(
        err.to_string(),
        "cannot delete `a`: it may still be bound by the variable `x` here, which the editor cannot see inside"
    );
    assert_eq!(d.text(), text, "a refused delete changes nothing");
    // nothing the editor sees binds it, but the variable might: not "already as asked"
    assert!(matches!(
        doc("x // { b = 2; }").delete(&p("a")).unwrap_err().kind(),
        ErrorKind::Hidden {
            after_delete: true,
            ..
        }
    ));
    // the whole path is what the delete is refused for: `x` may bind `a.b` by binding `a`
    let err = doc("x // { a.b = 1; }").delete(&p("a.b")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Hidden { path, after_delete: true, .. } if path == &p("a.b")),
        "{err:?}"
    );
    // the operand on the right still binds `a` afterwards: the variable stays hidden
    assert_eq!(
        edited("x // { a = { b = 1; c = 2; }; }", |d| d.delete(&p("a.b"))),
        "x // { a = { c = 2; }; }"
    );
    // reads and sets are as before: the right operand wins
    assert_eq!(doc(text).get(&p("a")).unwrap().as_deref(), Some("1"));
    assert_eq!(
        edited(text, |d| d.set(&p("a"), "3")),
        text.replace("a = 1", "a = 3")
    );
    // a mkMerge element the editor cannot see inside might define the path too
    let merged = "{ lib, cfg, ... }:\n{\n  config = lib.mkMerge [ cfg { a = 1; } ];\n}\n";
    let err = doc(merged).delete(&p("config.a")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Hidden { found, after_delete: true, .. } if found == "the variable `cfg`"),
        "{err:?}"
    );
    assert_eq!(err.editable(), Some(&p("config")));
    assert_eq!(
        doc(merged).get(&p("config.a")).unwrap().as_deref(),
        Some("1")
    );
}

#[test]
fn delete_through_update_removes_what_takes_over_at_every_level() {
    assert_eq!(
        edited("{ a = { b.c = 1; } // { b.c = 2; }; }", |d| d
            .delete(&p("a.b.c"))),
        "{ a = { } // { }; }"
    );
    assert_eq!(
        edited("{ a.b = 1; } // { a.b = 2; }", |d| d.delete(&p("a.b"))),
        "{ } // { }"
    );
    // the left `b` takes over once the right one is gone: its `c` goes, its `d` stays
    let text = "{ b = { c = 1; d = 2; }; } // { b.c = 2; }";
    let mut d = doc(text);
    let report = d.edit(Edit::Delete { path: &p("b.c") }).unwrap();
    assert_eq!(d.text(), "{ b = { d = 2; }; } // { }");
    assert_eq!(report.wrappers.len(), 2, "{:?}", report.wrappers);
    assert_eq!(d.get(&p("b.c")).unwrap(), None);
    // what the right still binds hides the left: it is left alone
    assert_eq!(
        edited("{ b.c = 1; } // { b = { c = 2; d = 3; }; }", |d| d
            .delete(&p("b.c"))),
        "{ b.c = 1; } // { b = { d = 3; }; }"
    );
    // a left operand that takes over through a value the editor cannot see inside
    let err = doc("{ b = x; } // { b.c = 2; }")
        .delete(&p("b.c"))
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotAttrSet { found, .. } if found == "the variable `x`"),
        "{err:?}"
    );
}

#[test]
fn a_computed_name_in_an_update_operand_may_bind_the_path() {
    let text = "let n = \"a\"; in { a = 1; } // { ${n} = 2; }";
    for err in [
        doc(text).get(&p("a")).unwrap_err(),
        doc(text).set(&p("a"), "3").unwrap_err(),
        doc(text).delete(&p("a")).unwrap_err(),
    ] {
        assert_eq!(
            err.kind(),
            &ErrorKind::Hidden {
                path: p("a"),
                found: "the computed name `${n}`".into(),
                after_delete: false
            }
        );
        assert_eq!(&text[err.span()], "${n}");
    }
    // a static name on the right is what Nix reads, computed names beside it or not
    let text = "let n = \"a\"; in { a = 1; } // { ${n} = 2; b = 3; }";
    assert_eq!(doc(text).get(&p("b")).unwrap().as_deref(), Some("3"));
}

#[test]
fn a_new_name_in_an_update_goes_into_a_set_not_under_a_call() {
    let text = "{ lib, ... }: { a = 1; } // lib.optionalAttrs false { b = 2; }";
    assert_eq!(
        edited(text, |d| d.set(&p("x"), "42")),
        "{ lib, ... }: { a = 1; x = 42; } // lib.optionalAttrs false { b = 2; }"
    );
    // a name the call's set binds is still set there
    assert_eq!(
        edited(text, |d| d.set(&p("b"), "3")),
        text.replace("b = 2", "b = 3")
    );
    // only a call's set on the right of what the editor cannot see inside: into it
    let text = "{ lib, x, ... }: { a = 1; } // x // lib.optionalAttrs true { b = 2; }";
    assert_eq!(
        edited(text, |d| d.set(&p("c"), "3")),
        text.replace("b = 2; }", "b = 2; c = 3; }")
    );
}

#[test]
fn only_a_delete_reports_the_operands_it_shadows() {
    let text = "{\n  a = 1;\n  b = 2;\n} // {\n  a = 3;\n}";
    let operands =
        |r: &EditReport| -> Vec<String> { r.wrappers.iter().map(|w| w.to_string()).collect() };
    let mut d = doc(text);
    let report = d
        .edit(Edit::Set {
            path: &p("a"),
            expr: "5",
        })
        .unwrap();
    assert_eq!(operands(&report), ["operand 2 of 2 of `//`"]);
    let mut d = doc(text);
    let report = d.edit(Edit::Delete { path: &p("a") }).unwrap();
    assert_eq!(
        operands(&report),
        ["operand 2 of 2 of `//`", "operand 1 of 2 of `//`"]
    );
}

#[test]
fn mkmerge_elements_the_path_cannot_follow_do_not_hide_the_one_that_binds_it() {
    let text = "{ lib, foo, ... }: { config = lib.mkMerge [ { a = foo; } { a.b = 1; } ]; }";
    let d = doc(text);
    assert_eq!(d.get(&p("config.a.b")).unwrap().as_deref(), Some("1"));
    // the nearest editable place is one `set` can replace: `config.a` is bound in two
    // elements, `config` is one binding
    let err = d.get(&p("config.a.c")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotAttrSet { path, .. } if path == &p("config.a")),
        "{err:?}"
    );
    assert_eq!(err.editable(), Some(&p("config")));
    assert!(matches!(
        d.get(&p("config.a")).unwrap_err().kind(),
        ErrorKind::Ambiguous { .. }
    ));
    assert!(doc(text).set(&p("config"), "{ }").unwrap());
    // a delete refuses: `foo` might bind the path too
    let err = doc(text).delete(&p("config.a.b")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotAttrSet { path, .. } if path == &p("config.a")),
        "{err:?}"
    );
    // a suggestion nothing on the path can stand for is dropped
    let top = "{ lib, foo, ... }: lib.mkMerge [ { a = foo; } { a.b = 1; } ]";
    let err = doc(top).get(&p("a.c")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::NotAttrSet { path, .. } if path == &p("a")),
        "{err:?}"
    );
    assert_eq!(err.editable(), None, "`a` is bound in two elements");
}

#[test]
fn an_update_wrapper_spans_the_operand_gone_into() {
    let text = "{\n  a = 1;\n  b = 2;\n} // {\n  a = 3;\n}";
    let d = doc(text);
    let location = d.locate(&p("b")).unwrap();
    assert_eq!(
        &text[location.wrappers[0].span.clone()],
        "{\n  a = 1;\n  b = 2;\n}"
    );
    assert_eq!(through(&d, "a"), ["4:6 operand 2 of 2 of `//`"]);
}

#[test]
fn an_edits_span_is_given_for_one_change_only() {
    let text = "{\n  a = 1;\n  b = 2;\n} // {\n  a = 3;\n}";
    let mut d = doc(text);
    let report = d.edit(Edit::Delete { path: &p("a") }).unwrap();
    assert_eq!(d.text(), "{\n  b = 2;\n} // {\n}");
    assert_eq!(report.changes.len(), 2);
    assert_eq!(
        report.span(),
        None,
        "one range around both would take in `b = 2;`"
    );
    // a removal: empty, at its place
    let mut d = doc("{ a = 1; b = 2; }");
    let report = d.edit(Edit::Delete { path: &p("a") }).unwrap();
    assert_eq!(d.text(), "{ b = 2; }");
    assert_eq!(report.span(), Some(1..1));
}

#[test]
fn an_expression_ending_in_a_line_comment_keeps_it_at_the_end_of_the_line() {
    let given = "pkgs.foo # pinned";
    assert_eq!(
        edited("{\n  b = 1;\n}\n", |d| d.set(&p("a"), given)),
        "{\n  b = 1;\n  a = pkgs.foo; # pinned\n}\n"
    );
    let out = edited("{\n  a = [\n    1\n  ];\n  b = 2;\n}\n", |d| {
        d.set(&p("a"), given)
    });
    assert_eq!(out, "{\n  a = pkgs.foo; # pinned\n  b = 2;\n}\n");
    assert_eq!(doc(&out).get(&p("a")).unwrap().as_deref(), Some("pkgs.foo"));
    assert_eq!(
        edited("{\n  l = [\n    x\n  ];\n}\n", |d| d
            .add(&p("l"), "y # why")),
        "{\n  l = [\n    x\n    y # why\n  ];\n}\n"
    );
    assert_eq!(
        edited("{\n  b = 1;\n}\n", |d| d.add(&p("l"), "y # why")),
        "{\n  b = 1;\n  l = [ y ]; # why\n}\n"
    );
    assert_eq!(
        edited("{\n  l = [ x ];\n}\n", |d| d.add_when(
            &p("l"),
            "lib.optionals c",
            "y # why"
        )),
        "{\n  l = [ x ] ++ lib.optionals c [ y ]; # why\n}\n"
    );
    // where more follows on the line, the comment would swallow it: refused
    for (text, edit) in [
        (
            "{ b = 1; }",
            Edit::Set {
                path: &p("a"),
                expr: given,
            },
        ),
        (
            "{\n  a = 1; # old\n}\n",
            Edit::Set {
                path: &p("a"),
                expr: given,
            },
        ),
        (
            "{ l = [ x ]; }",
            Edit::Add {
                path: &p("l"),
                expr: given,
            },
        ),
        (
            "{\n  b = 1;\n}\n",
            Edit::Set {
                path: &p("a"),
                expr: "1 # one\n# two",
            },
        ),
    ] {
        let mut d = doc(text);
        let err = d.edit(edit).unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::TrailingComment, "{text}");
        assert_eq!(err.file(), None);
        assert!(err.input()[err.span()].starts_with("# "), "{err:?}");
        assert_eq!(d.text(), text);
    }
    // a block comment is no trouble
    assert_eq!(
        edited("{ b = 1; }", |d| d.set(&p("a"), "1 /* one */")),
        "{ b = 1; a = 1 /* one */; }"
    );
}

#[test]
fn a_new_name_a_rec_set_already_reads_is_refused() {
    let text = "let y = 1; in rec { x = y; }";
    for path in ["y", "y.z"] {
        let mut d = doc(text);
        let err = d.set(&p(path), "2").unwrap_err();
        assert_eq!(err.kind(), &ErrorKind::ReadInRec { name: "y".into() });
        assert_eq!(err.span(), 24..25, "the use in `x = y`");
        assert_eq!(
            err.to_string(),
            "cannot bind `y` in this rec set: the set already reads `y` here from outside it, and would read the new binding instead"
        );
        assert_eq!(d.text(), text);
    }
    // a name the set does not read, or one it binds already, is set as before
    assert_eq!(
        edited(text, |d| d.set(&p("w"), "2")),
        "let y = 1; in rec { x = y; w = 2; }"
    );
    assert_eq!(
        edited("rec { x = y.a; y.a = 1; }", |d| d.set(&p("y.b"), "2")),
        "rec { x = y.a; y.a = 1; y.b = 2; }"
    );
    // a set that is not rec reads from outside whatever it binds
    assert_eq!(
        edited("let y = 1; in { x = y; }", |d| d.set(&p("y"), "2")),
        "let y = 1; in { x = y; y = 2; }"
    );
}

#[test]
fn bindings_see_sets_through_the_wrappers_get_and_set_go_through() {
    let text = "{ lib, ... }:\n{\n  a = lib.mkIf true { b = 1; };\n  c = x: { d = 2; };\n  e = { f = 1; } // { g = 2; };\n  h = pkgs.writeText \"h\" \"i\";\n}\n";
    let d = doc(text);
    let found: Vec<(String, ValueKind)> = d
        .bindings()
        .unwrap()
        .into_iter()
        .map(|b| (b.path.to_string(), b.kind))
        .collect();
    let want = [
        ("a", ValueKind::Set),
        ("a.b", ValueKind::Other),
        ("c", ValueKind::Set),
        ("c.d", ValueKind::Other),
        ("e", ValueKind::Set),
        ("e.f", ValueKind::Other),
        ("e.g", ValueKind::Other),
        ("h", ValueKind::Other),
    ];
    let want: Vec<(String, ValueKind)> = want.iter().map(|(p, k)| (p.to_string(), *k)).collect();
    assert_eq!(found, want);
    for b in d.bindings().unwrap() {
        if b.kind != ValueKind::Set {
            assert_eq!(
                d.get(&b.path).unwrap().as_deref(),
                Some(&text[b.value.clone()]),
                "{}",
                b.path
            );
        }
    }
}
