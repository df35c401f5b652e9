//! The promise of `devgen sync`, as a property: whatever sequence of spec changes a team
//! makes, interleaved with whatever edits people make outside devgen's managed paths, each
//! `sync` succeeds, every one of those edits is still there afterwards, and `diff` then
//! exits 0.

use std::path::Path;

use devgen::commands::{check, diff::diff, sync, Outcome};
use devgen::output::{Format, Io};
use nix_edit::{AttrPath, NixDocument};
use proptest::prelude::*;

use crate::support::nix_parses;

/// The spec knobs a team turns.
#[derive(Debug, Clone)]
struct SpecChoice {
    postgres_port: u16,
    postgres: &'static str,
    node: Option<&'static str>,
    live_debugger: Option<u16>,
    extra: Vec<&'static str>,
    env: Vec<(&'static str, &'static str)>,
    more_databases: bool,
    pre_commit: bool,
    auto_restart: bool,
    log_alerts: bool,
    shared: bool,
}

impl SpecChoice {
    fn toml(&self) -> String {
        let mut t =
            String::from("# the team's spec\n[project]\nname = \"props\"\nip = \"127.0.0.30\"\n");
        if self.shared {
            t += "mode = \"shared\"\n";
        }
        t += "\n[toolchain]\n";
        t += &format!("postgres = \"{}\"  # bumped now and then\n", self.postgres);
        if let Some(n) = self.node {
            t += &format!("node = \"{n}\"\n");
        }
        t += "\n[phoenix]\n";
        match self.live_debugger {
            Some(p) => t += &format!("live_debugger = {p}\n"),
            None => t += "live_debugger = false\n",
        }
        t += &format!("auto_restart = {}\n", self.auto_restart);
        t += "\n[postgres]\n";
        // the shared server's port and logs are not the project's to set
        if !self.shared {
            t += &format!(
                "port = {}\nlog_alerts = {}\n",
                self.postgres_port, self.log_alerts
            );
        }
        if self.more_databases {
            t += "databases = [\"props_dev\", \"props_test\", \"props_reports\"]\n";
        }
        t += &format!("\n[packages]\nextra = {:?}\n", self.extra);
        if !self.env.is_empty() {
            t += "\n[env]\n";
            for (k, v) in &self.env {
                t += &format!("{k} = \"{v}\"\n");
            }
        }
        t += &format!("\n[hooks]\npre_commit = {}\n", self.pre_commit);
        t
    }
}

fn spec_choice() -> impl Strategy<Value = SpecChoice> {
    (
        prop::sample::select(vec![5432u16, 5433, 6000]),
        prop::sample::select(vec!["15", "16", "17"]),
        prop::option::of(prop::sample::select(vec!["20", "22"])),
        prop::option::of(prop::sample::select(vec![4007u16, 4010])),
        prop::sample::subsequence(vec!["flyctl", "chromedriver", "jq"], 0..=3),
        prop::sample::subsequence(
            vec![
                ("ERL_AFLAGS", "-kernel shell_history enabled"),
                ("MIX_ENV", "dev"),
            ],
            0..=2,
        ),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::bool::weighted(0.3),
    )
        .prop_map(
            |(
                postgres_port,
                postgres,
                node,
                live_debugger,
                extra,
                env,
                more_databases,
                pre_commit,
                auto_restart,
                log_alerts,
                shared,
            )| SpecChoice {
                postgres_port,
                postgres,
                node,
                live_debugger,
                extra,
                env,
                more_databases,
                pre_commit,
                auto_restart,
                log_alerts,
                shared,
            },
        )
}

/// Edits people make by hand, none of them to a path devgen manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserEdit {
    PackageOfTheirOwn,
    RedisService,
    CommentInElixir,
    EnterShell,
    FlakeComment,
    ProcfileWorker,
    EnvrcExport,
    GitignoreLine,
    DevConfigLine,
}

const USER_EDITS: &[UserEdit] = &[
    UserEdit::PackageOfTheirOwn,
    UserEdit::RedisService,
    UserEdit::CommentInElixir,
    UserEdit::EnterShell,
    UserEdit::FlakeComment,
    UserEdit::ProcfileWorker,
    UserEdit::EnvrcExport,
    UserEdit::GitignoreLine,
    UserEdit::DevConfigLine,
];

fn path(p: &str) -> AttrPath {
    p.parse().unwrap()
}

fn edit_nix(dir: &Path, file: &str, f: impl FnOnce(&mut NixDocument)) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    let mut doc = NixDocument::parse(file, text).unwrap();
    f(&mut doc);
    std::fs::write(dir.join(file), doc.text()).unwrap();
}

fn edit_text(dir: &Path, file: &str, f: impl FnOnce(&str) -> String) {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    std::fs::write(dir.join(file), f(&text)).unwrap();
}

const ELIXIR_COMMENT: &str = "    # ours: the version follows .tool-versions\n";

