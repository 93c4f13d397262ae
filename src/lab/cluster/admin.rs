//! The admin commands: `hello` (and awaitable hello), `buildInfo`, `getParameter`,
//! `serverStatus`, and the replica-set commands `replSetInitiate`, `replSetGetStatus`,
//! `replSetGetConfig`, `replSetReconfig`, `replSetStepDown`, `replSetStepUp`, `replSetFreeze`.

use bson::{doc, oid::ObjectId, Bson, Document, Timestamp};
use rand::Rng;

use super::admin_cmd::{
    AdminCommand, Freeze, GetConfig, Hello, Initiate, Reconfig, StepDown, StepUp,
};
use super::consensus::{election_id, ElectionReason};
use super::member::{MemberState, OpTime};
use super::parked::Parked;
use super::timer::Timer;
use super::{reply, Cluster, CmdResult, Millis, Outcome, Request};
use crate::core::bson_value::true_value;
use crate::lab::error::{Code, ServerError};
use crate::lab::replconfig::{self, ConfigDefaults, ReplConfig};
use crate::lab::store::Op;

impl Cluster {
    pub(super) fn hello_reply(&self, m: usize, cmd: &Document, conn: u64) -> Document {
        let name = cmd.keys().next().map(String::as_str).unwrap_or("hello");
        let writable_key = if name == "hello" {
            "isWritablePrimary"
        } else {
            "ismaster"
        };
        let mem = &self.members[m];
        let mut d = Document::new();
        d.insert("topologyVersion", self.tv_doc(m));
        match (self.in_config(m), mem.config.as_ref()) {
            (Some(me), Some(cfg)) => {
                let visible = |f: &dyn Fn(&replconfig::MemberConfig) -> bool| -> Vec<Bson> {
                    cfg.members
                        .iter()
                        .filter(|c| !c.hidden && f(c))
                        .map(|c| Bson::String(c.host.clone()))
                        .collect()
                };
                let hosts = visible(&|c| !c.arbiter_only && c.effective_priority() > 0.0);
                let passives = visible(&|c| !c.arbiter_only && c.effective_priority() == 0.0);
                let arbiters = visible(&|c| c.arbiter_only);
                d.insert("hosts", hosts);
                if !passives.is_empty() {
                    d.insert("passives", passives);
                }
                if !arbiters.is_empty() {
                    d.insert("arbiters", arbiters);
                }
                d.insert("setName", cfg.set_name.clone());
                d.insert("setVersion", cfg.version as i32);
                d.insert(
                    writable_key,
                    mem.state == MemberState::Primary && !mem.stepping_down,
                );
                d.insert("secondary", mem.state == MemberState::Secondary);
                if let Some(p) = self.seen_primary(m) {
                    if let Some(pc) = cfg.member(p) {
                        d.insert("primary", pc.host.clone());
                    }
                }
                if me.arbiter_only {
                    d.insert("arbiterOnly", true);
                }
                if me.effective_priority() == 0.0 && !me.arbiter_only {
                    d.insert("passive", true);
                }
                if me.hidden {
                    d.insert("hidden", true);
                }
                if me.secondary_delay_secs > 0 {
                    d.insert("secondaryDelaySecs", me.secondary_delay_secs);
                }
                if !me.tags.is_empty() {
                    let mut t = Document::new();
                    for (k, v) in &me.tags {
                        t.insert(k.clone(), v.clone());
                    }
                    d.insert("tags", t);
                }
                d.insert("me", me.host.clone());
                if mem.state == MemberState::Primary {
                    d.insert("electionId", election_id(mem.term));
                }
                let last = mem.last_optime();
                let commit = mem.commit.min(last);
                d.insert(
                    "lastWrite",
                    doc! {
                        "opTime": last.to_document(),
                        "lastWriteDate": bson::DateTime::from_millis(mem.last_wall()),
                        "majorityOpTime": commit.to_document(),
                        "majorityWriteDate": bson::DateTime::from_millis(mem.wall_of(commit)),
                    },
                );
            }
            _ => {
                d.insert(writable_key, false);
                d.insert("secondary", false);
                d.insert("info", "Does not have a valid replica set config");
                d.insert("isreplicaset", true);
            }
        }
        d.insert("maxBsonObjectSize", 16_777_216_i32);
        d.insert("maxMessageSizeBytes", 48_000_000_i32);
        d.insert("maxWriteBatchSize", 100_000_i32);
        d.insert("localTime", self.member_date(m, self.clock));
        d.insert("logicalSessionTimeoutMinutes", 30_i32);
        d.insert("connectionId", conn.min(i32::MAX as u64) as i32);
        d.insert("minWireVersion", 0_i32);
        d.insert("maxWireVersion", 21_i32);
        d.insert("readOnly", false);
        if true_value(cmd.get("helloOk")) {
            d.insert("helloOk", true);
        }
        d.insert("ok", 1.0);
        d
    }

