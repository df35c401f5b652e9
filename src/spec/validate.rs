//! Value checks that need no other value: formats, ranges, duplicates within a list. Each
//! section has a step of its own; the first failing check is reported, pointing at the value.

use serde_spanned::Spanned;

use super::rules::{
    cidr_prefix, compose_postgres_image, hmr_name, host_suffix_problem, is_aws_name,
    is_bucket_name, is_cidr, is_database_name, is_dev_credential, is_env_name, is_fly_app,
    is_header_name, is_host_dir, is_host_name, is_image_ref, is_major_minor, is_major_version,
    is_module_name, is_nix_attr_path, is_one_line_command, is_otp_app, is_project_name, is_region,
    is_relative_dir, is_route_path, is_unix_user, is_volume_name, parse_loopback_ip, HOST_SUFFIXES,
};
use super::rules::{PHOENIX_PATHS, RESERVED_USERS};
use super::sections::MountSpec;
use super::sections::{DeploySpec, TerraformSpec};
use super::{FrontendSpec, PackageManager, SpecSource, Version};
use crate::diagnostic::{line_col, Diagnostic};

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
    services(src)?;
    compose(src)?;
    frontend(src)?;
    proxy(src)?;
    container(src)?;
    deploy(src)
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

/// `[services]`: bucket names, and MinIO's dev credentials and region.
fn services(src: &SpecSource) -> Checked {
    let Some(minio) = &src.spec.services.minio else {
        return Ok(());
    };
    unique_names(
        src,
        &minio.buckets,
        "bucket",
        is_bucket_name,
        "use 3 to 63 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit, like \"uploads\"",
    )?;
    let credential_help = "use letters, digits and - . _ ~, which a URL takes as they are (MinIO's own default is \"minioadmin\")";
    if let Some(key) = &minio.access_key {
        check(
            src,
            key,
            |k| is_dev_credential(k) && k.len() >= 3,
            "invalid MinIO access key",
            credential_help,
        )?;
    }
    if let Some(key) = &minio.secret_key {
        check(
            src,
            key,
            |k| is_dev_credential(k) && k.len() >= 8,
            "invalid MinIO secret key (MinIO refuses one shorter than 8 characters)",
            credential_help,
        )?;
    }
    if let Some(region) = &minio.region {
        check(
            src,
            region,
            is_region,
            "invalid region",
            "use lowercase letters, digits and '-', like \"us-east-1\"",
        )?;
    }
    Ok(())
}

/// `[services] compose = true` needs something for compose.yaml to run, and an image that
/// has the spec's PostgreSQL extensions.
fn compose(src: &SpecSource) -> Checked {
    let s = &src.spec.services;
    let Some(on) = s.compose.as_ref().filter(|c| *c.get_ref()) else {
        return Ok(());
    };
    let runs_postgres = !src.is_shared_mode();
    let any = s.nats.is_some() || s.minio.is_some() || s.redis.is_some() || s.mailpit.is_some();
    if !runs_postgres && !any {
        return Err(Box::new(
            src.error(on.span(), "compose.yaml would run nothing")
                .with_label("in shared mode PostgreSQL (and PgWeb with it) is the machine's")
                .with_help("turn on a service under [services], or remove compose = true"),
        ));
    }
    let names: Vec<&str> = src
        .spec
        .postgres
        .extensions
        .iter()
        .map(|e| e.get_ref().as_str())
        .collect();
    if runs_postgres && compose_postgres_image(&names, "16").is_none() {
        let first = &src.spec.postgres.extensions[0];
        return Err(Box::new(
            src.error(first.span(), format!("no PostgreSQL image for compose has all of {names:?}"))
                .with_label("compose.yaml runs one PostgreSQL image")
                .with_help("compose has images with timescaledb, pgvector and postgis (together, or one of them); keep those, or remove compose = true"),
        ));
    }
    Ok(())
}

