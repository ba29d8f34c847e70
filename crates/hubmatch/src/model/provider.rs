//! Providers and their offers (the resources list, 资源清单).

use std::collections::BTreeMap;
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::need::TimeWindow;

/// The four kinds of providers a hub pools.
///
/// ```
/// use hubmatch::ProviderKind;
/// assert_eq!(ProviderKind::SocialOrganization.as_str(), "social_organization");
/// assert_eq!(ProviderKind::ALL.len(), 4);
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Street office, community committees (街道办事处、社区两委).
    Government,
    /// Businesses, social units, service platforms; their services carry a price.
    Market,
    /// Community social organizations and professional NGOs (社会组织).
    SocialOrganization,
    /// Residents who volunteer (志愿者).
    Volunteer,
}

impl ProviderKind {
    /// All kinds, in a fixed order.
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Government,
        ProviderKind::Market,
        ProviderKind::SocialOrganization,
        ProviderKind::Volunteer,
    ];

    /// The `snake_case` name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Government => "government",
            ProviderKind::Market => "market",
            ProviderKind::SocialOrganization => "social_organization",
            ProviderKind::Volunteer => "volunteer",
        }
    }

    /// Parses the `snake_case` name.
    ///
    /// ```
    /// use hubmatch::ProviderKind;
    /// assert_eq!(ProviderKind::parse("market"), Some(ProviderKind::Market));
    /// assert_eq!(ProviderKind::parse("church"), None);
    /// ```
    pub fn parse(s: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a provider may serve.
///
/// In JSON: `"home"`, `"district"` or `{"communities": ["c1", "c2"]}`.
///
/// ```
/// use hubmatch::ServiceArea;
/// let area: ServiceArea = serde_json::from_str(r#"{"communities":["c1"]}"#).unwrap();
/// assert_eq!(area, ServiceArea::Communities(vec!["c1".into()]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ServiceArea {
    /// Only the provider's home community.
    Home,
    /// Every community of the district.
    District,
    /// The listed communities.
    Communities(Vec<String>),
}

/// A provider: one organization, business, office or volunteer.
///
/// ```
/// use hubmatch::{Offer, Provider, ProviderKind};
/// let mut p = Provider::new("p1", ProviderKind::Volunteer, Some("c1"));
/// p.offers.push(Offer::new("volunteer", 4));
/// assert_eq!(p.offers[0].quality, 1.0);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// Unique identifier.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Which of the four kinds it is.
    pub kind: ProviderKind,
    /// Home community; absent for district-level providers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// Where it may serve; absent means its home community, or the whole
    /// district for a district-level provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_area: Option<ServiceArea>,
    /// Its location (a grid cell id); absent means no travel cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Skills it has.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// When it is available; empty means any time.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub availability: Vec<TimeWindow>,
    /// Total units it can give across all its offers; absent means only the offers' own capacities bind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<i64>,
    /// For per-community matching: how many units each community gets of a
    /// multi-community provider's capacity. Absent means split in proportion to demand.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quotas: BTreeMap<String, i64>,
    /// What it offers, at most one offer per category.
    #[serde(default)]
    pub offers: Vec<Offer>,
}

impl Provider {
    /// A provider with no offers, skills or limits.
    pub fn new(id: &str, kind: ProviderKind, home: Option<&str>) -> Self {
        Provider {
            id: id.to_owned(),
            name: String::new(),
            kind,
            home: home.map(str::to_owned),
            service_area: None,
            cell: None,
            skills: Vec::new(),
            availability: Vec::new(),
            capacity: None,
            quotas: BTreeMap::new(),
            offers: Vec::new(),
        }
    }

    /// The service area in force (resolving the default).
    ///
    /// ```
    /// use hubmatch::{Provider, ProviderKind, ServiceArea};
    /// assert_eq!(Provider::new("p", ProviderKind::Market, Some("c1")).effective_area(), ServiceArea::Home);
    /// assert_eq!(Provider::new("p", ProviderKind::Market, None).effective_area(), ServiceArea::District);
    /// ```
    pub fn effective_area(&self) -> ServiceArea {
        match (&self.service_area, &self.home) {
            (Some(area), _) => area.clone(),
            (None, Some(_)) => ServiceArea::Home,
            (None, None) => ServiceArea::District,
        }
    }
}

/// What a provider offers in one category.
///
/// ```
/// use hubmatch::Offer;
/// let o = Offer { price: Some(30.0), ..Offer::new("life", 20) };
/// assert_eq!(o.capacity, 20);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Service category offered.
    pub category: String,
    /// Units it can give in this category (0 or more).
    pub capacity: i64,
    /// Cost to the hub of one unit (0 or more).
    #[serde(default)]
    pub unit_cost: f64,
    /// Price the resident pays per unit (market services); absent means free to the resident.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<f64>,
    /// Quality score multiplying the unit's value (0 to 10; 1 is standard).
    #[serde(default = "default_quality")]
    pub quality: f64,
}

fn default_quality() -> f64 {
    1.0
}

impl Offer {
    /// An offer of standard quality, at no cost and no price.
    pub fn new(category: &str, capacity: i64) -> Self {
        Offer {
            category: category.to_owned(),
            capacity,
            unit_cost: 0.0,
            price: None,
            quality: default_quality(),
        }
    }
}