    pub(super) fn get_parameter(&self, cmd: &Document) -> Document {
        let all = matches!(cmd.get("getParameter"), Some(Bson::String(s)) if s == "*");
        let mut d = Document::new();
        let known = [
            (
                "featureCompatibilityVersion",
                Bson::Document(doc! {"version": "7.0"}),
            ),
            ("logLevel", Bson::Int32(0)),
            (
                "authenticationMechanisms",
                Bson::Array(vec!["SCRAM-SHA-1".into(), "SCRAM-SHA-256".into()]),
            ),
        ];
        for (k, v) in known {
            if all || cmd.contains_key(k) {
                d.insert(k, v);
            }
        }
        d
    }

    pub(super) fn server_status(&self, m: usize, now: Millis) -> Document {
        let mem = &self.members[m];
        let mut d = doc! {
            "host": mem.host.clone(),
            "version": "7.0.12",
            "process": "mongod",
            "pid": 1000_i64 + m as i64,
            "uptime": ((now - mem.started_at) / 1000) as f64,
            "uptimeMillis": (now - mem.started_at) as i64,
            "localTime": self.member_date(m, now),
            "connections": {"current": 1, "available": 838860},
        };
        if let (Some(cfg), Some(_)) = (mem.config.as_ref(), self.in_config(m)) {
            let mut repl = self.hello_reply(m, &doc! {"hello": 1}, 0);
            repl.remove("ok");
            repl.insert("rbid", mem.rollbacks as i32 + 1);
            let _ = cfg;
            d.insert("repl", repl);
        }
        d
    }

    /// Applies a parsed admin command.
    pub(super) fn apply_admin(
        &mut self,
        cmd: AdminCommand,
        req: &Request,
        now: Millis,
    ) -> CmdResult {
        let m = req.member;
        match cmd {
            AdminCommand::Hello(h) => self.cmd_hello(h, req, now),
            AdminCommand::Initiate(i) => self.cmd_initiate(i, m, now),
            AdminCommand::GetStatus(_) => self.cmd_status(m, now),
            AdminCommand::GetConfig(g) => self.cmd_get_config(g, m),
            AdminCommand::Reconfig(r) => self.cmd_reconfig(r, req, now),
            AdminCommand::StepDown(s) => self.cmd_stepdown(s, req, now),
            AdminCommand::StepUp(s) => self.cmd_stepup(s, m, now),
            AdminCommand::Freeze(f) => self.cmd_freeze(f, m, now),
        }
    }

    fn cmd_hello(&mut self, hello: Hello, req: &Request, now: Millis) -> CmdResult {
        if let Some(w) = hello.awaiting {
            let mem = &self.members[req.member];
            let same_process = w.process_id == Some(mem.process_id);
            if same_process && w.counter == Some(mem.tv_counter) && w.max_await_ms > 0 {
                return Ok(Outcome::Park(Parked::Hello {
                    member: req.member,
                    conn: req.conn,
                    request_id: req.request_id,
                    command: hello.command,
                    process_id: mem.process_id,
                    counter: mem.tv_counter,
                    deadline: now.saturating_add(w.max_await_ms),
                }));
            }
            if same_process && w.counter.is_some_and(|c| c > mem.tv_counter) {
                return Err(ServerError::new(
                    Code::FailedToParse,
                    format!(
                        "Topology version counter {} is greater than the server's current counter {}",
                        w.counter.unwrap_or_default(),
                        mem.tv_counter
                    ),
                ));
            }
        }
        reply(self.hello_reply(req.member, &hello.command, req.conn))
    }

    // ----- replica-set commands -----

    fn config_defaults(&self) -> ConfigDefaults {
        ConfigDefaults {
            election_timeout_ms: self.options.election_timeout_ms,
            heartbeat_interval_ms: self.options.heartbeat_interval_ms,
        }
    }

