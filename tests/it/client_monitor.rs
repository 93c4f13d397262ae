//! Monitors and the client against the scripted fake server: discovery of a single server,
//! the streaming protocol's awaitable hello, heartbeat events, the immediate retry after a
//! network error on an established connection, and selection timeouts that describe what was
//! seen. (Replica-set behaviour is tested against the lab in `client_lab.rs`.)

use std::time::Duration;

use crate::util::fake::{self, Step};
use crate::util::wait_for;
use bson::doc;
use rsctl::client::{Client, ClientOptions};
use rsctl::core::address::ServerAddress;
use rsctl::core::description::{ServerType, TopologyDescription};
use rsctl::core::events::SdamEvent;
use rsctl::core::read_pref::ReadPreference;
use rsctl::core::selection::Criteria;
use rsctl::core::uri::ServerMonitoringMode;
use rsctl::error::Error;

const LIFE: Duration = Duration::from_secs(15);

fn options(port: u16, mode: ServerMonitoringMode) -> ClientOptions {
    let mut o = ClientOptions::new(vec![ServerAddress::new("127.0.0.1", port)]);
    o.direct_connection = Some(true);
    o.heartbeat_frequency = Duration::from_millis(500);
    o.connect_timeout = Duration::from_millis(800);
    o.server_selection_timeout = Duration::from_secs(3);
    o.server_monitoring_mode = mode;
    o
}

fn server_type(t: &TopologyDescription, port: u16) -> ServerType {
    t.servers[&ServerAddress::new("127.0.0.1", port)].server_type
}

#[tokio::test]
async fn poll_mode_discovers_then_marks_unknown_and_retries_once() {
    // Connection 1: handshake, one poll, then the socket closes.
    // Connection 2 (the immediate retry): answers again.
    let mut f = fake::start_with(
        |port| {
            let hello = fake::hello_primary(port);
            vec![
                vec![
                    Step::Reply(hello.clone()),
                    Step::Reply(hello.clone()),
                    Step::Close,
                ],
                vec![
                    Step::Reply(hello.clone()),
                    Step::Reply(hello.clone()),
                    Step::Reply(hello.clone()),
                ],
            ]
        },
        LIFE,
    )
    .await;
    let client = Client::connect(options(f.port, ServerMonitoringMode::Poll))
        .await
        .unwrap();
    let mut events = client.subscribe();
    wait_for(&client, "RSPrimary", |t| {
        server_type(t, f.port) == ServerType::RSPrimary
    })
    .await;
    let t = wait_for(&client, "Unknown after the close", |t| {
        server_type(t, f.port) == ServerType::Unknown
    })
    .await;
    let sd = &t.servers[&ServerAddress::new("127.0.0.1", f.port)];
    assert!(
        sd.error.as_ref().is_some_and(|e| e.is_network()),
        "{:?}",
        sd.error
    );
    // The retry happens at once on a new connection, and the server is known again.
    wait_for(&client, "RSPrimary again", |t| {
        server_type(t, f.port) == ServerType::RSPrimary
    })
    .await;
    // The first message of each connection was the legacy isMaster; polls used hello.
    let (legacy, first) = f.seen.recv().await.unwrap();
    assert!(legacy && first.contains_key("isMaster"));
    let (legacy, second) = f.seen.recv().await.unwrap();
    assert!(!legacy && second.contains_key("hello"), "{second:?}");
    assert!(
        !second.contains_key("maxAwaitTimeMS"),
        "poll mode never awaits"
    );
    // Heartbeat events were published, none awaited.
    let mut started = 0;
    let mut failed = 0;
    while let Ok(e) = events.try_recv() {
        match e.event {
            SdamEvent::ServerHeartbeatStarted { awaited, .. } => {
                assert!(!awaited);
                started += 1;
            }
            SdamEvent::ServerHeartbeatFailed { awaited, .. } => {
                assert!(!awaited);
                failed += 1;
            }
            _ => {}
        }
    }
    assert!(
        started >= 2 && failed >= 1,
        "started {started}, failed {failed}"
    );
    client.shutdown().await;
}

