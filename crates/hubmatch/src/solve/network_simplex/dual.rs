//! Dual network simplex: restoring primal feasibility of an optimal tree
//! after capacity and supply changes, keeping its potentials optimal.
//!
//! A [`super::Resolver`] whose last solve was optimal keeps its tree when
//! capacities or supplies change: the new amounts are pushed along tree
//! paths ([`Simplex::push_supply`], [`Simplex::change_capacity`]), which may
//! leave some tree arcs above their capacity or below zero, while every
//! reduced cost keeps its optimal sign. Each dual pivot takes such an arc
//! out of the tree at the bound it broke: the subtree it cut off is joined
//! again by the crossing arc that can carry the excess and has the smallest
//! reduced cost (the dual ratio test), so potentials move only by that
//! amount and stay optimal. When no tree arc is out of bounds the tree is
//! optimal. Compared with hanging the broken subtrees from artificial arcs
//! (whose big-M cost shifts their potentials and sends the primal simplex
//! through hundreds of pivots), a small change takes a few dual pivots:
//! halving 1% of the offers of a 5,000-need community takes about 28
//! instead of about 500 primal ones.
//!
//! The most broken arc goes first (ties: the lowest arc index), which took a
//! third of the pivots of a last-in-first-out order (deepest first took
//! 2.6 times the pivots on district-13's closures, least broken first six
//! times). The candidates are the arcs whose flow or capacity changed since
//! the tree was copied (every tree arc when those are not listed), then
//! those each pivot's cycle leaves out of bounds.
//!
//! Complexity: each dual pivot costs O(|subtree|) to mark the subtree
//! plus, to find the entering arc, O(arcs incident to the side of the cut
//! with fewer of them: the subtree's nodes, or the rest of the thread) —
//! at most O(m) — less where a node's arcs on one side cannot enter (only
//! arcs at their upper bound could, and it has none: an offer's
//! eligibility edges when its capacity falls); then the tree update of a
//! primal pivot and O(k log k) for the k broken-arc candidates. The number
//! of dual pivots has no useful bound (the method is exponential in the
//! worst case), and each can cost far more than a primal one, so the
//! caller gives up when more than a few arcs break at once, the pivots run
//! long, or the ratio tests have read a few times the arcs, and repairs
//! (or restarts) the tree instead.

use std::ops::Range;

use super::ArcState;
use super::simplex::Simplex;

/// Network arcs incident to each node in CSR form, each entry the arc,
/// its other end and its cost: first the arcs leaving the node, then those
/// entering it; built once per [`super::Resolver`]. Artificial arcs are
/// left out: their orientation changes.
#[derive(Clone)]
pub(super) struct Incidence {
    start: Vec<u32>,
    /// Where each node's entering arcs start.
    mid: Vec<u32>,
    arc: Vec<u32>,
    other: Vec<u32>,
    /// The arcs' costs when built (local pricing reads them in this order,
    /// see `local`).
    cost: Vec<i64>,
    /// Whether those are the costs the simplex was built with (none had
    /// changed, see `Simplex::costs_changed`).
    pub(super) built_costs: bool,
}

impl Incidence {
    pub(super) fn build(s: &Simplex) -> Incidence {
        let (n, m) = (s.n, s.m);
        let mut out_degree = vec![0u32; n];
        let mut start = vec![0u32; n + 1];
        for a in 0..m {
            out_degree[s.source[a] as usize] += 1;
            start[s.source[a] as usize + 1] += 1;
            start[s.target[a] as usize + 1] += 1;
        }
        for v in 0..n {
            start[v + 1] += start[v];
        }
        let mid: Vec<u32> = (0..n).map(|v| start[v] + out_degree[v]).collect();
        let mut fill_out = start.clone();
        let mut fill_in = mid.clone();
        let mut arc = vec![0u32; start[n] as usize];
        let mut other = vec![0u32; start[n] as usize];
        let mut cost = vec![0i64; start[n] as usize];
        for a in 0..m {
            let (u, v) = (s.source[a] as usize, s.target[a] as usize);
            let at = fill_out[u] as usize;
            (arc[at], other[at], cost[at]) = (a as u32, v as u32, s.cost[a]);
            fill_out[u] += 1;
            let at = fill_in[v] as usize;
            (arc[at], other[at], cost[at]) = (a as u32, u as u32, s.cost[a]);
            fill_in[v] += 1;
        }
        Incidence {
            start,
            mid,
            arc,
            other,
            cost,
            built_costs: !s.costs_changed,
        }
    }

