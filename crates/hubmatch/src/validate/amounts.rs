//! Re-validation of amounts alone: the index of a district that differs
//! from an already validated one only in need units and capacities, as
//! every scenario that changes amounts only does; and of one that has
//! providers appended as well, as a scenario that adds providers has (only
//! the new providers are checked in full).
//!
//! The changed amounts come as [`Amounts`], arrays beside the validated
//! district's records, so a scenario is answered without a copy of the
//! district: copying district-13's 65,000 needs (their ids, communities,
//! categories, skills) took about 33 ms, more than half of a sweep's
//! answer to a 1% change per community. They are written into a copy of
//! the index that earlier scenarios may have used (copying the index took
//! 5 ms more, its needs' skill lists); a full validation of district-13
//! takes 14–35 ms, most of it hashing ids and allocating skill lists. The
//! amounts are checked by the same rules, in the same record order, as
//! [`District::validate`] checks them, so the first error and its message
//! are the same.
//!
//! Crate-private: [`crate::analyze::ScenarioBase`] writes a scenario's
//! changes into [`Amounts`] of the district it validated.
//!
//! Complexity: O(needs + offers), plus the new providers' fields when
//! providers are appended.

use std::sync::Arc;

use super::rules::{Check, count, ids};
use super::{DistrictIndex, ProviderIndex, Refs, Validator, node_count};
use crate::error::{RecordKind as K, Result};
use crate::model::{District, Provider};

/// The amounts a scenario changes, beside the records of the district
/// they belong to: every need's units and every provider's shared and
/// offer capacities, in record order (the district's providers, then
/// those appended), and the providers appended (whole records, whose
/// amounts are the ones here). Quotas are not among them: no scenario
/// changes them.
#[derive(Debug, Clone)]
pub(crate) struct Amounts {
    /// Units of each need.
    pub(crate) units: Vec<i64>,
    /// Shared capacity of each provider.
    pub(crate) capacity: Vec<Option<i64>>,
    /// Capacity of each provider's offers.
    pub(crate) offers: Vec<Vec<i64>>,
    /// Providers appended.
    pub(crate) added: Vec<Provider>,
}

impl Amounts {
    /// The amounts of `d`, none appended.
    pub(crate) fn of(d: &District) -> Amounts {
        let mut a = Amounts {
            units: d.needs.iter().map(|n| n.units).collect(),
            capacity: Vec::with_capacity(d.providers.len()),
            offers: Vec::with_capacity(d.providers.len()),
            added: Vec::new(),
        };
        d.providers.iter().for_each(|p| a.read(p));
        a
    }

    /// Appends provider `p`, its amounts read into these.
    pub(crate) fn add(&mut self, p: &Provider) {
        self.read(p);
        self.added.push(p.clone());
    }

    /// Appends the amounts of provider `p`.
    fn read(&mut self, p: &Provider) {
        self.capacity.push(p.capacity);
        self.offers
            .push(p.offers.iter().map(|o| o.capacity).collect());
    }

    /// The providers appended, these amounts written into them.
    pub(crate) fn added_providers(&self) -> Vec<Provider> {
        let mut added = self.added.clone();
        let first = self.capacity.len() - added.len();
        self.write_providers(&mut added, first);
        added
    }

    /// Writes these amounts into `d`, the district they were read from
    /// (or a copy), and appends the added providers.
    pub(crate) fn write_into(&self, d: &mut District) {
        for (n, &u) in d.needs.iter_mut().zip(&self.units) {
            n.units = u;
        }
        self.write_providers(&mut d.providers, 0);
        d.providers.extend(self.added_providers());
    }

    /// Writes the amounts of providers `first..` into `providers`.
    fn write_providers(&self, providers: &mut [Provider], first: usize) {
        let amounts = self.capacity[first..].iter().zip(&self.offers[first..]);
        for (p, (&capacity, offers)) in providers.iter_mut().zip(amounts) {
            p.capacity = capacity;
            for (o, &c) in p.offers.iter_mut().zip(offers) {
                o.capacity = c;
            }
        }
    }
}

