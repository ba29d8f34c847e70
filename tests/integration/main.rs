//! Integration tests of hubmatch: one binary, one module per topic.

mod analytics;
mod cli;
mod engine;
mod growth;
mod model_io;
mod modes;
mod resolver;
mod scenarios;
mod sectors;
mod sessions;
mod validation;

use std::collections::HashMap;
use std::path::PathBuf;

use hubmatch::graph::BipartiteProblem;

/// Path of a file under `tests/data`.
pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Runs `f` in a rayon pool of `threads` threads.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

/// The hand-checked example district.
pub fn example() -> hubmatch::District {
    hubmatch::io::json::read_district(data("example.json")).expect("example district parses")
}

/// Exhaustive optimum of a tiny problem subject to `Σ coef_e·x_e ≥ 0`:
/// dynamic programming over needs with the remaining capacities (offers,
/// then groups) and the constraint's running value as the state. `None`
/// when no allocation meets the constraint.
pub fn brute_force(p: &BipartiteProblem, coef: &[i64]) -> Option<i64> {
    let o = p.offer_count();
    let mut layer: HashMap<Vec<i64>, i64> = HashMap::new();
    let mut start = p.offer_capacity.clone();
    start.extend(&p.group_capacity);
    start.push(0); // the constraint's value so far
    layer.insert(start, 0);
    for i in 0..p.need_count() {
        let edges: Vec<usize> = (0..p.edge_count())
            .filter(|&k| p.edge_need[k] as usize == i)
            .collect();
        let mut next: HashMap<Vec<i64>, i64> = HashMap::new();
        for (state, value) in &layer {
            // Enumerate flows on this need's edges with total ≤ units.
            let mut flows = vec![0i64; edges.len()];
            loop {
                let total: i64 = flows.iter().sum();
                if total <= p.units[i] {
                    let mut s = state.clone();
                    let mut ok = true;
                    let mut gain = 0;
                    for (slot, &k) in edges.iter().enumerate() {
                        let off = p.edge_offer[k] as usize;
                        s[off] -= flows[slot];
                        if let Some(g) = p.offer_group[off] {
                            s[o + g as usize] -= flows[slot];
                        }
                        gain += flows[slot] * p.edge_weight[k];
                        *s.last_mut().unwrap() += flows[slot] * coef[k];
                    }
                    if s[..s.len() - 1].iter().any(|&c| c < 0) {
                        ok = false;
                    }
                    if ok {
                        let v = value + gain - p.unserved_penalty * (p.units[i] - total);
                        let e = next.entry(s).or_insert(i64::MIN);
                        *e = (*e).max(v);
                    }
                }
                // Odometer over 0..=units per edge.
                let mut d = 0;
                while d < flows.len() {
                    flows[d] += 1;
                    if flows[d] <= p.units[i] {
                        break;
                    }
                    flows[d] = 0;
                    d += 1;
                }
                if d == flows.len() {
                    break;
                }
            }
        }
        layer = next;
    }
    layer
        .iter()
        .filter(|(s, _)| *s.last().unwrap() >= 0)
        .map(|(_, &v)| v)
        .max()
}
