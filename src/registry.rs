//! The machine registry: which project on this machine uses which loopback address, host
//! name and ports, so that many projects run side by side without colliding (seed 000:
//! 127.0.0.10, .20, .30 …, each with Phoenix on 4000 and PostgreSQL on 5432).
//!
//! This module owns the registry file — where it lives (`DEVGEN_REGISTRY`, else
//! `$XDG_CONFIG_HOME/devgen/registry.toml`, else `~/.config/devgen/registry.toml`), its
//! format, the exclusive lock around every read-modify-write, and the atomic write — and the
//! rules on top of it: which address a new project gets, and which claims collide. It never
//! writes a project's files: `init`, `sync` and `diff` ask it for an address, and `net` and
//! `doctor` read it.
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

use std::fs;
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike};

use crate::commands::{exit, Format, Io};
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::fsys::ProjectRoot;
use crate::model::{self, Model};
use crate::spec::{self, parse_loopback_ip, SpecSource, SPEC_FILE};

/// The environment variable naming the registry file; it wins over the XDG location.
pub const ENV_PATH: &str = "DEVGEN_REGISTRY";
/// The format this devgen reads and writes.
const VERSION: i64 = 1;
/// The convention's blocks: 127.0.0.10, .20, … .250.
const FIRST_BLOCK: u8 = 10;
const LAST_BLOCK: u8 = 250;
const BLOCK_SIZE: u8 = 10;
/// Where the shared-services PostgreSQL listens unless the registry says otherwise.
pub const DEFAULT_SHARED_POSTGRES: SocketAddrV4 = SocketAddrV4::new(
    model::DEFAULT_SHARED_POSTGRES.0,
    model::DEFAULT_SHARED_POSTGRES.1,
);

const NEW_FILE: &str = "\
# devgen's machine registry: the loopback address, host and ports of each project on this
# machine, so that no two collide. `devgen init` adds projects; `devgen registry list`,
# `release` and `gc` show and remove them. devgen keeps comments and unknown keys here.
version = 1
";

/// Where the registry lives: `DEVGEN_REGISTRY`, else `$XDG_CONFIG_HOME/devgen/registry.toml`,
/// else `$HOME/.config/devgen/registry.toml` — the XDG rule on every platform, macOS too, so
/// that one dotfiles setup works everywhere.
pub fn default_path() -> Result<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(p) = var(ENV_PATH) {
        let p = PathBuf::from(p);
        return Ok(if p.is_absolute() {
            p
        } else {
            std::env::current_dir()
                .map_err(|e| Error::io("cannot read the current directory for", &p, e))?
                .join(p)
        });
    }
    // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if let Some(xdg) = var("XDG_CONFIG_HOME").map(PathBuf::from) {
        if xdg.is_absolute() {
            return Ok(xdg.join("devgen").join("registry.toml"));
        }
    }
    match var("HOME").map(PathBuf::from) {
        Some(home) if home.is_absolute() => Ok(home.join(".config/devgen/registry.toml")),
        _ => Err(Error::Usage(format!(
            "cannot tell where the machine registry lives: {ENV_PATH}, XDG_CONFIG_HOME and HOME are all unset\n  \
             = help: set {ENV_PATH}=/path/to/registry.toml"
        ))),
    }
}

/// The ports a project listens on, all on its own IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ports {
    pub phoenix: u16,
    /// `None`: the project uses the machine's shared PostgreSQL (`mode = "shared"`), so no
    /// PostgreSQL listens on its address.
    pub postgres: Option<u16>,
    /// `None`: LiveDebugger is off.
    pub live_debugger: Option<u16>,
}

/// One registered checkout: a project, or a git worktree of one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// The canonical path of the checkout's root.
    pub root: PathBuf,
    pub name: String,
    pub host: String,
    pub ip: Ipv4Addr,
    pub ports: Ports,
    /// For a worktree: the root of the project it belongs to. Its address lies in that
    /// project's block, and it may share the project's address on other ports.
    pub worktree_of: Option<PathBuf>,
}

impl Entry {
    /// The entry for the project at `root`, as its model says.
    pub fn from_model(root: &Path, model: &Model) -> Result<Entry> {
        Ok(Entry {
            root: root.to_path_buf(),
            name: model.project.name.clone(),
            host: model.project.host.clone(),
            ip: model.project.ip.parse().map_err(|_| {
                Error::Usage(format!("the model's ip {:?} is not IPv4", model.project.ip))
            })?,
            ports: Ports {
                phoenix: model.phoenix.port,
                postgres: (!model.postgres.shared).then_some(model.postgres.port),
                live_debugger: model.phoenix.live_debugger,
            },
            worktree_of: None,
        })
    }

