//! Service categories: the five service systems and any a district adds.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Identifier of a service category (`"life"`, `"administrative"`, or one a district declares).
pub type CategoryId = String;

/// A service system that needs ask for and offers provide.
///
/// The five systems of the hub model are built in ([`ServiceCategory::builtin`]);
/// a district may declare more, or redeclare a built-in one to change its value.
///
/// ```
/// use hubmatch::ServiceCategory;
/// let builtin = ServiceCategory::builtin();
/// let ids: Vec<_> = builtin.iter().map(|c| c.id.as_str()).collect();
/// assert_eq!(ids, ["life", "professional", "volunteer", "public", "administrative"]);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceCategory {
    /// Identifier used by needs, offers and the policy.
    pub id: CategoryId,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Value points of one unit served, before multipliers (0 to 100,000).
    pub value: f64,
}

impl ServiceCategory {
    /// Life services (生活服务): meals, cleaning, repairs, day care.
    pub const LIFE: &'static str = "life";
    /// Professional services (专业服务): social work, counselling, rehabilitation, legal aid.
    pub const PROFESSIONAL: &'static str = "professional";
    /// Volunteer services (志愿服务): visiting, escorting, tutoring by residents.
    pub const VOLUNTEER: &'static str = "volunteer";
    /// Public services (公共服务): health, culture, employment, safety.
    pub const PUBLIC: &'static str = "public";
    /// Administrative services (行政服务): certificates, benefits, permits; government only by default.
    pub const ADMINISTRATIVE: &'static str = "administrative";

    /// The five built-in service systems with their default values.
    ///
    /// Values are points per unit; administrative and professional services
    /// weigh most because a resident cannot get them elsewhere.
    pub fn builtin() -> Vec<ServiceCategory> {
        [
            (Self::LIFE, "Life services", 10.0),
            (Self::PROFESSIONAL, "Professional services", 14.0),
            (Self::VOLUNTEER, "Volunteer services", 8.0),
            (Self::PUBLIC, "Public services", 12.0),
            (Self::ADMINISTRATIVE, "Administrative services", 16.0),
        ]
        .into_iter()
        .map(|(id, name, value)| ServiceCategory {
            id: id.to_owned(),
            name: name.to_owned(),
            value,
        })
        .collect()
    }
}
