//! # hubmatch
//!
//! Exact resource matching for community service hubs. A street (district)
//! pools what government, market, social-organization and volunteer providers
//! offer and matches it to residents' needs across its communities, in five
//! service systems (life, professional, volunteer, public, administrative).
//!
//! Data flows through four layers, each using only the ones before it:
//!
//! 1. [`model`]: the district as plain serde data, and [`District::validate`],
//!    which resolves it into a [`DistrictIndex`] or returns a typed error
//!    naming the record and field.
//! 2. [`graph`]: eligibility and weights as a bipartite graph, and the flow
//!    network built from it.
//! 3. [`solve`]: our primal network simplex, its optimality certificate, and
//!    the per-community and pooled matching modes.
//! 4. [`analyze`]: coverage and equity, hub value, shadow prices,
//!    explanations of unmet needs, the price of fairness, scenario sweeps.
//!
//! Input and output (JSON, CSV, the schema) live in [`io`], at the edge.
//!
//! ```
//! let district = hubmatch::io::json::read_district("../../tests/data/example.json")?;
//! let index = district.validate()?;
//! assert_eq!(index.needs.len(), district.needs.len());
//! # Ok::<(), hubmatch::Error>(())
//! ```
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod analyze;
pub mod error;
pub mod fixed;
pub mod graph;
pub mod io;
pub mod model;
pub mod solve;
pub mod synthetic;
pub mod validate;

pub use error::{Error, RecordKind, Result, ValidationError};
pub use model::{
    CategoryId, Community, District, FORMAT, GridCell, Need, Offer, Policy, Provider, ProviderKind,
    SectorBound, ServiceArea, ServiceCategory, TimeWindow,
};
pub use validate::DistrictIndex;
