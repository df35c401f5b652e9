//! Properties of the Nix editor over generated documents: attribute sets with comments,
//! nested and dotted forms, one-line and multi-line layouts, lists, sets behind the wrappers
//! paths go through (`lib.mkIf`, `let`, `with`, a function, `//` — one operand, the same
//! set twice, so that a delete must remove both, or a variable on the right, which a new name
//! goes on the right of as a new operand — `lib.mkMerge`); under
//! random sequences of set/add/remove/delete. After every step: the text parses; a failed
//! edit changed nothing, and the nearest editable place it names can be set; a successful
//! one reads back, is a no-op when repeated, touched no byte outside the binding or element
//! it edited, and its report's changes are exactly the text's. And every edit gives the same
//! result and text when the document is parsed only for the edit's path
//! (`NixDocument::parse_for`), as it is when parsed whole — also for documents broken at a
//! random place; and the whole sequence, run on one document parsed only for the first
//! edit's path (often with every path starting with the same name), gives the same results,
//! texts and reads after every step as on the document parsed whole.

use nix_edit::{AttrPath, Edit, EditReport, NixDocument};
use proptest::prelude::*;

const NAMES: &[&str] = &["a", "b", "c", "port", "env", "\"x.y\""];

/// A value in a generated document.
#[derive(Debug, Clone)]
enum Val {
    Int(u8),
    List(Vec<u8>, bool),
    Set(Vec<(Vec<usize>, Val, Option<String>)>, bool, Wrap),
}

/// What a set stands behind.
#[derive(Debug, Clone, Copy)]
enum Wrap {
    Plain,
    MkIf,
    Let,
    With,
    Function,
    /// `{ } // SET`
    UpdateOnTheRight,
    /// `SET // { }`
    UpdateOnTheLeft,
    /// `SET // SET`: every name bound on both sides, so that a delete must take both
    UpdateTwice,
    /// `SET // z`: a value the editor cannot see inside on the right, which may bind any
    /// name — a new one goes into a new operand on its right
    UpdateUnseen,
    MkMerge,
}

fn wrap() -> impl Strategy<Value = Wrap> {
    prop_oneof![
        6 => Just(Wrap::Plain),
        1 => Just(Wrap::MkIf),
        1 => Just(Wrap::Let),
        1 => Just(Wrap::With),
        1 => Just(Wrap::Function),
        1 => Just(Wrap::UpdateOnTheRight),
        1 => Just(Wrap::UpdateOnTheLeft),
        1 => Just(Wrap::UpdateTwice),
        1 => Just(Wrap::UpdateUnseen),
        1 => Just(Wrap::MkMerge),
    ]
}

/// The text before and after a set behind `w`.
fn wrapping(w: Wrap) -> (&'static str, &'static str) {
    match w {
        Wrap::Plain => ("", ""),
        Wrap::MkIf => ("lib.mkIf true ", ""),
        Wrap::Let => ("let z = 0; in ", ""),
        Wrap::With => ("with z; ", ""),
        Wrap::Function => ("_: ", ""),
        Wrap::UpdateOnTheRight => ("{ } // ", ""),
        Wrap::UpdateOnTheLeft => ("", " // { }"),
        Wrap::UpdateTwice => ("", ""),
        Wrap::UpdateUnseen => ("", " // z"),
        Wrap::MkMerge => ("lib.mkMerge [ ", " ]"),
    }
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
        wrap(),
    )
        .prop_map(|(entries, multi, w)| Val::Set(dedupe(entries), multi, w))
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
            wrap(),
        )
            .prop_map(|(entries, multi, w)| Val::Set(dedupe(entries), multi, w))
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
        Val::Set(entries, multi, w) => {
            let (before, after) = wrapping(*w);
            out.push_str(before);
            render_set(entries, *multi, indent, out);
            if let Wrap::UpdateTwice = w {
                out.push_str(" // ");
                render_set(entries, *multi, indent, out);
            }
            out.push_str(after);
        }
    }
}

