//! mix.exs: the OTP app (`app: :shop`), the module prefix (`defmodule Shop.MixProject`),
//! and whether the app depends on LiveDebugger, whose config would otherwise make every
//! `mix` run in dev warn.

use super::line_of;
use crate::commands::import::findings::{Findings, Origin};
use crate::model::DEFAULT_LIVE_DEBUGGER_PORT;
use crate::spec::edit::Setting;
use crate::spec::rules::{is_module_name, is_otp_app};

const FILE: &str = "mix.exs";

/// What a mix.exs says, each with its line.
#[derive(Debug, Default)]
pub struct MixProject {
    pub app: Option<(String, usize)>,
    pub module: Option<(String, usize)>,
    /// The line of `{:live_debugger, …}` in the deps, if any.
    pub live_debugger: Option<usize>,
    /// There was a mix.exs to read.
    pub exists: bool,
}

impl MixProject {
    pub fn read(mix: &str) -> MixProject {
        MixProject {
            app: app(mix),
            module: module(mix),
            live_debugger: dependency_line(mix, "live_debugger"),
            exists: true,
        }
    }

    /// Take what mix.exs says into `found`.
    pub fn report(&self, found: &mut Findings) {
        if let Some((app, line)) = &self.app {
            let setting = Setting::new("project", "app", Some(app.as_str().into()));
            found.take(setting, Origin::new(FILE, *line), format!("app: :{app}"));
        }
        if let Some((module, line)) = &self.module {
            let setting = Setting::new("project", "module", Some(module.as_str().into()));
            found.take(
                setting,
                Origin::new(FILE, *line),
                format!("defmodule {module}.MixProject"),
            );
        }
        if !self.exists {
            return;
        }
        let (port, origin, source) = match self.live_debugger {
            Some(line) => (
                toml_edit::Value::from(i64::from(DEFAULT_LIVE_DEBUGGER_PORT)),
                Origin::new(FILE, line),
                "{:live_debugger, …} in deps",
            ),
            None => (
                false.into(),
                Origin::new(FILE, 0),
                "no :live_debugger in deps",
            ),
        };
        found.take(
            Setting::new("phoenix", "live_debugger", Some(port)),
            origin,
            source,
        );
    }
}

/// `app: :my_app`, and its line.
fn app(mix: &str) -> Option<(String, usize)> {
    let at = mix.find("app:")?;
    let rest = mix[at + 4..].trim_start().strip_prefix(':')?;
    let app: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    is_otp_app(&app).then(|| (app, line_of(mix, at)))
}

/// `MyApp` from `defmodule MyApp.MixProject do`, and its line.
fn module(mix: &str) -> Option<(String, usize)> {
    let at = mix.find("defmodule ")?;
    let name = mix[at + 10..]
        .split_whitespace()
        .next()?
        .strip_suffix(".MixProject")?;
    is_module_name(name).then(|| (name.to_string(), line_of(mix, at)))
}

/// The line of the dependency `{:app, …}` (not commented out), if mix.exs lists it.
fn dependency_line(mix: &str, app: &str) -> Option<usize> {
    let dep = format!("{{:{app},");
    mix.lines()
        .position(|l| {
            let code = l.trim_start();
            !code.starts_with('#') && code.split('#').next().is_some_and(|c| c.contains(&dep))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_module_and_dependencies_with_their_lines() {
        let mix =
            "defmodule Liberties.MixProject do\n  def project do\n    [\n      app: :liberties,\n";
        let p = MixProject::read(mix);
        assert_eq!(p.app, Some(("liberties".into(), 4)));
        assert_eq!(p.module, Some(("Liberties".into(), 1)));
        let with = "  defp deps do\n    [\n      {:phoenix, \"~> 1.8\"},\n      {:live_debugger, \"~> 0.4\", only: :dev}\n    ]\n";
        let without = "  defp deps do\n    [\n      {:phoenix, \"~> 1.8\"},\n      # {:live_debugger, \"~> 0.4\"}\n    ]\n";
        assert_eq!(dependency_line(with, "live_debugger"), Some(4));
        assert_eq!(dependency_line(without, "live_debugger"), None);
        let mut found = Findings::default();
        MixProject::read(without).report(&mut found);
        assert_eq!(
            found
                .value("phoenix", "live_debugger")
                .and_then(|v| v.as_bool()),
            Some(false)
        );
        let mut found = Findings::default();
        MixProject::read(with).report(&mut found);
        let port = found
            .value("phoenix", "live_debugger")
            .and_then(|v| v.as_integer());
        assert_eq!(port, Some(i64::from(DEFAULT_LIVE_DEBUGGER_PORT)));
    }
}
