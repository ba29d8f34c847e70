//! Classes of a grown problem (new offers and their edges, maybe new
//! needs) refined from the base problem's classes instead of found afresh:
//! new edges can only split a class, never merge two.
//!
//! Complexity: O(needs + edges + new edges × log) to read each need's
//! runs; when no need joins and every member of each class gains the same
//! new edges (copies of providers do), O(needs + class edges + new edges ×
//! log): the classes are the base's, each need's run in signature order is
//! its base run moved with its new edges after (only the new edges are
//! kept until the runs are written, see `NewRuns`), and the class problem
//! is the base's with the new class edges inserted, copied in stretches;
//! otherwise needs with new edges are grouped by a hash of (base class,
//! unserved group, new edges).

use std::borrow::Cow;
use std::ops::Range;

use rustc_hash::FxHashMap;

use super::Aggregation;
use crate::graph::BipartiteProblem;

/// What a need with new edges is grouped by when classes are refined:
/// its base class and its unserved group (as the first pair), then its new
/// (offer, weight) edges. Looked up by slice, so only a new class's key is
/// allocated.
type SplitKey = Vec<(u32, i64)>;

impl Aggregation {
    /// [`Aggregation::refinement_deferred`] with the class problem written
    /// out in full, and the inserted class edges' places: for tests.
    #[cfg(test)]
    pub(crate) fn refinement(
        &self,
        base: (&BipartiteProblem, bool),
        grown: (&BipartiteProblem, Option<&[u32]>),
        old_of: &[u32],
    ) -> Option<(Aggregation, Option<Vec<u32>>)> {
        let (mut classes, inserted) = self.refinement_deferred(base, grown, old_of)?;
        if let Some(inserted) = &inserted {
            classes.write_inserted(self, inserted);
        }
        Some((classes, inserted.map(|inserted| inserted.at)))
    }

    /// The classes of `grown`, a problem grown from `base` (whose classes
    /// these are): `old_of[i]` is the need of `base` that need `i` of
    /// `grown` was (`u32::MAX` for one `base` did not have). Both problems'
    /// edges are grouped by need, in need order; a need's first edges are
    /// its `base` edges in their order, to the same offers at the same
    /// weights, and the rest go to offers `base` does not have (numbered
    /// after its own); needs keep their unserved groups. Then a need's
    /// signature is its base signature followed by its new edges, so the
    /// classes refine the base's by the new edges: equal to `Aggregation::build(grown)`, read in
    /// O(needs + edges + new edges × log) instead of sorting and hashing
    /// every run. `None` where `build` gives none, and when the edges are
    /// not grouped so (the caller builds instead). With them, when the
    /// classes are these grown alike, the class edges inserted into this
    /// aggregation's class problem (their indices in the grown one,
    /// ascending): the class problem is then this one with those edges
    /// inserted, each after its class's run.
    ///
    /// The caller knows whether `base`'s edges are grouped
    /// (`base_grouped`, checked in debug builds), and may know where each
    /// of `grown`'s needs' runs starts (`starts`, else read off its edges):
    /// each is a pass over every edge.
    ///
    /// When the classes are these grown alike, the class problem leaves out
    /// its edges' offers and weights (the `Inserted` returned has the
    /// inserted edges'): a network grown in place reads the
    /// class problem only at its inserted edges, its counts and its edges'
    /// classes, and writing out the rest (about 85,000 edges of a community
    /// on district-13) took half the refinement.
    /// [`Aggregation::write_inserted`] completes it.
    pub(crate) fn refinement_deferred(
        &self,
        (base, base_grouped): (&BipartiteProblem, bool),
        (grown, starts): (&BipartiteProblem, Option<&[u32]>),
        old_of: &[u32],
    ) -> Option<(Aggregation, Option<Inserted>)> {
        let n = grown.need_count();
        debug_assert_eq!(base_grouped, base.edge_need.is_sorted());
        if !base_grouped || old_of.len() != n {
            return None;
        }
        debug_assert!(starts.is_none_or(|s| grown.grouped_need_starts().as_deref() == Some(s)));
        let starts = match starts {
            Some(s) => Cow::Borrowed(s),
            None => Cow::Owned(grown.grouped_need_starts()?),
        };
        let same_needs = n == base.need_count() && old_of.iter().copied().eq(0..n as u32);
        if same_needs {
            if let Some((alike, inserted)) = self.grown_alike(grown, &starts) {
                return Some((alike, Some(inserted)));
            }
        }
        let old_offers = base.offer_count() as u32;
        let mut sorted_edges: Vec<u32> = Vec::with_capacity(grown.edge_count());
        let mut offsets = Vec::with_capacity(n + 1);
        let mut class_of = Vec::with_capacity(n);
        let mut class_units: Vec<i64> = Vec::new();
        let mut representative: Vec<u32> = Vec::new();
        // Base class -> class of its members without new edges; (base class,
        // unserved group, new edges) -> class for the others (few).
        let mut plain = vec![u32::MAX; self.class_count()];
        let mut keyed: FxHashMap<SplitKey, u32> = FxHashMap::default();
        let mut split_key: SplitKey = Vec::new();
        for i in 0..n {
            offsets.push(sorted_edges.len() as u32);
            let bl = old_of[i];
            let base_need = (bl != u32::MAX).then_some(bl as usize);
            let new_at =
                self.push_grown_run(grown, base_need, &starts[i..i + 2], &mut sorted_edges)?;
            let fresh = &sorted_edges[new_at..];
            debug_assert!(
                fresh
                    .iter()
                    .all(|&k| grown.edge_offer[k as usize] >= old_offers)
            );
            let base_class = if bl == u32::MAX {
                u32::MAX
            } else {
                self.class_of[bl as usize]
            };
            let next = class_units.len() as u32;
            let c = if fresh.is_empty() && base_class != u32::MAX {
                let slot = &mut plain[base_class as usize];
                if *slot == u32::MAX {
                    *slot = next;
                }
                *slot
            } else {
                let group = grown.unserved_group_of(i).unwrap_or(u32::MAX);
                split_key.clear();
                split_key.push((base_class, i64::from(group)));
                split_key.extend(
                    fresh
                        .iter()
                        .map(|&k| (grown.edge_offer[k as usize], grown.edge_weight[k as usize])),
                );
                if let Some(&c) = keyed.get(split_key.as_slice()) {
                    c
                } else {
                    keyed.insert(split_key.clone(), next);
                    next
                }
            };
            if c == next {
                class_units.push(0);
                representative.push(i as u32);
            }
            class_units[c as usize] += grown.units[i];
            class_of.push(c);
        }
        offsets.push(sorted_edges.len() as u32);
        let classes = Self::assemble(
            grown,
            class_of,
            class_units,
            &representative,
            sorted_edges,
            offsets,
        )?;
        Some((classes, None))
    }

