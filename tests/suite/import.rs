//! `devgen import` on projects that existed before devgen (`fixtures/import/<case>/`): the
//! spec it writes says what their files say, each value reported with its file and line;
//! what devgen.toml cannot say stays in its file; and the `sync` that follows keeps every
//! byte of the user's.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use nix_edit::{NixDocument, ValueKind};
use serde_json::Value;

use crate::support::{
    assert_exit, devgen, devgen_on, files_under, fixture_path, nix_parses, read, stderr, stdout,
};

/// A copy of `fixtures/import/<case>` in a fresh directory named `name`.
fn existing_project(case: &str, name: &str) -> (tempfile::TempDir, PathBuf) {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join(name);
    copy_dir(&fixture_path(&format!("import/{case}")), &dir);
    (parent, dir)
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file of the project and its text.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let text = read(dir, &f);
            (f, text)
        })
        .collect()
}

fn spec(dir: &Path) -> toml_edit::DocumentMut {
    read(dir, "devgen.toml")
        .parse()
        .expect("import writes TOML")
}

/// The report has a line with all of `parts`, in order, apart only by spaces.
#[track_caller]
fn reports(said: &str, parts: &[&str]) {
    let found = said.lines().any(|l| {
        let mut rest = l.trim_start();
        parts.iter().all(|p| match rest.strip_prefix(p) {
            Some(r) => {
                rest = r.trim_start();
                true
            }
            None => false,
        })
    });
    assert!(found, "no line with {parts:?} in:\n{said}");
}

#[test]
fn import_describes_a_devenv_project_naming_file_and_line_for_each_value() {
    let (_parent, dir) = existing_project("devenv-shop", "shop");
    let before = snapshot(&dir);
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(&said, &["toolchain.elixir = \"1.17\"", "devenv.nix:7"]);
    reports(&said, &["toolchain.erlang = \"27\"", "devenv.nix:7"]);
    reports(&said, &["toolchain.node = \"20\"", "devenv.nix:12"]);
    reports(&said, &["toolchain.postgres = \"15\"", "devenv.nix:17"]);
    reports(&said, &["postgres.port = 5433", "devenv.nix:19"]);
    reports(
        &said,
        &[
            "packages.extra = [\"git\", \"flyctl\", \"imagemagick\"]",
            "devenv.nix:34",
        ],
    );
    reports(&said, &["env.STRIPE_MODE = \"test\"", "devenv.nix:32"]);
    reports(&said, &["phoenix.port = 4100", "config/dev.exs:16"]);
    reports(&said, &["phoenix.live_debugger = false", "mix.exs"]);
    // Redis is on with nothing else said: its table, with Redis's own port.
    reports(
        &said,
        &[
            "services.redis.port = 6379",
            "devenv.nix:28",
            "services.redis.enable = true",
        ],
    );
    reports(&said, &["devenv.nix:30", "processes.stripe.exec"]);
    reports(
        &said,
        &["devenv.nix:34", "packages: (pkgs.python3.withPackages"],
    );
    reports(&said, &["Procfile:1", "process worker"]);
    reports(&said, &["flake.nix:9", "outputs"]);
    assert!(
        said.contains("devenv.nix:18: PostgreSQL listens on \"127.0.0.1\""),
        "{said}"
    );
    assert!(
        said.contains("project.ip = \"127.0.0.10\": the next free address"),
        "{said}"
    );

    let spec = spec(&dir);
    assert_eq!(spec["project"]["name"].as_str(), Some("shop"));
    assert_eq!(spec["project"]["ip"].as_str(), Some("127.0.0.10"));
    assert_eq!(spec["toolchain"]["elixir"].as_str(), Some("1.17"));
    assert_eq!(spec["toolchain"]["erlang"].as_str(), Some("27"));
    assert_eq!(spec["toolchain"]["node"].as_str(), Some("20"));
    assert_eq!(spec["toolchain"]["postgres"].as_str(), Some("15"));
    assert_eq!(spec["phoenix"]["port"].as_integer(), Some(4100));
    assert_eq!(spec["phoenix"]["live_debugger"].as_bool(), Some(false));
    assert_eq!(spec["postgres"]["port"].as_integer(), Some(5433));
    assert_eq!(spec["env"]["STRIPE_MODE"].as_str(), Some("test"));
    // Names devgen derives anyway are left to it.
    assert!(spec["project"].get("app").is_none() && spec["postgres"].get("databases").is_none());

    // Nothing but devgen.toml and its first, empty lock is written.
    let after = snapshot(&dir);
    let added: Vec<&String> = after.keys().filter(|f| !before.contains_key(*f)).collect();
    assert_eq!(added, ["devgen.lock", "devgen.toml"]);
    for (file, text) in &before {
        assert_eq!(&after[file], text, "{file} changed");
    }
}

