//! The sections of `devgen.toml` and the keys each takes, as serde types. Their doc comments
//! are the descriptions of `devgen schema` and of the README's spec reference, so they are
//! written for users.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use schemars::{JsonSchema, Schema};
use serde::Deserialize;
use serde_spanned::Spanned;

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
    #[schemars(with = "Option<Version>", extend("default" = "1.18"))]
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
    ("project", &["name", "app", "module", "host", "ip", "mode"]),
    ("toolchain", &["elixir", "erlang", "node", "postgres"]),
    ("phoenix", &["port", "live_debugger", "auto_restart"]),
    ("postgres", &["port", "databases", "log_alerts"]),
    ("packages", &["extra"]),
    ("env", &[]),
    ("hooks", &["pre_commit"]),
];
