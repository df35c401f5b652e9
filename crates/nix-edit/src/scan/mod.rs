//! A check of a whole document against rnix's grammar that builds no tree: rnix's own
//! tokenizer, and a recognizer that follows rnix's parser step by step but only says
//! whether the tokens form one expression. On the way it notes the document's top-level
//! attribute set (through parentheses, functions, `let … in`, `with` and `assert`) and which of its
//! entries a path starting with a given name can reach; and, when the one entry that can is
//! `name = { … };`, the same inside that set for the path's next name, and so on down the
//! path (`{ top = { …33,000 bindings… }; }` for `top.x`). Where the document's value turns
//! out to be something else (a `rec` set, a call, an operand of `//`), nothing can be left
//! out: the scan stops there, and the caller parses the document whole at once. It also
//! tells how deep rnix's tree of the document would nest (see `crate::depth`), and leaves a
//! document deeper than the editor keeps trees to the whole parse, which refuses it.
//!
//! The recognizer is the parser of rnix 0.15 (`rnix::parser`) with every tree operation
//! left out and every error turned into a refusal: where rnix records an error, this
//! refuses; where rnix goes on without one, this does too — except in the few places
//! where rnix accepts input without checking it (a `(` closed by any token, a token rnix
//! calls an error but consumes anyway), which this refuses. So whatever it accepts, rnix
//! parses without an error; what it refuses, the caller parses whole with rnix, which
//! then names the error or accepts it. It never needs to be exact the other way round.
//!
//! It follows rnix 0.15.1's parser, the version the crate's Cargo.toml pins exactly (so a
//! build without the lockfile cannot take another): before the pin moves, read the new
//! version's `parser.rs` against this. The tests check it against rnix itself on every form of the grammar and on
//! thousands of generated and broken documents each run.

use std::collections::VecDeque;
use std::ops::Range;

use rnix::SyntaxKind::{self, *};

use crate::depth::MAX_DEPTH;

mod grammar;

/// The end of the input, as a token kind no token has.
const EOF: SyntaxKind = NODE_ROOT;

/// How deep expressions may nest before the scan gives up (rnix itself stops at 512
/// nested `parse_expr` calls; this counts more kinds of nesting, so it stops earlier).
const MAX_NESTING: u32 = 400;

/// What a scan found out about a document it accepted.
pub(crate) struct Scan {
    /// The document's top-level attribute set, when the scan could tell it and it is not
    /// `rec`.
    pub(crate) top: Option<PathSet>,
    /// How deep rnix's tree of the document nests: nodes on its longest path down, the
    /// root included.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) depth: usize,
}

/// An attribute set on the path: the top-level set, or one bound in a set on the path by
/// its one entry the path can reach, `name = { … };` with `name` the path's next name.
pub(crate) struct PathSet {
    /// The set literal, braces included.
    pub(crate) range: Range<usize>,
    /// Runs of consecutive entries the path cannot reach, each from the first token of its
    /// first entry to the `;` of its last, in source order.
    pub(crate) skipped: Vec<Range<usize>>,
    /// The set on the path inside this one, if there is one (not `rec`, the whole value of
    /// the one entry the path can reach, and the path goes on past it).
    pub(crate) inner: Option<Box<PathSet>>,
}

/// Why a scan stopped before the end: either way the caller parses the document whole,
/// and rnix names the error or accepts it.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Stop {
    /// A syntax error, or input the scan does not follow.
    Refused,
    /// Nothing can be left out: the document's value is no attribute set literal the scan
    /// follows — a `rec` set, a call, a list, an operand of `//`, … The scan stops at the
    /// token where it learnt so (`at`), so that the whole parse starts at once.
    Whole { at: usize },
    /// rnix's tree of the document would nest deeper than [`MAX_DEPTH`]: the whole parse
    /// refuses it, and names the place.
    TooDeep,
}

/// Why the recognizer stopped, as it passes it up: a [`Stop`] without its place (kept in
/// the scanner), so that a step's result fits in two registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Halt {
    Refused,
    Whole,
    TooDeep,
}

use Halt::Refused;

type Step<T = ()> = Result<T, Halt>;

