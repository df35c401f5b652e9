//! `devgen net`: the host's side of seed 000's network, for every project in the machine
//! registry. On macOS: a loopback alias per project address (now, and at boot through a
//! launchd daemon), the PF anchor that NATs a project address talking to itself back through
//! 127.0.0.1, and `/etc/resolver/<tld>` sending the dev domains to dnsmasq. On both: a
//! dnsmasq drop-in answering each project's host and `postgres.<host>` with its address.
//! Linux routes all of 127.0.0.0/8 to `lo` already, so there it is dnsmasq and a
//! systemd-resolved drop-in routing the dev domains to it.
//!
//! This module owns those files' contents and the steps that install them: printed
//! (default), written into a directory for review (`--write`), or carried out (`--apply`),
//! idempotently. `--root DIR` puts every system path `--apply` reads or writes under DIR and
//! runs no system command, so the whole of it can be tested as an ordinary user.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::net::Ipv4Addr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::commands::{exit, Io};
use crate::error::{Error, Result};
use crate::registry::{self, Entry, Registry};

/// The platform whose setup to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
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

    /// The top-level domains of the registered hosts (`test` for `shop.test`).
    pub fn tlds(&self) -> Vec<String> {
        let set: BTreeSet<String> = self
            .entries
            .iter()
            .map(|e| e.host.rsplit('.').next().unwrap_or(&e.host).to_string())
            .collect();
        set.into_iter().collect()
    }

    fn header(&self, comment: &str, what: &str) -> String {
        format!(
            "{comment} Generated by `devgen net` from the machine registry {}: {what}\n\
             {comment} Regenerate it with `devgen net`; hand edits are replaced by `devgen net --apply`.\n",
            one_line(&self.registry)
        )
    }

    /// The dnsmasq drop-in: each host and `postgres.<host>` to the project's address.
    pub fn dnsmasq_conf(&self) -> String {
        let mut out = self.header("#", "each project's host names to its address.");
        let mut seen = BTreeSet::new();
        for e in &self.entries {
            if !seen.insert(e.host.clone()) {
                continue; // a worktree under its project's host, or a duplicate host
            }
            out.push_str(&format!("# {}\n", label(e)));
            out.push_str(&format!("address=/{}/{}\n", e.host, e.ip));
            out.push_str(&format!("address=/postgres.{}/{}\n", e.host, e.ip));
        }
        out
    }

    /// macOS: adds each missing loopback alias; run with sudo.
    pub fn loopback_script(&self) -> String {
        let ips: Vec<String> = self.ips().iter().map(|ip| ip.to_string()).collect();
        format!(
            "#!/bin/sh\n{}# macOS answers only 127.0.0.1 on lo0 until each address is added as an alias.\n\
             # Run it with sudo; an alias that is there already is left alone.\n\
             set -eu\n\
             for ip in {}; do\n\
             \x20 if ! /sbin/ifconfig lo0 | grep -q \"inet $ip \"; then\n\
             \x20   /sbin/ifconfig lo0 alias \"$ip\"\n\
             \x20   echo \"added loopback alias $ip\"\n\
             \x20 fi\n\
             done\n",
            self.header("#", "a loopback alias for each project address."),
            if ips.is_empty() {
                "''".to_string()
            } else {
                ips.join(" ")
            }
        )
    }

    /// macOS: the launchd daemon that adds the aliases at every boot.
    pub fn launchd_plist(&self) -> String {
        let cmd = self
            .ips()
            .iter()
            .map(|ip| format!("/sbin/ifconfig lo0 alias {ip}"))
            .collect::<Vec<_>>()
            .join("; ");
        let cmd = if cmd.is_empty() {
            "true".to_string()
        } else {
            cmd
        };
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
             <!-- {} -->\n\
             <plist version=\"1.0\">\n\
             <dict>\n\
             \x20 <key>Label</key>\n\
             \x20 <string>{LAUNCHD_LABEL}</string>\n\
             \x20 <key>ProgramArguments</key>\n\
             \x20 <array>\n\
             \x20   <string>/bin/sh</string>\n\
             \x20   <string>-c</string>\n\
             \x20   <string>{cmd}</string>\n\
             \x20 </array>\n\
             \x20 <key>RunAtLoad</key>\n\
             \x20 <true/>\n\
             </dict>\n\
             </plist>\n",
            "Generated by `devgen net`: the loopback alias of each project address, at every boot."
        )
    }

    /// macOS: the PF anchor. Traffic from a project address to itself leaves through lo0
    /// with a source macOS will not answer; NAT it to 127.0.0.1 (seed 000's hairpin fix).
    pub fn pf_anchor(&self) -> String {
        let mut out = self.header("#", "hairpin NAT for each project address.");
        for ip in self.ips() {
            out.push_str(&format!("nat on lo0 from {ip} to {ip} -> 127.0.0.1\n"));
        }
        out
    }

    /// macOS: the two lines /etc/pf.conf needs to load the anchor.
    pub fn pf_conf_lines(&self) -> [String; 2] {
        [
            format!("nat-anchor \"{ANCHOR}\""),
            format!(
                "load anchor \"{ANCHOR}\" from \"{}\"",
                self.paths.pf_anchor.display()
            ),
        ]
    }

    /// macOS: `/etc/resolver/<tld>` sends that domain's lookups to dnsmasq.
    pub fn resolver_file(&self) -> String {
        format!(
            "{}nameserver {DNSMASQ_ADDR}\n",
            self.header("#", "this domain's lookups go to dnsmasq.")
        )
    }

    /// Linux: systemd-resolved sends the dev domains to dnsmasq on 127.0.0.1.
    pub fn resolved_dropin(&self) -> String {
        let domains: Vec<String> = self.tlds().iter().map(|t| format!("~{t}")).collect();
        format!(
            "{}[Resolve]\nDNS={DNSMASQ_ADDR}\nDomains={}\n",
            self.header("#", "the dev domains' lookups go to dnsmasq."),
            domains.join(" ")
        )
    }

    /// The line that makes Homebrew's dnsmasq read the drop-in.
    fn dnsmasq_include(&self) -> String {
        format!("conf-file={}", self.paths.dnsmasq_dropin.display())
    }
}

