//! Failover end to end: the platform stack against an emulator with time
//! compression; each scenario checks the cloud (replica roles, cache link
//! direction, origin priorities, DNS target, pool sizes), the recorded
//! roles, and the order in which operations reached the emulator.

use std::path::PathBuf;
use std::process::Command;

use drinfra::emulator::{self};
use serde_json::{Value as J, json};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

pub(crate) struct Drill {
    pub(crate) root: tempfile::TempDir,
    pub(crate) emu: emulator::Running,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

use crate::common::copy_dir;

impl Drill {
    pub(crate) fn new() -> Drill {
        let d = Drill::bare();
        let (code, out, err) = d.run(&["apply", "--auto-approve"]);
        assert_eq!(code, 0, "{out}\n{err}");
        d
    }

    /// The stack and an emulator, nothing applied yet.
    pub(crate) fn bare() -> Drill {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = tempfile::tempdir().unwrap();
        copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
        copy_dir(&repo.join("modules"), &root.path().join("modules"));
        let rt = tokio::runtime::Runtime::new().unwrap();
        let data = root.path().join("state/emulator");
        let emu = crate::common::start_emulator(&rt, data, 1.0e6);
        let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
        let d = Drill {
            root,
            emu,
            rt,
            http,
        };
        // Outages answer with a short Retry-After, to keep drills quick.
        d.admin("PATCH", "settings", json!({"max_retry_after": 1}));
        d
    }

    pub(crate) fn stack(&self) -> PathBuf {
        self.root.path().join("stacks/platform")
    }

