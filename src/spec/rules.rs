//! The shapes values must have on their own: names, host names, loopback addresses, versions.
//! The spec's validation uses them, and so does everything else that takes such a value
//! from elsewhere (the machine registry, `devgen init --ip`, `devgen shared --postgres`), so
//! that one rule holds everywhere.

use std::net::Ipv4Addr;

/// A major version as devgen maps it to a nixpkgs attribute: 1 to 4 digits (`"16"`, `"27"`).
pub fn is_major_version(s: &str) -> bool {
    !s.is_empty() && s.len() <= 4 && s.bytes().all(|b| b.is_ascii_digit())
}

/// `major.minor`, each part a [`is_major_version`] (`"1.18"`).
pub fn is_major_minor(s: &str) -> bool {
    matches!(s.split_once('.'), Some((a, b)) if is_major_version(a) && is_major_version(b))
}

/// The Elixir, `major.minor`, of a spec whose `[toolchain]` names none.
pub const DEFAULT_ELIXIR: &str = "1.18";

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

/// A project name: lowercase letters, digits, '-' and '_', starting with a letter.
pub fn is_project_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'_')
}

/// An OTP application name: lowercase letters, digits and '_', starting with a letter.
pub fn is_otp_app(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// An Elixir module name: CamelCase segments joined by dots.
pub fn is_module_name(s: &str) -> bool {
    s.len() <= 128
        && s.split('.').all(|seg| {
            let mut b = seg.bytes();
            b.next().is_some_and(|c| c.is_ascii_uppercase())
                && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

/// A host name of lowercase DNS labels.
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

/// The suffixes a project's host may end in: names reserved for testing and local use
/// (RFC 2606 `test`, `example`, `localhost`; RFC 8375 `home.arpa`; ICANN's `internal`) and
/// the private-use ones RFC 6762 lists. `devgen net` routes the suffix to the machine, so a
/// public top-level domain would take all of it; `local` belongs to mDNS.
pub const HOST_SUFFIXES: &[&str] = &[
    "test",
    "localhost",
    "internal",
    "home.arpa",
    "example",
    "lan",
    "home",
    "corp",
    "intranet",
    "private",
];

/// The suffix of [`HOST_SUFFIXES`] `host` is under (`home.arpa` for `shop.home.arpa`), when
/// it has a name of its own before it: the domain `devgen net` routes to the machine.
pub fn host_suffix(host: &str) -> Option<&'static str> {
    HOST_SUFFIXES.iter().copied().find(|suffix| {
        host.strip_suffix(suffix)
            .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.'))
    })
}

/// Why `host` (a valid host name) cannot be a project's: not under one of
/// [`HOST_SUFFIXES`] with a name of its own before it.
pub fn host_suffix_problem(host: &str) -> Option<String> {
    if host_suffix(host).is_some() {
        return None;
    }
    let tld = host.rsplit('.').next().unwrap_or(host);
    Some(if HOST_SUFFIXES.contains(&host) {
        format!("{host:?} is the suffix itself; a project needs a name under it")
    } else if tld == "local" {
        "names under .local belong to multicast DNS (Bonjour, Avahi)".into()
    } else if host == tld {
        format!("{host:?} has no suffix; devgen net would route all of .{tld} to this project")
    } else {
        format!("{host:?} is under .{tld}, which is not reserved for local use; devgen net would route all of .{tld} to this project")
    })
}

/// A PostgreSQL database name devgen creates: letters, digits, '_' and '-', at most 63.
pub fn is_database_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 63
        && b.next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_' || c == b'-')
}

/// An environment variable name the shell takes.
pub fn is_env_name(s: &str) -> bool {
    let mut b = s.bytes();
    b.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && b.all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// An S3 bucket name as AWS and MinIO take it: 3-63 lowercase letters, digits, '-' and '.',
/// starting and ending with a letter or digit, no "..", not shaped like an IP address.
pub fn is_bucket_name(s: &str) -> bool {
    let edge = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    (3..=63).contains(&s.len())
        && edge(s.bytes().next())
        && edge(s.bytes().last())
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
        && !s.contains("..")
        && s.parse::<Ipv4Addr>().is_err()
}

/// A dev credential (MinIO's access and secret key): letters, digits and URL-unreserved
/// `-._~`, so that it reads the same in Nix, YAML, shell, `.env` and inside a URL
/// (`http://KEY:SECRET@minio:9000`).
pub fn is_dev_credential(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"-._~".contains(&c))
}

/// A region name like `us-east-1`.
pub fn is_region(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// A directory inside the project, written relative to its root: `frontend`, `apps/web`.
pub fn is_relative_dir(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && !s.starts_with('/')
        && s.split('/')
            .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-/@+".contains(&c))
}

/// A path matcher as Caddy's `handle` takes it: `/api/*`, `/_build/_hmr/client`.
pub fn is_route_path(s: &str) -> bool {
    s.starts_with('/')
        && s.len() <= 255
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/._-~*%@:+".contains(&c))
}

/// An HTTP header name (RFC 9110's token).
pub fn is_header_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&c))
}

