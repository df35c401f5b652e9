//! `devgen registry list|release|gc`: show the machine registry, forget a checkout, and
//! drop the checkouts whose directory is gone.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::{default_path, Entry, Locked, Registry};
use crate::output::{stream_error, Format, Io};
use crate::project::find_root;

#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    /// Whether the root directory still exists (`gc` drops the entries where it does not).
    root_exists: bool,
}

#[derive(Serialize)]
struct JsonList<'a> {
    registry: &'a Path,
    entries: Vec<JsonEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared_postgres: Option<String>,
}

/// `devgen registry list`: every registered checkout, as a table or JSON.
pub fn list(format: Format, io: &mut Io) -> Result<Outcome> {
    let path = default_path()?;
    let reg = Registry::load(&path)?;
    let mut entries: Vec<&Entry> = reg.entries().iter().collect();
    entries.sort_by(|a, b| a.ip.cmp(&b.ip).then(a.root.cmp(&b.root)));
    match format {
        Format::Json => {
            let list = JsonList {
                registry: &path,
                entries: entries
                    .iter()
                    .map(|e| JsonEntry {
                        entry: e,
                        root_exists: e.root.is_dir(),
                    })
                    .collect(),
                shared_postgres: reg.shared_postgres().map(|a| a.to_string()),
            };
            io.json(&list)?;
        }
        Format::Text => {
            if entries.is_empty() {
                writeln!(
                    io.err,
                    "no projects in the machine registry {}\n  = help: `devgen init` in a project registers it",
                    path.display()
                )
                .map_err(stream_error)?;
                return Ok(Outcome::Success);
            }
            let mut rows = vec![[
                "NAME".to_string(),
                "IP".to_string(),
                "HOST".to_string(),
                "PHOENIX".to_string(),
                "POSTGRES".to_string(),
                "LIVE_DEBUGGER".to_string(),
                "ROOT".to_string(),
            ]];
            for e in &entries {
                let mut root = e.root.display().to_string();
                if let Some(of) = &e.worktree_of {
                    root.push_str(&format!(" (worktree of {})", of.display()));
                }
                if !e.root.is_dir() {
                    root.push_str(" (gone)");
                }
                rows.push([
                    e.name.clone(),
                    e.ip.to_string(),
                    e.host.clone(),
                    e.ports.phoenix.to_string(),
                    e.ports
                        .postgres
                        .map_or("shared".to_string(), |p| p.to_string()),
                    e.ports
                        .live_debugger
                        .map_or("off".to_string(), |p| p.to_string()),
                    root,
                ]);
            }
            write_table(io.out, &rows).map_err(stream_error)?;
            if let Some(pg) = reg.shared_postgres() {
                writeln!(io.out, "\nshared PostgreSQL: {pg}").map_err(stream_error)?;
            }
        }
    }
    Ok(Outcome::Success)
}

/// Columns padded to their widest cell; the last one is not padded.
fn write_table<const N: usize>(out: &mut dyn Write, rows: &[[String; N]]) -> std::io::Result<()> {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `devgen registry release [PATH]`: forget a checkout (default: the project around `dir`).
pub fn release(dir: &Path, path: Option<&Path>, io: &mut Io) -> Result<Outcome> {
    let root = match path {
        Some(p) => absolute(&dir.join(p))?,
        None => match find_root(dir) {
            Ok(root) => root.path().to_path_buf(),
            Err(_) => absolute(dir)?,
        },
    };
    let mut locked = Locked::acquire(&default_path()?)?;
    match locked.registry_mut().remove(&root) {
        Some(e) => {
            locked.save()?;
            writeln!(
                io.err,
                "released {} ({}); {} is free for another project",
                e.describe(),
                e.ip,
                e.ip
            )
            .map_err(stream_error)?;
        }
        None => {
            writeln!(
                io.err,
                "{} is not in the machine registry {}; nothing to release\n  = help: `devgen registry list` shows what is",
                root.display(),
                locked.registry().path().display()
            )
            .map_err(stream_error)?;
        }
    }
    Ok(Outcome::Success)
}

/// A path as the registry holds it: canonical when it exists, else made absolute.
fn absolute(p: &Path) -> Result<PathBuf> {
    match std::fs::canonicalize(p) {
        Ok(c) => Ok(c),
        Err(_) => std::path::absolute(p)
            .map_err(|e| Error::io("cannot read the current directory for", p, e)),
    }
}

/// `devgen registry gc`: drop every entry whose root directory is gone.
pub fn gc(io: &mut Io) -> Result<Outcome> {
    let mut locked = Locked::acquire(&default_path()?)?;
    let gone: Vec<PathBuf> = locked
        .registry()
        .entries()
        .iter()
        .filter(|e| !e.root.is_dir())
        .map(|e| e.root.clone())
        .collect();
    let mut dropped = Vec::new();
    for root in &gone {
        dropped.extend(locked.registry_mut().remove(root));
    }
    locked.save()?;
    if dropped.is_empty() {
        writeln!(
            io.err,
            "nothing to drop: every root in {} exists",
            locked.registry().path().display()
        )
        .map_err(stream_error)?;
    }
    for e in &dropped {
        writeln!(io.out, "dropped {} {} {}", e.name, e.ip, e.root.display())
            .map_err(stream_error)?;
    }
    if !dropped.is_empty() {
        writeln!(
            io.err,
            "devgen registry gc: dropped {} entr{} whose directory is gone",
            dropped.len(),
            if dropped.len() == 1 { "y" } else { "ies" }
        )
        .map_err(stream_error)?;
    }
    Ok(Outcome::Success)
}
