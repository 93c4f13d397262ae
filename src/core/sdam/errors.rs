//! Application errors and SDAM (the spec's "Error handling"): which errors an operation hits
//! mark the server Unknown, clear its connection pool, or call for an immediate check.
//!
//! - Stale errors change nothing: an error from a connection older than the pool's generation,
//!   or a state-change error whose topologyVersion is not newer than the server's.
//! - State-change errors ("not writable primary", "node is recovering", by code, or by message
//!   when the reply has no code) mark the server Unknown (keeping the error's topologyVersion)
//!   and request an immediate check; the pool is cleared for shutdown codes and for servers
//!   older than 4.2.
//! - A network error after the handshake marks the server Unknown and clears the pool; a
//!   network timeout after the handshake changes nothing (the operation may just be slow).
//! - A network error or timeout while establishing a connection or running its hello changes
//!   nothing (the current spec, with backpressure: the monitor decides); an authentication
//!   failure (`Error::Authentication`, which is also how a network error during the
//!   authentication step must be reported) marks the server Unknown and clears the pool.
//! - In LoadBalanced mode the server is never marked Unknown; pools are still cleared.

use std::cmp::Ordering;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, TopologyDescription, TopologyType};
use crate::core::error::Error;
use crate::core::sdam::hello::compare_topology_versions;
use crate::core::sdam::topology::WIRE_VERSION_4_2;

/// Where an application error happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorContext {
    /// The pool generation the failing connection was created in (for an error before the
    /// handshake completed: the pool's generation when the connection attempt started).
    pub connection_generation: u32,
    /// The pool's current generation.
    pub pool_generation: u32,
    /// Whether the connection had completed its handshake (hello and authentication).
    pub handshake_completed: bool,
    /// maxWireVersion of the connection's handshake reply (0 if unknown).
    pub max_wire_version: i32,
}

/// What the caller must do after `handle_application_error`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ErrorOutcome {
    /// The server's description was replaced by an Unknown one (publish the diff).
    pub marked_unknown: bool,
    /// Clear the server's connection pool (bump its generation), while still holding the topology.
    pub clear_pool: bool,
    /// Ask the server's monitor for an immediate check.
    pub request_immediate_check: bool,
    /// Cancel the monitor's check in progress (a network error: its connection is likely dead too).
    pub cancel_in_progress_check: bool,
}

