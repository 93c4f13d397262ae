//! The lab's authentication, pure: users given with `--auth USER:PASSWORD` stored the way mongod
//! stores them (per mechanism: salt, iteration count, StoredKey, ServerKey — never the password),
//! the server side of SCRAM-SHA-1 / SCRAM-SHA-256 over `saslStart` / `saslContinue` and the
//! hello's `speculativeAuthenticate`, `saslSupportedMechs`, MONGODB-X509 (`authenticate` on
//! `$external`, speculative too) for the `$external` users named by client certificates' subject
//! DNs, `connectionStatus`, and the gate that answers Unauthorized (13) to commands sent before
//! authenticating.
//!
//! Like mongod with a keyFile, the lab has an internal `__system` user on `local` whose key is
//! random and never printed: the lab's own routers authenticate to its members with it.
//!
//! Random values (salts, server nonces) are arguments; the tokio server draws them.

use std::sync::Arc;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use bson::spec::BinarySubtype;
use bson::{doc, Binary, Bson, Document};

use crate::core::auth::scram::{
    derive_keys, parse_attributes, payload_of, unescape_username, valid_nonce, ScramMechanism,
};
use crate::core::error::{Error, Result};

/// Where the lab's users live (mongod's `--auth` users are usually created in `admin`).
pub const USER_DB: &str = "admin";
/// mongod's default iteration counts (scramIterationCount / scramSHA256IterationCount).
pub const SHA1_ITERATIONS: u32 = 10_000;
pub const SHA256_ITERATIONS: u32 = 15_000;

/// Commands a connection may run before it authenticates (as mongod allows them).
const ALLOWED_UNAUTHENTICATED: &[&str] = &[
    "hello",
    "isMaster",
    "ismaster",
    "ping",
    "buildInfo",
    "buildinfo",
    "saslStart",
    "saslContinue",
    "authenticate",
    "endSessions",
];

/// The internal user (mongod's keyFile user).
pub const INTERNAL_USER: &str = "__system";
/// The internal user's database.
pub const INTERNAL_DB: &str = "local";
/// The database of X.509 users.
pub const EXTERNAL_DB: &str = "$external";

/// One mechanism's stored secret.
#[derive(Clone, PartialEq, Eq)]
pub struct ScramSecret {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub stored_key: Vec<u8>,
    pub server_key: Vec<u8>,
}

impl std::fmt::Debug for ScramSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScramSecret")
            .field("iterations", &self.iterations)
            .finish_non_exhaustive()
    }
}

impl ScramSecret {
    /// Derives the stored secret from a password (prepared per mechanism, as a client would).
    pub fn derive(
        mech: ScramMechanism,
        user: &str,
        password: &str,
        salt: Vec<u8>,
        iterations: u32,
    ) -> Result<ScramSecret> {
        let prepared = mech.prepare_password(user, password)?;
        let salted = mech.salted_password(&prepared, &salt, iterations);
        let (_, stored_key, server_key) = derive_keys(mech, &salted);
        Ok(ScramSecret {
            salt,
            iterations,
            stored_key,
            server_key,
        })
    }
}

/// A user of the lab.
#[derive(Debug, Clone)]
pub struct LabUser {
    pub name: String,
    pub db: String,
    pub sha1: ScramSecret,
    pub sha256: ScramSecret,
}

/// A `--auth USER:PASSWORD` argument; its `Debug` hides the password.
#[derive(Clone)]
pub struct UserSpec {
    pub user: String,
    pub password: String,
}

impl std::fmt::Debug for UserSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "UserSpec({}:****)", self.user)
    }
}

impl std::str::FromStr for UserSpec {
    type Err = Error;
    fn from_str(s: &str) -> Result<UserSpec> {
        let (user, password) = parse_user_spec(s)?;
        Ok(UserSpec { user, password })
    }
}

/// Parses `USER:PASSWORD` (the password may contain ':'). Errors never echo the password.
pub fn parse_user_spec(spec: &str) -> Result<(String, String)> {
    match spec.split_once(':') {
        Some((u, p)) if !u.is_empty() && !p.is_empty() => Ok((u.to_string(), p.to_string())),
        _ => Err(Error::invalid(
            "--auth expects USER:PASSWORD with a non-empty user and password",
        )),
    }
}

