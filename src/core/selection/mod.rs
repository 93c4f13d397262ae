//! Server selection (server-selection.md and max-staleness.md) as a chain of small pure filters:
//! topology type -> mode -> staleness -> tag sets -> latency window, then [`pick`] among the
//! servers left in the window.
//!
//! Every filter records, per server, the [`Verdict`] that dropped it (or kept it), so the
//! explanation `rsctl read --explain` prints is produced by the very code that chose the server
//! and cannot disagree with it. The sentences themselves are only rendered when asked
//! ([`Candidate::reason`]), which keeps the selection itself
//! allocation-light: no strings and no tag copies, only the candidate list and the two address
//! lists (see `benches/selection.rs`).
//!
//! A [`Selection`] borrows the server addresses and tags of the topology it was computed from
//! (and the read preference's tag sets), so it lives no longer than that snapshot; the
//! `suitable` and `in_window` lists are owned.

mod explain;
mod pick;
#[cfg(test)]
mod tests;

pub use pick::pick;

use std::time::Duration;

use crate::core::address::ServerAddress;
use crate::core::description::{
    ServerDescription, ServerType, Tags, TopologyDescription, TopologyType,
};
use crate::core::error::{Error, Result};
use crate::core::read_pref::{ReadPreference, ReadPreferenceMode, TagSet};

/// How often an idle primary writes a no-op to the oplog (max-staleness spec's idleWritePeriodMS).
pub const IDLE_WRITE_PERIOD_MS: f64 = 10_000.0;

/// The smallest maxStalenessSeconds a client accepts (smallestMaxStalenessSeconds).
pub const SMALLEST_MAX_STALENESS_SECONDS: f64 = 90.0;

/// The client settings server selection depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectionSettings {
    /// localThresholdMS: the width of the latency window above the fastest suitable server.
    pub local_threshold_ms: f64,
    /// heartbeatFrequencyMS: part of the staleness estimate and of its lower bound.
    pub heartbeat_frequency_ms: f64,
}

impl Default for SelectionSettings {
    fn default() -> Self {
        SelectionSettings {
            local_threshold_ms: 15.0,
            heartbeat_frequency_ms: 10_000.0,
        }
    }
}

/// What the operation needs: a read with a read preference, or a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Criteria {
    Read(ReadPreference),
    Write,
}

impl Criteria {
    /// The read preference, for reads.
    pub fn read_preference(&self) -> Option<&ReadPreference> {
        match self {
            Criteria::Read(rp) => Some(rp),
            Criteria::Write => None,
        }
    }
}

impl std::fmt::Display for Criteria {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Criteria::Write => f.write_str("write"),
            Criteria::Read(rp) => {
                write!(f, "read with mode {}", rp.mode)?;
                if !rp.tag_sets.is_empty() {
                    f.write_str(", tag sets [")?;
                    for (i, t) in rp.tag_sets.iter().enumerate() {
                        if i > 0 {
                            f.write_str(", ")?;
                        }
                        explain::write_tags(f, t)?;
                    }
                    f.write_str("]")?;
                }
                if let Some(s) = rp.max_staleness {
                    write!(f, ", maxStalenessSeconds {}", s.as_secs())?;
                }
                Ok(())
            }
        }
    }
}

/// The filter of the chain that decided a server's fate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Filter {
    /// The topology type (Unknown topology, server types that are never selectable, writes).
    Topology,
    /// Deprioritized by a previous failed attempt.
    Deprioritized,
    /// The read preference mode.
    Mode,
    /// maxStalenessSeconds.
    Staleness,
    /// The tag sets.
    TagSets,
    /// The latency window.
    LatencyWindow,
}

impl Filter {
    /// A short snake_case name (for JSON output).
    pub fn as_str(self) -> &'static str {
        match self {
            Filter::Topology => "topology",
            Filter::Deprioritized => "deprioritized",
            Filter::Mode => "mode",
            Filter::Staleness => "staleness",
            Filter::TagSets => "tag_sets",
            Filter::LatencyWindow => "latency_window",
        }
    }
}

