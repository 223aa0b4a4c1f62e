//! Who runs an operation, and recording where a failover group stands.

use crate::failover::GroupView;
use crate::state::{Change, FailoverRecord, Record, State};

use super::error::Result;
use super::session::Session;

/// "eastus active, traffic on eastus, database on westeurope".
pub fn how_it_stands(v: &GroupView) -> String {
    let apart: String = v
        .components
        .iter()
        .map(|(k, c)| {
            if k == crate::failover::scope::STORAGE {
                ", storage failed over to its secondary region".to_string()
            } else {
                format!(", {k} on {}", c.active)
            }
        })
        .collect();
    format!("{} active, traffic on {}{apart}", v.active, v.traffic)
}

/// Who runs the operation, for records and reports: `user@host`.
pub fn who(env: &[(String, String)]) -> String {
    let var = |k: &str| {
        env.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.is_empty())
    };
    let user = var("USER")
        .or_else(|| var("LOGNAME"))
        .or_else(|| var("USERNAME"))
        .unwrap_or_else(|| "unknown".into());
    format!("{user}@{}", crate::state::lock::hostname())
}

/// Records `record` for `group` stamped with cloud time `at` (Unix
/// seconds) instead of this machine's clock.
pub fn save_record_at(s: &Session, group: &str, mut record: FailoverRecord, at: f64) -> Result<()> {
    let stamp = crate::timefmt::rfc3339(at);
    if let Some(last) = record.history.last_mut()
        && let Some(rest) = last.strip_prefix(&record.since)
    {
        *last = format!("{stamp}{rest}");
    }
    record.since = stamp;
    save_record(s, group, record)
}

/// Records `record` for `group` as a new serial (the session holds the lock).
pub fn save_record(s: &Session, group: &str, record: FailoverRecord) -> Result<()> {
    let mut state = State::or_new(s.backend.load()?)?;
    state.failover_groups.insert(group.to_string(), record);
    state.serial = state.next_serial()?;
    s.backend.append(&[Record {
        serial: state.serial,
        change: Change::Replace(Box::new(state.clone())),
    }])?;
    s.backend.compact(&state)?;
    Ok(())
}
