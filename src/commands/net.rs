//! `devgen net`: the host's network setup for every registered project — printed (default),
//! written into a directory for review (`--write DIR`), or installed (`--apply`, needing
//! root; `--root DIR` puts every system path under DIR and runs no system command).

use std::path::Path;

use super::Outcome;
use crate::error::Result;
use crate::machine::net::install::{self, Installed};
use crate::machine::net::{Platform, Setup};
use crate::machine::registry::{default_path, Registry};
use crate::output::{stream_error, Io};

/// What `devgen net` does.
#[derive(Debug, Clone, Copy)]
pub enum Action<'a> {
    /// Print the whole setup; the output is itself a dnsmasq configuration.
    Print,
    /// Write its files into this directory.
    Write(&'a Path),
    /// Install it, under this directory instead of `/` when given.
    Apply(Option<&'a Path>),
}

/// `devgen net` for `platform`.
pub fn net(platform: Platform, action: Action, io: &mut Io) -> Result<Outcome> {
    let registry = Registry::load(&default_path()?)?;
    let setup = Setup::new(platform, &registry);
    match action {
        Action::Print => {
            io.out
                .write_all(setup.overview().as_bytes())
                .map_err(stream_error)?;
            setup.notes(io)?;
        }
        Action::Write(dir) => install::write(&setup, dir, io)?,
        Action::Apply(root) => {
            if install::apply(&setup, root, io)? == Installed::Incomplete {
                return Ok(Outcome::Incomplete);
            }
        }
    }
    Ok(Outcome::Success)
}
