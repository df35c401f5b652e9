//! overmind as found on the machine — its binary, its control socket, the tmux server it
//! started for this project — and the two checks made of it.

use std::path::{Path, PathBuf};

use super::processes::{output, processes, tmux_socket_arg};
use super::{fail, not_applicable, pass, Check, Checkout};

/// overmind's tmux and the `tmux` on PATH are one version (else "server exited
/// unexpectedly" from every tmux command against overmind's server).
pub(super) fn check_tmux(overmind: &OvermindState) -> Check {
    const ID: &str = "tmux";
    let Some(overmind_bin) = &overmind.binary else {
        return not_applicable(
            ID,
            "overmind is not on PATH (enter the dev shell: `direnv allow`, or `nix develop --impure`)",
        );
    };
    let Some(path_tmux) = which::which("tmux").ok() else {
        return fail(
            ID,
            "there is no tmux on PATH, and overmind needs one",
            "enter the dev shell, whose devenv.nix has pkgs.tmux: `direnv reload`",
        );
    };
    let (theirs, how) = match (&overmind.server, overmind_wrapper_tmux(overmind_bin)) {
        (Some(server), _) if server.exe.is_some() => (
            server.exe.clone().expect("checked"),
            format!("its running server (pid {})", server.pid),
        ),
        (_, Some(t)) => (t, format!("the PATH of {}", overmind_bin.display())),
        _ => (path_tmux.clone(), "PATH, like you".to_string()),
    };
    let version =
        |t: &Path| output(t.to_str().unwrap_or_default(), &["-V"]).map(|v| v.trim().to_string());
    let (Some(a), Some(b)) = (version(&theirs), version(&path_tmux)) else {
        return fail(
            ID,
            format!(
                "cannot run `tmux -V` with {} or {}",
                theirs.display(),
                path_tmux.display()
            ),
            "reinstall tmux, or enter the dev shell: `direnv reload`",
        );
    };
    if a == b {
        pass(
            ID,
            format!("overmind and PATH both use {a} (overmind's from {how})"),
        )
    } else {
        fail(
            ID,
            format!(
                "overmind uses {a} ({}, from {how}), PATH has {b} ({})",
                theirs.display(),
                path_tmux.display()
            ),
            "run `direnv reload` (or cd into the project) so the dev shell's tmux, overmind's own, comes first on PATH",
        )
    }
}

/// `.overmind.sock` is there exactly when overmind runs here.
pub(super) fn check_socket(c: &Checkout, overmind: &OvermindState) -> Check {
    const ID: &str = "overmind-socket";
    let sock = c.root.join(".overmind.sock");
    match (&overmind.socket, &overmind.server) {
        (SockFile::Answers, _) => pass(ID, "overmind answers on .overmind.sock"),
        (SockFile::Stale(e), _) => fail(
            ID,
            format!(".overmind.sock is there but nothing answers on it ({e})"),
            format!("overmind died and left it: `rm {}`, then `overmind start`", sock.display()),
        ),
        (SockFile::NotASocket, _) => fail(
            ID,
            ".overmind.sock is not a socket",
            format!("remove it (`rm {}`), then `overmind start`", sock.display()),
        ),
        (SockFile::Missing, Some(server)) => fail(
            ID,
            format!(
                "overmind's tmux server for this project runs (pid {}, -L {}), but .overmind.sock is gone",
                server.pid, server.socket
            ),
            format!(
                "overmind cannot be reached without it: stop the server (`tmux -L {} kill-server`), then `overmind start`",
                server.socket
            ),
        ),
        (SockFile::Missing, None) => not_applicable(ID, "overmind is not running here"),
    }
}

enum SockFile {
    Missing,
    Answers,
    Stale(String),
    NotASocket,
}

pub(super) struct OvermindState {
    /// The `overmind` on PATH.
    binary: Option<PathBuf>,
    socket: SockFile,
    /// The tmux server overmind started for this project.
    server: Option<TmuxServer>,
}

struct TmuxServer {
    pid: u32,
    /// The `-L` name, overmind-<session>-<id>.
    socket: String,
    exe: Option<PathBuf>,
}

impl OvermindState {
    pub(super) fn find(c: &Checkout) -> OvermindState {
        use std::os::unix::fs::FileTypeExt;
        let path = c.root.join(".overmind.sock");
        let socket = match std::fs::symlink_metadata(&path) {
            Err(_) => SockFile::Missing,
            Ok(m) if !m.file_type().is_socket() => SockFile::NotASocket,
            Ok(_) => match std::os::unix::net::UnixStream::connect(&path) {
                Ok(_) => SockFile::Answers,
                Err(e) => SockFile::Stale(e.to_string()),
            },
        };
        let prefix = format!("overmind-{}-", c.model.project.tmux_session);
        let server = processes().into_iter().find_map(|proc| {
            let name = tmux_socket_arg(&proc.args)?;
            let id = name.strip_prefix(&prefix)?;
            // overmind's ids are 21 characters; a longer tail is another session's name.
            if id.len() != 21 || proc.cwd.as_deref().is_none_or(|dir| dir != c.root) {
                return None;
            }
            Some(TmuxServer {
                pid: proc.pid,
                socket: name.to_string(),
                exe: proc.exe,
            })
        });
        OvermindState {
            binary: which::which("overmind").ok(),
            socket,
            server,
        }
    }

    pub(super) fn running(&self) -> bool {
        matches!(self.socket, SockFile::Answers) || self.server.is_some()
    }
}

/// nixpkgs wraps overmind in a script putting its own tmux first on PATH: that tmux.
fn overmind_wrapper_tmux(overmind: &Path) -> Option<PathBuf> {
    let bytes = std::fs::read(overmind).ok()?;
    if !bytes.starts_with(b"#!") || bytes.len() > 1 << 20 {
        return None;
    }
    let text = String::from_utf8_lossy(&bytes);
    text.split(|c: char| c.is_whitespace() || "'\":=;".contains(c))
        .filter(|t| t.starts_with('/') && t.ends_with("/bin"))
        .map(|dir| Path::new(dir).join("tmux"))
        .find(|t| t.is_file())
}
