//! `mongodb+srv://`: the pure half of the Initial DNS Seedlist Discovery specification.
//!
//! The network half (the SRV and TXT queries) lives in `net::dns`; this module only turns what
//! DNS answered plus the parsed URI into the equivalent `mongodb://` connection string, or an
//! error quoting the rule that was broken:
//!
//! - the query names: `_{srvServiceName}._tcp.{hostname}` (SRV) and `{hostname}` (TXT);
//! - every SRV target must lie inside the `{domainname}` of the SRV host name (the host minus
//!   its left-most label when it has three or more labels, else the whole host, in which case
//!   the target needs at least one more label); priority and weight are ignored;
//! - at most one TXT record; it may only set `authSource`, `replicaSet` and `loadBalanced`, and
//!   options given in the URI win over it;
//! - TLS is on unless the URI itself says `tls=false` (a TXT record may not touch it);
//! - `srvMaxHosts` > 0 keeps that many seeds, picked at random (Fisher-Yates, the rng is an
//!   argument), and conflicts with `replicaSet` and `loadBalanced=true`, wherever they came from.

use bson::Bson;
use rand::seq::SliceRandom;

use crate::core::address::ServerAddress;
use crate::core::error::{Error, Result};

use super::{auth, options, ConnectionString};

/// The default of the `srvServiceName` URI option.
pub const DEFAULT_SRV_SERVICE_NAME: &str = "mongodb";

/// The only options a TXT record may carry (Initial DNS Seedlist Discovery spec).
pub const TXT_ALLOWED_OPTIONS: &[&str] = &["authSource", "replicaSet", "loadBalanced"];

/// One SRV record as rsctl uses it: priority and weight are ignored by the specification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrvRecord {
    /// The target host name (a trailing dot is allowed and ignored).
    pub target: String,
    /// The port.
    pub port: u16,
}

impl SrvRecord {
    /// A record for `target:port`.
    pub fn new(target: impl Into<String>, port: u16) -> Self {
        SrvRecord {
            target: target.into(),
            port,
        }
    }
}

