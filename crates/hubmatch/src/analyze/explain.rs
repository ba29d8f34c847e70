//! Why was this need not served? Explanations of unmet units in plain words,
//! built from the optimal allocation.
//!
//! * **No eligible provider**: every offer of the need's category fails some
//!   eligibility rule; the explanation counts the offers by the first rule
//!   they fail (in the order: policy on provider kinds, service area — or, per
//!   community, not the community's own provider — skills, time window,
//!   price and budget) and names the nearest ones.
//! * **Capacity exhausted**: the need's eligible offers are full; the
//!   bottleneck set is those offers and the needs they serve instead, which
//!   are worth at least as much per unit at the optimum.
//! * **Not worth serving**: eligible offers exist, but every one costs more
//!   (in travel, money, crossing communities) than the unit is worth.
//!
//! [`smallest_increase`](crate::analyze::increase::smallest_increase) finds
//! the least extra capacity at one eligible offer that would serve one more
//! unit.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::model::District;
use crate::solve::{MatchResult, Mode, UnmetReason};
use crate::validate::DistrictIndex;

/// The first eligibility rule an offer fails for a need.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exclusion {
    /// The policy does not let the provider's kind serve the category.
    KindNotAllowed,
    /// The provider does not serve the need's community.
    OutsideServiceArea,
    /// Per community: the provider belongs to another community.
    OtherCommunity,
    /// The provider lacks a required skill.
    MissingSkill,
    /// No availability window overlaps the need's window.
    NoTimeOverlap,
    /// The offer is priced and the resident cannot pay (no budget, or too little).
    PriceAboveBudget,
}

impl Exclusion {
    fn short(self) -> &'static str {
        match self {
            Exclusion::KindNotAllowed => "kind not allowed by the policy",
            Exclusion::OutsideServiceArea => "does not serve the community",
            Exclusion::OtherCommunity => "belongs to another community",
            Exclusion::MissingSkill => "lacks a required skill",
            Exclusion::NoTimeOverlap => "not available then",
            Exclusion::PriceAboveBudget => "priced above the budget",
        }
    }

    fn words(self) -> &'static str {
        match self {
            Exclusion::KindNotAllowed => "the policy does not let their kind serve it",
            Exclusion::OutsideServiceArea => "they do not serve the community",
            Exclusion::OtherCommunity => "they belong to other communities (no hub)",
            Exclusion::MissingSkill => "they lack a required skill",
            Exclusion::NoTimeOverlap => "they are not available in the time wanted",
            Exclusion::PriceAboveBudget => "their price is above what the resident can pay",
        }
    }
}

/// Why some units of a need were not served.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Need index.
    pub need: u32,
    /// Units left unserved.
    pub units: i64,
    /// Reason code.
    pub reason: UnmetReason,
    /// The explanation in plain words.
    pub text: String,
    /// Offers of the need's category that fail eligibility, by first failed rule.
    pub excluded: Vec<(Exclusion, usize)>,
    /// Eligible offers (provider, offer): the bottleneck when capacity is exhausted.
    pub eligible: Vec<(u32, u32)>,
    /// The most valuable needs served by that capacity instead (at most ten).
    pub competitors: Vec<u32>,
    /// How many other needs that capacity serves (the competing set).
    pub competitor_count: usize,
}

fn first_failure(
    ix: &DistrictIndex,
    mode: Mode,
    need: usize,
    provider: usize,
    offer: usize,
) -> Option<Exclusion> {
    let n = &ix.needs[need];
    let p = &ix.providers[provider];
    let o = &p.offers[offer];
    if !ix.allowed[o.category][p.kind as usize] {
        return Some(Exclusion::KindNotAllowed);
    }
    if p.area.binary_search(&n.community).is_err() {
        return Some(Exclusion::OutsideServiceArea);
    }
    if mode == Mode::PerCommunity && p.home.is_some_and(|h| h != n.community) {
        return Some(Exclusion::OtherCommunity);
    }
    if !n.skills.iter().all(|s| p.skills.binary_search(s).is_ok()) {
        return Some(Exclusion::MissingSkill);
    }
    if let (Some(w), false) = (n.window, p.availability.is_empty()) {
        if !p.availability.iter().any(|a| a.overlaps(&w)) {
            return Some(Exclusion::NoTimeOverlap);
        }
    }
    match o.price {
        Some(price) if price > 0 && n.budget.is_none_or(|b| b < price) => {
            Some(Exclusion::PriceAboveBudget)
        }
        _ => None,
    }
}

fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Explanations of every need with unmet units in `result`, an allocation of
/// `district` (whose index is `ix`), in need order.
///
/// ```
/// use hubmatch::solve::{match_district, MatchOptions, Mode};
/// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
/// let ix = d.validate().unwrap();
/// let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
/// let why = hubmatch::analyze::explain::explain_unmet(&d, &ix, &r);
/// assert!(why[2].text.contains("lack a required skill")); // n7 needs cooking
/// ```
pub fn explain_unmet(
    district: &District,
    ix: &DistrictIndex,
    result: &MatchResult,
) -> Vec<Explanation> {
    let label = |i: usize| {
        let n = &district.needs[i];
        format!(
            "Need {} ({}, {}, priority {})",
            n.id, n.category, n.community, n.priority
        )
    };
    // Indices, so that each need costs O(offers of its category + its providers' assignments).
    let mut by_category: Vec<Vec<(usize, usize)>> = vec![Vec::new(); ix.categories.len()];
    for (pi, p) in ix.providers.iter().enumerate() {
        for (oi, o) in p.offers.iter().enumerate() {
            by_category[o.category].push((pi, oi));
        }
    }
    let mut by_provider: HashMap<u32, Vec<&crate::solve::Assignment>> = HashMap::new();
    for a in &result.assignments {
        by_provider.entry(a.provider).or_default().push(a);
    }
    let offer_use: HashMap<(u32, u32, Option<u32>), i64> = result
        .offers
        .iter()
        .map(|o| ((o.provider, o.offer, o.community), o.capacity))
        .collect();
    let group_use: HashMap<(u32, Option<u32>), i64> = result
        .providers
        .iter()
        .map(|g| ((g.provider, g.community), g.capacity))
        .collect();
    let (by_category, by_provider, offer_use, group_use, label) =
        (&by_category, &by_provider, &offer_use, &group_use, &label);
    result
        .unmet
        .par_chunks(512)
        .flat_map_iter(|chunk| {
            // Marks needs already counted as competitors, per explanation.
            let mut stamp = vec![0u32; ix.needs.len()];
            let mut stamp_round = 0u32;
            chunk.iter().map(move |u| {
            let i = u.need as usize;
            let need = &ix.needs[i];
            let mut excluded: Vec<(Exclusion, usize)> = Vec::new();
            let mut eligible: Vec<(u32, u32)> = Vec::new();
            // The nearest excluded offers (grid distance in millionths; unknown last).
            let mut nearest: Vec<(i64, usize, Exclusion)> = Vec::new();
            for &(pi, oi) in &by_category[need.category] {
                match first_failure(ix, result.mode, i, pi, oi) {
                    Some(e) => {
                        match excluded.iter_mut().find(|x| x.0 == e) {
                            Some(x) => x.1 += 1,
                            None => excluded.push((e, 1)),
                        }
                        let distance = match (need.cell, ix.providers[pi].cell) {
                            (Some(a), Some(b)) => {
                                let ((_, ax, ay), (_, bx, by)) = (ix.cells[a], ix.cells[b]);
                                (ax - bx).abs() + (ay - by).abs()
                            }
                            _ => i64::MAX,
                        };
                        nearest.push((distance, pi, e));
                    }
                    None => eligible.push((pi as u32, oi as u32)),
                }
            }
            nearest.sort_unstable();
            nearest.dedup_by_key(|x| x.1);
            nearest.truncate(2);
            excluded.sort();
            // The capacity that can reach this need: its eligible offers, limited
            // by their providers' shared capacity; in per-community mode, the
            // community's shares. Whatever shares it is competing use.
            let share = (result.mode == Mode::PerCommunity).then_some(need.community as u32);
            let providers: BTreeSet<u32> = eligible.iter().map(|e| e.0).collect();
            let shared: BTreeSet<u32> =
                providers.iter().copied().filter(|&p| group_use.contains_key(&(p, share))).collect();
            let mut capacity = 0i64;
            for &p in &providers {
                capacity += match group_use.get(&(p, share)) {
                    Some(&g) => g,
                    None => eligible.iter().filter(|e| e.0 == p).filter_map(|&(p, o)| offer_use.get(&(p, o, share))).sum(),
                };
            }
            // Competing assignments: on the eligible offers, and on every offer
            // of a provider whose shared capacity they draw on.
            let mut used = 0i64;
            let mut mine = 0i64;
            let mut competitor_count = 0usize;
            let mut competitors: Vec<(i64, u32)> = Vec::new();
            stamp_round += 1;
            for p in &providers {
                for a in by_provider.get(p).into_iter().flatten() {
                    // `eligible` is sorted: offers were visited provider by provider.
                    let in_scope = (eligible.binary_search(&(a.provider, a.offer)).is_ok() || shared.contains(&a.provider))
                        && share.is_none_or(|c| ix.needs[a.need as usize].community as u32 == c);
                    if !in_scope {
                        continue;
                    }
                    used += a.units;
                    if a.need == u.need {
                        mine += a.units;
                    } else if stamp[a.need as usize] != stamp_round {
                        stamp[a.need as usize] = stamp_round;
                        competitor_count += 1;
                        competitors.push((a.weight, a.need));
                    }
                }
            }
            // Keep the ten most valuable competitors, for display.
            let by_value = |x: &(i64, u32), y: &(i64, u32)| y.0.cmp(&x.0).then(x.1.cmp(&y.1));
            if competitors.len() > 10 {
                competitors.select_nth_unstable_by(10, by_value);
                competitors.truncate(10);
            }
            competitors.sort_by(by_value);
            let competitors: Vec<u32> = competitors.into_iter().map(|c| c.1).collect();
            let mut text = format!("{}: {} of {} units unmet. ", label(i), u.units, need.units);
            match u.reason {
                UnmetReason::NoEligibleProvider => {
                    let total: usize = excluded.iter().map(|x| x.1).sum();
                    if total == 0 {
                        let _ = write!(text, "No provider offers {} services.", district.needs[i].category);
                    } else {
                        let _ = write!(
                            text,
                            "None of the {} can serve it: ",
                            count(total, &format!("{} offer", district.needs[i].category))
                        );
                        let parts: Vec<String> = excluded.iter().map(|(e, k)| format!("{k} because {}", e.words())).collect();
                        let _ = write!(text, "{}.", parts.join("; "));
                        if excluded.iter().any(|x| x.0 == Exclusion::MissingSkill) {
                            let _ = write!(text, " It requires {}.", district.needs[i].skills.join(", "));
                        }
                        let near: Vec<String> = nearest
                            .iter()
                            .map(|&(d, p, e)| {
                                let id = &district.providers[p].id;
                                if d == i64::MAX {
                                    format!("{id} ({})", e.short())
                                } else {
                                    format!("{id}, {} away ({})", d as f64 / 1e6, e.short())
                                }
                            })
                            .collect();
                        if !near.is_empty() {
                            let _ = write!(text, " Nearest: {}.", near.join("; "));
                        }
                    }
                }
                UnmetReason::CapacityExhausted => {
                    let names: Vec<String> =
                        providers.iter().take(3).map(|&p| district.providers[p as usize].id.clone()).collect();
                    let _ = write!(
                        text,
                        "{} from {} ({}{}) can give it at most {capacity} units; {used} are used, {} by {} worth as \
                         much or more per unit and {mine} by this need.",
                        count(eligible.len(), "eligible offer"),
                        count(providers.len(), "provider"),
                        names.join(", "),
                        if providers.len() > 3 { ", …" } else { "" },
                        used - mine,
                        count(competitor_count, "other need")
                    );
                }
                UnmetReason::NotWorthServing => {
                    let _ = write!(
                        text,
                        "{} could serve it, but each costs more in travel, money or crossing communities than a \
                         unit is worth under the policy.",
                        count(eligible.len(), "offer")
                    );
                }
            }
            Explanation { need: u.need, units: u.units, reason: u.reason, text, excluded, eligible, competitors, competitor_count }
            }).collect::<Vec<_>>()
        })
        .collect()
}
