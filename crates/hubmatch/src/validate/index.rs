//! The validated district: ids resolved to dense indices, real numbers in
//! fixed point.

use std::collections::HashMap;
use std::sync::Arc;

use super::rules::{Check, err};
use crate::error::RecordKind;
use crate::model::{ProviderKind, TimeWindow};

/// A validated district with ids resolved to dense indices and every real
/// number converted to fixed point (millionths, see [`crate::fixed`]).
///
/// Indices follow the order of the district's lists, so results are stable.
///
/// ```
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let index = d.validate().unwrap();
/// assert_eq!(index.communities.len(), d.communities.len());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistrictIndex {
    /// Community ids, by index.
    pub communities: Vec<String>,
    /// Grid cells: (community index, x, y) in millionths.
    pub cells: Vec<(usize, i64, i64)>,
    /// Category ids in force, by index.
    pub categories: Vec<String>,
    /// Value of each category (policy override applied), in millionths.
    pub category_value: Vec<i64>,
    /// Needs, in input order.
    pub needs: Vec<NeedIndex>,
    /// Providers, in input order.
    pub providers: Vec<ProviderIndex>,
    /// Priority multipliers in millionths.
    pub priority_multiplier: [i64; 5],
    /// Policy cost weight in millionths.
    pub cost_weight: i64,
    /// Policy travel penalty in millionths.
    pub travel_penalty: i64,
    /// Policy cross-community penalty in millionths.
    pub cross_community_penalty: i64,
    /// Policy unserved penalty in millionths.
    pub unserved_penalty: i64,
    /// For each category, which provider kinds may serve it.
    pub allowed: Vec<[bool; 4]>,
    /// Coverage floor of each community, in millionths (0 to 1,000,000).
    pub community_floor: Vec<Option<i64>>,
    /// Coverage floor of each community × category (`community * categories + category`).
    pub category_floor: Vec<Option<i64>>,
    /// Sector bounds, one per limit (a bound with both shares gives two).
    pub sector_limits: Vec<SectorLimit>,
    /// The bounds that keep weights exact, re-checked when amounts change.
    pub(super) exactness: Exactness,
    /// The id of each skill named so far (needs' first, in order, then
    /// providers'), which providers appended to the district extend.
    pub(super) skill_ids: Arc<HashMap<String, u32>>,
}

/// One side of a sector bound with resolved references: providers of `kind`
/// give at least (or at most) `share`‰ of the units of `category` served to
/// the needs of `community` (or of the whole district).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectorLimit {
    /// Position of the bound in `policy.sector_bounds`.
    pub bound: usize,
    /// Category index.
    pub category: usize,
    /// Provider kind.
    pub kind: ProviderKind,
    /// Community index, or `None` for the whole district.
    pub community: Option<usize>,
    /// `true` for a least share, `false` for a largest share.
    pub at_least: bool,
    /// The share in thousandths (0 to 1,000).
    pub share: i64,
}

/// A need with resolved references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedIndex {
    /// Community index.
    pub community: usize,
    /// Cell index, if any.
    pub cell: Option<usize>,
    /// Category index.
    pub category: usize,
    /// Units needed.
    pub units: i64,
    /// Priority 1..=5.
    pub priority: u8,
    /// Vulnerability multiplier in millionths.
    pub vulnerability: i64,
    /// Required skills as sorted skill ids.
    pub skills: Vec<u32>,
    /// Time window, if any.
    pub window: Option<TimeWindow>,
    /// Budget per unit in millionths, if any.
    pub budget: Option<i64>,
}

/// A provider with resolved references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderIndex {
    /// Provider kind.
    pub kind: ProviderKind,
    /// Home community index; `None` for district-level providers.
    pub home: Option<usize>,
    /// Communities it may serve, sorted.
    pub area: Vec<usize>,
    /// Location cell, if any.
    pub cell: Option<usize>,
    /// Skills as sorted skill ids.
    pub skills: Vec<u32>,
    /// Availability windows; empty means always.
    pub availability: Vec<TimeWindow>,
    /// Shared capacity across offers, if any.
    pub capacity: Option<i64>,
    /// Per-community quotas (community index, units), sorted.
    pub quotas: Vec<(usize, i64)>,
    /// Offers.
    pub offers: Vec<OfferIndex>,
}

/// An offer with resolved references.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferIndex {
    /// Category index.
    pub category: usize,
    /// Capacity in units.
    pub capacity: i64,
    /// Unit cost in millionths.
    pub unit_cost: i64,
    /// Price per unit in millionths, if priced.
    pub price: Option<i64>,
    /// Quality in millionths.
    pub quality: i64,
}

/// What keeps a district's weights exact in 64-bit integers: the largest
/// weight of a unit (thousandths) and the networks' largest node count. The
/// largest weight times the nodes, and times the units, must fit `i64` with
/// room for the solver's potentials (see `solve::network_simplex`). The
/// largest weight is kept in its factors, so that providers appended to a
/// validated district (their offers' quality) move it as a validation
/// afresh would.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Exactness {
    /// The largest category value × priority × vulnerability multiplier.
    pub(super) scale: i128,
    /// The unserved penalty's part of the largest weight (and 1).
    pub(super) penalty: i128,
    /// The largest offer quality, in millionths.
    pub(super) max_quality: i64,
    pub(super) nodes: i128,
}

impl Exactness {
    /// The largest weight of a unit, in thousandths.
    fn max_weight(&self) -> i128 {
        let s = i128::from(crate::fixed::INPUT_SCALE);
        self.scale * i128::from(self.max_quality) / s / 1000 + self.penalty
    }

    /// Whether weights stay exact with `total_units` units of need.
    pub(super) fn check(&self, total_units: i128) -> Check<()> {
        let (max_weight, nodes) = (self.max_weight(), self.nodes);
        let limit = i128::from(i64::MAX) / 8;
        if max_weight * nodes > limit || max_weight * total_units > limit {
            return Err(err(
                RecordKind::Policy,
                "policy",
                "category_values",
                format!(
                    "give weights up to {max_weight} thousandths per unit, too large to \
                     compute exactly with {nodes} nodes and {total_units} units in 64-bit \
                     integers; lower the category values or multipliers"
                ),
            ));
        }
        Ok(())
    }
}
