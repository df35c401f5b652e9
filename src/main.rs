//! The `devgen` binary: all of it is the library's command line ([`devgen::cli`]).

use std::process::ExitCode;

// rnix builds a node per token; mimalloc makes that markedly cheaper on large files.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    devgen::cli::main()
}
