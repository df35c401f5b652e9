//! Merged Nix files (`flake.nix`, `devenv.nix`): devgen owns certain attribute paths and list
//! elements; everything else in the file belongs to the user and is kept byte for byte.
//!
//! What devgen owns is read off the file it would write: every binding whose value is not an
//! attribute set is an owned value, every element of a list is an owned element. The lock
//! records what devgen last wrote at each, which makes each path a three-way merge:
//! the file still holds devgen's last value → apply the spec's; the file holds the spec's →
//! nothing to do; anything else was changed by hand → a conflict, unless `force`. A path or
//! element the spec no longer has is removed only if it still holds what devgen wrote.

use super::lock::LockEntry;
use super::{FilePlan, Status};
use crate::error::{Error, Result};
use crate::render::{FileKind, MergeInput, MergeRule, Rendered};
use nix_edit::{same_expr, AttrPath, NixDocument, ValueKind};

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
    /// Parameters functions must take (see `MergeOwned::parameters`).
    parameters: Vec<(AttrPath, &'static str)>,
    /// See `MergeOwned::outside_calls`.
    outside_calls: Vec<AttrPath>,
}

impl Owned {
    /// What devgen owns in `current` (`None`: the file devgen creates): what `rule` says,
    /// or, without a rule, every leaf of `rendered`.
    fn decide(
        rule: Option<&MergeRule>,
        rendered: &NixDocument,
        current: Option<&NixDocument>,
        locked: Option<&LockEntry>,
    ) -> Result<Owned> {
        let Some(rule) = rule else {
            return Owned::of(rendered);
        };
        let recorded = |p: &AttrPath| matches!(recorded_at(locked, p), Some(Recorded::At(_)));
        let owned = (rule.owned)(&MergeInput {
            rendered: &looked_through(rendered, rule),
            current,
            recorded: &recorded,
        })?;
        Ok(Owned {
            values: owned.values,
            parameters: owned.parameters,
            outside_calls: owned.outside_calls,
            ..Owned::default()
        })
    }

    /// Read the owned parts off the document devgen would write.
    fn of(doc: &NixDocument) -> Result<Owned> {
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
        let mut entry = LockEntry::merged();
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
    /// Values any project could have that devgen replaced with its own (see
    /// `FileKind::stock_value`), each with what it was.
    pub replaced: Vec<String>,
    /// What the lock records once this is written.
    pub lock: LockEntry,
}

/// Plan a merged output: fill in `fp`'s status, text, lock entry and what a report needs.
pub(super) fn plan_file(
    fp: &mut FilePlan,
    r: &Rendered,
    locked: Option<&LockEntry>,
    force: bool,
) -> Result<()> {
    let rendered = r.nix.as_ref().ok_or_else(|| {
        Error::Usage(format!(
            "internal error: {} is merged but was not parsed as Nix; please report this",
            r.path
        ))
    })?;
    let kind = r.decl.kind;
    let Some(text) = fp.current.as_deref() else {
        let owned = Owned::decide(kind.merge_rule, rendered, None, None)?;
        fp.lock_entry = Some(owned.lock_entry());
        (fp.status, fp.desired) = (Status::Missing, r.content.clone());
        return Ok(());
    };
    let m = merge(&fp.path, text, rendered, kind, locked, force)?;
    if !m.conflicts.is_empty() {
        fp.forced = Some(merge(&fp.path, text, rendered, kind, locked, true)?.text);
    }
    fp.status = if !m.conflicts.is_empty() {
        Status::Conflict(m.conflicts.join("\n"))
    } else if m.text == text {
        Status::InSync
    } else {
        Status::Drift
    };
    fp.hand_values = m
        .hand_values
        .iter()
        .map(|(p, v)| (p.to_nix(), v.clone()))
        .collect();
    fp.taken_over = m.taken_over;
    fp.replaced = m.replaced;
    fp.lock_entry = Some(m.lock);
    fp.desired = m.text;
    Ok(())
}

/// Merge the spec's version of a merged file (`rendered`) into the file as it is (`current`).
pub fn merge(
    path: &str,
    current: &str,
    rendered: &NixDocument,
    kind: &FileKind,
    locked: Option<&LockEntry>,
    force: bool,
) -> Result<Merge> {
    let rule = kind.merge_rule;
    let mut doc = NixDocument::parse(path, current)?;
    if let Some(rule) = rule {
        doc.look_through(rule.look_through.iter().copied());
    }
    let mut owned = Owned::decide(rule, rendered, Some(&doc), locked)?;
    if !owned.parameters.is_empty() {
        // Parameters first: what the rule wants may name them once they are there.
        let mut changed = false;
        for (p, name) in &owned.parameters {
            changed |= doc.add_parameter(p, name)?;
        }
        if changed {
            owned = Owned::decide(rule, rendered, Some(&doc), locked)?;
        }
    }
    let mut m = Merger {
        path,
        doc,
        calls: rule.map_or(&[][..], |r| r.look_through),
        base: locked.filter(|l| !l.values.is_empty() || !l.elements.is_empty()),
        force,
        stock: kind.stock_value,
        same_element: kind.same_element,
        conflicts: Vec::new(),
        hand_values: Vec::new(),
        taken_over: Vec::new(),
        replaced: Vec::new(),
    };
    m.values(&owned)?;
    m.dropped_values(&owned)?;
    m.elements(&owned)?;
    m.dropped_elements(&owned)?;
    Ok(Merge {
        text: m.doc.text().to_string(),
        conflicts: m.conflicts,
        hand_values: m.hand_values,
        taken_over: m.taken_over,
        replaced: m.replaced,
        lock: owned.lock_entry(),
    })
}

/// A merge in progress: the user's document, devgen's last record, and what was found.
struct Merger<'a> {
    path: &'a str,
    doc: NixDocument,
    /// The calls the document's paths go into (the rule's).
    calls: &'a [&'a str],
    /// What devgen last wrote, when the lock records anything.
    base: Option<&'a LockEntry>,
    force: bool,
    /// Which values any project could have (`FileKind::stock_value`).
    stock: Option<fn(&str, &str) -> bool>,
    /// Which elements are one, written two ways (`FileKind::same_element`).
    same_element: Option<fn(&str, &str, &str) -> bool>,
    conflicts: Vec<String>,
    hand_values: Vec<(AttrPath, String)>,
    taken_over: Vec<String>,
    replaced: Vec<String>,
}

