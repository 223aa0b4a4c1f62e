//! `azurerm_postgresql_flexible_server_virtual_endpoint`: the writer (and
//! reader) host names a PostgreSQL primary keeps for itself and one read
//! replica. Azure's planned switchover needs one, and moves it to the new
//! primary: the ARM id changes (`{new primary}/virtualEndpoints/{name}`)
//! and its member becomes the old primary. As azurerm does, a read that no
//! longer finds the endpoint on its source looks on its replica; and a
//! configuration that swaps `source_server_id` and `replica_server_id`
//! (the pair after a switchover) is an in-place update that checks the
//! move rather than a replacement.

use serde_json::{Value as J, json};

use super::convert::{Arg, Kind, arg};
use super::typedef::{Attrs, IdRule, TypeDef, attr_str};
use crate::lang::Value;

pub const TYPE: &str = "azurerm_postgresql_flexible_server_virtual_endpoint";
pub(super) const API: &str = "2025-08-01";

const ARGS: &[Arg] = &[
    arg("name", "", Kind::Str).req().force_new(),
    arg("source_server_id", "", Kind::Str).req().force_new(),
    arg("replica_server_id", "", Kind::Str).req(),
    arg("type", "properties.endpointType", Kind::Str)
        .req()
        .force_new(),
];

pub(super) fn def() -> TypeDef {
    TypeDef {
        to_body: Some(to_body),
        from_body: Some(from_body),
        ..super::typedef::def(
            TYPE,
            "Microsoft.DBforPostgreSQL/flexibleServers/virtualEndpoints",
            API,
            ARGS,
            IdRule::Child {
                parent_arg: "source_server_id",
                segment: "virtualEndpoints",
            },
        )
    }
}

pub(super) fn last_segment(id: &str) -> &str {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// The server an endpoint id lives under.
pub(super) fn server_of(endpoint_id: &str) -> String {
    endpoint_id
        .trim_end_matches('/')
        .rsplitn(3, '/')
        .nth(2)
        .unwrap_or_default()
        .to_string()
}

fn to_body(a: &Attrs, body: &mut J) {
    if let Some(replica) = attr_str(a, "replica_server_id") {
        body["properties"]["members"] = json!([last_segment(replica)]);
    }
}

/// The source is the server the endpoint now lives under (after a
/// switchover, the new primary); the replica is settled by [`settle`].
fn from_body(body: &J, a: &mut Attrs) {
    if let Some(id) = body["id"].as_str() {
        a.insert("source_server_id".into(), Value::String(server_of(id)));
    }
}

/// The replica's id from the endpoint's member (a server name, as ARM
/// keeps it): the known source or replica of that name (the pair may
/// have swapped), else the server of that name beside the source.
pub(super) fn settle(out: &mut Attrs, body: &J, known: &Attrs) {
    let Some(member) = body.pointer("/properties/members/0").and_then(J::as_str) else {
        return;
    };
    let source = attr_str(out, "source_server_id").map(str::to_string);
    let named =
        |k: &str| attr_str(known, k).filter(|id| last_segment(id).eq_ignore_ascii_case(member));
    let replica = named("replica_server_id")
        .or_else(|| named("source_server_id"))
        .map(str::to_string)
        .or_else(|| {
            source.as_deref().map(|s| {
                format!(
                    "{}/{member}",
                    s.rsplit_once('/').map(|(p, _)| p).unwrap_or(s)
                )
            })
        });
    if let Some(r) = replica {
        out.insert("replica_server_id".into(), Value::String(r));
    }
}

/// Whether `planned` names the same pair as `prior`, the other way round.
pub(super) fn swapped(prior: &Attrs, planned: &Attrs) -> bool {
    let g = |a: &Attrs, k: &str| attr_str(a, k).map(str::to_lowercase);
    let (ps, pr) = (g(prior, "source_server_id"), g(prior, "replica_server_id"));
    ps.is_some()
        && pr.is_some()
        && ps != pr
        && ps == g(planned, "replica_server_id")
        && pr == g(planned, "source_server_id")
}
