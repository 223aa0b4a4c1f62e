//! A Key Vault key's rotation policy (`keys/{name}/rotationpolicy`), as
//! the data plane keeps it beside the key's versions (`key_vault_data.rs`
//! routes and stores it; this module checks a policy and answers one).
//!
//! Key Vault's rules: durations are ISO 8601; `expiryTime` is at least 28
//! days; a lifetime action is `Rotate` or `Notify` (at most one of each),
//! triggered by exactly one of `timeAfterCreate` / `timeBeforeExpiry`, at
//! least 7 days; `Notify` counts back from expiry; counting back from
//! expiry needs `expiryTime` and leaves at least 7 days after creation.
//! An empty `lifetimeActions` restores the default policy, and a key that
//! never had one answers with the default (notify 30 days before expiry)
//! without `created` / `updated`.
//!
//! The emulator keeps the policy but never rotates on it: no time passes
//! for keys the way a scheduled rotation would need.

use serde_json::{Value as J, json};

use super::key_vault_keys::KeyError;

const MIN_EXPIRY_DAYS: f64 = 28.0;
const MIN_TRIGGER_DAYS: f64 = 7.0;

fn bad(message: impl Into<String>) -> KeyError {
    KeyError::Bad(message.into())
}

/// Key Vault's default lifetime actions.
fn default_actions() -> J {
    json!([{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}])
}

fn days(field: &str, v: &J) -> Result<f64, KeyError> {
    v.as_str()
        .and_then(crate::timefmt::iso8601_days)
        .ok_or_else(|| {
            bad(format!(
                "{field} must be an ISO 8601 duration (e.g. P90D), not {v}."
            ))
        })
}

/// One lifetime action, checked and written in Key Vault's form.
fn action(a: &J, expiry: Option<f64>, seen: &mut Vec<String>) -> Result<J, KeyError> {
    let kind = a["action"]["type"]
        .as_str()
        .and_then(|t| {
            ["Rotate", "Notify"]
                .into_iter()
                .find(|k| k.eq_ignore_ascii_case(t))
        })
        .ok_or_else(|| bad("lifetimeActions[].action.type must be Rotate or Notify."))?;
    if seen.iter().any(|s| s == kind) {
        return Err(bad(format!(
            "A rotation policy has at most one {kind} action."
        )));
    }
    seen.push(kind.to_string());
    let trigger = &a["trigger"];
    let given = |k: &str| trigger.get(k).filter(|v| !v.is_null());
    let (field, value) = match (given("timeAfterCreate"), given("timeBeforeExpiry")) {
        (Some(v), None) => ("timeAfterCreate", v),
        (None, Some(v)) => ("timeBeforeExpiry", v),
        _ => {
            return Err(bad(
                "A lifetime action's trigger sets exactly one of timeAfterCreate and timeBeforeExpiry.",
            ));
        }
    };
    let d = days(field, value)?;
    if d < MIN_TRIGGER_DAYS {
        return Err(bad(format!(
            "{field} of a {kind} action is at least 7 days (P7D), not {value}."
        )));
    }
    if kind == "Notify" && field == "timeAfterCreate" {
        return Err(bad(
            "A Notify action is triggered by timeBeforeExpiry only.",
        ));
    }
    if field == "timeBeforeExpiry" {
        match expiry {
            None if kind == "Rotate" => {
                return Err(bad(
                    "Rotating by timeBeforeExpiry needs attributes.expiryTime.",
                ));
            }
            Some(e) if d > e - MIN_TRIGGER_DAYS => {
                return Err(bad(format!(
                    "timeBeforeExpiry {value} leaves less than 7 days after creation in an expiry of {e} days."
                )));
            }
            _ => {}
        }
    }
    Ok(json!({"trigger": {field: value}, "action": {"type": kind}}))
}

