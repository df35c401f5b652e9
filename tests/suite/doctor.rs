//! `devgen doctor` against real conditions: listeners the test opens on the project address,
//! a listener of the project's own, a real PostgreSQL started on the project address, a real
//! dnsmasq serving `devgen net`'s configuration, the system resolver reading a hosts file
//! (in a mount namespace of the test's own), a real tmux server laid out like overmind's,
//! and overmind's control socket.

use std::fs;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::net::Dnsmasq;
use crate::support::{assert_exit, devgen_cmd, require, run_ok, serve, stderr, stdout, Server};

/// A project address no other test, and likely no other test run on this machine, uses:
/// the process id picks the middle octets, `n` the last.
fn unique_ip(n: u8) -> String {
    let pid = std::process::id();
    format!("127.{}.{}.{n}", 100 + pid % 150, (pid / 150) % 250)
}

/// A registered project at a unique address, in a scratch machine.
struct Setup {
    dir: tempfile::TempDir,
    project: PathBuf,
    ip: String,
    host: String,
    /// The PATH doctor runs with: a directory of chosen programs.
    bin: PathBuf,
}

impl Setup {
    fn new(n: u8) -> Setup {
        Setup::with(n, "")
    }

    /// A project whose spec ends with `more` (sections of its own).
    fn with(n: u8, more: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let ip = unique_ip(n);
        let name = format!("doc{n}");
        let host = format!("{name}.example.test");
        let project = dir.path().join(&name);
        fs::create_dir_all(&project).unwrap();
        fs::write(
            project.join("devgen.toml"),
            format!(
                "[project]\nname = \"{name}\"\nhost = \"{host}\"\nip = \"{ip}\"\n\n[phoenix]\nport = 4100\nlive_debugger = 4107\n\n[postgres]\nport = 5532\n{more}"
            ),
        )
        .unwrap();
        let bin = dir.path().join("bin");
        fs::create_dir_all(&bin).unwrap();
        let s = Setup {
            project: fs::canonicalize(&project).unwrap(),
            dir,
            ip,
            host,
            bin,
        };
        assert_exit(&s.cmd(&["init"]).output().unwrap(), 0);
        s.link("tmux", &require("tmux"));
        s
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("registry.toml")
    }

    /// Put `target` on doctor's PATH as `name`.
    fn link(&self, name: &str, target: &Path) {
        let _ = fs::remove_file(self.bin.join(name));
        std::os::unix::fs::symlink(target, self.bin.join(name)).unwrap();
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = devgen_cmd(&self.project, args);
        cmd.env("DEVGEN_REGISTRY", self.registry())
            .env("PATH", &self.bin);
        cmd
    }

    fn doctor(&self, extra: &[&str]) -> (Output, Value) {
        let mut args = vec!["doctor", "--format", "json"];
        args.extend_from_slice(extra);
        let out = self.cmd(&args).output().unwrap();
        let json = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("{e}\n{}\n{}", stdout(&out), stderr(&out)));
        (out, json)
    }
}

/// The check named `id`.
fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no check {id} in {report:#}"))
}

#[track_caller]
fn assert_status(report: &Value, id: &str, status: &str) {
    let c = check(report, id);
    assert_eq!(c["status"], status, "{id}: {c:#}");
}

