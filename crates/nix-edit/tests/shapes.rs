//! The editor on every shape it promises to handle, through the library API. Each case runs
//! one operation on a file of `tests/fixtures/` and keeps a transcript as an insta snapshot:
//! the operation, then the unified diff of the document, the value read, or the error with
//! its place and help; and whether the document changed. Carriage returns show as `␍`, so
//! that a CRLF file visibly stays CRLF.
//!
//! After each successful edit the output must parse, read back what was asked, and be left
//! alone by the same edit repeated; after a refusal the document must be unchanged.

use std::fmt::Write;

use nix_edit::{same_expr, AttrPath, Error, NixDocument};

/// One operation on a file of `tests/fixtures/`: `args` is the operation (`get`, `set`,
/// `delete`, `add`, `remove`), the path, then the expression if the operation takes one.
struct Case {
    name: &'static str,
    file: &'static str,
    args: &'static [&'static str],
}

const fn case(name: &'static str, file: &'static str, args: &'static [&'static str]) -> Case {
    Case { name, file, args }
}

const CASES: &[Case] = &[
    // the seed's devenv.nix: a module with nested sets, dotted bindings, a ++ chain
    case(
        "replace_nested_value",
        "seed-devenv.nix",
        &["set", "services.postgres.port", "5433"],
    ),
    case(
        "insert_inside_nested_set",
        "seed-devenv.nix",
        &[
            "set",
            "services.postgres.settings.log_min_messages",
            "\"warning\"",
        ],
    ),
    case(
        "insert_dotted_beside_sibling",
        "seed-devenv.nix",
        &["set", "languages.elixir.lsp.enable", "false"],
    ),
    case(
        "insert_new_top_level_path",
        "seed-devenv.nix",
        &["set", "services.redis.enable", "true"],
    ),
    case(
        "insert_next_to_dotted_siblings",
        "seed-devenv.nix",
        &["set", "env.MIX_ENV", "\"dev\""],
    ),
    case(
        "add_to_concatenated_list",
        "seed-devenv.nix",
        &["add", "packages", "pkgs.redis"],
    ),
    case(
        "add_present_element_is_a_no_op",
        "seed-devenv.nix",
        &["add", "packages", "pkgs . tmux"],
    ),
    case(
        "remove_element_with_trailing_comment",
        "seed-devenv.nix",
        &["remove", "packages", "pkgs.tmux"],
    ),
    case(
        "remove_from_conditional_list",
        "seed-devenv.nix",
        &["remove", "packages", "pkgs.inotify-tools"],
    ),
    case(
        "delete_binding_with_comment_line",
        "seed-devenv.nix",
        &["delete", "services.postgres.listen_addresses"],
    ),
    case(
        "delete_whole_nested_set",
        "seed-devenv.nix",
        &["delete", "languages.javascript"],
    ),
    case(
        "get_nested_list",
        "seed-devenv.nix",
        &["get", "services.postgres.initialDatabases"],
    ),
    // the seed's flake
    case(
        "flake_add_input",
        "seed-flake.nix",
        &[
            "set",
            "inputs.flake-utils.url",
            "\"github:numtide/flake-utils\"",
        ],
    ),
    case(
        "flake_replace_nix_config",
        "seed-flake.nix",
        &[
            "set",
            "nixConfig.extra-substituters",
            "\"https://cache.example.org\"",
        ],
    ),
    // a hand-written NixOS configuration
    case(
        "nixos_insert_in_dotted_set",
        "nixos-configuration.nix",
        &["set", "services.openssh.settings.PermitRootLogin", "\"no\""],
    ),
    case(
        "nixos_add_to_with_list",
        "nixos-configuration.nix",
        &["add", "environment.systemPackages", "pkgs.htop"],
    ),
    case(
        "nixos_add_to_one_line_list",
        "nixos-configuration.nix",
        &["add", "networking.firewall.allowedTCPPorts", "8080"],
    ),
    case(
        "nixos_remove_from_with_list",
        "nixos-configuration.nix",
        &["remove", "environment.systemPackages", "vim"],
    ),
    case(
        "nixos_delete_trailing_commented",
        "nixos-configuration.nix",
        &["delete", "networking.hostName"],
    ),
    // layouts
    case(
        "one_line_set_stays_one_line",
        "one-line.nix",
        &["set", "b.d", "3"],
    ),
    case("one_line_delete", "one-line.nix", &["delete", "a"]),
    case("empty_set", "empty.nix", &["set", "a.b", "1"]),
    case(
        "empty_multiline_set",
        "empty-multiline.nix",
        &["set", "a", "[ 1 ]"],
    ),
    case(
        "crlf_insert",
        "crlf.nix",
        &["set", "services.postgres.port", "5433"],
    ),
    case("crlf_add", "crlf.nix", &["add", "packages", "\"b\""]),
    case(
        "tabs_insert",
        "tabs.nix",
        &["set", "services.redis.enable", "true"],
    ),
    // wrappers, quoting, rec, inherit
    case(
        "quoted_name",
        "quoted-rec-inherit.nix",
        &["set", "env.\"OTHER.VAR\"", "\"y\""],
    ),
    case(
        "rec_replace",
        "quoted-rec-inherit.nix",
        &["set", "version", "\"2.0\""],
    ),
    case(
        "add_to_empty_list",
        "quoted-rec-inherit.nix",
        &["add", "empty", "1"],
    ),
    case(
        "add_after_trailing_comment",
        "quoted-rec-inherit.nix",
        &["add", "meta.tags", "\"c\""],
    ),
    case("get_inherited", "quoted-rec-inherit.nix", &["get", "port"]),
    case(
        "delete_single_inherit",
        "quoted-rec-inherit.nix",
        &["delete", "port"],
    ),
    // an unbound path reads as nothing (devgen's command line makes this an error)
    case("get_unset_path", "one-line.nix", &["get", "x.y"]),
    // refusals: each names the place and what to do
    case(
        "error_through_function_call",
        "error-shapes.nix",
        &["set", "viaCall.enable", "false"],
    ),
    case(
        "error_through_variable",
        "error-shapes.nix",
        &["set", "viaVariable.a", "2"],
    ),
    case(
        "error_rewrite_inherit",
        "error-shapes.nix",
        &["set", "a", "2"],
    ),
    case(
        "error_not_a_list",
        "error-shapes.nix",
        &["add", "number", "2"],
    ),
    case(
        "error_expr_does_not_parse",
        "error-shapes.nix",
        &["set", "number", "{ a = "],
    ),
    case(
        "error_rec_name_in_use",
        "quoted-rec-inherit.nix",
        &["delete", "version"],
    ),
    case(
        "error_file_does_not_parse",
        "syntax-error.nix",
        &["get", "a"],
    ),
];

