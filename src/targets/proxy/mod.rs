//! The `proxy` target: Caddy in front of Phoenix and the frontend (`[proxy]`), seed 002's
//! HTTPS front door — a `Caddyfile` serving `https://<host>:<port>` on the project IP from
//! the project's own local CA, routing Phoenix's paths to Phoenix, each HMR websocket to its
//! port, and the rest to the frontend. Template in `templates/proxy/`.
//!
//! The rest of the front lives in the dev target's files, through this folder's partials:
//! the Procfile's `proxy` and `frontend` processes (`proxy/_Procfile.j2`), the dev shell's
//! `caddy-trust` (`proxy/_devenv.nix.j2`); the Phoenix config for the proxied origin is in
//! `dev/devgen.exs.j2`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{ports, Scope, Target, CADDYFILE};
use crate::model::Model;
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "proxy",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: &[],
};

static OUTPUTS: &[OutputDecl] = &[decl(
    "Caddyfile",
    "proxy/Caddyfile.j2",
    Ownership::Owned,
    CADDYFILE,
)];

#[derive(Serialize)]
struct Context<'a> {
    #[serde(flatten)]
    model: &'a Model,
    port: BTreeMap<String, ports::Spelled>,
}

/// On when the spec has `[proxy]`.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    model.proxy.as_ref()?;
    Some(crate::render::values(&Context {
        model,
        port: ports::spelled(model),
    }))
}