/// Every binding of `before` keeps its value in `after`, but at `replaced`; every element
/// of its lists is still in them.
#[track_caller]
fn kept_every_binding(file: &str, before: &str, after: &str, replaced: &[&str]) {
    let old = NixDocument::parse(file, before).unwrap();
    let new = NixDocument::parse(file, after).unwrap();
    for b in old.bindings().unwrap() {
        let path = b.path.segments().join(".");
        match b.kind {
            ValueKind::Set => {}
            ValueKind::List => {
                let now = new.list_elements(&b.path).unwrap();
                for e in old.list_elements(&b.path).unwrap() {
                    assert!(
                        now.iter().any(|n| n.text == e.text),
                        "{file}: {} left {path}:\n{after}",
                        e.text
                    );
                }
            }
            ValueKind::Other if replaced.contains(&path.as_str()) => {}
            ValueKind::Other => assert_eq!(
                new.get(&b.path).unwrap().as_deref(),
                Some(&before[b.value.clone()]),
                "{file}: {path} changed:\n{after}"
            ),
        }
    }
}

#[test]
fn import_then_sync_loses_nothing_the_user_wrote() {
    let (_parent, dir) = existing_project("devenv-shop", "shop");
    let before = snapshot(&dir);
    assert_exit(&devgen(&dir, &["import"]), 0);
    // The diff is what devgen adds: no conflict, no error for a missing lock.
    assert_exit(&devgen(&dir, &["diff"]), 1);
    let sync = devgen(&dir, &["sync"]);
    assert_exit(&sync, 0);
    assert_exit(&devgen(&dir, &["diff"]), 0);

    let listen = "services.postgres.listen_addresses";
    kept_every_binding(
        "devenv.nix",
        &before["devenv.nix"],
        &read(&dir, "devenv.nix"),
        &[listen],
    );
    let devenv = read(&dir, "devenv.nix");
    assert!(
        devenv.contains("  # Sessions and rate limits.\n  services.redis.enable = true;\n"),
        "{devenv}"
    );
    assert!(
        devenv.contains("] ++ lib.optionals pkgs.stdenv.isLinux [ pkgs.inotify-tools ];"),
        "{devenv}"
    );
    assert!(
        !devenv.contains("pkgs.lib.optionals"),
        "one Linux-only list, the team's:\n{devenv}"
    );
    let flake = read(&dir, "flake.nix");
    for line in before["flake.nix"]
        .lines()
        .filter(|l| !l.contains("outputs = {"))
    {
        assert!(flake.contains(line), "lost {line:?}:\n{flake}");
    }
    for file in ["Procfile", "config/dev.exs", "config/test.exs"] {
        let now = read(&dir, file);
        assert!(
            now.starts_with(&before[file]),
            "{file} lost the user's text:\n{now}"
        );
    }
    for file in [
        "mix.exs",
        "devenv.yaml",
        "assets/package.json",
        "config/config.exs",
    ] {
        assert_eq!(read(&dir, file), before[file], "{file} changed");
    }
    nix_parses(&dir, "devenv.nix");
    nix_parses(&dir, "flake.nix");
    assert_exit(&devgen(&dir, &["check", "devenv.nix"]), 0);
}