/// Why a server is, or is not, eligible. Rendered as a sentence by [`Candidate::reason`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Suitable and inside the latency window: a possible choice.
    Eligible,
    /// Suitable, but its RTT lies above the latency window `[low_ms, high_ms]`.
    OutsideLatencyWindow { low_ms: f64, high_ms: f64 },
    /// The topology type is Unknown: nothing is selectable.
    TopologyUnknown,
    /// The server is Unknown or PossiblePrimary: not available.
    Unavailable,
    /// The server's type is never selectable in this topology type (an arbiter, a ghost...).
    NotSelectable { topology: TopologyType },
    /// Only the primary accepts writes.
    WritesNeedPrimary,
    /// Dropped because it is deprioritized and other servers are suitable.
    Deprioritized,
    /// The mode excludes this server's role (`mode secondary` and the primary, `mode primary`
    /// and the secondaries).
    ModeExcludes { mode: ReadPreferenceMode },
    /// primaryPreferred with an available primary: secondaries are not used.
    PrimaryAvailable,
    /// secondaryPreferred with eligible secondaries: the primary is not used.
    SecondariesEligible,
    /// The staleness estimate exceeds maxStalenessSeconds.
    TooStale { max_staleness_s: f64 },
    /// maxStalenessSeconds is set but no staleness can be estimated (no lastWriteDate).
    StalenessUnknown { max_staleness_s: f64 },
    /// The server's tags match none of the tag sets that won: `matched` is the tag set (index)
    /// that matched other servers, or None when no tag set matched any candidate.
    TagsMismatch { matched: Option<usize> },
}

impl Verdict {
    /// The filter that produced this verdict (None for [`Verdict::Eligible`]).
    pub fn filter(&self) -> Option<Filter> {
        Some(match self {
            Verdict::Eligible => return None,
            Verdict::OutsideLatencyWindow { .. } => Filter::LatencyWindow,
            Verdict::TopologyUnknown
            | Verdict::Unavailable
            | Verdict::NotSelectable { .. }
            | Verdict::WritesNeedPrimary => Filter::Topology,
            Verdict::Deprioritized => Filter::Deprioritized,
            Verdict::ModeExcludes { .. }
            | Verdict::PrimaryAvailable
            | Verdict::SecondariesEligible => Filter::Mode,
            Verdict::TooStale { .. } | Verdict::StalenessUnknown { .. } => Filter::Staleness,
            Verdict::TagsMismatch { .. } => Filter::TagSets,
        })
    }
}

/// One server of the topology as selection saw it, with the reason for its fate.
#[derive(Clone)]
pub struct Candidate<'a> {
    pub address: &'a ServerAddress,
    pub server_type: ServerType,
    /// Average round trip time, ms.
    pub rtt_ms: Option<f64>,
    /// Estimated staleness in seconds (replica sets: 0 for the primary; None when unknown).
    pub staleness_s: Option<f64>,
    pub tags: &'a Tags,
    /// Suitable (passed every filter but the latency window).
    pub suitable: bool,
    /// Suitable and inside the latency window: a possible choice for [`pick`].
    pub eligible: bool,
    /// Index into the read preference's tag sets of the tag set this server matched.
    pub matched_tag_set: Option<usize>,
    /// Listed in `deprioritized` (and used anyway when `suitable`, since nothing else was).
    pub deprioritized: bool,
    /// What decided its fate.
    pub verdict: Verdict,
    /// The tag sets of the read preference (to render reasons).
    tag_sets: &'a [TagSet],
    /// maxStalenessSeconds, when set and applied.
    max_staleness_s: Option<f64>,
    /// The description it was built from (staleness inputs).
    description: &'a ServerDescription,
}

impl std::fmt::Debug for Candidate<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Candidate")
            .field("address", self.address)
            .field("server_type", &self.server_type)
            .field("rtt_ms", &self.rtt_ms)
            .field("staleness_s", &self.staleness_s)
            .field("tags", self.tags)
            .field("suitable", &self.suitable)
            .field("eligible", &self.eligible)
            .field("matched_tag_set", &self.matched_tag_set)
            .field("deprioritized", &self.deprioritized)
            .field("verdict", &self.verdict)
            .finish_non_exhaustive()
    }
}

