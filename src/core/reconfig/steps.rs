//! Splitting a config change into the reconfigs mongod's safe-reconfig rule accepts.
//!
//! The rule (`validateSingleNodeChange` in `repl_set_config_checks.cpp`): the sets of `_id`s of
//! the voting members (`votes ≠ 0`, arbiters included) of the old and new config may differ by at
//! most one. Priority changes do not count; flipping a member's votes is one change. A member
//! whose `_id` is new, with `votes: 1`, that is not an arbiter is exempt: mongod adds it as
//! `newlyAdded` (not a voter) and makes it one itself, once it reaches SECONDARY.
//!
//! So every change is cut into units, one per member (a member's fields always change together,
//! so no step pairs a voting member with a priority it cannot hold) plus one for the top-level
//! fields. Units that remove a voter come first, then those that add one, one per step; the
//! other units join the earliest step they keep valid. Every step passes
//! [`super::checks::static_problems`], so no step breaks the 7-voter limit.

use bson::Document;

use super::checks::static_problems;
use super::{Config, Member};

/// One reconfig of the sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The config to send (its version set: the current version + the step's number).
    pub config: Config,
    /// What this step does, one line per member (`remove h:1 (voting)`...).
    pub changes: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Takes a voter away (a voting member removed, or its votes set to 0).
    Demote,
    /// Adds a voter that counts (an existing member's votes set to 1, a new arbiter).
    Promote,
    /// A new voting member: mongod flags it newlyAdded, so it does not count.
    NewVoter,
    /// Changes no voter.
    Free,
}

#[derive(Debug, Clone)]
enum Op {
    Remove(i64),
    Put(Member),
    TopLevel,
}

#[derive(Debug, Clone)]
struct Unit {
    kind: Kind,
    op: Op,
    text: String,
}

fn units(current: &Config, target: &Config) -> Vec<Unit> {
    let mut out = Vec::new();
    for o in &current.members {
        if target.member_by_id(o.id()).is_none() {
            let voting = o.is_voter();
            out.push(Unit {
                kind: if voting { Kind::Demote } else { Kind::Free },
                op: Op::Remove(o.id()),
                text: format!(
                    "remove {}{}",
                    o.host(),
                    if voting { " (voting)" } else { "" }
                ),
            });
        }
    }
    for n in &target.members {
        match current.member_by_id(n.id()) {
            None => {
                let (kind, what) = match (n.is_voter(), n.arbiter()) {
                    (true, false) => (
                        Kind::NewVoter,
                        " (voting: mongod adds it as newlyAdded and counts its vote once it is SECONDARY)",
                    ),
                    (true, true) => (Kind::Promote, " (arbiter, voting)"),
                    (false, _) => (Kind::Free, " (non-voting)"),
                };
                out.push(Unit {
                    kind,
                    op: Op::Put(n.clone()),
                    text: format!("add {}{what}", n.host()),
                });
            }
            Some(o) if !super::same_doc(o.doc(), n.doc()) => {
                let (kind, what) = match (o.is_voter(), n.is_voter()) {
                    (true, false) => (Kind::Demote, " (votes 1 → 0)"),
                    (false, true) => (Kind::Promote, " (votes 0 → 1)"),
                    _ => (Kind::Free, ""),
                };
                out.push(Unit {
                    kind,
                    op: Op::Put(n.clone()),
                    text: format!("change {}{what}", n.host()),
                });
            }
            Some(_) => {}
        }
    }
    let top = |c: &Config| {
        let mut d = c.fields().clone();
        d.remove("version");
        d.remove("term");
        d
    };
    if !super::same_doc(&top(current), &top(target)) {
        out.push(Unit {
            kind: Kind::Free,
            op: Op::TopLevel,
            text: "change the set's settings".into(),
        });
    }
    out
}

fn apply(state: &mut Config, unit: &Unit, target: &Config) {
    match &unit.op {
        Op::Remove(id) => state.members.retain(|m| m.id() != *id),
        Op::Put(m) => match state.members.iter_mut().find(|x| x.id() == m.id()) {
            Some(slot) => *slot = m.clone(),
            None => state.members.push(m.clone()),
        },
        Op::TopLevel => {
            let (version, term) = (
                state.fields().get("version").cloned(),
                state.fields().get("term").cloned(),
            );
            let mut d = target.fields().clone();
            d.remove("version");
            d.remove("term");
            if let Some(v) = version {
                d.insert("version", v);
            }
            if let Some(t) = term {
                d.insert("term", t);
            }
            *state = Config {
                doc: d,
                members: std::mem::take(&mut state.members),
            };
        }
    }
}

