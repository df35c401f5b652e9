//! Checking a devenv module against devenv's options: every attribute path it sets walked
//! alongside the option tree — through the module's function, `let`, `with`, the module
//! system's wrappers and dotted or nested forms — and every value it can know checked
//! against its option's type. Unknown options, wrong types, integers out of range, values
//! outside an enumeration, keys a submodule does not take and read-only options are
//! [`Finding`]s; values that only evaluation can know are counted as unchecked.

use std::ops::Range;

use nix_edit::{AttrPath, Entry, NixDocument, Shape, Value};

use super::options::{self, Node};
use super::resolve::{resolve, Known};
use super::types::{describe, EnumValue, Type};

/// Something a module sets that devenv will refuse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The option path, as written to the finding's place.
    pub path: String,
    pub span: Range<usize>,
    pub message: String,
    /// Short text under the caret.
    pub label: String,
    pub help: String,
}

/// A value the checker could not know without evaluating it.
#[derive(Debug, Clone)]
pub struct Unchecked {
    pub path: String,
    pub span: Range<usize>,
    /// What the value is: "the result of `f`", "the argument `config`", ….
    pub what: String,
    /// The option's type, as devenv describes it.
    pub wants: String,
    /// Why evaluation did not settle it either, when it was tried.
    pub reason: Option<String>,
    /// Where the value goes, when it is an expression evaluation could stand in for.
    pub(super) place: Option<Place>,
}

/// The option a value is defined at: what checks the value evaluation gives it.
#[derive(Debug, Clone)]
pub(super) struct Place {
    at: At,
    ty: Type,
    path: Vec<String>,
}

/// What checking a module found.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    pub unchecked: Vec<Unchecked>,
    /// How many values were checked against their option's type.
    pub checked: usize,
}

/// Keys of a module that are not options.
const MODULE_KEYS: &[&str] = &[
    "imports",
    "disabledModules",
    "_file",
    "key",
    "meta",
    "freeformType",
    "_module",
];

/// Check the module `doc` against devenv's options.
pub fn check(doc: &NixDocument) -> Report {
    let mut c = Checker::default();
    c.module(&doc.value());
    c.report
}

#[derive(Default)]
pub(super) struct Checker {
    report: Report,
    /// Option paths the module declares itself (`options.*`), which devenv's do not know.
    declared: Vec<Vec<String>>,
}

/// A node without options below it, for values whose type has none.
static EMPTY: Node = Node::empty();

/// Where a value sits in the option tree: a node, and the node of the generic entry of its
/// attribute set when the node is also a declared one (`git-hooks.hooks.clippy` takes its own
/// `settings` and every hook's `enable`, `entry`, … from `git-hooks.hooks.<name>`).
#[derive(Debug, Clone, Copy)]
pub(super) struct At {
    node: &'static Node,
    generic: Option<&'static Node>,
}

impl At {
    fn of(node: &'static Node) -> At {
        At {
            node,
            generic: None,
        }
    }

    fn option(self) -> Option<&'static super::options::OptionDecl> {
        self.node
            .option
            .as_ref()
            .or(self.generic.and_then(|g| g.option.as_ref()))
    }

    fn child(self, name: &str) -> Option<At> {
        let generic = self.generic.and_then(|g| g.child(name));
        match self.node.child(name) {
            Some(node) => Some(At { node, generic }),
            None => generic.map(At::of),
        }
    }

    fn any_name(self) -> Option<&'static Node> {
        self.node
            .any_name()
            .or(self.generic.and_then(|g| g.any_name()))
    }

    fn any_item(self) -> Option<&'static Node> {
        self.node
            .any_item()
            .or(self.generic.and_then(|g| g.any_item()))
    }

    /// The names declared here, for "did you mean".
    pub(super) fn names(self) -> Vec<&'static str> {
        let mut names: Vec<&str> = self.node.names().collect();
        names.extend(self.generic.into_iter().flat_map(|g| g.names()));
        names
    }
}

impl Checker {
    /// The module: a set, or a function of `{ pkgs, config, ... }` returning one, maybe
    /// under `let` or `with`. A set with `config` or `options` is a full module.
    fn module(&mut self, value: &Value) {
        match value.shape() {
            Shape::Lambda(body)
            | Shape::Let(body)
            | Shape::Assert(body)
            | Shape::With { body, .. } => self.module(&body),
            Shape::Set(entries) => self.module_set(&entries),
            _ => self.top_level(value),
        }
    }

