//! Runs the connection-string, uri-options and auth (connection-string) suites against
//! `ConnectionString::parse`: validity, warnings, hosts, userinfo/database, options (keys
//! case-insensitive, only the expected ones compared) and the resolved credential.

use std::path::Path;

use bson::Bson;
use rsctl::core::address::ServerAddress;
use rsctl::core::uri::ConnectionString;
use serde_json::Value;

use super::harness::{json_files, load, Suite};
use super::skips::skip_reason;

/// `a` equals the expected JSON `e` (numbers compared by value, documents key by key).
fn bson_matches(a: &Bson, e: &Value) -> bool {
    match (a, e) {
        (Bson::String(s), Value::String(x)) => s == x,
        (Bson::Boolean(b), Value::Bool(x)) => b == x,
        (Bson::Int32(i), Value::Number(n)) => n.as_i64() == Some(i64::from(*i)),
        (Bson::Int64(i), Value::Number(n)) => n.as_i64() == Some(*i),
        (Bson::Double(d), Value::Number(n)) => n.as_f64() == Some(*d),
        (Bson::Array(xs), Value::Array(ys)) => {
            xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| bson_matches(x, y))
        }
        (Bson::Document(d), Value::Object(o)) => {
            d.len() == o.len()
                && o.iter()
                    .all(|(k, v)| d.get(k).is_some_and(|x| bson_matches(x, v)))
        }
        _ => false,
    }
}

fn host_type(a: &ServerAddress) -> &'static str {
    match a {
        ServerAddress::Unix { .. } => "unix",
        ServerAddress::Tcp { host, .. } if host.contains(':') => "ip_literal",
        ServerAddress::Tcp { host, .. } if host.parse::<std::net::Ipv4Addr>().is_ok() => "ipv4",
        ServerAddress::Tcp { .. } => "hostname",
    }
}

fn check_hosts(cs: &ConnectionString, expected: &Value) -> Result<(), String> {
    let Some(exp) = expected.as_array() else {
        return Ok(());
    };
    if cs.hosts.len() != exp.len() {
        return Err(format!("hosts: got {:?}, expected {expected}", cs.hosts));
    }
    for (got, e) in cs.hosts.iter().zip(exp) {
        let ty = e["type"].as_str().unwrap_or_default();
        let host = e["host"].as_str().unwrap_or_default();
        // A null port means "not given", which is the default port for TCP hosts.
        let port = match (&e["port"], got) {
            (Value::Null, ServerAddress::Tcp { .. }) => Some(27017),
            (Value::Null, ServerAddress::Unix { .. }) => None,
            (p, _) => p.as_u64().map(|p| p as u16),
        };
        if host_type(got) != ty || got.host() != host || got.port() != port {
            return Err(format!(
                "host: got {got:?} ({}), expected {e}",
                host_type(got)
            ));
        }
    }
    Ok(())
}

fn opt_str_eq(got: Option<&str>, e: &Value) -> bool {
    match e {
        Value::Null => got.is_none(),
        Value::String(s) => got == Some(s.as_str()),
        _ => false,
    }
}

fn check_auth(cs: &ConnectionString, expected: &Value) -> Result<(), String> {
    if expected.is_null() {
        return Ok(());
    }
    let cred = cs.credential.as_ref();
    let user = cred.and_then(|c| c.username.as_deref());
    let pass = cred.and_then(|c| c.password.as_deref());
    if !opt_str_eq(user, &expected["username"]) {
        return Err(format!(
            "username: got {user:?}, expected {}",
            expected["username"]
        ));
    }
    if !opt_str_eq(pass, &expected["password"]) {
        return Err(format!(
            "password: got {pass:?}, expected {}",
            expected["password"]
        ));
    }
    if !opt_str_eq(cs.default_database.as_deref(), &expected["db"]) {
        return Err(format!(
            "db: got {:?}, expected {}",
            cs.default_database, expected["db"]
        ));
    }
    Ok(())
}