    /// Every address:port this checkout listens on, named.
    pub fn endpoints(&self) -> Vec<(&'static str, SocketAddrV4)> {
        let mut v = vec![("phoenix", SocketAddrV4::new(self.ip, self.ports.phoenix))];
        if let Some(pg) = self.ports.postgres {
            v.push(("postgres", SocketAddrV4::new(self.ip, pg)));
        }
        if let Some(ld) = self.ports.live_debugger {
            v.push(("live_debugger", SocketAddrV4::new(self.ip, ld)));
        }
        v
    }

    /// The project a checkout belongs to: its own root, or for a worktree its project's.
    fn family(&self) -> &Path {
        self.worktree_of.as_deref().unwrap_or(&self.root)
    }

    fn describe(&self) -> String {
        match &self.worktree_of {
            Some(of) => format!(
                "worktree `{}` at {} (of {})",
                self.name,
                self.root.display(),
                of.display()
            ),
            None => format!("project `{}` at {}", self.name, self.root.display()),
        }
    }

    fn root_str(&self) -> Result<&str> {
        path_str(&self.root)
    }
}

fn path_str(p: &Path) -> Result<&str> {
    p.to_str().ok_or_else(|| {
        Error::Usage(format!(
            "{} is not valid UTF-8; the machine registry only holds UTF-8 paths\n  = help: move the project to a path with a UTF-8 name",
            p.display()
        ))
    })
}

/// How a claim collides with what is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clash {
    /// The address belongs to another project.
    Ip { other: Entry },
    /// One of the claim's address:port pairs is another checkout's, or the shared PostgreSQL.
    Endpoint {
        what: &'static str,
        addr: SocketAddrV4,
        /// `None`: the shared-services PostgreSQL.
        other: Option<(Entry, &'static str)>,
    },
}

impl Clash {
    /// What collides, in one sentence.
    pub fn message(&self) -> String {
        match self {
            Clash::Ip { other } => {
                format!("ip {} is already used by {}", other.ip, other.describe())
            }
            Clash::Endpoint {
                what,
                addr,
                other: Some((other, theirs)),
            } => format!(
                "{what} on {addr} collides with the {theirs} port of {}",
                other.describe()
            ),
            Clash::Endpoint {
                what,
                addr,
                other: None,
            } => format!("{what} on {addr} collides with the shared-services PostgreSQL"),
        }
    }

