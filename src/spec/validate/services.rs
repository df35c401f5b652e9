//! `[services]` and compose: bucket names, MinIO's dev credentials and region, and a
//! compose.yaml that runs something with an image that has the spec's extensions.

use super::{check, unique_names, Checked};
use crate::spec::rules::{compose_postgres_image, is_bucket_name, is_dev_credential, is_region};
use crate::spec::SpecSource;

/// `[services]`: bucket names, and MinIO's dev credentials and region.
pub(super) fn services(src: &SpecSource) -> Checked {
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
pub(super) fn compose(src: &SpecSource) -> Checked {
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
