//! Every validation rule, with its exact message.

use hubmatch::{Error, ProviderKind, ServiceArea, TimeWindow};
use serde_json::{Value, json};

use crate::example;

fn check(edit: impl FnOnce(&mut hubmatch::District), expected: &str) {
    let mut d = example();
    edit(&mut d);
    let err = d.validate().expect_err("validation should fail");
    assert!(
        matches!(err, Error::Invalid(_)),
        "not a validation error: {err:?}"
    );
    assert_eq!(err.to_string(), expected);
}

fn check_json(edit: impl FnOnce(&mut Value), expected: &str) {
    let text = std::fs::read_to_string(crate::data("example.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v);
    let result = hubmatch::io::json::district_from_str(&v.to_string())
        .and_then(|d| d.validate().map(|_| ()));
    let err = result.expect_err("should fail");
    assert!(
        err.to_string().contains(expected),
        "{err} does not contain {expected}"
    );
}

#[test]
fn example_is_valid() {
    let ix = example().validate().unwrap();
    assert_eq!(ix.needs.len(), 7);
    assert_eq!(ix.providers.len(), 4);
    assert_eq!(ix.categories.len(), 5);
}

#[test]
fn format_tag() {
    check(
        |d| d.format = "x".into(),
        r#"district "example": format must be "hubmatch.district/1", got "x""#,
    );
    check_json(
        |v| v["format"] = json!("hubmatch.district/2"),
        r#"unsupported format "hubmatch.district/2""#,
    );
    check_json(
        |v| {
            v.as_object_mut().unwrap().remove("format");
        },
        r#"unsupported format "<missing>""#,
    );
}

#[test]
fn duplicate_ids() {
    check(
        |d| d.communities[1].id = "c1".into(),
        r#"community "c1": id is a duplicate id"#,
    );
    check(
        |d| d.communities[1].cells[0].id = "c1-g1".into(),
        r#"cell "c1-g1": id is a duplicate id"#,
    );
    check(
        |d| d.needs[1].id = "n1".into(),
        r#"need "n1": id is a duplicate id"#,
    );
    check(
        |d| d.providers[1].id = "gov1".into(),
        r#"provider "gov1": id is a duplicate id"#,
    );
    check(
        |d| d.needs[0].id = String::new(),
        r##"need "#0": id must not be empty"##,
    );
}

#[test]
fn unknown_references() {
    check(
        |d| d.needs[0].community = "zz".into(),
        r#"need "n1": community "zz" is not a community of the district"#,
    );
    check(
        |d| d.needs[0].cell = Some("zz".into()),
        r#"need "n1": cell "zz" is not a grid cell of the district"#,
    );
    check(
        |d| d.needs[0].cell = Some("c2-g1".into()),
        r#"need "n1": cell "c2-g1" is not in community "c1""#,
    );
    check(
        |d| d.needs[0].category = "dance".into(),
        r#"need "n1": category "dance" is not a service category"#,
    );
    check(
        |d| d.providers[0].home = Some("zz".into()),
        r#"provider "gov1": home "zz" is not a community of the district"#,
    );
    check(
        |d| d.providers[0].cell = Some("zz".into()),
        r#"provider "gov1": cell "zz" is not a grid cell of the district"#,
    );
    check(
        |d| {
            d.providers[0].service_area =
                Some(ServiceArea::Communities(vec!["c1".into(), "c9".into()]))
        },
        r#"provider "gov1": service_area "c9" is not a community of the district"#,
    );
    check(
        |d| d.providers[0].offers[0].category = "dance".into(),
        r#"offer "gov1/dance": category "dance" is not a service category"#,
    );
    check_json(
        |v| v["providers"][0]["kind"] = json!("church"),
        "unknown variant `church`",
    );
}

#[test]
fn need_numbers() {
    check(
        |d| d.needs[0].units = -3,
        r#"need "n1": units must be > 0, got -3"#,
    );
    check(
        |d| d.needs[0].units = 0,
        r#"need "n1": units must be > 0, got 0"#,
    );
    check(
        |d| d.needs[0].units = 2_000_000_000,
        r#"need "n1": units must be at most 1000000000, got 2000000000"#,
    );
    check(
        |d| d.needs[0].priority = 7,
        r#"need "n1": priority must be between 1 and 5, got 7"#,
    );
    check(
        |d| d.needs[0].priority = 0,
        r#"need "n1": priority must be between 1 and 5, got 0"#,
    );
    check(
        |d| d.needs[2].budget = Some(-5.0),
        r#"need "n3": budget must be >= 0, got -5"#,
    );
    check(
        |d| d.needs[2].budget = Some(f64::INFINITY),
        r#"need "n3": budget must be a finite number, got inf"#,
    );
    check(
        |d| {
            d.needs[5].window = Some(TimeWindow {
                start: 400,
                end: 300,
            })
        },
        r#"need "n6": window must satisfy 0 <= start < end <= 1000000000, got [400, 300)"#,
    );
}

#[test]
fn provider_numbers() {
    check(
        |d| d.providers[3].capacity = Some(-1),
        r#"provider "vol1": capacity must be >= 0, got -1"#,
    );
    check(
        |d| d.providers[0].offers[0].capacity = -1,
        r#"offer "gov1/administrative": capacity must be >= 0, got -1"#,
    );
    check(
        |d| d.providers[1].offers[0].quality = f64::NAN,
        r#"offer "mkt1/life": quality must be a finite number, got NaN"#,
    );
    check(
        |d| d.providers[1].offers[0].quality = 11.0,
        r#"offer "mkt1/life": quality must be at most 10 to compute weights exactly, got 11"#,
    );
    check(
        |d| d.providers[1].offers[0].price = Some(-2.0),
        r#"offer "mkt1/life": price must be >= 0, got -2"#,
    );
    check(
        |d| d.providers[2].offers[0].unit_cost = 0.123_456_7,
        r#"offer "ngo1/professional": unit_cost must have at most 6 decimal places, got 0.1234567"#,
    );
    check(
        |d| d.providers[0].offers[1].category = "administrative".into(),
        r#"offer "gov1/administrative": category is offered twice by the same provider"#,
    );
    check(
        |d| d.providers[3].availability = vec![TimeWindow { start: -5, end: 10 }],
        r#"provider "vol1": availability must satisfy 0 <= start < end <= 1000000000, got [-5, 10)"#,
    );
    check(
        |d| {
            d.providers[2].service_area = Some(ServiceArea::Home);
        },
        r#"provider "ngo1": service_area is "home" but the provider has no home community"#,
    );
    check(
        |d| {
            d.providers[3].service_area = Some(ServiceArea::Communities(vec!["c1".into()]));
            d.providers[3].quotas.insert("c2".into(), 1);
        },
        r#"provider "vol1": quotas.c2 community "c2" is outside the provider's service area"#,
    );
    check(
        |d| {
            d.providers[2].quotas.insert("c1".into(), -4);
        },
        r#"provider "ngo1": quotas.c1 must be >= 0, got -4"#,
    );
}

#[test]
fn community_numbers() {
    check(
        |d| d.communities[0].population = -5,
        r#"community "c1": population must be >= 0, got -5"#,
    );
    check(
        |d| d.communities[0].cells[0].x = 2e6,
        r#"cell "c1-g1": x must be a finite number within ±1000000, got 2000000"#,
    );
    check(
        |d| d.communities[0].cells[0].y = f64::NAN,
        r#"cell "c1-g1": y must be a finite number within ±1000000, got NaN"#,
    );
}

#[test]
fn policy_rules() {
    check(
        |d| d.policy.cost_weight = -1.0,
        r#"policy "policy": cost_weight must be >= 0, got -1"#,
    );
    check(
        |d| {
            d.policy.category_values.insert("dance".into(), 3.0);
        },
        r#"policy "policy": category_values names unknown category "dance""#,
    );
    check(
        |d| {
            d.policy.allowed_kinds.insert("dance".into(), vec![]);
        },
        r#"policy "policy": allowed_kinds names unknown category "dance""#,
    );
    check(
        |d| {
            d.policy.allowed_kinds.insert("public".into(), vec![]);
        },
        r#"offer "gov1/public": category "public" may be served by no provider kind under the policy"#,
    );
    check(
        |d| d.policy.priority_multipliers[4] = 1000.0,
        r#"policy "policy": priority_multipliers[4] must be at most 100 to compute weights exactly, got 1000"#,
    );
    check(
        |d| {
            d.policy
                .vulnerability_multipliers
                .insert("child".into(), -1.0);
        },
        r#"policy "policy": vulnerability_multipliers.child must be >= 0, got -1"#,
    );
    check(
        |d| d.policy.unserved_penalty = 2e6,
        r#"policy "policy": unserved_penalty must be at most 1000000 to compute weights exactly, got 2000000"#,
    );
    check(
        |d| {
            d.categories.push(hubmatch::ServiceCategory {
                id: "legal".into(),
                name: String::new(),
                value: -1.0,
            })
        },
        r#"category "legal": value must be >= 0, got -1"#,
    );
}

/// The example with every weight factor at its largest: a unit weighs
/// 10,000,000,000,001 thousandths.
fn example_with_largest_weights() -> hubmatch::District {
    let mut d = example();
    d.policy.category_values.insert("life".into(), 100_000.0);
    d.policy.priority_multipliers = [100.0; 5];
    d.policy
        .vulnerability_multipliers
        .insert("disabled".into(), 100.0);
    d.providers[1].offers[0].quality = 10.0;
    d
}

#[test]
fn weights_that_could_overflow_are_rejected() {
    let mut d = example_with_largest_weights();
    d.needs[2].units = 1_000_000_000;
    let err = d.validate().unwrap_err().to_string();
    assert!(
        err.starts_with(
            r#"policy "policy": category_values give weights up to 10000000000001 thousandths"#
        ),
        "{err}"
    );
    assert!(err.contains("too large to compute exactly"), "{err}");
    // The same weights with small units are fine: the bound is exact, not a guess.
    d.needs[2].units = 3;
    assert!(d.validate().is_ok());
}

#[test]
fn kinds_parse_and_print() {
    for k in ProviderKind::ALL {
        assert_eq!(ProviderKind::parse(k.as_str()), Some(k));
    }
}

#[test]
fn csv_errors_name_file_line_and_column() {
    let d = example();
    let dir = std::env::temp_dir().join(format!("hubmatch-csv-bad-{}", std::process::id()));
    hubmatch::io::csv::write_district_dir(&d, &dir).unwrap();
    let needs = std::fs::read_to_string(dir.join("needs.csv")).unwrap();
    std::fs::write(dir.join("needs.csv"), needs.replacen(",2,4,", ",two,4,", 1)).unwrap();
    let err = hubmatch::io::csv::read_district_dir(&dir)
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        r#"needs.csv: line 2: column "units": cannot read "two""#
    );
    std::fs::write(dir.join("needs.csv"), "id,community\nn1,c1\n").unwrap();
    let err = hubmatch::io::csv::read_district_dir(&dir)
        .unwrap_err()
        .to_string();
    assert_eq!(err, r#"needs.csv: missing required column "category""#);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scenario_amounts_keep_the_exactness_bound() {
    // The overflow case above, reached by a scenario that scales demand
    // (whose amounts are read again rather than validated afresh).
    use hubmatch::analyze::scenario::{Scenario, ScenarioBase};
    use hubmatch::solve::{MatchOptions, Mode};
    let d = example_with_largest_weights();
    let base = ScenarioBase::new(&d, Mode::Pooled, &MatchOptions::default()).unwrap();
    let grown: Scenario = serde_json::from_str(
        r#"{"name": "x", "changes": [{"scale_demand": {"factor": 1000000.0}}]}"#,
    )
    .unwrap();
    let err = base.outcome(&grown).err().unwrap().to_string();
    let full = grown.apply(&d).unwrap().validate().unwrap_err().to_string();
    assert_eq!(err, full);
    assert!(err.contains("too large to compute exactly"), "{err}");
}
