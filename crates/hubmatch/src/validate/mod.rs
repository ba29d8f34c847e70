//! Validation: checks a [`District`] and builds the [`DistrictIndex`] the
//! engine works on (ids resolved to indices, numbers in fixed point).
//!
//! Every rule has a message naming the record and field, and the value given.
//! Validation never panics, whatever the input. The rules on single values
//! are in `rules`; the index types in `index`; `amounts` re-checks only the
//! amounts of a district whose structure an index already validated, and
//! the providers appended to it (the scenarios of a sweep, as `Amounts`).

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{RecordKind, Result};
use crate::fixed::INPUT_SCALE;
use crate::model::{District, FORMAT, Provider, ServiceArea};

mod amounts;
mod index;
mod rules;

pub(crate) use amounts::Amounts;
use index::Exactness;
pub use index::{DistrictIndex, NeedIndex, OfferIndex, ProviderIndex, SectorLimit};
use rules::{Check, amount, coordinate, count, err, ids, window};

/// Largest category value, in points per unit.
pub const MAX_VALUE: f64 = 100_000.0;
/// Largest priority or vulnerability multiplier.
pub const MAX_MULTIPLIER: f64 = 100.0;
/// Largest offer quality score.
pub const MAX_QUALITY: f64 = 10.0;
/// Largest money amount (cost, price, budget) and largest penalty.
pub const MAX_AMOUNT: f64 = 1_000_000.0;
/// Largest absolute grid coordinate.
pub const MAX_COORDINATE: f64 = 1_000_000.0;
/// Largest units of one need, capacity of one offer or provider, or quota.
pub const MAX_UNITS: i64 = 1_000_000_000;
/// Largest time-window bound, in minutes.
pub const MAX_MINUTE: i64 = 1_000_000_000;

impl District {
    /// Checks every rule and returns the resolved index, or the first error
    /// found (records are checked in document order).
    ///
    /// ```
    /// use hubmatch::{District, Need};
    /// let mut d = District::new("d");
    /// d.needs.push(Need::new("n42", "nowhere", "life", 1));
    /// let err = d.validate().unwrap_err();
    /// assert_eq!(err.to_string(), r#"need "n42": community "nowhere" is not a community of the district"#);
    /// ```
    pub fn validate(&self) -> Result<DistrictIndex> {
        Validator::default().run(self).map_err(Into::into)
    }
}

/// What records are checked against: the district's communities, grid
/// cells and categories in force, by id.
struct Refs<'a> {
    communities: Ids<'a>,
    cells: Ids<'a>,
    categories: Ids<'a>,
}

/// Records of one kind by id, and what a record not among them is said
/// not to be.
struct Ids<'a> {
    index: HashMap<&'a str, usize>,
    what: &'static str,
}

impl Ids<'_> {
    /// The index of `id`, or an error on the record's field saying it is
    /// not one of these.
    fn find(&self, kind: RecordKind, rec: &str, field: &str, id: &str) -> Check<usize> {
        let what = self.what;
        self.index
            .get(id)
            .copied()
            .ok_or_else(|| err(kind, rec, field, format!("{id:?} is not {what}")))
    }
}

impl<'a> Refs<'a> {
    /// The references given by id maps, in index order.
    fn new(
        communities: HashMap<&'a str, usize>,
        cells: HashMap<&'a str, usize>,
        categories: HashMap<&'a str, usize>,
    ) -> Refs<'a> {
        let ids = |index, what| Ids { index, what };
        Refs {
            communities: ids(communities, "a community of the district"),
            cells: ids(cells, "a grid cell of the district"),
            categories: ids(categories, "a service category"),
        }
    }

    /// The references of `d`, a district validated already, whose
    /// categories in force are `categories` (in index order).
    fn of(d: &'a District, categories: &'a [String]) -> Refs<'a> {
        let by_position = |ids: &mut dyn Iterator<Item = &'a str>| -> HashMap<&'a str, usize> {
            ids.enumerate().map(|(k, id)| (id, k)).collect()
        };
        Refs::new(
            by_position(&mut d.communities.iter().map(|c| c.id.as_str())),
            by_position(
                &mut d
                    .communities
                    .iter()
                    .flat_map(|c| c.cells.iter().map(|g| g.id.as_str())),
            ),
            by_position(&mut categories.iter().map(String::as_str)),
        )
    }
}

