//! Errors of the core. Every rejection names the field (a dotted path such as
//! `optimizer.lr`), the value and what is allowed.

use serde::de::DeserializeOwned;
use std::fmt;

#[derive(Clone, Debug, PartialEq)]
pub enum LabError {
    /// A config or argument is out of its allowed range or of the wrong type.
    Invalid { field: String, message: String },
    /// Saved state that cannot be restored (truncated or corrupted JSON, mismatched sizes).
    State(String),
}

impl LabError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        LabError::Invalid { field: field.into(), message: message.into() }
    }
}

impl fmt::Display for LabError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LabError::Invalid { field, message } => write!(f, "{field}: {message}"),
            LabError::State(m) => write!(f, "state: {m}"),
        }
    }
}

impl std::error::Error for LabError {}

pub type Result<T> = std::result::Result<T, LabError>;

/// A number for a message: integers without a fraction (`10`, not `10.0`), others in Rust's
/// shortest round-trip form with an exponent when far from 1 (`1e-9`, `1e300`).
pub fn num(x: impl Into<f64>) -> String {
    let x = x.into();
    if x.fract() == 0.0 && x.abs() < 1e16 {
        format!("{}", x as i64)
    } else {
        format!("{x:?}")
    }
}

/// Deserializes JSON text as a `T`; an error carries the field path where it happened
/// (`model.depth`; empty at the top level) and serde_json's message (with its position).
/// Text after the value is an error.
pub fn parse_json<T: DeserializeOwned>(text: &str) -> std::result::Result<T, (String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| (path_of(e.path()), e.inner().to_string()))?;
    de.end().map_err(|e| (String::new(), e.to_string()))?;
    Ok(value)
}

/// A serde_path_to_error path as `model.depth` or `params[3]` (empty for the top level),
/// without the unknown segment of a key not read yet (a syntax error between fields).
pub fn path_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {}
        }
    }
    out
}
