//! Scenarios: named sets of changes to a district, solved side by side with
//! warm starts, and compared.
//!
//! A [`Scenario`] is plain data (serde), so scenario files and Python dicts
//! describe the same thing. A [`ScenarioBase`] validates and solves the base
//! district once, keeping its networks solved (a [`DistrictSession`]), and
//! answers scenarios against it: one that changes amounts only
//! (capacities, closures, demand) gets its amounts read into the base's
//! index and re-solves just the networks it changes, each from the base
//! optimum's tree by dual pivots; one that adds providers (and maybe
//! changes amounts) has the new providers checked, grows the base's
//! eligibility graph by the new offers' edges and solves the networks they
//! reach from the base optimum's bases carried over (neither copies the
//! district: an [`Outcome`] holds the result alone); policy changes are
//! applied, validated and start
//! from the base's bases when their networks keep their shape, from scratch
//! otherwise. [`sweep`] runs many scenarios in parallel.
//! [`diff`] says who gained and who lost, by community, category and provider kind.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{RecordKind, Result, ValidationError};
use crate::graph::EligibilityGraph;
use crate::model::{District, Policy, Provider, ProviderKind};
use crate::solve::district::match_district_on;
use crate::solve::session::DistrictSession;
use crate::solve::{CancelFlag, MatchOptions, MatchResult, Mode, match_district};
use crate::validate::{Amounts, DistrictIndex};

/// Which offers a capacity change touches; every field left out matches all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    /// Providers of this kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<ProviderKind>,
    /// This provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// Offers of this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Providers homed in this community.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
}

/// One change of a scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Multiplies matching offers' capacities (and their providers' shared
    /// capacities when the selector names no category) by `factor`: a
    /// capacity shock (`factor` 0.7 for −30%) or growth. Whole units are
    /// apportioned by largest remainders, the offers' and the shared
    /// capacities each as one pool: every capacity is within one unit of
    /// its exact share, and each pool's total is the exact total rounded to
    /// the nearest unit.
    ScaleCapacity {
        /// Which offers.
        #[serde(default)]
        select: Selector,
        /// Factor, 0 or more.
        factor: f64,
    },
    /// Closes a provider: all its capacity goes to zero.
    CloseProvider {
        /// Provider id.
        provider: String,
    },
    /// Adds a provider (a newly incubated social organization, say).
    AddProvider {
        /// The provider.
        provider: Box<Provider>,
    },
    /// Multiplies the units of matching needs by `factor`, apportioned as
    /// `ScaleCapacity` does (each need within one unit of its exact share,
    /// the total the exact one rounded), each need keeping at least one.
    ScaleDemand {
        /// Needs of this category (all when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        category: Option<String>,
        /// Needs of this community (all when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        community: Option<String>,
        /// Factor, more than 0.
        factor: f64,
    },
    /// Replaces the policy.
    SetPolicy {
        /// The new policy.
        policy: Box<Policy>,
    },
}

/// A named set of changes.
///
/// ```
/// use hubmatch::analyze::scenario::Scenario;
/// let s: Scenario = serde_json::from_str(r#"{"name": "volunteers -30%",
///     "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}]}"#).unwrap();
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let changed = s.apply(&d).unwrap();
/// assert_eq!(changed.providers[3].capacity, Some(2)); // vol1: 3 × 0.7 = 2.1
/// // Its offers, 3 and 2, become 2.1 and 1.4: 3.5 units, rounded to 4.
/// assert_eq!(changed.providers[3].offers[1].capacity, 2);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name shown in tables.
    pub name: String,
    /// Changes, applied in order.
    #[serde(default)]
    pub changes: Vec<Change>,
}

fn bad(scenario: &str, field: &str, problem: String) -> crate::Error {
    ValidationError::new(RecordKind::Scenario, scenario, field, problem).into()
}

fn factor(scenario: &str, field: &str, f: f64) -> Result<f64> {
    if (0.0..=1e6).contains(&f) {
        Ok(f)
    } else {
        Err(bad(
            scenario,
            field,
            format!("must be between 0 and 1000000, got {f}"),
        ))
    }
}

