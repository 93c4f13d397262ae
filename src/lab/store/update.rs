//! The update language: replacement documents and update operators (`$set`, `$inc`, `$push`...),
//! dotted paths into documents, and the number arithmetic `$inc` / `$mul` need.

use std::cmp::Ordering;

use bson::{Bson, Document};

use super::filter::{match_field, matches};
use super::order::{compare_bson, type_name, values_equal};
use super::{Result, ServerError};
use crate::core::bson_value::as_f64;
use crate::lab::error::Code;

pub(super) enum UpdateKind {
    Replacement(Document),
    Operators(Document),
}

impl UpdateKind {
    pub(super) fn parse(update: &Document) -> Result<Self> {
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
            return Err(ServerError::failed_to_parse(format!(
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
                return Err(ServerError::failed_to_parse(format!(
                    "Unknown modifier: {op}. Expected a valid update modifier or pipeline-style update specified as an array"
                )));
            }
            if !matches!(arg, Bson::Document(_)) {
                return Err(ServerError::failed_to_parse(format!(
                    "Modifiers operate on fields but we found type {} instead. For example: {{$mod: {{<field>: ...}}}} not {{{op}: {arg}}}",
                    type_name(arg)
                )));
            }
        }
        Ok(UpdateKind::Operators(update.clone()))
    }

    pub(super) fn apply(&self, doc: &mut Document, inserting: bool, now_ms: i64) -> Result<()> {
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
                    return Err(ServerError::bad_value(format!(
                        "the lab does not support positional or array-filter update paths ('{path}')"
                    )));
                }
                match op.as_str() {
                    "$set" => set_path(doc, &parts, value.clone())?,
                    "$setOnInsert" if inserting => set_path(doc, &parts, value.clone())?,
                    "$unset" => unset_path(doc, &parts),
                    "$inc" | "$mul" => {
                        if !is_number(value) {
                            return Err(ServerError::type_mismatch(format!(
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
                                return Err(ServerError::type_mismatch(format!(
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
                            return Err(ServerError::bad_value(format!(
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
                                    return Err(ServerError::bad_value(
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
                                return Err(ServerError::bad_value(format!(
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

pub(super) fn split(path: &str) -> Vec<&str> {
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

pub(super) fn set_path(doc: &mut Document, parts: &[&str], value: Bson) -> Result<()> {
    let Some((first, rest)) = parts.split_first() else {
        return Ok(());
    };
    if first.starts_with('$') {
        return Err(ServerError::bad_value(format!(
            "the lab does not support positional or array-filter update paths ('{first}')"
        )));
    }
    if first.is_empty() {
        return Err(ServerError::new(
            Code::EmptyFieldName,
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
                return Err(ServerError::path_not_viable(format!(
                    "Cannot create field '{}' in element {{{first}: [...]}}",
                    rest[0]
                )));
            };
            if i > arr.len() + 1_500_000 {
                return Err(ServerError::bad_value(format!(
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
                        return Err(ServerError::path_not_viable(format!(
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
        Some(other) => Err(ServerError::path_not_viable(format!(
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

pub(super) fn int_of(v: &Bson) -> i64 {
    match v {
        Bson::Int32(i) => *i as i64,
        Bson::Int64(i) => *i,
        _ => 0,
    }
}
