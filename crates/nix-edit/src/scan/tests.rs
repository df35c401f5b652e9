use super::*;
use proptest::prelude::*;

fn rnix_parses(text: &str) -> bool {
    rnix::Root::parse(text).errors().is_empty()
}

fn accepted(text: &str) -> bool {
    scan_to_the_end(text, &names("x")).is_ok()
}

/// The names of the path `dotted`.
fn names(dotted: &str) -> Vec<String> {
    dotted.split('.').map(String::from).collect()
}

/// Every form of rnix's grammar, each of which the scan follows.
const VALID: &[&str] = &[
    "1",
    "x: x",
    "{ a, b ? 1, ... }@args: a",
    "args@{ a, b ? c: c }: a",
    "{ }: 1",
    "{ ... }: 1",
    "{ a, a }: a",
    "{ a }@x: a",
    "let a = 1; inherit (b) c \"d\"; in a",
    "let in 1",
    "let { a = 1; body = a; }",
    "with a; with b; c",
    "assert a; b",
    "if a then b else c",
    "rec { a = 1; b = a; }",
    "{ a.b.c = 1; \"d\" = 2; ${e} = 3; \"f${g}\".h = 4; inherit; inherit (a) b; or = 5; }",
    "f { } [ ] ( 1 ) \"s\" 1 2.5 .5 1. 1e5 ./p /abs ~/h <np/x> http://u.v/w rec { }",
    "a.b.c or d.e",
    "a.\"b\".${c} or (d)",
    "a or",
    "[ a.b or c (d) { } ]",
    "\"a ${b} \\\" $${c} $ \\${d}\"",
    "''a ''${b} ${c} ''' $$ ''\\n''",
    "./a${b}/c${d}",
    "./a ${b}",
    "/a/${b}",
    "__curPos",
    "a ? b.c",
    "-a ? b",
    "- - 1",
    "!!a",
    "a |> b <| c",
    "a -> b -> c || d && e",
    "a < b == c < d",
    "a == b < c",
    "a // b // { } ++ [ ] + 1 - 2 * 3 / 4",
    "a/b",
    "a//b",
    "/*x*/ 1 # y",
    "{ pkgs, ... }:\nwith pkgs;\nlet a = 1;\nin\n(assert true; { a = 1; })\n",
    "{ a = let x = 1; in x; b = with y; [ z ]; c = assert d; e; }",
];

/// Documents rnix refuses; so must the scan.
const INVALID: &[&str] = &[
    "",
    "# only a comment",
    "(1",
    "[1",
    "{ a = 1;",
    "{ a = ; }",
    "{ a }",
    "{ a = 1 }",
    "{ a = 1; } }",
    "a < b < c",
    "a == b == c",
    "1 + !a",
    "or",
    "1.5e",
    "\"a\\",
    "\"a",
    "''a",
    "1 /*",
    "x@{ a }@y: a",
    "{ ..., a }: 1",
    "let a = 1; b",
    "x:",
    "with a;",
    "if a then b",
    "{ inherit a }",
    "{ \"a\" = 1; \"b }",
    "a/",
    "1 2 ;",
    "${a}",
];

#[test]
fn accepts_every_form_rnix_parses() {
    for text in VALID {
        assert!(rnix_parses(text), "rnix refuses {text:?}");
        assert!(accepted(text), "the scan refuses {text:?}");
    }
}

/// How deep rnix's tree of `text` nests, the root included.
fn tree_depth(text: &str) -> usize {
    let parsed = rnix::Root::parse(text);
    crate::depth::deeper_than(parsed.syntax().green(), 0).map_or(1, |(_, d)| d)
}

/// The scan's depth is that of rnix's tree, for every form of the grammar and every
/// way the forms nest in each other.
#[test]
fn tells_how_deep_rnix_nests() {
    for text in VALID {
        assert_eq!(
            scan_to_the_end(text, &names("x")).ok().map(|s| s.depth),
            Some(tree_depth(text)),
            "{text}"
        );
    }
    // each form around each other, both ways
    for outer in VALID {
        for inner in VALID {
            for text in [
                format!("({inner}) // ({outer})"),
                format!("{{ a = {inner}; b.${{{outer}}} = [ ({inner}) ]; }}"),
                format!("f ({inner}) ({outer}) -> !({inner})"),
            ] {
                if let Ok(scan) = scan_to_the_end(&text, &names("x")) {
                    assert_eq!(scan.depth, tree_depth(&text), "{text}");
                }
            }
        }
    }
}

