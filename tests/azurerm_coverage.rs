//! Every argument and nested-block argument azurerm documents for a type
//! drinfra supports is either mapped (in the type's table) or refused with
//! a reason listed in docs/azurerm-coverage.md; the DR plan's own types
//! keep at least 95 % of their top-level arguments mapped.
//!
//! The documented arguments come from tests/data/azurerm_arguments.json
//! (copied from azurerm's documentation). Run with `--nocapture` to see
//! the per-type table.

use std::collections::{BTreeMap, BTreeSet};

use drinfra::provider::azure::convert::{Arg, Kind};
use drinfra::provider::azure::types;
use serde_json::Value as J;

/// The DR plan's own types: at least this share of their top-level
/// arguments is mapped.
const DR_FLOOR: f64 = 0.95;
const DR_TYPES: &[&str] = &[
    "azurerm_kubernetes_cluster",
    "azurerm_kubernetes_cluster_node_pool",
    "azurerm_postgresql_flexible_server",
    "azurerm_redis_cache",
    "azurerm_redis_linked_server",
    "azurerm_storage_account",
    "azurerm_cdn_frontdoor_profile",
    "azurerm_cdn_frontdoor_endpoint",
    "azurerm_cdn_frontdoor_origin_group",
    "azurerm_cdn_frontdoor_origin",
    "azurerm_cdn_frontdoor_route",
    "azurerm_dns_zone",
    "azurerm_dns_a_record",
    "azurerm_dns_cname_record",
    "azurerm_traffic_manager_profile",
    "azurerm_traffic_manager_external_endpoint",
    "azurerm_traffic_manager_azure_endpoint",
    "azurerm_traffic_manager_nested_endpoint",
    "azurerm_resource_group",
];

/// Arguments azurerm replaces on only some changes, updated in place here
/// (with why).
const CONDITIONAL_FORCE_NEW: &[(&str, &str, &str)] = &[(
    "azurerm_storage_account",
    "account_replication_type",
    "azurerm replaces the account only for changes Azure cannot convert in place; drinfra sends the new SKU and Azure's conversion rules decide",
)];

fn documented() -> J {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/azurerm_arguments.json"),
    )
    .expect("tests/data/azurerm_arguments.json");
    serde_json::from_str(&text).expect("valid JSON")
}

/// `type -> (argument path -> reason)` from docs/azurerm-coverage.md:
/// a `### azurerm_x` heading, then table rows `` | `path` | reason | ``.
fn refusals() -> BTreeMap<String, BTreeMap<String, String>> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/azurerm-coverage.md"),
    )
    .expect("docs/azurerm-coverage.md");
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut current = None;
    for line in text.lines() {
        if let Some(t) = line.strip_prefix("### ") {
            current = Some(t.trim().trim_matches('`').to_string());
            continue;
        }
        let Some(ty) = &current else { continue };
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() >= 4 && cells[1].starts_with('`') {
            let path = cells[1].trim_matches('`').to_string();
            let reason = cells[2].to_string();
            out.entry(ty.clone()).or_default().insert(path, reason);
        }
    }
    out
}

/// Every mapped `block -> sub-arguments` anywhere in a table.
fn mapped_blocks(args: &[Arg], out: &mut BTreeMap<String, BTreeSet<String>>) {
    for a in args {
        if let Kind::Block(sub) | Kind::BlockList(sub) = a.kind {
            out.entry(a.name.to_string())
                .or_default()
                .extend(sub.iter().map(|s| s.name.to_string()));
            mapped_blocks(sub, out);
        }
    }
}

/// `block.argument` paths whose change replaces the object: the argument
/// forces it, or a block around it does.
fn replacing(args: &[Arg], inherited: bool, out: &mut BTreeSet<String>) {
    for a in args {
        if let Kind::Block(sub) | Kind::BlockList(sub) = a.kind {
            let here = inherited || a.force_new;
            for s in sub {
                if here || s.force_new || s.create_only {
                    out.insert(format!("{}.{}", a.name, s.name));
                }
            }
            replacing(sub, here, out);
        }
    }
}

struct Figures {
    top_mapped: usize,
    top_total: usize,
    nested_mapped: usize,
    nested_total: usize,
    unclassified: Vec<String>,
    stale: Vec<String>,
    /// Documented as forcing a new resource, but updated in place here.
    not_forcing: Vec<String>,
}

