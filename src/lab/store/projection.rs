//! Projections: inclusion and exclusion of (dotted) fields, with `_id` kept unless excluded.

use std::collections::BTreeMap;

use bson::{Bson, Document};

use super::update::split;
use super::{Result, ServerError};
use crate::core::bson_value::true_value;
use crate::lab::error::Code;

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
            | Bson::Decimal128(_) => true_value(Some(v)),
            other => {
                return Err(ServerError::bad_value(format!(
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
                    ServerError::new(
                        Code::Location31254,
                        format!("Cannot do exclusion on field {field} in inclusion projection"),
                    )
                } else {
                    ServerError::new(
                        Code::Location31253,
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