/// A document rnix would nest deeper than the editor keeps trees is left to the whole
/// parse, which refuses it with the place.
#[test]
fn leaves_documents_too_deep_to_the_whole_parse() {
    let limit = crate::depth::MAX_DEPTH;
    for n in [limit - 4, limit - 3, limit - 2, limit + 10, 100_000] {
        // ROOT, ATTR_SET, ATTRPATH_VALUE, then n - 1 BIN_OPs over the last two operands
        let text = format!("{{ a = 1; b = {}; c = 2; }}", vec!["x"; n].join(" // "));
        let deep = 3 + n - 1 + 1;
        match scan(&text, &names("a")) {
            Ok(scan) => {
                assert!(deep <= limit, "{n}");
                assert_eq!(scan.depth, deep);
            }
            Err(stop) => {
                assert!(deep > limit, "{n}");
                assert_eq!(stop, Stop::TooDeep);
            }
        }
    }
}

#[test]
fn refuses_what_rnix_refuses() {
    for text in INVALID {
        assert!(!rnix_parses(text), "rnix parses {text:?}");
        assert!(!accepted(text), "the scan accepts {text:?}");
    }
}

/// rnix takes any token as the `)` of a parenthesis; the scan leaves such documents
/// to rnix.
#[test]
fn leaves_to_rnix_what_rnix_does_not_check() {
    for text in ["(1]", "(1 ~"] {
        assert!(rnix_parses(text), "{text:?}");
        assert!(!accepted(text), "{text:?}");
    }
}

#[test]
fn deep_nesting_is_left_to_rnix() {
    let deep = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
    assert!(!accepted(&deep));
    let fine = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    assert!(accepted(&fine));
}

fn top(text: &str, focus: &str) -> Option<(String, Vec<String>)> {
    let top = scan(text, &names(focus)).ok()?.top?;
    Some((
        text[top.range].to_string(),
        top.skipped
            .iter()
            .map(|r| text[r.clone()].to_string())
            .collect(),
    ))
}

#[test]
fn finds_the_top_set_through_the_wrappers() {
    let set = "{ a = 1; b = 2; }";
    for text in [
        set.to_string(),
        format!("{{ pkgs, ... }}: {set}"),
        format!("pkgs: with pkgs; {set}"),
        format!("x@{{ y }}: let z = {{ }}; in ({set})"),
        format!("final: prev: assert true; {set}"),
        format!("{{ a }}@x: {set}"),
    ] {
        let (found, skipped) = top(&text, "x").unwrap_or_else(|| panic!("{text}"));
        assert_eq!(found, set, "{text}");
        // the last entry is kept
        assert_eq!(skipped, ["a = 1;"], "{text}");
    }
    // a rec set's names are in scope in it: nothing is skipped
    assert!(top("rec { a = 1; b = 2; }", "x").is_none());
    assert!(top("x: rec { a = 1; b = 2; }", "x").is_none());
    // no set at the top: nothing to skip (the scan's guess of `{ a = 1; }` for the
    // first is checked against the tree by the caller)
    assert!(top("f { a = 1; }", "x").is_none());
    assert!(top("[ { a = 1; b = 2; } ]", "x").is_none());
}

/// The sets on the path `path` in `text`: each one's entries left out, outermost first.
fn path_sets(text: &str, path: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut set = scan(text, &names(path)).ok().and_then(|s| s.top);
    while let Some(s) = set {
        out.push(
            s.skipped
                .iter()
                .map(|r| text[r.clone()].to_string())
                .collect(),
        );
        set = s.inner.map(|b| *b);
    }
    out
}

#[test]
fn goes_into_the_set_the_one_reaching_entry_binds() {
    let doc = |top: &str| format!("{{ a = 1; {top} z = 1; }}");
    let inner = "{ b = 1; x.y = 2; c = { x = 3; }; d = 4; }";
    assert_eq!(
        path_sets(&doc(&format!("top = {inner};")), "top.x.y"),
        [vec!["a = 1;"], vec!["b = 1;", "c = { x = 3; };"]]
    );
    // and further down
    assert_eq!(
        path_sets(
            &doc("top = { x = { y = 1; q = 2; }; e = 3; f = 4; };"),
            "top.x.q"
        ),
        [vec!["a = 1;"], vec!["e = 3;"], vec!["y = 1;"]]
    );
    // only as far as the path goes
    assert_eq!(
        path_sets(&doc(&format!("top = {inner};")), "top"),
        [vec!["a = 1;"]]
    );
    // not where the value is not just a set literal, or another entry may bind the name
    for top in [
        format!("top = rec {inner};"),
        format!("top = {inner} // {{ }};"),
        format!("top = ({inner});"),
        format!("top = with p; {inner};"),
        format!("top = x: {inner};"),
        format!("top.q = {inner};"),
        format!("top = {inner}; top.q = 1;"),
        format!("inherit (p) top; top = {inner};"),
        format!("${{n}} = 1; top = {inner};"),
        format!("\"top\" = {inner}; top.r = 1;"),
    ] {
        let sets = path_sets(&doc(&top), "top.x");
        assert_eq!(sets.len(), 1, "{top}");
    }
    // a quoted name is the name
    assert_eq!(
        path_sets(&doc(&format!("\"top\" = {inner};")), "top.x").len(),
        2
    );
}

