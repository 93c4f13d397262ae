//! Query filters: matching a document against `{field: value}` equality and the query
//! operators (`$gt`, `$in`, `$exists`, `$regex`, `$elemMatch`, `$and`/`$or`/`$nor`...), over
//! dotted paths that traverse arrays.

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::order::{bracket, compare_bson, type_name, values_equal};
use super::update::split;
use super::{Result, ServerError};
use crate::core::bson_value::{as_f64, true_value};
use crate::lab::error::Code;

/// The values a dotted path reaches in a document, traversing arrays (not expanded).
pub(super) fn path_values<'a>(doc: &'a Document, path: &str) -> Vec<&'a Bson> {
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
                    return Err(ServerError::bad_value(format!("{key} must be an array")));
                };
                if items.is_empty() {
                    return Err(ServerError::bad_value(
                        "$and/$or/$nor must be a nonempty array",
                    ));
                }
                let mut results = Vec::with_capacity(items.len());
                for item in items {
                    let Bson::Document(sub) = item else {
                        return Err(ServerError::bad_value(
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
                return Err(ServerError::bad_value(format!(
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

pub(super) fn match_field(doc: &Document, path: &str, cond: &Bson) -> Result<bool> {
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
                return Err(ServerError::bad_value(format!("{op} needs an array")));
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
        "$exists" => true_value(Some(arg)) != values.is_empty(),
        "$not" => match arg {
            Bson::RegularExpression(re) => !regex_match(values, &re.pattern, &re.options)?,
            Bson::Document(d) if is_operator_doc(arg).is_some() => {
                !match_field(doc, path, &Bson::Document(d.clone()))?
            }
            _ => return Err(ServerError::bad_value("$not needs a regex or a document")),
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
                _ => return Err(ServerError::bad_value("$regex has to be a string")),
            }
        }
        "$options" => {
            if !all.contains_key("$regex") {
                return Err(ServerError::bad_value("$options needs a $regex"));
            }
            true
        }
        "$size" => {
            let Some(n) = as_f64(arg) else {
                return Err(ServerError::bad_value("$size needs a number"));
            };
            values
                .iter()
                .any(|v| matches!(v, Bson::Array(a) if a.len() as f64 == n))
        }
        "$all" => {
            let Bson::Array(items) = arg else {
                return Err(ServerError::bad_value("$all needs an array"));
            };
            !items.is_empty() && items.iter().all(|i| eq_match(values, i))
        }
        "$elemMatch" => {
            let Bson::Document(sub) = arg else {
                return Err(ServerError::bad_value("$elemMatch needs an Object"));
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
        other => return Err(ServerError::bad_value(format!("unknown operator: {other}"))),
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
                return Err(ServerError::bad_value(format!(
                    "invalid flag in regex options: {other}"
                )));
            }
        }
    }
    let re = builder.build().map_err(|e| {
        ServerError::new(
            Code::Location51091,
            format!("Regular expression is invalid: {e}"),
        )
    })?;
    Ok(expand(values).iter().any(|v| match v {
        Bson::String(s) | Bson::Symbol(s) => re.is_match(s),
        Bson::RegularExpression(r) => r.pattern == pattern,
        _ => false,
    }))
}
