//! The lab's data commands: `find` / `getMore` / `killCursors`, `count`, `aggregate` (a small
//! subset), `insert` / `update` / `delete` / `findAndModify`, collection and database commands,
//! with mongod's role rules (reads on a secondary need secondaryOk or a non-primary read
//! preference; writes need the primary) and write concerns (`w`, `wtimeout`, parking until the
//! members have applied the write). Part of the pure state machine in [`super::cluster`].

use bson::{doc, oid::ObjectId, Bson, Document};
use rand::Rng;

use super::cluster::{
    Cluster, CmdResult, Cursor, MemberState, OpTime, Outcome, Parked, Request, WMode, WriteConcern,
};
use super::replconfig::CmdError;
use super::store::{self, FindSpec, Op, StoreError};

/// Documents in a first batch when the client does not say.
const DEFAULT_FIRST_BATCH: usize = 101;
/// Stop filling a batch past this many bytes (mongod's 16 MiB reply budget).
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

impl From<StoreError> for CmdError {
    fn from(e: StoreError) -> Self {
        CmdError::new(e.code, e.code_name, e.message)
    }
}

fn num(v: Option<&Bson>) -> Option<f64> {
    match v? {
        Bson::Int32(i) => Some(*i as f64),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        _ => None,
    }
}

fn flag(v: Option<&Bson>) -> bool {
    match v {
        Some(Bson::Boolean(b)) => *b,
        Some(other) => num(Some(other)).is_some_and(|n| n != 0.0),
        None => false,
    }
}

fn opt_doc(cmd: &Document, cname: &str, field: &str) -> Result<Option<Document>, CmdError> {
    match cmd.get(field) {
        None | Some(Bson::Null) => Ok(None),
        Some(Bson::Document(d)) => Ok(Some(d.clone())),
        Some(other) => Err(CmdError::type_mismatch(format!(
            "BSON field '{cname}.{field}' is the wrong type '{}', expected type 'object'",
            store::type_name(other)
        ))),
    }
}

fn missing(cname: &str, field: &str) -> CmdError {
    CmdError::new(
        40414,
        "Location40414",
        format!("BSON field '{cname}.{field}' is missing but a required field"),
    )
}

fn write_error(index: usize, e: &StoreError) -> Bson {
    Bson::Document(doc! {"index": index as i32, "code": e.code, "errmsg": e.message.clone()})
}

impl Cluster {
    pub(super) fn dispatch_data(&mut self, name: &str, req: &Request, now: u64) -> CmdResult {
        match name {
            "find" => self.cmd_find(req),
            "getMore" => self.cmd_get_more(req),
            "killCursors" => self.cmd_kill_cursors(req),
            "count" => self.cmd_count(req),
            "distinct" => self.cmd_distinct(req),
            "aggregate" => self.cmd_aggregate(req),
            "listDatabases" => self.cmd_list_databases(req),
            "listCollections" => self.cmd_list_collections(req),
            "listIndexes" => self.cmd_list_indexes(req),
            "insert" => self.cmd_insert(req, now),
            "update" => self.cmd_update(req, now),
            "delete" => self.cmd_delete(req, now),
            "findAndModify" | "findandmodify" => self.cmd_find_and_modify(req, now),
            "create" => self.cmd_create(req, now),
            "createIndexes" => self.cmd_create_indexes(req, now),
            "drop" => self.cmd_drop(req, now),
            "dropDatabase" => self.cmd_drop_database(req, now),
            other => Err(CmdError::new(
                59,
                "CommandNotFound",
                format!("no such command: '{other}'"),
            )),
        }
    }

    // ----- role rules -----

    fn read_allowed(&self, req: &Request) -> Result<(), CmdError> {
        let state = self.members[req.member].state;
        if state == MemberState::Primary {
            return Ok(());
        }
        let pref_ok = match req.command.get("$readPreference") {
            Some(Bson::Document(d)) => {
                matches!(d.get("mode"), Some(Bson::String(m)) if m != "primary")
            }
            _ => false,
        };
        // the local database is never replicated: any data-bearing member serves it
        let local = req.db == "local" && state == MemberState::Secondary;
        if !(req.secondary_ok || pref_ok || local) {
            return Err(CmdError::new(
                13435,
                "NotPrimaryNoSecondaryOk",
                "not primary and secondaryOk=false",
            ));
        }
        if state == MemberState::Secondary {
            return Ok(());
        }
        Err(CmdError::new(
            13436,
            "NotPrimaryOrSecondary",
            "node is not in primary or recovering state",
        ))
    }

    fn write_allowed(&self, req: &Request) -> Result<(), CmdError> {
        if self.members[req.member].state == MemberState::Primary {
            Ok(())
        } else {
            Err(CmdError::new(10107, "NotWritablePrimary", "not primary"))
        }
    }

