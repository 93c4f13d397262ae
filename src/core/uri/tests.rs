//! Unit tests for connection-string parsing: rsctl's own cases beside the spec suites.

use super::*;
use crate::core::read_pref::ReadPreferenceMode;

fn parse(s: &str) -> ConnectionString {
    ConnectionString::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn err(s: &str) -> String {
    match ConnectionString::parse(s) {
        Ok(cs) => panic!("{s} parsed: {cs:?}"),
        Err(e @ Error::InvalidArgument { .. }) => e.to_string(),
        Err(e) => panic!("{s}: wrong error kind {e:?}"),
    }
}

#[test]
fn bare_seed_lists() {
    let cs = parse("db1");
    assert_eq!(cs.hosts, vec![ServerAddress::new("db1", 27017)]);
    assert!(cs.options.is_empty() && cs.credential.is_none() && !cs.srv);
    let cs = parse("h1:27018,H2:27019");
    assert_eq!(
        cs.hosts,
        vec![
            ServerAddress::new("h1", 27018),
            ServerAddress::new("h2", 27019)
        ]
    );
    let cs = parse("[::1]:5,localhost");
    assert_eq!(cs.hosts[0].to_string(), "[::1]:5");
    assert_eq!(cs.hosts[1].port(), Some(27017));
    for bad in [
        "", " ", "h1,", ",h1", "h1,,h2", "h:0", "h:99999", "h:x", "h1/admin", "u@h",
    ] {
        err(bad);
    }
    assert!(err("h1:70000").contains("70000"));
    assert!(err("ftp://h1").contains("ftp"));
}

#[test]
fn typed_fields_follow_options() {
    let cs = parse(
        "mongodb://a,b:27018/app?replicaSet=rs0&readPreference=SECONDARYpreferred&readPreferenceTags=dc:ny,rack:1\
         &readPreferenceTags=&maxStalenessSeconds=120&localThresholdMS=30&heartbeatFrequencyMS=500\
         &serverSelectionTimeoutMS=2000&connectTimeoutMS=0&appName=ops&retryReads=false&serverMonitoringMode=poll",
    );
    assert_eq!(cs.default_database.as_deref(), Some("app"));
    assert_eq!(cs.replica_set.as_deref(), Some("rs0"));
    let rp = cs.read_preference.clone().unwrap();
    assert_eq!(rp.mode, ReadPreferenceMode::SecondaryPreferred);
    assert_eq!(rp.tag_sets.len(), 2);
    assert_eq!(rp.tag_sets[0].get("rack").map(String::as_str), Some("1"));
    assert!(
        rp.tag_sets[1].is_empty(),
        "an empty readPreferenceTags is the {{}} fallback"
    );
    assert_eq!(rp.max_staleness, Some(Duration::from_secs(120)));
    assert_eq!(cs.local_threshold, Some(Duration::from_millis(30)));
    assert_eq!(cs.heartbeat_frequency, Some(Duration::from_millis(500)));
    assert_eq!(cs.server_selection_timeout, Some(Duration::from_secs(2)));
    assert_eq!(cs.connect_timeout, Some(Duration::ZERO));
    assert_eq!(cs.app_name.as_deref(), Some("ops"));
    assert_eq!(cs.retry_reads, Some(false));
    assert_eq!(cs.server_monitoring_mode, Some(ServerMonitoringMode::Poll));
    assert_eq!(
        cs.initial_topology_type(),
        TopologyType::ReplicaSetNoPrimary
    );
    assert!(cs.warnings.is_empty(), "{:?}", cs.warnings);
    assert_eq!(
        parse("mongodb://a/?directConnection=true").initial_topology_type(),
        TopologyType::Single
    );
    assert_eq!(
        parse("mongodb://a").initial_topology_type(),
        TopologyType::Unknown
    );
}

#[test]
fn warnings_name_option_and_value() {
    let cs = parse(
        "mongodb://a/?heartbeatFrequencyMS=499&socketTimeoutMS=soon&frobnicate=yes&tls=maybe",
    );
    assert_eq!(cs.heartbeat_frequency, None);
    assert_eq!(cs.socket_timeout, None);
    assert_eq!(cs.tls, None);
    assert_eq!(cs.warnings.len(), 4, "{:?}", cs.warnings);
    assert!(cs.warnings[0].contains("heartbeatFrequencyMS") && cs.warnings[0].contains("499"));
    assert!(cs.warnings[1].contains("socketTimeoutMS") && cs.warnings[1].contains("soon"));
    assert!(cs.warnings[2].contains("frobnicate") && cs.warnings[2].contains("yes"));
    assert!(cs.warnings[3].contains("tls") && cs.warnings[3].contains("maybe"));
    let cs = parse("mongodb://a/?replicaSet=x&replicaSet=y");
    assert_eq!(cs.replica_set.as_deref(), Some("y"));
    assert_eq!(cs.warnings.len(), 1);
}

#[test]
fn errors_name_the_culprit() {
    assert!(err("mongodb://a/?readPreference=secondaryish").contains("secondaryish"));
    assert!(err("mongodb://a/?readPreferenceTags=dc:ny").contains("primary"));
    assert!(err("mongodb://a/?maxStalenessSeconds=120").contains("120"));
    assert!(err("mongodb://a:0").contains('0'));
    assert!(err("mongodb://a,b/?directConnection=true").contains("directConnection"));
    assert!(err("mongodb://a/?authMechanism=KERBEROS5").contains("KERBEROS5"));
    assert!(err("mongodb://a/?srvMaxHosts=2").contains("srvMaxHosts"));
    assert!(err("mongodb://a/?w=0&journal=true").contains("journal"));
    assert!(err("mongodb://a/d%2Fb").contains("d/b"));
    assert!(
        err("mongodb://a/?tlsInsecure=true&tlsAllowInvalidHostnames=false").contains("tlsInsecure")
    );
}

#[test]
fn userinfo_errors_never_show_the_password() {
    for uri in [
        "mongodb://alice:s3cr:et@h",
        "mongodb://alice:s3cr%zzet@h",
        "mongodb://alice:s3cr@et@h",
        "mongodb://alice:s3cr[et@h",
    ] {
        let msg = err(uri);
        assert!(!msg.contains("s3cr"), "{uri}: {msg}");
        assert!(msg.contains("percent-encoded"), "{uri}: {msg}");
    }
}

#[test]
fn srv_strings_keep_the_name() {
    let cs = parse("mongodb+srv://Cluster0.example.com/?srvServiceName=custom&srvMaxHosts=2");
    assert!(cs.srv);
    assert_eq!(
        cs.hosts,
        vec![ServerAddress::new("cluster0.example.com", 27017)]
    );
    assert_eq!(
        cs.redacted(),
        "mongodb+srv://cluster0.example.com/?srvServiceName=custom&srvMaxHosts=2"
    );
    assert!(cs.tls_required());
    assert!(!parse("mongodb+srv://a.example.com/?tls=false").tls_required());
    assert!(!parse("mongodb://a").tls_required());
    assert!(parse("mongodb://a/?ssl=true").tls_required());
    err("mongodb+srv://a.example.com/?directConnection=true");
    err("mongodb+srv://a.example.com/?srvMaxHosts=1&replicaSet=rs");
    err("mongodb+srv://[::1]");
}

#[test]
fn tag_sets_in_both_forms() {
    let t = parse_tag_set("dc:ny,rack:1").unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t["dc"], "ny");
    assert_eq!(parse_tag_set("dc=ny, rack=1").unwrap(), t);
    assert!(parse_tag_set("").unwrap().is_empty());
    assert!(parse_tag_set("''").unwrap().is_empty());
    assert_eq!(parse_tag_set("url=http://x").unwrap()["url"], "http://x");
    for (bad, culprit) in [
        ("dc=", "dc="),
        ("=x", "=x"),
        ("dc", "dc"),
        ("dc:ny,dc:sf", "dc"),
        ("a=1,,b=2", "a=1,,b=2"),
    ] {
        let e = parse_tag_set(bad).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument { .. }));
        assert!(e.to_string().contains(culprit), "{bad}: {e}");
    }
}

