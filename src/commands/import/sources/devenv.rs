//! devenv.nix: every value a key of devgen.toml can say — read through the targets' adopt
//! tables, which `sync --adopt` uses too — the packages, PostgreSQL's databases, and a
//! report line for each other setting, which stays in the file as the user's.

use nix_edit::{AttrPath, Binding, NixDocument, ValueKind};
use toml_edit::{Array, Value};

use super::line_of;
use crate::commands::import::findings::{Findings, Origin};
use crate::spec::edit::Setting;
use crate::spec::rules::is_nix_attr_path;
use crate::targets::dev::{database_name, is_base_package};
use crate::targets::variables::VARIABLE_NAMES;
use crate::targets::{settings_for, stock_devenv_value};

const FILE: &str = "devenv.nix";
/// Paths devgen writes itself: what the file has there is replaced by the spec's value,
/// which `devgen diff` shows.
const DEVGEN_WRITES: &[&str] = &[
    "languages.elixir.enable",
    "languages.javascript.enable",
    "services.postgres.enable",
    "services.postgres.settings.logging_collector",
    "services.postgres.settings.log_directory",
    "services.postgres.settings.log_filename",
    "services.postgres.settings.log_truncate_on_rotation",
    "services.postgres.settings.shared_preload_libraries",
    "services.postgres.settings.max_replication_slots",
    "services.postgres.settings.max_wal_senders",
    "services.nats.enable",
    "services.minio.enable",
    "services.redis.enable",
    "services.mailpit.enable",
];

/// The services devgen.toml turns on with a table, each with the key of its main port and
/// that port's default: a service on in devenv.nix with nothing else said gets the table
/// with its port.
const SERVICES: &[(&str, &str, i64)] = &[
    ("nats", "port", 4222),
    ("minio", "port", 9000),
    ("redis", "port", 6379),
    ("mailpit", "smtp_port", 1025),
];

pub fn read(text: &str, found: &mut Findings) {
    let doc = match NixDocument::parse(FILE, text) {
        Ok(doc) => doc,
        Err(e) => return unreadable(&e, found),
    };
    let bindings = match doc.bindings() {
        Ok(b) => b,
        Err(e) => return unreadable(&e, found),
    };
    let with_services = bindings.iter().any(|b| {
        let path = dotted(&b.path);
        path == "processes.pgweb.exec"
            || (doc.text()[b.value.clone()].trim() == "true"
                && SERVICES
                    .iter()
                    .any(|(s, _, _)| path == format!("services.{s}.enable")))
    });
    for b in bindings.iter().filter(|b| b.kind != ValueKind::Set) {
        if with_services && is_service_variable(&b.path) {
            let origin = Origin::new(FILE, line_of(doc.text(), b.value.start));
            found.keep(
                origin,
                format!("{} = …", dotted(&b.path)),
                "devgen writes this variable from [services] (add it to [env] to say it yourself)",
            );
            continue;
        }
        binding(&doc, b, found);
    }
    for b in &bindings {
        let path = dotted(&b.path);
        let on = doc.text()[b.value.clone()].trim() == "true";
        if let Some((service, key, port)) = SERVICES
            .iter()
            .find(|(s, _, _)| on && path == format!("services.{s}.enable"))
        {
            let origin = Origin::new(FILE, line_of(doc.text(), b.value.start));
            turn_on(service, key, *port, origin, found);
        }
    }
}

/// `env.NATS_URL` and the other variables devgen writes for the services.
fn is_service_variable(path: &AttrPath) -> bool {
    match path.segments() {
        [env, name] => env == "env" && VARIABLE_NAMES.contains(&name.as_str()),
        _ => false,
    }
}

/// `services.<service>.enable = true` with no key of its table taken: the table, with its
/// main port.
fn turn_on(service: &str, key: &str, port: i64, origin: Origin, found: &mut Findings) {
    let section = SERVICE_SECTIONS
        .iter()
        .find(|s| s.strip_prefix("services.") == Some(service))
        .expect("every service has its section");
    if found.taken.iter().any(|t| t.setting.section == *section) {
        return;
    }
    let setting = Setting::new(section, key, Some(port.into()));
    found.take(
        setting,
        origin,
        format!("services.{service}.enable = true (its port: {port})"),
    );
}