    /// The number of nodes.
    pub(super) fn node_count(&self) -> usize {
        self.start.len() - 1
    }

    /// The number of network arcs (each is listed at both its ends).
    pub(super) fn arc_count(&self) -> usize {
        self.arc.len() / 2
    }

    /// The network arcs at node `v`, each with its other end and its cost
    /// when built: (those leaving it, those entering it).
    pub(super) fn arcs_at(&self, v: usize) -> (ArcsAt<'_>, ArcsAt<'_>) {
        let (start, mid, end) = (
            self.start[v] as usize,
            self.mid[v] as usize,
            self.start[v + 1] as usize,
        );
        let at = |r: std::ops::Range<usize>| ArcsAt {
            arc: &self.arc[r.clone()],
            other: &self.other[r.clone()],
            cost: &self.cost[r],
        };
        (at(start..mid), at(mid..end))
    }
}

/// Some arcs at a node (see [`Incidence::arcs_at`]).
pub(super) struct ArcsAt<'a> {
    pub(super) arc: &'a [u32],
    pub(super) other: &'a [u32],
    pub(super) cost: &'a [i64],
}

impl ArcsAt<'_> {
    /// No arcs.
    pub(super) const NONE: ArcsAt<'static> = ArcsAt {
        arc: &[],
        other: &[],
        cost: &[],
    };
}

/// Scratch for the dual pivots: the current subtree's nodes, marked, and
/// the tree arcs whose flow changed (the only ones that can be broken).
#[derive(Default)]
pub(super) struct DualScratch {
    mark: Vec<u32>,
    stamp: u32,
    nodes: Vec<u32>,
    suspects: Vec<u32>,
    /// Network arcs at their upper bound leaving / entering each node: a
    /// ratio test skips the arcs of a node on the side where only arcs at
    /// that bound could enter and none is (most of them, in matching
    /// networks, where an eligibility edge never reaches its bound).
    upper_out: Vec<u32>,
    upper_in: Vec<u32>,
    /// Subtree nodes and incidence entries scanned in this dual phase.
    work: usize,
}

impl Clone for DualScratch {
    fn clone(&self) -> Self {
        let mut copy = DualScratch::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, from: &Self) {
        let DualScratch {
            mark,
            stamp,
            nodes,
            suspects,
            upper_out,
            upper_in,
            work,
        } = from;
        self.mark.clone_from(mark);
        self.stamp = *stamp;
        self.nodes.clone_from(nodes);
        self.suspects.clone_from(suspects);
        self.upper_out.clone_from(upper_out);
        self.upper_in.clone_from(upper_in);
        self.work = *work;
    }
}

/// When the dual phase gives way to repairing the tree.
pub(super) struct DualLimits {
    /// Tree arcs broken to begin with.
    pub broken: usize,
    /// Dual pivots.
    pub pivots: usize,
    /// Nodes and incidence entries scanned by the ratio tests.
    pub work: usize,
}

impl Simplex {
    /// Adds `delta` to the supply of `node` and sends it to the root along
    /// the tree (the root's balance is restored once supplies sum to zero
    /// again). Tree arcs on the path may leave their bounds.
    pub(super) fn push_supply(&mut self, node: usize, delta: i64) {
        self.supply[node] += delta;
        let mut u = node as u32;
        while u != self.root {
            let a = self.pred[u as usize] as usize;
            self.flow[a] += if self.source[a] == u { delta } else { -delta };
            self.note_moved(a);
            u = self.parent[u as usize];
        }
    }

