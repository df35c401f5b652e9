//! Reconcile: meet each desired output with the file on disk and the lock, per ownership
//! mode, and decide what happens to it. The result is a [`Plan`]; nothing is written here.
//!
//! Rules shared by every mode: a missing file is created; a file whose managed part is what
//! devgen would write is in sync; a managed part that still holds what devgen last wrote
//! (per the lock) is updated; anything else was changed by hand, which is a conflict unless
//! `force`. Broken block markers are an error, never a guess.
//!
//! Merged Nix files are reconciled attribute by attribute, in [`crate::merge`].

use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::fsys::ProjectRoot;
use crate::lock::{digest, Lock, LockEntry};
use crate::merge;
use crate::outputs::{Ownership, Rendered, BLOCK_BEGIN, BLOCK_END};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    InSync,
    /// The file does not exist yet.
    Missing,
    /// The file differs from the spec, and devgen may update it.
    Drift,
    /// A managed part was changed by hand; the reason says how.
    Conflict(String),
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::InSync => "in-sync",
            Status::Missing => "missing",
            Status::Drift => "drift",
            Status::Conflict(_) => "conflict",
        }
    }
}

/// What happens to one file.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: String,
    /// The ownership mode's name, as shown to the user and kept in the lock.
    pub ownership: &'static str,
    pub status: Status,
    /// The file's text now, if it exists.
    pub current: Option<String>,
    /// The file's whole text after the change.
    pub desired: String,
    pub executable: bool,
    /// The content is right but the file lacks its execute bits.
    pub needs_exec_bit: bool,
    /// What the lock records once this is written (`None`: not tracked, like the spec).
    pub lock_entry: Option<LockEntry>,
    /// Merged files: attribute path → value, for each path in conflict that the file holds
    /// a value for (what `sync --adopt` carries back into devgen.toml).
    pub hand_values: Vec<(String, String)>,
    /// Merged files: what was already in the file as devgen would write it, with no record
    /// of devgen writing it. devgen owns it from now on.
    pub taken_over: Vec<String>,
    /// Merged files in conflict: the file as `--force` would write it, so that the conflict
    /// can be shown as a diff (the plan itself leaves conflicting values alone).
    pub forced: Option<String>,
}

impl FilePlan {
    /// A file with no lock entry and nothing known of it yet (status Missing).
    pub fn new(
        path: &str,
        ownership: &'static str,
        current: Option<String>,
        desired: String,
    ) -> Self {
        FilePlan {
            path: path.to_string(),
            ownership,
            status: Status::Missing,
            current,
            desired,
            executable: false,
            needs_exec_bit: false,
            lock_entry: None,
            hand_values: Vec::new(),
            taken_over: Vec::new(),
            forced: None,
        }
    }

    /// Whether a report shows this file: it changes, or it is in conflict.
    pub fn reported(&self) -> bool {
        self.changes() || matches!(self.status, Status::Conflict(_))
    }

    /// The text a report diffs the file against: devgen's version, for a conflict too.
    pub fn shown(&self) -> &str {
        self.forced.as_deref().unwrap_or(&self.desired)
    }

    /// Whether applying the plan touches this file.
    pub fn changes(&self) -> bool {
        self.current.as_deref() != Some(self.desired.as_str()) || self.needs_exec_bit
    }
}

/// Every file of a run, in the target's order.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
}

impl Plan {
    pub fn conflicts(&self) -> impl Iterator<Item = &FilePlan> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, Status::Conflict(_)))
    }

    pub fn has_conflicts(&self) -> bool {
        self.conflicts().next().is_some()
    }

    pub fn is_in_sync(&self) -> bool {
        self.files
            .iter()
            .all(|f| !f.changes() && f.status == Status::InSync)
    }

    /// The lock after applying this plan: `previous` with this plan's entries replaced.
    pub fn lock(&self, previous: &Lock) -> Lock {
        let mut lock = previous.clone();
        for f in &self.files {
            if let Some(entry) = &f.lock_entry {
                lock.files.insert(f.path.clone(), entry.clone());
            }
        }
        lock
    }
}

/// Reconcile every rendered output with the project on disk.
pub fn plan(rendered: &[Rendered], root: &ProjectRoot, lock: &Lock, force: bool) -> Result<Plan> {
    let mut files = Vec::with_capacity(rendered.len());
    for r in rendered {
        let current = root.read(r.decl.path)?;
        let mode = root.mode(r.decl.path)?;
        let mut fp = reconcile_file(r, current, lock.files.get(r.decl.path), force)?;
        fp.needs_exec_bit =
            r.decl.executable && fp.current.is_some() && mode.is_some_and(|m| m & 0o100 == 0);
        if fp.needs_exec_bit && fp.status == Status::InSync {
            fp.status = Status::Drift;
        }
        files.push(fp);
    }
    Ok(Plan { files })
}

