//! `ServerAddress`: a host and port (or a unix socket path), normalised as the specs require.

use std::fmt;

use crate::core::error::{Error, Result};

/// The default MongoDB port.
pub const DEFAULT_PORT: u16 = 27017;

/// Where a server listens. Host names are lower-cased; IPv6 literals are kept without brackets.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ServerAddress {
    /// A TCP endpoint.
    Tcp {
        /// Lower-cased host name, IPv4 literal or IPv6 literal (without brackets).
        host: String,
        /// The port (27017 when not given).
        port: u16,
    },
    /// A unix domain socket path (a host containing '/' and ending in `.sock`).
    Unix {
        /// The socket's path, percent-decoded.
        path: String,
    },
}

impl ServerAddress {
    /// A TCP address from parts (the host is lower-cased).
    pub fn new(host: impl AsRef<str>, port: u16) -> Self {
        ServerAddress::Tcp {
            host: host.as_ref().to_ascii_lowercase(),
            port,
        }
    }

    /// Parses `host`, `host:port`, `[v6]`, `[v6]:port` or a unix socket path (with a '/', ending
    /// in `.sock`; `name.sock` alone is a host name, as the connection-string spec tests expect).
    /// The string must already be percent-decoded.
    pub fn parse(s: &str) -> Result<Self> {
        if s.is_empty() {
            return Err(Error::invalid("empty host in the seed list"));
        }
        // A unix socket path ends in ".sock" and has a '/' (a bare "name.sock" is a host name).
        if s.ends_with(".sock") && s.contains('/') {
            return Ok(ServerAddress::Unix {
                path: s.to_string(),
            });
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let end = rest.find(']').ok_or_else(|| {
                Error::invalid(format!(
                    "invalid host \"{s}\": missing ']' after an IPv6 literal"
                ))
            })?;
            let host = &rest[..end];
            let after = &rest[end + 1..];
            let port = if after.is_empty() {
                None
            } else if let Some(p) = after.strip_prefix(':') {
                Some(p)
            } else {
                return Err(Error::invalid(format!(
                    "invalid host \"{s}\": unexpected characters after the IPv6 literal"
                )));
            };
            if host.is_empty() {
                return Err(Error::invalid(format!(
                    "invalid host \"{s}\": empty IPv6 literal"
                )));
            }
            (host, port)
        } else {
            match s.matches(':').count() {
                0 => (s, None),
                1 => {
                    let (h, p) = s.split_once(':').expect("one colon");
                    (h, Some(p))
                }
                _ => {
                    return Err(Error::invalid(format!(
                        "invalid host \"{s}\": an IPv6 literal must be enclosed in '[' and ']'"
                    )))
                }
            }
        };
        if host.is_empty() {
            return Err(Error::invalid(format!(
                "invalid host \"{s}\": the host name is empty"
            )));
        }
        if host.contains('/') || host.contains('?') || host.contains('@') {
            return Err(Error::invalid(format!("invalid host \"{s}\"")));
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => {
                let n: u32 = p.parse().map_err(|_| {
                    Error::invalid(format!("invalid port in \"{s}\": \"{p}\" is not a number"))
                })?;
                if n == 0 || n > 65535 {
                    return Err(Error::invalid(format!(
                        "invalid port in \"{s}\": {n} is outside 1..65535"
                    )));
                }
                n as u16
            }
        };
        Ok(ServerAddress::new(host, port))
    }

    /// The host (or socket path).
    pub fn host(&self) -> &str {
        match self {
            ServerAddress::Tcp { host, .. } => host,
            ServerAddress::Unix { path } => path,
        }
    }

    /// The TCP port, if any.
    pub fn port(&self) -> Option<u16> {
        match self {
            ServerAddress::Tcp { port, .. } => Some(*port),
            ServerAddress::Unix { .. } => None,
        }
    }

    /// Whether the host is a loopback name or address (`localhost`, `127.x`, `::1`).
    pub fn is_loopback(&self) -> bool {
        match self {
            ServerAddress::Tcp { host, .. } => {
                host == "localhost" || host.starts_with("127.") || host == "::1"
            }
            ServerAddress::Unix { .. } => true,
        }
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerAddress::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            ServerAddress::Tcp { host, port } => write!(f, "{host}:{port}"),
            ServerAddress::Unix { path } => f.write_str(path),
        }
    }
}

impl std::str::FromStr for ServerAddress {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ServerAddress::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_normalises() {
        assert_eq!(
            ServerAddress::parse("A.Example.COM").unwrap().to_string(),
            "a.example.com:27017"
        );
        assert_eq!(
            ServerAddress::parse("h:1234").unwrap(),
            ServerAddress::new("h", 1234)
        );
        assert_eq!(
            ServerAddress::parse("[::1]:5").unwrap().to_string(),
            "[::1]:5"
        );
        assert_eq!(ServerAddress::parse("[::1]").unwrap().port(), Some(27017));
        assert!(matches!(
            ServerAddress::parse("/tmp/mongodb-27017.sock").unwrap(),
            ServerAddress::Unix { .. }
        ));
    }

    #[test]
    fn rejects_bad_hosts_and_ports() {
        for bad in [
            "", ":27017", "h:0", "h:65536", "h:x", "::1", "[::1", "[::1]x", "[]:1",
        ] {
            let err = ServerAddress::parse(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidArgument { .. }), "{bad}: {err}");
        }
    }
}
