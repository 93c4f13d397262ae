//! Authenticating an application connection right after its handshake (auth specification):
//! the hello carries `saslSupportedMechs` (when the mechanism is negotiated) and a
//! `speculativeAuthenticate` saslStart; if the server answered it, the conversation continues
//! from there, otherwise a full `saslStart` / `saslContinue` exchange runs. MONGODB-X509 is one
//! `authenticate` command on `$external` (speculative in the hello too): the TLS client
//! certificate is the proof. Monitoring connections never authenticate.
//!
//! The SCRAM logic is pure (`core::auth`); this module adds the OS rng and the round trips.

use base64::Engine as _;
use bson::Document;
use rand::RngCore as _;

use crate::core::auth::scram::{sasl_supported_mechs_query, ScramConversation, ScramMechanism};
use crate::core::auth::{choose_mechanism, x509, AuthContext, KeyCache};
use crate::core::error::{code_suffix, Error, Result};
use crate::core::uri::Credential;
use crate::net::connection::Connection;

/// A fresh client nonce: 24 bytes from the OS rng, base64 (printable, no comma).
pub fn client_nonce() -> String {
    let mut bytes = [0u8; 24];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What the handshake adds to the hello for `credential`, and the speculative SCRAM conversation
/// it started (SCRAM-SHA-256 when the mechanism is negotiated, as the spec asks; `None` for
/// MONGODB-X509, whose speculative command needs no state).
pub fn prepare(credential: &Credential) -> Result<(Document, Option<ScramConversation>)> {
    let mut fields = Document::new();
    if x509::is_x509(credential) {
        fields.insert(
            "speculativeAuthenticate",
            x509::speculative_command(credential),
        );
        return Ok((fields, None));
    }
    if credential.mechanism.is_none() {
        if let Some(q) = sasl_supported_mechs_query(credential) {
            fields.insert("saslSupportedMechs", q);
        }
    }
    let mechanism = match credential.mechanism.as_deref() {
        None => ScramMechanism::Sha256,
        Some(name) => choose_mechanism(Some(name), None)?,
    };
    let conversation = ScramConversation::start(credential, mechanism, &client_nonce())?;
    fields.insert("speculativeAuthenticate", conversation.speculative());
    Ok((fields, Some(conversation)))
}

/// Maps a failed SASL command to an authentication error naming user, db and mechanism.
fn auth_error(ctx: &AuthContext, e: Error) -> Error {
    match e {
        Error::Command {
            address,
            code,
            message,
            ..
        } => ctx.error(format!("{address}: {message}{}", code_suffix(code, None))),
        other => other,
    }
}

/// Completes authentication after the handshake. `speculative` is the conversation whose first
/// message rode in the hello; `hello` is the handshake reply. `keys` holds the SCRAM keys
/// already derived by the client's connections: PBKDF2 runs once per (password, salt, iteration
/// count), not once per connection.
pub async fn authenticate(
    conn: &mut Connection,
    credential: &Credential,
    speculative: Option<ScramConversation>,
    hello: &Document,
    keys: &std::sync::Mutex<KeyCache>,
) -> Result<()> {
    if x509::is_x509(credential) {
        return authenticate_x509(conn, credential, hello).await;
    }
    let answered = hello.get_document("speculativeAuthenticate").ok();
    let (mut conversation, mut reply) = match (speculative, answered) {
        (Some(conv), Some(first)) => (conv, first.clone()),
        _ => {
            let supported: Option<Vec<String>> =
                hello.get_array("saslSupportedMechs").ok().map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                });
            let mechanism =
                choose_mechanism(credential.mechanism.as_deref(), supported.as_deref())?;
            let conv = ScramConversation::start(credential, mechanism, &client_nonce())?;
            let source = conv.source().to_string();
            let reply = conn
                .run_command(&source, conv.sasl_start())
                .await
                .map_err(|e| auth_error(conv.context(), e))?;
            (conv, reply)
        }
    };
    // Two steps suffice with skipEmptyExchange, three without; more is a misbehaving server.
    for _ in 0..4 {
        // The lock is held for the synchronous step only, never across an await.
        let step = {
            let mut cache = keys.lock().unwrap_or_else(|p| p.into_inner());
            conversation.step_cached(&reply, &mut cache)
        };
        match step? {
            None => return Ok(()),
            Some(next) => {
                let source = conversation.source().to_string();
                reply = conn
                    .run_command(&source, next)
                    .await
                    .map_err(|e| auth_error(conversation.context(), e))?;
            }
        }
    }
    Err(conversation
        .context()
        .error("the server kept the SASL conversation going past its last step"))
}

/// MONGODB-X509: done when the hello answered the speculative command, else one `authenticate`
/// on `$external`.
async fn authenticate_x509(
    conn: &mut Connection,
    credential: &Credential,
    hello: &Document,
) -> Result<()> {
    if hello.get_document("speculativeAuthenticate").is_ok() {
        return Ok(());
    }
    match conn
        .run_command(x509::EXTERNAL, x509::authenticate_command(credential))
        .await
    {
        Ok(_) => Ok(()),
        Err(Error::Command {
            address,
            code,
            message,
            ..
        }) => Err(x509::error(
            credential,
            format!("{address}: {message}{}", code_suffix(code, None)),
        )),
        Err(other) => Err(other),
    }
}
