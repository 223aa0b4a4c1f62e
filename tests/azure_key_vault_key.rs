//! `azurerm_key_vault_key` against the emulator's Key Vault data plane:
//! the conformance case, the key material's shapes and the public key
//! forms azurerm exports, access by key permissions, soft delete with
//! recover and purge (azurerm's `features { key_vault }` for keys), the
//! data source, rotation and release policies (`rotation_policy`,
//! `release_policy`), and arguments refused at validation.

use base64::Engine as _;
use drinfra::plan::Action;
use drinfra::provider::azure::setup;
use serde_json::{Value as J, json};

use crate::azure::{Case, Harness, action_of, harness, with_rg};
use crate::azure_key_vault_secret::kv;

const ME: &str = "data \"azurerm_client_config\" \"me\" {}\n";
/// azurerm reads a key's rotation policy on every refresh, so a vault
/// that keeps keys for it gives `GetRotationPolicy` (and
/// `SetRotationPolicy` to write one), as azurerm's example does.
const ALL_KEYS: &str = "\"Get\", \"List\", \"Create\", \"Update\", \"Delete\", \"Recover\", \"Purge\", \"GetRotationPolicy\", \"SetRotationPolicy\"";

/// A vault whose access policy gives the caller these key permissions
/// (and every secret permission).
fn vault(keys: &str) -> String {
    with_rg(&format!(
        "{ME}resource \"azurerm_key_vault\" \"kv\" {{\n  name = \"kv-conf-keys\"\n  location = azurerm_resource_group.rg.location\n  resource_group_name = azurerm_resource_group.rg.name\n  tenant_id = data.azurerm_client_config.me.tenant_id\n  sku_name = \"standard\"\n  rbac_authorization_enabled = false\n  access_policy {{\n    tenant_id = data.azurerm_client_config.me.tenant_id\n    object_id = data.azurerm_client_config.me.object_id\n    key_permissions = [{keys}]\n    secret_permissions = [\"Get\", \"Set\"]\n  }}\n}}\n"
    ))
}

/// The vault and key `k` named `name`; `extra` goes inside its block.
fn key(name: &str, extra: &str) -> String {
    key_with(ALL_KEYS, name, extra)
}

/// The same in a vault that gives these key permissions.
fn key_with(keys: &str, name: &str, extra: &str) -> String {
    format!(
        "{}resource \"azurerm_key_vault_key\" \"k\" {{\n  name = \"{name}\"\n  key_vault_id = azurerm_key_vault.kv.id\n{extra}}}\n",
        vault(keys)
    )
}

fn rsa(size: u32, ops: &str, extra: &str) -> String {
    format!("  key_type = \"RSA\"\n  key_size = {size}\n  key_opts = [{ops}]\n{extra}")
}

const OPS: &str = "\"decrypt\", \"encrypt\", \"sign\", \"unwrapKey\", \"verify\", \"wrapKey\"";

/// A `rotation_policy` block: expiry and notice (None: neither) and the
/// automatic rotation's `time_after_creation`.
fn rotation(expiry: Option<(&str, &str)>, rotate_after: &str) -> String {
    let dates = expiry
        .map(|(e, n)| format!("    expire_after = \"{e}\"\n    notify_before_expiry = \"{n}\"\n"))
        .unwrap_or_default();
    format!(
        "  rotation_policy {{\n{dates}    automatic {{\n      time_after_creation = \"{rotate_after}\"\n    }}\n  }}\n"
    )
}

/// A `release_policy` block with this JSON policy (HCL-escaped).
fn release(json: &str) -> String {
    format!(
        "  release_policy {{\n    json = \"{}\"\n  }}\n",
        json.replace('"', "\\\"")
    )
}

const POLICY: &str = r#"{"version":"1.0.0","anyOf":[{"authority":"https://sharedeus.eus.attest.azure.net","allOf":[{"claim":"x-ms-attestation-type","equals":"sevsnpvm"}]}]}"#;

