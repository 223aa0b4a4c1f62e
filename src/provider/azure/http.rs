//! The HTTP clients the Azure provider talks through: one trusting the
//! platform's certificates (real Azure), one trusting a given CA only (an
//! emulator's).

use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// An HTTP client for real Azure, trusting the platform's certificates.
pub fn real_azure() -> Result<reqwest::Client, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    use rustls_platform_verifier::BuilderVerifierExt;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_platform_verifier()
        .map_err(|e| e.to_string())?
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())
}

/// An HTTP client trusting only the certificates of `ca_pem` (an
/// emulator's CA; none: plain HTTP only).
pub fn trusting(ca_pem: Option<&str>) -> Result<reqwest::Client, String> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for der in CertificateDer::pem_slice_iter(pem.as_bytes()).filter_map(Result::ok) {
            roots
                .add(der)
                .map_err(|e| format!("invalid CA certificate: {e}"))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| e.to_string())
}
