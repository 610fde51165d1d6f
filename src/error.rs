//! Errors of the core. Every rejection names the field (a dotted path such as
//! `optimizer.lr`), the value and what is allowed.

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
