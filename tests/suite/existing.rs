//! Existing projects: devgen joins files people already have and keeps every byte of
//! theirs — their line endings, their formatting, their own outputs.

use std::fs;

use crate::support::{assert_exit, devgen, project_with_spec, read, read_fixture};

/// A file every new line of which is CRLF, as a Windows editor keeps it.
fn crlf(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\n', "\r\n")
}

/// Every line break of `text` is CRLF.
fn all_crlf(text: &str) -> bool {
    text.match_indices('\n')
        .all(|(i, _)| i > 0 && text.as_bytes()[i - 1] == b'\r')
}

#[test]
fn files_kept_in_crlf_get_devgens_lines_in_crlf_and_stay_in_sync() {
    let dir = project_with_spec(&read_fixture("specs/minimal.toml"));
    let d = dir.path();
    fs::create_dir(d.join("config")).unwrap();
    let mine = [
        (".gitignore", "/deps\n/_build\n"),
        ("Procfile", "worker: ./bin/worker\n"),
        (
            "config/dev.exs",
            "import Config\n\nconfig :acme, :key,\n  value: 1\n",
        ),
    ];
    for (file, text) in mine {
        fs::write(d.join(file), crlf(text)).unwrap();
    }
    assert_exit(&devgen(d, &["sync"]), 0);
    for (file, text) in mine {
        let now = read(d, file);
        assert!(all_crlf(&now), "{file} has LF lines:\n{now:?}");
        assert!(
            now.starts_with(&crlf(text)),
            "{file} lost its own lines:\n{now:?}"
        );
    }
    assert_exit(&devgen(d, &["diff"]), 0);
    let again = devgen(d, &["sync"]);
    assert_exit(&again, 0);
    assert!(crate::support::stderr(&again).contains("already match"));
}
