//! Per-community mode's split of district-level capacity: each community's
//! share of every offer (and shared capacity) of a provider without a home,
//! by the provider's quotas or else by the community's eligible demand
//! (largest remainder, so shares are whole units and add up).
//!
//! A scenario sweep splits the same district many times with a few needs or
//! capacities changed: [`Shares::updated`] moves the base split's demands by
//! the changed needs' units and splits again only the rows they touch.
//!
//! Complexity: [`Shares::of`] is O(needs + edges + rows · communities ·
//! log communities); [`Shares::updated`] is O(needs + offers + edges of the
//! changed needs + changed rows · communities · log communities);
//! [`Shares::grown`] is O(needs + the new offers' edges + new rows ·
//! communities · log communities).

use rayon::prelude::*;

use crate::graph::growth::{GraphGrowth, NeedOffers};
use crate::validate::DistrictIndex;

/// Each community's share of every district-level capacity: rows of `nc`
/// shares, found through dense row maps, with what they were split from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Shares {
    nc: usize,
    /// Row of each graph node (offers of providers without a home that some
    /// need is eligible for), and the node of each row.
    offer_row: Vec<u32>,
    row_offer: Vec<u32>,
    offer_demand: Vec<i64>,
    offer_share: Vec<i64>,
    /// Row of each provider without a home, and the provider of each row.
    provider_row: Vec<u32>,
    row_provider: Vec<u32>,
    provider_demand: Vec<i64>,
    group_share: Vec<i64>,
    /// The amounts split: units of each need, capacity of each offer row,
    /// shared capacity and quotas of each provider row.
    units: Vec<i64>,
    offer_capacity: Vec<i64>,
    provider_capacity: Vec<Option<i64>>,
    quotas: Vec<Vec<(usize, i64)>>,
}

impl Shares {
    /// Splits every district-level capacity of `ix` over its communities.
    pub(crate) fn of(ix: &DistrictIndex, graph: &impl NeedOffers) -> Shares {
        let nc = ix.communities.len();
        let mut s = Shares {
            nc,
            offer_row: vec![u32::MAX; graph.node_count()],
            row_offer: Vec::new(),
            offer_demand: Vec::new(),
            offer_share: Vec::new(),
            provider_row: vec![u32::MAX; ix.providers.len()],
            row_provider: Vec::new(),
            provider_demand: Vec::new(),
            group_share: Vec::new(),
            units: ix.needs.iter().map(|n| n.units).collect(),
            offer_capacity: Vec::new(),
            provider_capacity: Vec::new(),
            quotas: Vec::new(),
        };
        let units = std::mem::take(&mut s.units);
        let community = |i: usize| ix.needs[i].community;
        s.add_demand(ix, graph, 0..ix.needs.len(), (&units, community));
        s.units = units;
        s.offer_share = vec![0; s.offer_demand.len()];
        s.group_share = vec![0; s.provider_demand.len()];
        s.offer_capacity = vec![0; s.row_offer.len()];
        s.provider_capacity = vec![None; s.row_provider.len()];
        s.quotas = vec![Vec::new(); s.row_provider.len()];
        for r in 0..s.row_provider.len() {
            s.set_provider_row(ix, r);
        }
        for r in 0..s.row_offer.len() {
            s.set_offer_row(ix, graph, r);
        }
        s
    }

    /// The split of `ix`, a district of the same structure as the one these
    /// shares were split from (the same needs' communities and providers'
    /// homes; see `solve::session`) with other amounts: equal to
    /// `Shares::of(ix, graph)`.
    pub(crate) fn updated(&self, ix: &DistrictIndex, graph: &impl NeedOffers) -> Shares {
        self.clone().update(ix, graph, None)
    }

