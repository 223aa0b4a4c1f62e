//! State locks: who holds one, waiting for it, and telling a dead holder.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::timefmt::parse_rfc3339;

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
    #[error("the state is locked by {}", held_by(.0))]
    Held(Box<LockInfo>),
    #[error("lock ID {given:?} does not match the current lock {current:?}")]
    Mismatch { given: String, current: String },
    #[error("the state is not locked")]
    NotLocked,
    #[error("lock file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot make a lock ID: {0}")]
    Random(#[from] crate::random::RandomError),
}

/// The holder as a lock error names it; a holder that records no lock ID
/// or time (Terraform's advisory lock) is not given empty ones.
fn held_by(h: &LockInfo) -> String {
    let mut s = format!("{} (operation {:?}", h.who, h.operation);
    if !h.id.is_empty() {
        s.push_str(&format!(", lock ID {}", h.id));
    }
    if !h.created.is_empty() {
        s.push_str(&format!(", since {}", h.created));
    }
    s + ")"
}

impl LockInfo {
    /// A lock for `operation` held by this process.
    pub fn for_operation(
        operation: &str,
        path: &str,
        env: &[(String, String)],
    ) -> Result<LockInfo, LockError> {
        let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let user = get("USER")
            .or_else(|| get("USERNAME"))
            .unwrap_or_else(|| "unknown".into());
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

    /// Whether the holder is a process on this machine that has exited
    /// (or exited and has not been reaped, or whose pid now belongs to a
    /// process started after the lock was taken). When that cannot be told
    /// the holder counts as alive: a live lock is never broken.
    pub fn holder_is_dead(&self) -> bool {
        self.host == hostname()
            && self.pid != 0
            && process_is_gone(self.pid, parse_rfc3339(&self.created))
    }
}

/// Whether process `pid` on this host has exited: `kill(pid, 0)` says
/// whether the pid exists; `/proc/PID/stat`, where there is a `/proc`,
/// tells an exited but unreaped process (a zombie, as under a PID 1 that
/// does not reap) and a pid reused by a process started after `since`
/// (the lock's creation, in Unix seconds).
#[cfg(unix)]
fn process_is_gone(pid: u32, since: Option<i64>) -> bool {
    let Ok(p) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if p <= 0 {
        return false;
    }
    // SAFETY: signal 0 only checks that the process exists and may be
    // signalled; it has no effect on the process.
    let r = unsafe { libc::kill(p, 0) };
    if r != 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH) {
        return true;
    }
    // It exists (or belongs to another user: EPERM). Ask /proc what it is.
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    let Some(fields) = stat
        .rfind(')')
        .map(|i| stat[i + 1..].split_whitespace().collect::<Vec<_>>())
    else {
        return false;
    };
    // Fields after the command: state is the first, starttime the 20th.
    if matches!(fields.first(), Some(&"Z") | Some(&"X") | Some(&"x")) {
        return true;
    }
    match (
        since,
        fields.get(19).and_then(|t| t.parse::<u64>().ok()),
        boot_time(),
    ) {
        (Some(since), Some(ticks), Some(btime)) => {
            // SAFETY: sysconf has no preconditions.
            let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
            if hz <= 0 {
                return false;
            }
            let started = btime.saturating_add((ticks / hz as u64) as i64);
            // A process started after the lock was taken is not its holder
            // (with slack for tick rounding and a clock adjustment).
            started > since.saturating_add(5)
        }
        _ => false,
    }
}

#[cfg(not(unix))]
fn process_is_gone(_pid: u32, _since: Option<i64>) -> bool {
    false
}

/// The boot time in Unix seconds, from `/proc/stat`.
#[cfg(unix)]
fn boot_time() -> Option<i64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse().ok())
}

/// The run URL that CI systems expose in their environment.
fn ci_run_url(get: &dyn Fn(&str) -> Option<String>) -> Option<String> {
    if let (Some(server), Some(repo), Some(run)) = (
        get("GITHUB_SERVER_URL"),
        get("GITHUB_REPOSITORY"),
        get("GITHUB_RUN_ID"),
    ) {
        return Some(format!("{server}/{repo}/actions/runs/{run}"));
    }
    if let (Some(coll), Some(project), Some(build)) = (
        get("SYSTEM_COLLECTIONURI"),
        get("SYSTEM_TEAMPROJECT"),
        get("BUILD_BUILDID"),
    ) {
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
                    match backend.unlock(&holder.id) {
                        Ok(()) => stale(&holder),
                        // Another waiter broke it first (and may hold a new
                        // lock now): look again.
                        Err(LockError::NotLocked | LockError::Mismatch { .. }) => {}
                        Err(e) => return Err(e),
                    }
                    continue;
                }
                if start.elapsed() >= timeout {
                    return Err(LockError::Held(holder));
                }
                if !told {
                    waiting(&holder);
                    told = true;
                }
                std::thread::sleep(
                    Duration::from_millis(100)
                        .min(timeout.saturating_sub(start.elapsed()))
                        .max(Duration::from_millis(10)),
                );
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held_by(pid: u32, created: &str) -> LockInfo {
        LockInfo {
            id: "x".into(),
            operation: "apply".into(),
            who: "t".into(),
            host: hostname(),
            pid,
            created: created.into(),
            ci_run_url: None,
            path: String::new(),
        }
    }

    #[test]
    fn lock_times_parse_back() {
        for secs in [0.0, 951_782_400.0, 1_700_000_000.0, 4_102_444_800.0] {
            assert_eq!(
                parse_rfc3339(&crate::timefmt::rfc3339(secs)),
                Some(secs as i64)
            );
        }
        assert_eq!(parse_rfc3339("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_rfc3339("garbage"), None);
        assert_eq!(parse_rfc3339("2026-01-01T00:00:00+01:00"), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_killed_but_unreaped_holder_is_dead_and_a_live_one_is_not() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        let pid = child.id();
        assert!(
            !held_by(pid, &now_rfc3339()).holder_is_dead(),
            "a running holder is alive"
        );
        child.kill().expect("SIGKILL");
        // Not reaped yet: a zombie, which /proc/PID still shows.
        let mut dead = false;
        for _ in 0..100 {
            if held_by(pid, &now_rfc3339()).holder_is_dead() {
                dead = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(
            std::path::Path::new(&format!("/proc/{pid}")).exists(),
            "still a zombie"
        );
        assert!(dead, "a zombie holder is dead");
        child.wait().unwrap();
        assert!(
            held_by(pid, &now_rfc3339()).holder_is_dead(),
            "a reaped holder is dead"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_pid_reused_after_the_lock_was_taken_is_not_the_holder() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep runs");
        let reused = held_by(child.id(), "2000-01-01T00:00:00Z");
        let dead = reused.holder_is_dead();
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(dead, "the process at that pid started long after the lock");
    }

    #[test]
    fn holders_elsewhere_or_unknown_count_as_alive() {
        let mut other = held_by(u32::MAX, &now_rfc3339());
        assert!(
            !other.holder_is_dead(),
            "a pid that cannot exist is not taken for dead"
        );
        other.host = format!("not-{}", hostname());
        other.pid = 1;
        assert!(!other.holder_is_dead());
        assert!(
            !held_by(std::process::id(), &now_rfc3339()).holder_is_dead(),
            "this process is alive"
        );
    }
}
