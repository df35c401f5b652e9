//! The machine registry: which project on this machine uses which loopback address, host
//! name and ports, so that many projects run side by side without colliding (seed 000:
//! 127.0.0.10, .20, .30 …, each with Phoenix on 4000 and PostgreSQL on 5432).
//!
//! This module owns the registry: its entries ([`entry`]), its file format ([`file`]), where
//! the file lives and the exclusive lock around every read-modify-write ([`locked`]), the
//! rules on top of them — which address a new project gets, which claims collide — and what
//! it tells the other commands: the facts a project's model needs ([`facts`]) and the claims
//! of `init` and `sync` ([`claim`]). It never writes a project's files.
//!
//! The file is TOML, edited through toml_edit so that comments and keys written by a newer
//! devgen survive:
//!
//! ```toml
//! version = 1
//!
//! [[project]]
//! root = "/home/me/src/liberties"
//! name = "liberties"
//! host = "theliberties.test"
//! ip = "127.0.0.10"
//! ports = { phoenix = 4000, postgres = 5432, live_debugger = 4007 }
//!
//! # A git worktree of a registered project: an address of its own in the project's block.
//! [[worktree]]
//! of = "/home/me/src/liberties"
//! root = "/home/me/src/liberties-feature"
//! …same keys…
//!
//! # The PostgreSQL every project shares in shared-services mode.
//! [shared]
//! postgres = "127.0.0.2:5432"
//! ```
//!
//! Each project takes a block of ten addresses, `127.0.0.N0` for itself and `.N1`–`.N9` for
//! its worktrees; a block holding any registered address is taken.

mod claim;
mod entry;
mod facts;
mod file;
mod locked;

use std::fs;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::{Path, PathBuf};

use toml_edit::DocumentMut;

use crate::error::{Error, Result};
use crate::model::DEFAULT_SHARED_POSTGRES;

pub use claim::{changed_entry, follow, InitClaim, IpOrigin};
pub use entry::{Clash, Entry, Ports};
pub use facts::facts;
pub use locked::{default_path, Locked, ENV_PATH};

/// The convention's blocks: 127.0.0.10, .20, … .250.
const FIRST_BLOCK: u8 = 10;
const LAST_BLOCK: u8 = 250;
const BLOCK_SIZE: u8 = 10;

/// The registry as read from its file.
#[derive(Debug, Clone)]
pub struct Registry {
    path: PathBuf,
    doc: DocumentMut,
    entries: Vec<Entry>,
    shared_postgres: Option<SocketAddrV4>,
    changed: bool,
}

