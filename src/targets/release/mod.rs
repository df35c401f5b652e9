//! The `release` target: what `mix phx.gen.release` writes for a release to run anywhere —
//! `lib/<app>/release.ex` (migrate, rollback), `rel/overlays/bin/server` and `migrate`, and
//! `rel/env.sh.eex` — on when a target runs the release: the container (`[container]`,
//! with PostgreSQL's socket), Fly (`[[deploy.fly]]`, with its clustering) or the NixOS
//! module (`[deploy.nixos]`, whose service migrates through the release module). Templates in
//! `templates/release/`.

use super::{script, Scope, Target, ELIXIR, SHELL};
use crate::model::Model;
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "release",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: &[],
};

static OUTPUTS: &[OutputDecl] = &[
    decl(
        "lib/{app}/release.ex",
        "release/release.ex.j2",
        Ownership::Owned,
        ELIXIR,
    ),
    script("rel/overlays/bin/server", "release/server.j2"),
    script("rel/overlays/bin/migrate", "release/migrate.j2"),
    decl(
        "rel/env.sh.eex",
        "release/env.sh.eex.j2",
        Ownership::Owned,
        SHELL,
    ),
];

/// On when the container, a Fly app or the NixOS module runs the release.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    let deploy = model.deploy.as_ref();
    let runs = deploy.is_some_and(|d| !d.fly.is_empty() || d.nixos.is_some());
    (model.container.is_some() || runs).then(|| crate::render::values(model))
}
