//! `azurerm_cdn_frontdoor_custom_domain_association`: no ARM resource of
//! its own. As azurerm does, it puts a custom domain into the
//! `customDomains` of each route in `cdn_frontdoor_route_ids` (and takes
//! it out again on update and destroy), and its id is azurerm's
//! `.../profiles/{profile}/associations/{domain}`. A route that lists
//! the same domain in `cdn_frontdoor_custom_domain_ids` (as azurerm's
//! example does) agrees with it: both ask for the same `customDomains`.

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, attrs, str_of};
use super::error::err;
use super::typedef::{self, TypeDef};
use crate::lang::Value;
use crate::provider::{ErrorKind, ProviderError};

pub const TYPE: &str = "azurerm_cdn_frontdoor_custom_domain_association";
const API: &str = "2025-06-01";

fn route_ids(a: &typedef::Attrs) -> Vec<String> {
    a.get("cdn_frontdoor_route_ids")
        .and_then(Value::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|v| match v.unmark().0 {
            Value::String(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn lists(route: &J, domain: &str) -> bool {
    route["properties"]["customDomains"]
        .as_array()
        .is_some_and(|xs| {
            xs.iter().any(|x| {
                x["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(domain))
            })
        })
}

fn state(id: &str, domain: &str, routes: &[String]) -> Value {
    Value::Object(
        [
            ("id".to_string(), Value::String(id.into())),
            (
                "cdn_frontdoor_custom_domain_id".to_string(),
                Value::String(domain.into()),
            ),
            (
                "cdn_frontdoor_route_ids".to_string(),
                Value::List(routes.iter().map(|r| Value::String(r.clone())).collect()),
            ),
        ]
        .into(),
    )
}

/// The profile an id sits in (`.../profiles/{name}`), lower-cased.
fn profile_of(id: &str) -> String {
    let lower = id.to_ascii_lowercase();
    match lower.find("/providers/microsoft.cdn/profiles/") {
        Some(at) => {
            let rest = &lower[at + "/providers/microsoft.cdn/profiles/".len()..];
            let name = rest.split('/').next().unwrap_or_default();
            format!(
                "{}{name}",
                &lower[..at + "/providers/microsoft.cdn/profiles/".len()]
            )
        }
        None => lower,
    }
}

impl AzureProvider {
    /// Adds (`on`) or removes the domain in a route's `customDomains`;
    /// a route already as wanted is not written. A route that is gone is
    /// skipped when removing.
    async fn set_route_domain(
        &self,
        route: &str,
        domain: &str,
        on: bool,
    ) -> Result<(), ProviderError> {
        let Some(mut body) = self.client.get(route, API).await.map_err(err)? else {
            if on {
                return Err(ProviderError::api(
                    ErrorKind::NotFound,
                    "ResourceNotFound",
                    format!("the route {route} does not exist"),
                ));
            }
            return Ok(());
        };
        if lists(&body, domain) == on {
            return Ok(());
        }
        let mut domains: Vec<J> = body["properties"]["customDomains"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|x| {
                !x["id"]
                    .as_str()
                    .is_some_and(|i| i.eq_ignore_ascii_case(domain))
            })
            .collect();
        if on {
            domains.push(json!({"id": domain}));
        }
        body["properties"]["customDomains"] = J::Array(domains);
        if let Some(p) = body["properties"].as_object_mut() {
            p.remove("provisioningState");
            p.remove("deploymentStatus");
        }
        self.client
            .write(Method::PUT, route, API, &body)
            .await
            .map_err(err)?;
        Ok(())
    }

    pub(super) async fn associate(
        &self,
        t: &TypeDef,
        prior: Option<&Value>,
        planned: &Value,
    ) -> Result<Value, ProviderError> {
        let a = attrs(planned);
        let domain = str_of(&a, "cdn_frontdoor_custom_domain_id").ok_or_else(|| {
            ProviderError::Invalid("cdn_frontdoor_custom_domain_id must be known".into())
        })?;
        let id = typedef::build_id(t, &a, &self.subscription)
            .map_err(|e| ProviderError::Invalid(e.to_string()))?;
        if self.client.get(&domain, API).await.map_err(err)?.is_none() {
            return Err(ProviderError::api(
                ErrorKind::NotFound,
                "ResourceNotFound",
                format!("the custom domain {domain} does not exist"),
            ));
        }
        let wanted = route_ids(&a);
        // azurerm's rule: every route is in the domain's profile.
        if let Some(other) = wanted.iter().find(|r| profile_of(r) != profile_of(&domain)) {
            return Err(ProviderError::Invalid(format!(
                "the route {other} is not in the custom domain's Front Door profile"
            )));
        }
        let before = prior.map(|p| route_ids(&attrs(p))).unwrap_or_default();
        for r in before
            .iter()
            .filter(|r| !wanted.iter().any(|w| w.eq_ignore_ascii_case(r)))
        {
            self.set_route_domain(r, &domain, false).await?;
        }
        for r in &wanted {
            self.set_route_domain(r, &domain, true).await?;
        }
        Ok(state(&id, &domain, &wanted))
    }

    /// The routes of the recorded list that still carry the domain; gone
    /// when the domain is.
    pub(super) async fn read_association(
        &self,
        current: &Value,
    ) -> Result<Option<Value>, ProviderError> {
        let a = attrs(current);
        let (Some(id), Some(domain)) = (
            str_of(&a, "id"),
            str_of(&a, "cdn_frontdoor_custom_domain_id"),
        ) else {
            return Ok(None);
        };
        if self.client.get(&domain, API).await.map_err(err)?.is_none() {
            return Ok(None);
        }
        let mut kept = vec![];
        for r in route_ids(&a) {
            if let Some(body) = self.client.get(&r, API).await.map_err(err)?
                && lists(&body, &domain)
            {
                kept.push(r);
            }
        }
        Ok(Some(state(&id, &domain, &kept)))
    }

    pub(super) async fn dissociate(&self, prior: &Value) -> Result<(), ProviderError> {
        let a = attrs(prior);
        let Some(domain) = str_of(&a, "cdn_frontdoor_custom_domain_id") else {
            return Ok(());
        };
        for r in route_ids(&a) {
            self.set_route_domain(&r, &domain, false).await?;
        }
        Ok(())
    }
}
