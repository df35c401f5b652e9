//! `scripts/restart-phoenix` against a real tmux server laid out the way overmind lays it
//! out: socket `overmind-<project>-<21-character id>`, session `<project>`, window `phoenix`
//! running a stand-in that, like iex, shows a BREAK menu on Ctrl-C and exits on `a`.

use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::support::{fixture_path, require, run_ok, stderr, stdout, synced_project};

/// A tmux server of the test's own; killed when dropped.
pub struct TmuxServer {
    pub tmux: PathBuf,
    pub tmpdir: PathBuf,
    pub socket: String,
}

impl TmuxServer {
    fn cmd(&self) -> Command {
        let mut c = Command::new(&self.tmux);
        c.env("TMUX_TMPDIR", &self.tmpdir)
            .env_remove("TMUX")
            .arg("-L")
            .arg(&self.socket);
        c
    }

    /// Start a server with session `session`, windows `devenv` and `phoenix`, started in
    /// `dir`, with the iex stand-in in the phoenix window writing `marker` when aborted.
    fn overmind_like(
        tmpdir: &Path,
        socket: &str,
        session: &str,
        dir: &Path,
        marker: &Path,
    ) -> TmuxServer {
        let server = TmuxServer {
            tmux: require("tmux"),
            tmpdir: tmpdir.to_path_buf(),
            socket: socket.to_string(),
        };
        let d = dir.to_str().unwrap();
        run_ok(server.cmd().args([
            "new-session",
            "-d",
            "-s",
            session,
            "-n",
            "devenv",
            "-c",
            d,
            "sleep 120",
        ]));
        // overmind keeps dead panes so that it can tell their exit status
        run_ok(
            server
                .cmd()
                .args(["set-window-option", "-g", "remain-on-exit", "on"]),
        );
        let standin = format!(
            "{} {}",
            fixture_path("support/standin-iex.sh").display(),
            marker.display()
        );
        run_ok(server.cmd().args([
            "new-window",
            "-t",
            session,
            "-n",
            "phoenix",
            "-c",
            d,
            &standin,
        ]));
        server.wait_for_prompt(session);
        server
    }

    fn wait_for_prompt(&self, session: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let screen = run_ok(self.cmd().args([
                "capture-pane",
                "-p",
                "-t",
                &format!("{session}:phoenix"),
            ]));
            if screen.contains("iex(1)>") {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the stand-in never started:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn pane_dead(&self, session: &str) -> bool {
        run_ok(self.cmd().args([
            "display-message",
            "-p",
            "-t",
            &format!("{session}:phoenix"),
            "#{pane_dead}",
        ]))
        .trim()
            == "1"
    }
}

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").output();
    }
}

/// An id of the shape overmind's nanoid has: 21 characters of [A-Za-z0-9_-].
fn nanoid(seed: &str) -> String {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    let mut x: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        ^ seed.bytes().fold(0xcbf29ce484222325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100000001b3)
        });
    (0..21)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            alphabet[(x % 64) as usize] as char
        })
        .collect()
}

fn restart(dir: &Path, tmpdir: &Path) -> Output {
    Command::new(require("bash"))
        .arg(dir.join("scripts/restart-phoenix"))
        .current_dir(dir)
        .env("TMUX_TMPDIR", tmpdir)
        .env_remove("TMUX")
        .output()
        .unwrap()
}

fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn restart_phoenix_aborts_iex_through_overminds_tmux_socket() {
    let project = synced_project("liberties");
    let dir = project.path();
    let tmpdir = tempfile::tempdir().unwrap();
    let marker = dir.join("stand-in-exited");
    let _overmind_sock = UnixListener::bind(dir.join(".overmind.sock")).unwrap();
    let socket = format!("overmind-liberties-{}", nanoid("liberties"));
    let server = TmuxServer::overmind_like(tmpdir.path(), &socket, "liberties", dir, &marker);

    let out = restart(dir, tmpdir.path());
    assert!(
        out.status.success(),
        "restart-phoenix failed\n{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains(&format!("Socket: {socket}")),
        "{}",
        stdout(&out)
    );
    wait_until("the stand-in exited", || server.pane_dead("liberties"));
    assert_eq!(
        std::fs::read_to_string(&marker).unwrap().trim(),
        "aborted",
        "it left through the BREAK menu's `a`"
    );
}

#[test]
fn restart_phoenix_ignores_other_projects_and_other_checkouts() {
    let project = synced_project("minimal"); // project "acme"
    let dir = project.path();
    let elsewhere = tempfile::tempdir().unwrap();
    let tmpdir = tempfile::tempdir().unwrap();
    let _overmind_sock = UnixListener::bind(dir.join(".overmind.sock")).unwrap();
    // another project whose name starts with ours, and another checkout of this project
    let other_project_marker = elsewhere.path().join("other-project");
    let other_checkout_marker = elsewhere.path().join("other-checkout");
    let _other_project = TmuxServer::overmind_like(
        tmpdir.path(),
        &format!("overmind-acme-web-{}", nanoid("acme-web")),
        "acme-web",
        dir,
        &other_project_marker,
    );
    let _other_checkout = TmuxServer::overmind_like(
        tmpdir.path(),
        &format!("overmind-acme-{}", nanoid("other")),
        "acme",
        elsewhere.path(),
        &other_checkout_marker,
    );

    let out = restart(dir, tmpdir.path());
    assert_eq!(
        out.status.code(),
        Some(1),
        "nothing of ours runs: {}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("Could not find overmind's tmux socket for session 'acme'"),
        "{}",
        stderr(&out)
    );
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        !other_project_marker.exists() && !other_checkout_marker.exists(),
        "it touched someone else's iex"
    );

    // now ours starts too, and only ours is restarted
    let marker = dir.join("ours");
    let socket = format!("overmind-acme-{}", nanoid("ours"));
    let ours = TmuxServer::overmind_like(tmpdir.path(), &socket, "acme", dir, &marker);
    let out = restart(dir, tmpdir.path());
    assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
    wait_until("our stand-in exited", || ours.pane_dead("acme"));
    assert!(marker.exists());
    assert!(!other_project_marker.exists() && !other_checkout_marker.exists());
}

#[test]
fn restart_phoenix_explains_when_overmind_is_not_running() {
    let project = synced_project("minimal");
    let tmpdir = tempfile::tempdir().unwrap();
    let out = restart(project.path(), tmpdir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("No .overmind.sock here"),
        "{}",
        stderr(&out)
    );
}
