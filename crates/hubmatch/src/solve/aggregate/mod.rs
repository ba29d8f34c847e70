//! Exact aggregation of interchangeable needs.
//!
//! Needs with the same multiset of (offer, weight) edges are interchangeable:
//! any feasible flow can move units between them without changing its weight.
//! So they are merged into one *class* node carrying their summed units; the
//! class problem has the same optimum, and its flow is split back over the
//! members deterministically (members in input order, class edges in
//! signature order, each member filled before the next). Every member takes
//! its class's potential, so the split solution carries a valid certificate
//! for the original problem.
//!
//! Cost: O(E log d) to sort each need's edges (d = its degree), O(E) to hash
//! the signatures and compare each need with its class's first member; the
//! split is O(E).

use std::hash::Hasher;

use rustc_hash::{FxHashMap, FxHasher};

use crate::graph::BipartiteProblem;
use crate::solve::network_simplex::ArcFlows;

mod refine;

pub(crate) use refine::Inserted;
use refine::NewRuns;

/// The classes of a problem and the aggregated problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregation {
    /// The class problem (classes as needs, same offers and groups).
    pub problem: BipartiteProblem,
    /// Class of each original need.
    pub class_of: Vec<u32>,
    /// Each need's edges in signature order (original edge indices), flattened.
    sorted_edges: Vec<u32>,
    /// Where each need's run in `sorted_edges` starts (length needs + 1).
    offsets: Vec<u32>,
    /// Members of each class in input order, flattened, with offsets.
    members: Vec<u32>,
    member_offsets: Vec<u32>,
    /// When the classes are another aggregation's grown alike, the new
    /// edges of each need's run, the runs themselves (`sorted_edges`) left
    /// unwritten until [`Aggregation::write_inserted`] (see
    /// `Aggregation::grown_alike`).
    new_runs: Option<Box<NewRuns>>,
}

impl Aggregation {
    /// Groups the needs of `p` into classes. Returns `None` when no two needs
    /// are interchangeable (nothing to gain).
    ///
    /// ```
    /// use hubmatch::graph::BipartiteProblem;
    /// use hubmatch::solve::aggregate::Aggregation;
    /// // Needs 0 and 2 have the same edges (in another order); need 1 differs.
    /// let p = BipartiteProblem::simple(vec![1, 2, 3], vec![4, 4],
    ///     &[(0, 0, 5), (0, 1, 2), (1, 0, 5), (2, 1, 2), (2, 0, 5)]);
    /// let agg = Aggregation::build(&p).unwrap();
    /// assert_eq!(agg.problem.units, vec![4, 2]);
    /// assert_eq!(agg.class_of, vec![0, 1, 0]);
    /// ```
    pub fn build(p: &BipartiteProblem) -> Option<Aggregation> {
        let n = p.need_count();
        // Edges of each need, then each run sorted.
        let (offsets, mut sorted_edges) = p.edges_by_need();
        let key = |k: &u32| (p.edge_offer[*k as usize], p.edge_weight[*k as usize], *k);
        for i in 0..n {
            let run = &mut sorted_edges[offsets[i] as usize..offsets[i + 1] as usize];
            // A network's runs often come sorted already (a need's edges
            // follow the offers' order).
            if !run.is_sorted_by_key(key) {
                run.sort_unstable_by_key(key);
            }
        }
        // A need's signature: its unserved group (a coverage floor is part
        // of its identity) and its sorted (offer, weight) edges. Needs are
        // grouped by a hash of it, each hash's classes chained and compared
        // edge by edge: no signature is copied out (a Vec and a SipHash per
        // need took most of a network's build).
        let run = |i: usize| &sorted_edges[offsets[i] as usize..offsets[i + 1] as usize];
        let ends = |k: &u32| (p.edge_offer[*k as usize], p.edge_weight[*k as usize]);
        let same = |i: usize, j: usize| {
            p.unserved_group_of(i) == p.unserved_group_of(j)
                && run(i).len() == run(j).len()
                && run(i).iter().map(ends).eq(run(j).iter().map(ends))
        };
        let hash = |i: usize| {
            let mut h = FxHasher::default();
            h.write_u32(p.unserved_group_of(i).map_or(u32::MAX, |g| g));
            for k in run(i) {
                let (offer, weight) = ends(k);
                h.write_u32(offer);
                h.write_i64(weight);
            }
            h.finish()
        };
        // First class of each hash, and the next class of the same hash.
        let mut first: FxHashMap<u64, u32> = FxHashMap::default();
        first.reserve(n);
        let mut next_same: Vec<u32> = Vec::new();
        let mut class_of = Vec::with_capacity(n);
        let mut class_units: Vec<i64> = Vec::new();
        let mut representative: Vec<u32> = Vec::new();
        for i in 0..n {
            let fresh = class_units.len() as u32;
            let mut c = *first.entry(hash(i)).or_insert(fresh);
            if c != fresh {
                // Walk the hash's chain to the class with this signature,
                // or to its end, where a new class is linked.
                loop {
                    if same(representative[c as usize] as usize, i) {
                        break;
                    }
                    let after = next_same[c as usize];
                    if after == u32::MAX {
                        next_same[c as usize] = fresh;
                        c = fresh;
                        break;
                    }
                    c = after;
                }
            }
            if c == fresh {
                class_units.push(0);
                representative.push(i as u32);
                next_same.push(u32::MAX);
            }
            class_units[c as usize] += p.units[i];
            class_of.push(c);
        }
        Self::assemble(
            p,
            class_of,
            class_units,
            &representative,
            sorted_edges,
            offsets,
        )
    }

