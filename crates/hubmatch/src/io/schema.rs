//! The JSON Schema of district documents, generated from the model types.

use crate::model::District;

/// The JSON Schema of `hubmatch.district/1` documents, pretty-printed.
///
/// The committed copy lives in `schema/district.schema.json`; a test fails
/// when it is stale (regenerate with `hubmatch schema > schema/district.schema.json`).
///
/// ```
/// let schema = hubmatch::io::schema::district_schema();
/// assert!(schema.contains("\"District\""));
/// ```
pub fn district_schema() -> String {
    let schema = schemars::schema_for!(District);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
