//! The `Resolver`: re-solving a kept tree after cost changes (primal
//! pivots), capacity and supply changes (dual pivots, or a repaired tree),
//! always to the cold optimum with a valid certificate.

use hubmatch::Error;
use hubmatch::graph::{BipartiteProblem, FlowNetwork, MatchingNetwork};
use hubmatch::solve::network_simplex::{self, Growth, NewArc, Resolver, SolveOptions};
use hubmatch::solve::verify;
use proptest::prelude::*;

use crate::engine::random_problem;

/// The matching network of `p`, its flow network, and a resolver that has
/// solved it from the crash basis.
fn solved_from_crash(p: &BipartiteProblem) -> (MatchingNetwork, FlowNetwork, Resolver) {
    let mn = MatchingNetwork::build(p);
    let net = mn.net.clone();
    let crash = hubmatch::solve::Basis::from_tree_arcs(&net, &mn.crash_tree);
    let mut r = Resolver::new(&net, Some(&crash), &SolveOptions::default()).unwrap();
    r.resolve().unwrap();
    (mn, net, r)
}

/// Sets every 100th offer of `p` to half its capacity (`halved`) or back
/// to it, in `net` and in `r`.
fn halve_every_100th_offer(
    p: &BipartiteProblem,
    mn: &MatchingNetwork,
    net: &mut FlowNetwork,
    r: &mut Resolver,
    halved: bool,
) {
    for o in (0..p.offer_count()).step_by(100) {
        let a = mn.offer_arcs + o;
        net.capacity[a] = if halved {
            p.offer_capacity[o] / 2
        } else {
            p.offer_capacity[o]
        };
        r.set_capacity(a, net.capacity[a]).unwrap();
    }
}

#[test]
fn resolver_reoptimises_after_cost_changes() {
    let p = random_problem(11, 2_000, 80, 10);
    let mn = MatchingNetwork::build(&p);
    let mut net = mn.net.clone();
    let crash = hubmatch::solve::Basis::from_tree_arcs(&net, &mn.crash_tree);
    let mut r = Resolver::new(&net, Some(&crash), &SolveOptions::default()).unwrap();
    let first = r.resolve().unwrap();
    assert_eq!(
        verify(&net, &first.flow, &first.potential).unwrap().cost,
        i128::from(first.cost)
    );
    let mut x = 5u64;
    for round in 0..5 {
        // Change 1% of the arcs, some beyond the largest cost so far.
        for _ in 0..net.arc_count() / 100 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let a = (x >> 33) as usize % net.arc_count();
            let c = (x >> 20) as i64 % 900 - 600;
            net.cost[a] = c;
            r.set_cost(a, c).unwrap();
        }
        let warm = r.resolve().unwrap();
        let cold = network_simplex::solve(&net, &SolveOptions::default()).unwrap();
        assert_eq!(warm.cost, cold.cost, "round {round}");
        assert_eq!(
            verify(&net, &warm.flow, &warm.potential).unwrap().cost,
            i128::from(warm.cost)
        );
        assert!(
            warm.stats.pivots < cold.stats.pivots,
            "round {round}: {} vs {}",
            warm.stats.pivots,
            cold.stats.pivots
        );
    }
    assert!(r.set_cost(net.arc_count(), 1).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(60))]

    /// A Resolver re-optimises after mixed capacity, supply and cost changes
    /// (the tree's flows may break and get repaired; raised capacities may
    /// be brought in by primal pivots) to the cold optimum.
    #[test]
    fn resolver_after_capacity_supply_and_cost_changes(seed in any::<u64>()) {
            let p = random_problem(seed, 80, 12, 4);
        let (mn, mut net, mut r) = solved_from_crash(&p);
        let mut x = seed | 1;
        let mut next = move |k: u64| { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x % k };
        for round in 0..3 {
            for _ in 0..5 {
                let a = next(net.arc_count() as u64) as usize;
                if next(3) == 0 {
                    net.cost[a] = next(200) as i64 - 100;
                    r.set_cost(a, net.cost[a]).unwrap();
                } else {
                    // Lowered, kept or raised (0 to 2 times, plus 0 or 1).
                    net.capacity[a] = net.capacity[a] * next(5) as i64 / 2 + next(2) as i64;
                    r.set_capacity(a, net.capacity[a]).unwrap();
                }
            }
            // Move demand in some rounds (the others may change capacities
            // and costs alone): one need gets a unit more (its arcs follow),
            // the sink absorbs it.
            if next(3) > 0 {
                let i = next(p.need_count() as u64) as usize;
                net.supply[i] += 1;
                net.supply[mn.sink as usize] -= 1;
                net.capacity[mn.unserved_arcs + i] += 1;
                r.set_supply(i, net.supply[i]).unwrap();
                r.set_supply(mn.sink as usize, net.supply[mn.sink as usize]).unwrap();
                r.set_capacity(mn.unserved_arcs + i, net.capacity[mn.unserved_arcs + i]).unwrap();
            }
            match (r.resolve(), network_simplex::solve(&net, &SolveOptions::default())) {
                (Ok(warm), Ok(cold)) => {
                    prop_assert_eq!(warm.cost, cold.cost, "round {}", round);
                    prop_assert_eq!(verify(&net, &warm.flow, &warm.potential).unwrap().cost, i128::from(warm.cost));
                }
                (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => return Ok(()),
                (a, b) => prop_assert!(false, "round {}: resolver {:?} vs cold {:?}", round, a.map(|s| s.cost), b.map(|s| s.cost)),
            }
        }
        // Supplies that do not balance are refused, not solved.
        r.set_supply(0, net.supply[0] + 1).unwrap();
        prop_assert!(r.resolve().is_err());
    }
}