/// Decide the fate of one file, given its text on disk and what the lock says devgen wrote.
pub fn reconcile_file(
    r: &Rendered,
    current: Option<String>,
    locked: Option<&LockEntry>,
    force: bool,
) -> Result<FilePlan> {
    let path = r.decl.path;
    let ownership = r.decl.ownership;
    let locked_sha = locked.and_then(|l| l.sha256.as_deref());
    let mut lock_entry = LockEntry::hashed(ownership.name(), &r.content);
    let mut hand_values = Vec::new();
    let mut taken_over = Vec::new();
    let mut forced = None;
    let (status, desired) = match ownership {
        Ownership::Owned => whole_file(&r.content, current.as_deref(), locked_sha, force),
        Ownership::Merged => match current.as_deref() {
            None => {
                lock_entry = merge::lock_for(rendered_nix(r)?)?;
                (Status::Missing, r.content.clone())
            }
            Some(text) => {
                let m = merge::merge(path, text, rendered_nix(r)?, locked, force)?;
                lock_entry = m.lock;
                hand_values = m
                    .hand_values
                    .iter()
                    .map(|(p, v)| (p.to_nix(), v.clone()))
                    .collect();
                taken_over = m.taken_over;
                if !m.conflicts.is_empty() {
                    let r = merge::merge(path, text, rendered_nix(r)?, locked, true)?;
                    forced = Some(r.text);
                }
                let status = if !m.conflicts.is_empty() {
                    Status::Conflict(m.conflicts.join("\n"))
                } else if m.text == text {
                    Status::InSync
                } else {
                    Status::Drift
                };
                (status, m.text)
            }
        },
        Ownership::Block => block(path, &r.content, current.as_deref(), locked_sha, force)?,
        Ownership::Line { preamble } => line(path, &r.content, preamble, current.as_deref())?,
    };
    Ok(FilePlan {
        path: path.to_string(),
        ownership: ownership.name(),
        status,
        current,
        desired,
        executable: r.decl.executable,
        needs_exec_bit: false,
        lock_entry: Some(lock_entry),
        hand_values,
        taken_over,
        forced,
    })
}

/// The parsed document of a merged output; every merged file is Nix, parsed when rendered.
fn rendered_nix(r: &Rendered) -> Result<&crate::nix_edit::NixDocument> {
    r.nix.as_ref().ok_or_else(|| {
        crate::error::Error::Usage(format!(
            "internal error: {} is merged but was not parsed as Nix; please report this",
            r.decl.path
        ))
    })
}

const HAND_EDITED: &str = "changed by hand since devgen last wrote it";
const NOT_DEVGENS: &str = "exists, and devgen has no record of writing it";

fn whole_file(
    desired: &str,
    current: Option<&str>,
    locked_sha: Option<&str>,
    force: bool,
) -> (Status, String) {
    let status = match current {
        None => Status::Missing,
        Some(c) if c == desired => Status::InSync,
        Some(c) if force || locked_sha == Some(digest(c).as_str()) => Status::Drift,
        Some(_) if locked_sha.is_some() => Status::Conflict(HAND_EDITED.to_string()),
        Some(_) => Status::Conflict(NOT_DEVGENS.to_string()),
    };
    (status, desired.to_string())
}

/// The block with its markers, as it appears in the file.
fn block_text(inner: &str) -> String {
    format!("{BLOCK_BEGIN}\n{inner}{BLOCK_END}\n")
}

fn block(
    path: &str,
    inner: &str,
    current: Option<&str>,
    locked_sha: Option<&str>,
    force: bool,
) -> Result<(Status, String)> {
    let Some(text) = current else {
        return Ok((Status::Missing, block_text(inner)));
    };
    match find_block(path, text)? {
        Some(found) => {
            let existing = &text[found.inner.clone()];
            let desired = format!("{}{inner}{}", &text[..found.inner.start], &text[found.inner.end..]);
            let status = if existing == inner {
                Status::InSync
            } else if force || locked_sha == Some(digest(existing).as_str()) {
                Status::Drift
            } else if locked_sha.is_some() {
                Status::Conflict(format!("devgen's block was {HAND_EDITED}"))
            } else {
                Status::Conflict(format!("devgen's block {NOT_DEVGENS}"))
            };
            Ok((status, desired))
        }
        None if locked_sha.is_some() => Err(Diagnostic::new(path, text, 0..0, "devgen's block markers are missing")
            .with_label("expected a devgen block in this file")
            .with_help(format!(
                "devgen.lock says devgen wrote a block here. Restore the lines\n{BLOCK_BEGIN}\n…\n{BLOCK_END}\n\
                 (from git), or remove {path}'s entry from devgen.lock to have devgen add a new block"
            ))
            .into_error()),
        None => {
            // A file devgen has not seen: add the block at the end, unless the user's part
            // already does what the block does (two `phoenix:` processes, say).
            let clashes = clashing_lines(path, text, inner);
            if !clashes.is_empty() && !force {
                let what = clashes.iter().map(|(_, l)| format!("  {l}")).collect::<Vec<_>>().join("\n");
                return Ok((
                    Status::Conflict(format!("already has lines that devgen's block would duplicate:\n{what}")),
                    append_block(text, inner, &[]),
                ));
            }
            let drop: Vec<usize> = clashes.iter().map(|(i, _)| *i).collect();
            Ok((Status::Drift, append_block(text, inner, &drop)))
        }
    }
}