    /// The other checkout's root, when there is one.
    fn other_root(&self) -> Option<&Path> {
        match self {
            Clash::Ip { other }
            | Clash::Endpoint {
                other: Some((other, _)),
                ..
            } => Some(&other.root),
            Clash::Endpoint { other: None, .. } => None,
        }
    }
}

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
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => NEW_FILE.to_string(),
            Err(e) => return Err(Error::io("cannot read the machine registry", path, e)),
        };
        Registry::parse(path, &text)
    }

    /// Parse the text of a registry file; errors point at the place in it.
    pub fn parse(path: &Path, text: &str) -> Result<Registry> {
        let shown = path.display().to_string();
        let err = |span: Option<Range<usize>>, msg: String, help: &str| -> Error {
            Diagnostic::new(shown.clone(), text, span.unwrap_or(0..0), msg)
                .with_help(format!(
                    "{help}\nthe registry is devgen's record of this machine; fix the entry by hand, or delete it \
                     and run `devgen init` in that project again"
                ))
                .into_error()
        };
        let parsed = toml_edit::Document::parse(text.to_string()).map_err(|e| {
            err(
                e.span(),
                format!(
                    "the machine registry is not valid TOML: {}",
                    e.message().trim_end()
                ),
                "see https://toml.io for the syntax",
            )
        })?;
        if let Some(v) = parsed.get("version") {
            match v.as_integer() {
                Some(VERSION) => {}
                Some(n) if n > VERSION => {
                    return Err(err(
                        v.span(),
                        format!("the machine registry is version {n}, written by a newer devgen"),
                        "upgrade devgen, or point DEVGEN_REGISTRY at another file",
                    ))
                }
                _ => {
                    return Err(err(
                        v.span(),
                        "`version` is not a registry version devgen knows".to_string(),
                        "write `version = 1`",
                    ))
                }
            }
        }
        let mut entries = Vec::new();
        for (key, of_key) in [("project", None), ("worktree", Some("of"))] {
            let Some(item) = parsed.get(key) else {
                continue;
            };
            let Some(tables) = item.as_array_of_tables() else {
                return Err(err(
                    item.span(),
                    format!("`{key}` must be an array of tables: [[{key}]]"),
                    &format!("write each entry under its own [[{key}]] header"),
                ));
            };
            for t in tables.iter() {
                let entry = read_entry(t, of_key, &err)?;
                if let Some(first) = entries.iter().find(|e: &&Entry| e.root == entry.root) {
                    return Err(err(
                        t.get("root").and_then(Item::span),
                        format!("{} is registered twice", entry.root.display()),
                        &format!(
                            "remove one of the two entries (the other says ip {})",
                            first.ip
                        ),
                    ));
                }
                entries.push(entry);
            }
        }
        let shared_postgres = match parsed.get("shared").and_then(|s| s.get("postgres")) {
            None => None,
            Some(item) => Some(
                item.as_str()
                    .and_then(|s| s.parse::<SocketAddrV4>().ok())
                    .ok_or_else(|| {
                        err(
                            item.span(),
                            "[shared] postgres is not an address:port".to_string(),
                            "write it like \"127.0.0.2:5432\"",
                        )
                    })?,
            ),
        };
        Ok(Registry {
            path: path.to_path_buf(),
            doc: parsed.into_mut(),
            entries,
            shared_postgres,
            changed: false,
        })
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
        if let Some(other) = others().find(|e| e.ip == claim.ip && e.family() != claim.family()) {
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
            if self.shared_postgres == Some(addr) {
                return Some(Clash::Endpoint {
                    what,
                    addr,
                    other: None,
                });
            }
        }
        None
    }

    /// Add `entry`, or bring the entry with its root up to date. Keys devgen does not know,
    /// and comments, stay as they are.
    pub fn upsert(&mut self, entry: Entry) -> Result<()> {
        if self.get(&entry.root) == Some(&entry) {
            return Ok(());
        }
        let root = entry.root_str()?.to_string();
        let key = if entry.worktree_of.is_some() {
            "worktree"
        } else {
            "project"
        };
        let tables = array_of_tables(&mut self.doc, key)?;
        let found = tables
            .iter()
            .position(|t| t.get("root").and_then(Item::as_str) == Some(root.as_str()));
        let table = match found {
            Some(i) => tables.get_mut(i).expect("position found it"),
            None => {
                tables.push(Table::new());
                let last = tables.len() - 1;
                tables.get_mut(last).expect("just pushed")
            }
        };
        write_entry(table, &entry)?;
        match self.entries.iter_mut().find(|e| e.root == entry.root) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
        self.changed = true;
        Ok(())
    }

    /// Remove the entry whose root is `root`, returning it.
    pub fn remove(&mut self, root: &Path) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.root == root)?;
        let entry = self.entries.remove(i);
        let key = if entry.worktree_of.is_some() {
            "worktree"
        } else {
            "project"
        };
        if let Some(tables) = self.doc.get_mut(key).and_then(Item::as_array_of_tables_mut) {
            let root_str = entry.root.to_str();
            tables.retain(|t| t.get("root").and_then(Item::as_str) != root_str);
        }
        self.changed = true;
        Some(entry)
    }

    /// The registry file's text.
    pub fn render(&self) -> String {
        self.doc.to_string()
    }
}

fn array_of_tables<'d>(doc: &'d mut DocumentMut, key: &str) -> Result<&'d mut ArrayOfTables> {
    let item = doc
        .as_table_mut()
        .entry(key)
        .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
    item.as_array_of_tables_mut().ok_or_else(|| {
        Error::Usage(format!(
            "`{key}` in the machine registry is not an array of tables"
        ))
    })
}

/// Makes an error at a span of the registry file: (span, message, help).
type ErrorAt<'a> = dyn Fn(Option<Range<usize>>, String, &str) -> Error + 'a;

/// Read one `[[project]]` or `[[worktree]]` table.
fn read_entry(t: &Table, of_key: Option<&str>, err: &ErrorAt<'_>) -> Result<Entry> {
    let at = |key: &str| t.get(key).and_then(Item::span).or_else(|| t.span());
    let string = |key: &str| -> Result<String> {
        t.get(key)
            .and_then(Item::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                err(
                    at(key),
                    format!("this entry has no `{key}` string"),
                    &format!("add `{key} = \"…\"` to it"),
                )
            })
    };
    let root = PathBuf::from(string("root")?);
    if !root.is_absolute() {
        return Err(err(
            at("root"),
            format!(
                "root {:?} is not an absolute path",
                root.display().to_string()
            ),
            "write the project's absolute path",
        ));
    }
    let ip_text = string("ip")?;
    let ip = parse_loopback_ip(&ip_text).map_err(|why| {
        err(
            at("ip"),
            format!("ip {ip_text:?}: {why}"),
            "write an address in 127.0.0.0/8, like \"127.0.0.10\"",
        )
    })?;
    let ports_item = t.get("ports");
    let ports: Option<&dyn TableLike> = ports_item.and_then(Item::as_table_like);
    let port = |key: &str, required: bool| -> Result<Option<u16>> {
        let item = ports.and_then(|p| p.get(key));
        match item.map(|i| i.as_integer()) {
            None if !required => Ok(None),
            Some(Some(n)) if (1..=65535).contains(&n) => Ok(Some(n as u16)),
            _ => Err(err(
                item.and_then(Item::span).or_else(|| at("ports")),
                format!("ports.{key} is missing or not a port number"),
                "write ports = { phoenix = 4000, postgres = 5432, live_debugger = 4007 }",
            )),
        }
    };
    let ports = Ports {
        phoenix: port("phoenix", true)?.expect("required"),
        postgres: port("postgres", false)?,
        live_debugger: port("live_debugger", false)?,
    };
    let worktree_of = match of_key {
        Some(k) => Some(PathBuf::from(string(k)?)),
        None => None,
    };
    // These reach dnsmasq and PF files through `devgen net`: only the spec's own shapes pass.
    let name = string("name")?;
    if !spec::is_project_name(&name) {
        return Err(err(
            at("name"),
            format!("name {name:?} is not a project name"),
            "use lowercase letters, digits, '-' and '_', starting with a letter",
        ));
    }
    let host = string("host")?;
    if !spec::is_host_name(&host) {
        return Err(err(
            at("host"),
            format!("host {host:?} is not a host name"),
            "use lowercase DNS labels joined by dots, like \"shop.test\"",
        ));
    }
    Ok(Entry {
        root,
        name,
        host,
        ip,
        ports,
        worktree_of,
    })
}

