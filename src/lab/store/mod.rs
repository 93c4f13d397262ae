//! The lab's in-memory document store: databases, collections, and the query engine (filters,
//! sort, projection) each simulated member keeps. Pure and deterministic.
//!
//! Collections keep their documents in insertion order. Every write returns the [`Op`]s it made,
//! in the shape the oplog replicates: inserts, full post-images for updates (so applying them is
//! idempotent and needs no update language on the secondary), deletes by `_id`, and collection /
//! database drops. A secondary (or a member rebuilding after a rollback) calls [`Store::apply`].
//!
//! Comparisons follow MongoDB's BSON type ordering (MinKey < null < numbers < strings < objects <
//! arrays < binData < ObjectId < bool < date < timestamp < regex < MaxKey); numbers of different
//! types compare by value.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use bson::{Bson, Document};

use crate::lab::error::{Code, ServerError};

type Result<T> = std::result::Result<T, ServerError>;

pub mod aggregate;
mod filter;
mod order;
mod projection;
#[cfg(test)]
mod tests;
mod update;

pub use self::filter::{matches, values_at};
use self::order::bracket;
pub use self::order::{compare_bson, sort_documents, type_name, values_equal};
pub use self::projection::project;
use self::update::{set_path, split, UpdateKind};

/// One replicated effect of a write (what an oplog entry carries).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// A document was inserted.
    Insert {
        db: String,
        coll: String,
        doc: Document,
    },
    /// The document with this `_id` now reads `doc` (full post-image).
    Update {
        db: String,
        coll: String,
        id: Bson,
        doc: Document,
    },
    /// The document with this `_id` was removed.
    Delete { db: String, coll: String, id: Bson },
    /// A collection was created (implicitly, by its first insert or upsert).
    CreateCollection { db: String, coll: String },
    /// A collection was dropped.
    DropCollection { db: String, coll: String },
    /// A database was dropped.
    DropDatabase { db: String },
    /// A no-op entry (`{msg: "new primary"}`, `"initiating set"`...).
    Noop { msg: String },
}

impl Op {
    /// The entry's `op`, `ns`, `o` (and `o2`) fields as in `local.oplog.rs`.
    pub fn to_oplog_fields(&self) -> Document {
        let mut d = Document::new();
        match self {
            Op::Insert { db, coll, doc } => {
                d.insert("op", "i");
                d.insert("ns", format!("{db}.{coll}"));
                d.insert("o", doc.clone());
            }
            Op::Update { db, coll, id, doc } => {
                d.insert("op", "u");
                d.insert("ns", format!("{db}.{coll}"));
                d.insert("o", doc.clone());
                d.insert("o2", bson::doc! {"_id": id.clone()});
            }
            Op::Delete { db, coll, id } => {
                d.insert("op", "d");
                d.insert("ns", format!("{db}.{coll}"));
                d.insert("o", bson::doc! {"_id": id.clone()});
            }
            Op::CreateCollection { db, coll } => {
                d.insert("op", "c");
                d.insert("ns", format!("{db}.$cmd"));
                d.insert("o", bson::doc! {"create": coll.clone()});
            }
            Op::DropCollection { db, coll } => {
                d.insert("op", "c");
                d.insert("ns", format!("{db}.$cmd"));
                d.insert("o", bson::doc! {"drop": coll.clone()});
            }
            Op::DropDatabase { db } => {
                d.insert("op", "c");
                d.insert("ns", format!("{db}.$cmd"));
                d.insert("o", bson::doc! {"dropDatabase": 1});
            }
            Op::Noop { msg } => {
                d.insert("op", "n");
                d.insert("ns", "");
                d.insert("o", bson::doc! {"msg": msg.clone()});
            }
        }
        d
    }
}

/// What a `find` (or a `count`) asks for.
#[derive(Debug, Clone, Default)]
pub struct FindSpec {
    pub filter: Document,
    pub sort: Option<Document>,
    pub projection: Option<Document>,
    pub skip: u64,
    /// 0 = no limit (a negative limit is taken by its absolute value by the caller).
    pub limit: u64,
}