impl Candidate<'_> {
    /// The human sentence saying why this server is (not) eligible, e.g.
    /// `staleness 124s exceeds maxStalenessSeconds 90`.
    pub fn reason(&self) -> String {
        self.to_string()
    }

    /// The filter that dropped the server (None when eligible).
    pub fn dropped_by(&self) -> Option<Filter> {
        self.verdict.filter()
    }
}

/// The result of [`select_suitable`].
#[derive(Debug, Clone)]
pub struct Selection<'a> {
    /// Servers that passed every filter (before the latency window), in address order.
    pub suitable: Vec<ServerAddress>,
    /// Suitable servers inside the latency window: choose among these with [`pick`].
    pub in_window: Vec<ServerAddress>,
    /// Every server of the topology, in address order, with its verdict.
    pub candidates: Vec<Candidate<'a>>,
    /// The latency window `(low, high)` in ms, when some suitable server had an RTT.
    pub latency_window_ms: Option<(f64, f64)>,
    /// True when every non-deprioritized server was unsuitable, so deprioritized ones were
    /// considered again (as the spec requires).
    pub used_deprioritized: bool,
}

impl Selection<'_> {
    /// One line per server: `address (type, rtt): reason`. For `--explain` and for
    /// server-selection error messages.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        for c in &self.candidates {
            use std::fmt::Write;
            let _ = write!(out, "{} ({}", c.address, c.server_type);
            match c.rtt_ms {
                Some(r) => {
                    let _ = write!(out, ", rtt {r:.1} ms");
                }
                None => out.push_str(", no rtt"),
            }
            let _ = writeln!(out, "): {c}");
        }
        out
    }
}

fn is_replica_set(t: TopologyType) -> bool {
    matches!(
        t,
        TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary
    )
}

/// Checks a read preference against the rules of the server-selection and max-staleness specs:
/// tag sets and maxStalenessSeconds are not allowed with mode primary; maxStalenessSeconds must be
/// at least smallestMaxStalenessSeconds (90 s) and at least heartbeatFrequencyMS +
/// idleWritePeriodMS (10 s). Each error message quotes the rule it broke.
pub fn validate(read_preference: &ReadPreference, settings: &SelectionSettings) -> Result<()> {
    validate_mode(read_preference)?;
    validate_staleness(read_preference, settings)
}

/// The mode-only rules (checked in every topology type).
fn validate_mode(rp: &ReadPreference) -> Result<()> {
    if rp.mode != ReadPreferenceMode::Primary {
        return Ok(());
    }
    if let Some(t) = rp.tag_sets.iter().find(|t| !t.is_empty()) {
        return Err(Error::invalid(format!(
            "read preference mode primary cannot be combined with tag sets (got {}): \
             a non-empty tag set requires a mode other than primary",
            explain::TagsDisplay(t)
        )));
    }
    if let Some(s) = rp.max_staleness {
        return Err(Error::invalid(format!(
            "read preference mode primary cannot be combined with maxStalenessSeconds (got {}): \
             the primary is never stale; use another mode",
            s.as_secs()
        )));
    }
    Ok(())
}

/// The maxStalenessSeconds bounds (checked for replica sets; mongos checks them itself).
fn validate_staleness(rp: &ReadPreference, settings: &SelectionSettings) -> Result<()> {
    let Some(max) = rp.max_staleness else {
        return Ok(());
    };
    let secs = max_staleness_seconds(max);
    if secs < SMALLEST_MAX_STALENESS_SECONDS {
        return Err(Error::invalid(format!(
            "maxStalenessSeconds {} is too small: it must be at least smallestMaxStalenessSeconds \
             ({SMALLEST_MAX_STALENESS_SECONDS} s)",
            explain::Secs(secs)
        )));
    }
    let floor_ms = settings.heartbeat_frequency_ms + IDLE_WRITE_PERIOD_MS;
    if secs * 1000.0 < floor_ms {
        return Err(Error::invalid(format!(
            "maxStalenessSeconds {} is too small: it must be at least heartbeatFrequencyMS + \
             idleWritePeriodMS = {} ms + {} ms = {} s",
            explain::Secs(secs),
            settings.heartbeat_frequency_ms,
            IDLE_WRITE_PERIOD_MS,
            explain::Secs(floor_ms / 1000.0)
        )));
    }
    Ok(())
}