#[test]
fn the_json_report_has_one_entry_per_check_in_a_stable_shape() {
    let s = Setup::new(11);
    let (out, report) = s.doctor(&[]);
    // The system resolver knows nothing of *.example.test here: that fails, so exit 1.
    assert_exit(&out, 1);
    assert_eq!(report["status"], "failed");
    assert_eq!(report["exit_code"], 1);
    assert_eq!(report["project"]["ip"], s.ip.as_str());
    assert_eq!(report["project"]["host"], s.host.as_str());
    assert_eq!(report["project"]["root"], s.project.to_str().unwrap());
    let ids: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let mut keys: Vec<&String> = c.as_object().unwrap().keys().collect();
            keys.sort();
            assert_eq!(keys, ["fix", "id", "status", "summary"], "{c}");
            assert!(
                ["pass", "fail", "not-applicable"].contains(&c["status"].as_str().unwrap()),
                "{c}"
            );
            assert_eq!(
                c["fix"].is_string(),
                c["status"] == "fail",
                "a fix exactly for failures: {c}"
            );
            c["id"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        ids,
        [
            "registry",
            "ip",
            "dns-host",
            "dns-postgres-host",
            "dns-dnsmasq",
            "port-phoenix",
            "port-postgres",
            "port-live-debugger",
            "postgres",
            "devenv-nix",
            "tmux",
            "overmind-socket"
        ]
    );
    assert_status(&report, "devenv-nix", "pass");
    assert_status(&report, "dns-host", "fail");
    assert!(
        check(&report, "dns-host")["fix"]
            .as_str()
            .unwrap()
            .contains("devgen net --apply"),
        "{report:#}"
    );
    // Nothing runs, overmind is not on PATH: those say why they do not apply.
    assert_status(&report, "postgres", "not-applicable");
    assert_status(&report, "tmux", "not-applicable");
    assert!(
        check(&report, "tmux")["summary"]
            .as_str()
            .unwrap()
            .contains("overmind is not on PATH"),
        "{report:#}"
    );
    assert_status(&report, "overmind-socket", "not-applicable");
    assert_status(&report, "dns-dnsmasq", "not-applicable");

    // The text report: one line a check, the fix under each failure, a closing count.
    let out = s.cmd(&["doctor"]).output().unwrap();
    assert_exit(&out, 1);
    let text = stdout(&out);
    assert!(
        text.starts_with(&format!("devgen doctor: doc11 at {}", s.project.display())),
        "{text}"
    );
    assert!(text.contains("\n  pass  port-phoenix        "), "{text}");
    assert!(
        text.contains("\n  n/a   tmux                overmind is not on PATH"),
        "{text}"
    );
    assert!(text.contains("\n  FAIL  dns-host  "), "{text}");
    assert!(
        text.contains("                          fix: run `sudo devgen net --apply`"),
        "{text}"
    );
    assert!(
        text.ends_with("devgen doctor: 2 of 12 checks failed\n"),
        "{text}"
    );
}

/// `devgen doctor ARGS` for `s`, with /etc/hosts replaced by `hosts` in a mount namespace
/// of its own, so that the real system resolver answers from it.
fn doctor_with_hosts(s: &Setup, hosts: &Path, args: &[&str]) -> Output {
    Command::new(require("unshare"))
        .args(["--map-root-user", "--mount", "sh", "-c"])
        // mount comes from the test's PATH; doctor runs with the setup's.
        .arg("mount --bind \"$1\" /etc/hosts && export PATH=\"$2\" && shift 2 && exec \"$@\"")
        .arg("sh")
        .arg(hosts)
        .arg(&s.bin)
        .arg(env!("CARGO_BIN_EXE_devgen"))
        .arg("-C")
        .arg(&s.project)
        .arg("doctor")
        .args(args)
        .env("NO_COLOR", "1")
        .env("DEVGEN_REGISTRY", s.registry())
        .output()
        .unwrap()
}

