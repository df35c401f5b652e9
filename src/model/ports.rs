//! Phoenix, LiveDebugger, PostgreSQL and every backing service listen on the project IP:
//! their ports must differ. A clash points at whichever of the two keys the user wrote.

use std::ops::Range;

use serde_spanned::Spanned;

use crate::diagnostic::Diagnostic;
use crate::spec::{Port, SpecSource};

/// Every port of `ports` (spec key, port) is one no other takes.
pub(super) fn check_ports(
    src: &SpecSource,
    ports: &[(&'static str, u16)],
) -> Result<(), Box<Diagnostic>> {
    for (i, (a, pa)) in ports.iter().enumerate() {
        let Some((b, _)) = ports[i + 1..].iter().find(|(_, pb)| pb == pa) else {
            continue;
        };
        // Point at whichever of the two the user wrote (a default has no span).
        let (key, other, span) = match port_span(src, b, *pa) {
            Some(span) => (b, a, span),
            None => (a, b, port_span(src, a, *pa).unwrap_or(0..0)),
        };
        return Err(Box::new(
            src.error(
                span,
                format!("{key} = {pa} clashes with {other}, which is also {pa}"),
            )
            .with_label("port already taken on the project IP")
            .with_help(format!(
                "give {key} a port of its own; both listen on the project IP"
            )),
        ));
    }
    Ok(())
}

/// Where the spec sets `key` to `port`, when it does.
fn port_span(src: &SpecSource, key: &str, port: u16) -> Option<Range<usize>> {
    let s = &src.spec;
    let sv = &s.services;
    let span = |p: &Option<Spanned<Port>>| p.as_ref().map(|p| p.span());
    match key {
        "phoenix.port" => span(&s.phoenix.port),
        "phoenix.live_debugger" => s.phoenix.live_debugger.as_ref().map(|p| p.span()),
        "postgres.port" => span(&s.postgres.port),
        "services.nats.port" => sv.nats.as_ref().and_then(|n| span(&n.port)),
        "services.nats.monitor_port" => sv.nats.as_ref().and_then(|n| span(&n.monitor_port)),
        "services.minio.port" => sv.minio.as_ref().and_then(|m| span(&m.port)),
        "services.minio.console_port" => sv.minio.as_ref().and_then(|m| span(&m.console_port)),
        "services.redis.port" => sv.redis.as_ref().and_then(|r| span(&r.port)),
        "services.mailpit.smtp_port" => sv.mailpit.as_ref().and_then(|m| span(&m.smtp_port)),
        "services.mailpit.ui_port" => sv.mailpit.as_ref().and_then(|m| span(&m.ui_port)),
        "services.pgweb.port" => sv.pgweb.as_ref().and_then(|p| span(&p.port)),
        "frontend.port" => s.frontend.as_ref().and_then(|f| span(&f.port)),
        "frontend.hmr" => s.frontend.as_ref().and_then(|f| {
            f.hmr
                .values()
                .find(|p| p.get_ref().0 == port)
                .map(|p| p.span())
        }),
        "proxy.port" => s.proxy.as_ref().and_then(|p| span(&p.port)),
        _ => None,
    }
}