    pub(crate) fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(self.stack())
            .args(args)
            .env("DRINFRA_EMULATOR_URL", &self.emu.url)
            .env("USER", "oncall")
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into(),
            String::from_utf8_lossy(&o.stderr).into(),
        )
    }

    pub(crate) fn set_active(&self, site: &str) {
        let p = self.stack().join("main.tf");
        let text = std::fs::read_to_string(&p).unwrap();
        let re_active = text
            .lines()
            .map(|l| {
                if l.trim_start().starts_with("active ") && l.contains('"') {
                    format!("  active      = \"{site}\"")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        std::fs::write(p, re_active + "\n").unwrap();
    }

    pub(crate) fn admin(&self, method: &str, path: &str, body: J) -> J {
        self.rt.block_on(async {
            let r = self
                .http
                .request(
                    method.parse().unwrap(),
                    format!("{}/admin/{path}", self.emu.url),
                )
                .json(&body)
                .send()
                .await
                .unwrap();
            r.json().await.unwrap_or(J::Null)
        })
    }

    pub(crate) fn get(&self, id: &str, api: &str) -> J {
        self.rt.block_on(async {
            let c = &self.emu.credentials;
            let tok: J = self
                .http
                .post(format!(
                    "{}/{}/oauth2/v2.0/token",
                    self.emu.url, c.tenant_id
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
            // The test reads as any client must: after a 429 it waits
            // Retry-After (an apply of the platform spends most of the
            // emulator's read burst).
            for _ in 0..10 {
                let r = self
                    .http
                    .get(format!("{}{id}?api-version={api}", self.emu.url))
                    .bearer_auth(tok["access_token"].as_str().unwrap())
                    .send()
                    .await
                    .unwrap();
                if r.status() == 429 {
                    let wait = r
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(std::time::Duration::from_secs(wait.min(5))).await;
                    continue;
                }
                return r.json().await.unwrap();
            }
            panic!("{id}: still throttled after 10 tries")
        })
    }

    pub(crate) fn pg_role(&self, site: &str) -> String {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-aiwf-{site}"), "2025-08-01")["properties"]["replicationRole"].as_str().unwrap_or_default().to_string()
    }

    pub(crate) fn link_of(&self, site: &str) -> J {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.Cache/redis/redis-aiwf-{site}"), "2024-11-01")["properties"]["linkedServers"].clone()
    }

    pub(crate) fn origin_priority(&self, site: &str) -> f64 {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-edge/providers/Microsoft.Cdn/profiles/fd-aiwf/originGroups/sites/origins/{site}"), "2025-06-01")["properties"]["priority"].as_f64().unwrap()
    }

    pub(crate) fn gateway_target(&self) -> String {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-edge/providers/Microsoft.Network/dnszones/aiwf.example.com/CNAME/gateway"), "2018-05-01")["properties"]["CNAMERecord"]["cname"].as_str().unwrap_or_default().to_string()
    }

    pub(crate) fn storage(&self, site: &str) -> J {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.Storage/storageAccounts/staiwf{site}"), "2025-01-01")
    }

    pub(crate) fn tm_priority(&self, site: &str) -> f64 {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-edge/providers/Microsoft.Network/trafficmanagerprofiles/tm-aiwf/externalEndpoints/{site}"), "2022-04-01")["properties"]["priority"].as_f64().unwrap()
    }

    pub(crate) fn pool_count(&self, site: &str, pool: &str) -> f64 {
        self.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.ContainerService/managedClusters/aks-aiwf-{site}/agentPools/{pool}"), "2025-10-01")["properties"]["count"].as_f64().unwrap()
    }

    pub(crate) fn record(&self) -> J {
        let s: J = serde_json::from_str(
            &std::fs::read_to_string(self.root.path().join("state/platform.tfstate")).unwrap(),
        )
        .unwrap();
        s["failover_groups"]["platform"].clone()
    }

    /// Requests since the last call, as (method, path): drained in one
    /// call, so none logged in between is lost.
    pub(crate) fn requests(&self) -> Vec<(String, String)> {
        let log = self.admin("DELETE", "requests", json!({}));
        log.as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["method"].as_str().unwrap().to_string(),
                    e["path"].as_str().unwrap().to_lowercase(),
                )
            })
            .collect()
    }
}

/// POSTs that change nothing: Resource Graph queries, and listing a
/// cluster's credentials (the workloads' refresh reads each cluster's
/// Kubernetes API with them).
fn read_only_post(lowercase_path: &str) -> bool {
    lowercase_path.contains("resourcegraph")
        || lowercase_path.ends_with("/listclusterusercredential")
}

fn first_write(reqs: &[(String, String)], needle: &str) -> usize {
    reqs.iter()
        .position(|(m, p)| m != "GET" && p.contains(needle))
        .unwrap_or_else(|| panic!("no write to {needle} in {reqs:?}"))
}

#[test]
fn planned_failover_moves_data_then_capacity_then_traffic_and_is_recorded() {
    let d = Drill::new();
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica")
    );
    assert_eq!(d.origin_priority("eastus"), 1.0);
    assert_eq!(
        (d.tm_priority("eastus"), d.tm_priority("westeurope")),
        (1.0, 4.0)
    );
    assert_eq!(d.pool_count("westeurope", "application"), 3.0);
    // Reviewed first: --plan-only shows it all and changes nothing.
    d.requests();
    let (code, out, err) = d.run(&["failover", "platform", "--to", "westeurope", "--plan-only"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("1. data: unlink") && out.contains("Plan only: nothing was changed"),
        "{out}"
    );
    // The whole runbook in order: notify, the phases, verify, notify.
    let at = |needle: &str| {
        out.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from:\n{out}"))
    };
    let order = [
        at("Runbook, in order:"),
        at("   1. notify nobody (no notification target configured): started"),
        at("   2. phase data: unlink:"),
        at(". phase traffic:"),
        at(". verify, after traffic moves: 3 health check(s)"),
        at("westeurope_gateway (GET https://gateway.westeurope.aiwf.example.com/health)"),
        at(". notify nobody (no notification target configured): completion"),
        at("(switched off, their URL unset: incident_channel, platform_team, status_page)"),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{out}");
    assert!(
        d.requests()
            .iter()
            .all(|(m, p)| m == "GET" || read_only_post(p)),
        "no writes"
    );
    assert_eq!(
        (d.record()["status"].as_str(), d.record()["active"].as_str()),
        (Some("applied"), Some("eastus")),
        "nothing recorded beyond the apply's placement"
    );
    // The same for a change request, as Markdown that fits a PR comment.
    let (code, md, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--plan-only",
        "--markdown",
    ]);
    assert_eq!(code, 0, "{md}\n{err}");
    assert!(md.starts_with("## Failover of group \"platform\": eastus -> westeurope (planned)\n\n- Planned: replicas are promoted only once they have caught up"), "{md}");
    assert!(
        md.contains("| phase | changes | about |")
            && md.contains("| 1. data: unlink | `azurerm_redis_linked_server.geo[0]` | 2 min |")
            && md.contains("### drinfra plan:"),
        "{md}"
    );
    assert!(md.len() < 65_000);
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--planned",
        "--auto-approve",
        "--reason",
        "quarterly drill",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    // Without a terminal: timestamped lines with phase markers, the
    // checks as they turn green.
    assert!(
        out.contains("== phase data started:")
            && out.contains("== phase traffic done ==")
            && out.contains(
                "check westeurope_gateway on westeurope: healthy after 1 attempt(s): HTTP 200"
            )
            && out.contains("Verified: 3 health check(s) passed."),
        "{out}"
    );
    assert!(
        out.contains("Phases")
            && out.contains("1. data: unlink")
            && out.contains("traffic")
            && out.contains("Expected duration"),
        "{out}"
    );
    assert!(out.contains("no data loss"), "{out}");
    // Cloud state.
    assert_eq!(
        d.pg_role("westeurope"),
        "Primary",
        "the DR replica is promoted"
    );
    assert_eq!(
        d.link_of("westeurope"),
        json!([]),
        "the cache link is removed: the DR cache is writable"
    );
    assert_eq!(
        (d.origin_priority("westeurope"), d.origin_priority("eastus")),
        (1.0, 2.0)
    );
    // Unique slots: westeurope active (2) beats eastus on standby (3).
    assert_eq!(
        (d.tm_priority("westeurope"), d.tm_priority("eastus")),
        (2.0, 3.0),
        "Traffic Manager follows"
    );
    assert_eq!(d.gateway_target(), "gateway.westeurope.aiwf.example.com");
    assert_eq!(
        (
            d.pool_count("westeurope", "application"),
            d.pool_count("westeurope", "codeexec")
        ),
        (20.0, 15.0),
        "DR scaled to production size"
    );
    assert_eq!(
        d.pool_count("eastus", "application"),
        3.0,
        "the old primary scaled down"
    );
    // The old primary's GRS account failed over to its paired region, planned.
    let st = d.storage("eastus");
    assert_eq!(
        (
            st["properties"]["primaryLocation"].as_str(),
            st["sku"]["name"].as_str()
        ),
        (Some("westus"), Some("Standard_GRS")),
        "{st}"
    );
    assert_eq!(
        d.storage("westeurope")["properties"]["primaryLocation"],
        "westeurope",
        "the new primary's account stays"
    );
    assert!(
        out.contains("storage account planned failover eastus -> westus"),
        "{out}"
    );
    // Recorded.
    let r = d.record();
    assert_eq!(
        (
            r["active"].as_str(),
            r["status"].as_str(),
            r["replicating"].as_bool()
        ),
        (Some("westeurope"), Some("complete"), Some(false))
    );
    assert!(r["by"].as_str().unwrap().starts_with("oncall@") && r["reason"] == "quarterly drill");
    // Order: data (unlink, promotion) before capacity before traffic before clean-up.
    let reqs = d.requests();
    let unlink = reqs
        .iter()
        .position(|(m, p)| m == "DELETE" && p.contains("linkedservers"))
        .unwrap();
    let promote = reqs
        .iter()
        .position(|(m, p)| m == "PATCH" && p.contains("pg-aiwf-westeurope"))
        .unwrap();
    let scale_up = first_write(&reqs, "aks-aiwf-westeurope/agentpools/application");
    let traffic = first_write(&reqs, "origins/westeurope");
    let dns = first_write(&reqs, "cname/gateway");
    let tm = first_write(&reqs, "externalendpoints/westeurope");
    assert!(
        scale_up < tm,
        "Traffic Manager {tm} is traffic: after capacity {scale_up}"
    );
    let scale_down = first_write(&reqs, "aks-aiwf-eastus/agentpools/application");
    let storage = first_write(&reqs, "staiwfeastus/failover");
    assert!(
        storage < traffic && storage < dns,
        "storage failover {storage} is data: before traffic {traffic}"
    );
    assert!(
        unlink < promote
            && promote < scale_up
            && scale_up < traffic
            && scale_up < dns
            && traffic < scale_down
            && dns < scale_down,
        "unlink {unlink}, promote {promote}, scale up {scale_up}, traffic {traffic}, dns {dns}, scale down {scale_down}"
    );
}

/// Regression: editing the active site when no failover had been recorded
/// planned an ordinary apply that replaced the PostgreSQL servers. The
/// apply recorded where it placed the group, so the edit is refused and
/// points at `drinfra failover`, which then makes the change in order.
#[test]
fn editing_the_active_site_without_a_failover_is_refused_and_points_to_failover() {
    let d = Drill::new();
    assert_eq!(
        d.record()["status"],
        "applied",
        "the first apply records where it placed the group"
    );
    d.set_active("westeurope");
    d.requests();
    for cmd in [&["plan"][..], &["apply", "--auto-approve"][..]] {
        let (code, out, err) = d.run(cmd);
        assert_eq!(code, 1, "{cmd:?}: {out}\n{err}");
        assert!(
            err.contains(
                "changing the active site from \"eastus\" to \"westeurope\" is a failover"
            ) && err.contains("drinfra failover platform --to \"westeurope\"")
                && err.contains("main.tf:"),
            "{err}"
        );
    }
    assert!(
        d.requests()
            .iter()
            .all(|(m, p)| m == "GET" || read_only_post(p)),
        "no writes"
    );
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica"),
        "nothing replaced"
    );
    // The way it points at: a failover to the site the configuration names.
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        d.pg_role("westeurope"),
        "Primary",
        "the replica was promoted, not replaced"
    );
    assert_eq!(
        (d.record()["status"].as_str(), d.record()["active"].as_str()),
        (Some("complete"), Some("westeurope"))
    );
    let (code, out, err) = d.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "the configuration agrees with the failover: {out}\n{err}"
    );
}

