//! The library's one error type.
//!
//! Every layer below `cli/` returns [`Error`]. The predicates (`is_network`, `is_state_change`,
//! `is_retryable_read`, ...) are what SDAM and the retry logic consult; the CLI maps errors to exit
//! codes in exactly one place (`cli::exit`).

use crate::core::address::ServerAddress;

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a network operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkErrorKind {
    /// connectTimeoutMS or socketTimeoutMS elapsed.
    Timeout,
    /// The peer closed the connection.
    Closed,
    /// Another socket-level failure (unreachable network, reset during connect...).
    Io,
    /// The host refused the TCP connection: nothing listens on that port (yet).
    Refused,
    /// The host name could not be resolved to an address.
    Resolve,
    /// The TLS handshake refused the server's certificate (untrusted issuer, expired, issued
    /// for another host name): retrying cannot help until the certificate or the options change.
    Certificate,
}

/// The library error. Cloneable so that a `ServerDescription` can keep the last error it saw.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// A user-supplied value (URI, option, tag, filter...) is invalid. Message names the culprit.
    #[error("{message}")]
    InvalidArgument { message: String },

    /// A socket-level failure talking to a server.
    #[error("network error talking to {address}: {message}")]
    Network {
        address: ServerAddress,
        kind: NetworkErrorKind,
        message: String,
    },

    /// The server answered `ok: 0` (read by [`crate::core::reply::command_failure`]).
    #[error("{address}: {message}{}", code_suffix(*code, code_name.as_deref()))]
    Command {
        address: ServerAddress,
        /// The server's error code; `None` when the reply carried none (old servers, some
        /// legacy replies), when SDAM matches state changes by message instead.
        code: Option<i32>,
        code_name: Option<String>,
        message: String,
        labels: Vec<String>,
        /// The `topologyVersion` carried by the error reply, if any (SDAM staleness checks).
        topology_version: Option<crate::core::description::TopologyVersion>,
    },

    /// A write was not acknowledged as asked (writeErrors / writeConcernError).
    #[error("{address}: write failed: {message} (code {code})")]
    Write {
        address: ServerAddress,
        code: i32,
        message: String,
    },

    /// SDAM's verdict on a server (a stale primary, a replica-set name mismatch, an incompatible
    /// wire version range...): the server answered, but the client cannot use it as it is.
    #[error("{address}: {message}")]
    Topology {
        address: ServerAddress,
        message: String,
    },

    /// The server sent something that does not follow the wire protocol.
    #[error("protocol error from {address}: {message}")]
    Protocol {
        address: ServerAddress,
        message: String,
    },

    /// No server matched the selection criteria within serverSelectionTimeoutMS.
    /// `message` describes the criteria and every server seen (type, RTT, last error).
    #[error("{message}")]
    ServerSelection { message: String },

    /// A DNS lookup (mongodb+srv seedlist discovery) found nothing or failed.
    #[error("DNS lookup of {name} failed: {message}")]
    Dns { name: String, message: String },

    /// Authentication failed (user, db and mechanism named, never a secret).
    #[error("authentication failed: {message}")]
    Authentication { message: String },

    /// The client was shut down while the operation was waiting.
    #[error("the client has been shut down")]
    Shutdown,

    /// A bug or an unexpected condition inside rsctl.
    #[error("internal error: {message}")]
    Internal { message: String },
}

/// Server error codes that SDAM treats as "not writable primary" (state change).
pub const NOT_PRIMARY_CODES: &[i32] = &[10107, 13435, 10058];
/// Server error codes that SDAM treats as "node is recovering" (state change).
pub const RECOVERING_CODES: &[i32] = &[11600, 11602, 13436, 189, 91];
/// Codes meaning the node is shutting down (pool must be cleared).
pub const SHUTDOWN_CODES: &[i32] = &[11600, 91];
/// Codes for which a read is retried (retryable reads spec).
pub const RETRYABLE_READ_CODES: &[i32] = &[
    11600, 11602, 10107, 13435, 13436, 189, 91, 7, 6, 89, 9001, 262, 134,
];

