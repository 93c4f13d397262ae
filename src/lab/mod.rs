//! `rsctl lab`: a MongoDB-wire-compatible replica-set simulator with fault injection.
//!
//! - [`auth`]: users, the server side of SCRAM and MONGODB-X509, and the Unauthorized gate
//!   (`lab up --auth`).
//! - [`dn`]: a certificate's subject DN in RFC 2253 form (the `$external` user of X.509).
//! - [`cluster`]: the pure, deterministic replica-set state machine (members and their timers,
//!   consensus, replication, admin and data commands, parked requests, faults), stepped on a
//!   clock passed in.
//! - [`replconfig`]: replica-set configs: parsing and validating as mongod does, rendering.
//! - [`error`]: the one server-error type and its table of codes, names and retryable labels.
//! - [`store`]: the pure in-memory document store each member keeps (filter, update, order and
//!   sort, projection, aggregation).
//! - [`tls`]: the throwaway CA, server and client certificates of `lab up --tls`.
//! - [`server`]: the tokio side: one TCP listener per member on 127.0.0.1, wire framing, latency
//!   and pause faults, exhaust hello.
//! - `listener`: what members and routers share at the network edge: binding, the accept loop,
//!   the TLS handshake, `buildInfo`, awaitable-hello detection.
//! - [`router`]: mongos routers in front of the set (a one-shard cluster), forwarding through
//!   an rsctl client.
//! - [`control`]: the registry of running labs and the JSON-lines control channel used by
//!   `rsctl lab kill` etc.

pub mod auth;
pub mod cluster;
pub mod control;
pub mod dn;
pub mod error;
pub(crate) mod listener;
pub mod replconfig;
pub mod router;
pub mod server;
pub mod store;
pub mod tls;
