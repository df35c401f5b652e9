//! Backing services (`[services]`): the settings devenv.nix evaluates to start the real
//! servers — nats-server, redis-server — which then answer the app's `NATS_URL` and
//! `REDIS_URL`; compose.yaml accepted by the compose-spec schema and by docker-compose;
//! `.env` read by bash and Elixir; the dev shell's commands accepted by shellcheck; and two
//! projects with the same services side by side on one machine.

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::support::{
    assert_exit, devgen, devgen_on, eval_devenv, project_with_spec, read, require, run_ok, serve,
    stderr, synced_project, Server, FRONT_PKGS,
};

/// devenv.nix of `dir` evaluated as devenv calls a module, with `vars` set (and the
/// worktree overrides otherwise unset).
fn evaluate(dir: &Path, vars: &[(&str, &str)]) -> Value {
    eval_devenv(dir, FRONT_PKGS, &["timescaledb", "pgvector"], vars)
}

/// A spec with every service on, at `ip` (none: the registry's).
fn every_service(name: &str, ip: Option<&str>) -> String {
    let ip = ip.map(|ip| format!("ip = \"{ip}\"\n")).unwrap_or_default();
    format!(
        "[project]\nname = \"{name}\"\n{ip}\n[toolchain]\nerlang = \"27\"\npostgres = \"17\"\n\n\
         [services]\ncompose = true\n[services.nats]\n\
         [services.minio]\nbuckets = [\"uploads\"]\n[services.redis]\n[services.mailpit]\n\
         [services.pgweb]\n"
    )
}

#[test]
fn every_service_listens_on_the_project_ip_at_the_spec_ports() {
    let dir = synced_project("services");
    let got = evaluate(dir.path(), &[]);
    let s = &got["services"];
    assert_eq!(
        s["nats"],
        json!({ "enable": true, "host": "127.0.0.50", "port": 4222,
                "monitoring": { "port": 8222 }, "jetstream": { "enable": true } })
    );
    assert_eq!(
        s["minio"],
        json!({ "enable": true, "listenAddress": "127.0.0.50:9000",
                "consoleAddress": "127.0.0.50:9001", "buckets": ["uploads", "exports"],
                "accessKey": "minioadmin", "secretKey": "minioadmin", "region": "us-east-1" })
    );
    assert_eq!(
        s["redis"],
        json!({ "enable": true, "bind": "127.0.0.50", "port": 6379 })
    );
    assert_eq!(
        s["mailpit"],
        json!({ "enable": true, "smtpListenAddress": "127.0.0.50:1025",
                "uiListenAddress": "127.0.0.50:8025" })
    );
    let pgweb = got["processes"]["pgweb"]["exec"].as_str().unwrap();
    assert!(
        pgweb.contains("pkg:postgresql_17/bin/pg_isready -q -h 127.0.0.50 -p 5432;")
            && pgweb.contains("exec pkg:pgweb/bin/pgweb --bind=127.0.0.50 --listen=8082 ")
            && pgweb.contains("--url=postgres://127.0.0.50:5432/haven_dev?sslmode=disable"),
        "{pgweb}"
    );
    let pg = &s["postgres"];
    assert_eq!(pg["settings"]["wal_level"], "logical");
    assert_eq!(pg["settings"]["max_replication_slots"], 10);
    assert_eq!(pg["settings"]["shared_preload_libraries"], "timescaledb");
    let env = &got["env"];
    assert_eq!(env["NATS_URL"], "nats://127.0.0.50:4222");
    assert_eq!(env["REDIS_URL"], "redis://127.0.0.50:6379");
    assert_eq!(env["AWS_ENDPOINT_URL_S3"], "http://127.0.0.50:9000");
    assert_eq!(
        env["DATABASE_URL"],
        "postgresql://127.0.0.50:5432/haven_dev"
    );
    assert_eq!(env["SMTP_HOST"], "127.0.0.50");
}

