//! The graph layer: which needs each offer may serve and at what weight (the
//! [`EligibilityGraph`]), and the min-cost-flow networks built from it.

pub mod bipartite;
pub mod eligibility;
pub(crate) mod growth;
pub mod network;
pub mod weight;

pub use bipartite::{BipartiteProblem, MatchingNetwork};
pub use eligibility::{EligibilityGraph, EligibilityNode, Eligible};
pub use network::FlowNetwork;
