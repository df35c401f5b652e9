//! The devgen.toml an import writes: devgen's commented first spec, with the project's
//! name and address, then every value the project's files gave, each checked on its own —
//! a value devgen.toml cannot hold is reported and left out, never a spec that fails to load.

use std::net::Ipv4Addr;

use serde::Serialize;

use super::findings::{shown, Findings};
use crate::error::{Error, Result};
use crate::model::{
    self, camel_case, Facts, DEFAULT_ELIXIR, DEFAULT_LIVE_DEBUGGER_PORT, DEFAULT_PHOENIX_PORT,
    DEFAULT_POSTGRES, DEFAULT_POSTGRES_PORT,
};
use crate::project::ProjectRoot;
use crate::render::Renderer;
use crate::spec::edit::{Setting, SpecEdit};
use crate::spec::reference::schema_url;
use crate::spec::rules::is_project_name;
use crate::spec::{self, SPEC_FILE};

#[derive(Debug, Serialize)]
struct FirstSpec<'a> {
    name: &'a str,
    app: Option<&'a str>,
    module: Option<&'a str>,
    host: String,
    ip: String,
    elixir: &'a str,
    erlang: Option<&'a str>,
    node: Option<&'a str>,
    postgres: &'a str,
    phoenix_port: u16,
    /// LiveDebugger's port, or none when mix.exs does not depend on it.
    live_debugger: Option<u16>,
    postgres_port: u16,
    /// The schema's URL for the `#:schema` line; none while devgen has no public home.
    schema_url: Option<String>,
}

/// The text of the devgen.toml of the project named `name`, on the address `ip`, saying
/// what `found` holds. What devgen.toml cannot hold moves from `found.taken` to `found.kept`.
pub fn spec_text(
    renderer: &Renderer,
    name: &str,
    ip: Ipv4Addr,
    found: &mut Findings,
) -> Result<String> {
    let defaults = Defaults::of(name, found);
    let first = FirstSpec {
        host: crate::model::default_host(name),
        name,
        app: defaults.app.as_deref(),
        module: defaults.module.as_deref(),
        ip: ip.to_string(),
        elixir: found.str("toolchain", "elixir").unwrap_or(DEFAULT_ELIXIR),
        erlang: found.str("toolchain", "erlang"),
        node: found.str("toolchain", "node"),
        postgres: DEFAULT_POSTGRES,
        phoenix_port: DEFAULT_PHOENIX_PORT,
        live_debugger: live_debugger(found),
        postgres_port: DEFAULT_POSTGRES_PORT,
        schema_url: schema_url(),
    };
    let text = renderer.render_template(
        SPEC_FILE,
        "init/devgen.toml.j2",
        &crate::render::values(&first),
    )?;
    with_findings(text, found, &defaults)
}

/// Values that need not be written because they are what devgen derives anyway.
struct Defaults {
    /// The app's name when it is not the project name's (`shop_web` for `shop`).
    app: Option<String>,
    module: Option<String>,
    databases: [String; 2],
}

impl Defaults {
    fn of(name: &str, found: &Findings) -> Defaults {
        let derived = name.replace('-', "_");
        let app = found
            .str("project", "app")
            .filter(|a| *a != derived)
            .map(String::from);
        let effective = app.clone().unwrap_or(derived);
        let module = found
            .str("project", "module")
            .filter(|m| *m != camel_case(&effective))
            .map(String::from);
        Defaults {
            databases: [format!("{effective}_dev"), format!("{effective}_test")],
            app,
            module,
        }
    }

    /// Whether `setting` says only what devgen would derive, or what the template wrote.
    fn needless(&self, s: &Setting) -> bool {
        match (s.section, s.key.as_str()) {
            ("project", "app") => self.app.is_none(),
            ("project", "module") => self.module.is_none(),
            ("project", "ip") => true,
            ("postgres", "databases") => {
                shown(&s.value) == format!("[{:?}, {:?}]", self.databases[0], self.databases[1])
            }
            _ => false,
        }
    }
}

/// LiveDebugger's port as mix.exs decides it: devgen's default without a mix.exs.
fn live_debugger(found: &Findings) -> Option<u16> {
    match found.value("phoenix", "live_debugger") {
        Some(v) if v.as_bool() == Some(false) => None,
        Some(v) => v.as_integer().and_then(|p| u16::try_from(p).ok()),
        None => Some(DEFAULT_LIVE_DEBUGGER_PORT),
    }
}

