//! `//` and `mkMerge`: what a delete leaves, where a new name goes.

use super::wrappers::through;
use super::*;

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
    // a delete refuses, saying why: `foo` might still bind the path
    let err = doc(text).delete(&p("config.a.b")).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Hidden { path, found, after_delete: true }
            if path == &p("config.a.b") && found == "the variable `foo`"),
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
