//! The backing services beside PostgreSQL (`[services]`): each on the project IP at the
//! ports the spec gives, or each service's own well-known ones.

use serde::Serialize;
use serde_spanned::Spanned;

use super::given::{given, strings};
use crate::spec::{Port, SpecSource};

#[derive(Debug, Clone, Default, Serialize)]
pub struct Services {
    /// Also write compose.yaml.
    pub compose: bool,
    pub nats: Option<Nats>,
    pub minio: Option<Minio>,
    pub redis: Option<Redis>,
    pub mailpit: Option<Mailpit>,
    pub pgweb: Option<Pgweb>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nats {
    pub port: u16,
    pub monitor_port: u16,
    pub jetstream: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Minio {
    pub port: u16,
    pub console_port: u16,
    pub buckets: Vec<String>,
    pub access_key: String,
    pub secret_key: String,
    pub region: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Redis {
    pub port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Mailpit {
    pub smtp_port: u16,
    pub ui_port: u16,
}

#[derive(Debug, Clone, Serialize)]
pub struct Pgweb {
    pub port: u16,
}

/// MinIO's own default credentials and region, which its clients' docs assume.
const MINIO_DEFAULT_KEY: &str = "minioadmin";
const MINIO_DEFAULT_REGION: &str = "us-east-1";

impl Services {
    /// The services `[services]` turns on, with every default filled in.
    pub(super) fn resolve(src: &SpecSource) -> Services {
        let s = &src.spec.services;
        Services {
            compose: s.compose.as_ref().is_some_and(|c| *c.get_ref()),
            nats: s.nats.as_ref().map(|n| Nats {
                port: port(&n.port, 4222),
                monitor_port: port(&n.monitor_port, 8222),
                jetstream: n.jetstream.unwrap_or(true),
            }),
            minio: s.minio.as_ref().map(|m| Minio {
                port: port(&m.port, 9000),
                console_port: port(&m.console_port, 9001),
                buckets: strings(&m.buckets),
                access_key: given(&m.access_key).unwrap_or_else(|| MINIO_DEFAULT_KEY.into()),
                secret_key: given(&m.secret_key).unwrap_or_else(|| MINIO_DEFAULT_KEY.into()),
                region: given(&m.region).unwrap_or_else(|| MINIO_DEFAULT_REGION.into()),
            }),
            redis: s.redis.as_ref().map(|r| Redis {
                port: port(&r.port, 6379),
            }),
            mailpit: s.mailpit.as_ref().map(|m| Mailpit {
                smtp_port: port(&m.smtp_port, 1025),
                ui_port: port(&m.ui_port, 8025),
            }),
            pgweb: s.pgweb.as_ref().map(|p| Pgweb {
                port: port(&p.port, 8081),
            }),
        }
    }

    /// Whether any service is on.
    pub fn any(&self) -> bool {
        self.nats.is_some()
            || self.minio.is_some()
            || self.redis.is_some()
            || self.mailpit.is_some()
            || self.pgweb.is_some()
    }

    /// Move the port `name` (a [`SERVICE_PORTS`] name) from `old` to `port`.
    pub(super) fn move_port(&mut self, name: &str, old: u16, port: u16) {
        let at = |p: &mut u16| {
            if *p == old {
                *p = port;
            }
        };
        match name {
            "nats" => self.nats.iter_mut().for_each(|n| at(&mut n.port)),
            "nats_monitor" => self.nats.iter_mut().for_each(|n| at(&mut n.monitor_port)),
            "minio" => self.minio.iter_mut().for_each(|m| at(&mut m.port)),
            "minio_console" => self.minio.iter_mut().for_each(|m| at(&mut m.console_port)),
            "redis" => self.redis.iter_mut().for_each(|r| at(&mut r.port)),
            "mailpit_smtp" => self.mailpit.iter_mut().for_each(|m| at(&mut m.smtp_port)),
            "mailpit_ui" => self.mailpit.iter_mut().for_each(|m| at(&mut m.ui_port)),
            "pgweb" => self.pgweb.iter_mut().for_each(|p| at(&mut p.port)),
            _ => {}
        }
    }

    /// The ports the services listen on at the project IP.
    pub fn ports(&self) -> Vec<ServicePort> {
        let mut ports = Vec::new();
        let mut add = |name: &str, port: u16| {
            let &(name, key, what) = SERVICE_PORTS
                .iter()
                .find(|(n, _, _)| *n == name)
                .expect("every service port is listed");
            ports.push(ServicePort {
                name,
                key,
                what,
                port,
            });
        };
        if let Some(n) = &self.nats {
            add("nats", n.port);
            add("nats_monitor", n.monitor_port);
        }
        if let Some(m) = &self.minio {
            add("minio", m.port);
            add("minio_console", m.console_port);
        }
        if let Some(r) = &self.redis {
            add("redis", r.port);
        }
        if let Some(m) = &self.mailpit {
            add("mailpit_smtp", m.smtp_port);
            add("mailpit_ui", m.ui_port);
        }
        if let Some(p) = &self.pgweb {
            add("pgweb", p.port);
        }
        ports
    }
}

/// A port a service listens on at the project IP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServicePort {
    /// Its name in the machine registry and in `doctor`'s check ids (`nats_monitor`).
    pub name: &'static str,
    /// The spec key that sets it (`services.nats.monitor_port`).
    pub key: &'static str,
    /// What listens there, for people (`NATS monitoring`).
    pub what: &'static str,
    pub port: u16,
}

/// Every service port: registry name, spec key, what listens.
pub const SERVICE_PORTS: &[(&str, &str, &str)] = &[
    ("nats", "services.nats.port", "NATS"),
    (
        "nats_monitor",
        "services.nats.monitor_port",
        "NATS monitoring",
    ),
    ("minio", "services.minio.port", "MinIO"),
    (
        "minio_console",
        "services.minio.console_port",
        "MinIO's console",
    ),
    ("redis", "services.redis.port", "Redis"),
    (
        "mailpit_smtp",
        "services.mailpit.smtp_port",
        "Mailpit's SMTP",
    ),
    ("mailpit_ui", "services.mailpit.ui_port", "Mailpit's inbox"),
    ("pgweb", "services.pgweb.port", "PgWeb"),
];

fn port(given: &Option<Spanned<Port>>, default: u16) -> u16 {
    given.as_ref().map_or(default, |p| p.get_ref().0)
}