impl DistrictIndex {
    /// Writes into `ix` the index of `d`, the district this index was
    /// validated from, with amounts `a` (read from it, then changed): the
    /// need units and capacities are read again and checked, and the
    /// weights' exactness with the new units; the providers appended are
    /// checked by every rule, against the district's references and the
    /// skills the index has named. `ix` is a copy of this index, or one
    /// this method wrote before (whatever it answered then): everything
    /// else is this index's already, so a sweep reuses its copies rather
    /// than copying 65,000 needs' skill lists (5 ms on district-13) for
    /// each scenario. Afterwards `ix` equals the validation of `d` with `a`
    /// written into it ([`Amounts::write_into`]); the first error is the
    /// same too (the rules run in the same record order), and leaves `ix`
    /// to be written again.
    pub(crate) fn read_amounts_into(
        &self,
        d: &District,
        a: &Amounts,
        ix: &mut DistrictIndex,
    ) -> Result<()> {
        self.read_amounts(d, a, ix).map_err(Into::into)
    }

    /// [`DistrictIndex::read_amounts_into`], its errors as checks.
    fn read_amounts(&self, d: &District, a: &Amounts, ix: &mut DistrictIndex) -> Check<()> {
        let base = self.providers.len();
        debug_assert!(
            a.units.len() == d.needs.len()
                && a.capacity.len() == base + a.added.len()
                && a.offers.len() == base + a.added.len()
                && base == d.providers.len()
                && ix.needs.len() == self.needs.len()
                && ix.providers.len() >= base
        );
        // What appending providers changes, back to this index's.
        ix.providers.truncate(base);
        ix.skill_ids = Arc::clone(&self.skill_ids);
        ix.exactness = self.exactness;
        let mut total_units: i128 = 0;
        for ((n, &units), m) in d.needs.iter().zip(&a.units).zip(&mut ix.needs) {
            m.units = count(K::Need, &n.id, "units", units, 1)?;
            total_units += i128::from(m.units);
        }
        let added = a.added_providers();
        if !added.is_empty() {
            // A validation checks every id before any provider's fields.
            let all = d.providers.iter().chain(&added);
            ids(K::Provider, all.map(|p| p.id.as_str()))?;
        }
        let amounts = a.capacity.iter().zip(&a.offers);
        for ((pr, (&capacity, offers)), q) in d.providers.iter().zip(amounts).zip(&mut ix.providers)
        {
            read_provider_amounts(pr, capacity, offers, q)?;
        }
        if !added.is_empty() {
            ix.append_providers(d, &added)?;
        }
        ix.exactness.check(total_units)
    }

    /// Checks the `added` providers, appended to `d` (the district this
    /// index was validated from), and appends their index; the skills they
    /// name first get the next ids, and the weights' bounds take in their
    /// offers and nodes.
    fn append_providers(&mut self, d: &District, added: &[Provider]) -> Check<()> {
        let categories = self.categories.clone();
        let refs = Refs::of(d, &categories);
        let mut validator = Validator {
            skills: (*self.skill_ids).clone(),
        };
        let mut max_quality = self.exactness.max_quality;
        for pr in added {
            let provider = validator.provider(&refs, &self.allowed, pr, &mut max_quality)?;
            self.providers.push(provider);
        }
        self.skill_ids = Arc::new(validator.skills);
        self.exactness.max_quality = max_quality;
        self.exactness.nodes = node_count(d.needs.len(), d.providers.iter().chain(added));
        Ok(())
    }
}

