//! Production from the same spec (`[deploy]`): the Terraform under `infra/` is what the real
//! Terraform accepts against the AWS provider's schema (from the machine's plugin mirror),
//! each Fly app's fly.toml says what `fly launch` writes for Phoenix, and the production
//! compose file passes the compose checks — with the dev environment's names and ports.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use crate::support::{assert_exit, nix_parses, read, require, synced_project};

/// Where these machines keep the AWS provider: Terraform never downloads it here.
const PLUGINS: &str = "/opt/tf-plugins";

fn terraform(dir: &Path, args: &[&str]) -> Output {
    Command::new(require("terraform"))
        .args(args)
        .current_dir(dir)
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .unwrap()
}

#[test]
fn terraform_validates_the_infra_against_the_aws_provider_and_rejects_a_broken_one() {
    assert!(
        Path::new(PLUGINS)
            .join("registry.terraform.io/hashicorp/aws")
            .is_dir(),
        "the AWS provider mirror {PLUGINS} is missing"
    );
    let dir = synced_project("deploy");
    let infra = dir.path().join("infra");
    assert_exit(&terraform(&infra, &["fmt", "-check", "-diff"]), 0);
    let plugin_dir = format!("-plugin-dir={PLUGINS}");
    assert_exit(
        &terraform(
            &infra,
            &["init", "-backend=false", "-input=false", &plugin_dir],
        ),
        0,
    );
    assert_exit(&terraform(&infra, &["validate"]), 0);
    // The spec's values, in the variables' defaults.
    let variables = read(&infra, "variables.tf");
    assert!(
        variables.contains("default     = \"eu-west-1\""),
        "{variables}"
    );
    assert!(variables.contains("default     = [\"203.0.113.0/24\", \"198.51.100.7/32\"]"));
    let main = read(&infra, "main.tf");
    assert!(main.contains("cidr_blocks = var.ssh_cidrs"));
    assert!(
        !main.contains("from_port   = 4000"),
        "the app's port stays behind the proxy"
    );

    for (broken, what) in [
        (
            main.replace(
                "instance_type          = var.instance_type",
                "instance_typo = var.instance_type",
            ),
            "an unknown argument",
        ),
        (
            main.replace(
                "key_name               = var.key_name",
                "key_name               = var.keyname",
            ),
            "an undeclared variable",
        ),
    ] {
        fs::write(infra.join("main.tf"), &broken).unwrap();
        assert!(
            !terraform(&infra, &["validate"]).status.success(),
            "{what} passed"
        );
    }
}

#[test]
fn each_fly_app_gets_the_fly_toml_fly_launch_writes_for_phoenix() {
    let dir = synced_project("deploy");
    for (path, app, port, dockerfile) in [
        ("apps/api/fly.toml", "haven-api", 8080, "../../Dockerfile"),
        ("fly.toml", "haven-web", 4000, "Dockerfile"),
    ] {
        let doc: toml_edit::DocumentMut = read(dir.path(), path).parse().unwrap();
        assert_eq!(doc["app"].as_str(), Some(app));
        assert_eq!(doc["primary_region"].as_str(), Some("ams"));
        assert_eq!(doc["kill_signal"].as_str(), Some("SIGTERM"));
        assert_eq!(
            doc["deploy"]["release_command"].as_str(),
            Some("/app/bin/migrate")
        );
        // Two apps cannot both serve the deploy's host: each its own fly.dev name.
        assert_eq!(
            doc["env"]["PHX_HOST"].as_str(),
            Some(format!("{app}.fly.dev").as_str())
        );
        // fly deploy builds the container's Dockerfile, at the project root.
        assert_eq!(doc["build"]["dockerfile"].as_str(), Some(dockerfile));
        assert!(dir
            .path()
            .join(path)
            .parent()
            .unwrap()
            .join(dockerfile)
            .exists());
        assert_eq!(doc["env"]["PORT"].as_str(), Some(port.to_string().as_str()));
        let http = &doc["http_service"];
        assert_eq!(http["internal_port"].as_integer(), Some(port));
        assert_eq!(http["force_https"].as_bool(), Some(true));
        assert_eq!(http["auto_stop_machines"].as_str(), Some("stop"));
        assert_eq!(http["min_machines_running"].as_integer(), Some(0));
        assert_eq!(doc["vm"][0]["size"].as_str(), Some("shared-cpu-1x"));
        assert!(
            !read(dir.path(), path).contains("SECRET_KEY_BASE ="),
            "secrets are never in fly.toml"
        );
    }
}

