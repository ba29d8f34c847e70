//! Re-validation of amounts alone: the index of a district that differs
//! from an already validated one only in need units, capacities and quotas,
//! as every scenario that changes amounts only does; and of one that has
//! providers appended as well, as a scenario that adds providers has (only
//! the new providers are checked in full).
//!
//! A full validation of district-13 (65,000 needs) takes about 14 ms in a
//! sweep, most of it hashing ids and allocating skill lists; this copy of
//! the index with the amounts read again takes about 5 ms. The amounts are
//! checked by the same rules, in the same record order, as
//! [`District::validate`] checks them, so the first error and its message
//! are the same.
//!
//! Crate-private: whether a district differs from the validated one in
//! amounts alone cannot be checked for less than a validation, so only
//! [`crate::analyze::ScenarioBase`] uses it, on the district it validated
//! with amount changes applied.
//!
//! Complexity: O(needs + offers + quotas × communities), plus the
//! district's communities, cells and categories and the new providers'
//! fields when providers are appended.

use std::sync::Arc;

use super::rules::{Check, count, err, ids};
use super::{DistrictIndex, ProviderIndex, Refs, Validator, node_count};
use crate::error::{RecordKind as K, Result};
use crate::model::{District, Provider};

impl DistrictIndex {
    /// The index of `changed`, a copy of the district this index was
    /// validated from whose need units, offer and provider capacities and
    /// quotas alone may differ (ids, references and everything else the
    /// same): those amounts are read again and checked, and the weights'
    /// exactness with the new units; the rest is copied. Equal to
    /// `changed.validate()` on such a district. A district with records
    /// added or removed is refused.
    pub(crate) fn with_amounts_of(&self, changed: &District) -> Result<DistrictIndex> {
        self.read_amounts(changed, false).map_err(Into::into)
    }

    /// [`DistrictIndex::with_amounts_of`] for a copy with providers
    /// appended as well (a scenario that adds providers): the base
    /// records' amounts are read again, and the new providers checked by
    /// every rule, against the district's references and the skills the
    /// index has named. Equal to `changed.validate()` on such a district,
    /// its first error included (the rules run in the same record order),
    /// without reading the needs' other fields again: a sweep that adds one
    /// provider to district-13 saves about 30 ms a scenario.
    pub(crate) fn with_providers_appended(&self, changed: &District) -> Result<DistrictIndex> {
        self.read_amounts(changed, true).map_err(Into::into)
    }

    /// The index of `d` as [`DistrictIndex::with_amounts_of`] reads it,
    /// with providers appended when `appended` allows them.
    fn read_amounts(&self, d: &District, appended: bool) -> Check<DistrictIndex> {
        let base = self.providers.len();
        let offers_differ = |(p, q): (&Provider, &ProviderIndex)| {
            p.offers.len() != q.offers.len() || p.quotas.len() != q.quotas.len()
        };
        let differs = if d.needs.len() != self.needs.len() {
            Some("needs")
        } else if d.providers.len() < base
            || (d.providers.len() > base && !appended)
            || d.providers.iter().zip(&self.providers).any(offers_differ)
        {
            Some("providers")
        } else {
            None
        };
        if let Some(field) = differs {
            let added = if appended {
                "(other than providers added)"
            } else {
                "(records added or removed)"
            };
            return Err(err(
                K::District,
                &d.id,
                field,
                format!(
                    "differ from the validated district's in more than amounts {added}; \
                     validate the district afresh"
                ),
            ));
        }
        let mut ix = self.clone();
        let mut total_units: i128 = 0;
        for (n, m) in d.needs.iter().zip(&mut ix.needs) {
            m.units = count(K::Need, &n.id, "units", n.units, 1)?;
            total_units += i128::from(m.units);
        }
        if d.providers.len() > base {
            // A validation checks every id before any provider's fields.
            ids(K::Provider, d.providers.iter().map(|p| p.id.as_str()))?;
        }
        for (pr, q) in d.providers.iter().zip(&mut ix.providers) {
            self.read_provider_amounts(pr, q)?;
        }
        if d.providers.len() > base {
            ix.append_providers(d, &d.providers[base..])?;
        }
        ix.exactness.check(total_units)?;
        Ok(ix)
    }

