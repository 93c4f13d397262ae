//! Showing connection strings without their secrets: rendering a parsed [`ConnectionString`]
//! back to a URI with passwords as `****`, and redacting every `mongodb://` URI found in free text
//! (error messages, logs, echoed arguments).

use bson::{Bson, Document};
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};

use crate::core::address::ServerAddress;

use super::options::SECRET_OPTIONS;
use super::ConnectionString;

/// What is shown in place of a secret.
pub(super) const MASK: &str = "****";

/// Characters escaped in user names, database names and option values.
const COMPONENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b',')
    .add(b'/')
    .add(b':')
    .add(b'=')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b']')
    .add(b'\\');

/// Characters escaped in an IPv6 literal (its colons stay as they are).
const IPV6: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'%')
    .add(b',')
    .add(b'/')
    .add(b'?')
    .add(b'@')
    .add(b'[')
    .add(b']');

fn enc(s: &str) -> String {
    utf8_percent_encode(s, COMPONENT).to_string()
}

fn render_host(a: &ServerAddress, srv: bool) -> String {
    match a {
        ServerAddress::Unix { path } => enc(path),
        ServerAddress::Tcp { host, .. } if srv => enc(host),
        ServerAddress::Tcp { host, port } if host.contains(':') => {
            format!("[{}]:{port}", utf8_percent_encode(host, IPV6))
        }
        ServerAddress::Tcp { host, port } => format!("{}:{port}", enc(host)),
    }
}

fn render_pairs(d: &Document) -> String {
    d.iter()
        .map(|(k, v)| format!("{}:{}", enc(k), enc(&plain(v))))
        .collect::<Vec<_>>()
        .join(",")
}

fn plain(v: &Bson) -> String {
    match v {
        Bson::String(s) => s.clone(),
        Bson::Boolean(b) => b.to_string(),
        Bson::Int32(i) => i.to_string(),
        Bson::Int64(i) => i.to_string(),
        other => other.to_string(),
    }
}

/// The URI form of a parsed connection string, secrets masked.
pub(super) fn render(cs: &ConnectionString) -> String {
    let mut out = String::from(if cs.srv {
        "mongodb+srv://"
    } else {
        "mongodb://"
    });
    if let Some(c) = &cs.credential {
        if let Some(u) = &c.username {
            out.push_str(&enc(u));
            if c.password.is_some() {
                out.push(':');
                out.push_str(MASK);
            }
            out.push('@');
        }
    }
    let hosts: Vec<String> = cs.hosts.iter().map(|h| render_host(h, cs.srv)).collect();
    out.push_str(&hosts.join(","));
    if cs.default_database.is_some() || !cs.options.is_empty() {
        out.push('/');
    }
    if let Some(db) = &cs.default_database {
        out.push_str(&enc(db));
    }
    let mut pairs = Vec::new();
    for (k, v) in &cs.options {
        match (k.as_str(), v) {
            (k, _) if SECRET_OPTIONS.contains(&k) => pairs.push(format!("{k}={MASK}")),
            ("readPreferenceTags", Bson::Array(sets)) => {
                for set in sets {
                    let text = set.as_document().map(render_pairs).unwrap_or_default();
                    pairs.push(format!("{k}={text}"));
                }
            }
            (k, Bson::Document(d)) => pairs.push(format!("{k}={}", render_pairs(d))),
            (k, Bson::Array(items)) => {
                let items: Vec<String> = items.iter().map(|i| enc(&plain(i))).collect();
                pairs.push(format!("{k}={}", items.join(",")));
            }
            (k, v) => pairs.push(format!("{k}={}", enc(&plain(v)))),
        }
    }
    if !pairs.is_empty() {
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// Replaces the password of every `mongodb://` or `mongodb+srv://` URI inside `text` by `****`,
/// and the values of the secret options (`tlsCertificateKeyFilePassword`, `proxyPassword`,
/// `AWS_SESSION_TOKEN`).
///
/// A URI runs until whitespace. When it parses, its userinfo is exactly what the parser takes
/// (everything before the last `@` preceding the first `/` or `?`). When it does not parse, the
/// userinfo is taken to run to the last `@` of the line (an unescaped `/`, `?`, `@` or space
/// inside a password): redacting too much is preferred to showing a secret. Text that is not a
/// URI is left as it is.
pub fn redact_uri(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((start, scheme_len)) = find_scheme(rest) {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        out.push_str(&from[..scheme_len]);
        let after = &from[scheme_len..];
        let line_end = after.find(['\n', '\r']).unwrap_or(after.len());
        let ws_end = after[..line_end]
            .find(char::is_whitespace)
            .unwrap_or(line_end);
        let (at, end) = if ConnectionString::parse(&from[..scheme_len + ws_end]).is_ok() {
            let auth_end = after[..ws_end].find(['/', '?']).unwrap_or(ws_end);
            (after[..auth_end].rfind('@'), ws_end)
        } else if let Some(a) = after[..line_end].rfind('@') {
            let stop = after[a + 1..line_end].find(char::is_whitespace);
            (Some(a), stop.map_or(line_end, |w| a + 1 + w))
        } else {
            (None, ws_end)
        };
        let body = &after[..end];
        let tail_start = match at {
            Some(at) => {
                let userinfo = &body[..at];
                match userinfo.find(':') {
                    Some(colon) => {
                        out.push_str(&userinfo[..colon + 1]);
                        out.push_str(MASK);
                    }
                    None => out.push_str(userinfo),
                }
                at
            }
            None => 0,
        };
        out.push_str(&mask_secret_options(&body[tail_start..], at.is_some()));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Masks `name=value` for the secret options inside the part of a URI after its userinfo.
fn mask_secret_options(s: &str, has_userinfo: bool) -> String {
    let Some(q) = s.find('?') else {
        return s.to_string();
    };
    let (head, query) = s.split_at(q + 1);
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((k, _)) if SECRET_OPTIONS.iter().any(|o| o.eq_ignore_ascii_case(k)) => {
                format!("{k}={MASK}")
            }
            // An unescaped '@' after '?' may be the tail of a password whose '?' was not
            // percent-encoded ("u:PW?x=XY@host"): never show it.
            Some((k, v)) if has_userinfo && v.contains('@') && !k.contains('@') => {
                format!("{k}={MASK}")
            }
            _ if has_userinfo && pair.contains('@') => MASK.to_string(),
            Some((k, v)) if k.eq_ignore_ascii_case("authMechanismProperties") => {
                let items: Vec<String> = v
                    .split(',')
                    .map(|item| match item.split_once(':') {
                        Some((pk, _)) if pk.eq_ignore_ascii_case("AWS_SESSION_TOKEN") => {
                            format!("{pk}:{MASK}")
                        }
                        _ => item.to_string(),
                    })
                    .collect();
                format!("{k}={}", items.join(","))
            }
            _ => pair.to_string(),
        })
        .collect();
    format!("{head}{}", pairs.join("&"))
}

/// The byte offset of the next `mongodb://` or `mongodb+srv://` (any case) and the scheme's length.
fn find_scheme(s: &str) -> Option<(usize, usize)> {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(i) = lower[from..].find("mongodb") {
        let at = from + i;
        for scheme in ["mongodb://", "mongodb+srv://"] {
            if lower[at..].starts_with(scheme) {
                return Some((at, scheme.len()));
            }
        }
        from = at + "mongodb".len();
    }
    None
}