impl Merger<'_> {
    /// `file:line:col` of the value at `p`, or the file's name when it has none.
    fn at(&self, p: &AttrPath) -> String {
        match self.doc.value_position(p) {
            Some((line, col)) => format!("{}:{line}:{col}", self.path),
            None => self.path.to_string(),
        }
    }

    /// Each owned value, three ways: the file's, devgen's last, the spec's.
    fn values(&mut self, owned: &Owned) -> Result<()> {
        for (p, want) in &owned.values {
            let have = self.doc.get(p)?;
            let wrote = match recorded_at(self.base, p) {
                // devgen wrote a value above this path whole: what is here is its.
                Some(Recorded::Above) => have.as_ref(),
                Some(Recorded::At(w)) => Some(w),
                None => None,
            };
            match (&have, wrote) {
                (Some(h), None) if same_expr(h, want) => self.taken_over.push(p.to_string()),
                (Some(h), _) if same_expr(h, want) => {}
                (Some(h), Some(w)) if same_expr(h, w) || self.force => {
                    self.doc.set(p, want)?;
                }
                (None, None) => self.insert(owned, p, want)?,
                _ if self.force => {
                    self.doc.set(p, want)?;
                }
                (Some(h), Some(w)) => {
                    self.conflicts.push(format!(
                        "{}: `{p}` was changed by hand to {h}; devgen wrote {w}, and devgen.toml now gives {want}",
                        self.at(p)
                    ));
                    self.hand_values.push((p.clone(), h.clone()));
                }
                (Some(h), None) if self.stock.is_some_and(|stock| stock(&p.to_nix(), h)) => {
                    self.replaced.push(format!("`{p}` was {h}"));
                    self.doc.set(p, want)?;
                }
                (Some(h), None) => {
                    self.conflicts.push(format!(
                        "{}: `{p}` is {h}, but devgen.toml gives {want} (devgen has no record of writing it)",
                        self.at(p)
                    ));
                    self.hand_values.push((p.clone(), h.clone()));
                }
                (None, Some(w)) => self.conflicts.push(format!(
                    "{}: `{p}` was removed by hand; devgen wrote {w}, and devgen.toml gives {want}",
                    self.path
                )),
            }
        }
        Ok(())
    }

    /// Bind `p`, unbound so far, to `want`: outside the rule's calls when `owned` says so.
    fn insert(&mut self, owned: &Owned, p: &AttrPath, want: &str) -> Result<()> {
        if !owned.outside_calls.contains(p) {
            self.doc.set(p, want)?;
            return Ok(());
        }
        self.doc.look_through(Vec::<String>::new());
        let result = self.doc.set(p, want);
        self.doc.look_through(self.calls.iter().copied());
        result?;
        Ok(())
    }

    /// Paths the spec no longer has: removed where they still hold what devgen wrote.
    fn dropped_values(&mut self, owned: &Owned) -> Result<()> {
        let Some(base) = self.base else {
            return Ok(());
        };
        for (key, wrote) in &base.values {
            let Ok(p) = key.parse::<AttrPath>() else {
                continue;
            };
            // A value owned whole before and path by path now: the file keeps it, and the
            // lock records its paths from now on.
            if owned
                .values
                .iter()
                .any(|(q, _)| q.segments().starts_with(p.segments()))
            {
                continue;
            }
            match self.doc.get(&p)? {
                None => {}
                Some(h) if same_expr(&h, wrote) || self.force => {
                    self.doc.delete(&p)?;
                    remove_emptied_parents(&mut self.doc, &p)?;
                }
                Some(h) => self.conflicts.push(format!(
                    "{}: `{p}` is no longer in devgen.toml, but was changed by hand to {h} (devgen wrote {wrote}); \
                     delete it by hand if it should go",
                    self.at(&p)
                )),
            }
        }
        Ok(())
    }

    /// Whether devgen's last record has `expr` in the list at `list`.
    fn wrote_element(&self, list: &AttrPath, expr: &str) -> bool {
        self.base
            .and_then(|b| b.elements.get(&list.to_nix()))
            .is_some_and(|l| l.iter().any(|x| same_expr(x, expr)))
    }

    /// Each owned element: added where missing, unless the user took it out.
    fn elements(&mut self, owned: &Owned) -> Result<()> {
        for e in &owned.elements {
            let wrote = self.wrote_element(&e.list, &e.expr);
            if self.doc.contains_element(&e.list, &e.expr)? {
                if !wrote {
                    self.taken_over.push(format!("{} in `{}`", e.expr, e.list));
                } else if self.misplaced(e)? {
                    // devgen's own element in the wrong part of the list (a Linux-only
                    // package an older devgen put among everyone's): moved.
                    self.doc.remove(&e.list, &e.expr)?;
                    self.add(e)?;
                }
                continue;
            }
            // Looked for only when the element is missing: `diff` of a project in sync
            // never gets here.
            if self.holds_theirs_of(e)? {
                continue; // the user's way of writing it stands
            }
            if wrote && !self.force {
                self.conflicts.push(format!(
                    "{}: {} was removed by hand from `{}`; devgen.toml still asks for it",
                    self.path, e.expr, e.list
                ));
                continue;
            }
            self.add(e)?;
        }
        Ok(())
    }

    /// Whether the list holds an element of the user's that is `e` written another way
    /// (asked only when `e` itself is not there).
    fn holds_theirs_of(&self, e: &OwnedElement) -> Result<bool> {
        let Some(same) = self.same_element else {
            return Ok(false);
        };
        let list = e.list.to_nix();
        Ok(self
            .doc
            .list_elements(&e.list)?
            .iter()
            .any(|x| same(&list, &x.text, &e.expr)))
    }

    /// Put `e` in its list, under its call when it has one — the file's own spelling of
    /// that call when it has one (`lib.optionals` for devgen's `pkgs.lib.optionals`).
    fn add(&mut self, e: &OwnedElement) -> Result<()> {
        match &e.call {
            Some(call) => {
                let elements = self.doc.list_elements(&e.list)?;
                let theirs = elements
                    .iter()
                    .filter_map(|x| x.call.as_deref())
                    .find(|c| same_call(c, call));
                self.doc
                    .add_when(&e.list, theirs.unwrap_or(call), &e.expr)?
            }
            None => self.doc.add(&e.list, &e.expr)?,
        };
        Ok(())
    }

    /// Whether `e` stands in its list under another call than devgen would put it under.
    fn misplaced(&self, e: &OwnedElement) -> Result<bool> {
        let same_call = |c: &Option<String>| match (c, &e.call) {
            (None, None) => true,
            (Some(a), Some(b)) => same_call(a, b),
            _ => false,
        };
        let found = self.doc.list_elements(&e.list)?;
        Ok(found
            .iter()
            .filter(|x| same_expr(&x.text, &e.expr))
            .all(|x| !same_call(&x.call)))
    }

    /// Elements the spec no longer has: the ones devgen put there are taken out.
    fn dropped_elements(&mut self, owned: &Owned) -> Result<()> {
        let Some(base) = self.base else {
            return Ok(());
        };
        for (key, wrote) in &base.elements {
            let Ok(list) = key.parse::<AttrPath>() else {
                continue;
            };
            for x in wrote {
                let still_wanted = owned
                    .elements
                    .iter()
                    .any(|e| e.list == list && same_expr(&e.expr, x));
                if !still_wanted {
                    self.doc.remove(&list, x)?;
                }
            }
            // A list the spec no longer has at all goes once devgen's elements have left it
            // empty; one that still holds the user's elements stays.
            if !owned.lists.contains(&list)
                && self.doc.get(&list)?.is_some()
                && self.doc.list_elements(&list)?.is_empty()
            {
                self.doc.delete(&list)?;
                remove_emptied_parents(&mut self.doc, &list)?;
            }
        }
        Ok(())
    }
}

