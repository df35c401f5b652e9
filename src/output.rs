//! Where commands print, and in which format: `out` carries what a command is asked for
//! (diffs, data, reports), `err` carries progress and notes. Every layer that prints takes an
//! [`Io`], so tests can capture both streams and the command line can colour them.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people: aligned text, diffs.
    #[default]
    Text,
    /// For tools: one pretty-printed JSON document.
    Json,
}

/// Where a command prints: `out` for diffs and data, `err` for progress and reports.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
}

impl Io<'_> {
    /// `value` as pretty-printed JSON, and a newline, on `out`.
    pub fn json(&mut self, value: &impl Serialize) -> Result<()> {
        serde_json::to_writer_pretty(&mut *self.out, value)
            .map_err(std::io::Error::from)
            .map_err(stream_error)?;
        writeln!(self.out).map_err(stream_error)
    }
}

/// The error for a failed write to `out` or `err` (a closed pipe, a full disk).
pub fn stream_error(e: std::io::Error) -> Error {
    Error::io("cannot write to", Path::new(crate::error::OUTPUT), e)
}
