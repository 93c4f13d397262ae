//! `rsctl stepdown`: a planned change of primary, checked first and measured.
//!
//! (1) Pre-flight from the primary's `replSetGetConfig` and `replSetGetStatus`: some electable
//! secondary (priority > 0, votes, not hidden, not delayed, SECONDARY) within `--catch-up` of the
//! primary, else exit 1 before anything changes, naming every secondary, its lag and why it
//! cannot take over ([`preflight`], pure). (2) `replSetStepDown` (or `replSetStepUp` on `--to`).
//! (3) The election watched live with failover-watch's [`Tracker`] (and, with `--probe`, its
//! probe writes and [`ProbeTracker`]), then one summary: old and new primary, term, the
//! no-primary gap and, with `--probe`, the write outage and the failed writes.

use std::time::Duration;

use bson::doc;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::core::address::ServerAddress;
use crate::core::events::SdamEvent;
use crate::core::reconfig::{host_key, Config};

use super::maint::{self, StatusMember};
use super::output::{note, Format, Stdout};
use super::render::{ms_text, WatchEvent, WatchLine};
use super::track::{ProbeTracker, Tracker};
use super::watch::{now_ms, probe_loop, ProbeResult};
use super::{session, Context};

/// Arguments of `rsctl stepdown`.
#[derive(Debug, Clone, clap::Args)]
pub struct StepdownArgs {
    /// How long the old primary may not stand for election (replSetStepDown's stepDownSecs).
    #[arg(long, value_name = "DUR", default_value = "60s", value_parser = super::parse_duration)]
    pub secs: Duration,
    /// How far behind the primary an electable secondary may be; the primary waits this long
    /// for one to catch up (secondaryCatchUpPeriodSecs) [default: 10s, or --secs if shorter].
    #[arg(long = "catch-up", value_name = "DUR", value_parser = super::parse_duration)]
    pub catch_up: Option<Duration>,
    /// Make this member the primary (replSetStepUp on it) instead of letting the set choose.
    #[arg(long, value_name = "HOST:PORT")]
    pub to: Option<String>,
    /// Write a small document with w:"majority" every 100ms and report the write outage.
    #[arg(long)]
    pub probe: bool,
    /// Step down even if no secondary is caught up (force: true): writes the secondaries have
    /// not copied can be rolled back.
    #[arg(long)]
    pub force: bool,
    /// How long to wait for the new primary.
    #[arg(long, value_name = "DUR", default_value = "60s", value_parser = super::parse_duration)]
    pub wait_timeout: Duration,
}

/// secondaryCatchUpPeriodSecs when --catch-up is not given (mongod's default).
const DEFAULT_CATCH_UP: Duration = Duration::from_secs(10);

impl StepdownArgs {
    fn catch_up(&self) -> Duration {
        self.catch_up.unwrap_or(DEFAULT_CATCH_UP)
    }
}

/// A member other than the primary, judged as a successor.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// host:port as in the config.
    pub host: String,
    /// Its priority.
    pub priority: f64,
    /// How far its last applied write is behind the primary's, in ms (None: unknown).
    pub lag_ms: Option<i64>,
    /// Why it cannot take over (empty: it can).
    pub reasons: Vec<String>,
}

/// Judges every member but the primary: can it take over within `catch_up`? Pure.
pub fn preflight(
    primary: &str,
    cfg: &Config,
    status: &[StatusMember],
    catch_up: Duration,
) -> Vec<Candidate> {
    let find = |h: &str| status.iter().find(|s| host_key(&s.name) == host_key(h));
    let primary_date = find(primary).and_then(|s| s.optime_date_ms);
    let mut out = Vec::new();
    for m in &cfg.members {
        if host_key(m.host()) == host_key(primary) {
            continue;
        }
        let st = find(m.host());
        let lag_ms = match (primary_date, st.and_then(|s| s.optime_date_ms)) {
            (Some(p), Some(o)) => Some((p - o).max(0)),
            _ => None,
        };
        let mut reasons = Vec::new();
        if m.arbiter() {
            reasons.push("an arbiter".to_string());
        } else {
            if m.priority() <= 0.0 {
                reasons.push("priority 0".into());
            }
            if !m.is_voter() {
                reasons.push("votes 0".into());
            }
            if m.hidden() {
                reasons.push("hidden".into());
            }
            if m.secondary_delay_secs() > 0.0 {
                reasons.push(format!(
                    "delayed (secondaryDelaySecs {})",
                    m.secondary_delay_secs()
                ));
            }
            match st {
                None => reasons.push("not in the primary's replSetGetStatus".into()),
                Some(s) if !s.healthy => reasons.push("not reachable from the primary".into()),
                Some(s) if s.state != "SECONDARY" => reasons.push(format!("state {}", s.state)),
                Some(_) => match lag_ms {
                    None => reasons.push("its last write is unknown".into()),
                    Some(l) if l > catch_up.as_millis() as i64 => reasons.push(format!(
                        "more than --catch-up {}",
                        humantime::format_duration(catch_up)
                    )),
                    Some(_) => {}
                },
            }
        }
        out.push(Candidate {
            host: m.host().to_string(),
            priority: m.priority(),
            lag_ms,
            reasons,
        });
    }
    out
}

