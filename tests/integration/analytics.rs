//! Analytics: coverage and equity by hand on the example, hub value, and
//! shadow prices checked against re-solving with one more unit.

use hubmatch::analyze::{coverage, hub_value, shadow_prices};
use hubmatch::solve::{MatchOptions, Mode, match_district};
use hubmatch::synthetic::{Knobs, generate};

use crate::example;

#[test]
fn coverage_and_equity_of_the_example_by_hand() {
    let d = example();
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let report = coverage(&ix, &r);
    // c1: needs 7 units (n1 2, n3 3, n5 1, n7 1), served 6; c2: needs 6, served 4.
    let c: Vec<(i64, i64)> = report
        .communities
        .iter()
        .map(|c| (c.needed, c.served))
        .collect();
    assert_eq!(c, vec![(7, 6), (6, 4)]);
    // Priority-weighted, c1: needed 2·4 + 3·3 + 1·5 + 1·1 = 23, served 2·4 + 3·3 + 1·5 = 22.
    assert_eq!(
        (
            report.communities[0].priority_needed,
            report.communities[0].priority_served
        ),
        (23, 22)
    );
    // Served by kind in c2: gov1 1 (government), vol1 2 + 1 (volunteer).
    assert_eq!(report.communities[1].served_by_kind, [1, 0, 0, 3]);
    let e = report.equity.unwrap();
    let (x, y) = (6.0 / 7.0, 4.0 / 6.0);
    assert_eq!(e.worst_off, 1);
    assert!((e.min_coverage - y).abs() < 1e-12);
    assert!((e.jain - (x + y) * (x + y) / (2.0 * (x * x + y * y))).abs() < 1e-12);
    assert!((e.gini - 2.0 * (x - y) / (2.0 * 4.0 * (x + y) / 2.0)).abs() < 1e-12);
    // Cells: community × category with needs only.
    assert_eq!(report.cells.len(), 7);
}

#[test]
fn hub_value_of_the_example() {
    let ix = example().validate().unwrap();
    let v = hub_value(&ix, &MatchOptions::default()).unwrap();
    assert_eq!(v.gain, 96_000);
    assert_eq!(v.alone.objective, 194_600);
    // gov1 (home c1) serves n2 in c2; vol1 (home c1) serves n4 and n6 in c2;
    // mkt1 (home c2) serves n3 in c1.
    let moved: Vec<(u32, u32, u32, i64)> = v
        .moved
        .iter()
        .map(|m| (m.provider, m.from, m.to, m.units))
        .collect();
    assert_eq!(moved, vec![(0, 0, 1, 1), (1, 1, 0, 3), (3, 0, 1, 3)]);
    assert!(
        v.coverage_hub.equity.unwrap().min_coverage > v.coverage_alone.equity.unwrap().min_coverage
    );
}

#[test]
fn pooling_gains_on_synthetic_districts_add_up() {
    let d = generate(&Knobs::preset("small").unwrap(), 4);
    let ix = d.validate().unwrap();
    let v = hub_value(&ix, &MatchOptions::default()).unwrap();
    assert!(v.gain >= 0);
    let weight = |alone: bool| -> i64 {
        v.communities
            .iter()
            .map(|c| if alone { c.weight_alone } else { c.weight_hub })
            .sum()
    };
    // Without penalties, the objective is the weight served.
    assert_eq!(weight(true), v.alone.objective);
    assert_eq!(weight(false), v.hub.objective);
}