    /// The aggregation of `p` into the classes `class_of` (numbered by
    /// first member, `representative` of each, `class_units` summed), from
    /// its needs' runs in signature order; `None` when no two needs share
    /// a class.
    fn assemble(
        p: &BipartiteProblem,
        class_of: Vec<u32>,
        class_units: Vec<i64>,
        representative: &[u32],
        sorted_edges: Vec<u32>,
        offsets: Vec<u32>,
    ) -> Option<Aggregation> {
        let n = p.need_count();
        let k = class_units.len();
        if k == n {
            return None;
        }
        let mut member_offsets = vec![0u32; k + 1];
        for &c in &class_of {
            member_offsets[c as usize + 1] += 1;
        }
        for c in 0..k {
            member_offsets[c + 1] += member_offsets[c];
        }
        let mut fill = member_offsets.clone();
        let mut members = vec![0u32; n];
        for (i, &c) in class_of.iter().enumerate() {
            members[fill[c as usize] as usize] = i as u32;
            fill[c as usize] += 1;
        }
        let mut problem = BipartiteProblem {
            units: class_units,
            offer_capacity: p.offer_capacity.clone(),
            offer_group: p.offer_group.clone(),
            group_capacity: p.group_capacity.clone(),
            unserved_penalty: p.unserved_penalty,
            unserved_group: if p.unserved_group.is_empty() {
                Vec::new()
            } else {
                representative
                    .iter()
                    .map(|&r| p.unserved_group_of(r as usize))
                    .collect()
            },
            unserved_limit: p.unserved_limit.clone(),
            unserved_parent: p.unserved_parent.clone(),
            ..BipartiteProblem::default()
        };
        let run = |r: u32| offsets[r as usize] as usize..offsets[r as usize + 1] as usize;
        // Reserved: pushing a network's class edges one by one reallocated
        // them a dozen times (about 2% of a grown network's re-solve).
        let class_edges: usize = representative.iter().map(|&r| run(r).len()).sum();
        problem.edge_need.reserve_exact(class_edges);
        problem.edge_offer.reserve_exact(class_edges);
        problem.edge_weight.reserve_exact(class_edges);
        for (c, &r) in representative.iter().enumerate() {
            for &e in &sorted_edges[run(r)] {
                problem.edge_need.push(c as u32);
                problem.edge_offer.push(p.edge_offer[e as usize]);
                problem.edge_weight.push(p.edge_weight[e as usize]);
            }
        }
        Some(Aggregation {
            problem,
            class_of,
            sorted_edges,
            offsets,
            members,
            member_offsets,
            new_runs: None,
        })
    }

    /// Number of classes.
    pub fn class_count(&self) -> usize {
        self.problem.need_count()
    }

    /// Splits class edge flows back over the original edges, returning
    /// (edge flows, unserved units per need).
    pub fn split(&self, original: &BipartiteProblem, class_flow: &[i64]) -> (Vec<i64>, Vec<i64>) {
        let mut flow = vec![0i64; original.edge_count()];
        let mut unserved = original.units.clone();
        let mut class_edge = 0usize;
        for c in 0..self.class_count() {
            let class_flow = class_flow.into();
            class_edge += self.split_class(c, class_edge, class_flow, &mut flow, &mut unserved);
        }
        (flow, unserved)
    }

