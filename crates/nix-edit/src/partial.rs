//! Partial trees: the syntax tree of a document in which the top-level attribute set holds
//! only the entries a path starting with one name (the focus) can reach, the others kept as
//! text — and, when the one entry the focus reaches is `name = { … };`, the same for that
//! set and the path's next name, and so on down the path. For a `devgen nix set` on a 4 MB
//! all-packages file, the tree is a few nodes and one token of 4 MB, instead of a million
//! nodes.
//!
//! How one is made: [`scan`](crate::scan) checks the whole document against rnix's grammar
//! and finds the sets on the path and their entries the path cannot reach; each run of
//! them is replaced by one space, and rnix parses what is left (the header, the kept
//! entries, the sets' braces). Then each run goes back into that tree as one opaque token
//! of kind `TOKEN_ERROR` holding the run's text, in the whitespace token where its space
//! is: the tree's text is the document's, byte for byte, so every span is a span of the
//! document. A parsed document has no `TOKEN_ERROR`, so an opaque token cannot be taken for
//! anything else, and no code that walks the tree sees an entry in it.
//!
//! What it keeps, in each set on the path (never a `rec` set, whose names are in scope in
//! it), for the path's name there: every entry whose first attribute name is that name or
//! is not static, every `inherit` naming it or a name that is not static, and the last
//! entry (a new binding goes after it when no entry shares the path). It goes into the set
//! an entry binds only when that entry is the only one the name reaches and the set
//! literal is its whole value, and only while the path has a name for that set. Everything
//! below a kept entry that is not a set on the path, and everything around the top-level
//! set, is rnix's own tree. A path that starts with the names of the sets on the path (the
//! focus) therefore finds in it exactly what it finds in the whole tree; anything else must
//! be answered from the whole tree (`Tree::whole`).
//!
//! An edit inside a kept entry re-parses its smallest set or list literal as for a whole
//! tree; an edit of a set on the path itself (a new or deleted binding in it) re-parses the
//! set with its runs again standing as spaces ([`regraft`]): the runs' text does not
//! change, and the scan found each to be complete entries, so the document parses when
//! that does. After such an edit the set's entries are no longer those the scan chose — a
//! deleted last entry leaves a run at the end, where a new binding would then go before
//! text the tree does not show — so the tree answers for no path any more: the next
//! question or edit is answered from the whole tree (`Tree::covers`), parsed then, so that
//! one edit still costs no full parse. An edit inside a kept entry leaves the sets' entries
//! as they were: the tree is then the one the scan would make of the new text.

use std::ops::Range;

use rnix::{NixLanguage, SyntaxKind, SyntaxNode};
use rowan::{GreenNode, GreenNodeData, GreenToken, Language, NodeOrToken};

use crate::depth::MAX_DEPTH;
use crate::scan;
use crate::syntax::range;

/// The kind of the tokens that stand for runs of entries left out.
const OPAQUE: SyntaxKind = SyntaxKind::TOKEN_ERROR;

/// A partial tree of `text` for paths starting with the names of `path`, and the range of
/// each set on the path it leaves entries out of or goes through to one that does, the
/// top-level set first (as many as the names the tree answers for); `None` when the
/// document has a syntax error, when the scan does not follow it, or when nothing would be
/// left out — then it is parsed whole.
pub(crate) fn parse(text: &str, path: &[String]) -> Option<(SyntaxNode, Vec<Range<usize>>)> {
    let top = scan::scan(text, path).ok()?.top?;
    let mut sets = vec![&top];
    while let Some(inner) = sets[sets.len() - 1].inner.as_deref() {
        sets.push(inner);
    }
    // down to the deepest set that leaves something out
    let depth = sets.iter().rposition(|s| !s.skipped.is_empty())?;
    let sets = &sets[..=depth];
    let mut runs: Vec<Range<usize>> = sets.iter().flat_map(|s| s.skipped.clone()).collect();
    runs.sort_by_key(|r| r.start);
    let green = parse_without(text, 0..text.len(), &runs, SyntaxKind::NODE_ROOT, MAX_DEPTH)?;
    let ranges = sets.iter().map(|s| s.range.clone()).collect();
    Some((SyntaxNode::new_root(green), ranges))
}

/// Whether `node` has runs of entries left out among its children.
pub(crate) fn has_opaque(node: &SyntaxNode) -> bool {
    node.children_with_tokens().any(|c| c.kind() == OPAQUE)
}