/// Raising the capacity of 1% of the offers (doubled) from the optimal tree
/// is settled by primal pivots alone (the tree stays feasible); lowering
/// them (restored, then halved) by dual pivots alone; raising them again
/// from the tree those dual pivots left (not strongly feasible) by dual
/// pivots too; and growing 1% of the needs by a unit (supplies pushed around
/// the tree, the unserved arcs raised) by dual pivots. The tree is never
/// repaired, and the optimum is the cold one.
#[test]
fn amount_changes_keep_the_tree() {
    // The community of the `1pct` benchmark.
    let p = hubmatch::synthetic::random_bipartite(42, 5_000, 200, 20);
    let (mn, mut net, mut r) = solved_from_crash(&p);
    let check = |r: &mut Resolver, net: &FlowNetwork, what: &str| {
        let warm = r.resolve().unwrap();
        let cold = network_simplex::solve(net, &SolveOptions::default()).unwrap();
        assert_eq!(warm.cost, cold.cost, "{what}");
        assert_eq!(
            verify(net, &warm.flow, &warm.potential).unwrap().cost,
            i128::from(warm.cost),
            "{what}"
        );
        assert_eq!(warm.stats.repaired, 0, "{what}");
        (
            warm.stats.dual_pivots,
            warm.stats.pivots - warm.stats.dual_pivots,
        )
    };
    let offers: Vec<usize> = (0..p.offer_count()).step_by(100).collect();
    let full: Vec<i64> = offers
        .iter()
        .map(|&o| net.capacity[mn.offer_arcs + o])
        .collect();
    // Each offer's capacity set to its first × num / den.
    for (what, (num, den), by_dual) in [
        ("doubled", (2, 1), false),
        ("restored", (1, 1), true),
        ("halved", (1, 2), true),
        ("raised from a weak tree", (1, 1), true),
    ] {
        for (&o, &c) in offers.iter().zip(&full) {
            net.capacity[mn.offer_arcs + o] = c * num / den;
            r.set_capacity(mn.offer_arcs + o, c * num / den).unwrap();
        }
        let (dual, primal) = check(&mut r, &net, what);
        if by_dual {
            assert!(
                dual > 0 && primal == 0,
                "{what}: {dual} dual, {primal} primal pivots"
            );
        } else {
            assert!(
                dual == 0 && primal > 0,
                "{what}: {dual} dual, {primal} primal pivots"
            );
        }
    }
    for i in (0..p.need_count()).step_by(100) {
        net.supply[i] += 1;
        net.supply[mn.sink as usize] -= 1;
        net.capacity[mn.unserved_arcs + i] += 1;
        r.set_supply(i, net.supply[i]).unwrap();
        r.set_capacity(mn.unserved_arcs + i, net.capacity[mn.unserved_arcs + i])
            .unwrap();
    }
    r.set_supply(mn.sink as usize, net.supply[mn.sink as usize])
        .unwrap();
    let (dual, _) = check(&mut r, &net, "grown");
    assert!(dual > 0, "grown: no dual pivot");
}

