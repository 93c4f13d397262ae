//! TLS for the lab (`rsctl lab up --tls`): a throwaway certificate authority and a server
//! certificate for `127.0.0.1` and `localhost` signed by it (rcgen), and the rustls acceptor the
//! members use. The CA certificate is written as PEM so clients can pass it as `tlsCAFile`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::error::{Error, Result};

/// A lab's TLS material.
#[derive(Clone)]
pub struct LabTls {
    /// The CA certificate (PEM) clients must trust.
    pub ca_pem: String,
    /// The server side of the handshake.
    pub acceptor: tokio_rustls::TlsAcceptor,
}

impl std::fmt::Debug for LabTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabTls").finish_non_exhaustive()
    }
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("lab TLS: {what}: {e}"))
}

impl LabTls {
    /// Generates a CA and a server certificate for 127.0.0.1 and localhost.
    pub fn generate() -> Result<LabTls> {
        let ca_key = KeyPair::generate().map_err(|e| tls_error("CA key", e))?;
        let mut ca_params =
            CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("CA", e))?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "rsctl lab CA");
        let ca = ca_params
            .self_signed(&ca_key)
            .map_err(|e| tls_error("CA certificate", e))?;
        let key = KeyPair::generate().map_err(|e| tls_error("server key", e))?;
        let mut params = CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
            .map_err(|e| tls_error("server certificate", e))?;
        params
            .distinguished_name
            .push(DnType::CommonName, "rsctl lab member");
        let cert = params
            .signed_by(&key, &ca, &ca_key)
            .map_err(|e| tls_error("server certificate", e))?;
        let chain: Vec<CertificateDer<'static>> = vec![cert.der().clone(), ca.der().clone()];
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("protocol versions", e))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|e| tls_error("server configuration", e))?;
        Ok(LabTls {
            ca_pem: ca.pem(),
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
        })
    }

    /// Writes the CA certificate to `dir/NAME-ca.pem`; returns the path.
    pub fn write_ca(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let path = dir.join(format!("{name}-ca.pem"));
        std::fs::write(&path, &self.ca_pem).map_err(|e| {
            Error::invalid(format!(
                "cannot write the lab CA to {}: {e}",
                path.display()
            ))
        })?;
        Ok(path)
    }
}
