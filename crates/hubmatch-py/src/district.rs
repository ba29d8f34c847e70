//! `District` and `Policy` classes, and the functions that make districts.

use std::collections::BTreeMap;

use hubmatch::io::tables::{DistrictTables, Table, district_from_tables};
use hubmatch::{Policy, ProviderKind};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::errors::run;
use crate::frames::{ArrowTable, to_table};

/// A district: communities, service categories, providers, needs and policy.
#[pyclass(module = "hubmatch", name = "District", frozen)]
#[derive(Clone)]
pub struct PyDistrict {
    pub inner: hubmatch::District,
}

/// How the hub weighs one unit of service; keyword arguments mirror the Rust
/// `Policy`, and every one left out keeps its default.
#[pyclass(module = "hubmatch", name = "Policy", frozen)]
#[derive(Clone)]
pub struct PyPolicy {
    pub inner: Policy,
}

/// A sector bound from a dict, through JSON so that errors name the field.
fn sector_bound(i: usize, d: &Bound<'_, PyDict>) -> PyResult<hubmatch::SectorBound> {
    let text: String = d
        .py()
        .import("json")?
        .call_method1("dumps", (d,))?
        .extract()?;
    serde_json::from_str(&text)
        .map_err(|e| crate::errors::to_py_parse(&format!("sector_bounds[{i}]"), &e.to_string()))
}

fn parse_kinds(kinds: &[String]) -> PyResult<Vec<ProviderKind>> {
    kinds
        .iter()
        .map(|k| {
            ProviderKind::parse(k).ok_or_else(|| {
                PyValueError::new_err(format!(
                    "{k:?} is not a provider kind (government, market, social_organization, volunteer)"
                ))
            })
        })
        .collect()
}

