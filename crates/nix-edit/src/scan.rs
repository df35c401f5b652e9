//! A check of a whole document against rnix's grammar that builds no tree: rnix's own
//! tokenizer, and a recognizer that follows rnix's parser step by step but only says
//! whether the tokens form one expression. On the way it notes the document's top-level
//! attribute set (through the wrappers `lookup::top_set` goes through) and which of its
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
    /// Where the expression starts that the document's value is, as far as the wrappers
    /// `lookup::top_set` looks through have been followed; `None` once the set is found,
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

    /// rnix's `parse_expr`; the depth of the tree it makes (nodes on its longest path down).
    fn expr(&mut self) -> Step<usize> {
        self.nest()?;
        let spine = self.at_spine();
        let depth = match self.peek() {
            TOKEN_LET => {
                if spine && self.peek_nth(1).kind == TOKEN_L_BRACE {
                    // `let { …; body = …; }`: its value is the `body` binding
                    self.not_a_set()?;
                }
                self.bump()?;
                if self.peek() == TOKEN_L_BRACE {
                    self.bump()?;
                    // a LEGACY_LET around the entries
                    1 + self.set(TOKEN_R_BRACE, None)?.1
                } else {
                    let entries = self.set(TOKEN_IN, None)?.1;
                    self.spine_moves_on(spine);
                    // a LET_IN around the entries and the body
                    1 + entries.max(self.expr()?)
                }
            }
            TOKEN_WITH | TOKEN_ASSERT => {
                self.bump()?;
                let first = self.expr()?;
                self.expect(TOKEN_SEMICOLON)?;
                self.spine_moves_on(spine);
                1 + first.max(self.expr()?)
            }
            TOKEN_IF => {
                if spine {
                    self.not_a_set()?;
                }
                self.bump()?;
                let condition = self.expr()?;
                self.expect(TOKEN_THEN)?;
                let then = self.expr()?;
                self.expect(TOKEN_ELSE)?;
                1 + condition.max(then).max(self.expr()?)
            }
            _ => self.binary()?,
        };
        self.nesting -= 1;
        within(depth)
    }

    /// rnix's operator levels, from `parse_pipe_left` down to `parse_negate`; the
    /// non-associative comparisons take one operator at most.
    fn binary(&mut self) -> Step<usize> {
        self.chain(Self::pipe_right, &[TOKEN_PIPE_LEFT], Assoc::Right)
    }

    fn pipe_right(&mut self) -> Step<usize> {
        self.chain(Self::implication, &[TOKEN_PIPE_RIGHT], Assoc::Left)
    }

    fn implication(&mut self) -> Step<usize> {
        self.chain(Self::or, &[TOKEN_IMPLICATION], Assoc::Right)
    }

    fn or(&mut self) -> Step<usize> {
        self.chain(Self::and, &[TOKEN_OR_OR], Assoc::Left)
    }

    fn and(&mut self) -> Step<usize> {
        self.chain(Self::equal, &[TOKEN_AND_AND], Assoc::Left)
    }

    fn equal(&mut self) -> Step<usize> {
        let mut depth = self.compare()?;
        if matches!(self.peek(), TOKEN_EQUAL | TOKEN_NOT_EQUAL) {
            self.bump()?;
            depth = 1 + depth.max(self.compare()?);
        }
        Ok(depth)
    }

    fn compare(&mut self) -> Step<usize> {
        let mut depth = self.merge()?;
        if matches!(
            self.peek(),
            TOKEN_LESS | TOKEN_LESS_OR_EQ | TOKEN_MORE | TOKEN_MORE_OR_EQ
        ) {
            self.bump()?;
            depth = 1 + depth.max(self.merge()?);
        }
        Ok(depth)
    }

    fn merge(&mut self) -> Step<usize> {
        self.chain(Self::invert, &[TOKEN_UPDATE], Assoc::Right)
    }

    fn invert(&mut self) -> Step<usize> {
        if self.peek() == TOKEN_INVERT && self.at_spine() {
            self.not_a_set()?;
        }
        // a UNARY_OP around what follows for each `!`
        let mut nots = 0;
        while self.peek() == TOKEN_INVERT {
            self.bump()?;
            nots += 1;
            within(nots)?;
        }
        let depth = self.chain(Self::mul, &[TOKEN_ADD, TOKEN_SUB], Assoc::Left)?;
        within(nots + depth)
    }

    fn mul(&mut self) -> Step<usize> {
        self.chain(Self::concat, &[TOKEN_MUL, TOKEN_DIV], Assoc::Left)
    }

    fn concat(&mut self) -> Step<usize> {
        self.chain(Self::has_attr, &[TOKEN_CONCAT], Assoc::Right)
    }

    fn has_attr(&mut self) -> Step<usize> {
        let mut depth = self.negate()?;
        while self.peek() == TOKEN_QUESTION {
            self.bump()?;
            // a HAS_ATTR around what came before and the path
            depth = within(1 + depth.max(self.attrpath()?.2))?;
        }
        Ok(depth)
    }

    fn negate(&mut self) -> Step<usize> {
        if self.peek() == TOKEN_SUB && self.at_spine() {
            self.not_a_set()?;
        }
        // a UNARY_OP around what follows for each `-`
        let mut negations = 0;
        while self.peek() == TOKEN_SUB {
            self.bump()?;
            negations += 1;
            within(negations)?;
        }
        // rnix's `parse_fn`: a call is simple expressions in a row, an APPLY around the
        // call so far for each argument
        let mut depth = self.simple()?;
        while is_fn_arg(self.peek()) {
            depth = within(1 + depth.max(self.simple()?))?;
        }
        within(negations + depth)
    }

    /// `next (op next)*`, as rnix nests it: a BIN_OP around the two operands of each
    /// operator, leaning left or right.
    fn chain(
        &mut self,
        next: fn(&mut Self) -> Step<usize>,
        ops: &[SyntaxKind],
        assoc: Assoc,
    ) -> Step<usize> {
        let mut depth = next(self)?;
        match assoc {
            // `((a op b) op c)`: each operator's BIN_OP around all that came before
            Assoc::Left => {
                while ops.contains(&self.peek()) {
                    self.bump()?;
                    depth = within(1 + depth.max(next(self)?))?;
                }
            }
            // `a op (b op c)`: operand i under i + 1 BIN_OPs, the last one under as many
            // as there are operators
            Assoc::Right => {
                let mut operators = 0;
                let mut operand = depth;
                depth = 0;
                while ops.contains(&self.peek()) {
                    self.bump()?;
                    operators += 1;
                    depth = within(depth.max(operand + operators))?;
                    operand = next(self)?;
                }
                depth = within(depth.max(operand + operators))?;
            }
        }
        Ok(depth)
    }

    /// rnix's `parse_simple`; the depth of the tree it makes.
    fn simple(&mut self) -> Step<usize> {
        self.nest()?;
        let spine = self.at_spine();
        let tok = self.peek_tok();
        if spine && !matches!(tok.kind, TOKEN_L_PAREN | TOKEN_L_BRACE | TOKEN_IDENT) {
            // a `rec` set (whose names are in scope in it), a list, a string, …
            self.not_a_set()?;
        }
        let mut depth = match tok.kind {
            TOKEN_L_PAREN => {
                self.bump()?;
                self.spine_moves_on(spine);
                let inner = self.expr()?;
                // rnix takes any token as the closing parenthesis
                self.expect(TOKEN_R_PAREN)?;
                if spine {
                    self.top_set_ends()?;
                }
                // a PAREN
                1 + inner
            }
            TOKEN_REC => {
                self.bump()?;
                self.expect(TOKEN_L_BRACE)?;
                // an ATTR_SET around the entries
                1 + self.set(TOKEN_R_BRACE, None)?.1
            }
            TOKEN_L_BRACE => {
                let pattern = matches!(
                    (self.peek_nth(1).kind, self.peek_nth(2).kind),
                    (TOKEN_IDENT, TOKEN_COMMA | TOKEN_QUESTION | TOKEN_R_BRACE)
                        | (TOKEN_ELLIPSIS, TOKEN_R_BRACE)
                        | (TOKEN_R_BRACE, TOKEN_COLON | TOKEN_AT)
                );
                self.bump()?;
                if pattern {
                    // a LAMBDA around a PATTERN and the body
                    let pattern = 1 + self.pattern(false)?;
                    self.expect(TOKEN_COLON)?;
                    self.spine_moves_on(spine);
                    1 + pattern.max(self.expr()?)
                } else {
                    let on_path = match self.inner_at.take() {
                        _ if spine => Some(0),
                        Some((at, depth)) if at == tok.start => Some(depth),
                        other => {
                            self.inner_at = other;
                            None
                        }
                    };
                    if spine {
                        self.spine = None;
                    }
                    let (set, entries) =
                        self.set(TOKEN_R_BRACE, on_path.map(|d| (tok.start, d)))?;
                    match on_path {
                        Some(0) => {
                            self.top = set;
                            self.top_set_ends()?;
                        }
                        // the entry's whole value
                        Some(_) if self.peek() == TOKEN_SEMICOLON => self.inner = set,
                        _ => {}
                    }
                    // an ATTR_SET around the entries
                    1 + entries
                }
            }
            TOKEN_L_BRACK => {
                self.bump()?;
                let mut items = 0;
                while !matches!(self.peek(), TOKEN_R_BRACK | EOF) {
                    items = items.max(self.simple()?);
                }
                self.expect(TOKEN_R_BRACK)?;
                // a LIST around the items
                1 + items
            }
            TOKEN_STRING_START => self.string()?.1,
            TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME => {
                self.bump()?;
                let mut parts = 0;
                if self.peek() == TOKEN_INTERPOL_START {
                    let mut first = true;
                    loop {
                        // after the first part, only parts with nothing between them
                        let next = self.peek_tok();
                        if !first && next.spaced {
                            break;
                        }
                        match next.kind {
                            TOKEN_PATH_ABS | TOKEN_PATH_REL | TOKEN_PATH_HOME => {
                                self.bump()?;
                            }
                            TOKEN_INTERPOL_START => {
                                self.bump()?;
                                // an INTERPOL around the expression
                                parts = parts.max(1 + self.expr()?);
                                self.expect(TOKEN_INTERPOL_END)?;
                            }
                            _ => break,
                        }
                        first = false;
                    }
                }
                // a PATH_* around its parts
                1 + parts
            }
            TOKEN_PATH_SEARCH | TOKEN_FLOAT | TOKEN_INTEGER | TOKEN_URI => {
                self.bump()?;
                // a PATH_SEARCH or LITERAL
                1
            }
            TOKEN_IDENT => match self.peek_nth(1).kind {
                TOKEN_COLON => {
                    self.bump()?;
                    self.bump()?;
                    self.spine_moves_on(spine);
                    // a LAMBDA around an IDENT_PARAM (an IDENT in it) and the body
                    1 + self.expr()?.max(2)
                }
                TOKEN_AT => {
                    self.bump()?;
                    self.bump()?;
                    self.expect(TOKEN_L_BRACE)?;
                    // a PATTERN around a PAT_BIND (an IDENT in it) and the entries
                    let pattern = 1 + self.pattern(true)?.max(2);
                    self.expect(TOKEN_COLON)?;
                    self.spine_moves_on(spine);
                    1 + pattern.max(self.expr()?)
                }
                _ => {
                    if spine {
                        // a variable, or a call of one
                        self.not_a_set()?;
                    }
                    self.bump()?;
                    // an IDENT (or CUR_POS)
                    1
                }
            },
            _ => return Err(Refused),
        };
        match self.peek() {
            TOKEN_DOT => {
                self.bump()?;
                let mut parts = depth.max(self.attrpath()?.2);
                if self.peek() == TOKEN_OR {
                    self.bump()?;
                    parts = parts.max(self.simple()?);
                }
                // a SELECT around the value, the path and the default
                depth = 1 + parts;
            }
            // `a or` is `a` applied to a variable named `or`: an APPLY around the value
            // and an IDENT
            TOKEN_OR => {
                self.bump()?;
                depth = 1 + depth.max(1);
            }
            _ => {}
        }
        self.nesting -= 1;
        within(depth)
    }

    /// rnix's `parse_pattern`, after the `{`; the depth of its entries (and its `@`
    /// binding), as children of the PATTERN.
    fn pattern(&mut self, bound: bool) -> Step<usize> {
        let mut depth = 0;
        if matches!(self.peek(), TOKEN_R_BRACE | EOF) {
            self.bump()?;
        } else {
            loop {
                match self.peek() {
                    TOKEN_R_BRACE => {
                        self.bump()?;
                        break;
                    }
                    TOKEN_ELLIPSIS => {
                        self.bump()?;
                        self.expect(TOKEN_R_BRACE)?;
                        break;
                    }
                    TOKEN_IDENT => {
                        self.bump()?;
                        // a PAT_ENTRY around an IDENT and the default
                        let mut entry = 2;
                        if self.peek() == TOKEN_QUESTION {
                            self.bump()?;
                            entry = entry.max(1 + self.expr()?);
                        }
                        depth = depth.max(entry);
                        if self.peek() == TOKEN_COMMA {
                            self.bump()?;
                        } else {
                            self.expect(TOKEN_R_BRACE)?;
                            break;
                        }
                    }
                    _ => return Err(Refused),
                }
            }
        }
        if self.peek() == TOKEN_AT {
            if bound {
                return Err(Refused);
            }
            self.bump()?;
            self.expect(TOKEN_IDENT)?;
            // a PAT_BIND around an IDENT
            depth = depth.max(2);
        }
        Ok(depth)
    }

    /// rnix's `parse_string`: `"…"` or `''…''`; the string's value when it is a plain one
    /// (a `"` string without escapes or interpolation), and the depth of its tree.
    fn string(&mut self) -> Step<(Name<'a>, usize)> {
        let open = self.expect(TOKEN_STRING_START)?;
        let mut plain = open.text == "\"";
        let mut content = "";
        let mut parts = 0;
        loop {
            match self.peek() {
                TOKEN_STRING_CONTENT => {
                    let tok = self.bump()?;
                    plain &= content.is_empty() && !tok.text.contains(['\\', '$']);
                    content = tok.text;
                }
                TOKEN_INTERPOL_START => {
                    plain = false;
                    self.bump()?;
                    // an INTERPOL around the expression
                    parts = parts.max(1 + self.expr()?);
                    self.expect(TOKEN_INTERPOL_END)?;
                }
                TOKEN_STRING_END => break,
                _ => return Err(Refused),
            }
        }
        self.expect(TOKEN_STRING_END)?;
        let name = if plain {
            Name::Static(content)
        } else {
            Name::Other
        };
        // a STRING around its parts
        Ok((name, 1 + parts))
    }

    /// rnix's `parse_attr`, and the depth of its tree.
    fn attr(&mut self) -> Step<(Name<'a>, usize)> {
        match self.peek() {
            TOKEN_INTERPOL_START => {
                self.bump()?;
                // a DYNAMIC around the expression
                let depth = 1 + self.expr()?;
                self.expect(TOKEN_INTERPOL_END)?;
                Ok((Name::Other, depth))
            }
            TOKEN_STRING_START => self.string(),
            // an IDENT
            TOKEN_IDENT | TOKEN_OR => Ok((Name::Static(self.bump()?.text), 1)),
            _ => Err(Refused),
        }
    }

    /// rnix's `parse_attrpath`; its first name, whether that is its only one, and the depth
    /// of its tree.
    fn attrpath(&mut self) -> Step<(Name<'a>, bool, usize)> {
        let (first, mut depth) = self.attr()?;
        let mut only = true;
        while self.peek() == TOKEN_DOT {
            self.bump()?;
            depth = depth.max(self.attr()?.1);
            only = false;
        }
        // an ATTRPATH around the names
        Ok((first, only, 1 + depth))
    }

    /// rnix's `parse_set`: entries up to `until`, which it consumes; the depth of the
    /// entries' trees. For a set on the path (`on_path`: where its `{` starts, and its
    /// depth on the path), also which entries the path can reach, and the set on the path
    /// inside it.
    fn set(
        &mut self,
        until: SyntaxKind,
        on_path: Option<(usize, usize)>,
    ) -> Step<(Option<PathSet>, usize)> {
        let depth = on_path.map(|(_, depth)| depth);
        let mut entries = Vec::new();
        let mut deepest = 0;
        // the entries the path can reach, and the set on the path one of them binds
        let (mut reaching, mut inner) = (0, None);
        loop {
            let first = self.peek_tok();
            if first.kind == until || first.kind == EOF {
                break;
            }
            let keep = if first.kind == TOKEN_INHERIT {
                self.bump()?;
                let mut parts = 0;
                if self.peek() == TOKEN_L_PAREN {
                    self.bump()?;
                    // an INHERIT_FROM around the expression
                    parts = 1 + self.expr()?;
                    self.expect(TOKEN_R_PAREN)?;
                }
                let mut keep = false;
                while !matches!(self.peek(), TOKEN_SEMICOLON | EOF) {
                    let (name, attr) = self.attr()?;
                    parts = parts.max(attr);
                    keep |= depth.is_some_and(|d| self.reaches(name, d));
                }
                // an INHERIT around them
                deepest = deepest.max(1 + parts);
                keep
            } else {
                let (name, only, path) = self.attrpath()?;
                self.expect(TOKEN_ASSIGN)?;
                let keep = depth.is_some_and(|d| self.reaches(name, d));
                // `name = { … };` with the path going on past `name`
                let next = depth.filter(|d| keep && only && d + 1 < self.path.len());
                if let Some(d) = next {
                    self.inner_at = Some((self.peek_tok().start, d + 1));
                }
                let value = self.expr()?;
                if next.is_some() {
                    self.inner_at = None;
                    inner = self.inner.take();
                }
                // an ATTRPATH_VALUE around the path and the value
                deepest = deepest.max(1 + path.max(value));
                keep
            };
            let semicolon = self.expect(TOKEN_SEMICOLON)?;
            if depth.is_some() {
                reaching += usize::from(keep);
                entries.push(Entry {
                    range: first.start..semicolon.end(),
                    keep,
                });
            }
        }
        let close = self.expect(until)?;
        let set = on_path.map(|(open, _)| PathSet {
            range: open..close.end(),
            skipped: skipped_runs(entries),
            // the path goes into it only when no other entry binds its name
            inner: inner.filter(|_| reaching == 1).map(Box::new),
        });
        Ok((set, deepest))
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rnix_parses(text: &str) -> bool {
        rnix::Root::parse(text).errors().is_empty()
    }

    fn accepted(text: &str) -> bool {
        scan_to_the_end(text, &names("x")).is_ok()
    }

    /// The names of the path `dotted`.
    fn names(dotted: &str) -> Vec<String> {
        dotted.split('.').map(String::from).collect()
    }

    /// Every form of rnix's grammar, each of which the scan follows.
    const VALID: &[&str] = &[
        "1",
        "x: x",
        "{ a, b ? 1, ... }@args: a",
        "args@{ a, b ? c: c }: a",
        "{ }: 1",
        "{ ... }: 1",
        "{ a, a }: a",
        "{ a }@x: a",
        "let a = 1; inherit (b) c \"d\"; in a",
        "let in 1",
        "let { a = 1; body = a; }",
        "with a; with b; c",
        "assert a; b",
        "if a then b else c",
        "rec { a = 1; b = a; }",
        "{ a.b.c = 1; \"d\" = 2; ${e} = 3; \"f${g}\".h = 4; inherit; inherit (a) b; or = 5; }",
        "f { } [ ] ( 1 ) \"s\" 1 2.5 .5 1. 1e5 ./p /abs ~/h <np/x> http://u.v/w rec { }",
        "a.b.c or d.e",
        "a.\"b\".${c} or (d)",
        "a or",
        "[ a.b or c (d) { } ]",
        "\"a ${b} \\\" $${c} $ \\${d}\"",
        "''a ''${b} ${c} ''' $$ ''\\n''",
        "./a${b}/c${d}",
        "./a ${b}",
        "/a/${b}",
        "__curPos",
        "a ? b.c",
        "-a ? b",
        "- - 1",
        "!!a",
        "a |> b <| c",
        "a -> b -> c || d && e",
        "a < b == c < d",
        "a == b < c",
        "a // b // { } ++ [ ] + 1 - 2 * 3 / 4",
        "a/b",
        "a//b",
        "/*x*/ 1 # y",
        "{ pkgs, ... }:\nwith pkgs;\nlet a = 1;\nin\n(assert true; { a = 1; })\n",
        "{ a = let x = 1; in x; b = with y; [ z ]; c = assert d; e; }",
    ];

    /// Documents rnix refuses; so must the scan.
    const INVALID: &[&str] = &[
        "",
        "# only a comment",
        "(1",
        "[1",
        "{ a = 1;",
        "{ a = ; }",
        "{ a }",
        "{ a = 1 }",
        "{ a = 1; } }",
        "a < b < c",
        "a == b == c",
        "1 + !a",
        "or",
        "1.5e",
        "\"a\\",
        "\"a",
        "''a",
        "1 /*",
        "x@{ a }@y: a",
        "{ ..., a }: 1",
        "let a = 1; b",
        "x:",
        "with a;",
        "if a then b",
        "{ inherit a }",
        "{ \"a\" = 1; \"b }",
        "a/",
        "1 2 ;",
        "${a}",
    ];

    #[test]
    fn accepts_every_form_rnix_parses() {
        for text in VALID {
            assert!(rnix_parses(text), "rnix refuses {text:?}");
            assert!(accepted(text), "the scan refuses {text:?}");
        }
    }

    /// How deep rnix's tree of `text` nests, the root included.
    fn tree_depth(text: &str) -> usize {
        let parsed = rnix::Root::parse(text);
        crate::depth::deeper_than(parsed.syntax().green(), 0).map_or(1, |(_, d)| d)
    }

    /// The scan's depth is that of rnix's tree, for every form of the grammar and every
    /// way the forms nest in each other.
    #[test]
    fn tells_how_deep_rnix_nests() {
        for text in VALID {
            assert_eq!(
                scan_to_the_end(text, &names("x")).ok().map(|s| s.depth),
                Some(tree_depth(text)),
                "{text}"
            );
        }
        // each form around each other, both ways
        for outer in VALID {
            for inner in VALID {
                for text in [
                    format!("({inner}) // ({outer})"),
                    format!("{{ a = {inner}; b.${{{outer}}} = [ ({inner}) ]; }}"),
                    format!("f ({inner}) ({outer}) -> !({inner})"),
                ] {
                    if let Ok(scan) = scan_to_the_end(&text, &names("x")) {
                        assert_eq!(scan.depth, tree_depth(&text), "{text}");
                    }
                }
            }
        }
    }

    /// A document rnix would nest deeper than the editor keeps trees is left to the whole
    /// parse, which refuses it with the place.
    #[test]
    fn leaves_documents_too_deep_to_the_whole_parse() {
        let limit = crate::depth::MAX_DEPTH;
        for n in [limit - 4, limit - 3, limit - 2, limit + 10, 100_000] {
            // ROOT, ATTR_SET, ATTRPATH_VALUE, then n - 1 BIN_OPs over the last two operands
            let text = format!("{{ a = 1; b = {}; c = 2; }}", vec!["x"; n].join(" // "));
            let deep = 3 + n - 1 + 1;
            match scan(&text, &names("a")) {
                Ok(scan) => {
                    assert!(deep <= limit, "{n}");
                    assert_eq!(scan.depth, deep);
                }
                Err(stop) => {
                    assert!(deep > limit, "{n}");
                    assert_eq!(stop, Stop::TooDeep);
                }
            }
        }
    }

    #[test]
    fn refuses_what_rnix_refuses() {
        for text in INVALID {
            assert!(!rnix_parses(text), "rnix parses {text:?}");
            assert!(!accepted(text), "the scan accepts {text:?}");
        }
    }

    /// rnix takes any token as the `)` of a parenthesis; the scan leaves such documents
    /// to rnix.
    #[test]
    fn leaves_to_rnix_what_rnix_does_not_check() {
        for text in ["(1]", "(1 ~"] {
            assert!(rnix_parses(text), "{text:?}");
            assert!(!accepted(text), "{text:?}");
        }
    }

    #[test]
    fn deep_nesting_is_left_to_rnix() {
        let deep = format!("{}1{}", "[".repeat(1000), "]".repeat(1000));
        assert!(!accepted(&deep));
        let fine = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(accepted(&fine));
    }

    fn top(text: &str, focus: &str) -> Option<(String, Vec<String>)> {
        let top = scan(text, &names(focus)).ok()?.top?;
        Some((
            text[top.range].to_string(),
            top.skipped
                .iter()
                .map(|r| text[r.clone()].to_string())
                .collect(),
        ))
    }

    #[test]
    fn finds_the_top_set_through_the_wrappers() {
        let set = "{ a = 1; b = 2; }";
        for text in [
            set.to_string(),
            format!("{{ pkgs, ... }}: {set}"),
            format!("pkgs: with pkgs; {set}"),
            format!("x@{{ y }}: let z = {{ }}; in ({set})"),
            format!("final: prev: assert true; {set}"),
            format!("{{ a }}@x: {set}"),
        ] {
            let (found, skipped) = top(&text, "x").unwrap_or_else(|| panic!("{text}"));
            assert_eq!(found, set, "{text}");
            // the last entry is kept
            assert_eq!(skipped, ["a = 1;"], "{text}");
        }
        // a rec set's names are in scope in it: nothing is skipped
        assert!(top("rec { a = 1; b = 2; }", "x").is_none());
        assert!(top("x: rec { a = 1; b = 2; }", "x").is_none());
        // no set at the top: nothing to skip (the scan's guess of `{ a = 1; }` for the
        // first is checked against the tree by the caller)
        assert!(top("f { a = 1; }", "x").is_none());
        assert!(top("[ { a = 1; b = 2; } ]", "x").is_none());
    }

    /// The sets on the path `path` in `text`: each one's entries left out, outermost first.
    fn path_sets(text: &str, path: &str) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut set = scan(text, &names(path)).ok().and_then(|s| s.top);
        while let Some(s) = set {
            out.push(
                s.skipped
                    .iter()
                    .map(|r| text[r.clone()].to_string())
                    .collect(),
            );
            set = s.inner.map(|b| *b);
        }
        out
    }

    #[test]
    fn goes_into_the_set_the_one_reaching_entry_binds() {
        let doc = |top: &str| format!("{{ a = 1; {top} z = 1; }}");
        let inner = "{ b = 1; x.y = 2; c = { x = 3; }; d = 4; }";
        assert_eq!(
            path_sets(&doc(&format!("top = {inner};")), "top.x.y"),
            [vec!["a = 1;"], vec!["b = 1;", "c = { x = 3; };"]]
        );
        // and further down
        assert_eq!(
            path_sets(
                &doc("top = { x = { y = 1; q = 2; }; e = 3; f = 4; };"),
                "top.x.q"
            ),
            [vec!["a = 1;"], vec!["e = 3;"], vec!["y = 1;"]]
        );
        // only as far as the path goes
        assert_eq!(
            path_sets(&doc(&format!("top = {inner};")), "top"),
            [vec!["a = 1;"]]
        );
        // not where the value is not just a set literal, or another entry may bind the name
        for top in [
            format!("top = rec {inner};"),
            format!("top = {inner} // {{ }};"),
            format!("top = ({inner});"),
            format!("top = with p; {inner};"),
            format!("top = x: {inner};"),
            format!("top.q = {inner};"),
            format!("top = {inner}; top.q = 1;"),
            format!("inherit (p) top; top = {inner};"),
            format!("${{n}} = 1; top = {inner};"),
            format!("\"top\" = {inner}; top.r = 1;"),
        ] {
            let sets = path_sets(&doc(&top), "top.x");
            assert_eq!(sets.len(), 1, "{top}");
        }
        // a quoted name is the name
        assert_eq!(
            path_sets(&doc(&format!("\"top\" = {inner};")), "top.x").len(),
            2
        );
    }

    /// Where the document's value turns out to be no set literal the scan follows, the
    /// scan stops there (not reading the rest, here a stray `}`), for the whole parse to
    /// start at once.
    #[test]
    fn stops_where_nothing_can_be_left_out() {
        for (text, at) in [
            ("rec { a = 1; b = 2; } }", "rec"),
            ("x: rec { a = 1; b = 2; } }", "rec"),
            ("f { a = 1; b = 2; } }", "f"),
            ("pkgs: pkgs.mkShell { a = 1; b = 2; } }", "pkgs.mk"),
            ("[ { a = 1; b = 2; } ] }", "["),
            ("\"s\" }", "\""),
            ("1 }", "1"),
            ("- 1 }", "-"),
            ("!a }", "!"),
            ("x: with y; if a then { } else { } }", "if"),
            ("let { a = 1; body = a; } }", "let"),
            ("{ a = 1; b = 2; } // { c = 3; } }", "//"),
            ("{ a = 1; b = 2; }.a }", "."),
            ("({ a = 1; b = 2; }).a }", "."),
            ("(x: { a = 1; b = 2; }) 1 }", "1 }"),
            ("{ a = 1; b = 2; } x }", "x }"),
        ] {
            let at = text.find(at).unwrap();
            assert_eq!(
                scan(text, &names("x")).err(),
                Some(Stop::Whole { at }),
                "{text}"
            );
            // to the end, the scan finds the stray `}`
            assert_eq!(
                scan_to_the_end(text, &names("x")).err(),
                Some(Stop::Refused),
                "{text}"
            );
        }
        // a set the value is goes on to the end
        for text in [
            "{ a = 1; b = 2; }",
            "x: ({ a = 1; b = 2; })",
            "(({ a = 1; b = 2; }))",
        ] {
            assert!(
                scan(text, &names("x")).is_ok_and(|s| s.top.is_some()),
                "{text}"
            );
        }
    }

    #[test]
    fn keeps_the_entries_the_focus_reaches() {
        let text = r#"{
  a = 1;
  # the focus
  x.y = 2;
  b = { x = 3; };
  inherit (p) c d;
  inherit (p) x;
  "x" = 4;
  "e" = 5;
  ${f} = 6;
  "${g}" = 7;
  "h\"" = 8;
  i = 9;
  j = 10;
}"#;
        let (_, skipped) = top(text, "x").unwrap();
        assert_eq!(
            skipped,
            [
                "a = 1;",
                "b = { x = 3; };\n  inherit (p) c d;",
                "\"e\" = 5;",
                "i = 9;"
            ]
        );
    }

    /// Pieces of Nix to build documents from, valid or not.
    const PIECES: &[&str] = &[
        "{", "}", "[", "]", "(", ")", ";", "=", ":", ",", "@", "...", "?", ".", "or", "let", "in",
        "with", "rec", "inherit", "if", "then", "else", "assert", "a", "b", "x", "1", "2.5",
        "\"s\"", "\"${", "''i''", "''", "\"", "./p", "/abs", "~/h", "<np>", "http://u", "+", "-",
        "*", "/", "++", "//", "==", "!=", "<", ">", "<=", ">=", "&&", "||", "->", "!", "|>", "<|",
        "#c\n", "/*c*/", "${", "__curPos", "\n", "\\", "$", "'", "~",
    ];

    fn soup() -> impl Strategy<Value = String> {
        prop::collection::vec((0..PIECES.len(), any::<bool>()), 0..24).prop_map(|pieces| {
            pieces
                .into_iter()
                .map(|(i, space)| format!("{}{}", PIECES[i], if space { " " } else { "" }))
                .collect()
        })
    }

    /// A valid document with one piece inserted, or one byte range removed.
    fn mutant() -> impl Strategy<Value = String> {
        (
            0..VALID.len(),
            0..PIECES.len(),
            any::<prop::sample::Index>(),
            0..4usize,
        )
            .prop_map(|(v, p, at, cut)| {
                let text = VALID[v];
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                if cut == 0 {
                    format!("{}{}{}", &text[..at], PIECES[p], &text[at..])
                } else {
                    let mut end = (at + cut).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    format!("{}{}", &text[..at], &text[end..])
                }
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        #[test]
        fn accepts_only_what_rnix_parses(text in prop_oneof![soup(), mutant()]) {
            if let Ok(scan) = scan_to_the_end(&text, &names("x")) {
                prop_assert!(rnix_parses(&text), "the scan accepts {:?}, which rnix refuses", text);
                prop_assert_eq!(scan.depth, tree_depth(&text), "{:?}", text);
            }
        }
    }
}