/// `values` times `f` in whole units, apportioned by largest remainders:
/// each value gets its exact share `v × f` rounded down, and the units
/// that leaves of the exact total, rounded to the nearest unit (halves
/// up), go one each to the largest remainders (ties: the first). So every
/// value is within one unit of its share and the selection's total is the
/// exact one: rounding each value down alone turned volunteers × 0.99 into
/// a cut of a tenth of their units (most hold fewer than 100), and
/// rounding each to the nearest left small needs × 1.01 unchanged.
/// A share a hair below a whole number in binary (100 × 0.29 is
/// 28.999999999999996) loses nothing: its remainder is the largest. A
/// share above 2^53, where whole numbers are no longer exact, is refused.
fn apportion(values: &mut [&mut i64], f: f64, scenario: &str, field: &str) -> Result<()> {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    let mut remainders = Vec::with_capacity(values.len());
    let mut left = 0.0;
    for (k, v) in values.iter_mut().enumerate() {
        let share = **v as f64 * f;
        if share > EXACT {
            return Err(bad(
                scenario,
                field,
                format!(
                    "would scale {} units by {f} beyond 2^53, where whole numbers are no longer exact",
                    **v
                ),
            ));
        }
        let down = share.floor();
        **v = down as i64;
        if share > down {
            remainders.push((share - down, k));
            left += share - down;
        }
    }
    // A total short of a half by binary rounding alone (a billionth of a
    // unit per remainder) counts as the half, which rounds up.
    let units = (left + 0.5 + 1e-9 * remainders.len() as f64).floor() as usize;
    remainders.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, k) in remainders.iter().take(units) {
        *values[k] += 1;
    }
    Ok(())
}

impl Selector {
    fn matches(&self, p: &Provider) -> bool {
        self.kind.is_none_or(|k| k == p.kind)
            && self.provider.as_ref().is_none_or(|id| *id == p.id)
            && self
                .community
                .as_ref()
                .is_none_or(|c| p.home.as_ref() == Some(c))
    }
}

impl Scenario {
    /// Whether the scenario changes amounts only (capacities, closures,
    /// demand), which leave eligibility and weights, hence the eligibility
    /// graph, as they were.
    ///
    /// ```
    /// let s: hubmatch::analyze::Scenario = serde_json::from_str(
    ///     r#"{"name": "x", "changes": [{"scale_demand": {"factor": 1.1}}]}"#).unwrap();
    /// assert!(s.amounts_only());
    /// ```
    pub fn amounts_only(&self) -> bool {
        self.changes.iter().all(|c| {
            matches!(
                c,
                Change::ScaleCapacity { .. }
                    | Change::CloseProvider { .. }
                    | Change::ScaleDemand { .. }
            )
        })
    }

    /// Whether the scenario adds providers and otherwise changes amounts
    /// only: the base district's records stay as they were but for amounts,
    /// and new providers follow them, so a kept base re-solves it from its
    /// own networks (see [`DistrictSession::solve_grown`]).
    ///
    /// ```
    /// let s: hubmatch::analyze::Scenario = serde_json::from_str(r#"{"name": "x", "changes": [
    ///     {"scale_demand": {"factor": 1.1}},
    ///     {"add_provider": {"provider": {"id": "new", "kind": "volunteer", "home": "c1"}}}]}"#).unwrap();
    /// assert!(s.adds_providers() && !s.amounts_only());
    /// ```
    pub fn adds_providers(&self) -> bool {
        self.changes
            .iter()
            .any(|c| matches!(c, Change::AddProvider { .. }))
            && self
                .changes
                .iter()
                .all(|c| !matches!(c, Change::SetPolicy { .. }))
    }

    /// The district with this scenario's changes applied (not validated).
    pub fn apply(&self, district: &District) -> Result<District> {
        let amounts = self.amounts(district)?;
        let mut d = district.clone();
        amounts.write_into(&mut d);
        // The policy enters no amount, so only the last one given counts.
        let policy = self.changes.iter().rev().find_map(|c| match c {
            Change::SetPolicy { policy } => Some(policy),
            _ => None,
        });
        if let Some(policy) = policy {
            d.policy = (**policy).clone();
        }
        Ok(d)
    }

