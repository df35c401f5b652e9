//! What a value of a module statically is, as far as its type goes: seen through the module
//! system's wrappers (`lib.mkIf`, `mkDefault`, `mkForce`, `mkOverride`, `mkBefore`,
//! `mkAfter`, `mkOrder`, `mkMerge`), `lib.optionalAttrs`/`optionals`/`optional`, `if`,
//! `let`, `with` and `assert`, and through names bound by `let` or `rec`. Whatever it
//! cannot know without evaluating — a function's result, a function argument, `config` —
//! is [`Known::Unknown`], never a guess.

use nix_edit::{BoundBy, Entry, Shape, Value};

/// One thing a value may be at its place. A value can be several (`mkMerge`, both branches
/// of an `if`, the parts of `//`), each checked on its own.
#[derive(Debug, Clone)]
pub enum Known {
    Bool,
    /// An integer; its value when written as a literal.
    Int(Option<i64>),
    Float,
    /// A string; its text when it has no interpolation.
    Str(Option<String>),
    Path,
    Null,
    /// A list: its elements, each to check (the literal elements of every part of a `++`).
    List(Vec<Value>),
    /// An attribute set's entries.
    Set(Vec<Entry>),
    /// An attribute of nixpkgs (`pkgs.hello`, `hello` under `with pkgs;`): a package, as a
    /// rule, but what it is only evaluation can tell.
    PkgsAttr,
    Function,
    /// Not knowable without evaluating; the text says what the value is.
    Unknown(String),
}

/// Wrappers of the module system whose last argument is the value they wrap.
const WRAPPERS: &[&str] = &[
    "mkIf",
    "mkDefault",
    "mkForce",
    "mkOverride",
    "mkBefore",
    "mkAfter",
    "mkOrder",
    "mkOptionDefault",
    "mkImageMediaOverride",
    "mkFixStrictness",
    "optionalAttrs",
];

/// Builtins and lib functions whose result is always of one kind.
const STRING_RESULTS: &[&str] = &[
    "getEnv",
    "toString",
    "toJSON",
    "readFile",
    "concatStringsSep",
    "concatStrings",
    "replaceStrings",
    "substring",
    "optionalString",
    "concatMapStringsSep",
    "toUpper",
    "toLower",
    "baseNameOf",
    "hashString",
    "escapeShellArg",
    "escapeShellArgs",
    "makeBinPath",
    "getExe",
    "getExe'",
];
const BOOL_RESULTS: &[&str] = &[
    "pathExists",
    "elem",
    "hasAttr",
    "isString",
    "isAttrs",
    "hasPrefix",
    "hasSuffix",
];
const INT_RESULTS: &[&str] = &["length", "stringLength"];

/// Depth of `let` names followed, against a name bound to itself.
const MAX_DEPTH: usize = 32;

/// Every thing `value` may be, each with the value it was read from.
pub fn resolve(value: &Value) -> Vec<(Known, Value)> {
    let mut out = Vec::new();
    resolve_into(value, 0, &mut out);
    out
}

fn resolve_into(value: &Value, depth: usize, out: &mut Vec<(Known, Value)>) {
    if depth > MAX_DEPTH {
        out.push((Known::Unknown(value.describe()), value.clone()));
        return;
    }
    let mut more = |v: &Value| resolve_into(v, depth + 1, out);
    let known = match value.shape() {
        Shape::Set(entries) => Known::Set(entries),
        Shape::List(items) => Known::List(items),
        Shape::Bool(_) => Known::Bool,
        Shape::Int(n) => Known::Int(Some(n)),
        Shape::Float(_) => Known::Float,
        Shape::Null => Known::Null,
        Shape::Str(text) => Known::Str(text),
        Shape::Path => Known::Path,
        Shape::Lambda(_) => Known::Function,
        Shape::Let(body) | Shape::Assert(body) | Shape::With { body, .. } => return more(&body),
        Shape::If { then, otherwise } => {
            more(&then);
            return more(&otherwise);
        }
        Shape::Update(parts) => {
            for p in &parts {
                more(p);
            }
            return;
        }
        Shape::Concat(parts) => concat(&parts, depth),
        Shape::Add(parts) => added(&parts, depth),
        Shape::Variable { name, bound_by } => match bound_by {
            BoundBy::Let(v) => return more(&v),
            BoundBy::With(ns) if is_pkgs(&ns) => Known::PkgsAttr,
            BoundBy::Argument => Known::Unknown(format!("the argument `{name}`")),
            BoundBy::With(_) | BoundBy::Nothing => Known::Unknown(format!("the variable `{name}`")),
        },
        Shape::Select { base, path, .. } => selected(&base, &path),
        Shape::Call { function, args } => {
            return call(value, &function, &args, depth, out);
        }
        Shape::Other(what) => Known::Unknown(what),
    };
    out.push((known, value.clone()));
}

