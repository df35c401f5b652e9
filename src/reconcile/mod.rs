//! Reconcile: meet each rendered output with the file on disk and the lock, per ownership
//! mode, and decide what happens to it. The result is a [`Plan`]; nothing is written here,
//! and files are only read, through [`Files`].
//!
//! Rules shared by every mode: a missing file is created; a file whose managed part is what
//! devgen would write is in sync; a managed part that still holds what devgen last wrote
//! (per the lock) is updated; anything else was changed by hand, which is a conflict unless
//! `force`. Broken block markers are an error, never a guess. Each mode has a module:
//! whole files here, [`block`], [`line`], and merged Nix files in [`merge`]; what devgen
//! last wrote is the [`lock`].

pub mod block;
mod line;
pub mod lock;
pub mod merge;
mod module;

use crate::error::Result;
use crate::render::{Ownership, Rendered};
use crate::spec::SPEC_FILE;
use lock::{digest, Lock, LockEntry, LOCK_FILE};

/// The files a plan is made against, read only.
pub trait Files {
    /// The text of `path`, or `None` when it does not exist.
    fn read(&self, path: &str) -> Result<Option<String>>;
    /// Unix mode bits of `path`, if it exists.
    fn mode(&self, path: &str) -> Result<Option<u32>>;
}

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

/// What a planned file is to devgen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An output of a target, owned as declared.
    Output(Ownership),
    /// devgen.toml itself, written by `init`, `sync --adopt` and `deps-hash`.
    Spec,
    /// devgen.lock.
    Lock,
}

impl Role {
    /// As reports show it (the `mode` of `diff --format json`).
    pub fn name(self) -> &'static str {
        match self {
            Role::Output(o) => o.name(),
            Role::Spec => "spec",
            Role::Lock => "lock",
        }
    }
}

/// What happens to one file.
#[derive(Debug, Clone)]
pub struct FilePlan {
    pub path: String,
    pub role: Role,
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
    /// Values any project could have that devgen replaces with its own, each with what it
    /// was (`devenv.nix`'s `listen_addresses = "127.0.0.1"`).
    pub replaced: Vec<String>,
    /// Merged files in conflict: the file as `--force` would write it, so that the conflict
    /// can be shown as a diff (the plan itself leaves conflicting values alone).
    pub forced: Option<String>,
    /// The file goes (when `changes()`): devgen wrote it whole, or only its block was in
    /// it, and no target writes it any more.
    pub remove: bool,
    /// No target writes this file any more: its lock entry goes (unless in conflict).
    pub dropped: bool,
}

impl FilePlan {
    /// A file with no lock entry and nothing known of it yet (status Missing).
    pub fn new(path: &str, role: Role, current: Option<String>, desired: String) -> Self {
        FilePlan {
            path: path.to_string(),
            role,
            status: Status::Missing,
            current,
            desired,
            executable: false,
            needs_exec_bit: false,
            lock_entry: None,
            hand_values: Vec::new(),
            taken_over: Vec::new(),
            replaced: Vec::new(),
            forced: None,
            remove: false,
            dropped: false,
        }
    }

    /// A file with no lock entry that devgen writes whole (devgen.lock, devgen.toml): missing,
    /// in sync or drifting by its text alone.
    pub fn by_text(path: &str, role: Role, current: Option<String>, desired: String) -> Self {
        let status = match &current {
            None => Status::Missing,
            Some(t) if *t == desired => Status::InSync,
            Some(_) => Status::Drift,
        };
        FilePlan {
            status,
            ..FilePlan::new(path, role, current, desired)
        }
    }

    /// devgen.toml, from `current` to `desired`: what a command that changes the spec
    /// applies first.
    pub fn spec(current: Option<String>, desired: String) -> Self {
        FilePlan::by_text(SPEC_FILE, Role::Spec, current, desired)
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
        if self.remove {
            return self.current.is_some() && !matches!(self.status, Status::Conflict(_));
        }
        self.current.as_deref() != Some(self.desired.as_str()) || self.needs_exec_bit
    }
}

