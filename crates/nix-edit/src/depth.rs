//! How deep a syntax tree may nest, and rnix's parse kept within the stack.
//!
//! Parsing recurses once per level of the tree in places nothing limits: rnix's parser once
//! per operand of a right-associative chain (`//`, `++`, `->`, `<|`), per `!` or prefix
//! `-`, per nested list and per `or` default (its own limit counts only the 512
//! expressions), and rowan's node cache, when it grows, hashes a chain of small nodes
//! (`f x x x …`, `a*a*a…`, `!!!…`) one call per level. Rowan also frees a tree one call per
//! level. A file like `{ b = x // x // …; }` with 100,000 operands therefore overflowed the
//! stack: an abort, not an error. So every parse goes through [`parse`]. A short text,
//! which cannot nest deep enough to matter, is parsed on the caller's thread; a longer one
//! on a thread of its own with a stack as large as the text could need (each level of
//! nesting takes at least one byte of the text, and at most about 210 bytes of stack,
//! measured; only the pages a parse touches are committed). A tree that
//! nests deeper than [`MAX_DEPTH`] nodes is then refused ("nested too deeply", at the first
//! node that deep) and freed on that thread. Every tree the editor keeps is at most
//! [`MAX_DEPTH`] deep, which any thread with the usual 2 MB of stack can walk and free. The
//! scan (`crate::scan`) computes the same depth without a tree, and leaves a document
//! deeper than that to this parse, so that `parse_for` refuses it alike.

use std::ops::Range;

use rnix::Root;
use rowan::{GreenNodeData, NodeOrToken};

/// How many nodes deep, from the root down, a syntax tree may nest. Real files stay well
/// under 100 (the deepest of about 4,000 files of home-manager, nix-darwin and devenv:
/// 53); Nix's own parser gives up on a `//` chain of about 5,000 operands.
pub(crate) const MAX_DEPTH: usize = 1000;

/// Up to how long (in bytes) a text may be to be parsed on the caller's thread: as many
/// levels of nesting at most, and with the 512 expressions rnix lets nest, well within
/// 2 MB of stack.
const DIRECT: usize = 2000;

/// Stack for a thread of its own, to parse a text that may nest `levels` deep (and free
/// its tree): room for the 512 expressions rnix lets nest (about 20 calls each), and for
/// each level (at most about 210 bytes, measured in release and debug builds).
fn stack_for(levels: usize) -> usize {
    (16 << 20) + levels.saturating_mul(256)
}

/// The first syntax error of a text: where, and what is wrong.
pub(crate) struct ParseFailure {
    pub(crate) span: Range<usize>,
    pub(crate) message: String,
}

/// rnix's parse of `text`, unless its tree nests deeper than `limit` nodes: then a failure
/// at the first node that deep.
pub(crate) fn parse(text: &str, limit: usize) -> Result<rnix::Parse<Root>, ParseFailure> {
    // at most a level per byte
    let levels = text.len();
    let parsed = if levels <= DIRECT {
        rnix::Root::parse(text)
    } else {
        // no thread with a stack that large: how deep the tokens could nest, exactly
        let parse = || rnix::Root::parse(text);
        match on_a_stack(stack_for(levels), parse).or_else(|| {
            let tokens = rnix::tokenize(text)
                .filter(|(kind, _)| !kind.is_trivia())
                .count();
            on_a_stack(stack_for(tokens), parse)
        }) {
            Some(parsed) => parsed,
            None => {
                return Err(ParseFailure {
                    span: 0..0,
                    message: format!(
                        "no thread could be made with the {} MB of stack parsing a text this long may take",
                        stack_for(levels) >> 20
                    ),
                })
            }
        }
    };
    let deepest = deeper_than(parsed.syntax().green(), limit);
    match deepest {
        None => Ok(parsed),
        Some((span, depth)) => {
            // Freeing it takes as much stack as building it did. Without a thread to free
            // it on, it is never freed (the closure, dropped unrun, leaves it alone):
            // better than an abort.
            let parsed = std::mem::ManuallyDrop::new(parsed);
            on_a_stack(stack_for(depth), move || {
                drop(std::mem::ManuallyDrop::into_inner(parsed));
            });
            Err(too_deep(span, limit))
        }
    }
}

/// The failure for a tree nesting deeper than `limit` at `span`.
pub(crate) fn too_deep(span: Range<usize>, limit: usize) -> ParseFailure {
    ParseFailure {
        span,
        message: format!("nested too deeply (more than {limit} levels of syntax)"),
    }
}