    /// The amounts of `district` with this scenario's changes (all but
    /// policies) applied, in order: a scenario answered this way needs no
    /// copy of the district's records.
    pub(crate) fn amounts(&self, district: &District) -> Result<Amounts> {
        let mut a = Amounts::of(district);
        for change in &self.changes {
            match change {
                Change::ScaleCapacity { select, factor: f } => {
                    let f = factor(&self.name, "scale_capacity.factor", *f)?;
                    let in_category =
                        |category: &String| select.category.as_ref().is_none_or(|c| c == category);
                    let mut offers = Vec::new();
                    let mut shared = Vec::new();
                    let providers = district.providers.iter().chain(&a.added);
                    let amounts = a.capacity.iter_mut().zip(&mut a.offers);
                    for (p, (capacity, caps)) in providers.zip(amounts) {
                        if !select.matches(p) {
                            continue;
                        }
                        let caps = p.offers.iter().zip(caps.iter_mut());
                        offers.extend(
                            caps.filter(|(o, _)| in_category(&o.category))
                                .map(|(_, c)| c),
                        );
                        if select.category.is_none() {
                            shared.extend(capacity.as_mut());
                        }
                    }
                    let field = "scale_capacity.factor";
                    apportion(&mut offers, f, &self.name, field)?;
                    apportion(&mut shared, f, &self.name, field)?;
                }
                Change::CloseProvider { provider } => {
                    let mut providers = district.providers.iter().chain(&a.added);
                    let Some(k) = providers.position(|p| p.id == *provider) else {
                        return Err(bad(
                            &self.name,
                            "close_provider.provider",
                            format!("{provider:?} is not a provider of the district"),
                        ));
                    };
                    a.offers[k].iter_mut().for_each(|c| *c = 0);
                    a.capacity[k] = a.capacity[k].map(|_| 0);
                }
                Change::AddProvider { provider } => a.add(provider),
                Change::ScaleDemand {
                    category,
                    community,
                    factor: f,
                } => {
                    let f = factor(&self.name, "scale_demand.factor", *f)?;
                    let mut units: Vec<&mut i64> = district
                        .needs
                        .iter()
                        .zip(&mut a.units)
                        .filter(|(n, _)| {
                            category.as_ref().is_none_or(|c| *c == n.category)
                                && community.as_ref().is_none_or(|c| *c == n.community)
                        })
                        .map(|(_, u)| u)
                        .collect();
                    apportion(&mut units, f, &self.name, "scale_demand.factor")?;
                    // A need keeps at least one unit (the total may then
                    // exceed the exact one).
                    for u in units {
                        *u = (*u).max(1);
                    }
                }
                Change::SetPolicy { .. } => {}
            }
        }
        Ok(a)
    }
}

/// The outcome of one scenario of a sweep.
///
/// It holds no copy of the changed district: that is the scenario applied
/// to the base district ([`Scenario::apply`]), for whoever needs its
/// records (a copy of district-13 took more time than re-solving a 1%
/// change, and held 19 MB an outcome).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Scenario name.
    pub name: String,
    /// The changed district's optimal allocation.
    pub result: MatchResult,
}

/// A base allocation and the outcomes of scenarios against it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// The base allocation.
    pub base: MatchResult,
    /// One outcome per scenario, in the given order.
    pub outcomes: Vec<Outcome>,
}

/// A district prepared for scenarios: validated and solved once in one
/// mode, its networks kept solved (a [`DistrictSession`]) when its policy
/// sets no sector bounds. [`ScenarioBase::outcome`] applies and solves one
/// scenario against it; [`sweep`] does so for many in parallel.
///
/// A scenario that changes amounts only (capacities, closures, demand) is
/// neither applied to a copy of the district nor validated afresh: its
/// amounts, written beside the base's records, are read into a copy of the
/// base's index by the same rules (a fifth of a validation's time on
/// district-13), and only the networks it changes are re-solved, each from
/// the base optimum's tree. One that adds providers has its amounts read so
/// too, the new providers checked in full, and is solved by
/// [`DistrictSession::solve_grown`] (the base's networks carried over to
/// the grown ones). Policy changes are applied, validated and solved from
/// the base's bases where their networks keep their shape.
///
/// ```
/// use hubmatch::analyze::scenario::{Scenario, ScenarioBase};
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let opts = MatchOptions::default();
/// let base = ScenarioBase::new(&d, Mode::Pooled, &opts).unwrap();
/// let more: Scenario = serde_json::from_str(
///     r#"{"name": "more", "changes": [{"scale_demand": {"factor": 2.0}}]}"#).unwrap();
/// let o = base.outcome(&more).unwrap();
/// let changed = more.apply(base.district()).unwrap();
/// let cold = match_district(&changed.validate().unwrap(), Mode::Pooled, &opts, None).unwrap();
/// assert_eq!(o.result.objective, cold.objective);
/// ```
pub struct ScenarioBase {
    district: District,
    index: DistrictIndex,
    mode: Mode,
    options: MatchOptions,
    kept: Kept,
    /// Copies of `index` that scenarios wrote their amounts into, each
    /// free again once its scenario is solved (one per thread at most).
    spares: Mutex<Vec<DistrictIndex>>,
}

