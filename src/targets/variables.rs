//! The environment through which the app and its tools find everything devgen runs, with
//! the names their libraries read: `DATABASE_URL` (Ecto, psql, most tools), `NATS_URL` (Gnat
//! and the NATS CLI), the AWS SDKs' `AWS_*` with `AWS_ENDPOINT_URL_S3` and ExAws-style `S3_*`
//! for MinIO, `REDIS_URL` (Redix), `SMTP_*` for Mailpit; and for the frontend, the origin
//! Caddy serves (`API_ORIGIN`, `VITE_API_ORIGIN`) and its ports (`FRONTEND_PORT`,
//! `FRONTEND_HMR_<NAME>_PORT`, `CADDY_PORT`). The dev shell (devenv.nix `env`) and `.env` both
//! take them from here.

use serde::Serialize;

use crate::model::Model;

/// Every name [`variables`] may set.
pub const VARIABLE_NAMES: &[&str] = &[
    "DATABASE_URL",
    "NATS_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_REGION",
    "AWS_ENDPOINT_URL_S3",
    "S3_ENDPOINT",
    "S3_SCHEME",
    "S3_HOST",
    "S3_PORT",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_BUCKET",
    "REDIS_URL",
    "SMTP_HOST",
    "SMTP_PORT",
];

/// One variable, spelled for each file it goes into.
#[derive(Debug, Clone, Serialize)]
pub struct Variable {
    pub name: String,
    /// The value at the project's committed address, for `.env` (quoted for it).
    pub dotenv: String,
    /// A Nix expression for devenv.nix: at a worktree's own address when it overrides it.
    pub nix: String,
}

/// A value: text with the parts a checkout may override in it.
type Value = Vec<Part>;

enum Part {
    Text(String),
    /// The project's address.
    Ip,
    /// The project's host name.
    Host,
    /// One of the project's ports, by name (see `Model::named_ports`).
    Port(String, u16),
}

fn plain(text: &str) -> Value {
    vec![Part::Text(text.to_string())]
}

/// `scheme` + the project address + `:port` + `path`.
fn url(scheme: &str, port: (&str, u16), path: &str) -> Value {
    vec![
        Part::Text(scheme.to_string()),
        Part::Ip,
        Part::Text(":".into()),
        Part::Port(port.0.to_string(), port.1),
        Part::Text(path.to_string()),
    ]
}

fn port(name: &str, port: u16) -> Value {
    vec![Part::Port(name.to_string(), port)]
}

/// Every variable of what `model` turns on: the services' (with `DATABASE_URL` when any
/// is on), then the frontend's and the proxy's.
pub fn variables(model: &Model) -> Vec<Variable> {
    let mut vars = if model.services.any() {
        service_values(model)
    } else {
        Vec::new()
    };
    vars.extend(front_values(model));
    spell(model, vars)
}

/// The services' variables.
fn service_values(model: &Model) -> Vec<(String, Value)> {
    let pg = &model.postgres;
    let mut vars = vec![(
        "DATABASE_URL",
        if pg.shared {
            plain(&format!(
                "postgresql://{}:{}/{}",
                pg.ip, pg.port, pg.dev_database
            ))
        } else {
            url(
                "postgresql://",
                ("postgres", pg.port),
                &format!("/{}", pg.dev_database),
            )
        },
    )];
    let s = &model.services;
    if let Some(n) = &s.nats {
        vars.push(("NATS_URL", url("nats://", ("nats", n.port), "")));
    }
    if let Some(m) = &s.minio {
        let endpoint = || url("http://", ("minio", m.port), "");
        vars.extend([
            ("AWS_ACCESS_KEY_ID", plain(&m.access_key)),
            ("AWS_SECRET_ACCESS_KEY", plain(&m.secret_key)),
            ("AWS_REGION", plain(&m.region)),
            ("AWS_ENDPOINT_URL_S3", endpoint()),
            ("S3_ENDPOINT", endpoint()),
            ("S3_SCHEME", plain("http://")),
            ("S3_HOST", vec![Part::Ip]),
            ("S3_PORT", port("minio", m.port)),
            ("S3_ACCESS_KEY_ID", plain(&m.access_key)),
            ("S3_SECRET_ACCESS_KEY", plain(&m.secret_key)),
        ]);
        if let Some(bucket) = m.buckets.first() {
            vars.push(("S3_BUCKET", plain(bucket)));
        }
    }
    if let Some(r) = &s.redis {
        vars.push(("REDIS_URL", url("redis://", ("redis", r.port), "")));
    }
    if let Some(m) = &s.mailpit {
        vars.push(("SMTP_HOST", vec![Part::Ip]));
        vars.push(("SMTP_PORT", port("mailpit_smtp", m.smtp_port)));
    }
    debug_assert!(vars.iter().all(|(name, _)| VARIABLE_NAMES.contains(name)));
    vars.into_iter().map(|(n, v)| (n.to_string(), v)).collect()
}

