//! `devgen diff` as a hook of the real pre-commit program, from this repository's
//! `.pre-commit-hooks.yaml`: it passes when the files agree with devgen.toml and fails, with
//! the diff, after a drifting edit.

use std::path::Path;
use std::process::{Command, Output};

use crate::support::{assert_exit, devgen, git, read, repo_root, require, stderr, stdout};

fn try_repo(dir: &Path) -> Output {
    try_hook(dir, "devgen-diff")
}

/// The hook `id` of this repository, run by the real pre-commit on every file of `dir`.
fn try_hook(dir: &Path, id: &str) -> Output {
    let target = repo_root().join("target").join("pre-commit");
    Command::new(require("pre-commit"))
        .arg("try-repo")
        .arg(repo_root())
        .args([id, "--all-files"])
        .current_dir(dir)
        .env(
            "PRE_COMMIT_HOME",
            repo_root().join("target").join("pre-commit-home"),
        )
        // pre-commit builds the hook with `cargo install`: share one target directory and
        // skip LTO, so that the second build is incremental and the first one quick
        .env("CARGO_TARGET_DIR", &target)
        .env("CARGO_PROFILE_RELEASE_LTO", "false")
        .env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16")
        .env("NO_COLOR", "1")
        .output()
        .expect("pre-commit runs")
}

/// A project devgen made (`init`), committed to a new git repository: `acme` in a
/// temporary directory that lives as long as the returned guard.
fn committed_project() -> (tempfile::TempDir, std::path::PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    std::fs::create_dir(&dir).unwrap();
    assert_exit(&devgen(&dir, &["init"]), 0);
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "environment from devgen"]);
    (parent, dir)
}

#[test]
fn the_devgen_diff_hook_passes_in_sync_and_fails_on_drift() {
    let (_parent, dir) = committed_project();

    let ok = try_repo(&dir);
    assert!(
        ok.status.success(),
        "in sync, the hook passes\n{}\n{}",
        stdout(&ok),
        stderr(&ok)
    );
    assert!(
        stdout(&ok).contains("devgen diff") && stdout(&ok).contains("Passed"),
        "{}",
        stdout(&ok)
    );

    let spec = read(&dir, "devgen.toml").replace("port = 5432", "port = 5433");
    std::fs::write(dir.join("devgen.toml"), spec).unwrap();
    git(&dir, &["add", "devgen.toml"]);
    let drift = try_repo(&dir);
    assert_eq!(
        drift.status.code(),
        Some(1),
        "drift fails the hook\n{}\n{}",
        stdout(&drift),
        stderr(&drift)
    );
    assert!(
        stdout(&drift).contains("Failed") && stdout(&drift).contains("+    port = 5433;"),
        "{}",
        stdout(&drift)
    );
}

#[test]
fn the_devgen_check_hook_fails_on_an_option_devenv_does_not_have() {
    let (_parent, dir) = committed_project();
    let ok = try_hook(&dir, "devgen-check");
    assert!(ok.status.success(), "{}\n{}", stdout(&ok), stderr(&ok));

    let devenv = read(&dir, "devenv.nix").replace(
        "  packages = [",
        "  services.redis.prot = 6380;\n  packages = [",
    );
    std::fs::write(dir.join("devenv.nix"), devenv).unwrap();
    git(&dir, &["add", "devenv.nix"]);
    let found = try_hook(&dir, "devgen-check");
    assert_eq!(
        found.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&found),
        stderr(&found)
    );
    assert!(
        stdout(&found).contains("unknown option `services.redis.prot`")
            && stdout(&found).contains("did you mean `services.redis.port`?"),
        "{}",
        stdout(&found)
    );
}

#[test]
fn the_hook_runs_when_the_spec_the_lock_or_any_generated_file_is_staged() {
    let hooks = std::fs::read_to_string(repo_root().join(".pre-commit-hooks.yaml")).unwrap();
    let pattern = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("files: "))
        .expect("the hook has a files pattern");
    let files = regex::Regex::new(pattern).unwrap();
    let dir = crate::support::synced_project("liberties");
    let written = crate::support::files_under(dir.path());
    assert!(written.len() > 10, "{written:?}");
    for f in &written {
        assert!(files.is_match(f), "staging {f} does not run the hook");
    }
    for other in ["README.md", "lib/acme.ex", "config/prod.exs", "xdevenv.nix"] {
        assert!(!files.is_match(other), "{other} runs the hook");
    }
}

/// The README's `.pre-commit-config.yaml` (local hooks, devgen on PATH), as written there,
/// run by the real pre-commit: it passes in sync and fails on drift.
#[test]
fn the_readmes_local_hooks_run_as_written() {
    let readme = read(&repo_root(), "README.md");
    let from = readme
        .find("- **pre-commit** — with devgen on PATH")
        .expect("README's pre-commit example");
    let block = &readme[from..];
    let start = block.find("```yaml\n").unwrap() + "```yaml\n".len();
    let end = start + block[start..].find("```").unwrap();
    let config: String = block[start..end]
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect();

    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("acme");
    std::fs::create_dir(&dir).unwrap();
    assert_exit(&devgen(&dir, &["init"]), 0);
    std::fs::write(dir.join(".pre-commit-config.yaml"), &config).unwrap();
    git(&dir, &["init", "-q"]);
    git(&dir, &["add", "-A"]);
    git(&dir, &["commit", "-q", "-m", "environment from devgen"]);
    let bin = Path::new(env!("CARGO_BIN_EXE_devgen")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = || {
        Command::new(require("pre-commit"))
            .args(["run", "--all-files"])
            .current_dir(&dir)
            .env("PATH", &path)
            .env(
                "PRE_COMMIT_HOME",
                repo_root().join("target").join("pre-commit-home"),
            )
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let ok = run();
    assert!(ok.status.success(), "{}\n{}", stdout(&ok), stderr(&ok));
    assert!(
        stdout(&ok).contains("devgen diff") && stdout(&ok).contains("devgen check"),
        "{}",
        stdout(&ok)
    );
    let spec = read(&dir, "devgen.toml").replace("port = 5432", "port = 5433");
    std::fs::write(dir.join("devgen.toml"), spec).unwrap();
    let drift = run();
    assert_eq!(
        drift.status.code(),
        Some(1),
        "{}\n{}",
        stdout(&drift),
        stderr(&drift)
    );
}
