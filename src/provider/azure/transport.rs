//! azure_core's HTTP transport over our reqwest client, so azure_identity
//! sends its token requests through the one HTTP stack drinfra has (and
//! trusts the same certificates, the emulator's CA included).

use azure_core::error::{Error, ErrorKind};
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::request::{Body, Request};
use azure_core::http::{AsyncRawResponse, HttpClient, Method};

#[derive(Debug)]
pub struct ReqwestTransport(pub reqwest::Client);

fn method(m: Method) -> Result<reqwest::Method, Error> {
    Ok(match m {
        Method::Delete => reqwest::Method::DELETE,
        Method::Get => reqwest::Method::GET,
        Method::Head => reqwest::Method::HEAD,
        Method::Patch => reqwest::Method::PATCH,
        Method::Post => reqwest::Method::POST,
        Method::Put => reqwest::Method::PUT,
        other => {
            return Err(Error::with_message(
                ErrorKind::Other,
                format!("HTTP method {other:?} is not supported by drinfra's transport"),
            ));
        }
    })
}

#[async_trait::async_trait]
impl HttpClient for ReqwestTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        let mut req = self
            .0
            .request(method(request.method())?, request.url().as_str());
        for (name, value) in request.headers().iter() {
            req = req.header(name.as_str(), value.as_str());
        }
        req = match request.body() {
            Body::Bytes(b) => req.body(b.clone()),
            // Token requests are small forms; nothing here streams.
            Body::SeekableStream(_) => {
                return Err(Error::with_message(
                    ErrorKind::Other,
                    "streamed request bodies are not supported by drinfra's transport",
                ));
            }
        };
        let resp = req.send().await.map_err(|e| {
            let kind = if e.is_connect() {
                ErrorKind::Connection
            } else {
                ErrorKind::Io
            };
            Error::with_message(kind, format!("request failed: {}", e.without_url()))
        })?;
        let status = resp.status().as_u16();
        let mut headers = Headers::new();
        for (k, v) in resp.headers() {
            if let Ok(v) = v.to_str() {
                headers.insert(
                    HeaderName::from(k.as_str().to_owned()),
                    HeaderValue::from(v.to_owned()),
                );
            }
        }
        let body = resp.bytes().await.map_err(|e| {
            Error::with_message(
                ErrorKind::Io,
                format!("reading the response failed: {}", e.without_url()),
            )
        })?;
        Ok(AsyncRawResponse::from_bytes(status.into(), headers, body))
    }
}
