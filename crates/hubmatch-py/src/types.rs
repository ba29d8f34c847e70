//! Python classes wrapping core types, and the module functions.

use hubmatch::io::results::ResultTables;
use hubmatch::solve::{MatchOptions, Mode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::errors::run;

/// A district: communities, service categories, providers, needs and policy.
#[pyclass(module = "hubmatch", name = "District", frozen)]
#[derive(Clone)]
pub struct PyDistrict {
    pub inner: hubmatch::District,
}

#[pymethods]
impl PyDistrict {
    /// Parses a district document (JSON text); raises on malformed input.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: String) -> PyResult<Self> {
        run(py, move || hubmatch::io::json::district_from_str(&text))
            .map(|inner| PyDistrict { inner })
    }

    /// The district as a JSON document.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let d = &self.inner;
        run(py, || Ok(hubmatch::io::json::district_to_string(d)))
    }

    /// Checks every rule; raises `InvalidInputError` naming the record and field.
    fn validate(&self, py: Python<'_>) -> PyResult<()> {
        let d = &self.inner;
        run(py, || d.validate().map(|_| ()))
    }

    /// Identifier of the district.
    #[getter]
    fn id(&self) -> String {
        self.inner.id.clone()
    }

    /// Ids of the communities, in order.
    #[getter]
    fn community_ids(&self) -> Vec<String> {
        self.inner
            .communities
            .iter()
            .map(|c| c.id.clone())
            .collect()
    }

    /// Number of needs.
    #[getter]
    fn need_count(&self) -> usize {
        self.inner.needs.len()
    }

    /// Number of providers.
    #[getter]
    fn provider_count(&self) -> usize {
        self.inner.providers.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "District(id={:?}, communities={}, needs={}, providers={})",
            self.inner.id,
            self.inner.communities.len(),
            self.inner.needs.len(),
            self.inner.providers.len()
        )
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    /// Pickles as its JSON document, which is lossless.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let text = hubmatch::io::json::district_to_string(&slf.get().inner);
        let ctor = py.get_type::<PyDistrict>().getattr("from_json")?;
        PyTuple::new(py, [ctor.into_any(), PyTuple::new(py, [text])?.into_any()])
    }
}

/// One assignment row as Python receives it.
type AssignmentTuple = (String, String, String, String, String, i64, f64, bool);

/// The optimal allocation of a district in one mode.
#[pyclass(module = "hubmatch", name = "MatchResult", frozen)]
pub struct PyMatchResult {
    tables: ResultTables,
    objective: i64,
}

#[pymethods]
impl PyMatchResult {
    /// Objective in points: total weight served minus unserved penalties.
    #[getter]
    fn objective(&self) -> f64 {
        hubmatch::fixed::weight_to_f64(self.objective)
    }

    /// Objective in exact integer thousandths of a point.
    #[getter]
    fn objective_exact(&self) -> i64 {
        self.objective
    }

    /// `"pooled"` or `"per_community"`.
    #[getter]
    fn mode(&self) -> String {
        self.tables.summary.mode.clone()
    }

    /// The summary as a JSON document.
    fn summary_json(&self) -> String {
        serde_json::to_string(&self.tables.summary).unwrap_or_default()
    }

    /// Units served, as rows (need, community, category, provider, provider_kind, units, weight_per_unit, cross_community).
    fn assignment_rows(&self) -> Vec<AssignmentTuple> {
        self.tables
            .assignments
            .iter()
            .map(|a| {
                (
                    a.need.clone(),
                    a.community.clone(),
                    a.category.clone(),
                    a.provider.clone(),
                    a.provider_kind.clone(),
                    a.units,
                    a.weight_per_unit,
                    a.cross_community,
                )
            })
            .collect()
    }

    /// Unserved units, as rows (need, community, category, units, reason).
    fn unmet_rows(&self) -> Vec<(String, String, String, i64, String)> {
        self.tables
            .unmet
            .iter()
            .map(|u| {
                (
                    u.need.clone(),
                    u.community.clone(),
                    u.category.clone(),
                    u.units,
                    u.reason.clone(),
                )
            })
            .collect()
    }

    fn __repr__(&self) -> String {
        let s = &self.tables.summary;
        format!(
            "MatchResult(mode={:?}, objective={}, served={}, unmet={})",
            s.mode, s.objective, s.served, s.unmet
        )
    }
}

/// Reads a district document from a JSON file.
#[pyfunction]
fn read_json(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyDistrict> {
    run(py, move || hubmatch::io::json::read_district(&path)).map(|inner| PyDistrict { inner })
}

/// Reads a district from a folder of CSV tables.
#[pyfunction]
fn read_csv_dir(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyDistrict> {
    run(py, move || hubmatch::io::csv::read_district_dir(&path)).map(|inner| PyDistrict { inner })
}

/// Generates a synthetic district from a preset and a seed.
#[pyfunction]
#[pyo3(signature = (preset = "district-13", seed = 0))]
fn synthetic_district(py: Python<'_>, preset: &str, seed: u64) -> PyResult<PyDistrict> {
    let knobs = hubmatch::synthetic::Knobs::preset(preset)
        .ok_or_else(|| PyValueError::new_err(format!("unknown preset {preset:?}")))?;
    run(py, move || Ok(hubmatch::synthetic::generate(&knobs, seed)))
        .map(|inner| PyDistrict { inner })
}

/// Matches a district optimally: `mode` is "pooled" or "per_community".
#[pyfunction]
#[pyo3(signature = (district, mode = "pooled", aggregate = true))]
fn match_district(
    py: Python<'_>,
    district: &PyDistrict,
    mode: &str,
    aggregate: bool,
) -> PyResult<PyMatchResult> {
    let mode = Mode::parse(mode).ok_or_else(|| {
        PyValueError::new_err(format!(
            "mode must be \"pooled\" or \"per_community\", got {mode:?}"
        ))
    })?;
    let d = &district.inner;
    let options = MatchOptions {
        aggregate,
        ..MatchOptions::default()
    };
    run(py, move || {
        let ix = d.validate()?;
        let result = hubmatch::solve::match_district(&ix, mode, &options, None)?;
        Ok(PyMatchResult {
            tables: ResultTables::new(d, &result),
            objective: result.objective,
        })
    })
}

/// Adds the classes and functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyDistrict>()?;
    m.add_class::<PyMatchResult>()?;
    m.add_function(wrap_pyfunction!(read_json, m)?)?;
    m.add_function(wrap_pyfunction!(read_csv_dir, m)?)?;
    m.add_function(wrap_pyfunction!(synthetic_district, m)?)?;
    m.add_function(wrap_pyfunction!(match_district, m)?)?;
    Ok(())
}