#[test]
fn redacted_masks_every_secret_and_reparses() {
    let cs = parse(
        "mongodb://us%40er:p%40ss@h1:27017,%2Ftmp%2Fm.sock/db?tlsCertificateKeyFilePassword=kfp&proxyHost=p&proxyUsername=pu&proxyPassword=ppw&w=majority",
    );
    let shown = cs.redacted();
    for secret in ["p@ss", "p%40ss", "kfp", "ppw"] {
        assert!(!shown.contains(secret), "{shown}");
    }
    assert!(
        shown.starts_with("mongodb://us%40er:****@h1:27017,%2Ftmp%2Fm.sock/db?"),
        "{shown}"
    );
    assert_eq!(format!("{cs}"), shown);
    assert!(!format!("{cs:?}").contains("p@ss"));
    let again = parse(&shown);
    assert_eq!(again.hosts, cs.hosts);
    assert_eq!(again.default_database, cs.default_database);
    assert_eq!(again.credential.unwrap().password.as_deref(), Some("****"));
    assert_eq!(again.options.get_str("w").ok(), Some("majority"));
}

#[test]
fn redact_uri_in_free_text() {
    assert_eq!(
        redact_uri("connect to mongodb://bob:hunter2@db1:27017/admin?w=1 failed"),
        "connect to mongodb://bob:****@db1:27017/admin?w=1 failed"
    );
    assert_eq!(
        redact_uri("a MONGODB+SRV://u:p@x.example.com b mongodb://nopass@h c"),
        "a MONGODB+SRV://u:****@x.example.com b mongodb://nopass@h c"
    );
    assert_eq!(
        redact_uri("mongodb://h/?replicaSet=a@b"),
        "mongodb://h/?replicaSet=a@b"
    );
    assert_eq!(redact_uri("\"mongodb://u:pw@h\""), "\"mongodb://u:****@h\"");
    assert_eq!(redact_uri("no uri here"), "no uri here");
    assert_eq!(redact_uri("'mongodb://u:p'w@h'"), "'mongodb://u:****@h'");
    assert_eq!(
        redact_uri("mongodb://u:my pass@h/x\nnext: a@b"),
        "mongodb://u:****@h/x\nnext: a@b"
    );
    assert_eq!(
        redact_uri("mongodb://h/?tlsCertificateKeyFilePassword=abc&w=1&PROXYPASSWORD=x"),
        "mongodb://h/?tlsCertificateKeyFilePassword=****&w=1&PROXYPASSWORD=****"
    );
    assert!(err("mongodb://u:my pass@h").contains("whitespace"));
    assert_eq!(
        redact_uri("mongodb://h/?authMechanismProperties=SERVICE_NAME:m,AWS_SESSION_TOKEN:tok"),
        "mongodb://h/?authMechanismProperties=SERVICE_NAME:m,AWS_SESSION_TOKEN:****"
    );
    let cs = parse("mongodb://h/?tlsCertificateKeyFilePasword=hunter2");
    assert!(
        cs.warnings[0].contains("tlsCertificateKeyFilePasword")
            && !cs.warnings[0].contains("hunter2")
    );
    assert!(err("mongodb://a,%20b").contains("whitespace"));
    assert!(err("a, b c").contains("whitespace"));
    for bad in [
        "mongodb://h]",
        "mongodb://h=1",
        "mongodb://h'",
        "h;x",
        "mongodb://h%2C",
    ] {
        err(bad);
    }
}

