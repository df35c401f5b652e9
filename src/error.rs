//! Errors that stop a command. Each renders as a complete message starting with `error:`
//! and saying what to do; the command line exits with 2 for all of them. (A conflict is not
//! an error: it is a plan status, reported with its diff, exit 3.)

use std::path::Path;

use crate::diagnostic::Diagnostic;

/// What an error writing to standard output or error names as its file.
pub const OUTPUT: &str = "the output";

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input at a known place in a file.
    #[error("{0}")]
    Diagnostic(Box<Diagnostic>),
    /// A file could not be read or written.
    #[error("error: {action} {path}: {source}\n  = help: {help}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
        help: String,
    },
    /// A path devgen must not touch (outside the project, through a symlink, …).
    #[error("error: {0}")]
    Unsafe(String),
    /// Bad command-line use or project state, with the fix in the message.
    #[error("error: {0}")]
    Usage(String),
    /// A template failed: always a bug in devgen, never in the user's input.
    #[error("error: internal error rendering {path}: {message}\nthis is a bug in devgen; please report it with your devgen.toml")]
    Render { path: String, message: String },
}

impl From<Box<Diagnostic>> for Error {
    fn from(d: Box<Diagnostic>) -> Self {
        Error::Diagnostic(d)
    }
}

impl Error {
    /// Whether this is a write to standard output or error after its reader went away
    /// (`devgen diff | head -1`): nothing more can be said, and nothing is wrong.
    pub fn is_closed_output(&self) -> bool {
        matches!(self, Error::Io { source, path, .. }
            if source.kind() == std::io::ErrorKind::BrokenPipe && path == OUTPUT)
    }

    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        let help = match source.kind() {
            std::io::ErrorKind::PermissionDenied => {
                "check the file's permissions and owner".to_string()
            }
            std::io::ErrorKind::NotFound => "check that the directory exists".to_string(),
            std::io::ErrorKind::InvalidData => {
                "devgen manages UTF-8 text files only; fix the file's encoding".to_string()
            }
            _ => "check the file and the disk, then run the command again".to_string(),
        };
        Error::Io {
            action,
            path: path.display().to_string(),
            source,
            help,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Diagnostic {
    pub fn into_error(self) -> Error {
        Error::Diagnostic(Box::new(self))
    }
}

/// The Nix editor's errors in devgen's words: a diagnostic at the place in the file (or in
/// the EXPR of `devgen nix`), with the fix; the editor's internal errors as bugs to report.
impl From<nix_edit::Error> for Error {
    fn from(e: nix_edit::Error) -> Self {
        use nix_edit::ErrorKind as K;
        let file = e.file().unwrap_or("EXPR");
        let internal = |what: String| Error::Usage(format!("internal error: {what}"));
        let (message, help) = match e.kind() {
            K::ReadBack { path, found } => {
                return internal(format!(
                    "after setting `{path}` in {file} it reads {found:?}; nothing was written. Please report this with the file"
                ))
            }
            K::StillBound { path } => {
                return internal(format!("`{path}` is still bound in {file} after deleting it"))
            }
            K::EditUnparsable { message } => {
                let syntax = Diagnostic::new(file, e.input(), e.span(), format!("Nix syntax error: {message}"))
                    .with_help(NIX_SYNTAX_HELP);
                return internal(format!(
                    "the edit would leave {file} unparsable, so nothing was written:\n{syntax}"
                ));
            }
            _ => editor_message(&e),
        };
        let d = Diagnostic::new(file, e.input(), e.span(), message);
        match help {
            Some(help) => d.with_help(help),
            None => d,
        }
        .into_error()
    }
}

const NIX_SYNTAX_HELP: &str = "fix the syntax first; devgen only edits files that Nix can parse";

/// The message and the fix of an error the user can act on.
fn editor_message(e: &nix_edit::Error) -> (String, Option<String>) {
    use nix_edit::ErrorKind as K;
    let (message, help): (String, String) = match e.kind() {
        K::Syntax { message } => (format!("Nix syntax error: {message}"), NIX_SYNTAX_HELP.into()),
        K::Expression { message } => (
            format!("the expression does not parse: {message}"),
            "quote it for your shell, e.g. 'pkgs.redis' or '\"a string\"' (Nix strings need double quotes)".into(),
        ),
        K::NotAttrSetDocument { found } => (
            format!("the file's value is {found}, not an attribute set"),
            "devgen edits files whose value is an attribute set, like a module `{ pkgs, ... }: { … }` or a flake `{ … }`".into(),
        ),
        K::NotAttrSet { path, found } => (
            format!("`{path}` is bound to {found} here, not an attribute set"),
            match e.editable() {
                Some(p) => format!("devgen edits inside attribute set literals only; the nearest place it can edit is `{p}`, whose whole value `devgen nix set` replaces, or change this value by hand"),
                None => "devgen edits inside attribute set literals only; change this value by hand, or edit a path that does not run through it".into(),
            },
        ),
        K::Hidden { path, found, after_delete: false } => (
            format!("`{path}` may be bound by {found} here, on the right of `//`, which devgen cannot see inside"),
            match e.editable() {
                Some(p) => format!("write the binding into the rightmost operand by hand, or set `{p}` as a whole"),
                None => "write the binding into the rightmost operand by hand".into(),
            },
        ),
        K::Hidden { path, found, after_delete: true } => (
            format!("cannot delete `{path}`: it may still be bound by {found} here, which devgen cannot see inside"),
            match e.editable() {
                Some(p) => format!("remove the binding by hand where it is, or set `{p}` as a whole"),
                None => "remove the binding by hand where it is".into(),
            },
        ),
        K::Ambiguous { .. } => (
            e.to_string(),
            "edit the element you mean by hand, or give each name to one element only".into(),
        ),
        K::TrailingComment => (
            "the expression ends in a `#` comment, and more follows on the line where devgen would write it".into(),
            "write the comment as `/* … */`, or leave it out and add it by hand".into(),
        ),
        K::NotAPattern { path, found } => (
            format!("`{path}` is {found}, not a function of a set pattern"),
            "devgen adds parameters to functions of a set pattern, like `{ self, nixpkgs }: …`".into(),
        ),
        K::InheritedPrefix { path } => (
            format!("`{path}` is bound by `inherit` here, so devgen cannot see inside it"),
            "write the value out as an attribute set to edit inside it".into(),
        ),
        K::InheritRewrite { path } => {
            let name = path.segments().last().map(String::as_str).unwrap_or_default();
            (
                format!("`{path}` is bound by `inherit` here; devgen does not rewrite inherit bindings"),
                format!("replace the inherit of `{name}` by hand with `{name} = …;`, then run the edit again"),
            )
        }
        K::InheritShared { path } => (
            format!("`{path}` is one of several names this `inherit` binds; devgen does not rewrite inherit bindings"),
            "remove the name from the inherit by hand".into(),
        ),
        K::NotAList { path, found } => (
            format!("`{path}` is {found}, not a list"),
            "add and remove work on list literals: `[ … ]`, `[ … ] ++ …`, or `with pkgs; [ … ]`".into(),
        ),
        K::Spread { path, operation, example } => (
            format!("cannot {operation} `{path}`: it is made of several bindings, such as `{example}`"),
            format!("use a longer path, like `{example}`, or delete `{path}` first"),
        ),
        K::ReadInRec { name } => (
            format!("cannot bind `{name}` in this rec set: the set already reads `{name}` here from outside it, and would read the new binding instead"),
            "rename the uses first, or bind the name by hand where it does not change them".into(),
        ),
        K::UsedInRec { name } => (
            format!("cannot delete `{name}`: this rec set still uses it here, which would leave it undefined"),
            "remove or change the uses first, then delete it".into(),
        ),
        // A kind a newer editor knows: its own words.
        _ => return (e.to_string(), e.help()),
    };
    (message, Some(help))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix_edit::{AttrPath, NixDocument};

    fn refused(
        text: &str,
        edit: impl FnOnce(&mut NixDocument, &AttrPath) -> nix_edit::Result<bool>,
    ) -> String {
        let mut doc = NixDocument::parse("f.nix", text).unwrap();
        let err = edit(&mut doc, &"a.b".parse().unwrap()).unwrap_err();
        Error::from(err).to_string()
    }

    /// devgen says what the editor refuses in its own words, naming the place and the fix.
    #[test]
    fn the_editors_refusals_in_devgens_words() {
        let cases = [
            (
                "[ 1 ]",
                "error: the file's value is a list, not an attribute set",
                "= help: devgen edits files whose value is an attribute set, like a module `{ pkgs, ... }: { … }` or a flake `{ … }`",
            ),
            (
                "{ inherit (x) a; }",
                "error: `a` is bound by `inherit` here, so devgen cannot see inside it",
                "= help: write the value out as an attribute set to edit inside it",
            ),
            (
                "{ a = f x; }",
                "error: `a` is bound to a function call here, not an attribute set",
                "= help: devgen edits inside attribute set literals only; the nearest place it can edit is `a`, whose whole value `devgen nix set` replaces, or change this value by hand",
            ),
            (
                "{ a = 1; } // extra",
                "error: `a` may be bound by the variable `extra` here, on the right of `//`, which devgen cannot see inside",
                "= help: write the binding into the rightmost operand by hand",
            ),
            (
                "{ a = lib.mkMerge [ { b = 1; } { b = 2; } ]; }",
                "error: `a.b` is bound in 2 elements of `lib.mkMerge`: at 1:23 and 1:34",
                "= help: edit the element you mean by hand, or give each name to one element only",
            ),
            (
                "{ a.b = { c = 1; }; a.b.d = 2; }",
                "error: cannot set `a.b`: it is made of several bindings, such as `a.b`",
                "= help: use a longer path, like `a.b`, or delete `a.b` first",
            ),
        ];
        for (text, message, help) in cases {
            let out = refused(text, |d, p| d.set(p, "1"));
            assert!(out.starts_with(message), "{out}");
            assert!(out.contains(" --> f.nix:1:"), "{out}");
            assert!(out.contains(help), "{out}");
        }
        let still = refused("x // { a.b = 1; }", |d, p| d.delete(p));
        assert!(still.starts_with("error: cannot delete `a.b`: it may still be bound by the variable `x` here, which devgen cannot see inside"), "{still}");
        assert!(
            still.contains("= help: remove the binding by hand where it is"),
            "{still}"
        );
        let rec = refused("let b = 1; in { a = rec { c = b; }; }", |d, p| {
            d.set(p, "2")
        });
        assert!(rec.starts_with("error: cannot bind `b` in this rec set: the set already reads `b` here from outside it"), "{rec}");
        let comment = refused("{ a = { }; }", |d, p| d.set(p, "1 # one"));
        assert!(comment.starts_with("error: the expression ends in a `#` comment, and more follows on the line where devgen would write it"), "{comment}");
        assert!(comment.contains(" --> EXPR:1:3"), "{comment}");
        let shared = refused("{ a = { inherit b c; }; }", |d, p| d.delete(p));
        assert!(shared.starts_with("error: `a.b` is one of several names this `inherit` binds; devgen does not rewrite inherit bindings"), "{shared}");
        let rewrite = refused("{ a = { inherit b; }; }", |d, p| d.set(p, "1"));
        assert!(
            rewrite.contains(
                "= help: replace the inherit of `b` by hand with `b = …;`, then run the edit again"
            ),
            "{rewrite}"
        );
        let expr = refused("{ }", |d, p| d.set(p, "{ x = "));
        assert!(
            expr.starts_with("error: the expression does not parse: "),
            "{expr}"
        );
        assert!(expr.contains(" --> EXPR:1:"), "{expr}");
        let syntax = NixDocument::parse("f.nix", "{ a = ; }")
            .map_err(Error::from)
            .unwrap_err();
        assert!(
            syntax.to_string().contains(
                "= help: fix the syntax first; devgen only edits files that Nix can parse"
            ),
            "{syntax}"
        );
    }
}
