//! The emulator's models held to the Azure REST API specification: each
//! case in tests/data/arm_spec_examples.json is a spec example's request
//! (accepted by Azure, so it must be accepted here) and the shape of its
//! response (property names, nesting and JSON kinds, read-only properties
//! filled in). Also: docs/emulator.md's simulated durations are the
//! emulator's own (`GET /admin/durations`).

use std::time::Duration;

use serde_json::{Value as J, json};

use crate::common::spec_shape::Arrays;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

struct Emu {
    running: Option<drinfra::emulator::Running>,
    client: reqwest::Client,
    token: String,
    base: String,
    _dir: tempfile::TempDir,
}

async fn start() -> Emu {
    let dir = tempfile::tempdir().unwrap();
    let running = drinfra::emulator::start(
        drinfra::emulator::Options {
            data_dir: dir.path().to_path_buf(),
            tls: true,
            settings: drinfra::emulator::Settings {
                time_scale: 1.0e7,
                ..drinfra::emulator::Settings::default()
            },
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let client = drinfra::emulator::client(running.ca_pem.as_deref()).unwrap();
    let token = crate::common::arm_token(&client, &running).await;
    let base = running.url.clone();
    Emu {
        running: Some(running),
        client,
        token,
        base,
        _dir: dir,
    }
}

/// An emulator with resource group `name` made in it, and the group's id.
async fn start_with_group(name: &str) -> (Emu, String) {
    let e = start().await;
    let rg = format!("/subscriptions/{SUB}/resourceGroups/{name}");
    let (status, _) = e
        .call(
            "PUT",
            &rg,
            "2024-11-01",
            Some(&json!({"location": "eastus"})),
        )
        .await;
    assert!(status < 300);
    (e, rg)
}

impl Emu {
    async fn stop(self) {
        if let Some(r) = self.running {
            r.stop().await;
        }
    }

    async fn call(&self, method: &str, path: &str, api: &str, body: Option<&J>) -> (u16, J) {
        let url = format!("{}{path}?api-version={api}", self.base);
        answer(self.send(method, &url, body).await).await
    }

    /// A request to `url` with the token (and `body` as JSON).
    async fn send(&self, method: &str, url: &str, body: Option<&J>) -> reqwest::Response {
        let mut req = self
            .client
            .request(method.parse().unwrap(), url)
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.unwrap()
    }

    /// POST an action; a 202's `Location` followed to the result (the
    /// emulator runs every action as an operation, where Azure answers
    /// some, such as `generateKeyPair`, at once).
    async fn post_action(&self, path: &str, api: &str) -> (u16, J) {
        let url = format!("{}{path}?api-version={api}", self.base);
        let mut r = self.send("POST", &url, None).await;
        for _ in 0..500 {
            let location = r.headers().get("location").and_then(|l| l.to_str().ok());
            let (202, Some(location)) = (r.status().as_u16(), location.map(str::to_string)) else {
                break;
            };
            tokio::time::sleep(Duration::from_millis(10)).await;
            r = self.send("GET", &location, None).await;
        }
        answer(r).await
    }

    /// PUT, then GET until the resource's provisioning has finished.
    async fn create(&self, path: &str, api: &str, body: &J) -> J {
        self.try_create(path, api, body.as_object().map(|_| body))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    /// PUT (without a body when there is none), then GET until the
    /// resource's provisioning has finished; why not, when it does not.
    async fn try_create(&self, path: &str, api: &str, body: Option<&J>) -> Result<J, String> {
        let (status, answer) = self.call("PUT", path, api, body).await;
        if !(status == 200 || status == 201 || status == 202) {
            return Err(format!(
                "PUT {path}: Azure accepts the spec's example; the emulator answered {status} {answer}"
            ));
        }
        self.read_finished(path, api).await
    }

    /// GET until the resource's provisioning has finished.
    async fn read_finished(&self, path: &str, api: &str) -> Result<J, String> {
        for _ in 0..500 {
            let (status, got) = self.call("GET", path, api, None).await;
            let state = got["properties"]["provisioningState"]
                .as_str()
                .unwrap_or("Succeeded");
            if status == 200 && state == "Succeeded" {
                return Ok(got);
            }
            if state == "Failed" {
                return Err(format!("{path} failed: {got}"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        Err(format!("{path} did not finish"))
    }
}

/// A response's status and JSON body (`null` when it has none).
async fn answer(r: reqwest::Response) -> (u16, J) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(J::Null))
}

/// The case's placeholders filled in: `{rg}` (the test's resource group id)
/// and `{sub}` (its subscription), in every string of `v`.
fn filled(v: &J, rg: &str) -> J {
    match v {
        J::String(s) => J::String(s.replace("{rg}", rg).replace("{sub}", SUB)),
        J::Array(a) => J::Array(a.iter().map(|x| filled(x, rg)).collect()),
        J::Object(o) => J::Object(
            o.iter()
                .map(|(k, x)| (k.replace("{rg}", rg), filled(x, rg)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The ARM type an id names: its last provider's namespace and every
/// other segment after it (a resource group's, without a provider).
fn type_of(id: &str) -> String {
    let parts: Vec<&str> = id.trim_matches('/').split('/').collect();
    match parts
        .iter()
        .rposition(|p| p.eq_ignore_ascii_case("providers"))
    {
        Some(i) if i + 1 < parts.len() => std::iter::once(parts[i + 1])
            .chain(parts[i + 2..].iter().step_by(2).copied())
            .collect::<Vec<_>>()
            .join("/"),
        _ => "Microsoft.Resources/resourceGroups".into(),
    }
}

/// A case's string (a path) with its placeholders filled in.
fn filled_str(v: &J, rg: &str) -> String {
    filled(v, rg).as_str().unwrap_or_default().to_string()
}

/// Where `got` lacks a property the spec's response has, or has it with
/// another JSON kind (arrays: their first elements compared).
fn shape_differences(spec: &J, got: &J, at: &str, out: &mut Vec<String>) {
    crate::common::spec_shape::differences(spec, got, at, Arrays::First, out);
}

fn cases() -> Vec<J> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/arm_spec_examples.json"),
    )
    .unwrap();
    let doc: J = serde_json::from_str(&text).unwrap();
    doc["cases"].as_array().unwrap().clone()
}

/// A resource a case needs made first: `{path, api?, request}`.
async fn make(e: &Emu, made: &J, api: &str, rg: &str) -> Result<(), String> {
    let p = filled_str(&made["path"], rg);
    let api = made["api"].as_str().unwrap_or(api);
    e.try_create(&p, api, Some(&filled(&made["request"], rg)))
        .await
        .map(|_| ())
}

/// The case's `parent`: one resource or a list of them, made in order.
async fn make_parents(e: &Emu, case: &J, api: &str, rg: &str) -> Result<(), String> {
    match case.get("parent") {
        Some(J::Array(all)) => {
            for p in all {
                make(e, p, api, rg).await?;
            }
            Ok(())
        }
        Some(one) => make(e, one, api, rg).await,
        None => Ok(()),
    }
}

/// GET until `path` is gone (a delete has finished).
async fn wait_gone(e: &Emu, path: &str, api: &str) -> Result<(), String> {
    for _ in 0..500 {
        if e.call("GET", path, api, None).await.0 == 404 {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Err(format!("{path} was not deleted"))
}

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

/// What a case reads: the resource's id and the answer to its GET. Most
/// cases PUT their request at their path; a case says when it differs:
/// - `assigned_name: "guid"`: Azure files the resource under a GUID it
///   makes (the answer's name), in the request path's parent;
/// - `deleted`: the case's path is what deleting that resource leaves;
/// - `id_from {path, pointer}`: the case reads the resource another one
///   names (no PUT: Azure makes it).
async fn read_case(e: &Emu, case: &J, rg: &str) -> Result<(String, J), String> {
    let api = case["api"].as_str().unwrap_or_default();
    make_parents(e, case, api, rg).await?;
    if let Some(gone) = case.get("deleted") {
        make(e, gone, api, rg).await?;
        let p = filled_str(&gone["path"], rg);
        let gone_api = gone["api"].as_str().unwrap_or(api);
        let (status, answer) = e.call("DELETE", &p, gone_api, None).await;
        if status >= 300 {
            return Err(format!("DELETE {p}: {status} {answer}"));
        }
        wait_gone(e, &p, gone_api).await?;
    }
    let path = match case.get("id_from") {
        Some(from) => {
            let p = filled_str(&from["path"], rg);
            let (_, named) = e.call("GET", &p, api, None).await;
            let pointer = from["pointer"].as_str().unwrap_or_default();
            named
                .pointer(pointer)
                .and_then(J::as_str)
                .ok_or_else(|| format!("{p} names nothing at {pointer}: {named}"))?
                .to_string()
        }
        None => filled_str(&case["path"], rg),
    };
    if case.get("deleted").is_some() || case.get("id_from").is_some() {
        let (status, got) = e.call("GET", &path, api, None).await;
        return match status {
            200 => Ok((path, got)),
            _ => Err(format!("GET {path}: {status} {got}")),
        };
    }
    let request = case.get("request").map(|r| filled(r, rg));
    if case["assigned_name"] == json!("guid") {
        let (status, answer) = e.call("PUT", &path, api, request.as_ref()).await;
        if !(status == 200 || status == 201) {
            return Err(format!("PUT {path}: {status} {answer}"));
        }
        let name = answer["name"].as_str().unwrap_or_default();
        if !is_guid(name) {
            return Err(format!("PUT {path} answered name {name}, not a GUID"));
        }
        let parent = path.rsplit_once('/').map(|(p, _)| p).unwrap_or_default();
        let id = format!("{parent}/{name}");
        if answer["id"].as_str().map(str::to_lowercase) != Some(id.to_lowercase()) {
            return Err(format!("PUT {path} answered id {}, not {id}", answer["id"]));
        }
        // The answer's shape is the GET's at the id it names.
        let mut diffs = vec![];
        shape_differences(&filled(&case["response"], rg), &answer, "", &mut diffs);
        if !diffs.is_empty() {
            return Err(format!("PUT {path} answered: {}", diffs.join("; ")));
        }
        return e.read_finished(&id, api).await.map(|got| (id, got));
    }
    let got = e.try_create(&path, api, request.as_ref()).await?;
    Ok((path, got))
}

/// The case's `settings` (the emulator's run-time settings it needs) set,
/// and the values they replace, to put back after it.
async fn apply_settings(e: &Emu, case: &J) -> Option<J> {
    let wanted = case.get("settings")?.as_object()?;
    let url = format!("{}/admin/settings", e.base);
    let (_, before) = answer(e.send("GET", &url, None).await).await;
    let restore: serde_json::Map<String, J> = wanted
        .keys()
        .map(|k| (k.clone(), before[k].clone()))
        .collect();
    let set = e
        .send("PATCH", &url, Some(&J::Object(wanted.clone())))
        .await;
    assert!(set.status().is_success(), "settings {wanted:?} refused");
    Some(J::Object(restore))
}

/// The case's `action {on, name, response}`: `name` POSTed to a resource
/// made from `on`, its answer held to `response`'s shape.
async fn check_action(e: &Emu, case: &J, rg: &str) -> Vec<String> {
    let Some(action) = case.get("action") else {
        return vec![];
    };
    let api = case["api"].as_str().unwrap_or_default();
    if let Err(why) = make(e, &action["on"], api, rg).await {
        return vec![why];
    }
    let on = filled_str(&action["on"]["path"], rg);
    let name = action["name"].as_str().unwrap_or_default();
    let (status, answer) = e.post_action(&format!("{on}/{name}"), api).await;
    if status != 200 {
        return vec![format!("POST {on}/{name}: {status} {answer}")];
    }
    let mut diffs = vec![];
    shape_differences(&filled(&action["response"], rg), &answer, "", &mut diffs);
    if answer["id"].as_str().map(str::to_lowercase) != Some(on.to_lowercase()) {
        diffs.push(format!("id {} is not {on}", answer["id"]));
    }
    diffs
        .into_iter()
        .map(|d| format!("{} POST {name}: {d}", action["example"]))
        .collect()
}

#[tokio::test]
async fn the_specs_example_requests_are_accepted_and_answered_in_the_specs_shape() {
    let (e, rg) = start_with_group("spec-examples").await;
    let mut failures = vec![];
    let mut held = std::collections::BTreeSet::new();
    let cases = cases();
    // Cases run in the file's order: a later one may name what an earlier
    // one made (an endpoint's profile, a private endpoint's subnet).
    for case in &cases {
        let restore = apply_settings(&e, case).await;
        let read = read_case(&e, case, &rg).await;
        failures.extend(check_action(&e, case, &rg).await);
        if let Some(r) = restore {
            e.send("PATCH", &format!("{}/admin/settings", e.base), Some(&r))
                .await;
        }
        let (path, got) = match read {
            Ok(read) => read,
            Err(why) => {
                failures.push(format!("{} {why}", case["example"]));
                continue;
            }
        };
        held.insert(type_of(&path).to_lowercase());
        let mut diffs = vec![];
        shape_differences(&filled(&case["response"], &rg), &got, "", &mut diffs);
        // The read-only envelope is the resource's own.
        if got["id"].as_str().map(str::to_lowercase) != Some(path.to_lowercase()) {
            diffs.push(format!("id {} is not {path}", got["id"]));
        }
        // The last segment, or the name Azure gives instead (a cache's
        // firewall rule is `{cache}/{rule}`).
        let name = case["name"]
            .as_str()
            .unwrap_or_else(|| path.rsplit('/').next().unwrap());
        if got["name"] != json!(name) {
            diffs.push(format!("name {} is not {name}", got["name"]));
        }
        let spec_type = case["response"]["type"].as_str().unwrap();
        if !got["type"]
            .as_str()
            .is_some_and(|t| t.eq_ignore_ascii_case(spec_type))
        {
            diffs.push(format!("type {} is not {spec_type}", got["type"]));
        }
        for d in diffs {
            failures.push(format!("{} {path}: {d}", case["example"]));
        }
    }
    // Every model the emulator has is held by a case.
    for ty in drinfra::emulator::supported_types().keys() {
        if !held.contains(&ty.to_lowercase()) {
            failures.push(format!("{ty}: no case holds it"));
        }
    }
    assert!(cases.len() >= 68);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    e.stop().await;
}

/// The first number of each ` / `-separated part of a durations cell
/// ("420 / 180 / 300 s", "240 / 60 + 15 s per node changed / 180 s"), and
/// the per-node figure when one is given.
fn cell_figures(cell: &str) -> Option<(Vec<f64>, Option<f64>)> {
    let main = cell.split(';').next()?;
    let parts: Vec<f64> = main
        .split(" / ")
        .map(|p| {
            p.trim()
                .split(|c: char| !c.is_ascii_digit() && c != '.')
                .find(|t| !t.is_empty())
                .and_then(|t| t.parse().ok())
        })
        .collect::<Option<_>>()?;
    let per_node = main
        .split_once("+ ")
        .and_then(|(_, rest)| rest.split(' ').next())
        .and_then(|n| n.parse().ok());
    (parts.len() == 3).then_some((parts, per_node))
}

/// docs/emulator.md's durations column states the emulator's model: the
/// first type of each row with figures has those create / update / delete
/// seconds (and the per-node scaling time where the row gives one).
#[tokio::test]
async fn the_docs_durations_are_the_emulators() {
    let e = start().await;
    let model: J = e
        .client
        .get(format!("{}/admin/durations", e.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/emulator.md"),
    )
    .unwrap();
    let mut checked = 0;
    let mut failures = vec![];
    for line in text.lines().filter(|l| l.starts_with("| Microsoft.")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (Some(types), Some(cell)) = (cells.get(1), cells.get(4)) else {
            continue;
        };
        let Some((figures, per_node)) = cell_figures(cell) else {
            continue;
        };
        let ty = types
            .split([',', ' ', '('])
            .next()
            .unwrap_or_default()
            .to_string();
        let Some(m) = model.as_array().unwrap().iter().find(|m| {
            m["type"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(&ty))
        }) else {
            failures.push(format!("{ty}: in docs/emulator.md but not served"));
            continue;
        };
        let own = [&m["create"], &m["update"], &m["delete"]].map(|v| v.as_f64().unwrap());
        if own.as_slice() != figures.as_slice() {
            failures.push(format!(
                "{ty}: the docs say {figures:?} s, the emulator takes {own:?}"
            ));
        }
        if let Some(n) = per_node
            && m["other"]["scale_per_node"].as_f64() != Some(n)
        {
            failures.push(format!(
                "{ty}: the docs say {n} s per node, the emulator's model {}",
                m["other"]
            ));
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} rows read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    e.stop().await;
}

/// Regression: every PUT of a Front Door profile gave it a new
/// `frontDoorId`; Azure fixes it at creation (origins check it).
#[tokio::test]
async fn a_front_door_profiles_id_survives_updates() {
    let (e, rg) = start_with_group("spec-fdid").await;
    let path = format!("{rg}/providers/Microsoft.Cdn/profiles/fdid");
    let body = json!({"location": "global", "sku": {"name": "Standard_AzureFrontDoor"}});
    let first = e.create(&path, "2025-06-01", &body).await;
    let mut changed = body.clone();
    changed["properties"] = json!({"originResponseTimeoutSeconds": 90});
    let second = e.create(&path, "2025-06-01", &changed).await;
    assert_eq!(
        second["properties"]["originResponseTimeoutSeconds"],
        json!(90)
    );
    assert!(first["properties"]["frontDoorId"].is_string());
    assert_eq!(
        first["properties"]["frontDoorId"],
        second["properties"]["frontDoorId"]
    );
    e.stop().await;
}

/// Regression: a classic Front Door's `frontdoorId` was made anew on every
/// PUT; Azure fixes it at creation. Its `resourceState` follows its
/// `enabledState`.
#[tokio::test]
async fn a_classic_front_doors_id_survives_updates() {
    let (e, rg) = start_with_group("spec-classic").await;
    let settings = format!("{}/admin/settings", e.base);
    let on = json!({"allow_classic_frontdoor_create": true});
    assert!(
        e.send("PATCH", &settings, Some(&on))
            .await
            .status()
            .is_success()
    );
    let path = format!("{rg}/providers/Microsoft.Network/frontDoors/classic-id");
    let mut body = json!({"location": "global", "properties": {"backendPools": [{"name": "pool", "properties": {"backends": [{"address": "east.example.com"}]}}]}});
    let first = e.create(&path, "2021-06-01", &body).await;
    body["properties"]["enabledState"] = json!("Disabled");
    let second = e.create(&path, "2021-06-01", &body).await;
    assert!(first["properties"]["frontdoorId"].is_string());
    assert_eq!(
        first["properties"]["frontdoorId"],
        second["properties"]["frontdoorId"]
    );
    assert_eq!(first["properties"]["resourceState"], json!("Enabled"));
    assert_eq!(second["properties"]["resourceState"], json!("Disabled"));
    assert_eq!(
        second["properties"]["backendPools"][0]["id"],
        json!(format!("{path}/backendPools/pool"))
    );
    e.stop().await;
}

/// What the models held above refuse, as Azure does: a private A record
/// set without a valid IPv4 address, an Azure endpoint naming a resource
/// that does not exist.
#[tokio::test]
async fn the_held_models_refuse_what_azure_refuses() {
    let (e, rg) = start_with_group("spec-refusals").await;
    let zone = format!("{rg}/providers/Microsoft.Network/privateDnsZones/refuse.example");
    e.create(&zone, "2024-06-01", &json!({"location": "global"}))
        .await;
    for records in [json!([]), json!([{"ipv4Address": "1.2.3"}])] {
        let body = json!({"properties": {"ttl": 60, "aRecords": records}});
        let (status, answer) = e
            .call("PUT", &format!("{zone}/A/www"), "2024-06-01", Some(&body))
            .await;
        assert_eq!(status, 400, "{records}: {answer}");
    }
    let tm = format!("{rg}/providers/Microsoft.Network/trafficManagerProfiles/refuse-tm");
    e.create(&tm, "2022-04-01", &json!({"location": "global", "properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"relativeName": "refuse-tm"}}})).await;
    let missing = format!("{rg}/providers/Microsoft.Network/publicIPAddresses/absent");
    let (status, answer) = e
        .call(
            "PUT",
            &format!("{tm}/azureEndpoints/gone"),
            "2022-04-01",
            Some(&json!({"properties": {"targetResourceId": missing}})),
        )
        .await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["error"]["target"],
        json!("properties.targetResourceId")
    );
    e.stop().await;
}
