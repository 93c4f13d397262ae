//! TLS for connections (rustls with the ring provider): the options of the connection string
//! (`tls`, `tlsCAFile`, `tlsCertificateKeyFile`, `tlsAllowInvalidCertificates`,
//! `tlsAllowInvalidHostnames`, `tlsInsecure`), the client configuration built from them
//! (webpki roots plus the CA file, an optional client certificate), and the handshake with SNI
//! (rustls sends no SNI for an IP address, as RFC 6066 asks).

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use tokio::net::TcpStream;

use crate::core::address::ServerAddress;
use crate::core::error::{Error, NetworkErrorKind, Result};
use crate::core::uri::ConnectionString;

/// What the connection string asked of TLS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// tlsCAFile: PEM certificates trusted in addition to the webpki roots.
    pub ca_file: Option<PathBuf>,
    /// tlsCertificateKeyFile: a PEM file with the client certificate chain and its key.
    pub certificate_key_file: Option<PathBuf>,
    /// tlsAllowInvalidCertificates (or tlsInsecure): accept any server certificate.
    pub allow_invalid_certificates: bool,
    /// tlsAllowInvalidHostnames (or tlsInsecure): accept a valid certificate for another name.
    pub allow_invalid_hostnames: bool,
    /// PEM material held in memory rather than in files (the lab's routers reach its members
    /// with it); used in addition to `ca_file` / instead of `certificate_key_file`.
    pub inline: Option<InlinePem>,
}

/// In-memory PEM: trusted CA certificates and, optionally, a client certificate with its key.
/// Its `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct InlinePem {
    /// PEM certificates to trust (like tlsCAFile's content).
    pub ca_pem: String,
    /// A client certificate chain and its private key (like tlsCertificateKeyFile's content).
    pub certificate_key_pem: Option<String>,
}

impl std::fmt::Debug for InlinePem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlinePem")
            .field("client_certificate", &self.certificate_key_pem.is_some())
            .finish_non_exhaustive()
    }
}

impl TlsOptions {
    /// The TLS options of `cs`, or `None` when TLS is off.
    pub fn from_connection_string(cs: &ConnectionString) -> Option<TlsOptions> {
        if !cs.tls_required() {
            return None;
        }
        let insecure = cs.tls_insecure.unwrap_or(false);
        Some(TlsOptions {
            ca_file: cs.tls_ca_file.as_ref().map(PathBuf::from),
            certificate_key_file: cs.tls_certificate_key_file.as_ref().map(PathBuf::from),
            allow_invalid_certificates: insecure
                || cs.tls_allow_invalid_certificates.unwrap_or(false),
            allow_invalid_hostnames: insecure || cs.tls_allow_invalid_hostnames.unwrap_or(false),
            inline: None,
        })
    }

    /// Whether a client certificate will be presented (a file or inline PEM).
    pub fn has_client_certificate(&self) -> bool {
        self.certificate_key_file.is_some()
            || self
                .inline
                .as_ref()
                .is_some_and(|i| i.certificate_key_pem.is_some())
    }

    /// Builds the rustls client configuration (reads the CA and key files).
    pub fn client_config(&self) -> Result<Arc<ClientConfig>> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = &self.ca_file {
            let certs = read_certs(path, "tlsCAFile")?;
            for c in certs {
                roots.add(c).map_err(|e| {
                    Error::invalid(format!(
                        "tlsCAFile {}: a certificate is not usable as a trust anchor: {e}",
                        path.display()
                    ))
                })?;
            }
        }
        if let Some(inline) = &self.inline {
            for c in CertificateDer::pem_slice_iter(inline.ca_pem.as_bytes()) {
                let c = c.map_err(|e| Error::invalid(format!("inline CA certificate: {e}")))?;
                roots
                    .add(c)
                    .map_err(|e| Error::invalid(format!("inline CA certificate: {e}")))?;
            }
        }
        let roots = Arc::new(roots);
        let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::internal(format!("TLS protocol versions: {e}")))?;
        let verifier: Arc<dyn ServerCertVerifier> = if self.allow_invalid_certificates {
            Arc::new(AcceptAnything(Arc::clone(&provider)))
        } else {
            let webpki = WebPkiServerVerifier::builder_with_provider(
                Arc::clone(&roots),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|e| Error::invalid(format!("TLS trust roots: {e}")))?;
            if self.allow_invalid_hostnames {
                Arc::new(IgnoreHostname(webpki))
            } else {
                webpki
            }
        };
        let builder = builder
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let inline_key = self
            .inline
            .as_ref()
            .and_then(|i| i.certificate_key_pem.as_deref());
        let config = match (&self.certificate_key_file, inline_key) {
            (None, Some(pem)) => {
                let certs = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<std::result::Result<Vec<_>, _>>()
                    .map_err(|e| Error::invalid(format!("inline client certificate: {e}")))?;
                let key = PrivateKeyDer::from_pem_slice(pem.as_bytes())
                    .map_err(|e| Error::invalid(format!("inline client key: {e}")))?;
                builder
                    .with_client_auth_cert(certs, key)
                    .map_err(|e| Error::invalid(format!("inline client certificate: {e}")))?
            }
            (None, None) => builder.with_no_client_auth(),
            (Some(path), _) => {
                let certs = read_certs(path, "tlsCertificateKeyFile")?;
                let key = PrivateKeyDer::from_pem_file(path).map_err(|e| {
                    Error::invalid(format!(
                        "tlsCertificateKeyFile {}: no private key found: {e}",
                        path.display()
                    ))
                })?;
                builder.with_client_auth_cert(certs, key).map_err(|e| {
                    Error::invalid(format!("tlsCertificateKeyFile {}: {e}", path.display()))
                })?
            }
        };
        Ok(Arc::new(config))
    }
}

