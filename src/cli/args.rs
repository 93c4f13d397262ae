//! Turning command-line text into typed values, with exit-code-2 errors that name the culprit:
//! the connection string (with the global overrides applied), namespaces, Extended JSON
//! documents, read preferences.

use std::sync::Arc;
use std::time::Duration;

use bson::{Bson, Document};

use crate::core::read_pref::{ReadPreference, ReadPreferenceMode};
use crate::core::uri::{parse_tag_set, ConnectionString};
use crate::net::dns::HickoryDns;

use super::exit::usage;
use super::GlobalArgs;

/// The seed used when neither `--uri` nor `MONGODB_URI` is given (as mongosh does).
pub const DEFAULT_SEED: &str = "localhost:27017";

/// Parses `--uri` (or the default seed) and applies `-s`, `--direct`, `--timeout`,
/// `--heartbeat` and `--local-threshold` on top of it (flags win over URI options).
///
/// A `mongodb+srv://` string is replaced by the seed list and options its DNS records gave,
/// which [`resolve`] looked up once at start (`resolved.srv`).
pub fn connection_string(
    global: &GlobalArgs,
    resolved: &Resolved,
) -> anyhow::Result<ConnectionString> {
    let (text, mut cs) = parse_uri(global)?;
    if cs.srv {
        match &resolved.srv {
            Some((for_text, resolved)) if *for_text == text => cs = resolved.clone(),
            _ => {
                return Err(anyhow::anyhow!(
                    "internal error: the mongodb+srv connection string was not resolved"
                ))
            }
        }
    }
    apply_overrides(&mut cs, global);
    if let Some(user) = &global.username {
        let x509 = cs
            .credential
            .as_ref()
            .is_some_and(crate::core::auth::x509::is_x509);
        if x509 {
            // MONGODB-X509 proves the user with the client certificate: no password to ask for.
            let mut c = cs.credential.take().unwrap_or_default();
            c.username = Some(user.clone());
            cs.credential = Some(c);
        } else {
            let password = read_password(user, global.password_stdin)?;
            cs.credential = Some(credential_for(&cs, user, password));
        }
    }
    Ok(cs)
}

/// `--uri` (or the default seed) with `--username` put in, and its parse (exit 2 on errors).
fn parse_uri(global: &GlobalArgs) -> anyhow::Result<(String, ConnectionString)> {
    let text = global.uri.as_deref().unwrap_or(DEFAULT_SEED);
    let with_user = global
        .username
        .as_deref()
        .and_then(|user| with_username(text, user));
    let text = with_user.as_deref().unwrap_or(text);
    let cs = ConnectionString::parse(text).map_err(|e| {
        usage(format!(
            "invalid --uri {}: {e}",
            crate::core::uri::redact_uri(&format!("\"{text}\""))
        ))
    })?;
    Ok((text.to_string(), cs))
}

/// Settings resolved from the flags once at start, before anything connects: kept apart from
/// the flags as given ([`GlobalArgs`]).
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// For a `mongodb+srv://` `--uri`: its text and the connection string its SRV and TXT
    /// records gave ([`resolve_srv`]).
    pub srv: Option<(String, ConnectionString)>,
    /// `--dns-server`'s resolver, which the connections ask first for member host names.
    pub host_resolver: Option<Arc<HickoryDns>>,
}

/// Resolves what the flags name: the `--dns-server` resolver and a `mongodb+srv://` URI's
/// records (see [`resolve_srv`] for the exit codes).
pub async fn resolve(global: &GlobalArgs) -> anyhow::Result<Resolved> {
    let host_resolver = match global.dns_server {
        Some(server) => Some(Arc::new(HickoryDns::new(Some(server))?)),
        None => None,
    };
    Ok(Resolved {
        srv: resolve_srv(global).await?,
        host_resolver,
    })
}

