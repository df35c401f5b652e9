//! What an import says: each value taken and where from, each thing kept as the user's and
//! why, the notes, and what `devgen sync` would do next — as text on stderr (the spec itself
//! on stdout in a dry run), or as one JSON document on stdout.

use serde::Serialize;
use serde_json::json;

use super::findings::{shown, Findings, Kept};
use crate::error::Result;
use crate::output::{stream_error, Format, Io};
use crate::reconcile::lock::LOCK_FILE;
use crate::reconcile::{Plan, Status};
use crate::spec::SPEC_FILE;

pub struct Report<'a> {
    pub found: &'a Findings,
    pub spec_text: &'a str,
    /// What `devgen sync` would do with the spec.
    pub plan: &'a Plan,
    pub written: bool,
    pub lock_written: bool,
}

#[derive(Serialize)]
struct JsonTaken {
    key: String,
    value: serde_json::Value,
    file: String,
    line: usize,
    source: String,
}

impl Report<'_> {
    pub fn print(&self, format: Format, io: &mut Io) -> Result<()> {
        match format {
            Format::Json => io.json(&self.json()),
            Format::Text => self.text(io),
        }
    }

    fn json(&self) -> serde_json::Value {
        let taken: Vec<JsonTaken> = self
            .found
            .taken
            .iter()
            .map(|t| JsonTaken {
                key: t.setting.name(),
                value: t
                    .setting
                    .value
                    .as_ref()
                    .map_or(serde_json::Value::Null, to_json),
                file: t.origin.file.clone(),
                line: t.origin.line,
                source: t.source.clone(),
            })
            .collect();
        let conflicts: Vec<_> = self
            .plan
            .conflicts()
            .map(|f| json!({ "path": f.path, "reason": reason(&f.status) }))
            .collect();
        json!({
            "status": "ok",
            "written": self.written,
            "read": self.found.read,
            "taken": taken,
            "kept": self.found.kept,
            "notes": self.found.notes,
            "spec": self.spec_text,
            "next": { "verdict": self.plan.verdict().name(), "conflicts": conflicts },
        })
    }

    fn text(&self, io: &mut Io) -> Result<()> {
        let mut lines = vec![format!(
            "devgen import: read {}",
            or_none(&self.found.read.join(", "))
        )];
        if !self.found.taken.is_empty() {
            lines.push(format!("\n{SPEC_FILE} takes:"));
            lines.extend(taken_lines(self.found));
        }
        if !self.found.kept.is_empty() {
            lines.push(format!(
                "\nkept as yours, in their files ({SPEC_FILE} does not say these):"
            ));
            lines.extend(self.found.kept.iter().map(kept_line));
        }
        if !self.found.notes.is_empty() {
            lines.push("\nnotes:".into());
            lines.extend(self.found.notes.iter().map(|n| format!("  {n}")));
        }
        lines.push(String::new());
        lines.push(self.outcome());
        lines.extend(self.next());
        if !self.written {
            write!(io.out, "{}", self.spec_text).map_err(stream_error)?;
        }
        writeln!(io.err, "{}", lines.join("\n")).map_err(stream_error)
    }

    fn outcome(&self) -> String {
        match (self.written, self.lock_written) {
            (false, _) => format!("dry run: nothing written; the {SPEC_FILE} above is what import would write"),
            (true, true) => format!("created {SPEC_FILE}, and an empty {LOCK_FILE}: devgen has written nothing else yet"),
            (true, false) => format!("created {SPEC_FILE}"),
        }
    }

    /// What `devgen diff` and `devgen sync` would do now.
    fn next(&self) -> Vec<String> {
        let count = |s: &str| self.plan.reported_with(s);
        let mut lines = vec![format!(
            "next: `devgen diff` shows what devgen would change ({} to create, {} to update, {} in conflict)",
            count("missing"),
            count("drift"),
            count("conflict")
        )];
        for f in self.plan.conflicts() {
            lines.push(format!(
                "  {}: {}",
                f.path,
                reason(&f.status).lines().next().unwrap_or("")
            ));
        }
        let sync = if self.plan.has_conflicts() {
            "      `devgen sync` writes nothing while files are in conflict: edit them, or `devgen sync --force` to let devgen's version win"
        } else {
            "      `devgen sync` then writes it; what is kept as yours above stays as it is"
        };
        lines.push(sync.into());
        lines
    }
}

/// Taken values, aligned: `  toolchain.postgres = "15"   devenv.nix:5   pkgs.postgresql_15`.
pub fn taken_lines(found: &Findings) -> Vec<String> {
    let cells: Vec<(String, String, &str)> = found
        .taken
        .iter()
        .map(|t| {
            (
                format!("{} = {}", t.setting.name(), shown(&t.setting.value)),
                t.origin.to_string(),
                t.source.as_str(),
            )
        })
        .collect();
    let w0 = cells.iter().map(|c| c.0.len()).max().unwrap_or(0);
    let w1 = cells.iter().map(|c| c.1.len()).max().unwrap_or(0);
    cells
        .iter()
        .map(|(setting, origin, source)| {
            format!("  {setting:<w0$}  {origin:<w1$}  {source}")
                .trim_end()
                .to_string()
        })
        .collect()
}

/// For `init`: the values taken, each as one line, after a heading.
pub fn print_taken(found: &Findings, io: &mut Io) -> Result<()> {
    // A new directory has nothing to take from: its spec is devgen's defaults.
    if found.read.is_empty() || (found.taken.is_empty() && found.notes.is_empty()) {
        return Ok(());
    }
    let mut lines = vec![
        "taking from the existing files (`devgen import --dry-run` reports all it finds):"
            .to_string(),
    ];
    lines.extend(taken_lines(found));
    lines.extend(found.notes.iter().map(|n| format!("  note: {n}")));
    writeln!(io.err, "{}", lines.join("\n")).map_err(stream_error)
}

fn kept_line(k: &Kept) -> String {
    format!("  {}  {}\n      {}", k.origin, k.what, k.why)
}

fn reason(status: &Status) -> &str {
    match status {
        Status::Conflict(why) => why,
        _ => "",
    }
}

fn or_none(list: &str) -> &str {
    if list.is_empty() {
        "no file it knows (a new project: devgen's defaults)"
    } else {
        list
    }
}

/// A TOML value as JSON.
fn to_json(value: &toml_edit::Value) -> serde_json::Value {
    use toml_edit::Value as V;
    match value {
        V::String(s) => json!(s.value()),
        V::Integer(i) => json!(i.value()),
        V::Float(f) => json!(f.value()),
        V::Boolean(b) => json!(b.value()),
        V::Array(a) => a.iter().map(to_json).collect(),
        other => json!(other.to_string().trim()),
    }
}