impl Registry {
    /// Read the registry at `path`; a missing file is an empty registry. Takes no lock:
    /// writes are atomic renames, so a reader sees a whole file, old or new.
    pub fn load(path: &Path) -> Result<Registry> {
        let text = match fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => file::NEW_FILE.to_string(),
            Err(e) => return Err(Error::io("cannot read the machine registry", path, e)),
        };
        Registry::parse(path, &text)
    }

    /// The registry at its [`default_path`].
    pub fn load_default() -> Result<Registry> {
        Registry::load(&default_path()?)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The address of the shared-services PostgreSQL, when the registry sets one.
    pub fn shared_postgres(&self) -> Option<SocketAddrV4> {
        self.shared_postgres
    }

    /// Where the shared-services PostgreSQL listens: the registry's `[shared] postgres`,
    /// else 127.0.0.2:5432.
    pub fn shared_postgres_or_default(&self) -> SocketAddrV4 {
        self.shared_postgres.unwrap_or(DEFAULT_SHARED_POSTGRES)
    }

    /// The entry whose root is `root`.
    pub fn get(&self, root: &Path) -> Option<&Entry> {
        self.entries.iter().find(|e| e.root == root)
    }

    /// The project entry (not a worktree's) whose root is `root`.
    pub fn project(&self, root: &Path) -> Option<&Entry> {
        self.get(root).filter(|e| e.worktree_of.is_none())
    }

    /// The first free address of the convention: 127.0.0.10, .20, … .250, skipping every
    /// block that holds a registered address (a project's, or one of its worktrees').
    pub fn next_free_ip(&self) -> Option<Ipv4Addr> {
        let mut taken: Vec<Ipv4Addr> = self.entries.iter().map(|e| e.ip).collect();
        taken.extend(self.shared_postgres.map(|a| *a.ip()));
        (FIRST_BLOCK..=LAST_BLOCK)
            .step_by(BLOCK_SIZE as usize)
            .find(|&n| {
                !taken.iter().any(|ip| {
                    let o = ip.octets();
                    o[..3] == [127, 0, 0] && o[3] >= n && o[3] - n < BLOCK_SIZE
                })
            })
            .map(|n| Ipv4Addr::new(127, 0, 0, n))
    }

    /// The first free address for a worktree of the project registered at `project_root`:
    /// .N1 to .N9 of the project's block (127.0.0.N0), skipping every registered address.
    /// `None` when the project is not registered, is not on 127.0.0.x, or its block is full.
    pub fn next_free_worktree_ip(&self, project_root: &Path) -> Option<Ipv4Addr> {
        let o = self.project(project_root)?.ip.octets();
        if o[..3] != [127, 0, 0] {
            return None;
        }
        // The last block, .250, ends at .255: count in u16 so .250 + 10 does not overflow.
        let base = u16::from(o[3] - o[3] % BLOCK_SIZE);
        (base + 1..(base + u16::from(BLOCK_SIZE)).min(256))
            .map(|n| Ipv4Addr::new(127, 0, 0, n as u8))
            .find(|ip| *ip != Ipv4Addr::LOCALHOST && self.entries.iter().all(|e| e.ip != *ip))
    }

    /// The first way `claim` collides with another checkout, if any. A project and its
    /// worktrees may share an address (seed 002 gives worktrees ports of their own), but no
    /// two checkouts may share an address:port.
    pub fn clash(&self, claim: &Entry) -> Option<Clash> {
        let others = || self.entries.iter().filter(|e| e.root != claim.root);
        // 127.0.0.1 is every ports-isolated checkout's: there only the ports must differ.
        let own_address = claim.ip != Ipv4Addr::LOCALHOST;
        if let Some(other) =
            others().find(|e| own_address && e.ip == claim.ip && e.family() != claim.family())
        {
            return Some(Clash::Ip {
                other: other.clone(),
            });
        }
        for (what, addr) in claim.endpoints() {
            for other in others() {
                if let Some((theirs, _)) = other.endpoints().into_iter().find(|(_, a)| *a == addr) {
                    return Some(Clash::Endpoint {
                        what,
                        addr,
                        other: Some((other.clone(), theirs)),
                    });
                }
            }
            // The shared PostgreSQL's address is reserved even before a project uses it:
            // the first shared-mode project would find it taken.
            if self.shared_postgres_or_default() == addr {
                return Some(Clash::Endpoint {
                    what,
                    addr,
                    other: None,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(root: &str, ip: [u8; 4]) -> Entry {
        Entry {
            root: PathBuf::from(root),
            name: root.rsplit('/').next().unwrap().to_string(),
            host: format!("{}.test", root.rsplit('/').next().unwrap()),
            ip: Ipv4Addr::from(ip),
            ports: Ports {
                phoenix: 4000,
                postgres: Some(5432),
                live_debugger: Some(4007),
                services: [("nats".to_string(), 4222)].into(),
            },
            worktree_of: None,
        }
    }

    fn empty() -> Registry {
        Registry::parse(Path::new("/r/registry.toml"), file::NEW_FILE).unwrap()
    }

    #[test]
    fn allocation_follows_the_convention_and_skips_taken_blocks() {
        let mut r = empty();
        assert_eq!(r.next_free_ip(), Some(Ipv4Addr::new(127, 0, 0, 10)));
        r.upsert(entry("/p/a", [127, 0, 0, 10])).unwrap();
        assert_eq!(r.next_free_ip(), Some(Ipv4Addr::new(127, 0, 0, 20)));
        // A hand-picked address inside block .30 takes that block.
        r.upsert(entry("/p/b", [127, 0, 0, 34])).unwrap();
        r.upsert(entry("/p/c", [127, 0, 0, 20])).unwrap();
        assert_eq!(r.next_free_ip(), Some(Ipv4Addr::new(127, 0, 0, 40)));
        r.remove(Path::new("/p/a"));
        assert_eq!(r.next_free_ip(), Some(Ipv4Addr::new(127, 0, 0, 10)));
        for n in (10..=250).step_by(10) {
            r.upsert(entry(&format!("/q/{n}"), [127, 0, 0, n])).unwrap();
        }
        assert_eq!(r.next_free_ip(), None);
    }

    #[test]
    fn worktrees_share_their_project_block_and_address() {
        let mut r = empty();
        r.upsert(entry("/p/a", [127, 0, 0, 10])).unwrap();
        let mut wt = entry("/p/a-feature", [127, 0, 0, 11]);
        wt.worktree_of = Some(PathBuf::from("/p/a"));
        r.upsert(wt.clone()).unwrap();
        assert_eq!(r.next_free_ip(), Some(Ipv4Addr::new(127, 0, 0, 20)));
        // Same address as its project on other ports: fine. On the same ports: not.
        wt.ip = Ipv4Addr::new(127, 0, 0, 10);
        wt.ports.phoenix = 4100;
        wt.ports.postgres = Some(5433);
        wt.ports.live_debugger = None;
        wt.ports.services = [("nats".to_string(), 4223)].into();
        assert_eq!(r.clash(&wt), None);
        wt.ports.services = [("nats".to_string(), 4222)].into();
        assert!(matches!(
            r.clash(&wt),
            Some(Clash::Endpoint { what, .. }) if what == "nats"
        ));
        wt.ports.services.clear();
        wt.ports.postgres = Some(5432);
        assert!(matches!(
            r.clash(&wt),
            Some(Clash::Endpoint { what, .. }) if what == "postgres"
        ));
        let text = r.render();
        assert!(
            text.contains("[[worktree]]\nof = \"/p/a\"\nroot = \"/p/a-feature\""),
            "{text}"
        );
        let back = Registry::parse(Path::new("/r/registry.toml"), &text).unwrap();
        assert_eq!(back.entries(), r.entries());
    }

    #[test]
    fn worktree_addresses_come_from_their_projects_block() {
        let mut r = empty();
        r.upsert(entry("/p/a", [127, 0, 0, 20])).unwrap();
        assert_eq!(
            r.next_free_worktree_ip(Path::new("/p/a")),
            Some(Ipv4Addr::new(127, 0, 0, 21))
        );
        for n in 21..=28 {
            let mut wt = entry(&format!("/p/a-{n}"), [127, 0, 0, n]);
            wt.worktree_of = Some(PathBuf::from("/p/a"));
            r.upsert(wt).unwrap();
        }
        assert_eq!(
            r.next_free_worktree_ip(Path::new("/p/a")),
            Some(Ipv4Addr::new(127, 0, 0, 29))
        );
        r.upsert(entry("/p/odd", [127, 0, 0, 29])).unwrap();
        assert_eq!(r.next_free_worktree_ip(Path::new("/p/a")), None);
        assert_eq!(r.next_free_worktree_ip(Path::new("/p/unknown")), None);
        r.upsert(entry("/p/last", [127, 0, 0, 250])).unwrap();
        assert_eq!(
            r.next_free_worktree_ip(Path::new("/p/last")),
            Some(Ipv4Addr::new(127, 0, 0, 251))
        );
    }

    #[test]
    fn another_projects_address_or_endpoint_clashes() {
        let mut r = empty();
        r.upsert(entry("/p/a", [127, 0, 0, 10])).unwrap();
        let b = entry("/p/b", [127, 0, 0, 10]);
        let clash = r.clash(&b).unwrap();
        assert!(
            clash
                .message()
                .contains("already used by project `a` at /p/a"),
            "{}",
            clash.message()
        );
        // Its own entry never clashes with itself.
        assert_eq!(r.clash(&entry("/p/a", [127, 0, 0, 10])), None);
        let text = "version = 1\n[shared]\npostgres = \"127.0.0.2:5432\"\n";
        let shared = Registry::parse(Path::new("/r/x.toml"), text).unwrap();
        let c = entry("/p/c", [127, 0, 0, 2]);
        assert!(matches!(
            shared.clash(&c),
            Some(Clash::Endpoint { other: None, .. })
        ));
    }

    #[test]
    fn edits_keep_comments_and_unknown_keys() {
        let text = "# mine\nversion = 1\n\n[[project]]\n# the shop\nroot = \"/p/a\"\nname = \"a\"\nhost = \"a.test\"\nip = \"127.0.0.10\"\nports = { phoenix = 4000, postgres = 5432 }\nfuture = \"kept\"\n";
        let mut r = Registry::parse(Path::new("/r/registry.toml"), text).unwrap();
        assert_eq!(r.entries()[0].ports.live_debugger, None);
        let mut e = r.entries()[0].clone();
        e.ip = Ipv4Addr::new(127, 0, 0, 40);
        r.upsert(e).unwrap();
        r.upsert(entry("/p/b", [127, 0, 0, 20])).unwrap();
        let out = r.render();
        assert!(out.starts_with("# mine\nversion = 1\n"), "{out}");
        assert!(out.contains("# the shop\nroot = \"/p/a\""), "{out}");
        assert!(out.contains("ip = \"127.0.0.40\""), "{out}");
        assert!(out.contains("future = \"kept\""), "{out}");
        assert!(
            out.contains("ports = { phoenix = 4000, postgres = 5432 }\n"),
            "{out}"
        );
        r.remove(Path::new("/p/a"));
        let out = r.render();
        assert!(!out.contains("/p/a\""), "{out}");
        assert_eq!(
            Registry::parse(Path::new("/r/registry.toml"), &out)
                .unwrap()
                .entries()
                .len(),
            1
        );
    }

    #[test]
    fn a_broken_entry_is_reported_at_its_place() {
        let text = "version = 1\n\n[[project]]\nroot = \"/p/a\"\nname = \"a\"\nhost = \"a.test\"\nip = \"10.0.0.1\"\nports = { phoenix = 4000, postgres = 5432 }\n";
        let err = Registry::parse(Path::new("/r/registry.toml"), text)
            .unwrap_err()
            .to_string();
        assert!(err.contains("--> /r/registry.toml:7:6"), "{err}");
        assert!(err.contains("outside the loopback range"), "{err}");
        let newer = Registry::parse(Path::new("/r/registry.toml"), "version = 9\n")
            .unwrap_err()
            .to_string();
        assert!(newer.contains("newer devgen"), "{newer}");
    }
}
