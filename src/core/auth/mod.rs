//! Authentication, pure: the SCRAM-SHA-1 / SCRAM-SHA-256 client conversation of the MongoDB
//! authentication specification, mechanism negotiation (`saslSupportedMechs`), and the command
//! documents (`saslStart`, `saslContinue`, `speculativeAuthenticate`), and MONGODB-X509's single
//! `authenticate` command ([`x509`]).
//!
//! Nothing here touches a socket or a random source: the client nonce is an argument. The
//! async caller (`net::auth`) draws it from the OS rng and moves the documents over a connection.
//! Errors name the user, the database and the mechanism, never the password.

pub mod scram;
pub mod x509;

pub use scram::{
    choose_mechanism, AuthContext, KeyCache, ScramClient, ScramClientFinal, ScramConversation,
    ScramMechanism, MIN_ITERATIONS,
};
