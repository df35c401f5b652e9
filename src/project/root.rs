//! The project directory as devgen may touch it: paths resolved inside the root only, and
//! writes that are atomic ([`crate::atomic`]) and keep the file's mode. Nothing outside the
//! project root is ever read for writing or written, and no symlink is followed out of it.
//! Also: the run lock that keeps two devgen runs in one project apart, finding the project a
//! directory belongs to, and reading its spec.

use std::fs::{self, TryLockError};
use std::io::ErrorKind;
use std::os::unix::fs::PermissionsExt;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::output::{stream_error, Io};
use crate::reconcile::Files;
use crate::spec::SPEC_FILE;

/// The project root, canonicalized.
#[derive(Debug, Clone)]
pub struct ProjectRoot {
    root: PathBuf,
}

impl ProjectRoot {
    pub fn open(dir: &Path) -> Result<Self> {
        let root = fs::canonicalize(dir)
            .map_err(|e| Error::io("cannot open project directory", dir, e))?;
        if !root.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a directory",
                dir.display()
            )));
        }
        Ok(ProjectRoot { root })
    }

    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The real path of `rel` inside the root. Refuses absolute paths, `..`, and symlinks
    /// (at any level) that lead outside the root; a symlink that stays inside is followed,
    /// so writing through it keeps the link.
    pub fn resolve(&self, rel: &str) -> Result<PathBuf> {
        let rel_path = Path::new(rel);
        if rel_path.is_absolute()
            || rel_path
                .components()
                .any(|c| !matches!(c, Component::Normal(_)))
        {
            return Err(Error::Unsafe(format!(
                "{rel}: devgen only writes plain relative paths inside the project (no '..', no absolute paths)"
            )));
        }
        let mut cur = self.root.clone();
        for comp in rel_path.components() {
            cur.push(comp);
            match fs::symlink_metadata(&cur) {
                Ok(meta) if meta.file_type().is_symlink() => {
                    let target = fs::canonicalize(&cur).map_err(|_| {
                        Error::Unsafe(format!(
                            "{rel}: {} is a symlink to a place that does not exist; remove it or point it inside the project",
                            cur.display()
                        ))
                    })?;
                    if !target.starts_with(&self.root) {
                        return Err(Error::Unsafe(format!(
                            "{rel}: {} is a symlink to {}, outside the project; devgen will not write there. \
                             Replace the link with a real file or directory",
                            cur.display(),
                            target.display()
                        )));
                    }
                    cur = target;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("cannot inspect", &cur, e)),
            }
        }
        Ok(cur)
    }

    /// The text of `rel`, or `None` when it does not exist.
    pub fn read(&self, rel: &str) -> Result<Option<String>> {
        let path = self.resolve(rel)?;
        match fs::read_to_string(&path) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("cannot read", Path::new(rel), e)),
        }
    }

    /// Unix mode bits of `rel`, if it exists.
    pub fn mode(&self, rel: &str) -> Result<Option<u32>> {
        let path = self.resolve(rel)?;
        match fs::metadata(&path) {
            Ok(m) => Ok(Some(m.permissions().mode() & 0o7777)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("cannot inspect", Path::new(rel), e)),
        }
    }

    /// Replace `rel` with `content` atomically. The new file keeps the old one's mode;
    /// a new file gets 0644, or 0755 when `executable`. An existing file that must be
    /// executable gains the execute bits where it has read bits.
    pub fn write(&self, rel: &str, content: &str, executable: bool) -> Result<()> {
        let path = self.resolve(rel)?;
        let dir = path.parent().expect("a resolved path has a parent");
        fs::create_dir_all(dir)
            .map_err(|e| Error::io("cannot create directory for", Path::new(rel), e))?;
        // Re-resolve: creating directories must not have changed where the path leads.
        if self.resolve(rel)? != path {
            return Err(Error::Unsafe(format!(
                "{rel}: the path changed while devgen was writing it"
            )));
        }
        crate::atomic::write(&path, content.as_bytes(), mode_to_write(&path, executable))
            .map_err(|e| Error::io("cannot write", Path::new(rel), e))
    }

    /// `path` (inside the root) relative to the root, as journals and messages name it.
    pub fn relative(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned()
    }

    /// Take the project's run lock: exclusive for a command that writes the project, shared
    /// for one that only reads it. It waits (saying so) while another devgen run holds it.
    /// On a file system without locks, devgen runs unlocked as it did before.
    pub fn lock(&self, access: Access, io: &mut Io) -> Result<RunLock> {
        let dir = fs::File::open(&self.root)
            .map_err(|e| Error::io("cannot open project directory", &self.root, e))?;
        let tried = match access {
            Access::Write => dir.try_lock(),
            Access::Read => dir.try_lock_shared(),
        };
        match tried {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                writeln!(
                    io.err,
                    "devgen: waiting for another devgen run in {} to finish",
                    self.root.display()
                )
                .map_err(stream_error)?;
                match access {
                    Access::Write => dir.lock(),
                    Access::Read => dir.lock_shared(),
                }
                .map_err(|e| Error::io("cannot lock", &self.root, e))?;
            }
            Err(TryLockError::Error(e)) if e.kind() == ErrorKind::Unsupported => {}
            Err(TryLockError::Error(e)) => return Err(Error::io("cannot lock", &self.root, e)),
        }
        Ok(RunLock { _dir: dir })
    }
}

