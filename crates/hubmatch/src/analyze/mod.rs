//! The analysis layer: what an optimal allocation means for a policy analyst.
//! Uses the model, graph and solve layers; nothing here changes a solution.
//!
//! * [`coverage`](mod@coverage): served against needed units by community, service system
//!   and provider kind, and how evenly coverage is spread (equity).
//! * [`hub_value`](mod@hub_value): pooled against per-community matching on one district —
//!   the value of founding a hub, who gains and whose capacity moves.
//! * [`shadow`]: shadow prices from the dual potentials — what one more unit
//!   of each capacity, or of each need, is worth.
//! * [`explain`]: why each unmet need was not served, in plain words.
//! * [`increase`]: the least extra capacity that would serve one more unit
//!   of an unmet need (re-solving only its network, warm).
//! * [`fairness`]: the price of the policy's coverage floors and sector bounds.
//! * [`scenario`]: named changes (capacity shocks, closures, new providers,
//!   demand growth, policy), swept in parallel with warm starts, and diffs.

pub mod coverage;
pub mod explain;
pub mod fairness;
pub mod hub_value;
pub mod increase;
pub mod scenario;
pub mod shadow;

pub use coverage::{CoverageCell, CoverageReport, Equity, coverage};
pub use explain::{Exclusion, Explanation, explain_unmet};
pub use fairness::{PriceOfFairness, price_of_fairness};
pub use hub_value::{CommunityGain, HubValue, MovedCapacity, hub_value};
pub use increase::smallest_increase;
pub use scenario::{
    Change, DiffRow, Outcome, Scenario, ScenarioBase, Selector, Sweep, diff, sweep,
};
pub use shadow::{CapacityPrice, ShadowPrices, shadow_prices};