/// The policy to keep for a `PUT` body, over the one kept (`old`, for
/// its `created`), at `now` (seconds since the epoch).
pub fn checked(body: &J, old: Option<&J>, now: i64) -> Result<J, KeyError> {
    let expiry_time = body["attributes"]
        .get("expiryTime")
        .filter(|v| !v.is_null())
        .cloned();
    let expiry = match &expiry_time {
        Some(v) => {
            let d = days("attributes.expiryTime", v)?;
            if d < MIN_EXPIRY_DAYS {
                return Err(bad(format!(
                    "attributes.expiryTime is at least 28 days (P28D), not {v}."
                )));
            }
            Some(d)
        }
        None => None,
    };
    let given = match body.get("lifetimeActions") {
        None | Some(J::Null) => vec![],
        Some(J::Array(xs)) => xs.clone(),
        Some(_) => return Err(bad("lifetimeActions must be an array.")),
    };
    let mut seen = vec![];
    let actions: Vec<J> = given
        .iter()
        .map(|a| action(a, expiry, &mut seen))
        .collect::<Result<_, _>>()?;
    let actions = if actions.is_empty() {
        default_actions()
    } else {
        J::Array(actions)
    };
    let created = old
        .and_then(|o| o["attributes"]["created"].as_i64())
        .unwrap_or(now);
    let mut attributes = json!({"created": created, "updated": now});
    if let Some(e) = expiry_time {
        attributes["expiryTime"] = e;
    }
    Ok(json!({"lifetimeActions": actions, "attributes": attributes}))
}

/// The answer for key `key_url` (`{vault}keys/{name}`): the kept policy,
/// or Key Vault's default.
pub fn answer(kept: Option<&J>, key_url: &str) -> J {
    let mut out = kept
        .filter(|p| p.is_object())
        .cloned()
        .unwrap_or_else(|| json!({"lifetimeActions": default_actions(), "attributes": {}}));
    out["id"] = json!(format!("{key_url}/rotationpolicy"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(body: J) -> Result<J, KeyError> {
        checked(&body, None, 100)
    }

    #[test]
    fn key_vaults_rules_hold() {
        let ok = put(json!({
            "lifetimeActions": [
                {"trigger": {"timeAfterCreate": "P90D"}, "action": {"type": "rotate"}},
                {"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}
            ],
            "attributes": {"expiryTime": "P2Y"}
        }))
        .unwrap();
        assert_eq!(ok["lifetimeActions"][0]["action"]["type"], "Rotate");
        assert_eq!(ok["attributes"]["created"], 100);
        let refused = |b: J| put(b).is_err();
        // Expiry under 28 days; a trigger under 7; both triggers; a
        // notify after creation; rotating before an expiry not set; two
        // rotations; not a duration.
        assert!(refused(json!({"attributes": {"expiryTime": "P27D"}})));
        assert!(refused(
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P6D"}, "action": {"type": "Rotate"}}]})
        ));
        assert!(refused(
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D", "timeBeforeExpiry": "P30D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P1Y"}})
        ));
        assert!(refused(
            json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Notify"}}]})
        ));
        assert!(refused(
            json!({"lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Rotate"}}]})
        ));
        assert!(refused(
            json!({"lifetimeActions": [{"trigger": {"timeBeforeExpiry": "P25D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P28D"}})
        ));
        let rotate = json!({"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Rotate"}});
        assert!(refused(
            json!({"lifetimeActions": [rotate.clone(), rotate]})
        ));
        assert!(refused(json!({"attributes": {"expiryTime": "90 days"}})));
    }

    #[test]
    fn no_actions_restore_the_default_and_created_is_kept() {
        let first = put(json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Rotate"}}]})).unwrap();
        let reset = checked(&json!({"lifetimeActions": []}), Some(&first), 500).unwrap();
        assert_eq!(reset["lifetimeActions"], default_actions());
        assert_eq!(
            (
                &reset["attributes"]["created"],
                &reset["attributes"]["updated"]
            ),
            (&json!(100), &json!(500))
        );
        let never = answer(None, "https://v/keys/k");
        assert_eq!(never["id"], "https://v/keys/k/rotationpolicy");
        assert_eq!(never["lifetimeActions"], default_actions());
        assert!(never["attributes"].get("created").is_none());
    }
}
