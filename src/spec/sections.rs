//! The sections of `devgen.toml` and the keys each takes, as serde types. Their doc comments
//! are the descriptions of `devgen schema` and of the README's spec reference, so they are
//! written for users.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use serde_spanned::Spanned;

use super::rules::{DEFAULT_ELIXIR, DEFAULT_INSTANCE_TYPE};
use super::values::{LiveDebugger, Port, Version};

/// `devgen.toml`, parsed. Optional keys are `None` when absent. The doc comments of these
/// types are the descriptions of `devgen schema`, and the README's spec reference.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "devgen.toml",
    description = "The spec of a Phoenix project's development environment, from which devgen writes and keeps flake.nix, devenv.nix, the Procfile, .envrc and the rest"
)]
pub struct Spec {
    /// The project: its names, its dev host and its loopback address.
    pub project: ProjectSpec,
    /// Toolchain versions.
    #[serde(default)]
    pub toolchain: ToolchainSpec,
    /// The Phoenix dev server.
    #[serde(default)]
    pub phoenix: PhoenixSpec,
    /// The project's PostgreSQL.
    #[serde(default)]
    pub postgres: PostgresSpec,
    /// Packages of the dev shell.
    #[serde(default)]
    pub packages: PackagesSpec,
    /// Environment variables of the dev shell: each becomes `env.<NAME>` in devenv.nix.
    #[serde(default)]
    #[schemars(with = "EnvSchema")]
    pub env: IndexMap<Spanned<String>, Spanned<String>>,
    /// Git hooks.
    #[serde(default)]
    pub hooks: HooksSpec,
    /// Backing services beside PostgreSQL, each on the project IP: a table turns its service on.
    #[serde(default)]
    pub services: ServicesSpec,
    /// A JavaScript app beside Phoenix, with its dev server on the project IP.
    pub frontend: Option<FrontendSpec>,
    /// Caddy in front: https://<host>:<port> on the project IP, routing to Phoenix, the frontend and its HMR websockets.
    pub proxy: Option<ProxySpec>,
    /// The whole app as one container: a Dockerfile with PostgreSQL inside, its entrypoint, the release module and scripts.
    pub container: Option<ContainerSpec>,
    /// Production: Terraform for an AWS host, fly.toml for each Fly app, a production compose file.
    pub deploy: Option<DeploySpec>,
}

