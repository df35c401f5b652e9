//! Value checks that need no other value: formats, ranges, duplicates within a list. Each
//! section has a step of its own; the first failing check is reported, pointing at the value.

use serde_spanned::Spanned;

use super::rules::{
    host_suffix_problem, is_database_name, is_env_name, is_host_name, is_major_minor,
    is_major_version, is_module_name, is_nix_attr_path, is_otp_app, is_project_name,
    parse_loopback_ip, HOST_SUFFIXES,
};
use super::{SpecSource, Version};
use crate::diagnostic::{line_col, Diagnostic};

mod container;
mod deploy;
mod front;
mod services;

type Checked = Result<(), Box<Diagnostic>>;

/// Every check, section by section.
pub(super) fn validate(src: &SpecSource) -> Checked {
    project(src)?;
    toolchain(src)?;
    shared_mode(src)?;
    databases(src)?;
    packages(src)?;
    extensions(src)?;
    env(src)?;
    services::services(src)?;
    services::compose(src)?;
    front::frontend(src)?;
    front::proxy(src)?;
    container::container(src)?;
    deploy::deploy(src)
}

fn project(src: &SpecSource) -> Checked {
    let p = &src.spec.project;
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
        if let Some(why) = host_suffix_problem(host.get_ref()) {
            let suffixes: Vec<String> = HOST_SUFFIXES.iter().map(|s| format!(".{s}")).collect();
            return Err(Box::new(
                src.error(
                    host.span(),
                    format!("host {:?} cannot be a project's: {why}", host.get_ref()),
                )
                .with_label("not under a suffix reserved for local use")
                .with_help(format!(
                    "use a name under one of {}, like \"{}.test\"",
                    suffixes.join(", "),
                    p.name.get_ref()
                )),
            ));
        }
    }
    let ports = p
        .isolation
        .as_ref()
        .is_some_and(|i| *i.get_ref() == super::Isolation::Ports);
    if let Some(ip) =
        p.ip.as_ref()
            .filter(|ip| ports && ip.get_ref() != "127.0.0.1")
    {
        return Err(Box::new(
            src.error(ip.span(), format!("ip {:?} with isolation = \"ports\"", ip.get_ref()))
                .with_label("ports isolation puts every checkout on 127.0.0.1")
                .with_help("remove the `ip` line (or write ip = \"127.0.0.1\"), or set isolation = \"ip\" for an address of the project's own"),
        ));
    }
    if let Some(ip) = &p.ip {
        parse_loopback_ip(ip.get_ref()).map_err(|why| {
            src.error(ip.span(), format!("invalid ip {:?}: {why}", ip.get_ref()))
                .with_label("not a usable loopback address")
                .with_help("pick an address in 127.0.0.0/8, like \"127.0.0.10\" (devgen's convention: .10, .20, .30 …)")
        })?;
    }
    Ok(())
}

fn toolchain(src: &SpecSource) -> Checked {
    let t = &src.spec.toolchain;
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
    Ok(())
}

/// Keys that only a PostgreSQL of the project's own gives a meaning to.
fn shared_mode(src: &SpecSource) -> Checked {
    if !src.is_shared_mode() {
        return Ok(());
    }
    let pg = &src.spec.postgres;
    let shared_help = "in shared mode the project uses the machine's shared PostgreSQL, whose address \
         `devgen registry` keeps (127.0.0.2:5432 by default); remove the key, or set mode = \"isolated\"";
    if let Some(port) = &pg.port {
        return Err(Box::new(
            src.error(port.span(), "[postgres] port has no meaning in shared mode")
                .with_label("the shared server's port is the registry's")
                .with_help(shared_help),
        ));
    }
    if let Some(alerts) = pg.log_alerts.as_ref().filter(|a| *a.get_ref()) {
        return Err(Box::new(
            src.error(
                alerts.span(),
                "log alerts need a PostgreSQL of the project's own",
            )
            .with_label("the shared server logs elsewhere")
            .with_help(shared_help),
        ));
    }
    if let Some(logical) = pg.logical_replication.as_ref().filter(|l| *l.get_ref()) {
        return Err(Box::new(
            src.error(
                logical.span(),
                "logical replication needs a PostgreSQL of the project's own",
            )
            .with_label("the shared server's settings are every project's")
            .with_help(shared_help),
        ));
    }
    if let Some(ext) = pg.extensions.first() {
        return Err(Box::new(
            src.error(
                ext.span(),
                "extensions need a PostgreSQL of the project's own",
            )
            .with_label("the shared server is built with its own extensions")
            .with_help(shared_help),
        ));
    }
    Ok(())
}

