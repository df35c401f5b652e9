//! The dev target's values that devgen.toml can say: PostgreSQL's port, the project address
//! in `listen_addresses`, the toolchain versions in the package attributes, and `env.*`.

use toml_edit::Value;

use crate::spec::edit::Setting;
use crate::targets::nixpkgs::{BEAM_SET, DEFAULT_BEAM_SET, NODEJS, POSTGRESQL};
use crate::targets::{nix_string, project_address, Adoptable, AttrMatch};

const DEVENV: &str = "devenv.nix";

pub(super) static TABLE: &[Adoptable] = &[
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact("services.postgres.port"),
        read: postgres_port,
    },
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact("services.postgres.listen_addresses"),
        read: project_ip,
    },
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact("services.postgres.package"),
        read: postgres_version,
    },
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact("languages.javascript.package"),
        read: node_version,
    },
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Exact("languages.elixir.package"),
        read: elixir_version,
    },
    Adoptable {
        file: DEVENV,
        path: AttrMatch::Under("env."),
        read: env_var,
    },
];

fn postgres_port(_: &str, value: &str) -> Option<Vec<Setting>> {
    let port = value.parse::<i64>().ok()?;
    Some(vec![Setting::new("postgres", "port", Some(port.into()))])
}

fn project_ip(_: &str, value: &str) -> Option<Vec<Setting>> {
    let ip = project_address(value)?;
    Some(vec![Setting::new("project", "ip", Some(ip.into()))])
}

fn postgres_version(_: &str, value: &str) -> Option<Vec<Setting>> {
    let v = version_after(value, &format!("pkgs.{POSTGRESQL}"))?;
    Some(vec![Setting::new("toolchain", "postgres", Some(v.into()))])
}

fn node_version(_: &str, value: &str) -> Option<Vec<Setting>> {
    let v = version_after(value, &format!("pkgs.{NODEJS}"))?;
    Some(vec![Setting::new("toolchain", "node", Some(v.into()))])
}

/// `pkgs.beam.packages.erlang_26.elixir_1_16` sets both versions; `pkgs.beamPackages.…`
/// (nixpkgs' default set) and the top-level alias `pkgs.elixir_1_16` remove `erlang`.
fn elixir_version(_: &str, value: &str) -> Option<Vec<Setting>> {
    let (erlang, elixir) = match value.strip_prefix(&format!("pkgs.{BEAM_SET}")) {
        Some(rest) => {
            let (otp, elixir) = rest.split_once(".elixir_")?;
            (Some(otp.replace('_', ".")), elixir)
        }
        None => (None, in_default_beam_set(value)?),
    };
    if elixir.is_empty() || !elixir.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return None;
    }
    Some(vec![
        Setting::new("toolchain", "elixir", Some(elixir.replace('_', ".").into())),
        Setting::new("toolchain", "erlang", erlang.map(Value::from)),
    ])
}

/// `1_16` of `pkgs.beamPackages.elixir_1_16` or of nixpkgs' alias `pkgs.elixir_1_16`.
fn in_default_beam_set(value: &str) -> Option<&str> {
    value
        .strip_prefix(&format!("pkgs.{DEFAULT_BEAM_SET}.elixir_"))
        .or_else(|| value.strip_prefix("pkgs.elixir_"))
}

fn env_var(name: &str, value: &str) -> Option<Vec<Setting>> {
    let name = nix_string(name).unwrap_or_else(|| name.to_string());
    let value = nix_string(value)?;
    Some(vec![Setting::new("env", name, Some(value.into()))])
}

/// `17` of `pkgs.postgresql_17`, `1.18` of `…_1_18`.
fn version_after(value: &str, prefix: &str) -> Option<String> {
    let v = value.strip_prefix(prefix)?;
    (!v.is_empty() && v.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_'))
        .then(|| v.replace('_', "."))
}
