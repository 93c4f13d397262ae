//! The write commands (`insert`, `update`, `delete`, `findAndModify`, `create`,
//! `createIndexes`, `drop`, `dropDatabase`): the primary-only rule, write concerns (`w`,
//! `wtimeout`, parking until enough members have applied the write) and retryable writes
//! (a retry answers with the first attempt's reply).

use bson::{doc, oid::ObjectId, Bson, Document};
use rand::Rng;

use super::consensus::election_id;
use super::crud_cmd::{CreateIndexes, Delete, FindAndModify, Insert, Update, UpdateSpec};
use super::member::{MemberState, OpTime};
use super::parked::Parked;
use super::{Cluster, CmdResult, Outcome, Request};
use crate::core::bson_value::number;
use crate::lab::error::{is_retryable_write, Code, ServerError};
use crate::lab::store::{self, FindSpec, Op};

/// What a write waits for.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum WMode {
    /// w: 0 / w: 1 (nothing to wait for).
    None,
    Nodes(i64),
    Majority,
}

/// A parsed `writeConcern`.
#[derive(Debug, Clone)]
pub(super) struct WriteConcern {
    pub(super) mode: WMode,
    pub(super) wtimeout_ms: u64,
    /// `{w, wtimeout, provenance}` for `errInfo.writeConcern`.
    pub(super) echo: Document,
}

impl Cluster {
    fn write_allowed(&self, req: &Request) -> Result<(), ServerError> {
        let mem = &self.members[req.member];
        if mem.state == MemberState::Primary && !mem.stepping_down {
            Ok(())
        } else {
            Err(ServerError::new(Code::NotWritablePrimary, "not primary"))
        }
    }

    /// The checks every collection write starts with: writable here, the collection named by
    /// `cname`, a valid write concern.
    fn begin_write(
        &self,
        req: &Request,
        cname: &str,
    ) -> Result<(String, WriteConcern), ServerError> {
        self.write_allowed(req)?;
        let coll = self.collection(req, cname)?;
        let wc = self.parse_write_concern(req)?;
        Ok((coll, wc))
    }

    /// [`Self::begin_write`] for retryable writes: `Ok(Err(reply))` when this is a retry of a
    /// write already done (the reply is the first attempt's, waited on with this write concern).
    fn begin_retryable_write(
        &mut self,
        req: &Request,
        cname: &str,
        now: u64,
    ) -> Result<Result<(String, WriteConcern), CmdResult>, ServerError> {
        let (coll, wc) = self.begin_write(req, cname)?;
        if let Some((optime, body)) = self.retried(req) {
            return Ok(Err(self.finish_write(req, body, wc, optime, now)));
        }
        Ok(Ok((coll, wc)))
    }

    fn parse_write_concern(&self, req: &Request) -> Result<WriteConcern, ServerError> {
        let cfg = self.members[req.member].config.as_ref();
        let has_arbiters = cfg.is_some_and(|c| c.members.iter().any(|m| m.arbiter_only));
        let default_mode = if has_arbiters {
            WMode::None
        } else {
            WMode::Majority
        };
        let default_w: Bson = if has_arbiters {
            Bson::Int32(1)
        } else {
            Bson::String("majority".into())
        };
        let wc = match req.command.get("writeConcern") {
            None | Some(Bson::Null) => {
                return Ok(WriteConcern {
                    mode: default_mode,
                    wtimeout_ms: 0,
                    echo: doc! {"w": default_w, "wtimeout": 0, "provenance": "implicitDefault"},
                })
            }
            Some(Bson::Document(d)) => d,
            Some(other) => {
                return Err(ServerError::type_mismatch(format!(
                    "BSON field 'writeConcern' is the wrong type '{}', expected type 'object'",
                    store::type_name(other)
                )))
            }
        };
        let wtimeout = number(wc.get("wtimeout")).unwrap_or(0.0).max(0.0) as u64;
        let (mode, w) = match wc.get("w") {
            None => (default_mode, default_w),
            Some(Bson::String(s)) if s == "majority" => (WMode::Majority, Bson::String(s.clone())),
            Some(Bson::String(s)) => {
                return Err(ServerError::new(
                    Code::UnknownReplWriteConcern,
                    format!("No write concern mode named '{s}' found in replica set configuration"),
                ))
            }
            Some(v) => match number(Some(v)) {
                Some(n) if (0.0..=50.0).contains(&n) && n.fract() == 0.0 => {
                    let n = n as i64;
                    (
                        if n <= 1 { WMode::None } else { WMode::Nodes(n) },
                        v.clone(),
                    )
                }
                _ => {
                    return Err(ServerError::new(
                        Code::FailedToParse,
                        format!(
                            "w has to be a non-negative number and not greater than 50; found: {v}"
                        ),
                    ))
                }
            },
        };
        Ok(WriteConcern {
            mode,
            wtimeout_ms: wtimeout,
            echo: doc! {"w": w, "wtimeout": wtimeout as i64, "provenance": "clientSupplied"},
        })
    }

