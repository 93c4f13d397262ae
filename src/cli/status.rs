//! `rsctl status`: discover the set from any live seed, ask the primary (or any member) for
//! `replSetGetStatus` and `replSetGetConfig`, merge that view with rsctl's own monitors, and print
//! a table or one JSON object.

use crate::core::address::ServerAddress;

use super::output::{Format, Stdout};
use super::render::{status_table, StatusReport};
use super::set_report::report;
use super::{session, Context};

/// Arguments of `rsctl status`.
#[derive(Debug, Clone, clap::Args)]
pub struct StatusArgs {}

/// Runs `rsctl status`.
pub async fn run(ctx: &Context, _args: StatusArgs) -> anyhow::Result<()> {
    let client = session::connect(session::options(ctx)?).await?;
    // A router seed list: the routers, then each shard's replica-set status.
    match super::mongos::status(ctx, &client).await {
        Ok(None) => {}
        done => {
            client.shutdown().await;
            return done.map(|_| ());
        }
    }
    let result = report(&client).await;
    client.shutdown().await;
    print(ctx, &result?)
}

/// Prints the status of the set reachable through `seeds` (used by `initiate` and `demo`).
pub async fn show(ctx: &Context, seeds: &[ServerAddress], set: Option<&str>) -> anyhow::Result<()> {
    let client = session::connect(session::options_for_seeds(ctx, seeds, set)?).await?;
    let result = report(&client).await;
    client.shutdown().await;
    print(ctx, &result?)
}

/// Prints a report in the context's format. A report in which rsctl reached no member at all is
/// still printed (it says what each member's last error was), then ends the command with exit 1.
pub fn print(ctx: &Context, report: &StatusReport) -> anyhow::Result<()> {
    let mut out = Stdout::new();
    match ctx.format {
        Format::Json => out.line(&serde_json::to_string_pretty(report)?)?,
        Format::Table => out.line(status_table(report, &ctx.style).trim_end())?,
    }
    out.flush()?;
    match unreached(report) {
        Some(reasons) => Err(anyhow::anyhow!(
            "status: no member could be reached:\n{}",
            reasons.join("\n")
        )),
        None => Ok(()),
    }
}