/// The member mongod hands the election to: the electable one with the highest priority (the
/// first in config order on ties).
pub fn expected_successor(candidates: &[Candidate]) -> Option<&Candidate> {
    candidates
        .iter()
        .filter(|c| c.reasons.is_empty())
        .fold(None, |best: Option<&Candidate>, c| match best {
            Some(b) if b.priority >= c.priority => Some(b),
            _ => Some(c),
        })
}

/// Members with a higher priority than `successor` that will take the primary back (priority
/// takeover): electable secondaries at once when caught up, the old primary after `--secs`.
pub fn takeover_warnings(
    primary: &str,
    cfg: &Config,
    successor: &Candidate,
    secs: Duration,
) -> Vec<String> {
    cfg.members
        .iter()
        .filter(|m| m.electable() && m.is_voter() && !m.hidden() && m.secondary_delay_secs() <= 0.0)
        .filter(|m| {
            m.priority() > successor.priority && host_key(m.host()) != host_key(&successor.host)
        })
        .map(|m| {
            let when = if host_key(m.host()) == host_key(primary) {
                format!("after --secs {}", humantime::format_duration(secs))
            } else {
                "once it is caught up".to_string()
            };
            format!(
                "{} has priority {} > {} of {}: it will take the primary back {when} \
                 (priority takeover)",
                m.host(),
                m.priority(),
                successor.priority,
                successor.host
            )
        })
        .collect()
}

fn lag_text(c: &Candidate) -> String {
    c.lag_ms
        .map(|l| format!("{} behind", ms_text(l as f64)))
        .unwrap_or_else(|| "lag unknown".into())
}

/// The summary, as `--json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The primary before.
    pub old_primary: String,
    /// The primary after (None: none was elected within --wait-timeout).
    pub new_primary: Option<String>,
    /// The new primary's term.
    pub term: Option<i64>,
    /// How long the set had no primary, as rsctl's monitors saw it.
    pub no_primary_ms: Option<i64>,
    /// With --probe: how long majority writes failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outage_ms: Option<i64>,
    /// With --probe: how many probe writes failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writes_failed: Option<u64>,
}

impl Summary {
    /// The table form.
    pub fn text(&self) -> String {
        let mut s = format!(
            "stepdown: {} → {}",
            self.old_primary,
            self.new_primary.as_deref().unwrap_or("no new primary")
        );
        if let Some(t) = self.term {
            s.push_str(&format!(", term {t}"));
        }
        if let Some(ms) = self.no_primary_ms {
            s.push_str(&format!(", no primary for {}", ms_text(ms as f64)));
        }
        if let (Some(o), Some(f)) = (self.outage_ms, self.writes_failed) {
            s.push_str(&format!(
                ", writes failed for {} ({f} failed write(s))",
                ms_text(o as f64)
            ));
        }
        s
    }
}

