//! `match` and its `MatchResult`: results out as Arrow tables (pyarrow,
//! then pandas or polars in the Python package), pickled exactly.

use std::sync::{Arc, OnceLock};

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use hubmatch::analyze::Scenario;
use hubmatch::io::results::ResultTables;
use hubmatch::solve::{MatchOptions, MatchResult, Mode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};
use pyo3_arrow::PyTable;
use serde::{Deserialize, Serialize};

use crate::district::{PyDistrict, PyPolicy};
use crate::errors::run;

#[derive(Serialize, Deserialize)]
pub(crate) struct State {
    result: MatchResult,
    tables: ResultTables,
}

/// The optimal allocation of a district in one mode, with its tables.
///
/// The tables (rows of owned ids, 40-50 ms and 12 MB on district-13) are
/// built when first read, with the GIL released, from the district that
/// labels the result: a scenario sweep that reads only objectives and unit
/// totals builds none, nor the changed districts that would label them.
#[pyclass(module = "hubmatch", name = "MatchResult", frozen)]
pub struct PyMatchResult {
    result: MatchResult,
    tables: OnceLock<ResultTables>,
    labels: Labels,
    seconds: Option<f64>,
}

/// What the tables of a result are built from.
pub(crate) enum Labels {
    /// Built already (the tables are set).
    Built,
    /// A district held by Python.
    District(Py<PyDistrict>),
    /// A scenario of a district held by Python, applied when the tables are built.
    Scenario(Py<PyDistrict>, Arc<Scenario>),
}

impl PyMatchResult {
    /// Wraps a core result of `district` with its tables built now.
    pub(crate) fn built(
        district: &hubmatch::District,
        result: MatchResult,
        seconds: Option<f64>,
    ) -> Self {
        let tables = OnceLock::from(ResultTables::new(district, &result));
        PyMatchResult {
            result,
            tables,
            labels: Labels::Built,
            seconds,
        }
    }

    /// Wraps a core result whose tables are built from `labels` when first read.
    pub(crate) fn labelled(labels: Labels, result: MatchResult, seconds: Option<f64>) -> Self {
        PyMatchResult {
            result,
            tables: OnceLock::new(),
            labels,
            seconds,
        }
    }

    /// The core result.
    pub(crate) fn core(&self) -> &MatchResult {
        &self.result
    }

    /// The result's tables, built on first use with the GIL released.
    fn tables(&self, py: Python<'_>) -> PyResult<&ResultTables> {
        if let Some(t) = self.tables.get() {
            return Ok(t);
        }
        let r = &self.result;
        let built = match &self.labels {
            Labels::Built => {
                return Err(PyValueError::new_err("a result without its tables"));
            }
            Labels::District(d) => {
                let d = &d.get().inner;
                run(py, move |_| Ok(ResultTables::new(d, r)))?
            }
            Labels::Scenario(d, scenario) => {
                let d = &d.get().inner;
                run(py, move |_| Ok(ResultTables::new(&scenario.apply(d)?, r)))?
            }
        };
        // Another thread may have built them meanwhile: the same tables.
        Ok(self.tables.get_or_init(|| built))
    }
}

pub(crate) fn ints(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(values))
}

pub(crate) fn floats(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(values))
}

/// A text column, its bytes copied once into the array (borrowed ids need
/// no `String` each).
pub(crate) fn text(values: impl Iterator<Item = impl AsRef<str>>) -> ArrayRef {
    Arc::new(StringArray::from_iter_values(values))
}

pub(crate) fn table(py: Python<'_>, columns: Vec<(&str, ArrayRef)>) -> PyResult<Py<PyAny>> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), false))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    let batch = RecordBatch::try_new(schema.clone(), arrays)
        .map_err(|e| crate::errors::to_py_parse("result", &e.to_string()))?;
    Ok(PyTable::try_new(vec![batch], schema)?
        .into_pyarrow(py)?
        .unbind())
}

#[pymethods]
impl PyMatchResult {
    /// Objective in points: total weight served minus unserved penalties.
    #[getter]
    fn objective(&self) -> f64 {
        hubmatch::fixed::weight_to_f64(self.result.objective)
    }

