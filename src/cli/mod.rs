//! The command line: clap's types ([`args`]), which command a line runs ([`dispatch`]),
//! the exit status ([`exit`]) and the man page ([`man`]). The binary's `main` calls
//! [`main`]; nothing below this layer knows clap or the process.

pub mod args;
mod dispatch;
pub mod exit;
mod man;

use std::process::ExitCode;

use clap::Parser;

use crate::output::Io;
use args::Cli;

/// Parse the command line, run the command, print an error if it fails, and give the exit
/// status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // clap exits 2 on usage errors already; help and version are successes.
            return exit::usage(e.use_stderr());
        }
    };
    let mut stdout = anstream::stdout();
    let mut stderr = anstream::stderr();
    let result = {
        let mut io = Io {
            out: &mut stdout,
            err: &mut stderr,
        };
        dispatch::run(&cli, &mut io)
    };
    match &result {
        Err(e) if e.is_closed_output() => return exit::closed_output(),
        Err(e) => {
            use std::io::Write;
            let _ = stdout.flush();
            let message = e.to_string();
            let end = if message.ends_with('\n') { "" } else { "\n" };
            // Nowhere left to say it when stderr is closed too.
            let _ = write!(stderr, "{message}{end}");
        }
        Ok(_) => {}
    }
    exit::status(&result)
}
