//! The price of fairness: what the policy's coverage floors and sector
//! bounds cost.
//!
//! Floors are enforced exactly inside the flow model (see
//! [`crate::solve::district`]): a floor on community (or community ×
//! category) X caps the units X may leave unserved, which is a capacity on
//! the arcs that carry X's unserved units. The price of fairness is the
//! objective without the floors minus the objective with them — never
//! negative, since the floors only remove allocations. Sector bounds are
//! side constraints (see [`crate::solve::lagrangian`]); with them, the
//! constrained objective may sit below the optimum by at most the reported
//! gap, so the price is then exact to within that gap.
//!
//! Complexity: two district solves.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::solve::{MatchOptions, MatchResult, Mode, match_district};
use crate::validate::DistrictIndex;

/// An allocation under the floors and sector bounds and one without them, compared.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceOfFairness {
    /// The allocation under the policy's floors and sector bounds.
    pub with_floors: MatchResult,
    /// The allocation with every floor and sector bound removed.
    pub without_floors: MatchResult,
    /// Objective lost to the floors and bounds (thousandths of a point).
    pub price: i64,
}

/// Solves `ix` with and without its coverage floors and sector bounds.
///
/// ```
/// use hubmatch::solve::{MatchOptions, Mode};
/// let mut d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// d.policy.community_floors.insert("c2".into(), 0.8);
/// let p = hubmatch::analyze::price_of_fairness(&d.validate().unwrap(), Mode::Pooled, &MatchOptions::default()).unwrap();
/// assert_eq!(p.price, 34_000); // n1's second unit (48) gives way to n2's (14)
/// ```
pub fn price_of_fairness(
    ix: &DistrictIndex,
    mode: Mode,
    options: &MatchOptions,
) -> Result<PriceOfFairness> {
    let with_floors = match_district(ix, mode, options, None)?;
    let mut free = ix.clone();
    free.community_floor.iter_mut().for_each(|f| *f = None);
    free.category_floor.iter_mut().for_each(|f| *f = None);
    free.sector_limits.clear();
    let without_floors = match_district(&free, mode, options, None)?;
    Ok(PriceOfFairness {
        price: without_floors.objective - with_floors.objective,
        with_floors,
        without_floors,
    })
}