/// Reads provider `pr`'s shared `capacity` and its offers' capacities
/// (`offers`, in its offers' order) into `q`, its index.
fn read_provider_amounts(
    pr: &Provider,
    capacity: Option<i64>,
    offers: &[i64],
    q: &mut ProviderIndex,
) -> Check<()> {
    let rec = pr.id.as_str();
    q.capacity = capacity
        .map(|c| count(K::Provider, rec, "capacity", c, 0))
        .transpose()?;
    for ((o, &c), oi) in pr.offers.iter().zip(offers).zip(&mut q.offers) {
        // The record's name is built only for the message.
        oi.capacity = count(K::Offer, "", "capacity", c, 0).or_else(|_| {
            let orec = format!("{}/{}", pr.id, o.category);
            count(K::Offer, &orec, "capacity", c, 0)
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::Amounts;
    use crate::model::District;
    use crate::validate::DistrictIndex;

    fn example() -> District {
        crate::io::json::read_district("../../tests/data/example.json").unwrap()
    }

    /// The example with quotas on two providers, which the index copies
    /// (keyed by id but indexed by position: its communities are listed in
    /// reverse).
    fn example_with_quotas() -> District {
        let mut d = example();
        d.communities.reverse();
        d.providers[0].quotas.insert("c2".into(), 2);
        d.providers[3].quotas.insert("c1".into(), 1);
        d.providers[3].quotas.insert("c2".into(), 2);
        d
    }

    /// A unit count, invalid (−1 or 0) in one case out of ten.
    fn units() -> impl Strategy<Value = i64> {
        (0i64..20).prop_map(|k| if k < 2 { k - 1 } else { k / 5 + 1 })
    }

    /// A capacity, invalid (−1) in one case out of ten.
    fn capacity() -> impl Strategy<Value = i64> {
        (0i64..20).prop_map(|k| if k < 2 { -1 } else { k / 4 })
    }

    /// `a` read against the index of `d` (validated), into a copy of it
    /// that answered other amounts first (providers appended, with a new
    /// skill and top quality, and every unit doubled), and `d` with `a`
    /// written into it validated in full, their errors as text.
    fn both(
        d: &District,
        a: &Amounts,
    ) -> (Result<DistrictIndex, String>, Result<DistrictIndex, String>) {
        let ix = d.validate().unwrap();
        let mut spare = ix.clone();
        let mut other = Amounts::of(d);
        other.units.iter_mut().for_each(|u| *u *= 2);
        other.add(&appended(d, 3, 4, 8)); // a new skill
        other.add(&appended(d, 3, 6, 9)); // top quality
        ix.read_amounts_into(d, &other, &mut spare).unwrap();
        let fast = ix.read_amounts_into(d, a, &mut spare).map(|()| spare);
        let mut changed = d.clone();
        a.write_into(&mut changed);
        let full = changed.validate().map_err(|e| e.to_string());
        (fast.map_err(|e| e.to_string()), full)
    }

    proptest! {
        /// Re-reading the amounts into a validated index gives what a full
        /// validation gives: the same index, or the same first error.
        #[test]
        fn amounts_read_again_match_a_full_validation(
            units in proptest::collection::vec(units(), 7),
            capacities in proptest::collection::vec(capacity(), 6),
            shared in proptest::option::of(capacity()),
            huge in proptest::option::weighted(0.1, 0usize..7),
        ) {
            let d = example_with_quotas();
            let mut a = Amounts::of(&d);
            a.units.clone_from(&units);
            if let Some(k) = huge {
                a.units[k] = 2_000_000_000; // above MAX_UNITS
            }
            for (o, c) in a.offers.iter_mut().flatten().zip(&capacities) {
                *o = *c;
            }
            a.capacity[3] = shared;
            let (fast, full) = both(&d, &a);
            prop_assert_eq!(fast, full);
        }
    }

    /// Provider `k` of `d` copied as a new one, changed by `how`: valid
    /// (0, 4, 6), or wrong in one of its fields or its id.
    fn appended(d: &District, k: usize, how: u8, n: usize) -> crate::model::Provider {
        let mut p = d.providers[k % d.providers.len()].clone();
        p.id = format!("new-{n}");
        match how {
            1 => p.id.clone_from(&d.providers[0].id),
            2 => p.home = Some("nowhere".into()),
            3 => p.capacity = Some(-1),
            4 => p.skills.push("juggling".into()),
            5 => {
                if let Some(o) = p.offers.first_mut() {
                    o.category = "astrology".into();
                }
            }
            6 => {
                if let Some(o) = p.offers.first_mut() {
                    o.quality = crate::validate::MAX_QUALITY;
                }
            }
            7 => {
                if let Some(o) = p.offers.first_mut() {
                    o.capacity = -2;
                }
            }
            8 => p.id.clear(),
            _ => {}
        }
        p
    }

    proptest! {
        /// Re-reading the amounts and checking appended providers gives what
        /// a full validation gives: the same index (the new providers'
        /// skills, the weights' bounds), or the same first error, whether
        /// it lies in the base records' amounts or the new providers.
        #[test]
        fn appended_providers_match_a_full_validation(
            added in proptest::collection::vec((0usize..8, 0u8..12), 1..4),
            units in proptest::collection::vec(units(), 7),
            shared in proptest::option::of(capacity()),
        ) {
            let d = example_with_quotas();
            let mut a = Amounts::of(&d);
            a.units.clone_from(&units);
            a.capacity[3] = shared;
            for (n, &(k, how)) in added.iter().enumerate() {
                a.add(&appended(&d, k, how, n));
            }
            let (fast, full) = both(&d, &a);
            prop_assert_eq!(fast, full);
        }
    }

    #[test]
    fn amounts_written_and_read_again_are_the_district() {
        let d = example_with_quotas();
        let mut copy = d.clone();
        Amounts::of(&d).write_into(&mut copy);
        assert_eq!(copy, d);
        let (fast, full) = both(&d, &Amounts::of(&d));
        assert_eq!(fast.unwrap(), full.unwrap());
    }
}
