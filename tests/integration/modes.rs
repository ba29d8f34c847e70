//! District matching per community and pooled: hand-checked optima on the
//! example district, capacity splits, determinism across thread counts.

use hubmatch::io::graph_json::GraphDoc;
use hubmatch::solve::district::mode_parts;
use hubmatch::solve::{
    MatchOptions, MatchResult, Mode, UnmetReason, match_district, solve_matching,
};

use crate::example;

fn solve(d: &hubmatch::District, mode: Mode) -> MatchResult {
    match_district(&d.validate().unwrap(), mode, &MatchOptions::default(), None).unwrap()
}

/// (need id, provider id, units, weight) of each assignment.
fn rows(d: &hubmatch::District, r: &MatchResult) -> Vec<(String, String, i64, i64)> {
    r.assignments
        .iter()
        .map(|a| {
            (
                d.needs[a.need as usize].id.clone(),
                d.providers[a.provider as usize].id.clone(),
                a.units,
                a.weight,
            )
        })
        .collect()
}

fn row(n: &str, p: &str, units: i64, weight: i64) -> (String, String, i64, i64) {
    (n.into(), p.into(), units, weight)
}

/// Weights by hand (policy defaults; values life 10, professional 14,
/// volunteer 8, administrative 16; priority ×1, 1.25, 1.5, 2, 3):
/// n1–gov1 16·2·1.5 = 48; n2–gov1 16·1.25 − 0.5·10 (travel) − 1 (cross) = 14;
/// n3–mkt1 10·1.5·1.5·1.2 − 0.5·8 − 1 = 22; n3–vol1 10·1.5·1.5 = 22.5;
/// n4–vol1 10·3 − 0.5·8 − 1 = 25 (mkt1 is priced and n4 has no budget);
/// n5–ngo1 14·3·1.3 − 0.1·10 = 53.6; n6–vol1 8·1.25·1.2 − 1 = 11;
/// n7 needs cooking, which nobody has.
#[test]
fn pooled_optimum_of_the_example_is_the_hand_computed_one() {
    let d = example();
    let r = solve(&d, Mode::Pooled);
    // gov1's 3 admin units: n1 (48) ×2, n2 (14) ×1. vol1's shared 3 units:
    // n4 life (25) ×2, then n6 volunteer (11) ×1, since its life offer is
    // full; n3 goes to mkt1 at 22.
    assert_eq!(
        rows(&d, &r),
        vec![
            row("n1", "gov1", 2, 48_000),
            row("n2", "gov1", 1, 14_000),
            row("n3", "mkt1", 3, 22_000),
            row("n4", "vol1", 2, 25_000),
            row("n5", "ngo1", 1, 53_600),
            row("n6", "vol1", 1, 11_000),
        ]
    );
    assert_eq!(
        r.objective,
        96_000 + 14_000 + 66_000 + 50_000 + 53_600 + 11_000
    );
    let reasons: Vec<(u32, i64, UnmetReason)> = r
        .unmet
        .iter()
        .map(|u| (u.need, u.units, u.reason))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (1, 1, UnmetReason::CapacityExhausted),
            (5, 1, UnmetReason::CapacityExhausted),
            (6, 1, UnmetReason::NoEligibleProvider)
        ]
    );
    // vol1's shared capacity is the binding one: its dual is positive.
    let vol1 = r.providers.iter().find(|p| p.provider == 3).unwrap();
    assert_eq!((vol1.capacity, vol1.used), (3, 3));
    assert_eq!(vol1.potential, 11_000);
}

#[test]
fn per_community_optimum_of_the_example_is_the_hand_computed_one() {
    let d = example();
    let r = solve(&d, Mode::PerCommunity);
    // Alone, c1 keeps gov1 and vol1 (its home providers) and all of ngo1
    // (only c1 has eligible demand for it); c2's needs have no home provider.
    assert_eq!(
        rows(&d, &r),
        vec![
            row("n1", "gov1", 2, 48_000),
            row("n3", "vol1", 2, 22_500),
            row("n5", "ngo1", 1, 53_600)
        ]
    );
    assert_eq!(r.objective, 194_600);
    let unmet: Vec<(u32, i64, UnmetReason)> = r
        .unmet
        .iter()
        .map(|u| (u.need, u.units, u.reason))
        .collect();
    assert_eq!(
        unmet,
        vec![
            (1, 2, UnmetReason::NoEligibleProvider),
            (2, 1, UnmetReason::CapacityExhausted),
            (3, 2, UnmetReason::NoEligibleProvider),
            (5, 2, UnmetReason::NoEligibleProvider),
            (6, 1, UnmetReason::NoEligibleProvider),
        ]
    );
    // The hub's value on this street: 96 points.
    assert_eq!(solve(&d, Mode::Pooled).objective - r.objective, 96_000);
}