    /// [`Shares::updated`] in place, for shares of no further use (a split
    /// just grown: copying it again took a tenth of a millisecond);
    /// `units`, when given, are `ix`'s needs' units, read off a compact
    /// copy instead of the need records.
    pub(crate) fn update(
        self,
        ix: &DistrictIndex,
        graph: &impl NeedOffers,
        units: Option<&[i64]>,
    ) -> Shares {
        let nc = self.nc;
        let mut s = self;
        let mut offer_dirty = vec![false; s.row_offer.len()];
        let mut provider_dirty = vec![false; s.row_provider.len()];
        let mut last_need_of_provider = vec![u32::MAX; ix.providers.len()];
        let changed: Vec<(usize, i64)> = match units {
            Some(units) => (units.iter().zip(&s.units))
                .enumerate()
                .filter(|(_, (now, was))| now != was)
                .map(|(i, (&now, _))| (i, now))
                .collect(),
            // Found in parallel: a pass over every need record (11 MB on
            // district-13), which one thread streams in half a millisecond.
            None => (ix.needs.par_iter().zip(&s.units[..]))
                .enumerate()
                .filter(|(_, (need, was))| need.units != **was)
                .map(|(i, (need, _))| (i, need.units))
                .collect(),
        };
        for (i, units) in changed {
            let delta = units - s.units[i];
            let community = ix.needs[i].community;
            s.units[i] = units;
            let [old, new] = graph.need_offers(i);
            for &node in old.iter().chain(new) {
                let row = s.offer_row[node as usize];
                if row == u32::MAX {
                    continue; // a provider with a home
                }
                s.offer_demand[row as usize * nc + community] += delta;
                offer_dirty[row as usize] = true;
                let (p, _) = graph.offer_of(node);
                if last_need_of_provider[p as usize] != i as u32 {
                    last_need_of_provider[p as usize] = i as u32;
                    let row = s.provider_row[p as usize] as usize;
                    s.provider_demand[row * nc + community] += delta;
                    provider_dirty[row] = true;
                }
            }
        }
        let mut quotas_changed = vec![false; s.row_provider.len()];
        for (r, &dirty) in provider_dirty.iter().enumerate() {
            let provider = &ix.providers[s.row_provider[r] as usize];
            quotas_changed[r] = provider.quotas != s.quotas[r];
            if dirty || quotas_changed[r] || provider.capacity != s.provider_capacity[r] {
                s.set_provider_row(ix, r);
            }
        }
        for (r, &dirty) in offer_dirty.iter().enumerate() {
            let (p, o) = graph.offer_of(s.row_offer[r]);
            let capacity = ix.providers[p as usize].offers[o as usize].capacity;
            let by_quotas = quotas_changed[s.provider_row[p as usize] as usize];
            if dirty || by_quotas || capacity != s.offer_capacity[r] {
                s.set_offer_row(ix, graph, r);
            }
        }
        s
    }

    /// The split of a district whose eligibility graph is `grown`'s base (the
    /// graph these shares were split on) with providers appended: the new
    /// offers' edges alone are read (old offers keep their edges, so their rows
    /// stand), and rows for the new providers without a home come after the old
    /// ones, split by the base's needs' units. Move it to `ix`'s amounts with
    /// [`Shares::updated`]; then every capacity it gives is
    /// `Shares::of(ix, &grown.graph())`'s (rows may come in another order).
    /// O(needs + new edges + new rows · communities · log communities),
    /// where a split afresh reads every edge.
    ///
    /// `community(i)` is need `i`'s community, from a compact copy where
    /// the caller keeps one: read from the 176-byte need records for every
    /// need with new edges, it missed the cache (0.8 ms of a 1 ms growth
    /// on district-13).
    pub(crate) fn grown(
        &self,
        ix: &DistrictIndex,
        grown: &GraphGrowth<'_>,
        community: impl Fn(usize) -> usize + Sync,
    ) -> Shares {
        let mut s = self.clone();
        s.offer_row.resize(grown.node_count(), u32::MAX);
        s.provider_row.resize(ix.providers.len(), u32::MAX);
        let (first_row_offer, first_row_provider) = (s.row_offer.len(), s.row_provider.len());
        // A need's new edges follow its old ones; the base's units, which
        // `updated` moves to `ix`'s.
        let units = std::mem::take(&mut s.units);
        s.add_new_demand(ix, grown, (&units, community));
        s.units = units;
        s.offer_share.resize(s.offer_demand.len(), 0);
        s.group_share.resize(s.provider_demand.len(), 0);
        s.offer_capacity.resize(s.row_offer.len(), 0);
        s.provider_capacity.resize(s.row_provider.len(), None);
        s.quotas.resize(s.row_provider.len(), Vec::new());
        for r in first_row_provider..s.row_provider.len() {
            s.set_provider_row(ix, r);
        }
        for r in first_row_offer..s.row_offer.len() {
            s.set_offer_row(ix, grown, r);
        }
        s
    }

