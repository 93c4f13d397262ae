//! The commands' mongos side, for a seed list of routers (a Sharded topology):
//!
//! - `status`: the routers (host, reachable, RTT, inside the latency window or not, version),
//!   then each shard found by `listShards`, reported like a replica set (its host string
//!   `set/h1,h2` is connected to directly);
//! - `read`: which router served the read and which `$readPreference` it was given;
//! - `failover-watch`: the router in use and when it changes ([`RouterInUse`]).

use std::time::Duration;

use bson::{doc, Bson};
use serde::Serialize;

use crate::client::{Client, SelectedServer};
use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, TopologyDescription, TopologyType};

use super::output::{cell, note, Format, Paint, Stdout, Style};
use super::render::{ms_text, status_table, StatusReport, WatchEvent};
use super::{session, set_report, Context};

/// One router in `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouterStatus {
    pub host: String,
    /// The last check succeeded (it is a mongos).
    pub reachable: bool,
    /// What it is, as rsctl's monitor saw it (`Mongos`, `Unknown`...).
    pub server_type: String,
    pub rtt_ms: Option<f64>,
    /// Inside the latency window (min RTT + localThresholdMS): eligible for selection.
    pub in_latency_window: bool,
    /// `buildInfo.version`.
    pub version: Option<String>,
    /// The monitor's last error.
    pub error: Option<String>,
}

/// One shard in `status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShardStatus {
    /// `listShards` `_id`.
    pub id: String,
    /// `listShards` `host`: `set/h1:p1,h2:p2`.
    pub host: String,
    /// The shard's replica-set status (None when it could not be reached).
    pub status: Option<StatusReport>,
    /// Why there is no status.
    pub error: Option<String>,
}

/// The whole `status` report for a router seed list (also its JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShardedStatus {
    pub topology_type: String,
    /// localThresholdMS the latency window uses.
    pub local_threshold_ms: f64,
    pub routers: Vec<RouterStatus>,
    pub shards: Vec<ShardStatus>,
    /// Why the shard list is missing, if it is.
    pub shards_error: Option<String>,
}

/// Routers of a Sharded topology with their latency-window verdicts.
pub fn routers(topo: &TopologyDescription, local_threshold_ms: f64) -> Vec<RouterStatus> {
    let min = topo
        .servers
        .values()
        .filter(|s| s.server_type == ServerType::Mongos)
        .filter_map(|s| s.round_trip_time_ms)
        .fold(f64::INFINITY, f64::min);
    topo.servers
        .values()
        .map(|s| {
            let reachable = s.server_type == ServerType::Mongos;
            RouterStatus {
                host: s.address.to_string(),
                reachable,
                server_type: s.server_type.to_string(),
                rtt_ms: s.round_trip_time_ms,
                in_latency_window: reachable
                    && s.round_trip_time_ms
                        .is_some_and(|r| r <= min + local_threshold_ms),
                version: None,
                error: s.error.as_ref().map(|e| e.to_string()),
            }
        })
        .collect()
}

/// Splits a `listShards` host string, `set/h1:p1,h2:p2` (or a bare `h1:p1` standalone shard).
pub fn parse_shard_host(s: &str) -> crate::Result<(Option<String>, Vec<ServerAddress>)> {
    let (set, hosts) = match s.split_once('/') {
        Some((set, hosts)) if !set.is_empty() => (Some(set.to_string()), hosts),
        Some((_, hosts)) => (None, hosts),
        None => (None, s),
    };
    let hosts = hosts
        .split(',')
        .filter(|h| !h.trim().is_empty())
        .map(|h| ServerAddress::parse(h.trim()))
        .collect::<crate::Result<Vec<_>>>()?;
    if hosts.is_empty() {
        return Err(crate::Error::invalid(format!(
            "the shard host string \"{s}\" names no host"
        )));
    }
    Ok((set, hosts))
}

