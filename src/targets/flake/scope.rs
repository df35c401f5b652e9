//! The names a value devgen adds to a flake needs, as the flake has them in scope where it
//! goes: its inputs, nixpkgs, `pkgs`, `system`, the flake itself.

use nix_edit::{AttrPath, NixDocument};

use crate::error::{Error, Result};

/// The names devgen's shell needs, as the flake has them in scope where it goes.
#[derive(Clone)]
pub(super) struct Scope {
    /// How to reach the flake's inputs: `inputs`, or `self.inputs`.
    inputs: String,
    /// `devenv` when it is a parameter of `outputs`.
    devenv: Option<String>,
    /// `pkgs` when it is bound there.
    pkgs: Option<String>,
    nixpkgs: bool,
    /// Whether `system` is bound there: the place is inside a function of the system.
    pub(super) system: bool,
}

impl Scope {
    pub(super) fn at(flake: &NixDocument, at: &AttrPath) -> Result<Scope> {
        let binds = |name: &str| flake.binds(at, name);
        let inputs = if binds("inputs")? {
            "inputs".to_string()
        } else if binds("self")? {
            "self.inputs".to_string()
        } else {
            return Err(Error::Usage(
                "flake.nix's `outputs` binds neither `self` nor `inputs`, so devgen's shell cannot reach the flake's inputs\n  \
                 = help: add `self` to outputs' parameters: outputs = { self, ... }: …"
                    .into(),
            ));
        };
        Ok(Scope {
            inputs,
            devenv: binds("devenv")?.then(|| "devenv".to_string()),
            pkgs: binds("pkgs")?.then(|| "pkgs".to_string()),
            nixpkgs: binds("nixpkgs")?,
            system: binds("system")?,
        })
    }

    /// This scope inside a function of the system that binds no `pkgs` of its own.
    pub(super) fn with_system_pkgs(&self) -> Scope {
        Scope {
            pkgs: Some(self.nixpkgs_for_system()),
            system: true,
            ..self.clone()
        }
    }

    /// The system's package set: `pkgs` where bound, else nixpkgs' for `system`.
    pub(super) fn pkgs_or_nixpkgs(&self) -> String {
        self.pkgs
            .clone()
            .unwrap_or_else(|| self.nixpkgs_for_system())
    }

    /// nixpkgs' package set for `system`.
    fn nixpkgs_for_system(&self) -> String {
        format!("{}.legacyPackages.${{system}}", self.nixpkgs())
    }

    /// How to reach nixpkgs: the parameter, or through the inputs.
    pub(super) fn nixpkgs(&self) -> String {
        if self.nixpkgs {
            "nixpkgs".into()
        } else {
            format!("{}.nixpkgs", self.inputs)
        }
    }

    /// devgen's `devenv.lib.mkShell { … }` in this scope's names: the template's own text
    /// where the names are the template's.
    pub(super) fn mk_shell(&self, template: &str) -> String {
        let devenv = self
            .devenv
            .clone()
            .unwrap_or_else(|| format!("{}.devenv", self.inputs));
        let pkgs = self.pkgs_or_nixpkgs();
        if devenv == "devenv" && self.inputs == "inputs" && pkgs == "pkgs" {
            return template.to_string();
        }
        let (mut inherited, mut given) = (Vec::new(), Vec::new());
        for (name, value) in [("inputs", self.inputs.as_str()), ("pkgs", pkgs.as_str())] {
            if name == value {
                inherited.push(name);
            } else {
                given.push(format!("  {name} = {value};\n"));
            }
        }
        let inherit = match inherited.is_empty() {
            true => String::new(),
            false => format!("  inherit {};\n", inherited.join(" ")),
        };
        format!(
            "{devenv}.lib.mkShell {{\n{inherit}{}  modules = [ ./devenv.nix ];\n}}",
            given.concat()
        )
    }
}

/// Whether the `let`-bound `helper` of `text` maps system names, as
/// `forAllSystems = nixpkgs.lib.genAttrs [ … ];` does, rather than being a function of its
/// own (`forAllSystems = f: … (system: f pkgs)`) whose argument devgen cannot know. Read off
/// the text: the editor reads the values of attribute paths, and a `let` inside `outputs`
/// is none.
pub(super) fn maps_system_names(text: &str, helper: &str) -> bool {
    let mut rest = text;
    while let Some(at) = rest.find(helper) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + helper.len()..].trim_start();
        rest = &rest[at + helper.len()..];
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') {
            continue;
        }
        let Some(definition) = after.strip_prefix('=').filter(|d| !d.starts_with('=')) else {
            continue;
        };
        let definition = definition[..definition.find(';').unwrap_or(definition.len())].trim();
        let lambda = definition.split_once(':').is_some_and(|(head, _)| {
            head.trim()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        return !lambda && definition.contains("genAttrs");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::maps_system_names;

    #[test]
    fn a_helper_maps_system_names_when_it_is_genattrs_of_a_list() {
        let genattrs = "let\n  forAllSystems = nixpkgs.lib.genAttrs [ \"x86_64-linux\" ];\nin";
        assert!(maps_system_names(genattrs, "forAllSystems"));
        let pkgs = "let\n  forAllSystems = f: nixpkgs.lib.genAttrs [ \"x86_64-linux\" ] (system: f nixpkgs.legacyPackages.${system});\nin";
        assert!(!maps_system_names(pkgs, "forAllSystems"));
        assert!(!maps_system_names(
            "formatter = forAllSystems (system: x);",
            "forAllSystems"
        ));
    }
}
