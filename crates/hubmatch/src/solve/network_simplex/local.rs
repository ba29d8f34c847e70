//! Pricing after a growth: only the arcs at nodes whose potentials moved.
//!
//! A grown tree (see `grow`) is optimal for every old arc: only the new
//! arcs can violate at first, and a pivot changes the reduced costs of the
//! arcs at the nodes of the subtree it moves, and of no other arc. So the
//! arcs that may violate are always among the new arcs not yet priced, the
//! arcs found violating and not yet entered, and the arcs at the nodes
//! moved since they were last priced. Local pricing keeps those nodes in a
//! queue (each at most once) and prices their arcs, a block's worth at a
//! time, instead of every arc in turn: the tree is optimal when the queue
//! runs dry with no violating arc found.
//!
//! Which way a node moved narrows it further. An arc's reduced cost falls
//! as its tail's potential falls or its head's rises, and only an arc at its
//! lower bound can start to violate by falling (at its upper bound, by
//! rising). So a node that moved one way has one side of its arcs priced,
//! and of the other side only those at their upper bound, which matching
//! networks hardly have (a count per node skips them). Each node's arcs,
//! their other ends and costs are read in order from the base resolver's
//! [`Incidence`]; an arc's state only when its reduced cost has the sign
//! sought. Reading them as block search reads its blocks, an arc at a time
//! through the arc arrays, cost more than the reads it saved.
//!
//! A pivot moves one subtree's potentials by one amount, which changes the
//! reduced costs of the arcs between it and the rest of the tree alone: the
//! same change as the rest moving the other way. So when the rest is the
//! smaller, and the move queued more nodes than the rest would, the rest is
//! queued instead (the artificial arcs between the subtree and the root,
//! which is never queued, are priced at once where they may violate).
//!
//! Measured on district-13 with 1% more providers (every 100th copied),
//! one thread: per community, block search read 10.9 million arcs in 3,828
//! pivots; local pricing read 2.3 million entries at 55,016 nodes in
//! 2,684 pivots (37,019 of those nodes had moved both ways before they
//! were priced, so the side rule skips less than it might). With the
//! run-wise tree updates (`Simplex::rehang`), cachegrind counts the pivots
//! of a re-solve at 77 million instructions (plus ten for each L1 miss)
//! instead of 255 per community, and 382 instead of 969 pooled. Nine of
//! the pivots each moved 3,900 of a network's 4,000 nodes; queueing the
//! rest of the tree instead, local pricing reads 1.69 million entries at
//! 38,766 nodes in 2,707 pivots, and a whole re-solve costs 257 million
//! instead of 269 (pooled, even at 660 million, but its re-solves took 32
//! instead of 37–39 ms on two threads: 290 of its 5,127 pivots each moved
//! 6,200 of 7,100 nodes).
//!
//! Complexity: O(nodes + new arcs) to set up, and a pass over the arc
//! states that skips eight at a time; each pivot queues the nodes it moves
//! (O(moved), which the tree update spends anyway), and the rest of the
//! tree when that is queued (O(rest), less than O(moved)), and each node
//! priced costs O(its degree).

use std::sync::Arc;

use super::ArcState;
use super::dual::{ArcsAt, Incidence};
use super::simplex::Simplex;

/// What local pricing keeps (see the module docs).
#[derive(Clone)]
pub(super) struct LocalPricing {
    /// The old network arcs at each old node (the old nodes and network
    /// arcs keep their numbers in the grown simplex).
    old: Arc<Incidence>,
    old_nodes: usize,
    /// The new network arcs at each node: those at node `v` are
    /// `new_arc[new_start[v]..new_start[v + 1]]`.
    new_start: Vec<u32>,
    new_arc: Vec<u32>,
    /// How each node's potential moved since its arcs were last priced:
    /// `UP`, `DOWN`, both, or neither (not queued).
    moves: Vec<u8>,
    /// How many arcs leaving / entering each node are at their upper
    /// bound (in matching networks, almost none: their arcs are skipped
    /// on that side).
    upper_out: Vec<u32>,
    upper_in: Vec<u32>,
    queue: Vec<u32>,
    /// Where the queue's unpriced nodes start.
    head: usize,
    /// Arcs found violating, not yet entered (some may violate no longer).
    found: Vec<u32>,
    /// The nodes a tree update moved to potentials further than the
    /// artificial arcs' cost from the root's (see
    /// [`LocalPricing::moved_subtree`]).
    pub(super) far: Vec<u32>,
}

