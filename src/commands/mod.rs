//! The commands: each one a module, each the steps of one thing a user asks for. A project
//! command runs the [`pipeline`] and then shows the plan (`diff`) or applies it (`sync`,
//! `init`); the machine commands (`registry`, `net`, `worktree`, `doctor`, `shared`) work on
//! the machine layer. Every command returns an [`Outcome`]; errors are [`crate::error::Error`].

mod adopt;
pub mod check;
pub mod deps_hash;
pub mod diff;
pub mod doctor;
pub mod import;
pub mod init;
pub mod net;
pub mod nix;
pub mod pipeline;
pub mod registry;
pub mod shared;
pub mod sync;
pub mod worktree;

/// How a command ended. Its exit status is part of the contract (scripts, CI and
/// pre-commit read it), and the JSON reports carry it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done; for `diff`, everything already in sync.
    Success,
    /// `diff`: the files differ from the spec.
    Drift,
    /// Something devgen manages was changed by hand; nothing was written.
    Conflict,
    /// `doctor`: at least one check failed.
    ChecksFailed,
    /// `check`: the module sets something devenv will refuse.
    Findings,
    /// `net --apply`: some system commands failed; the report says which to run by hand.
    Incomplete,
}

/// The exit status of a command that stopped with an error.
pub const ERROR_EXIT_CODE: u8 = 2;

impl Outcome {
    /// 0 done or in sync, 1 drift, a failed check or findings, 2 error, 3 conflict.
    pub fn exit_code(self) -> u8 {
        match self {
            Outcome::Success => 0,
            Outcome::Drift | Outcome::ChecksFailed | Outcome::Findings => 1,
            Outcome::Incomplete => ERROR_EXIT_CODE,
            Outcome::Conflict => 3,
        }
    }
}

impl From<crate::project::Applied> for Outcome {
    fn from(a: crate::project::Applied) -> Self {
        match a {
            crate::project::Applied::Done => Outcome::Success,
            crate::project::Applied::Conflict => Outcome::Conflict,
        }
    }
}