/// The same for a state written before drinfra recorded placements: the
/// site its resources were applied for is told from them.
#[test]
fn a_state_without_placement_still_refuses_an_edited_active_site() {
    let d = Drill::new();
    let snapshot = d.root.path().join("state/platform.tfstate");
    let mut state: J = serde_json::from_str(&std::fs::read_to_string(&snapshot).unwrap()).unwrap();
    state.as_object_mut().unwrap().remove("failover_groups");
    std::fs::write(&snapshot, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    assert_eq!(d.record(), J::Null, "no record, as before placements");
    assert_eq!(
        d.run(&["plan", "--detailed-exitcode"]).0,
        0,
        "the declared site is the applied one: no false alarm"
    );
    d.set_active("westeurope");
    let (code, out, err) = d.run(&["plan"]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("is a failover")
            && err.contains("told from the resources in state")
            && err.contains("drinfra failover platform --to \"westeurope\""),
        "{err}"
    );
    // And the failover it points at works from there.
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(d.pg_role("westeurope"), "Primary", "promoted, not replaced");
    assert_eq!(d.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn configuration_naming_the_old_site_cannot_fail_back_by_accident() {
    let d = Drill::new();
    assert_eq!(
        d.run(&[
            "failover",
            "platform",
            "--to",
            "westeurope",
            "--auto-approve"
        ])
        .0,
        0
    );
    let (code, _, err) = d.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("\"westeurope\" is active, but the configuration names \"eastus\"")
            && err.contains("drinfra failback platform")
            && err.contains("main.tf:"),
        "{err}"
    );
    assert_eq!(d.pg_role("westeurope"), "Primary", "nothing changed");
    // Updating the configuration accepts the failover: no changes.
    d.set_active("westeurope");
    let (code, out, err) = d.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn forced_failover_with_the_primary_region_down_defers_what_is_unreachable() {
    let d = Drill::new();
    d.admin("POST", "faults/region-down", json!({"region": "eastus"}));
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--planned",
        "--auto-approve",
    ]);
    assert_ne!(code, 0, "a planned promotion needs the old primary: {out}");
    assert!(
        err.contains("SourceServerUnavailable") || out.contains("SourceServerUnavailable"),
        "{out}\n{err}"
    );
    assert_eq!(d.record()["status"], "in_progress");
    let report = d.root.path().join("drill.md");
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--forced",
        "--auto-approve",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    // The drill report: metrics, a timeline with owner and status, problems, follow-ups.
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.starts_with("# Failover drill: group `platform`, eastus -> westeurope (forced)"),
        "{md}"
    );
    assert!(
        md.contains("| time (UTC, cloud) | event | owner | status |") && md.contains("| oncall@"),
        "{md}"
    );
    assert!(
        md.contains(
            "storage account failover module.eastus.azurerm_storage_account.data | oncall@"
        ) && md.contains("done: unplanned failover eastus -> westus"),
        "{md}"
    );
    assert!(
        md.contains("update module.westeurope.azurerm_postgresql_flexible_server.db | oncall@")
            && md.contains("| deferred: ServiceUnavailable"),
        "{md}"
    );
    assert!(
        md.contains("- deferred (unreachable): module.eastus.")
            && md.contains("- [ ] set active = \"westeurope\""),
        "{md}"
    );
    assert!(
        md.contains("**complete**") && md.contains("| run time (confirmed -> recorded) |"),
        "{md}"
    );
    // The group's targets (rto = "90m", rpo = "15m") against what happened.
    assert!(
        md.contains("| RTO (detection + decision + recovery + verification)")
            && md.contains("| 90 min |")
            && md.contains(" (met) |"),
        "{md}"
    );
    // The replica's lag from Azure Monitor's metric (the emulator's 10 s).
    assert!(md.contains("| RPO (data loss) | 15 min | up to 10 s: the replica lag Azure Monitor reported just before promotion (met) |"), "{md}");
    assert!(out.contains("Replica lag just before promotion: 10 s (module.westeurope.azurerm_postgresql_flexible_server.db): writes in that window may be lost"), "{out}");
    assert!(
        out.contains("Writes on eastus not yet replicated are lost"),
        "{out}"
    );
    // Account failover is what a down region calls for: unplanned, leaving
    // a locally redundant account in the paired region.
    assert!(
        out.contains("storage account unplanned failover eastus -> westus"),
        "{out}"
    );
    let st = d.storage("eastus");
    assert_eq!(
        (
            st["properties"]["primaryLocation"].as_str(),
            st["sku"]["name"].as_str()
        ),
        (Some("westus"), Some("Standard_LRS")),
        "{st}"
    );
    assert!(
        out.contains("Deferred (unreachable, not failed)") && out.contains("module.eastus."),
        "{out}"
    );
    // Forced: promoted standalone (the old primary is unreachable).
    assert_eq!(d.pg_role("westeurope"), "None");
    assert_eq!(
        (
            d.origin_priority("westeurope"),
            d.pool_count("westeurope", "application")
        ),
        (1.0, 20.0)
    );
    let r = d.record();
    assert_eq!(r["status"], "complete");
    assert!(
        r["deferred"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a.as_str().unwrap().starts_with("module.eastus."))
    );
    // When the region returns, a plan shows exactly what is left.
    d.admin("POST", "faults/region-up", json!({"region": "eastus"}));
    d.set_active("westeurope");
    let (_, out, _) = d.run(&["plan", "--compact"]);
    assert!(
        out.lines()
            .filter(|l| l.contains('~') || l.contains('-') || l.contains('+'))
            .all(|l| !l.contains("module.westeurope.") && !l.contains("module.edge.")),
        "only the old primary is left to reconcile:\n{out}"
    );
    assert!(out.contains("module.eastus."), "{out}");
}

