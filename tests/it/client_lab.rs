//! The client against a real lab on 127.0.0.1 (short timings: election timeout 1 s, lab
//! heartbeat 200 ms, client heartbeatFrequencyMS 500 ms): discovery from any seed, dead seeds,
//! wrong set names, direct connections, reads going where selection says, failover events and
//! retried reads, hung members, latency moving `nearest`, and clean shutdown.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::util::wait_for;
use bson::doc;
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerType, Tags, TopologyDescription, TopologyType};
use rsctl::core::events::SdamEvent;
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::selection::Criteria;
use rsctl::core::uri::ServerMonitoringMode;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::{Lab, LabConfig};

use crate::util::eventually;

fn config(set_name: &str, nodes: usize, seed: u64) -> LabConfig {
    LabConfig {
        set_name: set_name.into(),
        ..crate::util::fast_lab_config(nodes, seed)
    }
}

/// Member i is tagged `{n: "i"}`.
fn tags(nodes: usize) -> Vec<Tags> {
    (0..nodes)
        .map(|i| BTreeMap::from([("n".to_string(), i.to_string())]))
        .collect()
}

async fn start_lab(set_name: &str, nodes: usize, seed: u64) -> Lab {
    let lab = Lab::start(config(set_name, nodes, seed))
        .await
        .expect("lab starts");
    lab.initiate(&tags(nodes), false).await.expect("initiate");
    lab.wait_for_primary(Duration::from_secs(15))
        .await
        .expect("a primary");
    lab
}

fn addr(host: &str) -> ServerAddress {
    ServerAddress::parse(host).unwrap()
}

fn options(seeds: &[String]) -> ClientOptions {
    let mut o = ClientOptions::new(seeds.iter().map(|h| addr(h)).collect());
    o.heartbeat_frequency = Duration::from_millis(500);
    o.connect_timeout = Duration::from_millis(1000);
    o.server_selection_timeout = Duration::from_secs(10);
    o
}

fn complete(t: &TopologyDescription, n: usize) -> bool {
    t.topology_type == TopologyType::ReplicaSetWithPrimary
        && t.servers.len() == n
        && t.servers.values().all(|s| {
            matches!(
                s.server_type,
                ServerType::RSPrimary | ServerType::RSSecondary
            )
        })
}