fn check_options(cs: &ConnectionString, expected: &Value) -> Result<(), String> {
    let Some(exp) = expected.as_object() else {
        return Ok(());
    };
    for (k, v) in exp {
        let got = cs
            .options
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(k));
        match got {
            Some((_, b)) if bson_matches(b, v) => {}
            Some((name, b)) => return Err(format!("option {k}: got {name}={b}, expected {v}")),
            None => {
                return Err(format!(
                    "option {k}: missing, expected {v} (have {})",
                    cs.options
                ))
            }
        }
    }
    Ok(())
}

fn check_credential(cs: &ConnectionString, expected: &Value) -> Result<(), String> {
    let cred = cs.credential.as_ref();
    let Some(exp) = expected.as_object() else {
        return match cred {
            None => Ok(()),
            Some(c) => Err(format!("credential: got {c:?}, expected none")),
        };
    };
    let c = cred.ok_or("credential: got none")?;
    let fields = [
        ("username", c.username.as_deref()),
        ("password", c.password.as_deref()),
        ("source", c.source.as_deref()),
        ("mechanism", c.mechanism.as_deref()),
    ];
    for (name, got) in fields {
        if !opt_str_eq(got, &exp[name]) {
            return Err(format!(
                "credential.{name}: got {got:?}, expected {}",
                exp[name]
            ));
        }
    }
    let props = &exp["mechanism_properties"];
    let ok = match props {
        Value::Null => c.mechanism_properties.is_empty(),
        p => bson_matches(&Bson::Document(c.mechanism_properties.clone()), p),
    };
    if !ok {
        return Err(format!(
            "credential.mechanism_properties: got {}, expected {props}",
            c.mechanism_properties
        ));
    }
    Ok(())
}

fn run_case(t: &Value) -> Result<(), String> {
    let uri = t["uri"].as_str().ok_or("case without uri")?;
    let valid = t["valid"].as_bool().unwrap_or(true);
    let parsed = ConnectionString::parse(uri);
    let cs = match (parsed, valid) {
        (Ok(cs), true) => cs,
        (Err(e), false) => {
            return match e {
                rsctl::Error::InvalidArgument { .. } => Ok(()),
                other => Err(format!("expected InvalidArgument, got {other:?}")),
            }
        }
        (Ok(cs), false) => return Err(format!("parsed but expected an error: {cs:?}")),
        (Err(e), true) => return Err(format!("expected success, got error: {e}")),
    };
    if let Some(w) = t.get("warning").and_then(Value::as_bool) {
        if w == cs.warnings.is_empty() {
            return Err(format!(
                "warning expected: {w}, got warnings {:?}",
                cs.warnings
            ));
        }
    }
    if let Some(h) = t.get("hosts") {
        check_hosts(&cs, h)?;
    }
    if let Some(a) = t.get("auth") {
        check_auth(&cs, a)?;
    }
    if let Some(o) = t.get("options") {
        check_options(&cs, o)?;
    }
    if let Some(c) = t.get("credential") {
        check_credential(&cs, c)?;
    }
    // What is shown must never carry the password.
    if let Some(p) = cs
        .credential
        .as_ref()
        .and_then(|c| c.password.as_deref())
        .filter(|p| p.len() >= 3)
    {
        let shown = cs.redacted();
        if shown.contains(p) {
            return Err(format!("redacted() shows the password: {shown}"));
        }
    }
    Ok(())
}

fn run_suite(name: &str, folder: &str) {
    let mut suite = Suite::new(name);
    for path in json_files(folder) {
        let doc = load(&path);
        let file = Path::new(&path)
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        for t in doc["tests"].as_array().into_iter().flatten() {
            let case = format!("{file}: {}", t["description"].as_str().unwrap_or("?"));
            if let Some(reason) = skip_reason(name, &case) {
                suite.skip(&case, reason);
                continue;
            }
            suite.record(&case, run_case(t));
        }
    }
    suite.finish();
}

#[test]
fn connection_string() {
    run_suite("connection-string", "connection-string");
}

#[test]
fn uri_options() {
    run_suite("uri-options", "uri-options");
}

#[test]
fn auth_connection_string() {
    run_suite("auth", "auth");
}
