//! Aggregation: the small set of pipeline stages the lab runs (`$match`, `$sort`, `$skip`,
//! `$limit`, `$project`, `$count`, and `$group` with one constant group), over documents the
//! store found.

use bson::{doc, Bson, Document};

use super::{compare_bson, matches, project, sort_documents};
use crate::core::bson_value::number;
use crate::lab::error::{Code, ServerError};

/// Applies one aggregation stage from the small supported set.
pub fn apply_stage(
    docs: Vec<Document>,
    op: &str,
    arg: &Bson,
) -> Result<Vec<Document>, ServerError> {
    let as_doc = |what: &str| -> Result<&Document, ServerError> {
        match arg {
            Bson::Document(d) => Ok(d),
            _ => Err(ServerError::type_mismatch(format!(
                "the {what} stage specification must be an object"
            ))),
        }
    };
    match op {
        "$match" => {
            let f = as_doc("$match")?;
            let mut out = Vec::new();
            for d in docs {
                if matches(&d, f)? {
                    out.push(d);
                }
            }
            Ok(out)
        }
        "$sort" => {
            let s = as_doc("$sort")?;
            let mut refs: Vec<&Document> = docs.iter().collect();
            sort_documents(&mut refs, s)?;
            Ok(refs.into_iter().cloned().collect())
        }
        "$skip" => Ok(docs
            .into_iter()
            .skip(number(Some(arg)).unwrap_or(0.0).max(0.0) as usize)
            .collect()),
        "$limit" => {
            let n = number(Some(arg)).unwrap_or(0.0);
            if n <= 0.0 {
                return Err(ServerError::new(
                    Code::Location15958,
                    "the limit must be positive",
                ));
            }
            Ok(docs.into_iter().take(n as usize).collect())
        }
        "$project" => {
            let p = as_doc("$project")?;
            docs.iter().map(|d| project(d, p)).collect()
        }
        "$count" => {
            let Bson::String(field) = arg else {
                return Err(ServerError::type_mismatch(
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
                return Err(ServerError::new(
                    Code::FailedToParse,
                    "the lab's $group only supports a constant _id (one group)",
                ));
            }
            if docs.is_empty() {
                return Ok(Vec::new());
            }
            let mut out = doc! {"_id": id};
            for (field, acc) in g.iter().filter(|(k, _)| k.as_str() != "_id") {
                let Bson::Document(acc) = acc else {
                    return Err(ServerError::new(
                        Code::Location40234,
                        format!("The field '{field}' must be an accumulator object"),
                    ));
                };
                let Some((aop, aarg)) = acc.iter().next() else {
                    return Err(ServerError::new(
                        Code::Location40234,
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
                        let nums: Vec<f64> =
                            values.iter().filter_map(|v| number(Some(v))).collect();
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
                        let nums: Vec<f64> =
                            values.iter().filter_map(|v| number(Some(v))).collect();
                        if nums.is_empty() {
                            Bson::Null
                        } else {
                            Bson::Double(nums.iter().sum::<f64>() / nums.len() as f64)
                        }
                    }
                    "$min" => values
                        .iter()
                        .min_by(|a, b| compare_bson(a, b))
                        .cloned()
                        .unwrap_or(Bson::Null),
                    "$max" => values
                        .iter()
                        .max_by(|a, b| compare_bson(a, b))
                        .cloned()
                        .unwrap_or(Bson::Null),
                    "$first" => values.first().cloned().unwrap_or(Bson::Null),
                    "$last" => values.last().cloned().unwrap_or(Bson::Null),
                    "$push" => Bson::Array(values),
                    other => {
                        return Err(ServerError::new(
                            Code::Location15952,
                            format!("unknown group operator '{other}'"),
                        ))
                    }
                };
                out.insert(field.clone(), v);
            }
            Ok(vec![out])
        }
        other => Err(ServerError::new(
            Code::Location40324,
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
