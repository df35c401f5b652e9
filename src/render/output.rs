//! What one output file is: where it goes, which template writes it, how much of it devgen
//! owns, and what kind of file it is. Targets declare their files with these; the render
//! stage writes them and the reconcile stage decides, per ownership, how each meets the file
//! on disk.

use nix_edit::{AttrPath, NixDocument};
use serde::{Deserialize, Serialize};

use crate::error::Result;

/// How much of a file devgen owns. Recorded in the lock and shown in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Ownership {
    /// The whole file, with a header saying so. A hand edit is drift.
    Owned,
    /// Certain attribute paths and list elements of a Nix file, reconciled one by one
    /// through the Nix editor; the rest of the file is the user's.
    Merged,
    /// A marked region of a file that otherwise belongs to the user.
    Block,
    /// One line of a file that otherwise belongs to the user.
    Line,
}

impl Ownership {
    pub fn name(self) -> &'static str {
        match self {
            Ownership::Owned => "owned",
            Ownership::Merged => "merged",
            Ownership::Block => "block",
            Ownership::Line => "line",
        }
    }
}

/// The language of a file: how it comments (an owned file's header is a comment), and how
/// devgen checks its own output in it (Nix is parsed when rendered).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    Nix,
    Shell,
    Elixir,
    Procfile,
    Dotenv,
    Tmux,
    Gitignore,
    Yaml,
    Caddyfile,
    Dockerfile,
    Hcl,
    Toml,
}

impl Syntax {
    /// What starts a comment line in the language.
    pub fn line_comment(self) -> &'static str {
        match self {
            Syntax::Nix
            | Syntax::Shell
            | Syntax::Elixir
            | Syntax::Procfile
            | Syntax::Dotenv
            | Syntax::Tmux
            | Syntax::Gitignore
            | Syntax::Yaml
            | Syntax::Caddyfile
            | Syntax::Dockerfile
            | Syntax::Hcl
            | Syntax::Toml => "#",
        }
    }
}

/// What devgen knows of a kind of file besides its language.
#[derive(Debug)]
pub struct FileKind {
    pub syntax: Syntax,
    /// For a block file: the job a line does, when it has one devgen's block does too (a
    /// Procfile's process name, `.envrc`'s `use flake`). A line outside the block with the
    /// same key as a line inside would do the job twice: a conflict.
    pub clash_key: Option<fn(&str) -> Option<String>>,
    /// A devenv module: what devgen writes into it is checked against devenv's options
    /// first, as `devgen check` checks it.
    pub devenv_module: bool,
    /// For a merged file: which paths devgen owns, when that is not every leaf it renders.
    pub merge_rule: Option<&'static MergeRule>,
    /// For a merged file: whether a value found at a path devgen owns, with no record of
    /// devgen writing it, is one any project could have (PostgreSQL listening on
    /// 127.0.0.1), which devgen replaces with its own rather than call a hand edit.
    pub stock_value: Option<fn(path: &str, value: &str) -> bool>,
    /// For a block file: whether a line that does a job of the block is one any project
    /// could have (`.envrc`'s plain `use flake`), which the block takes the place of when
    /// devgen first writes it, rather than call a conflict.
    pub stock_line: Option<fn(line: &str) -> bool>,
    /// For a merged file: whether an element of the list at `list` (the user's `theirs`)
    /// is already one devgen would add (`ours`), written another way — a database
    /// `{ name = "x"; user = "u"; }` is the database `{ name = "x"; }` — so devgen adds
    /// no second one.
    pub same_element: Option<fn(list: &str, theirs: &str, ours: &str) -> bool>,
}

/// How devgen owns a merged file whose paths it chooses rather than reads off everything it
/// renders: a flake, whose scaffold is the user's once written, and which devgen joins in
/// whatever shape the user gave it.
#[derive(Debug)]
pub struct MergeRule {
    /// The functions paths go through (`NixDocument::look_through`).
    pub look_through: &'static [&'static str],
    /// What devgen owns in the file as it is.
    pub owned: fn(&MergeInput) -> Result<MergeOwned>,
}

/// What a [`MergeRule`] decides from.
pub struct MergeInput<'a> {
    /// devgen's own version of the file, paths looked through.
    pub rendered: &'a NixDocument,
    /// The file as it is, paths looked through; `None` when devgen creates it.
    pub current: Option<&'a NixDocument>,
    /// Whether devgen's lock records writing the value at exactly this path.
    pub recorded: &'a dyn Fn(&AttrPath) -> bool,
}

/// What devgen owns in a merged file under a [`MergeRule`].
#[derive(Debug, Default)]
pub struct MergeOwned {
    /// Each owned path with the value devgen wants there.
    pub values: Vec<(AttrPath, String)>,
    /// Parameters the function at a path must take (`outputs` must take `devenv` once the
    /// flake has that input and its pattern takes no `...`).
    pub parameters: Vec<(AttrPath, &'static str)>,
    /// Owned paths that are not the result of the rule's calls (`MergeRule::look_through`):
    /// a new binding there goes where the path leads without going into those calls — in
    /// `eachDefaultSystem (system: { … }) // { … }`, into the set on the right.
    pub outside_calls: Vec<AttrPath>,
}

impl FileKind {
    /// A kind of file with nothing known of it but its language.
    pub const fn plain(syntax: Syntax) -> FileKind {
        FileKind {
            syntax,
            clash_key: None,
            devenv_module: false,
            merge_rule: None,
            stock_value: None,
            stock_line: None,
            same_element: None,
        }
    }
}

/// One file of a target.
#[derive(Debug)]
pub struct OutputDecl {
    /// Path relative to the project root, with `/` separators.
    pub path: &'static str,
    /// Template name under `templates/`.
    pub template: &'static str,
    pub ownership: Ownership,
    pub kind: &'static FileKind,
    pub executable: bool,
    /// For a line: what starts the file when devgen has to create it.
    pub preamble: &'static str,
    /// A value of the target's context (a dotted key, like `phoenix.auto_restart`) that
    /// must be true for devgen to write the file; when it is false, a file devgen wrote
    /// before is removed. `None`: always written.
    pub when: Option<&'static str>,
    /// A list of the target's context (a dotted key, like `deploy.fly`): the file is
    /// written once for each element, which its template sees as `item`, at `path` with
    /// `{dir}` made the element's `dir` (`{dir}/fly.toml`).
    pub each: Option<&'static str>,
}

impl OutputDecl {
    /// This output, written only while the spec has `section` (a dotted table name).
    pub const fn when(self, section: &'static str) -> OutputDecl {
        OutputDecl {
            when: Some(section),
            ..self
        }
    }
}

/// A declaration with the defaults most files take (not executable, no preamble).
pub const fn decl(
    path: &'static str,
    template: &'static str,
    ownership: Ownership,
    kind: &'static FileKind,
) -> OutputDecl {
    OutputDecl {
        path,
        template,
        ownership,
        kind,
        executable: false,
        preamble: "",
        when: None,
        each: None,
    }
}