    /// Maps every member host of a parsed config to a lab member.
    fn resolve_hosts(&self, cfg: &mut ReplConfig, what: &str) -> Result<(), ServerError> {
        for mc in cfg.members.iter_mut() {
            match self.member_index(&mc.host) {
                Some(i) => mc.index = i,
                None => {
                    return Err(ServerError::node_not_found(format!(
                        "{what} quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                        mc.host
                    )))
                }
            }
        }
        for (k, mc) in cfg.members.iter().enumerate() {
            if let Some(o) = cfg.members[..k].iter().find(|o| o.index == mc.index) {
                return Err(ServerError::invalid_config(format!(
                    "Found two member configurations for the same node, {} and {}",
                    o.host, mc.host
                )));
            }
        }
        Ok(())
    }

    fn cmd_initiate(&mut self, init: Initiate, m: usize, now: Millis) -> CmdResult {
        if self.members[m].config.is_some() {
            return Err(ServerError::new(
                Code::AlreadyInitialized,
                "already initialized",
            ));
        }
        let cfg_doc = init.config.unwrap_or_else(|| {
            doc! {"_id": self.options.set_name.clone(), "version": 1, "members": [{"_id": 0, "host": self.members[m].host.clone()}]}
        });
        let rsid = ObjectId::from_bytes(self.rng.gen());
        let mut cfg = replconfig::parse_config(&cfg_doc, self.config_defaults(), rsid)?;
        if cfg.set_name != self.options.set_name {
            return Err(ServerError::invalid_config(format!(
                "Attempting to initiate a replica set with name {}, but command line reports {}; rejecting",
                cfg.set_name, self.options.set_name
            )));
        }
        self.resolve_hosts(&mut cfg, "replSetInitiate")?;
        if cfg.member(m).is_none() {
            return Err(ServerError::node_not_found(format!(
                "No host described in new configuration with {{version: {}, term: 0}} for replica set {} maps to this node",
                cfg.version, cfg.set_name
            )));
        }
        for mc in &cfg.members {
            let o = &self.members[mc.index];
            if mc.index != m && (!o.active() || !self.can_see(m, mc.index)) {
                return Err(ServerError::node_not_found(format!(
                    "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                    mc.host
                )));
            }
            if mc.index != m && o.config.is_some() {
                return Err(ServerError::node_not_found(format!(
                    "replSetInitiate quorum check failed because not all proposed set members responded affirmatively: {} failed with Our replica set configuration is invalid or does not include us",
                    mc.host
                )));
            }
        }
        cfg.term = 0;
        // The initiating node writes the first oplog entry; the others initial-sync from it.
        let entry = self.make_entry(
            m,
            Op::Noop {
                msg: "initiating set".into(),
            },
            -1,
            now,
        );
        self.members[m].oplog.push(entry);
        let hb = cfg.heartbeat_interval_ms;
        let members: Vec<usize> = cfg.members.iter().map(|c| c.index).collect();
        for &i in &members {
            self.install_config(i, cfg.clone(), Some(m), now);
        }
        // The initiator skips initial sync (it wrote the first oplog entry) and is the only
        // member that can stand until the others finish theirs, so it becomes the first
        // primary, as with mongod. A new set elects quickly: it stands about one heartbeat
        // interval after initiation.
        if cfg.member(m).is_some_and(|c| c.electable())
            && self.members[m].state == MemberState::Secondary
        {
            let jitter = self.rng.gen_range(0..=hb.saturating_mul(15) / 100);
            self.members[m].timers.set(
                Timer::Election,
                now.saturating_add(hb).saturating_add(jitter),
            );
        }
        reply(doc! {})
    }

    fn not_initialized() -> ServerError {
        ServerError::new(
            Code::NotYetInitialized,
            "no replset config has been received",
        )
    }

    fn cmd_get_config(&self, get: GetConfig, m: usize) -> CmdResult {
        let Some(cfg) = &self.members[m].config else {
            return Err(Self::not_initialized());
        };
        let mut d = doc! {"config": cfg.to_document()};
        if get.commitment_status {
            if self.members[m].state != MemberState::Primary {
                return Err(ServerError::new(
                    Code::NotWritablePrimary,
                    "commitmentStatus is only supported on primary.",
                ));
            }
            d.insert("commitmentStatus", self.config_committed(m));
        }
        reply(d)
    }

