//! The Nix editor on a generated all-packages-style file of about 4 MB, against Nix's own
//! parser on the same file, in the same run:
//!
//! - `parse`: NixDocument::parse (the full rnix tree);
//! - `set_deep_near_end` / `add_to_list_near_end`: parse, then the edit, in process;
//! - `process/devgen-nix-set` vs `process/nix-instantiate-parse`: whole processes, which is
//!   what a user waits for. Their ratio is the figure BENCHMARKS.md records.
//!
//! The file is generated here (deterministically), never committed.
//!
//!     cargo bench --bench nix_edit

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use devgen::nix_edit::{AttrPath, NixDocument};

const TARGET_BYTES: usize = 4_000_000;

/// An all-packages-style file: calls, nested sets with fetchers, dotted bindings, lists with
/// `++` and comments, ending with the bindings the edits aim at.
fn generate() -> String {
    let mut out = String::from(
        "# Generated for the benchmark; not committed.\n{ lib, pkgs, callPackage, fetchurl, ... }:\n\nwith pkgs;\n\n{\n",
    );
    let mut i = 0usize;
    let mut seed = 0x2545F4914F6CDD1Du64;
    while out.len() < TARGET_BYTES {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        match i % 5 {
            0 => out.push_str(&format!("  # package {i}: a plain call\n  pkg{i} = callPackage ../development/pkg{i} {{ }};\n")),
            1 => out.push_str(&format!(
                "  pkg{i} = callPackage ../tools/pkg{i} {{\n    inherit (darwin.apple_sdk.frameworks) Security;\n    enableFeature = {};\n  }};\n",
                i.is_multiple_of(2)
            )),
            2 => out.push_str(&format!(
                "  group{i} = {{\n    version = \"{}.{}.{}\";\n    src = fetchurl {{\n      url = \"https://example.org/src/pkg-{i}.tar.gz\";\n      hash = \"sha256-{seed:016x}{:016x}=\";\n    }};\n    meta.license = lib.licenses.mit; # trailing comment\n  }};\n",
                i % 9,
                i % 7,
                i % 13,
                seed.rotate_left(17)
            )),
            3 => out.push_str(&format!("  set{i}.nested.deep.value = {i};\n")),
            _ => out.push_str(&format!(
                "  list{i} = [\n    pkg{}\n    pkg{} # comment\n  ] ++ lib.optionals stdenv.isLinux [ pkg{} ];\n",
                i - 1,
                i - 2,
                i - 3
            )),
        }
        i += 1;
    }
    out.push_str("  services.postgres.settings = {\n    port = 5432;\n  };\n  packages = [\n    git\n  ];\n}\n");
    out
}

fn data_file() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let path = dir.join("all-packages.nix");
    if std::fs::read_to_string(&path)
        .map(|t| t.len() < TARGET_BYTES)
        .unwrap_or(true)
    {
        std::fs::write(&path, generate()).unwrap();
    }
    path
}

fn bench(c: &mut Criterion) {
    let file = data_file();
    let text = std::fs::read_to_string(&file).unwrap();
    let deep: AttrPath = "services.postgres.settings.log_directory".parse().unwrap();
    let list: AttrPath = "packages".parse().unwrap();

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
    g.finish();

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