/// Scan `text`; `path` holds the names of the path the caller will look up. Stops as soon
/// as nothing can be left out ([`Stop::Whole`]).
pub(crate) fn scan(text: &str, path: &[String]) -> Result<Scan, Stop> {
    run(text, path, false)
}

/// Scan `text` to the end, or to a syntax error, even where nothing can be left out.
#[cfg(test)]
fn scan_to_the_end(text: &str, path: &[String]) -> Result<Scan, Stop> {
    run(text, path, true)
}

fn run(text: &str, path: &[String], to_the_end: bool) -> Result<Scan, Stop> {
    let mut s = Scanner {
        stopped_at: 0,
        tokens: rnix::tokenize(text),
        offset: 0,
        next: Tok {
            kind: EOF,
            text: "",
            start: 0,
            spaced: false,
        },
        ahead: VecDeque::with_capacity(4),
        nesting: 0,
        spine: None,
        to_the_end,
        path,
        inner_at: None,
        inner: None,
        top: None,
    };
    s.next = s.read();
    s.spine = Some(s.peek_tok().start);
    let expr = s.expr().map_err(|halt| match halt {
        Halt::Refused => Stop::Refused,
        Halt::Whole => Stop::Whole { at: s.stopped_at },
        Halt::TooDeep => Stop::TooDeep,
    })?;
    if s.peek() != EOF {
        return Err(Stop::Refused);
    }
    // a ROOT around the expression
    Ok(Scan {
        top: s.top,
        depth: 1 + expr,
    })
}

/// How a chain of binary operators nests.
#[derive(Clone, Copy)]
enum Assoc {
    Left,
    Right,
}

/// A token that is not whitespace or a comment.
#[derive(Clone, Copy)]
struct Tok<'a> {
    kind: SyntaxKind,
    text: &'a str,
    start: usize,
    /// Whether whitespace or a comment comes right before it.
    spaced: bool,
}

impl Tok<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }
}

/// A static attribute name as written (an identifier or a plain string), or not.
enum Name<'a> {
    Static(&'a str),
    Other,
}

/// One entry of a set on the path.
struct Entry {
    range: Range<usize>,
    /// Whether the path may reach it.
    keep: bool,
}

struct Scanner<'a, I> {
    /// Where the scan stopped when it found nothing can be left out.
    stopped_at: usize,
    tokens: I,
    /// Where the next token from `tokens` starts.
    offset: usize,
    /// The next token, trivia left out.
    next: Tok<'a>,
    /// Tokens read ahead after it, trivia left out.
    ahead: VecDeque<Tok<'a>>,
    nesting: u32,
    /// Where the expression starts that the document's value is, as far as parentheses,
    /// functions, `let … in`, `with` and `assert` have been followed; `None` once the set is found,
    /// or once the value is found to be something else.
    spine: Option<usize>,
    /// Whether to go on to the end when nothing can be left out (to check the recognizer).
    to_the_end: bool,
    /// The names of the path.
    path: &'a [String],
    /// Where the value of an entry `name = …;` of a set on the path starts, `name` being the
    /// path's name there, while it is scanned; with the depth on the path a set literal
    /// starting there would have.
    inner_at: Option<(usize, usize)>,
    /// That set, when it was the entry's whole value, for the entry's set to take.
    inner: Option<PathSet>,
    top: Option<PathSet>,
}

