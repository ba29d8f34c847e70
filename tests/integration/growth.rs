//! Grown districts: providers added to a kept base. The eligibility graph
//! grown by the new offers' edges equals a fresh build, and a district
//! session solves the grown district from its kept networks (carried
//! bases) to the cold optimum, with a certificate, at any thread count.

use hubmatch::analyze::{Scenario, ScenarioBase};
use hubmatch::graph::EligibilityGraph;
use hubmatch::solve::session::DistrictSession;
use hubmatch::solve::{MatchOptions, Mode, match_district};
use hubmatch::synthetic::{Knobs, generate};
use hubmatch::{District, Provider};

use crate::with_threads;

/// New providers for `d`: copies of every `step`th provider under new
/// ids, every other one made district-level (no home, its whole area
/// kept) with a shared capacity, so that their edges, weights and the
/// split of district-level capacity all change.
fn newcomers(d: &District, step: usize) -> Vec<Provider> {
    d.providers
        .iter()
        .step_by(step)
        .enumerate()
        .map(|(k, p)| {
            let mut copy = p.clone();
            copy.id = format!("new-{}", p.id);
            if k % 2 == 1 {
                copy.home = None;
                copy.quotas.clear();
                copy.capacity = Some(copy.offers.iter().map(|o| o.capacity).sum::<i64>() / 2 + 1);
            }
            copy
        })
        .collect()
}

