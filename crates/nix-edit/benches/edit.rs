//! The editor on a generated all-packages-style file of about 4 MB
//! (`support/all_packages.rs`), in process:
//!
//! - `parse`: `NixDocument::parse` (the full rnix tree);
//! - `set_deep_near_end` / `add_to_list_near_end`: parse, then the edit with its checks;
//! - `parse_for`: `NixDocument::parse_for` (the whole text checked, only the bindings the
//!   path reaches parsed into a tree), and `*_parse_for`: the edits after it; `set_top_level`
//!   adds a new top-level binding, which re-parses the top-level set.
//!
//! ```text
//! cargo bench --bench edit
//! ```

use std::path::Path;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use nix_edit::{AttrPath, NixDocument};

#[path = "support/all_packages.rs"]
mod all_packages;

fn bench(c: &mut Criterion) {
    let file = all_packages::data_file(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let text = std::fs::read_to_string(&file).unwrap();
    let deep: AttrPath = "services.postgres.settings.log_directory".parse().unwrap();
    let list: AttrPath = "packages".parse().unwrap();
    let top: AttrPath = "devgenTarget.port".parse().unwrap();

    let mut g = c.benchmark_group("in-process");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    g.bench_function("parse", |b| {
        b.iter(|| NixDocument::parse("all-packages.nix", text.as_str()).unwrap())
    });
    g.bench_function("set_deep_near_end", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse("all-packages.nix", text.as_str()).unwrap();
            assert!(d.set(&deep, "\"log\"").unwrap());
            d
        })
    });
    g.bench_function("add_to_list_near_end", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse("all-packages.nix", text.as_str()).unwrap();
            assert!(d.add(&list, "jq").unwrap());
            d
        })
    });
    g.bench_function("set_top_level", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse("all-packages.nix", text.as_str()).unwrap();
            assert!(d.set(&top, "5433").unwrap());
            d
        })
    });
    g.bench_function("parse_for", |b| {
        b.iter(|| NixDocument::parse_for("all-packages.nix", text.as_str(), &deep).unwrap())
    });
    g.bench_function("set_deep_near_end_parse_for", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse_for("all-packages.nix", text.as_str(), &deep).unwrap();
            assert!(d.set(&deep, "\"log\"").unwrap());
            d
        })
    });
    g.bench_function("add_to_list_near_end_parse_for", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse_for("all-packages.nix", text.as_str(), &list).unwrap();
            assert!(d.add(&list, "jq").unwrap());
            d
        })
    });
    g.bench_function("set_top_level_parse_for", |b| {
        b.iter(|| {
            let mut d = NixDocument::parse_for("all-packages.nix", text.as_str(), &top).unwrap();
            assert!(d.set(&top, "5433").unwrap());
            d
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
