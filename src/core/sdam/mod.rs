//! Server discovery and monitoring (the SDAM specification), as pure functions on values.
//!
//! - [`hello`]: a hello reply (or a failed check) becomes a [`ServerDescription`]
//!   (`ServerDescription::from_hello`, `ServerDescription::from_error`, `equivalent`).
//! - [`topology`]: `TopologyDescription::new` from [`TopologyOptions`], and
//!   `TopologyDescription::update`, the spec's TopologyType table with its subroutines
//!   (updateRSFromPrimary, updateRSWithoutPrimary, updateRSWithPrimaryFromMember, checkIfHasPrimary...).
//! - [`errors`]: application errors (`TopologyDescription::handle_application_error`): state-change
//!   errors, network errors before and after the handshake, stale generations and topologyVersions.
//! - [`diff`](diff()): the SDAM monitoring events between two topology descriptions, plus rsctl's derived
//!   primary events.
//!
//! The topology worker in `net/` owns a `TopologyDescription`: for each check it calls `apply`,
//! and when `apply` reports a change beyond the checked server's slot (or that slot's description
//! is not equivalent to the old one) it publishes a copy and the events from `diff_for`; otherwise
//! it copies that one slot. Nothing here reads a clock: times are the caller's `now_ms`.
//!
//! [`ServerDescription`]: crate::core::description::ServerDescription

pub mod diff;
pub mod errors;
pub mod hello;
pub mod topology;

pub use crate::core::reply::parse_topology_version;
pub use diff::{close, diff, diff_for, open, opening_events, topology_equivalent};
pub use errors::{ErrorContext, ErrorOutcome};
pub use hello::{command_error, compare_topology_versions};
pub use topology::{StalePrimary, TopologyOptions, UpdateOutcome};
