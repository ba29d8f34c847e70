//! Policy analytics from Python: hub value, shadow prices, coverage and
//! scenario sweeps, as pandas DataFrames.

use arrow_array::ArrayRef;
use hubmatch::analyze;
use hubmatch::fixed::weight_to_f64;
use hubmatch::solve::{MatchOptions, Mode};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::district::{PyDistrict, PyPolicy};
use crate::errors::run;
use crate::results::{PyMatchResult, floats, ints, table, text};

fn pandas(py: Python<'_>, columns: Vec<(&str, ArrayRef)>) -> PyResult<Py<PyAny>> {
    Ok(table(py, columns)?
        .bind(py)
        .call_method0("to_pandas")?
        .unbind())
}

/// The district, with `policy` in place of its own when given.
fn with_policy(district: &PyDistrict, policy: Option<&Bound<'_, PyPolicy>>) -> hubmatch::District {
    let mut d = district.inner.clone();
    if let Some(p) = policy {
        d.policy = p.get().inner.clone();
    }
    d
}

/// Default match options that stop when `cancel` is set (Ctrl-C).
pub(crate) fn cancellable(cancel: &hubmatch::solve::CancelFlag) -> MatchOptions {
    let mut options = MatchOptions::default();
    options.simplex.cancel = Some(cancel.clone());
    options
}

pub(crate) fn mode_of(mode: &str) -> PyResult<Mode> {
    Mode::parse(mode).ok_or_else(|| {
        PyValueError::new_err(format!(
            "mode must be \"pooled\" or \"per_community\", got {mode:?}"
        ))
    })
}

/// What founding the hub is worth: the district matched per community and
/// pooled, compared.
#[pyclass(module = "hubmatch", name = "HubValue", frozen)]
pub struct PyHubValue {
    district: hubmatch::District,
    value: analyze::HubValue,
    alone: Py<PyMatchResult>,
    hub: Py<PyMatchResult>,
}

#[pymethods]
impl PyHubValue {
    /// Objective gained by pooling, in points (never negative).
    #[getter]
    fn gain(&self) -> f64 {
        weight_to_f64(self.value.gain)
    }

    /// The per-community (no hub) result.
    #[getter]
    fn alone(&self, py: Python<'_>) -> Py<PyMatchResult> {
        self.alone.clone_ref(py)
    }

    /// The pooled (hub) result.
    #[getter]
    fn hub(&self, py: Python<'_>) -> Py<PyMatchResult> {
        self.hub.clone_ref(py)
    }

    /// By community: needed, served alone and with the hub, coverage, and weight (points).
    #[getter]
    fn communities(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids: Vec<String> = self
            .district
            .communities
            .iter()
            .map(|c| c.id.clone())
            .collect();
        Self::gains(py, "community", &self.value.communities, &ids)
    }

    /// By service system: needed, served alone and with the hub, coverage, and weight (points).
    #[getter]
    fn categories(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let ids: Vec<String> = self
            .district
            .effective_categories()
            .into_iter()
            .map(|c| c.id)
            .collect();
        Self::gains(py, "category", &self.value.categories, &ids)
    }

    /// Capacity the hub moved: provider, its home community, the community served, units.
    #[getter]
    fn moved(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let m = &self.value.moved;
        let d = &self.district;
        pandas(
            py,
            vec![
                (
                    "provider",
                    text(
                        m.iter()
                            .map(|x| d.providers[x.provider as usize].id.clone()),
                    ),
                ),
                (
                    "provider_kind",
                    text(
                        m.iter()
                            .map(|x| d.providers[x.provider as usize].kind.as_str().to_owned()),
                    ),
                ),
                (
                    "from_community",
                    text(m.iter().map(|x| d.communities[x.from as usize].id.as_str())),
                ),
                (
                    "to_community",
                    text(m.iter().map(|x| d.communities[x.to as usize].id.as_str())),
                ),
                ("units", ints(m.iter().map(|x| x.units))),
            ],
        )
    }

    /// Equity of community coverage without and with the hub: minimum,
    /// worst-off community, Jain's index and Gini coefficient.
    #[getter]
    fn equity(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        let rows = [
            ("alone", &self.value.coverage_alone),
            ("hub", &self.value.coverage_hub),
        ];
        let e: Vec<_> = rows.iter().map(|(_, c)| c.equity).collect();
        let worst = |x: &Option<analyze::Equity>| {
            x.map(|e| self.district.communities[e.worst_off as usize].id.clone())
                .unwrap_or_default()
        };
        pandas(
            py,
            vec![
                ("mode", text(rows.iter().map(|r| r.0.to_owned()))),
                (
                    "min_coverage",
                    floats(e.iter().map(|x| x.map_or(0.0, |e| e.min_coverage))),
                ),
                ("worst_off", text(e.iter().map(worst))),
                ("jain", floats(e.iter().map(|x| x.map_or(1.0, |e| e.jain)))),
                ("gini", floats(e.iter().map(|x| x.map_or(0.0, |e| e.gini)))),
            ],
        )
    }

    fn __repr__(&self) -> String {
        format!("HubValue(gain={} points)", weight_to_f64(self.value.gain))
    }
}

