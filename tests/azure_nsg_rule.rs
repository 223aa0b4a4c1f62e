//! `azurerm_network_security_rule` and `azurerm_log_analytics_solution`
//! through the provider against the emulator: their conformance cases,
//! then the rules a user meets first: one priority per direction, and a
//! group whose configuration writes no `security_rule` leaving the rules
//! written as separate resources alone (azurerm's Optional+Computed).

use drinfra::plan::Action;
use serde_json::json;

use crate::azure::{Case, action_of, harness, with_rg};

const NSG: &str = "resource \"azurerm_network_security_group\" \"n\" {\n  name = \"nsg-rules\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\n";

/// A separate rule `label` named `name`, inbound at `priority` to `port`.
fn rule(label: &str, name: &str, priority: u32, port: &str, direction: &str) -> String {
    format!(
        "resource \"azurerm_network_security_rule\" \"{label}\" {{\n  name = \"{name}\"\n  resource_group_name = azurerm_resource_group.rg.name\n  network_security_group_name = azurerm_network_security_group.n.name\n  priority = {priority}\n  direction = \"{direction}\"\n  access = \"Allow\"\n  protocol = \"Tcp\"\n  source_port_range = \"*\"\n  destination_port_range = \"{port}\"\n  source_address_prefix = \"*\"\n  destination_address_prefix = \"VirtualNetwork\"\n}}\n"
    )
}

fn nsg_with(rules: &[String]) -> String {
    with_rg(&format!("{NSG}{}", rules.concat()))
}

/// The solution `solution` from `product` on a workspace, with `tags`.
fn solution(solution: &str, product: &str, tags: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_log_analytics_workspace\" \"w\" {{\n  name = \"logs-sol\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}}\nresource \"azurerm_log_analytics_solution\" \"s\" {{\n  solution_name = \"{solution}\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  workspace_resource_id = azurerm_log_analytics_workspace.w.id\n  workspace_name = azurerm_log_analytics_workspace.w.name\n  plan {{\n    publisher = \"Microsoft\"\n    product = \"{product}\"\n  }}\n  tags = {tags}\n}}\n"
    ))
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            addr: "azurerm_network_security_rule.ssh",
            create: nsg_with(&[rule("ssh", "ssh", 100, "22", "Inbound")]),
            update: nsg_with(&[rule("ssh", "ssh", 110, "2222", "Inbound")]),
            replace: Some(nsg_with(&[rule("ssh", "ssh2", 110, "2222", "Inbound")])),
            drift: Some((
                json!({"properties": {"destinationPortRange": "8080"}}),
                "2024-05-01",
            )),
        },
        Case {
            addr: "azurerm_log_analytics_solution.s",
            create: solution("ContainerInsights", "OMSGallery/ContainerInsights", "{}"),
            update: solution(
                "ContainerInsights",
                "OMSGallery/ContainerInsights",
                "{ env = \"dr\" }",
            ),
            replace: Some(solution(
                "Security",
                "OMSGallery/Security",
                "{ env = \"dr\" }",
            )),
            drift: Some((
                json!({"tags": {"changed": "outside"}}),
                "2015-11-01-preview",
            )),
        },
    ]
}

