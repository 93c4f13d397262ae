//! Authentication end to end against labs started with auth (`Lab::start_with_auth`, what
//! `rsctl lab up --auth` runs): the client library authenticates application connections
//! (speculatively and with the full conversation, SCRAM-SHA-1 and SCRAM-SHA-256), wrong
//! passwords fail naming user, database and mechanism, unauthenticated commands are refused,
//! the CLI never prints the password (even with -v), pymongo authenticates against the lab, and
//! TLS labs (`Lab::start_secured`, `lab up --tls`) are reached with tlsCAFile and refused without.

use std::time::Duration;

use bson::doc;
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::read_pref::ReadPreference;
use rsctl::core::uri::{ConnectionString, Credential};
use rsctl::error::Error;
use rsctl::lab::auth::AuthStore;
use rsctl::lab::server::{Lab, LabConfig};
use rsctl::net::auth::authenticate;
use rsctl::net::connection::{Connection, ConnectionOptions};

use crate::gate::{self, pymongo_available};
use crate::util::{all_output, code, Rsctl};

const USER: &str = "alice";
/// Distinctive, so that a grep for it cannot hit anything else.
const PASSWORD: &str = "Zebra-Tr0ub4dor-77";
const PATIENCE: Duration = Duration::from_secs(20);

fn config(nodes: usize) -> LabConfig {
    crate::util::fast_lab_config(nodes, 0)
}

async fn secured_lab(nodes: usize) -> Lab {
    let mut n = 0u8;
    let store = AuthStore::new(&[(USER.to_string(), PASSWORD.to_string())], || {
        n = n.wrapping_add(1);
        [n; 16]
    })
    .unwrap();
    let lab = Lab::start_with_auth(config(nodes), store).await.unwrap();
    lab.initiate(&[], false).await.unwrap();
    lab
}

fn credential(password: &str, mechanism: Option<&str>) -> Credential {
    Credential {
        username: Some(USER.into()),
        password: Some(password.into()),
        source: Some("admin".into()),
        mechanism: mechanism.map(str::to_string),
        ..Credential::default()
    }
}

fn conn_options(credential: Option<Credential>) -> ConnectionOptions {
    ConnectionOptions {
        connect_timeout: Duration::from_secs(5),
        socket_timeout: Some(Duration::from_secs(5)),
        credential,
        ..ConnectionOptions::default()
    }
}

