//! Runs the Nix editor over every `.nix` file under a directory and checks, for every
//! binding it finds, the properties the editor promises. Prints counts; exits 1 when any
//! property fails, listing the first failures.
//!
//! ```text
//! cargo run --release --example corpus -- DIR [--nix-parse]
//! ```
//!
//! Properties, per binding at PATH:
//! - `get PATH` returns the binding's value text;
//! - `set PATH <its own value>` changes nothing;
//! - `set PATH 42` re-parses, `get` gives 42, a second `set` changes nothing, and only the
//!   value's bytes changed;
//! - `set PATH.nixEditNew 1` on a set value, then `delete` of it, gives back the original bytes;
//! - `add PATH "nix-edit-elem"` on a list value, then `remove`, gives back the original bytes;
//! - `delete PATH` re-parses and leaves nothing bound at PATH; a second delete changes nothing.
//!
//! With `--nix-parse`, every edited output is also given to `nix-instantiate --parse` (which
//! must then be on the PATH).
//!
//! With `--fast`, every binding's checks run on the document parsed for the binding's path
//! (`NixDocument::parse_for`) instead, and each of get, set, set of a new path inside it,
//! add, remove and delete must give the same result and text as on the document parsed
//! whole; the counts say how many of those documents were partial. And each file, broken
//! at a few places (a byte range cut out, or a piece of Nix put in), must be refused by
//! `parse_for` with the same error as by `parse`, or be accepted by both.

use std::path::{Path, PathBuf};
use std::process::Command;