/// `text` without the lines numbered in `drop`, then the block.
fn append_block(text: &str, inner: &str, drop: &[usize]) -> String {
    let mut kept: String = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, l)| l)
        .collect();
    if !kept.is_empty() {
        if !kept.ends_with('\n') {
            kept.push('\n');
        }
        if !kept.ends_with("\n\n") {
            kept.push('\n');
        }
    }
    kept + &block_text(inner)
}

/// Lines outside a block that would clash with it: in a Procfile, processes of the same
/// name; in `.envrc`, a second `use flake`/`use devenv` or a second OVERMIND_AUTO_RESTART.
fn clashing_lines<'a>(path: &str, text: &'a str, inner: &str) -> Vec<(usize, &'a str)> {
    let key = |line: &str| -> Option<String> {
        let line = line.trim();
        if path.ends_with("Procfile") {
            let (name, _) = line.split_once(':')?;
            let ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
            ok.then(|| format!("process {name}"))
        } else if line.starts_with("use flake") || line.starts_with("use devenv") {
            Some("use".to_string())
        } else {
            let name = line.strip_prefix("export ")?.split('=').next()?.trim();
            name.starts_with("OVERMIND_")
                .then(|| format!("export {name}"))
        }
    };
    let ours: Vec<String> = inner.lines().filter_map(key).collect();
    text.lines()
        .enumerate()
        .filter(|(_, l)| key(l).is_some_and(|k| ours.contains(&k)))
        .collect()
}

/// Where a block's inner text lies.
struct FoundBlock {
    inner: std::ops::Range<usize>,
}

/// Find the one well-formed block of `text`. `Ok(None)`: no markers at all. Any other
/// arrangement of markers is an error pointing at the offending line.
fn find_block(path: &str, text: &str) -> Result<Option<FoundBlock>> {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end();
        if content == BLOCK_BEGIN.trim_end()
            || (content.starts_with("# >>> devgen") && content != BLOCK_END)
        {
            begins.push((offset, offset + line.len()));
        } else if content.starts_with("# <<< devgen") {
            ends.push((offset, offset + line.len()));
        }
        offset += line.len();
    }
    let marker_error = |at: usize, len: usize, msg: &str, help: &str| {
        Diagnostic::new(path, text, at..at + len, msg.to_string())
            .with_label("here")
            .with_help(help.to_string())
            .into_error()
    };
    let fix =
        format!("keep exactly one block:\n{BLOCK_BEGIN}\n…\n{BLOCK_END}\nthen run `devgen sync`");
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => Ok(None),
        ([(b0, b1)], [(e0, e1)]) if b1 <= e0 => {
            if text[*b0..*b1].trim_end() != BLOCK_BEGIN {
                return Err(marker_error(
                    *b0,
                    b1 - b0,
                    "devgen's begin marker was changed",
                    &format!("restore the line to:\n{BLOCK_BEGIN}"),
                ));
            }
            if text[*e0..*e1].trim_end() != BLOCK_END {
                return Err(marker_error(
                    *e0,
                    e1 - e0,
                    "devgen's end marker was changed",
                    &format!("restore the line to:\n{BLOCK_END}"),
                ));
            }
            Ok(Some(FoundBlock { inner: *b1..*e0 }))
        }
        ([(b0, _)], [(e0, e1)]) if e0 < b0 => Err(marker_error(
            *e0,
            e1 - e0,
            "devgen's end marker comes before its begin marker",
            &fix,
        )),
        ([_, (b0, b1), ..], _) => Err(marker_error(
            *b0,
            b1 - b0,
            "devgen's begin marker appears more than once",
            &fix,
        )),
        (_, [_, (e0, e1), ..]) => Err(marker_error(
            *e0,
            e1 - e0,
            "devgen's end marker appears more than once",
            &fix,
        )),
        ([(b0, b1)], []) => Err(marker_error(
            *b0,
            b1 - b0,
            "devgen's block has no end marker",
            &format!("add the line\n{BLOCK_END}\nwhere the block ends"),
        )),
        ([], [(e0, e1)]) => Err(marker_error(
            *e0,
            e1 - e0,
            "devgen's block has no begin marker",
            &format!("add the line\n{BLOCK_BEGIN}\nwhere the block starts"),
        )),
        _ => unreachable!("every arrangement of markers is covered above"),
    }
}