/// `status` on a router seed list: None when the topology is not Sharded (the caller reports a
/// replica set as usual).
pub async fn status(ctx: &Context, client: &Client) -> anyhow::Result<Option<()>> {
    let topo = session::discover(
        client,
        session::settle_time(client),
        session::Patience::Command("status"),
    )
    .await?;
    if topo.topology_type != TopologyType::Sharded {
        return Ok(None);
    }
    let threshold = client.options().local_threshold.as_secs_f64() * 1000.0;
    let mut report = ShardedStatus {
        topology_type: topo.topology_type.to_string(),
        local_threshold_ms: threshold,
        routers: routers(&topo, threshold),
        shards: Vec::new(),
        shards_error: None,
    };
    for r in report.routers.iter_mut().filter(|r| r.reachable) {
        let Ok(addr) = ServerAddress::parse(&r.host) else {
            continue;
        };
        if let Ok(bi) = client
            .run_command_on(&addr, "admin", doc! {"buildInfo": 1})
            .await
        {
            r.version = bi.get_str("version").ok().map(str::to_string);
        }
    }
    let listed = client
        .run_command(
            "admin",
            doc! {"listShards": 1},
            &crate::core::selection::Criteria::Write,
        )
        .await;
    match listed {
        // Refused credentials (or none given to a cluster that wants them): exit 1, like the
        // replica-set status, rather than a table of routers with exit 0.
        Err(e @ crate::Error::Authentication { .. }) => return Err(e.into()),
        Err(e) if session::is_unauthorized(&e) => {
            let hint = session::unauthorized_hint(&e, client.options().credential.is_some());
            return Err(anyhow::anyhow!("listShards: {e}{hint}"));
        }
        Err(e) => report.shards_error = Some(e.to_string()),
        Ok(r) => {
            let shards = r.reply.get_array("shards").cloned().unwrap_or_default();
            for s in shards {
                let Bson::Document(s) = s else { continue };
                let id = s.get_str("_id").unwrap_or("?").to_string();
                let host = s.get_str("host").unwrap_or("").to_string();
                let (status, error) = match shard_status(ctx, &host).await {
                    Ok(st) => (Some(st), None),
                    Err(e) => (None, Some(format!("{e:#}"))),
                };
                report.shards.push(ShardStatus {
                    id,
                    host,
                    status,
                    error,
                });
            }
        }
    }
    print(ctx, &report)?;
    Ok(Some(()))
}

/// A shard's replica-set status, through a client of its own.
async fn shard_status(ctx: &Context, host: &str) -> anyhow::Result<StatusReport> {
    let (set, seeds) = parse_shard_host(host)?;
    let mut options = session::options_for_seeds(ctx, &seeds, set.as_deref())?;
    options.server_selection_timeout = options
        .server_selection_timeout
        .min(Duration::from_secs(10));
    let client = session::connect(options).await?;
    let r = set_report::report(&client).await;
    client.shutdown().await;
    r
}

fn print(ctx: &Context, report: &ShardedStatus) -> anyhow::Result<()> {
    let mut out = Stdout::new();
    match ctx.format {
        Format::Json => out.line(&serde_json::to_string_pretty(report)?)?,
        Format::Table => out.line(routers_text(report, &ctx.style).trim_end())?,
    }
    out.flush()?;
    Ok(())
}

fn routers_text(report: &ShardedStatus, style: &Style) -> String {
    use std::fmt::Write;
    let mut s = format!(
        "{} (latency window: fastest + {})\n",
        style.bold(&format!(
            "Sharded cluster: {} routers",
            report.routers.len()
        )),
        ms_text(report.local_threshold_ms)
    );
    let mut table = style.table(&["ROUTER", "REACHABLE", "RTT", "IN WINDOW", "VERSION"]);
    for r in &report.routers {
        let reachable = if r.reachable {
            cell("yes", Paint::Green)
        } else {
            cell(
                format!("no: {}", r.error.as_deref().unwrap_or(&r.server_type)),
                Paint::Red,
            )
        };
        table.add_row(vec![
            cell(r.host.clone(), Paint::Plain),
            reachable,
            cell(
                r.rtt_ms.map(ms_text).unwrap_or_else(|| "-".into()),
                Paint::Plain,
            ),
            cell(if r.in_latency_window { "yes" } else { "no" }, Paint::Plain),
            cell(
                r.version.clone().unwrap_or_else(|| "-".into()),
                Paint::Plain,
            ),
        ]);
    }
    let _ = writeln!(s, "{table}");
    if let Some(e) = &report.shards_error {
        let _ = writeln!(s, "\nlistShards failed: {e}");
    }
    for shard in &report.shards {
        let _ = writeln!(
            s,
            "\n{}",
            style.bold(&format!("Shard {} ({})", shard.id, shard.host))
        );
        match (&shard.status, &shard.error) {
            (Some(st), _) => {
                let _ = writeln!(s, "{}", status_table(st, style).trim_end());
            }
            (None, e) => {
                let _ = writeln!(s, "unreachable: {}", e.as_deref().unwrap_or("no status"));
            }
        }
    }
    s
}

