//! MONGODB-X509 and the TLS cases left open by tests/it/auth.rs, end to end against labs:
//! - the client authenticates with the lab's client certificate (speculatively in the hello and
//!   with a separate `authenticate`), `connectionStatus` names the `$external` user, a certificate
//!   whose subject is not a user is refused with AuthenticationFailed (18);
//! - the lab verifies client certificates against its CA, and requires one only when asked;
//! - X.509 without TLS or without a client certificate is an exit-2 usage error;
//! - a server certificate for another name fails (exit 1, "hostname mismatch") unless
//!   tlsAllowInvalidHostnames=true; an expired one fails naming "expired";
//! - the lab's mongos routers apply the same auth and TLS as the members (`rsctl status/read`
//!   through a secured router seed list), and `rsctl lab up --tls --auth` prints the client
//!   certificate and its `$external` user;
//! - pymongo authenticates with the client certificate (tests/fidelity/pymongo_x509.py).

use std::path::{Path, PathBuf};

use std::time::Duration;

use bson::doc;
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::read_pref::ReadPreference;
use rsctl::core::selection::Criteria;
use rsctl::core::uri::{ConnectionString, Credential};
use rsctl::error::Error;
use rsctl::lab::auth::AuthStore;
use rsctl::lab::server::{Lab, LabConfig};
use rsctl::lab::tls::{LabTls, LabTlsOptions};
use rsctl::net::auth::authenticate;
use rsctl::net::connection::{Connection, ConnectionOptions};
use rsctl::net::tls::TlsOptions;

use crate::gate::{self, pymongo_available};
use crate::util::child_lab::ChildLab;
use crate::util::{all_output, code, Rsctl};

const USER: &str = "carol";
/// Distinctive, so that a grep for it cannot hit anything else.
const PASSWORD: &str = "Quokka-X509-Pa55";
const PATIENCE: Duration = Duration::from_secs(30);
const X509_USER: &str = "CN=client,OU=clients,O=rsctl lab";

fn config(nodes: usize) -> LabConfig {
    crate::util::fast_lab_config(nodes, 0)
}

fn store() -> AuthStore {
    AuthStore::new(&[(USER.to_string(), PASSWORD.to_string())], || [3; 16]).unwrap()
}

/// Where a test's PEM files live.
struct Files {
    _dir: tempfile::TempDir,
    ca: PathBuf,
    client: PathBuf,
    path: PathBuf,
}

impl Files {
    fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }
}

/// A lab with TLS (options as given) and, with `auth`, users; initiated. Writes its CA and client
/// certificate.
async fn secured(nodes: usize, auth: bool, options: LabTlsOptions) -> (Lab, LabTls, Files) {
    let dir = tempfile::tempdir().unwrap();
    let tls = LabTls::with_options(&options).unwrap();
    let ca = tls.write_ca(dir.path(), "t").unwrap();
    let client = tls.write_client(dir.path(), "t").unwrap();
    let lab = Lab::start_secured(config(nodes), auth.then(store), Some(tls.clone()))
        .await
        .unwrap();
    tokio::time::timeout(PATIENCE, lab.initiate(&[], false))
        .await
        .unwrap()
        .unwrap();
    let path = dir.path().to_path_buf();
    (
        lab,
        tls,
        Files {
            _dir: dir,
            ca,
            client,
            path,
        },
    )
}

fn x509_credential(user: Option<&str>) -> Credential {
    Credential {
        username: user.map(str::to_string),
        source: Some("$external".into()),
        mechanism: Some("MONGODB-X509".into()),
        ..Credential::default()
    }
}

fn tls_options(ca: &Path, cert: Option<&Path>) -> TlsOptions {
    TlsOptions {
        ca_file: Some(ca.to_path_buf()),
        certificate_key_file: cert.map(Path::to_path_buf),
        ..TlsOptions::default()
    }
}

