//! The `azurerm` backend: state in an Azure Storage blob, locked with a
//! blob lease, the way Terraform's azurerm backend does it
//! (`storage_account_name`, `container_name`, `key`, and `endpoint` to
//! point at Azurite). The journal is an append blob beside the state blob
//! (`KEY.journal`), so recording a step appends a block instead of
//! re-uploading the state; the previous snapshot is kept as `KEY.backup`.
//! Authentication: Entra ID (`use_azuread_auth = true`, with the
//! provider's credentials through azure_identity), a shared account key
//! (`access_key` or `ARM_ACCESS_KEY`) or a SAS token (`sas_token` or
//! `ARM_SAS_TOKEN`).

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::mpsc;

use base64::Engine as _;
use hmac::{KeyInit, Mac};

use crate::state::crypto::Cipher;
use crate::state::lock::{LockError, LockInfo};
use crate::state::{Backend, Record, State, StateError};

mod connection;
mod entra;

pub use connection::{ConnectionString, ConnectionStringError};
use entra::Entra;

const VERSION: &str = "2021-08-06";

#[derive(Clone)]
pub struct BlobConfig {
    /// `http://127.0.0.1:10000/devstoreaccount1` (Azurite) or
    /// `https://ACCOUNT.blob.core.windows.net`.
    pub endpoint: String,
    pub account: String,
    pub container: String,
    pub key: String,
    pub access_key: Option<String>,
    pub sas_token: Option<String>,
    /// Entra ID sign-in (`use_azuread_auth`): how to get a token.
    pub azuread: Option<crate::provider::azure::setup::Settings>,
}

type Job = Box<dyn FnOnce(&reqwest::Client, &tokio::runtime::Runtime) + Send>;

pub struct BlobBackend {
    cfg: BlobConfig,
    jobs: Mutex<mpsc::Sender<Job>>,
    lease: Mutex<Option<String>>,
    /// The lock holder (base64 JSON), re-sent with every leased write
    /// because Put Blob replaces a blob's metadata.
    holder_meta: Mutex<Option<String>>,
    cipher: Cipher,
    entra: Option<std::sync::Arc<Entra>>,
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

fn err(e: impl std::fmt::Display) -> StateError {
    StateError::Remote {
        backend: "azurerm",
        message: e.to_string(),
    }
}

fn lock_err(e: impl std::fmt::Display) -> LockError {
    LockError::Io {
        path: "azurerm backend".into(),
        source: std::io::Error::other(e.to_string()),
    }
}

fn http_date() -> String {
    // RFC 1123, e.g. "Thu, 26 Nov 2026 10:06:59 GMT".
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    let iso = crate::timefmt::rfc3339(secs as f64);
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let month = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][m.parse::<usize>().unwrap_or(1) - 1];
    format!("{weekday}, {d} {month} {y} {} GMT", &iso[11..19])
}

impl BlobBackend {
    pub fn connect(cfg: BlobConfig, cipher: Cipher) -> Result<BlobBackend, StateError> {
        if cfg.access_key.is_none() && cfg.sas_token.is_none() && cfg.azuread.is_none() {
            return Err(err(
                "the azurerm backend needs use_azuread_auth = true (Entra ID), access_key (or ARM_ACCESS_KEY) or sas_token (or ARM_SAS_TOKEN)",
            ));
        }
        let entra = cfg.azuread.clone().map(|settings| {
            std::sync::Arc::new(Entra {
                settings,
                identity: Mutex::new(None),
            })
        });
        let (tx, rx) = mpsc::channel::<Job>();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(err)?;
        // Blob requests run on their own thread and runtime: the backend is
        // called from synchronous code that may itself sit inside a runtime.
        let client = crate::provider::azure::http::real_azure().map_err(err)?;
        std::thread::spawn(move || {
            while let Ok(job) = rx.recv() {
                job(&client, &rt);
            }
        });
        let b = BlobBackend {
            cfg,
            jobs: Mutex::new(tx),
            lease: Mutex::new(None),
            holder_meta: Mutex::new(None),
            cipher,
            entra,
        };
        // The container must exist (409 means it does).
        let r = b.request("PUT", "", "restype=container", vec![], Vec::new())?;
        if r.status >= 300 && r.status != 409 {
            return Err(err(format!(
                "cannot create container {}: {} {}",
                b.cfg.container,
                r.status,
                String::from_utf8_lossy(&r.body)
            )));
        }
        Ok(b)
    }

