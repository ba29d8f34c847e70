//! District documents in JSON (`"format": "hubmatch.district/1"`).

use std::path::Path;

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::model::{District, FORMAT};

#[derive(Deserialize)]
struct FormatProbe {
    format: Option<String>,
}

/// Parses a district document from JSON text (without validating it).
///
/// ```
/// let d = hubmatch::io::json::district_from_str(
///     r#"{"format": "hubmatch.district/1", "id": "d", "communities": []}"#,
/// ).unwrap();
/// assert_eq!(d.id, "d");
/// let err = hubmatch::io::json::district_from_str(r#"{"format": "other/2"}"#).unwrap_err();
/// assert!(err.to_string().contains("unsupported format"));
/// ```
pub fn district_from_str(text: &str) -> Result<District> {
    district_from_named_str(text, "<string>")
}

fn district_from_named_str(text: &str, source_name: &str) -> Result<District> {
    let parse_error = |e: serde_json::Error| Error::Parse {
        source_name: source_name.to_owned(),
        message: e.to_string(),
    };
    // Check the format tag first, so a document of another version gets that
    // message instead of a confusing field error.
    let probe: FormatProbe = serde_json::from_str(text).map_err(parse_error)?;
    match probe.format.as_deref() {
        Some(FORMAT) => {}
        found => {
            return Err(Error::Format {
                source_name: source_name.to_owned(),
                found: found.unwrap_or("<missing>").to_owned(),
                expected: FORMAT,
            });
        }
    }
    // The path of the failing field (e.g. `providers[0].kind`) names the record.
    let mut de = serde_json::Deserializer::from_str(text);
    let district: District =
        serde_path_to_error::deserialize(&mut de).map_err(|e| Error::Parse {
            source_name: source_name.to_owned(),
            message: format!("{}: {}", e.path(), e.inner()),
        })?;
    de.end().map_err(parse_error)?;
    Ok(district)
}

/// Serialises a district as pretty-printed JSON.
///
/// ```
/// let d = hubmatch::District::new("d");
/// let text = hubmatch::io::json::district_to_string(&d);
/// assert_eq!(hubmatch::io::json::district_from_str(&text).unwrap(), d);
/// ```
pub fn district_to_string(district: &District) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string_pretty(district).unwrap_or_default()
}

/// Reads a district document from a file (without validating it).
///
/// ```
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// assert_eq!(d.communities.len(), 2);
/// ```
pub fn read_district(path: impl AsRef<Path>) -> Result<District> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })?;
    district_from_named_str(&text, &path.display().to_string())
}

/// Writes a district document to a file.
pub fn write_district(district: &District, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let mut text = district_to_string(district);
    text.push('\n');
    std::fs::write(path, text).map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}
