//! Bare bipartite graphs in JSON, for users who already have one
//! (`hubmatch solve-graph`), and a district's eligibility graph exported in
//! the same format (`hubmatch export-graph`).
//!
//! ```json
//! {"needs": [{"id": "n1", "units": 2}],
//!  "providers": [{"id": "p1", "capacity": 3}],
//!  "edges": [{"need": "n1", "provider": "p1", "weight": 5}]}
//! ```
//!
//! Optional: `"groups": [{"id": "g", "capacity": 4}]` with `"group": "g"` on
//! providers that share a capacity, and `"unserved_penalty"`. Ids may be
//! strings or integers; weights are integers.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, RecordKind, Result, ValidationError};
use crate::graph::BipartiteProblem;
use crate::model::District;
use crate::solve::MatchingSolution;
use crate::solve::district::Part;
use crate::validate::DistrictIndex;

/// An id given as a string or an integer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GraphId {
    /// A string id.
    Text(String),
    /// An integer id.
    Number(i64),
}

impl GraphId {
    fn key(&self) -> String {
        match self {
            GraphId::Text(s) => s.clone(),
            GraphId::Number(n) => n.to_string(),
        }
    }
}

/// A need of a bare graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphNeed {
    /// Id.
    pub id: GraphId,
    /// Units (at least 1).
    pub units: i64,
}

/// A provider of a bare graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphProvider {
    /// Id.
    pub id: GraphId,
    /// Capacity (0 or more).
    pub capacity: i64,
    /// Group whose capacity it shares, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GraphId>,
}

/// A shared capacity of a bare graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphGroup {
    /// Id.
    pub id: GraphId,
    /// Capacity (0 or more).
    pub capacity: i64,
}

/// An edge of a bare graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphEdge {
    /// Need id.
    pub need: GraphId,
    /// Provider id.
    pub provider: GraphId,
    /// Weight of one unit (integer).
    pub weight: i64,
}

/// A bare bipartite graph document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GraphDoc {
    /// Needs.
    pub needs: Vec<GraphNeed>,
    /// Providers.
    pub providers: Vec<GraphProvider>,
    /// Shared capacities.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<GraphGroup>,
    /// Edges.
    pub edges: Vec<GraphEdge>,
    /// Cost of one unserved unit.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unserved_penalty: i64,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// Units served on one edge, in a [`GraphResult`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphAssignment {
    /// Need id.
    pub need: String,
    /// Provider id.
    pub provider: String,
    /// Units.
    pub units: i64,
}

/// The result of solving a bare graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphResult {
    /// Total weight served minus unserved penalties.
    pub objective: i64,
    /// Units on each edge with flow, in edge order.
    pub assignments: Vec<GraphAssignment>,
    /// Unserved units by need id (needs with some unserved).
    pub unmet: Vec<GraphAssignment>,
    /// Dual value of each need (what one more unit of it is worth).
    pub need_potential: Vec<(String, i64)>,
    /// Dual value of each provider's capacity.
    pub provider_potential: Vec<(String, i64)>,
    /// `"verified"` once the certificate was checked.
    pub certificate: String,
}

fn index(kind: RecordKind, ids: impl Iterator<Item = String>) -> Result<HashMap<String, u32>> {
    let mut map = HashMap::new();
    for (i, id) in ids.enumerate() {
        if map.insert(id.clone(), i as u32).is_some() {
            return Err(ValidationError::new(kind, id, "id", "is a duplicate id").into());
        }
    }
    Ok(map)
}