/// What a [`ScenarioBase`] keeps of the base solve (each variant holds
/// the networks' vectors behind one pointer).
enum Kept {
    /// Every network kept solved (no sector bounds).
    Session(Box<DistrictSession>),
    /// With sector bounds: the eligibility graph, and the base result whose
    /// bases warm-start each scenario's Lagrangian solves.
    Bases(Box<(EligibilityGraph, MatchResult)>),
}

impl ScenarioBase {
    /// Validates and solves `district` in `mode`, keeping what scenarios
    /// start from (and a copy of the district, which they change).
    pub fn new(district: &District, mode: Mode, options: &MatchOptions) -> Result<ScenarioBase> {
        let index = district.validate()?;
        let kept = if index.sector_limits.is_empty() {
            Kept::Session(Box::new(DistrictSession::new(&index, mode, options)?))
        } else {
            let graph = EligibilityGraph::build(&index);
            let base = match_district_on(&index, &graph, mode, options, None)?;
            Kept::Bases(Box::new((graph, base)))
        };
        Ok(ScenarioBase {
            district: district.clone(),
            index,
            mode,
            options: options.clone(),
            kept,
            spares: Mutex::new(Vec::new()),
        })
    }

    /// The base district.
    pub fn district(&self) -> &District {
        &self.district
    }

    /// The base district's optimal allocation.
    pub fn base(&self) -> &MatchResult {
        match &self.kept {
            Kept::Session(session) => session.base(),
            Kept::Bases(kept) => &kept.1,
        }
    }

    /// Applies `scenario` to the base district and solves the result, warm
    /// where the changes allow.
    pub fn outcome(&self, scenario: &Scenario) -> Result<Outcome> {
        self.outcome_until(scenario, self.options.simplex.cancel.as_ref())
    }

    /// [`ScenarioBase::outcome`] stopped by `cancel` (with
    /// [`crate::Error::Cancelled`]) instead of the flag the options given to
    /// [`ScenarioBase::new`] held: a kept base serves calls that each bring
    /// their own.
    ///
    /// ```
    /// use hubmatch::analyze::scenario::{Scenario, ScenarioBase};
    /// use hubmatch::solve::{CancelFlag, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let base = ScenarioBase::new(&d, Mode::Pooled, &MatchOptions::default()).unwrap();
    /// let s: Scenario = serde_json::from_str(r#"{"name": "x", "changes": []}"#).unwrap();
    /// let o = base.outcome_cancellable(&s, &CancelFlag::default()).unwrap();
    /// assert_eq!(o.result.objective, base.base().objective);
    /// ```
    pub fn outcome_cancellable(&self, scenario: &Scenario, cancel: &CancelFlag) -> Result<Outcome> {
        self.outcome_until(scenario, Some(cancel))
    }

    fn outcome_until(&self, scenario: &Scenario, cancel: Option<&CancelFlag>) -> Result<Outcome> {
        let (mode, mut options) = (self.mode, self.options.clone());
        options.simplex.cancel = cancel.cloned();
        let options = &options;
        let warm = Some(self.base().bases.as_slice());
        let amounts_only = scenario.amounts_only();
        let result = if amounts_only || scenario.adds_providers() {
            // The base's records as they were but for amounts (and
            // providers appended, checked in full): the amounts are read
            // into a copy of the base's index.
            let amounts = scenario.amounts(&self.district)?;
            let spares = || self.spares.lock().unwrap_or_else(PoisonError::into_inner);
            let mut ix = spares().pop().unwrap_or_else(|| self.index.clone());
            let result = self
                .index
                .read_amounts_into(&self.district, &amounts, &mut ix)
                .and_then(|()| match &self.kept {
                    // Amounts only: the same policy, so still no sector bounds.
                    Kept::Session(session) if amounts_only => session.solve_until(&ix, cancel),
                    // New providers after the base's, which are as they
                    // were but for amounts; the same policy.
                    Kept::Session(session) => session.solve_grown_until(&ix, cancel),
                    Kept::Bases(kept) if amounts_only => {
                        match_district_on(&ix, &kept.0, mode, options, warm)
                    }
                    Kept::Bases(_) => match_district(&ix, mode, options, warm),
                });
            // Whatever the scenario's answer, the copy serves the next one.
            spares().push(ix);
            result?
        } else {
            // Other changes may change the networks' shape: validated afresh.
            let ix = scenario.apply(&self.district)?.validate()?;
            match_district(&ix, mode, options, warm)?
        };
        Ok(Outcome {
            name: scenario.name.clone(),
            result,
        })
    }
}

