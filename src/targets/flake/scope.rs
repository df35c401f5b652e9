//! The names a value devgen adds to a flake needs, as the flake has them in scope where it
//! goes: its inputs, nixpkgs, `pkgs`, `system`, the flake itself.

use nix_edit::{AttrPath, NixDocument};

use crate::error::{Error, Result};

/// The names devgen's shell needs, as the flake has them in scope where it goes.
#[derive(Clone)]
pub(super) struct Scope {
    /// How to reach the flake's inputs: `inputs`, or `self.inputs`.
    inputs: String,
    /// How to reach the flake itself: `self`, or `inputs.self`.
    this: String,
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
        let this = if binds("self")? {
            "self".to_string()
        } else {
            format!("{inputs}.self")
        };
        Ok(Scope {
            inputs,
            this,
            devenv: binds("devenv")?.then(|| "devenv".to_string()),
            pkgs: binds("pkgs")?.then(|| "pkgs".to_string()),
            nixpkgs: binds("nixpkgs")?,
            system: binds("system")?,
        })
    }

    /// This scope inside a function of the system that binds no `pkgs` of its own.
    pub(super) fn with_system_pkgs(&self) -> Scope {
        Scope {
            pkgs: Some(format!("{}.legacyPackages.${{system}}", self.nixpkgs())),
            system: true,
            ..self.clone()
        }
    }

    /// The system's package set: `pkgs` where bound, else nixpkgs' for `system`.
    pub(super) fn pkgs_or_nixpkgs(&self) -> String {
        self.pkgs
            .clone()
            .unwrap_or_else(|| format!("{}.legacyPackages.${{system}}", self.nixpkgs()))
    }

    /// How to reach the flake itself.
    pub(super) fn this_flake(&self) -> &str {
        &self.this
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
        let pkgs = self
            .pkgs
            .clone()
            .unwrap_or_else(|| format!("{}.legacyPackages.${{system}}", self.nixpkgs()));
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
