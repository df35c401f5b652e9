//! Format-preserving edits of Nix files, addressed by attribute path.
//!
//! In the spirit of `toml_edit`: parse a document into a [`NixDocument`], read and change
//! the values bound at attribute paths, print it. A path is looked up from the document's
//! value down, may be written nested (`a = { b = 1; };`), dotted (`a.b = 1;`) or mixed,
//! and goes through the wrappers real files are made of, at any depth (see
//! [Through wrappers](#through-wrappers)).
//!
//! ```
//! use nix_edit::{AttrPath, NixDocument};
//!
//! let text = r#"{ pkgs, ... }:
//! {
//!   packages = [
//!     pkgs.git # version control
//!   ];
//!
//!   services.postgres = {
//!     enable = true;
//!   };
//! }
//! "#;
//! let mut doc = NixDocument::parse("devenv.nix", text)?;
//! let port: AttrPath = "services.postgres.port".parse()?;
//! assert!(doc.set(&port, "5433")?);
//! assert!(doc.add(&"packages".parse()?, "pkgs.redis")?);
//! print!("{}", doc.text());
//! assert_eq!(
//!     doc.text(),
//!     r#"{ pkgs, ... }:
//! {
//!   packages = [
//!     pkgs.git # version control
//!     pkgs.redis
//!   ];
//!
//!   services.postgres = {
//!     enable = true;
//!     port = 5433;
//!   };
//! }
//! "#
//! );
//! assert_eq!(doc.get(&port)?.as_deref(), Some("5433"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Guarantees
//!
//! - **Every byte outside an edit is kept**: comments, blank lines, ordering, odd
//!   indentation, CRLF line endings. A new binding or element goes where a person would put
//!   it — inside the innermost existing set on the path, after the sibling that shares most
//!   of the path, one per line in a multi-line set or list and on the same line in a
//!   one-line one, indented like its neighbours.
//! - **Every edit is parsed again** and refused if the result has a syntax error; only the
//!   smallest set or list literal around the edit is re-parsed when that is enough, so an
//!   edit deep in a large file costs the size of its set.
//! - **Every edit is read back**: after `set` the path holds the new value, after `delete`
//!   nothing is bound there; otherwise the edit is refused.
//! - **A refused edit changes nothing**, and a repeated edit is a no-op (`Ok(false)`):
//!   values and list elements compare by syntax, not by layout.
//!
//! # Through wrappers
//!
//! A path goes into the attribute set a value holds, wherever it stands:
//!
//! - a function, into its body: a module's `{ pkgs, ... }:`, a flake's
//!   `outputs = { self, nixpkgs }: …`, an overlay's `final: prev: …`;
//! - `let … in`, `with …;`, `assert …;` and parentheses, into their body; `let env = …; in
//!   env` into the value of `env`;
//! - a call whose last argument is a set, into it: `lib.mkIf cond { … }`,
//!   `lib.optionalAttrs cond { … }`, `lib.mkDefault { … }`, `pkgs.mkShell { … }`, and the
//!   arguments of `import ./x.nix { … }` or `callPackage ./pkg { … }` as written; not a call
//!   whose last argument is something else (`pkgs.writeText "a" "b"`) — unless the caller
//!   names the function to [`NixDocument::look_through`]. As an operand of `//` or an
//!   element of `mkMerge`, though, `import`, `callPackage` and a call given a path are
//!   values the editor cannot see inside: what they give is the loaded file's;
//! - `a // b // { … }`: reads give what the operator yields — the rightmost operand that
//!   binds the name; `set` goes there too. A new name goes into the rightmost operand that
//!   is a set literal reached without a call, and only when there is none into a set inside
//!   a call (what `lib.optionalAttrs cond { … }` holds may not count); in a document that
//!   [looks through](NixDocument::look_through) functions, into the rightmost call of one
//!   of them first (a flake's per-system body). When the rightmost operand is one the
//!   editor cannot see inside, a new name goes into a new operand on its right,
//!   `// { name = …; }` ([`EditReport::notes`] says what that may replace). `delete`
//!   removes the binding, and those in the operands on its left that would take over once
//!   it is gone, at every level, so that nothing is bound afterwards;
//! - `lib.mkMerge [ … ]`: into the one element that binds the path; a new name into the
//!   element that shares most of the path, of equals the first that is a plain set.
//!
//! [`NixDocument::locate`] and [`NixDocument::edit`] list the [`Wrapper`]s a path went
//! through, with their spans, so that a caller can tell where a value was read or an edit
//! landed.
//!
//! # Large files
//!
//! [`NixDocument::parse_for`] gives the same document for work at one path, faster: the
//! whole text is checked against the grammar without building a tree (rnix's tokenizer
//! and a recognizer that follows rnix's parser), and only the top-level bindings the path
//! can reach are parsed into one (and, where the path goes into a set bound by one of
//! them, `top = { … };`, only that set's bindings the path can reach, and so on down the
//! path). On a 4 MB
//! all-packages-style file that is a few
//! percent of a full parse. Whatever that check does not follow with certainty, and any
//! question about another path or the whole document, is answered from a full parse.
//!
//! # What it refuses
//!
//! Anything it could only do by guessing is an [`Error`] naming the place ([`Error::span`],
//! [`Error::line_col`]) and the reason ([`ErrorKind`]): a document that does not parse or
//! whose value holds no attribute set the editor can see; a path through a value it cannot
//! see inside — a variable, a call that is not gone through, an `inherit` — with the
//! nearest place it can edit ([`Error::editable`]), a path bound by one binding of its own;
//! a `//` operand it cannot see inside, or a computed name (`${n} = …;`), on the right of
//! where the path leads (it might override it); a `delete` where such an operand or a
//! `mkMerge` element it cannot see inside might still bind the path afterwards; several
//! `mkMerge` elements binding the path; rewriting an `inherit`; reading or replacing as one
//! value a path made of several bindings (`a = { … }; a.b = …;`); adding to a value that is
//! not a list literal; deleting a name a `rec` set still uses, or binding anew one it
//! already reads from outside; an expression ending in a `#` comment where more follows on
//! the line it would go on.
#![warn(missing_docs)]

mod depth;
mod document;
mod edit;
mod error;
mod ident;
mod layout;
mod lists;
mod lookup;
mod partial;
mod path;
mod reach;
mod read;
mod rec_scope;
mod scan;
mod syntax;
mod tree;

pub use document::{
    Binding, Bound, Change, Edit, EditReport, ListElement, Location, NixDocument, ValueKind,
};
pub use error::{line_col, Error, ErrorKind, Note, Result};
pub use ident::{is_ident, quote_attr, quote_string};
pub use path::{AttrPath, PathError};
pub use reach::{Wrapper, WrapperKind};
pub use read::{BoundBy, Entry, Reference, Shape, Value};
pub use syntax::same_expr;

#[cfg(test)]
mod tests;
