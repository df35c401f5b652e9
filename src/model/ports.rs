//! Phoenix, LiveDebugger and PostgreSQL all listen on the project IP: their ports must
//! differ. A clash points at whichever of the two keys the user wrote.

use crate::diagnostic::Diagnostic;
use crate::spec::SpecSource;

/// Phoenix, LiveDebugger and PostgreSQL all listen on the project IP: their ports must differ.
pub(super) fn check_ports(
    src: &SpecSource,
    phoenix: u16,
    live_debugger: Option<u16>,
    postgres: Option<u16>,
) -> Result<(), Box<Diagnostic>> {
    let s = &src.spec;
    let span_of = |key: &str| match key {
        "phoenix.port" => s.phoenix.port.as_ref().map(|p| p.span()),
        "phoenix.live_debugger" => s.phoenix.live_debugger.as_ref().map(|p| p.span()),
        _ => s.postgres.port.as_ref().map(|p| p.span()),
    };
    let mut ports = vec![("phoenix.port", phoenix)];
    ports.extend(postgres.map(|p| ("postgres.port", p)));
    if let Some(ld) = live_debugger {
        ports.insert(1, ("phoenix.live_debugger", ld));
    }
    for (i, (a, pa)) in ports.iter().enumerate() {
        for (b, pb) in &ports[i + 1..] {
            if pa == pb {
                // Point at whichever of the two the user wrote (a default has no span).
                let (key, other, span) = match span_of(b) {
                    Some(span) => (b, a, span),
                    None => (a, b, span_of(a).unwrap_or(0..0)),
                };
                return Err(Box::new(
                    src.error(
                        span,
                        format!("{key} = {pa} clashes with {other}, which is also {pb}"),
                    )
                    .with_label("port already taken on the project IP")
                    .with_help(format!(
                        "give {key} a port of its own; both listen on the project IP"
                    )),
                ));
            }
        }
    }
    Ok(())
}
