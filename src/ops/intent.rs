//! What a failover is about to do: decided from the configuration, the
//! recorded standing and the flags before anything changes; views word it.

use crate::config::model::FailoverGroup;
use crate::failover::GroupView;
use crate::failover::scope::Scope;
use crate::state::{FailoverRecord, FailoverStatus};

/// What a failover is about to do, decided before anything changes.
#[derive(Debug, Clone)]
pub struct FailoverIntent {
    pub group: String,
    pub to: String,
    pub scope: Scope,
    pub forced: bool,
    /// Continuing a failover recorded as in progress.
    pub resuming: bool,
    /// The group as declared in the configuration.
    pub declared: FailoverGroup,
    /// Where the group stands now, and where it will stand.
    pub now: GroupView,
    pub target: GroupView,
    /// Storage accounts failed over with the data phase.
    pub accounts: Vec<String>,
}

impl FailoverIntent {
    /// This failover's record at `status`, after `previous`: by whom,
    /// why, and what it deferred.
    pub fn record(
        &self,
        previous: Option<&FailoverRecord>,
        status: FailoverStatus,
        by: &str,
        reason: &str,
        deferred: Vec<String>,
    ) -> FailoverRecord {
        crate::failover::record(
            previous,
            &self.now.active,
            &self.target,
            status,
            by,
            reason,
            deferred,
        )
    }

    pub fn traffic_only(&self) -> bool {
        self.scope == Scope::Traffic
    }
    pub fn data_only(&self) -> bool {
        self.scope == Scope::Data
    }
    /// The site the failover moves away from (traffic's, for traffic only).
    pub fn from(&self) -> &str {
        if self.traffic_only() {
            &self.now.traffic
        } else {
            &self.now.active
        }
    }
}
