//! The arguments a module is evaluated with: for each name the module's function takes, a
//! set holding exactly the attribute paths the module reads from it. `pkgs.git` becomes a
//! stand-in package, `config.services.postgres.port` a value of that option's type, and
//! whatever only devenv's evaluation could give (`inputs.x`, `lib.foo`) a stand-in that
//! reading reports as unknown rather than guessed.

use std::collections::BTreeSet;

use nix_edit::{quote_string, BoundBy, NixDocument, Reference, Shape};

use super::super::check::option_type;
use super::super::types::{EnumValue, Type};

/// A string whose content only evaluation knows; read back, it checks as a string of
/// unknown text.
pub(super) const UNKNOWN_TEXT: &str = "/nix/store/00000000000000000000000000000000-devgen-unknown";

/// Names Nix binds everywhere, which a `with` never supplies.
const GLOBALS: &[&str] = &[
    "abort",
    "baseNameOf",
    "builtins",
    "derivation",
    "dirOf",
    "false",
    "fetchGit",
    "fetchTarball",
    "fetchTree",
    "fromTOML",
    "import",
    "isNull",
    "map",
    "null",
    "placeholder",
    "removeAttrs",
    "scopedImport",
    "throw",
    "toString",
    "true",
];

/// Parts of `pkgs` that are no packages: what reads them gets a stand-in of unknown value.
const PKGS_NON_PACKAGES: &[&str] = &[
    "lib",
    "stdenv",
    "system",
    "hostPlatform",
    "buildPlatform",
    "targetPlatform",
    "config",
    "path",
];

/// The Nix text of the argument set for the module `doc`, or `None` when it is no function
/// of a set (then it is evaluated as it is).
pub(super) fn arguments(doc: &NixDocument) -> Option<String> {
    let parameters = module_function(doc)?;
    let read = reads(doc, &parameters);
    let mut out = String::from("{\n");
    for p in &parameters {
        let leaves: Vec<String> = read
            .iter()
            .filter(|(root, _)| root == p)
            .map(|(_, path)| leaf(p, path))
            .collect();
        let tree = format!("(__devgenTree [\n{}\n])", leaves.join("\n"));
        let value = match p.as_str() {
            "pkgs" => format!("__devgenMerge {tree} __devgenPkgs"),
            "lib" => format!("__devgenMerge {tree} __devgenLib"),
            _ => tree,
        };
        out.push_str(&format!("  {} = {value};\n", nix_edit::quote_attr(p)));
    }
    out.push('}');
    Some(out)
}

/// The parameters of the function the module is.
fn module_function(doc: &NixDocument) -> Option<Vec<String>> {
    let mut value = doc.value();
    loop {
        if let Some(p) = value.parameters() {
            return Some(p);
        }
        value = match value.shape() {
            Shape::Let(body) | Shape::Assert(body) => body,
            _ => return None,
        };
    }
}

/// Every parameter attribute path the module reads: `(root, path)`, a bare name under
/// `with pkgs;` counted as read from `pkgs`.
fn reads(doc: &NixDocument, parameters: &[String]) -> BTreeSet<(String, Vec<String>)> {
    let mut out = BTreeSet::new();
    for r in doc.references() {
        if let Some(read) = read_of(&r).filter(|(root, _)| parameters.contains(root)) {
            out.insert(read);
        }
    }
    out
}

fn read_of(r: &Reference) -> Option<(String, Vec<String>)> {
    let (root, mut path) = match &r.bound_by {
        BoundBy::Argument => return Some((r.name.clone(), r.path.clone())),
        // `with pkgs; [ git ]` reads `pkgs.git`.
        BoundBy::With(ns) if !GLOBALS.contains(&r.name.as_str()) => {
            let (root, mut path) = argument_path(ns)?;
            path.push(r.name.clone());
            (root, path)
        }
        // `let py = pkgs.python3Packages; in py.flask` reads `pkgs.python3Packages.flask`.
        BoundBy::Let(value) => argument_path(value)?,
        _ => return None,
    };
    path.extend(r.path.iter().cloned());
    Some((root, path))
}

/// The parameter and attribute names `value` selects (`pkgs`, `pkgs.python3Packages`).
fn argument_path(value: &nix_edit::Value) -> Option<(String, Vec<String>)> {
    let argument = |v: &nix_edit::Value| match v.shape() {
        Shape::Variable {
            name,
            bound_by: BoundBy::Argument,
        } => Some(name),
        _ => None,
    };
    match value.shape() {
        Shape::Select { base, path, .. } => Some((argument(&base)?, path)),
        _ => Some((argument(value)?, Vec::new())),
    }
}

/// One leaf of a parameter's stand-in: `{ path = [ … ]; value = …; }`.
fn leaf(root: &str, path: &[String]) -> String {
    let names: Vec<String> = path.iter().map(|n| quote_string(n)).collect();
    let shown = quote_string(
        &std::iter::once(root)
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("."),
    );
    let value = match root {
        "pkgs"
            if path
                .first()
                .is_some_and(|n| PKGS_NON_PACKAGES.contains(&n.as_str())) =>
        {
            format!("__devgenUnknown {shown}")
        }
        "pkgs" => format!(
            "__devgenPackage {}",
            quote_string(path.last().map_or("pkgs", String::as_str))
        ),
        "config" => config_leaf(path, &shown),
        _ => format!("__devgenUnknown {shown}"),
    };
    format!("  {{ path = [ {} ]; value = {value}; }}", names.join(" "))
}

/// What `config.<path>` stands in as: a value of its option's type; below a package option
/// (`config.languages.python.package.pkgs.x`), a package; else of unknown value.
fn config_leaf(path: &[String], shown: &str) -> String {
    if let Some(ty) = option_type(path) {
        return placeholder(ty, shown);
    }
    let below_package = (1..path.len()).any(|n| option_type(&path[..n]) == Some(&Type::Package));
    match path.last() {
        Some(name) if below_package => format!("__devgenPackage {}", quote_string(name)),
        _ => format!("__devgenUnknown {shown}"),
    }
}

/// A value of type `ty` whose particulars only evaluation knows: the kind is right, the
/// content is what reading checks least (a string of unknown text, the smallest integer).
fn placeholder(ty: &Type, shown: &str) -> String {
    match ty {
        Type::Bool => "false".into(),
        Type::Int { min, max } => (1i128.clamp(*min, *max)).to_string(),
        Type::Float => "0.0".into(),
        Type::Str | Type::AbsolutePath => quote_string(UNKNOWN_TEXT),
        Type::Package | Type::PathLike => format!("__devgenPackage {shown}"),
        Type::Null => "null".into(),
        Type::List(_) => "[ ]".into(),
        Type::AttrsOf(_) | Type::Submodule { .. } | Type::Attrs => "{ }".into(),
        Type::Enum(values) => match values.first() {
            Some(EnumValue::Str(s)) => quote_string(s),
            Some(EnumValue::Int(n)) => n.to_string(),
            _ => format!("__devgenUnknown {shown}"),
        },
        Type::Either(alts) => alts
            .iter()
            .find(|t| !matches!(t, Type::Null))
            .map_or_else(|| "null".into(), |t| placeholder(t, shown)),
        _ => format!("__devgenUnknown {shown}"),
    }
}
