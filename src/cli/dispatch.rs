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
        Command::Init {
            name,
            ip,
            force,
            dry_run,
        } => {
            let opts = init::Options {
                name: name.clone(),
                ip: ip.clone(),
                force: *force,
                dry_run: *dry_run,
            };
            init::init(dir, &opts, io)
        }
        Command::Sync {
            force,
            adopt,
            dry_run,
        } => {
            let opts = sync::Options {
                force: *force,
                adopt: *adopt,
                dry_run: *dry_run,
            };
            sync::sync(dir, opts, io)
        }
        Command::Diff { quiet, format } => commands::diff::diff(dir, *quiet, *format, io),
        Command::Net {
            platform,
            write,
            apply,
            root,
        } => {
            let platform = platform.unwrap_or_else(Platform::current);
            let write = write.as_ref().map(|w| dir.join(w));
            let root = root.as_ref().map(|r| dir.join(r));
            let action = match (&write, apply) {
                (Some(w), _) => net::Action::Write(w),
                (None, true) => net::Action::Apply(root.as_deref()),
                (None, false) => net::Action::Print,
            };
            net::net(platform, action, io)
        }
        Command::Worktree => commands::worktree::worktree(dir, io),
        Command::Doctor { format, dns } => {
            let opts = doctor::Options {
                format: *format,
                dns: *dns,
            };
            doctor::doctor(dir, &opts, io)
        }
        Command::Registry(r) => registry(dir, r, io),
        Command::Shared {
            write,
            postgres,
            force,
            dry_run,
        } => {
            let opts = shared::Options {
                write: write.as_ref().map(|w| dir.join(w)),
                postgres: postgres.clone(),
                force: *force,
                dry_run: *dry_run,
            };
            shared::shared(dir, &opts, io)
        }
        Command::Schema { markdown } => {
            let text = if *markdown {
                reference::markdown()
            } else {
                reference::json()
            };
            print(io, &text)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "devgen", &mut buf);
            print(io, &String::from_utf8_lossy(&buf))
        }
        Command::Man => print(io, &man_page()?),
        Command::Nix(n) => nix::nix(dir, &nix_request(n), io),
    }
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
    let (op, file, path, expr, output) = match n {
        NixCommand::Get { file, path } => (Op::Get, file, path, None, Output::Print),
        NixCommand::Set {
            file,
            path,
            expr,
            out,
        } => (Op::Set, file, path, Some(expr), out.mode()),
        NixCommand::Add {
            file,
            path,
            expr,
            out,
        } => (Op::Add, file, path, Some(expr), out.mode()),
        NixCommand::Remove {
            file,
            path,
            expr,
            out,
        } => (Op::Remove, file, path, Some(expr), out.mode()),
        NixCommand::Delete { file, path, out } => (Op::Delete, file, path, None, out.mode()),
    };
    Request {
        op,
        file,
        path,
        expr: expr.map(String::as_str),
        output,
    }
}

/// Print `text` on stdout, for the commands that only print.
fn print(io: &mut Io, text: &str) -> Result<Outcome> {
    io.out
        .write_all(text.as_bytes())
        .map_err(|e| Error::io("cannot write to", Path::new("stdout"), e))?;
    Ok(Outcome::Success)
}
