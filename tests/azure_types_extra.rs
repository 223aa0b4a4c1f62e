//! Conformance cases and Azure rules of the types added in round 16 by
//! this file's author: diagnostic settings (an extension resource azurerm
//! identifies as `{target}|{name}`), Front Door rules and custom domain
//! associations, key vault secrets (the vault's data plane). The suite in
//! `azure.rs` runs each case through create, no-op re-plan, import,
//! update, drift, replacement and delete against the emulator.

use serde_json::json;

use crate::azure::{Case, harness, with_rg};
use crate::azure_private_endpoint::plan_errors;

/// A workspace and a key vault for settings to send to and watch.
const WATCHED: &str = "data \"azurerm_client_config\" \"me\" {}\nresource \"azurerm_log_analytics_workspace\" \"logs\" {\n  name = \"logs-diag\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n}\nresource \"azurerm_storage_account\" \"sa\" {\n  name = \"sadiagconf\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  account_tier = \"Standard\"\n  account_replication_type = \"GRS\"\n}\nresource \"azurerm_key_vault\" \"kv\" {\n  name = \"kv-diag-conf\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"standard\"\n  tenant_id = data.azurerm_client_config.me.tenant_id\n}\n";

/// A vault's diagnostic setting: `log` is the enabled_log block's body.
fn diag(name: &str, log: &str, storage: bool) -> String {
    let sink = if storage {
        "  storage_account_id = azurerm_storage_account.sa.id\n"
    } else {
        ""
    };
    with_rg(&format!(
        "{WATCHED}resource \"azurerm_monitor_diagnostic_setting\" \"kv\" {{\n  name = \"{name}\"\n  target_resource_id = azurerm_key_vault.kv.id\n  log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id\n{sink}  enabled_log {{\n    {log}\n  }}\n  enabled_metric {{\n    category = \"AllMetrics\"\n  }}\n}}\n"
    ))
}

/// Front Door with a route, a rule set and one rule (`header`: a value
/// the rule sends and matches; `rule`: its name).
fn edge(header: &str, rule: &str) -> String {
    with_rg(&format!(
        "resource \"azurerm_cdn_frontdoor_profile\" \"fd\" {{\n  name = \"fd-extra\"\n  resource_group_name = azurerm_resource_group.rg.name\n  sku_name = \"Premium_AzureFrontDoor\"\n}}\nresource \"azurerm_cdn_frontdoor_endpoint\" \"ep\" {{\n  name = \"api\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n}}\nresource \"azurerm_cdn_frontdoor_origin_group\" \"og\" {{\n  name = \"app\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  load_balancing {{\n    sample_size = 4\n    successful_samples_required = 3\n  }}\n}}\nresource \"azurerm_cdn_frontdoor_origin\" \"east\" {{\n  name = \"east\"\n  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.og.id\n  host_name = \"east.example.com\"\n  certificate_name_check_enabled = true\n}}\nresource \"azurerm_cdn_frontdoor_rule_set\" \"rs\" {{\n  name = \"edgerules\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n}}\nresource \"azurerm_cdn_frontdoor_rule\" \"rule\" {{\n  name = \"{rule}\"\n  cdn_frontdoor_rule_set_id = azurerm_cdn_frontdoor_rule_set.rs.id\n  order = 1\n  conditions {{\n    url_path_condition {{\n      operator = \"BeginsWith\"\n      match_values = [\"api/\"]\n      transforms = [\"Lowercase\"]\n    }}\n    remote_address_condition {{\n      match_values = [\"10.0.0.0/8\"]\n    }}\n    request_header_condition {{\n      header_name = \"X-Region\"\n      operator = \"Equal\"\n      match_values = [\"{header}\"]\n    }}\n  }}\n  actions {{\n    response_header_action {{\n      header_action = \"Overwrite\"\n      header_name = \"X-Served-By\"\n      value = \"{header}\"\n    }}\n    route_configuration_override_action {{\n      cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.og.id\n      forwarding_protocol = \"HttpsOnly\"\n      cache_behavior = \"HonorOrigin\"\n      query_string_caching_behavior = \"IgnoreQueryString\"\n      compression_enabled = true\n    }}\n  }}\n}}\n"
    ))
}

