//! The connection-string parser on arbitrary UTF-8: never panics; a parsed string has hosts and
//! re-parses from its redacted form; and no password leaks. When a password was parsed, neither
//! `redacted()`, `Debug`, the warnings nor `redact_uri` show it (raw or decoded), and they are the
//! same as for the same string with another password of the same length. When parsing fails, the
//! error message does not show the would-be password (everything between the first ':' of the
//! userinfo and the last '@').
//!
//! "Show" is only checked when the password is at least 4 characters long and cannot come from
//! elsewhere: it is not in the rest of the input (case-insensitively, percent-decoded or not) nor
//! in the outputs for the other password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rsctl::core::uri::{redact_uri, ConnectionString};

/// The text after a `mongodb://` / `mongodb+srv://` scheme (any case), if it has one.
fn after_scheme(s: &str) -> Option<(usize, &str)> {
    for scheme in ["mongodb://", "mongodb+srv://"] {
        if s.len() >= scheme.len()
            && s.is_char_boundary(scheme.len())
            && s[..scheme.len()].eq_ignore_ascii_case(scheme)
        {
            return Some((scheme.len(), &s[scheme.len()..]));
        }
    }
    None
}

/// The byte range of the raw password as the parser sees it: in the host information (up to the
/// first '/' or '?'), before its last '@', after the first ':'.
fn strict_password(s: &str) -> Option<(usize, usize)> {
    let (off, rest) = after_scheme(s)?;
    let host_info = &rest[..rest.find(['/', '?']).unwrap_or(rest.len())];
    let at = host_info.rfind('@')?;
    let colon = host_info[..at].find(':')?;
    Some((off + colon + 1, off + at))
}

/// The widest would-be password: after the first ':' following the scheme (or the start of a
/// scheme-less string), up to the last '@' of the whole string.
fn loose_password(s: &str) -> Option<(usize, usize)> {
    let off = match after_scheme(s) {
        Some((off, _)) => off,
        None => s.find("://").map_or(0, |i| i + 3),
    };
    let at = off + s[off..].rfind('@')?;
    let colon = off + s[off..at].find(':')?;
    Some((colon + 1, at))
}

fn percent_decode_lossy(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && b[i + 1].is_ascii_hexdigit()
            && b[i + 2].is_ascii_hexdigit()
        {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("hex digits"));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether `needle` (a password form) appears in `rest` in any spelling the outputs could show.
fn appears_in(rest: &str, needle: &str) -> bool {
    let n = needle.to_lowercase();
    rest.to_lowercase().contains(&n) || percent_decode_lossy(rest).to_lowercase().contains(&n)
}

fn replace_range(s: &str, (a, b): (usize, usize), with: &str) -> String {
    format!("{}{}{}", &s[..a], with, &s[b..])
}

/// Everything a parsed string shows: its URI form, its Debug form, its warnings, and what
/// `redact_uri` makes of the input inside a sentence.
fn outputs(input: &str, cs: &ConnectionString) -> String {
    format!(
        "{}\n{:?}\n{}\n{}",
        cs.redacted(),
        cs,
        cs.warnings.join("\n"),
        redact_uri(&format!("cannot reach {input} (timeout)"))
    )
}

fn check_parsed(input: &str, cs: &ConnectionString) {
    assert!(!cs.hosts.is_empty(), "{input:?} parsed without hosts");
    let shown = cs.redacted();
    match ConnectionString::parse(&shown) {
        Ok(again) => {
            assert_eq!(again.hosts, cs.hosts, "{input:?} -> {shown}");
            assert_eq!(again.srv, cs.srv, "{input:?} -> {shown}");
            assert_eq!(
                again.default_database, cs.default_database,
                "{input:?} -> {shown}"
            );
            assert_eq!(again.replica_set, cs.replica_set, "{input:?} -> {shown}");
        }
        Err(e) => panic!("{input:?}: its redacted form {shown} does not parse: {e}"),
    }

    let Some(password) = cs.credential.as_ref().and_then(|c| c.password.clone()) else {
        return;
    };
    let Some(range) = strict_password(input) else {
        panic!("{input:?} parsed a password the harness cannot locate");
    };
    let raw = &input[range.0..range.1];
    let out = outputs(input, cs);

    // The same string with another password of the same length shows exactly the same.
    let fill = if raw.contains('x') { "y" } else { "x" };
    let alt_input = replace_range(input, range, &fill.repeat(raw.len().max(1)));
    let alt_out = match ConnectionString::parse(&alt_input) {
        Ok(alt) => {
            let alt_out = outputs(&alt_input, &alt);
            assert_eq!(
                (alt.redacted(), alt.warnings.clone()),
                (cs.redacted(), cs.warnings.clone()),
                "the password changes what is shown: {input:?}"
            );
            alt_out
        }
        Err(_) => String::new(),
    };

    let rest = replace_range(input, range, " ");
    for secret in [password.as_str(), raw] {
        if secret.chars().count() < 4 || appears_in(&rest, secret) || appears_in(&alt_out, secret) {
            continue;
        }
        assert!(
            !out.to_lowercase().contains(&secret.to_lowercase()),
            "{input:?} shows its password {secret:?}:\n{out}"
        );
    }
}

fn check_error(input: &str, message: &str) {
    for range in [strict_password(input), loose_password(input)]
        .into_iter()
        .flatten()
    {
        let secret = &input[range.0..range.1];
        let rest = replace_range(input, range, " ");
        if secret.chars().count() < 4 || appears_in(&rest, secret) {
            continue;
        }
        // What the same string with another would-be password shows: text the message always
        // holds ("expected mongodb:// or ...") is no leak.
        let fill = if secret.contains('x') { "y" } else { "x" };
        let alt_input = replace_range(input, range, &fill.repeat(secret.len()));
        let alt_shown = match ConnectionString::parse(&alt_input) {
            Ok(alt) => outputs(&alt_input, &alt),
            Err(e) => e.to_string(),
        };
        if appears_in(&alt_shown, secret) {
            continue;
        }
        assert!(
            !message.to_lowercase().contains(&secret.to_lowercase()),
            "the error for {input:?} shows its password {secret:?}: {message}"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    match ConnectionString::parse(input) {
        Ok(cs) => check_parsed(input, &cs),
        Err(e) => check_error(input, &e.to_string()),
    }
    // Free text around a URI: redaction never panics and keeps the text outside URIs.
    let _ = redact_uri(input);
});