/// Set the keys of `t` to `entry`, touching only those that differ.
fn write_entry(t: &mut Table, entry: &Entry) -> Result<()> {
    let mut set = |key: &str, v: &str| {
        if t.get(key).and_then(Item::as_str) != Some(v) {
            t.insert(key, value(v));
        }
    };
    if let Some(of) = &entry.worktree_of {
        set("of", path_str(of)?);
    }
    set("root", entry.root_str()?);
    set("name", &entry.name);
    set("host", &entry.host);
    set("ip", &entry.ip.to_string());
    let mut ports = InlineTable::new();
    ports.insert("phoenix", i64::from(entry.ports.phoenix).into());
    if let Some(pg) = entry.ports.postgres {
        ports.insert("postgres", i64::from(pg).into());
    }
    if let Some(ld) = entry.ports.live_debugger {
        ports.insert("live_debugger", i64::from(ld).into());
    }
    let same = t
        .get("ports")
        .and_then(Item::as_table_like)
        .is_some_and(|old| {
            old.len() == ports.len()
                && ports
                    .iter()
                    .all(|(k, v)| old.get(k).and_then(Item::as_integer) == v.as_integer())
        });
    if !same {
        t.insert("ports", value(ports));
    }
    Ok(())
}

/// The registry, held under its exclusive lock until dropped.
pub struct Locked {
    registry: Registry,
    // flock(2) is released when the descriptor closes, so holding the file holds the lock.
    _lock: fs::File,
}

impl Locked {
    /// Take the exclusive lock (waiting for other devgen processes), then read the registry.
    pub fn acquire(path: &Path) -> Result<Locked> {
        let dir = parent_dir(path);
        fs::create_dir_all(dir).map_err(|e| {
            Error::io(
                "cannot create the directory of the machine registry",
                dir,
                e,
            )
        })?;
        let lock_path = lock_path(path);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(|e| Error::io("cannot open the lock file", &lock_path, e))?;
        rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
            .map_err(|e| Error::io("cannot lock", &lock_path, e.into()))?;
        Ok(Locked {
            registry: Registry::load(path)?,
            _lock: file,
        })
    }

    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    pub fn registry_mut(&mut self) -> &mut Registry {
        &mut self.registry
    }

    /// Write the registry back, atomically, if anything changed.
    pub fn save(&mut self) -> Result<()> {
        if !self.registry.changed {
            return Ok(());
        }
        let path = &self.registry.path;
        let io = |e| Error::io("cannot write the machine registry", path, e);
        let mut tmp = tempfile::Builder::new()
            .prefix(".registry-")
            .suffix(".tmp")
            .tempfile_in(parent_dir(path))
            .map_err(io)?;
        tmp.write_all(self.registry.render().as_bytes())
            .map_err(io)?;
        tmp.as_file().sync_all().map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        self.registry.changed = false;
        Ok(())
    }
}

fn parent_dir(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The lock file sits next to the registry, so that the atomic rename of the registry
/// itself never swaps the locked inode away.
fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    path.with_file_name(name)
}

// ---------------------------------------------------------------------------------------
// What init, sync and diff ask of the registry.

/// Where an `init` got its address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpOrigin {
    /// `ip` in devgen.toml.
    Spec,
    /// `devgen init --ip`.
    Flag,
    /// This root's registry entry.
    Registered,
    /// The next free address of the convention.
    Allocated,
}