/// `[deploy]`: where the app runs in production (seeds 002-004). Secrets are named, never valued.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeploySpec {
    /// The production host name (PHX_HOST).
    #[schemars(with = "String")]
    pub host: Spanned<String>,
    /// A NixOS host: nix/module.nix, the app's NixOS module (services.<app>).
    pub nixos: Option<NixosSpec>,
    /// An AWS EC2 host made by Terraform under infra/.
    pub terraform: Option<TerraformSpec>,
    /// One table a Fly.io app: its fly.toml in its directory.
    #[serde(default)]
    pub fly: Vec<FlySpec>,
    /// docker-compose.prod.yml: the app's image behind a published port.
    pub compose: Option<DeployComposeSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NixosSpec {
    /// The host's name: nixosConfigurations.<name>.
    #[schemars(with = "Option<String>", extend("default" = "web"))]
    pub name: Option<Spanned<String>>,
    /// The proxy in front of the app: "nginx" or "caddy", each with ACME certificates.
    #[schemars(with = "Option<String>", extend("default" = "nginx"))]
    pub proxy: Option<Spanned<String>>,
    /// The host's platform: "x86_64-linux" or "aarch64-linux"; by default the one of
    /// [deploy.terraform]'s instance type, else "x86_64-linux".
    #[schemars(with = "Option<String>")]
    pub system: Option<Spanned<String>>,
    /// The hash of the release's Mix dependencies (`fetchMixDeps`), as Nix's first build
    /// reports it ("got: sha256-…"); `devgen deps-hash` writes it from Nix's message.
    #[schemars(with = "Option<String>")]
    pub mix_deps_hash: Option<Spanned<String>>,
    /// The hashes of [frontend]'s installed packages, one for each system they are built on
    /// (native packages differ), taken back the same way: { "x86_64-linux" = "sha256-…" }.
    #[serde(default)]
    #[schemars(with = "std::collections::BTreeMap<String, String>")]
    pub frontend_deps_hash: IndexMap<Spanned<String>, Spanned<String>>,
    /// The NixOS release the host was first installed with (system.stateVersion); never
    /// change it on a running host.
    #[schemars(with = "Option<String>", extend("default" = "26.05"))]
    pub state_version: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerraformSpec {
    /// The AWS region.
    #[schemars(with = "Option<String>", extend("default" = "us-east-1"))]
    pub region: Option<Spanned<String>>,
    /// The EC2 instance type.
    #[schemars(with = "Option<String>", extend("default" = DEFAULT_INSTANCE_TYPE))]
    pub instance_type: Option<Spanned<String>>,
    /// The name of the EC2 key pair for SSH.
    #[schemars(with = "Option<String>", extend("default" = "deploy"))]
    pub key_name: Option<Spanned<String>>,
    /// The networks SSH (port 22) is open to; never the whole internet by default.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub ssh_cidrs: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlySpec {
    /// The Fly app's name.
    #[schemars(with = "String")]
    pub app: Spanned<String>,
    /// The directory its fly.toml goes in, relative to the project root.
    #[schemars(with = "Option<String>", extend("default" = "."))]
    pub dir: Option<Spanned<String>>,
    /// Its primary region.
    #[schemars(with = "Option<String>", extend("default" = "ord"))]
    pub region: Option<Spanned<String>>,
    /// The port the app listens on inside the machine.
    #[schemars(with = "Option<Port>", extend("default" = 8080))]
    pub port: Option<Spanned<Port>>,
    /// The release command run before each deploy.
    #[schemars(with = "Option<String>", extend("default" = "/app/bin/migrate"))]
    pub release_command: Option<Spanned<String>>,
    /// The machine size.
    #[schemars(with = "Option<String>", extend("default" = "shared-cpu-1x"))]
    pub vm_size: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeployComposeSpec {
    /// The app's image, from a registry.
    #[schemars(with = "String")]
    pub image: Spanned<String>,
    /// The host port the app is published on.
    #[schemars(with = "Option<Port>", extend("default" = 80))]
    pub port: Option<Spanned<Port>>,
}

/// `[container]`: seed 001's single container.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContainerSpec {
    /// The port Phoenix listens on inside the container, published by `container-run`.
    #[schemars(with = "Option<Port>", extend("default" = 4000))]
    pub port: Option<Spanned<Port>>,
    /// The unprivileged user the app runs as.
    #[schemars(with = "Option<String>", extend("default" = "app"))]
    pub user: Option<Spanned<String>>,
    /// PostgreSQL inside the container, on a Unix socket only (version from [toolchain] postgres; logical replication from [postgres]).
    #[schemars(with = "Option<bool>", extend("default" = true))]
    pub postgres: Option<Spanned<bool>>,
    /// Environment variables passed through to the container by name, never with their values: SECRET_KEY_BASE, API keys.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub env: Vec<Spanned<String>>,
    /// Host directories mounted into the container: specific ones rather than your home, ~/.ssh read-only.
    #[serde(default)]
    pub mounts: Vec<MountSpec>,
    /// The named volume PostgreSQL's data lives in.
    #[schemars(with = "Option<String>", extend("default" = "pgdata"))]
    pub volume: Option<Spanned<String>>,
    /// The builder image: hexpm/elixir publishes full tags only (like "hexpm/elixir:1.18.4-erlang-27.3.4-debian-bookworm-20250520-slim"), which devgen cannot look up offline. Default: one named after [toolchain], to be replaced by a published tag.
    #[schemars(with = "Option<String>")]
    pub builder_image: Option<Spanned<String>>,
    /// The runtime image. Default: the Debian image of the builder's tag, else "debian:bookworm-slim".
    #[schemars(with = "Option<String>")]
    pub runtime_image: Option<Spanned<String>>,
}

/// One host directory mounted into the container.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MountSpec {
    /// The directory on the host (`~/` is your home).
    #[schemars(with = "String")]
    pub host: Spanned<String>,
    /// Where it appears in the container.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// "ro" (the default) or "rw".
    #[schemars(with = "Option<String>", extend("default" = "ro"))]
    pub mode: Option<Spanned<String>>,
}

