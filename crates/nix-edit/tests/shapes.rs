//! The editor on every shape it promises to handle, through the library API. Each case runs
//! one operation on a file of `tests/fixtures/` and keeps a transcript as an insta snapshot:
//! the operation, then the unified diff of the document, the value read, or the error with
//! its place and help; and whether the document changed. Carriage returns show as `␍`, so
//! that a CRLF file visibly stays CRLF.
//!
//! After each successful edit the output must parse, read back what was asked, and be left
//! alone by the same edit repeated; after a refusal the document must be unchanged.

use std::fmt::Write;

use nix_edit::{same_expr, AttrPath, Error, NixDocument};

/// One operation on a file of `tests/fixtures/`: `args` is the operation (`get`, `set`,
/// `delete`, `add`, `remove`), the path, then the expression if the operation takes one.
struct Case {
    name: String,
    file: String,
    args: Vec<String>,
}

/// The cases of `tests/fixtures/shapes.toml`, which devgen's command-line transcripts read
/// too.
fn cases() -> Vec<Case> {
    let text = fixture("shapes.toml");
    let doc: toml_edit::DocumentMut = text.parse().expect("shapes.toml is TOML");
    let string = |t: &toml_edit::Table, key: &str| {
        t[key]
            .as_str()
            .unwrap_or_else(|| panic!("a case's {key}"))
            .to_string()
    };
    doc["case"]
        .as_array_of_tables()
        .expect("[[case]] tables")
        .iter()
        .map(|t| Case {
            name: string(t, "name"),
            file: string(t, "file"),
            args: t["args"]
                .as_array()
                .expect("a case's args")
                .iter()
                .map(|a| a.as_str().expect("args are strings").to_string())
                .collect(),
        })
        .collect()
}

/// What an operation gave.
enum Outcome {
    /// `get`: the value's source, if bound.
    Value(Option<String>),
    /// An edit: whether the document changed.
    Changed(bool),
}

fn run(doc: &mut NixDocument, args: &[String]) -> nix_edit::Result<Outcome> {
    let path: AttrPath = args[1].parse().expect("the case's path parses");
    Ok(match args[0].as_str() {
        "get" => Outcome::Value(doc.get(&path)?),
        "set" => Outcome::Changed(doc.set(&path, &args[2])?),
        "delete" => Outcome::Changed(doc.delete(&path)?),
        "add" => Outcome::Changed(doc.add(&path, &args[2])?),
        "remove" => Outcome::Changed(doc.remove(&path, &args[2])?),
        other => unreachable!("no operation {other}"),
    })
}

fn fixture(file: &str) -> String {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The operation as a command line would spell it, words quoted when they need it.
fn shown(args: &[String]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                a.to_string()
            } else {
                format!("'{a}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn error_lines(err: &Error) -> String {
    let (line, col) = err.line_col();
    let mut out = format!(
        "error at {}:{line}:{col}: {err}\n",
        err.file().unwrap_or("EXPR")
    );
    if let Some(help) = err.help() {
        writeln!(out, "help: {help}").unwrap();
    }
    out
}

/// How a case's document is parsed: whole, or for the case's path.
#[derive(Clone, Copy)]
enum Parse {
    Whole,
    ForPath,
}

/// The transcript of `c`, with the checks every outcome must pass.
fn transcript(c: &Case, how: Parse) -> String {
    let before = fixture(&c.file);
    let mut out = format!("{}\n", shown(&c.args));
    let parsed = match how {
        Parse::Whole => NixDocument::parse(c.file.as_str(), before.as_str()),
        Parse::ForPath => {
            let path: AttrPath = c.args[1].parse().expect("the case's path parses");
            NixDocument::parse_for(c.file.as_str(), before.as_str(), &path)
        }
    };
    let mut doc = match parsed {
        Ok(doc) => doc,
        Err(err) => {
            out.push_str(&error_lines(&err));
            out.push_str("document not parsed\n");
            return out;
        }
    };
    match run(&mut doc, &c.args) {
        Err(err) => {
            assert_eq!(
                doc.text(),
                before,
                "{}: a refused edit changed the text",
                c.name
            );
            out.push_str(&error_lines(&err));
        }
        Ok(Outcome::Value(Some(value))) => writeln!(out, "value:\n{value}").unwrap(),
        Ok(Outcome::Value(None)) => writeln!(out, "nothing is bound at `{}`", c.args[1]).unwrap(),
        Ok(Outcome::Changed(false)) => {
            assert_eq!(doc.text(), before, "{}: a no-op changed the text", c.name)
        }
        Ok(Outcome::Changed(true)) => {
            check_edit(c, &mut doc);
            let diff = similar::TextDiff::from_lines(before.as_str(), doc.text());
            let diff = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", c.file), &format!("b/{}", c.file))
                .to_string();
            out.push_str(&diff);
        }
    }
    let changed = if doc.text() == before { "no" } else { "yes" };
    writeln!(out, "document changed: {changed}").unwrap();
    out.replace('\r', "␍")
}

/// An edit that changed `doc`: the output parses, reads back what was asked, and the same
/// edit again changes nothing.
fn check_edit(c: &Case, doc: &mut NixDocument) {
    let parsed = rnix::Root::parse(doc.text());
    assert!(
        parsed.errors().is_empty(),
        "{}: unparsable output\n{}",
        c.name,
        doc.text()
    );
    let path: AttrPath = c.args[1].parse().unwrap();
    match c.args[0].as_str() {
        "set" => {
            let value = doc.get(&path).unwrap().expect("set leaves the path bound");
            assert!(same_expr(&value, &c.args[2]), "{}: reads {value}", c.name);
        }
        "add" => assert!(
            doc.contains_element(&path, &c.args[2]).unwrap(),
            "{}",
            c.name
        ),
        "remove" => assert!(
            !doc.contains_element(&path, &c.args[2]).unwrap(),
            "{}",
            c.name
        ),
        "delete" => assert_eq!(doc.get(&path).unwrap(), None, "{}", c.name),
        other => unreachable!("{other} is not an edit"),
    }
    let once = doc.text().to_string();
    assert!(
        matches!(run(doc, &c.args), Ok(Outcome::Changed(false))),
        "{}: repeating the edit changed something",
        c.name
    );
    assert_eq!(doc.text(), once, "{}", c.name);
}

#[test]
fn edits_of_every_shape_match_their_snapshots() {
    for c in &cases() {
        let text = transcript(c, Parse::Whole);
        assert_eq!(
            text.contains("error at "),
            c.name.starts_with("error_"),
            "{}: refused or not, as its name says\n{text}",
            c.name
        );
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("nix_edit on tests/fixtures/{}", c.file),
        }, {
            insta::assert_snapshot!(c.name.as_str(), text);
        });
    }
}

/// Parsed for the case's path only, every document gives the same transcript.
#[test]
fn parsing_for_the_path_changes_no_transcript() {
    for c in &cases() {
        assert_eq!(
            transcript(c, Parse::ForPath),
            transcript(c, Parse::Whole),
            "{}",
            c.name
        );
    }
}