/// A project's line in comments: name, address, host, root (left out if it would not fit
/// on one line).
fn label(e: &Entry) -> String {
    let root = e.root.display().to_string();
    let root = if root.chars().any(char::is_control) {
        String::new()
    } else {
        format!(" {root}")
    };
    format!("{} {} {}{root}", e.name, e.ip, e.host)
}

/// A path for a comment line: no control character may end the comment early.
fn one_line(p: &Path) -> String {
    p.display()
        .to_string()
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// `devgen net`: print the setup. The output is itself a valid dnsmasq configuration: the
/// dnsmasq lines as they are, everything else (other files, commands) in comments, so that
/// `devgen net > devgen.conf` can be handed to dnsmasq as it is.
pub fn print(platform: Platform, io: &mut Io) -> Result<i32> {
    let registry = Registry::load(&registry::default_path()?)?;
    let s = Setup::new(platform, &registry);
    let p = &s.paths;
    let mut text = format!(
        "# Host network setup ({}) for the {} project{} in {}\n\
         # `sudo devgen net --apply` does all of it; `devgen net --write DIR` writes the files to read first.\n",
        s.platform.title(),
        s.entries.len(),
        if s.entries.len() == 1 { "" } else { "s" },
        one_line(&s.registry)
    );
    for e in &s.entries {
        text.push_str(&format!("#   {}\n", label(e)));
    }
    let mut n = 0;
    let mut section = |text: &mut String, title: String, body: String| {
        n += 1;
        text.push_str(&format!("\n# {n}. {title}\n{body}"));
    };
    match s.platform {
        Platform::Macos => {
            let aliases: String = s
                .ips()
                .iter()
                .map(|ip| format!("sudo ifconfig lo0 alias {ip}\n"))
                .collect();
            section(
                &mut text,
                "Loopback aliases, now (macOS answers only 127.0.0.1 on lo0 by default):".into(),
                commented(&aliases),
            );
            section(
                &mut text,
                format!("... and at every boot: {}", p.launchd_plist.display()),
                commented(&s.launchd_plist()),
            );
            section(
                &mut text,
                format!(
                    "PF NAT, so a project address reaches itself: {}",
                    p.pf_anchor.display()
                ),
                commented(&s.pf_anchor()),
            );
            section(
                &mut text,
                format!(
                    "{}: add the first line after its last nat-anchor line, the second after its last load anchor line,",
                    p.pf_conf.display()
                ),
                commented(&format!(
                    "{}\n{}\n",
                    s.pf_conf_lines().join("\n"),
                    "then load the rules and enable PF:\nsudo pfctl -f /etc/pf.conf\nsudo pfctl -e"
                )),
            );
            let mut dnsmasq = s.dnsmasq_conf();
            if let Some(main) = &p.dnsmasq_main {
                dnsmasq.push_str(&commented(&format!(
                    "read from {} through the line:\n{}\nthen: sudo brew services restart dnsmasq\n",
                    main.display(),
                    s.dnsmasq_include()
                )));
            }
            section(
                &mut text,
                format!(
                    "dnsmasq (brew install dnsmasq): {}",
                    p.dnsmasq_dropin.display()
                ),
                dnsmasq,
            );
            for tld in s.tlds() {
                section(
                    &mut text,
                    format!(
                        "Send .{tld} lookups to dnsmasq: {}",
                        p.resolver_dir.join(&tld).display()
                    ),
                    commented(&s.resolver_file()),
                );
            }
        }
        Platform::Linux => {
            text.push_str(
                "# Linux routes all of 127.0.0.0/8 to lo: the project addresses need no alias.\n",
            );
            section(
                &mut text,
                format!("dnsmasq: {}", p.dnsmasq_dropin.display()),
                s.dnsmasq_conf() + &commented("then: sudo systemctl restart dnsmasq\n"),
            );
            section(
                &mut text,
                format!(
                    "systemd-resolved sends the dev domains to dnsmasq: {}",
                    p.resolved_dropin.display()
                ),
                commented(&format!(
                    "{}then: sudo systemctl restart systemd-resolved\n",
                    s.resolved_dropin()
                )),
            );
        }
    }
    io.out.write_all(text.as_bytes()).map_err(out_err)?;
    notes(&s, io)?;
    Ok(exit::IN_SYNC)
}

/// `text` as comment lines of a dnsmasq configuration, indented under a section title.
fn commented(text: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                "#\n".to_string()
            } else {
                format!("#   {l}\n")
            }
        })
        .collect()
}

