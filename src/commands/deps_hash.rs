//! `devgen deps-hash [MESSAGE]`: take the hash Nix reports for the release's fixed-output
//! dependencies (`hash mismatch in fixed-output derivation '…-mix-deps-app-0.1.0.drv': …
//! got: sha256-…`) back into devgen.toml's `[deploy.nixos]`, then sync, so that
//! nix/package.nix builds. The message comes as an argument or on standard input
//! (`nix build 2>&1 | devgen deps-hash`).

use std::io::{IsTerminal, Read};
use std::path::Path;

use toml_edit::Value;

use super::pipeline::Resolved;
use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::{self, Registry};
use crate::output::{stream_error, Io};
use crate::project::{self, apply, find_root, Access};
use crate::reconcile::{FilePlan, Role, Status};
use crate::render::Renderer;
use crate::spec::edit::{Setting, SpecEdit};
use crate::spec::rules::is_sri_sha256;
use crate::spec::SPEC_FILE;

/// Which of the release's dependency sets a hash is of: the key of `[deploy.nixos]` that
/// keeps it, and the derivation name nix/package.nix gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deps {
    Mix,
    Frontend,
}

impl Deps {
    pub fn key(self) -> &'static str {
        match self {
            Deps::Mix => "mix_deps_hash",
            Deps::Frontend => "frontend_deps_hash",
        }
    }

    /// The set a derivation is of, by the names nix/package.nix gives them:
    /// `mix-deps-<app>-<version>`, `<app>-frontend-deps-<version>`.
    fn of_derivation(drv: &str) -> Option<Deps> {
        let name = drv.rsplit('/').next().unwrap_or(drv);
        let name = name.split_once('-').map_or(name, |(_, rest)| rest);
        if name.starts_with("mix-deps-") {
            Some(Deps::Mix)
        } else if name.contains("-frontend-deps-") {
            Some(Deps::Frontend)
        } else {
            None
        }
    }
}

/// Each hash a Nix message reports, with the dependency set it is of. A `got:` with no
/// derivation named before it is the Mix dependencies' when `frontend` is false (there is
/// no other), else an error: the whole message names it.
pub fn reported_hashes(message: &str, frontend: bool) -> Result<Vec<(Deps, String)>> {
    let mut found: Vec<(Deps, String)> = Vec::new();
    let mut derivation: Option<&str> = None;
    for line in message.lines().map(str::trim) {
        if let Some(rest) = line.split("fixed-output derivation '").nth(1) {
            derivation = rest.split('\'').next();
            continue;
        }
        let Some(got) = line.strip_prefix("got:").map(str::trim) else {
            continue;
        };
        if !is_sri_sha256(got) {
            return Err(Error::Usage(format!(
                "Nix reported {got:?}, not a sha256-… hash\n  = help: run the build with a Nix of 2.4 or later, which reports hashes as sha256-…"
            )));
        }
        let deps = match derivation {
            Some(drv) => Deps::of_derivation(drv).ok_or_else(|| {
                Error::Usage(format!(
                    "the hash Nix reported is of {drv}, not of the release's dependencies\n  = help: give devgen deps-hash the message of `nix build` on nix/package.nix (packages.<system>.default)"
                ))
            })?,
            None if !frontend => Deps::Mix,
            None => {
                return Err(Error::Usage(
                    "the message says which derivation the hash is of on the line before `got:`, and that line is missing\n  = help: give the whole message: nix build 2>&1 | devgen deps-hash".into(),
                ))
            }
        };
        found.retain(|(d, _)| *d != deps);
        found.push((deps, got.to_string()));
        derivation = None;
    }
    if found.is_empty() {
        return Err(Error::Usage(
            "no hash in the message: Nix reports one as `hash mismatch in fixed-output derivation '…': specified: … got: sha256-…`\n  = help: run `nix build` and give its whole output: nix build 2>&1 | devgen deps-hash".into(),
        ));
    }
    Ok(found)
}

