//! The `read --explain` report: every candidate server, the filter that dropped it and why, the
//! latency window and the pick; and the `served by ...` line.

use std::fmt::Write as _;

use serde::Serialize;

use crate::core::address::ServerAddress;
use crate::core::description::{ServerType, Tags};
use crate::core::read_pref::ReadPreference;
use crate::core::selection::Selection;

use super::*;
use crate::cli::output::Style;

/// One server in the `--explain` report (also its JSON shape).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExplainCandidate {
    /// host:port.
    pub host: String,
    /// The spec's ServerType name.
    #[serde(rename = "type")]
    pub server_type: String,
    /// Average RTT measured by rsctl.
    pub rtt_ms: Option<f64>,
    /// Estimated staleness in seconds (max-staleness spec).
    pub staleness_s: Option<f64>,
    /// The member's tags.
    pub tags: Tags,
    /// Passed every filter and inside the latency window.
    pub eligible: bool,
    /// Index (0-based) of the tag set it matched.
    pub matched_tag_set: Option<usize>,
    /// The filter that dropped it (`mode`, `staleness`, `tag_sets`, `latency_window`, ...).
    pub dropped_by: Option<&'static str>,
    /// Why it is, or is not, eligible.
    pub reason: String,
    /// The one that served the read.
    pub picked: bool,
}

/// The `--explain` report (also its JSON shape, printed on stderr).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explain {
    /// The member that served the read.
    pub served_by: Option<String>,
    /// The read preference mode.
    pub mode: String,
    /// The ordered tag sets.
    pub tag_sets: Vec<Tags>,
    /// maxStalenessSeconds.
    pub max_staleness_s: Option<u64>,
    /// The latency window `[low, high]` in ms.
    pub latency_window_ms: Option<(f64, f64)>,
    /// Every member, in address order.
    pub candidates: Vec<ExplainCandidate>,
    /// The read was retried once on a new selection.
    pub retried: bool,
}

/// Builds the explanation from the selection that chose the server.
pub fn build_explain(
    read_preference: &ReadPreference,
    selection: &Selection<'_>,
    served_by: Option<&ServerAddress>,
    retried: bool,
) -> Explain {
    Explain {
        served_by: served_by.map(|a| a.to_string()),
        mode: read_preference.mode.as_str().to_string(),
        tag_sets: read_preference.tag_sets.clone(),
        max_staleness_s: read_preference.max_staleness.map(|d| d.as_secs()),
        latency_window_ms: selection.latency_window_ms.map(|(a, b)| (r3(a), r3(b))),
        candidates: selection
            .candidates
            .iter()
            .map(|c| ExplainCandidate {
                host: c.address.to_string(),
                server_type: c.server_type.as_str().to_string(),
                rtt_ms: c.rtt_ms.map(r3),
                staleness_s: c.staleness_s.map(r3),
                tags: c.tags.clone(),
                eligible: c.eligible,
                matched_tag_set: c.matched_tag_set,
                dropped_by: c.dropped_by().map(|f| f.as_str()),
                reason: c.reason(),
                picked: served_by == Some(c.address),
            })
            .collect(),
        retried,
    }
}

/// Renders the explanation for a terminal.
pub fn explain_text(e: &Explain, style: &Style) -> String {
    let mut out = String::new();
    let _ = write!(out, "{} mode {}", style.bold("read preference:"), e.mode);
    if !e.tag_sets.is_empty() {
        let sets: Vec<String> = e.tag_sets.iter().map(tags_text).collect();
        let _ = write!(out, ", tag sets [{}]", sets.join(", "));
    }
    if let Some(s) = e.max_staleness_s {
        let _ = write!(out, ", maxStalenessSeconds {s}");
    }
    if let Some((lo, hi)) = e.latency_window_ms {
        let _ = write!(out, ", latency window {lo:.1}–{hi:.1} ms");
    }
    out.push('\n');
    for c in &e.candidates {
        let mark = if c.picked {
            style.green("→")
        } else if c.eligible {
            "✓".to_string()
        } else {
            style.dim("✗")
        };
        let _ = write!(out, "  {mark} {:<22} {:<12}", c.host, c.server_type);
        let _ = write!(
            out,
            " rtt {:>9}",
            c.rtt_ms.map(ms_text).unwrap_or_else(|| "-".into())
        );
        let _ = write!(
            out,
            "  staleness {:>6}",
            c.staleness_s
                .map(|s| format!("{s:.0}s"))
                .unwrap_or_else(|| "-".into())
        );
        let _ = write!(out, "  {:<16}", tags_text(&c.tags));
        let _ = write!(out, "  {}", c.reason);
        if c.picked {
            let _ = write!(out, "  {}", style.green("← picked"));
        }
        out.push('\n');
    }
    match &e.served_by {
        Some(s) => {
            let _ = writeln!(
                out,
                "served by {s}{}",
                if e.retried { " (after one retry)" } else { "" }
            );
        }
        None => {
            let _ = writeln!(out, "no member is eligible");
        }
    }
    out
}

/// The `served by HOST (STATE, tags, rtt)` line printed on stderr after a read.
pub fn served_by_line(
    host: &ServerAddress,
    server_type: ServerType,
    tags: &Tags,
    rtt_ms: Option<f64>,
) -> String {
    format!(
        "served by {host} ({}, {}, rtt {})",
        state_word(server_type),
        tags_text(tags),
        rtt_ms.map(ms_text).unwrap_or_else(|| "unknown".into())
    )
}
