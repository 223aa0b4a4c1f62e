//! Microsoft.Storage/storageAccounts with account failover (planned and
//! unplanned).

use std::collections::BTreeMap;

use serde_json::{Value as J, json};

use super::*;

const TYPE: &str = "Microsoft.Storage/storageAccounts";
/// Account failover: planned (keeps geo-redundancy) and unplanned.
const FAILOVER_PLANNED_SECS: f64 = 1800.0;
const FAILOVER_UNPLANNED_SECS: f64 = 3600.0;
const VERSIONS: &[&str] = &["2025-01-01", "2024-01-01", "2023-05-01", "2023-01-01"];
const GEO: &[&str] = &[
    "Standard_GRS",
    "Standard_RAGRS",
    "Standard_GZRS",
    "Standard_RAGZRS",
];

fn name(n: &str) -> Result<(), InvalidName> {
    if n.len() < 3
        || n.len() > 24
        || !n
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
    {
        return Err(InvalidName(format!(
            "'{n}' is not a valid storage account name: use 3-24 lowercase letters and digits."
        )));
    }
    Ok(())
}

fn endpoints(name: &str) -> J {
    json!({
        "blob": format!("https://{name}.blob.core.windows.net/"),
        "queue": format!("https://{name}.queue.core.windows.net/"),
        "table": format!("https://{name}.table.core.windows.net/"),
        "file": format!("https://{name}.file.core.windows.net/"),
        "dfs": format!("https://{name}.dfs.core.windows.net/"),
        "web": format!("https://{name}.z13.web.core.windows.net/"),
    })
}

/// The routing endpoints an account publishes (`routingPreference`'s
/// `publishMicrosoftEndpoints` / `publishInternetEndpoints`; read-only in
/// the spec, under each `Endpoints` object): Microsoft routing for every
/// service, internet routing for blob, file, web and dfs.
fn routing_endpoints(body: &J, name: &str, endpoints: &mut J) {
    let publish = |k: &str| {
        body.pointer(&format!("/properties/routingPreference/{k}"))
            .and_then(J::as_bool)
            == Some(true)
    };
    let Some(e) = endpoints.as_object_mut() else {
        return;
    };
    if publish("publishMicrosoftEndpoints") {
        e.insert(
            "microsoftEndpoints".into(),
            endpoints_of(
                &format!("{name}-microsoftrouting"),
                &["blob", "queue", "table", "file", "web", "dfs"],
            ),
        );
    }
    if publish("publishInternetEndpoints") {
        e.insert(
            "internetEndpoints".into(),
            endpoints_of(
                &format!("{name}-internetrouting"),
                &["blob", "file", "web", "dfs"],
            ),
        );
    }
}