impl PyHubValue {
    fn gains(
        py: Python<'_>,
        name: &str,
        g: &[analyze::CommunityGain],
        ids: &[String],
    ) -> PyResult<Py<PyAny>> {
        let cover = |s: i64, n: i64| if n > 0 { s as f64 / n as f64 } else { 0.0 };
        pandas(
            py,
            vec![
                (name, text(g.iter().map(|x| ids[x.index as usize].as_str()))),
                ("needed", ints(g.iter().map(|x| x.needed))),
                ("served_alone", ints(g.iter().map(|x| x.served_alone))),
                ("served_hub", ints(g.iter().map(|x| x.served_hub))),
                (
                    "coverage_alone",
                    floats(g.iter().map(|x| cover(x.served_alone, x.needed))),
                ),
                (
                    "coverage_hub",
                    floats(g.iter().map(|x| cover(x.served_hub, x.needed))),
                ),
                (
                    "weight_alone",
                    floats(g.iter().map(|x| weight_to_f64(x.weight_alone))),
                ),
                (
                    "weight_hub",
                    floats(g.iter().map(|x| weight_to_f64(x.weight_hub))),
                ),
            ],
        )
    }
}

/// Matches the district per community and pooled and compares them: what
/// founding the hub is worth, for whom, and whose capacity moves.
#[pyfunction]
#[pyo3(signature = (district, policy = None))]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn hub_value(
    py: Python<'_>,
    district: &PyDistrict,
    policy: Option<Bound<'_, PyPolicy>>,
) -> PyResult<PyHubValue> {
    let d = with_policy(district, policy.as_ref());
    let dref = &d;
    let (value, alone, hub) = run(py, move |cancel| {
        let options = cancellable(cancel);
        let value = analyze::hub_value(&dref.validate()?, &options)?;
        let alone = PyMatchResult::built(dref, value.alone.clone(), None);
        let hub = PyMatchResult::built(dref, value.hub.clone(), None);
        Ok((value, alone, hub))
    })?;
    let (alone, hub) = (Py::new(py, alone)?, Py::new(py, hub)?);
    Ok(PyHubValue {
        district: d,
        value,
        alone,
        hub,
    })
}

/// Shadow prices of a result of `district`: for every offer (category set)
/// and shared capacity (category empty), what one more unit is worth, in
/// points, highest first (pandas DataFrame).
#[pyfunction]
pub fn shadow_prices(
    py: Python<'_>,
    district: &PyDistrict,
    result: &PyMatchResult,
) -> PyResult<Py<PyAny>> {
    let d = &district.inner;
    let r = result.core();
    let prices = run(py, move |_| Ok(analyze::shadow_prices(&d.validate()?, r)))?;
    let c = &prices.capacities;
    let provider = |x: &analyze::CapacityPrice| &d.providers[x.provider as usize];
    pandas(
        py,
        vec![
            ("provider", text(c.iter().map(|x| provider(x).id.as_str()))),
            (
                "provider_kind",
                text(c.iter().map(|x| provider(x).kind.as_str().to_owned())),
            ),
            (
                "category",
                text(c.iter().map(|x| {
                    x.offer
                        .map(|o| provider(x).offers[o as usize].category.clone())
                        .unwrap_or_default()
                })),
            ),
            (
                "home",
                text(
                    c.iter()
                        .map(|x| provider(x).home.clone().unwrap_or_default()),
                ),
            ),
            (
                "community_share",
                text(c.iter().map(|x| {
                    x.community
                        .map(|k| d.communities[k as usize].id.clone())
                        .unwrap_or_default()
                })),
            ),
            ("capacity", ints(c.iter().map(|x| x.capacity))),
            ("used", ints(c.iter().map(|x| x.used))),
            ("price", floats(c.iter().map(|x| weight_to_f64(x.price)))),
        ],
    )
}

/// Coverage of a result of `district` by community × service system:
/// needed, served, coverage, priority-weighted coverage, and units served by
/// each provider kind (pandas DataFrame).
#[pyfunction]
pub fn coverage(
    py: Python<'_>,
    district: &PyDistrict,
    result: &PyMatchResult,
) -> PyResult<Py<PyAny>> {
    let d = &district.inner;
    let r = result.core();
    let (report, cats) = run(py, move |_| {
        let ix = d.validate()?;
        Ok((analyze::coverage(&ix, r), ix.categories.clone()))
    })?;
    let c = &report.cells;
    let kind = |k: usize| ints(c.iter().map(move |x| x.served_by_kind[k]));
    pandas(
        py,
        vec![
            (
                "community",
                text(
                    c.iter()
                        .map(|x| d.communities[x.community as usize].id.clone()),
                ),
            ),
            (
                "category",
                text(c.iter().map(|x| cats[x.category as usize].as_str())),
            ),
            ("needed", ints(c.iter().map(|x| x.needed))),
            ("served", ints(c.iter().map(|x| x.served))),
            (
                "coverage",
                floats(c.iter().map(analyze::CoverageCell::coverage)),
            ),
            (
                "priority_coverage",
                floats(c.iter().map(analyze::CoverageCell::priority_coverage)),
            ),
            ("government", kind(0)),
            ("market", kind(1)),
            ("social_organization", kind(2)),
            ("volunteer", kind(3)),
        ],
    )
}