/// Two custom domains, two routes, and the association of `domain` with
/// `routes`; each route lists the domain too when associated (as
/// azurerm's example does), so the two agree.
fn association(domain: &str, routes: &[&str]) -> String {
    let route = |n: &str, pattern: &str| {
        let ids = if routes.contains(&n) {
            format!("[azurerm_cdn_frontdoor_custom_domain.{domain}.id]")
        } else {
            "[]".to_string()
        };
        format!(
            "resource \"azurerm_cdn_frontdoor_route\" \"{n}\" {{\n  name = \"{n}\"\n  cdn_frontdoor_endpoint_id = azurerm_cdn_frontdoor_endpoint.ep.id\n  cdn_frontdoor_origin_group_id = azurerm_cdn_frontdoor_origin_group.og.id\n  cdn_frontdoor_origin_ids = [azurerm_cdn_frontdoor_origin.east.id]\n  supported_protocols = [\"Https\"]\n  patterns_to_match = [\"{pattern}\"]\n  cdn_frontdoor_custom_domain_ids = {ids}\n}}\n"
        )
    };
    let dom = |n: &str| {
        format!(
            "resource \"azurerm_cdn_frontdoor_custom_domain\" \"{n}\" {{\n  name = \"{n}-domain\"\n  cdn_frontdoor_profile_id = azurerm_cdn_frontdoor_profile.fd.id\n  host_name = \"{n}.example.com\"\n  tls {{\n    certificate_type = \"ManagedCertificate\"\n    minimum_tls_version = \"TLS12\"\n  }}\n}}\n"
        )
    };
    let list: Vec<String> = routes
        .iter()
        .map(|r| format!("azurerm_cdn_frontdoor_route.{r}.id"))
        .collect();
    format!(
        "{}{}{}{}{}resource \"azurerm_cdn_frontdoor_custom_domain_association\" \"a\" {{\n  cdn_frontdoor_custom_domain_id = azurerm_cdn_frontdoor_custom_domain.{domain}.id\n  cdn_frontdoor_route_ids = [{}]\n}}\n",
        edge("east", "ToEast"),
        dom("api"),
        dom("www"),
        route("r1", "/*"),
        route("r2", "/api/*"),
        list.join(", ")
    )
}

pub(crate) fn cases() -> Vec<Case> {
    vec![
        Case {
            addr: "azurerm_cdn_frontdoor_custom_domain_association.a",
            create: association("api", &["r1"]),
            update: association("api", &["r1", "r2"]),
            replace: Some(association("www", &["r1", "r2"])),
            // No ARM object of its own: drift is a route losing the
            // domain, in the test below.
            drift: None,
        },
        Case {
            addr: "azurerm_cdn_frontdoor_rule.rule",
            create: edge("east", "ToEast"),
            update: edge("west", "ToEast"),
            replace: Some(edge("west", "ToWest")),
            drift: Some((json!({"properties": {"order": 7}}), "2025-06-01")),
        },
        Case {
            addr: "azurerm_monitor_diagnostic_setting.kv",
            create: diag("to-logs", "category = \"AuditEvent\"", false),
            update: diag("to-logs", "category_group = \"audit\"", true),
            replace: Some(diag("to-logs-2", "category_group = \"audit\"", true)),
            // Drift is made at the ARM path (the state id is azurerm's
            // `{target}|{name}`): see the test below.
            drift: None,
        },
    ]
}

