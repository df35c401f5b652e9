//! A git worktree of a registered project gets an address of its own in the project's block
//! (127.0.0.N1 … N9) and a host name under the project's (`<worktree>.<host>`), so that it
//! runs beside the main checkout on the same ports (seed 002 gives worktrees their own
//! ports; here they get their own address instead).
//!
//! This module owns finding the worktree's main checkout, the worktree's registry entry, and
//! the block of the untracked `.envrc.local` that exports the overrides (DEVGEN_IP,
//! DEVGEN_HOST). The committed files read those with the spec's values as defaults, so they
//! stay the same in every checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

use std::net::Ipv4Addr;

use super::registry::{Entry, Ports, Registry};
use crate::error::{Error, Result};
use crate::model::{port_variable, Overrides};
use crate::spec::rules::is_host_name;
use crate::spec::SPEC_FILE;
use crate::text::blocks::Markers;

/// The untracked file `.envrc` sources last.
pub const ENVRC_LOCAL: &str = ".envrc.local";

/// The markers of devgen's block in `.envrc.local`.
const MARKERS: Markers = Markers {
    begin: "# >>> devgen worktree >>> this checkout's own address; `devgen worktree` writes it",
    end: "# <<< devgen worktree <<<",
    begin_prefix: "# >>> devgen worktree >>>",
    end_prefix: "# <<< devgen worktree <<<",
    rerun: "devgen worktree",
};

/// The main checkout of the repository `root` is in: the first entry of `git worktree list`.
pub fn main_checkout(root: &Path) -> Result<PathBuf> {
    let not_a_worktree = |why: String| {
        Error::Usage(format!(
            "{why}\n  = help: `devgen worktree` is for a git worktree of a registered project: \
             `git worktree add ../NAME` in the project, then `devgen worktree` in ../NAME"
        ))
    };
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["worktree", "list", "--porcelain"])
        .output()
        .map_err(|e| not_a_worktree(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(not_a_worktree(format!(
            "{} is not in a git repository",
            root.display()
        )));
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let first = text
        .lines()
        .find_map(|l| l.strip_prefix("worktree "))
        .ok_or_else(|| not_a_worktree("git lists no worktree".to_string()))?;
    if text.lines().nth(1) == Some("bare") {
        return Err(not_a_worktree(format!(
            "{first} is a bare repository, so there is no main checkout to belong to"
        )));
    }
    std::fs::canonicalize(first).map_err(|e| Error::io("cannot open", Path::new(first), e))
}

/// The entry of the worktree at `root` of the project registered at `project`: the address
/// it has, else the next free one of the project's block; a host and name of its own.
/// `entry` is what the project's model makes for `root`.
pub fn claim(registry: &Registry, project: &Entry, entry: Entry) -> Result<Entry> {
    if project.ip == Ipv4Addr::LOCALHOST {
        return claim_ports(registry, project, entry);
    }
    claim_address(registry, project, entry)
}

/// Ports isolation: the worktree shares 127.0.0.1 and moves every port by the first
/// offset of 100, 200, … 900 at which none collides with another checkout's.
fn claim_ports(registry: &Registry, project: &Entry, entry: Entry) -> Result<Entry> {
    let main = &project.root;
    if let Some(known) = registry.get(&entry.root) {
        if known.worktree_of.as_deref() == Some(main.as_path()) && registry.clash(known).is_none() {
            return Ok(known.clone());
        }
    }
    for slot in 1..=9u8 {
        let Some(ports) = shifted(&entry.ports, u16::from(slot) * 100) else {
            break;
        };
        let mut candidate = Entry {
            ports,
            ..entry.clone()
        };
        named(&mut candidate, project, slot);
        if registry.clash(&candidate).is_none() {
            return Ok(candidate);
        }
    }
    Err(Error::Usage(format!(
        "no block of ports is free for another worktree of {} on 127.0.0.1 (offsets 100 to 900 are taken)\n  \
         = help: `devgen registry gc` drops worktrees whose directory is gone; \
         `devgen registry release PATH` frees one you no longer use",
        project.name
    )))
}

/// Every port of `ports` moved by `offset`; `None` when one would pass 65535.
fn shifted(ports: &Ports, offset: u16) -> Option<Ports> {
    let by = |p: u16| p.checked_add(offset);
    // An absent port stays absent; a present one that would pass 65535 ends the search.
    let maybe = |p: Option<u16>| match p {
        Some(p) => by(p).map(Some),
        None => Some(None),
    };
    Some(Ports {
        phoenix: by(ports.phoenix)?,
        postgres: maybe(ports.postgres)?,
        live_debugger: maybe(ports.live_debugger)?,
        services: ports
            .services
            .iter()
            .map(|(name, p)| Some((name.clone(), by(*p)?)))
            .collect::<Option<_>>()?,
    })
}

/// The worktree's host, name and project; `n` names it when its directory cannot.
fn named(entry: &mut Entry, project: &Entry, n: u8) {
    let mut label = label_of(&entry.root, n);
    // `shop-fix-login` of shop is `fix-login`: the host says `shop` already.
    if let Some(rest) = label.strip_prefix(&format!("{}-", project.name)) {
        if !rest.is_empty() {
            label = rest.to_string();
        }
    }
    entry.host = format!("{label}.{}", project.host);
    entry.name = worktree_name(&project.name, &label);
    entry.worktree_of = Some(project.root.clone());
    if !is_host_name(&entry.host) {
        entry.host = format!("wt{n}.{}", project.host);
    }
}

/// Ip isolation: an address of the project's block, every port as the project's.
fn claim_address(registry: &Registry, project: &Entry, mut entry: Entry) -> Result<Entry> {
    let main = &project.root;
    let ip = match registry.get(&entry.root) {
        Some(e) if e.worktree_of.as_deref() == Some(main.as_path()) => e.ip,
        _ => registry.next_free_worktree_ip(main).ok_or_else(|| {
            Error::Usage(format!(
                "the block of {} ({}) has no free address left for a worktree\n  \
                 = help: `devgen registry gc` drops worktrees whose directory is gone; \
                 `devgen registry release PATH` frees one you no longer use",
                project.name, project.ip
            ))
        })?,
    };
    entry.ip = ip;
    named(&mut entry, project, ip.octets()[3]);
    if let Some(clash) = registry.clash(&entry) {
        return Err(Error::Usage(format!(
            "{}\n  = help: free it (`devgen registry release PATH`), or change the ports in {SPEC_FILE}",
            clash.message()
        )));
    }
    Ok(entry)
}

/// `.envrc.local` (`current`, empty when missing) exporting the worktree's address and host,
/// or, with ports isolation, its host and each of its ports.
pub fn envrc_local(current: &str, entry: &Entry, vars: &Overrides) -> Result<String> {
    let mut inner = String::new();
    if entry.ip == Ipv4Addr::LOCALHOST {
        inner.push_str(&format!("export {}={}\n", vars.host, entry.host));
        for (name, addr) in entry.endpoints() {
            inner.push_str(&format!(
                "export {}={}\n",
                port_variable(&name),
                addr.port()
            ));
        }
    } else {
        inner.push_str(&format!(
            "export {}={}\nexport {}={}\n",
            vars.ip, entry.ip, vars.host, entry.host
        ));
    }
    MARKERS.put(ENVRC_LOCAL, current, &inner)
}

/// A DNS label from the worktree's directory name: lowercase letters, digits and '-', at
/// most 63 characters.
fn label_of(root: &Path, n: u8) -> String {
    let name = root
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let mut label = String::new();
    for c in name.chars() {
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
            label.push(c);
        }
    }
    label.truncate(63);
    let label = label.trim_end_matches('-').to_string();
    if label.is_empty() {
        format!("wt{n}")
    } else {
        label
    }
}

