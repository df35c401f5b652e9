//! devgen: from `devgen.toml` to the environments of an Elixir/Phoenix project on Nix,
//! kept true afterwards.
//!
//! The modules form layers; each imports only from the layers below it:
//!
//! 1. [`cli`] — the command line: clap's types, dispatch, exit status, man page;
//! 2. [`commands`] — one module a command, running the staged pipeline
//!    ([`commands::pipeline`]) or working on the machine;
//! 3. [`targets`] (what each target writes, and the values its templates see),
//!    [`reconcile`] (each rendered file met with the file on disk and the lock, per
//!    ownership mode, giving a plan), [`project`] (the project root, applying a plan, reports)
//!    and [`machine`] (the machine registry, the host's network, worktrees, doctor);
//! 4. [`render`] — templates rendered into files;
//! 5. [`model`] — defaults filled in, names derived, values checked against each other;
//! 6. [`spec`] — `devgen.toml` parsed with spans, each value validated on its own;
//! 7. the ground: [`diagnostic`] (errors that point into a file), [`error`], [`output`]
//!    (where commands print), [`text`] (blocks, ensured lines, line endings, shell words),
//!    [`atomic`] (the one atomic write) and [`diff`] (unified diffs).
//!
//! The Nix editor is a crate of its own, `nix_edit`.

pub mod atomic;
pub mod cli;
pub mod commands;
pub mod devenv;
pub mod diagnostic;
pub mod diff;
pub mod error;
pub mod machine;
pub mod model;
pub mod output;
pub mod project;
pub mod reconcile;
pub mod render;
pub mod spec;
pub mod targets;
pub mod text;