/// A diagnostic setting's state id is azurerm's `{target}|{name}`, its
/// ARM resource the extension under the target; a change made in the
/// cloud shows as drift and is put back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_diagnostic_setting_is_an_extension_resource_with_azurerms_id() {
    let h = harness().await;
    let text = diag("to-logs", "category = \"AuditEvent\"", false);
    let out = h.apply(&text).await;
    assert!(out.ok, "{:?}", out.failed);
    let id = h.state_attr("azurerm_monitor_diagnostic_setting.kv", "id");
    let vault = h.state_attr("azurerm_key_vault.kv", "id");
    let vault = vault.as_str().unwrap();
    assert_eq!(id.as_str().unwrap(), format!("{vault}|to-logs"));
    let arm = format!("{vault}/providers/Microsoft.Insights/diagnosticSettings/to-logs");
    // Changed outside drinfra: a category group instead of the category.
    let ws = h.state_attr("azurerm_log_analytics_workspace.logs", "id");
    let status = h
        .arm(
            "PUT",
            &arm,
            "2021-05-01-preview",
            Some(json!({"properties": {
                "workspaceId": ws,
                "logs": [{"categoryGroup": "allLogs", "enabled": true}],
                "metrics": [{"category": "AllMetrics", "enabled": true}],
            }})),
        )
        .await;
    assert_eq!(status, 200);
    let drifted = h.plan(&text).await;
    assert!(
        drifted
            .drift
            .iter()
            .any(|d| d.address == "azurerm_monitor_diagnostic_setting.kv"),
        "drift not detected"
    );
    assert!(h.apply(&text).await.ok);
    assert!(!h.plan(&text).await.has_resource_changes());
}

/// The rules Azure keeps for diagnostic settings: a category the target
/// does not have, and a destination another setting of the same resource
/// already uses for the same category, are refused with Azure's errors.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnostic_settings_keep_azures_rules() {
    let h = harness().await;
    let base = diag("to-logs", "category = \"AuditEvent\"", false);
    assert!(h.apply(&base).await.ok);
    let refused = |text: String, code: &'static str, words: &'static str| {
        let h = &h;
        async move {
            let out = h.apply(&text).await;
            assert!(!out.ok, "{code}: applied");
            assert!(
                out.failed
                    .iter()
                    .any(|f| f.contains(code) && f.contains(words)),
                "{code}: {:?}",
                out.failed
            );
        }
    };
    // A category key vaults do not have.
    refused(
        diag("to-logs", "category = \"kube-audit\"", false),
        "BadRequest",
        "Category 'kube-audit' is not supported",
    )
    .await;
    // A second setting sending the same category to the same workspace.
    refused(
        format!("{base}resource \"azurerm_monitor_diagnostic_setting\" \"again\" {{\n  name = \"again\"\n  target_resource_id = azurerm_key_vault.kv.id\n  log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id\n  enabled_log {{\n    category = \"AuditEvent\"\n  }}\n}}\n"),
        "Conflict",
        "Data sinks can't be reused",
    )
    .await;
    // Another category to the same workspace is fine.
    let other = format!(
        "{base}resource \"azurerm_monitor_diagnostic_setting\" \"again\" {{\n  name = \"again\"\n  target_resource_id = azurerm_key_vault.kv.id\n  log_analytics_workspace_id = azurerm_log_analytics_workspace.logs.id\n  enabled_log {{\n    category = \"AzurePolicyEvaluationDetails\"\n  }}\n}}\n"
    );
    let out = h.apply(&other).await;
    assert!(out.ok, "{:?}", out.failed);
}

