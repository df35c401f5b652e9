//! The spec: `devgen.toml` as the user wrote it.
//!
//! This stage owns reading the file, its shape (which keys exist, which types they take) and
//! the validity of each value on its own (a host name is a host name, an IP is on loopback).
//! Every value keeps its byte span, so any error — here or in the model stage, which checks
//! values against each other — can point at the exact place in the file. Nothing here fills
//! in defaults: that is the model's job.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::ops::Range;

use indexmap::IndexMap;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serde_spanned::Spanned;

use crate::diagnostic::{did_you_mean, Diagnostic};

/// The spec's file name, at the project root.
pub const SPEC_FILE: &str = "devgen.toml";

/// `devgen.toml`, parsed. Optional keys are `None` when absent. The doc comments of these
/// types are the descriptions of `devgen schema`, and the README's spec reference.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "devgen.toml",
    description = "The spec of a Phoenix project's development environment, from which devgen writes and keeps flake.nix, devenv.nix, the Procfile, .envrc and the rest"
)]
pub struct Spec {
    /// The project: its names, its dev host and its loopback address.
    pub project: ProjectSpec,
    /// Toolchain versions.
    #[serde(default)]
    pub toolchain: ToolchainSpec,
    /// The Phoenix dev server.
    #[serde(default)]
    pub phoenix: PhoenixSpec,
    /// The project's PostgreSQL.
    #[serde(default)]
    pub postgres: PostgresSpec,
    /// Packages of the dev shell.
    #[serde(default)]
    pub packages: PackagesSpec,
    /// Environment variables of the dev shell: each becomes `env.<NAME>` in devenv.nix.
    #[serde(default)]
    #[schemars(with = "EnvSchema")]
    pub env: IndexMap<Spanned<String>, Spanned<String>>,
    /// Git hooks.
    #[serde(default)]
    pub hooks: HooksSpec,
}