#[test]
fn credentials_resolve_per_auth_spec() {
    let c = parse("mongodb://u:p@h/app").credential.unwrap();
    assert_eq!(
        (c.source.as_deref(), c.mechanism.as_deref()),
        (Some("app"), None)
    );
    let c = parse("mongodb://h/?authMechanism=mongodb-x509")
        .credential
        .unwrap();
    assert_eq!(c.mechanism.as_deref(), Some("MONGODB-X509"));
    assert_eq!(c.source.as_deref(), Some("$external"));
    assert!(parse("mongodb://h/app?authSource=x").credential.is_none());
    assert!(!format!("{:?}", parse("mongodb://u:topsecret@h").credential).contains("topsecret"));
}

#[test]
fn options_are_stored_under_canonical_names() {
    let cs = parse(
        "mongodb://a/?SSL=true&W=majority&wtimeoutms=5000&JOURNAL=false&compressors=zstd,zlib&zlibCompressionLevel=-1\
         &maxpoolsize=0&readconcernlevel=local&TIMEOUTMS=0&tlscafile=%2Fetc%2Fca.pem",
    );
    assert!(cs.warnings.is_empty(), "{:?}", cs.warnings);
    let o = &cs.options;
    assert_eq!(o.get_bool("tls"), Ok(true));
    assert_eq!(cs.tls, Some(true));
    assert_eq!(o.get_str("w"), Ok("majority"));
    assert_eq!(o.get_i32("wTimeoutMS"), Ok(5000));
    assert_eq!(o.get_bool("journal"), Ok(false));
    assert_eq!(o.get_array("compressors").map(|a| a.len()), Ok(2));
    assert_eq!(o.get_i32("zlibCompressionLevel"), Ok(-1));
    assert_eq!(o.get_i32("maxPoolSize"), Ok(0));
    assert_eq!(o.get_str("readConcernLevel"), Ok("local"));
    assert_eq!(o.get_i32("timeoutMS"), Ok(0));
    assert_eq!(cs.tls_ca_file.as_deref(), Some("/etc/ca.pem"));
    assert_eq!(parse("mongodb://a/?w=2").options.get_i32("w"), Ok(2));
}