    /// Adds to the rows the demand of each need `i` of `needs` (its `units`)
    /// on the offers of its edges in `graph` whose provider has no home,
    /// opening rows for offers and providers first met. A need counts once
    /// per provider, however many of its offers fit.
    fn add_demand(
        &mut self,
        ix: &DistrictIndex,
        graph: &impl NeedOffers,
        needs: impl Iterator<Item = usize>,
        (units, community_of): (&[i64], impl Fn(usize) -> usize),
    ) {
        let nc = self.nc;
        let mut last_need_of_provider = vec![u32::MAX; ix.providers.len()];
        for i in needs {
            let community = community_of(i);
            let [old, new] = graph.need_offers(i);
            for &node in old.iter().chain(new) {
                let (p, _) = graph.offer_of(node);
                if ix.providers[p as usize].home.is_some() {
                    continue;
                }
                let row = self.offer_row_of(node);
                self.offer_demand[row * nc + community] += units[i];
                if last_need_of_provider[p as usize] != i as u32 {
                    last_need_of_provider[p as usize] = i as u32;
                    let row = self.provider_row_of(p);
                    self.provider_demand[row * nc + community] += units[i];
                }
            }
        }
    }

    /// [`Shares::add_demand`] of the needs with new edges in `grown`, on
    /// their new edges alone (which reach new offers only, of new
    /// providers), in parallel: each chunk of needs sums its demand on the
    /// new offers and providers, and lists them as it first meets them;
    /// the chunks are merged in need order, so rows open in the order a
    /// need-by-need pass would open them. One thread took 0.7 ms on
    /// district-13, reading arrays the growth had just written on both.
    fn add_new_demand(
        &mut self,
        ix: &DistrictIndex,
        grown: &GraphGrowth<'_>,
        (units, community_of): (&[i64], impl Fn(usize) -> usize + Sync),
    ) {
        let nc = self.nc;
        let (old_nodes, old_providers) = (grown.base.node_count(), grown.base.first_offer.len());
        let new_nodes = grown.node_count() - old_nodes;
        let new_providers = ix.providers.len() - old_providers;
        let needs: Vec<usize> = grown.needs_with_new_edges().collect();
        let chunks: Vec<NewDemand> = needs
            .par_chunks(2048)
            .map(|chunk| {
                let mut d = NewDemand::new(new_nodes, new_providers, nc);
                for &i in chunk {
                    let (community, units) = (community_of(i), units[i]);
                    for e in grown.new_edges(i) {
                        let node = grown.edge_offer[e];
                        let (p, _) = grown.offer_of(node);
                        if ix.providers[p as usize].home.is_some() {
                            continue;
                        }
                        let k = node as usize - old_nodes;
                        if !d.offer_met[k] {
                            d.offer_met[k] = true;
                            d.offers.push(node);
                        }
                        d.offer_demand[k * nc + community] += units;
                        let q = p as usize - old_providers;
                        if d.provider_need[q] != i as u32 {
                            if d.provider_need[q] == u32::MAX {
                                d.providers.push(p);
                            }
                            d.provider_need[q] = i as u32;
                            d.provider_demand[q * nc + community] += units;
                        }
                    }
                }
                d
            })
            .collect();
        for d in chunks {
            // Row `row` of `to` gains row `k` of `from` (rows of `nc`).
            let add = |to: &mut [i64], row: usize, from: &[i64], k: usize| {
                let from = &from[k * nc..(k + 1) * nc];
                for (sum, more) in to[row * nc..(row + 1) * nc].iter_mut().zip(from) {
                    *sum += more;
                }
            };
            for &node in &d.offers {
                let row = self.offer_row_of(node);
                add(
                    &mut self.offer_demand,
                    row,
                    &d.offer_demand,
                    node as usize - old_nodes,
                );
            }
            for &p in &d.providers {
                let row = self.provider_row_of(p);
                let q = p as usize - old_providers;
                add(&mut self.provider_demand, row, &d.provider_demand, q);
            }
        }
    }

    /// The row of offer node `node`, opened (with no demand) if it has none.
    fn offer_row_of(&mut self, node: u32) -> usize {
        let rows = (&mut self.row_offer, &mut self.offer_demand);
        open_row(&mut self.offer_row, rows, node, self.nc)
    }

    /// The row of provider `p`, opened (with no demand) if it has none.
    fn provider_row_of(&mut self, p: u32) -> usize {
        let rows = (&mut self.row_provider, &mut self.provider_demand);
        open_row(&mut self.provider_row, rows, p, self.nc)
    }

