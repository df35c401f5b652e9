//! What the registry tells a project's model: the address of a spec that names none, and
//! where the shared PostgreSQL listens. Reads only; a registry that cannot be read leaves
//! the convention's defaults, with a warning where that matters.

use std::path::Path;

use super::Registry;
use crate::error::Error;
use crate::model::{Facts, DEFAULT_IP};
use crate::spec::{SpecSource, SPEC_FILE};

/// The facts for the project at `root` whose spec is `src`, and for a spec that names no
/// ip, the note saying which address it got and why.
pub fn facts(
    registry: Result<&Registry, &Error>,
    root: &Path,
    src: &SpecSource,
) -> (Facts, Option<String>) {
    let mut facts = Facts::DEFAULT;
    // A project in shared mode connects to the machine's shared PostgreSQL: the registry's
    // address when it names one (kept to the default on machines of one team, since the
    // committed config carries it).
    if let Ok(reg) = registry {
        facts.shared_postgres = reg.shared_postgres_or_default();
    }
    let ports = src.spec.project.isolation.as_ref();
    let ports = ports.is_some_and(|i| *i.get_ref() == crate::spec::Isolation::Ports);
    if src.spec.project.ip.is_some() || ports {
        return (facts, None);
    }
    let (ip, note) = match registry {
        Ok(reg) => address_of_unnamed(reg, root),
        Err(e) => (
            DEFAULT_IP,
            format!(
                "warning: {SPEC_FILE} names no ip, and the machine registry cannot be read, so devgen uses {DEFAULT_IP}\n{e}"
            ),
        ),
    };
    facts.fallback_ip = ip;
    (facts, Some(note))
}

/// This root's registry entry, else the convention's first address, with the note.
fn address_of_unnamed(reg: &Registry, root: &Path) -> (std::net::Ipv4Addr, String) {
    if let Some(e) = reg.project(root) {
        return (
            e.ip,
            format!(
                "note: {SPEC_FILE} names no ip; using {}, this project's address in the machine registry {}",
                e.ip,
                reg.path().display()
            ),
        );
    }
    let ip = DEFAULT_IP;
    let mut note = format!(
        "note: {SPEC_FILE} names no ip and this project is not in the machine registry {}; using {ip}\n  \
         = help: run `devgen init` to take a free address and write it into {SPEC_FILE}",
        reg.path().display()
    );
    if let Some(other) = reg.entries().iter().find(|e| e.ip == ip) {
        note.push_str(&format!(
            "\n          ({ip} is the address of {}, so the two would collide)",
            other.describe()
        ));
    }
    (ip, note)
}
