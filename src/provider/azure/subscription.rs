//! `data "azurerm_subscription"`: a subscription as Subscriptions - Get
//! answers it, the provider's own when `subscription_id` is left out (as
//! azurerm reads it, often beside role assignments at subscription scope).

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::common::AzureProvider;
use super::error::err;
use crate::lang::Value;
use crate::provider::{ArgProblem, ErrorKind, ProviderError};

pub const TYPE: &str = "azurerm_subscription";
const API: &str = "2022-12-01";

/// Its one argument is `subscription_id`; anything else is refused.
pub(super) fn validate(cfg: &BTreeMap<String, Value>) -> Vec<ArgProblem> {
    cfg.iter()
        .filter(|(k, v)| k.as_str() != "subscription_id" && !v.is_null())
        .map(|(k, _)| ArgProblem {
            argument: Some(k.clone()),
            summary: "Unsupported argument".into(),
            detail: format!(
                "data \"azurerm_subscription\" takes subscription_id only, not {k:?} (it is read, not set)."
            ),
        })
        .collect()
}

/// azurerm's attributes from ARM's subscription document.
/// What the data source has: its argument and what [`attributes`] gives.
pub(super) const NAMES: &[&str] = &[
    "id",
    "subscription_id",
    "tenant_id",
    "display_name",
    "state",
    "location_placement_id",
    "quota_id",
    "spending_limit",
    "tags",
];

fn attributes(sub: &str, body: &J) -> Value {
    let text = |j: &J| Value::String(j.as_str().unwrap_or_default().to_string());
    let policies = &body["subscriptionPolicies"];
    let tags = body["tags"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), text(v)))
                .collect::<BTreeMap<_, _>>()
        })
        .unwrap_or_default();
    Value::Object(BTreeMap::from([
        ("id".into(), Value::String(format!("/subscriptions/{sub}"))),
        ("subscription_id".into(), Value::String(sub.to_string())),
        ("tenant_id".into(), text(&body["tenantId"])),
        ("display_name".into(), text(&body["displayName"])),
        ("state".into(), text(&body["state"])),
        (
            "location_placement_id".into(),
            text(&policies["locationPlacementId"]),
        ),
        ("quota_id".into(), text(&policies["quotaId"])),
        ("spending_limit".into(), text(&policies["spendingLimit"])),
        ("tags".into(), Value::Object(tags)),
    ]))
}

impl AzureProvider {
    pub(super) async fn read_subscription(
        &self,
        cfg: &BTreeMap<String, Value>,
    ) -> Result<Value, ProviderError> {
        if let Some(p) = validate(cfg).into_iter().next() {
            return Err(ProviderError::Invalid(p.detail));
        }
        let sub = match cfg.get("subscription_id").map(|v| v.unmark().0) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => self.subscription.clone(),
        };
        match self
            .client
            .get(&format!("/subscriptions/{sub}"), API)
            .await
            .map_err(err)?
        {
            Some(body) => Ok(attributes(&sub, &body)),
            None => Err(ProviderError::api(
                ErrorKind::NotFound,
                "SubscriptionNotFound",
                format!("The subscription '{sub}' could not be found."),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_azurerms_attributes_from_the_subscription_document() {
        let body = serde_json::json!({
            "subscriptionId": "s1", "tenantId": "t1", "displayName": "Prod", "state": "Enabled",
            "subscriptionPolicies": {"locationPlacementId": "Public_2014-09-01", "quotaId": "PayAsYouGo_2014-09-01", "spendingLimit": "Off"},
            "tags": {"env": "prod"}
        });
        let v = attributes("s1", &body);
        let m = v.as_mapping().unwrap();
        assert_eq!(m["id"], Value::String("/subscriptions/s1".into()));
        assert_eq!(m["display_name"], Value::String("Prod".into()));
        assert_eq!(m["spending_limit"], Value::String("Off".into()));
        assert!(
            validate(&BTreeMap::from([(
                "name".into(),
                Value::String("x".into())
            )]))
            .len()
                == 1
        );
    }
}