    /// Replies to a write now, or parks it until its write concern is satisfied.
    fn finish_write(
        &mut self,
        req: &Request,
        mut body: Document,
        wc: WriteConcern,
        optime: OpTime,
        now: u64,
    ) -> CmdResult {
        let m = req.member;
        if self.members[m].state == MemberState::Primary {
            let term = self.members[m].term;
            let mut with_ids = Document::new();
            if let Some(n) = body.remove("n") {
                with_ids.insert("n", n);
            }
            with_ids.insert("electionId", election_id(term));
            with_ids.insert("opTime", optime.to_document());
            with_ids.extend(body);
            body = with_ids;
        }
        let data_bearing = self.members[m]
            .config
            .as_ref()
            .map_or(1, |c| c.data_bearing_count()) as i64;
        match wc.mode {
            WMode::None => Ok(Outcome::Reply(body)),
            WMode::Nodes(n) if n > data_bearing => {
                body.insert(
                    "writeConcernError",
                    doc! {"code": 100, "codeName": "UnsatisfiableWriteConcern", "errmsg": "Not enough data-bearing nodes"},
                );
                Ok(Outcome::Reply(body))
            }
            _ if self.write_satisfied(m, optime, &wc.mode) => Ok(Outcome::Reply(body)),
            _ => {
                let deadline = (wc.wtimeout_ms > 0).then(|| now.saturating_add(wc.wtimeout_ms));
                Ok(Outcome::Park(Parked::Write {
                    member: m,
                    conn: req.conn,
                    request_id: req.request_id,
                    reply: body,
                    optime,
                    term: self.members[m].term,
                    concern: wc,
                    deadline,
                    retryable: is_retryable_write(&req.command),
                }))
            }
        }
    }

    fn new_object_id(&mut self) -> ObjectId {
        let mut b: [u8; 12] = self.rng.gen();
        let secs = ((self.options.epoch_ms + self.clock as i64) / 1000) as u32;
        b[..4].copy_from_slice(&secs.to_be_bytes());
        ObjectId::from_bytes(b)
    }

    // ----- writes -----

    pub(super) fn cmd_insert(&mut self, ins: Insert, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "insert", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let ordered = ins.ordered;
        let m = req.member;
        let mut ops = Vec::new();
        let mut n = 0;
        let mut errors = Vec::new();
        for (i, mut d) in ins.documents.into_iter().enumerate() {
            if !d.contains_key("_id") {
                let mut with_id = doc! {"_id": self.new_object_id()};
                with_id.extend(d);
                d = with_id;
            }
            match self.members[m].store.insert(&req.db, &coll, d) {
                Ok(o) => {
                    ops.extend(o);
                    n += 1;
                }
                Err(e) => {
                    errors.push(e.write_error(i));
                    if ordered {
                        break;
                    }
                }
            }
        }
        self.commit_write(req, ops, doc! {"n": n}, errors, wc, now)
    }

    /// The end of every write command: its effects into the oplog, `writeErrors` (if any) into
    /// the reply, the reply remembered for a retry, then the write concern.
    fn commit_write(
        &mut self,
        req: &Request,
        ops: Vec<Op>,
        mut body: Document,
        errors: Vec<Bson>,
        wc: WriteConcern,
        now: u64,
    ) -> CmdResult {
        let m = req.member;
        let before = self.members[m].oplog.len();
        let optime = self.log_write(m, ops, now);
        if !errors.is_empty() {
            body.insert("writeErrors", errors);
        }
        self.remember(req, before, &body);
        self.finish_write(req, body, wc, optime, now)
    }

    fn log_write(&mut self, m: usize, ops: Vec<Op>, now: u64) -> OpTime {
        if ops.is_empty() {
            self.members[m].last_optime()
        } else {
            self.log_ops(m, ops, now)
        }
    }