/// For a `mongodb+srv://` `--uri`: the SRV and TXT lookups (through `--dns-server` when given),
/// once, before anything connects. Returns what [`connection_string`] needs later, or `None`
/// for other URIs (and for URIs that do not parse: [`connection_string`] reports those).
///
/// Lookup failures (no SRV records, NXDOMAIN, timeouts) exit 1 naming the name looked up;
/// records breaking a rule of the specification exit 2 quoting it.
pub async fn resolve_srv(
    global: &GlobalArgs,
) -> anyhow::Result<Option<(String, ConnectionString)>> {
    let Ok((text, cs)) = parse_uri(global) else {
        return Ok(None);
    };
    if !cs.srv {
        return Ok(None);
    }
    let dns = HickoryDns::new(global.dns_server)?;
    let shown = cs.redacted();
    let resolved = crate::net::dns::resolve_srv(&cs, &dns)
        .await
        .map_err(|e| match e {
            crate::core::error::Error::InvalidArgument { message } => usage(format!(
                "{shown}: invalid DNS records for mongodb+srv: {message}"
            )),
            e => anyhow::Error::new(e).context(format!("{shown}: mongodb+srv seedlist discovery")),
        })?;
    Ok(Some((text, resolved)))
}

/// `mongodb[+srv]://HOSTS...` with `USER@` put in front of the hosts when the URI has no userinfo, so
/// that options such as authMechanism, which need a username, are accepted with `--username`.
/// `None` for bare seed lists and URIs that already carry a userinfo.
fn with_username(uri: &str, user: &str) -> Option<String> {
    let (scheme, rest) = ["mongodb://", "mongodb+srv://"]
        .into_iter()
        .find_map(|p| uri.strip_prefix(p).map(|rest| (p, rest)))?;
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    if authority.contains('@') {
        return None;
    }
    let user = percent_encoding::utf8_percent_encode(user, percent_encoding::NON_ALPHANUMERIC);
    Some(format!("{scheme}{user}@{rest}"))
}

/// The credential for `--username`: authSource and authMechanism from the URI if it had a
/// credential, else the URI's database or `admin`.
pub fn credential_for(
    cs: &ConnectionString,
    user: &str,
    password: String,
) -> crate::core::uri::Credential {
    let base = cs.credential.clone().unwrap_or_default();
    crate::core::uri::Credential {
        username: Some(user.to_string()),
        password: Some(password),
        source: base
            .source
            .or_else(|| cs.default_database.clone())
            .or_else(|| Some("admin".to_string())),
        ..base
    }
}

/// The password for `--username`: stdin's first line with --password-stdin, else a prompt
/// without echo on the terminal.
/// Read once per process (a command may build its connection string more than once).
fn read_password(user: &str, from_stdin: bool) -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    static READ: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(p) = READ.get() {
        return Ok(p.clone());
    }
    let password = if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("password for {user}: "))?
    } else {
        return Err(usage(format!(
            "--username {user}: no terminal to prompt for the password on; use --password-stdin"
        )));
    };
    if password.is_empty() {
        return Err(usage(format!("--username {user}: the password is empty")));
    }
    Ok(READ.get_or_init(|| password).clone())
}

/// Applies the global flags on top of a parsed connection string.
pub fn apply_overrides(cs: &mut ConnectionString, global: &GlobalArgs) {
    if let Some(rs) = &global.replica_set {
        cs.replica_set = Some(rs.clone());
    }
    if global.direct {
        cs.direct_connection = Some(true);
    }
    if let Some(t) = global.timeout {
        cs.server_selection_timeout = Some(t);
    }
    if let Some(h) = global.heartbeat {
        cs.heartbeat_frequency = Some(h);
    }
    if let Some(l) = global.local_threshold {
        cs.local_threshold = Some(l);
    }
}

/// Splits `DB.COLLECTION` at the first dot.
pub fn namespace(ns: &str) -> anyhow::Result<(String, String)> {
    match ns.split_once('.') {
        Some((db, coll))
            if !db.is_empty() && !coll.is_empty() && !db.contains(['/', '\\', ' ', '"', '$']) =>
        {
            Ok((db.to_string(), coll.to_string()))
        }
        _ => Err(usage(format!(
            "invalid namespace \"{ns}\": expected DB.COLLECTION (e.g. test.orders)"
        ))),
    }
}

