//! DNS for `mongodb+srv://`: the SRV and TXT queries of Initial DNS Seedlist Discovery, behind
//! the small [`DnsLookup`] trait so tests can inject answers, and the hickory-based resolver
//! rsctl uses ([`HickoryDns`]: the system configuration, or one given DNS server).
//!
//! The rules (domain checks, TXT options, srvMaxHosts) are pure and live in
//! `core::uri` ([`ConnectionString::resolve_srv`]); this module only asks and collects.
//!
//! With `--dns-server` the CLI also gives its clients a *host* resolver (the connection option
//! `host_resolver`): their connections then resolve member host names through that server first
//! ([`HickoryDns::host_addresses`], falling back to the system resolver for names it does not
//! know), which is what a split-horizon setup needs when the SRV targets only exist in that
//! server's view.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use hickory_resolver::config::{NameServerConfigGroup, ResolverConfig, ResolverOpts};
use hickory_resolver::name_server::TokioConnectionProvider;
use hickory_resolver::{ResolveError, TokioResolver};

use crate::core::error::{Error, Result};
use crate::core::uri::{ConnectionString, SrvRecord};

/// The two queries seedlist discovery makes.
pub trait DnsLookup: Send + Sync {
    /// SRV records of `name` (empty when the name has none).
    fn srv(&self, name: &str) -> impl Future<Output = Result<Vec<SrvRecord>>> + Send;
    /// TXT records of `name`, each as its list of character strings (empty when none).
    fn txt(&self, name: &str) -> impl Future<Output = Result<Vec<Vec<String>>>> + Send;
}

/// Resolves a `mongodb+srv://` connection string into the equivalent `mongodb://` one: queries
/// SRV and TXT (both before any connection), then applies the specification's rules. Strings
/// that are not `mongodb+srv://` are returned unchanged.
///
/// Lookup failures and empty SRV answers are [`Error::Dns`] (naming the name and the reason);
/// records that break a rule are [`Error::InvalidArgument`]s quoting the rule.
pub async fn resolve_srv<D: DnsLookup>(cs: &ConnectionString, dns: &D) -> Result<ConnectionString> {
    let (Some(srv_name), Some(txt_name)) = (cs.srv_query_name(), cs.txt_query_name()) else {
        return Ok(cs.clone());
    };
    tracing::info!("mongodb+srv: looking up SRV {srv_name} and TXT {txt_name}");
    let (srv, txt) = tokio::join!(dns.srv(&srv_name), dns.txt(&txt_name));
    let srv = srv?;
    let txt = txt?;
    for r in &srv {
        tracing::info!("mongodb+srv: SRV {srv_name} -> {}:{}", r.target, r.port);
    }
    for t in &txt {
        tracing::info!("mongodb+srv: TXT {txt_name} -> \"{}\"", t.concat());
    }
    if srv.is_empty() {
        tracing::info!("mongodb+srv: SRV {srv_name}: no records");
    }
    let resolved = cs.resolve_srv(&srv, &txt, &mut rand::thread_rng())?;
    tracing::info!(
        "mongodb+srv: seeds {}",
        resolved
            .hosts
            .iter()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    Ok(resolved)
}

/// Parses a `--dns-server` value: `IP` or `IP:PORT` (`[IPv6]:PORT`); the port defaults to 53.
pub fn parse_dns_server(s: &str) -> std::result::Result<SocketAddr, String> {
    let t = s.trim();
    if let Ok(a) = t.parse::<SocketAddr>() {
        return Ok(a);
    }
    if let Ok(ip) = t
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
    {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(format!(
        "invalid DNS server \"{s}\": expected IP or IP:PORT (e.g. 10.0.0.2, 127.0.0.1:5353, [::1]:53)"
    ))
}

/// The resolver rsctl uses: hickory on tokio, with the system configuration or one server.
#[derive(Clone)]
pub struct HickoryDns {
    resolver: TokioResolver,
    /// Shown in error messages ("system resolver" or "DNS server 10.0.0.2:53").
    via: String,
}

impl std::fmt::Debug for HickoryDns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HickoryDns")
            .field("via", &self.via)
            .finish()
    }
}

