//! Toolchain versions outside devenv.nix: asdf's (and mise's) `.tool-versions`, and
//! package.json, whose presence means the project builds JavaScript.

use crate::commands::import::findings::{Findings, Origin};
use crate::spec::edit::Setting;

/// Node major version for a project with a package.json that names none.
pub const DEFAULT_NODE: &str = "22";

/// `elixir 1.17.3-otp-27`, `erlang 27.1.2`, `nodejs 20.11.0`, `postgres 16.2`.
pub fn tool_versions(text: &str, found: &mut Findings) {
    for (i, line) in text.lines().enumerate() {
        let code = line.split('#').next().unwrap_or("");
        let mut words = code.split_whitespace();
        let (Some(tool), Some(version)) = (words.next(), words.next()) else {
            continue;
        };
        let (key, value) = match tool {
            "elixir" => ("elixir", major_minor(version)),
            "erlang" => ("erlang", major(version)),
            "nodejs" | "node" => ("node", major(version)),
            "postgres" | "postgresql" => ("postgres", major(version)),
            _ => continue,
        };
        let origin = Origin::new(".tool-versions", i + 1);
        match value {
            Some(v) => found.take(
                Setting::new("toolchain", key, Some(v.into())),
                origin,
                line.trim(),
            ),
            None => found.keep(
                origin,
                line.trim(),
                "not a version devgen.toml can say (a number like 1.18)",
            ),
        }
    }
}

/// package.json's `engines.node`, else devgen's default Node: the project builds JavaScript.
pub fn package_json(path: &str, text: &str, found: &mut Findings) {
    let engines = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.get("engines")?.get("node")?.as_str().map(String::from));
    let named = engines.as_deref().and_then(major);
    if named.is_none() && found.value("toolchain", "node").is_some() {
        return; // it names no version, and an earlier file did
    }
    let (version, origin, source) = match named {
        Some(v) => {
            let line = text
                .lines()
                .position(|l| l.contains("\"node\""))
                .map_or(0, |i| i + 1);
            (
                v,
                Origin::new(path, line),
                format!("engines.node {:?}", engines.unwrap_or_default()),
            )
        }
        None => (
            DEFAULT_NODE.to_string(),
            Origin::new(path, 0),
            "a package.json: the project builds JavaScript".into(),
        ),
    };
    found.take(
        Setting::new("toolchain", "node", Some(version.into())),
        origin,
        source,
    );
}

/// `20` of `>=20.11`, `v20.1.0`, `^20`.
fn major(version: &str) -> Option<String> {
    let digits: String = version
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (!digits.is_empty()).then_some(digits)
}

/// `1.17` of `1.17.3-otp-27`.
fn major_minor(version: &str) -> Option<String> {
    let mut parts = version.split(['.', '-']);
    let (a, b) = (parts.next()?, parts.next()?);
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    (numeric(a) && numeric(b)).then(|| format!("{a}.{b}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_versions_give_majors_and_elixirs_minor() {
        let mut f = Findings::default();
        tool_versions(
            "erlang 27.1.2\nelixir 1.17.3-otp-27 # pinned\nnodejs 20.11.0\nruby 3.3.0\n",
            &mut f,
        );
        assert_eq!(f.str("toolchain", "erlang"), Some("27"));
        assert_eq!(f.str("toolchain", "elixir"), Some("1.17"));
        assert_eq!(f.str("toolchain", "node"), Some("20"));
        assert_eq!(f.taken[1].origin.to_string(), ".tool-versions:2");
        assert!(f.kept.is_empty());
    }

    #[test]
    fn package_json_gives_node() {
        let mut f = Findings::default();
        package_json(
            "assets/package.json",
            "{\n  \"engines\": {\n    \"node\": \">=20.11\"\n  }\n}\n",
            &mut f,
        );
        assert_eq!(f.str("toolchain", "node"), Some("20"));
        assert_eq!(f.taken[0].origin.to_string(), "assets/package.json:3");
        let mut f = Findings::default();
        package_json("package.json", "{\"name\": \"x\"}", &mut f);
        assert_eq!(f.str("toolchain", "node"), Some(DEFAULT_NODE));
    }
}
