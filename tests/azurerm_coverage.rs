//! Every argument and nested-block argument azurerm documents for a type
//! drinfra supports is either mapped (in the type's table) or refused with
//! a reason listed in docs/azurerm-coverage.md; the DR plan's own types
//! keep at least 95 % of their top-level arguments mapped.
//!
//! The documented arguments come from tests/data/azurerm_arguments.json
//! (copied from azurerm's documentation). Run with `--nocapture` to see
//! the per-type table.

use std::collections::{BTreeMap, BTreeSet};

use drinfra::lang::Value;
use drinfra::provider::azure::convert::{self, Arg, Kind};
use drinfra::provider::azure::types::{self, RepeatedBlock};
use drinfra::provider::azure::validate_resource;
use serde_json::{Value as J, json};

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

/// Every mapped `block -> sub-arguments` anywhere in a table, and in the
/// repeated blocks the type's own code maps.
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

fn mapped_repeated(reps: &[RepeatedBlock], out: &mut BTreeMap<String, BTreeSet<String>>) {
    for r in reps {
        let entry = out.entry(r.name.to_string()).or_default();
        entry.extend(r.args.iter().map(|s| s.name.to_string()));
        entry.extend(r.nested.iter().map(|n| n.name.to_string()));
        mapped_blocks(r.args, out);
        mapped_repeated(&r.nested, out);
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

fn replacing_repeated(
    reps: &[RepeatedBlock],
    forced: &BTreeSet<&str>,
    inherited: bool,
    out: &mut BTreeSet<String>,
) {
    for r in reps {
        let here = inherited || forced.contains(r.name);
        for s in r.args {
            if here || s.force_new || s.create_only {
                out.insert(format!("{}.{}", r.name, s.name));
            }
        }
        replacing(r.args, here, out);
        replacing_repeated(&r.nested, forced, here, out);
    }
}

/// Sets the documented argument `chain` (enclosing blocks first) in an
/// otherwise empty configuration and validates it: the name in `chain`
/// the provider refuses as unsupported, if any. This is what makes a
/// refusal real: the page's list and the code's refusals must agree.
fn probe(ty: &str, chain: &[String], leaf_is_block: bool) -> Option<String> {
    let mut v = if leaf_is_block {
        Value::List(vec![Value::Object(BTreeMap::new())])
    } else {
        Value::String("x".into())
    };
    let (last, outer) = chain.split_last().expect("a path");
    let mut obj = BTreeMap::from([(last.clone(), v)]);
    for name in outer.iter().rev() {
        v = Value::List(vec![Value::Object(obj)]);
        obj = BTreeMap::from([(name.clone(), v)]);
    }
    let problems = validate_resource(ty, &Value::Object(obj));
    problems
        .iter()
        .filter(|p| p.summary == "Unsupported argument")
        .find_map(|p| {
            let arg = p.argument.as_deref().unwrap_or_default();
            let named = arg.rsplit('.').next().unwrap_or_default();
            chain
                .iter()
                .find(|c| c.as_str() == named || p.detail.contains(&format!("{c:?}")))
                .cloned()
        })
}

struct Figures {
    top_mapped: usize,
    top_total: usize,
    nested_mapped: usize,
    nested_total: usize,
    unclassified: Vec<String>,
    /// Refused by the code (an error at the argument) but not listed.
    unlisted: Vec<String>,
    /// Listed as refused, but the code accepts it.
    stale: Vec<String>,
    /// Documented as forcing a new resource, but updated in place here.
    not_forcing: Vec<String>,
}

fn classify(ty: &str, doc: &J, refused: &BTreeMap<String, String>) -> Figures {
    let t = types::lookup(ty).expect("supported type");
    let reps = types::repeated_blocks(ty);
    let rep_names: BTreeSet<&str> = reps.iter().map(|r| r.name).collect();
    let mut blocks = BTreeMap::new();
    mapped_blocks(t.args, &mut blocks);
    mapped_repeated(&reps, &mut blocks);
    let mut replaces = BTreeSet::new();
    replacing(t.args, false, &mut replaces);
    let forced: BTreeSet<&str> = t
        .args
        .iter()
        .filter(|a| a.kind == Kind::Blocks && a.force_new)
        .map(|a| a.name)
        .collect();
    replacing_repeated(&reps, &forced, false, &mut replaces);
    let args = doc["arguments"].as_object().cloned().unwrap_or_default();
    let doc_blocks = doc["blocks"].as_object().cloned().unwrap_or_default();
    // Which block each documented block sits in (none: the top level).
    let mut parent: BTreeMap<String, String> = BTreeMap::new();
    for (b, subs) in &doc_blocks {
        for s in subs.as_object().into_iter().flat_map(|m| m.keys()) {
            if doc_blocks.contains_key(s) && s != b && !args.contains_key(s) {
                parent.entry(s.clone()).or_insert(b.clone());
            }
        }
    }
    let chain_to = |b: &str| {
        let mut chain = vec![b.to_string()];
        while let Some(p) = parent.get(chain.last().expect("non-empty")) {
            if chain.contains(p) || chain.len() > 8 {
                break;
            }
            chain.push(p.clone());
        }
        chain.reverse();
        chain
    };
    // Refused: the argument by its path, or a block around it (or it, when
    // it is a block) by name.
    let listed = |chain: &[String], leaf: &str, is_block: bool| {
        (is_block && refused.contains_key(leaf))
            || chain.iter().any(|c| refused.contains_key(c))
            || chain
                .last()
                .is_some_and(|b| refused.contains_key(&format!("{b}.{leaf}")))
    };
    let mut f = Figures {
        top_mapped: 0,
        top_total: args.len(),
        nested_mapped: 0,
        nested_total: 0,
        unclassified: vec![],
        unlisted: vec![],
        stale: vec![],
        not_forcing: vec![],
    };
    for (name, facts) in &args {
        let is_block = facts["block"] == J::Bool(true);
        let code_refuses = probe(ty, std::slice::from_ref(name), is_block).is_some();
        let doc_refuses = refused.contains_key(name);
        let in_table = t.args.iter().find(|a| a.name == name);
        // A block the type's own code handles needs a table of its arguments.
        let tabled = in_table.is_some_and(|a| a.kind != Kind::Blocks || rep_names.contains(a.name));
        match (code_refuses, doc_refuses) {
            (true, false) => f.unlisted.push(name.clone()),
            (false, true) => f.stale.push(name.clone()),
            (false, false) if !tabled => f.unclassified.push(name.clone()),
            (false, false) => {
                f.top_mapped += 1;
                let a = in_table.expect("tabled");
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
            }
            (true, true) => {}
        }
    }
    for (b, subs) in &doc_blocks {
        let chain = chain_to(b);
        for (s, facts) in subs.as_object().into_iter().flatten() {
            f.nested_total += 1;
            let path = format!("{b}.{s}");
            let mut full = chain.clone();
            full.push(s.clone());
            let is_block = facts["block"] == J::Bool(true) || doc_blocks.contains_key(s);
            let code_refuses = probe(ty, &full, is_block).is_some();
            let doc_refuses = listed(&chain, s, is_block);
            let tabled = blocks.get(b).is_some_and(|m| m.contains(s));
            match (code_refuses, doc_refuses) {
                (true, false) => f.unlisted.push(path),
                // A refusal of the block as a whole covers its arguments;
                // only a refusal naming this argument can be stale.
                (false, true) if refused.contains_key(&path) => f.stale.push(path),
                (false, true) => {}
                (false, false) if !tabled => f.unclassified.push(path),
                (false, false) => {
                    f.nested_mapped += 1;
                    let documented = facts["forces_new"] == J::Bool(true);
                    if documented && !replaces.contains(&path) {
                        f.not_forcing.push(path);
                    }
                }
                (true, true) => {}
            }
        }
    }
    // A refusal that names no documented argument or block is out of date.
    for path in refused.keys() {
        let known = match path.split_once('.') {
            None => args.contains_key(path) || doc_blocks.contains_key(path),
            Some((b, s)) => doc_blocks.get(b).is_some_and(|m| m.get(s).is_some()),
        };
        if !known {
            f.stale.push(format!("{path} (not a documented argument)"));
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
        "{:<52} {:>10} {:>7} {:>10}",
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
        let f = classify(t.name, d, refused.get(t.name).unwrap_or(&none));
        let share = f.top_mapped as f64 / f.top_total.max(1) as f64;
        println!(
            "{:<52} {:>10} {:>6.1}% {:>10}",
            t.name,
            format!("{}/{}", f.top_mapped, f.top_total),
            share * 100.0,
            format!("{}/{}", f.nested_mapped, f.nested_total),
        );
        for u in &f.unclassified {
            failures.push(format!(
                "{}: `{u}` is neither mapped nor refused in docs/azurerm-coverage.md",
                t.name
            ));
        }
        for u in &f.unlisted {
            failures.push(format!(
                "{}: `{u}` is refused as unsupported but docs/azurerm-coverage.md does not list it with a reason",
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
                "{}: docs/azurerm-coverage.md refuses `{s}`, but drinfra accepts it",
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
    // A refusal for a type drinfra does not support is out of place.
    for ty in refused.keys() {
        if types::lookup(ty).is_none() {
            failures.push(format!(
                "docs/azurerm-coverage.md: `{ty}` is not a supported type"
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

fn attrs(j: J) -> BTreeMap<String, Value> {
    match Value::from_json(&j) {
        Value::Object(m) => m,
        other => panic!("not an object: {other:?}"),
    }
}

/// What a type sends for `cfg`, and what it reads back from that body.
fn round_trip(ty: &str, cfg: &BTreeMap<String, Value>) -> (J, BTreeMap<String, Value>) {
    let t = types::lookup(ty).expect("supported type");
    let mut body = serde_json::json!({});
    convert::write_args(t.args, cfg, &mut body, true);
    if let Some(to) = t.to_body {
        to(cfg, &mut body);
    }
    let mut back = BTreeMap::new();
    convert::read_args(t.args, &body, &mut back);
    if let Some(from) = t.from_body {
        from(&body, &mut back);
    }
    (body, back)
}

/// The arguments mapped this round reach ARM at their spec paths and read
/// back unchanged (so drift on them shows).
#[test]
fn newly_mapped_nested_arguments_are_sent_and_read_back() {
    let rule = serde_json::json!({"security_rule": [{
        "name": "web", "priority": 100, "direction": "Inbound", "access": "Allow", "protocol": "Tcp",
        "source_application_security_group_ids": ["/asg/a"],
        "destination_application_security_group_ids": ["/asg/b", "/asg/c"],
    }]});
    let (body, back) = round_trip("azurerm_network_security_group", &attrs(rule));
    let p = &body["properties"]["securityRules"][0]["properties"];
    assert_eq!(
        p["sourceApplicationSecurityGroups"],
        serde_json::json!([{"id": "/asg/a"}])
    );
    assert_eq!(
        p["destinationApplicationSecurityGroups"],
        serde_json::json!([{"id": "/asg/b"}, {"id": "/asg/c"}])
    );
    let rule_back = back["security_rule"].as_seq().unwrap()[0]
        .as_mapping()
        .unwrap();
    assert_eq!(
        rule_back["destination_application_security_group_ids"].to_json(),
        serde_json::json!(["/asg/b", "/asg/c"])
    );

    let ip = attrs(serde_json::json!({"ip_tags": {"RoutingPreference": "Internet"}}));
    let (body, back) = round_trip("azurerm_public_ip", &ip);
    assert_eq!(
        body["properties"]["ipTags"],
        serde_json::json!([{"ipTagType": "RoutingPreference", "tag": "Internet"}])
    );
    assert_eq!(
        back["ip_tags"].to_json(),
        serde_json::json!({"RoutingPreference": "Internet"})
    );
    let t = types::lookup("azurerm_public_ip").unwrap();
    assert!(t.args.iter().any(|a| a.name == "ip_tags" && a.force_new));

    let policy = attrs(serde_json::json!({"rule": [{
        "name": "r", "enabled": true,
        "filters": [{"blob_types": ["blockBlob"], "match_blob_index_tag": [{"name": "tier", "value": "hot"}]}],
        "actions": [{"base_blob": [{
            "tier_to_cool_after_days_since_last_access_time_greater_than": 30,
            "auto_tier_to_hot_from_cool_enabled": true,
        }], "version": [{"tier_to_cold_after_days_since_creation_greater_than": 7}]}],
    }]}));
    let (body, back) = round_trip("azurerm_storage_management_policy", &policy);
    let def = &body["properties"]["policy"]["rules"][0]["definition"];
    assert_eq!(
        def["filters"]["blobIndexMatch"],
        serde_json::json!([{"name": "tier", "op": "==", "value": "hot"}])
    );
    assert_eq!(
        def["actions"]["baseBlob"]["tierToCool"]["daysAfterLastAccessTimeGreaterThan"],
        serde_json::json!(30)
    );
    assert_eq!(
        def["actions"]["baseBlob"]["enableAutoTierToHotFromCool"],
        serde_json::json!(true)
    );
    assert_eq!(
        def["actions"]["version"]["tierToCold"]["daysAfterCreationGreaterThan"],
        serde_json::json!(7)
    );
    let rule_back = back["rule"].as_seq().unwrap()[0].as_mapping().unwrap();
    let filters = rule_back["filters"].as_seq().unwrap()[0]
        .as_mapping()
        .unwrap();
    assert_eq!(
        filters["match_blob_index_tag"].to_json(),
        serde_json::json!([{"name": "tier", "operation": "==", "value": "hot"}])
    );
}

/// Regression: a classic Front Door's repeated blocks were not held to
/// any table, so `probe_method` or a `redirect_configuration` was
/// accepted and silently dropped.
#[test]
fn classic_front_door_refuses_block_arguments_it_does_not_map() {
    let cfg = serde_json::json!({
        "backend_pool_health_probe": [{"name": "p", "probe_method": "GET"}],
        "routing_rule": [{"name": "r", "accepted_protocols": ["Https"], "patterns_to_match": ["/*"],
            "frontend_endpoints": ["fe"], "redirect_configuration": [{"redirect_type": "Found"}]}],
    });
    let problems = validate_resource("azurerm_frontdoor", &Value::from_json(&cfg));
    let refused: Vec<_> = problems
        .iter()
        .filter(|p| p.summary == "Unsupported argument")
        .filter_map(|p| p.argument.clone())
        .collect();
    assert_eq!(
        refused,
        [
            "backend_pool_health_probe.probe_method",
            "routing_rule.redirect_configuration"
        ]
    );
}

/// Where block `b` with sub-argument `s` sits in a type's tables: the
/// enclosing block names (outermost first, ending with `b`) and `s`'s row.
fn find_nested<'a>(
    args: &'a [Arg],
    reps: &'a [RepeatedBlock],
    b: &str,
    s: &str,
) -> Option<(Vec<&'a str>, &'a Arg)> {
    let within = |name: &'a str, sub: &'a [Arg], nested: &'a [RepeatedBlock]| {
        if name == b
            && let Some(row) = sub.iter().find(|x| x.name == s)
        {
            return Some((vec![name], row));
        }
        let (mut chain, row) = find_nested(sub, nested, b, s)?;
        chain.insert(0, name);
        Some((chain, row))
    };
    args.iter()
        .find_map(|a| match a.kind {
            Kind::Block(sub) | Kind::BlockList(sub) => within(a.name, sub, &[]),
            _ => None,
        })
        .or_else(|| reps.iter().find_map(|r| within(r.name, r.args, &r.nested)))
}

/// Two different values for argument `a` (`second` picks which); a block
/// gets two values of its first settable scalar argument.
fn sample(a: &Arg, second: bool) -> Option<J> {
    let pick = |x: J, y: J| if second { y } else { x };
    Some(match a.kind {
        Kind::Str => pick(json!("a"), json!("b")),
        Kind::Num => pick(json!(1), json!(2)),
        Kind::Bool => json!(second),
        Kind::StrList => pick(json!(["a"]), json!(["b"])),
        Kind::NumList => pick(json!([1]), json!([2])),
        Kind::StrMap => pick(json!({"k": "a"}), json!({"k": "b"})),
        Kind::Block(sub) | Kind::BlockList(sub) => {
            let inner = sub
                .iter()
                .find(|x| !x.read_only && !x.kind.is_block() && !x.create_only)?;
            json!([{ inner.name: sample(inner, second)? }])
        }
        Kind::Blocks => return None,
    })
}

/// `{chain[0]: [{chain[1]: [{ ... leaf: v }]}]}`.
fn wrapped(chain: &[&str], leaf: &str, v: J) -> J {
    let mut obj = json!({ leaf: v });
    for name in chain.iter().rev() {
        obj = json!({ *name: [obj] });
    }
    obj
}

/// The planner holds the tables' nested flags: for every argument of a DR
/// type's blocks that azurerm documents as forcing a new resource, a change
/// planned through the provider replaces the object, naming the argument
/// (or the force-new block around it) as the cause.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documented_nested_force_new_changes_are_planned_as_replacements() {
    let h = crate::azure::harness().await;
    let doc = documented();
    let mut failures = Vec::new();
    let mut checked = 0;
    for ty in DR_TYPES {
        let t = types::lookup(ty).expect("supported type");
        let reps = types::repeated_blocks(ty);
        let provider = h.providers.for_type(ty).expect("azurerm");
        let blocks = doc["types"][ty]["blocks"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        for (b, subs) in &blocks {
            for (s, facts) in subs.as_object().into_iter().flatten() {
                if facts["forces_new"] != J::Bool(true) {
                    continue;
                }
                // Refused or unmapped arguments are the other test's business.
                let Some((chain, row)) = find_nested(t.args, &reps, b, s) else {
                    continue;
                };
                if row.create_only || row.read_only {
                    continue;
                }
                let (Some(before), Some(after)) = (sample(row, false), sample(row, true)) else {
                    continue;
                };
                checked += 1;
                let prior = Value::from_json(&wrapped(&chain, s, before));
                let config = Value::from_json(&wrapped(&chain, s, after));
                let planned = match provider.plan(ty, Some(&prior), &config) {
                    Ok(p) => p,
                    Err(e) => {
                        failures.push(format!("{ty} {b}.{s}: {e}"));
                        continue;
                    }
                };
                let mut full: Vec<&str> = chain.clone();
                full.push(s);
                // A replace path names the argument or a block around it.
                let names = |p: &Vec<String>| -> Vec<String> {
                    p.iter()
                        .filter(|x| !x.bytes().all(|c| c.is_ascii_digit()))
                        .cloned()
                        .collect()
                };
                let covered = planned.replace_paths.iter().any(|p| {
                    let n = names(p);
                    !n.is_empty()
                        && n.len() <= full.len()
                        && n.iter().zip(&full).all(|(x, y)| x == y)
                });
                if !covered {
                    failures.push(format!(
                        "{ty} {}: changing it is planned in place (replace paths {:?})",
                        full.join("."),
                        planned.replace_paths
                    ));
                }
            }
        }
    }
    println!("{checked} documented nested force-new arguments planned");
    assert!(checked >= 20, "only {checked} checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
