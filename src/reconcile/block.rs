//! Block files: devgen owns the lines between its markers in a file that otherwise belongs
//! to the user (a Procfile, `.envrc`, `.gitignore`). The block is compared with the lock's
//! hash like an owned file; a file devgen has not seen gets the block appended, unless a
//! line of the user's already does a job of the block ([`crate::render::FileKind`]'s clash
//! key), which is a conflict (with `--force`, that line goes).

use super::{Status, HAND_EDITED, NOT_DEVGENS};
use crate::diagnostic::Diagnostic;
use crate::error::Result;
use crate::reconcile::lock::digest;
use crate::render::{FileKind, OutputDecl};
use crate::text::blocks::{self, Markers};
use crate::text::{as_lf, in_line_endings_of};

/// Markers around a block. Both are matched as whole lines (trailing spaces ignored).
pub const BLOCK_BEGIN: &str =
    "# >>> devgen >>> generated from devgen.toml; change it there, then run `devgen sync`";
pub const BLOCK_END: &str = "# <<< devgen <<<";

pub const MARKERS: Markers = Markers {
    begin: BLOCK_BEGIN,
    end: BLOCK_END,
    begin_prefix: "# >>> devgen",
    end_prefix: "# <<< devgen",
    rerun: "devgen sync",
};

/// A block file as planned: its status, its text with the block in place, and the lines any
/// project could have that the block took the place of (see [`FileKind::stock_line`]).
pub(super) type Planned = (Status, String, Vec<String>);

/// The status of `decl`'s file, and its text with the block `inner` in place.
pub(super) fn plan(
    decl: &OutputDecl,
    inner: &str,
    current: Option<&str>,
    locked_sha: Option<&str>,
    force: bool,
) -> Result<Planned> {
    let path = decl.path;
    let Some(text) = current else {
        return Ok((Status::Missing, MARKERS.wrap(inner), Vec::new()));
    };
    let inner = &in_line_endings_of(text, inner);
    match MARKERS.find(path, text)? {
        Some(found) => {
            let existing = &text[found.clone()];
            let desired = format!("{}{inner}{}", &text[..found.start], &text[found.end..]);
            let status = if existing == inner {
                Status::InSync
            } else if force || locked_sha == Some(digest(&as_lf(existing)).as_str()) {
                Status::Drift
            } else if locked_sha.is_some() {
                Status::Conflict(format!("devgen's block was {HAND_EDITED}"))
            } else {
                Status::Conflict(format!("devgen's block {NOT_DEVGENS}"))
            };
            Ok((status, desired, Vec::new()))
        }
        None if locked_sha.is_some() => Err(Diagnostic::new(path, text, 0..0, "devgen's block markers are missing")
            .with_label("expected a devgen block in this file")
            .with_help(format!(
                "devgen.lock says devgen wrote a block here. Restore the lines\n{BLOCK_BEGIN}\n…\n{BLOCK_END}\n\
                 (from git), or remove {path}'s entry from devgen.lock to have devgen add a new block"
            ))
            .into_error()),
        None => Ok(first_block(decl.kind, text, inner, force)),
    }
}

/// A file devgen has not seen: the block goes at the end, unless the user's part already
/// does what the block does (two `phoenix:` processes, say). A line any project could have
/// (`.envrc`'s `use flake`) makes way for the block; any other is a conflict.
fn first_block(kind: &FileKind, text: &str, inner: &str, force: bool) -> Planned {
    let clashes = clashing_lines(kind, text, inner);
    let stock = |line: &str| kind.stock_line.is_some_and(|is_stock| is_stock(line));
    let theirs: Vec<String> = clashes
        .iter()
        .filter(|(_, l)| !stock(l))
        .map(|(_, l)| format!("  {l}"))
        .collect();
    if !theirs.is_empty() && !force {
        return (
            Status::Conflict(format!(
                "already has lines that devgen's block would duplicate:\n{}",
                theirs.join("\n")
            )),
            append_block(text, inner, &[]),
            Vec::new(),
        );
    }
    let drop: Vec<usize> = clashes.iter().map(|(i, _)| *i).collect();
    let replaced = clashes
        .iter()
        .filter(|(_, l)| stock(l))
        .map(|(i, l)| format!("line {} `{}`", i + 1, l.trim()))
        .collect();
    (Status::Drift, append_block(text, inner, &drop), replaced)
}

