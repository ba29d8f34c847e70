//! The policy: how the hub weighs one unit of service.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::provider::ProviderKind;

/// How value is weighed. The weight of one unit of need `n` served by offer `o`
/// of provider `p` is
///
/// ```text
/// value(category) × priority_multipliers[priority-1] × vulnerability(n) × quality(o)
///   − cost_weight × unit_cost(o)
///   − travel_penalty × distance(cell(n), cell(p))
///   − cross_community_penalty   (pooled mode, when p's home is not n's community)
/// ```
///
/// where `vulnerability(n)` is the largest multiplier among the need's tags (1
/// when none is listed). Leaving a unit unserved costs `unserved_penalty`.
///
/// ```
/// use hubmatch::{Policy, ProviderKind};
/// let p = Policy::default();
/// assert_eq!(p.priority_multipliers, [1.0, 1.25, 1.5, 2.0, 3.0]);
/// assert!(p.kind_may_serve(ProviderKind::Government, "administrative"));
/// assert!(!p.kind_may_serve(ProviderKind::Volunteer, "administrative"));
/// assert!(p.kind_may_serve(ProviderKind::Volunteer, "life"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Overrides of category values (points per unit), by category id.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub category_values: BTreeMap<String, f64>,
    /// Multiplier for priority 1 to 5 (each 0 to 100).
    pub priority_multipliers: [f64; 5],
    /// Multiplier per vulnerability tag (each 0 to 100); a need takes its largest.
    pub vulnerability_multipliers: BTreeMap<String, f64>,
    /// Points per unit of money of the hub's unit cost (0 to 1,000).
    pub cost_weight: f64,
    /// Points per unit of grid distance (0 to 1,000,000).
    pub travel_penalty: f64,
    /// Points per unit served across communities in pooled mode (0 to 1,000,000).
    pub cross_community_penalty: f64,
    /// Which provider kinds may serve a category; a category not listed may be
    /// served by every kind.
    pub allowed_kinds: BTreeMap<String, Vec<ProviderKind>>,
    /// Points lost per unit left unserved (0 to 1,000,000). With 0, only edges of
    /// positive weight are worth serving.
    pub unserved_penalty: f64,
    /// Minimum coverage (0 to 1) of every community: at least
    /// ⌈floor × units needed⌉ of its units must be served.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage_floor: Option<f64>,
    /// Minimum coverage by community id (replaces `coverage_floor` there).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub community_floors: BTreeMap<String, f64>,
    /// Minimum coverage by `community/category` (e.g. `"c3/administrative"`).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub category_floors: BTreeMap<String, f64>,
    /// Bounds on the share of a category's served units that one provider
    /// kind gives (e.g. government at least 60% of administrative services).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sector_bounds: Vec<SectorBound>,
}

/// A bound on the share of a category's served units given by providers of
/// one kind, in the whole district or in one community (by the needs' home).
/// Shares have at most 3 decimals (0.1%).
///
/// ```
/// use hubmatch::{Policy, ProviderKind, SectorBound};
/// let mut p = Policy::default();
/// p.sector_bounds.push(SectorBound {
///     category: "professional".into(),
///     kind: ProviderKind::Volunteer,
///     community: None,
///     min_share: None,
///     max_share: Some(0.25), // volunteers give at most a quarter
/// });
/// assert_eq!(p.sector_bounds[0].max_share, Some(0.25));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SectorBound {
    /// Service category id.
    pub category: String,
    /// The provider kind whose share is bounded.
    pub kind: ProviderKind,
    /// Community id whose needs count, or none for the whole district.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub community: Option<String>,
    /// Least share of the category's served units (0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_share: Option<f64>,
    /// Largest share of the category's served units (0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_share: Option<f64>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            category_values: BTreeMap::new(),
            priority_multipliers: [1.0, 1.25, 1.5, 2.0, 3.0],
            vulnerability_multipliers: [
                ("elderly_alone", 1.5),
                ("disabled", 1.5),
                ("low_income", 1.3),
                ("child", 1.2),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            cost_weight: 0.1,
            travel_penalty: 0.5,
            cross_community_penalty: 1.0,
            allowed_kinds: BTreeMap::from([(
                "administrative".to_owned(),
                vec![ProviderKind::Government],
            )]),
            unserved_penalty: 0.0,
            coverage_floor: None,
            community_floors: BTreeMap::new(),
            category_floors: BTreeMap::new(),
            sector_bounds: Vec::new(),
        }
    }
}

impl Policy {
    /// Whether the policy lets providers of `kind` serve `category`.
    pub fn kind_may_serve(&self, kind: ProviderKind, category: &str) -> bool {
        self.allowed_kinds
            .get(category)
            .is_none_or(|kinds| kinds.contains(&kind))
    }

    /// The vulnerability multiplier of a need with these tags: the largest
    /// listed multiplier, or 1 when no tag has one.
    ///
    /// ```
    /// let p = hubmatch::Policy::default();
    /// assert_eq!(p.vulnerability_multiplier(&["low_income".into(), "disabled".into()]), 1.5);
    /// assert_eq!(p.vulnerability_multiplier(&[]), 1.0);
    /// ```
    pub fn vulnerability_multiplier(&self, tags: &[String]) -> f64 {
        tags.iter()
            .filter_map(|t| self.vulnerability_multipliers.get(t))
            .copied()
            .fold(None, |acc: Option<f64>, m| {
                Some(acc.map_or(m, |a| a.max(m)))
            })
            .unwrap_or(1.0)
    }
}