/// The lab's users.
#[derive(Debug, Clone, Default)]
pub struct AuthStore {
    users: Vec<LabUser>,
    /// `$external` users (subject DNs, RFC 2253) that MONGODB-X509 may authenticate as.
    external: Vec<String>,
    /// The internal user's key (random), if the store has one.
    internal_key: Option<InternalKey>,
}

/// The internal user's password; its `Debug` hides it.
#[derive(Clone)]
struct InternalKey(String);

impl std::fmt::Debug for InternalKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InternalKey(****)")
    }
}

impl AuthStore {
    /// Creates users from `(user, password)` pairs; `salt` yields 16 random bytes per call.
    pub fn new(
        users: &[(String, String)],
        mut salt: impl FnMut() -> [u8; 16],
    ) -> Result<AuthStore> {
        let mut out = Vec::new();
        for (name, password) in users {
            out.push(LabUser {
                name: name.clone(),
                db: USER_DB.to_string(),
                sha1: ScramSecret::derive(
                    ScramMechanism::Sha1,
                    name,
                    password,
                    salt().to_vec(),
                    SHA1_ITERATIONS,
                )?,
                sha256: ScramSecret::derive(
                    ScramMechanism::Sha256,
                    name,
                    password,
                    salt().to_vec(),
                    SHA256_ITERATIONS,
                )?,
            });
        }
        Ok(AuthStore {
            users: out,
            external: Vec::new(),
            internal_key: None,
        })
    }

    /// Adds the internal `__system` user on `local` with a random key made from `salt`'s bytes
    /// (the lab's routers authenticate with [`AuthStore::internal_credential`]).
    pub fn with_internal_user(mut self, mut salt: impl FnMut() -> [u8; 16]) -> Result<AuthStore> {
        let mut key_bytes = salt().to_vec();
        key_bytes.extend_from_slice(&salt());
        let key = B64.encode(key_bytes);
        self.users
            .retain(|u| u.name != INTERNAL_USER || u.db != INTERNAL_DB);
        self.users.push(LabUser {
            name: INTERNAL_USER.to_string(),
            db: INTERNAL_DB.to_string(),
            sha1: ScramSecret::derive(
                ScramMechanism::Sha1,
                INTERNAL_USER,
                &key,
                salt().to_vec(),
                SHA1_ITERATIONS,
            )?,
            sha256: ScramSecret::derive(
                ScramMechanism::Sha256,
                INTERNAL_USER,
                &key,
                salt().to_vec(),
                SHA256_ITERATIONS,
            )?,
        });
        self.internal_key = Some(InternalKey(key));
        Ok(self)
    }

    /// The credential of the internal user, if the store has one.
    pub fn internal_credential(&self) -> Option<crate::core::uri::Credential> {
        let key = self.internal_key.as_ref()?;
        Some(crate::core::uri::Credential {
            username: Some(INTERNAL_USER.to_string()),
            password: Some(key.0.clone()),
            source: Some(INTERNAL_DB.to_string()),
            mechanism: Some(ScramMechanism::Sha256.name().to_string()),
            ..Default::default()
        })
    }

    /// Adds an `$external` user named by a certificate subject DN (RFC 2253), for MONGODB-X509.
    pub fn add_external_user(&mut self, subject: &str) {
        if !self.external.iter().any(|u| u == subject) {
            self.external.push(subject.to_string());
        }
    }

    /// The `$external` users.
    pub fn external_users(&self) -> &[String] {
        &self.external
    }

    /// Creates users from `--auth` arguments; `salt` as in [`AuthStore::new`].
    pub fn from_specs(specs: &[UserSpec], salt: impl FnMut() -> [u8; 16]) -> Result<AuthStore> {
        let pairs: Vec<(String, String)> = specs
            .iter()
            .map(|s| (s.user.clone(), s.password.clone()))
            .collect();
        AuthStore::new(&pairs, salt)
    }

