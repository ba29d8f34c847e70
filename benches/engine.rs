//! Benchmarks of loading, validating and solving (criterion, seeded instances).
//!
//! Run: `cargo bench --bench engine` (add `-- NAME` to filter).

use std::hint::black_box;

mod scenarios;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use hubmatch::solve::network_simplex::{Pricing, Resolver, SolveOptions};
use hubmatch::solve::{MatchOptions, Mode, match_district, solve_matching};
use hubmatch::synthetic::{Knobs, generate, random_bipartite};

fn load(c: &mut Criterion) {
    // 100,000 needs and 2,000 providers: 20 communities of 5,000 needs and 98
    // providers, plus 40 district-level providers.
    let knobs = Knobs {
        communities: 20,
        providers_per_community: 98,
        ..Knobs::preset("district-13").unwrap()
    };
    let district = generate(&knobs, 1);
    assert_eq!(
        (district.needs.len(), district.providers.len()),
        (100_000, 2_000)
    );
    let text = hubmatch::io::json::district_to_string(&district);
    let mut g = c.benchmark_group("load");
    g.sample_size(10);
    g.bench_function("parse_json_100k_needs_2k_providers", |b| {
        b.iter(|| hubmatch::io::json::district_from_str(black_box(&text)).unwrap());
    });
    g.bench_function("validate_100k_needs_2k_providers", |b| {
        b.iter(|| black_box(&district).validate().unwrap())
    });
    g.finish();
}

fn community(c: &mut Criterion) {
    // One community: 5,000 needs, 200 providers, 20 eligible providers each.
    let p = random_bipartite(42, 5_000, 200, 20);
    let mut g = c.benchmark_group("community_5000x200x20");
    g.sample_size(20);
    for (name, pricing) in [
        ("block_search", Pricing::BlockSearch),
        ("candidate_list", Pricing::CandidateList),
    ] {
        let opts = MatchOptions {
            aggregate: false,
            simplex: SolveOptions {
                pricing,
                block_size: None,
                cancel: None,
            },
            verify: false,
        };
        g.bench_function(name, |b| {
            b.iter(|| solve_matching(black_box(&p), &opts, None).unwrap())
        });
    }
    // Warm re-solve after a 1% weight change, from the base optimum's basis.
    let opts = MatchOptions {
        aggregate: false,
        verify: false,
        ..MatchOptions::default()
    };
    let base = solve_matching(&p, &opts, None).unwrap();
    let mut changed = p.clone();
    for k in (0..changed.edge_count()).step_by(100) {
        changed.edge_weight[k] += 17;
    }
    g.bench_function("cold_after_1pct_change", |b| {
        b.iter(|| solve_matching(black_box(&changed), &opts, None).unwrap())
    });
    g.bench_function("warm_after_1pct_change", |b| {
        b.iter(|| solve_matching(black_box(&changed), &opts, Some(&base.basis)).unwrap())
    });
    // The same change through a Resolver that keeps its tree between solves
    // (as a scenario sweep would): alternate the changed and original weights.
    let mn = hubmatch::graph::MatchingNetwork::build(&p);
    let crash = hubmatch::solve::Basis::from_tree_arcs(&mn.net, &mn.crash_tree);
    let mut resolver = Resolver::new(&mn.net, Some(&crash), &SolveOptions::default()).unwrap();
    resolver.resolve().unwrap();
    let changed_arcs: Vec<usize> = (0..p.edge_count()).step_by(100).collect();
    let mut flip = false;
    g.bench_function("resolver_after_1pct_change", |b| {
        b.iter(|| {
            flip = !flip;
            for &k in &changed_arcs {
                let w = if flip {
                    changed.edge_weight[k]
                } else {
                    p.edge_weight[k]
                };
                resolver.set_cost(k, -w).unwrap();
            }
            resolver.resolve().unwrap()
        })
    });
    // Scenario-like changes through the same Resolver: 1% of the offers
    // lose half their capacity, or 1% of the needs want one unit more
    // (alternating with the original, as above).
    let offers: Vec<usize> = (0..p.offer_count()).step_by(100).collect();
    let mut halved = p.clone();
    for &o in &offers {
        halved.offer_capacity[o] /= 2;
    }
    g.bench_function("cold_after_1pct_capacity_change", |b| {
        b.iter(|| solve_matching(black_box(&halved), &opts, None).unwrap())
    });
    let mut flip = false;
    g.bench_function("resolver_after_1pct_capacity_change", |b| {
        b.iter(|| {
            flip = !flip;
            let src = if flip { &halved } else { &p };
            for &o in &offers {
                resolver
                    .set_capacity(mn.offer_arcs + o, src.offer_capacity[o])
                    .unwrap();
            }
            resolver.resolve().unwrap()
        })
    });
    let needs: Vec<usize> = (0..p.need_count()).step_by(100).collect();
    let mut grown = p.clone();
    for &i in &needs {
        grown.units[i] += 1;
    }
    let mut edges_of = vec![Vec::new(); p.need_count()];
    for e in 0..p.edge_count() {
        edges_of[p.edge_need[e] as usize].push(e);
    }
    g.bench_function("cold_after_1pct_demand_change", |b| {
        b.iter(|| solve_matching(black_box(&grown), &opts, None).unwrap())
    });
    let mut flip = false;
    g.bench_function("resolver_after_1pct_demand_change", |b| {
        b.iter(|| {
            flip = !flip;
            let src = if flip { &grown } else { &p };
            for &i in &needs {
                let u = src.units[i];
                resolver.set_supply(i, u).unwrap();
                resolver.set_capacity(mn.unserved_arcs + i, u + 1).unwrap();
                for &e in &edges_of[i] {
                    resolver.set_capacity(e, u + 1).unwrap();
                }
            }
            resolver
                .set_supply(mn.sink as usize, -src.units.iter().sum::<i64>())
                .unwrap();
            resolver.resolve().unwrap()
        })
    });
    g.finish();
}

