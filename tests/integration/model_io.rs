//! The district format: JSON and CSV round trips, the committed schema.

use std::collections::BTreeMap;

use hubmatch::{
    Community, District, GridCell, Need, Offer, Policy, Provider, ProviderKind, ServiceArea,
    TimeWindow,
};
use proptest::prelude::*;

fn id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_-]{0,6}"
}

fn real() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("finite", |x| x.is_finite()),
        (-1000i32..1000).prop_map(|x| f64::from(x) / 8.0)
    ]
}

fn window() -> impl Strategy<Value = TimeWindow> {
    (any::<i64>(), any::<i64>()).prop_map(|(start, end)| TimeWindow { start, end })
}

fn kind() -> impl Strategy<Value = ProviderKind> {
    prop::sample::select(ProviderKind::ALL.to_vec())
}

fn need() -> impl Strategy<Value = Need> {
    (
        id(),
        id(),
        prop::option::of(id()),
        id(),
        any::<i64>(),
        any::<i64>(),
        prop::collection::vec(id(), 0..3),
        prop::collection::vec(id(), 0..3),
        prop::option::of(window()),
        prop::option::of(real()),
    )
        .prop_map(
            |(
                id,
                community,
                cell,
                category,
                units,
                priority,
                vulnerability,
                skills,
                window,
                budget,
            )| Need {
                id,
                community,
                cell,
                category,
                units,
                priority,
                vulnerability,
                skills,
                window,
                budget,
            },
        )
}

fn offer() -> impl Strategy<Value = Offer> {
    (id(), any::<i64>(), real(), prop::option::of(real()), real()).prop_map(
        |(category, capacity, unit_cost, price, quality)| Offer {
            category,
            capacity,
            unit_cost,
            price,
            quality,
        },
    )
}

fn area() -> impl Strategy<Value = Option<ServiceArea>> {
    prop_oneof![
        Just(None),
        Just(Some(ServiceArea::Home)),
        Just(Some(ServiceArea::District)),
        prop::collection::vec(id(), 0..3).prop_map(|c| Some(ServiceArea::Communities(c))),
    ]
}

fn provider() -> impl Strategy<Value = Provider> {
    (
        id(),
        ".{0,8}",
        kind(),
        prop::option::of(id()),
        area(),
        prop::option::of(id()),
        prop::collection::vec(id(), 0..3),
        prop::collection::vec(window(), 0..2),
        prop::option::of(any::<i64>()),
        prop::collection::btree_map(id(), any::<i64>(), 0..2),
        prop::collection::vec(offer(), 0..3),
    )
        .prop_map(
            |(
                id,
                name,
                kind,
                home,
                service_area,
                cell,
                skills,
                availability,
                capacity,
                quotas,
                offers,
            )| Provider {
                id,
                name,
                kind,
                home,
                service_area,
                cell,
                skills,
                availability,
                capacity,
                quotas,
                offers,
            },
        )
}

fn community() -> impl Strategy<Value = Community> {
    (
        id(),
        ".{0,8}",
        any::<i64>(),
        prop::collection::vec((id(), real(), real()), 0..3),
    )
        .prop_map(|(id, name, population, cells)| Community {
            id,
            name,
            population,
            cells: cells
                .into_iter()
                .map(|(id, x, y)| GridCell { id, x, y })
                .collect(),
        })
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop::collection::btree_map(id(), real(), 0..2),
        prop::array::uniform5(real()),
        real(),
        real(),
        real(),
        real(),
        prop::collection::btree_map(id(), prop::collection::vec(kind(), 0..3), 0..2),
        prop::option::of(real()),
        prop::collection::btree_map(id(), real(), 0..2),
    )
        .prop_map(
            |(
                category_values,
                priority_multipliers,
                cost_weight,
                travel_penalty,
                cross_community_penalty,
                unserved_penalty,
                allowed_kinds,
                coverage_floor,
                community_floors,
            )| {
                Policy {
                    category_values,
                    priority_multipliers,
                    vulnerability_multipliers: BTreeMap::from([("elderly_alone".to_owned(), 2.0)]),
                    cost_weight,
                    travel_penalty,
                    cross_community_penalty,
                    allowed_kinds,
                    unserved_penalty,
                    coverage_floor,
                    category_floors: community_floors
                        .iter()
                        .map(|(k, v)| (format!("{k}/life"), *v))
                        .collect(),
                    sector_bounds: community_floors
                        .iter()
                        .map(|(k, v)| hubmatch::SectorBound {
                            category: "life".into(),
                            kind: hubmatch::ProviderKind::Volunteer,
                            community: Some(k.clone()),
                            min_share: Some(*v),
                            max_share: None,
                        })
                        .collect(),
                    community_floors,
                }
            },
        )
}