    /// True when the store has users (the lab then requires authentication).
    pub fn enabled(&self) -> bool {
        !self.users.is_empty() || !self.external.is_empty()
    }

    fn find(&self, db: &str, name: &str) -> Option<&LabUser> {
        self.users.iter().find(|u| u.db == db && u.name == name)
    }

    /// `saslSupportedMechs` for `"db.user"`; `None` for an unknown user (mongod omits the field).
    pub fn supported_mechs(&self, query: &str) -> Option<Vec<&'static str>> {
        let (db, user) = query.split_once('.')?;
        self.find(db, user)
            .map(|_| vec!["SCRAM-SHA-1", "SCRAM-SHA-256"])
    }
}

/// Where a server conversation stands.
#[derive(Debug, Clone)]
enum Step {
    /// Sent server-first; expects client-final.
    SentFirst {
        mech: ScramMechanism,
        user: String,
        db: String,
        auth_prefix: String,
        nonce: String,
        skip_empty: bool,
    },
    /// Sent server-final without done (no skipEmptyExchange); expects the empty message.
    SentFinal { user: String, db: String },
}

/// One connection's authentication state.
#[derive(Debug)]
pub struct ConnAuth {
    store: Arc<AuthStore>,
    conversation: Option<(i32, Step)>,
    next_id: i32,
    /// `(user, db)` once authenticated.
    authenticated: Option<(String, String)>,
    /// The subject DN of the verified client certificate the connection presented.
    peer_subject: Option<String>,
}

/// What to do with a command.
#[derive(Debug, Clone, PartialEq)]
pub enum Gate {
    /// Answer with this reply (an auth command, or Unauthorized).
    Reply(Document),
    /// Pass the command on; merge these fields into an ok reply (hello's auth fields).
    Pass(Option<Document>),
}

fn auth_failed() -> Document {
    doc! {"ok": 0.0, "errmsg": "Authentication failed.", "code": 18, "codeName": "AuthenticationFailed"}
}

fn bad_value(msg: &str) -> Document {
    doc! {"ok": 0.0, "errmsg": msg, "code": 2, "codeName": "BadValue"}
}

fn binary(bytes: &[u8]) -> Bson {
    Bson::Binary(Binary {
        subtype: BinarySubtype::Generic,
        bytes: bytes.to_vec(),
    })
}

impl ConnAuth {
    /// A fresh, unauthenticated connection.
    pub fn new(store: Arc<AuthStore>) -> ConnAuth {
        ConnAuth {
            store,
            conversation: None,
            next_id: 1,
            authenticated: None,
            peer_subject: None,
        }
    }

    /// A fresh connection that presented a verified client certificate with this subject DN.
    pub fn with_peer(store: Arc<AuthStore>, peer_subject: Option<String>) -> ConnAuth {
        ConnAuth {
            peer_subject,
            ..ConnAuth::new(store)
        }
    }

    /// `(user, db)` once authenticated.
    pub fn authenticated(&self) -> Option<(&str, &str)> {
        self.authenticated
            .as_ref()
            .map(|(u, d)| (u.as_str(), d.as_str()))
    }

