//! `devgen shared`: the environment of the machine's shared PostgreSQL, which every project
//! with `mode = "shared"` uses. Printed, or with `--write DIR`, that directory brought in line
//! with it the way `sync` keeps a project: merged files patched, hand edits kept.

use std::path::{Path, PathBuf};

use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::Registry;
use crate::model::{self, Facts, DEFAULT_SHARED_POSTGRES};
use crate::output::{stream_error, Io};
use crate::project::{self, apply, find_root, Access, Applied, ProjectRoot, Run, Source};
use crate::reconcile;
use crate::render::Renderer;
use crate::spec::{self, SPEC_FILE};
use crate::targets::shared::{SharedService, TARGET};
use nix_edit::NixDocument;

/// What `devgen shared` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Keep this directory in line with the environment (else print it).
    pub write: Option<PathBuf>,
    /// The shared server's PostgreSQL major version.
    pub postgres: Option<String>,
    pub force: bool,
    pub dry_run: bool,
}

/// `devgen shared`, from `dir` (whose project's databases count even when unregistered).
pub fn shared(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    let service = service(dir, opts, io)?;
    let rendered = Renderer::new().render(TARGET.outputs, &service.context())?;
    let Some(dir) = &opts.write else {
        for r in &rendered {
            writeln!(io.out, "# ==> {} <==\n{}", r.path, r.content).map_err(stream_error)?;
        }
        return Ok(Outcome::Success);
    };
    if !dir.exists() && !opts.dry_run {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("cannot create", dir, e))?;
    }
    let root = ProjectRoot::open(dir)?;
    let _lock = project::open(&root, Access::writing_unless(opts.dry_run), io)?;
    let plan = reconcile::plan(&rendered, &root, opts.force)?;
    let run = Run {
        root,
        source: Source::Shared(dir.to_path_buf()),
        plan,
        ip_note: None,
    };
    let applied = apply(run, None, opts.dry_run, io)?;
    if applied == Applied::Done && !opts.dry_run {
        writeln!(
            io.err,
            "  start it with: cd {} && nix develop --impure --command devenv up",
            dir.display()
        )
        .map_err(stream_error)?;
    }
    Ok(applied.into())
}

/// The shared service as the projects that use it ask for it: at the registry's shared
/// address, with the databases of every registered project in shared mode (and of the
/// project around `dir`, registered or not). A registered project whose spec cannot be read
/// is reported and left out.
fn service(dir: &Path, opts: &Options, io: &mut Io) -> Result<SharedService> {
    // Without --postgres, a written directory keeps the major version it runs: a server
    // does not start on a data directory of a newer major version.
    let kept = match (&opts.postgres, &opts.write) {
        (None, Some(w)) => running_version(w),
        _ => None,
    };
    let postgres = opts.postgres.as_deref().or(kept.as_deref());
    let registry = Registry::load_default();
    let addr = match &registry {
        Ok(reg) => reg.shared_postgres_or_default(),
        Err(_) => DEFAULT_SHARED_POSTGRES,
    };
    let mut service = SharedService::new(addr, postgres)?;
    let mut roots: Vec<PathBuf> = Vec::new();
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
        match shared_databases(&root) {
            Ok(dbs) => service.add_databases(dbs.iter().map(String::as_str)),
            Err(e) => writeln!(
                io.err,
                "warning: leaving out the databases of {}: {e}",
                root.display()
            )
            .map_err(stream_error)?,
        }
    }
    Ok(service)
}

/// The databases of the project at `root` when it is in shared mode (none otherwise).
fn shared_databases(root: &Path) -> Result<Vec<String>> {
    let text = ProjectRoot::open(root)?.read_spec()?;
    let src = spec::parse(SPEC_FILE, &text)?;
    let model = model::resolve(&src, &Facts::DEFAULT)?;
    Ok(if model.postgres.shared {
        model.postgres.databases
    } else {
        Vec::new()
    })
}

/// The PostgreSQL major version the shared directory `dir` already runs.
fn running_version(dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("devenv.nix")).ok()?;
    let doc = NixDocument::parse("devenv.nix", text).ok()?;
    let package = doc
        .get(&"services.postgres.package".parse().ok()?)
        .ok()
        .flatten()?;
    SharedService::version_of(&package).map(str::to_string)
}