    pub(super) fn cmd_update(&mut self, upd: Update, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "update", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let ordered = upd.ordered;
        let m = req.member;
        let wall = self.options.epoch_ms + now as i64;
        self.members[m].store.set_now(wall);
        let (mut n, mut modified) = (0i64, 0i64);
        let mut upserted = Vec::new();
        let mut errors = Vec::new();
        let mut ops = Vec::new();
        for (i, u) in upd.updates.iter().enumerate() {
            let res = match &u.u {
                UpdateSpec::Document(spec) => {
                    let new_id = Bson::ObjectId(self.new_object_id());
                    self.members[m].store.update(
                        &req.db,
                        &coll,
                        &u.q,
                        spec,
                        u.multi,
                        u.upsert,
                        || new_id,
                    )
                }
                UpdateSpec::Pipeline => Err(ServerError::new(
                    Code::FailedToParse,
                    "the lab does not support pipeline-style updates",
                )),
            };
            match res {
                Ok(out) => {
                    n += out.n as i64;
                    modified += out.n_modified as i64;
                    if let Some(id) = out.upserted {
                        upserted.push(Bson::Document(doc! {"index": i as i32, "_id": id}));
                    }
                    ops.extend(out.ops);
                }
                Err(e) => {
                    errors.push(e.write_error(i));
                    if ordered {
                        break;
                    }
                }
            }
        }
        let mut body = doc! {"n": n as i32, "nModified": modified as i32};
        if !upserted.is_empty() {
            body.insert("upserted", upserted);
        }
        self.commit_write(req, ops, body, errors, wc, now)
    }

    pub(super) fn cmd_delete(&mut self, del: Delete, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "delete", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let ordered = del.ordered;
        let m = req.member;
        let mut n = 0i64;
        let mut errors = Vec::new();
        let mut ops = Vec::new();
        for (i, d) in del.deletes.iter().enumerate() {
            match self.members[m]
                .store
                .delete(&req.db, &coll, &d.q, d.just_one)
            {
                Ok((k, o)) => {
                    n += k as i64;
                    ops.extend(o);
                }
                Err(e) => {
                    errors.push(e.write_error(i));
                    if ordered {
                        break;
                    }
                }
            }
        }
        self.commit_write(req, ops, doc! {"n": n as i32}, errors, wc, now)
    }