/// Parses a document given as JSON or Extended JSON (`{"_id": {"$oid": "..."}}`).
pub fn ejson_document(flag: &str, text: &str) -> anyhow::Result<Document> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        usage(format!(
            "invalid {flag} \"{text}\": not valid JSON ({e}); expected e.g. '{{\"qty\": {{\"$gt\": 5}}}}'"
        ))
    })?;
    if !value.is_object() {
        return Err(usage(format!(
            "invalid {flag} \"{text}\": expected a JSON object, got {}",
            json_kind(&value)
        )));
    }
    match Bson::try_from(value) {
        // JSON can spell what BSON cannot hold (a NUL in a key or in a regular expression, as
        // `\u0000`): refused here, or encoding the command would fail later.
        Ok(Bson::Document(d)) => match bson::to_vec(&d) {
            Ok(_) => Ok(d),
            Err(e) => Err(usage(format!(
                "invalid {flag} \"{text}\": not encodable as BSON ({e}); keys and regular \
                 expressions cannot contain a NUL character"
            ))),
        },
        Ok(other) => Err(usage(format!(
            "invalid {flag} \"{text}\": expected a document, got {:?}",
            other.element_type()
        ))),
        Err(e) => Err(usage(format!(
            "invalid {flag} \"{text}\": bad Extended JSON: {e}"
        ))),
    }
}

fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// One document as a line of relaxed Extended JSON.
pub fn relaxed_line(doc: Document) -> String {
    let mut out = Vec::with_capacity(128);
    write_relaxed_document(&mut out, &doc);
    String::from_utf8(out).unwrap_or_default()
}

/// Appends `doc` as relaxed Extended JSON. Strings, numbers, booleans, nulls, documents and
/// arrays are written directly (the hot path of `rsctl read`); every other type goes through
/// `Bson::into_relaxed_extjson`, so the output is exactly what that conversion prints.
pub fn write_relaxed_document(out: &mut Vec<u8>, doc: &Document) {
    out.push(b'{');
    for (i, (k, v)) in doc.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        let _ = serde_json::to_writer(&mut *out, k);
        out.push(b':');
        write_relaxed(out, v);
    }
    out.push(b'}');
}

fn write_relaxed(out: &mut Vec<u8>, v: &Bson) {
    match v {
        Bson::Document(d) => write_relaxed_document(out, d),
        Bson::Array(a) => {
            out.push(b'[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_relaxed(out, x);
            }
            out.push(b']');
        }
        Bson::String(s) => {
            let _ = serde_json::to_writer(&mut *out, s);
        }
        Bson::Int32(n) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Bson::Int64(n) => {
            let _ = serde_json::to_writer(&mut *out, n);
        }
        Bson::Double(f) if f.is_finite() => {
            let _ = serde_json::to_writer(&mut *out, f);
        }
        Bson::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Bson::Null => out.extend_from_slice(b"null"),
        other => {
            let _ = serde_json::to_writer(&mut *out, &other.clone().into_relaxed_extjson());
        }
    }
}

/// Appends a raw BSON document (as a server sent it) as relaxed Extended JSON: the same bytes
/// [`write_relaxed_document`] writes for that document decoded, without decoding it. Strings,
/// numbers, booleans, nulls, documents and arrays are written directly; every other type is
/// converted to [`Bson`] and goes through `Bson::into_relaxed_extjson`.
pub fn write_relaxed_raw_document(
    out: &mut Vec<u8>,
    doc: &bson::RawDocument,
) -> Result<(), bson::raw::Error> {
    out.push(b'{');
    for (i, elem) in doc.into_iter().enumerate() {
        let (k, v) = elem?;
        if i > 0 {
            out.push(b',');
        }
        write_json_str(out, k);
        out.push(b':');
        write_relaxed_raw(out, v)?;
    }
    out.push(b'}');
    Ok(())
}