    /// Whether primary `m`'s config is committed (mongod's `awaitConfigCommitment`): a majority
    /// of the voting members report its (version, term) in heartbeats, and, unless it came from
    /// a force reconfig (term -1), the first entry of the primary's term is majority-committed.
    pub(super) fn config_committed(&self, m: usize) -> bool {
        let mem = &self.members[m];
        let Some(cfg) = mem.config.as_ref() else {
            return false;
        };
        let have = cfg
            .members
            .iter()
            .filter(|c| c.voting())
            .filter(|c| {
                let v = &mem.peers[c.index];
                c.index == m
                    || (v.healthy && v.config_version == cfg.version && v.config_term == cfg.term)
            })
            .count();
        if have < cfg.majority_vote_count() {
            return false;
        }
        if cfg.term == -1 {
            return true;
        }
        let first_of_term = mem
            .oplog
            .iter()
            .find(|e| e.optime.term == mem.term)
            .map_or(OpTime::NULL, |e| e.optime);
        mem.commit >= first_of_term
    }

    fn cmd_status(&self, m: usize, now: Millis) -> CmdResult {
        let mem = &self.members[m];
        let Some(cfg) = &mem.config else {
            return Err(Self::not_initialized());
        };
        if mem.state == MemberState::Removed {
            return Err(ServerError::invalid_config(
                "Our replica set config is invalid or we are not a member of it",
            ));
        }
        let last = mem.last_optime();
        let commit = mem.commit.min(last);
        let wall = |t: OpTime| bson::DateTime::from_millis(mem.wall_of(t));
        let mut members = Vec::new();
        for mc in &cfg.members {
            let j = mc.index;
            let mut e = doc! {"_id": mc.id, "name": mc.host.clone()};
            if j == m {
                e.insert("health", 1.0);
                e.insert("state", mem.state.code());
                e.insert("stateStr", mem.state.as_str());
                e.insert("uptime", ((now - mem.started_at) / 1000) as i32);
                e.insert("optime", last.to_document());
                e.insert("optimeDate", bson::DateTime::from_millis(mem.last_wall()));
                e.insert(
                    "lastAppliedWallTime",
                    bson::DateTime::from_millis(mem.last_wall()),
                );
                e.insert(
                    "lastDurableWallTime",
                    bson::DateTime::from_millis(mem.last_wall()),
                );
                let syncing_from = (mem.state == MemberState::Startup2)
                    .then(|| self.initial_sync_source(m))
                    .flatten();
                self.sync_fields(&mut e, mem.sync_source.or(syncing_from), cfg);
                e.insert("maintenanceMode", 0);
                e.insert("infoMessage", self.info_message(m));
                if mem.state == MemberState::Primary {
                    if let Some(el) = &mem.election {
                        e.insert(
                            "electionTime",
                            Timestamp {
                                time: ((self.options.epoch_ms + el.at as i64) / 1000) as u32,
                                increment: 1,
                            },
                        );
                        e.insert("electionDate", self.date(el.at));
                    }
                }
                e.insert("configVersion", cfg.version as i32);
                e.insert("configTerm", cfg.term as i32);
                e.insert("self", true);
                e.insert("lastHeartbeatMessage", "");
            } else {
                let v = &mem.peers[j];
                let healthy = v.healthy;
                e.insert("health", if healthy { 1.0 } else { 0.0 });
                let state = if healthy {
                    v.state.unwrap_or(MemberState::Startup)
                } else {
                    MemberState::Down
                };
                e.insert("state", state.code());
                e.insert("stateStr", state.as_str());
                e.insert(
                    "uptime",
                    if healthy {
                        ((now.saturating_sub(v.up_since)) / 1000) as i32
                    } else {
                        0
                    },
                );
                let ot = if healthy {
                    v.optime.unwrap_or(OpTime::NULL)
                } else {
                    OpTime::NULL
                };
                let ow = if healthy { v.wall_ms } else { 0 };
                e.insert("optime", ot.to_document());
                e.insert("optimeDurable", ot.to_document());
                e.insert("optimeDate", bson::DateTime::from_millis(ow));
                e.insert("optimeDurableDate", bson::DateTime::from_millis(ow));
                e.insert("lastAppliedWallTime", bson::DateTime::from_millis(ow));
                e.insert("lastDurableWallTime", bson::DateTime::from_millis(ow));
                e.insert(
                    "lastHeartbeat",
                    self.member_date(m, v.last_heartbeat.unwrap_or(0)),
                );
                e.insert(
                    "lastHeartbeatRecv",
                    self.member_date(m, v.last_heartbeat_recv.unwrap_or(0)),
                );
                e.insert(
                    "pingMs",
                    if healthy {
                        self.members[j].latency_ms as i64
                    } else {
                        0
                    },
                );
                e.insert(
                    "lastHeartbeatMessage",
                    if healthy {
                        String::new()
                    } else {
                        format!(
                            "Error connecting to {} :: caused by :: Connection refused",
                            mc.host
                        )
                    },
                );
                self.sync_fields(&mut e, if healthy { v.sync_source } else { None }, cfg);
                e.insert("infoMessage", "");
                if healthy && state == MemberState::Primary {
                    if let Some(at) = v.elected_at {
                        e.insert(
                            "electionTime",
                            Timestamp {
                                time: ((self.options.epoch_ms + at as i64) / 1000) as u32,
                                increment: 1,
                            },
                        );
                        e.insert("electionDate", self.date(at));
                    }
                }
                e.insert(
                    "configVersion",
                    if healthy { v.config_version as i32 } else { -1 },
                );
                e.insert(
                    "configTerm",
                    if healthy { v.config_term as i32 } else { -1 },
                );
            }
            members.push(Bson::Document(e));
        }
        let voting = cfg.voting_count() as i32;
        let mut d = doc! {
            "set": cfg.set_name.clone(),
            "date": self.member_date(m, now),
            "myState": mem.state.code(),
            "term": mem.term,
        };
        match mem.sync_source.and_then(|s| cfg.member(s)) {
            Some(s) => {
                d.insert("syncSourceHost", s.host.clone());
                d.insert("syncSourceId", s.id);
            }
            None => {
                d.insert("syncSourceHost", "");
                d.insert("syncSourceId", -1);
            }
        }
        d.insert("heartbeatIntervalMillis", cfg.heartbeat_interval_ms as i64);
        d.insert("majorityVoteCount", cfg.majority_vote_count() as i32);
        d.insert("writeMajorityCount", cfg.write_majority_count() as i32);
        d.insert("votingMembersCount", voting);
        d.insert(
            "writableVotingMembersCount",
            cfg.members
                .iter()
                .filter(|c| c.voting() && c.data_bearing())
                .count() as i32,
        );
        d.insert(
            "optimes",
            doc! {
                "lastCommittedOpTime": commit.to_document(),
                "lastCommittedWallTime": wall(commit),
                "readConcernMajorityOpTime": commit.to_document(),
                "readConcernMajorityWallTime": wall(commit),
                "appliedOpTime": last.to_document(),
                "durableOpTime": last.to_document(),
                "lastAppliedWallTime": bson::DateTime::from_millis(mem.last_wall()),
                "lastDurableWallTime": bson::DateTime::from_millis(mem.last_wall()),
            },
        );
        if mem.state == MemberState::Primary {
            if let Some(el) = &mem.election {
                d.insert(
                    "electionCandidateMetrics",
                    doc! {
                        "lastElectionReason": el.reason.as_str(),
                        "lastElectionDate": self.date(el.at),
                        "electionTerm": el.term,
                        "lastCommittedOpTimeAtElection": el.last_committed.to_document(),
                        "lastSeenOpTimeAtElection": el.last_seen.to_document(),
                        "numVotesNeeded": el.votes_needed as i32,
                        "priorityAtElection": el.priority,
                        "electionTimeoutMillis": el.election_timeout_ms as i64,
                        "newTermStartDate": self.date(el.at),
                        "wMajorityWriteAvailabilityDate": self.date(el.at),
                    },
                );
            }
        }
        if let Some(started) = mem.initial_sync_started {
            d.insert(
                "initialSyncStatus",
                doc! {
                    "failedInitialSyncAttempts": 0,
                    "maxFailedInitialSyncAttempts": 10,
                    "initialSyncStart": self.member_date(m, started),
                    "totalInitialSyncElapsedMillis": now.saturating_sub(started) as i64,
                    "initialSyncAttempts": [],
                    "appliedOps": 0,
                },
            );
        }
        d.insert("members", members);
        reply(d)
    }

