//! `devgen net`: the host's side of seed 000's network, for every project in the machine
//! registry. On macOS: a loopback alias per project address (now, and at boot through a
//! launchd daemon), the PF anchor that NATs a project address talking to itself back through
//! 127.0.0.1, and `/etc/resolver/<tld>` sending the dev domains to dnsmasq. On both: a
//! dnsmasq drop-in answering each project's host and `postgres.<host>` with its address.
//! Linux routes all of 127.0.0.0/8 to `lo` already, so there it is dnsmasq and a
//! systemd-resolved drop-in routing the dev domains to it.
//!
//! This module owns those files' contents ([`files`]) and the steps that install them:
//! shown with the rest of the setup ([`overview`]), written into a directory for review, or
//! carried out, idempotently ([`install`]). `--root DIR` puts every system path the install
//! reads or writes under DIR and runs no system command, so the whole of it can be tested as
//! an ordinary user.

mod files;
pub mod install;
mod overview;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::machine::registry::{Entry, Registry};
use crate::output::{stream_error, Io};
use crate::spec::rules::host_suffix;

/// The platform whose setup to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    Macos,
    Linux,
}

impl Platform {
    /// The platform devgen runs on.
    pub fn current() -> Platform {
        if cfg!(target_os = "macos") {
            Platform::Macos
        } else {
            Platform::Linux
        }
    }

    fn title(self) -> &'static str {
        match self {
            Platform::Macos => "macOS",
            Platform::Linux => "Linux",
        }
    }
}

/// The PF anchor's name, and the launchd daemon's label.
const ANCHOR: &str = "devgen";
const LAUNCHD_LABEL: &str = "dev.devgen.loopback";
/// Where dnsmasq listens for the resolver: the default port on 127.0.0.1.
const DNSMASQ_ADDR: &str = "127.0.0.1";

/// The system paths of the setup, per platform.
pub struct Paths {
    pub dnsmasq_dropin: PathBuf,
    /// The main dnsmasq config that must include the drop-in (Homebrew's does not read a
    /// drop-in directory by default; Debian's and Fedora's do).
    pub dnsmasq_main: Option<PathBuf>,
    pub launchd_plist: PathBuf,
    pub pf_anchor: PathBuf,
    pub pf_conf: PathBuf,
    pub resolver_dir: PathBuf,
    pub resolved_dropin: PathBuf,
}

impl Paths {
    pub fn for_platform(platform: Platform) -> Paths {
        let dnsmasq_etc = match platform {
            // Homebrew's prefix: /opt/homebrew on Apple silicon, /usr/local on Intel;
            // `brew shellenv` exports HOMEBREW_PREFIX.
            Platform::Macos => std::env::var_os("HOMEBREW_PREFIX")
                .filter(|p| Path::new(p).is_absolute())
                .map(|p| PathBuf::from(p).join("etc"))
                .unwrap_or_else(|| {
                    if cfg!(target_arch = "x86_64") && cfg!(target_os = "macos") {
                        PathBuf::from("/usr/local/etc")
                    } else {
                        PathBuf::from("/opt/homebrew/etc")
                    }
                }),
            Platform::Linux => PathBuf::from("/etc"),
        };
        Paths {
            dnsmasq_dropin: dnsmasq_etc.join("dnsmasq.d/devgen.conf"),
            dnsmasq_main: (platform == Platform::Macos).then(|| dnsmasq_etc.join("dnsmasq.conf")),
            launchd_plist: PathBuf::from(format!("/Library/LaunchDaemons/{LAUNCHD_LABEL}.plist")),
            pf_anchor: PathBuf::from(format!("/etc/pf.anchors/{ANCHOR}")),
            pf_conf: PathBuf::from("/etc/pf.conf"),
            resolver_dir: PathBuf::from("/etc/resolver"),
            resolved_dropin: PathBuf::from("/etc/systemd/resolved.conf.d/devgen.conf"),
        }
    }
}

/// Whether `devgen net --apply` has set this machine up for a project at `host` on `ip`:
/// its dnsmasq drop-in sends `postgres.<host>` there. A project registered since the last
/// `--apply` is not in it yet.
pub fn is_set_up_for(platform: Platform, host: &str, ip: Ipv4Addr) -> bool {
    let dropin = Paths::for_platform(platform).dnsmasq_dropin;
    std::fs::read_to_string(dropin).is_ok_and(|text| routes(&text, host, ip))
}