impl LocalPricing {
    /// Local pricing for `s`, grown from a network whose arcs at each
    /// node are `old` (the old nodes and network arcs keep their numbers
    /// in `s`, the new network arcs follow them up to `s.m`), with the
    /// nodes in `moved` queued: the new nodes, and the old ones whose
    /// potentials the growth moved otherwise than the others'.
    pub(super) fn new(s: &Simplex, old: Arc<Incidence>, moved: &[u32]) -> LocalPricing {
        let (old_nodes, old_arcs) = (old.node_count(), old.arc_count());
        debug_assert!(old_nodes <= s.n && old_arcs <= s.m);
        let mut new_start = vec![0u32; s.n + 1];
        for a in old_arcs..s.m {
            new_start[s.source[a] as usize + 1] += 1;
            new_start[s.target[a] as usize + 1] += 1;
        }
        for v in 0..s.n {
            new_start[v + 1] += new_start[v];
        }
        let mut fill = new_start.clone();
        let mut new_arc = vec![0u32; new_start[s.n] as usize];
        for a in old_arcs..s.m {
            for v in [s.source[a], s.target[a]] {
                new_arc[fill[v as usize] as usize] = a as u32;
                fill[v as usize] += 1;
            }
        }
        let mut local = LocalPricing {
            old,
            old_nodes,
            new_start,
            new_arc,
            moves: vec![0; s.n],
            upper_out: Vec::new(),
            upper_in: Vec::new(),
            queue: Vec::with_capacity(moved.len()),
            head: 0,
            found: Vec::new(),
            far: Vec::new(),
        };
        // Every arc, artificial ones too (the root's counts included).
        let counts = (&mut local.upper_out, &mut local.upper_in);
        s.count_upper((s.source.len(), s.n + 1), counts);
        for &v in moved {
            local.moves[v as usize] = UP | DOWN;
            local.queue.push(v);
        }
        local
    }

    /// Notes that arc `a` from `u` to `v` moved from state `from` to `to`.
    #[inline]
    pub(super) fn state_changed(&mut self, (u, v): (u32, u32), from: i8, to: i8) {
        let upper = ArcState::Upper as i8;
        if from == upper {
            self.upper_out[u as usize] -= 1;
            self.upper_in[v as usize] -= 1;
        }
        if to == upper {
            self.upper_out[u as usize] += 1;
            self.upper_in[v as usize] += 1;
        }
    }

    /// Notes that node `v`'s potential moved by `shift`, queueing it if
    /// it is not queued yet.
    #[inline]
    pub(super) fn moved_one(&mut self, v: u32, shift: i64) {
        let way = if shift > 0 { UP } else { DOWN };
        let moves = &mut self.moves[v as usize];
        if *moves == 0 {
            self.queue.push(v);
        }
        *moves |= way;
    }

    /// How many nodes the queue holds, priced or not.
    pub(super) fn queued(&self) -> usize {
        self.queue.len()
    }