    /// The self entry's `infoMessage` (mongod's heartbeat message): while in initial sync,
    /// where it copies from, or that it found nowhere to.
    fn info_message(&self, m: usize) -> String {
        if self.members[m].state != MemberState::Startup2 {
            return String::new();
        }
        let host = |j: usize| self.members[j].host.clone();
        match self.initial_sync_source(m) {
            Some(j) => format!("syncing from: {}", host(j)),
            None => "Could not find member to sync from".into(),
        }
    }

    fn sync_fields(&self, e: &mut Document, source: Option<usize>, cfg: &ReplConfig) {
        match source.and_then(|s| cfg.member(s)) {
            Some(s) => {
                e.insert("syncSourceHost", s.host.clone());
                e.insert("syncSourceId", s.id);
            }
            None => {
                e.insert("syncSourceHost", "");
                e.insert("syncSourceId", -1);
            }
        }
    }

    fn cmd_reconfig(&mut self, rc: Reconfig, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        let state = self.members[m].state;
        if !rc.force && state != MemberState::Primary {
            return Err(ServerError::new(
                Code::NotWritablePrimary,
                format!(
                    "replSetReconfig should only be run on a writable PRIMARY. Current state {};",
                    state.as_str()
                ),
            ));
        }
        if self
            .parked
            .iter()
            .any(|p| matches!(p, Parked::Reconfig { member, .. } if *member == m))
        {
            return Err(ServerError::new(
                Code::ConfigurationInProgress,
                "Cannot run replSetReconfig because the node is currently updating its configuration",
            ));
        }
        // Safe reconfig: the current config must be committed first (mongod's
        // awaitConfigCommitment, which waits up to maxTimeMS, for ever without it).
        if !rc.force && !self.config_committed(m) {
            let deadline = rc.max_time_ms.map(|ms| now.saturating_add(ms));
            return Ok(Outcome::Park(Parked::Reconfig {
                member: m,
                conn: req.conn,
                request_id: req.request_id,
                reconfig: rc,
                deadline,
            }));
        }
        self.apply_reconfig(rc, m, now)
    }

