//! The district: the street and everything the hub matches in it.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::category::ServiceCategory;
use super::community::Community;
use super::need::Need;
use super::policy::Policy;
use super::provider::Provider;

/// Format tag of district documents read and written by this version.
pub const FORMAT: &str = "hubmatch.district/1";

/// A street (街道): its communities, categories, providers, needs and policy.
///
/// A `District` is plain data and may be invalid; [`District::validate`] checks
/// it and returns the index the engine works on.
///
/// ```
/// use hubmatch::{Community, District, Need, Offer, Provider, ProviderKind};
/// let mut d = District::new("demo");
/// d.communities.push(Community { id: "c1".into(), name: String::new(), population: 100, cells: vec![] });
/// let mut p = Provider::new("p1", ProviderKind::Volunteer, Some("c1"));
/// p.offers.push(Offer::new("life", 2));
/// d.providers.push(p);
/// d.needs.push(Need::new("n1", "c1", "life", 1));
/// assert!(d.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct District {
    /// Format tag, always [`FORMAT`].
    pub format: String,
    /// Identifier of the district.
    #[serde(default)]
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Categories declared by this district, in addition to (or redefining)
    /// the five built-in service systems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<ServiceCategory>,
    /// The communities.
    pub communities: Vec<Community>,
    /// The providers.
    #[serde(default)]
    pub providers: Vec<Provider>,
    /// The needs.
    #[serde(default)]
    pub needs: Vec<Need>,
    /// The policy; defaults apply to every field left out.
    #[serde(default)]
    pub policy: Policy,
}

impl District {
    /// An empty district with the default policy.
    pub fn new(id: &str) -> Self {
        District {
            format: FORMAT.to_owned(),
            id: id.to_owned(),
            name: String::new(),
            categories: Vec::new(),
            communities: Vec::new(),
            providers: Vec::new(),
            needs: Vec::new(),
            policy: Policy::default(),
        }
    }

    /// The categories in force: the built-in five, then declared ones; a
    /// declared category with a built-in id replaces it in place.
    ///
    /// ```
    /// use hubmatch::{District, ServiceCategory};
    /// let mut d = District::new("d");
    /// d.categories.push(ServiceCategory { id: "legal".into(), name: String::new(), value: 20.0 });
    /// assert_eq!(d.effective_categories().len(), 6);
    /// ```
    pub fn effective_categories(&self) -> Vec<ServiceCategory> {
        let mut all = ServiceCategory::builtin();
        for declared in &self.categories {
            match all.iter_mut().find(|c| c.id == declared.id) {
                Some(slot) => *slot = declared.clone(),
                None => all.push(declared.clone()),
            }
        }
        all
    }
}