    /// After a tree update of `s` moved the `moved` nodes of the thread's
    /// run from `first` to `last` by `shift` (each noted by
    /// [`LocalPricing::moved_one`], the queue `queued` long before, and
    /// those moved further than the artificial arcs' cost from the root's
    /// potential listed in `far`): when the rest of the tree is smaller and
    /// has fewer nodes left to price than the move queued, by an eighth of
    /// the move (walking the rest costs too), the rest is queued instead, as
    /// if it had moved by `-shift` (see the module docs), and the subtree's
    /// artificial arcs that may violate are priced. The subtree's nodes
    /// that were queued already keep the way it moved: pricing too much is
    /// safe.
    pub(super) fn moved_subtree(
        &mut self,
        s: &Simplex,
        shift: i64,
        (first, last): (u32, u32),
        (moved, queued): (usize, usize),
    ) {
        if 2 * moved > s.n + 1 {
            self.queue_rest(s, shift, (first, last), (moved, queued));
        }
        self.far.clear();
    }

    /// [`LocalPricing::moved_subtree`]'s choice, for a subtree of more than
    /// half the nodes, and, if the rest of the tree is queued, its work.
    fn queue_rest(
        &mut self,
        s: &Simplex,
        shift: i64,
        (first, last): (u32, u32),
        (moved, queued): (usize, usize),
    ) {
        let newly = self.queue.len() - queued;
        if 8 * newly <= moved {
            return;
        }
        // The rest of the tree: the thread after the subtree, around to
        // before it, the root left out.
        let rest = || {
            let (mut next, to) = (Some(s.thread[last as usize]), s.rev_thread[first as usize]);
            std::iter::from_fn(move || {
                let v = next?;
                next = (v != to).then(|| s.thread[v as usize]);
                Some(v)
            })
            .filter(|&v| v != s.root)
        };
        let left = rest().filter(|&v| self.moves[v as usize] == 0).count();
        if 8 * newly.saturating_sub(left) <= moved {
            return;
        }
        for &v in &self.queue[queued..] {
            self.moves[v as usize] = 0;
        }
        self.queue.truncate(queued);
        // An artificial arc violates only when its ends' potentials differ
        // by more than its cost, or at its upper bound (the root's counts
        // say whether any is).
        let root = s.root as usize;
        let price = |a: usize, found: &mut Vec<u32>| {
            debug_assert_eq!(s.cost[a], s.art_cost);
            if s.violation(a) < 0 {
                found.push(a as u32);
            }
        };
        if self.upper_out[root] + self.upper_in[root] == 0 {
            for &v in &self.far {
                price(s.m + v as usize, &mut self.found);
            }
        } else {
            let mut v = first;
            loop {
                price(s.m + v as usize, &mut self.found);
                if v == last {
                    break;
                }
                v = s.thread[v as usize];
            }
        }
        for v in rest() {
            self.moved_one(v, -shift);
        }
    }

    /// Takes the next queued node, with how its potential moved, if any.
    fn next(&mut self) -> Option<(u32, u8)> {
        let v = *self.queue.get(self.head)?;
        self.head += 1;
        let moves = std::mem::take(&mut self.moves[v as usize]);
        if self.head == self.queue.len() {
            self.queue.clear();
            self.head = 0;
        } else if self.head >= 4096 && 2 * self.head >= self.queue.len() {
            self.queue.drain(..self.head);
            self.head = 0;
        }
        Some((v, moves))
    }
}

/// A node's potential rose: the arcs entering it at their lower bound, and
/// those leaving it at their upper bound, may violate now.
const UP: u8 = 1;
/// A node's potential fell: the arcs leaving it at their lower bound, and
/// those entering it at their upper bound, may violate now.
const DOWN: u8 = 2;

impl Simplex {
    /// The arc to enter the tree next by local pricing (see the module
    /// docs), or `None` when the tree is optimal: queued nodes' arcs are
    /// priced until a block's worth of them is read, and the most
    /// violating arc found so far enters.
    pub(super) fn local_search(&mut self, local: &mut LocalPricing) -> Option<usize> {
        loop {
            let mut read = 0;
            while read < self.block_size {
                let Some((v, moves)) = local.next() else {
                    break;
                };
                read += self.price_node(local, v as usize, moves);
            }
            if let Some(a) = self.take_most_violating(&mut local.found) {
                return Some(a);
            }
            if local.queue.is_empty() {
                debug_assert!(
                    (0..self.source.len()).all(|a| self.violation(a) >= 0),
                    "local pricing missed a violating arc"
                );
                return None;
            }
        }
    }

