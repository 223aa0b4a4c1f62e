//! The emulator's Key Vault data plane (secrets and keys at a vault's
//! `vaultUri`) held to the REST API specification, as tests/emulator_spec.rs
//! holds the ARM models: each case in tests/data/keyvault_spec_examples.json
//! is a spec example's request, sent in order to one vault (Azure accepts
//! it, so the emulator must), and the shape of its answer (property names,
//! nesting and JSON kinds), with the ids in Key Vault's forms.

use serde_json::{Value as J, json};

use crate::common::spec_shape::Arrays;

const SUB: &str = "00000000-0000-0000-0000-000000000001";
/// The vault URL the spec's examples use.
const SPEC_VAULT: &str = "https://myvault.vault.azure.net/";

/// Where `got` differs in shape from the spec's `want`: a property the
/// spec has is missing or of another JSON kind.
fn shape(want: &J, got: &J, at: &str, out: &mut Vec<String>) {
    crate::common::spec_shape::differences(want, got, at, Arrays::EachElement, out);
}

/// An id with its vault and version written the same way in both forms.
fn id_form(id: &str, vault: &str) -> String {
    let rest = id
        .strip_prefix(vault)
        .map(|r| format!("{{vault}}/{r}"))
        .unwrap_or_else(|| id.to_string());
    match rest.rsplit_once('/') {
        Some((base, last)) if last.len() == 32 && last.chars().all(|c| c.is_ascii_hexdigit()) => {
            format!("{base}/{{version}}")
        }
        _ => rest,
    }
}

/// The ids of an answer (`id`, `kid` at any depth, `recoveryId`) whose
/// form differs from the spec's.
fn id_differences(want: &J, got: &J, vault: &str, at: &str, out: &mut Vec<String>) {
    match (want, got) {
        (J::Object(w), J::Object(g)) => {
            for (k, wv) in w {
                let Some(gv) = g.get(k) else { continue };
                let here = format!("{at}.{k}");
                match (k.as_str(), wv.as_str(), gv.as_str()) {
                    ("id" | "kid" | "recoveryId", Some(ws), Some(gs)) => {
                        let (wf, gf) = (id_form(ws, SPEC_VAULT), id_form(gs, vault));
                        if wf != gf {
                            out.push(format!("{here} {gs} is not of the form {wf}"));
                        }
                    }
                    _ => id_differences(wv, gv, vault, &here, out),
                }
            }
        }
        (J::Array(w), J::Array(g)) => {
            if let (Some(w0), Some(g0)) = (w.first(), g.first()) {
                id_differences(w0, g0, vault, &format!("{at}[0]"), out);
            }
        }
        _ => {}
    }
}

struct Vault {
    http: reqwest::Client,
    token: String,
    uri: String,
    api: String,
    /// Each object's version as it last answered, by name.
    versions: std::collections::BTreeMap<String, String>,
}

impl Vault {
    async fn call(&mut self, method: &str, path: &str, body: Option<&J>) -> (u16, J) {
        let name = path.split('/').nth(1).unwrap_or_default().to_string();
        let path = match self.versions.get(&name) {
            Some(v) => path.replace("{version}", v),
            None => path.to_string(),
        };
        let mut req = self
            .http
            .request(
                method.parse().unwrap(),
                format!("{}{path}?api-version={}", self.uri, self.api),
            )
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let got: J = serde_json::from_str(&r.text().await.unwrap()).unwrap_or(J::Null);
        let id = got["id"].as_str().or(got["key"]["kid"].as_str());
        if let Some(id) = id
            && let [_, n, v] = id
                .trim_start_matches(&self.uri)
                .split('/')
                .collect::<Vec<_>>()[..]
            && v.len() == 32
        {
            self.versions.insert(n.to_string(), v.to_string());
        }
        (status, got)
    }
}