/// When no member of the report was reached, one line per member saying why; `None` when at
/// least one was.
fn unreached(report: &StatusReport) -> Option<Vec<String>> {
    if report.members.iter().any(|m| m.reachable == Some(true)) {
        return None;
    }
    if report.members.is_empty() {
        return Some(vec!["  - the deployment lists no member".into()]);
    }
    Some(
        report
            .members
            .iter()
            .map(|m| {
                format!(
                    "  - {}: {}",
                    m.host,
                    m.error
                        .as_deref()
                        .unwrap_or("not reached (no check answered)")
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::render::{build_status, unmonitored_members, Probe, StatusInput};
    use crate::core::description::{
        ServerDescription, ServerType, TopologyDescription, TopologyType,
    };
    use bson::{doc, Document};

    fn monitored(hosts: &[(&str, ServerType)]) -> TopologyDescription {
        let mut t = TopologyDescription {
            topology_type: TopologyType::ReplicaSetWithPrimary,
            set_name: Some("rs0".into()),
            ..Default::default()
        };
        for (h, ty) in hosts {
            let a = ServerAddress::parse(h).unwrap();
            let mut sd = ServerDescription::new_unknown(a.clone());
            sd.server_type = *ty;
            sd.round_trip_time_ms = Some(0.4);
            t.servers.insert(a, sd);
        }
        t
    }

    fn config() -> Document {
        doc! {"config": {"_id": "rs0", "version": 1, "members": [
            {"_id": 0, "host": "a:1"},
            {"_id": 1, "host": "b:2"},
            {"_id": 2, "host": "C:3", "hidden": true, "priority": 0},
        ]}}
    }

    fn status() -> Document {
        doc! {"set": "rs0", "term": 1_i64, "members": [
            {"name": "a:1", "health": 1.0, "stateStr": "PRIMARY"},
            {"name": "b:2", "health": 1.0, "stateStr": "SECONDARY"},
            {"name": "C:3", "health": 1.0, "stateStr": "SECONDARY"},
            {"name": "d:4", "health": 0.0, "stateStr": "(not reachable/healthy)"},
        ], "ok": 1.0}
    }

    #[test]
    fn a_report_that_reached_no_member_is_a_failure_naming_each() {
        let mut topo = monitored(&[("a:1", ServerType::Unknown), ("b:2", ServerType::Unknown)]);
        for sd in topo.servers.values_mut() {
            sd.round_trip_time_ms = None;
            sd.error = Some(crate::core::error::Error::network(
                &sd.address,
                crate::core::error::NetworkErrorKind::Closed,
                "the server closed the connection",
            ));
        }
        let report = build_status(&StatusInput {
            topology: &topo,
            status: None,
            config: None,
            probes: &[],
        });
        let lines = unreached(&report).expect("no member was reached");
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].contains("a:1") && lines[0].contains("closed the connection"),
            "{lines:?}"
        );
        // One member reached is enough for a report that exits 0.
        let reached = build_status(&StatusInput {
            topology: &monitored(&[("a:1", ServerType::RSPrimary), ("b:2", ServerType::Unknown)]),
            status: None,
            config: None,
            probes: &[],
        });
        assert_eq!(unreached(&reached), None);
    }

    #[test]
    fn members_the_monitors_do_not_watch_are_probed_and_fill_reachable() {
        let topo = monitored(&[
            ("a:1", ServerType::RSPrimary),
            ("b:2", ServerType::RSSecondary),
        ]);
        let (st, cfg) = (status(), config());
        // From the config and the status, once each, host names compared case-insensitively.
        assert_eq!(
            unmonitored_members(&topo, Some(&st), Some(&cfg)),
            vec!["C:3".to_string(), "d:4".to_string()]
        );
        assert!(unmonitored_members(&topo, None, None).is_empty());

        let src = ServerAddress::parse("a:1").unwrap();
        let probes = [
            Probe {
                host: "C:3".into(),
                rtt_ms: Some(0.7),
                error: None,
            },
            Probe {
                host: "d:4".into(),
                rtt_ms: None,
                error: Some("network error talking to d:4: connect: Connection refused".into()),
            },
            // A probe never overrides what a monitor measured.
            Probe {
                host: "b:2".into(),
                rtt_ms: None,
                error: Some("ignored".into()),
            },
        ];
        let report = build_status(&StatusInput {
            topology: &topo,
            status: Some((&src, &st)),
            config: Some(&cfg),
            probes: &probes,
        });
        let row = |h: &str| report.members.iter().find(|m| m.host == h).unwrap();
        let c = row("C:3");
        assert!(c.hidden);
        assert_eq!(
            (c.reachable, c.rtt_ms, c.error.as_deref()),
            (Some(true), Some(0.7), None)
        );
        let d = row("d:4");
        assert_eq!(d.reachable, Some(false));
        assert_eq!(d.rtt_ms, None);
        assert!(d.error.as_deref().unwrap().contains("refused"));
        let b = row("b:2");
        assert_eq!(
            (b.reachable, b.rtt_ms, b.error.as_deref()),
            (Some(true), Some(0.4), None)
        );
        // Down for the set and for the probe: nothing to report. Without probes the hidden
        // member stays "not monitored" (null).
        assert!(
            report.disagreements.is_empty(),
            "{:?}",
            report.disagreements
        );
        let unprobed = build_status(&StatusInput {
            topology: &topo,
            status: Some((&src, &st)),
            config: Some(&cfg),
            probes: &[],
        });
        assert_eq!(
            unprobed
                .members
                .iter()
                .find(|m| m.host == "C:3")
                .unwrap()
                .reachable,
            None
        );

        // The set calls it healthy but the probe cannot reach it: a disagreement, as for a
        // monitored member.
        let failed = [Probe {
            host: "C:3".into(),
            rtt_ms: None,
            error: Some("network error talking to C:3: connect timed out".into()),
        }];
        let report = build_status(&StatusInput {
            topology: &topo,
            status: Some((&src, &st)),
            config: Some(&cfg),
            probes: &failed,
        });
        assert!(
            report
                .disagreements
                .iter()
                .any(|d| d.starts_with("C:3: the set reports it healthy")),
            "{:?}",
            report.disagreements
        );
    }
}