    /// The classes of `grown` (a problem grown from this aggregation's,
    /// with the same needs, grouped by need; see
    /// [`Aggregation::refinement_deferred`])
    /// when they are these: every member of a class gains the same new
    /// edges. `None` when one class splits. With them, the class edges
    /// inserted, whose offers and weights the class problem leaves out, as
    /// it leaves out every edge's, and the needs' runs left unwritten but
    /// for their new edges (see [`NewRuns`] and
    /// [`Aggregation::write_inserted`]).
    fn grown_alike(
        &self,
        grown: &BipartiteProblem,
        starts: &[u32],
    ) -> Option<(Aggregation, Inserted)> {
        let n = grown.need_count();
        if n != self.class_of.len() {
            return None;
        }
        let k = self.class_count();
        let ends = |e: &u32| {
            (
                grown.edge_offer[*e as usize],
                grown.edge_weight[*e as usize],
            )
        };
        // Each need's run is its base run (the base's edges, moved by the new
        // edges before it) and then its new edges: only the new edges are
        // kept, in signature order (see `NewRuns`).
        let mut new = NewRuns::default();
        // Where the first member's new edges are in `new.edges`: the
        // others' must match them.
        let mut first_new: Vec<(u32, u32)> = vec![(u32::MAX, 0); k];
        let mut class_units = vec![0i64; k];
        for i in 0..n {
            let old_degree = self.offsets[i + 1] - self.offsets[i];
            let (at, end) = (starts[i] + old_degree, starts[i + 1]);
            if at > end {
                return None;
            }
            let c = self.class_of[i] as usize;
            class_units[c] += grown.units[i];
            let fresh = if at == end {
                0..0
            } else {
                new.needs.push(i as u32);
                new.at.push(new.edges.len() as u32);
                let new_at = push_new_edges(grown, at..end, &mut new.edges);
                new_at..new.edges.len()
            };
            let (lo, len) = first_new[c];
            if lo == u32::MAX {
                first_new[c] = (fresh.start as u32, fresh.len() as u32);
            } else if len as usize != fresh.len()
                || (len > 0
                    && !(new.edges[lo as usize..(lo + len) as usize].iter())
                        .map(ends)
                        .eq(new.edges[fresh].iter().map(ends)))
            {
                return None;
            }
        }
        if starts[n] as usize != grown.edge_count() {
            return None;
        }
        let offsets = starts.to_vec();
        // The class problem: the base's class edges, each class's new ones
        // inserted after its own (the first member's, as `assemble` does).
        let base = &self.problem;
        let mut problem = BipartiteProblem {
            units: class_units,
            offer_capacity: grown.offer_capacity.clone(),
            offer_group: grown.offer_group.clone(),
            group_capacity: grown.group_capacity.clone(),
            unserved_penalty: grown.unserved_penalty,
            unserved_group: base.unserved_group.clone(),
            unserved_limit: grown.unserved_limit.clone(),
            unserved_parent: grown.unserved_parent.clone(),
            ..BipartiteProblem::default()
        };
        let added: usize = first_new.iter().map(|&(_, len)| len as usize).sum();
        let total = base.edge_count() + added;
        problem.edge_need.reserve_exact(total);
        let mut inserted = Inserted {
            at: Vec::with_capacity(added),
            ends: Vec::with_capacity(added),
        };
        // Base class edges `from..at` are copied in one stretch.
        let (mut from, mut at) = (0usize, 0usize);
        let flush = |problem: &mut BipartiteProblem, lo: usize, hi: usize| {
            problem.edge_need.extend_from_slice(&base.edge_need[lo..hi]);
        };
        for (c, &(lo, len)) in first_new.iter().enumerate() {
            let degree = self.degree_of(c);
            at += degree;
            if len == 0 {
                continue;
            }
            if at > base.edge_count() || (degree > 0 && base.edge_need[at - 1] != c as u32) {
                return None; // the base class problem is not grouped by class
            }
            flush(&mut problem, from, at);
            from = at;
            for e in &new.edges[lo as usize..(lo + len) as usize] {
                inserted.at.push(problem.edge_need.len() as u32);
                problem.edge_need.push(c as u32);
                let e = *e as usize;
                inserted
                    .ends
                    .push((grown.edge_offer[e], grown.edge_weight[e]));
            }
        }
        flush(&mut problem, from, at);
        if at != base.edge_count() {
            return None; // the base class problem is not grouped by class
        }
        let classes = Aggregation {
            problem,
            class_of: self.class_of.clone(),
            sorted_edges: Vec::new(),
            offsets,
            members: self.members.clone(),
            member_offsets: self.member_offsets.clone(),
            new_runs: Some(Box::new(new)),
        };
        Some((classes, inserted))
    }

