//! What every command that reads or writes the project does first: take the run lock, and
//! deal with what an interrupted run left ([`super::journal`]).
//!
//! - A command that writes (`sync`, `init`, `shared --write`; [`Access::Write`]) recovers:
//!   a journal in state `staging` is undone ([`roll_back`]: no target had been touched); a
//!   journal in state `commit` is finished ([`roll_forward`]: every temporary file still
//!   there is renamed into place). A target that changed after the interrupted run (its text
//!   no longer the one the run planned against) is kept as it is and its temporary file
//!   dropped, so no edit is lost; devgen.lock then says what devgen wrote, and the plan that
//!   follows treats the change as a hand edit.
//! - A command that only reads (`diff`, any `--dry-run`; [`Access::Read`]) changes
//!   nothing: after a `staging` journal the files are all as before, so it goes on with a
//!   note; after a `commit` journal they are half new, so it refuses (exit 2) and says to run
//!   `devgen sync`.
//!
//! The run lock keeps a live run from being taken for an interrupted one.

use std::fs;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use super::journal::{damaged, Entry, Journal, State, JOURNAL_FILE, JOURNAL_TEMP};
use super::root::{Access, ProjectRoot, RunLock};
use super::signals::Held;
use super::transaction::{finish, roll_back};
use crate::atomic;
use crate::error::{Error, Result};
use crate::output::{stream_error, Io};
use crate::reconcile::lock::digest;

/// Lock the project for a command, and for one that writes finish or undo an interrupted
/// run; one that only reads refuses a half-applied run.
pub fn open(root: &ProjectRoot, access: Access, io: &mut Io) -> Result<RunLock> {
    let lock = root.lock(access, io)?;
    match access {
        Access::Write => recover(root, io)?,
        Access::Read => refuse_half_applied(root, io)?,
    }
    Ok(lock)
}

/// Go on (with a note) after a run stopped while staging; refuse one stopped halfway.
fn refuse_half_applied(root: &ProjectRoot, io: &mut Io) -> Result<()> {
    match Journal::read(root)? {
        None => {}
        Some(j) if j.state == State::Staging => writeln!(
            io.err,
            "note: an earlier devgen run here was stopped before it changed any file; \
             the next `devgen sync` removes the temporary files it left"
        )
        .map_err(stream_error)?,
        Some(j) => return Err(half_applied(root, &j)),
    }
    Ok(())
}

/// Finish or undo the run a journal records, if any.
fn recover(root: &ProjectRoot, io: &mut Io) -> Result<()> {
    let Some(journal) = Journal::read(root)? else {
        // A journal that never made it into place: its run never staged a file.
        if fs::symlink_metadata(root.path().join(JOURNAL_TEMP)).is_ok() {
            Journal::remove(root)?;
        }
        return Ok(());
    };
    match journal.state {
        State::Staging => {
            roll_back(root, &journal)?;
            writeln!(
                io.err,
                "devgen: an earlier run here was stopped before it changed any file; removed the temporary files it left"
            )
            .map_err(stream_error)
        }
        State::Commit => {
            let held = Held::signals()?;
            let finished = roll_forward(root, &journal)?;
            drop(held);
            finished.report(io)
        }
    }
}

/// What finishing an interrupted run did.
struct Finished {
    /// Files renamed into place now.
    renamed: Vec<String>,
    /// Files changed after the run was stopped, left as they are.
    kept: Vec<String>,
}

/// Finish a run whose journal is in state `commit`: rename every temporary file still there
/// over its target, unless the target changed since the run planned against it.
fn roll_forward(root: &ProjectRoot, journal: &Journal) -> Result<Finished> {
    let mut finished = Finished {
        renamed: Vec::new(),
        kept: Vec::new(),
    };
    let mut targets = Vec::new();
    for entry in &journal.files {
        let target = root.resolve(&entry.path)?;
        if entry.remove {
            targets.push(target.clone());
            finish_removal(&target, entry, &mut finished)?;
            continue;
        }
        let temp = staged_file(root, &entry.path, entry.temp.as_deref(), &target)?;
        targets.push(target.clone());
        match fs::symlink_metadata(&temp) {
            // Renamed before the run was stopped.
            Err(e) if e.kind() == ErrorKind::NotFound => continue,
            Err(e) => return Err(Error::io("cannot inspect", &temp, e)),
            Ok(_) => {}
        }
        if unchanged(&target, &entry.path, entry.before.as_deref())? {
            fs::rename(&temp, &target).map_err(|e| {
                Error::io(
                    "cannot rename into place the new",
                    Path::new(&entry.path),
                    e,
                )
            })?;
            finished.renamed.push(entry.path.clone());
        } else {
            fs::remove_file(&temp).map_err(|e| Error::io("cannot remove", &temp, e))?;
            finished.kept.push(entry.path.clone());
        }
    }
    finish(root, &targets);
    Ok(finished)
}

/// A file the stopped run was removing: removed when it is still as the run found it, kept
/// (and reported) when it was changed since.
fn finish_removal(target: &Path, entry: &Entry, finished: &mut Finished) -> Result<()> {
    if fs::symlink_metadata(target).is_err() {
        return Ok(());
    }
    if unchanged(target, &entry.path, entry.before.as_deref())? {
        super::transaction::remove_target(target)
            .map_err(|e| Error::io("cannot remove", Path::new(&entry.path), e))?;
        finished.renamed.push(entry.path.clone());
    } else {
        finished.kept.push(entry.path.clone());
    }
    Ok(())
}

