//! The commands: run the pipeline (spec → model → outputs → plan) and then print the plan
//! as a diff (`diff`, `--dry-run`) or write it (`sync`, `init`).
//!
//! A run writes all of its plan or none of it: with any conflict (and no `--force`) nothing
//! is written. Files whose content is already right are not touched, so a second `sync`
//! changes no byte and no mtime.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::adopt;
use crate::diff;
use crate::error::{Error, Result};
use crate::fsys::ProjectRoot;
use crate::init::{self, InitOptions};
use crate::lock::{Lock, LOCK_FILE};
use crate::model;
use crate::outputs::{Rendered, Renderer, DEV_TARGET};
use crate::reconcile::{self, FilePlan, Plan, Status};
use crate::registry;
use crate::shared::{SharedService, SHARED_TARGET};
use crate::spec::{self, SPEC_FILE};

/// Exit codes; part of the contract.
pub mod exit {
    pub const IN_SYNC: i32 = 0;
    pub const DRIFT: i32 = 1;
    pub const ERROR: i32 = 2;
    pub const CONFLICT: i32 = 3;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

/// Where a command prints: `out` for diffs and data, `err` for progress and reports.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

/// The project root for `sync` and `diff`: `dir` or the nearest parent with a devgen.toml.
pub fn find_root(dir: &Path) -> Result<ProjectRoot> {
    let start = ProjectRoot::open(dir)?;
    let mut cur: Option<&Path> = Some(start.path());
    while let Some(d) = cur {
        if d.join(SPEC_FILE).is_file() {
            return ProjectRoot::open(d);
        }
        cur = d.parent();
    }
    Err(Error::Usage(format!(
        "no {SPEC_FILE} in {} or any directory above it\n  = help: run `devgen init` in the project directory to create one",
        start.path().display()
    )))
}

/// What a run's outputs are rendered from, for messages and the commands they suggest.
enum Source {
    /// A project's devgen.toml.
    Spec,
    /// The shared service's settings, written into this directory.
    Shared(std::path::PathBuf),
}

impl Source {
    fn name(&self) -> &'static str {
        match self {
            Source::Spec => SPEC_FILE,
            Source::Shared(_) => "the shared service's settings",
        }
    }

    /// The command that replaces hand edits with devgen's version.
    fn force_command(&self) -> String {
        match self {
            Source::Spec => "devgen sync --force".to_string(),
            Source::Shared(dir) => format!("devgen shared --write {} --force", dir.display()),
        }
    }
}

/// Everything a run knows once the pipeline has run.
struct Run {
    root: ProjectRoot,
    source: Source,
    /// The plan for every output, then for devgen.lock itself.
    plan: Plan,
    /// There was no devgen.lock.
    lock_missing: bool,
    /// How a spec without `ip` got its address (from the machine registry, or not).
    ip_note: Option<String>,
}

/// Run the pipeline on `spec_text` for the project at `root`.
fn run_pipeline(
    root: ProjectRoot,
    renderer: &Renderer,
    spec_text: &str,
    force: bool,
) -> Result<Run> {
    let source = spec::parse(SPEC_FILE, spec_text)?;
    let (model, ip_note) = registry::resolve_model(root.path(), &source)?;
    let rendered = renderer.render(DEV_TARGET, &model)?;
    let mut run = plan_outputs(root, &rendered, force)?;
    run.ip_note = ip_note;
    Ok(run)
}

/// Reconcile rendered outputs with the files under `root` and its lock.
fn plan_outputs(root: ProjectRoot, rendered: &[Rendered], force: bool) -> Result<Run> {
    let lock_text = root.read(LOCK_FILE)?;
    let lock = match &lock_text {
        Some(text) => Lock::parse(text)?,
        None => Lock::new(),
    };
    let mut plan = reconcile::plan(rendered, &root, &lock, force)?;
    // The lock is planned like any file, so that `diff` reports exactly what `sync` writes.
    let new_lock = plan.lock(&lock).render();
    plan.files.push(FilePlan {
        status: match &lock_text {
            None => Status::Missing,
            Some(t) if *t == new_lock => Status::InSync,
            Some(_) => Status::Drift,
        },
        ..FilePlan::new(LOCK_FILE, "lock", lock_text.clone(), new_lock)
    });
    Ok(Run {
        root,
        source: Source::Spec,
        plan,
        lock_missing: lock_text.is_none(),
        ip_note: None,
    })
}

