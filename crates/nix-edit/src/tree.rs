//! [`Tree`], the parsed state every module above reads: a document's name, its text and
//! the syntax tree of that text, kept in step. rowan 0.17 has no mutable tree, so the only
//! change a tree takes is a [`Splice`] — a byte range replaced by new text — after which
//! the text is parsed again: only the smallest set or list literal around the splice,
//! grafted into the tree, when that is enough. A tree may be partial (see `partial`):
//! parsed only as far as paths starting with a few names (its focus) need. Also the errors about a place
//! in the document ([`Tree::error`]).

use std::ops::Range;

use rnix::{SyntaxKind, SyntaxNode};

use crate::error::{Error, ErrorKind, Result};
use crate::path::AttrPath;
use crate::syntax::{parse_checked, range};

/// A parsed document. Its fields are private so that nothing but [`Tree::apply`] changes
/// the text, and the syntax tree can always be trusted to be the text's.
#[derive(Debug, Clone)]
pub(crate) struct Tree {
    /// The name the document was parsed under, for errors.
    file: String,
    text: String,
    /// The syntax tree of `text`, always in step with it.
    root: SyntaxNode,
    /// The functions whose calls paths go through whatever their last argument is (see
    /// `NixDocument::look_through`); `None` when none were named, and paths go through the
    /// calls whose last argument is a set alone (see `reach::through_call`).
    through: Option<Vec<String>>,
    /// For a partial tree, the first names of the paths it answers for (one per set on the
    /// path it leaves entries out of or goes through); `None` for a whole one.
    focus: Option<Vec<String>>,
    /// Whether a set a partial tree leaves entries out of has been edited since it was
    /// parsed: its entries are then no longer those the scan chose (a deleted last entry
    /// leaves a run left out at the end, where a new binding would go), so it answers for
    /// no path and the next question or edit goes to the whole tree.
    stale: bool,
}

/// A document's name and text, given back where no partial tree is made of them.
pub(crate) type Source = (String, String);

/// A text replacement: `range` of the document becomes `text`.
pub(crate) struct Splice {
    pub(crate) range: Range<usize>,
    pub(crate) text: String,
}

impl Tree {
    /// Parse `text`; `file` names it in errors. A text with syntax errors is refused.
    pub(crate) fn parse(file: String, text: String) -> Result<Self> {
        match parse_checked(&text) {
            Ok(root) => Ok(Tree {
                file,
                text,
                root,
                through: None,
                focus: None,
                stale: false,
            }),
            Err(failure) => Err(Error::new(
                ErrorKind::Syntax {
                    message: failure.message,
                },
                failure.span,
                text,
                Some(file),
            )),
        }
    }

    /// A partial tree of `text` for paths starting as `path` does, with the spans of the
    /// sets on the path the scan split, the top-level set first (one per name of `path` the
    /// tree answers for); the source back when the fast scan leaves nothing out or does not
    /// follow the document (which includes every document with a syntax error).
    pub(crate) fn partial(
        file: String,
        text: String,
        path: &AttrPath,
    ) -> std::result::Result<(Self, Vec<Range<usize>>), Source> {
        match crate::partial::parse(&text, path.segments()) {
            Some((root, sets)) => Ok((
                Tree {
                    file,
                    text,
                    root,
                    through: None,
                    focus: Some(path.segments()[..sets.len()].to_vec()),
                    stale: false,
                },
                sets,
            )),
            None => Err((file, text)),
        }
    }

    /// The file's name and text, the tree given up.
    pub(crate) fn into_source(self) -> (String, String) {
        (self.file, self.text)
    }

    /// Whether the tree answers for `path` as the whole tree would: it is whole, or `path`
    /// starts with its focus and its sets on the path are as the scan left them.
    pub(crate) fn covers(&self, path: &AttrPath) -> bool {
        match &self.focus {
            None => true,
            Some(focus) => !self.stale && path.segments().starts_with(focus),
        }
    }

    /// Whether the tree is partial.
    pub(crate) fn is_partial(&self) -> bool {
        self.focus.is_some()
    }

    /// The whole tree of the same text (for a whole tree, a copy of it).
    pub(crate) fn whole(&self) -> Tree {
        if self.focus.is_none() {
            return self.clone();
        }
        let root = parse_checked(&self.text)
            .unwrap_or_else(|_| panic!("a partial tree's text parses: {}", self.file));
        Tree {
            file: self.file.clone(),
            text: self.text.clone(),
            root,
            through: self.through.clone(),
            focus: None,
            stale: false,
        }
    }

    /// The functions named to `NixDocument::look_through`, whose calls paths go through
    /// whatever their last argument is; `None` when none were.
    pub(crate) fn through(&self) -> Option<&[String]> {
        self.through.as_deref()
    }

    pub(crate) fn set_through(&mut self, names: Vec<String>) {
        self.through = Some(names);
    }

