//! Properties of the Nix editor over generated documents: attribute sets with comments,
//! nested and dotted forms, one-line and multi-line layouts, lists; under random sequences of
//! set/add/remove/delete. After every step: the text parses; a failed edit changed nothing; a
//! successful one reads back, is a no-op when repeated, and touched no byte outside the
//! binding or element it edited. And every edit gives the same result and text when the
//! document is parsed only for the edit's path (`NixDocument::parse_for`), as it is when
//! parsed whole — also for documents broken at a random place.

use nix_edit::{AttrPath, NixDocument};
use proptest::prelude::*;

const NAMES: &[&str] = &["a", "b", "c", "port", "env", "\"x.y\""];

/// A value in a generated document.
#[derive(Debug, Clone)]
enum Val {
    Int(u8),
    List(Vec<u8>, bool),
    Set(Vec<(Vec<usize>, Val, Option<String>)>, bool),
}

fn top_set() -> impl Strategy<Value = Val> {
    (
        prop::collection::vec(
            (
                prop::collection::vec(0..NAMES.len(), 1..3),
                val(),
                prop::option::of("[a-z ]{0,12}"),
            ),
            0..6,
        ),
        any::<bool>(),
    )
        .prop_map(|(entries, multi)| Val::Set(dedupe(entries), multi))
}

fn val() -> impl Strategy<Value = Val> {
    let leaf = prop_oneof![
        any::<u8>().prop_map(Val::Int),
        (prop::collection::vec(any::<u8>(), 0..4), any::<bool>())
            .prop_map(|(l, multi)| Val::List(l, multi)),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        (
            prop::collection::vec(
                (
                    prop::collection::vec(0..NAMES.len(), 1..3),
                    inner,
                    prop::option::of("[a-z ]{0,12}"),
                ),
                0..4,
            ),
            any::<bool>(),
        )
            .prop_map(|(entries, multi)| Val::Set(dedupe(entries), multi))
    })
}

/// Keep one binding per first name, so that the document is one Nix would accept.
fn dedupe(
    entries: Vec<(Vec<usize>, Val, Option<String>)>,
) -> Vec<(Vec<usize>, Val, Option<String>)> {
    let mut seen = Vec::new();
    entries
        .into_iter()
        .filter(|(p, _, _)| {
            if seen.contains(&p[0]) {
                false
            } else {
                seen.push(p[0]);
                true
            }
        })
        .collect()
}

fn render(v: &Val, indent: usize, out: &mut String) {
    match v {
        Val::Int(i) => out.push_str(&i.to_string()),
        Val::List(items, multi) if *multi && !items.is_empty() => {
            out.push_str("[\n");
            for i in items {
                out.push_str(&format!("{}{i}\n", "  ".repeat(indent + 1)));
            }
            out.push_str(&format!("{}]", "  ".repeat(indent)));
        }
        Val::List(items, _) => {
            out.push('[');
            for i in items {
                out.push_str(&format!(" {i}"));
            }
            out.push_str(" ]");
        }
        Val::Set(entries, multi) if *multi => {
            out.push_str("{\n");
            for (path, value, comment) in entries {
                let pad = "  ".repeat(indent + 1);
                if let Some(c) = comment {
                    out.push_str(&format!("{pad}# {c}\n"));
                }
                out.push_str(&format!(
                    "{pad}{} = ",
                    path.iter().map(|i| NAMES[*i]).collect::<Vec<_>>().join(".")
                ));
                render(value, indent + 1, out);
                out.push_str(";\n");
            }
            out.push_str(&format!("{}}}", "  ".repeat(indent)));
        }
        Val::Set(entries, _) => {
            out.push('{');
            for (path, value, _) in entries {
                out.push_str(&format!(
                    " {} = ",
                    path.iter().map(|i| NAMES[*i]).collect::<Vec<_>>().join(".")
                ));
                render(value, indent, out);
                out.push(';');
            }
            out.push_str(" }");
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Set(Vec<usize>, u8),
    Add(Vec<usize>, u8),
    Remove(Vec<usize>, u8),
    Delete(Vec<usize>),
}

fn edit() -> impl Strategy<Value = Edit> {
    let path = prop::collection::vec(0..NAMES.len(), 1..4);
    prop_oneof![
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Edit::Set(p, v)),
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Edit::Add(p, v)),
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Edit::Remove(p, v)),
        path.prop_map(Edit::Delete),
    ]
}

