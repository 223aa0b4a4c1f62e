//! No split brain and RPO as lost writes, through the library against the
//! emulator: a planned failover fences the old primary before promoting;
//! a forced failover with the primary region down loses the writes made
//! within the replication lag before the outage, and the report's count
//! is the emulator's.

use std::path::PathBuf;
use std::time::Duration;

use drinfra::emulator::{self, Running};
use drinfra::ops::apply::{ApplyOptions, ApplyOutcome, plan_and_apply};
use drinfra::ops::failover::{FailoverOptions, FailoverOutcome, failover};
use drinfra::ops::plan::PlanOptions;
use drinfra::ops::prompt::AutoApprove;
use drinfra::ops::report::{DrillReport, Rpo};
use drinfra::ops::{Engine, Question, SessionOptions};
use serde_json::{Value as J, json};

const SUB: &str = "00000000-0000-0000-0000-000000000001";

use crate::common::copy_dir;

struct Platform {
    root: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
    emu: Running,
    http: reqwest::Client,
}

fn apply_options() -> ApplyOptions {
    ApplyOptions {
        parallelism: 32,
        grace: Duration::from_secs(60),
        interrupt: drinfra::ops::session::never,
        by: "oncall@test".into(),
    }
}

fn pg(site: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.DBforPostgreSQL/flexibleServers/pg-aiwf-{site}"
    )
}

impl Platform {
    /// `stacks/platform` applied on a fresh emulator at high compression.
    fn applied() -> Platform {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let root = tempfile::tempdir().unwrap();
        copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
        copy_dir(&repo.join("modules"), &root.path().join("modules"));
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = crate::common::start_emulator(&rt, root.path().join("state/emulator"), 1.0e6);
        let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
        let p = Platform {
            root,
            rt,
            emu,
            http,
        };
        p.admin("PATCH", "settings", json!({"max_retry_after": 1}));
        let mut engine = p.engine("apply");
        let outcome = plan_and_apply(
            &mut engine,
            &PlanOptions::default(),
            &apply_options(),
            Question::Proceed {
                action: "perform these actions".into(),
            },
            &mut AutoApprove,
            &mut |_| {},
        )
        .unwrap();
        let ApplyOutcome::Applied(report) = outcome else {
            panic!("nothing applied: {outcome:?}")
        };
        assert!(report.ok(), "{:?}", report.failed);
        p
    }

    fn engine(&self, operation: &str) -> Engine {
        let opts = SessionOptions {
            dir: self.root.path().join("stacks/platform"),
            inputs: vec![],
            env: vec![
                ("DRINFRA_EMULATOR_URL".into(), self.emu.url.clone()),
                ("USER".into(), "oncall".into()),
            ],
            operation: operation.into(),
            validate_all: true,
            lock_timeout: Duration::ZERO,
            lock: true,
            emulators: None,
        };
        match Engine::start(&opts, &mut |_| {}) {
            Ok(e) => e,
            Err(e) => panic!("{operation}: {e}"),
        }
    }

    fn admin(&self, method: &str, path: &str, body: J) -> J {
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

    fn write(&self, resource: &str, value: &str) -> J {
        self.admin(
            "POST",
            "dataplane/write",
            json!({"resource": resource, "value": value}),
        )
    }

    fn values(&self, resource: &str) -> J {
        self.admin("GET", &format!("dataplane?resource={resource}"), J::Null)["values"].clone()
    }

    fn fail_over(&self, forced: bool) -> Box<DrillReport> {
        let mut engine = self.engine("failover");
        let opts = FailoverOptions {
            group: "platform".into(),
            to: "westeurope".into(),
            forced,
            only: None,
            plan_only: false,
            reason: "fence drill".into(),
            refresh: true,
            targets: vec![],
            apply: apply_options(),
            detected_at: None,
        };
        match failover(&mut engine, &opts, &mut AutoApprove, &mut |_| {}).unwrap() {
            FailoverOutcome::Complete { drill, .. } => drill,
            other => panic!("{other:?}"),
        }
    }
}

/// The RPO the drill report gives for the store at `address` (a suffix).
fn store_rpo<'a>(drill: &'a DrillReport, address: &str) -> &'a Rpo {
    drill
        .rpo
        .iter()
        .find(|s| s.address.ends_with(address))
        .map(|s| &s.rpo)
        .unwrap_or_else(|| panic!("no RPO for {address}: {:?}", drill.rpo))
}

