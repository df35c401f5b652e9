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
/// Where the release is, with `[deploy.nixos]` (inside `forEachSystem (system: …)` too).
const PACKAGE: &str = "outputs.packages.default";
/// The NixOS module, with `[deploy.nixos]`.
const MODULE: &str = "outputs.nixosModules.default";
/// The NixOS hosts, one of them devgen's with `[deploy.nixos]`.
const HOSTS: &str = "outputs.nixosConfigurations";
/// What devgen's package is made of, in the names of the scope it goes in.
const CALL_PACKAGE: &str = "callPackage ./nix/package.nix { }";
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
    let release = Release::of(rendered)?;
    let Some(current) = input.current else {
        let all = CREATED.iter().chain(ADDED).chain([&SHELL]);
        let mut values: Vec<_> = all
            .map(|p| Ok((path(p), want(p)?)))
            .collect::<Result<_>>()?;
        if let Some(release) = &release {
            for p in release.paths() {
                let value = rendered.get(&p)?.unwrap_or_default();
                values.push((p, value));
            }
        }
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
    if let Some(release) = &release {
        values.extend(release.values(current, input.recorded)?);
    }
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
    per_system(flake, "devShells", recorded, |scope| {
        scope.mk_shell(template)
    })
}

/// Where `outputs.<output>.default` of each system goes in `flake` — inside the function
/// the flake maps its systems with, or flake-parts' `perSystem` — and what devgen writes
/// there: `value` in the names of that scope.
fn per_system(
    flake: &NixDocument,
    output: &str,
    recorded: &dyn Fn(&AttrPath) -> bool,
    value: impl Fn(&Scope) -> String,
) -> Result<(AttrPath, String)> {
    let whole = path(&format!("outputs.{output}"));
    if recorded(&whole) {
        return own_per_system(flake, output, value);
    }
    let at = if flake.get(&path(PER_SYSTEM)).is_ok_and(|v| v.is_some()) {
        path(&format!("{PER_SYSTEM}.{output}.default"))
    } else {
        path(&format!("outputs.{output}.default"))
    };
    let scope = Scope::at(flake, &at)?;
    if scope.system {
        return Ok((at, value(&scope)));
    }
    // No function maps systems where the value would go: devgen brings one.
    if flake.get(&whole).is_ok_and(|v| v.is_some()) {
        let example = value(&scope.with_system_pkgs()).replace('\n', " ");
        return Err(Error::Usage(format!(
            "flake.nix has `{output}` of its own, not mapped over systems by a function devgen knows \
             (eachDefaultSystem, genAttrs, forEachSystem, perSystem)\n  = help: add devgen's yourself: \
             {output}.<system>.default = {example};"
        )));
    }
    own_per_system(flake, output, value)
}

/// `outputs.<output>` of devgen's own, mapped over [`SYSTEMS`], for a flake that maps none.
fn own_per_system(
    flake: &NixDocument,
    output: &str,
    value: impl Fn(&Scope) -> String,
) -> Result<(AttrPath, String)> {
    let whole = path(&format!("outputs.{output}"));
    let scope = Scope::at(flake, &whole)?;
    let inner = value(&scope.with_system_pkgs()).replace('\n', "\n  ");
    // The flake's own helper over its systems, when it has one by a usual name.
    let mut over_systems = format!("{}.lib.genAttrs {SYSTEMS}", scope.nixpkgs());
    for helper in ["forEachSystem", "forAllSystems"] {
        if flake.binds(&whole, helper)? {
            over_systems = helper.to_string();
            break;
        }
    }
    let value = format!("{over_systems} (system: {{\n  default = {inner};\n}})");
    Ok((whole, value))
}

/// The names devgen's shell needs, as the flake has them in scope where it goes.
#[derive(Clone)]
struct Scope {
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
    fn with_system_pkgs(&self) -> Scope {
        Scope {
            pkgs: Some(format!("{}.legacyPackages.${{system}}", self.nixpkgs())),
            system: true,
            ..self.clone()
        }
    }

    /// The system's package set: `pkgs` where bound, else nixpkgs' for `system`.
    fn pkgs_or_nixpkgs(&self) -> String {
        self.pkgs
            .clone()
            .unwrap_or_else(|| format!("{}.legacyPackages.${{system}}", self.nixpkgs()))
    }

