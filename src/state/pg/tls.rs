//! TLS for the pg backend as Terraform's lib/pq does it: `sslmode`
//! `require` (also the default when none is given) encrypts without
//! checking the certificate, unless `sslrootcert` names a file that
//! exists (then as `verify-ca`, libpq's old rule); `verify-ca` checks the
//! chain against `sslrootcert` (else the system's roots); `verify-full`
//! also the host name; `disable` connects in the clear. lib/pq refuses
//! `allow` and `prefer`, and so does drinfra. A client certificate comes
//! from `sslcert`/`sslkey`, else `~/.postgresql/postgresql.crt` and
//! `.key` when they exist; `sslinline=true` takes the PEM text itself.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio_postgres::tls::{ChannelBinding, MakeTlsConnect, TlsConnect, TlsStream};

use crate::provider::builtin::http::Insecure;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Mode {
    Disable,
    Require,
    VerifyCa,
    VerifyFull,
}

/// The TLS settings, from the connection string, else libpq's variables.
#[derive(Debug)]
pub(super) struct Settings {
    pub mode: Mode,
    rootcert: Option<String>,
    cert: Option<String>,
    key: Option<String>,
    inline: bool,
    sni: bool,
    home: Option<String>,
}

impl Settings {
    /// `given`: the connection string's TLS settings (a later one wins);
    /// `env`: the environment (`PGSSLMODE`, `PGSSLROOTCERT`, `PGSSLCERT`,
    /// `PGSSLKEY`, and `HOME` for the default client certificate).
    pub(super) fn read(
        given: &[(String, String)],
        env: &[(String, String)],
    ) -> Result<Settings, String> {
        let var = |k: &str| {
            env.iter()
                .find(|(n, v)| n == k && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let find = |k: &str| given.iter().rev().find(|(n, _)| n == k).map(|(_, v)| v);
        let pick = |k: &str, var_name: &str| find(k).cloned().or_else(|| var(var_name));
        let (mode_text, source) = match find("sslmode") {
            Some(m) => (m.clone(), "sslmode in the connection string"),
            None => (var("PGSSLMODE").unwrap_or_default(), "PGSSLMODE"),
        };
        let mode = match mode_text.as_str() {
            "" | "require" => Mode::Require,
            "verify-ca" => Mode::VerifyCa,
            "verify-full" => Mode::VerifyFull,
            "disable" => Mode::Disable,
            "allow" | "prefer" => {
                return Err(format!(
                    "{source}: {mode_text:?} is not supported by Terraform's pg backend (lib/pq) nor by drinfra: use \"require\" (the default), \"verify-ca\", \"verify-full\" or \"disable\""
                ));
            }
            other => {
                return Err(format!(
                    "{source}: unknown value {other:?}: expected \"require\" (the default), \"verify-ca\", \"verify-full\" or \"disable\""
                ));
            }
        };
        Ok(Settings {
            mode,
            rootcert: pick("sslrootcert", "PGSSLROOTCERT").filter(|r| !r.is_empty()),
            cert: pick("sslcert", "PGSSLCERT").filter(|c| !c.is_empty()),
            key: pick("sslkey", "PGSSLKEY").filter(|k| !k.is_empty()),
            inline: find("sslinline").is_some_and(|v| v == "true"),
            // As libpq: on unless the value starts with something but 1.
            sni: find("sslsni").is_none_or(|v| v.is_empty() || v.starts_with('1')),
            home: var("HOME"),
        })
    }

    /// How the settings read in an error ("sslmode=verify-full,
    /// sslrootcert=/ca.pem").
    pub(super) fn describe(&self) -> String {
        let mode = match self.mode {
            Mode::Disable => "disable",
            Mode::Require => "require",
            Mode::VerifyCa => "verify-ca",
            Mode::VerifyFull => "verify-full",
        };
        match (&self.rootcert, self.inline) {
            (Some(r), false) => format!("sslmode={mode}, sslrootcert={r}"),
            (Some(_), true) => format!("sslmode={mode}, sslrootcert given inline"),
            (None, _) => format!("sslmode={mode}"),
        }
    }
}

/// The connector for `settings` (None: `disable`).
pub(super) fn connector(s: &Settings) -> Result<Option<Tls>, String> {
    if s.mode == Mode::Disable {
        return Ok(None);
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    // lib/pq drops a `require` mode's sslrootcert that names no file.
    let rootcert = s
        .rootcert
        .as_ref()
        .filter(|r| s.inline || s.mode != Mode::Require || std::path::Path::new(r).exists());
    let roots = match rootcert {
        Some(r) => Some(read_roots(r, s.inline)?),
        None => None,
    };
    let verifier: Arc<dyn ServerCertVerifier> = match (s.mode, roots) {
        // Encrypted to whoever holds the certificate's key, unchecked.
        (Mode::Require, None) => Arc::new(Insecure(provider.clone())),
        (Mode::VerifyFull, roots) => chain_verifier(roots, &provider)?,
        (_, roots) => Arc::new(AnyName(chain_verifier(roots, &provider)?)),
    };
    let builder = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .dangerous()
        .with_custom_certificate_verifier(verifier);
    let mut config = match client_identity(s)? {
        Some((chain, key)) => builder
            .with_client_auth_cert(chain, key)
            .map_err(|e| format!("sslcert/sslkey: {e}"))?,
        None => builder.with_no_client_auth(),
    };
    config.enable_sni = s.sni;
    Ok(Some(Tls(Arc::new(config))))
}

/// PEM certificates from `source` (a file, or the text when inline).
fn pem_certs(
    what: &str,
    source: &str,
    inline: bool,
) -> Result<Vec<CertificateDer<'static>>, String> {
    let text = if inline {
        source.as_bytes().to_vec()
    } else {
        std::fs::read(source).map_err(|e| format!("{what} {source}: {e}"))?
    };
    let certs = CertificateDer::pem_slice_iter(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{what} {}: {e}", shown(source, inline)))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} {}: no PEM certificate in it",
            shown(source, inline)
        ));
    }
    Ok(certs)
}

