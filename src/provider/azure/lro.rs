//! Long-running operations: the three ARM ways to follow one, and the
//! registry that lets an interrupted apply record what is still running
//! (its polling URL) and the next run follow it instead of sending the
//! same request again.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::provider::PendingOperation;

/// How to learn that an operation has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Poll {
    /// `Azure-AsyncOperation`: a status document with `status`.
    AsyncOperation(String),
    /// `Location` on a 202: 202 while running, then the result.
    Location(String),
    /// No status URL: watch the resource's `provisioningState`.
    Provisioning(String),
}

impl Poll {
    pub fn style(&self) -> &'static str {
        match self {
            Poll::AsyncOperation(_) => "azure-asyncoperation",
            Poll::Location(_) => "location",
            Poll::Provisioning(_) => "provisioning-state",
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Poll::AsyncOperation(u) | Poll::Location(u) | Poll::Provisioning(u) => u,
        }
    }

    pub fn of(op: &PendingOperation) -> Option<Poll> {
        match op.style.as_str() {
            "azure-asyncoperation" => Some(Poll::AsyncOperation(op.url.clone())),
            "location" => Some(Poll::Location(op.url.clone())),
            "provisioning-state" => Some(Poll::Provisioning(op.url.clone())),
            _ => None,
        }
    }
}

/// The style of a create intent: no operation to follow, only the id a
/// run was creating (see `Provider::create_intent`).
pub const CREATE_INTENT: &str = "create-intent";

/// Writes (PUT, PATCH) resume each other; deletes and actions only their own kind.
fn same_kind(a: &str, b: &str) -> bool {
    let class = |m: &str| {
        if m.eq_ignore_ascii_case("PUT") || m.eq_ignore_ascii_case("PATCH") {
            "write".to_string()
        } else {
            m.to_ascii_uppercase()
        }
    };
    class(a) == class(b)
}

#[derive(Default)]
pub struct Registry {
    next: AtomicU64,
    running: Mutex<BTreeMap<u64, PendingOperation>>,
    resumable: Mutex<Vec<PendingOperation>>,
}

/// Keeps an operation in the running list while it is followed; dropped
/// (finished, failed, or the task aborted) it leaves the list.
pub struct Tracked<'a> {
    registry: &'a Registry,
    key: u64,
}

impl Drop for Tracked<'_> {
    fn drop(&mut self) {
        if let Ok(mut r) = self.registry.running.lock() {
            r.remove(&self.key);
        }
    }
}

impl Registry {
    pub fn track(&self, op: PendingOperation) -> Tracked<'_> {
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        if let Ok(mut r) = self.running.lock() {
            r.insert(key, op);
        }
        Tracked {
            registry: self,
            key,
        }
    }

    /// Operations being followed now.
    pub fn running(&self) -> Vec<PendingOperation> {
        self.running
            .lock()
            .map(|r| r.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Operations an interrupted run left, to be taken up by id.
    pub fn load(&self, ops: Vec<PendingOperation>) {
        if let Ok(mut r) = self.resumable.lock() {
            *r = ops;
        }
    }

    /// The left-running operation on `id` of this kind of request, if any;
    /// taken, so it is followed once.
    pub fn take(&self, id: &str, method: &str) -> Option<PendingOperation> {
        let mut r = self.resumable.lock().ok()?;
        let at = r.iter().position(|op| {
            op.style != CREATE_INTENT
                && op.id.eq_ignore_ascii_case(id)
                && same_kind(&op.method, method)
        })?;
        Some(r.remove(at))
    }

    /// Whether an interrupted run was creating `id`; taken, so it counts once.
    pub fn take_intent(&self, id: &str) -> bool {
        let Ok(mut r) = self.resumable.lock() else {
            return false;
        };
        match r
            .iter()
            .position(|op| op.style == CREATE_INTENT && op.id.eq_ignore_ascii_case(id))
        {
            Some(at) => {
                r.remove(at);
                true
            }
            None => false,
        }
    }

    pub fn unresumed(&self) -> Vec<PendingOperation> {
        self.resumable.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(id: &str, method: &str) -> PendingOperation {
        PendingOperation {
            provider: "azurerm".into(),
            address: None,
            id: id.into(),
            method: method.into(),
            style: "location".into(),
            url: "https://x/op/1".into(),
            api_version: "2024-01-01".into(),
            started: String::new(),
        }
    }

    #[test]
    fn tracked_operations_leave_the_list_when_dropped() {
        let r = Registry::default();
        let a = r.track(op("/a", "PUT"));
        let b = r.track(op("/b", "DELETE"));
        assert_eq!(r.running().len(), 2);
        drop(a);
        assert_eq!(
            r.running()
                .iter()
                .map(|o| o.id.as_str())
                .collect::<Vec<_>>(),
            vec!["/b"]
        );
        drop(b);
        assert!(r.running().is_empty());
    }

    #[test]
    fn a_left_running_write_is_taken_once_by_the_next_write_of_that_id() {
        let r = Registry::default();
        r.load(vec![
            op("/Subscriptions/S/resourceGroups/RG", "PUT"),
            op("/x", "DELETE"),
        ]);
        assert!(
            r.take("/subscriptions/s/resourcegroups/rg", "DELETE")
                .is_none(),
            "a delete does not resume a write"
        );
        assert!(
            r.take("/subscriptions/s/resourcegroups/rg", "PATCH")
                .is_some()
        );
        assert!(
            r.take("/subscriptions/s/resourcegroups/rg", "PUT")
                .is_none(),
            "taken once"
        );
        assert_eq!(r.unresumed().len(), 1);
        assert_eq!(
            Poll::of(&r.unresumed()[0]),
            Some(Poll::Location("https://x/op/1".into()))
        );
    }
}
