//! devgen: from `devgen.toml` to the whole local development environment of an
//! Elixir/Phoenix project on Nix, kept true afterwards.
//!
//! The pipeline, one module a stage, read top-down:
//! 1. [`spec`] — `devgen.toml` parsed with spans, each value validated on its own;
//! 2. [`model`] — defaults filled in, names derived, values checked against each other;
//! 3. [`outputs`] — each target's files rendered from the model by templates;
//! 4. [`reconcile`] — each rendered output met with the file on disk and the lock, per
//!    ownership mode, giving a [`reconcile::Plan`];
//! 5. [`commands`] — the plan printed as a diff, or written through [`fsys`].
//!
//! Around them: [`diagnostic`] (errors that point into a file), [`escape`] (literals for
//! each language), [`lock`] (what devgen last wrote), [`init`] (the first spec of a project), [`adopt`] (hand
//! values carried back into the spec), [`shared`] (the machine's shared PostgreSQL).
//!
//! The machine around the project: [`registry`] (which project on this machine uses which
//! loopback address, host and ports), [`net`] (the host's loopback aliases, PF, dnsmasq and
//! resolver for them), [`worktree`] (a git worktree's own address), [`doctor`] (seed 000's
//! troubleshooting as checks).

pub mod adopt;
pub mod commands;
pub mod diagnostic;
pub mod diff;
pub mod doctor;
pub mod error;
pub mod escape;
pub mod fsys;
pub mod init;
pub mod lock;
pub mod merge;
pub mod model;
pub mod net;
pub mod nix_edit;
pub mod outputs;
pub mod reconcile;
pub mod reference;
pub mod registry;
pub mod shared;
pub mod spec;
pub mod worktree;