/// The schema of `[env]`: names as the shell takes them, string values.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct EnvSchema(
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z_][A-Za-z0-9_]*$" }))]
    BTreeMap<String, String>,
);

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HooksSpec {
    /// Have the generated devenv.nix enable `devgen diff` as a git pre-commit hook.
    #[schemars(extend("default" = false))]
    pub pre_commit: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProjectSpec {
    /// Project name: lowercase letters, digits, '-' and '_', starting with a letter.
    #[schemars(with = "String", regex(pattern = r"^[a-z][a-z0-9_-]*$"))]
    pub name: Spanned<String>,
    /// OTP app name. Default: the name with '-' turned into '_'.
    #[schemars(with = "Option<String>", regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub app: Option<Spanned<String>>,
    /// Elixir module prefix. Default: the app name in CamelCase.
    #[schemars(with = "Option<String>")]
    pub module: Option<Spanned<String>>,
    /// Dev host name, resolved by dnsmasq to `ip` (and postgres.<host> too). Default: "<name>.test".
    #[schemars(with = "Option<String>")]
    pub host: Option<Spanned<String>>,
    /// The project's loopback address in 127.0.0.0/8. Default: the next free one of the machine registry (127.0.0.10, .20, …).
    #[schemars(with = "Option<String>", extend("format" = "ipv4"), regex(pattern = r"^127\."))]
    pub ip: Option<Spanned<String>>,
    /// Where PostgreSQL runs: "isolated" (a server of the project's own, on its ip) or "shared" (the machine's one server, see `devgen shared`).
    #[schemars(with = "Option<Mode>", extend("default" = "isolated"))]
    pub mode: Option<Spanned<Mode>>,
}

/// `[project] mode`: where the project's PostgreSQL runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// A PostgreSQL of the project's own, on the project IP.
    #[default]
    Isolated,
    /// One PostgreSQL for every project of the machine, at the registry's shared address;
    /// each project has its own databases in it.
    Shared,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolchainSpec {
    /// Elixir version, major.minor; becomes pkgs.<BEAM package set>.elixir_1_18.
    #[schemars(with = "Option<Version>", extend("default" = "1.18"))]
    pub elixir: Option<Spanned<Version>>,
    /// Erlang/OTP major version; picks pkgs.beam.packages.erlang_<N>. Default: nixpkgs' default BEAM package set.
    #[schemars(with = "Option<Version>")]
    pub erlang: Option<Spanned<Version>>,
    /// Node.js major version for the JavaScript toolchain. Absent: no JavaScript toolchain.
    #[schemars(with = "Option<Version>")]
    pub node: Option<Spanned<Version>>,
    /// PostgreSQL major version; becomes pkgs.postgresql_<N>.
    #[schemars(with = "Option<Version>", extend("default" = "16"))]
    pub postgres: Option<Spanned<Version>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PhoenixSpec {
    /// Phoenix's port on the project ip.
    #[schemars(with = "Option<Port>", extend("default" = 4000))]
    pub port: Option<Spanned<Port>>,
    /// LiveDebugger's port on the project ip, or false to leave LiveDebugger out.
    #[schemars(with = "Option<LiveDebugger>", extend("default" = 4007))]
    pub live_debugger: Option<Spanned<LiveDebugger>>,
    /// Have overmind restart Phoenix when it crashes (OVERMIND_AUTO_RESTART=phoenix).
    #[schemars(extend("default" = true))]
    pub auto_restart: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PostgresSpec {
    /// PostgreSQL's port on the project ip (isolated mode only).
    #[schemars(with = "Option<Port>", extend("default" = 5432))]
    pub port: Option<Spanned<Port>>,
    /// Databases to create; the first is dev's, the second test's. Default: ["<app>_dev", "<app>_test"].
    #[schemars(with = "Option<Vec<String>>", length(min = 1))]
    pub databases: Option<Spanned<Vec<Spanned<String>>>>,
    /// Log to a file and ring the terminal bell on each line (the Procfile's postgres-alerts process; isolated mode only).
    #[schemars(with = "Option<bool>", extend("default" = true))]
    pub log_alerts: Option<Spanned<bool>>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackagesSpec {
    /// More nixpkgs attribute paths for the dev shell, like "flyctl" or "nodePackages.pnpm".
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub extra: Vec<Spanned<String>>,
}

/// A TCP port, 1–65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port(pub u16);

impl JsonSchema for Port {
    fn schema_name() -> Cow<'static, str> {
        "Port".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "A TCP port.", "type": "integer", "minimum": 1, "maximum": 65535 })
    }
}

impl JsonSchema for LiveDebugger {
    fn schema_name() -> Cow<'static, str> {
        "LiveDebugger".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [g.subschema_for::<Port>(), { "const": false }] })
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A version as a string (\"1.18\", \"27\"): TOML reads the number 1.10 as 1.1.",
            "anyOf": [
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$" },
                { "type": "integer", "minimum": 0 }
            ]
        })
    }
}

/// The JSON Schema of devgen.toml, from the types above.
pub fn json_schema() -> Schema {
    schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Spec>()
}

