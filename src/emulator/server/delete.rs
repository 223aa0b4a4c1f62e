//! DELETE: the type's rules, then a synchronous delete or a long-running
//! operation.

use serde_json::{Value as J, json};

use super::call::Call;
use super::http::{Resp, empty, with_header};
use super::lro::{op_urls, retry_after};
use super::simulation::{affected_region, apply_data, consume_fail_rule, fail_rule, region_of};
use super::world::World;
use crate::emulator::arm::{ArmError, parent_of, rg_of, sub_of};
use crate::emulator::store::Operation;
use crate::emulator::types::{self, DataChange, Lro, Spec};

pub(super) fn delete(w: &mut World, spec: &Spec, call: &Call) -> Result<Resp, ArmError> {
    let (store, settings, p, now) = (&w.store, &w.settings, call.path, call.now);
    let Some(row) = store.get(&p.id()).map_err(types::internal)? else {
        return Ok(empty(204));
    };
    if let Some(op) = store.running_on(&row.id).map_err(types::internal)? {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            "Another operation is in progress on this resource.",
        )
        .busy_until(op.finish, call.now));
    }
    let mut effects = (spec.check_delete)(&call.ctx(w, p, Some(&row)), &row)?;
    // Unlinking a cache keeps what had replicated to the secondary.
    let data = if spec.ty == "Microsoft.Cache/redis/linkedServers" {
        let source = p.parent_id().unwrap_or_default();
        // What had not replicated is lost (and recorded): at the unlink,
        // or, forced from the secondary side while the primary's region is
        // down, when the outage began.
        let outage = store
            .get(&source)
            .ok()
            .flatten()
            .and_then(|s| region_of(&s.body))
            .filter(|r| {
                w.faults
                    .regions_down
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(r))
            })
            .map(|r| types::outage_since(store, &r).unwrap_or(now));
        let cut = outage.unwrap_or(now);
        types::str_prop(&row.body, &["linkedRedisCacheId"]).map(|sec| DataChange::CopyFrom {
            source,
            target: sec.to_string(),
            cutoff: cut - settings.replication_lag_secs,
            fence: false,
            cut_at: Some(cut),
        })
    } else {
        None
    };
    let secs = spec.delete_secs * settings.duration_factor;
    if spec.lro_delete == Lro::Sync || secs <= 0.0 {
        let tx = store
            .conn
            .unchecked_transaction()
            .map_err(types::internal)?;
        store.delete_tree(&row.id).map_err(types::internal)?;
        for (eid, ety, eb) in &effects {
            if let Some(eb) = eb {
                store
                    .put(eid, ety, &parent_of(eid), &sub_of(eid), &rg_of(eid), eb)
                    .map_err(types::internal)?;
            }
        }
        if let Some(d) = &data {
            apply_data(store, d);
        }
        tx.commit().map_err(types::internal)?;
        return Ok(empty(200));
    }
    let mut progress = row.body.clone();
    if !p.is_resource_group() {
        types::props(&mut progress).insert("provisioningState".into(), json!("Deleting"));
    }
    // A cache link is removed on the secondary's side (it can be forced
    // there while the primary's region is down).
    let location = if spec.ty == "Microsoft.Cache/redis/linkedServers" {
        types::str_prop(&row.body, &["linkedRedisCacheLocation"])
            .map(|s| s.to_lowercase())
            .unwrap_or_default()
    } else {
        region_of(&row.body)
            .or_else(|| affected_region(store, p, &J::Null))
            .unwrap_or_default()
    };
    let mut all = vec![(row.id.clone(), spec.ty.to_string(), None)];
    all.append(&mut effects);
    let fail = fail_rule(&w.faults, &row.id, spec.ty);
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: row.id.clone(),
        kind: "delete".into(),
        status: "Running".into(),
        start: now,
        finish: now + secs,
        effects: all,
        error: fail
            .as_ref()
            .map(|f| f.error("The delete failed (emulator fault).")),
        result: data.map(|d| json!({"dataChange": d})),
        namespace: p.namespace.clone().unwrap_or_default(),
        location: location.clone(),
        subscription: p.subscription.clone(),
    };
    let tx = store
        .conn
        .unchecked_transaction()
        .map_err(types::internal)?;
    store
        .put(
            &row.id,
            spec.ty,
            &parent_of(&row.id),
            &p.subscription,
            &rg_of(&row.id),
            &progress,
        )
        .map_err(types::internal)?;
    store.put_op(&op).map_err(types::internal)?;
    tx.commit().map_err(types::internal)?;
    if fail.is_some() {
        consume_fail_rule(&mut w.faults, &row.id, spec.ty);
    }
    let (status_url, result_url) = op_urls(
        call.base,
        &p.subscription,
        &op.namespace,
        &location,
        &op.id,
        call.api,
    );
    let ra = retry_after(settings, &op, now);
    let mut r = with_header(
        with_header(empty(202), "location", &result_url),
        "retry-after",
        &ra,
    );
    if spec.lro_delete == Lro::AsyncOperation {
        r = with_header(r, "azure-asyncoperation", &status_url);
    }
    Ok(r)
}