/// `[frontend]`: a directory inside the project, one-line commands, HMR paths Caddy can
/// match, and Node.js for a package manager that needs it.
fn frontend(src: &SpecSource) -> Checked {
    let Some(f) = &src.spec.frontend else {
        return Ok(());
    };
    let dir_help = "write a directory inside the project, relative to its root, like \"frontend\" or \"apps/web\"";
    for dir in [&f.dir, &f.output].into_iter().flatten() {
        check(src, dir, is_relative_dir, "invalid directory", dir_help)?;
    }
    for command in [&f.dev, &f.build].into_iter().flatten() {
        check(
            src,
            command,
            is_one_line_command,
            "invalid command",
            "write the command on one line, like \"bun run dev\"",
        )?;
    }
    let mut names: Vec<(String, &Spanned<String>)> = Vec::new();
    for path in f.hmr.keys() {
        check(src, path, is_route_path, "invalid HMR path", "write the path the websocket is served on, starting with '/', like \"/_build/_hmr/client\"")?;
        let name = hmr_name(path.get_ref());
        if let Some((_, first)) = names.iter().find(|(n, _)| *n == name) {
            let (line, col) = line_col(&src.text, first.span().start);
            return Err(Box::new(
                src.error(
                    path.span(),
                    format!(
                        "HMR paths {:?} and {:?} both end in {name:?}",
                        first.get_ref(),
                        path.get_ref()
                    ),
                )
                .with_label(
                    "its variable would be FRONTEND_HMR_".to_string()
                        + &name
                        + "_PORT, like the other's",
                )
                .with_help(format!(
                    "give the paths different last segments; the other is at {}:{line}:{col}",
                    src.file
                )),
            ));
        }
        names.push((name, path));
        let phoenix = PHOENIX_PATHS.contains(&path.get_ref().as_str());
        let routed = src
            .spec
            .proxy
            .iter()
            .any(|p| p.routes.keys().any(|r| r.get_ref() == path.get_ref()));
        if phoenix || routed {
            let whose = if phoenix {
                "one of Phoenix's paths"
            } else {
                "a route of [proxy]"
            };
            return Err(Box::new(
                src.error(
                    path.span(),
                    format!("HMR path {:?} is {whose}", path.get_ref()),
                )
                .with_label("Caddy would send it to one of the two only")
                .with_help(
                    "serve the HMR websocket on a path of its own, like \"/_build/_hmr/client\"",
                ),
            ));
        }
    }
    needs_node(src, f)
}

/// npm, pnpm and yarn run on Node.js, which only `[toolchain] node` puts in the dev shell.
fn needs_node(src: &SpecSource, f: &FrontendSpec) -> Checked {
    let pm = f.package_manager.as_ref();
    let bun = pm.is_some_and(|p| *p.get_ref() == PackageManager::Bun);
    if bun || src.spec.toolchain.node.is_some() {
        return Ok(());
    }
    let name = pm.map_or("npm", |p| p.get_ref().name());
    let span = pm
        .map(|p| p.span())
        .or_else(|| f.dir.as_ref().map(|d| d.span()));
    let span = span.unwrap_or_else(|| section_span(src, "frontend"));
    Err(Box::new(
        src.error(
            span,
            format!("the frontend's {name} needs Node.js, and [toolchain] has no node"),
        )
        .with_label(format!("{name} runs on Node.js"))
        .with_help(
            "add node = \"22\" under [toolchain], or package_manager = \"bun\" under [frontend]",
        ),
    ))
}

/// Where `[name]` is written (its header), for an error about the section as a whole.
fn section_span(src: &SpecSource, name: &str) -> std::ops::Range<usize> {
    let header = format!("[{name}]");
    src.text
        .find(&header)
        .map_or(0..0, |at| at..at + header.len())
}

/// `[proxy]`: route paths Caddy can match, header names and one-line values.
fn proxy(src: &SpecSource) -> Checked {
    let Some(p) = &src.spec.proxy else {
        return Ok(());
    };
    for path in p.routes.keys() {
        check(
            src,
            path,
            is_route_path,
            "invalid route path",
            "write a path matcher starting with '/', like \"/admin/*\"",
        )?;
    }
    for (name, value) in &p.headers {
        check(
            src,
            name,
            is_header_name,
            "invalid header name",
            "write an HTTP header name, like \"Strict-Transport-Security\"",
        )?;
        check(
            src,
            value,
            |v| !v.contains(['\n', '\r', '\0', '\\']),
            "invalid header value",
            "write the value on one line, without backslashes",
        )?;
    }
    Ok(())
}

/// `[container]`: a user and volume Docker takes, variable names, safe mounts, and a
/// builder image of the toolchain's versions.
fn container(src: &SpecSource) -> Checked {
    let Some(c) = &src.spec.container else {
        return Ok(());
    };
    if let Some(user) = &c.user {
        check(
            src,
            user,
            is_unix_user,
            "invalid user name",
            "use lowercase letters, digits, '_' and '-', starting with a letter, like \"app\"",
        )?;
        if RESERVED_USERS.contains(&user.get_ref().as_str()) {
            return Err(Box::new(
                src.error(
                    user.span(),
                    format!("user {:?} exists in the image already", user.get_ref()),
                )
                .with_label("the app needs an unprivileged user of its own")
                .with_help("name another, like \"app\""),
            ));
        }
    }
    if let Some(volume) = &c.volume {
        check(src, volume, is_volume_name, "invalid volume name", "use letters, digits, '_', '.' and '-', starting with a letter or digit, like \"pgdata\"")?;
    }
    unique_names(
        src,
        &c.env,
        "environment variable",
        is_env_name,
        "use letters, digits and '_', not starting with a digit, like SECRET_KEY_BASE",
    )?;
    for m in &c.mounts {
        mount(src, m)?;
    }
    for image in [&c.builder_image, &c.runtime_image].into_iter().flatten() {
        check(
            src,
            image,
            is_image_ref,
            "invalid image",
            "write an image reference, like \"debian:bookworm-20241016-slim\"",
        )?;
    }
    if let Some(builder) = &c.builder_image {
        builder_matches_toolchain(src, builder)?;
    }
    Ok(())
}