fn conn_options(credential: Option<Credential>, tls: TlsOptions) -> ConnectionOptions {
    ConnectionOptions {
        connect_timeout: Duration::from_secs(5),
        socket_timeout: Some(Duration::from_secs(5)),
        credential,
        tls: Some(tls),
        ..ConnectionOptions::default()
    }
}

fn primary(lab: &Lab) -> ServerAddress {
    lab.primary().unwrap().parse().unwrap()
}

fn authenticated_users(reply: &bson::Document) -> Vec<(String, String)> {
    reply
        .get_document("authInfo")
        .unwrap()
        .get_array("authenticatedUsers")
        .unwrap()
        .iter()
        .map(|u| {
            let u = u.as_document().unwrap();
            (
                u.get_str("user").unwrap().to_string(),
                u.get_str("db").unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x509_authenticates_as_the_certificate_subject() {
    let (lab, tls, files) = secured(3, true, LabTlsOptions::default()).await;
    assert_eq!(tls.client_subject(), X509_USER);
    let uri = format!(
        "mongodb://{}/?replicaSet=rs0&tls=true&tlsCAFile={}&tlsCertificateKeyFile={}&authMechanism=MONGODB-X509&serverSelectionTimeoutMS=10000",
        lab.seed_list(),
        files.ca.display(),
        files.client.display()
    );
    let cs = ConnectionString::parse(&uri).unwrap();
    let client = Client::connect(ClientOptions::from_connection_string(&cs))
        .await
        .unwrap();
    client
        .insert_one("test", "x", doc! {"_id": 1, "by": "x509"}, doc! {})
        .await
        .unwrap();
    let mut cursor = client
        .find(
            "test",
            "x",
            FindOptions::default(),
            &ReadPreference::primary(),
        )
        .await
        .unwrap();
    let doc = cursor.next().await.unwrap().expect("the inserted document");
    assert_eq!(doc.get_str("by").unwrap(), "x509");
    let status = client
        .run_command(
            "admin",
            doc! {"connectionStatus": 1},
            &Criteria::Read(ReadPreference::primary()),
        )
        .await
        .unwrap();
    assert_eq!(
        authenticated_users(&status.reply),
        vec![(X509_USER.to_string(), "$external".to_string())]
    );
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x509_speculative_and_separate_authenticate() {
    let (lab, _tls, files) = secured(1, true, LabTlsOptions::default()).await;
    let address = primary(&lab);
    let tls = tls_options(&files.ca, Some(&files.client));
    for user in [None, Some(X509_USER)] {
        // Speculative: the hello carries the authenticate command and its answer comes back.
        let cred = x509_credential(user);
        let (mut conn, hs) = Connection::connect(
            &address,
            &conn_options(Some(cred.clone()), tls.clone()),
            0,
            true,
        )
        .await
        .unwrap();
        let spec = hs.reply.get_document("speculativeAuthenticate").unwrap();
        assert_eq!(spec.get_str("user").unwrap(), X509_USER);
        assert_eq!(spec.get_str("dbname").unwrap(), "$external");
        conn.run_command("test", doc! {"find": "c"}).await.unwrap();

        // Separate: a plain handshake (Unauthorized until then), then `authenticate`.
        let (mut conn, hs) =
            Connection::connect(&address, &conn_options(None, tls.clone()), 0, true)
                .await
                .unwrap();
        let e = conn
            .run_command("test", doc! {"find": "c"})
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Command { code: Some(13), .. }), "{e}");
        let status = conn
            .run_command("admin", doc! {"connectionStatus": 1})
            .await
            .unwrap();
        assert!(authenticated_users(&status).is_empty());
        authenticate(&mut conn, &cred, None, &hs.reply, &Default::default())
            .await
            .unwrap();
        conn.run_command("test", doc! {"find": "c"}).await.unwrap();
        let status = conn
            .run_command("admin", doc! {"connectionStatus": 1})
            .await
            .unwrap();
        assert_eq!(
            authenticated_users(&status),
            vec![(X509_USER.to_string(), "$external".to_string())]
        );
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x509_refuses_subjects_that_are_not_users_and_mismatched_names() {
    let (lab, tls, files) = secured(1, true, LabTlsOptions::default()).await;
    let address = primary(&lab);
    // Signed by the lab's CA (so TLS accepts it), but CN=stranger is no $external user.
    let (pem, subject) = tls.issue_client("stranger").unwrap();
    assert_eq!(subject, "CN=stranger,OU=clients,O=rsctl lab");
    let stranger = files.write("stranger.pem", &pem);
    let cases = [
        (tls_options(&files.ca, Some(&stranger)), None, "code 18"),
        (
            tls_options(&files.ca, Some(&files.client)),
            Some("CN=someone else"),
            "code 18",
        ),
        // No certificate at all (the library lets it through; the server refuses it).
        (
            tls_options(&files.ca, None),
            None,
            "no verified client certificate",
        ),
    ];
    for (tls, user, needle) in cases {
        let e = Connection::connect(
            &address,
            &conn_options(Some(x509_credential(user)), tls),
            0,
            true,
        )
        .await
        .unwrap_err();
        assert!(matches!(e, Error::Authentication { .. }), "{e:?}");
        let msg = e.to_string();
        for n in [needle, "MONGODB-X509", "$external"] {
            assert!(msg.contains(n), "{n} missing from: {msg}");
        }
    }
    // SCRAM users still work on the same lab, over TLS.
    let scram = Credential {
        username: Some(USER.into()),
        password: Some(PASSWORD.into()),
        source: Some("admin".into()),
        ..Credential::default()
    };
    let (mut conn, _) = Connection::connect(
        &address,
        &conn_options(Some(scram), tls_options(&files.ca, None)),
        0,
        true,
    )
    .await
    .unwrap();
    conn.run_command("test", doc! {"find": "c"}).await.unwrap();
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_certificates_are_verified_and_required_only_when_asked() {
    // Optional (the default): no certificate is fine, a certificate from another CA is not.
    let (lab, _tls, files) = secured(1, false, LabTlsOptions::default()).await;
    let address = primary(&lab);
    let (mut conn, _) = Connection::connect(
        &address,
        &conn_options(None, tls_options(&files.ca, None)),
        0,
        true,
    )
    .await
    .unwrap();
    conn.run_command("test", doc! {"find": "c"}).await.unwrap();
    let foreign = LabTls::generate().unwrap();
    let foreign_pem = files.write("foreign.pem", foreign.client_pem());
    let e = match Connection::connect(
        &address,
        &conn_options(None, tls_options(&files.ca, Some(&foreign_pem))),
        0,
        true,
    )
    .await
    {
        // TLS 1.3: the server's refusal may only show on the first read.
        Ok((mut conn, _)) => conn
            .run_command("test", doc! {"find": "c"})
            .await
            .unwrap_err(),
        Err(e) => e,
    };
    assert!(e.is_network(), "{e:?}");
    lab.shutdown().await;

    // Required: refused without, accepted with the lab's client certificate.
    let required = LabTlsOptions {
        require_client_cert: true,
        ..LabTlsOptions::default()
    };
    let (lab, _tls, files) = secured(1, false, required).await;
    let address = primary(&lab);
    let e = Connection::connect(
        &address,
        &conn_options(None, tls_options(&files.ca, None)),
        0,
        true,
    )
    .await
    .unwrap_err();
    assert!(e.is_network(), "{e:?}");
    assert!(e.to_string().contains("CertificateRequired"), "{e}");
    let (mut conn, _) = Connection::connect(
        &address,
        &conn_options(None, tls_options(&files.ca, Some(&files.client))),
        0,
        true,
    )
    .await
    .unwrap();
    conn.run_command("test", doc! {"find": "c"}).await.unwrap();
    lab.shutdown().await;
}

/// Runs the rsctl binary, returning (exit code, stdout + stderr).
async fn rsctl(args: &[&str]) -> (i32, String) {
    let o = Rsctl::new(args).timeout(PATIENCE).run().await;
    (code(&o), all_output(&o))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_x509_needs_tls_and_a_client_certificate() {
    let cases = [
        (
            "mongodb://127.0.0.1:1/?authMechanism=MONGODB-X509",
            "needs TLS",
        ),
        (
            "mongodb://127.0.0.1:1/?authMechanism=MONGODB-X509&tls=true",
            "tlsCertificateKeyFile",
        ),
        (
            "mongodb://CN%3Dx:secret@127.0.0.1:1/?authMechanism=MONGODB-X509&tls=true",
            "does not accept a password",
        ),
    ];
    for (uri, needle) in cases {
        let (code, out) = rsctl(&["read", "test.c", "--uri", uri, "--timeout", "1s"]).await;
        assert_eq!(code, 2, "{uri}: {out}");
        assert!(out.contains(needle), "{uri}: {needle} missing: {out}");
        assert!(!out.contains("secret"), "{out}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_username_with_x509_asks_for_no_password() {
    let (lab, _tls, files) = secured(1, true, LabTlsOptions::default()).await;
    let uri = format!(
        "mongodb://{}/?directConnection=true&tls=true&tlsCAFile={}&tlsCertificateKeyFile={}&authMechanism=MONGODB-X509",
        lab.primary().unwrap(),
        files.ca.display(),
        files.client.display()
    );
    // stdin is not a terminal and --password-stdin is absent: SCRAM would refuse to prompt.
    let (code, out) = rsctl(&["read", "test.c", "--uri", &uri, "--username", X509_USER]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &uri, "--username", "CN=nobody"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("user CN=nobody on database $external with MONGODB-X509"),
        "{out}"
    );
    assert!(out.contains("code 18"), "{out}");
    lab.shutdown().await;
}

/// A CA and a server certificate for `names` (expired when `expired`), as PEM files: the
/// server's chain and key in one file, the CA in another.
fn server_files(files: &Files, names: &[&str], expired: bool) -> (PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    // A distinct CA name per call: webpki matches issuers by name.
    ca.distinguished_name.push(
        DnType::CommonName,
        format!("test CA for {}", names.join(",")),
    );
    let ca = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(names.clone()).unwrap();
    if expired {
        params.not_before = rcgen::date_time_ymd(2020, 1, 1);
        params.not_after = rcgen::date_time_ymd(2021, 1, 1);
    }
    let cert = params.signed_by(&key, &ca, &ca_key).unwrap();
    let tag = format!(
        "{}{}",
        names.join("_"),
        if expired { "_expired" } else { "" }
    );
    let server = files.write(
        &format!("{tag}-server.pem"),
        &format!("{}{}", cert.pem(), key.serialize_pem()),
    );
    let ca_file = files.write(&format!("{tag}-ca.pem"), &ca.pem());
    (server, ca_file)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_hostname_fails_unless_invalid_hostnames_are_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let files = Files {
        ca: PathBuf::new(),
        client: PathBuf::new(),
        path: dir.path().to_path_buf(),
        _dir: dir,
    };
    let (server, ca) = server_files(&files, &["wrong.example"], false);
    let lab = ChildLab::with("wrongname")
        .args(["--nodes", "1", "--tls", "--tls-cert-file"])
        .args([server.as_os_str()])
        .args(["--tls-ca-file"])
        .args([ca.as_os_str()])
        .start()
        .await;
    // The given CA is what clients are told to trust.
    assert_eq!(lab.value("tls-ca-file ").unwrap(), ca.display().to_string());
    let host = lab.hosts[0].clone();
    let base = format!(
        "mongodb://{host}/?directConnection=true&tls=true&tlsCAFile={}",
        ca.display()
    );
    let (code, out) = rsctl(&["read", "test.c", "--uri", &base, "--timeout", "20s"]).await;
    assert_eq!(code, 1, "{out}");
    for needle in [
        host.as_str(),
        "hostname mismatch",
        "127.0.0.1",
        "wrong.example",
    ] {
        assert!(out.contains(needle), "{needle} missing: {out}");
    }
    let allowed = format!("{base}&tlsAllowInvalidHostnames=true");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &allowed]).await;
    assert_eq!(code, 0, "{out}");
    // Still verified: a CA that did not issue the certificate fails even so.
    let (_, other_ca) = server_files(&files, &["127.0.0.1"], false);
    let untrusted = format!(
        "mongodb://{host}/?directConnection=true&tls=true&tlsCAFile={}&tlsAllowInvalidHostnames=true",
        other_ca.display()
    );
    let (code, out) = rsctl(&["read", "test.c", "--uri", &untrusted]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("unknown CA"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_certificate_fails_naming_expired() {
    let dir = tempfile::tempdir().unwrap();
    let files = Files {
        ca: PathBuf::new(),
        client: PathBuf::new(),
        path: dir.path().to_path_buf(),
        _dir: dir,
    };
    let (server, ca) = server_files(&files, &["127.0.0.1"], true);
    let tls = LabTls::with_options(&LabTlsOptions {
        cert_key_file: Some(server),
        ca_file: Some(ca.clone()),
        ..LabTlsOptions::default()
    })
    .unwrap();
    let lab = Lab::start_secured(config(1), None, Some(tls))
        .await
        .unwrap();
    lab.initiate(&[], false).await.unwrap();
    let host = lab.hosts()[0].clone();
    let uri = format!(
        "mongodb://{host}/?directConnection=true&tls=true&tlsCAFile={}",
        ca.display()
    );
    let (code, out) = rsctl(&["read", "test.c", "--uri", &uri, "--timeout", "20s"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("expired") && out.contains(&host), "{out}");
    // tlsAllowInvalidHostnames does not excuse an expiry; tlsAllowInvalidCertificates does.
    let (code, out) = rsctl(&[
        "read",
        "test.c",
        "--uri",
        &format!("{uri}&tlsAllowInvalidHostnames=true"),
    ])
    .await;
    assert_eq!(code, 1, "{out}");
    let (code, out) = rsctl(&[
        "read",
        "test.c",
        "--uri",
        &format!("{uri}&tlsAllowInvalidCertificates=true"),
    ])
    .await;
    assert_eq!(code, 0, "{out}");
    lab.shutdown().await;
}

#[test]
fn lab_tls_refuses_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "not pem").unwrap();
    let e = LabTls::with_options(&LabTlsOptions {
        cert_key_file: Some(junk.clone()),
        ca_file: Some(junk.clone()),
        ..LabTlsOptions::default()
    })
    .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { .. }), "{e:?}");
    assert!(e.to_string().contains("junk.pem"), "{e}");
    let missing = dir.path().join("missing.pem");
    let e = LabTls::with_options(&LabTlsOptions {
        cert_key_file: Some(missing),
        ..LabTlsOptions::default()
    })
    .unwrap_err();
    assert!(e.to_string().contains("missing.pem"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routers_apply_the_members_auth_and_tls() {
    let lab = ChildLab::with("securedmongos")
        .args(["--nodes", "2", "--mongos", "2", "--auth"])
        .args([format!("{USER}:{PASSWORD}")])
        .args(["--tls", "--tls-require-client-cert"])
        .start()
        .await;
    // Output: members, routers, then the TLS lines, then ready.
    let kinds: Vec<&str> = lab
        .lines
        .iter()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "member",
            "member",
            "mongos",
            "mongos",
            "tls-ca-file",
            "tls-client-cert",
            "x509-user",
            "ready"
        ]
    );
    assert_eq!(lab.value("x509-user ").unwrap(), X509_USER);
    let ca = lab.value("tls-ca-file ").unwrap();
    let cert = lab.value("tls-client-cert ").unwrap();
    assert!(Path::new(&cert).starts_with(lab.dir()), "{cert}");
    let pem = std::fs::read_to_string(&cert).unwrap();
    assert!(pem.contains("BEGIN CERTIFICATE") && pem.contains("PRIVATE KEY"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&cert).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key file is private: {mode:o}");
    }
    let routers = lab.routers.join(",");
    let tls = format!("tls=true&tlsCAFile={ca}&tlsCertificateKeyFile={cert}");
    let x509 = format!("mongodb://{routers}/?{tls}&authMechanism=MONGODB-X509");
    let scram = format!("mongodb://{USER}:{PASSWORD}@{routers}/?{tls}");

    let (code, out) = rsctl(&["status", "--uri", &x509]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Sharded cluster: 2 routers"), "{out}");
    assert!(
        out.contains("PRIMARY") && out.contains("SECONDARY"),
        "{out}"
    );
    let (code, out) = rsctl(&["read", "test.c", "--uri", &x509]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("via mongos"), "{out}");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &scram]).await;
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains(PASSWORD), "{out}");
    // The routers require authentication like the members...
    let anonymous = format!("mongodb://{routers}/?{tls}");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &anonymous]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("requires authentication"), "{out}");
    // ...and a client certificate (this lab requires one).
    let no_cert = format!("mongodb://{USER}:{PASSWORD}@{routers}/?tls=true&tlsCAFile={ca}");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &no_cert, "--timeout", "2s"]).await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("CertificateRequired"), "{out}");
    // ...and TLS.
    let plain = format!("mongodb://{USER}:{PASSWORD}@{routers}/");
    let (code, out) = rsctl(&["read", "test.c", "--uri", &plain, "--timeout", "2s"]).await;
    assert_eq!(code, 3, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_answers_connection_status_with_the_x509_user() {
    let (lab, _tls, files) = secured(1, true, LabTlsOptions::default()).await;
    let routers = lab.start_routers(1, 0).await.unwrap();
    let address: ServerAddress = routers[0].parse().unwrap();
    let tls = tls_options(&files.ca, Some(&files.client));
    let (mut conn, hs) = Connection::connect(
        &address,
        &conn_options(Some(x509_credential(None)), tls.clone()),
        0,
        true,
    )
    .await
    .unwrap();
    assert_eq!(hs.reply.get_str("msg").unwrap(), "isdbgrid");
    assert!(hs.reply.get_document("speculativeAuthenticate").is_ok());
    let status = conn
        .run_command("admin", doc! {"connectionStatus": 1})
        .await
        .unwrap();
    assert_eq!(
        authenticated_users(&status),
        vec![(X509_USER.to_string(), "$external".to_string())]
    );
    // Forwarded to the shard through the router's own (internal-user) client.
    conn.run_command("test", doc! {"insert": "r", "documents": [{"a": 1}]})
        .await
        .unwrap();
    let found = conn.run_command("test", doc! {"find": "r"}).await.unwrap();
    let batch = found
        .get_document("cursor")
        .unwrap()
        .get_array("firstBatch")
        .unwrap();
    assert_eq!(batch.len(), 1);
    // Unauthenticated connections to the router get Unauthorized.
    let (mut anon, _) = Connection::connect(&address, &conn_options(None, tls), 0, true)
        .await
        .unwrap();
    let e = anon
        .run_command("test", doc! {"find": "r"})
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Command { code: Some(13), .. }), "{e}");
    lab.shutdown().await;
}

const PY_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fidelity/pymongo_x509.py"
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pymongo_authenticates_with_the_lab_client_certificate() {
    if !pymongo_available("x509 fidelity") {
        return;
    }
    let (lab, tls, files) = secured(1, true, LabTlsOptions::default()).await;
    let (pem, _) = tls.issue_client("stranger").unwrap();
    let stranger = files.write("stranger.pem", &pem);
    let out = tokio::process::Command::new(
        gate::python("x509 fidelity").expect("checked by pymongo_available"),
    )
    .arg(PY_SCRIPT)
    .arg(lab.primary().unwrap())
    .arg(&files.ca)
    .arg(&files.client)
    .arg(&stranger)
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
        "pymongo x509 script failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains(&format!("authenticated as {X509_USER} on $external")),
        "{stdout}"
    );
    assert!(stdout.contains("stranger refused with code 18"), "{stdout}");
    lab.shutdown().await;
}