/// `f a b`: a wrapper's wrapped value, `mkMerge`'s parts, or a function of known result.
fn call(
    value: &Value,
    function: &Value,
    args: &[Value],
    depth: usize,
    out: &mut Vec<(Known, Value)>,
) {
    let name = function_name(function);
    let last = args.last();
    match (name.as_str(), last) {
        (n, Some(wrapped)) if WRAPPERS.contains(&n) => resolve_into(wrapped, depth + 1, out),
        ("mkMerge", Some(list)) => match list.shape() {
            Shape::List(items) => items.iter().for_each(|i| resolve_into(i, depth + 1, out)),
            _ => out.push((Known::Unknown(value.describe()), value.clone())),
        },
        ("optionals", Some(list)) => resolve_into(list, depth + 1, out),
        ("optional", Some(item)) => out.push((Known::List(vec![item.clone()]), value.clone())),
        (n, _) if STRING_RESULTS.contains(&n) => out.push((Known::Str(None), value.clone())),
        (n, _) if BOOL_RESULTS.contains(&n) => out.push((Known::Bool, value.clone())),
        (n, _) if INT_RESULTS.contains(&n) => out.push((Known::Int(None), value.clone())),
        _ => out.push((
            Known::Unknown(format!("the result of `{}`", function.text())),
            value.clone(),
        )),
    }
}

/// The name a function is called by: `mkIf` of `lib.mkIf`, `pkgs.lib.mkIf` or `mkIf`.
fn function_name(function: &Value) -> String {
    match function.shape() {
        Shape::Select { path, .. } => path.last().cloned().unwrap_or_default(),
        Shape::Variable { name, .. } => name,
        _ => String::new(),
    }
}

/// `a ++ b`: a list of the elements of every part that is a list as far as can be known;
/// a part that is not is unknown as a whole.
fn concat(parts: &[Value], depth: usize) -> Known {
    let mut items = Vec::new();
    for part in parts {
        let mut resolved = Vec::new();
        resolve_into(part, depth + 1, &mut resolved);
        for (known, v) in resolved {
            match known {
                Known::List(mut elements) => items.append(&mut elements),
                _ => return Known::Unknown(format!("`{}`, which is not a list literal", v.text())),
            }
        }
    }
    Known::List(items)
}

/// `a + b`: a string when a part is one, a path when the first is one, a number when all are.
fn added(parts: &[Value], depth: usize) -> Known {
    let kinds: Vec<Known> = parts
        .iter()
        .flat_map(|p| {
            let mut r = Vec::new();
            resolve_into(p, depth + 1, &mut r);
            r.into_iter().map(|(k, _)| k)
        })
        .collect();
    match kinds.first() {
        Some(Known::Path) => Known::Path,
        _ if kinds.iter().any(|k| matches!(k, Known::Str(_))) => Known::Str(None),
        _ if kinds.iter().all(|k| matches!(k, Known::Int(_))) => Known::Int(None),
        _ => Known::Unknown("a sum".into()),
    }
}

/// `pkgs.x`: an attribute of nixpkgs (but `pkgs.lib`, `pkgs.stdenv` and `pkgs.system` are
/// not packages); anything else selected is unknown.
fn selected(base: &Value, path: &[String]) -> Known {
    let not_a_package = [
        "lib",
        "stdenv",
        "system",
        "config",
        "hostPlatform",
        "buildPlatform",
    ];
    if is_pkgs(base)
        && !path
            .first()
            .is_some_and(|p| not_a_package.contains(&p.as_str()))
    {
        return Known::PkgsAttr;
    }
    Known::Unknown(format!("`{}.{}`", base.text(), path.join(".")))
}

/// Whether `v` is the module's package set: `pkgs`, as an argument or unbound.
fn is_pkgs(v: &Value) -> bool {
    matches!(v.shape(), Shape::Variable { name, bound_by: BoundBy::Argument | BoundBy::Nothing } if name == "pkgs")
}

impl Known {
    /// The kind of value, in words, for messages.
    pub fn noun(&self) -> String {
        match self {
            Known::Bool => "a boolean".into(),
            Known::Int(Some(n)) => format!("the integer {n}"),
            Known::Int(None) => "an integer".into(),
            Known::Float => "a floating point number".into(),
            Known::Str(_) => "a string".into(),
            Known::Path => "a path".into(),
            Known::Null => "null".into(),
            Known::List(_) => "a list".into(),
            Known::Set(_) => "an attribute set".into(),
            Known::PkgsAttr => "an attribute of pkgs".into(),
            Known::Function => "a function".into(),
            Known::Unknown(what) => what.clone(),
        }
    }
}