/// A mount of specific host directories; never the whole home, and `~/.ssh` read-only.
fn mount(src: &SpecSource, m: &MountSpec) -> Checked {
    check(
        src,
        &m.host,
        is_host_dir,
        "invalid host directory",
        "write an absolute path or one under ~/, like \"~/projects\"",
    )?;
    check(
        src,
        &m.path,
        |p| p.starts_with('/') && is_host_dir(p),
        "invalid container path",
        "write an absolute path in the container, like \"/projects\"",
    )?;
    let host = m.host.get_ref().trim_end_matches('/');
    if host == "~" || host == "/" || host == "/home" || host == "/root" {
        return Err(Box::new(
            src.error(m.host.span(), format!("mounting {:?} gives the container all of it", m.host.get_ref()))
                .with_label("too much of the host")
                .with_help("mount the specific directories the app needs, like \"~/projects\" (seed 001's advice)"),
        ));
    }
    let mode = m.mode.as_ref();
    if let Some(mode) = mode.filter(|m| !matches!(m.get_ref().as_str(), "ro" | "rw")) {
        return Err(Box::new(
            src.error(
                mode.span(),
                format!("invalid mount mode {:?}", mode.get_ref()),
            )
            .with_help("write \"ro\" (read-only, the default) or \"rw\""),
        ));
    }
    let ssh = host.ends_with("/.ssh") || host == "~/.ssh";
    if let Some(mode) = mode.filter(|m| ssh && m.get_ref() == "rw") {
        return Err(Box::new(
            src.error(mode.span(), "~/.ssh mounted read-write")
                .with_label("the container could change your keys")
                .with_help("mount ~/.ssh read-only: mode = \"ro\" (or leave mode out)"),
        ));
    }
    Ok(())
}

/// hexpm's tags name Elixir's and Erlang's versions: they must be the dev shell's.
fn builder_matches_toolchain(src: &SpecSource, builder: &Spanned<String>) -> Checked {
    let image = builder.get_ref();
    let Some(tag) = image.strip_prefix("hexpm/elixir:") else {
        return Ok(());
    };
    let t = &src.spec.toolchain;
    let elixir = t
        .elixir
        .as_ref()
        .map_or("1.18".to_string(), |v| v.get_ref().0.clone());
    let elixir_ok =
        tag.starts_with(&format!("{elixir}.")) || tag.starts_with(&format!("{elixir}-"));
    let erlang_ok = t.erlang.as_ref().is_none_or(|v| {
        let otp = &v.get_ref().0;
        tag.contains(&format!("-erlang-{otp}.")) || tag.contains(&format!("-erlang-{otp}-"))
    });
    if elixir_ok && erlang_ok {
        return Ok(());
    }
    let erlang = t
        .erlang
        .as_ref()
        .map_or(String::new(), |v| format!(", Erlang {}", v.get_ref().0));
    Err(Box::new(
        src.error(
            builder.span(),
            format!("builder image {image:?} is not the dev shell's Elixir {elixir}{erlang}"),
        )
        .with_label("other versions than [toolchain]")
        .with_help(format!(
            "pick a hexpm/elixir tag of Elixir {elixir}.x{}, or change [toolchain]",
            t.erlang
                .as_ref()
                .map_or(String::new(), |v| format!(" on Erlang {}.x", v.get_ref().0))
        )),
    ))
}

