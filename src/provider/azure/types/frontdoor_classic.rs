//! The repeated blocks of `azurerm_frontdoor` (classic), as tables of the
//! arguments its own code (`provider/azure/frontdoor_classic.rs`) maps:
//! written blocks are held to them, so an argument that code does not map
//! (a probe's `probe_method`, a rule's `redirect_configuration`, caching)
//! is refused at its place instead of being dropped.

use super::repeated::{self, Rep, rep};
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Kind, arg};
use crate::provider::azure::typedef::Attrs;

const TYPE: &str = "azurerm_frontdoor";

const BACKEND: &[Arg] = &[
    arg("address", "", Kind::Str).req(),
    arg("host_header", "", Kind::Str).req(),
    arg("http_port", "", Kind::Num).req(),
    arg("https_port", "", Kind::Num).req(),
    arg("priority", "", Kind::Num),
    arg("weight", "", Kind::Num),
    arg("enabled", "", Kind::Bool),
];
const POOL: &[Arg] = &[
    arg("name", "", Kind::Str).req(),
    arg("backend", "", Kind::Blocks),
    arg("load_balancing_name", "", Kind::Str).req(),
    arg("health_probe_name", "", Kind::Str).req(),
];
const PROBE: &[Arg] = &[
    arg("name", "", Kind::Str).req(),
    arg("path", "", Kind::Str),
    arg("protocol", "", Kind::Str),
    arg("interval_in_seconds", "", Kind::Num),
    arg("enabled", "", Kind::Bool),
];
const LOAD_BALANCING: &[Arg] = &[
    arg("name", "", Kind::Str).req(),
    arg("sample_size", "", Kind::Num),
    arg("successful_samples_required", "", Kind::Num),
    arg("additional_latency_milliseconds", "", Kind::Num),
];
const FRONTEND: &[Arg] = &[
    arg("name", "", Kind::Str).req(),
    arg("host_name", "", Kind::Str).req(),
];
const FORWARDING: &[Arg] = &[
    arg("backend_pool_name", "", Kind::Str).req(),
    arg("forwarding_protocol", "", Kind::Str),
];
const RULE: &[Arg] = &[
    arg("name", "", Kind::Str).req(),
    arg("accepted_protocols", "", Kind::StrList).req(),
    arg("patterns_to_match", "", Kind::StrList).req(),
    arg("frontend_endpoints", "", Kind::StrList).req(),
    arg("enabled", "", Kind::Bool),
    arg("forwarding_configuration", "", Kind::Block(FORWARDING)),
];
const BLOCKS: &[Rep] = &[
    Rep {
        nested: &[rep("backend", "", BACKEND)],
        ..rep("backend_pool", "", POOL)
    },
    rep("backend_pool_health_probe", "", PROBE),
    rep("backend_pool_load_balancing", "", LOAD_BALANCING),
    rep("frontend_endpoint", "", FRONTEND),
    rep("routing_rule", "", RULE),
];

/// The repeated blocks each type maps.
pub(super) fn reps(ty: &str) -> &'static [&'static [Rep]] {
    if ty == TYPE { &[BLOCKS] } else { &[] }
}

pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    if ty == TYPE {
        repeated::check(BLOCKS, a, "", out);
    }
}
