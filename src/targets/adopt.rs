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
