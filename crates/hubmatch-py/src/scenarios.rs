//! Scenarios from Python: sweeps, and a base kept solved that answers
//! scenarios one at a time.

use hubmatch::analyze::{self, Scenario, ScenarioBase};
use std::sync::Arc;

use pyo3::prelude::*;

use crate::analysis::{cancellable, mode_of};
use crate::district::PyDistrict;
use crate::errors::run;
use crate::results::{Labels, PyMatchResult};

/// A scenario from the JSON text of the `Scenario` format.
fn parse(text: &str) -> PyResult<Scenario> {
    serde_json::from_str(text).map_err(|e| crate::errors::to_py_parse("scenario", &e.to_string()))
}

/// Solves the district and each scenario (JSON text of the `Scenario`
/// format), scenarios in parallel and warm-started from the base optimum;
/// `progress(k)` is called as scenario `k` finishes. Returns (base result,
/// list of (name, result)): no changed district is kept (`apply_scenario`
/// gives one); a result's tables apply its scenario again when first read.
#[pyfunction]
#[pyo3(signature = (district, scenarios, mode = "pooled", progress = None))]
#[allow(clippy::type_complexity, clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn sweep_scenarios(
    py: Python<'_>,
    district: Bound<'_, PyDistrict>,
    scenarios: Vec<String>,
    mode: &str,
    progress: Option<Py<PyAny>>,
) -> PyResult<(PyMatchResult, Vec<(String, PyMatchResult)>)> {
    let mode = mode_of(mode)?;
    let parsed: Vec<Scenario> = scenarios
        .iter()
        .map(|s| parse(s))
        .collect::<PyResult<_>>()?;
    let d = &district.get().inner;
    let callback = move |k: usize| {
        if let Some(cb) = &progress {
            Python::attach(|py| {
                let _ = cb.call1(py, (k,));
            });
        }
    };
    let parsed_ref = &parsed;
    let sweep = run(py, move |cancel| {
        analyze::sweep(d, mode, parsed_ref, &cancellable(cancel), &callback)
    })?;
    // Each result's tables are built when read, from its scenario applied
    // then: a sweep keeps no changed district.
    let labels = |s: Option<Scenario>| match s {
        None => Labels::District(district.clone().unbind()),
        Some(s) => Labels::Scenario(district.clone().unbind(), Arc::new(s)),
    };
    let base = PyMatchResult::labelled(labels(None), sweep.base, None);
    let outcomes = (sweep.outcomes.into_iter())
        .zip(parsed)
        .map(|(o, s)| {
            (
                o.name,
                PyMatchResult::labelled(labels(Some(s)), o.result, None),
            )
        })
        .collect();
    Ok((base, outcomes))
}

/// The district with the scenario (JSON text of the `Scenario` format)
/// applied, not validated.
#[pyfunction]
pub fn apply_scenario(
    py: Python<'_>,
    district: &PyDistrict,
    scenario: &str,
) -> PyResult<PyDistrict> {
    let scenario = parse(scenario)?;
    let d = &district.inner;
    let inner = run(py, move |_| scenario.apply(d))?;
    Ok(PyDistrict { inner })
}

/// A district solved once in one mode and kept, to answer scenarios one at
/// a time: each `outcome` applies a scenario (JSON text of the `Scenario`
/// format) and solves it warm from the base optimum.
#[pyclass(module = "hubmatch", name = "ScenarioBase", frozen)]
pub struct PyScenarioBase {
    inner: ScenarioBase,
    /// The district given (frozen, so the base's own).
    district: Py<PyDistrict>,
    base: Py<PyMatchResult>,
}

#[pymethods]
impl PyScenarioBase {
    #[new]
    #[pyo3(signature = (district, mode = "pooled"))]
    fn new(py: Python<'_>, district: Bound<'_, PyDistrict>, mode: &str) -> PyResult<Self> {
        let mode = mode_of(mode)?;
        let d = &district.get().inner;
        // Each outcome brings its own cancel flag (see `outcome`).
        let inner = run(py, |cancel| {
            ScenarioBase::new(d, mode, &cancellable(cancel))
        })?;
        let labels = Labels::District(district.clone().unbind());
        let base = Py::new(
            py,
            PyMatchResult::labelled(labels, inner.base().clone(), None),
        )?;
        Ok(PyScenarioBase {
            inner,
            district: district.unbind(),
            base,
        })
    }

    /// The base district's optimal allocation.
    #[getter]
    fn base(&self, py: Python<'_>) -> Py<PyMatchResult> {
        self.base.clone_ref(py)
    }

    /// The base district.
    #[getter]
    fn district(&self, py: Python<'_>) -> Py<PyDistrict> {
        self.district.clone_ref(py)
    }

    /// Applies the scenario (JSON text) to the base district and solves it;
    /// returns (changed district, result).
    fn outcome(&self, py: Python<'_>, scenario: &str) -> PyResult<(Py<PyDistrict>, PyMatchResult)> {
        let scenario = parse(scenario)?;
        let base = &self.inner;
        let (changed, result) = run(py, |cancel| {
            let o = base.outcome_cancellable(&scenario, cancel)?;
            Ok((scenario.apply(base.district())?, o.result))
        })?;
        // The changed district returned labels the result's tables.
        let changed = Py::new(py, PyDistrict { inner: changed })?;
        let labels = Labels::District(changed.clone_ref(py));
        Ok((changed, PyMatchResult::labelled(labels, result, None)))
    }

    /// Solves the scenario (JSON text) warm from the base optimum and returns
    /// its result alone: no changed district is built (its tables apply the
    /// scenario when first read).
    fn result(&self, py: Python<'_>, scenario: &str) -> PyResult<PyMatchResult> {
        let scenario = parse(scenario)?;
        let base = &self.inner;
        let scenario_ref = &scenario;
        let result = run(py, move |cancel| {
            Ok(base.outcome_cancellable(scenario_ref, cancel)?.result)
        })?;
        let labels = Labels::Scenario(self.district.clone_ref(py), Arc::new(scenario));
        Ok(PyMatchResult::labelled(labels, result, None))
    }
}

/// Registers the scenario functions and classes.
pub fn register(m: &Bound<'_, pyo3::types::PyModule>) -> PyResult<()> {
    m.add_class::<PyScenarioBase>()?;
    m.add_function(wrap_pyfunction!(sweep_scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(apply_scenario, m)?)?;
    Ok(())
}