    /// Validates and installs a new config (the current one is committed, or `force`).
    pub(super) fn apply_reconfig(&mut self, rc: Reconfig, m: usize, now: Millis) -> CmdResult {
        let Some(current) = self.members[m].config.clone() else {
            return Err(Self::not_initialized());
        };
        let force = rc.force;
        let mut cfg =
            replconfig::parse_config(&rc.config, self.config_defaults(), current.replica_set_id)?;
        if cfg.set_name != current.set_name {
            return Err(ServerError::incompatible(format!(
                "New and old configurations differ in replica set name; old was {}, and new is {}",
                current.set_name, cfg.set_name
            )));
        }
        self.resolve_hosts(&mut cfg, "Quorum check")?;
        if !force && cfg.version <= current.version {
            return Err(ServerError::incompatible(format!(
                "New replica set config version {} must be greater than the current version {}",
                cfg.version, current.version
            )));
        }
        for mc in &cfg.members {
            if let Some(old) = current.members.iter().find(|o| o.index == mc.index) {
                if old.id != mc.id {
                    return Err(ServerError::incompatible(format!(
                        "New and old configurations both have members with host of {} but in the new config the _id field is {} and in the old config it is {} for replica set {}",
                        mc.host, mc.id, old.id, cfg.set_name
                    )));
                }
            }
        }
        if cfg.member(m).is_none() {
            return Err(ServerError::node_not_found(format!(
                "No host described in new configuration with {{version: {}, term: {}}} for replica set {} maps to this node",
                cfg.version, self.members[m].term, cfg.set_name
            )));
        }
        if !force {
            // New voting members are flagged newlyAdded (votes and priority 0 in effect) until
            // they are SECONDARY; members flagged already keep the flag. So adding several
            // voters at once is one voting change or none.
            for mc in cfg.members.iter_mut() {
                let old = current.members.iter().find(|o| o.id == mc.id);
                mc.newly_added =
                    mc.votes > 0 && !mc.arbiter_only && old.is_none_or(|o| o.newly_added);
            }
            let voters = |c: &ReplConfig| -> Vec<usize> {
                c.members
                    .iter()
                    .filter(|x| x.voting())
                    .map(|x| x.index)
                    .collect()
            };
            let (old_v, new_v) = (voters(&current), voters(&cfg));
            let added = new_v.iter().filter(|i| !old_v.contains(i)).count();
            let removed = old_v.iter().filter(|i| !new_v.contains(i)).count();
            if added + removed > 1 {
                return Err(ServerError::incompatible(
                    "Non force replica set reconfig can only add or remove at most 1 voting member.",
                ));
            }
            for mc in &cfg.members {
                let unreachable = mc.index != m
                    && (!self.members[mc.index].active() || !self.can_see(m, mc.index));
                if unreachable && (current.member(mc.index).is_none() || mc.voting()) {
                    {
                        let reachable_voters = cfg
                            .members
                            .iter()
                            .filter(|x| {
                                x.voting()
                                    && (x.index == m
                                        || (self.members[x.index].active()
                                            && self.can_see(m, x.index)))
                            })
                            .count();
                        if current.member(mc.index).is_none()
                            || reachable_voters < cfg.majority_vote_count()
                        {
                            return Err(ServerError::node_not_found(format!(
                                "Quorum check failed because not all proposed set members responded affirmatively: {} failed with Connection refused",
                                mc.host
                            )));
                        }
                    }
                }
            }
            cfg.term = self.members[m].term;
        } else {
            // mongod: max(current, new) + 10,000 + random [0, 100,000), term -1.
            let bump = 10_000 + self.rng.gen_range(0..100_000);
            cfg.version = cfg.version.max(current.version) + bump;
            cfg.term = -1;
        }
        self.push_config(m, &current, &cfg, now);
        reply(doc! {})
    }