/// `[deploy]`: a host name, SSH open to named networks only, Fly names and directories.
fn deploy(src: &SpecSource) -> Checked {
    let Some(d) = &src.spec.deploy else {
        return Ok(());
    };
    check(
        src,
        &d.host,
        |h| is_host_name(h) && h.parse::<std::net::Ipv4Addr>().is_err(),
        "invalid host name",
        "write the production host's name (not an address: its certificate is for a name), like \"example.com\"",
    )?;
    if let Some(n) = &d.nixos {
        if let Some(name) = &n.name {
            check(
                src,
                name,
                is_fly_app,
                "invalid NixOS host name",
                "use lowercase letters, digits and '-', like \"web\"",
            )?;
        }
        if let Some(proxy) = &n.proxy {
            check(
                src,
                proxy,
                |p| p == "nginx" || p == "caddy",
                "invalid proxy",
                "write \"nginx\" or \"caddy\"",
            )?;
        }
    }
    if let Some(t) = &d.terraform {
        for (v, what) in [
            (&t.region, "region"),
            (&t.instance_type, "instance type"),
            (&t.key_name, "key pair name"),
        ] {
            if let Some(v) = v {
                check(
                    src,
                    v,
                    is_aws_name,
                    &format!("invalid {what}"),
                    "use letters, digits, '.', '_' and '-', like \"us-east-1\" or \"t3.small\"",
                )?;
            }
        }
        ssh_cidrs(src, t)?;
    }
    fly_apps(src, d)?;
    for f in &d.fly {
        check(
            src,
            &f.app,
            is_fly_app,
            "invalid Fly app name",
            "use lowercase letters, digits and '-', like \"haven-web\"",
        )?;
        if let Some(dir) = &f.dir {
            check(
                src,
                dir,
                |d| d == "." || is_relative_dir(d),
                "invalid directory",
                "write a directory inside the project, like \".\" or \"apps/web\"",
            )?;
        }
        if let Some(r) = &f.region {
            check(
                src,
                r,
                is_aws_name,
                "invalid Fly region",
                "write a Fly region code, like \"ord\"",
            )?;
        }
        if let Some(c) = &f.release_command {
            check(
                src,
                c,
                is_one_line_command,
                "invalid release command",
                "write the command on one line, like \"/app/bin/migrate\"",
            )?;
        }
        if let Some(v) = &f.vm_size {
            check(
                src,
                v,
                is_aws_name,
                "invalid VM size",
                "write a Fly VM size, like \"shared-cpu-1x\"",
            )?;
        }
    }
    if let Some(c) = &d.compose {
        check(
            src,
            &c.image,
            is_image_ref,
            "invalid image",
            "write an image reference, like \"ghcr.io/acme/web:latest\"",
        )?;
    }
    Ok(())
}

/// Each Fly app once, each in a directory of its own (one fly.toml a directory), built
/// from the container's Dockerfile.
fn fly_apps(src: &SpecSource, d: &DeploySpec) -> Checked {
    let apps: Vec<Spanned<String>> = d.fly.iter().map(|f| f.app.clone()).collect();
    unique_names(
        src,
        &apps,
        "Fly app",
        is_fly_app,
        "use lowercase letters, digits and '-', like \"haven-web\"",
    )?;
    let dirs: Vec<Spanned<String>> = d.fly.iter().filter_map(|f| f.dir.clone()).collect();
    let defaults = d.fly.iter().filter(|f| f.dir.is_none()).count();
    if defaults > 1 || (defaults == 1 && dirs.iter().any(|x| x.get_ref() == ".")) {
        let at = d
            .fly
            .iter()
            .filter(|f| f.dir.is_none())
            .nth(usize::from(defaults > 1))
            .map_or(0..0, |f| f.app.span());
        return Err(Box::new(
            src.error(
                at,
                "two Fly apps in the project root: one fly.toml would hold both",
            )
            .with_help("give each app its own `dir`, like dir = \"apps/api\""),
        ));
    }
    unique_names(
        src,
        &dirs,
        "Fly app directory",
        |d| d == "." || is_relative_dir(d),
        "give each app its own `dir`, like dir = \"apps/api\"",
    )?;
    if let Some(first) = d.fly.first().filter(|_| src.spec.container.is_none()) {
        return Err(Box::new(
            src.error(first.app.span(), "a Fly app needs an image, and [container] writes none")
                .with_label("fly deploy builds the Dockerfile")
                .with_help("add [container] (with postgres = false: Fly runs PostgreSQL apart), which writes the Dockerfile and the release files"),
        ));
    }
    Ok(())
}

/// SSH open to named networks: at least one, and never the whole internet.
fn ssh_cidrs(src: &SpecSource, t: &TerraformSpec) -> Checked {
    let help = "list the networks you deploy from, like ssh_cidrs = [\"203.0.113.0/24\"]";
    if t.ssh_cidrs.is_empty() {
        return Err(Box::new(
            src.error(
                section_span(src, "deploy.terraform"),
                "[deploy.terraform] names no network SSH is open to",
            )
            .with_help(help),
        ));
    }
    let canonical = "write a network as AWS takes it: its first address and prefix length, like \"203.0.113.0/24\" or \"198.51.100.7/32\"";
    unique_names(src, &t.ssh_cidrs, "network", is_cidr, canonical)?;
    for cidr in &t.ssh_cidrs {
        // A /7 or wider is a large part of the internet, not the networks you deploy from.
        if cidr_prefix(cidr.get_ref()).is_some_and(|len| len < 8) {
            return Err(Box::new(
                src.error(
                    cidr.span(),
                    format!("{:?} opens SSH to much of the internet", cidr.get_ref()),
                )
                .with_label("everyone, or nearly")
                .with_help(help),
            ));
        }
    }
    Ok(())
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
