//! The single container (`[container]`, seed 001): hadolint accepts the Dockerfile; the
//! entrypoint, run for real outside a container against Debian's PostgreSQL and a stand-in
//! release, initialises the cluster once, creates the role and database, migrates before
//! starting the app, forwards SIGTERM and shuts PostgreSQL down cleanly; the release module
//! compiles and migrates every repo; the scripts pass shellcheck.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{fixture_path, read, require, run_ok, synced_project};

fn hadolint(file: &Path) -> Output {
    Command::new(require("hadolint"))
        .args(["--no-color", "--failure-threshold", "info"])
        .arg(file)
        .output()
        .unwrap()
}

#[test]
fn hadolint_accepts_the_dockerfile_and_rejects_a_broken_one() {
    let dir = synced_project("container");
    let file = dir.path().join("Dockerfile");
    let out = hadolint(&file);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // The only rule set aside is DL3008, each time with its reason above it.
    let text = read(dir.path(), "Dockerfile");
    assert_eq!(text.matches("# hadolint ignore=").count(), 2);
    assert_eq!(text.matches("# hadolint ignore=DL3008").count(), 2);
    let broken = text.replacen("WORKDIR /app", "WORKDIR app\nRUN cd /tmp", 1);
    fs::write(&file, broken).unwrap();
    assert!(!hadolint(&file).status.success());
}

#[test]
fn the_dockerfile_agrees_with_the_dev_environment() {
    let dir = synced_project("container");
    let text = read(dir.path(), "Dockerfile");
    for want in [
        "ARG BUILDER_IMAGE=\"hexpm/elixir:1.17.3-erlang-27.1.2-debian-bookworm-20241016-slim\"",
        "ARG RUNNER_IMAGE=\"debian:bookworm-20241016-slim\"",
        "apt.postgresql.org/pub/repos/apt bookworm-pgdg main",
        "postgresql-16",
        "PG_BIN=\"/usr/lib/postgresql/16/bin\"",
        "COPY --from=frontend /frontend/.output/public priv/static",
        "RUN bun install --frozen-lockfile",
        "/app/_build/${MIX_ENV}/rel/atelier ./",
        "EXPOSE 4000",
        "HEALTHCHECK",
        "useradd --system --create-home --shell /usr/sbin/nologin app",
    ] {
        assert!(text.contains(want), "{want}\n{text}");
    }
    // Dependencies before sources, the runtime config late.
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("{s}"));
    assert!(at("RUN mix deps.get") < at("COPY lib lib"));
    assert!(at("COPY lib lib") < at("COPY config/runtime.exs"));
}

/// A scratch machine for the entrypoint: PGDATA, the socket directory and a release root
/// with the stand-in, all usable by the PostgreSQL user and `nobody`.
struct Box {
    dir: tempfile::TempDir,
}