fn add_scenario(name: &str, providers: &[Provider], more: &str) -> Scenario {
    let adds: Vec<String> = providers
        .iter()
        .map(|p| {
            format!(
                r#"{{"add_provider": {{"provider": {}}}}}"#,
                serde_json::to_string(p).unwrap()
            )
        })
        .collect();
    let mut changes = adds.join(", ");
    if !more.is_empty() {
        changes = format!("{more}, {changes}");
    }
    serde_json::from_str(&format!(r#"{{"name": "{name}", "changes": [{changes}]}}"#)).unwrap()
}

#[test]
fn grown_graph_equals_a_fresh_build() {
    for seed in 0..4u64 {
        let d = generate(&Knobs::preset("small").unwrap(), seed);
        let base = EligibilityGraph::build(&d.validate().unwrap());
        let mut grown = d.clone();
        grown.providers.extend(newcomers(&d, 3));
        let ix = grown.validate().unwrap();
        let g = base.with_providers_appended(&ix).unwrap();
        let fresh = EligibilityGraph::build(&ix);
        assert!(
            g.edge_count() > base.edge_count(),
            "seed {seed}: new edges must show"
        );
        assert_eq!(g.first_offer, fresh.first_offer, "seed {seed}");
        assert_eq!(g.offers, fresh.offers, "seed {seed}");
        assert_eq!(g.edge_need, fresh.edge_need, "seed {seed}");
        assert_eq!(g.edge_offer, fresh.edge_offer, "seed {seed}");
        assert_eq!(g.edge_weight, fresh.edge_weight, "seed {seed}");
        assert_eq!(g.need_edges, fresh.need_edges, "seed {seed}");
        assert_eq!(g.no_edge, fresh.no_edge, "seed {seed}");
    }
    // A district that is not the graph's with providers appended.
    let d = generate(&Knobs::preset("small").unwrap(), 0);
    let base = EligibilityGraph::build(&d.validate().unwrap());
    let mut fewer = d.clone();
    fewer.providers.pop();
    let err = base
        .with_providers_appended(&fewer.validate().unwrap())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"network "eligibility graph": shape the district is not the graph's with providers appended"#
    );
}

#[test]
fn grown_sessions_match_cold_solves_from_carried_bases() {
    let opts = MatchOptions::default();
    for seed in [1u64, 4] {
        let d = generate(&Knobs::preset("small").unwrap(), seed);
        let ix = d.validate().unwrap();
        let all = newcomers(&d, 4);
        // A newcomer homed in one community, and more demand in another,
        // which gains no edge but must be solved again.
        let homed = d.providers.iter().find(|p| p.home.is_some()).unwrap();
        let mut local = homed.clone();
        local.id = "new-local".into();
        let elsewhere = d
            .communities
            .iter()
            .find(|c| Some(&c.id) != homed.home.as_ref())
            .unwrap();
        // Newcomers without capacity: their classes grow alike, but their
        // empty arcs cannot hang them in the tree, so the networks are
        // solved afresh from the classes refined (written out in full).
        let empty: Vec<Provider> = (all.iter().cloned())
            .map(|mut p| {
                for o in &mut p.offers {
                    o.capacity = 0;
                }
                p
            })
            .collect();
        let scenarios = [
            add_scenario("one newcomer", &all[..1], ""),
            add_scenario("newcomers without capacity", &empty, ""),
            add_scenario(
                "one newcomer, more demand elsewhere",
                &[local],
                &format!(
                    r#"{{"scale_demand": {{"community": "{}", "factor": 1.5}}}}"#,
                    elsewhere.id
                ),
            ),
            add_scenario("newcomers", &all, ""),
            add_scenario(
                "newcomers, a closure and more demand",
                &all,
                &format!(
                    r#"{{"close_provider": {{"provider": "{}"}}}}, {{"scale_demand": {{"factor": 1.3}}}}"#,
                    d.providers[1].id
                ),
            ),
        ];
        for mode in [Mode::PerCommunity, Mode::Pooled] {
            let session = DistrictSession::new(&ix, mode, &opts).unwrap();
            for s in &scenarios {
                let changed = s.apply(&d).unwrap().validate().unwrap();
                let warm = session.solve_grown(&changed).unwrap();
                let cold = match_district(&changed, mode, &opts, None).unwrap();
                let what = format!("seed {seed} {mode:?} {}", s.name);
                assert_eq!(warm.objective, cold.objective, "{what}");
                if !s.name.starts_with("one newcomer") && !s.name.ends_with("without capacity") {
                    assert!(
                        warm.objective > session.base().objective,
                        "{what}: the change must show"
                    );
                }
                warm.verify(&changed).unwrap();
                // Every network started from the base: kept as it was, or
                // solved from its carried basis (a refused one starts cold).
                assert_eq!(warm.stats.warm, warm.stats.networks, "{what}");
                assert!(warm.stats.pivots < cold.stats.pivots, "{what}");
                assert_eq!(session.solve_grown(&changed).unwrap(), warm, "{what}");
            }
        }
    }
}

#[test]
fn grown_outcomes_are_identical_at_any_thread_count() {
    let d = generate(&Knobs::preset("small").unwrap(), 2);
    let s = add_scenario("newcomers", &newcomers(&d, 5), "");
    let opts = MatchOptions::default();
    for mode in [Mode::PerCommunity, Mode::Pooled] {
        let one = with_threads(1, || {
            ScenarioBase::new(&d, mode, &opts)
                .unwrap()
                .outcome(&s)
                .unwrap()
        });
        let two = with_threads(2, || {
            ScenarioBase::new(&d, mode, &opts)
                .unwrap()
                .outcome(&s)
                .unwrap()
        });
        assert_eq!(
            serde_json::to_string(&one).unwrap(),
            serde_json::to_string(&two).unwrap(),
            "{mode:?}"
        );
        let changed = s.apply(&d).unwrap().validate().unwrap();
        let cold = match_district(&changed, mode, &opts, None).unwrap();
        assert_eq!(one.result.objective, cold.objective, "{mode:?}");
    }
}

#[test]
fn grown_sessions_refuse_other_districts() {
    let d = generate(&Knobs::preset("small").unwrap(), 0);
    let session = DistrictSession::new(
        &d.validate().unwrap(),
        Mode::Pooled,
        &MatchOptions::default(),
    )
    .unwrap();
    let mut moved = d.clone();
    moved.providers.extend(newcomers(&d, 7));
    let home = moved
        .providers
        .iter_mut()
        .find(|p| p.home.is_some())
        .unwrap();
    home.home = None;
    home.quotas.clear();
    let err = session.solve_grown(&moved.validate().unwrap()).unwrap_err();
    let refused = "network \"session\": shape the district is not the session's with providers \
         appended (needs' communities or categories, the base providers' homes, shared \
         capacities or offers, or floors differ)";
    assert_eq!(err.to_string(), refused);
    // A need moved to another community, or to another category, late in
    // the district (its chunk of needs is not the first read).
    let mut grown = d.clone();
    grown.providers.extend(newcomers(&d, 7));
    let last = grown.needs.len() - 1;
    for change in ["community", "category"] {
        let mut other = grown.clone();
        let need = &mut other.needs[last];
        if change == "community" {
            let elsewhere = d.needs.iter().find(|n| n.community != need.community);
            let elsewhere = elsewhere.unwrap();
            need.community = elsewhere.community.clone();
            need.cell = elsewhere.cell.clone();
        } else {
            let elsewhere = d.needs.iter().find(|n| n.category != need.category);
            need.category = elsewhere.unwrap().category.clone();
        }
        let err = session.solve_grown(&other.validate().unwrap()).unwrap_err();
        assert_eq!(err.to_string(), refused, "{change}");
    }
    assert!(session.solve_grown(&grown.validate().unwrap()).is_ok());
}
