//! Compose files: a PostgreSQL service gives the version (its image's tag) and the port
//! (the host side of its first port mapping); every other service stays in the file.

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
        } else {
            found.keep(
                origin,
                format!("service {name} ({image})"),
                format!("devgen.toml has no key for this service yet; it stays in {path} as yours"),
            );
        }
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

/// The host side of a port mapping: `"5433:5432"`, `"127.0.0.1:5433:5432"`, `{ published: 5433 }`.
fn host_port(mapping: &Value) -> Option<u16> {
    if let Some(m) = mapping.as_mapping() {
        return scalar(m.get("published")?)?.parse().ok();
    }
    let text = scalar(mapping)?;
    let parts: Vec<&str> = text.split('/').next()?.split(':').collect();
    match parts.as_slice() {
        [_, host, _] | [host, _] => host.parse().ok(),
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
    fn postgres_gives_version_and_port_and_other_services_stay() {
        let mut f = Findings::default();
        read("docker-compose.yml", COMPOSE, &mut f);
        assert_eq!(f.str("toolchain", "postgres"), Some("15"));
        assert_eq!(
            f.value("postgres", "port").and_then(|v| v.as_integer()),
            Some(5434)
        );
        assert_eq!(f.taken[0].origin.to_string(), "docker-compose.yml:2");
        assert_eq!(f.kept[0].what, "POSTGRES_DB=shop_dev");
        assert_eq!(f.kept[1].origin.to_string(), "docker-compose.yml:8");
        assert!(f.kept[1].what.contains("redis:7"));
    }

    #[test]
    fn yaml_that_does_not_parse_is_reported() {
        let mut f = Findings::default();
        read("compose.yaml", "services:\n  db: [\n", &mut f);
        assert!(f.kept[0].why.contains("does not parse"));
    }
}
