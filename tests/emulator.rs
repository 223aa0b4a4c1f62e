//! Protocol tests: a plain HTTPS client against the emulator, checking
//! ARM's status codes, headers, bodies, LRO progressions, paging,
//! throttling, faults, persistence, and the rules of each resource type.

use std::net::SocketAddr;
use std::time::Duration;

use drinfra::emulator::{self, Options, Settings};
use serde_json::{Value as J, json};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

struct Emu {
    running: Option<emulator::Running>,
    client: reqwest::Client,
    token: String,
    base: String,
    _dir: Option<tempfile::TempDir>,
    dir: std::path::PathBuf,
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: J,
}

impl Resp {
    fn header(&self, k: &str) -> Option<String> {
        self.headers
            .get(k)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }
    fn code(&self) -> String {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

async fn start_in(dir: std::path::PathBuf, keep: Option<tempfile::TempDir>, scale: f64) -> Emu {
    let opts = Options {
        data_dir: dir.clone(),
        tls: true,
        settings: Settings {
            time_scale: scale,
            ..Settings::default()
        },
    };
    let running = emulator::start(opts, "127.0.0.1:0".parse::<SocketAddr>().unwrap())
        .await
        .unwrap();
    let client = emulator::client(running.ca_pem.as_deref()).unwrap();
    let c = running.credentials.clone();
    let token: J = client
        .post(format!("{}/{}/oauth2/v2.0/token", running.url, c.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &c.client_id),
            ("client_secret", &c.client_secret),
            ("scope", "https://management.azure.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let base = running.url.clone();
    Emu {
        running: Some(running),
        client,
        token: token["access_token"].as_str().unwrap().to_string(),
        base,
        _dir: keep,
        dir,
    }
}

async fn start(scale: f64) -> Emu {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    start_in(path, Some(dir), scale).await
}

fn rg(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

impl Emu {
    async fn call(
        &self,
        method: &str,
        path: &str,
        api: &str,
        body: Option<J>,
        headers: &[(&str, &str)],
    ) -> Resp {
        let url = if path.starts_with("http") {
            path.to_string()
        } else if api.is_empty() {
            format!("{}{path}", self.base)
        } else {
            format!(
                "{}{path}{}api-version={api}",
                self.base,
                if path.contains('?') { "&" } else { "?" }
            )
        };
        let mut req = self
            .client
            .request(method.parse().unwrap(), url)
            .bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        let text = r.text().await.unwrap();
        Resp {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(J::Null),
        }
    }
    async fn get(&self, path: &str, api: &str) -> Resp {
        self.call("GET", path, api, None, &[]).await
    }
    async fn put(&self, path: &str, api: &str, body: J) -> Resp {
        self.call("PUT", path, api, Some(body), &[]).await
    }
    async fn admin(&self, method: &str, path: &str, body: Option<J>) -> J {
        let mut req = self.client.request(
            method.parse().unwrap(),
            format!("{}/admin/{path}", self.base),
        );
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        r.json().await.unwrap_or(J::Null)
    }
    async fn fast(&self) {
        self.admin("PATCH", "settings", Some(json!({"time_scale": 1.0e7})))
            .await;
    }
    async fn slow(&self) {
        self.admin("PATCH", "settings", Some(json!({"time_scale": 1.0})))
            .await;
    }
    async fn group(&self, name: &str, location: &str) {
        let r = self
            .put(&rg(name), "2024-11-01", json!({"location": location}))
            .await;
        assert!(
            r.status == 201 || r.status == 200,
            "{} {}",
            r.status,
            r.body
        );
    }
    /// PUT and wait until the resource has settled.
    async fn create(&self, path: &str, api: &str, body: J) -> J {
        let r = self.put(path, api, body).await;
        assert!(r.status < 300, "PUT {path}: {} {}", r.status, r.body);
        self.settle(path, api).await
    }
    async fn settle(&self, path: &str, api: &str) -> J {
        for _ in 0..200 {
            let g = self.get(path, api).await;
            let state = g.body["properties"]["provisioningState"]
                .as_str()
                .unwrap_or("Succeeded");
            if g.status == 200 && (state == "Succeeded" || state == "Failed") {
                return g.body;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{path} did not settle");
    }
    async fn stop(mut self) -> (std::path::PathBuf, Option<tempfile::TempDir>) {
        if let Some(r) = self.running.take() {
            r.stop().await;
        }
        (self.dir.clone(), self._dir.take())
    }
}

#[tokio::test]
async fn tokens_and_api_version_are_required() {
    let e = start(1.0e7).await;
    let r = e
        .client
        .get(format!("{}{}?api-version=2024-11-01", e.base, rg("x")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let body: J = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "AuthenticationFailed");
    let r = e
        .client
        .get(format!("{}{}?api-version=2024-11-01", e.base, rg("x")))
        .bearer_auth("forged")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let r = e.get(&rg("x"), "").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "MissingApiVersionParameter")
    );
    let r = e.get(&rg("x"), "1999-01-01").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "NoRegisteredProviderFound")
    );
    // A wrong secret gets no token.
    let c = e.running.as_ref().unwrap().credentials.clone();
    let r = e
        .client
        .post(format!("{}/{}/oauth2/v2.0/token", e.base, c.tenant_id))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", c.client_id.as_str()),
            ("client_secret", "wrong"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 401);
    let meta: J = e
        .client
        .get(format!(
            "{}/metadata/endpoints?api-version=2022-09-01",
            e.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        meta["resourceManager"]
            .as_str()
            .unwrap()
            .starts_with("https://localhost:")
    );
}

#[tokio::test]
async fn resource_groups_behave_like_arm() {
    let e = start(1.0e7).await;
    let r = e
        .put(
            &rg("Prod-RG"),
            "2024-11-01",
            json!({"location": "East US", "tags": {"a": "1"}}),
        )
        .await;
    assert_eq!(r.status, 201);
    assert_eq!(r.body["location"], "eastus");
    assert_eq!(r.body["properties"]["provisioningState"], "Succeeded");
    assert_eq!(
        e.put(&rg("Prod-RG"), "2024-11-01", json!({"location": "eastus"}))
            .await
            .status,
        200
    );
    // Case-insensitive lookup, original casing returned.
    let g = e
        .get(
            &rg("prod-rg").replace("resourceGroups", "RESOURCEGROUPS"),
            "2024-11-01",
        )
        .await;
    assert_eq!(g.status, 200);
    assert_eq!(g.body["name"], "Prod-RG");
    assert_eq!(g.body["id"], rg("Prod-RG"));
    // Location never changes.
    let r = e
        .put(&rg("prod-rg"), "2024-11-01", json!({"location": "westus"}))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "InvalidResourceGroupLocation")
    );
    // Name rules.
    let r = e
        .put(&rg("bad."), "2024-11-01", json!({"location": "eastus"}))
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidResourceGroupName")
    );
    // Missing things.
    let r = e.get(&rg("nope"), "2024-11-01").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ResourceGroupNotFound")
    );
    let r = e
        .put(
            &format!("{}/providers/Microsoft.Network/dnszones/a.com", rg("nope")),
            "2018-05-01",
            json!({"location": "global"}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ResourceGroupNotFound")
    );
    let r = e
        .put(
            &format!(
                "{}/providers/Microsoft.Network/dnszones/none.com/A/www",
                rg("Prod-RG")
            ),
            "2018-05-01",
            json!({"properties": {"TTL": 60, "ARecords": [{"ipv4Address": "10.0.0.1"}]}}),
        )
        .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (404, "ParentResourceNotFound")
    );
    // Delete: 202 + Location, then gone; deleting again is 204.
    e.slow().await;
    let d = e
        .call("DELETE", &rg("Prod-RG"), "2024-11-01", None, &[])
        .await;
    assert_eq!(d.status, 202);
    let loc = d.header("location").unwrap();
    assert!(d.header("retry-after").is_some());
    assert_eq!(
        e.call("GET", &loc, "", None, &[]).await.status,
        202,
        "still running in real time"
    );
    e.fast().await;
    assert_eq!(e.call("GET", &loc, "", None, &[]).await.status, 204);
    assert_eq!(e.get(&rg("Prod-RG"), "2024-11-01").await.status, 404);
    assert_eq!(
        e.call("DELETE", &rg("Prod-RG"), "2024-11-01", None, &[])
            .await
            .status,
        204
    );
}

#[tokio::test]
async fn lists_page_with_next_links_including_empty_pages() {
    let e = start(1.0e7).await;
    e.group("rg", "eastus").await;
    for i in 0..5 {
        let r = e
            .put(
                &format!(
                    "{}/providers/Microsoft.Network/dnszones/z{i}.example.com",
                    rg("rg")
                ),
                "2018-05-01",
                json!({"location": "global"}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    e.admin(
        "PATCH",
        "settings",
        Some(json!({"page_size": 2, "empty_pages": true})),
    )
    .await;
    let mut url = format!("{}/providers/Microsoft.Network/dnszones", rg("rg"));
    let mut api = "2018-05-01";
    let mut pages = Vec::new();
    loop {
        let r = e.get(&url, api).await;
        assert_eq!(r.status, 200, "{}", r.body);
        pages.push(r.body["value"].as_array().unwrap().len());
        match r.body["nextLink"].as_str() {
            Some(next) => {
                url = next.to_string();
                api = "";
            }
            None => break,
        }
    }
    assert_eq!(pages, [0, 2, 2, 1]);
    // An empty collection under an existing parent is an empty list.
    e.admin("PATCH", "settings", Some(json!({"empty_pages": false})))
        .await;
    let r = e
        .get(
            &format!("{}/providers/Microsoft.Cache/redis", rg("rg")),
            "2024-11-01",
        )
        .await;
    assert_eq!(
        (r.status, r.body["value"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let r = e
        .get(
            &format!("/subscriptions/{SUB}/resourcegroups"),
            "2024-11-01",
        )
        .await;
    assert_eq!(r.body["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn patch_merges_properties_and_replaces_tags() {
    let e = start(1.0e7).await;
    e.group("rg", "eastus").await;
    let id = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/acct1",
        rg("rg")
    );
    e.create(&id, "2025-01-01", json!({"location": "eastus", "sku": {"name": "Standard_GRS"}, "tags": {"a": "1", "b": "2"}, "properties": {"accessTier": "Hot", "allowBlobPublicAccess": false}})).await;
    let r = e
        .call(
            "PATCH",
            &id,
            "2025-01-01",
            Some(json!({"tags": {"c": "3"}, "properties": {"accessTier": "Cool"}})),
            &[],
        )
        .await;
    assert!(r.status < 300, "{}", r.body);
    let b = e.settle(&id, "2025-01-01").await;
    assert_eq!(b["tags"], json!({"c": "3"}));
    assert_eq!(b["properties"]["accessTier"], "Cool");
    assert_eq!(
        b["properties"]["allowBlobPublicAccess"], false,
        "unmentioned properties kept"
    );
    assert_eq!(b["properties"]["secondaryLocation"], "westus");
}

#[tokio::test]
async fn long_running_operations_in_all_three_styles() {
    let e = start(1.0).await;
    e.group("rg", "eastus").await;
    // 201 + non-terminal provisioningState (Redis).
    let cache = format!("{}/providers/Microsoft.Cache/redis/c1", rg("rg"));
    let r = e
        .put(
            &cache,
            "2024-11-01",
            json!({"location": "eastus", "properties": {"sku": {"name": "Premium", "family": "P", "capacity": 1}}}),
        )
        .await;
    assert_eq!(
        (r.status, r.body["properties"]["provisioningState"].as_str()),
        (201, Some("Creating"))
    );
    assert_eq!(
        e.get(&cache, "2024-11-01").await.body["properties"]["provisioningState"],
        "Creating"
    );
    // 202 + Location (storage account).
    let acct = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/acct2",
        rg("rg")
    );
    let r = e
        .put(
            &acct,
            "2025-01-01",
            json!({"location": "eastus", "sku": {"name": "Standard_LRS"}}),
        )
        .await;
    assert_eq!(r.status, 202);
    let loc = r.header("location").unwrap();
    assert!(r.header("azure-asyncoperation").is_none());
    assert_eq!(e.call("GET", &loc, "", None, &[]).await.status, 202);
    // 201 + Azure-AsyncOperation (PostgreSQL); PATCH: 202 + both headers.
    let pg = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1",
        rg("rg")
    );
    let r = e.put(&pg, "2025-08-01", json!({"location": "eastus", "sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}, "properties": {"administratorLogin": "admin", "administratorLoginPassword": "S3cret!"}})).await;
    assert_eq!(r.status, 201);
    let status_url = r.header("azure-asyncoperation").unwrap();
    let s = e.call("GET", &status_url, "", None, &[]).await;
    assert_eq!(s.body["status"], "InProgress");
    assert!(s.header("retry-after").is_some());
    // Another write while one runs is a conflict.
    let c = e.put(&pg, "2025-08-01", json!({"location": "eastus", "sku": {"name": "Standard_D2ds_v5", "tier": "GeneralPurpose"}, "properties": {"administratorLogin": "admin"}})).await;
    assert_eq!(
        (c.status, c.code().as_str()),
        (409, "AnotherOperationInProgress")
    );
    e.fast().await;
    assert_eq!(
        e.call("GET", &status_url, "", None, &[]).await.body["status"],
        "Succeeded"
    );
    let done = e.call("GET", &loc, "", None, &[]).await;
    assert_eq!(
        (
            done.status,
            done.body["properties"]["provisioningState"].as_str()
        ),
        (200, Some("Succeeded"))
    );
    assert_eq!(
        e.settle(&cache, "2024-11-01").await["properties"]["provisioningState"],
        "Succeeded"
    );
    let body = e.get(&pg, "2025-08-01").await.body;
    assert!(
        body["properties"]
            .get("administratorLoginPassword")
            .is_none(),
        "write-only secrets never come back"
    );
    let p = e
        .call(
            "PATCH",
            &pg,
            "2025-08-01",
            Some(json!({"properties": {"storage": {"storageSizeGB": 64}}})),
            &[],
        )
        .await;
    assert_eq!(p.status, 202);
    assert!(p.header("location").is_some() && p.header("azure-asyncoperation").is_some());
}

#[tokio::test]
async fn throttling_answers_429_with_retry_after_and_remaining_headers() {
    let e = start(1.0e7).await;
    e.admin("PATCH", "settings", Some(json!({"throttle": {"enabled": true, "read_burst": 3.0, "read_rate": 0.5, "write_burst": 200.0, "write_rate": 10.0, "delete_burst": 200.0, "delete_rate": 10.0}}))).await;
    let mut statuses = Vec::new();
    let mut remaining = Vec::new();
    for _ in 0..4 {
        let r = e.get(&rg("x"), "2024-11-01").await;
        statuses.push(r.status);
        remaining.push(
            r.header("x-ms-ratelimit-remaining-subscription-reads")
                .unwrap(),
        );
        if r.status == 429 {
            assert_eq!(r.code(), "TooManyRequests");
            assert!(r.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
        }
    }
    assert_eq!(statuses, [404, 404, 404, 429]);
    assert_eq!(remaining, ["2", "1", "0", "0"]);
    // Writes have their own bucket.
    assert_eq!(
        e.put(&rg("w"), "2024-11-01", json!({"location": "eastus"}))
            .await
            .status,
        201
    );
}

#[tokio::test]
async fn etags_guard_dns_record_sets() {
    let e = start(1.0e7).await;
    e.group("rg", "eastus").await;
    let zone = format!(
        "{}/providers/Microsoft.Network/dnszones/example.com",
        rg("rg")
    );
    e.create(&zone, "2018-05-01", json!({"location": "global"}))
        .await;
    let rec = format!("{zone}/A/api");
    let r = e
        .put(
            &rec,
            "2018-05-01",
            json!({"properties": {"TTL": 60, "ARecords": [{"ipv4Address": "10.0.0.1"}]}}),
        )
        .await;
    assert_eq!(r.status, 201);
    let etag = r.header("etag").unwrap();
    assert_eq!(r.body["etag"], etag.as_str());
    assert_eq!(r.body["properties"]["fqdn"], "api.example.com.");
    let stale = e
        .call(
            "PUT",
            &rec,
            "2018-05-01",
            Some(json!({"properties": {"TTL": 30, "ARecords": [{"ipv4Address": "10.0.0.2"}]}})),
            &[("if-match", "\"stale\"")],
        )
        .await;
    assert_eq!(
        (stale.status, stale.code().as_str()),
        (412, "PreconditionFailed")
    );
    let ok = e
        .call(
            "PUT",
            &rec,
            "2018-05-01",
            Some(json!({"properties": {"TTL": 30, "ARecords": [{"ipv4Address": "10.0.0.2"}]}})),
            &[("if-match", &etag)],
        )
        .await;
    assert_eq!(ok.status, 200);
    assert_ne!(ok.header("etag").unwrap(), etag);
    let again = e
        .call(
            "PUT",
            &rec,
            "2018-05-01",
            Some(json!({"properties": {"TTL": 30, "ARecords": [{"ipv4Address": "10.0.0.2"}]}})),
            &[("if-none-match", "*")],
        )
        .await;
    assert_eq!(again.status, 412);
    // A CNAME cannot share a name with an A record.
    let c = e
        .put(
            &format!("{zone}/CNAME/api"),
            "2018-05-01",
            json!({"properties": {"TTL": 60, "CNAMERecord": {"cname": "x.example.net"}}}),
        )
        .await;
    assert_eq!(c.status, 409);
}

#[tokio::test]
async fn resource_graph_answers_the_bulk_refresh_queries_with_paging() {
    let e = start(1.0e7).await;
    e.group("rg", "eastus").await;
    for i in 0..5 {
        e.put(
            &format!(
                "{}/providers/Microsoft.Network/dnszones/g{i}.example.com",
                rg("rg")
            ),
            "2018-05-01",
            json!({"location": "global", "tags": {"i": i.to_string()}}),
        )
        .await;
    }
    let q = json!({"subscriptions": [SUB], "query": "Resources | where type =~ 'Microsoft.Network/dnszones' and resourceGroup =~ 'RG' | project id, name, type, tags | order by name asc", "options": {"$top": 2}});
    let r = e
        .call(
            "POST",
            "/providers/Microsoft.ResourceGraph/resources",
            "2024-04-01",
            Some(q.clone()),
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        (r.body["totalRecords"].as_u64(), r.body["count"].as_u64()),
        (Some(5), Some(2))
    );
    assert_eq!(r.body["data"][0]["type"], "microsoft.network/dnszones");
    assert_eq!(r.body["data"][0]["name"], "g0.example.com");
    let token = r.body["$skipToken"].as_str().unwrap().to_string();
    let mut q2 = q.clone();
    q2["options"]["$skipToken"] = J::String(token);
    let r2 = e
        .call(
            "POST",
            "/providers/Microsoft.ResourceGraph/resources",
            "2024-04-01",
            Some(q2),
            &[],
        )
        .await;
    assert_eq!(r2.body["data"][0]["name"], "g2.example.com");
    let bad = e
        .call(
            "POST",
            "/providers/Microsoft.ResourceGraph/resources",
            "2024-04-01",
            Some(json!({"subscriptions": [SUB], "query": "Resources | summarize count()"})),
            &[],
        )
        .await;
    assert_eq!((bad.status, bad.code().as_str()), (400, "InvalidQuery"));
}

#[tokio::test]
async fn faults_region_down_transient_and_failed_operations() {
    let e = start(1.0e7).await;
    e.group("east", "eastus").await;
    e.group("west", "westeurope").await;
    let zone = format!(
        "{}/providers/Microsoft.Network/dnszones/f.example.com",
        rg("east")
    );
    e.create(&zone, "2018-05-01", json!({"location": "global"}))
        .await;
    e.admin(
        "POST",
        "faults/region-down",
        Some(json!({"region": "eastus"})),
    )
    .await;
    let r = e.get(&rg("east"), "2024-11-01").await;
    assert_eq!((r.status, r.code().as_str()), (503, "ServiceUnavailable"));
    assert_eq!(
        e.get(&rg("west"), "2024-11-01").await.status,
        200,
        "other regions work"
    );
    assert_eq!(
        e.get(&zone, "2018-05-01").await.status,
        200,
        "global resources work"
    );
    // Operations in a down region stall until it returns.
    e.admin(
        "POST",
        "faults/region-up",
        Some(json!({"region": "eastus"})),
    )
    .await;
    let acct = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stall1",
        rg("east")
    );
    e.slow().await;
    let r = e
        .put(
            &acct,
            "2025-01-01",
            json!({"location": "eastus", "sku": {"name": "Standard_GRS"}}),
        )
        .await;
    assert_eq!(r.status, 202);
    e.admin(
        "POST",
        "faults/region-down",
        Some(json!({"region": "eastus"})),
    )
    .await;
    e.fast().await;
    let loc = r.header("location").unwrap();
    assert_eq!(
        e.call("GET", &loc, "", None, &[]).await.status,
        202,
        "stalled while the region is down"
    );
    e.admin(
        "POST",
        "faults/region-up",
        Some(json!({"region": "eastus"})),
    )
    .await;
    assert_eq!(e.call("GET", &loc, "", None, &[]).await.status, 200);
    // Timeout mode.
    e.admin(
        "PATCH",
        "faults",
        Some(json!({"region_mode": "timeout", "region_timeout_secs": 0.2})),
    )
    .await;
    e.admin(
        "POST",
        "faults/region-down",
        Some(json!({"region": "westeurope"})),
    )
    .await;
    assert_eq!(e.get(&rg("west"), "2024-11-01").await.status, 504);
    e.admin("DELETE", "faults", None).await;
    // Transient errors at a seeded rate.
    e.admin(
        "PATCH",
        "faults",
        Some(json!({"transient_rate": 1.0, "transient_seed": 7})),
    )
    .await;
    let r = e.get(&rg("west"), "2024-11-01").await;
    assert!([429, 500, 503].contains(&r.status), "{}", r.status);
    e.admin("DELETE", "faults", None).await;
    // An operation that fails after it started.
    e.admin("PATCH", "faults", Some(json!({"fail_next": [{"matches": "redis", "code": "InternalServerError", "message": "node lost"}]}))).await;
    e.slow().await;
    let cache = format!("{}/providers/Microsoft.Cache/redis/failme", rg("west"));
    let r = e.put(&cache, "2024-11-01", json!({"location": "westeurope", "properties": {"sku": {"name": "Standard", "family": "C", "capacity": 1}}})).await;
    assert_eq!(r.status, 201);
    e.fast().await;
    assert_eq!(
        e.settle(&cache, "2024-11-01").await["properties"]["provisioningState"],
        "Failed"
    );
    let faults = e.admin("GET", "faults", None).await;
    assert_eq!(faults["fail_next"], json!([]), "the rule was used up");
}

#[tokio::test]
async fn data_survives_a_restart() {
    let e = start(1.0e7).await;
    e.group("keep", "eastus").await;
    let creds = e.running.as_ref().unwrap().credentials.clone();
    let ca = e.running.as_ref().unwrap().ca_pem.clone();
    let (dir, keep) = e.stop().await;
    let e2 = start_in(dir, keep, 1.0e7).await;
    assert_eq!(e2.running.as_ref().unwrap().credentials, creds);
    assert_eq!(e2.running.as_ref().unwrap().ca_pem, ca, "the CA is kept");
    let g = e2.get(&rg("keep"), "2024-11-01").await;
    assert_eq!(g.status, 200);
}

#[tokio::test]
async fn aks_pools_change_only_what_azure_allows() {
    let e = start(1.0e7).await;
    e.group("rg", "eastus").await;
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/aks1",
        rg("rg")
    );
    let r = e.put(&cluster, "2025-10-01", json!({"location": "eastus", "properties": {"dnsPrefix": "aks1", "agentPoolProfiles": [{"name": "app", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "User"}]}})).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "InvalidParameter"),
        "a System pool is required"
    );
    e.create(&cluster, "2025-10-01", json!({"location": "eastus", "properties": {"dnsPrefix": "aks1", "agentPoolProfiles": [{"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}]}})).await;
    let pools = e.get(&format!("{cluster}/agentPools"), "2025-10-01").await;
    assert_eq!(pools.body["value"][0]["name"], "system");
    let pool = format!("{cluster}/agentPools/app");
    e.create(&pool, "2025-10-01", json!({"properties": {"vmSize": "Standard_D4s_v5", "count": 5, "enableAutoScaling": true, "minCount": 5, "maxCount": 20, "mode": "User"}})).await;
    let r = e.put(&pool, "2025-10-01", json!({"properties": {"vmSize": "Standard_D8s_v5", "count": 5, "enableAutoScaling": true, "minCount": 5, "maxCount": 20}})).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (400, "PropertyChangeNotAllowed")
    );
    let r = e.put(&pool, "2025-10-01", json!({"properties": {"vmSize": "Standard_D4s_v5", "count": 25, "enableAutoScaling": true, "minCount": 5, "maxCount": 20}})).await;
    assert_eq!(r.status, 400, "count outside autoscale bounds");
    let scaled = e.create(&pool, "2025-10-01", json!({"properties": {"vmSize": "Standard_D4s_v5", "count": 20, "enableAutoScaling": true, "minCount": 5, "maxCount": 20}})).await;
    assert_eq!(scaled["properties"]["count"], 20);
    let d = e
        .call(
            "DELETE",
            &format!("{cluster}/agentPools/system"),
            "2025-10-01",
            None,
            &[],
        )
        .await;
    assert_eq!(
        (d.status, d.code().as_str()),
        (400, "OperationNotAllowed"),
        "last System pool"
    );
    let r = e.put(&cluster, "2025-10-01", json!({"location": "eastus", "properties": {"dnsPrefix": "aks1", "agentPoolProfiles": [{"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"}, {"name": "extra", "vmSize": "Standard_D4s_v5", "count": 1}]}})).await;
    assert_eq!(
        r.status, 400,
        "pools are not added through the cluster after creation"
    );
}

fn pg_body(location: &str) -> J {
    json!({"location": location, "sku": {"name": "Standard_D8ds_v5", "tier": "GeneralPurpose"}, "properties": {"administratorLogin": "admin", "administratorLoginPassword": "S3cret!", "version": "16", "storage": {"storageSizeGB": 1024}, "backup": {"backupRetentionDays": 30}, "highAvailability": {"mode": "ZoneRedundant"}}})
}

#[tokio::test]
async fn postgres_replicas_promotion_and_restore() {
    let e = start(1.0e7).await;
    e.admin(
        "PATCH",
        "settings",
        Some(json!({"replication_lag_secs": 30.0})),
    )
    .await;
    e.group("east", "eastus").await;
    e.group("west", "westeurope").await;
    let primary = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-prod",
        rg("east")
    );
    let replica = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-dr",
        rg("west")
    );
    let api = "2025-08-01";
    e.create(&primary, api, pg_body("eastus")).await;
    // Storage only grows; Burstable has no HA.
    let mut shrink = pg_body("eastus");
    shrink["properties"]["storage"]["storageSizeGB"] = json!(512);
    assert_eq!(
        e.put(&primary, api, shrink).await.code(),
        "InvalidStorageSizeDecrease"
    );
    let mut burst = pg_body("eastus");
    burst["sku"] = json!({"name": "Standard_B1ms", "tier": "Burstable"});
    assert_eq!(
        e.put(
            &format!(
                "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-b",
                rg("east")
            ),
            api,
            burst
        )
        .await
        .code(),
        "HANotSupportedForBurstableSkus"
    );
    // Replica rules.
    let bad = e.put(&replica, api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": format!("{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/missing", rg("east"))}})).await;
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (400, "SourceServerNotFound")
    );
    let rep = e.create(&replica, api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": primary}})).await;
    assert_eq!(rep["properties"]["replicationRole"], "GeoAsyncReplica");
    assert_eq!(
        e.get(&primary, api).await.body["properties"]["replicationRole"],
        "Primary"
    );
    // Azure Monitor's Read Replica Lag: the replica's lag, nothing for a primary.
    let metric = |id: &str| {
        format!(
            "{id}/providers/Microsoft.Insights/metrics?metricnames=physical_replication_delay_in_seconds"
        )
    };
    let lag = e.get(&metric(&replica), "2023-10-01").await;
    assert_eq!(
        lag.body["value"][0]["timeseries"][0]["data"][0]["maximum"], 30.0,
        "{}",
        lag.body
    );
    assert_eq!(
        e.get(&metric(&primary), "2023-10-01").await.body["value"][0]["timeseries"][0]["data"],
        json!([])
    );
    assert_eq!(
        e.get(
            &format!("{primary}/providers/Microsoft.Insights/metrics?metricnames=cpu_percent"),
            "2023-10-01"
        )
        .await
        .status,
        400
    );
    let chained = e.put(&format!("{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-chain", rg("west")), api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": replica}})).await;
    assert_eq!(chained.code(), "ReplicaOfReplicaNotSupported");
    // Data: writes reach the replica after the lag; the replica is read-only.
    e.slow().await;
    e.admin(
        "POST",
        "dataplane/write",
        Some(json!({"resource": primary, "value": "order-1"})),
    )
    .await;
    let seen = e
        .admin("GET", &format!("dataplane?resource={replica}"), None)
        .await;
    assert_eq!(seen["values"], json!([]), "not replicated yet");
    let ro = e
        .admin(
            "POST",
            "dataplane/write",
            Some(json!({"resource": replica, "value": "x"})),
        )
        .await;
    assert_eq!(ro["error"]["code"], "ReadOnlyReplica");
    // Forced promotion now loses the unreplicated write.
    let p = e.call("PATCH", &replica, api, Some(json!({"properties": {"replica": {"promoteMode": "Standalone", "promoteOption": "Forced"}}})), &[]).await;
    assert_eq!(p.status, 202, "{}", p.body);
    let status_url = p.header("azure-asyncoperation").unwrap();
    e.fast().await;
    let done = e.call("GET", &status_url, "", None, &[]).await;
    assert_eq!(done.body["status"], "Succeeded");
    assert_eq!(done.body["properties"]["lostWrites"], 1);
    let promoted = e.get(&replica, api).await.body;
    assert_eq!(promoted["properties"]["replicationRole"], "None");
    assert!(
        promoted["properties"]
            .get("sourceServerResourceId")
            .is_none()
    );
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={replica}"), None)
            .await["values"],
        json!([])
    );
    // Point-in-time restore: a time in the future is refused.
    let restore = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-restored",
        rg("east")
    );
    let future = e.put(&restore, api, json!({"location": "eastus", "properties": {"createMode": "PointInTimeRestore", "sourceServerResourceId": primary, "pointInTimeUTC": "2999-01-01T00:00:00Z"}})).await;
    assert_eq!(future.code(), "InvalidRestorePointInTime");
    let now = e.admin("GET", "time", None).await["iso"]
        .as_str()
        .unwrap()
        .to_string();
    let restored = e.create(&restore, api, json!({"location": "eastus", "properties": {"createMode": "PointInTimeRestore", "sourceServerResourceId": primary, "pointInTimeUTC": now}})).await;
    assert_eq!(restored["properties"]["replicationRole"], "None");
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={restore}"), None)
            .await["values"],
        json!(["order-1"])
    );
}

#[tokio::test]
async fn postgres_planned_promotion_keeps_every_write_and_older_api_promotes_too() {
    let e = start(1.0e7).await;
    e.group("east", "eastus").await;
    e.group("west", "westeurope").await;
    let api = "2025-08-01";
    let primary = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-a",
        rg("east")
    );
    let replica = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-b",
        rg("west")
    );
    e.create(&primary, api, pg_body("eastus")).await;
    e.create(&replica, api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": primary}})).await;
    e.slow().await;
    e.admin(
        "POST",
        "dataplane/write",
        Some(json!({"resource": primary, "value": "w1"})),
    )
    .await;
    // Planned promotion needs the source: refused while its region is down.
    e.admin(
        "POST",
        "faults/region-down",
        Some(json!({"region": "eastus"})),
    )
    .await;
    let r = e.call("PATCH", &replica, api, Some(json!({"properties": {"replica": {"promoteMode": "Standalone", "promoteOption": "Planned"}}})), &[]).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (409, "SourceServerUnavailable")
    );
    e.admin(
        "POST",
        "faults/region-up",
        Some(json!({"region": "eastus"})),
    )
    .await;
    let r = e.call("PATCH", &replica, api, Some(json!({"properties": {"replica": {"promoteMode": "Standalone", "promoteOption": "Planned"}}})), &[]).await;
    assert_eq!(r.status, 202);
    e.fast().await;
    e.settle(&replica, api).await;
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={replica}"), None)
            .await["values"],
        json!(["w1"])
    );
    // The older api-version's `replicationRole: None`.
    let old_api = "2022-12-01";
    let r2 = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-c",
        rg("west")
    );
    e.create(&r2, old_api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": primary}})).await;
    let r = e
        .call(
            "PATCH",
            &r2,
            old_api,
            Some(json!({"properties": {"replicationRole": "None"}})),
            &[],
        )
        .await;
    assert_eq!(r.status, 202);
    assert_eq!(
        e.settle(&r2, old_api).await["properties"]["replicationRole"],
        "None"
    );
}

fn redis_body(location: &str, sku: &str, family: &str, capacity: u32, config: J) -> J {
    json!({"location": location, "properties": {"sku": {"name": sku, "family": family, "capacity": capacity}, "redisConfiguration": config}})
}

#[tokio::test]
async fn redis_geo_replication_rules() {
    let e = start(1.0e7).await;
    e.group("east", "eastus").await;
    e.group("west", "westeurope").await;
    let api = "2024-11-01";
    let p = format!("{}/providers/Microsoft.Cache/redis/cache-east", rg("east"));
    let s = format!("{}/providers/Microsoft.Cache/redis/cache-west", rg("west"));
    let basic = format!("{}/providers/Microsoft.Cache/redis/cache-basic", rg("west"));
    // Persistence needs Premium.
    let r = e
        .put(
            &basic,
            api,
            redis_body(
                "westeurope",
                "Standard",
                "C",
                1,
                json!({"rdb-backup-enabled": "true"}),
            ),
        )
        .await;
    assert_eq!(r.code(), "PersistenceRequiresPremium");
    e.create(&p, api, redis_body("eastus", "Premium", "P", 3, json!({"aof-backup-enabled": "true", "aof-storage-connection-string-0": "DefaultEndpointsProtocol=https;AccountKey=secret"}))).await;
    let shown = e.get(&p, api).await.body;
    assert!(
        shown["properties"]["redisConfiguration"]
            .get("aof-storage-connection-string-0")
            .is_none(),
        "write-only"
    );
    e.create(
        &s,
        api,
        redis_body("westeurope", "Premium", "P", 3, json!({})),
    )
    .await;
    e.create(
        &basic,
        api,
        redis_body("westeurope", "Standard", "C", 1, json!({})),
    )
    .await;
    let link = format!("{p}/linkedServers/cache-west");
    let body = json!({"properties": {"linkedRedisCacheId": s, "linkedRedisCacheLocation": "westeurope", "serverRole": "Secondary"}});
    // The DR plan's AOF + geo-replication: refused.
    assert_eq!(
        e.put(&link, api, body.clone()).await.code(),
        "GeoReplicationPersistenceNotSupported"
    );
    let b = e
        .put(
            &format!("{p}/linkedServers/cache-basic"),
            api,
            json!({"properties": {"linkedRedisCacheId": basic, "serverRole": "Secondary"}}),
        )
        .await;
    assert_eq!(b.code(), "GeoReplicationRequiresPremium");
    e.create(&p, api, redis_body("eastus", "Premium", "P", 3, json!({})))
        .await;
    assert_eq!(
        e.put(
            &format!("{p}/linkedServers/cache-basic"),
            api,
            json!({"properties": {"linkedRedisCacheId": basic, "serverRole": "Secondary"}})
        )
        .await
        .code(),
        "GeoReplicationRequiresPremium"
    );
    e.create(&link, api, body).await;
    assert_eq!(
        e.get(&s, api).await.body["properties"]["linkedServers"][0]["role"],
        "Secondary"
    );
    // Linked caches can be neither scaled nor deleted.
    let scale = e
        .put(&p, api, redis_body("eastus", "Premium", "P", 4, json!({})))
        .await;
    assert_eq!((scale.status, scale.code().as_str()), (409, "Conflict"));
    let del = e.call("DELETE", &s, api, None, &[]).await;
    assert_eq!((del.status, del.code().as_str()), (409, "Conflict"));
    let rgdel = e.call("DELETE", &rg("west"), "2024-11-01", None, &[]).await;
    assert_eq!(
        rgdel.status, 409,
        "a group with a linked cache cannot be deleted"
    );
    // Unlinking leaves the secondary writable with what had replicated.
    e.admin(
        "PATCH",
        "settings",
        Some(json!({"replication_lag_secs": 0.0})),
    )
    .await;
    e.admin(
        "POST",
        "dataplane/write",
        Some(json!({"resource": p, "value": "session-1"})),
    )
    .await;
    let unlink = e.call("DELETE", &link, api, None, &[]).await;
    assert_eq!(unlink.status, 202);
    for _ in 0..100 {
        if e.get(&link, api).await.status == 404 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(e.get(&link, api).await.status, 404);
    let w = e
        .admin(
            "POST",
            "dataplane/write",
            Some(json!({"resource": s, "value": "after-failover"})),
        )
        .await;
    assert!(w.get("seq").is_some(), "{w}");
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={s}"), None)
            .await["values"],
        json!(["session-1", "after-failover"])
    );
    assert_eq!(e.call("DELETE", &s, api, None, &[]).await.status, 202);
}

#[tokio::test]
async fn front_door_traffic_manager_and_storage_failover() {
    let e = start(1.0e7).await;
    e.group("edge", "eastus").await;
    let api = "2025-06-01";
    let profile = format!("{}/providers/Microsoft.Cdn/profiles/fd", rg("edge"));
    assert_eq!(
        e.put(
            &profile,
            api,
            json!({"sku": {"name": "Classic_AzureFrontDoor"}})
        )
        .await
        .code(),
        "InvalidSku"
    );
    let created = e
        .create(
            &profile,
            api,
            json!({"sku": {"name": "Premium_AzureFrontDoor"}}),
        )
        .await;
    assert_eq!(created["location"], "global");
    e.create(&format!("{profile}/afdEndpoints/api"), api, json!({}))
        .await;
    let og = format!("{profile}/originGroups/app");
    e.create(&og, api, json!({"properties": {"healthProbeSettings": {"probePath": "/health", "probeIntervalInSeconds": 30, "probeProtocol": "Https", "probeRequestType": "GET"}}})).await;
    let bad = e
        .put(
            &format!("{og}/origins/east"),
            api,
            json!({"properties": {"hostName": "east.example.com", "priority": 9}}),
        )
        .await;
    assert_eq!(bad.status, 400);
    e.create(
        &format!("{og}/origins/east"),
        api,
        json!({"properties": {"hostName": "east.example.com", "priority": 1, "weight": 100}}),
    )
    .await;
    e.create(
        &format!("{og}/origins/west"),
        api,
        json!({"properties": {"hostName": "west.example.com", "priority": 2, "weight": 1}}),
    )
    .await;
    let route = e.put(&format!("{profile}/afdEndpoints/api/routes/default"), api, json!({"properties": {"originGroup": {"id": format!("{profile}/originGroups/missing")}}})).await;
    assert_eq!(route.status, 400);
    e.create(
        &format!("{profile}/afdEndpoints/api/routes/default"),
        api,
        json!({"properties": {"originGroup": {"id": og}}}),
    )
    .await;
    // The DR flip: origin priorities swapped.
    let flipped = e
        .create(
            &format!("{og}/origins/west"),
            api,
            json!({"properties": {"hostName": "west.example.com", "priority": 1, "weight": 100}}),
        )
        .await;
    assert_eq!(flipped["properties"]["priority"], 1);
    // Classic Front Door: no new profiles unless serving an existing estate.
    let classic = format!(
        "{}/providers/Microsoft.Network/frontDoors/legacy-fd",
        rg("edge")
    );
    let body = json!({"properties": {"backendPools": [{"name": "pool", "properties": {"backends": [{"address": "east.example.com", "priority": 1, "weight": 50}]}}]}});
    assert_eq!(
        e.put(&classic, "2021-06-01", body.clone()).await.status,
        400
    );
    e.admin(
        "PATCH",
        "settings",
        Some(json!({"allow_classic_frontdoor_create": true})),
    )
    .await;
    e.create(&classic, "2021-06-01", body).await;
    // Traffic Manager: unique priorities.
    let tm = format!(
        "{}/providers/Microsoft.Network/trafficmanagerprofiles/tm",
        rg("edge")
    );
    e.create(&tm, "2022-04-01", json!({"properties": {"trafficRoutingMethod": "Priority", "dnsConfig": {"relativeName": "ai-api", "ttl": 60}, "monitorConfig": {"protocol": "HTTPS", "port": 443, "path": "/health", "intervalInSeconds": 30}}})).await;
    e.create(
        &format!("{tm}/externalEndpoints/east"),
        "2022-04-01",
        json!({"properties": {"target": "east.example.com", "priority": 1}}),
    )
    .await;
    let dup = e
        .put(
            &format!("{tm}/externalEndpoints/west"),
            "2022-04-01",
            json!({"properties": {"target": "west.example.com", "priority": 1}}),
        )
        .await;
    assert_eq!(dup.status, 400);
    let shown = e.get(&tm, "2022-04-01").await.body;
    assert_eq!(
        shown["properties"]["dnsConfig"]["fqdn"],
        "ai-api.trafficmanager.net"
    );
    assert_eq!(
        shown["properties"]["endpoints"].as_array().unwrap().len(),
        1
    );
    // Storage failover: LRS cannot; unplanned swaps regions and leaves LRS.
    let lrs = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/lrsacct",
        rg("edge")
    );
    e.create(
        &lrs,
        "2025-01-01",
        json!({"location": "eastus", "sku": {"name": "Standard_LRS"}}),
    )
    .await;
    let f = e
        .call("POST", &format!("{lrs}/failover"), "2025-01-01", None, &[])
        .await;
    assert_eq!((f.status, f.code().as_str()), (400, "FailoverNotSupported"));
    let grs = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/grsacct",
        rg("edge")
    );
    e.create(
        &grs,
        "2025-01-01",
        json!({"location": "eastus", "sku": {"name": "Standard_RAGRS"}}),
    )
    .await;
    let f = e
        .call("POST", &format!("{grs}/failover"), "2025-01-01", None, &[])
        .await;
    assert_eq!(f.status, 202);
    let loc = f.header("location").unwrap();
    for _ in 0..50 {
        if e.call("GET", &loc, "", None, &[]).await.status != 202 {
            break;
        }
    }
    let after = e.get(&grs, "2025-01-01").await.body;
    assert_eq!(after["properties"]["primaryLocation"], "westus");
    assert_eq!(after["sku"]["name"], "Standard_LRS");
    assert!(after["properties"].get("secondaryLocation").is_none());
    // Planned failover keeps geo-replication.
    let planned = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/plannedacct",
        rg("edge")
    );
    e.create(
        &planned,
        "2025-01-01",
        json!({"location": "eastus", "sku": {"name": "Standard_GRS"}}),
    )
    .await;
    let f = e
        .call(
            "POST",
            &format!("{planned}/failover?failoverType=Planned"),
            "2025-01-01",
            None,
            &[],
        )
        .await;
    assert_eq!(f.status, 202);
    let loc = f.header("location").unwrap();
    while e.call("GET", &loc, "", None, &[]).await.status == 202 {}
    let after = e.get(&planned, "2025-01-01").await.body;
    assert_eq!(
        (
            after["properties"]["primaryLocation"].as_str(),
            after["properties"]["secondaryLocation"].as_str(),
            after["sku"]["name"].as_str()
        ),
        (Some("westus"), Some("eastus"), Some("Standard_GRS"))
    );
}

#[tokio::test]
async fn requests_are_logged_in_order_for_drills() {
    let e = start(1.0e7).await;
    e.group("a", "eastus").await;
    e.get(&rg("a"), "2024-11-01").await;
    let log = e.admin("GET", "requests", None).await;
    let entries: Vec<(String, u64)> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["method"].as_str().unwrap().to_string(),
                l["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [("PUT".to_string(), 201), ("GET".to_string(), 200)]
    );
}

/// Regression: tests read the log and then cleared it in two calls, and a
/// request logged in between was lost (flaky "never promoted" / "never
/// PUT" failures). DELETE drains and returns the entries in one step.
#[tokio::test]
async fn draining_the_request_log_returns_what_it_held() {
    let e = start(1.0e7).await;
    e.group("a", "eastus").await;
    let drained = e.admin("DELETE", "requests", None).await;
    assert_eq!(drained.as_array().map(Vec::len), Some(1), "{drained}");
    assert_eq!(drained[0]["method"], "PUT");
    let after = e.admin("GET", "requests", None).await;
    assert_eq!(after.as_array().map(Vec::len), Some(0), "{after}");
}

#[test]
fn the_reference_page_lists_every_type_and_api_version() {
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/emulator.md"),
    )
    .unwrap();
    for (ty, versions) in drinfra::emulator::supported_types() {
        let short = ty.rsplit('/').next().unwrap();
        assert!(
            doc.contains(&ty) || doc.contains(short),
            "{ty} missing from docs/emulator.md"
        );
        for v in versions {
            assert!(
                doc.contains(&v),
                "{ty} api-version {v} missing from docs/emulator.md"
            );
        }
    }
}

#[test]
fn serve_and_fault_commands_work_from_the_command_line() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .args(["emulator", "serve", "--addr", &addr, "--data"])
        .arg(dir.path())
        .args(["--time-scale", "600"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 512];
    let n = std::io::Read::read(&mut out, &mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).contains(&format!("https://localhost:{port}")));
    assert!(dir.path().join("ca.pem").exists() && dir.path().join("credentials.json").exists());
    let fault = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .args(["emulator", "fault"])
            .args(args)
            .args(["--url", &format!("https://localhost:{port}"), "--data"])
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice::<J>(&o.stdout).unwrap()
    };
    assert_eq!(
        fault(&["region-down", "eastus"])["regions_down"],
        json!(["eastus"])
    );
    assert_eq!(
        fault(&["transient", "--rate", "0.5", "--seed", "3"])["transient_rate"],
        0.5
    );
    assert_eq!(
        fault(&["fail-next", "--matches", "redis"])["fail_next"][0]["matches"],
        "redis"
    );
    assert_eq!(fault(&["region-up", "eastus"])["regions_down"], json!([]));
    assert_eq!(fault(&["clear"])["transient_rate"], 0.0);
    child.kill().unwrap();
    child.wait().unwrap();
    // Only loopback addresses.
    let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .args(["emulator", "serve", "--addr", "0.0.0.0:0", "--data"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
}

#[tokio::test]
async fn storage_blob_service_keeps_soft_delete_and_versioning_within_azures_limits() {
    let e = start(1.0e7).await;
    e.group("st", "westeurope").await;
    let account = format!(
        "{}/providers/Microsoft.Storage/storageAccounts/stblob",
        rg("st")
    );
    let api = "2025-01-01";
    e.create(
        &account,
        api,
        json!({"location": "westeurope", "sku": {"name": "Standard_GRS"}, "kind": "StorageV2"}),
    )
    .await;
    let blob = format!("{account}/blobServices/default");
    let ok = e.put(&blob, api, json!({"properties": {"isVersioningEnabled": true, "deleteRetentionPolicy": {"enabled": true, "days": 14}}})).await;
    assert!(ok.status < 300, "{} {}", ok.status, ok.body);
    let got = e.get(&blob, api).await.body;
    assert_eq!(
        (
            got["properties"]["isVersioningEnabled"].as_bool(),
            got["properties"]["deleteRetentionPolicy"]["days"].as_f64()
        ),
        (Some(true), Some(14.0))
    );
    assert_eq!(
        got["properties"]["containerDeleteRetentionPolicy"]["enabled"], false,
        "defaults fill what was not set"
    );
    for (bad, why) in [
        (
            json!({"properties": {"deleteRetentionPolicy": {"enabled": true, "days": 400}}}),
            "days over 365",
        ),
        (
            json!({"properties": {"deleteRetentionPolicy": {"enabled": true}}}),
            "enabled without days",
        ),
        (
            json!({"properties": {"containerDeleteRetentionPolicy": "x"}}),
            "not an object",
        ),
    ] {
        assert_eq!(
            e.put(&blob, api, bad).await.code(),
            "InvalidRequestPropertyValue",
            "{why}"
        );
    }
    assert_eq!(
        e.put(
            &format!("{account}/blobServices/other"),
            api,
            json!({"properties": {}})
        )
        .await
        .status,
        400,
        "the service is always 'default'"
    );
    assert_eq!(
        e.put(
            &format!(
                "{}/providers/Microsoft.Storage/storageAccounts/nope/blobServices/default",
                rg("st")
            ),
            api,
            json!({"properties": {}})
        )
        .await
        .code(),
        "ParentResourceNotFound"
    );
}

/// A plain-HTTP emulator for tests that speak raw HTTP/1.1 on a socket.
async fn start_plain() -> (emulator::Running, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let opts = Options {
        data_dir: dir.path().to_path_buf(),
        tls: false,
        settings: Settings {
            time_scale: 1.0e7,
            ..Settings::default()
        },
    };
    (
        emulator::start(opts, "127.0.0.1:0".parse::<SocketAddr>().unwrap())
            .await
            .unwrap(),
        dir,
    )
}

/// Sends `head` (and `body`, written concurrently so a server that stops
/// reading cannot block the test) and returns the status line and body.
async fn raw(addr: SocketAddr, head: Vec<u8>, body: Vec<u8>) -> (u16, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (mut rd, mut wr) = stream.into_split();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(&head).await;
        for chunk in body.chunks(64 * 1024) {
            if wr.write_all(chunk).await.is_err() {
                return wr;
            }
        }
        let _ = wr.flush().await;
        // Kept open: dropping the write half would half-close the
        // connection, which the server takes for the client going away.
        wr
    });
    let mut got = Vec::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), rd.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
        if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&got[..end]).to_string();
            let len = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            if got.len() >= end + 4 + len {
                break;
            }
        }
    }
    let _ = tokio::time::timeout(Duration::from_secs(5), writer).await;
    let text = String::from_utf8_lossy(&got).to_string();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (
        status,
        text.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default(),
    )
}

