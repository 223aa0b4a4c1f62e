//! Child resources written and read with their parent: a storage
//! account's blob service properties, an AKS cluster's maintenance
//! configurations.

use reqwest::Method;
use serde_json::{Value as J, json};

use super::common::{AzureProvider, str_of};
use super::convert::{self, get_path};
use super::error::{AzureError, err};
use super::typedef::{Attrs, TypeDef};
use crate::provider::ProviderError;

/// A setting kept on a child resource: where the type's table puts it in
/// the body (dot path), the child's path under the parent, and the
/// argument that manages it.
struct Child {
    key: &'static str,
    url: &'static str,
    arg: &'static str,
}

const STORAGE: &[Child] = &[
    Child {
        key: "blobServices",
        url: "blobServices/default",
        arg: "blob_properties",
    },
    Child {
        key: "fileServices",
        url: "fileServices/default",
        arg: "share_properties",
    },
];
const DNS_ZONE: &[Child] = &[Child {
    key: "soa",
    url: "SOA/@",
    arg: "soa_record",
}];
const REDIS: &[Child] = &[Child {
    key: "patchSchedule",
    url: "patchSchedules/default",
    arg: "patch_schedule",
}];
const AKS: &[Child] = &[
    Child {
        key: "maintenance.default",
        url: "maintenanceConfigurations/default",
        arg: "maintenance_window",
    },
    Child {
        key: "maintenance.aksManagedAutoUpgradeSchedule",
        url: "maintenanceConfigurations/aksManagedAutoUpgradeSchedule",
        arg: "maintenance_window_auto_upgrade",
    },
    Child {
        key: "maintenance.aksManagedNodeOSUpgradeSchedule",
        url: "maintenanceConfigurations/aksManagedNodeOSUpgradeSchedule",
        arg: "maintenance_window_node_os",
    },
];

fn children_of(t: &TypeDef) -> &'static [Child] {
    match t.name {
        "azurerm_storage_account" => STORAGE,
        "azurerm_kubernetes_cluster" => AKS,
        "azurerm_redis_cache" => REDIS,
        "azurerm_dns_zone" => DNS_ZONE,
        _ => &[],
    }
}

/// The top-level body key the children sit under (taken out before the
/// parent is written).
fn root(key: &str) -> &str {
    key.split('.').next().unwrap_or(key)
}

fn set(a: &Attrs, arg: &str) -> bool {
    a.get(arg)
        .and_then(|v| v.as_seq())
        .is_some_and(|s| !s.is_empty())
}

/// Children written so far, by body key.
pub(super) type Children = Vec<(&'static str, &'static str, J)>;

impl AzureProvider {
    /// Settings that live on child resources are written after the
    /// parent. Takes them out of `body` and returns them.
    pub(super) fn split_children(t: &TypeDef, body: &mut J) -> Children {
        let specs = children_of(t);
        let mut out = vec![];
        for c in specs {
            if let Some(v) = get_path(body, c.key).filter(|v| v.is_object()) {
                out.push((c.key, c.url, v.clone()));
            }
        }
        if let Some(m) = body.as_object_mut() {
            for c in specs {
                m.remove(root(c.key));
            }
        }
        out
    }

    pub(super) async fn write_children(
        &self,
        t: &TypeDef,
        id: &str,
        children: Children,
        got: &mut J,
    ) -> Result<(), ProviderError> {
        for (key, url, body) in children {
            let written = self
                .client
                .write(Method::PUT, &format!("{id}/{url}"), t.api, &body)
                .await
                .map_err(err)?;
            convert::set_path(got, key, written);
        }
        Ok(())
    }

    /// Deletes the children whose managing argument the configuration
    /// removed (an AKS maintenance window taken out).
    pub(super) async fn remove_children(
        &self,
        t: &TypeDef,
        id: &str,
        old: &Attrs,
        new: &Attrs,
    ) -> Result<(), ProviderError> {
        for c in children_of(t) {
            // The services and the SOA record always exist: removing the
            // block leaves them as they are.
            if matches!(t.name, "azurerm_storage_account" | "azurerm_dns_zone") {
                continue;
            }
            if set(old, c.arg) && !set(new, c.arg) {
                self.client
                    .delete(&format!("{id}/{}", c.url), t.api)
                    .await
                    .map_err(err)?;
            }
        }
        Ok(())
    }

    /// Reads the child settings the recorded object manages (a bulk
    /// refresh stays bulk for objects without them).
    pub(super) fn has_children(t: &TypeDef, known: &Attrs) -> bool {
        t.name == super::private_endpoint::TYPE || children_of(t).iter().any(|c| set(known, c.arg))
    }

    /// What reading the children would give while their region is known
    /// to be down (its breaker refuses the GETs): what was recorded, as
    /// when the GETs themselves answer 503.
    pub(super) fn recorded_children(t: &TypeDef, known: &Attrs, body: &mut J) {
        if t.name == super::private_endpoint::TYPE {
            super::private_endpoint::keep_recorded(known, body);
        }
        for c in children_of(t).iter().filter(|c| set(known, c.arg)) {
            keep_recorded(t, c, known, body);
        }
    }

    pub(super) async fn read_children(
        &self,
        t: &TypeDef,
        id: &str,
        known: &Attrs,
        body: &mut J,
    ) -> Result<(), ProviderError> {
        if t.name == super::private_endpoint::TYPE {
            return self.read_endpoint_extras_or_recorded(id, known, body).await;
        }
        for c in children_of(t).iter().filter(|c| set(known, c.arg)) {
            match self.client.get(&format!("{id}/{}", c.url), t.api).await {
                Ok(Some(child)) => convert::set_path(body, c.key, child),
                Ok(None) => {}
                // The parent is readable from anywhere (Resource Graph),
                // its children only from its region: while that region is
                // out, keep what was recorded rather than fail the plan.
                Err(
                    e @ (AzureError::Api {
                        status: 503 | 504, ..
                    }
                    | AzureError::Transport { .. }
                    | AzureError::Timeout(_)),
                ) => {
                    if let AzureError::Api { code, message, .. } = &e
                        && let Some(region) = str_of(known, "location")
                    {
                        self.regions.down(&region, code, message);
                    }
                    keep_recorded(t, c, known, body);
                }
                Err(e) => return Err(err(e)),
            }
        }
        Ok(())
    }
}

/// Puts the recorded value of child setting `c` into `body`.
fn keep_recorded(t: &TypeDef, c: &Child, known: &Attrs, body: &mut J) {
    let mut recorded = json!({});
    convert::write_args(
        t.args
            .iter()
            .filter(|a| a.name == c.arg)
            .cloned()
            .collect::<Vec<_>>()
            .as_slice(),
        known,
        &mut recorded,
        true,
    );
    if let Some(to_body) = t.to_body {
        to_body(known, &mut recorded);
    }
    if let Some(v) = get_path(&recorded, c.key) {
        convert::set_path(body, c.key, v.clone());
    }
}
