//! A local Azure Resource Manager: the cloud every example runs against,
//! the target of the real ARM client in tests, and the stage failover
//! drills are rehearsed on. It is a separate HTTP(S) server; the Azure
//! provider talks to it exactly as to management.azure.com.
//!
//! See docs/emulator.md for the supported surface.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

mod arm;
mod clock;
mod graph;
mod kube;
mod server;
pub mod store;
pub mod throttle;
pub mod tls;
mod types;

#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The client for the emulator could not be built.
    #[error("emulator client: {0}")]
    Client(String),
}

/// Settings that can change at run time (`PUT /admin/settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Simulated seconds per real second.
    pub time_scale: f64,
    pub throttle: throttle::Limits,
    /// Items per list page.
    pub page_size: usize,
    /// Start every list with an empty page that has a nextLink.
    pub empty_pages: bool,
    /// Simulated seconds a replica trails its source.
    pub replication_lag_secs: f64,
    /// Serve classic Front Door creation (an existing estate).
    pub allow_classic_frontdoor_create: bool,
    /// Largest Retry-After sent, in seconds.
    pub max_retry_after: u64,
    /// Multiplies every operation's simulated duration.
    pub duration_factor: f64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            time_scale: 1.0,
            throttle: throttle::Limits::default(),
            page_size: 100,
            empty_pages: false,
            replication_lag_secs: 10.0,
            allow_classic_frontdoor_create: false,
            max_retry_after: 10,
            duration_factor: 1.0,
        }
    }
}

/// A rule that makes the next matching operation fail after it started.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FailRule {
    /// Substring of the resource type or id (case-insensitive); empty = any.
    #[serde(default)]
    pub matches: String,
    #[serde(default = "default_fail_code")]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

impl FailRule {
    /// Whether the rule applies to resource `id` of type `ty`.
    fn matches(&self, id: &str, ty: &str) -> bool {
        let m = self.matches.to_lowercase();
        m.is_empty() || id.to_lowercase().contains(&m) || ty.to_lowercase().contains(&m)
    }

    /// The code and message of the operation it fails.
    pub(crate) fn error(&self, default_message: &str) -> (String, String) {
        let message = if self.message.is_empty() {
            default_message
        } else {
            &self.message
        };
        (self.code.clone(), message.to_string())
    }
}

fn default_fail_code() -> String {
    "InternalServerError".into()
}

/// Faults switched on and off at run time (`/admin/faults`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Faults {
    /// Regions whose resources fail (or time out) and whose operations stall.
    pub regions_down: Vec<String>,
    /// When each region in `regions_down` went down, in simulated time
    /// (RFC 3339): the start of the outage a drill's detection is measured
    /// from. A view of the store's record (`types::outage_since`), which
    /// a forced promotion cuts at; kept as regions go down and come back.
    pub outages: BTreeMap<String, String>,
    /// `error` (503 at once) or `timeout` (hang, then 504).
    pub region_mode: String,
    /// Real seconds a request hangs in `timeout` mode.
    pub region_timeout_secs: f64,
    /// Share of ARM requests answered with a transient 429, 500 or 503.
    pub transient_rate: f64,
    pub transient_seed: u64,
    pub fail_next: Vec<FailRule>,
    /// Sites' services made to fail their health (`HOST` or `HOST/PATH`,
    /// as `/services/HOST/PATH` names them), for drills of a failed verify.
    pub unhealthy_services: Vec<String>,
}

impl Faults {
    /// No faults; a region taken down answers 503 at once (or, in
    /// `timeout` mode, hangs 3 s).
    pub fn none() -> Faults {
        Faults {
            region_mode: "error".into(),
            region_timeout_secs: 3.0,
            ..Faults::default()
        }
    }
}

/// The emulator's identities and subscriptions (`credentials.json`): the
/// client credentials the token endpoint accepts, and the subscriptions
/// it serves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Credentials {
    pub tenant_id: String,
    pub client_id: String,
    pub client_secret: String,
    /// The default subscription (examples and drinfra's embedded runs).
    pub subscription_id: String,
    /// Every subscription the emulator serves (the default one always);
    /// ARM requests under any other answer 404 `SubscriptionNotFound`.
    #[serde(default = "default_subscriptions")]
    pub subscriptions: Vec<String>,
    /// Further service principals, each authorised (RBAC) only on its own
    /// subscriptions; the main client above is authorised on all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub principals: Vec<Principal>,
}

/// A service principal with access to some subscriptions only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Principal {
    pub client_id: String,
    pub client_secret: String,
    /// Its tenant; the emulator's tenant when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tenant_id: Option<String>,
    pub subscriptions: Vec<String>,
}

/// The default subscription and a second one, for a DR site kept in
/// another subscription.
pub const DEFAULT_SUBSCRIPTIONS: [&str; 2] = [
    "00000000-0000-0000-0000-000000000001",
    "00000000-0000-0000-0000-000000000002",
];

fn default_subscriptions() -> Vec<String> {
    DEFAULT_SUBSCRIPTIONS
        .iter()
        .map(|s| s.to_string())
        .collect()
}

impl Credentials {
    /// Whether the emulator serves subscription `sub`.
    pub fn serves(&self, sub: &str) -> bool {
        sub.eq_ignore_ascii_case(&self.subscription_id)
            || self
                .subscriptions
                .iter()
                .any(|s| s.eq_ignore_ascii_case(sub))
    }

    /// Whether client `client_id` may act in subscription `sub`.
    pub fn authorised(&self, client_id: &str, sub: &str) -> bool {
        if client_id == self.client_id {
            return self.serves(sub);
        }
        self.principals.iter().any(|p| {
            p.client_id == client_id
                && p.subscriptions.iter().any(|s| s.eq_ignore_ascii_case(sub))
                && self.serves(sub)
        })
    }