/// The mode a file written at `path` gets: the old file's, and a new file 0644, or 0755
/// when `executable`. An existing file that must be executable gains the execute bits where
/// it has read bits.
pub fn mode_to_write(path: &Path, executable: bool) -> u32 {
    match fs::metadata(path) {
        Ok(m) => {
            let mode = m.permissions().mode() & 0o7777;
            if executable {
                mode | ((mode & 0o444) >> 2)
            } else {
                mode
            }
        }
        Err(_) if executable => 0o755,
        Err(_) => 0o644,
    }
}

/// What a command does to the project, for its run lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only reads (`diff`, a dry run): other readers may run alongside.
    Read,
    /// Writes (`sync`, `init`): alone, so that no other run sees it half done and no
    /// recovery takes a live run for an interrupted one.
    Write,
}

impl Access {
    /// A command that writes, or only reads when it is a dry run.
    pub fn writing_unless(dry_run: bool) -> Access {
        if dry_run {
            Access::Read
        } else {
            Access::Write
        }
    }
}

/// The project's run lock (a `flock` on the project directory), held until dropped.
pub struct RunLock {
    // Closing the directory releases the lock, so holding it holds the lock.
    _dir: fs::File,
}

impl Files for ProjectRoot {
    fn read(&self, path: &str) -> Result<Option<String>> {
        ProjectRoot::read(self, path)
    }

    fn mode(&self, path: &str) -> Result<Option<u32>> {
        ProjectRoot::mode(self, path)
    }
}

/// The project root for `dir`: `dir` or the nearest parent with a devgen.toml.
pub fn find_root(dir: &Path) -> Result<ProjectRoot> {
    let start = ProjectRoot::open(dir)?;
    let mut cur: Option<&Path> = Some(start.path());
    while let Some(d) = cur {
        if d.join(SPEC_FILE).is_file() {
            return ProjectRoot::open(d);
        }
        cur = d.parent();
    }
    Err(Error::Usage(format!(
        "no {SPEC_FILE} in {} or any directory above it\n  = help: run `devgen init` in the project directory to create one",
        start.path().display()
    )))
}

impl ProjectRoot {
    /// The text of the project's devgen.toml, which finding the root has just seen.
    pub fn read_spec(&self) -> Result<String> {
        self.spec_text()?.ok_or_else(|| {
            Error::Usage(format!(
                "{SPEC_FILE} disappeared from {}",
                self.path().display()
            ))
        })
    }

    /// The text of devgen.toml, or `None` when there is none. Unlike other files it is read
    /// through a symlink to anywhere (teams share one spec among checkouts); writing it
    /// still goes through [`ProjectRoot::write`], which refuses to leave the project.
    pub fn spec_text(&self) -> Result<Option<String>> {
        match fs::read_to_string(self.root.join(SPEC_FILE)) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("cannot read", Path::new(SPEC_FILE), e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        assert!(root.resolve("../x").is_err());
        assert!(root.resolve("/etc/passwd").is_err());
        assert!(root.resolve("a/../../x").is_err());
        let outside = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("config")).unwrap();
        let err = root.resolve("config/dev.exs").unwrap_err().to_string();
        assert!(err.contains("outside the project"), "{err}");
    }

    #[test]
    fn follows_symlinks_that_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::create_dir(dir.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", dir.path().join("config")).unwrap();
        root.write("config/dev.exs", "x\n", false).unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("real/dev.exs")).unwrap(),
            "x\n"
        );
        assert!(fs::symlink_metadata(dir.path().join("config"))
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn write_keeps_mode_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = ProjectRoot::open(dir.path()).unwrap();
        fs::write(dir.path().join("f"), "old").unwrap();
        fs::set_permissions(dir.path().join("f"), fs::Permissions::from_mode(0o600)).unwrap();
        root.write("f", "new", false).unwrap();
        assert_eq!(root.mode("f").unwrap(), Some(0o600));
        assert_eq!(fs::read_to_string(dir.path().join("f")).unwrap(), "new");
        root.write("bin/s", "#!/bin/sh\n", true).unwrap();
        assert_eq!(root.mode("bin/s").unwrap(), Some(0o755));
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
