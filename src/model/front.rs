//! The front of the project (`[frontend]`, `[proxy]`): a JavaScript dev server beside
//! Phoenix, and Caddy serving both on one HTTPS origin, each on the project IP.

use serde::Serialize;

use super::given::given;
use crate::spec::rules::{hmr_name, PHOENIX_PATHS};
use crate::spec::{PackageManager, SpecSource, Upstream, UpstreamName};

pub const DEFAULT_FRONTEND_PORT: u16 = 3000;
pub const DEFAULT_PROXY_PORT: u16 = 8000;
/// Caddy's own default admin port.
pub const DEFAULT_PROXY_ADMIN_PORT: u16 = 2019;

#[derive(Debug, Clone, Serialize)]
pub struct Frontend {
    pub dir: String,
    pub package_manager: &'static str,
    pub dev: String,
    pub port: u16,
    pub hmr: Vec<Hmr>,
    pub build: String,
    pub output: String,
}

/// One hot-module-replacement websocket of the frontend's dev server.
#[derive(Debug, Clone, Serialize)]
pub struct Hmr {
    pub path: String,
    pub port: u16,
    /// `CLIENT` of `/_build/_hmr/client`: its variable is `FRONTEND_HMR_CLIENT_PORT`.
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Proxy {
    pub port: u16,
    /// Every route but the last resort, Phoenix's first, then the HMR paths, then the spec's.
    pub routes: Vec<Route>,
    /// Where everything else goes: the frontend, or Phoenix without one.
    pub fallback: u16,
    /// That port's name.
    pub fallback_via: String,
    pub headers: Vec<(String, String)>,
    /// Where Caddy keeps its state (its local CA and certificates), relative to the project
    /// root: the project's own, so two projects' proxies share nothing.
    pub state_dir: String,
    /// Caddy's admin endpoint, on the project IP: a port of the project's like the others,
    /// so no two proxies share one.
    pub admin_port: u16,
}

/// A path Caddy sends to a port of the project IP.
#[derive(Debug, Clone, Serialize)]
pub struct Route {
    pub path: String,
    pub port: u16,
    /// The name of that port when it is one of the project's (`phoenix`, `frontend`,
    /// `frontend_hmr_client`), which a worktree in ports isolation moves.
    pub via: Option<String>,
}

/// `[frontend]`, with its defaults.
pub(super) fn frontend(src: &SpecSource) -> Option<Frontend> {
    let f = src.spec.frontend.as_ref()?;
    let pm = f
        .package_manager
        .as_ref()
        .map_or(PackageManager::Npm, |p| *p.get_ref())
        .name();
    Some(Frontend {
        dir: given(&f.dir).unwrap_or_else(|| "frontend".into()),
        package_manager: pm,
        dev: given(&f.dev).unwrap_or_else(|| format!("{pm} run dev")),
        port: f
            .port
            .as_ref()
            .map_or(DEFAULT_FRONTEND_PORT, |p| p.get_ref().0),
        hmr: f
            .hmr
            .iter()
            .map(|(path, port)| Hmr {
                name: hmr_name(path.get_ref()),
                path: path.get_ref().clone(),
                port: port.get_ref().0,
            })
            .collect(),
        build: given(&f.build).unwrap_or_else(|| format!("{pm} run build")),
        output: given(&f.output).unwrap_or_else(|| "dist".into()),
    })
}

/// `[proxy]`, its routes resolved to ports.
pub(super) fn proxy(src: &SpecSource, phoenix: u16, frontend: Option<&Frontend>) -> Option<Proxy> {
    let p = src.spec.proxy.as_ref()?;
    let mut routes: Vec<Route> = PHOENIX_PATHS
        .iter()
        .map(|path| Route {
            path: path.to_string(),
            port: phoenix,
            via: Some("phoenix".into()),
        })
        .collect();
    for hmr in frontend.iter().flat_map(|f| &f.hmr) {
        routes.push(Route {
            path: hmr.path.clone(),
            port: hmr.port,
            via: Some(format!("frontend_hmr_{}", hmr.name.to_ascii_lowercase())),
        });
    }
    let fallback = frontend.map_or(phoenix, |f| f.port);
    let fallback_via = if frontend.is_some() {
        "frontend"
    } else {
        "phoenix"
    };
    for (path, to) in &p.routes {
        let (port, via) = match to.get_ref() {
            Upstream::Named(UpstreamName::Phoenix) => (phoenix, Some("phoenix".to_string())),
            Upstream::Named(UpstreamName::Frontend) => (fallback, Some(fallback_via.to_string())),
            Upstream::Port(port) => (port.0, None),
        };
        // The spec's own route for a path wins over devgen's.
        routes.retain(|r| r.path != *path.get_ref());
        routes.push(Route {
            path: path.get_ref().clone(),
            port,
            via,
        });
    }
    Some(Proxy {
        port: p
            .port
            .as_ref()
            .map_or(DEFAULT_PROXY_PORT, |p| p.get_ref().0),
        routes,
        fallback,
        fallback_via: fallback_via.to_string(),
        headers: p
            .headers
            .iter()
            .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone()))
            .collect(),
        state_dir: ".devenv/state/caddy".to_string(),
        admin_port: DEFAULT_PROXY_ADMIN_PORT,
    })
}