/// After a read through a router: `via mongos HOST: $readPreference {...}` (None when the read
/// was not served by a mongos).
pub fn forwarded_line(selected: &SelectedServer) -> Option<String> {
    if selected.description.server_type != ServerType::Mongos {
        return None;
    }
    let rp = match selected.read_preference_sent() {
        Some(rp) => format!("forwarded $readPreference {}", rp.to_document()),
        None => "read preference primary, no $readPreference sent".to_string(),
    };
    Some(format!("via mongos {}: {rp}", selected.address))
}

/// Prints [`forwarded_line`] on stderr, if any.
pub fn note_forwarded(selected: &SelectedServer) {
    if let Some(line) = forwarded_line(selected) {
        note(&line);
    }
}

/// Which router is in use, for `failover-watch` on a router seed list: the router that served
/// the last probe write, or without probes the nearest router, kept while it stays a mongos
/// inside the latency window.
#[derive(Debug, Default)]
pub struct RouterInUse {
    current: Option<String>,
}

impl RouterInUse {
    /// The router in use, if any.
    pub fn current(&self) -> Option<&str> {
        self.current.as_deref()
    }

    fn change(&mut self, to: Option<String>) -> Option<WatchEvent> {
        if to == self.current {
            return None;
        }
        let from = std::mem::replace(&mut self.current, to.clone());
        Some(WatchEvent::RouterChanged { from, to })
    }

    /// A new topology: keeps the current router while it is usable, else moves to the nearest.
    pub fn on_topology(
        &mut self,
        topo: &TopologyDescription,
        local_threshold_ms: f64,
    ) -> Option<WatchEvent> {
        if topo.topology_type != TopologyType::Sharded {
            return None;
        }
        let rs = routers(topo, local_threshold_ms);
        if let Some(cur) = &self.current {
            if rs.iter().any(|r| &r.host == cur && r.in_latency_window) {
                return None;
            }
        }
        let nearest = rs
            .iter()
            .filter(|r| r.in_latency_window)
            .min_by(|a, b| {
                a.rtt_ms
                    .unwrap_or(f64::INFINITY)
                    .total_cmp(&b.rtt_ms.unwrap_or(f64::INFINITY))
            })
            .map(|r| r.host.clone());
        self.change(nearest)
    }