/// Who gained and who lost between result `a` of district `da` and result
/// `b` of district `db`: served units and weight by community, category and
/// provider kind (pandas DataFrame).
#[pyfunction]
pub fn diff(
    py: Python<'_>,
    da: &PyDistrict,
    a: &PyMatchResult,
    db: &PyDistrict,
    b: &PyMatchResult,
) -> PyResult<Py<PyAny>> {
    let rows = analyze::diff(&da.inner, a.core(), &db.inner, b.core());
    pandas(
        py,
        vec![
            ("dimension", text(rows.iter().map(|r| r.dimension.as_str()))),
            ("key", text(rows.iter().map(|r| r.key.as_str()))),
            ("served_a", ints(rows.iter().map(|r| r.served_a))),
            ("served_b", ints(rows.iter().map(|r| r.served_b))),
            (
                "served_change",
                ints(rows.iter().map(|r| r.served_b - r.served_a)),
            ),
            (
                "weight_a",
                floats(rows.iter().map(|r| weight_to_f64(r.weight_a))),
            ),
            (
                "weight_b",
                floats(rows.iter().map(|r| weight_to_f64(r.weight_b))),
            ),
        ],
    )
}

/// Why each unmet need of a result of `district` was not served, in plain
/// words (pandas DataFrame: need, community, category, units, reason, text).
#[pyfunction]
pub fn explain(
    py: Python<'_>,
    district: &PyDistrict,
    result: &PyMatchResult,
) -> PyResult<Py<PyAny>> {
    let d = &district.inner;
    let r = result.core();
    let why = run(py, move |_| {
        Ok(analyze::explain_unmet(d, &d.validate()?, r))
    })?;
    let need = |w: &analyze::Explanation| &d.needs[w.need as usize];
    pandas(
        py,
        vec![
            ("need", text(why.iter().map(|w| need(w).id.as_str()))),
            (
                "community",
                text(why.iter().map(|w| need(w).community.as_str())),
            ),
            (
                "category",
                text(why.iter().map(|w| need(w).category.as_str())),
            ),
            ("units", ints(why.iter().map(|w| w.units))),
            (
                "reason",
                text(why.iter().map(|w| w.reason.as_str().to_owned())),
            ),
            ("text", text(why.iter().map(|w| w.text.as_str()))),
        ],
    )
}

/// The least extra capacity at one eligible offer that would serve one more
/// unit of need `need` (an id): a dict (provider, category, extra), or None.
/// Re-solves the district a few times.
#[pyfunction]
pub fn smallest_increase(
    py: Python<'_>,
    district: &PyDistrict,
    result: &PyMatchResult,
    need: &str,
) -> PyResult<Option<(String, String, i64)>> {
    let d = &district.inner;
    let r = result.core();
    let index =
        d.needs.iter().position(|n| n.id == need).ok_or_else(|| {
            PyValueError::new_err(format!("{need:?} is not a need of the district"))
        })?;
    let found = run(py, move |_| {
        analyze::smallest_increase(d, r.mode, r, index as u32)
    })?;
    Ok(found.map(|(p, o, extra)| {
        let provider = &d.providers[p as usize];
        (
            provider.id.clone(),
            provider.offers[o as usize].category.clone(),
            extra,
        )
    }))
}

/// What the policy's coverage floors and sector bounds cost: (price in
/// points, result with them, result without them).
#[pyfunction]
#[pyo3(signature = (district, mode = "pooled", policy = None))]
#[allow(clippy::needless_pass_by_value)] // pyo3 extracts arguments by value
pub fn price_of_fairness(
    py: Python<'_>,
    district: &PyDistrict,
    mode: &str,
    policy: Option<Bound<'_, PyPolicy>>,
) -> PyResult<(f64, PyMatchResult, PyMatchResult)> {
    let mode = mode_of(mode)?;
    let d = with_policy(district, policy.as_ref());
    let dref = &d;
    run(py, move |cancel| {
        let options = cancellable(cancel);
        let p = analyze::price_of_fairness(&dref.validate()?, mode, &options)?;
        Ok((
            weight_to_f64(p.price),
            PyMatchResult::built(dref, p.with_floors, None),
            PyMatchResult::built(dref, p.without_floors, None),
        ))
    })
}

/// Registers the analytics functions and classes.
pub fn register(m: &Bound<'_, pyo3::types::PyModule>) -> PyResult<()> {
    m.add_class::<PyHubValue>()?;
    m.add_function(wrap_pyfunction!(hub_value, m)?)?;
    m.add_function(wrap_pyfunction!(shadow_prices, m)?)?;
    m.add_function(wrap_pyfunction!(coverage, m)?)?;
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(explain, m)?)?;
    m.add_function(wrap_pyfunction!(price_of_fairness, m)?)?;
    m.add_function(wrap_pyfunction!(smallest_increase, m)?)?;
    Ok(())
}