    /// Objective in exact integer thousandths of a point.
    #[getter]
    fn objective_exact(&self) -> i64 {
        self.result.objective
    }

    /// Wall time of the core matching in Rust (eligibility, solve and
    /// certificate), in seconds; `None` for an unpickled result.
    #[getter]
    fn solve_seconds(&self) -> Option<f64> {
        self.seconds
    }

    /// `"pooled"` or `"per_community"`.
    #[getter]
    fn mode(&self) -> &'static str {
        self.result.mode.as_str()
    }

    /// The summary (served and unmet units by community, category and provider kind) as JSON.
    fn summary_json(&self, py: Python<'_>) -> PyResult<String> {
        Ok(serde_json::to_string(&self.tables(py)?.summary).unwrap_or_default())
    }

    /// Units served in all (read from the allocation: builds no table).
    #[getter]
    fn served_units(&self) -> i64 {
        self.result.assignments.iter().map(|a| a.units).sum()
    }

    /// Units left unserved in all (read from the allocation: builds no
    /// table); with `served_units`, every unit needed.
    #[getter]
    fn unmet_units(&self) -> i64 {
        self.result.unmet.iter().map(|u| u.units).sum()
    }

    /// One result table as a data frame: `name` is "assignments", "unmet" or
    /// "utilisation"; `backend` is "pandas" (default), "pyarrow" or "polars".
    #[pyo3(signature = (name, backend = "pandas"))]
    fn frame(&self, py: Python<'_>, name: &str, backend: &str) -> PyResult<Py<PyAny>> {
        let t = match name {
            "assignments" => self.assignments_arrow(py)?,
            "unmet" => self.unmet_arrow(py)?,
            "utilisation" => self.utilisation_arrow(py)?,
            other => {
                return Err(PyValueError::new_err(format!(
                    "unknown table {other:?}; expected assignments, unmet or utilisation"
                )));
            }
        };
        match backend {
            "pyarrow" => Ok(t),
            "pandas" => Ok(t.bind(py).call_method0("to_pandas")?.unbind()),
            "polars" => Ok(py
                .import("polars")?
                .call_method1("from_arrow", (t,))?
                .unbind()),
            other => Err(PyValueError::new_err(format!(
                "unknown backend {other:?}; expected pandas, pyarrow or polars"
            ))),
        }
    }

    /// Units served, one row per need and provider (pandas DataFrame): need,
    /// community, category, provider, provider_kind, units, weight_per_unit,
    /// cross_community.
    #[getter]
    fn assignments(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.frame(py, "assignments", "pandas")
    }

    /// Units left unserved (pandas DataFrame): need, community, category,
    /// units, reason (no_eligible_provider, capacity_exhausted, not_worth_serving).
    #[getter]
    fn unmet(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.frame(py, "unmet", "pandas")
    }

    /// Capacity, use and shadow price of each offer, and of each shared
    /// capacity (empty category), per community share in per-community mode
    /// (pandas DataFrame).
    #[getter]
    fn utilisation(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        self.frame(py, "utilisation", "pandas")
    }

    /// Served and unmet units by community (pandas DataFrame indexed by
    /// community: needed, served, unmet, coverage, weight).
    #[getter]
    fn summary(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let by = &self.tables(py)?.summary.by_community;
        let coverage = by.values().map(|s| {
            if s.needed > 0 {
                s.served as f64 / s.needed as f64
            } else {
                0.0
            }
        });
        let t = table(
            py,
            vec![
                ("community", text(by.keys().cloned())),
                ("needed", ints(by.values().map(|s| s.needed))),
                ("served", ints(by.values().map(|s| s.served))),
                ("unmet", ints(by.values().map(|s| s.unmet))),
                ("coverage", floats(coverage)),
                ("weight", floats(by.values().map(|s| s.weight))),
            ],
        )?;
        Ok(t.bind(py)
            .call_method0("to_pandas")?
            .call_method1("set_index", ("community",))?
            .unbind())
    }

    /// The policy's coverage floors and how they are met (pandas DataFrame:
    /// floor, needed, required, served, price).
    #[getter]
    fn floors(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let f = &self.tables(py)?.summary.floors;
        let t = table(
            py,
            vec![
                ("floor", text(f.iter().map(|x| x.floor.clone()))),
                ("needed", ints(f.iter().map(|x| x.needed))),
                ("required", ints(f.iter().map(|x| x.required))),
                ("served", ints(f.iter().map(|x| x.served))),
                ("price", floats(f.iter().map(|x| x.price))),
            ],
        )?;
        Ok(t.bind(py).call_method0("to_pandas")?.unbind())
    }

    /// The policy's sector bounds and how they are met (pandas DataFrame:
    /// bound, category, kind, community, limit, share, served,
    /// served_by_kind, multiplier).
    #[getter]
    fn sectors(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let f = &self.tables(py)?.summary.sectors;
        let t = table(
            py,
            vec![
                ("bound", ints(f.iter().map(|x| i64::from(x.bound)))),
                ("category", text(f.iter().map(|x| x.category.clone()))),
                ("kind", text(f.iter().map(|x| x.kind.clone()))),
                (
                    "community",
                    text(f.iter().map(|x| x.community.clone().unwrap_or_default())),
                ),
                ("limit", text(f.iter().map(|x| x.limit.clone()))),
                ("share", floats(f.iter().map(|x| x.share))),
                ("served", ints(f.iter().map(|x| x.served))),
                ("served_by_kind", ints(f.iter().map(|x| x.served_by_kind))),
                ("multiplier", floats(f.iter().map(|x| x.multiplier))),
            ],
        )?;
        Ok(t.bind(py).call_method0("to_pandas")?.unbind())
    }

    /// Under sector bounds, a proven upper bound on the optimal objective in
    /// points (the allocation is optimal when it equals `objective`); `None`
    /// without sector bounds, where the certificate proves optimality.
    #[getter]
    fn upper_bound(&self) -> Option<f64> {
        self.result.upper_bound.map(hubmatch::fixed::weight_to_f64)
    }

    /// Every total of the result as a dict: served and unmet units overall,
    /// by community, by service system (by_category), by provider kind
    /// (by_kind, with capacity), unmet units by reason, and solver counters.
    #[getter]
    fn totals(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py
            .import("json")?
            .call_method1("loads", (self.summary_json(py)?,))?
            .unbind())
    }

    /// Checks the optimality certificate against `district` (the one matched);
    /// raises `CertificateError` if it does not hold.
    fn verify(&self, py: Python<'_>, district: &PyDistrict) -> PyResult<()> {
        let (d, r) = (&district.inner, &self.result);
        run(py, move |_| r.verify(&d.validate()?))
    }

    fn __repr__(&self) -> String {
        let r = &self.result;
        format!(
            "MatchResult(mode={:?}, objective={}, served={}, unmet={})",
            r.mode.as_str(),
            hubmatch::fixed::weight_to_f64(r.objective),
            self.served_units(),
            self.unmet_units()
        )
    }

    fn __eq__(&self, py: Python<'_>, other: &Self) -> PyResult<bool> {
        Ok(self.result == other.result && self.tables(py)? == other.tables(py)?)
    }

    /// Restores a pickled result.
    #[staticmethod]
    fn _from_state(state: &[u8]) -> PyResult<Self> {
        serde_json::from_slice(state)
            .map(|State { result, tables }| PyMatchResult {
                result,
                tables: OnceLock::from(tables),
                labels: Labels::Built,
                seconds: None,
            })
            .map_err(|e| crate::errors::to_py_parse("pickled MatchResult", &e.to_string()))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let this = slf.get();
        let state = State {
            result: this.result.clone(),
            tables: this.tables(py)?.clone(),
        };
        let bytes = serde_json::to_vec(&state).unwrap_or_default();
        let ctor = py.get_type::<PyMatchResult>().getattr("_from_state")?;
        PyTuple::new(
            py,
            [
                ctor.into_any(),
                PyTuple::new(py, [PyBytes::new(py, &bytes)])?.into_any(),
            ],
        )
    }
}

