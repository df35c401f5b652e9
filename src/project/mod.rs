//! The project directory as commands touch it: the root every path is confined to and its
//! run lock ([`root`]), applying a plan all-or-nothing ([`apply`], through one
//! [`transaction`] recorded in a [`journal`], with the ending [`signals`] held off), what
//! every command does first about an interrupted run ([`recovery`]), and how plans are
//! reported ([`report`]).

pub mod apply;
pub mod journal;
pub mod recovery;
pub mod report;
pub mod root;
mod signals;
pub mod transaction;

pub use apply::{apply, Applied, Run};
pub use recovery::open;
pub use report::Source;
pub use root::{find_root, Access, ProjectRoot, RunLock};
