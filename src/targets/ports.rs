//! Each port of the project as every language devgen writes spells it. With `[project]
//! isolation = "ports"` a git worktree moves each port through its own variable
//! (`DEVGEN_PHOENIX_PORT`, …, exported by its `.envrc.local`), so the committed files read
//! that variable with the spec's port as the default; otherwise a port is just its number.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Model;

/// One port, spelled for each language.
#[derive(Debug, Clone, Serialize)]
pub struct Spelled {
    /// The spec's port, as a number.
    pub value: u16,
    /// A Nix integer expression.
    pub nix: String,
    /// The same, inside a Nix string (`"${toString (…)}"`'s inside).
    pub nix_in_string: String,
    /// An Elixir integer expression.
    pub elixir: String,
    /// The same, inside an Elixir string.
    pub elixir_in_string: String,
    /// A shell word (double-quoted when it reads a variable).
    pub shell: String,
    /// A Caddyfile token.
    pub caddy: String,
    /// Inside a Compose string.
    pub compose: String,
}

/// Every port of `model` by its name.
pub fn spelled(model: &Model) -> BTreeMap<String, Spelled> {
    model
        .named_ports()
        .into_iter()
        .map(|p| {
            let v = p.port;
            let spelled = if model.project.ports_isolation {
                let var = p.variable();
                let nix = format!(
                    "(let p = builtins.getEnv \"{var}\"; in if p == \"\" then {v} else builtins.fromJSON p)"
                );
                Spelled {
                    value: v,
                    nix_in_string: format!("${{toString {nix}}}"),
                    nix,
                    elixir: format!("String.to_integer(System.get_env(\"{var}\", \"{v}\"))"),
                    elixir_in_string: format!("#{{System.get_env(\"{var}\", \"{v}\")}}"),
                    shell: format!("\"${{{var}:-{v}}}\""),
                    caddy: format!("{{${var}:{v}}}"),
                    compose: format!("${{{var}:-{v}}}"),
                }
            } else {
                let n = v.to_string();
                Spelled {
                    value: v,
                    nix: n.clone(),
                    nix_in_string: n.clone(),
                    elixir: n.clone(),
                    elixir_in_string: n.clone(),
                    shell: n.clone(),
                    caddy: n.clone(),
                    compose: n,
                }
            };
            (p.name, spelled)
        })
        .collect()
}
