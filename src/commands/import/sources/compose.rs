//! Compose files: a PostgreSQL service gives the version (its image's tag) and the port
//! (the host side of its first port mapping); NATS, MinIO, Redis, Mailpit and PgWeb give
//! their `[services]` tables (the host side of each of their ports, JetStream, MinIO's
//! credentials, the buckets an `mc mb` creates); every other service stays in the file.

use serde_yaml_ng::Value;

use crate::commands::import::findings::{Findings, Origin};
use crate::spec::edit::Setting;
use crate::spec::rules::is_major_version;

/// The names compose looks for, in its order.
pub const FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Images that are PostgreSQL (with extensions or not).
const POSTGRES_IMAGES: &[&str] = &[
    "postgres",
    "postgis/postgis",
    "timescale/timescaledb",
    "pgvector/pgvector",
];

pub fn read(path: &str, text: &str, found: &mut Findings) {
    // The compose.yaml devgen writes itself with `[services] compose = true`.
    if text.lines().next() == Some(&format!("# {}", crate::render::OWNED_HEADER)) {
        let setting = Setting::new("services", "compose", Some(true.into()));
        found.take(setting, Origin::new(path, 1), "devgen's header");
    }
    let services = match serde_yaml_ng::from_str::<Value>(text) {
        Ok(doc) => doc
            .get("services")
            .and_then(Value::as_mapping)
            .cloned()
            .unwrap_or_default(),
        Err(e) => {
            let line = e.location().map_or(0, |l| l.line());
            found.keep(
                Origin::new(path, line),
                path,
                format!("does not parse as YAML ({e}): nothing taken from it"),
            );
            return;
        }
    };
    let before = found.taken.len();
    for (name, service) in &services {
        let Some(name) = name.as_str() else { continue };
        let origin = Origin::new(path, service_line(text, name));
        let image = service.get("image").and_then(Value::as_str).unwrap_or("");
        let (repo, tag) = image.rsplit_once(':').unwrap_or((image, ""));
        let repo = repo
            .trim_start_matches("docker.io/")
            .trim_start_matches("library/");
        if POSTGRES_IMAGES.contains(&repo) {
            postgres(service, tag, &origin, found);
        } else if let Some(known) = SERVICE_IMAGES.iter().find(|k| k.repos.contains(&repo)) {
            backing_service(known, service, &origin, found);
        } else if repo.ends_with("minio/mc") {
            buckets(service, &origin, found);
        } else {
            found.keep(
                origin,
                format!("service {name} ({image})"),
                format!("devgen.toml has no key for this service; it stays in {path} as yours"),
            );
        }
    }
    let took_services = found.taken[before..]
        .iter()
        .any(|t| t.setting.section.starts_with("services."));
    if took_services {
        found.note(format!(
            "{path} stays yours; with `compose = true` under [services] devgen writes compose.yaml with the same services itself (move yours aside first if it is compose.yaml)"
        ));
    }
}

fn postgres(service: &Value, tag: &str, origin: &Origin, found: &mut Findings) {
    let major = tag.split(['.', '-']).next().unwrap_or("");
    if is_major_version(major) {
        let setting = Setting::new("toolchain", "postgres", Some(major.into()));
        found.take(setting, origin.clone(), format!("image tag {tag}"));
    }
    let ports = service.get("ports").and_then(Value::as_sequence);
    let first = ports.and_then(|p| p.first()).and_then(host_port);
    if let Some(port) = first {
        let setting = Setting::new("postgres", "port", Some(i64::from(port).into()));
        found.take(setting, origin.clone(), format!("ports: host port {port}"));
    }
    let env = service.get("environment");
    if let Some(db) = env.and_then(|e| environment(e, "POSTGRES_DB")) {
        found.keep(origin.clone(), format!("POSTGRES_DB={db}"), "devgen creates the databases of postgres.databases (default: <app>_dev and <app>_test)");
    }
}

/// A backing service devgen.toml has a table for, known by its image.
struct ServiceImage {
    repos: &'static [&'static str],
    section: &'static str,
    /// Each port inside the container, with the key its host side goes to.
    ports: &'static [(u16, &'static str)],
}