/// Whether two calls a list is given to are one: `lib.optionals pkgs.stdenv.isLinux` is
/// `pkgs.lib.optionals pkgs.stdenv.isLinux`, since a module's `lib` is nixpkgs' own.
fn same_call(a: &str, b: &str) -> bool {
    let unqualified = |c: &str| {
        c.trim()
            .strip_prefix("pkgs.")
            .unwrap_or(c.trim())
            .to_string()
    };
    same_expr(&unqualified(a), &unqualified(b))
}

/// `rendered` with paths going through the functions `rule` names.
fn looked_through(rendered: &NixDocument, rule: &MergeRule) -> NixDocument {
    let mut doc = rendered.clone();
    doc.look_through(rule.look_through.iter().copied());
    doc
}

/// How devgen's lock records the value at a path.
enum Recorded<'a> {
    /// The value devgen wrote there.
    At(&'a String),
    /// devgen wrote a value above the path whole (the lock of an older devgen).
    Above,
}

fn recorded_at<'a>(locked: Option<&'a LockEntry>, p: &AttrPath) -> Option<Recorded<'a>> {
    let values = &locked?.values;
    if let Some(w) = values.get(&p.to_nix()) {
        return Some(Recorded::At(w));
    }
    let segs = p.segments();
    (1..segs.len())
        .any(|n| values.contains_key(&AttrPath::segments_to_nix(&segs[..n])))
        .then_some(Recorded::Above)
}