fn read_certs(path: &std::path::Path, option: &str) -> Result<Vec<CertificateDer<'static>>> {
    let iter = CertificateDer::pem_file_iter(path)
        .map_err(|e| Error::invalid(format!("{option} {}: {e}", path.display())))?;
    let certs: Vec<_> = iter
        .collect::<std::result::Result<_, _>>()
        .map_err(|e| Error::invalid(format!("{option} {}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(Error::invalid(format!(
            "{option} {}: no PEM certificate in the file",
            path.display()
        )));
    }
    Ok(certs)
}

/// Client configurations already built, by options: the CA and key files are read and the
/// roots assembled once per client ([`crate::net::connection::ConnectionCaches`]), not once per
/// connection. At most 16 are kept, oldest evicted first.
#[derive(Debug, Default)]
pub struct ConfigCache {
    configs: std::sync::Mutex<Vec<(TlsOptions, Arc<ClientConfig>)>>,
}

impl ConfigCache {
    /// The configuration for `options`, built on first use.
    pub fn get(&self, options: &TlsOptions) -> Result<Arc<ClientConfig>> {
        let lock = || self.configs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, c)) = lock().iter().find(|(o, _)| o == options) {
            return Ok(Arc::clone(c));
        }
        // Built outside the lock (file reads); a race only builds the same config twice.
        let config = options.client_config()?;
        let mut configs = lock();
        if configs.len() >= 16 {
            configs.remove(0);
        }
        configs.push((options.clone(), Arc::clone(&config)));
        Ok(config)
    }
}

/// Wraps an open TCP stream in TLS for `address` (SNI = the host name), with the configuration
/// for `options` from `cache`.
pub async fn connect(
    address: &ServerAddress,
    host: &str,
    tcp: TcpStream,
    options: &TlsOptions,
    cache: &ConfigCache,
) -> Result<tokio_rustls::client::TlsStream<TcpStream>> {
    let config = cache.get(options)?;
    let name = ServerName::try_from(host.to_string())
        .map_err(|e| Error::invalid(format!("{address}: not a valid TLS server name: {e}")))?;
    tokio_rustls::TlsConnector::from(config)
        .connect(name, tcp)
        .await
        .map_err(|e| {
            let certificate = e
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<rustls::Error>())
                .and_then(|r| match r {
                    rustls::Error::InvalidCertificate(c) => Some(c),
                    _ => None,
                });
            match certificate {
                Some(c) => Error::network(
                    address,
                    NetworkErrorKind::Certificate,
                    format!(
                        "TLS handshake failed: {} ({e})",
                        explain_certificate_error(c, host)
                    ),
                ),
                None => Error::network(
                    address,
                    NetworkErrorKind::Io,
                    format!("TLS handshake failed: {e}"),
                ),
            }
        })
}

/// What a refused server certificate means, and which option is the way out.
pub fn explain_certificate_error(e: &CertificateError, host: &str) -> String {
    match e {
        CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
            format!(
                "hostname mismatch: the server's certificate is not valid for {host} \
                 (tlsAllowInvalidHostnames=true skips the name check)"
            )
        }
        CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
            "the server's certificate has expired".to_string()
        }
        CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
            "the server's certificate is not valid yet".to_string()
        }
        CertificateError::UnknownIssuer => {
            "the server's certificate was issued by an unknown CA (give it with tlsCAFile)"
                .to_string()
        }
        CertificateError::BadSignature => {
            "the server's certificate signature does not verify against the trusted CAs (tlsCAFile)"
                .to_string()
        }
        CertificateError::Revoked => "the server's certificate is revoked".to_string(),
        other => format!("the server's certificate was refused: {other:?}"),
    }
}

/// tlsAllowInvalidCertificates: checks signatures, trusts any certificate.
#[derive(Debug)]
struct AcceptAnything(Arc<CryptoProvider>);

impl ServerCertVerifier for AcceptAnything {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// tlsAllowInvalidHostnames: the full webpki check, except that the name may differ.
#[derive(Debug)]
struct IgnoreHostname(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for IgnoreHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}