    /// The child end of a tree arc whose flow is out of its bounds, taken
    /// from the suspects (tree arcs whose flow changed), if any.
    fn broken_tree_arc(&self, suspects: &mut Vec<u32>) -> Option<u32> {
        // Keep only broken tree arcs; take the most broken (ties: lowest arc).
        let mut best: Option<(i64, u32)> = None;
        suspects.retain(|&a| {
            let i = a as usize;
            if self.state[i] != ArcState::Tree as i8 {
                return false;
            }
            let (f, cap) = (self.flow[i], self.cap[i]);
            let by = if f < 0 { -f } else { f - cap };
            if by <= 0 {
                return false;
            }
            if best.is_none_or(|(b, x)| (by, std::cmp::Reverse(a)) > (b, std::cmp::Reverse(x))) {
                best = Some((by, a));
            }
            true
        });
        suspects.sort_unstable();
        suspects.dedup();
        let (_, a) = best?;
        let (u, v) = (self.source[a as usize], self.target[a as usize]);
        Some(if self.pred[u as usize] == a { u } else { v })
    }

    /// Whether every tree arc is within its bounds and lets flow reach the
    /// root (Cunningham's strong feasibility, which the primal pivots need).
    pub(super) fn strongly_feasible(&self) -> bool {
        (0..self.n).all(|v| {
            let a = self.pred[v] as usize;
            let (f, cap) = (self.flow[a], self.cap[a]);
            let up = self.source[a] as usize == v;
            (0..=cap).contains(&f) && (if up { f < cap } else { f > 0 })
        })
    }

    /// Runs dual pivots until every tree arc is within its bounds. False,
    /// and the caller rebuilds the tree, when more arcs than the limit are
    /// broken to begin with (nothing is done then), when the limits of
    /// pivots or of work did not suffice, or when no arc could take a
    /// subtree's excess (the tree is valid then, but not feasible). Needs
    /// potentials that price every arc optimally.
    pub(super) fn dual_phase(
        &mut self,
        incidence: &Incidence,
        scratch: &mut DualScratch,
        limits: &DualLimits,
    ) -> bool {
        // A tree arc breaks only if its flow or capacity changed since the
        // last solve, when every tree arc was within its bounds: the arcs
        // logged since this tree was copied are suspects (a superset), else
        // every tree arc is. Reading every tree arc took 3% of a sweep's
        // re-solves on district-13 per community.
        let mut suspects = std::mem::take(&mut scratch.suspects);
        suspects.clear();
        if self.moved.all || self.caps_changed.all {
            suspects.extend((0..self.n).rev().map(|v| self.pred[v]));
        } else {
            suspects.extend(self.moved.arcs.iter().chain(&self.caps_changed.arcs));
        }
        // Arcs at their upper bound per node: one pass over the states
        // (a byte per arc), kept up to date by the dual pivots below.
        let counts = (&mut scratch.upper_out, &mut scratch.upper_in);
        self.count_upper((self.m, self.n), counts);
        let mut done = false;
        scratch.work = 0;
        for k in 0..=limits.pivots {
            let Some(out) = self.broken_tree_arc(&mut suspects) else {
                done = true;
                break;
            };
            // Each broken arc costs several dual pivots, each up to O(m):
            // many of them are cheaper to repair wholesale.
            if (k == 0 && suspects.len() > limits.broken) || scratch.work > limits.work {
                break;
            }
            if !self.dual_pivot(out, incidence, scratch, &mut suspects) {
                break;
            }
        }
        scratch.suspects = suspects;
        done
    }

