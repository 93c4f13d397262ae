//! Typed data commands: `find`, `count`, `distinct`, `aggregate`, `getMore`, `killCursors`,
//! `insert`, `update`, `delete`, `findAndModify`, `listDatabases`, `listCollections`,
//! `listIndexes` and `createIndexes`, each
//! parsed from its request document into a struct first (`from_doc`, with mongod's code and
//! message for a bad field), then applied by the module that owns the behaviour (`read`,
//! `cursor`, `write`). Parsing every statement of a write before applying any of them means a
//! malformed statement fails the whole command before anything changed, as mongod's IDL parser
//! does. Pure.

use bson::{Bson, Document};

use super::commands::{missing, opt_doc, parse_collection};
use crate::core::bson_value::{flag, number};
use crate::lab::error::{Code, ServerError};

/// `find`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Find {
    pub(super) coll: String,
    pub(super) filter: Document,
    pub(super) sort: Option<Document>,
    pub(super) projection: Option<Document>,
    pub(super) skip: u64,
    pub(super) limit: u64,
    pub(super) batch_size: Option<usize>,
    /// `singleBatch`, or a negative `limit` (the legacy "one batch" form).
    pub(super) single_batch: bool,
}

impl Find {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<Find, ServerError> {
        let coll = parse_collection(db, cmd, "find")?;
        let filter = opt_doc(cmd, "find", "filter")?.unwrap_or_default();
        let sort = opt_doc(cmd, "find", "sort")?.filter(|s| !s.is_empty());
        let projection = opt_doc(cmd, "find", "projection")?;
        let skip = number(cmd.get("skip")).unwrap_or(0.0);
        if skip < 0.0 {
            return Err(ServerError::bad_value(format!(
                "skip value must be non-negative, but received: {skip}"
            )));
        }
        let limit = number(cmd.get("limit")).unwrap_or(0.0);
        let batch = number(cmd.get("batchSize"));
        if let Some(b) = batch.filter(|b| *b < 0.0) {
            return Err(ServerError::bad_value(format!(
                "batchSize value must be non-negative, but received: {b}"
            )));
        }
        Ok(Find {
            coll,
            filter,
            sort,
            projection,
            skip: skip as u64,
            limit: limit.abs() as u64,
            batch_size: batch.map(|b| b as usize),
            single_batch: flag(cmd.get("singleBatch")) || limit < 0.0,
        })
    }
}

/// `getMore`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct GetMore {
    pub(super) id: i64,
    pub(super) coll: String,
    /// A positive `batchSize` (0 or none: the rest).
    pub(super) batch_size: Option<usize>,
}

impl GetMore {
    pub(super) fn from_doc(cmd: &Document) -> Result<GetMore, ServerError> {
        let id = match cmd.get("getMore") {
            Some(Bson::Int64(i)) => *i,
            Some(Bson::Int32(i)) => *i as i64,
            Some(other) => {
                return Err(ServerError::type_mismatch(format!(
                    "Field 'getMore' must be of type long in: {{ getMore: {other} }}"
                )))
            }
            None => return Err(missing("getMore", "getMore")),
        };
        let coll = match cmd.get("collection") {
            Some(Bson::String(c)) => c.clone(),
            _ => return Err(missing("getMore", "collection")),
        };
        let batch_size = number(cmd.get("batchSize"))
            .map(|b| b.max(0.0) as usize)
            .filter(|b| *b > 0);
        Ok(GetMore {
            id,
            coll,
            batch_size,
        })
    }
}

/// `killCursors`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct KillCursors {
    pub(super) ids: Vec<i64>,
}

impl KillCursors {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<KillCursors, ServerError> {
        parse_collection(db, cmd, "killCursors")?;
        let Some(Bson::Array(ids)) = cmd.get("cursors") else {
            return Err(missing("killCursors", "cursors"));
        };
        let ids = ids
            .iter()
            .enumerate()
            .map(|(i, id)| match id {
                Bson::Int64(v) => Ok(*v),
                Bson::Int32(v) => Ok(*v as i64),
                other => Err(ServerError::type_mismatch(format!(
                    "BSON field 'killCursors.cursors.{i}' is the wrong type '{}', expected type 'long'",
                    crate::lab::store::type_name(other)
                ))),
            })
            .collect::<Result<Vec<i64>, ServerError>>()?;
        Ok(KillCursors { ids })
    }
}

/// `ordered` (default true).
fn ordered(cmd: &Document) -> bool {
    cmd.get("ordered").is_none_or(|v| flag(Some(v)))
}

