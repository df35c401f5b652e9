//! The services' values in devenv.nix that devgen.toml can say: each service's ports (and
//! the project address they listen on), NATS's JetStream, MinIO's buckets and dev
//! credentials, PgWeb's port in its process, and PostgreSQL's extensions and logical
//! replication.

use toml_edit::{Array, Value};

use crate::spec::edit::Setting;
use crate::targets::{address_and_port, nix_string, project_address, Adoptable, AttrMatch};

const DEVENV: &str = "devenv.nix";

/// One entry of devenv.nix.
const fn at(path: &'static str, read: fn(&str, &str) -> Option<Vec<Setting>>) -> Adoptable {
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact(path),
        read,
    }
}

pub(super) static TABLE: &[Adoptable] = &[
    at("services.nats.port", |_, v| {
        port("services.nats", "port", v)
    }),
    at("services.nats.monitoring.port", |_, v| {
        port("services.nats", "monitor_port", v)
    }),
    at("services.nats.jetstream.enable", |_, v| {
        flag("services.nats", "jetstream", v)
    }),
    at("services.nats.host", |_, v| address(v)),
    at("services.minio.listenAddress", |_, v| {
        listen("services.minio", "port", v)
    }),
    at("services.minio.consoleAddress", |_, v| {
        listen("services.minio", "console_port", v)
    }),
    at("services.minio.buckets", |_, v| {
        let buckets = strings(v)?;
        Some(vec![Setting::new(
            "services.minio",
            "buckets",
            Some(buckets),
        )])
    }),
    at("services.minio.accessKey", |_, v| {
        text("services.minio", "access_key", v)
    }),
    at("services.minio.secretKey", |_, v| {
        text("services.minio", "secret_key", v)
    }),
    at("services.minio.region", |_, v| {
        text("services.minio", "region", v)
    }),
    at("services.redis.port", |_, v| {
        port("services.redis", "port", v)
    }),
    at("services.redis.bind", |_, v| address(v)),
    at("services.mailpit.smtpListenAddress", |_, v| {
        listen("services.mailpit", "smtp_port", v)
    }),
    at("services.mailpit.uiListenAddress", |_, v| {
        listen("services.mailpit", "ui_port", v)
    }),
    at("processes.pgweb.exec", |_, v| {
        let port = pgweb_port(v)?;
        Some(vec![Setting::new(
            "services.pgweb",
            "port",
            Some(i64::from(port).into()),
        )])
    }),
    at("services.postgres.extensions", |_, v| {
        let names: Array = extension_names(v)?.into_iter().collect();
        Some(vec![Setting::new(
            "postgres",
            "extensions",
            Some(names.into()),
        )])
    }),
    at("services.postgres.settings.wal_level", |_, v| {
        let logical = nix_string(v)? == "logical";
        Some(vec![Setting::new(
            "postgres",
            "logical_replication",
            Some(logical.into()),
        )])
    }),
];

fn port(section: &'static str, key: &str, value: &str) -> Option<Vec<Setting>> {
    let port = value.parse::<u16>().ok().filter(|p| *p > 0)?;
    Some(vec![Setting::new(
        section,
        key,
        Some(i64::from(port).into()),
    )])
}

fn flag(section: &'static str, key: &str, value: &str) -> Option<Vec<Setting>> {
    let on = match value {
        "true" => true,
        "false" => false,
        _ => return None,
    };
    Some(vec![Setting::new(section, key, Some(on.into()))])
}

fn text(section: &'static str, key: &str, value: &str) -> Option<Vec<Setting>> {
    Some(vec![Setting::new(
        section,
        key,
        Some(nix_string(value)?.into()),
    )])
}

/// The address a service listens on is the project's.
fn address(value: &str) -> Option<Vec<Setting>> {
    let ip = project_address(value)?;
    Some(vec![Setting::new("project", "ip", Some(ip.into()))])
}

/// `"IP:PORT"`: the port, and the project address when it is one.
fn listen(section: &'static str, key: &str, value: &str) -> Option<Vec<Setting>> {
    let (ip, port) = address_and_port(value)?;
    let mut settings = vec![Setting::new(section, key, Some(i64::from(port).into()))];
    settings.extend(ip.map(|ip| Setting::new("project", "ip", Some(ip.into()))));
    Some(settings)
}

/// `[ "a" "b" ]`, every element a plain string.
fn strings(value: &str) -> Option<Value> {
    let inner = value.trim().strip_prefix('[')?.strip_suffix(']')?;
    let doc = nix_edit::NixDocument::parse("list", format!("[{inner}]")).ok()?;
    let nix_edit::Shape::List(elements) = doc.value().shape() else {
        return None;
    };
    let mut array = Array::new();
    for e in elements {
        match e.shape() {
            nix_edit::Shape::Str(Some(text)) => array.push(text),
            _ => return None,
        }
    }
    Some(array.into())
}

/// `--listen=8082` or `--listen 8082` in PgWeb's command; PgWeb's own 8081 without one.
fn pgweb_port(exec: &str) -> Option<u16> {
    let words: Vec<&str> = exec
        .split(|c: char| c.is_whitespace() || c == '"')
        .collect();
    let given = words
        .iter()
        .enumerate()
        .find_map(|(i, w)| match w.strip_prefix("--listen") {
            Some(rest) if rest.starts_with('=') => rest[1..].parse().ok(),
            Some("") => words.get(i + 1)?.parse().ok(),
            _ => None,
        });
    exec.contains("pgweb").then_some(given.unwrap_or(8081))
}

/// `extensions: [ extensions.timescaledb extensions.pgvector ]` (any parameter name).
fn extension_names(value: &str) -> Option<Vec<String>> {
    let (param, body) = value.split_once(':')?;
    let param = param.trim();
    let list = body.trim().strip_prefix('[')?.strip_suffix(']')?;
    list.split_whitespace()
        .map(|e| {
            let name = e.strip_prefix(param)?.strip_prefix('.')?;
            nix_edit::is_ident(name).then(|| name.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pgweb_port_from_either_spelling_or_its_default() {
        assert_eq!(
            pgweb_port("exec ${pkgs.pgweb}/bin/pgweb --bind=x --listen=8082"),
            Some(8082)
        );
        assert_eq!(
            pgweb_port("\"${pkgs.pgweb}/bin/pgweb --listen 8083\""),
            Some(8083)
        );
        assert_eq!(pgweb_port("${pkgs.pgweb}/bin/pgweb"), Some(8081));
        assert_eq!(pgweb_port("sleep 1"), None);
    }

    #[test]
    fn extension_names_under_any_parameter() {
        assert_eq!(
            extension_names("extensions: [ extensions.timescaledb extensions.pgvector ]"),
            Some(vec!["timescaledb".into(), "pgvector".into()])
        );
        assert_eq!(
            extension_names("ps: [ ps.postgis ]"),
            Some(vec!["postgis".into()])
        );
        assert_eq!(extension_names("ps: [ pkgs.postgis ]"), None);
    }

    #[test]
    fn buckets_are_plain_strings_only() {
        assert_eq!(
            strings("[ \"uploads\" \"exports\" ]").map(|v| v.to_string()),
            Some("[\"uploads\", \"exports\"]".into())
        );
        assert!(strings("[ name ]").is_none());
    }
}