pub(crate) fn cases() -> Vec<Case> {
    let policies = |rotate_after: &str, json: &str| {
        format!(
            "{}{}",
            rotation(Some(("P90D", "P29D")), rotate_after),
            release(json)
        )
    };
    vec![Case {
        addr: "azurerm_key_vault_key.k",
        create: key("generated", &rsa(2048, OPS, &policies("P30D", POLICY))),
        // key_opts, tags and the rotation policy change in place.
        update: key(
            "generated",
            &rsa(
                2048,
                "\"sign\", \"verify\"",
                &format!(
                    "  tags = {{ owner = \"dr\" }}\n{}",
                    policies("P45D", POLICY)
                ),
            ),
        ),
        // Another release policy is another key.
        replace: Some(key(
            "generated",
            &rsa(
                2048,
                "\"sign\", \"verify\"",
                &format!(
                    "  tags = {{ owner = \"dr\" }}\n{}",
                    policies("P45D", &POLICY.replace("sevsnpvm", "tdxvm"))
                ),
            ),
        )),
        // The key is no ARM object: no ARM drift.
        drift: None,
    }]
}

async fn token(h: &Harness) -> String {
    crate::azure_key_vault_secret::token(h, crate::azure_key_vault_secret::VAULT_SCOPE).await
}

