//! TLS for the lab (`rsctl lab up --tls`): a throwaway certificate authority, a server
//! certificate for `127.0.0.1` and `localhost` signed by it (or the user's own certificate and CA,
//! `--tls-cert-file` / `--tls-ca-file`, like mongod's tlsCertificateKeyFile / tlsCAFile), a client
//! certificate signed by the lab's CA (for MONGODB-X509), and the rustls acceptor the members and
//! routers use. Client certificates are verified against the CAs when presented, and required
//! only when asked (`--tls-require-client-cert`; mongod requires them by default).
//!
//! PEM files are written for clients: the CA (`tlsCAFile`) and the client certificate with its
//! key in one file (`tlsCertificateKeyFile`, written readable by the owner only).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use rustls::server::WebPkiClientVerifier;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

use crate::core::error::{Error, Result};

/// Organization and unit of the lab's client certificates (the CN varies).
pub const CLIENT_ORGANIZATION: &str = "rsctl lab";
pub const CLIENT_UNIT: &str = "clients";
/// Common name of the client certificate a lab writes for its users.
pub const CLIENT_COMMON_NAME: &str = "client";

/// How a lab's TLS is set up.
#[derive(Debug, Clone, Default)]
pub struct LabTlsOptions {
    /// Refuse connections that present no client certificate (mongod's default with a CA file).
    pub require_client_cert: bool,
    /// Serve this certificate chain and key (one PEM file) instead of a generated one.
    pub cert_key_file: Option<PathBuf>,
    /// The CA certificates (PEM) clients need to trust the served certificate; they also verify
    /// client certificates. Needed with `cert_key_file`.
    pub ca_file: Option<PathBuf>,
}

/// A lab's TLS material.
#[derive(Clone)]
pub struct LabTls {
    /// The CA certificate(s) (PEM) clients must trust.
    pub ca_pem: String,
    /// The server side of the handshake.
    pub acceptor: tokio_rustls::TlsAcceptor,
    /// A client certificate signed by the lab's CA and its key, in one PEM.
    client_pem: String,
    /// The client certificate's subject DN, RFC 2253.
    client_subject: String,
    /// The lab's own CA, which signs client certificates.
    issuer: Arc<Issuer>,
}

struct Issuer {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl std::fmt::Debug for LabTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabTls")
            .field("client_subject", &self.client_subject)
            .finish_non_exhaustive()
    }
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("lab TLS: {what}: {e}"))
}

fn file_error(option: &str, path: &Path, e: impl std::fmt::Display) -> Error {
    Error::invalid(format!("{option} {}: {e}", path.display()))
}

/// A CA certificate for `common_name`, self-signed with a fresh key.
fn new_ca(common_name: &str) -> Result<Issuer> {
    let key = KeyPair::generate().map_err(|e| tls_error("CA key", e))?;
    let mut params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("CA", e))?;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    let cert = params
        .self_signed(&key)
        .map_err(|e| tls_error("CA certificate", e))?;
    Ok(Issuer { cert, key })
}

impl LabTls {
    /// Generates a CA, a server certificate for 127.0.0.1 and localhost and a client
    /// certificate; client certificates are optional.
    pub fn generate() -> Result<LabTls> {
        LabTls::with_options(&LabTlsOptions::default())
    }

