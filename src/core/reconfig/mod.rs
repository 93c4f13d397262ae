//! Planning a replica-set config change without I/O: parse a config document as
//! `replSetGetConfig` returns it (unknown fields and `settings` kept intact), apply a change
//! (`member add` / `remove` / `set`, or a whole new config), diff two configs member by member and
//! field by field ([`diff`]), list every problem before anything changes ([`checks`]), and split
//! the change into the sequence of reconfigs mongod's safe-reconfig rule accepts ([`steps`]).
//!
//! The rules are mongod 7.0/8.0's (`repl_set_config.cpp`, `member_config.cpp`,
//! `repl_set_config_checks.cpp`); where they live is named next to each check.

pub mod checks;
pub mod diff;
pub mod steps;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use bson::{Bson, Document};

use crate::core::description::Tags;

/// mongod's `kMaxMembers`.
pub const MAX_MEMBERS: usize = 50;
/// mongod's `kMaxVotingMembers`.
pub const MAX_VOTING_MEMBERS: usize = 7;

/// A number of any BSON numeric type, as f64.
fn number(v: &Bson) -> Option<f64> {
    match v {
        Bson::Int32(i) => Some(*i as f64),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        _ => None,
    }
}

/// Equal as values: numbers by value whatever their BSON type (a config written as JSON turns
/// Int64 fields into Int32), documents and arrays element by element.
pub fn same(a: &Bson, b: &Bson) -> bool {
    match (a, b) {
        (Bson::Document(x), Bson::Document(y)) => same_doc(x, y),
        (Bson::Array(x), Bson::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b))
        }
        _ => match (number(a), number(b)) {
            (Some(x), Some(y)) => x == y,
            _ => a == b,
        },
    }
}

/// [`same`] for documents: the same keys in the same order, with the same values.
pub fn same_doc(a: &Document, b: &Document) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
}

/// A boolean as mongod reads one (numbers count: non-zero is true).
fn boolean(v: &Bson) -> Option<bool> {
    match v {
        Bson::Boolean(b) => Some(*b),
        other => number(other).map(|n| n != 0.0),
    }
}

/// `host:port` in the form configs are compared by: lower-cased, `:27017` added when no port.
pub fn host_key(host: &str) -> String {
    match crate::core::address::ServerAddress::parse(host.trim()) {
        Ok(a) => a.to_string(),
        Err(_) => host.trim().to_ascii_lowercase(),
    }
}

/// One member of a config: its document as the server sent it (every field kept, in order),
/// read through accessors that apply mongod's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    doc: Document,
}

impl Member {
    /// Checks the types of the fields rsctl reads; `at` names the member in errors.
    pub fn parse(at: &str, doc: Document) -> Result<Member, String> {
        match doc.get("_id").and_then(number) {
            Some(n) if n.fract() == 0.0 && n >= 0.0 => {}
            Some(_) => return Err(format!("{at}: _id must be a non-negative integer")),
            None => return Err(format!("{at}: no integer _id")),
        }
        match doc.get("host") {
            Some(Bson::String(h)) if !h.trim().is_empty() => {}
            _ => return Err(format!("{at}: no host string")),
        }
        for f in ["priority", "votes", "secondaryDelaySecs", "slaveDelay"] {
            if let Some(v) = doc.get(f) {
                if number(v).is_none() {
                    return Err(format!("{at}: {f} must be a number, found {v}"));
                }
            }
        }
        for f in ["arbiterOnly", "hidden", "buildIndexes", "newlyAdded"] {
            if let Some(v) = doc.get(f) {
                if boolean(v).is_none() {
                    return Err(format!("{at}: {f} must be a boolean, found {v}"));
                }
            }
        }
        if let Some(t) = doc.get("tags") {
            let Bson::Document(t) = t else {
                return Err(format!("{at}: tags must be a document"));
            };
            if let Some((k, _)) = t.iter().find(|(_, v)| !matches!(v, Bson::String(_))) {
                return Err(format!("{at}: tag {k} must be a string"));
            }
        }
        Ok(Member { doc })
    }

    /// A new member document: `{_id, host}`.
    pub fn new(id: i64, host: &str) -> Member {
        let mut doc = Document::new();
        doc.insert("_id", id as i32);
        doc.insert("host", host);
        Member { doc }
    }

    /// The member document, every field included.
    pub fn doc(&self) -> &Document {
        &self.doc
    }

    /// `_id`.
    pub fn id(&self) -> i64 {
        self.doc.get("_id").and_then(number).unwrap_or(-1.0) as i64
    }

    /// `host` as written.
    pub fn host(&self) -> &str {
        self.doc.get_str("host").unwrap_or("")
    }

