//! SCRAM (RFC 5802, RFC 7677) as MongoDB uses it: the client's messages and checks, the
//! key derivations the lab's server side shares, and a small state machine
//! ([`ScramConversation`]) that turns server replies into the next command document.
//!
//! MongoDB specifics (auth specification): SCRAM-SHA-1 hashes the hex MD5 digest of
//! `"user:mongo:password"` instead of the password; SCRAM-SHA-256 hashes the SASLprep'ed
//! password; no channel binding (`n,,`); an iteration count below 4096 is refused; the server's
//! signature must be verified; `saslStart` asks for `skipEmptyExchange`.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document};
use hmac::{Hmac, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::core::error::{Error, Result};
use crate::core::uri::Credential;

/// The smallest iteration count a client accepts (auth specification).
pub const MIN_ITERATIONS: u32 = 4096;

/// The SCRAM variants MongoDB speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScramMechanism {
    /// SCRAM-SHA-1 (password: hex MD5 of `user:mongo:password`).
    Sha1,
    /// SCRAM-SHA-256 (password: SASLprep'ed).
    Sha256,
}

impl ScramMechanism {
    /// The mechanism's name on the wire.
    pub fn name(self) -> &'static str {
        match self {
            ScramMechanism::Sha1 => "SCRAM-SHA-1",
            ScramMechanism::Sha256 => "SCRAM-SHA-256",
        }
    }

    /// Parses a mechanism name (case-insensitive).
    pub fn from_name(name: &str) -> Option<ScramMechanism> {
        if name.eq_ignore_ascii_case("SCRAM-SHA-1") {
            Some(ScramMechanism::Sha1)
        } else if name.eq_ignore_ascii_case("SCRAM-SHA-256") {
            Some(ScramMechanism::Sha256)
        } else {
            None
        }
    }

    /// H(data).
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            ScramMechanism::Sha1 => Sha1::digest(data).to_vec(),
            ScramMechanism::Sha256 => Sha256::digest(data).to_vec(),
        }
    }

    /// HMAC(key, data).
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        // HMAC takes keys of any length, so `new_from_slice` cannot fail; map it anyway.
        match self {
            ScramMechanism::Sha1 => match Hmac::<Sha1>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            },
            ScramMechanism::Sha256 => match Hmac::<Sha256>::new_from_slice(key) {
                Ok(mut m) => {
                    m.update(data);
                    m.finalize().into_bytes().to_vec()
                }
                Err(_) => Vec::new(),
            },
        }
    }

    /// SaltedPassword = Hi(password, salt, i) (PBKDF2 with this mechanism's HMAC).
    pub fn salted_password(self, password: &[u8], salt: &[u8], iterations: u32) -> Vec<u8> {
        match self {
            ScramMechanism::Sha1 => {
                let mut out = [0u8; 20];
                pbkdf2::pbkdf2_hmac::<Sha1>(password, salt, iterations, &mut out);
                out.to_vec()
            }
            ScramMechanism::Sha256 => {
                let mut out = [0u8; 32];
                pbkdf2::pbkdf2_hmac::<Sha256>(password, salt, iterations, &mut out);
                out.to_vec()
            }
        }
    }

    /// The bytes SCRAM hashes for `password`, as MongoDB defines them for this mechanism.
    /// Fails (naming only the user) when SASLprep rejects the password.
    pub fn prepare_password(self, username: &str, password: &str) -> Result<Vec<u8>> {
        match self {
            ScramMechanism::Sha1 => {
                let digest = md5::Md5::digest(format!("{username}:mongo:{password}").as_bytes());
                Ok(hex(&digest).into_bytes())
            }
            ScramMechanism::Sha256 => match stringprep::saslprep(password) {
                Ok(p) => Ok(p.into_owned().into_bytes()),
                Err(_) => Err(Error::Authentication {
                    message: format!(
                        "the password of user {username} is not allowed by SASLprep (RFC 4013) for SCRAM-SHA-256"
                    ),
                }),
            },
        }
    }
}

impl std::fmt::Display for ScramMechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn xor(a: &[u8], b: &[u8]) -> Vec<u8> {
    a.iter().zip(b).map(|(x, y)| x ^ y).collect()
}