#[test]
fn an_interrupted_failover_resumes_where_it_stopped() {
    let d = Drill::new();
    d.admin("PATCH", "faults", json!({"fail_next": [{"matches": "origins", "code": "InternalServerError", "message": "edge hiccup"}]}));
    let (code, _, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("recorded as in progress"), "{err}");
    assert_eq!(d.record()["status"], "in_progress");
    assert_eq!(
        d.pg_role("westeurope"),
        "Primary",
        "the data phase had completed"
    );
    // Any other run is stopped until the failover finishes.
    let (code, _, err) = d.run(&["plan"]);
    assert_eq!(code, 1);
    assert!(err.contains("in progress"), "{err}");
    d.requests();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("Resuming the failover"), "{out}");
    let reqs = d.requests();
    assert!(
        !reqs
            .iter()
            .any(|(m, p)| m == "PATCH" && p.contains("pg-aiwf-westeurope")),
        "the promotion is not repeated"
    );
    assert!(
        !reqs
            .iter()
            .any(|(m, p)| m == "POST" && p.ends_with("/failover")),
        "nor the storage account failover"
    );
    assert!(out.contains("storage account already failed over"), "{out}");
    assert_eq!(d.origin_priority("westeurope"), 1.0);
    assert_eq!(d.record()["status"], "complete");
}

#[test]
fn failback_reseeds_swaps_and_restores_replication() {
    let d = Drill::new();
    assert_eq!(
        d.run(&[
            "failover",
            "platform",
            "--to",
            "westeurope",
            "--auto-approve"
        ])
        .0,
        0
    );
    let report = d.root.path().join("failback.md");
    let (code, out, err) = d.run(&[
        "failback",
        "platform",
        "--auto-approve",
        "--reason",
        "region restored",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Stage 1/3") && out.contains("Stage 3/3"),
        "{out}"
    );
    // The way back is a drill too: its report has a timeline per stage.
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.starts_with("# Failover drill: group `platform`, westeurope -> eastus (failback)")
            && md.contains("**complete**"),
        "{md}"
    );
    assert!(
        md.contains("| stage 1/3 re-seed eastus from westeurope | oncall@")
            && md.contains("| stage 3/3 re-seed westeurope from eastus |"),
        "{md}"
    );
    assert!(
        md.contains("| eastus active, traffic on eastus | oncall@")
            && md.contains("| RTO (detection + decision + recovery + verification)"),
        "{md}"
    );
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica")
    );
    assert_eq!(
        d.link_of("eastus")[0]["role"],
        "Primary",
        "the link runs eastus -> westeurope again"
    );
    assert_eq!(
        (d.origin_priority("eastus"), d.gateway_target().as_str()),
        (1.0, "gateway.eastus.aiwf.example.com")
    );
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "eastus",
        "the account came home"
    );
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["replicating"].as_bool()),
        (Some("eastus"), Some(true))
    );
    assert!(r["history"].as_array().unwrap().len() >= 4);
    let (code, out, err) = d.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "the configuration (eastus) matches again:\n{out}\n{err}"
    );
}

#[test]
fn traffic_only_failover_moves_front_door_and_dns_and_leaves_data() {
    let d = Drill::new();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "traffic",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Data and capacity stay on eastus") && out.contains("RPO is unchanged"),
        "{out}"
    );
    assert_eq!(
        (d.origin_priority("westeurope"), d.gateway_target().as_str()),
        (1.0, "gateway.westeurope.aiwf.example.com")
    );
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica"),
        "data stays"
    );
    assert_eq!(
        d.pool_count("westeurope", "application"),
        3.0,
        "capacity stays"
    );
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["traffic"].as_str()),
        (Some("eastus"), Some("westeurope"))
    );
    // The configuration still names eastus, which is still the active site.
    assert_eq!(d.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn validate_reports_the_dr_plans_redis_contradiction_at_its_place() {
    let d = Drill::new();
    let p = d
        .stack()
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("modules/site/main.tf");
    let text = std::fs::read_to_string(&p).unwrap().replace("  minimum_tls_version = \"1.2\"\n", "  minimum_tls_version = \"1.2\"\n  redis_configuration {\n    aof_backup_enabled = true\n    rdb_backup_enabled = true\n  }\n");
    std::fs::write(&p, text).unwrap();
    let (code, _, err) = d.run(&["validate"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Redis persistence and geo-replication cannot be combined"),
        "{err}"
    );
    assert!(
        err.contains("modules/site/main.tf:")
            && err.contains("AOF and RDB persistence")
            && err.contains("choose one"),
        "{err}"
    );
}

#[test]
fn data_only_failover_moves_data_and_capacity_then_traffic_follows() {
    let d = Drill::new();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "data",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Data-only failover") && out.contains("Traffic stays on eastus"),
        "{out}"
    );
    assert_eq!(
        d.pg_role("westeurope"),
        "Primary",
        "the DR replica is promoted"
    );
    assert_eq!(
        d.pool_count("westeurope", "application"),
        20.0,
        "capacity moved with the data"
    );
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "westus",
        "storage is data"
    );
    assert_eq!(
        (d.origin_priority("eastus"), d.gateway_target().as_str()),
        (1.0, "gateway.eastus.aiwf.example.com"),
        "traffic stays"
    );
    assert_eq!(d.tm_priority("eastus"), 1.0);
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["traffic"].as_str()),
        (Some("westeurope"), Some("eastus"))
    );
    // Then traffic follows.
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "traffic",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        (d.origin_priority("westeurope"), d.gateway_target().as_str()),
        (1.0, "gateway.westeurope.aiwf.example.com")
    );
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["traffic"].as_str()),
        (Some("westeurope"), Some("westeurope"))
    );
    d.set_active("westeurope");
    assert_eq!(
        d.run(&["plan", "--detailed-exitcode"]).0,
        0,
        "the configuration agrees with the finished failover"
    );
}