    fn collection(&self, req: &Request, cname: &str) -> Result<String, CmdError> {
        match req.command.get(cname) {
            Some(Bson::String(c))
                if !c.is_empty()
                    && !c.contains('\0')
                    && (!c.contains('$') || c == "oplog.$main") =>
            {
                Ok(c.clone())
            }
            Some(Bson::String(c)) => Err(CmdError::new(
                73,
                "InvalidNamespace",
                format!("Invalid namespace specified '{}.{c}'", req.db),
            )),
            Some(other) => Err(CmdError::new(
                73,
                "InvalidNamespace",
                format!(
                    "collection name has invalid type {}",
                    store::type_name(other)
                ),
            )),
            None => Err(missing(cname, cname)),
        }
    }

    /// The checks every collection write starts with: writable here, the collection named by
    /// `cname`, a valid write concern.
    fn begin_write(&self, req: &Request, cname: &str) -> Result<(String, WriteConcern), CmdError> {
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
    ) -> Result<Result<(String, WriteConcern), CmdResult>, CmdError> {
        let (coll, wc) = self.begin_write(req, cname)?;
        if let Some((optime, body)) = self.retried(req) {
            return Ok(Err(self.finish_write(req, body, wc, optime, now)));
        }
        Ok(Ok((coll, wc)))
    }

