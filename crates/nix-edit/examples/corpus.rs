//! Runs the Nix editor over every `.nix` file under a directory and checks, for every
//! binding it finds, the properties the editor promises. Prints counts; exits 1 when any
//! property fails, listing the first failures.
//!
//! ```text
//! cargo run --release --example corpus -- DIR [--nix-parse]
//! ```
//!
//! Properties, per binding at PATH:
//! - `get PATH` returns the binding's value text;
//! - `set PATH <its own value>` changes nothing;
//! - `set PATH 42` re-parses, `get` gives 42, a second `set` changes nothing, and only the
//!   value's bytes changed;
//! - `set PATH.nixEditNew 1` on a set value, then `delete` of it, gives back the original bytes;
//! - `add PATH "nix-edit-elem"` on a list value, then `remove`, gives back the original bytes;
//! - `delete PATH` re-parses and leaves nothing bound at PATH; a second delete changes nothing.
//!   A delete may be refused, and is counted, when a value the editor cannot see inside
//!   might still bind PATH afterwards (`lib.mkEnableOption "x" // { default = true; }`).
//!
//! With `--nix-parse`, every edited output is also given to `nix-instantiate --parse` (which
//! must then be on the PATH).
//!
//! With `--fast`, every binding's checks run on the document parsed for the binding's path
//! (`NixDocument::parse_for`) instead, and each of get, set, set of a new path inside it,
//! add, remove and delete must give the same result and text as on the document parsed
//! whole; the counts say how many of those documents were partial. And each file, broken
//! at a few places (a byte range cut out, or a piece of Nix put in), must be refused by
//! `parse_for` with the same error as by `parse`, or be accepted by both.
//!
//! With `--probes`, instead, two probes per file, as a user adding a binding would:
//! - top level: `set devgenProbe.nested.value 1`;
//! - nested: `set BLOCK.devgenProbe 1`, where BLOCK is the first binding of the file's
//!   top-level set whose value is an attribute set literal or holds one — as a call's last
//!   argument, a function's, `let`'s or `with`'s body, an operand of `//` or an element of a
//!   `mkMerge` list (`config = lib.mkIf cfg.enable { … }`) — for files that have one.
//!
//! Each is applied, refused (an error naming why), or broken: the output does not parse
//! (with `--nix-parse`, by `nix-instantiate --parse`), bytes outside the inserted binding
//! changed, the report's change is not the text's, the path does not read back, or a second
//! application changes something. A nested probe that applied is also counted as landing
//! inside its block (between the block's value's first and last byte) or not. `--every N`
//! takes every Nth file only.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix_edit::{AttrPath, Binding, Edit, ErrorKind, NixDocument, ValueKind};
use rnix::ast;
use rowan::ast::AstNode;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = PathBuf::from(
        args.first()
            .expect("usage: corpus DIR [--nix-parse] [--fast] [--probes] [--every N]"),
    );
    let nix_parse = args.iter().any(|a| a == "--nix-parse");
    let every: usize = args
        .iter()
        .position(|a| a == "--every")
        .and_then(|i| args.get(i + 1))
        .map_or(1, |n| n.parse().expect("--every N takes a number"));
    let mut files = Vec::new();
    collect(&dir, &mut files);
    files.sort();
    let files: Vec<PathBuf> = files.into_iter().step_by(every).collect();
    if args.iter().any(|a| a == "--probes") {
        probes(&files, nix_parse);
    } else {
        checks(&files, nix_parse, args.iter().any(|a| a == "--fast"));
    }
}