const SERVICE_IMAGES: &[ServiceImage] = &[
    ServiceImage {
        repos: &["nats"],
        section: "services.nats",
        ports: &[(4222, "port"), (8222, "monitor_port")],
    },
    ServiceImage {
        repos: &["minio/minio", "quay.io/minio/minio", "bitnami/minio"],
        section: "services.minio",
        ports: &[(9000, "port"), (9001, "console_port")],
    },
    ServiceImage {
        repos: &["redis", "bitnami/redis", "valkey/valkey"],
        section: "services.redis",
        ports: &[(6379, "port")],
    },
    ServiceImage {
        repos: &["axllent/mailpit"],
        section: "services.mailpit",
        ports: &[(1025, "smtp_port"), (8025, "ui_port")],
    },
    ServiceImage {
        repos: &["sosedoff/pgweb"],
        section: "services.pgweb",
        ports: &[(8081, "port")],
    },
];

/// A service devgen.toml has a table for: the host side of each of its ports (its main
/// port's default when it publishes none), JetStream for NATS, the root user for MinIO.
fn backing_service(known: &ServiceImage, service: &Value, origin: &Origin, found: &mut Findings) {
    let published = mappings(service);
    let mut took = false;
    for (inside, key) in known.ports {
        if let Some((host, _)) = published.iter().find(|(_, c)| c == inside) {
            let setting = Setting::new(known.section, *key, Some(i64::from(*host).into()));
            found.take(setting, origin.clone(), format!("ports: {host}:{inside}"));
            took = true;
        }
    }
    if !took {
        let (port, key) = known.ports[0];
        let setting = Setting::new(known.section, key, Some(i64::from(port).into()));
        found.take(
            setting,
            origin.clone(),
            format!("no published port; {port} inside"),
        );
    }
    let command = words(service.get("command"));
    if known.section == "services.nats" {
        let on = command.iter().any(|w| w == "-js" || w == "--jetstream");
        let setting = Setting::new(known.section, "jetstream", Some(on.into()));
        found.take(
            setting,
            origin.clone(),
            format!("command: {}", command.join(" ")),
        );
    }
    if known.section == "services.minio" {
        let env = service.get("environment");
        for (name, key) in [
            ("MINIO_ROOT_USER", "access_key"),
            ("MINIO_ROOT_PASSWORD", "secret_key"),
        ] {
            if let Some(value) = env.and_then(|e| environment(e, name)) {
                let setting = Setting::new(known.section, key, Some(value.clone().into()));
                found.take(setting, origin.clone(), format!("{name}={value}"));
            }
        }
    }
}

