//! What the dev target's templates see: the model, plus the names only these files use —
//! nixpkgs attributes for the toolchain and the dev shell's packages (with the comment each
//! carries), and the Phoenix modules the config names.

use serde::Serialize;

use crate::model::{
    Container, Deploy, EnvVar, Frontend, Model, Overrides, Phoenix, Postgres, Project, Proxy,
    Services, Toolchain,
};
use std::collections::BTreeMap;

use crate::targets::{nixpkgs, ports, variables};

/// Packages every dev environment gets: overmind runs the Procfile, and tmux must be the
/// same build overmind talks to, or tmux commands fail with "server exited unexpectedly".
const BASE_PACKAGES: &[(&str, Option<&str>)] = &[
    ("overmind", None),
    (
        "tmux",
        Some("the same build overmind talks to; another tmux fails with \"server exited unexpectedly\""),
    ),
];
/// Linux-only packages: inotify-tools drives Phoenix live reload.
const LINUX_PACKAGES: &[(&str, Option<&str>)] =
    &[("inotify-tools", Some("Phoenix live reload on Linux"))];

/// Whether every dev shell of devgen's has the package `attr` anyway.
pub fn is_base_package(attr: &str) -> bool {
    BASE_PACKAGES
        .iter()
        .chain(LINUX_PACKAGES)
        .any(|(a, _)| *a == attr)
}

#[derive(Serialize)]
struct Context<'a> {
    project: ProjectNames<'a>,
    toolchain: ToolchainPackages<'a>,
    phoenix: &'a Phoenix,
    postgres: &'a Postgres,
    packages: Packages,
    env: &'a [EnvVar],
    pre_commit_hook: bool,
    overrides: &'a Overrides,
    /// The backing services, written by the services target's partials.
    services: &'a Services,
    /// Whether any of them is on (their shell commands come with them).
    services_on: bool,
    frontend: Option<&'a Frontend>,
    proxy: Option<&'a Proxy>,
    container: Option<&'a Container>,
    deploy: Option<&'a Deploy>,
    /// Each port as each file spells it (a worktree in ports isolation moves them).
    port: BTreeMap<String, ports::Spelled>,
    /// The variables of the services, frontend and proxy, for `env`.
    service_variables: Vec<variables::Variable>,
}

#[derive(Serialize)]
struct ProjectNames<'a> {
    #[serde(flatten)]
    project: &'a Project,
    repo_module: String,
    endpoint_module: String,
    mailer_module: String,
    /// The project's address as a Nix expression that a worktree's override reaches.
    ip_nix: String,
}

#[derive(Serialize)]
struct ToolchainPackages<'a> {
    #[serde(flatten)]
    versions: &'a Toolchain,
    /// Attribute paths under `pkgs`.
    elixir_package: String,
    node_package: Option<String>,
    postgres_package: String,
}

/// The dev shell's packages, as attribute paths under `pkgs`.
#[derive(Serialize)]
struct Packages {
    /// devgen's own, then the spec's extras.
    all: Vec<Package>,
    linux: Vec<Package>,
}

#[derive(Serialize)]
struct Package {
    attr: String,
    /// Why devgen adds it, written beside it.
    comment: Option<&'static str>,
}

/// The dev target's values for `model`; the target is always on.
pub(super) fn for_model(model: &Model) -> Option<minijinja::Value> {
    let t = &model.toolchain;
    let module = &model.project.module;
    let context = Context {
        project: ProjectNames {
            project: &model.project,
            repo_module: format!("{module}.Repo"),
            endpoint_module: format!("{module}Web.Endpoint"),
            mailer_module: format!("{module}.Mailer"),
            ip_nix: variables::nix_project_ip(model),
        },
        toolchain: ToolchainPackages {
            versions: t,
            elixir_package: nixpkgs::elixir(&t.elixir, t.erlang.as_deref()),
            node_package: t.node.as_deref().map(nixpkgs::nodejs),
            postgres_package: nixpkgs::postgresql(&t.postgres),
        },
        phoenix: &model.phoenix,
        postgres: &model.postgres,
        packages: packages(model),
        env: &model.env,
        pre_commit_hook: model.pre_commit_hook,
        overrides: &model.overrides,
        services: &model.services,
        services_on: model.services.any(),
        frontend: model.frontend.as_ref(),
        proxy: model.proxy.as_ref(),
        container: model.container.as_ref(),
        deploy: model.deploy.as_ref(),
        port: ports::spelled(model),
        // A name the spec's [env] sets is written once, from there.
        service_variables: variables::variables(model)
            .into_iter()
            .filter(|v| !model.env.iter().any(|e| e.name == v.name))
            .collect(),
    };
    Some(crate::render::values(&context))
}

/// devgen's packages, the PostgreSQL client in shared mode, then the spec's extras, each
/// once; the Linux-only ones (inotify-tools) always in the Linux-only list, also when the
/// spec lists them among its extras — on macOS nixpkgs has no build of them.
fn packages(model: &Model) -> Packages {
    let mut all: Vec<Package> = BASE_PACKAGES.iter().map(package).collect();
    // Without a service of its own the shell still needs the client (pg_isready, psql).
    let client = model
        .postgres
        .shared
        .then(|| nixpkgs::postgresql(&model.toolchain.postgres));
    for (attr, comment) in front_packages(model) {
        all.push(Package {
            attr: attr.to_string(),
            comment: Some(comment),
        });
    }
    let linux_only = |attr: &str| LINUX_PACKAGES.iter().any(|(a, _)| *a == attr);
    for attr in client.iter().chain(&model.extra_packages) {
        if !all.iter().any(|p| p.attr == *attr) && !linux_only(attr) {
            all.push(Package {
                attr: attr.clone(),
                comment: None,
            });
        }
    }
    let linux = LINUX_PACKAGES
        .iter()
        .filter(|(attr, _)| !all.iter().any(|p| p.attr == *attr))
        .map(package)
        .collect();
    Packages { all, linux }
}

/// Caddy for the proxy, and the frontend's package manager (npm comes with Node.js).
fn front_packages(model: &Model) -> Vec<(&'static str, &'static str)> {
    let mut packages = Vec::new();
    if model.proxy.is_some() {
        packages.push(("caddy", "the HTTPS proxy: the Procfile's proxy process"));
    }
    if let Some(d) = &model.deploy {
        if d.terraform.is_some() {
            // OpenTofu: Terraform's open fork, which nixpkgs builds without allowUnfree.
            packages.push(("opentofu", "infra/: tf-deploy, tf-destroy (tofu)"));
            packages.push(("awscli2", "the AWS account Terraform deploys to"));
        }
        if d.nixos.is_some() {
            packages.push(("nixos-rebuild", "deploy: switches the NixOS host over SSH"));
        }
        if !d.fly.is_empty() {
            packages.push(("flyctl", "fly deploy, fly secrets"));
        }
    }
    match model.frontend.as_ref().map(|f| f.package_manager) {
        Some("bun") => packages.push(("bun", "the frontend's package manager")),
        Some("pnpm") => packages.push(("pnpm", "the frontend's package manager")),
        Some("yarn") => packages.push(("yarn", "the frontend's package manager")),
        _ => {}
    }
    packages
}

fn package(&(attr, comment): &(&str, Option<&'static str>)) -> Package {
    Package {
        attr: attr.to_string(),
        comment,
    }
}
