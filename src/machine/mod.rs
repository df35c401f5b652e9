//! The machine around the project: which project on this machine uses which loopback
//! address, host and ports ([`registry`]), the host's loopback aliases, PF, dnsmasq and
//! resolver for them ([`net`]), a git worktree's own address ([`worktree`]), and seed 000's
//! troubleshooting as checks ([`doctor`]). The registry hands model resolution the facts it
//! needs ([`registry::facts`]); nothing here resolves a model itself.

pub mod doctor;
pub mod net;
pub mod registry;
pub mod worktree;
