//! Sessions: kept networks re-solved after amount changes reach the cold
//! optimum (with a certificate), re-solve only what changed, and refuse
//! problems of another shape.

use hubmatch::analyze::Scenario;
use hubmatch::graph::BipartiteProblem;
use hubmatch::solve::session::{DistrictSession, MatchingSession};
use hubmatch::solve::{MatchOptions, Mode, match_district, solve_matching};
use proptest::prelude::*;

use crate::engine::random_problem;
use crate::example;

/// `p` with two unserved groups (coverage floors) over its needs.
fn with_floors(mut p: BipartiteProblem, slack: i64) -> BipartiteProblem {
    let n = p.need_count();
    p.unserved_group = (0..n).map(|i| Some((i % 2) as u32)).collect();
    let total = |g: usize| {
        (0..n)
            .filter(|i| i % 2 == g)
            .map(|i| p.units[i])
            .sum::<i64>()
    };
    p.unserved_limit = vec![total(0) / 2 + slack, total(1) * 3 / 4 + slack];
    p.unserved_parent = vec![None, None];
    p
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(80))]

    /// Round after round of changed units, capacities and floor limits, a
    /// session re-solve has the cold optimum and a valid certificate
    /// (checked inside, `verify` being on), aggregated or not.
    #[test]
    fn matching_session_resolves_to_the_cold_optimum(
        seed in any::<u64>(), aggregate in any::<bool>(), floors in any::<bool>()
    ) {
        let base = random_problem(seed, 60, 8, 3);
        let mut p = if floors { with_floors(base, 40) } else { base };
        let opts = MatchOptions { aggregate, ..MatchOptions::default() };
        let (mut session, first) = MatchingSession::new(&p, &opts).unwrap();
        prop_assert_eq!(first, solve_matching(&p, &opts, None).unwrap());
        let mut x = seed | 1;
        let mut next = move |k: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % k };
        for round in 0..4 {
            for _ in 0..3 {
                let i = next(p.need_count() as u64) as usize;
                p.units[i] = 1 + next(4) as i64;
                let k = next(p.offer_count() as u64) as usize;
                p.offer_capacity[k] = next(60) as i64;
            }
            if !p.group_capacity.is_empty() {
                let g = next(p.group_capacity.len() as u64) as usize;
                p.group_capacity[g] = next(80) as i64;
            }
            if floors {
                p.unserved_limit[round % 2] += next(20) as i64 - 10;
                p.unserved_limit[round % 2] = p.unserved_limit[round % 2].max(0);
            }
            match (session.resolve(&p), solve_matching(&p, &opts, None)) {
                (Ok(warm), Ok(cold)) => prop_assert_eq!(warm.objective, cold.objective, "round {}", round),
                (Err(hubmatch::Error::Infeasible(_)), Err(hubmatch::Error::Infeasible(_))) => {}
                (a, b) => prop_assert!(false, "round {}: session {:?} vs cold {:?}", round,
                    a.map(|s| s.objective), b.map(|s| s.objective)),
            }
        }
    }
}

#[test]
fn matching_session_refuses_another_shape() {
    let p = random_problem(3, 30, 5, 3);
    let (mut session, _) = MatchingSession::new(&p, &MatchOptions::default()).unwrap();
    let mut q = p.clone();
    q.edge_weight[0] += 1;
    let err = session.resolve(&q).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"network "session": shape differs from the session's in needs, offers, groups, edges or weights"#
    );
    // The session is untouched and still answers for its own shape.
    let mut r = p.clone();
    r.offer_capacity[0] += 5;
    let warm = session.resolve(&r).unwrap();
    let cold = solve_matching(&r, &MatchOptions::default(), None).unwrap();
    assert_eq!(warm.objective, cold.objective);
}