/// Solves `district` and every scenario in `mode`, scenarios in parallel,
/// each warm-started from the base optimum where its changes allow (see
/// [`ScenarioBase`]); the answers do not depend on the thread count.
/// `progress` is called once per finished scenario (from worker threads).
///
/// ```
/// use hubmatch::analyze::scenario::{sweep, Scenario};
/// use hubmatch::solve::{MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let closed: Scenario = serde_json::from_str(
///     r#"{"name": "no volunteers", "changes": [{"close_provider": {"provider": "vol1"}}]}"#).unwrap();
/// let s = sweep(&d, Mode::Pooled, &[closed], &MatchOptions::default(), &|_| {}).unwrap();
/// assert_eq!(s.base.objective - s.outcomes[0].result.objective, 61_000); // n4 ×2 at 25, n6 at 11
/// ```
pub fn sweep(
    district: &District,
    mode: Mode,
    scenarios: &[Scenario],
    options: &MatchOptions,
    progress: &(dyn Fn(usize) + Sync),
) -> Result<Sweep> {
    let base = ScenarioBase::new(district, mode, options)?;
    let outcomes = scenarios
        .par_iter()
        .enumerate()
        .map(|(k, s)| {
            let outcome = base.outcome(s)?;
            progress(k);
            Ok(outcome)
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Sweep {
        base: base.base().clone(),
        outcomes,
    })
}

/// Served units and weight of one community, category or provider kind in
/// two allocations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiffRow {
    /// `community`, `category` or `provider_kind`.
    pub dimension: String,
    /// The community id, category id or kind name.
    pub key: String,
    /// Units served in the first allocation.
    pub served_a: i64,
    /// Units served in the second.
    pub served_b: i64,
    /// Weight served in the first (thousandths of a point).
    pub weight_a: i64,
    /// Weight served in the second.
    pub weight_b: i64,
}

fn tally(d: &District, r: &MatchResult) -> BTreeMap<(String, String), (i64, i64)> {
    let mut t: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
    for c in &d.communities {
        t.insert(("community".into(), c.id.clone()), (0, 0));
    }
    for a in &r.assignments {
        let n = &d.needs[a.need as usize];
        let p = &d.providers[a.provider as usize];
        for key in [
            ("community".to_owned(), n.community.clone()),
            ("category".to_owned(), n.category.clone()),
            ("provider_kind".to_owned(), p.kind.as_str().to_owned()),
        ] {
            let e = t.entry(key).or_default();
            e.0 += a.units;
            e.1 += a.units * a.weight;
        }
    }
    t
}

/// Who gained and who lost between allocation `a` of district `da` and
/// allocation `b` of district `db` (which may differ by a scenario), by
/// community, category and provider kind, in that order.
pub fn diff(da: &District, a: &MatchResult, db: &District, b: &MatchResult) -> Vec<DiffRow> {
    let (ta, tb) = (tally(da, a), tally(db, b));
    let mut keys: Vec<&(String, String)> = ta.keys().chain(tb.keys()).collect();
    let rank = |d: &str| match d {
        "community" => 0,
        "category" => 1,
        _ => 2,
    };
    keys.sort_by(|x, y| rank(&x.0).cmp(&rank(&y.0)).then(x.1.cmp(&y.1)));
    keys.dedup();
    keys.into_iter()
        .map(|k| {
            let (sa, wa) = ta.get(k).copied().unwrap_or_default();
            let (sb, wb) = tb.get(k).copied().unwrap_or_default();
            DiffRow {
                dimension: k.0.clone(),
                key: k.1.clone(),
                served_a: sa,
                served_b: sb,
                weight_a: wa,
                weight_b: wb,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        /// Every value lands within one unit of its exact share, and the
        /// total is the exact total rounded to the nearest unit.
        #[test]
        fn apportioned_units_keep_shares_and_total(
            values in prop::collection::vec(0i64..2_000, 0..40),
            f in 0.0f64..3.0,
        ) {
            let mut out = values.clone();
            let mut refs: Vec<&mut i64> = out.iter_mut().collect();
            super::apportion(&mut refs, f, "s", "factor").unwrap();
            let exact: f64 = values.iter().map(|&v| v as f64 * f).sum();
            for (&v, &r) in values.iter().zip(&out) {
                prop_assert!((r as f64 - v as f64 * f).abs() < 1.0 + 1e-9, "{v} → {r}");
            }
            let total: i64 = out.iter().sum();
            prop_assert!((total as f64 - exact).abs() <= 0.5 + 1e-6, "{total} for {exact}");
        }
    }
}