/// What the user should know about the registry behind the setup: that it is empty, or
/// that two projects claim one host (dnsmasq can answer it with one address only).
fn notes(s: &Setup, io: &mut Io) -> Result<()> {
    if s.entries.is_empty() {
        writeln!(
            io.err,
            "note: no project is registered in {}; `devgen init` in a project registers it",
            s.registry.display()
        )
        .map_err(out_err)?;
    }
    for (i, e) in s.entries.iter().enumerate() {
        let family = |x: &Entry| x.worktree_of.clone().unwrap_or_else(|| x.root.clone());
        if let Some(first) = s.entries[..i]
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
            .map_err(out_err)?;
        }
    }
    Ok(())
}

/// A file of the setup: its name under `--write`, its system path, its text and mode.
struct HostFile {
    name: String,
    system: PathBuf,
    content: String,
    mode: u32,
}

fn host_files(s: &Setup) -> Vec<HostFile> {
    let p = &s.paths;
    let file = |name: &str, system: &Path, content: String, mode: u32| HostFile {
        name: name.to_string(),
        system: system.to_path_buf(),
        content,
        mode,
    };
    let mut files = vec![file(
        "dnsmasq.conf",
        &p.dnsmasq_dropin,
        s.dnsmasq_conf(),
        0o644,
    )];
    match s.platform {
        Platform::Macos => {
            files.push(file(
                &format!("{LAUNCHD_LABEL}.plist"),
                &p.launchd_plist,
                s.launchd_plist(),
                0o644,
            ));
            files.push(file("pf-anchor", &p.pf_anchor, s.pf_anchor(), 0o644));
            for tld in s.tlds() {
                files.push(file(
                    &format!("resolver-{tld}"),
                    &p.resolver_dir.join(&tld),
                    s.resolver_file(),
                    0o644,
                ));
            }
        }
        Platform::Linux => {
            files.push(file(
                "resolved.conf",
                &p.resolved_dropin,
                s.resolved_dropin(),
                0o644,
            ));
        }
    }
    files
}