/// Where the document's value turns out to be no set literal the scan follows, the
/// scan stops there (not reading the rest, here a stray `}`), for the whole parse to
/// start at once.
#[test]
fn stops_where_nothing_can_be_left_out() {
    for (text, at) in [
        ("rec { a = 1; b = 2; } }", "rec"),
        ("x: rec { a = 1; b = 2; } }", "rec"),
        ("f { a = 1; b = 2; } }", "f"),
        ("pkgs: pkgs.mkShell { a = 1; b = 2; } }", "pkgs.mk"),
        ("[ { a = 1; b = 2; } ] }", "["),
        ("\"s\" }", "\""),
        ("1 }", "1"),
        ("- 1 }", "-"),
        ("!a }", "!"),
        ("x: with y; if a then { } else { } }", "if"),
        ("let { a = 1; body = a; } }", "let"),
        ("{ a = 1; b = 2; } // { c = 3; } }", "//"),
        ("{ a = 1; b = 2; }.a }", "."),
        ("({ a = 1; b = 2; }).a }", "."),
        ("(x: { a = 1; b = 2; }) 1 }", "1 }"),
        ("{ a = 1; b = 2; } x }", "x }"),
    ] {
        let at = text.find(at).unwrap();
        assert_eq!(
            scan(text, &names("x")).err(),
            Some(Stop::Whole { at }),
            "{text}"
        );
        // to the end, the scan finds the stray `}`
        assert_eq!(
            scan_to_the_end(text, &names("x")).err(),
            Some(Stop::Refused),
            "{text}"
        );
    }
    // a set the value is goes on to the end
    for text in [
        "{ a = 1; b = 2; }",
        "x: ({ a = 1; b = 2; })",
        "(({ a = 1; b = 2; }))",
    ] {
        assert!(
            scan(text, &names("x")).is_ok_and(|s| s.top.is_some()),
            "{text}"
        );
    }
}

#[test]
fn keeps_the_entries_the_focus_reaches() {
    let text = r#"{
  a = 1;
  # the focus
  x.y = 2;
  b = { x = 3; };
  inherit (p) c d;
  inherit (p) x;
  "x" = 4;
  "e" = 5;
  ${f} = 6;
  "${g}" = 7;
  "h\"" = 8;
  i = 9;
  j = 10;
}"#;
    let (_, skipped) = top(text, "x").unwrap();
    assert_eq!(
        skipped,
        [
            "a = 1;",
            "b = { x = 3; };\n  inherit (p) c d;",
            "\"e\" = 5;",
            "i = 9;"
        ]
    );
}

/// Pieces of Nix to build documents from, valid or not.
const PIECES: &[&str] = &[
    "{", "}", "[", "]", "(", ")", ";", "=", ":", ",", "@", "...", "?", ".", "or", "let", "in",
    "with", "rec", "inherit", "if", "then", "else", "assert", "a", "b", "x", "1", "2.5", "\"s\"",
    "\"${", "''i''", "''", "\"", "./p", "/abs", "~/h", "<np>", "http://u", "+", "-", "*", "/",
    "++", "//", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->", "!", "|>", "<|", "#c\n",
    "/*c*/", "${", "__curPos", "\n", "\\", "$", "'", "~",
];

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec((0..PIECES.len(), any::<bool>()), 0..24).prop_map(|pieces| {
        pieces
            .into_iter()
            .map(|(i, space)| format!("{}{}", PIECES[i], if space { " " } else { "" }))
            .collect()
    })
}

/// A valid document with one piece inserted, or one byte range removed.
fn mutant() -> impl Strategy<Value = String> {
    (
        0..VALID.len(),
        0..PIECES.len(),
        any::<prop::sample::Index>(),
        0..4usize,
    )
        .prop_map(|(v, p, at, cut)| {
            let text = VALID[v];
            let mut at = at.index(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            if cut == 0 {
                format!("{}{}{}", &text[..at], PIECES[p], &text[at..])
            } else {
                let mut end = (at + cut).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                format!("{}{}", &text[..at], &text[end..])
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn accepts_only_what_rnix_parses(text in prop_oneof![soup(), mutant()]) {
        if let Ok(scan) = scan_to_the_end(&text, &names("x")) {
            prop_assert!(rnix_parses(&text), "the scan accepts {:?}, which rnix refuses", text);
            prop_assert_eq!(scan.depth, tree_depth(&text), "{:?}", text);
        }
    }
}
