//! Merged Nix files (`flake.nix`, `devenv.nix`): devgen owns certain attribute paths and list
//! elements; everything else in the file belongs to the user and is kept byte for byte.
//!
//! What devgen owns is read off the file it would write: every binding whose value is not an
//! attribute set is an owned value, every element of a list is an owned element. The lock
//! records what devgen last wrote at each, which makes each path a three-way merge:
//! the file still holds devgen's last value → apply the spec's; the file holds the spec's →
//! nothing to do; anything else was changed by hand → a conflict, unless `force`. A path or
//! element the spec no longer has is removed only if it still holds what devgen wrote.

use crate::error::Result;
use crate::lock::LockEntry;
use crate::nix_edit::{same_expr, AttrPath, NixDocument, ValueKind};

/// One list element devgen owns.
#[derive(Debug, Clone)]
struct OwnedElement {
    list: AttrPath,
    /// The call the element's list is given to (`pkgs.lib.optionals pkgs.stdenv.isLinux`).
    call: Option<String>,
    expr: String,
}

/// What devgen owns in a merged file.
#[derive(Debug, Clone, Default)]
struct Owned {
    values: Vec<(AttrPath, String)>,
    elements: Vec<OwnedElement>,
    /// Every list binding, empty or not.
    lists: Vec<AttrPath>,
}

impl Owned {
    /// Read the owned parts off the text devgen would write.
    #[cfg(test)]
    fn of(path: &str, rendered: &str) -> Result<Owned> {
        Owned::of_doc(&NixDocument::parse(path, rendered)?)
    }

    /// Read the owned parts off the document devgen would write.
    fn of_doc(doc: &NixDocument) -> Result<Owned> {
        let rendered = doc.text();
        let mut owned = Owned::default();
        for b in doc.bindings()? {
            match b.kind {
                ValueKind::Set => {}
                ValueKind::List => {
                    owned.lists.push(b.path.clone());
                    for e in doc.list_elements(&b.path)? {
                        owned.elements.push(OwnedElement {
                            list: b.path.clone(),
                            call: e.call,
                            expr: e.text,
                        });
                    }
                }
                ValueKind::Other => owned
                    .values
                    .push((b.path.clone(), rendered[b.value.clone()].to_string())),
            }
        }
        Ok(owned)
    }

    fn lock_entry(&self) -> LockEntry {
        let mut entry = LockEntry {
            ownership: "merged".into(),
            ..Default::default()
        };
        for (path, value) in &self.values {
            entry.values.insert(path.to_nix(), value.clone());
        }
        for e in &self.elements {
            entry
                .elements
                .entry(e.list.to_nix())
                .or_default()
                .push(e.expr.clone());
        }
        entry
    }
}

/// The result of merging the spec into a merged file.
#[derive(Debug, Clone)]
pub struct Merge {
    /// The file after applying every change that is not in conflict.
    pub text: String,
    /// One line per conflict: where, what the file has, what devgen wrote, what the spec wants.
    pub conflicts: Vec<String>,
    /// The values of conflicting paths as the file has them, which `--adopt` can carry
    /// back into devgen.toml.
    pub hand_values: Vec<(AttrPath, String)>,
    /// Paths and elements that were already in the file, just as devgen would write them,
    /// with no record of devgen writing them: devgen takes them over.
    pub taken_over: Vec<String>,
    /// What the lock records once this is written.
    pub lock: LockEntry,
}

/// The lock entry for a merged file written whole from `rendered`.
pub fn lock_for(rendered: &NixDocument) -> Result<LockEntry> {
    Ok(Owned::of_doc(rendered)?.lock_entry())
}

