//! The process's exit status, the contract scripts, CI and pre-commit rely on: 0 done (or in
//! sync), 1 drift (or a failed check), 2 error, 3 conflict. Each command's
//! [`Outcome`](crate::commands::Outcome) says which; an error is always 2.

use std::process::ExitCode;

use crate::commands::{Outcome, ERROR_EXIT_CODE};
use crate::error::Result;

/// The exit status of a command that ran.
pub fn status(result: &Result<Outcome>) -> ExitCode {
    match result {
        Ok(outcome) => ExitCode::from(outcome.exit_code()),
        Err(_) => ExitCode::from(ERROR_EXIT_CODE),
    }
}

/// The exit status when the reader of devgen's output went away (`devgen diff | head -1`):
/// what a program stopped by SIGPIPE gives the shell, 128 + 13, with nothing printed.
pub fn closed_output() -> ExitCode {
    ExitCode::from(141)
}

/// The exit status when the command line itself was wrong (or asked for help).
pub fn usage(is_error: bool) -> ExitCode {
    if is_error {
        ExitCode::from(ERROR_EXIT_CODE)
    } else {
        ExitCode::SUCCESS
    }
}