#[test]
fn a_free_project_with_its_names_resolved_passes_every_check() {
    let s = Setup::new(12);
    // dnsmasq serving what `devgen net` writes for this machine.
    let out_dir = s.dir.path().join("net");
    let out = s
        .cmd(&[
            "net",
            "--platform",
            "linux",
            "--write",
            out_dir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let dns = Dnsmasq::start(&out_dir.join("dnsmasq.conf"), &s.host);
    assert_eq!(dns.query(&format!("postgres.{}", s.host)), s.ip);
    // The system resolver: a hosts file naming the project, as dnsmasq would answer.
    let hosts = s.dir.path().join("hosts");
    fs::write(&hosts, format!("{} {} postgres.{}\n", s.ip, s.host, s.host)).unwrap();

    let dns_arg = format!("127.0.0.1:{}", dns.port);
    let out = doctor_with_hosts(&s, &hosts, &["--format", "json", "--dns", &dns_arg]);
    let report: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}\n{}\n{}", stdout(&out), stderr(&out)));
    assert_exit(&out, 0);
    assert_eq!(report["status"], "ok");
    for id in [
        "registry",
        "ip",
        "dns-host",
        "dns-postgres-host",
        "dns-dnsmasq",
        "port-phoenix",
        "port-postgres",
        "port-live-debugger",
    ] {
        assert_status(&report, id, "pass");
    }
    assert!(
        check(&report, "dns-dnsmasq")["summary"]
            .as_str()
            .unwrap()
            .contains(&format!(
                "answers {} and postgres.{} with {}",
                s.host, s.host, s.ip
            )),
        "{report:#}"
    );

    // A dnsmasq that answers another address fails, with the fix.
    let wrong = s.dir.path().join("wrong.conf");
    fs::write(&wrong, format!("address=/{}/127.0.0.99\n", s.host)).unwrap();
    let other = Dnsmasq::start(&wrong, &s.host);
    let (out, report) = s.doctor(&["--dns", &format!("127.0.0.1:{}", other.port)]);
    assert_exit(&out, 1);
    assert_status(&report, "dns-dnsmasq", "fail");
    assert!(
        check(&report, "dns-dnsmasq")["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("{}: 127.0.0.99", s.host)),
        "{report:#}"
    );
}

#[test]
fn a_port_held_by_another_process_fails_with_the_fix() {
    let s = Setup::new(13);
    let _listener = TcpListener::bind(format!("{}:4100", s.ip)).unwrap();
    let (out, report) = s.doctor(&[]);
    assert_exit(&out, 1);
    let c = check(&report, "port-phoenix");
    assert_eq!(c["status"], "fail", "{c:#}");
    let me = std::process::id();
    let summary = c["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!("{}:4100 is held by pid {me} (", s.ip))
            && summary.ends_with(", not by this project"),
        "{c:#}"
    );
    let fix = c["fix"].as_str().unwrap();
    assert!(fix.contains(&format!("`kill {me}`")), "{c:#}");
    assert!(
        fix.contains("[phoenix] port in devgen.toml, then `devgen sync`"),
        "{c:#}"
    );
    // The other ports are untouched.
    assert_status(&report, "port-postgres", "pass");
    assert_status(&report, "port-live-debugger", "pass");
}

/// A listener started in `dir`, like a project's own server, until dropped.
impl Server {
    fn listen(dir: &Path, ip: &str, port: u16) -> Server {
        let mut child = Command::new(require("python3"))
            .args([
                "-c",
                "import socket, sys, time\n\
                 s = socket.socket(); s.bind((sys.argv[1], int(sys.argv[2]))); s.listen()\n\
                 print('ready', flush=True); time.sleep(120)",
                ip,
                &port.to_string(),
            ])
            .current_dir(dir)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        std::io::BufRead::read_line(
            &mut std::io::BufReader::new(child.stdout.as_mut().unwrap()),
            &mut line,
        )
        .unwrap();
        assert_eq!(line, "ready\n");
        Server(child)
    }
}

#[test]
fn a_port_held_by_the_projects_own_process_passes() {
    let s = Setup::new(14);
    let server = Server::listen(&s.project, &s.ip, 4107);
    let (_, report) = s.doctor(&[]);
    let c = check(&report, "port-live-debugger");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"].as_str().unwrap().contains(&format!(
            "is held by this project: pid {} (python3",
            server.0.id()
        )),
        "{c:#}"
    );
}

