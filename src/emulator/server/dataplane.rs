//! The data-plane stand-in (`/admin/dataplane`): writes to a primary,
//! and reads that trail it on a replica by the replication lag.

use serde_json::{Value as J, json};

use super::http::{Resp, err_resp, json_resp};
use super::simulation::{LOST_WRITES, advance, region_of};
use super::world::World;
use crate::emulator::arm::{ArmError, sub_of};
use crate::emulator::store::{Row, Store};
use crate::emulator::types::{self, DataChange};

/// What a data-plane resource replicates from, if it is a replica now.
pub(super) fn replica_source(store: &Store, row: &Row) -> Option<String> {
    // A blob container at the destination of object replication.
    if let Some(r) = types::object_replication::replicated_from(store, row) {
        return Some(r.source);
    }
    if row
        .ty
        .eq_ignore_ascii_case("Microsoft.DBforPostgreSQL/flexibleServers")
    {
        // Restored servers keep sourceServerResourceId but are not replicas.
        let replica = types::str_prop(&row.body, &["replicationRole"])
            .is_some_and(|r| r.to_lowercase().contains("replica"));
        return if replica {
            types::str_prop(&row.body, &["sourceServerResourceId"]).map(str::to_string)
        } else {
            None
        };
    }
    if row.ty.eq_ignore_ascii_case("Microsoft.Cache/redis") {
        let sub = sub_of(&row.id);
        for l in store
            .of_type("Microsoft.Cache/redis/linkedServers", &sub)
            .unwrap_or_default()
        {
            if types::str_prop(&l.body, &["linkedRedisCacheId"])
                .is_some_and(|t| t.eq_ignore_ascii_case(&row.id))
            {
                return l
                    .id
                    .rsplit_once("/linkedServers/")
                    .map(|(p, _)| p.to_string());
            }
        }
    }
    None
}

/// Whether a running planned switchover has fenced `id` (its source):
/// from the switchover's start, the old primary takes no writes.
fn fenced(store: &Store, id: &str) -> bool {
    store.running_ops().unwrap_or_default().iter().any(|op| {
        op.result
            .as_ref()
            .and_then(|r| r.get("dataChange"))
            .and_then(|d| serde_json::from_value::<DataChange>(d.clone()).ok())
            .is_some_and(|DataChange::CopyFrom { source, fence, .. }| {
                fence && source.eq_ignore_ascii_case(id)
            })
    })
}

/// What forced cuts lost, per server (`GET /admin/dataplane/lost-writes`):
/// `{"servers": [{resource, source, count, windowStart, windowEnd, ...}]}`.
pub(super) fn lost_writes(w: &World) -> Resp {
    advance(w, w.clock.now());
    let servers: J = w
        .store
        .meta(LOST_WRITES)
        .ok()
        .flatten()
        .and_then(|v| serde_json::from_str(&v).ok())
        .unwrap_or(json!([]));
    json_resp(200, &json!({"servers": servers}))
}

/// A write to a primary (refused on a replica, on a server being switched
/// over, or in a region that is down).
pub(super) fn dataplane_write(w: &World, req: &J) -> Resp {
    let (Some(resource), Some(value)) = (req.get("resource").and_then(J::as_str), req.get("value"))
    else {
        return json_resp(
            400,
            &json!({"error": {"code": "BadRequest", "message": "resource and value are required"}}),
        );
    };
    let (store, now, down) = (&w.store, w.clock.now(), &w.faults.regions_down);
    advance(w, now);
    // A virtual endpoint's writer host name reaches the current primary.
    let resource = if resource.starts_with('/') {
        resource.to_string()
    } else {
        match types::postgres_endpoints::writer_target(store, resource) {
            Some(id) => id,
            None => {
                return err_resp(&ArmError::not_found(
                    "HostNotFound",
                    format!("No virtual endpoint answers to '{resource}'."),
                ));
            }
        }
    };
    let Ok(Some(row)) = store.get(&resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            "No such resource.",
        ));
    };
    if region_of(&row.body).is_some_and(|r| down.iter().any(|d| d.eq_ignore_ascii_case(&r))) {
        return err_resp(&ArmError::new(
            503,
            "ServiceUnavailable",
            "The resource's region is unavailable.",
        ));
    }
    if fenced(store, &row.id) {
        return err_resp(&ArmError::conflict(
            "ServerSwitchingOver",
            "This server is being switched over to its replica and accepts no writes: write to the new primary.",
        ));
    }
    if replica_source(store, &row).is_some() {
        return err_resp(&ArmError::conflict(
            "ReadOnlyReplica",
            "This is a read-only replica: write to its primary.",
        ));
    }
    let v = if let J::String(s) = value {
        s.clone()
    } else {
        value.to_string()
    };
    match store.add_write(&row.id, &v, now) {
        Ok(seq) => json_resp(200, &json!({"resource": row.id, "seq": seq, "at": now})),
        Err(e) => err_resp(&types::internal(e)),
    }
}

/// The values a resource holds: its own writes, and on a replica its
/// source's up to the replication lag.
pub(super) fn dataplane_read(w: &World, resource: &str) -> Resp {
    let (store, now, lag) = (&w.store, w.clock.now(), w.settings.replication_lag_secs);
    advance(w, now);
    let Ok(Some(row)) = store.get(resource) else {
        return err_resp(&ArmError::not_found(
            "ResourceNotFound",
            "No such resource.",
        ));
    };
    let mut writes: Vec<(i64, String, f64)> = store.writes(&row.id).unwrap_or_default();
    let source = replica_source(store, &row);
    // Object replication copies the blobs its rule's filters admit.
    let rule = types::object_replication::replicated_from(store, &row);
    let admitted = |name: &str, at: f64| {
        rule.as_ref().is_none_or(|r| {
            at >= r.since
                && (r.prefixes.is_empty()
                    || r.prefixes.iter().any(|p| name.starts_with(p.as_str())))
        })
    };
    if let Some(src) = &source {
        writes.extend(
            store
                .writes(src)
                .unwrap_or_default()
                .into_iter()
                .filter(|(_, _, at)| *at <= now - lag)
                .filter(|(_, v, at)| admitted(v, *at)),
        );
        writes.sort_by(|a, b| a.2.total_cmp(&b.2));
    }
    json_resp(
        200,
        &json!({
            "resource": row.id,
            "role": if source.is_some() { "replica" } else { "primary" },
            "replicatesFrom": source,
            "lagSeconds": lag,
            "values": writes.iter().map(|(_, v, _)| v.clone()).collect::<Vec<_>>(),
        }),
    )
}