    /// Records provider row `r`'s amounts and splits its shared capacity.
    fn set_provider_row(&mut self, ix: &DistrictIndex, r: usize) {
        let provider = &ix.providers[self.row_provider[r] as usize];
        self.provider_capacity[r] = provider.capacity;
        self.quotas[r].clone_from(&provider.quotas);
        let range = r * self.nc..(r + 1) * self.nc;
        let share = match provider.capacity {
            Some(cap) => {
                largest_remainder(cap, &self.weights(r, &self.provider_demand[range.clone()]))
            }
            None => vec![0; self.nc],
        };
        self.group_share[range].copy_from_slice(&share);
    }

    /// Records offer row `r`'s capacity and splits it; its provider's row
    /// holds the quotas already.
    fn set_offer_row(&mut self, ix: &DistrictIndex, graph: &impl NeedOffers, r: usize) {
        let (p, o) = graph.offer_of(self.row_offer[r]);
        let cap = ix.providers[p as usize].offers[o as usize].capacity;
        self.offer_capacity[r] = cap;
        let range = r * self.nc..(r + 1) * self.nc;
        let provider_row = self.provider_row[p as usize] as usize;
        let share = largest_remainder(
            cap,
            &self.weights(provider_row, &self.offer_demand[range.clone()]),
        );
        self.offer_share[range].copy_from_slice(&share);
    }

    /// What a row of provider row `r` is split by: its quotas, or else the
    /// communities' eligible demand.
    fn weights(&self, r: usize, demand: &[i64]) -> Vec<i64> {
        let q = &self.quotas[r];
        if q.is_empty() {
            return demand.to_vec();
        }
        let mut w = vec![0; self.nc];
        for &(c, units) in q {
            w[c] = units;
        }
        w
    }

    /// Capacity of offer `(p, o)` (graph node `node`) and of its provider's
    /// shared capacity, in community `c`; `None` when the provider is homed
    /// in another community.
    pub(crate) fn capacities(
        &self,
        ix: &DistrictIndex,
        node: u32,
        (p, o): (u32, u32),
        c: usize,
    ) -> Option<(i64, Option<i64>)> {
        let provider = &ix.providers[p as usize];
        match provider.home {
            Some(h) if h == c => Some((provider.offers[o as usize].capacity, provider.capacity)),
            Some(_) => None,
            None => Some((
                self.offer_share[self.offer_row[node as usize] as usize * self.nc + c],
                provider.capacity.map(|_| {
                    self.group_share[self.provider_row[p as usize] as usize * self.nc + c]
                }),
            )),
        }
    }

    /// Shared capacity of provider `p` in community `c`; `None` when it is
    /// homed in another community or has no shared capacity.
    pub(crate) fn group_capacity(&self, ix: &DistrictIndex, p: u32, c: usize) -> Option<i64> {
        let provider = &ix.providers[p as usize];
        match provider.home {
            Some(h) if h == c => provider.capacity,
            Some(_) => None,
            None => provider
                .capacity
                .map(|_| self.group_share[self.provider_row[p as usize] as usize * self.nc + c]),
        }
    }
}

/// Splits `total` in proportion to `weights`, in whole units that add up to
/// it: each gets its rounded-down share, and the units left go to the
/// largest remainders (ties: the lowest index). All zero when the weights
/// are.
pub(crate) fn largest_remainder(total: i64, weights: &[i64]) -> Vec<i64> {
    let sum: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut share: Vec<i64> = Vec::with_capacity(weights.len());
    let mut rem: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (k, &w) in weights.iter().enumerate() {
        let exact = i128::from(total) * i128::from(w);
        share.push((exact / sum) as i64);
        rem.push((exact % sum, k));
    }
    let mut left = total - share.iter().sum::<i64>();
    rem.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, k) in &rem {
        if left == 0 {
            break;
        }
        share[k] += 1;
        left -= 1;
    }
    share
}

/// The row of `key` in `row_of`, opened if it has none: `key` listed in
/// `keys`, and `nc` demands of 0 added to `demand`.
fn open_row(
    row_of: &mut [u32],
    (keys, demand): (&mut Vec<u32>, &mut Vec<i64>),
    key: u32,
    nc: usize,
) -> usize {
    if row_of[key as usize] == u32::MAX {
        row_of[key as usize] = keys.len() as u32;
        keys.push(key);
        demand.resize(demand.len() + nc, 0);
    }
    row_of[key as usize] as usize
}