#[test]
fn district_level_capacity_is_split_by_quota_or_demand() {
    let mut d = example();
    // A second professional need in c2 for ngo1 (capacity 2).
    let mut n = d.needs[4].clone();
    n.id = "n8".into();
    n.community = "c2".into();
    n.cell = None;
    d.needs.push(n);
    // Proportional to eligible demand (1 unit each): one unit per community.
    let r = solve(&d, Mode::PerCommunity);
    let shares: Vec<(Option<u32>, i64)> = r
        .offers
        .iter()
        .filter(|o| o.provider == 2)
        .map(|o| (o.community, o.capacity))
        .collect();
    assert_eq!(shares, vec![(Some(0), 1), (Some(1), 1)]);
    // Explicit quotas win.
    d.providers[2].quotas.insert("c2".into(), 2);
    let r = solve(&d, Mode::PerCommunity);
    let shares: Vec<(Option<u32>, i64)> = r
        .offers
        .iter()
        .filter(|o| o.provider == 2)
        .map(|o| (o.community, o.capacity))
        .collect();
    assert_eq!(shares, vec![(Some(0), 0), (Some(1), 2)]);
}

#[test]
fn results_are_identical_at_any_thread_count() {
    let knobs = hubmatch::synthetic::Knobs {
        communities: 6,
        needs_per_community: 400,
        providers_per_community: 30,
        district_providers: 6,
        ..hubmatch::synthetic::Knobs::preset("small").unwrap()
    };
    let d = hubmatch::synthetic::generate(&knobs, 5);
    let ix = d.validate().unwrap();
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let run = |threads: usize| {
            crate::with_threads(threads, || {
                match_district(&ix, mode, &MatchOptions::default(), None).unwrap()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2));
        assert_eq!(one, run(4));
    }
}

#[test]
fn results_carry_a_certificate_that_catches_tampering() {
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 8);
    let ix = d.validate().unwrap();
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let r = match_district(&ix, mode, &MatchOptions::default(), None).unwrap();
        r.verify(&ix).unwrap();
        // The dual of a need left partly unserved is pinned by its unserved
        // arc (flow strictly inside its bounds): moving it breaks slackness.
        let short = r
            .unmet
            .iter()
            .find(|u| u.reason == UnmetReason::CapacityExhausted)
            .unwrap();
        let mut bad = r.clone();
        bad.need_potential[short.need as usize] += 1;
        assert!(bad.verify(&ix).is_err());
        let mut bad = r.clone();
        bad.objective += 1;
        assert!(bad.verify(&ix).is_err());
        // The result survives a JSON round trip exactly.
        let back: MatchResult = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        assert_eq!(back, r);
    }
}

#[test]
fn pooling_never_loses_weight_on_synthetic_districts() {
    // Pooled mode can do everything per-community mode does (same edges,
    // capacity no longer split), so its optimum is at least as high.
    for seed in 0..4 {
        let d = hubmatch::synthetic::generate(
            &hubmatch::synthetic::Knobs::preset("small").unwrap(),
            seed,
        );
        assert!(
            solve(&d, Mode::Pooled).objective >= solve(&d, Mode::PerCommunity).objective,
            "seed {seed}"
        );
    }
}

#[test]
fn exported_graph_solves_to_the_district_optimum() {
    let knobs = hubmatch::synthetic::Knobs::preset("small").unwrap();
    let mut d = hubmatch::synthetic::generate(&knobs, 9);
    d.policy.unserved_penalty = 2.0;
    let ix = d.validate().unwrap();
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let (_, parts) = mode_parts(&ix, mode).unwrap();
        let doc = GraphDoc::from_parts(&d, &ix, &parts);
        let text = serde_json::to_string(&doc).unwrap();
        let back: GraphDoc = serde_json::from_str(&text).unwrap();
        let p = back.to_problem().unwrap();
        let s = solve_matching(&p, &MatchOptions::default(), None).unwrap();
        assert_eq!(
            s.objective,
            match_district(&ix, mode, &MatchOptions::default(), None)
                .unwrap()
                .objective
        );
    }
}

#[test]
fn warm_start_of_a_district_reuses_bases() {
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 2);
    let ix = d.validate().unwrap();
    let base = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let again = match_district(
        &ix,
        Mode::Pooled,
        &MatchOptions::default(),
        Some(&base.bases),
    )
    .unwrap();
    assert_eq!(again.stats.warm, again.stats.networks);
    assert_eq!(again.objective, base.objective);
    assert_eq!(again.stats.pivots, 0);
}

/// Every assignment carries its eligibility edge's weight and cross flag,
/// in both modes, on a district where providers with a home serve other
/// communities.
#[test]
fn assignments_carry_their_edges_weight_and_cross_flag() {
    use hubmatch::graph::EligibilityGraph;
    use std::collections::HashMap;
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 2);
    let ix = d.validate().unwrap();
    let graph = EligibilityGraph::build(&ix);
    let mut edges = HashMap::new();
    for e in 0..graph.edge_need.len() {
        let (p, o) = graph.offer_of(graph.edge_offer[e]);
        let w = graph.edge_weight[e];
        edges.insert((graph.edge_need[e], p, o), (w.weight, w.cross));
    }
    for mode in [Mode::PerCommunity, Mode::Pooled] {
        let r = match_district(&ix, mode, &MatchOptions::default(), None).unwrap();
        let mut cross = 0;
        for a in &r.assignments {
            assert_eq!(
                edges[&(a.need, a.provider, a.offer)],
                (a.weight, a.cross),
                "{mode:?}"
            );
            cross += usize::from(a.cross);
        }
        assert!(
            mode == Mode::PerCommunity || cross > 0,
            "pooled: some cross-community service"
        );
    }
}
