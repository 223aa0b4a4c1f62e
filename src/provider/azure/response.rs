//! Reading ARM's answers: retry hints, the size limit on bodies, error
//! bodies and which failures are worth retrying.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde_json::Value as J;

use super::error::AzureError;

pub(super) fn jitter(base: Duration) -> Duration {
    // Up to +50 %, from the OS generator (no jitter if it is unavailable:
    // this spreads retries, it protects nothing).
    let r = u64::from(u16::from_le_bytes(
        crate::random::bytes::<2>().unwrap_or_default(),
    )) % 1000;
    base + Duration::from_nanos((base.as_nanos() as u64 / 2).max(1) * r / 1000)
}

pub(super) fn retry_after(h: &HeaderMap) -> Option<Duration> {
    h.get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .map(|s| Duration::from_secs_f64(s.max(0.0)))
}

/// `scheme://host:port` of a URL, with default ports made explicit.
pub(super) fn origin(url: &str) -> Option<String> {
    let u = reqwest::Url::parse(url).ok()?;
    Some(format!(
        "{}://{}:{}",
        u.scheme(),
        u.host_str()?.to_ascii_lowercase(),
        u.port_or_known_default()?
    ))
}

/// The most of one response drinfra reads (ARM answers a few MB at most;
/// a Resource Graph page of 1,000 rows stays far below this).
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;

/// A response body over [`MAX_RESPONSE_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("the response is larger than {} MB", MAX_RESPONSE_BYTES >> 20)]
pub(super) struct TooLarge;

/// A response body as text, refusing one larger than [`MAX_RESPONSE_BYTES`]
/// before holding it whole.
pub(super) async fn read_limited(mut resp: reqwest::Response) -> Result<String, TooLarge> {
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_RESPONSE_BYTES as u64)
    {
        return Err(TooLarge);
    }
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(TooLarge);
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(String::from_utf8_lossy(&body).into_owned()),
            // As before: a body that cannot be read reads as empty.
            Err(_) => return Ok(String::new()),
        }
    }
}

pub(super) fn header(h: &HeaderMap, k: &str) -> Option<String> {
    h.get(k).and_then(|v| v.to_str().ok()).map(str::to_string)
}

pub(super) fn api_error(status: u16, body: &J) -> AzureError {
    let e = &body["error"];
    AzureError::Api {
        status,
        code: e["code"]
            .as_str()
            .unwrap_or(match status {
                404 => "NotFound",
                429 => "TooManyRequests",
                _ => "Unknown",
            })
            .to_string(),
        message: e["message"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| body.to_string()),
    }
}

pub(super) fn retryable(status: u16, body: &J) -> bool {
    match status {
        429 | 500 | 502 | 503 | 504 => true,
        409 => matches!(
            body["error"]["code"].as_str(),
            Some(
                "AnotherOperationInProgress"
                    | "RetryableErrorDueToAnotherOperation"
                    | "OperationNotAllowedWhileUpdating"
            )
        ),
        _ => false,
    }
}