fn max_staleness_seconds(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Finds the suitable servers for `criteria` and the ones inside the latency window, recording
/// for every server of the topology why it was (not) kept.
///
/// Deprioritized servers (those a failed attempt of the same operation used) are left out first;
/// only when that leaves nothing suitable are they considered again.
///
/// Errors: an incompatible topology (wire versions) and an invalid read preference (see
/// [`validate`]; the maxStalenessSeconds bounds are checked for replica sets only, since the
/// read preference is passed through to mongos and load balancers untouched).
pub fn select_suitable<'a>(
    topology: &'a TopologyDescription,
    criteria: &'a Criteria,
    settings: &SelectionSettings,
    deprioritized: &[ServerAddress],
) -> Result<Selection<'a>> {
    if !topology.compatible {
        return Err(Error::ServerSelection {
            message: format!(
                "the topology is incompatible with rsctl: {}",
                topology
                    .compatibility_error
                    .as_deref()
                    .unwrap_or("a server's wire versions do not overlap the supported range")
            ),
        });
    }
    let rp = criteria.read_preference();
    let mut max_staleness_s = None;
    if let Some(rp) = rp {
        validate_mode(rp)?;
        if is_replica_set(topology.topology_type) {
            validate_staleness(rp, settings)?;
            max_staleness_s = rp.max_staleness.map(max_staleness_seconds);
        }
    }
    let tag_sets: &[TagSet] = rp.map(|r| r.tag_sets.as_slice()).unwrap_or(&[]);

    let mut candidates: Vec<Candidate<'a>> = topology
        .servers
        .values()
        .map(|sd| Candidate {
            address: &sd.address,
            server_type: sd.server_type,
            rtt_ms: sd.round_trip_time_ms,
            staleness_s: None,
            tags: &sd.tags,
            suitable: false,
            eligible: false,
            matched_tag_set: None,
            deprioritized: !deprioritized.is_empty() && deprioritized.contains(&sd.address),
            verdict: Verdict::Eligible,
            tag_sets,
            max_staleness_s,
            description: sd,
        })
        .collect();
    if is_replica_set(topology.topology_type) {
        estimate_staleness(topology.topology_type, settings, &mut candidates);
    }

    let any_deprioritized = candidates.iter().any(|c| c.deprioritized);
    let mut count = find_suitable(
        topology.topology_type,
        rp,
        &mut candidates,
        any_deprioritized,
    );
    let mut used_deprioritized = false;
    if count == 0 && any_deprioritized {
        used_deprioritized = true;
        count = find_suitable(topology.topology_type, rp, &mut candidates, false);
    }

    let latency_window_ms = latency_window(&mut candidates, settings.local_threshold_ms);
    let mut suitable = Vec::with_capacity(count);
    let mut in_window = Vec::with_capacity(count);
    for c in &mut candidates {
        match c.verdict {
            Verdict::Eligible => {
                c.suitable = true;
                c.eligible = true;
                suitable.push(c.address.clone());
                in_window.push(c.address.clone());
            }
            Verdict::OutsideLatencyWindow { .. } => {
                c.suitable = true;
                suitable.push(c.address.clone());
            }
            _ => {}
        }
    }
    Ok(Selection {
        suitable,
        in_window,
        candidates,
        latency_window_ms,
        used_deprioritized,
    })
}

