//! `devgen init`: create devgen.toml when missing (from what the directory's files say, as `import` reads them), claim the project's
//! address in the machine registry, then write every output as `sync` does. In a repository
//! devgen has not seen, values the user already set in devenv.nix go into the new spec
//! rather than into a conflict. The project is registered only when the run succeeds, and a
//! directory `init` created is removed again when it fails.

use std::net::Ipv4Addr;
use std::path::Path;

use super::adopt::adopt;
use super::import::{self, print_taken};
use super::pipeline::Resolved;
use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::net::{self, Platform};
use crate::machine::registry::{InitClaim, IpOrigin};
use crate::model::{self, Facts, Model};
use crate::output::{stream_error, Io};
use crate::project::{self, apply, Access, Applied, ProjectRoot, Run};
use crate::reconcile::FilePlan;
use crate::render::Renderer;
use crate::spec::edit::SpecEdit;
use crate::spec::rules::parse_loopback_ip;
use crate::spec::{self, SpecSource, SPEC_FILE};

/// What `devgen init` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The project's name (default: from the directory's).
    pub name: Option<String>,
    /// The project's address (default: the registry's next free one).
    pub ip: Option<String>,
    pub force: bool,
    pub dry_run: bool,
}

/// `devgen init` in `dir`, which is created when missing.
pub fn init(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    if dir.exists() {
        return init_in(dir, opts, io);
    }
    if opts.dry_run {
        return Err(Error::Usage(format!(
            "{} does not exist\n  = help: run `devgen init` without --dry-run to create it",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let result = init_in(dir, opts, io);
    if !matches!(result, Ok(Outcome::Success)) {
        // Leave no trace of a failed init: the directory it made goes again while empty.
        let _ = std::fs::remove_dir(dir);
    }
    result
}

fn init_in(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    let root = ProjectRoot::open(dir)?;
    let _lock = project::open(&root, Access::writing_unless(opts.dry_run), io)?;
    let renderer = Renderer::new();
    let existing = root.spec_text()?;
    refuse_nested_project(&root, existing.is_some())?;
    let written = existing.as_deref().map(checked_as_written).transpose()?;
    let spec_ip = written.as_ref().map(address_of).transpose()?.flatten();
    // The machine registry stays locked from here until the project is registered.
    let (claim, mut resolved) = claimed_spec(&root, &renderer, written, spec_ip, opts, io)?;
    let facts = claim.facts();
    let mut run = resolved.plan(root, &renderer, opts.force)?;
    if existing.is_none() && !opts.force && run.plan.has_conflicts() {
        (resolved, run) = adopt_existing(resolved, run, &renderer, &facts, io)?;
    }
    let entry = claim.check(&resolved.src, &resolved.model)?;
    let spec_text = resolved.src.text;
    // A spec already as written is no file of the run.
    let spec_plan = match existing {
        Some(text) if text == spec_text => None,
        current => Some(FilePlan::spec(current, spec_text)),
    };
    let applied = apply(run, spec_plan, opts.dry_run, io)?;
    if applied == Applied::Done {
        claim.commit(entry, io)?;
        if !opts.dry_run {
            print_next_steps(&resolved.model, io)?;
        }
    }
    Ok(applied.into())
}

/// The project's address claimed, and its spec: the one `written`, with that address in it,
/// or a new one describing what the directory's files say (`import::describe`).
fn claimed_spec(
    root: &ProjectRoot,
    renderer: &Renderer,
    written: Option<SpecSource>,
    spec_ip: Option<Ipv4Addr>,
    opts: &Options,
    io: &mut Io,
) -> Result<(InitClaim, Resolved)> {
    Ok(match written {
        Some(src) => {
            if opts.name.is_some() || opts.ip.is_some() {
                writeln!(io.err, "note: {SPEC_FILE} exists, so --name and --ip are ignored; edit {SPEC_FILE} to change them")
                .map_err(stream_error)?;
            }
            let claim = InitClaim::begin(root.path(), spec_ip, None, opts.dry_run)?;
            let resolved = with_claimed_ip(src, &claim, &claim.facts())?;
            (claim, resolved)
        }
        None => {
            let name = opts.name.as_deref();
            let described =
                import::describe(root, renderer, name, opts.ip.as_deref(), opts.dry_run)?;
            print_taken(&described.found, io)?;
            let resolved = Resolved::with_facts(&described.spec_text, &described.claim.facts())?;
            if opts.name.is_none() {
                note_derived_name(root.path(), &resolved.model.project.name, io)?;
            }
            (described.claim, resolved)
        }
    })
}

/// Say where the project's name came from when it is not the directory's name as it
/// stands (`Ünïcode` → `unicode`, `My App` → `my-app`), so it is no surprise in host names.
fn note_derived_name(dir: &Path, name: &str, io: &mut Io) -> Result<()> {
    let dir_name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
    match dir_name {
        Some(d) if d != name => writeln!(
            io.err,
            "note: project name `{name}` from the directory name {d:?}; `devgen init --name NAME` picks another"
        )
        .map_err(stream_error),
        _ => Ok(()),
    }
}

/// What to run next; `devgen net --apply` first while this machine does not resolve the
/// project's names yet (once per new project: dnsmasq learns each host from the registry).
fn print_next_steps(model: &Model, io: &mut Io) -> Result<()> {
    let (host, ip) = (&model.project.host, model.project.ip);
    let mut steps = Vec::new();
    if !net::is_set_up_for(Platform::current(), host, ip) {
        let why = format!("once for this project: {host} and postgres.{host} resolve to {ip}");
        steps.push(("sudo devgen net --apply", why));
    }
    steps.push((
        "direnv allow",
        "enter the environment (the first time, Nix builds it)".into(),
    ));
    steps.push((
        "overmind start",
        "PostgreSQL, Phoenix and the rest of the Procfile".into(),
    ));
    if let Some(proxy) = &model.proxy {
        let why = format!(
            "once the proxy runs: this machine trusts https://{host}:{}'s certificates (`devgen doctor` checks it)",
            proxy.port
        );
        steps.push(("caddy-trust", why));
    }
    let width = steps.iter().map(|(cmd, _)| cmd.len()).max().unwrap_or(0);
    let lines: Vec<String> = steps
        .iter()
        .map(|(cmd, why)| format!("  {cmd:<width$}  # {why}"))
        .collect();
    writeln!(io.err, "\nnext:\n{}", lines.join("\n")).map_err(stream_error)
}

/// The spec as the user wrote it, checked before anything else, so that errors point at
/// their lines and not at lines shifted by the ip written in below.
fn checked_as_written(text: &str) -> Result<SpecSource> {
    let src = spec::parse(SPEC_FILE, text)?;
    model::resolve(&src, &Facts::DEFAULT)?;
    Ok(src)
}

/// The address a spec names, if any; with ports isolation, 127.0.0.1 (none is claimed).
fn address_of(src: &SpecSource) -> Result<Option<Ipv4Addr>> {
    let ports = src.spec.project.isolation.as_ref();
    if ports.is_some_and(|i| *i.get_ref() == spec::Isolation::Ports) {
        return Ok(Some(Ipv4Addr::LOCALHOST));
    }
    let Some(ip) = &src.spec.project.ip else {
        return Ok(None);
    };
    parse_loopback_ip(ip.get_ref())
        .map(Some)
        .map_err(Error::Usage)
}

/// The existing spec, with the claimed address written into `[project]` when it names none.
fn with_claimed_ip(src: SpecSource, claim: &InitClaim, facts: &Facts) -> Result<Resolved> {
    if claim.origin == IpOrigin::Spec {
        return Resolved::from_source(src, facts);
    }
    let mut edit = SpecEdit::parse(&src.text)?;
    edit.insert_ip(claim.ip)?;
    Resolved::with_facts(&edit.finish(), facts)
}

/// A repository devgen has not seen: values the user already set in its files (a port, a
/// PostgreSQL version) go into the new devgen.toml rather than into a conflict.
fn adopt_existing(
    resolved: Resolved,
    run: Run,
    renderer: &Renderer,
    facts: &Facts,
    io: &mut Io,
) -> Result<(Resolved, Run)> {
    let adopted = adopt(&resolved.src.text, &run.plan.hand_values())?;
    if adopted.changes.is_empty() {
        return Ok((resolved, run));
    }
    for line in &adopted.changes {
        writeln!(io.err, "  taking from the existing files: {line}").map_err(stream_error)?;
    }
    let resolved = Resolved::with_facts(&adopted.spec_text, facts)?;
    let run = resolved.plan(run.root, renderer, false)?;
    Ok((resolved, run))
}

/// `init` below a project (in its `config/`, say) would make a second project inside the
/// first. A directory with a mix.exs of its own is an app that may well want its own
/// environment, so only a directory without one is refused.
fn refuse_nested_project(root: &ProjectRoot, has_spec: bool) -> Result<()> {
    if has_spec || root.path().join("mix.exs").is_file() {
        return Ok(());
    }
    let Some(parent) = root
        .path()
        .ancestors()
        .skip(1)
        .find(|d| d.join(SPEC_FILE).is_file())
    else {
        return Ok(());
    };
    Err(Error::Usage(format!(
        "{} is inside the devgen project {}; init here would start a second project within it\n  \
         = help: run devgen in {} (or with `-C {}`); to start a project of its own here, give it a mix.exs first",
        root.path().display(),
        parent.display(),
        parent.display(),
        parent.display()
    )))
}