/// Changes whose dual pivots would scan many large subtrees (two of 120
/// offers halved, each serving about 300 edges) give way to a repair within
/// the dual phase's limit of work, and still reach the cold optimum.
#[test]
fn costly_dual_phases_give_way_to_a_repair() {
    let p = hubmatch::synthetic::random_bipartite(23, 3_000, 120, 12);
    let (mn, mut net, mut r) = solved_from_crash(&p);
    let mut repaired = 0;
    for round in 0..4 {
        halve_every_100th_offer(&p, &mn, &mut net, &mut r, round % 2 == 0);
        let warm = r.resolve().unwrap();
        let cold = network_simplex::solve(&net, &SolveOptions::default()).unwrap();
        assert_eq!(warm.cost, cold.cost);
        verify(&net, &warm.flow, &warm.potential).unwrap();
        repaired += warm.stats.repaired;
        // Without the limit of work the first halving alone took 237 dual
        // pivots (its limit of pivots) before the repair; with it, 11–18 a
        // round (the trees differ from round to round with the pricing
        // after each repair).
        let dual = warm.stats.dual_pivots;
        assert!(dual < 30, "round {round}: {dual} dual pivots");
    }
    assert!(repaired > 0);
}

/// A re-solve's counters are its own: after a solve that repaired its
/// tree, a rebuild that cuts nothing (a cost and a supply set to their own
/// values) reports no repaired arc, and the cold optimum.
#[test]
fn repairs_are_counted_per_solve() {
    let p = hubmatch::synthetic::random_bipartite(23, 3_000, 120, 12);
    let (mn, mut net, mut r) = solved_from_crash(&p);
    halve_every_100th_offer(&p, &mn, &mut net, &mut r, true);
    assert!(r.resolve().unwrap().stats.repaired > 0);
    r.set_cost(0, net.cost[0]).unwrap();
    r.set_supply(0, net.supply[0]).unwrap();
    let again = r.resolve().unwrap();
    assert_eq!(again.stats.repaired, 0);
    let cold = network_simplex::solve(&net, &SolveOptions::default()).unwrap();
    assert_eq!(again.cost, cold.cost);
    verify(&net, &again.flow, &again.potential).unwrap();
}

/// Numbers below `k` from a xorshift seeded by `seed`.
fn xorshift(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut x = seed | 1;
    move |k: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % k
    }
}

