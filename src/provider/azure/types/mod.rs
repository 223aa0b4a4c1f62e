//! The azurerm resource types drinfra manages, with azurerm's argument
//! names, and how each maps onto its ARM resource (api-versions pinned
//! here, one per type).

//! The argument tables live by service in `compute.rs`, `data.rs` and
//! `network.rs`; this file lists the types.

use std::sync::LazyLock;

use super::convert::Arg;
use super::typedef::{IdRule, TypeDef, def};

pub mod attached;
mod autoscale;
mod common;
mod compute;
mod data;
mod database;
mod diagnostics;
mod dns_records;
mod frontdoor;
mod frontdoor_classic;
mod frontdoor_rules;
pub mod key_vault_key;
pub mod key_vault_secret;
mod log_analytics_solution;
mod monitor;
mod network;
mod networking;
pub mod private_endpoint;
mod repeated;
mod security;
mod security_rule;
mod storage;
mod storage_endpoints;

use compute::*;
use data::*;
use network::*;

pub fn all() -> Vec<TypeDef> {
    let mut v = existing();
    v.extend(monitor::defs());
    v.extend(storage::defs());
    v.extend(database::defs());
    v.extend(networking::defs());
    v.extend(security::defs());
    v.extend(dns_records::defs());
    v.extend(frontdoor::defs());
    v.extend(attached::defs());
    v.extend(diagnostics::defs());
    v.extend(frontdoor_rules::defs());
    v.extend(key_vault_secret::defs());
    v.extend(key_vault_key::defs());
    v.extend(private_endpoint::defs());
    v.extend(security_rule::defs());
    v.extend(log_analytics_solution::defs());
    v
}

/// Checks a type's own code makes beyond its argument table (repeated
/// blocks' arguments, arguments refused with a reason).
pub fn check_extra(ty: &str, cfg: &super::typedef::Attrs) -> Vec<crate::provider::ArgProblem> {
    let mut out = vec![];
    autoscale::check(ty, cfg, &mut out);
    monitor::check(ty, cfg, &mut out);
    storage::check(ty, cfg, &mut out);
    networking::check(ty, cfg, &mut out);
    security::check(ty, cfg, &mut out);
    dns_records::check(ty, cfg, &mut out);
    frontdoor::check(ty, cfg, &mut out);
    frontdoor_classic::check(ty, cfg, &mut out);
    attached::check(ty, cfg, &mut out);
    diagnostics::check(ty, cfg, &mut out);
    frontdoor_rules::check(ty, cfg, &mut out);
    key_vault_secret::check(ty, cfg, &mut out);
    key_vault_key::check(ty, cfg, &mut out);
    private_endpoint::check(ty, cfg, &mut out);
    security_rule::check(ty, cfg, &mut out);
    out
}

/// A repeated block a type's own code maps (`Kind::Blocks` in its table):
/// its arguments' table and the repeated blocks inside it. What
/// `tests/azurerm_coverage.rs` holds against azurerm's documentation.
pub struct RepeatedBlock {
    pub name: &'static str,
    pub args: &'static [super::convert::Arg],
    pub nested: Vec<RepeatedBlock>,
}

impl RepeatedBlock {
    fn of(r: &repeated::Rep) -> RepeatedBlock {
        RepeatedBlock {
            name: r.name,
            args: r.args,
            nested: r.nested.iter().map(RepeatedBlock::of).collect(),
        }
    }
}

/// The repeated blocks type `ty` maps with its own code.
pub fn repeated_blocks(ty: &str) -> Vec<RepeatedBlock> {
    [
        monitor::reps(ty),
        storage::reps(ty),
        networking::reps(ty),
        security::reps(ty),
        dns_records::reps(ty),
        frontdoor::reps(ty),
        frontdoor_classic::reps(ty),
        attached::reps(ty),
        diagnostics::reps(ty),
        private_endpoint::reps(ty),
    ]
    .into_iter()
    .flatten()
    .flat_map(|group| group.iter().map(RepeatedBlock::of))
    .chain(frontdoor_rules::blocks(ty))
    .collect()
}

/// Whether `path` (`["identity"]`, `["site_config", "cors"]`) names a
/// nested block of type `ty`: what decides a `.tf.json` object property.
/// Walks the argument tables and, for blocks the type maps with its own
/// code, the repeated blocks' tables.
pub fn is_nested_block(ty: &str, path: &[&str]) -> bool {
    use super::convert::{Arg, Kind};
    fn at(args: &[Arg], reps: &[RepeatedBlock], path: &[&str]) -> bool {
        let Some((first, rest)) = path.split_first() else {
            return false;
        };
        let rep = reps.iter().find(|r| r.name == *first);
        match args.iter().find(|a| a.name == *first).map(|a| a.kind) {
            Some(Kind::Block(sub) | Kind::BlockList(sub)) => rest.is_empty() || at(sub, reps, rest),
            Some(Kind::Blocks) | None => match rep {
                Some(r) => rest.is_empty() || at(r.args, &r.nested, rest),
                // A hand-mapped block without a table of its own.
                None => rest.is_empty() && args.iter().any(|a| a.name == *first),
            },
            Some(_) => false,
        }
    }
    lookup(ty).is_some_and(|t| at(t.args, &repeated_blocks(ty), path))
}

