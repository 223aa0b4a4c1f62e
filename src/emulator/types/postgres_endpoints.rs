//! Microsoft.DBforPostgreSQL/flexibleServers/virtualEndpoints: the pair of
//! virtual endpoints (writer and reader host names) a primary keeps for
//! itself and one read replica. Azure's planned switchover needs one whose
//! members include the replica being promoted, and moves it to the new
//! primary (the writer follows the primary; the member becomes the old
//! primary). The endpoint is managed in the context of the primary only.

use serde_json::{Value as J, json};

use super::*;

pub const TYPE: &str = "Microsoft.DBforPostgreSQL/flexibleServers/virtualEndpoints";
const SERVER: &str = "Microsoft.DBforPostgreSQL/flexibleServers";

fn name(n: &str) -> Result<(), InvalidName> {
    let ok = (3..=63).contains(&n.len())
        && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && n.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !n.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(InvalidName(format!(
            "Virtual endpoint name '{n}' is invalid: use 3-63 letters, digits and hyphens, starting with a letter or digit and not ending with a hyphen."
        )))
    }
}

fn server_name(id: &str) -> &str {
    id.rsplit('/').next().unwrap_or_default()
}

/// The endpoint `ve` (a stored body) on `primary`, if its members include
/// the server named `member`.
fn has_member(ve: &J, member: &str) -> bool {
    prop(ve, &["members"])
        .and_then(J::as_array)
        .is_some_and(|m| {
            m.iter()
                .filter_map(J::as_str)
                .any(|n| n.eq_ignore_ascii_case(member))
        })
}

/// The endpoints kept on the server `primary_id`.
pub fn on_server(store: &Store, primary_id: &str) -> Vec<Row> {
    store.children(TYPE, primary_id).unwrap_or_default()
}

/// What a planned switchover of `replica_id` from `primary_id` does to
/// the endpoints: the one whose members include the replica moves to the
/// replica (the new primary), its member becoming the old primary. An
/// error when there is none: Azure refuses the switchover then.
pub fn switchover_moves(
    store: &Store,
    primary_id: &str,
    replica_id: &str,
) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let replica = server_name(replica_id);
    let Some(ve) = on_server(store, primary_id)
        .into_iter()
        .find(|r| has_member(&r.body, replica))
    else {
        return Err(ArmError::bad_request(
            "VirtualEndpointNotConfigured",
            format!(
                "Promoting '{replica}' to primary server (promoteMode Switchover) needs a virtual endpoint on its primary '{}' whose members include '{replica}': create one (flexibleServers/virtualEndpoints, endpointType ReadWrite) or promote it to an independent server (promoteMode Standalone).",
                server_name(primary_id)
            ),
        )
        .with_target("properties.replica.promoteMode"));
    };
    let ve_name = server_name(&ve.id).to_string();
    let mut moved = ve.body.clone();
    let new_id = format!("{replica_id}/virtualEndpoints/{ve_name}");
    moved["id"] = J::String(new_id.clone());
    props(&mut moved).insert("members".into(), json!([server_name(primary_id)]));
    Ok(vec![
        (ve.id.clone(), TYPE.to_string(), None),
        (new_id, TYPE.to_string(), Some(moved)),
    ])
}

/// The server the writer host name `host` (`NAME.writer.postgres...`)
/// points at: the primary that keeps the endpoint `NAME`.
pub fn writer_target(store: &Store, host: &str) -> Option<String> {
    let host = host.to_lowercase();
    let (ve, _) = host.split_once(".writer.")?;
    store
        .of_type_everywhere(TYPE)
        .unwrap_or_default()
        .into_iter()
        .find(|r| server_name(&r.id).eq_ignore_ascii_case(ve))
        .map(|r| parent_of_endpoint(&r.id))
}

fn parent_of_endpoint(id: &str) -> String {
    id.rsplitn(3, '/').nth(2).unwrap_or_default().to_string()
}

fn check(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let kind = str_prop(body, &["endpointType"])
        .or_else(|| {
            ctx.existing
                .and_then(|e| str_prop(&e.body, &["endpointType"]))
        })
        .unwrap_or_default()
        .to_string();
    if !kind.eq_ignore_ascii_case("ReadWrite") {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!("endpointType '{kind}' is not supported: use ReadWrite."),
        )
        .with_target("properties.endpointType"));
    }
    let members: Vec<String> = match prop(body, &["members"]) {
        Some(J::Array(m)) => m.iter().filter_map(J::as_str).map(str::to_string).collect(),
        _ => ctx
            .existing
            .and_then(|e| prop(&e.body, &["members"]))
            .and_then(J::as_array)
            .map(|m| m.iter().filter_map(J::as_str).map(str::to_string).collect())
            .unwrap_or_default(),
    };
    if members.len() != 1 {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            "members must name exactly one server: the read replica the endpoint pair serves.",
        )
        .with_target("properties.members"));
    }
    let primary_id = ctx.path.parent_id().unwrap_or_default();
    let primary = ctx.get(&primary_id)?.ok_or_else(|| {
        ArmError::not_found(
            "ParentResourceNotFound",
            format!("The server '{}' does not exist.", server_name(&primary_id)),
        )
    })?;
    let role = str_prop(&primary.body, &["replicationRole"]).unwrap_or("None");
    if role.to_lowercase().contains("replica") {
        return Err(ArmError::bad_request(
            "VirtualEndpointOnReplica",
            format!(
                "Virtual endpoints are managed on the primary server; '{}' is a replica.",
                server_name(&primary_id)
            ),
        ));
    }
    // The member: the primary itself, or one of its replicas.
    let member = &members[0];
    if !member.eq_ignore_ascii_case(server_name(&primary_id)) {
        let sub = &ctx.path.subscription;
        let replica = ctx
            .store
            .of_type(SERVER, sub)
            .unwrap_or_default()
            .into_iter()
            .any(|s| {
                server_name(&s.id).eq_ignore_ascii_case(member)
                    && str_prop(&s.body, &["sourceServerResourceId"])
                        .is_some_and(|src| src.eq_ignore_ascii_case(&primary.id))
                    && str_prop(&s.body, &["replicationRole"])
                        .is_some_and(|r| r.to_lowercase().contains("replica"))
            });
        if !replica {
            return Err(ArmError::bad_request(
                "InvalidVirtualEndpointMember",
                format!(
                    "'{member}' is not a read replica of '{}': a virtual endpoint's member is the primary or one of its replicas.",
                    server_name(&primary_id)
                ),
            )
            .with_target("properties.members"));
        }
    }
    // One pair of endpoints per primary and its replicas.
    if ctx.existing.is_none()
        && let Some(other) = on_server(ctx.store, &primary_id).first()
    {
        return Err(ArmError::conflict(
            "VirtualEndpointAlreadyExists",
            format!(
                "The server '{}' already has the virtual endpoint '{}': only one writer endpoint per primary.",
                server_name(&primary_id),
                server_name(&other.id)
            ),
        ));
    }
    let name = ctx.path.name();
    let p = props(body);
    p.insert("endpointType".into(), json!("ReadWrite"));
    p.insert("members".into(), json!(members));
    p.insert(
        "virtualEndpoints".into(),
        json!([
            format!("{name}.writer.postgres.database.azure.com"),
            format!("{name}.reader.postgres.database.azure.com"),
        ]),
    );
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    vec![Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 60.0,
        update_secs: 60.0,
        delete_secs: 30.0,
        ..Spec::plain(
            TYPE,
            &[
                "2025-08-01",
                "2024-08-01",
                "2023-12-01-preview",
                "2023-06-01-preview",
            ],
            name,
            check,
        )
    }]
}
