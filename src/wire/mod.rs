//! Pure byte codecs for the MongoDB wire protocol: the message header, OP_MSG (kind 0 and 1
//! sections, flag bits, CRC-32C checksum), and the legacy OP_QUERY / OP_REPLY used by old
//! handshakes.
//!
//! Framing is check-then-parse: [`frame_length`] looks at the first bytes of a buffer and says
//! whether a whole message is there (refusing lengths that are negative, under the header size or
//! over the allowed maximum *before* anything is allocated); [`decode`] then parses exactly one
//! frame. Nothing here touches a socket.

use bson::Document;

/// Size of the standard message header.
pub const HEADER_LEN: usize = 16;
/// Default maximum message size (mongod's maxMessageSizeBytes).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 48_000_000;
/// Default maximum BSON document size (mongod's maxBsonObjectSize).
pub const DEFAULT_MAX_BSON_SIZE: usize = 16 * 1024 * 1024;

/// How deeply documents and arrays may nest inside one BSON document that is read off the wire.
///
/// MongoDB stores documents nested at most 100 levels deep; the rest leaves room for the command
/// or reply around one (`cursor.firstBatch`, an update's `u`). The limit exists because the bson
/// crate decodes (and drops) nested values recursively, at several KB of stack per level in
/// unoptimised builds: unbounded, a small message of deep nesting overflowed the stack and aborted
/// the process reading it (a lab member, or rsctl reading a reply). 120 levels still decode on a
/// 2 MiB thread stack, tokio's default.
pub const MAX_BSON_DEPTH: usize = 120;

/// OP_REPLY (legacy reply to OP_QUERY).
pub const OP_REPLY: i32 = 1;
/// OP_QUERY (legacy; still used for the first handshake by some clients).
pub const OP_QUERY: i32 = 2004;
/// OP_COMPRESSED (not supported: rsctl never negotiates compression).
pub const OP_COMPRESSED: i32 = 2012;
/// OP_MSG.
pub const OP_MSG: i32 = 2013;

/// OP_MSG flag: a CRC-32C checksum follows the sections.
pub const FLAG_CHECKSUM_PRESENT: u32 = 1;
/// OP_MSG flag: the sender will send another message without waiting for a reply.
pub const FLAG_MORE_TO_COME: u32 = 1 << 1;
/// OP_MSG flag: the client accepts exhaust replies (`moreToCome` from the server).
pub const FLAG_EXHAUST_ALLOWED: u32 = 1 << 16;
/// OP_MSG flags a receiver must understand (bits 0-15); unknown ones are an error.
const KNOWN_REQUIRED_FLAGS: u32 = FLAG_CHECKSUM_PRESENT | FLAG_MORE_TO_COME;
const REQUIRED_MASK: u32 = 0xFFFF;

/// OP_QUERY flag: the query may run on a secondary (secondaryOk).
pub const QUERY_FLAG_SECONDARY_OK: i32 = 1 << 2;

/// A wire-level decoding error. The network layer adds the peer's address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("message length {0} is invalid (under the 16-byte header or negative)")]
    BadLength(i64),
    #[error("message length {len} exceeds the maximum of {max} bytes")]
    TooLarge { len: usize, max: usize },
    #[error("message is truncated: {0}")]
    Truncated(&'static str),
    #[error("unsupported opcode {0}")]
    UnsupportedOpCode(i32),
    #[error("OP_MSG has unknown required flag bits {0:#x}")]
    UnknownRequiredFlags(u32),
    #[error("OP_MSG checksum mismatch (expected {expected:#010x}, computed {computed:#010x})")]
    Checksum { expected: u32, computed: u32 },
    #[error("OP_MSG must have exactly one kind-0 section, found {0}")]
    BodyCount(usize),
    #[error("OP_MSG section kind {0} is unknown")]
    UnknownSection(u8),
    #[error("invalid BSON document: {0}")]
    Bson(String),
    #[error("invalid C string in {0}")]
    CString(&'static str),
    /// A message cannot be encoded: BSON cannot hold what it carries (a key, a regular
    /// expression or a C string holding a NUL byte...). Nothing was written.
    #[error("cannot encode the message: {0}")]
    Encode(String),
}

/// The 16-byte standard message header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub message_length: i32,
    pub request_id: i32,
    pub response_to: i32,
    pub op_code: i32,
}