/// Fills `staleness_s` for the primary (0) and the secondaries of a replica set.
fn estimate_staleness(
    topology_type: TopologyType,
    settings: &SelectionSettings,
    candidates: &mut [Candidate],
) {
    let heartbeat = settings.heartbeat_frequency_ms;
    let with_primary = topology_type == TopologyType::ReplicaSetWithPrimary;
    let mut primary_lag = None;
    let mut newest_secondary_write = None;
    for s in candidates.iter().map(|c| c.description) {
        match s.server_type {
            ServerType::RSPrimary if with_primary && primary_lag.is_none() => {
                primary_lag = s
                    .last_write_date_ms
                    .map(|w| s.last_update_time_ms as f64 - w as f64);
            }
            ServerType::RSSecondary => {
                newest_secondary_write = newest_secondary_write.max(s.last_write_date_ms);
            }
            _ => {}
        }
    }
    // Arithmetic in f64: times come from servers' replies and must not overflow (no panics).
    for c in candidates.iter_mut() {
        let sd = c.description;
        c.staleness_s = match sd.server_type {
            ServerType::RSPrimary => Some(0.0),
            ServerType::RSSecondary => {
                let Some(write) = sd.last_write_date_ms else {
                    continue;
                };
                let ms = match (primary_lag, newest_secondary_write) {
                    // (S.lastUpdateTime - S.lastWriteDate) - (P.lastUpdateTime - P.lastWriteDate) + heartbeatFrequencyMS
                    (Some(p_lag), _) => {
                        (sd.last_update_time_ms as f64 - write as f64) - p_lag + heartbeat
                    }
                    // SMax.lastWriteDate - S.lastWriteDate + heartbeatFrequencyMS
                    (None, Some(smax)) => (smax as f64 - write as f64) + heartbeat,
                    (None, None) => continue,
                };
                Some(ms / 1000.0)
            }
            _ => None,
        };
    }
}

/// One pass of "find suitable servers by topology type and operation type". Sets every
/// candidate's verdict (`Eligible` for the suitable ones) and returns how many are suitable.
fn find_suitable(
    topology_type: TopologyType,
    rp: Option<&ReadPreference>,
    candidates: &mut [Candidate],
    skip_deprioritized: bool,
) -> usize {
    for c in candidates.iter_mut() {
        c.matched_tag_set = None;
        c.verdict = if topology_type == TopologyType::Unknown {
            Verdict::TopologyUnknown
        } else if !c.server_type.is_available() {
            Verdict::Unavailable
        } else if !selectable_in(topology_type, c.server_type) {
            Verdict::NotSelectable {
                topology: topology_type,
            }
        } else if skip_deprioritized && c.deprioritized {
            Verdict::Deprioritized
        } else {
            Verdict::Eligible
        };
    }
    if !is_replica_set(topology_type) {
        // Single, Sharded, LoadBalanced: every selectable server is suitable and the read
        // preference is not applied (it is passed through to mongos / the load balancer).
        return count_eligible(candidates);
    }
    let Some(rp) = rp else {
        for c in candidates.iter_mut() {
            if c.verdict == Verdict::Eligible && c.server_type == ServerType::RSSecondary {
                c.verdict = Verdict::WritesNeedPrimary;
            }
        }
        return count_eligible(candidates);
    };
    let has_primary = candidates
        .iter()
        .any(|c| c.verdict == Verdict::Eligible && c.server_type == ServerType::RSPrimary);
    let set_role = |candidates: &mut [Candidate], role: ServerType, verdict: Verdict| {
        for c in candidates.iter_mut() {
            if c.verdict == Verdict::Eligible && c.server_type == role {
                c.verdict = verdict;
            }
        }
    };
    let excludes = Verdict::ModeExcludes { mode: rp.mode };
    match rp.mode {
        ReadPreferenceMode::Primary => set_role(candidates, ServerType::RSSecondary, excludes),
        ReadPreferenceMode::Secondary => {
            set_role(candidates, ServerType::RSPrimary, excludes);
            eligibility(rp, candidates);
        }
        ReadPreferenceMode::Nearest => {
            eligibility(rp, candidates);
        }
        ReadPreferenceMode::PrimaryPreferred => {
            if has_primary {
                set_role(
                    candidates,
                    ServerType::RSSecondary,
                    Verdict::PrimaryAvailable,
                );
            } else {
                eligibility(rp, candidates);
            }
        }
        ReadPreferenceMode::SecondaryPreferred => {
            set_role(
                candidates,
                ServerType::RSPrimary,
                Verdict::SecondariesEligible,
            );
            if eligibility(rp, candidates) == 0 {
                for c in candidates.iter_mut() {
                    if c.verdict == Verdict::SecondariesEligible {
                        c.verdict = Verdict::Eligible;
                    }
                }
            }
        }
    }
    count_eligible(candidates)
}

