//! HTTP plumbing: responses, headers, query strings and form bodies
//! (percent-decoding), and reading a request's body within ARM's 4 MB limit.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::Value as J;

use crate::emulator::arm::ArmError;

pub(super) type Resp = Response<Full<Bytes>>;

/// A request with its body read whole.
pub(super) struct Req {
    pub method: Method,
    pub path: String,
    /// Query parameters, names lower-cased.
    pub query: BTreeMap<String, String>,
    pub headers: hyper::HeaderMap,
    pub body: Bytes,
}

/// A response, and how long to hang before sending it (a region outage
/// in `timeout` mode): decided under the state lock, waited out after.
pub(super) struct Reply {
    resp: Resp,
    delay: Option<Duration>,
}

impl From<Resp> for Reply {
    fn from(resp: Resp) -> Reply {
        Reply { resp, delay: None }
    }
}

impl Reply {
    pub fn after(delay: Duration, resp: Resp) -> Reply {
        Reply {
            resp,
            delay: Some(delay),
        }
    }

    pub fn map(self, f: impl FnOnce(Resp) -> Resp) -> Reply {
        Reply {
            resp: f(self.resp),
            delay: self.delay,
        }
    }

    /// Waits out the delay, if any, and gives the response.
    pub async fn send(self) -> Resp {
        if let Some(d) = self.delay {
            tokio::time::sleep(d).await;
        }
        self.resp
    }
}

pub(super) fn json_resp(status: u16, body: &J) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("content-type", "application/json; charset=utf-8")
        .header(
            "x-ms-request-id",
            crate::random::uuid_v4().unwrap_or_default(),
        )
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("valid response")
}

pub(super) fn empty(status: u16) -> Resp {
    Response::builder()
        .status(StatusCode::from_u16(status).unwrap_or(StatusCode::OK))
        .body(Full::new(Bytes::new()))
        .expect("valid response")
}

pub(super) fn err_resp(e: &ArmError) -> Resp {
    let r = json_resp(e.status, &e.body());
    match e.retry_after {
        Some(secs) => with_header(r, "retry-after", &secs.to_string()),
        None => r,
    }
}

pub(super) fn with_header(mut r: Resp, k: &str, v: &str) -> Resp {
    if let (Ok(name), Ok(value)) = (
        hyper::header::HeaderName::from_bytes(k.as_bytes()),
        hyper::header::HeaderValue::from_str(v),
    ) {
        r.headers_mut().insert(name, value);
    }
    r
}

pub(super) fn query_map(q: Option<&str>) -> BTreeMap<String, String> {
    q.unwrap_or_default()
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode(k).to_lowercase(), decode(v))
        })
        .collect()
}

/// Percent-decodes one query-string or form component (`+` is a space),
/// byte by byte: a `%` not followed by two hex digits stays as it is, and
/// bytes that do not form UTF-8 become U+FFFD.
pub(super) fn decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// ARM's limit on a request's content: 4 MB.
pub(super) const MAX_REQUEST_BYTES: usize = 4 * 1024 * 1024;

pub(super) fn too_large() -> Resp {
    err_resp(&ArmError::new(
        413,
        "RequestContentTooLarge",
        "The request content size exceeds the maximum size of 4 MB.",
    ))
}

/// The request's body, read up to ARM's size limit (never buffering more).
pub(super) async fn read_body(req: Request<hyper::body::Incoming>) -> Result<Bytes, Resp> {
    let declared = req
        .headers()
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    match http_body_util::Limited::new(req.into_body(), MAX_REQUEST_BYTES)
        .collect()
        .await
    {
        Ok(b) => Ok(b.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(_) => Err(err_resp(&ArmError::bad_request(
            "InvalidRequestContent",
            "The request content could not be read.",
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::{decode, query_map};

    #[test]
    fn percent_decoding_is_byte_wise_and_never_panics() {
        assert_eq!(decode("%a\u{e9}"), "%a\u{e9}");
        assert_eq!(decode("%41%zz%4"), "A%zz%4");
        assert_eq!(decode("a+b%2Bc"), "a b+c");
        assert_eq!(decode("%C3%A9"), "\u{e9}");
        assert_eq!(decode("%FF"), "\u{fffd}");
        assert_eq!(decode("%"), "%");
        assert_eq!(
            query_map(Some("API-Version=2024-01-01&x=%e\u{1F600}"))
                .get("api-version")
                .map(String::as_str),
            Some("2024-01-01")
        );
    }
}
