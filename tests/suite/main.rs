//! devgen's test suite, one module per concern. Tests that need a real program (nix,
//! shellcheck, elixir, tmux) use that program and fail when it is missing.

mod bad_input;
mod check;
mod conformance;
mod container;
mod deploy;
mod doctor;
mod existing;
mod faults;
mod import;
mod net;
mod nix_edit;
mod nixos_release;
mod own_flake;
mod ports;
mod pre_commit;
mod proxy;
mod registry;
mod restart_phoenix;
mod scenarios;
mod schema;
mod services;
mod snapshots;
mod support;
mod sync_props;
mod worktree;