    /// The name the document was parsed under.
    pub(crate) fn file(&self) -> &str {
        &self.file
    }

    /// The document's text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The syntax tree of [`Tree::text`].
    pub(crate) fn root(&self) -> &SyntaxNode {
        &self.root
    }

    /// The source text of `node`.
    pub(crate) fn node_text(&self, node: &SyntaxNode) -> String {
        self.text[range(node)].to_string()
    }

    /// An error about `span` of this document.
    pub(crate) fn error(&self, kind: ErrorKind, span: Range<usize>) -> Error {
        Error::new(kind, span, self.text.clone(), Some(self.file.clone()))
    }

    /// Apply one splice. Only the smallest set or list literal around it is parsed again
    /// (a bracketed literal is self-delimiting, so the text around it parses as before), and
    /// its new green node is grafted into the tree: an edit deep in a large file costs the
    /// size of its set, not of the file.
    pub(crate) fn apply(&mut self, splice: Splice) -> Result<()> {
        let node = self.enclosing_literal(&splice.range);
        let mut text = String::with_capacity(self.text.len() + splice.text.len());
        text.push_str(&self.text[..splice.range.start]);
        text.push_str(&splice.text);
        text.push_str(&self.text[splice.range.end..]);
        let Some(node) = node else {
            return self.replace_text(text);
        };
        if self.focus.is_some() && crate::partial::has_opaque(&node) {
            let inserted = splice.text.len();
            return match crate::partial::regraft(&node, splice.range, inserted, &text) {
                Some(root) => {
                    self.adopt(text, root);
                    self.stale = true;
                    Ok(())
                }
                None => self.replace_text(text),
            };
        }
        let node_range = range(&node);
        let new_len = node_range.len() + splice.text.len() - splice.range.len();
        let node_text = &text[node_range.start..node_range.start + new_len];
        // the literal's tree goes where `node` is, as deep as it is in the tree
        let limit = crate::depth::MAX_DEPTH + 2 - node.ancestors().count();
        let replacement = crate::depth::parse(node_text, limit)
            .ok()
            .and_then(|parsed| {
                parsed.syntax().first_child().filter(|c| {
                    parsed.errors().is_empty()
                        && c.kind() == node.kind()
                        && range(c) == (0..node_text.len())
                })
            });
        let Some(replacement) = replacement else {
            // Let the whole-file parse name the error.
            return self.replace_text(text);
        };
        let root = SyntaxNode::new_root(node.replace_with(replacement.green().to_owned()));
        debug_assert!(
            self.focus.is_some()
                || root.green().to_owned() == rnix::Root::parse(&text).syntax().green().to_owned(),
            "a grafted tree must equal the tree of a full parse"
        );
        self.adopt(text, root);
        Ok(())
    }

    /// Take `text` and its tree `root` (partial if this tree is) as the document.
    fn adopt(&mut self, text: String, root: SyntaxNode) {
        debug_assert!(
            self.focus.is_none() || root.to_string() == text,
            "a partial tree's text is the document's"
        );
        self.text = text;
        self.root = root;
    }

    /// Apply splices that do not overlap, last first so that earlier offsets hold.
    pub(crate) fn apply_all(&mut self, mut splices: Vec<Splice>) -> Result<()> {
        splices.sort_by_key(|s| std::cmp::Reverse(s.range.start));
        for s in splices {
            self.apply(s)?;
        }
        Ok(())
    }

    /// The smallest set or list literal strictly around `r` (its delimiters untouched).
    fn enclosing_literal(&self, r: &Range<usize>) -> Option<SyntaxNode> {
        let text_range = rowan::TextRange::new((r.start as u32).into(), (r.end as u32).into());
        let element = self.root.covering_element(text_range);
        let mut node = match element {
            rowan::NodeOrToken::Node(n) => Some(n),
            rowan::NodeOrToken::Token(t) => t.parent(),
        };
        while let Some(n) = node {
            let nr = range(&n);
            if matches!(n.kind(), SyntaxKind::NODE_ATTR_SET | SyntaxKind::NODE_LIST)
                && nr.start < r.start
                && r.end < nr.end
            {
                return Some(n);
            }
            node = n.parent();
        }
        None
    }

    /// Adopt `text` as the document, if it parses. If it does not, the edit is wrong: the
    /// error points into `text`, and the document stays as it was.
    fn replace_text(&mut self, text: String) -> Result<()> {
        let root = match parse_checked(&text) {
            Ok(root) => root,
            Err(failure) => {
                return Err(Error::new(
                    ErrorKind::EditUnparsable {
                        message: failure.message,
                    },
                    failure.span,
                    text,
                    Some(self.file.clone()),
                ))
            }
        };
        self.text = text;
        self.root = root;
        self.focus = None;
        Ok(())
    }
}
