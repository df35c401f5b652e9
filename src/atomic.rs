//! The one way devgen replaces a file: a temporary file in the same directory is written,
//! given its mode, synced to disk, then renamed over the target. A reader (or a crash) sees
//! the old file or the new one, never half of either. Project files, the machine registry
//! and the host's network files all go through here; a project run stages all of its files
//! first ([`stage`]) and renames them together (`project::transaction`).

use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use tempfile::TempPath;

/// How devgen's temporary files are named: `.devgen-<random>.tmp`, so that a run can tell
/// its own leftovers from anything else in a directory.
pub const TEMP_PREFIX: &str = ".devgen-";
pub const TEMP_SUFFIX: &str = ".tmp";

/// Replace `path` with `content`, which ends up with permission bits `mode`. The directory
/// must exist. The temporary file is removed again when anything fails.
pub fn write(path: &Path, content: &[u8], mode: u32) -> io::Result<()> {
    stage(path, content, mode)?
        .persist(path)
        .map_err(|e| e.error)
}

/// Write `content` with permission bits `mode` into a new temporary file beside `path`,
/// synced to disk, and hand it back unrenamed. The file is removed when the returned path
/// is dropped (or when anything here fails), unless it is renamed or kept first.
pub fn stage(path: &Path, content: &[u8], mode: u32) -> io::Result<TempPath> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .tempfile_in(dir)?;
    tmp.write_all(content)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))?;
    tmp.as_file().sync_all()?;
    Ok(tmp.into_temp_path())
}

/// Whether `name` is the name of one of devgen's temporary files.
pub fn is_temp_name(name: &str) -> bool {
    name.len() > TEMP_PREFIX.len() + TEMP_SUFFIX.len()
        && name.starts_with(TEMP_PREFIX)
        && name.ends_with(TEMP_SUFFIX)
        && !name.contains('/')
}

/// Sync a directory, so that the renames and removals in it survive a crash.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_file_with_its_mode_and_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        fs::write(&path, "old").unwrap();
        write(&path, b"new", 0o600).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o7777;
        assert_eq!(mode, 0o600);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_staged_file_is_a_devgen_temp_beside_its_target_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let staged = stage(&dir.path().join("f"), b"new", 0o644).unwrap();
        let name = staged.file_name().unwrap().to_str().unwrap().to_string();
        assert!(is_temp_name(&name), "{name}");
        assert_eq!(staged.parent(), Some(dir.path()));
        drop(staged);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn only_devgen_temp_names_are_taken_for_its_own() {
        assert!(is_temp_name(".devgen-a1B2c3.tmp"));
        for name in [
            ".devgen-.tmp",
            "devgen-x.tmp",
            ".devgen-x.nix",
            ".devgen-journal",
            "x/.devgen-y.tmp",
        ] {
            assert!(!is_temp_name(name), "{name}");
        }
    }
}