/// How a plan stands as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    InSync,
    Drift,
    Conflict,
}

impl Verdict {
    /// As reports show it (`status` of `diff --format json`).
    pub fn name(self) -> &'static str {
        match self {
            Verdict::InSync => "in-sync",
            Verdict::Drift => "drift",
            Verdict::Conflict => "conflict",
        }
    }
}

/// Every file of a run, in the targets' order, then devgen.lock.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    /// There was no devgen.lock.
    pub lock_missing: bool,
}

impl Plan {
    pub fn conflicts(&self) -> impl Iterator<Item = &FilePlan> {
        self.files
            .iter()
            .filter(|f| matches!(f.status, Status::Conflict(_)))
    }

    /// How many files a report shows with the status named `status` ("missing", "drift",
    /// "conflict").
    pub fn reported_with(&self, status: &str) -> usize {
        self.files
            .iter()
            .filter(|f| f.reported() && f.status.name() == status)
            .count()
    }

    pub fn has_conflicts(&self) -> bool {
        self.conflicts().next().is_some()
    }

    pub fn is_in_sync(&self) -> bool {
        self.files
            .iter()
            .all(|f| !f.changes() && f.status == Status::InSync)
    }

    pub fn verdict(&self) -> Verdict {
        if self.has_conflicts() {
            Verdict::Conflict
        } else if self.is_in_sync() {
            Verdict::InSync
        } else {
            Verdict::Drift
        }
    }

    /// (file, attribute path, value) of every value in conflict that its file holds.
    pub fn hand_values(&self) -> Vec<(String, String, String)> {
        self.conflicts()
            .flat_map(|f| {
                f.hand_values
                    .iter()
                    .map(|(p, v)| (f.path.clone(), p.clone(), v.clone()))
            })
            .collect()
    }

    /// The lock after applying this plan: `previous` with this plan's entries replaced.
    fn lock(&self, previous: &Lock) -> Lock {
        let mut lock = previous.clone();
        for f in &self.files {
            if let Some(entry) = &f.lock_entry {
                lock.files.insert(f.path.clone(), entry.clone());
            }
            if f.dropped && !matches!(f.status, Status::Conflict(_)) {
                lock.files.remove(&f.path);
            }
        }
        lock
    }
}

/// Reconcile every rendered output with `files` and their lock. The lock is planned like
/// any file, last, so that `diff` reports exactly what `sync` writes.
pub fn plan(rendered: &[Rendered], files: &impl Files, force: bool) -> Result<Plan> {
    let lock_text = files.read(LOCK_FILE)?;
    let lock = match &lock_text {
        Some(text) => Lock::parse(text)?,
        None => Lock::new(),
    };
    let mut plan = Plan {
        files: Vec::with_capacity(rendered.len() + 1),
        lock_missing: lock_text.is_none(),
    };
    for r in rendered {
        let path = r.path.as_str();
        let mut fp = reconcile_file(r, files.read(path)?, lock.files.get(path), force)?;
        if r.decl.kind.devenv_module && fp.changes() && !matches!(fp.status, Status::Conflict(_)) {
            module::refuse_what_devenv_refuses(r, &fp.desired)?;
        }
        let mode = files.mode(path)?;
        fp.needs_exec_bit =
            r.decl.executable && fp.current.is_some() && mode.is_some_and(|m| m & 0o100 == 0);
        if fp.needs_exec_bit && fp.status == Status::InSync {
            fp.status = Status::Drift;
        }
        plan.files.push(fp);
    }
    plan.files
        .extend(dropped_outputs(rendered, &lock, files, force)?);
    let new_lock = plan.lock(&lock).render();
    plan.files.push(FilePlan::by_text(
        LOCK_FILE,
        Role::Lock,
        lock_text,
        new_lock,
    ));
    Ok(plan)
}