    /// An operation was served by `host` (a probe write). Spreading operations over the routers
    /// inside the latency window is not a change worth a line: a change is reported when the
    /// router used before is no longer usable (down, or out of the window) in `topo`.
    pub fn on_served(
        &mut self,
        host: &str,
        topo: &TopologyDescription,
        local_threshold_ms: f64,
    ) -> Option<WatchEvent> {
        let usable = |h: &str| {
            routers(topo, local_threshold_ms)
                .iter()
                .any(|r| r.host == h && r.in_latency_window)
        };
        match &self.current {
            Some(cur) if cur != host && usable(cur) => {
                self.current = Some(host.to_string());
                None
            }
            _ => self.change(Some(host.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::description::ServerDescription;

    fn mongos(host: &str, rtt: f64) -> ServerDescription {
        let mut sd = ServerDescription::new_unknown(ServerAddress::parse(host).unwrap());
        sd.server_type = ServerType::Mongos;
        sd.round_trip_time_ms = Some(rtt);
        sd
    }

    fn sharded(servers: Vec<ServerDescription>) -> TopologyDescription {
        let mut t = TopologyDescription {
            topology_type: TopologyType::Sharded,
            ..Default::default()
        };
        for s in servers {
            t.servers.insert(s.address.clone(), s);
        }
        t
    }

    #[test]
    fn coloured_router_table_stays_aligned() {
        use crate::cli::output::{assert_table_aligned, strip_ansi};
        let mut down = mongos("c:3", 1.0);
        down.server_type = ServerType::Unknown;
        down.error = Some(crate::Error::network(
            &down.address.clone(),
            crate::core::error::NetworkErrorKind::Io,
            "connection refused",
        ));
        let report = ShardedStatus {
            topology_type: "Sharded".into(),
            local_threshold_ms: 15.0,
            routers: routers(
                &sharded(vec![mongos("a:1", 2.0), mongos("b:2", 40.0), down]),
                15.0,
            ),
            shards: Vec::new(),
            shards_error: None,
        };
        let coloured = routers_text(&report, &Style { color: true });
        assert!(coloured.contains("myes\x1b["), "{coloured:?}");
        assert!(coloured.contains("mno: "), "{coloured:?}");
        assert_table_aligned(&coloured);
        assert_eq!(
            strip_ansi(&coloured),
            routers_text(&report, &Style::plain())
        );
    }

    #[test]
    fn latency_window_is_fastest_plus_threshold() {
        let t = sharded(vec![
            mongos("a:1", 2.0),
            mongos("b:1", 16.0),
            mongos("c:1", 40.0),
            ServerDescription::new_unknown(ServerAddress::parse("d:1").unwrap()),
        ]);
        let rs = routers(&t, 15.0);
        let window: Vec<&str> = rs
            .iter()
            .filter(|r| r.in_latency_window)
            .map(|r| r.host.as_str())
            .collect();
        assert_eq!(window, vec!["a:1", "b:1"]);
        assert!(!rs.iter().find(|r| r.host == "d:1").unwrap().reachable);
    }

    #[test]
    fn router_in_use_is_sticky_and_moves_when_it_dies() {
        let mut u = RouterInUse::default();
        let t = sharded(vec![mongos("a:1", 5.0), mongos("b:1", 1.0)]);
        assert_eq!(
            u.on_topology(&t, 15.0),
            Some(WatchEvent::RouterChanged {
                from: None,
                to: Some("b:1".into())
            })
        );
        // Still usable: no change, even if another is now faster.
        let t = sharded(vec![mongos("a:1", 0.5), mongos("b:1", 1.0)]);
        assert_eq!(u.on_topology(&t, 15.0), None);
        // b dies.
        let t = sharded(vec![
            mongos("a:1", 0.5),
            ServerDescription::new_unknown(ServerAddress::parse("b:1").unwrap()),
        ]);
        assert_eq!(
            u.on_topology(&t, 15.0),
            Some(WatchEvent::RouterChanged {
                from: Some("b:1".into()),
                to: Some("a:1".into())
            })
        );
        // Probes served by a: no change; by b while a is usable: silently b, no line.
        assert_eq!(u.on_served("a:1", &t, 15.0), None);
        let both = sharded(vec![mongos("a:1", 0.5), mongos("b:1", 1.0)]);
        assert_eq!(u.on_served("b:1", &both, 15.0), None);
        assert_eq!(u.current(), Some("b:1"));
        // b dies; the next probe goes through a: reported.
        assert_eq!(
            u.on_served("a:1", &t, 15.0),
            Some(WatchEvent::RouterChanged {
                from: Some("b:1".into()),
                to: Some("a:1".into())
            })
        );
    }

    #[test]
    fn shard_host_strings_parse() {
        let (set, hosts) = parse_shard_host("rs0/127.0.0.1:1,127.0.0.1:2").unwrap();
        assert_eq!(set.as_deref(), Some("rs0"));
        assert_eq!(hosts.len(), 2);
        let (set, hosts) = parse_shard_host("h:27017").unwrap();
        assert_eq!(set, None);
        assert_eq!(hosts.len(), 1);
        assert!(parse_shard_host("rs0/").is_err());
    }
}