#[tokio::test]
async fn a_broken_percent_escape_before_a_multibyte_character_is_answered_not_a_panic() {
    let (running, _dir) = start_plain().await;
    for target in [
        "/?a=%a\u{e9}",
        "/?%\u{e9}\u{e9}=1",
        "/admin/dataplane?resource=%e\u{1F600}",
        "/x?api-version=%",
    ] {
        let head = format!("GET {target} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n")
            .into_bytes();
        let (status, _) = raw(running.addr, head, vec![]).await;
        assert!(
            status >= 200,
            "{target:?} got no HTTP answer (the connection task died)"
        );
    }
    // A path with a non-ASCII character before the metrics suffix.
    let head = "GET /subscriptions/s/resourceGroups/\u{130}/providers/Microsoft.Insights/metrics HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n".as_bytes().to_vec();
    let (status, _) = raw(running.addr, head, vec![]).await;
    assert!(status >= 200, "non-ASCII path got no HTTP answer");
    let (status, _) = raw(
        running.addr,
        b"GET /admin/health HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n".to_vec(),
        vec![],
    )
    .await;
    assert_eq!(status, 200, "the server still answers");
    running.stop().await;
}

#[tokio::test]
async fn requests_over_arms_4_mb_limit_are_refused_on_every_route_without_buffering_them() {
    let (running, _dir) = start_plain().await;
    let big = 5 * 1024 * 1024;
    let path = format!("/subscriptions/{SUB}/resourceGroups/big?api-version=2024-11-01");
    // Declared too large: refused before the body is read.
    for (method, target) in [
        ("PUT", path.as_str()),
        ("PATCH", "/admin/settings"),
        ("POST", "/admin/dataplane/write"),
        ("POST", "/tenant/oauth2/v2.0/token"),
    ] {
        let head = format!("{method} {target} HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {big}\r\nconnection: close\r\n\r\n").into_bytes();
        let (status, body) = raw(running.addr, head, vec![b' '; big]).await;
        assert_eq!(status, 413, "{method} {target}: {body}");
        let j: J = serde_json::from_str(&body).unwrap();
        assert_eq!(j["error"]["code"], "RequestContentTooLarge", "{body}");
        assert!(j["error"]["message"].as_str().unwrap().contains("4 MB"));
    }
    // Chunked, with no declared length: refused once the limit is passed.
    let mut chunked = Vec::new();
    for _ in 0..(big / (256 * 1024)) {
        chunked.extend_from_slice(format!("{:x}\r\n", 256 * 1024).as_bytes());
        chunked.extend(std::iter::repeat_n(b' ', 256 * 1024));
        chunked.extend_from_slice(b"\r\n");
    }
    chunked.extend_from_slice(b"0\r\n\r\n");
    let head = "PATCH /admin/faults HTTP/1.1\r\nhost: localhost\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n".as_bytes().to_vec();
    let (status, body) = raw(running.addr, head, chunked).await;
    assert_eq!(status, 413, "{body}");
    // Just under the limit is read (and judged on its content).
    let mut body = b"{\"time_scale\": 10000000.0, \"pad\": \"".to_vec();
    body.extend(std::iter::repeat_n(b'x', 4 * 1024 * 1024 - 100));
    body.extend_from_slice(b"\"}");
    let head = format!("PATCH /admin/settings HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len()).into_bytes();
    let (status, text) = raw(running.addr, head, body).await;
    assert_eq!(status, 200, "{text}");
    running.stop().await;
}

#[tokio::test]
async fn nonsense_bodies_get_the_type_and_range_checks_azure_makes() {
    let e = start(1.0e7).await;
    let bad = |r: &Resp, status: u16, code: &str| {
        assert_eq!((r.status, r.code().as_str()), (status, code), "{}", r.body)
    };
    // Location: a string naming a region.
    bad(
        &e.put(&rg("a"), "2024-11-01", json!({"location": 5})).await,
        400,
        "InvalidRequestContent",
    );
    let huge = "x".repeat(1024 * 1024);
    let r = e
        .put(&rg("a"), "2024-11-01", json!({"location": huge}))
        .await;
    bad(&r, 400, "LocationNotAvailableForResourceGroup");
    assert!(
        r.body.to_string().len() < 4096,
        "the error does not echo a megabyte back"
    );
    bad(
        &e.put(&rg("a"), "2024-11-01", json!({"location": "atlantis"}))
            .await,
        400,
        "LocationNotAvailableForResourceGroup",
    );
    bad(
        &e.put(&rg("a"), "2024-11-01", json!({"location": "global"}))
            .await,
        400,
        "LocationNotAvailableForResourceGroup",
    );
    bad(
        &e.put(
            &rg("a"),
            "2024-11-01",
            json!({"location": "eastus", "tags": {"n": 1}}),
        )
        .await,
        400,
        "InvalidRequestContent",
    );
    bad(
        &e.put(
            &rg("a"),
            "2024-11-01",
            json!({"location": "eastus", "properties": "x"}),
        )
        .await,
        400,
        "InvalidRequestContent",
    );
    e.group("a", "East US").await;
    // Location cannot change on an existing resource, by PUT or PATCH, on any type.
    bad(
        &e.put(&rg("a"), "2024-11-01", json!({"location": "westeurope"}))
            .await,
        409,
        "InvalidResourceGroupLocation",
    );
    bad(
        &e.call(
            "PATCH",
            &rg("a"),
            "2024-11-01",
            Some(json!({"location": "westeurope"})),
            &[],
        )
        .await,
        409,
        "InvalidResourceGroupLocation",
    );
    assert_eq!(
        e.get(&rg("a"), "2024-11-01").await.body["location"],
        "eastus"
    );
    let zone = format!("{}/providers/Microsoft.Network/dnszones/a.com", rg("a"));
    e.create(&zone, "2018-05-01", json!({"location": "global"}))
        .await;
    bad(
        &e.put(&zone, "2018-05-01", json!({"location": "westus"}))
            .await,
        409,
        "InvalidResourceLocation",
    );
    let redis = format!("{}/providers/Microsoft.Cache/redis/c1", rg("a"));
    bad(
        &e.put(
            &redis,
            "2024-11-01",
            redis_body("global", "Standard", "C", 1, json!({})),
        )
        .await,
        400,
        "LocationNotAvailableForResourceType",
    );
    // Numbers: whole, typed, and within Azure's ranges.
    let pg = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg1",
        rg("a")
    );
    for size in [
        json!(-1),
        json!(100),
        json!("64"),
        json!(64.5),
        json!(1e300),
    ] {
        let mut b = pg_body("eastus");
        b["properties"]["storage"]["storageSizeGB"] = size.clone();
        bad(
            &e.put(&pg, "2024-08-01", b).await,
            400,
            "InvalidParameterValue",
        );
    }
    let mut b = pg_body("eastus");
    b["properties"]["backup"]["backupRetentionDays"] = json!("30");
    bad(
        &e.put(&pg, "2024-08-01", b).await,
        400,
        "InvalidParameterValue",
    );
    let mut b = pg_body("eastus");
    b["properties"]["storage"]["storageSizeGB"] = json!(64);
    e.create(&pg, "2024-08-01", b).await;
    let mut c = redis_body("eastus", "Standard", "C", 1, json!({}));
    c["properties"]["sku"]["capacity"] = json!(2.5);
    bad(
        &e.put(&redis, "2024-11-01", c).await,
        400,
        "InvalidParameterValue",
    );
    let cluster = format!(
        "{}/providers/Microsoft.ContainerService/managedClusters/k1",
        rg("a")
    );
    for (k, v) in [
        ("count", json!("3")),
        ("count", json!(-1)),
        ("maxPods", json!(5)),
        ("osDiskSizeGB", json!(10)),
    ] {
        let mut pool =
            json!({"name": "system", "vmSize": "Standard_D4s_v5", "count": 3, "mode": "System"});
        pool[k] = v;
        let r = e.put(&cluster, "2025-10-01", json!({"location": "eastus", "properties": {"dnsPrefix": "k1", "agentPoolProfiles": [pool]}})).await;
        assert_eq!(r.status, 400, "{k}: {}", r.body);
    }
    let record = format!("{zone}/A/www");
    bad(
        &e.put(
            &record,
            "2018-05-01",
            json!({"properties": {"TTL": "60", "ARecords": [{"ipv4Address": "10.0.0.1"}]}}),
        )
        .await,
        400,
        "InvalidParameterValue",
    );
}

