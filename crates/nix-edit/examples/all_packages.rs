//! Writes the benchmarks' generated all-packages-style file of about 4 MB
//! (`benches/support/all_packages.rs`) into DIR, unless a previous run left it there, and
//! prints its path: for benchmarks run from scripts (`benches/nix_vs_parse.sh` in devgen).
//!
//! ```text
//! cargo run --release --example all_packages -- DIR
//! ```

use std::path::Path;

#[path = "../benches/support/all_packages.rs"]
mod all_packages;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: all_packages DIR");
    println!("{}", all_packages::data_file(Path::new(&dir)).display());
}