impl GraphDoc {
    /// Reads a graph document.
    pub fn read(path: impl AsRef<Path>) -> Result<GraphDoc> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: name.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|e| Error::Parse {
            source_name: name,
            message: e.to_string(),
        })
    }

    /// Resolves ids into a [`BipartiteProblem`] (checked when solved).
    ///
    /// ```
    /// let doc: hubmatch::io::graph_json::GraphDoc = serde_json::from_str(
    ///     r#"{"needs":[{"id":"a","units":1}],"providers":[{"id":1,"capacity":1}],
    ///         "edges":[{"need":"b","provider":1,"weight":3}]}"#).unwrap();
    /// let err = doc.to_problem().unwrap_err();
    /// assert_eq!(err.to_string(), r##"graph edge "#0": need "b" is not a need of the graph"##);
    /// ```
    pub fn to_problem(&self) -> Result<BipartiteProblem> {
        let needs = index(RecordKind::GraphNeed, self.needs.iter().map(|n| n.id.key()))?;
        let providers = index(
            RecordKind::GraphProvider,
            self.providers.iter().map(|p| p.id.key()),
        )?;
        let groups = index(
            RecordKind::GraphProvider,
            self.groups.iter().map(|g| g.id.key()),
        )?;
        let mut p = BipartiteProblem {
            units: self.needs.iter().map(|n| n.units).collect(),
            offer_capacity: self.providers.iter().map(|p| p.capacity).collect(),
            group_capacity: self.groups.iter().map(|g| g.capacity).collect(),
            unserved_penalty: self.unserved_penalty,
            ..BipartiteProblem::default()
        };
        for pr in &self.providers {
            let group = match &pr.group {
                None => None,
                Some(g) => Some(*groups.get(&g.key()).ok_or_else(|| {
                    ValidationError::new(
                        RecordKind::GraphProvider,
                        pr.id.key(),
                        "group",
                        format!("{:?} is not a group of the graph", g.key()),
                    )
                })?),
            };
            p.offer_group.push(group);
        }
        for (k, e) in self.edges.iter().enumerate() {
            let rec = format!("#{k}");
            let need = needs.get(&e.need.key()).ok_or_else(|| {
                ValidationError::new(
                    RecordKind::GraphEdge,
                    &rec,
                    "need",
                    format!("{:?} is not a need of the graph", e.need.key()),
                )
            })?;
            let provider = providers.get(&e.provider.key()).ok_or_else(|| {
                ValidationError::new(
                    RecordKind::GraphEdge,
                    &rec,
                    "provider",
                    format!("{:?} is not a provider of the graph", e.provider.key()),
                )
            })?;
            p.edge_need.push(*need);
            p.edge_offer.push(*provider);
            p.edge_weight.push(e.weight);
        }
        Ok(p)
    }

    /// The result document of `solution`, a solution of this graph's problem.
    pub fn result(&self, solution: &MatchingSolution) -> GraphResult {
        let assignments = solution
            .edge_flow
            .iter()
            .zip(&self.edges)
            .filter(|(x, _)| **x > 0)
            .map(|(x, e)| GraphAssignment {
                need: e.need.key(),
                provider: e.provider.key(),
                units: *x,
            })
            .collect();
        let unmet = solution
            .unserved
            .iter()
            .zip(&self.needs)
            .filter(|(x, _)| **x > 0)
            .map(|(x, n)| GraphAssignment {
                need: n.id.key(),
                provider: String::new(),
                units: *x,
            })
            .collect();
        GraphResult {
            objective: solution.objective,
            assignments,
            unmet,
            need_potential: self
                .needs
                .iter()
                .map(|n| n.id.key())
                .zip(solution.need_potential.iter().copied())
                .collect(),
            provider_potential: self
                .providers
                .iter()
                .map(|p| p.id.key())
                .zip(solution.offer_potential.iter().copied())
                .collect(),
            certificate: "verified".into(),
        }
    }

    /// The eligibility graph of a district's `parts` (see
    /// [`crate::solve::district::mode_parts`]) as one graph document. Offers
    /// are named `provider/category`, with `@community` appended for a
    /// community's share in per-community mode; shared capacities become groups.
    pub fn from_parts(district: &District, ix: &DistrictIndex, parts: &[Part]) -> GraphDoc {
        let mut doc = GraphDoc::default();
        let mut included = vec![false; district.needs.len()];
        for part in parts {
            let suffix = part
                .community
                .map(|c| format!("@{}", ix.communities[c as usize]))
                .unwrap_or_default();
            let pb = &part.problem;
            for &i in &part.needs {
                included[i as usize] = true;
                let n = &district.needs[i as usize];
                doc.needs.push(GraphNeed {
                    id: GraphId::Text(n.id.clone()),
                    units: n.units,
                });
            }
            let group_id = |g: u32| {
                GraphId::Text(format!(
                    "{}{suffix}",
                    district.providers[part.groups[g as usize] as usize].id
                ))
            };
            for (g, &cap) in pb.group_capacity.iter().enumerate() {
                doc.groups.push(GraphGroup {
                    id: group_id(g as u32),
                    capacity: cap,
                });
            }
            let offer_id = |lo: usize| {
                let (p, o) = part.offers[lo];
                let pr = &district.providers[p as usize];
                format!("{}/{}{suffix}", pr.id, pr.offers[o as usize].category)
            };
            for lo in 0..pb.offer_count() {
                doc.providers.push(GraphProvider {
                    id: GraphId::Text(offer_id(lo)),
                    capacity: pb.offer_capacity[lo],
                    group: pb.offer_group[lo].map(group_id),
                });
            }
            for k in 0..pb.edge_count() {
                doc.edges.push(GraphEdge {
                    need: GraphId::Text(
                        district.needs[part.needs[pb.edge_need[k] as usize] as usize]
                            .id
                            .clone(),
                    ),
                    provider: GraphId::Text(offer_id(pb.edge_offer[k] as usize)),
                    weight: pb.edge_weight[k],
                });
            }
        }
        // Needs without edges still count (their unserved penalty).
        for (n, _) in district
            .needs
            .iter()
            .zip(&included)
            .filter(|(_, inc)| !**inc)
        {
            doc.needs.push(GraphNeed {
                id: GraphId::Text(n.id.clone()),
                units: n.units,
            });
        }
        doc.unserved_penalty = crate::graph::weight::unserved_penalty(ix);
        doc
    }
}
