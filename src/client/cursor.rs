//! Cursors: `Client::find`, the [`Cursor`] bound to the server that ran it (getMore, killCursors
//! on drop), and [`RawBatch`], a batch read straight from the reply's bytes.

use std::collections::VecDeque;
use std::time::Duration;

use bson::{doc, Document, RawBsonRef, RawDocument, RawDocumentBuf};

use crate::core::address::ServerAddress;
use crate::core::description::ServerType;
use crate::core::error::{Error, Result};
use crate::core::read_pref::ReadPreference;
use crate::core::selection::{Criteria, Selection};

use super::{Client, FindOptions, SelectedServer};

impl Client {
    /// Runs `find` and returns a cursor over the results.
    pub async fn find(
        &self,
        db: &str,
        coll: &str,
        options: FindOptions,
        read_preference: &ReadPreference,
    ) -> Result<Cursor> {
        let mut cmd = doc! { "find": coll };
        if let Some(f) = options.filter {
            cmd.insert("filter", f);
        }
        if let Some(p) = options.projection {
            cmd.insert("projection", p);
        }
        if let Some(s) = options.sort {
            cmd.insert("sort", s);
        }
        if let Some(l) = options.limit {
            cmd.insert("limit", l);
        }
        if let Some(s) = options.skip {
            cmd.insert("skip", s);
        }
        if let Some(b) = options.batch_size {
            cmd.insert("batchSize", b);
        }
        let criteria = Criteria::Read(read_preference.clone());
        let retryable = self.shared.options.retry_reads;
        let (sel, reply, retried) = self
            .run_selected_with(cmd, &criteria, retryable, |address, cmd, rp| async move {
                self.execute_raw(&address, db, cmd, rp.as_ref()).await
            })
            .await?;
        let (id, raw) = RawBatch::from_reply(reply, "firstBatch", &sel.address)?;
        Ok(Cursor {
            client: self.clone(),
            db: db.to_string(),
            coll: coll.to_string(),
            id,
            batch: VecDeque::new(),
            raw: Some(raw),
            batch_size: options.batch_size,
            server_type: sel.description.server_type,
            selected: sel,
            retried,
        })
    }
}

/// One batch of a cursor as the server sent it: the raw reply and which array (`firstBatch` /
/// `nextBatch`) holds the documents. Reading it builds no `Document`s; [`RawBatch::documents`]
/// borrows each result from the reply's bytes.
#[derive(Debug, Clone)]
pub struct RawBatch {
    reply: RawDocumentBuf,
    key: &'static str,
    len: usize,
    /// The server that sent it (named in errors about its documents).
    address: ServerAddress,
}

impl RawBatch {
    /// Checks a cursor reply (a `cursor` document with a numeric `id` and an array of documents
    /// under `key`) and returns the cursor id and the batch.
    fn from_reply(
        reply: RawDocumentBuf,
        key: &'static str,
        address: &ServerAddress,
    ) -> Result<(i64, RawBatch)> {
        let protocol = |message: String| Error::Protocol {
            address: address.clone(),
            message,
        };
        let cursor = match reply.get("cursor") {
            Ok(Some(RawBsonRef::Document(c))) => c,
            Err(e) => return Err(protocol(e.to_string())),
            _ => return Err(protocol("the reply has no \"cursor\" document".into())),
        };
        let id = match cursor.get("id") {
            Ok(Some(RawBsonRef::Int32(v))) => v as i64,
            Ok(Some(RawBsonRef::Int64(v))) => v,
            Ok(Some(RawBsonRef::Double(v))) if v.is_finite() => v as i64,
            Err(e) => return Err(protocol(e.to_string())),
            _ => 0,
        };
        let arr = match cursor.get(key) {
            Ok(Some(RawBsonRef::Array(a))) => a,
            Err(e) => return Err(protocol(e.to_string())),
            _ => return Err(protocol(format!("the cursor reply has no \"{key}\" array"))),
        };
        let mut len = 0;
        for entry in arr {
            match entry.map_err(|e| protocol(e.to_string()))? {
                RawBsonRef::Document(_) => len += 1,
                other => {
                    return Err(protocol(format!(
                        "a \"{key}\" entry is a {:?}, not a document",
                        other.element_type()
                    )))
                }
            }
        }
        Ok((
            id,
            RawBatch {
                reply,
                key,
                len,
                address: address.clone(),
            },
        ))
    }

    /// A batch holding `docs` (encoded once).
    fn from_documents(
        docs: impl IntoIterator<Item = Document>,
        address: &ServerAddress,
    ) -> Result<RawBatch> {
        let mut arr = bson::RawArrayBuf::new();
        let mut len = 0;
        for d in docs {
            let raw = RawDocumentBuf::from_document(&d)
                .map_err(|e| Error::internal(format!("a document does not encode: {e}")))?;
            arr.push(raw);
            len += 1;
        }
        let mut cursor = RawDocumentBuf::new();
        cursor.append("nextBatch", arr);
        let mut reply = RawDocumentBuf::new();
        reply.append("cursor", cursor);
        Ok(RawBatch {
            reply,
            key: "nextBatch",
            len,
            address: address.clone(),
        })
    }

