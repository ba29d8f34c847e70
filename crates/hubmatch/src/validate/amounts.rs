//! Re-validation of amounts alone: the index of a district that differs
//! from an already validated one only in need units, capacities and quotas,
//! as every scenario of a sweep that changes amounts only does.
//!
//! A full validation of district-13 (65,000 needs) takes about 12 ms, most
//! of it hashing ids and allocating skill lists; this copy of the index with
//! the amounts re-read takes about 3 ms. The amounts are checked by the same
//! rules, in the same record order, as [`District::validate`] checks them, so
//! the first error and its message are the same.
//!
//! Complexity: O(needs + offers + quotas × communities).

use super::DistrictIndex;
use super::rules::{Check, count, err};
use crate::error::{RecordKind as K, Result};
use crate::model::District;

impl DistrictIndex {
    /// The index of `changed`, a copy of the district this index was
    /// validated from whose need units, offer and provider capacities and
    /// quotas alone may differ (ids, references and everything else the
    /// same): those amounts are read again and checked, and the weights'
    /// exactness with the new units; the rest is copied. Equal to
    /// `changed.validate()` on such a district, for a fifth of its time.
    ///
    /// ```
    /// let d = hubmatch::io::json::read_district("../../tests/data/example.json").unwrap();
    /// let ix = d.validate().unwrap();
    /// let mut changed = d.clone();
    /// changed.needs[0].units += 2;
    /// changed.providers[0].offers[0].capacity = 0;
    /// assert_eq!(ix.with_amounts_of(&changed).unwrap(), changed.validate().unwrap());
    /// changed.needs[1].units = 0;
    /// let e = ix.with_amounts_of(&changed).unwrap_err();
    /// assert_eq!(e.to_string(), changed.validate().unwrap_err().to_string());
    /// ```
    pub fn with_amounts_of(&self, changed: &District) -> Result<DistrictIndex> {
        self.read_amounts(changed).map_err(Into::into)
    }

    fn read_amounts(&self, d: &District) -> Check<DistrictIndex> {
        let offers_differ = |(p, q): (&crate::model::Provider, &super::ProviderIndex)| {
            p.offers.len() != q.offers.len() || p.quotas.len() != q.quotas.len()
        };
        let differs = if d.needs.len() != self.needs.len() {
            Some("needs")
        } else if d.providers.len() != self.providers.len()
            || d.providers.iter().zip(&self.providers).any(offers_differ)
        {
            Some("providers")
        } else {
            None
        };
        if let Some(field) = differs {
            return Err(err(
                K::District,
                &d.id,
                field,
                "differ from the validated district's in more than amounts (records added or \
                 removed); validate the district afresh"
                    .into(),
            ));
        }
        let mut ix = self.clone();
        let mut total_units: i128 = 0;
        for (n, m) in d.needs.iter().zip(&mut ix.needs) {
            m.units = count(K::Need, &n.id, "units", n.units, 1)?;
            total_units += i128::from(m.units);
        }
        for (pr, q) in d.providers.iter().zip(&mut ix.providers) {
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
        }
        ix.exactness.check(total_units)?;
        Ok(ix)
    }
}