/// `[frontend]`: a JavaScript app beside Phoenix (seed 002's).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrontendSpec {
    /// Its directory, relative to the project root.
    #[schemars(with = "Option<String>", extend("default" = "frontend"))]
    pub dir: Option<Spanned<String>>,
    /// Its package manager. Default: from the lockfile in `dir` when init or import reads it, else npm.
    #[schemars(with = "Option<PackageManager>")]
    pub package_manager: Option<Spanned<PackageManager>>,
    /// The command of its dev server, run in `dir` with HOST and PORT set. Default: "<package manager> run dev".
    #[schemars(with = "Option<String>")]
    pub dev: Option<Spanned<String>>,
    /// The dev server's port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 3000))]
    pub port: Option<Spanned<Port>>,
    /// Hot-module-replacement websockets: the path each serves, and its port on the project ip.
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Port>")]
    pub hmr: IndexMap<Spanned<String>, Spanned<Port>>,
    /// The command that builds it for production (the container target uses it). Default: "<package manager> run build".
    #[schemars(with = "Option<String>")]
    pub build: Option<Spanned<String>>,
    /// Where the build puts its files, relative to `dir` (copied into priv/static by the container build).
    #[schemars(with = "Option<String>", extend("default" = "dist"))]
    pub output: Option<Spanned<String>>,
}

/// `[frontend] package_manager`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum PackageManager {
    Bun,
    Pnpm,
    Npm,
    Yarn,
}

impl PackageManager {
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Bun => "bun",
            PackageManager::Pnpm => "pnpm",
            PackageManager::Npm => "npm",
            PackageManager::Yarn => "yarn",
        }
    }
}

/// `[proxy]`: Caddy in front of Phoenix and the frontend.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxySpec {
    /// Caddy's HTTPS port on the project ip: https://<host>:<port>.
    #[schemars(with = "Option<Port>", extend("default" = 8000))]
    pub port: Option<Spanned<Port>>,
    /// More routes: a path (Caddy's matcher, like "/admin/*") and where it goes — "phoenix", "frontend", or a port on the project ip. Phoenix gets /api/*, /live/*, /socket/*, /phoenix/* and /dev/* anyway; the HMR paths their ports; the rest the frontend (Phoenix without one).
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, Upstream>")]
    pub routes: IndexMap<Spanned<String>, Spanned<Upstream>>,
    /// Headers added to every response, like "Strict-Transport-Security".
    #[serde(default)]
    #[schemars(with = "BTreeMap<String, String>")]
    pub headers: IndexMap<Spanned<String>, Spanned<String>>,
}

/// Where a proxy route goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Upstream {
    /// "phoenix" or "frontend".
    Named(UpstreamName),
    /// Another server's port on the project ip.
    Port(Port),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamName {
    Phoenix,
    Frontend,
}

