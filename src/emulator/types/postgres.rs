//! Microsoft.DBforPostgreSQL/flexibleServers: tiers, storage that only
//! grows, high availability, read replicas in any region, promotion
//! (planned waits for replication, forced loses what had not replicated),
//! switchover, and point-in-time restore.

use serde_json::{Value as J, json};

use super::*;

const TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers";
/// Creating a replica: seeding copies the data.
const REPLICA_SEED_SECS: f64 = 1200.0;
/// A point-in-time restore into a new server.
const RESTORE_SECS: f64 = 900.0;
/// A promotion (a planned one also waits out the replication lag).
const PROMOTION_SECS: f64 = 120.0;
/// The storage sizes a flexible server offers (azurerm's `storage_mb` / 1024).
const STORAGE_SIZES_GB: &[i64] = &[
    32, 64, 128, 256, 512, 1024, 2048, 4095, 4096, 8192, 16384, 32767,
];

fn name(n: &str) -> Result<(), InvalidName> {
    if !n
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        || n.starts_with('-')
        || n.ends_with('-')
        || n.len() < 3
        || n.len() > 63
    {
        return Err(InvalidName(format!(
            "Server name '{n}' is invalid: use 3-63 lowercase letters, digits and hyphens, not starting or ending with a hyphen."
        )));
    }
    Ok(())
}

fn role(body: &J) -> String {
    str_prop(body, &["replicationRole"])
        .or_else(|| str_prop(body, &["replica", "role"]))
        .unwrap_or("None")
        .to_string()
}

fn is_replica(body: &J) -> bool {
    let r = role(body).to_lowercase();
    r.contains("replica")
}