/// `endpoints(name)` narrowed to `services`.
fn endpoints_of(name: &str, services: &[&str]) -> J {
    let mut all = endpoints(name);
    if let Some(m) = all.as_object_mut() {
        m.retain(|k, _| services.contains(&k.as_str()));
    }
    all
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let sku = sku_name(body).unwrap_or("").to_string();
    if ![
        "Standard_LRS",
        "Standard_GRS",
        "Standard_RAGRS",
        "Standard_ZRS",
        "Standard_GZRS",
        "Standard_RAGZRS",
        "Premium_LRS",
        "Premium_ZRS",
    ]
    .iter()
    .any(|s| s.eq_ignore_ascii_case(&sku))
    {
        return Err(ArmError::bad_request(
            "SkuNotSupported",
            format!("The sku '{sku}' is not supported."),
        )
        .with_target("sku.name"));
    }
    if body.get("kind").is_none() {
        body["kind"] = json!("StorageV2");
    }
    let location = body
        .get("location")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_lowercase();
    let name = ctx.path.name();
    let geo = GEO.iter().any(|g| g.eq_ignore_ascii_case(&sku));
    // After a failover the account lives in what was its secondary region.
    let primary = ctx
        .existing
        .and_then(|o| str_prop(&o.body, &["primaryLocation"]).map(str::to_string))
        .unwrap_or(location.clone());
    let now = crate::timefmt::rfc3339(ctx.now);
    let kept = |k: &str| {
        ctx.existing
            .and_then(|o| prop(&o.body, &[k]).cloned())
            .unwrap_or_else(|| json!(now))
    };
    let (created, keys_created) = (
        kept("creationTime"),
        ctx.existing
            .and_then(|o| prop(&o.body, &["keyCreationTime"]).cloned())
            .unwrap_or_else(|| json!({"key1": now, "key2": now})),
    );
    let tier = if sku.to_lowercase().starts_with("premium") {
        "Premium"
    } else {
        "Standard"
    };
    if let Some(s) = body.get_mut("sku").and_then(J::as_object_mut) {
        s.insert("tier".into(), json!(tier));
    }
    let p = props(body);
    // Read-only in the spec: when the account and its keys were created,
    // and Azure's always-on encryption at rest with when each service's
    // began.
    p.insert("creationTime".into(), created);
    p.insert("keyCreationTime".into(), keys_created);
    let enc = p
        .entry("encryption")
        .or_insert(json!({"keySource": "Microsoft.Storage"}));
    if let Some(e) = enc.as_object_mut() {
        e.entry("keySource").or_insert(json!("Microsoft.Storage"));
        let services = e.entry("services").or_insert(json!({}));
        if let Some(services) = services.as_object_mut() {
            for svc in ["blob", "file"] {
                services
                    .entry(svc)
                    .or_insert(json!({"keyType": "Account", "enabled": true}));
            }
            for svc in services.values_mut().filter_map(J::as_object_mut) {
                svc.entry("lastEnabledTime").or_insert(json!(now));
            }
        }
    }
    p.entry("accessTier").or_insert(json!("Hot"));
    p.entry("minimumTlsVersion").or_insert(json!("TLS1_2"));
    p.entry("supportsHttpsTrafficOnly").or_insert(json!(true));
    p.entry("allowBlobPublicAccess").or_insert(json!(false));
    let mut primary_endpoints = endpoints(&name);
    let routed = body.clone();
    routing_endpoints(&routed, &name, &mut primary_endpoints);
    let p = props(body);
    p.insert("primaryEndpoints".into(), primary_endpoints);
    p.insert("primaryLocation".into(), json!(primary));
    p.insert("statusOfPrimary".into(), json!("available"));
    if geo {
        let secondary = crate::regions::paired(&primary).unwrap_or("westus");
        p.insert("secondaryLocation".into(), json!(secondary));
        p.insert("statusOfSecondary".into(), json!("available"));
        let mut secondary_endpoints = endpoints(&format!("{name}-secondary"));
        routing_endpoints(
            &routed,
            &format!("{name}-secondary"),
            &mut secondary_endpoints,
        );
        p.insert("secondaryEndpoints".into(), secondary_endpoints);
    } else {
        for k in [
            "secondaryLocation",
            "statusOfSecondary",
            "secondaryEndpoints",
        ] {
            p.remove(k);
        }
    }
    Ok(Write::body(body.clone()))
}

/// `POST .../failover[?failoverType=Planned]`.
fn action(
    ctx: &Ctx,
    row: &Row,
    action: &str,
    _body: &J,
    query: &BTreeMap<String, String>,
) -> Result<super::Action, ArmError> {
    if !action.eq_ignore_ascii_case("failover") {
        return Err(ArmError::bad_request(
            "InvalidAction",
            format!("Storage accounts have no action '{action}'."),
        ));
    }
    let sku = sku_name(&row.body).unwrap_or_default().to_string();
    if !GEO.iter().any(|g| g.eq_ignore_ascii_case(&sku)) {
        return Err(ArmError::bad_request(
            "FailoverNotSupported",
            format!(
                "Account failover needs a geo-redundant sku (GRS, RA-GRS, GZRS, RA-GZRS); this account is {sku}."
            ),
        ));
    }
    let planned = query
        .get("failovertype")
        .is_some_and(|t| t.eq_ignore_ascii_case("Planned"));
    let primary = str_prop(&row.body, &["primaryLocation"])
        .unwrap_or_default()
        .to_string();
    let secondary = str_prop(&row.body, &["secondaryLocation"])
        .unwrap_or_default()
        .to_string();
    if planned && (ctx.region_down(&primary) || ctx.region_down(&secondary)) {
        return Err(ArmError::conflict(
            "FailoverFailed",
            "A planned failover needs both regions to be available; use an unplanned failover.",
        ));
    }
    let mut b = row.body.clone();
    let p = props(&mut b);
    p.insert("primaryLocation".into(), json!(secondary));
    p.insert(
        "lastGeoFailoverTime".into(),
        json!(crate::timefmt::rfc3339(ctx.now)),
    );
    if planned {
        // Roles swap and geo-replication stays.
        p.insert("secondaryLocation".into(), json!(primary));
    } else {
        // Unplanned failover leaves a locally redundant account.
        for k in [
            "secondaryLocation",
            "statusOfSecondary",
            "secondaryEndpoints",
        ] {
            p.remove(k);
        }
        b["sku"] = json!({"name": "Standard_LRS", "tier": "Standard"});
    }
    Ok(super::Action {
        effects: vec![(row.id.clone(), TYPE.to_string(), Some(b))],
        secs: if planned {
            FAILOVER_PLANNED_SECS
        } else {
            FAILOVER_UNPLANNED_SECS
        },
        result: None,
        data: None,
    })
}

