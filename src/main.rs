//! The `devgen` command line. Parsing and exit codes live here; the work is in the library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use devgen::commands::{self, exit, Format, Io, NixOp, NixOutput};
use devgen::init::InitOptions;
use devgen::{doctor, net, registry, worktree};

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
        /// Loopback address for the project (default: the next free one in the machine registry)
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
        /// PostgreSQL major version of the shared server (default: the version DIR already
        /// runs, else devgen's default)
        #[arg(long, value_name = "VERSION")]
        postgres: Option<String>,
        /// Replace files that were changed by hand
        #[arg(long, requires = "write")]
        force: bool,
        /// Write nothing; print the diff of what would be written
        #[arg(long, requires = "write")]
        dry_run: bool,
    },
    /// Print the JSON Schema of devgen.toml (for editors: taplo, Even Better TOML)
    Schema {
        /// Print the spec reference as Markdown tables instead
        #[arg(long)]
        markdown: bool,
    },
    /// Print a shell completion script: devgen completions bash > /etc/bash_completion.d/devgen
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): devgen man > devgen.1
    Man,
    /// Read and edit Nix files by attribute path, keeping every other byte
    #[command(subcommand)]
    Nix(NixCommand),
    /// Which project on this machine uses which loopback address: list, release, gc
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// The host's network setup for every registered project: loopback aliases and PF (macOS),
    /// dnsmasq, resolver. Prints it; --write DIR writes the files; --apply installs them
    Net {
        /// The platform to produce it for (default: this one)
        #[arg(long, value_enum)]
        platform: Option<net::Platform>,
        /// Write the files into DIR, to read before installing them
        #[arg(long, value_name = "DIR", conflicts_with = "apply")]
        write: Option<PathBuf>,
        /// Install it (needs root); running it again changes nothing
        #[arg(long)]
        apply: bool,
        /// With --apply: put every system path under DIR and run no system command (for tests
        /// and for reviewing a whole install)
        #[arg(long, value_name = "DIR", requires = "apply")]
        root: Option<PathBuf>,
    },
    /// In a git worktree of a registered project: take an address of the project's block and
    /// a host of its own, register them, and export them from .envrc.local
    Worktree,
    /// Check the project's address, host names, ports, PostgreSQL, tmux and overmind, one by
    /// one, with the fix for each failure; exit 1 when one fails
    Doctor {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also ask this dnsmasq (ADDR or ADDR:PORT); default: 127.0.0.1:53 when
        /// `devgen net --apply` has set one up here
        #[arg(long, value_name = "ADDR", value_parser = doctor::parse_dns_server)]
        dns: Option<std::net::SocketAddr>,
    },
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

/// The machine registry ($DEVGEN_REGISTRY, else $XDG_CONFIG_HOME/devgen/registry.toml, else
/// ~/.config/devgen/registry.toml).
#[derive(Debug, Subcommand)]
enum RegistryCommand {
    /// Every registered project: address, host, ports, root
    List {
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Forget a project, freeing its address (default: the project around the current directory)
    Release { path: Option<PathBuf> },
    /// Drop every project whose root directory is gone, printing each one dropped
    Gc,
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
        Command::Net {
            platform,
            write,
            apply,
            root,
        } => {
            let platform = platform.unwrap_or_else(net::Platform::current);
            match (write, apply) {
                (Some(dir), _) => net::write(platform, &cli.dir.join(dir), &mut io),
                (None, true) => net::apply(
                    platform,
                    root.as_ref().map(|r| cli.dir.join(r)).as_deref(),
                    &mut io,
                ),
                (None, false) => net::print(platform, &mut io),
            }
        }
        Command::Worktree => worktree::worktree(&cli.dir, &mut io),
        Command::Doctor { format, dns } => {
            let opts = doctor::Options {
                format: *format,
                dns: *dns,
            };
            doctor::doctor(&cli.dir, &opts, &mut io)
        }
        Command::Registry(r) => match r {
            RegistryCommand::List { format } => registry::list(*format, &mut io),
            RegistryCommand::Release { path } => {
                registry::release(&cli.dir, path.as_deref(), &mut io)
            }
            RegistryCommand::Gc => registry::gc(&mut io),
        },
        Command::Shared {
            write,
            postgres,
            force,
            dry_run,
        } => {
            let write = write.as_ref().map(|w| cli.dir.join(w));
            commands::shared_service(&cli.dir, postgres.as_deref(), write.as_deref(), &mut io)
                .and_then(|service| {
                    commands::shared(&service, write.as_deref(), *force, *dry_run, &mut io)
                })
        }
        Command::Schema { markdown } => {
            let text = if *markdown {
                devgen::reference::markdown()
            } else {
                devgen::reference::json()
            };
            write_out(&mut io, &text)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "devgen", &mut buf);
            write_out(&mut io, &String::from_utf8_lossy(&buf))
        }
        Command::Man => man_page().and_then(|page| write_out(&mut io, &page)),
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

/// Print `text` on stdout for the commands that only print.
fn write_out(io: &mut Io, text: &str) -> devgen::error::Result<i32> {
    io.out.write_all(text.as_bytes()).map_err(|e| {
        devgen::error::Error::io("cannot write to", std::path::Path::new("stdout"), e)
    })?;
    Ok(exit::IN_SYNC)
}

/// One man page for devgen and all its commands (the per-command pages clap_mangen would
/// refer to are not installed anywhere), with the exit codes scripts rely on.
fn man_page() -> devgen::error::Result<String> {
    let render_err =
        |e| devgen::error::Error::io("cannot render", std::path::Path::new("the man page"), e);
    let cli = Cli::command();
    let mut buf = Vec::new();
    let man = clap_mangen::Man::new(cli.clone());
    man.render_title(&mut buf).map_err(render_err)?;
    man.render_name_section(&mut buf).map_err(render_err)?;
    man.render_synopsis_section(&mut buf).map_err(render_err)?;
    man.render_description_section(&mut buf)
        .map_err(render_err)?;
    man.render_options_section(&mut buf).map_err(render_err)?;
    buf.extend_from_slice(b".SH COMMANDS\n");
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let usage = sub
            .clone()
            .bin_name(format!("devgen {name}"))
            .render_usage()
            .to_string();
        let usage = usage.trim_start_matches("Usage: ");
        buf.extend_from_slice(
            format!(
                ".TP\n\\fB{}\\fR\n{}\n",
                roff_escape(usage),
                roff_escape(&about)
            )
            .as_bytes(),
        );
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
            buf.extend_from_slice(
                format!(
                    ".RS\n.TP\n{}\n{}\n.RE\n",
                    roff_escape(&flag),
                    roff_escape(&help)
                )
                .as_bytes(),
            );
        }
    }
    buf.extend_from_slice(
        b".SH \"EXIT STATUS\"\n.TP\n0\nin sync (diff), or done\n.TP\n1\ndrift: the files differ from devgen.toml (diff); a failed check (doctor)\n\
          .TP\n2\nerror: bad spec, bad input, broken markers, missing lock, I/O\n\
          .TP\n3\nconflict: something devgen manages was changed by hand; nothing was written\n",
    );
    man.render_version_section(&mut buf).map_err(render_err)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
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