fn location(body: &J) -> String {
    body.get("location")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_lowercase()
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let creating = ctx.existing.is_none();
    let old = old(ctx);
    let mut secs = None;
    let mut data = None;
    let mut effects = Vec::new();
    let loc = location(body);
    let create_mode = str_prop(body, &["createMode"])
        .unwrap_or("Default")
        .to_string();

    // Tier rules.
    let tier = body
        .get("sku")
        .and_then(|s| s.get("tier"))
        .and_then(J::as_str)
        .unwrap_or("GeneralPurpose")
        .to_string();
    if !["Burstable", "GeneralPurpose", "MemoryOptimized"]
        .iter()
        .any(|t| t.eq_ignore_ascii_case(&tier))
    {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!("Invalid sku tier '{tier}': use Burstable, GeneralPurpose or MemoryOptimized."),
        )
        .with_target("sku.tier"));
    }
    let ha = str_prop(body, &["highAvailability", "mode"])
        .unwrap_or("Disabled")
        .to_string();
    if tier.eq_ignore_ascii_case("Burstable") && !ha.eq_ignore_ascii_case("Disabled") {
        return Err(ArmError::bad_request(
            "HANotSupportedForBurstableSkus",
            "High availability is not supported for the Burstable tier.",
        )
        .with_target("properties.highAvailability.mode"));
    }
    if let Some(days) = int_prop(
        body,
        &["backup", "backupRetentionDays"],
        i64::MIN / 2,
        i64::MAX / 2,
    )? && !(7.0..=35.0).contains(&days)
    {
        return Err(ArmError::bad_request(
            "InvalidBackupRetentionDays",
            "backupRetentionDays must be between 7 and 35.",
        )
        .with_target("properties.backup.backupRetentionDays"));
    }
    // Storage: one of the sizes Azure offers, and it only grows.
    if let Some(gb) = int_prop(body, &["storage", "storageSizeGB"], 32, 32767)?
        && !STORAGE_SIZES_GB.contains(&(gb as i64))
    {
        return Err(ArmError::bad_request("InvalidParameterValue", format!("Invalid value given for parameter StorageSizeGB: {gb} GB is not offered; use one of {STORAGE_SIZES_GB:?}.")).with_target("properties.storage.storageSizeGB"));
    }
    if let (Some(o), Some(new)) = (
        old.as_ref()
            .and_then(|o| num_prop(o, &["storage", "storageSizeGB"])),
        num_prop(body, &["storage", "storageSizeGB"]),
    ) && new < o
    {
        return Err(ArmError::bad_request(
            "InvalidStorageSizeDecrease",
            format!("Storage size cannot be decreased (from {o} GB to {new} GB)."),
        )
        .with_target("properties.storage.storageSizeGB"));
    }
    if let Some(o) = &old
        && (str_prop(body, &["geoRedundantBackup"]).is_some()
            || str_prop(body, &["backup", "geoRedundantBackup"])
                .is_some_and(|g| Some(g) != str_prop(o, &["backup", "geoRedundantBackup"])))
    {
        return Err(ArmError::bad_request(
            "PropertyChangeNotAllowed",
            "geoRedundantBackup can only be set when the server is created.",
        )
        .with_target("properties.backup.geoRedundantBackup"));
    }

    if creating {
        match create_mode.to_lowercase().as_str() {
            "default" | "create" => {
                require(body, &["administratorLogin"], " when creating a server")?;
            }
            "replica" => {
                let source_id = str_prop(body, &["sourceServerResourceId"])
                    .ok_or_else(|| {
                        ArmError::bad_request(
                            "InvalidParameterValue",
                            "A replica needs sourceServerResourceId.",
                        )
                        .with_target("properties.sourceServerResourceId")
                    })?
                    .to_string();
                let source = ctx.get(&source_id)?.ok_or_else(|| {
                    ArmError::bad_request(
                        "SourceServerNotFound",
                        format!("The source server '{source_id}' does not exist."),
                    )
                })?;
                if is_replica(&source.body) {
                    return Err(ArmError::bad_request(
                        "ReplicaOfReplicaNotSupported",
                        "The source server is itself a replica: replicas must be created from a primary server.",
                    ));
                }
                if ctx.region_down(&location(&source.body)) {
                    return Err(ArmError::new(
                        503,
                        "SourceServerUnavailable",
                        "The source server's region is unavailable.",
                    ));
                }
                let src_storage =
                    num_prop(&source.body, &["storage", "storageSizeGB"]).unwrap_or(32.0);
                if num_prop(body, &["storage", "storageSizeGB"]).is_some_and(|s| s < src_storage) {
                    return Err(ArmError::bad_request(
                        "InvalidStorageSize",
                        "A replica's storage must be at least the source server's.",
                    ));
                }
                let same_region = location(&source.body) == loc;
                let p = props(body);
                p.insert(
                    "replicationRole".into(),
                    json!(if same_region {
                        "AsyncReplica"
                    } else {
                        "GeoAsyncReplica"
                    }),
                );
                p.insert("replica".into(), json!({"role": if same_region { "AsyncReplica" } else { "GeoAsyncReplica" }, "replicationState": "Active"}));
                p.insert("sourceServerResourceId".into(), json!(source.id));
                p.entry("storage")
                    .or_insert(json!({"storageSizeGB": src_storage}));
                p.entry("version").or_insert(
                    prop(&source.body, &["version"])
                        .cloned()
                        .unwrap_or(json!("16")),
                );
                p.entry("administratorLogin").or_insert(
                    prop(&source.body, &["administratorLogin"])
                        .cloned()
                        .unwrap_or(J::Null),
                );
                // Seeding copies the data and takes a while.
                secs = Some(REPLICA_SEED_SECS);
            }
            "pointintimerestore" => {
                let source_id = str_prop(body, &["sourceServerResourceId"])
                    .ok_or_else(|| {
                        ArmError::bad_request(
                            "InvalidParameterValue",
                            "A restore needs sourceServerResourceId.",
                        )
                        .with_target("properties.sourceServerResourceId")
                    })?
                    .to_string();
                let source = ctx.get(&source_id)?.ok_or_else(|| {
                    ArmError::bad_request(
                        "SourceServerNotFound",
                        format!("The source server '{source_id}' does not exist."),
                    )
                })?;
                let at = str_prop(body, &["pointInTimeUTC"])
                    .and_then(super::super::clock::parse_rfc3339)
                    .ok_or_else(|| {
                        ArmError::bad_request(
                            "InvalidParameterValue",
                            "pointInTimeUTC must be an RFC 3339 time.",
                        )
                        .with_target("properties.pointInTimeUTC")
                    })?;
                let created = source
                    .body
                    .get("systemData")
                    .and_then(|s| s.get("createdAtSeconds"))
                    .and_then(J::as_f64)
                    .unwrap_or(0.0);
                let retention = num_prop(&source.body, &["backup", "backupRetentionDays"])
                    .unwrap_or(7.0)
                    * 86_400.0;
                let earliest = created.max(ctx.now - retention);
                if at > ctx.now || at < earliest {
                    return Err(ArmError::bad_request("InvalidRestorePointInTime", format!("pointInTimeUTC must be between the earliest restore point {} and now {}.", crate::timefmt::rfc3339(earliest), crate::timefmt::rfc3339(ctx.now))).with_target("properties.pointInTimeUTC"));
                }
                let p = props(body);
                p.insert("replicationRole".into(), json!("None"));
                p.entry("storage").or_insert(
                    prop(&source.body, &["storage"])
                        .cloned()
                        .unwrap_or(json!({"storageSizeGB": 32})),
                );
                p.entry("version").or_insert(
                    prop(&source.body, &["version"])
                        .cloned()
                        .unwrap_or(json!("16")),
                );
                p.entry("administratorLogin").or_insert(
                    prop(&source.body, &["administratorLogin"])
                        .cloned()
                        .unwrap_or(J::Null),
                );
                data = Some(DataChange::CopyFrom {
                    source: source.id.clone(),
                    target: ctx.path.id(),
                    cutoff: at,
                    fence: false,
                    cut_at: None,
                });
                secs = Some(RESTORE_SECS);
            }
            other => {
                return Err(ArmError::bad_request(
                    "InvalidParameterValue",
                    format!("createMode '{other}' is not supported by the emulator."),
                )
                .with_target("properties.createMode"));
            }
        }
    } else if let Some(o) = &old {
        // Promotion of a replica: the newer `replica.promoteMode` or the
        // older `replicationRole: None`.
        let promote_mode = str_prop(body, &["replica", "promoteMode"]).map(str::to_lowercase);
        let promote_option = str_prop(body, &["replica", "promoteOption"])
            .unwrap_or("planned")
            .to_lowercase();
        let legacy = str_prop(body, &["replicationRole"])
            .is_some_and(|r| r.eq_ignore_ascii_case("None"))
            && is_replica(o);
        if (promote_mode.is_some() || legacy) && is_replica(o) {
            let source_id = str_prop(o, &["sourceServerResourceId"])
                .unwrap_or_default()
                .to_string();
            let source = ctx.get(&source_id)?;
            let source_down = source
                .as_ref()
                .is_none_or(|s| ctx.region_down(&location(&s.body)));
            let planned = promote_option == "planned" && !legacy;
            let lag = ctx.settings.replication_lag_secs;
            if planned && source_down {
                return Err(ArmError::conflict(
                    "SourceServerUnavailable",
                    "A planned promotion waits for the replica to catch up with its source, which is unreachable: use promoteOption Forced.",
                ));
            }
            let switchover = promote_mode.as_deref() == Some("switchover");
            if switchover && source_down {
                return Err(ArmError::conflict(
                    "SourceServerUnavailable",
                    "A switchover needs the source server to be reachable.",
                ));
            }
            // Azure swaps the roles only through a virtual endpoint whose
            // members include this replica; the endpoint then moves to it.
            if switchover {
                effects.extend(super::postgres_endpoints::switchover_moves(
                    ctx.store,
                    &source_id,
                    &ctx.path.id(),
                )?);
            }
            // Planned: wait for the replica to catch up (all writes copied;
            // a switchover fences the source's writes at once, so nothing
            // written after the switch is lost). Forced or legacy: cut where
            // replication stopped, at the source region's outage (or now),
            // losing what had not replicated by then.
            let cut_at = source
                .as_ref()
                .and_then(|s| ctx.outage_since(&location(&s.body)))
                .unwrap_or(ctx.now);
            let keeps_all = planned || switchover;
            data = Some(DataChange::CopyFrom {
                source: source_id.clone(),
                target: ctx.path.id(),
                cutoff: if keeps_all { f64::MAX } else { cut_at - lag },
                fence: switchover,
                cut_at: (!keeps_all).then_some(cut_at),
            });
            let p = props(body);
            p.insert("replicationRole".into(), json!("None"));
            p.insert(
                "replica".into(),
                json!({"role": "None", "replicationState": J::Null}),
            );
            p.remove("sourceServerResourceId");
            p.remove("createMode");
            secs = Some(PROMOTION_SECS + if planned || switchover { lag } else { 0.0 });
            if switchover && let Some(mut src) = source.map(|s| s.body) {
                let same_region = location(&src) == loc;
                let sp = props(&mut src);
                sp.insert(
                    "replicationRole".into(),
                    json!(if same_region {
                        "AsyncReplica"
                    } else {
                        "GeoAsyncReplica"
                    }),
                );
                sp.insert("replica".into(), json!({"role": if same_region { "AsyncReplica" } else { "GeoAsyncReplica" }, "replicationState": "Active"}));
                sp.insert("sourceServerResourceId".into(), json!(ctx.path.id()));
                sp.insert("provisioningState".into(), json!("Succeeded"));
                effects.push((source_id.clone(), TYPE.to_string(), Some(src)));
            }
        } else if is_replica(o) {
            // Other updates to a replica keep its replication settings.
            let p = props(body);
            for k in ["replicationRole", "replica", "sourceServerResourceId"] {
                if let Some(v) = prop(o, &[k]) {
                    p.insert(k.into(), v.clone());
                }
            }
        }
        for k in ["createMode", "pointInTimeUTC"] {
            props(body).remove(k);
        }
    }
    let name = ctx.path.name();
    let p = props(body);
    p.remove("administratorLoginPassword");
    p.entry("version").or_insert(json!("16"));
    p.entry("storage").or_insert(json!({"storageSizeGB": 32}));
    p.entry("backup")
        .or_insert(json!({"backupRetentionDays": 7, "geoRedundantBackup": "Disabled"}));
    p.entry("highAvailability")
        .or_insert(json!({"mode": "Disabled"}));
    p.entry("replicationRole").or_insert(json!("None"));
    p.insert(
        "fullyQualifiedDomainName".into(),
        json!(format!("{name}.postgres.database.azure.com")),
    );
    p.insert("state".into(), json!("Ready"));
    p.insert("replicaCapacity".into(), json!(5));
    service_defaults(p);
    Ok(Write {
        body: body.clone(),
        secs,
        effects,
        data,
    })
}