const SERVICE_SECTIONS: &[&str] = &[
    "services.nats",
    "services.minio",
    "services.redis",
    "services.mailpit",
];

fn unreadable(e: &nix_edit::Error, found: &mut Findings) {
    let (line, col) = e.line_col();
    found.keep(
        Origin::new(FILE, line),
        format!("column {col}: {e}"),
        "nothing taken from it: devgen reads only what parses; fix it, then import again",
    );
}

fn binding(doc: &NixDocument, b: &Binding, found: &mut Findings) {
    let path = dotted(&b.path);
    let value = doc.text()[b.value.clone()].trim();
    let origin = Origin::new(FILE, line_of(doc.text(), b.value.start));
    match path.as_str() {
        "packages" => return packages(doc, &b.path, origin, found),
        "services.postgres.initialDatabases" => return databases(doc, &b.path, origin, found),
        "services.postgres.listen_addresses" if stock_devenv_value(&path, value) => {
            found.note(format!(
                "{origin}: PostgreSQL listens on {value}, the machine's own loopback address, which is every project's; devgen gives the project an address of its own"
            ));
            return;
        }
        _ => {}
    }
    if let Some(settings) = settings_for(FILE, &path, value) {
        // A setting without a value says a key is absent (`erlang` for nixpkgs' default
        // BEAM set): the new spec has none anyway.
        for s in settings.into_iter().filter(|s| s.value.is_some()) {
            found.take(s, origin.clone(), format!("{path} = {value}"));
        }
    } else if DEVGEN_WRITES.contains(&path.as_str()) {
        if value != "true" && !path.contains(".settings.") {
            found.keep(origin, format!("{path} = {value}"), "devgen sets it to true: the environment it writes runs this; `devgen diff` shows the change");
        }
    } else {
        found.keep(
            origin,
            format!("{path} = {}", short(value)),
            why_kept(&path),
        );
    }
}

/// Paths whose value devgen writes from a key of devgen.toml (see the adopt tables).
const SPEC_VALUES: &[&str] = &[
    "languages.elixir.package",
    "languages.javascript.package",
    "services.postgres.package",
    "services.postgres.port",
    "services.postgres.listen_addresses",
];

/// Why devgen.toml does not say the value at `path`; it stays in devenv.nix.
fn why_kept(path: &str) -> String {
    if SPEC_VALUES.contains(&path) {
        return "devgen.toml has no key that says this value, and devgen writes its own here: `devgen sync` stops with a conflict on it (`--force` takes devgen's)".into();
    }
    if let Some(rest) = path.strip_prefix("services.") {
        let service = rest.split('.').next().unwrap_or(rest);
        if SERVICES.iter().any(|(s, _, _)| *s == service) {
            return format!("devgen.toml has no key for this {service} setting: it stays in devenv.nix as yours, beside devgen's");
        }
        if service != "postgres" {
            return format!("devgen.toml has no key for the {service} service yet; it stays in devenv.nix as yours, and `devenv up` (the Procfile's devenv process) runs it");
        }
    }
    if path.starts_with("processes.") {
        return "a devenv process: it stays in devenv.nix as yours, and `devenv up` (the Procfile's devenv process) runs it beside devgen's".into();
    }
    "stays in devenv.nix as yours; devgen does not touch it".into()
}

