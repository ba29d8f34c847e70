//! Copying a kept tree: a scenario sweep re-solves each network from a copy
//! of its base tree, and [`Clone::clone_from`] writes that copy into the
//! buffers of an earlier one. A fresh copy of a large network costs mostly
//! page faults: copying 45 MB took 18–25 ms fresh and 3.5–5 ms into
//! reused buffers on the development machine.
//!
//! Complexity: O(nodes + arcs) either way.

use super::simplex::Simplex;

impl Clone for Simplex {
    fn clone(&self) -> Self {
        let mut copy = Simplex::default();
        copy.copy_from(self, true);
        copy
    }

    /// Every field copied (the destructuring names them all, so a new field
    /// cannot be forgotten), the vectors into their present buffers.
    fn clone_from(&mut self, from: &Self) {
        self.copy_from(from, true);
    }
}

impl Simplex {
    /// [`Clone::clone_from`] for a copy of `base` (made by `clone` or by
    /// this method, and changed since only by pivots and by a `Resolver`'s
    /// changes): the network arcs' ends never change and their costs only
    /// through `Resolver::set_cost`, so they are not copied again unless a
    /// cost changed; their capacities only through `Resolver::set_capacity`,
    /// so only those it set are copied back. That is two thirds of what a
    /// copy moves.
    pub(super) fn restore_from(&mut self, base: &Simplex) {
        let m = base.m;
        debug_assert!(self.source.len() == base.source.len() && self.m == m);
        debug_assert!(self.source[..m] == base.source[..m] && self.target[..m] == base.target[..m]);
        debug_assert!(self.costs_changed || self.cost == base.cost);
        self.copy_from(base, false);
        debug_assert!(self.cap == base.cap);
        debug_assert!(self.flow == base.flow && self.state == base.state);
    }

    fn copy_from(&mut self, from: &Simplex, network_arcs: bool) {
        let Simplex {
            supply,
            n,
            m,
            root,
            art_cost,
            source,
            target,
            cost,
            cap,
            flow,
            state,
            pi,
            parent,
            pred,
            depth,
            thread,
            rev_thread,
            cancel,
            pricing,
            block_size,
            next_arc,
            candidates,
            minor_left,
            seeds,
            path,
            runs,
            stats,
            costs_changed,
            caps_changed,
            moved: _,
            raised,
            lists_until_sparse,
            local,
        } = from;
        if network_arcs {
            self.source.clone_from(source);
            self.target.clone_from(target);
            self.cost.clone_from(cost);
        } else {
            // Artificial arcs turn with the supplies: their ends are copied.
            self.source[*m..].copy_from_slice(&source[*m..]);
            self.target[*m..].copy_from_slice(&target[*m..]);
            if self.costs_changed {
                self.cost.copy_from_slice(cost);
            }
        }
        self.costs_changed = *costs_changed;
        // Only this copy's capacity changes are undone, when the source
        // has none of its own.
        if network_arcs || self.caps_changed.all || !caps_changed.is_empty() {
            self.cap.clone_from(cap);
        } else {
            self.caps_changed.copy_back(cap, &mut self.cap, *m);
            // Artificial capacities follow the supplies: copied.
            self.cap[*m..].copy_from_slice(&cap[*m..]);
        }
        self.caps_changed.clone_from(caps_changed);
        self.lists_until_sparse = *lists_until_sparse;
        self.supply.clone_from(supply);
        self.n = *n;
        self.m = *m;
        self.root = *root;
        self.art_cost = *art_cost;
        // Only the arcs this copy moved are copied back (a few hundred of
        // 90,000 after closing 1% of the providers of a community), when
        // they are listed. The copy is then even with `from`.
        if network_arcs {
            self.flow.clone_from(flow);
            self.state.clone_from(state);
        } else {
            let arcs = flow.len();
            self.moved.copy_back(flow, &mut self.flow, arcs);
            self.moved.copy_back(state, &mut self.state, arcs);
        }
        self.moved.clear();
        self.pi.clone_from(pi);
        self.parent.clone_from(parent);
        self.pred.clone_from(pred);
        self.depth.clone_from(depth);
        self.thread.clone_from(thread);
        self.rev_thread.clone_from(rev_thread);
        self.cancel.clone_from(cancel);
        self.pricing = *pricing;
        self.block_size = *block_size;
        self.next_arc = *next_arc;
        self.candidates.clone_from(candidates);
        self.minor_left = *minor_left;
        self.seeds.clone_from(seeds);
        self.path.clone_from(path);
        self.runs.clone_from(runs);
        self.stats = *stats;
        self.raised.clone_from(raised);
        self.local.clone_from(local);
    }
}