    fn module_set(&mut self, entries: &[Entry]) {
        let first = |e: &Entry| e.names.first().cloned().flatten();
        let full = entries
            .iter()
            .any(|e| matches!(first(e).as_deref(), Some("config" | "options")));
        if !full {
            let config: Vec<Entry> = entries
                .iter()
                .filter(|e| !first(e).is_some_and(|n| MODULE_KEYS.contains(&n.as_str())))
                .cloned()
                .collect();
            return self.entries(At::of(options::devenv()), None, &mut Vec::new(), &config);
        }
        for e in entries
            .iter()
            .filter(|e| first(e).as_deref() == Some("options"))
        {
            self.declare(&e.names[1..], &e.value);
        }
        for e in entries
            .iter()
            .filter(|e| first(e).as_deref() == Some("config"))
        {
            let rest = Entry {
                names: e.names[1..].to_vec(),
                name_spans: e.name_spans[1..].to_vec(),
                value: e.value.clone(),
            };
            if rest.names.is_empty() {
                self.top_level(&e.value);
            } else {
                self.entries(At::of(options::devenv()), None, &mut Vec::new(), &[rest]);
            }
        }
    }

    /// The module's configuration as a whole value (`config = lib.mkMerge [ … ]`).
    fn top_level(&mut self, value: &Value) {
        self.place(At::of(options::devenv()), None, &mut Vec::new(), value);
    }

    /// Remember the options a module declares (`options.a.b = mkOption { … }`).
    fn declare(&mut self, prefix: &[Option<String>], value: &Value) {
        let Some(prefix) = prefix.iter().cloned().collect::<Option<Vec<String>>>() else {
            return;
        };
        match value.shape() {
            Shape::Set(entries) => {
                for e in entries {
                    let names: Vec<Option<String>> = prefix
                        .iter()
                        .cloned()
                        .map(Some)
                        .chain(e.names.clone())
                        .collect();
                    self.declare(&names, &e.value);
                }
            }
            _ => self.declared.push(prefix),
        }
    }

    /// Whether `path` is, or leads to, an option the module declares itself.
    pub(super) fn is_declared(&self, path: &[String]) -> bool {
        self.declared
            .iter()
            .any(|d| path.starts_with(d) || d.starts_with(path))
    }

    /// The entries of a set defined at `node` (whose type, when its node has no option of
    /// its own, is `ty`).
    fn entries(&mut self, at: At, ty: Option<&Type>, path: &mut Vec<String>, entries: &[Entry]) {
        for e in entries {
            let depth = path.len();
            self.walk(at, ty, path, &e.names, &e.name_spans, &e.value);
            path.truncate(depth);
        }
    }

    /// `a.b.c = value` below `node`: follow the names through the option tree.
    fn walk(
        &mut self,
        at: At,
        ty: Option<&Type>,
        path: &mut Vec<String>,
        names: &[Option<String>],
        spans: &[Range<usize>],
        value: &Value,
    ) {
        let Some((first, rest)) = names.split_first() else {
            return self.place(at, ty, path, value);
        };
        let Some(name) = first else {
            return self.unchecked(
                path,
                value,
                "a name computed at evaluation",
                "an attribute name",
                None,
            );
        };
        path.push(name.clone());
        let ty = ty.or(at.option().map(|o| o.ty()));
        match ty.map(structural) {
            // A namespace of options (`services`, `languages.elixir`).
            None => match at.child(name) {
                Some(child) => self.walk(child, None, path, rest, &spans[1..], value),
                None => self.unknown(at, path, spans[0].clone()),
            },
            Some(Some(Type::Submodule { freeform })) => {
                self.walk_submodule(at, freeform.as_deref(), path, names, spans, value)
            }
            Some(Some(Type::AttrsOf(item))) => {
                let child = at
                    .child(name)
                    .map(|c| c.node)
                    .or(at.any_name())
                    .unwrap_or(&EMPTY);
                self.walk(At::of(child), Some(item), path, rest, &spans[1..], value)
            }
            // `attribute set`, `anything` and the like: whatever lies below is theirs.
            Some(Some(_)) => {}
            Some(None) => self.not_a_set(path, ty.expect("some type"), spans[0].clone()),
        }
    }

    /// `a.b = value` where `a` names a submodule's option, or a key of its free-form part.
    fn walk_submodule(
        &mut self,
        at: At,
        freeform: Option<&Type>,
        path: &mut Vec<String>,
        names: &[Option<String>],
        spans: &[Range<usize>],
        value: &Value,
    ) {
        let name = path.last().expect("the name walked into").clone();
        let rest = &names[1..];
        match (at.child(&name), freeform) {
            (Some(child), Some(Type::AttrsOf(_))) => {
                let child = At {
                    generic: at.any_name(),
                    ..child
                };
                self.walk(child, None, path, rest, &spans[1..], value)
            }
            (Some(child), _) => self.walk(child, None, path, rest, &spans[1..], value),
            (None, Some(freeform)) => {
                path.pop();
                self.walk(at, Some(freeform), path, names, spans, value)
            }
            (None, None) => self.unknown(at, path, spans[0].clone()),
        }
    }