fn render_set(
    entries: &[(Vec<usize>, Val, Option<String>)],
    multi: bool,
    indent: usize,
    out: &mut String,
) {
    match multi {
        true => {
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
        false => {
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
enum Change {
    Set(Vec<usize>, u8),
    Add(Vec<usize>, u8),
    Remove(Vec<usize>, u8),
    Delete(Vec<usize>),
}

fn edit() -> impl Strategy<Value = Change> {
    let path = prop::collection::vec(0..NAMES.len(), 1..4);
    prop_oneof![
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Change::Set(p, v)),
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Change::Add(p, v)),
        (path.clone(), any::<u8>()).prop_map(|(p, v)| Change::Remove(p, v)),
        path.prop_map(Change::Delete),
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

/// `edits` with the first name of each path made that of the first edit's, so that every
/// edit is at a path a document parsed for the first one's answers for itself.
fn with_first_name_of_the_first(mut edits: Vec<Change>) -> Vec<Change> {
    let first = match &edits[0] {
        Change::Set(p, _) | Change::Add(p, _) | Change::Remove(p, _) | Change::Delete(p) => p[0],
    };
    for e in &mut edits {
        let (Change::Set(p, _) | Change::Add(p, _) | Change::Remove(p, _) | Change::Delete(p)) = e;
        p[0] = first;
    }
    edits
}

/// `edits` with every path put under the first top-level binding of `top` whose value is
/// a set literal of its own (`name = { … };`), where a document parsed for one of them
/// leaves out what the path cannot reach inside that set too; `edits` as they are when
/// there is none.
fn under_a_set_binding(top: &Val, mut edits: Vec<Change>) -> Vec<Change> {
    let Val::Set(entries, _, _) = top else {
        return edits;
    };
    let Some((name, _, _)) = entries
        .iter()
        .find(|(p, v, _)| p.len() == 1 && matches!(v, Val::Set(_, _, Wrap::Plain)))
    else {
        return edits;
    };
    for e in &mut edits {
        let (Change::Set(p, _) | Change::Add(p, _) | Change::Remove(p, _) | Change::Delete(p)) = e;
        p.insert(0, name[0]);
    }
    edits
}

/// The path an edit is at.
fn path_of(e: &Change) -> AttrPath {
    let (Change::Set(p, _) | Change::Add(p, _) | Change::Remove(p, _) | Change::Delete(p)) = e;
    attr_path(p)
}

/// `e` on `text`, parsed for `e`'s path: its result and the text after it.
fn fast(text: &str, e: &Change) -> (nix_edit::Result<bool>, String) {
    let mut doc = NixDocument::parse_for("gen.nix", text, &path_of(e)).unwrap();
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

fn apply(doc: &mut NixDocument, e: &Change) -> nix_edit::Result<bool> {
    report(doc, e).map(|r| r.changed)
}

fn report(doc: &mut NixDocument, e: &Change) -> nix_edit::Result<EditReport> {
    let (path, value);
    let edit = match e {
        Change::Set(p, v) => {
            (path, value) = (attr_path(p), v.to_string());
            Edit::Set {
                path: &path,
                expr: &value,
            }
        }
        Change::Add(p, v) => {
            (path, value) = (attr_path(p), v.to_string());
            Edit::Add {
                path: &path,
                expr: &value,
            }
        }
        Change::Remove(p, v) => {
            (path, value) = (attr_path(p), v.to_string());
            Edit::Remove {
                path: &path,
                expr: &value,
            }
        }
        Change::Delete(p) => {
            path = attr_path(p);
            Edit::Delete { path: &path }
        }
    };
    doc.edit(edit)
}

/// `before` with each text the report says was replaced masked as one NUL: equal to
/// [`masked`] of the text after exactly when no byte outside the reported changes moved.
fn replay(before: &str, report: &EditReport) -> String {
    let mut out = String::new();
    let mut at = 0;
    for c in &report.changes {
        out.push_str(&before[at..c.before.start]);
        out.push('\u{0}');
        at = c.before.end;
    }
    out.push_str(&before[at..]);
    out
}

/// `after` with each change's new text masked as `replay` masks it.
fn masked(after: &str, report: &EditReport) -> String {
    let mut out = String::new();
    let mut at = 0;
    for c in &report.changes {
        out.push_str(&after[at..c.after.start]);
        out.push('\u{0}');
        at = c.after.end;
    }
    out.push_str(&after[at..]);
    out
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
    fn edits_keep_every_byte_they_do_not_own(top in top_set(), h in 0..HEADERS.len(), edits in prop::collection::vec(edit(), 1..8), aim in 0..3usize) {
        let edits = match aim {
            0 => edits,
            1 => with_first_name_of_the_first(edits),
            _ => under_a_set_binding(&top, edits),
        };
        let text = document(&top, h);
        let mut doc = NixDocument::parse("gen.nix", text.clone()).unwrap();
        prop_assert_eq!(doc.text(), text.as_str(), "parse then print is byte-identical");
        // the whole sequence on one document parsed for the first edit's path
        let mut partial = NixDocument::parse_for("gen.nix", text.clone(), &path_of(&edits[0])).unwrap();
        for (i, e) in edits.iter().enumerate() {
            let before = doc.text().to_string();
            let current = doc.get(&path_of(e));
            // The path can be read, so the edit must work: no set path runs through a
            // non-set (that is an error for get too), and lists are list literals.
            let must_succeed = match (e, &current) {
                (Change::Set(..), Ok(_)) | (Change::Delete(..), Ok(Some(_))) => true,
                (Change::Add(..), Ok(None)) => true,
                (Change::Add(..) | Change::Remove(..), Ok(Some(v))) => v.starts_with('['),
                _ => false,
            };
            let old_value = match e { Change::Set(..) => current.ok().flatten(), _ => None };
            let (fast_result, fast_text) = fast(&before, e);
            let result = report(&mut doc, e);
            prop_assert_eq!(&fast_result, &result.as_ref().map(|r| r.changed).map_err(Clone::clone), "{:?} parsed for its path on\n{}", e, before);
            prop_assert_eq!(fast_text.as_str(), doc.text(), "{:?} parsed for its path", e);
            let partial_result = report(&mut partial, e);
            prop_assert_eq!(&partial_result, &result, "{:?} on one document parsed for {:?} on\n{}", &edits[..=i], &edits[0], text);
            prop_assert_eq!(partial.text(), doc.text(), "{:?} on one document parsed for {:?}", &edits[..=i], &edits[0]);
            prop_assert_eq!(partial.get(&path_of(e)), doc.get(&path_of(e)), "{:?} read back", &edits[..=i]);
            match result {
                Err(err) => {
                    // a delete of what a new operand bound on the right of `z` is refused:
                    // `z` may bind it then
                    let unseen_left = matches!(err.kind(), nix_edit::ErrorKind::Hidden { found, after_delete: true, .. } if found == "the variable `z`");
                    prop_assert!(!must_succeed || unseen_left, "{:?} failed on\n{}\n{}", e, before, err);
                    prop_assert_eq!(doc.text(), before.as_str(), "a failed edit changed the text: {:?}", e);
                    // the nearest editable place it names is one
                    if let Some(place) = err.editable() {
                        let mut d = doc.clone();
                        prop_assert!(d.get(place).is_ok_and(|v| v.is_some()), "{:?}: {} is not bound", e, place);
                        prop_assert!(d.set(place, "{ }").is_ok(), "{:?}: {} cannot be set", e, place);
                    }
                }
                Ok(report) => {
                    let changed = report.changed;
                    prop_assert!(rnix::Root::parse(doc.text()).errors().is_empty(), "{:?} gave unparsable\n{}", e, doc.text());
                    let after = doc.text().to_string();
                    prop_assert_eq!(changed, after != before, "{:?} misreported a change", e);
                    prop_assert_eq!(changed, !report.changes.is_empty());
                    // a span only for one change, and then that change's: never text it kept
                    let one = match report.changes.as_slice() { [c] => Some(c.after.clone()), _ => None };
                    prop_assert_eq!(report.span(), one, "{:?}: the report's span", e);
                    prop_assert_eq!(replay(&before, &report), masked(&after, &report), "{:?}: bytes changed outside the reported changes", e);
                    match e {
                        Change::Set(p, v) => {
                            prop_assert_eq!(doc.get(&attr_path(p)).unwrap(), Some(v.to_string()));
                            if changed {
                                match &old_value {
                                    Some(old) => prop_assert_eq!(after.len() + old.len(), before.len() + v.to_string().len(), "{:?} changed more than the value", e),
                                    None => prop_assert!(is_one_insertion(&before, &after), "{:?} is not a single insertion:\n{}\n---\n{}", e, before, after),
                                }
                            }
                        }
                        Change::Add(..) if changed => prop_assert!(is_one_insertion(&before, &after), "{:?}:\n{}\n---\n{}", e, before, after),
                        Change::Remove(..) | Change::Delete(..) if changed => prop_assert!(is_deletion(&before, &after), "{:?}:\n{}\n---\n{}", e, before, after),
                        _ => {}
                    }
                    if let Change::Delete(p) = e {
                        prop_assert_eq!(doc.get(&attr_path(p)).ok().flatten(), None);
                    }
                    prop_assert_eq!(apply(&mut doc, e).ok(), Some(false), "{:?} applied twice changed something", e);
                    prop_assert_eq!(doc.text(), after.as_str());
                    prop_assert_eq!(apply(&mut partial, e).ok(), Some(false), "{:?} applied twice", &edits[..=i]);
                    prop_assert_eq!(partial.text(), after.as_str());
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
        let whole = NixDocument::parse("gen.nix", text.as_str());
        let partial = NixDocument::parse_for("gen.nix", text.as_str(), &path_of(&e));
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
