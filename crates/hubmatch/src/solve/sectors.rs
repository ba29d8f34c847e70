//! Sector bounds as side constraints of a mode's networks.
//!
//! A limit "kind K gives at least p/q of the served units of category C
//! (in community X)" is the linear constraint
//! `(q − p)·x_K − p·x_other ≥ 0` over the edges that serve C's needs (of X);
//! "at most p/q" is its negation with `p/q` for the share of the others.
//! Shares are in thousandths, reduced to lowest terms so that the
//! coefficients (and the multipliers' steps) stay small. The constraints are
//! solved by [`crate::solve::lagrangian`].
//!
//! Complexity: O(edges × limits) to build the terms.

use serde::{Deserialize, Serialize};

use crate::model::ProviderKind;
use crate::solve::district::Assignment;
use crate::solve::lagrangian::Term;
use crate::solve::parts::Part;
use crate::validate::{DistrictIndex, SectorLimit};

/// A sector bound's limit and how the allocation meets it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorUse {
    /// Position of the bound in `policy.sector_bounds`.
    pub bound: u32,
    /// Category index.
    pub category: u32,
    /// Provider kind whose share is bounded.
    pub kind: ProviderKind,
    /// Community index, or `None` for the whole district.
    pub community: Option<u32>,
    /// `true` for a least share, `false` for a largest share.
    pub at_least: bool,
    /// The share, in thousandths.
    pub share: i64,
    /// Units of the category served (in the community, if any).
    pub served: i64,
    /// Of those, units served by providers of `kind`.
    pub served_by_kind: i64,
    /// Lagrange multiplier of the limit (thousandths of a point per unit of
    /// the constraint): 0 when the limit does not bind.
    pub multiplier: i64,
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Coefficients (kind K, other kinds) of a limit's constraint.
fn coefficients(limit: &SectorLimit) -> (i64, i64) {
    let g = gcd(limit.share, 1000).max(1);
    let (p, q) = (limit.share / g, 1000 / g);
    if limit.at_least {
        (q - p, -p)
    } else {
        (-(q - p), p)
    }
}

/// The terms of each limit's constraint over the edges of `parts`.
pub(crate) fn sector_terms(ix: &DistrictIndex, parts: &[Part]) -> Vec<Vec<Term>> {
    let mut terms = vec![Vec::new(); ix.sector_limits.len()];
    for (k, part) in parts.iter().enumerate() {
        let p = &part.problem;
        for e in 0..p.edge_count() {
            let need = &ix.needs[part.needs[p.edge_need[e] as usize] as usize];
            let provider = part.offers[p.edge_offer[e] as usize].0;
            let kind = ix.providers[provider as usize].kind;
            for (j, limit) in ix.sector_limits.iter().enumerate() {
                if need.category != limit.category
                    || limit.community.is_some_and(|c| c != need.community)
                {
                    continue;
                }
                let (own, other) = coefficients(limit);
                let coef = if kind == limit.kind { own } else { other };
                if coef != 0 {
                    terms[j].push(Term {
                        problem: k as u32,
                        edge: e as u32,
                        coef,
                    });
                }
            }
        }
    }
    terms
}

/// How each limit is met by `assignments`, with its multiplier.
pub(crate) fn sector_uses(
    ix: &DistrictIndex,
    assignments: &[Assignment],
    multipliers: &[i64],
) -> Vec<SectorUse> {
    ix.sector_limits
        .iter()
        .zip(multipliers)
        .map(|(limit, &multiplier)| {
            let (mut served, mut served_by_kind) = (0, 0);
            for a in assignments {
                let need = &ix.needs[a.need as usize];
                if need.category == limit.category
                    && limit.community.is_none_or(|c| c == need.community)
                {
                    served += a.units;
                    if ix.providers[a.provider as usize].kind == limit.kind {
                        served_by_kind += a.units;
                    }
                }
            }
            SectorUse {
                bound: limit.bound as u32,
                category: limit.category as u32,
                kind: limit.kind,
                community: limit.community.map(|c| c as u32),
                at_least: limit.at_least,
                share: limit.share,
                served,
                served_by_kind,
                multiplier,
            }
        })
        .collect()
}

/// Names a limit in words, e.g. `government at least 60% of "administrative"
/// in the district`.
pub(crate) fn limit_name(ix: &DistrictIndex, limit: &SectorLimit) -> String {
    format!(
        "sector_bounds[{}]: {} {} {}% of {:?} served {}",
        limit.bound,
        limit.kind.as_str(),
        if limit.at_least {
            "at least"
        } else {
            "at most"
        },
        limit.share as f64 / 10.0,
        ix.categories[limit.category],
        limit
            .community
            .map_or("in the district".to_owned(), |c| format!(
                "in {:?}",
                ix.communities[c]
            )),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(share: i64, at_least: bool) -> SectorLimit {
        SectorLimit {
            bound: 0,
            category: 0,
            kind: ProviderKind::Government,
            community: None,
            at_least,
            share,
        }
    }

    #[test]
    fn coefficients_in_lowest_terms() {
        assert_eq!(coefficients(&limit(600, true)), (2, -3)); // 2·K ≥ 3·other
        assert_eq!(coefficients(&limit(250, false)), (-3, 1)); // other ≥ 3·K
        assert_eq!(coefficients(&limit(0, false)), (-1, 0)); // K serves nothing
        assert_eq!(coefficients(&limit(1000, true)), (0, -1)); // others serve nothing
        assert_eq!(coefficients(&limit(333, true)), (667, -333));
    }
}
