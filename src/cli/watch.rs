//! `rsctl failover-watch`: stream what the client's monitors see (one line or JSON object per
//! event), optionally probe with majority writes to measure outages, and summarise at the end.

use std::time::Duration;

use std::time::{SystemTime, UNIX_EPOCH};

use bson::doc;
use tokio::sync::mpsc;

use crate::client::Client;
use crate::core::events::SdamEvent;

use super::output::{Format, Stdout, Style};
use super::render::{WatchEvent, WatchLine};
use super::track::{ProbeTracker, Tracker};
use super::{session, Context};

/// Arguments of `rsctl failover-watch`.
#[derive(Debug, Clone, clap::Args)]
pub struct WatchArgs {
    /// Stop after this long (default: until Ctrl-C).
    #[arg(long, value_name = "DUR", value_parser = super::parse_duration)]
    pub duration: Option<Duration>,
    /// Write a small document with w:"majority" every probe interval and report outages.
    #[arg(long)]
    pub probe: bool,
    /// Interval between probe writes.
    #[arg(long, value_name = "DUR", default_value = "100ms", value_parser = super::parse_duration)]
    pub probe_interval: Duration,
    /// A probe write not acknowledged within this counts as failed (and is abandoned).
    #[arg(long, value_name = "DUR", default_value = "500ms", value_parser = super::parse_duration)]
    pub probe_timeout: Duration,
    /// Namespace the probe writes into.
    #[arg(long, value_name = "DB.COLLECTION", default_value = "rsctl.probe")]
    pub probe_ns: String,
    /// Report a member's RTT when it moves by more than this.
    #[arg(long, value_name = "DUR", default_value = "50ms", value_parser = super::parse_duration)]
    pub rtt_threshold: Duration,
}

/// How long the watch waits for every member's first check before printing the topology.
const SETTLE: Duration = Duration::from_secs(2);
/// How often, at most, failover-watch reads RTT changes (`rtt` events) from the snapshot.
const RTT_EVERY: Duration = Duration::from_millis(500);

