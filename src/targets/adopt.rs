//! Which values in generated files a key of devgen.toml can say. Each target declares a
//! table of [`Adoptable`]s next to its templates; `sync --adopt` (and a first `init` in a
//! repository that has such files already) looks a hand-written value up here and writes
//! the settings it gives into the spec.

use nix_edit::{NixDocument, Shape};

use super::TARGETS;
use crate::spec::edit::Setting;

/// Which attribute paths of a file an entry reads.
#[derive(Debug, Clone, Copy)]
pub enum AttrMatch {
    /// This path only: `services.postgres.port`.
    Exact(&'static str),
    /// Every path below this prefix (written with its dot): `env.` for `env.ERL_AFLAGS`.
    Under(&'static str),
}

/// A value in a target's file that a key of devgen.toml can say.
pub struct Adoptable {
    pub file: &'static str,
    pub path: AttrMatch,
    /// The settings that say `value`; `rest` is the path below an [`AttrMatch::Under`]
    /// prefix (empty for an exact path). `None`: the value is not one the spec can hold.
    pub read: fn(rest: &str, value: &str) -> Option<Vec<Setting>>,
}

/// The settings that carry `value`, found at attribute `path` of `file`, into devgen.toml;
/// `None` when no key says it.
pub fn settings_for(file: &str, path: &str, value: &str) -> Option<Vec<Setting>> {
    let value = value.trim();
    TARGETS
        .iter()
        .flat_map(|t| t.adopt)
        .filter(|a| a.file == file)
        .find_map(|a| {
            let rest = match a.path {
                AttrMatch::Exact(p) => (p == path).then_some(""),
                AttrMatch::Under(prefix) => path.strip_prefix(prefix),
            }?;
            Some((a.read)(rest, value))
        })
        .flatten()
}

/// The text of a Nix string literal without interpolation (`"a\nb"`, `''a''`); `None` for
/// any other expression.
pub fn nix_string(expr: &str) -> Option<String> {
    let doc = NixDocument::parse("value", expr).ok()?;
    match doc.value().shape() {
        Shape::Str(text) => text,
        _ => None,
    }
}

/// The project address a devenv.nix value gives: devgen's `let ip = builtins.getEnv "…";
/// in if ip == "" then "IP" else ip`, or a plain string — but not 127.0.0.1 or localhost,
/// the machine's own loopback address, which is any project's, never one project's own.
pub fn project_address(value: &str) -> Option<String> {
    let ip = match value.split_once(" then ") {
        Some((_, rest)) => rest.split_once(" else ")?.0.trim(),
        None => value,
    };
    let ip = nix_string(ip)?;
    (ip != "127.0.0.1" && ip != "localhost").then_some(ip)
}

/// The address and port of a devenv.nix `"HOST:PORT"` value: a plain string, or devgen's
/// `"${let ip = …; in if ip == "" then "IP" else ip}:PORT"` (the address as
/// [`project_address`] reads it).
pub fn address_and_port(value: &str) -> Option<(Option<String>, u16)> {
    let inner = value.trim().strip_prefix('"')?.strip_suffix('"')?;
    let (host, port) = inner.rsplit_once(':')?;
    let port = port.parse().ok()?;
    let host = match host.strip_prefix("${").and_then(|h| h.strip_suffix('}')) {
        Some(expr) => project_address(expr),
        None => project_address(&format!("\"{host}\"")),
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_as_devgen_and_people_write_them() {
        let devgen =
            r#"let ip = builtins.getEnv "DEVGEN_IP"; in if ip == "" then "127.0.0.50" else ip"#;
        assert_eq!(project_address(devgen).as_deref(), Some("127.0.0.50"));
        assert_eq!(project_address("\"127.0.0.1\""), None);
        assert_eq!(
            address_and_port(&format!("\"${{{devgen}}}:9000\"")),
            Some((Some("127.0.0.50".into()), 9000))
        );
        assert_eq!(address_and_port("\"127.0.0.1:1025\""), Some((None, 1025)));
        assert_eq!(address_and_port("\"nowhere\""), None);
    }
}