    /// [`Aggregation::split`] of classes whose runs are left unwritten
    /// (`base`'s grown alike, see `NewRuns`): each class's members' runs
    /// are written as the class splits, not kept.
    pub(crate) fn split_deferred(
        &self,
        base: &Aggregation,
        original: &BipartiteProblem,
        class_flow: &[i64],
    ) -> (Vec<i64>, Vec<i64>) {
        let mut flow = vec![0i64; original.edge_count()];
        let mut unserved = original.units.clone();
        let (mut class_edge, mut runs) = (0usize, Vec::new());
        for c in 0..self.class_count() {
            let degree = self.member_runs(c, base, &mut runs);
            let run = |m: usize| &runs[m * degree..(m + 1) * degree];
            let class_flow = class_flow.into();
            class_edge +=
                self.split_runs((c, run), class_edge, class_flow, &mut flow, &mut unserved);
        }
        (flow, unserved)
    }

    /// [`Aggregation::split`] for amounts near those of an earlier split,
    /// `base`: a class whose edge flows and members' units are those of the
    /// base splits as it did then (each class splits on its own), so its
    /// members' flows are the base's; only the other classes split again.
    /// The same result as `split`. The edge flows are written into the
    /// buffer `base.spare` kept from the last split near the same base, if
    /// any: only the classes split then are reset to the base's, so a split
    /// costs O(class edges) comparing plus O(changed classes' edges) instead
    /// of copying every edge's flow (13.9 MB on district-13 pooled, 2.3 ms
    /// and more when the copy's pages are new); O(classes + needs) plus the
    /// touched classes' edges when the class edges whose flows may differ
    /// are known (see [`SplitSpare::prepare`]).
    pub(crate) fn split_near(
        &self,
        original: &BipartiteProblem,
        class_flow: &[i64],
        base: &mut SplitBase<'_>,
    ) -> (Vec<i64>, Vec<i64>) {
        let spare = &mut base.spare;
        let mut flow = std::mem::take(&mut spare.flow);
        if flow.len() == base.edge_flow.len() {
            for &e in &spare.moved {
                flow[e as usize] = base.edge_flow[e as usize];
            }
        } else {
            flow.clear();
            flow.extend_from_slice(base.edge_flow);
        }
        spare.moved.clear();
        // Class edges outside `touched` (when known) carry the base's flows.
        spare.touched.sort_unstable();
        let touched = std::mem::take(&mut spare.touched_known).then_some(&spare.touched);
        let mut next = 0;
        let mut unserved = base.unserved.to_vec();
        let mut class_edge = 0usize;
        // Every need's units compared at once (one slice comparison) spares
        // comparing them class by class, member by member.
        let all_same_units = original.units == base.units;
        for c in 0..self.class_count() {
            let degree = self.degree_of(c);
            let edges = class_edge..class_edge + degree;
            let may_differ = touched.as_ref().is_none_or(|t| {
                while next < t.len() && (t[next] as usize) < class_edge {
                    next += 1;
                }
                next < t.len() && (t[next] as usize) < edges.end
            });
            debug_assert!(
                may_differ || class_flow[edges.clone()] == base.class_flow[edges.clone()]
            );
            let same = (!may_differ || class_flow[edges.clone()] == base.class_flow[edges])
                && (all_same_units || self.same_units(c, original, base.units));
            if !same {
                let emptied = (&mut spare.moved, None);
                self.empty_members(c, original, (&mut flow, &mut unserved), emptied);
                self.split_class(c, class_edge, class_flow.into(), &mut flow, &mut unserved);
            }
            class_edge += degree;
        }
        spare.fresh = true;
        (flow, unserved)
    }

