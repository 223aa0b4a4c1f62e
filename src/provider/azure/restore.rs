//! Point-in-time restore windows: what the provider learnt of each
//! PostgreSQL server it read (creation time, backup retention), so a plan
//! can check `point_in_time_restore_time_in_utc` against the source's
//! window on the cloud's clock before anything is created, as Azure
//! checks it when the restore starts.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value as J;

/// Server id (lower case) -> (earliest restore point when read, retention
/// seconds): later, the window starts at the later of that point and now
/// minus the retention.
#[derive(Debug, Default)]
pub struct BackupWindows(Mutex<BTreeMap<String, (f64, f64)>>);

impl BackupWindows {
    /// Remembers a server's window from its ARM body.
    pub(super) fn learn(&self, body: &J) {
        let Some(id) = body["id"].as_str() else {
            return;
        };
        // Azure's own figure (`backup.earliestRestoreDate`), else the
        // creation time where the body has it.
        let created = body
            .pointer("/properties/backup/earliestRestoreDate")
            .or_else(|| body.pointer("/systemData/createdAt"))
            .and_then(J::as_str)
            .and_then(crate::timefmt::parse_rfc3339)
            .map(|t| t as f64);
        let days = body
            .pointer("/properties/backup/backupRetentionDays")
            .and_then(J::as_f64)
            .unwrap_or(7.0);
        if let (Some(created), Ok(mut m)) = (created, self.0.lock()) {
            m.insert(id.to_lowercase(), (created, days * 86_400.0));
        }
    }

    /// Why restoring `source` to `at` would be refused, with the window,
    /// when the source's window and the cloud's time `now` are known.
    pub(super) fn refusal(&self, source: &str, at: f64, now: Option<f64>) -> Option<String> {
        let (created, retention) = *self.0.lock().ok()?.get(&source.to_lowercase())?;
        let now = now?;
        let earliest = created.max(now - retention);
        let fmt = |t: f64| crate::timefmt::rfc3339(t);
        if at < earliest {
            Some(format!(
                "{} is before the earliest restore point of {} ({}; backups kept {} days); restore to a time between {} and now ({} on the cloud's clock)",
                fmt(at),
                source.rsplit('/').next().unwrap_or(source),
                fmt(earliest),
                (retention / 86_400.0).round(),
                fmt(earliest),
                fmt(now)
            ))
        } else if at > now {
            Some(format!(
                "{} is in the future: the cloud's time is {}; a restore point must lie between {} and now",
                fmt(at),
                fmt(now),
                fmt(earliest)
            ))
        } else {
            None
        }
    }
}
