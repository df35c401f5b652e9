//! Which command a command line runs, with the options it was given. Paths on the command
//! line are relative to `-C DIR`.

use std::path::Path;

use clap::CommandFactory;

use super::args::{Cli, Command, NixCommand, RegistryCommand};
use super::man::man_page;
use crate::commands::{self, doctor, init, net, nix, shared, sync, Outcome};
use crate::error::{Error, Result};
use crate::machine::net::Platform;
use crate::output::Io;
use crate::spec::reference;

/// Run the command `cli` names.
pub fn run(cli: &Cli, io: &mut Io) -> Result<Outcome> {
    let dir = cli.dir.as_path();
    match &cli.command {
        Command::Init(a) => init::init(dir, &a.options(), io),
        Command::Sync(a) => sync::sync(dir, a.options(), io),
        Command::Import(a) => commands::import::import(dir, &a.options(), io),
        Command::Diff { quiet, format } => commands::diff::diff(dir, *quiet, *format, io),
        Command::Check(a) => commands::check::check(dir, &a.options(), io),
        Command::DepsHash { message, dry_run } => {
            commands::deps_hash::deps_hash(dir, message.as_deref(), *dry_run, io)
        }
        Command::Net(a) => {
            let (write, root) = (
                a.write.as_ref().map(|w| dir.join(w)),
                a.root.as_ref().map(|r| dir.join(r)),
            );
            net::net(
                a.platform.unwrap_or_else(Platform::current),
                a.action(write.as_deref(), root.as_deref()),
                io,
            )
        }
        Command::Worktree => commands::worktree::worktree(dir, io),
        Command::Doctor(a) => doctor::doctor(dir, &a.options(), io),
        Command::Registry(r) => registry(dir, r, io),
        Command::Shared(a) => shared::shared(dir, &a.options(dir), io),
        Command::Schema { markdown } => print(io, &schema(*markdown)),
        Command::Completions { shell } => print(io, &completions(*shell)),
        Command::Man => print(io, &man_page()?),
        Command::Nix(n) => nix::nix(dir, &nix_request(n), io),
    }
}

/// The spec's JSON Schema, or its reference as Markdown.
fn schema(markdown: bool) -> String {
    if markdown {
        reference::markdown()
    } else {
        reference::json()
    }
}

/// The completion script for `shell`.
fn completions(shell: clap_complete::Shell) -> String {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "devgen", &mut buf);
    String::from_utf8_lossy(&buf).into_owned()
}

fn registry(dir: &Path, command: &RegistryCommand, io: &mut Io) -> Result<Outcome> {
    use commands::registry::{gc, list, release};
    match command {
        RegistryCommand::List { format } => list(*format, io),
        RegistryCommand::Release { path } => release(dir, path.as_deref(), io),
        RegistryCommand::Gc => gc(io),
    }
}

/// The request a `devgen nix` subcommand makes.
fn nix_request(n: &NixCommand) -> nix::Request<'_> {
    use nix::{Op, Output, Request};
    let (op, file, path, expr, output, report) = match n {
        NixCommand::Get { file, path, report } => {
            (Op::Get, file, path, None, Output::Print, report)
        }
        NixCommand::Set {
            file,
            path,
            expr,
            out,
            report,
        } => (Op::Set, file, path, Some(expr), out.mode(), report),
        NixCommand::Add {
            file,
            path,
            expr,
            out,
            report,
        } => (Op::Add, file, path, Some(expr), out.mode(), report),
        NixCommand::Remove {
            file,
            path,
            expr,
            out,
            report,
        } => (Op::Remove, file, path, Some(expr), out.mode(), report),
        NixCommand::Delete {
            file,
            path,
            out,
            report,
        } => (Op::Delete, file, path, None, out.mode(), report),
    };
    Request {
        op,
        file,
        path,
        expr: expr.map(String::as_str),
        output,
        format: report.format,
        verbose: report.verbose,
    }
}

/// Print `text` on stdout, for the commands that only print.
fn print(io: &mut Io, text: &str) -> Result<Outcome> {
    io.out
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write to", Path::new("stdout"), e))?;
    Ok(Outcome::Success)
}