use nix_edit::{AttrPath, Binding, ErrorKind, NixDocument, ValueKind};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .expect("usage: corpus DIR [--nix-parse] [--fast]"),
    );
    let nix_parse = args.iter().any(|a| a == "--nix-parse");
    let fast = args.iter().any(|a| a == "--fast");
    let (mut partial, mut compared, mut broken) = (0usize, 0usize, 0usize);
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let (mut unparsable, mut not_sets, mut checked_files, mut checks) = (0, 0, 0, 0usize);
    let mut failures: Vec<String> = Vec::new();
    let started = std::time::Instant::now();
    for file in &files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let name = file.display().to_string();
        let Ok(whole) = NixDocument::parse(&name, &text) else {
            unparsable += 1;
            if fast && NixDocument::parse_for(&name, &text, &"x".parse().unwrap()).is_ok() {
                failures.push(format!("{name}: rnix refuses it, parse_for accepts it"));
            }
            continue;
        };
        let doc = whole.clone();
        if fast {
            broken += break_and_compare(&name, &text, &mut failures);
        }
        let Ok(bindings) = doc.bindings() else {
            not_sets += 1;
            continue;
        };
        checked_files += 1;
        let mut fail = |what: String| failures.push(format!("{name}: {what}"));
        let once = |path: &AttrPath| bindings.iter().filter(|b| &b.path == path).count() == 1;
        // bound whole and also extended by a dotted binding outside its value: Nix merges
        // them, and the editor refuses to read or replace such a path
        let merged = |path: &AttrPath, value: &std::ops::Range<usize>| {
            bindings.iter().any(|b| {
                b.path.segments().len() > path.segments().len()
                    && b.path.segments().starts_with(path.segments())
                    && !(value.start <= b.value.start && b.value.end <= value.end)
            })
        };
        for Binding {
            path,
            value: value_range,
            kind,
        } in bindings.iter().take(40)
        {
            let value = &text[value_range.clone()];
            let doc = if fast {
                let d = NixDocument::parse_for(&name, &text, path).unwrap();
                partial += usize::from(d.is_partial());
                compared += agree(&whole, &d, path, &mut fail);
                d
            } else {
                doc.clone()
            };
            if merged(path, value_range) {
                checks += 1;
                match (doc.get(path), doc.clone().set(path, "42")) {
                    (Err(a), Err(b))
                        if matches!(a.kind(), ErrorKind::Spread { .. })
                            && matches!(b.kind(), ErrorKind::Spread { .. }) => {}
                    other => fail(format!(
                        "{path} is merged from several bindings, but get/set gave {other:?}"
                    )),
                }
                let mut d = doc.clone();
                if !matches!(d.delete(path), Ok(true)) || !matches!(d.get(path), Ok(None)) {
                    fail(format!("delete of merged {path} left it bound"));
                }
                continue;
            }
            checks += 1;
            match doc.get(path) {
                Ok(Some(v)) if v == value => {}
                Ok(_) if !once(path) => {} // bound twice
                other => fail(format!("get {path}: {other:?}, want {value:?}")),
            }
            // set to its own value: nothing changes
            let mut d = doc.clone();
            if once(path) {
                match d.set(path, value) {
                    Ok(false) => {}
                    other => fail(format!("set {path} to itself: {other:?}")),
                }
            }
            // set to 42: only the value changes
            let mut d = doc.clone();
            if once(path) {
                match d.set(path, "42") {
                    Ok(_) => {
                        let expected = format!(
                            "{}42{}",
                            &text[..value_range.start],
                            &text[value_range.end..]
                        );
                        if d.text() != expected && value.trim() != "42" {
                            fail(format!("set {path} 42 changed more than the value"));
                        }
                        if !matches!(d.clone().set(path, "42"), Ok(false)) {
                            fail(format!("set {path} 42 twice changed something"));
                        }
                        check_nix(nix_parse, d.text(), &mut fail, &format!("set {path} 42"));
                    }
                    Err(e) => fail(format!("set {path} 42: {e}")),
                }
            }
            // a new binding inside a set value, then deleted: the original comes back
            if *kind == ValueKind::Set {
                let mut inner = path.segments().to_vec();
                inner.push("nixEditNew".into());
                let new_path = AttrPath::new(inner).unwrap();
                let mut d = doc.clone();
                match d.set(&new_path, "1") {
                    Ok(true) => {
                        check_nix(nix_parse, d.text(), &mut fail, &format!("set {new_path}"));
                        match d.delete(&new_path) {
                            Ok(true) if d.text() == text => {}
                            Ok(true) => fail(format!(
                                "set+delete {new_path} did not restore the file:\n{}",
                                first_difference(&text, d.text())
                            )),
                            other => fail(format!("delete {new_path} after set: {other:?}")),
                        }
                    }
                    Ok(false) => fail(format!("set {new_path}: no change")),
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::Spread { .. }
                                | ErrorKind::InheritedPrefix { .. }
                                | ErrorKind::InheritRewrite { .. }
                                | ErrorKind::InheritShared { .. }
                        ) => {}
                    Err(e) => fail(format!("set {new_path}: {e}")),
                }
            }
            // an element added to a list, then removed: the original comes back
            if *kind == ValueKind::List {
                let mut d = doc.clone();
                match d.add(path, "\"nix-edit-elem\"") {
                    Ok(true) => {
                        check_nix(nix_parse, d.text(), &mut fail, &format!("add {path}"));
                        match d.remove(path, "\"nix-edit-elem\"") {
                            Ok(true) if d.text() == text => {}
                            Ok(true) => fail(format!(
                                "add+remove {path} did not restore the file:\n{}",
                                first_difference(&text, d.text())
                            )),
                            other => fail(format!("remove {path} after add: {other:?}")),
                        }
                    }
                    other => fail(format!("add {path}: {other:?}")),
                }
            }
            // delete: nothing bound afterwards, second delete a no-op
            let mut d = doc.clone();
            match d.delete(path) {
                Ok(true) => {
                    check_nix(nix_parse, d.text(), &mut fail, &format!("delete {path}"));
                    if !matches!(d.get(path), Ok(None)) && once(path) {
                        fail(format!("delete {path}: still bound"));
                    }
                    if !matches!(d.delete(path), Ok(false)) && once(path) {
                        fail(format!("delete {path} twice changed something"));
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::UsedInRec { .. }) => {}
                other => fail(format!("delete {path}: {other:?}")),
            }
        }
    }
    println!(
        "{} files: {checked_files} checked, {unparsable} not parsed by rnix, {not_sets} not attribute sets; \
         {checks} bindings checked in {:.1}s; {} failures",
        files.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    if fast {
        println!(
            "parsed for the path: {partial} documents partial; {compared} operations agreed with the whole parse; \
             {broken} broken copies refused or accepted alike"
        );
    }
    for f in failures.iter().take(40) {
        println!("FAIL {f}");
    }
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "nix") {
            out.push(p);
        }
    }
}