    fn url_path(&self, blob: &str) -> String {
        let base_path = self
            .cfg
            .endpoint
            .splitn(4, '/')
            .nth(3)
            .map(|p| format!("/{p}"))
            .unwrap_or_default();
        if blob.is_empty() {
            format!("{base_path}/{}", self.cfg.container)
        } else {
            format!("{base_path}/{}/{blob}", self.cfg.container)
        }
    }

    /// Adds an Entra ID token, signs (Shared Key) or adds the SAS token, and sends.
    fn request(
        &self,
        method: &str,
        blob: &str,
        query: &str,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> Result<Resp, StateError> {
        let origin: String = self
            .cfg
            .endpoint
            .splitn(4, '/')
            .take(3)
            .collect::<Vec<_>>()
            .join("/");
        let path = self.url_path(blob);
        let mut hs: Vec<(String, String)> = headers;
        hs.push(("x-ms-date".into(), http_date()));
        hs.push(("x-ms-version".into(), VERSION.into()));
        let mut q = query.to_string();
        let entra = self.entra.clone();
        if entra.is_some() {
            // The token is added on the backend's thread, below.
        } else if let Some(key) = &self.cfg.access_key {
            let mut canon_headers: Vec<(String, String)> = hs
                .iter()
                .filter(|(k, _)| k.starts_with("x-ms-"))
                .map(|(k, v)| (k.to_lowercase(), v.trim().to_string()))
                .collect();
            canon_headers.sort();
            let mut canon_resource = format!("/{}{path}", self.cfg.account);
            let mut params: Vec<(String, String)> = query
                .split('&')
                .filter(|s| !s.is_empty())
                .map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.to_lowercase(), decode_query(v)))
                        .unwrap_or((kv.to_lowercase(), String::new()))
                })
                .collect();
            params.sort();
            for (k, v) in params {
                canon_resource.push_str(&format!("\n{k}:{v}"));
            }
            let content_length = if body.is_empty() {
                String::new()
            } else {
                body.len().to_string()
            };
            let content_type = hs
                .iter()
                .find(|(k, _)| k == "content-type")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            // Conditional headers are part of what Shared Key signs.
            let header = |name: &str| {
                hs.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let (if_match, if_none_match) = (header("if-match"), header("if-none-match"));
            let to_sign = format!(
                "{method}\n\n\n{content_length}\n\n{content_type}\n\n\n{if_match}\n{if_none_match}\n\n\n{}{canon_resource}",
                canon_headers
                    .iter()
                    .map(|(k, v)| format!("{k}:{v}\n"))
                    .collect::<String>()
            );
            let secret = base64::engine::general_purpose::STANDARD
                .decode(key)
                .map_err(|_| err("access_key is not base64"))?;
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&secret).map_err(err)?;
            mac.update(to_sign.as_bytes());
            let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
            hs.push((
                "authorization".into(),
                format!("SharedKey {}:{sig}", self.cfg.account),
            ));
        } else if let Some(sas) = &self.cfg.sas_token {
            let sas = sas.trim_start_matches('?');
            q = if q.is_empty() {
                sas.to_string()
            } else {
                format!("{q}&{sas}")
            };
        }
        let url = format!(
            "{origin}{path}{}",
            if q.is_empty() {
                String::new()
            } else {
                format!("?{q}")
            }
        );
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(err)?;
        let (tx, rx) = mpsc::channel();
        let endpoint = self.cfg.endpoint.clone();
        let job: Job = Box::new(move |c, rt| {
            let token = match &entra {
                Some(e) => match rt.block_on(e.token(c)) {
                    Ok(t) => Some(t),
                    Err(e) => {
                        let _ = tx.send(Err(format!(
                            "signing in to Entra ID for the state backend: {e}"
                        )));
                        return;
                    }
                },
                None => None,
            };
            let res = rt.block_on(async {
                let mut req = c.request(method.clone(), &url);
                if let Some(t) = &token {
                    req = req.bearer_auth(t);
                }
                for (k, v) in &hs {
                    req = req.header(k.as_str(), v.as_str());
                }
                // hyper leaves out Content-Length for an empty body, which
                // Blob storage refuses on PUT.
                if body.is_empty()
                    && method != reqwest::Method::GET
                    && method != reqwest::Method::HEAD
                {
                    req = req.header("content-length", "0");
                }
                let r = req.body(body).send().await?;
                let status = r.status().as_u16();
                let headers = r.headers().clone();
                let body = r.bytes().await?.to_vec();
                Ok::<_, reqwest::Error>(Resp {
                    status,
                    headers,
                    body,
                })
            });
            // The cause chain says why (connection refused, TLS, DNS...).
            let _ = tx.send(res.map_err(|e| {
                let e = e.without_url();
                let mut msg = e.to_string();
                let mut cause = std::error::Error::source(&e);
                while let Some(c) = cause {
                    msg.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                format!("cannot reach {endpoint}: {msg}")
            }));
        });
        self.jobs.lock().map_err(err)?.send(job).map_err(err)?;
        rx.recv().map_err(err)?.map_err(err)
    }

    fn lease_header(&self) -> Vec<(String, String)> {
        self.lease
            .lock()
            .ok()
            .and_then(|l| l.clone())
            .map(|id| vec![("x-ms-lease-id".to_string(), id)])
            .unwrap_or_default()
    }

    fn put_block_blob(&self, blob: &str, data: Vec<u8>, leased: bool) -> Result<(), StateError> {
        let mut h = vec![
            ("x-ms-blob-type".to_string(), "BlockBlob".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ];
        if leased {
            h.extend(self.lease_header());
            if let Some(meta) = self.holder_meta.lock().ok().and_then(|m| m.clone()) {
                h.push(("x-ms-meta-drinfralock".into(), meta));
            }
        }
        let r = self.request("PUT", blob, "", h, data)?;
        if r.status >= 300 {
            return Err(err(format!(
                "cannot write blob {blob}: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )));
        }
        Ok(())
    }

    fn get(&self, blob: &str) -> Result<Option<Vec<u8>>, StateError> {
        let r = self.request("GET", blob, "", vec![], Vec::new())?;
        match r.status {
            200 => Ok(Some(r.body)),
            404 => Ok(None),
            s => Err(err(format!(
                "cannot read blob {blob}: {s} {}",
                String::from_utf8_lossy(&r.body)
            ))),
        }
    }

    /// The workspaces other than `default` whose state blobs are beside
    /// `base_key`: Terraform's azurerm backend keeps workspace NAME at
    /// `<base_key>env:NAME`. drinfra's own companions (`.journal`,
    /// `.backup`) and empty blobs (a lock taken before any state was
    /// written) are not workspaces.
    pub fn workspaces(&self, base_key: &str) -> Result<BTreeSet<String>, StateError> {
        let prefix = format!("{base_key}env:");
        let mut blobs: Vec<(String, u64)> = Vec::new();
        let mut marker = String::new();
        loop {
            let mut query = format!(
                "restype=container&comp=list&prefix={}",
                encode_query(&prefix)
            );
            if !marker.is_empty() {
                query.push_str(&format!("&marker={}", encode_query(&marker)));
            }
            let r = self.request("GET", "", &query, vec![], Vec::new())?;
            if r.status >= 300 {
                return Err(err(format!(
                    "cannot list the blobs of container {}: {} {}",
                    self.cfg.container,
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )));
            }
            let xml = String::from_utf8_lossy(&r.body);
            for blob in elements(&xml, "Blob") {
                let Some(name) = elements(blob, "Name").next() else {
                    continue;
                };
                let size = elements(blob, "Content-Length")
                    .next()
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0);
                blobs.push((unescape_xml(name), size));
            }
            marker = elements(&xml, "NextMarker")
                .next()
                .map(unescape_xml)
                .unwrap_or_default();
            if marker.is_empty() {
                break;
            }
        }
        let all: BTreeSet<&str> = blobs.iter().map(|(n, _)| n.as_str()).collect();
        let companion = |n: &str| {
            [".journal", ".backup"]
                .iter()
                .any(|s| n.strip_suffix(s).is_some_and(|of| all.contains(of)))
        };
        Ok(blobs
            .iter()
            .filter(|(n, size)| *size > 0 && !companion(n))
            .filter_map(|(n, _)| n.strip_prefix(&prefix))
            .filter(|w| !w.contains('/'))
            .map(str::to_string)
            .collect())
    }

    /// Deletes this state's blobs (state, journal, backup); refused while
    /// the state blob is leased (locked).
    pub fn delete_state(&self) -> Result<(), StateError> {
        for blob in [
            self.cfg.key.clone(),
            self.journal(),
            format!("{}.backup", self.cfg.key),
        ] {
            let r = self.request("DELETE", &blob, "", vec![], Vec::new())?;
            match r.status {
                s if s < 300 || s == 404 => {}
                409 | 412 => {
                    return Err(err(format!(
                        "{} is locked (its blob is leased); nothing was deleted",
                        self.describe()
                    )));
                }
                s => {
                    return Err(err(format!(
                        "cannot delete blob {blob}: {s} {}",
                        String::from_utf8_lossy(&r.body)
                    )));
                }
            }
        }
        Ok(())
    }

    fn journal(&self) -> String {
        format!("{}.journal", self.cfg.key)
    }
}

/// Percent-encodes a query value (all but RFC 3986's unreserved
/// characters).
fn encode_query(v: &str) -> String {
    v.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Decodes `%XX` escapes (Shared Key signs a query's decoded values).
fn decode_query(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = v
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The text of each `<tag>...</tag>` element in `xml`, in order.
fn elements<'a>(xml: &'a str, tag: &str) -> impl Iterator<Item = &'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut rest = xml;
    std::iter::from_fn(move || {
        let start = rest.find(&open)? + open.len();
        let len = rest[start..].find(&close)?;
        let text = &rest[start..start + len];
        rest = &rest[start + len + close.len()..];
        Some(text)
    })
}

fn unescape_xml(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

impl Backend for BlobBackend {
    fn encrypted(&self) -> bool {
        self.cipher.enabled()
    }

    fn forget(&self) -> Result<(), StateError> {
        self.delete_state()
    }

    fn describe(&self) -> String {
        format!(
            "azurerm state {}/{}/{}",
            self.cfg.account, self.cfg.container, self.cfg.key
        )
    }

    fn load(&self) -> Result<Option<State>, StateError> {
        let what = self.describe();
        let state: Option<State> = match self.get(&self.cfg.key)? {
            Some(b) if !b.is_empty() => Some(super::decode_snapshot(&b, &self.cipher, &what)?),
            _ => None,
        };
        let mut records = Vec::new();
        if let Some(j) = self.get(&self.journal())? {
            for line in j.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                // A torn last line was never acknowledged: stop there.
                match super::decode_record(line, &self.cipher, &what) {
                    Ok(rec) => records.push(rec),
                    Err(StateError::Corrupt { .. }) => break,
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(super::replay(state, records))
    }

    fn append(&self, records: &[Record]) -> Result<(), StateError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut block = Vec::new();
        for r in records {
            block.extend(self.cipher.seal(&serde_json::to_vec(r).map_err(err)?)?);
            block.push(b'\n');
        }
        let mut r = self.request(
            "PUT",
            &self.journal(),
            "comp=appendblock",
            vec![],
            block.clone(),
        )?;
        if r.status == 404 {
            let c = self.request(
                "PUT",
                &self.journal(),
                "",
                vec![("x-ms-blob-type".into(), "AppendBlob".into())],
                Vec::new(),
            )?;
            if c.status >= 300 {
                return Err(err(format!(
                    "cannot create the journal blob: {} {}",
                    c.status,
                    String::from_utf8_lossy(&c.body)
                )));
            }
            r = self.request("PUT", &self.journal(), "comp=appendblock", vec![], block)?;
        }
        if r.status >= 300 {
            return Err(err(format!(
                "cannot append to the journal: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )));
        }
        Ok(())
    }

    fn compact(&self, state: &State) -> Result<(), StateError> {
        if let Some(prev) = self.get(&self.cfg.key)?
            && !prev.is_empty()
        {
            self.put_block_blob(&format!("{}.backup", self.cfg.key), prev, false)?;
        }
        self.put_block_blob(
            &self.cfg.key,
            self.cipher
                .seal(&serde_json::to_vec_pretty(state).map_err(err)?)?,
            true,
        )?;
        let d = self.request("DELETE", &self.journal(), "", vec![], Vec::new())?;
        if d.status >= 300 && d.status != 404 {
            return Err(err(format!("cannot reset the journal: {}", d.status)));
        }
        Ok(())
    }

    fn lock(&self, info: &LockInfo) -> Result<(), LockError> {
        // The blob must exist to be leased.
        let head = self
            .request("HEAD", &self.cfg.key, "", vec![], Vec::new())
            .map_err(lock_err)?;
        if head.status == 404 {
            // Only if it still does not exist: another client starting at
            // the same time may have created, leased or even written it.
            let h = vec![
                ("x-ms-blob-type".to_string(), "BlockBlob".to_string()),
                ("content-type".to_string(), "application/json".to_string()),
                ("If-None-Match".to_string(), "*".to_string()),
            ];
            let r = self
                .request("PUT", &self.cfg.key, "", h, Vec::new())
                .map_err(lock_err)?;
            if r.status >= 300 && r.status != 409 && r.status != 412 {
                return Err(lock_err(format!(
                    "cannot create the state blob: {} {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                )));
            }
        }
        let proposed = crate::random::uuid_v4()?;
        let r = self
            .request(
                "PUT",
                &self.cfg.key,
                "comp=lease",
                vec![
                    ("x-ms-lease-action".into(), "acquire".into()),
                    ("x-ms-lease-duration".into(), "-1".into()),
                    ("x-ms-proposed-lease-id".into(), proposed.clone()),
                ],
                Vec::new(),
            )
            .map_err(lock_err)?;
        match r.status {
            201 | 200 => {
                *self.lease.lock().map_err(lock_err)? = Some(proposed.clone());
                let meta = base64::engine::general_purpose::STANDARD
                    .encode(serde_json::to_vec(info).unwrap_or_default());
                *self.holder_meta.lock().map_err(lock_err)? = Some(meta.clone());
                let m = self
                    .request(
                        "PUT",
                        &self.cfg.key,
                        "comp=metadata",
                        vec![
                            ("x-ms-meta-drinfralock".into(), meta),
                            ("x-ms-lease-id".into(), proposed),
                        ],
                        Vec::new(),
                    )
                    .map_err(lock_err)?;
                if m.status >= 300 {
                    return Err(lock_err(format!(
                        "cannot record the lock holder: {}",
                        m.status
                    )));
                }
                Ok(())
            }
            409 => {
                // A holder records itself just after taking the lease: give
                // it a moment rather than report a holder without an ID.
                for _ in 0..25 {
                    if let Some(h) = self.lock_holder()? {
                        return Err(LockError::Held(Box::new(h)));
                    }
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(LockError::Held(Box::new(LockInfo {
                    id: String::new(),
                    operation: "unknown".into(),
                    who: "another client (blob leased)".into(),
                    host: String::new(),
                    pid: 0,
                    created: String::new(),
                    ci_run_url: None,
                    path: self.describe(),
                })))
            }
            s => Err(lock_err(format!(
                "cannot lease the state blob: {s} {}",
                String::from_utf8_lossy(&r.body)
            ))),
        }
    }

    fn unlock(&self, id: &str) -> Result<(), LockError> {
        let holder = self.lock_holder()?.ok_or(LockError::NotLocked)?;
        if holder.id != id {
            return Err(LockError::Mismatch {
                given: id.to_string(),
                current: holder.id,
            });
        }
        let mine = self.lease.lock().map_err(lock_err)?.take();
        self.holder_meta.lock().map_err(lock_err)?.take();
        let mine_was_broken = mine.is_none();
        // The holder record is cleared with the lease, so the next client
        // never sees a stale holder in the moment between taking the lease
        // and writing its own (a stale holder looks dead and would be broken).
        let clear = |lease: Option<String>| {
            self.request(
                "PUT",
                &self.cfg.key,
                "comp=metadata",
                lease
                    .map(|l| vec![("x-ms-lease-id".to_string(), l)])
                    .unwrap_or_default(),
                Vec::new(),
            )
        };
        let r = match mine {
            Some(lease) => {
                clear(Some(lease.clone())).map_err(lock_err)?;
                self.request(
                    "PUT",
                    &self.cfg.key,
                    "comp=lease",
                    vec![
                        ("x-ms-lease-action".into(), "release".into()),
                        ("x-ms-lease-id".into(), lease),
                    ],
                    Vec::new(),
                )
            }
            // Another client's lease (force-unlock): break it now.
            None => self.request(
                "PUT",
                &self.cfg.key,
                "comp=lease",
                vec![
                    ("x-ms-lease-action".into(), "break".into()),
                    ("x-ms-lease-break-period".into(), "0".into()),
                ],
                Vec::new(),
            ),
        }
        .map_err(lock_err)?;
        if r.status >= 300 {
            return Err(lock_err(format!(
                "cannot release the lease: {} {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            )));
        }
        if mine_was_broken {
            // Fails harmlessly (412) if a new holder has leased it meanwhile.
            let _ = clear(None);
        }
        Ok(())
    }

    fn lock_holder(&self) -> Result<Option<LockInfo>, LockError> {
        let r = self
            .request("HEAD", &self.cfg.key, "", vec![], Vec::new())
            .map_err(lock_err)?;
        if r.status == 404 {
            return Ok(None);
        }
        let leased = r
            .headers
            .get("x-ms-lease-state")
            .and_then(|v| v.to_str().ok())
            == Some("leased");
        if !leased {
            return Ok(None);
        }
        let info = r
            .headers
            .get("x-ms-meta-drinfralock")
            .and_then(|v| v.to_str().ok())
            .and_then(|m| base64::engine::general_purpose::STANDARD.decode(m).ok())
            .and_then(|b| serde_json::from_slice(&b).ok());
        Ok(info)
    }
}