fn options() -> ResolverOpts {
    let mut o = ResolverOpts::default();
    o.timeout = Duration::from_secs(5);
    o.attempts = 2;
    o
}

impl HickoryDns {
    /// The system configuration (`/etc/resolv.conf`), or only `server` when given.
    pub fn new(server: Option<SocketAddr>) -> Result<Self> {
        match server {
            Some(addr) => {
                let group = NameServerConfigGroup::from_ips_clear(&[addr.ip()], addr.port(), true);
                let config = ResolverConfig::from_parts(None, vec![], group);
                let resolver =
                    TokioResolver::builder_with_config(config, TokioConnectionProvider::default())
                        .with_options(options())
                        .build();
                Ok(HickoryDns {
                    resolver,
                    via: format!("DNS server {addr}"),
                })
            }
            None => {
                let mut builder = TokioResolver::builder_tokio().map_err(|e| Error::Dns {
                    name: "the system resolver configuration".into(),
                    message: format!("cannot read it: {e} (use --dns-server to name a DNS server)"),
                })?;
                let timeout = options().timeout;
                builder.options_mut().timeout = timeout;
                Ok(HickoryDns {
                    resolver: builder.build(),
                    via: "system resolver".into(),
                })
            }
        }
    }

    /// The IP addresses of `host` (A and AAAA).
    pub async fn lookup_ip(&self, host: &str) -> Result<Vec<IpAddr>> {
        let lookup = self
            .resolver
            .lookup_ip(fqdn(host))
            .await
            .map_err(|e| self.error(host, &e, "addresses"))?;
        Ok(lookup.iter().collect())
    }

    fn error(&self, name: &str, e: &ResolveError, what: &str) -> Error {
        let reason = if e.is_nx_domain() {
            format!("the name does not exist (NXDOMAIN) at the {}", self.via)
        } else if e.is_no_records_found() {
            format!("no {what} records at the {}", self.via)
        } else {
            format!("{e} (via the {})", self.via)
        };
        Error::Dns {
            name: name.to_string(),
            message: reason,
        }
    }
}

/// `name.` (absolute: no search domains appended).
fn fqdn(name: &str) -> String {
    if name.ends_with('.') {
        name.to_string()
    } else {
        format!("{name}.")
    }
}

impl DnsLookup for HickoryDns {
    async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>> {
        let lookup = self
            .resolver
            .srv_lookup(fqdn(name))
            .await
            .map_err(|e| self.error(name, &e, "SRV"))?;
        Ok(lookup
            .iter()
            .map(|r| SrvRecord::new(r.target().to_utf8(), r.port()))
            .collect())
    }

    async fn txt(&self, name: &str) -> Result<Vec<Vec<String>>> {
        match self.resolver.txt_lookup(fqdn(name)).await {
            Ok(lookup) => Ok(lookup
                .iter()
                .map(|t| {
                    t.txt_data()
                        .iter()
                        .map(|b| String::from_utf8_lossy(b).into_owned())
                        .collect()
                })
                .collect()),
            // No TXT record (or no such name for TXT) is the common case: no default options.
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(self.error(name, &e, "TXT")),
        }
    }
}