/// The heartbeat interval of the streaming test (also its maxAwaitTimeMS).
const HEARTBEAT: Duration = Duration::from_secs(20);

#[tokio::test]
async fn stream_mode_sends_awaitable_hello_and_reads_more_to_come() {
    let mut f = fake::start_with(
        |port| {
            let hello = fake::hello_primary(port);
            // Streamed replies do not echo helloOk (it was negotiated by the handshake).
            let mut streamed = hello.clone();
            streamed.remove("helloOk");
            let mut secondary = streamed.clone();
            secondary.insert("isWritablePrimary", false);
            secondary.insert("secondary", true);
            // The state change comes with a new topologyVersion, as a server would send it.
            let pid = hello
                .get_document("topologyVersion")
                .unwrap()
                .get_object_id("processId")
                .unwrap();
            secondary.insert("topologyVersion", doc! {"processId": pid, "counter": 1i64});
            let mut last = secondary.clone();
            last.insert("topologyVersion", doc! {"processId": pid, "counter": 2i64});
            vec![
                vec![
                    Step::Reply(hello.clone()),
                    Step::Stream(vec![streamed.clone(), secondary.clone(), last.clone()]),
                    Step::Stream(vec![secondary.clone()]),
                    Step::Hang(Duration::from_secs(5)),
                ],
                // Further connections (the RTT task's): a handshake, then silence.
                vec![
                    Step::Reply(hello.clone()),
                    Step::Hang(Duration::from_secs(5)),
                ],
            ]
        },
        LIFE,
    )
    .await;
    // A long heartbeat interval: a monitor that went back to polling would wait all of it, so
    // "sent at once" below is told apart from polling by 20 s, not by a few milliseconds.
    let mut opts = options(f.port, ServerMonitoringMode::Stream);
    opts.heartbeat_frequency = HEARTBEAT;
    let client = Client::connect(opts).await.unwrap();
    let mut events = client.subscribe();
    wait_for(&client, "RSPrimary", |t| {
        server_type(t, f.port) == ServerType::RSPrimary
    })
    .await;
    // The streamed replies turn it into a secondary without any new request.
    wait_for(&client, "RSSecondary", |t| {
        server_type(t, f.port) == ServerType::RSSecondary
    })
    .await;
    let (_, _) = f.seen.recv().await.unwrap();
    let (legacy, awaitable) = f.seen.recv().await.unwrap();
    assert!(!legacy);
    assert!(awaitable.contains_key("topologyVersion"), "{awaitable:?}");
    assert_eq!(
        awaitable.get_i64("maxAwaitTimeMS").unwrap(),
        HEARTBEAT.as_millis() as i64
    );
    // After a stream ends, the monitor keeps streaming: the next request is awaitable again,
    // sent at once (a polling monitor would wait for heartbeatFrequencyMS, 20 s).
    // (Other connections, e.g. the RTT task's, send handshakes and plain hellos: skip those.)
    let again = tokio::time::timeout(HEARTBEAT / 2, async {
        loop {
            let (_, cmd) = f.seen.recv().await.unwrap();
            if cmd.contains_key("maxAwaitTimeMS") {
                return cmd;
            }
        }
    })
    .await;
    assert!(
        again.is_ok(),
        "the monitor went back to polling after a stream ended"
    );
    let mut awaited = false;
    while let Ok(e) = events.try_recv() {
        if let SdamEvent::ServerHeartbeatSucceeded { awaited: true, .. } = e.event {
            awaited = true;
        }
    }
    assert!(awaited, "streamed replies are awaited heartbeats");
    let counter = client.task_counter();
    assert!(counter.live() >= 2, "worker + monitor at least");
    client.shutdown().await;
    assert_eq!(counter.live(), 0, "shutdown leaves no task behind");
}

