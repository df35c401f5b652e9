//! A run's changes as one transaction: every changed file staged as a temporary file beside
//! its target, then all of them renamed into place, with the journal
//! ([`super::journal`]) saying at each moment which way a crash is recovered.
//!
//! 1. The journal is written in state `staging`, listing the files and the directories the
//!    run creates.
//! 2. Every file is staged: its directory created if missing, a `.devgen-*.tmp` file written
//!    with its content and mode, synced. An executable-bit-only change is staged the same
//!    way, a copy with the new mode. Any error here undoes the run ([`roll_back`]): the
//!    temporary files, the directories it created (if empty) and the journal go, and no
//!    target has been touched.
//! 3. The journal is rewritten in state `commit`, naming each temporary file.
//! 4. Each temporary file is renamed over its target, in plan order (devgen.lock last); the
//!    directories are synced and the journal removed.
//!
//! The caller holds the ending signals off throughout ([`Held`]), so Ctrl-C never cuts a run
//! in two; SIGKILL or a crash can, and the next run recovers ([`super::recovery`]).

use std::collections::BTreeSet;
use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use tempfile::TempPath;

use super::journal::{Entry, Journal};
use super::root::{mode_to_write, ProjectRoot};
use super::signals::Held;
use crate::atomic;
use crate::error::{Error, Result};
use crate::reconcile::lock::digest;

/// One file of a run: what it becomes.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a> {
    /// Relative to the project root.
    pub path: &'a str,
    pub content: &'a str,
    pub executable: bool,
    /// Its text when the plan was made (`None`: it does not exist).
    pub before: Option<&'a str>,
    /// The file goes instead (a file devgen wrote and no target writes any more):
    /// nothing is staged for it, and it is removed where the others are renamed.
    pub remove: bool,
}

/// Apply `changes` all together or not at all. Signals are held by the caller (`_held`).
pub fn commit(root: &ProjectRoot, changes: &[Change], _held: &Held) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let targets = changes
        .iter()
        .map(|c| root.resolve(c.path))
        .collect::<Result<Vec<_>>>()?;
    let written: Vec<PathBuf> = changes
        .iter()
        .zip(&targets)
        .filter(|(c, _)| !c.remove)
        .map(|(_, t)| t.clone())
        .collect();
    let mut journal = Journal::staging(entries(changes), missing_dirs(root, &written));
    journal.write(root)?;
    let staged = match stage_all(root, changes, &targets) {
        Ok(staged) => staged,
        Err(e) => return Err(undone(root, &journal, e)),
    };
    for (entry, temp) in journal.files.iter_mut().zip(&staged) {
        entry.temp = temp.as_ref().map(|t| root.relative(t));
    }
    journal.state = super::journal::State::Commit;
    if let Err(e) = journal.write(root) {
        drop(staged);
        return Err(undone(root, &journal, e));
    }
    // From here on the journal says "finish this run", so the temporary files must stay
    // even when a rename fails: the next run renames what is left.
    let temps: Vec<Option<PathBuf>> = staged.into_iter().map(|t| t.map(keep)).collect();
    for ((change, temp), target) in changes.iter().zip(&temps).zip(&targets) {
        match temp {
            Some(temp) => fs::rename(temp, target).map_err(|e| half_done(change.path, e))?,
            None => remove_target(target).map_err(|e| half_done(change.path, e))?,
        }
    }
    finish(root, &targets);
    Ok(())
}

/// The journal's entries for `changes`.
fn entries(changes: &[Change]) -> Vec<Entry> {
    changes
        .iter()
        .map(|c| Entry {
            path: c.path.to_string(),
            before: c.before.map(digest),
            temp: None,
            remove: c.remove,
        })
        .collect()
}

/// The directories the run must create for `targets`, relative to the root, parents first.
fn missing_dirs(root: &ProjectRoot, targets: &[PathBuf]) -> Vec<String> {
    let mut missing = BTreeSet::new();
    for target in targets {
        let mut dir = target.parent();
        while let Some(d) = dir.filter(|d| d.starts_with(root.path()) && *d != root.path()) {
            if fs::symlink_metadata(d).is_ok() {
                break;
            }
            missing.insert(root.relative(d));
            dir = d.parent();
        }
    }
    // "a" sorts before "a/b": parents come first.
    missing.into_iter().collect()
}

