//! The weight of one unit served, in exact fixed point.
//!
//! ```text
//! w = value(category) × priority_multiplier × vulnerability × quality
//!     − cost_weight × unit_cost
//!     − travel_penalty × distance
//!     − cross_community_penalty   (only when the provider's home is another community)
//! ```
//!
//! Every input is an integer in millionths; the whole expression is evaluated
//! exactly in `i128` at scale 10⁻²⁴ and rounded once, half away from zero, to
//! thousandths ([`crate::fixed::WEIGHT_SCALE`]). Validation bounds the inputs
//! so that the result fits `i64` with room for the solver.

use crate::fixed::div_round;
use crate::validate::{DistrictIndex, NeedIndex, OfferIndex, ProviderIndex};

const S: i128 = 1_000_000;

/// Weight of one unit of `need` served by `offer` of `provider`, in
/// thousandths of a point; `cross` says whether the cross-community penalty applies.
///
/// ```
/// use hubmatch::graph::weight::unit_weight;
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// // Need n1 (administrative, priority 4, elderly_alone) by gov1's offer, same cell:
/// // 16 × 2.0 × 1.5 × 1.0 − 0 − 0 − 0 = 48.
/// let w = unit_weight(&ix, &ix.needs[0], &ix.providers[0], &ix.providers[0].offers[0], false);
/// assert_eq!(w, 48_000);
/// ```
pub fn unit_weight(
    ix: &DistrictIndex,
    need: &NeedIndex,
    provider: &ProviderIndex,
    offer: &OfferIndex,
    cross: bool,
) -> i64 {
    let value = i128::from(ix.category_value[need.category]);
    let priority = i128::from(ix.priority_multiplier[usize::from(need.priority) - 1]);
    let benefit = value * priority * i128::from(need.vulnerability) * i128::from(offer.quality);
    let cost = i128::from(ix.cost_weight) * i128::from(offer.unit_cost) * S * S;
    let distance = match (need.cell, provider.cell) {
        (Some(a), Some(b)) => {
            let (_, ax, ay) = ix.cells[a];
            let (_, bx, by) = ix.cells[b];
            i128::from((ax - bx).abs()) + i128::from((ay - by).abs())
        }
        _ => 0,
    };
    let travel = i128::from(ix.travel_penalty) * distance * S * S;
    let penalty = if cross {
        i128::from(ix.cross_community_penalty) * S * S * S
    } else {
        0
    };
    // Scale 10^-24 to 10^-3.
    div_round(benefit - cost - travel - penalty, S * S * S * S / 1000) as i64
}

/// The unserved penalty per unit in thousandths of a point.
pub fn unserved_penalty(ix: &DistrictIndex) -> i64 {
    div_round(i128::from(ix.unserved_penalty), 1000) as i64
}