#[test]
fn postgres_extensions_come_from_the_servers_own_package_set() {
    let dir = synced_project("services");
    // devenv calls `extensions` with the PostgreSQL package's extension set; the stub's
    // holds only the two the spec names, so any other reference fails the evaluation.
    let got = evaluate(dir.path(), &[]);
    assert_eq!(
        got["services"]["postgres"]["extensions"],
        json!(["ext:timescaledb", "ext:pgvector"])
    );
}

#[test]
fn a_worktree_override_moves_every_service_to_the_worktrees_address() {
    let dir = synced_project("services");
    let got = evaluate(dir.path(), &[("DEVGEN_IP", "127.0.0.51")]);
    let s = &got["services"];
    assert_eq!(s["nats"]["host"], "127.0.0.51");
    assert_eq!(s["minio"]["listenAddress"], "127.0.0.51:9000");
    assert_eq!(s["minio"]["consoleAddress"], "127.0.0.51:9001");
    assert_eq!(s["redis"]["bind"], "127.0.0.51");
    assert_eq!(s["mailpit"]["smtpListenAddress"], "127.0.0.51:1025");
    assert_eq!(s["mailpit"]["uiListenAddress"], "127.0.0.51:8025");
    assert!(got["processes"]["pgweb"]["exec"]
        .as_str()
        .unwrap()
        .contains("--bind=127.0.0.51 "));
    for (name, value) in got["env"].as_object().unwrap() {
        assert!(
            !value.as_str().unwrap().contains("127.0.0.50"),
            "{name} = {value} stays at the main checkout's address"
        );
    }
    assert_eq!(got["env"]["NATS_URL"], "nats://127.0.0.51:4222");
}

/// nats-server with the flags devenv's NATS module builds from these settings.
fn nats_server(nats: &Value, store: &Path) -> Server {
    let host = nats["host"].as_str().unwrap();
    let port = nats["port"].to_string();
    let mut cmd = Command::new(require("nats-server"));
    cmd.args(["-a", host, "-p", &port]);
    if nats["jetstream"]["enable"] == json!(true) {
        cmd.arg("-js").arg("-sd").arg(store);
    }
    cmd.args(["-m", &nats["monitoring"]["port"].to_string()]);
    serve(&mut cmd, &format!("{host}:{port}"))
}

/// `GET path` from the monitoring port, as curl reads it.
fn http_get(url: &str) -> String {
    run_ok(Command::new(require("curl")).args(["-fsS", url]))
}

/// Python's nats-py client: connect to `url`, create a JetStream stream, publish to it and
/// read the stream's message count back.
const JETSTREAM_CLIENT: &str = r#"
import asyncio, sys, nats

async def main(url):
    nc = await nats.connect(url)
    js = nc.jetstream()
    await js.add_stream(name="ORDERS", subjects=["orders.*"])
    ack = await js.publish("orders.new", b"one")
    info = await js.stream_info("ORDERS")
    print(ack.stream, info.state.messages)
    await nc.close()

asyncio.run(main(sys.argv[1]))
"#;

#[test]
fn a_real_nats_server_from_devenv_settings_answers_nats_url_with_jetstream() {
    let dir = project_with_spec(&every_service("stream", Some("127.0.0.61")));
    assert_exit(&devgen(dir.path(), &["sync"]), 0);
    let got = evaluate(dir.path(), &[]);
    let nats = &got["services"]["nats"];
    let store = tempfile::tempdir().unwrap();
    let _server = nats_server(nats, store.path());
    let health = http_get("http://127.0.0.61:8222/healthz");
    assert!(health.contains("ok"), "{health}");
    let url = got["env"]["NATS_URL"].as_str().unwrap();
    assert_eq!(url, "nats://127.0.0.61:4222");
    let out = run_ok(
        Command::new(require("python3"))
            .args(["-c", JETSTREAM_CLIENT])
            .arg(url),
    );
    assert_eq!(out.trim(), "ORDERS 1");
    assert!(
        std::fs::read_dir(store.path()).unwrap().next().is_some(),
        "JetStream stored nothing in its store directory"
    );
}

