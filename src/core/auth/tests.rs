//! Test vectors (RFC 5802, RFC 7677, the auth specification's SCRAM-SHA-1 example) and the
//! negative cases: bad server signature, low iteration count, a nonce that does not extend ours.

use super::*;
use crate::core::auth::KeyCache;

fn ctx(mechanism: ScramMechanism) -> AuthContext {
    AuthContext {
        username: "user".into(),
        source: "admin".into(),
        mechanism,
    }
}

fn cred(user: &str, password: &str) -> Credential {
    Credential {
        username: Some(user.into()),
        password: Some(password.into()),
        source: Some("admin".into()),
        ..Credential::default()
    }
}

fn bin(s: &str) -> Bson {
    binary(s.as_bytes())
}

#[test]
fn rfc5802_sha1_vector_with_the_raw_password() {
    let client = ScramClient::with_prepared_password(
        ctx(ScramMechanism::Sha1),
        b"pencil".to_vec(),
        "fyko+d2lbbFgONRv9qkxdawL",
    )
    .unwrap();
    assert_eq!(
        client.client_first(),
        "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"
    );
    let fin = client
        .handle_server_first(
            b"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        )
        .unwrap();
    assert_eq!(
        fin.client_final(),
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts="
    );
    fin.verify_server_final(b"v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
        .unwrap();
}

#[test]
fn rfc7677_sha256_vector() {
    let client = ScramClient::new(
        ScramMechanism::Sha256,
        "user",
        "pencil",
        "admin",
        "rOprNGfwEbeRWgbNEkqO",
    )
    .unwrap();
    assert_eq!(client.client_first(), "n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
    let fin = client
        .handle_server_first(
            b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        )
        .unwrap();
    assert_eq!(
        fin.client_final(),
        "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    );
    fin.verify_server_final(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        .unwrap();
}

#[test]
fn mongodb_sha1_example_hashes_the_md5_digest() {
    assert_eq!(
        ScramMechanism::Sha1
            .prepare_password("user", "pencil")
            .unwrap(),
        b"1c33006ec1ffd90f9cadcbcc0e118200".to_vec()
    );
    let client = ScramClient::new(
        ScramMechanism::Sha1,
        "user",
        "pencil",
        "admin",
        "fyko+d2lbbFgONRv9qkxdawL",
    )
    .unwrap();
    let fin = client
        .handle_server_first(b"r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,s=rQ9ZY3MntBeuP3E1TDVC4w==,i=10000")
        .unwrap();
    assert_eq!(
        fin.client_final(),
        "c=biws,r=fyko+d2lbbFgONRv9qkxdawLHo+Vgk7qvUOKUwuWLIWg4l/9SraGMHEE,p=MC2T8BvbmWRckDw8oWl5IVghwCY="
    );
    fin.verify_server_final(b"v=UMWeI25JD1yNYZRMpZ4VHvhZ9e0=")
        .unwrap();
}

#[test]
fn saslprep_maps_and_rejects() {
    // Non-ASCII space maps to a space; a soft hyphen maps to nothing (RFC 4013 examples).
    let p = ScramMechanism::Sha256
        .prepare_password("u", "I\u{00AD}X")
        .unwrap();
    assert_eq!(p, b"IX".to_vec());
    let p = ScramMechanism::Sha256
        .prepare_password("u", "a\u{2000}b")
        .unwrap();
    assert_eq!(p, b"a b".to_vec());
    // A control character is prohibited: the error names the user and not the password.
    let e = ScramMechanism::Sha256
        .prepare_password("alice", "sec\u{0007}ret")
        .unwrap_err()
        .to_string();
    assert!(e.contains("alice"), "{e}");
    assert!(!e.contains("sec"), "{e}");
}

fn sha256_client() -> ScramClient {
    ScramClient::new(
        ScramMechanism::Sha256,
        "user",
        "pencil",
        "admin",
        "rOprNGfwEbeRWgbNEkqO",
    )
    .unwrap()
}

fn assert_names_context_not_secret(e: &Error) {
    let s = e.to_string();
    assert!(s.contains("user user"), "{s}");
    assert!(s.contains("database admin"), "{s}");
    assert!(s.contains("SCRAM-SHA-256"), "{s}");
    assert!(!s.contains("pencil"), "{s}");
}

#[test]
fn bad_server_signature_is_refused() {
    let fin = sha256_client()
        .handle_server_first(
            b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        )
        .unwrap();
    let e = fin
        .verify_server_final(b"v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
        .unwrap_err();
    assert!(e.to_string().contains("signature"));
    assert_names_context_not_secret(&e);
    let e = fin.verify_server_final(b"e=invalid-proof").unwrap_err();
    assert!(e.to_string().contains("invalid-proof"));
    assert!(fin.verify_server_final(b"garbage").is_err());
}

#[test]
fn low_iteration_count_is_refused() {
    let e = sha256_client()
        .handle_server_first(b"r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095")
        .unwrap_err();
    assert!(e.to_string().contains("4095"), "{e}");
    assert_names_context_not_secret(&e);
    for bad in ["i=0", "i=-1", "i=many", "i="] {
        let msg = format!("r=rOprNGfwEbeRWgbNEkqOabc,s=W22ZaJ0SNY7soEsUEjb6gQ==,{bad}");
        assert!(sha256_client().handle_server_first(msg.as_bytes()).is_err());
    }
}

#[test]
fn nonce_that_does_not_extend_ours_is_refused() {
    for msg in [
        "r=someoneElsesNonce,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        // Exactly our nonce: the server added nothing.
        "r=rOprNGfwEbeRWgbNEkqO,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
        "s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    ] {
        let e = sha256_client()
            .handle_server_first(msg.as_bytes())
            .unwrap_err();
        assert!(e.to_string().contains("nonce"), "{e}");
        assert_names_context_not_secret(&e);
    }
    assert!(ScramClient::new(ScramMechanism::Sha256, "u", "p", "admin", "a,b").is_err());
    assert!(ScramClient::new(ScramMechanism::Sha256, "u", "p", "admin", "").is_err());
}

#[test]
fn malformed_server_first_messages_are_errors_not_panics() {
    for msg in [
        &b""[..],
        b"\xff\xfe",
        b"r",
        b"=,=,=",
        b"m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=AA==,i=4096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=!!!,i=4096",
        b"r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096",
        b"e=other-error",
    ] {
        assert!(sha256_client().handle_server_first(msg).is_err());
    }
}

#[test]
fn usernames_are_escaped() {
    assert_eq!(escape_username("a=b,c"), "a=3Db=2Cc");
    assert_eq!(unescape_username("a=3Db=2Cc").as_deref(), Some("a=b,c"));
    assert_eq!(unescape_username("a=4x"), None);
    let client = ScramClient::new(ScramMechanism::Sha1, "a,b", "p", "admin", "nonce").unwrap();
    assert_eq!(client.client_first(), "n,,n=a=2Cb,r=nonce");
}

#[test]
fn negotiation_prefers_sha256_then_sha1() {
    let both = vec!["SCRAM-SHA-1".to_string(), "SCRAM-SHA-256".to_string()];
    let one = vec!["SCRAM-SHA-1".to_string()];
    assert_eq!(
        choose_mechanism(None, Some(&both)).unwrap(),
        ScramMechanism::Sha256
    );
    assert_eq!(
        choose_mechanism(None, Some(&one)).unwrap(),
        ScramMechanism::Sha1
    );
    assert_eq!(choose_mechanism(None, None).unwrap(), ScramMechanism::Sha1);
    assert_eq!(
        choose_mechanism(Some("SCRAM-SHA-1"), Some(&both)).unwrap(),
        ScramMechanism::Sha1
    );
    assert!(choose_mechanism(Some("PLAIN"), None).is_err());
    assert_eq!(
        sasl_supported_mechs_query(&cred("bob", "x")).as_deref(),
        Some("admin.bob")
    );
}

#[test]
fn conversation_with_skip_empty_exchange() {
    let client = ScramClient::new(
        ScramMechanism::Sha256,
        "user",
        "pencil",
        "admin",
        "rOprNGfwEbeRWgbNEkqO",
    )
    .unwrap();
    let mut conv = ScramConversation::from_client(client);
    let start = conv.sasl_start();
    assert_eq!(start.get_str("mechanism").unwrap(), "SCRAM-SHA-256");
    assert_eq!(
        payload_of(&start).unwrap(),
        b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO".to_vec()
    );
    assert!(start
        .get_document("options")
        .unwrap()
        .get_bool("skipEmptyExchange")
        .unwrap());
    let spec = conv.speculative();
    assert_eq!(spec.get_str("db").unwrap(), "admin");
    let next = conv
        .step(&doc! {"conversationId": 1, "done": false, "payload": bin("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"), "ok": 1})
        .unwrap()
        .unwrap();
    assert_eq!(next.get_i32("conversationId").unwrap(), 1);
    assert!(String::from_utf8(payload_of(&next).unwrap())
        .unwrap()
        .ends_with("p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    let done = conv
        .step(&doc! {"conversationId": 1, "done": true, "payload": bin("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="), "ok": 1})
        .unwrap();
    assert!(done.is_none());
    assert!(conv.is_done());
    assert!(conv
        .step(&doc! {"conversationId": 1, "done": true})
        .is_err());
}

#[test]
fn conversation_without_skip_sends_an_empty_continue() {
    let client = ScramClient::new(
        ScramMechanism::Sha256,
        "user",
        "pencil",
        "admin",
        "rOprNGfwEbeRWgbNEkqO",
    )
    .unwrap();
    let mut conv = ScramConversation::from_client(client);
    conv.step(&doc! {"conversationId": 7, "done": false, "payload": bin("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")})
        .unwrap();
    let empty = conv
        .step(&doc! {"conversationId": 7, "done": false, "payload": bin("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")})
        .unwrap()
        .unwrap();
    assert!(payload_of(&empty).unwrap().is_empty());
    assert!(!conv.is_done());
    assert!(conv
        .step(&doc! {"conversationId": 7, "done": true, "payload": bin("")})
        .unwrap()
        .is_none());
    assert!(conv.is_done());
}

#[test]
fn conversation_rejects_replies_missing_fields() {
    let mut conv =
        ScramConversation::start(&cred("user", "pencil"), ScramMechanism::Sha1, "abc").unwrap();
    assert!(conv
        .step(&doc! {"done": false, "payload": bin("r=abcd,s=AA==,i=4096")})
        .is_err());
    let mut conv =
        ScramConversation::start(&cred("user", "pencil"), ScramMechanism::Sha1, "abc").unwrap();
    assert!(conv
        .step(&doc! {"conversationId": 1, "done": false})
        .is_err());
    let no_password = Credential {
        password: None,
        ..cred("user", "x")
    };
    let e = ScramConversation::start(&no_password, ScramMechanism::Sha256, "abc").unwrap_err();
    assert!(e.to_string().contains("user user"), "{e}");
}

#[test]
fn key_cache_reuses_keys_and_stays_bounded() {
    let mut cache = KeyCache::new();
    let first =
        b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096";
    let a = sha256_client()
        .handle_server_first_cached(first, &mut cache)
        .unwrap();
    assert_eq!(cache.len(), 1);
    // Same inputs: the cached keys give the same (RFC 7677) proof.
    let b = sha256_client()
        .handle_server_first_cached(first, &mut cache)
        .unwrap();
    assert_eq!(cache.len(), 1);
    assert_eq!(a.client_final(), b.client_final());
    assert!(b
        .client_final()
        .ends_with("p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="));
    // A different password is a different entry, and a different proof.
    let other = ScramClient::new(
        ScramMechanism::Sha256,
        "user",
        "crayon",
        "admin",
        "rOprNGfwEbeRWgbNEkqO",
    )
    .unwrap()
    .handle_server_first_cached(first, &mut cache)
    .unwrap();
    assert_eq!(cache.len(), 2);
    assert_ne!(other.client_final(), a.client_final());
    for i in 0..40u32 {
        cache.keys(ScramMechanism::Sha1, b"p", &i.to_be_bytes(), 1);
    }
    assert_eq!(cache.len(), KeyCache::CAPACITY);
    assert!(!format!("{cache:?}").contains("pencil"));
}