/// A command line of one line: what a Procfile line can run.
pub fn is_one_line_command(s: &str) -> bool {
    !s.trim().is_empty() && !s.contains(['\n', '\r', '\0'])
}

/// The variable name part of an HMR path: its last segment, upper case, `_` for the rest.
pub fn hmr_name(path: &str) -> String {
    let last = path
        .trim_end_matches(['/', '*'])
        .rsplit('/')
        .next()
        .unwrap_or("");
    let name: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() {
        "ROOT".into()
    } else {
        name
    }
}

/// A Unix user name as `useradd` takes it.
pub fn is_unix_user(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 32
        && b.next().is_some_and(|c| c.is_ascii_lowercase())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'-')
}

/// A Docker volume name.
pub fn is_volume_name(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 64
        && b.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.all(|c| c.is_ascii_alphanumeric() || b"_.-".contains(&c))
}

/// An image reference: `registry/name:tag` of the characters Docker takes.
pub fn is_image_ref(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.bytes().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-/:@".contains(&c))
}

/// A directory on the host (absolute, or under `~/`) of plain characters, without `..`.
pub fn is_host_dir(s: &str) -> bool {
    (s.starts_with('/') || s == "~" || s.starts_with("~/"))
        && s.len() <= 255
        && !s.split('/').any(|seg| seg == "..")
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-/~@+".contains(&c))
}

/// A name AWS or Fly gives a region, an instance type or a key pair: `us-east-1`, `t3.small`.
pub fn is_aws_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"._-".contains(&c))
}

/// The EC2 instance type Terraform makes when the spec names none.
pub const DEFAULT_INSTANCE_TYPE: &str = "t3.small";

/// AWS's Graviton families carry a `g` after their generation (`t4g`, `m7gd`): arm64.
pub fn instance_architecture(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or("");
    let after_generation = family.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = after_generation.trim_start_matches(|c: char| c.is_ascii_digit());
    if suffix.contains('g') {
        "arm64"
    } else {
        "x86_64"
    }
}

/// The platform of a NixOS host on an instance of `architecture` (an
/// [`instance_architecture`]): `aarch64-linux` on arm64, else, and for a host no instance
/// type describes, `x86_64-linux`.
pub fn nixos_system(architecture: Option<&str>) -> &'static str {
    match architecture {
        Some("arm64") => "aarch64-linux",
        _ => "x86_64-linux",
    }
}

/// The platforms a NixOS host of devgen's runs on.
pub const NIXOS_SYSTEMS: &[&str] = &["x86_64-linux", "aarch64-linux"];

/// The systems a flake of devgen's builds for.
pub const NIX_SYSTEMS: &[&str] = &[
    "x86_64-linux",
    "aarch64-linux",
    "x86_64-darwin",
    "aarch64-darwin",
];

/// A NixOS release: `26.05`.
pub fn is_nixos_release(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5 && b[2] == b'.' && [0, 1, 3, 4].iter().all(|&i| b[i].is_ascii_digit())
}

