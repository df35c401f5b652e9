//! `devgen deps-hash [MESSAGE]`: take the hash Nix reports for the release's fixed-output
//! dependencies (`hash mismatch in fixed-output derivation '…-mix-deps-app-0.1.0.drv': …
//! got: sha256-…`) back into devgen.toml's `[deploy.nixos]`, then sync, so that
//! nix/package.nix builds. The message comes as an argument or on standard input
//! (`nix build 2>&1 | devgen deps-hash`).

use std::io::{IsTerminal, Read};
use std::path::Path;

use toml_edit::Value;

use super::pipeline::Resolved;
use super::sync::apply_spec_change;
use super::Outcome;
use crate::error::{Error, Result};
use crate::machine::registry::Registry;
use crate::output::{stream_error, Io};
use crate::project::{self, find_root, Access};
use crate::render::Renderer;
use crate::spec::edit::{Setting, SpecEdit};
use crate::spec::rules::{is_sri_sha256, NIX_SYSTEMS};
use crate::spec::SPEC_FILE;

/// Which of the release's dependency sets a hash is of, by the names nix/package.nix gives
/// their derivations: `mix-deps-<app>-<version>`, `<app>-frontend-deps-<system>-<version>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deps {
    Mix,
    /// The frontend's packages as installed on a system.
    Frontend(String),
}

impl Deps {
    /// Where devgen.toml keeps the hash: a section and a key of it.
    pub fn setting(&self) -> (&'static str, &str) {
        match self {
            Deps::Mix => ("deploy.nixos", "mix_deps_hash"),
            Deps::Frontend(system) => ("deploy.nixos.frontend_deps_hash", system),
        }
    }

    fn of_derivation(drv: &str) -> Option<Deps> {
        let name = drv.rsplit('/').next().unwrap_or(drv);
        let name = name.split_once('-').map_or(name, |(_, rest)| rest);
        if name.starts_with("mix-deps-") {
            return Some(Deps::Mix);
        }
        let (_, rest) = name.split_once("-frontend-deps-")?;
        NIX_SYSTEMS
            .iter()
            .find(|s| rest.starts_with(&format!("{s}-")))
            .map(|s| Deps::Frontend(s.to_string()))
    }
}

/// Each hash a Nix message reports, with the dependency set it is of, read word by word
/// (Nix breaks the message over lines; a copy may have it on one). A `got:` with no
/// derivation named before it is the Mix dependencies' when `frontend` is false (there is
/// no other), else an error: the whole message names it.
pub fn reported_hashes(message: &str, frontend: bool) -> Result<Vec<(Deps, String)>> {
    let mut found: Vec<(Deps, String)> = Vec::new();
    let mut derivation: Option<String> = None;
    let mut words = message.split_whitespace().peekable();
    while let Some(word) = words.next() {
        if word == "derivation" {
            if let Some(drv) = words.peek().filter(|w| w.starts_with('\'')) {
                derivation = Some(drv.trim_matches(|c| c == '\'' || c == ':').to_string());
            }
            continue;
        }
        if word != "got:" {
            continue;
        }
        let got = words.next().unwrap_or_default();
        if !is_sri_sha256(got) {
            return Err(Error::Usage(format!(
                "Nix reported {got:?}, not a sha256-… hash\n  = help: run the build with a Nix of 2.4 or later, which reports hashes as sha256-…"
            )));
        }
        let deps = which(derivation.take().as_deref(), frontend)?;
        found.retain(|(d, _)| *d != deps);
        found.push((deps, got.to_string()));
    }
    if found.is_empty() {
        return Err(Error::Usage(
            "no hash in the message: Nix reports one as `hash mismatch in fixed-output derivation '…': specified: … got: sha256-…`\n  = help: run `nix build` and give its whole output: nix build 2>&1 | devgen deps-hash".into(),
        ));
    }
    Ok(found)
}

/// The dependency set of a hash Nix reported for `derivation`.
fn which(derivation: Option<&str>, frontend: bool) -> Result<Deps> {
    let Some(drv) = derivation else {
        if frontend {
            return Err(Error::Usage(
                "the message says which derivation the hash is of before `got:`, and that part is missing\n  = help: give the whole message: nix build 2>&1 | devgen deps-hash".into(),
            ));
        }
        return Ok(Deps::Mix);
    };
    match Deps::of_derivation(drv) {
        Some(Deps::Frontend(_)) if !frontend => Err(Error::Usage(format!(
            "the hash Nix reported is of the frontend's packages ({drv}), and devgen.toml has no [frontend]\n  = help: run devgen sync first, so that nix/package.nix is the one devgen.toml describes"
        ))),
        Some(deps) => Ok(deps),
        None => Err(Error::Usage(format!(
            "the hash Nix reported is of {drv}, not of the release's dependencies\n  = help: give devgen deps-hash the message of `nix build` on nix/package.nix (packages.<system>.default)"
        ))),
    }
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
        let (section, key) = deps.setting();
        writeln!(io.err, "  [{section}] {key} = \"{hash}\"").map_err(stream_error)?;
        edit.set(&Setting::new(section, key, Some(Value::from(hash))));
    }
    let new_spec = edit.finish();
    apply_spec_change(
        root,
        &Renderer::new(),
        spec_text,
        new_spec,
        &mut registry,
        dry_run,
        io,
    )
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
            reported_hashes(
                &nix_message("haven-frontend-deps-aarch64-darwin-0.1.0-0badf00d"),
                true
            )
            .unwrap(),
            vec![(Deps::Frontend("aarch64-darwin".into()), GOT.to_string())]
        );
    }

    #[test]
    fn a_message_on_one_line_reads_as_one_over_several() {
        let one_line = nix_message("mix-deps-haven-0.1.0-0badf00d").replace('\n', " ");
        assert_eq!(
            reported_hashes(&one_line, false).unwrap(),
            vec![(Deps::Mix, GOT.to_string())]
        );
    }

    #[test]
    fn a_frontend_hash_without_a_frontend_is_refused() {
        let message = nix_message("haven-frontend-deps-x86_64-linux-0.1.0-0badf00d");
        let err = reported_hashes(&message, false).unwrap_err().to_string();
        assert!(err.contains("no [frontend]"), "{err}");
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
