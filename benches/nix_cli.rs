//! `devgen nix set` on a generated all-packages-style file of about 4 MB, against Nix's own
//! parser on the same file, as whole processes in the same run: what a user waits for. The
//! ratio of the two is the figure BENCHMARKS.md records. The file is the one the editor
//! crate's own benchmark uses (`crates/nix-edit/benches/support/all_packages.rs`),
//! generated, never committed.
//!
//!     cargo bench --bench nix_cli

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};

#[path = "../crates/nix-edit/benches/support/all_packages.rs"]
mod all_packages;

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
    g.bench_function("devgen-nix-set", |b| {
        b.iter(|| {
            let out = Command::new(env!("CARGO_BIN_EXE_devgen"))
                .args(["nix", "set"])
                .arg(&file)
                .args(["services.postgres.settings.log_directory", "\"log\""])
                .output()
                .unwrap();
            assert!(out.status.success());
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