    /// The tenant and secret of a client the token endpoint knows.
    pub(crate) fn client(&self, client_id: &str) -> Option<(&str, &str)> {
        if client_id == self.client_id {
            return Some((&self.tenant_id, &self.client_secret));
        }
        self.principals
            .iter()
            .find(|p| p.client_id == client_id)
            .map(|p| {
                (
                    p.tenant_id.as_deref().unwrap_or(&self.tenant_id),
                    p.client_secret.as_str(),
                )
            })
    }

    fn load_or_create(dir: &Path) -> Result<Credentials, EmulatorError> {
        let path = dir.join("credentials.json");
        if let Ok(text) = std::fs::read_to_string(&path)
            && let Ok(c) = serde_json::from_str(&text)
        {
            return Ok(c);
        }
        let c = Credentials {
            tenant_id: crate::random::uuid_v4().map_err(store::StoreError::from)?,
            client_id: crate::random::uuid_v4().map_err(store::StoreError::from)?,
            client_secret: crate::random::uuid_v4().map_err(store::StoreError::from)?,
            subscription_id: DEFAULT_SUBSCRIPTIONS[0].into(),
            subscriptions: default_subscriptions(),
            principals: Vec::new(),
        };
        std::fs::write(&path, serde_json::to_vec_pretty(&c).unwrap_or_default()).map_err(
            |source| EmulatorError::Io {
                path: path.display().to_string(),
                source,
            },
        )?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        Ok(c)
    }
}

/// One request as it reached the emulator (for drills and tests).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub status: u16,
    /// Simulated time.
    pub at: f64,
}

/// How to run the emulator.
#[derive(Debug, Clone)]
pub struct Options {
    pub data_dir: PathBuf,
    pub tls: bool,
    pub settings: Settings,
}

/// A running emulator.
pub struct Running {
    pub url: String,
    pub addr: SocketAddr,
    /// PEM of the CA clients must trust (with TLS).
    pub ca_pem: Option<String>,
    pub credentials: Credentials,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops accepting connections and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
    }
}

/// Starts the emulator on `addr` (port 0 for an ephemeral one).
pub async fn start(opts: Options, addr: SocketAddr) -> Result<Running, EmulatorError> {
    std::fs::create_dir_all(&opts.data_dir).map_err(|source| EmulatorError::Io {
        path: opts.data_dir.display().to_string(),
        source,
    })?;
    let store = store::Store::open(&opts.data_dir)?;
    let sim_start = store.meta("sim_time")?.and_then(|s| s.parse::<f64>().ok());
    let mut settings = opts.settings.clone();
    if let Some(saved) = store
        .meta("settings")?
        .and_then(|s| serde_json::from_str::<Settings>(&s).ok())
    {
        // Run-time settings persist, except the time scale the caller chose.
        settings = Settings {
            time_scale: opts.settings.time_scale,
            ..saved
        };
    }
    let creds = Credentials::load_or_create(&opts.data_dir)?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| EmulatorError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let local = listener
        .local_addr()
        .map_err(|source| EmulatorError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let (ca_pem, tls) = if opts.tls {
        let (pem, cfg) = tls::server_config(&opts.data_dir)?;
        (Some(pem), Some(tokio_rustls::TlsAcceptor::from(cfg)))
    } else {
        (None, None)
    };
    let host = if local.ip().is_loopback() {
        "localhost".to_string()
    } else {
        local.ip().to_string()
    };
    let url = format!(
        "{}://{host}:{}",
        if tls.is_some() { "https" } else { "http" },
        local.port()
    );
    // The vaults' `vaultUri` points at this run's URL.
    store.set_meta(types::key_vault_data::BASE_URL_META, &url)?;
    let shared = Arc::new(server::Shared::new(
        store,
        settings,
        sim_start,
        creds.clone(),
        url.clone(),
        ca_pem.clone(),
    ));
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(server::serve(listener, tls, shared, rx));
    Ok(Running {
        url,
        addr: local,
        ca_pem,
        credentials: creds,
        shutdown: Some(tx),
        task: Some(task),
    })
}

/// Every supported type with its api-versions, for documentation.
pub fn supported_types() -> BTreeMap<String, Vec<String>> {
    types::all()
        .into_iter()
        .map(|s| {
            (
                s.ty.to_string(),
                s.api_versions.iter().map(|v| v.to_string()).collect(),
            )
        })
        .collect()
}

/// An HTTP client that trusts the emulator's CA (and nothing else), for
/// the CLI's admin commands and for tests.
pub fn client(ca_pem: Option<&str>) -> Result<reqwest::Client, EmulatorError> {
    let mut roots = rustls::RootCertStore::empty();
    if let Some(pem) = ca_pem {
        for der in pem_certs(pem) {
            roots
                .add(der)
                .map_err(|e| EmulatorError::Client(format!("invalid CA certificate: {e}")))?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| EmulatorError::Client(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder()
        .use_preconfigured_tls(tls)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| EmulatorError::Client(e.to_string()))
}

/// DER certificates in a PEM bundle.
fn pem_certs(pem: &str) -> Vec<rustls::pki_types::CertificateDer<'static>> {
    use base64::Engine as _;
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut inside = false;
    for line in pem.lines() {
        if line.starts_with("-----BEGIN CERTIFICATE-----") {
            inside = true;
            cur.clear();
        } else if line.starts_with("-----END CERTIFICATE-----") {
            inside = false;
            if let Ok(der) = base64::engine::general_purpose::STANDARD.decode(cur.trim()) {
                out.push(rustls::pki_types::CertificateDer::from(der));
            }
        } else if inside {
            cur.push_str(line.trim());
        }
    }
    out
}