    /// `arbiterOnly` (default false).
    pub fn arbiter(&self) -> bool {
        self.flag("arbiterOnly", false)
    }

    /// `hidden` (default false).
    pub fn hidden(&self) -> bool {
        self.flag("hidden", false)
    }

    /// `buildIndexes` (default true).
    pub fn build_indexes(&self) -> bool {
        self.flag("buildIndexes", true)
    }

    /// `newlyAdded` (only a user-supplied config carries it; replSetGetConfig hides it).
    pub fn newly_added(&self) -> bool {
        self.flag("newlyAdded", false)
    }

    fn flag(&self, field: &str, default: bool) -> bool {
        self.doc.get(field).and_then(boolean).unwrap_or(default)
    }

    /// `votes` (default 1).
    pub fn votes(&self) -> f64 {
        self.doc.get("votes").and_then(number).unwrap_or(1.0)
    }

    /// `priority` (default 1, 0 for an arbiter).
    pub fn priority(&self) -> f64 {
        let default = if self.arbiter() { 0.0 } else { 1.0 };
        self.doc.get("priority").and_then(number).unwrap_or(default)
    }

    /// `secondaryDelaySecs` (or the pre-5.0 `slaveDelay`; default 0).
    pub fn secondary_delay_secs(&self) -> f64 {
        self.doc
            .get("secondaryDelaySecs")
            .or_else(|| self.doc.get("slaveDelay"))
            .and_then(number)
            .unwrap_or(0.0)
    }

    /// `tags` (default none).
    pub fn tags(&self) -> Tags {
        match self.doc.get("tags") {
            Some(Bson::Document(d)) => d
                .iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .collect(),
            _ => Tags::new(),
        }
    }

    /// mongod's `isVoter()` for a config as sent: `votes ≠ 0`.
    pub fn is_voter(&self) -> bool {
        self.votes() != 0.0
    }

    /// Can stand for election: priority > 0 and not an arbiter.
    pub fn electable(&self) -> bool {
        self.priority() > 0.0 && !self.arbiter()
    }

    /// Sets a field.
    pub fn set(&mut self, field: &str, value: impl Into<Bson>) {
        self.doc.insert(field, value.into());
    }

    /// Removes a field (mongod then applies its default).
    pub fn unset(&mut self, field: &str) {
        self.doc.remove(field);
    }

    /// Sets the secondary delay (writes `secondaryDelaySecs`, drops a legacy `slaveDelay`).
    pub fn set_secondary_delay(&mut self, secs: i64) {
        self.doc.remove("slaveDelay");
        self.doc.insert("secondaryDelaySecs", secs);
    }

    /// Replaces the tags.
    pub fn set_tags(&mut self, tags: &Tags) {
        let d: Document = tags
            .iter()
            .map(|(k, v)| (k.clone(), Bson::String(v.clone())))
            .collect();
        self.doc.insert("tags", d);
    }
}

/// A replica set config: the document (everything but `members`, kept as sent) and its members.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    doc: Document,
    /// The members, in config order.
    pub members: Vec<Member>,
}

impl Config {
    /// Parses a config document (`replSetGetConfig`'s `config`, or a file).
    pub fn parse(doc: &Document) -> Result<Config, String> {
        match doc.get("_id") {
            Some(Bson::String(s)) if !s.is_empty() => {}
            _ => return Err("the config has no string _id (the set name)".into()),
        }
        let Some(Bson::Array(list)) = doc.get("members") else {
            return Err("the config has no members array".into());
        };
        let mut members = Vec::with_capacity(list.len());
        for (i, m) in list.iter().enumerate() {
            let Bson::Document(m) = m else {
                return Err(format!("members.{i} is not a document"));
            };
            members.push(Member::parse(&format!("members.{i}"), m.clone())?);
        }
        if let Some(v) = doc.get("version") {
            if number(v).is_none() {
                return Err(format!("version must be a number, found {v}"));
            }
        }
        if let Some(Bson::Document(_)) | None = doc.get("settings") {
        } else {
            return Err("settings must be a document".into());
        }
        let mut doc = doc.clone();
        doc.remove("members");
        Ok(Config { doc, members })
    }

    /// The set name (`_id`).
    pub fn set_name(&self) -> &str {
        self.doc.get_str("_id").unwrap_or("")
    }

    /// `version` (1 when absent, as mongod reads it).
    pub fn version(&self) -> i64 {
        self.doc.get("version").and_then(number).unwrap_or(1.0) as i64
    }

    /// `term`, when the config carries one (4.4+).
    pub fn term(&self) -> Option<i64> {
        self.doc.get("term").and_then(number).map(|t| t as i64)
    }