#[test]
fn the_production_compose_file_is_accepted_and_names_its_secrets_only() {
    let dir = synced_project("deploy");
    let file = dir.path().join("docker-compose.prod.yml");
    let out = crate::services::compose_schema_check(&file);
    assert!(out.status.success(), "{out:?}");
    let text = read(dir.path(), "docker-compose.prod.yml");
    assert!(text.contains("      - \"80:4000\"\n"), "{text}");
    assert!(text.contains("SECRET_KEY_BASE: \"${SECRET_KEY_BASE:?set SECRET_KEY_BASE}\""));
    // docker-compose refuses to start it without the secrets, and accepts it with them.
    let without = crate::services::docker_compose_check(&file);
    assert!(!without.status.success());
    let copy = file.with_file_name("prod-1.29.yml");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("name: "))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(&copy, body).unwrap();
    let with = Command::new(require("docker-compose"))
        .args(["-p", "haven", "-f"])
        .arg(&copy)
        .args(["config", "-q"])
        .env("SECRET_KEY_BASE", "x")
        .env("DATABASE_URL", "ecto://x")
        .output()
        .unwrap();
    assert_exit(&with, 0);
}

#[test]
fn the_dev_shell_deploys_with_terraform_and_ignores_its_state() {
    let dir = synced_project("deploy");
    let nix = crate::support::eval_devenv(
        dir.path(),
        &[
            "beam.packages.erlang_27.elixir_1_18",
            "postgresql_16",
            "overmind",
            "tmux",
            "inotify-tools",
            "opentofu",
            "awscli2",
            "flyctl",
            "nixos-rebuild",
        ],
        &[],
        &[],
    );
    for name in ["tf-deploy", "tf-destroy", "build-nixos", "deploy"] {
        let exec = nix["scripts"][name]["exec"].as_str().unwrap();
        let file = dir.path().join(format!("{name}.sh"));
        fs::write(&file, format!("#!/usr/bin/env bash\n{exec}\n")).unwrap();
        crate::support::run_ok(Command::new(require("shellcheck")).arg(&file));
    }
    let deploy = nix["scripts"]["deploy"]["exec"].as_str().unwrap();
    assert!(
        deploy.contains(
            "exec nixos-rebuild switch --flake \"$root#web\" --target-host \"root@$host\" --use-substitutes"
        ) && deploy.contains("test -s /var/lib/secrets/haven.env")
            && deploy.contains("output -raw public_ip"),
        "{deploy}"
    );
    let gitignore = read(dir.path(), ".gitignore");
    assert!(
        gitignore.contains("infra/.terraform/\ninfra/*.tfstate*\ninfra/terraform.tfvars\n"),
        "{gitignore}"
    );
}

/// The NixOS module of `dir` evaluated with a stub `lib` and a host turning the app on.
fn evaluate_module(dir: &Path, package: &Path) -> serde_json::Value {
    let out = crate::support::run_ok(
        Command::new(require("nix-instantiate"))
            .args(["--eval", "--strict", "--json"])
            .arg(crate::support::fixture_path(
                "support/eval-nixos-module.nix",
            ))
            .args(["--arg", "module"])
            .arg(dir.join("nix/module.nix"))
            .args(["--argstr", "app", "haven", "--argstr", "package"])
            .arg(package)
            .args(["--argstr", "environmentFile", "/run/secrets/haven.env"]),
    );
    serde_json::from_str(&out).unwrap()
}

