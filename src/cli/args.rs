//! The command line as clap reads it: every command, flag and help text in one place, from
//! which the help, the man page and the shell completions are all derived.

use std::path::{Path, PathBuf};

use clap::builder::PossibleValue;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::nix::Output;
use crate::commands::{check, doctor, import, init, net, shared, sync};
use crate::machine::doctor::parse_dns_server;
use crate::machine::net::Platform;
use crate::output::Format;

/// Generate and keep true the Nix development environment of an Elixir/Phoenix project.
#[derive(Debug, Parser)]
#[command(name = "devgen", version, about, long_about = None)]
pub struct Cli {
    /// Run as if devgen was started in DIR (like git -C)
    #[arg(short = 'C', value_name = "DIR", global = true, default_value = ".")]
    pub dir: PathBuf,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create devgen.toml when missing, then write every output file
    Init(InitArgs),
    /// Bring the files in line with devgen.toml
    Sync(SyncArgs),
    /// Write the devgen.toml that describes an existing project, reporting where each value
    /// came from and what stays the user's
    Import(ImportArgs),
    /// Print the environment of the machine's shared PostgreSQL (for mode = "shared"), or
    /// keep a directory in line with it
    Shared(SharedArgs),
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
    Net(NetArgs),
    /// In a git worktree of a registered project: take an address of the project's block and
    /// a host of its own, register them, and export them from .envrc.local
    Worktree,
    /// Check the project's address, host names, ports, PostgreSQL, tmux and overmind, one by
    /// one, with the fix for each failure; exit 1 when one fails
    Doctor(DoctorArgs),
    /// Check devenv.nix files against devenv's options, offline; exit 0 clean, 1 findings, 2 error
    Check(CheckArgs),
    /// Take the hash Nix reports for the release's dependencies (nix build's "hash mismatch
    /// … got: sha256-…") into devgen.toml's [deploy.nixos], then sync:
    /// nix build 2>&1 | devgen deps-hash
    DepsHash {
        /// Nix's message (default: read from standard input)
        message: Option<String>,
        /// Write nothing; print the diff of what would be written
        #[arg(long)]
        dry_run: bool,
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

// The options of `devgen init`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project name (default: derived from the directory name)
    #[arg(long)]
    pub name: Option<String>,
    /// Loopback address for the project (default: the next free one in the machine registry)
    #[arg(long)]
    pub ip: Option<String>,
    /// Replace files that were changed by hand
    #[arg(long)]
    pub force: bool,
    /// Write nothing; print the diff of what would be written
    #[arg(long)]
    pub dry_run: bool,
}

// The options of `devgen import`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Project name (default: derived from the directory name)
    #[arg(long)]
    pub name: Option<String>,
    /// Write nothing; print the devgen.toml import would write
    #[arg(long)]
    pub dry_run: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

// The options of `devgen sync`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Replace files that were changed by hand
    #[arg(long)]
    pub force: bool,
    /// Write values changed by hand in devenv.nix back into devgen.toml, then sync
    #[arg(long, conflicts_with = "force")]
    pub adopt: bool,
    /// Write nothing; print the diff of what would be written
    #[arg(long)]
    pub dry_run: bool,
}

// The options of `devgen shared`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct SharedArgs {
    /// Write the files into DIR (created when missing), patching them as sync does
    #[arg(long, value_name = "DIR")]
    pub write: Option<PathBuf>,
    /// PostgreSQL major version of the shared server (default: the version DIR already
    /// runs, else devgen's default)
    #[arg(long, value_name = "VERSION")]
    pub postgres: Option<String>,
    /// Replace files that were changed by hand
    #[arg(long, requires = "write")]
    pub force: bool,
    /// Write nothing; print the diff of what would be written
    #[arg(long, requires = "write")]
    pub dry_run: bool,
}

// The options of `devgen net`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct NetArgs {
    /// The platform to produce it for (default: this one)
    #[arg(long, value_enum)]
    pub platform: Option<Platform>,
    /// Write the files into DIR, to read before installing them
    #[arg(long, value_name = "DIR", conflicts_with = "apply")]
    pub write: Option<PathBuf>,
    /// Install it (needs root); running it again changes nothing
    #[arg(long)]
    pub apply: bool,
    /// With --apply: put every system path under DIR and run no system command (for tests
    /// and for reviewing a whole install)
    #[arg(long, value_name = "DIR", requires = "apply")]
    pub root: Option<PathBuf>,
}

// The options of `devgen doctor`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also ask this dnsmasq (ADDR or ADDR:PORT); default: 127.0.0.1:53 when
    /// `devgen net --apply` has set one up here
    #[arg(long, value_name = "ADDR", value_parser = parse_dns_server)]
    pub dns: Option<std::net::SocketAddr>,
}