    /// Installs `cfg` on `m` and on every member of the old or new config it can reach (as
    /// its reconfig's heartbeats would), noting that they now report it.
    pub(super) fn push_config(
        &mut self,
        m: usize,
        current: &ReplConfig,
        cfg: &ReplConfig,
        now: Millis,
    ) {
        self.install_config(m, cfg.clone(), None, now);
        let targets: Vec<usize> = cfg
            .members
            .iter()
            .chain(current.members.iter())
            .map(|c| c.index)
            .collect();
        let mut done = vec![m];
        for j in targets {
            if done.contains(&j) || !self.can_see(m, j) {
                continue;
            }
            done.push(j);
            self.install_config(j, cfg.clone(), Some(m), now);
            let v = &mut self.members[m].peers[j];
            v.config_version = cfg.version;
            v.config_term = cfg.term;
        }
    }

    /// Primary `p` lifts member `j`'s newlyAdded flag with an automatic reconfig (version + 1),
    /// as mongod does once it sees the member SECONDARY (or RECOVERING, ROLLBACK).
    pub(super) fn remove_newly_added(&mut self, p: usize, j: usize, now: Millis) {
        let Some(current) = self.members[p].config.clone() else {
            return;
        };
        if !current.member(j).is_some_and(|c| c.newly_added) {
            return;
        }
        let mut cfg = current.clone();
        for mc in cfg.members.iter_mut().filter(|c| c.index == j) {
            mc.newly_added = false;
        }
        cfg.version += 1;
        cfg.term = self.members[p].term;
        self.push_config(p, &current, &cfg, now);
    }

    pub(super) fn caught_up_electable(&self, p: usize) -> Vec<usize> {
        let Some(cfg) = self.members[p].config.as_ref() else {
            return Vec::new();
        };
        let last = self.members[p].last_optime();
        let mut v: Vec<usize> = cfg
            .members
            .iter()
            .filter(|c| c.index != p && c.electable())
            .map(|c| c.index)
            .filter(|&j| {
                let o = &self.members[j];
                o.active()
                    && self.can_see(p, j)
                    && o.state == MemberState::Secondary
                    && o.last_optime() >= last
                    && !o.timers.holds(Timer::StandAfter, self.clock)
                    && !o.timers.holds(Timer::Frozen, self.clock)
            })
            .collect();
        v.sort_by(|a, b| {
            let pa = cfg.member(*a).map_or(0.0, |c| c.priority);
            let pb = cfg.member(*b).map_or(0.0, |c| c.priority);
            pb.partial_cmp(&pa).unwrap_or(std::cmp::Ordering::Equal)
        });
        v
    }

    fn cmd_stepdown(&mut self, sd: StepDown, req: &Request, now: Millis) -> CmdResult {
        let m = req.member;
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state != MemberState::Primary {
            return Err(ServerError::new(
                Code::NotWritablePrimary,
                "not primary so can't step down",
            ));
        }
        let (secs, force) = (sd.secs, sd.force);
        if self.safe_to_step_down(m) || (force && sd.catch_up_secs == 0) {
            self.do_stepdown(m, secs, force, now);
            return reply(doc! {});
        }
        // Waiting for a secondary to catch up: no longer writable, at once.
        self.members[m].stepping_down = true;
        self.bump_tv(m);
        Ok(Outcome::Park(Parked::StepDown {
            member: m,
            conn: req.conn,
            request_id: req.request_id,
            secs,
            force,
            deadline: now.saturating_add(sd.catch_up_secs.saturating_mul(1000)),
        }))
    }

