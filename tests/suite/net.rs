//! `devgen net` against the real programs: its dnsmasq configuration passes `dnsmasq --test`
//! and, served by a real dnsmasq on a loopback port, answers a real `dig` with each project's
//! address; its macOS script passes shellcheck and its plist Python's plistlib; `--apply`
//! into a scratch root twice changes nothing the second time.

use std::fs;
use std::net::UdpSocket;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{assert_exit, devgen_cmd, require, run_ok, stderr, stdout};

/// A registry with three projects, under other names and addresses than the defaults.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn with_projects() -> Machine {
        let m = Machine {
            dir: tempfile::tempdir().unwrap(),
        };
        assert_exit(&m.run(&m.project("storefront"), &["init"]), 0);
        let ledger = m.project("ledger");
        fs::create_dir_all(&ledger).unwrap();
        fs::write(
            ledger.join("devgen.toml"),
            "[project]\nname = \"ledger\"\nhost = \"books.acme.test\"\nip = \"127.0.0.77\"\n",
        )
        .unwrap();
        assert_exit(&m.run(&ledger, &["init"]), 0);
        assert_exit(&m.run(&m.project("wiki"), &["init"]), 0);
        m
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("registry.toml")
    }

    fn project(&self, name: &str) -> PathBuf {
        self.dir.path().join("src").join(name)
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        devgen_cmd(dir, args)
            .env("DEVGEN_REGISTRY", self.registry())
            .output()
            .unwrap()
    }

    fn net(&self, args: &[&str]) -> Output {
        let mut all = vec!["net"];
        all.extend_from_slice(args);
        self.run(self.dir.path(), &all)
    }
}

/// The (host, address) pairs the three projects must resolve to.
const ANSWERS: &[(&str, &str)] = &[
    ("storefront.test", "127.0.0.10"),
    ("postgres.storefront.test", "127.0.0.10"),
    ("books.acme.test", "127.0.0.77"),
    ("postgres.books.acme.test", "127.0.0.77"),
    ("wiki.test", "127.0.0.20"),
    ("postgres.wiki.test", "127.0.0.20"),
];

/// A real dnsmasq serving `conf` on 127.0.0.1:`port`, in the foreground; killed on drop.
pub struct Dnsmasq {
    child: Child,
    pub port: u16,
}

