//! The grammar of the scan: each production of rnix's parser, followed without building a
//! tree.

use super::*;

impl<'a, I: Iterator<Item = rnix::Token<'a>>> Scanner<'a, I> {
    /// rnix's `parse_expr`; the depth of the tree it makes (nodes on its longest path down).
    pub(super) fn expr(&mut self) -> Step<usize> {
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

    /// A run of the prefix operator `op` (`!` or `-`): how many, each a UNARY_OP around
    /// what follows. On the spine, one makes the document's value something other than a set.
    fn prefixes(&mut self, op: SyntaxKind) -> Step<usize> {
        if self.peek() == op && self.at_spine() {
            self.not_a_set()?;
        }
        let mut count = 0;
        while self.peek() == op {
            self.bump()?;
            count += 1;
            within(count)?;
        }
        Ok(count)
    }

    fn invert(&mut self) -> Step<usize> {
        let nots = self.prefixes(TOKEN_INVERT)?;
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
        let negations = self.prefixes(TOKEN_SUB)?;
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
}