/// How a server error's code is shown after its message: ` (code 13 Unauthorized)`,
/// ` (code 13)` without a name, ` (Unauthorized)` without a number, nothing with neither.
pub fn code_suffix(code: Option<i32>, code_name: Option<&str>) -> String {
    match (code, code_name) {
        (Some(c), Some(n)) => format!(" (code {c} {n})"),
        (Some(c), None) => format!(" (code {c})"),
        (None, Some(n)) => format!(" ({n})"),
        (None, None) => String::new(),
    }
}

impl Error {
    /// Shorthand for an [`Error::InvalidArgument`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidArgument {
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            message: message.into(),
        }
    }

    /// Shorthand for an [`Error::Network`].
    pub fn network(
        address: &ServerAddress,
        kind: NetworkErrorKind,
        message: impl Into<String>,
    ) -> Self {
        Error::Network {
            address: address.clone(),
            kind,
            message: message.into(),
        }
    }

    /// A socket-level failure (including timeouts).
    pub fn is_network(&self) -> bool {
        matches!(self, Error::Network { .. })
    }

    /// The server cannot be reached at all right now: the connection was refused or its host
    /// name did not resolve (as opposed to a timeout, or a server that answered).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Error::Network {
                kind: NetworkErrorKind::Refused | NetworkErrorKind::Resolve,
                ..
            }
        )
    }

    /// A network timeout.
    pub fn is_network_timeout(&self) -> bool {
        matches!(
            self,
            Error::Network {
                kind: NetworkErrorKind::Timeout,
                ..
            }
        )
    }

    /// The server's error code, if this is a command error.
    pub fn code(&self) -> Option<i32> {
        match self {
            Error::Command { code, .. } => *code,
            Error::Write { code, .. } => Some(*code),
            _ => None,
        }
    }

    fn message_text(&self) -> &str {
        match self {
            Error::Command { message, .. } | Error::Write { message, .. } => message,
            _ => "",
        }
    }

    /// Whether the server gave an error code. SDAM matches state-change errors by code only when
    /// there is one, by message otherwise.
    fn has_code(&self) -> bool {
        self.code().is_some()
    }

    /// "Not writable primary" per SDAM (by code, or by the legacy message when there is no code).
    pub fn is_not_writable_primary(&self) -> bool {
        if self.has_code() {
            return self.code().is_some_and(|c| NOT_PRIMARY_CODES.contains(&c));
        }
        !self.is_recovering() && self.message_text().contains("not master")
    }

    /// "Node is recovering" per SDAM (by code, or by the legacy message when there is no code).
    pub fn is_recovering(&self) -> bool {
        if self.has_code() {
            return self.code().is_some_and(|c| RECOVERING_CODES.contains(&c));
        }
        let m = self.message_text();
        m.contains("node is recovering") || m.contains("not master or secondary")
    }

    /// A state-change error: the server is no longer what the client thought it was.
    pub fn is_state_change(&self) -> bool {
        matches!(self, Error::Command { .. })
            && (self.is_not_writable_primary() || self.is_recovering())
    }

    /// The node is shutting down (SDAM clears the pool even on 4.2+).
    pub fn is_shutting_down(&self) -> bool {
        self.code().is_some_and(|c| SHUTDOWN_CODES.contains(&c))
    }

    /// Whether a read that failed with this error may be retried once on a new selection.
    pub fn is_retryable_read(&self) -> bool {
        match self {
            Error::Network { .. } => true,
            Error::Command { code, labels, .. } => {
                code.is_some_and(|c| RETRYABLE_READ_CODES.contains(&c))
                    || labels.iter().any(|l| l == "RetryableError")
            }
            _ => false,
        }
    }

    /// The error labels the server attached.
    pub fn labels(&self) -> &[String] {
        match self {
            Error::Command { labels, .. } => labels,
            _ => &[],
        }
    }
}