#[test]
fn a_database_switch_moves_postgres_alone_and_fails_back_alone() {
    let d = Drill::new();
    d.requests();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "database",
        "--auto-approve",
        "--reason",
        "database switch drill",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains(
            "Failover (database only) of group \"platform\": eastus -> westeurope (planned)"
        ),
        "{out}"
    );
    assert!(out.contains("Failover complete") && out.contains("group \"platform\" stands eastus active, traffic on eastus, database on westeurope."), "{out}");
    assert!(
        out.contains("Moves to westeurope: database.")
            && out.contains("Stays on eastus: cache, capacity, storage, traffic."),
        "{out}"
    );
    assert!(
        out.contains("RPO: the moved components lose nothing"),
        "{out}"
    );
    assert_eq!(
        d.pg_role("westeurope"),
        "Primary",
        "the DR replica is promoted"
    );
    assert_eq!(
        d.link_of("eastus")[0]["role"],
        "Primary",
        "the cache link stays eastus -> westeurope"
    );
    assert_eq!(
        d.pool_count("westeurope", "application"),
        3.0,
        "capacity stays standby-sized"
    );
    assert_eq!(d.pool_count("eastus", "application"), 20.0);
    assert_eq!(
        (d.origin_priority("eastus"), d.gateway_target().as_str()),
        (1.0, "gateway.eastus.aiwf.example.com"),
        "traffic stays"
    );
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "eastus",
        "storage stays"
    );
    // (Resource Graph queries are reads, though they are POSTs.)
    let writes: Vec<_> = d
        .requests()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !read_only_post(p))
        .collect();
    assert!(
        writes.iter().all(|(_, p)| p.contains("flexibleservers")),
        "only the database was written: {writes:?}"
    );
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["traffic"].as_str()),
        (Some("eastus"), Some("eastus"))
    );
    assert_eq!(
        r["components"]["database"],
        json!({"active": "westeurope", "replicating": false})
    );
    // The group is still active on eastus, as configured: nothing to apply.
    let (code, out, err) = d.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code, 0, "{out}\n{err}");

    let (code, out, err) = d.run(&["failback", "platform", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("re-seed eastus's database"), "{out}");
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica")
    );
    assert_eq!(
        d.link_of("eastus")[0]["role"],
        "Primary",
        "the cache link was never touched"
    );
    let r = d.record();
    assert!(r.get("components").is_none(), "the split is gone: {r}");
    assert_eq!(d.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn only_names_the_components_a_group_declares() {
    let d = Drill::new();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "databse",
        "--auto-approve",
    ]);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        err.contains("\"databse\" is not a component of group \"platform\"")
            && err.contains("database, cache, capacity, storage"),
        "{err}"
    );
    assert_eq!(
        d.record()["status"],
        "applied",
        "nothing was recorded beyond the apply's placement"
    );
}

/// Regression: failback after a traffic-only failover used to fail the
/// whole group over to the other site, since the group's active site had
/// not changed. It now brings traffic home and touches nothing else.
#[test]
fn failback_after_a_traffic_only_failover_brings_traffic_home_alone() {
    let d = Drill::new();
    assert_eq!(
        d.run(&[
            "failover",
            "platform",
            "--to",
            "westeurope",
            "--only",
            "traffic",
            "--auto-approve"
        ])
        .0,
        0
    );
    d.requests();
    let (code, out, err) = d.run(&["failback", "platform", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("Failback of group \"platform\" to eastus"),
        "{out}"
    );
    assert_eq!(
        (d.origin_priority("eastus"), d.gateway_target().as_str()),
        (1.0, "gateway.eastus.aiwf.example.com")
    );
    assert_eq!(
        (
            d.pg_role("eastus").as_str(),
            d.pg_role("westeurope").as_str()
        ),
        ("Primary", "GeoAsyncReplica"),
        "data never moved"
    );
    let writes: Vec<_> = d
        .requests()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !read_only_post(p))
        .collect();
    assert!(
        !writes
            .iter()
            .any(|(_, p)| p.contains("flexibleservers") || p.contains("microsoft.cache")),
        "nothing was re-seeded: {writes:?}"
    );
    let r = d.record();
    assert_eq!(
        (r["active"].as_str(), r["traffic"].as_str()),
        (Some("eastus"), Some("eastus"))
    );
    assert_eq!(d.run(&["plan", "--detailed-exitcode"]).0, 0);
}

/// Failover is not tied to the example's names: two groups over other
/// region pairs, each moved on its own.
const TWO_GROUPS: &str = r#"
provider "azurerm" {
  features {}
}
failover_group "orders" {
  sites  = ["uksouth", "ukwest"]
  active = "uksouth"
}

failover_group "search" {
  sites  = ["eastus2", "centralus"]
  active = "eastus2"
}

locals {
  servers = {
    orders-uksouth   = { group = "orders", site = "uksouth", peer = "ukwest" }
    orders-ukwest    = { group = "orders", site = "ukwest", peer = "uksouth" }
    search-eastus2   = { group = "search", site = "eastus2", peer = "centralus" }
    search-centralus = { group = "search", site = "centralus", peer = "eastus2" }
  }
  groups = { orders = failover_group.orders, search = failover_group.search }
}

resource "azurerm_resource_group" "site" {
  for_each = local.servers
  name     = "rg-${each.key}"
  location = each.value.site
}

# One server per site and group. The second site's server names the
# first's id, so a replica is created after its source; the first builds
# its peer's id from names, so nothing waits in a cycle.
resource "azurerm_postgresql_flexible_server" "first" {
  for_each               = local.groups
  name                   = "pg-${each.key}-${each.value.sites[0]}"
  location               = each.value.sites[0]
  resource_group_name    = azurerm_resource_group.site["${each.key}-${each.value.sites[0]}"].name
  version                = "16"
  sku_name               = "GP_Standard_D2ds_v5"
  storage_mb             = 32768
  administrator_login    = local.replica["${each.key}-${each.value.sites[0]}"] ? null : "pgadmin"
  administrator_password = local.replica["${each.key}-${each.value.sites[0]}"] ? null : "change-me-in-a-secret-store"
  create_mode            = local.replica["${each.key}-${each.value.sites[0]}"] ? "Replica" : "Default"
  source_server_id       = local.replica["${each.key}-${each.value.sites[0]}"] ? "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-${each.key}-${each.value.sites[1]}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-${each.key}-${each.value.sites[1]}" : null
  replication_role       = each.value.roles[each.value.sites[0]] == "active" ? "None" : null
}