    /// Reads provider `pr`'s amounts into `q`, its index.
    fn read_provider_amounts(&self, pr: &Provider, q: &mut ProviderIndex) -> Check<()> {
        let rec = pr.id.as_str();
        q.capacity = pr
            .capacity
            .map(|c| count(K::Provider, rec, "capacity", c, 0))
            .transpose()?;
        if !pr.quotas.is_empty() {
            q.quotas.clear();
            for (c, units) in &pr.quotas {
                let field = format!("quotas.{c}");
                let ci = self.communities.iter().position(|id| id == c);
                let Some(ci) = ci.filter(|ci| q.area.binary_search(ci).is_ok()) else {
                    return Err(err(
                        K::Provider,
                        rec,
                        &field,
                        "names another community than the validated district's".into(),
                    ));
                };
                q.quotas
                    .push((ci, count(K::Provider, rec, &field, *units, 0)?));
            }
            q.quotas.sort_unstable();
        }
        for (o, oi) in pr.offers.iter().zip(&mut q.offers) {
            // The record's name is built only for the message.
            oi.capacity = count(K::Offer, "", "capacity", o.capacity, 0).or_else(|_| {
                let orec = format!("{}/{}", pr.id, o.category);
                count(K::Offer, &orec, "capacity", o.capacity, 0)
            })?;
        }
        Ok(())
    }

    /// Checks the `added` providers of `d` (appended to the district this
    /// index was validated from) and appends their index; the skills they
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
        self.exactness.nodes = node_count(d);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use crate::model::District;

    fn example() -> District {
        crate::io::json::read_district("../../tests/data/example.json").unwrap()
    }

    /// The example with quotas on two providers, so that every kind of
    /// amount is present, and its communities listed in reverse (quotas are
    /// keyed by id but indexed by position).
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

    /// A capacity or quota, invalid (−1) in one case out of ten.
    fn capacity() -> impl Strategy<Value = i64> {
        (0i64..20).prop_map(|k| if k < 2 { -1 } else { k / 4 })
    }

    proptest! {
        /// Re-reading the amounts into a validated index gives what a full
        /// validation gives: the same index, or the same first error.
        #[test]
        fn amounts_read_again_match_a_full_validation(
            units in proptest::collection::vec(units(), 7),
            capacities in proptest::collection::vec(capacity(), 6),
            shared in proptest::option::of(capacity()),
            quotas in proptest::collection::vec(capacity(), 3),
            huge in proptest::option::weighted(0.1, 0usize..7),
        ) {
            let d = example_with_quotas();
            let ix = d.validate().unwrap();
            let mut changed = d.clone();
            for (n, u) in changed.needs.iter_mut().zip(&units) {
                n.units = *u;
            }
            if let Some(k) = huge {
                changed.needs[k].units = 2_000_000_000; // above MAX_UNITS
            }
            let offers = changed.providers.iter_mut().flat_map(|p| p.offers.iter_mut());
            for (o, c) in offers.zip(&capacities) {
                o.capacity = *c;
            }
            changed.providers[3].capacity = shared;
            let q = [(0, "c2"), (3, "c1"), (3, "c2")];
            for (&(p, c), v) in q.iter().zip(&quotas) {
                changed.providers[p].quotas.insert(c.into(), *v);
            }
            let fast = ix.with_amounts_of(&changed).map_err(|e| e.to_string());
            let full = changed.validate().map_err(|e| e.to_string());
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
            let ix = d.validate().unwrap();
            let mut changed = d.clone();
            for (n, u) in changed.needs.iter_mut().zip(&units) {
                n.units = *u;
            }
            changed.providers[3].capacity = shared;
            for (n, &(k, how)) in added.iter().enumerate() {
                changed.providers.push(appended(&d, k, how, n));
            }
            let fast = ix.with_providers_appended(&changed).map_err(|e| e.to_string());
            let full = changed.validate().map_err(|e| e.to_string());
            prop_assert_eq!(fast, full);
        }
    }

    #[test]
    fn amounts_read_again_refuse_added_records() {
        let d = example();
        let ix = d.validate().unwrap();
        let mut more = d.clone();
        more.needs.push(crate::Need::new("n99", "c1", "life", 1));
        assert_eq!(
            ix.with_amounts_of(&more).unwrap_err().to_string(),
            "district \"example\": needs differ from the validated district's in more than \
             amounts (records added or removed); validate the district afresh"
        );
        let mut fewer = d;
        fewer.providers[0].offers.pop();
        let e = ix.with_amounts_of(&fewer).unwrap_err().to_string();
        assert!(e.contains(": providers differ"), "{e}");
    }
}