    fn parse_write_concern(&self, req: &Request) -> Result<WriteConcern, CmdError> {
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
                return Err(CmdError::type_mismatch(format!(
                    "BSON field 'writeConcern' is the wrong type '{}', expected type 'object'",
                    store::type_name(other)
                )))
            }
        };
        let wtimeout = num(wc.get("wtimeout")).unwrap_or(0.0).max(0.0) as u64;
        let (mode, w) = match wc.get("w") {
            None => (default_mode, default_w),
            Some(Bson::String(s)) if s == "majority" => (WMode::Majority, Bson::String(s.clone())),
            Some(Bson::String(s)) => {
                return Err(CmdError::new(
                    79,
                    "UnknownReplWriteConcern",
                    format!("No write concern mode named '{s}' found in replica set configuration"),
                ))
            }
            Some(v) => match num(Some(v)) {
                Some(n) if (0.0..=50.0).contains(&n) && n.fract() == 0.0 => {
                    let n = n as i64;
                    (
                        if n <= 1 { WMode::None } else { WMode::Nodes(n) },
                        v.clone(),
                    )
                }
                _ => {
                    return Err(CmdError::new(
                        9,
                        "FailedToParse",
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
            with_ids.insert("electionId", super::cluster::election_id(term));
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
                    retryable: txn_key(&req.command).is_some(),
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

    fn new_cursor_id(&mut self) -> i64 {
        loop {
            let id = self.rng.gen::<i64>() & i64::MAX;
            if id != 0 {
                return id;
            }
        }
    }

    /// Splits results into a first batch and (if anything is left) a cursor.
    fn open_cursor(
        &mut self,
        m: usize,
        ns: String,
        mut docs: EncodedDocs,
        batch: Option<usize>,
        single: bool,
    ) -> Outcome {
        let mut reply = CursorReply::new("firstBatch");
        docs.take_batch(batch.unwrap_or(DEFAULT_FIRST_BATCH), &mut reply);
        let id = if docs.is_empty() || single {
            0
        } else {
            let id = self.new_cursor_id();
            self.members[m].cursors.insert(
                id,
                Cursor {
                    ns: ns.clone(),
                    docs,
                },
            );
            id
        };
        Outcome::Cursor(reply.finish(id, &ns))
    }

    /// The results of a find, encoded (straight from the store: nothing is cloned).
    fn run_find_encoded(
        &self,
        m: usize,
        db: &str,
        coll: &str,
        spec: &FindSpec,
    ) -> Result<EncodedDocs, CmdError> {
        let mut out = EncodedDocs::default();
        if db == "local" && coll == "oplog.rs" {
            for d in &self.run_find(m, db, coll, spec)? {
                out.push(d)?;
            }
            return Ok(out);
        }
        let mut failed = None;
        self.members[m].store.find_each(db, coll, spec, |d| {
            if failed.is_none() {
                if let Err(e) = out.push(d) {
                    failed = Some(e);
                }
            }
        })?;
        match failed {
            Some(e) => Err(e),
            None => Ok(out),
        }
    }

    fn oplog_documents(&self, m: usize) -> Vec<Document> {
        self.members[m]
            .oplog
            .iter()
            .map(|e| {
                let mut d = e.op.to_oplog_fields();
                d.insert("ts", e.optime.ts());
                d.insert("t", e.optime.term);
                d.insert("v", 2_i64);
                d.insert("wall", bson::DateTime::from_millis(e.wall_ms));
                d
            })
            .collect()
    }

    fn run_find(
        &self,
        m: usize,
        db: &str,
        coll: &str,
        spec: &FindSpec,
    ) -> Result<Vec<Document>, CmdError> {
        if db == "local" && coll == "oplog.rs" {
            let docs = self.oplog_documents(m);
            let mut tmp = store::Store::new();
            for (i, mut d) in docs.into_iter().enumerate() {
                // the oplog has no _id; give the scratch copy one, then strip it again
                d.insert("_id", i as i64);
                tmp.insert("local", "oplog.rs", d).map_err(CmdError::from)?;
            }
            let mut spec = spec.clone();
            let mut proj = spec.projection.take().unwrap_or_default();
            let strip = !proj.contains_key("_id");
            if strip
                && !proj.is_empty()
                && proj.values().any(|v| {
                    num(Some(v)).is_some_and(|n| n != 0.0) || matches!(v, Bson::Boolean(true))
                })
            {
                proj.insert("_id", 0);
            }
            spec.projection = if proj.is_empty() { None } else { Some(proj) };
            let mut out = tmp.find("local", "oplog.rs", &spec)?;
            if strip {
                for d in &mut out {
                    d.remove("_id");
                }
            }
            return Ok(out);
        }
        Ok(self.members[m].store.find(db, coll, spec)?)
    }

    // ----- reads -----

    fn cmd_find(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let cmd = &req.command;
        let coll = self.collection(req, "find")?;
        let filter = opt_doc(cmd, "find", "filter")?.unwrap_or_default();
        let sort = opt_doc(cmd, "find", "sort")?.filter(|s| !s.is_empty());
        let projection = opt_doc(cmd, "find", "projection")?;
        let skip = num(cmd.get("skip")).unwrap_or(0.0);
        if skip < 0.0 {
            return Err(CmdError::bad_value(format!(
                "skip value must be non-negative, but received: {skip}"
            )));
        }
        let limit = num(cmd.get("limit")).unwrap_or(0.0);
        let batch = num(cmd.get("batchSize"));
        if batch.is_some_and(|b| b < 0.0) {
            return Err(CmdError::bad_value(format!(
                "batchSize value must be non-negative, but received: {}",
                batch.unwrap_or_default()
            )));
        }
        let mut single = flag(cmd.get("singleBatch"));
        if limit < 0.0 {
            single = true;
        }
        let spec = FindSpec {
            filter,
            sort,
            projection,
            skip: skip as u64,
            limit: limit.abs() as u64,
        };
        let docs = self.run_find_encoded(req.member, &req.db, &coll, &spec)?;
        let ns = format!("{}.{coll}", req.db);
        let batch = batch.map(|b| b as usize);
        Ok(self.open_cursor(req.member, ns, docs, batch, single))
    }

    fn cmd_get_more(&mut self, req: &Request) -> CmdResult {
        let cmd = &req.command;
        let id = match cmd.get("getMore") {
            Some(Bson::Int64(i)) => *i,
            Some(Bson::Int32(i)) => *i as i64,
            Some(other) => {
                return Err(CmdError::type_mismatch(format!(
                    "Field 'getMore' must be of type long in: {{ getMore: {other} }}"
                )))
            }
            None => return Err(missing("getMore", "getMore")),
        };
        let coll = match cmd.get("collection") {
            Some(Bson::String(c)) => c.clone(),
            _ => return Err(missing("getMore", "collection")),
        };
        let ns = format!("{}.{coll}", req.db);
        let batch = num(cmd.get("batchSize")).map(|b| b.max(0.0) as usize);
        let mem = &mut self.members[req.member];
        let Some(cursor) = mem.cursors.get_mut(&id) else {
            return Err(CmdError::new(
                43,
                "CursorNotFound",
                format!("cursor id {id} not found"),
            ));
        };
        if cursor.ns != ns {
            return Err(CmdError::new(
                13,
                "Unauthorized",
                format!(
                    "Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {}",
                    cursor.ns
                ),
            ));
        }
        let mut reply = CursorReply::new("nextBatch");
        cursor
            .docs
            .take_batch(batch.filter(|b| *b > 0).unwrap_or(usize::MAX), &mut reply);
        let left = if cursor.docs.is_empty() {
            mem.cursors.remove(&id);
            0
        } else {
            id
        };
        Ok(Outcome::Cursor(reply.finish(left, &ns)))
    }

    fn cmd_kill_cursors(&mut self, req: &Request) -> CmdResult {
        let _ = self.collection(req, "killCursors")?;
        let Some(Bson::Array(ids)) = req.command.get("cursors") else {
            return Err(missing("killCursors", "cursors"));
        };
        let mut killed = Vec::new();
        let mut not_found = Vec::new();
        for id in ids {
            let id = match id {
                Bson::Int64(i) => *i,
                Bson::Int32(i) => *i as i64,
                _ => continue,
            };
            if self.members[req.member].cursors.remove(&id).is_some() {
                killed.push(Bson::Int64(id));
            } else {
                not_found.push(Bson::Int64(id));
            }
        }
        Ok(Outcome::Reply(doc! {
            "cursorsKilled": killed,
            "cursorsNotFound": not_found,
            "cursorsAlive": [],
            "cursorsUnknown": [],
        }))
    }

    fn cmd_count(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let coll = self.collection(req, "count")?;
        let q = opt_doc(&req.command, "count", "query")?.unwrap_or_default();
        let skip = num(req.command.get("skip")).unwrap_or(0.0).max(0.0) as u64;
        let limit = num(req.command.get("limit")).unwrap_or(0.0).abs() as u64;
        let n = self.members[req.member]
            .store
            .count(&req.db, &coll, &q, skip, limit)?;
        Ok(Outcome::Reply(doc! {"n": n as i32}))
    }

    fn cmd_distinct(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let coll = self.collection(req, "distinct")?;
        let key = match req.command.get("key") {
            Some(Bson::String(k)) => k.clone(),
            _ => return Err(missing("distinct", "key")),
        };
        let q = opt_doc(&req.command, "distinct", "query")?.unwrap_or_default();
        let spec = FindSpec {
            filter: q,
            ..FindSpec::default()
        };
        let mut values: Vec<Bson> = Vec::new();
        for d in self.run_find(req.member, &req.db, &coll, &spec)? {
            for v in store::values_at(&d, &key) {
                if !values.iter().any(|x| store::values_equal(x, &v)) {
                    values.push(v);
                }
            }
        }
        values.sort_by(store::compare_bson);
        Ok(Outcome::Reply(doc! {"values": values}))
    }

    fn cmd_aggregate(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let cmd = &req.command;
        let coll = match cmd.get("aggregate") {
            Some(Bson::String(_)) => self.collection(req, "aggregate")?,
            _ => {
                return Err(CmdError::new(
                    73,
                    "InvalidNamespace",
                    "the lab only runs collection aggregations (aggregate: \"<collection>\")",
                ))
            }
        };
        let Some(Bson::Array(pipeline)) = cmd.get("pipeline") else {
            return Err(missing("aggregate", "pipeline"));
        };
        let batch = match cmd.get("cursor") {
            Some(Bson::Document(c)) => num(c.get("batchSize")).map(|b| b.max(0.0) as usize),
            _ if flag(cmd.get("explain")) => None,
            _ => return Err(CmdError::new(
                9,
                "FailedToParse",
                "The 'cursor' option is required, except for aggregate with the explain argument",
            )),
        };
        let mut docs: Vec<Document> =
            self.run_find(req.member, &req.db, &coll, &FindSpec::default())?;
        for stage in pipeline {
            let Bson::Document(stage) = stage else {
                return Err(CmdError::type_mismatch(
                    "Each element of the 'pipeline' array must be an object",
                ));
            };
            let Some((op, arg)) = stage.iter().next() else {
                return Err(CmdError::new(
                    40323,
                    "Location40323",
                    "A pipeline stage specification object must contain exactly one field.",
                ));
            };
            docs = apply_stage(docs, op, arg)?;
        }
        let ns = format!("{}.{coll}", req.db);
        let docs = EncodedDocs::from_documents(&docs)?;
        Ok(self.open_cursor(req.member, ns, docs, batch, false))
    }

    fn cmd_list_databases(&mut self, req: &Request) -> CmdResult {
        if req.db != "admin" {
            return Err(CmdError::new(
                13,
                "Unauthorized",
                "listDatabases may only be run against the admin database.",
            ));
        }
        self.read_allowed(req)?;
        let name_only = flag(req.command.get("nameOnly"));
        let filter = opt_doc(&req.command, "listDatabases", "filter")?.unwrap_or_default();
        let st = &self.members[req.member].store;
        let mut names = st.database_names();
        for sys in ["admin", "config", "local"] {
            if !names.iter().any(|n| n == sys) {
                names.push(sys.to_string());
            }
        }
        names.sort();
        let mut dbs = Vec::new();
        let mut total = 0i64;
        for name in names {
            let size = match name.as_str() {
                "admin" | "config" => 40960 + st.database_size(&name) as i64,
                "local" => 73728 + self.members[req.member].oplog.len() as i64 * 100,
                _ => 8192 + st.database_size(&name) as i64,
            };
            let d = if name_only {
                doc! {"name": name.clone()}
            } else {
                doc! {"name": name.clone(), "sizeOnDisk": size, "empty": false}
            };
            if store::matches(&d, &filter)? {
                total += size;
                dbs.push(Bson::Document(d));
            }
        }
        if name_only {
            Ok(Outcome::Reply(doc! {"databases": dbs}))
        } else {
            Ok(Outcome::Reply(
                doc! {"databases": dbs, "totalSize": total, "totalSizeMb": total / (1024 * 1024)},
            ))
        }
    }

    fn cmd_list_collections(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let filter = opt_doc(&req.command, "listCollections", "filter")?.unwrap_or_default();
        let name_only = flag(req.command.get("nameOnly"));
        let batch = match req.command.get("cursor") {
            Some(Bson::Document(c)) => num(c.get("batchSize")).map(|b| b.max(0.0) as usize),
            _ => None,
        };
        let mut names = self.members[req.member].store.collection_names(&req.db);
        if req.db == "local" && self.members[req.member].config.is_some() {
            names.push("oplog.rs".into());
            names.sort();
        }
        let mut out = Vec::new();
        for name in names {
            let d = if name_only {
                doc! {"name": name.clone(), "type": "collection"}
            } else {
                doc! {
                    "name": name.clone(),
                    "type": "collection",
                    "options": {},
                    "info": {"readOnly": false},
                    "idIndex": {"v": 2, "key": {"_id": 1}, "name": "_id_"},
                }
            };
            if store::matches(&d, &filter)? {
                out.push(d);
            }
        }
        let ns = format!("{}.$cmd.listCollections", req.db);
        let out = EncodedDocs::from_documents(&out)?;
        Ok(self.open_cursor(req.member, ns, out, batch.or(Some(usize::MAX)), false))
    }

    fn cmd_list_indexes(&mut self, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let coll = self.collection(req, "listIndexes")?;
        if !self.members[req.member]
            .store
            .has_collection(&req.db, &coll)
        {
            return Err(CmdError::new(
                26,
                "NamespaceNotFound",
                format!("ns does not exist: {}.{coll}", req.db),
            ));
        }
        let ns = format!("{}.$cmd.listIndexes.{coll}", req.db);
        let docs =
            EncodedDocs::from_documents(&[doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"}])?;
        Ok(self.open_cursor(req.member, ns, docs, Some(usize::MAX), false))
    }

    // ----- writes -----

    fn cmd_insert(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "insert", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let Some(Bson::Array(docs)) = req.command.get("documents") else {
            return Err(missing("insert", "documents"));
        };
        let ordered = req.command.get("ordered").is_none_or(|v| flag(Some(v)));
        let docs = docs.clone();
        let m = req.member;
        let mut ops = Vec::new();
        let mut n = 0;
        let mut errors = Vec::new();
        for (i, d) in docs.into_iter().enumerate() {
            let Bson::Document(mut d) = d else {
                return Err(CmdError::type_mismatch(format!(
                    "BSON field 'insert.documents.{i}' is the wrong type, expected type 'object'"
                )));
            };
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
                    errors.push(write_error(i, &e));
                    if ordered {
                        break;
                    }
                }
            }
        }
        let before = self.members[m].oplog.len();
        let optime = self.log_write(m, ops, now);
        let mut body = doc! {"n": n};
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

    fn cmd_update(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "update", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let Some(Bson::Array(updates)) = req.command.get("updates") else {
            return Err(missing("update", "updates"));
        };
        let ordered = req.command.get("ordered").is_none_or(|v| flag(Some(v)));
        let updates = updates.clone();
        let m = req.member;
        let wall = self.options.epoch_ms + now as i64;
        self.members[m].store.set_now(wall);
        let (mut n, mut modified) = (0i64, 0i64);
        let mut upserted = Vec::new();
        let mut errors = Vec::new();
        let mut ops = Vec::new();
        for (i, u) in updates.iter().enumerate() {
            let Bson::Document(u) = u else {
                return Err(CmdError::type_mismatch(format!(
                    "BSON field 'update.updates.{i}' is the wrong type, expected type 'object'"
                )));
            };
            let q = match u.get("q") {
                Some(Bson::Document(q)) => q.clone(),
                _ => return Err(missing("update.updates", "q")),
            };
            let res = match u.get("u") {
                Some(Bson::Document(spec)) => {
                    let new_id = Bson::ObjectId(self.new_object_id());
                    self.members[m].store.update(
                        &req.db,
                        &coll,
                        &q,
                        spec,
                        flag(u.get("multi")),
                        flag(u.get("upsert")),
                        || new_id,
                    )
                }
                Some(Bson::Array(_)) => Err(StoreError::new(
                    9,
                    "FailedToParse",
                    "the lab does not support pipeline-style updates",
                )),
                _ => return Err(missing("update.updates", "u")),
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
                    errors.push(write_error(i, &e));
                    if ordered {
                        break;
                    }
                }
            }
        }
        let before = self.members[m].oplog.len();
        let optime = self.log_write(m, ops, now);
        let mut body = doc! {"n": n as i32, "nModified": modified as i32};
        if !upserted.is_empty() {
            body.insert("upserted", upserted);
        }
        if !errors.is_empty() {
            body.insert("writeErrors", errors);
        }
        self.remember(req, before, &body);
        self.finish_write(req, body, wc, optime, now)
    }

    fn cmd_delete(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = match self.begin_retryable_write(req, "delete", now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let Some(Bson::Array(deletes)) = req.command.get("deletes") else {
            return Err(missing("delete", "deletes"));
        };
        let ordered = req.command.get("ordered").is_none_or(|v| flag(Some(v)));
        let deletes = deletes.clone();
        let m = req.member;
        let mut n = 0i64;
        let mut errors = Vec::new();
        let mut ops = Vec::new();
        for (i, d) in deletes.iter().enumerate() {
            let Bson::Document(d) = d else {
                return Err(CmdError::type_mismatch(format!(
                    "BSON field 'delete.deletes.{i}' is the wrong type, expected type 'object'"
                )));
            };
            let q = match d.get("q") {
                Some(Bson::Document(q)) => q.clone(),
                _ => return Err(missing("delete.deletes", "q")),
            };
            let limit = num(d.get("limit"));
            let just_one = match limit {
                Some(l) if l.fract() == 0.0 && (0..=1).contains(&(l as i64)) => l as i64 == 1,
                Some(l) => {
                    return Err(CmdError::new(
                        9,
                        "FailedToParse",
                        format!("The limit field in delete objects must be 0 or 1. Got {l}"),
                    ))
                }
                None => return Err(missing("delete.deletes", "limit")),
            };
            match self.members[m].store.delete(&req.db, &coll, &q, just_one) {
                Ok((k, o)) => {
                    n += k as i64;
                    ops.extend(o);
                }
                Err(e) => {
                    errors.push(write_error(i, &e));
                    if ordered {
                        break;
                    }
                }
            }
        }
        let before = self.members[m].oplog.len();
        let optime = self.log_write(m, ops, now);
        let mut body = doc! {"n": n as i32};
        if !errors.is_empty() {
            body.insert("writeErrors", errors);
        }
        self.remember(req, before, &body);
        self.finish_write(req, body, wc, optime, now)
    }

    fn cmd_find_and_modify(&mut self, req: &Request, now: u64) -> CmdResult {
        let name = req.command.keys().next().cloned().unwrap_or_default();
        let (coll, wc) = match self.begin_retryable_write(req, &name, now)? {
            Ok(fresh) => fresh,
            Err(replayed) => return replayed,
        };
        let cmd = req.command.clone();
        let query = opt_doc(&cmd, &name, "query")?.unwrap_or_default();
        let sort = opt_doc(&cmd, &name, "sort")?.filter(|s| !s.is_empty());
        let fields = opt_doc(&cmd, &name, "fields")?;
        let remove = flag(cmd.get("remove"));
        let return_new = flag(cmd.get("new"));
        let upsert = flag(cmd.get("upsert"));
        let update = match cmd.get("update") {
            Some(Bson::Document(u)) => Some(u.clone()),
            Some(Bson::Array(_)) => {
                return Err(CmdError::new(
                    9,
                    "FailedToParse",
                    "the lab does not support pipeline-style updates",
                ))
            }
            _ => None,
        };
        if remove == update.is_some() {
            return Err(CmdError::new(
                9,
                "FailedToParse",
                "Either an update or remove=true must be specified",
            ));
        }
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
        let project = |d: Option<Document>| -> Result<Bson, CmdError> {
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
        let before = self.members[m].oplog.len();
        let optime = self.log_write(m, ops, now);
        let body = doc! {"lastErrorObject": last_error, "value": value};
        self.remember(req, before, &body);
        self.finish_write(req, body, wc, optime, now)
    }

    fn cmd_create(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = self.begin_write(req, "create")?;
        let m = req.member;
        if self.members[m].store.has_collection(&req.db, &coll) {
            return Err(CmdError::new(
                48,
                "NamespaceExists",
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

    fn cmd_create_indexes(&mut self, req: &Request, now: u64) -> CmdResult {
        let (coll, wc) = self.begin_write(req, "createIndexes")?;
        let Some(Bson::Array(indexes)) = req.command.get("indexes") else {
            return Err(missing("createIndexes", "indexes"));
        };
        let count = indexes.len() as i32;
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

    fn cmd_drop(&mut self, req: &Request, now: u64) -> CmdResult {
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

    fn cmd_drop_database(&mut self, req: &Request, now: u64) -> CmdResult {
        self.write_allowed(req)?;
        let wc = self.parse_write_concern(req)?;
        if matches!(req.db.as_str(), "admin" | "local" | "config") {
            return Err(CmdError::new(
                20,
                "IllegalOperation",
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

/// Results waiting in a cursor: BSON documents back to back, encoded once when the cursor opened,
/// and copied into each batch's reply as they are.
#[derive(Debug, Clone, Default)]
pub(crate) struct EncodedDocs {
    bytes: Vec<u8>,
    /// Where the next document starts.
    next: usize,
}

impl EncodedDocs {
    fn from_documents(docs: &[Document]) -> Result<Self, CmdError> {
        let mut out = EncodedDocs::default();
        for d in docs {
            out.push(d)?;
        }
        Ok(out)
    }

    fn push(&mut self, d: &Document) -> Result<(), CmdError> {
        d.to_writer(&mut self.bytes).map_err(|e| {
            CmdError::new(
                10334,
                "BSONObjectTooLarge",
                format!("a result does not encode: {e}"),
            )
        })
    }

    fn is_empty(&self) -> bool {
        self.next >= self.bytes.len()
    }

    fn len_at(&self, at: usize) -> usize {
        let b = &self.bytes[at..at + 4];
        i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    /// Moves up to `max` documents into `reply`, stopping before the batch would pass mongod's
    /// 16 MiB reply budget (one document always goes, whatever its size).
    fn take_batch(&mut self, max: usize, reply: &mut CursorReply) {
        let mut n = 0usize;
        let mut bytes = 0usize;
        while n < max && !self.is_empty() {
            let size = self.len_at(self.next);
            if n > 0 && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            reply.push(&self.bytes[self.next..self.next + size]);
            self.next += size;
            bytes += size;
            n += 1;
        }
        if self.is_empty() {
            self.bytes = Vec::new();
            self.next = 0;
        }
    }
}

/// The `cursor` sub-document of a cursor reply, written as BSON: `{firstBatch|nextBatch: [...],
/// id, ns}` in that order, as `doc!` would encode it.
struct CursorReply {
    out: Vec<u8>,
    /// Where the batch array starts.
    array: usize,
    count: usize,
}

impl CursorReply {
    fn new(key: &str) -> Self {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&[0; 4]);
        out.push(0x04);
        out.extend_from_slice(key.as_bytes());
        out.push(0);
        let array = out.len();
        out.extend_from_slice(&[0; 4]);
        CursorReply {
            out,
            array,
            count: 0,
        }
    }

    fn push(&mut self, doc: &[u8]) {
        if self.count == 0 {
            self.out.reserve(doc.len() * 2);
        }
        self.out.push(0x03);
        // the array index as the key, in decimal
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = self.count;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[i..]);
        self.out.push(0);
        self.out.extend_from_slice(doc);
        self.count += 1;
    }

    fn finish(mut self, id: i64, ns: &str) -> Vec<u8> {
        self.out.push(0);
        let array_len = (self.out.len() - self.array) as i32;
        self.out[self.array..self.array + 4].copy_from_slice(&array_len.to_le_bytes());
        self.out.push(0x12);
        self.out.extend_from_slice(b"id\0");
        self.out.extend_from_slice(&id.to_le_bytes());
        self.out.push(0x02);
        self.out.extend_from_slice(b"ns\0");
        self.out
            .extend_from_slice(&((ns.len() + 1) as i32).to_le_bytes());
        self.out.extend_from_slice(ns.as_bytes());
        self.out.push(0);
        self.out.push(0);
        let len = self.out.len() as i32;
        self.out[..4].copy_from_slice(&len.to_le_bytes());
        self.out
    }
}

/// One aggregation stage from the small supported set.
fn apply_stage(docs: Vec<Document>, op: &str, arg: &Bson) -> Result<Vec<Document>, CmdError> {
    let as_doc = |what: &str| -> Result<&Document, CmdError> {
        match arg {
            Bson::Document(d) => Ok(d),
            _ => Err(CmdError::type_mismatch(format!(
                "the {what} stage specification must be an object"
            ))),
        }
    };
    match op {
        "$match" => {
            let f = as_doc("$match")?;
            let mut out = Vec::new();
            for d in docs {
                if store::matches(&d, f)? {
                    out.push(d);
                }
            }
            Ok(out)
        }
        "$sort" => {
            let s = as_doc("$sort")?;
            let mut refs: Vec<&Document> = docs.iter().collect();
            store::sort_documents(&mut refs, s)?;
            Ok(refs.into_iter().cloned().collect())
        }
        "$skip" => Ok(docs
            .into_iter()
            .skip(num(Some(arg)).unwrap_or(0.0).max(0.0) as usize)
            .collect()),
        "$limit" => {
            let n = num(Some(arg)).unwrap_or(0.0);
            if n <= 0.0 {
                return Err(CmdError::new(
                    15958,
                    "Location15958",
                    "the limit must be positive",
                ));
            }
            Ok(docs.into_iter().take(n as usize).collect())
        }
        "$project" => {
            let p = as_doc("$project")?;
            docs.iter()
                .map(|d| store::project(d, p).map_err(CmdError::from))
                .collect()
        }
        "$count" => {
            let Bson::String(field) = arg else {
                return Err(CmdError::type_mismatch(
                    "the count field must be a non-empty string",
                ));
            };
            if docs.is_empty() {
                return Ok(Vec::new());
            }
            Ok(vec![doc! {field.clone(): docs.len() as i32}])
        }
        "$group" => {
            let g = as_doc("$group")?;
            let id = g.get("_id").cloned().unwrap_or(Bson::Null);
            if matches!(&id, Bson::String(s) if s.starts_with('$'))
                || matches!(id, Bson::Document(_))
            {
                return Err(CmdError::new(
                    9,
                    "FailedToParse",
                    "the lab's $group only supports a constant _id (one group)",
                ));
            }
            if docs.is_empty() {
                return Ok(Vec::new());
            }
            let mut out = doc! {"_id": id};
            for (field, acc) in g.iter().filter(|(k, _)| k.as_str() != "_id") {
                let Bson::Document(acc) = acc else {
                    return Err(CmdError::new(
                        40234,
                        "Location40234",
                        format!("The field '{field}' must be an accumulator object"),
                    ));
                };
                let Some((aop, aarg)) = acc.iter().next() else {
                    return Err(CmdError::new(
                        40234,
                        "Location40234",
                        format!("The field '{field}' must be an accumulator object"),
                    ));
                };
                let values: Vec<Bson> = match aarg {
                    Bson::String(p) if p.starts_with('$') => {
                        docs.iter().filter_map(|d| lookup(d, &p[1..])).collect()
                    }
                    other => docs.iter().map(|_| other.clone()).collect(),
                };
                let v = match aop.as_str() {
                    "$sum" => {
                        let nums: Vec<f64> = values.iter().filter_map(|v| num(Some(v))).collect();
                        let all_int = values
                            .iter()
                            .all(|v| matches!(v, Bson::Int32(_) | Bson::Int64(_)));
                        let s: f64 = nums.iter().sum();
                        if all_int && s.abs() < i32::MAX as f64 {
                            Bson::Int32(s as i32)
                        } else if all_int {
                            Bson::Int64(s as i64)
                        } else {
                            Bson::Double(s)
                        }
                    }
                    "$avg" => {
                        let nums: Vec<f64> = values.iter().filter_map(|v| num(Some(v))).collect();
                        if nums.is_empty() {
                            Bson::Null
                        } else {
                            Bson::Double(nums.iter().sum::<f64>() / nums.len() as f64)
                        }
                    }
                    "$min" => values
                        .iter()
                        .min_by(|a, b| store::compare_bson(a, b))
                        .cloned()
                        .unwrap_or(Bson::Null),
                    "$max" => values
                        .iter()
                        .max_by(|a, b| store::compare_bson(a, b))
                        .cloned()
                        .unwrap_or(Bson::Null),
                    "$first" => values.first().cloned().unwrap_or(Bson::Null),
                    "$last" => values.last().cloned().unwrap_or(Bson::Null),
                    "$push" => Bson::Array(values),
                    other => {
                        return Err(CmdError::new(
                            15952,
                            "Location15952",
                            format!("unknown group operator '{other}'"),
                        ))
                    }
                };
                out.insert(field.clone(), v);
            }
            Ok(vec![out])
        }
        other => Err(CmdError::new(
            40324,
            "Location40324",
            format!("Unrecognized pipeline stage name: '{other}'"),
        )),
    }
}

fn lookup(d: &Document, path: &str) -> Option<Bson> {
    let mut cur = Bson::Document(d.clone());
    for part in path.split('.') {
        cur = match cur {
            Bson::Document(d) => d.get(part)?.clone(),
            _ => return None,
        };
    }
    Some(cur)
}