/// V(c+1) − V(c) ≤ price ≤ V(c) − V(c−1) for every offer and shared capacity.
#[test]
fn shadow_prices_bound_the_gain_of_one_more_unit() {
    let mut checked = 0;
    let mut exact = 0;
    for seed in 0..3 {
        let knobs = Knobs {
            needs_per_community: 25,
            providers_per_community: 6,
            ..Knobs::preset("small").unwrap()
        };
        let d = generate(&knobs, seed);
        let ix = d.validate().unwrap();
        let solve = |d: &hubmatch::District| {
            match_district(
                &d.validate().unwrap(),
                Mode::Pooled,
                &MatchOptions::default(),
                None,
            )
            .unwrap()
            .objective
        };
        let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
        let base = r.objective;
        for price in shadow_prices(&ix, &r).capacities {
            let edit = |delta: i64| {
                let mut e = d.clone();
                let p = &mut e.providers[price.provider as usize];
                match price.offer {
                    Some(o) => p.offers[o as usize].capacity += delta,
                    None => *p.capacity.as_mut().unwrap() += delta,
                }
                e
            };
            let up = solve(&edit(1)) - base;
            assert!(up <= price.price, "seed {seed} {price:?}: +1 gains {up}");
            if price.capacity > 0 {
                let down = base - solve(&edit(-1));
                assert!(
                    price.price <= down,
                    "seed {seed} {price:?}: -1 loses {down}"
                );
                exact += usize::from(up == price.price && down == price.price);
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} prices checked");
    assert!(exact > 0, "no price was exact");
}

#[test]
fn need_prices_bound_the_gain_of_one_more_unit() {
    let d = generate(
        &Knobs {
            needs_per_community: 20,
            ..Knobs::preset("small").unwrap()
        },
        1,
    );
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let prices = shadow_prices(&ix, &r);
    for i in (0..d.needs.len()).step_by(5) {
        let mut e = d.clone();
        e.needs[i].units += 1;
        let up = match_district(
            &e.validate().unwrap(),
            Mode::Pooled,
            &MatchOptions::default(),
            None,
        )
        .unwrap()
        .objective
            - r.objective;
        assert!(
            up <= prices.needs[i],
            "need {i}: +1 gains {up}, price {}",
            prices.needs[i]
        );
    }
}

#[test]
fn explanations_of_the_example_in_plain_words() {
    use hubmatch::analyze::{explain_unmet, smallest_increase};
    let d = example();
    let ix = d.validate().unwrap();
    let pooled = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let why = explain_unmet(&d, &ix, &pooled);
    let texts: Vec<&str> = why.iter().map(|w| w.text.as_str()).collect();
    assert_eq!(
        texts,
        vec![
            "Need n2 (administrative, c2, priority 2): 1 of 2 units unmet. 1 eligible offer from 1 provider (gov1) \
             can give it at most 3 units; 3 are used, 2 by 1 other need worth as much or more per unit and 1 by \
             this need.",
            "Need n6 (volunteer, c2, priority 2): 1 of 2 units unmet. 1 eligible offer from 1 provider (vol1) \
             can give it at most 3 units; 3 are used, 2 by 1 other need worth as much or more per unit and 1 by \
             this need.",
            "Need n7 (volunteer, c1, priority 1): 1 of 1 units unmet. None of the 1 volunteer offer can serve it: \
             1 because they lack a required skill. It requires cooking. Nearest: vol1, 2 away (lacks a required \
             skill).",
        ]
    );
    assert_eq!(why[0].competitors, vec![0]);
    // One more administrative slot at gov1 serves n2; n6 needs one more volunteer unit at vol1.
    assert_eq!(
        smallest_increase(&d, Mode::Pooled, &pooled, 1).unwrap(),
        Some((0, 0, 1))
    );
    assert_eq!(
        smallest_increase(&d, Mode::Pooled, &pooled, 5).unwrap(),
        Some((3, 0, 1))
    );
    assert_eq!(
        smallest_increase(&d, Mode::Pooled, &pooled, 6).unwrap(),
        None
    );
    // Without the hub, c2's administrative need has no provider of its own.
    let alone = match_district(&ix, Mode::PerCommunity, &MatchOptions::default(), None).unwrap();
    // n3's third unit needs one more life unit at vol1 (its community's own
    // volunteers, probed on c1's network alone).
    assert_eq!(
        smallest_increase(&d, Mode::PerCommunity, &alone, 2).unwrap(),
        Some((3, 1, 1))
    );
    // ngo1 is district-level: per community its capacity is split by demand,
    // so its probes re-solve the district. n5 wanting 3 units leaves 1 unmet.
    let mut more = d.clone();
    more.needs[4].units = 3;
    let r = match_district(
        &more.validate().unwrap(),
        Mode::PerCommunity,
        &MatchOptions::default(),
        None,
    )
    .unwrap();
    assert_eq!(
        smallest_increase(&more, Mode::PerCommunity, &r, 4).unwrap(),
        Some((2, 0, 1))
    );
    let why = explain_unmet(&d, &ix, &alone);
    assert!(
        why[0].text.ends_with(
            "None of the 1 administrative offer can serve it: 1 because they belong to other communities (no hub). \
             Nearest: gov1, 10 away (belongs to another community)."
        ),
        "{}",
        why[0].text
    );
}

#[test]
fn coverage_floors_by_hand_on_the_example() {
    let mut d = example();
    // c2 needs 6 units and gets 4 pooled; a 80% floor asks for 5: gov1 must
    // give n2 a second unit instead of n1's (14 instead of 48 points).
    d.policy.community_floors.insert("c2".into(), 0.8);
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    assert_eq!(r.objective, 290_600 - 34_000);
    let f = &r.floors[0];
    assert_eq!(
        (f.community, f.category, f.needed, f.required, f.served),
        (1, None, 6, 5, 5)
    );
    // One unit less required gives the 34 points back; the dual bounds that
    // gain from above (one unit more is infeasible, so any price ≥ 34 proves it).
    assert!(f.potential >= 34_000, "{}", f.potential);
    r.verify(&ix).unwrap();
    // A full floor cannot be met: vol1 cannot give n4 and n6 four units.
    d.policy.community_floors.insert("c2".into(), 1.0);
    let err = match_district(
        &d.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"infeasible: the coverage floors of "c2" cannot all be met with the eligible capacity"#
    );
    // Without the hub, c2 has no provider of its own at all.
    d.policy.community_floors.insert("c2".into(), 0.5);
    let err = match_district(
        &d.validate().unwrap(),
        Mode::PerCommunity,
        &MatchOptions::default(),
        None,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"infeasible: coverage floor of "c2" (50% of 6 units = 3 units) cannot be met: only 0 of its units have an eligible offer"#
    );
    // Category floors name the category; bad floors are rejected at validation.
    let mut d = example();
    d.policy.category_floors.insert("c1/volunteer".into(), 1.0);
    let err = match_district(
        &d.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
        None,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"coverage floor of "c1/volunteer" (100% of 1 units = 1 units)"#),
        "{err}"
    );
    d.policy.category_floors.insert("c1/volunteer".into(), 1.5);
    assert_eq!(
        d.validate().unwrap_err().to_string(),
        r#"policy "policy": category_floors.c1/volunteer must be between 0 and 1, got 1.5"#
    );
}

#[test]
fn floors_hold_and_are_certified_on_synthetic_districts() {
    for seed in 0..3 {
        let mut d = generate(&Knobs::preset("small").unwrap(), seed);
        let ix = d.validate().unwrap();
        let free = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
        let report = coverage(&ix, &free);
        // Ask every community for its current coverage plus a little more.
        let worst = report.equity.unwrap().min_coverage;
        d.policy.coverage_floor = Some(((worst + 0.05).min(1.0) * 1000.0).floor() / 1000.0);
        let ix = d.validate().unwrap();
        match match_district(&ix, Mode::Pooled, &MatchOptions::default(), None) {
            Ok(r) => {
                r.verify(&ix).unwrap();
                assert!(
                    r.objective <= free.objective,
                    "floors cannot raise the optimum"
                );
                for f in &r.floors {
                    assert!(f.served >= f.required, "seed {seed}: {f:?}");
                }
                let c = coverage(&ix, &r);
                assert!(c.equity.unwrap().min_coverage >= worst);
            }
            Err(e) => assert!(e.to_string().contains("cannot"), "{e}"),
        }
    }
}

/// The smallest increase is checked independently on the need's network,
/// by cold solves with the need held to one more unit (an unserved group of
/// its own): the increase serves it at no loss of optimal value, one unit
/// less at no offer does.
#[test]
fn smallest_increase_checked_by_cold_solves() {
    use hubmatch::analyze::smallest_increase;
    use hubmatch::graph::BipartiteProblem;
    use hubmatch::solve::district::mode_parts;
    use hubmatch::solve::{UnmetReason, solve_matching};
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 5);
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let (_, parts) = mode_parts(&ix, Mode::Pooled).unwrap();
    let served = |i: u32| -> i64 {
        r.assignments
            .iter()
            .filter(|a| a.need == i)
            .map(|a| a.units)
            .sum()
    };
    // Whether `extra` more at local offer `lo` lets an optimum serve one more unit of local need `li`.
    let serves = |p: &BipartiteProblem, li: usize, lo: usize, extra: i64, base: i64| -> bool {
        let mut q = p.clone();
        q.offer_capacity[lo] += extra;
        if let Some(g) = q.offer_group[lo] {
            q.group_capacity[g as usize] += extra;
        }
        let free = solve_matching(&q, &MatchOptions::default(), None)
            .unwrap()
            .objective;
        q.unserved_group = (0..q.need_count())
            .map(|i| (i == li).then_some(0))
            .collect();
        q.unserved_limit = vec![q.units[li] - base - 1];
        q.unserved_parent = vec![None];
        solve_matching(&q, &MatchOptions::default(), None).is_ok_and(|s| s.objective == free)
    };
    let mut checked = 0;
    for u in r
        .unmet
        .iter()
        .filter(|u| u.reason == UnmetReason::CapacityExhausted)
        .take(6)
    {
        let (part, li) = parts
            .iter()
            .find_map(|p| p.needs.iter().position(|&i| i == u.need).map(|li| (p, li)))
            .unwrap();
        let p = &part.problem;
        let offers: Vec<usize> = (0..p.edge_count())
            .filter(|&e| p.edge_need[e] as usize == li)
            .map(|e| p.edge_offer[e] as usize)
            .collect();
        let base = served(u.need);
        match smallest_increase(&d, Mode::Pooled, &r, u.need).unwrap() {
            Some((pi, oi, extra)) => {
                let lo = part.offers.iter().position(|&o| o == (pi, oi)).unwrap();
                assert!(serves(p, li, lo, extra, base), "need {}", u.need);
                for &other in &offers {
                    assert!(
                        !serves(p, li, other, extra - 1, base) || extra == 1,
                        "need {}",
                        u.need
                    );
                }
                checked += 1;
            }
            None => {
                for &other in &offers {
                    assert!(!serves(p, li, other, 1000, base), "need {}", u.need);
                }
            }
        }
    }
    assert!(checked >= 3, "{checked}");
}

/// A sweep reaches the same optima as solving each changed district from
/// scratch, whether it reuses the base's eligibility graph (amounts only)
/// or not; a graph of another district is refused.
#[test]
fn sweep_matches_solving_each_scenario_from_scratch() {
    use hubmatch::analyze::{Scenario, sweep};
    use hubmatch::graph::EligibilityGraph;
    use hubmatch::solve::district::match_district_on;
    let d = hubmatch::synthetic::generate(&hubmatch::synthetic::Knobs::preset("small").unwrap(), 2);
    let scenarios: Vec<Scenario> = serde_json::from_str(
        r#"[{"name": "fewer volunteers", "changes": [{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}]},
            {"name": "more demand", "changes": [{"scale_demand": {"factor": 1.3}}]},
            {"name": "no travel cost", "changes": [{"set_policy": {"policy": {"travel_penalty": 0.0}}}]}]"#,
    )
    .unwrap();
    assert!(
        scenarios[0].amounts_only() && scenarios[1].amounts_only() && !scenarios[2].amounts_only()
    );
    for mode in [Mode::Pooled, Mode::PerCommunity] {
        let s = sweep(&d, mode, &scenarios, &MatchOptions::default(), &|_| {}).unwrap();
        for (sc, out) in scenarios.iter().zip(&s.outcomes) {
            let ix = sc.apply(&d).unwrap().validate().unwrap();
            let cold = match_district(&ix, mode, &MatchOptions::default(), None).unwrap();
            assert_eq!(out.result.objective, cold.objective, "{mode:?} {}", sc.name);
            out.result.verify(&ix).unwrap();
        }
    }
    let other = example().validate().unwrap();
    let graph = EligibilityGraph::build(&d.validate().unwrap());
    let err = match_district_on(&other, &graph, Mode::Pooled, &MatchOptions::default(), None)
        .unwrap_err();
    assert!(err.to_string().contains("eligibility graph"), "{err}");
}

