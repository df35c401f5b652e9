//! What an import found: values devgen.toml takes (each with the file and line it came
//! from), things it found and leaves to the user, and notes. The first source to give a
//! key wins; a later one that says otherwise is reported, never silently dropped.

use serde::Serialize;
use toml_edit::Value;

use crate::spec::edit::Setting;

/// Where in the project something was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    pub file: String,
    /// 1-based; 0 when the finding is about the file as a whole.
    pub line: usize,
}

impl Origin {
    pub fn new(file: &str, line: usize) -> Origin {
        Origin {
            file: file.to_string(),
            line,
        }
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}", self.file),
            n => write!(f, "{}:{n}", self.file),
        }
    }
}

/// A value devgen.toml takes from the project's files.
#[derive(Debug, Clone)]
pub struct Taken {
    pub setting: Setting,
    pub origin: Origin,
    /// What the file says, as written (`pkgs.postgresql_15`).
    pub source: String,
}

/// Something found that devgen.toml does not say: it stays in its file, the user's.
#[derive(Debug, Clone, Serialize)]
pub struct Kept {
    #[serde(flatten)]
    pub origin: Origin,
    /// What it is, in a few words or as written.
    pub what: String,
    /// Why devgen.toml does not take it, and what becomes of it.
    pub why: String,
}

/// Everything an import found, in the order found.
#[derive(Debug, Default)]
pub struct Findings {
    pub taken: Vec<Taken>,
    pub kept: Vec<Kept>,
    /// Things worth knowing that are neither (an address that is no project's).
    pub notes: Vec<String>,
    /// Files read, in order.
    pub read: Vec<String>,
}

impl Findings {
    /// Take `value` for `section.key`, unless an earlier source gave the key a value: then
    /// keep the earlier and report this one when it differs.
    pub fn take(&mut self, setting: Setting, origin: Origin, source: impl Into<String>) {
        let source = source.into();
        let earlier = self
            .taken
            .iter()
            .find(|t| t.setting.section == setting.section && t.setting.key == setting.key);
        match earlier {
            None => self.taken.push(Taken {
                setting,
                origin,
                source,
            }),
            Some(t) if same_value(&t.setting.value, &setting.value) => {}
            Some(t) => {
                let why = format!(
                    "{} is {} already, from {}",
                    t.setting.name(),
                    shown(&t.setting.value),
                    t.origin
                );
                self.keep(origin, source, why);
            }
        }
    }

    pub fn keep(&mut self, origin: Origin, what: impl Into<String>, why: impl Into<String>) {
        self.kept.push(Kept {
            origin,
            what: what.into(),
            why: why.into(),
        });
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }

    /// The value taken for `section.key`, if any.
    pub fn value(&self, section: &str, key: &str) -> Option<&Value> {
        self.taken_with_origin(section, key).map(|(value, _)| value)
    }

    /// The value taken for `section.key`, with where it came from.
    pub fn taken_with_origin(&self, section: &str, key: &str) -> Option<(&Value, &Origin)> {
        let t = self
            .taken
            .iter()
            .find(|t| t.setting.section == section && t.setting.key == key)?;
        Some((t.setting.value.as_ref()?, &t.origin))
    }

    /// The string taken for `section.key`, if any.
    pub fn str(&self, section: &str, key: &str) -> Option<&str> {
        self.value(section, key).and_then(Value::as_str)
    }

    /// Forget what was taken for `section.key` (a value that turned out to be the default).
    pub fn forget(&mut self, section: &str, key: &str) {
        self.taken
            .retain(|t| !(t.setting.section == section && t.setting.key == key));
    }
}

/// A value as devgen.toml would say it: `"16"`, `5433`, `["a", "b"]`; `(none)` for a removal.
pub fn shown(value: &Option<Value>) -> String {
    match value {
        Some(v) => {
            let mut v = v.clone();
            v.decor_mut().clear();
            v.to_string()
        }
        None => "(none)".to_string(),
    }
}

fn same_value(a: &Option<Value>, b: &Option<Value>) -> bool {
    shown(a) == shown(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_source_wins_and_a_disagreeing_one_is_reported() {
        let mut f = Findings::default();
        let port = |p: i64| Setting::new("postgres", "port", Some(p.into()));
        f.take(port(5433), Origin::new("devenv.nix", 7), "5433");
        f.take(port(5433), Origin::new("config/dev.exs", 9), "port: 5433");
        f.take(port(5434), Origin::new("compose.yaml", 4), "5434:5432");
        assert_eq!(f.taken.len(), 1);
        assert_eq!(f.kept.len(), 1);
        assert_eq!(f.kept[0].origin.to_string(), "compose.yaml:4");
        assert_eq!(
            f.kept[0].why,
            "postgres.port is 5433 already, from devenv.nix:7"
        );
    }
}