/// What a document's value may be wrapped in, as the top of real files is.
const HEADERS: &[&str] = &[
    "",
    "{ pkgs, ... }:\n",
    "{ pkgs, ... }:\n\nwith pkgs;\n\n",
    "let\n  x = { a = 1; };\nin\n",
    "final: prev: assert true; ",
    "# a comment\n(\n",
];

/// The text of a generated document under header `h`.
fn document(top: &Val, h: usize) -> String {
    let mut text = HEADERS[h].to_string();
    render(top, 0, &mut text);
    if HEADERS[h].ends_with("(\n") {
        text.push_str("\n)");
    }
    text.push('\n');
    text
}

/// `e` on `text`, parsed for `e`'s path: its result and the text after it.
fn fast(text: &str, e: &Edit) -> (nix_edit::Result<bool>, String) {
    let (Edit::Set(p, _) | Edit::Add(p, _) | Edit::Remove(p, _) | Edit::Delete(p)) = e;
    let mut doc = NixDocument::parse_for("gen.nix", text, &attr_path(p)).unwrap();
    let result = apply(&mut doc, e);
    (result, doc.text().to_string())
}

fn attr_path(p: &[usize]) -> AttrPath {
    p.iter()
        .map(|i| NAMES[*i])
        .collect::<Vec<_>>()
        .join(".")
        .parse()
        .unwrap()
}

fn apply(doc: &mut NixDocument, e: &Edit) -> nix_edit::Result<bool> {
    match e {
        Edit::Set(p, v) => doc.set(&attr_path(p), &v.to_string()),
        Edit::Add(p, v) => doc.add(&attr_path(p), &v.to_string()),
        Edit::Remove(p, v) => doc.remove(&attr_path(p), &v.to_string()),
        Edit::Delete(p) => doc.delete(&attr_path(p)),
    }
}