/// ClientKey, StoredKey and ServerKey from a salted password.
pub fn derive_keys(mech: ScramMechanism, salted: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let client_key = mech.hmac(salted, b"Client Key");
    let stored_key = mech.hash(&client_key);
    let server_key = mech.hmac(salted, b"Server Key");
    (client_key, stored_key, server_key)
}

/// `saslname` escaping of RFC 5802: `=` becomes `=3D`, `,` becomes `=2C`.
pub fn escape_username(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

/// The reverse of [`escape_username`]; `None` on a malformed escape.
pub fn unescape_username(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(i) = rest.find('=') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("=3D") {
            out.push('=');
        } else if tail.starts_with("=2C") {
            out.push(',');
        } else {
            return None;
        }
        rest = &tail[3..];
    }
    out.push_str(rest);
    Some(out)
}

/// Splits `a=v,b=w` into attributes; values may contain `=`.
pub fn parse_attributes(msg: &str) -> Option<Vec<(char, &str)>> {
    msg.split(',')
        .map(|part| {
            let mut chars = part.chars();
            let key = chars.next()?;
            let rest = chars.as_str().strip_prefix('=')?;
            key.is_ascii_alphabetic().then_some((key, rest))
        })
        .collect()
}

fn attribute<'a>(attrs: &[(char, &'a str)], key: char) -> Option<&'a str> {
    attrs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// A valid nonce: printable ASCII without `,` (RFC 5802), not empty.
pub fn valid_nonce(nonce: &str) -> bool {
    !nonce.is_empty()
        && nonce
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b',')
}

/// Who is authenticating, for error messages (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthContext {
    pub username: String,
    pub source: String,
    pub mechanism: ScramMechanism,
}

impl AuthContext {
    /// An [`Error::Authentication`] that names user, database and mechanism.
    pub fn error(&self, what: impl std::fmt::Display) -> Error {
        Error::Authentication {
            message: format!(
                "user {} on database {} with {}: {what}",
                self.username, self.source, self.mechanism
            ),
        }
    }
}

/// A small cache of derived keys, as the auth specification lets drivers keep them: keyed by
/// mechanism, a hash of the prepared password, salt and iteration count (the password itself is
/// not stored). Holds at most [`KeyCache::CAPACITY`] entries, oldest evicted first.
#[derive(Default)]
pub struct KeyCache {
    entries: Vec<(CacheKey, Keys)>,
}

type CacheKey = (ScramMechanism, Vec<u8>, Vec<u8>, u32);
type Keys = (Vec<u8>, Vec<u8>, Vec<u8>);

impl std::fmt::Debug for KeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "KeyCache({} entries)", self.entries.len())
    }
}

impl KeyCache {
    /// How many derived key sets are kept.
    pub const CAPACITY: usize = 16;

    /// An empty cache (usable in a `static`).
    pub const fn new() -> KeyCache {
        KeyCache {
            entries: Vec::new(),
        }
    }

    /// Entries held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// (ClientKey, StoredKey, ServerKey) for these inputs, computed once.
    pub fn keys(
        &mut self,
        mech: ScramMechanism,
        password: &[u8],
        salt: &[u8],
        iterations: u32,
    ) -> Keys {
        let key = (
            mech,
            Sha256::digest(password).to_vec(),
            salt.to_vec(),
            iterations,
        );
        if let Some((_, keys)) = self.entries.iter().find(|(k, _)| *k == key) {
            return keys.clone();
        }
        let salted = mech.salted_password(password, salt, iterations);
        let keys = derive_keys(mech, &salted);
        if self.entries.len() >= Self::CAPACITY {
            self.entries.remove(0);
        }
        self.entries.push((key, keys.clone()));
        keys
    }
}

/// The client before the server's first message: it has sent `client-first-message`.
pub struct ScramClient {
    ctx: AuthContext,
    /// The prepared password bytes (see [`ScramMechanism::prepare_password`]).
    password: Vec<u8>,
    nonce: String,
    /// `n=user,r=nonce`.
    first_bare: String,
    /// The smallest iteration count accepted (4096 unless a test lowers it).
    min_iterations: u32,
}

impl std::fmt::Debug for ScramClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClient")
            .field("ctx", &self.ctx)
            .field("nonce", &self.nonce)
            .finish_non_exhaustive()
    }
}

