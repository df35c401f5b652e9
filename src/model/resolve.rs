//! From a validated spec and the machine's facts to the model: one step a section.

use serde_spanned::Spanned;

use super::given::{given, strings};
use super::ports::check_ports;
use super::{container, deploy, front};
use super::{
    EnvVar, Facts, Model, Phoenix, Postgres, Project, Services, Toolchain, DEFAULT_ELIXIR,
    DEFAULT_LIVE_DEBUGGER_PORT, DEFAULT_PHOENIX_PORT, DEFAULT_POSTGRES, DEFAULT_POSTGRES_PORT,
    OVERRIDES,
};
use crate::diagnostic::Diagnostic;
use crate::spec::rules::parse_loopback_ip;
use crate::spec::{Isolation, LiveDebugger, SpecSource, Version};

/// Fill in defaults and derive names; reject values that clash with each other.
pub fn resolve(src: &SpecSource, facts: &Facts) -> Result<Model, Box<Diagnostic>> {
    let project = project(src, facts)?;
    let phoenix = phoenix(src);
    let postgres = postgres(src, &project, facts);
    let frontend = front::frontend(src);
    let s = &src.spec;
    let model = Model {
        project,
        toolchain: toolchain(src),
        phoenix,
        postgres,
        extra_packages: strings(&s.packages.extra),
        env: s
            .env
            .iter()
            .map(|(k, v)| EnvVar {
                name: k.get_ref().clone(),
                value: v.get_ref().clone(),
            })
            .collect(),
        pre_commit_hook: s.hooks.pre_commit.unwrap_or(false),
        overrides: OVERRIDES,
        services: Services::resolve(src),
        frontend: None,
        proxy: None,
        container: None,
        deploy: deploy::deploy(src),
    };
    let model = Model {
        container: container::container(
            src,
            &model.toolchain,
            &model.postgres,
            &model.project.name,
        ),
        proxy: front::proxy(src, model.phoenix.port, frontend.as_ref()),
        frontend,
        ..model
    };
    // A shared server is not on the project IP, so its port cannot clash with Phoenix's.
    check_ports(src, &model.ports())?;
    Ok(model)
}

/// Names and the address: app from the name, module from the app, host from the name.
fn project(src: &SpecSource, facts: &Facts) -> Result<Project, Box<Diagnostic>> {
    let p = &src.spec.project;
    let name = p.name.get_ref().clone();
    let app = given(&p.app).unwrap_or_else(|| name.replace('-', "_"));
    let module = given(&p.module).unwrap_or_else(|| camel_case(&app));
    let host = given(&p.host).unwrap_or_else(|| default_host(&name));
    let ports_isolation = p
        .isolation
        .as_ref()
        .is_some_and(|i| *i.get_ref() == Isolation::Ports);
    let ip = match &p.ip {
        // Already validated by the spec stage.
        Some(ip) => {
            parse_loopback_ip(ip.get_ref()).map_err(|e| Box::new(src.error(ip.span(), e)))?
        }
        // Every checkout shares the machine's own address, on ports of its own.
        None if ports_isolation => std::net::Ipv4Addr::LOCALHOST,
        None => facts.fallback_ip,
    };
    Ok(Project {
        postgres_host: format!("postgres.{host}"),
        tmux_session: name.clone(),
        name,
        app,
        module,
        host,
        ip,
        ports_isolation,
    })
}

fn toolchain(src: &SpecSource) -> Toolchain {
    let t = &src.spec.toolchain;
    let version = |v: &Option<Spanned<Version>>| v.as_ref().map(|v| v.get_ref().0.clone());
    Toolchain {
        elixir: version(&t.elixir).unwrap_or_else(|| DEFAULT_ELIXIR.to_string()),
        erlang: version(&t.erlang),
        node: version(&t.node),
        postgres: version(&t.postgres).unwrap_or_else(|| DEFAULT_POSTGRES.to_string()),
    }
}

fn phoenix(src: &SpecSource) -> Phoenix {
    let ph = &src.spec.phoenix;
    Phoenix {
        port: ph
            .port
            .as_ref()
            .map(|p| p.get_ref().0)
            .unwrap_or(DEFAULT_PHOENIX_PORT),
        live_debugger: match ph.live_debugger.as_ref().map(|l| *l.get_ref()) {
            None => Some(DEFAULT_LIVE_DEBUGGER_PORT),
            Some(LiveDebugger::Off) => None,
            Some(LiveDebugger::Port(p)) => Some(p.0),
        },
        auto_restart: ph.auto_restart.unwrap_or(true),
    }
}

/// The project's own server on its IP, or the machine's shared one; databases default to
/// `<app>_dev` and `<app>_test`.
fn postgres(src: &SpecSource, project: &Project, facts: &Facts) -> Postgres {
    let pg = &src.spec.postgres;
    let shared = src.is_shared_mode();
    let (ip, port) = if shared {
        (*facts.shared_postgres.ip(), facts.shared_postgres.port())
    } else {
        let port = pg.port.as_ref().map(|p| p.get_ref().0);
        (project.ip, port.unwrap_or(DEFAULT_POSTGRES_PORT))
    };
    let app = &project.app;
    let databases: Vec<String> = match &pg.databases {
        Some(dbs) => strings(dbs.get_ref()),
        None => vec![format!("{app}_dev"), format!("{app}_test")],
    };
    let log_directory = "log".to_string();
    let log_filename = "postgresql.log".to_string();
    Postgres {
        shared,
        ip,
        port,
        dev_database: databases[0].clone(),
        test_database: databases
            .get(1)
            .cloned()
            .unwrap_or_else(|| format!("{app}_test")),
        databases,
        log_alerts: !shared && pg.log_alerts.as_ref().is_none_or(|a| *a.get_ref()),
        log_path: format!(".devenv/state/postgres/{log_directory}/{log_filename}"),
        log_directory,
        log_filename,
        extensions: strings(&pg.extensions),
        logical_replication: pg
            .logical_replication
            .as_ref()
            .is_some_and(|l| *l.get_ref()),
    }
}

/// The host a project without `host` gets: its name under `.test`, `_` made `-` (a DNS label
/// has no `_`: `my_app` → `my-app.test`).
pub fn default_host(name: &str) -> String {
    format!("{}.test", name.replace('_', "-"))
}

/// `my_app` → `MyApp`, the way `mix new` derives the module from the app.
pub fn camel_case(app: &str) -> String {
    app.split('_')
        .filter(|s| !s.is_empty())
        .map(|seg| {
            let mut c = seg.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_default_host_is_a_dns_name() {
        assert_eq!(default_host("shop"), "shop.test");
        assert_eq!(default_host("my_app"), "my-app.test");
    }

    #[test]
    fn camel_case_follows_mix() {
        assert_eq!(camel_case("liberties"), "Liberties");
        assert_eq!(camel_case("my_app"), "MyApp");
        assert_eq!(camel_case("app2_web"), "App2Web");
    }
}
