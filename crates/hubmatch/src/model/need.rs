//! Residents' needs (the needs list, 需求清单).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One resident's need for units of a service category.
///
/// ```
/// use hubmatch::Need;
/// let n = Need::new("n1", "c1", "life", 3);
/// assert_eq!(n.priority, 3);
/// assert!(n.budget.is_none()); // cannot pay for market services
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// Unique identifier.
    pub id: String,
    /// The community the resident lives in.
    pub community: String,
    /// The resident's grid cell (must belong to `community`); no cell means no travel cost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cell: Option<String>,
    /// Service category asked for.
    pub category: String,
    /// Units needed (hours or service slots), at least 1.
    pub units: i64,
    /// Priority from 1 (low) to 5 (urgent).
    #[serde(default = "default_priority")]
    pub priority: i64,
    /// Vulnerability tags such as `elderly_alone`, `disabled`, `low_income`, `child`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vulnerability: Vec<String>,
    /// Skills a provider must have to serve this need.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<String>,
    /// When the service is wanted; absent means any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<TimeWindow>,
    /// Most the resident can pay per unit for a priced (market) service; absent means cannot pay.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<f64>,
}

fn default_priority() -> i64 {
    3
}

impl Need {
    /// A need with default priority (3) and no tags, skills, window or budget.
    pub fn new(id: &str, community: &str, category: &str, units: i64) -> Self {
        Need {
            id: id.to_owned(),
            community: community.to_owned(),
            cell: None,
            category: category.to_owned(),
            units,
            priority: default_priority(),
            vulnerability: Vec::new(),
            skills: Vec::new(),
            window: None,
            budget: None,
        }
    }
}

/// A half-open time interval `[start, end)` in minutes from the start of the
/// planning period (a week is `0..10080`).
///
/// ```
/// use hubmatch::TimeWindow;
/// let morning = TimeWindow { start: 480, end: 720 };
/// assert!(morning.overlaps(&TimeWindow { start: 700, end: 800 }));
/// assert!(!morning.overlaps(&TimeWindow { start: 720, end: 800 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeWindow {
    /// First minute (inclusive), 0 or more.
    pub start: i64,
    /// Last minute (exclusive), greater than `start`.
    pub end: i64,
}

impl TimeWindow {
    /// Whether two windows share at least one minute.
    pub fn overlaps(&self, other: &TimeWindow) -> bool {
        self.start < other.end && other.start < self.end
    }
}