#[tokio::test]
async fn the_admin_api_refuses_settings_and_faults_it_cannot_honour() {
    let e = start(1.0e7).await;
    for (path, body) in [
        ("faults", json!({"region_timeout_secs": 1e300})),
        ("faults", json!({"transient_rate": 2})),
        ("faults", json!({"region_mode": "explode"})),
        ("settings", json!({"time_scale": -1})),
        ("settings", json!({"time_scale": 1e300})),
        ("settings", json!({"max_retry_after": 1_000_000_000u64})),
    ] {
        let r = e.admin("PATCH", path, Some(body.clone())).await;
        assert_eq!(r["error"]["code"], "BadRequest", "{path} {body}: {r}");
    }
    // Nothing was taken: a region outage in timeout mode still answers.
    assert_eq!(e.admin("GET", "settings", None).await["time_scale"], 1.0e7);
    e.admin("PATCH", "faults", Some(json!({"regions_down": ["eastus"], "region_mode": "timeout", "region_timeout_secs": 0.1}))).await;
    e.admin(
        "PATCH",
        "faults",
        Some(json!({"region_timeout_secs": 1e300})),
    )
    .await;
    let r = e
        .put(&rg("x"), "2024-11-01", json!({"location": "eastus"}))
        .await;
    assert_eq!(r.status, 504, "{}", r.body);
}