/// Merge the spec's version of a merged file (`rendered`) into the file as it is (`current`).
pub fn merge(
    path: &str,
    current: &str,
    rendered: &NixDocument,
    locked: Option<&LockEntry>,
    force: bool,
) -> Result<Merge> {
    let owned = Owned::of_doc(rendered)?;
    let mut doc = NixDocument::parse(path, current)?;
    let base = locked.filter(|l| !l.values.is_empty() || !l.elements.is_empty());
    let mut conflicts = Vec::new();
    let mut hand_values = Vec::new();
    let mut taken_over = Vec::new();
    let at = |doc: &NixDocument, p: &AttrPath| match doc.value_position(p) {
        Some((line, col)) => format!("{path}:{line}:{col}"),
        None => path.to_string(),
    };

    for (p, want) in &owned.values {
        let have = doc.get(p)?;
        let wrote = base.and_then(|b| b.values.get(&p.to_nix()));
        match (&have, wrote) {
            (Some(h), None) if same_expr(h, want) => taken_over.push(p.to_string()),
            (Some(h), _) if same_expr(h, want) => {}
            (Some(h), Some(w)) if same_expr(h, w) || force => {
                doc.set(p, want)?;
            }
            (None, None) => {
                doc.set(p, want)?;
            }
            _ if force => {
                doc.set(p, want)?;
            }
            (Some(h), Some(w)) => {
                conflicts.push(format!(
                    "{}: `{p}` was changed by hand to {h}; devgen wrote {w}, and devgen.toml now gives {want}",
                    at(&doc, p)
                ));
                hand_values.push((p.clone(), h.clone()));
            }
            (Some(h), None) => {
                conflicts.push(format!(
                    "{}: `{p}` is {h}, but devgen.toml gives {want} (devgen has no record of writing it)",
                    at(&doc, p)
                ));
                hand_values.push((p.clone(), h.clone()));
            }
            (None, Some(w)) => conflicts.push(format!(
                "{path}: `{p}` was removed by hand; devgen wrote {w}, and devgen.toml gives {want}"
            )),
        }
    }

    // Paths the spec no longer has: remove them where they still hold what devgen wrote.
    if let Some(b) = base {
        for (key, wrote) in &b.values {
            let Ok(p) = key.parse::<AttrPath>() else {
                continue;
            };
            if owned.values.iter().any(|(q, _)| *q == p) {
                continue;
            }
            match doc.get(&p)? {
                None => {}
                Some(h) if same_expr(&h, wrote) || force => {
                    doc.delete(&p)?;
                    remove_emptied_parents(&mut doc, &p)?;
                }
                Some(h) => conflicts.push(format!(
                    "{}: `{p}` is no longer in devgen.toml, but was changed by hand to {h} (devgen wrote {wrote}); \
                     delete it by hand if it should go",
                    at(&doc, &p)
                )),
            }
        }
    }

    for e in &owned.elements {
        let present = doc.contains_element(&e.list, &e.expr)?;
        if present {
            let wrote = base
                .and_then(|b| b.elements.get(&e.list.to_nix()))
                .is_some_and(|l| l.iter().any(|x| same_expr(x, &e.expr)));
            if !wrote {
                taken_over.push(format!("{} in `{}`", e.expr, e.list));
            }
            continue;
        }
        let wrote = base
            .and_then(|b| b.elements.get(&e.list.to_nix()))
            .is_some_and(|l| l.iter().any(|x| same_expr(x, &e.expr)));
        if wrote && !force {
            conflicts.push(format!(
                "{path}: {} was removed by hand from `{}`; devgen.toml still asks for it",
                e.expr, e.list
            ));
            continue;
        }
        match &e.call {
            Some(call) => doc.add_when(&e.list, call, &e.expr)?,
            None => doc.add(&e.list, &e.expr)?,
        };
    }

    // Elements the spec no longer has: take out the ones devgen put there.
    if let Some(b) = base {
        for (key, wrote) in &b.elements {
            let Ok(list) = key.parse::<AttrPath>() else {
                continue;
            };
            for x in wrote {
                let still_wanted = owned
                    .elements
                    .iter()
                    .any(|e| e.list == list && same_expr(&e.expr, x));
                if !still_wanted {
                    doc.remove(&list, x)?;
                }
            }
            // A list the spec no longer has at all goes once devgen's elements have left it
            // empty; one that still holds the user's elements stays.
            if !owned.lists.contains(&list)
                && doc.get(&list)?.is_some()
                && doc.list_elements(&list)?.is_empty()
            {
                doc.delete(&list)?;
                remove_emptied_parents(&mut doc, &list)?;
            }
        }
    }

    Ok(Merge {
        text: doc.text().to_string(),
        conflicts,
        hand_values,
        taken_over,
        lock: owned.lock_entry(),
    })
}