#[test]
fn a_tcp_listener_on_the_postgres_port_answers_when_pg_isready_is_absent() {
    let s = Setup::new(15);
    // PATH holds no pg_isready: doctor falls back to a TCP connection.
    let _listener = TcpListener::bind(format!("{}:5532", s.ip)).unwrap();
    let (_, report) = s.doctor(&[]);
    let c = check(&report, "postgres");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains("accepts TCP connections (pg_isready is not on PATH"),
        "{c:#}"
    );
    // With pg_isready on PATH, a listener that does not speak PostgreSQL's protocol fails.
    s.link("pg_isready", &require("pg_isready"));
    let (out, report) = s.doctor(&[]);
    assert_exit(&out, 1);
    let c = check(&report, "postgres");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["summary"].as_str().unwrap().starts_with("pg_isready: "),
        "{c:#}"
    );
}

/// The directory of the installed PostgreSQL server programs (Debian keeps them off PATH).
fn postgres_bin() -> PathBuf {
    let mut dirs: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is not installed; run the suite with .ci/test, which installs it")
        .map(|e| e.unwrap().path().join("bin"))
        .filter(|d| d.join("postgres").is_file() && d.join("initdb").is_file())
        .collect();
    dirs.sort();
    dirs.pop()
        .expect("no PostgreSQL server under /usr/lib/postgresql; .ci/test installs it")
}

#[test]
fn a_real_postgres_on_the_project_address_passes_pg_isready_and_the_port_check() {
    let s = Setup::new(16);
    let bin = postgres_bin();
    // devenv keeps PostgreSQL's data in the project, at .devenv/state/postgres.
    let data = s.project.join(".devenv/state/postgres");
    fs::create_dir_all(&data).unwrap();
    // PostgreSQL refuses to run as root: as root, run it as the postgres user.
    let root = run_ok(Command::new("id").arg("-u")).trim() == "0";
    let as_owner = |program: &str| -> Command {
        if root {
            let mut c = Command::new(require("setpriv"));
            c.args([
                "--reuid=postgres",
                "--regid=postgres",
                "--init-groups",
                "--",
            ])
            .arg(bin.join(program));
            c
        } else {
            Command::new(bin.join(program))
        }
    };
    if root {
        use std::os::unix::fs::PermissionsExt;
        let uid: u32 = run_ok(Command::new("id").args(["-u", "postgres"]))
            .trim()
            .parse()
            .unwrap();
        for dir in [
            s.dir.path(),
            &s.project,
            &s.project.join(".devenv"),
            &s.project.join(".devenv/state"),
        ] {
            fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::os::unix::fs::chown(&data, Some(uid), None).unwrap();
    }
    run_ok(
        as_owner("initdb")
            .args(["-A", "trust", "-U", "postgres", "--no-sync", "-D"])
            .arg(&data),
    );
    let mut server = as_owner("postgres")
        .arg("-D")
        .arg(&data)
        .args(["-h", &s.ip, "-p", "5532", "-k"])
        .arg(&data)
        .args(["-c", "fsync=off"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pg_isready = require("pg_isready");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !Command::new(&pg_isready)
        .args(["-h", &s.ip, "-p", "5532"])
        .output()
        .unwrap()
        .status
        .success()
    {
        assert!(Instant::now() < deadline, "PostgreSQL never started");
        assert!(server.try_wait().unwrap().is_none(), "PostgreSQL exited");
        std::thread::sleep(Duration::from_millis(100));
    }
    s.link("pg_isready", &pg_isready);
    let (_, report) = s.doctor(&[]);
    // Stop it before asserting, so that a failure leaves no server behind.
    let _ = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status();
    let _ = server.wait();

    let c = check(&report, "postgres");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"].as_str().unwrap().ends_with("(pg_isready)"),
        "{c:#}"
    );
    let c = check(&report, "port-postgres");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("(postgres, in {})", data.display())),
        "{c:#}"
    );
}

