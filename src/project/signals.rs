//! The signals that end a run — SIGINT (Ctrl-C), SIGTERM and SIGHUP — held off while a
//! transaction writes, so that a run is never cut between two renames.
//!
//! They are *blocked*, not caught: a signal that arrives meanwhile stays pending in the
//! kernel, and when the block is lifted the kernel delivers it with whatever disposition the
//! process already had. With the default one the process ends by that signal after the run
//! is complete (a shell reports 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); a signal
//! the process was started with ignored (`nohup`, a background job) stays ignored. No
//! handler is installed, so nothing changes outside the window. SIGQUIT (Ctrl-\) and SIGKILL
//! are not held: the journal covers a run they end.
//!
//! The mask is the calling thread's; devgen applies plans on its only thread, so it is the
//! process's.

use nix::sys::signal::{SigSet, SigmaskHow, Signal};

use crate::error::{Error, Result};

/// The signals held, until this is dropped.
#[must_use = "signals are held only while this lives"]
pub struct Held {
    /// The mask before, restored on drop.
    previous: SigSet,
}

impl Held {
    /// Hold SIGINT, SIGTERM and SIGHUP off until the returned guard is dropped.
    pub fn signals() -> Result<Held> {
        let mut ending = SigSet::empty();
        for signal in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            ending.add(signal);
        }
        let previous = ending
            .thread_swap_mask(SigmaskHow::SIG_BLOCK)
            .map_err(|e| {
                Error::Usage(format!(
                "internal error: cannot hold off signals while writing: {e}; nothing was written"
            ))
            })?;
        Ok(Held { previous })
    }
}

impl Drop for Held {
    /// Lift the block: a signal that arrived meanwhile is delivered now.
    fn drop(&mut self) {
        // Restoring a mask read from the kernel a moment ago cannot fail.
        let _ = self.previous.thread_set_mask();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_the_ending_signals_and_restores_the_mask() {
        let before = SigSet::thread_get_mask().unwrap();
        {
            let _held = Held::signals().unwrap();
            let during = SigSet::thread_get_mask().unwrap();
            for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
                assert!(during.contains(s), "{s:?} held");
            }
            assert!(!during.contains(Signal::SIGQUIT));
        }
        let after = SigSet::thread_get_mask().unwrap();
        for s in [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP] {
            assert_eq!(after.contains(s), before.contains(s), "{s:?} as before");
        }
    }
}