fn primary_address(lab: &Lab) -> ServerAddress {
    lab.primary().unwrap().parse().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_reads_and_writes_with_the_right_password() {
    let lab = tokio::time::timeout(PATIENCE, secured_lab(3))
        .await
        .unwrap();
    let uri = format!(
        "mongodb://{USER}:{PASSWORD}@{}/?replicaSet=rs0&serverSelectionTimeoutMS=10000",
        lab.seed_list()
    );
    let cs = ConnectionString::parse(&uri).unwrap();
    let client = Client::connect(ClientOptions::from_connection_string(&cs))
        .await
        .unwrap();
    client
        .insert_one("test", "c", doc! {"_id": 1, "x": "y"}, doc! {})
        .await
        .unwrap();
    let mut cursor = client
        .find(
            "test",
            "c",
            FindOptions::default(),
            &ReadPreference::primary(),
        )
        .await
        .unwrap();
    let first = cursor.next().await.unwrap().expect("the inserted document");
    assert_eq!(first.get_str("x").unwrap(), "y");
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speculative_and_full_conversations_with_both_mechanisms() {
    let lab = tokio::time::timeout(PATIENCE, secured_lab(1))
        .await
        .unwrap();
    let address = primary_address(&lab);
    for mechanism in [None, Some("SCRAM-SHA-256"), Some("SCRAM-SHA-1")] {
        // Speculative: the hello carries the first message.
        let cred = credential(PASSWORD, mechanism);
        let (mut conn, hs) =
            Connection::connect(&address, &conn_options(Some(cred.clone())), 0, true)
                .await
                .unwrap();
        assert!(
            hs.reply.get_document("speculativeAuthenticate").is_ok(),
            "{mechanism:?}: the lab answered speculativeAuthenticate"
        );
        conn.run_command("test", doc! {"find": "c"}).await.unwrap();

        // Full conversation: a plain handshake, then saslStart/saslContinue.
        let (mut conn, hs) = Connection::connect(&address, &conn_options(None), 0, true)
            .await
            .unwrap();
        let e = conn
            .run_command("test", doc! {"find": "c"})
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Command { code: Some(13), .. }), "{e}");
        authenticate(&mut conn, &cred, None, &hs.reply, &Default::default())
            .await
            .unwrap();
        conn.run_command("test", doc! {"find": "c"}).await.unwrap();
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_names_user_db_and_mechanism_but_not_the_password() {
    let lab = tokio::time::timeout(PATIENCE, secured_lab(1))
        .await
        .unwrap();
    let address = primary_address(&lab);
    for (mechanism, name) in [
        (None, "SCRAM-SHA-256"),
        (Some("SCRAM-SHA-1"), "SCRAM-SHA-1"),
    ] {
        let wrong = "not-the-Zebra-password";
        let e = Connection::connect(
            &address,
            &conn_options(Some(credential(wrong, mechanism))),
            0,
            true,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Authentication { .. }), "{e:?}");
        let msg = e.to_string();
        for needle in [USER, "admin", name, "code 18"] {
            assert!(msg.contains(needle), "{needle} missing from: {msg}");
        }
        assert!(!msg.contains(wrong), "{msg}");
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthenticated_connections_may_only_handshake_and_ping() {
    let lab = tokio::time::timeout(PATIENCE, secured_lab(1))
        .await
        .unwrap();
    let address = primary_address(&lab);
    let (mut conn, _) = Connection::connect(&address, &conn_options(None), 0, true)
        .await
        .unwrap();
    conn.run_command("admin", doc! {"ping": 1}).await.unwrap();
    conn.run_command("admin", doc! {"buildInfo": 1})
        .await
        .unwrap();
    for cmd in [
        doc! {"find": "c"},
        doc! {"insert": "c", "documents": [{"a": 1}]},
        doc! {"replSetGetStatus": 1},
    ] {
        let name = cmd.keys().next().unwrap().clone();
        match conn.run_command("admin", cmd).await {
            Err(Error::Command {
                code: Some(13),
                message,
                ..
            }) => assert_eq!(message, format!("command {name} requires authentication")),
            other => panic!("{name}: {other:?}"),
        }
    }
    lab.shutdown().await;
}

/// Runs the rsctl binary with `args` (and `stdin`), returning (exit code, stdout + stderr).
async fn rsctl(args: Vec<String>, stdin: Option<&str>) -> (i32, String) {
    let mut run = Rsctl::new(&args).timeout(PATIENCE);
    if let Some(input) = stdin {
        run = run.stdin(input);
    }
    let o = run.run().await;
    (code(&o), all_output(&o))
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_authenticates_and_never_prints_the_password() {
    let lab = tokio::time::timeout(PATIENCE, secured_lab(1))
        .await
        .unwrap();
    let host = lab.primary().unwrap();
    let good = format!("mongodb://{USER}:{PASSWORD}@{host}/?directConnection=true");
    let bad = format!("mongodb://{USER}:wrong-{PASSWORD}@{host}/?directConnection=true");
    let bare = format!("mongodb://{host}/?directConnection=true");
    let mut outputs = Vec::new();

    let (code, out) = rsctl(strings(&["-v", "read", "test.c", "--uri", &good]), None).await;
    assert_eq!(code, 0, "{out}");
    outputs.push(out);
    let (code, out) = rsctl(strings(&["-vv", "status", "--uri", &good]), None).await;
    assert_eq!(code, 0, "{out}");
    outputs.push(out);
    let (code, out) = rsctl(
        strings(&[
            "-v",
            "read",
            "test.c",
            "--uri",
            &bare,
            "--username",
            USER,
            "--password-stdin",
        ]),
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    assert_eq!(code, 0, "{out}");
    outputs.push(out);

    // --username with the mechanism chosen in the URI.
    let sha1 = format!("{bare}&authMechanism=SCRAM-SHA-1");
    let (code, out) = rsctl(
        strings(&[
            "-v",
            "read",
            "test.c",
            "--uri",
            &sha1,
            "--username",
            USER,
            "--password-stdin",
        ]),
        Some(&format!("{PASSWORD}\n")),
    )
    .await;
    assert_eq!(code, 0, "{out}");
    outputs.push(out);

    // Wrong password: exit 1, user, database and mechanism named.
    let (code, out) = rsctl(strings(&["-v", "read", "test.c", "--uri", &bad]), None).await;
    assert_eq!(code, 1, "{out}");
    for needle in [USER, "admin", "SCRAM-SHA-256", "Authentication failed"] {
        assert!(out.contains(needle), "{needle} missing: {out}");
    }
    outputs.push(out);
    let (code, out) = rsctl(
        strings(&[
            "-v",
            "read",
            "test.c",
            "--uri",
            &bare,
            "--username",
            USER,
            "--password-stdin",
        ]),
        Some("wrong-password\n"),
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains("wrong-password"), "{out}");
    outputs.push(out);
    // No credentials at all: the server's Unauthorized comes through.
    let (code, out) = rsctl(strings(&["-v", "read", "test.c", "--uri", &bare]), None).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("requires authentication"), "{out}");
    outputs.push(out);

    for (i, out) in outputs.iter().enumerate() {
        assert!(
            !out.contains(PASSWORD),
            "command #{i} printed the password:\n{out}"
        );
    }
    lab.shutdown().await;
}

const PY_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/pymongo_auth.py"
);

/// Runs tests/fidelity/pymongo_auth.py against `host` (with TLS when `ca` is given).
async fn run_pymongo_auth(host: &str, ca: Option<&std::path::Path>) {
    let mut args = vec![PY_SCRIPT.to_string(), host.to_string(), USER.to_string()];
    if let Some(ca) = ca {
        args.push(ca.display().to_string());
    }
    let out = tokio::process::Command::new(
        gate::python("auth fidelity").expect("checked by pymongo_available"),
    )
    .args(&args)
    .env("RSCTL_TEST_PASSWORD", PASSWORD)
    .kill_on_drop(true)
    .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("the pymongo script finishes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.lines().any(|l| l == "OK"),
        "pymongo auth script failed:\n{stdout}\n{stderr}"
    );
    for mech in ["SCRAM-SHA-256", "SCRAM-SHA-1", "default"] {
        assert!(
            stdout.contains(&format!("authenticated {mech}")),
            "{stdout}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_authenticates_with_scram_sha_256_and_sha_1() {
    if !pymongo_available("auth fidelity") {
        return;
    }
    let lab = tokio::time::timeout(PATIENCE, secured_lab(1))
        .await
        .unwrap();
    run_pymongo_auth(&lab.primary().unwrap(), None).await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_authenticates_over_tls_with_the_lab_ca() {
    if !pymongo_available("auth fidelity") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (lab, ca) = tokio::time::timeout(PATIENCE, tls_lab(dir.path()))
        .await
        .unwrap();
    run_pymongo_auth(&lab.primary().unwrap(), Some(&ca)).await;
    lab.shutdown().await;
}

/// A 1-member lab serving TLS only (and auth), with its CA written to a temp dir.
async fn tls_lab(dir: &std::path::Path) -> (Lab, std::path::PathBuf) {
    use rsctl::lab::tls::LabTls;
    let tls = LabTls::generate().unwrap();
    let ca = tls.write_ca(dir, "test").unwrap();
    let store = AuthStore::new(&[(USER.to_string(), PASSWORD.to_string())], || [7; 16]).unwrap();
    let lab = Lab::start_secured(config(1), Some(store), Some(tls))
        .await
        .unwrap();
    lab.initiate(&[], false).await.unwrap();
    (lab, ca)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_the_lab_ca_authenticates_and_reads() {
    let dir = tempfile::tempdir().unwrap();
    let (lab, ca) = tokio::time::timeout(PATIENCE, tls_lab(dir.path()))
        .await
        .unwrap();
    let host = lab.primary().unwrap();
    let port = host.rsplit(':').next().unwrap();
    // By IP (no SNI) and by name (SNI localhost): both are in the certificate.
    for h in [host.clone(), format!("localhost:{port}")] {
        let uri = format!(
            "mongodb://{USER}:{PASSWORD}@{h}/?directConnection=true&tls=true&tlsCAFile={}&serverSelectionTimeoutMS=5000",
            ca.display()
        );
        let cs = ConnectionString::parse(&uri).unwrap();
        let client = Client::connect(ClientOptions::from_connection_string(&cs))
            .await
            .unwrap();
        client
            .find(
                "test",
                "c",
                FindOptions::default(),
                &ReadPreference::primary(),
            )
            .await
            .unwrap();
        client.shutdown().await;
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_refuses_an_unknown_ca_unless_told_to_allow_invalid_certificates() {
    use rsctl::net::tls::TlsOptions;
    let dir = tempfile::tempdir().unwrap();
    let (lab, ca) = tokio::time::timeout(PATIENCE, tls_lab(dir.path()))
        .await
        .unwrap();
    let address = primary_address(&lab);
    let with = |tls: TlsOptions| ConnectionOptions {
        tls: Some(tls),
        ..conn_options(Some(credential(PASSWORD, None)))
    };
    // The webpki roots alone do not know the lab's CA.
    let e = Connection::connect(&address, &with(TlsOptions::default()), 0, true)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("TLS handshake failed"), "{e}");
    assert!(e.is_network(), "{e:?}");
    // tlsAllowInvalidCertificates: any certificate.
    let insecure = TlsOptions {
        allow_invalid_certificates: true,
        ..TlsOptions::default()
    };
    Connection::connect(&address, &with(insecure), 0, true)
        .await
        .unwrap();
    // tlsCAFile: verified.
    let trusted = TlsOptions {
        ca_file: Some(ca.clone()),
        ..TlsOptions::default()
    };
    let (mut conn, _) = Connection::connect(&address, &with(trusted), 0, true)
        .await
        .unwrap();
    conn.run_command("test", doc! {"find": "c"}).await.unwrap();
    // Plain TCP to a TLS member fails as a network error.
    let e = Connection::connect(&address, &conn_options(None), 0, true)
        .await
        .unwrap_err();
    assert!(e.is_network(), "{e:?}");
    // A CA file that is not PEM is refused, naming the file.
    let bogus = dir.path().join("bogus.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let e = Connection::connect(
        &address,
        &with(TlsOptions {
            ca_file: Some(bogus.clone()),
            ..TlsOptions::default()
        }),
        0,
        true,
    )
    .await
    .unwrap_err();
    assert!(e.to_string().contains("bogus.pem"), "{e}");
    lab.shutdown().await;
}

#[test]
fn tls_options_follow_the_connection_string() {
    use rsctl::net::tls::TlsOptions;
    let cs = ConnectionString::parse("mongodb://h/").unwrap();
    assert_eq!(TlsOptions::from_connection_string(&cs), None);
    let cs = ConnectionString::parse("mongodb://h/?tls=true&tlsCAFile=/x/ca.pem").unwrap();
    let t = TlsOptions::from_connection_string(&cs).unwrap();
    assert_eq!(
        t.ca_file.as_deref(),
        Some(std::path::Path::new("/x/ca.pem"))
    );
    assert!(!t.allow_invalid_certificates && !t.allow_invalid_hostnames);
    let cs = ConnectionString::parse("mongodb://h/?tls=true&tlsInsecure=true").unwrap();
    let t = TlsOptions::from_connection_string(&cs).unwrap();
    assert!(t.allow_invalid_certificates && t.allow_invalid_hostnames);
    let cs =
        ConnectionString::parse("mongodb://h/?ssl=true&tlsAllowInvalidHostnames=true").unwrap();
    let t = TlsOptions::from_connection_string(&cs).unwrap();
    assert!(!t.allow_invalid_certificates && t.allow_invalid_hostnames);
}
