//! `match` and its `MatchResult`: results out as Arrow tables (pyarrow,
//! then pandas or polars in the Python package), pickled exactly.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
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
#[pyclass(module = "hubmatch", name = "MatchResult", frozen)]
pub struct PyMatchResult {
    state: State,
    seconds: Option<f64>,
}

impl PyMatchResult {
    /// Wraps a core result of `district`.
    pub(crate) fn new(
        district: &hubmatch::District,
        result: MatchResult,
        seconds: Option<f64>,
    ) -> Self {
        let tables = ResultTables::new(district, &result);
        PyMatchResult {
            state: State { result, tables },
            seconds,
        }
    }

    /// The core result.
    pub(crate) fn core(&self) -> &MatchResult {
        &self.state.result
    }
}

pub(crate) fn ints(values: impl Iterator<Item = i64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(values))
}

pub(crate) fn floats(values: impl Iterator<Item = f64>) -> ArrayRef {
    Arc::new(Float64Array::from_iter_values(values))
}

pub(crate) fn text(values: impl Iterator<Item = String>) -> ArrayRef {
    Arc::new(StringArray::from(values.collect::<Vec<_>>()))
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
        hubmatch::fixed::weight_to_f64(self.state.result.objective)
    }

    /// Objective in exact integer thousandths of a point.
    #[getter]
    fn objective_exact(&self) -> i64 {
        self.state.result.objective
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
        self.state.result.mode.as_str()
    }

    /// The summary (served and unmet units by community, category and provider kind) as JSON.
    fn summary_json(&self) -> String {
        serde_json::to_string(&self.state.tables.summary).unwrap_or_default()
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
        let by = &self.state.tables.summary.by_community;
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
        let f = &self.state.tables.summary.floors;
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
        let f = &self.state.tables.summary.sectors;
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
        self.state
            .result
            .upper_bound
            .map(hubmatch::fixed::weight_to_f64)
    }

    /// Every total of the result as a dict: served and unmet units overall,
    /// by community, by service system (by_category), by provider kind
    /// (by_kind, with capacity), unmet units by reason, and solver counters.
    #[getter]
    fn totals(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        Ok(py
            .import("json")?
            .call_method1("loads", (self.summary_json(),))?
            .unbind())
    }

    /// Checks the optimality certificate against `district` (the one matched);
    /// raises `CertificateError` if it does not hold.
    fn verify(&self, py: Python<'_>, district: &PyDistrict) -> PyResult<()> {
        let (d, r) = (&district.inner, &self.state.result);
        run(py, move |_| r.verify(&d.validate()?))
    }

    fn __repr__(&self) -> String {
        let s = &self.state.tables.summary;
        format!(
            "MatchResult(mode={:?}, objective={}, served={}, unmet={})",
            s.mode, s.objective, s.served, s.unmet
        )
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.state.result == other.state.result && self.state.tables == other.state.tables
    }

    /// Restores a pickled result.
    #[staticmethod]
    fn _from_state(state: &[u8]) -> PyResult<Self> {
        serde_json::from_slice(state)
            .map(|state| PyMatchResult {
                state,
                seconds: None,
            })
            .map_err(|e| crate::errors::to_py_parse("pickled MatchResult", &e.to_string()))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let bytes = serde_json::to_vec(&slf.get().state).unwrap_or_default();
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
        let rows = &self.state.tables.assignments;
        table(
            py,
            vec![
                ("need", text(rows.iter().map(|r| r.need.clone()))),
                ("community", text(rows.iter().map(|r| r.community.clone()))),
                ("category", text(rows.iter().map(|r| r.category.clone()))),
                ("provider", text(rows.iter().map(|r| r.provider.clone()))),
                (
                    "provider_kind",
                    text(rows.iter().map(|r| r.provider_kind.clone())),
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
        let rows = &self.state.tables.unmet;
        table(
            py,
            vec![
                ("need", text(rows.iter().map(|r| r.need.clone()))),
                ("community", text(rows.iter().map(|r| r.community.clone()))),
                ("category", text(rows.iter().map(|r| r.category.clone()))),
                ("units", ints(rows.iter().map(|r| r.units))),
                ("reason", text(rows.iter().map(|r| r.reason.clone()))),
            ],
        )
    }

    // Capacity, use and shadow price of each offer and shared capacity (pyarrow table).
    fn utilisation_arrow(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rows = &self.state.tables.utilisation;
        table(
            py,
            vec![
                ("provider", text(rows.iter().map(|r| r.provider.clone()))),
                (
                    "provider_kind",
                    text(rows.iter().map(|r| r.provider_kind.clone())),
                ),
                ("category", text(rows.iter().map(|r| r.category.clone()))),
                ("community", text(rows.iter().map(|r| r.community.clone()))),
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
pub fn match_(
    py: Python<'_>,
    district: &PyDistrict,
    mode: &str,
    policy: Option<Bound<'_, PyPolicy>>,
    aggregate: bool,
) -> PyResult<PyMatchResult> {
    let mode = Mode::parse(mode).ok_or_else(|| {
        PyValueError::new_err(format!(
            "mode must be \"pooled\" or \"per_community\", got {mode:?}"
        ))
    })?;
    let base = &district.inner;
    let policy = policy.map(|p| p.get().inner.clone());
    run(py, move |cancel| {
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
        let seconds = Some(start.elapsed().as_secs_f64());
        let tables = ResultTables::new(d, &result);
        Ok(PyMatchResult {
            state: State { result, tables },
            seconds,
        })
    })
}