/// After `splice` (a range of the document before it, and its new text) turned the
/// document into `new_text`, the tree's root with `set`, a top-level set with runs left
/// out, parsed again from its new text, the runs again standing as spaces. `None` when
/// the splice touches a run or the set does not parse on its own.
pub(crate) fn regraft(
    set: &SyntaxNode,
    splice: Range<usize>,
    inserted: usize,
    new_text: &str,
) -> Option<SyntaxNode> {
    let old = range(set);
    let grown = inserted as isize - splice.len() as isize;
    let mut runs = Vec::new();
    for child in set.children_with_tokens().filter(|c| c.kind() == OPAQUE) {
        let r = usize::from(child.text_range().start())..usize::from(child.text_range().end());
        if r.end <= splice.start {
            runs.push(r);
        } else if r.start >= splice.end {
            let shift = |o: usize| (o as isize + grown) as usize;
            runs.push(shift(r.start)..shift(r.end));
        } else {
            return None;
        }
    }
    let new_range = old.start..(old.end as isize + grown) as usize;
    // the set's tree goes where it is, as deep as it is in the tree
    let limit = MAX_DEPTH + 2 - set.ancestors().count();
    let green = parse_without(new_text, new_range, &runs, SyntaxKind::NODE_ATTR_SET, limit)?;
    Some(SyntaxNode::new_root(set.replace_with(green)))
}

/// The green node of kind `kind` that `text[within]` parses to with each of `runs`
/// (sorted, inside `within`) left out, and then put back as an opaque token. `None` when
/// what is left does not parse to one such node without errors, or its tree, parsed
/// alone, nests deeper than `limit` (see `depth`).
fn parse_without(
    text: &str,
    within: Range<usize>,
    runs: &[Range<usize>],
    kind: SyntaxKind,
    limit: usize,
) -> Option<GreenNode> {
    let kept: usize = within.len() - runs.iter().map(|r| r.len()).sum::<usize>();
    let mut short = String::with_capacity(kept + runs.len());
    let mut marks = Vec::with_capacity(runs.len());
    let mut at = within.start;
    for run in runs {
        short.push_str(&text[at..run.start]);
        marks.push((short.len(), &text[run.clone()]));
        short.push(' ');
        at = run.end;
    }
    short.push_str(&text[at..within.end]);
    let parsed = crate::depth::parse(&short, limit).ok()?;
    if !parsed.errors().is_empty() {
        return None;
    }
    let root = parsed.syntax();
    let node = if kind == SyntaxKind::NODE_ROOT {
        root
    } else {
        root.first_child()
            .filter(|c| c.kind() == kind && range(c) == (0..short.len()))?
    };
    let green = put_back(node.green(), 0, &marks)?;
    debug_assert_eq!(
        SyntaxNode::new_root(green.clone()).to_string(),
        text[within],
        "a partial tree's text is the document's"
    );
    Some(green)
}

/// `node` (starting at `start` in the shortened text) with each of `marks` — the place
/// of a space standing for a run, and the run's text — replaced by an opaque token of that
/// text. `None` when a mark is not in a whitespace token.
fn put_back(node: &GreenNodeData, start: usize, marks: &[(usize, &str)]) -> Option<GreenNode> {
    let whitespace = |s: &str| NodeOrToken::Token(token(SyntaxKind::TOKEN_WHITESPACE, s));
    let mut children = Vec::with_capacity(node.children().len() + 2 * marks.len());
    let mut at = start;
    let mut next = 0;
    for child in node.children() {
        let end = at + usize::from(child.text_len());
        let inside = marks[next..].iter().take_while(|(m, _)| *m < end).count();
        let mine = &marks[next..next + inside];
        next += inside;
        match child {
            _ if mine.is_empty() => children.push(child.to_owned()),
            NodeOrToken::Node(n) => children.push(NodeOrToken::Node(put_back(n, at, mine)?)),
            NodeOrToken::Token(t) => {
                if t.kind() != NixLanguage::kind_to_raw(SyntaxKind::TOKEN_WHITESPACE) {
                    return None;
                }
                let s = t.text();
                let mut from = 0;
                for (m, run) in mine {
                    let here = m - at;
                    if from < here {
                        children.push(whitespace(&s[from..here]));
                    }
                    children.push(NodeOrToken::Token(token(OPAQUE, run)));
                    from = here + 1;
                }
                if from < s.len() {
                    children.push(whitespace(&s[from..]));
                }
            }
        }
        at = end;
    }
    Some(GreenNode::new(node.kind(), children))
}

fn token(kind: SyntaxKind, text: &str) -> GreenToken {
    GreenToken::new(NixLanguage::kind_to_raw(kind), text)
}

#[cfg(test)]
mod tests {
    use crate::{AttrPath, ErrorKind, NixDocument};