/// A vault whose access policy gives the emulator's client every secret
/// and key permission, and a Key Vault token.
async fn vault(emu: &drinfra::emulator::Running, api: &str) -> Vault {
    let http = drinfra::emulator::client(emu.ca_pem.as_deref()).unwrap();
    let arm = crate::common::arm_token(&http, emu).await;
    let put = |path: String, body: J| {
        http.put(format!("{}{path}", emu.url))
            .bearer_auth(&arm)
            .json(&body)
            .send()
    };
    let rg = format!("/subscriptions/{SUB}/resourceGroups/kv-spec");
    let r = put(
        format!("{rg}?api-version=2024-11-01"),
        json!({"location": "eastus"}),
    )
    .await
    .unwrap();
    assert!(r.status().is_success());
    let c = &emu.credentials;
    let vault_id = format!("{rg}/providers/Microsoft.KeyVault/vaults/kvspec");
    let body = json!({"location": "eastus", "properties": {
        "tenantId": c.tenant_id, "sku": {"family": "A", "name": "standard"},
        "accessPolicies": [{"tenantId": c.tenant_id, "objectId": c.client_id, "permissions": {
            "secrets": ["get", "list", "set", "delete", "recover", "purge"],
            "keys": ["get", "list", "create", "update", "delete", "recover", "purge", "getrotationpolicy", "setrotationpolicy"]
        }}]
    }});
    let r = put(format!("{vault_id}?api-version=2023-07-01"), body)
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    // Shown, a vault has its `vaultUri` (the emulator's own route).
    let shown = http
        .get(format!("{}{vault_id}?api-version=2023-07-01", emu.url))
        .bearer_auth(&arm)
        .send()
        .await
        .unwrap();
    let shown: J = serde_json::from_str(&shown.text().await.unwrap()).unwrap();
    let uri = shown["properties"]["vaultUri"].as_str().map(str::to_string);
    Vault {
        token: crate::common::token_for(&http, emu, "https://vault.azure.net/.default").await,
        http,
        uri: uri.expect("the vault has a vaultUri"),
        api: api.to_string(),
        versions: Default::default(),
    }
}

#[test]
fn the_specs_example_requests_are_accepted_and_answered_in_the_specs_shape() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/keyvault_spec_examples.json"),
    )
    .unwrap();
    let doc: J = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    // Fast simulated time: the vault is made at once.
    let emu = crate::common::start_emulator(&rt, dir.path().to_path_buf(), 1.0e7);
    let failures = rt.block_on(async {
        let mut v = vault(&emu, doc["api"].as_str().unwrap()).await;
        let mut failures = vec![];
        for case in cases {
            let example = case["example"].as_str().unwrap();
            let example = example.rsplit('/').next().unwrap_or(example);
            for b in case["before"].as_array().into_iter().flatten() {
                let (status, got) = v
                    .call(
                        b["method"].as_str().unwrap(),
                        b["path"].as_str().unwrap(),
                        None,
                    )
                    .await;
                assert!(status < 300, "{example}: its setup answered {status} {got}");
            }
            let method = case["method"].as_str().unwrap();
            let path = case["path"].as_str().unwrap();
            let (status, got) = v.call(method, path, case.get("request")).await;
            let want_status = case["status"].as_u64().unwrap_or(200) as u16;
            if status != want_status {
                failures.push(format!(
                    "{example} {method} {path}: answered {status}, the spec {want_status}: {got}"
                ));
                continue;
            }
            let mut diffs = vec![];
            if let Some(want) = case.get("response") {
                shape(want, &got, "", &mut diffs);
                id_differences(want, &got, &v.uri, "", &mut diffs);
            }
            failures.extend(
                diffs
                    .into_iter()
                    .map(|d| format!("{example} {method} {path}: {d}")),
            );
        }
        // Rotation policies came with 7.3: an older api-version is refused.
        v.api = "7.2".into();
        let (status, _) = v
            .call("POST", "keys/older/create", Some(&json!({"kty": "EC"})))
            .await;
        assert_eq!(status, 200);
        let (status, got) = v.call("GET", "keys/older/rotationpolicy", None).await;
        assert_eq!(status, 400, "{got}");
        failures
    });
    assert!(cases.len() >= 22);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    rt.block_on(emu.stop());
}