#[tokio::test]
async fn huge_paging_tokens_end_the_list_instead_of_overflowing() {
    let e = start(1.0e7).await;
    e.group("p1", "eastus").await;
    let r = e
        .call(
            "GET",
            &format!("/subscriptions/{SUB}/resourcegroups?$skiptoken=o18446744073709551615"),
            "2024-11-01",
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["value"], json!([]));
    for options in [
        json!({"$skip": u64::MAX}),
        json!({"$skipToken": u64::MAX.to_string()}),
        json!({"$top": u64::MAX}),
    ] {
        let r = e
            .call(
                "POST",
                "/providers/Microsoft.ResourceGraph/resources",
                "2024-04-01",
                Some(json!({"subscriptions": [SUB], "query": "Resources", "options": options})),
                &[],
            )
            .await;
        assert_eq!(r.status, 200, "{options}: {}", r.body);
    }
}

#[tokio::test]
async fn postgres_switchover_fences_the_old_primary_from_its_start() {
    let e = start(1.0e7).await;
    e.group("east", "eastus").await;
    e.group("west", "westeurope").await;
    let api = "2025-08-01";
    let primary = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-a",
        rg("east")
    );
    let replica = format!(
        "{}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-b",
        rg("west")
    );
    e.create(&primary, api, pg_body("eastus")).await;
    e.create(&replica, api, json!({"location": "westeurope", "properties": {"createMode": "Replica", "sourceServerResourceId": primary}})).await;
    let write = |id: String, v: &'static str| {
        let e = &e;
        async move {
            e.admin(
                "POST",
                "dataplane/write",
                Some(json!({"resource": id, "value": v})),
            )
            .await
        }
    };
    // Azure's switchover needs a virtual endpoint naming the replica.
    e.create(
        &format!("{primary}/virtualEndpoints/pg-ab"),
        api,
        json!({"properties": {"endpointType": "ReadWrite", "members": ["pg-b"]}}),
    )
    .await;
    e.slow().await;
    assert!(write(primary.clone(), "w1").await["seq"].is_i64());
    let r = e.call("PATCH", &replica, api, Some(json!({"properties": {"replica": {"promoteMode": "Switchover", "promoteOption": "Planned"}}})), &[]).await;
    assert_eq!(r.status, 202, "{}", r.body);
    // While the switchover runs, the old primary takes no writes.
    let fenced = write(primary.clone(), "w2").await;
    assert_eq!(fenced["error"]["code"], "ServerSwitchingOver", "{fenced}");
    e.fast().await;
    e.settle(&replica, api).await;
    // Afterwards it is the new primary's replica: still read-only, and it
    // holds the new primary's data once, not its own copy besides.
    assert_eq!(
        write(primary.clone(), "w3").await["error"]["code"],
        "ReadOnlyReplica"
    );
    assert!(write(replica.clone(), "w4").await["seq"].is_i64());
    e.fast().await;
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={replica}"), None)
            .await["values"],
        json!(["w1", "w4"])
    );
    assert_eq!(
        e.admin("GET", &format!("dataplane?resource={primary}"), None)
            .await["values"],
        json!(["w1", "w4"])
    );
    assert_eq!(
        e.admin("GET", "dataplane/lost-writes", None).await["servers"],
        json!([])
    );
}