/// `packages = [ … ]`: plain nixpkgs attributes go to `packages.extra`; devgen's own and
/// anything computed stay as they are.
fn packages(doc: &NixDocument, list: &AttrPath, origin: Origin, found: &mut Findings) {
    let Ok(elements) = doc.list_elements(list) else {
        return;
    };
    let mut extra = Array::new();
    let mut sources = Vec::new();
    for e in elements {
        let attr = e.text.strip_prefix("pkgs.").unwrap_or(&e.text);
        if is_base_package(attr) || toolchain_package(attr) {
            continue;
        }
        if e.call.is_none() && is_nix_attr_path(attr) {
            extra.push(attr);
            sources.push(e.text.clone());
        } else {
            let why = match &e.call {
                Some(call) => format!("only under `{call}`: stays in devenv.nix's packages as yours, beside devgen's"),
                None => "not a plain nixpkgs attribute: stays in devenv.nix's packages as yours, beside devgen's".into(),
            };
            found.keep(origin.clone(), format!("packages: {}", short(&e.text)), why);
        }
    }
    if !extra.is_empty() {
        let setting = Setting::new("packages", "extra", Some(Value::Array(extra)));
        found.take(
            setting,
            origin,
            format!("packages = [ {} ]", sources.join(" ")),
        );
    }
}

/// Packages the spec's toolchain versions give: a second one would be a conflict of versions.
fn toolchain_package(attr: &str) -> bool {
    ["postgresql", "nodejs", "elixir", "erlang"]
        .iter()
        .any(|p| attr == *p || attr.starts_with(&format!("{p}_")))
        || attr.starts_with("beam")
}

/// `initialDatabases = [ { name = "shop_dev"; } … ]`.
fn databases(doc: &NixDocument, list: &AttrPath, origin: Origin, found: &mut Findings) {
    let Ok(elements) = doc.list_elements(list) else {
        return;
    };
    let mut names = Array::new();
    for e in &elements {
        match database_name(&e.text) {
            Some(name) => names.push(name),
            None => found.keep(
                origin.clone(),
                format!("initialDatabases: {}", short(&e.text)),
                "its name is computed: stays in devenv.nix as yours",
            ),
        }
    }
    if !names.is_empty() {
        let setting = Setting::new("postgres", "databases", Some(Value::Array(names)));
        found.take(setting, origin, "initialDatabases");
    }
}

fn dotted(path: &AttrPath) -> String {
    path.segments().join(".")
}

