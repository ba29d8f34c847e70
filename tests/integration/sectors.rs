//! Sector bounds: hand-checked allocations on the example district, the
//! Lagrangian search against brute force on tiny problems, the reports and
//! the infeasibility message, and sweeps of a bounded district.

use hubmatch::solve::lagrangian::{Term, solve_constrained};
use hubmatch::solve::matching::check_bound;
use hubmatch::solve::{MatchOptions, Mode, match_district};
use hubmatch::{ProviderKind, SectorBound};
use proptest::prelude::*;

use crate::engine::tiny_problem;
use crate::{brute_force, example};

fn bound(category: &str, kind: ProviderKind, min: Option<f64>, max: Option<f64>) -> SectorBound {
    SectorBound {
        category: category.into(),
        kind,
        community: None,
        min_share: min,
        max_share: max,
    }
}

#[test]
fn binding_bound_by_hand_on_the_example() {
    // Pooled, life is served 3 units by mkt1 (n3) and 2 by vol1 (n4): 40%
    // volunteers. At most 20% allows v ≤ (3 + v)/5, so v = 0: vol1's shared
    // capacity goes to n6 instead (2 × 11 for n4's 2 × 25, and n6's first
    // unit was already served): 290.6 − 50 + 11 = 251.6.
    let mut d = example();
    d.policy
        .sector_bounds
        .push(bound("life", ProviderKind::Volunteer, None, Some(0.2)));
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    assert_eq!(r.objective, 251_600);
    let s = &r.sectors[0];
    assert_eq!(
        (s.served, s.served_by_kind, s.at_least, s.share),
        (3, 0, false, 200)
    );
    assert!(s.multiplier > 0);
    // The LP bound: v = 3/4 of a unit is allowed fractionally.
    let ub = r.upper_bound.unwrap();
    assert!(ub >= r.objective, "{ub}");
    r.verify(&ix).unwrap();
    // A tampered multiplier breaks the certificate.
    let mut bad = r.clone();
    bad.sectors[0].multiplier += 1;
    assert!(bad.verify(&ix).is_err());
}

#[test]
fn slack_bound_changes_nothing_and_is_proven_optimal() {
    let mut d = example();
    d.policy
        .sector_bounds
        .push(bound("life", ProviderKind::Volunteer, Some(0.1), Some(0.5)));
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    assert_eq!(r.objective, 290_600);
    assert_eq!(r.upper_bound, Some(290_600));
    assert_eq!(r.sectors.len(), 2);
    assert!(r.sectors.iter().all(|s| s.multiplier == 0));
    assert_eq!((r.sectors[0].served, r.sectors[0].served_by_kind), (5, 2));
    r.verify(&ix).unwrap();
}

#[test]
fn community_scope_and_per_community_mode() {
    // Market at least 75% of life in c2: n4 (c2) can only be served by vol1,
    // so n4 goes unserved in either mode.
    let mut d = example();
    let mut b = bound("life", ProviderKind::Market, Some(0.75), None);
    b.community = Some("c2".into());
    d.policy.sector_bounds.push(b);
    let ix = d.validate().unwrap();
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let r = match_district(&ix, mode, &MatchOptions::default(), None).unwrap();
        let s = &r.sectors[0];
        assert!(4 * s.served_by_kind >= 3 * s.served, "{mode:?}: {s:?}");
        assert!(r.assignments.iter().all(|a| a.need != 3), "{mode:?}");
        r.verify(&ix).unwrap();
    }
}

#[test]
fn bound_against_a_floor_is_reported_by_name() {
    let mut d = example();
    d.policy
        .sector_bounds
        .push(bound("life", ProviderKind::Volunteer, None, Some(0.2)));
    d.policy.category_floors.insert("c2/life".into(), 1.0);
    let err = match_district(
        &d.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "infeasible: sector_bounds[0]: volunteer at most 20% of \"life\" served in the district \
         cannot be met together with the coverage floors and the other bounds"
    );
}