#[tokio::test]
async fn responses_carry_the_simulated_time_and_outages_their_start() {
    let e = start(1000.0).await;
    e.admin("DELETE", "requests", None).await;
    let r = e.get(&rg("clock"), "2021-04-01").await;
    let date = r.header("date").expect("a Date header");
    let sent = drinfra::timefmt::parse_http_date(&date).unwrap() as f64;
    let log = e.admin("DELETE", "requests", None).await;
    let at = log[0]["at"].as_f64().unwrap();
    // The Date header is the simulated instant the request log records.
    assert_eq!(sent, at.floor(), "{date} vs {at}");
    // Simulated, not wall time: 1000x runs ahead of this machine's clock.
    let faults = e
        .admin(
            "POST",
            "faults/region-down",
            Some(json!({"region": "EastUS"})),
        )
        .await;
    let began = drinfra::timefmt::parse_rfc3339(faults["outages"]["eastus"].as_str().unwrap())
        .unwrap() as f64;
    let now = e.admin("GET", "time", None).await["now"].as_f64().unwrap();
    // The faults view gives whole seconds (RFC 3339): compare at that
    // precision, or an outage in the same second as the GET reads as
    // earlier than it.
    assert!(
        began <= now && began >= at.floor(),
        "{began} in {at}..{now}"
    );
    // Down again: the outage keeps its start; up: it is forgotten.
    let again = e
        .admin(
            "POST",
            "faults/region-down",
            Some(json!({"region": "eastus"})),
        )
        .await;
    assert_eq!(again["outages"], faults["outages"]);
    let up = e
        .admin(
            "POST",
            "faults/region-up",
            Some(json!({"region": "eastus"})),
        )
        .await;
    assert_eq!(up["outages"], json!({}));
    e.stop().await;
}

