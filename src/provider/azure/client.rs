//! A real ARM REST client: bearer tokens, retries with backoff and jitter
//! for 429 / 5xx / retryable conflicts, client-side pacing from the
//! `x-ms-ratelimit-remaining-*` headers, long-running operations in all
//! three ARM styles, and Resource Graph queries. It talks to
//! management.azure.com or to the emulator by URL, the same way.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value as J, json};

use super::auth::TokenSource;
use super::error::AzureError;
use super::pacing::Pacing;
use super::response::{api_error, header, jitter, origin, read_limited, retry_after, retryable};

/// The shortest local wait between polls (a Retry-After of 0).
const MIN_REAL_WAIT: Duration = Duration::from_millis(1);

/// Counters for `--verbose` output and benchmarks.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub throttled: AtomicU64,
    pub retries: AtomicU64,
    pub graph_queries: AtomicU64,
}

pub struct ArmClient {
    http: reqwest::Client,
    pub base: String,
    tokens: Arc<dyn TokenSource>,
    pub stats: Stats,
    pacing: std::sync::Mutex<Pacing>,
    /// Wait between polls when the server gives no Retry-After.
    pub default_poll: Duration,
    /// Longest wait for one long-running operation.
    pub operation_timeout: Duration,
    /// Upper bound on one Retry-After wait.
    pub max_retry_after: Duration,
    /// Attempts per request before a retryable failure is returned.
    pub max_attempts: u32,
    /// Operations being followed, and those an interrupted run left.
    pub operations: super::lro::Registry,
    /// The latest cloud time a response's `Date` header gave (Unix
    /// seconds; 0: none yet). The emulator sends its simulated time there.
    pub cloud_seen: AtomicI64,
    /// How fast the cloud's clock runs (polls wait in the cloud's seconds).
    cloud_pace: std::sync::Mutex<super::cloud_pace::CloudPace>,
}

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: J,
}

impl ArmClient {
    /// The claims of the token ARM requests carry (who drinfra is).
    pub async fn token_claims(&self) -> Result<Option<J>, AzureError> {
        let token = self.tokens.token(&self.http).await?;
        Ok(super::claims::of(&token))
    }

    /// A token for another resource's scope (a data plane), from the
    /// credential ARM requests use.
    pub async fn token_for(&self, scope: &str) -> Result<String, AzureError> {
        self.tokens.token_for(&self.http, scope).await
    }

    pub fn new(http: reqwest::Client, base: &str, tokens: Arc<dyn TokenSource>) -> ArmClient {
        ArmClient {
            http,
            base: base.trim_end_matches('/').to_string(),
            tokens,
            stats: Stats::default(),
            // Azure's documented defaults per subscription and principal.
            pacing: std::sync::Mutex::new(Pacing::default()),
            default_poll: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(3 * 3600),
            max_retry_after: Duration::from_secs(60),
            max_attempts: 8,
            operations: super::lro::Registry::default(),
            cloud_seen: AtomicI64::new(0),
            cloud_pace: Default::default(),
        }
    }