/// The inline rules the group's state holds, by name.
fn inline_rules(h: &crate::azure::Harness) -> Vec<String> {
    let mut names: Vec<String> = h
        .state_attr("azurerm_network_security_group.n", "security_rule")
        .as_array()
        .map(|rs| {
            rs.iter()
                .filter_map(|r| r["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_group_without_inline_rules_leaves_separate_rules_alone() {
    let h = harness().await;
    let ssh = rule("ssh", "ssh", 100, "22", "Inbound");
    let web = rule("web", "web", 200, "443", "Inbound");
    let out = h.apply(&nsg_with(&[ssh.clone(), web.clone()])).await;
    assert!(out.ok, "{:?}", out.failed);
    // The group reads the rules written beside it, and does not plan to
    // remove them.
    let again = h.plan(&nsg_with(&[ssh.clone(), web.clone()])).await;
    assert!(!again.has_resource_changes(), "{:?}", again.changes);
    // A change to the group itself (its tags) keeps them: the group's
    // state (written before the rules were) is refreshed first.
    let tagged = nsg_with(&[ssh.clone(), web.clone()]).replace(
        "resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_network_security_rule\" \"ssh\"",
        "resource_group_name = azurerm_resource_group.rg.name\n  tags = { env = \"dr\" }\n}\nresource \"azurerm_network_security_rule\" \"ssh\"",
    );
    assert_ne!(tagged, nsg_with(&[ssh.clone(), web.clone()]));
    let up = h.apply(&tagged).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(
        action_of(&up.plan, "azurerm_network_security_group.n"),
        Action::Update
    );
    assert_eq!(inline_rules(&h), ["ssh", "web"]);
    assert!(!h.plan(&tagged).await.has_resource_changes());
    // Removing one rule's resource removes that rule from the group only.
    let fewer = tagged.replace(&web, "");
    let out = h.apply(&fewer).await;
    assert!(out.ok, "{:?}", out.failed);
    let clean = h.plan(&fewer).await;
    assert!(!clean.has_resource_changes(), "{:?}", clean.changes);
    let nsg = h.state_attr("azurerm_network_security_group.n", "id");
    let nsg = nsg.as_str().unwrap();
    for (name, status) in [("ssh", 200), ("web", 404)] {
        let got = h
            .arm(
                "GET",
                &format!("{nsg}/securityRules/{name}"),
                "2024-05-01",
                None,
            )
            .await;
        assert_eq!(got, status, "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_rules_are_read_back_as_children_of_the_group() {
    let h = harness().await;
    let inline = with_rg(
        &NSG.replace(
            "resource_group_name = azurerm_resource_group.rg.name\n}",
            "resource_group_name = azurerm_resource_group.rg.name\n  security_rule {\n    name = \"https\"\n    priority = 100\n    direction = \"Inbound\"\n    access = \"Allow\"\n    protocol = \"Tcp\"\n    source_port_range = \"*\"\n    destination_port_range = \"443\"\n    source_address_prefix = \"*\"\n    destination_address_prefix = \"*\"\n  }\n}",
        ),
    );
    let out = h.apply(&inline).await;
    assert!(out.ok, "{:?}", out.failed);
    let id = h
        .state_attr("azurerm_network_security_group.n", "id")
        .as_str()
        .unwrap()
        .to_string();
    // The block's rule is an object of its own in Azure.
    let status = h
        .arm(
            "GET",
            &format!("{id}/securityRules/https"),
            "2024-05-01",
            None,
        )
        .await;
    assert_eq!(status, 200);
    // An import of it as a separate resource reads the same arguments.
    let imported = h
        .apply(&format!(
            "{inline}{}import {{\n  to = azurerm_network_security_rule.https\n  id = \"{id}/securityRules/https\"\n}}\n",
            rule("https", "https", 100, "443", "Inbound")
                .replace("\"VirtualNetwork\"", "\"*\"")
        ))
        .await;
    assert!(imported.ok, "{:?}", imported.failed);
    assert_eq!(
        action_of(&imported.plan, "azurerm_network_security_rule.https"),
        Action::NoOp
    );
    assert_eq!(
        h.state_attr("azurerm_network_security_rule.https", "id"),
        json!(format!("{id}/securityRules/https"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_priority_per_direction() {
    let h = harness().await;
    let base = nsg_with(&[rule("ssh", "ssh", 100, "22", "Inbound")]);
    assert!(h.apply(&base).await.ok);
    // The same priority the other way is allowed.
    let out_rule = rule("out", "out", 100, "443", "Outbound");
    let both = nsg_with(&[rule("ssh", "ssh", 100, "22", "Inbound"), out_rule.clone()]);
    let ok = h.apply(&both).await;
    assert!(ok.ok, "{:?}", ok.failed);
    // The same priority and direction is Azure's conflict, naming both.
    let clash = nsg_with(&[
        rule("ssh", "ssh", 100, "22", "Inbound"),
        out_rule,
        rule("web", "web", 100, "443", "Inbound"),
    ]);
    let bad = h.apply(&clash).await;
    assert!(!bad.ok);
    let why = bad.failed.join("\n");
    assert!(why.contains("SecurityRuleConflict"), "{why}");
    assert!(
        why.contains("Security rule ssh conflicts with rule web"),
        "{why}"
    );
    // Inline blocks are held to the same rule.
    let inline = with_rg(&NSG.replace(
        "resource_group_name = azurerm_resource_group.rg.name\n}",
        "resource_group_name = azurerm_resource_group.rg.name\n  security_rule {\n    name = \"a\"\n    priority = 300\n    direction = \"Inbound\"\n    access = \"Allow\"\n    protocol = \"*\"\n  }\n  security_rule {\n    name = \"b\"\n    priority = 300\n    direction = \"Inbound\"\n    access = \"Deny\"\n    protocol = \"*\"\n  }\n}",
    ));
    let bad = h.apply(&inline).await;
    assert!(!bad.ok);
    let why = bad.failed.join("\n");
    assert!(
        why.contains("SecurityRuleConflict")
            && why.contains("Security rule a conflicts with rule b"),
        "{why}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_solution_needs_its_workspace() {
    let h = harness().await;
    let text = with_rg(
        "resource \"azurerm_log_analytics_solution\" \"s\" {\n  solution_name = \"ContainerInsights\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  workspace_resource_id = \"${azurerm_resource_group.rg.id}/providers/Microsoft.OperationalInsights/workspaces/missing\"\n  workspace_name = \"missing\"\n  plan {\n    publisher = \"Microsoft\"\n    product = \"OMSGallery/ContainerInsights\"\n  }\n}\n",
    );
    let out = h.apply(&text).await;
    assert!(!out.ok);
    let why = out.failed.join("\n");
    assert!(why.contains("workspaces/missing' was not found"), "{why}");
}

#[test]
fn neither_type_has_a_data_source() {
    for ty in [
        "azurerm_network_security_rule",
        "azurerm_log_analytics_solution",
    ] {
        assert!(!drinfra::provider::azure::has_data_source(ty), "{ty}");
    }
    assert!(drinfra::provider::azure::has_data_source(
        "azurerm_network_security_group"
    ));
}
