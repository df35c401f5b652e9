//! The Phoenix config (`config/dev.exs`, `config/test.exs`): the Endpoint's port and
//! address, the Repo's database and port. Read as text, statement by statement: a
//! `config :app, Module, …` runs to the next line that starts another.

use super::line_of;
use crate::commands::import::findings::{Findings, Origin};
use crate::spec::edit::Setting;
use crate::spec::rules::parse_loopback_ip;

/// One `config :app, Module, …` statement: the module, where it starts, its text.
struct Statement<'a> {
    module: &'a str,
    start: usize,
    text: &'a str,
}

/// What the config says of the Repo's database (its name and where), for the caller to
/// join dev's and test's.
pub type Database = (String, Origin);

pub fn read(path: &str, text: &str, found: &mut Findings) -> Option<Database> {
    let mut database = None;
    for s in statements(text) {
        let origin = |offset: usize| Origin::new(path, line_of(text, s.start + offset));
        if s.module.ends_with(".Endpoint") && path.ends_with("dev.exs") {
            endpoint(&s, &origin, found);
        } else if s.module.ends_with(".Repo") {
            if let Some((at, port)) = int_after(s.text, "port:") {
                let setting = Setting::new("postgres", "port", Some(port.into()));
                found.take(setting, origin(at), format!("{} port: {port}", s.module));
            }
            if let Some((at, name)) = string_after(s.text, "database:") {
                database = Some((name, origin(at)));
            }
        }
    }
    database
}

fn endpoint(s: &Statement, origin: &dyn Fn(usize) -> Origin, found: &mut Findings) {
    // `url: [port: 443]` is the public URL's; the port Phoenix listens on is under `http:`.
    let http = s.text.find("http:").unwrap_or(0);
    if let Some((at, port)) = int_after(&s.text[http..], "port:") {
        let at = http + at;
        let setting = Setting::new("phoenix", "port", Some(port.into()));
        found.take(setting, origin(at), format!("{} port: {port}", s.module));
    }
    let Some(at) = s.text.find("ip: {") else {
        return;
    };
    let tuple = &s.text[at + 5..];
    let Some(end) = tuple.find('}') else {
        return;
    };
    let ip = tuple[..end]
        .split(',')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join(".");
    match parse_loopback_ip(&ip) {
        Ok(addr) if addr.octets() != [127, 0, 0, 1] => {
            let setting = Setting::new("project", "ip", Some(ip.as_str().into()));
            found.take(setting, origin(at), format!("{} ip: {{{}}}", s.module, &tuple[..end]));
        }
        _ => found.note(format!(
            "{}: Phoenix listens on {ip}, which is no project's own address; devgen's config/devgen.exs gives it the project's",
            origin(at)
        )),
    }
}

fn statements(text: &str) -> Vec<Statement<'_>> {
    let starts: Vec<usize> = line_starts(text)
        .filter(|&i| text[i..].starts_with("config ") || text[i..].starts_with("import_config"))
        .chain([text.len()])
        .collect();
    starts
        .windows(2)
        .filter_map(|w| {
            let text = &text[w[0]..w[1]];
            let module = text.split(',').nth(1)?.trim();
            Some(Statement {
                module,
                start: w[0],
                text,
            })
        })
        .collect()
}

fn line_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1))
}

/// The integer after `key` (`port: 4001`, or the default of
/// `String.to_integer(System.get_env("PORT") || "4001")`), and where the key is.
fn int_after(text: &str, key: &str) -> Option<(usize, i64)> {
    let at = text.find(key)?;
    let rest = &text[at + key.len()..];
    let rest = rest.split([',', ']', '\n']).next()?;
    let rest = rest.rsplit("||").next()?;
    let digits: String = rest
        .trim()
        .trim_matches(|c| c == '"' || c == ')')
        .to_string();
    digits.parse().ok().map(|n| (at, n))
}

/// The string after `key` (`database: "shop_dev"`), without an interpolated suffix
/// (`"shop_test#{System.get_env("MIX_TEST_PARTITION")}"` is `shop_test`).
fn string_after(text: &str, key: &str) -> Option<(usize, String)> {
    let at = text.find(key)?;
    let rest = text[at + key.len()..].trim_start().strip_prefix('"')?;
    let end = rest.find(['"', '#'])?;
    Some((at, rest[..end].to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: &str = "import Config\n\nconfig :shop, Shop.Repo,\n  username: \"postgres\",\n  hostname: \"localhost\",\n  database: \"shop_dev\",\n  port: 5433\n\nconfig :shop, ShopWeb.Endpoint,\n  http: [ip: {127, 0, 0, 1}, port: String.to_integer(System.get_env(\"PORT\") || \"4001\")],\n  debug_errors: true\n";

    #[test]
    fn the_endpoints_port_and_the_repos_database() {
        let mut f = Findings::default();
        let db = read("config/dev.exs", DEV, &mut f);
        assert_eq!(
            db.map(|(n, o)| (n, o.to_string())),
            Some(("shop_dev".into(), "config/dev.exs:6".into()))
        );
        assert_eq!(
            f.value("phoenix", "port").and_then(|v| v.as_integer()),
            Some(4001)
        );
        assert_eq!(
            f.value("postgres", "port").and_then(|v| v.as_integer()),
            Some(5433)
        );
        assert_eq!(f.taken[1].origin.to_string(), "config/dev.exs:10");
        assert!(f.notes[0].contains("listens on 127.0.0.1"), "{:?}", f.notes);
    }

    #[test]
    fn a_partitioned_test_database_is_its_base_name() {
        let mut f = Findings::default();
        let test = "config :shop, Shop.Repo,\n  database: \"shop_test#{System.get_env(\"MIX_TEST_PARTITION\")}\",\n  pool: Ecto.Adapters.SQL.Sandbox\n";
        let db = read("config/test.exs", test, &mut f);
        assert_eq!(db.map(|(n, _)| n).as_deref(), Some("shop_test"));
    }

    #[test]
    fn an_address_of_its_own_is_the_projects() {
        let mut f = Findings::default();
        read(
            "config/dev.exs",
            "config :a, AWeb.Endpoint,\n  http: [ip: {127, 0, 0, 42}, port: 4000]\n",
            &mut f,
        );
        assert_eq!(f.str("project", "ip"), Some("127.0.0.42"));
    }
}
