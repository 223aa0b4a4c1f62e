//! Long-running operations as the provider records them: enough for the
//! next run to follow an operation an interrupted apply left running (state
//! stores these; the provider decides what they hold).

use serde::{Deserialize, Serialize};

/// An operation a provider started and had not seen finish when an apply
/// was interrupted: enough to follow it to its end later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingOperation {
    /// The provider that started it (`azurerm`).
    pub provider: String,
    /// The resource address whose step started it, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The object it acts on (an ARM id).
    pub id: String,
    /// PUT, PATCH, DELETE, or POST for an action.
    pub method: String,
    /// How to follow it: `azure-asyncoperation`, `location`, or
    /// `provisioning-state` (watch the object itself).
    pub style: String,
    /// Where to poll.
    pub url: String,
    pub api_version: String,
    pub started: String,
}
