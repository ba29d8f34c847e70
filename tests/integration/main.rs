//! Integration tests of hubmatch: one binary, one module per topic.

mod analytics;
mod cli;
mod engine;
mod model_io;
mod modes;
mod validation;

use std::path::PathBuf;

/// Path of a file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The hand-checked example district.
pub fn example() -> hubmatch::District {
    hubmatch::io::json::read_district(data("example.json")).expect("example district parses")
}