/// Stage every change (none for a removal); on an error the files staged so far are
/// removed (dropped).
fn stage_all(
    root: &ProjectRoot,
    changes: &[Change],
    targets: &[PathBuf],
) -> Result<Vec<Option<TempPath>>> {
    changes
        .iter()
        .zip(targets)
        .map(|(c, target)| match c.remove {
            true => Ok(None),
            false => stage(root, c, target).map(Some),
        })
        .collect()
}

/// Remove a file the run drops; one already gone is fine.
pub fn remove_target(target: &Path) -> std::io::Result<()> {
    match fs::remove_file(target) {
        Err(e) if e.kind() != ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Write `change` into a synced temporary file beside `target`.
fn stage(root: &ProjectRoot, change: &Change, target: &Path) -> Result<TempPath> {
    let rel = Path::new(change.path);
    let dir = target.parent().expect("a resolved path has a parent");
    fs::create_dir_all(dir).map_err(|e| Error::io("cannot create directory for", rel, e))?;
    // Re-resolve: creating directories must not have changed where the path leads.
    if root.resolve(change.path)? != target {
        return Err(Error::Unsafe(format!(
            "{}: the path changed while devgen was writing it",
            change.path
        )));
    }
    let mode = mode_to_write(target, change.executable);
    atomic::stage(target, change.content.as_bytes(), mode)
        .map_err(|e| Error::io("cannot write", rel, e))
}

/// Keep a staged file past its `TempPath`.
fn keep(temp: TempPath) -> PathBuf {
    let path = temp.to_path_buf();
    // `keep` only disarms the removal on drop; it cannot fail on Unix.
    temp.keep().unwrap_or(path)
}

/// Undo a run that failed while staging and hand back why it failed. Should undoing fail
/// too, the journal stays in state `staging` and the next run undoes the rest.
fn undone(root: &ProjectRoot, journal: &Journal, error: Error) -> Error {
    let _ = roll_back(root, journal);
    error
}

/// Undo a run that had not finished staging: remove devgen's temporary files from the
/// directories of its files, the directories it created (when empty, children first), and
/// the journal. No target was touched, so this is all there is to undo.
pub fn roll_back(root: &ProjectRoot, journal: &Journal) -> Result<()> {
    let mut dirs = BTreeSet::new();
    for entry in &journal.files {
        if let Some(dir) = root.resolve(&entry.path)?.parent() {
            dirs.insert(dir.to_path_buf());
        }
    }
    for dir in &dirs {
        remove_temps_in(dir)?;
    }
    for created in journal.created.iter().rev() {
        // Only if empty: anything else in it is not devgen's to remove.
        let _ = fs::remove_dir(root.resolve(created)?);
    }
    Journal::remove(root)
}

/// Remove every `.devgen-*.tmp` file in `dir` (a directory that may not exist).
fn remove_temps_in(dir: &Path) -> Result<()> {
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io("cannot read directory", dir, e)),
    };
    for item in listing {
        let item = item.map_err(|e| Error::io("cannot read directory", dir, e))?;
        let is_ours = item.file_name().to_str().is_some_and(atomic::is_temp_name);
        if is_ours && item.file_type().is_ok_and(|t| t.is_file()) {
            fs::remove_file(item.path())
                .map_err(|e| Error::io("cannot remove", &item.path(), e))?;
        }
    }
    Ok(())
}

/// After the last rename: make the renames durable, then end the run by removing the
/// journal. Failing here changes nothing the user sees (every file is already new), and the
/// next run removes a journal left behind, so errors are not reported.
pub fn finish(root: &ProjectRoot, targets: &[PathBuf]) {
    let dirs: BTreeSet<&Path> = targets.iter().filter_map(|t| t.parent()).collect();
    for dir in dirs {
        let _ = atomic::sync_dir(dir);
    }
    let _ = Journal::remove(root);
}

