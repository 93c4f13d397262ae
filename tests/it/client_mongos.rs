//! The client against the lab's mongos routers: discovery of a Sharded topology from router seed
//! lists, selection among routers (latency window), `$readPreference` forwarding, router
//! failover with a retried read, all routers down, and a non-mongos in a router seed list.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::util::wait_for;
use bson::{doc, Document};
use rsctl::client::{Client, ClientOptions, FindOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerType, TopologyDescription, TopologyType};
use rsctl::core::read_pref::{ReadPreference, ReadPreferenceMode};
use rsctl::core::selection::Criteria;
use rsctl::lab::cluster::Fault;
use rsctl::lab::server::Lab;
use rsctl::Error;

use crate::util::eventually;

/// Upper bound for anything we wait on (a guard against hanging, not a timing assertion).
const PATIENCE: Duration = Duration::from_secs(20);

async fn lab_with_routers(n: usize) -> Lab {
    let lab = Lab::start(crate::util::fast_lab_config(3, 5))
        .await
        .unwrap();
    lab.initiate(&[], false).await.unwrap();
    let routers = lab.start_routers(n, 0).await.unwrap();
    assert_eq!(routers.len(), n);
    assert_eq!(lab.routers(), routers);
    lab
}

fn addresses(hosts: &[String]) -> Vec<ServerAddress> {
    hosts
        .iter()
        .map(|h| ServerAddress::parse(h).unwrap())
        .collect()
}

async fn client(hosts: &[String]) -> Client {
    let mut o = ClientOptions::new(addresses(hosts));
    o.heartbeat_frequency = Duration::from_millis(500);
    o.server_selection_timeout = Duration::from_secs(5);
    Client::connect(o).await.unwrap()
}

fn mongos_count(t: &TopologyDescription) -> usize {
    t.servers
        .values()
        .filter(|s| s.server_type == ServerType::Mongos)
        .count()
}