#[test]
fn a_planned_failover_fences_the_old_primary_and_keeps_every_write() {
    let p = Platform::applied();
    let (old, new) = (pg("eastus"), pg("westeurope"));
    for i in 1..=3 {
        assert!(p.write(&old, &format!("order-{i}"))["seq"].is_i64());
    }
    let drill = p.fail_over(false);

    // The old primary was switched over: a write to it is refused, not
    // accepted and lost.
    let refused = p.write(&old, "late-order");
    assert_eq!(refused["error"]["code"], "ReadOnlyReplica", "{refused}");
    // The new primary holds every write made before the switch, and takes
    // new ones; the old primary replicates from it, without duplicates.
    assert_eq!(p.values(&new), json!(["order-1", "order-2", "order-3"]));
    assert!(p.write(&new, "order-4")["seq"].is_i64());
    let replica = p.admin("GET", &format!("dataplane?resource={old}"), J::Null);
    assert_eq!(replica["role"], "replica", "{replica}");
    assert!(
        replica["replicatesFrom"]
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case(&new)),
        "{replica}"
    );
    // RPO 0, as the emulator counts it: the server cut nothing, and the
    // cache's unlink lost nothing (nothing was written to it).
    let lost = p.admin("GET", "dataplane/lost-writes", J::Null);
    assert!(
        lost["servers"].as_array().unwrap().iter().all(
            |s| s["count"] == 0 && !s["resource"].as_str().unwrap().contains("flexibleServers")
        ),
        "{lost}"
    );
    match store_rpo(&drill, "westeurope.azurerm_postgresql_flexible_server.db") {
        Rpo::Lost(l) => assert_eq!((l.count, &l.window), (0, &None)),
        other => panic!("{other:?}"),
    }
    match store_rpo(&drill, "azurerm_redis_linked_server.geo[0]") {
        Rpo::Lost(l) => assert_eq!(l.count, 0),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_forced_failover_in_an_outage_reports_the_writes_the_emulator_lost() {
    let p = Platform::applied();
    let (old, new) = (pg("eastus"), pg("westeurope"));
    // Writes long before the outage (the clock runs a million times fast).
    for i in 1..=3 {
        assert!(p.write(&old, &format!("early-{i}"))["seq"].is_i64());
    }
    std::thread::sleep(Duration::from_millis(5));
    // Then at real speed: writes within the 10 s replication lag before
    // the outage, which have not reached the replica when the region goes.
    p.admin("PATCH", "settings", json!({"time_scale": 1.0}));
    let mut made_after_cut = 0;
    for i in 1..=4 {
        assert!(p.write(&old, &format!("late-{i}"))["seq"].is_i64());
        made_after_cut += 1;
    }
    let cache = |site: &str| {
        format!(
            "/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.Cache/redis/redis-aiwf-{site}"
        )
    };
    for i in 1..=2 {
        assert!(p.write(&cache("eastus"), &format!("session-{i}"))["seq"].is_i64());
    }
    p.admin("POST", "faults/region-down", json!({"region": "eastus"}));
    let down = p.write(&old, "during-outage");
    assert_eq!(down["error"]["code"], "ServiceUnavailable", "{down}");
    p.admin("PATCH", "settings", json!({"time_scale": 1.0e6}));

    let drill = p.fail_over(true);

    // The emulator's own record: what the cut lost, and when.
    let lost = p.admin("GET", "dataplane/lost-writes", J::Null);
    let of = |id: &str| {
        lost["servers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["resource"]
                    .as_str()
                    .is_some_and(|r| r.eq_ignore_ascii_case(id))
            })
            .cloned()
            .unwrap_or_else(|| panic!("no record for {id}: {lost}"))
    };
    let server = of(&new);
    assert_eq!(server["count"], made_after_cut, "{lost}");
    // The cut is at the outage minus the lag, where the outage began.
    let outage_began = server["windowEnd"].as_f64().unwrap();
    assert_eq!(server["windowStart"].as_f64().unwrap(), outage_began - 10.0);
    // The cache was unlinked in the same outage: its two late writes lost.
    assert_eq!(of(&cache("westeurope"))["count"], 2, "{lost}");
    let servers = [server];
    assert_eq!(p.values(&new), json!(["early-1", "early-2", "early-3"]));
    // The report carries the same count and window, per data store.
    match store_rpo(&drill, "azurerm_redis_linked_server.geo[0]") {
        Rpo::Lost(l) => assert_eq!(l.count, 2),
        other => panic!("{other:?}"),
    }
    match store_rpo(&drill, "westeurope.azurerm_postgresql_flexible_server.db") {
        Rpo::Lost(l) => {
            assert_eq!(l.count, made_after_cut as u64);
            let (from, to) = l.window.clone().unwrap();
            assert_eq!(
                (from.as_str(), to.as_str()),
                (
                    servers[0]["windowStartIso"].as_str().unwrap(),
                    servers[0]["windowEndIso"].as_str().unwrap()
                )
            );
        }
        other => panic!("{other:?}"),
    }
}
