//! Adopting: carry values changed by hand in generated files back into devgen.toml. A
//! conflict says the file and the spec disagree on a value devgen owns; when a key of the
//! spec can say the file's value (each target's adopt table says which), adopting writes it
//! there — keeping the spec's comments and layout — and the next run of the pipeline finds
//! the file and the spec agreeing. `sync --adopt` does it on request, a first `init` in a
//! repository that already has such files does it by itself.

use crate::error::Result;
use crate::spec::edit::SpecEdit;
use crate::targets::settings_for;

/// What adopting did and could not do.
#[derive(Debug, Default)]
pub struct Adopted {
    /// The new devgen.toml.
    pub spec_text: String,
    /// One line per key written: `postgres.port = 6000 (from devenv.nix services.postgres.port)`.
    pub changes: Vec<String>,
    /// Paths whose hand value devgen.toml cannot express.
    pub refused: Vec<String>,
}

/// Write each `(file, path, value)` the user set by hand into `spec_text`.
pub fn adopt(spec_text: &str, hand_values: &[(String, String, String)]) -> Result<Adopted> {
    let mut edit = SpecEdit::parse(spec_text)?;
    let mut adopted = Adopted::default();
    for (file, path, value) in hand_values {
        let Some(settings) = settings_for(file, path, value) else {
            adopted.refused.push(format!("{file}: `{path}` = {value}"));
            continue;
        };
        for setting in settings {
            let shown = setting.name();
            match &setting.value {
                Some(v) => adopted.changes.push(format!(
                    "{shown} = {} (from {file} `{path}`)",
                    v.to_string().trim()
                )),
                None if edit.has(setting.section, &setting.key) => {
                    adopted
                        .changes
                        .push(format!("{shown} removed (from {file} `{path}`)"));
                }
                None => {}
            }
            edit.set(&setting);
        }
    }
    adopted.spec_text = edit.finish();
    Ok(adopted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(file: &str, path: &str, value: &str) -> (String, String, String) {
        (file.into(), path.into(), value.into())
    }

    #[test]
    fn a_port_is_written_into_its_key_keeping_the_comment() {
        let spec = "[project]\nname = \"a\"\n\n[postgres]\nport = 5432   # the port\n";
        let a = adopt(spec, &[one("devenv.nix", "services.postgres.port", "6000")]).unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n\n[postgres]\nport = 6000   # the port\n"
        );
        assert_eq!(
            a.changes,
            ["postgres.port = 6000 (from devenv.nix `services.postgres.port`)"]
        );
    }

    #[test]
    fn the_ip_default_is_read_out_of_the_worktree_override() {
        let a = adopt(
            "[project]\nname = \"a\"\nip = \"127.0.0.10\"\n",
            &[one(
                "devenv.nix",
                "services.postgres.listen_addresses",
                "let ip = builtins.getEnv \"DEVGEN_IP\"; in if ip == \"\" then \"127.0.0.20\" else ip",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\nip = \"127.0.0.20\"\n"
        );
    }

    #[test]
    fn a_missing_section_is_created() {
        let a = adopt(
            "[project]\nname = \"a\"\n",
            &[one(
                "devenv.nix",
                "services.postgres.package",
                "pkgs.postgresql_17",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n\n[toolchain]\npostgres = \"17\"\n"
        );
    }

    #[test]
    fn elixir_package_sets_elixir_and_erlang() {
        let spec = "[project]\nname = \"a\"\n[toolchain]\nelixir = \"1.18\"\nerlang = \"27\"\n";
        let a = adopt(
            spec,
            &[one(
                "devenv.nix",
                "languages.elixir.package",
                "pkgs.beamPackages.elixir_1_17",
            )],
        )
        .unwrap();
        assert_eq!(
            a.spec_text,
            "[project]\nname = \"a\"\n[toolchain]\nelixir = \"1.17\"\n"
        );
        let a = adopt(
            spec,
            &[one(
                "devenv.nix",
                "languages.elixir.package",
                "pkgs.beam.packages.erlang_26.elixir_1_16",
            )],
        )
        .unwrap();
        assert!(
            a.spec_text.contains("elixir = \"1.16\"\nerlang = \"26\""),
            "{}",
            a.spec_text
        );
    }

    #[test]
    fn env_strings_are_decoded_and_other_expressions_refused() {
        let a = adopt(
            "[project]\nname = \"a\"\n",
            &[
                one("devenv.nix", "env.ERL_AFLAGS", "\"-kernel \\\"x\\\"\""),
                one("devenv.nix", "env.X", "\"${pkgs.hello}\""),
                one("devenv.nix", "services.postgres.port", "config.port"),
                one("flake.nix", "nixConfig.extra-substituters", "[ ]"),
            ],
        )
        .unwrap();
        assert!(
            a.spec_text.contains("ERL_AFLAGS = '-kernel \"x\"'"),
            "{}",
            a.spec_text
        );
        assert_eq!(a.refused.len(), 3, "{:?}", a.refused);
    }
}
