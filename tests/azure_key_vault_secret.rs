//! `azurerm_key_vault_secret` against the emulator's Key Vault data plane:
//! the conformance case, versions and drift, access (policies, RBAC,
//! tokens for Key Vault's audience), soft delete with recover and purge
//! (azurerm's `features { key_vault }`), the data source, and the value
//! kept out of plan output.

use std::sync::Arc;

use drinfra::emulator;
use drinfra::plan::Action;
use drinfra::provider::Providers;
use drinfra::provider::azure::setup::{self, Settings};
use serde_json::{Value as J, json};

use crate::azure::{Case, Harness, action_of, harness, with_rg};

const ME: &str = "data \"azurerm_client_config\" \"me\" {}\n";

/// A vault; `policy`: an access policy for the caller with these secret
/// permissions (none: no policy); `rbac`: RBAC authorization instead.
fn vault(policy: Option<&str>, rbac: bool) -> String {
    let policy = policy
        .map(|p| {
            format!(
                "  access_policy {{\n    tenant_id = data.azurerm_client_config.me.tenant_id\n    object_id = data.azurerm_client_config.me.object_id\n    secret_permissions = [{p}]\n  }}\n"
            )
        })
        .unwrap_or_default();
    with_rg(&format!(
        "{ME}resource \"azurerm_key_vault\" \"kv\" {{\n  name = \"kv-conf-secrets\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  tenant_id = data.azurerm_client_config.me.tenant_id\n  sku_name = \"standard\"\n  rbac_authorization_enabled = {rbac}\n{policy}}}\n"
    ))
}

const ALL: &str = "\"Get\", \"List\", \"Set\", \"Delete\", \"Recover\", \"Purge\"";

/// The vault (with full secret permissions) and secret `name`; `extra`
/// goes inside the secret's block.
pub(crate) fn secret(name: &str, value: &str, extra: &str) -> String {
    format!(
        "{}resource \"azurerm_key_vault_secret\" \"s\" {{\n  name = \"{name}\"\n  value = \"{value}\"\n  key_vault_id = azurerm_key_vault.kv.id\n  content_type = \"text/plain\"\n{extra}}}\n",
        vault(Some(ALL), false)
    )
}

pub(crate) fn cases() -> Vec<Case> {
    vec![Case {
        addr: "azurerm_key_vault_secret.s",
        create: secret("db-password", "v1", ""),
        // Tags and dates update the latest version in place (same id).
        update: secret(
            "db-password",
            "v1",
            "  tags = { owner = \"dr\" }\n  expiration_date = \"2035-01-01T00:00:00Z\"\n",
        ),
        replace: Some(secret(
            "db-password-2",
            "v1",
            "  tags = { owner = \"dr\" }\n  expiration_date = \"2035-01-01T00:00:00Z\"\n",
        )),
        // The secret is no ARM object: drift is tested below.
        drift: None,
    }]
}

/// A token from the emulator for `scope`, as the main client.
pub(crate) async fn token(h: &Harness, scope: &str) -> String {
    let http = emulator::client(h.running.ca_pem.as_deref()).unwrap();
    crate::common::token_for(&http, &h.running, scope).await
}

pub(crate) const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

/// One data-plane request at `{vaultUri}{path}?api-version=7.4` with
/// `token`: status and body.
pub(crate) async fn kv(
    h: &Harness,
    token: &str,
    method: &str,
    path: &str,
    body: Option<J>,
) -> (u16, J) {
    let uri = h
        .state_attr("azurerm_key_vault.kv", "vault_uri")
        .as_str()
        .unwrap()
        .to_string();
    let http = emulator::client(h.running.ca_pem.as_deref()).unwrap();
    let mut req = http
        .request(
            method.parse().unwrap(),
            format!("{uri}{path}?api-version=7.4"),
        )
        .bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(J::Null))
}

/// The harness with provider settings `edit` makes (azurerm's
/// `features { key_vault { ... } }`), as the provider's setup reads them;
/// and the Key Vault features the provider took from them (purge and
/// recover secrets, purge and recover keys).
pub(crate) async fn with_settings(edit: impl FnOnce(&mut Settings)) -> (Harness, [bool; 4]) {
    let mut h = harness().await;
    let mut settings = Settings {
        emulator_url: Some(h.running.url.clone()),
        emulator_data_dir: Some(h.emulator_dir().display().to_string()),
        ..Settings::default()
    };
    edit(&mut settings);
    let azure = setup::provider(&settings, h.dir(), &[], &[]).await.unwrap();
    let k = &azure.key_vault;
    let features = [
        k.purge_soft_deleted_secrets_on_destroy,
        k.recover_soft_deleted_secrets,
        k.purge_soft_deleted_keys_on_destroy,
        k.recover_soft_deleted_keys,
    ];
    let mut providers = Providers::builtin();
    providers.add(Arc::new(azure));
    h.providers = providers;
    (h, features)
}