#[test]
fn summary_of_the_example_by_hand() {
    use hubmatch::io::results::{ResultTables, Summary};
    let d = example();
    let ix = d.validate().unwrap();
    let r = match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap();
    let s = Summary::new(&d, &r);
    let by: Vec<(&str, i64, i64, i64)> = (s.by_community.iter())
        .map(|(id, c)| (id.as_str(), c.needed, c.served, c.unmet))
        .collect();
    // As in `coverage_and_equity_of_the_example_by_hand`: c1 7 needed, 6
    // served; c2 6 needed, 4 served (gov1 1 unit, vol1 3).
    assert_eq!(by, vec![("c1", 7, 6, 1), ("c2", 6, 4, 2)]);
    assert_eq!((s.needed, s.served, s.unmet), (13, 10, 3));
    assert_eq!(
        s.by_kind["volunteer"].served,
        3 + d_served_by(&d, &r, "c1", "volunteer")
    );
    assert!((s.by_community["c2"].weight - 75.0).abs() < 1e-9);
    assert_eq!(s.unmet_by_reason.values().sum::<i64>(), 3);
    assert_eq!(s, ResultTables::new(&d, &r).summary);
}

/// Units served by providers of `kind` to needs of `community`, counted
/// from the assignments.
fn d_served_by(
    d: &hubmatch::District,
    r: &hubmatch::solve::MatchResult,
    community: &str,
    kind: &str,
) -> i64 {
    (r.assignments.iter())
        .filter(|a| d.needs[a.need as usize].community == community)
        .filter(|a| d.providers[a.provider as usize].kind.as_str() == kind)
        .map(|a| a.units)
        .sum()
}