fn district(c: &mut Criterion) {
    let ix = generate(&Knobs::preset("district-13").unwrap(), 0)
        .validate()
        .unwrap();
    let mut g = c.benchmark_group("district-13");
    g.sample_size(10);
    for (name, mode) in [
        ("per_community", Mode::PerCommunity),
        ("pooled", Mode::Pooled),
    ] {
        for aggregate in [true, false] {
            let opts = MatchOptions {
                aggregate,
                ..MatchOptions::default()
            };
            let label = format!("{name}/{}", if aggregate { "aggregated" } else { "plain" });
            g.bench_function(label, |b| {
                b.iter_batched(
                    || (),
                    |()| match_district(&ix, mode, &opts, None).unwrap(),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    g.finish();
}

fn ladder(c: &mut Criterion) {
    // The size ladder (district-13 is in `district` above; ×16 takes half a
    // minute a solve and is timed by `benches/peers.py` instead).
    let ix = generate(&Knobs::preset("district-13-x4").unwrap(), 0)
        .validate()
        .unwrap();
    let mut g = c.benchmark_group("ladder");
    g.sample_size(10);
    g.bench_function("district-13-x4/pooled", |b| {
        b.iter(|| match_district(&ix, Mode::Pooled, &MatchOptions::default(), None).unwrap())
    });
    g.finish();
}

fn scenario(c: &mut Criterion) {
    // The sweep scenarios of district-13 (see `scenarios`). `sweep`: a
    // sweep's path (`ScenarioBase::outcome`: the scenario's amounts read
    // into a copy of the base index, the changed networks of the kept base
    // session re-solved; new providers checked, the kept graph grown and
    // the grown networks solved by growing the base trees in place, or from
    // the base's bases carried over) against `from_scratch` (apply,
    // validate, match). `resolve` against `solve`: the same two on the
    // changed district already validated (`DistrictSession::solve` or
    // `solve_grown`). All check their certificates. The `ratio` bench
    // measures resolve against solve pair by pair, which this VM's drift
    // between minutes does not skew.
    use hubmatch::analyze::ScenarioBase;
    use hubmatch::solve::session::DistrictSession;
    let d = generate(&Knobs::preset("district-13").unwrap(), 0);
    let ix = d.validate().unwrap();
    let opts = MatchOptions::default();
    let scenarios = scenarios::district13(&d);
    let mut g = c.benchmark_group("scenario");
    g.sample_size(10);
    for (name, mode) in [
        ("per_community", Mode::PerCommunity),
        ("pooled", Mode::Pooled),
    ] {
        let session = DistrictSession::new(&ix, mode, &opts).unwrap();
        let prepared = ScenarioBase::new(&d, mode, &opts).unwrap();
        for s in &scenarios {
            g.bench_function(format!("{name}/{}/from_scratch", s.name), |b| {
                b.iter(|| {
                    let changed = s.apply(&d).unwrap().validate().unwrap();
                    match_district(&changed, mode, &opts, None).unwrap()
                })
            });
            g.bench_function(format!("{name}/{}/sweep", s.name), |b| {
                b.iter(|| prepared.outcome(s).unwrap())
            });
            if !s.amounts_only() && !s.adds_providers() {
                continue;
            }
            let changed = s.apply(&d).unwrap().validate().unwrap();
            g.bench_function(format!("{name}/{}/solve", s.name), |b| {
                b.iter(|| match_district(&changed, mode, &opts, None).unwrap())
            });
            g.bench_function(format!("{name}/{}/resolve", s.name), |b| {
                b.iter(|| {
                    if s.amounts_only() {
                        session.solve(&changed).unwrap()
                    } else {
                        session.solve_grown(&changed).unwrap()
                    }
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, load, community, district, ladder, scenario);
criterion_main!(benches);