/// The buckets a one-shot MinIO client creates: `mc mb [--flags] alias/bucket`.
fn buckets(service: &Value, origin: &Origin, found: &mut Findings) {
    let mut text = words(service.get("entrypoint"));
    text.extend(words(service.get("command")));
    let all: Vec<String> = text
        .iter()
        .flat_map(|w| w.split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    let mut names = toml_edit::Array::new();
    for (i, w) in all.iter().enumerate() {
        if w != "mb" {
            continue;
        }
        let target = all[i + 1..].iter().find(|a| !a.starts_with('-'));
        if let Some((_, bucket)) = target.and_then(|t| t.split_once('/')) {
            names.push(bucket.trim_end_matches([';', '&', '"', '\'']));
        }
    }
    if !names.is_empty() {
        let setting = Setting::new("services.minio", "buckets", Some(names.into()));
        found.take(setting, origin.clone(), "mc mb");
    }
}

/// A command or entrypoint as its words: a list, or a string split at spaces.
fn words(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).collect(),
        Some(v) => scalar(v)
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

/// Every port mapping with a host side: (host, container).
fn mappings(service: &Value) -> Vec<(u16, u16)> {
    let ports = service.get("ports").and_then(Value::as_sequence);
    ports.into_iter().flatten().filter_map(mapping).collect()
}

/// The host side of a port mapping: `"5433:5432"`, `"127.0.0.1:5433:5432"`, `{ published: 5433 }`.
fn host_port(mapping: &Value) -> Option<u16> {
    self::mapping(mapping).map(|(host, _)| host)
}

/// `"5433:5432"`, `"127.0.0.1:5433:5432"`, `"${IP:-127.0.0.1}:5433:5432/tcp"`,
/// `{ published: 5433, target: 5432 }`: (host, container).
fn mapping(mapping: &Value) -> Option<(u16, u16)> {
    if let Some(m) = mapping.as_mapping() {
        let host = scalar(m.get("published")?)?.parse().ok()?;
        let target = scalar(m.get("target")?)?.parse().ok()?;
        return Some((host, target));
    }
    let text = scalar(mapping)?;
    let text = text.split('/').next()?;
    // An interpolated address: `${NAME:-default}:` before the ports.
    let text = match text.strip_prefix("${") {
        Some(rest) => rest.split_once('}')?.1.trim_start_matches(':'),
        None => text,
    };
    let parts: Vec<&str> = text.split(':').collect();
    match parts.as_slice() {
        [_, host, inside] | [host, inside] => Some((host.parse().ok()?, inside.parse().ok()?)),
        _ => None,
    }
}

/// `environment:` as a mapping or as a list of `NAME=value`.
fn environment(env: &Value, name: &str) -> Option<String> {
    if let Some(m) = env.as_mapping() {
        return m.get(name).and_then(scalar);
    }
    env.as_sequence()?
        .iter()
        .filter_map(Value::as_str)
        .find_map(|entry| {
            let (k, v) = entry.split_once('=')?;
            (k == name).then(|| v.to_string())
        })
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The line of `name:` as a key below `services:` (0 when not found as written).
fn service_line(text: &str, name: &str) -> usize {
    let key = format!("{name}:");
    text.lines()
        .position(|l| l.starts_with([' ', '\t']) && l.trim_start().starts_with(&key))
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMPOSE: &str = "services:\n  db:\n    image: postgres:15-alpine\n    ports:\n      - \"127.0.0.1:5434:5432\"\n    environment:\n      POSTGRES_DB: shop_dev\n  cache:\n    image: redis:7\n";

    #[test]
    fn postgres_gives_version_and_port_and_redis_its_table() {
        let mut f = Findings::default();
        read("docker-compose.yml", COMPOSE, &mut f);
        assert_eq!(f.str("toolchain", "postgres"), Some("15"));
        assert_eq!(
            f.value("postgres", "port").and_then(|v| v.as_integer()),
            Some(5434)
        );
        assert_eq!(f.taken[0].origin.to_string(), "docker-compose.yml:2");
        assert_eq!(f.kept[0].what, "POSTGRES_DB=shop_dev");
        // Redis publishes no port: its table, with Redis's own.
        let redis = f
            .taken
            .iter()
            .find(|t| t.setting.section == "services.redis")
            .unwrap();
        assert_eq!(redis.origin.to_string(), "docker-compose.yml:8");
        assert_eq!(
            f.value("services.redis", "port")
                .and_then(|v| v.as_integer()),
            Some(6379)
        );
    }

    #[test]
    fn backing_services_give_their_tables() {
        let compose = "services:\n  bus:\n    image: nats:2.10-alpine\n    command: [\"-js\", \"-m\", \"8222\"]\n    ports: [\"4223:4222\", \"${IP:-127.0.0.1}:8223:8222\"]\n  s3:\n    image: minio/minio:latest\n    environment:\n      - MINIO_ROOT_USER=dev\n      - MINIO_ROOT_PASSWORD=devsecret\n    ports:\n      - target: 9000\n        published: 9100\n  mk:\n    image: minio/mc\n    entrypoint: [\"sh\", \"-c\", \"mc alias set l http://s3:9000 dev devsecret && mc mb --ignore-existing l/uploads && mc mb l/exports\"]\n  cache:\n    image: redis:7\n  web:\n    image: ghcr.io/acme/web\n";
        let mut f = Findings::default();
        read("docker-compose.yml", compose, &mut f);
        let int = |s: &str, k: &str| f.value(s, k).and_then(|v| v.as_integer());
        assert_eq!(int("services.nats", "port"), Some(4223));
        assert_eq!(int("services.nats", "monitor_port"), Some(8223));
        assert_eq!(
            f.value("services.nats", "jetstream")
                .and_then(|v| v.as_bool()),
            Some(true)
        );
        assert_eq!(int("services.minio", "port"), Some(9100));
        assert_eq!(f.str("services.minio", "access_key"), Some("dev"));
        assert_eq!(f.str("services.minio", "secret_key"), Some("devsecret"));
        assert_eq!(
            crate::commands::import::findings::shown(
                &f.value("services.minio", "buckets").cloned()
            ),
            "[\"uploads\", \"exports\"]"
        );
        assert_eq!(int("services.redis", "port"), Some(6379));
        assert_eq!(f.kept.len(), 1, "{:?}", f.kept);
        assert!(f.kept[0].what.contains("ghcr.io/acme/web"));
    }

    #[test]
    fn yaml_that_does_not_parse_is_reported() {
        let mut f = Findings::default();
        read("compose.yaml", "services:\n  db: [\n", &mut f);
        assert!(f.kept[0].why.contains("does not parse"));
    }
}