    /// How to reach the flake itself.
    fn this_flake(&self) -> &str {
        &self.this
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

/// With `[deploy.nixos]`, the flake's release and NixOS outputs: `packages.<system>.default`
/// beside the dev shell, `nixosModules.default` and `nixosConfigurations.<name>`.
struct Release {
    /// `outputs.nixosConfigurations.<name>`.
    host: AttrPath,
    /// devgen's host, as its own flake spells it.
    host_value: String,
}

impl Release {
    /// The release outputs devgen's flake has; `None` without `[deploy.nixos]`. The host's
    /// name is read off the one line devgen's template binds it on,
    /// `nixosConfigurations.<name> = …`.
    fn of(rendered: &NixDocument) -> Result<Option<Release>> {
        const HOST_LINE: &str = "nixosConfigurations.";
        let text = rendered.text();
        let Some(at) = text.find(HOST_LINE) else {
            return Ok(None);
        };
        let rest = &text[at + HOST_LINE.len()..];
        let name = rest.split(" = ").next().unwrap_or_default();
        let host: AttrPath = format!("{HOSTS}.{name}").parse().map_err(|_| {
            Error::Usage(format!(
                "internal error: devgen's flake names its host {name:?}; please report this"
            ))
        })?;
        let host_value = dedent(&rendered.get(&host)?.unwrap_or_default());
        Ok(Some(Release { host, host_value }))
    }

    fn paths(&self) -> [AttrPath; 3] {
        [path(PACKAGE), path(MODULE), self.host.clone()]
    }

    /// The values at [`Release::paths`] in `flake`: the package in the flake's own shape over
    /// systems, the host through the names `outputs` binds.
    fn values(
        &self,
        flake: &NixDocument,
        recorded: &dyn Fn(&AttrPath) -> bool,
    ) -> Result<Vec<(AttrPath, String)>> {
        let package = per_system(flake, "packages", recorded, |scope| {
            format!("{}.{CALL_PACKAGE}", scope.pkgs_or_nixpkgs())
        })?;
        let scope = Scope::at(flake, &self.host)?;
        if scope.system {
            // eachDefaultSystem's body: a host there would be one per system.
            let (line, col) = flake.value_position(&path("outputs")).unwrap_or((1, 1));
            return Err(Error::Usage(format!(
                "flake.nix:{line}:{col}: the flake maps all of its outputs over systems, and a NixOS module and host are not per system\n  \
                 = help: give `outputs` a set of its own beside the systems' and run devgen again: \
                 outputs = {{ self, nixpkgs, ... }}: flake-utils.lib.eachDefaultSystem (system: {{ … }}) // {{ }};"
            )));
        }
        let (nixpkgs, this) = (scope.nixpkgs(), scope.this_flake());
        let host = rename(&self.host_value, "nixpkgs", &nixpkgs);
        let host = rename(&host, "self", this);
        Ok(vec![
            package,
            (path(MODULE), "./nix/module.nix".to_string()),
            (self.host.clone(), host),
        ])
    }
}

/// A value's text as it would be bound at the left margin: its continuation lines without
/// the indentation they share (the editor indents them where the value goes).
fn dedent(value: &str) -> String {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let common = value
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(indent)
        .min()
        .unwrap_or(0);
    let mut lines = value.lines();
    let first = lines.next().unwrap_or_default().to_string();
    lines.fold(first, |out, l| {
        format!(
            "{out}\n{}",
            l.get(common.min(indent(l))..).unwrap_or_default()
        )
    })
}

/// `text` with each name `from` that starts an attribute path (`self.packages`, not
/// `myself.x` or `a.self.x`) spelled `to`.
fn rename(text: &str, from: &str, to: &str) -> String {
    let ident = |c: char| c.is_ascii_alphanumeric() || "_'-.".contains(c);
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(&format!("{from}.")) {
        let starts_path = !rest[..at].chars().next_back().is_some_and(ident);
        out.push_str(&rest[..at]);
        out.push_str(if starts_path { to } else { from });
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::{dedent, rename};

    #[test]
    fn dedent_takes_off_the_indentation_continuation_lines_share() {
        assert_eq!(
            dedent("f {\n        a = 1;\n\n      }"),
            "f {\n  a = 1;\n\n}"
        );
        assert_eq!(dedent("1"), "1");
    }

    #[test]
    fn rename_changes_only_names_that_start_a_path() {
        assert_eq!(
            rename(
                "[ self.a myself.b x.self.c (self.d) ]",
                "self",
                "inputs.self"
            ),
            "[ inputs.self.a myself.b x.self.c (inputs.self.d) ]"
        );
    }
}