#[test]
fn overmind_socket_present_stale_or_missing() {
    let s = Setup::new(17);
    let sock = s.project.join(".overmind.sock");
    {
        let _live = UnixListener::bind(&sock).unwrap();
        let (_, report) = s.doctor(&[]);
        assert_status(&report, "overmind-socket", "pass");
        // overmind runs, so PostgreSQL not listening is a failure now, not "not applicable".
        let c = check(&report, "postgres");
        assert_eq!(c["status"], "fail", "{c:#}");
        assert!(
            c["fix"]
                .as_str()
                .unwrap()
                .contains("overmind connect devenv"),
            "{c:#}"
        );
    }
    // The listener is gone, its socket file stays: what a killed overmind leaves.
    let (out, report) = s.doctor(&[]);
    assert_exit(&out, 1);
    let c = check(&report, "overmind-socket");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["summary"].as_str().unwrap().contains("nothing answers"),
        "{c:#}"
    );
    assert!(
        c["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("`rm {}`", sock.display())),
        "{c:#}"
    );
    fs::remove_file(&sock).unwrap();

    // overmind's tmux server for this project still runs, without the socket.
    let tmpdir = tempfile::tempdir().unwrap();
    let name = "overmind-doc17-AbCdEfGhIjKlMnOpQrStU";
    let tmux = |args: &[&str]| {
        Command::new(require("tmux"))
            .env("TMUX_TMPDIR", tmpdir.path())
            .env_remove("TMUX")
            .args(["-L", name])
            .args(args)
            .current_dir(&s.project)
            .output()
            .unwrap()
    };
    assert!(tmux(&["new-session", "-d", "-s", "doc17", "sleep 120"])
        .status
        .success());
    let (out, report) = s.doctor(&[]);
    let _ = tmux(&["kill-server"]);
    assert_exit(&out, 1);
    let c = check(&report, "overmind-socket");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("-L {name}), but .overmind.sock is gone")),
        "{c:#}"
    );
    assert!(
        c["fix"]
            .as_str()
            .unwrap()
            .contains(&format!("`tmux -L {name} kill-server`")),
        "{c:#}"
    );
}

