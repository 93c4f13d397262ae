//! Server monitors, per the server-monitoring specification: one task per server checking it
//! with `hello`, plus (in streaming mode) a separate RTT task.
//!
//! - Poll mode: a check every heartbeatFrequencyMS; an immediate check when the worker asks,
//!   rate-limited to one per minHeartbeatFrequencyMS (500 ms).
//! - Stream mode (the server reported a `topologyVersion` and serverMonitoringMode allows it):
//!   an awaitable `hello` carrying `topologyVersion` and `maxAwaitTimeMS` with
//!   `exhaustAllowed`, then successive `moreToCome` replies, each becoming a new description as
//!   soon as it arrives. Round-trip times then come from the RTT task (its own connection, a
//!   `hello` every heartbeat), never from awaited replies.
//! - A network error on an established connection of a known server: the server is marked
//!   Unknown at once (the worker clears its pool) and the check is retried once immediately.
//!
//! Monitoring connections never authenticate. Heartbeat events go straight onto the event
//! channel; descriptions go to the topology worker.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bson::{doc, RawDocumentBuf};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinHandle;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerDescription, ServerType, TopologyVersion};
use crate::core::error::Error;
use crate::core::events::SdamEvent;
use crate::core::rtt::{next_average, MinRtt};
use crate::core::sdam::hello::ListCache;
use crate::net::connection::{Connection, ConnectionOptions};
use crate::net::pool::Pool;
use crate::net::worker::WorkerMsg;
use crate::net::{now_ms, EventBus, TaskCounter};

/// minHeartbeatFrequencyMS: immediate checks are never closer than this.
pub const MIN_HEARTBEAT_FREQUENCY: Duration = Duration::from_millis(500);

/// What every monitor of a client shares.
#[derive(Debug, Clone)]
pub struct MonitorSettings {
    /// connectTimeoutMS (also the read timeout of non-awaited checks) and appName.
    pub connection: ConnectionOptions,
    /// heartbeatFrequencyMS.
    pub heartbeat_frequency: Duration,
    /// serverMonitoringMode allows the streaming protocol.
    pub streaming_allowed: bool,
}

/// The running average and minimum RTT of one server, shared by its monitor and RTT task.
#[derive(Debug, Default)]
struct RttState {
    average: Option<f64>,
    min: MinRtt,
}

impl RttState {
    fn add(&mut self, sample_ms: f64) -> f64 {
        let avg = next_average(self.average, sample_ms);
        self.average = Some(avg);
        self.min.add(sample_ms);
        avg
    }
}

fn lock(rtt: &Mutex<RttState>) -> std::sync::MutexGuard<'_, RttState> {
    rtt.lock().unwrap_or_else(|p| p.into_inner())
}

/// The worker's handle on one monitor.
#[derive(Debug)]
pub struct MonitorHandle {
    check: Arc<Notify>,
    cancel: Arc<Notify>,
    stop: watch::Sender<bool>,
    join: JoinHandle<()>,
}

impl MonitorHandle {
    /// Asks for an immediate check (ignored while streaming: the server pushes changes).
    pub fn request_check(&self) {
        self.check.notify_one();
    }

    /// Cancels the check in progress: its connection is dropped and a new one is opened.
    pub fn cancel_check(&self) {
        self.cancel.notify_one();
    }

    /// Stops the monitor (and its RTT task) and waits for it to finish.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        drop(self.stop);
        let mut join = self.join;
        if tokio::time::timeout(Duration::from_secs(5), &mut join)
            .await
            .is_err()
        {
            join.abort();
        }
    }
}

/// Spawns the monitor of `address`.
pub(crate) fn spawn(
    address: ServerAddress,
    settings: MonitorSettings,
    pool: Arc<Pool>,
    to_worker: mpsc::UnboundedSender<WorkerMsg>,
    events: EventBus,
    tasks: TaskCounter,
) -> MonitorHandle {
    let check = Arc::new(Notify::new());
    let cancel = Arc::new(Notify::new());
    let (stop_tx, stop_rx) = watch::channel(false);
    let monitor = Monitor {
        address,
        settings,
        pool,
        to_worker,
        events,
        rtt: Arc::new(Mutex::new(RttState::default())),
        conn: None,
        topology_version: None,
        hello_ok: false,
        known: false,
        rtt_task: None,
        rtt_kick: Arc::new(Notify::new()),
        lists: ListCache::default(),
        tasks: tasks.clone(),
    };
    let guard = tasks.guard();
    let (c, k) = (Arc::clone(&check), Arc::clone(&cancel));
    let join = tokio::spawn(async move {
        let _guard = guard;
        monitor.run(c, k, stop_rx).await;
    });
    MonitorHandle {
        check,
        cancel,
        stop: stop_tx,
        join,
    }
}