fn line(
    path: &str,
    wanted: &str,
    preamble: &str,
    current: Option<&str>,
) -> Result<(Status, String)> {
    let Some(text) = current else {
        return Ok((Status::Missing, format!("{preamble}{wanted}\n")));
    };
    let mut offset = 0;
    let mut found = Vec::new();
    for l in text.split_inclusive('\n') {
        if l.trim() == wanted {
            found.push(offset..offset + l.trim_end().len());
        }
        offset += l.len();
    }
    match found.len() {
        0 => {
            let sep = if text.is_empty() || text.ends_with('\n') {
                ""
            } else {
                "\n"
            };
            Ok((Status::Drift, format!("{text}{sep}{wanted}\n")))
        }
        1 => Ok((Status::InSync, text.to_string())),
        n => Err(Diagnostic::new(
            path,
            text,
            found[1].clone(),
            format!("`{wanted}` appears {n} times"),
        )
        .with_label("again here")
        .with_help("keep one of them; devgen manages that one line")
        .into_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inner() -> &'static str {
        "devenv: devenv up\n"
    }

    #[test]
    fn block_is_appended_to_a_file_devgen_has_not_seen() {
        let (status, text) =
            block("Procfile", inner(), Some("web: bin/web\n"), None, false).unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("web: bin/web\n\n{BLOCK_BEGIN}\ndevenv: devenv up\n{BLOCK_END}\n")
        );
    }

    #[test]
    fn clashing_process_is_a_conflict_and_force_replaces_it() {
        let (status, _) = block("Procfile", inner(), Some("devenv: other\n"), None, false).unwrap();
        assert!(
            matches!(status, Status::Conflict(ref why) if why.contains("devenv: other")),
            "{status:?}"
        );
        let (status, text) = block(
            "Procfile",
            inner(),
            Some("devenv: other\nweb: x\n"),
            None,
            true,
        )
        .unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("web: x\n\n{BLOCK_BEGIN}\ndevenv: devenv up\n{BLOCK_END}\n")
        );
    }

    #[test]
    fn block_update_keeps_user_lines_around_it() {
        let old = "old: x\n";
        let file = format!("a: 1\n{BLOCK_BEGIN}\n{old}{BLOCK_END}\nb: 2\n");
        let (status, text) =
            block("Procfile", inner(), Some(&file), Some(&digest(old)), false).unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("a: 1\n{BLOCK_BEGIN}\n{}{BLOCK_END}\nb: 2\n", inner())
        );
        let (status, _) = block(
            "Procfile",
            inner(),
            Some(&file),
            Some(&digest("other")),
            false,
        )
        .unwrap();
        assert!(matches!(status, Status::Conflict(_)));
    }

    #[test]
    fn broken_markers_are_errors_with_a_line() {
        let dup = format!("{BLOCK_BEGIN}\n{BLOCK_END}\n{BLOCK_BEGIN}\n{BLOCK_END}\n");
        let err = block("Procfile", inner(), Some(&dup), None, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Procfile:3:1") && err.contains("more than once"),
            "{err}"
        );
        let no_end = format!("x\n{BLOCK_BEGIN}\nfoo\n");
        let err = block("Procfile", inner(), Some(&no_end), None, false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("Procfile:2:1") && err.contains("no end marker"),
            "{err}"
        );
        let gone = block("Procfile", inner(), Some("x: y\n"), Some("abc"), false)
            .unwrap_err()
            .to_string();
        assert!(gone.contains("markers are missing"), "{gone}");
    }

    #[test]
    fn ensured_line_is_added_once() {
        let want = "import_config \"devgen.exs\"";
        let (s, t) = line(
            "config/dev.exs",
            want,
            "import Config\n\n",
            Some("import Config\nconfig :a, b: 1"),
        )
        .unwrap();
        assert_eq!(s, Status::Drift);
        assert_eq!(t, format!("import Config\nconfig :a, b: 1\n{want}\n"));
        let (s, _) = line("config/dev.exs", want, "", Some(&t)).unwrap();
        assert_eq!(s, Status::InSync);
        let twice = format!("{t}{want}\n");
        let err = line("config/dev.exs", want, "", Some(&twice))
            .unwrap_err()
            .to_string();
        assert!(err.contains("config/dev.exs:4:1"), "{err}");
    }
}