    /// mongod's `isSafeToStepDown`: a majority of the voting members has the primary's last
    /// write, and one of those is an electable secondary.
    pub(super) fn safe_to_step_down(&self, p: usize) -> bool {
        let Some(cfg) = self.members[p].config.as_ref() else {
            return false;
        };
        let last = self.members[p].last_optime();
        let caught_up = cfg
            .members
            .iter()
            .filter(|c| c.voting())
            .filter(|c| {
                c.index == p
                    || (self.can_see(p, c.index) && self.members[c.index].last_optime() >= last)
            })
            .count();
        caught_up >= cfg.majority_vote_count() && !self.caught_up_electable(p).is_empty()
    }

    /// Steps down for `secs` and, unless `force`, hands the election to the best caught-up
    /// electable secondary (replSetStepUp with skipDryRun: highest priority, lowest index).
    pub(super) fn do_stepdown(&mut self, p: usize, secs: u64, force: bool, now: Millis) {
        let successor = self.caught_up_electable(p).first().copied();
        self.step_down(p, now);
        self.members[p].timers.set(
            Timer::StandAfter,
            now.saturating_add(secs.saturating_mul(1000)),
        );
        self.broadcast(p, now);
        if let Some(s) = successor.filter(|_| !force) {
            self.members[s].timers.set(Timer::Election, now);
            self.members[s].election_reason = ElectionReason::StepUpRequestSkipDryRun;
        }
    }

    fn cmd_stepup(&mut self, up: StepUp, m: usize, now: Millis) -> CmdResult {
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state == MemberState::Primary {
            return reply(doc! {"info": "already primary"});
        }
        if self.members[m].state != MemberState::Secondary
            || !self.in_config(m).is_some_and(|c| c.electable())
        {
            return Err(ServerError::new(
                Code::NotSecondary,
                "Node is not eligible to stand for election",
            ));
        }
        let reason = if up.skip_dry_run {
            ElectionReason::StepUpRequestSkipDryRun
        } else {
            ElectionReason::StepUpRequest
        };
        if self.try_election(m, now, reason, true) {
            reply(doc! {})
        } else {
            Err(ServerError::new(Code::CommandFailed, "Election failed."))
        }
    }

    fn cmd_freeze(&mut self, fr: Freeze, m: usize, now: Millis) -> CmdResult {
        if self.members[m].config.is_none() {
            return Err(Self::not_initialized());
        }
        if self.members[m].state == MemberState::Primary {
            return Err(ServerError::new(
                Code::NotSecondary,
                "Cannot freeze node when primary or running for election, state: PRIMARY",
            ));
        }
        let secs = fr.secs;
        if secs <= 0 {
            self.members[m].timers.stop(Timer::Frozen);
            self.members[m].timers.set(Timer::StandAfter, now);
            // An electable member alone in its set elects itself at once.
            let alone = self.members[m].config.as_ref().is_some_and(|c| {
                c.voting_count() == 1 && c.member(m).is_some_and(|me| me.electable())
            });
            if alone && self.members[m].state == MemberState::Secondary {
                self.members[m].timers.set(Timer::Election, now);
                self.members[m].election_reason = ElectionReason::ElectionTimeout;
            }
            return reply(doc! {"info": "unfreezing"});
        }
        let until = now.saturating_add((secs as u64).saturating_mul(1000));
        self.members[m].timers.set(Timer::Frozen, until);
        self.members[m].timers.extend(Timer::StandAfter, until);
        if secs == 1 {
            return reply(doc! {"warning": "you really want to freeze for only 1 second?"});
        }
        reply(doc! {})
    }
}

/// The `buildInfo` reply of a lab member.
pub(crate) fn build_info() -> Document {
    let mut d = crate::lab::listener::build_info("rsctl-lab");
    d.insert(
        "openssl",
        doc! {"running": "disabled", "compiled": "disabled"},
    );
    d.insert("storageEngines", vec!["wiredTiger"]);
    d
}
