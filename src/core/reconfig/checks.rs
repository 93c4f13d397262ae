//! Pre-flight checks of a config change, every problem reported at once: the static rules a
//! config must follow (mongod's `ReplSetConfig::_validate` and `MemberConfig`), the rules of the
//! change itself (`validateConfigForReconfig`: no `arbiterOnly`/`buildIndexes` toggles, stable
//! `_id`s, the primary stays electable and in the set) and what the world looks like now (new
//! members reachable and fresh, a majority of the new voters reachable) — the latter passed in as
//! an [`Environment`], so this module does no I/O.

use std::collections::{BTreeMap, BTreeSet};

use super::{host_key, Config, MAX_MEMBERS, MAX_VOTING_MEMBERS};

/// What rsctl found at a member to be added (from a `hello` sent from where rsctl runs).
#[derive(Debug, Clone, PartialEq)]
pub enum NewMemberProbe {
    /// Answers, runs with `--replSet`, has no config yet.
    Ready,
    /// Could not be reached; the reason.
    Unreachable(String),
    /// Answers but was not started with `--replSet`.
    NotReplicaSet,
    /// Already has a config of set `set`.
    Initiated {
        /// Its set name.
        set: String,
    },
}

/// The world the change is checked against.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    /// The current primary's host.
    pub primary: Option<String>,
    /// Hosts (any spelling; compared by [`host_key`]) that answer now.
    pub reachable: BTreeSet<String>,
    /// What was found at each member to be added (keyed by [`host_key`]).
    pub new_members: BTreeMap<String, NewMemberProbe>,
    /// A force reconfig (recovery without a primary): no primary and majority rules.
    pub force: bool,
}

/// The verdict: problems stop the change; warnings are printed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Checks {
    /// What must be fixed first.
    pub problems: Vec<String>,
    /// What the user should know.
    pub warnings: Vec<String>,
}

