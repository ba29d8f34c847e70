//! Results as tables (assignments, unmet needs, utilisation) and a summary,
//! with district ids instead of indices; written as CSV and JSON.

use std::collections::BTreeMap;
use std::path::Path;

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fixed::weight_to_f64;
use crate::model::District;
use crate::solve::MatchResult;

/// One row of `assignments.csv`: units of a need served by a provider's offer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssignmentRow {
    /// Need id.
    pub need: String,
    /// The need's community.
    pub community: String,
    /// Category served.
    pub category: String,
    /// Provider id.
    pub provider: String,
    /// Provider kind.
    pub provider_kind: String,
    /// Units served.
    pub units: i64,
    /// Weight of one unit, in points.
    pub weight_per_unit: f64,
    /// Whether the provider serves outside its home community.
    pub cross_community: bool,
}

/// One row of `unmet.csv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnmetRow {
    /// Need id.
    pub need: String,
    /// The need's community.
    pub community: String,
    /// Category needed.
    pub category: String,
    /// Units left unserved.
    pub units: i64,
    /// Reason code: `no_eligible_provider`, `capacity_exhausted` or `not_worth_serving`.
    pub reason: String,
}

/// One row of `utilisation.csv`: an offer's capacity (or a provider's shared
/// capacity when `category` is empty), and in per-community mode one
/// community's share of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UtilisationRow {
    /// Provider id.
    pub provider: String,
    /// Provider kind.
    pub provider_kind: String,
    /// Offer category, or empty for the provider's shared capacity.
    pub category: String,
    /// The community whose share this is (per-community mode), or empty.
    pub community: String,
    /// Capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// used / capacity (0 when capacity is 0).
    pub utilisation: f64,
    /// Dual value of one more unit of this capacity, in points.
    pub shadow_price: f64,
}

/// Served and unmet units of one community or category.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunitySummary {
    /// Units needed.
    pub needed: i64,
    /// Units served.
    pub served: i64,
    /// Units unmet.
    pub unmet: i64,
    /// Weight served, in points.
    pub weight: f64,
}

/// Capacity and use of one provider kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct KindUse {
    /// Offer capacity of the kind's providers (offers with at least one eligible need).
    pub capacity: i64,
    /// Units they served.
    pub served: i64,
}

/// A coverage floor in a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FloorSummary {
    /// `community` or `community/category`.
    pub floor: String,
    /// Units needed.
    pub needed: i64,
    /// Units required.
    pub required: i64,
    /// Units served.
    pub served: i64,
    /// What one unit less required would add, in points (the floor's price).
    pub price: f64,
}

/// A sector bound's limit in a summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectorSummary {
    /// Position of the bound in `policy.sector_bounds`.
    pub bound: u32,
    /// Category id.
    pub category: String,
    /// Provider kind.
    pub kind: String,
    /// Community id, or `None` for the whole district.
    pub community: Option<String>,
    /// `at_least` or `at_most`.
    pub limit: String,
    /// The bound on the share (0 to 1).
    pub share: f64,
    /// Units of the category served in scope.
    pub served: i64,
    /// Of those, by the kind.
    pub served_by_kind: i64,
    /// Lagrange multiplier, in points per unit of the constraint.
    pub multiplier: f64,
}

/// Equity of community coverage (see [`crate::analyze::coverage`](mod@crate::analyze::coverage)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EquitySummary {
    /// Lowest community coverage.
    pub min_coverage: f64,
    /// The community with the lowest coverage.
    pub worst_off: String,
    /// Jain's fairness index.
    pub jain: f64,
    /// Gini coefficient.
    pub gini: f64,
}

/// The `summary.json` of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `pooled` or `per_community`.
    pub mode: String,
    /// District id.
    pub district: String,
    /// Objective in points (weight served minus unserved penalties).
    pub objective: f64,
    /// Number of needs.
    pub need_count: usize,
    /// Units needed in all.
    pub needed: i64,
    /// Units served in all.
    pub served: i64,
    /// Units unmet in all.
    pub unmet: i64,
    /// By community id.
    pub by_community: BTreeMap<String, CommunitySummary>,
    /// By category id.
    pub by_category: BTreeMap<String, CommunitySummary>,
    /// Capacity and served units by provider kind.
    pub by_kind: BTreeMap<String, KindUse>,
    /// Unmet units by reason code.
    pub unmet_by_reason: BTreeMap<String, i64>,
    /// Equity of coverage across communities with needs.
    pub equity: Option<EquitySummary>,
    /// Coverage floors of the policy and how they are met.
    #[serde(default)]
    pub floors: Vec<FloorSummary>,
    /// Sector bounds of the policy and how they are met.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sectors: Vec<SectorSummary>,
    /// With sector bounds: a proven upper bound on the optimal objective, in
    /// points; the allocation is optimal when it equals `objective`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper_bound: Option<f64>,
    /// Networks solved.
    pub networks: usize,
    /// Needs before aggregation.
    pub needs: usize,
    /// Need classes after aggregation.
    pub classes: usize,
    /// Eligibility edges.
    pub edges: usize,
    /// Simplex pivots.
    pub pivots: u64,
}