/// What an update did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateOutcome {
    /// Documents matched (1 for an upsert that inserted).
    pub n: u64,
    /// Documents actually changed.
    pub n_modified: u64,
    /// The `_id` of the upserted document, if the update inserted one.
    pub upserted: Option<Bson>,
    pub ops: Vec<Op>,
}

/// The documents of every database of one member.
/// One collection: documents in insertion order plus an `_id` index.
#[derive(Debug, Clone, Default)]
struct Collection {
    /// Insertion sequence number -> document (iteration order = insertion order).
    docs: BTreeMap<u64, Document>,
    /// Canonical `_id` key -> sequence number.
    by_id: HashMap<String, u64>,
    next: u64,
}

impl Collection {
    fn iter(&self) -> impl Iterator<Item = &Document> {
        self.docs.values()
    }

    fn seq_of(&self, id: &Bson) -> Option<u64> {
        self.by_id.get(&id_key(id)).copied()
    }

    /// Inserts, or replaces the document with the same `_id` in place.
    fn put(&mut self, doc: Document) {
        let key = id_key(doc.get("_id").unwrap_or(&Bson::Null));
        match self.by_id.get(&key) {
            Some(seq) => {
                self.docs.insert(*seq, doc);
            }
            None => {
                let seq = self.next;
                self.next += 1;
                self.docs.insert(seq, doc);
                self.by_id.insert(key, seq);
            }
        }
    }

    fn remove(&mut self, id: &Bson) {
        if let Some(seq) = self.by_id.remove(&id_key(id)) {
            self.docs.remove(&seq);
        }
    }
}

/// A canonical string for an `_id` so that equal values (1, 1.0, NumberLong(1)) share a key.
fn id_key(id: &Bson) -> String {
    match id {
        Bson::Int32(i) => format!("n:{i}"),
        Bson::Int64(i) => format!("n:{i}"),
        Bson::Double(d) if d.fract() == 0.0 && d.abs() < 9.0e15 => format!("n:{}", *d as i64),
        Bson::Double(d) => format!("d:{d:?}"),
        Bson::String(s) | Bson::Symbol(s) => format!("s:{s}"),
        Bson::ObjectId(o) => format!("o:{}", o.to_hex()),
        other => format!("x{}:{other:?}", bracket(other)),
    }
}

/// The documents of every database of one member.
#[derive(Debug, Clone, Default)]
pub struct Store {
    dbs: BTreeMap<String, BTreeMap<String, Collection>>,
    /// Wall time (ms since the epoch) the caller says it is, for `$currentDate`.
    now_ms: i64,
}

impl PartialEq for Store {
    /// Same databases, collections and documents in the same order.
    fn eq(&self, other: &Self) -> bool {
        self.dbs.len() == other.dbs.len()
            && self
                .dbs
                .iter()
                .zip(other.dbs.iter())
                .all(|((an, ac), (bn, bc))| {
                    an == bn
                        && ac.len() == bc.len()
                        && ac
                            .iter()
                            .zip(bc.iter())
                            .all(|((x, xc), (y, yc))| x == y && xc.iter().eq(yc.iter()))
                })
    }
}

impl Store {
    /// An empty store.
    pub fn new() -> Self {
        Store::default()
    }

    /// Sets the wall time (ms since the epoch) `$currentDate` writes; the store has no clock.
    pub fn set_now(&mut self, now_ms: i64) {
        self.now_ms = now_ms;
    }

    /// Database names, sorted.
    pub fn database_names(&self) -> Vec<String> {
        self.dbs.keys().cloned().collect()
    }