/// `[services]`: NATS, MinIO, Redis, Mailpit and PgWeb, run by devenv on the project IP (and,
/// with `compose = true`, by Docker Compose too).
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServicesSpec {
    /// Also write compose.yaml with the same services, for teammates without Nix and for CI.
    #[schemars(with = "Option<bool>", extend("default" = false))]
    pub compose: Option<Spanned<bool>>,
    /// NATS, with JetStream.
    pub nats: Option<NatsSpec>,
    /// MinIO, S3-compatible object storage.
    pub minio: Option<MinioSpec>,
    /// Redis.
    pub redis: Option<RedisSpec>,
    /// Mailpit: an SMTP server that keeps every mail for its web UI.
    pub mailpit: Option<MailpitSpec>,
    /// PgWeb: a web UI for the project's PostgreSQL.
    pub pgweb: Option<PgwebSpec>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NatsSpec {
    /// NATS's client port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 4222))]
    pub port: Option<Spanned<Port>>,
    /// The HTTP monitoring port (/healthz, /varz) on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 8222))]
    pub monitor_port: Option<Spanned<Port>>,
    /// JetStream, NATS's persistence, stored under .devenv/state/nats/jetstream (a volume in compose).
    #[schemars(extend("default" = true))]
    pub jetstream: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MinioSpec {
    /// MinIO's S3 API port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 9000))]
    pub port: Option<Spanned<Port>>,
    /// MinIO's web console port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 9001))]
    pub console_port: Option<Spanned<Port>>,
    /// Buckets to create at start, named as S3 names them (3-63 lowercase letters, digits, '-' and '.').
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub buckets: Vec<Spanned<String>>,
    /// The dev access key (the S3 user name), at least 3 characters. Dev only: never a real secret.
    #[schemars(with = "Option<String>", extend("default" = "minioadmin"))]
    pub access_key: Option<Spanned<String>>,
    /// The dev secret key, at least 8 characters. Dev only: never a real secret.
    #[schemars(with = "Option<String>", extend("default" = "minioadmin"))]
    pub secret_key: Option<Spanned<String>>,
    /// The region the S3 clients are told.
    #[schemars(with = "Option<String>", extend("default" = "us-east-1"))]
    pub region: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RedisSpec {
    /// Redis's port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 6379))]
    pub port: Option<Spanned<Port>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MailpitSpec {
    /// Mailpit's SMTP port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 1025))]
    pub smtp_port: Option<Spanned<Port>>,
    /// Mailpit's web UI port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 8025))]
    pub ui_port: Option<Spanned<Port>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PgwebSpec {
    /// PgWeb's port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 8081))]
    pub port: Option<Spanned<Port>>,
}

/// The schema of `[env]`: names as the shell takes them, string values.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct EnvSchema(
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    BTreeMap<String, String>,
);

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HooksSpec {
    /// Have the generated devenv.nix enable `devgen diff` as a git pre-commit hook.
    #[schemars(extend("default" = false))]
    pub pre_commit: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// Project name: lowercase letters, digits, '-' and '_', starting with a letter.
    #[schemars(with = "String", regex(pattern = r"^[a-z][a-z0-9_-]*$"))]
    pub name: Spanned<String>,
    /// OTP app name. Default: the name with '-' turned into '_'.
    #[schemars(with = "Option<String>", regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub app: Option<Spanned<String>>,
    /// Elixir module prefix. Default: the app name in CamelCase.
    #[schemars(with = "Option<String>")]
    pub module: Option<Spanned<String>>,
    /// Dev host name, resolved by dnsmasq to `ip` (and postgres.<host> too); under a suffix reserved for local use (.test, .localhost, .internal, .home.arpa, .example, .lan, .home, .corp, .intranet, .private). Default: "<name>.test".
    #[schemars(with = "Option<String>")]
    pub host: Option<Spanned<String>>,
    /// The project's loopback address in 127.0.0.0/8. Default: the next free one of the machine registry (127.0.0.10, .20, …).
    #[schemars(with = "Option<String>", extend("format" = "ipv4"), regex(pattern = r"^127\."))]
    pub ip: Option<Spanned<String>>,
    /// Where PostgreSQL runs: "isolated" (a server of the project's own, on its ip) or "shared" (the machine's one server, see `devgen shared`).
    #[schemars(with = "Option<Mode>", extend("default" = "isolated"))]
    pub mode: Option<Spanned<Mode>>,
    /// How checkouts keep apart: "ip" (each project and worktree its own loopback address, every service on its usual port).
    #[schemars(with = "Option<Isolation>", extend("default" = "ip"))]
    pub isolation: Option<Spanned<Isolation>>,
}

/// `[project] isolation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Isolation {
    /// Its own loopback address for each project and worktree.
    #[default]
    Ip,
    /// 127.0.0.1 for everyone, with a block of ports each (seed 002's worktree ranges).
    Ports,
}

/// `[project] mode`: where the project's PostgreSQL runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A PostgreSQL of the project's own, on the project IP.
    #[default]
    Isolated,
    /// One PostgreSQL for every project of the machine, at the registry's shared address;
    /// each project has its own databases in it.
    Shared,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolchainSpec {
    /// Elixir version, major.minor; becomes pkgs.<BEAM package set>.elixir_1_18.
    #[schemars(with = "Option<Version>", extend("default" = DEFAULT_ELIXIR))]
    pub elixir: Option<Spanned<Version>>,
    /// Erlang/OTP major version; picks pkgs.beam.packages.erlang_<N>. Default: nixpkgs' default BEAM package set.
    #[schemars(with = "Option<Version>")]
    pub erlang: Option<Spanned<Version>>,
    /// Node.js major version for the JavaScript toolchain. Absent: no JavaScript toolchain.
    #[schemars(with = "Option<Version>")]
    pub node: Option<Spanned<Version>>,
    /// PostgreSQL major version; becomes pkgs.postgresql_<N>.
    #[schemars(with = "Option<Version>", extend("default" = "16"))]
    pub postgres: Option<Spanned<Version>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoenixSpec {
    /// Phoenix's port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 4000))]
    pub port: Option<Spanned<Port>>,
    /// LiveDebugger's port on the project ip, or false to leave LiveDebugger out.
    #[schemars(with = "Option<LiveDebugger>", extend("default" = 4007))]
    pub live_debugger: Option<Spanned<LiveDebugger>>,
    /// Have overmind restart Phoenix when it crashes (OVERMIND_AUTO_RESTART=phoenix).
    #[schemars(extend("default" = true))]
    pub auto_restart: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresSpec {
    /// PostgreSQL's port on the project ip (isolated mode only).
    #[schemars(with = "Option<Port>", extend("default" = 5432))]
    pub port: Option<Spanned<Port>>,
    /// Databases to create; the first is dev's, the second test's. Default: ["<app>_dev", "<app>_test"].
    #[schemars(with = "Option<Vec<String>>", length(min = 1))]
    pub databases: Option<Spanned<Vec<Spanned<String>>>>,
    /// Log to a file and ring the terminal bell on each line (the Procfile's postgres-alerts process; isolated mode only).
    #[schemars(with = "Option<bool>", extend("default" = true))]
    pub log_alerts: Option<Spanned<bool>>,
    /// PostgreSQL extensions, as nixpkgs names them under postgresql.pkgs ("timescaledb", "pgvector", "postgis"; isolated mode only).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub extensions: Vec<Spanned<String>>,
    /// wal_level = logical with replication slots and WAL senders, as Electric SQL and other change-data-capture tools need (isolated mode only).
    #[schemars(with = "Option<bool>", extend("default" = false))]
    pub logical_replication: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackagesSpec {
    /// More nixpkgs attribute paths for the dev shell, like "flyctl" or "nodePackages.pnpm".
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub extra: Vec<Spanned<String>>,
}

/// The JSON Schema of devgen.toml, from the types above.
pub fn json_schema() -> Schema {
    schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Spec>()
}

/// The keys each section takes, for "did you mean" and for listing in help texts.
pub const SECTIONS: &[(&str, &[&str])] = &[
    (
        "project",
        &["name", "app", "module", "host", "ip", "mode", "isolation"],
    ),
    ("toolchain", &["elixir", "erlang", "node", "postgres"]),
    ("phoenix", &["port", "live_debugger", "auto_restart"]),
    (
        "postgres",
        &[
            "port",
            "databases",
            "log_alerts",
            "extensions",
            "logical_replication",
        ],
    ),
    ("packages", &["extra"]),
    ("env", &[]),
    ("hooks", &["pre_commit"]),
    (
        "services",
        &["compose", "nats", "minio", "redis", "mailpit", "pgweb"],
    ),
    (
        "frontend",
        &[
            "dir",
            "package_manager",
            "dev",
            "port",
            "hmr",
            "build",
            "output",
        ],
    ),
    ("proxy", &["port", "routes", "headers"]),
    (
        "container",
        &[
            "port",
            "user",
            "postgres",
            "env",
            "mounts",
            "volume",
            "builder_image",
            "runtime_image",
        ],
    ),
    ("deploy", &["host", "nixos", "terraform", "fly", "compose"]),
];

/// The keys of the tables inside a section (`[services.nats]`), as [`SECTIONS`] lists a
/// section's.
pub const SUBSECTIONS: &[(&str, &[&str])] = &[
    ("services.nats", &["port", "monitor_port", "jetstream"]),
    (
        "services.minio",
        &[
            "port",
            "console_port",
            "buckets",
            "access_key",
            "secret_key",
            "region",
        ],
    ),
    ("services.redis", &["port"]),
    ("services.mailpit", &["smtp_port", "ui_port"]),
    ("services.pgweb", &["port"]),
    ("container.mounts", &["host", "path", "mode"]),
    (
        "deploy.nixos",
        &[
            "name",
            "proxy",
            "system",
            "mix_deps_hash",
            "frontend_deps_hash",
            "state_version",
        ],
    ),
    (
        "deploy.terraform",
        &["region", "instance_type", "key_name", "ssh_cidrs"],
    ),
    (
        "deploy.fly",
        &["app", "dir", "region", "port", "release_command", "vm_size"],
    ),
    ("deploy.compose", &["image", "port"]),
];
