//! With `[deploy.nixos]`, the flake's production outputs: the release beside the dev shell,
//! the NixOS module and devgen's host — in devgen's flake or in a team's own shape.

use nix_edit::{AttrPath, NixDocument};

use super::scope::Scope;
use super::{is_flake_parts, path, per_system, per_system_path, template_value};
use crate::error::{Error, Result};

/// The NixOS hosts, one of them devgen's with `[deploy.nixos]`.
const HOSTS: &str = "outputs.nixosConfigurations";
/// What devgen's package is made of, in the names of the scope it goes in.
const CALL_PACKAGE: &str = "callPackage ./nix/package.nix { }";

/// With `[deploy.nixos]`, the flake's release and NixOS outputs: `packages.<system>.default`
/// beside the dev shell, `nixosModules.default` and `nixosConfigurations.<name>`.
pub(super) struct Release {
    /// `<name>` of `nixosConfigurations.<name>`, as a path segment.
    host: AttrPath,
    /// devgen's host, as its own flake spells it.
    host_value: String,
    /// The OTP app: the release's name beside a `packages.<system>.default` of the flake's own.
    app: String,
}

impl Release {
    /// The release outputs devgen's flake has; `None` without `[deploy.nixos]`. The host's
    /// name is read off the one line devgen's template binds it on,
    /// `nixosConfigurations.<name> = …`, and the app's off the host's
    /// `services.<app>.package`.
    pub(super) fn of(rendered: &NixDocument) -> Result<Option<Release>> {
        const HOST_LINE: &str = "nixosConfigurations.";
        let text = rendered.text();
        let Some(at) = text.find(HOST_LINE) else {
            return Ok(None);
        };
        let rest = &text[at + HOST_LINE.len()..];
        let name = rest.split(" = ").next().unwrap_or_default();
        let internal = |what: &str| {
            Error::Usage(format!(
                "internal error: devgen's flake names its {what} {name:?}; please report this"
            ))
        };
        let host: AttrPath = name.parse().map_err(|_| internal("host"))?;
        let whole = path(&format!("{HOSTS}.{name}"));
        let host_value = dedent(&rendered.get(&whole)?.unwrap_or_default());
        let app = host_value
            .split("services.")
            .nth(1)
            .and_then(|s| s.split(".package").next())
            .and_then(|name| name.parse::<AttrPath>().ok())
            .and_then(|name| name.segments().first().cloned())
            .ok_or_else(|| internal("app"))?;
        Ok(Some(Release {
            host,
            host_value,
            app,
        }))
    }

    /// Where devgen's own flake has them, with the values it has there as a later merge
    /// gives them (the host's without the template's indentation), so that the lock of a
    /// flake devgen creates records what the next run compares.
    pub(super) fn own_values(&self, rendered: &NixDocument) -> Result<Vec<(AttrPath, String)>> {
        let [package, module] = ["outputs.packages.default", "outputs.nixosModules.default"]
            .map(|p| -> Result<(AttrPath, String)> { Ok((path(p), template_value(rendered, p)?)) });
        Ok(vec![
            package?,
            module?,
            (self.host_in("outputs"), self.host_value.clone()),
        ])
    }

    /// `<top>.nixosConfigurations.<name>`.
    fn host_in(&self, top: &str) -> AttrPath {
        let mut segments = path(&format!("{top}.nixosConfigurations"))
            .segments()
            .to_vec();
        segments.extend(self.host.segments().iter().cloned());
        AttrPath::new(segments).expect("the segments of valid paths make a valid path")
    }

    /// The release's values in `flake`, in its own shape: the package inside its
    /// function over systems (named after the app when the flake has a default package of
    /// its own); then, beside the systems' outputs, the module and host — where flake-parts
    /// declares them (`flake.`), in the set on the right of `eachDefaultSystem (…) // { … }` —
    /// every name as `outputs` binds it.
    #[allow(clippy::type_complexity)]
    pub(super) fn values(
        &self,
        flake: &NixDocument,
        recorded: &dyn Fn(&AttrPath) -> bool,
    ) -> Result<((AttrPath, String), Vec<(AttrPath, String)>)> {
        let name = self.package_name(flake, recorded);
        let package = per_system(flake, "packages", name, recorded, |scope| {
            format!("{}.{CALL_PACKAGE}", scope.pkgs_or_nixpkgs())
        })?;
        let top = if is_flake_parts(flake) {
            "outputs.flake"
        } else {
            "outputs"
        };
        let host = self.host_in(top);
        // Where the host goes when paths do not go into the functions over systems.
        let mut beside_systems = flake.clone();
        beside_systems.look_through(Vec::<String>::new());
        let scope = Scope::at(&beside_systems, &host).ok().filter(|s| !s.system);
        let Some(scope) = scope else {
            // Only eachDefaultSystem's body: a host there would be one per system.
            let (line, col) = flake.value_position(&path("outputs")).unwrap_or((1, 1));
            return Err(Error::Usage(format!(
                "flake.nix:{line}:{col}: the flake maps all of its outputs over systems, and a NixOS module and host are not per system\n  \
                 = help: give `outputs` a set of its own beside the systems' and run devgen again: \
                 outputs = {{ self, nixpkgs, ... }}: flake-utils.lib.eachDefaultSystem (system: {{ … }}) // {{ }};"
            )));
        };
        let host_value = rename(&self.host_value, "nixpkgs", &scope.nixpkgs());
        Ok((
            package,
            vec![
                (
                    path(&format!("{top}.nixosModules.default")),
                    "./nix/module.nix".to_string(),
                ),
                (host, host_value),
            ],
        ))
    }

    /// `default`, unless the flake has a default package of its own (one devgen did not
    /// write): then the app's name, beside it.
    fn package_name<'a>(
        &'a self,
        flake: &NixDocument,
        recorded: &dyn Fn(&AttrPath) -> bool,
    ) -> &'a str {
        let default = per_system_path(flake, "packages", "default");
        if recorded(&default) || recorded(&path("outputs.packages")) {
            return "default";
        }
        match flake.get(&default) {
            Ok(Some(value)) if !value.contains(CALL_PACKAGE) => &self.app,
            _ => "default",
        }
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