/// An `overmind` shaped like nixpkgs' wrapper: a script putting `tmux_dir` first on PATH.
/// doctor reads it and never runs it.
fn overmind_wrapper(bin: &Path, tmux_dir: &Path) {
    let script = format!(
        "#! /bin/bash -e\nPATH=${{PATH:+':'$PATH':'}}\nPATH=${{PATH/':''{dir}'':'/':'}}\nPATH='{dir}'$PATH\nexport PATH\nexec -a \"$0\" \"/nowhere/.overmind-wrapped\" \"$@\"\n",
        dir = tmux_dir.display()
    );
    let path = bin.join("overmind");
    fs::write(&path, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn overmind_and_path_tmux_versions_are_compared() {
    let s = Setup::new(18);
    let version = run_ok(Command::new(require("tmux")).arg("-V"))
        .trim()
        .to_string();

    // overmind's wrapper names a directory holding the same tmux as PATH.
    let same = s.dir.path().join("overmind-tmux/bin");
    fs::create_dir_all(&same).unwrap();
    std::os::unix::fs::symlink(require("tmux"), same.join("tmux")).unwrap();
    overmind_wrapper(&s.bin, &same);
    let (_, report) = s.doctor(&[]);
    let c = check(&report, "tmux");
    assert_eq!(c["status"], "pass", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("overmind and PATH both use {version}")),
        "{c:#}"
    );

    // Another build of tmux behind overmind: a stand-in that reports another version, as
    // home-manager's tmux next to devenv's does in seed 000's troubleshooting.
    let other = s.dir.path().join("old-tmux/bin");
    fs::create_dir_all(&other).unwrap();
    fs::write(other.join("tmux"), "#!/bin/sh\necho 'tmux 2.9a'\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(other.join("tmux"), fs::Permissions::from_mode(0o755)).unwrap();
    overmind_wrapper(&s.bin, &other);
    let (out, report) = s.doctor(&[]);
    assert_exit(&out, 1);
    let c = check(&report, "tmux");
    assert_eq!(c["status"], "fail", "{c:#}");
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .starts_with("overmind uses tmux 2.9a"),
        "{c:#}"
    );
    assert!(
        c["summary"]
            .as_str()
            .unwrap()
            .contains(&format!("PATH has {version}")),
        "{c:#}"
    );
    assert!(
        c["fix"].as_str().unwrap().contains("direnv reload"),
        "{c:#}"
    );
}

#[test]
fn in_shared_mode_postgres_is_checked_at_the_shared_address() {
    let s = Setup::new(19);
    let spec = fs::read_to_string(s.project.join("devgen.toml"))
        .unwrap()
        .replace("[project]\n", "[project]\nmode = \"shared\"\n")
        .replace("\n[postgres]\nport = 5532\n", "\n");
    fs::write(s.project.join("devgen.toml"), spec).unwrap();
    assert_exit(&s.cmd(&["sync"]).output().unwrap(), 0);
    let (_, report) = s.doctor(&[]);
    assert_status(&report, "registry", "pass");
    assert_status(&report, "port-postgres", "not-applicable");
    assert!(
        check(&report, "port-postgres")["summary"]
            .as_str()
            .unwrap()
            .contains("the machine's shared one at 127.0.0.2:5432"),
        "{report:#}"
    );
    assert_status(&report, "dns-postgres-host", "not-applicable");
    // Answering or not, the PostgreSQL checked is the shared one.
    let pg = check(&report, "postgres");
    assert!(
        pg["summary"].as_str().unwrap().contains("127.0.0.2:5432"),
        "{pg:#}"
    );
    if pg["status"] == "fail" {
        assert!(
            pg["fix"]
                .as_str()
                .unwrap()
                .contains("devgen shared --write DIR"),
            "{pg:#}"
        );
    }
}

#[test]
fn doctor_outside_a_project_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = devgen_cmd(dir.path(), &["doctor"]).output().unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("no devgen.toml"), "{}", stderr(&out));
}

/// A hand edit that devenv would refuse fails the `devenv-nix` check with its place, before
/// `devenv shell` would.
#[test]
fn a_devenv_nix_option_devenv_does_not_have_fails_the_devenv_nix_check() {
    let s = Setup::new(24);
    let file = s.project.join("devenv.nix");
    let text = fs::read_to_string(&file).unwrap();
    let edited = text.replacen("{\n", "{\n  services.postgres.prot = 5432;\n", 1);
    assert_ne!(edited, text, "the module opens a set on its own line");
    fs::write(&file, edited).unwrap();
    let (out, report) = s.doctor(&[]);
    assert_exit(&out, 1);
    assert_status(&report, "devenv-nix", "fail");
    let c = check(&report, "devenv-nix");
    let detail = c.to_string();
    assert!(
        detail.contains("services.postgres.prot") && detail.contains("devgen check"),
        "{c:#}"
    );
}

/// `program ARGS` started in the project, as devenv starts a service, once it listens on
/// `ip:port`.
fn service(dir: &Path, ip: &str, port: u16, program: &str, args: &[&str]) -> Server {
    serve(
        Command::new(require(program)).args(args).current_dir(dir),
        &format!("{ip}:{port}"),
    )
}