    /// Collection names of `db`, sorted.
    pub fn collection_names(&self, db: &str) -> Vec<String> {
        self.dbs
            .get(db)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether the collection exists.
    pub fn has_collection(&self, db: &str, coll: &str) -> bool {
        self.dbs.get(db).is_some_and(|c| c.contains_key(coll))
    }

    /// Approximate BSON size of a database's documents.
    pub fn database_size(&self, db: &str) -> u64 {
        self.dbs
            .get(db)
            .map(|colls| {
                colls
                    .values()
                    .flat_map(|c| c.iter())
                    .map(|d| bson::to_vec(d).map(|v| v.len() as u64).unwrap_or(0))
                    .sum()
            })
            .unwrap_or(0)
    }

    /// The documents of a collection in insertion order (empty if it does not exist).
    pub fn documents(&self, db: &str, coll: &str) -> Vec<&Document> {
        self.iter(db, coll).collect()
    }

    fn iter<'a>(&'a self, db: &str, coll: &str) -> Box<dyn Iterator<Item = &'a Document> + 'a> {
        match self.dbs.get(db).and_then(|c| c.get(coll)) {
            Some(c) => Box::new(c.iter()),
            None => Box::new(std::iter::empty()),
        }
    }

    fn contains_id(&self, db: &str, coll: &str, id: &Bson) -> bool {
        self.dbs
            .get(db)
            .and_then(|c| c.get(coll))
            .is_some_and(|c| c.seq_of(id).is_some())
    }

    /// Applies a replicated effect (idempotent).
    pub fn apply(&mut self, op: &Op) {
        match op {
            Op::Insert { db, coll, doc } => self.collection_mut(db, coll).put(doc.clone()),
            Op::Update { db, coll, doc, .. } => self.collection_mut(db, coll).put(doc.clone()),
            Op::Delete { db, coll, id } => self.collection_mut(db, coll).remove(id),
            Op::CreateCollection { db, coll } => {
                self.collection_mut(db, coll);
            }
            Op::DropCollection { db, coll } => {
                if let Some(colls) = self.dbs.get_mut(db) {
                    colls.remove(coll);
                    if colls.is_empty() {
                        self.dbs.remove(db);
                    }
                }
            }
            Op::DropDatabase { db } => {
                self.dbs.remove(db);
            }
            Op::Noop { .. } => {}
        }
    }

    fn collection_mut(&mut self, db: &str, coll: &str) -> &mut Collection {
        self.dbs
            .entry(db.to_string())
            .or_default()
            .entry(coll.to_string())
            .or_default()
    }

    fn create_ops(&self, db: &str, coll: &str) -> Vec<Op> {
        if self.has_collection(db, coll) {
            Vec::new()
        } else {
            vec![Op::CreateCollection {
                db: db.to_string(),
                coll: coll.to_string(),
            }]
        }
    }

    /// Inserts one document, which must already carry an `_id`.
    pub fn insert(&mut self, db: &str, coll: &str, doc: Document) -> Result<Vec<Op>> {
        let id = doc
            .get("_id")
            .cloned()
            .ok_or_else(|| ServerError::bad_value("document to insert has no _id"))?;
        if matches!(id, Bson::Array(_)) {
            return Err(ServerError::bad_value(
                "The '_id' value cannot be of type array",
            ));
        }
        if self.contains_id(db, coll, &id) {
            return Err(duplicate_key(db, coll, &id));
        }
        let mut ops = self.create_ops(db, coll);
        ops.push(Op::Insert {
            db: db.to_string(),
            coll: coll.to_string(),
            doc,
        });
        for op in &ops {
            self.apply(op);
        }
        Ok(ops)
    }

    /// Finds documents: filter, then sort, skip, limit, projection.
    pub fn find(&self, db: &str, coll: &str, spec: &FindSpec) -> Result<Vec<Document>> {
        let mut out = Vec::new();
        self.find_each(db, coll, spec, |d| out.push(d.clone()))?;
        Ok(out)
    }

