//! hashicorp/http's `http` data source: one GET, HEAD or POST request
//! while planning, with the provider's arguments (headers, body, timeout,
//! `retry`, `ca_cert_pem`, client certificates, `insecure`). As in the
//! provider since 3.0, any status code is a result (check `status_code` in
//! a postcondition), not an error; connection errors are.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::spec::{Kind, TypeSpec, computed, flag, number, opt, problem, req, text};
use crate::lang::Value;
use crate::provider::{ArgProblem, ProviderError};

pub const NAME: &str = "registry.terraform.io/hashicorp/http";

pub const DATA: &[TypeSpec] = &[TypeSpec {
    ty: "http",
    attrs: &[
        req("url", Kind::Str),
        opt("method", Kind::Str),
        opt("request_headers", Kind::StrMap),
        opt("request_body", Kind::Str),
        opt("request_timeout_ms", Kind::Num),
        opt("retry", Kind::Any),
        opt("ca_cert_pem", Kind::Str),
        opt("client_cert_pem", Kind::Str),
        opt("client_key_pem", Kind::Str),
        opt("insecure", Kind::Bool),
        computed("response_body", Kind::Str),
        computed("response_body_base64", Kind::Str),
        computed("body", Kind::Str),
        computed("status_code", Kind::Num),
        computed("response_headers", Kind::StrMap),
        computed("id", Kind::Str),
    ],
}];

/// The `retry` block.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Retry {
    attempts: u32,
    min_delay_ms: u64,
    max_delay_ms: Option<u64>,
}

fn retry_of(cfg: &BTreeMap<String, Value>) -> Result<Retry, String> {
    let block = match cfg.get("retry").map(|v| v.unmark().0) {
        None | Some(Value::Null) => return Ok(Retry::default()),
        Some(Value::List(xs) | Value::Tuple(xs)) if xs.len() == 1 => xs[0].clone(),
        Some(Value::List(xs) | Value::Tuple(xs)) if xs.is_empty() => return Ok(Retry::default()),
        Some(Value::List(_) | Value::Tuple(_)) => {
            return Err("at most one retry block is allowed".into());
        }
        Some(v @ Value::Object(_)) => v.clone(),
        Some(other) => return Err(format!("retry is a block, not {}", other.kind_name())),
    };
    let m = block.as_mapping().cloned().unwrap_or_default();
    if let Some(k) = m
        .keys()
        .find(|k| !matches!(k.as_str(), "attempts" | "min_delay_ms" | "max_delay_ms"))
    {
        return Err(format!(
            "an argument named {k:?} is not expected in retry: it takes attempts, min_delay_ms and max_delay_ms"
        ));
    }
    let whole = |k: &str| -> Result<Option<u64>, String> {
        match m.get(k).map(|v| v.unmark().0) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => Ok(Some(*n as u64)),
            Some(v) => Err(format!(
                "retry.{k} must be a whole number at least 0, got {}",
                v.to_json()
            )),
        }
    };
    let r = Retry {
        attempts: whole("attempts")?.unwrap_or(0).min(100) as u32,
        min_delay_ms: whole("min_delay_ms")?.unwrap_or(0),
        max_delay_ms: whole("max_delay_ms")?,
    };
    if let Some(max) = r.max_delay_ms
        && max < r.min_delay_ms
    {
        return Err(format!(
            "retry.max_delay_ms ({max}) must be at least min_delay_ms ({})",
            r.min_delay_ms
        ));
    }
    Ok(r)
}

pub fn check(cfg: &BTreeMap<String, Value>) -> Vec<ArgProblem> {
    let mut out = Vec::new();
    if let Some(m) = text(cfg, "method")
        && !matches!(m.as_str(), "GET" | "HEAD" | "POST")
    {
        out.push(problem(
            "method",
            "Invalid Attribute Value",
            format!(
                "Attribute method value must be one of: [\"GET\" \"POST\" \"HEAD\"], got: {m:?}"
            ),
        ));
    }
    if let Some(u) = text(cfg, "url")
        && reqwest::Url::parse(&u)
            .map(|u| !matches!(u.scheme(), "http" | "https"))
            .unwrap_or(true)
    {
        out.push(problem(
            "url",
            "Invalid Attribute Value",
            format!("{u:?} is not an http or https URL."),
        ));
    }
    if let Some(n) = number(cfg, "request_timeout_ms")
        && (n < 1.0 || n.fract() != 0.0)
    {
        out.push(problem(
            "request_timeout_ms",
            "Invalid Attribute Value",
            format!(
                "Attribute request_timeout_ms value must be a whole number at least 1, got: {n}"
            ),
        ));
    }
    if let Err(e) = retry_of(cfg) {
        out.push(problem("retry", "Invalid retry block", e));
    }
    if text(cfg, "client_cert_pem").is_some() != text(cfg, "client_key_pem").is_some() {
        out.push(problem(
            "client_cert_pem",
            "Invalid Attribute Combination",
            "client_cert_pem and client_key_pem go together: set both or neither.".into(),
        ));
    }
    if flag(cfg, "insecure") == Some(true) && text(cfg, "ca_cert_pem").is_some() {
        out.push(problem("insecure", "Invalid Attribute Combination", "insecure = true skips certificate verification, so ca_cert_pem would not be used: set one or the other.".into()));
    }
    out
}

fn invalid(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::Invalid(e.to_string())
}