    /// How many documents the batch holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch holds no documents.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The documents, in order, borrowed from the reply (checked when the batch was made).
    pub fn documents(&self) -> impl Iterator<Item = &RawDocument> + '_ {
        let arr = match self.reply.get("cursor") {
            Ok(Some(RawBsonRef::Document(c))) => match c.get(self.key) {
                Ok(Some(RawBsonRef::Array(a))) => Some(a),
                _ => None,
            },
            _ => None,
        };
        arr.into_iter().flat_map(|a| {
            a.into_iter().filter_map(|e| match e {
                Ok(RawBsonRef::Document(d)) => Some(d),
                _ => None,
            })
        })
    }

    /// The server that sent the batch.
    pub fn server(&self) -> &ServerAddress {
        &self.address
    }

    /// The documents decoded into `Document`s (a protocol error if one is not valid BSON).
    pub fn to_documents(&self) -> Result<Vec<Document>> {
        self.documents()
            .map(|d| {
                Document::try_from(d).map_err(|e| Error::Protocol {
                    address: self.address.clone(),
                    message: format!("a result is not a valid BSON document: {e}"),
                })
            })
            .collect()
    }
}

/// A cursor over a `find`'s results, bound to the server that ran it.
pub struct Cursor {
    client: Client,
    db: String,
    coll: String,
    /// 0 once the server has no more results.
    id: i64,
    /// Documents already decoded (by [`Cursor::next`]) and not yet returned.
    batch: VecDeque<Document>,
    /// The last batch received, not yet decoded.
    raw: Option<RawBatch>,
    batch_size: Option<i32>,
    server_type: ServerType,
    selected: SelectedServer,
    retried: bool,
}

impl std::fmt::Debug for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cursor")
            .field("server", &self.selected.address)
            .field("id", &self.id)
            .finish()
    }
}

impl Cursor {
    /// The server the cursor lives on.
    pub fn server(&self) -> &ServerAddress {
        &self.selected.address
    }

    /// That server's type when it was selected.
    pub fn server_type(&self) -> ServerType {
        self.server_type
    }

    /// The selection that chose the server (see [`SelectedServer`]).
    pub fn selected(&self) -> &SelectedServer {
        &self.selected
    }

    /// The selection that chose the server, recomputed on its snapshot.
    pub fn selection(&self) -> Result<Selection<'_>> {
        self.selected.selection()
    }

    /// Whether the initial `find` was retried.
    pub fn retried(&self) -> bool {
        self.retried
    }

    /// The next document, fetching a batch with `getMore` when needed.
    pub async fn next(&mut self) -> Result<Option<Document>> {
        loop {
            if let Some(d) = self.batch.pop_front() {
                return Ok(Some(d));
            }
            if let Some(raw) = self.raw.take() {
                self.batch = raw.to_documents()?.into();
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    /// The rest of the current batch (or the next one), `None` when exhausted.
    pub async fn next_batch(&mut self) -> Result<Option<Vec<Document>>> {
        loop {
            if !self.batch.is_empty() {
                return Ok(Some(self.batch.drain(..).collect()));
            }
            if let Some(raw) = self.raw.take() {
                if !raw.is_empty() {
                    return raw.to_documents().map(Some);
                }
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    /// Like [`Cursor::next_batch`], but the documents stay raw BSON as the server sent them
    /// (what `rsctl read` prints from, without decoding each document).
    pub async fn next_raw_batch(&mut self) -> Result<Option<RawBatch>> {
        loop {
            if !self.batch.is_empty() {
                return RawBatch::from_documents(self.batch.drain(..), &self.selected.address)
                    .map(Some);
            }
            if let Some(raw) = self.raw.take() {
                if !raw.is_empty() {
                    return Ok(Some(raw));
                }
                continue;
            }
            if self.id == 0 {
                return Ok(None);
            }
            self.get_more().await?;
        }
    }

    async fn get_more(&mut self) -> Result<()> {
        let mut cmd = doc! { "getMore": self.id, "collection": self.coll.clone() };
        if let Some(b) = self.batch_size {
            cmd.insert("batchSize", b);
        }
        let address = self.selected.address.clone();
        let result = self.client.execute_raw(&address, &self.db, cmd, None).await;
        let reply = match result {
            Ok(r) => r,
            Err(e) => {
                // The cursor is gone with its connection or server: do not try to kill it.
                self.id = 0;
                return Err(e);
            }
        };
        let (id, raw) = RawBatch::from_reply(reply, "nextBatch", &address)?;
        self.id = id;
        self.raw = Some(raw);
        Ok(())
    }
}

impl Drop for Cursor {
    fn drop(&mut self) {
        if self.id == 0 || self.client.is_shut_down() {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let client = self.client.clone();
        let address = self.selected.address.clone();
        let db = std::mem::take(&mut self.db);
        let cmd = doc! { "killCursors": self.coll.clone(), "cursors": [self.id] };
        handle.spawn(async move {
            let _ = tokio::time::timeout(
                Duration::from_secs(5),
                client.execute(&address, &db, cmd, None),
            )
            .await;
        });
    }
}