impl Port {
    fn from_i64<E: de::Error>(v: i64) -> Result<Port, E> {
        match u16::try_from(v) {
            Ok(p) if p > 0 => Ok(Port(p)),
            _ => Err(E::custom(format!(
                "port {v} is out of range: ports are 1 to 65535"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PortVisitor;
        impl Visitor<'_> for PortVisitor {
            type Value = Port;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port number between 1 and 65535")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Port, E> {
                Port::from_i64(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Port, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(PortVisitor)
    }
}

/// `live_debugger`: a port, or `false` to leave LiveDebugger out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveDebugger {
    Off,
    Port(Port),
}

impl<'de> Deserialize<'de> for LiveDebugger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LdVisitor;
        impl Visitor<'_> for LdVisitor {
            type Value = LiveDebugger;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port number (like 4007) or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LiveDebugger, E> {
                if v {
                    Err(E::custom(
                        "live_debugger takes a port number (like 4007) or false, not true",
                    ))
                } else {
                    Ok(LiveDebugger::Off)
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LiveDebugger, E> {
                Ok(LiveDebugger::Port(Port::from_i64(v)?))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LiveDebugger, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(LdVisitor)
    }
}

/// A toolchain version as written: `"1.18"`, `"27"` or `27`. Floats are refused because
/// TOML reads `1.10` as `1.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct VersionVisitor;
        impl Visitor<'_> for VersionVisitor {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version string like \"1.18\" or \"27\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Version, E> {
                Err(E::custom(format!(
                    "version {v} is a number; write it as a string, like \"{v}\", \
                     since TOML reads 1.10 as 1.1"
                )))
            }
        }
        d.deserialize_any(VersionVisitor)
    }
}

/// The keys each section takes, for "did you mean" and for listing in help texts.
pub(crate) const SECTIONS: &[(&str, &[&str])] = &[
    ("project", &["name", "app", "module", "host", "ip", "mode"]),
    ("toolchain", &["elixir", "erlang", "node", "postgres"]),
    ("phoenix", &["port", "live_debugger", "auto_restart"]),
    ("postgres", &["port", "databases", "log_alerts"]),
    ("packages", &["extra"]),
    ("env", &[]),
    ("hooks", &["pre_commit"]),
];

/// A spec together with the text it came from, so later stages can point into it.
#[derive(Debug, Clone)]
pub struct SpecSource {
    pub file: String,
    pub text: String,
    pub spec: Spec,
}

impl SpecSource {
    /// A diagnostic pointing at `span` of the spec file.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.file.clone(), self.text.clone(), span, message)
    }
}

/// Parse and validate the text of a spec file. `file` is the name used in messages.
pub fn parse(file: &str, text: &str) -> Result<SpecSource, Box<Diagnostic>> {
    let doc = toml_edit::Document::parse(text.to_string()).map_err(|e| {
        Box::new(
            Diagnostic::new(
                file,
                text,
                e.span().unwrap_or(0..0),
                format!("invalid TOML: {}", e.message().trim_end()),
            )
            .with_help("see https://toml.io for the syntax; strings need double quotes"),
        )
    })?;
    let spec: Spec = toml_edit::de::from_document(doc.clone())
        .map_err(|e| Box::new(translate_serde_error(file, text, &doc, &e)))?;
    let source = SpecSource {
        file: file.to_string(),
        text: text.to_string(),
        spec,
    };
    validate(&source)?;
    Ok(source)
}

