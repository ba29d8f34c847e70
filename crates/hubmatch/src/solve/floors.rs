//! Coverage floors inside the flow model.
//!
//! A floor on community (or community × category) X requires at least
//! ⌈floor × units needed⌉ of X's units to be served. Equivalently X may leave
//! at most (its units in the network − required) unserved: a capacity on the
//! arc through which X's unserved units reach the sink, so floors are exact
//! and cost nothing when absent. Category floors nest inside community ones.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::error::Result;
use crate::solve::parts::Part;
use crate::validate::DistrictIndex;

pub(crate) fn has_floor(ix: &DistrictIndex, c: usize) -> bool {
    let nk = ix.categories.len();
    ix.community_floor[c].is_some()
        || ix.category_floor[c * nk..(c + 1) * nk]
            .iter()
            .any(Option::is_some)
}

pub(crate) fn floor_name(ix: &DistrictIndex, c: u32, k: Option<u32>) -> String {
    let community = &ix.communities[c as usize];
    match k {
        Some(k) => format!("{community}/{}", ix.categories[k as usize]),
        None => community.clone(),
    }
}

/// Units required by a floor (in millionths) of `needed` units, rounded up.
pub(crate) fn required(floor: i64, needed: i64) -> i64 {
    ((i128::from(floor) * i128::from(needed) + 999_999) / 1_000_000) as i64
}

/// Turns the policy's coverage floors into unserved groups: a floor of
/// community (or community × category) X lets X leave at most
/// (its units in the network − ⌈floor × units needed⌉) unserved, which is a
/// capacity on X's unserved arcs — exact within the flow model. Needs with no
/// eligible offer count as unserved. Category floors nest in community ones.
pub(crate) fn apply_floors(ix: &DistrictIndex, parts: &mut [Part]) -> Result<()> {
    let groups = floor_groups(ix, parts)?;
    for (part, g) in parts.iter_mut().zip(groups) {
        if let Some(g) = g {
            part.problem.unserved_group = g.groups;
            part.problem.unserved_limit = g.limits;
            part.problem.unserved_parent = g.parents;
            part.floors = g.floors;
        }
    }
    Ok(())
}

/// The unserved groups of one network (see [`apply_floors`]).
pub(crate) struct FloorGroups {
    /// Each need's group.
    pub groups: Vec<Option<u32>>,
    /// Each group's limit: units it may leave unserved.
    pub limits: Vec<i64>,
    /// Each group's enclosing group.
    pub parents: Vec<Option<u32>>,
    /// (community, category) of each group.
    pub floors: Vec<(u32, Option<u32>)>,
}

/// The unserved groups of each of `parts` (`None`: the network enforces no
/// floor), or the floor that no allocation can meet.
pub(crate) fn floor_groups(ix: &DistrictIndex, parts: &[Part]) -> Result<Vec<Option<FloorGroups>>> {
    let nk = ix.categories.len();
    if ix
        .community_floor
        .iter()
        .chain(&ix.category_floor)
        .all(Option::is_none)
    {
        return Ok(parts.iter().map(|_| None).collect());
    }
    let mut needed = vec![0i64; ix.communities.len() * nk];
    for n in &ix.needs {
        needed[n.community * nk + n.category] += n.units;
    }
    let needed_c = |c: usize| needed[c * nk..(c + 1) * nk].iter().sum::<i64>();
    let mut reachable = vec![0i64; ix.communities.len() * nk];
    for part in parts {
        for &i in &part.needs {
            let n = &ix.needs[i as usize];
            reachable[n.community * nk + n.category] += n.units;
        }
    }
    let impossible = |name: String, floor: i64, need: i64, can: i64| {
        crate::Error::Infeasible(format!(
            "coverage floor of {name:?} ({}% of {need} units = {} units) cannot be met: only {can} of its units \
             have an eligible offer",
            floor as f64 / 10_000.0,
            required(floor, need)
        ))
    };
    for c in 0..ix.communities.len() {
        for k in 0..nk {
            if let Some(f) = ix.category_floor[c * nk + k] {
                if required(f, needed[c * nk + k]) > reachable[c * nk + k] {
                    return Err(impossible(
                        floor_name(ix, c as u32, Some(k as u32)),
                        f,
                        needed[c * nk + k],
                        reachable[c * nk + k],
                    ));
                }
            }
        }
        if let Some(f) = ix.community_floor[c] {
            let can: i64 = reachable[c * nk..(c + 1) * nk].iter().sum();
            if required(f, needed_c(c)) > can {
                return Err(impossible(
                    floor_name(ix, c as u32, None),
                    f,
                    needed_c(c),
                    can,
                ));
            }
        }
    }
    let mut out = Vec::with_capacity(parts.len());
    for part in parts {
        let mut units: BTreeMap<(u32, u32), i64> = BTreeMap::new();
        for &i in &part.needs {
            let n = &ix.needs[i as usize];
            *units
                .entry((n.community as u32, n.category as u32))
                .or_default() += n.units;
        }
        let communities: BTreeSet<u32> = units.keys().map(|k| k.0).collect();
        let mut limits = Vec::new();
        let mut floors = Vec::new();
        let mut group_ck = HashMap::new();
        for (&(c, k), &u) in &units {
            if let Some(f) = ix.category_floor[c as usize * nk + k as usize] {
                group_ck.insert((c, k), limits.len() as u32);
                limits.push(u - required(f, needed[c as usize * nk + k as usize]));
                floors.push((c, Some(k)));
            }
        }
        let mut group_c = HashMap::new();
        for &c in &communities {
            if let Some(f) = ix.community_floor[c as usize] {
                let u: i64 = units.range((c, 0)..(c + 1, 0)).map(|(_, u)| u).sum();
                group_c.insert(c, limits.len() as u32);
                limits.push(u - required(f, needed_c(c as usize)));
                floors.push((c, None));
            }
        }
        if limits.is_empty() {
            out.push(None);
            continue;
        }
        let parents: Vec<Option<u32>> = floors
            .iter()
            .map(|&(c, k)| k.and_then(|_| group_c.get(&c).copied()))
            .collect();
        let groups: Vec<Option<u32>> = part
            .needs
            .iter()
            .map(|&i| {
                let n = &ix.needs[i as usize];
                let (c, k) = (n.community as u32, n.category as u32);
                group_ck.get(&(c, k)).or_else(|| group_c.get(&c)).copied()
            })
            .collect();
        out.push(Some(FloorGroups {
            groups,
            limits,
            parents,
            floors,
        }));
    }
    Ok(out)
}