/// A rename that failed after others succeeded: the run is half applied until the next
/// run finishes it.
fn half_done(path: &str, e: std::io::Error) -> Error {
    Error::Io {
        action: "cannot rename into place the new",
        path: path.to_string(),
        source: e,
        help: format!(
            "part of this run is applied and the rest is staged beside its files ({}); fix the \
             cause, then run `devgen sync`, which first finishes this run",
            super::journal::JOURNAL_FILE
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::journal::{State, JOURNAL_FILE};

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = walk(dir, dir);
        names.sort();
        names
    }

    fn walk(base: &Path, dir: &Path) -> Vec<String> {
        let mut out = Vec::new();
        for item in fs::read_dir(dir).unwrap() {
            let path = item.unwrap().path();
            out.push(path.strip_prefix(base).unwrap().display().to_string());
            if path.is_dir() {
                out.extend(walk(base, &path));
            }
        }
        out
    }

    fn change<'a>(path: &'a str, content: &'a str, before: Option<&'a str>) -> Change<'a> {
        Change {
            path,
            content,
            executable: false,
            before,
            remove: false,
        }
    }

    #[test]
    fn every_file_is_written_and_nothing_else_is_left() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("a"), "old").unwrap();
        let held = Held::signals().unwrap();
        commit(
            &root,
            &[change("a", "new", Some("old")), change("s/b/c", "c", None)],
            &held,
        )
        .unwrap();
        assert_eq!(listing(dir.path()), ["a", "s", "s/b", "s/b/c"]);
        assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), "new");
    }

    #[test]
    fn a_removal_goes_with_the_writes_and_stages_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("a"), "old").unwrap();
        fs::write(dir.path().join("gone"), "devgen's").unwrap();
        let removal = Change {
            remove: true,
            ..change("gone", "", Some("devgen's"))
        };
        let held = Held::signals().unwrap();
        commit(&root, &[change("a", "new", Some("old")), removal], &held).unwrap();
        assert_eq!(listing(dir.path()), ["a"]);
        let journal = Journal::staging(entries(&[removal]), Vec::new());
        assert!(journal.files[0].remove && journal.files[0].temp.is_none());
    }

    #[test]
    fn an_execute_bit_is_staged_like_content() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("s"), "#!/bin/sh\n").unwrap();
        fs::set_permissions(dir.path().join("s"), fs::Permissions::from_mode(0o640)).unwrap();
        let script = Change {
            executable: true,
            ..change("s", "#!/bin/sh\n", Some("#!/bin/sh\n"))
        };
        commit(&root, &[script], &Held::signals().unwrap()).unwrap();
        let mode = fs::metadata(dir.path().join("s"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o750);
    }

    #[test]
    fn undoing_staging_removes_temps_created_directories_and_the_journal() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("a"), "old").unwrap();
        let changes = [change("a", "new", Some("old")), change("s/b/c", "c", None)];
        let targets: Vec<PathBuf> = changes
            .iter()
            .map(|c| root.resolve(c.path).unwrap())
            .collect();
        let journal = Journal::staging(entries(&changes), missing_dirs(&root, &targets));
        assert_eq!(journal.created, ["s", "s/b"]);
        journal.write(&root).unwrap();
        // What a run killed while staging leaves: its temporary files, kept.
        let staged = stage_all(&root, &changes, &targets).unwrap();
        staged.into_iter().flatten().for_each(|t| drop(keep(t)));
        assert_eq!(listing(dir.path()).len(), 6, "{:?}", listing(dir.path()));

        roll_back(&root, &journal).unwrap();

        assert_eq!(listing(dir.path()), ["a"]);
        assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), "old");
    }

    #[test]
    fn a_rename_that_fails_leaves_the_run_for_the_next_one_to_finish() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::create_dir(dir.path().join("b")).unwrap();
        let held = Held::signals().unwrap();
        // "b" is a directory, so renaming a file over it fails after "a" was renamed.
        let err = commit(
            &root,
            &[change("a", "new", None), change("b", "new", None)],
            &held,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("cannot rename into place the new b"), "{err}");
        assert!(
            err.contains("run `devgen sync`, which first finishes this run"),
            "{err}"
        );
        let journal = Journal::read(&root).unwrap().unwrap();
        assert_eq!(journal.state, State::Commit);
        assert!(dir.path().join(JOURNAL_FILE).is_file());
        assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), "new");
    }
}