/// The node count the weights' bounds assume for a district of `needs`
/// needs and `providers`: every need, provider and offer, and two more.
fn node_count<'a>(needs: usize, providers: impl IntoIterator<Item = &'a Provider>) -> i128 {
    let providers: usize = providers.into_iter().map(|p| 1 + p.offers.len()).sum();
    (needs + providers + 2) as i128
}

#[derive(Default)]
struct Validator {
    skills: HashMap<String, u32>,
}

impl Validator {
    fn skill_ids(&mut self, skills: &[String]) -> Vec<u32> {
        let mut out: Vec<u32> = skills
            .iter()
            .map(|s| {
                if let Some(&id) = self.skills.get(s) {
                    return id;
                }
                // Owned only the first time a skill is seen.
                let id = self.skills.len() as u32;
                self.skills.insert(s.clone(), id);
                id
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Provider `pr` checked against the district's references and the
    /// policy's `allowed` kinds per category; raises `max_quality` to its
    /// offers' best.
    fn provider(
        &mut self,
        refs: &Refs<'_>,
        allowed: &[[bool; 4]],
        pr: &Provider,
        max_quality: &mut i64,
    ) -> Check<ProviderIndex> {
        use RecordKind as K;
        let rec = pr.id.as_str();
        let home = pr
            .home
            .as_deref()
            .map(|h| refs.communities.find(K::Provider, rec, "home", h))
            .transpose()?;
        let mut area: Vec<usize> = match pr.effective_area() {
            ServiceArea::Home => match home {
                Some(h) => vec![h],
                None => {
                    return Err(err(
                        K::Provider,
                        rec,
                        "service_area",
                        "is \"home\" but the provider has no home community".into(),
                    ));
                }
            },
            ServiceArea::District => (0..refs.communities.index.len()).collect(),
            ServiceArea::Communities(list) => list
                .iter()
                .map(|c| refs.communities.find(K::Provider, rec, "service_area", c))
                .collect::<Check<_>>()?,
        };
        area.sort_unstable();
        area.dedup();
        let cell = pr
            .cell
            .as_deref()
            .map(|c| refs.cells.find(K::Provider, rec, "cell", c))
            .transpose()?;
        let capacity = pr
            .capacity
            .map(|c| count(K::Provider, rec, "capacity", c, 0))
            .transpose()?;
        let mut quotas = Vec::with_capacity(pr.quotas.len());
        for (c, q) in &pr.quotas {
            let field = format!("quotas.{c}");
            let ci = refs.communities.find(K::Provider, rec, &field, c)?;
            if area.binary_search(&ci).is_err() {
                return Err(err(
                    K::Provider,
                    rec,
                    &field,
                    format!("community {c:?} is outside the provider's service area"),
                ));
            }
            quotas.push((ci, count(K::Provider, rec, &field, *q, 0)?));
        }
        quotas.sort_unstable();
        let availability = pr
            .availability
            .iter()
            .map(|w| window(K::Provider, rec, "availability", w))
            .collect::<Check<_>>()?;
        let mut offers = Vec::with_capacity(pr.offers.len());
        let mut seen = Vec::with_capacity(pr.offers.len());
        for o in &pr.offers {
            let orec = format!("{}/{}", pr.id, o.category);
            let cat = refs
                .categories
                .find(K::Offer, &orec, "category", &o.category)?;
            if seen.contains(&cat) {
                return Err(err(
                    K::Offer,
                    &orec,
                    "category",
                    "is offered twice by the same provider".into(),
                ));
            }
            seen.push(cat);
            if !allowed[cat].iter().any(|&a| a) {
                return Err(err(
                    K::Offer,
                    &orec,
                    "category",
                    format!(
                        "{:?} may be served by no provider kind under the policy",
                        o.category
                    ),
                ));
            }
            let quality = amount(K::Offer, &orec, "quality", o.quality, MAX_QUALITY)?;
            *max_quality = (*max_quality).max(quality);
            offers.push(OfferIndex {
                category: cat,
                capacity: count(K::Offer, &orec, "capacity", o.capacity, 0)?,
                unit_cost: amount(K::Offer, &orec, "unit_cost", o.unit_cost, MAX_AMOUNT)?,
                price: o
                    .price
                    .map(|x| amount(K::Offer, &orec, "price", x, MAX_AMOUNT))
                    .transpose()?,
                quality,
            });
        }
        Ok(ProviderIndex {
            kind: pr.kind,
            home,
            area,
            cell,
            skills: self.skill_ids(&pr.skills),
            availability,
            capacity,
            quotas,
            offers,
        })
    }

    #[allow(clippy::too_many_lines)]
    fn run(mut self, d: &District) -> Check<DistrictIndex> {
        use RecordKind as K;
        if d.format != FORMAT {
            return Err(err(
                K::District,
                &d.id,
                "format",
                format!("must be {FORMAT:?}, got {:?}", d.format),
            ));
        }

        // Categories and policy.
        ids(K::Category, d.categories.iter().map(|c| c.id.as_str()))?;
        let cats = d.effective_categories();
        let cat_ix = ids(K::Category, cats.iter().map(|c| c.id.as_str()))?;
        let p = &d.policy;
        let mut category_value = Vec::with_capacity(cats.len());
        for c in &cats {
            let (kind, rec, field, v) = match p.category_values.get(&c.id) {
                Some(v) => (K::Policy, "policy", format!("category_values.{}", c.id), *v),
                None => (K::Category, c.id.as_str(), "value".to_owned(), c.value),
            };
            category_value.push(amount(kind, rec, &field, v, MAX_VALUE)?);
        }
        for key in p.category_values.keys() {
            if !cat_ix.contains_key(key.as_str()) {
                return Err(err(
                    K::Policy,
                    "policy",
                    "category_values",
                    format!("names unknown category {key:?}"),
                ));
            }
        }
        let mut priority_multiplier = [0; 5];
        for (i, m) in p.priority_multipliers.iter().enumerate() {
            priority_multiplier[i] = amount(
                K::Policy,
                "policy",
                &format!("priority_multipliers[{i}]"),
                *m,
                MAX_MULTIPLIER,
            )?;
        }
        let mut max_vulnerability = INPUT_SCALE;
        for (tag, m) in &p.vulnerability_multipliers {
            let field = format!("vulnerability_multipliers.{tag}");
            let m = amount(K::Policy, "policy", &field, *m, MAX_MULTIPLIER)?;
            max_vulnerability = max_vulnerability.max(m);
        }
        let cost_weight = amount(K::Policy, "policy", "cost_weight", p.cost_weight, 1_000.0)?;
        let travel_penalty = amount(
            K::Policy,
            "policy",
            "travel_penalty",
            p.travel_penalty,
            MAX_AMOUNT,
        )?;
        let cross_community_penalty = amount(
            K::Policy,
            "policy",
            "cross_community_penalty",
            p.cross_community_penalty,
            MAX_AMOUNT,
        )?;
        let unserved_penalty = amount(
            K::Policy,
            "policy",
            "unserved_penalty",
            p.unserved_penalty,
            MAX_AMOUNT,
        )?;
        let mut allowed = vec![[true; 4]; cats.len()];
        for (cat, kinds) in &p.allowed_kinds {
            let Some(&ci) = cat_ix.get(cat.as_str()) else {
                return Err(err(
                    K::Policy,
                    "policy",
                    "allowed_kinds",
                    format!("names unknown category {cat:?}"),
                ));
            };
            allowed[ci] = [false; 4];
            for k in kinds {
                allowed[ci][*k as usize] = true;
            }
        }

        // Communities and cells.
        let com_ix = ids(K::Community, d.communities.iter().map(|c| c.id.as_str()))?;
        let cell_ix = ids(
            K::Cell,
            d.communities
                .iter()
                .flat_map(|c| c.cells.iter().map(|g| g.id.as_str())),
        )?;
        let mut cells = Vec::with_capacity(cell_ix.len());
        for (ci, c) in d.communities.iter().enumerate() {
            count(K::Community, &c.id, "population", c.population, 0)?;
            for g in &c.cells {
                cells.push((
                    ci,
                    coordinate(&g.id, "x", g.x)?,
                    coordinate(&g.id, "y", g.y)?,
                ));
            }
        }
        let refs = Refs::new(com_ix, cell_ix, cat_ix);
        let community =
            |kind, rec: &str, field: &str, id: &str| refs.communities.find(kind, rec, field, id);
        let cell = |kind, rec: &str, id: &str| refs.cells.find(kind, rec, "cell", id);
        let category = |kind, rec: &str, id: &str| refs.categories.find(kind, rec, "category", id);

        // Needs.
        ids(K::Need, d.needs.iter().map(|n| n.id.as_str()))?;
        let mut needs = Vec::with_capacity(d.needs.len());
        let mut total_units: i128 = 0;
        for n in &d.needs {
            let rec = n.id.as_str();
            let com = community(K::Need, rec, "community", &n.community)?;
            let cell = match &n.cell {
                Some(id) => {
                    let c = cell(K::Need, rec, id)?;
                    if cells[c].0 != com {
                        return Err(err(
                            K::Need,
                            rec,
                            "cell",
                            format!("{id:?} is not in community {:?}", n.community),
                        ));
                    }
                    Some(c)
                }
                None => None,
            };
            let cat = category(K::Need, rec, &n.category)?;
            let units = count(K::Need, rec, "units", n.units, 1)?;
            total_units += i128::from(units);
            if !(1..=5).contains(&n.priority) {
                return Err(err(
                    K::Need,
                    rec,
                    "priority",
                    format!("must be between 1 and 5, got {}", n.priority),
                ));
            }
            let vulnerability = amount(
                K::Need,
                rec,
                "vulnerability",
                p.vulnerability_multiplier(&n.vulnerability),
                MAX_MULTIPLIER,
            )?;
            let window = n
                .window
                .as_ref()
                .map(|w| window(K::Need, rec, "window", w))
                .transpose()?;
            let budget = n
                .budget
                .map(|b| amount(K::Need, rec, "budget", b, MAX_AMOUNT))
                .transpose()?;
            needs.push(NeedIndex {
                community: com,
                cell,
                category: cat,
                units,
                priority: n.priority as u8,
                vulnerability,
                skills: self.skill_ids(&n.skills),
                window,
                budget,
            });
        }

        // Providers and offers.
        ids(K::Provider, d.providers.iter().map(|p| p.id.as_str()))?;
        let mut providers = Vec::with_capacity(d.providers.len());
        let mut max_quality = 0;
        for pr in &d.providers {
            providers.push(self.provider(&refs, &allowed, pr, &mut max_quality)?);
        }

        // Coverage floors.
        let floor = |field: &str, v: f64| -> Check<i64> {
            if !(0.0..=1.0).contains(&v) {
                return Err(err(
                    K::Policy,
                    "policy",
                    field,
                    format!("must be between 0 and 1, got {v}"),
                ));
            }
            amount(K::Policy, "policy", field, v, 1.0)
        };
        let default_floor = p
            .coverage_floor
            .map(|v| floor("coverage_floor", v))
            .transpose()?;
        let mut community_floor = vec![default_floor; refs.communities.index.len()];
        for (c, v) in &p.community_floors {
            let field = format!("community_floors.{c}");
            let ci = community(K::Policy, "policy", &field, c)?;
            community_floor[ci] = Some(floor(&field, *v)?);
        }
        let mut category_floor = vec![None; refs.communities.index.len() * cats.len()];
        for (key, v) in &p.category_floors {
            let field = format!("category_floors.{key}");
            let Some((c, k)) = key.split_once('/') else {
                return Err(err(
                    K::Policy,
                    "policy",
                    &field,
                    "must be named COMMUNITY/CATEGORY".into(),
                ));
            };
            let ci = community(K::Policy, "policy", &field, c)?;
            let ki = refs.categories.find(K::Policy, "policy", &field, k)?;
            category_floor[ci * cats.len() + ki] = Some(floor(&field, *v)?);
        }

        // Sector bounds: shares in thousandths.
        let mut sector_limits = Vec::new();
        for (b, bound) in p.sector_bounds.iter().enumerate() {
            let field = |f: &str| format!("sector_bounds[{b}].{f}");
            let category =
                refs.categories
                    .find(K::Policy, "policy", &field("category"), &bound.category)?;
            let com = bound
                .community
                .as_deref()
                .map(|c| community(K::Policy, "policy", &field("community"), c))
                .transpose()?;
            let share = |name: &str, v: f64| -> Check<i64> {
                let f = field(name);
                if !(0.0..=1.0).contains(&v) {
                    return Err(err(
                        K::Policy,
                        "policy",
                        &f,
                        format!("must be between 0 and 1, got {v}"),
                    ));
                }
                let permille = (v * 1000.0).round();
                if (v * 1000.0 - permille).abs() > 1e-6 {
                    return Err(err(
                        K::Policy,
                        "policy",
                        &f,
                        format!("must have at most 3 decimal places (0.1%), got {v}"),
                    ));
                }
                Ok(permille as i64)
            };
            let least = bound.min_share.map(|v| share("min_share", v)).transpose()?;
            let most = bound.max_share.map(|v| share("max_share", v)).transpose()?;
            match (least, most) {
                (None, None) => {
                    return Err(err(
                        K::Policy,
                        "policy",
                        &field("min_share"),
                        "or max_share must be given".into(),
                    ));
                }
                (Some(l), Some(m)) if l > m => {
                    return Err(err(
                        K::Policy,
                        "policy",
                        &field("min_share"),
                        format!(
                            "must not exceed max_share, got {} > {}",
                            l as f64 / 1000.0,
                            m as f64 / 1000.0
                        ),
                    ));
                }
                _ => {}
            }
            for (at_least, v) in [(true, least), (false, most)] {
                if let Some(share) = v {
                    sector_limits.push(SectorLimit {
                        bound: b,
                        category,
                        kind: bound.kind,
                        community: com,
                        at_least,
                        share,
                    });
                }
            }
        }

        // Exactness: the largest weight times the network's size must fit i64
        // with room for the solver's potentials (see `solve::network_simplex`).
        let max_value = category_value.iter().copied().max().unwrap_or(0);
        let max_priority = priority_multiplier.iter().copied().max().unwrap_or(0);
        let s = i128::from(INPUT_SCALE);
        let exactness = Exactness {
            scale: i128::from(max_value) * i128::from(max_priority) / s
                * i128::from(max_vulnerability)
                / s,
            penalty: i128::from(unserved_penalty) / 1000 + 1,
            max_quality,
            nodes: node_count(d.needs.len(), &d.providers),
        };
        exactness.check(total_units)?;

        Ok(DistrictIndex {
            communities: d.communities.iter().map(|c| c.id.clone()).collect(),
            cells,
            categories: cats.into_iter().map(|c| c.id).collect(),
            category_value,
            needs,
            providers,
            priority_multiplier,
            cost_weight,
            travel_penalty,
            cross_community_penalty,
            unserved_penalty,
            allowed,
            community_floor,
            category_floor,
            sector_limits,
            exactness,
            skill_ids: Arc::new(self.skills),
        })
    }
}