fn count_eligible(candidates: &[Candidate]) -> usize {
    candidates
        .iter()
        .filter(|c| c.verdict == Verdict::Eligible)
        .count()
}

/// Whether a server of this type can ever serve operations in this topology type.
fn selectable_in(topology_type: TopologyType, server_type: ServerType) -> bool {
    match topology_type {
        TopologyType::Unknown => false,
        TopologyType::Single => true,
        TopologyType::Sharded => server_type == ServerType::Mongos,
        TopologyType::LoadBalanced => server_type == ServerType::LoadBalancer,
        TopologyType::ReplicaSetWithPrimary | TopologyType::ReplicaSetNoPrimary => {
            matches!(server_type, ServerType::RSPrimary | ServerType::RSSecondary)
        }
    }
}

/// The staleness and tag-set filters over the candidates still `Eligible`; returns how many stay.
fn eligibility(rp: &ReadPreference, candidates: &mut [Candidate]) -> usize {
    // maxStalenessSeconds (validated to be >= 90 s, so "positive" holds).
    if let Some(max) = rp.max_staleness.map(max_staleness_seconds) {
        for c in candidates
            .iter_mut()
            .filter(|c| c.verdict == Verdict::Eligible)
        {
            match c.staleness_s {
                Some(s) if s > max => {
                    c.verdict = Verdict::TooStale {
                        max_staleness_s: max,
                    }
                }
                Some(_) => {}
                None => {
                    c.verdict = Verdict::StalenessUnknown {
                        max_staleness_s: max,
                    }
                }
            }
        }
    }
    // Tag sets, in order: the first one matching any candidate wins.
    if rp.tag_sets.is_empty() {
        return count_eligible(candidates);
    }
    // Find the winning set and its first matching candidate in one scan per set; candidates
    // before that one are already known not to match it, so only later ones are tested again.
    let mut winner = None;
    for (i, set) in rp.tag_sets.iter().enumerate() {
        if let Some(first) = candidates
            .iter()
            .position(|c| c.verdict == Verdict::Eligible && tags_match(set, c.tags))
        {
            winner = Some((i, first));
            break;
        }
    }
    let matched = winner.map(|(i, _)| i);
    let mut count = 0;
    for (j, c) in candidates.iter_mut().enumerate() {
        if c.verdict != Verdict::Eligible {
            continue;
        }
        let hit = match winner {
            Some((i, first)) => j == first || (j > first && tags_match(&rp.tag_sets[i], c.tags)),
            None => false,
        };
        if hit {
            c.matched_tag_set = matched;
            count += 1;
        } else {
            c.verdict = Verdict::TagsMismatch { matched };
        }
    }
    count
}

/// A read-preference tag set matches a server's tags when it is a subset of them.
pub fn tags_match(tag_set: &TagSet, server_tags: &Tags) -> bool {
    tag_set.len() <= server_tags.len() && tag_set.iter().all(|(k, v)| server_tags.get(k) == Some(v))
}

/// Narrows the suitable (`Eligible`) candidates to the latency window; returns the window.
fn latency_window(candidates: &mut [Candidate], local_threshold_ms: f64) -> Option<(f64, f64)> {
    let low = candidates
        .iter()
        .filter(|c| c.verdict == Verdict::Eligible)
        .filter_map(|c| c.rtt_ms)
        .reduce(f64::min)?;
    let high = low + local_threshold_ms;
    for c in candidates
        .iter_mut()
        .filter(|c| c.verdict == Verdict::Eligible)
    {
        // A suitable server without an RTT sample yet is not excluded by the window.
        if c.rtt_ms.is_some_and(|r| r > high) {
            c.verdict = Verdict::OutsideLatencyWindow {
                low_ms: low,
                high_ms: high,
            };
        }
    }
    Some((low, high))
}