/// Front Door's rules for rules: two rules of one set cannot share an
/// order, a rule needs an action kind Front Door knows with its
/// parameters (here a redirect type it does not have), and a condition an
/// operator its kind allows and, for cookies, the cookie's name.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_door_rules_keep_azures_rules() {
    let h = harness().await;
    let base = edge("east", "ToEast");
    assert!(h.apply(&base).await.ok);
    let second = |order: u32, redirect: &str| {
        format!(
            "{base}resource \"azurerm_cdn_frontdoor_rule\" \"moved\" {{\n  name = \"Moved\"\n  cdn_frontdoor_rule_set_id = azurerm_cdn_frontdoor_rule_set.rs.id\n  order = {order}\n  behavior_on_match = \"Stop\"\n  actions {{\n    url_redirect_action {{\n      redirect_type = \"{redirect}\"\n      destination_hostname = \"www.example.com\"\n    }}\n  }}\n}}\n"
        )
    };
    for (text, code, words) in [
        (
            second(1, "PermanentRedirect"),
            "Conflict",
            "order 1 is already used",
        ),
        (second(2, "Gone"), "BadRequest", "redirectType"),
    ] {
        let out = h.apply(&text).await;
        assert!(!out.ok, "{words}: applied");
        assert!(
            out.failed
                .iter()
                .any(|f| f.contains(code) && f.contains(words)),
            "{words}: {:?}",
            out.failed
        );
    }
    let ok = h.apply(&second(2, "PermanentRedirect")).await;
    assert!(ok.ok, "{:?}", ok.failed);
    assert!(
        !h.plan(&second(2, "PermanentRedirect"))
            .await
            .has_resource_changes()
    );
    // Sent past drinfra's checks: an operator the kind's enum lacks, and a
    // cookie condition without the cookie's name.
    let set = h.state_attr("azurerm_cdn_frontdoor_rule_set.rs", "id");
    let raw = format!("{}/rules/Raw", set.as_str().unwrap());
    let action = json!({"name": "ModifyResponseHeader", "parameters": {
        "typeName": "DeliveryRuleHeaderActionParameters",
        "headerAction": "Append", "headerName": "X-Raw", "value": "1"}});
    let put = |condition: serde_json::Value| {
        let (h, raw, action) = (&h, raw.clone(), action.clone());
        async move {
            h.arm(
                "PUT",
                &raw,
                "2025-06-01",
                Some(json!({"properties": {"order": 9, "conditions": [condition], "actions": [action]}})),
            )
            .await
        }
    };
    let socket = |op: &str| {
        json!({"name": "SocketAddr", "parameters": {
            "typeName": "DeliveryRuleSocketAddrConditionParameters",
            "operator": op, "matchValues": ["10.0.0.0/8"]}})
    };
    assert_eq!(put(socket("GeoMatch")).await, 400);
    assert_eq!(
        put(json!({"name": "Cookies", "parameters": {
            "typeName": "DeliveryRuleCookiesConditionParameters", "operator": "Any"}}))
        .await,
        400
    );
    assert!(matches!(put(socket("IPMatch")).await, 200..=202));
}

/// A second rule holding each condition kind the first one does not
/// (`cookie`: the cookie it matches).
fn every_kind(cookie: &str) -> String {
    format!(
        "{}resource \"azurerm_cdn_frontdoor_rule\" \"kinds\" {{\n  name = \"Kinds\"\n  cdn_frontdoor_rule_set_id = azurerm_cdn_frontdoor_rule_set.rs.id\n  order = 2\n  conditions {{\n    post_args_condition {{\n      post_args_name = \"customerName\"\n      operator = \"BeginsWith\"\n      match_values = [\"J\", \"K\"]\n      transforms = [\"Uppercase\"]\n    }}\n    request_body_condition {{\n      operator = \"Contains\"\n      match_values = [\"ERROR\"]\n    }}\n    cookies_condition {{\n      cookie_name = \"{cookie}\"\n      operator = \"Any\"\n    }}\n    url_filename_condition {{\n      operator = \"Equal\"\n      match_values = [\"media.mp4\"]\n      negate_condition = true\n    }}\n    http_version_condition {{\n      match_values = [\"2.0\"]\n    }}\n    is_device_condition {{\n      match_values = [\"Mobile\"]\n    }}\n    socket_address_condition {{\n      match_values = [\"5.5.5.64/26\"]\n    }}\n    client_port_condition {{\n      operator = \"GreaterThanOrEqual\"\n      match_values = [\"1024\"]\n    }}\n    server_port_condition {{\n      operator = \"Equal\"\n      match_values = [\"80\", \"443\"]\n    }}\n    ssl_protocol_condition {{\n      match_values = [\"TLSv1.2\"]\n    }}\n  }}\n  actions {{\n    request_header_action {{\n      header_action = \"Append\"\n      header_name = \"X-Kinds\"\n      value = \"all\"\n    }}\n  }}\n}}\n",
        edge("east", "ToEast")
    )
}

