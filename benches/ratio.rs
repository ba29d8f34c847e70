//! How many times faster a kept session re-solves a scenario than a solve
//! from scratch, measured pair by pair: each cold solve of the changed
//! district (`match_district`) is followed by the best of three warm
//! re-solves of it (`DistrictSession::solve`, or `solve_grown` when the
//! scenario adds providers), and the ratio of each pair is kept. The
//! median of those ratios is what the issue's target reads ("a 1% change
//! should re-solve at least 10× faster than from scratch"): the `engine`
//! bench times solve and resolve minutes apart, and this VM's speed
//! drifts by 10–30% between minutes, which skews a ratio of two medians
//! taken apart but not one taken pair by pair.
//!
//! Run: `cargo bench --bench ratio` (about a minute; `-- NAME` keeps the
//! scenarios whose name holds NAME, `PAIRS=n` sets the pairs, 5 by
//! default). Every warm optimum is checked against the cold one.

mod scenarios;

use std::time::Instant;

use hubmatch::solve::session::DistrictSession;
use hubmatch::solve::{MatchOptions, Mode, match_district};
use hubmatch::synthetic::{Knobs, generate};

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let pairs: usize = std::env::var("PAIRS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .max(1);
    let d = generate(&Knobs::preset("district-13").unwrap(), 0);
    let ix = d.validate().unwrap();
    let opts = MatchOptions::default();
    let scenarios = scenarios::district13(&d);
    println!("| scenario | mode | solve | resolve | speed-up (median of {pairs} pairs) | range |");
    println!("|---|---|---:|---:|---:|---:|");
    for (name, mode) in [
        ("per community", Mode::PerCommunity),
        ("pooled", Mode::Pooled),
    ] {
        let session = DistrictSession::new(&ix, mode, &opts).unwrap();
        for s in &scenarios {
            let kept = filter.is_empty() || filter.iter().any(|f| s.name.contains(f.as_str()));
            if !kept || !(s.amounts_only() || s.adds_providers()) {
                continue;
            }
            let changed = s.apply(&d).unwrap().validate().unwrap();
            let warm = || {
                if s.amounts_only() {
                    session.solve(&changed).unwrap()
                } else {
                    session.solve_grown(&changed).unwrap()
                }
            };
            warm();
            let (mut cold_ms, mut warm_ms, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..pairs {
                let t = Instant::now();
                let cold = match_district(&changed, mode, &opts, None).unwrap();
                let c = t.elapsed().as_secs_f64() * 1e3;
                let mut w = f64::INFINITY;
                for _ in 0..3 {
                    let t = Instant::now();
                    let again = warm();
                    w = w.min(t.elapsed().as_secs_f64() * 1e3);
                    assert_eq!(again.objective, cold.objective, "{}", s.name);
                }
                cold_ms.push(c);
                warm_ms.push(w);
                ratios.push(c / w);
            }
            let (lo, hi) = (min(&ratios), max(&ratios));
            println!(
                "| {} | {name} | {:.0} ms | {:.1} ms | {:.1}× | {lo:.1}–{hi:.1}× |",
                s.name,
                median(cold_ms),
                median(warm_ms),
                median(ratios),
            );
        }
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let k = v.len() / 2;
    if v.len() % 2 == 1 {
        v[k]
    } else {
        f64::midpoint(v[k - 1], v[k])
    }
}

fn min(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

fn max(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}