impl<'a, I: Iterator<Item = rnix::Token<'a>>> Scanner<'a, I> {
    /// The tokenizer's next token that is not whitespace or a comment; its kind is [`EOF`]
    /// at the end.
    fn read(&mut self) -> Tok<'a> {
        let mut spaced = false;
        loop {
            match self.tokens.next() {
                Some((kind, text)) => {
                    let start = self.offset;
                    self.offset += text.len();
                    if matches!(kind, TOKEN_WHITESPACE | TOKEN_COMMENT) {
                        spaced = true;
                        continue;
                    }
                    return Tok {
                        kind,
                        text,
                        start,
                        spaced,
                    };
                }
                None => {
                    return Tok {
                        kind: EOF,
                        text: "",
                        start: self.offset,
                        spaced,
                    }
                }
            }
        }
    }

    /// The next token but `n` (trivia left out); its kind is [`EOF`] at the end.
    fn peek_nth(&mut self, n: usize) -> Tok<'a> {
        if n == 0 {
            return self.next;
        }
        while self.ahead.len() < n {
            let tok = self.read();
            self.ahead.push_back(tok);
        }
        self.ahead[n - 1]
    }

    fn peek_tok(&mut self) -> Tok<'a> {
        self.next
    }

    fn peek(&mut self) -> SyntaxKind {
        self.next.kind
    }

    /// Consume the next token; there must be one, and it must not be one rnix calls an
    /// error.
    fn bump(&mut self) -> Step<Tok<'a>> {
        let tok = self.next;
        if matches!(tok.kind, EOF | TOKEN_ERROR) {
            return Err(Refused);
        }
        self.next = match self.ahead.pop_front() {
            Some(tok) => tok,
            None => self.read(),
        };
        Ok(tok)
    }

    fn expect(&mut self, kind: SyntaxKind) -> Step<Tok<'a>> {
        if self.peek() != kind {
            return Err(Refused);
        }
        self.bump()
    }

    /// Whether the next token starts the expression the document's value is.
    fn at_spine(&mut self) -> bool {
        let at = self.peek_tok().start;
        self.spine == Some(at)
    }

    /// The document's value is the expression that starts at the next token.
    fn spine_moves_on(&mut self, was_at_spine: bool) {
        if was_at_spine {
            self.spine = Some(self.peek_tok().start);
        }
    }

    /// The document's value is no set literal the scan follows: nothing can be left out.
    /// Stops the scan, unless it is to go to the end.
    fn not_a_set(&mut self) -> Step {
        self.spine = None;
        self.top = None;
        if self.to_the_end {
            return Ok(());
        }
        self.stopped_at = self.peek_tok().start;
        Err(Halt::Whole)
    }

    /// After the top-level set, or a parenthesis around it, was closed: only the end of the
    /// document or of a parenthesis around may follow, or the set is not the document's
    /// value but part of it (`{ … } // { … }`, `{ … }.a`, `({ … }) x`).
    fn top_set_ends(&mut self) -> Step {
        if self.top.is_some() && !matches!(self.peek(), EOF | TOKEN_R_PAREN) {
            return self.not_a_set();
        }
        Ok(())
    }

    fn nest(&mut self) -> Step {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(Refused);
        }
        Ok(())
    }

    /// Whether an entry whose (first) name is `name`, of the set at `depth` on the path,
    /// may be reached by the path: unless its name is static and not the path's name there.
    fn reaches(&self, name: Name<'_>, depth: usize) -> bool {
        match name {
            Name::Static(n) => n == self.path[depth],
            Name::Other => true,
        }
    }
}

/// The runs of consecutive entries not kept; the last entry is always kept, as a new
/// binding goes after it.
fn skipped_runs(mut entries: Vec<Entry>) -> Vec<Range<usize>> {
    if let Some(last) = entries.last_mut() {
        last.keep = true;
    }
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut previous_skipped = false;
    for e in entries {
        match (e.keep, previous_skipped, runs.last_mut()) {
            (false, true, Some(run)) => run.end = e.range.end,
            (false, _, _) => runs.push(e.range),
            (true, _, _) => {}
        }
        previous_skipped = !e.keep;
    }
    runs
}

/// `depth`, the depth of a subtree, when a tree with it under its root is not too deep
/// ([`MAX_DEPTH`]).
fn within(depth: usize) -> Step<usize> {
    if depth >= MAX_DEPTH {
        return Err(Halt::TooDeep);
    }
    Ok(depth)
}

/// rnix's `SyntaxKind::is_fn_arg`: the tokens that start an argument of a call.
fn is_fn_arg(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        TOKEN_REC
            | TOKEN_L_BRACE
            | TOKEN_L_BRACK
            | TOKEN_L_PAREN
            | TOKEN_STRING_START
            | TOKEN_IDENT
            | TOKEN_CUR_POS
            | TOKEN_FLOAT
            | TOKEN_INTEGER
            | TOKEN_PATH_ABS
            | TOKEN_PATH_REL
            | TOKEN_PATH_HOME
            | TOKEN_PATH_SEARCH
            | TOKEN_URI
    )
}

#[cfg(test)]
mod tests;
