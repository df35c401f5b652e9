//! One DNS question to one server, without the system resolver in between: doctor asks
//! dnsmasq itself, to tell a dnsmasq that answers wrong from a resolver that does not ask it.

use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use simple_dns::rdata::RData;
use simple_dns::{Name, Packet, PacketFlag, Question, CLASS, TYPE};

/// Ask `server` for the A records of `name` (one UDP query, 3 s to answer). An unknown
/// name is an empty answer; any other failure is an error saying what went wrong.
pub fn query_a(server: SocketAddr, name: &str) -> Result<Vec<Ipv4Addr>, String> {
    let id = (std::process::id() as u16) ^ 0x5a5a;
    let query = question(id, name)?;
    let bind: SocketAddr = if server.is_ipv4() {
        "0.0.0.0:0".parse().expect("literal")
    } else {
        "[::]:0".parse().expect("literal")
    };
    let sock = UdpSocket::bind(bind).map_err(|e| e.to_string())?;
    sock.set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| e.to_string())?;
    sock.send_to(&query, server).map_err(|e| e.to_string())?;
    let mut buf = [0u8; 1500];
    loop {
        let (n, from) = sock.recv_from(&mut buf).map_err(|e| e.to_string())?;
        if from != server || n < 12 || buf[..2] != id.to_be_bytes() {
            continue; // not our answer
        }
        return a_records(&buf[..n]);
    }
}

/// The query for `name`'s A records, recursion desired.
fn question(id: u16, name: &str) -> Result<Vec<u8>, String> {
    let not_a_name = || format!("{name:?} is not a DNS name");
    let trimmed = name.trim_end_matches('.');
    if trimmed.split('.').any(|l| l.is_empty() || l.len() > 63) {
        return Err(not_a_name());
    }
    let mut packet = Packet::new_query(id);
    packet.set_flags(PacketFlag::RECURSION_DESIRED);
    let qname = Name::new(trimmed).map_err(|_| not_a_name())?;
    packet.questions.push(Question::new(
        qname,
        TYPE::A.into(),
        CLASS::IN.into(),
        false,
    ));
    packet.build_bytes_vec().map_err(|e| e.to_string())
}

/// The A records of an answer, sorted; none for NXDOMAIN. The response code is read off
/// the header itself, so that NXDOMAIN needs no more than a header, and every code is
/// named by its number.
fn a_records(msg: &[u8]) -> Result<Vec<Ipv4Addr>, String> {
    let malformed = || "a malformed DNS answer".to_string();
    match msg.get(3).ok_or_else(malformed)? & 0x0f {
        0 => {}
        3 => return Ok(Vec::new()), // NXDOMAIN
        code => return Err(format!("DNS error code {code}")),
    }
    let packet = Packet::parse(msg).map_err(|_| malformed())?;
    let mut ips: Vec<Ipv4Addr> = packet
        .answers
        .iter()
        .filter_map(|rr| match &rr.rdata {
            RData::A(a) => Some(Ipv4Addr::from(a.address)),
            _ => None,
        })
        .collect();
    ips.sort();
    Ok(ips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_with_compressed_names() {
        // id, flags (response), 1 question, 2 answers; shop.test A; two A records
        // pointing back at the question's name.
        let mut m = vec![0, 1, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0];
        m.extend_from_slice(b"\x04shop\x04test\x00\x00\x01\x00\x01");
        for last in [20u8, 10] {
            m.extend_from_slice(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, last]);
        }
        assert_eq!(
            a_records(&m).unwrap(),
            [Ipv4Addr::new(127, 0, 0, 10), Ipv4Addr::new(127, 0, 0, 20)]
        );
        m[3] = 0x83; // NXDOMAIN
        assert_eq!(a_records(&m).unwrap(), Vec::<Ipv4Addr>::new());
        assert!(a_records(&m[..12]).is_ok()); // NXDOMAIN needs no more than the header
        m[3] = 0x8d;
        assert_eq!(a_records(&m).unwrap_err(), "DNS error code 13");
        m[3] = 0x80;
        assert!(a_records(&m[..30]).is_err());
    }

    #[test]
    fn queries_ask_for_a_records_of_the_name() {
        let q = question(7, "shop.test.").unwrap();
        let parsed = Packet::parse(&q).unwrap();
        assert_eq!(parsed.id(), 7);
        assert!(parsed.has_flags(PacketFlag::RECURSION_DESIRED));
        assert_eq!(parsed.questions[0].qname.to_string(), "shop.test");
        assert!(question(7, "a..b").is_err());
    }
}