impl Box {
    fn new(entrypoint_from: &Path) -> Box {
        let b = Box {
            dir: tempfile::tempdir().unwrap(),
        };
        let open =
            |p: &Path, mode: u32| fs::set_permissions(p, fs::Permissions::from_mode(mode)).unwrap();
        open(b.dir.path(), 0o755);
        fs::create_dir_all(b.path("release/bin")).unwrap();
        fs::copy(
            fixture_path("support/release-standin.sh"),
            b.path("release/bin/atelier"),
        )
        .unwrap();
        open(&b.path("release/bin/atelier"), 0o755);
        fs::create_dir_all(b.path("log")).unwrap();
        open(&b.path("log"), 0o777);
        fs::create_dir_all(b.path("pgdata")).unwrap();
        fs::copy(entrypoint_from, b.path("entrypoint.sh")).unwrap();
        b
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn entrypoint(&self) -> Command {
        let mut cmd = Command::new(require("sh"));
        cmd.arg(self.path("entrypoint.sh"))
            .env("PGDATA", self.path("pgdata"))
            .env("PGHOST", self.path("run"))
            .env("RELEASE_ROOT", self.path("release"))
            .env("PG_BIN", postgres_bin())
            .env("APP_USER", "nobody")
            .env("STANDIN_LOG", self.path("log/calls"))
            .env("SECRET_KEY_BASE", "test-only")
            .env("ANTHROPIC_API_KEY", "test-only")
            .env_remove("DATABASE_URL");
        cmd
    }

    fn calls(&self) -> Vec<String> {
        fs::read_to_string(self.path("log/calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// Start the entrypoint, and wait until the stand-in app runs.
    fn start(&self) -> Child {
        let before = self.calls().len();
        let mut child = self
            .entrypoint()
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !self.calls()[before.min(self.calls().len())..]
            .iter()
            .any(|c| c == "start")
        {
            if let Some(status) = child.try_wait().unwrap() {
                let out = child.wait_with_output().unwrap();
                panic!(
                    "entrypoint exited with {status}: {}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
            assert!(Instant::now() < deadline, "the app never started");
            std::thread::sleep(Duration::from_millis(100));
        }
        child
    }

    fn psql(&self, sql: &str) -> String {
        run_ok(
            Command::new(require("psql"))
                .args(["-U", "postgres", "-d", "postgres", "-tAc", sql, "-h"])
                .arg(self.path("run")),
        )
        .trim()
        .to_string()
    }

    fn cluster_state(&self) -> String {
        let out =
            run_ok(Command::new(postgres_bin().join("pg_controldata")).arg(self.path("pgdata")));
        out.lines()
            .find_map(|l| l.strip_prefix("Database cluster state:"))
            .unwrap()
            .trim()
            .to_string()
    }
}

/// Debian's PostgreSQL server programs.
fn postgres_bin() -> PathBuf {
    let mut found: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .expect("Debian's PostgreSQL; .ci/test installs it")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|p| p.join("postgres").exists())
        .collect();
    found.sort();
    found
        .pop()
        .expect("a PostgreSQL server under /usr/lib/postgresql")
}

/// SIGTERM to the entrypoint, as `docker stop` sends it, and its exit.
fn terminate(mut child: Child) -> (std::process::ExitStatus, String) {
    run_ok(Command::new("kill").args(["-TERM", &child.id().to_string()]));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return (status, err);
        }
        assert!(Instant::now() < deadline, "the entrypoint did not stop");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn root() -> bool {
    run_ok(Command::new("id").arg("-u")).trim() == "0"
}

#[test]
fn the_entrypoint_initialises_once_migrates_runs_the_app_and_stops_postgres_cleanly() {
    assert!(
        root(),
        "the entrypoint's test runs it as the container does, as root"
    );
    let dir = synced_project("container");
    let b = Box::new(&dir.path().join("docker/entrypoint.sh"));

    // First start: a cluster on a socket only, with logical replication, the role and database.
    let first = b.start();
    let conf = fs::read_to_string(b.path("pgdata/postgresql.conf")).unwrap();
    assert!(conf.contains("listen_addresses = ''"), "{conf}");
    assert!(conf.contains(&format!(
        "unix_socket_directories = '{}'",
        b.path("run").display()
    )));
    assert_eq!(b.psql("SHOW wal_level"), "logical");
    assert_eq!(b.psql("SHOW listen_addresses"), "");
    assert_eq!(b.psql("SELECT rolname FROM pg_roles WHERE rolname = 'atelier' AND rolcanlogin AND rolreplication"), "atelier");
    assert_eq!(
        b.psql("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'atelier'"),
        "atelier"
    );
    assert_eq!(b.calls(), ["eval Atelier.Release.migrate", "start"]);
    let (status, err) = terminate(first);
    assert!(status.success(), "{status}: {err}");
    assert!(
        err.contains("first start: initialising PostgreSQL"),
        "{err}"
    );
    assert_eq!(
        b.calls().last().map(String::as_str),
        Some("stopped"),
        "the app got the TERM"
    );
    assert_eq!(b.cluster_state(), "shut down");

    // Second start: the same cluster, no second initialisation.
    let version = fs::metadata(b.path("pgdata/PG_VERSION"))
        .unwrap()
        .modified()
        .unwrap();
    let second = b.start();
    let (status, err) = terminate(second);
    assert!(status.success(), "{status}: {err}");
    assert!(!err.contains("first start"), "{err}");
    assert_eq!(
        fs::metadata(b.path("pgdata/PG_VERSION"))
            .unwrap()
            .modified()
            .unwrap(),
        version
    );
    assert_eq!(b.cluster_state(), "shut down");

    // A command instead of the server (docker run IMAGE CMD, Fly's release_command): run as
    // the app's user with PostgreSQL around it, then PostgreSQL stopped.
    let out = b
        .entrypoint()
        .arg(b.path("release/bin/atelier"))
        .arg("eval")
        .arg("Atelier.Release.migrate")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        b.calls().last().map(String::as_str),
        Some("eval Atelier.Release.migrate")
    );
    assert_eq!(b.cluster_state(), "shut down");

    // A data directory that does not exist yet is made (a fresh volume path).
    let fresh = b.path("fresh-data");
    let out = b
        .entrypoint()
        .env("PGDATA", &fresh)
        .env("STANDIN_FAIL_MIGRATE", "1")
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("first start: initialising PostgreSQL"),
        "{out:?}"
    );
    assert!(fresh.join("PG_VERSION").exists());

    // A failing migration: no app, PostgreSQL stopped, a non-zero exit.
    let calls = b.calls().len();
    let out = b
        .entrypoint()
        .env("STANDIN_FAIL_MIGRATE", "1")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("migrations failed: not starting the app")
    );
    assert!(!b.calls()[calls..].iter().any(|c| c == "start"));
    assert_eq!(b.cluster_state(), "shut down");
}

#[test]
fn the_entrypoint_refuses_a_half_initialised_cluster_and_missing_secrets() {
    let dir = synced_project("container");
    let b = Box::new(&dir.path().join("docker/entrypoint.sh"));
    fs::write(b.path("pgdata/PG_VERSION"), "16\n").unwrap();
    let out = b.entrypoint().output().unwrap();
    assert_eq!(out.status.code(), Some(70));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("holds files but no finished initialisation"),
        "{err}"
    );
    assert_eq!(
        fs::read_to_string(b.path("pgdata/PG_VERSION")).unwrap(),
        "16\n",
        "left untouched"
    );

    let out = b
        .entrypoint()
        .env_remove("SECRET_KEY_BASE")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SECRET_KEY_BASE is not set"));
}

#[test]
fn the_release_module_migrates_every_repo_and_the_scripts_pass_shellcheck() {
    let dir = synced_project("container");
    let d = dir.path();
    for script in [
        "docker/entrypoint.sh",
        "rel/overlays/bin/server",
        "rel/overlays/bin/migrate",
        "rel/env.sh.eex",
    ] {
        run_ok(
            Command::new(require("shellcheck"))
                .args(["-s", "sh"])
                .arg(d.join(script)),
        );
    }
    let standin = "defmodule Ecto.Migrator do\n  def with_repo(repo, fun), do: {:ok, fun.(repo), []}\n  def run(repo, :up, all: true), do: send(self(), {:migrated, repo}) && []\nend\n";
    fs::write(d.join("migrator.ex"), standin).unwrap();
    let out = d.join("ebin");
    run_ok(
        Command::new(require("elixirc"))
            .arg("-o")
            .arg(&out)
            .arg(d.join("lib/atelier/release.ex"))
            .arg(d.join("migrator.ex")),
    );
    let script = "Application.put_env(:atelier, :ecto_repos, [Atelier.Repo, Atelier.Events])\n\
                  Atelier.Release.migrate()\n\
                  receive_all = fn f, acc -> receive do {:migrated, r} -> f.(f, [r | acc]) after 0 -> Enum.reverse(acc) end end\n\
                  IO.inspect(receive_all.(receive_all, []))";
    let migrated = run_ok(
        Command::new(require("elixir"))
            .arg("-pa")
            .arg(&out)
            .args(["-e", script]),
    );
    assert_eq!(migrated.trim(), "[Atelier.Repo, Atelier.Events]");
}

#[test]
fn the_containers_compose_file_is_accepted_and_passes_env_by_name_only() {
    let dir = synced_project("container");
    let file = dir.path().join("compose.container.yaml");
    let out = crate::services::compose_schema_check(&file);
    assert!(out.status.success(), "{out:?}");
    let out = crate::services::docker_compose_check(&file);
    assert!(out.status.success(), "{out:?}");
    let text = read(dir.path(), "compose.container.yaml");
    assert!(text.contains("      - SECRET_KEY_BASE\n"), "{text}");
    assert!(!text.contains("SECRET_KEY_BASE="), "never a value: {text}");
    assert!(text.contains("\"~/.ssh:/home/app/.ssh:ro\""), "{text}");
}

#[test]
fn the_frontend_is_served_by_phoenix_and_sync_says_which_router_line_it_needs() {
    let dir =
        crate::support::project_with_spec(&crate::support::read_fixture("specs/container.toml"));
    let d = dir.path();
    let out = crate::support::devgen(d, &["sync"]);
    crate::support::assert_exit(&out, 0);
    let err = crate::support::stderr(&out);
    assert!(
        err.contains("add\n    get \"/*path\", SpaController, :index\n  last in the browser scope of lib/atelier_web/router.ex"),
        "{err}"
    );
    let doctor = |d: &Path| -> serde_json::Value {
        let out = crate::support::devgen(d, &["doctor", "--format", "json"]);
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let status = |report: &serde_json::Value| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "spa-route")
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(&doctor(d)), "fail");
    fs::write(
        d.join("lib/atelier_web/router.ex"),
        "defmodule AtelierWeb.Router do\n  scope \"/\", AtelierWeb do\n    get \"/*path\", SpaController, :index\n  end\nend\n",
    )
    .unwrap();
    let out = crate::support::devgen(d, &["sync"]);
    assert!(!crate::support::stderr(&out).contains("SpaController"));
    assert_eq!(status(&doctor(d)), "pass");