#[pymethods]
impl PyPolicy {
    #[new]
    #[pyo3(signature = (*, category_values=None, priority_multipliers=None, vulnerability_multipliers=None,
        cost_weight=None, travel_penalty=None, cross_community_penalty=None, allowed_kinds=None, unserved_penalty=None,
        coverage_floor=None, community_floors=None, category_floors=None, sector_bounds=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        category_values: Option<BTreeMap<String, f64>>,
        priority_multipliers: Option<[f64; 5]>,
        vulnerability_multipliers: Option<BTreeMap<String, f64>>,
        cost_weight: Option<f64>,
        travel_penalty: Option<f64>,
        cross_community_penalty: Option<f64>,
        allowed_kinds: Option<BTreeMap<String, Vec<String>>>,
        unserved_penalty: Option<f64>,
        coverage_floor: Option<f64>,
        community_floors: Option<BTreeMap<String, f64>>,
        category_floors: Option<BTreeMap<String, f64>>,
        sector_bounds: Option<Vec<Bound<'_, PyDict>>>,
    ) -> PyResult<Self> {
        let d = Policy::default();
        let allowed_kinds = match allowed_kinds {
            None => d.allowed_kinds,
            Some(map) => map
                .into_iter()
                .map(|(c, k)| Ok((c, parse_kinds(&k)?)))
                .collect::<PyResult<_>>()?,
        };
        Ok(PyPolicy {
            inner: Policy {
                category_values: category_values.unwrap_or(d.category_values),
                priority_multipliers: priority_multipliers.unwrap_or(d.priority_multipliers),
                vulnerability_multipliers: vulnerability_multipliers
                    .unwrap_or(d.vulnerability_multipliers),
                cost_weight: cost_weight.unwrap_or(d.cost_weight),
                travel_penalty: travel_penalty.unwrap_or(d.travel_penalty),
                cross_community_penalty: cross_community_penalty
                    .unwrap_or(d.cross_community_penalty),
                allowed_kinds,
                unserved_penalty: unserved_penalty.unwrap_or(d.unserved_penalty),
                coverage_floor,
                community_floors: community_floors.unwrap_or_default(),
                category_floors: category_floors.unwrap_or_default(),
                sector_bounds: sector_bounds
                    .unwrap_or_default()
                    .iter()
                    .enumerate()
                    .map(|(i, b)| sector_bound(i, b))
                    .collect::<PyResult<_>>()?,
            },
        })
    }

    /// Parses a policy from JSON text.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(|inner| PyPolicy { inner })
            .map_err(|e| crate::errors::to_py_parse("policy", &e.to_string()))
    }

    /// The policy as JSON text.
    fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.inner).unwrap_or_default()
    }

    /// Overrides of category values (points per unit).
    #[getter]
    fn category_values(&self) -> BTreeMap<String, f64> {
        self.inner.category_values.clone()
    }

    /// Multipliers for priority 1 to 5.
    #[getter]
    fn priority_multipliers(&self) -> [f64; 5] {
        self.inner.priority_multipliers
    }

    /// Multiplier per vulnerability tag.
    #[getter]
    fn vulnerability_multipliers(&self) -> BTreeMap<String, f64> {
        self.inner.vulnerability_multipliers.clone()
    }

    /// Points per unit of money of the hub's unit cost.
    #[getter]
    fn cost_weight(&self) -> f64 {
        self.inner.cost_weight
    }

    /// Points per unit of grid distance.
    #[getter]
    fn travel_penalty(&self) -> f64 {
        self.inner.travel_penalty
    }

    /// Points per unit served across communities (pooled mode).
    #[getter]
    fn cross_community_penalty(&self) -> f64 {
        self.inner.cross_community_penalty
    }

    /// Which provider kinds may serve a category (categories not listed: all).
    #[getter]
    fn allowed_kinds(&self) -> BTreeMap<String, Vec<String>> {
        self.inner
            .allowed_kinds
            .iter()
            .map(|(c, k)| (c.clone(), k.iter().map(|k| k.as_str().to_owned()).collect()))
            .collect()
    }

    /// Points lost per unit left unserved.
    #[getter]
    fn unserved_penalty(&self) -> f64 {
        self.inner.unserved_penalty
    }

    /// Minimum coverage of every community (0 to 1), if any.
    #[getter]
    fn coverage_floor(&self) -> Option<f64> {
        self.inner.coverage_floor
    }

    /// Minimum coverage by community id.
    #[getter]
    fn community_floors(&self) -> BTreeMap<String, f64> {
        self.inner.community_floors.clone()
    }

    /// Minimum coverage by "community/category".
    #[getter]
    fn category_floors(&self) -> BTreeMap<String, f64> {
        self.inner.category_floors.clone()
    }

    /// Sector bounds, as dicts with the keys of `SectorBound`.
    #[getter]
    fn sector_bounds<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let text = serde_json::to_string(&self.inner.sector_bounds).unwrap_or_default();
        py.import("json")?.call_method1("loads", (text,))
    }

    fn __eq__(&self, other: &Self) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self) -> String {
        format!(
            "Policy({})",
            serde_json::to_string(&self.inner).unwrap_or_default()
        )
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyTuple>> {
        let py = slf.py();
        let ctor = py.get_type::<PyPolicy>().getattr("from_json")?;
        PyTuple::new(
            py,
            [
                ctor.into_any(),
                PyTuple::new(py, [slf.get().to_json()])?.into_any(),
            ],
        )
    }
}