fn write_relaxed_raw(out: &mut Vec<u8>, v: bson::RawBsonRef<'_>) -> Result<(), bson::raw::Error> {
    use bson::RawBsonRef as R;
    match v {
        R::Document(d) => write_relaxed_raw_document(out, d)?,
        R::Array(a) => {
            out.push(b'[');
            for (i, x) in a.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_relaxed_raw(out, x?)?;
            }
            out.push(b']');
        }
        R::String(s) => write_json_str(out, s),
        R::Int32(n) => out.extend_from_slice(itoa_buf(n as i64, &mut [0u8; 20])),
        R::Int64(n) => out.extend_from_slice(itoa_buf(n, &mut [0u8; 20])),
        R::Double(f) if f.is_finite() => {
            let _ = serde_json::to_writer(&mut *out, &f);
        }
        R::Boolean(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        R::Null => out.extend_from_slice(b"null"),
        other => {
            let b = Bson::try_from(other)?;
            let _ = serde_json::to_writer(&mut *out, &b.into_relaxed_extjson());
        }
    }
    Ok(())
}

/// `n` in decimal, as serde_json writes integers.
fn itoa_buf(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let neg = n < 0;
    let mut u = n.unsigned_abs();
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 {
            break;
        }
    }
    if neg {
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

/// A JSON string literal, escaped exactly as serde_json escapes it (`\"`, `\\`, `\b` `\f` `\n`
/// `\r` `\t`, other control characters as `\u00XX`; everything else, non-ASCII included, as is).
fn write_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let esc: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x08 => b"\\b",
            0x0c => b"\\f",
            0..=0x1f => {
                out.extend_from_slice(&bytes[start..i]);
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[(c >> 4) as usize]);
                out.push(HEX[(c & 0xf) as usize]);
                start = i + 1;
                continue;
            }
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(esc);
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Builds a read preference from `--pref`, the ordered `--tags` and `--max-staleness`, and checks
/// it against the spec's rules (tags or max staleness with mode primary; maxStalenessSeconds at
/// least 90 s and at least heartbeatFrequencyMS + idleWritePeriodMS).
pub fn read_preference(
    mode: ReadPreferenceMode,
    tags: &[String],
    max_staleness: Option<Duration>,
    heartbeat: Duration,
) -> anyhow::Result<ReadPreference> {
    let mut tag_sets = Vec::with_capacity(tags.len());
    for t in tags {
        tag_sets.push(parse_tag_set(t).map_err(|e| usage(format!("invalid --tags: {e}")))?);
    }
    if let Some(ms) = max_staleness {
        if ms.subsec_nanos() != 0 {
            return Err(usage(format!(
                "invalid --max-staleness {}: maxStalenessSeconds is a whole number of seconds",
                humantime::format_duration(ms)
            )));
        }
    }
    let rp = ReadPreference {
        mode,
        tag_sets,
        max_staleness,
    };
    let settings = crate::core::selection::SelectionSettings {
        local_threshold_ms: 15.0,
        heartbeat_frequency_ms: heartbeat.as_secs_f64() * 1000.0,
    };
    crate::core::selection::validate(&rp, &settings)
        .map_err(|e| usage(format!("invalid read preference: {e}")))?;
    Ok(rp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::exit::{classify, USAGE};

    #[test]
    fn username_goes_into_srv_uris_too() {
        assert_eq!(
            with_username("mongodb+srv://rs.example.com/?tls=false", "a b").as_deref(),
            Some("mongodb+srv://a%20b@rs.example.com/?tls=false")
        );
        assert_eq!(
            with_username("mongodb://h1,h2/db", "u").as_deref(),
            Some("mongodb://u@h1,h2/db")
        );
        assert_eq!(with_username("mongodb+srv://x@rs.example.com", "u"), None);
        assert_eq!(with_username("h1:27017", "u"), None);
    }

    #[test]
    fn srv_uris_need_their_resolution() {
        let cli = <super::super::Cli as clap::Parser>::try_parse_from([
            "rsctl",
            "-u",
            "mongodb+srv://rs.example.com/",
            "status",
        ])
        .unwrap();
        // Not resolved: refused rather than connecting to the SRV name itself.
        assert!(connection_string(&cli.global, &Resolved::default()).is_err());
        let mut g = cli.global.clone();
        let resolved = ConnectionString::parse("mongodb://a.example.com:1/?tls=true").unwrap();
        let settings = Resolved {
            srv: Some(("mongodb+srv://rs.example.com/".into(), resolved.clone())),
            ..Default::default()
        };
        g.replica_set = Some("rs9".into());
        let cs = connection_string(&g, &settings).unwrap();
        assert_eq!(cs.hosts, resolved.hosts);
        assert_eq!(
            cs.replica_set.as_deref(),
            Some("rs9"),
            "the flags still apply"
        );
        // A resolution of another URI text is not used.
        g.uri = Some("mongodb+srv://other.example.com/".into());
        assert!(connection_string(&g, &settings).is_err());
    }

    #[test]
    fn namespaces() {
        assert_eq!(namespace("test.c").unwrap(), ("test".into(), "c".into()));
        assert_eq!(namespace("a.b.c").unwrap(), ("a".into(), "b.c".into()));
        for bad in ["test", ".c", "test.", ""] {
            let e = namespace(bad).unwrap_err();
            assert_eq!(classify(&e).code, USAGE);
            assert!(e.to_string().contains("DB.COLLECTION"));
        }
    }

    #[test]
    fn ejson_round_trip() {
        let d = ejson_document(
            "--filter",
            r#"{"_id": {"$oid": "0123456789abcdef01234567"}, "n": {"$gt": 5}}"#,
        )
        .unwrap();
        assert!(matches!(d.get("_id"), Some(Bson::ObjectId(_))));
        let e = ejson_document("--filter", "{bad").unwrap_err();
        assert_eq!(classify(&e).code, USAGE);
        assert!(e.to_string().contains("--filter"), "{e}");
        let e = ejson_document("--sort", "[1]").unwrap_err();
        assert!(e.to_string().contains("an array"), "{e}");
        let line = relaxed_line(bson::doc! {"a": 1i32, "d": bson::DateTime::from_millis(0)});
        assert_eq!(line, r#"{"a":1,"d":{"$date":"1970-01-01T00:00:00Z"}}"#);
    }

    #[test]
    fn direct_writer_matches_the_bson_conversion() {
        let doc = bson::doc! {
            "z": 1i32, "a": "tab\t \"quote\" é \u{1}", "big": 1i64 << 40, "f": 9.99, "one": 1.0,
            "neg0": -0.0, "inf": f64::INFINITY, "nan": f64::NAN, "t": true, "n": bson::Bson::Null,
            "oid": bson::oid::ObjectId::from_bytes([1; 12]), "d": bson::DateTime::from_millis(1_700_000_000_123),
            "old": bson::DateTime::from_millis(-1), "bin": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: vec![1, 2] },
            "dec": bson::Decimal128::from_bytes([0; 16]), "ts": bson::Timestamp { time: 1, increment: 2 },
            "re": bson::Regex { pattern: "a.*".into(), options: "i".into() },
            "arr": [1i32, "x", { "k": [2.5, bson::Bson::Null] }], "nested": { "b": { "c": [] } },
            "min": bson::Bson::MinKey, "max": bson::Bson::MaxKey, "u": bson::Bson::Undefined,
        };
        let expected = Bson::Document(doc.clone())
            .into_relaxed_extjson()
            .to_string();
        assert_eq!(relaxed_line(doc), expected);
    }

    #[test]
    fn read_preference_rules() {
        let hb = Duration::from_secs(10);
        let rp = read_preference(
            ReadPreferenceMode::Nearest,
            &["dc=ny,rack=1".into(), "''".into()],
            None,
            hb,
        )
        .unwrap();
        assert_eq!(rp.tag_sets.len(), 2);
        assert!(rp.tag_sets[1].is_empty());
        let e =
            read_preference(ReadPreferenceMode::Primary, &["dc=ny".into()], None, hb).unwrap_err();
        assert_eq!(classify(&e).code, USAGE);
        assert!(e.to_string().contains("primary"), "{e}");
        let e = read_preference(
            ReadPreferenceMode::Secondary,
            &[],
            Some(Duration::from_secs(30)),
            hb,
        )
        .unwrap_err();
        assert!(e.to_string().contains("90"), "{e}");
        let e =
            read_preference(ReadPreferenceMode::Secondary, &["dc".into()], None, hb).unwrap_err();
        assert_eq!(classify(&e).code, USAGE);
        assert!(read_preference(
            ReadPreferenceMode::Secondary,
            &[],
            Some(Duration::from_secs(90)),
            hb
        )
        .is_ok());
    }
}