#[test]
fn empty_and_unusable_values() {
    let cs = parse("mongodb://a/?maxIdleTimeMS=&journal=&appname=&compressors=lz4&wTimeoutMS=-1&w=-1&maxConnecting=0");
    assert!(cs.options.is_empty(), "{}", cs.options);
    assert_eq!(cs.warnings.len(), 7, "{:?}", cs.warnings);
    let cs = parse("mongodb://a/?compressors=,%20");
    assert!(cs.options.is_empty() && cs.warnings[0].contains("compressors"));
    err("mongodb://a/?authSource=");
    err("mongodb://a/?authMechanism=");
    err("mongodb://a/?minPoolSize=10&maxPoolSize=5");
    parse("mongodb://a/?minPoolSize=10&maxPoolSize=0");
    let long = "x".repeat(129);
    assert!(err(&format!("mongodb://a/?appname={long}")).contains("128"));
}

#[test]
fn proxy_and_srv_rules() {
    parse("mongodb://a/?proxyHost=p&proxyPort=1080&proxyUsername=u&proxyPassword=pw");
    assert!(err("mongodb://a/?proxyPort=1080").contains("proxyHost"));
    assert!(err("mongodb://a/?proxyHost=p&proxyUsername=u").contains("proxyPassword"));
    assert!(err("mongodb://a/?proxyHost=p&proxyHost=q").contains("proxyHost"));
    parse("mongodb+srv://a.example.com/?srvMaxHosts=0&replicaSet=rs");
    parse("mongodb+srv://a.example.com/?srvMaxHosts=2&loadBalanced=false");
    err("mongodb+srv://a.example.com/?srvMaxHosts=2&loadBalanced=true");
    assert!(!parse("mongodb+srv://a.example.com/?srvMaxHosts=-1")
        .warnings
        .is_empty());
    err("mongodb+srv://a.example.com,b.example.com");
    err("mongodb+srv://a.example.com:27018");
    err("mongodb://a/?srvServiceName=x");
}

