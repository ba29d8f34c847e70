//! Scenario changes: how scaling turns factors into whole units, and the
//! order changes apply in.

use hubmatch::analyze::Scenario;
use hubmatch::model::ProviderKind;
use hubmatch::synthetic::{Knobs, generate};

use crate::example;

fn scenario(changes: &str) -> Scenario {
    serde_json::from_str(&format!(r#"{{"name": "s", "changes": [{changes}]}}"#)).unwrap()
}

#[test]
fn scaling_apportions_whole_units_by_largest_remainders() {
    let d = example();
    // vol1: shared capacity 3 × 0.7 = 2.1 → 2; its offers 3 and 2 become
    // 2.1 and 1.4, together 3.5 → 4 units: 2 each, the larger remainder
    // (0.4, the life offer) taking the unit left.
    let fewer = scenario(r#"{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}"#)
        .apply(&d)
        .unwrap();
    let vol1 = &fewer.providers[3];
    assert_eq!(vol1.capacity, Some(2));
    let offers: Vec<i64> = vol1.offers.iter().map(|o| o.capacity).collect();
    assert_eq!(offers, [2, 2]);
    // Demand × 1.5: units 2 2 3 2 1 2 1 (13) → shares 3 3 4.5 3 1.5 3 1.5
    // (19.5 → 20): the two units left go to the first two halves.
    let more = scenario(r#"{"scale_demand": {"factor": 1.5}}"#)
        .apply(&d)
        .unwrap();
    let units: Vec<i64> = more.needs.iter().map(|n| n.units).collect();
    assert_eq!(units, [3, 3, 5, 3, 2, 3, 1]);
    // × 0.1 leaves every need its one unit, though the exact total is 1.3.
    let less = scenario(r#"{"scale_demand": {"factor": 0.1}}"#)
        .apply(&d)
        .unwrap();
    assert!(less.needs.iter().all(|n| n.units == 1));
    // 100 × 0.29 is 28.999999999999996 in binary: still 29 units.
    let mut hundred = d.clone();
    hundred.providers[0].offers[0].capacity = 100;
    let cut = scenario(
        r#"{"scale_capacity": {"select": {"provider": "gov1", "category": "administrative"}, "factor": 0.29}}"#,
    )
    .apply(&hundred)
    .unwrap();
    assert_eq!(cut.providers[0].offers[0].capacity, 29);
    assert_eq!(cut.providers[0].offers[1].capacity, 2); // another category
}

#[test]
fn a_small_factor_moves_the_selection_total_by_that_factor() {
    // Most volunteers of the reference street hold fewer than 100 units:
    // rounding each down alone made × 0.99 a cut of a tenth of them.
    let d = generate(&Knobs::preset("district-13").unwrap(), 0);
    let changed =
        scenario(r#"{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.99}}"#)
            .apply(&d)
            .unwrap();
    let (mut shared, mut offers) = ([0i64; 2], [0i64; 2]);
    for (before, after) in d.providers.iter().zip(&changed.providers) {
        if before.kind != ProviderKind::Volunteer {
            assert_eq!(before, after);
            continue;
        }
        let (b, a) = (before.capacity.unwrap(), after.capacity.unwrap());
        assert!((a as f64 - b as f64 * 0.99).abs() < 1.0, "{}", before.id);
        shared[0] += b;
        shared[1] += a;
        for (ob, oa) in before.offers.iter().zip(&after.offers) {
            assert!((oa.capacity as f64 - ob.capacity as f64 * 0.99).abs() < 1.0);
            offers[0] += ob.capacity;
            offers[1] += oa.capacity;
        }
    }
    assert_eq!(shared, [17_375, 17_201]); // 17,201.25 rounded
    assert_eq!(offers, [19_598, 19_402]); // 19,402.02 rounded
    // Demand × 1.01: small needs grow too, a unit each for the largest
    // remainders, and the total by 1%.
    let grown = scenario(r#"{"scale_demand": {"factor": 1.01}}"#)
        .apply(&d)
        .unwrap();
    let total = |d: &hubmatch::District| d.needs.iter().map(|n| n.units).sum::<i64>();
    assert_eq!(total(&grown), (total(&d) as f64 * 1.01).round() as i64);
    assert!(
        d.needs
            .iter()
            .zip(&grown.needs)
            .all(|(a, b)| b.units == a.units || b.units == a.units + 1)
    );
}

#[test]
fn scaling_beyond_exact_whole_numbers_is_refused() {
    let mut d = example();
    d.providers[0].offers[0].capacity = 1_000_000_000_000;
    let err =
        scenario(r#"{"scale_capacity": {"select": {"provider": "gov1"}, "factor": 1000000}}"#)
            .apply(&d)
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        "scenario \"s\": scale_capacity.factor would scale 1000000000000 units by 1000000 \
         beyond 2^53, where whole numbers are no longer exact"
    );
}

#[test]
fn changes_apply_in_order_to_providers_added_before_them() {
    use hubmatch::analyze::ScenarioBase;
    use hubmatch::solve::{MatchOptions, Mode, match_district};
    let d = example();
    let mut vol2 = d.providers[3].clone(); // vol1: shared 3, offers 3 and 2
    vol2.id = "vol2".into();
    let added = format!(
        r#"{{"add_provider": {{"provider": {}}}}}"#,
        serde_json::to_string(&vol2).unwrap()
    );
    let scale = r#"{"scale_capacity": {"select": {"kind": "volunteer"}, "factor": 0.7}}"#;
    // The newcomer joins the volunteers' pools, after vol1: shared 2.1 and
    // 2.1 (4.2 → 4) give 2 each; offers 2.1, 1.4, 2.1, 1.4 (7 units) give
    // their one unit left to the first larger remainder, vol1's 1.4.
    let s = scenario(&format!("{added}, {scale}"));
    let changed = s.apply(&d).unwrap();
    let capacities = |k: usize| {
        let p = &changed.providers[k];
        (
            p.capacity,
            p.offers.iter().map(|o| o.capacity).collect::<Vec<_>>(),
        )
    };
    assert_eq!(changed.providers[4].id, "vol2");
    assert_eq!(capacities(3), (Some(2), vec![2, 2]));
    assert_eq!(capacities(4), (Some(2), vec![2, 1]));
    // Scaled before it was added, the newcomer keeps its capacities.
    let before = scenario(&format!("{scale}, {added}")).apply(&d).unwrap();
    assert_eq!(before.providers[4], vol2);
    // Closed after it was added; closing it before is an error.
    let closed = scenario(&format!(
        r#"{added}, {{"close_provider": {{"provider": "vol2"}}}}"#
    ));
    let p = &closed.apply(&d).unwrap().providers[4];
    assert_eq!(p.capacity, Some(0));
    assert!(p.offers.iter().all(|o| o.capacity == 0));
    let early = scenario(&format!(
        r#"{{"close_provider": {{"provider": "vol2"}}}}, {added}"#
    ));
    assert_eq!(
        early.apply(&d).unwrap_err().to_string(),
        r#"scenario "s": close_provider.provider "vol2" is not a provider of the district"#
    );
    // A kept base answers each as the changed district solved afresh.
    let opts = MatchOptions::default();
    for mode in [Mode::PerCommunity, Mode::Pooled] {
        let base = ScenarioBase::new(&d, mode, &opts).unwrap();
        for s in [&s, &closed] {
            let cold = match_district(&s.apply(&d).unwrap().validate().unwrap(), mode, &opts, None);
            assert_eq!(
                base.outcome(s).unwrap().result.objective,
                cold.unwrap().objective
            );
        }
        assert_eq!(
            base.outcome(&early).unwrap_err().to_string(),
            early.apply(&d).unwrap_err().to_string()
        );
    }
}