    /// A value defined at `node`: checked against the option there, or, at a namespace,
    /// taken as a set of options.
    fn place(&mut self, at: At, ty: Option<&Type>, path: &mut Vec<String>, value: &Value) {
        if let Some(decl) = at.option().filter(|_| ty.is_none()) {
            if decl.read_only {
                return self.read_only(path, value);
            }
        }
        match ty.or(at.option().map(|o| o.ty())) {
            Some(ty) => self.typed(at, ty, path, value),
            None => {
                for (known, v) in resolve(value) {
                    match known {
                        Known::Set(entries) => self.entries(at, None, path, &entries),
                        Known::Unknown(what) => {
                            self.unchecked(path, &v, &what, "an attribute set of options", None)
                        }
                        other => self.wrong_namespace(path, &other, &v),
                    }
                }
            }
        }
    }

    /// `value` against `ty`, each thing it may be on its own.
    fn typed(&mut self, at: At, ty: &Type, path: &mut Vec<String>, value: &Value) {
        for (known, v) in resolve(value) {
            self.typed_known(at, ty, path, &known, &v);
        }
    }

    fn typed_known(&mut self, at: At, ty: &Type, path: &mut Vec<String>, known: &Known, v: &Value) {
        if *ty == Type::Any {
            // Whatever the value is, devenv takes it.
            self.report.checked += 1;
            return;
        }
        if let Known::Unknown(what) = known {
            return self.unchecked(path, v, what, &describe(ty), Some((at, ty)));
        }
        match (ty, known) {
            (Type::Either(alts), _) => self.either(at, alts, path, known, v),
            (Type::List(item), Known::List(items)) => {
                let child = At::of(at.any_item().unwrap_or(&EMPTY));
                for (i, it) in items.iter().enumerate() {
                    path.push(format!("[{i}]"));
                    self.typed(child, item, path, it);
                    path.pop();
                }
            }
            (Type::Submodule { .. } | Type::AttrsOf(_), Known::Set(entries)) => {
                self.entries(at, Some(ty), path, entries)
            }
            _ => match scalar(ty, known) {
                Fit::Yes => self.report.checked += 1,
                Fit::Unknowable => {
                    self.unchecked(path, v, &known.noun(), &describe(ty), Some((at, ty)))
                }
                Fit::No(problem) => self.misfit(path, ty, known, v, problem),
            },
        }
    }

    /// The alternatives the value's kind can be; the first that fits it whole wins.
    fn either(&mut self, at: At, alts: &[Type], path: &mut Vec<String>, known: &Known, v: &Value) {
        let candidates: Vec<&Type> = alts.iter().filter(|t| kind_fits(t, known)).collect();
        let Some(first) = candidates.first() else {
            let ty = Type::Either(alts.to_vec());
            return self.misfit(path, &ty, known, v, Problem::Kind);
        };
        for candidate in &candidates {
            let mut trial = Checker {
                report: Report::default(),
                declared: self.declared.clone(),
            };
            trial.typed_known(at, candidate, &mut path.clone(), known, v);
            if trial.report.findings.is_empty() {
                self.report.checked += trial.report.checked;
                self.report.unchecked.extend(trial.report.unchecked);
                return;
            }
        }
        self.typed_known(at, first, path, known, v);
    }

    fn unchecked(
        &mut self,
        path: &[String],
        v: &Value,
        what: &str,
        wants: &str,
        at: Option<(At, &Type)>,
    ) {
        let place = at.filter(|_| !v.is_inherited()).map(|(at, ty)| Place {
            at,
            ty: ty.clone(),
            path: path.to_vec(),
        });
        self.report.unchecked.push(Unchecked {
            path: show(path),
            span: v.span(),
            what: what.to_string(),
            wants: wants.to_string(),
            reason: None,
            place,
        });
    }

    pub(super) fn push(
        &mut self,
        path: &[String],
        span: Range<usize>,
        message: String,
        label: &str,
        help: String,
    ) {
        self.report.findings.push(Finding {
            path: show(path),
            span,
            message,
            label: label.to_string(),
            help,
        });
    }
}

/// What checking `value` (what evaluation made of a value) at `place` finds.
pub(super) fn check_at(place: &Place, value: &Value) -> Report {
    let mut c = Checker::default();
    c.typed(place.at, &place.ty, &mut place.path.clone(), value);
    c.report
}

