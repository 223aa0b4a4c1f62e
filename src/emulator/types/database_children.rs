//! PostgreSQL Flexible Server databases, server parameters and firewall
//! rules; Redis firewall rules.

use std::net::Ipv4Addr;

use serde_json::{Value as J, json};

use super::*;

const PG_VERSIONS: &[&str] = &["2025-08-01", "2024-08-01", "2022-12-01"];
const REDIS_VERSIONS: &[&str] = &["2024-11-01", "2024-03-01", "2023-08-01"];

/// The server a PostgreSQL child belongs to.
fn server(ctx: &Ctx) -> Result<Option<Row>, ArmError> {
    match ctx.path.parent_id() {
        Some(id) => ctx.get(&id),
        None => Ok(None),
    }
}

/// A read replica takes no schema or parameter changes of its own: they
/// come from its source.
fn not_on_replica(ctx: &Ctx, what: &str) -> Result<(), ArmError> {
    let role = server(ctx)?
        .and_then(|s| str_prop(&s.body, &["replicationRole"]).map(str::to_string))
        .unwrap_or_default();
    if role.to_lowercase().contains("replica") {
        return Err(ArmError::bad_request(
            "OperationNotSupportedOnReadReplica",
            format!(
                "{what} cannot be changed on a read replica: make the change on its source server."
            ),
        ));
    }
    Ok(())
}

fn pg_database_name(n: &str) -> Result<(), InvalidName> {
    if n.starts_with("pg_") {
        return Err(InvalidName(format!(
            "The database name '{n}' is reserved: names starting with 'pg_' are PostgreSQL's own."
        )));
    }
    name_rule(n, 1, 63, "-_", "a database")
}

fn check_pg_database(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    not_on_replica(ctx, "Databases")?;
    if let Some(old) = ctx.existing {
        for k in ["charset", "collation"] {
            if prop(body, &[k]).is_some() && prop(&old.body, &[k]) != prop(body, &[k]) {
                return Err(ArmError::bad_request(
                    "InvalidParameterValue",
                    format!("'properties.{k}' cannot be changed on an existing database."),
                )
                .with_target(&format!("properties.{k}")));
            }
        }
    }
    let p = props(body);
    p.entry("charset").or_insert(json!("UTF8"));
    p.entry("collation").or_insert(json!("en_US.utf8"));
    Ok(Write::body(body.clone()))
}

fn parameter_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 128, "_.", "a server parameter")
}

fn check_pg_configuration(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    not_on_replica(ctx, "Server parameters")?;
    let Some(value) = prop(body, &["value"])
        .and_then(J::as_str)
        .map(str::to_string)
    else {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            "'properties.value' is required and must be a string.",
        )
        .with_target("properties.value"));
    };
    let p = props(body);
    p.insert("value".into(), json!(value));
    p.insert("source".into(), json!("user-override"));
    p.insert("dataType".into(), json!("String"));
    p.insert("isReadOnly".into(), json!(false));
    Ok(Write::body(body.clone()))
}

fn firewall_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 128, "-_", "a firewall rule")
}

/// A start and end IPv4 address, start not after end.
fn ip_range(body: &J, start: &str, end: &str) -> Result<(), ArmError> {
    let ip = |k: &str| -> Result<Ipv4Addr, ArmError> {
        let s = str_prop(body, &[k]).unwrap_or_default();
        s.parse().map_err(|_| {
            ArmError::bad_request(
                "InvalidParameterValue",
                format!("'{s}' is not a valid IPv4 address for properties.{k}."),
            )
            .with_target(&format!("properties.{k}"))
        })
    };
    let (a, b) = (ip(start)?, ip(end)?);
    if a > b {
        return Err(ArmError::bad_request(
            "InvalidParameterValue",
            format!("The start address {a} is after the end address {b}."),
        )
        .with_target(&format!("properties.{start}")));
    }
    Ok(())
}

fn check_pg_firewall(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    ip_range(body, "startIpAddress", "endIpAddress")?;
    Ok(Write::body(body.clone()))
}

fn check_redis_firewall(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    ip_range(body, "startIP", "endIP")?;
    Ok(Write::body(body.clone()))
}

pub fn specs() -> Vec<Spec> {
    // Azure runs these as short long-running operations.
    let pg = |ty, name_rule, check| Spec {
        lro_put: Lro::AsyncOperation,
        lro_delete: Lro::AsyncOperation,
        create_secs: 5.0,
        update_secs: 5.0,
        delete_secs: 5.0,
        ..Spec::plain(ty, PG_VERSIONS, name_rule, check)
    };
    vec![
        pg(
            "Microsoft.DBforPostgreSQL/flexibleServers/databases",
            pg_database_name,
            check_pg_database,
        ),
        pg(
            "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
            parameter_name,
            check_pg_configuration,
        ),
        pg(
            "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
            firewall_name,
            check_pg_firewall,
        ),
        Spec {
            decorate: name_under_parent,
            ..Spec::plain(
                "Microsoft.Cache/redis/firewallRules",
                REDIS_VERSIONS,
                firewall_name,
                check_redis_firewall,
            )
        },
    ]
}