/// An `init` in progress: the registry (locked, unless a dry run), and the address the
/// project gets. Nothing is registered until [`InitClaim::commit`].
pub struct InitClaim {
    locked: Option<Locked>,
    registry: Registry,
    root: PathBuf,
    pub ip: Ipv4Addr,
    pub origin: IpOrigin,
}

impl InitClaim {
    /// Decide the address of the project at `root`: the spec's `ip`, else `--ip` (only
    /// without a spec), else this root's registered address, else the next free one.
    /// Without `dry_run` the registry stays locked until the claim is dropped, so that
    /// parallel inits never take the same address.
    pub fn begin(
        root: &ProjectRoot,
        spec_text: Option<&str>,
        flag_ip: Option<&str>,
        dry_run: bool,
    ) -> Result<InitClaim> {
        let path = default_path()?;
        let (locked, registry) = if dry_run {
            (None, Registry::load(&path)?)
        } else {
            let l = Locked::acquire(&path)?;
            let r = l.registry().clone();
            (Some(l), r)
        };
        let root = root.path().to_path_buf();
        let spec_ip = match spec_text {
            Some(text) => {
                // Check the spec as the user wrote it first, so that errors point at their
                // lines and not at lines shifted by the ip written in below.
                let src = spec::parse(SPEC_FILE, text)?;
                model::resolve(&src)?;
                src.spec.project.ip.map(|ip| ip.into_inner())
            }
            None => None,
        };
        let (ip, origin) = if let Some(ip) = spec_ip {
            (
                parse_loopback_ip(&ip).map_err(Error::Usage)?,
                IpOrigin::Spec,
            )
        } else if let Some(ip) = flag_ip.filter(|_| spec_text.is_none()) {
            let ip = parse_loopback_ip(ip).map_err(|why| {
                Error::Usage(format!(
                    "--ip {ip:?}: {why}\n  = help: pick an address in 127.0.0.0/8, like 127.0.0.10"
                ))
            })?;
            (ip, IpOrigin::Flag)
        } else if let Some(e) = registry.project(&root) {
            (e.ip, IpOrigin::Registered)
        } else {
            let ip = registry.next_free_ip().ok_or_else(|| {
                Error::Usage(format!(
                    "every address of the convention (127.0.0.10, .20, … .250) is taken in {}\n  \
                     = help: `devgen registry gc` drops projects whose directory is gone, `devgen registry release PATH` \
                     frees one; or set `ip` in {SPEC_FILE} by hand",
                    registry.path().display()
                ))
            })?;
            (ip, IpOrigin::Allocated)
        };
        Ok(InitClaim {
            locked,
            registry,
            root,
            ip,
            origin,
        })
    }

    /// `spec_text` with the claimed address written into `[project]` when it names none.
    pub fn spec_with_ip(&self, spec_text: &str) -> Result<String> {
        match self.origin {
            IpOrigin::Spec => Ok(spec_text.to_string()),
            _ => insert_ip(spec_text, self.ip),
        }
    }

    /// The entry `spec_text` makes, checked against every other registered checkout.
    pub fn check(&self, spec_text: &str) -> Result<Entry> {
        let src = spec::parse(SPEC_FILE, spec_text)?;
        let model = model::resolve(&src)?;
        let entry = Entry::from_model(&self.root, &model)?;
        match self.registry.clash(&entry) {
            None => Ok(entry),
            Some(clash) => Err(clash_error(&self.registry, &src, &clash, self.origin)),
        }
    }

    /// Register `entry` (unless a dry run), then say what the registry holds for it.
    pub fn commit(mut self, entry: Entry, io: &mut Io) -> Result<()> {
        let before = self.registry.project(&self.root).cloned();
        let ip = entry.ip;
        let name = entry.name.clone();
        warn_shared_host(&self.registry, &entry, io)?;
        let (verb, would) = match &before {
            Some(b) if *b == entry => ("is already in", None),
            Some(_) => ("updated in", Some("would be updated in")),
            None => ("registered in", Some("would be registered in")),
        };
        let shown = self.registry.path().display().to_string();
        match &mut self.locked {
            Some(locked) => {
                locked.registry_mut().upsert(entry)?;
                locked.save()?;
                writeln!(
                    io.err,
                    "  {name} ({ip}) {verb} the machine registry {shown}"
                )
                .map_err(out_err)?;
            }
            None => {
                if let Some(would) = would {
                    writeln!(
                        io.err,
                        "  {name} ({ip}) {would} the machine registry {shown} (dry run)"
                    )
                    .map_err(out_err)?;
                }
            }
        }
        Ok(())
    }
}