impl HickoryDns {
    /// The socket addresses of `host:port` from this resolver; `None` when `host` is an IP
    /// literal or the resolver does not know the name (the caller then uses the system
    /// resolver).
    pub async fn host_addresses(&self, host: &str, port: u16) -> Option<Vec<SocketAddr>> {
        if host.parse::<IpAddr>().is_ok() || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok()
        {
            return None;
        }
        match self.lookup_ip(host).await {
            Ok(ips) if !ips.is_empty() => {
                tracing::debug!("{host} -> {ips:?} via the {}", self.via);
                Some(
                    ips.into_iter()
                        .map(|ip| SocketAddr::new(ip, port))
                        .collect(),
                )
            }
            Ok(_) => None,
            Err(e) => {
                tracing::debug!("{e}; falling back to the system resolver");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Answers from fixed tables and records what was asked.
    #[derive(Default)]
    struct Fixed {
        srv: Vec<SrvRecord>,
        txt: Vec<Vec<String>>,
        txt_fails: bool,
        asked: Mutex<Vec<String>>,
    }

    impl DnsLookup for Fixed {
        async fn srv(&self, name: &str) -> Result<Vec<SrvRecord>> {
            self.asked.lock().unwrap().push(format!("SRV {name}"));
            Ok(self.srv.clone())
        }
        async fn txt(&self, name: &str) -> Result<Vec<Vec<String>>> {
            self.asked.lock().unwrap().push(format!("TXT {name}"));
            if self.txt_fails {
                return Err(Error::Dns {
                    name: name.into(),
                    message: "SERVFAIL".into(),
                });
            }
            Ok(self.txt.clone())
        }
    }

    #[tokio::test]
    async fn asks_srv_and_txt_then_applies_the_rules() {
        let dns = Fixed {
            srv: vec![
                SrvRecord::new("m1.test.example.", 27017),
                SrvRecord::new("m2.test.example.", 27018),
            ],
            txt: vec![vec!["replicaSet=rs0".into()]],
            ..Default::default()
        };
        let cs =
            ConnectionString::parse("mongodb+srv://rs.test.example/?srvServiceName=db").unwrap();
        let out = resolve_srv(&cs, &dns).await.unwrap();
        let mut asked = dns.asked.lock().unwrap().clone();
        asked.sort();
        assert_eq!(
            asked,
            ["SRV _db._tcp.rs.test.example", "TXT rs.test.example"]
        );
        assert_eq!(out.hosts.len(), 2);
        assert_eq!(out.replica_set.as_deref(), Some("rs0"));
        assert!(out.tls_required());
    }

    #[tokio::test]
    async fn failures_and_empty_answers_name_the_query() {
        let cs = ConnectionString::parse("mongodb+srv://rs.test.example").unwrap();
        let e = resolve_srv(&cs, &Fixed::default()).await.unwrap_err();
        assert!(
            matches!(&e, Error::Dns { name, .. } if name == "_mongodb._tcp.rs.test.example"),
            "{e}"
        );
        let dns = Fixed {
            srv: vec![SrvRecord::new("m1.test.example", 1)],
            txt_fails: true,
            ..Default::default()
        };
        let e = resolve_srv(&cs, &dns).await.unwrap_err();
        assert!(
            e.to_string().contains("rs.test.example") && e.to_string().contains("SERVFAIL"),
            "{e}"
        );
    }

    #[tokio::test]
    async fn plain_strings_are_not_looked_up() {
        let dns = Fixed::default();
        let cs = ConnectionString::parse("mongodb://a,b").unwrap();
        assert_eq!(resolve_srv(&cs, &dns).await.unwrap(), cs);
        assert!(dns.asked.lock().unwrap().is_empty());
    }

    #[test]
    fn dns_server_values() {
        assert_eq!(
            parse_dns_server("10.0.0.2").unwrap(),
            "10.0.0.2:53".parse().unwrap()
        );
        assert_eq!(
            parse_dns_server("127.0.0.1:5353").unwrap(),
            "127.0.0.1:5353".parse().unwrap()
        );
        assert_eq!(
            parse_dns_server("[::1]:54").unwrap(),
            "[::1]:54".parse().unwrap()
        );
        assert_eq!(
            parse_dns_server("::1").unwrap(),
            "[::1]:53".parse().unwrap()
        );
        for bad in ["", "dns.example", "1.2.3.4:x", "1.2.3.4:70000"] {
            assert!(
                parse_dns_server(bad).unwrap_err().contains("IP:PORT"),
                "{bad}"
            );
        }
    }
}
