//! Shadow prices: what one more unit is worth, read off the dual potentials.
//!
//! The optimal duals of the matching are a supergradient of the optimum as a
//! function of the capacities: with `V(c)` the optimal objective at capacity
//! `c` of one offer (or one provider's shared capacity) and `p` its reported
//! price, `V(c+1) − V(c) ≤ p ≤ V(c) − V(c−1)`. The price is exactly the gain
//! of one more unit while the optimal basis stays optimal; at a breakpoint of
//! `V` (degenerate optimum) it is one of the values in between, and the
//! re-solve tells the rest. The same holds for a need's dual and one more unit
//! of that need.
//!
//! Complexity: O(offers + needs).

use serde::{Deserialize, Serialize};

use crate::solve::MatchResult;
use crate::validate::DistrictIndex;

/// The price of one capacity: an offer's, or a provider's shared capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityPrice {
    /// Provider index.
    pub provider: u32,
    /// Offer index, or `None` for the provider's shared capacity.
    pub offer: Option<u32>,
    /// The community whose share it is (per-community mode), or `None`.
    pub community: Option<u32>,
    /// Capacity available.
    pub capacity: i64,
    /// Units used.
    pub used: i64,
    /// Marginal value of one more unit (thousandths of a point).
    pub price: i64,
}

/// Shadow prices of an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShadowPrices {
    /// Every offer and shared capacity in a network, highest price first
    /// (ties in provider order).
    pub capacities: Vec<CapacityPrice>,
    /// Per community × category: the summed price of the offers of that
    /// category held in that community (its share in per-community mode,
    /// its home providers' offers in pooled mode), as
    /// (community, category, price). District-level offers in pooled mode
    /// belong to no community and are not summed here.
    pub by_community_category: Vec<(u32, u32, i64)>,
    /// Marginal value of one more unit of each need (thousandths of a point).
    pub needs: Vec<i64>,
}

/// The shadow prices of `result`, an allocation of the district `ix`.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let prices = hubmatch::analyze::shadow_prices(&ix, &r);
/// // One more administrative slot at gov1 would serve n2 once more: 14 points.
/// let top = &prices.capacities[0];
/// assert_eq!((top.provider, top.offer, top.price), (0, Some(0), 14_000));
/// ```
pub fn shadow_prices(ix: &DistrictIndex, result: &MatchResult) -> ShadowPrices {
    let mut capacities: Vec<CapacityPrice> = result
        .offers
        .iter()
        .map(|o| CapacityPrice {
            provider: o.provider,
            offer: Some(o.offer),
            community: o.community,
            capacity: o.capacity,
            used: o.used,
            price: o.potential,
        })
        .chain(result.providers.iter().map(|p| CapacityPrice {
            provider: p.provider,
            offer: None,
            community: p.community,
            capacity: p.capacity,
            used: p.used,
            price: p.potential,
        }))
        .collect();
    capacities.sort_by(|a, b| {
        b.price
            .cmp(&a.price)
            .then((a.provider, a.offer, a.community).cmp(&(b.provider, b.offer, b.community)))
    });
    let nk = ix.categories.len();
    let mut grid = vec![0i64; ix.communities.len() * nk];
    for o in &result.offers {
        let provider = &ix.providers[o.provider as usize];
        let community = o.community.map(|c| c as usize).or(provider.home);
        if let Some(c) = community {
            grid[c * nk + provider.offers[o.offer as usize].category] += o.potential;
        }
    }
    let by_community_category = grid
        .iter()
        .enumerate()
        .map(|(k, &price)| ((k / nk) as u32, (k % nk) as u32, price))
        .collect();
    ShadowPrices {
        capacities,
        by_community_category,
        needs: result.need_potential.clone(),
    }
}