fn primary_of(t: &TopologyDescription) -> ServerAddress {
    t.servers
        .values()
        .find(|s| s.server_type == ServerType::RSPrimary)
        .map(|s| s.address.clone())
        .expect("a primary")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_every_member_from_any_single_seed() {
    let lab = start_lab("rs0", 3, 1).await;
    for host in lab.hosts() {
        let client = Client::connect(options(std::slice::from_ref(&host)))
            .await
            .unwrap();
        let t = wait_for(&client, "all three members", |t| complete(t, 3)).await;
        assert_eq!(t.set_name.as_deref(), Some("rs0"));
        for h in lab.hosts() {
            assert!(
                t.servers.contains_key(&addr(&h)),
                "{h} discovered from {host}"
            );
        }
        assert_eq!(primary_of(&t), addr(&lab.primary().unwrap()));
        client.shutdown().await;
    }
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_seeds_and_wrong_set_names_are_dropped() {
    let lab = start_lab("rs0", 3, 2).await;
    let other = start_lab("other", 1, 3).await;
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let p = l.local_addr().unwrap().port();
        format!("127.0.0.1:{p}")
    };
    let wrong = other.hosts()[0].clone();
    let mut seeds = vec![dead.clone(), wrong.clone()];
    seeds.push(lab.hosts()[2].clone());
    let mut o = options(&seeds);
    o.replica_set = Some("rs0".into());
    let client = Client::connect(o).await.unwrap();
    let t = wait_for(&client, "rs0 without the dead and the foreign seeds", |t| {
        complete(t, 3)
    })
    .await;
    assert!(
        !t.servers.contains_key(&addr(&dead)),
        "the closed port is not a member"
    );
    assert!(
        !t.servers.contains_key(&addr(&wrong)),
        "a member of set 'other' is dropped"
    );
    client.shutdown().await;
    other.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_connection_to_a_secondary_reads_from_it() {
    let lab = start_lab("rs0", 3, 4).await;
    let primary = lab.primary().unwrap();
    let secondary = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    let mut o = options(std::slice::from_ref(&secondary));
    o.direct_connection = Some(true);
    let client = Client::connect(o).await.unwrap();
    let t = wait_for(&client, "the secondary", |t| {
        t.servers
            .get(&addr(&secondary))
            .is_some_and(|s| s.server_type == ServerType::RSSecondary)
    })
    .await;
    assert_eq!(t.topology_type, TopologyType::Single);
    assert_eq!(
        t.servers.len(),
        1,
        "a direct connection never discovers the others"
    );
    // Even a primary read goes to the one server (with $readPreference primaryPreferred).
    let mut cursor = client
        .find(
            "test",
            "c",
            FindOptions::default(),
            &ReadPreference::primary(),
        )
        .await
        .unwrap();
    assert_eq!(cursor.server(), &addr(&secondary));
    assert_eq!(cursor.server_type(), ServerType::RSSecondary);
    while cursor.next().await.unwrap().is_some() {}
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_go_where_selection_says() {
    let lab = start_lab("rs0", 3, 5).await;
    let client = Client::connect(options(&lab.hosts())).await.unwrap();
    wait_for(&client, "all three", |t| complete(t, 3)).await;
    for i in 0..5 {
        client
            .insert_one("test", "c", doc! {"i": i}, doc! {"w": "majority"})
            .await
            .unwrap();
    }
    let t = client.topology();
    let primary = primary_of(&t);
    let cases = [
        (ReadPreferenceMode::Primary, Some(ServerType::RSPrimary)),
        (
            ReadPreferenceMode::PrimaryPreferred,
            Some(ServerType::RSPrimary),
        ),
        (ReadPreferenceMode::Secondary, Some(ServerType::RSSecondary)),
        (
            ReadPreferenceMode::SecondaryPreferred,
            Some(ServerType::RSSecondary),
        ),
        (ReadPreferenceMode::Nearest, None),
    ];
    for (mode, want) in cases {
        let rp = ReadPreference::new(mode);
        let mut cursor = client
            .find("test", "c", FindOptions::default(), &rp)
            .await
            .unwrap();
        if let Some(w) = want {
            assert_eq!(cursor.server_type(), w, "{mode}");
        }
        let selection = cursor.selection().unwrap();
        assert!(
            selection.in_window.contains(cursor.server()),
            "{mode}: chosen from the window"
        );
        drop(selection);
        let mut n = 0;
        while cursor.next().await.unwrap().is_some() {
            n += 1;
        }
        if mode == ReadPreferenceMode::Primary {
            assert_eq!(n, 5);
        }
    }
    // Tag sets: the first set matches nobody, the second names one secondary.
    let target = t
        .servers
        .values()
        .find(|s| s.server_type == ServerType::RSSecondary)
        .unwrap();
    let n = target.tags["n"].clone();
    let mut rp = ReadPreference::new(ReadPreferenceMode::Secondary);
    rp.tag_sets = vec![
        BTreeMap::from([("n".to_string(), "99".to_string())]),
        BTreeMap::from([("n".to_string(), n)]),
    ];
    for _ in 0..5 {
        let resp = client
            .run_command("test", doc! {"find": "c"}, &Criteria::Read(rp.clone()))
            .await
            .unwrap();
        assert_eq!(resp.server, target.address);
        assert_ne!(resp.server, primary);
    }
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn primary_killed_gives_lost_then_changed_and_reads_recover() {
    let lab = start_lab("rs0", 3, 6).await;
    let client = Client::connect(options(&lab.hosts())).await.unwrap();
    wait_for(&client, "all three", |t| complete(t, 3)).await;
    client
        .insert_one("test", "c", doc! {"x": 1}, doc! {"w": "majority"})
        .await
        .unwrap();
    let old = primary_of(&client.topology());
    let mut events = client.subscribe();

    // A read in flight on the primary (slowed down) when it dies is retried once elsewhere.
    lab.fault(&old.to_string(), Fault::Latency(700))
        .await
        .unwrap();
    let reader = {
        let c = client.clone();
        tokio::spawn(async move {
            c.find(
                "test",
                "c",
                FindOptions::default(),
                &ReadPreference::primary(),
            )
            .await
        })
    };
    // Kill it once the read holds a connection to it (its reply is 700 ms away).
    eventually(
        "the read running on the primary",
        Duration::from_secs(15),
        || client.connections_in_use(&old) > 0,
    )
    .await;
    lab.fault(&old.to_string(), Fault::Kill).await.unwrap();

    let mut lost = false;
    let new = tokio::time::timeout(Duration::from_secs(15), async {
        loop {
            let e = events.recv().await.unwrap();
            match e.event {
                SdamEvent::PrimaryLost { previous } => {
                    assert_eq!(previous, old);
                    lost = true;
                }
                SdamEvent::PrimaryChanged { new, .. } if new != old => {
                    assert!(lost, "PrimaryLost comes before PrimaryChanged");
                    return new;
                }
                _ => {}
            }
        }
    })
    .await
    .expect("a new primary within 15 s");
    assert_ne!(new, old);

    let cursor = reader
        .await
        .unwrap()
        .expect("the interrupted read succeeds after one retry");
    assert!(cursor.retried(), "the read was interrupted and retried");
    assert_eq!(cursor.server(), &new);
    drop(cursor);
    let resp = client
        .run_command(
            "test",
            doc! {"find": "c"},
            &Criteria::Read(ReadPreference::primary()),
        )
        .await
        .unwrap();
    assert_eq!(resp.server, new);
    assert_eq!(resp.server_type, ServerType::RSPrimary);
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_member_times_out_without_stalling_the_others() {
    let lab = start_lab("rs0", 3, 7).await;
    let mut o = options(&lab.hosts());
    o.server_monitoring_mode = ServerMonitoringMode::Poll;
    let client = Client::connect(o).await.unwrap();
    wait_for(&client, "all three", |t| complete(t, 3)).await;
    let primary = lab.primary().unwrap();
    let hung = lab.hosts().into_iter().find(|h| *h != primary).unwrap();
    lab.fault(&hung, Fault::Pause).await.unwrap();
    let t = wait_for(&client, "the hung member Unknown", |t| {
        t.servers
            .get(&addr(&hung))
            .is_some_and(|s| s.server_type == ServerType::Unknown)
    })
    .await;
    let err = t.servers[&addr(&hung)].error.clone().expect("an error");
    assert!(err.is_network_timeout(), "{err}");
    // The others stay known and usable.
    assert_eq!(
        t.servers[&addr(&primary)].server_type,
        ServerType::RSPrimary
    );
    let resp = client
        .run_command(
            "test",
            doc! {"find": "c"},
            &Criteria::Read(ReadPreference::new(ReadPreferenceMode::Secondary)),
        )
        .await
        .unwrap();
    assert_ne!(resp.server, addr(&hung));
    lab.fault(&hung, Fault::Resume).await.unwrap();
    wait_for(&client, "the member back", |t| complete(t, 3)).await;
    client.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn latency_moves_nearest_away_and_shutdown_leaves_nothing() {
    let lab = start_lab("rs0", 3, 8).await;
    let client = Client::connect(options(&lab.hosts())).await.unwrap();
    wait_for(&client, "all three", |t| complete(t, 3)).await;
    let slow = lab.hosts()[1].clone();
    lab.fault(&slow, Fault::Latency(100)).await.unwrap();
    wait_for(&client, "the slow member's RTT to grow", |t| {
        let slow_rtt = t.servers[&addr(&slow)].round_trip_time_ms.unwrap_or(0.0);
        t.servers
            .values()
            .filter(|s| s.address != addr(&slow))
            .all(|s| s.round_trip_time_ms.is_some_and(|r| r + 30.0 < slow_rtt))
    })
    .await;
    let nearest = Criteria::Read(ReadPreference::new(ReadPreferenceMode::Nearest));
    for _ in 0..20 {
        let s = client.select(&nearest).await.unwrap();
        assert_ne!(s.address, addr(&slow), "{}", s.explain);
    }
    let counter = client.task_counter();
    assert!(
        counter.live() >= 4,
        "worker + 3 monitors, got {}",
        counter.live()
    );
    client.shutdown().await;
    assert_eq!(counter.live(), 0, "no task left behind");
    lab.shutdown().await;
}
