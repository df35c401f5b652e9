//! The man page: one page for devgen and all its commands (the per-command pages clap_mangen
//! would refer to are not installed anywhere), derived from the same flag list as the help,
//! with the exit status scripts rely on.

use std::path::Path;

use clap::CommandFactory;

use super::args::Cli;
use crate::error::{Error, Result};

/// One man page for devgen and all its commands (the per-command pages clap_mangen would
/// refer to are not installed anywhere), with the exit codes scripts rely on.
pub fn man_page() -> Result<String> {
    let render_err = |e| Error::io("cannot render", Path::new("the man page"), e);
    let cli = Cli::command();
    let mut buf = Vec::new();
    let man = clap_mangen::Man::new(cli.clone());
    man.render_title(&mut buf).map_err(render_err)?;
    man.render_name_section(&mut buf).map_err(render_err)?;
    man.render_synopsis_section(&mut buf).map_err(render_err)?;
    man.render_description_section(&mut buf)
        .map_err(render_err)?;
    man.render_options_section(&mut buf).map_err(render_err)?;
    buf.extend_from_slice(commands_section(&cli).as_bytes());
    buf.extend_from_slice(EXIT_STATUS.as_bytes());
    buf.extend_from_slice(repository_section(crate::spec::reference::REPOSITORY).as_bytes());
    man.render_version_section(&mut buf).map_err(render_err)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// The exit codes, as `commands::Outcome` gives them.
const EXIT_STATUS: &str = ".SH \"EXIT STATUS\"\n.TP\n0\nin sync (diff), or done\n.TP\n1\ndrift: the files differ from devgen.toml (diff); findings (check); a failed check (doctor)\n\
     .TP\n2\nerror: bad spec, bad input, broken markers, missing lock, a run stopped halfway (diff: run sync to finish it), I/O\n\
     .TP\n3\nconflict: something devgen manages was changed by hand; nothing was written\n\
     .TP\n141\nthe reader of devgen's output went away (as a program stopped by SIGPIPE)\n";

/// Where devgen lives, from Cargo.toml's `repository`; nothing while it has no public home.
fn repository_section(repository: &str) -> String {
    if repository.is_empty() {
        return String::new();
    }
    format!(".SH REPOSITORY\n{}\n", roff_escape(repository))
}

/// Every command with its usage, what it does, and each of its options.
fn commands_section(cli: &clap::Command) -> String {
    let mut out = String::from(".SH COMMANDS\n");
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let usage = sub
            .clone()
            .bin_name(format!("devgen {name}"))
            .render_usage()
            .to_string();
        let usage = usage.trim_start_matches("Usage: ");
        out.push_str(&format!(
            ".TP\n\\fB{}\\fR\n{}\n",
            roff_escape(usage),
            roff_escape(&about)
        ));
        for arg in sub
            .get_arguments()
            .filter(|a| !a.is_hide_set() && a.get_id() != "help")
        {
            let flag = match (arg.get_long(), arg.get_short()) {
                (Some(l), _) => format!("--{l}"),
                (None, Some(c)) => format!("-{c}"),
                (None, None) => arg.get_id().as_str().to_uppercase(),
            };
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push_str(&format!(
                ".RS\n.TP\n{}\n{}\n.RE\n",
                roff_escape(&flag),
                roff_escape(&help)
            ));
        }
    }
    out
}

/// Text for a roff line: backslashes doubled, and a leading dot or quote kept literal.
fn roff_escape(text: &str) -> String {
    let t = text.replace('\\', "\\\\").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}