fn district() -> impl Strategy<Value = District> {
    (
        id(),
        prop::collection::vec(community(), 0..3),
        prop::collection::vec(provider(), 0..3),
        prop::collection::vec(need(), 0..4),
        policy(),
    )
        .prop_map(|(id, communities, providers, needs, policy)| District {
            communities,
            providers,
            needs,
            policy,
            ..District::new(&id)
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// JSON → model → JSON is lossless, whatever the values (valid or not).
    #[test]
    fn json_round_trip_is_lossless(d in district()) {
        let text = hubmatch::io::json::district_to_string(&d);
        let back = hubmatch::io::json::district_from_str(&text).unwrap();
        prop_assert_eq!(&back, &d);
        prop_assert_eq!(hubmatch::io::json::district_to_string(&back), text);
    }

    /// Validation never panics, and accepts or rejects the same document the same way.
    #[test]
    fn validation_never_panics(d in district()) {
        let a = d.validate().map(|_| ()).map_err(|e| e.to_string());
        let b = d.validate().map(|_| ()).map_err(|e| e.to_string());
        prop_assert_eq!(a, b);
    }
}

#[test]
fn csv_round_trip_of_a_synthetic_district() {
    let knobs = hubmatch::synthetic::Knobs::preset("small").unwrap();
    let d = hubmatch::synthetic::generate(&knobs, 3);
    let dir = std::env::temp_dir().join(format!("hubmatch-csv-rt-{}", std::process::id()));
    hubmatch::io::csv::write_district_dir(&d, &dir).unwrap();
    let mut back = hubmatch::io::csv::read_district_dir(&dir).unwrap();
    back.id.clone_from(&d.id);
    back.name.clone_from(&d.name);
    assert_eq!(back, d);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn committed_schema_is_current() {
    let path = crate::data("../../schema/district.schema.json");
    let current = hubmatch::io::schema::district_schema();
    if std::env::var_os("HUBMATCH_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == current,
        "schema/district.schema.json is stale: run `cargo run -- schema > schema/district.schema.json` \
         (or this test with HUBMATCH_UPDATE_SCHEMA=1)"
    );
}

#[test]
fn example_district_matches_its_description() {
    // Hand-checked contents of tests/data/example.json.
    let d = crate::example();
    assert_eq!(
        d.communities
            .iter()
            .map(|c| c.id.as_str())
            .collect::<Vec<_>>(),
        ["c1", "c2"]
    );
    assert_eq!(d.needs.iter().map(|n| n.units).sum::<i64>(), 13);
    let kinds: Vec<ProviderKind> = d.providers.iter().map(|p| p.kind).collect();
    assert_eq!(kinds, ProviderKind::ALL);
    assert_eq!(d.providers[2].home, None); // ngo1 is district-level
    assert_eq!(d.policy, Policy::default());
}

#[test]
fn synthetic_districts_are_reproducible_and_valid() {
    let knobs = hubmatch::synthetic::Knobs::preset("small").unwrap();
    let a = hubmatch::synthetic::generate(&knobs, 11);
    assert_eq!(a, hubmatch::synthetic::generate(&knobs, 11));
    assert_ne!(a.needs, hubmatch::synthetic::generate(&knobs, 12).needs);
    a.validate().unwrap();
    // A fingerprint of the output pins the generator across platforms.
    let text = hubmatch::io::json::district_to_string(&a);
    let fnv = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    assert_eq!(
        fnv,
        fingerprint(),
        "synthetic output changed: update the pinned fingerprint if intended"
    );
}

fn fingerprint() -> u64 {
    712_261_615_277_205_873
}
