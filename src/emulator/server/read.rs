//! GET on one resource and on a collection (lists with paging), and
//! the parent checks writes and lists share.

use serde_json::{Value as J, json};

use super::call::Call;
use super::http::{Resp, json_resp, with_header};
use super::world::World;
use crate::emulator::arm::{ArmError, ArmPath};
use crate::emulator::store::Store;
use crate::emulator::types::{self, Spec};

pub(super) fn get(store: &Store, spec: &Spec, p: &ArmPath) -> Result<Resp, ArmError> {
    match store.get(&p.id()).map_err(types::internal)? {
        Some(row) => {
            let etag = row.etag.clone();
            let r = json_resp(200, &spec.present(store, &row));
            Ok(if spec.etags {
                with_header(r, "etag", &etag)
            } else {
                r
            })
        }
        None => {
            if p.is_resource_group() {
                return Err(ArmError::not_found(
                    "ResourceGroupNotFound",
                    format!("Resource group '{}' could not be found.", p.name()),
                ));
            }
            Err(ArmError::not_found(
                "ResourceNotFound",
                format!(
                    "The Resource '{}/{}' under resource group '{}' was not found.",
                    spec.ty,
                    p.name(),
                    p.resource_group.clone().unwrap_or_default()
                ),
            ))
        }
    }
}

pub(super) fn check_parent(store: &Store, p: &ArmPath) -> Result<(), ArmError> {
    if let Some(rg) = p.resource_group_id()
        && !p.is_resource_group()
        && store.get(&rg).map_err(types::internal)?.is_none()
    {
        return Err(ArmError::not_found(
            "ResourceGroupNotFound",
            format!(
                "Resource group '{}' could not be found.",
                p.resource_group.clone().unwrap_or_default()
            ),
        ));
    }
    if let Some(parent) = p.parent_id()
        && store.get(&parent).map_err(types::internal)?.is_none()
        && !types::implicit_parent(store, &parent)
    {
        return Err(ArmError::not_found(
            "ParentResourceNotFound",
            format!(
                "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
                parent.rsplit('/').next().unwrap_or_default()
            ),
        ));
    }
    Ok(())
}

/// A collection, a page at a time.
pub(super) fn list(w: &World, spec: &Spec, call: &Call) -> Result<Resp, ArmError> {
    let (store, settings, p) = (&w.store, &w.settings, call.path);
    let (base, api) = (call.base, call.api);
    let rows = if p.resource_group.is_none() {
        store
            .of_type(spec.ty, &p.subscription)
            .map_err(types::internal)?
    } else {
        check_parent(
            store,
            &ArmPath {
                segments: p.segments[..p.segments.len().saturating_sub(1)].to_vec(),
                ..p.clone()
            },
        )?;
        let parent = p.parent_id_of_collection();
        if spec.ty == types::authorization::ASSIGNMENTS {
            store
                .of_type(spec.ty, &p.subscription)
                .map_err(types::internal)?
        } else {
            store.children(spec.ty, &parent).map_err(types::internal)?
        }
    };
    // Inherited and nested assignments too, as Azure lists them.
    let rows = if spec.ty == types::authorization::ASSIGNMENTS {
        let filter = call.query.get("$filter").cloned().unwrap_or_default();
        let scope = match p.parent_id_of_collection() {
            s if s.is_empty() => format!("/subscriptions/{}", p.subscription),
            s => s,
        };
        types::authorization::listed_assignments(rows, &scope, &filter)
    } else {
        rows
    };
    let token = call.query.get("$skiptoken").cloned().unwrap_or_default();
    let size = settings.page_size.max(1);
    let link = |t: String| {
        format!(
            "{base}{}?api-version={api}&$skiptoken={t}",
            p.id_of_collection()
        )
    };
    if token.is_empty() && settings.empty_pages {
        return Ok(json_resp(
            200,
            &json!({"value": [], "nextLink": link("o0".into())}),
        ));
    }
    let offset: usize = token.trim_start_matches('o').parse().unwrap_or(0);
    let page: Vec<J> = rows
        .iter()
        .skip(offset)
        .take(size)
        .map(|r| spec.present(store, r))
        .collect();
    let mut doc = json!({"value": page});
    if offset.saturating_add(size) < rows.len() {
        doc["nextLink"] = J::String(link(format!("o{}", offset + size)));
    }
    Ok(json_resp(200, &doc))
}