async fn read_one(client: &Client, rp: ReadPreference) -> rsctl::Result<rsctl::client::Cursor> {
    client.find("test", "c", FindOptions::default(), &rp).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_single_router_seed_forms_a_sharded_topology() {
    let lab = lab_with_routers(3).await;
    let r0 = lab.routers()[0].clone();
    let c = client(std::slice::from_ref(&r0)).await;
    wait_for(&c, "the router as a mongos", |t| mongos_count(t) == 1).await;
    let t = c.topology();
    assert_eq!(t.topology_type, TopologyType::Sharded);
    // mongos does not report other hosts: only the seed is monitored.
    assert_eq!(t.servers.len(), 1);
    let r = c
        .run_command("admin", doc! {"ping": 1}, &Criteria::Write)
        .await
        .unwrap();
    assert_eq!(r.server.to_string(), r0);
    assert_eq!(r.server_type, ServerType::Mongos);
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_router_seed_list_reads_and_writes_through_routers() {
    let lab = lab_with_routers(3).await;
    let c = client(&lab.routers()).await;
    wait_for(&c, "three mongos", |t| mongos_count(t) == 3).await;
    assert_eq!(c.topology().topology_type, TopologyType::Sharded);
    for i in 0..5 {
        let w = c
            .insert_one("test", "c", doc! {"_id": i}, doc! {"w": "majority"})
            .await
            .unwrap();
        assert_eq!(w.server_type, ServerType::Mongos);
        assert!(lab.routers().contains(&w.server.to_string()));
        let f = lab.router_last_forward(&w.server.to_string()).unwrap();
        assert_eq!(f.command, "insert");
        assert_eq!(f.served_by, lab.primary());
    }
    // A cursor through a router: getMore follows the shard member that opened it.
    let mut cursor = c
        .find(
            "test",
            "c",
            FindOptions {
                batch_size: Some(2),
                sort: Some(doc! {"_id": 1}),
                ..Default::default()
            },
            &ReadPreference::primary(),
        )
        .await
        .unwrap();
    assert_eq!(cursor.server_type(), ServerType::Mongos);
    let mut ids = Vec::new();
    while let Some(d) = cursor.next().await.unwrap() {
        ids.push(d.get_i32("_id").unwrap());
    }
    assert_eq!(ids, vec![0, 1, 2, 3, 4]);
    // listShards names the set and every member.
    let r = c
        .run_command("admin", doc! {"listShards": 1}, &Criteria::Write)
        .await
        .unwrap();
    let shards = r.reply.get_array("shards").unwrap();
    let shard = shards[0].as_document().unwrap();
    assert_eq!(shard.get_str("_id").unwrap(), "rs0");
    assert_eq!(
        shard.get_str("host").unwrap(),
        format!("rs0/{}", lab.seed_list())
    );
    drop(cursor);
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_preference_is_forwarded_to_the_router() {
    let lab = lab_with_routers(2).await;
    let c = client(&lab.routers()).await;
    wait_for(&c, "two mongos", |t| mongos_count(t) == 2).await;
    c.insert_one("test", "c", doc! {"x": 1}, doc! {"w": 3})
        .await
        .unwrap();
    // primary: no $readPreference; the router reads from the primary.
    let cur = read_one(&c, ReadPreference::primary()).await.unwrap();
    let f = lab
        .router_last_forward(&cur.server().to_string())
        .expect("forwarded");
    assert_eq!(f.read_preference, None);
    assert_eq!(f.served_by, lab.primary());
    assert_eq!(cur.selected().read_preference_sent(), None);
    // secondary: sent as $readPreference, served by a secondary.
    let rp = ReadPreference::new(ReadPreferenceMode::Secondary);
    let cur = read_one(&c, rp.clone()).await.unwrap();
    let f = lab.router_last_forward(&cur.server().to_string()).unwrap();
    assert_eq!(f.read_preference, Some(doc! {"mode": "secondary"}));
    assert!(f.served_by.is_some());
    assert_ne!(f.served_by, lab.primary());
    assert_eq!(cur.selected().read_preference_sent(), Some(rp));
    // secondaryPreferred without tags or maxStaleness: also sent (OP_MSG has no secondaryOk bit).
    let cur = read_one(
        &c,
        ReadPreference::new(ReadPreferenceMode::SecondaryPreferred),
    )
    .await
    .unwrap();
    let f = lab.router_last_forward(&cur.server().to_string()).unwrap();
    assert_eq!(f.read_preference, Some(doc! {"mode": "secondaryPreferred"}));
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_router_in_use_moves_reads_to_another_router() {
    let lab = lab_with_routers(3).await;
    let c = client(&lab.routers()).await;
    wait_for(&c, "three mongos", |t| mongos_count(t) == 3).await;
    let cur = read_one(&c, ReadPreference::primary()).await.unwrap();
    let used = cur.server().clone();
    drop(cur);
    lab.fault(&used.to_string(), Fault::Kill).await.unwrap();
    assert!(!lab.router_view(&used.to_string()).unwrap().up);
    // The very next read succeeds, through another router.
    let cur = read_one(&c, ReadPreference::primary()).await.unwrap();
    assert_ne!(cur.server(), &used);
    assert_eq!(cur.server_type(), ServerType::Mongos);
    drop(cur);
    // The dead router is Unknown, with its error.
    wait_for(&c, "the killed router Unknown", |t| {
        t.servers
            .get(&used)
            .is_some_and(|s| s.server_type == ServerType::Unknown && s.error.is_some())
    })
    .await;
    // Reads keep avoiding it; after a restart it comes back as a mongos.
    for _ in 0..5 {
        let cur = read_one(&c, ReadPreference::primary()).await.unwrap();
        assert_ne!(cur.server(), &used);
    }
    lab.fault(&used.to_string(), Fault::Start).await.unwrap();
    wait_for(&c, "the restarted router back", |t| mongos_count(t) == 3).await;
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_on_a_router_that_dies_is_retried_on_another() {
    let lab = lab_with_routers(2).await;
    let c = client(&lab.routers()).await;
    wait_for(&c, "two mongos", |t| mongos_count(t) == 2).await;
    // Pause both routers' replies... rather: pause the one the next read goes to is unknowable,
    // so pause router 0 and make router 1 slower than the window: selection picks router 0.
    let routers = lab.routers();
    lab.fault(&routers[1], Fault::Latency(150)).await.unwrap();
    let r1 = ServerAddress::parse(&routers[1]).unwrap();
    let r0 = ServerAddress::parse(&routers[0]).unwrap();
    wait_for(&c, "router 1 out of the latency window", |t| {
        let rtt = |a: &ServerAddress| t.servers.get(a).and_then(|s| s.round_trip_time_ms);
        matches!((rtt(&r0), rtt(&r1)), (Some(a), Some(b)) if b > a + 50.0)
    })
    .await;
    // A first read leaves a pooled connection to router 0, so that the next one needs no new
    // handshake once router 0 stops answering.
    let warm = read_one(&c, ReadPreference::primary()).await.unwrap();
    assert_eq!(warm.server(), &r0);
    drop(warm);
    lab.fault(&routers[0], Fault::Pause).await.unwrap();
    // The read goes to router 0 (the only one in the window), which hangs and is then killed:
    // the read fails with a network error and is retried once on router 1.
    let read = {
        let c = c.clone();
        tokio::spawn(async move { read_one(&c, ReadPreference::primary()).await })
    };
    eventually("the read waiting on router 0", PATIENCE, || {
        c.connections_in_use(&r0) > 0
    })
    .await;
    lab.fault(&routers[0], Fault::Kill).await.unwrap();
    let cur = tokio::time::timeout(PATIENCE, read)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(cur.server(), &r1);
    assert!(cur.retried(), "the read was retried after the router died");
    drop(cur);
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_routers_down_fails_selection_naming_every_router() {
    let lab = lab_with_routers(3).await;
    let mut o = ClientOptions::new(addresses(&lab.routers()));
    o.heartbeat_frequency = Duration::from_millis(500);
    o.server_selection_timeout = Duration::from_millis(1500);
    let c = Client::connect(o).await.unwrap();
    wait_for(&c, "three mongos", |t| mongos_count(t) == 3).await;
    for r in lab.routers() {
        lab.fault(&r, Fault::Kill).await.unwrap();
    }
    wait_for(&c, "every router Unknown", |t| mongos_count(t) == 0).await;
    let err = read_one(&c, ReadPreference::primary()).await.unwrap_err();
    let Error::ServerSelection { message } = &err else {
        panic!("expected a selection error, got {err:?}");
    };
    for r in lab.routers() {
        assert!(message.contains(&r), "{r} missing from: {message}");
    }
    assert!(message.contains("error:"), "{message}");
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_router_leaves_the_latency_window() {
    let lab = lab_with_routers(3).await;
    let c = client(&lab.routers()).await;
    wait_for(&c, "three mongos", |t| mongos_count(t) == 3).await;
    let slow = lab.routers()[2].clone();
    let slow_addr = ServerAddress::parse(&slow).unwrap();
    lab.fault(&slow, Fault::Latency(120)).await.unwrap();
    wait_for(&c, "the slow router's RTT above the window", |t| {
        let min = t
            .servers
            .values()
            .filter(|s| s.address != slow_addr)
            .filter_map(|s| s.round_trip_time_ms)
            .fold(f64::INFINITY, f64::min);
        t.servers
            .get(&slow_addr)
            .and_then(|s| s.round_trip_time_ms)
            .is_some_and(|r| r > min + 15.0 + 20.0)
    })
    .await;
    let mut served = std::collections::BTreeSet::new();
    for _ in 0..20 {
        let r = c
            .run_command(
                "test",
                doc! {"count": "c"},
                &Criteria::Read(ReadPreference::primary()),
            )
            .await
            .unwrap();
        served.insert(r.server.to_string());
    }
    assert!(!served.contains(&slow), "served by {served:?}");
    assert!(!served.is_empty());
    c.shutdown().await;
    lab.shutdown().await;
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// Single-threaded so that the default subscriber of this thread sees the worker's warning.
#[tokio::test(flavor = "current_thread")]
async fn a_non_mongos_in_a_router_seed_list_is_dropped_with_a_warning() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let lab = lab_with_routers(2).await;
    let member = lab.hosts()[1].clone();
    // The member answers late, so the routers settle the topology type first.
    lab.fault(&member, Fault::Latency(300)).await.unwrap();
    let mut seeds = lab.routers();
    seeds.push(member.clone());
    let c = client(&seeds).await;
    let member_addr = ServerAddress::parse(&member).unwrap();
    wait_for(&c, "the member removed", |t| {
        t.topology_type == TopologyType::Sharded
            && mongos_count(t) == 2
            && !t.servers.contains_key(&member_addr)
    })
    .await;
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains(&member) && log.contains("not a mongos"),
        "log: {log}"
    );
    // Reads only ever go through the routers.
    let r = c
        .run_command(
            "test",
            doc! {"count": "c"},
            &Criteria::Read(ReadPreference::primary()),
        )
        .await
        .unwrap();
    assert_eq!(r.server_type, ServerType::Mongos);
    c.shutdown().await;
    lab.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routers_answer_hello_like_mongos_and_refuse_replica_set_commands() {
    let lab = lab_with_routers(1).await;
    let r = lab.routers()[0].clone();
    let c = client(std::slice::from_ref(&r)).await;
    wait_for(&c, "one mongos", |t| mongos_count(t) == 1).await;
    let addr = ServerAddress::parse(&r).unwrap();
    let hello: Document = c
        .run_command_on(&addr, "admin", doc! {"hello": 1})
        .await
        .unwrap();
    assert!(hello.get_bool("isWritablePrimary").unwrap());
    assert_eq!(hello.get_str("msg").unwrap(), "isdbgrid");
    assert!(hello.get("setName").is_none() && hello.get("hosts").is_none());
    assert!(hello.get_document("topologyVersion").is_ok());
    assert!(hello.get_i32("maxWireVersion").unwrap() >= 17);
    let bi = c
        .run_command_on(&addr, "admin", doc! {"buildInfo": 1})
        .await
        .unwrap();
    assert!(bi.get_str("version").is_ok());
    let err = c
        .run_command_on(&addr, "admin", doc! {"replSetGetStatus": 1})
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(59));
    // A paused router holds its replies; a resumed one answers again.
    lab.fault(&r, Fault::Pause).await.unwrap();
    let held = tokio::time::timeout(
        Duration::from_millis(300),
        c.run_command_on(&addr, "admin", doc! {"ping": 1}),
    )
    .await;
    assert!(held.is_err(), "a paused router answered");
    lab.fault(&r, Fault::Resume).await.unwrap();
    c.run_command_on(&addr, "admin", doc! {"ping": 1})
        .await
        .unwrap();
    // Routers take socket faults only.
    assert!(lab.fault(&r, Fault::Partition).await.is_err());
    c.shutdown().await;
    lab.shutdown().await;
}