impl TopologyDescription {
    /// Applies the SDAM consequences of an error an application operation got from `address`.
    /// Errors for servers no longer in the topology, and stale errors, change nothing.
    pub fn handle_application_error(
        &mut self,
        address: &ServerAddress,
        error: &Error,
        ctx: &ErrorContext,
    ) -> ErrorOutcome {
        let mut out = ErrorOutcome::default();
        let Some(current) = self.servers.get(address) else {
            return out;
        };
        if ctx.connection_generation < ctx.pool_generation {
            return out;
        }
        let load_balanced = self.topology_type == TopologyType::LoadBalanced;

        if error.is_state_change() {
            let error_tv = match error {
                Error::Command {
                    topology_version, ..
                } => topology_version.as_ref(),
                _ => None,
            };
            if compare_topology_versions(current.topology_version.as_ref(), error_tv)
                != Ordering::Less
            {
                return out;
            }
            if !load_balanced {
                let mut unknown = ServerDescription::from_error(
                    address.clone(),
                    error.clone(),
                    current.last_update_time_ms,
                );
                unknown.topology_version = error_tv.cloned();
                out.marked_unknown = self.apply(unknown).applied;
                out.request_immediate_check = true;
            }
            out.clear_pool = error.is_shutting_down() || ctx.max_wire_version < WIRE_VERSION_4_2;
            return out;
        }

        let mark_and_clear = match error {
            Error::Network { .. } if ctx.handshake_completed => !error.is_network_timeout(),
            Error::Authentication { .. } => true,
            _ => false,
        };
        if mark_and_clear {
            if !load_balanced {
                let unknown = ServerDescription::from_error(
                    address.clone(),
                    error.clone(),
                    current.last_update_time_ms,
                );
                out.marked_unknown = self.apply(unknown).applied;
            }
            out.clear_pool = true;
            out.cancel_in_progress_check = error.is_network();
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::description::ServerType;
    use crate::core::error::NetworkErrorKind;
    use crate::core::sdam::TopologyOptions;
    use bson::doc;

    fn addr() -> ServerAddress {
        ServerAddress::new("a", 1)
    }

    fn with_primary() -> TopologyDescription {
        let mut td = TopologyDescription::new(&TopologyOptions {
            seeds: vec![addr()],
            set_name: Some("rs".into()),
            ..Default::default()
        });
        let reply = doc! {"ok": 1, "isWritablePrimary": true, "setName": "rs", "hosts": ["a:1"], "maxWireVersion": 21};
        td.update(ServerDescription::from_hello(addr(), &reply, Some(1.0), 1));
        assert_eq!(td.topology_type, TopologyType::ReplicaSetWithPrimary);
        td
    }

    fn command(code: i32, message: &str) -> Error {
        Error::Command {
            address: addr(),
            code: Some(code),
            code_name: None,
            message: message.into(),
            labels: vec![],
            topology_version: None,
        }
    }

    fn ctx(generation: u32, handshake_completed: bool, wire: i32) -> ErrorContext {
        ErrorContext {
            connection_generation: generation,
            pool_generation: 1,
            handshake_completed,
            max_wire_version: wire,
        }
    }

    #[test]
    fn state_change_marks_unknown_and_requests_a_check() {
        let mut td = with_primary();
        let out = td.handle_application_error(&addr(), &command(10107, "x"), &ctx(1, true, 21));
        assert!(out.marked_unknown && out.request_immediate_check && !out.clear_pool);
        assert_eq!(td.servers[&addr()].server_type, ServerType::Unknown);
        assert_eq!(td.topology_type, TopologyType::ReplicaSetNoPrimary);
    }

    #[test]
    fn shutdown_and_pre_4_2_clear_the_pool() {
        let mut td = with_primary();
        assert!(
            td.handle_application_error(&addr(), &command(91, "x"), &ctx(1, true, 21))
                .clear_pool
        );
        let mut td = with_primary();
        assert!(
            td.handle_application_error(&addr(), &command(10107, "x"), &ctx(1, true, 7))
                .clear_pool
        );
    }

    #[test]
    fn stale_generation_changes_nothing() {
        let mut td = with_primary();
        let net = Error::network(&addr(), NetworkErrorKind::Io, "reset");
        let out = td.handle_application_error(&addr(), &net, &ctx(0, true, 21));
        assert_eq!(out, ErrorOutcome::default());
        assert_eq!(td.servers[&addr()].server_type, ServerType::RSPrimary);
    }

    #[test]
    fn network_errors_depend_on_the_handshake() {
        let net = Error::network(&addr(), NetworkErrorKind::Closed, "closed");
        let timeout = Error::network(&addr(), NetworkErrorKind::Timeout, "timed out");
        let mut td = with_primary();
        assert_eq!(
            td.handle_application_error(&addr(), &timeout, &ctx(1, true, 21)),
            ErrorOutcome::default()
        );
        assert_eq!(
            td.handle_application_error(&addr(), &net, &ctx(1, false, 21)),
            ErrorOutcome::default()
        );
        assert_eq!(
            td.handle_application_error(&addr(), &timeout, &ctx(1, false, 21)),
            ErrorOutcome::default()
        );
        let out = td.handle_application_error(&addr(), &net, &ctx(1, true, 21));
        assert!(
            out.marked_unknown
                && out.clear_pool
                && out.cancel_in_progress_check
                && !out.request_immediate_check
        );
        let mut td = with_primary();
        let auth = Error::Authentication {
            message: "bad password".into(),
        };
        let out = td.handle_application_error(&addr(), &auth, &ctx(1, false, 21));
        assert!(out.marked_unknown && out.clear_pool);
    }

    #[test]
    fn other_command_errors_are_ignored() {
        let mut td = with_primary();
        // A code that is not a state change wins over a "not master" message.
        let out =
            td.handle_application_error(&addr(), &command(1, "not master"), &ctx(1, true, 21));
        assert_eq!(out, ErrorOutcome::default());
        assert_eq!(td.servers[&addr()].server_type, ServerType::RSPrimary);
    }
}
