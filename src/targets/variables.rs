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

/// A value: text, with the project's address or host name between `before` and `after`
/// when `at` says which.
struct Value {
    before: String,
    at: Option<(At, String)>,
}

/// What a checkout may override.
#[derive(Clone, Copy)]
enum At {
    Ip,
    Host,
}

fn at_ip(before: &str, after: &str) -> Value {
    Value {
        before: before.to_string(),
        at: Some((At::Ip, after.to_string())),
    }
}

fn at_host(before: &str, after: &str) -> Value {
    Value {
        before: before.to_string(),
        at: Some((At::Host, after.to_string())),
    }
}

fn plain(text: &str) -> Value {
    Value {
        before: text.to_string(),
        at: None,
    }
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
            at_ip(
                "postgresql://",
                &format!(":{}/{}", pg.port, pg.dev_database),
            )
        },
    )];
    let s = &model.services;
    if let Some(n) = &s.nats {
        vars.push(("NATS_URL", at_ip("nats://", &format!(":{}", n.port))));
    }
    if let Some(m) = &s.minio {
        let endpoint = || at_ip("http://", &format!(":{}", m.port));
        vars.extend([
            ("AWS_ACCESS_KEY_ID", plain(&m.access_key)),
            ("AWS_SECRET_ACCESS_KEY", plain(&m.secret_key)),
            ("AWS_REGION", plain(&m.region)),
            ("AWS_ENDPOINT_URL_S3", endpoint()),
            ("S3_ENDPOINT", endpoint()),
            ("S3_SCHEME", plain("http://")),
            ("S3_HOST", at_ip("", "")),
            ("S3_PORT", plain(&m.port.to_string())),
            ("S3_ACCESS_KEY_ID", plain(&m.access_key)),
            ("S3_SECRET_ACCESS_KEY", plain(&m.secret_key)),
        ]);
        if let Some(bucket) = m.buckets.first() {
            vars.push(("S3_BUCKET", plain(bucket)));
        }
    }
    if let Some(r) = &s.redis {
        vars.push(("REDIS_URL", at_ip("redis://", &format!(":{}", r.port))));
    }
    if let Some(m) = &s.mailpit {
        vars.push(("SMTP_HOST", at_ip("", "")));
        vars.push(("SMTP_PORT", plain(&m.smtp_port.to_string())));
    }
    debug_assert!(vars.iter().all(|(name, _)| VARIABLE_NAMES.contains(name)));
    vars.into_iter().map(|(n, v)| (n.to_string(), v)).collect()
}

/// The frontend's and the proxy's variables: where the app is served, and the ports the
/// frontend's dev server is to take.
fn front_values(model: &Model) -> Vec<(String, Value)> {
    let mut vars = Vec::new();
    if let Some(p) = &model.proxy {
        let origin = || at_host("https://", &format!(":{}", p.port));
        vars.push(("API_ORIGIN".to_string(), origin()));
        vars.push(("VITE_API_ORIGIN".to_string(), origin()));
        vars.push(("CADDY_PORT".to_string(), plain(&p.port.to_string())));
    }
    if let Some(f) = &model.frontend {
        vars.push(("FRONTEND_PORT".to_string(), plain(&f.port.to_string())));
        for hmr in &f.hmr {
            let name = format!("FRONTEND_HMR_{}_PORT", hmr.name);
            vars.push((name, plain(&hmr.port.to_string())));
        }
    }
    vars
}

/// Each variable spelled for `.env` and for devenv.nix.
fn spell(model: &Model, vars: Vec<(String, Value)>) -> Vec<Variable> {
    let ip = model.project.ip.to_string();
    let committed = |at: At| match at {
        At::Ip => ip.as_str(),
        At::Host => model.project.host.as_str(),
    };
    let expr = |at: At| match at {
        At::Ip => nix_project_ip(model),
        At::Host => nix_override(model.overrides.host, &model.project.host),
    };
    vars.into_iter()
        // The spec's own [env] says what the app reads under that name.
        .map(
            |(name, v)| match model.env.iter().find(|e| e.name == name) {
                Some(own) => (name, plain(&own.value)),
                None => (name, v),
            },
        )
        .map(|(name, v)| Variable {
            name: name.to_string(),
            dotenv: crate::text::shell::word(&match &v.at {
                Some((at, after)) => format!("{}{}{after}", v.before, committed(*at)),
                None => v.before.clone(),
            }),
            nix: match &v.at {
                Some((at, after)) => format!(
                    "\"{}${{{}}}{}\"",
                    nix_string_body(&v.before),
                    expr(*at),
                    nix_string_body(after)
                ),
                None => nix_edit::quote_string(&v.before),
            },
        })
        .collect()
}

/// The project's address as devenv.nix reads it: a worktree's `.envrc.local` overrides it
/// (`devgen worktree`), the committed one otherwise.
pub fn nix_project_ip(model: &Model) -> String {
    format!(
        "let ip = builtins.getEnv {}; in if ip == \"\" then {} else ip",
        nix_edit::quote_string(model.overrides.ip),
        nix_edit::quote_string(&model.project.ip.to_string())
    )
}

/// The value of the override variable `name`, else `committed`, as a Nix expression.
fn nix_override(name: &str, committed: &str) -> String {
    format!(
        "let v = builtins.getEnv {}; in if v == \"\" then {} else v",
        nix_edit::quote_string(name),
        nix_edit::quote_string(committed)
    )
}

/// The inside of a Nix string literal holding `text`.
fn nix_string_body(text: &str) -> String {
    let quoted = nix_edit::quote_string(text);
    quoted[1..quoted.len() - 1].to_string()
}