    /// Like [`Store::find`], handing each result to `each` in order instead of collecting
    /// copies (stored documents are lent as they are; projected ones are built for the call).
    pub fn find_each(
        &self,
        db: &str,
        coll: &str,
        spec: &FindSpec,
        each: impl FnMut(&Document),
    ) -> Result<()> {
        let mut out = Vec::new();
        for doc in self.iter(db, coll) {
            if matches(doc, &spec.filter)? {
                out.push(doc);
            }
        }
        if let Some(sort) = &spec.sort {
            sort_documents(&mut out, sort)?;
        }
        let iter = out.into_iter().skip(spec.skip as usize);
        let limited: Vec<&Document> = if spec.limit > 0 {
            iter.take(spec.limit as usize).collect()
        } else {
            iter.collect()
        };
        match &spec.projection {
            Some(p) if !p.is_empty() => {
                // every projection is checked before the first result goes out
                let projected = limited
                    .into_iter()
                    .map(|d| project(d, p))
                    .collect::<Result<Vec<_>>>()?;
                projected.iter().for_each(each);
            }
            _ => limited.into_iter().for_each(each),
        }
        Ok(())
    }

    /// Counts matching documents after skip and limit (0 = none).
    pub fn count(
        &self,
        db: &str,
        coll: &str,
        filter: &Document,
        skip: u64,
        limit: u64,
    ) -> Result<u64> {
        let mut n = 0u64;
        for doc in self.iter(db, coll) {
            if matches(doc, filter)? {
                n += 1;
            }
        }
        let n = n.saturating_sub(skip);
        Ok(if limit > 0 { n.min(limit) } else { n })
    }

    /// Runs one update statement. `new_id` supplies an `_id` for an upserted document that gets
    /// none from the query or the update.
    #[allow(clippy::too_many_arguments)]
    pub fn update(
        &mut self,
        db: &str,
        coll: &str,
        query: &Document,
        update: &Document,
        multi: bool,
        upsert: bool,
        new_id: impl FnOnce() -> Bson,
    ) -> Result<UpdateOutcome> {
        let kind = UpdateKind::parse(update)?;
        if multi && matches!(kind, UpdateKind::Replacement(_)) {
            return Err(ServerError::failed_to_parse(
                "multi update is not supported for replacement-style update",
            ));
        }
        let mut matched: Vec<&Document> = Vec::new();
        for doc in self.iter(db, coll) {
            if matches(doc, query)? {
                matched.push(doc);
                if !multi {
                    break;
                }
            }
        }
        let mut outcome = UpdateOutcome::default();
        if matched.is_empty() {
            if !upsert {
                return Ok(outcome);
            }
            let mut doc = Document::new();
            if let UpdateKind::Replacement(r) = &kind {
                if let Some(id) = equality_id(query) {
                    doc.insert("_id", id);
                }
                for (k, v) in r.iter() {
                    doc.insert(k.clone(), v.clone());
                }
            } else {
                seed_from_query(&mut doc, query)?;
                kind.apply(&mut doc, true, self.now_ms)?;
            }
            if !doc.contains_key("_id") {
                let mut with_id = bson::doc! {"_id": new_id()};
                with_id.extend(doc);
                doc = with_id;
            } else if doc.keys().next().map(String::as_str) != Some("_id") {
                let id = doc.remove("_id").unwrap_or(Bson::Null);
                let mut with_id = bson::doc! {"_id": id};
                with_id.extend(doc);
                doc = with_id;
            }
            let id = doc.get("_id").cloned().unwrap_or(Bson::Null);
            if self.contains_id(db, coll, &id) {
                return Err(duplicate_key(db, coll, &id));
            }
            let mut ops = self.create_ops(db, coll);
            ops.push(Op::Insert {
                db: db.to_string(),
                coll: coll.to_string(),
                doc,
            });
            for op in &ops {
                self.apply(op);
            }
            outcome.n = 1;
            outcome.upserted = Some(id);
            outcome.ops = ops;
            return Ok(outcome);
        }
        // Compute every post-image first so that a failing statement changes nothing.
        let mut changed = Vec::new();
        for before in matched {
            let mut after = before.clone();
            match &kind {
                UpdateKind::Replacement(r) => {
                    let id = before.get("_id").cloned().unwrap_or(Bson::Null);
                    if let Some(new_id) = r.get("_id") {
                        if compare_bson(new_id, &id) != Ordering::Equal {
                            return Err(immutable_id(&id));
                        }
                    }
                    after = bson::doc! {"_id": id};
                    for (k, v) in r.iter() {
                        if k != "_id" {
                            after.insert(k.clone(), v.clone());
                        }
                    }
                }
                UpdateKind::Operators(_) => {
                    kind.apply(&mut after, false, self.now_ms)?;
                    let (a, b) = (after.get("_id"), before.get("_id"));
                    if a.is_none()
                        || compare_bson(a.unwrap_or(&Bson::Null), b.unwrap_or(&Bson::Null))
                            != Ordering::Equal
                    {
                        return Err(immutable_id(b.unwrap_or(&Bson::Null)));
                    }
                }
            }
            outcome.n += 1;
            if &after != before {
                changed.push((before.get("_id").cloned().unwrap_or(Bson::Null), after));
            }
        }
        for (id, doc) in changed {
            let op = Op::Update {
                db: db.to_string(),
                coll: coll.to_string(),
                id,
                doc,
            };
            self.apply(&op);
            outcome.n_modified += 1;
            outcome.ops.push(op);
        }
        Ok(outcome)
    }