/// `devgen net --write DIR`: the setup's files, to read before installing them.
pub fn write(platform: Platform, dir: &Path, io: &mut Io) -> Result<i32> {
    let registry = Registry::load(&registry::default_path()?)?;
    let s = Setup::new(platform, &registry);
    fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut files = host_files(&s);
    if platform == Platform::Macos {
        files.push(HostFile {
            name: "loopback-aliases.sh".into(),
            system: PathBuf::new(),
            content: s.loopback_script(),
            mode: 0o755,
        });
        files.push(HostFile {
            name: "pf.conf-lines".into(),
            system: PathBuf::new(),
            content: s.pf_conf_lines().join("\n") + "\n",
            mode: 0o644,
        });
    }
    for f in &files {
        let path = dir.join(&f.name);
        write_atomic(&path, &f.content, f.mode)?;
        let into = if f.system.as_os_str().is_empty() {
            match f.name.as_str() {
                "loopback-aliases.sh" => "run with sudo".to_string(),
                _ => format!("add to {}", s.paths.pf_conf.display()),
            }
        } else {
            format!("install as {}", f.system.display())
        };
        writeln!(io.out, "wrote {} ({into})", path.display()).map_err(out_err)?;
    }
    notes(&s, io)?;
    Ok(exit::IN_SYNC)
}

