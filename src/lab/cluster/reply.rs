//! Finishing replies as mongod does: `ok: 1`, `$clusterTime` and `operationTime` on success,
//! `topologyVersion` on state-change errors, and dates on each member's (skewable) wall clock.

use bson::{doc, Document};

use super::member::{MemberState, OpTime};
use super::{Cluster, Millis, WireResponse};
use crate::lab::error::{Code, ServerError};

impl Cluster {
    /// Adds `ok: 1` and the cluster time fields to a successful reply.
    /// [`Cluster::finish`] for a cursor reply: `{cursor: ..., ok: 1.0}` and the cluster time,
    /// as BSON bytes, the `cursor` sub-document copied in as it is.
    pub(super) fn finish_cursor(&self, m: usize, cursor: &[u8]) -> WireResponse {
        let tail = match bson::to_vec(&self.finish(m, Document::new())) {
            Ok(t) => t,
            Err(e) => {
                return WireResponse::Now(
                    ServerError::new(
                        Code::InternalError,
                        format!("the lab could not encode a reply: {e}"),
                    )
                    .to_document(),
                )
            }
        };
        // tail = len(4) elements... 0: its elements follow the cursor element.
        let mut out = Vec::with_capacity(4 + 8 + cursor.len() + tail.len());
        out.extend_from_slice(&[0; 4]);
        out.push(0x03);
        out.extend_from_slice(b"cursor\0");
        out.extend_from_slice(cursor);
        out.extend_from_slice(&tail[4..tail.len() - 1]);
        out.push(0);
        let len = out.len() as i32;
        out[..4].copy_from_slice(&len.to_le_bytes());
        match bson::RawDocumentBuf::from_bytes(out) {
            Ok(raw) => WireResponse::Raw(raw),
            Err(e) => WireResponse::Now(
                ServerError::new(
                    Code::InternalError,
                    format!("the lab encoded an invalid reply: {e}"),
                )
                .to_document(),
            ),
        }
    }

    pub(super) fn finish(&self, m: usize, mut d: Document) -> Document {
        if !d.contains_key("ok") {
            d.insert("ok", 1.0);
        }
        self.add_cluster_time(m, &mut d);
        d
    }

    fn add_cluster_time(&self, m: usize, d: &mut Document) {
        let mem = &self.members[m];
        if mem.config.is_some() && mem.state != MemberState::Arbiter {
            let ts = self
                .members
                .iter()
                .filter(|o| o.config.is_some())
                .map(|o| o.last_optime())
                .max()
                .unwrap_or(OpTime::NULL)
                .ts();
            d.insert(
                "$clusterTime",
                doc! {
                    "clusterTime": ts,
                    "signature": {
                        "hash": bson::Binary { subtype: bson::spec::BinarySubtype::Generic, bytes: vec![0; 20] },
                        "keyId": 0_i64,
                    },
                },
            );
            d.insert("operationTime", mem.last_optime().ts());
        }
    }

    pub(super) fn error_reply(&self, m: usize, e: &ServerError) -> Document {
        let mut d = e.to_document();
        if e.code.is_state_change() {
            d.insert("topologyVersion", self.tv_doc(m));
        }
        self.add_cluster_time(m, &mut d);
        d
    }

    pub(super) fn tv_doc(&self, m: usize) -> Document {
        let mem = &self.members[m];
        doc! {"processId": mem.process_id, "counter": mem.tv_counter}
    }

    pub(super) fn date(&self, at: Millis) -> bson::DateTime {
        bson::DateTime::from_millis(self.options.epoch_ms + at as i64)
    }

    /// Member `m`'s wall clock at lab time `at` (its [`Fault::Clock`] offset applied).
    pub(super) fn wall_ms(&self, m: usize, at: Millis) -> i64 {
        let off = self.members.get(m).map_or(0, |x| x.clock_offset_ms);
        self.options
            .epoch_ms
            .saturating_add(at as i64)
            .saturating_add(off)
    }

    /// [`Cluster::wall_ms`] as a BSON date.
    pub(super) fn member_date(&self, m: usize, at: Millis) -> bson::DateTime {
        bson::DateTime::from_millis(self.wall_ms(m, at))
    }
}