fn databases(src: &SpecSource) -> Checked {
    let Some(dbs) = &src.spec.postgres.databases else {
        return Ok(());
    };
    if dbs.get_ref().is_empty() {
        return Err(Box::new(src.error(dbs.span(), "databases is empty")
            .with_help("list at least one database, or remove the key for the default [\"<app>_dev\", \"<app>_test\"]")));
    }
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for db in dbs.get_ref() {
        check(
            src,
            db,
            is_database_name,
            "invalid database name",
            "use letters, digits, '_' and '-', starting with a letter or '_', at most 63 characters",
        )?;
        if let Some(first) = seen.iter().find(|d| d.get_ref() == db.get_ref()) {
            let (line, col) = line_col(&src.text, first.span().start);
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
    Ok(())
}

fn packages(src: &SpecSource) -> Checked {
    let mut seen: Vec<&Spanned<String>> = Vec::new();
    for pkg in &src.spec.packages.extra {
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
    Ok(())
}

fn extensions(src: &SpecSource) -> Checked {
    unique_names(
        src,
        &src.spec.postgres.extensions,
        "extension",
        |s| nix_edit::is_ident(s) && !s.contains('\''),
        "use the extension's nixpkgs name under postgresql.pkgs, like \"pgvector\" or \"timescaledb\"",
    )
}

/// Where `[name]` is written (its header), for an error about the section as a whole.
fn section_span(src: &SpecSource, name: &str) -> std::ops::Range<usize> {
    let header = format!("[{name}]");
    src.text
        .find(&header)
        .map_or(0..0, |at| at..at + header.len())
}

/// Every name of `names` passes `ok` and is there once.
fn unique_names(
    src: &SpecSource,
    names: &[Spanned<String>],
    what: &str,
    ok: fn(&str) -> bool,
    help: &str,
) -> Checked {
    for (i, name) in names.iter().enumerate() {
        check(src, name, ok, &format!("invalid {what} name"), help)?;
        if let Some(first) = names[..i].iter().find(|n| n.get_ref() == name.get_ref()) {
            let (line, col) = line_col(&src.text, first.span().start);
            return Err(Box::new(
                src.error(
                    name.span(),
                    format!("{what} {:?} is listed twice", name.get_ref()),
                )
                .with_label("duplicate")
                .with_help(format!(
                    "remove one of them; the first is at {}:{line}:{col}",
                    src.file
                )),
            ));
        }
    }
    Ok(())
}

fn env(src: &SpecSource) -> Checked {
    for (key, value) in &src.spec.env {
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

/// `value` passes `ok`, or an error at it with `message` and `help`.
fn check(
    src: &SpecSource,
    value: &Spanned<String>,
    ok: fn(&str) -> bool,
    message: &str,
    help: &str,
) -> Checked {
    if ok(value.get_ref()) {
        Ok(())
    } else {
        Err(Box::new(
            src.error(value.span(), format!("{message}: {:?}", value.get_ref()))
                .with_help(help),
        ))
    }
}

/// A version of the shape its key takes: `major.minor` for Elixir, a major version else.
fn check_version(
    src: &SpecSource,
    v: &Spanned<Version>,
    major_minor: bool,
    what: &str,
    example: &str,
) -> Checked {
    let text = &v.get_ref().0;
    let (ok, shape) = if major_minor {
        (is_major_minor(text), "major.minor")
    } else {
        (is_major_version(text), "a major version")
    };
    if ok {
        return Ok(());
    }
    Err(Box::new(
        src.error(v.span(), format!("invalid {what} version {text:?}"))
            .with_label(format!("expected {shape}"))
            .with_help(format!(
                "write {shape}, like {example}; devgen maps it to the nixpkgs attribute"
            )),
    ))
}