/// The lock entry for a merged file written whole from `rendered`.
#[cfg(test)]
fn lock_for(rendered: &NixDocument) -> Result<LockEntry> {
    Ok(Owned::of(rendered)?.lock_entry())
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

    const NIX: &FileKind = &FileKind::plain(crate::render::Syntax::Nix);

    fn doc(text: &str) -> NixDocument {
        NixDocument::parse("devenv.nix", text).unwrap()
    }

    const RENDERED: &str = "{ pkgs, ... }:\n{\n  services.postgres = {\n    enable = true;\n    port = 5432;\n  };\n  packages = [\n    pkgs.overmind\n  ] ++ pkgs.lib.optionals pkgs.stdenv.isLinux [\n    pkgs.inotify-tools\n  ];\n}\n";

    #[test]
    fn owned_parts_are_read_off_the_rendered_file() {
        let o = Owned::of(&doc(RENDERED)).unwrap();
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
        let m = merge("devenv.nix", &user, &doc(&spec), NIX, Some(&lock), false).unwrap();
        assert!(m.conflicts.is_empty(), "{:?}", m.conflicts);
        assert_eq!(m.text, user.replace("port = 5432", "port = 5433"));
    }

    #[test]
    fn a_hand_changed_value_is_a_conflict_naming_both_values() {
        let lock = lock_for(&doc(RENDERED)).unwrap();
        let user = RENDERED.replace("port = 5432", "port = 6000");
        let m = merge("devenv.nix", &user, &doc(RENDERED), NIX, Some(&lock), false).unwrap();
        assert_eq!(m.text, user);
        assert_eq!(m.conflicts.len(), 1);
        assert!(m.conflicts[0].starts_with("devenv.nix:5:12: `services.postgres.port` was changed by hand to 6000; devgen wrote 5432"), "{:?}", m.conflicts);
        let forced = merge("devenv.nix", &user, &doc(RENDERED), NIX, Some(&lock), true).unwrap();
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
        let m = merge("devenv.nix", &user, &doc(RENDERED), NIX, Some(&lock), false).unwrap();
        assert!(m.conflicts.is_empty());
        assert_eq!(
            m.text,
            RENDERED.replace("    pkgs.overmind\n", "    pkgs.overmind\n    pkgs.redis\n")
        );
    }
}