/// Premium SSD tiers by size (GB) and their baseline IOPS, as Azure
/// picks the tier a size gets when none is given.
const STORAGE_TIERS: &[(f64, &str, i64)] = &[
    (32.0, "P4", 120),
    (64.0, "P6", 240),
    (128.0, "P10", 500),
    (256.0, "P15", 1100),
    (512.0, "P20", 2300),
    (1024.0, "P30", 5000),
    (2048.0, "P40", 7500),
    (4096.0, "P50", 7500),
    (8192.0, "P60", 16000),
    (16384.0, "P70", 18000),
    (32767.0, "P80", 20000),
];

/// The minor release Azure runs for each major version.
const MINOR_VERSIONS: &[(&str, &str)] = &[
    ("11", "22"),
    ("12", "22"),
    ("13", "20"),
    ("14", "17"),
    ("15", "12"),
    ("16", "8"),
    ("17", "4"),
];

/// What the service fills in on every server (the schema's read-only and
/// defaulted properties): storage tier, type and IOPS, network access,
/// encryption, authentication, minor version, the standby's state and
/// zone, and the system-managed maintenance window.
fn service_defaults(p: &mut Map<String, J>) {
    if let Some(st) = p.get_mut("storage").and_then(J::as_object_mut) {
        let gb = st.get("storageSizeGB").and_then(J::as_f64).unwrap_or(32.0);
        let by_size = STORAGE_TIERS
            .iter()
            .find(|(size, _, _)| gb <= *size)
            .unwrap_or(&STORAGE_TIERS[STORAGE_TIERS.len() - 1]);
        let tier = st
            .entry("tier")
            .or_insert(json!(by_size.1))
            .as_str()
            .unwrap_or(by_size.1)
            .to_string();
        let iops = STORAGE_TIERS
            .iter()
            .find(|(_, t, _)| t.eq_ignore_ascii_case(&tier))
            .map_or(by_size.2, |t| t.2);
        st.entry("iops").or_insert(json!(iops));
        st.entry("type").or_insert(json!("Premium_LRS"));
        st.entry("autoGrow").or_insert(json!("Disabled"));
    }
    let private = p
        .get("network")
        .and_then(|n| n.get("delegatedSubnetResourceId"))
        .is_some_and(|s| s.as_str().is_some_and(|s| !s.is_empty()));
    if let Some(n) = p.entry("network").or_insert(json!({})).as_object_mut() {
        n.entry("publicNetworkAccess").or_insert(json!(if private {
            "Disabled"
        } else {
            "Enabled"
        }));
    }
    p.entry("dataEncryption")
        .or_insert(json!({"type": "SystemManaged"}));
    if let Some(a) = p.entry("authConfig").or_insert(json!({})).as_object_mut() {
        a.entry("activeDirectoryAuth").or_insert(json!("Disabled"));
        a.entry("passwordAuth").or_insert(json!("Enabled"));
    }
    let major = p.get("version").and_then(J::as_str).unwrap_or("16");
    if let Some((_, minor)) = MINOR_VERSIONS.iter().find(|(m, _)| *m == major) {
        p.insert("minorVersion".into(), json!(minor));
    }
    let zone = p
        .get("availabilityZone")
        .and_then(J::as_str)
        .unwrap_or("1")
        .to_string();
    if let Some(ha) = p.get_mut("highAvailability").and_then(J::as_object_mut) {
        let mode = ha.get("mode").and_then(J::as_str).unwrap_or("Disabled");
        let (state, standby) = match mode.to_ascii_lowercase().as_str() {
            "zoneredundant" => ("Healthy", if zone == "1" { "2" } else { "1" }.to_string()),
            "samezone" => ("Healthy", zone.clone()),
            _ => ("NotEnabled", String::new()),
        };
        ha.insert("state".into(), json!(state));
        if !standby.is_empty() {
            ha.entry("standbyAvailabilityZone")
                .or_insert(json!(standby));
        }
    }
    p.entry("maintenanceWindow").or_insert(json!({
        "customWindow": "Disabled", "dayOfWeek": 0, "startHour": 0, "startMinute": 0
    }));
}