/// A kind-1 section: a named sequence of documents (e.g. `documents` for `insert`).
#[derive(Debug, Clone, PartialEq)]
pub struct DocumentSequence {
    pub identifier: String,
    pub documents: Vec<Document>,
}

/// An OP_MSG message.
#[derive(Debug, Clone, PartialEq)]
pub struct OpMsg {
    /// Flag bits (`FLAG_*`). `FLAG_CHECKSUM_PRESENT` controls whether `encode` adds a checksum.
    pub flags: u32,
    /// The kind-0 section: the command or the reply.
    pub body: Document,
    /// Kind-1 sections.
    pub sequences: Vec<DocumentSequence>,
}

impl OpMsg {
    /// A message with just a body and no flags.
    pub fn new(body: Document) -> Self {
        OpMsg {
            flags: 0,
            body,
            sequences: Vec::new(),
        }
    }

    /// The body with every kind-1 sequence folded in as an array field, the way a server reads
    /// a command.
    pub fn into_command(self) -> Document {
        let mut body = self.body;
        for seq in self.sequences {
            let docs: Vec<bson::Bson> = seq
                .documents
                .into_iter()
                .map(bson::Bson::Document)
                .collect();
            body.insert(seq.identifier, docs);
        }
        body
    }
}

/// A legacy OP_QUERY message.
#[derive(Debug, Clone, PartialEq)]
pub struct OpQuery {
    pub flags: i32,
    pub full_collection_name: String,
    pub number_to_skip: i32,
    pub number_to_return: i32,
    pub query: Document,
    pub return_fields_selector: Option<Document>,
}

/// A legacy OP_REPLY message.
#[derive(Debug, Clone, PartialEq)]
pub struct OpReply {
    pub response_flags: i32,
    pub cursor_id: i64,
    pub starting_from: i32,
    pub documents: Vec<Document>,
}

/// Any message rsctl sends or receives.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    Msg(OpMsg),
    Query(OpQuery),
    Reply(OpReply),
}

impl Message {
    fn op_code(&self) -> i32 {
        match self {
            Message::Msg(_) => OP_MSG,
            Message::Query(_) => OP_QUERY,
            Message::Reply(_) => OP_REPLY,
        }
    }
}

