//! Read preferences: the five modes, ordered tag sets and maxStalenessSeconds.

use std::time::Duration;

use crate::core::description::Tags;

/// A read preference mode, spelled as in the server-selection spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReadPreferenceMode {
    #[default]
    Primary,
    PrimaryPreferred,
    Secondary,
    SecondaryPreferred,
    Nearest,
}

impl ReadPreferenceMode {
    /// The camelCase name used in URIs and `$readPreference`.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadPreferenceMode::Primary => "primary",
            ReadPreferenceMode::PrimaryPreferred => "primaryPreferred",
            ReadPreferenceMode::Secondary => "secondary",
            ReadPreferenceMode::SecondaryPreferred => "secondaryPreferred",
            ReadPreferenceMode::Nearest => "nearest",
        }
    }

    /// Parses a mode name, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        let all = [
            ReadPreferenceMode::Primary,
            ReadPreferenceMode::PrimaryPreferred,
            ReadPreferenceMode::Secondary,
            ReadPreferenceMode::SecondaryPreferred,
            ReadPreferenceMode::Nearest,
        ];
        all.into_iter().find(|m| m.as_str().eq_ignore_ascii_case(s))
    }
}

impl std::fmt::Display for ReadPreferenceMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One tag set: every pair must match a member's tags. The empty set matches every member.
pub type TagSet = Tags;

/// A full read preference.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReadPreference {
    pub mode: ReadPreferenceMode,
    /// Ordered tag sets; the first one that matches any eligible member wins.
    /// Empty means "no tag constraint".
    pub tag_sets: Vec<TagSet>,
    /// maxStalenessSeconds (None = no limit; the spec's -1).
    pub max_staleness: Option<Duration>,
}

impl ReadPreference {
    /// Mode only, no tags, no staleness limit.
    pub fn new(mode: ReadPreferenceMode) -> Self {
        ReadPreference {
            mode,
            tag_sets: Vec::new(),
            max_staleness: None,
        }
    }

    /// The primary read preference.
    pub fn primary() -> Self {
        Self::new(ReadPreferenceMode::Primary)
    }

    /// The `$readPreference` document sent to a server.
    pub fn to_document(&self) -> bson::Document {
        let mut d = bson::doc! { "mode": self.mode.as_str() };
        if !self.tag_sets.is_empty() {
            let sets: Vec<bson::Bson> = self
                .tag_sets
                .iter()
                .map(|t| {
                    let mut doc = bson::Document::new();
                    for (k, v) in t {
                        doc.insert(k.clone(), v.clone());
                    }
                    bson::Bson::Document(doc)
                })
                .collect();
            d.insert("tags", sets);
        }
        if let Some(s) = self.max_staleness {
            d.insert("maxStalenessSeconds", s.as_secs() as i64);
        }
        d
    }
}