resource "azurerm_postgresql_flexible_server" "second" {
  for_each               = local.groups
  name                   = "pg-${each.key}-${each.value.sites[1]}"
  location               = each.value.sites[1]
  resource_group_name    = azurerm_resource_group.site["${each.key}-${each.value.sites[1]}"].name
  version                = "16"
  sku_name               = "GP_Standard_D2ds_v5"
  storage_mb             = 32768
  administrator_login    = local.replica["${each.key}-${each.value.sites[1]}"] ? null : "pgadmin"
  administrator_password = local.replica["${each.key}-${each.value.sites[1]}"] ? null : "change-me-in-a-secret-store"
  create_mode            = local.replica["${each.key}-${each.value.sites[1]}"] ? "Replica" : "Default"
  source_server_id       = local.replica["${each.key}-${each.value.sites[1]}"] ? azurerm_postgresql_flexible_server.first[each.key].id : null
  replication_role       = each.value.roles[each.value.sites[1]] == "active" ? "None" : null
}

locals {
  replica = { for k, s in local.servers : k => local.groups[s.group].roles[s.site] == "standby" && local.groups[s.group].replicating }
}

# Each group's writer endpoint: Azure's planned switchover needs one.
resource "azurerm_postgresql_flexible_server_virtual_endpoint" "writer" {
  for_each          = local.groups
  name              = "pg-${each.key}"
  source_server_id  = each.value.active == each.value.sites[0] ? azurerm_postgresql_flexible_server.first[each.key].id : azurerm_postgresql_flexible_server.second[each.key].id
  replica_server_id = each.value.active == each.value.sites[0] ? azurerm_postgresql_flexible_server.second[each.key].id : azurerm_postgresql_flexible_server.first[each.key].id
  type              = "ReadWrite"
}

resource "azurerm_resource_group" "dns" {
  name     = "rg-dns"
  location = "uksouth"
}

resource "azurerm_dns_zone" "z" {
  name                = "shop.example.com"
  resource_group_name = azurerm_resource_group.dns.name
}

resource "azurerm_dns_cname_record" "group" {
  for_each            = local.groups
  name                = each.key
  zone_name           = azurerm_dns_zone.z.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 60
  record              = "${each.key}.${each.value.active}.shop.example.com"
}
"#;

#[test]
fn any_region_pair_and_any_number_of_groups_fail_over_independently() {
    let d = Drill::new();
    let dir = d.root.path().join("stacks/shop");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), TWO_GROUPS).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(&dir)
            .args(args)
            .env("DRINFRA_EMULATOR_URL", &d.emu.url)
            .env(
                "DRINFRA_EMULATOR_DATA_DIR",
                d.root.path().join("state/emulator"),
            )
            .env("USER", "oncall")
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).to_string(),
            String::from_utf8_lossy(&o.stderr).to_string(),
        )
    };
    let role = |name: &str| {
        d.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-{name}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-{name}"), "2025-08-01")["properties"]["replicationRole"].as_str().unwrap_or_default().to_string()
    };
    let cname = |g: &str| {
        d.get(&format!("/subscriptions/{SUB}/resourceGroups/rg-dns/providers/Microsoft.Network/dnszones/shop.example.com/CNAME/{g}"), "2018-05-01")["properties"]["CNAMERecord"]["cname"].as_str().unwrap_or_default().to_string()
    };
    let (code, out, err) = run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        (
            role("orders-ukwest").as_str(),
            role("search-centralus").as_str()
        ),
        ("GeoAsyncReplica", "GeoAsyncReplica")
    );
    d.requests();

    let (code, out, err) = run(&["failover", "orders", "--to", "ukwest", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        role("orders-ukwest"),
        "Primary",
        "orders' DR server is promoted"
    );
    assert_eq!(cname("orders"), "orders.ukwest.shop.example.com");
    assert_eq!(
        (role("search-centralus").as_str(), cname("search").as_str()),
        ("GeoAsyncReplica", "search.eastus2.shop.example.com"),
        "search is untouched"
    );
    let writes: Vec<_> = d
        .requests()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !read_only_post(p))
        .collect();
    assert!(
        writes.iter().all(|(_, p)| !p.contains("search")),
        "no write reached the other group: {writes:?}"
    );
    let state: J =
        serde_json::from_str(&std::fs::read_to_string(dir.join("drinfra.tfstate")).unwrap())
            .unwrap();
    assert_eq!(state["failover_groups"]["orders"]["active"], "ukwest");
    assert_eq!(
        (
            state["failover_groups"]["search"]["status"].as_str(),
            state["failover_groups"]["search"]["active"].as_str()
        ),
        (Some("applied"), Some("eastus2")),
        "search keeps the apply's placement: {state}"
    );

    // The guard names the group that moved; the other still applies.
    let (code, _, err) = run(&["plan"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("Failover group \"orders\": \"ukwest\" is active"),
        "{err}"
    );
    let (code, out, err) = run(&["failover", "search", "--to", "centralus", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        (role("search-centralus").as_str(), cname("search").as_str()),
        ("Primary", "search.centralus.shop.example.com")
    );
    let text = TWO_GROUPS
        .replace("active = \"uksouth\"", "active = \"ukwest\"")
        .replace("active = \"eastus2\"", "active = \"centralus\"");
    std::fs::write(dir.join("main.tf"), text).unwrap();
    let (code, out, err) = run(&["plan", "--detailed-exitcode"]);
    assert_eq!(
        code, 0,
        "both failovers stand and the configuration agrees:\n{out}\n{err}"
    );
}

#[test]
fn storage_alone_fails_over_and_back() {
    let d = Drill::new();
    d.requests();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--only",
        "storage",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "westus"
    );
    assert_eq!(
        d.pg_role("westeurope"),
        "GeoAsyncReplica",
        "the database stays"
    );
    assert!(
        out.contains("storage failed over to its secondary region"),
        "{out}"
    );
    let writes: Vec<_> = d
        .requests()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !read_only_post(p))
        .collect();
    assert!(
        writes.iter().all(|(_, p)| p.contains("storageaccounts")),
        "only storage was touched: {writes:?}"
    );
    // Failing the database over to where it already is changes nothing.
    let (code, out, _) = d.run(&[
        "failover",
        "platform",
        "--to",
        "eastus",
        "--only",
        "database",
        "--auto-approve",
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("already stands as asked"), "{out}");
    let (code, out, err) = d.run(&["failback", "platform", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "eastus",
        "the account came home"
    );
    assert!(d.record().get("components").is_none());
    assert_eq!(d.run(&["plan", "--detailed-exitcode"]).0, 0);
}

/// Regression: a failover to the site that is already active went ahead:
/// it unlinked the caches, promoted the DR replica and failed storage over.
#[test]
fn a_failover_to_the_active_site_changes_nothing() {
    let d = Drill::new();
    d.requests();
    let (code, out, err) = d.run(&["failover", "platform", "--to", "eastus", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("already stands as asked"), "{out}");
    let writes: Vec<_> = d
        .requests()
        .into_iter()
        .filter(|(m, p)| m != "GET" && !read_only_post(p))
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    assert_eq!(
        (
            d.pg_role("westeurope").as_str(),
            d.storage("eastus")["properties"]["primaryLocation"].as_str()
        ),
        ("GeoAsyncReplica", Some("eastus"))
    );
    // With a component standing apart, a full failover "home" is refused
    // in favour of failback, which re-seeds first.
    assert_eq!(
        d.run(&[
            "failover",
            "platform",
            "--to",
            "westeurope",
            "--only",
            "database",
            "--auto-approve"
        ])
        .0,
        0
    );
    let (code, _, err) = d.run(&["failover", "platform", "--to", "eastus", "--auto-approve"]);
    assert_eq!(code, 1);
    assert!(err.contains("already active on \"eastus\", but these components stand apart on another site: database.") && err.contains("drinfra failback platform"), "{err}");
}

/// Ctrl-C during a failover: nothing new starts, what Azure is still doing
/// is recorded (its polling URL), and rerunning the same command follows it
/// instead of sending it again, then finishes the failover.
#[test]
fn an_interrupted_failover_records_what_azure_is_doing_and_the_rerun_follows_it() {
    let d = Drill::new();
    // Slow enough to interrupt the promotion even on a busy machine (it
    // waits out a 3,000 s lag: about 5 s here); storage failover first
    // takes about 3 s.
    d.admin(
        "PATCH",
        "settings",
        json!({"time_scale": 600.0, "replication_lag_secs": 3000.0}),
    );
    d.requests();
    let child = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(d.stack())
        .args([
            "failover",
            "platform",
            "--to",
            "westeurope",
            "--auto-approve",
            "--interrupt-grace",
            "0s",
        ])
        .env("DRINFRA_EMULATOR_URL", &d.emu.url)
        .env("USER", "oncall")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let promote = |reqs: &[(String, String)]| {
        reqs.iter()
            .filter(|(m, p)| m == "PATCH" && p.ends_with("flexibleservers/pg-aiwf-westeurope"))
            .count()
    };
    let mut seen = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while promote(&seen) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the replica was never promoted: {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        seen.extend(d.requests());
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("Failover incomplete")
            && stderr.contains("still running in Azure (recorded; the rerun follows them"),
        "{stderr}"
    );
    let state: J = serde_json::from_str(
        &std::fs::read_to_string(d.root.path().join("state/platform.tfstate")).unwrap(),
    )
    .unwrap();
    let ops = state["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("nothing recorded: {state}"));
    assert!(
        ops.iter().any(|o| o["method"] == "PATCH"
            && o["address"] == "module.westeurope.azurerm_postgresql_flexible_server.db"),
        "{ops:?}"
    );
    assert_eq!(d.record()["status"], "in_progress");
    seen.extend(d.requests());
    let promotions_before = promote(&seen);

    d.admin("PATCH", "settings", json!({"time_scale": 1.0e6}));
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let reqs = d.requests();
    assert_eq!(
        promotions_before + promote(&reqs),
        1,
        "the promotion was followed, not sent again: {reqs:?}"
    );
    assert_eq!(d.record()["status"], "complete");
    assert_eq!(d.pg_role("westeurope"), "Primary");
    let state: J = serde_json::from_str(
        &std::fs::read_to_string(d.root.path().join("state/platform.tfstate")).unwrap(),
    )
    .unwrap();
    assert!(state.get("operations").is_none(), "{state}");
}

/// The emulator's request log, drained, with each request's simulated time.
fn timed_requests(d: &Drill) -> Vec<(String, String, f64)> {
    let log = d.admin("DELETE", "requests", json!({}));
    log.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
                e["at"].as_f64().unwrap(),
            )
        })
        .collect()
}