fn shown(source: &str, inline: bool) -> &str {
    if inline { "(inline)" } else { source }
}

fn read_roots(source: &str, inline: bool) -> Result<rustls::RootCertStore, String> {
    let mut roots = rustls::RootCertStore::empty();
    for cert in pem_certs("sslrootcert", source, inline)? {
        roots
            .add(cert)
            .map_err(|e| format!("sslrootcert {}: {e}", shown(source, inline)))?;
    }
    Ok(roots)
}

/// Checks the chain and the host name: against `roots`, else the system's.
fn chain_verifier(
    roots: Option<rustls::RootCertStore>,
    provider: &Arc<CryptoProvider>,
) -> Result<Arc<dyn ServerCertVerifier>, String> {
    match roots {
        Some(roots) => rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            provider.clone(),
        )
        .build()
        .map(|v| v as Arc<dyn ServerCertVerifier>)
        .map_err(|e| format!("sslrootcert: {e}")),
        None => rustls_platform_verifier::Verifier::new(provider.clone())
            .map(|v| Arc::new(v) as Arc<dyn ServerCertVerifier>)
            .map_err(|e| format!("the system's certificate roots: {e}")),
    }
}

/// The client certificate and key, if any (lib/pq: a certificate file
/// that is not there means none; a key readable by others is refused).
type Identity = (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>);

fn client_identity(s: &Settings) -> Result<Option<Identity>, String> {
    if s.inline {
        let (Some(cert), Some(key)) = (&s.cert, &s.key) else {
            return Ok(None);
        };
        let chain = pem_certs("sslcert", cert, true)?;
        let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
            .map_err(|e| format!("sslkey (inline): {e}"))?;
        return Ok(Some((chain, key)));
    }
    let home_file = |name: &str| s.home.as_ref().map(|h| format!("{h}/.postgresql/{name}"));
    let Some(cert) = s.cert.clone().or_else(|| home_file("postgresql.crt")) else {
        return Ok(None);
    };
    if !std::path::Path::new(&cert).exists() {
        return Ok(None);
    }
    let key = s
        .key
        .clone()
        .or_else(|| home_file("postgresql.key"))
        .ok_or_else(|| format!("sslcert {cert}: no sslkey given"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key)
            .map_err(|e| format!("sslkey {key}: {e}"))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            return Err(format!(
                "sslkey {key}: the private key is readable by group or others (mode {:o}): it must be 0600 or less, as libpq requires",
                mode & 0o777
            ));
        }
    }
    let chain = pem_certs("sslcert", &cert, false)?;
    let key = PrivateKeyDer::from_pem_file(&key).map_err(|e| format!("sslkey {key}: {e}"))?;
    Ok(Some((chain, key)))
}