/// What a chunk of needs demands of a growth's new offers and providers
/// (see [`Shares::add_new_demand`]): per new offer and new provider (by
/// their place among the new ones), the units of each community, and the
/// offers and providers met, in the order first met.
struct NewDemand {
    offers: Vec<u32>,
    offer_met: Vec<bool>,
    offer_demand: Vec<i64>,
    providers: Vec<u32>,
    /// The last need that counted for each new provider (`u32::MAX`: none).
    provider_need: Vec<u32>,
    provider_demand: Vec<i64>,
}

impl NewDemand {
    fn new(offers: usize, providers: usize, nc: usize) -> NewDemand {
        NewDemand {
            offers: Vec::new(),
            offer_met: vec![false; offers],
            offer_demand: vec![0; offers * nc],
            providers: Vec::new(),
            provider_need: vec![u32::MAX; providers],
            provider_demand: vec![0; providers * nc],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::EligibilityGraph;
    use crate::synthetic::{Knobs, generate};

    /// The base split grown by appended providers and moved to new amounts
    /// gives every capacity a split afresh gives: new providers without a
    /// home (one with quotas, one with a shared capacity), one with a home,
    /// and needs' units changed.
    #[test]
    fn grown_shares_equal_a_split_afresh() {
        let knobs = Knobs::preset("small").unwrap();
        for seed in 0..4u64 {
            let mut d = generate(&knobs, seed);
            let ix = d.validate().unwrap();
            let graph = EligibilityGraph::build(&ix);
            let base = Shares::of(&ix, &graph);
            let homeless: Vec<_> = d
                .providers
                .iter()
                .filter(|p| p.home.is_none())
                .cloned()
                .collect();
            let homed = d
                .providers
                .iter()
                .find(|p| p.home.is_some())
                .cloned()
                .unwrap();
            assert!(
                homeless.len() >= 2,
                "seed {seed}: the preset must have providers without a home"
            );
            for (k, mut p) in homeless.into_iter().take(3).chain([homed]).enumerate() {
                p.id = format!("new-{k}");
                match k {
                    0 => p.quotas = d.communities.iter().map(|c| (c.id.clone(), 2)).collect(),
                    1 => p.capacity = Some(p.offers.iter().map(|o| o.capacity).sum::<i64>() / 2),
                    _ => {}
                }
                d.providers.push(p);
            }
            for (k, n) in d.needs.iter_mut().enumerate() {
                if (k as u64 + seed) % 5 == 0 {
                    n.units += 2;
                }
            }
            let changed = d.validate().unwrap();
            // Grown and moved on the growth (a need's edges read from two
            // places), against a split of the graph written out.
            let growth = graph.growth(&changed).unwrap();
            let community = |i: usize| changed.needs[i].community;
            let grown = (base.grown(&changed, &growth, community)).update(&changed, &growth, None);
            // The same when the units come from a compact copy (as a
            // session gives them).
            let units: Vec<i64> = changed.needs.iter().map(|n| n.units).collect();
            let compact = base.grown(&changed, &growth, community);
            assert_eq!(compact.update(&changed, &growth, Some(&units)), grown);
            let grown_graph = growth.graph();
            let fresh = Shares::of(&changed, &grown_graph);
            assert!(
                grown.row_provider.len() > base.row_provider.len(),
                "seed {seed}: new rows"
            );
            let nodes = grown_graph.needs as u32..grown_graph.node_count() as u32;
            for c in 0..changed.communities.len() {
                for node in nodes.clone() {
                    let offer = grown_graph.offer_of(node);
                    if fresh.offer_row.get(node as usize) == Some(&u32::MAX)
                        && changed.providers[offer.0 as usize].home.is_none()
                    {
                        // No need is eligible: neither split has a row.
                        assert_eq!(grown.offer_row[node as usize], u32::MAX, "seed {seed}");
                        continue;
                    }
                    assert_eq!(
                        grown.capacities(&changed, node, offer, c),
                        fresh.capacities(&changed, node, offer, c),
                        "seed {seed}: node {node} in community {c}"
                    );
                }
                for p in 0..changed.providers.len() as u32 {
                    if fresh.provider_row[p as usize] == u32::MAX
                        && changed.providers[p as usize].home.is_none()
                    {
                        continue;
                    }
                    assert_eq!(
                        grown.group_capacity(&changed, p, c),
                        fresh.group_capacity(&changed, p, c),
                        "seed {seed}: provider {p} in community {c}"
                    );
                }
            }
        }
    }
}
