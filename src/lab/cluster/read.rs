//! The read commands (`find`, `count`, `distinct`, `aggregate`, `listDatabases`,
//! `listCollections`, `listIndexes`) and mongod's rule for where reads may run (a secondary
//! needs secondaryOk or a non-primary read preference; the `local` database is never
//! replicated). `local.oplog.rs` reads come from the member's oplog.

use bson::{doc, Bson, Document};

use super::crud_cmd::{
    Aggregate, Count, Distinct, Find, ListCollections, ListDatabases, ListIndexes,
};
use super::cursor::EncodedDocs;
use super::member::MemberState;
use super::{Cluster, CmdResult, Outcome, Request};
use crate::core::bson_value::number;
use crate::lab::error::{Code, ServerError};
use crate::lab::store::{self, aggregate, FindSpec};

impl Cluster {
    fn read_allowed(&self, req: &Request) -> Result<(), ServerError> {
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
            return Err(ServerError::new(
                Code::NotPrimaryNoSecondaryOk,
                "not primary and secondaryOk=false",
            ));
        }
        if state == MemberState::Secondary {
            return Ok(());
        }
        Err(ServerError::new(
            Code::NotPrimaryOrSecondary,
            "node is not in primary or recovering state",
        ))
    }

    fn run_find_encoded(
        &self,
        m: usize,
        db: &str,
        coll: &str,
        spec: &FindSpec,
    ) -> Result<EncodedDocs, ServerError> {
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
    ) -> Result<Vec<Document>, ServerError> {
        if db == "local" && coll == "oplog.rs" {
            let docs = self.oplog_documents(m);
            let mut tmp = store::Store::new();
            for (i, mut d) in docs.into_iter().enumerate() {
                // the oplog has no _id; give the scratch copy one, then strip it again
                d.insert("_id", i as i64);
                tmp.insert("local", "oplog.rs", d)?;
            }
            let mut spec = spec.clone();
            let mut proj = spec.projection.take().unwrap_or_default();
            let strip = !proj.contains_key("_id");
            if strip
                && !proj.is_empty()
                && proj.values().any(|v| {
                    number(Some(v)).is_some_and(|n| n != 0.0) || matches!(v, Bson::Boolean(true))
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
        self.members[m].store.find(db, coll, spec)
    }

    pub(super) fn cmd_find(&mut self, find: Find, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let spec = FindSpec {
            filter: find.filter,
            sort: find.sort,
            projection: find.projection,
            skip: find.skip,
            limit: find.limit,
        };
        let docs = self.run_find_encoded(req.member, &req.db, &find.coll, &spec)?;
        let ns = format!("{}.{}", req.db, find.coll);
        Ok(self.open_cursor(req.member, ns, docs, find.batch_size, find.single_batch))
    }

    pub(super) fn cmd_count(&mut self, c: Count, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let n = self.members[req.member]
            .store
            .count(&req.db, &c.coll, &c.query, c.skip, c.limit)?;
        Ok(Outcome::Reply(doc! {"n": n as i32}))
    }

    pub(super) fn cmd_distinct(&mut self, d: Distinct, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let spec = FindSpec {
            filter: d.query,
            ..FindSpec::default()
        };
        let mut values: Vec<Bson> = Vec::new();
        for doc in self.run_find(req.member, &req.db, &d.coll, &spec)? {
            for v in store::values_at(&doc, &d.key) {
                if !values.iter().any(|x| store::values_equal(x, &v)) {
                    values.push(v);
                }
            }
        }
        values.sort_by(store::compare_bson);
        Ok(Outcome::Reply(doc! {"values": values}))
    }

    pub(super) fn cmd_aggregate(&mut self, a: Aggregate, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let (coll, batch) = (a.coll, a.batch_size);
        let mut docs: Vec<Document> =
            self.run_find(req.member, &req.db, &coll, &FindSpec::default())?;
        for (op, arg) in &a.stages {
            docs = aggregate::apply_stage(docs, op, arg)?;
        }
        let ns = format!("{}.{coll}", req.db);
        let docs = EncodedDocs::from_documents(&docs)?;
        Ok(self.open_cursor(req.member, ns, docs, batch, false))
    }

    pub(super) fn cmd_list_databases(&mut self, ld: ListDatabases, req: &Request) -> CmdResult {
        if req.db != "admin" {
            return Err(ServerError::new(
                Code::Unauthorized,
                "listDatabases may only be run against the admin database.",
            ));
        }
        self.read_allowed(req)?;
        let (name_only, filter) = (ld.name_only, ld.filter);
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

    pub(super) fn cmd_list_collections(&mut self, lc: ListCollections, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let (filter, name_only, batch) = (lc.filter, lc.name_only, lc.batch_size);
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

    pub(super) fn cmd_list_indexes(&mut self, li: ListIndexes, req: &Request) -> CmdResult {
        self.read_allowed(req)?;
        let coll = li.coll;
        if !self.members[req.member]
            .store
            .has_collection(&req.db, &coll)
        {
            return Err(ServerError::new(
                Code::NamespaceNotFound,
                format!("ns does not exist: {}.{coll}", req.db),
            ));
        }
        let ns = format!("{}.$cmd.listIndexes.{coll}", req.db);
        let docs =
            EncodedDocs::from_documents(&[doc! {"v": 2, "key": {"_id": 1}, "name": "_id_"}])?;
        Ok(self.open_cursor(req.member, ns, docs, Some(usize::MAX), false))
    }
}