/// The type of the option at `path` (`services.postgres.port`, `processes.web.exec`), if
/// devenv has one there.
pub(super) fn option_type(path: &[String]) -> Option<&'static Type> {
    let mut at = At::of(options::devenv());
    for name in path {
        at = at.child(name).or_else(|| at.any_name().map(At::of))?;
    }
    at.option().map(|o| o.ty())
}

/// How a scalar value meets a type.
enum Fit {
    Yes,
    /// Of the type's kind, but not one of its values.
    No(Problem),
    /// Only evaluation can tell (an attribute of pkgs where a string is wanted).
    Unknowable,
}

/// Why a value does not fit.
pub enum Problem {
    /// Another kind of value.
    Kind,
    /// An integer outside the type's range.
    Range { min: i128, max: i128 },
    /// Not one of an enumeration's values.
    NotInEnum(Vec<EnumValue>),
    /// A string that is not an absolute path.
    NotAbsolute,
}

fn scalar(ty: &Type, known: &Known) -> Fit {
    let yes = |ok: bool| if ok { Fit::Yes } else { Fit::No(Problem::Kind) };
    match (ty, known) {
        (Type::Bool, k) => yes(matches!(k, Known::Bool)),
        (Type::Int { min, max }, Known::Int(Some(n))) => {
            if (*min..=*max).contains(&i128::from(*n)) {
                Fit::Yes
            } else {
                Fit::No(Problem::Range {
                    min: *min,
                    max: *max,
                })
            }
        }
        (Type::Int { .. }, k) => yes(matches!(k, Known::Int(None))),
        (Type::Float, k) => yes(matches!(k, Known::Float)),
        (Type::Str, k) => yes(matches!(k, Known::Str(_))),
        (Type::AbsolutePath, Known::Str(Some(s))) => {
            if s.starts_with('/') {
                Fit::Yes
            } else {
                Fit::No(Problem::NotAbsolute)
            }
        }
        // A package is a path too: its store path.
        (Type::AbsolutePath | Type::PathLike, k) => {
            yes(matches!(k, Known::Str(_) | Known::Path | Known::PkgsAttr))
        }
        (Type::Package, Known::PkgsAttr) => Fit::Yes,
        (Type::Package, Known::Str(Some(s))) => yes(s.starts_with("/nix/store/")),
        (Type::Package, k) => yes(matches!(k, Known::Str(None))),
        (Type::Null, k) => yes(matches!(k, Known::Null)),
        (Type::Enum(values), k) => enumerated(values, k),
        (Type::Attrs, k) => yes(matches!(k, Known::Set(_))),
        (Type::Function, k) => yes(matches!(k, Known::Function)),
        (_, Known::PkgsAttr) => Fit::Unknowable,
        _ => Fit::No(Problem::Kind),
    }
}

fn enumerated(values: &[EnumValue], known: &Known) -> Fit {
    let found = match known {
        Known::Str(Some(s)) => values
            .iter()
            .any(|v| matches!(v, EnumValue::Str(x) if x == s)),
        Known::Int(Some(n)) => values
            .iter()
            .any(|v| matches!(v, EnumValue::Int(x) if x == n)),
        Known::Str(None) | Known::Int(None) | Known::Bool => return Fit::Unknowable,
        _ => return Fit::No(Problem::Kind),
    };
    if found {
        Fit::Yes
    } else {
        Fit::No(Problem::NotInEnum(values.to_vec()))
    }
}

/// Whether a value of `known`'s kind could be of type `t` at all.
fn kind_fits(t: &Type, known: &Known) -> bool {
    match (t, known) {
        (Type::Any, _) => true,
        (Type::Either(alts), _) => alts.iter().any(|a| kind_fits(a, known)),
        (Type::List(_), k) => matches!(k, Known::List(_)),
        (Type::Submodule { .. } | Type::AttrsOf(_) | Type::Attrs, k) => matches!(k, Known::Set(_)),
        (_, Known::List(_) | Known::Set(_)) => false,
        (ty, k) => !matches!(scalar(ty, k), Fit::No(Problem::Kind)),
    }
}

/// The part of a type that attribute names can go below: a submodule or an attribute set
/// (also inside `null or …`); `None` for a type nothing can be set below.
fn structural(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Submodule { .. } | Type::AttrsOf(_) | Type::Attrs | Type::Any => Some(ty),
        Type::Either(alts) => alts.iter().find_map(structural),
        _ => None,
    }
}

/// An option path for messages: `services.postgres.port`, `packages[2]`.
pub fn show(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if segment.starts_with('[') {
            out.push_str(segment);
            continue;
        }
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(&AttrPath::segments_to_nix(std::slice::from_ref(segment)));
    }
    out
}
