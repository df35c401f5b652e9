//! The `devgen` command line. Parsing and exit codes live here; the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use devgen::commands::{self, exit, Format, Io, NixOp, NixOutput};
use devgen::init::InitOptions;

// rnix builds a node per token; mimalloc makes that markedly cheaper on large files.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate and keep true the Nix development environment of an Elixir/Phoenix project.
#[derive(Debug, Parser)]
#[command(name = "devgen", version, about, long_about = None)]
struct Cli {
    /// Run as if devgen was started in DIR (like git -C)
    #[arg(short = 'C', value_name = "DIR", global = true, default_value = ".")]
    dir: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create devgen.toml when missing, then write every output file
    Init {
        /// Project name (default: derived from the directory name)
        #[arg(long)]
        name: Option<String>,
        /// Loopback address for the project (default: 127.0.0.10)
        #[arg(long)]
        ip: Option<String>,
        /// Replace files that were changed by hand
        #[arg(long)]
        force: bool,
        /// Write nothing; print the diff of what would be written
        #[arg(long)]
        dry_run: bool,
    },
    /// Bring the files in line with devgen.toml
    Sync {
        /// Replace files that were changed by hand
        #[arg(long)]
        force: bool,
        /// Write values changed by hand in devenv.nix back into devgen.toml, then sync
        #[arg(long, conflicts_with = "force")]
        adopt: bool,
        /// Write nothing; print the diff of what would be written
        #[arg(long)]
        dry_run: bool,
    },
    /// Print the environment of the machine's shared PostgreSQL (for mode = "shared"), or
    /// keep a directory in line with it
    Shared {
        /// Write the files into DIR (created when missing), patching them as sync does
        #[arg(long, value_name = "DIR")]
        write: Option<PathBuf>,
        /// PostgreSQL major version of the shared server
        #[arg(long, value_name = "VERSION")]
        postgres: Option<String>,
        /// Replace files that were changed by hand
        #[arg(long, requires = "write")]
        force: bool,
        /// Write nothing; print the diff of what would be written
        #[arg(long, requires = "write")]
        dry_run: bool,
    },
    /// Read and edit Nix files by attribute path, keeping every other byte
    #[command(subcommand)]
    Nix(NixCommand),
    /// Print what sync would change; exit 0 in sync, 1 drift, 2 error, 3 conflict
    Diff {
        /// Print nothing; only the exit code tells
        #[arg(long, short)]
        quiet: bool,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
}

/// Attribute paths are names joined by dots; quote a name that contains dots: env."MY.VAR".
#[derive(Debug, Subcommand)]
enum NixCommand {
    /// Print the source of the value bound at PATH
    Get { file: PathBuf, path: String },
    /// Bind PATH to EXPR, inside the innermost existing attribute set
    Set {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
    },
    /// Make sure EXPR is an element of the list at PATH
    Add {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
    },
    /// Remove EXPR from the list at PATH
    Remove {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
    },
    /// Remove the binding at PATH, with its comment lines
    Delete {
        file: PathBuf,
        path: String,
        #[command(flatten)]
        out: EditOutput,
    },
}

#[derive(Debug, clap::Args)]
struct EditOutput {
    /// Write the file in place (atomically) instead of printing it
    #[arg(short = 'i', long = "in-place", conflicts_with = "diff")]
    in_place: bool,
    /// Print a unified diff instead of the new file
    #[arg(long)]
    diff: bool,
}

impl EditOutput {
    fn mode(&self) -> NixOutput {
        if self.in_place {
            NixOutput::InPlace
        } else if self.diff {
            NixOutput::Diff
        } else {
            NixOutput::Print
        }
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap exits 2 on usage errors already; help and version are successes.
            return ExitCode::from(if e.use_stderr() { exit::ERROR as u8 } else { 0 });
        }
    };
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    let mut io = Io {
        out: &mut stdout,
        err: &mut stderr,
    };
    let result = match &cli.command {
        Command::Init {
            name,
            ip,
            force,
            dry_run,
        } => {
            let opts = InitOptions {
                name: name.clone(),
                ip: ip.clone(),
            };
            commands::init(&cli.dir, &opts, *force, *dry_run, &mut io)
        }
        Command::Sync {
            force,
            adopt,
            dry_run,
        } => commands::sync(&cli.dir, *force, *adopt, *dry_run, &mut io),
        Command::Diff { quiet, format } => commands::diff(&cli.dir, *quiet, *format, &mut io),
        Command::Shared {
            write,
            postgres,
            force,
            dry_run,
        } => commands::shared_service(&cli.dir, postgres.as_deref()).and_then(|service| {
            let write = write.as_ref().map(|w| cli.dir.join(w));
            commands::shared(&service, write.as_deref(), *force, *dry_run, &mut io)
        }),
        Command::Nix(nix) => {
            let (op, file, path, expr, out) = match nix {
                NixCommand::Get { file, path } => (NixOp::Get, file, path, None, NixOutput::Print),
                NixCommand::Set {
                    file,
                    path,
                    expr,
                    out,
                } => (NixOp::Set, file, path, Some(expr), out.mode()),
                NixCommand::Add {
                    file,
                    path,
                    expr,
                    out,
                } => (NixOp::Add, file, path, Some(expr), out.mode()),
                NixCommand::Remove {
                    file,
                    path,
                    expr,
                    out,
                } => (NixOp::Remove, file, path, Some(expr), out.mode()),
                NixCommand::Delete { file, path, out } => {
                    (NixOp::Delete, file, path, None, out.mode())
                }
            };
            commands::nix(
                &cli.dir,
                op,
                file,
                path,
                expr.map(String::as_str),
                out,
                &mut io,
            )
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            let _ = std::io::Write::flush(&mut stdout);
            eprint!("{e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
