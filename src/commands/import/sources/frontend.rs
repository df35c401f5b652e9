//! A JavaScript app beside Phoenix (seed 002's `frontend/`): a directory of the usual names
//! with a package.json that has a `dev` script gives `[frontend]` — its directory, the
//! package manager its lockfile belongs to, its dev and build commands, the port its dev
//! script names — and its `engines.node`, the Node.js version. Phoenix's own `assets/` is
//! not one: esbuild and tailwind build it inside Phoenix.

use serde_json::Value;

use super::{read, versions};
use crate::commands::import::findings::{Findings, Origin};
use crate::error::Result;
use crate::project::ProjectRoot;
use crate::spec::edit::Setting;

/// Where frontends beside Phoenix usually live, in the order looked at.
const DIRS: &[&str] = &["frontend", "web", "client", "app", "apps/web", "ui"];

/// Each lockfile, with the package manager that writes it.
const LOCKFILES: &[(&str, &str)] = &[
    ("bun.lock", "bun"),
    ("bun.lockb", "bun"),
    ("pnpm-lock.yaml", "pnpm"),
    ("yarn.lock", "yarn"),
    ("package-lock.json", "npm"),
];

pub fn scan(root: &ProjectRoot, found: &mut Findings) -> Result<()> {
    for dir in DIRS {
        let path = format!("{dir}/package.json");
        let Some(text) = read(root, &path, found)? else {
            continue;
        };
        let Ok(package) = serde_json::from_str::<Value>(&text) else {
            found.keep(
                Origin::new(&path, 0),
                &path,
                "does not parse as JSON: nothing taken from it",
            );
            continue;
        };
        let scripts = package.get("scripts");
        let script = |name: &str| scripts.and_then(|s| s.get(name)).and_then(Value::as_str);
        let Some(dev) = script("dev") else {
            continue;
        };
        let mut manager = None;
        for (lockfile, pm) in LOCKFILES {
            if root.read(&format!("{dir}/{lockfile}"))?.is_some() {
                manager = Some((*lockfile, *pm));
                break;
            }
        }
        // Node.js first, for a package manager that runs on it (bun does not), so that the
        // spec loads with each value of the table as it is taken.
        if manager.is_none_or(|(_, pm)| pm != "bun") {
            versions::package_json(&path, &text, found);
        }
        take(found, &path, &text, dir, manager, dev, script("build"));
        return Ok(());
    }
    Ok(())
}

/// `[frontend]` from one package.json.
fn take(
    found: &mut Findings,
    path: &str,
    text: &str,
    dir: &str,
    manager: Option<(&str, &str)>,
    dev: &str,
    build: Option<&str>,
) {
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map_or(0, |i| i + 1)
    };
    let origin = |needle: &str| Origin::new(path, line_of(needle));
    let set = |key: &str, value: toml_edit::Value| Setting::new("frontend", key, Some(value));
    let pm = match manager {
        Some((lockfile, pm)) => {
            let at = Origin::new(&format!("{dir}/{lockfile}"), 0);
            found.take(set("package_manager", pm.into()), at, lockfile);
            pm
        }
        None => "npm",
    };
    found.take(
        set("dir", dir.into()),
        Origin::new(path, 0),
        "a package.json with a dev script",
    );
    let dev_command = format!("{pm} run dev");
    found.take(
        set("dev", dev_command.into()),
        origin("\"dev\""),
        format!("scripts.dev {dev:?}"),
    );
    if let Some(port) = port_of(dev) {
        found.take(
            set("port", i64::from(port).into()),
            origin("\"dev\""),
            format!("scripts.dev {dev:?}"),
        );
    }
    if let Some(build) = build {
        let command = format!("{pm} run build");
        found.take(
            set("build", command.into()),
            origin("\"build\""),
            format!("scripts.build {build:?}"),
        );
    }
}

/// The port a dev script names: `--port 3100`, `--port=3100`, `-p 3100`, `PORT=3100 …`.
fn port_of(script: &str) -> Option<u16> {
    let words: Vec<&str> = script.split_whitespace().collect();
    words.iter().enumerate().find_map(|(i, w)| {
        if let Some(p) = w
            .strip_prefix("--port=")
            .or_else(|| w.strip_prefix("PORT="))
        {
            return p.parse().ok();
        }
        matches!(*w, "--port" | "-p").then(|| words.get(i + 1)?.parse().ok())?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_from_the_usual_spellings() {
        assert_eq!(port_of("vite --port 3100"), Some(3100));
        assert_eq!(port_of("vinxi dev --port=3200"), Some(3200));
        assert_eq!(port_of("PORT=3300 next dev"), Some(3300));
        assert_eq!(port_of("next dev -p 3400"), Some(3400));
        assert_eq!(port_of("vite"), None);
    }
}
