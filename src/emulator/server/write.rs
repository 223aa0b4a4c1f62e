//! PUT and PATCH: conditions, the envelope ARM checks, the type's rules,
//! then a synchronous write or a long-running operation.

use serde_json::{Value as J, json};

use super::call::Call;
use super::http::{Resp, empty, json_resp, with_header};
use super::lro::{op_urls, retry_after};
use super::read::check_parent;
use super::simulation::{affected_region, consume_fail_rule, fail_rule, region_of};
use super::world::World;
use crate::emulator::arm::{ArmError, parent_of, rg_of, sub_of};
use crate::emulator::store::{Operation, Row};
use crate::emulator::types::{self, Lro, Spec};

/// Merge-patch (RFC 7396), except that `tags` is replaced whole.
pub(super) fn merge(into: &mut J, patch: &J) {
    match (into.as_object_mut(), patch.as_object()) {
        (Some(t), Some(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else if k == "tags" || !v.is_object() {
                    t.insert(k.clone(), v.clone());
                } else {
                    merge(t.entry(k.clone()).or_insert(json!({})), v);
                }
            }
        }
        _ => *into = patch.clone(),
    }
}

pub(super) fn write(
    w: &mut World,
    spec: &Spec,
    call: &Call,
    patch: bool,
) -> Result<Resp, ArmError> {
    let (store, settings, p, request, now) =
        (&w.store, &w.settings, call.path, &call.request, call.now);
    let id = p.id();
    let name = p.name();
    (spec.name_rule)(&name).map_err(|m| {
        ArmError::bad_request(
            if p.is_resource_group() {
                "InvalidResourceGroupName"
            } else {
                "InvalidResourceName"
            },
            m.to_string(),
        )
    })?;
    // A PUT without a body creates a resource of defaults where the type
    // needs nothing (a Front Door rule set: the spec's operation has no
    // body); a located type still needs its location.
    let no_body = json!({});
    let request = if request.is_null() && !patch && !spec.located {
        &no_body
    } else {
        request
    };
    if !request.is_object() {
        return Err(ArmError::bad_request(
            "InvalidRequestContent",
            "The request body must be a JSON object.",
        ));
    }
    check_parent(store, p)?;
    let existing = store.get(&id).map_err(types::internal)?;
    if patch && existing.is_none() {
        return Err(ArmError::not_found(
            "ResourceNotFound",
            format!("The Resource '{}/{name}' was not found.", spec.ty),
        ));
    }
    if let Some(op) = store.running_on(&id).map_err(types::internal)? {
        return Err(ArmError::conflict(
            "AnotherOperationInProgress",
            format!("Another operation is in progress on '{name}'. Retry when it has finished."),
        )
        .busy_until(op.finish, call.now));
    }
    if spec.etags {
        if let Some(want) = call.headers.get("if-match").and_then(|v| v.to_str().ok())
            && (want != "*" && existing.as_ref().is_none_or(|r| r.etag != want)
                || want == "*" && existing.is_none())
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The If-Match condition was not met: the resource changed since it was read.",
            ));
        }
        if call
            .headers
            .get("if-none-match")
            .and_then(|v| v.to_str().ok())
            == Some("*")
            && existing.is_some()
        {
            return Err(ArmError::new(
                412,
                "PreconditionFailed",
                "The resource already exists (If-None-Match: *).",
            ));
        }
    }
    let mut body = match (&existing, patch) {
        (Some(old), true) => {
            let mut b = old.body.clone();
            if let Some(pr) = b.get_mut("properties").and_then(J::as_object_mut) {
                pr.remove("provisioningState");
            }
            merge(&mut b, request);
            b
        }
        _ => request.clone(),
    };
    // The envelope's types and a known region, as ARM checks them.
    types::check_envelope(spec.ty, &body)?;
    // Location: required on create, immutable after.
    if let Some(loc) = body.get("location").and_then(J::as_str) {
        body["location"] = J::String(loc.to_lowercase().replace(' ', ""));
    }
    let old_loc = existing
        .as_ref()
        .and_then(|o| o.body.get("location"))
        .and_then(J::as_str)
        .map(str::to_string);
    match (&old_loc, body.get("location").and_then(J::as_str)) {
        (None, None) if spec.located && existing.is_none() => {
            return Err(ArmError::bad_request(
                "LocationRequired",
                "The location property is required for this definition.",
            )
            .with_target("location"));
        }
        (Some(old_loc), Some(new)) if !old_loc.eq_ignore_ascii_case(new) => {
            return Err(if p.is_resource_group() {
                ArmError::conflict("InvalidResourceGroupLocation", format!("Invalid resource group location '{new}'. The Resource group already exists in location '{old_loc}'."))
            } else {
                ArmError::conflict("InvalidResourceLocation", format!("The resource '{name}' already exists in location '{old_loc}' in resource group '{}'. A resource with the same name cannot be created in location '{new}'. Please select a new resource name.", p.resource_group.clone().unwrap_or_default()))
            }
            .with_target("location"));
        }
        (Some(old_loc), None) => body["location"] = J::String(old_loc.clone()),
        _ => {}
    }
    let mut checked = (spec.check)(&call.ctx(w, p, existing.as_ref()), &mut body)?;
    types::fill_identity(
        &mut checked.body,
        existing.as_ref().map(|r| &r.body),
        &id,
        &call.caller.creds.tenant_id,
    );
    // Canonical envelope.
    let stored_name = existing
        .as_ref()
        .and_then(|r| r.body.get("name").cloned())
        .unwrap_or(J::String(name.clone()));
    let canonical_id = existing
        .as_ref()
        .map(|r| r.id.clone())
        .unwrap_or(id.clone());
    if let Some(m) = checked.body.as_object_mut() {
        m.insert("id".into(), J::String(canonical_id.clone()));
        m.insert("name".into(), stored_name);
        m.insert("type".into(), J::String(spec.ty.to_string()));
        m.remove("etag");
        let created = existing
            .as_ref()
            .and_then(|r| r.body.get("systemData").cloned())
            .unwrap_or(json!({
                "createdBy": call.caller.client,
                "createdByType": "Application",
                "createdAt": crate::timefmt::rfc3339(now),
                "createdAtSeconds": now,
            }));
        let mut sd = created;
        // Who and when, as the spec's `systemData` (the caller is a
        // service principal: its client id, type Application).
        sd["lastModifiedBy"] = json!(call.caller.client);
        sd["lastModifiedByType"] = json!("Application");
        sd["lastModifiedAt"] = J::String(crate::timefmt::rfc3339(now));
        m.insert("systemData".into(), sd);
    }
    let creating = existing.is_none();
    let secs = checked.secs.unwrap_or(if creating {
        spec.create_secs
    } else {
        spec.update_secs
    }) * settings.duration_factor;
    let parent = parent_of(&canonical_id);
    let (sub, rg) = (
        p.subscription.clone(),
        p.resource_group.clone().unwrap_or_default(),
    );
    let status_code = if creating { 201 } else { 200 };
    let lro = if spec.lro_put == Lro::Sync || secs <= 0.0 {
        Lro::Sync
    } else {
        spec.lro_put
    };
    let fail = fail_rule(&w.faults, &canonical_id, spec.ty);
    if lro == Lro::Sync && fail.is_none() {
        let mut b = checked.body.clone();
        if !p.is_resource_group() {
            types::props(&mut b).insert("provisioningState".into(), json!("Succeeded"));
        } else {
            b["properties"] = json!({"provisioningState": "Succeeded"});
        }
        let tx = store
            .conn
            .unchecked_transaction()
            .map_err(types::internal)?;
        let etag = store
            .put(&canonical_id, spec.ty, &parent, &sub, &rg, &b)
            .map_err(types::internal)?;
        for (eid, ety, eb) in &checked.effects {
            match eb {
                Some(eb) => {
                    store
                        .put(eid, ety, &parent_of(eid), &sub_of(eid), &rg_of(eid), eb)
                        .map_err(types::internal)?;
                }
                None => {
                    store.delete_tree(eid).map_err(types::internal)?;
                }
            }
        }
        tx.commit().map_err(types::internal)?;
        let row = Row {
            id: canonical_id,
            ty: spec.ty.into(),
            body: b,
            etag: etag.clone(),
        };
        let r = json_resp(status_code, &spec.present(store, &row));
        return Ok(if spec.etags {
            with_header(r, "etag", &etag)
        } else {
            r
        });
    }
    // Long-running: store the in-progress body and an operation.
    let mut progress = checked.body.clone();
    types::props(&mut progress).insert(
        "provisioningState".into(),
        json!(if creating { "Creating" } else { "Updating" }),
    );
    let location = region_of(&checked.body)
        .or_else(|| affected_region(store, p, &J::Null))
        .unwrap_or_default();
    let mut effects = vec![(
        canonical_id.clone(),
        spec.ty.to_string(),
        Some(checked.body.clone()),
    )];
    effects.append(&mut checked.effects);
    let op = Operation {
        id: crate::random::uuid_v4().map_err(types::internal)?,
        resource: canonical_id.clone(),
        kind: if creating {
            "create".into()
        } else {
            "update".into()
        },
        status: "Running".into(),
        start: now,
        finish: now + secs,
        effects,
        error: fail
            .as_ref()
            .map(|f| f.error("The operation failed (emulator fault).")),
        result: checked.data.take().map(|d| json!({"dataChange": d})),
        namespace: p.namespace.clone().unwrap_or_default(),
        location: location.clone(),
        subscription: sub.clone(),
    };
    let tx = store
        .conn
        .unchecked_transaction()
        .map_err(types::internal)?;
    let etag = store
        .put(&canonical_id, spec.ty, &parent, &sub, &rg, &progress)
        .map_err(types::internal)?;
    store.put_op(&op).map_err(types::internal)?;
    tx.commit().map_err(types::internal)?;
    if fail.is_some() {
        consume_fail_rule(&mut w.faults, &canonical_id, spec.ty);
    }
    let row = Row {
        id: canonical_id,
        ty: spec.ty.into(),
        body: progress,
        etag,
    };
    let shown = spec.present(store, &row);
    let (status_url, result_url) =
        op_urls(call.base, &sub, &op.namespace, &location, &op.id, call.api);
    let ra = retry_after(settings, &op, now);
    Ok(match (lro, patch) {
        (Lro::ProvisioningState, _) => json_resp(status_code, &shown),
        (Lro::Location, _) => with_header(
            with_header(empty(202), "location", &result_url),
            "retry-after",
            &ra,
        ),
        (Lro::AsyncOperation, true) => with_header(
            with_header(
                with_header(empty(202), "location", &result_url),
                "azure-asyncoperation",
                &status_url,
            ),
            "retry-after",
            &ra,
        ),
        (Lro::AsyncOperation, false) => with_header(
            with_header(
                json_resp(status_code, &shown),
                "azure-asyncoperation",
                &status_url,
            ),
            "retry-after",
            &ra,
        ),
        (Lro::Sync, _) => json_resp(status_code, &shown),
    })
}
