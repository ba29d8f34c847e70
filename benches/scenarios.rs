//! The scenarios both scenario benchmarks run on district-13 (`engine`'s
//! `scenario/` group and `ratio`): 1% of the providers closed (every
//! 100th), 1% of the needs grown by half (c01's professional ones), a broad
//! small shock (the volunteers' capacity −1%: 196 of their 2,549 offers and
//! 174 of their 1,703 shared capacities lose a unit), 1% more providers (a
//! copy of every 100th, which changes the networks' shape), one newly
//! incubated social organization, and the copies' capacity given to the
//! providers copied (every 100th provider's capacities doubled: the same
//! growth, amounts only).

use hubmatch::District;
use hubmatch::analyze::Scenario;

/// The scenarios of district-13 (`d`), in the order the benchmarks report.
pub fn district13(d: &District) -> Vec<Scenario> {
    let closures: Vec<String> = d
        .providers
        .iter()
        .step_by(100)
        .map(|p| format!(r#"{{"close_provider": {{"provider": "{}"}}}}"#, p.id))
        .collect();
    let additions: Vec<String> = d
        .providers
        .iter()
        .step_by(100)
        .map(|p| {
            let mut copy = p.clone();
            copy.id = format!("new-{}", p.id);
            let copy = serde_json::to_string(&copy).unwrap();
            format!(r#"{{"add_provider": {{"provider": {copy}}}}}"#)
        })
        .collect();
    // The capacity the copies bring, given to the providers they copy
    // instead: the same growth without the change of shape, so the amount
    // path's time for it is about what growing the networks could cost if
    // their trees grew without being copied (see the README).
    let doublings: Vec<String> = d
        .providers
        .iter()
        .step_by(100)
        .map(|p| {
            format!(
                r#"{{"scale_capacity": {{"select": {{"provider": "{}"}}, "factor": 2}}}}"#,
                p.id
            )
        })
        .collect();
    // One newly incubated social organization: a copy of the first one.
    let mut incubated = d
        .providers
        .iter()
        .find(|p| p.kind == hubmatch::ProviderKind::SocialOrganization)
        .unwrap()
        .clone();
    incubated.id = "incubated".into();
    let incubated = serde_json::to_string(&incubated).unwrap();
    serde_json::from_str(&format!(
        r#"[{{"name": "close 1% of providers", "changes": [{}]}},
            {{"name": "1% of needs x1.5", "changes": [{{"scale_demand": {{"community": "c01", "category": "professional", "factor": 1.5}}}}]}},
            {{"name": "volunteers x0.99", "changes": [{{"scale_capacity": {{"select": {{"kind": "volunteer"}}, "factor": 0.99}}}}]}},
            {{"name": "add 1% more providers", "changes": [{}]}},
            {{"name": "add 1 social organization", "changes": [{{"add_provider": {{"provider": {incubated}}}}}]}},
            {{"name": "double 1% of providers", "changes": [{}]}}]"#,
        closures.join(", "),
        additions.join(", "),
        doublings.join(", ")
    ))
    .unwrap()
}