    // The controller compiles in a Phoenix-shaped app and sends index.html as HTML.
    let standins = "defmodule Plug.Conn do\n  def put_resp_content_type(conn, type), do: Map.put(conn, :type, type)\n  def send_file(conn, status, path), do: Map.merge(conn, %{status: status, file: path})\nend\n\
defmodule AtelierWeb do\n  def controller, do: quote(do: import(Plug.Conn))\n  defmacro __using__(which), do: apply(__MODULE__, which, [])\nend\n";
    fs::write(d.join("standins.ex"), standins).unwrap();
    // Application.app_dir finds an app by the name of its code path's directory.
    let ebin = d.join("build/atelier/ebin");
    run_ok(
        Command::new(require("elixirc"))
            .arg("-o")
            .arg(&ebin)
            .arg(d.join("standins.ex"))
            .arg(d.join("lib/atelier_web/controllers/spa_controller.ex")),
    );
    fs::write(
        ebin.join("atelier.app"),
        "{application, atelier, [{vsn, \"0.1.0\"}, {modules, []}, {applications, [kernel, stdlib]}]}.\n",
    )
    .unwrap();
    let sent = run_ok(
        Command::new(require("elixir"))
            .arg("-pa")
            .arg(&ebin)
            .args(["-e", "Application.load(:atelier); c = AtelierWeb.SpaController.index(%{}, %{}); IO.puts(\"#{c.status} #{c.type} #{Path.basename(c.file)}\")"]),
    );
    assert_eq!(sent.trim(), "200 text/html index.html");
}