    /// Decides what happens to `command` sent to `db`. `nonce` is fresh randomness for a
    /// server nonce (printable, no comma), used only when a conversation starts.
    pub fn gate(&mut self, db: &str, command: &Document, nonce: &str) -> Gate {
        let name = command.keys().next().map(String::as_str).unwrap_or("");
        match name {
            "saslStart" => Gate::Reply(self.sasl_start(db, command, nonce)),
            "saslContinue" => Gate::Reply(self.sasl_continue(command)),
            "authenticate" => Gate::Reply(self.authenticate_x509(db, command)),
            "connectionStatus" => Gate::Reply(self.connection_status()),
            "hello" | "isMaster" | "ismaster" => {
                let mut extra = Document::new();
                if let Ok(q) = command.get_str("saslSupportedMechs") {
                    if let Some(m) = self.store.supported_mechs(q) {
                        extra.insert("saslSupportedMechs", m);
                    }
                }
                if let Ok(spec) = command.get_document("speculativeAuthenticate") {
                    let x509 = spec.contains_key("authenticate");
                    let default_db = if x509 { EXTERNAL_DB } else { USER_DB };
                    let sdb = spec.get_str("db").unwrap_or(default_db).to_string();
                    let reply = if x509 {
                        self.authenticate_x509(&sdb, spec)
                    } else {
                        self.sasl_start(&sdb, spec, nonce)
                    };
                    // A failed speculative attempt is simply left out of the hello reply.
                    if reply.get_f64("ok").unwrap_or(0.0) == 1.0 {
                        let mut reply = reply;
                        reply.remove("ok");
                        extra.insert("speculativeAuthenticate", reply);
                    }
                }
                Gate::Pass((!extra.is_empty()).then_some(extra))
            }
            _ if self.authenticated.is_some() || ALLOWED_UNAUTHENTICATED.contains(&name) => {
                Gate::Pass(None)
            }
            _ => Gate::Reply(doc! {
                "ok": 0.0,
                "errmsg": format!("command {name} requires authentication"),
                "code": 13,
                "codeName": "Unauthorized",
            }),
        }
    }

    /// MONGODB-X509: the user is the verified client certificate's subject, which must be an
    /// `$external` user (and match `user` when the command names one). Failures are
    /// AuthenticationFailed (18), as mongod answers them.
    fn authenticate_x509(&mut self, db: &str, command: &Document) -> Document {
        let mechanism = command.get_str("mechanism").unwrap_or("(none)");
        if mechanism != "MONGODB-X509" {
            return doc! {
                "ok": 0.0,
                "errmsg": format!("Unsupported mechanism {mechanism} for the authenticate command (use MONGODB-X509, or saslStart for SCRAM)"),
                "code": 334,
                "codeName": "MechanismUnavailable",
            };
        }
        let failed = |why: &str| {
            doc! {"ok": 0.0, "errmsg": format!("Authentication failed: {why}"), "code": 18, "codeName": "AuthenticationFailed"}
        };
        if db != EXTERNAL_DB {
            return failed("X.509 authentication must always use the $external database");
        }
        let Some(subject) = self.peer_subject.clone() else {
            return failed("the connection presented no verified client certificate");
        };
        if let Ok(user) = command.get_str("user") {
            if user != subject {
                return auth_failed();
            }
        }
        if !self.store.external.contains(&subject) {
            return auth_failed();
        }
        self.conversation = None;
        self.authenticated = Some((subject.clone(), EXTERNAL_DB.to_string()));
        doc! {"dbname": EXTERNAL_DB, "user": subject, "ok": 1.0}
    }

    /// connectionStatus: who the connection is authenticated as (the lab grants `root`).
    fn connection_status(&self) -> Document {
        let (users, roles) = match &self.authenticated {
            Some((user, db)) => (
                vec![Bson::Document(
                    doc! {"user": user.clone(), "db": db.clone()},
                )],
                vec![Bson::Document(doc! {"role": "root", "db": "admin"})],
            ),
            None => (Vec::new(), Vec::new()),
        };
        doc! {
            "authInfo": {"authenticatedUsers": users, "authenticatedUserRoles": roles},
            "ok": 1.0,
        }
    }

