//! Parked requests: an awaitable hello waiting for a topology change, a write waiting for its
//! write concern, a `replSetStepDown` waiting for a secondary to catch up. `settle` completes
//! those whose condition or deadline has come.

use bson::{doc, oid::ObjectId, Document};

use super::admin_cmd::Reconfig;
use super::member::{MemberState, OpTime};
use super::write::WriteConcern;
use super::Outcome;
use super::{Cluster, Millis, Ready};
use crate::lab::error::{retryable_write_label, Code, ServerError};

/// A request waiting for something.
#[derive(Debug, Clone)]
pub(super) enum Parked {
    /// Awaitable hello waiting for a topologyVersion change.
    Hello {
        member: usize,
        conn: u64,
        request_id: i32,
        command: Document,
        process_id: ObjectId,
        counter: i64,
        deadline: Millis,
    },
    /// A write waiting for its write concern.
    Write {
        member: usize,
        conn: u64,
        request_id: i32,
        reply: Document,
        optime: OpTime,
        term: i64,
        concern: WriteConcern,
        deadline: Option<Millis>,
        /// A retryable write (has lsid + txnNumber): retryable errors get the label.
        retryable: bool,
    },
    /// replSetReconfig waiting for the current config to be committed.
    Reconfig {
        member: usize,
        conn: u64,
        request_id: i32,
        reconfig: Reconfig,
        /// `maxTimeMS` (None: waits for ever, as mongod does without it).
        deadline: Option<Millis>,
    },
    /// replSetStepDown waiting for a secondary to catch up.
    StepDown {
        member: usize,
        conn: u64,
        request_id: i32,
        secs: u64,
        /// `force: true`: step down when the wait ends even if no one caught up.
        force: bool,
        deadline: Millis,
    },
}

impl Parked {
    /// When the request gives up waiting (a write without `wtimeout` waits for ever).
    pub(super) fn deadline(&self) -> Option<Millis> {
        match self {
            Parked::Hello { deadline, .. } | Parked::StepDown { deadline, .. } => Some(*deadline),
            Parked::Write { deadline, .. } | Parked::Reconfig { deadline, .. } => *deadline,
        }
    }

    /// The member and connection the request came on.
    pub(super) fn key(&self) -> (usize, u64) {
        match self {
            Parked::Hello { member, conn, .. }
            | Parked::Write { member, conn, .. }
            | Parked::Reconfig { member, conn, .. }
            | Parked::StepDown { member, conn, .. } => (*member, *conn),
        }
    }
}

impl Cluster {
    /// Completes parked requests whose condition or deadline has come.
    pub(super) fn settle(&mut self, now: Millis) {
        let parked = std::mem::take(&mut self.parked);
        let mut keep = Vec::new();
        for p in parked {
            let m = p.key().0;
            if !self.members[m].up {
                continue;
            }
            if self.members[m].paused {
                keep.push(p);
                continue;
            }
            match p {
                Parked::Hello {
                    member,
                    conn,
                    request_id,
                    ref command,
                    process_id,
                    counter,
                    deadline,
                } => {
                    let mem = &self.members[member];
                    if mem.process_id != process_id || mem.tv_counter != counter || now >= deadline
                    {
                        let d = self.hello_reply(member, command, conn);
                        let reply = self.finish(member, d);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else {
                        keep.push(p);
                    }
                }
                Parked::Write {
                    member,
                    conn,
                    request_id,
                    ref reply,
                    optime,
                    term,
                    ref concern,
                    deadline,
                    retryable,
                } => {
                    let mem = &self.members[member];
                    let done = if mem.state != MemberState::Primary || mem.term != term {
                        Some(Some((
                            ServerError::new(
                                Code::PrimarySteppedDown,
                                "Primary stepped down while waiting for replication",
                            ),
                            None,
                        )))
                    } else if self.write_satisfied(member, optime, &concern.mode) {
                        Some(None)
                    } else if deadline.is_some_and(|d| now >= d) {
                        Some(Some((
                            ServerError::new(
                                Code::WriteConcernFailed,
                                "waiting for replication timed out",
                            ),
                            Some(doc! {"wtimeout": true, "writeConcern": concern.echo.clone()}),
                        )))
                    } else {
                        None
                    };
                    match done {
                        None => keep.push(p),
                        Some(wce) => {
                            let mut d = reply.clone();
                            if let Some((wce, info)) = wce {
                                d.insert("writeConcernError", wce.write_concern_error(info));
                                if retryable_write_label(retryable, None, Some(wce.code)) {
                                    d.insert("errorLabels", vec!["RetryableWriteError"]);
                                }
                            }
                            let reply = self.finish(member, d);
                            self.ready.push(Ready {
                                member,
                                conn,
                                request_id,
                                reply,
                            });
                        }
                    }
                }
                Parked::Reconfig {
                    member,
                    conn,
                    request_id,
                    ref reconfig,
                    deadline,
                } => {
                    let result = if self.members[member].state != MemberState::Primary {
                        Some(Err(ServerError::new(
                            Code::NotWritablePrimary,
                            "New config is rejected :: caused by :: Primary stepped down while waiting for config commitment",
                        )))
                    } else if self.config_committed(member) {
                        Some(self.apply_reconfig(reconfig.clone(), member, now))
                    } else if deadline.is_some_and(|d| now >= d) {
                        Some(Err(ServerError::new(
                            Code::CurrentConfigNotCommittedYet,
                            "New config is rejected :: caused by :: operation exceeded time limit",
                        )))
                    } else {
                        None
                    };
                    match result {
                        None => keep.push(p),
                        Some(r) => {
                            let reply = match r {
                                Ok(Outcome::Reply(d)) => self.finish(member, d),
                                Ok(_) => self.finish(member, doc! {}),
                                Err(e) => self.error_reply(member, &e),
                            };
                            self.ready.push(Ready {
                                member,
                                conn,
                                request_id,
                                reply,
                            });
                        }
                    }
                }
                Parked::StepDown {
                    member,
                    conn,
                    request_id,
                    secs,
                    force,
                    deadline,
                } => {
                    if self.members[member].state != MemberState::Primary {
                        let e = ServerError::new(
                            Code::NotWritablePrimary,
                            "not primary so can't step down",
                        );
                        let reply = self.error_reply(member, &e);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else if self.safe_to_step_down(member) || (force && now >= deadline) {
                        self.do_stepdown(member, secs, force, now);
                        let reply = self.finish(member, doc! {});
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else if now >= deadline {
                        // Still primary, and writable again.
                        self.members[member].stepping_down = false;
                        self.bump_tv(member);
                        let e = ServerError::new(Code::ExceededTimeLimit, format!(
                                "No electable secondaries caught up as of {}. Please use the replSetStepDown command with the argument {{force: true}} to force node to step down.",
                                self.date(now).try_to_rfc3339_string().unwrap_or_default()
                            ),
                        );
                        let reply = self.error_reply(member, &e);
                        self.ready.push(Ready {
                            member,
                            conn,
                            request_id,
                            reply,
                        });
                    } else {
                        keep.push(p);
                    }
                }
            }
        }
        // New requests may have been parked while settling (none today), keep them too.
        keep.append(&mut self.parked);
        self.parked = keep;
    }
}