impl Summary {
    /// The summary of `result`, a matching of `district`, without the rows
    /// of [`ResultTables`]: what a sweep shows of each scenario. Totals are
    /// summed into slots found once per need (their ids compared with the
    /// previous need's first, as needs come grouped), not looked up by id
    /// per row: 14 ms on district-13 pooled, of 43 ms for the whole tables
    /// (whose rows own a string per id).
    ///
    /// ```
    /// use hubmatch::io::results::{ResultTables, Summary};
    /// use hubmatch::solve::{match_district, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let r = match_district(&d.validate().unwrap(), Mode::Pooled, &MatchOptions::default(), None).unwrap();
    /// let s = Summary::new(&d, &r);
    /// assert_eq!(s, ResultTables::new(&d, &r).summary);
    /// assert_eq!(s.served + s.unmet, s.needed);
    /// ```
    pub fn new(district: &District, result: &MatchResult) -> Summary {
        let needs = &district.needs;
        let providers = &district.providers;
        // Slots: communities by id (the district's, sorted as the map is),
        // categories by id (those needs have), kinds in `ALL` order.
        let (community_ids, community_slot) =
            numbered(district.communities.iter().map(|c| c.id.as_str()));
        let (category_ids, category_slot) = numbered(needs.iter().map(|n| n.category.as_str()));
        let need_community = slots(
            needs.len(),
            |i| needs[i].community.as_str(),
            &community_slot,
        );
        let need_category = slots(needs.len(), |i| needs[i].category.as_str(), &category_slot);
        let mut communities = vec![CommunitySummary::default(); community_ids.len()];
        let mut categories = vec![CommunitySummary::default(); category_ids.len()];
        let mut kinds = [
            KindUse::default(),
            KindUse::default(),
            KindUse::default(),
            KindUse::default(),
        ];
        let kind_slot = |p: u32| providers[p as usize].kind as usize;
        let slot = |i: usize| (need_community[i], need_category[i]);
        for (i, n) in needs.iter().enumerate() {
            for s in slots_of(&mut communities, &mut categories, slot(i)) {
                s.needed += n.units;
            }
        }
        for a in &result.assignments {
            let i = a.need as usize;
            kinds[kind_slot(a.provider)].served += a.units;
            let weight = weight_to_f64(a.weight) * a.units as f64;
            for s in slots_of(&mut communities, &mut categories, slot(i)) {
                s.served += a.units;
                s.weight += weight;
            }
        }
        let mut unmet_by_reason: BTreeMap<&str, i64> = BTreeMap::new();
        for u in &result.unmet {
            let i = u.need as usize;
            *unmet_by_reason.entry(u.reason.as_str()).or_default() += u.units;
            for s in slots_of(&mut communities, &mut categories, slot(i)) {
                s.unmet += u.units;
            }
        }
        for o in &result.offers {
            kinds[kind_slot(o.provider)].capacity += o.capacity;
        }
        let keyed = |ids: Vec<&str>, sums: Vec<CommunitySummary>| {
            (ids.into_iter().map(str::to_owned))
                .zip(sums)
                .collect::<BTreeMap<String, CommunitySummary>>()
        };
        let by_community = keyed(community_ids, communities);
        let by_category = keyed(category_ids, categories);
        let by_kind: BTreeMap<String, KindUse> = crate::ProviderKind::ALL
            .iter()
            .zip(kinds)
            .map(|(k, s)| (k.as_str().to_owned(), s))
            .collect();
        let ids: Vec<&String> = by_community.keys().collect();
        let shares: Vec<(u32, f64)> = by_community
            .values()
            .enumerate()
            .filter(|(_, s)| s.needed > 0)
            .map(|(k, s)| (k as u32, s.served as f64 / s.needed as f64))
            .collect();
        let equity = crate::analyze::coverage::equity(&shares).map(|e| EquitySummary {
            min_coverage: e.min_coverage,
            worst_off: ids[e.worst_off as usize].clone(),
            jain: e.jain,
            gini: e.gini,
        });
        let needed = needs.iter().map(|n| n.units).sum();
        let served = result.assignments.iter().map(|a| a.units).sum();
        Summary {
            mode: result.mode.as_str().to_owned(),
            district: district.id.clone(),
            objective: weight_to_f64(result.objective),
            need_count: needs.len(),
            needed,
            served,
            unmet: result.unmet.iter().map(|u| u.units).sum(),
            by_community,
            by_category,
            by_kind,
            unmet_by_reason: (unmet_by_reason.into_iter())
                .map(|(reason, units)| (reason.to_owned(), units))
                .collect(),
            equity,
            floors: result
                .floors
                .iter()
                .map(|f| {
                    let community = &district.communities[f.community as usize].id;
                    let categories = district.effective_categories();
                    FloorSummary {
                        floor: match f.category {
                            Some(k) => format!("{community}/{}", categories[k as usize].id),
                            None => community.clone(),
                        },
                        needed: f.needed,
                        required: f.required,
                        served: f.served,
                        price: weight_to_f64(f.potential),
                    }
                })
                .collect(),
            sectors: result
                .sectors
                .iter()
                .map(|u| SectorSummary {
                    bound: u.bound,
                    category: district.effective_categories()[u.category as usize]
                        .id
                        .clone(),
                    kind: u.kind.as_str().to_owned(),
                    community: u
                        .community
                        .map(|c| district.communities[c as usize].id.clone()),
                    limit: if u.at_least { "at_least" } else { "at_most" }.to_owned(),
                    share: u.share as f64 / 1000.0,
                    served: u.served,
                    served_by_kind: u.served_by_kind,
                    multiplier: weight_to_f64(u.multiplier),
                })
                .collect(),
            upper_bound: result.upper_bound.map(weight_to_f64),
            networks: result.stats.networks,
            needs: result.stats.needs,
            classes: result.stats.classes,
            edges: result.stats.edges,
            pivots: result.stats.pivots,
        }
    }
}

