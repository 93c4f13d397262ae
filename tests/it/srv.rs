//! `mongodb+srv://` end to end, without the internet: a tiny DNS server on 127.0.0.1 (see
//! `util::dns`) serves `_mongodb._tcp.rs.test.example` -> the members of a lab started here
//! (as `mN.test.example`, whose A records point at 127.0.0.1), and rsctl is pointed at it with
//! `--dns-server` / `RSCTL_DNS_SERVER`. Also the failures: NXDOMAIN, a target outside the
//! domain, two TXT records, a TXT option that is not allowed.

use std::net::Ipv4Addr;
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bson::doc;
use serde_json::Value;

use crate::util::dns::{DnsServer, Zone};
use crate::util::{assert_code, stderr, tokio_command, Rsctl};
use rsctl::client::{Client, ClientOptions};
use rsctl::core::address::ServerAddress;
use rsctl::lab::server::{Lab, LabConfig};
use rsctl::net::dns::HickoryDns;

/// Runs `rsctl ARGS` with `env` set (see [`Rsctl`]).
async fn rsctl(args: &[&str], env: &[(&str, &str)]) -> Output {
    env.iter()
        .fold(Rsctl::new(args), |run, (k, v)| run.env(k, v))
        .run()
        .await
}

async fn lab() -> Lab {
    let lab = Lab::start(LabConfig {
        set_name: "rs0".into(),
        nodes: 3,
        base_port: 0,
        election_timeout: Duration::from_secs(1),
        heartbeat_interval: Duration::from_millis(100),
        seed: 11,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    let hosts = lab.hosts();
    let cfg = doc! {
        "_id": "rs0",
        "members": hosts.iter().enumerate().map(|(i, h)| doc! {"_id": i as i32, "host": h}).collect::<Vec<_>>(),
        "settings": {"electionTimeoutMillis": 1000, "heartbeatIntervalMillis": 100},
    };
    let r = lab
        .run_command(&hosts[0], doc! {"replSetInitiate": cfg, "$db": "admin"})
        .await
        .unwrap();
    assert_eq!(r.get_f64("ok").ok(), Some(1.0), "{r}");
    lab.wait_for_primary(Duration::from_secs(20)).await.unwrap();
    lab
}

fn port(host: &str) -> u16 {
    host.rsplit(':').next().unwrap().parse().unwrap()
}

/// The zone for a lab: `rs.test.example` -> m0..m2.test.example (A 127.0.0.1) with a TXT record
/// giving the set name, plus the broken names the error tests use.
fn zone(lab_hosts: &[String]) -> Zone {
    let mut z = Zone::default().txt("rs.test.example", &["replicaSet=", "rs0"]);
    for (i, h) in lab_hosts.iter().enumerate() {
        let name = format!("m{i}.test.example");
        z = z
            .srv("_mongodb._tcp.rs.test.example", &name, port(h))
            .a(&name, Ipv4Addr::LOCALHOST);
    }
    // `one.test.example`: the same members, no TXT record (for srvMaxHosts).
    for (i, h) in lab_hosts.iter().enumerate() {
        z = z.srv(
            "_mongodb._tcp.one.test.example",
            &format!("m{i}.test.example"),
            port(h),
        );
    }
    let p = port(&lab_hosts[0]);
    z.srv("_mongodb._tcp.evil.test.example", "m0.other.example", p)
        .a("m0.other.example", Ipv4Addr::LOCALHOST)
        .srv("_mongodb._tcp.twotxt.test.example", "m0.test.example", p)
        .txt("twotxt.test.example", &["replicaSet=rs0"])
        .txt("twotxt.test.example", &["authSource=admin"])
        .srv("_mongodb._tcp.badtxt.test.example", "m0.test.example", p)
        .txt("badtxt.test.example", &["replicaSet=rs0&ssl=false"])
        .txt("_mongodb._tcp.nosrv.test.example", &["not an SRV record"])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_and_read_through_srv_records() {
    let lab = lab().await;
    let hosts = lab.hosts();
    {
        let mut o = ClientOptions::new(
            hosts
                .iter()
                .map(|h| ServerAddress::parse(h).unwrap())
                .collect(),
        );
        o.replica_set = Some("rs0".into());
        let client = Client::connect(o).await.unwrap();
        client
            .insert_one("test", "c", doc! {"_id": 1, "via": "srv"}, doc! {"w": 3})
            .await
            .expect("insert");
        client.shutdown().await;
    }
    let dns = DnsServer::start(zone(&hosts));
    let server = dns.addr.to_string();
    let uri = "mongodb+srv://rs.test.example/?tls=false";

    // status, with --dns-server and -v: the lookups are logged.
    let o = rsctl(
        &[
            "-u",
            uri,
            "--dns-server",
            &server,
            "-v",
            "--timeout",
            "10s",
            "status",
            "--json",
        ],
        &[],
    )
    .await;
    assert_code(&o, 0);
    let e = stderr(&o);
    assert!(e.contains("SRV _mongodb._tcp.rs.test.example"), "{e}");
    assert!(e.contains("m0.test.example"), "{e}");
    assert!(
        e.contains("TXT rs.test.example -> \"replicaSet=rs0\""),
        "{e}"
    );
    let status: Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let text = status.to_string();
    assert!(text.contains("\"rs0\""), "{text}");
    for h in &hosts {
        assert!(text.contains(h.as_str()), "{h} in {text}");
    }
    assert!(dns.queries() >= 2);

    // read, with RSCTL_DNS_SERVER: the document comes back, served by a lab member.
    let o = rsctl(
        &[
            "-u",
            uri,
            "--timeout",
            "10s",
            "read",
            "test.c",
            "--pref",
            "secondaryPreferred",
        ],
        &[("RSCTL_DNS_SERVER", &server)],
    )
    .await;
    assert_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("\"via\":\"srv\""), "{out}");
    let e = stderr(&o);
    assert!(
        hosts.iter().any(|h| e.contains(h.as_str())),
        "served by a member: {e}"
    );

    // srvMaxHosts=1: one random seed, and SDAM still finds the whole set from it.
    let o = rsctl(
        &[
            "-u",
            "mongodb+srv://one.test.example/?tls=false&srvMaxHosts=1",
            "--dns-server",
            &server,
            "-v",
            "--timeout",
            "10s",
            "status",
            "--json",
        ],
        &[],
    )
    .await;
    assert_code(&o, 0);
    let e = stderr(&o);
    let seeds_line = e
        .lines()
        .find(|l| l.contains("mongodb+srv: seeds"))
        .expect("seeds logged");
    assert_eq!(
        seeds_line.matches(".test.example:").count(),
        1,
        "{seeds_line}"
    );
    let text = String::from_utf8_lossy(&o.stdout).into_owned();
    for h in &hosts {
        assert!(text.contains(h.as_str()), "{h} in {text}");
    }

    // failover-watch resolves the same way (a short, quiet watch).
    let o = rsctl(
        &[
            "-u",
            uri,
            "--dns-server",
            &server,
            "--json",
            "failover-watch",
            "--duration",
            "1s",
        ],
        &[],
    )
    .await;
    assert_code(&o, 0);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(hosts.iter().any(|h| out.contains(h.as_str())), "{out}");

    drop(dns);
    lab.shutdown().await;
}

/// The host resolver is one client's option, not process-wide state: a client given the DNS
/// server reaches a member by a name only that server knows, while another client of the same
/// process, without it, cannot resolve that name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_resolver_belongs_to_one_client() {
    let lab = Lab::start(LabConfig {
        nodes: 1,
        ..LabConfig::default()
    })
    .await
    .unwrap();
    let hosts = lab.hosts();
    let dns = DnsServer::start(zone(&hosts));
    let named = ServerAddress::new("m0.test.example", port(&hosts[0]));
    let mut with = ClientOptions::new(vec![named.clone()]);
    with.direct_connection = Some(true);
    with.host_resolver = Some(Arc::new(HickoryDns::new(Some(dns.addr)).unwrap()));
    let without = ClientOptions {
        host_resolver: None,
        connect_timeout: Duration::from_secs(3),
        ..with.clone()
    };
    let (a, b) = (
        Client::connect(with).await.unwrap(),
        Client::connect(without).await.unwrap(),
    );
    let (_, reply) = a
        .probe(&named)
        .await
        .expect("m0.test.example resolves through the DNS server");
    assert!(reply.contains_key("maxWireVersion"), "{reply}");
    let e = b
        .probe(&named)
        .await
        .expect_err("the system resolver does not know m0.test.example");
    assert!(e.is_network(), "{e}");
    a.shutdown().await;
    b.shutdown().await;
    drop(dns);
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srv_failures_have_their_exit_codes() {
    // No lab is needed: every failure happens before anything connects.
    let hosts = vec!["127.0.0.1:1".to_string()];
    let dns = DnsServer::start(zone(&hosts));
    let server = dns.addr.to_string();
    let run = |name: &'static str| {
        let server = server.clone();
        async move {
            let uri = format!("mongodb+srv://{name}/?tls=false");
            rsctl(
                &[
                    "-u",
                    &uri,
                    "--dns-server",
                    &server,
                    "--timeout",
                    "2s",
                    "status",
                ],
                &[],
            )
            .await
        }
    };

    // NXDOMAIN: exit 1, naming the name looked up and the reason.
    let o = run("nothere.test.example").await;
    assert_code(&o, 1);
    let e = stderr(&o);
    assert!(
        e.contains("_mongodb._tcp.nothere.test.example") && e.contains("NXDOMAIN"),
        "{e}"
    );

    // The SRV name exists (it has a TXT record) but has no SRV records: exit 1.
    let o = run("nosrv.test.example").await;
    assert_code(&o, 1);
    let e = stderr(&o);
    assert!(
        e.contains("_mongodb._tcp.nosrv.test.example") && e.contains("no SRV records"),
        "{e}"
    );

    // A target outside the domain: exit 2, quoting the rule.
    let o = run("evil.test.example").await;
    assert_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("m0.other.example") && e.contains("share the domain \"test.example\""),
        "{e}"
    );

    // Two TXT records: exit 2.
    let o = run("twotxt.test.example").await;
    assert_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("2 TXT records") && e.contains("at most one"),
        "{e}"
    );

    // A TXT record setting ssl: exit 2.
    let o = run("badtxt.test.example").await;
    assert_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("\"ssl\"") && e.contains("may only set authSource, replicaSet, loadBalanced"),
        "{e}"
    );

    // srvMaxHosts with a replicaSet that came from the TXT record: checked after the lookup.
    let o = rsctl(
        &[
            "-u",
            "mongodb+srv://rs.test.example/?srvMaxHosts=1",
            "--dns-server",
            &server,
            "status",
        ],
        &[],
    )
    .await;
    assert_code(&o, 2);
    let e = stderr(&o);
    assert!(
        e.contains("srvMaxHosts=1 cannot be used with replicaSet=rs0"),
        "{e}"
    );

    // Rules checked before any DNS query: exit 2 and the server is not asked.
    let before = dns.queries();
    let o = rsctl(
        &[
            "-u",
            "mongodb+srv://rs.test.example/?directConnection=true",
            "--dns-server",
            &server,
            "status",
        ],
        &[],
    )
    .await;
    assert_code(&o, 2);
    assert!(
        stderr(&o).contains("directConnection=true"),
        "{}",
        stderr(&o)
    );
    assert_eq!(dns.queries(), before);

    // A bad --dns-server value: exit 2.
    let o = rsctl(
        &[
            "-u",
            "mongodb+srv://rs.test.example",
            "--dns-server",
            "dns.example",
            "status",
        ],
        &[],
    )
    .await;
    assert_code(&o, 2);
    assert!(stderr(&o).contains("IP:PORT"), "{}", stderr(&o));
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_during_a_silent_dns_server_exits_130() {
    // A DNS server that never answers: rsctl waits for its timeouts until interrupted.
    let silent = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let child = tokio_command()
        .args([
            "-u",
            "mongodb+srv://rs.test.example/",
            "--dns-server",
            &server,
            "status",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the query reached the silent server, then interrupt.
    silent
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut buf = [0u8; 512];
    silent
        .recv_from(&mut buf)
        .expect("rsctl queries the DNS server");
    tokio::time::sleep(Duration::from_millis(200)).await;
    unsafe { libc::kill(child.id().unwrap() as i32, libc::SIGINT) };
    let o = tokio::time::timeout(Duration::from_secs(20), child.wait_with_output())
        .await
        .expect("rsctl stops on Ctrl-C")
        .unwrap();
    assert_code(&o, 130);
}
