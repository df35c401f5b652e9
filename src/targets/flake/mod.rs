//! What devgen owns in a `flake.nix`: in a flake it creates, its description, its inputs,
//! its `nixConfig` entries and its dev shell — the rest of the scaffold (the systems, the
//! `let`, the shape of `outputs`) is the user's once written. In a flake that was there
//! before, only what devgen adds: the `devenv` input and the cache entries when the flake
//! has none of its own, and the dev shell, joined to the flake's own shape —
//! `devShells.default` inside flake-utils' `eachDefaultSystem` body, flake-parts'
//! `perSystem`, or a `forEachSystem`-style function the flake already maps `devShells`
//! with; a flake with none of those gets a `devShells` of devgen's. With `[deploy.nixos]`,
//! also the release (`packages.<system>.default`, placed as the shell is), the NixOS module
//! and devgen's host (`release`). Nothing else of the user's (description, nixpkgs input,
//! their own packages, checks, formatter, follows) is touched.

use nix_edit::{quote_attr, AttrPath, Bound, NixDocument};

use crate::error::{Error, Result};
use crate::render::{MergeInput, MergeOwned, MergeRule};
use crate::spec::rules::NIX_SYSTEMS;

mod release;
mod scope;

use release::Release;
use scope::Scope;

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

fn path(p: &str) -> AttrPath {
    p.parse().expect("devgen's flake paths are valid")
}

/// The value at `p` in devgen's own rendered flake, which has every path devgen writes.
fn template_value(rendered: &NixDocument, p: &str) -> Result<String> {
    rendered.get(&path(p))?.ok_or_else(|| {
        Error::Usage(format!(
            "internal error: devgen's flake template has no `{p}`; please report this"
        ))
    })
}

fn owned(input: &MergeInput) -> Result<MergeOwned> {
    let rendered = input.rendered;
    let want = |p: &str| template_value(rendered, p);
    let release = Release::of(rendered)?;
    let Some(current) = input.current else {
        let all = CREATED.iter().chain(ADDED).chain([&SHELL]);
        let mut values: Vec<_> = all
            .map(|p| Ok((path(p), want(p)?)))
            .collect::<Result<_>>()?;
        if let Some(release) = &release {
            values.extend(release.own_values(rendered)?);
        }
        return Ok(MergeOwned {
            values,
            ..MergeOwned::default()
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
    let mut outside_calls = Vec::new();
    if let Some(release) = &release {
        let (package, beside_systems) = release.values(current, input.recorded)?;
        values.push(package);
        outside_calls.extend(beside_systems.iter().map(|(p, _)| p.clone()));
        values.extend(beside_systems);
    }
    Ok(MergeOwned {
        values,
        parameters: vec![(path("outputs"), "devenv")],
        outside_calls,
    })
}

/// Where the dev shell goes in `flake`, and what devgen writes there.
fn shell(
    flake: &NixDocument,
    template: &str,
    recorded: &dyn Fn(&AttrPath) -> bool,
) -> Result<(AttrPath, String)> {
    per_system(flake, "devShells", "default", recorded, |scope| {
        scope.mk_shell(template)
    })
}

/// Where `outputs.<output>.<name>` of each system goes in `flake` — inside the function
/// the flake maps its systems with, or flake-parts' `perSystem` — and what devgen writes
/// there: `value` in the names of that scope.
fn per_system(
    flake: &NixDocument,
    output: &str,
    name: &str,
    recorded: &dyn Fn(&AttrPath) -> bool,
    value: impl Fn(&Scope) -> String,
) -> Result<(AttrPath, String)> {
    let whole = path(&format!("outputs.{output}"));
    if recorded(&whole) {
        return own_per_system(flake, output, name, value);
    }
    let at = per_system_path(flake, output, name);
    let scope = Scope::at(flake, &at)?;
    if scope.system {
        return Ok((at, value(&scope)));
    }
    // No function maps systems where the value would go: devgen brings one. A value the
    // editor cannot read whole (`packages.x86_64-linux.default = …; packages.… = …;`) is
    // the flake's own as much as one it can.
    if !matches!(flake.get(&whole), Ok(None)) {
        let example = value(&scope.with_system_pkgs()).replace('\n', " ");
        let (line, col) = flake
            .value_position(&whole)
            .or_else(|| flake.value_position(&path("outputs")))
            .unwrap_or((1, 1));
        return Err(Error::Usage(format!(
            "flake.nix:{line}:{col}: the flake has `{output}` of its own, not mapped over systems by a function devgen knows \
             (eachDefaultSystem, genAttrs, forEachSystem, perSystem)\n  = help: add devgen's yourself, for each system: \
             {output}.<system>.{name} = {example};"
        )));
    }
    own_per_system(flake, output, name, value)
}

/// `outputs.<output>.<name>` of each system, where the flake keeps its per-system outputs.
fn per_system_path(flake: &NixDocument, output: &str, name: &str) -> AttrPath {
    if is_flake_parts(flake) {
        path(&format!("{PER_SYSTEM}.{output}.{name}"))
    } else {
        path(&format!("outputs.{output}.{name}"))
    }
}

/// Whether `flake` is built with flake-parts: its outputs other than per-system ones go
/// under `flake.` there (`flake.nixosModules`), where flake-parts declares them.
fn is_flake_parts(flake: &NixDocument) -> bool {
    // located, not read: reading would copy the whole perSystem value's text each time
    flake
        .locate(&path(PER_SYSTEM))
        .is_ok_and(|l| matches!(l.bound, Bound::Value(_) | Bound::Inherited(_)))
}

/// `outputs.<output>` of devgen's own, mapped over the systems devgen's flake builds for
/// ([`NIX_SYSTEMS`]), for a flake that maps none.
fn own_per_system(
    flake: &NixDocument,
    output: &str,
    name: &str,
    value: impl Fn(&Scope) -> String,
) -> Result<(AttrPath, String)> {
    let whole = path(&format!("outputs.{output}"));
    let scope = Scope::at(flake, &whole)?;
    let inner = value(&scope.with_system_pkgs()).replace('\n', "\n  ");
    // The flake's own helper over its systems, when it has one by a usual name and it maps
    // the systems' names (a helper that hands its function a package set does not).
    let systems: Vec<String> = NIX_SYSTEMS.iter().map(|s| format!("\"{s}\"")).collect();
    let mut over_systems = format!("{}.lib.genAttrs [ {} ]", scope.nixpkgs(), systems.join(" "));
    for helper in ["forEachSystem", "forAllSystems"] {
        if flake.binds(&whole, helper)? && scope::maps_system_names(flake.text(), helper) {
            over_systems = helper.to_string();
            break;
        }
    }
    let value = format!(
        "{over_systems} (system: {{\n  {} = {inner};\n}})",
        quote_attr(name)
    );
    Ok((whole, value))
}