    fn p(s: &str) -> AttrPath {
        s.parse().unwrap()
    }

    /// A module with wrappers, comments, blank lines, odd layout and many top-level
    /// bindings around the ones the cases aim at.
    const DOC: &str = r#"# A module.
{ pkgs, lib, ... }:

with pkgs;

let
  tools = [ git ];
in
{
  # first
  a = 1; b = 2;
  c = { d = 3; }; # trailing

  packages = [
    git # version control
  ] ++ lib.optionals stdenv.isLinux [ inotify-tools ];

  e = "a string; with { braces } and ${toString 1}";
  f = ''
    indented ${g} ''${not} }
  '';
  h = ./path/${name}.nix;
  services.postgres = {
    enable = true;
  };
  i = x: { y = x; };
  inherit (pkgs) jq;
  services.redis.enable = false;
  k = { };

  l = 5;
}
"#;

    /// `op` on `text` at `path`, through `parse` and through `parse_for`: the outcomes and
    /// texts must be the same. Returns whether `parse_for` gave a partial document.
    fn same_both_ways(text: &str, op: &str, path: &str, expr: &str) -> bool {
        let path = p(path);
        let run = |doc: &mut NixDocument| apply(doc, op, &path, expr);
        let whole = NixDocument::parse("t.nix", text);
        let fast = NixDocument::parse_for("t.nix", text, &path);
        match (whole, fast) {
            (Ok(mut whole), Ok(mut fast)) => {
                let partial = fast.is_partial();
                for _ in 0..2 {
                    let a = run(&mut whole);
                    let b = run(&mut fast);
                    assert_eq!(a, b, "{op} {path} on\n{text}");
                    assert_eq!(whole.text(), fast.text(), "{op} {path}");
                    assert_eq!(whole.get(&path), fast.get(&path), "{op} {path}");
                }
                partial
            }
            (Err(a), Err(b)) => {
                assert_eq!(a, b);
                false
            }
            (a, b) => panic!("{op} {path}: parse gave {a:?}, parse_for {b:?}"),
        }
    }

    /// `OP PATH [EXPR]`, as a command line would.
    fn case(text: &str, line: &str) -> bool {
        let mut words = line.splitn(3, ' ');
        let (op, path) = (words.next().unwrap(), words.next().unwrap());
        same_both_ways(text, op, path, words.next().unwrap_or(""))
    }

    /// The operation of `line` (`OP PATH [EXPR]`) on `doc`, and its path.
    fn run_line(doc: &mut NixDocument, line: &str) -> (AttrPath, crate::Result<bool>) {
        let mut words = line.splitn(3, ' ');
        let (op, path) = (words.next().unwrap(), p(words.next().unwrap()));
        let result = apply(doc, op, &path, words.next().unwrap_or(""));
        (path, result)
    }

    /// `op` (get, set, add, remove, delete) at `path` on `doc`: whether it changed the
    /// document, or for `get` whether the path is bound.
    fn apply(doc: &mut NixDocument, op: &str, path: &AttrPath, expr: &str) -> crate::Result<bool> {
        match op {
            "get" => doc.get(path).map(|v| v.is_some()),
            "set" => doc.set(path, expr),
            "add" => doc.add(path, expr),
            "remove" => doc.remove(path, expr),
            "delete" => doc.delete(path),
            _ => unreachable!("{op}"),
        }
    }

    /// The operations of `lines`, one after the other, on one document parsed whole and on
    /// one parsed for the first line's path: after every step the outcomes, the texts and
    /// what the path reads must be the same. Returns whether `parse_for` gave a partial
    /// document.
    fn sequence_both_ways(text: &str, lines: &[&str]) -> bool {
        let first = p(lines[0].split(' ').nth(1).unwrap());
        let mut whole = NixDocument::parse("t.nix", text).unwrap();
        let mut fast = NixDocument::parse_for("t.nix", text, &first).unwrap();
        let partial = fast.is_partial();
        for (i, line) in lines.iter().enumerate() {
            let (path, a) = run_line(&mut whole, line);
            let (_, b) = run_line(&mut fast, line);
            let done = lines[..=i].join("; ");
            assert_eq!(a, b, "{done} on\n{text}");
            assert_eq!(whole.text(), fast.text(), "{done} on\n{text}");
            assert_eq!(whole.get(&path), fast.get(&path), "{done}");
            assert_eq!(whole.get(&first), fast.get(&first), "{done}");
        }
        partial
    }

    #[test]
    fn several_edits_of_one_partial_document_are_those_of_the_whole_tree() {
        let one_line = "{ a = 1; b = 2; }";
        let multi = "{\n  a = 1;\n  b = 2;\n}\n";
        let sequences: &[&[&str]] = &[
            &["delete b", "set b 3"],
            &["delete b", "add b 1"],
            &["delete b", "set b.c 3", "set b.d 4"],
            &["delete b", "set a 5", "set b 6"],
            &["set b 3", "delete b", "set b 4", "delete b"],
            &["set c 3", "delete c", "set c 4"],
            &[
                "set b.c 3",
                "set b.d 4",
                "delete b.c",
                "delete b",
                "set b 5",
            ],
            &["delete b", "set b 2", "delete a", "set a 1"],
            &["get b", "delete b", "get b", "set b 3", "get b"],
        ];
        for text in [one_line, multi, DOC] {
            for lines in sequences {
                assert!(sequence_both_ways(text, lines), "{lines:?}: not partial");
            }
        }
        for lines in [
            &["delete l", "set l 6", "set m 7"][..],
            &["delete l", "add l 1", "add packages jq"],
            &[
                "set c.d 4",
                "set c.e 5",
                "delete c.d",
                "delete c",
                "set c 1",
            ],
            &[
                "add packages jq",
                "remove packages git",
                "delete packages",
                "add packages git",
            ],
            &[
                "delete services.postgres",
                "set services.postgres.enable false",
                "delete services",
            ],
            &["delete jq", "set jq 1", "get jq"],
        ] {
            assert!(sequence_both_ways(DOC, lines), "{lines:?}: not partial");
        }
    }

    #[test]
    fn edits_and_reads_are_those_of_the_whole_tree() {
        for line in [
            "get a",
            "get c.d",
            "get services.postgres.enable",
            "get services.redis",
            "get services",
            "get jq",
            "get nothing",
            "get tools",
            "set a 10",
            "set b 20",
            "set c.d 30",
            "set c.new 31",
            "set services.postgres.port 5432",
            "set services.mysql.enable true",
            "set new.deep.path \"v\"",
            "set l { m = 1; }",
            "set jq 1",
            "set i.y 1",
            "set e ''\n  text\n''",
            "set k.a 1",
            "set a (",
            "add packages jq",
            "add packages git",
            "add newList jq",
            "add a jq",
            "remove packages git",
            "remove packages inotify-tools",
            "delete a",
            "delete b",
            "delete c",
            "delete c.d",
            "delete l",
            "delete services",
            "delete services.redis",
            "delete jq",
            "delete nothing",
        ] {
            assert!(case(DOC, line), "{line}: not partial");
        }
    }

    /// Everything one level down, in a set bound by one top-level binding.
    const NESTED: &str = r#"{ pkgs, ... }:
{
  a = 1;
  top = {
    # first
    b = 2;
    x = { y = 1; w = 0; };
    services.postgres = {
      enable = true;
    };
    packages = [ git ];
    inherit (pkgs) jq;
    c = 3;
  };
  z = 1;
}
"#;

    #[test]
    fn the_set_one_level_down_is_left_out_of_too() {
        for line in [
            "get top.x",
            "get top.x.y",
            "get top.services.postgres.enable",
            "get top.jq",
            "get top.nothing",
            "set top.x.y 2",
            "set top.x.new 2",
            "set top.new 1",
            "set top.services.mysql.enable true",
            "set top.jq 1",
            "add top.packages jq",
            "remove top.packages git",
            "delete top.x",
            "delete top.x.y",
            "delete top.b",
            "delete top.c",
            "delete top.jq",
            "delete top.services",
        ] {
            assert!(case(NESTED, line), "{line}: not partial");
            // the top-level set and the one below both leave entries out
            let path = p(line.split(' ').nth(1).unwrap());
            let tree = crate::tree::Tree::partial("t".into(), NESTED.into(), &path);
            let sets = tree.map_err(|_| ()).unwrap().1;
            assert!(sets.len() >= 2, "{line}");
        }
        for lines in [
            &["set top.x.y 2", "set top.x.y 3", "get top", "set top 1"][..],
            &["delete top.c", "set top.c 4", "set top.d 5"],
            &["delete top.c", "delete top.x", "add top.x 1", "get top.x"],
            &[
                "set top.x.new 2",
                "delete top.x.new",
                "delete top.x",
                "set top.x 1",
            ],
            &["get top.x", "delete top", "set top.x 1", "get top.x"],
            &["set top.x.y 2", "set a 3", "set top.x.w 4"],
        ] {
            assert!(sequence_both_ways(NESTED, lines), "{lines:?}: not partial");
        }
        // the path `top` alone, or a path elsewhere, goes to the whole tree
        for line in ["get top", "set top 1", "delete top", "set top.x 1", "get a"] {
            case(NESTED, line);
        }
    }

    #[test]
    fn a_partial_tree_is_the_document_byte_for_byte() {
        let crlf = DOC.replace('\n', "\r\n");
        let tabs = DOC.replace("  ", "\t");
        let tight = "{a=1;b=2;c={d=3;};e=[1];f=5;}";
        for text in [DOC, &crlf, &tabs, tight] {
            let doc = NixDocument::parse_for("t.nix", text, &p("c.d")).unwrap();
            assert!(doc.is_partial());
            assert_eq!(doc.text(), text);
            for line in [
                "set c.d 4",
                "set new 1",
                "delete a",
                "delete c",
                "add e 2",
                "get f",
            ] {
                case(text, line);
            }
        }
    }

    #[test]
    fn other_names_and_the_whole_document_are_answered_whole() {
        let mut doc = NixDocument::parse_for("t.nix", DOC, &p("a")).unwrap();
        let whole = NixDocument::parse("t.nix", DOC).unwrap();
        assert!(doc.is_partial());
        assert_eq!(doc.get(&p("c.d")), whole.get(&p("c.d")));
        assert_eq!(doc.bindings(), whole.bindings());
        assert_eq!(doc.references().len(), whole.references().len());
        assert_eq!(doc.let_binding("tools"), whole.let_binding("tools"));
        assert_eq!(
            doc.list_elements(&p("packages")),
            whole.list_elements(&p("packages"))
        );
        // still partial for its own name; an edit elsewhere makes it whole
        assert!(doc.set(&p("a"), "2").unwrap());
        assert!(doc.is_partial());
        assert!(doc.set(&p("b"), "3").unwrap());
        assert!(!doc.is_partial());
        assert_eq!(doc.get(&p("a")).unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn documents_the_fast_path_does_not_take_are_parsed_whole() {
        for text in [
            // nothing to leave out
            "{ a = 1; }",
            "{ }",
            // names in scope in the set
            "rec { a = 1; b = a; c = 2; }",
            // the value is no set literal
            "{ a = 1; b = 2; } // { c = 3; }",
            "f { a = 1; b = 2; }",
            "{ a = 1; b = 2; }.a",
            "[ { a = 1; b = 2; } ]",
            "let { a = 1; body = 2; }",
            // rnix takes any token as a `)`
            "({ a = 1; b = 2; }]",
        ] {
            case(text, "set a 5");
            let doc = NixDocument::parse_for("t.nix", text, &p("a"));
            assert!(
                !doc.as_ref().is_ok_and(NixDocument::is_partial),
                "{text}: partial"
            );
        }
    }

    /// A chain too deep in an entry the path does not reach is never parsed into the
    /// partial tree, yet the document is refused alike, where it nests too deeply.
    #[test]
    fn documents_nested_too_deeply_are_refused_as_by_parse() {
        for n in [2_000, 100_000] {
            let chain = vec!["x"; n].join(" // ");
            for text in [
                format!("{{ a = 1; b = {chain}; c = 2; }}"),
                format!("{{ a = 1; top = {{ b = {chain}; c = 2; }}; z = 1; }}"),
                format!("rec {{ a = 1; b = {chain}; c = 2; }}"),
            ] {
                let whole = NixDocument::parse("t.nix", text.as_str()).unwrap_err();
                assert!(whole.to_string().contains("nested too deeply"), "{whole}");
                for path in ["a", "b", "c", "top.c", "top.b"] {
                    let fast = NixDocument::parse_for("t.nix", text.as_str(), &p(path));
                    assert_eq!(fast.unwrap_err(), whole, "{path}");
                }
            }
        }
    }

    #[test]
    fn syntax_errors_anywhere_are_refused_as_by_parse() {
        let bad = [
            DOC.replace("b = 2;", "b = ;"),
            DOC.replace("${toString 1}\";", "${toString 1};"),
            DOC.replace("${toString 1}", "${toString 1"),
            DOC.replace("''${not} }", "${not "),
            DOC.replace("  l = 5;\n}", "  l = 5;\n"),
            DOC.replace("i = x: { y = x; };", "i = x: { y = x };"),
            DOC.replace("${name}.nix", "${name.nix"),
            format!("{DOC} ;"),
        ];
        for text in &bad {
            let whole = NixDocument::parse("t.nix", text.as_str()).unwrap_err();
            let fast = NixDocument::parse_for("t.nix", text.as_str(), &p("a")).unwrap_err();
            assert!(matches!(whole.kind(), ErrorKind::Syntax { .. }));
            assert_eq!(whole, fast);
        }
    }
}
