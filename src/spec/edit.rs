//! Edits of `devgen.toml` that keep it as its owner wrote it: comments, layout, key order,
//! line endings and a byte-order mark all stay; only the keys devgen sets change. `init`
//! writes the address the machine registry gave into `[project]`; `sync --adopt` writes
//! values changed by hand in generated files back into their keys.

use std::net::Ipv4Addr;

use toml_edit::{value, DocumentMut, Item, Table, TableLike, Value};

use super::SPEC_FILE;
use crate::diagnostic::Diagnostic;
use crate::error::{Error, Result};
use crate::text::with_line_endings_of;

/// One key of the spec and the value an edit gives it; `None` removes the key.
#[derive(Debug, Clone)]
pub struct Setting {
    pub section: &'static str,
    pub key: String,
    pub value: Option<Value>,
}

impl Setting {
    pub fn new(section: &'static str, key: impl Into<String>, value: Option<Value>) -> Self {
        Setting {
            section,
            key: key.into(),
            value,
        }
    }

    /// `section.key`, as messages name it.
    pub fn name(&self) -> String {
        format!("{}.{}", self.section, self.key)
    }
}

/// A spec being edited.
pub struct SpecEdit {
    original: String,
    doc: DocumentMut,
}

impl SpecEdit {
    pub fn parse(text: &str) -> Result<SpecEdit> {
        let doc = text.parse::<DocumentMut>().map_err(|e| {
            Diagnostic::new(
                SPEC_FILE,
                text,
                e.span().unwrap_or(0..0),
                format!("invalid TOML: {}", e.message().trim_end()),
            )
            .with_help("see https://toml.io for the syntax; strings need double quotes")
            .into_error()
        })?;
        Ok(SpecEdit {
            original: text.to_string(),
            doc,
        })
    }

    /// Whether `section.key` is set.
    pub fn has(&self, section: &str, key: &str) -> bool {
        let mut table: &dyn TableLike = self.doc.as_table();
        for part in section.split('.') {
            match table.get(part).and_then(Item::as_table_like) {
                Some(t) => table = t,
                None => return false,
            }
        }
        table.contains_key(key)
    }

    /// Set (or remove) a key, keeping the comments around the value it replaces; a missing
    /// section is added at the end (a dotted one, `services.nats`, as `[services.nats]`
    /// under an implicit `services`). A section written as an inline table
    /// (`toolchain = { … }`) stays one.
    pub fn set(&mut self, setting: &Setting) {
        let Some(section) = self.section_mut(setting.section, setting.value.is_some()) else {
            return;
        };
        let Some(mut new) = setting.value.clone() else {
            section.remove(&setting.key);
            return;
        };
        match section.get_mut(&setting.key).and_then(Item::as_value_mut) {
            Some(old) => {
                *new.decor_mut() = old.decor().clone();
                *old = new;
            }
            None => {
                section.insert(&setting.key, Item::Value(new));
            }
        }
    }

    /// The table of the dotted `name`, added when missing and `create`; `None` when it is
    /// missing and not to be added, or is not a table.
    fn section_mut(&mut self, name: &str, create: bool) -> Option<&mut dyn TableLike> {
        let mut table: &mut dyn TableLike = self.doc.as_table_mut();
        let parts: Vec<&str> = name.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            if !table.contains_key(part) {
                if !create {
                    return None;
                }
                let mut new = Table::new();
                // A parent only named by its child's header: `[services.nats]` alone.
                new.set_implicit(i + 1 < parts.len());
                table.insert(part, Item::Table(new));
            }
            table = table.get_mut(part)?.as_table_like_mut()?;
        }
        Some(table)
    }

    /// Write `ip = "…"` into `[project]`, with a comment saying where it came from.
    pub fn insert_ip(&mut self, ip: Ipv4Addr) -> Result<()> {
        match self.doc.get_mut("project") {
            Some(Item::Table(t)) => {
                t.insert("ip", value(ip.to_string()));
                if let Some(mut key) = t.key_mut("ip") {
                    key.leaf_decor_mut().set_prefix(
                        "# This project's own loopback address, taken from the machine registry\n",
                    );
                }
            }
            Some(Item::Value(Value::InlineTable(t))) => {
                t.insert("ip", ip.to_string().into());
                t.fmt();
            }
            _ => {
                return Err(Error::Usage(format!(
                    "{SPEC_FILE} has no [project] table to write the ip into\n  = help: add [project] with at least `name = \"…\"`"
                )))
            }
        }
        Ok(())
    }

    /// The edited text, in the original's line endings.
    pub fn finish(self) -> String {
        with_line_endings_of(&self.original, &self.doc.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_ip(spec: &str) -> String {
        let mut edit = SpecEdit::parse(spec).unwrap();
        edit.insert_ip(Ipv4Addr::new(127, 0, 0, 30)).unwrap();
        edit.finish()
    }

    #[test]
    fn insert_ip_keeps_the_spec_as_written() {
        let spec = "# top\n[project]\nname = \"acme\"  # the name\n\n# tools\n[toolchain]\nelixir = \"1.18\"\n";
        assert_eq!(
            with_ip(spec),
            "# top\n[project]\nname = \"acme\"  # the name\n# This project's own loopback address, taken from the machine registry\nip = \"127.0.0.30\"\n\n# tools\n[toolchain]\nelixir = \"1.18\"\n"
        );
        assert_eq!(
            with_ip("project = { name = \"acme\" }\n"),
            "project = { name = \"acme\", ip = \"127.0.0.30\" }\n"
        );
    }

    #[test]
    fn an_inline_section_takes_its_new_key_inline() {
        let mut edit =
            SpecEdit::parse("project = { name = \"a\" }\ntoolchain = { elixir = \"1.18\" }\n")
                .unwrap();
        edit.set(&Setting::new("toolchain", "postgres", Some("17".into())));
        edit.set(&Setting::new("toolchain", "elixir", None));
        let text = edit.finish();
        assert!(text.contains("toolchain = {"), "{text}");
        assert!(text.contains("postgres = \"17\""), "{text}");
        assert!(!text.contains("elixir"), "{text}");
    }

    #[test]
    fn a_dotted_section_is_added_under_its_parent() {
        let mut edit = SpecEdit::parse("[project]\nname = \"a\"\n").unwrap();
        edit.set(&Setting::new("services.nats", "port", Some(4223.into())));
        edit.set(&Setting::new("services.redis", "port", Some(6380.into())));
        edit.set(&Setting::new("services.minio", "port", None));
        assert_eq!(
            edit.finish(),
            "[project]\nname = \"a\"\n\n[services.nats]\nport = 4223\n\n[services.redis]\nport = 6380\n"
        );
    }

    #[test]
    fn a_set_value_keeps_its_comment_and_a_missing_section_is_added() {
        let mut edit =
            SpecEdit::parse("[project]\nname = \"a\"\n\n[postgres]\nport = 5432   # the port\n")
                .unwrap();
        edit.set(&Setting::new("postgres", "port", Some(6000.into())));
        edit.set(&Setting::new("toolchain", "postgres", Some("17".into())));
        edit.set(&Setting::new("toolchain", "erlang", None));
        assert_eq!(
            edit.finish(),
            "[project]\nname = \"a\"\n\n[postgres]\nport = 6000   # the port\n\n[toolchain]\npostgres = \"17\"\n"
        );
    }
}
