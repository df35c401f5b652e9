//! The single container (`[container]`, seed 001): the app's release with PostgreSQL
//! inside on a Unix socket, its images named after the toolchain the dev shell uses.

use serde::Serialize;

use super::given::{given, strings};
use super::{Postgres, Toolchain, DEFAULT_PHOENIX_PORT};
use crate::spec::SpecSource;

#[derive(Debug, Clone, Serialize)]
pub struct Container {
    pub port: u16,
    pub user: String,
    /// PostgreSQL inside, on a Unix socket.
    pub postgres: bool,
    pub logical_replication: bool,
    /// Passed through by name.
    pub env: Vec<String>,
    pub mounts: Vec<Mount>,
    pub volume: String,
    pub builder_image: String,
    /// Whether `builder_image` is devgen's guess rather than a published tag the spec names.
    pub builder_image_derived: bool,
    pub runtime_image: String,
    /// Debian's release both images are built on: `bookworm`.
    pub debian_release: String,
    /// PostgreSQL's major version and its server programs in the image.
    pub postgres_major: String,
    pub pg_bin: String,
    /// Where the image keeps the cluster and the socket.
    pub pgdata: String,
    pub pghost: String,
    /// The image's name: the project's, as Docker's reference grammar takes it.
    pub image: String,
    /// Debian packages of the PostgreSQL extensions (from PGDG; TimescaleDB from Timescale's
    /// repository, `timescale`).
    pub extension_packages: Vec<String>,
    pub timescale: bool,
    /// `shared_preload_libraries`, when an extension needs it.
    pub preload: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mount {
    pub host: String,
    pub path: String,
    pub read_only: bool,
}

/// `[container]`, with its defaults.
pub(super) fn container(
    src: &SpecSource,
    toolchain: &Toolchain,
    pg: &Postgres,
    name: &str,
) -> Option<Container> {
    let c = src.spec.container.as_ref()?;
    let derived = format!(
        "hexpm/elixir:{}-erlang-{}-debian-bookworm-slim",
        toolchain.elixir,
        toolchain.erlang.as_deref().unwrap_or("27")
    );
    let builder = given(&c.builder_image);
    // hexpm's tags end in `-debian-<release>-<date>-slim`: the runtime is that Debian.
    let debian_tag = builder.as_deref().and_then(|b| b.split("-debian-").nth(1));
    let debian_release = debian_tag
        .and_then(|rest| rest.split('-').next())
        .unwrap_or("bookworm")
        .to_string();
    let runtime = given(&c.runtime_image)
        .unwrap_or_else(|| format!("debian:{}", debian_tag.unwrap_or("bookworm-slim")));
    let major = toolchain.postgres.clone();
    Some(Container {
        port: c
            .port
            .as_ref()
            .map_or(DEFAULT_PHOENIX_PORT, |p| p.get_ref().0),
        user: given(&c.user).unwrap_or_else(|| "app".into()),
        postgres: c.postgres.as_ref().is_none_or(|p| *p.get_ref()),
        logical_replication: pg.logical_replication,
        env: strings(&c.env),
        mounts: c
            .mounts
            .iter()
            .map(|m| Mount {
                host: m.host.get_ref().clone(),
                path: m.path.get_ref().clone(),
                read_only: m.mode.as_ref().is_none_or(|m| m.get_ref() != "rw"),
            })
            .collect(),
        volume: given(&c.volume).unwrap_or_else(|| "pgdata".into()),
        builder_image_derived: builder.is_none(),
        builder_image: builder.unwrap_or(derived),
        runtime_image: runtime,
        debian_release,
        pg_bin: format!("/usr/lib/postgresql/{major}/bin"),
        postgres_major: major,
        pgdata: "/var/lib/postgresql/data".into(),
        pghost: "/run/postgresql".into(),
        image: name.replace('_', "-").trim_end_matches('-').to_string(),
        extension_packages: pg
            .extensions
            .iter()
            .map(|e| extension_package(e, &toolchain.postgres))
            .collect(),
        timescale: pg.extensions.iter().any(|e| e == "timescaledb"),
        preload: pg
            .extensions
            .iter()
            .any(|e| e == "timescaledb")
            .then(|| "timescaledb".to_string()),
    })
}

/// The Debian package of a PostgreSQL extension named as nixpkgs names it.
fn extension_package(extension: &str, major: &str) -> String {
    match extension {
        "timescaledb" => format!("timescaledb-2-postgresql-{major}"),
        "postgis" => format!("postgresql-{major}-postgis-3"),
        // PGDG's names are nixpkgs' with '-' for '_': pgvector, pg_partman → pg-partman.
        other => format!("postgresql-{major}-{}", other.replace('_', "-")),
    }
}