#[test]
fn hosts_and_databases_are_percent_decoded() {
    let cs = parse("mongodb://%2Ftmp%2Fa%20b.sock,rel%2Fx.sock,name.sock,EXAMPLE.com:1/my%3Fdb");
    assert_eq!(
        cs.hosts[0],
        ServerAddress::Unix {
            path: "/tmp/a b.sock".into()
        }
    );
    assert_eq!(
        cs.hosts[1],
        ServerAddress::Unix {
            path: "rel/x.sock".into()
        }
    );
    assert_eq!(cs.hosts[2], ServerAddress::new("name.sock", 27017));
    assert_eq!(cs.hosts[3], ServerAddress::new("example.com", 1));
    assert_eq!(cs.default_database.as_deref(), Some("my?db"));
    assert!(err("mongodb://a%zz").contains("a%zz"));
    assert!(err("mongodb://a/db%2").contains("db%2"));
    err("mongodb://a/%FF");
    err("mongodb:///tmp/mongodb-27017.sock");
    err("mongodb://a/?w=1&%zz=2");
}

#[test]
fn percent_decoding_is_strict() {
    assert_eq!(
        percent_decode("%41%4a%4A%7e+%C3%A9", "x").unwrap(),
        "AJJ~+é"
    );
    assert_eq!(percent_decode("plain", "x").unwrap(), "plain");
    for bad in ["%", "%4", "%4g", "%g4", "a%%41", "%C3"] {
        let e = percent_decode(bad, "the thing").unwrap_err().to_string();
        assert!(e.contains("the thing") && e.contains(bad), "{bad}: {e}");
    }
}

#[test]
fn scheme_error_never_echoes_userinfo() {
    // Found by tests/it/prop_uri.rs: a bare seed list whose password holds "://".
    let err = ConnectionString::parse("a:PW://XY@a")
        .unwrap_err()
        .to_string();
    assert!(!err.contains("PW") && !err.contains("XY"), "{err}");
    let err = ConnectionString::parse("postgres://h")
        .unwrap_err()
        .to_string();
    assert!(err.contains("invalid scheme \"postgres\""), "{err}");
}

#[test]
fn ambiguous_at_after_credentials_is_never_echoed() {
    // Found by tests/it/prop_uri.rs: the password may run past '?' ("PW@A?=XY"); the spec parses it
    // as password "PW", but no message may show the rest.
    for uri in [
        "mongodb://a:PW@A?=XY@a",
        "mongodb://a:PW@A?TLS=XY@a",
        "mongodb://a:PW@A?readPreference=XY@a",
    ] {
        let shown = match ConnectionString::parse(uri) {
            Ok(cs) => format!("{} {:?} {:?}", cs.redacted(), cs, cs.warnings),
            Err(e) => e.to_string(),
        };
        assert!(!shown.contains("XY"), "{uri}: {shown}");
    }
}

#[test]
fn a_property_piece_without_a_colon_is_a_warning_and_the_pairs_around_it_count() {
    // TOKEN_RESOURCE's value holds an (encoded) comma: after decoding, `host2` stands alone.
    let cs = parse(
        "mongodb://h/?authMechanism=MONGODB-OIDC&authMechanismProperties=TOKEN_RESOURCE:mongodb://host1%2Chost2,ENVIRONMENT:azure",
    );
    let props = &cs
        .credential
        .as_ref()
        .expect("a credential")
        .mechanism_properties;
    assert_eq!(props.get_str("ENVIRONMENT"), Ok("azure"), "{props:?}");
    assert_eq!(
        props.get_str("TOKEN_RESOURCE"),
        Ok("mongodb://host1"),
        "{props:?}"
    );
    assert_eq!(cs.warnings.len(), 1, "{:?}", cs.warnings);
    assert!(
        cs.warnings[0].contains("\"host2\"") && cs.warnings[0].contains("authMechanismProperties"),
        "{:?}",
        cs.warnings
    );
    // Nothing but pieces without a colon: the option is ignored, with a warning, as before.
    let cs = parse("mongodb://h/?authMechanismProperties=nocolon");
    assert!(cs.credential.is_none());
    assert!(
        cs.warnings.iter().any(|w| w.contains("nocolon")),
        "{:?}",
        cs.warnings
    );
}
