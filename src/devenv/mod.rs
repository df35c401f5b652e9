//! devenv's options, and checking a `devenv.nix` against them offline.
//!
//! devenv reports a wrong option or type only when `devenv shell` evaluates the module — after
//! a slow first build. This module knows devenv's options with their types ([`options`],
//! embedded in the binary, types read by [`types`]) and checks what a module sets against
//! them with the Nix editor's reader, without Nix ([`check`]; values seen through the module
//! system's wrappers by `resolve`, findings worded by `messages`). It knows nothing of
//! devgen's spec: `devgen check` runs it on any devenv.nix, and devgen runs it on the
//! devenv.nix it is about to write.

pub mod check;
pub mod evaluate;
mod messages;
pub mod options;
mod resolve;
pub mod types;

pub use check::{check, Finding, Report, Unchecked};
