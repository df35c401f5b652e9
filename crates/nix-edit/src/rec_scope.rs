//! The checks that keep a `rec` set evaluating after an edit: a name it still reads is not
//! deleted, and a name it already reads from outside is not bound anew inside it.

use std::ops::Range;

use rnix::ast::{self, HasEntry};
use rnix::SyntaxKind;
use rowan::ast::AstNode;

use crate::error::{ErrorKind, Result};
use crate::reach::entry_binds;
use crate::syntax::{attr_name, range, start};
use crate::tree::Tree;

/// In a `rec` set, refuse to delete the last binding of a name the set still refers to:
/// the result would not even evaluate (undefined variable). Shadowing is not tracked,
/// so this errs on the side of refusing.
pub(crate) fn check_unused_in_rec(tree: &Tree, doomed: &[ast::AttrpathValue]) -> Result<()> {
    for av in doomed {
        let Some(set) = av.syntax().parent().and_then(ast::AttrSet::cast) else {
            continue;
        };
        if set.rec_token().is_none() {
            continue;
        }
        let first_name = |b: &ast::AttrpathValue| {
            b.attrpath()
                .and_then(|p| p.attrs().next())
                .and_then(|a| attr_name(&a))
        };
        let Some(name) = first_name(av) else { continue };
        let still_bound = set.attrpath_values().any(|b| {
            !doomed
                .iter()
                .any(|d| range(d.syntax()) == range(b.syntax()))
                && first_name(&b).as_deref() == Some(name.as_str())
        });
        if still_bound {
            continue;
        }
        let doomed_ranges: Vec<Range<usize>> = doomed.iter().map(|d| range(d.syntax())).collect();
        if let Some(ident) = use_in_rec(&set, &name, &doomed_ranges) {
            return Err(tree.error(ErrorKind::UsedInRec { name }, range(ident.syntax())));
        }
    }
    Ok(())
}

/// Refuse to bind `name` anew in the `rec` set `set` when the set already reads it: those
/// reads come from outside the set now, and would give the new binding instead. Shadowing
/// is not tracked, so this errs on the side of refusing.
pub(crate) fn check_new_in_rec(tree: &Tree, set: &ast::AttrSet, name: &str) -> Result<()> {
    if set.rec_token().is_none() {
        return Ok(());
    }
    let bound = set
        .entries()
        .any(|entry| entry_binds(&entry, name) == Some(true));
    if bound {
        return Ok(());
    }
    match use_in_rec(set, name, &[]) {
        Some(ident) => Err(tree.error(
            ErrorKind::ReadInRec {
                name: name.to_string(),
            },
            range(ident.syntax()),
        )),
        None => Ok(()),
    }
}

/// The first place the `rec` set `set` reads `name`, outside the `doomed` bindings.
fn use_in_rec(set: &ast::AttrSet, name: &str, doomed: &[Range<usize>]) -> Option<ast::Ident> {
    set.syntax()
        .descendants()
        .filter_map(ast::Ident::cast)
        .find(|ident| {
            let at = start(ident.syntax());
            let is_reference = ident.syntax().parent().is_some_and(|p| match p.kind() {
                SyntaxKind::NODE_ATTRPATH
                | SyntaxKind::NODE_PAT_ENTRY
                | SyntaxKind::NODE_PAT_BIND
                | SyntaxKind::NODE_IDENT_PARAM => false,
                // `inherit x;` reads `x` from the scope around its set: the rec set's
                // scope for a nested set, the outer scope for the rec set itself
                SyntaxKind::NODE_INHERIT => {
                    let inherit = ast::Inherit::cast(p.clone()).expect("kind checked");
                    inherit.from().is_none()
                        && p.parent().is_some_and(|s| range(&s) != range(set.syntax()))
                }
                _ => true,
            });
            is_reference
                && ident.syntax().to_string() == name
                && !doomed.iter().any(|r| r.contains(&at))
        })
}