/// A systemd unit from an evaluated `systemd.services.<name>`, as NixOS writes one.
fn unit_file(service: &serde_json::Value) -> String {
    let value = |v: &serde_json::Value| match v {
        serde_json::Value::Bool(b) => (if *b { "yes" } else { "no" }).to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let list = |key: &str| {
        service[key]
            .as_array()
            .map(|a| a.iter().map(value).collect::<Vec<_>>().join(" "))
            .unwrap_or_default()
    };
    let mut unit = format!(
        "[Unit]\nDescription={}\nAfter={}\nRequires={}\n\n[Service]\n",
        value(&service["description"]),
        list("after"),
        list("requires")
    );
    for (name, v) in service["environment"].as_object().unwrap() {
        unit.push_str(&format!("Environment=\"{name}={}\"\n", value(v)));
    }
    for (key, v) in service["serviceConfig"].as_object().unwrap() {
        unit.push_str(&format!("{key}={}\n", value(v)));
    }
    unit.push_str(&format!("\n[Install]\nWantedBy={}\n", list("wantedBy")));
    unit
}

#[test]
fn the_nixos_module_runs_the_release_behind_nginx_with_its_database_and_systemd_takes_the_unit() {
    let dir = synced_project("deploy");
    let d = dir.path();
    nix_parses(d, "nix/module.nix");
    // The release, as the unit's programs: a stand-in of bin/haven.
    let package = d.join("release");
    fs::create_dir_all(package.join("bin")).unwrap();
    fs::write(package.join("bin/haven"), "#!/bin/sh\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(package.join("bin/haven"), fs::Permissions::from_mode(0o755)).unwrap();
    let got = evaluate_module(d, &package);
    assert_eq!(got["defaults"]["host"], "haven.example.com");
    assert_eq!(got["defaults"]["port"], 4000);
    let config = &got["config"];
    let service = &config["systemd"]["services"]["haven"];
    let sc = &service["serviceConfig"];
    assert_eq!(
        sc["ExecStartPre"],
        format!("{}/bin/haven eval Haven.Release.migrate", package.display())
    );
    assert_eq!(
        sc["ExecStart"],
        format!("{}/bin/haven start", package.display())
    );
    assert_eq!(sc["DynamicUser"], true);
    assert_eq!(sc["StateDirectory"], "haven");
    assert_eq!(sc["Restart"], "on-failure");
    assert_eq!(sc["EnvironmentFile"], "/run/secrets/haven.env");
    assert_eq!(service["environment"]["RELEASE_TMP"], "/var/lib/haven/tmp");
    assert_eq!(
        service["after"],
        serde_json::json!(["network.target", "postgresql.service"])
    );
    let pg = &config["services"]["postgresql"];
    assert_eq!(pg["package"], "pkg:postgresql_16");
    assert_eq!(pg["ensureDatabases"], serde_json::json!(["haven"]));
    assert_eq!(
        pg["ensureUsers"],
        serde_json::json!([{ "name": "haven", "ensureDBOwnership": true }])
    );
    assert_eq!(config["services"]["postgresqlBackup"]["enable"], true);
    let vhost = &config["services"]["nginx"]["virtualHosts"]["haven.example.com"];
    assert_eq!(vhost["forceSSL"], true);
    assert_eq!(vhost["enableACME"], true);
    assert_eq!(vhost["locations"]["/"]["proxyWebsockets"], true);
    assert_eq!(
        vhost["locations"]["/"]["proxyPass"],
        "http://127.0.0.1:4000"
    );
    assert_eq!(
        config["networking"]["firewall"]["allowedTCPPorts"],
        serde_json::json!([80, 443])
    );

    let unit = d.join("haven.service");
    fs::write(&unit, unit_file(service)).unwrap();
    let out = Command::new(require("systemd-analyze"))
        .arg("verify")
        .arg(&unit)
        .env("SYSTEMD_LOG_LEVEL", "warning")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    for bad in [
        "Unknown key",
        "Unknown section",
        "Failed to parse",
        "Invalid",
        "not executable",
    ] {
        assert!(
            !said.contains(bad),
            "systemd-analyze verify: {bad}\n{said}\n{}",
            read(d, "haven.service")
        );
    }
}

#[test]
fn a_fly_app_gets_the_release_files_and_clusters_over_flys_network() {
    let dir = synced_project("deploy");
    let d = dir.path();
    for file in [
        "lib/haven/release.ex",
        "rel/overlays/bin/migrate",
        "rel/overlays/bin/server",
    ] {
        assert!(
            d.join(file).exists(),
            "{file}: fly's release_command runs bin/migrate"
        );
    }
    let env = d.join("rel/env.sh.eex");
    crate::support::run_ok(
        Command::new(require("shellcheck"))
            .args(["-s", "sh"])
            .arg(&env),
    );
    let on_fly = crate::support::run_ok(
        Command::new(require("sh"))
            .args([
                "-c",
                ". \"$1\"; echo \"$RELEASE_NODE $DNS_CLUSTER_QUERY $ERL_AFLAGS\"",
                "sh",
            ])
            .arg(&env)
            .env("FLY_APP_NAME", "haven-web")
            .env(
                "FLY_IMAGE_REF",
                "registry.fly.io/haven-web:deployment-01HXYZ",
            )
            .env("FLY_PRIVATE_IP", "fdaa:0:1::3")
            // Fly passes the database by secret; without PostgreSQL inside it is required.
            .env("DATABASE_URL", "ecto://haven@haven-db.flycast/haven"),
    );
    assert_eq!(
        on_fly.trim(),
        "haven-web-01HXYZ@fdaa:0:1::3 haven-web.internal -proto_dist inet6_tcp"
    );
    let elsewhere = crate::support::run_ok(
        Command::new(require("sh"))
            .args(["-c", ". \"$1\"; echo \"[${RELEASE_NODE:-}]\"", "sh"])
            .arg(&env)
            .env_remove("FLY_APP_NAME")
            .env("DATABASE_URL", "ecto://db/haven"),
    );
    assert_eq!(elsewhere.trim(), "[]");
}

#[test]
fn a_project_named_like_a_nix_keyword_gets_a_module_nix_parses_and_graviton_gets_arm() {
    let dir = crate::support::project_with_spec(
        "[project]\nname = \"rec\"\n\n[deploy]\nhost = \"rec.example.com\"\n[deploy.nixos]\n[deploy.terraform]\ninstance_type = \"t4g.small\"\nssh_cidrs = [\"203.0.113.0/24\"]\n",
    );
    let d = dir.path();
    assert_exit(&crate::support::devgen(d, &["sync"]), 0);
    nix_parses(d, "nix/module.nix");
    // The NixOS service migrates through the release module: it is written with the module.
    assert!(d.join("lib/rec/release.ex").exists());
    let main = read(&d.join("infra"), "main.tf");
    assert!(main.contains("values = [\"arm64\"]"), "{main}");
    assert!(
        main.contains("count       = var.ami == null ? 1 : 0"),
        "{main}"
    );
}