/// The frontend's and the proxy's variables: where the app is served, and the ports the
/// frontend's dev server is to take.
fn front_values(model: &Model) -> Vec<(String, Value)> {
    let mut vars = Vec::new();
    if let Some(p) = &model.proxy {
        let origin = || {
            vec![
                Part::Text("https://".into()),
                Part::Host,
                Part::Text(":".into()),
                Part::Port("proxy".into(), p.port),
            ]
        };
        vars.push(("API_ORIGIN".to_string(), origin()));
        vars.push(("VITE_API_ORIGIN".to_string(), origin()));
        vars.push(("CADDY_PORT".to_string(), port("proxy", p.port)));
    }
    if let Some(f) = &model.frontend {
        vars.push(("FRONTEND_PORT".to_string(), port("frontend", f.port)));
        for hmr in &f.hmr {
            let name = format!("FRONTEND_HMR_{}_PORT", hmr.name);
            let port_name = format!("frontend_hmr_{}", hmr.name.to_ascii_lowercase());
            vars.push((name, port(&port_name, hmr.port)));
        }
    }
    vars
}

/// Each variable spelled for `.env` and for devenv.nix.
fn spell(model: &Model, vars: Vec<(String, Value)>) -> Vec<Variable> {
    let ports = super::ports::spelled(model);
    vars.into_iter()
        // The spec's own [env] says what the app reads under that name.
        .map(
            |(name, v)| match model.env.iter().find(|e| e.name == name) {
                Some(own) => (name, plain(&own.value)),
                None => (name, v),
            },
        )
        .map(|(name, value)| {
            let mut dotenv = String::new();
            let mut nix = String::new();
            for part in &value {
                match part {
                    Part::Text(t) => {
                        dotenv.push_str(t);
                        nix.push_str(&nix_string_body(t));
                    }
                    Part::Ip => {
                        dotenv.push_str(&model.project.ip.to_string());
                        nix.push_str(&format!("${{{}}}", nix_project_ip(model)));
                    }
                    Part::Host => {
                        dotenv.push_str(&model.project.host);
                        let host = nix_override(model.overrides.host, &model.project.host, "v");
                        nix.push_str(&format!("${{{host}}}"));
                    }
                    Part::Port(name, p) => {
                        dotenv.push_str(&p.to_string());
                        match ports.get(name) {
                            Some(spelled) => nix.push_str(&spelled.nix_in_string),
                            None => nix.push_str(&p.to_string()),
                        }
                    }
                }
            }
            Variable {
                name,
                dotenv: crate::text::shell::word(&dotenv),
                nix: format!("\"{nix}\""),
            }
        })
        .collect()
}

/// The project's address as devenv.nix reads it: a worktree's `.envrc.local` overrides it
/// (`devgen worktree`), the committed one otherwise.
pub fn nix_project_ip(model: &Model) -> String {
    let ip = model.project.ip.to_string();
    nix_override(model.overrides.ip, &ip, "ip")
}

/// The value of the override variable `name`, else `committed`, as a Nix expression that
/// binds it to `local`.
fn nix_override(name: &str, committed: &str, local: &str) -> String {
    format!(
        "let {local} = builtins.getEnv {}; in if {local} == \"\" then {} else {local}",
        nix_edit::quote_string(name),
        nix_edit::quote_string(committed)
    )
}

/// The inside of a Nix string literal holding `text`.
fn nix_string_body(text: &str) -> String {
    let quoted = nix_edit::quote_string(text);
    quoted[1..quoted.len() - 1].to_string()
}
