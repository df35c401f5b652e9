//! The `container` target: the whole app as one container (`[container]`, seed 001) — a
//! Dockerfile following `mix phx.gen.release --docker` (frontend stage when `[frontend]` is
//! on, release stage, Debian runtime with PostgreSQL), its entrypoint (PostgreSQL on a
//! Unix socket, initialised once; migrations; the app as a child whose SIGTERM is
//! forwarded, PostgreSQL stopped cleanly after it), `.dockerignore`, and a compose file to
//! run it (the release module and overlay scripts are the `release` target's). Templates in
//! `templates/container/`; `container-build` and `container-run` go into the dev target's
//! devenv.nix through `container/_devenv.nix.j2`.

use super::{script, Scope, Target, DOCKERFILE, ELIXIR, GITIGNORE, YAML};
use crate::model::Model;
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "container",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: &[],
};

static OUTPUTS: &[OutputDecl] = &[
    decl(
        "Dockerfile",
        "container/Dockerfile.j2",
        Ownership::Owned,
        DOCKERFILE,
    ),
    decl(
        ".dockerignore",
        "container/dockerignore.j2",
        Ownership::Block,
        GITIGNORE,
    ),
    script("docker/entrypoint.sh", "container/entrypoint.sh.j2"),
    decl(
        "compose.container.yaml",
        "container/compose.container.yaml.j2",
        Ownership::Owned,
        YAML,
    ),
    // The frontend, served by Phoenix in the container: with [frontend] only.
    decl(
        "lib/{app}_web/controllers/spa_controller.ex",
        "container/spa_controller.ex.j2",
        Ownership::Owned,
        ELIXIR,
    )
    .when("frontend"),
];

/// What the app's own router needs for the frontend in the container, which devgen does not
/// edit (Elixir source it cannot change safely): the file, what tells it is there, and the
/// line to add (last in the router's scope).
pub struct AppLine {
    pub file: String,
    pub marker: &'static str,
    pub line: &'static str,
}

impl AppLine {
    /// Whether the app has the line: its file, as `read` gives the text (`None`: no such
    /// file), holds the marker. The caller reads, each as it must: targets read no files.
    pub fn present<E>(
        &self,
        read: impl FnOnce(&str) -> Result<Option<String>, E>,
    ) -> Result<bool, E> {
        Ok(read(&self.file)?.is_some_and(|text| text.contains(self.marker)))
    }
}

/// The lines `[container]` with `[frontend]` needs in the app's files.
pub fn app_lines(model: &Model) -> Vec<AppLine> {
    if model.container.is_none() || model.frontend.is_none() {
        return Vec::new();
    }
    vec![AppLine {
        file: format!("lib/{}_web/router.ex", model.project.app),
        marker: "SpaController",
        line: "get \"/*path\", SpaController, :index",
    }]
}

/// On when the spec has `[container]`.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    model.container.as_ref()?;
    Some(crate::render::values(model))
}
