//! azurerm's `timeouts { create, read, update, delete }` block: how long
//! one operation on a resource may take. It is never sent to Azure; like
//! azurerm, drinfra keeps it in state. The limit reaches the ARM client's
//! operation polling through a task-local, set around one provider call.

use std::future::Future;
use std::time::Duration;

use super::typedef::Attrs;
use crate::lang::Value;
use crate::provider::{ArgProblem, ProviderError};

pub const BLOCK: &str = "timeouts";
const OPERATIONS: [&str; 4] = ["create", "read", "update", "delete"];

tokio::task_local! {
    static LIMIT: Option<Duration>;
}

/// Runs one provider call under the limit `operation` has in `timeouts`
/// (None: the client's default per long-running operation). The limit
/// bounds the whole call, as azurerm's does, and each operation's polling
/// inside it.
pub async fn within<T, F: Future<Output = Result<T, ProviderError>>>(
    limit: Option<Duration>,
    operation: &str,
    f: F,
) -> Result<T, ProviderError> {
    match limit {
        None => LIMIT.scope(None, f).await,
        Some(d) => match tokio::time::timeout(d, LIMIT.scope(Some(d), f)).await {
            Ok(r) => r,
            Err(_) => Err(ProviderError::Invalid(format!(
                "timed out after {} ({BLOCK}.{operation})",
                crate::timefmt::show_duration(d)
            ))),
        },
    }
}

/// The limit of the provider call running on this task, if it set one.
pub fn current() -> Option<Duration> {
    LIMIT.try_with(|l| *l).ok().flatten()
}

/// A Go-style duration as azurerm takes them: `90m`, `1h30m`, `45s`, `1.5h`.
pub fn parse(text: &str) -> Option<Duration> {
    crate::timefmt::parse_duration(text).filter(|d| !d.is_zero())
}

fn block(attrs: &Attrs) -> Option<&std::collections::BTreeMap<String, Value>> {
    attrs.get(BLOCK)?.as_seq()?.first()?.as_mapping()
}

/// The configured limit for `operation` (create, read, update, delete).
pub fn of(resource: &Value, operation: &str) -> Option<Duration> {
    match resource
        .as_mapping()?
        .get(BLOCK)?
        .as_seq()?
        .first()?
        .as_mapping()?
        .get(operation)?
        .unmark()
        .0
    {
        Value::String(s) => parse(s),
        _ => None,
    }
}

/// Problems with a `timeouts` block: unknown operations, bad durations.
pub fn check(cfg: &Attrs) -> Vec<ArgProblem> {
    let mut out = Vec::new();
    let Some(v) = cfg.get(BLOCK) else { return out };
    if v.as_seq().is_some_and(|s| s.len() > 1) {
        out.push(ArgProblem {
            argument: Some(BLOCK.into()),
            summary: "Too many blocks".into(),
            detail: "At most one \"timeouts\" block is allowed.".into(),
        });
    }
    let Some(b) = block(cfg) else { return out };
    for (k, v) in b {
        if !OPERATIONS.contains(&k.as_str()) {
            out.push(ArgProblem {
                argument: Some(format!("{BLOCK}.{k}")),
                summary: "Unsupported argument".into(),
                detail: format!(
                    "{BLOCK}.{k}: timeouts takes create, read, update and delete, not {k:?}."
                ),
            });
            continue;
        }
        match v.unmark().0 {
            Value::Null | Value::Unknown(_) => {}
            Value::String(s) if parse(s).is_some() => {}
            other => out.push(ArgProblem {
                argument: Some(format!("{BLOCK}.{k}")),
                summary: "Invalid duration".into(),
                detail: format!(
                    "{BLOCK}.{k}: {other} is not a duration like \"90m\" or \"1h30m\"."
                ),
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_style_durations() {
        assert_eq!(parse("90m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(parse("45s"), Some(Duration::from_secs(45)));
        assert_eq!(parse("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(
            crate::timefmt::show_duration(Duration::from_secs(5400)),
            "1h30m"
        );
        assert_eq!(
            crate::timefmt::show_duration(Duration::from_secs(45)),
            "45s"
        );
        for bad in ["", "90", "m", "10x", "-5m", "0s"] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[tokio::test]
    async fn the_limit_is_seen_only_inside_its_call_and_bounds_it() {
        assert_eq!(current(), None);
        assert_eq!(
            within(Some(Duration::from_secs(3)), "create", async {
                Ok(current())
            })
            .await
            .unwrap(),
            Some(Duration::from_secs(3))
        );
        assert_eq!(current(), None);
        let slow = within(Some(Duration::from_millis(20)), "delete", async {
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok(())
        });
        assert_eq!(
            slow.await.unwrap_err().to_string(),
            "timed out after 20ms (timeouts.delete)"
        );
    }
}
