//! The difference between two configs: members added, removed and changed (matched by `_id`, as
//! mongod matches them), field by field, plus the changed top-level fields and `settings`.
//! Known member fields are compared by their effective value (a missing `priority` equals an
//! explicit 1), so the diff shows what the server will do differently, not spelling.

use bson::{Bson, Document};

use super::{Config, Member};

/// One field that changed (`None`: absent on that side).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    /// The field name (`priority`, `tags`, `settings.electionTimeoutMillis`...).
    pub field: String,
    /// The value before.
    pub from: Option<Bson>,
    /// The value after.
    pub to: Option<Bson>,
}

/// A member present on both sides whose fields differ.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberChange {
    /// `_id`.
    pub id: i64,
    /// `host` after the change.
    pub host: String,
    /// What changed.
    pub fields: Vec<FieldChange>,
}

/// What a config change does.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Diff {
    /// Members only in the new config.
    pub added: Vec<Member>,
    /// Members only in the old config.
    pub removed: Vec<Member>,
    /// Members in both whose fields differ.
    pub changed: Vec<MemberChange>,
    /// Top-level fields and `settings.*` that differ (`version`, `term` and `members` left out).
    pub settings: Vec<FieldChange>,
}

impl Diff {
    /// Nothing changes.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.settings.is_empty()
    }
}

/// Member fields whose absence means a default: compared by effective value.
const KNOWN: [&str; 7] = [
    "host",
    "arbiterOnly",
    "buildIndexes",
    "hidden",
    "priority",
    "votes",
    "tags",
];

fn effective(m: &Member, field: &str) -> Bson {
    match field {
        "host" => Bson::String(m.host().to_string()),
        "arbiterOnly" => Bson::Boolean(m.arbiter()),
        "buildIndexes" => Bson::Boolean(m.build_indexes()),
        "hidden" => Bson::Boolean(m.hidden()),
        "priority" => Bson::Double(m.priority()),
        "votes" => Bson::Double(m.votes()),
        "secondaryDelaySecs" => Bson::Double(m.secondary_delay_secs()),
        "tags" => Bson::Document(
            m.tags()
                .into_iter()
                .map(|(k, v)| (k, Bson::String(v)))
                .collect(),
        ),
        _ => Bson::Null,
    }
}

/// The value to show: integral doubles as integers (`priority 1 → 0`, not `1.0 → 0.0`).
fn shown(v: Bson) -> Bson {
    match v {
        Bson::Double(d) if d.fract() == 0.0 && d.abs() < 1e15 => Bson::Int64(d as i64),
        Bson::Int32(i) => Bson::Int64(i as i64),
        other => other,
    }
}

fn member_fields(old: &Member, new: &Member) -> Vec<FieldChange> {
    let mut out = Vec::new();
    for f in KNOWN.iter().copied().chain(["secondaryDelaySecs"]) {
        let (a, b) = (effective(old, f), effective(new, f));
        if a != b {
            out.push(FieldChange {
                field: f.to_string(),
                from: Some(shown(a)),
                to: Some(shown(b)),
            });
        }
    }
    let skip = |k: &str| {
        KNOWN.contains(&k) || k == "_id" || k == "secondaryDelaySecs" || k == "slaveDelay"
    };
    raw_fields(old.doc(), new.doc(), "", &skip, &mut out);
    out
}

/// Fields of two documents that differ, compared as they are (`prefix` names nested ones).
fn raw_fields(
    old: &Document,
    new: &Document,
    prefix: &str,
    skip: &dyn Fn(&str) -> bool,
    out: &mut Vec<FieldChange>,
) {
    for (k, v) in old {
        if skip(k) {
            continue;
        }
        if !new.get(k).is_some_and(|n| super::same(n, v)) {
            out.push(FieldChange {
                field: format!("{prefix}{k}"),
                from: Some(v.clone()),
                to: new.get(k).cloned(),
            });
        }
    }
    for (k, v) in new {
        if !skip(k) && !old.contains_key(k) {
            out.push(FieldChange {
                field: format!("{prefix}{k}"),
                from: None,
                to: Some(v.clone()),
            });
        }
    }
}

/// The difference from `old` to `new`.
pub fn diff(old: &Config, new: &Config) -> Diff {
    let mut d = Diff::default();
    for n in &new.members {
        match old.member_by_id(n.id()) {
            None => d.added.push(n.clone()),
            Some(o) => {
                let fields = member_fields(o, n);
                if !fields.is_empty() {
                    d.changed.push(MemberChange {
                        id: n.id(),
                        host: n.host().to_string(),
                        fields,
                    });
                }
            }
        }
    }
    for o in &old.members {
        if new.member_by_id(o.id()).is_none() {
            d.removed.push(o.clone());
        }
    }
    let top_skip = |k: &str| matches!(k, "version" | "term" | "members" | "settings");
    raw_fields(old.fields(), new.fields(), "", &top_skip, &mut d.settings);
    let settings = |c: &Config| match c.fields().get("settings") {
        Some(Bson::Document(s)) => s.clone(),
        _ => Document::new(),
    };
    raw_fields(
        &settings(old),
        &settings(new),
        "settings.",
        &|_| false,
        &mut d.settings,
    );
    d
}
