//! The solve layer: the network simplex, its certificate, exact aggregation,
//! matching problems, and district-wide matching per community or pooled.

pub mod aggregate;
mod carry;
pub mod certificate;
pub mod district;
pub mod exchange;
mod floors;
mod grown_parts;
pub mod lagrangian;
pub mod matching;
mod matching_certificate;
pub mod network_simplex;
mod parts;
mod result_check;
mod rows;
mod schedule;
mod sectors;
pub mod session;
mod shares;
pub mod ssp;

pub use certificate::{Certificate, CertificateError, verify};
pub use district::{
    Assignment, MatchResult, MatchStats, Mode, OfferUse, ProviderUse, Unmet, UnmetReason,
    match_district,
};
pub use matching::{MatchOptions, MatchingSolution, solve_matching, verify_matching};
pub use network_simplex::{Basis, CancelFlag, FlowSolution, Pricing, SolveOptions};
pub use sectors::SectorUse;