    /// Sets `version`.
    pub fn set_version(&mut self, version: i64) {
        self.doc.insert("version", version as i32);
    }

    /// The fields besides `members` (`_id`, `version`, `term`, `settings`, ...).
    pub fn fields(&self) -> &Document {
        &self.doc
    }

    /// The whole document, `members` where the server puts it (after `term`/`version`).
    pub fn to_document(&self) -> Document {
        let members: Vec<Bson> = self
            .members
            .iter()
            .map(|m| Bson::Document(m.doc.clone()))
            .collect();
        let mut out = Document::new();
        let mut placed = false;
        for (k, v) in &self.doc {
            out.insert(k.clone(), v.clone());
            if !placed && (k == "term" || (k == "version" && !self.doc.contains_key("term"))) {
                out.insert("members", members.clone());
                placed = true;
            }
        }
        if !placed {
            out.insert("members", members);
        }
        out
    }

    /// The document to send with `replSetReconfig` at `version`: the server sets `term` itself
    /// (it is dropped) and refuses a user-supplied `newlyAdded` (dropped too).
    pub fn for_reconfig(&self, version: i64) -> Document {
        let mut c = self.clone();
        c.set_version(version);
        c.doc.remove("term");
        for m in &mut c.members {
            m.doc.remove("newlyAdded");
        }
        c.to_document()
    }

    /// The member at `host`, if any.
    pub fn member_by_host(&self, host: &str) -> Option<&Member> {
        let k = host_key(host);
        self.members.iter().find(|m| host_key(m.host()) == k)
    }

    /// The member with `_id` `id`, if any.
    pub fn member_by_id(&self, id: i64) -> Option<&Member> {
        self.members.iter().find(|m| m.id() == id)
    }

    /// The `_id` a new member gets: one more than the largest (as mongosh's `rs.add` picks).
    pub fn next_id(&self) -> i64 {
        self.members
            .iter()
            .map(Member::id)
            .max()
            .map_or(0, |m| m + 1)
    }

    /// The `_id`s of the voting members (`votes ≠ 0`).
    pub fn voters(&self) -> BTreeSet<i64> {
        self.members
            .iter()
            .filter(|m| m.is_voter())
            .map(Member::id)
            .collect()
    }

    /// How many votes a majority of the voting members is.
    pub fn majority(&self) -> usize {
        self.voters().len() / 2 + 1
    }
}

/// A change to apply to the current config.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// `rsctl member add`.
    Add(AddMember),
    /// `rsctl member remove HOST:PORT`.
    Remove {
        /// The member to remove.
        host: String,
    },
    /// `rsctl member set`.
    Set(SetMember),
    /// `rsctl reconfig --config FILE`: the whole new config (its version is ignored).
    Replace(Config),
}

/// What `member add` asks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AddMember {
    /// `HOST:PORT`.
    pub host: String,
    /// Tags from `HOST:PORT,tag=value,...`.
    pub tags: Tags,
    /// `--priority` (default 1, or 0 for a hidden, delayed, non-voting member or an arbiter).
    pub priority: Option<f64>,
    /// `--votes` (default 1).
    pub votes: Option<i64>,
    /// `--hidden`.
    pub hidden: bool,
    /// `--arbiter`.
    pub arbiter: bool,
    /// `--secondary-delay`, in seconds.
    pub secondary_delay_secs: Option<i64>,
}

/// What `member set` asks for (None: leave as is).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SetMember {
    /// The member to change.
    pub host: String,
    /// `--priority`.
    pub priority: Option<f64>,
    /// `--votes`.
    pub votes: Option<i64>,
    /// `--tag k=v`, in order.
    pub tag: Vec<(String, String)>,
    /// `--untag k`.
    pub untag: Vec<String>,
    /// `--hidden` / `--no-hidden`.
    pub hidden: Option<bool>,
    /// `--secondary-delay`, in seconds.
    pub secondary_delay_secs: Option<i64>,
}

/// The outcome of [`apply`]: the new config and notes on what rsctl chose for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// The target config (version not yet set: each step gets its own).
    pub config: Config,
    /// What rsctl decided on its own (a priority set to 0, a dropped `newlyAdded`...).
    pub notes: Vec<String>,
}