/// Resolves when the stop flag is raised or its sender is gone.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    loop {
        if *stop.borrow_and_update() {
            return;
        }
        if stop.changed().await.is_err() {
            return;
        }
    }
}

struct Monitor {
    address: ServerAddress,
    settings: MonitorSettings,
    pool: Arc<Pool>,
    to_worker: mpsc::UnboundedSender<WorkerMsg>,
    events: EventBus,
    rtt: Arc<Mutex<RttState>>,
    /// The monitoring connection, once established.
    conn: Option<Connection>,
    /// The topologyVersion of the last successful reply (streaming needs it).
    topology_version: Option<TopologyVersion>,
    /// The server understands `hello` (it said `helloOk: true`).
    hello_ok: bool,
    /// The last check succeeded (the server is not Unknown as far as this monitor knows).
    known: bool,
    /// The RTT task, started when streaming starts.
    rtt_task: Option<(watch::Sender<bool>, JoinHandle<()>)>,
    /// Told of every streamed reply, so that the RTT task can measure in the same wake-up.
    rtt_kick: Arc<Notify>,
    /// The member lists of the last reply, reused while the server's lists do not change.
    lists: ListCache,
    tasks: TaskCounter,
}

/// One check's result.
struct CheckResult {
    reply: Result<RawDocumentBuf, Error>,
    /// Whether this was an awaited (streaming) check.
    awaited: bool,
    /// Whether the check ran on an already established connection.
    established: bool,
    /// Round trip of a non-awaited check, in ms.
    rtt_sample: Option<f64>,
}

impl Monitor {
    /// Publishes the event `event` builds, if anyone subscribed: with no receiver a broadcast
    /// drops it, so it is not even built.
    fn emit(&self, event: impl FnOnce() -> SdamEvent) {
        self.events.publish(true, event);
    }

    fn streaming(&self) -> bool {
        self.settings.streaming_allowed && self.topology_version.is_some() && self.hello_ok
    }

    async fn run(
        mut self,
        check: Arc<Notify>,
        cancel: Arc<Notify>,
        mut stop: watch::Receiver<bool>,
    ) {
        let mut retry_now = false;
        loop {
            let started = Instant::now();
            let result = tokio::select! {
                biased;
                _ = stopped(&mut stop) => break,
                _ = cancel.notified() => {
                    // An application error says the server is gone: start over on a new socket.
                    self.conn = None;
                    continue;
                }
                r = self.check() => r,
            };
            let was_known = self.known;
            let awaited = result.awaited;
            let previous_tv = self.topology_version.clone();
            let immediate = self.handle(result, was_known, &mut retry_now);
            if immediate {
                continue;
            }
            // Wait for the next check: none while streaming on a live connection...
            if self.streaming() && self.conn.is_some() {
                let pushed = self.conn.as_ref().is_some_and(|c| c.is_streaming());
                // ...unless a server answered an awaitable hello at once with nothing new and
                // without streaming: then keep to minHeartbeatFrequencyMS instead of spinning.
                if awaited && !pushed && previous_tv == self.topology_version {
                    let floor = started + MIN_HEARTBEAT_FREQUENCY;
                    tokio::select! {
                        biased;
                        _ = stopped(&mut stop) => break,
                        _ = tokio::time::sleep_until(floor.into()) => {}
                    }
                }
                continue;
            }
            let due = started + self.settings.heartbeat_frequency;
            tokio::select! {
                biased;
                _ = stopped(&mut stop) => break,
                _ = tokio::time::sleep_until(due.into()) => {}
                _ = check.notified() => {
                    let earliest = started + MIN_HEARTBEAT_FREQUENCY;
                    tokio::select! {
                        _ = stopped(&mut stop) => break,
                        _ = tokio::time::sleep_until(earliest.into()) => {}
                    }
                }
            }
        }
        self.conn = None;
        if let Some((tx, join)) = self.rtt_task.take() {
            let _ = tx.send(true);
            drop(tx);
            let _ = join.await;
        }
    }