/// Write `content` to `path` through a temporary file in its directory and a rename.
fn write_atomic(path: &Path, content: &str, mode: u32) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let io = |e| Error::io("cannot write", path, e);
    let mut tmp = tempfile::Builder::new()
        .prefix(".devgen-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(io)?;
    tmp.write_all(content.as_bytes()).map_err(io)?;
    tmp.as_file()
        .set_permissions(fs::Permissions::from_mode(mode))
        .map_err(io)?;
    tmp.as_file().sync_all().map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A change `--apply` makes to a file.
struct FileChange {
    system: PathBuf,
    content: String,
    mode: u32,
    existed: bool,
}

/// `devgen net --apply [--root DIR]`: install the setup. Files already right are not
/// touched; system commands run only for what changed (or, for aliases and PF, what the
/// running system lacks), so a second run does nothing and says so.
pub fn apply(platform: Platform, root: Option<&Path>, io: &mut Io) -> Result<i32> {
    let registry_path = registry::default_path()?;
    let registry = Registry::load(&registry_path)?;
    let s = Setup::new(platform, &registry);
    notes(&s, io)?;
    let real = root.is_none();
    let under = |p: &Path| -> PathBuf {
        match root {
            Some(r) => r.join(p.strip_prefix("/").unwrap_or(p)),
            None => p.to_path_buf(),
        }
    };
    let read = |p: &Path| -> Result<Option<String>> {
        let path = under(p);
        match fs::read_to_string(&path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("cannot read", &path, e)),
        }
    };

    // Plan every file first, so that a missing privilege stops before anything is done.
    let mut changes: Vec<FileChange> = Vec::new();
    let mut plan = |system: PathBuf, content: String, mode: u32| -> Result<()> {
        let current = read(&system)?;
        if current.as_deref() != Some(content.as_str()) {
            changes.push(FileChange {
                existed: current.is_some(),
                system,
                content,
                mode,
            });
        }
        Ok(())
    };
    for f in host_files(&s) {
        plan(f.system, f.content, f.mode)?;
    }
    if platform == Platform::Macos {
        let pf_conf = read(&s.paths.pf_conf)?.unwrap_or_default();
        let [nat, load] = s.pf_conf_lines();
        let edited = ensure_line(
            &ensure_line(&pf_conf, &nat, "nat-anchor"),
            &load,
            "load anchor",
        );
        plan(s.paths.pf_conf.clone(), edited, 0o644)?;
        if let Some(main) = &s.paths.dnsmasq_main {
            let conf = read(main)?.unwrap_or_default();
            let edited = ensure_line(&conf, &s.dnsmasq_include(), "conf-file=");
            plan(main.clone(), edited, 0o644)?;
        }
    }
    let missing_aliases: Vec<Ipv4Addr> = if real && platform == Platform::Macos {
        let lo0 = command_output("/sbin/ifconfig", &["lo0"]).unwrap_or_default();
        s.ips()
            .into_iter()
            .filter(|ip| !lo0.contains(&format!("inet {ip} ")))
            .collect()
    } else {
        Vec::new()
    };
    let pf_disabled = real
        && platform == Platform::Macos
        && !command_output("/sbin/pfctl", &["-s", "info"])
            .unwrap_or_default()
            .contains("Status: Enabled");

    if changes.is_empty() && missing_aliases.is_empty() && !pf_disabled {
        writeln!(
            io.err,
            "devgen net: nothing to change; the host already matches the {} project{} of {}",
            s.entries.len(),
            if s.entries.len() == 1 { "" } else { "s" },
            registry_path.display()
        )
        .map_err(out_err)?;
        return Ok(exit::IN_SYNC);
    }
    if real && !rustix::process::geteuid().is_root() {
        let mut what: Vec<String> = changes
            .iter()
            .map(|c| c.system.display().to_string())
            .collect();
        what.extend(
            missing_aliases
                .iter()
                .map(|ip| format!("loopback alias {ip}")),
        );
        return Err(Error::Usage(format!(
            "devgen net --apply changes system files and settings ({}) and needs root\n  \
             = help: run `sudo {}={} devgen net --apply` (naming the registry keeps sudo from reading root's), \
             or `devgen net --write DIR` to get the files and install them yourself",
            what.join(", "),
            registry::ENV_PATH,
            shell_word(&registry_path.display().to_string())
        )));
    }

    let mut done = 0;
    let mut skipped: Vec<String> = Vec::new();
    let say =
        |io: &mut Io, line: String| -> Result<()> { writeln!(io.err, "  {line}").map_err(out_err) };
    for c in &changes {
        write_atomic(&under(&c.system), &c.content, c.mode)?;
        let verb = if c.existed { "updated" } else { "created" };
        say(io, format!("{verb} {}", under(&c.system).display()))?;
        done += 1;
    }
    let changed = |p: &Path| changes.iter().any(|c| c.system == p);
    let mut commands: Vec<Vec<String>> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    for ip in &missing_aliases {
        commands.push(vec![
            "/sbin/ifconfig".into(),
            "lo0".into(),
            "alias".into(),
            ip.to_string(),
        ]);
    }
    match platform {
        Platform::Macos => {
            if changed(&s.paths.pf_anchor) || changed(&s.paths.pf_conf) {
                commands.push(vec![
                    "/sbin/pfctl".into(),
                    "-f".into(),
                    s.paths.pf_conf.display().to_string(),
                ]);
            }
            if pf_disabled {
                commands.push(vec!["/sbin/pfctl".into(), "-e".into()]);
            }
            let dnsmasq_changed = changed(&s.paths.dnsmasq_dropin)
                || s.paths.dnsmasq_main.as_deref().is_some_and(changed);
            // sudo's PATH rarely has Homebrew's bin: call brew by its prefix.
            let brew = s
                .paths
                .dnsmasq_dropin
                .ancestors()
                .nth(3)
                .map(|prefix| prefix.join("bin/brew"))
                .unwrap_or_default();
            if dnsmasq_changed {
                if !real || brew.is_file() {
                    commands.push(vec![
                        brew.display().to_string(),
                        "services".into(),
                        "restart".into(),
                        "dnsmasq".into(),
                    ]);
                } else {
                    notes.push(format!(
                        "no brew at {}: restart dnsmasq yourself so that it reads {}",
                        brew.display(),
                        s.paths.dnsmasq_dropin.display()
                    ));
                }
            }
        }
        Platform::Linux => {
            for (file, unit, otherwise) in [
                (
                    &s.paths.dnsmasq_dropin,
                    "dnsmasq",
                    "restart the dnsmasq you run so that it reads",
                ),
                (
                    &s.paths.resolved_dropin,
                    "systemd-resolved",
                    "send lookups of the dev domains to dnsmasq on 127.0.0.1 in the resolver you use, as does",
                ),
            ] {
                if !changed(file) {
                    continue;
                }
                // Restart only a service that runs: a machine without systemd, or without
                // the service, is told what to do instead of failing.
                let active = !real
                    || Command::new("systemctl")
                        .args(["is-active", "--quiet", unit])
                        .status()
                        .is_ok_and(|st| st.success());
                if active {
                    commands.push(vec!["systemctl".into(), "restart".into(), unit.into()]);
                } else {
                    notes.push(format!(
                        "{unit} is not running as a systemd service: {otherwise} {}",
                        file.display()
                    ));
                }
            }
        }
    }
    for argv in commands {
        let shown = argv.join(" ");
        if !real {
            skipped.push(shown);
            continue;
        }
        match Command::new(&argv[0]).args(&argv[1..]).output() {
            Ok(out) if out.status.success() => {
                say(io, format!("ran {shown}"))?;
                done += 1;
            }
            Ok(out) => {
                say(
                    io,
                    format!(
                        "FAILED {shown} ({}): {}",
                        out.status,
                        String::from_utf8_lossy(&out.stderr).trim()
                    ),
                )?;
                skipped.push(shown);
            }
            Err(e) => {
                say(io, format!("could not run {shown}: {e}"))?;
                skipped.push(shown);
            }
        }
    }
    for note in &notes {
        say(io, format!("note: {note}"))?;
    }
    if !skipped.is_empty() {
        let why = if real {
            "commands that failed; run them yourself once the cause is fixed"
        } else {
            "commands not run: --root changes files only"
        };
        writeln!(io.err, "  {why}:").map_err(out_err)?;
        for c in &skipped {
            writeln!(io.err, "    {c}").map_err(out_err)?;
        }
    }
    writeln!(
        io.err,
        "devgen net: {done} change{} for the {} project{} of {}",
        if done == 1 { "" } else { "s" },
        s.entries.len(),
        if s.entries.len() == 1 { "" } else { "s" },
        registry_path.display()
    )
    .map_err(out_err)?;
    Ok(if real && !skipped.is_empty() {
        exit::ERROR
    } else {
        exit::IN_SYNC
    })
}