#[test]
fn the_entrypoint_runs_as_an_unprivileged_user_too() {
    assert!(root(), "the test becomes the postgres user from root");
    let dir = synced_project("container");
    let b = Box::new(&dir.path().join("docker/entrypoint.sh"));
    run_ok(
        Command::new("chown")
            .args(["-R", "postgres"])
            .arg(b.dir.path()),
    );
    // The entrypoint itself as the postgres user: everything runs as that user.
    let cmd = b.entrypoint();
    let program = cmd.get_program().to_owned();
    let args: Vec<_> = cmd.get_args().map(|a| a.to_owned()).collect();
    let envs: Vec<_> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k.to_owned(), v?.to_owned())))
        .collect();
    let mut as_postgres = Command::new(require("setpriv"));
    as_postgres
        .args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program)
        .args(args)
        .envs(envs)
        .env_remove("DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let before = b.calls().len();
    let mut child = as_postgres.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while !b.calls()[before.min(b.calls().len())..]
        .iter()
        .any(|c| c == "start")
    {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the entrypoint exited early"
        );
        assert!(Instant::now() < deadline, "the app never started");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        b.psql("SELECT datname FROM pg_database WHERE datname = 'atelier'"),
        "atelier"
    );
    let (status, err) = terminate(child);
    assert!(status.success(), "{status}: {err}");
    assert_eq!(b.cluster_state(), "shut down");
}

#[test]
fn a_container_without_postgres_or_with_one_secret_is_still_clean_and_named_as_docker_takes_it() {
    let dir = crate::support::project_with_spec(
        "[project]\nname = \"shop_\"\n\n[toolchain]\nerlang = \"27\"\n\n[container]\npostgres = false\nenv = [\"SECRET_KEY_BASE\"]\n",
    );
    let d = dir.path();
    crate::support::assert_exit(&crate::support::devgen(d, &["sync"]), 0);
    for script in ["docker/entrypoint.sh", "rel/env.sh.eex"] {
        run_ok(
            Command::new(require("shellcheck"))
                .args(["-s", "sh"])
                .arg(d.join(script)),
        );
    }
    // Without PostgreSQL inside, the release needs DATABASE_URL from outside.
    let env = d.join("rel/env.sh.eex");
    let out = Command::new(require("sh"))
        .arg(&env)
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("set DATABASE_URL"));
    let out = Command::new(require("sh"))
        .arg(&env)
        .env("DATABASE_URL", "ecto://db/x")
        .output()
        .unwrap();
    assert!(out.status.success());
    let dockerfile = read(d, "Dockerfile");
    assert!(
        !dockerfile.contains("postgresql-"),
        "no PostgreSQL in the image"
    );
    let ok = hadolint(&d.join("Dockerfile"));
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stdout)
    );
    // shop_ is no image name; shop is.
    assert!(read(d, "compose.container.yaml").contains("image: \"shop\""));
    assert!(read(d, "devenv.nix").contains("docker build -t shop ."));
}