fn decoded(v: &J) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn text(h: &Harness, k: &str) -> String {
    h.state_attr("azurerm_key_vault_key.k", k)
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_have_key_vaults_shapes_and_azurerms_public_forms() {
    let h = harness().await;
    let out = h.apply(&key("rsa-key", &rsa(4096, OPS, ""))).await;
    assert!(out.ok, "{:?}", out.failed);
    let uri = h.state_attr("azurerm_key_vault.kv", "vault_uri");
    let version = text(&h, "version");
    assert_eq!(version.len(), 32);
    assert_eq!(
        text(&h, "id"),
        format!("{}keys/rsa-key/{version}", uri.as_str().unwrap())
    );
    assert_eq!(
        text(&h, "resource_versionless_id"),
        format!(
            "{}/keys/rsa-key",
            h.state_attr("azurerm_key_vault.kv", "id").as_str().unwrap()
        )
    );
    // A 4096-bit modulus, e = 65537, no EC coordinates.
    let n = decoded(&h.state_attr("azurerm_key_vault_key.k", "n"));
    assert_eq!((n.len(), n[0] >> 7), (512, 1));
    assert_eq!(text(&h, "e"), "AQAB");
    assert_eq!(
        (text(&h, "x"), text(&h, "y")),
        (String::new(), String::new())
    );
    assert!(
        text(&h, "public_key_pem").starts_with(
            "-----BEGIN PUBLIC KEY-----\nMIICIjANBgkqhkiG9w0BAQEFAAOCAg8AMIICCgKCAgEA"
        )
    );
    assert!(text(&h, "public_key_pem").ends_with("-----END PUBLIC KEY-----\n"));
    assert!(text(&h, "public_key_openssh").starts_with("ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAACAQ"));
    // What the vault holds is what state records.
    let t = token(&h).await;
    let (status, b) = kv(&h, &t, "GET", "keys/rsa-key", None).await;
    assert_eq!(status, 200, "{b}");
    assert_eq!(b["key"]["n"], h.state_attr("azurerm_key_vault_key.k", "n"));
    assert_eq!(b["key"]["kid"].as_str().unwrap(), text(&h, "id"));

    // An EC key without a curve: Key Vault's P-256, recorded.
    let ec = key(
        "ec-key",
        "  key_type = \"EC\"\n  key_opts = [\"sign\", \"verify\"]\n",
    );
    let out = h.apply(&ec).await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(action_of(&out.plan, "azurerm_key_vault_key.k").is_replace());
    assert_eq!(text(&h, "curve"), "P-256");
    assert!(
        h.state_attr("azurerm_key_vault_key.k", "key_size")
            .is_null()
    );
    let x = decoded(&h.state_attr("azurerm_key_vault_key.k", "x"));
    assert_eq!(x.len(), 32);
    assert!(text(&h, "public_key_pem").contains("\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"));
    assert!(text(&h, "public_key_openssh").starts_with("ecdsa-sha2-nistp256 "));
    assert!(!h.plan(&ec).await.has_resource_changes());
    // P-521: 66-byte coordinates; P-256K: no public forms (as azurerm).
    for (crv, len, ssh) in [("P-521", 66, "ecdsa-sha2-nistp521 "), ("P-256K", 32, "")] {
        let config = key(
            "ec-key",
            &format!("  key_type = \"EC\"\n  curve = \"{crv}\"\n  key_opts = [\"sign\"]\n"),
        );
        let out = h.apply(&config).await;
        assert!(out.ok, "{crv}: {:?}", out.failed);
        assert_eq!(
            decoded(&h.state_attr("azurerm_key_vault_key.k", "y")).len(),
            len
        );
        assert!(text(&h, "public_key_openssh").starts_with(ssh), "{crv}");
        assert_eq!(
            text(&h, "public_key_pem").is_empty(),
            ssh.is_empty(),
            "{crv}"
        );
    }

    // The data source reads the latest version.
    let data = format!(
        "{}data \"azurerm_key_vault_key\" \"d\" {{\n  name = azurerm_key_vault_key.k.name\n  key_vault_id = azurerm_key_vault.kv.id\n}}\noutput \"crv\" {{\n  value = data.azurerm_key_vault_key.d.curve\n}}\noutput \"same\" {{\n  value = data.azurerm_key_vault_key.d.x == azurerm_key_vault_key.k.x\n}}\n",
        key(
            "ec-key",
            "  key_type = \"EC\"\n  curve = \"P-256K\"\n  key_opts = [\"sign\"]\n"
        )
    );
    let out = h.apply(&data).await;
    assert!(out.ok, "{:?}", out.failed);
    let outputs = h.state_json()["outputs"].clone();
    assert_eq!(outputs["crv"]["value"], "P-256K", "{outputs}");
    assert_eq!(outputs["same"]["value"], true, "{outputs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_keeps_the_version_and_changes_made_outside_are_drift() {
    let h = harness().await;
    let config = key("upd", &rsa(2048, OPS, ""));
    assert!(h.apply(&config).await.ok);
    let version = text(&h, "version");
    let changed = key(
        "upd",
        &rsa(
            2048,
            "\"sign\"",
            "  tags = { env = \"dr\" }\n  expiration_date = \"2035-01-01T00:00:00Z\"\n",
        ),
    );
    let out = h.apply(&changed).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        action_of(&out.plan, "azurerm_key_vault_key.k"),
        Action::Update
    );
    assert_eq!(text(&h, "version"), version);
    assert_eq!(text(&h, "expiration_date"), "2035-01-01T00:00:00Z");
    let t = token(&h).await;
    let (_, b) = kv(&h, &t, "GET", "keys/upd", None).await;
    assert_eq!(b["key"]["key_ops"], json!(["sign"]));
    assert_eq!(b["tags"]["env"], "dr");
    // Someone allows more operations in the vault: drift, put back.
    let (status, _) = kv(
        &h,
        &t,
        "PATCH",
        &format!("keys/upd/{version}"),
        Some(json!({"key_ops": ["sign", "encrypt"]})),
    )
    .await;
    assert_eq!(status, 200);
    drifts_and_is_put_back(&h, &changed).await;
    let (_, b) = kv(&h, &t, "GET", "keys/upd", None).await;
    assert_eq!(b["key"]["key_ops"], json!(["sign"]));
}

/// A change made outside shows as drift of the key, planned as an update,
/// and applying `config` puts it back.
async fn drifts_and_is_put_back(h: &Harness, config: &str) {
    let drifted = h.plan(config).await;
    assert!(
        drifted
            .drift
            .iter()
            .any(|d| d.address == "azurerm_key_vault_key.k")
    );
    assert_eq!(
        action_of(&drifted, "azurerm_key_vault_key.k"),
        Action::Update
    );
    assert!(h.apply(config).await.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_needs_key_permissions() {
    let h = harness().await;
    // Secret permissions only: Key Vault refuses, drinfra records nothing.
    let no_keys = key_with("", "denied", &rsa(2048, OPS, ""));
    let out = h.apply(&no_keys).await;
    assert!(!out.ok);
    assert!(
        out.failed
            .iter()
            .any(|f| f.contains("403") && f.contains("Forbidden")),
        "{:?}",
        out.failed
    );
    let state = h.state_json();
    assert!(
        !state.to_string().contains("\"azurerm_key_vault_key\""),
        "{state}"
    );
    let t = token(&h).await;
    let (status, body) = kv(
        &h,
        &t,
        "POST",
        "keys/denied/create",
        Some(json!({"kty": "RSA"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["innererror"]["code"], "AccessDenied");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("keys create")
    );
    // `Get` alone reads but does not create.
    assert!(h.apply(&vault("\"Get\"")).await.ok);
    assert_eq!(kv(&h, &t, "GET", "keys/denied", None).await.0, 404);
    assert_eq!(
        kv(
            &h,
            &t,
            "POST",
            "keys/denied/create",
            Some(json!({"kty": "RSA"}))
        )
        .await
        .0,
        403
    );
    // RBAC authorization: Crypto User reads keys; Crypto Officer makes them.
    let rbac = vault("").replace(
        "rbac_authorization_enabled = false",
        "rbac_authorization_enabled = true",
    );
    let role = |name: &str| {
        format!(
            "{rbac}resource \"azurerm_role_assignment\" \"r\" {{\n  scope = azurerm_key_vault.kv.id\n  role_definition_name = \"{name}\"\n  principal_id = data.azurerm_client_config.me.object_id\n}}\n"
        )
    };
    assert!(h.apply(&role("Key Vault Crypto User")).await.ok);
    assert_eq!(kv(&h, &t, "GET", "keys/denied", None).await.0, 404);
    let (status, body) = kv(
        &h,
        &t,
        "POST",
        "keys/denied/create",
        Some(json!({"kty": "RSA"})),
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["innererror"]["code"], "ForbiddenByRbac");
    let officer = format!(
        "{}resource \"azurerm_key_vault_key\" \"k\" {{\n  name = \"allowed\"\n  key_vault_id = azurerm_key_vault.kv.id\n{}  depends_on = [azurerm_role_assignment.r]\n}}\n",
        role("Key Vault Crypto Officer"),
        rsa(2048, OPS, "")
    );
    let out = h.apply(&officer).await;
    assert!(out.ok, "{:?}", out.failed);
    // HSM keys need a premium vault.
    assert!(h.apply(&vault(ALL_KEYS)).await.ok);
    let (status, body) = kv(
        &h,
        &t,
        "POST",
        "keys/hsm/create",
        Some(json!({"kty": "RSA-HSM"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

/// The harness with azurerm's key settings of `features { key_vault }`.
async fn with_features(purge: bool, recover: bool) -> Harness {
    let (h, f) = crate::azure_key_vault_secret::with_settings(|s| {
        s.keep_deleted_keys = !purge;
        s.no_key_recovery = !recover;
    })
    .await;
    // The secrets' settings are left alone.
    assert_eq!(f, [true, true, purge, recover]);
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_destroyed_key_is_purged_by_default_else_recovered_or_refused() {
    let config = key("cmk", &rsa(2048, OPS, ""));
    let only_vault = vault(ALL_KEYS);
    // Kept soft-deleted, then refused (recover off).
    let h = with_features(false, false).await;
    assert!(h.apply(&config).await.ok);
    let kid = text(&h, "id");
    assert!(h.apply(&only_vault).await.ok);
    let t = token(&h).await;
    let (status, deleted) = kv(&h, &t, "GET", "deletedkeys/cmk", None).await;
    assert_eq!(status, 200, "{deleted}");
    assert!(
        deleted["recoveryId"]
            .as_str()
            .unwrap()
            .ends_with("/deletedkeys/cmk")
    );
    assert_eq!(deleted["key"]["kid"].as_str().unwrap(), kid);
    let refused = h.apply(&config).await;
    assert!(!refused.ok);
    assert!(
        refused
            .failed
            .iter()
            .any(|f| f.contains("ObjectIsDeletedButRecoverable")
                && f.contains("recover_soft_deleted_keys")),
        "{:?}",
        refused.failed
    );
    // Recovered (azurerm's default): the same key version, not a new one.
    let h2 = with_features(false, true).await;
    assert!(h2.apply(&config).await.ok);
    let kid = text(&h2, "id");
    assert!(h2.apply(&only_vault).await.ok);
    let out = h2.apply(&config).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(text(&h2, "id"), kid);
    assert!(!h2.plan(&config).await.has_resource_changes());
    // Purged by default: the name is free at once.
    let h3 = harness().await;
    assert!(h3.apply(&config).await.ok);
    assert!(h3.apply(&only_vault).await.ok);
    let t3 = token(&h3).await;
    assert_eq!(kv(&h3, &t3, "GET", "deletedkeys/cmk", None).await.0, 404);
    assert!(h3.apply(&config).await.ok);
}

fn drinfra(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let run = crate::common::drinfra(dir, args);
    (run.code, run.out)
}

#[test]
fn unsupported_or_invalid_arguments_are_refused_at_their_place() {
    let d = tempfile::tempdir().unwrap();
    let check = |body: String, want: &str| {
        std::fs::write(d.path().join("main.tf"), body).unwrap();
        let (code, out) = drinfra(d.path(), &["validate"]);
        assert_eq!(code, 1, "{out}");
        assert!(out.contains(want), "{want}: {out}");
    };
    check(
        key("k", "  key_type = \"RSA\"\n  key_opts = [\"sign\"]\n"),
        "key_size is required when key_type is RSA",
    );
    // azurerm's rules for the policies.
    check(
        key(
            "k",
            &rsa(
                2048,
                OPS,
                "  rotation_policy {\n    expire_after = \"P90D\"\n  }\n",
            ),
        ),
        "expire_after and notify_before_expiry are set together",
    );
    check(
        key(
            "k",
            &rsa(2048, OPS, &rotation(Some(("P20D", "P7D")), "P30D")),
        ),
        "rotation_policy.expire_after must be between P28D and P100Y",
    );
    check(
        key("k", &rsa(2048, OPS, &rotation(None, "30 days"))),
        "must be an ISO 8601 duration",
    );
    check(
        key("k", &rsa(2048, OPS, "  rotation_policy {\n  }\n")),
        "needs expire_after or an automatic block",
    );
    check(
        key(
            "k",
            &rsa(2048, OPS, "  release_policy {\n    immutable = true\n  }\n"),
        ),
        "release_policy.json",
    );
    check(
        key("k", &rsa(2048, OPS, &release("{not json"))),
        "must be a JSON document",
    );
    check(
        key("k", &rsa(2048, "\"fly\"", "")),
        "each of key_opts is one of",
    );
    check(
        key(
            "k",
            "  key_type = \"EC\"\n  curve = \"P-999\"\n  key_opts = [\"sign\"]\n",
        ),
        "curve is one of",
    );
    // The key features are read from the provider block.
    std::fs::write(
        d.path().join("main.tf"),
        key("k", &rsa(2048, OPS, "")).replacen(
            "  features {}\n",
            "  features {\n    key_vault {\n      purge_soft_deleted_keys_on_destroy = false\n      recover_soft_deleted_keys = false\n    }\n  }\n",
            1,
        ),
    )
    .unwrap();
    let stack = drinfra::config::open(d.path(), &[], &[]);
    let s = setup::settings(&stack.config, &stack.inputs, d.path(), &[]).unwrap();
    assert_eq!(
        (
            s.keep_deleted_keys,
            s.no_key_recovery,
            s.keep_deleted_secrets
        ),
        (true, true, false)
    );
}

fn state(h: &Harness, k: &str) -> J {
    h.state_attr("azurerm_key_vault_key.k", k)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotation_and_release_policies_are_written_read_back_and_drift() {
    let h = harness().await;
    let both = |rotation_policy: &str, json: &str| {
        key(
            "pol",
            &rsa(2048, OPS, &format!("{rotation_policy}{}", release(json))),
        )
    };
    let config = both(&rotation(Some(("P90D", "P29D")), "P30D"), POLICY);
    let out = h.apply(&config).await;
    assert!(out.ok, "{:?}", out.failed);
    // Key Vault holds what azurerm sends: expiry, a Notify action before
    // it, a Rotate action after creation; the policy JSON base64url.
    let t = token(&h).await;
    let (status, p) = kv(&h, &t, "GET", "keys/pol/rotationpolicy", None).await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["attributes"]["expiryTime"], "P90D");
    assert_eq!(
        p["lifetimeActions"],
        json!([
            {"trigger": {"timeBeforeExpiry": "P29D"}, "action": {"type": "Notify"}},
            {"trigger": {"timeAfterCreate": "P30D"}, "action": {"type": "Rotate"}}
        ])
    );
    assert!(
        p["id"]
            .as_str()
            .unwrap()
            .ends_with("/keys/pol/rotationpolicy")
    );
    let (_, b) = kv(&h, &t, "GET", "keys/pol", None).await;
    assert_eq!(
        String::from_utf8(decoded(&b["release_policy"]["data"])).unwrap(),
        POLICY
    );
    assert_eq!(b["release_policy"]["immutable"], false);
    assert_eq!(
        state(&h, "rotation_policy"),
        json!([{"expire_after": "P90D", "notify_before_expiry": "P29D", "automatic": [{"time_after_creation": "P30D", "time_before_expiry": ""}]}])
    );
    assert_eq!(
        state(&h, "release_policy"),
        json!([{"json": POLICY, "immutable": false}])
    );
    // The same policy written otherwise is no change.
    let spaced = both(
        &rotation(Some(("P90D", "P29D")), "P30D"),
        &POLICY.replace(',', ", "),
    );
    assert!(!h.plan(&spaced).await.has_resource_changes());

    // Changed outside drinfra: drift, and the update puts it back.
    let (status, _) = kv(
        &h,
        &t,
        "PUT",
        "keys/pol/rotationpolicy",
        Some(json!({"lifetimeActions": [{"trigger": {"timeAfterCreate": "P60D"}, "action": {"type": "Rotate"}}], "attributes": {"expiryTime": "P1Y"}})),
    )
    .await;
    assert_eq!(status, 200);
    drifts_and_is_put_back(&h, &config).await;
    let (_, p) = kv(&h, &t, "GET", "keys/pol/rotationpolicy", None).await;
    assert_eq!(p["attributes"]["expiryTime"], "P90D");

    // Removing `automatic` is an update; removing the block writes no
    // actions, which leaves Key Vault's default policy: no block.
    let expiry_only = both(
        "  rotation_policy {\n    expire_after = \"P90D\"\n    notify_before_expiry = \"P29D\"\n  }\n",
        POLICY,
    );
    let out = h.apply(&expiry_only).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        action_of(&out.plan, "azurerm_key_vault_key.k"),
        Action::Update
    );
    assert_eq!(state(&h, "rotation_policy")[0]["automatic"], json!([]));
    let none = key("pol", &rsa(2048, OPS, &release(POLICY)));
    let out = h.apply(&none).await;
    assert!(out.ok, "{:?}", out.failed);
    assert_eq!(
        action_of(&out.plan, "azurerm_key_vault_key.k"),
        Action::Update
    );
    let (_, p) = kv(&h, &t, "GET", "keys/pol/rotationpolicy", None).await;
    assert_eq!(
        p["lifetimeActions"],
        json!([{"trigger": {"timeBeforeExpiry": "P30D"}, "action": {"type": "Notify"}}])
    );
    assert!(p["attributes"].get("expiryTime").is_none(), "{p}");
    assert_eq!(state(&h, "rotation_policy"), json!([]));
    assert!(!h.plan(&none).await.has_resource_changes());

    // An immutable release policy is another key, and Key Vault then
    // refuses to change it.
    let immutable = key(
        "pol",
        &rsa(
            2048,
            OPS,
            &release(POLICY).replace("  }\n", "    immutable = true\n  }\n"),
        ),
    );
    let version = text(&h, "version");
    let out = h.apply(&immutable).await;
    assert!(out.ok, "{:?}", out.failed);
    assert!(action_of(&out.plan, "azurerm_key_vault_key.k").is_replace());
    assert_ne!(text(&h, "version"), version);
    let (status, body) = kv(
        &h,
        &t,
        "PATCH",
        &format!("keys/pol/{}", text(&h, "version")),
        Some(json!({"release_policy": {"data": "e30"}})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    // An exportable key needs a release policy.
    let (status, body) = kv(
        &h,
        &t,
        "POST",
        "keys/exp/create",
        Some(json!({"kty": "RSA", "attributes": {"exportable": true}})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reading_a_key_needs_the_rotation_policy_permission_as_in_azurerm() {
    let h = harness().await;
    let keys = "\"Get\", \"Create\", \"Update\", \"Delete\", \"Purge\"";
    let out = h
        .apply(&key_with(keys, "noperm", &rsa(2048, OPS, "")))
        .await;
    let why = out.failed.join("\n");
    assert!(
        why.contains("GetRotationPolicy") && why.contains("403"),
        "{why}"
    );
}
