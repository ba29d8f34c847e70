//! Pricing: choosing the arc that enters the tree. Arcs whose cost changed
//! in a [`super::Resolver`] are priced first; then block search (the next
//! block of arcs, the most violating of it) or candidate lists (a major
//! scan fills a list of violating arcs, minor iterations take the most
//! violating of it), after a repair by candidate lists while violations
//! are dense. Right after a growth, only the arcs at the nodes the pivots
//! moved are priced (`local`).
//!
//! Complexity: block search reads O(√arcs) arcs per pivot while violations
//! are frequent, and up to every arc for the last pivot (the proof of
//! optimality); candidate lists read every arc per major scan.

use super::Pricing;
use super::simplex::Simplex;
use crate::error::Result;

impl Simplex {
    /// Runs the pivots from a tree that a repair left with subtrees hanging
    /// from artificial arcs: by candidate lists while violations are dense,
    /// then by block search; the configured pricing is restored afterwards
    /// (see the module's notes on warm starts).
    pub(super) fn price_repaired(&mut self) -> Result<()> {
        let configured = self.pricing;
        self.pricing = Pricing::CandidateList;
        self.lists_until_sparse = true;
        self.candidates.clear();
        self.minor_left = 0;
        let done = self.pivot_loop();
        self.pricing = configured;
        self.lists_until_sparse = false;
        self.candidates.clear();
        self.minor_left = 0;
        done
    }

    /// Arc `a`'s reduced cost signed by its state: negative when moving it
    /// off its bound pays.
    #[inline]
    pub(super) fn violation(&self, a: usize) -> i64 {
        i64::from(self.state[a])
            * (self.cost[a] + self.pi[self.source[a] as usize] - self.pi[self.target[a] as usize])
    }

    /// Removes from `list` the arcs that no longer violate and takes out
    /// the most violating one, if any.
    pub(super) fn take_most_violating(&self, list: &mut Vec<u32>) -> Option<usize> {
        let mut best = 0i64;
        let mut best_at = usize::MAX;
        let mut i = 0;
        while i < list.len() {
            let v = self.violation(list[i] as usize);
            if v < 0 {
                if v < best {
                    best = v;
                    best_at = i;
                }
                i += 1;
            } else {
                list.swap_remove(i);
            }
        }
        (best < 0).then(|| list.swap_remove(best_at) as usize)
    }

    /// The arc to enter the tree next, or `None` when none violates: the
    /// tree is optimal.
    pub(super) fn find_entering(&mut self) -> Option<usize> {
        // Arcs whose cost changed since the last solve are priced first: the
        // most violating of them enters; the others stay listed.
        if !self.seeds.is_empty() {
            let mut seeds = std::mem::take(&mut self.seeds);
            let best = self.take_most_violating(&mut seeds);
            self.seeds = seeds;
            if best.is_some() {
                return best;
            }
        }
        if let Some(mut local) = self.local.take() {
            let entering = self.local_search(&mut local);
            self.local = Some(local);
            return entering;
        }
        match self.pricing {
            Pricing::BlockSearch => self.block_search(),
            Pricing::CandidateList => self.candidate_list(),
        }
    }

    fn block_search(&mut self) -> Option<usize> {
        let total = self.source.len();
        let block = self.block_size;
        let mut best = 0i64;
        let mut best_arc = usize::MAX;
        let mut a = self.next_arc;
        let mut scanned = 0;
        while scanned < total {
            // One block of `block` arcs from `a`, split in two where it wraps.
            let len = block.min(total - scanned);
            let mut left = len;
            while left > 0 {
                let end = (a + left).min(total);
                self.scan(a, end, &mut best, &mut best_arc);
                left -= end - a;
                a = if end == total { 0 } else { end };
            }
            scanned += len;
            if len == block && best < 0 {
                self.next_arc = a;
                return Some(best_arc);
            }
        }
        (best < 0).then_some(best_arc)
    }

    /// Prices arcs `lo..hi`, keeping the most violating in `best`/`best_arc`.
    /// The pricing hot loop: slices zipped so that only the potentials'
    /// indices are bounds-checked.
    #[inline]
    fn scan(&self, lo: usize, hi: usize, best: &mut i64, best_arc: &mut usize) {
        let pi = &self.pi[..];
        let (mut b, mut at) = (*best, *best_arc);
        let arcs = self.state[lo..hi]
            .iter()
            .zip(&self.cost[lo..hi])
            .zip(self.source[lo..hi].iter().zip(&self.target[lo..hi]));
        for (k, ((&state, &cost), (&u, &v))) in arcs.enumerate() {
            let r = i64::from(state) * (cost + pi[u as usize] - pi[v as usize]);
            if r < b {
                b = r;
                at = lo + k;
            }
        }
        (*best, *best_arc) = (b, at);
    }

    fn candidate_list(&mut self) -> Option<usize> {
        // Minor iteration: the best candidate that still violates.
        if self.minor_left > 0 {
            self.minor_left -= 1;
            let mut candidates = std::mem::take(&mut self.candidates);
            let best = self.take_most_violating(&mut candidates);
            self.candidates = candidates;
            if best.is_some() {
                return best;
            }
        }
        // Major iteration: a fresh list from a scan starting where the last stopped.
        let list_len = (self.block_size / 4).max(10);
        self.candidates.clear();
        let total = self.source.len();
        let start = self.next_arc;
        let mut best = 0i64;
        let mut best_at = usize::MAX;
        let mut scanned = 0usize;
        for a in (start..total).chain(0..start) {
            scanned += 1;
            let v = self.violation(a);
            if v < 0 {
                if v < best {
                    best = v;
                    best_at = self.candidates.len();
                }
                self.candidates.push(a as u32);
                if self.candidates.len() >= list_len {
                    self.next_arc = if a + 1 == total { 0 } else { a + 1 };
                    break;
                }
            }
        }
        self.minor_left = (list_len / 10).max(3);
        if self.lists_until_sparse && scanned > total / 4 {
            // Violations have thinned out: block search from here on.
            self.pricing = Pricing::BlockSearch;
            self.lists_until_sparse = false;
        }
        (best < 0).then(|| self.candidates.swap_remove(best_at) as usize)
    }
}