impl ScramClient {
    /// A client for `username`/`password` on `source` with `nonce` (printable ASCII, no comma).
    pub fn new(
        mechanism: ScramMechanism,
        username: &str,
        password: &str,
        source: &str,
        nonce: &str,
    ) -> Result<ScramClient> {
        let ctx = AuthContext {
            username: username.to_string(),
            source: source.to_string(),
            mechanism,
        };
        let prepared = mechanism.prepare_password(username, password)?;
        ScramClient::with_prepared_password(ctx, prepared, nonce)
    }

    /// A client whose password bytes are already prepared (the RFC test vectors hash the raw
    /// password, which MongoDB's SCRAM-SHA-1 never does).
    pub fn with_prepared_password(
        ctx: AuthContext,
        password: Vec<u8>,
        nonce: &str,
    ) -> Result<ScramClient> {
        if !valid_nonce(nonce) {
            return Err(ctx.error("the client nonce must be printable ASCII without ','"));
        }
        let first_bare = format!("n={},r={nonce}", escape_username(&ctx.username));
        Ok(ScramClient {
            ctx,
            password,
            nonce: nonce.to_string(),
            first_bare,
            min_iterations: MIN_ITERATIONS,
        })
    }

    /// Lowers the minimum iteration count (only for test vectors that use fewer than 4096).
    pub fn min_iterations(mut self, min: u32) -> Self {
        self.min_iterations = min;
        self
    }

    /// Who is authenticating.
    pub fn context(&self) -> &AuthContext {
        &self.ctx
    }

    /// `client-first-message`: `n,,n=user,r=nonce`.
    pub fn client_first(&self) -> String {
        format!("n,,{}", self.first_bare)
    }

    /// Reads `server-first-message` and computes `client-final-message`.
    pub fn handle_server_first(&self, message: &[u8]) -> Result<ScramClientFinal> {
        self.handle_server_first_cached(message, &mut KeyCache::default())
    }

    /// Like [`ScramClient::handle_server_first`], reusing ClientKey/ServerKey from `cache` when
    /// the same password, salt and iteration count were seen before (PBKDF2 is the costly part).
    pub fn handle_server_first_cached(
        &self,
        message: &[u8],
        cache: &mut KeyCache,
    ) -> Result<ScramClientFinal> {
        let ctx = &self.ctx;
        let msg = std::str::from_utf8(message)
            .map_err(|_| ctx.error("the server's first SCRAM message is not UTF-8"))?;
        let attrs = parse_attributes(msg).ok_or_else(|| {
            ctx.error("the server's first SCRAM message is malformed (expected r=...,s=...,i=...)")
        })?;
        if attrs.first().map(|(k, _)| *k) == Some('m') {
            return Err(ctx
                .error("the server asked for a SCRAM extension (m=) that rsctl does not support"));
        }
        if let Some(e) = attribute(&attrs, 'e') {
            return Err(ctx.error(format!("the server refused: {e}")));
        }
        let server_nonce = attribute(&attrs, 'r')
            .ok_or_else(|| ctx.error("the server's first SCRAM message has no nonce (r=)"))?;
        if !server_nonce.starts_with(&self.nonce)
            || server_nonce.len() <= self.nonce.len()
            || !valid_nonce(server_nonce)
        {
            return Err(ctx.error(
                "the server's nonce does not extend the client's nonce (possible tampering)",
            ));
        }
        let salt = attribute(&attrs, 's')
            .and_then(|s| B64.decode(s).ok())
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ctx.error("the server's first SCRAM message has no valid salt (s=)"))?;
        let iterations: u32 = attribute(&attrs, 'i')
            .and_then(|i| i.parse().ok())
            .ok_or_else(|| {
                ctx.error("the server's first SCRAM message has no valid iteration count (i=)")
            })?;
        if iterations < self.min_iterations {
            return Err(ctx.error(format!(
                "the server's iteration count {iterations} is below the minimum of {}",
                self.min_iterations
            )));
        }
        let mech = ctx.mechanism;
        let (client_key, stored_key, server_key) =
            cache.keys(mech, &self.password, &salt, iterations);
        // c=biws is base64("n,,"): no channel binding, no authzid.
        let without_proof = format!("c=biws,r={server_nonce}");
        let auth_message = format!("{},{msg},{without_proof}", self.first_bare);
        let client_signature = mech.hmac(&stored_key, auth_message.as_bytes());
        let proof = xor(&client_key, &client_signature);
        let server_signature = mech.hmac(&server_key, auth_message.as_bytes());
        Ok(ScramClientFinal {
            ctx: ctx.clone(),
            message: format!("{without_proof},p={}", B64.encode(proof)),
            server_signature,
        })
    }
}

