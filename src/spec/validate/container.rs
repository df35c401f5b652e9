//! `[container]`: a user and volume Docker takes, variable names, safe mounts, and a
//! builder image of the toolchain's versions.

use serde_spanned::Spanned;

use super::{check, unique_names, Checked};
use crate::spec::rules::{
    is_env_name, is_host_dir, is_image_ref, is_unix_user, is_volume_name, DEFAULT_ELIXIR,
    RESERVED_USERS,
};
use crate::spec::sections::MountSpec;
use crate::spec::SpecSource;

/// `[container]`: a user and volume Docker takes, variable names, safe mounts, and a
/// builder image of the toolchain's versions.
pub(super) fn container(src: &SpecSource) -> Checked {
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
        .map_or(DEFAULT_ELIXIR.to_string(), |v| v.get_ref().0.clone());
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