    /// Publishes a check's outcome; returns true when the next check must start right away.
    fn handle(&mut self, result: CheckResult, was_known: bool, retry_now: &mut bool) -> bool {
        let now = now_ms();
        match result.reply {
            Ok(reply) => {
                *retry_now = false;
                let avg = {
                    let mut rtt = lock(&self.rtt);
                    match result.rtt_sample {
                        Some(s) => Some(rtt.add(s)),
                        None => rtt.average,
                    }
                };
                let mut sd = ServerDescription::from_raw_hello(
                    self.address.clone(),
                    Arc::new(reply),
                    &mut self.lists,
                    avg,
                    now,
                );
                sd.min_round_trip_time_ms = lock(&self.rtt).min.min();
                self.known = sd.server_type != ServerType::Unknown;
                // `helloOk` is negotiated by the handshake and holds for the connection: later
                // replies only echo it when asked, so they never turn it off.
                if sd.hello_ok {
                    self.hello_ok = true;
                    self.pool.set_use_hello(true);
                }
                self.topology_version = sd.topology_version.clone();
                if !self.known {
                    // An ok:0 hello: start over on a fresh connection next time.
                    self.conn = None;
                    self.topology_version = None;
                }
                let streamed = result.awaited && self.rtt_task.is_some();
                if self.streaming() && self.rtt_task.is_none() {
                    self.start_rtt_task();
                }
                let _ = self.to_worker.send(WorkerMsg::Monitor(Box::new(sd)));
                // After the worker was handed the reply: the worker runs first, so an RTT sample
                // taken in this wake-up never delays the news (a new primary) it may carry.
                if streamed {
                    self.rtt_kick.notify_one();
                }
                false
            }
            Err(error) => {
                self.conn = None;
                self.known = false;
                self.topology_version = None;
                lock(&self.rtt).average = None;
                lock(&self.rtt).min.reset();
                let network = error.is_network();
                let sd = ServerDescription::from_error(self.address.clone(), error, now);
                let _ = self.to_worker.send(WorkerMsg::Monitor(Box::new(sd)));
                // Server monitoring spec: a network error on an established connection of a known
                // server is retried once immediately (after marking it Unknown).
                if network && was_known && result.established && !*retry_now {
                    *retry_now = true;
                    true
                } else {
                    *retry_now = false;
                    false
                }
            }
        }
    }

    /// Runs one check and emits its heartbeat events.
    async fn check(&mut self) -> CheckResult {
        let connect_timeout = self.settings.connection.connect_timeout;
        let heartbeat = self.settings.heartbeat_frequency;
        let established = self.conn.is_some();
        let awaited = established && self.streaming();
        self.emit(|| SdamEvent::ServerHeartbeatStarted {
            address: self.address.clone(),
            awaited,
        });
        let started = Instant::now();
        let outcome: Result<(RawDocumentBuf, Option<f64>), Error> = match self.conn.as_mut() {
            None => {
                let opts = &self.settings.connection;
                match Connection::connect(&self.address, opts, 0, self.hello_ok).await {
                    Ok((c, hs)) => {
                        self.conn = Some(c);
                        RawDocumentBuf::from_document(&hs.reply)
                            .map(|raw| (raw, Some(hs.rtt_ms)))
                            .map_err(|e| Error::Protocol {
                                address: self.address.clone(),
                                message: format!("hello reply does not encode as BSON: {e}"),
                            })
                    }
                    Err(e) => Err(e),
                }
            }
            Some(conn) if conn.is_streaming() => conn
                .next_exhaust_raw(Some(connect_timeout + heartbeat))
                .await
                .map(|(body, _)| (body, None)),
            Some(conn) => {
                let mut cmd = if self.hello_ok {
                    doc! { "hello": 1 }
                } else {
                    doc! { "isMaster": 1 }
                };
                if awaited {
                    if let Some(tv) = &self.topology_version {
                        cmd.insert(
                            "topologyVersion",
                            doc! { "processId": tv.process_id, "counter": tv.counter },
                        );
                    }
                    cmd.insert("maxAwaitTimeMS", heartbeat.as_millis() as i64);
                }
                cmd.insert("$db", "admin");
                let timeout = if awaited {
                    connect_timeout + heartbeat
                } else {
                    connect_timeout
                };
                let t0 = Instant::now();
                conn.round_trip_raw(cmd, awaited, Some(timeout))
                    .await
                    .map(|(body, _)| {
                        let sample = (!awaited).then(|| t0.elapsed().as_secs_f64() * 1000.0);
                        (body, sample)
                    })
            }
        };
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        match outcome {
            Ok((reply, rtt_sample)) => {
                self.emit(|| SdamEvent::ServerHeartbeatSucceeded {
                    address: self.address.clone(),
                    duration_ms,
                    awaited,
                });
                CheckResult {
                    reply: Ok(reply),
                    awaited,
                    established,
                    rtt_sample,
                }
            }
            Err(error) => {
                self.emit(|| SdamEvent::ServerHeartbeatFailed {
                    address: self.address.clone(),
                    duration_ms,
                    error: error.clone(),
                    awaited,
                });
                CheckResult {
                    reply: Err(error),
                    awaited,
                    established,
                    rtt_sample: None,
                }
            }
        }
    }