/// Deleting a primary leaves its replicas as standalone servers.
fn check_delete(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let mut effects = Vec::new();
    for r in ctx
        .store
        .of_type(TYPE, &ctx.path.subscription)
        .map_err(internal)?
    {
        if str_prop(&r.body, &["sourceServerResourceId"])
            .is_some_and(|s| s.eq_ignore_ascii_case(&row.id))
        {
            let mut b = r.body.clone();
            let p = props(&mut b);
            p.insert("replicationRole".into(), json!("None"));
            p.insert("replica".into(), json!({"role": "None"}));
            p.remove("sourceServerResourceId");
            effects.push((r.id.clone(), TYPE.to_string(), Some(b)));
        }
    }
    Ok(effects)
}

/// Primaries report their role from the replicas that point at them;
/// every server its earliest restore point (`backup.earliestRestoreDate`:
/// its creation, or now minus the backup retention, whichever is later).
fn decorate(store: &Store, body: &mut J) {
    let Some(id) = body.get("id").and_then(J::as_str).map(str::to_string) else {
        return;
    };
    if let Some(created) = body
        .get("systemData")
        .and_then(|s| s.get("createdAtSeconds"))
        .and_then(J::as_f64)
    {
        let now = store
            .meta("sim_time")
            .ok()
            .flatten()
            .and_then(|t| t.parse::<f64>().ok())
            .unwrap_or(created);
        let retention =
            num_prop(body, &["backup", "backupRetentionDays"]).unwrap_or(7.0) * 86_400.0;
        let earliest = created.max(now - retention);
        if let Some(b) = props(body).get_mut("backup").and_then(J::as_object_mut) {
            b.insert(
                "earliestRestoreDate".into(),
                json!(crate::timefmt::rfc3339(earliest)),
            );
        }
    }
    let sub = id.split('/').nth(2).unwrap_or_default().to_string();
    if role(body).eq_ignore_ascii_case("None") {
        let has_replicas = store
            .of_type(TYPE, &sub)
            .unwrap_or_default()
            .iter()
            .any(|r| {
                str_prop(&r.body, &["sourceServerResourceId"])
                    .is_some_and(|s| s.eq_ignore_ascii_case(&id))
            });
        if has_replicas {
            props(body).insert("replicationRole".into(), json!("Primary"));
            props(body).insert("replica".into(), json!({"role": "Primary"}));
        }
    }
    // The newer `replica` object beside the older role and capacity.
    let role = role(body);
    let p = props(body);
    let capacity = p.get("replicaCapacity").cloned().unwrap_or(json!(5));
    if let Some(r) = p
        .entry("replica")
        .or_insert(json!({"role": role}))
        .as_object_mut()
    {
        r.entry("capacity").or_insert(capacity);
    }
}

fn hide(body: &mut J) {
    if let Some(p) = body.get_mut("properties").and_then(J::as_object_mut) {
        p.remove("administratorLoginPassword");
    }
}

pub fn specs() -> Vec<Spec> {
    vec![Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 600.0,
        update_secs: 120.0,
        delete_secs: 120.0,
        other_secs: &[
            ("replica_create", REPLICA_SEED_SECS),
            ("restore", RESTORE_SECS),
            ("promotion", PROMOTION_SECS),
        ],
        located: true,
        check_delete,
        hide,
        decorate,
        ..Spec::plain(
            TYPE,
            &[
                "2025-08-01",
                "2024-08-01",
                "2023-12-01-preview",
                "2023-06-01-preview",
                "2022-12-01",
            ],
            name,
            check,
        )
    }]
}