/// Files devgen wrote that no target writes any more (a script the spec turned off, the
/// services' `.env` once no service is on): a file devgen wrote whole is removed, and a
/// block is taken out of its file (the file goes when nothing of the user's is left) —
/// each when unchanged since devgen wrote it; one changed by hand is a conflict
/// (`--force` removes it too); one already gone only leaves the lock.
fn dropped_outputs(
    rendered: &[Rendered],
    lock: &Lock,
    files: &impl Files,
    force: bool,
) -> Result<Vec<FilePlan>> {
    let mut dropped = Vec::new();
    for (path, entry) in &lock.files {
        if rendered.iter().any(|r| r.path == *path) {
            continue;
        }
        let current = files.read(path)?;
        let plan = match entry.ownership {
            Some(Ownership::Owned) => dropped_file(path, entry, current, force),
            Some(Ownership::Block) => dropped_block(path, entry, current, force)?,
            _ => continue,
        };
        dropped.push(FilePlan {
            dropped: true,
            ..plan
        });
    }
    Ok(dropped)
}

/// A file devgen wrote whole and no longer writes.
fn dropped_file(path: &str, entry: &LockEntry, current: Option<String>, force: bool) -> FilePlan {
    let unchanged = current
        .as_deref()
        .is_some_and(|text| entry.sha256.as_deref() == Some(digest(text).as_str()));
    let status = match &current {
        None => Status::InSync,
        Some(_) if unchanged || force => Status::Drift,
        Some(_) => Status::Conflict(format!(
            "devgen.toml no longer asks for this file, but it was {HAND_EDITED}; delete it yourself if it should go"
        )),
    };
    FilePlan {
        status,
        remove: true,
        ..FilePlan::new(path, Role::Output(Ownership::Owned), current, String::new())
    }
}

/// A block devgen wrote into a file of the user's and no longer writes: the file without
/// it, or no file when nothing else is in it.
fn dropped_block(
    path: &str,
    entry: &LockEntry,
    current: Option<String>,
    force: bool,
) -> Result<FilePlan> {
    let role = Role::Output(Ownership::Block);
    let Some(text) = current.as_deref() else {
        return Ok(FilePlan {
            status: Status::InSync,
            ..FilePlan::new(path, role, current, String::new())
        });
    };
    let Some((rest, inner)) = block::MARKERS.remove(path, text)? else {
        // The user took the block out already.
        return Ok(FilePlan {
            status: Status::InSync,
            ..FilePlan::new(path, role, current.clone(), text.to_string())
        });
    };
    let unchanged = entry.sha256.as_deref() == Some(digest(&crate::text::as_lf(&inner)).as_str());
    let status = if unchanged || force {
        Status::Drift
    } else {
        Status::Conflict(format!(
            "devgen.toml no longer asks for devgen's block here, but it was {HAND_EDITED}; delete the block yourself if it should go"
        ))
    };
    Ok(FilePlan {
        status,
        remove: rest.trim().is_empty(),
        ..FilePlan::new(path, role, current, rest)
    })
}

/// Decide the fate of one file, given its text on disk and what the lock says devgen wrote.
pub fn reconcile_file(
    r: &Rendered,
    current: Option<String>,
    locked: Option<&LockEntry>,
    force: bool,
) -> Result<FilePlan> {
    let decl = r.decl;
    let locked_sha = locked.and_then(|l| l.sha256.as_deref());
    let mut fp = FilePlan {
        executable: decl.executable,
        lock_entry: Some(LockEntry::hashed(decl.ownership, &r.content)),
        ..FilePlan::new(
            &r.path,
            Role::Output(decl.ownership),
            current,
            String::new(),
        )
    };
    let current = fp.current.as_deref();
    match decl.ownership {
        Ownership::Owned => {
            (fp.status, fp.desired) = whole_file(&r.content, current, locked_sha, force)
        }
        Ownership::Block => {
            (fp.status, fp.desired, fp.replaced) =
                block::plan(decl, &r.content, current, locked_sha, force)?
        }
        Ownership::Line => {
            (fp.status, fp.desired) = line::plan(&r.path, &r.content, decl.preamble, current)?
        }
        Ownership::Merged => merge::plan_file(&mut fp, r, locked, force)?,
    }
    Ok(fp)
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