/// `text` with `line` in it: kept where it is when present, else put after the last line
/// starting with `after` (or at the end).
fn ensure_line(text: &str, line: &str, after: &str) -> String {
    if text.lines().any(|l| l.trim() == line) {
        return text.to_string();
    }
    let mut lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .rposition(|l| l.trim_start().starts_with(after))
        .map_or(lines.len(), |i| i + 1);
    lines.insert(at, line);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A word for a shell command line, quoted when it needs to be.
fn shell_word(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

fn out_err(e: std::io::Error) -> Error {
    Error::io("cannot write to", Path::new("the output"), e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_go_after_their_kind_once() {
        let pf = "scrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nrdr-anchor \"com.apple/*\"\nload anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\n";
        let once = ensure_line(pf, "nat-anchor \"devgen\"", "nat-anchor");
        let twice = ensure_line(
            &once,
            "load anchor \"devgen\" from \"/etc/pf.anchors/devgen\"",
            "load anchor",
        );
        assert_eq!(
            twice,
            "scrub-anchor \"com.apple/*\"\nnat-anchor \"com.apple/*\"\nnat-anchor \"devgen\"\nrdr-anchor \"com.apple/*\"\n\
             load anchor \"com.apple\" from \"/etc/pf.anchors/com.apple\"\nload anchor \"devgen\" from \"/etc/pf.anchors/devgen\"\n"
        );
        assert_eq!(
            ensure_line(&twice, "nat-anchor \"devgen\"", "nat-anchor"),
            twice
        );
        assert_eq!(ensure_line("", "x", "y"), "x\n");
    }

    #[test]
    fn shell_words() {
        assert_eq!(
            shell_word("/home/me/.config/devgen/registry.toml"),
            "/home/me/.config/devgen/registry.toml"
        );
        assert_eq!(shell_word("/a b/it's"), r"'/a b/it'\''s'");
    }
}