    /// Appends the run of a need of `grown` whose edges are `run[0]..run[1]`
    /// to `sorted_edges`: the run of `base_need` (its need in the base
    /// problem, grouped by need like `grown`, if any) moved to where its
    /// run starts, then its new edges in signature order. Returns where the
    /// new edges start, or `None` when it has fewer edges than its base run.
    fn push_grown_run(
        &self,
        grown: &BipartiteProblem,
        base_need: Option<usize>,
        run: &[u32],
        sorted_edges: &mut Vec<u32>,
    ) -> Option<usize> {
        let (gs, ge) = (run[0], run[1]);
        let mut old_degree = 0;
        if let Some(b) = base_need {
            let first = self.offsets[b];
            old_degree = self.offsets[b + 1] - first;
            if gs + old_degree > ge {
                return None;
            }
            // Base edges of a grouped problem start where its runs do.
            sorted_edges.extend(self.edges_of(b).iter().map(|&e| gs + (e - first)));
        }
        Some(push_new_edges(grown, gs + old_degree..ge, sorted_edges))
    }
}

/// The class edges a growth inserts into an aggregation's class problem
/// when its classes take it alike (see
/// [`Aggregation::refinement_deferred`]).
pub(crate) struct Inserted {
    /// Where each sits in the grown class problem, ascending.
    pub(crate) at: Vec<u32>,
    /// Each one's offer and weight (the grown class problem leaves its
    /// edges' out until [`Aggregation::write_inserted`]).
    pub(crate) ends: Vec<(u32, i64)>,
}