/// District sessions give the cold optimum for amount-only scenarios in
/// both modes; a scenario that touches one community re-solves only that
/// community's network per community.
#[test]
fn district_session_matches_cold_solves() {
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 4);
    let scenarios: Vec<Scenario> = serde_json::from_str(
        r#"[{"name": "volunteers -30%", "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}]},
            {"name": "c01 demand +20%", "changes": [{"scale_demand": {"community": "c01", "factor": 1.2}}]},
            {"name": "unchanged", "changes": []}]"#,
    )
    .unwrap();
    let opts = MatchOptions::default();
    for mode in [Mode::PerCommunity, Mode::Pooled] {
        let ix = d.validate().unwrap();
        let session = DistrictSession::new(&ix, mode, &opts).unwrap();
        assert_eq!(
            session.base(),
            &match_district(&ix, mode, &opts, None).unwrap()
        );
        for s in &scenarios {
            let ix = s.apply(&d).unwrap().validate().unwrap();
            let warm = session.solve(&ix).unwrap();
            let cold = match_district(&ix, mode, &opts, None).unwrap();
            assert_eq!(warm.objective, cold.objective, "{mode:?} {}", s.name);
            warm.verify(&ix).unwrap();
            // Again, in the buffers the first solve left (and after other
            // scenarios): the same result, to the byte.
            assert_eq!(session.solve(&ix).unwrap(), warm, "{mode:?} {}", s.name);
            if s.name == "unchanged" {
                assert_eq!(warm.stats.pivots, 0, "{mode:?}");
                assert_eq!(warm.assignments, session.base().assignments);
            }
        }
    }
}

/// A scenario that changes the unserved penalty changes costs in the kept
/// networks' copies; the next scenario, solved in the same buffers, must
/// not see them.
#[test]
fn district_session_copies_do_not_keep_a_changed_penalty() {
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 4);
    let opts = MatchOptions::default();
    for mode in [Mode::PerCommunity, Mode::Pooled] {
        let session = DistrictSession::new(&d.validate().unwrap(), mode, &opts).unwrap();
        let mut penalised = d.clone();
        penalised.policy.unserved_penalty += 40.0;
        let mut grown = d.clone();
        for n in grown.needs.iter_mut().step_by(10) {
            n.units += 1;
        }
        for changed in [&penalised, &grown, &penalised, &grown] {
            let ix = changed.validate().unwrap();
            let warm = session.solve(&ix).unwrap();
            let cold = match_district(&ix, mode, &opts, None).unwrap();
            assert_eq!(warm.objective, cold.objective, "{mode:?}");
            warm.verify(&ix).unwrap();
        }
    }
}

#[test]
fn district_session_refuses_other_districts_and_sector_bounds() {
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 4);
    let session = DistrictSession::new(
        &d.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
    )
    .unwrap();
    let err = session.solve(&example().validate().unwrap()).unwrap_err();
    assert!(err.to_string().contains("eligibility graph"), "{err}");
    // A provider moved to another community is more than an amount.
    let mut moved = d.clone();
    let home = moved
        .providers
        .iter()
        .position(|p| p.home.is_some())
        .unwrap();
    let other = moved
        .communities
        .iter()
        .find(|c| Some(&c.id) != moved.providers[home].home.as_ref())
        .unwrap()
        .id
        .clone();
    moved.providers[home].home = Some(other);
    let err = session.solve(&moved.validate().unwrap()).unwrap_err();
    assert!(err.to_string().contains("more than amounts"), "{err}");
    // Per community the amounts (with the split of district-level
    // capacity) are written while the structure is compared: a need moved
    // to another community is refused all the same, and a district with one
    // more community before any amount is written (the split would index
    // past the session's communities: 20 needs move there, one unit
    // larger).
    let per = DistrictSession::new(
        &d.validate().unwrap(),
        Mode::PerCommunity,
        &MatchOptions::default(),
    )
    .unwrap();
    let mut need_moved = d.clone();
    let first = need_moved.needs[0].community.clone();
    let elsewhere = d.communities.iter().find(|c| c.id != first).unwrap();
    need_moved.needs[0].community = elsewhere.id.clone();
    need_moved.needs[0].cell = None;
    let err = per.solve(&need_moved.validate().unwrap()).unwrap_err();
    assert!(err.to_string().contains("more than amounts"), "{err}");
    let mut grown = d.clone();
    grown.communities.push(hubmatch::Community {
        id: "c-new".into(),
        name: String::new(),
        population: 0,
        cells: Vec::new(),
    });
    for n in grown.needs.iter_mut().rev().take(20) {
        n.community = "c-new".into();
        n.cell = None;
        n.units += 1;
    }
    let err = per.solve(&grown.validate().unwrap()).unwrap_err();
    assert!(err.to_string().contains("more than amounts"), "{err}");
    // One community fewer, its records moved to the first: as many needs
    // and offers, so the graph fits, but community indices of the session
    // are out of range of the new district.
    let mut merged = d.clone();
    let gone = merged.communities.pop().unwrap();
    let into = merged.communities[0].id.clone();
    for n in merged.needs.iter_mut().filter(|n| n.community == gone.id) {
        n.community = into.clone();
        n.cell = None;
    }
    for p in &mut merged.providers {
        if p.home.as_ref() == Some(&gone.id) {
            p.home = Some(into.clone());
        }
        if let Some(hubmatch::ServiceArea::Communities(list)) = &mut p.service_area {
            list.retain(|c| *c != gone.id);
            list.push(into.clone());
        }
        p.quotas.remove(&gone.id);
        if gone.cells.iter().any(|c| Some(&c.id) == p.cell.as_ref()) {
            p.cell = None;
        }
    }
    let err = per.solve(&merged.validate().unwrap()).unwrap_err();
    assert!(err.to_string().contains("more than amounts"), "{err}");
    let mut bounded = example();
    bounded.policy.sector_bounds =
        serde_json::from_str(r#"[{"category": "life", "kind": "volunteer", "max_share": 0.5}]"#)
            .unwrap();
    let err = DistrictSession::new(
        &bounded.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
    )
    .err()
    .unwrap();
    assert!(err.to_string().contains("sector_bounds"), "{err}");
}

