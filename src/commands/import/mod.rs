//! `devgen import`: write the devgen.toml that describes an existing project — from its
//! devenv.nix, `.tool-versions`, package.json, mix.exs, Phoenix config, Procfile, `.envrc`,
//! flake.nix and compose files ([`sources`]) — and report each value taken with the file
//! and line it came from, and each thing found that devgen.toml does not say, which stays
//! in its file as the user's ([`findings`]). devgen.toml and an empty devgen.lock (devgen has
//! written nothing yet) are created together, so that `devgen diff` then shows what devgen
//! would change; no other file is touched. `init` in a directory with files runs the same
//! [`describe`] first.

mod findings;
mod report;
mod sources;
mod spec;

use std::path::Path;

use super::pipeline::Resolved;
use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::{InitClaim, IpOrigin};
use crate::output::{Format, Io};
use crate::project::{self, apply::create_files, Access, ProjectRoot};
use crate::reconcile::lock::{Lock, LOCK_FILE};
use crate::render::Renderer;
use crate::spec::rules::parse_loopback_ip;
use crate::spec::SPEC_FILE;

pub use findings::Findings;
pub use report::print_taken;

/// What `devgen import` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project's name (default: from the directory's).
    pub name: Option<String>,
    /// Write nothing: print the spec it would write.
    pub dry_run: bool,
    pub format: Format,
}

/// A project described: the spec's text, what it was made of, and the address claimed.
pub struct Described {
    pub spec_text: String,
    pub found: Findings,
    pub claim: InitClaim,
}

/// `devgen import` in `dir`.
pub fn import(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    let root = ProjectRoot::open(dir)?;
    let _lock = project::open(&root, Access::writing_unless(opts.dry_run), io)?;
    if root.spec_text()?.is_some() && !opts.dry_run {
        return Err(spec_exists());
    }
    let renderer = Renderer::new();
    let described = describe(&root, &renderer, opts.name.as_deref(), None, opts.dry_run)?;
    let resolved = Resolved::with_facts(&described.spec_text, &described.claim.facts())?;
    let entry = described.claim.check(&resolved.src, &resolved.model)?;
    let lock = root.read(LOCK_FILE)?;
    let run = resolved.plan(root, &renderer, false)?;
    let report = report::Report {
        found: &described.found,
        spec_text: &described.spec_text,
        plan: &run.plan,
        written: !opts.dry_run,
        lock_written: lock.is_none(),
    };
    if !opts.dry_run {
        let empty_lock = Lock::new().render();
        let mut files = vec![(SPEC_FILE, described.spec_text.as_str())];
        if lock.is_none() {
            files.push((LOCK_FILE, empty_lock.as_str()));
        }
        create_files(&run.root, &files)?;
    }
    report.print(opts.format, io)?;
    described.claim.commit(entry, io)?;
    Ok(Outcome::Success)
}

/// Read the project at `root` and write the spec that describes it, named `name` (else
/// after its directory), on `--ip` when given, else on the address its files give when that
/// is free, else on the registry's next free one.
pub fn describe(
    root: &ProjectRoot,
    renderer: &Renderer,
    name: Option<&str>,
    flag_ip: Option<&str>,
    dry_run: bool,
) -> Result<Described> {
    let mut found = sources::scan(root)?;
    let name = spec::project_name(root, name)?;
    let claim = claim_address(root, &mut found, flag_ip, dry_run)?;
    let spec_text = spec::spec_text(renderer, &name, claim.ip, &mut found)?;
    Ok(Described {
        spec_text,
        found,
        claim,
    })
}

/// The project's address: `--ip`, else the files' own when no other project has it, else
/// the registry's; the report says which and why.
fn claim_address(
    root: &ProjectRoot,
    found: &mut Findings,
    flag_ip: Option<&str>,
    dry_run: bool,
) -> Result<InitClaim> {
    let from_files = found
        .taken_with_origin("project", "ip")
        .and_then(|(ip, origin)| Some((parse_loopback_ip(ip.as_str()?).ok()?, origin.clone())))
        .filter(|_| flag_ip.is_none());
    let mut claim = InitClaim::begin(
        root.path(),
        from_files.as_ref().map(|f| f.0),
        flag_ip,
        dry_run,
    )?;
    if let Some((ip, origin)) = from_files {
        if let Some(other) = claim.holder_of(ip).map(String::from) {
            // The registry stays locked by one claim at a time: this one goes first.
            drop(claim);
            found.forget("project", "ip");
            found.note(format!(
                "{origin}: {ip} is the address of {other} in the machine registry; this project gets one of its own"
            ));
            claim = InitClaim::begin(root.path(), None, None, dry_run)?;
        }
    }
    note_registry_address(&claim, found);
    Ok(claim)
}

fn note_registry_address(claim: &InitClaim, found: &mut Findings) {
    let why = match claim.origin {
        IpOrigin::Allocated => "the next free address of the machine registry",
        IpOrigin::Registered => "the address the machine registry holds for this directory",
        IpOrigin::Flag => "given with --ip",
        IpOrigin::Spec => return,
    };
    found.note(format!("project.ip = \"{}\": {why}", claim.ip));
}

fn spec_exists() -> Error {
    Error::Usage(format!(
        "{SPEC_FILE} exists: this project is described already, and import writes a new one only\n  \
         = help: `devgen diff` shows how the files and {SPEC_FILE} differ; to import afresh, move {SPEC_FILE} away first"
    ))
}
