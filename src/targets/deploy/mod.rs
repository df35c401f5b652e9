//! The `deploy` target: production from the same spec (`[deploy]`, seeds 002-004) —
//! Terraform for an AWS host under `infra/`, a `fly.toml` for each Fly app, and
//! `docker-compose.prod.yml`, all with the dev environment's names and ports. Templates in
//! `templates/deploy/`.

use serde::Serialize;

use super::{nixpkgs, Scope, Target, HCL, NIX, TOML, YAML};
use crate::model::{Model, DEFAULT_PHOENIX_PORT};
use crate::render::{decl, OutputDecl, Ownership};

pub static TARGET: Target = Target {
    name: "deploy",
    outputs: OUTPUTS,
    scope: Scope::Project { context: for_model },
    adopt: &[],
};

/// One Terraform file of `infra/`, with `[deploy.terraform]`.
const fn terraform(path: &'static str, template: &'static str) -> OutputDecl {
    decl(path, template, Ownership::Owned, HCL).when("deploy.terraform")
}

/// One Nix file of the NixOS host, with `[deploy.nixos]`.
const fn nixos(path: &'static str, template: &'static str) -> OutputDecl {
    decl(path, template, Ownership::Owned, NIX).when("deploy.nixos")
}

static OUTPUTS: &[OutputDecl] = &[
    terraform("infra/versions.tf", "deploy/versions.tf.j2"),
    terraform("infra/variables.tf", "deploy/variables.tf.j2"),
    terraform("infra/main.tf", "deploy/main.tf.j2"),
    terraform("infra/outputs.tf", "deploy/outputs.tf.j2"),
    terraform("infra/terraform.tfvars.example", "deploy/tfvars.example.j2"),
    OutputDecl {
        each: Some("deploy.fly"),
        ..decl(
            "{dir}/fly.toml",
            "deploy/fly.toml.j2",
            Ownership::Owned,
            TOML,
        )
    },
    nixos("nix/module.nix", "deploy/module.nix.j2"),
    nixos("nix/package.nix", "deploy/package.nix.j2"),
    nixos("nix/host.nix", "deploy/host.nix.j2"),
    decl(
        "docker-compose.prod.yml",
        "deploy/compose.prod.yml.j2",
        Ownership::Owned,
        YAML,
    )
    .when("deploy.compose"),
];

#[derive(Serialize)]
struct Context<'a> {
    #[serde(flatten)]
    model: &'a Model,
    /// The port the release listens on in production: the container's, else Phoenix's.
    phoenix_port: u16,
    /// Variables passed through by name besides SECRET_KEY_BASE and DATABASE_URL.
    env_names: Vec<&'a str>,
    /// The nixpkgs attribute of the toolchain's PostgreSQL.
    postgres_package: String,
    /// The nixpkgs attribute of the toolchain's Node.js, for the frontend's build.
    nodejs_package: String,
    /// The files the frontend's package manager pins its packages in.
    frontend_lockfiles: &'static [&'static str],
    /// The frontend's install from its lockfile alone, without install scripts.
    frontend_install: &'static str,
    /// What separates the tasks of `mix do`: `+` since Elixir 1.14, a comma before.
    mix_do: &'static str,
}

/// `mix do`'s task separator for Elixir `major.minor`.
fn mix_do_separator(elixir: &str) -> &'static str {
    let minor = elixir.split('.').nth(1).and_then(|m| m.parse::<u32>().ok());
    match (elixir.split('.').next(), minor) {
        (Some("1"), Some(minor)) if minor < 14 => ",",
        _ => "+",
    }
}

/// The lockfiles and the locked install of each package manager.
fn frontend_install(package_manager: &str) -> (&'static [&'static str], &'static str) {
    match package_manager {
        "bun" => (
            &["bun.lock", "bun.lockb"],
            "bun install --frozen-lockfile --ignore-scripts",
        ),
        "pnpm" => (
            &["pnpm-lock.yaml"],
            "pnpm install --frozen-lockfile --ignore-scripts",
        ),
        "yarn" => (
            &["yarn.lock"],
            "yarn install --frozen-lockfile --ignore-scripts",
        ),
        _ => (&["package-lock.json"], "npm ci --ignore-scripts"),
    }
}

/// On when the spec has `[deploy]`.
fn for_model(model: &Model) -> Option<minijinja::Value> {
    model.deploy.as_ref()?;
    let container = model.container.as_ref();
    let env_names = container
        .iter()
        .flat_map(|c| &c.env)
        .map(String::as_str)
        .filter(|n| !["SECRET_KEY_BASE", "DATABASE_URL", "PHX_HOST", "PORT"].contains(n))
        .collect();
    let (frontend_lockfiles, frontend_install) =
        frontend_install(model.frontend.as_ref().map_or("npm", |f| f.package_manager));
    Some(crate::render::values(&Context {
        model,
        phoenix_port: container.map_or(DEFAULT_PHOENIX_PORT, |c| c.port),
        env_names,
        postgres_package: nixpkgs::postgresql(&model.toolchain.postgres),
        nodejs_package: nixpkgs::nodejs(model.toolchain.node.as_deref().unwrap_or("22")),
        frontend_lockfiles,
        frontend_install,
        mix_do: mix_do_separator(&model.toolchain.elixir),
    }))
}
