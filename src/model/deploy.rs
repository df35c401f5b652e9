//! Production (`[deploy]`, seeds 002-004): the host name, and each way to deploy, with the
//! defaults `fly launch` and the seeds use.

use serde::Serialize;

use super::given::{given, strings};
use crate::spec::rules::{instance_architecture, nixos_system, DEFAULT_INSTANCE_TYPE};
use crate::spec::SpecSource;

#[derive(Debug, Clone, Serialize)]
pub struct Deploy {
    pub host: String,
    pub nixos: Option<Nixos>,
    pub terraform: Option<Terraform>,
    pub fly: Vec<Fly>,
    pub compose: Option<DeployCompose>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Nixos {
    pub name: String,
    /// `nginx` or `caddy`.
    pub proxy: String,
    /// The host's platform: `x86_64-linux` or `aarch64-linux`.
    pub system: String,
    /// The Mix dependencies' hash Nix reported, if taken back yet.
    pub mix_deps_hash: Option<String>,
    /// The frontend packages' hash Nix reported for each system, those taken back yet.
    pub frontend_deps_hash: Vec<(String, String)>,
    /// The NixOS release of the host's first install (`system.stateVersion`).
    pub state_version: String,
}

/// The NixOS release a host is taken to be first installed with unless the spec says. A host
/// keeps the one it was first installed with (stateful services' data formats follow it),
/// so this never changes from one devgen version to the next: hosts made with an earlier
/// devgen must not see their nix/host.nix change it.
pub const NIXOS_STATE_VERSION: &str = "26.05";

#[derive(Debug, Clone, Serialize)]
pub struct Terraform {
    pub region: String,
    pub instance_type: String,
    /// The AMI architecture the instance type runs: `arm64` for Graviton (`t4g.small`).
    pub architecture: &'static str,
    pub key_name: String,
    pub ssh_cidrs: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Fly {
    pub app: String,
    pub dir: String,
    /// The Dockerfile, relative to `dir`: the container's, at the project root.
    pub dockerfile: String,
    /// The host it serves: the deploy's for the one app of a project, `<app>.fly.dev`
    /// for each of several.
    pub phx_host: String,
    pub region: String,
    pub port: u16,
    pub release_command: String,
    pub vm_size: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeployCompose {
    pub image: String,
    pub port: u16,
}

/// The path of the root's Dockerfile from `dir`: `Dockerfile`, `../../Dockerfile`.
fn dockerfile_from(dir: &str) -> String {
    let depth = dir
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .count();
    format!("{}Dockerfile", "../".repeat(depth))
}

/// `[deploy]`, with its defaults.
pub(super) fn deploy(src: &SpecSource) -> Option<Deploy> {
    let d = src.spec.deploy.as_ref()?;
    let one_app = d.fly.len() == 1;
    let terraform = d.terraform.as_ref().map(|t| {
        let instance_type = given(&t.instance_type).unwrap_or_else(|| DEFAULT_INSTANCE_TYPE.into());
        Terraform {
            region: given(&t.region).unwrap_or_else(|| "us-east-1".into()),
            architecture: instance_architecture(&instance_type),
            instance_type,
            key_name: given(&t.key_name).unwrap_or_else(|| "deploy".into()),
            ssh_cidrs: strings(&t.ssh_cidrs),
        }
    });
    Some(Deploy {
        host: d.host.get_ref().clone(),
        nixos: d.nixos.as_ref().map(|n| {
            // The host is the instance Terraform makes, when it makes one.
            let system = nixos_system(terraform.as_ref().map(|t| t.architecture));
            Nixos {
                name: given(&n.name).unwrap_or_else(|| "web".into()),
                proxy: given(&n.proxy).unwrap_or_else(|| "nginx".into()),
                system: given(&n.system).unwrap_or_else(|| system.into()),
                mix_deps_hash: given(&n.mix_deps_hash),
                frontend_deps_hash: n
                    .frontend_deps_hash
                    .iter()
                    .map(|(system, hash)| (system.get_ref().clone(), hash.get_ref().clone()))
                    .collect(),
                state_version: given(&n.state_version)
                    .unwrap_or_else(|| NIXOS_STATE_VERSION.into()),
            }
        }),
        terraform,
        fly: d
            .fly
            .iter()
            .map(|f| {
                let dir = given(&f.dir).unwrap_or_else(|| ".".into());
                Fly {
                    app: f.app.get_ref().clone(),
                    dockerfile: dockerfile_from(&dir),
                    phx_host: if one_app {
                        d.host.get_ref().clone()
                    } else {
                        format!("{}.fly.dev", f.app.get_ref())
                    },
                    dir,
                    region: given(&f.region).unwrap_or_else(|| "ord".into()),
                    port: f.port.as_ref().map_or(8080, |p| p.get_ref().0),
                    release_command: given(&f.release_command)
                        .unwrap_or_else(|| "/app/bin/migrate".into()),
                    vm_size: given(&f.vm_size).unwrap_or_else(|| "shared-cpu-1x".into()),
                }
            })
            .collect(),
        compose: d.compose.as_ref().map(|c| DeployCompose {
            image: c.image.get_ref().clone(),
            port: c.port.as_ref().map_or(80, |p| p.get_ref().0),
        }),
    })
}