/// `generateKeyPair` answers the pair through its operation and keeps the
/// public key; Azure makes a pair once per key resource, and the emulator
/// makes RSA pairs only.
#[tokio::test]
async fn an_ssh_key_pair_is_generated_once() {
    let e = start(1.0e7).await;
    e.group("ssh", "eastus").await;
    let (api, key) = (
        "2024-03-01",
        format!("{}/providers/Microsoft.Compute/sshPublicKeys/k1", rg("ssh")),
    );
    e.create(&key, api, json!({"location": "eastus"})).await;
    let action = format!("{key}/generateKeyPair");
    let ed = e
        .call(
            "POST",
            &action,
            api,
            Some(json!({"encryptionType": "Ed25519"})),
            &[],
        )
        .await;
    assert_eq!((ed.status, ed.code().as_str()), (400, "InvalidParameter"));
    // Answered within the request, as Azure answers it (the spec's 200):
    // the emulator answered 202 and an operation to poll.
    let result = e.call("POST", &action, api, None, &[]).await;
    assert_eq!(result.status, 200, "{}", result.body);
    let public = result.body["publicKey"].as_str().unwrap().to_string();
    assert!(public.starts_with("ssh-rsa AAAAB3NzaC1yc2E"), "{public}");
    assert!(
        result.body["privateKey"]
            .as_str()
            .unwrap()
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\n")
    );
    assert_eq!(result.body["id"], key.as_str());
    let stored = e.get(&key, api).await.body;
    assert_eq!(stored["properties"]["publicKey"], public.as_str());
    let again = e.call("POST", &action, api, None, &[]).await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "OperationNotAllowed")
    );
}