/// A SHA-256 hash in the SRI form Nix prints and takes: `sha256-` and 44 base64 characters.
pub fn is_sri_sha256(s: &str) -> bool {
    let Some(digest) = s.strip_prefix("sha256-") else {
        return false;
    };
    digest.len() == 44
        && digest.ends_with('=')
        && !digest[..43].contains('=')
        && digest[..43]
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

/// A Fly app name: lowercase letters, digits and '-'.
pub fn is_fly_app(s: &str) -> bool {
    let mut b = s.bytes();
    s.len() <= 63
        && b.next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && b.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

/// An IPv4 network in CIDR notation: `203.0.113.0/24`.
pub fn is_cidr(s: &str) -> bool {
    cidr_prefix(s).is_some()
}

/// The prefix length of a canonical IPv4 CIDR (`203.0.113.0/24`): its length written
/// without leading zeros, and no host bit set (AWS refuses `198.51.100.7/24`).
pub fn cidr_prefix(s: &str) -> Option<u8> {
    let (ip, len) = s.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let canonical = len == "0" || (!len.starts_with('0') && !len.starts_with('+'));
    let len: u8 = len.parse().ok().filter(|l| *l <= 32 && canonical)?;
    let host_bits = u32::from(ip).checked_shl(u32::from(len)).unwrap_or(0);
    (host_bits == 0).then_some(len)
}

/// The PostgreSQL image compose runs for a major version with `extensions`, and where it
/// keeps its data: the official image, the one image of a single extension, or Timescale's
/// HA image, which has TimescaleDB, pgvector and PostGIS together; `None` when no image
/// has them all.
pub fn compose_postgres_image(extensions: &[&str], major: &str) -> Option<(String, &'static str)> {
    const OFFICIAL: &str = "/var/lib/postgresql/data";
    let image = match extensions {
        [] => format!("postgres:{major}"),
        ["timescaledb"] => format!("timescale/timescaledb:latest-pg{major}"),
        ["pgvector"] => format!("pgvector/pgvector:pg{major}"),
        ["postgis"] => format!("postgis/postgis:{major}-3.5"),
        many if many
            .iter()
            .all(|e| ["timescaledb", "pgvector", "postgis"].contains(e)) =>
        {
            return Some((
                format!("timescale/timescaledb-ha:pg{major}"),
                "/home/postgres/pgdata",
            ));
        }
        _ => return None,
    };
    Some((image, OFFICIAL))
}

/// Paths Phoenix serves behind the proxy whatever the spec adds: its API, LiveView's and
/// channels' websockets (and long-poll fallbacks), live reload, and the dev routes
/// (`/dev/mailbox`, `/dev/dashboard`).
pub const PHOENIX_PATHS: &[&str] = &["/api/*", "/live/*", "/socket/*", "/phoenix/*", "/dev/*"];

/// User names a container has already: the app cannot take them.
pub const RESERVED_USERS: &[&str] = &["root", "postgres", "nobody", "daemon", "bin", "sys"];

/// A nixpkgs attribute path like `nodePackages.pnpm`.
pub fn is_nix_attr_path(s: &str) -> bool {
    s.split('.').all(nix_edit::is_ident)
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
        for ok in [
            "shop.test",
            "shop.localhost",
            "a.b.internal",
            "shop.home.arpa",
            "x.lan",
        ] {
            assert_eq!(host_suffix_problem(ok), None, "{ok}");
        }
        for bad in [
            "shop.com",
            "localhost",
            "test",
            "shop",
            "shop.local",
            "home.arpa",
            "xtest",
        ] {
            assert!(host_suffix_problem(bad).is_some(), "{bad}");
        }
        assert!(is_nix_attr_path("nodePackages.pnpm"));
        assert!(!is_nix_attr_path("with"));
        assert!(!is_nix_attr_path("foo;bar"));
    }

    #[test]
    fn hmr_names_come_from_the_last_segment() {
        assert_eq!(hmr_name("/_build/_hmr/client"), "CLIENT");
        assert_eq!(hmr_name("/_build/_hmr/server-fn/*"), "SERVER_FN");
        assert_eq!(hmr_name("/"), "ROOT");
    }

    #[test]
    fn service_values() {
        assert!(is_bucket_name("uploads") && is_bucket_name("my.bucket-2"));
        for bad in [
            "up",
            "Uploads",
            "-up",
            "up-",
            "a..b",
            "192.168.1.1",
            "up_load",
        ] {
            assert!(!is_bucket_name(bad), "{bad}");
        }
        assert!(is_dev_credential("minioadmin") && is_dev_credential("dev-key_1.x~"));
        for bad in ["a b", "a\"b", "$x", "a/b", "a%2K", "a@b", "a:b"] {
            assert!(!is_dev_credential(bad), "{bad}");
        }
        assert!(is_region("us-east-1") && !is_region("US") && !is_region(""));
    }

    #[test]
    fn loopback_only() {
        assert!(parse_loopback_ip("127.0.0.10").is_ok());
        assert!(parse_loopback_ip("10.0.0.1").is_err());
        assert!(parse_loopback_ip("127.0.0.256").is_err());
        assert!(parse_loopback_ip("127.0.0.0").is_err());
    }

    #[test]
    fn versions() {
        assert!(is_major_version("16") && is_major_version("2026"));
        assert!(!is_major_version("") && !is_major_version("12345") && !is_major_version("1.8"));
        assert!(is_major_minor("1.18") && !is_major_minor("1") && !is_major_minor("1.x"));
    }
}
