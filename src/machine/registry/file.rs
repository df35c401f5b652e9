//! The registry file's format: TOML read with spans, so that every error points at its
//! place, and written back through toml_edit, touching only the keys that changed, so that
//! comments and keys written by a newer devgen survive.

use std::collections::BTreeMap;
use std::net::SocketAddrV4;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml_edit::{value, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike};

use super::entry::{path_str, Entry, Ports};
use super::Registry;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::spec::rules::{is_host_name, is_project_name, parse_loopback_ip};

/// The format this devgen reads and writes.
const VERSION: i64 = 1;

pub(super) const NEW_FILE: &str = "\
# devgen's machine registry: the loopback address, host and ports of each project on this
# machine, so that no two collide. `devgen init` adds projects; `devgen registry list`,
# `release` and `gc` show and remove them. devgen keeps comments and unknown keys here.
version = 1
";

/// Makes an error at a span of the registry file: (span, message, help).
type ErrorAt<'a> = dyn Fn(Option<Range<usize>>, String, &str) -> Error + 'a;

impl Registry {
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
        check_version(&parsed, &err)?;
        Ok(Registry {
            path: path.to_path_buf(),
            entries: read_entries(&parsed, &err)?,
            shared_postgres: read_shared(&parsed, &err)?,
            doc: parsed.into_mut(),
            changed: false,
        })
    }

    /// Add `entry`, or bring the entry with its root up to date. Keys devgen does not know,
    /// and comments, stay as they are.
    pub fn upsert(&mut self, entry: Entry) -> Result<()> {
        if self.get(&entry.root) == Some(&entry) {
            return Ok(());
        }
        let root = entry.root_str()?.to_string();
        let tables = array_of_tables(&mut self.doc, table_key(&entry))?;
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
        let key = table_key(&entry);
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

/// The array of tables an entry lives in.
fn table_key(entry: &Entry) -> &'static str {
    if entry.worktree_of.is_some() {
        "worktree"
    } else {
        "project"
    }
}

/// A registry written by a newer devgen, or with a version no devgen wrote, is refused.
fn check_version(parsed: &toml_edit::Document<String>, err: &ErrorAt<'_>) -> Result<()> {
    let Some(v) = parsed.get("version") else {
        return Ok(());
    };
    match v.as_integer() {
        Some(VERSION) => Ok(()),
        Some(n) if n > VERSION => Err(err(
            v.span(),
            format!("the machine registry is version {n}, written by a newer devgen"),
            "upgrade devgen, or point DEVGEN_REGISTRY at another file",
        )),
        _ => Err(err(
            v.span(),
            "`version` is not a registry version devgen knows".to_string(),
            "write `version = 1`",
        )),
    }
}