    /// Prices the arcs at node `v`, whose potential moved by `moves`,
    /// that may violate (see `UP` and `DOWN`), adding the violating ones to
    /// the found list; returns how many arcs it read.
    fn price_node(&self, local: &mut LocalPricing, v: usize, moves: u8) -> usize {
        let (state, pi) = (&self.state[..], &self.pi[..]);
        let pi_v = pi[v];
        let (out, into) = if v < local.old_nodes {
            local.old.arcs_at(v)
        } else {
            (ArcsAt::NONE, ArcsAt::NONE)
        };
        // An arc's reduced cost moves with the potential of either end: an
        // arc at its lower bound violates once it falls below zero, one at
        // its upper bound once it rises above (an arc in the tree has
        // none). Leaving `v`, it falls as `v`'s potential falls; entering
        // `v`, as it rises. The costs and other ends are read in order;
        // an arc's state only when its reduced cost has the sign sought.
        let found = &mut local.found;
        let mut price = |arcs: &ArcsAt<'_>, (fall, rise): (bool, bool), leaving: bool| {
            let priced = Priced { pi, pi_v, state };
            match (fall, rise, leaving) {
                (true, false, true) => priced.arcs::<true>(arcs, |rc| rc < 0, found),
                (true, false, false) => priced.arcs::<false>(arcs, |rc| rc < 0, found),
                (false, true, true) => priced.arcs::<true>(arcs, |rc| rc > 0, found),
                (false, true, false) => priced.arcs::<false>(arcs, |rc| rc > 0, found),
                (true, true, true) => priced.arcs::<true>(arcs, |rc| rc != 0, found),
                (true, true, false) => priced.arcs::<false>(arcs, |rc| rc != 0, found),
                (false, false, _) => {}
            }
        };
        let (up, down) = (moves & UP != 0, moves & DOWN != 0);
        price(&out, (down, up && local.upper_out[v] > 0), true);
        price(&into, (up, down && local.upper_in[v] > 0), false);
        // The new arcs and the artificial one, whichever way they go.
        let new = &local.new_arc[local.new_start[v] as usize..local.new_start[v + 1] as usize];
        let artificial = (self.m + v) as u32;
        for &a in new.iter().chain(std::iter::once(&artificial)) {
            if self.violation(a as usize) < 0 {
                local.found.push(a);
            }
        }
        1 + out.arc.len() + into.arc.len() + new.len()
    }
}

/// What pricing a node's old arcs reads: the potentials, the node's, and
/// the arcs' states.
struct Priced<'a> {
    pi: &'a [i64],
    pi_v: i64,
    state: &'a [i8],
}

impl Priced<'_> {
    /// Adds to `found` the arcs of `arcs` (leaving the node when `LEAVING`,
    /// else entering it) whose reduced cost has a sign `sought` keeps and
    /// violates. One loop per case, indexed over slices of one length: a
    /// zip of three iterators with the cases tested inside took twice the
    /// instructions.
    #[inline]
    fn arcs<const LEAVING: bool>(
        &self,
        arcs: &ArcsAt<'_>,
        sought: impl Fn(i64) -> bool,
        found: &mut Vec<u32>,
    ) {
        let len = arcs.arc.len();
        let (arc, other, cost) = (&arcs.arc[..len], &arcs.other[..len], &arcs.cost[..len]);
        for k in 0..len {
            let diff = self.pi_v - self.pi[other[k] as usize];
            let rc = cost[k] + if LEAVING { diff } else { -diff };
            if sought(rc) && i64::from(self.state[arc[k] as usize]) * rc < 0 {
                found.push(arc[k]);
            }
        }
    }
}
