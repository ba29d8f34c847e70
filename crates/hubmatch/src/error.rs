//! Typed errors. Every failure the library can report is a variant of [`Error`];
//! bad input is a [`ValidationError`] that names the record and the field.

use std::fmt;

/// The kind of record a [`ValidationError`] points at.
///
/// ```
/// use hubmatch::RecordKind;
/// assert_eq!(RecordKind::Need.to_string(), "need");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// The district document itself (format tag, top-level fields).
    District,
    /// A community.
    Community,
    /// A grid cell of a community.
    Cell,
    /// A declared service category.
    Category,
    /// A resident's need.
    Need,
    /// A provider.
    Provider,
    /// One offer of a provider (id is `provider/category`).
    Offer,
    /// The policy.
    Policy,
    /// A node of a bare bipartite graph (`solve-graph` input).
    GraphNeed,
    /// A provider of a bare bipartite graph.
    GraphProvider,
    /// An edge of a bare bipartite graph.
    GraphEdge,
    /// A node or arc of a raw flow network.
    Network,
    /// A scenario of a sweep.
    Scenario,
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::District => "district",
            Self::Community => "community",
            Self::Cell => "cell",
            Self::Category => "category",
            Self::Need => "need",
            Self::Provider => "provider",
            Self::Offer => "offer",
            Self::Policy => "policy",
            Self::GraphNeed => "graph need",
            Self::GraphProvider => "graph provider",
            Self::GraphEdge => "graph edge",
            Self::Network => "network",
            Self::Scenario => "scenario",
        })
    }
}

/// Bad input: which record, which field, and what is wrong with it.
///
/// Displays as `need "n42": units must be > 0, got -3`.
///
/// ```
/// use hubmatch::{RecordKind, ValidationError};
/// let e = ValidationError::new(RecordKind::Need, "n42", "units", "must be > 0, got -3");
/// assert_eq!(e.to_string(), r#"need "n42": units must be > 0, got -3"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// What kind of record is at fault.
    pub kind: RecordKind,
    /// The record's id (or its position, `#3`, when it has no usable id).
    pub record: String,
    /// The offending field.
    pub field: String,
    /// What is wrong, in words, quoting the value given.
    pub problem: String,
}

impl ValidationError {
    /// Builds an error for `field` of the record `record` of kind `kind`.
    pub fn new(
        kind: RecordKind,
        record: impl Into<String>,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) -> Self {
        Self {
            kind,
            record: record.into(),
            field: field.into(),
            problem: problem.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {:?}: {} {}",
            self.kind, self.record, self.field, self.problem
        )
    }
}

impl std::error::Error for ValidationError {}

/// Every error hubmatch reports.
///
/// The Python binding maps each variant to one exception class.
///
/// ```
/// use hubmatch::Error;
/// let err = hubmatch::io::json::district_from_str("{").unwrap_err();
/// assert!(matches!(err, Error::Parse { .. }));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input is well formed but wrong: a record's field breaks a rule.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// The input could not be parsed (malformed JSON or CSV, wrong types).
    #[error("{source_name}: {message}")]
    Parse {
        /// File or stream the text came from.
        source_name: String,
        /// The parser's message, with line and column where known.
        message: String,
    },
    /// The document declares a format this version does not read.
    #[error("{source_name}: unsupported format {found:?}, expected {expected:?}")]
    Format {
        /// File or stream the text came from.
        source_name: String,
        /// The `format` field found.
        found: String,
        /// The format this version reads.
        expected: &'static str,
    },
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The numbers are too large to compute exactly in 64-bit integers.
    #[error("numeric range exceeded: {0}")]
    Overflow(String),
    /// A solution failed its optimality certificate (a bug: please report it).
    #[error("certificate check failed: {0}")]
    Certificate(String),
    /// The solve was cancelled through its [`crate::solve::CancelFlag`].
    #[error("cancelled")]
    Cancelled,
    /// A flow network has no feasible flow (supplies cannot be routed).
    #[error("infeasible: {0}")]
    Infeasible(String),
}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