impl PyMatchResult {
    // Units served: one row per need and provider (pyarrow table).
    fn assignments_arrow(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rows = &self.tables(py)?.assignments;
        table(
            py,
            vec![
                ("need", text(rows.iter().map(|r| r.need.as_str()))),
                ("community", text(rows.iter().map(|r| r.community.as_str()))),
                ("category", text(rows.iter().map(|r| r.category.as_str()))),
                ("provider", text(rows.iter().map(|r| r.provider.as_str()))),
                (
                    "provider_kind",
                    text(rows.iter().map(|r| r.provider_kind.as_str())),
                ),
                ("units", ints(rows.iter().map(|r| r.units))),
                (
                    "weight_per_unit",
                    floats(rows.iter().map(|r| r.weight_per_unit)),
                ),
                (
                    "cross_community",
                    Arc::new(BooleanArray::from(
                        rows.iter().map(|r| r.cross_community).collect::<Vec<_>>(),
                    )),
                ),
            ],
        )
    }

    // Units left unserved, with the reason code (pyarrow table).
    fn unmet_arrow(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rows = &self.tables(py)?.unmet;
        table(
            py,
            vec![
                ("need", text(rows.iter().map(|r| r.need.as_str()))),
                ("community", text(rows.iter().map(|r| r.community.as_str()))),
                ("category", text(rows.iter().map(|r| r.category.as_str()))),
                ("units", ints(rows.iter().map(|r| r.units))),
                ("reason", text(rows.iter().map(|r| r.reason.as_str()))),
            ],
        )
    }