/// Runs `rsctl stepdown`.
pub async fn run(ctx: &Context, mut args: StepdownArgs) -> anyhow::Result<()> {
    let catch_up = args.catch_up.unwrap_or(DEFAULT_CATCH_UP.min(args.secs));
    args.catch_up = Some(catch_up);
    if args.secs < catch_up {
        return Err(super::exit::usage(format!(
            "--secs {} must be at least --catch-up {} (mongod: stepdown period must be longer \
             than secondaryCatchUpPeriodSecs)",
            humantime::format_duration(args.secs),
            humantime::format_duration(catch_up)
        )));
    }
    if args.secs.as_secs() == 0 {
        return Err(super::exit::usage("--secs must be at least 1s"));
    }
    let to = match &args.to {
        Some(t) => Some(
            ServerAddress::parse(t)
                .map_err(|e| super::exit::usage(format!("invalid --to \"{t}\": {e}")))?,
        ),
        None => None,
    };
    let client = session::connect(session::options(ctx)?).await?;
    let result = stepdown(ctx, &client, &args, to).await;
    client.shutdown().await;
    result
}

async fn stepdown(
    ctx: &Context,
    client: &crate::client::Client,
    args: &StepdownArgs,
    to: Option<ServerAddress>,
) -> anyhow::Result<()> {
    let topo = session::discover(
        client,
        session::settle_time(client),
        session::Patience::Command("stepdown"),
    )
    .await?;
    session::check_credential(client).await?;
    let primary = maint::require_primary(&topo, "stepdown")?;
    let cfg = maint::config(client, &primary).await?;
    let status = maint::status(client, &primary).await?;
    let candidates = preflight(&primary.to_string(), &cfg, &status, args.catch_up());
    let successor = match &to {
        Some(t) => {
            if host_key(&t.to_string()) == host_key(&primary.to_string()) {
                return Err(super::exit::usage(format!(
                    "--to {t} is the primary already"
                )));
            }
            let c = candidates
                .iter()
                .find(|c| host_key(&c.host) == host_key(&t.to_string()))
                .ok_or_else(|| {
                    super::exit::usage(format!("--to {t} is not a member of {}", cfg.set_name()))
                })?;
            if !c.reasons.is_empty() {
                return Err(anyhow::anyhow!(
                    "stepdown: --to {} cannot take over: {} ({}); nothing was changed",
                    c.host,
                    c.reasons.join(", "),
                    lag_text(c)
                ));
            }
            Some(c.clone())
        }
        None => expected_successor(&candidates).cloned(),
    };
    let Some(successor) = successor else {
        let lines: Vec<String> = candidates
            .iter()
            .map(|c| format!("  - {}: {}, {}", c.host, lag_text(c), c.reasons.join(", ")))
            .collect();
        let text = format!(
            "stepdown: no electable secondary within --catch-up {} of primary {primary}:\n{}",
            humantime::format_duration(args.catch_up()),
            lines.join("\n")
        );
        if !args.force {
            return Err(anyhow::anyhow!(
                "{text}\nnothing was changed (wait for the secondaries to catch up, raise \
                 --catch-up, or --force to step down anyway)"
            ));
        }
        note(&format!("rsctl: warning: {text}"));
        return run_and_watch(ctx, client, args, &topo, &primary, None).await;
    };
    for w in takeover_warnings(&primary.to_string(), &cfg, &successor, args.secs) {
        note(&format!("rsctl: warning: {w}"));
    }
    run_and_watch(ctx, client, args, &topo, &primary, to.as_ref()).await
}

