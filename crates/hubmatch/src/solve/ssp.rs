//! Successive shortest paths: a slow, simple, independent min-cost-flow
//! solver used as a reference oracle in tests. It is **not** the engine.
//!
//! Sends the supplies one shortest augmenting path at a time, finding each
//! path with Bellman–Ford on the residual network. Requires a network without
//! negative-cost cycles (true of every matching network, which is acyclic).
//!
//! Complexity: O(U · n · m) for total supply U.

use crate::error::{Error, Result};
use crate::graph::FlowNetwork;

/// Minimum cost and a min-cost flow, or `Infeasible` when the supplies
/// cannot all be routed.
///
/// ```
/// use hubmatch::graph::FlowNetwork;
/// let mut net = FlowNetwork::new(3);
/// net.supply = vec![2, 0, -2];
/// net.add_arc(0, 2, 2, 5);
/// net.add_arc(0, 1, 1, 1);
/// net.add_arc(1, 2, 1, 1);
/// let (cost, flow) = hubmatch::solve::ssp::min_cost_flow(&net).unwrap();
/// assert_eq!((cost, flow), (7, vec![1, 1, 1]));
/// ```
pub fn min_cost_flow(net: &FlowNetwork) -> Result<(i64, Vec<i64>)> {
    net.check()?;
    let n = net.node_count();
    let m = net.arc_count();
    let (s, t) = (n, n + 1);
    // Residual arcs in pairs: 2k forward, 2k+1 backward.
    let mut head = Vec::new();
    let mut tail = Vec::new();
    let mut cap = Vec::new();
    let mut cost = Vec::new();
    let mut add = |u: usize, v: usize, c: i64, w: i64| {
        tail.extend([u, v]);
        head.extend([v, u]);
        cap.extend([c, 0]);
        cost.extend([w, -w]);
    };
    for a in 0..m {
        add(
            net.source[a] as usize,
            net.target[a] as usize,
            net.capacity[a],
            net.cost[a],
        );
    }
    let mut need = 0i64;
    for v in 0..n {
        let b = net.supply[v];
        if b > 0 {
            add(s, v, b, 0);
            need += b;
        } else if b < 0 {
            add(v, t, -b, 0);
        }
    }
    let nodes = n + 2;
    let mut total = 0i64;
    while need > 0 {
        let mut dist = vec![i64::MAX; nodes];
        let mut via = vec![usize::MAX; nodes];
        dist[s] = 0;
        for _ in 0..nodes {
            let mut changed = false;
            for r in 0..head.len() {
                let u = tail[r];
                if cap[r] > 0 && dist[u] != i64::MAX && dist[u] + cost[r] < dist[head[r]] {
                    dist[head[r]] = dist[u] + cost[r];
                    via[head[r]] = r;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if dist[t] == i64::MAX {
            return Err(Error::Infeasible(format!(
                "{need} units of supply cannot be routed"
            )));
        }
        let mut push = need;
        let mut v = t;
        while v != s {
            push = push.min(cap[via[v]]);
            v = tail[via[v]];
        }
        v = t;
        while v != s {
            let r = via[v];
            cap[r] -= push;
            cap[r ^ 1] += push;
            v = tail[r];
        }
        need -= push;
        total += push * dist[t];
    }
    let flow = (0..m).map(|a| cap[2 * a + 1]).collect();
    Ok((total, flow))
}
