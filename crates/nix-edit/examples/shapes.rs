//! Times `NixDocument::parse_for` against `NixDocument::parse` in process on documents of
//! about 4 MB made from the benchmarks' all-packages file (`benches/support/all_packages.rs`)
//! in shapes where the fast path can leave little or nothing out — a `rec` top-level set,
//! everything one level down, a large `let`, a `//` chain — and on the all-packages file
//! itself. The two alternate, one run of each per round; per shape: the median time of each
//! and the ratio of parse_for's to parse's, and whether parse_for gave a partial document.
//! Generated in memory, never written.
//!
//! ```text
//! cargo run --release -p nix-edit --example shapes -- [ROUNDS]
//! ```

use std::time::{Duration, Instant};

use nix_edit::{AttrPath, NixDocument};

#[path = "../benches/support/all_packages.rs"]
#[allow(dead_code)]
mod all_packages;

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .map(|r| r.parse().expect("usage: shapes [ROUNDS]"))
        .unwrap_or(11);
    let file = all_packages::generate();
    // the top-level set's entries, one per line, indented by two
    let body = &file[file.find("\n{\n").unwrap() + 3..file.rfind('}').unwrap()];
    let shapes: Vec<(&str, String, &str)> = vec![
        (
            "all-packages",
            file.clone(),
            "services.postgres.settings.port",
        ),
        (
            "rec { … }",
            format!("rec {{\n{body}}}\n"),
            "services.postgres.settings.port",
        ),
        (
            "{ top = { … }; z = 1; }",
            format!("{{\n  top = {{\n{body}  }};\n  z = 1;\n}}\n"),
            "top.services.postgres.settings.port",
        ),
        (
            "let … in { a = 1; }",
            format!("let\n{body}in\n{{ a = 1; }}\n"),
            "a",
        ),
        (
            "{ … } // { }",
            format!("{{\n{body}}} // {{ }}\n"),
            "services.postgres.settings.port",
        ),
        (
            "f { … }",
            format!("f {{\n{body}}}\n"),
            "services.postgres.settings.port",
        ),
    ];
    println!("{rounds} alternating rounds, in process, medians");
    println!(
        "{:<26} {:>8} {:>11} {:>12} {:>7}  partial",
        "shape", "MB", "parse (ms)", "parse_for", "ratio"
    );
    for (name, text, path) in &shapes {
        let path: AttrPath = path.parse().unwrap();
        let (mut whole, mut fast) = (Vec::new(), Vec::new());
        let mut partial = false;
        for _ in 0..rounds {
            let t = Instant::now();
            let doc = NixDocument::parse("shape.nix", text.as_str()).unwrap();
            whole.push(t.elapsed());
            drop(doc);
            let t = Instant::now();
            let doc = NixDocument::parse_for("shape.nix", text.as_str(), &path).unwrap();
            fast.push(t.elapsed());
            partial = doc.is_partial();
            drop(doc);
        }
        let (w, f) = (median(whole), median(fast));
        println!(
            "{:<26} {:>8.2} {:>11.1} {:>12.1} {:>7.2}  {}",
            name,
            text.len() as f64 / 1e6,
            w.as_secs_f64() * 1e3,
            f.as_secs_f64() * 1e3,
            f.as_secs_f64() / w.as_secs_f64(),
            if partial { "yes" } else { "no" }
        );
    }
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}
