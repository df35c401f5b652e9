//! The `dev` target: seed 000's per-project environment — a flake and devenv.nix with
//! Elixir, Node and PostgreSQL on the project's own address, the Procfile overmind runs,
//! direnv's `.envrc`, overmind's and tmux's config, the Phoenix dev and test config, and the
//! script that restarts Phoenix. Templates in `templates/dev/`.

mod adopt;
mod context;

pub use context::is_base_package;

use super::{Scope, Target, DEVENV_MODULE, DOTENV, ELIXIR, FLAKE, GITIGNORE, SHELL, TMUX};
use crate::render::{decl, FileKind, OutputDecl, Ownership, Syntax};

pub static TARGET: Target = Target {
    name: "dev",
    outputs: OUTPUTS,
    scope: Scope::Project {
        context: context::for_model,
    },
    adopt: adopt::TABLE,
};

static OUTPUTS: &[OutputDecl] = &[
    decl("flake.nix", "dev/flake.nix.j2", Ownership::Merged, FLAKE),
    decl(
        "devenv.nix",
        "dev/devenv.nix.j2",
        Ownership::Merged,
        DEVENV_MODULE,
    ),
    decl("Procfile", "dev/Procfile.j2", Ownership::Block, PROCFILE),
    decl(".envrc", "dev/envrc.j2", Ownership::Block, ENVRC),
    decl(
        ".gitignore",
        "dev/gitignore.j2",
        Ownership::Block,
        GITIGNORE,
    ),
    decl(
        ".overmind.env",
        "dev/overmind.env.j2",
        Ownership::Owned,
        DOTENV,
    ),
    decl(
        ".tmux.overmind.conf",
        "dev/tmux.overmind.conf.j2",
        Ownership::Owned,
        TMUX,
    ),
    decl(
        "config/devgen.exs",
        "dev/devgen.exs.j2",
        Ownership::Owned,
        ELIXIR,
    ),
    OutputDecl {
        preamble: CONFIG_PREAMBLE,
        ..decl(
            "config/dev.exs",
            "dev/dev_import.exs.j2",
            Ownership::Line,
            ELIXIR,
        )
    },
    decl(
        "config/devgen_test.exs",
        "dev/devgen_test.exs.j2",
        Ownership::Owned,
        ELIXIR,
    ),
    OutputDecl {
        preamble: CONFIG_PREAMBLE,
        ..decl(
            "config/test.exs",
            "dev/test_import.exs.j2",
            Ownership::Line,
            ELIXIR,
        )
    },
    // It aborts Phoenix and counts on overmind to start it again: only with auto restart.
    OutputDecl {
        executable: true,
        when: Some("phoenix.auto_restart"),
        ..decl(
            "scripts/restart-phoenix",
            "dev/restart-phoenix.j2",
            Ownership::Owned,
            SHELL,
        )
    },
];

/// How a Phoenix config file starts when devgen has to create it.
const CONFIG_PREAMBLE: &str = "import Config\n\n";

/// A Procfile: a line outside devgen's block clashes with one inside when it starts a
/// process of the same name.
static PROCFILE: &FileKind = &FileKind {
    clash_key: Some(procfile_process),
    ..FileKind::plain(Syntax::Procfile)
};

/// direnv's `.envrc`: a second `use flake`/`use devenv`, or a second export of an
/// `OVERMIND_*` variable, would load the environment twice or fight over the setting.
static ENVRC: &FileKind = &FileKind {
    clash_key: Some(envrc_job),
    stock_line: Some(loads_this_flake),
    ..FileKind::plain(Syntax::Shell)
};

/// The database an element of `initialDatabases` creates: its `name`, when that is a plain
/// string (`{ name = "shop_dev"; user = "shop"; }` creates `shop_dev`).
pub fn database_name(element: &str) -> Option<String> {
    let doc = nix_edit::NixDocument::parse("element", element).ok()?;
    let nix_edit::Shape::Set(entries) = doc.value().shape() else {
        return None;
    };
    let name = entries
        .iter()
        .find(|e| e.names == [Some("name".to_string())])?;
    match name.value.shape() {
        nix_edit::Shape::Str(name) => name,
        _ => None,
    }
}

fn procfile_process(line: &str) -> Option<String> {
    let (name, _) = line.trim().split_once(':')?;
    let ok = !name.is_empty()
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-');
    ok.then(|| format!("process {name}"))
}

/// `use flake` of this directory's flake, as nix-direnv's docs and every flake template
/// write it: devgen's block loads the same flake (impurely, to read a worktree's address).
/// `use devenv` or another flake's `use flake ../x#y` is the user's own choice.
pub fn loads_this_flake(line: &str) -> bool {
    matches!(
        line.split_whitespace().collect::<Vec<_>>().as_slice(),
        ["use", "flake"] | ["use", "flake", "."] | ["use", "flake", ".", "--impure"]
    )
}

fn envrc_job(line: &str) -> Option<String> {
    let line = line.trim();
    if line.starts_with("use flake") || line.starts_with("use devenv") {
        return Some("use".to_string());
    }
    let name = line.strip_prefix("export ")?.split('=').next()?.trim();
    name.starts_with("OVERMIND_")
        .then(|| format!("export {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_is_named_by_its_name_whatever_else_it_sets() {
        assert_eq!(database_name("{ name = \"a\"; }").as_deref(), Some("a"));
        assert_eq!(
            database_name("{ user = \"u\"; name = \"a\"; }").as_deref(),
            Some("a")
        );
        assert_eq!(database_name("{ name = n; }"), None);
        assert_eq!(database_name("\"a\""), None);
    }

    #[test]
    fn clash_keys_name_the_job_a_line_does() {
        assert_eq!(
            procfile_process("web: bin/web").as_deref(),
            Some("process web")
        );
        assert_eq!(procfile_process("# web: x"), None);
        assert_eq!(envrc_job("  use flake . --impure").as_deref(), Some("use"));
        assert_eq!(
            envrc_job("export OVERMIND_AUTO_RESTART=x").as_deref(),
            Some("export OVERMIND_AUTO_RESTART")
        );
        assert_eq!(envrc_job("export PATH=x"), None);
    }
}