fn optional_table(name: &str, obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<ArrowTable>> {
    obj.filter(|o| !o.is_none())
        .map(|o| to_table(name, o))
        .transpose()
}

#[pymethods]
impl PyDistrict {
    /// Parses a district document (JSON text); raises on malformed input.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: String) -> PyResult<Self> {
        run(py, move |_| hubmatch::io::json::district_from_str(&text))
            .map(|inner| PyDistrict { inner })
    }

    /// Builds a district from data frames (pandas, polars or pyarrow): needs,
    /// providers and offers, and optionally communities, grid cells, declared
    /// categories and a policy. Columns are those of the CSV tables (see the
    /// README); errors name the table, row and column.
    #[staticmethod]
    #[pyo3(signature = (needs, providers, offers, communities=None, policy=None, cells=None, categories=None, id="district"))]
    #[allow(clippy::too_many_arguments)]
    fn from_frames(
        py: Python<'_>,
        needs: &Bound<'_, PyAny>,
        providers: &Bound<'_, PyAny>,
        offers: &Bound<'_, PyAny>,
        communities: Option<&Bound<'_, PyAny>>,
        policy: Option<Bound<'_, PyPolicy>>,
        cells: Option<&Bound<'_, PyAny>>,
        categories: Option<&Bound<'_, PyAny>>,
        id: &str,
    ) -> PyResult<Self> {
        let needs = to_table("needs", needs)?;
        let providers = to_table("providers", providers)?;
        let offers = to_table("offers", offers)?;
        let communities = optional_table("communities", communities)?;
        let cells = optional_table("cells", cells)?;
        let categories = optional_table("categories", categories)?;
        let policy = policy.map(|p| p.get().inner.clone());
        run(py, move |_| {
            let tables = DistrictTables {
                communities: communities.as_ref().map(|t| t as &dyn Table),
                cells: cells.as_ref().map(|t| t as &dyn Table),
                categories: categories.as_ref().map(|t| t as &dyn Table),
                needs: &needs,
                providers: &providers,
                offers: &offers,
            };
            let mut d = district_from_tables(id, &tables)?;
            if let Some(p) = policy {
                d.policy = p;
            }
            Ok(d)
        })
        .map(|inner| PyDistrict { inner })
    }

    /// The district as a JSON document.
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let d = &self.inner;
        run(py, |_| Ok(hubmatch::io::json::district_to_string(d)))
    }

    /// Writes the district as a JSON document.
    fn write_json(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let d = &self.inner;
        run(py, move |_| hubmatch::io::json::write_district(d, &path))
    }

    /// Writes the district as a folder of CSV tables.
    fn write_csv_dir(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let d = &self.inner;
        run(py, move |_| hubmatch::io::csv::write_district_dir(d, &path))
    }

    /// Checks every rule; raises `InvalidInputError` naming the record and field.
    fn validate(&self, py: Python<'_>) -> PyResult<()> {
        let d = &self.inner;
        run(py, |_| d.validate().map(|_| ()))
    }

    /// The networks `mode` solves, merged into one bipartite problem, as int64
    /// numpy arrays (the arguments of `solve_bipartite`): units, capacity,
    /// provider_group (-1: none), group_capacity, edge_need, edge_provider,
    /// edge_weight (thousandths of a point), and unserved_penalty.
    #[pyo3(signature = (mode = "pooled"))]
    fn graph_arrays<'py>(&self, py: Python<'py>, mode: &str) -> PyResult<Bound<'py, PyDict>> {
        use numpy::ToPyArray;
        let mode = hubmatch::solve::Mode::parse(mode).ok_or_else(|| {
            PyValueError::new_err(format!(
                "mode must be \"pooled\" or \"per_community\", got {mode:?}"
            ))
        })?;
        let d = &self.inner;
        let p = run(py, move |_| {
            let ix = d.validate()?;
            let (_, parts) = hubmatch::solve::district::mode_parts(&ix, mode)?;
            Ok(hubmatch::graph::BipartiteProblem::concat(
                parts.iter().map(|part| &part.problem),
            ))
        })?;
        let out = PyDict::new(py);
        out.set_item("units", p.units.to_pyarray(py))?;
        out.set_item("capacity", p.offer_capacity.to_pyarray(py))?;
        let groups: Vec<i64> = p
            .offer_group
            .iter()
            .map(|g| g.map_or(-1, i64::from))
            .collect();
        out.set_item("provider_group", groups.to_pyarray(py))?;
        out.set_item("group_capacity", p.group_capacity.to_pyarray(py))?;
        let need: Vec<i64> = p.edge_need.iter().map(|&x| i64::from(x)).collect();
        let offer: Vec<i64> = p.edge_offer.iter().map(|&x| i64::from(x)).collect();
        out.set_item("edge_need", need.to_pyarray(py))?;
        out.set_item("edge_provider", offer.to_pyarray(py))?;
        out.set_item("edge_weight", p.edge_weight.to_pyarray(py))?;
        out.set_item("unserved_penalty", p.unserved_penalty)?;
        Ok(out)
    }

    /// A copy of this district with another policy.
    fn with_policy(&self, policy: &PyPolicy) -> Self {
        let mut inner = self.inner.clone();
        inner.policy = policy.inner.clone();
        PyDistrict { inner }
    }

    /// The policy.
    #[getter]
    fn policy(&self) -> PyPolicy {
        PyPolicy {
            inner: self.inner.policy.clone(),
        }
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

/// Reads a district document from a JSON file.
#[pyfunction]
pub fn read_json(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyDistrict> {
    run(py, move |_| hubmatch::io::json::read_district(&path)).map(|inner| PyDistrict { inner })
}

/// Reads a district from a folder of CSV tables.
#[pyfunction]
pub fn read_csv_dir(py: Python<'_>, path: std::path::PathBuf) -> PyResult<PyDistrict> {
    run(py, move |_| hubmatch::io::csv::read_district_dir(&path)).map(|inner| PyDistrict { inner })
}

/// Generates a synthetic district from a preset, a seed and knob overrides
/// (communities, needs_per_community, providers_per_community,
/// district_providers, kind_mix, edge_density, reach, cells_per_community).
#[pyfunction]
#[pyo3(signature = (preset = "district-13", seed = 0, knobs = None))]
pub fn synthetic_district(
    py: Python<'_>,
    preset: &str,
    seed: u64,
    knobs: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyDistrict> {
    let mut k = hubmatch::synthetic::Knobs::preset(preset).ok_or_else(|| {
        PyValueError::new_err(format!(
            "unknown preset {preset:?}; expected one of {}",
            hubmatch::synthetic::Knobs::PRESETS.join(", ")
        ))
    })?;
    if let Some(knobs) = knobs {
        for (key, value) in knobs.iter() {
            let key: String = key.extract()?;
            match key.as_str() {
                "communities" => k.communities = value.extract()?,
                "needs_per_community" => k.needs_per_community = value.extract()?,
                "providers_per_community" => k.providers_per_community = value.extract()?,
                "district_providers" => k.district_providers = value.extract()?,
                "kind_mix" => k.kind_mix = value.extract()?,
                "edge_density" => k.edge_density = value.extract()?,
                "reach" => k.reach = value.extract()?,
                "cells_per_community" => k.cells_per_community = value.extract()?,
                other => return Err(PyTypeError::new_err(format!("unknown knob {other:?}"))),
            }
        }
    }
    if k.communities == 0 || k.cells_per_community == 0 {
        return Err(PyValueError::new_err(
            "communities and cells_per_community must be at least 1",
        ));
    }
    for (name, v) in [("edge_density", k.edge_density), ("reach", k.reach)] {
        if !(0.0..=1.0).contains(&v) {
            return Err(PyValueError::new_err(format!(
                "{name} must be between 0 and 1, got {v}"
            )));
        }
    }
    if k.kind_mix.iter().any(|x| !x.is_finite() || *x < 0.0)
        || k.kind_mix.iter().sum::<f64>() <= 0.0
    {
        return Err(PyValueError::new_err(
            "kind_mix must be four non-negative shares",
        ));
    }
    run(py, move |_| Ok(hubmatch::synthetic::generate(&k, seed))).map(|inner| PyDistrict { inner })
}