/// The error for a claim that collides, pointing at `ip` in the spec when it came from
/// there, with the fix.
fn clash_error(registry: &Registry, src: &SpecSource, clash: &Clash, origin: IpOrigin) -> Error {
    let mut help = String::new();
    match clash {
        Clash::Ip { .. } => match registry.next_free_ip() {
            Some(free) => help.push_str(&format!(
                "give this project an address of its own: {free} is free (delete the `ip` line from {SPEC_FILE} \
                 and run `devgen init` to take it)"
            )),
            None => help.push_str("every address of the convention is taken; free one first"),
        },
        Clash::Endpoint { what, .. } => help.push_str(&format!(
            "give this project's {what} another port in {SPEC_FILE}, or another ip"
        )),
    }
    if let Some(other) = clash.other_root() {
        help.push_str(&format!(
            "\nif {} is no longer used: `devgen registry release {}` (or `devgen registry gc` when the directory is gone)",
            other.display(),
            other.display()
        ));
    }
    let message = clash.message();
    match (origin, &src.spec.project.ip) {
        (IpOrigin::Spec, Some(ip)) => src
            .error(ip.span(), message)
            .with_label("taken on this machine")
            .with_help(help)
            .into_error(),
        (IpOrigin::Flag, _) => Error::Usage(format!(
            "--ip: {message}\n  = help: {}",
            help.replace('\n', "\n          ")
        )),
        _ => Error::Usage(format!(
            "{message}\n  = help: {}",
            help.replace('\n', "\n          ")
        )),
    }
}