/// The slots of a need's community and category (`(c, k)`) among
/// `communities` and `categories`, where it has them.
fn slots_of<'a>(
    communities: &'a mut [CommunitySummary],
    categories: &'a mut [CommunitySummary],
    (c, k): (usize, usize),
) -> impl Iterator<Item = &'a mut CommunitySummary> {
    [communities.get_mut(c), categories.get_mut(k)]
        .into_iter()
        .flatten()
}

/// The distinct ids, sorted, and each one's position among them.
fn numbered<'a>(ids: impl Iterator<Item = &'a str>) -> (Vec<&'a str>, FxHashMap<&'a str, usize>) {
    // Hashed one by one, runs of one id once: a sorted collection would
    // compare strings at every step.
    let mut distinct: FxHashMap<&str, usize> = FxHashMap::default();
    let mut last = None;
    for id in ids {
        if last != Some(id) {
            distinct.entry(id).or_default();
            last = Some(id);
        }
    }
    let mut sorted: Vec<&str> = distinct.keys().copied().collect();
    sorted.sort_unstable();
    for (k, id) in sorted.iter().enumerate() {
        distinct.insert(id, k);
    }
    (sorted, distinct)
}

/// The slot of each of `n` ids (`id_of(i)`) in `ids`, `usize::MAX` where
/// absent; an id equal to the one before takes its slot unlooked-up.
fn slots<'a>(
    n: usize,
    id_of: impl Fn(usize) -> &'a str,
    ids: &FxHashMap<&str, usize>,
) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(n);
    for i in 0..n {
        let id = id_of(i);
        let slot = match out.last() {
            Some(&last) if id_of(i - 1) == id => last,
            _ => ids.get(id).copied().unwrap_or(usize::MAX),
        };
        out.push(slot);
    }
    out
}

/// A result in table form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultTables {
    /// Assignments, by need then provider.
    pub assignments: Vec<AssignmentRow>,
    /// Unmet needs.
    pub unmet: Vec<UnmetRow>,
    /// Utilisation of offers and shared capacities.
    pub utilisation: Vec<UtilisationRow>,
    /// Summary.
    pub summary: Summary,
}

