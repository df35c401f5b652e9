//! Bad specs: every class of validation error exits 2, names `devgen.toml:LINE:COL`, shows
//! the line with a caret and a hint, and writes nothing.
//!
//! Each fixture in `fixtures/bad/` starts with `# expect: LINE:COL message | hint`.

use crate::support::{assert_exit, devgen, files_under, fixture_path, project_with_spec, stderr};

struct Expectation {
    location: String,
    message: String,
    hint: String,
}

fn expectation(spec: &str) -> Expectation {
    let first = spec.lines().next().unwrap();
    let rest = first
        .strip_prefix("# expect: ")
        .expect("bad fixtures start with `# expect: `");
    let (location, texts) = rest.split_once(' ').unwrap();
    let (message, hint) = texts.split_once(" | ").unwrap();
    Expectation {
        location: format!("devgen.toml:{location}"),
        message: message.into(),
        hint: hint.into(),
    }
}

#[test]
fn every_bad_spec_is_rejected_with_its_line_column_and_a_hint() {
    let mut seen = 0;
    let mut entries: Vec<_> = std::fs::read_dir(fixture_path("bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let spec = std::fs::read_to_string(&path).unwrap();
        let want = expectation(&spec);
        let dir = project_with_spec(&spec);
        for command in [&["diff"][..], &["sync"], &["init"]] {
            let out = devgen(dir.path(), command);
            let err = stderr(&out);
            let name = path.file_name().unwrap().to_string_lossy();
            assert_exit(&out, 2);
            assert!(err.starts_with("error: "), "{name}: {err}");
            assert!(
                err.contains(&format!("--> {}\n", want.location)),
                "{name} {command:?}: want {}\n{err}",
                want.location
            );
            assert!(
                err.contains(&want.message),
                "{name}: want message {:?}\n{err}",
                want.message
            );
            assert!(
                err.contains(&want.hint),
                "{name}: want hint {:?}\n{err}",
                want.hint
            );
            assert!(
                err.contains(" | ") && err.contains('^'),
                "{name}: no source line with a caret\n{err}"
            );
            assert!(!err.contains("panicked"), "{name}: {err}");
        }
        assert_eq!(
            files_under(dir.path()),
            ["devgen.toml"],
            "{}: a bad spec wrote files",
            path.display()
        );
        seen += 1;
    }
    assert!(seen >= 15, "only {seen} bad fixtures found");
}

#[test]
fn a_misspelled_key_suggests_the_right_one() {
    let dir = project_with_spec("[project]\nname = \"acme\"\n\n[phoenix]\nprot = 4000\n");
    let out = devgen(dir.path(), &["diff"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(err.contains("devgen.toml:5:1"), "{err}");
    assert!(err.contains("did you mean `port`?"), "{err}");
}

#[test]
fn values_that_could_inject_code_are_rejected_or_escaped() {
    // Rejected: a module name that would be Elixir code, a host with a quote.
    for (key, value) in [
        ("module", "Acme\nSystem.halt()"),
        ("host", "a\".test"),
        ("app", "a_b\""),
    ] {
        let dir = project_with_spec(&format!("[project]\nname = \"acme\"\n{key} = {value:?}\n"));
        assert_exit(&devgen(dir.path(), &["sync"]), 2);
        assert_eq!(files_under(dir.path()), ["devgen.toml"]);
    }
}