/// Every promise on every binding (up to 40 a file) of every file.
fn checks(files: &[PathBuf], nix_parse: bool, fast: bool) {
    let (mut unparsable, mut not_sets, mut checked_files, mut checks) = (0, 0, 0, 0usize);
    let (mut partial, mut compared, mut broken) = (0usize, 0usize, 0usize);
    let mut refused = 0;
    let mut delete_refused = 0;
    let mut failures: Vec<String> = Vec::new();
    let started = std::time::Instant::now();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let name = file.display().to_string();
        let Ok(whole) = NixDocument::parse(&name, &text) else {
            unparsable += 1;
            if fast && NixDocument::parse_for(&name, &text, &"x".parse().unwrap()).is_ok() {
                failures.push(format!("{name}: rnix refuses it, parse_for accepts it"));
            }
            continue;
        };
        if fast {
            broken += break_and_compare(&name, &text, &mut failures);
        }
        let Ok(bindings) = whole.bindings() else {
            not_sets += 1;
            continue;
        };
        checked_files += 1;
        let mut fail = |what: String| failures.push(format!("{name}: {what}"));
        let once = |path: &AttrPath| bindings.iter().filter(|b| &b.path == path).count() == 1;
        // bound whole and also extended by a dotted binding outside its value: Nix merges
        // them, and the editor refuses to read or replace such a path
        let merged = |path: &AttrPath, value: &std::ops::Range<usize>| {
            bindings.iter().any(|b| {
                b.path.segments().len() > path.segments().len()
                    && b.path.segments().starts_with(path.segments())
                    && !(value.start <= b.value.start && b.value.end <= value.end)
            })
        };
        for Binding {
            path,
            value: value_range,
            kind,
        } in bindings.iter().take(40)
        {
            let value = &text[value_range.clone()];
            let doc = if fast {
                let d = NixDocument::parse_for(&name, &text, path).unwrap();
                partial += usize::from(d.is_partial());
                compared += agree(&whole, &d, path, &mut fail);
                d
            } else {
                whole.clone()
            };
            // an operand of `//` the editor cannot see inside may override it, or several
            // elements of `mkMerge [ … ]` bind it: every operation refuses it alike
            if let Err(e) = doc.get(path) {
                if matches!(
                    e.kind(),
                    ErrorKind::Hidden { .. } | ErrorKind::Ambiguous { .. }
                ) {
                    refused += 1;
                    for result in [doc.clone().set(path, "42"), doc.clone().delete(path)] {
                        match result {
                            Err(other) if other.kind() == e.kind() => {}
                            other => fail(format!("{path}: get refused, edit gave {other:?}")),
                        }
                    }
                    continue;
                }
            }
            if merged(path, value_range) {
                checks += 1;
                match (doc.get(path), doc.clone().set(path, "42")) {
                    (Err(a), Err(b))
                        if matches!(a.kind(), ErrorKind::Spread { .. })
                            && matches!(b.kind(), ErrorKind::Spread { .. }) => {}
                    other => fail(format!(
                        "{path} is merged from several bindings, but get/set gave {other:?}"
                    )),
                }
                let mut d = doc.clone();
                if !matches!(d.delete(path), Ok(true)) || !matches!(d.get(path), Ok(None)) {
                    fail(format!("delete of merged {path} left it bound"));
                }
                continue;
            }
            checks += 1;
            match doc.get(path) {
                Ok(Some(v)) if v == value => {}
                Ok(_) if !once(path) => {} // bound twice
                other => fail(format!("get {path}: {other:?}, want {value:?}")),
            }
            // set to its own value: nothing changes
            let mut d = doc.clone();
            if once(path) {
                match d.set(path, value) {
                    Ok(false) => {}
                    other => fail(format!("set {path} to itself: {other:?}")),
                }
            }
            // set to 42: only the value changes
            let mut d = doc.clone();
            if once(path) {
                match d.set(path, "42") {
                    Ok(_) => {
                        let expected = format!(
                            "{}42{}",
                            &text[..value_range.start],
                            &text[value_range.end..]
                        );
                        if d.text() != expected && value.trim() != "42" {
                            fail(format!("set {path} 42 changed more than the value"));
                        }
                        if !matches!(d.clone().set(path, "42"), Ok(false)) {
                            fail(format!("set {path} 42 twice changed something"));
                        }
                        check_nix(nix_parse, d.text(), &mut fail, &format!("set {path} 42"));
                    }
                    Err(e) => fail(format!("set {path} 42: {e}")),
                }
            }
            // a new binding inside a set value, then deleted: the original comes back
            if *kind == ValueKind::Set {
                let mut inner = path.segments().to_vec();
                inner.push("nixEditNew".into());
                let new_path = AttrPath::new(inner).unwrap();
                let mut d = doc.clone();
                match d.set(&new_path, "1") {
                    Ok(true) => {
                        check_nix(nix_parse, d.text(), &mut fail, &format!("set {new_path}"));
                        match d.delete(&new_path) {
                            Ok(true) if d.text() == text => {}
                            Ok(true) => fail(format!(
                                "set+delete {new_path} did not restore the file:\n{}",
                                first_difference(&text, d.text())
                            )),
                            Err(e) if still_bound(&e) => delete_refused += 1,
                            other => fail(format!("delete {new_path} after set: {other:?}")),
                        }
                    }
                    Ok(false) => fail(format!("set {new_path}: no change")),
                    Err(e)
                        if matches!(
                            e.kind(),
                            ErrorKind::Spread { .. }
                                | ErrorKind::InheritedPrefix { .. }
                                | ErrorKind::InheritRewrite { .. }
                                | ErrorKind::InheritShared { .. }
                                // `{ … } // defaults`: the variable might bind the new name
                                | ErrorKind::Hidden { .. }
                        ) => {}
                    Err(e) => fail(format!("set {new_path}: {e}")),
                }
            }
            // an element added to a list, then removed: the original comes back
            if *kind == ValueKind::List {
                let mut d = doc.clone();
                match d.add(path, "\"nix-edit-elem\"") {
                    Ok(true) => {
                        check_nix(nix_parse, d.text(), &mut fail, &format!("add {path}"));
                        match d.remove(path, "\"nix-edit-elem\"") {
                            Ok(true) if d.text() == text => {}
                            Ok(true) => fail(format!(
                                "add+remove {path} did not restore the file:\n{}",
                                first_difference(&text, d.text())
                            )),
                            other => fail(format!("remove {path} after add: {other:?}")),
                        }
                    }
                    other => fail(format!("add {path}: {other:?}")),
                }
            }
            // delete: nothing bound afterwards, second delete a no-op
            let mut d = doc.clone();
            match d.delete(path) {
                Ok(true) => {
                    check_nix(nix_parse, d.text(), &mut fail, &format!("delete {path}"));
                    if !matches!(d.get(path), Ok(None)) && once(path) {
                        fail(format!("delete {path}: still bound"));
                    }
                    if !matches!(d.delete(path), Ok(false)) && once(path) {
                        fail(format!("delete {path} twice changed something"));
                    }
                }
                Err(e) if matches!(e.kind(), ErrorKind::UsedInRec { .. }) => {}
                Err(e) if still_bound(&e) => delete_refused += 1,
                other => fail(format!("delete {path}: {other:?}")),
            }
        }
    }
    println!(
        "{} files: {checked_files} checked, {unparsable} not parsed by rnix, {not_sets} not attribute sets; \
         {checks} bindings checked, {refused} refused alike by every operation, {delete_refused} deletes refused \
         as what the editor cannot see might still bind the path, in {:.1}s; {} failures",
        files.len(),
        started.elapsed().as_secs_f64(),
        failures.len()
    );
    if fast {
        println!(
            "parsed for the path: {partial} documents partial; {compared} operations agreed with the whole parse; \
             {broken} broken copies refused or accepted alike"
        );
    }
    for f in failures.iter().take(40) {
        println!("FAIL {f}");
    }
    if !failures.is_empty() {
        std::process::exit(1);
    }
}