/// A general network of `n` nodes and `arcs` arcs (negative costs, cycles,
/// loops, arcs both ways) with `n` random supply pairs below `supply`.
fn general_network(
    next: &mut impl FnMut(u64) -> u64,
    n: usize,
    arcs: usize,
    supply: u64,
) -> FlowNetwork {
    let mut net = FlowNetwork::new(n);
    for _ in 0..arcs {
        let (s, t) = (next(n as u64) as u32, next(n as u64) as u32);
        net.add_arc(s, t, next(8) as i64, next(40) as i64 - 15);
    }
    for _ in 0..n {
        let (s, t) = (next(n as u64) as usize, next(n as u64) as usize);
        let q = next(supply) as i64;
        net.supply[s] += q;
        net.supply[t] -= q;
    }
    net
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Capacity and supply changes alone, on general networks (negative
    /// costs, cycles, arcs in both directions), round after round: the
    /// resolver agrees with a cold solve, infeasible rounds included (it
    /// carries on from them).
    #[test]
    fn amount_changes_on_general_networks(seed in any::<u64>(), n in 3usize..14) {
        let mut next = xorshift(seed);
        let mut net = general_network(&mut next, n, 4 * n, 6);
        let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
        let _ = r.resolve();
        for round in 0..6 {
            for _ in 0..=next(3) {
                let a = next(net.arc_count() as u64) as usize;
                net.capacity[a] = next(9) as i64;
                r.set_capacity(a, net.capacity[a]).unwrap();
            }
            if next(2) == 0 {
                let (s, t) = (next(n as u64) as usize, next(n as u64) as usize);
                let q = next(5) as i64;
                net.supply[s] += q;
                net.supply[t] -= q;
                r.set_supply(s, net.supply[s]).unwrap();
                r.set_supply(t, net.supply[t]).unwrap();
            }
            match (r.resolve(), network_simplex::solve(&net, &SolveOptions::default())) {
                (Ok(warm), Ok(cold)) => {
                    prop_assert_eq!(warm.cost, cold.cost, "round {}", round);
                    prop_assert_eq!(verify(&net, &warm.flow, &warm.potential).unwrap().cost, i128::from(warm.cost));
                }
                (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => {}
                (a, b) => prop_assert!(false, "round {}: resolver {:?} vs cold {:?}", round, a.map(|s| s.cost), b.map(|s| s.cost)),
            }
        }
    }
}

/// `net` grown by `g` (see `Growth`): the old arcs in their order in the
/// slots the new ones leave, their ends renumbered.
fn grown_network(net: &FlowNetwork, g: &Growth) -> FlowNetwork {
    let n1 = net.node_count() + g.nodes.len();
    let old_nodes: Vec<u32> = (0..n1 as u32).filter(|v| !g.nodes.contains(v)).collect();
    let mut out = FlowNetwork::new(n1);
    for (v, &s) in old_nodes.iter().zip(&net.supply) {
        out.supply[*v as usize] = s;
    }
    let (mut old, mut new) = (0, 0);
    for a in 0..net.arc_count() + g.arcs.len() {
        if new < g.arcs.len() && g.arcs[new].index as usize == a {
            let x = g.arcs[new];
            out.add_arc(x.source, x.target, x.capacity, x.cost);
            new += 1;
        } else {
            let (s, t) = (net.source[old] as usize, net.target[old] as usize);
            out.add_arc(old_nodes[s], old_nodes[t], net.capacity[old], net.cost[old]);
            old += 1;
        }
    }
    out
}

/// New nodes and arcs at random places of `net`; each new node hangs from
/// a node already in the tree (an old one, or one hung before it).
fn random_growth(next: &mut impl FnMut(u64) -> u64, net: &FlowNetwork) -> Growth {
    let n = net.node_count();
    let k = next(4) as usize;
    let n1 = n + k;
    let mut nodes: Vec<u32> = Vec::new();
    while nodes.len() < k {
        let v = next(n1 as u64) as u32;
        if !nodes.contains(&v) {
            nodes.push(v);
        }
    }
    nodes.sort_unstable();
    let in_tree: Vec<u32> = (0..n1 as u32).filter(|v| !nodes.contains(v)).collect();
    let mut ends = Vec::new();
    let mut hung = in_tree.clone();
    for &v in &nodes {
        let u = hung[next(hung.len() as u64) as usize];
        ends.push((v, u, 1 + next(6) as i64, next(30) as i64 - 10, true));
        hung.push(v);
    }
    for _ in 0..next(2 * n1 as u64 + 1) {
        let (s, t) = (next(n1 as u64) as u32, next(n1 as u64) as u32);
        if s != t {
            ends.push((s, t, next(8) as i64, next(40) as i64 - 15, false));
        }
    }
    let m1 = net.arc_count() + ends.len();
    let mut slots: Vec<u32> = Vec::new();
    while slots.len() < ends.len() {
        let a = next(m1 as u64) as u32;
        if !slots.contains(&a) {
            slots.push(a);
        }
    }
    slots.sort_unstable();
    // Slots in order, ends shuffled over them.
    let mut arcs: Vec<NewArc> = Vec::new();
    let mut hang = Vec::new();
    let mut order: Vec<usize> = (0..ends.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, next(i as u64 + 1) as usize);
    }
    for (&slot, &e) in slots.iter().zip(&order) {
        let (source, target, capacity, cost, hangs) = ends[e];
        arcs.push(NewArc {
            index: slot,
            source,
            target,
            capacity,
            cost,
        });
        if hangs {
            hang.push((e, source, slot));
        }
    }
    hang.sort_unstable();
    Growth {
        nodes,
        arcs,
        hang: hang.into_iter().map(|(_, v, a)| (v, a)).collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// A solved network grown in place by new nodes (each hung by an arc
    /// leaving it) and new arcs anywhere reaches the grown network's cold
    /// optimum with a valid certificate, and goes on re-solving after
    /// capacity and supply changes; grown into a used resolver's memory
    /// alike. Half the base resolvers have their arcs at each node listed
    /// (as sessions do): their growths price locally.
    #[test]
    fn grown_resolvers_reach_the_cold_optimum(seed in any::<u64>(), n in 2usize..12) {
        let mut next = xorshift(seed);
        let net = general_network(&mut next, n, 3 * n, 5);
        let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
        if next(2) == 0 {
            r.prepare_amount_changes();
        }
        if r.resolve().is_err() {
            return Ok(()); // infeasible: nothing to grow from
        }
        let g = random_growth(&mut next, &net);
        let n1 = n + g.nodes.len();
        let mut grown_net = grown_network(&net, &g);
        // Grown afresh, or into the memory of a used resolver: a copy of
        // the base (smaller), or one grown and solved before (as large).
        let mut grown = match next(3) {
            0 => r.grow(&g).unwrap(),
            1 => r.grow_into(&g, r.clone()).unwrap(),
            _ => {
                let mut used = r.grow(&g).unwrap();
                let _ = used.resolve();
                r.grow_into(&g, used).unwrap()
            }
        };
        // Changes before the first solve too, half the time: the growth's
        // pivots then start from a changed tree.
        let changes_first = next(2) == 0;
        for round in 0..3 {
            if round > 0 || changes_first {
                let a = next(grown_net.arc_count() as u64) as usize;
                grown_net.capacity[a] = next(9) as i64;
                grown.set_capacity(a, grown_net.capacity[a]).unwrap();
                let (s, t) = (next(n1 as u64) as usize, next(n1 as u64) as usize);
                grown_net.supply[s] += 1;
                grown_net.supply[t] -= 1;
                grown.set_supply(s, grown_net.supply[s]).unwrap();
                grown.set_supply(t, grown_net.supply[t]).unwrap();
            }
            match (grown.resolve(), network_simplex::solve(&grown_net, &SolveOptions::default())) {
                (Ok(warm), Ok(cold)) => {
                    prop_assert_eq!(warm.cost, cold.cost, "round {}", round);
                    prop_assert_eq!(verify(&grown_net, &warm.flow, &warm.potential).unwrap().cost, i128::from(warm.cost));
                }
                (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => {}
                (a, b) => prop_assert!(false, "round {}: grown {:?} vs cold {:?}", round, a.map(|s| s.cost), b.map(|s| s.cost)),
            }
        }
        // Grown again (its arcs kept in another order than its network's),
        // afresh or into the resolver grown from it before.
        if grown.resolve().is_err() {
            return Ok(());
        }
        let h = random_growth(&mut next, &grown_net);
        let again_net = grown_network(&grown_net, &h);
        let mut again = grown.grow(&h).unwrap();
        if next(2) == 0 {
            let _ = again.resolve();
            again = grown.grow_into(&h, again).unwrap();
        }
        match (again.resolve(), network_simplex::solve(&again_net, &SolveOptions::default())) {
            (Ok(warm), Ok(cold)) => {
                prop_assert_eq!(warm.cost, cold.cost);
                prop_assert_eq!(verify(&again_net, &warm.flow, &warm.potential).unwrap().cost, i128::from(warm.cost));
            }
            (Err(Error::Infeasible(_)), Err(Error::Infeasible(_))) => {}
            (a, b) => prop_assert!(false, "grown again {:?} vs cold {:?}", a.map(|s| s.cost), b.map(|s| s.cost)),
        }
    }
}

#[test]
fn growths_that_do_not_hang_every_node_are_refused() {
    let mut net = FlowNetwork::new(2);
    net.supply = vec![1, -1];
    net.add_arc(0, 1, 1, 3);
    let mut r = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
    let arc = |index, source, target, capacity| NewArc {
        index,
        source,
        target,
        capacity,
        cost: 0,
    };
    // Not solved yet.
    let g = Growth {
        nodes: vec![2],
        arcs: vec![arc(1, 2, 1, 1)],
        hang: vec![(2, 1)],
    };
    assert!(r.grow(&g).is_err());
    r.resolve().unwrap();
    assert!(r.grow(&g).is_ok());
    let bad = [
        // A new node left out of the tree.
        Growth {
            nodes: vec![2],
            arcs: vec![arc(1, 2, 1, 1)],
            hang: vec![],
        },
        // Hung by an arc without capacity, or one entering it.
        Growth {
            nodes: vec![2],
            arcs: vec![arc(1, 2, 1, 0)],
            hang: vec![(2, 1)],
        },
        Growth {
            nodes: vec![2],
            arcs: vec![arc(1, 1, 2, 1)],
            hang: vec![(2, 1)],
        },
        // Hung from a new node not yet in the tree.
        Growth {
            nodes: vec![2, 3],
            arcs: vec![arc(1, 2, 3, 1), arc(2, 3, 1, 1)],
            hang: vec![(2, 1), (3, 2)],
        },
        // Arcs out of order.
        Growth {
            nodes: vec![2],
            arcs: vec![arc(2, 2, 1, 1), arc(1, 0, 2, 1)],
            hang: vec![(2, 2)],
        },
    ];
    for g in &bad {
        match r.grow(g) {
            Err(Error::Invalid(_)) => {}
            Err(e) => panic!("{g:?}: {e}"),
            Ok(_) => panic!("{g:?} accepted"),
        }
    }
}
