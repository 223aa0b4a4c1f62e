//! The HTTP clients the Azure provider talks through: one trusting the
//! platform's certificates (real Azure), one trusting a given CA only (an
//! emulator's).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why an HTTP client could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("invalid CA certificate: {0}")]
    Certificate(rustls::Error),
    #[error("{0}")]
    Tls(#[from] rustls::Error),
    #[error("{0}")]
    Client(#[from] reqwest::Error),
}

/// An HTTP client for real Azure, trusting the platform's certificates.
pub fn real_azure() -> Result<reqwest::Client, HttpError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    use rustls_platform_verifier::BuilderVerifierExt;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_platform_verifier()?
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(HttpError::from)
}

/// An HTTP client trusting only the certificates of `ca_pem` (an
/// emulator's CA; none: plain HTTP only).
pub fn trusting(ca_pem: Option<&str>) -> Result<reqwest::Client, HttpError> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for der in CertificateDer::pem_slice_iter(pem.as_bytes()).filter_map(Result::ok) {
            roots.add(der).map_err(HttpError::Certificate)?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(HttpError::from)
}