#[test]
fn a_real_redis_server_from_devenv_settings_answers_redis_url() {
    let dir = project_with_spec(&every_service("cache", Some("127.0.0.62")));
    assert_exit(&devgen(dir.path(), &["sync"]), 0);
    let got = evaluate(dir.path(), &[]);
    let redis = &got["services"]["redis"];
    let bind = redis["bind"].as_str().unwrap();
    let port = redis["port"].to_string();
    let data = tempfile::tempdir().unwrap();
    let _server = serve(
        Command::new(require("redis-server"))
            .args(["--bind", bind, "--port", &port, "--save", "", "--dir"])
            .arg(data.path()),
        &format!("{bind}:{port}"),
    );
    let url = got["env"]["REDIS_URL"].as_str().unwrap();
    assert_eq!(url, "redis://127.0.0.62:6379");
    let pong = run_ok(Command::new(require("redis-cli")).args(["-u", url, "PING"]));
    assert_eq!(pong.trim(), "PONG");
}

#[test]
fn two_projects_with_the_same_services_run_side_by_side() {
    let registry = tempfile::tempdir().unwrap();
    let registry = registry.path().join("registry.toml");
    let mut settings = Vec::new();
    for name in ["north", "south"] {
        let dir = project_with_spec(&every_service(name, None));
        assert_exit(&devgen_on(&registry, dir.path(), &["init"]), 0);
        settings.push(evaluate(dir.path(), &[]));
    }
    let [north, south] = [&settings[0], &settings[1]];
    let (a, b) = (&north["services"]["nats"], &south["services"]["nats"]);
    assert_ne!(a["host"], b["host"], "the registry gave both one address");
    assert_eq!(a["port"], b["port"], "each keeps NATS's own port");
    let stores = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let _north = nats_server(a, stores[0].path());
    let _south = nats_server(b, stores[1].path());
    for nats in [a, b] {
        let health = http_get(&format!(
            "http://{}:{}/healthz",
            nats["host"].as_str().unwrap(),
            nats["monitoring"]["port"]
        ));
        assert!(health.contains("ok"), "{health}");
    }
}

#[test]
fn a_service_port_taken_on_the_project_ip_is_an_error_at_the_key() {
    let dir = project_with_spec(
        "[project]\nname = \"clash\"\nip = \"127.0.0.63\"\n\n[services.redis]\nport = 5432\n",
    );
    let out = devgen(dir.path(), &["diff"]);
    assert_exit(&out, 2);
    let err = stderr(&out);
    assert!(
        err.contains("services.redis.port = 5432 clashes with postgres.port")
            && err.contains("devgen.toml:6:8"),
        "{err}"
    );
}

/// compose.yaml of the services fixture, and the checks that judge it.
pub(crate) fn compose_schema_check(file: &Path) -> std::process::Output {
    Command::new(require("check-jsonschema"))
        .args(["--builtin-schema", "vendor.compose-spec"])
        .arg(file)
        .output()
        .unwrap()
}

/// docker-compose 1.29 (Debian's) knows the Compose Specification but not its top-level
/// `name:` (compose v2): it checks the file without that line, the name given as `-p`.
pub(crate) fn docker_compose_check(file: &Path) -> std::process::Output {
    let text = std::fs::read_to_string(file).unwrap();
    let name = text
        .lines()
        .find_map(|l| l.strip_prefix("name: "))
        .expect("compose.yaml names its project")
        .trim_matches('"')
        .to_string();
    let without_name: String = text
        .lines()
        .filter(|l| !l.starts_with("name: "))
        .map(|l| format!("{l}\n"))
        .collect();
    let copy = file.with_file_name("compose-1.29.yaml");
    std::fs::write(&copy, without_name).unwrap();
    Command::new(require("docker-compose"))
        .args(["-p", &name, "-f"])
        .arg(&copy)
        .args(["config", "-q"])
        .output()
        .unwrap()
}