/// Arcs noted since a simplex was copied, or `all` of them: too many to
/// list, or changed wholesale.
#[derive(Clone, Default)]
pub(super) struct ArcLog {
    pub(super) arcs: Vec<u32>,
    pub(super) all: bool,
}

impl ArcLog {
    /// A log that holds every arc.
    pub(super) fn everything() -> ArcLog {
        ArcLog {
            arcs: Vec::new(),
            all: true,
        }
    }

    /// Notes arc `a`; past `limit` arcs the log holds them all instead.
    pub(super) fn note(&mut self, a: usize, limit: usize) {
        if self.all {
            return;
        }
        if self.arcs.len() >= limit {
            self.all = true;
            self.arcs = Vec::new();
        } else {
            self.arcs.push(a as u32);
        }
    }

    /// Forgets every arc noted (keeping the buffer).
    pub(super) fn clear(&mut self) {
        self.arcs.clear();
        self.all = false;
    }

    /// Whether nothing is noted.
    pub(super) fn is_empty(&self) -> bool {
        !self.all && self.arcs.is_empty()
    }

    /// Copies back into `to` the values in `from` of the arcs noted here
    /// below `below` (of every arc below it when `all`): what undoes the
    /// changes logged since `to` was a copy of `from`.
    pub(super) fn copy_back<T: Copy>(&self, from: &[T], to: &mut [T], below: usize) {
        if self.all {
            to[..below].copy_from_slice(&from[..below]);
        } else {
            for &a in self.arcs.iter().filter(|&&a| (a as usize) < below) {
                to[a as usize] = from[a as usize];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::simplex::tests::{assert_same, random_network, xorshift};
    use super::super::{Resolver, SolveOptions};

    /// A copy of a solved resolver, changed and re-solved (capacities
    /// raised at their upper bound, brought in by primal pivots, or
    /// lowered, settled by dual pivots; supplies moved), then restored from
    /// its base, equals the base in every arc and node: whatever its
    /// pivots moved was logged. Then it re-solves like the base.
    #[test]
    fn restored_copies_equal_their_base() {
        let mut primal = 0;
        for seed in 0..300u64 {
            let mut next = xorshift(seed, 7);
            let n = 4 + next(10) as usize;
            let net = random_network(&mut next, n, 4);
            let mut base = Resolver::new(&net, None, &SolveOptions::default()).unwrap();
            base.prepare_amount_changes();
            let Ok(first) = base.resolve() else {
                continue;
            };
            let mut copy = base.clone();
            for round in 0..3 {
                for _ in 0..=next(3) {
                    let a = next(net.arc_count() as u64) as usize;
                    let cap = copy.simplex.cap[a];
                    let raised = copy.simplex.flow[a] == cap || next(2) == 0;
                    let to = if raised {
                        cap + 1 + next(3) as i64
                    } else {
                        next(cap as u64 + 1) as i64
                    };
                    copy.set_capacity(a, to).unwrap();
                }
                let (s, t) = (next(n as u64) as usize, next(n as u64) as usize);
                if s != t && next(2) == 0 {
                    copy.set_supply(s, copy.simplex.supply[s] + 1).unwrap();
                    copy.set_supply(t, copy.simplex.supply[t] - 1).unwrap();
                }
                if let Ok(sol) = copy.resolve() {
                    primal += usize::from(sol.stats.pivots > sol.stats.dual_pivots);
                }
                copy.restore_from(&base);
                assert_same(
                    &copy.simplex,
                    &base.simplex,
                    &format!("seed {seed} round {round}"),
                );
                assert_eq!(
                    copy.resolve().unwrap().cost,
                    first.cost,
                    "seed {seed} round {round}"
                );
            }
        }
        assert!(primal > 100, "re-solves must take primal pivots ({primal})");
    }
}
