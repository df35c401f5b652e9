//! The `services` target: the backing services beside PostgreSQL (`[services]`) — NATS,
//! MinIO, Redis, Mailpit, PgWeb — as `compose.yaml`, running them in Docker for teammates
//! without Nix. Templates in `templates/services/`.
//!
//! devenv runs the services themselves: their `services.*` settings go into the dev
//! target's devenv.nix (and the Phoenix config into its config/devgen.exs) through the
//! partials `services/_devenv.nix.j2` and `services/_devgen.exs.j2`; their variables are
//! [`super::variables`]', in devenv.nix and in the `dotenv` target's `.env`.

mod adopt;

use serde::Serialize;

use super::{Scope, Target, YAML};
use crate::model::Model;
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "services",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: adopt::TABLE,
};

static OUTPUTS: &[OutputDecl] = &[decl(
    "compose.yaml",
    "services/compose.yaml.j2",
    Ownership::Owned,
    YAML,
)];

#[derive(Serialize)]
struct Context<'a> {
    #[serde(flatten)]
    model: &'a Model,
    /// Compose's PostgreSQL image, from the toolchain's major version.
    postgres_image: String,
    port: std::collections::BTreeMap<String, super::ports::Spelled>,
}

/// On when the spec asks for compose.yaml.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    if !model.services.compose {
        return None;
    }
    let image = if model.postgres.extensions.iter().any(|e| e == "timescaledb") {
        // TimescaleDB's image is PostgreSQL with the extension preloaded.
        format!(
            "timescale/timescaledb:latest-pg{}",
            model.toolchain.postgres
        )
    } else if model.postgres.extensions.iter().any(|e| e == "pgvector") {
        format!("pgvector/pgvector:pg{}", model.toolchain.postgres)
    } else {
        format!("postgres:{}", model.toolchain.postgres)
    };
    Some(crate::render::values(&Context {
        model,
        postgres_image: image,
        port: super::ports::spelled(model),
    }))
}