/// After deleting `p`, delete the sets above it that it left empty.
fn remove_emptied_parents(doc: &mut NixDocument, p: &AttrPath) -> Result<()> {
    let segs = p.segments();
    for n in (1..segs.len()).rev() {
        let parent = AttrPath::new(segs[..n].to_vec()).expect("non-empty");
        match doc.get(&parent) {
            Ok(Some(v)) if same_expr(&v, "{ }") => {
                doc.delete(&parent)?;
            }
            _ => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> NixDocument {
        NixDocument::parse("devenv.nix", text).unwrap()
    }

    const RENDERED: &str = "{ pkgs, ... }:\n{\n  services.postgres = {\n    enable = true;\n    port = 5432;\n  };\n  packages = [\n    pkgs.overmind\n  ] ++ pkgs.lib.optionals pkgs.stdenv.isLinux [\n    pkgs.inotify-tools\n  ];\n}\n";

    #[test]
    fn owned_parts_are_read_off_the_rendered_file() {
        let o = Owned::of("devenv.nix", RENDERED).unwrap();
        let values: Vec<String> = o.values.iter().map(|(p, v)| format!("{p}={v}")).collect();
        assert_eq!(
            values,
            [
                "services.postgres.enable=true",
                "services.postgres.port=5432"
            ]
        );
        let elems: Vec<String> = o
            .elements
            .iter()
            .map(|e| format!("{}:{:?}:{}", e.list, e.call, e.expr))
            .collect();
        assert_eq!(
            elems,
            [
                "packages:None:pkgs.overmind",
                "packages:Some(\"pkgs.lib.optionals pkgs.stdenv.isLinux\"):pkgs.inotify-tools"
            ]
        );
    }

    #[test]
    fn user_additions_survive_and_spec_changes_apply() {
        let lock = lock_for(&doc(RENDERED)).unwrap();
        let user = RENDERED
            .replace("    port = 5432;\n", "    # mine\n    port = 5432;\n")
            .replace("    pkgs.overmind\n", "    pkgs.overmind\n    pkgs.redis\n");
        let spec = RENDERED.replace("port = 5432", "port = 5433");
        let m = merge("devenv.nix", &user, &doc(&spec), Some(&lock), false).unwrap();
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(m.text, user.replace("port = 5432", "port = 5433"));
    }

    #[test]
    fn a_hand_changed_value_is_a_conflict_naming_both_values() {
        let lock = lock_for(&doc(RENDERED)).unwrap();
        let user = RENDERED.replace("port = 5432", "port = 6000");
        let m = merge("devenv.nix", &user, &doc(RENDERED), Some(&lock), false).unwrap();
        assert_eq!(m.text, user);
        assert_eq!(m.conflicts.len(), 1);
        assert!(m.conflicts[0].starts_with("devenv.nix:5:12: `services.postgres.port` was changed by hand to 6000; devgen wrote 5432"), "{:?}", m.conflicts);
        let forced = merge("devenv.nix", &user, &doc(RENDERED), Some(&lock), true).unwrap();
        assert_eq!(forced.text, RENDERED);
    }

    #[test]
    fn dropped_parts_are_removed_with_the_sets_they_leave_empty() {
        let with_js = RENDERED.replace(
            "  packages",
            "  languages.javascript = {\n    enable = true;\n  };\n  packages",
        );
        let lock = lock_for(&doc(&with_js)).unwrap();
        let user = with_js.replace("    pkgs.overmind\n", "    pkgs.overmind\n    pkgs.redis\n");
        let m = merge("devenv.nix", &user, &doc(RENDERED), Some(&lock), false).unwrap();
        assert!(m.conflicts.is_empty());
        assert_eq!(
            m.text,
            RENDERED.replace("    pkgs.overmind\n", "    pkgs.overmind\n    pkgs.redis\n")
        );
    }
}