fn secs(rfc3339: &J) -> f64 {
    drinfra::timefmt::parse_rfc3339(rfc3339.as_str().unwrap_or_default()).unwrap() as f64
}

/// Requests of the traffic phase: routing, and the sites' alerting, which
/// follows the site's role in the same phase (stacks/platform's alerts).
fn is_traffic(path: &str) -> bool {
    let p = path.to_lowercase();
    p.contains("microsoft.cdn")
        || p.contains("dnszones")
        || p.contains("trafficmanagerprofiles")
        || p.contains("microsoft.insights/")
}

#[test]
fn a_planned_failover_is_timed_on_the_emulators_clock() {
    let d = Drill::new();
    // 1 real second is 10,000 simulated seconds: real seconds would be
    // far below what the emulator's clock shows.
    d.admin("PATCH", "settings", json!({"time_scale": 10000.0}));
    // The DR plan's per-component targets, as the platform configures them.
    let main = d.stack().join("main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    assert!(text.contains("objectives"));
    d.requests();
    let report = d.root.path().join("drill.json");
    let real = std::time::Instant::now();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
        "--report",
        report.to_str().unwrap(),
    ]);
    let real = real.elapsed().as_secs_f64();
    assert_eq!(code, 0, "{out}\n{err}");
    let log = timed_requests(&d);
    let after = d.admin("GET", "time", json!({}))["now"].as_f64().unwrap();
    let r: J = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["clock"], "cloud", "{r:#}");
    let rto = &r["rto"];
    // Verification ends when the traffic phase's last request was answered,
    // on the emulator's clock (the Date header has whole seconds).
    let last_traffic = log
        .iter()
        .filter(|(_, p, _)| is_traffic(p))
        .map(|(_, _, at)| *at)
        .fold(f64::MIN, f64::max);
    let first_write = log
        .iter()
        .filter(|(m, p, _)| m != "GET" && !read_only_post(&p.to_lowercase()))
        .map(|(_, _, at)| *at)
        .fold(f64::MAX, f64::min);
    let done = secs(&rto["traffic_done"]);
    assert!(
        (done - last_traffic.floor()).abs() <= 1.0,
        "{done} vs {last_traffic}: {r:#}"
    );
    // Confirmed before the first write reached the cloud.
    assert!(secs(&rto["confirmed"]) <= first_write, "{r:#}");
    // A planned failover: no incident, so no detection; the parts add up.
    assert_eq!(rto["detection_secs"], 0.0);
    let parts: f64 = [
        "detection_secs",
        "decision_secs",
        "recovery_secs",
        "verification_secs",
    ]
    .iter()
    .map(|k| rto[*k].as_f64().unwrap())
    .sum();
    assert!((parts - rto["total_secs"].as_f64().unwrap()).abs() < 1e-6);
    // The parts end when the platform stack's health checks pass (the
    // verify phase after traffic), no earlier than the traffic phase.
    assert!(
        (secs(&rto["verified"]) - secs(&rto["detected"]) - parts).abs() <= 1.0,
        "{r:#}"
    );
    assert!(
        secs(&rto["verified"]) >= secs(&rto["traffic_done"]),
        "{r:#}"
    );
    let checks = r["health_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 3, "{r:#}");
    assert!(
        checks
            .iter()
            .all(|c| c["healthy"] == true && c["site"] == "westeurope")
    );
    // Simulated minutes, not the command's real seconds.
    assert!(
        parts > 600.0 && parts > real * 100.0,
        "{parts} s in {real} real s"
    );
    // The timeline is in cloud time: every entry between the confirmation
    // and the emulator's clock after the run.
    for e in r["timeline"].as_array().unwrap() {
        let at = secs(&e["at"]);
        assert!(
            at >= secs(&rto["confirmed"]) && at <= after,
            "{e} vs {after}"
        );
    }
    // The phase chart: the traffic phase ends where the emulator says.
    let traffic = r["phases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["phase"] == "traffic")
        .unwrap();
    assert_eq!(traffic["end"], rto["traffic_done"]);
    // Per component: PostgreSQL is back when its last step is done, auth
    // (no resources named) when the traffic is verified.
    let comps = r["components"].as_array().unwrap();
    let named = |n: &str| comps.iter().find(|c| c["component"] == n).unwrap();
    let (auth, pg) = (named("auth"), named("postgresql"));
    assert_eq!(auth["rto_actual_secs"], rto["total_secs"]);
    let pg_done = r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            e["phase"].is_string()
                && e["event"]
                    .as_str()
                    .unwrap()
                    .contains("azurerm_postgresql_flexible_server")
        })
        .map(|e| secs(&e["at"]))
        .fold(f64::MIN, f64::max);
    assert_eq!(
        pg["rto_actual_secs"].as_f64().unwrap(),
        pg_done - secs(&rto["detected"])
    );
    assert_eq!(pg["rto_target_secs"], 3600);
    // The record in state carries cloud time too.
    let since = secs(&d.record()["since"]);
    assert!(
        since >= done && since <= after,
        "{since} vs {done}..{after}"
    );
}

