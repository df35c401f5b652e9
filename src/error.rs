//! Errors that stop a command. Each renders as a complete message starting with `error:`
//! and saying what to do; the command line exits with 2 for all of them. (A conflict is not
//! an error: it is a plan status, reported with its diff, exit 3.)

use std::path::Path;

use crate::diagnostic::Diagnostic;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input at a known place in a file.
    #[error("{0}")]
    Diagnostic(Box<Diagnostic>),
    /// A file could not be read or written.
    #[error("error: {action} {path}: {source}\n  = help: {help}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
        help: String,
    },
    /// A path devgen must not touch (outside the project, through a symlink, …).
    #[error("error: {0}")]
    Unsafe(String),
    /// Bad command-line use or project state, with the fix in the message.
    #[error("error: {0}")]
    Usage(String),
    /// A template failed: always a bug in devgen, never in the user's input.
    #[error("error: internal error rendering {path}: {message}\nthis is a bug in devgen; please report it with your devgen.toml")]
    Render { path: &'static str, message: String },
}

impl From<Box<Diagnostic>> for Error {
    fn from(d: Box<Diagnostic>) -> Self {
        Error::Diagnostic(d)
    }
}

impl Error {
    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        let help = match source.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions and owner".to_string()
            }
            std::io::ErrorKind::NotFound => "check that the directory exists".to_string(),
            std::io::ErrorKind::InvalidData => {
                "devgen manages UTF-8 text files only; fix the file's encoding".to_string()
            }
            _ => "check the file and the disk, then run the command again".to_string(),
        };
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
            help,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Diagnostic {
    pub fn into_error(self) -> Error {
        Error::Diagnostic(Box::new(self))
    }
}
