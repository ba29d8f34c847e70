//! The `hubmatch` binary: every subcommand, a generate → solve → report
//! round trip, and bad inputs (exit code 2 with the record and field named).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn hubmatch(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hubmatch"))
        .args(args)
        .arg("--quiet")
        .output()
        .expect("binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hubmatch-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn generate_solve_report_round_trip() {
    let dir = temp("round-trip");
    let district = dir.join("small.json");
    let o = hubmatch(&[
        "generate",
        "--preset",
        "small",
        "--seed",
        "3",
        "--out",
        s(&district),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mixed = dir.join("mixed.json");
    let o = hubmatch(&[
        "generate",
        "--preset",
        "small",
        "--kind-mix",
        "1,0,0,1",
        "--reach",
        "0.5",
        "--out",
        s(&mixed),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hubmatch(&["validate", s(&district)]);
    assert!(
        stdout(&o).contains("valid — 3 communities, 120 needs"),
        "{}",
        stdout(&o)
    );
    let out = dir.join("pooled");
    let o = hubmatch(&["solve", s(&district), "--mode", "pooled", "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    for f in [
        "assignments.csv",
        "unmet.csv",
        "utilisation.csv",
        "summary.json",
        "explanations.csv",
    ] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["mode"], "pooled");
    assert_eq!(
        summary["needed"].as_i64().unwrap(),
        summary["served"].as_i64().unwrap() + summary["unmet"].as_i64().unwrap()
    );
    let o = hubmatch(&["report", s(&out)]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("Mode pooled: objective"));
    // The same district as CSV tables solves to the same objective.
    let csv = dir.join("csv");
    assert!(
        hubmatch(&[
            "generate",
            "--preset",
            "small",
            "--seed",
            "3",
            "--format",
            "csv",
            "--out",
            s(&csv)
        ])
        .status
        .success()
    );
    let out2 = dir.join("pooled-csv");
    assert!(
        hubmatch(&["solve", s(&csv), "--out", s(&out2)])
            .status
            .success()
    );
    let summary2: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out2.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["objective"], summary2["objective"]);
}

#[test]
fn demo_runs_on_a_small_preset_and_report_repeats_it() {
    let dir = temp("demo");
    let out = dir.join("demo");
    let o = hubmatch(&["demo", "--preset", "small", "--out", s(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    for part in [
        "hub adds",
        "By community",
        "By service system",
        "provider kind",
        "Why units were left unmet",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    assert!(
        out.join("pooled/assignments.csv").exists()
            && out.join("per_community/summary.json").exists()
    );
    let o = hubmatch(&["report", s(&out)]);
    assert!(stdout(&o).contains("hub adds"));
}

#[test]
fn solve_graph_and_export_graph() {
    let dir = temp("graph");
    let graph = dir.join("g.json");
    std::fs::write(
        &graph,
        r#"{"needs":[{"id":"a","units":2},{"id":"b","units":2}],
        "providers":[{"id":"p","capacity":3}],
        "edges":[{"need":"a","provider":"p","weight":5},{"need":"b","provider":"p","weight":7}]}"#,
    )
    .unwrap();
    let result = dir.join("r.json");
    let o = hubmatch(&["solve-graph", s(&graph), "--out", s(&result)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(r["objective"], 19);
    assert_eq!(r["assignments"][1]["units"], 2);
    assert_eq!(r["certificate"], "verified");

    let exported = dir.join("example-graph.json");
    let o = hubmatch(&[
        "export-graph",
        s(&crate::data("example.json")),
        "--mode",
        "pooled",
        "--out",
        s(&exported),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = hubmatch(&["solve-graph", s(&exported), "--out", s(&result)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&result).unwrap()).unwrap();
    assert_eq!(r["objective"], 290_600); // the example's pooled optimum, in thousandths
}

#[test]
fn sweep_compares_scenarios_with_the_base() {
    let dir = temp("sweep");
    let scenarios = dir.join("scenarios.json");
    std::fs::write(
        &scenarios,
        r#"[{"name": "no volunteers", "changes": [{"close_provider": {"provider": "vol1"}}]},
            {"name": "double admin demand", "changes": [{"scale_demand": {"category": "administrative", "factor": 2}}]}]"#,
    )
    .unwrap();
    let out = dir.join("out");
    let o = hubmatch(&[
        "sweep",
        s(&crate::data("example.json")),
        "--scenarios",
        s(&scenarios),
        "--out",
        s(&out),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let table = stdout(&o);
    assert!(
        table.contains("no volunteers") && table.contains("-61.0"),
        "{table}"
    );
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(csv.starts_with(
        "scenario,objective,served,unmet,objective_change,served_change,warm_networks,networks"
    ));
    assert!(out.join("diff-no_volunteers.csv").exists());
    std::fs::write(
        &scenarios,
        r#"[{"name": "x", "changes": [{"close_provider": {"provider": "nobody"}}]}]"#,
    )
    .unwrap();
    expect_bad_input(
        &[
            "sweep",
            s(&crate::data("example.json")),
            "--scenarios",
            s(&scenarios),
            "--out",
            s(&out),
        ],
        r#""nobody" is not a provider of the district"#,
    );
}

#[test]
fn schema_prints_the_committed_schema() {
    let o = hubmatch(&["schema"]);
    let committed =
        std::fs::read_to_string(crate::data("../../schema/district.schema.json")).unwrap();
    assert_eq!(stdout(&o), committed);
}

fn expect_bad_input(args: &[&str], message: &str) {
    let o = hubmatch(args);
    assert_eq!(o.status.code(), Some(2), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains(message),
        "{} does not contain {message}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("panicked"));
}

#[test]
fn bad_inputs_exit_2_naming_what_is_wrong() {
    let dir = temp("bad");
    let write = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(crate::data("example.json")).unwrap())
                .unwrap();
        edit(&mut v);
        let p = dir.join(name);
        std::fs::write(&p, v.to_string()).unwrap();
        p
    };
    let out = dir.join("out");
    let malformed = dir.join("malformed.json");
    std::fs::write(
        &malformed,
        "{\"format\": \"hubmatch.district/1\", \"communities\": [",
    )
    .unwrap();
    expect_bad_input(
        &["solve", s(&malformed), "--out", s(&out)],
        "EOF while parsing",
    );
    let unknown = write("unknown.json", &|v| {
        v["needs"][0]["community"] = "c9".into()
    });
    expect_bad_input(
        &["solve", s(&unknown), "--out", s(&out)],
        r#"need "n1": community "c9" is not a community of the district"#,
    );
    let negative = write("negative.json", &|v| v["needs"][2]["units"] = (-3).into());
    expect_bad_input(
        &["solve", s(&negative), "--out", s(&out)],
        r#"need "n3": units must be > 0, got -3"#,
    );
    expect_bad_input(
        &["solve", s(&dir.join("missing.json")), "--out", s(&out)],
        "missing.json",
    );
    expect_bad_input(&["validate", s(&negative)], "units must be > 0");
    expect_bad_input(
        &["generate", "--preset", "nope", "--out", s(&out)],
        "unknown preset",
    );
    let graph = dir.join("bad-graph.json");
    std::fs::write(
        &graph,
        r#"{"needs":[{"id":"a","units":-1}],"providers":[],"edges":[]}"#,
    )
    .unwrap();
    expect_bad_input(
        &["solve-graph", s(&graph), "--out", s(&out)],
        r##"graph need "#0": units must be between 1"##,
    );
    expect_bad_input(&["report", s(&dir)], "summary.json");
}