/// dnsmasq would answer one name with two addresses: a mistake worth a warning, not an
/// error, since the user may be about to change the other project.
fn warn_shared_host(registry: &Registry, entry: &Entry, io: &mut Io) -> Result<()> {
    if let Some(other) = registry
        .entries()
        .iter()
        .find(|e| e.root != entry.root && e.host == entry.host && e.family() != entry.family())
    {
        writeln!(
            io.err,
            "warning: host {} is also the host of {}; dnsmasq would answer it with both addresses\n  \
             = help: set `host` in [project] of {SPEC_FILE} to a name of its own, then `devgen sync`",
            entry.host,
            other.describe()
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// Write `ip = "…"` into `[project]` of a spec, keeping every comment and layout.
pub fn insert_ip(spec_text: &str, ip: Ipv4Addr) -> Result<String> {
    let mut doc: DocumentMut = spec_text
        .parse()
        .map_err(|e: toml_edit::TomlError| Error::Usage(format!("{SPEC_FILE}: {e}")))?;
    match doc.get_mut("project") {
        Some(Item::Table(t)) => {
            t.insert("ip", value(ip.to_string()));
            if let Some(mut key) = t.key_mut("ip") {
                key.leaf_decor_mut().set_prefix(
                    "# This project's own loopback address, taken from the machine registry\n",
                );
            }
        }
        Some(Item::Value(toml_edit::Value::InlineTable(t))) => {
            t.insert("ip", ip.to_string().into());
            t.fmt();
        }
        _ => {
            return Err(Error::Usage(format!(
                "{SPEC_FILE} has no [project] table to write the ip into\n  = help: add [project] with at least `name = \"…\"`"
            )))
        }
    }
    Ok(crate::escape::like_original(spec_text, &doc.to_string()))
}

/// The address of a spec that names none (`sync`, `diff`): this root's registry entry,
/// else the convention's first address. Reads the registry, never writes it; the note says
/// which address was taken and why.
pub fn ip_for_unnamed(root: &Path) -> (Ipv4Addr, String) {
    let registry = default_path().and_then(|p| Registry::load(&p));
    match registry {
        Ok(reg) => match reg.project(root) {
            Some(e) => (
                e.ip,
                format!(
                    "note: {SPEC_FILE} names no ip; using {}, this project's address in the machine registry {}",
                    e.ip,
                    reg.path().display()
                ),
            ),
            None => {
                let ip = model::DEFAULT_IP;
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
        },
        Err(e) => (
            model::DEFAULT_IP,
            format!(
                "warning: {SPEC_FILE} names no ip, and the machine registry cannot be read, so devgen uses {}\n{e}",
                model::DEFAULT_IP
            ),
        ),
    }
}

/// The model of a spec for the project at `root`; a spec that names no ip gets the address
/// of [`ip_for_unnamed`], and the note saying so.
pub fn resolve_model(root: &Path, src: &SpecSource) -> Result<(Model, Option<String>)> {
    // A project in shared mode connects to the machine's shared PostgreSQL: the registry's
    // address when it names one (kept to the default on machines of one team, since the
    // committed config carries it).
    let shared = match &src.spec.project.mode {
        Some(m) if *m.get_ref() == crate::spec::Mode::Shared => shared_postgres_address(),
        _ => DEFAULT_SHARED_POSTGRES,
    };
    let shared = (*shared.ip(), shared.port());
    if src.spec.project.ip.is_some() {
        return Ok((model::resolve_with(src, model::DEFAULT_IP, shared)?, None));
    }
    let (ip, note) = ip_for_unnamed(root);
    Ok((model::resolve_with(src, ip, shared)?, Some(note)))
}

/// The shared PostgreSQL's address in the machine registry, or the default when the
/// registry names none or cannot be read. Reads only.
pub fn shared_postgres_address() -> SocketAddrV4 {
    default_path()
        .and_then(|p| Registry::load(&p))
        .map(|r| r.shared_postgres_or_default())
        .unwrap_or(DEFAULT_SHARED_POSTGRES)
}

/// `sync`: keep this project's registry entry true to the spec (address, host, ports) when
/// the project is registered; an unregistered project is left alone, since only `init`
/// adds projects. A claim that now collides is an error before anything is written.
pub fn follow_spec(root: &ProjectRoot, spec_text: &str, dry_run: bool, io: &mut Io) -> Result<()> {
    // A broken spec is the pipeline's to report, with its own message.
    let Ok(src) = spec::parse(SPEC_FILE, spec_text) else {
        return Ok(());
    };
    let Ok(path) = default_path() else {
        return Ok(());
    };
    // Reading first keeps the common case (registered and unchanged, or not registered)
    // free of any lock or write.
    let Ok(registry) = Registry::load(&path) else {
        return Ok(());
    };
    let Some(current) = registry.project(root.path()).cloned() else {
        return Ok(());
    };
    let fallback = current.ip;
    let Ok(model) = model::resolve_with_ip(&src, fallback) else {
        return Ok(());
    };
    let entry = Entry::from_model(root.path(), &model)?;
    if entry == current {
        return Ok(());
    }
    if let Some(clash) = registry.clash(&entry) {
        return Err(clash_error(&registry, &src, &clash, IpOrigin::Spec));
    }
    if dry_run {
        writeln!(
            io.err,
            "  the machine registry entry of {} would follow {SPEC_FILE} (dry run)",
            entry.name
        )
        .map_err(out_err)?;
        return Ok(());
    }
    let mut locked = Locked::acquire(&path)?;
    if let Some(clash) = locked.registry().clash(&entry) {
        return Err(clash_error(locked.registry(), &src, &clash, IpOrigin::Spec));
    }
    warn_shared_host(locked.registry(), &entry, io)?;
    let (name, ip) = (entry.name.clone(), entry.ip);
    locked.registry_mut().upsert(entry)?;
    locked.save()?;
    writeln!(
        io.err,
        "  {name} ({ip}) updated in the machine registry {}",
        path.display()
    )
    .map_err(out_err)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// `devgen registry list|release|gc`

#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    entry: &'a Entry,
    /// Whether the root directory still exists (`gc` drops the entries where it does not).
    root_exists: bool,
}

#[derive(Serialize)]
struct JsonList<'a> {
    registry: &'a Path,
    entries: Vec<JsonEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shared_postgres: Option<String>,
}

/// `devgen registry list`: every registered checkout, as a table or JSON.
pub fn list(format: Format, io: &mut Io) -> Result<i32> {
    let path = default_path()?;
    let reg = Registry::load(&path)?;
    let mut entries: Vec<&Entry> = reg.entries().iter().collect();
    entries.sort_by(|a, b| a.ip.cmp(&b.ip).then(a.root.cmp(&b.root)));
    match format {
        Format::Json => {
            let list = JsonList {
                registry: &path,
                entries: entries
                    .iter()
                    .map(|e| JsonEntry {
                        entry: e,
                        root_exists: e.root.is_dir(),
                    })
                    .collect(),
                shared_postgres: reg.shared_postgres().map(|a| a.to_string()),
            };
            serde_json::to_writer_pretty(&mut *io.out, &list)
                .map_err(std::io::Error::from)
                .map_err(out_err)?;
            writeln!(io.out).map_err(out_err)?;
        }
        Format::Text => {
            if entries.is_empty() {
                writeln!(
                    io.err,
                    "no projects in the machine registry {}\n  = help: `devgen init` in a project registers it",
                    path.display()
                )
                .map_err(out_err)?;
                return Ok(exit::IN_SYNC);
            }
            let mut rows = vec![[
                "NAME".to_string(),
                "IP".to_string(),
                "HOST".to_string(),
                "PHOENIX".to_string(),
                "POSTGRES".to_string(),
                "LIVE_DEBUGGER".to_string(),
                "ROOT".to_string(),
            ]];
            for e in &entries {
                let mut root = e.root.display().to_string();
                if let Some(of) = &e.worktree_of {
                    root.push_str(&format!(" (worktree of {})", of.display()));
                }
                if !e.root.is_dir() {
                    root.push_str(" (gone)");
                }
                rows.push([
                    e.name.clone(),
                    e.ip.to_string(),
                    e.host.clone(),
                    e.ports.phoenix.to_string(),
                    e.ports
                        .postgres
                        .map_or("shared".to_string(), |p| p.to_string()),
                    e.ports
                        .live_debugger
                        .map_or("off".to_string(), |p| p.to_string()),
                    root,
                ]);
            }
            write_table(io.out, &rows).map_err(out_err)?;
            if let Some(pg) = reg.shared_postgres() {
                writeln!(io.out, "\nshared PostgreSQL: {pg}").map_err(out_err)?;
            }
        }
    }
    Ok(exit::IN_SYNC)
}

/// Columns padded to their widest cell; the last one is not padded.
fn write_table<const N: usize>(out: &mut dyn Write, rows: &[[String; N]]) -> std::io::Result<()> {
    let widths: Vec<usize> = (0..N)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == N {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  ", w = widths[c]));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// `devgen registry release [PATH]`: forget a checkout (default: the project around `dir`).
pub fn release(dir: &Path, path: Option<&Path>, io: &mut Io) -> Result<i32> {
    let root = match path {
        Some(p) => absolute(&dir.join(p))?,
        None => match crate::commands::find_root(dir) {
            Ok(root) => root.path().to_path_buf(),
            Err(_) => absolute(dir)?,
        },
    };
    let mut locked = Locked::acquire(&default_path()?)?;
    match locked.registry_mut().remove(&root) {
        Some(e) => {
            locked.save()?;
            writeln!(
                io.err,
                "released {} ({}); {} is free for another project",
                e.describe(),
                e.ip,
                e.ip
            )
            .map_err(out_err)?;
        }
        None => {
            writeln!(
                io.err,
                "{} is not in the machine registry {}; nothing to release\n  = help: `devgen registry list` shows what is",
                root.display(),
                locked.registry().path().display()
            )
            .map_err(out_err)?;
        }
    }
    Ok(exit::IN_SYNC)
}

/// A path as the registry holds it: canonical when it exists, else made absolute.
fn absolute(p: &Path) -> Result<PathBuf> {
    match fs::canonicalize(p) {
        Ok(c) => Ok(c),
        Err(_) if p.is_absolute() => Ok(p.to_path_buf()),
        Err(_) => Ok(std::env::current_dir()
            .map_err(|e| Error::io("cannot read the current directory for", p, e))?
            .join(p)),
    }
}

/// `devgen registry gc`: drop every entry whose root directory is gone.
pub fn gc(io: &mut Io) -> Result<i32> {
    let mut locked = Locked::acquire(&default_path()?)?;
    let gone: Vec<PathBuf> = locked
        .registry()
        .entries()
        .iter()
        .filter(|e| !e.root.is_dir())
        .map(|e| e.root.clone())
        .collect();
    let mut dropped = Vec::new();
    for root in &gone {
        dropped.extend(locked.registry_mut().remove(root));
    }
    locked.save()?;
    if dropped.is_empty() {
        writeln!(
            io.err,
            "nothing to drop: every root in {} exists",
            locked.registry().path().display()
        )
        .map_err(out_err)?;
    }
    for e in &dropped {
        writeln!(io.out, "dropped {} {} {}", e.name, e.ip, e.root.display()).map_err(out_err)?;
    }
    if !dropped.is_empty() {
        writeln!(
            io.err,
            "devgen registry gc: dropped {} entr{} whose directory is gone",
            dropped.len(),
            if dropped.len() == 1 { "y" } else { "ies" }
        )
        .map_err(out_err)?;
    }
    Ok(exit::IN_SYNC)
}

fn out_err(e: std::io::Error) -> Error {
    Error::io("cannot write to", Path::new("the output"), e)
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
            },
            worktree_of: None,
        }
    }

    fn empty() -> Registry {
        Registry::parse(Path::new("/r/registry.toml"), NEW_FILE).unwrap()
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
        assert_eq!(r.clash(&wt), None);
        wt.ports.postgres = Some(5432);
        assert!(matches!(
            r.clash(&wt),
            Some(Clash::Endpoint {
                what: "postgres",
                ..
            })
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

    #[test]
    fn insert_ip_keeps_the_spec_as_written() {
        let spec = "# top\n[project]\nname = \"acme\"  # the name\n\n# tools\n[toolchain]\nelixir = \"1.18\"\n";
        let out = insert_ip(spec, Ipv4Addr::new(127, 0, 0, 30)).unwrap();
        assert_eq!(
            out,
            "# top\n[project]\nname = \"acme\"  # the name\n# This project's own loopback address, taken from the machine registry\nip = \"127.0.0.30\"\n\n# tools\n[toolchain]\nelixir = \"1.18\"\n"
        );
        let inline = insert_ip(
            "project = { name = \"acme\" }\n",
            Ipv4Addr::new(127, 0, 0, 30),
        )
        .unwrap();
        assert_eq!(
            inline,
            "project = { name = \"acme\", ip = \"127.0.0.30\" }\n"
        );
    }
}
