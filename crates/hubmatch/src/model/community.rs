//! Communities and their grid cells.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A community of the street (社区), with its grid cells (网格).
///
/// ```
/// use hubmatch::{Community, GridCell};
/// let c = Community {
///     id: "c1".into(),
///     name: "East Gate".into(),
///     population: 8200,
///     cells: vec![GridCell { id: "c1-g1".into(), x: 0.0, y: 0.0 }],
/// };
/// assert_eq!(c.cells.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Community {
    /// Unique identifier.
    pub id: String,
    /// Human-readable name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Resident population (0 or more).
    #[serde(default)]
    pub population: i64,
    /// Grid cells; ids are unique across the district.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<GridCell>,
}

/// A grid cell (网格) with planar coordinates, used for travel distances.
///
/// Distance between two cells is the city-block distance `|dx| + |dy|`.
///
/// ```
/// use hubmatch::GridCell;
/// let a = GridCell { id: "a".into(), x: 0.0, y: 0.0 };
/// let b = GridCell { id: "b".into(), x: 1.5, y: -2.0 };
/// assert_eq!(a.distance(&b), 3.5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GridCell {
    /// Unique identifier across the district.
    pub id: String,
    /// East coordinate (any unit; |x| at most 1,000,000).
    pub x: f64,
    /// North coordinate (same unit as `x`).
    pub y: f64,
}

impl GridCell {
    /// City-block distance to another cell.
    pub fn distance(&self, other: &GridCell) -> f64 {
        (self.x - other.x).abs() + (self.y - other.y).abs()
    }
}
