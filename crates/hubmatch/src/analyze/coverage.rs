//! Coverage and equity of an allocation.
//!
//! Coverage is served / needed units. *Priority-weighted* coverage weighs each
//! unit by its need's priority level (1 to 5). Equity across communities uses
//! each community's plain coverage: its minimum (and the worst-off
//! community), Jain's fairness index `(Σx)² / (n·Σx²)` (1 when all are
//! equal, 1/n at worst) and the Gini coefficient `Σᵢ Σⱼ |xᵢ − xⱼ| / (2n²·mean)`
//! (0 when all are equal). Communities without needs are left out of equity.
//!
//! Complexity: O(needs + assignments).

use serde::{Deserialize, Serialize};

use crate::model::ProviderKind;
use crate::solve::MatchResult;
use crate::validate::DistrictIndex;

/// Served and needed units of one community × category, with served units by provider kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageCell {
    /// Community index.
    pub community: u32,
    /// Category index.
    pub category: u32,
    /// Units needed.
    pub needed: i64,
    /// Units served.
    pub served: i64,
    /// Units needed, each weighted by its need's priority (1 to 5).
    pub priority_needed: i64,
    /// Units served, each weighted by its need's priority.
    pub priority_served: i64,
    /// Units served by each provider kind (government, market, social organization, volunteer).
    pub served_by_kind: [i64; 4],
}

impl CoverageCell {
    /// served / needed (0 when nothing is needed).
    pub fn coverage(&self) -> f64 {
        ratio(self.served, self.needed)
    }

    /// Priority-weighted coverage (0 when nothing is needed).
    pub fn priority_coverage(&self) -> f64 {
        ratio(self.priority_served, self.priority_needed)
    }
}

fn ratio(a: i64, b: i64) -> f64 {
    if b > 0 { a as f64 / b as f64 } else { 0.0 }
}

/// How evenly coverage is spread across communities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Equity {
    /// The lowest community coverage.
    pub min_coverage: f64,
    /// The community with the lowest coverage (first on ties).
    pub worst_off: u32,
    /// Jain's fairness index of community coverage.
    pub jain: f64,
    /// Gini coefficient of community coverage.
    pub gini: f64,
}

/// Coverage of an allocation, by community × category, and its equity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// One cell per community × category that has needs, community-major.
    pub cells: Vec<CoverageCell>,
    /// Totals per community (category = `u32::MAX`).
    pub communities: Vec<CoverageCell>,
    /// Equity of community coverage (`None` when no community has needs).
    pub equity: Option<Equity>,
}

/// Equity of a list of coverages (one per community with needs).
///
/// ```
/// let e = hubmatch::analyze::coverage::equity(&[(0, 0.5), (1, 0.5)]).unwrap();
/// assert_eq!((e.jain, e.gini, e.min_coverage), (1.0, 0.0, 0.5));
/// let e = hubmatch::analyze::coverage::equity(&[(0, 1.0), (1, 0.0)]).unwrap();
/// assert_eq!((e.jain, e.gini, e.worst_off), (0.5, 0.5, 1));
/// ```
pub fn equity(coverage: &[(u32, f64)]) -> Option<Equity> {
    let n = coverage.len() as f64;
    let &(worst_off, min_coverage) = coverage
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))?;
    let sum: f64 = coverage.iter().map(|c| c.1).sum();
    let squares: f64 = coverage.iter().map(|c| c.1 * c.1).sum();
    let jain = if squares > 0.0 {
        sum * sum / (n * squares)
    } else {
        1.0
    };
    let mean = sum / n;
    let mut diff = 0.0;
    for a in coverage {
        for b in coverage {
            diff += (a.1 - b.1).abs();
        }
    }
    let gini = if mean > 0.0 {
        diff / (2.0 * n * n * mean)
    } else {
        0.0
    };
    Some(Equity {
        min_coverage,
        worst_off,
        jain,
        gini,
    })
}

/// The coverage report of `result`, an allocation of the district `ix`.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let report = hubmatch::analyze::coverage(&ix, &r);
/// // c1 needs 7 units and gets 6; c2 needs 6 and gets 4.
/// assert_eq!((report.communities[0].served, report.communities[0].needed), (6, 7));
/// assert_eq!(report.equity.unwrap().worst_off, 1);
/// ```
pub fn coverage(ix: &DistrictIndex, result: &MatchResult) -> CoverageReport {
    let (nc, nk) = (ix.communities.len(), ix.categories.len());
    let mut grid = vec![CoverageCell::default(); nc * nk];
    for (c, row) in grid.chunks_mut(nk).enumerate() {
        for (k, cell) in row.iter_mut().enumerate() {
            cell.community = c as u32;
            cell.category = k as u32;
        }
    }
    for need in &ix.needs {
        let cell = &mut grid[need.community * nk + need.category];
        cell.needed += need.units;
        cell.priority_needed += need.units * i64::from(need.priority);
    }
    for a in &result.assignments {
        let need = &ix.needs[a.need as usize];
        let cell = &mut grid[need.community * nk + need.category];
        cell.served += a.units;
        cell.priority_served += a.units * i64::from(need.priority);
        cell.served_by_kind[ix.providers[a.provider as usize].kind as usize] += a.units;
    }
    let communities: Vec<CoverageCell> = grid
        .chunks(nk)
        .enumerate()
        .map(|(c, row)| {
            row.iter().fold(
                CoverageCell {
                    community: c as u32,
                    category: u32::MAX,
                    ..CoverageCell::default()
                },
                |mut t, cell| {
                    t.needed += cell.needed;
                    t.served += cell.served;
                    t.priority_needed += cell.priority_needed;
                    t.priority_served += cell.priority_served;
                    for k in 0..ProviderKind::ALL.len() {
                        t.served_by_kind[k] += cell.served_by_kind[k];
                    }
                    t
                },
            )
        })
        .collect();
    let shares: Vec<(u32, f64)> = communities
        .iter()
        .filter(|c| c.needed > 0)
        .map(|c| (c.community, c.coverage()))
        .collect();
    CoverageReport {
        cells: grid.into_iter().filter(|c| c.needed > 0).collect(),
        communities,
        equity: equity(&shares),
    }
}