impl Aggregation {
    /// Completes classes that [`Aggregation::refinement_deferred`] found
    /// grown alike: their class problem, left without its edges' offers and
    /// weights (`base`'s, the aggregation it was refined from, with
    /// `inserted`'s at their places), and their needs' runs (see
    /// [`Aggregation::write_runs`]). Nothing to do when they are written
    /// already.
    pub(crate) fn write_inserted(&mut self, base: &Aggregation, inserted: &Inserted) {
        self.write_runs(base);
        let (b, p) = (&base.problem, &mut self.problem);
        if p.edge_offer.len() == p.edge_need.len() {
            return;
        }
        p.edge_offer.reserve_exact(p.edge_need.len());
        p.edge_weight.reserve_exact(p.edge_need.len());
        let mut from = 0usize;
        for (k, (&at, &(offer, weight))) in inserted.at.iter().zip(&inserted.ends).enumerate() {
            // Edge `at` of the grown problem follows `k` inserted ones.
            let to = at as usize - k;
            p.edge_offer.extend_from_slice(&b.edge_offer[from..to]);
            p.edge_weight.extend_from_slice(&b.edge_weight[from..to]);
            p.edge_offer.push(offer);
            p.edge_weight.push(weight);
            from = to;
        }
        p.edge_offer.extend_from_slice(&b.edge_offer[from..]);
        p.edge_weight.extend_from_slice(&b.edge_weight[from..]);
        debug_assert_eq!(p.edge_offer.len(), p.edge_need.len());
    }
}

/// The new edges of the needs of classes grown alike (see
/// `Aggregation::grown_alike`): the needs that have any, ascending, where
/// each one's start in `edges`, and the new edges, each need's in signature
/// order. A need's run is its base run, moved, then these.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(super) struct NewRuns {
    needs: Vec<u32>,
    at: Vec<u32>,
    edges: Vec<u32>,
}

impl NewRuns {
    /// The new edges of the `k`th need that has any.
    fn run(&self, k: usize) -> &[u32] {
        let end = self.at.get(k + 1).map_or(self.edges.len(), |&e| e as usize);
        &self.edges[self.at[k] as usize..end]
    }

    /// The new edges of need `i` (none if it has none).
    fn of(&self, i: u32) -> &[u32] {
        self.needs.binary_search(&i).map_or(&[], |k| self.run(k))
    }
}

impl Aggregation {
    /// Whether the needs' runs are left unwritten (see [`NewRuns`]).
    pub(crate) fn runs_deferred(&self) -> bool {
        self.new_runs.is_some()
    }

    /// The runs of class `c`'s members, one after another, into `runs`
    /// (cleared first); returns the class's degree, each run's length.
    /// When the runs are left unwritten (see [`NewRuns`]), each is `base`'s
    /// run of the member (this aggregation's classes being `base`'s grown
    /// alike), moved to where its run starts, then its new edges.
    pub(super) fn member_runs(&self, c: usize, base: &Aggregation, runs: &mut Vec<u32>) -> usize {
        runs.clear();
        for &i in self.members_of(c) {
            let i = i as usize;
            let Some(new) = &self.new_runs else {
                runs.extend_from_slice(self.edges_of(i));
                continue;
            };
            let shift = self.offsets[i] - base.offsets[i];
            runs.extend(base.edges_of(i).iter().map(|&e| e + shift));
            runs.extend_from_slice(new.of(i as u32));
        }
        self.degree_of(c)
    }

    /// Writes out the needs' runs left unwritten (see [`NewRuns`]), this
    /// aggregation's classes being `base`'s grown alike: the runs of needs
    /// without new edges are copied in stretches, moved alike. Nothing to do
    /// when they are written.
    fn write_runs(&mut self, base: &Aggregation) {
        let Some(new) = self.new_runs.take() else {
            return;
        };
        let n = self.class_of.len();
        let mut sorted = Vec::with_capacity(self.offsets[n] as usize);
        // Needs `from..to` moved alike: no new edge comes between them.
        let moved = |sorted: &mut Vec<u32>, from: usize, to: usize| {
            let (lo, hi) = (base.offsets[from] as usize, base.offsets[to] as usize);
            let shift = self.offsets[from] - base.offsets[from];
            sorted.extend(base.sorted_edges[lo..hi].iter().map(|&e| e + shift));
        };
        let mut from = 0;
        for (k, &i) in new.needs.iter().enumerate() {
            let i = i as usize;
            moved(&mut sorted, from, i + 1);
            sorted.extend_from_slice(new.run(k));
            from = i + 1;
        }
        moved(&mut sorted, from, n);
        debug_assert_eq!(sorted.len(), self.offsets[n] as usize);
        self.sorted_edges = sorted;
    }
}