/// Applies `change` to `current`. Errors are the user's (a host not in the set, already in it,
/// another set name): they are usage errors, reported before any check.
pub fn apply(current: &Config, change: &Change) -> Result<Applied, String> {
    let mut notes = Vec::new();
    let mut cfg = current.clone();
    match change {
        Change::Add(a) => {
            if let Some(m) = current.member_by_host(&a.host) {
                return Err(format!(
                    "{} is already a member of {} (_id {})",
                    a.host,
                    current.set_name(),
                    m.id()
                ));
            }
            let mut m = Member::new(current.next_id(), &a.host);
            if a.arbiter {
                m.set("arbiterOnly", true);
            }
            let votes = a.votes.unwrap_or(1);
            if a.votes.is_some() || votes != 1 {
                m.set("votes", votes as i32);
            }
            let implied_zero = a.hidden
                || a.arbiter
                || votes == 0
                || a.secondary_delay_secs.is_some_and(|s| s > 0);
            match a.priority {
                Some(p) => m.set("priority", p),
                None if implied_zero => {
                    m.set("priority", 0.0);
                    if !a.arbiter {
                        notes.push(format!(
                            "{}: priority 0 (a hidden, delayed or non-voting member cannot be elected)",
                            a.host
                        ));
                    }
                }
                None => {}
            }
            if a.hidden {
                m.set("hidden", true);
            }
            if let Some(s) = a.secondary_delay_secs {
                m.set_secondary_delay(s);
            }
            if !a.tags.is_empty() {
                m.set_tags(&a.tags);
            }
            cfg.members.push(m);
        }
        Change::Remove { host } => {
            let Some(i) = current
                .members
                .iter()
                .position(|m| host_key(m.host()) == host_key(host))
            else {
                return Err(not_a_member(current, host));
            };
            cfg.members.remove(i);
        }
        Change::Set(s) => {
            let Some(i) = current
                .members
                .iter()
                .position(|m| host_key(m.host()) == host_key(&s.host))
            else {
                return Err(not_a_member(current, &s.host));
            };
            let m = &mut cfg.members[i];
            if let Some(v) = s.votes {
                m.set("votes", v as i32);
            }
            if let Some(h) = s.hidden {
                m.set("hidden", h);
            }
            if let Some(d) = s.secondary_delay_secs {
                m.set_secondary_delay(d);
            }
            match s.priority {
                Some(p) => m.set("priority", p),
                None => {
                    let implied_zero = s.hidden == Some(true)
                        || s.votes == Some(0)
                        || s.secondary_delay_secs.is_some_and(|d| d > 0);
                    if implied_zero && m.priority() > 0.0 && !m.arbiter() {
                        m.set("priority", 0.0);
                        notes.push(format!(
                            "{}: priority 0 (a hidden, delayed or non-voting member cannot be elected)",
                            s.host
                        ));
                    }
                }
            }
            if !s.tag.is_empty() || !s.untag.is_empty() {
                let mut tags = m.tags();
                for k in &s.untag {
                    if tags.remove(k).is_none() {
                        notes.push(format!("{}: had no tag {k}", s.host));
                    }
                }
                for (k, v) in &s.tag {
                    tags.insert(k.clone(), v.clone());
                }
                m.set_tags(&tags);
            }
        }
        Change::Replace(new) => {
            if new.set_name() != current.set_name() {
                return Err(format!(
                    "the new config is for set {}, the deployment is set {}",
                    new.set_name(),
                    current.set_name()
                ));
            }
            cfg = new.clone();
            for m in &mut cfg.members {
                if m.doc.remove("newlyAdded").is_some() {
                    notes.push(format!(
                        "{}: newlyAdded dropped (mongod sets it itself and refuses it from a user)",
                        m.host()
                    ));
                }
            }
            // Settings the server generated are kept when the file leaves them out.
            if let (Some(Bson::Document(old)), new_settings) = (
                current.doc.get("settings"),
                cfg.doc.get("settings").cloned(),
            ) {
                if let Some(id) = old.get("replicaSetId") {
                    let mut s = match new_settings {
                        Some(Bson::Document(s)) => s,
                        _ => Document::new(),
                    };
                    if !s.contains_key("replicaSetId") {
                        s.insert("replicaSetId", id.clone());
                        cfg.doc.insert("settings", s);
                    }
                }
            }
        }
    }
    // rsctl sets the version of each step and mongod the term: the target keeps the current
    // ones, so the diff shows what the user changed.
    cfg.doc.insert("version", current.version() as i32);
    match current.doc.get("term") {
        Some(t) => cfg.doc.insert("term", t.clone()),
        None => cfg.doc.remove("term"),
    };
    Ok(Applied { config: cfg, notes })
}

fn not_a_member(current: &Config, host: &str) -> String {
    let hosts: Vec<&str> = current.members.iter().map(Member::host).collect();
    format!(
        "{host} is not a member of {} (members: {})",
        current.set_name(),
        hosts.join(", ")
    )
}
