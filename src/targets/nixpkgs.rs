//! nixpkgs' attribute names for the toolchain versions the model holds, shared by every
//! target that writes Nix (and read back by the adopt tables).

/// The PostgreSQL package of a major version: `postgresql_16`.
pub const POSTGRESQL: &str = "postgresql_";
/// The Node.js package of a major version: `nodejs_22`.
pub const NODEJS: &str = "nodejs_";
/// The BEAM package set of an Erlang/OTP major version: `beam.packages.erlang_27`.
pub const BEAM_SET: &str = "beam.packages.erlang_";
/// nixpkgs' default BEAM package set.
pub const DEFAULT_BEAM_SET: &str = "beamPackages";

pub fn postgresql(major: &str) -> String {
    format!("{POSTGRESQL}{major}")
}

pub fn nodejs(major: &str) -> String {
    format!("{NODEJS}{major}")
}

/// Elixir `major.minor` from the BEAM package set of `erlang` (nixpkgs' default set when
/// `None`): `beam.packages.erlang_27.elixir_1_18`. nixpkgs keeps Elixir in the BEAM package
/// sets; the top-level `elixir_*` are deprecated aliases.
pub fn elixir(elixir: &str, erlang: Option<&str>) -> String {
    let set = match erlang {
        Some(otp) => format!("{BEAM_SET}{otp}"),
        None => DEFAULT_BEAM_SET.to_string(),
    };
    format!("{set}.elixir_{}", elixir.replace('.', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attribute_names() {
        assert_eq!(postgresql("16"), "postgresql_16");
        assert_eq!(
            elixir("1.18", Some("27")),
            "beam.packages.erlang_27.elixir_1_18"
        );
        assert_eq!(elixir("1.17", None), "beamPackages.elixir_1_17");
    }
}