/// The message: the argument, else standard input (not a terminal: nothing would come).
fn message(given: Option<&str>) -> Result<String> {
    if let Some(m) = given {
        return Ok(m.to_string());
    }
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Error::Usage(
            "give Nix's message as an argument or on standard input\n  = help: nix build 2>&1 | devgen deps-hash".into(),
        ));
    }
    let mut text = String::new();
    stdin
        .read_to_string(&mut text)
        .map_err(|e| Error::Usage(format!("cannot read standard input: {e}")))?;
    Ok(text)
}

/// `devgen deps-hash` in the project around `dir`.
pub fn deps_hash(dir: &Path, given: Option<&str>, dry_run: bool, io: &mut Io) -> Result<Outcome> {
    let text = message(given)?;
    let root = find_root(dir)?;
    let _lock = project::open(&root, Access::writing_unless(dry_run), io)?;
    let spec_text = root.read_spec()?;
    let mut registry = Registry::load_default();
    let before = Resolved::from_registry(root.path(), &spec_text, registry.as_ref())?;
    if before
        .model
        .deploy
        .as_ref()
        .is_none_or(|d| d.nixos.is_none())
    {
        return Err(Error::Usage(format!(
            "{SPEC_FILE} has no [deploy.nixos]: there is no release package to take a hash for\n  = help: add [deploy.nixos] (and [deploy] host), run devgen sync, then nix build"
        )));
    }
    let mut edit = SpecEdit::parse(&spec_text)?;
    for (deps, hash) in reported_hashes(&text, before.model.frontend.is_some())? {
        writeln!(io.err, "  [deploy.nixos] {} = \"{hash}\"", deps.key()).map_err(stream_error)?;
        edit.set(&Setting::new(
            "deploy.nixos",
            deps.key(),
            Some(Value::from(hash)),
        ));
    }
    let new_spec = edit.finish();
    let resolved = Resolved::from_registry(root.path(), &new_spec, registry.as_ref())?;
    if let Ok(reg) = &mut registry {
        registry::follow(
            reg,
            root.path(),
            &resolved.src,
            &resolved.model,
            dry_run,
            io,
        )?;
    }
    let run = resolved.plan(root, &Renderer::new(), false)?;
    let spec_plan = FilePlan {
        status: if new_spec == spec_text {
            Status::InSync
        } else {
            Status::Drift
        },
        ..FilePlan::new(SPEC_FILE, Role::Spec, Some(spec_text), new_spec)
    };
    Ok(apply(run, Some(spec_plan), dry_run, io)?.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOT: &str = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    fn nix_message(drv: &str) -> String {
        format!(
            "error: hash mismatch in fixed-output derivation '/nix/store/0123abcd-{drv}.drv':\n         specified: sha256-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n            got:    {GOT}\n"
        )
    }

    #[test]
    fn the_hash_goes_to_the_dependency_set_its_derivation_names() {
        assert_eq!(
            reported_hashes(&nix_message("mix-deps-haven-0.1.0"), true).unwrap(),
            vec![(Deps::Mix, GOT.to_string())]
        );
        assert_eq!(
            reported_hashes(&nix_message("haven-frontend-deps-0.1.0"), true).unwrap(),
            vec![(Deps::Frontend, GOT.to_string())]
        );
    }

    #[test]
    fn a_bare_got_line_is_the_mix_hash_only_without_a_frontend() {
        let bare = format!("got:    {GOT}");
        assert_eq!(
            reported_hashes(&bare, false).unwrap(),
            vec![(Deps::Mix, GOT.to_string())]
        );
        assert!(reported_hashes(&bare, true).is_err());
    }

    #[test]
    fn other_derivations_messages_without_hashes_and_old_hash_forms_are_refused() {
        assert!(reported_hashes(&nix_message("source"), false).is_err());
        assert!(reported_hashes("error: builder failed", false).is_err());
        let nix32 = "got:    sha256:0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73";
        assert!(reported_hashes(nix32, false).is_err());
    }
}