fn check_nix(enabled: bool, text: &str, fail: &mut impl FnMut(String), what: &str) {
    if !enabled {
        return;
    }
    let tmp = std::env::temp_dir().join(format!("nix-corpus-{}.nix", std::process::id()));
    std::fs::write(&tmp, text).unwrap();
    let out = Command::new("nix-instantiate")
        .arg("--parse")
        .arg(&tmp)
        .output()
        .expect("nix-instantiate runs");
    if !out.status.success() {
        fail(format!(
            "{what}: nix-instantiate --parse refused: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a[..at].rfind('\n').map_or(0, |i| i + 1);
    format!(
        "  was: {:?}\n  now: {:?}",
        &a[from..(at + 60).min(a.len())],
        &b[from..(at + 60).min(b.len())]
    )
}

/// An operation on a document.
type Op<'a> = Box<dyn Fn(&mut NixDocument) -> nix_edit::Result<bool> + 'a>;

/// Run each operation at `path` (and at a new path inside it) on `whole` and on `fast`, the
/// same document parsed for `path`: the results and texts must be the same. Returns how
/// many operations were compared.
fn agree(
    whole: &NixDocument,
    fast: &NixDocument,
    path: &AttrPath,
    fail: &mut impl FnMut(String),
) -> usize {
    let mut inner = path.segments().to_vec();
    inner.push("nixEditNew".into());
    let inner = AttrPath::new(inner).unwrap();
    let ops: [(&str, &AttrPath, Op); 7] = [
        ("get", path, Box::new(|d| d.get(path).map(|v| v.is_some()))),
        ("set 42", path, Box::new(|d| d.set(path, "42"))),
        ("set new", &inner, Box::new(|d| d.set(&inner, "1"))),
        ("add", path, Box::new(|d| d.add(path, "\"nix-edit-elem\""))),
        ("remove", path, Box::new(|d| d.remove(path, "pkgs.git"))),
        ("delete", path, Box::new(|d| d.delete(path))),
        ("delete new", &inner, Box::new(|d| d.delete(&inner))),
    ];
    let mut n = 0;
    for (what, at, op) in &ops {
        let (mut a, mut b) = (whole.clone(), fast.clone());
        let (x, y) = (op(&mut a), op(&mut b));
        n += 1;
        if x != y || a.text() != b.text() || a.get(at) != b.get(at) {
            fail(format!(
                "{what} {at}: parsed whole {x:?}, parsed for the path {y:?}{}",
                if a.text() != b.text() {
                    format!("\n{}", first_difference(a.text(), b.text()))
                } else {
                    String::new()
                }
            ));
        }
    }
    n
}

/// Pieces of Nix put into a file to break it (or not).
const PIECES: &[&str] = &[
    "", "{", "}", "[", "]", ";", "=", "\"", "''", "${", "(", ")", "in", ".",
];

/// Break `text` at a few places, each copy on its own: `parse_for` must refuse each copy
/// with the same error as `parse`, or both accept it. Returns how many copies were made.
fn break_and_compare(name: &str, text: &str, failures: &mut Vec<String>) -> usize {
    let mut seed = text.len() as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let path: AttrPath = "x".parse().unwrap();
    let copies = 8;
    for _ in 0..copies {
        let mut at = next() % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + next() % 3).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let copy = format!(
            "{}{}{}",
            &text[..at],
            PIECES[next() % PIECES.len()],
            &text[end..]
        );
        let whole = NixDocument::parse(name, copy.as_str());
        let fast = NixDocument::parse_for(name, copy.as_str(), &path);
        let same = match (&whole, &fast) {
            (Ok(a), Ok(b)) => a.text() == b.text(),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !same {
            failures.push(format!(
                "{name} broken at {at}: parse gave {:?}, parse_for {:?}",
                whole.map(|_| ()),
                fast.map(|_| ())
            ));
        }
    }
    copies
}