fn read_i32(b: &[u8], at: usize) -> Option<i32> {
    b.get(at..at + 4)
        .map(|s| i32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn read_i64(b: &[u8], at: usize) -> Option<i64> {
    b.get(at..at + 8).map(|s| {
        let mut a = [0u8; 8];
        a.copy_from_slice(s);
        i64::from_le_bytes(a)
    })
}

/// Looks at the start of `buf`: `Ok(None)` if fewer than 4 bytes are there yet, `Ok(Some(len))`
/// with the whole frame's length once it is known (the frame may not be complete yet), or an error
/// for a length that is negative, under the header size, or over `max_message_size`.
pub fn frame_length(buf: &[u8], max_message_size: usize) -> Result<Option<usize>, WireError> {
    let Some(len) = read_i32(buf, 0) else {
        return Ok(None);
    };
    if len < HEADER_LEN as i32 {
        return Err(WireError::BadLength(len as i64));
    }
    let len = len as usize;
    if len > max_message_size {
        return Err(WireError::TooLarge {
            len,
            max: max_message_size,
        });
    }
    Ok(Some(len))
}

/// Reads the header of a frame.
pub fn decode_header(frame: &[u8]) -> Result<Header, WireError> {
    if frame.len() < HEADER_LEN {
        return Err(WireError::Truncated("header"));
    }
    Ok(Header {
        message_length: read_i32(frame, 0).expect("len checked"),
        request_id: read_i32(frame, 4).expect("len checked"),
        response_to: read_i32(frame, 8).expect("len checked"),
        op_code: read_i32(frame, 12).expect("len checked"),
    })
}

/// Reads one BSON document at `at`, checking its declared length against the buffer first.
/// Returns the document and the offset just past it.
fn read_document(b: &[u8], at: usize, end: usize) -> Result<(Document, usize), WireError> {
    let len = read_i32(b, at).ok_or(WireError::Truncated("document length"))?;
    if len < 5 {
        return Err(WireError::Bson(format!("document length {len} is under 5")));
    }
    let stop = at
        .checked_add(len as usize)
        .filter(|&s| s <= end)
        .ok_or(WireError::Truncated("document"))?;
    let bytes = &b[at..stop];
    // Each level of nesting takes at least 7 bytes (type, empty key, length, terminator): only
    // a document this long can nest too deeply.
    if bytes.len() > 5 + 7 * MAX_BSON_DEPTH {
        check_depth(bytes)?;
    }
    // Element by element, not through serde (`Document::from_reader`): serde's visitor reads a
    // nested document whose first key looks like Extended JSON (`$oid`, `$date`, `$scope`...) as
    // that type, refusing valid BSON or turning `{"$oid": "<24 hex>"}` into an ObjectId.
    let raw = bson::RawDocument::from_bytes(bytes).map_err(|e| WireError::Bson(e.to_string()))?;
    let doc = Document::try_from(raw).map_err(|e| WireError::Bson(e.to_string()))?;
    Ok((doc, stop))
}

/// Refuses a document whose documents, arrays and code-with-scope scopes nest more than
/// [`MAX_BSON_DEPTH`] levels deep, walking it with an explicit stack (never recursing).
fn check_depth(bytes: &[u8]) -> Result<(), WireError> {
    use bson::{RawBsonRef, RawDocument};
    let bad = |e: bson::raw::Error| WireError::Bson(e.to_string());
    let root = RawDocument::from_bytes(bytes).map_err(bad)?;
    let mut stack = vec![root.iter()];
    while let Some(top) = stack.last_mut() {
        let Some(element) = top.next() else {
            stack.pop();
            continue;
        };
        let nested = match element.map_err(bad)?.1 {
            RawBsonRef::Document(d) => d,
            RawBsonRef::Array(a) => RawDocument::from_bytes(a.as_bytes()).map_err(bad)?,
            RawBsonRef::JavaScriptCodeWithScope(c) => c.scope,
            _ => continue,
        };
        if stack.len() > MAX_BSON_DEPTH {
            return Err(WireError::Bson(format!(
                "documents and arrays nest more than {MAX_BSON_DEPTH} levels deep"
            )));
        }
        stack.push(nested.iter());
    }
    Ok(())
}

fn read_cstring(
    b: &[u8],
    at: usize,
    end: usize,
    what: &'static str,
) -> Result<(String, usize), WireError> {
    let slice = b.get(at..end).ok_or(WireError::CString(what))?;
    let nul = slice
        .iter()
        .position(|&c| c == 0)
        .ok_or(WireError::CString(what))?;
    let s = std::str::from_utf8(&slice[..nul]).map_err(|_| WireError::CString(what))?;
    Ok((s.to_string(), at + nul + 1))
}

/// Decodes exactly one complete frame (as delimited by [`frame_length`]).
pub fn decode(frame: &[u8]) -> Result<(Header, Message), WireError> {
    let header = decode_header(frame)?;
    if header.message_length < HEADER_LEN as i32 {
        return Err(WireError::BadLength(header.message_length as i64));
    }
    if header.message_length as usize != frame.len() {
        return Err(WireError::Truncated(
            "frame length differs from the header's",
        ));
    }
    let end = frame.len();
    let msg = match header.op_code {
        OP_MSG => Message::Msg(decode_op_msg(frame)?),
        OP_QUERY => {
            let flags = read_i32(frame, 16).ok_or(WireError::Truncated("OP_QUERY flags"))?;
            let (name, at) = read_cstring(frame, 20, end, "OP_QUERY collection name")?;
            let skip = read_i32(frame, at).ok_or(WireError::Truncated("OP_QUERY numberToSkip"))?;
            let ret =
                read_i32(frame, at + 4).ok_or(WireError::Truncated("OP_QUERY numberToReturn"))?;
            let (query, at) = read_document(frame, at + 8, end)?;
            let selector = if at < end {
                let (d, stop) = read_document(frame, at, end)?;
                if stop != end {
                    return Err(WireError::Truncated("trailing bytes after OP_QUERY"));
                }
                Some(d)
            } else {
                None
            };
            Message::Query(OpQuery {
                flags,
                full_collection_name: name,
                number_to_skip: skip,
                number_to_return: ret,
                query,
                return_fields_selector: selector,
            })
        }
        OP_REPLY => {
            let response_flags =
                read_i32(frame, 16).ok_or(WireError::Truncated("OP_REPLY flags"))?;
            let cursor_id = read_i64(frame, 20).ok_or(WireError::Truncated("OP_REPLY cursorID"))?;
            let starting_from =
                read_i32(frame, 28).ok_or(WireError::Truncated("OP_REPLY startingFrom"))?;
            let number =
                read_i32(frame, 32).ok_or(WireError::Truncated("OP_REPLY numberReturned"))?;
            if number < 0 {
                return Err(WireError::Truncated("OP_REPLY numberReturned is negative"));
            }
            let mut at = 36;
            let mut documents = Vec::new();
            while at < end {
                let (d, next) = read_document(frame, at, end)?;
                documents.push(d);
                at = next;
            }
            if documents.len() != number as usize {
                return Err(WireError::Truncated(
                    "OP_REPLY numberReturned differs from the documents present",
                ));
            }
            Message::Reply(OpReply {
                response_flags,
                cursor_id,
                starting_from,
                documents,
            })
        }
        other => return Err(WireError::UnsupportedOpCode(other)),
    };
    Ok((header, msg))
}

/// An OP_MSG's flag bits and where its sections end (before the checksum, which is verified
/// when present); unknown required flags are refused.
fn op_msg_flags(frame: &[u8]) -> Result<(u32, usize), WireError> {
    let flags = read_i32(frame, 16).ok_or(WireError::Truncated("OP_MSG flags"))? as u32;
    let unknown = flags & REQUIRED_MASK & !KNOWN_REQUIRED_FLAGS;
    if unknown != 0 {
        return Err(WireError::UnknownRequiredFlags(unknown));
    }
    let mut end = frame.len();
    if flags & FLAG_CHECKSUM_PRESENT != 0 {
        if end < HEADER_LEN + 4 + 4 {
            return Err(WireError::Truncated("OP_MSG checksum"));
        }
        end -= 4;
        let expected =
            u32::from_le_bytes([frame[end], frame[end + 1], frame[end + 2], frame[end + 3]]);
        let computed = crc32c::crc32c(&frame[..end]);
        if expected != computed {
            return Err(WireError::Checksum { expected, computed });
        }
    }
    Ok((flags, end))
}

fn decode_op_msg(frame: &[u8]) -> Result<OpMsg, WireError> {
    let (flags, end) = op_msg_flags(frame)?;
    let mut at = 20;
    let mut body = None;
    let mut bodies = 0;
    let mut sequences = Vec::new();
    while at < end {
        let kind = frame[at];
        at += 1;
        match kind {
            0 => {
                let (d, next) = read_document(frame, at, end)?;
                bodies += 1;
                body.get_or_insert(d);
                at = next;
            }
            1 => {
                let size =
                    read_i32(frame, at).ok_or(WireError::Truncated("OP_MSG sequence size"))?;
                if size < 5 {
                    return Err(WireError::Truncated("OP_MSG sequence size"));
                }
                let stop = at
                    .checked_add(size as usize)
                    .filter(|&s| s <= end)
                    .ok_or(WireError::Truncated("OP_MSG document sequence"))?;
                let (identifier, mut p) =
                    read_cstring(frame, at + 4, stop, "OP_MSG sequence identifier")?;
                let mut documents = Vec::new();
                while p < stop {
                    let (d, next) = read_document(frame, p, stop)?;
                    documents.push(d);
                    p = next;
                }
                sequences.push(DocumentSequence {
                    identifier,
                    documents,
                });
                at = stop;
            }
            k => return Err(WireError::UnknownSection(k)),
        }
    }
    if bodies != 1 {
        return Err(WireError::BodyCount(bodies));
    }
    Ok(OpMsg {
        flags,
        body: body.expect("one body"),
        sequences,
    })
}

/// An OP_MSG whose only section is its kind-0 body, left as raw BSON bytes (no decoding into a
/// [`Document`]): how a reader takes large cursor replies. Checked like [`decode`] (header,
/// flags, checksum, the body's declared length); `Ok(None)` when the frame is not an OP_MSG or
/// carries kind-1 sections, which [`decode`] handles.
pub fn decode_op_msg_raw(
    frame: &[u8],
) -> Result<Option<(Header, u32, bson::RawDocumentBuf)>, WireError> {
    let header = decode_header(frame)?;
    if header.op_code != OP_MSG {
        return Ok(None);
    }
    if header.message_length < HEADER_LEN as i32 {
        return Err(WireError::BadLength(header.message_length as i64));
    }
    if header.message_length as usize != frame.len() {
        return Err(WireError::Truncated(
            "frame length differs from the header's",
        ));
    }
    let (flags, end) = op_msg_flags(frame)?;
    if frame.get(20) != Some(&0) {
        return Ok(None);
    }
    let len = read_i32(frame, 21).ok_or(WireError::Truncated("document length"))?;
    if len < 5 {
        return Err(WireError::Bson(format!("document length {len} is under 5")));
    }
    let stop = 21usize
        .checked_add(len as usize)
        .filter(|&s| s <= end)
        .ok_or(WireError::Truncated("document"))?;
    if stop != end {
        return Ok(None);
    }
    let bytes = &frame[21..stop];
    // Whoever walks the raw body (the relaxed Extended JSON writer) recurses into nested values.
    if bytes.len() > 5 + 7 * MAX_BSON_DEPTH {
        check_depth(bytes)?;
    }
    let body = bson::RawDocumentBuf::from_bytes(bytes.to_vec())
        .map_err(|e| WireError::Bson(e.to_string()))?;
    Ok(Some((header, flags, body)))
}

/// Encodes a reply whose body is already BSON: an OP_MSG with one kind-0 section (a checksum
/// appended when `FLAG_CHECKSUM_PRESENT` is in `flags`), or with `legacy` an OP_REPLY carrying
/// that one document. The bytes are what [`encode`] makes of the same body as a [`Document`].
pub fn encode_raw_reply(
    request_id: i32,
    response_to: i32,
    legacy: bool,
    flags: u32,
    body: &[u8],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + 25 + body.len());
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    if legacy {
        out.extend_from_slice(&OP_REPLY.to_le_bytes());
        out.extend_from_slice(&0i32.to_le_bytes()); // responseFlags
        out.extend_from_slice(&0i64.to_le_bytes()); // cursorID
        out.extend_from_slice(&0i32.to_le_bytes()); // startingFrom
        out.extend_from_slice(&1i32.to_le_bytes()); // numberReturned
        out.extend_from_slice(body);
    } else {
        out.extend_from_slice(&OP_MSG.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.push(0);
        out.extend_from_slice(body);
        if flags & FLAG_CHECKSUM_PRESENT != 0 {
            let len = (out.len() + 4) as i32;
            out[0..4].copy_from_slice(&len.to_le_bytes());
            let crc = crc32c::crc32c(&out);
            out.extend_from_slice(&crc.to_le_bytes());
            return out;
        }
    }
    let len = out.len() as i32;
    out[0..4].copy_from_slice(&len.to_le_bytes());
    out
}

fn write_document(out: &mut Vec<u8>, doc: &Document) -> Result<(), WireError> {
    doc.to_writer(out)
        .map_err(|e| WireError::Encode(e.to_string()))
}

/// Writes `s` as a C string (NUL-terminated), refusing one that holds a NUL byte itself.
fn write_cstring(out: &mut Vec<u8>, s: &str, what: &'static str) -> Result<(), WireError> {
    if s.as_bytes().contains(&0) {
        return Err(WireError::Encode(format!("the {what} holds a NUL byte")));
    }
    out.extend_from_slice(s.as_bytes());
    out.push(0);
    Ok(())
}

/// Encodes a message with the given ids. For OP_MSG, a checksum is appended when
/// `FLAG_CHECKSUM_PRESENT` is set in its flags.
///
/// Fails, writing nothing, when BSON cannot hold what the message carries: a key, a regular
/// expression, a collection name or a sequence identifier holding a NUL byte.
pub fn encode(request_id: i32, response_to: i32, message: &Message) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(256);
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&request_id.to_le_bytes());
    out.extend_from_slice(&response_to.to_le_bytes());
    out.extend_from_slice(&message.op_code().to_le_bytes());
    match message {
        Message::Msg(m) => {
            out.extend_from_slice(&m.flags.to_le_bytes());
            out.push(0);
            write_document(&mut out, &m.body)?;
            for seq in &m.sequences {
                out.push(1);
                let start = out.len();
                out.extend_from_slice(&[0u8; 4]);
                write_cstring(&mut out, &seq.identifier, "document sequence identifier")?;
                for d in &seq.documents {
                    write_document(&mut out, d)?;
                }
                let size = (out.len() - start) as i32;
                out[start..start + 4].copy_from_slice(&size.to_le_bytes());
            }
            if m.flags & FLAG_CHECKSUM_PRESENT != 0 {
                let len = (out.len() + 4) as i32;
                out[0..4].copy_from_slice(&len.to_le_bytes());
                let crc = crc32c::crc32c(&out);
                out.extend_from_slice(&crc.to_le_bytes());
                return Ok(out);
            }
        }
        Message::Query(q) => {
            out.extend_from_slice(&q.flags.to_le_bytes());
            write_cstring(&mut out, &q.full_collection_name, "collection name")?;
            out.extend_from_slice(&q.number_to_skip.to_le_bytes());
            out.extend_from_slice(&q.number_to_return.to_le_bytes());
            write_document(&mut out, &q.query)?;
            if let Some(s) = &q.return_fields_selector {
                write_document(&mut out, s)?;
            }
        }
        Message::Reply(r) => {
            out.extend_from_slice(&r.response_flags.to_le_bytes());
            out.extend_from_slice(&r.cursor_id.to_le_bytes());
            out.extend_from_slice(&r.starting_from.to_le_bytes());
            out.extend_from_slice(&(r.documents.len() as i32).to_le_bytes());
            for d in &r.documents {
                write_document(&mut out, d)?;
            }
        }
    }
    let len = out.len() as i32;
    out[0..4].copy_from_slice(&len.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bson::doc;

    fn roundtrip(m: Message) {
        let bytes = encode(7, 3, &m).unwrap();
        assert_eq!(
            frame_length(&bytes, DEFAULT_MAX_MESSAGE_SIZE).unwrap(),
            Some(bytes.len())
        );
        let (h, back) = decode(&bytes).unwrap();
        assert_eq!(
            (h.request_id, h.response_to, h.message_length as usize),
            (7, 3, bytes.len())
        );
        assert_eq!(back, m);
    }

    #[test]
    fn op_msg_roundtrips_with_sequences_and_checksum() {
        roundtrip(Message::Msg(OpMsg::new(doc! {"hello": 1, "$db": "admin"})));
        roundtrip(Message::Msg(OpMsg {
            flags: FLAG_CHECKSUM_PRESENT | FLAG_EXHAUST_ALLOWED,
            body: doc! {"insert": "c", "$db": "t"},
            sequences: vec![DocumentSequence {
                identifier: "documents".into(),
                documents: vec![doc! {"a": 1}, doc! {"b": "x"}],
            }],
        }));
    }

    #[test]
    fn legacy_messages_roundtrip() {
        roundtrip(Message::Query(OpQuery {
            flags: QUERY_FLAG_SECONDARY_OK,
            full_collection_name: "admin.$cmd".into(),
            number_to_skip: 0,
            number_to_return: -1,
            query: doc! {"isMaster": 1},
            return_fields_selector: None,
        }));
        roundtrip(Message::Reply(OpReply {
            response_flags: 8,
            cursor_id: 0,
            starting_from: 0,
            documents: vec![doc! {"ok": 1.0}],
        }));
    }

    #[test]
    fn command_folds_sequences() {
        let m = OpMsg {
            flags: 0,
            body: doc! {"insert": "c"},
            sequences: vec![DocumentSequence {
                identifier: "documents".into(),
                documents: vec![doc! {"a": 1}],
            }],
        };
        assert_eq!(
            m.into_command(),
            doc! {"insert": "c", "documents": [{"a": 1}]}
        );
    }

    #[test]
    fn rejects_bad_lengths_before_allocating() {
        assert_eq!(frame_length(&[1, 2], 100), Ok(None));
        assert_eq!(
            frame_length(&(-5i32).to_le_bytes(), 100),
            Err(WireError::BadLength(-5))
        );
        assert_eq!(
            frame_length(&15i32.to_le_bytes(), 100),
            Err(WireError::BadLength(15))
        );
        assert!(matches!(
            frame_length(&1000i32.to_le_bytes(), 100),
            Err(WireError::TooLarge { .. })
        ));
    }

    #[test]
    fn rejects_corruption() {
        let mut bytes = encode(
            1,
            0,
            &Message::Msg(OpMsg {
                flags: FLAG_CHECKSUM_PRESENT,
                body: doc! {"ping": 1},
                sequences: vec![],
            }),
        )
        .unwrap();
        let n = bytes.len();
        bytes[n - 6] ^= 0xff;
        assert!(matches!(decode(&bytes), Err(WireError::Checksum { .. })));

        let mut bytes = encode(1, 0, &Message::Msg(OpMsg::new(doc! {"ping": 1}))).unwrap();
        bytes[16] = 4; // an unknown required flag bit
        assert_eq!(decode(&bytes), Err(WireError::UnknownRequiredFlags(4)));

        let bytes = encode(1, 0, &Message::Msg(OpMsg::new(doc! {"ping": 1}))).unwrap();
        let short = &bytes[..bytes.len() - 3];
        assert!(decode(short).is_err());
        let mut bad_op = bytes.clone();
        bad_op[12] = 0xAA;
        assert!(matches!(
            decode(&bad_op),
            Err(WireError::UnsupportedOpCode(_))
        ));
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        // A small deterministic sweep of mutations over a valid frame.
        let base = encode(
            9,
            0,
            &Message::Msg(OpMsg {
                flags: 0,
                body: doc! {"find": "c", "filter": {"a": {"$gt": 1}}},
                sequences: vec![DocumentSequence {
                    identifier: "documents".into(),
                    documents: vec![doc! {"x": 1}],
                }],
            }),
        )
        .unwrap();
        for i in 0..base.len() {
            for v in [0u8, 1, 0x7f, 0xff] {
                let mut b = base.clone();
                b[i] = v;
                let _ = decode(&b);
                let _ = frame_length(&b, DEFAULT_MAX_MESSAGE_SIZE);
            }
        }
    }

    #[test]
    fn a_nul_byte_bson_cannot_hold_is_an_error_not_a_panic() {
        let mut key = Document::new();
        key.insert("a\0b", 1);
        let regex = doc! {"r": bson::Regex { pattern: "^a\0".into(), options: String::new() }};
        for body in [key, regex.clone(), doc! {"nested": {"k": [regex]}}] {
            let e = encode(1, 0, &Message::Msg(OpMsg::new(body.clone()))).unwrap_err();
            assert!(matches!(e, WireError::Encode(_)), "{body:?}: {e}");
        }
        let seq = Message::Msg(OpMsg {
            flags: 0,
            body: doc! {"insert": "c"},
            sequences: vec![DocumentSequence {
                identifier: "docu\0ments".into(),
                documents: vec![],
            }],
        });
        assert!(encode(1, 0, &seq)
            .unwrap_err()
            .to_string()
            .contains("sequence identifier"));
        let query = Message::Query(OpQuery {
            flags: 0,
            full_collection_name: "admin\0.$cmd".into(),
            number_to_skip: 0,
            number_to_return: -1,
            query: doc! {"isMaster": 1},
            return_fields_selector: None,
        });
        assert!(encode(1, 0, &query)
            .unwrap_err()
            .to_string()
            .contains("collection name"));
    }
}
