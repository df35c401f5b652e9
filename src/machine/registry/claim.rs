//! What `init` and `sync` claim in the registry: `init` takes an address for a new project
//! (holding the registry's lock until the project is registered), `sync` keeps a registered
//! project's entry in step with its spec. A claim that collides with another checkout is an
//! error before anything is written, pointing at `ip` in the spec when it came from there.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use super::{default_path, Clash, Entry, Locked, Registry};
use crate::error::{Error, Result};
use crate::model::{Facts, Model};
use crate::output::{stream_error, Io};
use crate::spec::rules::parse_loopback_ip;
use crate::spec::{SpecSource, SPEC_FILE};

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
    /// Decide the address of the project at `root`: `spec_ip` (the spec's `ip`), else
    /// `--ip` (only for a project without a spec yet), else this root's registered address,
    /// else the next free one. Without `dry_run` the registry stays locked until the claim
    /// is dropped, so that parallel inits never take the same address.
    pub fn begin(
        root: &Path,
        spec_ip: Option<Ipv4Addr>,
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
        let (ip, origin) = match (spec_ip, flag_ip) {
            (Some(ip), _) => (ip, IpOrigin::Spec),
            (None, Some(ip)) => (flag_address(ip)?, IpOrigin::Flag),
            (None, None) => match registry.project(root) {
                Some(e) => (e.ip, IpOrigin::Registered),
                None => (next_free(&registry)?, IpOrigin::Allocated),
            },
        };
        Ok(InitClaim {
            locked,
            registry,
            root: root.to_path_buf(),
            ip,
            origin,
        })
    }

    /// The name of another project registered on `ip` (this project's own worktrees aside).
    pub fn holder_of(&self, ip: Ipv4Addr) -> Option<&str> {
        let ours = |e: &Entry| e.root == self.root || e.worktree_of.as_deref() == Some(&self.root);
        self.registry
            .entries()
            .iter()
            .find(|e| e.ip == ip && !ours(e))
            .map(|e| e.name.as_str())
    }

    /// What the registry tells the project's model.
    pub fn facts(&self) -> Facts {
        Facts {
            fallback_ip: self.ip,
            shared_postgres: self.registry.shared_postgres_or_default(),
        }
    }

    /// The entry the project's model makes, checked against every other registered checkout.
    pub fn check(&self, src: &SpecSource, model: &Model) -> Result<Entry> {
        let entry = Entry::from_model(&self.root, model);
        match self.registry.clash(&entry) {
            None => Ok(entry),
            Some(clash) => Err(clash_error(&self.registry, src, &clash, self.origin)),
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
                .map_err(stream_error)?;
            }
            None => {
                if let Some(would) = would {
                    writeln!(
                        io.err,
                        "  {name} ({ip}) {would} the machine registry {shown} (dry run)"
                    )
                    .map_err(stream_error)?;
                }
            }
        }
        Ok(())
    }
}

/// `--ip`, checked like the spec's `ip`.
fn flag_address(ip: &str) -> Result<Ipv4Addr> {
    parse_loopback_ip(ip).map_err(|why| {
        Error::Usage(format!(
            "--ip {ip:?}: {why}\n  = help: pick an address in 127.0.0.0/8, like 127.0.0.10"
        ))
    })
}

/// The next free address of the convention, or the error saying that none is left.
fn next_free(registry: &Registry) -> Result<Ipv4Addr> {
    registry.next_free_ip().ok_or_else(|| {
        Error::Usage(format!(
            "every address of the convention (127.0.0.10, .20, … .250) is taken in {}\n  \
             = help: `devgen registry gc` drops projects whose directory is gone, `devgen registry release PATH` \
             frees one; or set `ip` in {SPEC_FILE} by hand",
            registry.path().display()
        ))
    })
}

/// `sync`: keep the entry of the project at `root` true to its model (address, host,
/// ports) when the project is registered; an unregistered project is left alone, since only
/// `init` adds projects. A claim that now collides is an error before anything is written.
/// `registry` is what the command read; after a write it holds the registry as written.
pub fn follow(
    registry: &mut Registry,
    root: &Path,
    src: &SpecSource,
    model: &Model,
    dry_run: bool,
    io: &mut Io,
) -> Result<()> {
    // Reading first keeps the common case (registered and unchanged, or not registered)
    // free of any lock or write.
    let Some(entry) = changed_entry(registry, root, src, model)? else {
        return Ok(());
    };
    if dry_run {
        writeln!(
            io.err,
            "  the machine registry entry of {} would follow {SPEC_FILE} (dry run)",
            entry.name
        )
        .map_err(stream_error)?;
        return Ok(());
    }
    // Another devgen may have written meanwhile: decide again under the lock.
    let mut locked = Locked::acquire(registry.path())?;
    if let Some(clash) = locked.registry().clash(&entry) {
        return Err(clash_error(locked.registry(), src, &clash, IpOrigin::Spec));
    }
    warn_shared_host(locked.registry(), &entry, io)?;
    let (name, ip) = (entry.name.clone(), entry.ip);
    locked.registry_mut().upsert(entry)?;
    locked.save()?;
    *registry = locked.registry().clone();
    writeln!(
        io.err,
        "  {name} ({ip}) updated in the machine registry {}",
        registry.path().display()
    )
    .map_err(stream_error)?;
    Ok(())
}

/// The entry a registered project's spec now asks for, when it differs from the registered
/// one; an error when it would collide. `diff` asks this too, so that it fails as `sync`
/// would (exit 2) rather than report drift `sync` cannot write.
pub fn changed_entry(
    registry: &Registry,
    root: &Path,
    src: &SpecSource,
    model: &Model,
) -> Result<Option<Entry>> {
    let Some(current) = registry.project(root) else {
        return Ok(None);
    };
    let entry = Entry::from_model(root, model);
    if entry == *current {
        return Ok(None);
    }
    if let Some(clash) = registry.clash(&entry) {
        return Err(clash_error(registry, src, &clash, IpOrigin::Spec));
    }
    Ok(Some(entry))
}

/// The error for a claim that collides, pointing at `ip` in the spec when it came from
/// there, with the fix.
fn clash_error(registry: &Registry, src: &SpecSource, clash: &Clash, origin: IpOrigin) -> Error {
    let mut help = match clash {
        Clash::Ip { .. } => match registry.next_free_ip() {
            Some(free) => format!(
                "give this project an address of its own: {free} is free (delete the `ip` line from {SPEC_FILE} \
                 and run `devgen init` to take it)"
            ),
            None => "every address of the convention is taken; free one first".to_string(),
        },
        Clash::Endpoint { what, .. } => {
            format!("give this project's {what} another port in {SPEC_FILE}, or another ip")
        }
    };
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
        .map_err(stream_error)?;
    }
    Ok(())
}
