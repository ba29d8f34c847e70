//! The solver: optimality against brute force and an independent oracle, the
//! certificate on random instances, degenerate cases, pricing, aggregation,
//! warm starts.

use hubmatch::Error;
use hubmatch::graph::{BipartiteProblem, FlowNetwork, MatchingNetwork};
use hubmatch::solve::certificate::{check_feasible, dual_value};
use hubmatch::solve::matching::check_bound;
use hubmatch::solve::network_simplex::{self, Pricing, SolveOptions};
use hubmatch::solve::{
    MatchOptions, MatchingSolution, solve_matching, ssp, verify, verify_matching,
};
use proptest::prelude::*;

pub fn tiny_problem() -> impl Strategy<Value = BipartiteProblem> {
    (1usize..=6, 1usize..=6, 0usize..=2, 0i64..=3).prop_flat_map(|(n, m, g, penalty)| {
        (
            prop::collection::vec(1i64..=3, n),
            prop::collection::vec(0i64..=3, m),
            prop::collection::vec(prop::option::of(0u32..g.max(1) as u32), m),
            prop::collection::vec(0i64..=3, g),
            prop::collection::vec((0..n as u32, 0..m as u32, -5i64..=20), 0..=10),
        )
            .prop_map(move |(units, cap, group, group_cap, edges)| {
                let mut p = BipartiteProblem::simple(units, cap, &edges);
                p.offer_group = if g == 0 { vec![None; m] } else { group };
                p.group_capacity = group_cap;
                p.unserved_penalty = penalty;
                p
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The simplex optimum equals exhaustive search on tiny instances, with
    /// and without aggregation, under both pricing rules, and is certified.
    #[test]
    fn optimum_equals_brute_force(p in tiny_problem()) {
        let expected = crate::brute_force(&p, &vec![0; p.edge_count()]).unwrap();
        for aggregate in [false, true] {
            for pricing in [Pricing::BlockSearch, Pricing::CandidateList] {
                let opts = MatchOptions { aggregate, simplex: SolveOptions { pricing, block_size: Some(3), cancel: None }, verify: true };
                let s = solve_matching(&p, &opts, None).unwrap();
                prop_assert_eq!(s.objective, expected);
                s.verify(&p).unwrap();
            }
        }
    }

    /// The simplex and the successive-shortest-path oracle agree on the
    /// minimum cost of medium random matching networks.
    #[test]
    fn optimum_equals_ssp_oracle(seed in any::<u64>()) {
        let p = random_problem(seed, 40, 12, 6);
        let net = MatchingNetwork::build(&p).net;
        let (oracle, _) = ssp::min_cost_flow(&net).unwrap();
        let s = solve_matching(&p, &MatchOptions::default(), None).unwrap();
        prop_assert_eq!(-s.objective, oracle);
    }
}

/// `tiny_problem` with up to two nested coverage-floor groups over its needs.
fn tiny_problem_with_floors() -> impl Strategy<Value = BipartiteProblem> {
    (tiny_problem(), any::<u64>()).prop_map(|(mut p, seed)| {
        let h = (seed % 3) as usize;
        if h > 0 {
            let n = p.need_count();
            p.unserved_group = (0..n)
                .map(|i| {
                    ((seed >> (2 + i)) & 1 == 1).then_some(((seed >> (9 + i)) % h as u64) as u32)
                })
                .collect();
            p.unserved_limit = (0..h)
                .map(|k| ((seed >> (20 + 3 * k)) % 6) as i64)
                .collect();
            p.unserved_parent = (0..h)
                .map(|k| (k + 1 < h && (seed >> 30) & 1 == 1).then_some(h as u32 - 1))
                .collect();
        }
        p
    })
}

/// The network that `p` stands for, with the arc flows and node potentials
/// (the sink at 0) of an allocation and its duals, built here independently
/// of the library's bipartite certificate.
fn as_network(p: &BipartiteProblem, s: &MatchingSolution) -> (FlowNetwork, Vec<i64>, Vec<i64>) {
    let mn = MatchingNetwork::build(p);
    let (n, o, g, h) = (
        p.need_count(),
        p.offer_count(),
        p.group_capacity.len(),
        p.unserved_limit.len(),
    );
    let mut flow = vec![0i64; mn.net.arc_count()];
    for (k, &x) in s.edge_flow.iter().enumerate() {
        flow[k] = x;
        flow[mn.offer_arcs + p.edge_offer[k] as usize] += x;
    }
    for k in 0..o {
        if let Some(grp) = p.offer_group[k] {
            flow[mn.group_arcs + grp as usize] += flow[mn.offer_arcs + k];
        }
    }
    for (i, &x) in s.unserved.iter().enumerate() {
        flow[mn.unserved_arcs + i] = x;
        if let Some(grp) = p.unserved_group_of(i) {
            flow[mn.unserved_group_arcs + grp as usize] += x;
        }
    }
    for k in 0..h {
        if let Some(q) = p.unserved_parent[k] {
            flow[mn.unserved_group_arcs + q as usize] += flow[mn.unserved_group_arcs + k];
        }
    }
    let mut pi = vec![0i64; mn.net.node_count()];
    for k in (0..h).rev() {
        let parent = p.unserved_parent[k].map_or(0, |q| pi[n + o + g + q as usize]);
        pi[n + o + g + k] = parent - s.unserved_group_potential[k];
    }
    for k in 0..g {
        pi[n + o + k] = -s.group_potential[k];
    }
    for k in 0..o {
        pi[n + k] =
            p.offer_group[k].map_or(0, |grp| pi[n + o + grp as usize]) - s.offer_potential[k];
    }
    pi[..n].copy_from_slice(&s.need_potential);
    (mn.net, flow, pi)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The matching certificate, checked on the bipartite problem in one
    /// pass, says what the network certificate says of the network the
    /// problem stands for: the same cost, bound and error, on optimal
    /// solutions and on tampered ones (a flow, an unserved amount or a dual
    /// moved by one).
    #[test]
    fn matching_certificate_equals_the_network_certificate(p in tiny_problem_with_floors(), tamper in any::<(u8, u8, bool)>()) {
        let Ok(mut s) = solve_matching(&p, &MatchOptions::default(), None) else {
            return Ok(()); // floors that cannot be met
        };
        let (which, at, up) = tamper;
        let d = if up { 1 } else { -1 };
        let slot = |v: &mut Vec<i64>| if !v.is_empty() { let k = at as usize % v.len(); v[k] += d; };
        match which % 7 {
            0 => slot(&mut s.edge_flow),
            1 => slot(&mut s.unserved),
            2 => slot(&mut s.need_potential),
            3 => slot(&mut s.offer_potential),
            4 => slot(&mut s.group_potential),
            5 => slot(&mut s.unserved_group_potential),
            _ => {}
        }
        let (net, flow, pi) = as_network(&p, &s);
        let args = (&s.edge_flow, &s.unserved, &s.need_potential, &s.offer_potential, &s.group_potential, &s.unserved_group_potential);
        prop_assert_eq!(
            verify_matching(&p, args.0, args.1, args.2, args.3, args.4, args.5),
            verify(&net, &flow, &pi)
        );
        let expected = check_feasible(&net, &flow).and_then(|cost| Ok((cost, dual_value(&net, &pi)?)));
        prop_assert_eq!(check_bound(&p, args.0, args.1, args.2, args.3, args.4, args.5), expected);
    }
}

/// A random matching problem: `n` needs of 1–3 units, `m` offers of
/// capacity 10–100 (every third in a group with a shared capacity), `d`
/// random edges per need with priority-scaled weights.
pub fn random_problem(seed: u64, n: usize, m: usize, d: usize) -> BipartiteProblem {
    let mut x = seed | 1;
    let mut next = move |k: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % k
    };
    let units = (0..n).map(|_| 1 + next(3) as i64).collect();
    let cap = (0..m).map(|_| 10 + next(91) as i64).collect();
    let mut edges = Vec::with_capacity(n * d);
    for i in 0..n {
        let prio = 1 + next(5) as i64;
        for _ in 0..d {
            edges.push((
                i as u32,
                next(m as u64) as u32,
                prio * (next(100) as i64 - 10),
            ));
        }
    }
    let mut p = BipartiteProblem::simple(units, cap, &edges);
    let groups = m / 3;
    for k in 0..m {
        if k % 3 == 0 && k / 3 < groups {
            p.offer_group[k] = Some((k / 3) as u32);
        }
    }
    p.group_capacity = (0..groups).map(|_| 20 + next(100) as i64).collect();
    p
}

#[test]
fn certificate_holds_on_random_instances_up_to_20000_nodes() {
    for (seed, n, m, d) in [
        (1, 50, 10, 4),
        (2, 500, 40, 8),
        (3, 2_000, 100, 10),
        (4, 15_000, 5_000, 6),
    ] {
        let p = random_problem(seed, n, m, d);
        for pricing in [Pricing::BlockSearch, Pricing::CandidateList] {
            let opts = MatchOptions {
                aggregate: false,
                simplex: SolveOptions {
                    pricing,
                    block_size: None,
                    cancel: None,
                },
                verify: false,
            };
            let s = solve_matching(&p, &opts, None).unwrap();
            let cert = s.verify(&p).expect("certificate");
            assert_eq!(cert.cost, -i128::from(s.objective));
        }
    }
}

#[test]
fn general_networks_are_certified() {
    // A dense random network with negative costs and cycles, through the raw API.
    let mut x = 99u64;
    let mut next = move |k: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) % k
    };
    for _ in 0..20 {
        let n = 40;
        let mut net = FlowNetwork::new(n);
        for _ in 0..300 {
            let (s, t) = (next(n as u64) as u32, next(n as u64) as u32);
            net.add_arc(s, t, next(10) as i64, next(30) as i64 - 10);
        }
        for v in 0..n {
            net.add_arc(v as u32, ((v + 1) % n) as u32, 1000, 50);
        }
        for _ in 0..10 {
            let (s, t) = (next(n as u64) as usize, next(n as u64) as usize);
            net.supply[s] += 5;
            net.supply[t] -= 5;
        }
        let sol = network_simplex::solve(&net, &SolveOptions::default()).unwrap();
        assert_eq!(
            verify(&net, &sol.flow, &sol.potential).unwrap().cost,
            i128::from(sol.cost)
        );
    }
}

#[test]
fn infeasible_networks_are_reported() {
    let mut net = FlowNetwork::new(2);
    net.supply = vec![3, -3];
    net.add_arc(0, 1, 2, 1);
    let err = network_simplex::solve(&net, &SolveOptions::default()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "infeasible: 1 units of supply cannot reach any demand"
    );
}

#[test]
fn a_cancelled_solve_stops_with_a_typed_error() {
    let p = hubmatch::synthetic::random_bipartite(3, 5_000, 200, 20);
    let flag = hubmatch::solve::CancelFlag::default();
    flag.cancel();
    let opts = MatchOptions {
        simplex: SolveOptions {
            cancel: Some(flag),
            ..SolveOptions::default()
        },
        ..MatchOptions::default()
    };
    assert!(matches!(
        solve_matching(&p, &opts, None),
        Err(Error::Cancelled)
    ));
}

#[test]
fn degenerate_cases() {
    let opts = MatchOptions::default();
    // No edges: nothing served.
    let p = BipartiteProblem::simple(vec![2, 3], vec![4], &[]);
    let s = solve_matching(&p, &opts, None).unwrap();
    assert_eq!((s.objective, s.unserved.clone()), (0, vec![2, 3]));
    // Zero capacity everywhere.
    let p = BipartiteProblem::simple(vec![2, 3], vec![0, 0], &[(0, 0, 5), (1, 1, 5)]);
    let s = solve_matching(&p, &opts, None).unwrap();
    assert_eq!(s.edge_flow, vec![0, 0]);
    s.verify(&p).unwrap();
    // All weights equal: any split of the capacity is optimal.
    let edges: Vec<(u32, u32, i64)> = (0..10)
        .flat_map(|i| (0..3).map(move |j| (i, j, 7)))
        .collect();
    let p = BipartiteProblem::simple(vec![1; 10], vec![2, 2, 2], &edges);
    let s = solve_matching(&p, &opts, None).unwrap();
    assert_eq!(s.objective, 42);
    s.verify(&p).unwrap();
    // One huge need.
    let p = BipartiteProblem::simple(vec![1 << 40], vec![1 << 39, 5], &[(0, 0, 3), (0, 1, 1)]);
    let s = solve_matching(&p, &opts, None).unwrap();
    assert_eq!(s.objective, 3 * (1 << 39) + 5);
    assert_eq!(s.unserved, vec![(1 << 39) - 5]);
    s.verify(&p).unwrap();
    // Negative weights are never worth serving without a penalty...
    let p = BipartiteProblem::simple(vec![2], vec![2], &[(0, 0, -3)]);
    assert_eq!(solve_matching(&p, &opts, None).unwrap().objective, 0);
    // ...but are with one: serving at -3 beats -5 for leaving it unserved.
    let p = BipartiteProblem {
        unserved_penalty: 5,
        ..p
    };
    assert_eq!(solve_matching(&p, &opts, None).unwrap().objective, -6);
}

#[test]
fn bad_problems_get_typed_errors() {
    let opts = MatchOptions::default();
    let cases: [(BipartiteProblem, &str); 4] = [
        (
            BipartiteProblem::simple(vec![0], vec![1], &[]),
            r##"graph need "#0": units must be between 1 and 1125899906842624, got 0"##,
        ),
        (
            BipartiteProblem::simple(vec![1], vec![-1], &[]),
            r##"graph provider "#0": capacity must be between 0 and 1125899906842624, got -1"##,
        ),
        (
            BipartiteProblem::simple(vec![1], vec![1], &[(1, 0, 1)]),
            r##"graph edge "#0": need 1 is out of range (there are 1 needs)"##,
        ),
        (
            BipartiteProblem::simple(vec![1], vec![1], &[(0, 0, i64::MAX)]),
            r##"graph edge "#0": weight must be within ±1125899906842624, got 9223372036854775807"##,
        ),
    ];
    for (p, msg) in cases {
        let err = solve_matching(&p, &opts, None).unwrap_err();
        assert!(matches!(err, Error::Invalid(_)));
        assert_eq!(err.to_string(), msg);
    }
    // Weights fine one by one, but too large together for exact i64 potentials.
    let edges: Vec<(u32, u32, i64)> = (0..5000)
        .map(|i| (i, 0, (1 << 50) - i64::from(i)))
        .collect();
    let p = BipartiteProblem::simple(vec![1; 5000], vec![1], &edges);
    assert!(matches!(
        solve_matching(&p, &opts, None).unwrap_err(),
        Error::Overflow(_)
    ));
}

#[test]
fn aggregation_keeps_the_optimum_and_shrinks_the_network() {
    // 600 needs drawn from 30 distinct signatures.
    let mut edges = Vec::new();
    let mut units = Vec::new();
    for i in 0..600u32 {
        let kind = i % 30;
        units.push(1 + i64::from(i % 3));
        for j in 0..4 {
            edges.push((i, (kind + j * 7) % 20, i64::from(10 + kind * 3 + j)));
        }
    }
    let p = BipartiteProblem::simple(units, vec![25; 20], &edges);
    let plain = solve_matching(
        &p,
        &MatchOptions {
            aggregate: false,
            ..MatchOptions::default()
        },
        None,
    )
    .unwrap();
    let merged = solve_matching(&p, &MatchOptions::default(), None).unwrap();
    assert_eq!(plain.objective, merged.objective);
    assert_eq!(merged.classes, 30);
    merged.verify(&p).unwrap();
    // The split is deterministic.
    assert_eq!(
        merged,
        solve_matching(&p, &MatchOptions::default(), None).unwrap()
    );
}

#[test]
fn warm_start_after_a_cost_change_reaches_the_same_optimum() {
    let p = random_problem(7, 3_000, 150, 12);
    let opts = MatchOptions {
        aggregate: false,
        ..MatchOptions::default()
    };
    let base = solve_matching(&p, &opts, None).unwrap();
    let mut changed = p.clone();
    for k in (0..changed.edge_count()).step_by(100) {
        changed.edge_weight[k] += 7; // 1% of the edges
    }
    let cold = solve_matching(&changed, &opts, None).unwrap();
    let warm = solve_matching(&changed, &opts, Some(&base.basis)).unwrap();
    assert!(warm.stats.warm);
    assert_eq!(warm.objective, cold.objective);
    assert!(
        warm.stats.pivots < cold.stats.pivots / 5,
        "warm {} vs cold {}",
        warm.stats.pivots,
        cold.stats.pivots
    );
    warm.verify(&changed).unwrap();
    // A capacity change that breaks a few tree arcs is repaired; one that
    // breaks many starts from the crash basis instead.
    let mut shrunk = p.clone();
    shrunk.offer_capacity[..3].iter_mut().for_each(|c| *c /= 3);
    let cold = solve_matching(&shrunk, &opts, None).unwrap();
    let s = solve_matching(&shrunk, &opts, Some(&base.basis)).unwrap();
    assert_eq!(s.objective, cold.objective);
    assert!(s.stats.warm && s.stats.repaired > 0, "{:?}", s.stats);
    shrunk.offer_capacity.iter_mut().for_each(|c| *c = 0);
    let s = solve_matching(&shrunk, &opts, Some(&base.basis)).unwrap();
    assert_eq!(s.objective, 0);
    assert!(!s.stats.warm);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// After random capacity and demand changes (the basis may break), a
    /// warm start from the old optimum reaches the cold optimum, certified.
    #[test]
    fn warm_start_after_capacity_and_demand_changes(seed in any::<u64>(), shrink in 0u64..4) {
        let p = random_problem(seed, 60, 10, 4);
        let opts = MatchOptions { aggregate: false, ..MatchOptions::default() };
        let base = solve_matching(&p, &opts, None).unwrap();
        let mut q = p.clone();
        let mut x = seed | 1;
        let mut next = move |k: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % k };
        for c in &mut q.offer_capacity {
            if next(3) == 0 { *c = (*c * (4 - shrink as i64) / 4 + next(5) as i64 - 2).max(0); }
        }
        for c in &mut q.group_capacity {
            if next(2) == 0 { *c /= 2; }
        }
        for u in &mut q.units {
            if next(4) == 0 { *u = 1 + next(4) as i64; }
        }
        let cold = solve_matching(&q, &opts, None).unwrap();
        let warm = solve_matching(&q, &opts, Some(&base.basis)).unwrap();
        prop_assert_eq!(warm.objective, cold.objective);
        warm.verify(&q).unwrap();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// With unserved limits (coverage floors), the simplex agrees with the
    /// SSP oracle on the optimum and on infeasibility.
    #[test]
    fn floors_agree_with_the_oracle(seed in any::<u64>(), limit_a in 0i64..40, limit_b in 0i64..60) {
        let mut p = random_problem(seed, 30, 8, 3);
        p.unserved_group = (0..30).map(|i| Some(u32::from(i % 3 != 0))).collect();
        p.unserved_limit = vec![limit_a, limit_b];
        p.unserved_parent = vec![Some(1), None];
        let net = MatchingNetwork::build(&p).net;
        match (ssp::min_cost_flow(&net), solve_matching(&p, &MatchOptions::default(), None)) {
            (Ok((cost, _)), Ok(s)) => {
                prop_assert_eq!(-s.objective, cost);
                s.verify(&p).unwrap();
            }
            (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => {}
            (a, b) => prop_assert!(false, "oracle {:?} vs simplex {:?}", a.map(|x| x.0), b.map(|s| s.objective)),
        }
    }
}