/// `text` without the lines numbered in `drop`, then the block.
fn append_block(text: &str, inner: &str, drop: &[usize]) -> String {
    let kept: String = text
        .split_inclusive('\n')
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, l)| l)
        .collect();
    blocks::append(&kept, &in_line_endings_of(text, &MARKERS.wrap(inner)))
}

/// Lines outside the block that do a job a line of the block does, numbered.
fn clashing_lines<'a>(kind: &FileKind, text: &'a str, inner: &str) -> Vec<(usize, &'a str)> {
    let Some(key) = kind.clash_key else {
        return Vec::new();
    };
    let ours: Vec<String> = inner.lines().filter_map(key).collect();
    text.lines()
        .enumerate()
        .filter(|(_, l)| key(l).is_some_and(|k| ours.contains(&k)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{decl, Ownership, Syntax};

    /// A Procfile whose lines clash when they start a process of the same name.
    static PROCFILE: OutputDecl = decl(
        "Procfile",
        "Procfile.j2",
        Ownership::Block,
        &FileKind {
            clash_key: Some(|line| Some(line.split_once(':')?.0.to_string())),
            ..FileKind::plain(Syntax::Procfile)
        },
    );

    fn procfile() -> &'static OutputDecl {
        &PROCFILE
    }

    fn block(current: Option<&str>, sha: Option<&str>, force: bool) -> Result<(Status, String)> {
        plan(procfile(), inner(), current, sha, force).map(|(status, text, _)| (status, text))
    }

    fn inner() -> &'static str {
        "devenv: devenv up\n"
    }

    #[test]
    fn block_is_appended_to_a_file_devgen_has_not_seen() {
        let (status, text) = block(Some("web: bin/web\n"), None, false).unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("web: bin/web\n\n{BLOCK_BEGIN}\ndevenv: devenv up\n{BLOCK_END}\n")
        );
    }

    #[test]
    fn clashing_process_is_a_conflict_and_force_replaces_it() {
        let (status, _) = block(Some("devenv: other\n"), None, false).unwrap();
        assert!(
            matches!(status, Status::Conflict(ref why) if why.contains("devenv: other")),
            "{status:?}"
        );
        let (status, text) = block(Some("devenv: other\nweb: x\n"), None, true).unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("web: x\n\n{BLOCK_BEGIN}\ndevenv: devenv up\n{BLOCK_END}\n")
        );
    }

    #[test]
    fn a_file_kind_without_a_clash_rule_never_clashes() {
        static PLAIN: OutputDecl =
            decl("x", "x", Ownership::Block, &FileKind::plain(Syntax::Shell));
        let (status, _, _) = plan(&PLAIN, inner(), Some("devenv: other\n"), None, false).unwrap();
        assert_eq!(status, Status::Drift);
    }

    #[test]
    fn block_update_keeps_user_lines_around_it() {
        let old = "old: x\n";
        let file = format!("a: 1\n{BLOCK_BEGIN}\n{old}{BLOCK_END}\nb: 2\n");
        let (status, text) = block(Some(&file), Some(&digest(old)), false).unwrap();
        assert_eq!(status, Status::Drift);
        assert_eq!(
            text,
            format!("a: 1\n{BLOCK_BEGIN}\n{}{BLOCK_END}\nb: 2\n", inner())
        );
        let (status, _) = block(Some(&file), Some(&digest("other")), false).unwrap();
        assert!(matches!(status, Status::Conflict(_)));
    }

    #[test]
    fn broken_markers_are_errors_with_a_line() {
        let dup = format!("{BLOCK_BEGIN}\n{BLOCK_END}\n{BLOCK_BEGIN}\n{BLOCK_END}\n");
        let err = block(Some(&dup), None, false).unwrap_err().to_string();
        assert!(
            err.contains("Procfile:3:1") && err.contains("more than once"),
            "{err}"
        );
        let no_end = format!("x\n{BLOCK_BEGIN}\nfoo\n");
        let err = block(Some(&no_end), None, false).unwrap_err().to_string();
        assert!(
            err.contains("Procfile:2:1") && err.contains("no end marker"),
            "{err}"
        );
        let gone = block(Some("x: y\n"), Some("abc"), false)
            .unwrap_err()
            .to_string();
        assert!(gone.contains("markers are missing"), "{gone}");
    }
}