fn num(x: f64) -> String {
    if x.fract() == 0.0 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The rules any config must follow on its own (what mongod answers with
/// InvalidReplicaSetConfig 93 or NewReplicaSetConfigurationIncompatible 103).
pub fn static_problems(cfg: &Config) -> Vec<String> {
    let mut p = Vec::new();
    let n = cfg.members.len();
    if n == 0 || n > MAX_MEMBERS {
        p.push(format!(
            "the config has {n} members; a replica set has 1 to {MAX_MEMBERS}"
        ));
    }
    let voters = cfg.members.iter().filter(|m| m.is_voter()).count();
    if voters == 0 || voters > MAX_VOTING_MEMBERS {
        p.push(format!(
            "the config has {voters} voting members; mongod allows 1 to {MAX_VOTING_MEMBERS} \
             (give the others --votes 0, which needs priority 0)"
        ));
    }
    let mut ids = BTreeSet::new();
    let mut hosts = BTreeSet::new();
    let mut arbiters = Vec::new();
    for m in &cfg.members {
        let h = m.host();
        if !ids.insert(m.id()) {
            p.push(format!("_id {} is used by more than one member", m.id()));
        }
        if !hosts.insert(host_key(h)) {
            p.push(format!("{h} is listed more than once"));
        }
        let (votes, prio) = (m.votes(), m.priority());
        if votes != 0.0 && votes != 1.0 {
            p.push(format!("{h}: votes is {}; it must be 0 or 1", num(votes)));
        }
        if !(0.0..=1000.0).contains(&prio) {
            p.push(format!(
                "{h}: priority {} is out of range (0 to 1000)",
                num(prio)
            ));
        }
        if m.secondary_delay_secs() < 0.0 {
            p.push(format!("{h}: secondaryDelaySecs must not be negative"));
        }
        if m.arbiter() {
            arbiters.push(h.to_string());
            if votes == 0.0 {
                p.push(format!("{h}: an arbiter must vote (votes 1)"));
            }
            if prio != 0.0 {
                p.push(format!("{h}: an arbiter's priority must be 0"));
            }
            continue;
        }
        if prio > 0.0 {
            if votes == 0.0 {
                p.push(format!(
                    "{h}: priority must be 0 when non-voting (votes 0); it is {}",
                    num(prio)
                ));
            }
            if m.hidden() {
                p.push(format!(
                    "{h}: priority must be 0 when hidden; it is {}",
                    num(prio)
                ));
            }
            if m.secondary_delay_secs() > 0.0 {
                p.push(format!(
                    "{h}: priority must be 0 when secondaryDelaySecs is set (a delayed member); it is {}",
                    num(prio)
                ));
            }
            if !m.build_indexes() {
                p.push(format!(
                    "{h}: priority must be 0 when buildIndexes is false; it is {}",
                    num(prio)
                ));
            }
        }
    }
    if arbiters.len() > 1 {
        p.push(format!(
            "{} arbiters ({}): mongod refuses more than one unless every member runs with \
             --setParameter allowMultipleArbiters=true",
            arbiters.len(),
            arbiters.join(", ")
        ));
    }
    if !cfg.members.is_empty() && !cfg.members.iter().any(|m| m.electable()) {
        p.push("no member could be elected: every member is an arbiter or has priority 0".into());
    }
    p
}

/// Every problem of changing `current` into `target` in `env`, and the warnings.
pub fn check(current: &Config, target: &Config, env: &Environment) -> Checks {
    let mut c = Checks {
        problems: static_problems(target),
        warnings: Vec::new(),
    };
    for n in &target.members {
        if let Some(o) = current.member_by_id(n.id()) {
            if o.arbiter() != n.arbiter() {
                c.problems.push(format!(
                    "{}: arbiterOnly cannot change in a reconfig; remove the member, then add it back",
                    n.host()
                ));
            }
            if o.build_indexes() != n.build_indexes() {
                c.problems.push(format!(
                    "{}: buildIndexes cannot change in a reconfig; remove the member, then add it back \
                     (with an empty data directory)",
                    n.host()
                ));
            }
        }
        if let Some(o) = current.member_by_host(n.host()) {
            if o.id() != n.id() {
                c.problems.push(format!(
                    "{}: its _id is {} in the current config and {} in the new one; a member keeps its _id",
                    n.host(),
                    o.id(),
                    n.id()
                ));
            }
        }
    }
    if !env.force {
        if let Some(p) = env.primary.as_deref() {
            match (current.member_by_host(p), target.member_by_host(p)) {
                (Some(_), None) => c.problems.push(format!(
                    "{p} is the primary: removing it is refused; step it down first \
                     (rsctl stepdown), then remove it"
                )),
                (_, Some(m)) if !m.electable() || !m.is_voter() => c.problems.push(format!(
                    "{p} is the primary and would no longer be electable; step it down first \
                     (rsctl stepdown)"
                )),
                _ => {}
            }
        }
    }
    let new_hosts: Vec<&str> = target
        .members
        .iter()
        .filter(|m| current.member_by_host(m.host()).is_none())
        .map(|m| m.host())
        .collect();
    for h in &new_hosts {
        match env.new_members.get(&host_key(h)) {
            Some(NewMemberProbe::Ready) => {}
            Some(NewMemberProbe::Unreachable(why)) => c.problems.push(format!(
                "{h}: new member not reachable: {why} (host names are resolved from where rsctl \
                 runs; the members must reach {h} too)"
            )),
            Some(NewMemberProbe::NotReplicaSet) => c.problems.push(format!(
                "{h}: new member was not started with --replSet {}",
                target.set_name()
            )),
            Some(NewMemberProbe::Initiated { set }) if set == target.set_name() => {
                c.warnings.push(format!(
                    "{h} already holds a config of set {set} (a member removed earlier?); it \
                     rejoins with the data it has"
                ))
            }
            Some(NewMemberProbe::Initiated { set }) => c.problems.push(format!(
                "{h}: new member already belongs to another replica set ({set}); it needs an \
                 empty data directory and --replSet {}",
                target.set_name()
            )),
            None => c
                .problems
                .push(format!("{h}: new member was not checked (internal)")),
        }
    }
    if !new_hosts.is_empty() {
        c.warnings.push(
            "host names are resolved from where rsctl runs; the members resolve them \
             themselves, so a name that works here may not work there"
                .into(),
        );
    }
    if !env.force {
        let reachable = |h: &str| {
            let k = host_key(h);
            env.reachable.iter().any(|r| host_key(r) == k)
                || env.new_members.get(&k) == Some(&NewMemberProbe::Ready)
        };
        let voters: Vec<&str> = target
            .members
            .iter()
            .filter(|m| m.is_voter())
            .map(|m| m.host())
            .collect();
        let up = voters.iter().filter(|h| reachable(h)).count();
        let need = voters.len() / 2 + 1;
        if !voters.is_empty() && up < need {
            let down: Vec<&str> = voters.iter().copied().filter(|h| !reachable(h)).collect();
            c.problems.push(format!(
                "only {up} of the {} voting members of the new config are reachable now \
                 (not: {}); a majority ({need}) must be, or the change can never be committed",
                voters.len(),
                down.join(", ")
            ));
        }
    }
    c
}