/// Every condition kind of azurerm 4.x goes to Azure under its ARM name,
/// typeName and fields (selectors, azurerm's defaults), is read back
/// without a change, and a changed selector is an update in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_door_rules_map_every_condition_kind() {
    let h = harness().await;
    let out = h.apply(&every_kind("session")).await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(!h.plan(&every_kind("session")).await.has_resource_changes());
    let id = h.state_attr("azurerm_cdn_frontdoor_rule.kinds", "id");
    let body = cloud_body(&h, id.as_str().unwrap(), "2025-06-01").await;
    let conditions = body["properties"]["conditions"].as_array().unwrap();
    let by = |name: &str| {
        conditions
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("{name} not sent: {conditions:?}"))["parameters"]
            .clone()
    };
    for (name, type_name) in [
        ("PostArgs", "DeliveryRulePostArgsConditionParameters"),
        ("RequestBody", "DeliveryRuleRequestBodyConditionParameters"),
        ("Cookies", "DeliveryRuleCookiesConditionParameters"),
        ("UrlFileName", "DeliveryRuleUrlFilenameConditionParameters"),
        ("HttpVersion", "DeliveryRuleHttpVersionConditionParameters"),
        ("IsDevice", "DeliveryRuleIsDeviceConditionParameters"),
        ("SocketAddr", "DeliveryRuleSocketAddrConditionParameters"),
        ("ClientPort", "DeliveryRuleClientPortConditionParameters"),
        ("ServerPort", "DeliveryRuleServerPortConditionParameters"),
        ("SslProtocol", "DeliveryRuleSslProtocolConditionParameters"),
    ] {
        assert_eq!(by(name)["typeName"], type_name, "{name}");
    }
    assert_eq!(by("PostArgs")["selector"], "customerName");
    assert_eq!(by("PostArgs")["transforms"], json!(["Uppercase"]));
    assert_eq!(by("Cookies")["selector"], "session");
    assert_eq!(by("Cookies")["operator"], "Any");
    assert_eq!(by("UrlFileName")["negateCondition"], true);
    // azurerm's defaults for the operators left out.
    assert_eq!(by("HttpVersion")["operator"], "Equal");
    assert_eq!(by("IsDevice")["operator"], "Equal");
    assert_eq!(by("SslProtocol")["operator"], "Equal");
    assert_eq!(by("SocketAddr")["operator"], "IPMatch");
    assert_eq!(by("ServerPort")["matchValues"], json!(["80", "443"]));
    // The cookie's name is changed in place.
    let changed = every_kind("consent");
    let plan = h.plan(&changed).await;
    assert_eq!(
        crate::azure::action_of(&plan, "azurerm_cdn_frontdoor_rule.kinds"),
        drinfra::plan::Action::Update
    );
    let out = h.apply(&changed).await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(!h.plan(&changed).await.has_resource_changes());
    let body = cloud_body(&h, id.as_str().unwrap(), "2025-06-01").await;
    assert!(
        body["properties"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "Cookies" && c["parameters"]["selector"] == "consent")
    );
}