    fn sasl_start(&mut self, db: &str, command: &Document, nonce: &str) -> Document {
        let mech = match command
            .get_str("mechanism")
            .ok()
            .and_then(ScramMechanism::from_name)
        {
            Some(m) => m,
            None => {
                let m = command.get_str("mechanism").unwrap_or("(none)");
                return doc! {
                    "ok": 0.0,
                    "errmsg": format!("Received authentication for mechanism {m} which is not enabled"),
                    "code": 334,
                    "codeName": "MechanismUnavailable",
                };
            }
        };
        let Some(payload) = payload_of(command) else {
            return bad_value("saslStart needs a payload");
        };
        let Ok(first) = String::from_utf8(payload) else {
            return bad_value("the SCRAM client-first message is not UTF-8");
        };
        // gs2 header: no channel binding ("n") or "client supports, server does not" ("y").
        let bare = match first
            .strip_prefix("n,,")
            .or_else(|| first.strip_prefix("y,,"))
        {
            Some(b) => b,
            None => return bad_value("unsupported SCRAM gs2 header (channel binding or authzid)"),
        };
        let Some(attrs) = parse_attributes(bare) else {
            return bad_value("malformed SCRAM client-first message");
        };
        let (user, client_nonce) = match (attrs.first(), attrs.get(1)) {
            (Some(('n', u)), Some(('r', r))) if valid_nonce(r) => match unescape_username(u) {
                Some(u) => (u, *r),
                None => return bad_value("malformed SCRAM username"),
            },
            _ => return bad_value("malformed SCRAM client-first message"),
        };
        let Some(u) = self.store.find(db, &user) else {
            return auth_failed();
        };
        let secret = match mech {
            ScramMechanism::Sha1 => &u.sha1,
            ScramMechanism::Sha256 => &u.sha256,
        };
        let combined = format!("{client_nonce}{nonce}");
        let server_first = format!(
            "r={combined},s={},i={}",
            B64.encode(&secret.salt),
            secret.iterations
        );
        let skip_empty = command
            .get_document("options")
            .ok()
            .and_then(|o| o.get_bool("skipEmptyExchange").ok())
            .unwrap_or(false);
        let id = self.next_id;
        self.next_id += 1;
        self.conversation = Some((
            id,
            Step::SentFirst {
                mech,
                user,
                db: db.to_string(),
                auth_prefix: format!("{bare},{server_first}"),
                nonce: combined,
                skip_empty,
            },
        ));
        doc! {"conversationId": id, "done": false, "payload": binary(server_first.as_bytes()), "ok": 1.0}
    }