/// Whether a dnsmasq drop-in answers `<host>` and `postgres.<host>` with `ip`.
fn routes(dropin: &str, host: &str, ip: Ipv4Addr) -> bool {
    let has = |name: String| {
        dropin
            .lines()
            .any(|l| l.trim() == format!("address=/{name}/{ip}"))
    };
    has(host.to_string()) && has(format!("postgres.{host}"))
}

/// Everything the setup is made of, computed from the registry.
pub struct Setup {
    pub platform: Platform,
    pub registry: PathBuf,
    pub entries: Vec<Entry>,
    pub paths: Paths,
    /// The shared-services PostgreSQL's address, when a registered project uses it.
    pub shared_postgres: Option<Ipv4Addr>,
}

impl Setup {
    pub fn new(platform: Platform, registry: &Registry) -> Setup {
        let mut entries = registry.entries().to_vec();
        entries.sort_by(|a, b| a.ip.cmp(&b.ip).then(a.root.cmp(&b.root)));
        let shared_postgres = entries
            .iter()
            .any(|e| e.ports.postgres.is_none())
            .then(|| *registry.shared_postgres_or_default().ip());
        Setup {
            platform,
            registry: registry.path().to_path_buf(),
            shared_postgres,
            entries,
            paths: Paths::for_platform(platform),
        }
    }

    /// Every registered address other than 127.0.0.1 (with the shared PostgreSQL's, when a
    /// project uses it), once each, in order.
    pub fn ips(&self) -> Vec<Ipv4Addr> {
        let set: BTreeSet<Ipv4Addr> = self
            .entries
            .iter()
            .map(|e| e.ip)
            .chain(self.shared_postgres)
            .filter(|ip| *ip != Ipv4Addr::LOCALHOST)
            .collect();
        set.into_iter().collect()
    }

    /// The domains the registered hosts are under (`test` for `shop.test`, `home.arpa` for
    /// `nas.home.arpa`): only suffixes reserved for local use, never a public one.
    pub fn tlds(&self) -> Vec<String> {
        let set: BTreeSet<String> = self
            .entries
            .iter()
            .filter_map(|e| host_suffix(&e.host))
            .map(str::to_string)
            .collect();
        set.into_iter().collect()
    }

    /// What the user should know about the registry behind the setup: that it is empty, or
    /// that two projects claim one host (dnsmasq can answer it with one address only).
    pub fn notes(&self, io: &mut Io) -> Result<()> {
        if self.entries.is_empty() {
            writeln!(
                io.err,
                "note: no project is registered in {}; `devgen init` in a project registers it",
                self.registry.display()
            )
            .map_err(stream_error)?;
        }
        for e in self
            .entries
            .iter()
            .filter(|e| host_suffix(&e.host).is_none())
        {
            writeln!(
                io.err,
                "warning: {} is registered with host {}, which is not under a suffix reserved for local use; devgen net leaves its domain alone\n  \
                 = help: give it a host like \"{}.test\" in its devgen.toml, then `devgen sync` there",
                e.root.display(),
                e.host,
                e.name
            )
            .map_err(stream_error)?;
        }
        for (i, e) in self.entries.iter().enumerate() {
            let family = |x: &Entry| x.worktree_of.clone().unwrap_or_else(|| x.root.clone());
            if let Some(first) = self.entries[..i]
                .iter()
                .find(|f| f.host == e.host && family(f) != family(e))
            {
                writeln!(
                    io.err,
                    "warning: {} and {} both claim host {}; dnsmasq answers it with {} only\n  \
                     = help: give one of them another `host` in its devgen.toml, then `devgen sync` there",
                    first.root.display(),
                    e.root.display(),
                    e.host,
                    first.ip
                )
                .map_err(stream_error)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropin_routes_a_project_when_it_names_both_its_hosts() {
        let ip = Ipv4Addr::new(127, 0, 0, 10);
        let dropin =
            "# shop\naddress=/shop.test/127.0.0.10\naddress=/postgres.shop.test/127.0.0.10\n";
        assert!(routes(dropin, "shop.test", ip));
        assert!(!routes(dropin, "shop.test", Ipv4Addr::new(127, 0, 0, 20)));
        assert!(!routes(dropin, "acme.test", ip));
        assert!(!routes("address=/shop.test/127.0.0.10\n", "shop.test", ip));
    }
}
