//! "A run writes all of its changes or none", under faults: a directory devgen may not
//! write, a disk that takes the small files and not the last, Ctrl-C and `kill -9` between
//! two renames, `kill -9` while the files are being staged. Each fault is real and comes
//! from outside devgen — another user's permissions, a file-size limit, strace injecting a
//! signal at a chosen system call — so devgen carries no test-only code.
//!
//! Every test starts from a synced project and changes PostgreSQL's port, which changes five
//! files: devenv.nix, Procfile, config/devgen.exs, config/devgen_test.exs and devgen.lock,
//! written in that order.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{
    assert_exit, devgen, files_under, read, require, run_ok, stderr, stdout, synced_project,
    test_registry,
};

/// The files the port change touches, in the order devgen writes them.
const CHANGED: &[&str] = &[
    "devenv.nix",
    "Procfile",
    "config/devgen.exs",
    "config/devgen_test.exs",
    "devgen.lock",
];

/// Every file of the project with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The files that differ from `before` (changed, created or gone), but for devgen's own
/// leftovers.
fn changed_since(dir: &Path, before: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let now = snapshot(dir);
    let names: BTreeSet<&String> = now.keys().chain(before.keys()).collect();
    let left = leftovers(dir);
    names
        .into_iter()
        .filter(|f| now.get(*f) != before.get(*f) && !left.contains(f))
        .cloned()
        .collect()
}

/// A synced project whose spec now asks for PostgreSQL on port 5433.
fn project_with_a_new_port() -> tempfile::TempDir {
    let dir = synced_project("liberties");
    let spec = read(dir.path(), "devgen.toml").replace("port = 5432", "port = 5433");
    fs::write(dir.path().join("devgen.toml"), spec).unwrap();
    dir
}

/// The files the port change touches, as [`changed_since`] lists them once all are new.
fn all_changed() -> Vec<String> {
    let mut all: Vec<String> = CHANGED.iter().map(|f| f.to_string()).collect();
    all.sort();
    all
}

/// Anything devgen's runs leave only while they run: temporary files and the journal.
fn leftovers(dir: &Path) -> Vec<String> {
    files_under(dir)
        .into_iter()
        .filter(|f| {
            let name = f.rsplit('/').next().unwrap();
            name.starts_with(".devgen-")
        })
        .collect()
}

/// `devgen ARGS` in `dir`, started by `wrapper` (a program and its arguments, ending where
/// the command to run goes), with the environment `devgen()` gives it.
fn devgen_under(wrapper: &[&str], dir: &Path, args: &[&str]) -> Output {
    Command::new(wrapper[0])
        .args(&wrapper[1..])
        .arg(env!("CARGO_BIN_EXE_devgen"))
        .args(["-C", dir.to_str().unwrap()])
        .args(args)
        .env("NO_COLOR", "1")
        .env("DEVGEN_REGISTRY", test_registry(dir))
        .output()
        .expect("the wrapper runs")
}

/// `devgen sync` in `dir` under strace, which `inject`s (strace's `-e inject=` value) a
/// fault into devgen at a system call.
fn sync_under_strace(dir: &Path, inject: &str) -> Output {
    let strace = require("strace");
    let inject = format!("inject={inject}");
    devgen_under(
        &[
            strace.to_str().unwrap(),
            "-qq",
            "-o",
            "/dev/null",
            "-e",
            &inject,
            "--",
        ],
        dir,
        &["sync"],
    )
}

/// strace's selector of the rename system calls (`std::fs::rename` is one of them).
const RENAMES: &str = "rename,renameat,renameat2";

/// After the fault, every file is as it was (against `before`) and nothing of devgen's run
/// is left over.
#[track_caller]
fn nothing_changed(dir: &Path, before: &BTreeMap<String, Vec<u8>>) {
    assert_eq!(
        changed_since(dir, before),
        Vec::<String>::new(),
        "no file changed"
    );
    assert_eq!(leftovers(dir), Vec::<String>::new());
}

