//! The module as `nix-instantiate` evaluates it: each value to settle wrapped in a probe
//! that traces what it evaluates to, the module applied to stand-in arguments, and the
//! result forced whole. What comes back: the traces, and the first error with its place.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::ops::Range;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use wait_timeout::ChildExt;

const PRELUDE: &str = include_str!("prelude.nix");

/// How long one evaluation may take before it counts as failed: long enough for a module
/// that imports a few files, short enough for a pre-commit hook.
const TIMEOUT: Duration = Duration::from_secs(20);

/// The program text, and where each probe landed in it.
pub(super) struct Program {
    pub text: String,
    /// Each probe's place in `text`, by probe number.
    pub probes: Vec<Range<usize>>,
}

/// What one run of `nix-instantiate` said.
pub(super) struct Run {
    /// What each probe traced (a probe in a function may trace more than once).
    pub traces: BTreeMap<usize, Vec<serde_json::Value>>,
    /// The evaluation's error, when it failed: its first line, and its place in the
    /// program text when it names one.
    pub error: Option<(String, Option<usize>)>,
}

/// A value of the module, as the program has it.
pub(super) enum Probed {
    /// Wrapped in a probe.
    Probe(Range<usize>),
    /// Replaced by `null`: evaluating it failed, and the rest should still be evaluated.
    Blank(Range<usize>),
}

/// `module` with the values `probed` (sorted, disjoint) probed or blanked, applied to
/// `arguments` (or evaluated as it is when `None`).
pub(super) fn program(module: &str, probed: &[Probed], arguments: Option<&str>) -> Program {
    let mut text = format!("let\n{PRELUDE}\n__devgenModule = (\n");
    let mut probes = vec![0..0; probed.len()];
    let mut at = 0;
    for (i, p) in probed.iter().enumerate() {
        let (Probed::Probe(span) | Probed::Blank(span)) = p;
        text.push_str(&module[at..span.start]);
        let start = text.len();
        match p {
            Probed::Probe(_) => {
                text.push_str(&format!("(__devgenProbe {i} ({}))", &module[span.clone()]))
            }
            Probed::Blank(_) => text.push_str("null"),
        }
        probes[i] = start..text.len();
        at = span.end;
    }
    text.push_str(&module[at..]);
    text.push_str("\n);\n");
    let result = match arguments {
        Some(args) => format!("__devgenModule (\n{args}\n)"),
        None => "__devgenModule".to_string(),
    };
    text.push_str(&format!("in builtins.deepSeq ({result}) null\n"));
    Program { text, probes }
}

/// Evaluate `program` from `dir` (where the module's relative paths point) with the Nix
/// at `nix_instantiate`.
pub(super) fn run(nix_instantiate: &Path, dir: &Path, program: &Program) -> Result<Run, String> {
    let mut child = Command::new(nix_instantiate)
        .args(["--eval", "--readonly-mode", "-"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", nix_instantiate.display()))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = program.text.clone();
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let reader = std::thread::spawn(move || {
        let mut out = String::new();
        stderr.read_to_string(&mut out).map(|_| out)
    });
    let status = match child.wait_timeout(TIMEOUT) {
        Ok(Some(status)) => status,
        Ok(None) => {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!(
                "evaluation took longer than {}s",
                TIMEOUT.as_secs()
            ));
        }
        Err(e) => return Err(format!("cannot wait for nix-instantiate: {e}")),
    };
    let _ = writer.join();
    let stderr = reader
        .join()
        .map_err(|_| "cannot read nix-instantiate's output".to_string())?
        .map_err(|e| format!("cannot read nix-instantiate's output: {e}"))?;
    let mut run = parse(&stderr, &program.text);
    if status.success() {
        run.error = None;
    } else if run.error.is_none() {
        run.error = Some((format!("nix-instantiate failed ({status})"), None));
    }
    Ok(run)
}

/// The traces and the error in `stderr`.
fn parse(stderr: &str, text: &str) -> Run {
    let mut traces: BTreeMap<usize, Vec<serde_json::Value>> = BTreeMap::new();
    let mut error = None;
    let mut place = None;
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("trace: devgen-probe ") {
            let Some((id, json)) = rest.split_once(' ') else {
                continue;
            };
            if let (Ok(id), Ok(value)) = (id.parse(), serde_json::from_str(json)) {
                traces.entry(id).or_default().push(value);
            }
        } else if let Some(message) = line.strip_prefix("error: ") {
            error.get_or_insert_with(|| message.trim().to_string());
        } else if let Some(at) = line.trim().strip_prefix("at «stdin»:") {
            place = place.or_else(|| offset(text, at.trim_end_matches(':')));
        }
    }
    Run {
        traces,
        error: error.map(|e| (e, place)),
    }
}

/// The byte offset of `line:column` (both from 1) in `text`.
fn offset(text: &str, place: &str) -> Option<usize> {
    let (line, column) = place.split_once(':')?;
    let (line, column): (usize, usize) = (line.parse().ok()?, column.parse().ok()?);
    let start: usize = text
        .split_inclusive('\n')
        .take(line.checked_sub(1)?)
        .map(str::len)
        .sum();
    Some(start + column.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probes_wrap_their_values_and_errors_are_placed() {
        let module = "{ pkgs, ... }: { a = 1; b = x; }";
        let (one, x) = (module.find('1').unwrap(), module.find("x;").unwrap());
        let probed = [Probed::Probe(one..one + 1), Probed::Probe(x..x + 1)];
        let p = program(module, &probed, Some("{ pkgs = {}; }"));
        assert_eq!(&p.text[p.probes[0].clone()], "(__devgenProbe 0 (1))");
        assert_eq!(&p.text[p.probes[1].clone()], "(__devgenProbe 1 (x))");
        let line = p.text[..p.probes[1].start].matches('\n').count() + 1;
        let col = p.probes[1].start - p.text[..p.probes[1].start].rfind('\n').unwrap();
        let stderr = format!(
            "trace: devgen-probe 0 {{\"t\":\"int\",\"v\":1}}\nerror: undefined variable 'x'\n\n       at «stdin»:{line}:{col}:\n"
        );
        let run = parse(&stderr, &p.text);
        assert_eq!(run.traces[&0][0]["v"], 1);
        let (message, at) = run.error.unwrap();
        assert_eq!(message, "undefined variable 'x'");
        assert_eq!(at, Some(p.probes[1].start));
    }
}