/// The staged file of `path` the journal names, checked to be one of devgen's temporary
/// files in the target's own directory (a journal never makes devgen rename anything else).
fn staged_file(
    root: &ProjectRoot,
    path: &str,
    temp: Option<&str>,
    target: &Path,
) -> Result<PathBuf> {
    let temp = temp.ok_or_else(|| damaged(root, &format!("{path} has no staged file")))?;
    let staged = root.resolve(temp)?;
    let name_ok = staged
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(atomic::is_temp_name);
    if !name_ok || staged.parent() != target.parent() {
        return Err(damaged(
            root,
            &format!("{temp} is not a devgen temporary file beside {path}"),
        ));
    }
    Ok(staged)
}

/// Whether `target` still holds the text the run planned against (`before`, a SHA-256;
/// `None`: it did not exist).
fn unchanged(target: &Path, path: &str, before: Option<&str>) -> Result<bool> {
    match fs::read(target) {
        Ok(bytes) => Ok(String::from_utf8(bytes)
            .ok()
            .is_some_and(|text| before == Some(digest(&text).as_str()))),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(before.is_none()),
        Err(e) => Err(Error::io("cannot read", Path::new(path), e)),
    }
}

impl Finished {
    fn report(&self, io: &mut Io) -> Result<()> {
        if !self.renamed.is_empty() {
            writeln!(
                io.err,
                "devgen: finished an earlier run that was stopped halfway: renamed into place {}",
                self.renamed.join(", ")
            )
            .map_err(stream_error)?;
        }
        if !self.kept.is_empty() {
            writeln!(
                io.err,
                "warning: {} changed after the earlier run was stopped, so devgen left {} as {} and did not finish writing {}\n  \
                 = help: what follows treats the change as an edit by hand",
                self.kept.join(", "),
                if self.kept.len() == 1 { "it" } else { "them" },
                if self.kept.len() == 1 { "it is" } else { "they are" },
                if self.kept.len() == 1 { "it" } else { "them" },
            )
            .map_err(stream_error)?;
        }
        Ok(())
    }
}

/// A read-only command finds a run stopped between its renames.
fn half_applied(root: &ProjectRoot, journal: &Journal) -> Error {
    let files: Vec<&str> = journal.files.iter().map(|f| f.path.as_str()).collect();
    Error::Usage(format!(
        "an earlier devgen run in {} was stopped while it renamed its files into place, so some of \
         {} are new and the others old ({JOURNAL_FILE} records the run); devgen will not vouch for them\n  \
         = help: run `devgen sync` to finish the interrupted run, then run this command again",
        root.path().display(),
        files.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::transaction::{commit, Change};

    /// A project where a run of `a` → "new" and `b` → "new" was stopped after `a`'s rename
    /// (made so by `b` being a directory when the run renamed).
    fn stopped_halfway() -> (tempfile::TempDir, ProjectRoot) {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("a"), "old").unwrap();
        fs::create_dir(dir.path().join("b")).unwrap();
        let change = |path, before| Change {
            path,
            content: "new",
            executable: false,
            before,
            remove: false,
        };
        let held = Held::signals().unwrap();
        commit(&root, &[change("a", Some("old")), change("b", None)], &held).unwrap_err();
        fs::remove_dir(dir.path().join("b")).unwrap();
        (dir, root)
    }

    fn run(f: impl FnOnce(&mut Io) -> Result<RunLock>) -> (Result<RunLock>, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let result = f(&mut Io {
            out: &mut out,
            err: &mut err,
        });
        (result, String::from_utf8(err).unwrap())
    }

    #[test]
    fn a_run_stopped_halfway_is_refused_by_readers_and_finished_by_writers() {
        let (dir, root) = stopped_halfway();
        let (read, _) = run(|io| open(&root, Access::Read, io));
        let err = read.err().unwrap().to_string();
        assert!(
            err.contains("some of a, b are new and the others old"),
            "{err}"
        );

        let (write, note) = run(|io| open(&root, Access::Write, io));
        write.unwrap();
        assert!(note.contains("renamed into place b"), "{note}");
        for f in ["a", "b"] {
            assert_eq!(fs::read_to_string(dir.path().join(f)).unwrap(), "new");
        }
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no journal, no temps"
        );
    }

    #[test]
    fn a_file_changed_after_the_run_stopped_is_kept() {
        let (dir, root) = stopped_halfway();
        fs::write(dir.path().join("b"), "mine").unwrap();

        let (write, note) = run(|io| open(&root, Access::Write, io));
        write.unwrap();

        assert!(
            note.contains("warning: b changed after the earlier run was stopped"),
            "{note}"
        );
        assert_eq!(fs::read_to_string(dir.path().join("b")).unwrap(), "mine");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            2,
            "no journal, no temps"
        );
    }

    #[test]
    fn a_journal_cannot_make_devgen_rename_a_file_that_is_not_its_own() {
        let (dir, root) = stopped_halfway();
        let text = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
        let temp = Journal::read(&root).unwrap().unwrap().files[1]
            .temp
            .clone()
            .unwrap();
        fs::write(dir.path().join(JOURNAL_FILE), text.replace(&temp, "a")).unwrap();
        let (write, _) = run(|io| open(&root, Access::Write, io));
        let err = write.err().unwrap().to_string();
        assert!(
            err.contains("a is not a devgen temporary file beside b"),
            "{err}"
        );
    }
}