/// Whether `e` refuses a delete because a value the editor cannot see inside might still
/// bind the path afterwards: a `//` operand on the left of the bindings removed, a `mkMerge`
/// element, or a value the path cannot be followed into where one would take over.
fn still_bound(e: &nix_edit::Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::Hidden {
            after_delete: true,
            ..
        }
    )
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|x| x == "nix") {
            out.push(p);
        }
    }
}

fn check_nix(enabled: bool, text: &str, fail: &mut impl FnMut(String), what: &str) {
    if !enabled {
        return;
    }
    let tmp = std::env::temp_dir().join(format!("nix-corpus-{}.nix", std::process::id()));
    std::fs::write(&tmp, text).unwrap();
    let out = Command::new("nix-instantiate")
        .arg("--parse")
        .arg(&tmp)
        .output()
        .expect("nix-instantiate runs");
    if !out.status.success() {
        fail(format!(
            "{what}: nix-instantiate --parse refused: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let from = a[..at].rfind('\n').map_or(0, |i| i + 1);
    format!(
        "  was: {:?}\n  now: {:?}",
        &a[from..(at + 60).min(a.len())],
        &b[from..(at + 60).min(b.len())]
    )
}

/// How one probe went.
#[allow(clippy::large_enum_variant)]
enum Probe {
    Applied {
        /// Where the binding went, in the text before.
        at: usize,
        /// Whether it went at the end of a value, as a new operand of `//` there.
        appended: bool,
        /// The kinds of wrapper the path went through, each once.
        through: Vec<String>,
    },
    /// The error's kind, and for a value the editor cannot see inside, what it is.
    Refused(String, Option<String>),
    Broken(String),
}

/// `set path 1` on `doc` (whose text is `text`), checked.
fn probe(doc: &NixDocument, text: &str, path: &AttrPath, nix_parse: bool) -> Probe {
    let mut d = doc.clone();
    let report = match d.edit(Edit::Set { path, expr: "1" }) {
        Err(e) => return Probe::Refused(kind_name(e.kind()), found(e.kind())),
        Ok(r) if !r.changed => return Probe::Broken("nothing changed".into()),
        Ok(r) => r,
    };
    let after = d.text().to_string();
    let [change] = report.changes.as_slice() else {
        return Probe::Broken(format!(
            "{} changes, not one insertion",
            report.changes.len()
        ));
    };
    let inserted = &after[change.after.clone()];
    let expected = format!(
        "{}{inserted}{}",
        &text[..change.before.start],
        &text[change.before.end..]
    );
    // only the blank inside an empty set may be replaced: `{ }` becomes `{ a = 1; }`
    let replaced_blank = text[change.before.clone()].trim().is_empty();
    if !replaced_blank || expected != after {
        return Probe::Broken(format!(
            "bytes changed outside the insertion:\n{}",
            first_difference(text, &after)
        ));
    }
    if !inserted.contains("devgenProbe") {
        return Probe::Broken(format!("inserted {inserted:?}"));
    }
    match d.get(path) {
        Ok(Some(v)) if v == "1" => {}
        other => return Probe::Broken(format!("reads back {other:?}")),
    }
    if !matches!(d.clone().set(path, "1"), Ok(false)) {
        return Probe::Broken("a second application changed something".into());
    }
    if NixDocument::parse("again", after.as_str()).is_err() {
        return Probe::Broken("the output does not parse".into());
    }
    let mut nix_error = None;
    check_nix(nix_parse, &after, &mut |e| nix_error = Some(e), "probe");
    if let Some(e) = nix_error {
        return Probe::Broken(e);
    }
    let mut through: Vec<String> = report.wrappers.iter().map(wrapper_kind).collect();
    through.sort();
    through.dedup();
    Probe::Applied {
        at: change.before.start,
        appended: inserted.trim_start().starts_with("//"),
        through,
    }
}

/// What a value the editor cannot see inside is, for a refusal that names one.
fn found(kind: &ErrorKind) -> Option<String> {
    match kind {
        ErrorKind::NotAttrSetDocument { found }
        | ErrorKind::NotAttrSet { found, .. }
        | ErrorKind::Hidden { found, .. } => Some(found.clone()),
        _ => None,
    }
}

/// A wrapper's kind, and a call's function by its last name: `call mkIf`.
fn wrapper_kind(w: &nix_edit::Wrapper) -> String {
    use nix_edit::WrapperKind as K;
    match &w.kind {
        K::Function { .. } => "function".into(),
        K::Let => "let".into(),
        K::LetBound { .. } => "let name".into(),
        K::With { .. } => "with".into(),
        K::Assert => "assert".into(),
        K::Call { function } => format!(
            "call {}",
            function.rsplit('.').next().unwrap_or(function.as_str())
        ),
        K::Update { .. } => "//".into(),
        K::NewOperand { .. } => "new operand of //".into(),
        K::Merge { .. } => "mkMerge".into(),
        _ => "other".into(),
    }
}

/// An error's kind, without its fields.
fn kind_name(kind: &ErrorKind) -> String {
    let debug = format!("{kind:?}");
    debug
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The first binding of the document's top-level set(s) whose value is a block: a set
/// literal, or a value holding one as a call's last argument, a function's, `let`'s or
/// `with`'s body, an operand of `//` or an element of `mkMerge [ … ]`. Its path and the
/// byte range of its value.
fn first_block(text: &str) -> Option<(AttrPath, std::ops::Range<usize>)> {
    let root = rnix::Root::parse(text).tree();
    let mut expr = root.expr()?;
    // the document's own wrappers
    loop {
        expr = match expr {
            ast::Expr::Lambda(l) => l.body()?,
            ast::Expr::LetIn(l) => l.body()?,
            ast::Expr::With(w) => w.body()?,
            ast::Expr::Paren(p) => p.expr()?,
            ast::Expr::Assert(a) => a.body()?,
            ast::Expr::Apply(a) => a.argument()?,
            ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => b.lhs()?,
            _ => break,
        };
    }
    let ast::Expr::AttrSet(set) = expr else {
        return None;
    };
    use rnix::ast::HasEntry;
    for av in set.attrpath_values() {
        let names: Option<Vec<String>> = av
            .attrpath()?
            .attrs()
            .map(|a| match a {
                ast::Attr::Ident(i) => Some(i.syntax().to_string()),
                _ => None,
            })
            .collect();
        let (Some(names), Some(value)) = (names, av.value()) else {
            continue;
        };
        if holds_set(&value) {
            let r = value.syntax().text_range();
            return Some((
                AttrPath::new(names).ok()?,
                usize::from(r.start())..usize::from(r.end()),
            ));
        }
    }
    None
}

/// Whether `value` is a set literal or holds one where the editor promises to reach.
fn holds_set(value: &ast::Expr) -> bool {
    match value {
        ast::Expr::AttrSet(_) => true,
        ast::Expr::Paren(p) => p.expr().is_some_and(|e| holds_set(&e)),
        ast::Expr::Lambda(l) => l.body().is_some_and(|e| holds_set(&e)),
        ast::Expr::LetIn(l) => l.body().is_some_and(|e| holds_set(&e)),
        ast::Expr::With(w) => w.body().is_some_and(|e| holds_set(&e)),
        ast::Expr::Apply(a) => match a.argument() {
            Some(ast::Expr::List(l)) => l.items().any(|e| holds_set(&e)),
            Some(arg) => holds_set(&arg),
            None => false,
        },
        ast::Expr::BinOp(b) if b.operator() == Some(ast::BinOpKind::Update) => {
            b.lhs().is_some_and(|e| holds_set(&e)) || b.rhs().is_some_and(|e| holds_set(&e))
        }
        _ => false,
    }
}

/// Counts of one kind of probe.
#[derive(Default)]
struct Tally {
    applied: usize,
    /// How many applied probes went through each kind of wrapper.
    through: BTreeMap<String, usize>,
    inside: usize,
    refused: BTreeMap<String, Vec<String>>,
    /// For each refusal naming a value the editor cannot see inside: what it is, and how
    /// many.
    unseen: BTreeMap<String, usize>,
    broken: Vec<String>,
}

impl Tally {
    fn refused(&self) -> usize {
        self.refused.values().map(Vec::len).sum()
    }

    fn print(&self, what: &str, total: usize, nested: bool) {
        let pct = |n: usize| 100.0 * n as f64 / total.max(1) as f64;
        print!(
            "{what}: {total} probes, {} applied ({:.1}%), {} refused, {} broken",
            self.applied,
            pct(self.applied),
            self.refused(),
            self.broken.len()
        );
        if nested {
            print!(
                "; {} landed inside their block ({:.1}%)",
                self.inside,
                pct(self.inside)
            );
        }
        println!();
        let mut through: Vec<(&String, &usize)> = self.through.iter().collect();
        through.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let shown: Vec<String> = through
            .iter()
            .take(12)
            .map(|(k, n)| format!("{k} {n}"))
            .collect();
        println!("  applied through: {}", shown.join(", "));
        for (kind, files) in &self.refused {
            println!("  refused {kind}: {}", files.len());
            for f in files {
                println!("    {f}");
            }
        }
        if !self.unseen.is_empty() {
            let what: Vec<String> = self
                .unseen
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            println!("  the values refused at: {}", what.join(", "));
        }
        for b in self.broken.iter().take(20) {
            println!("  BROKEN {b}");
        }
    }

    fn add(&mut self, name: &str, probe: Probe, block: Option<&std::ops::Range<usize>>) {
        match probe {
            Probe::Applied {
                at,
                appended,
                through,
            } => {
                self.applied += 1;
                for kind in through {
                    *self.through.entry(kind).or_default() += 1;
                }
                // a new operand of `//` at the value's end is part of the value
                if block.is_some_and(|b| b.start < at && (at < b.end || appended && at == b.end)) {
                    self.inside += 1;
                }
            }
            Probe::Refused(kind, found) => {
                let shown = match &found {
                    Some(f) => format!("{name}: {f}"),
                    None => name.into(),
                };
                self.refused.entry(kind).or_default().push(shown);
                if let Some(f) = found {
                    *self.unseen.entry(f).or_default() += 1;
                }
            }
            Probe::Broken(why) => self.broken.push(format!("{name}: {why}")),
        }
    }
}

/// The two probes on every file.
fn probes(files: &[PathBuf], nix_parse: bool) {
    let started = std::time::Instant::now();
    let (mut parsed, mut unparsable) = (0, 0);
    let mut top = Tally::default();
    let mut nested = Tally::default();
    let mut blocks = 0;
    let top_path: AttrPath = "devgenProbe.nested.value".parse().unwrap();
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let name = file.display().to_string();
        let Ok(doc) = NixDocument::parse(&name, &text) else {
            unparsable += 1;
            continue;
        };
        parsed += 1;
        top.add(&name, probe(&doc, &text, &top_path, nix_parse), None);
        if let Some((block, value)) = first_block(&text) {
            blocks += 1;
            let mut path = block.segments().to_vec();
            path.push("devgenProbe".into());
            let path = AttrPath::new(path).unwrap();
            nested.add(
                &format!("{name} ({block})"),
                probe(&doc, &text, &path, nix_parse),
                Some(&value),
            );
        }
    }
    println!(
        "{} files: {parsed} parsed by rnix, {unparsable} not; {:.1}s",
        files.len(),
        started.elapsed().as_secs_f64()
    );
    top.print("top level `devgenProbe.nested.value`", parsed, false);
    nested.print("nested `BLOCK.devgenProbe`", blocks, true);
    if !top.broken.is_empty() || !nested.broken.is_empty() {
        std::process::exit(1);
    }
}

/// An operation on a document.
type Op<'a> = Box<dyn Fn(&mut NixDocument) -> nix_edit::Result<bool> + 'a>;

/// Run each operation at `path` (and at a new path inside it) on `whole` and on `fast`, the
/// same document parsed for `path`: the results and texts must be the same. Returns how
/// many operations were compared.
fn agree(
    whole: &NixDocument,
    fast: &NixDocument,
    path: &AttrPath,
    fail: &mut impl FnMut(String),
) -> usize {
    let mut inner = path.segments().to_vec();
    inner.push("nixEditNew".into());
    let inner = AttrPath::new(inner).unwrap();
    let ops: [(&str, &AttrPath, Op); 7] = [
        ("get", path, Box::new(|d| d.get(path).map(|v| v.is_some()))),
        ("set 42", path, Box::new(|d| d.set(path, "42"))),
        ("set new", &inner, Box::new(|d| d.set(&inner, "1"))),
        ("add", path, Box::new(|d| d.add(path, "\"nix-edit-elem\""))),
        ("remove", path, Box::new(|d| d.remove(path, "pkgs.git"))),
        ("delete", path, Box::new(|d| d.delete(path))),
        ("delete new", &inner, Box::new(|d| d.delete(&inner))),
    ];
    let mut n = 0;
    for (what, at, op) in &ops {
        let (mut a, mut b) = (whole.clone(), fast.clone());
        let (x, y) = (op(&mut a), op(&mut b));
        n += 1;
        if x != y || a.text() != b.text() || a.get(at) != b.get(at) {
            fail(format!(
                "{what} {at}: parsed whole {x:?}, parsed for the path {y:?}{}",
                if a.text() != b.text() {
                    format!("\n{}", first_difference(a.text(), b.text()))
                } else {
                    String::new()
                }
            ));
        }
    }
    n
}

/// Pieces of Nix put into a file to break it (or not).
const PIECES: &[&str] = &[
    "", "{", "}", "[", "]", ";", "=", "\"", "''", "${", "(", ")", "in", ".",
];

/// Break `text` at a few places, each copy on its own: `parse_for` must refuse each copy
/// with the same error as `parse`, or both accept it. Returns how many copies were made.
fn break_and_compare(name: &str, text: &str, failures: &mut Vec<String>) -> usize {
    let mut seed = text.len() as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as usize
    };
    let path: AttrPath = "x".parse().unwrap();
    let copies = 8;
    for _ in 0..copies {
        let mut at = next() % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut end = (at + next() % 3).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let copy = format!(
            "{}{}{}",
            &text[..at],
            PIECES[next() % PIECES.len()],
            &text[end..]
        );
        let whole = NixDocument::parse(name, copy.as_str());
        let fast = NixDocument::parse_for(name, copy.as_str(), &path);
        let same = match (&whole, &fast) {
            (Ok(a), Ok(b)) => a.text() == b.text(),
            (Err(a), Err(b)) => a == b,
            _ => false,
        };
        if !same {
            failures.push(format!(
                "{name} broken at {at}: parse gave {:?}, parse_for {:?}",
                whole.map(|_| ()),
                fast.map(|_| ())
            ));
        }
    }
    copies
}