#[test]
fn import_reads_versions_and_ports_from_compose_and_tool_versions() {
    let (_parent, dir) = existing_project("compose-shop", "market");
    let compose = read(&dir, "docker-compose.yml");
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(&said, &["toolchain.erlang = \"27\"", ".tool-versions:1"]);
    reports(&said, &["toolchain.elixir = \"1.17\"", ".tool-versions:2"]);
    reports(
        &said,
        &[
            "toolchain.postgres = \"16\"",
            "docker-compose.yml:3",
            "image tag 16-alpine",
        ],
    );
    reports(&said, &["postgres.port = 5434", "config/dev.exs:8"]);
    reports(&said, &["phoenix.live_debugger = 4007", "mix.exs:34"]);
    reports(
        &said,
        &[
            "services.mailpit.ui_port = 8025",
            "docker-compose.yml:13",
            "ports: 8025:8025",
        ],
    );
    reports(
        &said,
        &[
            "services.mailpit.smtp_port = 1025",
            "docker-compose.yml:13",
            "ports: 1025:1025",
        ],
    );
    let spec = spec(&dir);
    assert_eq!(
        spec["services"]["mailpit"]["ui_port"].as_integer(),
        Some(8025)
    );
    assert_eq!(spec["toolchain"]["postgres"].as_str(), Some("16"));
    assert_eq!(spec["toolchain"]["node"].as_str(), Some("20"));
    assert_eq!(spec["postgres"]["port"].as_integer(), Some(5434));
    assert_exit(&devgen(&dir, &["sync"]), 0);
    assert_eq!(read(&dir, "docker-compose.yml"), compose);
    assert!(read(&dir, "config/devgen.exs").contains("port: 5434"));
}

#[test]
fn import_dry_run_prints_the_spec_it_would_write_and_writes_nothing() {
    let (_parent, dir) = existing_project("compose-shop", "market");
    let before = snapshot(&dir);
    let dry = devgen(&dir, &["import", "--dry-run"]);
    assert_exit(&dry, 0);
    assert!(
        stderr(&dry).contains("dry run: nothing written"),
        "{}",
        stderr(&dry)
    );
    assert_eq!(snapshot(&dir), before);
    assert_exit(&devgen(&dir, &["import"]), 0);
    assert_eq!(stdout(&dry), read(&dir, "devgen.toml"));
}

#[test]
fn import_json_names_each_value_with_its_file_and_line() {
    let (_parent, dir) = existing_project("devenv-shop", "shop");
    let out = devgen(&dir, &["import", "--format", "json"]);
    assert_exit(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("one JSON document");
    assert_eq!(report["written"], true);
    let port = report["taken"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "postgres.port")
        .expect("postgres.port taken");
    assert_eq!(port["value"], 5433);
    assert_eq!(port["file"], "devenv.nix");
    assert_eq!(port["line"], 19);
    let extra = report["taken"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "packages.extra")
        .unwrap();
    assert_eq!(
        extra["value"],
        serde_json::json!(["git", "flyctl", "imagemagick"])
    );
    let redis = report["taken"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["key"] == "services.redis.port")
        .unwrap();
    assert_eq!(redis["file"], "devenv.nix");
    assert_eq!(redis["line"], 28);
    assert_eq!(redis["value"], 6379);
    assert_eq!(report["next"]["verdict"], "drift");
    assert_eq!(
        report["spec"].as_str(),
        Some(read(&dir, "devgen.toml").as_str())
    );
}

#[test]
fn import_never_replaces_an_existing_spec() {
    let (_parent, dir) = existing_project("compose-shop", "market");
    fs::write(dir.join("devgen.toml"), "[project]\nname = \"mine\"\n").unwrap();
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("devgen.toml exists"),
        "{}",
        stderr(&out)
    );
    assert_eq!(read(&dir, "devgen.toml"), "[project]\nname = \"mine\"\n");
    assert!(!dir.join("devgen.lock").exists());
}

