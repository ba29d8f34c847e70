//! The private native module `hubmatch._hubmatch`.
//!
//! This crate only converts: Python values to core types and back, and core
//! errors to Python exceptions (in `errors`). Every call that may take time
//! goes through `errors::run`, which releases the GIL and turns a panic
//! into an exception.

// Doc comments here are Python docstrings, written for Python readers.
#![allow(clippy::doc_markdown)]

mod errors;
mod types;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _hubmatch(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    types::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
