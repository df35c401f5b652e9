//! The machine registry, through the devgen binary: addresses handed out in the seed's
//! convention, collisions refused with the other project named, `registry list|release|gc`,
//! and twenty inits racing for addresses at once.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{assert_exit, devgen_cmd, read, stderr, stdout};

/// A scratch machine: one registry file and a directory for projects.
struct Machine {
    dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        Machine {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn registry(&self) -> PathBuf {
        self.dir.path().join("config/devgen/registry.toml")
    }

    fn project(&self, name: &str) -> PathBuf {
        self.dir.path().join("src").join(name)
    }

    fn cmd(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = devgen_cmd(dir, args);
        cmd.env("DEVGEN_REGISTRY", self.registry());
        cmd
    }

    fn run(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd(dir, args).output().expect("devgen runs")
    }

    fn list_json(&self) -> serde_json::Value {
        let out = self.run(self.dir.path(), &["registry", "list", "--format", "json"]);
        assert_exit(&out, 0);
        serde_json::from_str(&stdout(&out)).unwrap()
    }

    /// (name, ip) of every entry, in the order `list` gives (by address).
    fn ips(&self) -> Vec<(String, String)> {
        self.list_json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["name"].as_str().unwrap().to_string(),
                    e["ip"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

fn spec_ip(dir: &Path) -> String {
    read(dir, "devgen.toml")
        .lines()
        .find_map(|l| l.strip_prefix("ip = "))
        .unwrap_or_else(|| panic!("no ip in {}", read(dir, "devgen.toml")))
        .trim_matches('"')
        .to_string()
}

#[test]
fn three_projects_initialised_one_after_another_get_10_20_30() {
    let m = Machine::new();
    for (name, ip) in [
        ("shop", "127.0.0.10"),
        ("blog", "127.0.0.20"),
        ("wiki", "127.0.0.30"),
    ] {
        let dir = m.project(name);
        let out = m.run(&dir, &["init"]);
        assert_exit(&out, 0);
        assert_eq!(spec_ip(&dir), ip);
        assert!(read(&dir, "devenv.nix").contains(&format!("then \"{ip}\" else ip;")));
        assert!(
            stderr(&out).contains(&format!("{name} ({ip}) registered in the machine registry")),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(
        m.ips(),
        [
            ("shop".to_string(), "127.0.0.10".to_string()),
            ("blog".to_string(), "127.0.0.20".to_string()),
            ("wiki".to_string(), "127.0.0.30".to_string()),
        ]
    );
    let json = m.list_json();
    let shop = &json["entries"][0];
    assert_eq!(
        shop["root"].as_str().unwrap(),
        fs::canonicalize(m.project("shop"))
            .unwrap()
            .to_str()
            .unwrap()
    );
    assert_eq!(shop["host"], "shop.test");
    assert_eq!(
        shop["ports"],
        serde_json::json!({"phoenix": 4000, "postgres": 5432, "live_debugger": 4007})
    );
    assert_eq!(shop["worktree_of"], serde_json::Value::Null);
    assert_eq!(shop["root_exists"], true);

    // The table: a header and one row each, address order.
    let out = m.run(m.dir.path(), &["registry", "list"]);
    assert_exit(&out, 0);
    let table = stdout(&out);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 4, "{table}");
    assert!(
        lines[0].starts_with("NAME  IP          HOST       PHOENIX  POSTGRES  LIVE_DEBUGGER  ROOT"),
        "{table}"
    );
    assert!(
        lines[2].starts_with("blog  127.0.0.20  blog.test  4000     5432      4007"),
        "{table}"
    );
}

#[test]
fn init_again_keeps_the_address_and_the_registry_bytes() {
    let m = Machine::new();
    let dir = m.project("shop");
    assert_exit(&m.run(&dir, &["init"]), 0);
    assert_exit(&m.run(&m.project("blog"), &["init"]), 0);
    let before = fs::read(m.registry()).unwrap();
    let out = m.run(&dir, &["init"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("shop (127.0.0.10) is already in the machine registry"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read(m.registry()).unwrap(), before);

    // Without its ip line, init takes the same address back from the registry.
    let spec = read(&dir, "devgen.toml").replace("ip = \"127.0.0.10\"\n", "");
    fs::write(dir.join("devgen.toml"), spec).unwrap();
    assert_exit(&m.run(&dir, &["init"]), 0);
    assert_eq!(spec_ip(&dir), "127.0.0.10");
    assert_eq!(m.ips().len(), 2);
}

#[test]
fn init_writes_the_address_into_an_existing_spec_keeping_its_comments() {
    let m = Machine::new();
    assert_exit(&m.run(&m.project("first"), &["init"]), 0);
    let dir = m.project("shop");
    fs::create_dir_all(&dir).unwrap();
    let spec = "# The shop.\n[project]\nname = \"shop\"   # short\nhost = \"the-shop.test\"\n\n# tools\n[toolchain]\nelixir = \"1.18\"\n";
    fs::write(dir.join("devgen.toml"), spec).unwrap();

    // A dry run shows the change and registers nothing.
    let out = m.run(&dir, &["init", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("+ip = \"127.0.0.20\""),
        "{}",
        stdout(&out)
    );
    assert_eq!(m.ips().len(), 1);
    assert_eq!(read(&dir, "devgen.toml"), spec);

    assert_exit(&m.run(&dir, &["init"]), 0);
    assert_eq!(
        read(&dir, "devgen.toml"),
        "# The shop.\n[project]\nname = \"shop\"   # short\nhost = \"the-shop.test\"\n\
         # This project's own loopback address, taken from the machine registry\nip = \"127.0.0.20\"\n\n\
         # tools\n[toolchain]\nelixir = \"1.18\"\n"
    );
    let json = m.list_json();
    assert_eq!(json["entries"][1]["host"], "the-shop.test");
}

#[test]
fn an_address_held_by_another_project_is_an_error_naming_it() {
    let m = Machine::new();
    let shop = m.project("shop");
    assert_exit(&m.run(&shop, &["init"]), 0);
    let shop_root = fs::canonicalize(&shop).unwrap();

    // In the spec: the error points at the line, names the other project and says how out.
    let dir = m.project("blog");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("devgen.toml"),
        "[project]\nname = \"blog\"\nip = \"127.0.0.10\"\n",
    )
    .unwrap();
    let out = m.run(&dir, &["init"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "error: ip 127.0.0.10 is already used by project `shop` at {}",
            shop_root.display()
        )),
        "{err}"
    );
    assert!(err.contains("--> devgen.toml:3:6"), "{err}");
    assert!(err.contains("127.0.0.20 is free"), "{err}");
    assert!(
        err.contains(&format!("devgen registry release {}", shop_root.display())),
        "{err}"
    );
    assert!(!dir.join("devenv.nix").exists(), "nothing is written");
    assert_eq!(m.ips().len(), 1);

    // From the command line.
    let out = m.run(&m.project("wiki"), &["init", "--ip", "127.0.0.10"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("--ip: ip 127.0.0.10 is already used by project `shop`"),
        "{}",
        stderr(&out)
    );
    assert!(!m.project("wiki").join("devgen.toml").exists());

    // An address of its own is fine, and sync then refuses to move onto shop's.
    let out = m.run(&m.project("wiki"), &["init", "--ip", "127.0.0.77"]);
    assert_exit(&out, 0);
    let wiki = m.project("wiki");
    let spec = read(&wiki, "devgen.toml").replace("127.0.0.77", "127.0.0.10");
    fs::write(wiki.join("devgen.toml"), spec).unwrap();
    let out = m.run(&wiki, &["sync"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("already used by project `shop`"),
        "{}",
        stderr(&out)
    );
    assert!(read(&wiki, "devenv.nix").contains("\"127.0.0.77\""));
    // diff says what sync would: an error, not drift sync cannot write.
    let out = m.run(&wiki, &["diff"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("already used by project `shop`"),
        "{}",
        stderr(&out)
    );
}

/// The shared PostgreSQL's default address is reserved before any project uses it: a
/// project's own PostgreSQL there would take it from the first shared-mode project.
#[test]
fn the_shared_postgres_default_address_is_reserved_in_an_empty_registry() {
    let m = Machine::new();
    let out = m.run(&m.project("shop"), &["init", "--ip", "127.0.0.2"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out)
            .contains("postgres on 127.0.0.2:5432 collides with the shared-services PostgreSQL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn an_address_and_port_of_the_shared_postgres_collides() {
    let m = Machine::new();
    fs::create_dir_all(m.registry().parent().unwrap()).unwrap();
    fs::write(
        m.registry(),
        "version = 1\n\n[shared]\npostgres = \"127.0.0.2:5432\"\n",
    )
    .unwrap();
    let dir = m.project("shop");
    let out = m.run(&dir, &["init", "--ip", "127.0.0.2"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out)
            .contains("postgres on 127.0.0.2:5432 collides with the shared-services PostgreSQL"),
        "{}",
        stderr(&out)
    );
    // Another PostgreSQL port on that address does not. (The failed init left no
    // directory behind.)
    assert!(!dir.exists());
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("devgen.toml"),
        "[project]\nname = \"shop\"\nip = \"127.0.0.2\"\n[postgres]\nport = 5433\n",
    )
    .unwrap();
    assert_exit(&m.run(&dir, &["init"]), 0);
    // The shared address's block is no one's: the first project still gets .10.
    assert_exit(&m.run(&m.project("blog"), &["init"]), 0);
    assert_eq!(spec_ip(&m.project("blog")), "127.0.0.10");
}

#[test]
fn a_shared_mode_project_claims_no_postgres_port_on_its_address() {
    let m = Machine::new();
    let dir = m.project("ledger");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("devgen.toml"),
        "[project]\nname = \"ledger\"\nmode = \"shared\"\n",
    )
    .unwrap();
    assert_exit(&m.run(&dir, &["init"]), 0);
    let json = m.list_json();
    assert_eq!(
        json["entries"][0]["ports"],
        serde_json::json!({"phoenix": 4000, "postgres": null, "live_debugger": 4007})
    );
    let text = fs::read_to_string(m.registry()).unwrap();
    assert!(
        text.contains("ports = { phoenix = 4000, live_debugger = 4007 }\n"),
        "{text}"
    );
    let out = m.run(m.dir.path(), &["registry", "list"]);
    assert!(
        stdout(&out).contains("ledger  127.0.0.10  ledger.test  4000     shared    4007"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn sync_and_diff_on_a_spec_without_ip_use_the_registered_address() {
    let m = Machine::new();
    assert_exit(&m.run(&m.project("shop"), &["init"]), 0);
    let dir = m.project("blog");
    assert_exit(&m.run(&dir, &["init"]), 0);
    let spec = read(&dir, "devgen.toml").replace("ip = \"127.0.0.20\"\n", "");
    fs::write(dir.join("devgen.toml"), &spec).unwrap();
    let registry = fs::read(m.registry()).unwrap();
    let mtime = fs::metadata(m.registry()).unwrap().modified().unwrap();

    let out = m.run(&dir, &["diff"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains(
            "names no ip; using 127.0.0.20, this project's address in the machine registry"
        ),
        "{}",
        stderr(&out)
    );
    let out = m.run(&dir, &["sync"]);
    assert_exit(&out, 0);
    assert!(read(&dir, "devenv.nix").contains("\"127.0.0.20\""));
    assert_eq!(
        read(&dir, "devgen.toml"),
        spec,
        "sync leaves the spec alone"
    );
    // diff and sync only read the registry.
    assert_eq!(fs::read(m.registry()).unwrap(), registry);
    assert_eq!(
        fs::metadata(m.registry()).unwrap().modified().unwrap(),
        mtime
    );
}

#[test]
fn an_unregistered_spec_without_ip_falls_back_to_10_and_says_so() {
    let m = Machine::new();
    assert_exit(&m.run(&m.project("shop"), &["init"]), 0);
    let dir = m.project("blog");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("devgen.toml"), "[project]\nname = \"blog\"\n").unwrap();
    let registry = fs::read(m.registry()).unwrap();
    let out = m.run(&dir, &["sync"]);
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(err.contains("not in the machine registry"), "{err}");
    assert!(err.contains("using 127.0.0.10"), "{err}");
    assert!(
        err.contains("run `devgen init` to take a free address"),
        "{err}"
    );
    assert!(
        err.contains("127.0.0.10 is the address of project `shop`"),
        "{err}"
    );
    assert_eq!(
        fs::read(m.registry()).unwrap(),
        registry,
        "sync registers nothing"
    );

    // diff with no registry at all creates none.
    let lone = Machine::new();
    let out = lone.run(&dir, &["diff"]);
    assert_exit(&out, 0);
    assert!(!lone.registry().exists());
    assert!(!lone.registry().parent().unwrap().exists());
}

#[test]
fn sync_carries_a_registered_projects_new_address_and_ports_into_the_registry() {
    let m = Machine::new();
    let dir = m.project("shop");
    assert_exit(&m.run(&dir, &["init"]), 0);
    let spec = read(&dir, "devgen.toml")
        .replace("127.0.0.10", "127.0.0.70")
        .replace("live_debugger = 4007", "live_debugger = false");
    fs::write(dir.join("devgen.toml"), spec).unwrap();
    let out = m.run(&dir, &["sync", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("would follow devgen.toml"),
        "{}",
        stderr(&out)
    );
    assert_eq!(m.ips()[0].1, "127.0.0.10");
    let out = m.run(&dir, &["sync"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("shop (127.0.0.70) updated in the machine registry"),
        "{}",
        stderr(&out)
    );
    let json = m.list_json();
    assert_eq!(json["entries"][0]["ip"], "127.0.0.70");
    assert_eq!(
        json["entries"][0]["ports"]["live_debugger"],
        serde_json::Value::Null
    );
    // Block .10 is free again.
    assert_exit(&m.run(&m.project("blog"), &["init"]), 0);
    assert_eq!(spec_ip(&m.project("blog")), "127.0.0.10");
}

#[test]
fn release_frees_an_address_and_gc_drops_projects_that_are_gone() {
    let m = Machine::new();
    for name in ["shop", "blog", "wiki", "docs"] {
        assert_exit(&m.run(&m.project(name), &["init"]), 0);
    }
    // release with no PATH: the project around the current directory (-C, here a subdirectory).
    let out = m.run(&m.project("blog").join("config"), &["registry", "release"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("released project `blog`") && stderr(&out).contains("127.0.0.20"),
        "{}",
        stderr(&out)
    );
    // release PATH, relative to -C.
    let out = m.run(&m.dir.path().join("src"), &["registry", "release", "wiki"]);
    assert_exit(&out, 0);
    assert_eq!(
        m.ips(),
        [
            ("shop".to_string(), "127.0.0.10".to_string()),
            ("docs".to_string(), "127.0.0.40".to_string()),
        ]
    );
    // Releasing what is not there is no error.
    let out = m.run(&m.dir.path().join("src"), &["registry", "release", "wiki"]);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("nothing to release"),
        "{}",
        stderr(&out)
    );
    // The freed block is handed out again, lowest first.
    assert_exit(&m.run(&m.project("new"), &["init"]), 0);
    assert_eq!(spec_ip(&m.project("new")), "127.0.0.20");

    // gc: only the project whose directory is gone goes.
    fs::remove_dir_all(m.project("docs")).unwrap();
    let out = m.run(m.dir.path(), &["registry", "list"]);
    assert!(stdout(&out).contains("(gone)"), "{}", stdout(&out));
    let out = m.run(m.dir.path(), &["registry", "gc"]);
    assert_exit(&out, 0);
    let docs_root = m.dir.path().canonicalize().unwrap().join("src/docs");
    assert_eq!(
        stdout(&out),
        format!("dropped docs 127.0.0.40 {}\n", docs_root.display())
    );
    assert_eq!(m.ips().len(), 2);
    let out = m.run(m.dir.path(), &["registry", "gc"]);
    assert_exit(&out, 0);
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("nothing to drop"), "{}", stderr(&out));
}

#[test]
fn twenty_inits_at_once_get_twenty_addresses() {
    let m = Machine::new();
    let children: Vec<_> = (0..20)
        .map(|i| {
            m.cmd(&m.project(&format!("p{i:02}")), &["init"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_exit(&out, 0);
    }
    let mut ips: Vec<String> = (0..20)
        .map(|i| spec_ip(&m.project(&format!("p{i:02}"))))
        .collect();
    ips.sort_by_key(|ip| ip.parse::<std::net::Ipv4Addr>().unwrap());
    let expected: Vec<String> = (1..=20).map(|n| format!("127.0.0.{}", n * 10)).collect();
    assert_eq!(
        ips, expected,
        "twenty distinct addresses, the first twenty blocks"
    );
    // The registry is whole and agrees with every spec.
    let listed = m.ips();
    assert_eq!(listed.len(), 20);
    for (name, ip) in listed {
        assert_eq!(spec_ip(&m.project(&name)), ip);
    }
    assert!(!fs::read_dir(m.registry().parent().unwrap())
        .unwrap()
        .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp")));
}

#[test]
fn a_broken_registry_is_an_error_pointing_into_it() {
    let m = Machine::new();
    fs::create_dir_all(m.registry().parent().unwrap()).unwrap();
    fs::write(
        m.registry(),
        "version = 1\n\n[[project]]\nroot = \"/somewhere\"\nname = \"x\"\nhost = \"x.test\"\nip = \"127.0.0.300\"\nports = { phoenix = 4000, postgres = 5432 }\n",
    )
    .unwrap();
    let before = fs::read(m.registry()).unwrap();
    let out = m.run(&m.project("shop"), &["init"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains(&format!("--> {}:7:6", m.registry().display())),
        "{err}"
    );
    assert!(err.contains("7 | ip = \"127.0.0.300\""), "{err}");
    assert!(err.contains("= help:"), "{err}");
    assert_eq!(fs::read(m.registry()).unwrap(), before);
    assert_exit(&m.run(m.dir.path(), &["registry", "list"]), 2);
}

#[test]
fn the_registry_lives_under_xdg_config_home_else_home() {
    let home = tempfile::tempdir().unwrap();
    let xdg = tempfile::tempdir().unwrap();
    let project = home.path().join("shop");
    let run = |xdg_value: Option<&Path>| {
        let mut cmd = devgen_cmd(&project, &["init"]);
        cmd.env_remove("DEVGEN_REGISTRY").env("HOME", home.path());
        match xdg_value {
            Some(x) => cmd.env("XDG_CONFIG_HOME", x),
            None => cmd.env_remove("XDG_CONFIG_HOME"),
        };
        cmd.output().unwrap()
    };
    assert_exit(&run(Some(xdg.path())), 0);
    assert!(xdg.path().join("devgen/registry.toml").is_file());
    assert!(!home.path().join(".config").exists());
    // A relative XDG_CONFIG_HOME is to be ignored, says the XDG spec.
    fs::remove_dir_all(&project).unwrap();
    assert_exit(&run(Some(Path::new("relative/dir"))), 0);
    assert!(home.path().join(".config/devgen/registry.toml").is_file());
    // Without HOME, XDG_CONFIG_HOME is enough.
    fs::remove_dir_all(&project).unwrap();
    let other = tempfile::tempdir().unwrap();
    let out = devgen_cmd(&project, &["init"])
        .env_remove("DEVGEN_REGISTRY")
        .env_remove("HOME")
        .env("XDG_CONFIG_HOME", other.path())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(other.path().join("devgen/registry.toml").is_file());
}
