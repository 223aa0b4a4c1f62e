//! POST actions on a resource (promote, failover, force unlink, ...),
//! always long-running.

use serde_json::json;

use super::call::Call;
use super::http::{Resp, empty, json_resp, with_header};
use super::lro::{op_urls, retry_after};
use super::world::World;
use crate::emulator::arm::{ArmError, ArmPath, parent_of, rg_of, sub_of};
use crate::emulator::store::Operation;
use crate::emulator::types::{self, Lro};

/// POST `action` on the resource at `target`.
pub(super) fn action_post(
    w: &World,
    call: &Call,
    target: &ArmPath,
    action: &str,
) -> Result<Resp, ArmError> {
    let (store, settings, now) = (&w.store, &w.settings, call.now);
    let spec = types::lookup_or_generic(&target.type_name())
        .ok_or_else(|| ArmError::bad_request("InvalidResourceType", "Unknown resource type."))?;
    let Some(act) = spec.action else {
        return Err(ArmError::bad_request(
            "InvalidAction",
            format!("'{}' has no actions.", spec.ty),
        ));
    };
    let Some(row) = store.get(&target.id()).map_err(types::internal)? else {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!(
                "The Resource '{}/{}' was not found.",
                spec.ty,
                target.name()
            ),
        ));
    };
    if let Some(op) = store.running_on(&row.id).map_err(types::internal)? {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            "Another operation is in progress on this resource.",
        )
        .busy_until(op.finish, call.now));
    }
    let ctx = call.ctx(w, target, Some(&row));
    let outcome = act(&ctx, &row, action, &call.request, call.query)?;
    if spec.sync_actions {
        return finish_now(w, outcome);
    }
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: row.id.clone(),
        kind: action.to_string(),
        status: "Running".into(),
        start: now,
        finish: now + outcome.secs * settings.duration_factor,
        effects: outcome.effects,
        error: None,
        result: outcome
            .data
            .map(|d| json!({"dataChange": d}))
            .or(outcome.result),
        namespace: target.namespace.clone().unwrap_or_default(),
        location: String::new(),
        subscription: target.subscription.clone(),
    };
    store.put_op(&op).map_err(types::internal)?;
    let (status_url, result_url) = op_urls(
        call.base,
        &target.subscription,
        &op.namespace,
        &op.location,
        &op.id,
        call.api,
    );
    let ra = retry_after(settings, &op, now);
    let mut r = with_header(
        with_header(empty(202), "location", &result_url),
        "retry-after",
        &ra,
    );
    if spec.lro_put == Lro::AsyncOperation {
        r = with_header(r, "azure-asyncoperation", &status_url);
    }
    Ok(r)
}

/// A synchronous action: its effects written at once, its result the
/// answer (200, or 204 without one).
fn finish_now(w: &World, outcome: types::Action) -> Result<Resp, ArmError> {
    let store = &w.store;
    let tx = store
        .conn
        .unchecked_transaction()
        .map_err(types::internal)?;
    for (id, ty, body) in &outcome.effects {
        match body {
            Some(b) => store
                .put(id, ty, &parent_of(id), &sub_of(id), &rg_of(id), b)
                .map(drop),
            None => store.delete_tree(id).map(drop),
        }
        .map_err(types::internal)?;
    }
    tx.commit().map_err(types::internal)?;
    Ok(match outcome.result {
        Some(r) => json_resp(200, &r),
        None => empty(204),
    })
}