/// The client after it computed `client-final-message`: it checks the server's signature.
pub struct ScramClientFinal {
    ctx: AuthContext,
    message: String,
    server_signature: Vec<u8>,
}

impl std::fmt::Debug for ScramClientFinal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramClientFinal")
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl ScramClientFinal {
    /// `client-final-message`: `c=biws,r=nonce,p=proof`.
    pub fn client_final(&self) -> &str {
        &self.message
    }

    /// Checks `server-final-message` (`v=signature`, or `e=error`).
    pub fn verify_server_final(&self, message: &[u8]) -> Result<()> {
        let ctx = &self.ctx;
        let msg = std::str::from_utf8(message)
            .map_err(|_| ctx.error("the server's final SCRAM message is not UTF-8"))?;
        let attrs = parse_attributes(msg)
            .ok_or_else(|| ctx.error("the server's final SCRAM message is malformed"))?;
        if let Some(e) = attribute(&attrs, 'e') {
            return Err(ctx.error(format!("the server refused: {e}")));
        }
        let v = attribute(&attrs, 'v')
            .and_then(|v| B64.decode(v).ok())
            .ok_or_else(|| ctx.error("the server's final SCRAM message has no signature (v=)"))?;
        if v != self.server_signature {
            return Err(ctx.error(
                "the server's signature does not match (the server does not know this password; possible impostor)",
            ));
        }
        Ok(())
    }
}

/// Picks the mechanism: the credential's own, else SCRAM-SHA-256 when the hello's
/// `saslSupportedMechs` lists it, else SCRAM-SHA-1 (auth specification's negotiation rule).
/// `Err` for a non-SCRAM mechanism (rsctl speaks SCRAM only).
pub fn choose_mechanism(
    credential_mechanism: Option<&str>,
    supported: Option<&[String]>,
) -> Result<ScramMechanism> {
    match credential_mechanism {
        Some(name) => ScramMechanism::from_name(name).ok_or_else(|| Error::Authentication {
            message: format!(
                "authMechanism={name} is not supported by rsctl (it speaks SCRAM-SHA-1, SCRAM-SHA-256 and MONGODB-X509)"
            ),
        }),
        None => {
            let has_256 = supported
                .is_some_and(|list| list.iter().any(|m| m.as_str() == "SCRAM-SHA-256"));
            Ok(if has_256 {
                ScramMechanism::Sha256
            } else {
                ScramMechanism::Sha1
            })
        }
    }
}

/// The `saslSupportedMechs` value a hello asks with: `"<source>.<user>"`.
pub fn sasl_supported_mechs_query(credential: &Credential) -> Option<String> {
    let user = credential.username.as_deref()?;
    let source = credential.source.as_deref().unwrap_or("admin");
    Some(format!("{source}.{user}"))
}

fn binary(bytes: &[u8]) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes: bytes.to_vec(),
    })
}

/// A reply's `payload` (BinData, or a string from lenient servers).
pub fn payload_of(reply: &Document) -> Option<Vec<u8>> {
    match reply.get("payload")? {
        Bson::Binary(b) => Some(b.bytes.clone()),
        Bson::String(s) => Some(s.as_bytes().to_vec()),
        _ => None,
    }
}

enum State {
    First(ScramClient),
    Final(ScramClientFinal),
    Verified,
    Done,
}

/// One SCRAM conversation, from `saslStart` (or `speculativeAuthenticate`) to `done: true`.
/// Feed it each server reply with [`ScramConversation::step`]; it answers with the next command
/// to send (to the database [`ScramConversation::source`]) or `None` when authenticated.
pub struct ScramConversation {
    ctx: AuthContext,
    client_first: String,
    state: State,
}

impl std::fmt::Debug for ScramConversation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramConversation")
            .field("ctx", &self.ctx)
            .finish_non_exhaustive()
    }
}

