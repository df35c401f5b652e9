//! The backing services' checks (`[services]`): each port on the project address free or
//! this project's, and each service answering as its clients would ask it — NATS's
//! `/healthz` on its monitoring port, MinIO's `/minio/health/live`, Redis's `PING`,
//! Mailpit's `/livez`, PgWeb's page.

use std::io::{Read, Write};
use std::net::{SocketAddr, SocketAddrV4, TcpListener, TcpStream};
use std::time::Duration;

use super::overmind::OvermindState;
use super::{checks, fail, not_applicable, pass, Check, Checkout};
use crate::model::ServicePort;

/// How long a service may take to answer one question.
const TIMEOUT: Duration = Duration::from_secs(3);

/// For each enabled service: its ports, then whether it answers.
pub(super) fn checks(c: &Checkout, overmind: &OvermindState) -> Vec<Check> {
    let ports = c.model.services.ports();
    let mut found: Vec<Check> = ports
        .iter()
        .map(|p| {
            let key = format!("[{}] {}", section(p.key), last(p.key));
            checks::port(c, port_id(p.name), p.what, &key, Some(p.port))
        })
        .collect();
    for probe in PROBES {
        if let Some(port) = ports.iter().find(|p| p.name == probe.port) {
            found.push(answers(c, overmind, probe, port));
        }
    }
    found
}

/// How one service is asked whether it works.
struct Probe {
    /// The check's id.
    id: &'static str,
    /// The registry name of the port it is asked on.
    port: &'static str,
    question: Question,
}

enum Question {
    /// An HTTP GET of this path answered with a 2xx status.
    HttpGet(&'static str),
    /// Redis's inline `PING`, answered `+PONG`.
    RedisPing,
}

const PROBES: &[Probe] = &[
    Probe {
        id: "nats",
        port: "nats_monitor",
        question: Question::HttpGet("/healthz"),
    },
    Probe {
        id: "minio",
        port: "minio",
        question: Question::HttpGet("/minio/health/live"),
    },
    Probe {
        id: "redis",
        port: "redis",
        question: Question::RedisPing,
    },
    Probe {
        id: "mailpit",
        port: "mailpit_ui",
        question: Question::HttpGet("/livez"),
    },
    Probe {
        id: "pgweb",
        port: "pgweb",
        question: Question::HttpGet("/"),
    },
];

/// The service behind `port` answers `probe`'s question.
fn answers(c: &Checkout, overmind: &OvermindState, probe: &Probe, port: &ServicePort) -> Check {
    let addr = SocketAddrV4::new(c.ip, port.port);
    let id = probe.id;
    if TcpListener::bind(addr).is_ok() {
        let start = "`infra-up` in the dev shell (or `overmind start`), or `docker compose up --detach --wait` with compose.yaml";
        return if overmind.running() {
            fail(
                id,
                format!("nothing listens on {addr} for {}, though overmind runs here", port.what),
                "look at devenv's window: `overmind connect devenv`; `infra-logs` shows every service's log",
            )
        } else {
            not_applicable(
                id,
                format!(
                    "nothing listens on {addr} for {}; start the services with {start}",
                    port.what
                ),
            )
        };
    }
    let asked = match probe.question {
        Question::HttpGet(path) => {
            http_get(addr, path).map(|status| (status, format!("GET {path}")))
        }
        Question::RedisPing => redis_ping(addr).map(|reply| (reply, "PING".to_string())),
    };
    match asked {
        Ok((answer, question)) if answered(&probe.question, &answer) => pass(
            id,
            format!("{} answers on {addr} ({question}: {answer})", port.what),
        ),
        Ok((answer, question)) => fail(
            id,
            format!(
                "{addr} answers {question} with {answer:?}, not as {} would",
                port.what
            ),
            format!(
                "another program may hold the port (see {}); `infra-logs` shows the service's log",
                port_id(port.name)
            ),
        ),
        Err(e) => fail(
            id,
            format!(
                "{addr} accepts connections but does not answer as {} would: {e}",
                port.what
            ),
            format!(
                "another program may hold the port (see {}); `infra-logs` shows the service's log",
                port_id(port.name)
            ),
        ),
    }
}

fn answered(question: &Question, answer: &str) -> bool {
    match question {
        Question::HttpGet(_) => answer.split(' ').nth(1).is_some_and(|s| s.starts_with('2')),
        Question::RedisPing => answer == "+PONG",
    }
}

/// The status line of `GET path` at `addr`.
fn http_get(addr: SocketAddrV4, path: &str) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&SocketAddr::V4(addr), TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    first_line(&mut stream)
}

/// Redis's reply to an inline `PING` at `addr`.
fn redis_ping(addr: SocketAddrV4) -> std::io::Result<String> {
    let mut stream = TcpStream::connect_timeout(&SocketAddr::V4(addr), TIMEOUT)?;
    stream.set_read_timeout(Some(TIMEOUT))?;
    stream.set_write_timeout(Some(TIMEOUT))?;
    stream.write_all(b"PING\r\n")?;
    first_line(&mut stream)
}

/// The first line the peer sends, without its line end (at most 512 bytes read).
fn first_line(stream: &mut TcpStream) -> std::io::Result<String> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while buf.len() < 512 {
        match stream.read(&mut byte)? {
            0 => break,
            _ if byte[0] == b'\n' => break,
            _ => buf.push(byte[0]),
        }
    }
    if buf.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "it closed the connection without a word",
        ));
    }
    Ok(String::from_utf8_lossy(&buf).trim_end().to_string())
}

/// `port-nats-monitor` for `nats_monitor`.
fn port_id(name: &str) -> &'static str {
    match name {
        "nats" => "port-nats",
        "nats_monitor" => "port-nats-monitor",
        "minio" => "port-minio",
        "minio_console" => "port-minio-console",
        "redis" => "port-redis",
        "mailpit_smtp" => "port-mailpit-smtp",
        "mailpit_ui" => "port-mailpit-ui",
        _ => "port-pgweb",
    }
}

/// `services.nats` of `services.nats.monitor_port`.
fn section(key: &str) -> &str {
    key.rsplit_once('.').map_or(key, |(s, _)| s)
}

/// `monitor_port` of `services.nats.monitor_port`.
fn last(key: &str) -> &str {
    key.rsplit('.').next().unwrap_or(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_2xx_status_line_or_pong_is_an_answer() {
        let get = Question::HttpGet("/healthz");
        assert!(answered(&get, "HTTP/1.1 200 OK"));
        assert!(!answered(&get, "HTTP/1.1 503 Service Unavailable"));
        assert!(!answered(&get, "SSH-2.0-OpenSSH"));
        assert!(answered(&Question::RedisPing, "+PONG"));
        assert!(!answered(
            &Question::RedisPing,
            "-NOAUTH Authentication required."
        ));
    }

    #[test]
    fn every_service_port_has_a_check_id() {
        for (name, _, _) in crate::model::SERVICE_PORTS {
            assert_eq!(port_id(name), format!("port-{}", name.replace('_', "-")));
        }
    }
}
