//! Helpers shared by the suite: running the devgen binary, fixture projects, and the real
//! programs the conformance tests need.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture_path(rel: &str) -> PathBuf {
    repo_root().join("fixtures").join(rel)
}

pub fn read_fixture(rel: &str) -> String {
    std::fs::read_to_string(fixture_path(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

/// The spec fixtures every output test runs over.
pub const SPEC_FIXTURES: &[&str] = &[
    "liberties",
    "minimal",
    "lean",
    "shared",
    "services",
    "front",
    "container",
    "deploy",
];

/// Run `devgen ARGS` in `dir`. Colour is off so outputs compare as plain text.
pub fn devgen(dir: &Path, args: &[&str]) -> Output {
    devgen_cmd(dir, args).output().expect("devgen runs")
}

/// The command `devgen ARGS` in `dir`, with a machine registry of the project directory's
/// own (see [`test_registry`]): no test ever reads or writes the user's registry, and no two
/// tests share one. Set `DEVGEN_REGISTRY` on the command to share one on purpose.
pub fn devgen_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_devgen"));
    cmd.args(["-C", dir.to_str().unwrap()])
        .args(args)
        .env("NO_COLOR", "1")
        .env("DEVGEN_REGISTRY", test_registry(dir));
    cmd
}

/// The machine registry `devgen()` uses for the project at `dir`: a file under cargo's
/// per-target temporary directory, named after this test process and `dir`, so it stays the
/// same across the calls of one test and is kept out of the project directory itself.
pub fn test_registry(dir: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    dir.hash(&mut h);
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("registries")
        .join(format!("{}-{:016x}.toml", std::process::id(), h.finish()))
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Assert an exit code, showing both streams when it differs.
#[track_caller]
pub fn assert_exit(o: &Output, code: i32) {
    assert_eq!(
        o.status.code(),
        Some(code),
        "expected exit {code}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(o),
        stderr(o)
    );
}

/// A temporary project whose devgen.toml is the named spec fixture, synced.
pub fn synced_project(fixture: &str) -> tempfile::TempDir {
    let dir = project_with_spec(&read_fixture(&format!("specs/{fixture}.toml")));
    let out = devgen(dir.path(), &["sync"]);
    assert_exit(&out, 0);
    dir
}

/// A temporary project holding only `spec` as its devgen.toml.
pub fn project_with_spec(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("devgen.toml"), spec).unwrap();
    dir
}

pub fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The path of a real program the test needs. A missing program fails the test: the test
/// command (`.ci/test`) installs every one of them.
#[track_caller]
pub fn require(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!("`{program}` is not installed; run the suite with .ci/test, which installs it")
        })
}

/// Run a real program and return its output; panics with both streams when it fails.
#[track_caller]
pub fn run_ok(cmd: &mut Command) -> String {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        stdout(&out),
        stderr(&out)
    );
    stdout(&out)
}

/// Every regular file under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                out.push(
                    path.strip_prefix(base)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Every file the targets a spec of only `[project]` turns on write (the `dev` target;
/// the others wait for their own sections), plus the spec and the lock, sorted: what a
/// project holds after its first `init`, read off devgen's one list of targets.
pub fn project_files() -> Vec<String> {
    use devgen::targets::TARGETS;
    let src = devgen::spec::parse("devgen.toml", "[project]\nname = \"acme\"\n").unwrap();
    let model = devgen::model::resolve(&src, &devgen::model::Facts::DEFAULT).unwrap();
    let mut files: Vec<String> = TARGETS
        .iter()
        .filter(|t| t.context(&model).is_some())
        .flat_map(|t| t.outputs.iter().map(|d| d.path.to_string()))
        .chain(["devgen.toml".to_string(), "devgen.lock".to_string()])
        .collect();
    files.sort();
    files
}

/// The real Nix parser accepts `file` of the project at `dir`.
#[track_caller]
pub fn nix_parses(dir: &std::path::Path, file: &str) {
    run_ok(
        std::process::Command::new(require("nix-instantiate"))
            .arg("--parse")
            .arg(dir.join(file)),
    );
}

/// Run git in `dir` as a test user, with signing off; its stdout.
#[track_caller]
pub fn git(dir: &Path, args: &[&str]) -> String {
    run_ok(
        Command::new(require("git"))
            .args([
                "-c",
                "user.name=devgen test",
                "-c",
                "user.email=test@example.org",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .current_dir(dir),
    )
}

/// `devgen ARGS` in `dir` against the machine registry at `registry`, for tests of several
/// projects on one machine.
pub fn devgen_on(registry: &Path, dir: &Path, args: &[&str]) -> Output {
    devgen_cmd(dir, args)
        .env("DEVGEN_REGISTRY", registry)
        .output()
        .expect("devgen runs")
}

/// A server a test started, killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Start `cmd` (its output discarded) and wait until `addr` accepts connections; a server
/// that exits first, or never listens, fails the test.
#[track_caller]
pub fn serve(cmd: &mut Command, addr: &str) -> Server {
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    let mut server = Server(child);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while std::net::TcpStream::connect(addr).is_err() {
        if let Ok(Some(status)) = server.0.try_wait() {
            panic!("{cmd:?} exited with {status} before listening on {addr}");
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{addr} never answered"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    server
}

/// `pkgs` attributes of a devenv.nix with Elixir 1.18 on OTP 27, PostgreSQL 17, the base
/// packages, and Caddy and bun for a front door: what the fixtures that run services use.
pub const FRONT_PKGS: &[&str] = &[
    "beam.packages.erlang_27.elixir_1_18",
    "postgresql_17",
    "overmind",
    "tmux",
    "inotify-tools",
    "caddy",
    "bun",
    "pgweb",
];

/// devenv.nix of `dir` evaluated as devenv calls a module (fixtures/support/eval-devenv.nix)
/// on Linux, with a stub `pkgs` of `paths` and PostgreSQL `extensions`, the worktree
/// overrides unset but for `vars`.
pub fn eval_devenv(
    dir: &Path,
    paths: &[&str],
    extensions: &[&str],
    vars: &[(&str, &str)],
) -> serde_json::Value {
    let list = |items: &[&str]| {
        let quoted: Vec<String> = items.iter().map(|i| format!("{i:?}")).collect();
        format!("[ {} ]", quoted.join(" "))
    };
    let mut cmd = Command::new(require("nix-instantiate"));
    cmd.args(["--eval", "--strict", "--json"])
        .arg(fixture_path("support/eval-devenv.nix"))
        .args(["--arg", "devenv"])
        .arg(dir.join("devenv.nix"))
        .args(["--arg", "paths", &list(paths), "--arg", "isLinux", "true"])
        .args(["--arg", "extensions", &list(extensions)])
        .env_remove("DEVGEN_IP")
        .env_remove("DEVGEN_HOST")
        .envs(vars.iter().copied());
    serde_json::from_str(&run_ok(&mut cmd)).expect("nix prints JSON")
}
