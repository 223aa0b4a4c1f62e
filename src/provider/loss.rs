//! What a promotion lost, where the cloud can count it.

/// The writes a forced promotion lost on one data store, as the cloud
/// counted them (the emulator's data plane can; Azure cannot).
#[derive(Debug, Clone, PartialEq)]
pub struct LostWrites {
    /// Writes the source took that never reached the promoted copy.
    pub count: u64,
    /// The window they fell in (UTC, RFC 3339): from the replication cut
    /// to where the source stopped (the outage's start); None when nothing
    /// was cut (a planned promotion).
    pub window: Option<(String, String)>,
}