async fn run_and_watch(
    ctx: &Context,
    client: &crate::client::Client,
    args: &StepdownArgs,
    topo: &crate::core::description::TopologyDescription,
    primary: &ServerAddress,
    to: Option<&ServerAddress>,
) -> anyhow::Result<()> {
    let mut out = Stdout::new();
    let table = ctx.format == Format::Table;
    let mut tracker = Tracker::new(f64::INFINITY);
    let mut events = client.subscribe_topology();
    tracker.initial(now_ms(), topo);
    let mut probes = ProbeTracker::new();
    let (probe_tx, mut probe_rx) = mpsc::channel::<ProbeResult>(64);
    let probe_task = args.probe.then(|| {
        tokio::spawn(probe_loop(
            client.clone(),
            "rsctl".into(),
            "probe".into(),
            Duration::from_millis(100),
            Duration::from_millis(500),
            probe_tx.clone(),
        ))
    });
    drop(probe_tx);
    if args.force {
        note("rsctl: warning: --force: the primary steps down even if no secondary has its latest writes; those writes can be rolled back");
    }
    let (command, at) = match to {
        Some(t) => (doc! { "replSetStepUp": 1 }, t.clone()),
        None => {
            let mut c = doc! {
                "replSetStepDown": args.secs.as_secs() as i64,
                "secondaryCatchUpPeriodSecs": args.catch_up().as_secs() as i64,
            };
            if args.force {
                c.insert("force", true);
            }
            (c, primary.clone())
        }
    };
    let name = command.keys().next().cloned().unwrap_or_default();
    let sent = tokio::select! {
        r = client.run_command_on(&at, "admin", command) => r,
        _ = ctx.interrupt.wait() => return Err(anyhow::Error::new(super::exit::Interrupted)),
    };
    match sent {
        Ok(_) => {}
        // The old primary may close connections as it steps down (before 4.2): watch on.
        Err(e) if e.is_network() => note(&format!(
            "rsctl: note: {name} on {at}: {e}; watching for the new primary"
        )),
        Err(e) => {
            if let Some(t) = probe_task {
                t.abort();
            }
            return Err(maint::explain(&name, e));
        }
    }
    client.request_checks();

    let deadline = tokio::time::Instant::now() + args.wait_timeout;
    let old = host_key(&primary.to_string());
    let mut elected: Option<WatchEvent> = None;
    // After the election: how long to wait (with --probe) for the first acknowledged write, and
    // how many had been acknowledged at the election.
    let mut settle: Option<(tokio::time::Instant, u64)> = None;
    loop {
        let now = tokio::time::Instant::now();
        if now >= deadline {
            break;
        }
        if let Some((until, ok_then)) = settle {
            let outage_over = probes.ongoing(now_ms()).is_none() && probes.ok > ok_then;
            if !args.probe || outage_over || now >= until {
                break;
            }
        }
        let wake = settle.map_or(deadline, |(s, _)| s.min(deadline));
        let mut seen = Vec::new();
        tokio::select! {
            _ = tokio::time::sleep_until(wake) => {}
            _ = ctx.interrupt.wait() => {
                if let Some(t) = probe_task {
                    t.abort();
                }
                return Err(anyhow::Error::new(super::exit::Interrupted));
            }
            ev = events.recv() => match ev {
                Ok(te) => {
                    if let SdamEvent::TopologyDescriptionChanged { new, .. } = te.event {
                        let at_ms = super::watch::epoch_ms(te.at);
                        seen.extend(tracker.update(at_ms, &new).into_iter().map(|e| (at_ms, e)));
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                    let at_ms = now_ms();
                    seen.extend(tracker.update(at_ms, &client.topology()).into_iter().map(|e| (at_ms, e)));
                }
                Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
            },
            Some(r) = probe_rx.recv() => {
                match r.error {
                    Some(err) => seen.push((r.finished_ms, probes.failure(r.started_ms, &err))),
                    None => seen.extend(probes.success(r.finished_ms).map(|e| (r.finished_ms, e))),
                }
            }
        }
        for (at_ms, e) in seen {
            if table {
                out.line_flush(&WatchLine::new(at_ms, e.clone()).text(&ctx.style))?;
            }
            if let WatchEvent::PrimaryElected { host, .. } = &e {
                if elected.is_none() && host_key(host) != old {
                    elected = Some(e.clone());
                    settle = Some((
                        tokio::time::Instant::now() + Duration::from_secs(5),
                        probes.ok,
                    ));
                }
            }
        }
    }
    if let Some(t) = probe_task {
        t.abort();
    }
    let (new_primary, term, no_primary_ms) = match &elected {
        Some(WatchEvent::PrimaryElected {
            host,
            term,
            no_primary_ms,
            ..
        }) => (Some(host.clone()), *term, Some(no_primary_ms.unwrap_or(0))),
        _ => (None, None, None),
    };
    let now = now_ms();
    let summary = Summary {
        old_primary: primary.to_string(),
        new_primary,
        term,
        no_primary_ms,
        outage_ms: args
            .probe
            .then(|| probes.outages.iter().sum::<i64>() + probes.ongoing(now).unwrap_or(0)),
        writes_failed: args.probe.then_some(probes.failed),
    };
    match ctx.format {
        Format::Json => out.line(&serde_json::to_string(&summary)?)?,
        Format::Table => out.line(&ctx.style.bold(&summary.text()))?,
    }
    out.flush()?;
    if summary.new_primary.is_none() {
        return Err(anyhow::anyhow!(
            "stepdown: no new primary within --wait-timeout {}",
            humantime::format_duration(args.wait_timeout)
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::{doc, Bson};

    fn cfg(members: &[(&str, f64, i32, bool)]) -> Config {
        let list: Vec<Bson> = members
            .iter()
            .enumerate()
            .map(|(i, (h, p, v, hidden))| {
                Bson::Document(doc! {"_id": i as i32, "host": *h, "priority": *p, "votes": *v, "hidden": *hidden})
            })
            .collect();
        Config::parse(&doc! {"_id": "rs0", "version": 1, "members": list}).unwrap()
    }

    fn st(name: &str, state: &str, date: i64) -> StatusMember {
        StatusMember {
            id: 0,
            name: name.into(),
            state: state.into(),
            healthy: state != "(not reachable/healthy)",
            optime_date_ms: Some(date),
            optime: Some((1, 1)),
            config_version: Some(1),
            config_term: Some(1),
            is_self: false,
        }
    }

    #[test]
    fn preflight_names_every_reason() {
        let c = cfg(&[
            ("p:1", 1.0, 1, false),
            ("lag:1", 1.0, 1, false),
            ("zero:1", 0.0, 1, false),
            ("hid:1", 0.0, 1, true),
            ("down:1", 1.0, 1, false),
            ("ok:1", 1.0, 1, false),
        ]);
        let s = vec![
            st("p:1", "PRIMARY", 100_000),
            st("lag:1", "SECONDARY", 70_000),
            st("zero:1", "SECONDARY", 100_000),
            st("hid:1", "SECONDARY", 100_000),
            st("down:1", "(not reachable/healthy)", 0),
            st("ok:1", "SECONDARY", 95_000),
        ];
        let c2 = preflight("p:1", &c, &s, Duration::from_secs(10));
        let by = |h: &str| c2.iter().find(|c| c.host == h).unwrap();
        assert_eq!(by("lag:1").reasons, ["more than --catch-up 10s"]);
        assert_eq!(by("lag:1").lag_ms, Some(30_000));
        assert_eq!(by("zero:1").reasons, ["priority 0"]);
        assert!(by("hid:1").reasons.contains(&"hidden".to_string()));
        assert_eq!(by("down:1").reasons, ["not reachable from the primary"]);
        assert!(by("ok:1").reasons.is_empty());
        assert_eq!(by("ok:1").lag_ms, Some(5000));
        assert_eq!(expected_successor(&c2).unwrap().host, "ok:1");
        // Tighter catch-up: nobody.
        let c3 = preflight("p:1", &c, &s, Duration::from_secs(1));
        assert!(expected_successor(&c3).is_none());
    }

    #[test]
    fn successor_is_the_highest_priority_and_takeover_is_warned() {
        let c = cfg(&[
            ("p:1", 5.0, 1, false),
            ("a:1", 1.0, 1, false),
            ("b:1", 2.0, 1, false),
        ]);
        let s = vec![
            st("p:1", "PRIMARY", 10),
            st("a:1", "SECONDARY", 10),
            st("b:1", "STARTUP2", 10),
        ];
        let cands = preflight("p:1", &c, &s, Duration::from_secs(10));
        let succ = expected_successor(&cands).unwrap();
        assert_eq!(succ.host, "a:1", "b is not SECONDARY");
        let w = takeover_warnings("p:1", &c, succ, Duration::from_secs(60));
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(w
            .iter()
            .any(|x| x.starts_with("p:1") && x.contains("after --secs 1m")));
        assert!(w
            .iter()
            .any(|x| x.starts_with("b:1") && x.contains("once it is caught up")));
    }

    #[test]
    fn summary_json_has_the_issue_fields() {
        let s = Summary {
            old_primary: "a:1".into(),
            new_primary: Some("b:1".into()),
            term: Some(3),
            no_primary_ms: Some(120),
            outage_ms: None,
            writes_failed: None,
        };
        let v: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["new_primary", "no_primary_ms", "old_primary", "term"]
        );
        let s = Summary {
            outage_ms: Some(300),
            writes_failed: Some(2),
            ..s
        };
        let v: serde_json::Value =
            serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(v["outage_ms"], 300);
        assert_eq!(v["writes_failed"], 2);
        assert!(s.text().contains("a:1 → b:1, term 3"));
    }
}