impl ScramConversation {
    /// Starts a conversation for `credential` (which must have a username and a password).
    pub fn start(
        credential: &Credential,
        mechanism: ScramMechanism,
        nonce: &str,
    ) -> Result<ScramConversation> {
        let source = credential.source.as_deref().unwrap_or("admin");
        let username = credential
            .username
            .as_deref()
            .ok_or_else(|| Error::Authentication {
                message: format!("{mechanism} on database {source} needs a username"),
            })?;
        let ctx = AuthContext {
            username: username.to_string(),
            source: source.to_string(),
            mechanism,
        };
        let password = credential
            .password
            .as_deref()
            .ok_or_else(|| ctx.error("no password was given"))?;
        let client = ScramClient::new(mechanism, username, password, source, nonce)?;
        Ok(ScramConversation::from_client(client))
    }

    /// Wraps a client built by hand (tests with prepared passwords).
    pub fn from_client(client: ScramClient) -> ScramConversation {
        ScramConversation {
            ctx: client.ctx.clone(),
            client_first: client.client_first(),
            state: State::First(client),
        }
    }

    /// Who is authenticating.
    pub fn context(&self) -> &AuthContext {
        &self.ctx
    }

    /// The database the commands go to.
    pub fn source(&self) -> &str {
        &self.ctx.source
    }

    /// True once the server's signature was verified and the server said `done`.
    pub fn is_done(&self) -> bool {
        matches!(self.state, State::Done)
    }

    /// The `saslStart` command.
    pub fn sasl_start(&self) -> Document {
        doc! {
            "saslStart": 1,
            "mechanism": self.ctx.mechanism.name(),
            "payload": binary(self.client_first.as_bytes()),
            "autoAuthorize": 1,
            "options": { "skipEmptyExchange": true },
        }
    }

    /// The hello's `speculativeAuthenticate` value (a `saslStart` with `db`).
    pub fn speculative(&self) -> Document {
        let mut d = self.sasl_start();
        d.remove("autoAuthorize");
        d.insert("db", self.ctx.source.clone());
        d
    }

    /// Feeds one reply (of `saslStart`, `saslContinue`, or the hello's `speculativeAuthenticate`
    /// document); returns the next command, or `None` when the conversation is complete.
    pub fn step(&mut self, reply: &Document) -> Result<Option<Document>> {
        self.step_cached(reply, &mut KeyCache::default())
    }

    /// [`ScramConversation::step`] with a key cache (see [`KeyCache`]).
    pub fn step_cached(
        &mut self,
        reply: &Document,
        cache: &mut KeyCache,
    ) -> Result<Option<Document>> {
        let ctx = self.ctx.clone();
        let conversation_id = reply
            .get("conversationId")
            .cloned()
            .ok_or_else(|| ctx.error("the server's SASL reply has no conversationId"))?;
        let done = reply.get_bool("done").unwrap_or(false);
        let state = std::mem::replace(&mut self.state, State::Done);
        let cont = |payload: &[u8]| {
            doc! {
                "saslContinue": 1,
                "conversationId": conversation_id.clone(),
                "payload": binary(payload),
            }
        };
        match state {
            State::First(client) => {
                let payload = payload_of(reply)
                    .ok_or_else(|| ctx.error("the server's SASL reply has no payload"))?;
                if done {
                    return Err(ctx.error("the server ended the conversation after one step"));
                }
                let fin = client.handle_server_first_cached(&payload, cache)?;
                let next = cont(fin.client_final().as_bytes());
                self.state = State::Final(fin);
                Ok(Some(next))
            }
            State::Final(fin) => {
                let payload = payload_of(reply)
                    .ok_or_else(|| ctx.error("the server's SASL reply has no payload"))?;
                fin.verify_server_final(&payload)?;
                if done {
                    self.state = State::Done;
                    Ok(None)
                } else {
                    self.state = State::Verified;
                    Ok(Some(cont(b"")))
                }
            }
            State::Verified => {
                if done {
                    self.state = State::Done;
                    Ok(None)
                } else {
                    Err(ctx.error("the server did not finish the conversation"))
                }
            }
            State::Done => Err(ctx.error("the conversation is already complete")),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
