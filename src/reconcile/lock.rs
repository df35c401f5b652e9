//! `devgen.lock`: what devgen last wrote, per file. It is the base that tells a spec change
//! (the file still holds what devgen wrote: update it) from a hand edit (it doesn't: a
//! conflict). Committed with the project, written with toml_edit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;
use crate::render::Ownership;

pub const LOCK_FILE: &str = "devgen.lock";
const VERSION: u32 = 1;
const HEADER: &str =
    "# devgen.lock: what devgen last wrote, so that it can tell your edits from spec changes.\n\
                      # Commit it with the files it describes. Written by devgen; do not edit.\n";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lock {
    pub version: u32,
    #[serde(default)]
    pub files: BTreeMap<String, LockEntry>,
}

/// What devgen wrote into one file: the ownership mode, and either the SHA-256 of the part
/// it owns (the whole file, the block between the markers, the ensured line) or, for a
/// merged Nix file, the value of each attribute path and the elements of each list it owns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LockEntry {
    /// `None`: a mode this devgen does not know (a hand edit, a newer devgen); the entry is
    /// still read, and the next write records the mode again.
    #[serde(
        default,
        deserialize_with = "known_or_none",
        skip_serializing_if = "Option::is_none"
    )]
    pub ownership: Option<Ownership>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Attribute path (as Nix writes it) → the expression devgen wrote there.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    /// Attribute path of a list → the elements devgen put in it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub elements: BTreeMap<String, Vec<String>>,
}

impl LockEntry {
    /// An entry recording the hash of the part devgen owns.
    pub fn hashed(ownership: Ownership, owned_text: &str) -> Self {
        LockEntry {
            ownership: Some(ownership),
            sha256: Some(digest(owned_text)),
            values: BTreeMap::new(),
            elements: BTreeMap::new(),
        }
    }

    /// An empty entry of a merged file, to record values and elements in.
    pub fn merged() -> Self {
        LockEntry {
            ownership: Some(Ownership::Merged),
            sha256: None,
            values: BTreeMap::new(),
            elements: BTreeMap::new(),
        }
    }
}

impl Lock {
    pub fn new() -> Self {
        Lock {
            version: VERSION,
            files: BTreeMap::new(),
        }
    }

    pub fn parse(text: &str) -> Result<Lock, Box<Diagnostic>> {
        let lock: Lock = toml_edit::de::from_str(text).map_err(|e| {
            Box::new(
                Diagnostic::new(LOCK_FILE, text, e.span().unwrap_or(0..0), format!("invalid lock file: {}", e.message().trim_end()))
                    .with_help("devgen.lock is written by devgen; restore it from git, or delete it and run `devgen sync --force`"),
            )
        })?;
        if lock.version != VERSION {
            let span = text.find("version").map(|i| i..i + 7).unwrap_or(0..0);
            return Err(Box::new(
                Diagnostic::new(LOCK_FILE, text, span, format!("devgen.lock has version {}, this devgen reads version {VERSION}", lock.version))
                    .with_help("use the devgen release that wrote it, or delete the lock and run `devgen sync --force`"),
            ));
        }
        Ok(lock)
    }

    pub fn render(&self) -> String {
        let body = toml_edit::ser::to_string_pretty(self).expect("the lock always serializes");
        format!("{HEADER}{body}")
    }
}

/// An ownership mode devgen knows, or `None` for any other string.
fn known_or_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Ownership>, D::Error> {
    let name = String::deserialize(d)?;
    Ok(Ownership::deserialize(serde::de::value::StrDeserializer::<D::Error>::new(&name)).ok())
}

/// Hex SHA-256 of a text.
pub fn digest(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let mut lock = Lock::new();
        lock.files.insert(
            "config/dev.exs".into(),
            LockEntry::hashed(Ownership::Line, "x"),
        );
        let mut merged = LockEntry::merged();
        merged
            .values
            .insert("services.postgres.port".into(), "5432".into());
        merged
            .values
            .insert("env.\"MY.VAR\"".into(), "\"x\"".into());
        merged
            .elements
            .insert("packages".into(), vec!["pkgs.tmux".into()]);
        lock.files.insert("devenv.nix".into(), merged);
        let text = lock.render();
        assert!(text.starts_with("# devgen.lock"));
        assert_eq!(Lock::parse(&text).unwrap(), lock);
    }

    #[test]
    fn an_unknown_ownership_is_read_and_written_again() {
        let text = "version = 1\n[files.Procfile]\nownership = \"Owned\"\nsha256 = \"ab\"\n";
        let lock = Lock::parse(text).unwrap();
        assert_eq!(lock.files["Procfile"].ownership, None);
        assert_eq!(Lock::parse(&lock.render()).unwrap(), lock);
    }

    #[test]
    fn refuses_other_versions() {
        let err = Lock::parse("version = 9\n").unwrap_err();
        assert_eq!(err.location(), "devgen.lock:1:1");
    }
}