/// Turn serde's messages into ones that name the section and suggest a fix.
fn translate_serde_error(
    file: &str,
    text: &str,
    doc: &toml_edit::Document<String>,
    e: &toml_edit::de::Error,
) -> Diagnostic {
    let span = e.span().unwrap_or(0..0);
    let msg = e.message().trim_end();
    let ticked: Vec<&str> = msg.split('`').skip(1).step_by(2).collect();
    let section = section_at(doc, span.start);

    if msg.starts_with("unknown field") {
        let key = ticked.first().copied().unwrap_or("");
        let (place, valid): (String, Vec<&str>) = match &section {
            Some(s) => (
                format!("[{s}]"),
                SECTIONS
                    .iter()
                    .find(|(n, _)| n == s)
                    .map(|(_, k)| k.to_vec())
                    .unwrap_or_default(),
            ),
            None => (
                "devgen.toml".to_string(),
                SECTIONS.iter().map(|(n, _)| *n).collect(),
            ),
        };
        let what = if section.is_some() { "key" } else { "section" };
        // A key written above every section header (`name = …` before `[project]`).
        let home = SECTIONS
            .iter()
            .find(|(_, keys)| keys.contains(&key))
            .filter(|_| section.is_none());
        let mut help = match (home, did_you_mean(key, valid.iter().copied())) {
            (Some((sec, _)), _) => {
                format!("`{key}` belongs under [{sec}]: put it below a `[{sec}]` line\n")
            }
            (None, Some(s)) => format!("did you mean `{s}`?\n"),
            (None, None) => String::new(),
        };
        help.push_str(&format!(
            "{place} takes: {}",
            valid
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        return Diagnostic::new(
            file,
            text,
            span,
            format!("unknown {what} `{key}` in {place}"),
        )
        .with_label(format!("not a {what} devgen knows"))
        .with_help(help);
    }
    if msg.starts_with("missing field") {
        let key = ticked.first().copied().unwrap_or("");
        return match &section {
            Some(s) => Diagnostic::new(file, text, span, format!("[{s}] is missing `{key}`"))
                .with_label("in this table")
                .with_help(format!("add `{key} = ...` under [{s}]")),
            None => Diagnostic::new(
                file,
                text,
                span,
                format!("devgen.toml has no [{key}] section"),
            )
            .with_help(format!(
                "add a [{key}] section, at least:\n[project]\nname = \"my-app\""
            )),
        };
    }
    if msg.starts_with("invalid type") {
        // "invalid type: integer `3`, expected a string"
        let expected = msg.split("expected ").nth(1).unwrap_or("another type");
        let key = key_name_at(text, span.start);
        return Diagnostic::new(
            file,
            text,
            span,
            format!(
                "wrong type for `{key}`: {}",
                msg.trim_start_matches("invalid type: ")
            ),
        )
        .with_label(format!("expected {expected}"))
        .with_help(type_hint(expected));
    }
    let key = key_name_at(text, span.start);
    Diagnostic::new(file, text, span, msg.to_string()).with_help(value_hint(&key))
}

/// How to write a valid value for `key`, for errors raised while reading the value.
fn value_hint(key: &str) -> String {
    match key {
        "port" => "write a port number from 1 to 65535, like 4000".to_string(),
        "live_debugger" => {
            "write a port number, like live_debugger = 4007, or live_debugger = false".to_string()
        }
        "elixir" => "quote the version: elixir = \"1.18\"".to_string(),
        "mode" => "write mode = \"isolated\" (a PostgreSQL of the project's own, the default) or mode = \"shared\" (the machine's shared PostgreSQL)".to_string(),
        "erlang" | "node" | "postgres" => format!("quote the major version: {key} = \"27\""),
        _ => format!("fix the value of `{key}`"),
    }
}

fn type_hint(expected: &str) -> String {
    if expected.contains("string") {
        "put the value in double quotes, like \"value\"".to_string()
    } else if expected.contains("bool") {
        "write true or false, without quotes".to_string()
    } else if expected.contains("sequence") {
        "write a list, like [\"a\", \"b\"]".to_string()
    } else if expected.contains("port") || expected.contains("integer") {
        "write a number without quotes, like 4000".to_string()
    } else {
        format!("write {expected}")
    }
}

/// The top-level section containing byte `offset`; `None` when `offset` is on a top-level
/// key itself (a section name).
fn section_at(doc: &toml_edit::Document<String>, offset: usize) -> Option<String> {
    let top = doc.as_table();
    if top.iter().any(|(name, _)| {
        top.key(name)
            .and_then(|k| k.span())
            .is_some_and(|s| s.contains(&offset))
    }) {
        return None;
    }
    let mut best: Option<(usize, String)> = None;
    for (name, item) in top.iter() {
        let Some(span) = item.span() else { continue };
        if span.contains(&offset) && !item.is_table() {
            return Some(name.to_string()); // an inline table or value
        }
        if item.is_table()
            && span.start <= offset
            && best.as_ref().is_none_or(|(s, _)| span.start > *s)
        {
            best = Some((span.start, name.to_string()));
        }
    }
    best.map(|(_, n)| n)
}

/// The key written at the start of the line containing `offset` (for messages).
fn key_name_at(text: &str, offset: usize) -> String {
    let start = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    text[start..]
        .split(['=', '\n'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"')
        .to_string()
}

/// Value checks that need no other value: formats, ranges, duplicates within a list.
fn validate(src: &SpecSource) -> Result<(), Box<Diagnostic>> {
    let s = &src.spec;
    let p = &s.project;

    check(
        src,
        &p.name,
        is_project_name,
        "invalid project name",
        "use lowercase letters, digits, '-' and '_', starting with a letter, like \"my-app\"",
    )?;
    if let Some(app) = &p.app {
        check(
            src,
            app,
            is_otp_app,
            "invalid OTP app name",
            "use lowercase letters, digits and '_', starting with a letter, like \"my_app\"",
        )?;
    }
    if let Some(module) = &p.module {
        check(
            src,
            module,
            is_module_name,
            "invalid Elixir module name",
            "use CamelCase segments joined by dots, like \"MyApp\" or \"Acme.Shop\"",
        )?;
    }
    if let Some(host) = &p.host {
        check(
            src,
            host,
            is_host_name,
            "invalid host name",
            "use lowercase DNS labels (letters, digits, '-') joined by dots, like \"my-app.test\"",
        )?;
    }
    if let Some(ip) = &p.ip {
        parse_loopback_ip(ip.get_ref()).map_err(|why| {
            src.error(ip.span(), format!("invalid ip {:?}: {why}", ip.get_ref()))
                .with_label("not a usable loopback address")
                .with_help("pick an address in 127.0.0.0/8, like \"127.0.0.10\" (devgen's convention: .10, .20, .30 …)")
        })?;
    }

    let t = &s.toolchain;
    if let Some(v) = &t.elixir {
        check_version(src, v, true, "elixir", "\"1.18\"")?;
    }
    for (name, v) in [
        ("erlang", &t.erlang),
        ("node", &t.node),
        ("postgres", &t.postgres),
    ] {
        if let Some(v) = v {
            check_version(src, v, false, name, "\"27\"")?;
        }
    }

    if p.mode
        .as_ref()
        .is_some_and(|m| *m.get_ref() == Mode::Shared)
    {
        let shared_help = "in shared mode the project uses the machine's shared PostgreSQL, whose address \
             `devgen registry` keeps (127.0.0.2:5432 by default); remove the key, or set mode = \"isolated\"";
        if let Some(port) = &s.postgres.port {
            return Err(Box::new(
                src.error(port.span(), "[postgres] port has no meaning in shared mode")
                    .with_label("the shared server's port is the registry's")
                    .with_help(shared_help),
            ));
        }
        if let Some(alerts) = s.postgres.log_alerts.as_ref().filter(|a| *a.get_ref()) {
            return Err(Box::new(
                src.error(
                    alerts.span(),
                    "log alerts need a PostgreSQL of the project's own",
                )
                .with_label("the shared server logs elsewhere")
                .with_help(shared_help),
            ));
        }
    }

    if let Some(dbs) = &s.postgres.databases {
        if dbs.get_ref().is_empty() {
            return Err(Box::new(src.error(dbs.span(), "databases is empty")
                .with_help("list at least one database, or remove the key for the default [\"<app>_dev\", \"<app>_test\"]")));
        }
        let mut seen: Vec<&Spanned<String>> = Vec::new();
        for db in dbs.get_ref() {
            check(src, db, is_database_name, "invalid database name",
                "use letters, digits, '_' and '-', starting with a letter or '_', at most 63 characters")?;
            if let Some(first) = seen.iter().find(|d| d.get_ref() == db.get_ref()) {
                let (line, col) = crate::diagnostic::line_col(&src.text, first.span().start);
                return Err(Box::new(
                    src.error(
                        db.span(),
                        format!("database {:?} is listed twice", db.get_ref()),
                    )
                    .with_label("duplicate")
                    .with_help(format!(
                        "remove one of them; the first is at {}:{line}:{col}",
                        src.file
                    )),
                ));
            }
            seen.push(db);
        }
    }

    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for pkg in &s.packages.extra {
        check(
            src,
            pkg,
            is_nix_attr_path,
            "invalid nixpkgs attribute name",
            "use a nixpkgs attribute path like \"flyctl\" or \"nodePackages.pnpm\"",
        )?;
        if seen.iter().any(|p| p.get_ref() == pkg.get_ref()) {
            return Err(Box::new(
                src.error(
                    pkg.span(),
                    format!("package {:?} is listed twice", pkg.get_ref()),
                )
                .with_label("duplicate")
                .with_help("remove one of them"),
            ));
        }
        seen.push(pkg);
    }

    for (key, value) in &s.env {
        check(
            src,
            key,
            is_env_name,
            "invalid environment variable name",
            "use letters, digits and '_', not starting with a digit, like ERL_AFLAGS",
        )?;
        if value.get_ref().contains('\0') {
            return Err(Box::new(
                src.error(value.span(), "environment value contains a NUL character")
                    .with_help("remove the \\u0000 escape"),
            ));
        }
    }
    Ok(())
}

fn check(
    src: &SpecSource,
    value: &Spanned<String>,
    ok: fn(&str) -> bool,
    message: &str,
    help: &str,
) -> Result<(), Box<Diagnostic>> {
    if ok(value.get_ref()) {
        Ok(())
    } else {
        Err(Box::new(
            src.error(value.span(), format!("{message}: {:?}", value.get_ref()))
                .with_help(help),
        ))
    }
}

fn check_version(
    src: &SpecSource,
    v: &Spanned<Version>,
    major_minor: bool,
    what: &str,
    example: &str,
) -> Result<(), Box<Diagnostic>> {
    let text = &v.get_ref().0;
    let ok = if major_minor {
        matches!(text.split_once('.'), Some((a, b)) if is_number(a) && is_number(b))
    } else {
        is_number(text)
    };
    if ok {
        return Ok(());
    }
    let shape = if major_minor {
        "major.minor"
    } else {
        "a major version"
    };
    Err(Box::new(
        src.error(v.span(), format!("invalid {what} version {text:?}"))
            .with_label(format!("expected {shape}"))
            .with_help(format!(
                "write {shape}, like {example}; devgen maps it to the nixpkgs attribute"
            )),
    ))
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Parse an IPv4 address and require it to be a usable host address on loopback.
pub fn parse_loopback_ip(text: &str) -> Result<Ipv4Addr, String> {
    let ip: Ipv4Addr = text
        .parse()
        .map_err(|_| "not an IPv4 address".to_string())?;
    if ip.octets()[0] != 127 {
        return Err("outside the loopback range 127.0.0.0/8".to_string());
    }
    if ip == Ipv4Addr::new(127, 0, 0, 0) || ip == Ipv4Addr::new(127, 255, 255, 255) {
        return Err("the network or broadcast address of 127.0.0.0/8".to_string());
    }
    Ok(ip)
}

pub fn is_project_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

pub fn is_otp_app(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

pub fn is_module_name(s: &str) -> bool {
    s.len() <= 128
        && s.split('.').all(|seg| {
            let mut b = seg.bytes();
            b.next().is_some_and(|c| c.is_ascii_uppercase())
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

pub fn is_host_name(s: &str) -> bool {
    // Room for the "postgres." prefix devgen derives from it.
    s.len() <= 253 - "postgres.".len()
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
        })
}

fn is_database_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 63
        && b.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

const NIX_KEYWORDS: &[&str] = &[
    "assert", "else", "if", "in", "inherit", "let", "or", "rec", "then", "with",
];

/// A Nix identifier that needs no quoting.
pub fn is_nix_ident(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'\'' | b'-'))
        && !NIX_KEYWORDS.contains(&s)
}

fn is_nix_attr_path(s: &str) -> bool {
    s.split('.').all(is_nix_ident)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_project_name("liberties-www"));
        assert!(!is_project_name("Liberties"));
        assert!(!is_project_name("9lives"));
        assert!(is_module_name("Acme.Shop"));
        assert!(!is_module_name("acme"));
        assert!(is_host_name("theliberties.test"));
        assert!(!is_host_name("the liberties.test"));
        assert!(!is_host_name("a..test"));
        assert!(is_nix_attr_path("nodePackages.pnpm"));
        assert!(!is_nix_attr_path("with"));
        assert!(!is_nix_attr_path("foo;bar"));
    }

    #[test]
    fn loopback_only() {
        assert!(parse_loopback_ip("127.0.0.10").is_ok());
        assert!(parse_loopback_ip("10.0.0.1").is_err());
        assert!(parse_loopback_ip("127.0.0.256").is_err());
        assert!(parse_loopback_ip("127.0.0.0").is_err());
    }
}
