//! `devgen worktree`: in a git worktree of a registered project, take an address of the
//! project's block and a host of its own, register them, and export them from the untracked
//! `.envrc.local`. Run again, it keeps the address.

use std::path::Path;

use super::pipeline::Resolved;
use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::{self, default_path, Entry, Locked};
use crate::machine::worktree::{self, ENVRC_LOCAL};
use crate::model::Overrides;
use crate::output::{stream_error, Io};
use crate::project::find_root;
use crate::spec::{self, SPEC_FILE};

/// `devgen worktree` in the worktree around `dir`.
pub fn worktree(dir: &Path, io: &mut Io) -> Result<Outcome> {
    let root = find_root(dir)?;
    let main = worktree::main_checkout(root.path())?;
    if main == root.path() {
        return Err(Error::Usage(format!(
            "{} is the project's main checkout, which keeps the address in {SPEC_FILE}\n  \
             = help: run `devgen worktree` in a worktree made with `git worktree add ../NAME`",
            root.path().display()
        )));
    }
    let src = spec::parse(SPEC_FILE, &root.read_spec()?)?;
    let mut locked = Locked::acquire(&default_path()?)?;
    let reg = locked.registry();
    let project = reg.project(&main).cloned().ok_or_else(|| {
        Error::Usage(format!(
            "the project this worktree belongs to, {}, is not in the machine registry {}\n  \
             = help: run `devgen init` there first; it registers the project and its block of addresses",
            main.display(),
            reg.path().display()
        ))
    })?;
    let (facts, _) = registry::facts(Ok(reg), root.path(), &src);
    let resolved = Resolved::from_source(src, &facts)?;
    let entry = worktree::claim(
        reg,
        &project,
        Entry::from_model(root.path(), &resolved.model),
    )?;
    let known = reg.get(root.path()) == Some(&entry);
    locked.registry_mut().upsert(entry.clone())?;
    locked.save()?;

    let vars = &resolved.model.overrides;
    let current = root.read(ENVRC_LOCAL)?;
    let desired = worktree::envrc_local(current.as_deref().unwrap_or(""), &entry, vars)?;
    let wrote = current.as_deref() != Some(desired.as_str());
    if wrote {
        root.write(ENVRC_LOCAL, &desired, false)?;
    }

    let registry = locked.registry().path().display().to_string();
    report(
        &entry,
        &project,
        known,
        &registry,
        wrote.then_some(vars),
        io,
    )?;
    Ok(Outcome::Success)
}

/// What the worktree got, and what to do next; `wrote`: the overrides `.envrc.local` now
/// exports, when it changed.
fn report(
    entry: &Entry,
    project: &Entry,
    known: bool,
    registry: &str,
    wrote: Option<&Overrides>,
    io: &mut Io,
) -> Result<()> {
    let say = |io: &mut Io, line: String| writeln!(io.err, "{line}").map_err(stream_error);
    say(
        io,
        format!(
            "worktree `{}` of {} ({}): {} {}",
            entry.name,
            project.name,
            project.root.display(),
            entry.ip,
            entry.host
        ),
    )?;
    if entry.ip == std::net::Ipv4Addr::LOCALHOST {
        let ports: Vec<String> = entry
            .endpoints()
            .iter()
            .map(|(name, addr)| format!("{name} {}", addr.port()))
            .collect();
        say(
            io,
            format!("  its ports (isolation = \"ports\"): {}", ports.join(", ")),
        )?;
    }
    let verb = if known { "already in" } else { "registered in" };
    say(io, format!("  {verb} the machine registry {registry}"))?;
    match wrote {
        Some(vars) if entry.ip == std::net::Ipv4Addr::LOCALHOST => say(
            io,
            format!(
                "  wrote {ENVRC_LOCAL} ({} and each port's DEVGEN_<NAME>_PORT): `direnv allow` loads it",
                vars.host
            ),
        )?,
        Some(vars) => say(
            io,
            format!(
                "  wrote {ENVRC_LOCAL} ({}, {}): `direnv allow` loads it",
                vars.ip, vars.host
            ),
        )?,
        None => say(io, format!("  {ENVRC_LOCAL} already says so"))?,
    }
    say(
        io,
        "  the host's alias and dnsmasq entries for it: `sudo devgen net --apply`".to_string(),
    )
}
