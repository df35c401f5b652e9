//! Every output of every spec fixture, as written into an empty project, kept as an insta
//! snapshot in the top-level `snapshots/` directory. Review changes with `cargo insta review`.

use crate::support::{files_under, synced_project, SPEC_FIXTURES};

#[test]
fn every_output_of_every_fixture_matches_its_snapshot() {
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
}