// The options of `devgen check`; the variant's doc comment is the command's help.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The modules to check (default: the project's devenv.nix)
    pub files: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also list the values left unchecked, and why
    #[arg(long, short)]
    pub verbose: bool,
    /// Only read the module: do not evaluate what reading cannot know with nix-instantiate
    #[arg(long)]
    pub no_eval: bool,
}

/// The machine registry ($DEVGEN_REGISTRY, else $XDG_CONFIG_HOME/devgen/registry.toml, else
/// ~/.config/devgen/registry.toml).
#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
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
/// Paths go through a file's functions, `let`, `with`, calls whose last argument is a set
/// (`lib.mkIf cond { … }`, `pkgs.mkShell { … }`), `//` and `lib.mkMerge [ … ]`.
#[derive(Debug, Subcommand)]
pub enum NixCommand {
    /// Print the source of the value bound at PATH
    Get {
        file: PathBuf,
        path: String,
        #[command(flatten)]
        report: NixReport,
    },
    /// Bind PATH to EXPR, inside the innermost existing attribute set
    Set {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
        #[command(flatten)]
        report: NixReport,
    },
    /// Make sure EXPR is an element of the list at PATH
    Add {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
        #[command(flatten)]
        report: NixReport,
    },
    /// Remove EXPR from the list at PATH
    Remove {
        file: PathBuf,
        path: String,
        expr: String,
        #[command(flatten)]
        out: EditOutput,
        #[command(flatten)]
        report: NixReport,
    },
    /// Remove the binding at PATH, with its comment lines
    Delete {
        file: PathBuf,
        path: String,
        #[command(flatten)]
        out: EditOutput,
        #[command(flatten)]
        report: NixReport,
    },
}

#[derive(Debug, clap::Args)]
pub struct EditOutput {
    /// Write the file in place (atomically) instead of printing it
    #[arg(short = 'i', long = "in-place", conflicts_with = "diff")]
    pub in_place: bool,
    /// Print a unified diff instead of the new file
    #[arg(long)]
    pub diff: bool,
}

/// How `devgen nix` reports what it read or did.
#[derive(Debug, clap::Args)]
pub struct NixReport {
    /// Output format: json prints one document with the value or the new file, the span
    /// read or edited, the wrappers the path went through, and whether the file changed
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Also say on stderr which wrappers the path went through, and where the edit landed
    #[arg(long, short)]
    pub verbose: bool,
}

impl EditOutput {
    pub fn mode(&self) -> Output {
        if self.in_place {
            Output::InPlace
        } else if self.diff {
            Output::Diff
        } else {
            Output::Print
        }
    }
}

impl ValueEnum for Format {
    fn value_variants<'a>() -> &'a [Self] {
        &[Format::Text, Format::Json]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Format::Text => "text",
            Format::Json => "json",
        }))
    }
}

impl ValueEnum for Platform {
    fn value_variants<'a>() -> &'a [Self] {
        &[Platform::Macos, Platform::Linux]
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(match self {
            Platform::Macos => "macos",
            Platform::Linux => "linux",
        }))
    }
}

impl InitArgs {
    pub fn options(&self) -> init::Options {
        init::Options {
            name: self.name.clone(),
            ip: self.ip.clone(),
            force: self.force,
            dry_run: self.dry_run,
        }
    }
}

impl ImportArgs {
    pub fn options(&self) -> import::Options {
        import::Options {
            name: self.name.clone(),
            dry_run: self.dry_run,
            format: self.format,
        }
    }
}

impl SyncArgs {
    pub fn options(&self) -> sync::Options {
        sync::Options {
            force: self.force,
            adopt: self.adopt,
            dry_run: self.dry_run,
        }
    }
}

impl SharedArgs {
    /// The options, with `--write` relative to `dir`.
    pub fn options(&self, dir: &Path) -> shared::Options {
        shared::Options {
            write: self.write.as_ref().map(|w| dir.join(w)),
            postgres: self.postgres.clone(),
            force: self.force,
            dry_run: self.dry_run,
        }
    }
}

impl NetArgs {
    /// What to do, given `--write` and `--root` made relative to `-C DIR`.
    pub fn action<'a>(&self, write: Option<&'a Path>, root: Option<&'a Path>) -> net::Action<'a> {
        match (write, self.apply) {
            (Some(w), _) => net::Action::Write(w),
            (None, true) => net::Action::Apply(root),
            (None, false) => net::Action::Print,
        }
    }
}

impl CheckArgs {
    pub fn options(&self) -> check::Options {
        check::Options {
            files: self.files.clone(),
            format: self.format,
            verbose: self.verbose,
            no_eval: self.no_eval,
        }
    }
}

impl DoctorArgs {
    pub fn options(&self) -> doctor::Options {
        doctor::Options {
            format: self.format,
            dns: self.dns,
        }
    }
}