/// The statements of a write command: `field` (`documents`, `updates`, `deletes`) as an array
/// of objects.
fn statements<'a>(
    cmd: &'a Document,
    name: &str,
    field: &str,
) -> Result<Vec<&'a Document>, ServerError> {
    let Some(Bson::Array(items)) = cmd.get(field) else {
        return Err(missing(name, field));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Bson::Document(d) => Ok(d),
            _ => Err(ServerError::type_mismatch(format!(
                "BSON field '{name}.{field}.{i}' is the wrong type, expected type 'object'"
            ))),
        })
        .collect()
}

/// `insert` (the collection and write concern are read with the retryable-write checks).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Insert {
    pub(super) documents: Vec<Document>,
    pub(super) ordered: bool,
}

impl Insert {
    pub(super) fn from_doc(cmd: &Document) -> Result<Insert, ServerError> {
        Ok(Insert {
            documents: statements(cmd, "insert", "documents")?
                .into_iter()
                .cloned()
                .collect(),
            ordered: ordered(cmd),
        })
    }
}

/// What an update statement's `u` holds.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum UpdateSpec {
    /// A replacement document or update operators.
    Document(Document),
    /// An aggregation pipeline (the lab answers it with a write error).
    Pipeline,
}

/// One statement of `update`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct UpdateStatement {
    pub(super) q: Document,
    pub(super) u: UpdateSpec,
    pub(super) multi: bool,
    pub(super) upsert: bool,
}

/// `update`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Update {
    pub(super) updates: Vec<UpdateStatement>,
    pub(super) ordered: bool,
}

impl Update {
    pub(super) fn from_doc(cmd: &Document) -> Result<Update, ServerError> {
        let updates = statements(cmd, "update", "updates")?
            .into_iter()
            .map(|s| {
                let q = match s.get("q") {
                    Some(Bson::Document(q)) => q.clone(),
                    _ => return Err(missing("update.updates", "q")),
                };
                let u = match s.get("u") {
                    Some(Bson::Document(u)) => UpdateSpec::Document(u.clone()),
                    Some(Bson::Array(_)) => UpdateSpec::Pipeline,
                    _ => return Err(missing("update.updates", "u")),
                };
                Ok(UpdateStatement {
                    q,
                    u,
                    multi: flag(s.get("multi")),
                    upsert: flag(s.get("upsert")),
                })
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
        Ok(Update {
            updates,
            ordered: ordered(cmd),
        })
    }
}

/// One statement of `delete`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct DeleteStatement {
    pub(super) q: Document,
    /// `limit: 1`.
    pub(super) just_one: bool,
}

/// `delete`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Delete {
    pub(super) deletes: Vec<DeleteStatement>,
    pub(super) ordered: bool,
}

impl Delete {
    pub(super) fn from_doc(cmd: &Document) -> Result<Delete, ServerError> {
        let deletes = statements(cmd, "delete", "deletes")?
            .into_iter()
            .map(|s| {
                let q = match s.get("q") {
                    Some(Bson::Document(q)) => q.clone(),
                    _ => return Err(missing("delete.deletes", "q")),
                };
                let just_one = match number(s.get("limit")) {
                    Some(l) if l == 0.0 || l == 1.0 => l == 1.0,
                    Some(l) => {
                        return Err(ServerError::new(
                            Code::FailedToParse,
                            format!("The limit field in delete objects must be 0 or 1. Got {l}"),
                        ))
                    }
                    None => return Err(missing("delete.deletes", "limit")),
                };
                Ok(DeleteStatement { q, just_one })
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
        Ok(Delete {
            deletes,
            ordered: ordered(cmd),
        })
    }
}

/// `count`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Count {
    pub(super) coll: String,
    pub(super) query: Document,
    pub(super) skip: u64,
    pub(super) limit: u64,
}

impl Count {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<Count, ServerError> {
        Ok(Count {
            coll: parse_collection(db, cmd, "count")?,
            query: opt_doc(cmd, "count", "query")?.unwrap_or_default(),
            skip: number(cmd.get("skip")).unwrap_or(0.0).max(0.0) as u64,
            limit: number(cmd.get("limit")).unwrap_or(0.0).abs() as u64,
        })
    }
}

/// `distinct`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Distinct {
    pub(super) coll: String,
    pub(super) key: String,
    pub(super) query: Document,
}