#[test]
fn a_forced_failover_counts_detection_from_the_outage_and_charts_its_phases() {
    let d = Drill::new();
    d.admin("PATCH", "settings", json!({"time_scale": 10000.0}));
    let faults = d.admin("POST", "faults/region-down", json!({"region": "eastus"}));
    let began = secs(&faults["outages"]["eastus"]);
    d.requests();
    let report = d.root.path().join("drill.md");
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--forced",
        "--auto-approve",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let log = timed_requests(&d);
    let md = std::fs::read_to_string(&report).unwrap();
    assert!(
        md.contains(&format!(
            "| {} | outage of eastus began | cloud | incident |",
            drinfra::timefmt::rfc3339(began)
        )),
        "{md}"
    );
    assert!(
        md.contains("| - detection (the cloud's outage of eastus -> failover started) | |"),
        "{md}"
    );
    // Detection runs from the fault's start to the command: at least the
    // simulated time until the command's first request.
    let first = log.iter().map(|(_, _, at)| *at).fold(f64::MAX, f64::min);
    let detection_line = md.lines().find(|l| l.starts_with("| - detection")).unwrap();
    assert!(
        !detection_line.ends_with("| 0 s |"),
        "{detection_line}, first request {}",
        first - began
    );
    // The Gantt block: a valid Mermaid gantt whose traffic phase ends at
    // the traffic phase's last request on the emulator's clock.
    let gantt = md
        .split("```mermaid\n")
        .nth(1)
        .and_then(|g| g.split("```").next())
        .unwrap();
    assert!(
        gantt.starts_with("gantt\n") && gantt.contains("dateFormat YYYY-MM-DD HH:mm:ss"),
        "{gantt}"
    );
    let last_traffic = log
        .iter()
        .filter(|(_, p, _)| is_traffic(p))
        .map(|(_, _, at)| *at)
        .fold(f64::MIN, f64::max);
    let traffic = gantt
        .lines()
        .find(|l| l.trim_start().starts_with("traffic :"))
        .unwrap();
    let end = traffic
        .rsplit(", ")
        .next()
        .unwrap()
        .trim()
        .replace(' ', "T")
        + "Z";
    let end = drinfra::timefmt::parse_rfc3339(&end).unwrap() as f64;
    // drinfra notes a step's end at the latest cloud time it has seen,
    // which a concurrent storage-failover poll can move a little past the
    // traffic step's own answer (a few real milliseconds under load are
    // many simulated seconds); a local clock would be hours off.
    assert!(
        end >= last_traffic.floor() - 1.0 && end - last_traffic <= 60.0,
        "{traffic} vs {last_traffic}"
    );
    for l in gantt.lines().filter(|l| l.contains(" :p")) {
        let (_, times) = l.split_once(" :p").unwrap();
        assert_eq!(times.split(", ").count(), 3, "{l}");
    }
}

/// The README's walkthrough: the platform against the embedded emulator
/// (no DRINFRA_EMULATOR_URL). Its health checks must reach the emulator's
/// stand-in for the sites' services: they went to the real host names
/// ("cannot connect"), so every failover ended "completed, unhealthy"
/// after hours of retries on the cloud's clock, since only an emulator
/// running apart was recognised as one.
#[test]
fn against_the_embedded_emulator_the_health_checks_reach_its_services() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
    copy_dir(&repo.join("modules"), &root.path().join("modules"));
    let stack = root.path().join("stacks/platform");
    // No DRINFRA_EMULATOR_URL: the CLI starts its embedded emulator.
    let run = |args: &[&str]| {
        let r = crate::common::drinfra_env(
            &stack,
            args,
            &[
                ("DRINFRA_EMULATOR_TIME_SCALE", "1000000"),
                ("USER", "oncall"),
            ],
        );
        (r.code, r.out.clone(), r.out)
    };
    let (code, out, err) = run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("embedded drinfra emulator") || err.contains("embedded drinfra emulator"));
    let (code, out, err) = run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!out.contains("cannot connect"), "{out}");
    assert!(!out.contains("UNHEALTHY"), "{out}");
}