#[test]
fn compose_yaml_is_accepted_by_the_compose_spec_schema_and_docker_compose() {
    let dir = synced_project("services");
    let file = dir.path().join("compose.yaml");
    let out = compose_schema_check(&file);
    assert!(out.status.success(), "{out:?}");
    let out = docker_compose_check(&file);
    assert!(out.status.success(), "{out:?}");
    let compose: Value = serde_json::to_value(
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(&read(dir.path(), "compose.yaml")).unwrap(),
    )
    .unwrap();
    assert_eq!(compose["name"], "haven");
    assert!(
        compose.get("version").is_none(),
        "compose v2 files have no version"
    );
    let services = &compose["services"];
    assert_eq!(
        services["postgres"]["ports"],
        json!(["${DEVGEN_IP:-127.0.0.50}:5432:5432"])
    );
    assert_eq!(
        services["pgweb"]["ports"],
        json!(["${DEVGEN_IP:-127.0.0.50}:8082:8081"])
    );
    for (dependent, on) in [("pgweb", "postgres"), ("minio-buckets", "minio")] {
        assert_eq!(
            services[dependent]["depends_on"][on]["condition"],
            "service_healthy"
        );
    }
    for healthy in ["postgres", "nats", "minio", "redis", "mailpit"] {
        assert!(
            services[healthy]["healthcheck"]["test"].is_array(),
            "{healthy}"
        );
    }
    assert_eq!(
        services["nats"]["command"],
        json!(["-js", "-sd", "/data", "-m", "8222"])
    );
}

#[test]
fn a_broken_compose_yaml_is_rejected_by_both_checks() {
    let dir = synced_project("services");
    let file = dir.path().join("compose.yaml");
    // A port list written as one number and a misspelled key: what a hand edit gets wrong.
    let broken = read(dir.path(), "compose.yaml")
        .replacen("    ports:\n", "    portz:\n", 1)
        .replacen("    healthcheck:\n", "    healthcheck: 5\n    x:\n", 1);
    std::fs::write(&file, broken).unwrap();
    assert!(!compose_schema_check(&file).status.success());
    assert!(!docker_compose_check(&file).status.success());
}

#[test]
fn dotenv_is_read_by_bash_and_by_elixir() {
    let dir = synced_project("services");
    let script = "set -a; . ./.env; set +a; \
                  exec elixir -e 'IO.puts(System.get_env(\"NATS_URL\") <> \" \" <> System.get_env(\"AWS_ENDPOINT_URL_S3\") <> \" \" <> System.get_env(\"S3_BUCKET\"))'";
    let out = run_ok(
        Command::new(require("bash"))
            .args(["-c", script])
            .current_dir(dir.path()),
    );
    assert_eq!(
        out.trim(),
        "nats://127.0.0.50:4222 http://127.0.0.50:9000 uploads"
    );
}

#[test]
fn the_dev_shell_commands_pass_shellcheck() {
    let dir = synced_project("services");
    let got = evaluate(dir.path(), &[]);
    let scripts = got["scripts"].as_object().unwrap();
    let names: Vec<&str> = scripts.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        ["db-shell", "db-up", "infra-down", "infra-logs", "infra-up"]
    );
    for (name, script) in scripts {
        let body = format!("#!/usr/bin/env bash\n{}", script["exec"].as_str().unwrap());
        let file = dir.path().join(format!("{name}.sh"));
        std::fs::write(&file, &body).unwrap();
        run_ok(Command::new(require("shellcheck")).arg(&file));
        assert!(!script["description"].as_str().unwrap().is_empty());
    }
    let shell = scripts["db-shell"]["exec"].as_str().unwrap();
    assert_eq!(
        shell,
        "exec psql -h \"${DEVGEN_IP:-127.0.0.50}\" -p 5432 haven_dev \"$@\""
    );
}