fn existing() -> Vec<TypeDef> {
    vec![
        def(
            "azurerm_resource_group",
            "Microsoft.Resources/resourceGroups",
            "2024-11-01",
            RESOURCE_GROUP,
            IdRule::Group,
        ),
        TypeDef {
            fixed: &[("properties.agentPoolProfiles.0.mode", "\"System\"")],
            to_body: Some(aks_to_body),
            from_body: Some(aks_from_body),
            ..def(
                "azurerm_kubernetes_cluster",
                "Microsoft.ContainerService/managedClusters",
                "2025-10-01",
                KUBERNETES_CLUSTER,
                IdRule::InGroup,
            )
        },
        TypeDef {
            to_body: Some(pool_to_body),
            ..def(
                "azurerm_kubernetes_cluster_node_pool",
                "Microsoft.ContainerService/managedClusters/agentPools",
                "2025-10-01",
                NODE_POOL,
                IdRule::Child {
                    parent_arg: "kubernetes_cluster_id",
                    segment: "agentPools",
                },
            )
        },
        TypeDef {
            to_body: Some(pg_to_body),
            from_body: Some(pg_from_body),
            ..def(
                "azurerm_postgresql_flexible_server",
                "Microsoft.DBforPostgreSQL/flexibleServers",
                "2025-08-01",
                POSTGRES,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_redis_cache",
            "Microsoft.Cache/redis",
            "2024-11-01",
            REDIS,
            IdRule::InGroup,
        ),
        def(
            "azurerm_redis_linked_server",
            "Microsoft.Cache/redis/linkedServers",
            "2024-11-01",
            REDIS_LINK,
            IdRule::RedisLink,
        ),
        TypeDef {
            fixed: &[("location", "\"global\"")],
            to_body: Some(fd_profile_to_body),
            ..def(
                "azurerm_cdn_frontdoor_profile",
                "Microsoft.Cdn/profiles",
                "2025-06-01",
                FD_PROFILE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_cdn_frontdoor_endpoint",
                "Microsoft.Cdn/profiles/afdEndpoints",
                "2025-06-01",
                FD_ENDPOINT,
                IdRule::Child {
                    parent_arg: "cdn_frontdoor_profile_id",
                    segment: "afdEndpoints",
                },
            )
        },
        def(
            "azurerm_cdn_frontdoor_origin_group",
            "Microsoft.Cdn/profiles/originGroups",
            "2025-06-01",
            FD_ORIGIN_GROUP,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_profile_id",
                segment: "originGroups",
            },
        ),
        def(
            "azurerm_cdn_frontdoor_origin",
            "Microsoft.Cdn/profiles/originGroups/origins",
            "2025-06-01",
            FD_ORIGIN,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_origin_group_id",
                segment: "origins",
            },
        ),
        def(
            "azurerm_cdn_frontdoor_route",
            "Microsoft.Cdn/profiles/afdEndpoints/routes",
            "2025-06-01",
            FD_ROUTE,
            IdRule::Child {
                parent_arg: "cdn_frontdoor_endpoint_id",
                segment: "routes",
            },
        ),
        super::frontdoor_classic::def(),
        super::virtual_endpoint::def(),
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_traffic_manager_profile",
                "Microsoft.Network/trafficmanagerprofiles",
                "2022-04-01",
                TM_PROFILE,
                IdRule::InGroup,
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/externalEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_external_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/externalEndpoints",
                "2022-04-01",
                TM_EXTERNAL,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "externalEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/azureEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_azure_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/azureEndpoints",
                "2022-04-01",
                TM_AZURE,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "azureEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[(
                "type",
                "\"Microsoft.Network/trafficManagerProfiles/nestedEndpoints\"",
            )],
            ..def(
                "azurerm_traffic_manager_nested_endpoint",
                "Microsoft.Network/trafficmanagerprofiles/nestedEndpoints",
                "2022-04-01",
                TM_NESTED,
                IdRule::Child {
                    parent_arg: "profile_id",
                    segment: "nestedEndpoints",
                },
            )
        },
        TypeDef {
            fixed: &[("location", "\"global\"")],
            ..def(
                "azurerm_dns_zone",
                "Microsoft.Network/dnszones",
                "2018-05-01",
                DNS_ZONE,
                IdRule::InGroup,
            )
        },
        def(
            "azurerm_dns_a_record",
            "Microsoft.Network/dnszones/A",
            "2018-05-01",
            DNS_A,
            IdRule::DnsRecord("A"),
        ),
        def(
            "azurerm_dns_cname_record",
            "Microsoft.Network/dnszones/CNAME",
            "2018-05-01",
            DNS_CNAME,
            IdRule::DnsRecord("CNAME"),
        ),
        TypeDef {
            to_body: Some(storage_to_body),
            from_body: Some(storage_from_body),
            ..def(
                "azurerm_storage_account",
                "Microsoft.Storage/storageAccounts",
                "2025-01-01",
                storage_account_args(),
                IdRule::InGroup,
            )
        },
    ]
}

/// The storage account's arguments and its endpoint attributes.
fn storage_account_args() -> &'static [Arg] {
    static ALL: LazyLock<Vec<Arg>> = LazyLock::new(|| {
        STORAGE
            .iter()
            .chain(storage_endpoints::ENDPOINTS)
            .copied()
            .collect()
    });
    ALL.as_slice()
}

pub fn lookup(name: &str) -> Option<TypeDef> {
    all().into_iter().find(|t| t.name == name)
}

/// Kept for the reference table in the README.
pub fn names() -> Vec<&'static str> {
    all().iter().map(|t| t.name).collect()
}
