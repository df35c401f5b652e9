//! Values reading cannot settle — a call, an attribute of an argument, an import — settled
//! by evaluating the module with `nix-instantiate`, when it is installed: each such value is
//! wrapped in a probe that traces what it evaluates to, the module is applied to stand-ins
//! for `pkgs`, `lib` and `config` built from what it reads ([`stubs`]), and each traced value
//! is checked against its option as if it had been written there ([`verdict`]).
//!
//! Nothing is guessed: a value that depends on what only devenv's evaluation knows (a flake
//! input, a `lib` function the stand-ins lack) stays unchecked, with the reason. The
//! evaluation runs read-only (nothing is built or copied to the store) with a time limit.

mod probe;
mod stubs;
mod verdict;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use nix_edit::NixDocument;

use super::check::Report;
use probe::Probed;
use verdict::Verdict;

/// How many times an evaluation is run again after a probed value failed to evaluate
/// (with that one blanked), before the values still unknown are given up: each run costs a
/// start of Nix, some tens of milliseconds.
const RETRIES: usize = 6;

/// Settle what `report` left unchecked in the module `doc`, whose file is in `dir`.
pub fn settle(doc: &NixDocument, dir: &Path, report: &mut Report) {
    let targets = targets(report);
    if targets.is_empty() {
        return;
    }
    let outcome = match which::which("nix-instantiate") {
        Ok(nix) => evaluate(doc, dir, &nix, &targets),
        Err(_) => Outcome::failed(
            "nix-instantiate is not installed, and only evaluation can check it".into(),
        ),
    };
    apply(report, &targets, outcome);
}

/// A value to probe: where it is written, and the unchecked entries it stands for.
struct Target {
    span: Range<usize>,
    entries: Vec<usize>,
}

/// The unchecked values evaluation can stand in for, one per place, in source order;
/// a value inside another's place is left to the outer one.
fn targets(report: &Report) -> Vec<Target> {
    let mut by_span: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    for (i, u) in report.unchecked.iter().enumerate() {
        if u.place.is_some() {
            by_span
                .entry((u.span.start, u.span.end))
                .or_default()
                .push(i);
        }
    }
    let mut out: Vec<Target> = Vec::new();
    for ((start, end), entries) in by_span {
        if out.last().is_some_and(|t| start < t.span.end) {
            continue;
        }
        out.push(Target {
            span: start..end,
            entries,
        });
    }
    out
}

/// What the evaluations said about each target.
struct Outcome {
    traces: BTreeMap<usize, Vec<serde_json::Value>>,
    /// Why a target has no trace: its own evaluation error.
    failed: BTreeMap<usize, String>,
    /// Why the others have none, when the evaluation as a whole failed.
    general: Option<String>,
}

impl Outcome {
    fn failed(reason: String) -> Outcome {
        Outcome {
            traces: BTreeMap::new(),
            failed: BTreeMap::new(),
            general: Some(reason),
        }
    }
}

fn evaluate(doc: &NixDocument, dir: &Path, nix: &Path, targets: &[Target]) -> Outcome {
    let arguments = stubs::arguments(doc);
    let mut probed: Vec<Probed> = targets
        .iter()
        .map(|t| Probed::Probe(t.span.clone()))
        .collect();
    let mut outcome = Outcome::failed(String::new());
    outcome.general = None;
    for _ in 0..=RETRIES {
        let program = probe::program(doc.text(), &probed, arguments.as_deref());
        let run = match probe::run(nix, dir, &program) {
            Ok(run) => run,
            Err(reason) => {
                outcome.general = Some(reason);
                break;
            }
        };
        for (id, mut values) in run.traces {
            outcome.traces.entry(id).or_default().append(&mut values);
        }
        let Some((message, at)) = run.error else {
            outcome.general = None;
            break;
        };
        let inside = at.and_then(|at| innermost(&program.probes, &probed, at));
        match inside {
            Some(i) => {
                outcome.failed.insert(
                    i,
                    format!("evaluating it with devgen's stand-ins failed: {message}"),
                );
                probed[i] = Probed::Blank(targets[i].span.clone());
                outcome.general = Some(format!(
                    "devgen gave up evaluating the module after {} values failed",
                    outcome.failed.len()
                ));
            }
            None => {
                outcome.general = Some(format!(
                    "evaluating the module with devgen's stand-ins failed: {message}"
                ));
                break;
            }
        }
    }
    outcome
}

/// The probe whose place in the program holds `at`, the innermost when they nest.
fn innermost(places: &[Range<usize>], probed: &[Probed], at: usize) -> Option<usize> {
    (0..places.len())
        .filter(|&i| matches!(probed[i], Probed::Probe(_)) && places[i].contains(&at))
        .min_by_key(|&i| places[i].len())
}

/// Turn the targets' verdicts into findings, checked values and reasons.
fn apply(report: &mut Report, targets: &[Target], outcome: Outcome) {
    let mut settled = vec![false; report.unchecked.len()];
    for (i, target) in targets.iter().enumerate() {
        for &e in &target.entries {
            let reason = match outcome.traces.get(&i) {
                Some(traced) => {
                    let place = report.unchecked[e]
                        .place
                        .as_ref()
                        .expect("targets have places");
                    match verdict::verdict(place, &target.span, traced) {
                        Verdict::Fits(n) => report.checked += n,
                        Verdict::Findings(findings) => report.findings.extend(findings),
                        Verdict::Unknown(reason) => {
                            report.unchecked[e].reason = Some(reason);
                            continue;
                        }
                    }
                    settled[e] = true;
                    continue;
                }
                None => outcome.failed.get(&i).or(outcome.general.as_ref()),
            };
            report.unchecked[e].reason = Some(reason.cloned().unwrap_or_else(|| {
                "evaluation never reached it: with devgen's stand-ins it is in a branch not taken"
                    .into()
            }));
        }
    }
    let mut keep = settled.iter().map(|s| !s);
    report.unchecked.retain(|_| keep.next().unwrap_or(true));
    report.findings.sort_by_key(|f| f.span.start);
}