impl Distinct {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<Distinct, ServerError> {
        let coll = parse_collection(db, cmd, "distinct")?;
        let key = match cmd.get("key") {
            Some(Bson::String(k)) => k.clone(),
            _ => return Err(missing("distinct", "key")),
        };
        Ok(Distinct {
            coll,
            key,
            query: opt_doc(cmd, "distinct", "query")?.unwrap_or_default(),
        })
    }
}

/// `aggregate` on a collection.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Aggregate {
    pub(super) coll: String,
    /// Each stage's operator and argument, in order.
    pub(super) stages: Vec<(String, Bson)>,
    pub(super) batch_size: Option<usize>,
}

impl Aggregate {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<Aggregate, ServerError> {
        let coll = match cmd.get("aggregate") {
            Some(Bson::String(_)) => parse_collection(db, cmd, "aggregate")?,
            _ => {
                return Err(ServerError::new(
                    Code::InvalidNamespace,
                    "the lab only runs collection aggregations (aggregate: \"<collection>\")",
                ))
            }
        };
        let Some(Bson::Array(pipeline)) = cmd.get("pipeline") else {
            return Err(missing("aggregate", "pipeline"));
        };
        let batch_size = match cmd.get("cursor") {
            Some(Bson::Document(c)) => number(c.get("batchSize")).map(|b| b.max(0.0) as usize),
            _ if flag(cmd.get("explain")) => None,
            _ => return Err(ServerError::new(
                Code::FailedToParse,
                "The 'cursor' option is required, except for aggregate with the explain argument",
            )),
        };
        let stages = pipeline
            .iter()
            .map(|stage| {
                let Bson::Document(stage) = stage else {
                    return Err(ServerError::type_mismatch(
                        "Each element of the 'pipeline' array must be an object",
                    ));
                };
                match stage.iter().next() {
                    Some((op, arg)) if stage.len() == 1 => Ok((op.clone(), arg.clone())),
                    _ => Err(ServerError::new(
                        Code::Location40323,
                        "A pipeline stage specification object must contain exactly one field.",
                    )),
                }
            })
            .collect::<Result<Vec<_>, ServerError>>()?;
        Ok(Aggregate {
            coll,
            stages,
            batch_size,
        })
    }
}

/// `findAndModify` (the collection and write concern are read with the retryable-write checks).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FindAndModify {
    pub(super) query: Document,
    pub(super) sort: Option<Document>,
    pub(super) fields: Option<Document>,
    /// `remove: true`; otherwise `update` is set.
    pub(super) remove: bool,
    pub(super) update: Option<Document>,
    /// `new: true`: the document after the update.
    pub(super) return_new: bool,
    pub(super) upsert: bool,
}

impl FindAndModify {
    /// `name` is the command's own spelling (`findAndModify` or `findandmodify`).
    pub(super) fn from_doc(name: &str, cmd: &Document) -> Result<FindAndModify, ServerError> {
        let update = match cmd.get("update") {
            Some(Bson::Document(u)) => Some(u.clone()),
            Some(Bson::Array(_)) => {
                return Err(ServerError::new(
                    Code::FailedToParse,
                    "the lab does not support pipeline-style updates",
                ))
            }
            _ => None,
        };
        let remove = flag(cmd.get("remove"));
        if remove == update.is_some() {
            return Err(ServerError::new(
                Code::FailedToParse,
                "Either an update or remove=true must be specified",
            ));
        }
        Ok(FindAndModify {
            query: opt_doc(cmd, name, "query")?.unwrap_or_default(),
            sort: opt_doc(cmd, name, "sort")?.filter(|s| !s.is_empty()),
            fields: opt_doc(cmd, name, "fields")?,
            remove,
            update,
            return_new: flag(cmd.get("new")),
            upsert: flag(cmd.get("upsert")),
        })
    }
}

/// `listDatabases`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ListDatabases {
    pub(super) name_only: bool,
    pub(super) filter: Document,
}

impl ListDatabases {
    pub(super) fn from_doc(cmd: &Document) -> Result<ListDatabases, ServerError> {
        Ok(ListDatabases {
            name_only: flag(cmd.get("nameOnly")),
            filter: opt_doc(cmd, "listDatabases", "filter")?.unwrap_or_default(),
        })
    }
}

/// `listCollections`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ListCollections {
    pub(super) filter: Document,
    pub(super) name_only: bool,
    pub(super) batch_size: Option<usize>,
}

impl ListCollections {
    pub(super) fn from_doc(cmd: &Document) -> Result<ListCollections, ServerError> {
        Ok(ListCollections {
            filter: opt_doc(cmd, "listCollections", "filter")?.unwrap_or_default(),
            name_only: flag(cmd.get("nameOnly")),
            batch_size: match cmd.get("cursor") {
                Some(Bson::Document(c)) => number(c.get("batchSize")).map(|b| b.max(0.0) as usize),
                _ => None,
            },
        })
    }
}