impl Dnsmasq {
    /// Start it, and wait until it answers `probe`.
    pub fn start(conf: &Path, probe: &str) -> Dnsmasq {
        // A port the kernel just handed out is free; dnsmasq takes it right after.
        let port = UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut cmd = Command::new(require("dnsmasq"));
        cmd.args([
            "--keep-in-foreground",
            "--port",
            &port.to_string(),
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            "--no-resolv",
            "--no-hosts",
            "--pid-file=",
            "--log-facility=-",
        ])
        .arg(format!("--conf-file={}", conf.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
        // As root dnsmasq would switch to a user that may not exist here; stay root.
        if run_ok(Command::new("id").arg("-u")).trim() == "0" {
            cmd.arg("--user=root");
        }
        let child = cmd.spawn().expect("dnsmasq starts");
        let mut d = Dnsmasq { child, port };
        let deadline = Instant::now() + Duration::from_secs(10);
        while d.query(probe).is_empty() {
            if let Some(status) = d.child.try_wait().unwrap() {
                let mut err = String::new();
                std::io::Read::read_to_string(d.child.stderr.as_mut().unwrap(), &mut err).unwrap();
                panic!("dnsmasq exited ({status}): {err}");
            }
            assert!(Instant::now() < deadline, "dnsmasq never answered");
            std::thread::sleep(Duration::from_millis(50));
        }
        d
    }

    /// `dig @127.0.0.1 -p PORT host +short`: the addresses it answers.
    pub fn query(&self, host: &str) -> String {
        let out = Command::new(require("dig"))
            .args(["@127.0.0.1", "-p", &self.port.to_string(), host, "A"])
            .args(["+short", "+time=1", "+tries=1"])
            .output()
            .unwrap();
        stdout(&out).trim().to_string()
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_real_dnsmasq_serving_the_written_config_answers_each_host_with_its_address() {
    let m = Machine::with_projects();
    let out_dir = m.dir.path().join("out");
    let out = m.net(&["--platform", "linux", "--write", out_dir.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("(install as /etc/dnsmasq.d/devgen.conf)"),
        "{}",
        stdout(&out)
    );
    let conf = out_dir.join("dnsmasq.conf");
    let text = fs::read_to_string(&conf).unwrap();
    for (host, ip) in ANSWERS {
        assert!(text.contains(&format!("address=/{host}/{ip}\n")), "{text}");
    }
    run_ok(
        Command::new(require("dnsmasq"))
            .arg("--test")
            .arg(format!("--conf-file={}", conf.display())),
    );

    let dns = Dnsmasq::start(&conf, ANSWERS[0].0);
    for (host, ip) in ANSWERS {
        assert_eq!(dns.query(host), *ip, "{host}");
    }
    // Nothing else is made up.
    assert_eq!(dns.query("elsewhere.test"), "");

    // The printed setup carries the same lines.
    let printed = stdout(&m.net(&["--platform", "linux"]));
    assert!(printed.contains(&text), "{printed}");
    assert!(printed.contains("#   Domains=~test\n"), "{printed}");
}

#[test]
fn what_devgen_net_prints_is_itself_a_dnsmasq_configuration() {
    let m = Machine::with_projects();
    for platform in ["linux", "macos"] {
        let out = m.net(&["--platform", platform]);
        assert_exit(&out, 0);
        let conf = m.dir.path().join(format!("printed-{platform}.conf"));
        fs::write(&conf, stdout(&out)).unwrap();
        run_ok(
            Command::new(require("dnsmasq"))
                .arg("--test")
                .arg(format!("--conf-file={}", conf.display())),
        );
        let dns = Dnsmasq::start(&conf, ANSWERS[0].0);
        for (host, ip) in ANSWERS {
            assert_eq!(dns.query(host), *ip, "{platform}: {host}");
        }
    }
    let printed = stdout(&m.net(&["--platform", "macos"]));
    for line in [
        "#   sudo ifconfig lo0 alias 127.0.0.77\n",
        "#   nat on lo0 from 127.0.0.20 to 127.0.0.20 -> 127.0.0.1\n",
        "#   nat-anchor \"devgen\"\n",
        "#   load anchor \"devgen\" from \"/etc/pf.anchors/devgen\"\n",
        "#   conf-file=/opt/homebrew/etc/dnsmasq.d/devgen.conf\n",
        "#   nameserver 127.0.0.1\n",
        "# 6. Send .test lookups to dnsmasq: /etc/resolver/test\n",
    ] {
        assert!(printed.contains(line), "{line}\n{printed}");
    }
}

#[test]
fn the_macos_files_pass_shellcheck_plistlib_and_dnsmasq() {
    let m = Machine::with_projects();
    let out_dir = m.dir.path().join("out");
    let out = m.net(&["--platform", "macos", "--write", out_dir.to_str().unwrap()]);
    assert_exit(&out, 0);
    let mut names: Vec<String> = fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "dev.devgen.loopback.plist",
            "dnsmasq.conf",
            "loopback-aliases.sh",
            "pf-anchor",
            "pf.conf-lines",
            "resolver-test"
        ]
    );
    let script = out_dir.join("loopback-aliases.sh");
    run_ok(Command::new(require("shellcheck")).arg(&script));
    run_ok(Command::new(require("bash")).arg("-n").arg(&script));
    let script_text = fs::read_to_string(&script).unwrap();
    assert!(
        script_text.contains("for ip in 127.0.0.10 127.0.0.20 127.0.0.77; do"),
        "{script_text}"
    );
    let plist = run_ok(Command::new(require("python3")).args([
        "-c",
        "import plistlib, sys, json; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        out_dir.join("dev.devgen.loopback.plist").to_str().unwrap(),
    ]));
    let plist: serde_json::Value = serde_json::from_str(&plist).unwrap();
    assert_eq!(plist["Label"], "dev.devgen.loopback");
    assert_eq!(plist["RunAtLoad"], true);
    assert_eq!(
        plist["ProgramArguments"][2],
        "/sbin/ifconfig lo0 alias 127.0.0.10; /sbin/ifconfig lo0 alias 127.0.0.20; /sbin/ifconfig lo0 alias 127.0.0.77"
    );
    let anchor = fs::read_to_string(out_dir.join("pf-anchor")).unwrap();
    assert!(
        anchor.contains("nat on lo0 from 127.0.0.77 to 127.0.0.77 -> 127.0.0.1\n"),
        "{anchor}"
    );
    assert_eq!(
        fs::read_to_string(out_dir.join("pf.conf-lines")).unwrap(),
        "nat-anchor \"devgen\"\nload anchor \"devgen\" from \"/etc/pf.anchors/devgen\"\n"
    );
    assert!(fs::read_to_string(out_dir.join("resolver-test"))
        .unwrap()
        .ends_with("\nnameserver 127.0.0.1\n"));
    run_ok(Command::new(require("dnsmasq")).arg("--test").arg(format!(
        "--conf-file={}",
        out_dir.join("dnsmasq.conf").display()
    )));
}

/// Every file under `dir` with its bytes and mtime.
fn state(dir: &Path) -> Vec<(PathBuf, Vec<u8>, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.clone(),
                    fs::read(&p).unwrap(),
                    fs::metadata(&p).unwrap().modified().unwrap(),
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn apply_into_a_scratch_root_twice_changes_nothing_the_second_time() {
    let m = Machine::with_projects();
    for platform in ["linux", "macos"] {
        let root = m.dir.path().join(format!("root-{platform}"));
        if platform == "macos" {
            // macOS's own pf.conf: devgen's lines go after Apple's, the rest stays.
            fs::create_dir_all(root.join("etc")).unwrap();
            fs::write(
                root.join("etc/pf.conf"),
                "# Apple's\nscrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nrdr-anchor \"com.apple/*\"\n\
                 dummynet-anchor \"com.apple/*\"\nanchor \"com.apple/*\"\nload anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\n",
            )
            .unwrap();
        }
        let apply = || {
            m.net(&[
                "--platform",
                platform,
                "--apply",
                "--root",
                root.to_str().unwrap(),
            ])
        };
        let first = apply();
        assert_exit(&first, 0);
        let said = stderr(&first);
        let before = state(&root);
        let second = apply();
        assert_exit(&second, 0);
        assert_eq!(
            state(&root),
            before,
            "{platform}: the second run touches nothing"
        );
        assert!(
            stderr(&second).starts_with("devgen net: nothing to change"),
            "{platform}: {}",
            stderr(&second)
        );

        let dnsmasq = match platform {
            "linux" => {
                assert!(said.contains("  created "), "{said}");
                assert!(
                    said.contains("commands not run: --root changes files only:\n    systemctl restart dnsmasq\n"),
                    "{said}"
                );
                assert!(
                    fs::read_to_string(root.join("etc/systemd/resolved.conf.d/devgen.conf"))
                        .unwrap()
                        .contains("DNS=127.0.0.1\nDomains=~test\n")
                );
                root.join("etc/dnsmasq.d/devgen.conf")
            }
            _ => {
                assert!(said.contains("  updated "), "{said}");
                assert!(said.contains("/sbin/pfctl -f /etc/pf.conf"), "{said}");
                assert_eq!(
                    fs::read_to_string(root.join("etc/pf.conf")).unwrap(),
                    "# Apple's\nscrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nnat-anchor \"devgen\"\n\
                     rdr-anchor \"com.apple/*\"\ndummynet-anchor \"com.apple/*\"\nanchor \"com.apple/*\"\n\
                     load anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\n\
                     load anchor \"devgen\" from \"/etc/pf.anchors/devgen\"\n"
                );
                assert!(root.join("etc/pf.anchors/devgen").is_file());
                assert!(root.join("etc/resolver/test").is_file());
                assert!(root
                    .join("Library/LaunchDaemons/dev.devgen.loopback.plist")
                    .is_file());
                let conf = root.join("opt/homebrew/etc/dnsmasq.d/devgen.conf");
                assert!(
                    fs::read_to_string(root.join("opt/homebrew/etc/dnsmasq.conf"))
                        .unwrap()
                        .contains(&format!(
                            "conf-file={}\n",
                            "/opt/homebrew/etc/dnsmasq.d/devgen.conf"
                        ))
                );
                conf
            }
        };
        run_ok(
            Command::new(require("dnsmasq"))
                .arg("--test")
                .arg(format!("--conf-file={}", dnsmasq.display())),
        );
    }

    // A new project: the next apply changes exactly the files that name projects.
    assert_exit(&m.run(&m.project("forum"), &["init"]), 0);
    let root = m.dir.path().join("root-linux");
    let out = m.net(&[
        "--platform",
        "linux",
        "--apply",
        "--root",
        root.to_str().unwrap(),
    ]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    assert!(
        said.contains(&format!(
            "  updated {}\n",
            root.join("etc/dnsmasq.d/devgen.conf").display()
        )),
        "{said}"
    );
    assert!(!said.contains("resolved.conf.d"), "same domains: {said}");
    assert!(fs::read_to_string(root.join("etc/dnsmasq.d/devgen.conf"))
        .unwrap()
        .contains("address=/forum.test/127.0.0.30\n"));
}

#[test]
fn two_projects_claiming_one_host_are_pointed_out() {
    let m = Machine::with_projects();
    let dir = m.project("books2");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("devgen.toml"),
        "[project]\nname = \"books2\"\nhost = \"books.acme.test\"\n",
    )
    .unwrap();
    let out = m.run(&dir, &["init"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("warning: host books.acme.test is also the host of project `ledger`"),
        "{}",
        stderr(&out)
    );
    let out = m.net(&["--platform", "linux"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out)
            .contains("both claim host books.acme.test; dnsmasq answers it with 127.0.0.30 only"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stdout(&out).matches("address=/books.acme.test/").count(), 1);
}

#[test]
fn with_no_project_registered_net_says_so() {
    let m = Machine {
        dir: tempfile::tempdir().unwrap(),
    };
    let out = m.net(&["--platform", "linux"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("no project is registered"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_project_in_shared_mode_brings_the_shared_postgres_address_into_the_aliases() {
    let m = Machine::with_projects();
    let out_dir = m.dir.path().join("before");
    assert_exit(
        &m.net(&["--platform", "macos", "--write", out_dir.to_str().unwrap()]),
        0,
    );
    let before = fs::read_to_string(out_dir.join("loopback-aliases.sh")).unwrap();
    assert!(
        !before.contains("127.0.0.2 "),
        "no project uses it yet: {before}"
    );

    let notes = m.project("notes");
    fs::create_dir_all(&notes).unwrap();
    fs::write(
        notes.join("devgen.toml"),
        "[project]\nname = \"notes\"\nmode = \"shared\"\n",
    )
    .unwrap();
    assert_exit(&m.run(&notes, &["init"]), 0);
    let out_dir = m.dir.path().join("after");
    assert_exit(
        &m.net(&["--platform", "macos", "--write", out_dir.to_str().unwrap()]),
        0,
    );
    let script = fs::read_to_string(out_dir.join("loopback-aliases.sh")).unwrap();
    assert!(
        script.contains("for ip in 127.0.0.2 127.0.0.10 127.0.0.20 127.0.0.30 127.0.0.77; do"),
        "{script}"
    );
    run_ok(Command::new(require("shellcheck")).arg(out_dir.join("loopback-aliases.sh")));
}

/// A host under a public domain (registered by an older devgen) must not take the whole
/// domain: net leaves it out and says so; a host under `home.arpa` routes `home.arpa`, not
/// all of `.arpa` (where reverse lookups live).
#[test]
fn net_routes_only_suffixes_reserved_for_local_use() {
    let m = Machine::with_projects();
    let nas = m.project("nas");
    fs::create_dir_all(&nas).unwrap();
    fs::write(
        nas.join("devgen.toml"),
        "[project]\nname = \"nas\"\nhost = \"nas.home.arpa\"\nip = \"127.0.0.88\"\n",
    )
    .unwrap();
    assert_exit(&m.run(&nas, &["init"]), 0);
    let registry = fs::read_to_string(m.registry()).unwrap();
    fs::write(
        m.registry(),
        registry.replace("\"wiki.test\"", "\"shop.com\""),
    )
    .unwrap();
    let out = m.net(&["--platform", "linux"]);
    assert_exit(&out, 0);
    let said = stdout(&out);
    assert!(said.contains("Domains=~home.arpa ~test\n"), "{said}");
    assert!(!said.contains("~com") && !said.contains("~arpa"), "{said}");
    assert!(!said.contains("address=/shop.com/"), "{said}");
    assert!(
        stderr(&out).contains(
            "registered with host shop.com, which is not under a suffix reserved for local use"
        ),
        "{}",
        stderr(&out)
    );
}
