//! Installing the setup: its files written into a directory for review ([`write`]), or
//! into the system with the commands that make them take effect ([`apply`]). Files already
//! right are not touched; system commands run only for what changed (or, for aliases and
//! PF, what the running system lacks), so a second run does nothing and says so.

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Platform, Setup, LAUNCHD_LABEL};
use crate::error::{Error, Result};
use crate::machine::registry::ENV_PATH;
use crate::output::{stream_error, Io};
use crate::text::{lines, shell};

/// A file of the setup: its name under `--write`, its system path, its text and mode.
struct HostFile {
    name: String,
    system: PathBuf,
    content: String,
    mode: u32,
}

impl HostFile {
    fn new(name: &str, system: &Path, content: String, mode: u32) -> HostFile {
        HostFile {
            name: name.to_string(),
            system: system.to_path_buf(),
            content,
            mode,
        }
    }
}

/// The files installed whole, per platform.
fn host_files(s: &Setup) -> Vec<HostFile> {
    let p = &s.paths;
    let mut files = vec![HostFile::new(
        "dnsmasq.conf",
        &p.dnsmasq_dropin,
        s.dnsmasq_conf(),
        0o644,
    )];
    match s.platform {
        Platform::Macos => {
            files.push(HostFile::new(
                &format!("{LAUNCHD_LABEL}.plist"),
                &p.launchd_plist,
                s.launchd_plist(),
                0o644,
            ));
            files.push(HostFile::new(
                "pf-anchor",
                &p.pf_anchor,
                s.pf_anchor(),
                0o644,
            ));
            for tld in s.tlds() {
                files.push(HostFile::new(
                    &format!("resolver-{tld}"),
                    &p.resolver_dir.join(&tld),
                    s.resolver_file(),
                    0o644,
                ));
            }
        }
        Platform::Linux => {
            files.push(HostFile::new(
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
pub fn write(s: &Setup, dir: &Path, io: &mut Io) -> Result<()> {
    fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let mut files = host_files(s);
    if s.platform == Platform::Macos {
        files.push(HostFile::new(
            "loopback-aliases.sh",
            Path::new(""),
            s.loopback_script(),
            0o755,
        ));
        files.push(HostFile::new(
            "pf.conf-lines",
            Path::new(""),
            s.pf_conf_lines().join("\n") + "\n",
            0o644,
        ));
    }
    for f in &files {
        let path = dir.join(&f.name);
        write_file(&path, &f.content, f.mode)?;
        let into = if f.system.as_os_str().is_empty() {
            match f.name.as_str() {
                "loopback-aliases.sh" => "run with sudo".to_string(),
                _ => format!("add to {}", s.paths.pf_conf.display()),
            }
        } else {
            format!("install as {}", f.system.display())
        };
        writeln!(io.out, "wrote {} ({into})", path.display()).map_err(stream_error)?;
    }
    s.notes(io)
}

/// Write `content` to `path` atomically, creating its directory.
fn write_file(path: &Path, content: &str, mode: u32) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    crate::atomic::write(path, content.as_bytes(), mode)
        .map_err(|e| Error::io("cannot write", path, e))
}

/// A change the install makes to a file.
struct FileChange {
    system: PathBuf,
    content: String,
    mode: u32,
    existed: bool,
}

/// How an install ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Installed {
    /// Everything done, or nothing needed doing.
    Complete,
    /// Some system commands failed; the report lists them to run by hand.
    Incomplete,
}

/// `devgen net --apply [--root DIR]`: install the setup, under `root` instead of `/` when given.
pub fn apply(s: &Setup, root: Option<&Path>, io: &mut Io) -> Result<Installed> {
    s.notes(io)?;
    let install = Install { s, root };
    // Plan every file first, so that a missing privilege stops before anything is done.
    let changes = install.plan_files()?;
    let missing_aliases = install.missing_aliases();
    let pf_disabled = install.pf_disabled();
    if changes.is_empty() && missing_aliases.is_empty() && !pf_disabled {
        writeln!(
            io.err,
            "devgen net: nothing to change; the host already matches the {} project{} of {}",
            s.entries.len(),
            plural(s.entries.len()),
            s.registry.display()
        )
        .map_err(stream_error)?;
        return Ok(Installed::Complete);
    }
    install.require_root(&changes, &missing_aliases)?;
    let mut done = install.write_files(&changes, io)?;
    let (commands, notes) = install.commands(&changes, &missing_aliases, pf_disabled);
    let (ran, skipped) = install.run(commands, io)?;
    done += ran;
    install.report(&notes, &skipped, done, io)?;
    Ok(if install.real() && !skipped.is_empty() {
        Installed::Incomplete
    } else {
        Installed::Complete
    })
}

/// An install in progress: the setup, and the directory standing in for `/` (none: the
/// real system).
struct Install<'a> {
    s: &'a Setup,
    root: Option<&'a Path>,
}

impl Install<'_> {
    fn real(&self) -> bool {
        self.root.is_none()
    }

    /// Where a system path is for this install.
    fn under(&self, p: &Path) -> PathBuf {
        match self.root {
            Some(r) => r.join(p.strip_prefix("/").unwrap_or(p)),
            None => p.to_path_buf(),
        }
    }

    fn read(&self, p: &Path) -> Result<Option<String>> {
        let path = self.under(p);
        match fs::read_to_string(&path) {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("cannot read", &path, e)),
        }
    }

    /// Every file whose content differs from the setup's, including the lines devgen needs
    /// in files that are not its own (pf.conf, Homebrew's dnsmasq.conf).
    fn plan_files(&self) -> Result<Vec<FileChange>> {
        let s = self.s;
        let mut wanted: Vec<(PathBuf, String, u32)> = host_files(s)
            .into_iter()
            .map(|f| (f.system, f.content, f.mode))
            .collect();
        if s.platform == Platform::Macos {
            let pf_conf = self.read(&s.paths.pf_conf)?.unwrap_or_default();
            let [nat, load] = s.pf_conf_lines();
            let edited = lines::ensure(
                &lines::ensure(&pf_conf, &nat, Some("nat-anchor")),
                &load,
                Some("load anchor"),
            );
            wanted.push((s.paths.pf_conf.clone(), edited, 0o644));
            if let Some(main) = &s.paths.dnsmasq_main {
                let conf = self.read(main)?.unwrap_or_default();
                let edited = lines::ensure(&conf, &s.dnsmasq_include(), Some("conf-file="));
                wanted.push((main.clone(), edited, 0o644));
            }
        }
        let mut changes = Vec::new();
        for (system, content, mode) in wanted {
            let current = self.read(&system)?;
            if current.as_deref() != Some(content.as_str()) {
                changes.push(FileChange {
                    existed: current.is_some(),
                    system,
                    content,
                    mode,
                });
            }
        }
        Ok(changes)
    }

    /// macOS: the project addresses lo0 does not carry yet.
    fn missing_aliases(&self) -> Vec<Ipv4Addr> {
        if !self.real() || self.s.platform != Platform::Macos {
            return Vec::new();
        }
        let lo0 = command_output("/sbin/ifconfig", &["lo0"]).unwrap_or_default();
        self.s
            .ips()
            .into_iter()
            .filter(|ip| !lo0.contains(&format!("inet {ip} ")))
            .collect()
    }

    /// macOS: PF is off, so the anchor would not apply.
    fn pf_disabled(&self) -> bool {
        self.real()
            && self.s.platform == Platform::Macos
            && !command_output("/sbin/pfctl", &["-s", "info"])
                .unwrap_or_default()
                .contains("Status: Enabled")
    }

    /// On the real system, changes need root: say which, and how to get them.
    fn require_root(&self, changes: &[FileChange], missing_aliases: &[Ipv4Addr]) -> Result<()> {
        if !self.real() || rustix::process::geteuid().is_root() {
            return Ok(());
        }
        let mut what: Vec<String> = changes
            .iter()
            .map(|c| c.system.display().to_string())
            .collect();
        what.extend(
            missing_aliases
                .iter()
                .map(|ip| format!("loopback alias {ip}")),
        );
        Err(Error::Usage(format!(
            "devgen net --apply changes system files and settings ({}) and needs root\n  \
             = help: run `sudo {ENV_PATH}={} devgen net --apply` (naming the registry keeps sudo from reading root's), \
             or `devgen net --write DIR` to get the files and install them yourself",
            what.join(", "),
            shell::word(&self.s.registry.display().to_string())
        )))
    }

    fn write_files(&self, changes: &[FileChange], io: &mut Io) -> Result<usize> {
        for c in changes {
            write_file(&self.under(&c.system), &c.content, c.mode)?;
            let verb = if c.existed { "updated" } else { "created" };
            say(io, format!("{verb} {}", self.under(&c.system).display()))?;
        }
        Ok(changes.len())
    }

    /// The commands that make the changes take effect, and notes for what devgen cannot do.
    fn commands(
        &self,
        changes: &[FileChange],
        missing_aliases: &[Ipv4Addr],
        pf_disabled: bool,
    ) -> (Vec<Vec<String>>, Vec<String>) {
        let changed = |p: &Path| changes.iter().any(|c| c.system == p);
        let mut commands: Vec<Vec<String>> = missing_aliases
            .iter()
            .map(|ip| argv(&["/sbin/ifconfig", "lo0", "alias", &ip.to_string()]))
            .collect();
        let mut notes = Vec::new();
        match self.s.platform {
            Platform::Macos => {
                self.macos_commands(&changed, pf_disabled, &mut commands, &mut notes)
            }
            Platform::Linux => self.linux_commands(&changed, &mut commands, &mut notes),
        }
        (commands, notes)
    }

    fn macos_commands(
        &self,
        changed: &dyn Fn(&Path) -> bool,
        pf_disabled: bool,
        commands: &mut Vec<Vec<String>>,
        notes: &mut Vec<String>,
    ) {
        let p = &self.s.paths;
        if changed(&p.pf_anchor) || changed(&p.pf_conf) {
            commands.push(argv(&[
                "/sbin/pfctl",
                "-f",
                &p.pf_conf.display().to_string(),
            ]));
        }
        if pf_disabled {
            commands.push(argv(&["/sbin/pfctl", "-e"]));
        }
        let dnsmasq_changed =
            changed(&p.dnsmasq_dropin) || p.dnsmasq_main.as_deref().is_some_and(changed);
        if !dnsmasq_changed {
            return;
        }
        // sudo's PATH rarely has Homebrew's bin: call brew by its prefix.
        let brew = p
            .dnsmasq_dropin
            .ancestors()
            .nth(3)
            .map(|prefix| prefix.join("bin/brew"))
            .unwrap_or_default();
        if !self.real() || brew.is_file() {
            let brew = brew.display().to_string();
            commands.push(argv(&[&brew, "services", "restart", "dnsmasq"]));
        } else {
            notes.push(format!(
                "no brew at {}: restart dnsmasq yourself so that it reads {}",
                brew.display(),
                p.dnsmasq_dropin.display()
            ));
        }
    }

    fn linux_commands(
        &self,
        changed: &dyn Fn(&Path) -> bool,
        commands: &mut Vec<Vec<String>>,
        notes: &mut Vec<String>,
    ) {
        let p = &self.s.paths;
        for (file, unit, otherwise) in [
            (
                &p.dnsmasq_dropin,
                "dnsmasq",
                "restart the dnsmasq you run so that it reads",
            ),
            (
                &p.resolved_dropin,
                "systemd-resolved",
                "send lookups of the dev domains to dnsmasq on 127.0.0.1 in the resolver you use, as does",
            ),
        ] {
            if !changed(file) {
                continue;
            }
            // Restart only a service that runs: a machine without systemd, or without
            // the service, is told what to do instead of failing.
            let active = !self.real()
                || Command::new("systemctl")
                    .args(["is-active", "--quiet", unit])
                    .status()
                    .is_ok_and(|st| st.success());
            if active {
                commands.push(argv(&["systemctl", "restart", unit]));
            } else {
                notes.push(format!(
                    "{unit} is not running as a systemd service: {otherwise} {}",
                    file.display()
                ));
            }
        }
    }

    /// Run each command (none under `--root`); how many ran, and the ones that did not.
    fn run(&self, commands: Vec<Vec<String>>, io: &mut Io) -> Result<(usize, Vec<String>)> {
        let mut ran = 0;
        let mut skipped = Vec::new();
        for argv in commands {
            let shown = argv.join(" ");
            if !self.real() {
                skipped.push(shown);
                continue;
            }
            match Command::new(&argv[0]).args(&argv[1..]).output() {
                Ok(out) if out.status.success() => {
                    say(io, format!("ran {shown}"))?;
                    ran += 1;
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
        Ok((ran, skipped))
    }

    fn report(&self, notes: &[String], skipped: &[String], done: usize, io: &mut Io) -> Result<()> {
        for note in notes {
            say(io, format!("note: {note}"))?;
        }
        if !skipped.is_empty() {
            let why = if self.real() {
                "commands that failed; run them yourself once the cause is fixed"
            } else {
                "commands not run: --root changes files only"
            };
            writeln!(io.err, "  {why}:").map_err(stream_error)?;
            for c in skipped {
                writeln!(io.err, "    {c}").map_err(stream_error)?;
            }
        }
        let n = self.s.entries.len();
        writeln!(
            io.err,
            "devgen net: {done} change{} for the {n} project{} of {}",
            plural(done),
            plural(n),
            self.s.registry.display()
        )
        .map_err(stream_error)
    }
}

fn say(io: &mut Io, line: String) -> Result<()> {
    writeln!(io.err, "  {line}").map_err(stream_error)
}

fn argv(words: &[&str]) -> Vec<String> {
    words.iter().map(|w| w.to_string()).collect()
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn command_output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
