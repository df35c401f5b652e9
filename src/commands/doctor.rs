//! `devgen doctor`: run every check on the address and host the checkout uses (the spec's,
//! or a worktree's overrides from the environment) and report them, as text or JSON; exit 1
//! when one fails. It changes nothing.

use std::fs;
use std::net::SocketAddr;
use std::path::Path;

use serde::Serialize;

use super::pipeline::Resolved;
use super::Outcome;
use crate::error::Result;
use crate::machine::doctor::{self, Check, Checkout, Status};
use crate::machine::registry::Registry;
use crate::output::{stream_error, Format, Io};
use crate::project::find_root;
use crate::targets::container;

/// What `devgen doctor` was told.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub format: Format,
    /// The dnsmasq to ask directly; default: 127.0.0.1:53 when `devgen net --apply` has
    /// installed its dnsmasq drop-in on this machine.
    pub dns: Option<SocketAddr>,
}

/// `devgen doctor` for the project around `dir`.
pub fn doctor(dir: &Path, opts: &Options, io: &mut Io) -> Result<Outcome> {
    let root = find_root(dir)?;
    let spec_text = root.read_spec()?;
    let registry = Registry::load_default();
    let resolved = Resolved::from_registry(root.path(), &spec_text, registry.as_ref())?;
    let checkout = Checkout::new(root.path(), resolved.model)?;
    let mut checks = doctor::run(&checkout, registry.as_ref(), opts.dns);
    for need in container::app_lines(&checkout.model) {
        // A file that cannot be read, missing too, fails the check with why.
        let present = need.present(|file| fs::read_to_string(checkout.root.join(file)).map(Some));
        checks.push(doctor::source_line(
            "spa-route",
            &need.file,
            need.marker,
            need.line,
            present,
        ));
    }
    let failed = checks.iter().filter(|c| c.status == Status::Fail).count();
    let outcome = if failed == 0 {
        Outcome::Success
    } else {
        Outcome::ChecksFailed
    };
    match opts.format {
        Format::Json => io.json(&JsonReport {
            project: JsonProject {
                name: &checkout.model.project.name,
                root: &checkout.root,
                ip: checkout.ip.to_string(),
                host: &checkout.host,
            },
            status: if failed == 0 { "ok" } else { "failed" },
            exit_code: outcome.exit_code(),
            checks: &checks,
        })?,
        Format::Text => print_text(&checkout, &checks, failed, io)?,
    }
    Ok(outcome)
}

/// One line a check, with its fix under a failure, between a heading and a summary.
fn print_text(c: &Checkout, checks: &[Check], failed: usize, io: &mut Io) -> Result<()> {
    let from = if c.overridden.is_empty() {
        String::new()
    } else {
        format!("; {} from the environment", c.overridden.join(" and "))
    };
    writeln!(
        io.out,
        "devgen doctor: {} at {} ({}, {}{from})",
        c.model.project.name,
        c.root.display(),
        c.ip,
        c.host
    )
    .map_err(stream_error)?;
    let width = checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for check in checks {
        let mark = match check.status {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::NotApplicable => "n/a ",
        };
        writeln!(io.out, "  {mark}  {:<width$}  {}", check.id, check.summary)
            .map_err(stream_error)?;
        if let Some(fix) = &check.fix {
            let pad = " ".repeat(width + 10);
            writeln!(
                io.out,
                "{pad}fix: {}",
                fix.replace('\n', &format!("\n{pad}     "))
            )
            .map_err(stream_error)?;
        }
    }
    let summary = if failed == 0 {
        format!(
            "devgen doctor: all {} checks passed or do not apply",
            checks.len()
        )
    } else {
        format!("devgen doctor: {failed} of {} checks failed", checks.len())
    };
    writeln!(io.out, "{summary}").map_err(stream_error)
}

#[derive(Serialize)]
struct JsonReport<'a> {
    project: JsonProject<'a>,
    status: &'static str,
    exit_code: u8,
    checks: &'a [Check],
}

#[derive(Serialize)]
struct JsonProject<'a> {
    name: &'a str,
    root: &'a Path,
    ip: String,
    host: &'a str,
}