/// After the fault, the next `devgen sync` makes every file new (against `before`, the
/// project before the fault): `diff` is clean and nothing of devgen's runs is left over.
#[track_caller]
fn sync_completes(dir: &Path, before: &BTreeMap<String, Vec<u8>>) {
    assert_exit(&devgen(dir, &["sync"]), 0);
    assert_eq!(changed_since(dir, before), all_changed());
    assert!(read(dir, "devenv.nix").contains("port = 5433;"));
    assert_exit(&devgen(dir, &["diff"]), 0);
    assert_eq!(leftovers(dir), Vec::<String>::new());
}

#[test]
fn a_config_directory_devgen_may_not_write_stops_the_run_before_any_file_changes() {
    let dir = project_with_a_new_port();
    let before = snapshot(dir.path());
    // config/ is read-only (devenv.nix and Procfile, written before it, are not). Root
    // writes anywhere, so as root devgen runs as nobody, in a project nobody owns.
    fs::set_permissions(dir.path().join("config"), fs::Permissions::from_mode(0o555)).unwrap();
    let setpriv = require("setpriv");
    let as_nobody: &[&str] = if run_ok(Command::new("id").arg("-u")).trim() == "0" {
        chown_tree(dir.path(), 65534, 65534);
        &[
            setpriv.to_str().unwrap(),
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
        ]
    } else {
        &["env"]
    };

    let out = devgen_under(as_nobody, dir.path(), &["sync"]);

    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot write config/devgen.exs: Permission denied"),
        "{err}"
    );
    assert!(
        err.contains("= help: check the file's permissions and owner"),
        "{err}"
    );
    nothing_changed(dir.path(), &before);
    assert_exit(&devgen(dir.path(), &["diff"]), 1);
    fs::set_permissions(dir.path().join("config"), fs::Permissions::from_mode(0o755)).unwrap();
    sync_completes(dir.path(), &before);
}

/// Give `dir` and everything under it to `uid`:`gid`.
fn chown_tree(dir: &Path, uid: u32, gid: u32) {
    std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap();
    for item in fs::read_dir(dir).unwrap() {
        let item = item.unwrap();
        if item.file_type().unwrap().is_dir() {
            chown_tree(&item.path(), uid, gid);
        } else {
            std::os::unix::fs::chown(item.path(), Some(uid), Some(gid)).unwrap();
        }
    }
}

#[test]
fn a_disk_that_takes_the_small_files_but_not_the_lock_changes_nothing() {
    let dir = project_with_a_new_port();
    let before = snapshot(dir.path());
    // A stand-in for a full disk: a file-size limit just under devgen.lock's size, which the
    // other four files are well under, so that only the last file of the run fails to fit.
    // (SIGXFSZ is ignored, so the write fails with EFBIG instead of ending devgen.)
    let limit = fs::metadata(dir.path().join("devgen.lock")).unwrap().len() - 1;
    for f in &CHANGED[..4] {
        let size = fs::metadata(dir.path().join(f)).unwrap().len();
        assert!(size + 64 < limit, "{f} ({size} bytes) fits under {limit}");
    }
    let fsize = format!("--fsize={limit}");
    let prlimit = require("prlimit");
    let limited = [
        "sh",
        "-c",
        "trap '' XFSZ; exec \"$@\"",
        "sh",
        prlimit.to_str().unwrap(),
        &fsize,
        "--",
    ];

    let out = devgen_under(&limited, dir.path(), &["sync"]);

    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("error: cannot write devgen.lock: File too large"),
        "{err}"
    );
    nothing_changed(dir.path(), &before);
    sync_completes(dir.path(), &before);
}