/// An operator or match value azurerm does not accept for a condition
/// kind is refused while planning with azurerm's message, before any
/// request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn front_door_rule_conditions_are_held_to_azurerms_operators() {
    let h = harness().await;
    let good = every_kind("session");
    for (from, to, message) in [
        (
            "    ssl_protocol_condition {\n",
            "    ssl_protocol_condition {\n      operator = \"Contains\"\n",
            r#"expected conditions.0.ssl_protocol_condition.0.operator to be one of ["Equal"], got Contains"#,
        ),
        (
            "    socket_address_condition {\n",
            "    socket_address_condition {\n      operator = \"GeoMatch\"\n",
            r#"expected conditions.0.socket_address_condition.0.operator to be one of ["Any" "IPMatch"], got GeoMatch"#,
        ),
        (
            "match_values = [\"80\", \"443\"]",
            "match_values = [\"80\", \"8443\"]",
            r#"expected conditions.0.server_port_condition.0.match_values.1 to be one of ["80" "443"], got 8443"#,
        ),
        (
            "      operator = \"Any\"\n",
            "      operator = \"Any\"\n      match_values = [\"yes\"]\n",
            r#""cookies_condition" is invalid: the "match_values" field must not be set if the conditions "operator" is set to "Any""#,
        ),
    ] {
        assert!(good.contains(from), "{from}");
        // The diagnostics' debug form escapes the message as its own does.
        let errors = plan_errors(&h, &good.replacen(from, to, 1)).await;
        let escaped = format!("{message:?}");
        assert!(
            errors.contains(escaped.trim_matches('"')),
            "{message}: {errors}"
        );
    }
    // The configuration as written plans (h.plan fails on any error).
    assert!(h.plan(&good).await.has_resource_changes());
}

