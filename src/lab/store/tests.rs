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
    assert_eq!(err(doc! {"$foo": 1}).number(), 2);
    assert!(err(doc! {"a": {"$bogus": 1}}).message.contains("$bogus"));
    assert_eq!(err(doc! {"a": {"$in": 1}}).number(), 2);
    assert_eq!(err(doc! {"a": {"$regex": "("}}).number(), 51091);
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
    assert_eq!(
        project(&d, &doc! {"a": 1, "b": 0}).unwrap_err().number(),
        31254
    );
    assert_eq!(
        project(&d, &doc! {"a": 0, "b": 1}).unwrap_err().number(),
        31253
    );
}

#[test]
fn insert_duplicate_id_is_e11000() {
    let mut s = people();
    let e = s
        .insert("app", "people", doc! {"_id": 1, "x": 1})
        .unwrap_err();
    assert_eq!(e.number(), 11000);
    assert!(e
        .message
        .contains("E11000 duplicate key error collection: app.people"));
    // 1 and 1.0 are the same _id
    assert_eq!(
        s.insert("app", "people", doc! {"_id": 1.0})
            .unwrap_err()
            .number(),
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
        .number(),
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
        .number(),
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
        .number(),
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
        s.insert("d", "c", doc! {"_id": 5_i64})
            .unwrap_err()
            .number(),
        11000
    );
    assert_eq!(
        s.insert("d", "c", doc! {"_id": 5.0}).unwrap_err().number(),
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