    // Capacity, use and shadow price of each offer and shared capacity (pyarrow table).
    fn utilisation_arrow(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rows = &self.tables(py)?.utilisation;
        table(
            py,
            vec![
                ("provider", text(rows.iter().map(|r| r.provider.as_str()))),
                (
                    "provider_kind",
                    text(rows.iter().map(|r| r.provider_kind.as_str())),
                ),
                ("category", text(rows.iter().map(|r| r.category.as_str()))),
                ("community", text(rows.iter().map(|r| r.community.as_str()))),
                ("capacity", ints(rows.iter().map(|r| r.capacity))),
                ("used", ints(rows.iter().map(|r| r.used))),
                ("utilisation", floats(rows.iter().map(|r| r.utilisation))),
                ("shadow_price", floats(rows.iter().map(|r| r.shadow_price))),
            ],
        )
    }
}

/// Matches a district optimally. `mode` is "pooled" (the hub) or
/// "per_community" (each community alone); `policy` replaces the district's
/// policy for this match; `aggregate=False` solves without merging
/// interchangeable needs (same optimum).
#[pyfunction(name = "match")]
#[pyo3(signature = (district, mode = "pooled", policy = None, aggregate = true))]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn match_(
    py: Python<'_>,
    district: Bound<'_, PyDistrict>,
    mode: &str,
    policy: Option<Bound<'_, PyPolicy>>,
    aggregate: bool,
) -> PyResult<PyMatchResult> {
    let mode = Mode::parse(mode).ok_or_else(|| {
        PyValueError::new_err(format!(
            "mode must be \"pooled\" or \"per_community\", got {mode:?}"
        ))
    })?;
    let base = &district.get().inner;
    let policy = policy.map(|p| p.get().inner.clone());
    let (result, seconds) = run(py, move |cancel| {
        let with_policy;
        let d = match policy {
            Some(p) => {
                with_policy = hubmatch::District {
                    policy: p,
                    ..base.clone()
                };
                &with_policy
            }
            None => base,
        };
        let ix = d.validate()?;
        let options = MatchOptions {
            aggregate,
            ..crate::analysis::cancellable(cancel)
        };
        let start = std::time::Instant::now();
        let result = hubmatch::solve::match_district(&ix, mode, &options, None)?;
        Ok((result, Some(start.elapsed().as_secs_f64())))
    })?;
    // The policy labels nothing in the tables: the district given does.
    let labels = Labels::District(district.unbind());
    Ok(PyMatchResult::labelled(labels, result, seconds))
}