    /// [`Aggregation::split`] of a grown problem `original` whose classes
    /// (these) are `base`'s grown alike (see [`Aggregation::refinement_deferred`]:
    /// each need's run is its base run and then its new edges, each class's
    /// edges its base ones and then its new ones), near `base_split`, the
    /// base problem's split: a class whose old edges carry the base's flows
    /// and whose new ones none, and whose members' units are the base's,
    /// splits as it did then, so its members' flows are the base's, moved
    /// to their grown runs (their new edges carry none). Only the other
    /// classes split again. The same result as `split`, in O(edges) copied
    /// in stretches and O(class edges) compared, plus the changed classes'
    /// edges; `None` when the problems are not grown so. `touched`, when
    /// known, lists the class edges whose flows may differ from the base's
    /// moved to the grown class problem (those a re-solve from the grown
    /// base tree moved): the other classes' flows are not compared. The
    /// split also lists the edges of the needs split again, with their
    /// flows in the moved base split (see [`GrownSplit`]). The edge flows
    /// are written into `buffer` (its memory reused).
    pub(crate) fn split_grown_near(
        &self,
        original: &BipartiteProblem,
        class_flow: ArcFlows<'_>,
        base: &Aggregation,
        (base_split, touched): (&SplitBase<'_>, Option<&[u32]>),
        buffer: Vec<i64>,
    ) -> Option<GrownSplit> {
        let (n, k) = (self.class_of.len(), self.class_count());
        let fits = base.class_of.len() == n
            && base.class_count() == k
            && original.need_count() == n
            && base_split.units.len() == n
            && base_split.unserved.len() == n
            && base_split.edge_flow.len() == base.offsets[n] as usize
            && self.offsets[n] as usize == original.edge_count()
            && class_flow.len() == self.problem.edge_count()
            && base_split.class_flow.len() == base.problem.edge_count();
        if !fits {
            return None;
        }
        // The base's edge flows moved to the grown runs, in stretches of
        // needs without new edges; new edges carry nothing.
        let mut flow = buffer;
        flow.clear();
        flow.reserve(original.edge_count());
        let mut stretch = 0usize;
        let base_flows = |from: usize, to: usize| {
            &base_split.edge_flow[base.offsets[from] as usize..base.offsets[to] as usize]
        };
        for i in 0..n {
            let grown = self.offsets[i + 1] - self.offsets[i];
            let was = base.offsets[i + 1] - base.offsets[i];
            if grown == was {
                continue;
            }
            if grown < was {
                return None;
            }
            flow.extend_from_slice(base_flows(stretch, i + 1));
            flow.resize(flow.len() + (grown - was) as usize, 0);
            stretch = i + 1;
        }
        flow.extend_from_slice(base_flows(stretch, n));
        let mut unserved = base_split.unserved.to_vec();
        let mut moved = Vec::new();
        let mut moved_base = Vec::new();
        // Classes whose flows may differ (every class when not known).
        let may_differ = touched.map(|arcs| {
            let mut class = vec![false; k];
            for &a in arcs.iter().filter(|&&a| (a as usize) < class_flow.len()) {
                class[self.problem.edge_need[a as usize] as usize] = true;
            }
            class
        });
        let (mut at, mut was_at) = (0usize, 0usize);
        let mut runs = Vec::new();
        // As in `split_near`: every need's units compared at once.
        let all_same_units = original.units == base_split.units;
        for c in 0..k {
            let (degree, was) = (self.degree_of(c), base.degree_of(c));
            if degree < was {
                return None;
            }
            let compared = || {
                class_flow.range_eq(at..at + was, &base_split.class_flow[was_at..was_at + was])
                    && class_flow.range_empty(at + was..at + degree)
            };
            debug_assert!(may_differ.as_ref().is_none_or(|d| d[c]) || compared());
            let same = (may_differ.as_ref().is_some_and(|d| !d[c]) || compared())
                && (all_same_units || self.same_units(c, original, base_split.units));
            if !same {
                // The members' runs, written out here when left unwritten.
                self.member_runs(c, base, &mut runs);
                let run = |m: usize| &runs[m * degree..(m + 1) * degree];
                let emptied = (&mut moved, Some(&mut moved_base));
                self.empty_runs(c, (original, run), (&mut flow, &mut unserved), emptied);
                self.split_runs((c, run), at, class_flow, &mut flow, &mut unserved);
            }
            at += degree;
            was_at += was;
        }
        Some(GrownSplit {
            flow,
            unserved,
            moved,
            moved_base,
        })
    }

    /// Whether the members of class `c` have the units `units` in
    /// `original`.
    fn same_units(&self, c: usize, original: &BipartiteProblem, units: &[i64]) -> bool {
        (self.members_of(c).iter()).all(|&i| original.units[i as usize] == units[i as usize])
    }

    /// Readies class `c` to split again: its members' edges emptied (each
    /// listed in `moved`, with its flow before in `before` when given) and
    /// their unserved units their units in `original`.
    fn empty_members(
        &self,
        c: usize,
        original: &BipartiteProblem,
        (flow, unserved): (&mut [i64], &mut [i64]),
        (moved, before): (&mut Vec<u32>, Option<&mut Vec<i64>>),
    ) {
        let run = |m: usize| self.edges_of(self.members_of(c)[m] as usize);
        self.empty_runs(c, (original, run), (flow, unserved), (moved, before));
    }

    /// [`Aggregation::empty_members`], member `m`'s run (its edges in
    /// signature order) being `run(m)`.
    fn empty_runs<'r>(
        &self,
        c: usize,
        (original, run): (&BipartiteProblem, impl Fn(usize) -> &'r [u32]),
        (flow, unserved): (&mut [i64], &mut [i64]),
        (moved, mut before): (&mut Vec<u32>, Option<&mut Vec<i64>>),
    ) {
        for (m, &i) in self.members_of(c).iter().enumerate() {
            let i = i as usize;
            for &e in run(m) {
                moved.push(e);
                if let Some(before) = before.as_deref_mut() {
                    before.push(flow[e as usize]);
                }
                flow[e as usize] = 0;
            }
            unserved[i] = original.units[i];
        }
    }

    /// The edges of need `i` in signature order (original edge indices);
    /// the runs must be written (see `Aggregation::write_runs`).
    fn edges_of(&self, i: usize) -> &[u32] {
        debug_assert!(self.new_runs.is_none(), "the runs are left unwritten");
        &self.sorted_edges[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    fn members_of(&self, c: usize) -> &[u32] {
        &self.members[self.member_offsets[c] as usize..self.member_offsets[c + 1] as usize]
    }

    /// Edges of class `c` (those of each of its members).
    fn degree_of(&self, c: usize) -> usize {
        let first = self.members[self.member_offsets[c] as usize] as usize;
        (self.offsets[first + 1] - self.offsets[first]) as usize
    }

    /// Splits class `c`, whose edges start at `class_edge`, over its
    /// members (whose flows are 0 and unserved units their units); returns
    /// the class's degree.
    fn split_class(
        &self,
        c: usize,
        class_edge: usize,
        class_flow: ArcFlows<'_>,
        flow: &mut [i64],
        unserved: &mut [i64],
    ) -> usize {
        let run = |m: usize| self.edges_of(self.members_of(c)[m] as usize);
        self.split_runs((c, run), class_edge, class_flow, flow, unserved)
    }

    /// [`Aggregation::split_class`], member `m`'s run being `run(m)`.
    fn split_runs<'r>(
        &self,
        (c, run): (usize, impl Fn(usize) -> &'r [u32]),
        class_edge: usize,
        class_flow: ArcFlows<'_>,
        flow: &mut [i64],
        unserved: &mut [i64],
    ) -> usize {
        let members = self.members_of(c);
        let degree = self.degree_of(c);
        let mut cur = 0usize;
        for (slot, mut f) in class_flow
            .range(class_edge..class_edge + degree)
            .enumerate()
        {
            while f > 0 {
                let i = members[cur] as usize;
                let give = f.min(unserved[i]);
                if give > 0 {
                    let e = run(cur)[slot] as usize;
                    flow[e] += give;
                    unserved[i] -= give;
                    f -= give;
                }
                if unserved[i] == 0 {
                    cur += 1;
                }
            }
        }
        degree
    }
}

/// An earlier split and the amounts it was made from, for
/// [`Aggregation::split_near`], with a buffer kept from the last split near
/// it.
pub(crate) struct SplitBase<'a> {
    /// The class edge flows split then.
    pub class_flow: &'a [i64],
    /// The needs' units then.
    pub units: &'a [i64],
    /// The split's edge flows.
    pub edge_flow: &'a [i64],
    /// The split's unserved units.
    pub unserved: &'a [i64],
    /// The last split near this base, kept for its buffer.
    pub spare: SplitSpare,
}

/// A split of a grown problem near its base's (see
/// [`Aggregation::split_grown_near`]).
pub(crate) struct GrownSplit {
    /// Edge flows of the grown problem.
    pub flow: Vec<i64>,
    /// Unserved units of each need.
    pub unserved: Vec<i64>,
    /// The edges of the needs split again (every edge of each).
    pub moved: Vec<u32>,
    /// Their flows in the base split moved to the grown runs.
    pub moved_base: Vec<i64>,
}

/// Edge flows of a split near a base, kept to write the next one into:
/// they are the base's but for the edges listed. Give the flows back
/// (`flow`) once read; an empty `flow` is a full copy next time.
#[derive(Default)]
pub(crate) struct SplitSpare {
    /// The split's edge flows (empty: none kept).
    pub flow: Vec<i64>,
    /// The edges (original indices) of the needs the last split split
    /// again: where its flows may differ from the base's.
    moved: Vec<u32>,
    /// `moved` describes a split made since [`SplitSpare::prepare`].
    fresh: bool,
    /// The class edges whose flows may differ from the base's class flows,
    /// when `touched_known` (see [`SplitSpare::prepare`]).
    touched: Vec<u32>,
    touched_known: bool,
}

impl SplitSpare {
    /// The edges whose flows the last split near the base may have moved
    /// from the base's (every edge of the needs it split again), if one was
    /// made since [`SplitSpare::prepare`].
    pub(crate) fn moved(&self) -> Option<&[u32]> {
        self.fresh.then_some(&self.moved)
    }

    /// Readies the spare for the next split near the base: forgets which
    /// edges the last one moved, and takes the arcs of the class network
    /// whose flows may differ from the base's (those a re-solve from the
    /// base's tree moved; `None`: any). The split then compares only the
    /// classes whose edges are among them (a few hundred of 90,000 class
    /// edges after 1% of a community's providers close), and those whose
    /// members' units changed.
    pub(crate) fn prepare(&mut self, touched: Option<&[u32]>) {
        self.fresh = false;
        self.touched.clear();
        self.touched.extend_from_slice(touched.unwrap_or_default());
        self.touched_known = touched.is_some();
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::{Aggregation, SplitBase, SplitSpare};
    use crate::graph::BipartiteProblem;

    /// Class flows within each class's units, at random.
    pub(super) fn class_flows(a: &Aggregation, rng: &mut ChaCha8Rng) -> Vec<i64> {
        let mut flow = Vec::new();
        for c in 0..a.class_count() {
            let mut left = a.problem.units[c];
            for _ in 0..a.degree_of(c) {
                let f = rng.random_range(0..=left);
                flow.push(f);
                left -= f;
            }
        }
        flow
    }

    #[test]
    fn split_near_equals_split() {
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            // Few offers and weights: many needs share a signature.
            let needs = 40;
            let mut edges = Vec::new();
            for i in 0..needs {
                for o in 0..3 {
                    if rng.random_bool(0.5) {
                        edges.push((i, o, rng.random_range(1..3)));
                    }
                }
            }
            let units: Vec<i64> = (0..needs).map(|_| rng.random_range(1..4)).collect();
            let p = BipartiteProblem::simple(units, vec![50; 3], &edges);
            let Some(a) = Aggregation::build(&p) else {
                continue;
            };
            let base_flow = class_flows(&a, &mut rng);
            let (edge_flow, unserved) = a.split(&p, &base_flow);
            let mut base = SplitBase {
                class_flow: &base_flow,
                units: &p.units,
                edge_flow: &edge_flow,
                unserved: &unserved,
                spare: SplitSpare::default(),
            };
            // Splits near the base one after the other, each written into
            // the last one's buffer (as a sweep's scenarios are).
            for round in 0..4 {
                // Other units for a few needs, other flows for some classes.
                let mut q = p.clone();
                for u in &mut q.units {
                    if rng.random_bool(0.1) {
                        *u = rng.random_range(1..4);
                    }
                }
                let mut changed = a.clone();
                changed.problem.units = vec![0; a.class_count()];
                for (i, &c) in a.class_of.iter().enumerate() {
                    changed.problem.units[c as usize] += q.units[i];
                }
                let mut flow = class_flows(&changed, &mut rng);
                // Keep most classes' flows where they fit the new units.
                let mut at = 0;
                for c in 0..a.class_count() {
                    let d = a.degree_of(c);
                    let old: i64 = base_flow[at..at + d].iter().sum();
                    if old <= changed.problem.units[c] && rng.random_bool(0.7) {
                        flow[at..at + d].copy_from_slice(&base_flow[at..at + d]);
                    }
                    at += d;
                }
                // Every other round names the class edges whose flows
                // differ (and a few that do not), as a re-solve would.
                if round % 2 == 1 {
                    let touched: Vec<u32> = (0..flow.len() as u32)
                        .filter(|&k| flow[k as usize] != base_flow[k as usize] || k % 7 == 0)
                        .rev()
                        .collect();
                    base.spare.prepare(Some(&touched));
                }
                let near = changed.split_near(&q, &flow, &mut base);
                assert_eq!(near, changed.split(&q, &flow), "seed {seed} round {round}");
                base.spare.flow = near.0;
            }
        }
    }
}