#[test]
fn ctrl_c_between_two_renames_finishes_the_run_then_ends_devgen_by_sigint() {
    let dir = project_with_a_new_port();
    let before = snapshot(dir.path());

    // SIGINT arrives at the fourth rename: a run's journal takes two, so this is the second
    // of the five files.
    let out = sync_under_strace(dir.path(), &format!("{RENAMES}:signal=INT:when=4"));

    assert_eq!(
        out.status.signal(),
        Some(2),
        "ended by SIGINT (a shell says 130): {:?}\n{}",
        out.status,
        stderr(&out)
    );
    assert_eq!(
        changed_since(dir.path(), &before),
        all_changed(),
        "every file is new, devgen.lock too"
    );
    assert!(
        stderr(&out).contains("devgen: wrote 5 of 13 files from devgen.toml"),
        "the run was finished and reported first:\n{}",
        stderr(&out)
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    let diff = devgen(dir.path(), &["diff"]);
    assert_exit(&diff, 0);
    assert_eq!(stdout(&diff), "");
}

#[test]
fn kill_9_between_two_renames_is_refused_by_diff_and_finished_by_the_next_sync() {
    let dir = project_with_a_new_port();
    let before = snapshot(dir.path());

    let out = sync_under_strace(dir.path(), &format!("{RENAMES}:signal=KILL:when=4"));

    assert_eq!(out.status.signal(), Some(9), "{:?}", out.status);
    let half = changed_since(dir.path(), &before);
    assert!(
        !half.is_empty() && half != all_changed(),
        "the kill fell between two renames: new are {half:?}"
    );
    for args in [&["diff"][..], &["sync", "--dry-run"]] {
        let refused = devgen(dir.path(), args);
        assert_exit(&refused, 2);
        let err = stderr(&refused);
        assert!(
            err.contains("was stopped while it renamed its files into place"),
            "{err}"
        );
        assert!(
            err.contains("= help: run `devgen sync` to finish the interrupted run"),
            "{err}"
        );
    }
    let json = devgen(dir.path(), &["diff", "--format", "json"]);
    assert_exit(&json, 2);
    assert!(
        stdout(&json).contains("\"status\": \"error\""),
        "{}",
        stdout(&json)
    );

    let finish = devgen(dir.path(), &["sync"]);
    assert_exit(&finish, 0);
    let err = stderr(&finish);
    assert!(
        err.contains(
            "devgen: finished an earlier run that was stopped halfway: renamed into place"
        ),
        "{err}"
    );
    assert!(err.contains("all 13 files already match"), "{err}");
    assert_eq!(changed_since(dir.path(), &before), all_changed());
    assert_exit(&devgen(dir.path(), &["diff"]), 0);
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}

#[test]
fn kill_9_while_staging_leaves_every_file_old_and_the_next_sync_cleans_up() {
    let dir = project_with_a_new_port();
    let before = snapshot(dir.path());

    // The fourth fsync: the journal and its directory take two, so this is the second file
    // being staged.
    let out = sync_under_strace(dir.path(), "fsync:signal=KILL:when=4");

    assert_eq!(out.status.signal(), Some(9), "{:?}", out.status);
    assert_eq!(
        changed_since(dir.path(), &before),
        Vec::<String>::new(),
        "no file changed"
    );
    let left = leftovers(dir.path());
    assert!(
        left.contains(&".devgen-journal".to_string()),
        "the journal records the run: {left:?}"
    );
    let diff = devgen(dir.path(), &["diff"]);
    assert_exit(&diff, 1);
    assert!(
        stderr(&diff)
            .contains("note: an earlier devgen run here was stopped before it changed any file"),
        "{}",
        stderr(&diff)
    );

    let sync = devgen(dir.path(), &["sync"]);
    assert_exit(&sync, 0);
    assert!(
        stderr(&sync).contains("removed the temporary files it left"),
        "{}",
        stderr(&sync)
    );
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(changed_since(dir.path(), &before), all_changed());
    assert_exit(&devgen(dir.path(), &["diff"]), 0);
}