/// Whether `after` is `before` with one run of text inserted.
fn is_one_insertion(before: &str, after: &str) -> bool {
    let prefix = before
        .bytes()
        .zip(after.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = before
        .bytes()
        .rev()
        .zip(after.bytes().rev())
        .take_while(|(a, b)| a == b)
        .count();
    after.len() > before.len() && prefix + suffix >= before.len()
}

/// Whether `after` can be had from `before` by deleting text only.
fn is_deletion(before: &str, after: &str) -> bool {
    let mut rest = before.chars();
    after.len() < before.len() && after.chars().all(|c| rest.by_ref().any(|b| b == c))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn edits_keep_every_byte_they_do_not_own(top in top_set(), h in 0..HEADERS.len(), edits in prop::collection::vec(edit(), 1..8)) {
        let text = document(&top, h);
        let mut doc = NixDocument::parse("gen.nix", text.clone()).unwrap();
        prop_assert_eq!(doc.text(), text.as_str(), "parse then print is byte-identical");
        for e in &edits {
            let before = doc.text().to_string();
            let current = match e {
                Edit::Set(p, _) | Edit::Add(p, _) | Edit::Remove(p, _) | Edit::Delete(p) => doc.get(&attr_path(p)),
            };
            // The path can be read, so the edit must work: no set path runs through a
            // non-set (that is an error for get too), and lists are list literals.
            let must_succeed = match (e, &current) {
                (Edit::Set(..), Ok(_)) | (Edit::Delete(..), Ok(Some(_))) => true,
                (Edit::Add(..), Ok(None)) => true,
                (Edit::Add(..) | Edit::Remove(..), Ok(Some(v))) => v.starts_with('['),
                _ => false,
            };
            let old_value = match e { Edit::Set(..) => current.ok().flatten(), _ => None };
            let (fast_result, fast_text) = fast(&before, e);
            let result = apply(&mut doc, e);
            prop_assert_eq!(&fast_result, &result, "{:?} parsed for its path on\n{}", e, before);
            prop_assert_eq!(fast_text.as_str(), doc.text(), "{:?} parsed for its path", e);
            match result {
                Err(err) => {
                    prop_assert!(!must_succeed, "{:?} failed on\n{}\n{}", e, before, err);
                    prop_assert_eq!(doc.text(), before.as_str(), "a failed edit changed the text: {:?}", e);
                }
                Ok(changed) => {
                    prop_assert!(rnix::Root::parse(doc.text()).errors().is_empty(), "{:?} gave unparsable\n{}", e, doc.text());
                    let after = doc.text().to_string();
                    prop_assert_eq!(changed, after != before, "{:?} misreported a change", e);
                    match e {
                        Edit::Set(p, v) => {
                            prop_assert_eq!(doc.get(&attr_path(p)).unwrap(), Some(v.to_string()));
                            if changed {
                                match &old_value {
                                    Some(old) => prop_assert_eq!(after.len() + old.len(), before.len() + v.to_string().len(), "{:?} changed more than the value", e),
                                    None => prop_assert!(is_one_insertion(&before, &after), "{:?} is not a single insertion:\n{}\n---\n{}", e, before, after),
                                }
                            }
                        }
                        Edit::Add(..) if changed => prop_assert!(is_one_insertion(&before, &after), "{:?}:\n{}\n---\n{}", e, before, after),
                        Edit::Remove(..) | Edit::Delete(..) if changed => prop_assert!(is_deletion(&before, &after), "{:?}:\n{}\n---\n{}", e, before, after),
                        _ => {}
                    }
                    if let Edit::Delete(p) = e {
                        prop_assert_eq!(doc.get(&attr_path(p)).ok().flatten(), None);
                    }
                    prop_assert_eq!(apply(&mut doc, e).ok(), Some(false), "{:?} applied twice changed something", e);
                    prop_assert_eq!(doc.text(), after.as_str());
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, ..ProptestConfig::default() })]

    /// A document broken (or not) at a random place: parsed for a path, it is refused with
    /// the same error as when parsed whole, or accepted by both and edited alike.
    #[test]
    fn broken_documents_are_refused_alike(
        top in top_set(),
        h in 0..HEADERS.len(),
        at in any::<prop::sample::Index>(),
        cut in 0..3usize,
        piece in prop::sample::select(&["", "{", "}", "[", "]", ";", "=", "\"", "''", "${", "(", ")", "a", "# c\n", "/*", ".", "in", "let", "with"][..]),
        e in edit(),
    ) {
        let text = document(&top, h);
        let at = at.index(text.len() + 1);
        let end = (at + cut).min(text.len());
        let text = format!("{}{}{}", &text[..at], piece, &text[end..]);
        let (Edit::Set(p, _) | Edit::Add(p, _) | Edit::Remove(p, _) | Edit::Delete(p)) = &e;
        let whole = NixDocument::parse("gen.nix", text.as_str());
        let partial = NixDocument::parse_for("gen.nix", text.as_str(), &attr_path(p));
        match (whole, partial) {
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (Ok(mut a), Ok(mut b)) => {
                prop_assert_eq!(apply(&mut a, &e), apply(&mut b, &e), "{:?} on\n{}", e, text);
                prop_assert_eq!(a.text(), b.text());
            }
            (a, b) => prop_assert!(false, "parse gave {:?}, parse_for {:?} on\n{}", a.map(|_| ()), b.map(|_| ()), text),
        }
    }
}