/// `verify-ca`: the chain must lead to a trusted root; the name on the
/// certificate is not checked (the chain is verified before the name, so
/// a name error means the chain passed).
#[derive(Debug)]
struct AnyName(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
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
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// tokio-postgres's TLS hook over tokio-rustls.
#[derive(Clone)]
pub(super) struct Tls(Arc<ClientConfig>);

pub(super) struct Connect {
    config: Arc<ClientConfig>,
    name: ServerName<'static>,
}

impl<S> MakeTlsConnect<S> for Tls
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type TlsConnect = Connect;
    type Error = rustls::pki_types::InvalidDnsNameError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect {
            config: self.0.clone(),
            name: ServerName::try_from(domain.to_string())?,
        })
    }
}

impl<S> TlsConnect<S> for Connect
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    type Stream = Stream<S>;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream<S>>> + Send>>;

    fn connect(self, stream: S) -> Self::Future {
        Box::pin(async move {
            tokio_rustls::TlsConnector::from(self.config)
                .connect(self.name, stream)
                .await
                .map(|s| Stream(Box::new(s)))
        })
    }
}

pub(super) struct Stream<S>(Box<tokio_rustls::client::TlsStream<S>>);

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_read(cx, buf)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut *self.0).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *self.0).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> TlsStream for Stream<S> {
    /// None, as lib/pq: SCRAM without channel binding.
    fn channel_binding(&self) -> ChannelBinding {
        ChannelBinding::none()
    }
}

#[cfg(test)]
mod tests {
    use super::super::connstr::tests::pairs as given;
    use super::*;

    #[test]
    fn the_default_is_require_and_the_string_wins_over_the_environment() {
        let s = Settings::read(&[], &[]).unwrap();
        assert_eq!(s.mode, Mode::Require);
        let env = given(&[("PGSSLMODE", "verify-full"), ("PGSSLROOTCERT", "/ca.pem")]);
        let s = Settings::read(&[], &env).unwrap();
        assert_eq!(s.describe(), "sslmode=verify-full, sslrootcert=/ca.pem");
        let s = Settings::read(&given(&[("sslmode", "disable")]), &env).unwrap();
        assert_eq!(s.mode, Mode::Disable);
    }

    #[test]
    fn modes_lib_pq_refuses_are_refused_naming_where_they_came_from() {
        let err = Settings::read(&given(&[("sslmode", "prefer")]), &[]).unwrap_err();
        assert!(
            err.contains("sslmode in the connection string") && err.contains("lib/pq"),
            "{err}"
        );
        let err = Settings::read(&[], &given(&[("PGSSLMODE", "strict")])).unwrap_err();
        assert!(
            err.contains("PGSSLMODE") && err.contains("\"strict\""),
            "{err}"
        );
    }

    #[test]
    fn verify_modes_need_a_readable_root_and_require_ignores_a_missing_one() {
        let s = Settings::read(
            &given(&[
                ("sslmode", "verify-ca"),
                ("sslrootcert", "/nonexistent/ca.pem"),
            ]),
            &[],
        )
        .unwrap();
        let err = connector(&s).err().unwrap();
        assert!(err.contains("sslrootcert /nonexistent/ca.pem"), "{err}");
        let s = Settings::read(&given(&[("sslrootcert", "/nonexistent/ca.pem")]), &[]).unwrap();
        assert!(connector(&s).unwrap().is_some());
    }
}
