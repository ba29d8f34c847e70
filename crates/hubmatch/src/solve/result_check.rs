//! The certificate of a district result: every network of its mode rebuilt
//! and checked against the reported allocation and duals.
//!
//! Without sector bounds, flows and duals must prove each other optimal
//! (complementary slackness, see [`crate::solve::certificate`]). With them,
//! the allocation must be feasible and meet every bound, and the duals of
//! the relaxed networks at the reported multipliers must prove the reported
//! upper bound (see [`crate::solve::lagrangian`]).
//!
//! Complexity: O(edges), plus a hash per assignment.

use std::collections::HashMap;

use crate::error::Result;
use crate::graph::BipartiteProblem;
use crate::graph::weight::unserved_penalty;
use crate::solve::district::{MatchResult, mode_parts};
use crate::solve::lagrangian::{constraint_values, relax_weights};
use crate::solve::matching::{check_bound, verify_matching};
use crate::solve::sectors::{limit_name, sector_terms, sector_uses};
use crate::validate::DistrictIndex;

impl MatchResult {
    /// Checks this result's optimality certificate against the district it
    /// was computed for: rebuilds each network of its mode and checks the
    /// reported assignments, unmet units and duals on it (capacities,
    /// conservation, complementary slackness), and that the objectives add up.
    /// O(edges).
    ///
    /// ```
    /// use hubmatch::solve::{match_district, MatchOptions, Mode};
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let ix = d.validate().unwrap();
    /// let mut r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    /// r.verify(&ix).unwrap();
    /// r.assignments[0].units -= 1; // tampered: no longer a feasible flow
    /// assert!(r.verify(&ix).is_err());
    /// ```
    pub fn verify(&self, ix: &DistrictIndex) -> Result<()> {
        let fail = |m: String| crate::Error::Certificate(m);
        if self.need_potential.len() != ix.needs.len() {
            return Err(fail(format!(
                "{} need duals for {} needs",
                self.need_potential.len(),
                ix.needs.len()
            )));
        }
        let (_, parts) = mode_parts(ix, self.mode)?;
        // Under sector bounds the networks were solved with relaxed weights.
        let terms = sector_terms(ix, &parts);
        if self.sectors.len() != ix.sector_limits.len() {
            return Err(fail(format!(
                "{} sector reports for {} sector limits",
                self.sectors.len(),
                ix.sector_limits.len()
            )));
        }
        let multipliers: Vec<i64> = self.sectors.iter().map(|s| s.multiplier).collect();
        if let Some(s) = self.sectors.iter().find(|s| s.multiplier < 0) {
            return Err(fail(format!(
                "sector bound {} has a negative multiplier",
                s.bound
            )));
        }
        let relaxed: Option<Vec<BipartiteProblem>> = if ix.sector_limits.is_empty() {
            None
        } else {
            let mut problems: Vec<BipartiteProblem> =
                parts.iter().map(|p| p.problem.clone()).collect();
            let base: Vec<Vec<i64>> = parts
                .iter()
                .map(|p| p.problem.edge_weight.clone())
                .collect();
            relax_weights(&mut problems, &base, &terms, &multipliers)?;
            Some(problems)
        };
        let mut flows: Vec<Vec<i64>> = Vec::with_capacity(parts.len());
        let mut served: HashMap<(u32, u32, u32), i64> = HashMap::new();
        for a in &self.assignments {
            *served.entry((a.need, a.provider, a.offer)).or_default() += a.units;
        }
        let mut unmet = vec![0i64; ix.needs.len()];
        for u in &self.unmet {
            if let Some(slot) = unmet.get_mut(u.need as usize) {
                *slot += u.units;
            }
        }
        let offer_pot: HashMap<(u32, u32, Option<u32>), i64> = self
            .offers
            .iter()
            .map(|o| ((o.provider, o.offer, o.community), o.potential))
            .collect();
        let group_pot: HashMap<(u32, Option<u32>), i64> = self
            .providers
            .iter()
            .map(|p| ((p.provider, p.community), p.potential))
            .collect();
        let mut objective: i64 = 0;
        let mut bound: i128 = 0;
        let mut in_part = vec![false; ix.needs.len()];
        for (k, part) in parts.iter().enumerate() {
            let p = relaxed.as_ref().map_or(&part.problem, |r| &r[k]);
            let mut edge_flow = Vec::with_capacity(p.edge_count());
            for e in 0..p.edge_count() {
                let need = part.needs[p.edge_need[e] as usize];
                let (pr, of) = part.offers[p.edge_offer[e] as usize];
                edge_flow.push(served.remove(&(need, pr, of)).unwrap_or(0));
            }
            let unserved: Vec<i64> = part.needs.iter().map(|&i| unmet[i as usize]).collect();
            let need_potential: Vec<i64> = part
                .needs
                .iter()
                .map(|&i| self.need_potential[i as usize])
                .collect();
            let offer_potential: Vec<i64> = part
                .offers
                .iter()
                .map(|&(pr, of)| {
                    offer_pot
                        .get(&(pr, of, part.community))
                        .copied()
                        .unwrap_or(0)
                })
                .collect();
            let group_potential: Vec<i64> = part
                .groups
                .iter()
                .map(|&pr| group_pot.get(&(pr, part.community)).copied().unwrap_or(0))
                .collect();
            let floor_potential: Vec<i64> = part
                .floors
                .iter()
                .map(|&(c, k)| {
                    self.floors
                        .iter()
                        .find(|f| f.community == c && f.category == k)
                        .map_or(0, |f| f.potential)
                })
                .collect();
            let cost = if relaxed.is_none() {
                // Flows and duals prove each other optimal.
                verify_matching(
                    p,
                    &edge_flow,
                    &unserved,
                    &need_potential,
                    &offer_potential,
                    &group_potential,
                    &floor_potential,
                )
                .map(|c| c.cost)
            } else {
                // The allocation is feasible; the duals bound the relaxed
                // problem at the multipliers, hence the constrained one.
                check_bound(
                    p,
                    &edge_flow,
                    &unserved,
                    &need_potential,
                    &offer_potential,
                    &group_potential,
                    &floor_potential,
                )
                .map(|(cost, dual)| {
                    bound -= dual;
                    cost
                })
            }
            .map_err(|e| fail(format!("network {k}: {e}")))?;
            objective -=
                i64::try_from(cost).map_err(|_| fail("objective exceeds 64 bits".into()))?;
            for &i in &part.needs {
                in_part[i as usize] = true;
            }
            flows.push(edge_flow);
        }
        let values = constraint_values(&terms, |k, e| flows[k as usize][e as usize]);
        // The relaxed costs count the multipliers' terms, which are not value.
        objective -= multipliers
            .iter()
            .zip(&values)
            .map(|(m, g)| m * g)
            .sum::<i64>();
        for (limit, &g) in ix.sector_limits.iter().zip(&values) {
            if g < 0 {
                return Err(fail(format!("{} is violated", limit_name(ix, limit))));
            }
        }
        if sector_uses(ix, &self.assignments, &multipliers) != self.sectors {
            return Err(fail(
                "the sector reports differ from the assignments".into(),
            ));
        }
        if let Some((need, _, _)) = served.keys().min() {
            return Err(fail(format!(
                "need {need} is served on a pair that is not eligible in this mode"
            )));
        }
        let penalty = unserved_penalty(ix);
        let mut outside: i64 = 0;
        for (i, need) in ix.needs.iter().enumerate() {
            if !in_part[i] {
                if unmet[i] != need.units {
                    return Err(fail(format!(
                        "need {i} has no eligible offer but {} of {} units unmet",
                        unmet[i], need.units
                    )));
                }
                outside -= penalty * need.units;
            }
        }
        objective += outside;
        if objective != self.objective {
            return Err(fail(format!(
                "objective {} differs from the certified {objective}",
                self.objective
            )));
        }
        if !ix.sector_limits.is_empty() {
            // Needs outside every network count the same on both sides.
            let proven = bound + i128::from(outside);
            if self.upper_bound.map(i128::from) != Some(proven) {
                return Err(fail(format!(
                    "upper bound {:?} differs from the duals' bound {proven}",
                    self.upper_bound
                )));
            }
        }
        Ok(())
    }
}
