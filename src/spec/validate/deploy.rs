//! `[deploy]`: a production host name, SSH open to named networks only, Fly apps each
//! once in a directory of their own.

use serde_spanned::Spanned;

use super::{check, section_span, unique_names, Checked};
use crate::spec::rules::{
    cidr_prefix, instance_architecture, is_aws_name, is_cidr, is_fly_app, is_host_name,
    is_image_ref, is_nixos_release, is_one_line_command, is_relative_dir, is_sri_sha256,
    nixos_system, DEFAULT_INSTANCE_TYPE, NIXOS_SYSTEMS, NIX_SYSTEMS,
};
use crate::spec::sections::{DeploySpec, NixosSpec, TerraformSpec};
use crate::spec::SpecSource;

/// `[deploy]`: a host name, SSH open to named networks only, Fly names and directories.
pub(super) fn deploy(src: &SpecSource) -> Checked {
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
        nixos_release(src, d, n)?;
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

/// The NixOS host's platform (the instance's, when Terraform makes it) and the release's
/// dependency hashes, each as Nix prints one.
fn nixos_release(src: &SpecSource, d: &DeploySpec, n: &NixosSpec) -> Checked {
    if let Some(system) = &n.system {
        check(
            src,
            system,
            |s| NIXOS_SYSTEMS.contains(&s),
            "invalid NixOS system",
            "write \"x86_64-linux\" or \"aarch64-linux\"",
        )?;
        let instance = d.terraform.as_ref().map(|t| {
            t.instance_type
                .as_ref()
                .map_or(DEFAULT_INSTANCE_TYPE, |i| i.get_ref().as_str())
        });
        if let Some(instance) = instance {
            let arch = instance_architecture(instance);
            let wants = nixos_system(Some(arch));
            if system.get_ref() != wants {
                return Err(Box::new(
                    src.error(system.span(), format!("{:?} does not run on a {instance} instance", system.get_ref()))
                        .with_label(format!("[deploy.terraform] makes a {arch} host"))
                        .with_help(format!("write system = \"{wants}\", or leave `system` out to follow the instance type")),
                ));
            }
        }
    }
    let hashes = n.mix_deps_hash.iter().chain(n.frontend_deps_hash.values());
    for hash in hashes {
        check(
            src,
            hash,
            is_sri_sha256,
            "invalid hash",
            "paste the `got:` hash of Nix's message, like \"sha256-AAAA…=\", or run `devgen deps-hash` with the message",
        )?;
    }
    for system in n.frontend_deps_hash.keys() {
        check(
            src,
            system,
            |s| NIX_SYSTEMS.contains(&s),
            "not a system the frontend is built on",
            "name one of \"x86_64-linux\", \"aarch64-linux\", \"x86_64-darwin\", \"aarch64-darwin\"",
        )?;
        if src.spec.frontend.is_none() {
            return Err(Box::new(
                src.error(system.span(), "a frontend hash, but there is no [frontend]")
                    .with_help("remove frontend_deps_hash, or add [frontend]"),
            ));
        }
    }
    if let Some(version) = &n.state_version {
        check(
            src,
            version,
            is_nixos_release,
            "invalid NixOS release",
            "write the release the host was first installed with, like \"26.05\"",
        )?;
    }
    Ok(())
}
