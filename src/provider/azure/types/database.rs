//! PostgreSQL Flexible Server and Redis children: databases, server
//! parameters and firewall rules.

use super::common::{NAME, RG};
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::{IdRule, TypeDef, def};

const SERVER_ID: Arg = arg("server_id", "", Kind::Str).req().force_new();

const PG_DATABASE: &[Arg] = &[
    NAME,
    SERVER_ID,
    arg("charset", "properties.charset", Kind::Str)
        .computed()
        .force_new(),
    arg("collation", "properties.collation", Kind::Str)
        .computed()
        .force_new(),
];
const PG_CONFIGURATION: &[Arg] = &[
    NAME,
    SERVER_ID,
    arg("value", "properties.value", Kind::Str).req(),
];
const PG_FIREWALL: &[Arg] = &[
    NAME,
    SERVER_ID,
    arg("start_ip_address", "properties.startIpAddress", Kind::Str).req(),
    arg("end_ip_address", "properties.endIpAddress", Kind::Str).req(),
];
const REDIS_FIREWALL: &[Arg] = &[
    NAME,
    RG,
    arg("redis_cache_name", "", Kind::Str).req().force_new(),
    arg("start_ip", "properties.startIP", Kind::Str).req(),
    arg("end_ip", "properties.endIP", Kind::Str).req(),
];

pub(super) fn defs() -> Vec<TypeDef> {
    let pg = |name, segment, args| {
        def(
            name,
            match segment {
                "databases" => "Microsoft.DBforPostgreSQL/flexibleServers/databases",
                "configurations" => "Microsoft.DBforPostgreSQL/flexibleServers/configurations",
                _ => "Microsoft.DBforPostgreSQL/flexibleServers/firewallRules",
            },
            "2025-08-01",
            args,
            IdRule::Child {
                parent_arg: "server_id",
                segment,
            },
        )
    };
    vec![
        pg(
            "azurerm_postgresql_flexible_server_database",
            "databases",
            PG_DATABASE,
        ),
        pg(
            "azurerm_postgresql_flexible_server_configuration",
            "configurations",
            PG_CONFIGURATION,
        ),
        pg(
            "azurerm_postgresql_flexible_server_firewall_rule",
            "firewallRules",
            PG_FIREWALL,
        ),
        def(
            "azurerm_redis_firewall_rule",
            "Microsoft.Cache/redis/firewallRules",
            "2024-11-01",
            REDIS_FIREWALL,
            IdRule::InNamedParent {
                parent_type: "Microsoft.Cache/redis",
                parent_arg: "redis_cache_name",
                segment: "firewallRules",
            },
        ),
    ]
}