#[test]
fn the_registry_and_net_record_every_service_port() {
    let registry = tempfile::tempdir().unwrap();
    let registry = registry.path().join("registry.toml");
    let dir = project_with_spec(&every_service("ports", Some("127.0.0.64")));
    assert_exit(&devgen_on(&registry, dir.path(), &["init"]), 0);
    let out = devgen_on(
        &registry,
        dir.path(),
        &["registry", "list", "--format", "json"],
    );
    assert_exit(&out, 0);
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        list["entries"][0]["ports"],
        json!({ "phoenix": 4000, "postgres": 5432, "live_debugger": 4007,
                "nats": 4222, "nats_monitor": 8222, "minio": 9000, "minio_console": 9001,
                "redis": 6379, "mailpit_smtp": 1025, "mailpit_ui": 8025, "pgweb": 8081 })
    );
    let out = devgen_on(&registry, dir.path(), &["net"]);
    assert_exit(&out, 0);
    let printed = String::from_utf8(out.stdout).unwrap();
    assert!(
        printed.contains("#     ports: phoenix 4000, postgres 5432, live_debugger 4007, mailpit_smtp 1025, mailpit_ui 8025, minio 9000, minio_console 9001, nats 4222, nats_monitor 8222, pgweb 8081, redis 6379\n"),
        "{printed}"
    );
}

#[test]
fn a_variable_the_spec_sets_in_env_is_the_specs_in_the_shell_and_in_dotenv() {
    let dir = project_with_spec(&format!(
        "{}\n[env]\nDATABASE_URL = \"ecto://app@db.internal/app_dev\"\n",
        every_service("own", Some("127.0.0.65"))
    ));
    assert_exit(&devgen(dir.path(), &["sync"]), 0);
    let got = evaluate(dir.path(), &[]);
    assert_eq!(got["env"]["DATABASE_URL"], "ecto://app@db.internal/app_dev");
    assert_eq!(got["env"]["REDIS_URL"], "redis://127.0.0.65:6379");
    let dotenv = read(dir.path(), ".env");
    assert!(
        dotenv.contains("\nDATABASE_URL=ecto://app@db.internal/app_dev\n"),
        "{dotenv}"
    );
}

#[test]
fn turning_every_service_off_takes_devgens_parts_out_and_leaves_the_users() {
    let dir = synced_project("services");
    let d = dir.path();
    // The user's own line in .env stays; a compose.yaml devgen wrote whole goes.
    let dotenv = read(d, ".env");
    std::fs::write(d.join(".env"), format!("MY_TOKEN=abc\n\n{dotenv}")).unwrap();
    assert_exit(&devgen(d, &["sync"]), 0);
    let spec = read(d, "devgen.toml");
    let cut = spec.find("[services]").unwrap();
    std::fs::write(d.join("devgen.toml"), &spec[..cut]).unwrap();
    let out = devgen(d, &["sync"]);
    assert_exit(&out, 0);
    assert_eq!(read(d, ".env"), "MY_TOKEN=abc\n");
    assert!(!d.join("compose.yaml").exists());
    let devenv = read(d, "devenv.nix");
    for gone in [
        "services.nats",
        "services.minio",
        "NATS_URL",
        "scripts.infra-up",
        "pgweb",
    ] {
        assert!(!devenv.contains(gone), "{gone} is still in\n{devenv}");
    }
    assert!(!read(d, "devgen.lock").contains("[files.\".env\"]"));
    assert_exit(&devgen(d, &["diff"]), 0);
}

#[test]
fn a_hand_edited_env_block_of_services_turned_off_is_a_conflict() {
    let dir = synced_project("services");
    let d = dir.path();
    let dotenv = read(d, ".env").replace("REDIS_URL=", "REDIS_URL=redis://elsewhere:1/#");
    std::fs::write(d.join(".env"), &dotenv).unwrap();
    let spec = read(d, "devgen.toml");
    let cut = spec.find("[services]").unwrap();
    std::fs::write(d.join("devgen.toml"), &spec[..cut]).unwrap();
    let out = devgen(d, &["sync"]);
    assert_exit(&out, 3);
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("no longer asks for devgen's block here")
            || stderr(&out).contains("no longer asks for devgen's block here"),
        "{out:?}"
    );
    assert_eq!(read(d, ".env"), dotenv, "nothing is written on a conflict");
}