    /// Takes the broken tree arc above `out` out of the tree at the bound it
    /// broke; false when no arc can carry the excess.
    fn dual_pivot(
        &mut self,
        out: u32,
        incidence: &Incidence,
        scratch: &mut DualScratch,
        suspects: &mut Vec<u32>,
    ) -> bool {
        let l = self.pred[out as usize] as usize;
        let (x, cap) = (self.flow[l], self.cap[l]);
        let over = x > cap;
        let delta = if over { x - cap } else { -x };
        // `l` leaving the subtree and falling to its bound, or entering it
        // and rising, means less outflow through `l`: the entering arc must
        // then send more out of the subtree (and less otherwise).
        let leaves = self.source[l] == out;
        let more_out = over == leaves;
        let Some(e) = self.dual_entering(out, more_out, incidence, scratch) else {
            return false;
        };
        // Push `delta` around the cycle of `e` in its direction of change.
        let (at_lower, cycle) = self.cycle_of(e);
        self.push_around(e, at_lower, cycle, delta, Some(suspects));
        let (first, second, _) = cycle;
        suspects.push(e as u32);
        debug_assert!(self.flow[l] == 0 || self.flow[l] == cap);
        self.stats.pivots += 1;
        self.stats.dual_pivots += 1;
        // At the bound it broke, even an upper bound of 0: that is the
        // side its reduced cost has after the shift.
        self.state[l] = if over {
            ArcState::Upper as i8
        } else {
            ArcState::Lower as i8
        };
        if over && l < self.m {
            scratch.upper_out[self.source[l] as usize] += 1;
            scratch.upper_in[self.target[l] as usize] += 1;
        }
        if self.state[e] == ArcState::Upper as i8 && e < self.m {
            scratch.upper_out[self.source[e] as usize] -= 1;
            scratch.upper_in[self.target[e] as usize] -= 1;
        }
        self.state[e] = ArcState::Tree as i8;
        self.note_moved(l); // on the cycle too, but its state is new
        let inside = scratch.mark[first as usize] == scratch.stamp;
        let (u_in, v_in) = if inside {
            (first, second)
        } else {
            (second, first)
        };
        self.rehang(out, u_in, v_in, e as u32);
        true
    }

    /// The dual ratio test: among non-tree arcs crossing the boundary of
    /// `out`'s subtree that can change its outflow in the wanted direction,
    /// the one with the smallest reduced cost (ties: lowest arc index).
    fn dual_entering(
        &self,
        out: u32,
        more_out: bool,
        incidence: &Incidence,
        scratch: &mut DualScratch,
    ) -> Option<usize> {
        // Mark the subtree: `out` and the thread after it while deeper.
        if scratch.mark.len() != self.n + 1 {
            scratch.mark = vec![0; self.n + 1];
            scratch.stamp = 0;
        }
        scratch.stamp = scratch.stamp.wrapping_add(1);
        if scratch.stamp == 0 {
            scratch.mark.fill(0);
            scratch.stamp = 1;
        }
        scratch.nodes.clear();
        let (upper_out, upper_in) = (&scratch.upper_out, &scratch.upper_in);
        // A node's arcs that a scan from its side of the cut would read:
        // from inside, leaving arcs unless only those at their upper bound
        // could enter and it has none, and likewise entering ones; from
        // outside the same with the sides swapped (its leaving arcs enter
        // the subtree).
        let ranges = |v: usize, inside: bool| {
            let (lo, mid, hi) = (
                incidence.start[v] as usize,
                incidence.mid[v] as usize,
                incidence.start[v + 1] as usize,
            );
            let (need_out_upper, need_in_upper) = if inside == more_out {
                (false, true)
            } else {
                (true, false)
            };
            let leaving = if !need_out_upper || upper_out[v] > 0 {
                lo..mid
            } else {
                mid..mid
            };
            let entering = if !need_in_upper || upper_in[v] > 0 {
                mid..hi
            } else {
                mid..mid
            };
            (leaving, entering)
        };
        let depth = self.depth[out as usize];
        let mut v = out;
        // Entries a scan from inside would read, and all of the subtree's.
        let (mut inside_reads, mut inside_entries) = (0, 0);
        loop {
            let i = v as usize;
            scratch.mark[i] = scratch.stamp;
            scratch.nodes.push(v);
            let (leaving, entering) = ranges(i, true);
            inside_reads += 1 + leaving.len() + entering.len();
            inside_entries += (incidence.start[i + 1] - incidence.start[i]) as usize;
            v = self.thread[v as usize];
            if v == self.root || self.depth[v as usize] <= depth {
                break;
            }
        }
        // The thread after the subtree, round through the root back to it:
        // the nodes outside, whose entries are all the others.
        let after = v;
        let outside_entries = incidence.arc.len() - inside_entries;
        let view = RatioView {
            state: &self.state,
            cost: &self.cost,
            pi: &self.pi,
            mark: &scratch.mark,
            stamp: scratch.stamp,
            more_out,
        };
        // (ratio, arc) of the best candidate so far; no arc has index MAX.
        let mut best = (i64::MAX, usize::MAX);
        // The crossing arcs, read from either side's incidence: the same
        // arcs and the same choice (ties go to the lowest arc index), so
        // the side is the one with fewer entries to read. After a capacity
        // cut most subtrees are small, but some hold nine tenths of the
        // network, and those took two thirds of the reads (district-13 per
        // community, every 100th provider closed). More outflow comes from
        // a leaving arc rising off its lower bound or an entering one
        // falling from its upper bound, less outflow the other way round.
        if outside_entries < inside_reads {
            let mut v = after;
            while v != out {
                if v != self.root {
                    let v = v as usize;
                    let sides = ranges(v, false);
                    scratch.work += view.scan_node::<false>(incidence, v, sides, &mut best);
                }
                v = self.thread[v as usize];
            }
        } else {
            for &v in &scratch.nodes {
                let v = v as usize;
                let sides = ranges(v, true);
                scratch.work += view.scan_node::<true>(incidence, v, sides, &mut best);
            }
        }
        // Artificial arcs join the subtree's nodes to the root, outside it.
        for &v in &scratch.nodes {
            let a = self.m + v as usize;
            let (u, w) = (self.source[a] as usize, self.target[a] as usize);
            view.consider(a, u, w, u == v as usize, &mut best);
        }
        (best.1 != usize::MAX).then_some(best.1)
    }
}