    fn start_rtt_task(&mut self) {
        let (tx, rx) = watch::channel(false);
        let rtt = RttTask {
            address: self.address.clone(),
            settings: self.settings.clone(),
            rtt: Arc::clone(&self.rtt),
            to_worker: self.to_worker.clone(),
            kick: Arc::clone(&self.rtt_kick),
        };
        let guard = self.tasks.guard();
        let join = tokio::spawn(async move {
            let _guard = guard;
            rtt.run(rx).await;
        });
        self.rtt_task = Some((tx, join));
    }
}

/// The RTT monitor of the streaming protocol: its own connection, one `hello` per heartbeat.
///
/// A sample is due a heartbeat after the previous one. When the main monitor's streamed reply
/// (which the server sends about once per heartbeat) arrives in the last tenth of that wait, the
/// sample is taken at once, in the wake-up that reply caused: an idle process then wakes for
/// each member's streamed reply and RTT reply, not also for a timer of its own per member.
struct RttTask {
    address: ServerAddress,
    settings: MonitorSettings,
    rtt: Arc<Mutex<RttState>>,
    to_worker: mpsc::UnboundedSender<WorkerMsg>,
    kick: Arc<Notify>,
}

impl RttTask {
    async fn run(self, mut stop: watch::Receiver<bool>) {
        let mut conn: Option<Connection> = None;
        // The check that started streaming has just measured a round trip: the first sample of
        // this task is due one heartbeat later, like every later one. (Opening its connection
        // at once would double the connections and handshakes of a client's first moments, when
        // every member of a large set is being checked for the first time.)
        let first = Instant::now() + self.settings.heartbeat_frequency;
        if self.wait_until(first, &mut stop).await.is_err() {
            return;
        }
        loop {
            let started = Instant::now();
            let sample = tokio::select! {
                biased;
                _ = stopped(&mut stop) => return,
                s = Self::measure(&self.address, &self.settings, &mut conn) => s,
            };
            if let Some(sample) = sample {
                let (average_ms, min_ms) = {
                    let mut r = lock(&self.rtt);
                    let avg = r.add(sample);
                    (avg, r.min.min())
                };
                let _ = self.to_worker.send(WorkerMsg::Rtt {
                    address: self.address.clone(),
                    average_ms,
                    min_ms,
                });
            }
            let due = started + self.settings.heartbeat_frequency;
            if self.wait_until(due, &mut stop).await.is_err() {
                return;
            }
        }
    }

    /// Waits until `due`, or until a streamed reply arrives less than a tenth of a heartbeat
    /// before it; `Err` when the monitor stops.
    async fn wait_until(&self, due: Instant, stop: &mut watch::Receiver<bool>) -> Result<(), ()> {
        let early = due - self.settings.heartbeat_frequency / 10;
        let kicked = async {
            loop {
                self.kick.notified().await;
                // A reply that came sooner (or a permit left from one) does not count.
                if Instant::now() >= early {
                    break;
                }
            }
        };
        tokio::select! {
            biased;
            _ = stopped(stop) => Err(()),
            _ = tokio::time::sleep_until(due.into()) => Ok(()),
            _ = kicked => Ok(()),
        }
    }

    /// One RTT sample; errors just drop the connection (the main monitor reports failures).
    async fn measure(
        address: &ServerAddress,
        settings: &MonitorSettings,
        conn: &mut Option<Connection>,
    ) -> Option<f64> {
        match conn {
            None => match Connection::connect(address, &settings.connection, 0, true).await {
                Ok((c, hs)) => {
                    *conn = Some(c);
                    Some(hs.rtt_ms)
                }
                Err(_) => None,
            },
            Some(c) => {
                let t0 = Instant::now();
                // The reply only times the round trip: it is never decoded.
                match c
                    .round_trip_raw(
                        doc! { "hello": 1, "$db": "admin" },
                        false,
                        Some(settings.connection.connect_timeout),
                    )
                    .await
                {
                    Ok(_) => Some(t0.elapsed().as_secs_f64() * 1000.0),
                    Err(_) => {
                        *conn = None;
                        None
                    }
                }
            }
        }
    }
}