/// A sweep's answers do not depend on the thread count: every scenario
/// starts from its own copy of the base trees.
#[test]
fn sweeps_are_identical_at_any_thread_count() {
    use hubmatch::analyze::sweep;
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 6);
    let scenarios: Vec<Scenario> = serde_json::from_str(
        r#"[{"name": "volunteers -30%", "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}]},
            {"name": "demand +20%", "changes": [{"scale_demand": {"factor": 1.2}}]},
            {"name": "volunteers -10%", "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.9}}]}]"#,
    )
    .unwrap();
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let run = |threads: usize| {
            crate::with_threads(threads, || {
                sweep(&d, mode, &scenarios, &MatchOptions::default(), &|_| {}).unwrap()
            })
        };
        let one = run(1);
        assert_eq!(one, run(2), "{mode:?}");
        assert_eq!(one, run(4), "{mode:?}");
    }
}

/// A kept base answers each call under that call's cancel flag: a set flag
/// stops a long re-solve with a typed error and leaves the base as it was.
#[test]
fn scenario_outcomes_stop_on_their_own_cancel_flag() {
    use hubmatch::analyze::ScenarioBase;
    use hubmatch::solve::CancelFlag;
    // One community of the reference street (5,000 needs, 200 providers).
    let knobs = hubmatch::synthetic::Knobs {
        communities: 1,
        ..hubmatch::synthetic::Knobs::preset("district-13").unwrap()
    };
    let d = hubmatch::synthetic::generate(&knobs, 1);
    let base = ScenarioBase::new(&d, Mode::Pooled, &MatchOptions::default()).unwrap();
    // Three times the demand breaks the kept trees in many places: the
    // re-solve restarts and takes thousands of pivots.
    let shock: Scenario =
        serde_json::from_str(r#"{"name": "x", "changes": [{"scale_demand": {"factor": 3.0}}]}"#)
            .unwrap();
    let stop = CancelFlag::default();
    stop.cancel();
    let err = base.outcome_cancellable(&shock, &stop).err().unwrap();
    assert!(matches!(err, hubmatch::Error::Cancelled), "{err}");
    let go = base
        .outcome_cancellable(&shock, &CancelFlag::default())
        .unwrap();
    let again = base.outcome(&shock).unwrap();
    assert_eq!(go.result, again.result);
    let ix = shock.apply(base.district()).unwrap().validate().unwrap();
    let cold = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    assert_eq!(go.result.objective, cold.objective);
    assert!(go.result.stats.pivots > 1024, "{}", go.result.stats.pivots);
}