    fn url(&self, path_or_url: &str, api: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            return path_or_url.to_string();
        }
        let sep = if path_or_url.contains('?') { '&' } else { '?' };
        format!("{}{path_or_url}{sep}api-version={api}", self.base)
    }

    /// A polling URL as state records it: relative to the ARM endpoint when
    /// it points there, so a later run follows it on its own endpoint (an
    /// embedded emulator listens on a new port every run).
    pub fn relative(&self, url: &str) -> String {
        match (origin(url), origin(&self.base)) {
            (Some(o), Some(b)) if o == b => reqwest::Url::parse(url)
                .map(|u| {
                    format!(
                        "{}{}",
                        u.path(),
                        u.query().map(|q| format!("?{q}")).unwrap_or_default()
                    )
                })
                .unwrap_or_else(|_| url.to_string()),
            _ => url.to_string(),
        }
    }

    /// Where to poll: a relative URL on the ARM endpoint; an absolute one
    /// only if it is on the ARM endpoint (a token is never sent elsewhere).
    fn poll_target(&self, url: &str) -> Result<String, AzureError> {
        if url.starts_with('/') {
            return Ok(format!("{}{url}", self.base));
        }
        match (origin(url), origin(&self.base)) {
            (Some(o), Some(b)) if o == b => Ok(url.to_string()),
            (o, _) => Err(AzureError::ForeignPollingUrl {
                origin: o.unwrap_or_else(|| "an unparsable URL".into()),
                base: self.base.clone(),
            }),
        }
    }

    /// Takes a token from the bucket for this kind of request, waiting
    /// for the refill when it is empty.
    async fn pace(&self, method: &Method) {
        loop {
            let wait = {
                let mut p = self.pacing.lock().unwrap_or_else(|e| e.into_inner());
                match p.take(method) {
                    None => return,
                    Some(wait) => wait,
                }
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// The server's count is authoritative.
    fn note_quota(&self, h: &HeaderMap) {
        self.pacing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .note(h);
    }

    /// Remembers the cloud's time from a response's `Date` header (the
    /// latest one seen wins: responses to parallel requests cross).
    pub fn note_date(&self, h: &HeaderMap) {
        if let Some(t) = header(h, "date").and_then(|d| crate::timefmt::parse_http_date(&d)) {
            self.cloud_seen.fetch_max(t, Ordering::Relaxed);
            self.cloud_pace
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .note(Instant::now(), t);
        }
    }

    /// Cloud seconds per local second, once known (see `CloudPace`).
    pub fn cloud_rate(&self) -> Option<f64> {
        self.cloud_pace
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .rate()
    }

    /// Waits `cloud` of the cloud's time (a `Retry-After`, a poll
    /// interval): against the emulator its simulated seconds, so a poll
    /// lands when the operation ends there whatever the time compression.
    /// Until the rate is known it waits in growing slices, asking the
    /// cloud's time (ARM's metadata endpoint) after each.
    async fn sleep_cloud(&self, cloud: Duration) {
        let start = Instant::now();
        let mut slice = Duration::from_millis(20);
        loop {
            if let Some(rate) = self.cloud_rate() {
                let left = cloud.as_secs_f64() - start.elapsed().as_secs_f64() * rate;
                if left > 0.0 {
                    tokio::time::sleep(Duration::from_secs_f64(left / rate).max(MIN_REAL_WAIT))
                        .await;
                }
                return;
            }
            let Some(left) = cloud.checked_sub(start.elapsed()) else {
                return;
            };
            tokio::time::sleep(slice.min(left).max(MIN_REAL_WAIT)).await;
            slice = (slice * 2).min(Duration::from_secs(1));
            let url = format!("{}/metadata/endpoints?api-version=2022-09-01", self.base);
            if let Ok(resp) = self.http.get(&url).send().await {
                self.note_date(resp.headers());
            }
        }
    }

    /// The http client, for requests outside ARM's resource paths.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// One logical request, retried on throttling and transient failures.
    pub async fn send(
        &self,
        method: Method,
        path_or_url: &str,
        api: &str,
        body: Option<&J>,
        headers: &[(&str, String)],
    ) -> Result<Response, AzureError> {
        let url = self.url(path_or_url, api);
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.pace(&method).await;
            let token = self.tokens.token(&self.http).await?;
            let mut req = self
                .http
                .request(method.clone(), &url)
                .bearer_auth(token)
                .header("accept", "application/json");
            for (k, v) in headers {
                req = req.header(*k, v);
            }
            if let Some(b) = body {
                req = req.json(b);
            }
            self.stats.requests.fetch_add(1, Ordering::Relaxed);
            let resp = match req.send().await {
                Ok(r) => r,
                Err(e) => {
                    if attempt < self.max_attempts && (e.is_connect() || e.is_timeout()) {
                        self.stats.retries.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(jitter(
                            Duration::from_millis(200) * 2u32.pow(attempt.min(6)),
                        ))
                        .await;
                        continue;
                    }
                    return Err(AzureError::Transport {
                        url: self.base.clone(),
                        message: e.without_url().to_string(),
                    });
                }
            };
            let status = resp.status().as_u16();
            let h = resp.headers().clone();
            self.note_quota(&h);
            self.note_date(&h);
            let text = match read_limited(resp).await {
                Ok(t) => t,
                Err(e) => {
                    return Err(AzureError::Transport {
                        url: self.base.clone(),
                        message: e.to_string(),
                    });
                }
            };
            let json: J = if text.is_empty() {
                J::Null
            } else {
                serde_json::from_str(&text).unwrap_or(json!({"raw": text}))
            };
            if status == 429 {
                self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            }
            // Throttling is waited out (up to the operation timeout), never
            // a failure; other transient errors get a bounded retry budget.
            let throttled = status == 429 && started.elapsed() < self.operation_timeout;
            // So is a conflict with an operation the cloud says ends after
            // Retry-After (its seconds), e.g. an update held back while the
            // object's failover runs.
            let busy = status == 409
                && retryable(status, &json)
                && retry_after(&h).is_some()
                && started.elapsed() < self.operation_timeout;
            // An unavailable region gets a short budget: callers (a failover)
            // may defer the work rather than wait on it.
            let budget = if matches!(status, 503 | 504) {
                self.max_attempts.min(3)
            } else {
                self.max_attempts
            };
            if throttled || busy || (retryable(status, &json) && attempt < budget) {
                self.stats.retries.fetch_add(1, Ordering::Relaxed);
                match retry_after(&h) {
                    // Throttling is about request rate: real seconds.
                    Some(d) if status == 429 => {
                        tokio::time::sleep(d.min(self.max_retry_after)).await
                    }
                    // Otherwise the cloud's seconds.
                    Some(d) => self.sleep_cloud(d.min(self.max_retry_after)).await,
                    None => {
                        tokio::time::sleep(jitter(
                            Duration::from_millis(250) * 2u32.pow(attempt.min(6)),
                        ))
                        .await
                    }
                }
                if busy {
                    attempt = attempt.saturating_sub(1);
                }
                continue;
            }
            return Ok(Response {
                status,
                headers: h,
                body: json,
            });
        }
    }

    /// GET a resource; `None` when it does not exist.
    pub async fn get(&self, id: &str, api: &str) -> Result<Option<J>, AzureError> {
        let r = self.send(Method::GET, id, api, None, &[]).await?;
        match r.status {
            200 => Ok(Some(r.body)),
            404 => Ok(None),
            s => Err(api_error(s, &r.body)),
        }
    }

    /// PUT (or PATCH) and wait until the resource has settled; returns it.
    /// A write an interrupted run left running on `id` is followed instead
    /// of being sent again.
    pub async fn write(
        &self,
        method: Method,
        id: &str,
        api: &str,
        body: &J,
    ) -> Result<J, AzureError> {
        let resumed = match self.operations.take(id, method.as_str()) {
            Some(op) => match self.resume(&op, api).await {
                // Recorded against another endpoint: sent again (ARM writes are idempotent).
                Err(AzureError::ForeignPollingUrl { .. }) => false,
                other => other.map(|_| true)?,
            },
            None => false,
        };
        if !resumed {
            let r = self.send(method.clone(), id, api, Some(body), &[]).await?;
            if r.status >= 400 {
                return Err(api_error(r.status, &r.body));
            }
            // A synchronous answer with a terminal state is the resource itself.
            let sync_done = (r.status == 200 || r.status == 201)
                && header(&r.headers, "azure-asyncoperation").is_none()
                && matches!(
                    r.body["properties"]["provisioningState"]
                        .as_str()
                        .unwrap_or("Succeeded"),
                    "Succeeded"
                )
                && r.body.get("id").is_some();
            if sync_done {
                return Ok(r.body);
            }
            self.wait(r, method.as_str(), id, Some(id), api).await?;
        }
        self.get(id, api).await?.ok_or_else(|| AzureError::Api {
            status: 404,
            code: "ResourceNotFound".into(),
            message: format!("{id} disappeared after it was written"),
        })
    }

    /// DELETE and wait until it is gone.
    pub async fn delete(&self, id: &str, api: &str) -> Result<(), AzureError> {
        if let Some(op) = self.operations.take(id, "DELETE") {
            match self.resume(&op, api).await {
                Err(AzureError::ForeignPollingUrl { .. }) => {}
                other => return other.map(|_| ()),
            }
        }
        let r = self.send(Method::DELETE, id, api, None, &[]).await?;
        match r.status {
            200 | 204 => Ok(()),
            202 => self.wait(r, "DELETE", id, None, api).await.map(|_| ()),
            404 => Ok(()),
            s => Err(api_error(s, &r.body)),
        }
    }

    /// POST an action and wait for it.
    pub async fn action(
        &self,
        id: &str,
        action: &str,
        api: &str,
        query: &str,
        body: &J,
    ) -> Result<Option<J>, AzureError> {
        let key = format!("{id}/{action}");
        if let Some(op) = self.operations.take(&key, "POST") {
            match self.resume(&op, api).await {
                Err(AzureError::ForeignPollingUrl { .. }) => {}
                other => return other,
            }
        }
        let path = format!(
            "{key}{}",
            if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            }
        );
        let r = self.send(Method::POST, &path, api, Some(body), &[]).await?;
        if r.status >= 400 {
            return Err(api_error(r.status, &r.body));
        }
        self.wait(r, "POST", &key, None, api).await
    }

    /// Follows an operation an interrupted run recorded.
    async fn resume(
        &self,
        op: &crate::provider::PendingOperation,
        api: &str,
    ) -> Result<Option<J>, AzureError> {
        let poll = super::lro::Poll::of(op).ok_or_else(|| {
            AzureError::Auth(format!(
                "unknown operation style {:?} recorded for {}",
                op.style, op.id
            ))
        })?;
        let _tracked = self.operations.track(op.clone());
        self.follow(
            &poll,
            if op.api_version.is_empty() {
                api
            } else {
                &op.api_version
            },
            Duration::ZERO,
        )
        .await
    }

    /// Follows a long-running operation to its end, keeping it in the
    /// running list meanwhile (`key`: what it acts on, for a resume).
    async fn wait(
        &self,
        first: Response,
        method: &str,
        key: &str,
        resource: Option<&str>,
        api: &str,
    ) -> Result<Option<J>, AzureError> {
        use super::lro::Poll;
        let poll = if let Some(url) = header(&first.headers, "azure-asyncoperation") {
            Poll::AsyncOperation(url)
        } else if let (202, Some(url)) = (first.status, header(&first.headers, "location")) {
            Poll::Location(url)
        } else if let Some(id) = resource {
            if matches!(
                first.body["properties"]["provisioningState"]
                    .as_str()
                    .unwrap_or("Succeeded"),
                "Succeeded" | "Failed" | "Canceled"
            ) {
                return Ok(Some(first.body));
            }
            Poll::Provisioning(id.to_string())
        } else {
            return Ok(Some(first.body));
        };
        let _tracked = self.operations.track(crate::provider::PendingOperation {
            provider: super::typedef::PROVIDER_NAME.into(),
            address: None,
            id: key.to_string(),
            method: method.to_string(),
            style: poll.style().into(),
            url: self.relative(poll.url()),
            api_version: api.to_string(),
            started: crate::timefmt::now(),
        });
        let first_wait = retry_after(&first.headers)
            .map(|d| d.min(self.max_retry_after))
            .unwrap_or(self.default_poll);
        match self.follow(&poll, api, first_wait).await? {
            None if matches!(poll, Poll::Provisioning(_)) => Ok(Some(first.body)),
            other => Ok(other),
        }
    }

    async fn follow(
        &self,
        poll: &super::lro::Poll,
        api: &str,
        first_wait: Duration,
    ) -> Result<Option<J>, AzureError> {
        use super::lro::Poll;
        let start = Instant::now();
        // A resource's `timeouts` block, else the client's default.
        let limit = super::timeouts::current().unwrap_or(self.operation_timeout);
        // Retry-After and the poll interval are the cloud's seconds.
        let poll_wait = |h: &HeaderMap| {
            retry_after(h)
                .map(|d| d.min(self.max_retry_after))
                .unwrap_or(self.default_poll)
        };
        let mut wait = first_wait;
        loop {
            if start.elapsed() >= limit {
                return Err(AzureError::Timeout(limit));
            }
            // Never sleep past the limit.
            tokio::select! {
                _ = self.sleep_cloud(wait) => {}
                _ = tokio::time::sleep(limit.saturating_sub(start.elapsed())) => {}
            }
            if start.elapsed() >= limit {
                return Err(AzureError::Timeout(limit));
            }
            match poll {
                Poll::AsyncOperation(url) => {
                    let r = self
                        .send(Method::GET, &self.poll_target(url)?, api, None, &[])
                        .await?;
                    // An error from the status URL means "unknown", not "failed".
                    if r.status >= 400 {
                        wait = self.default_poll;
                        continue;
                    }
                    match r.body["status"].as_str().unwrap_or("InProgress") {
                        "Succeeded" => return Ok(Some(r.body)),
                        "Failed" | "Canceled" => {
                            return Err(AzureError::OperationFailed {
                                code: r.body["error"]["code"]
                                    .as_str()
                                    .unwrap_or("OperationFailed")
                                    .to_string(),
                                message: r.body["error"]["message"]
                                    .as_str()
                                    .unwrap_or("the operation failed")
                                    .to_string(),
                            });
                        }
                        _ => wait = poll_wait(&r.headers),
                    }
                }
                Poll::Location(url) => {
                    let r = self
                        .send(Method::GET, &self.poll_target(url)?, api, None, &[])
                        .await?;
                    match r.status {
                        202 => wait = poll_wait(&r.headers),
                        200 | 201 => return Ok(Some(r.body)),
                        204 => return Ok(None),
                        s => {
                            return Err(match api_error(s, &r.body) {
                                AzureError::Api { code, message, .. } => {
                                    AzureError::OperationFailed { code, message }
                                }
                                other => other,
                            });
                        }
                    }
                }
                Poll::Provisioning(id) => {
                    let r = self.send(Method::GET, id, api, None, &[]).await?;
                    if r.status != 200 {
                        return Err(api_error(r.status, &r.body));
                    }
                    match r.body["properties"]["provisioningState"]
                        .as_str()
                        .unwrap_or("Succeeded")
                    {
                        "Succeeded" => return Ok(None),
                        state @ ("Failed" | "Canceled") => {
                            return Err(AzureError::OperationFailed {
                                code: "ProvisioningFailed".into(),
                                message: format!("{id} ended in provisioningState {state}"),
                            });
                        }
                        _ => wait = poll_wait(&r.headers),
                    }
                }
            }
        }
    }

    /// All rows a Resource Graph query returns, following `$skipToken`.
    pub async fn graph(&self, subscriptions: &[String], query: &str) -> Result<Vec<J>, AzureError> {
        let mut rows = Vec::new();
        let mut skip: Option<String> = None;
        loop {
            let mut options = json!({"$top": 1000, "resultFormat": "objectArray"});
            if let Some(s) = &skip {
                options["$skipToken"] = J::String(s.clone());
            }
            let body = json!({"subscriptions": subscriptions, "query": query, "options": options});
            self.stats.graph_queries.fetch_add(1, Ordering::Relaxed);
            let r = self
                .send(
                    Method::POST,
                    "/providers/Microsoft.ResourceGraph/resources",
                    "2024-04-01",
                    Some(&body),
                    &[],
                )
                .await?;
            if r.status != 200 {
                return Err(api_error(r.status, &r.body));
            }
            if let Some(data) = r.body["data"].as_array() {
                rows.extend(data.iter().cloned());
            }
            match r.body["$skipToken"].as_str() {
                Some(t) => skip = Some(t.to_string()),
                None => return Ok(rows),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct NoToken;
    impl TokenSource for NoToken {
        fn token<'a>(
            &'a self,
            _: &'a reqwest::Client,
        ) -> crate::provider::BoxFut<'a, Result<String, AzureError>> {
            Box::pin(async { Ok(String::new()) })
        }
        fn describe(&self) -> String {
            String::new()
        }
    }

    #[tokio::test]
    async fn a_response_over_the_limit_is_refused_before_it_is_read() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                tokio::spawn(async move {
                    let mut buf = [0u8; 4096];
                    let _ = s.read(&mut buf).await;
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n{").await;
                    tokio::time::sleep(Duration::from_secs(5)).await;
                });
            }
        });
        let c = ArmClient::new(
            super::super::http::trusting(None).unwrap(),
            &format!("http://{addr}"),
            Arc::new(NoToken),
        );
        let e = c.get("/subscriptions/s", "1").await.unwrap_err();
        assert!(
            matches!(e, AzureError::Transport { .. })
                && e.to_string().contains("larger than 64 MB"),
            "{e}"
        );
    }

    #[test]
    fn polling_urls_are_recorded_relative_and_followed_only_on_the_arm_endpoint() {
        let c = ArmClient::new(
            super::super::http::trusting(None).unwrap(),
            "https://localhost:8443/",
            Arc::new(NoToken),
        );
        let op = "https://LOCALHOST:8443/subscriptions/s/providers/X/locations/eastus/operationStatuses/1?api-version=1";
        assert_eq!(
            c.relative(op),
            "/subscriptions/s/providers/X/locations/eastus/operationStatuses/1?api-version=1"
        );
        assert_eq!(c.relative("https://other:8443/x"), "https://other:8443/x");
        assert_eq!(
            c.poll_target("/subscriptions/s/op?api-version=1").unwrap(),
            "https://localhost:8443/subscriptions/s/op?api-version=1"
        );
        assert!(c.poll_target(op).is_ok());
        for foreign in [
            "https://localhost:9999/x",
            "http://localhost:8443/x",
            "https://evil.example/x",
            "not a url",
        ] {
            assert!(
                matches!(
                    c.poll_target(foreign),
                    Err(AzureError::ForeignPollingUrl { .. })
                ),
                "{foreign}"
            );
        }
        let azure = ArmClient::new(
            super::super::http::trusting(None).unwrap(),
            "https://management.azure.com",
            Arc::new(NoToken),
        );
        assert!(
            azure
                .poll_target("https://management.azure.com:443/subscriptions/s/op")
                .is_ok()
        );
    }
}