/// What a dual ratio test reads, as slices: the scan of a node's arcs then
/// loads no vector headers per arc.
struct RatioView<'a> {
    state: &'a [i8],
    cost: &'a [i64],
    pi: &'a [i64],
    mark: &'a [u32],
    stamp: u32,
    more_out: bool,
}

impl RatioView<'_> {
    /// Considers arc `a` from `from` to `to` (`from_inside`: it leaves the
    /// subtree): it is a candidate when moving off its bound changes the
    /// subtree's outflow in the wanted direction; the best has the smallest
    /// reduced cost, ties the lowest index.
    #[inline]
    fn consider(
        &self,
        a: usize,
        from: usize,
        to: usize,
        from_inside: bool,
        best: &mut (i64, usize),
    ) {
        let st = self.state[a];
        // Moving off its bound, the arc sends more out of the subtree when
        // it leaves it and gains flow, or enters it and loses flow.
        if st == ArcState::Tree as i8
            || (from_inside == (st == ArcState::Lower as i8)) != self.more_out
        {
            return;
        }
        let ratio = i64::from(st) * (self.cost[a] + self.pi[from] - self.pi[to]);
        if (ratio, a) < *best {
            *best = (ratio, a);
        }
    }

    /// Considers node `v`'s `leaving` and `entering` arcs (ranges of its
    /// incidence), `v` inside the subtree when `INSIDE`; returns the
    /// entries read (and the node itself).
    fn scan_node<const INSIDE: bool>(
        &self,
        incidence: &Incidence,
        v: usize,
        (leaving, entering): (Range<usize>, Range<usize>),
        best: &mut (i64, usize),
    ) -> usize {
        let reads = 1 + leaving.len() + entering.len();
        let (arcs, others) = (&incidence.arc[leaving.clone()], &incidence.other[leaving]);
        self.scan::<true, INSIDE>(v, arcs, others, best);
        let (arcs, others) = (&incidence.arc[entering.clone()], &incidence.other[entering]);
        self.scan::<false, INSIDE>(v, arcs, others, best);
        reads
    }

    /// Considers the arcs `arcs` of node `v` whose other ends `others` lie
    /// across the cut: leaving `v` when `OUTWARD`, `v` inside the subtree
    /// when `INSIDE`.
    #[inline]
    fn scan<const OUTWARD: bool, const INSIDE: bool>(
        &self,
        v: usize,
        arcs: &[u32],
        others: &[u32],
        best: &mut (i64, usize),
    ) {
        for (&a, &w) in arcs.iter().zip(others) {
            let w = w as usize;
            if (self.mark[w] == self.stamp) == INSIDE {
                continue;
            }
            // Leaving `v`'s side: inside, it leaves the subtree.
            if OUTWARD {
                self.consider(a as usize, v, w, INSIDE, best);
            } else {
                self.consider(a as usize, w, v, !INSIDE, best);
            }
        }
    }
}
