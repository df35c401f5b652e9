//! `devgen nix` on every shape the editor promises to handle, through the command line:
//! each case's diff (or error) is an insta snapshot, and each edited file is given to real
//! Nix — `nix-instantiate --parse`, then an evaluation showing the path holds what was asked.

use std::process::Command;

use crate::support::{devgen, fixture_path, require, run_ok, stderr, stdout};

/// One `devgen nix` invocation on a file of `fixtures/nix/`.
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
    case("error_unset_path", "one-line.nix", &["get", "x.y"]),
];

fn transcript(c: &Case) -> (String, Option<String>) {
    let dir = fixture_path("nix");
    let mut args = vec!["nix", c.args[0], c.file];
    args.extend_from_slice(&c.args[1..]);
    let shown = format!(
        "$ devgen nix {} {} {}",
        c.args[0],
        c.file,
        c.args[1..]
            .iter()
            .map(|a| shell_word(a))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let edits = c.args[0] != "get";
    if edits {
        args.push("--diff");
    }
    let out = devgen(&dir, &args);
    let code = out.status.code().unwrap();
    let text = format!(
        "{shown}{}\n[exit {code}]\n{}{}",
        if edits { " --diff" } else { "" },
        stdout(&out),
        stderr(&out)
    );
    // the new file itself, for the Nix checks
    let new_file = (edits && code == 0).then(|| {
        let printed = devgen(&dir, &args[..args.len() - 1]);
        stdout(&printed)
    });
    (text, new_file)
}

fn shell_word(s: &str) -> String {
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        s.to_string()
    } else {
        format!("'{s}'")
    }
}

/// A Nix expression checking, in the edited file, what the case asked for.
fn nix_check(c: &Case, before: &str, after: &str) -> String {
    let path = c.args[1];
    let check = match c.args[0] {
        "set" => format!("after.{path} == ({})", c.args[2]),
        "add" => {
            format!("builtins.length after.{path} == builtins.length (before.{path} or [ ]) + 1")
        }
        "remove" => format!("builtins.length after.{path} == builtins.length before.{path} - 1"),
        "delete" => format!("!(after ? {path}) && (before ? {path})"),
        other => unreachable!("{other}"),
    };
    format!(
        "let
           pkgs = {{ lib.optionals = c: l: if c then l else [ ]; stdenv.isLinux = true; }};
           load = f: let v = import f; in
             if builtins.isFunction v then v {{ inherit pkgs; config = {{ }}; lib = {{ mkIf = c: v: v; }}; }} else v;
           before = load {before};
           after = load {after};
         in {check}"
    )
}

#[test]
fn nix_edits_of_every_shape_match_their_snapshots_and_real_nix_agrees() {
    let nix = require("nix-instantiate");
    let work = tempfile::tempdir().unwrap();
    for c in CASES {
        let (text, new_file) = transcript(c);
        insta::with_settings!({
            snapshot_path => "../../snapshots",
            prepend_module_to_snapshot => false,
            description => format!("devgen nix on fixtures/nix/{}", c.file),
            omit_expression => true,
        }, {
            insta::assert_snapshot!(format!("nix_edit__{}", c.name), text);
        });
        let is_error = c.name.starts_with("error_");
        assert_eq!(
            text.contains("[exit 0]"),
            !is_error,
            "{}: exit status\n{text}",
            c.name
        );
        if is_error {
            assert!(
                text.contains(&format!("{}:", c.file))
                    || text.contains("EXPR:")
                    || c.name == "error_unset_path",
                "{}: the error names a place\n{text}",
                c.name
            );
            continue;
        }
        let Some(new_text) = new_file else { continue };
        let before = fixture_path(&format!("nix/{}", c.file));
        let after = work.path().join(format!("{}.nix", c.name));
        std::fs::write(&after, &new_text).unwrap();
        run_ok(Command::new(&nix).arg("--parse").arg(&after));
        if new_text == std::fs::read_to_string(&before).unwrap() {
            continue; // a no-op: nothing to evaluate
        }
        let expr = nix_check(
            c,
            &before.display().to_string(),
            &after.display().to_string(),
        );
        let result = run_ok(Command::new(&nix).args(["--eval", "--strict", "--expr", &expr]));
        assert_eq!(
            result.trim(),
            "true",
            "{}: Nix does not see the edit\n{expr}\n{new_text}",
            c.name
        );
    }
}
