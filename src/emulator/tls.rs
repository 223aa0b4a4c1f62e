//! The emulator's certificate authority (generated once per data
//! directory, its certificate written as `ca.pem` for clients to trust)
//! and a server certificate for localhost / 127.0.0.1 signed by it.

use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("certificate generation: {0}")]
    Gen(#[from] rcgen::Error),
    #[error("TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

fn ca_params() -> CertificateParams {
    let mut p = CertificateParams::default();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, "drinfra emulator CA");
    dn.push(DnType::OrganizationName, "drinfra");
    p.distinguished_name = dn;
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

/// Loads or creates the CA in `dir`; returns (CA certificate PEM, server config).
pub fn server_config(dir: &Path) -> Result<(String, Arc<rustls::ServerConfig>), TlsError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| TlsError::Io { path, source }
    };
    let cert_path = dir.join("ca.pem");
    let key_path = dir.join("ca-key.pem");
    let (ca_pem, ca_key) = if cert_path.exists() && key_path.exists() {
        let key = KeyPair::from_pem(&std::fs::read_to_string(&key_path).map_err(io(&key_path))?)?;
        (
            std::fs::read_to_string(&cert_path).map_err(io(&cert_path))?,
            key,
        )
    } else {
        let key = KeyPair::generate()?;
        let cert = ca_params().self_signed(&key)?;
        std::fs::write(&key_path, key.serialize_pem()).map_err(io(&key_path))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&key_path, std::fs::Permissions::from_mode(0o600));
        }
        std::fs::write(&cert_path, cert.pem()).map_err(io(&cert_path))?;
        (cert.pem(), key)
    };
    let issuer = Issuer::new(ca_params(), ca_key);
    let mut sp = CertificateParams::new(vec![
        "localhost".to_string(),
        "127.0.0.1".to_string(),
        "::1".to_string(),
    ])?;
    sp.distinguished_name.push(DnType::CommonName, "localhost");
    let server_key = KeyPair::generate()?;
    let server_cert = sp.signed_by(&server_key, &issuer)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(
            vec![rustls::pki_types::CertificateDer::from(
                server_cert.der().to_vec(),
            )],
            rustls::pki_types::PrivateKeyDer::Pkcs8(rustls::pki_types::PrivatePkcs8KeyDer::from(
                server_key.serialize_der(),
            )),
        )?;
    Ok((ca_pem, Arc::new(cfg)))
}