/// Run `f` on a thread of its own with `stack` bytes of stack; `None` when no such thread
/// can be made.
fn on_a_stack<T: Send>(stack: usize, f: impl FnOnce() -> T + Send) -> Option<T> {
    std::thread::scope(|scope| {
        let thread = std::thread::Builder::new()
            .name("nix-edit-parse".into())
            .stack_size(stack)
            .spawn_scoped(scope, f)
            .ok()?;
        match thread.join() {
            Ok(value) => Some(value),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// The span of the first node (in source order) deeper than `limit` nodes from `root`, and
/// the depth of the deepest; `None` when none is. Walks with a stack of its own, not by
/// recursion.
pub(crate) fn deeper_than(root: &GreenNodeData, limit: usize) -> Option<(Range<usize>, usize)> {
    // the nodes from the root down to the one being walked, each with the index of its next
    // child and the offset where that child starts
    let mut path: Vec<(&GreenNodeData, usize, usize)> = vec![(root, 0, 0)];
    let mut first: Option<Range<usize>> = None;
    let mut deepest = 1;
    while let Some(top) = path.last_mut() {
        let (node, index, offset) = *top;
        let Some(child) = node.children().nth(index) else {
            path.pop();
            continue;
        };
        let len = usize::from(child.text_len());
        top.1 += 1;
        top.2 += len;
        if let NodeOrToken::Node(child) = child {
            path.push((child, 0, offset));
            deepest = deepest.max(path.len());
            if path.len() > limit && first.is_none() {
                first = Some(offset..offset + len);
            }
        }
    }
    first.map(|span| (span, deepest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn depth(text: &str) -> usize {
        deeper_than(rnix::Root::parse(text).syntax().green(), 0).map_or(0, |(_, d)| d)
    }

    #[test]
    fn the_depth_counts_nodes_from_the_root() {
        // ROOT, LITERAL
        assert_eq!(depth("1"), 2);
        // ROOT, ATTR_SET, ATTRPATH_VALUE, ATTRPATH, IDENT
        assert_eq!(depth("{ a = 1; }"), 5);
        // ROOT, BIN_OP, BIN_OP, IDENT
        assert_eq!(depth("a // b // c"), 4);
    }

    #[test]
    fn a_tree_too_deep_is_refused_where_it_gets_too_deep() {
        let text = format!("{{ a = {}; }}", vec!["x"; 50].join(" // "));
        assert!(parse(&text, 60).is_ok());
        let Err(failure) = parse(&text, 20) else {
            panic!("parsed")
        };
        // ROOT, ATTR_SET, ATTRPATH_VALUE, then BIN_OPs: the first node at depth 21 is the
        // 17th operand, under 17 of them
        let at = "{ a = ".len() + 16 * "x // ".len();
        assert_eq!(failure.span, at..at + 1);
        assert!(
            failure.message.contains("nested too deeply"),
            "{}",
            failure.message
        );
    }

    /// Every operation on a document as deep as the editor keeps them works on a test's
    /// thread (2 MB of stack) in a debug build, and so does freeing it.
    #[test]
    fn a_document_just_under_the_limit_is_read_and_edited() {
        use crate::{AttrPath, NixDocument};
        // ROOT, ATTR_SET, ATTRPATH_VALUE, then n - 1 BIN_OPs over the last two operands,
        // and a LIST and a PAREN more in `c`
        let n = MAX_DEPTH - 4;
        for op in [" // ", " ++ ", " + ", " "] {
            let chain = vec!["x"; n].join(op);
            let shorter = vec!["x"; n - 2].join(op);
            let text = format!("{{ a = 1; b = {chain}; c = [ ({shorter}) ]; }}");
            let Ok(mut doc) = NixDocument::parse("t.nix", text.as_str()) else {
                panic!("{op:?} refused");
            };
            let p = |s: &str| s.parse::<AttrPath>().unwrap();
            let _ = doc.value().shape();
            let _ = doc.references();
            let _ = doc.bindings().unwrap();
            assert!(doc.get(&p("b")).unwrap().is_some());
            let _ = doc.list_elements(&p("c"));
            let _ = doc.contains_element(&p("c"), "x");
            let _ = doc.set(&p("b.d"), "1");
            let _ = doc.add(&p("b"), "1");
            let _ = doc.remove(&p("c"), "x");
            assert!(doc.set(&p("a"), &chain).is_ok() || op == " ");
            assert!(doc.delete(&p("b")).unwrap());
            let doc = NixDocument::parse_for("t.nix", text.as_str(), &p("a")).unwrap();
            assert!(doc.is_partial());
            drop(doc);
        }
    }

    /// rnix or rowan would overflow the stack on each of these when parsing, and rowan
    /// when freeing the tree. (Not much longer: rowan's hashing of deep chains takes time
    /// quadratic in their depth.)
    #[test]
    fn deep_chains_are_refused_not_aborted() {
        let n = 100_000;
        for text in [
            format!("{{ a = 1; b = {}; c = 2; }}", vec!["x"; n].join(" // ")),
            format!("{{ b = {}; }}", vec!["x"; n].join(" ++ ")),
            format!("{{ b = {}; }}", vec!["x.y"; n].join(" or ")),
            format!("{{ b = {}; }}", vec!["x"; n].join(" + ")),
            format!("{{ b = {}{}; }}", "[".repeat(n / 20), "]".repeat(n / 20)),
            format!("{{ b = f {}; }}", vec!["x"; n / 20].join(" ")),
            format!("{{ b = {}; }}", vec!["a"; n / 20].join("*")),
            format!("{{ b = {}x; }}", "!".repeat(n / 20)),
        ] {
            let Err(failure) = parse(&text, MAX_DEPTH) else {
                panic!("parsed")
            };
            assert!(
                failure.message.contains("nested too deeply"),
                "{}",
                failure.message
            );
        }
    }
}