/// Every `[[project]]` and `[[worktree]]`, each root once.
fn read_entries(parsed: &toml_edit::Document<String>, err: &ErrorAt<'_>) -> Result<Vec<Entry>> {
    let mut entries: Vec<Entry> = Vec::new();
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
            let entry = read_entry(t, of_key, err)?;
            if let Some(first) = entries.iter().find(|e| e.root == entry.root) {
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
    Ok(entries)
}

/// `[shared] postgres`, the shared PostgreSQL's address, when set.
fn read_shared(
    parsed: &toml_edit::Document<String>,
    err: &ErrorAt<'_>,
) -> Result<Option<SocketAddrV4>> {
    let Some(item) = parsed.get("shared").and_then(|s| s.get("postgres")) else {
        return Ok(None);
    };
    let addr = item.as_str().and_then(|s| s.parse::<SocketAddrV4>().ok());
    addr.map(Some).ok_or_else(|| {
        err(
            item.span(),
            "[shared] postgres is not an address:port".to_string(),
            "write it like \"127.0.0.2:5432\"",
        )
    })
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

/// Read one `[[project]]` or `[[worktree]]` table; `of_key` names a worktree's project key.
fn read_entry(t: &Table, of_key: Option<&str>, err: &ErrorAt<'_>) -> Result<Entry> {
    let r = EntryTable { t, err };
    let root = PathBuf::from(r.string("root")?);
    if !root.is_absolute() {
        return Err(err(
            r.at("root"),
            format!(
                "root {:?} is not an absolute path",
                root.display().to_string()
            ),
            "write the project's absolute path",
        ));
    }
    let ip_text = r.string("ip")?;
    let ip = parse_loopback_ip(&ip_text).map_err(|why| {
        err(
            r.at("ip"),
            format!("ip {ip_text:?}: {why}"),
            "write an address in 127.0.0.0/8, like \"127.0.0.10\"",
        )
    })?;
    let ports = Ports {
        phoenix: r.port("phoenix", true)?.expect("required"),
        postgres: r.port("postgres", false)?,
        live_debugger: r.port("live_debugger", false)?,
        services: r.service_ports()?,
    };
    let worktree_of = match of_key {
        Some(k) => Some(PathBuf::from(r.string(k)?)),
        None => None,
    };
    // These reach dnsmasq and PF files through `devgen net`: only the spec's own shapes pass.
    let name = r.checked(
        "name",
        is_project_name,
        "a project name",
        "use lowercase letters, digits, '-' and '_', starting with a letter",
    )?;
    let host = r.checked(
        "host",
        is_host_name,
        "a host name",
        "use lowercase DNS labels joined by dots, like \"shop.test\"",
    )?;
    Ok(Entry {
        root,
        name,
        host,
        ip,
        ports,
        worktree_of,
    })
}

/// One entry's table, read key by key; errors point at the key (or the table).
struct EntryTable<'a> {
    t: &'a Table,
    err: &'a ErrorAt<'a>,
}

impl EntryTable<'_> {
    fn at(&self, key: &str) -> Option<Range<usize>> {
        self.t
            .get(key)
            .and_then(Item::span)
            .or_else(|| self.t.span())
    }

    fn string(&self, key: &str) -> Result<String> {
        self.t
            .get(key)
            .and_then(Item::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                (self.err)(
                    self.at(key),
                    format!("this entry has no `{key}` string"),
                    &format!("add `{key} = \"…\"` to it"),
                )
            })
    }

    /// A string that must pass `ok`; `what` it must be, for the message.
    fn checked(&self, key: &str, ok: fn(&str) -> bool, what: &str, help: &str) -> Result<String> {
        let value = self.string(key)?;
        if ok(&value) {
            return Ok(value);
        }
        Err((self.err)(
            self.at(key),
            format!("{key} {value:?} is not {what}"),
            help,
        ))
    }

    /// `ports.<key>`; `None` when absent and not `required`.
    /// The services' ports among `ports`, by the names devgen writes them with.
    fn service_ports(&self) -> Result<BTreeMap<String, u16>> {
        let mut found = BTreeMap::new();
        let ports: Option<&dyn TableLike> = self.t.get("ports").and_then(Item::as_table_like);
        let names = ports
            .into_iter()
            .flat_map(|p| p.iter().map(|(k, _)| k.to_string()));
        for name in names.collect::<Vec<_>>() {
            if ["phoenix", "postgres", "live_debugger"].contains(&name.as_str()) {
                continue;
            }
            if let Some(port) = self.port(&name, false)? {
                found.insert(name, port);
            }
        }
        Ok(found)
    }

    fn port(&self, key: &str, required: bool) -> Result<Option<u16>> {
        let ports: Option<&dyn TableLike> = self.t.get("ports").and_then(Item::as_table_like);
        let item = ports.and_then(|p| p.get(key));
        match item.map(|i| i.as_integer()) {
            None if !required => Ok(None),
            Some(Some(n)) if (1..=65535).contains(&n) => Ok(Some(n as u16)),
            _ => Err((self.err)(
                item.and_then(Item::span).or_else(|| self.at("ports")),
                format!("ports.{key} is missing or not a port number"),
                "write ports = { phoenix = 4000, postgres = 5432, live_debugger = 4007 }",
            )),
        }
    }
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
    for (name, &port) in &entry.ports.services {
        ports.insert(name, i64::from(port).into());
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
