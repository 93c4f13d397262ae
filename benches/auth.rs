//! Handshake + authentication time per connection against a 1-member lab started with auth
//! (users stored as mongod does: SCRAM-SHA-1 with 10 000 iterations, SCRAM-SHA-256 with 15 000).
//!
//! - `handshake_only`: TCP connect + hello, no credential (the floor);
//! - `speculative/{sha256,sha1}`: hello carrying `speculativeAuthenticate`, then one `saslContinue`;
//! - `full/{sha256,sha1}`: plain hello, then `saslStart` + `saslContinue`;
//! - `tls/handshake_only`, `tls/speculative_sha256`: the same over TLS (`lab up --tls`, the
//!   client trusting the lab's CA through tlsCAFile).
//!
//! Derived keys are cached per client (the connection options' `caches`, shared by every
//! iteration here), so after the first connection PBKDF2 does not run again: the numbers are the
//! per-connection cost of a pool that grows.
//!
//! Run with `cargo bench --bench auth`; medians are in target/criterion/auth/*/new/estimates.json.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use rsctl::core::address::ServerAddress;
use rsctl::core::uri::Credential;
use rsctl::lab::auth::AuthStore;
use rsctl::lab::server::{Lab, LabConfig};
use rsctl::lab::tls::LabTls;
use rsctl::net::auth::authenticate;
use rsctl::net::connection::{Connection, ConnectionOptions};
use rsctl::net::tls::TlsOptions;

const USER: &str = "bench";
const PASSWORD: &str = "bench-password";

fn credential(mechanism: &str) -> Credential {
    Credential {
        username: Some(USER.into()),
        password: Some(PASSWORD.into()),
        source: Some("admin".into()),
        mechanism: Some(mechanism.into()),
        ..Credential::default()
    }
}

fn options(credential: Option<Credential>) -> ConnectionOptions {
    ConnectionOptions {
        connect_timeout: Duration::from_secs(5),
        credential,
        ..ConnectionOptions::default()
    }
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let lab = rt.block_on(async {
        let store = AuthStore::new(&[(USER.into(), PASSWORD.into())], rand::random).unwrap();
        let config = LabConfig {
            nodes: 1,
            election_timeout: Duration::from_secs(1),
            heartbeat_interval: Duration::from_millis(200),
            ..LabConfig::default()
        };
        let lab = Lab::start_with_auth(config, store).await.unwrap();
        lab.initiate(&[], false).await.unwrap();
        lab
    });
    let address: ServerAddress = lab.hosts()[0].parse().unwrap();

    let mut g = c.benchmark_group("auth");
    g.sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    let plain = options(None);
    g.bench_function("handshake_only", |b| {
        b.iter(|| {
            rt.block_on(Connection::connect(&address, &plain, 0, true))
                .unwrap()
        })
    });
    for (name, mech) in [("sha256", "SCRAM-SHA-256"), ("sha1", "SCRAM-SHA-1")] {
        let cred = credential(mech);
        let speculative = options(Some(cred.clone()));
        g.bench_function(format!("speculative/{name}"), |b| {
            b.iter(|| {
                rt.block_on(Connection::connect(&address, &speculative, 0, true))
                    .unwrap()
            })
        });
        g.bench_function(format!("full/{name}"), |b| {
            b.iter(|| {
                rt.block_on(async {
                    let (mut conn, hs) = Connection::connect(&address, &plain, 0, true)
                        .await
                        .unwrap();
                    authenticate(&mut conn, &cred, None, &hs.reply, &plain.caches.scram_keys)
                        .await
                        .unwrap();
                    conn
                })
            })
        });
    }
    let dir = std::env::temp_dir();
    let (tls_lab, ca) = rt.block_on(async {
        let tls = LabTls::generate().unwrap();
        let ca = tls
            .write_ca(&dir, &format!("rsctl-bench-{}", std::process::id()))
            .unwrap();
        let store = AuthStore::new(&[(USER.into(), PASSWORD.into())], rand::random).unwrap();
        let config = LabConfig {
            nodes: 1,
            election_timeout: Duration::from_secs(1),
            heartbeat_interval: Duration::from_millis(200),
            ..LabConfig::default()
        };
        let lab = Lab::start_secured(config, Some(store), Some(tls))
            .await
            .unwrap();
        lab.initiate(&[], false).await.unwrap();
        (lab, ca)
    });
    let tls_address: ServerAddress = tls_lab.hosts()[0].parse().unwrap();
    let tls = TlsOptions {
        ca_file: Some(ca.clone()),
        ..TlsOptions::default()
    };
    let tls_plain = ConnectionOptions {
        tls: Some(tls.clone()),
        ..options(None)
    };
    let tls_auth = ConnectionOptions {
        tls: Some(tls),
        ..options(Some(credential("SCRAM-SHA-256")))
    };
    g.bench_function("tls/handshake_only", |b| {
        b.iter(|| {
            rt.block_on(Connection::connect(&tls_address, &tls_plain, 0, true))
                .unwrap()
        })
    });
    g.bench_function("tls/speculative_sha256", |b| {
        b.iter(|| {
            rt.block_on(Connection::connect(&tls_address, &tls_auth, 0, true))
                .unwrap()
        })
    });
    g.finish();
    rt.block_on(lab.shutdown());
    rt.block_on(tls_lab.shutdown());
    let _ = std::fs::remove_file(ca);
}

criterion_group!(benches, bench);
criterion_main!(benches);
