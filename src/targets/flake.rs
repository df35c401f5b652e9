//! What devgen owns in a `flake.nix`: in a flake it creates, its description, its inputs,
//! its `nixConfig` entries and its dev shell — the rest of the scaffold (the systems, the
//! `let`, the shape of `outputs`) is the user's once written. In a flake that was there
//! before, only what devgen adds: the `devenv` input and the cache entries when the flake
//! has none of its own, and the dev shell, joined to the flake's own shape —
//! `devShells.default` inside flake-utils' `eachDefaultSystem` body, flake-parts'
//! `perSystem`, or a `forEachSystem`-style function the flake already maps `devShells`
//! with; a flake with none of those gets a `devShells` of devgen's. Nothing else of the
//! user's (description, nixpkgs input, packages, checks, formatter, follows) is touched.

use nix_edit::{AttrPath, NixDocument};

use crate::error::{Error, Result};
use crate::render::{MergeInput, MergeOwned, MergeRule};

/// How devgen owns flake.nix.
pub static RULE: MergeRule = MergeRule {
    look_through: SYSTEM_FUNCTIONS,
    owned,
};

/// Functions flakes map over systems with, whose body a path goes into: flake-utils',
/// nixpkgs' `genAttrs`, flake-parts' `mkFlake`, and the usual names of helpers over them.
const SYSTEM_FUNCTIONS: &[&str] = &[
    "eachDefaultSystem",
    "eachSystem",
    "eachDefaultSystemMap",
    "eachSystemMap",
    "genAttrs",
    "forEachSystem",
    "forAllSystems",
    "eachSystems",
    "mkFlake",
];

/// Paths devgen owns in a flake it creates, and keeps while its lock records them.
const CREATED: &[&str] = &["description", "inputs.nixpkgs.url"];
/// Paths devgen adds to any flake that has nothing there of its own.
const ADDED: &[&str] = &[
    "inputs.devenv.url",
    "nixConfig.extra-trusted-public-keys",
    "nixConfig.extra-substituters",
];
/// Where devgen's own flake has its dev shell (inside `forEachSystem (system: …)`).
const SHELL: &str = "outputs.devShells.default";
/// Where a flake-parts flake has its per-system outputs.
const PER_SYSTEM: &str = "outputs.perSystem";
/// The systems of a `devShells` devgen adds to a flake that maps none.
const SYSTEMS: &str = r#"[ "x86_64-linux" "aarch64-linux" "x86_64-darwin" "aarch64-darwin" ]"#;

fn path(p: &str) -> AttrPath {
    p.parse().expect("devgen's flake paths are valid")
}

fn owned(input: &MergeInput) -> Result<MergeOwned> {
    let rendered = input.rendered;
    let want = |p: &str| -> Result<String> {
        rendered.get(&path(p))?.ok_or_else(|| {
            Error::Usage(format!(
                "internal error: devgen's flake template has no `{p}`; please report this"
            ))
        })
    };
    let Some(current) = input.current else {
        let all = CREATED.iter().chain(ADDED).chain([&SHELL]);
        let values = all
            .map(|p| Ok((path(p), want(p)?)))
            .collect::<Result<_>>()?;
        return Ok(MergeOwned {
            values,
            parameters: Vec::new(),
        });
    };
    let mut values = Vec::new();
    for p in CREATED {
        if (input.recorded)(&path(p)) {
            values.push((path(p), want(p)?));
        }
    }
    for p in ADDED {
        if (input.recorded)(&path(p)) || current.get(&path(p))?.is_none() {
            values.push((path(p), want(p)?));
        }
    }
    values.push(shell(current, &want(SHELL)?, input.recorded)?);
    Ok(MergeOwned {
        values,
        parameters: vec![(path("outputs"), "devenv")],
    })
}

/// Where the dev shell goes in `flake`, and what devgen writes there.
fn shell(
    flake: &NixDocument,
    template: &str,
    recorded: &dyn Fn(&AttrPath) -> bool,
) -> Result<(AttrPath, String)> {
    let devshells = path("outputs.devShells");
    if recorded(&devshells) {
        return own_devshells(flake, template);
    }
    let at = if flake.get(&path(PER_SYSTEM)).is_ok_and(|v| v.is_some()) {
        path(&format!("{PER_SYSTEM}.devShells.default"))
    } else {
        path(SHELL)
    };
    let scope = Scope::at(flake, &at)?;
    if scope.system {
        return Ok((at, scope.mk_shell(template)));
    }
    // No function maps systems where the shell would go: devgen brings one.
    if flake.get(&devshells).is_ok_and(|v| v.is_some()) {
        return Err(Error::Usage(
            "flake.nix has `devShells` of its own, not mapped over systems by a function devgen knows \
             (eachDefaultSystem, genAttrs, forEachSystem, perSystem)\n  = help: add devgen's shell yourself: \
             devShells.<system>.default = devenv.lib.mkShell { inherit inputs pkgs; modules = [ ./devenv.nix ]; };"
                .into(),
        ));
    }
    own_devshells(flake, template)
}

/// `devShells` of devgen's own, mapped over [`SYSTEMS`], for a flake that maps none.
fn own_devshells(flake: &NixDocument, template: &str) -> Result<(AttrPath, String)> {
    let devshells = path("outputs.devShells");
    let scope = Scope::at(flake, &devshells)?;
    let nixpkgs = scope.nixpkgs();
    let mk_shell = Scope {
        pkgs: Some(format!("{nixpkgs}.legacyPackages.${{system}}")),
        ..scope.clone()
    }
    .mk_shell(template)
    .replace('\n', "\n  ");
    // The flake's own helper over its systems, when it has one by a usual name.
    let mut over_systems = format!("{nixpkgs}.lib.genAttrs {SYSTEMS}");
    for helper in ["forEachSystem", "forAllSystems"] {
        if flake.binds(&devshells, helper)? {
            over_systems = helper.to_string();
            break;
        }
    }
    let value = format!("{over_systems} (system: {{\n  default = {mk_shell};\n}})");
    Ok((devshells, value))
}

/// The names devgen's shell needs, as the flake has them in scope where it goes.
#[derive(Clone)]
struct Scope {
    /// How to reach the flake's inputs: `inputs`, or `self.inputs`.
    inputs: String,
    /// `devenv` when it is a parameter of `outputs`.
    devenv: Option<String>,
    /// `pkgs` when it is bound there.
    pkgs: Option<String>,
    nixpkgs: bool,
    /// Whether `system` is bound there: the place is inside a function of the system.
    system: bool,
}

impl Scope {
    fn at(flake: &NixDocument, at: &AttrPath) -> Result<Scope> {
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

    /// How to reach nixpkgs: the parameter, or through the inputs.
    fn nixpkgs(&self) -> String {
        if self.nixpkgs {
            "nixpkgs".into()
        } else {
            format!("{}.nixpkgs", self.inputs)
        }
    }

    /// devgen's `devenv.lib.mkShell { … }` in this scope's names: the template's own text
    /// where the names are the template's.
    fn mk_shell(&self, template: &str) -> String {
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