    fn sasl_continue(&mut self, command: &Document) -> Document {
        let id = match command.get("conversationId") {
            Some(Bson::Int32(v)) => *v,
            Some(Bson::Int64(v)) => *v as i32,
            Some(Bson::Double(v)) => *v as i32,
            _ => return bad_value("saslContinue needs a conversationId"),
        };
        let Some((cid, step)) = self.conversation.take() else {
            return doc! {"ok": 0.0, "errmsg": "No SASL session state found", "code": 17, "codeName": "ProtocolError"};
        };
        if cid != id {
            return doc! {"ok": 0.0, "errmsg": "Mismatched conversation id", "code": 17, "codeName": "ProtocolError"};
        }
        let payload = payload_of(command).unwrap_or_default();
        match step {
            Step::SentFirst {
                mech,
                user,
                db,
                auth_prefix,
                nonce,
                skip_empty,
            } => {
                let Some(u) = self.store.find(&db, &user) else {
                    return auth_failed();
                };
                let secret = match mech {
                    ScramMechanism::Sha1 => &u.sha1,
                    ScramMechanism::Sha256 => &u.sha256,
                };
                let Ok(fin) = String::from_utf8(payload) else {
                    return auth_failed();
                };
                let Some((without_proof, proof)) = fin.rsplit_once(",p=") else {
                    return auth_failed();
                };
                let Some(attrs) = parse_attributes(without_proof) else {
                    return auth_failed();
                };
                let channel_ok = matches!(attrs.first(), Some(('c', "biws")) | Some(('c', "eSws")));
                let nonce_ok = matches!(attrs.get(1), Some(('r', r)) if *r == nonce);
                let Ok(proof) = B64.decode(proof) else {
                    return auth_failed();
                };
                if !channel_ok || !nonce_ok || proof.len() != secret.stored_key.len() {
                    return auth_failed();
                }
                let auth_message = format!("{auth_prefix},{without_proof}");
                let client_signature = mech.hmac(&secret.stored_key, auth_message.as_bytes());
                let client_key: Vec<u8> = proof
                    .iter()
                    .zip(&client_signature)
                    .map(|(a, b)| a ^ b)
                    .collect();
                if mech.hash(&client_key) != secret.stored_key {
                    return auth_failed();
                }
                let server_signature = mech.hmac(&secret.server_key, auth_message.as_bytes());
                let server_final = format!("v={}", B64.encode(server_signature));
                if skip_empty {
                    self.authenticated = Some((user, db));
                    doc! {"conversationId": id, "done": true, "payload": binary(server_final.as_bytes()), "ok": 1.0}
                } else {
                    self.conversation = Some((id, Step::SentFinal { user, db }));
                    doc! {"conversationId": id, "done": false, "payload": binary(server_final.as_bytes()), "ok": 1.0}
                }
            }
            Step::SentFinal { user, db } => {
                self.authenticated = Some((user, db));
                doc! {"conversationId": id, "done": true, "payload": binary(b""), "ok": 1.0}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::auth::scram::ScramConversation;
    use crate::core::uri::Credential;

    fn store() -> Arc<AuthStore> {
        let mut n = 0u8;
        Arc::new(
            AuthStore::new(&[("alice".into(), "s3cret:pw".into())], || {
                n += 1;
                [n; 16]
            })
            .unwrap(),
        )
    }

    fn cred(password: &str, mech: Option<&str>) -> Credential {
        Credential {
            username: Some("alice".into()),
            password: Some(password.into()),
            source: Some("admin".into()),
            mechanism: mech.map(str::to_string),
            ..Credential::default()
        }
    }

    /// Runs a full client conversation against `server`; returns the client's verdict.
    fn converse(server: &mut ConnAuth, password: &str, mech: ScramMechanism) -> Result<()> {
        let mut client = ScramConversation::start(&cred(password, None), mech, "clientNONCE")?;
        let mut reply = match server.gate("admin", &client.sasl_start(), "SERVERnonce") {
            Gate::Reply(r) => r,
            Gate::Pass(_) => panic!("saslStart must be answered by the auth layer"),
        };
        loop {
            if reply.get_f64("ok").unwrap_or(0.0) != 1.0 {
                return Err(client
                    .context()
                    .error(reply.get_str("errmsg").unwrap_or("")));
            }
            match client.step(&reply)? {
                None => return Ok(()),
                Some(next) => {
                    reply = match server.gate("admin", &next, "unused") {
                        Gate::Reply(r) => r,
                        Gate::Pass(_) => panic!("saslContinue must be answered"),
                    }
                }
            }
        }
    }

    #[test]
    fn right_password_authenticates_with_both_mechanisms() {
        for mech in [ScramMechanism::Sha1, ScramMechanism::Sha256] {
            let mut server = ConnAuth::new(store());
            converse(&mut server, "s3cret:pw", mech).unwrap();
            assert_eq!(server.authenticated(), Some(("alice", "admin")));
            assert_eq!(
                server.gate("test", &doc! {"find": "c"}, "n"),
                Gate::Pass(None)
            );
        }
    }

    #[test]
    fn wrong_password_fails_with_code_18() {
        let mut server = ConnAuth::new(store());
        let e = converse(&mut server, "wrong", ScramMechanism::Sha256).unwrap_err();
        assert!(e.to_string().contains("Authentication failed."), "{e}");
        assert!(server.authenticated().is_none());
    }

    #[test]
    fn unknown_user_and_wrong_db_fail() {
        let mut server = ConnAuth::new(store());
        let client =
            ScramConversation::start(&cred("x", None), ScramMechanism::Sha256, "abc").unwrap();
        match server.gate("test", &client.sasl_start(), "n") {
            Gate::Reply(r) => assert_eq!(r.get_i32("code").unwrap(), 18),
            g => panic!("{g:?}"),
        }
    }

    #[test]
    fn commands_before_authentication_are_unauthorized() {
        let mut server = ConnAuth::new(store());
        match server.gate("test", &doc! {"find": "c"}, "n") {
            Gate::Reply(r) => {
                assert_eq!(r.get_i32("code").unwrap(), 13);
                assert_eq!(r.get_str("codeName").unwrap(), "Unauthorized");
                assert_eq!(
                    r.get_str("errmsg").unwrap(),
                    "command find requires authentication"
                );
            }
            g => panic!("{g:?}"),
        }
        for ok in ["ping", "buildInfo", "endSessions"] {
            assert_eq!(server.gate("admin", &doc! {ok: 1}, "n"), Gate::Pass(None));
        }
    }

    #[test]
    fn hello_reports_mechs_and_answers_speculative_auth() {
        let mut server = ConnAuth::new(store());
        let mut client =
            ScramConversation::start(&cred("s3cret:pw", None), ScramMechanism::Sha256, "cn")
                .unwrap();
        let hello = doc! {
            "hello": 1,
            "saslSupportedMechs": "admin.alice",
            "speculativeAuthenticate": client.speculative(),
        };
        let Gate::Pass(Some(extra)) = server.gate("admin", &hello, "sn") else {
            panic!("hello passes with extra fields");
        };
        let mechs = extra.get_array("saslSupportedMechs").unwrap();
        assert_eq!(mechs.len(), 2);
        let spec = extra.get_document("speculativeAuthenticate").unwrap();
        let next = client.step(spec).unwrap().unwrap();
        let Gate::Reply(reply) = server.gate("admin", &next, "x") else {
            panic!()
        };
        assert!(client.step(&reply).unwrap().is_none());
        assert!(server.authenticated().is_some());
        // Unknown users get no saslSupportedMechs.
        let Gate::Pass(extra) = server.gate(
            "admin",
            &doc! {"hello": 1, "saslSupportedMechs": "admin.bob"},
            "n",
        ) else {
            panic!()
        };
        assert!(extra.is_none());
    }

    #[test]
    fn hostile_sasl_messages_fail_cleanly() {
        let mut server = ConnAuth::new(store());
        for payload in [
            &b""[..],
            b"\xff",
            b"p=tls-unique,,n=alice,r=x",
            b"n,,r=x",
            b"n,,n=alice",
        ] {
            let cmd =
                doc! {"saslStart": 1, "mechanism": "SCRAM-SHA-256", "payload": binary(payload)};
            let Gate::Reply(r) = server.gate("admin", &cmd, "n") else {
                panic!()
            };
            assert_eq!(r.get_f64("ok").unwrap(), 0.0, "{payload:?}");
        }
        let Gate::Reply(r) = server.gate(
            "admin",
            &doc! {"saslContinue": 1, "conversationId": 9, "payload": binary(b"c=biws")},
            "n",
        ) else {
            panic!()
        };
        assert_eq!(r.get_f64("ok").unwrap(), 0.0);
        let Gate::Reply(r) = server.gate(
            "admin",
            &doc! {"saslStart": 1, "mechanism": "PLAIN", "payload": binary(b"x")},
            "n",
        ) else {
            panic!()
        };
        assert_eq!(r.get_i32("code").unwrap(), 334);
    }

    fn x509_store() -> Arc<AuthStore> {
        let mut s = AuthStore::new(&[], || [1; 16]).unwrap();
        s.add_external_user("CN=client,O=lab");
        s.add_external_user("CN=client,O=lab");
        assert_eq!(s.external_users().len(), 1);
        assert!(s.enabled());
        Arc::new(s)
    }

    fn x509_cmd(user: Option<&str>) -> Document {
        let mut cmd = doc! {"authenticate": 1, "mechanism": "MONGODB-X509"};
        if let Some(u) = user {
            cmd.insert("user", u);
        }
        cmd
    }

    fn code_of(g: Gate) -> i32 {
        match g {
            Gate::Reply(r) => r.get_i32("code").unwrap_or(0),
            g => panic!("{g:?}"),
        }
    }

    #[test]
    fn x509_authenticates_the_certificate_subject_only() {
        let peer = Some("CN=client,O=lab".to_string());
        // Explicit and implicit user.
        for user in [None, Some("CN=client,O=lab")] {
            let mut server = ConnAuth::with_peer(x509_store(), peer.clone());
            let Gate::Reply(r) = server.gate("$external", &x509_cmd(user), "n") else {
                panic!()
            };
            assert_eq!(r.get_str("user").unwrap(), "CN=client,O=lab");
            assert_eq!(r.get_str("dbname").unwrap(), "$external");
            assert_eq!(
                server.authenticated(),
                Some(("CN=client,O=lab", "$external"))
            );
            let Gate::Reply(status) = server.gate("admin", &doc! {"connectionStatus": 1}, "n")
            else {
                panic!()
            };
            let users = status
                .get_document("authInfo")
                .unwrap()
                .get_array("authenticatedUsers")
                .unwrap();
            assert_eq!(users.len(), 1);
        }
        // Another user named, wrong database, no certificate, unknown subject, other mechanism.
        let mut server = ConnAuth::with_peer(x509_store(), peer.clone());
        assert_eq!(
            code_of(server.gate("$external", &x509_cmd(Some("CN=x")), "n")),
            18
        );
        assert_eq!(code_of(server.gate("admin", &x509_cmd(None), "n")), 18);
        let mut anonymous = ConnAuth::with_peer(x509_store(), None);
        assert_eq!(
            code_of(anonymous.gate("$external", &x509_cmd(None), "n")),
            18
        );
        let mut stranger = ConnAuth::with_peer(x509_store(), Some("CN=stranger".into()));
        assert_eq!(
            code_of(stranger.gate("$external", &x509_cmd(None), "n")),
            18
        );
        let plain = doc! {"authenticate": 1, "mechanism": "PLAIN"};
        assert_eq!(code_of(server.gate("$external", &plain, "n")), 334);
        assert!(server.authenticated().is_none());
        assert!(stranger.authenticated().is_none());
    }

    #[test]
    fn x509_rides_in_the_hello() {
        let mut server = ConnAuth::with_peer(x509_store(), Some("CN=client,O=lab".into()));
        let hello = doc! {"hello": 1, "speculativeAuthenticate": x509_cmd(None)};
        let Gate::Pass(Some(extra)) = server.gate("admin", &hello, "n") else {
            panic!()
        };
        let spec = extra.get_document("speculativeAuthenticate").unwrap();
        assert_eq!(spec.get_str("user").unwrap(), "CN=client,O=lab");
        assert!(server.authenticated().is_some());
        // A refused speculative attempt is left out.
        let mut stranger = ConnAuth::with_peer(x509_store(), Some("CN=stranger".into()));
        assert_eq!(stranger.gate("admin", &hello, "n"), Gate::Pass(None));
    }

    #[test]
    fn internal_user_authenticates_and_hides_its_key() {
        let s = AuthStore::new(&[], || [9; 16])
            .unwrap()
            .with_internal_user(|| [5; 16])
            .unwrap();
        let cred = s.internal_credential().unwrap();
        assert_eq!(cred.username.as_deref(), Some(INTERNAL_USER));
        assert_eq!(cred.source.as_deref(), Some(INTERNAL_DB));
        let key = cred.password.clone().unwrap();
        assert!(!format!("{s:?}").contains(&key));
        let mut server = ConnAuth::new(Arc::new(s));
        let mut client =
            ScramConversation::start(&cred, ScramMechanism::Sha256, "clientNONCE").unwrap();
        let Gate::Reply(mut reply) = server.gate(INTERNAL_DB, &client.sasl_start(), "SRV") else {
            panic!()
        };
        while let Some(next) = client.step(&reply).unwrap() {
            let Gate::Reply(r) = server.gate(INTERNAL_DB, &next, "x") else {
                panic!()
            };
            reply = r;
        }
        assert_eq!(server.authenticated(), Some((INTERNAL_USER, INTERNAL_DB)));
    }

    #[test]
    fn user_spec_parsing_never_echoes_the_password() {
        assert_eq!(
            parse_user_spec("bob:pa:ss").unwrap(),
            ("bob".to_string(), "pa:ss".to_string())
        );
        let e = parse_user_spec(":hunter2").unwrap_err().to_string();
        assert!(!e.contains("hunter2"));
        assert!(parse_user_spec("bob").is_err());
        assert!(parse_user_spec("bob:").is_err());
    }

    #[test]
    fn stored_secrets_do_not_contain_the_password() {
        let s = store();
        let u = &s.users[0];
        assert_ne!(u.sha1.salt, u.sha256.salt);
        assert_eq!(u.sha1.stored_key.len(), 20);
        assert_eq!(u.sha256.stored_key.len(), 32);
        assert!(!format!("{s:?}").contains("s3cret"));
    }
}