/// `<project>-<label>`, cut to a valid project name.
fn worktree_name(project: &str, label: &str) -> String {
    let mut name = format!("{project}-{label}");
    name.truncate(64);
    name.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_dns_labels() {
        let ip = 13;
        assert_eq!(
            label_of(Path::new("/w/Shop Fix_Login"), ip),
            "shop-fix-login"
        );
        assert_eq!(label_of(Path::new("/w/___"), ip), "wt13");
        assert_eq!(
            label_of(Path::new(&format!("/w/{}", "a".repeat(80))), ip).len(),
            63
        );
        assert_eq!(worktree_name("shop", "fix-login"), "shop-fix-login");
    }

    #[test]
    fn the_block_exports_the_overrides_and_keeps_the_rest() {
        let entry = Entry {
            root: "/w/shop-fix".into(),
            name: "shop-fix".into(),
            host: "fix.shop.test".into(),
            ip: std::net::Ipv4Addr::new(127, 0, 0, 11),
            ports: crate::machine::registry::Ports {
                phoenix: 4000,
                postgres: Some(5432),
                live_debugger: None,
                services: Default::default(),
            },
            worktree_of: Some("/w/shop".into()),
        };
        let vars = crate::model::OVERRIDES;
        let text = envrc_local("export MINE=1\n", &entry, &vars).unwrap();
        assert_eq!(
            text,
            format!(
                "export MINE=1\n\n{}\nexport DEVGEN_IP=127.0.0.11\nexport DEVGEN_HOST=fix.shop.test\n{}\n",
                MARKERS.begin, MARKERS.end
            )
        );
        assert_eq!(envrc_local(&text, &entry, &vars).unwrap(), text);
        let broken = format!("{}\n", MARKERS.begin);
        let err = envrc_local(&broken, &entry, &vars).unwrap_err().to_string();
        assert!(
            err.contains(".envrc.local:1:1") && err.contains("no end marker"),
            "{err}"
        );
    }
}