#[tokio::test]
async fn selection_timeout_names_criteria_and_servers() {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    let mut o = options(port, ServerMonitoringMode::Poll);
    o.direct_connection = None;
    o.server_selection_timeout = Duration::from_millis(700);
    let client = Client::connect(o).await.unwrap();
    let err = client
        .select(&Criteria::Read(ReadPreference::primary()))
        .await
        .unwrap_err();
    let Error::ServerSelection { message } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("mode primary"), "{message}");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
    assert!(message.contains("Unknown"), "{message}");
    assert!(
        message.contains("error"),
        "the last error is listed: {message}"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn dropping_the_last_handle_stops_everything() {
    let f = fake::start_with(
        |port| {
            let hello = fake::hello_primary(port);
            vec![vec![
                Step::Reply(hello.clone()),
                Step::Reply(hello.clone()),
                Step::Reply(hello),
            ]]
        },
        LIFE,
    )
    .await;
    let client = Client::connect(options(f.port, ServerMonitoringMode::Poll))
        .await
        .unwrap();
    wait_for(&client, "RSPrimary", |t| {
        server_type(t, f.port) == ServerType::RSPrimary
    })
    .await;
    let counter = client.task_counter();
    let second = client.clone();
    drop(client);
    assert!(counter.live() > 0, "a clone keeps the client alive");
    drop(second);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while counter.live() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(counter.live(), 0);
}

#[tokio::test]
async fn run_command_reports_command_errors() {
    // Connection 1 is the monitor's (it hangs after the handshake, poll mode then times out
    // later); connection 2 is the application's.
    let f = fake::start_with(
        |port| {
            let hello = fake::hello_primary(port);
            vec![
                vec![Step::Reply(hello.clone()), Step::Hang(Duration::from_secs(10))],
                vec![
                    Step::Reply(hello.clone()),
                    Step::Reply(doc! {"ok": 0, "code": 59, "codeName": "CommandNotFound", "errmsg": "no such command: 'frobnicate'"}),
                ],
            ]
        },
        LIFE,
    )
    .await;
    let client = Client::connect(options(f.port, ServerMonitoringMode::Poll))
        .await
        .unwrap();
    let err = client
        .run_command(
            "admin",
            doc! {"frobnicate": 1},
            &Criteria::Read(ReadPreference::primary()),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some(59), "{err:?}");
    assert!(err.to_string().contains("frobnicate"));
    client.shutdown().await;
}

#[tokio::test]
async fn reads_are_retried_once_and_writes_never() {
    let mut f = fake::start_with(
        |port| {
            let hello = fake::hello_primary(port);
            let respond = fake::Responder(std::sync::Arc::new(move |cmd: &bson::Document| {
                if cmd.contains_key("hello") || cmd.contains_key("isMaster") {
                    Some(hello.clone())
                } else {
                    None // every operation dies with its connection
                }
            }));
            vec![vec![Step::Respond(respond); 200]]
        },
        LIFE,
    )
    .await;
    let client = Client::connect(options(f.port, ServerMonitoringMode::Poll))
        .await
        .unwrap();
    let err = client
        .find(
            "test",
            "c",
            rsctl::client::FindOptions::default(),
            &ReadPreference::primary(),
        )
        .await
        .unwrap_err();
    assert!(err.is_network(), "{err:?}");
    let err = client
        .insert_one("test", "c", doc! {"x": 1}, doc! {})
        .await
        .unwrap_err();
    assert!(err.is_network(), "{err:?}");
    client.shutdown().await;
    let (mut finds, mut inserts) = (0, 0);
    while let Ok((_, cmd)) = f.seen.try_recv() {
        finds += cmd.contains_key("find") as usize;
        inserts += cmd.contains_key("insert") as usize;
    }
    assert_eq!(finds, 2, "a read is tried, then retried exactly once");
    assert_eq!(inserts, 1, "a write is never retried");
}