#[test]
fn same_result_at_any_thread_count() {
    let mut d =
        hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 3);
    d.policy
        .sector_bounds
        .push(bound("life", ProviderKind::Volunteer, None, Some(0.1)));
    d.policy.sector_bounds.push(bound(
        "professional",
        ProviderKind::SocialOrganization,
        Some(0.9),
        None,
    ));
    let ix = d.validate().unwrap();
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                match_district(&ix, Mode::PerCommunity, &MatchOptions::default(), None).unwrap()
            })
    };
    let one = run(1);
    one.verify(&ix).unwrap();
    assert!(one.sectors.iter().all(|s| if s.at_least {
        1000 * s.served_by_kind >= s.share * s.served
    } else {
        1000 * s.served_by_kind <= s.share * s.served
    }));
    assert!(one.upper_bound.unwrap() >= one.objective);
    assert_eq!(one, run(2));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// On tiny problems with a random side constraint, the allocation meets
    /// it, no allocation beats the reported bound, and a zero gap means the
    /// brute-force optimum.
    #[test]
    fn lagrangian_against_brute_force(
        p in tiny_problem(),
        coefs in prop::collection::vec(-3i64..=3, 10),
    ) {
        let coef: Vec<i64> = (0..p.edge_count()).map(|e| coefs[e % coefs.len()]).collect();
        let terms = vec![(0..p.edge_count())
            .filter(|&e| coef[e] != 0)
            .map(|e| Term { problem: 0, edge: e as u32, coef: coef[e] })
            .collect::<Vec<_>>()];
        let best = brute_force(&p, &coef).expect("serving nothing meets g ≥ 0");
        let r = solve_constrained(std::slice::from_ref(&p), &terms, &MatchOptions::default(), None).unwrap();
        prop_assert!(r.feasible());
        let a = &r.allocation;
        let g: i64 = (0..p.edge_count()).map(|e| coef[e] * a.edge_flow[0][e]).sum();
        prop_assert_eq!(a.values[0], g);
        // The allocation is feasible and its objective is what it claims.
        let (cost, _) = check_bound(&p, &a.edge_flow[0], &a.unserved[0], &r.bound[0].need_potential,
            &r.bound[0].offer_potential, &r.bound[0].group_potential, &r.bound[0].unserved_group_potential).unwrap();
        prop_assert_eq!(-cost, i128::from(a.objective));
        prop_assert!(a.objective <= best);
        prop_assert!(best <= r.upper_bound, "best {} bound {}", best, r.upper_bound);
        if r.gap() == 0 {
            prop_assert_eq!(a.objective, best);
        }
    }
}

#[test]
fn out_of_range_terms_are_refused() {
    let p = vec![hubmatch::graph::BipartiteProblem::simple(
        vec![1],
        vec![1],
        &[(0, 0, 5)],
    )];
    let bad = vec![vec![Term {
        problem: 0,
        edge: 3,
        coef: 1,
    }]];
    let err = solve_constrained(&p, &bad, &MatchOptions::default(), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "network \"side constraints\": term on problem 0, edge 3 is out of range"
    );
}

/// A sweep on a district with sector bounds keeps its base's graph and
/// bases (amounts-only scenarios re-read their amounts into the base's
/// index) and reaches the optima of solving each scenario afresh.
#[test]
fn sweeps_with_sector_bounds_match_solving_afresh() {
    use hubmatch::analyze::{Scenario, sweep};
    let mut d = example();
    d.policy
        .sector_bounds
        .push(bound("life", ProviderKind::Volunteer, None, Some(0.2)));
    let scenarios: Vec<Scenario> = serde_json::from_str(
        r#"[{"name": "fewer volunteers", "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.5}}]},
            {"name": "more demand", "changes": [{"scale_demand": {"factor": 2.0}}]},
            {"name": "no travel cost", "changes": [{"set_policy": {"policy": {"travel_penalty": 0.0}}}]}]"#,
    )
    .unwrap();
    let s = sweep(
        &d,
        Mode::Pooled,
        &scenarios,
        &MatchOptions::default(),
        &|_| {},
    )
    .unwrap();
    assert_eq!(s.base.objective, 251_600);
    for (sc, out) in scenarios.iter().zip(&s.outcomes) {
        let ix = sc.apply(&d).unwrap().validate().unwrap();
        let cold = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
        assert_eq!(out.result.objective, cold.objective, "{}", sc.name);
        assert_eq!(
            out.result.sectors.len(),
            ix.sector_limits.len(),
            "{}",
            sc.name
        );
        out.result.verify(&ix).unwrap();
    }
}