    pub(super) fn cmd_find_and_modify(
        &mut self,
        fam: FindAndModify,
        req: &Request,
        now: u64,
    ) -> CmdResult {
        let name = req.command.keys().next().cloned().unwrap_or_default();
        let (coll, wc) = match self.begin_retryable_write(req, &name, now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let FindAndModify {
            query,
            sort,
            fields,
            remove,
            update,
            return_new,
            upsert,
        } = fam;
        let m = req.member;
        let wall = self.options.epoch_ms + now as i64;
        self.members[m].store.set_now(wall);
        let spec = FindSpec {
            filter: query.clone(),
            sort,
            projection: None,
            skip: 0,
            limit: 1,
        };
        let found = self.members[m]
            .store
            .find(&req.db, &coll, &spec)?
            .into_iter()
            .next();
        let project = |d: Option<Document>| -> Result<Bson, ServerError> {
            match (d, &fields) {
                (None, _) => Ok(Bson::Null),
                (Some(d), Some(f)) if !f.is_empty() => Ok(Bson::Document(store::project(&d, f)?)),
                (Some(d), _) => Ok(Bson::Document(d)),
            }
        };
        let mut ops = Vec::new();
        let (value, last_error) = if remove {
            match found {
                None => (Bson::Null, doc! {"n": 0}),
                Some(d) => {
                    let id = d.get("_id").cloned().unwrap_or(Bson::Null);
                    let (_, o) =
                        self.members[m]
                            .store
                            .delete(&req.db, &coll, &doc! {"_id": id}, true)?;
                    ops.extend(o);
                    (project(Some(d))?, doc! {"n": 1})
                }
            }
        } else {
            let update = update.unwrap_or_default();
            match found {
                Some(before) => {
                    let id = before.get("_id").cloned().unwrap_or(Bson::Null);
                    let out = self.members[m].store.update(
                        &req.db,
                        &coll,
                        &doc! {"_id": id.clone()},
                        &update,
                        false,
                        false,
                        || Bson::Null,
                    )?;
                    ops.extend(out.ops);
                    let after = self.members[m]
                        .store
                        .find(
                            &req.db,
                            &coll,
                            &FindSpec {
                                filter: doc! {"_id": id},
                                limit: 1,
                                ..FindSpec::default()
                            },
                        )?
                        .into_iter()
                        .next();
                    let v = if return_new {
                        project(after)?
                    } else {
                        project(Some(before))?
                    };
                    (v, doc! {"n": 1, "updatedExisting": true})
                }
                None if upsert => {
                    let new_id = Bson::ObjectId(self.new_object_id());
                    let out = self.members[m].store.update(
                        &req.db,
                        &coll,
                        &query,
                        &update,
                        false,
                        true,
                        || new_id,
                    )?;
                    let id = out.upserted.clone().unwrap_or(Bson::Null);
                    ops.extend(out.ops);
                    let after = self.members[m]
                        .store
                        .find(
                            &req.db,
                            &coll,
                            &FindSpec {
                                filter: doc! {"_id": id.clone()},
                                limit: 1,
                                ..FindSpec::default()
                            },
                        )?
                        .into_iter()
                        .next();
                    let v = if return_new {
                        project(after)?
                    } else {
                        Bson::Null
                    };
                    (v, doc! {"n": 1, "updatedExisting": false, "upserted": id})
                }
                None => (Bson::Null, doc! {"n": 0, "updatedExisting": false}),
            }
        };
        let body = doc! {"lastErrorObject": last_error, "value": value};
        self.commit_write(req, ops, body, Vec::new(), wc, now)
    }

    pub(super) fn cmd_create(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = self.begin_write(req, "create")?;
        let m = req.member;
        if self.members[m].store.has_collection(&req.db, &coll) {
            return Err(ServerError::new(
                Code::NamespaceExists,
                format!("Collection {}.{coll} already exists.", req.db),
            ));
        }
        let op = Op::CreateCollection {
            db: req.db.clone(),
            coll,
        };
        self.members[m].store.apply(&op);
        let optime = self.log_write(m, vec![op], now);
        self.finish_write(req, doc! {}, wc, optime, now)
    }

    pub(super) fn cmd_create_indexes(
        &mut self,
        ci: CreateIndexes,
        req: &Request,
        now: u64,
    ) -> CmdResult {
        let (coll, wc) = self.begin_write(req, "createIndexes")?;
        let count = ci.indexes.len() as i32;
        let m = req.member;
        let created = !self.members[m].store.has_collection(&req.db, &coll);
        let mut ops = Vec::new();
        if created {
            let op = Op::CreateCollection {
                db: req.db.clone(),
                coll,
            };
            self.members[m].store.apply(&op);
            ops.push(op);
        }
        let optime = self.log_write(m, ops, now);
        // The lab keeps no secondary indexes (queries scan); only the _id index is real.
        let body = doc! {
            "numIndexesBefore": 1,
            "numIndexesAfter": 1 + count,
            "createdCollectionAutomatically": created,
            "note": "the rsctl lab accepts index builds but only maintains the _id index",
        };
        self.finish_write(req, body, wc, optime, now)
    }

    pub(super) fn cmd_drop(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = self.begin_write(req, "drop")?;
        let m = req.member;
        let op = self.members[m].store.drop_collection(&req.db, &coll);
        let body = if op.is_some() {
            doc! {"nIndexesWas": 1, "ns": format!("{}.{coll}", req.db)}
        } else {
            doc! {}
        };
        let optime = self.log_write(m, op.into_iter().collect(), now);
        self.finish_write(req, body, wc, optime, now)
    }

    pub(super) fn cmd_drop_database(&mut self, req: &Request, now: u64) -> CmdResult {
        self.write_allowed(req)?;
        let wc = self.parse_write_concern(req)?;
        if matches!(req.db.as_str(), "admin" | "local" | "config") {
            return Err(ServerError::new(
                Code::IllegalOperation,
                format!("Dropping the '{}' database is prohibited.", req.db),
            ));
        }
        let m = req.member;
        let op = self.members[m].store.drop_database(&req.db);
        let optime = self.log_write(m, op.into_iter().collect(), now);
        self.finish_write(req, doc! {"dropped": req.db.clone()}, wc, optime, now)
    }
}

/// The key of a retryable write: the session id and the txnNumber.
fn txn_key(cmd: &Document) -> Option<String> {
    let n = match cmd.get("txnNumber")? {
        Bson::Int64(n) => *n,
        Bson::Int32(n) => *n as i64,
        _ => return None,
    };
    let id = match cmd.get("lsid")? {
        Bson::Document(l) => l.get("id")?.clone(),
        _ => return None,
    };
    Some(format!("{id:?}#{n}"))
}

impl Cluster {
    /// A retry of a retryable write this member already holds: its optime and reply body.
    fn retried(&self, req: &Request) -> Option<(OpTime, Document)> {
        let key = txn_key(&req.command)?;
        self.members[req.member].txns.get(&key).cloned()
    }

    /// Tags the last oplog entry a retryable write made with its key and reply.
    fn remember(&mut self, req: &Request, before: usize, body: &Document) {
        let Some(key) = txn_key(&req.command) else {
            return;
        };
        let mem = &mut self.members[req.member];
        if mem.oplog.len() <= before {
            return;
        }
        if let Some(e) = mem.oplog.last_mut() {
            e.txn = Some((key.clone(), body.clone()));
            let optime = e.optime;
            mem.txns.insert(key, (optime, body.clone()));
        }
    }
}