pub fn spec() -> Spec {
    Spec {
        lro_put: Lro::Location,
        create_secs: 30.0,
        update_secs: 10.0,
        other_secs: &[
            ("failover_planned", FAILOVER_PLANNED_SECS),
            ("failover_unplanned", FAILOVER_UNPLANNED_SECS),
        ],
        located: true,
        action: Some(action),
        ..Spec::plain(TYPE, VERSIONS, name, check)
    }
}

/// The blob service of an account (always named `default`): soft delete
/// for blobs and containers, versioning, change feed.
fn blob_service_name(n: &str) -> Result<(), InvalidName> {
    if n != "default" {
        return Err(InvalidName(format!(
            "'{n}' is not a valid blob service name: it must be 'default'."
        )));
    }
    Ok(())
}

fn check_blob_service(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    super::object_replication::guard_blob_service(ctx, body)?;
    for policy in ["deleteRetentionPolicy", "containerDeleteRetentionPolicy"] {
        let Some(p) = prop(body, &[policy]).cloned() else {
            continue;
        };
        if !p.is_object() {
            return Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                format!("{policy} must be an object like {{\"enabled\": true, \"days\": 14}}."),
            )
            .with_target(&format!("properties.{policy}")));
        }
        let enabled = p["enabled"].as_bool().unwrap_or(false);
        match int_field(
            &p,
            "days",
            &format!("properties.{policy}.days"),
            i64::MIN / 2,
            i64::MAX / 2,
        )? {
            Some(d) if enabled && !(1.0..=365.0).contains(&d) => {
                return Err(ArmError::bad_request(
                    "InvalidRequestPropertyValue",
                    format!("{policy}.days must be between 1 and 365, not {d}."),
                )
                .with_target(&format!("properties.{policy}.days")));
            }
            None if enabled => {
                return Err(ArmError::bad_request(
                    "InvalidRequestPropertyValue",
                    format!("{policy} is enabled but has no days."),
                )
                .with_target(&format!("properties.{policy}.days")));
            }
            _ => {}
        }
    }
    let p = props(body);
    p.entry("isVersioningEnabled").or_insert(json!(false));
    p.entry("deleteRetentionPolicy")
        .or_insert(json!({"enabled": false}));
    p.entry("containerDeleteRetentionPolicy")
        .or_insert(json!({"enabled": false}));
    p.entry("changeFeed").or_insert(json!({"enabled": false}));
    Ok(Write::body(body.clone()))
}

pub fn blob_service_spec() -> Spec {
    Spec {
        decorate: account_sku,
        ..Spec::plain(
            "Microsoft.Storage/storageAccounts/blobServices",
            VERSIONS,
            blob_service_name,
            check_blob_service,
        )
    }
}

/// An account's services answer with the account's sku.
fn account_sku(store: &Store, body: &mut J) {
    if let Some(sku) = parent_body(store, body).and_then(|a| a.get("sku").cloned()) {
        body["sku"] = sku;
    }
}

/// An account's file service (`fileServices/default`): share soft
/// delete, CORS, SMB settings.
pub fn file_service_spec() -> Spec {
    Spec {
        decorate: account_sku,
        ..Spec::plain(
            "Microsoft.Storage/storageAccounts/fileServices",
            VERSIONS,
            blob_service_name,
            check_file_service,
        )
    }
}

fn check_file_service(_ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    if let Some(p) = prop(body, &["shareDeleteRetentionPolicy"]).cloned() {
        let enabled = p["enabled"].as_bool().unwrap_or(false);
        let days = p["days"].as_f64();
        if enabled && !days.is_some_and(|d| (1.0..=365.0).contains(&d)) {
            return Err(ArmError::bad_request(
                "InvalidRequestPropertyValue",
                "shareDeleteRetentionPolicy.days must be between 1 and 365 when the policy is enabled.",
            )
            .with_target("properties.shareDeleteRetentionPolicy.days"));
        }
    }
    Ok(Write::body(body.clone()))
}

/// The body of a storage account's `listKeys` (and `regenerateKey`): its
/// two keys as the 2025-01-01 API lists them.
pub fn keys_body(keys: &[String], created: &str) -> J {
    json!({"keys": keys.iter().enumerate().map(|(i, k)| json!({
        "creationTime": created,
        "keyName": format!("key{}", i + 1),
        "permissions": "FULL",
        "value": k,
    })).collect::<Vec<_>>()})
}
