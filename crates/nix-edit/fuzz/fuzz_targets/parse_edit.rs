//! Parse arbitrary text as Nix; when it parses, run edits on paths the document binds (and on
//! new ones) and check: no panic, every output parses, a failed edit changes nothing, and a
//! repeated edit is a no-op.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nix_edit::{AttrPath, NixDocument};

fuzz_target!(|data: &[u8]| {
    let Some((&ops, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let Ok(doc) = NixDocument::parse("fuzz.nix", text.as_ref()) else {
        return;
    };
    let mut paths: Vec<AttrPath> = doc
        .bindings()
        .map(|b| b.into_iter().map(|b| b.path).collect())
        .unwrap_or_default();
    paths.push("fuzzNew.x".parse().unwrap());
    for (i, path) in paths.iter().enumerate().take(8) {
        let mut d = doc.clone();
        let before = d.text().to_string();
        let result = match (ops as usize + i) % 4 {
            0 => d.set(path, "42"),
            1 => d.add(path, "\"e\""),
            2 => d.remove(path, "\"e\""),
            _ => d.delete(path),
        };
        match result {
            Err(_) => assert_eq!(d.text(), before, "a failed edit changed the text"),
            Ok(_) => {
                assert!(
                    rnix::Root::parse(d.text()).errors().is_empty(),
                    "an edit produced unparsable Nix"
                );
                let after = d.text().to_string();
                let again = match (ops as usize + i) % 4 {
                    0 => d.set(path, "42"),
                    1 => d.add(path, "\"e\""),
                    2 => d.remove(path, "\"e\""),
                    _ => d.delete(path),
                };
                assert!(
                    matches!(again, Ok(false)),
                    "a repeated edit changed something: {again:?}"
                );
                assert_eq!(d.text(), after);
            }
        }
    }
});