    /// Sets the lab's TLS up as `options` ask.
    pub fn with_options(options: &LabTlsOptions) -> Result<LabTls> {
        let issuer = new_ca("rsctl lab CA")?;
        let (chain, key, ca_pem, extra_roots) = match &options.cert_key_file {
            None => {
                let key = KeyPair::generate().map_err(|e| tls_error("server key", e))?;
                let mut params =
                    CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
                        .map_err(|e| tls_error("server certificate", e))?;
                params
                    .distinguished_name
                    .push(DnType::CommonName, "rsctl lab member");
                let cert = params
                    .signed_by(&key, &issuer.cert, &issuer.key)
                    .map_err(|e| tls_error("server certificate", e))?;
                let chain = vec![cert.der().clone(), issuer.cert.der().clone()];
                let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
                (chain, key, issuer.cert.pem(), Vec::new())
            }
            Some(path) => {
                let option = "--tls-cert-file";
                let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                    .map_err(|e| file_error(option, path, e))?
                    .collect::<std::result::Result<_, _>>()
                    .map_err(|e| file_error(option, path, e))?;
                if chain.is_empty() {
                    return Err(file_error(option, path, "no PEM certificate in the file"));
                }
                let key = PrivateKeyDer::from_pem_file(path)
                    .map_err(|e| file_error(option, path, format!("no private key: {e}")))?;
                let Some(ca_path) = &options.ca_file else {
                    return Err(Error::invalid(
                        "--tls-cert-file needs --tls-ca-file (the CA clients must trust)",
                    ));
                };
                let ca_pem = std::fs::read_to_string(ca_path)
                    .map_err(|e| file_error("--tls-ca-file", ca_path, e))?;
                let roots: Vec<CertificateDer<'static>> =
                    CertificateDer::pem_slice_iter(ca_pem.as_bytes())
                        .collect::<std::result::Result<_, _>>()
                        .map_err(|e| file_error("--tls-ca-file", ca_path, e))?;
                if roots.is_empty() {
                    return Err(file_error(
                        "--tls-ca-file",
                        ca_path,
                        "no PEM certificate in the file",
                    ));
                }
                (chain, key, ca_pem, roots)
            }
        };
        // Client certificates: the lab's CA (its own client certificates) and the user's CA.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        for c in std::iter::once(issuer.cert.der().clone()).chain(extra_roots) {
            roots
                .add(c)
                .map_err(|e| Error::invalid(format!("--tls-ca-file: not a usable CA: {e}")))?;
        }
        let verifier =
            WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider));
        let verifier = if options.require_client_cert {
            verifier
        } else {
            verifier.allow_unauthenticated()
        }
        .build()
        .map_err(|e| tls_error("client verifier", e))?;
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| tls_error("protocol versions", e))?
            .with_client_cert_verifier(verifier)
            .with_single_cert(chain, key)
            .map_err(|e| Error::invalid(format!("lab TLS: the server certificate: {e}")))?;
        let issuer = Arc::new(issuer);
        let (client_pem, client_subject) = issue(&issuer, CLIENT_COMMON_NAME)?;
        Ok(LabTls {
            ca_pem,
            acceptor: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            client_pem,
            client_subject,
            issuer,
        })
    }

    /// The subject DN (RFC 2253) of the client certificate the lab wrote: with auth, the
    /// `$external` user MONGODB-X509 authenticates as.
    pub fn client_subject(&self) -> &str {
        &self.client_subject
    }

    /// The client certificate and its key, one PEM (`tlsCertificateKeyFile` content).
    pub fn client_pem(&self) -> &str {
        &self.client_pem
    }

    /// Signs another client certificate with the lab's CA, for `CN=common_name` in the lab's
    /// organization; returns its PEM (certificate and key) and subject DN.
    pub fn issue_client(&self, common_name: &str) -> Result<(String, String)> {
        issue(&self.issuer, common_name)
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

    /// Writes the client certificate and key to `dir/NAME-client.pem` (owner-only on unix);
    /// returns the path.
    pub fn write_client(&self, dir: &Path, name: &str) -> Result<PathBuf> {
        let path = dir.join(format!("{name}-client.pem"));
        write_private(&path, &self.client_pem).map_err(|e| {
            Error::invalid(format!(
                "cannot write the lab's client certificate to {}: {e}",
                path.display()
            ))
        })?;
        Ok(path)
    }
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let _ = std::fs::remove_file(path);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(text.as_bytes())
}

/// A client certificate (clientAuth) for `CN=common_name,OU=clients,O=rsctl lab` signed by
/// `issuer`: (certificate + key PEM, RFC 2253 subject).
fn issue(issuer: &Issuer, common_name: &str) -> Result<(String, String)> {
    let key = KeyPair::generate().map_err(|e| tls_error("client key", e))?;
    let mut params =
        CertificateParams::new(Vec::<String>::new()).map_err(|e| tls_error("client", e))?;
    // rcgen starts from a default CN; start from an empty name so the order below holds.
    params.distinguished_name = DistinguishedName::new();
    // Encoded in this order; RFC 2253 lists it backwards (CN first), as mongod shows it.
    params
        .distinguished_name
        .push(DnType::OrganizationName, CLIENT_ORGANIZATION);
    params
        .distinguished_name
        .push(DnType::OrganizationalUnitName, CLIENT_UNIT);
    params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    debug_assert_eq!(params.distinguished_name.iter().count(), 3);
    let cert = params
        .signed_by(&key, &issuer.cert, &issuer.key)
        .map_err(|e| tls_error("client certificate", e))?;
    let subject = crate::lab::dn::subject_dn(cert.der())
        .ok_or_else(|| tls_error("client certificate", "unreadable subject"))?;
    Ok((format!("{}{}", cert.pem(), key.serialize_pem()), subject))
}
