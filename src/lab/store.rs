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

/// A failed store operation, with the server error code and name mongod would use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError {
    pub code: i32,
    pub code_name: &'static str,
    pub message: String,
}

impl StoreError {
    /// A server error with this code, name and message.
    pub fn new(code: i32, code_name: &'static str, message: impl Into<String>) -> Self {
        StoreError {
            code,
            code_name,
            message: message.into(),
        }
    }

    /// BadValue (2).
    pub fn bad_value(message: impl Into<String>) -> Self {
        Self::new(2, "BadValue", message)
    }

    /// FailedToParse (9).
    pub fn failed_to_parse(message: impl Into<String>) -> Self {
        Self::new(9, "FailedToParse", message)
    }

    fn path_not_viable(message: impl Into<String>) -> Self {
        Self::new(28, "PathNotViable", message)
    }

    fn type_mismatch(message: impl Into<String>) -> Self {
        Self::new(14, "TypeMismatch", message)
    }
}

type Result<T> = std::result::Result<T, StoreError>;

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
            .ok_or_else(|| StoreError::bad_value("document to insert has no _id"))?;
        if matches!(id, Bson::Array(_)) {
            return Err(StoreError::bad_value(
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
            return Err(StoreError::failed_to_parse(
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

fn duplicate_key(db: &str, coll: &str, id: &Bson) -> StoreError {
    StoreError::new(
        11000,
        "DuplicateKey",
        format!("E11000 duplicate key error collection: {db}.{coll} index: _id_ dup key: {{ _id: {id} }}"),
    )
}

fn immutable_id(id: &Bson) -> StoreError {
    StoreError::new(
        66,
        "ImmutableField",
        format!(
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

enum UpdateKind {
    Replacement(Document),
    Operators(Document),
}

impl UpdateKind {
    fn parse(update: &Document) -> Result<Self> {
        let dollar = update.keys().filter(|k| k.starts_with('$')).count();
        if dollar == 0 {
            return Ok(UpdateKind::Replacement(update.clone()));
        }
        if dollar != update.len() {
            let bad = update
                .keys()
                .find(|k| !k.starts_with('$'))
                .cloned()
                .unwrap_or_default();
            return Err(StoreError::failed_to_parse(format!(
                "Unknown modifier: {bad}. Expected a valid update modifier or pipeline-style update specified as an array"
            )));
        }
        for (op, arg) in update {
            if !matches!(
                op.as_str(),
                "$set"
                    | "$unset"
                    | "$inc"
                    | "$mul"
                    | "$min"
                    | "$max"
                    | "$rename"
                    | "$push"
                    | "$addToSet"
                    | "$pull"
                    | "$pop"
                    | "$setOnInsert"
                    | "$currentDate"
            ) {
                return Err(StoreError::failed_to_parse(format!(
                    "Unknown modifier: {op}. Expected a valid update modifier or pipeline-style update specified as an array"
                )));
            }
            if !matches!(arg, Bson::Document(_)) {
                return Err(StoreError::failed_to_parse(format!(
                    "Modifiers operate on fields but we found type {} instead. For example: {{$mod: {{<field>: ...}}}} not {{{op}: {arg}}}",
                    type_name(arg)
                )));
            }
        }
        Ok(UpdateKind::Operators(update.clone()))
    }

    fn apply(&self, doc: &mut Document, inserting: bool, now_ms: i64) -> Result<()> {
        let UpdateKind::Operators(ops) = self else {
            return Ok(());
        };
        for (op, arg) in ops {
            let Bson::Document(fields) = arg else {
                continue;
            };
            for (path, value) in fields {
                let parts = split(path);
                if parts.iter().any(|p| p.starts_with('$')) {
                    return Err(StoreError::bad_value(format!(
                        "the lab does not support positional or array-filter update paths ('{path}')"
                    )));
                }
                match op.as_str() {
                    "$set" => set_path(doc, &parts, value.clone())?,
                    "$setOnInsert" if inserting => set_path(doc, &parts, value.clone())?,
                    "$unset" => unset_path(doc, &parts),
                    "$inc" | "$mul" => {
                        if !is_number(value) {
                            return Err(StoreError::type_mismatch(format!(
                                "Cannot {} with non-numeric argument: {{{path}: {value}}}",
                                if op == "$inc" {
                                    "increment"
                                } else {
                                    "multiply"
                                }
                            )));
                        }
                        let current = get_path(doc, &parts);
                        let new = match current {
                            None => {
                                if op == "$inc" {
                                    value.clone()
                                } else {
                                    zero_like(value)
                                }
                            }
                            Some(c) if is_number(&c) => {
                                if op == "$inc" {
                                    num_add(&c, value)
                                } else {
                                    num_mul(&c, value)
                                }
                            }
                            Some(c) => {
                                return Err(StoreError::type_mismatch(format!(
                                    "Cannot apply {op} to a value of non-numeric type. {{_id: {}}} has the field '{path}' of non-numeric type {}",
                                    doc.get("_id").cloned().unwrap_or(Bson::Null),
                                    type_name(&c)
                                )))
                            }
                        };
                        set_path(doc, &parts, new)?;
                    }
                    "$min" | "$max" => {
                        let replace = match get_path(doc, &parts) {
                            None => true,
                            Some(c) => {
                                let ord = compare_bson(value, &c);
                                if op == "$min" {
                                    ord == Ordering::Less
                                } else {
                                    ord == Ordering::Greater
                                }
                            }
                        };
                        if replace {
                            set_path(doc, &parts, value.clone())?;
                        }
                    }
                    "$rename" => {
                        let Bson::String(to) = value else {
                            return Err(StoreError::bad_value(format!(
                                "The 'to' field for $rename must be a string: {path}: {value}"
                            )));
                        };
                        if let Some(v) = get_path(doc, &parts) {
                            unset_path(doc, &parts);
                            set_path(doc, &split(to), v)?;
                        }
                    }
                    "$push" | "$addToSet" => {
                        let items: Vec<Bson> = match value {
                            Bson::Document(d) if d.contains_key("$each") => match d.get("$each") {
                                Some(Bson::Array(a)) => a.clone(),
                                _ => {
                                    return Err(StoreError::bad_value(
                                        "The argument to $each must be an array",
                                    ))
                                }
                            },
                            other => vec![other.clone()],
                        };
                        let mut arr = match get_path(doc, &parts) {
                            None => Vec::new(),
                            Some(Bson::Array(a)) => a,
                            Some(other) => {
                                return Err(StoreError::bad_value(format!(
                                    "The field '{path}' must be an array but is of type {} in document {{_id: {}}}",
                                    type_name(&other),
                                    doc.get("_id").cloned().unwrap_or(Bson::Null)
                                )))
                            }
                        };
                        for item in items {
                            if op == "$push" || !arr.iter().any(|x| values_equal(x, &item)) {
                                arr.push(item);
                            }
                        }
                        set_path(doc, &parts, Bson::Array(arr))?;
                    }
                    "$pull" => {
                        if let Some(Bson::Array(arr)) = get_path(doc, &parts) {
                            let mut kept = Vec::new();
                            for x in arr {
                                let wrapper = bson::doc! {"v": x.clone()};
                                let cond = match value {
                                    Bson::Document(d)
                                        if !d.keys().next().is_some_and(|k| k.starts_with('$')) =>
                                    {
                                        match &x {
                                            Bson::Document(xd) => !matches(xd, d)?,
                                            _ => true,
                                        }
                                    }
                                    _ => !match_field(&wrapper, "v", value)?,
                                };
                                if cond {
                                    kept.push(x);
                                }
                            }
                            set_path(doc, &parts, Bson::Array(kept))?;
                        }
                    }
                    "$pop" => {
                        if let Some(Bson::Array(mut arr)) = get_path(doc, &parts) {
                            if !arr.is_empty() {
                                if as_f64(value).unwrap_or(1.0) < 0.0 {
                                    arr.remove(0);
                                } else {
                                    arr.pop();
                                }
                            }
                            set_path(doc, &parts, Bson::Array(arr))?;
                        }
                    }
                    "$currentDate" => {
                        // the time the caller set with `Store::set_now` (the store has no clock)
                        let is_ts = matches!(value, Bson::Document(d) if d.get("$type") == Some(&Bson::String("timestamp".into())));
                        let v = if is_ts {
                            Bson::Timestamp(bson::Timestamp {
                                time: (now_ms / 1000).max(0) as u32,
                                increment: 1,
                            })
                        } else {
                            Bson::DateTime(bson::DateTime::from_millis(now_ms))
                        };
                        set_path(doc, &parts, v)?;
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }
}

fn split(path: &str) -> Vec<&str> {
    path.split('.').collect()
}

fn get_path(doc: &Document, parts: &[&str]) -> Option<Bson> {
    let (first, rest) = parts.split_first()?;
    let v = doc.get(*first)?;
    if rest.is_empty() {
        return Some(v.clone());
    }
    match v {
        Bson::Document(d) => get_path(d, rest),
        Bson::Array(a) => {
            let i: usize = rest[0].parse().ok()?;
            let e = a.get(i)?;
            if rest.len() == 1 {
                Some(e.clone())
            } else if let Bson::Document(d) = e {
                get_path(d, &rest[1..])
            } else {
                None
            }
        }
        _ => None,
    }
}

fn set_path(doc: &mut Document, parts: &[&str], value: Bson) -> Result<()> {
    let Some((first, rest)) = parts.split_first() else {
        return Ok(());
    };
    if first.starts_with('$') {
        return Err(StoreError::bad_value(format!(
            "the lab does not support positional or array-filter update paths ('{first}')"
        )));
    }
    if first.is_empty() {
        return Err(StoreError::new(
            56,
            "EmptyFieldName",
            "An update path contains an empty field name, which is not allowed.",
        ));
    }
    if rest.is_empty() {
        doc.insert(first.to_string(), value);
        return Ok(());
    }
    match doc.get_mut(*first) {
        None => {
            let mut sub = Document::new();
            set_path(&mut sub, rest, value)?;
            doc.insert(first.to_string(), sub);
            Ok(())
        }
        Some(Bson::Document(sub)) => set_path(sub, rest, value),
        Some(Bson::Array(arr)) => {
            let Ok(i) = rest[0].parse::<usize>() else {
                return Err(StoreError::path_not_viable(format!(
                    "Cannot create field '{}' in element {{{first}: [...]}}",
                    rest[0]
                )));
            };
            if i > arr.len() + 1_500_000 {
                return Err(StoreError::bad_value(format!(
                    "can't backfill array to larger than 1500000 elements (index {i} of '{first}')"
                )));
            }
            while arr.len() <= i {
                arr.push(Bson::Null);
            }
            if rest.len() == 1 {
                arr[i] = value;
                Ok(())
            } else {
                if !matches!(arr[i], Bson::Document(_)) {
                    if arr[i] == Bson::Null {
                        arr[i] = Bson::Document(Document::new());
                    } else {
                        return Err(StoreError::path_not_viable(format!(
                            "Cannot create field '{}' in element {{{}: {}}}",
                            rest[1], rest[0], arr[i]
                        )));
                    }
                }
                match &mut arr[i] {
                    Bson::Document(sub) => set_path(sub, &rest[1..], value),
                    _ => Ok(()),
                }
            }
        }
        Some(other) => Err(StoreError::path_not_viable(format!(
            "Cannot create field '{}' in element {{{first}: {other}}}",
            rest[0]
        ))),
    }
}

fn unset_path(doc: &mut Document, parts: &[&str]) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if rest.is_empty() {
        doc.remove(*first);
        return;
    }
    match doc.get_mut(*first) {
        Some(Bson::Document(sub)) => unset_path(sub, rest),
        Some(Bson::Array(arr)) => {
            if let Ok(i) = rest[0].parse::<usize>() {
                if rest.len() == 1 {
                    if i < arr.len() {
                        arr[i] = Bson::Null;
                    }
                } else if let Some(Bson::Document(sub)) = arr.get_mut(i) {
                    unset_path(sub, &rest[1..]);
                }
            }
        }
        _ => {}
    }
}

fn is_number(v: &Bson) -> bool {
    matches!(
        v,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_)
    )
}

fn as_f64(v: &Bson) -> Option<f64> {
    match v {
        Bson::Int32(i) => Some(*i as f64),
        Bson::Int64(i) => Some(*i as f64),
        Bson::Double(d) => Some(*d),
        Bson::Decimal128(d) => d.to_string().parse().ok(),
        _ => None,
    }
}

fn zero_like(v: &Bson) -> Bson {
    match v {
        Bson::Int32(_) => Bson::Int32(0),
        Bson::Int64(_) => Bson::Int64(0),
        _ => Bson::Double(0.0),
    }
}

fn num_add(a: &Bson, b: &Bson) -> Bson {
    match (a, b) {
        (Bson::Int32(x), Bson::Int32(y)) => match x.checked_add(*y) {
            Some(s) => Bson::Int32(s),
            None => Bson::Int64(*x as i64 + *y as i64),
        },
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            let (x, y) = (int_of(a), int_of(b));
            match x.checked_add(y) {
                Some(s) => Bson::Int64(s),
                None => Bson::Double(x as f64 + y as f64),
            }
        }
        _ => Bson::Double(as_f64(a).unwrap_or(0.0) + as_f64(b).unwrap_or(0.0)),
    }
}

fn num_mul(a: &Bson, b: &Bson) -> Bson {
    match (a, b) {
        (Bson::Int32(x), Bson::Int32(y)) => match x.checked_mul(*y) {
            Some(s) => Bson::Int32(s),
            None => Bson::Int64(*x as i64 * *y as i64),
        },
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            let (x, y) = (int_of(a), int_of(b));
            match x.checked_mul(y) {
                Some(s) => Bson::Int64(s),
                None => Bson::Double(x as f64 * y as f64),
            }
        }
        _ => Bson::Double(as_f64(a).unwrap_or(0.0) * as_f64(b).unwrap_or(0.0)),
    }
}

fn int_of(v: &Bson) -> i64 {
    match v {
        Bson::Int32(i) => *i as i64,
        Bson::Int64(i) => *i,
        _ => 0,
    }
}

/// The BSON type name mongod uses in messages.
pub fn type_name(v: &Bson) -> &'static str {
    match v {
        Bson::Double(_) => "double",
        Bson::String(_) => "string",
        Bson::Document(_) => "object",
        Bson::Array(_) => "array",
        Bson::Binary(_) => "binData",
        Bson::Undefined => "undefined",
        Bson::ObjectId(_) => "objectId",
        Bson::Boolean(_) => "bool",
        Bson::DateTime(_) => "date",
        Bson::Null => "null",
        Bson::RegularExpression(_) => "regex",
        Bson::DbPointer(_) => "dbPointer",
        Bson::JavaScriptCode(_) => "javascript",
        Bson::Symbol(_) => "symbol",
        Bson::JavaScriptCodeWithScope(_) => "javascriptWithScope",
        Bson::Int32(_) => "int",
        Bson::Timestamp(_) => "timestamp",
        Bson::Int64(_) => "long",
        Bson::Decimal128(_) => "decimal",
        Bson::MinKey => "minKey",
        Bson::MaxKey => "maxKey",
    }
}

/// The canonical type bracket used for ordering values of different types.
fn bracket(v: &Bson) -> u8 {
    match v {
        Bson::MinKey => 1,
        Bson::Null | Bson::Undefined => 2,
        Bson::Int32(_) | Bson::Int64(_) | Bson::Double(_) | Bson::Decimal128(_) => 3,
        Bson::String(_) | Bson::Symbol(_) => 4,
        Bson::Document(_) => 5,
        Bson::Array(_) => 6,
        Bson::Binary(_) => 7,
        Bson::ObjectId(_) => 8,
        Bson::Boolean(_) => 9,
        Bson::DateTime(_) => 10,
        Bson::Timestamp(_) => 11,
        Bson::RegularExpression(_) => 12,
        Bson::MaxKey => 14,
        _ => 13,
    }
}

/// Total order over BSON values following MongoDB's comparison rules.
pub fn compare_bson(a: &Bson, b: &Bson) -> Ordering {
    let (ba, bb) = (bracket(a), bracket(b));
    if ba != bb {
        return ba.cmp(&bb);
    }
    match (a, b) {
        (Bson::Int32(_) | Bson::Int64(_), Bson::Int32(_) | Bson::Int64(_)) => {
            int_of(a).cmp(&int_of(b))
        }
        _ if ba == 3 => {
            let (x, y) = (as_f64(a).unwrap_or(f64::NAN), as_f64(b).unwrap_or(f64::NAN));
            // NaN sorts before every other number, as in MongoDB.
            match (x.is_nan(), y.is_nan()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                _ => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            }
        }
        (Bson::String(x) | Bson::Symbol(x), Bson::String(y) | Bson::Symbol(y)) => x.cmp(y),
        (Bson::Document(x), Bson::Document(y)) => {
            let mut xi = x.iter();
            let mut yi = y.iter();
            loop {
                match (xi.next(), yi.next()) {
                    (None, None) => return Ordering::Equal,
                    (None, Some(_)) => return Ordering::Less,
                    (Some(_), None) => return Ordering::Greater,
                    (Some((kx, vx)), Some((ky, vy))) => {
                        let o = bracket(vx)
                            .cmp(&bracket(vy))
                            .then_with(|| kx.cmp(ky))
                            .then_with(|| compare_bson(vx, vy));
                        if o != Ordering::Equal {
                            return o;
                        }
                    }
                }
            }
        }
        (Bson::Array(x), Bson::Array(y)) => {
            for (vx, vy) in x.iter().zip(y.iter()) {
                let o = compare_bson(vx, vy);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Bson::Binary(x), Bson::Binary(y)) => x
            .bytes
            .len()
            .cmp(&y.bytes.len())
            .then_with(|| u8::from(x.subtype).cmp(&u8::from(y.subtype)))
            .then_with(|| x.bytes.cmp(&y.bytes)),
        (Bson::ObjectId(x), Bson::ObjectId(y)) => x.bytes().cmp(&y.bytes()),
        (Bson::Boolean(x), Bson::Boolean(y)) => x.cmp(y),
        (Bson::DateTime(x), Bson::DateTime(y)) => x.timestamp_millis().cmp(&y.timestamp_millis()),
        (Bson::Timestamp(x), Bson::Timestamp(y)) => {
            (x.time, x.increment).cmp(&(y.time, y.increment))
        }
        (Bson::RegularExpression(x), Bson::RegularExpression(y)) => {
            (x.pattern.as_str(), x.options.as_str()).cmp(&(y.pattern.as_str(), y.options.as_str()))
        }
        _ => format!("{a:?}").cmp(&format!("{b:?}")),
    }
}

/// Equality as `$eq` sees it (numbers by value, documents field by field in order).
pub fn values_equal(a: &Bson, b: &Bson) -> bool {
    bracket(a) == bracket(b) && compare_bson(a, b) == Ordering::Equal
}

/// The values a dotted path reaches in a document, traversing arrays (not expanded).
fn path_values<'a>(doc: &'a Document, path: &str) -> Vec<&'a Bson> {
    let parts = split(path);
    let mut out = Vec::new();
    collect_doc(doc, &parts, &mut out);
    out
}

fn collect_doc<'a>(doc: &'a Document, parts: &[&str], out: &mut Vec<&'a Bson>) {
    if let Some(v) = doc.get(parts[0]) {
        collect_value(v, &parts[1..], out);
    }
}

fn collect_value<'a>(v: &'a Bson, rest: &[&str], out: &mut Vec<&'a Bson>) {
    if rest.is_empty() {
        out.push(v);
        return;
    }
    match v {
        Bson::Document(d) => collect_doc(d, rest, out),
        Bson::Array(items) => {
            if let Ok(i) = rest[0].parse::<usize>() {
                if let Some(e) = items.get(i) {
                    collect_value(e, &rest[1..], out);
                }
            }
            for e in items {
                if let Bson::Document(d) = e {
                    collect_doc(d, rest, out);
                }
            }
        }
        _ => {}
    }
}

/// The values a dotted path reaches, arrays replaced by their elements (what `distinct` lists).
pub fn values_at(doc: &Document, path: &str) -> Vec<Bson> {
    let mut out = Vec::new();
    for v in path_values(doc, path) {
        match v {
            Bson::Array(items) => out.extend(items.iter().cloned()),
            other => out.push(other.clone()),
        }
    }
    out
}

/// Each value plus, for arrays, each of their elements (what comparisons look at).
fn expand<'a>(values: &[&'a Bson]) -> Vec<&'a Bson> {
    let mut out = Vec::new();
    for v in values {
        out.push(*v);
        if let Bson::Array(items) = v {
            out.extend(items.iter());
        }
    }
    out
}

fn eq_match(values: &[&Bson], target: &Bson) -> bool {
    if matches!(target, Bson::Null) && values.is_empty() {
        return true;
    }
    expand(values).iter().any(|c| values_equal(c, target))
}

fn truthy(v: &Bson) -> bool {
    match v {
        Bson::Boolean(b) => *b,
        Bson::Null | Bson::Undefined => false,
        other => as_f64(other).is_none_or(|x| x != 0.0),
    }
}

fn is_operator_doc(v: &Bson) -> Option<&Document> {
    match v {
        Bson::Document(d) if d.keys().next().is_some_and(|k| k.starts_with('$')) => Some(d),
        _ => None,
    }
}

/// Whether `doc` matches the query `filter`.
pub fn matches(doc: &Document, filter: &Document) -> Result<bool> {
    for (key, cond) in filter {
        let ok = match key.as_str() {
            "$and" | "$or" | "$nor" => {
                let Bson::Array(items) = cond else {
                    return Err(StoreError::bad_value(format!("{key} must be an array")));
                };
                if items.is_empty() {
                    return Err(StoreError::bad_value(
                        "$and/$or/$nor must be a nonempty array",
                    ));
                }
                let mut results = Vec::with_capacity(items.len());
                for item in items {
                    let Bson::Document(sub) = item else {
                        return Err(StoreError::bad_value(
                            "$or/$and/$nor entries need to be full objects",
                        ));
                    };
                    results.push(matches(doc, sub)?);
                }
                match key.as_str() {
                    "$and" => results.iter().all(|r| *r),
                    "$or" => results.iter().any(|r| *r),
                    _ => !results.iter().any(|r| *r),
                }
            }
            "$comment" => true,
            k if k.starts_with('$') => {
                return Err(StoreError::bad_value(format!(
                    "unknown top level operator: {k}"
                )));
            }
            path => match_field(doc, path, cond)?,
        };
        if !ok {
            return Ok(false);
        }
    }
    Ok(true)
}

fn match_field(doc: &Document, path: &str, cond: &Bson) -> Result<bool> {
    let values = path_values(doc, path);
    if let Some(ops) = is_operator_doc(cond) {
        for (op, arg) in ops {
            if !match_op(doc, path, &values, op, arg, ops)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if let Bson::RegularExpression(re) = cond {
        return regex_match(&values, &re.pattern, &re.options);
    }
    Ok(eq_match(&values, cond))
}

fn compare_op(values: &[&Bson], arg: &Bson, want: impl Fn(Ordering) -> bool) -> bool {
    expand(values)
        .iter()
        .any(|c| bracket(c) == bracket(arg) && want(compare_bson(c, arg)))
}

fn match_op(
    doc: &Document,
    path: &str,
    values: &[&Bson],
    op: &str,
    arg: &Bson,
    all: &Document,
) -> Result<bool> {
    Ok(match op {
        "$eq" => eq_match(values, arg),
        "$ne" => !eq_match(values, arg),
        "$gt" => compare_op(values, arg, |o| o == Ordering::Greater),
        "$gte" => {
            (matches!(arg, Bson::Null) && eq_match(values, arg))
                || compare_op(values, arg, |o| o != Ordering::Less)
        }
        "$lt" => compare_op(values, arg, |o| o == Ordering::Less),
        "$lte" => {
            (matches!(arg, Bson::Null) && eq_match(values, arg))
                || compare_op(values, arg, |o| o != Ordering::Greater)
        }
        "$in" | "$nin" => {
            let Bson::Array(items) = arg else {
                return Err(StoreError::bad_value(format!("{op} needs an array")));
            };
            let mut found = false;
            for item in items {
                let hit = match item {
                    Bson::RegularExpression(re) => regex_match(values, &re.pattern, &re.options)?,
                    other => eq_match(values, other),
                };
                if hit {
                    found = true;
                    break;
                }
            }
            if op == "$in" {
                found
            } else {
                !found
            }
        }
        "$exists" => truthy(arg) != values.is_empty(),
        "$not" => match arg {
            Bson::RegularExpression(re) => !regex_match(values, &re.pattern, &re.options)?,
            Bson::Document(d) if is_operator_doc(arg).is_some() => {
                !match_field(doc, path, &Bson::Document(d.clone()))?
            }
            _ => return Err(StoreError::bad_value("$not needs a regex or a document")),
        },
        "$regex" => {
            let options = match all.get("$options") {
                Some(Bson::String(s)) => s.clone(),
                _ => String::new(),
            };
            match arg {
                Bson::String(p) => regex_match(values, p, &options)?,
                Bson::RegularExpression(re) => {
                    let opts = if options.is_empty() {
                        re.options.clone()
                    } else {
                        options
                    };
                    regex_match(values, &re.pattern, &opts)?
                }
                _ => return Err(StoreError::bad_value("$regex has to be a string")),
            }
        }
        "$options" => {
            if !all.contains_key("$regex") {
                return Err(StoreError::bad_value("$options needs a $regex"));
            }
            true
        }
        "$size" => {
            let Some(n) = as_f64(arg) else {
                return Err(StoreError::bad_value("$size needs a number"));
            };
            values
                .iter()
                .any(|v| matches!(v, Bson::Array(a) if a.len() as f64 == n))
        }
        "$all" => {
            let Bson::Array(items) = arg else {
                return Err(StoreError::bad_value("$all needs an array"));
            };
            !items.is_empty() && items.iter().all(|i| eq_match(values, i))
        }
        "$elemMatch" => {
            let Bson::Document(sub) = arg else {
                return Err(StoreError::bad_value("$elemMatch needs an Object"));
            };
            let mut hit = false;
            for v in values {
                let Bson::Array(items) = v else { continue };
                for e in items {
                    let ok = if is_operator_doc(arg).is_some() {
                        match_field(&bson::doc! {"v": e.clone()}, "v", arg)?
                    } else if let Bson::Document(ed) = e {
                        matches(ed, sub)?
                    } else {
                        false
                    };
                    if ok {
                        hit = true;
                        break;
                    }
                }
                if hit {
                    break;
                }
            }
            hit
        }
        "$type" => {
            let wanted: Vec<&Bson> = match arg {
                Bson::Array(a) => a.iter().collect(),
                other => vec![other],
            };
            expand(values).iter().any(|v| {
                wanted.iter().any(|w| match w {
                    Bson::String(s) if s == "number" => bracket(v) == 3,
                    Bson::String(s) => s == type_name(v),
                    n => as_f64(n).is_some_and(|n| n as i32 == type_number(v)),
                })
            })
        }
        "$comment" => true,
        other => return Err(StoreError::bad_value(format!("unknown operator: {other}"))),
    })
}

fn type_number(v: &Bson) -> i32 {
    match v {
        Bson::Double(_) => 1,
        Bson::String(_) => 2,
        Bson::Document(_) => 3,
        Bson::Array(_) => 4,
        Bson::Binary(_) => 5,
        Bson::Undefined => 6,
        Bson::ObjectId(_) => 7,
        Bson::Boolean(_) => 8,
        Bson::DateTime(_) => 9,
        Bson::Null => 10,
        Bson::RegularExpression(_) => 11,
        Bson::DbPointer(_) => 12,
        Bson::JavaScriptCode(_) => 13,
        Bson::Symbol(_) => 14,
        Bson::JavaScriptCodeWithScope(_) => 15,
        Bson::Int32(_) => 16,
        Bson::Timestamp(_) => 17,
        Bson::Int64(_) => 18,
        Bson::Decimal128(_) => 19,
        Bson::MinKey => -1,
        Bson::MaxKey => 127,
    }
}

fn regex_match(values: &[&Bson], pattern: &str, options: &str) -> Result<bool> {
    let mut builder = regex::RegexBuilder::new(pattern);
    for c in options.chars() {
        match c {
            'i' => {
                builder.case_insensitive(true);
            }
            'm' => {
                builder.multi_line(true);
            }
            's' => {
                builder.dot_matches_new_line(true);
            }
            'x' => {
                builder.ignore_whitespace(true);
            }
            'u' => {}
            other => {
                return Err(StoreError::bad_value(format!(
                    "invalid flag in regex options: {other}"
                )));
            }
        }
    }
    let re = builder.build().map_err(|e| {
        StoreError::new(
            51091,
            "Location51091",
            format!("Regular expression is invalid: {e}"),
        )
    })?;
    Ok(expand(values).iter().any(|v| match v {
        Bson::String(s) | Bson::Symbol(s) => re.is_match(s),
        Bson::RegularExpression(r) => r.pattern == pattern,
        _ => false,
    }))
}

/// Sorts documents by a sort specification (`{a: 1, b: -1}`), stably.
pub fn sort_documents(docs: &mut [&Document], sort: &Document) -> Result<()> {
    if let Some(dir) = sort.get("$natural") {
        // natural order is insertion order; -1 walks it backwards
        if as_f64(dir) == Some(-1.0) {
            docs.reverse();
        }
        return Ok(());
    }
    let mut keys = Vec::new();
    for (field, dir) in sort {
        let d = match as_f64(dir).filter(|x| x.fract() == 0.0).map(|x| x as i64) {
            Some(1) => 1,
            Some(-1) => -1,
            _ => {
                return Err(StoreError::bad_value(format!(
                    "$sort key ordering must be 1 (for ascending) or -1 (for descending), got {field}: {dir}"
                )))
            }
        };
        keys.push((field.as_str(), d));
    }
    let null = Bson::Null;
    docs.sort_by(|a, b| {
        for (field, dir) in &keys {
            let ka = sort_key(a, field, *dir).unwrap_or(&null);
            let kb = sort_key(b, field, *dir).unwrap_or(&null);
            let o = compare_bson(ka, kb);
            if o != Ordering::Equal {
                return if *dir == 1 { o } else { o.reverse() };
            }
        }
        Ordering::Equal
    });
    Ok(())
}

fn sort_key<'a>(doc: &'a Document, path: &str, dir: i32) -> Option<&'a Bson> {
    let values = path_values(doc, path);
    let mut candidates: Vec<&Bson> = Vec::new();
    for v in values {
        match v {
            Bson::Array(items) if !items.is_empty() => candidates.extend(items.iter()),
            other => candidates.push(other),
        }
    }
    if dir == 1 {
        candidates.into_iter().min_by(|a, b| compare_bson(a, b))
    } else {
        candidates.into_iter().max_by(|a, b| compare_bson(a, b))
    }
}

#[derive(Debug, Default)]
struct ProjTree {
    children: BTreeMap<String, ProjTree>,
    leaf: bool,
}

impl ProjTree {
    fn add(&mut self, parts: &[&str]) {
        match parts.split_first() {
            None => self.leaf = true,
            Some((first, rest)) => self
                .children
                .entry(first.to_string())
                .or_default()
                .add(rest),
        }
    }
}

/// Applies a projection (inclusion or exclusion, with the `_id` rules).
pub fn project(doc: &Document, projection: &Document) -> Result<Document> {
    let mut inclusion: Option<bool> = None;
    let mut tree = ProjTree::default();
    let mut id_included = true;
    for (field, v) in projection {
        let include = match v {
            Bson::Boolean(_)
            | Bson::Int32(_)
            | Bson::Int64(_)
            | Bson::Double(_)
            | Bson::Decimal128(_) => truthy(v),
            other => {
                return Err(StoreError::bad_value(format!(
                    "the lab does not support projection expressions ({field}: {other})"
                )))
            }
        };
        if field == "_id" {
            id_included = include;
            continue;
        }
        match inclusion {
            None => inclusion = Some(include),
            Some(mode) if mode != include => {
                return Err(if mode {
                    StoreError::new(
                        31254,
                        "Location31254",
                        format!("Cannot do exclusion on field {field} in inclusion projection"),
                    )
                } else {
                    StoreError::new(
                        31253,
                        "Location31253",
                        format!("Cannot do inclusion on field {field} in exclusion projection"),
                    )
                });
            }
            _ => {}
        }
        tree.add(&split(field));
    }
    if inclusion.is_none() && id_included && projection.contains_key("_id") {
        inclusion = Some(true);
    }
    match inclusion {
        Some(true) => {
            let mut out = Document::new();
            if id_included {
                if let Some(id) = doc.get("_id") {
                    out.insert("_id", id.clone());
                }
            }
            include_fields(doc, &tree, &mut out);
            Ok(out)
        }
        _ => {
            let mut out = doc.clone();
            if !id_included {
                out.remove("_id");
            }
            exclude_fields(&mut out, &tree);
            Ok(out)
        }
    }
}

fn include_fields(doc: &Document, tree: &ProjTree, out: &mut Document) {
    for (k, v) in doc {
        if k == "_id" && out.contains_key("_id") {
            continue;
        }
        let Some(node) = tree.children.get(k) else {
            continue;
        };
        if node.leaf {
            out.insert(k.clone(), v.clone());
        } else if let Some(projected) = include_value(v, node) {
            out.insert(k.clone(), projected);
        }
    }
}

fn include_value(v: &Bson, node: &ProjTree) -> Option<Bson> {
    match v {
        Bson::Document(d) => {
            let mut sub = Document::new();
            include_fields(d, node, &mut sub);
            Some(Bson::Document(sub))
        }
        Bson::Array(items) => Some(Bson::Array(
            items
                .iter()
                .filter_map(|e| include_value(e, node))
                .collect(),
        )),
        _ => None,
    }
}

fn exclude_fields(doc: &mut Document, tree: &ProjTree) {
    for (k, node) in &tree.children {
        if node.leaf {
            doc.remove(k);
        } else if let Some(v) = doc.get_mut(k) {
            exclude_value(v, node);
        }
    }
}

fn exclude_value(v: &mut Bson, node: &ProjTree) {
    match v {
        Bson::Document(d) => exclude_fields(d, node),
        Bson::Array(items) => items.iter_mut().for_each(|e| exclude_value(e, node)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn people() -> Store {
        let mut s = Store::new();
        let docs = [
            doc! {"_id": 1, "name": "ann", "age": 31, "tags": ["a", "b"], "addr": {"city": "ny", "zip": 10001}},
            doc! {"_id": 2, "name": "bob", "age": 25.5, "tags": ["b"], "addr": {"city": "sf"}},
            doc! {"_id": 3, "name": "cid", "age": 40_i64, "addr": {"city": "ny"}},
            doc! {"_id": 4, "name": "dee", "age": "unknown", "kids": [{"n": "x", "a": 3}, {"n": "y", "a": 9}]},
            doc! {"_id": 5, "name": "eve", "age": null},
        ];
        for d in docs {
            s.insert("app", "people", d).unwrap();
        }
        s
    }

    fn ids(s: &Store, filter: Document) -> Vec<i32> {
        s.find(
            "app",
            "people",
            &FindSpec {
                filter,
                ..FindSpec::default()
            },
        )
        .unwrap()
        .iter()
        .map(|d| d.get_i32("_id").unwrap())
        .collect()
    }

    #[test]
    fn equality_dotted_paths_and_arrays() {
        let s = people();
        assert_eq!(ids(&s, doc! {"name": "bob"}), vec![2]);
        assert_eq!(ids(&s, doc! {"addr.city": "ny"}), vec![1, 3]);
        assert_eq!(ids(&s, doc! {"tags": "b"}), vec![1, 2]);
        assert_eq!(ids(&s, doc! {"tags": ["b"]}), vec![2]);
        assert_eq!(ids(&s, doc! {"kids.n": "y"}), vec![4]);
        assert_eq!(ids(&s, doc! {"tags.0": "a"}), vec![1]);
        // null matches null and missing
        assert_eq!(ids(&s, doc! {"age": null}), vec![5]);
        assert_eq!(ids(&s, doc! {"tags": null}), vec![3, 4, 5]);
    }

    #[test]
    fn comparisons_respect_type_brackets() {
        let s = people();
        assert_eq!(ids(&s, doc! {"age": {"$gt": 30}}), vec![1, 3]);
        assert_eq!(ids(&s, doc! {"age": {"$gte": 25.5, "$lt": 40}}), vec![1, 2]);
        assert_eq!(ids(&s, doc! {"age": {"$lte": 31}}), vec![1, 2]);
        assert_eq!(ids(&s, doc! {"age": {"$gt": "a"}}), vec![4]);
        assert_eq!(ids(&s, doc! {"age": {"$eq": 40}}), vec![3]);
        assert_eq!(ids(&s, doc! {"age": {"$ne": 40}}), vec![1, 2, 4, 5]);
    }

    #[test]
    fn in_nin_exists_and_or_not() {
        let s = people();
        assert_eq!(
            ids(&s, doc! {"name": {"$in": ["ann", "eve", "zed"]}}),
            vec![1, 5]
        );
        assert_eq!(
            ids(&s, doc! {"name": {"$nin": ["ann", "eve"]}}),
            vec![2, 3, 4]
        );
        assert_eq!(ids(&s, doc! {"tags": {"$exists": true}}), vec![1, 2]);
        assert_eq!(ids(&s, doc! {"tags": {"$exists": false}}), vec![3, 4, 5]);
        assert_eq!(
            ids(&s, doc! {"$or": [{"name": "ann"}, {"addr.city": "sf"}]}),
            vec![1, 2]
        );
        assert_eq!(
            ids(
                &s,
                doc! {"$and": [{"addr.city": "ny"}, {"age": {"$gt": 35}}]}
            ),
            vec![3]
        );
        assert_eq!(
            ids(&s, doc! {"$nor": [{"addr.city": "ny"}, {"age": null}]}),
            vec![2, 4]
        );
        assert_eq!(ids(&s, doc! {"age": {"$not": {"$gt": 30}}}), vec![2, 4, 5]);
    }

    #[test]
    fn regex_size_all_elem_match_type() {
        let s = people();
        assert_eq!(ids(&s, doc! {"name": {"$regex": "^[ab]"}}), vec![1, 2]);
        assert_eq!(
            ids(&s, doc! {"name": {"$regex": "^A", "$options": "i"}}),
            vec![1]
        );
        assert_eq!(
            ids(
                &s,
                doc! {"name": bson::Regex { pattern: "e$".into(), options: String::new() }}
            ),
            vec![4, 5]
        );
        assert_eq!(ids(&s, doc! {"tags": {"$size": 2}}), vec![1]);
        assert_eq!(ids(&s, doc! {"tags": {"$all": ["a", "b"]}}), vec![1]);
        assert_eq!(
            ids(
                &s,
                doc! {"kids": {"$elemMatch": {"n": "x", "a": {"$gt": 2}}}}
            ),
            vec![4]
        );
        assert_eq!(
            ids(
                &s,
                doc! {"kids": {"$elemMatch": {"n": "x", "a": {"$gt": 5}}}}
            ),
            Vec::<i32>::new()
        );
        assert_eq!(ids(&s, doc! {"age": {"$type": "string"}}), vec![4]);
        assert_eq!(ids(&s, doc! {"age": {"$type": "number"}}), vec![1, 2, 3]);
    }

    #[test]
    fn bad_filters_are_typed_errors() {
        let s = people();
        let err = |f: Document| {
            s.find(
                "app",
                "people",
                &FindSpec {
                    filter: f,
                    ..FindSpec::default()
                },
            )
            .unwrap_err()
        };
        assert_eq!(err(doc! {"$foo": 1}).code, 2);
        assert!(err(doc! {"a": {"$bogus": 1}}).message.contains("$bogus"));
        assert_eq!(err(doc! {"a": {"$in": 1}}).code, 2);
        assert_eq!(err(doc! {"a": {"$regex": "("}}).code, 51091);
    }

    #[test]
    fn sort_skip_limit_multi_key() {
        let mut s = Store::new();
        for (i, (g, v)) in [(1, 5), (2, 1), (1, 3), (2, 7), (1, 3)].iter().enumerate() {
            s.insert("d", "c", doc! {"_id": i as i32, "g": *g, "v": *v})
                .unwrap();
        }
        let got: Vec<i32> = s
            .find(
                "d",
                "c",
                &FindSpec {
                    sort: Some(doc! {"g": 1, "v": -1}),
                    ..FindSpec::default()
                },
            )
            .unwrap()
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect();
        // stable: _id 2 before _id 4 for equal keys (g 1, v 3)
        assert_eq!(got, vec![0, 2, 4, 3, 1]);
        let page: Vec<i32> = s
            .find(
                "d",
                "c",
                &FindSpec {
                    sort: Some(doc! {"v": 1}),
                    skip: 1,
                    limit: 2,
                    ..FindSpec::default()
                },
            )
            .unwrap()
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect();
        assert_eq!(page, vec![2, 4]);
        assert_eq!(s.count("d", "c", &doc! {"g": 1}, 1, 0).unwrap(), 2);
        assert!(s
            .find(
                "d",
                "c",
                &FindSpec {
                    sort: Some(doc! {"v": 2}),
                    ..FindSpec::default()
                }
            )
            .is_err());
    }

    #[test]
    fn sort_mixed_types_uses_bson_order() {
        let mut s = Store::new();
        let values: Vec<Bson> = vec![
            Bson::String("x".into()),
            Bson::Int32(3),
            Bson::Null,
            Bson::Boolean(true),
            Bson::Double(2.5),
            Bson::Document(doc! {"a": 1}),
        ];
        for (i, v) in values.into_iter().enumerate() {
            s.insert("d", "c", doc! {"_id": i as i32, "v": v}).unwrap();
        }
        let got: Vec<i32> = s
            .find(
                "d",
                "c",
                &FindSpec {
                    sort: Some(doc! {"v": 1}),
                    ..FindSpec::default()
                },
            )
            .unwrap()
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect();
        assert_eq!(got, vec![2, 4, 1, 0, 5, 3]);
        let natural: Vec<i32> = s
            .find(
                "d",
                "c",
                &FindSpec {
                    sort: Some(doc! {"$natural": -1}),
                    ..FindSpec::default()
                },
            )
            .unwrap()
            .iter()
            .map(|d| d.get_i32("_id").unwrap())
            .collect();
        assert_eq!(natural, vec![5, 4, 3, 2, 1, 0]);
    }

    #[test]
    fn projection_inclusion_exclusion_and_id() {
        let d = doc! {"_id": 1, "a": 1, "b": {"c": 2, "d": 3}, "e": [{"c": 1, "f": 2}, 5]};
        assert_eq!(
            project(&d, &doc! {"a": 1}).unwrap(),
            doc! {"_id": 1, "a": 1}
        );
        assert_eq!(
            project(&d, &doc! {"a": 1, "_id": 0}).unwrap(),
            doc! {"a": 1}
        );
        assert_eq!(
            project(&d, &doc! {"b.c": 1}).unwrap(),
            doc! {"_id": 1, "b": {"c": 2}}
        );
        assert_eq!(
            project(&d, &doc! {"e.c": 1}).unwrap(),
            doc! {"_id": 1, "e": [{"c": 1}]}
        );
        assert_eq!(
            project(&d, &doc! {"b.d": 0, "e": 0}).unwrap(),
            doc! {"_id": 1, "a": 1, "b": {"c": 2}}
        );
        assert_eq!(project(&d, &doc! {"_id": 0}).unwrap().get("_id"), None);
        assert_eq!(project(&d, &doc! {"_id": 0}).unwrap().len(), 3);
        assert_eq!(project(&d, &doc! {"_id": 1}).unwrap(), doc! {"_id": 1});
        assert_eq!(project(&d, &doc! {"a": 1, "b": 0}).unwrap_err().code, 31254);
        assert_eq!(project(&d, &doc! {"a": 0, "b": 1}).unwrap_err().code, 31253);
    }

    #[test]
    fn insert_duplicate_id_is_e11000() {
        let mut s = people();
        let e = s
            .insert("app", "people", doc! {"_id": 1, "x": 1})
            .unwrap_err();
        assert_eq!(e.code, 11000);
        assert!(e
            .message
            .contains("E11000 duplicate key error collection: app.people"));
        // 1 and 1.0 are the same _id
        assert_eq!(
            s.insert("app", "people", doc! {"_id": 1.0})
                .unwrap_err()
                .code,
            11000
        );
    }

    #[test]
    fn update_operators_and_replacement() {
        let mut s = people();
        let out = s
            .update("app", "people", &doc! {"_id": 1}, &doc! {"$set": {"addr.city": "la", "x.y": 1}, "$inc": {"age": 2}, "$unset": {"tags": ""}}, false, false, || Bson::Null)
            .unwrap();
        assert_eq!((out.n, out.n_modified), (1, 1));
        let d = &s.documents("app", "people")[0];
        assert_eq!(
            d.get_document("addr").unwrap().get_str("city").unwrap(),
            "la"
        );
        assert_eq!(d.get_i32("age").unwrap(), 33);
        assert!(d.get("tags").is_none());
        assert_eq!(d.get_document("x").unwrap().get_i32("y").unwrap(), 1);
        // replacement keeps _id and the position
        s.update(
            "app",
            "people",
            &doc! {"name": "bob"},
            &doc! {"name": "bobby"},
            false,
            false,
            || Bson::Null,
        )
        .unwrap();
        assert_eq!(
            *s.documents("app", "people")[1],
            doc! {"_id": 2, "name": "bobby"}
        );
        // no-op update: matched but not modified
        let out = s
            .update(
                "app",
                "people",
                &doc! {"_id": 2},
                &doc! {"$set": {"name": "bobby"}},
                false,
                false,
                || Bson::Null,
            )
            .unwrap();
        assert_eq!((out.n, out.n_modified), (1, 0));
        assert!(out.ops.is_empty());
        // multi
        let out = s
            .update(
                "app",
                "people",
                &doc! {},
                &doc! {"$set": {"k": true}},
                true,
                false,
                || Bson::Null,
            )
            .unwrap();
        assert_eq!(out.n_modified, 5);
        // immutable _id, mixed modifiers, $inc on a string
        assert_eq!(
            s.update(
                "app",
                "people",
                &doc! {"_id": 3},
                &doc! {"$set": {"_id": 9}},
                false,
                false,
                || Bson::Null
            )
            .unwrap_err()
            .code,
            66
        );
        assert_eq!(
            s.update(
                "app",
                "people",
                &doc! {"_id": 3},
                &doc! {"$set": {"a": 1}, "b": 2},
                false,
                false,
                || Bson::Null
            )
            .unwrap_err()
            .code,
            9
        );
        assert_eq!(
            s.update(
                "app",
                "people",
                &doc! {"_id": 4},
                &doc! {"$inc": {"age": 1}},
                false,
                false,
                || Bson::Null
            )
            .unwrap_err()
            .code,
            14
        );
    }

    #[test]
    fn upsert_seeds_from_query_and_generates_id() {
        let mut s = Store::new();
        let out = s
            .update(
                "d",
                "c",
                &doc! {"k": "a", "n": {"$gt": 1}},
                &doc! {"$inc": {"count": 1}},
                false,
                true,
                || Bson::Int32(77),
            )
            .unwrap();
        assert_eq!(out.upserted, Some(Bson::Int32(77)));
        assert_eq!(
            *s.documents("d", "c")[0],
            doc! {"_id": 77, "k": "a", "count": 1}
        );
        let out = s
            .update(
                "d",
                "c",
                &doc! {"_id": "x"},
                &doc! {"v": 1},
                false,
                true,
                || Bson::Int32(0),
            )
            .unwrap();
        assert_eq!(out.upserted, Some(Bson::String("x".into())));
        assert_eq!(*s.documents("d", "c")[1], doc! {"_id": "x", "v": 1});
        assert!(matches!(out.ops[0], Op::Insert { .. }));
    }

    #[test]
    fn push_add_to_set_pull_pop() {
        let mut s = Store::new();
        s.insert("d", "c", doc! {"_id": 1, "a": [1, 2]}).unwrap();
        let up = |s: &mut Store, u: Document| {
            s.update("d", "c", &doc! {"_id": 1}, &u, false, false, || Bson::Null)
                .unwrap();
            s.documents("d", "c")[0].get_array("a").unwrap().clone()
        };
        assert_eq!(
            up(&mut s, doc! {"$push": {"a": 3}}),
            vec![Bson::Int32(1), Bson::Int32(2), Bson::Int32(3)]
        );
        assert_eq!(
            up(&mut s, doc! {"$addToSet": {"a": {"$each": [3, 4]}}}).len(),
            4
        );
        assert_eq!(
            up(&mut s, doc! {"$pull": {"a": {"$gte": 3}}}),
            vec![Bson::Int32(1), Bson::Int32(2)]
        );
        assert_eq!(up(&mut s, doc! {"$pop": {"a": -1}}), vec![Bson::Int32(2)]);
    }

    #[test]
    fn delete_and_drops_and_replay() {
        let mut s = people();
        let mut replica = Store::new();
        let mut log: Vec<Op> = Vec::new();
        // rebuild the same data from ops
        for d in people().documents("app", "people") {
            log.extend(Store::new().insert("app", "people", d.clone()).unwrap());
        }
        let (n, ops) = s
            .delete("app", "people", &doc! {"addr.city": "ny"}, false)
            .unwrap();
        assert_eq!(n, 2);
        log.extend(ops);
        let (n, ops) = s.delete("app", "people", &doc! {}, true).unwrap();
        assert_eq!(n, 1);
        log.extend(ops);
        for op in &log {
            replica.apply(op);
        }
        assert_eq!(
            replica.documents("app", "people"),
            s.documents("app", "people")
        );
        assert_eq!(s.count("app", "people", &doc! {}, 0, 0).unwrap(), 2);
        assert!(s.drop_collection("app", "people").is_some());
        assert!(s.drop_collection("app", "people").is_none());
        assert!(s.database_names().is_empty());
        s.insert("x", "y", doc! {"_id": 1}).unwrap();
        assert!(matches!(
            s.drop_database("x"),
            Some(Op::DropDatabase { .. })
        ));
        assert!(s.drop_database("x").is_none());
    }

    #[test]
    fn id_index_keeps_order_and_numeric_equality() {
        let mut s = Store::new();
        for i in 0..20_000 {
            s.insert("d", "c", doc! {"_id": i, "v": i}).unwrap();
        }
        assert_eq!(s.count("d", "c", &doc! {}, 0, 0).unwrap(), 20_000);
        assert_eq!(
            s.insert("d", "c", doc! {"_id": 5_i64}).unwrap_err().code,
            11000
        );
        assert_eq!(
            s.insert("d", "c", doc! {"_id": 5.0}).unwrap_err().code,
            11000
        );
        s.insert("d", "c", doc! {"_id": 5.5}).unwrap();
        // delete then re-insert goes to the end; an update keeps the position
        s.delete("d", "c", &doc! {"_id": 0}, true).unwrap();
        s.insert("d", "c", doc! {"_id": 0}).unwrap();
        s.apply(&Op::Update {
            db: "d".into(),
            coll: "c".into(),
            id: Bson::Int32(1),
            doc: doc! {"_id": 1, "v": "changed"},
        });
        let docs = s.documents("d", "c");
        assert_eq!(docs[0], &doc! {"_id": 1, "v": "changed"});
        assert_eq!(docs.last().unwrap(), &&doc! {"_id": 0});
        assert_eq!(docs.len(), 20_001);
        // replaying the same insert is idempotent
        s.apply(&Op::Insert {
            db: "d".into(),
            coll: "c".into(),
            doc: doc! {"_id": 0, "again": true},
        });
        assert_eq!(s.documents("d", "c").len(), 20_001);
    }

    #[test]
    fn oplog_fields_shape() {
        let op = Op::Update {
            db: "a".into(),
            coll: "b".into(),
            id: Bson::Int32(1),
            doc: doc! {"_id": 1, "v": 2},
        };
        let f = op.to_oplog_fields();
        assert_eq!(f.get_str("op").unwrap(), "u");
        assert_eq!(f.get_str("ns").unwrap(), "a.b");
        assert_eq!(f.get_document("o2").unwrap(), &doc! {"_id": 1});
    }
}