impl UserEdit {
    fn apply(self, dir: &Path) {
        match self {
            UserEdit::PackageOfTheirOwn => edit_nix(dir, "devenv.nix", |d| {
                d.add(&path("packages"), "pkgs.hello").unwrap();
            }),
            UserEdit::RedisService => edit_nix(dir, "devenv.nix", |d| {
                d.set(&path("services.redis.enable"), "true").unwrap();
            }),
            UserEdit::CommentInElixir => edit_text(dir, "devenv.nix", |t| {
                t.replacen(
                    "  languages.elixir = {\n",
                    &format!("  languages.elixir = {{\n{ELIXIR_COMMENT}"),
                    1,
                )
            }),
            UserEdit::EnterShell => edit_nix(dir, "devenv.nix", |d| {
                d.set(&path("enterShell"), "''\n    echo ready\n  ''")
                    .unwrap();
            }),
            UserEdit::FlakeComment => edit_text(dir, "flake.nix", |t| {
                format!("# our flake, kept by devgen\n{t}")
            }),
            UserEdit::ProcfileWorker => {
                edit_text(dir, "Procfile", |t| format!("worker: ./bin/worker\n{t}"))
            }
            UserEdit::EnvrcExport => {
                edit_text(dir, ".envrc", |t| format!("{t}export TEAM_FLAG=1\n"))
            }
            UserEdit::GitignoreLine => {
                edit_text(dir, ".gitignore", |t| format!("/node_modules\n{t}"))
            }
            UserEdit::DevConfigLine => edit_text(dir, "config/dev.exs", |t| {
                format!("{t}config :logger, level: :info\n")
            }),
        }
    }

    /// Whether the edit is still in the project.
    fn present(self, dir: &Path) -> bool {
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let devenv = || NixDocument::parse("devenv.nix", read("devenv.nix")).unwrap();
        match self {
            UserEdit::PackageOfTheirOwn => devenv()
                .list_elements(&path("packages"))
                .unwrap()
                .iter()
                .any(|e| e.text == "pkgs.hello"),
            UserEdit::RedisService => {
                devenv()
                    .get(&path("services.redis.enable"))
                    .unwrap()
                    .as_deref()
                    == Some("true")
            }
            UserEdit::CommentInElixir => read("devenv.nix").contains(ELIXIR_COMMENT),
            UserEdit::EnterShell => devenv().get(&path("enterShell")).unwrap().is_some(),
            UserEdit::FlakeComment => {
                read("flake.nix").starts_with("# our flake, kept by devgen\n")
            }
            UserEdit::ProcfileWorker => read("Procfile").starts_with("worker: ./bin/worker\n"),
            UserEdit::EnvrcExport => read(".envrc").contains("\nexport TEAM_FLAG=1\n"),
            UserEdit::GitignoreLine => read(".gitignore").starts_with("/node_modules\n"),
            UserEdit::DevConfigLine => {
                read("config/dev.exs").contains("config :logger, level: :info\n")
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Step {
    Spec(SpecChoice),
    Edit(UserEdit),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        spec_choice().prop_map(Step::Spec),
        prop::sample::select(USER_EDITS.to_vec()).prop_map(Step::Edit),
    ]
}

fn run(f: impl FnOnce(&mut Io) -> devgen::error::Result<Outcome>) -> (u8, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = {
        let mut io = Io {
            out: &mut out,
            err: &mut err,
        };
        f(&mut io)
            .unwrap_or_else(|e| {
                panic!("devgen failed: {e}");
            })
            .exit_code()
    };
    (
        code,
        format!(
            "{}{}",
            String::from_utf8_lossy(&out),
            String::from_utf8_lossy(&err)
        ),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn user_edits_outside_managed_paths_survive_any_sequence_of_spec_changes(
        first in spec_choice(),
        steps in prop::collection::vec(step(), 1..10),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("devgen.toml"), first.toml()).unwrap();
        let (code, log) = run(|io| sync::sync(d, sync::Options::default(), io));
        prop_assert_eq!(code, 0, "first sync: {}", log);

        let mut made: Vec<UserEdit> = Vec::new();
        for step in &steps {
            match step {
                Step::Spec(choice) => std::fs::write(d.join("devgen.toml"), choice.toml()).unwrap(),
                Step::Edit(e) => {
                    if made.contains(e) {
                        continue;
                    }
                    e.apply(d);
                    made.push(*e);
                }
            }
            let (code, log) = run(|io| sync::sync(d, sync::Options::default(), io));
            prop_assert_eq!(code, 0, "sync after {:?}: {}", step, log);
            for e in &made {
                prop_assert!(e.present(d), "{:?} lost after {:?}:\n{}", e, step,
                    std::fs::read_to_string(d.join("devenv.nix")).unwrap());
            }
            let (code, log) = run(|io| diff(d, false, Format::Text, io));
            prop_assert_eq!(code, 0, "diff right after sync: {}", log);
            let text = std::fs::read_to_string(d.join("devenv.nix")).unwrap();
            let checked = check::module("devenv.nix", text).unwrap();
            prop_assert!(checked.report.findings.is_empty(),
                "devenv would refuse devenv.nix after {:?}: {:?}", step, checked.report.findings);
        }
        nix_parses(d, "devenv.nix");
        nix_parses(d, "flake.nix");
    }
}
