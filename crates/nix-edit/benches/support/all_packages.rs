//! A deterministic all-packages-style Nix file of about 4 MB, for benchmarks: `callPackage`
//! calls, nested sets with fetchers, dotted bindings, lists joined with `++`, comments,
//! ending with the bindings the edit benchmarks aim at. Generated, never committed.
//!
//! Included with `#[path]` by this crate's `edit` bench and by benches of crates that use
//! it, so that they all measure the same file.

use std::path::{Path, PathBuf};

/// The size the generated file reaches (it ends at the first binding past it).
pub const TARGET_BYTES: usize = 4_000_000;

/// The file's text; the same on every call.
pub fn generate() -> String {
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

/// `dir/all-packages.nix`, written there first unless it is already (a previous run's).
pub fn data_file(dir: &Path) -> PathBuf {
    let path = dir.join("all-packages.nix");
    if std::fs::read_to_string(&path)
        .map(|t| t.len() < TARGET_BYTES)
        .unwrap_or(true)
    {
        std::fs::write(&path, generate()).unwrap();
    }
    path
}
