//! The private native module `hubmatch._hubmatch`.
//!
//! This crate only converts: Python values (and Arrow tables, and numpy
//! arrays) to core types and back, and core errors to Python exceptions (in
//! `errors`, the one place they are mapped). Every call that may take time
//! goes through `errors::run`, which releases the GIL, lets Ctrl-C stop a
//! solve, and turns a panic into an exception.

// Doc comments here are Python docstrings, written for Python readers.
#![allow(clippy::doc_markdown)]

mod analysis;
mod bipartite;
mod district;
mod errors;
mod frames;
mod results;
mod scenarios;

use pyo3::prelude::*;

/// The native module.
#[pymodule]
fn _hubmatch(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    analysis::register(m)?;
    scenarios::register(m)?;
    m.add_class::<district::PyDistrict>()?;
    m.add_class::<district::PyPolicy>()?;
    m.add_class::<results::PyMatchResult>()?;
    m.add_class::<bipartite::PyBipartiteResult>()?;
    m.add_function(wrap_pyfunction!(district::read_json, m)?)?;
    m.add_function(wrap_pyfunction!(district::read_csv_dir, m)?)?;
    m.add_function(wrap_pyfunction!(district::synthetic_district, m)?)?;
    m.add_function(wrap_pyfunction!(results::match_, m)?)?;
    m.add_function(wrap_pyfunction!(bipartite::solve_bipartite, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
