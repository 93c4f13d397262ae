//! MongoDB's BSON type order (MinKey < null < numbers < strings < objects < arrays < binData <
//! ObjectId < bool < date < timestamp < regex < MaxKey), value equality, and sorting documents
//! by a sort specification.

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::filter::path_values;
use super::update::int_of;
use super::{Result, ServerError};
use crate::core::bson_value::as_f64;

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
pub(super) fn bracket(v: &Bson) -> u8 {
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
                return Err(ServerError::bad_value(format!(
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