/// `text` with every setting of `found` written in, one at a time, each kept only when the
/// spec still loads with it.
fn with_findings(mut text: String, found: &mut Findings, defaults: &Defaults) -> Result<String> {
    let mut refused = Vec::new();
    for (i, taken) in found.taken.iter().enumerate() {
        if defaults.needless(&taken.setting) {
            continue;
        }
        let mut edit = SpecEdit::parse(&text)?;
        edit.set(&taken.setting);
        let candidate = edit.finish();
        match loads(&candidate) {
            Ok(()) => text = candidate,
            Err(why) => refused.push((i, why)),
        }
    }
    for (i, why) in refused.into_iter().rev() {
        let t = found.taken.remove(i);
        let what = format!("{} = {}", t.setting.name(), shown(&t.setting.value));
        found.keep(t.origin, what, format!("devgen.toml cannot hold it: {why}"));
    }
    Ok(text)
}

/// Whether a spec loads, or the first line of why not.
fn loads(text: &str) -> std::result::Result<(), String> {
    let checked = spec::parse(SPEC_FILE, text)
        .and_then(|src| model::resolve(&src, &Facts::DEFAULT).map(drop));
    checked.map_err(|e| {
        let message = crate::diff::plain(&e.to_string());
        message
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ")
            .to_string()
    })
}

/// `--name`, checked, or a name derived from the directory's.
pub fn project_name(root: &ProjectRoot, name: Option<&str>) -> Result<String> {
    match name {
        Some(n) if is_project_name(n) => Ok(n.to_string()),
        Some(n) => Err(Error::Usage(format!(
            "--name {n:?} is not a valid project name\n  = help: use lowercase letters, digits, '-' and '_', starting with a letter, like \"my-app\""
        ))),
        None => {
            let dir_name = root
                .path()
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            project_name_from(&dir_name).ok_or_else(|| {
                Error::Usage(format!(
                    "cannot derive a project name from the directory name {dir_name:?}\n  = help: pass one: devgen init --name my-app"
                ))
            })
        }
    }
}

/// A project name from a directory name: written in ASCII (`Ünïcode` → `unicode`, by
/// deunicode's transliteration), lowercased, other characters turned into '-', starting
/// with a letter.
fn project_name_from(dir: &str) -> Option<String> {
    let mapped: String = deunicode::deunicode(dir)
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let trimmed = mapped
        .trim_start_matches(|c: char| !c.is_ascii_lowercase())
        .trim_end_matches('-');
    let mut name = String::new();
    for c in trimmed.chars() {
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name.truncate(64);
    let name = name.trim_end_matches('-').to_string();
    is_project_name(&name).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::import::findings::Origin;

    #[test]
    fn names_from_directories() {
        assert_eq!(project_name_from("acme").as_deref(), Some("acme"));
        assert_eq!(
            project_name_from("Liberties WWW").as_deref(),
            Some("liberties-www")
        );
        assert_eq!(project_name_from("2048-game").as_deref(), Some("game"));
        assert_eq!(project_name_from("...").as_deref(), None);
        assert_eq!(project_name_from("Ünïcode").as_deref(), Some("unicode"));
        assert_eq!(
            project_name_from("Café Crème").as_deref(),
            Some("cafe-creme")
        );
    }

    /// The spec of the project `shop` on 127.0.0.30 with what `found` holds.
    fn shop_spec(found: &mut Findings) -> String {
        spec_text(
            &Renderer::new(),
            "shop",
            Ipv4Addr::new(127, 0, 0, 30),
            found,
        )
        .unwrap()
    }

    #[test]
    fn values_are_written_with_the_templates_comments_and_defaults_left_out() {
        let mut found = Findings::default();
        let at = Origin::new("devenv.nix", 3);
        found.take(
            Setting::new("postgres", "port", Some(5433.into())),
            at.clone(),
            "5433",
        );
        found.take(
            Setting::new("project", "app", Some("shop".into())),
            at.clone(),
            "app",
        );
        let dbs = toml_edit::Array::from_iter(["shop_dev", "shop_test"]);
        found.take(
            Setting::new("postgres", "databases", Some(dbs.into())),
            at.clone(),
            "dbs",
        );
        let text = shop_spec(&mut found);
        assert!(text.contains("\n[postgres]\nport = 5433\n"), "{text}");
        assert!(!text.contains("\napp = "), "{text}");
        assert!(!text.contains("\ndatabases = "), "{text}");
        assert!(text.contains("ip = \"127.0.0.30\""), "{text}");
    }

    #[test]
    fn a_value_the_spec_cannot_hold_is_reported_not_written() {
        let mut found = Findings::default();
        let at = Origin::new("config/dev.exs", 9);
        found.take(
            Setting::new("phoenix", "port", Some(99999.into())),
            at,
            "port: 99999",
        );
        let text = shop_spec(&mut found);
        assert!(text.contains("port = 4000"), "{text}");
        assert!(found.taken.is_empty());
        assert_eq!(found.kept[0].origin.to_string(), "config/dev.exs:9");
        assert!(
            found.kept[0].why.starts_with("devgen.toml cannot hold it"),
            "{}",
            found.kept[0].why
        );
    }
}