/// A host name in the form the domain rules compare: lower case, without a trailing dot.
fn normalize(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl ConnectionString {
    /// The SRV host name of a `mongodb+srv://` string (`None` for other strings).
    pub fn srv_host(&self) -> Option<&str> {
        if !self.srv {
            return None;
        }
        match self.hosts.first() {
            Some(ServerAddress::Tcp { host, .. }) => Some(host.as_str()),
            _ => None,
        }
    }

    /// `srvServiceName`, or `mongodb`.
    pub fn srv_service_name(&self) -> &str {
        self.options
            .get_str("srvServiceName")
            .unwrap_or(DEFAULT_SRV_SERVICE_NAME)
    }

    /// `srvMaxHosts` (0 = no limit).
    pub fn srv_max_hosts(&self) -> usize {
        options::get_int(&self.options, "srvMaxHosts")
            .map(|n| n.max(0) as usize)
            .unwrap_or(0)
    }

    /// The name to query for SRV records: `_{srvServiceName}._tcp.{hostname}`.
    pub fn srv_query_name(&self) -> Option<String> {
        self.srv_host()
            .map(|h| format!("_{}._tcp.{}", self.srv_service_name(), h))
    }

    /// The name to query for TXT records: the SRV host name itself.
    pub fn txt_query_name(&self) -> Option<String> {
        self.srv_host().map(str::to_string)
    }

    /// The equivalent `mongodb://` connection string once DNS has answered: `srv` holds the SRV
    /// records found, `txt` the TXT records (each a list of character strings, concatenated in
    /// order). `rng` picks the seeds when `srvMaxHosts` is smaller than the number of records.
    ///
    /// The result has `srv == false`, the seed list from the records, the TXT options merged
    /// under the URI's own, `tls=true` unless the URI said otherwise, and no `srvMaxHosts` /
    /// `srvServiceName` (they are spent). Rule violations are [`Error::InvalidArgument`]s; an
    /// empty SRV answer is an [`Error::Dns`].
    pub fn resolve_srv(
        &self,
        srv: &[SrvRecord],
        txt: &[Vec<String>],
        rng: &mut impl rand::Rng,
    ) -> Result<ConnectionString> {
        let Some(host) = self.srv_host() else {
            return Err(Error::invalid(
                "resolve_srv needs a mongodb+srv connection string",
            ));
        };
        let query = self.srv_query_name().unwrap_or_default();
        if srv.is_empty() {
            return Err(Error::Dns {
                name: query,
                message: "no SRV records found".into(),
            });
        }
        let mut seeds: Vec<ServerAddress> = Vec::with_capacity(srv.len());
        for record in srv {
            check_target(host, record)?;
            let addr = ServerAddress::new(normalize(&record.target), record.port);
            if !seeds.contains(&addr) {
                seeds.push(addr);
            }
        }
        let txt_options = parse_txt(host, txt)?;

        let mut out = self.clone();
        for (key, value) in txt_options {
            if !out.options.contains_key(&key) {
                out.options.insert(key, value);
            }
        }
        // The validation spans the URI and the TXT record (srvMaxHosts with a replicaSet from
        // TXT, loadBalanced=true with several SRV records...).
        let present = options::present_keys(&out.options);
        options::validate(&out.options, &present, seeds.len(), true)?;

        let max = self.srv_max_hosts();
        if max > 0 && max < seeds.len() {
            let (picked, _) = seeds.partial_shuffle(rng, max);
            seeds = picked.to_vec();
        }

        if !out.options.contains_key("tls") {
            out.options.insert("tls", Bson::Boolean(true));
        }
        out.options.remove("srvMaxHosts");
        out.options.remove("srvServiceName");
        out.srv = false;
        out.hosts = seeds;
        out.fill_typed_fields()?;
        let userinfo = self
            .credential
            .as_ref()
            .and_then(|c| c.username.clone().map(|u| (u, c.password.clone())));
        out.credential = auth::resolve(userinfo, &out.options, out.default_database.as_deref())?;
        Ok(out)
    }
}

/// Checks one SRV target against the SRV host name's `{domainname}`.
pub fn check_target(srv_host: &str, record: &SrvRecord) -> Result<()> {
    let host = normalize(srv_host);
    let target = normalize(&record.target);
    let labels = host.split('.').count();
    let domain = if labels >= 3 {
        host.split_once('.').map(|(_, d)| d).unwrap_or(&host)
    } else {
        host.as_str()
    };
    if target.is_empty() {
        return Err(Error::invalid(format!(
            "the SRV record of {srv_host} has an empty target: every SRV target must be a host name \
             under {domain}"
        )));
    }
    if record.port == 0 {
        return Err(Error::invalid(format!(
            "the SRV record {target}:0 of {srv_host} has port 0"
        )));
    }
    let suffix = format!(".{domain}");
    if !target.ends_with(&suffix) || target.len() == suffix.len() {
        let rule = if labels >= 3 {
            format!(
                "SRV targets must share the domain \"{domain}\" of the SRV host name {srv_host}"
            )
        } else {
            format!(
                "the SRV host name {srv_host} has fewer than three labels, so SRV targets must be \
                 names under it (at least one more label, ending in \".{domain}\")"
            )
        };
        return Err(Error::invalid(format!(
            "SRV record target \"{}\" is not allowed: {rule}",
            record.target
        )));
    }
    Ok(())
}

/// The options of the TXT records of `srv_host` (at most one record, only the allowed options,
/// every value well-formed).
pub fn parse_txt(srv_host: &str, txt: &[Vec<String>]) -> Result<bson::Document> {
    match txt {
        [] => Ok(bson::Document::new()),
        [record] => {
            let text: String = record.concat();
            for pair in text.split('&').filter(|p| !p.is_empty()) {
                let key = pair.split('=').next().unwrap_or(pair);
                if !TXT_ALLOWED_OPTIONS
                    .iter()
                    .any(|k| k.eq_ignore_ascii_case(key))
                {
                    return Err(Error::invalid(format!(
                        "the TXT record of {srv_host} sets \"{key}\": a TXT record may only set {}",
                        TXT_ALLOWED_OPTIONS.join(", ")
                    )));
                }
            }
            let parsed = options::parse_query(&text)
                .map_err(|e| Error::invalid(format!("invalid TXT record of {srv_host}: {e}")))?;
            if let Some(w) = parsed.warnings.first() {
                return Err(Error::invalid(format!(
                    "invalid TXT record of {srv_host} (\"{text}\"): {w}"
                )));
            }
            Ok(parsed.doc)
        }
        more => Err(Error::invalid(format!(
            "{srv_host} has {} TXT records: at most one is allowed",
            more.len()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn cs(uri: &str) -> ConnectionString {
        ConnectionString::parse(uri).unwrap()
    }

    fn rng() -> rand::rngs::SmallRng {
        rand::rngs::SmallRng::seed_from_u64(7)
    }

    fn recs(list: &[(&str, u16)]) -> Vec<SrvRecord> {
        list.iter().map(|(t, p)| SrvRecord::new(*t, *p)).collect()
    }

    fn txt(s: &[&str]) -> Vec<Vec<String>> {
        vec![s.iter().map(|x| x.to_string()).collect()]
    }

    fn resolve(uri: &str, srv: &[(&str, u16)], t: &[Vec<String>]) -> Result<ConnectionString> {
        cs(uri).resolve_srv(&recs(srv), t, &mut rng())
    }

    fn rule_error(uri: &str, srv: &[(&str, u16)], t: &[Vec<String>]) -> String {
        match resolve(uri, srv, t) {
            Err(Error::InvalidArgument { message }) => message,
            other => panic!("expected a rule violation, got {other:?}"),
        }
    }

    fn hosts(c: &ConnectionString) -> Vec<String> {
        c.hosts.iter().map(|h| h.to_string()).collect()
    }

    #[test]
    fn query_names_use_the_service_name() {
        let c = cs("mongodb+srv://Cluster0.Example.com/");
        assert_eq!(
            c.srv_query_name().unwrap(),
            "_mongodb._tcp.cluster0.example.com"
        );
        assert_eq!(c.txt_query_name().unwrap(), "cluster0.example.com");
        let c = cs("mongodb+srv://rs.test.example/?srvServiceName=customname");
        assert_eq!(
            c.srv_query_name().unwrap(),
            "_customname._tcp.rs.test.example"
        );
        assert!(cs("mongodb://a,b").srv_query_name().is_none());
    }

    #[test]
    fn records_become_the_seed_list_with_tls_on() {
        let c = resolve(
            "mongodb+srv://server.mongodb.com/",
            &[
                ("mongodb1.mongodb.com.", 27317),
                ("MongoDB2.mongodb.com", 27017),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(
            hosts(&c),
            ["mongodb1.mongodb.com:27317", "mongodb2.mongodb.com:27017"]
        );
        assert!(!c.srv);
        assert!(c.tls_required());
        assert_eq!(c.options.get_bool("tls"), Ok(true));
        // The result is a plain mongodb:// string that parses back to the same seeds.
        let again = ConnectionString::parse(&c.redacted()).unwrap();
        assert_eq!(again.hosts, c.hosts);
        assert!(again.tls_required());
    }

    #[test]
    fn uri_tls_false_wins_over_the_implicit_tls() {
        let c = resolve(
            "mongodb+srv://rs.test.example/?tls=false",
            &[("a.test.example", 1)],
            &[],
        )
        .unwrap();
        assert!(!c.tls_required());
    }

    #[test]
    fn duplicate_records_are_one_seed() {
        let c = resolve(
            "mongodb+srv://rs.test.example/",
            &[
                ("a.test.example", 1),
                ("A.test.example.", 1),
                ("a.test.example", 2),
            ],
            &[],
        )
        .unwrap();
        assert_eq!(hosts(&c), ["a.test.example:1", "a.test.example:2"]);
    }

    #[test]
    fn no_records_is_a_dns_error_naming_the_query() {
        match resolve("mongodb+srv://rs.test.example/", &[], &[]) {
            Err(Error::Dns { name, message }) => {
                assert_eq!(name, "_mongodb._tcp.rs.test.example");
                assert!(message.contains("no SRV records"), "{message}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn targets_must_share_the_domain_of_a_three_label_host() {
        let uri = "mongodb+srv://blogs.mongodb.com/";
        resolve(uri, &[("x.mongodb.com", 1), ("a.b.mongodb.com", 2)], &[]).unwrap();
        for bad in [
            "blogs.evil.com",
            "cluster.testmongodb.com",
            "mongodb.com",
            "x.mongodb.co",
        ] {
            let e = rule_error(uri, &[("ok.mongodb.com", 1), (bad, 2)], &[]);
            assert!(e.contains(bad) && e.contains("\"mongodb.com\""), "{e}");
        }
        // Prose test 5: a target identical to a host of three or more labels is fine.
        resolve(
            "mongodb+srv://build.10gen.cc",
            &[("build.10gen.cc", 1)],
            &[],
        )
        .unwrap();
        resolve(
            "mongodb+srv://test.build.10gen.cc",
            &[("test.build.10gen.cc", 1)],
            &[],
        )
        .unwrap();
        // A sibling subdomain is inside the domain; a parent with a different label is not.
        resolve(
            "mongodb+srv://test1.test.build.10gen.cc",
            &[("localhost.test.build.10gen.cc", 1)],
            &[],
        )
        .unwrap();
        rule_error(
            "mongodb+srv://test14.test.build.10gen.cc",
            &[("localhost.not-test.build.10gen.cc", 1)],
            &[],
        );
        rule_error(
            "mongodb+srv://test12.test.build.10gen.cc",
            &[("localhost.build.10gen.cc", 1)],
            &[],
        );
    }

    #[test]
    fn short_hosts_need_one_more_label() {
        // Prose test 1: one or two labels are accepted before DNS.
        assert!(cs("mongodb+srv://localhost").srv);
        assert!(cs("mongodb+srv://mongo.local").srv);
        resolve("mongodb+srv://localhost", &[("a.localhost", 1)], &[]).unwrap();
        resolve("mongodb+srv://mongo.local", &[("x.y.mongo.local", 1)], &[]).unwrap();
        // Prose tests 2-4: other domain, identical name, missing dot.
        for (uri, bad) in [
            ("mongodb+srv://localhost", "localhost.mongodb"),
            ("mongodb+srv://mongo.local", "test_1.evil.local"),
            ("mongodb+srv://localhost", "localhost"),
            ("mongodb+srv://mongo.local", "mongo.local"),
            ("mongodb+srv://localhost", "test_1.cluster_1localhost"),
            ("mongodb+srv://mongo.local", "test_1.my_hostmongo.local"),
        ] {
            let e = rule_error(uri, &[(bad, 1)], &[]);
            assert!(e.contains("fewer than three labels"), "{e}");
        }
    }

    #[test]
    fn empty_targets_and_port_zero_are_refused() {
        rule_error("mongodb+srv://rs.test.example", &[(".", 1)], &[]);
        let e = rule_error(
            "mongodb+srv://rs.test.example",
            &[("a.test.example", 0)],
            &[],
        );
        assert!(e.contains("port 0"), "{e}");
    }

    #[test]
    fn txt_options_are_defaults_under_the_uri() {
        let t = txt(&["replicaSet=repl0&authSource=thisDB"]);
        let c = resolve(
            "mongodb+srv://u:p@rs.test.example/",
            &[("a.test.example", 1)],
            &t,
        )
        .unwrap();
        assert_eq!(c.replica_set.as_deref(), Some("repl0"));
        let cred = c.credential.as_ref().unwrap();
        assert_eq!(cred.source.as_deref(), Some("thisDB"));
        assert_eq!(cred.username.as_deref(), Some("u"));
        assert_eq!(cred.password.as_deref(), Some("p"));
        // The URI's own value wins.
        let c = resolve(
            "mongodb+srv://u:p@rs.test.example/?authSource=otherDB&replicaSet=mine",
            &[("a.test.example", 1)],
            &t,
        )
        .unwrap();
        assert_eq!(c.replica_set.as_deref(), Some("mine"));
        assert_eq!(c.credential.unwrap().source.as_deref(), Some("otherDB"));
    }

    #[test]
    fn txt_strings_of_one_record_are_concatenated_in_order() {
        let t = txt(&["replicaS", "et=rep", "l0"]);
        let c = resolve(
            "mongodb+srv://rs.test.example",
            &[("a.test.example", 1)],
            &t,
        )
        .unwrap();
        assert_eq!(c.replica_set.as_deref(), Some("repl0"));
    }

    #[test]
    fn txt_rules() {
        let uri = "mongodb+srv://rs.test.example";
        let srv = [("a.test.example", 1)];
        let two = vec![
            vec!["replicaSet=repl0".to_string()],
            vec!["authSource=otherDB".to_string()],
        ];
        let e = rule_error(uri, &srv, &two);
        assert!(
            e.contains("2 TXT records") && e.contains("at most one"),
            "{e}"
        );
        for (record, culprit) in [
            ("ssl=false", "ssl"),
            ("tls=false", "tls"),
            ("socketTimeoutMS=500", "socketTimeoutMS"),
            ("replicaSet=rs&readPreference=secondary", "readPreference"),
        ] {
            let e = rule_error(uri, &srv, &txt(&[record]));
            assert!(e.contains(culprit) && e.contains("may only set"), "{e}");
        }
        // Badly formatted values of allowed options.
        let e = rule_error(uri, &srv, &txt(&["authSource"]));
        assert!(e.contains("TXT"), "{e}");
        let e = rule_error(uri, &srv, &txt(&["loadBalanced=maybe"]));
        assert!(e.contains("TXT") && e.contains("loadBalanced"), "{e}");
    }

    #[test]
    fn load_balanced_from_txt() {
        let lb = txt(&["loadBalanced=true"]);
        let c = resolve(
            "mongodb+srv://rs.test.example",
            &[("a.test.example", 1)],
            &lb,
        )
        .unwrap();
        assert_eq!(c.load_balanced, Some(true));
        // loadBalanced=true needs exactly one host.
        let e = rule_error(
            "mongodb+srv://rs.test.example",
            &[("a.test.example", 1), ("b.test.example", 1)],
            &lb,
        );
        assert!(e.contains("loadBalanced=true"), "{e}");
        // The URI can switch it off.
        let c = resolve(
            "mongodb+srv://rs.test.example/?loadBalanced=false",
            &[("a.test.example", 1), ("b.test.example", 1)],
            &lb,
        )
        .unwrap();
        assert_eq!(c.load_balanced, Some(false));
    }

    #[test]
    fn srv_max_hosts_picks_a_random_subset() {
        let srv = [
            ("a.test.example", 1),
            ("b.test.example", 2),
            ("c.test.example", 3),
            ("d.test.example", 4),
        ];
        let all: Vec<String> = srv.iter().map(|(h, p)| format!("{h}:{p}")).collect();
        let uri = "mongodb+srv://rs.test.example/?srvMaxHosts=2";
        let mut seen = std::collections::HashSet::new();
        let base = cs(uri);
        let mut r = rng();
        for _ in 0..50 {
            let c = base.resolve_srv(&recs(&srv), &[], &mut r).unwrap();
            let h = hosts(&c);
            assert_eq!(h.len(), 2);
            assert_ne!(h[0], h[1]);
            assert!(h.iter().all(|x| all.contains(x)));
            assert!(!c.options.contains_key("srvMaxHosts"));
            seen.extend(h);
        }
        assert_eq!(seen.len(), 4, "every record gets picked sometimes");
        // 0 and a limit at or above the count keep everything.
        for uri in [
            "mongodb+srv://rs.test.example/?srvMaxHosts=0",
            "mongodb+srv://rs.test.example/?srvMaxHosts=4",
            "mongodb+srv://rs.test.example/?srvMaxHosts=9",
        ] {
            assert_eq!(hosts(&resolve(uri, &srv, &[]).unwrap()), all);
        }
    }

    #[test]
    fn srv_max_hosts_conflicts_with_txt_options() {
        let srv = [("a.test.example", 1)];
        let e = rule_error(
            "mongodb+srv://rs.test.example/?srvMaxHosts=1",
            &srv,
            &txt(&["replicaSet=repl0"]),
        );
        assert!(
            e.contains("srvMaxHosts=1") && e.contains("replicaSet"),
            "{e}"
        );
        let e = rule_error(
            "mongodb+srv://rs.test.example/?srvMaxHosts=1",
            &srv,
            &txt(&["loadBalanced=true"]),
        );
        assert!(e.contains("loadBalanced=true"), "{e}");
        // Before DNS: directConnection=true and srvMaxHosts with replicaSet are parse errors.
        assert!(
            ConnectionString::parse("mongodb+srv://rs.test.example/?directConnection=true")
                .is_err()
        );
        assert!(ConnectionString::parse(
            "mongodb+srv://rs.test.example/?srvMaxHosts=1&replicaSet=x"
        )
        .is_err());
    }

    #[test]
    fn service_name_is_spent_in_the_result() {
        let c = resolve(
            "mongodb+srv://rs.test.example/?srvServiceName=customname&appname=x",
            &[("a.test.example", 1)],
            &[],
        )
        .unwrap();
        assert!(!c.options.contains_key("srvServiceName"));
        assert_eq!(c.app_name.as_deref(), Some("x"));
        ConnectionString::parse(&c.redacted()).unwrap();
    }

    #[test]
    fn not_an_srv_string() {
        let e = cs("mongodb://a").resolve_srv(&recs(&[("a", 1)]), &[], &mut rng());
        assert!(matches!(e, Err(Error::InvalidArgument { .. })));
    }
}
