//! The files around the environment that stay the user's: the Procfile's processes, the
//! `.envrc`'s lines, flake.nix's inputs and outputs, devenv.yaml. devgen.toml takes nothing
//! from them; the report says what each line becomes beside devgen's own.

use nix_edit::NixDocument;

use super::line_of;
use crate::commands::import::findings::{Findings, Origin};
use crate::targets::dev::loads_this_flake;

/// The processes devgen's Procfile block runs.
const DEVGEN_PROCESSES: &[&str] = &["devenv", "phoenix", "postgres-alerts"];

pub fn procfile(text: &str, found: &mut Findings) {
    for (i, line) in text.lines().enumerate() {
        let Some((name, command)) = line.split_once(':') else {
            continue;
        };
        let name = name.trim();
        if name.starts_with('#') || name.is_empty() {
            continue;
        }
        let origin = Origin::new("Procfile", i + 1);
        let why = if DEVGEN_PROCESSES.contains(&name) {
            format!("devgen's block runs a process named {name}: sync stops with a conflict until you rename or remove this line (`devgen sync --force` removes it)")
        } else if command.contains("phx.server") || command.contains("devenv up") {
            "it starts what a process of devgen's block starts (Phoenix or `devenv up`), which would then run twice: remove it".into()
        } else {
            "stays in the Procfile as yours, beside devgen's block; overmind runs both".into()
        };
        found.keep(origin, format!("process {name}"), why);
    }
}

pub fn envrc(text: &str, found: &mut Findings) {
    for (i, line) in text.lines().enumerate() {
        let code = line.trim();
        let origin = Origin::new(".envrc", i + 1);
        if loads_this_flake(code) {
            found.note(format!("{origin}: `{code}` makes way for devgen's block, which loads the same flake (`use flake . --impure`, to read a worktree's address)"));
        } else if code.starts_with("use flake") || code.starts_with("use devenv") {
            found.keep(origin, code, "devgen's block loads the environment (`use flake . --impure`, which reads a worktree's address): sync stops with a conflict until you remove this line (`devgen sync --force` removes it)");
        } else if let Some(export) = code.strip_prefix("export ") {
            let name = export.split('=').next().unwrap_or(export).trim();
            let why = if name.starts_with("OVERMIND_") {
                "devgen's block sets overmind's variables: sync stops with a conflict until you remove this line"
            } else {
                "stays in .envrc as yours: devgen.toml is committed, and a value here may be a secret"
            };
            found.keep(origin, format!("export {name}"), why);
        }
    }
}

/// flake.nix: its description, inputs and outputs stay the user's; devgen adds its input
/// and dev shell within them.
pub fn flake(text: &str, found: &mut Findings) {
    let Ok(doc) = NixDocument::parse("flake.nix", text) else {
        found.keep(
            Origin::new("flake.nix", 0),
            "flake.nix",
            "does not parse: devgen cannot join its dev shell to it until it does",
        );
        return;
    };
    let Ok(bindings) = doc.bindings() else {
        return;
    };
    for b in bindings {
        let segments = b.path.segments();
        let origin = Origin::new("flake.nix", line_of(text, b.value.start));
        let what = match segments {
            [s] if s == "description" => "description".to_string(),
            [i, name, ..] if i == "inputs" && segments.len() == 3 => format!("input {name}"),
            [o] if o == "outputs" => "outputs".to_string(),
            _ => continue,
        };
        let why = match what.as_str() {
            "outputs" => {
                "stays yours (packages, checks, formatter, …); devgen adds its dev shell within it"
            }
            "input devenv" => "devgen uses this input for its dev shell",
            _ => "stays yours; devgen does not touch it",
        };
        if !found.kept.iter().any(|k| k.what == what) {
            found.keep(origin, what, why);
        }
    }
}

pub fn devenv_yaml(found: &mut Findings) {
    found.keep(
        Origin::new("devenv.yaml", 0),
        "devenv.yaml",
        "stays yours: `devenv shell` reads it; devgen's environment comes through flake.nix (`use flake`), which takes its inputs from flake.nix instead",
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn procfile_lines_are_kept_and_clashes_named() {
        let mut f = Findings::default();
        procfile(
            "web: mix phx.server\nworker: mix run --no-halt\nphoenix: iex -S mix\n# x: y\n",
            &mut f,
        );
        let whys: Vec<&str> = f.kept.iter().map(|k| k.why.as_str()).collect();
        assert!(whys[0].contains("twice"));
        assert!(whys[1].starts_with("stays in the Procfile"));
        assert!(whys[2].contains("conflict"));
        assert_eq!(f.kept.len(), 3);
    }

    #[test]
    fn envrc_exports_stay_out_of_the_spec() {
        let mut f = Findings::default();
        envrc(
            "use devenv\nexport STRIPE_KEY=sk_live_x\nuse flake .\n",
            &mut f,
        );
        assert!(f.taken.is_empty());
        assert_eq!(f.kept[0].origin.to_string(), ".envrc:1");
        assert!(f.kept[0].why.contains("conflict"));
        assert!(f.kept[1].why.contains("secret"));
        assert!(!f.kept[1].what.contains("sk_live"));
        assert!(f.notes[0].starts_with(".envrc:3: `use flake .` makes way"));
    }

    #[test]
    fn a_flakes_inputs_and_outputs_stay_the_users() {
        let mut f = Findings::default();
        flake("{\n  description = \"shop\";\n  inputs.nixpkgs.url = \"github:NixOS/nixpkgs\";\n  inputs.flake-utils.url = \"github:numtide/flake-utils\";\n  outputs = { self, nixpkgs, flake-utils }: { };\n}\n", &mut f);
        let what: Vec<String> = f
            .kept
            .iter()
            .map(|k| format!("{} {}", k.origin, k.what))
            .collect();
        assert_eq!(
            what,
            [
                "flake.nix:2 description",
                "flake.nix:3 input nixpkgs",
                "flake.nix:4 input flake-utils",
                "flake.nix:5 outputs"
            ]
        );
    }
}
