//! Read-only queries beside the resource verbs: a group's resources,
//! Azure Monitor metrics (replication lag) and Resource Graph.

use std::collections::BTreeMap;

use bytes::Bytes;
use serde_json::{Value as J, json};

use super::http::{Resp, err_resp, json_resp};
use super::simulation::advance;
use super::world::World;
use crate::emulator::Credentials;
use crate::emulator::arm::ArmError;
use crate::emulator::types;

/// `/subscriptions/S/resourceGroups/G/resources`: the group's id.
pub(super) fn group_of_resources_list(path: &str) -> Option<&str> {
    let trimmed = path.trim_end_matches('/');
    let group = trimmed
        .strip_suffix("/resources")
        .or_else(|| trimmed.strip_suffix("/RESOURCES"))?;
    let parts: Vec<&str> = group.trim_start_matches('/').split('/').collect();
    (parts.len() == 4
        && parts[0].eq_ignore_ascii_case("subscriptions")
        && parts[2].eq_ignore_ascii_case("resourcegroups"))
    .then_some(group)
}

/// Resources - List By Resource Group: every resource below the group
/// (what azurerm checks before deleting a group).
pub(super) fn resources_in_group(w: &World, group: &str) -> Resp {
    let store = &w.store;
    if !matches!(store.get(group), Ok(Some(_))) {
        let name = group.rsplit('/').next().unwrap_or(group);
        return err_resp(&ArmError::not_found(
            "ResourceGroupNotFound",
            format!("Resource group '{name}' could not be found."),
        ));
    }
    let rows = match store.descendants(group) {
        Ok(r) => r,
        Err(e) => return err_resp(&types::internal(e)),
    };
    // Top-level resources only (NAMESPACE/TYPE/NAME), as ARM lists them.
    let prefix = format!("{}/providers/", group.to_lowercase());
    let value: Vec<J> = rows
        .iter()
        .filter(|r| r.id.to_lowercase().strip_prefix(&prefix).is_some_and(|rest| rest.split('/').count() == 3))
        // Role assignments at the group's scope are not its resources.
        .filter(|r| !r.ty.to_lowercase().starts_with("microsoft.authorization/"))
        .map(|r| json!({"id": r.id, "name": r.id.rsplit('/').next().unwrap_or_default(), "type": r.ty, "location": r.body.get("location").cloned().unwrap_or(J::Null)}))
        .collect();
    json_resp(200, &json!({"value": value}))
}

/// Azure Monitor metrics of a resource, as far as the DR plan needs them:
/// `physical_replication_delay_in_seconds` of a PostgreSQL read replica
/// (the emulator's replication lag; no data points for a primary).
pub(super) fn metrics(w: &World, resource: &str, query: &BTreeMap<String, String>) -> Resp {
    let store = &w.store;
    let Ok(Some(row)) = store.get(resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            format!("The resource '{resource}' was not found."),
        ));
    };
    let names = query.get("metricnames").cloned().unwrap_or_default();
    let lag = w.settings.replication_lag_secs;
    let replica = types::str_prop(&row.body, &["replicationRole"])
        .is_some_and(|r| r.to_lowercase().contains("replica"));
    let mut value = Vec::new();
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if !row
            .ty
            .eq_ignore_ascii_case("Microsoft.DBforPostgreSQL/flexibleServers")
            || name != "physical_replication_delay_in_seconds"
        {
            return err_resp(&ArmError::bad_request(
                "BadRequest",
                format!(
                    "Failed to find metric configuration for provider: {}, resource Type: {}, metric: {name}. (The emulator serves physical_replication_delay_in_seconds only.)",
                    row.ty.split('/').next().unwrap_or_default(),
                    row.ty
                ),
            ));
        }
        let data: Vec<J> = if replica {
            vec![json!({"timeStamp": crate::timefmt::now(), "maximum": lag, "average": lag})]
        } else {
            vec![]
        };
        value.push(json!({
            "id": format!("{resource}/providers/Microsoft.Insights/metrics/{name}"),
            "type": "Microsoft.Insights/metrics",
            "name": {"value": name, "localizedValue": "Read Replica Lag"},
            "unit": "Seconds",
            "timeseries": [{"metadatavalues": [], "data": data}],
        }));
    }
    json_resp(
        200,
        &json!({"cost": 0, "interval": "PT1M", "value": value, "namespace": row.ty, "resourceregion": row.body.get("location").cloned().unwrap_or(J::Null)}),
    )
}

pub(super) fn resource_graph(creds: &Credentials, w: &World, body: &Bytes, client: &str) -> Resp {
    let req: J = serde_json::from_slice(body).unwrap_or(J::Null);
    let Some(query) = req.get("query").and_then(J::as_str) else {
        return err_resp(&ArmError::bad_request(
            "BadRequest",
            "The request needs a query.",
        ));
    };
    // As Azure does, only subscriptions the caller may read are searched.
    let subs: Vec<String> = req
        .get("subscriptions")
        .and_then(J::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .filter(|s| creds.authorised(client, s))
                .collect()
        })
        .unwrap_or_default();
    let store = &w.store;
    advance(w, w.clock.now());
    let rows: Vec<J> = store
        .all_in(&subs)
        .unwrap_or_default()
        .iter()
        .map(|r| {
            let b = match types::lookup(&r.ty) {
                Some(spec) => spec.present(store, r),
                None => r.body.clone(),
            };
            crate::emulator::graph::row(&r.id, &b)
        })
        .collect();
    let result = match crate::emulator::graph::run(query, rows) {
        Ok(r) => r,
        Err(e) => return err_resp(&e),
    };
    let opts = req.get("options").cloned().unwrap_or(J::Null);
    let top = opts
        .get("$top")
        .and_then(J::as_u64)
        .unwrap_or(1000)
        .clamp(1, 1000) as usize;
    let skip = opts
        .get("$skipToken")
        .and_then(J::as_str)
        .and_then(|t| t.parse::<usize>().ok())
        .or_else(|| opts.get("$skip").and_then(J::as_u64).map(|s| s as usize))
        .unwrap_or(0);
    let total = result.len();
    let page: Vec<J> = result.into_iter().skip(skip).take(top).collect();
    let mut doc = json!({"totalRecords": total, "count": page.len(), "data": page, "resultTruncated": "false", "facets": []});
    if skip.saturating_add(top) < total {
        doc["$skipToken"] = J::String((skip + top).to_string());
    }
    json_resp(200, &doc)
}