/// The TLS settings the arguments ask for: the platform's roots plus
/// `ca_cert_pem`; a client certificate; or no verification at all when
/// the configuration says `insecure = true` (and only then).
fn tls(cfg: &BTreeMap<String, Value>) -> Result<rustls::ClientConfig, ProviderError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(invalid)?;
    let builder = if flag(cfg, "insecure") == Some(true) {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Insecure(provider)))
    } else {
        let extra: Vec<CertificateDer<'static>> = match text(cfg, "ca_cert_pem") {
            Some(pem) => {
                let certs: Vec<_> = CertificateDer::pem_slice_iter(pem.as_bytes())
                    .collect::<Result<_, _>>()
                    .map_err(|e| invalid(format!("ca_cert_pem: {e}")))?;
                if certs.is_empty() {
                    return Err(invalid("ca_cert_pem holds no PEM certificate"));
                }
                certs
            }
            None => vec![],
        };
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(extra, provider)
            .map_err(|e| invalid(format!("TLS setup: {e}")))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
    };
    match (text(cfg, "client_cert_pem"), text(cfg, "client_key_pem")) {
        (Some(cert), Some(key)) => {
            let chain: Vec<_> = CertificateDer::pem_slice_iter(cert.as_bytes())
                .collect::<Result<_, _>>()
                .map_err(|e| invalid(format!("client_cert_pem: {e}")))?;
            let key = PrivateKeyDer::from_pem_slice(key.as_bytes())
                .map_err(|e| invalid(format!("client_key_pem: {e}")))?;
            builder.with_client_auth_cert(chain, key).map_err(invalid)
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// A verifier that accepts any certificate: `insecure = true` (and the
/// pg backend's `sslmode=require`); the handshake's signatures are still
/// checked.
#[derive(Debug)]
pub(crate) struct Insecure(pub(crate) Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for Insecure {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &rustls::pki_types::ServerName<'_>,
        _ocsp: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
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
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Whether a response (or its absence) is worth another attempt:
/// connection errors, 429 and 5xx other than 501 (go-retryablehttp's
/// policy, which the provider uses).
fn retryable(r: &Result<reqwest::Response, reqwest::Error>) -> bool {
    match r {
        Err(_) => true,
        Ok(resp) => {
            let s = resp.status().as_u16();
            s == 429 || (s >= 500 && s != 501)
        }
    }
}

/// Reads the data source.
pub async fn read(mut cfg: BTreeMap<String, Value>) -> Result<Value, ProviderError> {
    let url = text(&cfg, "url").unwrap_or_default();
    let method = text(&cfg, "method").unwrap_or_else(|| "GET".into());
    let retry = retry_of(&cfg).map_err(invalid)?;
    let mut builder = reqwest::Client::builder().use_preconfigured_tls(tls(&cfg)?);
    if let Some(ms) = number(&cfg, "request_timeout_ms") {
        builder = builder.timeout(Duration::from_millis(ms as u64));
    }
    let client = builder.build().map_err(invalid)?;
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(invalid)?;
    let headers: Vec<(String, String)> = cfg
        .get("request_headers")
        .and_then(|v| v.unmark().0.as_mapping().cloned())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(k, v)| match v.into_unmarked().0 {
            Value::String(s) => Some((k, s)),
            _ => None,
        })
        .collect();
    let body = text(&cfg, "request_body");
    let mut attempt = 0;
    let resp = loop {
        let mut req = client.request(method.clone(), &url);
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        if let Some(b) = &body {
            req = req.body(b.clone());
        }
        let r = req.send().await;
        if attempt >= retry.attempts || !retryable(&r) {
            break r;
        }
        // Exponential back-off from min_delay_ms, capped at max_delay_ms.
        let delay = retry
            .min_delay_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(retry.max_delay_ms.unwrap_or(u64::MAX));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        attempt += 1;
    };
    let resp = resp.map_err(|e| {
        ProviderError::Invalid(format!(
            "Error making request: {method} {url}: {}",
            error_chain(&e)
        ))
    })?;
    let status = resp.status().as_u16();
    let mut response_headers: BTreeMap<String, Value> = BTreeMap::new();
    for name in resp.headers().keys() {
        // Canonical MIME header names, multiple values joined by ", ".
        let values: Vec<&str> = resp
            .headers()
            .get_all(name)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        response_headers.insert(canonical(name.as_str()), Value::String(values.join(", ")));
    }
    let bytes = resp.bytes().await.map_err(invalid)?;
    let text_body = String::from_utf8_lossy(&bytes).into_owned();
    cfg.insert("response_body".into(), Value::String(text_body.clone()));
    cfg.insert("body".into(), Value::String(text_body));
    cfg.insert(
        "response_body_base64".into(),
        Value::String(base64::engine::general_purpose::STANDARD.encode(&bytes)),
    );
    cfg.insert("status_code".into(), Value::Number(status as f64));
    cfg.insert("response_headers".into(), Value::Map(response_headers));
    cfg.insert("id".into(), Value::String(url));
    Ok(Value::Object(cfg))
}

/// `content-type` as Go writes it: `Content-Type`.
fn canonical(name: &str) -> String {
    name.split('-')
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + &c.as_str().to_ascii_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_blocks_and_header_names() {
        let mut cfg = BTreeMap::new();
        let block = Value::Object(
            [
                ("attempts".to_string(), Value::Number(2.0)),
                ("min_delay_ms".to_string(), Value::Number(5.0)),
            ]
            .into(),
        );
        cfg.insert("retry".to_string(), Value::List(vec![block]));
        assert_eq!(retry_of(&cfg).unwrap().attempts, 2);
        let bad = Value::Object([("tries".to_string(), Value::Number(2.0))].into());
        cfg.insert("retry".to_string(), Value::List(vec![bad]));
        assert!(retry_of(&cfg).is_err());
        assert_eq!(canonical("x-request-id"), "X-Request-Id");
    }
}