/// Lines of the user's that do a job of devgen's their own way (`use devenv`, a second
/// Phoenix) are reported by import; `sync` then refuses rather than losing or doubling them.
#[test]
fn lines_that_would_clash_are_reported_and_sync_changes_nothing() {
    let (_parent, dir) = existing_project("compose-shop", "market");
    fs::write(
        dir.join(".envrc"),
        "use devenv\nexport STRIPE_KEY=sk_test_123\n",
    )
    .unwrap();
    fs::write(dir.join("Procfile"), "phoenix: iex -S mix phx.server\n").unwrap();
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(&said, &[".envrc:1", "use devenv"]);
    reports(&said, &["Procfile:1", "process phoenix"]);
    assert!(
        !said.contains("sk_test_123"),
        "a secret is never repeated:\n{said}"
    );
    assert!(said.contains("2 in conflict"), "{said}");
    assert!(!read(&dir, "devgen.toml").contains("STRIPE_KEY"));
    let before = snapshot(&dir);
    assert_exit(&devgen(&dir, &["diff"]), 3);
    assert_exit(&devgen(&dir, &["sync"]), 3);
    assert_eq!(snapshot(&dir), before);
}

/// An address in the files that the machine registry gives another project is not taken:
/// the project gets its own, and the file's value is a conflict for the user to settle
/// rather than a silent change.
#[test]
fn an_address_another_project_holds_is_not_taken() {
    let (parent, dir) = existing_project("compose-shop", "market");
    let registry = parent.path().join("registry.toml");
    let other = parent.path().join("other");
    fs::create_dir(&other).unwrap();
    assert_exit(
        &devgen_on(&registry, &other, &["init", "--ip", "127.0.0.20"]),
        0,
    );
    fs::write(
        dir.join("devenv.nix"),
        "{ pkgs, ... }:\n{\n  services.postgres.listen_addresses = \"127.0.0.20\";\n}\n",
    )
    .unwrap();
    let out = devgen_on(&registry, &dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    assert!(
        said.contains("devenv.nix:3: 127.0.0.20 is the address of other"),
        "{said}"
    );
    let ip = spec(&dir)["project"]["ip"].as_str().unwrap().to_string();
    assert_ne!(ip, "127.0.0.20");
    assert!(said.contains("1 in conflict"), "{said}");
    reports(
        &said,
        &[
            "devenv.nix:",
            "devenv.nix:3:40: `services.postgres.listen_addresses` is \"127.0.0.20\"",
        ],
    );
    assert_exit(&devgen_on(&registry, &dir, &["sync"]), 3);
    assert!(read(&dir, "devenv.nix").contains("\"127.0.0.20\""));
}

#[test]
fn init_in_an_existing_project_imports_it_first() {
    let (_parent, dir) = existing_project("compose-shop", "market");
    let out = devgen(&dir, &["init"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    assert!(said.contains("taking from the existing files"), "{said}");
    reports(&said, &["postgres.port = 5434", "config/dev.exs:8"]);
    let spec = spec(&dir);
    assert_eq!(spec["toolchain"]["erlang"].as_str(), Some("27"));
    assert_eq!(spec["postgres"]["port"].as_integer(), Some(5434));
    assert_exit(&devgen(&dir, &["diff"]), 0);
}

/// A flake project's `.envrc` is nix-direnv's one line, `use flake`: devgen's block, which
/// loads the same flake, takes its place, and `init` ends with exit 0, keeping the rest.
#[test]
fn a_plain_use_flake_makes_way_for_devgens_block() {
    let (_parent, dir) = existing_project("devenv-shop", "shop");
    fs::write(dir.join(".envrc"), "use flake\ndotenv_if_exists .env\n").unwrap();
    let imported = devgen(&dir, &["import", "--dry-run"]);
    assert_exit(&imported, 0);
    assert!(stderr(&imported).contains(".envrc:1: `use flake` makes way for devgen's block"));
    let init = devgen(&dir, &["init"]);
    assert_exit(&init, 0);
    assert!(
        stderr(&init).contains("line 1 `use flake`"),
        "{}",
        stderr(&init)
    );
    let envrc = read(&dir, ".envrc");
    assert!(envrc.starts_with("dotenv_if_exists .env\n"), "{envrc}");
    assert_eq!(envrc.matches("use flake").count(), 1, "{envrc}");
    assert_exit(&devgen(&dir, &["diff"]), 0);
}

/// A database the team declared with more than its name (its own user) is that database:
/// devgen declares no second one, which devenv would try to create again.
#[test]
fn a_database_declared_with_its_own_user_is_not_declared_twice() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("app");
    fs::create_dir(&dir).unwrap();
    let databases =
        "initialDatabases = [ { name = \"app_dev\"; user = \"app\"; } { name = \"app_test\"; } ];";
    fs::write(
        dir.join("devenv.nix"),
        format!("{{ pkgs, ... }}:\n{{\n  services.postgres = {{\n    enable = true;\n    {databases}\n  }};\n}}\n"),
    )
    .unwrap();
    assert_exit(&devgen(&dir, &["init"]), 0);
    assert_exit(&devgen(&dir, &["sync"]), 0);
    assert_exit(&devgen(&dir, &["diff"]), 0);
    let devenv = read(&dir, "devenv.nix");
    assert!(devenv.contains(databases), "{devenv}");
    assert_eq!(devenv.matches("\"app_dev\"").count(), 1, "{devenv}");
}

/// A new directory has no files to take from: `init` says nothing of taking.
#[test]
fn init_in_a_new_directory_takes_nothing() {
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("fresh");
    let out = devgen(&dir, &["init"]);
    assert_exit(&out, 0);
    assert!(!stderr(&out).contains("taking from"), "{}", stderr(&out));
}

#[test]
fn importing_seed_003s_compose_infra_runs_the_same_services_in_devenv() {
    let (_parent, dir) = existing_project("compose-bus", "haven");
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(
        &said,
        &["services.nats.port = 4222", "docker-compose.yml:11"],
    );
    reports(
        &said,
        &["services.nats.jetstream = true", "docker-compose.yml:11"],
    );
    reports(
        &said,
        &[
            "services.minio.access_key = \"haven\"",
            "docker-compose.yml:19",
        ],
    );
    reports(
        &said,
        &[
            "services.minio.buckets = [\"documents\"]",
            "docker-compose.yml:28",
            "mc mb",
        ],
    );
    reports(
        &said,
        &["services.redis.port = 6380", "docker-compose.yml:34"],
    );
    let spec = spec(&dir);
    assert_eq!(
        spec["services"]["minio"]["secret_key"].as_str(),
        Some("havensecret")
    );
    // The user's compose file stays theirs; devgen writes the services into devenv.nix.
    let compose = read(&dir, "docker-compose.yml");
    assert_exit(&devgen(&dir, &["sync"]), 0);
    assert_eq!(read(&dir, "docker-compose.yml"), compose);
    let devenv = read(&dir, "devenv.nix");
    assert!(
        devenv.contains("services.nats = {") && devenv.contains("jetstream.enable = true;"),
        "{devenv}"
    );
    assert!(
        devenv.contains("buckets = [\n      \"documents\"\n    ];"),
        "{devenv}"
    );
    assert!(devenv.contains("port = 6380;"), "{devenv}");
    assert!(read(&dir, ".env").contains("REDIS_URL=redis://127.0.0.10:6380\n"));
    assert_exit(&devgen(&dir, &["diff"]), 0);
}

#[test]
fn importing_devgens_own_services_environment_gives_back_its_spec() {
    let synced = crate::support::synced_project("services");
    let parent = tempfile::tempdir().unwrap();
    let dir = &parent.path().join("haven");
    copy_dir(synced.path(), dir);
    fs::remove_file(dir.join("devgen.toml")).unwrap();
    fs::remove_file(dir.join("devgen.lock")).unwrap();
    let out = devgen(dir, &["import"]);
    assert_exit(&out, 0);
    let spec = spec(dir);
    let services = &spec["services"];
    assert_eq!(services["nats"]["port"].as_integer(), Some(4222));
    assert_eq!(services["nats"]["jetstream"].as_bool(), Some(true));
    assert_eq!(services["minio"]["buckets"].as_array().unwrap().len(), 2);
    assert_eq!(services["pgweb"]["port"].as_integer(), Some(8082));
    assert_eq!(services["mailpit"]["ui_port"].as_integer(), Some(8025));
    assert_eq!(spec["project"]["ip"].as_str(), Some("127.0.0.50"));
    assert_eq!(
        spec["postgres"]["logical_replication"].as_bool(),
        Some(true)
    );
    assert!(
        spec.get("env").and_then(|e| e.get("NATS_URL")).is_none(),
        "{spec}"
    );
    // What devgen wrote is what the imported spec asks for, but for the shell history
    // every new spec turns on: the first sync after import writes only the lock.
    let text = read(dir, "devgen.toml");
    let without_history = text.replace("ERL_AFLAGS = \"-kernel shell_history enabled\"\n", "");
    assert_ne!(text, without_history);
    fs::write(dir.join("devgen.toml"), without_history).unwrap();
    let before = crate::support::files_under(dir)
        .into_iter()
        .filter(|f| f != "devgen.lock")
        .map(|f| (read(dir, &f), f))
        .collect::<Vec<_>>();
    assert_exit(&devgen(dir, &["sync"]), 0);
    for (text, file) in before {
        assert_eq!(read(dir, &file), text, "sync changed {file}");
    }
    assert_exit(&devgen(dir, &["diff"]), 0);
}

#[test]
fn importing_a_bun_frontend_beside_phoenix_gives_its_frontend_table() {
    let (_parent, dir) = existing_project("bun-front", "streampai");
    let out = devgen(&dir, &["import"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(
        &said,
        &["frontend.dir = \"frontend\"", "frontend/package.json"],
    );
    reports(
        &said,
        &["frontend.package_manager = \"bun\"", "frontend/bun.lock"],
    );
    reports(
        &said,
        &["frontend.dev = \"bun run dev\"", "frontend/package.json:6"],
    );
    reports(
        &said,
        &[
            "frontend.port = 3100",
            "frontend/package.json:6",
            "scripts.dev \"vinxi dev --port 3100\"",
        ],
    );
    reports(
        &said,
        &[
            "frontend.build = \"bun run build\"",
            "frontend/package.json:7",
        ],
    );
    let spec = spec(&dir);
    assert!(
        spec["toolchain"].get("node").is_none(),
        "bun needs no Node.js: {spec}"
    );
    assert_exit(&devgen(&dir, &["sync"]), 0);
    assert!(read(&dir, "Procfile").contains("frontend: cd 'frontend' && export HOST=\"${DEVGEN_IP:-127.0.0.10}\" PORT=3100 && bun run dev\n"));
    assert!(read(&dir, "devenv.nix").contains("pkgs.bun # the frontend's package manager"));
}

#[test]
fn a_dockerfile_of_the_users_is_reported_and_devgens_own_gives_back_its_container() {
    let (_parent, dir) = existing_project("bun-front", "streampai");
    fs::write(
        dir.join("Dockerfile"),
        "FROM hexpm/elixir:1.18.4-erlang-27.3.4-debian-bookworm-20250520-slim AS build\nRUN mix release\nFROM debian:bookworm-slim\nCMD [\"/app/bin/server\"]\n",
    )
    .unwrap();
    let out = devgen(&dir, &["import", "--dry-run"]);
    assert_exit(&out, 0);
    let said = stderr(&out);
    reports(&said, &["Dockerfile:4", "CMD [\"/app/bin/server\"]"]);
    reports(&said, &["Dockerfile:1", "Dockerfile with stages 1:hexpm/elixir:1.18.4-erlang-27.3.4-debian-bookworm-20250520-slim AS build, 3:debian:bookworm-slim"]);
    assert!(
        !stdout(&out).contains("[container]"),
        "a Dockerfile of the user's turns nothing on"
    );

    // devgen's own Dockerfile: [container] with its builder image comes back.
    let synced = crate::support::synced_project("container");
    let parent = tempfile::tempdir().unwrap();
    let again = parent.path().join("atelier");
    copy_dir(synced.path(), &again);
    fs::remove_file(again.join("devgen.toml")).unwrap();
    fs::remove_file(again.join("devgen.lock")).unwrap();
    let out = devgen(&again, &["import"]);
    assert_exit(&out, 0);
    let spec = spec(&again);
    assert_eq!(
        spec["container"]["builder_image"].as_str(),
        Some("hexpm/elixir:1.17.3-erlang-27.1.2-debian-bookworm-20241016-slim")
    );
}
