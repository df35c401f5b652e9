//! The project directory as commands touch it: the root every path is confined to
//! ([`root`]), applying a plan all-or-nothing ([`apply`]), and how plans are reported
//! ([`report`]).

pub mod apply;
pub mod report;
pub mod root;

pub use apply::{apply, Applied, Run};
pub use report::Source;
pub use root::{find_root, ProjectRoot};
