//! Every output of every spec fixture, as written into an empty project, kept as an insta
//! snapshot in the top-level `snapshots/` directory. Review changes with `cargo insta review`.

use std::collections::BTreeSet;

use crate::support::{files_under, repo_root, synced_project, SPEC_FIXTURES};

/// Every output of every fixture matches its snapshot, and every fixture snapshot is still an
/// output: a file a target stops writing leaves its snapshot behind, which fails here.
#[test]
fn every_output_of_every_fixture_matches_its_snapshot() {
    let mut taken = BTreeSet::new();
    for fixture in SPEC_FIXTURES {
        let dir = synced_project(fixture);
        for file in files_under(dir.path()) {
            if file == "devgen.toml" {
                continue; // the fixture itself
            }
            let content = std::fs::read_to_string(dir.path().join(&file)).unwrap();
            let name = format!(
                "{fixture}__{}",
                file.replace('/', "__").trim_start_matches('.')
            );
            taken.insert(format!("{name}.snap"));
            insta::with_settings!({
                snapshot_path => "../../snapshots",
                prepend_module_to_snapshot => false,
                description => format!("{file} for fixtures/specs/{fixture}.toml"),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, content);
            });
        }
    }
    let kept: BTreeSet<String> = std::fs::read_dir(repo_root().join("snapshots"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            SPEC_FIXTURES
                .iter()
                .any(|f| n.starts_with(&format!("{f}__")))
        })
        .filter(|n| n.ends_with(".snap"))
        .collect();
    let orphans: Vec<&String> = kept.difference(&taken).collect();
    assert!(
        orphans.is_empty(),
        "snapshots of files no target writes: {orphans:?}"
    );
}
