//! `devgen nix get|set|add|remove|delete` on a generated all-packages-style file of about
//! 4 MB, against Nix's own parser on the same file, as whole processes in the same run:
//! what a user waits for. The ratios to `nix-instantiate --parse` are the figures
//! BENCHMARKS.md records (there measured by `benches/nix_vs_parse.sh`, which alternates the
//! commands and reports medians and peak memory). The file is the one the editor crate's
//! own benchmark uses (`crates/nix-edit/benches/support/all_packages.rs`), generated,
//! never committed.
//!
//!     cargo bench --bench nix_cli

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../crates/nix-edit/benches/support/all_packages.rs"]
mod all_packages;

/// The `devgen nix` calls timed, by name: the operation, the path and the expression. Each
/// changes the file (or, for `get`, finds the value), so none is a no-op.
const OPERATIONS: &[(&str, &[&str])] = &[
    ("get", &["get", "services.postgres.settings.port"]),
    (
        "set",
        &["set", "services.postgres.settings.log_directory", "\"log\""],
    ),
    ("set-top-level", &["set", "devgenTarget.port", "5433"]),
    ("add", &["add", "packages", "jq"]),
    ("remove", &["remove", "packages", "git"]),
    ("delete", &["delete", "services.postgres.settings.port"]),
];

fn bench(c: &mut Criterion) {
    let file = all_packages::data_file(Path::new(env!("CARGO_TARGET_TMPDIR")));
    let mut g = c.benchmark_group("process");
    g.sample_size(10).measurement_time(Duration::from_secs(8));
    g.bench_function("nix-instantiate-parse", |b| {
        b.iter(|| {
            let out = Command::new("nix-instantiate")
                .arg("--parse")
                .arg(&file)
                .output()
                .expect("nix-instantiate runs");
            assert!(out.status.success());
        })
    });
    for (name, args) in OPERATIONS {
        g.bench_function(format!("devgen-nix-{name}"), |b| {
            b.iter(|| {
                let out = Command::new(env!("CARGO_BIN_EXE_devgen"))
                    .arg("nix")
                    .arg(args[0])
                    .arg(&file)
                    .args(&args[1..])
                    .output()
                    .unwrap();
                assert!(out.status.success(), "{name}: {out:?}");
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