/// `listIndexes`.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct ListIndexes {
    pub(super) coll: String,
}

impl ListIndexes {
    pub(super) fn from_doc(db: &str, cmd: &Document) -> Result<ListIndexes, ServerError> {
        Ok(ListIndexes {
            coll: parse_collection(db, cmd, "listIndexes")?,
        })
    }
}

/// `createIndexes` (the collection and write concern are read with the write checks).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct CreateIndexes {
    pub(super) indexes: Vec<Document>,
}

impl CreateIndexes {
    pub(super) fn from_doc(cmd: &Document) -> Result<CreateIndexes, ServerError> {
        Ok(CreateIndexes {
            indexes: statements(cmd, "createIndexes", "indexes")?
                .into_iter()
                .cloned()
                .collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn code(e: ServerError) -> i32 {
        e.code.number()
    }

    #[test]
    fn find_reads_its_fields_and_refuses_bad_ones_with_mongods_codes() {
        let f = Find::from_doc(
            "app",
            &doc! {"find": "c", "filter": {"x": 1}, "sort": {}, "skip": 2, "limit": -3, "batchSize": 10},
        )
        .unwrap();
        assert_eq!(f.coll, "c");
        assert_eq!(f.filter, doc! {"x": 1});
        assert_eq!(f.sort, None, "an empty sort is no sort");
        assert_eq!((f.skip, f.limit, f.batch_size), (2, 3, Some(10)));
        assert!(f.single_batch, "a negative limit is a single batch");
        // TypeMismatch 14 for a filter that is not an object; BadValue 2 for negative numbers;
        // InvalidNamespace 73 for a bad collection; 40414 for a missing required field.
        let e = Find::from_doc("app", &doc! {"find": "c", "filter": 1}).unwrap_err();
        assert_eq!(code(e.clone()), 14, "{e:?}");
        assert!(e.message.contains("'find.filter'"), "{e:?}");
        assert_eq!(
            code(Find::from_doc("app", &doc! {"find": "c", "skip": -1}).unwrap_err()),
            2
        );
        assert_eq!(
            code(Find::from_doc("app", &doc! {"find": "c", "batchSize": -1}).unwrap_err()),
            2
        );
        assert_eq!(
            code(Find::from_doc("app", &doc! {"find": "a$b"}).unwrap_err()),
            73
        );
        assert_eq!(
            code(Find::from_doc("app", &doc! {"find": 5}).unwrap_err()),
            73
        );
    }

    #[test]
    fn get_more_and_kill_cursors() {
        let g =
            GetMore::from_doc(&doc! {"getMore": 7_i64, "collection": "c", "batchSize": 0}).unwrap();
        assert_eq!((g.id, g.coll.as_str(), g.batch_size), (7, "c", None));
        let e = GetMore::from_doc(&doc! {"getMore": "7", "collection": "c"}).unwrap_err();
        assert_eq!(code(e), 14);
        assert_eq!(
            code(GetMore::from_doc(&doc! {"getMore": 7_i64}).unwrap_err()),
            40414
        );
        let k = KillCursors::from_doc("app", &doc! {"killCursors": "c", "cursors": [1_i64, 2]})
            .unwrap();
        assert_eq!(k.ids, vec![1, 2]);
        let e =
            KillCursors::from_doc("app", &doc! {"killCursors": "c", "cursors": ["x"]}).unwrap_err();
        assert_eq!(code(e), 14);
        assert_eq!(
            code(KillCursors::from_doc("app", &doc! {"killCursors": "c"}).unwrap_err()),
            40414
        );
    }

    #[test]
    fn a_bad_statement_anywhere_fails_the_whole_write_before_anything_is_applied() {
        let e = Insert::from_doc(&doc! {"insert": "c", "documents": [{"a": 1}, 2]}).unwrap_err();
        assert_eq!(code(e.clone()), 14);
        assert!(e.message.contains("'insert.documents.1'"), "{e:?}");
        let e = Update::from_doc(
            &doc! {"update": "c", "updates": [{"q": {}, "u": {"$set": {"a": 1}}}, {"u": {}}]},
        )
        .unwrap_err();
        assert_eq!(code(e), 40414);
        let u = Update::from_doc(
            &doc! {"update": "c", "ordered": false, "updates": [{"q": {}, "u": [{"$set": {"a": 1}}], "upsert": true}]},
        )
        .unwrap();
        assert!(!u.ordered);
        assert_eq!(u.updates[0].u, UpdateSpec::Pipeline);
        assert!(u.updates[0].upsert && !u.updates[0].multi);
        let e = Delete::from_doc(
            &doc! {"delete": "c", "deletes": [{"q": {}, "limit": 1}, {"q": {}, "limit": 2}]},
        )
        .unwrap_err();
        assert_eq!(code(e), 9, "FailedToParse");
        let d = Delete::from_doc(&doc! {"delete": "c", "deletes": [{"q": {"a": 1}, "limit": 0}]})
            .unwrap();
        assert!(d.ordered && !d.deletes[0].just_one);
        assert_eq!(
            code(Delete::from_doc(&doc! {"delete": "c", "deletes": [{"q": {}}]}).unwrap_err()),
            40414
        );
    }

    #[test]
    fn count_distinct_aggregate_and_find_and_modify() {
        let c = Count::from_doc(
            "app",
            &doc! {"count": "c", "query": {"a": 1}, "skip": -2, "limit": -5},
        )
        .unwrap();
        assert_eq!((c.skip, c.limit), (0, 5));
        assert_eq!(
            code(Count::from_doc("app", &doc! {"count": "c", "query": 1}).unwrap_err()),
            14
        );
        assert_eq!(
            code(Distinct::from_doc("app", &doc! {"distinct": "c"}).unwrap_err()),
            40414
        );
        let a = Aggregate::from_doc(
            "app",
            &doc! {"aggregate": "c", "pipeline": [{"$match": {}}, {"$limit": 2}], "cursor": {"batchSize": 1}},
        )
        .unwrap();
        assert_eq!(a.stages.len(), 2);
        assert_eq!(a.stages[1].0, "$limit");
        assert_eq!(a.batch_size, Some(1));
        let no_cursor = doc! {"aggregate": "c", "pipeline": []};
        assert_eq!(code(Aggregate::from_doc("app", &no_cursor).unwrap_err()), 9);
        let two_fields =
            doc! {"aggregate": "c", "pipeline": [{"$match": {}, "$limit": 1}], "cursor": {}};
        assert_eq!(
            code(Aggregate::from_doc("app", &two_fields).unwrap_err()),
            40323
        );
        let not_object = doc! {"aggregate": "c", "pipeline": [1], "cursor": {}};
        assert_eq!(
            code(Aggregate::from_doc("app", &not_object).unwrap_err()),
            14
        );
        let f = FindAndModify::from_doc(
            "findAndModify",
            &doc! {"findAndModify": "c", "query": {"a": 1}, "update": {"$inc": {"n": 1}}, "new": true},
        )
        .unwrap();
        assert!(f.return_new && !f.remove && f.update.is_some());
        let both = doc! {"findAndModify": "c", "remove": true, "update": {}};
        assert_eq!(
            code(FindAndModify::from_doc("findAndModify", &both).unwrap_err()),
            9
        );
        let neither = doc! {"findAndModify": "c"};
        assert_eq!(
            code(FindAndModify::from_doc("findAndModify", &neither).unwrap_err()),
            9
        );
    }

    #[test]
    fn listing_and_index_commands() {
        let l = ListCollections::from_doc(
            &doc! {"listCollections": 1, "nameOnly": true, "cursor": {"batchSize": 2}},
        )
        .unwrap();
        assert!(l.name_only);
        assert_eq!(l.batch_size, Some(2));
        let bad = doc! {"listCollections": 1, "filter": "x"};
        assert_eq!(code(ListCollections::from_doc(&bad).unwrap_err()), 14);
        let bad = doc! {"listDatabases": 1, "filter": 3};
        assert_eq!(code(ListDatabases::from_doc(&bad).unwrap_err()), 14);
        assert_eq!(
            code(ListIndexes::from_doc("app", &doc! {"listIndexes": ""}).unwrap_err()),
            73
        );
        let ci = CreateIndexes::from_doc(
            &doc! {"createIndexes": "c", "indexes": [{"key": {"a": 1}, "name": "a_1"}]},
        )
        .unwrap();
        assert_eq!(ci.indexes.len(), 1);
        assert_eq!(
            code(CreateIndexes::from_doc(&doc! {"createIndexes": "c"}).unwrap_err()),
            40414
        );
        let bad = doc! {"createIndexes": "c", "indexes": [1]};
        assert_eq!(code(CreateIndexes::from_doc(&bad).unwrap_err()), 14);
    }
}
