//! Cursors: the first batch of a result and the rest kept for `getMore` (encoded once, copied
//! into each batch as BSON), `killCursors`, and the cursor reply's `cursor` sub-document.

use bson::{doc, Bson, Document};
use rand::Rng;

use super::crud_cmd::{GetMore, KillCursors};
use super::{Cluster, CmdResult, Outcome, Request};
use crate::lab::error::{Code, ServerError};

/// A cursor left open by `find` / `listCollections`.
#[derive(Debug, Clone)]
pub(super) struct Cursor {
    pub(super) ns: String,
    /// The results not yet returned, encoded once when the cursor opened.
    pub(super) docs: EncodedDocs,
}

/// Documents in a first batch when the client does not say.
const DEFAULT_FIRST_BATCH: usize = 101;
/// Stop filling a batch past this many bytes (mongod's 16 MiB reply budget).
const MAX_BATCH_BYTES: usize = 16 * 1024 * 1024;

impl Cluster {
    fn new_cursor_id(&mut self) -> i64 {
        loop {
            let id = self.rng.gen::<i64>() & i64::MAX;
            if id != 0 {
                return id;
            }
        }
    }

    /// Splits results into a first batch and (if anything is left) a cursor.
    pub(super) fn open_cursor(
        &mut self,
        m: usize,
        ns: String,
        mut docs: EncodedDocs,
        batch: Option<usize>,
        single: bool,
    ) -> Outcome {
        let mut reply = CursorReply::new("firstBatch");
        docs.take_batch(batch.unwrap_or(DEFAULT_FIRST_BATCH), &mut reply);
        let id = if docs.is_empty() || single {
            0
        } else {
            let id = self.new_cursor_id();
            self.members[m].cursors.insert(
                id,
                Cursor {
                    ns: ns.clone(),
                    docs,
                },
            );
            id
        };
        Outcome::Cursor(reply.finish(id, &ns))
    }

    /// The results of a find, encoded (straight from the store: nothing is cloned).
    pub(super) fn cmd_get_more(&mut self, gm: GetMore, req: &Request) -> CmdResult {
        let (id, batch) = (gm.id, gm.batch_size);
        let ns = format!("{}.{}", req.db, gm.coll);
        let mem = &mut self.members[req.member];
        let Some(cursor) = mem.cursors.get_mut(&id) else {
            return Err(ServerError::new(
                Code::CursorNotFound,
                format!("cursor id {id} not found"),
            ));
        };
        if cursor.ns != ns {
            return Err(ServerError::new(Code::Unauthorized, format!(
                    "Requested getMore on namespace '{ns}', but cursor belongs to a different namespace {}",
                    cursor.ns
                ),
            ));
        }
        let mut reply = CursorReply::new("nextBatch");
        cursor
            .docs
            .take_batch(batch.unwrap_or(usize::MAX), &mut reply);
        let left = if cursor.docs.is_empty() {
            mem.cursors.remove(&id);
            0
        } else {
            id
        };
        Ok(Outcome::Cursor(reply.finish(left, &ns)))
    }

    pub(super) fn cmd_kill_cursors(&mut self, kc: KillCursors, req: &Request) -> CmdResult {
        let mut killed = Vec::new();
        let mut not_found = Vec::new();
        for id in kc.ids {
            if self.members[req.member].cursors.remove(&id).is_some() {
                killed.push(Bson::Int64(id));
            } else {
                not_found.push(Bson::Int64(id));
            }
        }
        Ok(Outcome::Reply(doc! {
            "cursorsKilled": killed,
            "cursorsNotFound": not_found,
            "cursorsAlive": [],
            "cursorsUnknown": [],
        }))
    }
}

/// Results waiting in a cursor: BSON documents back to back, encoded once when the cursor opened,
/// and copied into each batch's reply as they are.
#[derive(Debug, Clone, Default)]
pub(crate) struct EncodedDocs {
    bytes: Vec<u8>,
    /// Where the next document starts.
    next: usize,
}

impl EncodedDocs {
    pub(super) fn from_documents(docs: &[Document]) -> Result<Self, ServerError> {
        let mut out = EncodedDocs::default();
        for d in docs {
            out.push(d)?;
        }
        Ok(out)
    }

    pub(super) fn push(&mut self, d: &Document) -> Result<(), ServerError> {
        d.to_writer(&mut self.bytes).map_err(|e| {
            ServerError::new(
                Code::BSONObjectTooLarge,
                format!("a result does not encode: {e}"),
            )
        })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.next >= self.bytes.len()
    }

    fn len_at(&self, at: usize) -> usize {
        let b = &self.bytes[at..at + 4];
        i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    /// Moves up to `max` documents into `reply`, stopping before the batch would pass mongod's
    /// 16 MiB reply budget (one document always goes, whatever its size).
    fn take_batch(&mut self, max: usize, reply: &mut CursorReply) {
        let mut n = 0usize;
        let mut bytes = 0usize;
        while n < max && !self.is_empty() {
            let size = self.len_at(self.next);
            if n > 0 && bytes + size > MAX_BATCH_BYTES {
                break;
            }
            reply.push(&self.bytes[self.next..self.next + size]);
            self.next += size;
            bytes += size;
            n += 1;
        }
        if self.is_empty() {
            self.bytes = Vec::new();
            self.next = 0;
        }
    }
}

/// The `cursor` sub-document of a cursor reply, written as BSON: `{firstBatch|nextBatch: [...],
/// id, ns}` in that order, as `doc!` would encode it.
pub(super) struct CursorReply {
    out: Vec<u8>,
    /// Where the batch array starts.
    array: usize,
    count: usize,
}

impl CursorReply {
    pub(super) fn new(key: &str) -> Self {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&[0; 4]);
        out.push(0x04);
        out.extend_from_slice(key.as_bytes());
        out.push(0);
        let array = out.len();
        out.extend_from_slice(&[0; 4]);
        CursorReply {
            out,
            array,
            count: 0,
        }
    }

    pub(super) fn push(&mut self, doc: &[u8]) {
        if self.count == 0 {
            self.out.reserve(doc.len() * 2);
        }
        self.out.push(0x03);
        // the array index as the key, in decimal
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut n = self.count;
        loop {
            i -= 1;
            digits[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.out.extend_from_slice(&digits[i..]);
        self.out.push(0);
        self.out.extend_from_slice(doc);
        self.count += 1;
    }

    pub(super) fn finish(mut self, id: i64, ns: &str) -> Vec<u8> {
        self.out.push(0);
        let array_len = (self.out.len() - self.array) as i32;
        self.out[self.array..self.array + 4].copy_from_slice(&array_len.to_le_bytes());
        self.out.push(0x12);
        self.out.extend_from_slice(b"id\0");
        self.out.extend_from_slice(&id.to_le_bytes());
        self.out.push(0x02);
        self.out.extend_from_slice(b"ns\0");
        self.out
            .extend_from_slice(&((ns.len() + 1) as i32).to_le_bytes());
        self.out.extend_from_slice(ns.as_bytes());
        self.out.push(0);
        self.out.push(0);
        let len = self.out.len() as i32;
        self.out[..4].copy_from_slice(&len.to_le_bytes());
        self.out
    }
}