/// What an operation gave.
enum Outcome {
    /// `get`: the value's source, if bound.
    Value(Option<String>),
    /// An edit: whether the document changed.
    Changed(bool),
}

fn run(doc: &mut NixDocument, args: &[&str]) -> nix_edit::Result<Outcome> {
    let path: AttrPath = args[1].parse().expect("the case's path parses");
    Ok(match args[0] {
        "get" => Outcome::Value(doc.get(&path)?),
        "set" => Outcome::Changed(doc.set(&path, args[2])?),
        "delete" => Outcome::Changed(doc.delete(&path)?),
        "add" => Outcome::Changed(doc.add(&path, args[2])?),
        "remove" => Outcome::Changed(doc.remove(&path, args[2])?),
        other => unreachable!("no operation {other}"),
    })
}

fn fixture(file: &str) -> String {
    let path = format!("{}/tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The operation as a command line would spell it, words quoted when they need it.
fn shown(args: &[&str]) -> String {
    args.iter()
        .map(|a| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            {
                a.to_string()
            } else {
                format!("'{a}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn error_lines(err: &Error) -> String {
    let (line, col) = err.line_col();
    let mut out = format!(
        "error at {}:{line}:{col}: {err}\n",
        err.file().unwrap_or("EXPR")
    );
    if let Some(help) = err.help() {
        writeln!(out, "help: {help}").unwrap();
    }
    out
}

/// The transcript of `c`, with the checks every outcome must pass.
fn transcript(c: &Case) -> String {
    let before = fixture(c.file);
    let mut out = format!("{}\n", shown(c.args));
    let mut doc = match NixDocument::parse(c.file, before.as_str()) {
        Ok(doc) => doc,
        Err(err) => {
            out.push_str(&error_lines(&err));
            out.push_str("document not parsed\n");
            return out;
        }
    };
    match run(&mut doc, c.args) {
        Err(err) => {
            assert_eq!(
                doc.text(),
                before,
                "{}: a refused edit changed the text",
                c.name
            );
            out.push_str(&error_lines(&err));
        }
        Ok(Outcome::Value(Some(value))) => writeln!(out, "value:\n{value}").unwrap(),
        Ok(Outcome::Value(None)) => writeln!(out, "nothing is bound at `{}`", c.args[1]).unwrap(),
        Ok(Outcome::Changed(false)) => {
            assert_eq!(doc.text(), before, "{}: a no-op changed the text", c.name)
        }
        Ok(Outcome::Changed(true)) => {
            check_edit(c, &mut doc);
            let diff = similar::TextDiff::from_lines(before.as_str(), doc.text());
            let diff = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", c.file), &format!("b/{}", c.file))
                .to_string();
            out.push_str(&diff);
        }
    }
    let changed = if doc.text() == before { "no" } else { "yes" };
    writeln!(out, "document changed: {changed}").unwrap();
    out.replace('\r', "␍")
}

/// An edit that changed `doc`: the output parses, reads back what was asked, and the same
/// edit again changes nothing.
fn check_edit(c: &Case, doc: &mut NixDocument) {
    let parsed = rnix::Root::parse(doc.text());
    assert!(
        parsed.errors().is_empty(),
        "{}: unparsable output\n{}",
        c.name,
        doc.text()
    );
    let path: AttrPath = c.args[1].parse().unwrap();
    match c.args[0] {
        "set" => {
            let value = doc.get(&path).unwrap().expect("set leaves the path bound");
            assert!(same_expr(&value, c.args[2]), "{}: reads {value}", c.name);
        }
        "add" => assert!(
            doc.contains_element(&path, c.args[2]).unwrap(),
            "{}",
            c.name
        ),
        "remove" => assert!(
            !doc.contains_element(&path, c.args[2]).unwrap(),
            "{}",
            c.name
        ),
        "delete" => assert_eq!(doc.get(&path).unwrap(), None, "{}", c.name),
        other => unreachable!("{other} is not an edit"),
    }
    let once = doc.text().to_string();
    assert!(
        matches!(run(doc, c.args), Ok(Outcome::Changed(false))),
        "{}: repeating the edit changed something",
        c.name
    );
    assert_eq!(doc.text(), once, "{}", c.name);
}

#[test]
fn edits_of_every_shape_match_their_snapshots() {
    for c in CASES {
        let text = transcript(c);
        assert_eq!(
            text.contains("error at "),
            c.name.starts_with("error_"),
            "{}: refused or not, as its name says\n{text}",
            c.name
        );
        insta::with_settings!({
            snapshot_path => "snapshots",
            prepend_module_to_snapshot => false,
            omit_expression => true,
            description => format!("nix_edit on tests/fixtures/{}", c.file),
        }, {
            insta::assert_snapshot!(c.name, text);
        });
    }
}
