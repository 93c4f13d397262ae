//! Renders a [`Candidate`]'s verdict as the sentence `rsctl read --explain` prints, e.g.
//! `tags {dc: ny} match no tag set; tag set #1 {dc: sf} matched other members`.
//!
//! Rendering is lazy (only when a reason is displayed), so selection itself builds no strings.

use std::fmt::{self, Display, Formatter, Write};

use super::{Candidate, Verdict};
use crate::core::description::{ServerType, Tags};
use crate::core::read_pref::ReadPreferenceMode;

/// Writes tags as `{dc: ny, rack: 1}` (`{}` when empty).
pub(crate) fn write_tags(f: &mut impl Write, tags: &Tags) -> fmt::Result {
    f.write_char('{')?;
    for (i, (k, v)) in tags.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{k}: {v}")?;
    }
    f.write_char('}')
}

/// `Display` for a tag set.
pub(crate) struct TagsDisplay<'a>(pub &'a Tags);

impl Display for TagsDisplay<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_tags(f, self.0)
    }
}

/// Seconds without a useless fraction: `90`, `124.5`.
pub(crate) struct Secs(pub f64);

impl Display for Secs {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.0.fract() == 0.0 && self.0.abs() < 1e15 {
            write!(f, "{}", self.0 as i64)
        } else {
            write!(f, "{:.1}", self.0)
        }
    }
}

/// The role word used in sentences.
fn role(t: ServerType) -> &'static str {
    match t {
        ServerType::RSPrimary => "primary",
        ServerType::RSSecondary => "secondary",
        ServerType::Mongos => "mongos",
        ServerType::Standalone => "standalone",
        ServerType::LoadBalancer => "load balancer",
        other => other.as_str(),
    }
}

impl Candidate<'_> {
    fn write_tag_set(&self, f: &mut Formatter<'_>, i: usize) -> fmt::Result {
        write!(f, "tag set #{} ", i + 1)?;
        match self.tag_sets.get(i) {
            Some(t) => write_tags(f, t),
            None => f.write_str("{?}"),
        }
    }

    fn write_own_tags(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.tags.is_empty() {
            f.write_str("no tags")
        } else {
            f.write_str("tags ")?;
            write_tags(f, self.tags)
        }
    }
}

impl Display for Candidate<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.verdict {
            Verdict::Eligible => {
                write!(f, "eligible: {}", role(self.server_type))?;
                if self.deprioritized {
                    f.write_str(" (deprioritized, but no other server is suitable)")?;
                }
                if let (Some(_), Some(s)) = (self.max_staleness_s, self.staleness_s) {
                    write!(f, ", staleness {}s", Secs(s))?;
                }
                if let Some(i) = self.matched_tag_set {
                    f.write_str(", ")?;
                    self.write_tag_set(f, i)?;
                }
                match self.rtt_ms {
                    Some(r) => write!(f, ", rtt {r:.1} ms"),
                    None => f.write_str(", no rtt measured yet"),
                }
            }
            Verdict::OutsideLatencyWindow { low_ms, high_ms } => write!(
                f,
                "rtt {:.1} ms outside the latency window {low_ms:.1}–{high_ms:.1} ms",
                self.rtt_ms.unwrap_or(f64::NAN)
            ),
            Verdict::TopologyUnknown => f.write_str(
                "topology type Unknown: no server is selectable until the deployment is discovered",
            ),
            Verdict::Unavailable => write!(f, "type {} is not available", self.server_type),
            Verdict::NotSelectable { topology } => {
                write!(
                    f,
                    "type {} is never selectable in a {topology} topology",
                    self.server_type
                )
            }
            Verdict::WritesNeedPrimary => f.write_str("writes go to the primary only"),
            Verdict::Deprioritized => f.write_str(
                "deprioritized (a previous attempt failed here) and other servers are suitable",
            ),
            Verdict::ModeExcludes { mode } => match mode {
                ReadPreferenceMode::Primary => f.write_str("mode primary excludes secondaries"),
                other => write!(f, "mode {other} excludes the primary"),
            },
            Verdict::PrimaryAvailable => {
                f.write_str("mode primaryPreferred: the primary is available")
            }
            Verdict::SecondariesEligible => {
                f.write_str("mode secondaryPreferred: eligible secondaries exist")
            }
            Verdict::TooStale { max_staleness_s } => write!(
                f,
                "staleness {}s exceeds maxStalenessSeconds {}",
                Secs(self.staleness_s.unwrap_or(f64::NAN)),
                Secs(max_staleness_s)
            ),
            Verdict::StalenessUnknown { max_staleness_s } => write!(
                f,
                "staleness unknown (no lastWriteDate) while maxStalenessSeconds is {}",
                Secs(max_staleness_s)
            ),
            Verdict::TagsMismatch { matched: Some(i) } => {
                self.write_own_tags(f)?;
                let own = self
                    .tag_sets
                    .iter()
                    .position(|t| super::tags_match(t, self.tags))
                    .filter(|&j| j > i);
                match own {
                    Some(j) => {
                        write!(f, " match only tag set #{}; ", j + 1)?;
                        self.write_tag_set(f, i)?;
                        f.write_str(" comes first and matched other members")
                    }
                    None => {
                        f.write_str(" match no tag set; ")?;
                        self.write_tag_set(f, i)?;
                        f.write_str(" matched other members")
                    }
                }
            }
            Verdict::TagsMismatch { matched: None } => {
                self.write_own_tags(f)?;
                f.write_str(" match no tag set, and no tag set matched any member: ")?;
                for i in 0..self.tag_sets.len() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    self.write_tag_set(f, i)?;
                }
                Ok(())
            }
        }
    }
}

/// Serializes a candidate for `--explain --output json` (snake_case, stable): address, type,
/// rtt_ms, staleness_s, tags, suitable, eligible, matched_tag_set, deprioritized, dropped_by
/// (a [`super::Filter`] name or null) and reason.
impl serde::Serialize for Candidate<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut s = serializer.serialize_struct("Candidate", 11)?;
        s.serialize_field("address", &self.address.to_string())?;
        s.serialize_field("type", self.server_type.as_str())?;
        s.serialize_field("rtt_ms", &self.rtt_ms)?;
        s.serialize_field("staleness_s", &self.staleness_s)?;
        s.serialize_field("tags", self.tags)?;
        s.serialize_field("suitable", &self.suitable)?;
        s.serialize_field("eligible", &self.eligible)?;
        s.serialize_field("matched_tag_set", &self.matched_tag_set)?;
        s.serialize_field("deprioritized", &self.deprioritized)?;
        s.serialize_field("dropped_by", &self.dropped_by().map(super::Filter::as_str))?;
        s.serialize_field("reason", &self.reason())?;
        s.end()
    }
}

/// Serializes a selection: suitable, in_window (address strings), latency_window_ms
/// (`[low, high]` or null), used_deprioritized and candidates.
impl serde::Serialize for super::Selection<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let strings = |v: &[crate::core::address::ServerAddress]| {
            v.iter().map(|a| a.to_string()).collect::<Vec<_>>()
        };
        let mut s = serializer.serialize_struct("Selection", 5)?;
        s.serialize_field("suitable", &strings(&self.suitable))?;
        s.serialize_field("in_window", &strings(&self.in_window))?;
        s.serialize_field("latency_window_ms", &self.latency_window_ms)?;
        s.serialize_field("used_deprioritized", &self.used_deprioritized)?;
        s.serialize_field("candidates", &self.candidates)?;
        s.end()
    }
}