/// The harness with azurerm's secret settings of `features { key_vault }`.
async fn with_features(purge: bool, recover: bool) -> Harness {
    let (h, f) = with_settings(|s| {
        s.keep_deleted_secrets = !purge;
        s.no_secret_recovery = !recover;
    })
    .await;
    assert_eq!((f[0], f[1]), (purge, recover));
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_value_is_a_new_version_and_a_value_set_outside_is_drift() {
    let h = harness().await;
    let out = h.apply(&secret("api-key", "one", "")).await;
    assert!(out.ok, "{:?}", out.failed);
    let addr = "azurerm_key_vault_secret.s";
    let id = h.state_attr(addr, "id").as_str().unwrap().to_string();
    let version = h.state_attr(addr, "version").as_str().unwrap().to_string();
    let uri = h.state_attr("azurerm_key_vault.kv", "vault_uri");
    // The vault's URI is the emulator's path-style route, and the id the
    // versioned URL under it.
    assert!(
        uri.as_str().unwrap().starts_with(&h.running.url)
            && uri
                .as_str()
                .unwrap()
                .ends_with("/keyvault/kv-conf-secrets/"),
        "{uri}"
    );
    assert_eq!(
        id,
        format!("{}secrets/api-key/{version}", uri.as_str().unwrap())
    );
    assert_eq!(
        h.state_attr(addr, "versionless_id").as_str().unwrap(),
        format!("{}secrets/api-key", uri.as_str().unwrap())
    );
    let vault_id = h.state_attr("azurerm_key_vault.kv", "id");
    assert_eq!(
        h.state_attr(addr, "resource_id").as_str().unwrap(),
        format!(
            "{}/secrets/api-key/versions/{version}",
            vault_id.as_str().unwrap()
        )
    );
    // The value is sensitive in the plan.
    let change = out.plan.changes.iter().find(|c| c.address == addr).unwrap();
    let after = change
        .after
        .as_ref()
        .unwrap()
        .as_mapping()
        .cloned()
        .unwrap();
    assert!(
        after["value"].is_sensitive_anywhere(),
        "{:?}",
        after["value"]
    );

    // A new value: a new version, its id unknown until apply.
    let plan = h.plan(&secret("api-key", "two", "")).await;
    assert_eq!(action_of(&plan, addr), Action::Update);
    let c = plan.changes.iter().find(|c| c.address == addr).unwrap();
    let after = c.after.as_ref().unwrap().as_mapping().cloned().unwrap();
    assert!(after["id"].is_unknown(), "{:?}", after["id"]);
    assert!(h.apply(&secret("api-key", "two", "")).await.ok);
    let new_version = h.state_attr(addr, "version").as_str().unwrap().to_string();
    assert_ne!(new_version, version);
    assert!(
        h.state_attr(addr, "id")
            .as_str()
            .unwrap()
            .ends_with(&new_version)
    );
    assert!(
        !h.plan(&secret("api-key", "two", ""))
            .await
            .has_resource_changes()
    );

    // Someone sets a new value in the vault: drift, and the plan puts the
    // configured value back.
    let t = token(&h, VAULT_SCOPE).await;
    let (status, _) = kv(
        &h,
        &t,
        "PUT",
        "secrets/api-key",
        Some(json!({"value": "changed outside"})),
    )
    .await;
    assert_eq!(status, 200);
    let drifted = h.plan(&secret("api-key", "two", "")).await;
    assert!(
        drifted.drift.iter().any(|d| d.address == addr),
        "drift not detected"
    );
    assert_eq!(action_of(&drifted, addr), Action::Update);
    assert!(h.apply(&secret("api-key", "two", "")).await.ok);
    let (_, latest) = kv(&h, &t, "GET", "secrets/api-key", None).await;
    assert_eq!(latest["value"], "two");
    // Three writes, three versions.
    let (_, versions) = kv(&h, &t, "GET", "secrets/api-key/versions", None).await;
    assert_eq!(versions["value"].as_array().unwrap().len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_needs_a_policy_or_a_role_and_a_key_vault_token() {
    let h = harness().await;
    // A vault whose access policies grant the caller nothing on secrets.
    let no_policy = vault(None, false);
    assert!(h.apply(&no_policy).await.ok);
    let t = token(&h, VAULT_SCOPE).await;
    let (status, body) = kv(&h, &t, "PUT", "secrets/x", Some(json!({"value": "v"}))).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "Forbidden");
    assert_eq!(body["error"]["innererror"]["code"], "AccessDenied");
    // A Resource Manager token is not one for Key Vault.
    let arm = token(&h, "https://management.azure.com/.default").await;
    let (status, body) = kv(&h, &arm, "GET", "secrets/x", None).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("audience")
    );
    // ... nor the other way round.
    assert_eq!(
        h.arm(
            "GET",
            "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-conf",
            "2024-11-01",
            None
        )
        .await,
        200
    );
    let http = emulator::client(h.running.ca_pem.as_deref()).unwrap();
    let refused = http
        .get(format!(
            "{}/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-conf?api-version=2024-11-01",
            h.running.url
        ))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status().as_u16(), 401);
    // drinfra reports Key Vault's refusal and records nothing.
    let with_secret = format!(
        "{no_policy}resource \"azurerm_key_vault_secret\" \"s\" {{\n  name = \"x\"\n  value = \"v\"\n  key_vault_id = azurerm_key_vault.kv.id\n}}\n"
    );
    let out = h.apply(&with_secret).await;
    assert!(!out.ok);
    assert!(
        out.failed
            .iter()
            .any(|f| f.contains("403") && f.contains("Forbidden")),
        "{:?}",
        out.failed
    );
    // A policy with `get` only: reading works, writing does not.
    assert!(h.apply(&vault(Some("\"Get\""), false)).await.ok);
    assert_eq!(kv(&h, &t, "GET", "secrets/x", None).await.0, 404);
    assert_eq!(
        kv(&h, &t, "PUT", "secrets/x", Some(json!({"value": "v"})))
            .await
            .0,
        403
    );
    // RBAC authorization: policies no longer count; a Key Vault role at
    // the vault (or above) does.
    let rbac = vault(None, true);
    assert!(h.apply(&rbac).await.ok);
    assert_eq!(kv(&h, &t, "GET", "secrets/x", None).await.0, 403);
    let role = format!(
        "{rbac}resource \"azurerm_role_assignment\" \"officer\" {{\n  scope = azurerm_key_vault.kv.id\n  role_definition_name = \"Key Vault Secrets Officer\"\n  principal_id = data.azurerm_client_config.me.object_id\n}}\nresource \"azurerm_key_vault_secret\" \"s\" {{\n  name = \"x\"\n  value = \"v\"\n  key_vault_id = azurerm_key_vault.kv.id\n  depends_on = [azurerm_role_assignment.officer]\n}}\n"
    );
    let out = h.apply(&role).await;
    assert!(out.ok, "{:?}", out.failed);
    let (_, got) = kv(&h, &t, "GET", "secrets/x", None).await;
    assert_eq!(got["value"], "v");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_purges_by_default_and_a_soft_deleted_name_is_recovered_or_refused() {
    // Kept soft-deleted (purge off), then refused (recover off).
    let h = with_features(false, false).await;
    let config = secret("tls-key", "k1", "");
    assert!(h.apply(&config).await.ok);
    let t = token(&h, VAULT_SCOPE).await;
    let only_vault = vault(Some(ALL), false);
    assert!(h.apply(&only_vault).await.ok);
    let (status, deleted) = kv(&h, &t, "GET", "deletedsecrets/tls-key", None).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(
        deleted["recoveryId"]
            .as_str()
            .unwrap()
            .ends_with("/deletedsecrets/tls-key")
    );
    assert!(
        deleted["scheduledPurgeDate"].as_i64().unwrap() > deleted["deletedDate"].as_i64().unwrap()
    );
    let refused = h.apply(&config).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("ObjectIsDeletedButRecoverable") && f.contains("409")),
        "{:?}",
        refused.failed
    );
    // Recovered (azurerm's default), with the configured value written
    // over it.
    let h2 = with_features(false, true).await;
    assert!(h2.apply(&config).await.ok);
    assert!(h2.apply(&only_vault).await.ok);
    let t2 = token(&h2, VAULT_SCOPE).await;
    let (_, before) = kv(&h2, &t2, "GET", "deletedsecrets/tls-key", None).await;
    let old = before["id"].as_str().unwrap().to_string();
    let again = secret("tls-key", "k2", "");
    let out = h2.apply(&again).await;
    assert!(out.ok, "{:?}", out.failed);
    let (_, versions) = kv(&h2, &t2, "GET", "secrets/tls-key/versions", None).await;
    let ids: Vec<&str> = versions["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&old.as_str()),
        "recovered, not recreated: {ids:?}"
    );
    assert_eq!(
        kv(&h2, &t2, "GET", "secrets/tls-key", None).await.1["value"],
        "k2"
    );
    // Purged on destroy by default: the name is free at once.
    let h3 = harness().await;
    assert!(h3.apply(&config).await.ok);
    assert!(h3.apply(&only_vault).await.ok);
    let t3 = token(&h3, VAULT_SCOPE).await;
    assert_eq!(
        kv(&h3, &t3, "GET", "deletedsecrets/tls-key", None).await.0,
        404
    );
    assert!(h3.apply(&config).await.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn purge_protection_keeps_a_deleted_secret_and_the_emulator_refuses_its_purge() {
    let h = harness().await;
    let protected = |body: String| {
        body.replace(
            "  sku_name = \"standard\"\n",
            "  sku_name = \"standard\"\n  purge_protection_enabled = true\n",
        )
    };
    assert!(h.apply(&protected(secret("cert", "c1", ""))).await.ok);
    // Destroy does not try to purge what purge protection keeps.
    assert!(h.apply(&protected(vault(Some(ALL), false))).await.ok);
    let t = token(&h, VAULT_SCOPE).await;
    assert_eq!(kv(&h, &t, "GET", "deletedsecrets/cert", None).await.0, 200);
    let (status, body) = kv(&h, &t, "DELETE", "deletedsecrets/cert", None).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["innererror"]["code"], "ForbiddenByPolicy");
    // Recover by hand: the secret is back with its value.
    assert_eq!(
        kv(&h, &t, "POST", "deletedsecrets/cert/recover", None)
            .await
            .0,
        200
    );
    assert_eq!(
        kv(&h, &t, "GET", "secrets/cert", None).await.1["value"],
        "c1"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_source_reads_the_latest_or_a_named_version() {
    let h = harness().await;
    assert!(h.apply(&secret("conn", "first", "")).await.ok);
    let first = h
        .state_attr("azurerm_key_vault_secret.s", "version")
        .as_str()
        .unwrap()
        .to_string();
    assert!(h.apply(&secret("conn", "second", "")).await.ok);
    let data = format!(
        "{}data \"azurerm_key_vault_secret\" \"latest\" {{\n  name = azurerm_key_vault_secret.s.name\n  key_vault_id = azurerm_key_vault.kv.id\n}}\ndata \"azurerm_key_vault_secret\" \"old\" {{\n  name = \"conn\"\n  key_vault_id = azurerm_key_vault.kv.id\n  version = \"{first}\"\n}}\noutput \"latest\" {{\n  value = data.azurerm_key_vault_secret.latest.value\n  sensitive = true\n}}\noutput \"old\" {{\n  value = data.azurerm_key_vault_secret.old.value\n  sensitive = true\n}}\noutput \"ct\" {{\n  value = data.azurerm_key_vault_secret.latest.content_type\n}}\n",
        secret("conn", "second", "")
    );
    let out = h.apply(&data).await;
    assert!(out.ok, "{:?}", out.failed);
    let state = h.state_json();
    let outputs = state["outputs"].clone();
    let text = outputs.to_string();
    assert!(
        text.contains("second") && text.contains("first") && text.contains("text/plain"),
        "{outputs}"
    );
}

/// `drinfra` on the stack in `dir` (the embedded emulator): exit code and
/// output.
fn drinfra(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let run = crate::common::drinfra(dir, args);
    (run.code, run.out)
}

#[test]
fn the_value_stays_out_of_the_plan_and_key_vault_features_are_read() {
    let d = tempfile::tempdir().unwrap();
    let features = "  features {\n    key_vault {\n      purge_soft_deleted_secrets_on_destroy = false\n      recover_soft_deleted_secrets = true\n    }\n  }\n";
    let with = |features: &str, body: String| body.replacen("  features {}\n", features, 1);
    std::fs::write(
        d.path().join("main.tf"),
        with(features, secret("plan-me", "hunter2-not-shown", "")),
    )
    .unwrap();
    let (code, out) = drinfra(d.path(), &["plan"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("azurerm_key_vault_secret.s"), "{out}");
    assert!(out.contains("(sensitive value)"), "{out}");
    assert!(!out.contains("hunter2-not-shown"), "{out}");
    // Not a literal: refused at its place.
    std::fs::write(
        d.path().join("main.tf"),
        format!(
            "{}variable \"recover\" {{\n  default = true\n}}\n",
            with(
                &features.replace("= true", "= var.recover"),
                secret("plan-me", "v", "")
            )
        ),
    )
    .unwrap();
    let (code, out) = drinfra(d.path(), &["plan"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Unsupported azurerm feature setting")
            && out.contains("features.key_vault.recover_soft_deleted_secrets"),
        "{out}"
    );
    // Exactly one of value and value_wo.
    std::fs::write(
        d.path().join("main.tf"),
        secret("both", "v", "  value_wo = \"w\"\n  value_wo_version = 1\n"),
    )
    .unwrap();
    let (code, out) = drinfra(d.path(), &["validate"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("exactly one of `value` and `value_wo`"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_only_value_is_sent_when_its_version_changes_and_never_kept() {
    let h = harness().await;
    let wo = |value: &str, version: u32| {
        secret("wo", "unused", "").replace(
            "  value = \"unused\"\n",
            &format!("  value_wo = \"{value}\"\n  value_wo_version = {version}\n"),
        )
    };
    let out = h.apply(&wo("w1", 1)).await;
    assert!(out.ok, "{:?}", out.failed);
    let addr = "azurerm_key_vault_secret.s";
    assert!(h.state_attr(addr, "value").is_null());
    assert!(h.state_attr(addr, "value_wo").is_null());
    assert!(!h.state_json().to_string().contains("w1"));
    let t = token(&h, VAULT_SCOPE).await;
    assert_eq!(kv(&h, &t, "GET", "secrets/wo", None).await.1["value"], "w1");
    assert!(!h.plan(&wo("w1", 1)).await.has_resource_changes());
    // A new value without a new version is not sent.
    assert!(!h.plan(&wo("w2", 1)).await.has_resource_changes());
    let version = h.state_attr(addr, "version");
    let up = h.apply(&wo("w2", 2)).await;
    assert!(up.ok, "{:?}", up.failed);
    assert_eq!(action_of(&up.plan, addr), Action::Update);
    assert_ne!(h.state_attr(addr, "version"), version);
    assert_eq!(kv(&h, &t, "GET", "secrets/wo", None).await.1["value"], "w2");
    assert!(!h.plan(&wo("w2", 2)).await.has_resource_changes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_secret_is_refused_unless_an_interrupted_apply_was_creating_it() {
    let h = harness().await;
    assert!(h.apply(&secret("adopt-me", "v1", "")).await.ok);
    let azure = h.providers.for_type("azurerm_key_vault_secret").unwrap();
    let planned = drinfra::lang::Value::Object(
        [
            ("name", "adopt-me".to_string()),
            (
                "key_vault_id",
                h.state_attr("azurerm_key_vault.kv", "id")
                    .as_str()
                    .unwrap()
                    .to_string(),
            ),
            ("value", "v2".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), drinfra::lang::Value::String(v)))
        .collect(),
    );
    let refused = azure
        .create("azurerm_key_vault_secret", &planned)
        .await
        .unwrap_err();
    assert_eq!(refused.kind(), drinfra::provider::ErrorKind::AlreadyExists);
    // The create was announced before it was sent: adopted.
    let intent = azure
        .create_intent("azurerm_key_vault_secret", &planned)
        .unwrap();
    assert!(
        intent
            .id
            .ends_with("/vaults/kv-conf-secrets/secrets/adopt-me")
    );
    azure.resume(vec![intent]);
    azure
        .create("azurerm_key_vault_secret", &planned)
        .await
        .unwrap();
    let t = token(&h, VAULT_SCOPE).await;
    assert_eq!(
        kv(&h, &t, "GET", "secrets/adopt-me", None).await.1["value"],
        "v2"
    );
}

#[test]
fn the_key_vault_features_are_read_from_the_provider_block() {
    let d = tempfile::tempdir().unwrap();
    let read = |features: &str| {
        std::fs::write(
            d.path().join("main.tf"),
            secret("f", "v", "").replacen("  features {}\n", features, 1),
        )
        .unwrap();
        let stack = drinfra::config::open(d.path(), &[], &[]);
        let s = setup::settings(&stack.config, &stack.inputs, d.path(), &[]).unwrap();
        (s.keep_deleted_secrets, s.no_secret_recovery)
    };
    assert_eq!(read("  features {}\n"), (false, false));
    assert_eq!(
        read(
            "  features {\n    key_vault {\n      purge_soft_deleted_secrets_on_destroy = false\n      recover_soft_deleted_secrets = false\n    }\n  }\n"
        ),
        (true, true)
    );
    assert_eq!(
        read(
            "  features {\n    key_vault {\n      purge_soft_deleted_secrets_on_destroy = true\n      recover_soft_deleted_secrets = true\n    }\n  }\n"
        ),
        (false, false)
    );
}
