//! Format-preserving edits of Nix files, addressed by attribute path.
//!
//! In the spirit of `toml_edit`: parse a document into a [`NixDocument`], read and change
//! the values bound at attribute paths, print it. A path is looked up in the document's
//! top-level attribute set, found through the usual wrappers (a module's
//! `{ pkgs, ... }:`, `let … in`, `with …;`, parentheses, `assert`), and may be written
//! nested (`a = { b = 1; };`), dotted (`a.b = 1;`) or mixed.
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
//! # Large files
//!
//! [`NixDocument::parse_for`] gives the same document for work at one path, faster: the
//! whole text is checked against the grammar without building a tree (rnix's tokenizer
//! and a recognizer that follows rnix's parser), and only the top-level bindings the path
//! can reach are parsed into one. On a 4 MB all-packages-style file that is a few
//! percent of a full parse. Whatever that check does not follow with certainty, and any
//! question about another path or the whole document, is answered from a full parse.
//!
//! # What it refuses
//!
//! Anything it could only do by guessing is an [`Error`] naming the place
//! ([`Error::span`], [`Error::line_col`]) and the reason ([`ErrorKind`]): a document that
//! does not parse or whose value is not an attribute set; a path through a function call,
//! a variable or an `inherit` (the editor cannot see inside them); rewriting an `inherit`;
//! reading or replacing as one value a path made of several bindings (`a = { … }; a.b = …;`);
//! adding to a value that is not a list literal; deleting a name a `rec` set still uses.
#![warn(missing_docs)]

mod document;
mod edit;
mod error;
mod ident;
mod layout;
mod lists;
mod lookup;
mod partial;
mod path;
mod read;
mod scan;
mod syntax;
mod tree;

pub use document::{Binding, ListElement, NixDocument, ValueKind};
pub use error::{line_col, Error, ErrorKind, Result};
pub use ident::{is_ident, quote_attr, quote_string};
pub use path::{AttrPath, PathError};
pub use read::{BoundBy, Entry, Reference, Shape, Value};
pub use syntax::same_expr;

#[cfg(test)]
mod tests;
