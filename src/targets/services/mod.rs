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
use crate::spec::rules::compose_postgres_image;

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
    /// Compose's PostgreSQL image, from the toolchain's major version, and where it keeps
    /// its data.
    postgres_image: String,
    postgres_data: &'static str,
    port: std::collections::BTreeMap<String, super::ports::Spelled>,
}

/// On when the spec asks for compose.yaml.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    if !model.services.compose {
        return None;
    }
    let extensions: Vec<&str> = model
        .postgres
        .extensions
        .iter()
        .map(String::as_str)
        .collect();
    // The spec stage refused extensions no single image has.
    let (image, data) = compose_postgres_image(&extensions, &model.toolchain.postgres)
        .unwrap_or_else(|| {
            (
                format!("postgres:{}", model.toolchain.postgres),
                "/var/lib/postgresql/data",
            )
        });
    Some(crate::render::values(&Context {
        model,
        postgres_image: image,
        postgres_data: data,
        port: super::ports::spelled(model),
    }))
}
