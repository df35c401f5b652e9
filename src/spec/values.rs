//! The value types of the spec that need their own reading: a port, LiveDebugger's port or
//! `false`, and a version written as a string or an integer (never a float, since TOML reads
//! `1.10` as `1.1`). Each says in its error what to write instead, and gives its JSON Schema.

use std::borrow::Cow;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

/// A TCP port, 1–65535.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Port(pub u16);

impl JsonSchema for Port {
    fn schema_name() -> Cow<'static, str> {
        "Port".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "description": "A TCP port.", "type": "integer", "minimum": 1, "maximum": 65535 })
    }
}

impl JsonSchema for LiveDebugger {
    fn schema_name() -> Cow<'static, str> {
        "LiveDebugger".into()
    }

    fn json_schema(g: &mut SchemaGenerator) -> Schema {
        json_schema!({ "anyOf": [g.subschema_for::<Port>(), { "const": false }] })
    }
}

impl JsonSchema for Version {
    fn schema_name() -> Cow<'static, str> {
        "Version".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A version as a string (\"1.18\", \"27\"): TOML reads the number 1.10 as 1.1.",
            "anyOf": [
                { "type": "string", "pattern": "^[0-9]+(\\.[0-9]+)?$" },
                { "type": "integer", "minimum": 0 }
            ]
        })
    }
}

impl Port {
    fn from_i64<E: de::Error>(v: i64) -> Result<Port, E> {
        match u16::try_from(v) {
            Ok(p) if p > 0 => Ok(Port(p)),
            _ => Err(E::custom(format!(
                "port {v} is out of range: ports are 1 to 65535"
            ))),
        }
    }
}

impl<'de> Deserialize<'de> for Port {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct PortVisitor;
        impl Visitor<'_> for PortVisitor {
            type Value = Port;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port number between 1 and 65535")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Port, E> {
                Port::from_i64(v)
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Port, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(PortVisitor)
    }
}

/// `live_debugger`: a port, or `false` to leave LiveDebugger out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LiveDebugger {
    Off,
    Port(Port),
}

impl<'de> Deserialize<'de> for LiveDebugger {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct LdVisitor;
        impl Visitor<'_> for LdVisitor {
            type Value = LiveDebugger;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a port number (like 4007) or false")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<LiveDebugger, E> {
                if v {
                    Err(E::custom(
                        "live_debugger takes a port number (like 4007) or false, not true",
                    ))
                } else {
                    Ok(LiveDebugger::Off)
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<LiveDebugger, E> {
                Ok(LiveDebugger::Port(Port::from_i64(v)?))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<LiveDebugger, E> {
                self.visit_i64(i64::try_from(v).unwrap_or(i64::MAX))
            }
        }
        d.deserialize_any(LdVisitor)
    }
}

/// A toolchain version as written: `"1.18"`, `"27"` or `27`. Floats are refused because
/// TOML reads `1.10` as `1.1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version(pub String);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct VersionVisitor;
        impl Visitor<'_> for VersionVisitor {
            type Value = Version;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a version string like \"1.18\" or \"27\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Version, E> {
                Ok(Version(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Version, E> {
                Err(E::custom(format!(
                    "version {v} is a number; write it as a string, like \"{v}\", \
                     since TOML reads 1.10 as 1.1"
                )))
            }
        }
        d.deserialize_any(VersionVisitor)
    }
}
