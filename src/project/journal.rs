//! `.devgen-journal`: what a run in progress is doing to the project, so that the next run
//! can finish it or undo it after a crash, `kill -9` or power loss.
//!
//! A run writes the journal twice, each time atomically (a fixed temporary name, synced, then
//! renamed, then the directory synced):
//!
//! 1. `state = "staging"` before the first temporary file is made: the files to change (each
//!    with the SHA-256 of its text when the plan was made, `before`) and the directories the
//!    run creates. Nothing has been renamed yet, so the next run undoes it.
//! 2. `state = "commit"` once every temporary file is written and synced, each entry now
//!    naming its `temp`. Only then does the first rename happen, so the next run finishes it.
//!
//! The run removes the journal once the last rename is done (or once staging is undone).

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::root::ProjectRoot;
use crate::atomic;
use crate::error::{Error, Result};

/// The journal's name in the project root.
pub const JOURNAL_FILE: &str = ".devgen-journal";
/// Where the journal is written before it is renamed into place; a fixed name, so that the
/// next run finds it even when no journal made it into place.
pub const JOURNAL_TEMP: &str = ".devgen-journal.tmp";
const VERSION: u32 = 1;
const HEADER: &str = "# .devgen-journal: a devgen run changing this project. If no devgen is running here, the\n\
                      # next devgen command in this project finishes the run (state = \"commit\") or undoes it\n\
                      # (state = \"staging\"). Written by devgen; do not edit or delete it.\n";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Journal {
    pub version: u32,
    pub state: State,
    /// Directories the run creates, relative to the root, parents before children.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub created: Vec<String>,
    /// The files the run changes, in the order it renames them (devgen.lock last).
    #[serde(default)]
    pub files: Vec<Entry>,
}

/// How far a run got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Temporary files are being written; no target has been touched.
    Staging,
    /// Every temporary file is written and synced; they are being renamed over the targets.
    Commit,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The file, as the plan names it (relative to the root).
    pub path: String,
    /// SHA-256 of its text when the plan was made; `None`: it did not exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
    /// The staged temporary file, relative to the root, in the target's directory (set once
    /// the state is `commit`); none for a file the run removes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temp: Option<String>,
    /// The run removes the file rather than replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub remove: bool,
}

impl Journal {
    /// The journal of a run about to stage `files`, creating the directories `created`.
    pub fn staging(files: Vec<Entry>, created: Vec<String>) -> Journal {
        Journal {
            version: VERSION,
            state: State::Staging,
            created,
            files,
        }
    }

    /// The project's journal, if a run left one.
    pub fn read(root: &ProjectRoot) -> Result<Option<Journal>> {
        let path = root.path().join(JOURNAL_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io("cannot read", Path::new(JOURNAL_FILE), e)),
        };
        let journal: Journal =
            toml_edit::de::from_str(&text).map_err(|e| damaged(root, e.message().trim_end()))?;
        if journal.version != VERSION {
            return Err(damaged(
                root,
                &format!(
                    "it has version {}, this devgen reads version {VERSION}",
                    journal.version
                ),
            ));
        }
        Ok(Some(journal))
    }

    /// Write the journal atomically and durably: once this returns, a crash leaves this
    /// journal in place.
    pub fn write(&self, root: &ProjectRoot) -> Result<()> {
        let body = toml_edit::ser::to_string_pretty(self).expect("the journal always serializes");
        let temp = root.path().join(JOURNAL_TEMP);
        let written = (|| {
            let mut file = fs::File::create(&temp)?;
            file.write_all(HEADER.as_bytes())?;
            file.write_all(body.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp, root.path().join(JOURNAL_FILE))?;
            atomic::sync_dir(root.path())
        })();
        written.map_err(|e| {
            let _ = fs::remove_file(&temp);
            Error::io("cannot write", Path::new(JOURNAL_FILE), e)
        })
    }

    /// Remove the journal (and a journal that never made it into place): the run is over.
    pub fn remove(root: &ProjectRoot) -> Result<()> {
        for name in [JOURNAL_TEMP, JOURNAL_FILE] {
            match fs::remove_file(root.path().join(name)) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("cannot remove", Path::new(name), e)),
            }
        }
        atomic::sync_dir(root.path()).map_err(|e| Error::io("cannot sync", root.path(), e))
    }
}

/// A journal devgen cannot read: it cannot tell how far that run got.
pub fn damaged(root: &ProjectRoot, why: &str) -> Error {
    Error::Usage(format!(
        "{JOURNAL_FILE} in {} is damaged ({why}), so devgen cannot tell how far the interrupted run it records got\n  \
         = help: check the files it lists against git (`git status`), restore what is half changed, then delete \
         {JOURNAL_FILE} and the .devgen-*.tmp files beside the files it lists, and run `devgen sync`",
        root.path().display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, before: Option<&str>, temp: Option<&str>) -> Entry {
        Entry {
            path: path.into(),
            before: before.map(Into::into),
            temp: temp.map(Into::into),
            remove: false,
        }
    }

    #[test]
    fn round_trips_through_the_file_and_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        assert_eq!(Journal::read(&root).unwrap(), None);
        let mut journal = Journal::staging(
            vec![
                entry("devenv.nix", Some("ab"), None),
                entry("scripts/restart-phoenix", None, None),
            ],
            vec!["scripts".into()],
        );
        journal.write(&root).unwrap();
        assert_eq!(Journal::read(&root).unwrap().as_ref(), Some(&journal));
        journal.state = State::Commit;
        journal.files[0].temp = Some(".devgen-x.tmp".into());
        journal.write(&root).unwrap();
        let text = fs::read_to_string(dir.path().join(JOURNAL_FILE)).unwrap();
        assert!(text.starts_with(HEADER), "{text}");
        assert!(text.contains("state = \"commit\""), "{text}");
        assert_eq!(Journal::read(&root).unwrap(), Some(journal));
        Journal::remove(&root).unwrap();
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_journal_it_cannot_read_is_an_error_with_the_way_out() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join(JOURNAL_FILE), "state = \"half\"\n").unwrap();
        let err = Journal::read(&root).unwrap_err().to_string();
        assert!(err.contains(".devgen-journal in "), "{err}");
        assert!(err.contains("then delete .devgen-journal"), "{err}");
    }
}
