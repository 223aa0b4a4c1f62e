//! State locks: who holds one, waiting for it, and telling a dead holder.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID")]
    pub id: String,
    #[serde(rename = "Operation")]
    pub operation: String,
    #[serde(rename = "Who")]
    pub who: String,
    #[serde(rename = "Host")]
    pub host: String,
    #[serde(rename = "Pid")]
    pub pid: u32,
    #[serde(rename = "Created")]
    pub created: String,
    #[serde(rename = "CiRunUrl", default, skip_serializing_if = "Option::is_none")]
    pub ci_run_url: Option<String>,
    #[serde(rename = "Path", default)]
    pub path: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("the state is locked by {} (operation {:?}, lock ID {}, since {})", .0.who, .0.operation, .0.id, .0.created)]
    Held(Box<LockInfo>),
    #[error("lock ID {given:?} does not match the current lock {current:?}")]
    Mismatch { given: String, current: String },
    #[error("the state is not locked")]
    NotLocked,
    #[error("lock file {path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("cannot make a lock ID: {0}")]
    Random(#[from] crate::random::RandomError),
}

impl LockInfo {
    /// A lock for `operation` held by this process.
    pub fn for_operation(operation: &str, path: &str, env: &[(String, String)]) -> Result<LockInfo, LockError> {
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let user = get("USER").or_else(|| get("USERNAME")).unwrap_or_else(|| "unknown".into());
        let host = hostname();
        Ok(LockInfo {
            id: crate::random::uuid_v4()?,
            operation: operation.to_string(),
            who: format!("{user}@{host}"),
            host,
            pid: std::process::id(),
            created: now_rfc3339(),
            ci_run_url: ci_run_url(&get),
            path: path.to_string(),
        })
    }

    /// Whether the holder is a process on this machine that has exited.
    pub fn holder_is_dead(&self) -> bool {
        self.host == hostname() && self.pid != 0 && !std::path::Path::new(&format!("/proc/{}", self.pid)).exists()
    }
}

/// The run URL that CI systems expose in their environment.
fn ci_run_url(get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let (Some(server), Some(repo), Some(run)) = (get("GITHUB_SERVER_URL"), get("GITHUB_REPOSITORY"), get("GITHUB_RUN_ID")) {
        return Some(format!("{server}/{repo}/actions/runs/{run}"));
    }
    if let (Some(coll), Some(project), Some(build)) = (get("SYSTEM_COLLECTIONURI"), get("SYSTEM_TEAMPROJECT"), get("BUILD_BUILDID")) {
        return Some(format!("{coll}{project}/_build/results?buildId={build}"));
    }
    get("CI_JOB_URL").or_else(|| get("BUILD_URL"))
}

pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

/// UTC time as `2006-01-02T15:04:05Z`.
pub fn now_rfc3339() -> String {
    crate::timefmt::now()
}

/// Takes the lock, waiting up to `timeout`; calls `waiting` once with the
/// holder when it has to wait. A lock left by a dead local process is
/// broken (and reported through `stale`).
pub fn acquire(
    backend: &dyn super::Backend,
    info: &LockInfo,
    timeout: Duration,
    waiting: &mut dyn FnMut(&LockInfo),
    stale: &mut dyn FnMut(&LockInfo),
) -> Result<(), LockError> {
    let start = Instant::now();
    let mut told = false;
    loop {
        match backend.lock(info) {
            Ok(()) => return Ok(()),
            Err(LockError::Held(holder)) => {
                if holder.holder_is_dead() {
                    stale(&holder);
                    backend.unlock(&holder.id)?;
                    continue;
                }
                if start.elapsed() >= timeout {
                    return Err(LockError::Held(holder));
                }
                if !told {
                    waiting(&holder);
                    told = true;
                }
                std::thread::sleep(Duration::from_millis(100).min(timeout.saturating_sub(start.elapsed())).max(Duration::from_millis(10)));
            }
            Err(e) => return Err(e),
        }
    }
}