fn read_spec(root: &ProjectRoot) -> Result<String> {
    root.read(SPEC_FILE)?.ok_or_else(|| {
        Error::Usage(format!(
            "{SPEC_FILE} disappeared from {}",
            root.path().display()
        ))
    })
}

/// `devgen diff`: print what `sync` would change; write nothing.
pub fn diff(dir: &Path, quiet: bool, format: Format, io: &mut Io) -> Result<i32> {
    let run = find_root(dir).and_then(|root| {
        let spec_text = read_spec(&root)?;
        let run = run_pipeline(root, &Renderer::new(), &spec_text, false)?;
        fail_closed_without_lock(&run)?;
        Ok(run)
    });
    let run = match run {
        Ok(run) => run,
        // A tool reading JSON gets JSON for an error too; the message also goes to stderr.
        Err(e) if format == Format::Json && !quiet => {
            let report = serde_json::json!({
                "status": "error",
                "exit_code": exit::ERROR,
                "error": crate::diff::plain(&e.to_string()),
                "files": [],
            });
            serde_json::to_writer_pretty(&mut *io.out, &report)
                .map_err(std::io::Error::from)
                .map_err(out_err)?;
            writeln!(io.out).map_err(out_err)?;
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    let code = exit_code(&run.plan);
    if quiet {
        return Ok(code);
    }
    match format {
        Format::Json => {
            let report = JsonReport::new(&run.plan, code);
            serde_json::to_writer_pretty(&mut *io.out, &report)
                .map_err(std::io::Error::from)
                .map_err(out_err)?;
            writeln!(io.out).map_err(out_err)?;
        }
        Format::Text => {
            print_ip_note(&run, io)?;
            print_diffs(&run.plan, &run.source, io)?;
            writeln!(io.err, "{}", summary(&run.plan, &run.source)).map_err(out_err)?;
        }
    }
    Ok(code)
}

/// Without the lock devgen cannot tell its own values from hand edits, so `diff` must not
/// vouch for files it finds on disk. (With no output on disk yet there is nothing to vouch
/// for: everything is reported missing.)
fn fail_closed_without_lock(run: &Run) -> Result<()> {
    let existing: Vec<&str> = run
        .plan
        .files
        .iter()
        .filter(|f| f.current.is_some() && f.path != LOCK_FILE)
        .map(|f| f.path.as_str())
        .collect();
    if run.lock_missing && !existing.is_empty() {
        return Err(Error::Usage(format!(
            "{LOCK_FILE} is missing, so devgen cannot tell what it wrote in {} from hand edits\n  \
             = help: if devgen has not run here yet, `devgen init --dry-run` shows what it would change, \
             and `devgen init` does it\n          \
             if {LOCK_FILE} was deleted, restore it (`git checkout -- {LOCK_FILE}`), or run `devgen sync` \
             to take the files over and record them",
            existing.join(", ")
        )));
    }
    Ok(())
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

/// `devgen sync`: bring the files in line with the spec. With `adopt`, values changed by
/// hand in merged files are first written back into devgen.toml.
pub fn sync(dir: &Path, force: bool, adopt: bool, dry_run: bool, io: &mut Io) -> Result<i32> {
    let root = find_root(dir)?;
    let spec_text = read_spec(&root)?;
    registry::follow_spec(&root, &spec_text, dry_run, io)?;
    let renderer = Renderer::new();
    let run = run_pipeline(root, &renderer, &spec_text, force)?;
    if adopt && run.plan.has_conflicts() {
        return adopt_then_apply(run, &renderer, &spec_text, dry_run, io);
    }
    apply(run, None, dry_run, io)
}

/// (file, attribute path, value) of every value in conflict that the file holds.
fn hand_values(plan: &Plan) -> Vec<(String, String, String)> {
    plan.conflicts()
        .flat_map(|f| {
            f.hand_values
                .iter()
                .map(|(p, v)| (f.path.clone(), p.clone(), v.clone()))
        })
        .collect()
}

fn adopt_then_apply(
    run: Run,
    renderer: &Renderer,
    spec_text: &str,
    dry_run: bool,
    io: &mut Io,
) -> Result<i32> {
    let adopted = adopt::adopt(spec_text, &hand_values(&run.plan))?;
    for line in &adopted.refused {
        writeln!(
            io.err,
            "note: cannot adopt {line}: devgen.toml has no key that says it"
        )
        .map_err(out_err)?;
    }
    if adopted.changes.is_empty() {
        return apply(run, None, dry_run, io);
    }
    for line in &adopted.changes {
        writeln!(io.err, "  adopting {line}").map_err(out_err)?;
    }
    // The adopted spec claims its address and ports like any spec: a collision stops here,
    // before anything is written.
    registry::follow_spec(&run.root, &adopted.spec_text, dry_run, io)?;
    let rerun = run_pipeline(run.root, renderer, &adopted.spec_text, false)?;
    let spec_plan = FilePlan {
        status: Status::Drift,
        ..FilePlan::new(
            SPEC_FILE,
            "spec",
            Some(spec_text.to_string()),
            adopted.spec_text.clone(),
        )
    };
    apply(rerun, Some(spec_plan), dry_run, io)
}

/// `devgen init`: create devgen.toml when missing, then sync.
pub fn init(
    dir: &Path,
    opts: &InitOptions,
    force: bool,
    dry_run: bool,
    io: &mut Io,
) -> Result<i32> {
    if dir.exists() {
        return init_in(dir, opts, force, dry_run, io);
    }
    if dry_run {
        return Err(Error::Usage(format!(
            "{} does not exist\n  = help: run `devgen init` without --dry-run to create it",
            dir.display()
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    let result = init_in(dir, opts, force, dry_run, io);
    if !matches!(result, Ok(exit::IN_SYNC)) {
        // Leave no trace of a failed init: the directory it made goes again while empty.
        let _ = std::fs::remove_dir(dir);
    }
    result
}

fn init_in(dir: &Path, opts: &InitOptions, force: bool, dry_run: bool, io: &mut Io) -> Result<i32> {
    let root = ProjectRoot::open(dir)?;
    let renderer = Renderer::new();
    let existing = root.read(SPEC_FILE)?;
    refuse_nested_project(&root, existing.is_some())?;
    // The machine registry stays locked from here until the project is registered.
    let claim =
        registry::InitClaim::begin(&root, existing.as_deref(), opts.ip.as_deref(), dry_run)?;
    let spec_text = match &existing {
        Some(text) => {
            if opts.name.is_some() || opts.ip.is_some() {
                writeln!(io.err, "note: {SPEC_FILE} exists, so --name and --ip are ignored; edit {SPEC_FILE} to change them")
                    .map_err(out_err)?;
            }
            claim.spec_with_ip(text)?
        }
        None => {
            let opts = InitOptions {
                ip: Some(claim.ip.to_string()),
                ..opts.clone()
            };
            init::first_spec(&root, &renderer, &opts)?
        }
    };
    let mut run = run_pipeline(root, &renderer, &spec_text, force)?;
    let mut spec_text = spec_text;
    // A repository devgen has not seen: values the user already set in devenv.nix (a port,
    // a PostgreSQL version) go into the new devgen.toml rather than into a conflict.
    if existing.is_none() && !force && run.plan.has_conflicts() {
        let adopted = adopt::adopt(&spec_text, &hand_values(&run.plan))?;
        if !adopted.changes.is_empty() {
            for line in &adopted.changes {
                writeln!(io.err, "  taking from the existing files: {line}").map_err(out_err)?;
            }
            run = run_pipeline(run.root, &renderer, &adopted.spec_text, force)?;
            spec_text = adopted.spec_text;
        }
    }
    let entry = claim.check(&spec_text)?;
    let spec_plan = match existing {
        None => Some(FilePlan::new(SPEC_FILE, "spec", None, spec_text.clone())),
        Some(text) if text != spec_text => Some(FilePlan {
            status: Status::Drift,
            ..FilePlan::new(SPEC_FILE, "spec", Some(text), spec_text.clone())
        }),
        Some(_) => None,
    };
    let code = apply(run, spec_plan, dry_run, io)?;
    if code == exit::IN_SYNC {
        claim.commit(entry, io)?;
    }
    if code == exit::IN_SYNC && !dry_run {
        writeln!(
            io.err,
            "\nnext:\n  direnv allow      # enter the environment (the first time, Nix builds it)\n  \
             overmind start    # PostgreSQL, Phoenix and the rest of the Procfile"
        )
        .map_err(out_err)?;
    }
    Ok(code)
}

/// Write the plan (or with `dry_run`, show it). All or nothing: any conflict writes nothing.
fn apply(mut run: Run, spec_plan: Option<FilePlan>, dry_run: bool, io: &mut Io) -> Result<i32> {
    if let Some(sp) = spec_plan {
        run.plan.files.insert(0, sp);
    }
    print_ip_note(&run, io)?;
    let plan = &run.plan;
    if plan.has_conflicts() {
        print_diffs(plan, &run.source, io)?;
        report_conflicts(plan, &run.source, io)?;
        return Ok(exit::CONFLICT);
    }
    if dry_run {
        print_diffs(plan, &run.source, io)?;
        writeln!(
            io.err,
            "{} (dry run: nothing written)",
            summary(plan, &run.source)
        )
        .map_err(out_err)?;
        return Ok(exit::IN_SYNC);
    }
    report_taken_over(plan, io)?;
    warn_uncommitted(&run.root, plan, io)?;
    let mut written = 0;
    for f in plan.files.iter().filter(|f| f.changes()) {
        if f.current.as_deref() == Some(f.desired.as_str()) {
            run.root.set_executable(&f.path)?;
        } else {
            run.root.write(&f.path, &f.desired, f.executable)?;
        }
        let verb = if f.current.is_none() {
            "created"
        } else {
            "updated"
        };
        writeln!(io.err, "  {verb} {}", f.path).map_err(out_err)?;
        written += 1;
    }
    let total = plan.files.len();
    let source = run.source.name();
    if written == 0 {
        writeln!(io.err, "devgen: all {total} files already match {source}").map_err(out_err)?;
    } else {
        writeln!(
            io.err,
            "devgen: wrote {written} of {total} files from {source}"
        )
        .map_err(out_err)?;
    }
    Ok(exit::IN_SYNC)
}

/// Say what devgen took over: parts of merged files that were already as devgen would write
/// them, with no record of devgen writing them (a repository devgen has not seen).
fn report_taken_over(plan: &Plan, io: &mut Io) -> Result<()> {
    for f in plan.files.iter().filter(|f| !f.taken_over.is_empty()) {
        writeln!(
            io.err,
            "  {}: devgen manages from now on what was already there: {}",
            f.path,
            f.taken_over.join(", ")
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// Warn before changing files that have uncommitted changes in git, so that the user
/// knows `git diff` will show their edits and devgen's mixed. Not in a git repository, or
/// without git, there is nothing to warn about.
fn warn_uncommitted(root: &ProjectRoot, plan: &Plan, io: &mut Io) -> Result<()> {
    let touched: Vec<&str> = plan
        .files
        .iter()
        .filter(|f| f.changes() && f.current.is_some())
        .map(|f| f.path.as_str())
        .collect();
    if touched.is_empty() {
        return Ok(());
    }
    let Ok(out) = std::process::Command::new("git")
        .arg("-C")
        .arg(root.path())
        .args(["status", "--porcelain=v1", "-z", "--"])
        .args(&touched)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
    else {
        return Ok(());
    };
    if !out.status.success() {
        return Ok(());
    }
    // `XY path` entries; a rename or copy is followed by an entry holding the old path.
    let listing = String::from_utf8_lossy(&out.stdout);
    let mut entries = listing.split('\0');
    let mut dirty: Vec<String> = Vec::new();
    while let Some(e) = entries.next() {
        if e.starts_with('R') || e.starts_with('C') {
            entries.next();
        }
        if let (false, Some(path)) = (e.starts_with("??"), e.get(3..).filter(|p| !p.is_empty())) {
            dirty.push(path.to_string());
        }
    }
    if !dirty.is_empty() {
        writeln!(
            io.err,
            "warning: uncommitted changes in {}; devgen changes them now, so `git diff` will show your edits and devgen's together\n  \
             = help: commit or stash first to review devgen's changes on their own",
            dirty.join(", ")
        )
        .map_err(out_err)?;
    }
    Ok(())
}

fn print_ip_note(run: &Run, io: &mut Io) -> Result<()> {
    if let Some(note) = &run.ip_note {
        writeln!(io.err, "{note}").map_err(out_err)?;
    }
    Ok(())
}

/// `devgen shared`: the environment of the machine's shared PostgreSQL. Printed, or with
/// `write`, that directory brought in line with it the way `sync` does a project's.
pub fn shared(
    service: &SharedService,
    write: Option<&Path>,
    force: bool,
    dry_run: bool,
    io: &mut Io,
) -> Result<i32> {
    let rendered = Renderer::new().render(SHARED_TARGET, service)?;
    let Some(dir) = write else {
        for r in &rendered {
            writeln!(io.out, "# ==> {} <==\n{}", r.decl.path, r.content).map_err(out_err)?;
        }
        return Ok(exit::IN_SYNC);
    };
    if !dir.exists() && !dry_run {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    let mut run = plan_outputs(ProjectRoot::open(dir)?, &rendered, force)?;
    run.source = Source::Shared(dir.to_path_buf());
    let code = apply(run, None, dry_run, io)?;
    if code == exit::IN_SYNC && !dry_run {
        writeln!(
            io.err,
            "  start it with: cd {} && nix develop --impure --command devenv up",
            dir.display()
        )
        .map_err(out_err)?;
    }
    Ok(code)
}

/// The shared service as the projects that use it ask for it: at the registry's shared
/// address, with the databases of every registered project in shared mode (and of the
/// project at `dir`, registered or not). A registered project whose spec cannot be read is
/// reported and left out.
pub fn shared_service(
    dir: &Path,
    postgres: Option<&str>,
    write: Option<&Path>,
    io: &mut Io,
) -> Result<SharedService> {
    // Without --postgres, a written directory keeps the major version it runs: a server
    // does not start on a data directory of a newer major version.
    let kept = match (postgres, write) {
        (None, Some(w)) => std::fs::read_to_string(w.join("devenv.nix"))
            .ok()
            .and_then(|text| crate::nix_edit::NixDocument::parse("devenv.nix", text).ok())
            .and_then(|doc| {
                doc.get(&"services.postgres.package".parse().ok()?)
                    .ok()
                    .flatten()
            })
            .and_then(|p| p.strip_prefix("pkgs.postgresql_").map(str::to_string)),
        _ => None,
    };
    let postgres = postgres.or(kept.as_deref());
    let registry =
        crate::registry::default_path().and_then(|p| crate::registry::Registry::load(&p));
    let addr = match &registry {
        Ok(reg) => reg.shared_postgres_or_default(),
        Err(_) => crate::registry::DEFAULT_SHARED_POSTGRES,
    };
    let mut service = SharedService::new(*addr.ip(), addr.port(), postgres)?;
    let mut roots: Vec<std::path::PathBuf> = Vec::new();
    if let Ok(reg) = &registry {
        roots.extend(
            reg.entries()
                .iter()
                .filter(|e| e.ports.postgres.is_none() && e.worktree_of.is_none())
                .map(|e| e.root.clone()),
        );
    }
    if let Ok(root) = find_root(dir) {
        if !roots.iter().any(|r| r == root.path()) {
            roots.push(root.path().to_path_buf());
        }
    }
    for root in roots {
        let databases = ProjectRoot::open(&root)
            .and_then(|r| read_spec(&r))
            .and_then(|text| Ok(spec::parse(SPEC_FILE, &text)?))
            .and_then(|source| Ok(model::resolve(&source)?));
        match databases {
            Ok(m) if m.postgres.shared => {
                service.add_databases(m.postgres.databases.iter().map(String::as_str))
            }
            Ok(_) => {}
            Err(e) => writeln!(
                io.err,
                "warning: leaving out the databases of {}: {e}",
                root.display()
            )
            .map_err(out_err)?,
        }
    }
    Ok(service)
}

fn exit_code(plan: &Plan) -> i32 {
    if plan.has_conflicts() {
        exit::CONFLICT
    } else if plan.is_in_sync() {
        exit::IN_SYNC
    } else {
        exit::DRIFT
    }
}

fn print_diffs(plan: &Plan, source: &Source, io: &mut Io) -> Result<()> {
    for f in plan.files.iter().filter(|f| f.reported()) {
        if let Status::Conflict(why) = &f.status {
            let why = why.replace('\n', "\n#   ");
            writeln!(io.out, "# conflict: {}: {why}", f.path).map_err(out_err)?;
            if f.forced.is_some() {
                writeln!(
                    io.out,
                    "# (+ lines: devgen's version, which `{}` writes)",
                    source.force_command()
                )
                .map_err(out_err)?;
            }
        }
        if f.current.as_deref() == Some(f.shown()) && !f.needs_exec_bit {
            continue;
        }
        if f.current.as_deref() == Some(f.desired.as_str()) && f.forced.is_none() {
            writeln!(
                io.out,
                "# {}: not executable; devgen will add the execute bits",
                f.path
            )
            .map_err(out_err)?;
            continue;
        }
        write!(
            io.out,
            "{}",
            diff::unified(&f.path, f.current.as_deref(), f.shown())
        )
        .map_err(out_err)?;
    }
    Ok(())
}

fn report_conflicts(plan: &Plan, source: &Source, io: &mut Io) -> Result<()> {
    let n = plan.conflicts().count();
    writeln!(
        io.err,
        "error: {n} file{} changed by hand; nothing was written",
        if n == 1 { "" } else { "s" }
    )
    .map_err(out_err)?;
    for f in plan.conflicts() {
        if let Status::Conflict(why) = &f.status {
            let why = why.replace('\n', "\n    ");
            writeln!(io.err, "  {} ({}): {why}", f.path, f.ownership).map_err(out_err)?;
        }
    }
    let force = source.force_command();
    let help = match source {
        Source::Spec => format!(
            "the diff above shows devgen's version against yours. Carry your change into {SPEC_FILE}\n\
             \x20         if it can be said there, or run `{force}` to replace the files with devgen's\n\
             \x20         version (your changes shown above are then lost)"
        ),
        Source::Shared(_) => format!(
            "the diff above shows devgen's version against yours; run `{force}` to replace\n\
             \x20         the files with devgen's version (your changes shown above are then lost)"
        ),
    };
    writeln!(io.err, "  = help: {help}").map_err(out_err)?;
    if matches!(source, Source::Spec) && plan.conflicts().any(|f| !f.hand_values.is_empty()) {
        writeln!(
            io.err,
            "  = help: `devgen sync --adopt` writes the values changed by hand into {SPEC_FILE} (keeping its\n\
             \x20         comments) where a key of {SPEC_FILE} says them, then syncs"
        )
        .map_err(out_err)?;
    }
    Ok(())
}

/// One line saying how the files stand.
fn summary(plan: &Plan, source: &Source) -> String {
    let source = source.name();
    let count = |s: &str| {
        plan.files
            .iter()
            .filter(|f| f.reported() && f.status.name() == s)
            .count()
    };
    let total = plan.files.len();
    let (missing, drift, conflict) = (count("missing"), count("drift"), count("conflict"));
    if missing + drift + conflict == 0 {
        return format!("devgen: all {total} files in sync with {source}");
    }
    let mut parts = Vec::new();
    for (n, what) in [
        (missing, "to create"),
        (drift, "to update"),
        (conflict, "in conflict"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!(
        "devgen: {} of {total} files differ from {source}",
        parts.join(", ")
    )
}

fn out_err(e: std::io::Error) -> Error {
    Error::io("cannot write to", Path::new("the output"), e)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    status: &'static str,
    exit_code: i32,
    files: Vec<JsonFile<'a>>,
}

#[derive(Serialize)]
struct JsonFile<'a> {
    path: &'a str,
    mode: &'a str,
    status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
    diff: String,
}

impl<'a> JsonReport<'a> {
    fn new(plan: &'a Plan, code: i32) -> Self {
        let status = match code {
            exit::IN_SYNC => "in-sync",
            exit::CONFLICT => "conflict",
            _ => "drift",
        };
        let files = plan
            .files
            .iter()
            .map(|f| JsonFile {
                path: &f.path,
                mode: f.ownership,
                status: if f.reported() {
                    f.status.name()
                } else {
                    "in-sync"
                },
                reason: match &f.status {
                    Status::Conflict(why) => Some(why),
                    _ => None,
                },
                diff: if f.reported() && f.current.as_deref() != Some(f.shown()) {
                    diff::plain(&diff::unified(&f.path, f.current.as_deref(), f.shown()))
                } else {
                    String::new()
                },
            })
            .collect();
        JsonReport {
            status,
            exit_code: code,
            files,
        }
    }
}

/// What `devgen nix` does to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NixOp {
    Get,
    Set,
    Add,
    Remove,
    Delete,
}

/// How `devgen nix` reports an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NixOutput {
    /// The whole new file on stdout.
    Print,
    /// A unified diff on stdout.
    Diff,
    /// Write the file back, atomically.
    InPlace,
}

/// `devgen nix OP FILE PATH [EXPR]`: the Nix editor on its own.
pub fn nix(
    dir: &Path,
    op: NixOp,
    file: &Path,
    path: &str,
    expr: Option<&str>,
    output: NixOutput,
    io: &mut Io,
) -> Result<i32> {
    use crate::nix_edit::{AttrPath, NixDocument};

    let full = dir.join(file);
    let shown = file.display().to_string();
    let text = std::fs::read_to_string(&full).map_err(|e| Error::io("cannot read", file, e))?;
    let attr_path: AttrPath = path
        .parse()
        .map_err(|e| Error::Usage(format!("bad attribute path {e}\n  = help: write names joined by dots, quoting a name that contains dots: env.\"MY.VAR\"")))?;
    let mut doc = NixDocument::parse(shown.clone(), text.clone())?;
    let expr = || expr.ok_or_else(|| Error::Usage(format!("{op:?} needs an EXPR after the path")));
    let changed = match op {
        NixOp::Get => {
            return match doc.get(&attr_path)? {
                Some(value) => {
                    writeln!(io.out, "{value}").map_err(out_err)?;
                    Ok(0)
                }
                None => Err(Error::Usage(format!(
                    "`{attr_path}` is not set in {shown}\n  = help: `devgen nix set {shown} {path} EXPR` binds it"
                ))),
            };
        }
        NixOp::Set => doc.set(&attr_path, expr()?)?,
        NixOp::Add => doc.add(&attr_path, expr()?)?,
        NixOp::Remove => doc.remove(&attr_path, expr()?)?,
        NixOp::Delete => doc.delete(&attr_path)?,
    };
    match output {
        NixOutput::Print => write!(io.out, "{}", doc.text()).map_err(out_err)?,
        NixOutput::Diff => {
            if changed {
                write!(io.out, "{}", diff::unified(&shown, Some(&text), doc.text()))
                    .map_err(out_err)?;
            }
        }
        NixOutput::InPlace => {
            if changed {
                let parent = full
                    .parent()
                    .filter(|p| !p.as_os_str().is_empty())
                    .unwrap_or(Path::new("."));
                let name = full.file_name().and_then(|n| n.to_str()).ok_or_else(|| {
                    Error::Usage(format!("{shown}: not a file name devgen can write"))
                })?;
                ProjectRoot::open(parent)?.write(name, doc.text(), false)?;
            }
        }
    }
    if !changed {
        writeln!(io.err, "{shown}: already as asked; nothing changed").map_err(out_err)?;
    }
    // The process ends right after this: freeing a large tree node by node is wasted time.
    std::mem::forget(doc);
    Ok(0)
}