fn classify(ty: &str, doc: &J, refused: &BTreeMap<String, String>) -> Figures {
    let t = types::lookup(ty).expect("supported type");
    let top: BTreeSet<&str> = t.args.iter().map(|a| a.name).collect();
    let hand_mapped: BTreeSet<&str> = t
        .args
        .iter()
        .filter(|a| a.kind == Kind::Blocks)
        .map(|a| a.name)
        .collect();
    let mut blocks = BTreeMap::new();
    mapped_blocks(t.args, &mut blocks);
    let mut replaces = BTreeSet::new();
    replacing(t.args, false, &mut replaces);
    let args = doc["arguments"].as_object().cloned().unwrap_or_default();
    let doc_blocks = doc["blocks"].as_object().cloned().unwrap_or_default();
    // Which block (or the top level, "") each documented block sits in.
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    for (b, subs) in &doc_blocks {
        for s in subs.as_object().into_iter().flat_map(|m| m.keys()) {
            if doc_blocks.contains_key(s) && s != b {
                parent.entry(s.clone()).or_insert(b.clone());
            }
        }
    }
    let block_refused = |b: &str| {
        let mut cur = Some(b.to_string());
        let mut hops = 0;
        while let Some(c) = cur {
            if refused.contains_key(&c) || hand_mapped.contains(c.as_str()) {
                return true;
            }
            hops += 1;
            if hops > 8 {
                break;
            }
            cur = parent.get(&c).cloned();
        }
        false
    };
    let mut f = Figures {
        top_mapped: 0,
        top_total: args.len(),
        nested_mapped: 0,
        nested_total: 0,
        unclassified: vec![],
        stale: vec![],
        not_forcing: vec![],
    };
    for (name, facts) in &args {
        if let Some(a) = t.args.iter().find(|a| a.name == name) {
            f.top_mapped += 1;
            let conditional = CONDITIONAL_FORCE_NEW
                .iter()
                .any(|(t, n, _)| *t == ty && n == name);
            if facts["forces_new"] == J::Bool(true)
                && !a.force_new
                && !a.create_only
                && !conditional
            {
                f.not_forcing.push(name.clone());
            }
        } else if !refused.contains_key(name) {
            f.unclassified.push(name.clone());
        }
    }
    for (b, subs) in &doc_blocks {
        for s in subs.as_object().into_iter().flat_map(|m| m.keys()) {
            f.nested_total += 1;
            let path = format!("{b}.{s}");
            if blocks.get(b).is_some_and(|m| m.contains(s)) {
                f.nested_mapped += 1;
                let documented = subs[s]["forces_new"] == J::Bool(true);
                if documented && !replaces.contains(&path) {
                    f.not_forcing.push(path.clone());
                }
            } else if !(refused.contains_key(&path) || block_refused(b)) {
                f.unclassified.push(path);
            }
        }
    }
    // A refusal of something the table now maps is out of date.
    for path in refused.keys() {
        let mapped = match path.split_once('.') {
            None => top.contains(path.as_str()) || blocks.contains_key(path),
            Some((b, s)) => blocks.get(b).is_some_and(|m| m.contains(s)),
        };
        if mapped {
            f.stale.push(path.clone());
        }
    }
    f
}

#[test]
fn every_documented_argument_is_mapped_or_refused_with_a_reason() {
    let doc = documented();
    let refused = refusals();
    let none = BTreeMap::new();
    let mut failures = Vec::new();
    println!(
        "{:<48} {:>12} {:>7} {:>12}",
        "type", "top mapped", "share", "nested"
    );
    for t in types::all() {
        let Some(d) = doc["types"].get(t.name) else {
            failures.push(format!(
                "{}: not in tests/data/azurerm_arguments.json",
                t.name
            ));
            continue;
        };
        let held = refused.contains_key(t.name) || DR_TYPES.contains(&t.name);
        let f = classify(t.name, d, refused.get(t.name).unwrap_or(&none));
        let share = f.top_mapped as f64 / f.top_total.max(1) as f64;
        println!(
            "{:<48} {:>12} {:>6.1}% {:>12}{}",
            t.name,
            format!("{}/{}", f.top_mapped, f.top_total),
            share * 100.0,
            format!("{}/{}", f.nested_mapped, f.nested_total),
            if held { "" } else { "  (not yet held)" }
        );
        if !held {
            continue;
        }
        for u in &f.unclassified {
            failures.push(format!(
                "{}: `{u}` is neither mapped nor refused in docs/azurerm-coverage.md",
                t.name
            ));
        }
        for n in &f.not_forcing {
            failures.push(format!(
                "{}: azurerm documents that changing `{n}` forces a new resource; the table updates it in place",
                t.name
            ));
        }
        for s in &f.stale {
            failures.push(format!(
                "{}: `{s}` is mapped but docs/azurerm-coverage.md still refuses it",
                t.name
            ));
        }
        if DR_TYPES.contains(&t.name) && share < DR_FLOOR {
            failures.push(format!(
                "{}: {:.1}% of its top-level arguments mapped, below the DR floor of {:.0}%",
                t.name,
                share * 100.0,
                DR_FLOOR * 100.0
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every refusal names a reason (not an empty cell).
#[test]
fn refusals_give_reasons() {
    for (ty, paths) in refusals() {
        for (path, reason) in paths {
            assert!(
                reason.len() >= 12,
                "{ty} `{path}`: the reason {reason:?} says too little"
            );
        }
    }
}