/// A value shortened to one line for a report.
fn short(value: &str) -> String {
    let one_line: String = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 60 {
        format!("{}…", one_line.chars().take(59).collect::<String>())
    } else {
        one_line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Findings {
        let mut f = Findings::default();
        read(text, &mut f);
        f
    }

    #[test]
    fn versions_ports_databases_and_packages_are_taken_with_their_lines() {
        let f = scan(
            "{ pkgs, ... }:\n{\n  services.postgres = {\n    enable = true;\n    package = pkgs.postgresql_15;\n    port = 5433;\n    initialDatabases = [ { name = \"shop_dev\"; } { name = \"shop_test\"; } ];\n  };\n  packages = [ pkgs.git pkgs.tmux (pkgs.python3.withPackages (p: [ p.pip ])) ];\n}\n",
        );
        let taken: Vec<String> = f
            .taken
            .iter()
            .map(|t| {
                format!(
                    "{} {} {}",
                    t.origin,
                    t.setting.name(),
                    crate::commands::import::findings::shown(&t.setting.value)
                )
            })
            .collect();
        assert_eq!(
            taken,
            [
                "devenv.nix:5 toolchain.postgres \"15\"",
                "devenv.nix:6 postgres.port 5433",
                "devenv.nix:7 postgres.databases [\"shop_dev\", \"shop_test\"]",
                "devenv.nix:9 packages.extra [\"git\"]",
            ]
        );
        assert_eq!(f.kept.len(), 1, "{:?}", f.kept);
        assert!(f.kept[0].what.contains("withPackages"));
    }

    #[test]
    fn the_machines_loopback_address_is_no_project_address() {
        let f = scan("{\n  services.postgres.listen_addresses = \"127.0.0.1\";\n}\n");
        assert!(f.taken.is_empty());
        assert!(f.notes[0].starts_with("devenv.nix:2: PostgreSQL listens on \"127.0.0.1\""));
        let f = scan("{\n  services.postgres.listen_addresses = \"127.0.0.20\";\n}\n");
        assert_eq!(f.str("project", "ip"), Some("127.0.0.20"));
    }

    #[test]
    fn other_services_and_processes_stay_the_users() {
        let f = scan(
            "{\n  services.elasticsearch.enable = true;\n  processes.worker.exec = \"mix run\";\n}\n",
        );
        assert!(f.taken.is_empty());
        assert!(f.kept[0]
            .why
            .contains("no key for the elasticsearch service"));
        assert!(f.kept[1].why.starts_with("a devenv process"));
    }

    #[test]
    fn services_devgen_knows_are_taken_with_their_ports_buckets_and_address() {
        let f = scan(
            "{ pkgs, ... }:\n{\n  services.redis.enable = true;\n  services.nats = { enable = true; port = 4333; jetstream.enable = true; };\n  services.minio = { enable = true; listenAddress = \"127.0.0.70:9100\"; buckets = [ \"uploads\" ]; };\n  services.postgres.extensions = ps: [ ps.pgvector ];\n  services.postgres.settings.wal_level = \"logical\";\n  processes.pgweb.exec = \"${pkgs.pgweb}/bin/pgweb --listen=8090\";\n  services.redis.extraConfig = \"maxmemory 1gb\";\n}\n",
        );
        let shown = |section: &str, key: &str| {
            f.value(section, key)
                .map(|v| crate::commands::import::findings::shown(&Some(v.clone())))
        };
        assert_eq!(shown("services.redis", "port").as_deref(), Some("6379"));
        assert_eq!(shown("services.nats", "port").as_deref(), Some("4333"));
        assert_eq!(shown("services.nats", "jetstream").as_deref(), Some("true"));
        assert_eq!(shown("services.minio", "port").as_deref(), Some("9100"));
        assert_eq!(
            shown("services.minio", "buckets").as_deref(),
            Some("[\"uploads\"]")
        );
        assert_eq!(shown("project", "ip").as_deref(), Some("\"127.0.0.70\""));
        assert_eq!(
            shown("postgres", "extensions").as_deref(),
            Some("[\"pgvector\"]")
        );
        assert_eq!(
            shown("postgres", "logical_replication").as_deref(),
            Some("true")
        );
        assert_eq!(shown("services.pgweb", "port").as_deref(), Some("8090"));
        assert_eq!(f.kept.len(), 1, "{:?}", f.kept);
        assert!(f.kept[0].why.contains("no key for this redis setting"));
    }

    #[test]
    fn elixir_from_nixpkgs_top_level_alias() {
        let f = scan("{ pkgs, ... }:\n{\n  languages.elixir.package = pkgs.elixir_1_16;\n}\n");
        assert_eq!(f.str("toolchain", "elixir"), Some("1.16"));
        assert_eq!(
            f.taken.len(),
            1,
            "no removal of erlang reported: {:?}",
            f.taken
        );
    }

    #[test]
    fn an_env_value_the_spec_cannot_hold_stays_untouched() {
        let f = scan("{\n  env.GREETING = \"hi ${\"there\"}\";\n}\n");
        assert!(f.taken.is_empty());
        assert!(
            f.kept[0].why.contains("devgen does not touch it"),
            "{:?}",
            f.kept
        );
    }

    #[test]
    fn a_value_devgen_writes_but_cannot_say_is_named_as_a_conflict_to_come() {
        let f = scan("{ pkgs, ... }:\n{\n  services.postgres.package = pkgs.postgresql.withPackages (p: [ p.postgis ]);\n}\n");
        assert!(f.taken.is_empty());
        assert!(
            f.kept[0].why.contains("stops with a conflict"),
            "{:?}",
            f.kept
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_reported_not_fatal() {
        let f = scan("{ a = ; }");
        assert!(f.taken.is_empty());
        assert!(f.kept[0].why.starts_with("nothing taken from it"));
    }
}