impl ResultTables {
    /// Builds the tables of `result`, a matching of `district`.
    ///
    /// ```
    /// use hubmatch::io::results::ResultTables;
    /// use hubmatch::solve::{match_district, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let r = match_district(&d.validate().unwrap(), Mode::Pooled, &MatchOptions::default(), None).unwrap();
    /// let t = ResultTables::new(&d, &r);
    /// assert_eq!(t.summary.objective, 290.6);
    /// assert_eq!(t.summary.served + t.summary.unmet, t.summary.needed);
    /// ```
    pub fn new(district: &District, result: &MatchResult) -> ResultTables {
        let needs = &district.needs;
        let providers = &district.providers;
        let assignments = result
            .assignments
            .iter()
            .map(|a| {
                let n = &needs[a.need as usize];
                let p = &providers[a.provider as usize];
                AssignmentRow {
                    need: n.id.clone(),
                    community: n.community.clone(),
                    category: n.category.clone(),
                    provider: p.id.clone(),
                    provider_kind: p.kind.as_str().to_owned(),
                    units: a.units,
                    weight_per_unit: weight_to_f64(a.weight),
                    cross_community: a.cross,
                }
            })
            .collect();
        let unmet = result
            .unmet
            .iter()
            .map(|u| {
                let n = &needs[u.need as usize];
                UnmetRow {
                    need: n.id.clone(),
                    community: n.community.clone(),
                    category: n.category.clone(),
                    units: u.units,
                    reason: u.reason.as_str().to_owned(),
                }
            })
            .collect();
        let community_id = |c: Option<u32>| {
            c.map(|c| district.communities[c as usize].id.clone())
                .unwrap_or_default()
        };
        let ratio = |used: i64, cap: i64| {
            if cap > 0 {
                used as f64 / cap as f64
            } else {
                0.0
            }
        };
        let mut utilisation: Vec<UtilisationRow> = result
            .offers
            .iter()
            .map(|o| {
                let p = &providers[o.provider as usize];
                UtilisationRow {
                    provider: p.id.clone(),
                    provider_kind: p.kind.as_str().to_owned(),
                    category: p.offers[o.offer as usize].category.clone(),
                    community: community_id(o.community),
                    capacity: o.capacity,
                    used: o.used,
                    utilisation: ratio(o.used, o.capacity),
                    shadow_price: weight_to_f64(o.potential),
                }
            })
            .collect();
        utilisation.extend(result.providers.iter().map(|u| {
            let p = &providers[u.provider as usize];
            UtilisationRow {
                provider: p.id.clone(),
                provider_kind: p.kind.as_str().to_owned(),
                category: String::new(),
                community: community_id(u.community),
                capacity: u.capacity,
                used: u.used,
                utilisation: ratio(u.used, u.capacity),
                shadow_price: weight_to_f64(u.potential),
            }
        }));
        ResultTables {
            assignments,
            unmet,
            utilisation,
            summary: Summary::new(district, result),
        }
    }

    /// Writes `assignments.csv`, `unmet.csv`, `utilisation.csv` and `summary.json` into `dir`.
    pub fn write_dir(&self, dir: impl AsRef<Path>) -> Result<()> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        write_csv(
            &dir.join("assignments.csv"),
            &[
                "need",
                "community",
                "category",
                "provider",
                "provider_kind",
                "units",
                "weight_per_unit",
                "cross_community",
            ],
            &self.assignments,
        )?;
        write_csv(
            &dir.join("unmet.csv"),
            &["need", "community", "category", "units", "reason"],
            &self.unmet,
        )?;
        write_csv(
            &dir.join("utilisation.csv"),
            &[
                "provider",
                "provider_kind",
                "category",
                "community",
                "capacity",
                "used",
                "utilisation",
                "shadow_price",
            ],
            &self.utilisation,
        )?;
        let path = dir.join("summary.json");
        let text = serde_json::to_string_pretty(&self.summary).unwrap_or_default() + "\n";
        std::fs::write(&path, text).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

fn write_csv<T: Serialize>(path: &Path, header: &[&str], rows: &[T]) -> Result<()> {
    let err = |e: csv::Error| Error::Io {
        path: path.display().to_string(),
        source: std::io::Error::other(e),
    };
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_path(path)
        .map_err(err)?;
    w.write_record(header).map_err(err)?;
    for r in rows {
        w.serialize(r).map_err(err)?;
    }
    w.flush().map_err(|source| Error::Io {
        path: path.display().to_string(),
        source,
    })
}

/// Writes `explanations.csv`: why each unmet need was not served, in plain
/// words (need, community, category, units, reason, text).
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let why = hubmatch::analyze::explain_unmet(&d, &ix, &r);
/// let dir = std::env::temp_dir().join(format!("hubmatch-doc-why-{}", std::process::id()));
/// hubmatch::io::results::write_explanations(&dir, &d, &why).unwrap();
/// assert!(std::fs::read_to_string(dir.join("explanations.csv")).unwrap().contains("It requires cooking."));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn write_explanations(
    dir: impl AsRef<Path>,
    district: &District,
    explanations: &[crate::analyze::Explanation],
) -> Result<()> {
    #[derive(Serialize)]
    struct Row<'a> {
        need: &'a str,
        community: &'a str,
        category: &'a str,
        units: i64,
        reason: &'a str,
        text: &'a str,
    }
    let dir = dir.as_ref();
    std::fs::create_dir_all(dir).map_err(|source| Error::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let rows: Vec<Row<'_>> = explanations
        .iter()
        .map(|w| {
            let n = &district.needs[w.need as usize];
            Row {
                need: &n.id,
                community: &n.community,
                category: &n.category,
                units: w.units,
                reason: w.reason.as_str(),
                text: &w.text,
            }
        })
        .collect();
    write_csv(
        &dir.join("explanations.csv"),
        &["need", "community", "category", "units", "reason", "text"],
        &rows,
    )
}