#[test]
fn summaries_agree_with_the_coverage_report_on_synthetic_districts() {
    use hubmatch::io::results::Summary;
    for seed in 0..4 {
        let d = generate(&Knobs::preset("small").unwrap(), seed);
        let ix = d.validate().unwrap();
        for mode in [Mode::Pooled, Mode::PerCommunity] {
            let r = match_district(&ix, mode, &MatchOptions::default(), None).unwrap();
            let s = Summary::new(&d, &r);
            let report = coverage(&ix, &r);
            for c in &report.communities {
                let id = &d.communities[c.community as usize].id;
                let got = &s.by_community[id];
                assert_eq!((got.needed, got.served), (c.needed, c.served), "{id}");
                assert_eq!(got.unmet, c.needed - c.served, "{id}");
            }
            let categories = d.effective_categories();
            for (k, category) in categories.iter().enumerate() {
                let cells = report.cells.iter().filter(|c| c.category as usize == k);
                let (needed, served) = cells.fold((0, 0), |(n, s), c| (n + c.needed, s + c.served));
                match s.by_category.get(&category.id) {
                    Some(got) => assert_eq!((got.needed, got.served), (needed, served)),
                    None => assert_eq!(needed, 0),
                }
            }
            for (k, kind) in hubmatch::ProviderKind::ALL.iter().enumerate() {
                let served: i64 = report.communities.iter().map(|c| c.served_by_kind[k]).sum();
                assert_eq!(s.by_kind[kind.as_str()].served, served, "{kind:?}");
            }
            let equity = report.equity.unwrap();
            let worst = &d.communities[equity.worst_off as usize].id;
            assert_eq!(s.equity.as_ref().unwrap().worst_off, *worst);
        }
    }
}