/// A resource's body as the emulator has it (not drinfra's record).
async fn cloud_body(h: &crate::azure::Harness, id: &str, api: &str) -> serde_json::Value {
    let http = drinfra::emulator::client(h.running.ca_pem.as_deref()).unwrap();
    let c = &h.running.credentials;
    let tok: serde_json::Value = http
        .post(format!(
            "{}/{}/oauth2/v2.0/token",
            h.running.url, c.tenant_id
        ))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", c.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.get(format!("{}{id}?api-version={api}", h.running.url))
        .bearer_auth(tok["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The association puts the domain into each route's `customDomains` in
/// the cloud and keeps azurerm's id; a route that loses the domain outside
/// drinfra is drift, put back by the next apply; the emulator refuses to
/// delete a domain a route still serves, and destroying the stack takes
/// the association off first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_association_puts_the_domain_on_its_routes() {
    let h = harness().await;
    let text = association("api", &["r1", "r2"]);
    let out = h.apply(&text).await;
    assert!(out.ok, "{:?}", out.failed);
    let domain = h.state_attr("azurerm_cdn_frontdoor_custom_domain.api", "id");
    let domain = domain.as_str().unwrap().to_string();
    let id = h.state_attr("azurerm_cdn_frontdoor_custom_domain_association.a", "id");
    assert_eq!(
        id.as_str().unwrap(),
        domain.replace("/customDomains/", "/associations/")
    );
    let r1 = h.state_attr("azurerm_cdn_frontdoor_route.r1", "id");
    let r1 = r1.as_str().unwrap().to_string();
    let body = cloud_body(&h, &r1, "2025-06-01").await;
    assert_eq!(body["properties"]["customDomains"][0]["id"], json!(domain));
    // The domain cannot go while a route serves it.
    assert_eq!(h.arm("DELETE", &domain, "2025-06-01", None).await, 409);
    // Taken off r1 outside drinfra.
    let mut changed = body.clone();
    changed["properties"]["customDomains"] = json!([]);
    changed["properties"]
        .as_object_mut()
        .unwrap()
        .remove("provisioningState");
    assert!(h.arm("PUT", &r1, "2025-06-01", Some(changed)).await < 300);
    let drifted = h.plan(&text).await;
    assert!(
        drifted
            .drift
            .iter()
            .any(|d| d.address == "azurerm_cdn_frontdoor_custom_domain_association.a"),
        "drift not detected"
    );
    assert!(h.apply(&text).await.ok);
    let body = cloud_body(&h, &r1, "2025-06-01").await;
    assert_eq!(body["properties"]["customDomains"][0]["id"], json!(domain));
    assert!(!h.plan(&text).await.has_resource_changes());
    let gone = h.apply("").await;
    assert!(gone.ok, "{:?}", gone.failed);
}

/// The ids azurerm writes in its own form map to ARM paths and back, and
/// import reads the identifying arguments out of them.
#[test]
fn azurerm_shaped_ids_map_to_arm_paths_and_back() {
    use drinfra::provider::azure::typedef;
    use drinfra::provider::azure::types;
    let vault = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv";
    let diag = types::lookup("azurerm_monitor_diagnostic_setting").unwrap();
    let id = format!("{vault}|to-logs");
    let arm = typedef::arm_path(&diag, &id);
    assert_eq!(
        arm,
        format!("{vault}/providers/Microsoft.Insights/diagnosticSettings/to-logs")
    );
    assert_eq!(typedef::state_id(&diag, &arm), id);
    let a = typedef::attrs_from_id(&diag, &id);
    assert_eq!(
        a["target_resource_id"]
            .to_json()
            .as_str()
            .map(str::to_string)
            .as_deref(),
        Some(vault)
    );
    assert_eq!(
        a["name"].to_json().as_str().map(str::to_string).as_deref(),
        Some("to-logs")
    );
    let assoc = types::lookup("azurerm_cdn_frontdoor_custom_domain_association").unwrap();
    let domain =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/fd/customDomains/api";
    let id =
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Cdn/profiles/fd/associations/api";
    let a = typedef::attrs_from_id(&assoc, id);
    assert_eq!(
        a["cdn_frontdoor_custom_domain_id"]
            .to_json()
            .as_str()
            .map(str::to_string)
            .as_deref(),
        Some(domain)
    );
    assert_eq!(typedef::build_id(&assoc, &a, "s").unwrap(), id);
}

/// azurerm's plan-time checks of a diagnostic setting: a destination, a
/// block to send, and one of category / category_group per log block; the
/// 3.x `metric` block is refused with the 4.x spelling.
#[test]
fn a_diagnostic_setting_without_a_destination_is_refused_at_plan_time() {
    use drinfra::lang::Value;
    let cfg = |extra: serde_json::Value| {
        let mut base = json!({
            "name": "d",
            "target_resource_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv",
            "enabled_log": [{"category": "AuditEvent"}],
        });
        for (k, v) in extra.as_object().unwrap() {
            base[k] = v.clone();
        }
        Value::from_json(&base)
    };
    let problems = |v: Value| {
        drinfra::provider::azure::validate_resource("azurerm_monitor_diagnostic_setting", &v)
            .into_iter()
            .map(|p| format!("{} {}", p.summary, p.detail))
            .collect::<Vec<_>>()
    };
    let none = problems(cfg(json!({})));
    assert!(
        none.iter().any(|p| p.contains("Missing destination")),
        "{none:?}"
    );
    let ws = json!({"log_analytics_workspace_id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.OperationalInsights/workspaces/w"});
    assert!(problems(cfg(ws.clone())).is_empty());
    let mut both = ws.clone();
    both["enabled_log"] = json!([{"category": "AuditEvent", "category_group": "audit"}]);
    assert!(
        problems(cfg(both))
            .iter()
            .any(|p| p.contains("Exactly one of `category` and `category_group`"))
    );
    let mut old = ws;
    old["metric"] = json!([{"category": "AllMetrics", "enabled": true}]);
    assert!(
        problems(cfg(old))
            .iter()
            .any(|p| p.contains("enabled_metric"))
    );
}