/// Appends the new edges `new` of a need of `grown` to `sorted_edges` in
/// signature order (by offer, weight, then index); returns where they start.
fn push_new_edges(grown: &BipartiteProblem, new: Range<u32>, sorted_edges: &mut Vec<u32>) -> usize {
    let new_at = sorted_edges.len();
    sorted_edges.extend(new);
    let key = |k: &u32| {
        (
            grown.edge_offer[*k as usize],
            grown.edge_weight[*k as usize],
            *k,
        )
    };
    sorted_edges[new_at..].sort_unstable_by_key(key);
    new_at
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::Aggregation;
    use crate::graph::BipartiteProblem;
    use crate::solve::aggregate::tests::class_flows;
    use crate::solve::aggregate::{SplitBase, SplitSpare};

    /// A need's (offer, weight) edges to some of offers 0..3, at least one.
    fn random_run(rng: &mut ChaCha8Rng) -> Vec<(u32, i64)> {
        let mut run: Vec<(u32, i64)> = Vec::new();
        for o in 0..3 {
            if rng.random_bool(0.6) {
                run.push((o, rng.random_range(1..3)));
            }
        }
        if run.is_empty() {
            run.push((0, 1));
        }
        run
    }

    /// `needs` needs of a few signatures over offers 0..3, with 1–3 units
    /// each: their runs, their units, and the problem (offers of capacity 9).
    fn few_signatures(rng: &mut ChaCha8Rng, needs: u32) -> (Runs, Vec<i64>, BipartiteProblem) {
        let signatures: Vec<Vec<(u32, i64)>> = (0..5).map(|_| random_run(rng)).collect();
        let runs: Vec<Vec<(u32, i64)>> = (0..needs)
            .map(|_| signatures[rng.random_range(0..5)].clone())
            .collect();
        let units: Vec<i64> = (0..needs).map(|_| rng.random_range(1..4)).collect();
        let base = BipartiteProblem::simple(units.clone(), vec![9; 3], &flat(&runs));
        (runs, units, base)
    }

    /// Runs of (offer, weight) edges, one per need.
    type Runs = Vec<Vec<(u32, i64)>>;

    /// Each need's run as (need, offer, weight) edges.
    fn flat(runs: &[Vec<(u32, i64)>]) -> Vec<(u32, u32, i64)> {
        (runs.iter().enumerate())
            .flat_map(|(i, r)| r.iter().map(move |&(o, w)| (i as u32, o, w)))
            .collect()
    }

    /// Classes refined from a base problem's equal those found afresh on
    /// the grown problem: new offers reach some members of classes (at
    /// various weights, in any order), and new needs come in between.
    #[test]
    fn refined_classes_equal_a_build() {
        let mut split = 0;
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let needs = 40u32;
            let mut runs: Vec<Vec<(u32, i64)>> = (0..needs)
                .map(|_| {
                    let mut run = random_run(&mut rng);
                    if rng.random_bool(0.3) {
                        run.reverse();
                    }
                    run
                })
                .collect();
            let base = BipartiteProblem::simple(vec![1; needs as usize], vec![9; 3], &flat(&runs));
            let Some(classes) = Aggregation::build(&base) else {
                continue;
            };
            // Grown: new offers 3 and 4 reach some needs; a new need now
            // and then, reached by new offers only.
            let mut old_of = Vec::new();
            let mut grown_runs = Vec::new();
            for (i, run) in runs.iter_mut().enumerate() {
                if rng.random_bool(0.1) {
                    old_of.push(u32::MAX);
                    grown_runs.push(vec![(3 + rng.random_range(0..2), rng.random_range(1..3))]);
                }
                let mut grown = run.clone();
                for o in [4, 3] {
                    if rng.random_bool(0.25) {
                        grown.push((o, rng.random_range(1..3)));
                    }
                }
                old_of.push(i as u32);
                grown_runs.push(grown);
            }
            let units = vec![2; grown_runs.len()];
            let grown = BipartiteProblem::simple(units, vec![9; 5], &flat(&grown_runs));
            let refined = classes
                .refinement((&base, base.edge_need.is_sorted()), (&grown, None), &old_of)
                .map(|(a, _)| a);
            let fresh = Aggregation::build(&grown);
            split += usize::from(
                fresh
                    .as_ref()
                    .is_some_and(|f| f.class_count() > classes.class_count() + 4),
            );
            assert_eq!(refined, fresh, "seed {seed}");
        }
        assert!(split > 50, "classes must split ({split} cases)");
    }

    /// Copies of offers reach every member of the classes they reach
    /// alike: the classes stay the base's (the fast path), and the result
    /// equals a fresh build; a copy that reaches only some members of a
    /// class splits it (the general path).
    #[test]
    fn classes_grown_alike_equal_a_build() {
        let mut alike = 0;
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let needs = 40u32;
            let (runs, units, base) = few_signatures(&mut rng, needs);
            let Some(classes) = Aggregation::build(&base) else {
                continue;
            };
            // New offers 3 and 4 copy offers 0 and 1 (same weights); now and
            // then offer 4 misses one need, or weighs more for it.
            let spoil = rng
                .random_bool(0.3)
                .then(|| rng.random_range(0..needs as usize));
            let heavier = rng.random_bool(0.5);
            let grown_runs: Vec<Vec<(u32, i64)>> = (runs.iter().enumerate())
                .map(|(i, run)| {
                    let mut grown = run.clone();
                    for &(o, w) in run.iter().rev() {
                        let spoilt = o == 1 && spoil == Some(i);
                        if o < 2 && (heavier || !spoilt) {
                            grown.push((o + 3, w + i64::from(spoilt)));
                        }
                    }
                    grown
                })
                .collect();
            let grown = BipartiteProblem::simple(units, vec![9; 5], &flat(&grown_runs));
            let old_of: Vec<u32> = (0..needs).collect();
            let refined = classes
                .refinement((&base, base.edge_need.is_sorted()), (&grown, None), &old_of)
                .map(|(a, _)| a);
            assert_eq!(refined, Aggregation::build(&grown), "seed {seed}");
            let starts = grown.grouped_need_starts().unwrap();
            let same = classes
                .grown_alike(&grown, &starts)
                .map(|(mut same, inserted)| {
                    // Left out, then written out: the inserted edges' offers and
                    // weights are those kept apart.
                    assert!(
                        same.problem.edge_offer.is_empty() && same.problem.edge_weight.is_empty()
                    );
                    same.write_inserted(&classes, &inserted);
                    for (&j, &ends) in inserted.at.iter().zip(&inserted.ends) {
                        let j = j as usize;
                        assert_eq!(
                            (same.problem.edge_offer[j], same.problem.edge_weight[j]),
                            ends
                        );
                    }
                    (same, inserted.at)
                });
            if let Some((same, inserted)) = &same {
                // The inserted edges are those the base class problem lacks.
                let kept: Vec<(u32, u32, i64)> = (0..same.problem.edge_count())
                    .filter(|k| inserted.binary_search(&(*k as u32)).is_err())
                    .map(|k| {
                        let q = &same.problem;
                        (q.edge_need[k], q.edge_offer[k], q.edge_weight[k])
                    })
                    .collect();
                let was = &classes.problem;
                let base_edges: Vec<(u32, u32, i64)> = (0..was.edge_count())
                    .map(|k| (was.edge_need[k], was.edge_offer[k], was.edge_weight[k]))
                    .collect();
                assert_eq!(kept, base_edges, "seed {seed}");
                assert!(same.problem.edge_need.is_sorted(), "seed {seed}");
                assert!(
                    inserted
                        .iter()
                        .all(|&k| same.problem.edge_offer[k as usize] >= 3)
                );
                assert_eq!(Some(same), refined.as_ref(), "seed {seed}");
                assert_eq!(same.class_of, classes.class_of, "seed {seed}");
                alike += 1;
            }
            let splits =
                refined.as_ref().map(Aggregation::class_count) != Some(classes.class_count());
            assert_eq!(same.is_none(), splits, "seed {seed}");
        }
        assert!(
            alike > 100,
            "the classes must stay alike often ({alike} cases)"
        );
    }

    /// A grown problem's split near its base's equals a split afresh: the
    /// classes grown alike (copies of offers 0 and 1), the base's class
    /// flows kept on some classes and drawn again on others (new edges
    /// included), with the class edges drawn again listed or not; the edges
    /// listed as moved hold every flow that differs from the base's moved
    /// to the grown runs, with those base flows.
    #[test]
    fn grown_splits_near_the_base_equal_a_split() {
        let mut near = 0;
        for seed in 0..200 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let (runs, units, base) = few_signatures(&mut rng, 40);
            let Some(classes) = Aggregation::build(&base) else {
                continue;
            };
            let grown_runs: Vec<Vec<(u32, i64)>> = runs
                .iter()
                .map(|run| {
                    let mut grown = run.clone();
                    grown.extend(run.iter().filter(|e| e.0 < 2).map(|&(o, w)| (o + 3, w)));
                    grown
                })
                .collect();
            let grown = BipartiteProblem::simple(units, vec![9; 5], &flat(&grown_runs));
            let starts = grown.grouped_need_starts().unwrap();
            let (mut alike, inserted) = classes.grown_alike(&grown, &starts).unwrap();
            // Its runs left unwritten, as a network grown in place splits.
            let deferred = alike.clone();
            assert!(deferred.runs_deferred() && deferred.sorted_edges.is_empty());
            alike.write_inserted(&classes, &inserted);
            assert!(!alike.runs_deferred());
            let base_class_flow = class_flows(&classes, &mut rng);
            let (base_flow, base_unserved) = classes.split(&base, &base_class_flow);
            // The base's class flows on the grown classes, some drawn again.
            let drawn = class_flows(&alike, &mut rng);
            let mut class_flow = Vec::new();
            let mut redrawn = vec![false; alike.class_count()];
            let (mut at, mut was_at) = (0, 0);
            for c in 0..alike.class_count() {
                let (degree, was) = (alike.degree_of(c), classes.degree_of(c));
                redrawn[c] = rng.random_bool(0.3);
                if redrawn[c] {
                    class_flow.extend_from_slice(&drawn[at..at + degree]);
                } else {
                    class_flow.extend_from_slice(&base_class_flow[was_at..was_at + was]);
                    class_flow.resize(class_flow.len() + degree - was, 0);
                }
                (at, was_at) = (at + degree, was_at + was);
            }
            let split_base = SplitBase {
                class_flow: &base_class_flow,
                units: &base.units,
                edge_flow: &base_flow,
                unserved: &base_unserved,
                spare: SplitSpare::default(),
            };
            // The class edges drawn again, known (listed with others) or not.
            let touched: Vec<u32> = (0..class_flow.len() as u32)
                .filter(|&a| {
                    let c = alike.problem.edge_need[a as usize] as usize;
                    redrawn[c] || a % 7 == 0
                })
                .collect();
            let touched = rng.random_bool(0.5).then_some(&touched[..]);
            let split = |a: &Aggregation, buffer| {
                let base = (&split_base, touched);
                a.split_grown_near(&grown, class_flow[..].into(), &classes, base, buffer)
                    .unwrap()
            };
            let got = split(&alike, vec![7; 3]);
            let unwritten = split(&deferred, Vec::new());
            assert_eq!(
                (&unwritten.flow, &unwritten.unserved),
                (&got.flow, &got.unserved),
                "seed {seed}"
            );
            assert_eq!(
                (&unwritten.moved, &unwritten.moved_base),
                (&got.moved, &got.moved_base),
                "seed {seed}"
            );
            let (flow, unserved) = alike.split(&grown, &class_flow);
            assert_eq!(
                (&got.flow, &got.unserved),
                (&flow, &unserved),
                "seed {seed}"
            );
            // The base's flows moved to the grown runs (new edges carry none).
            let mut moved_base = Vec::new();
            for (i, run) in runs.iter().enumerate() {
                let first = base
                    .edge_need
                    .iter()
                    .position(|&j| j == i as u32)
                    .unwrap_or(0);
                moved_base.extend_from_slice(&base_flow[first..first + run.len()]);
                moved_base.resize(moved_base.len() + grown_runs[i].len() - run.len(), 0);
            }
            let mut rebuilt = got.flow.clone();
            for (&e, &x) in got.moved.iter().zip(&got.moved_base) {
                rebuilt[e as usize] = x;
            }
            assert_eq!(rebuilt, moved_base, "seed {seed}");
            near += usize::from(got.moved.len() < flow.len());
        }
        assert!(
            near > 100,
            "most splits must keep some classes ({near} cases)"
        );
    }
}