#[test]
fn doctor_asks_each_running_service_and_says_how_to_start_the_others() {
    let s = Setup::with(
        25,
        "\n[services.nats]\n[services.redis]\n[services.minio]\n[services.mailpit]\n",
    );
    let ip = s.ip.as_str();
    let _nats = service(
        &s.project,
        ip,
        4222,
        "nats-server",
        &["-a", ip, "-p", "4222", "-m", "8222"],
    );
    // redis-server works in its data directory, which devenv keeps in the project.
    let data = s.project.join(".devenv/state/redis");
    fs::create_dir_all(&data).unwrap();
    let dir = data.to_str().unwrap();
    let _redis = service(
        &s.project,
        ip,
        6379,
        "redis-server",
        &["--bind", ip, "--port", "6379", "--save", "", "--dir", dir],
    );
    // A program that takes MinIO's port but is no MinIO: it never answers.
    let _impostor = Server::listen(&s.project, ip, 9000);
    let (_, report) = s.doctor(&[]);
    // Held by the project's own servers, or free.
    for id in [
        "port-nats",
        "port-nats-monitor",
        "nats",
        "port-redis",
        "redis",
        "port-minio",
        "port-minio-console",
        "port-mailpit-smtp",
        "port-mailpit-ui",
    ] {
        assert_status(&report, id, "pass");
    }
    let nats = check(&report, "nats");
    assert!(
        nats["summary"]
            .as_str()
            .unwrap()
            .contains("(GET /healthz: HTTP/1.0 200 OK)"),
        "{nats:#}"
    );
    assert!(check(&report, "redis")["summary"]
        .as_str()
        .unwrap()
        .contains("(PING: +PONG)"));
    let minio = check(&report, "minio");
    assert_eq!(minio["status"], "fail", "{minio:#}");
    assert!(
        minio["summary"]
            .as_str()
            .unwrap()
            .contains("does not answer as MinIO would"),
        "{minio:#}"
    );
    assert!(
        minio["fix"].as_str().unwrap().contains("see port-minio"),
        "{minio:#}"
    );
    // Mailpit is not running, and neither is overmind: how to start the services.
    let mailpit = check(&report, "mailpit");
    assert_eq!(mailpit["status"], "not-applicable", "{mailpit:#}");
    assert!(
        mailpit["summary"].as_str().unwrap().contains("infra-up"),
        "{mailpit:#}"
    );
}

#[test]
fn doctor_asks_caddy_over_http2_and_says_how_to_trust_its_ca() {
    let s = Setup::with(26, "\n[proxy]\nport = 8100\n");
    s.link("curl", &require("curl"));
    let ip = s.ip.as_str();
    let (_, before) = s.doctor(&[]);
    assert_status(&before, "proxy", "not-applicable");
    assert!(check(&before, "proxy")["summary"]
        .as_str()
        .unwrap()
        .contains("overmind start"));
    // Phoenix's stand-in, then Caddy as the Procfile's proxy process runs it.
    let _phoenix = serve(
        Command::new(require("python3"))
            .arg(crate::support::fixture_path("support/standins.py"))
            .args(["http", "phoenix", ip, "4100"]),
        &format!("{ip}:4100"),
    );
    let procfile = fs::read_to_string(s.project.join("Procfile")).unwrap();
    let proxy = procfile
        .lines()
        .find_map(|l| l.strip_prefix("proxy: "))
        .unwrap();
    let _caddy = serve(
        Command::new(require("bash"))
            .args(["-c", proxy])
            .current_dir(&s.project)
            .env("XDG_DATA_HOME", s.dir.path().join("xdg-data"))
            .env("XDG_CONFIG_HOME", s.dir.path().join("xdg-config"))
            .env_remove("DEVGEN_IP")
            .env_remove("DEVGEN_HOST"),
        &format!("{ip}:8100"),
    );
    let (_, report) = s.doctor(&[]);
    assert_status(&report, "port-proxy", "pass");
    let proxy = check(&report, "proxy");
    assert_eq!(proxy["status"], "pass", "{proxy:#}");
    assert!(proxy["summary"]
        .as_str()
        .unwrap()
        .contains("over HTTP/2, with a certificate of this project's local CA"));
    // This machine has never been told to trust the project's CA.
    let trust = check(&report, "proxy-trust");
    assert_eq!(trust["status"], "fail", "{trust:#}");
    assert!(
        trust["fix"].as_str().unwrap().contains("caddy-trust"),
        "{trust:#}"
    );
    assert_status(&report, "proxy-routes", "pass");
}