    /// Deletes the matching documents (only the first when `just_one`).
    pub fn delete(
        &mut self,
        db: &str,
        coll: &str,
        query: &Document,
        just_one: bool,
    ) -> Result<(u64, Vec<Op>)> {
        let mut ids = Vec::new();
        for doc in self.iter(db, coll) {
            if matches(doc, query)? {
                ids.push(doc.get("_id").cloned().unwrap_or(Bson::Null));
                if just_one {
                    break;
                }
            }
        }
        let ops: Vec<Op> = ids
            .into_iter()
            .map(|id| Op::Delete {
                db: db.to_string(),
                coll: coll.to_string(),
                id,
            })
            .collect();
        for op in &ops {
            self.apply(op);
        }
        Ok((ops.len() as u64, ops))
    }

    /// Drops a collection; `None` if it did not exist.
    pub fn drop_collection(&mut self, db: &str, coll: &str) -> Option<Op> {
        if !self.has_collection(db, coll) {
            return None;
        }
        let op = Op::DropCollection {
            db: db.to_string(),
            coll: coll.to_string(),
        };
        self.apply(&op);
        Some(op)
    }

    /// Drops a database; `None` if it did not exist.
    pub fn drop_database(&mut self, db: &str) -> Option<Op> {
        if !self.dbs.contains_key(db) {
            return None;
        }
        let op = Op::DropDatabase { db: db.to_string() };
        self.apply(&op);
        Some(op)
    }
}

fn duplicate_key(db: &str, coll: &str, id: &Bson) -> ServerError {
    ServerError::new(Code::DuplicateKey, format!("E11000 duplicate key error collection: {db}.{coll} index: _id_ dup key: {{ _id: {id} }}"),
    )
}

fn immutable_id(id: &Bson) -> ServerError {
    ServerError::new(Code::ImmutableField, format!(
            "Performing an update on the path '_id' would modify the immutable field '_id' (the document's _id is {id})"
        ),
    )
}

fn equality_id(query: &Document) -> Option<Bson> {
    match query.get("_id")? {
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
            d.get("$eq").cloned()
        }
        other => Some(other.clone()),
    }
}

/// Copies a query's equality fields into a document being upserted.
fn seed_from_query(doc: &mut Document, query: &Document) -> Result<()> {
    for (k, v) in query {
        if k == "$and" {
            if let Bson::Array(items) = v {
                for item in items {
                    if let Bson::Document(d) = item {
                        seed_from_query(doc, d)?;
                    }
                }
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        let value = match v {
            Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => {
                match d.get("$eq") {
                    Some(x) => x.clone(),
                    None => continue,
                }
            }
            Bson::RegularExpression(_) => continue,
            other => other.clone(),
        };
        set_path(doc, &split(k), value)?;
    }
    Ok(())
}
