//! The pure, synchronous driver core.
//!
//! Nothing in here touches a socket, a clock or a global random source: the current time and the
//! random number generator are arguments. That keeps every function testable by plain `#[test]`s
//! and by the specification suites in `../shared/specs`.

pub mod address;
pub mod auth;
pub mod bson_value;
pub mod description;
pub mod error;
pub mod events;
pub mod read_pref;
pub mod reconfig;
pub mod reply;
pub mod rtt;
pub mod sdam;
pub mod selection;
pub mod uri;