pub(super) fn epoch_ms(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(super) fn now_ms() -> i64 {
    epoch_ms(SystemTime::now())
}

/// The result of one probe write.
#[derive(Debug)]
pub(super) struct ProbeResult {
    pub(super) started_ms: i64,
    pub(super) finished_ms: i64,
    pub(super) error: Option<String>,
    /// Who acknowledged the write (the router in use, through mongos).
    server: Option<String>,
    /// The server refused the write for want of (valid) credentials: the watch ends with it.
    refused: Option<String>,
}

/// At most this many abandoned probe writes may still be running; beyond it, attempts are skipped
/// (and counted as failed) rather than piling up connections on a struggling primary.
const MAX_ABANDONED: usize = 16;

/// Writes one small document with w:"majority" every `interval`. An attempt not acknowledged
/// within `attempt_timeout` counts as failed. The write itself is not cancelled (cancelling an
/// in-flight command would strand its reply on a pooled connection): it runs on in its own task
/// and its late result is ignored.
pub(super) async fn probe_loop(
    client: Client,
    db: String,
    coll: String,
    interval: Duration,
    attempt_timeout: Duration,
    tx: mpsc::Sender<ProbeResult>,
) {
    let mut n: i64 = 0;
    let mut next = tokio::time::Instant::now();
    let mut abandoned: Vec<tokio::task::JoinHandle<()>> = Vec::new();
    loop {
        tokio::time::sleep_until(next).await;
        next += interval;
        n += 1;
        abandoned.retain(|h| !h.is_finished());
        let started_ms = now_ms();
        let mut server = None;
        let mut refused = None;
        let error = if abandoned.len() >= MAX_ABANDONED {
            Some(format!(
                "{} earlier probe writes are still unacknowledged",
                abandoned.len()
            ))
        } else {
            let (task_client, task_db, task_coll) = (client.clone(), db.clone(), coll.clone());
            let doc = doc! { "n": n, "at": bson::DateTime::from_millis(started_ms) };
            let wc = doc! { "w": "majority", "wtimeout": attempt_timeout.as_millis() as i64 };
            let (done_tx, done_rx) = tokio::sync::oneshot::channel();
            let task = tokio::spawn(async move {
                let r = task_client.insert_one(&task_db, &task_coll, doc, wc).await;
                let _ = done_tx.send(r.map(|resp| resp.server.to_string()));
            });
            match tokio::time::timeout(attempt_timeout, done_rx).await {
                Ok(Ok(Ok(s))) => {
                    server = Some(s);
                    None
                }
                Ok(Ok(Err(e))) => {
                    if matches!(e, crate::core::error::Error::Authentication { .. })
                        || session::is_unauthorized(&e)
                    {
                        // Not an outage: the probe can never write. End the watch with it.
                        let hint =
                            session::unauthorized_hint(&e, client.options().credential.is_some());
                        refused = Some(format!("probe write into {db}.{coll}: {e}{hint}"));
                    }
                    Some(super::render::redact_text(&e.to_string()))
                }
                Ok(Err(_)) => Some("the probe write task ended without a result".to_string()),
                Err(_) => {
                    abandoned.push(task);
                    Some(format!(
                        "not acknowledged within {}",
                        humantime::format_duration(attempt_timeout)
                    ))
                }
            }
        };
        let finished_ms = now_ms();
        tracing::debug!(
            n,
            started_ms,
            took_ms = finished_ms - started_ms,
            ?error,
            "probe write"
        );
        let result = ProbeResult {
            started_ms,
            finished_ms,
            error,
            server,
            refused,
        };
        if tx.send(result).await.is_err() {
            return;
        }
        let now = tokio::time::Instant::now();
        if next < now {
            next = now;
        }
    }
}

/// Where watch lines go.
struct Sink {
    out: Stdout,
    format: Format,
    style: Style,
}

impl Sink {
    fn emit(&mut self, at_ms: i64, event: WatchEvent) -> std::io::Result<()> {
        let line = WatchLine::new(at_ms, event);
        match self.format {
            Format::Json => self.out.line_flush(&line.json()),
            Format::Table => self.out.line_flush(&line.text(&self.style)),
        }
    }
}

/// Runs `rsctl failover-watch`.
pub async fn run(ctx: &Context, args: WatchArgs) -> anyhow::Result<()> {
    let (db, coll) = if args.probe {
        super::args::namespace(&args.probe_ns)?
    } else {
        (String::new(), String::new())
    };
    let client = session::connect(session::options(ctx)?).await?;
    let result = watch(ctx, &client, &args, db, coll).await;
    client.shutdown().await;
    result
}

async fn watch(
    ctx: &Context,
    client: &Client,
    args: &WatchArgs,
    db: String,
    coll: String,
) -> anyhow::Result<()> {
    let mut sink = Sink {
        out: Stdout::new(),
        format: ctx.format,
        style: ctx.style,
    };
    let started_ms = now_ms();
    let deadline = args.duration.map(|d| tokio::time::Instant::now() + d);
    let until_deadline = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(until_deadline);
    let ctrl_c = ctx.interrupt.wait();
    tokio::pin!(ctrl_c);

    let mut tracker = Tracker::new(args.rtt_threshold.as_secs_f64() * 1000.0);
    let initial = tokio::select! {
        t = session::discover(client, SETTLE, session::Patience::Watch) => t?,
        _ = &mut ctrl_c => return Err(anyhow::Error::new(super::exit::Interrupted)),
    };
    // A refused credential ends the watch now (exit 1), before anything is printed.
    tokio::select! {
        r = session::check_credential(client) => r?,
        _ = &mut ctrl_c => return Err(anyhow::Error::new(super::exit::Interrupted)),
    };
    sink.emit(now_ms(), tracker.initial(now_ms(), &initial))?;
    // Router seed lists: the router in use (the probes' router with --probe, else the nearest).
    let mut router = super::mongos::RouterInUse::default();
    let threshold = client.options().local_threshold.as_secs_f64() * 1000.0;
    if !args.probe {
        if let Some(e) = router.on_topology(&initial, threshold) {
            sink.emit(now_ms(), e)?;
        }
    }
    // Subscribe only now: the events of the discovery describe the state just printed (and for
    // a large set, hundreds of topology copies would queue up meanwhile, to be dropped). A change
    // between the discovery and the subscription is caught by one diff of the latest snapshot.
    let mut events = client.subscribe_topology();
    let latest = client.topology();
    let at = now_ms();
    for e in tracker.update(at, &latest) {
        sink.emit(at, e)?;
    }
    if !args.probe {
        if let Some(e) = router.on_topology(&latest, threshold) {
            sink.emit(at, e)?;
        }
    }

    let mut probes = ProbeTracker::new();
    let (probe_tx, mut probe_rx) = mpsc::channel::<ProbeResult>(64);
    let probe_task = args.probe.then(|| {
        tokio::spawn(probe_loop(
            client.clone(),
            db,
            coll,
            args.probe_interval,
            args.probe_timeout,
            probe_tx.clone(),
        ))
    });
    drop(probe_tx);
    // RTT changes are read from the snapshot at most every RTT_EVERY, when a new snapshot (a new
    // RTT sample, a check) is published: in a wake-up the process has anyway, with no timer of
    // its own waking an idle watch twice a second.
    let mut snapshots = client.watch();
    snapshots.mark_unchanged();
    let mut rtt_read = tokio::time::Instant::now();

    loop {
        tokio::select! {
            _ = &mut until_deadline => break,
            _ = &mut ctrl_c => break,
            ev = events.recv() => match ev {
                Ok(te) => {
                    if let SdamEvent::TopologyDescriptionChanged { new, .. } = te.event {
                        let at = epoch_ms(te.at);
                        for e in tracker.update(at, &new) {
                            sink.emit(at, e)?;
                        }
                        let change = if args.probe { None } else { router.on_topology(&new, threshold) };
                        if let Some(e) = change {
                            sink.emit(at, e)?;
                        }
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    // Fell behind: diff against the latest snapshot instead.
                    let topo = client.topology();
                    let at = now_ms();
                    for e in tracker.update(at, &topo) {
                        sink.emit(at, e)?;
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            r = snapshots.changed() => {
                if r.is_err() {
                    break;
                }
                if rtt_read.elapsed() >= RTT_EVERY {
                    rtt_read = tokio::time::Instant::now();
                    // Read in place (no copy of the topology); lines are written after.
                    let rtt = tracker.rtt_events(&snapshots.borrow_and_update());
                    let at = now_ms();
                    for e in rtt {
                        sink.emit(at, e)?;
                    }
                } else {
                    snapshots.mark_unchanged();
                }
            }
            Some(r) = probe_rx.recv() => {
                if let Some(msg) = r.refused {
                    if let Some(t) = probe_task.as_ref() {
                        t.abort();
                    }
                    return Err(anyhow::anyhow!(super::render::redact_text(&msg)));
                }
                match r.error {
                    Some(err) => {
                        let e = probes.failure(r.started_ms, &err);
                        sink.emit(r.finished_ms, e)?;
                    }
                    None => {
                        if let Some(e) = probes.success(r.finished_ms) {
                            sink.emit(r.finished_ms, e)?;
                        }
                        let topo = client.topology();
                        let sharded = topo.topology_type
                            == crate::core::description::TopologyType::Sharded;
                        if let Some(e) = r.server.as_deref().filter(|_| sharded).and_then(|s| router.on_served(s, &topo, threshold)) {
                            sink.emit(r.finished_ms, e)?;
                        }
                    }
                }
            }
        }
    }
    if let Some(t) = probe_task {
        t.abort();
    }
    let end = now_ms();
    sink.emit(
        end,
        probes.summary(end, end - started_ms, tracker.elections),
    )?;
    Ok(())
}
