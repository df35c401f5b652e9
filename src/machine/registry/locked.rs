//! Where the registry lives, and the exclusive lock held around every read-modify-write of
//! it, so that parallel `init`s never hand out one address twice.

use std::fs;
use std::path::{Path, PathBuf};

use super::Registry;
use crate::error::{Error, Result};

/// The environment variable naming the registry file; it wins over the XDG location.
pub const ENV_PATH: &str = "DEVGEN_REGISTRY";

/// Where the registry lives: `DEVGEN_REGISTRY`, else `$XDG_CONFIG_HOME/devgen/registry.toml`,
/// else `~/.config/devgen/registry.toml` — the XDG rule on every platform, macOS too, so that
/// one dotfiles setup works everywhere. The home directory is `HOME`, else the user's entry
/// in the password database.
pub fn default_path() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(p) = var(ENV_PATH) {
        let p = PathBuf::from(p);
        return std::path::absolute(&p)
            .map_err(|e| Error::io("cannot read the current directory for", &p, e));
    }
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if let Some(xdg) = var("XDG_CONFIG_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Ok(xdg.join("devgen").join("registry.toml"));
        }
    }
    match std::env::home_dir().filter(|h| h.is_absolute()) {
        Some(home) => Ok(home.join(".config/devgen/registry.toml")),
        None => Err(Error::Usage(format!(
            "cannot tell where the machine registry lives: {ENV_PATH}, XDG_CONFIG_HOME and HOME are all unset\n  \
             = help: set {ENV_PATH}=/path/to/registry.toml"
        ))),
    }
}

/// The registry, held under its exclusive lock until dropped.
pub struct Locked {
    registry: Registry,
    // The lock is released when the file closes, so holding the file holds the lock.
    _lock: fs::File,
}

impl Locked {
    /// Take the exclusive lock (waiting for other devgen processes), then read the registry.
    pub fn acquire(path: &Path) -> Result<Locked> {
        let dir = parent_dir(path);
        fs::create_dir_all(dir).map_err(|e| {
            Error::io(
                "cannot create the directory of the machine registry",
                dir,
                e,
            )
        })?;
        let lock_path = lock_path(path);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("cannot open the lock file", &lock_path, e))?;
        file.lock()
            .map_err(|e| Error::io("cannot lock", &lock_path, e))?;
        Ok(Locked {
            registry: Registry::load(path)?,
            _lock: file,
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Write the registry back, atomically, if anything changed.
    pub fn save(&mut self) -> Result<()> {
        if !self.registry.changed {
            return Ok(());
        }
        let path = &self.registry.path;
        crate::atomic::write(path, self.registry.render().as_bytes(), 0o600)
            .map_err(|e| Error::io("cannot write the machine registry", path, e))?;
        self.registry.changed = false;
        Ok(())
    }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The lock file sits next to the registry, so that the atomic rename of the registry
/// itself never swaps the locked inode away.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}