/// The voting `_id`s of `cfg` that count against `prev` under mongod's rule: new members with
/// `votes: 1` that are not arbiters are left out (they arrive as `newlyAdded`).
pub fn counted_voters(prev: &Config, cfg: &Config) -> std::collections::BTreeSet<i64> {
    cfg.members
        .iter()
        .filter(|m| m.is_voter())
        .filter(|m| prev.member_by_id(m.id()).is_some() || m.arbiter())
        .map(Member::id)
        .collect()
}

/// The reconfigs that take `current` to `target`, in order; empty when nothing changes.
/// `target` must pass the static checks (the steps are built to pass them too); an error says
/// why no valid sequence was found.
pub fn split(current: &Config, target: &Config) -> Result<Vec<Step>, String> {
    let mut pending = units(current, target);
    let mut state = current.clone();
    let mut steps: Vec<Step> = Vec::new();
    while !pending.is_empty() {
        let mut order: Vec<usize> = Vec::new();
        order.extend((0..pending.len()).filter(|&i| pending[i].kind == Kind::Demote));
        order.extend((0..pending.len()).filter(|&i| pending[i].kind == Kind::Promote));
        let counting: Vec<Option<usize>> = order
            .into_iter()
            .map(Some)
            .chain(std::iter::once(None))
            .collect();
        let free: Vec<usize> = (0..pending.len())
            .filter(|&i| matches!(pending[i].kind, Kind::Free | Kind::NewVoter))
            .collect();
        let mut made: Option<(Config, Vec<usize>)> = None;
        for choice in counting {
            let mut cand = state.clone();
            let mut used = Vec::new();
            if let Some(i) = choice {
                apply(&mut cand, &pending[i], target);
                used.push(i);
            }
            // Every other unit at once if that is valid; else one by one, keeping those that
            // do not add a problem.
            let mut all = cand.clone();
            for &i in &free {
                apply(&mut all, &pending[i], target);
            }
            if static_problems(&all).is_empty() {
                used.extend(&free);
                made = Some((all, used));
                break;
            }
            let mut progress = true;
            let mut left: Vec<usize> = free.clone();
            while progress {
                progress = false;
                let before = static_problems(&cand).len();
                for k in 0..left.len() {
                    let mut next = cand.clone();
                    apply(&mut next, &pending[left[k]], target);
                    if static_problems(&next).len() <= before {
                        cand = next;
                        used.push(left.remove(k));
                        progress = true;
                        break;
                    }
                }
            }
            if !used.is_empty() && static_problems(&cand).is_empty() {
                made = Some((cand, used));
                break;
            }
        }
        let Some((next, mut used)) = made else {
            let left: Vec<&str> = pending.iter().map(|u| u.text.as_str()).collect();
            return Err(format!(
                "no sequence of single-vote reconfigs reaches the new config: every next step \
                 would break a rule ({}); split the change yourself or use --force",
                left.join("; ")
            ));
        };
        used.sort_unstable();
        let changes = used.iter().map(|&i| pending[i].text.clone()).collect();
        for i in used.into_iter().rev() {
            pending.remove(i);
        }
        let mut config = next.clone();
        config.set_version(current.version() + steps.len() as i64 + 1);
        steps.push(Step { config, changes });
        state = next;
    }
    if let Some(last) = steps.last_mut() {
        let sorted = |c: &Config| {
            let mut m: Vec<Document> = c.members.iter().map(|m| m.doc().clone()).collect();
            m.sort_by_key(|d| d.get("_id").map(|v| v.to_string()));
            let mut f = c.fields().clone();
            f.remove("version");
            f.remove("term");
            (f, m)
        };
        let (a, b) = (sorted(&last.config), sorted(target));
        let same = super::same_doc(&a.0, &b.0)
            && a.1.len() == b.1.len()
            && a.1.iter().zip(&b.1).all(|(x, y)| super::same_doc(x, y));
        if !same {
            return Err("internal error: the steps do not end at the new config".into());
        }
        // The same members and fields as the target: take the target's member order.
        let version = last.config.version();
        last.config = target.clone();
        last.config.set_version(version);
    }
    Ok(steps)
}
