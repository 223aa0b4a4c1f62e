//! The runbook's own steps: notifications posted in order to a local
//! receiver (and one that is down not failing the run), the verify
//! phase's health checks against the emulator's site services (a run
//! failing as "completed, unhealthy" when the emulator makes one
//! unhealthy), Front Door following the same health, a PostgreSQL check
//! against the real PostgreSQL, and bad declarations located.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use drinfra::ops::apply::{ApplyOptions, ApplyOutcome, plan_and_apply};
use drinfra::ops::failback::{FailbackOptions, FailbackOutcome, failback};
use drinfra::ops::failover::{FailoverOptions, FailoverOutcome, failover};
use drinfra::ops::plan::PlanOptions;
use drinfra::ops::prompt::AutoApprove;
use drinfra::ops::{Engine, Question, SessionOptions};

use crate::common::copy_dir;

/// What the receiver got: (path, JSON body), in arrival order.
type Got = Arc<Mutex<Vec<(String, serde_json::Value)>>>;

/// A small HTTP server on loopback that records every POST.
fn receiver(rt: &tokio::runtime::Runtime) -> (SocketAddr, Got) {
    let got: Got = Arc::default();
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let addr = listener.local_addr().unwrap();
    let g = got.clone();
    rt.spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let g = g.clone();
            tokio::spawn(async move {
                let svc = hyper::service::service_fn(
                    move |req: hyper::Request<hyper::body::Incoming>| {
                        let g = g.clone();
                        async move {
                            use http_body_util::BodyExt;
                            let path = req.uri().path().to_string();
                            let body = req
                                .into_body()
                                .collect()
                                .await
                                .map(|b| b.to_bytes())
                                .unwrap_or_default();
                            let json =
                                serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                            g.lock().unwrap().push((path, json));
                            Ok::<_, std::convert::Infallible>(hyper::Response::new(
                                http_body_util::Full::new(bytes::Bytes::from_static(b"ok")),
                            ))
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), svc)
                    .await;
            });
        }
    });
    (addr, got)
}

fn apply_options() -> ApplyOptions {
    ApplyOptions {
        parallelism: 32,
        grace: Duration::from_secs(60),
        interrupt: drinfra::ops::session::never,
        by: "oncall@test".into(),
    }
}

fn session(dir: &Path, env: &[(String, String)], operation: &str) -> SessionOptions {
    SessionOptions {
        dir: dir.to_path_buf(),
        inputs: vec![],
        env: env.to_vec(),
        operation: operation.into(),
        validate_all: true,
        lock_timeout: Duration::ZERO,
        lock: true,
        emulators: None,
    }
}

fn start(dir: &Path, env: &[(String, String)], operation: &str) -> Engine {
    match Engine::start(&session(dir, env, operation), &mut |_| {}) {
        Ok(e) => e,
        Err(e) => panic!("{operation}: {e}"),
    }
}

/// The webhook JSON events the receiver got at `path`, in order.
fn moments(got: &Got, path: &str) -> Vec<String> {
    got.lock()
        .unwrap()
        .iter()
        .filter(|(p, _)| p == path)
        .map(|(_, j)| j["event"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn a_failover_and_failback_notify_in_order_and_verify_on_the_emulator() {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
    copy_dir(&repo.join("modules"), &root.path().join("modules"));
    let dir = root.path().join("stacks/platform");
    // The failing check of the failback gives up quickly.
    let runbook = std::fs::read_to_string(dir.join("runbook.tf")).unwrap();
    let runbook = runbook.replace(
        "  url           = \"https://gateway.eastus.aiwf.example.com/api/auth/health\"\n  expect_status = 200\n",
        "  url           = \"https://gateway.eastus.aiwf.example.com/api/auth/health\"\n  expect_status = 200\n  interval      = \"200ms\"\n  attempts      = 2\n",
    );
    std::fs::write(dir.join("runbook.tf"), runbook).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = crate::common::start_emulator(&rt, root.path().join("state/emulator"), 1.0e6);
    let (addr, got) = receiver(&rt);
    let env = vec![
        ("DRINFRA_EMULATOR_URL".to_string(), emu.url.clone()),
        ("USER".into(), "oncall".into()),
        (
            "TF_VAR_chat_webhook_url".into(),
            format!("http://{addr}/slack"),
        ),
        (
            "TF_VAR_status_webhook_url".into(),
            format!("http://{addr}/status"),
        ),
        // Nothing listens there: a target that is down.
        (
            "TF_VAR_teams_webhook_url".into(),
            "http://127.0.0.1:9/teams".into(),
        ),
    ];
    let mut engine = start(&dir, &env, "apply");
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
    let state = engine.session.backend.load().unwrap().unwrap();
    drop(engine);
    let fd_host = match state.resources["module.edge.azurerm_cdn_frontdoor_endpoint.api"].value() {
        drinfra::lang::Value::Object(m) => match m.get("host_name") {
            Some(drinfra::lang::Value::String(h)) => h.clone(),
            other => panic!("no Front Door host: {other:?}"),
        },
        other => panic!("not an object: {other:?}"),
    };
    let client = drinfra::emulator::client(emu.ca_pem.as_deref()).unwrap();
    let get = |path: &str| {
        rt.block_on(async {
            let r = client
                .get(format!("{}{path}", emu.url))
                .send()
                .await
                .unwrap();
            let origin = r
                .headers()
                .get("x-drinfra-origin")
                .map(|v| v.to_str().unwrap().to_string());
            (r.status().as_u16(), origin)
        })
    };
    let patch_faults = |body: serde_json::Value| {
        rt.block_on(async {
            let r = client
                .patch(format!("{}/admin/faults", emu.url))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success());
        })
    };
    // Front Door sends users to the active site's healthy gateway.
    assert_eq!(
        get(&format!("/services/{fd_host}/health")),
        (200, Some("gateway.eastus.aiwf.example.com".into()))
    );

    let opts = FailoverOptions {
        group: "platform".into(),
        to: "westeurope".into(),
        forced: false,
        only: None,
        plan_only: false,
        reason: "runbook drill".into(),
        refresh: true,
        targets: vec![],
        apply: apply_options(),
        detected_at: None,
    };
    let mut engine = start(&dir, &env, "failover");
    let outcome = failover(&mut engine, &opts, &mut AutoApprove, &mut |_| {}).unwrap();
    drop(engine);
    let FailoverOutcome::Complete { drill, .. } = &outcome else {
        panic!("not complete: {outcome:?}")
    };
    assert!(!outcome.unhealthy(), "{:?}", drill.health);
    let checked: Vec<(&str, bool)> = drill
        .health
        .iter()
        .map(|c| (c.name.as_str(), c.passed))
        .collect();
    assert_eq!(
        checked,
        vec![
            ("westeurope_agent", true),
            ("westeurope_auth", true),
            ("westeurope_gateway", true)
        ]
    );
    // Verification ends when the checks pass, on the cloud's clock.
    let last_check = drill.health.iter().map(|c| c.at).fold(f64::MIN, f64::max);
    assert_eq!(drill.rto.verified, Some(last_check));
    // In order: start, a message per phase, completion; the same to both
    // live targets; the one that is down is reported, not fatal.
    let status = moments(&got, "/status");
    assert_eq!(status.first().map(String::as_str), Some("start"));
    assert_eq!(status.last().map(String::as_str), Some("complete"));
    assert!(
        status[1..status.len() - 1].iter().all(|m| m == "phase"),
        "{status:?}"
    );
    assert!(status.len() >= 4, "{status:?}");
    assert_eq!(moments(&got, "/slack").len(), status.len());
    let slack_first = &got
        .lock()
        .unwrap()
        .iter()
        .find(|(p, _)| p == "/slack")
        .unwrap()
        .1
        .clone();
    assert!(
        slack_first["text"]
            .as_str()
            .unwrap()
            .contains("Failover of platform started")
    );
    let complete = &got
        .lock()
        .unwrap()
        .iter()
        .rev()
        .find(|(p, _)| p == "/status")
        .unwrap()
        .1
        .clone();
    assert!(complete["facts"]["RTO"].is_string(), "{complete}");
    let teams: Vec<_> = drill
        .notifications
        .iter()
        .filter(|d| d.target == "platform_team")
        .collect();
    assert_eq!(teams.len(), status.len());
    assert!(teams.iter().all(|d| d.error.is_some()));
    assert!(
        drill
            .notifications
            .iter()
            .filter(|d| d.target != "platform_team")
            .all(|d| d.error.is_none())
    );
    // Front Door follows: the standby's gateway now has priority.
    assert_eq!(
        get(&format!("/services/{fd_host}/health")),
        (200, Some("gateway.westeurope.aiwf.example.com".into()))
    );

    // The emulator makes eastus's auth service unhealthy: the failback
    // completes, unhealthy, with that check listed.
    patch_faults(
        serde_json::json!({"unhealthy_services": ["gateway.eastus.aiwf.example.com/api/auth/health"]}),
    );
    got.lock().unwrap().clear();
    let mut engine = start(&dir, &env, "failback");
    let back = failback(
        &mut engine,
        &FailbackOptions {
            group: "platform".into(),
            reason: "drill over".into(),
            refresh: true,
            targets: vec![],
            apply: apply_options(),
        },
        &mut AutoApprove,
        &mut |_| {},
    )
    .unwrap();
    drop(engine);
    let FailbackOutcome::Complete { drill, .. } = &back else {
        panic!("failback not complete: {back:?}")
    };
    assert!(back.unhealthy());
    let failed: Vec<&str> = drill
        .health
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(failed, vec!["eastus_auth"]);
    assert_eq!(
        drill
            .health
            .iter()
            .find(|c| c.name == "eastus_auth")
            .unwrap()
            .attempts,
        2
    );
    assert_eq!(drill.rto.verified, None);
    let status = moments(&got, "/status");
    assert_eq!(status.first().map(String::as_str), Some("start"));
    assert_eq!(status.last().map(String::as_str), Some("unhealthy"));
    // Front Door routes by the same health: eastus's gateway made
    // unhealthy, traffic goes to westeurope although eastus has priority.
    assert_eq!(
        get(&format!("/services/{fd_host}/health")),
        (200, Some("gateway.eastus.aiwf.example.com".into()))
    );
    patch_faults(serde_json::json!({"unhealthy_services": ["gateway.eastus.aiwf.example.com"]}));
    assert_eq!(
        get(&format!("/services/{fd_host}/health")),
        (200, Some("gateway.westeurope.aiwf.example.com".into()))
    );
    assert_eq!(
        get("/services/gateway.eastus.aiwf.example.com/health").0,
        503
    );
    // A region that is down fails its services, and Front Door leaves it.
    patch_faults(serde_json::json!({"unhealthy_services": [], "regions_down": ["westeurope"]}));
    assert_eq!(
        get("/services/gateway.eastus.aiwf.example.com/health").0,
        200
    );
    assert_eq!(
        get("/services/gateway.westeurope.aiwf.example.com/health").0,
        503
    );
    assert_eq!(
        get(&format!("/services/{fd_host}/health")),
        (200, Some("gateway.eastus.aiwf.example.com".into()))
    );
    patch_faults(serde_json::json!({"regions_down": ["westeurope", "eastus"]}));
    assert_eq!(get(&format!("/services/{fd_host}/health")), (503, None));
}

/// `(line, column, summary)` of each error of a stack in `dir`.
fn located(dir: &Path) -> Vec<(usize, usize, String)> {
    let stack = drinfra::config::open(dir, &[], &[]);
    stack
        .diags
        .items
        .iter()
        .filter_map(|d| {
            let s = d.span.as_ref()?;
            let lc = stack.config.sources.get(s.file).line_col(s.range.start);
            Some((lc.line, lc.col, d.summary.clone()))
        })
        .collect()
}

#[test]
fn bad_runbook_declarations_are_errors_at_their_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"failover_group "g" {
  sites  = ["a", "b"]
  active = "a"
}
notification "n" {
  format = "slack"
  url    = "http://hooks.example.com/x"
}
health_check "h" {
  site = "b"
}
health_check "i" {
  site     = "b"
  url      = "https://x.example.com/health"
  interval = "soon"
  timeout  = "1h"
  attempts = 0
}
health_check "j" {
  site = "c"
  url  = "https://x.example.com/health"
}
notification "k" {
  format = "email"
  url    = "https://hooks.example.com/x"
}
"#,
    )
    .unwrap();
    assert_eq!(
        located(dir.path()),
        vec![
            (7, 12, "Invalid URL".to_string()),
            (9, 1, "Missing required argument".into()),
            (15, 14, "Invalid duration".into()),
            (16, 14, "Invalid duration".into()),
            (17, 14, "Invalid attempts".into()),
            (24, 12, "Invalid format".into()),
            (20, 10, "Invalid site".into()),
        ]
    );
}

#[test]
fn a_webhook_url_from_a_variable_is_refused_where_it_is_used_before_any_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"variable "hook" {
  type      = string
  sensitive = true
}
failover_group "g" {
  sites  = ["a", "b"]
  active = "a"
}
resource "terraform_data" "site" {
  input = failover_group.g.active
}
notification "n" {
  format = "webhook"
  url    = var.hook
}
"#,
    )
    .unwrap();
    let env = vec![(
        "TF_VAR_hook".to_string(),
        "http://hooks.example.com/SECRET".to_string(),
    )];
    let mut engine = start(dir.path(), &env, "apply");
    plan_and_apply(
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
    drop(engine);
    let mut engine = start(dir.path(), &env, "failover");
    let mut seen = Vec::new();
    let result = failover(
        &mut engine,
        &FailoverOptions {
            group: "g".into(),
            to: "b".into(),
            forced: false,
            only: None,
            plan_only: false,
            reason: String::new(),
            refresh: false,
            targets: vec![],
            apply: apply_options(),
            detected_at: None,
        },
        &mut AutoApprove,
        &mut |e| {
            if let drinfra::ops::Event::Diagnostics { diags, sources } = e {
                for d in &diags.items {
                    let s = d.span.clone().unwrap();
                    let lc = sources.get(s.file).line_col(s.range.start);
                    seen.push((lc.line, lc.col, format!("{} {:?}", d.summary, d.detail)));
                }
            }
        },
    );
    assert!(
        matches!(result, Err(drinfra::ops::Error::Stopped(_))),
        "{result:?}"
    );
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!((seen[0].0, seen[0].1), (14, 12));
    assert!(!seen[0].2.contains("SECRET"), "{seen:?}");
    // Nothing changed: the group is still where it was placed.
    let state = engine.session.backend.load().unwrap().unwrap();
    assert_eq!(state.failover_groups["g"].active, "a");
}

/// Applies a stack of two sites `a` (active) and `b` with sensitive
/// string variables `vars` (name, value) and `checks`, then fails over to
/// `b`: the outcome, whose drill holds the checks' results.
pub(crate) fn checked_failover(vars: &[(&str, &str)], checks: &str) -> FailoverOutcome {
    let dir = tempfile::tempdir().unwrap();
    let mut tf = String::new();
    for (name, _) in vars {
        tf.push_str(&format!(
            "variable \"{name}\" {{\n  type      = string\n  sensitive = true\n}}\n"
        ));
    }
    tf.push_str(
        "failover_group \"g\" {\n  sites  = [\"a\", \"b\"]\n  active = \"a\"\n}\nresource \"terraform_data\" \"site\" {\n  input = failover_group.g.active\n}\n",
    );
    tf.push_str(checks);
    std::fs::write(dir.path().join("main.tf"), tf).unwrap();
    let env: Vec<(String, String)> = vars
        .iter()
        .map(|(n, v)| (format!("TF_VAR_{n}"), v.to_string()))
        .collect();
    let mut engine = start(dir.path(), &env, "apply");
    plan_and_apply(
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
    drop(engine);
    let mut engine = start(dir.path(), &env, "failover");
    failover(
        &mut engine,
        &FailoverOptions {
            group: "g".into(),
            to: "b".into(),
            forced: false,
            only: None,
            plan_only: false,
            reason: String::new(),
            refresh: false,
            targets: vec![],
            apply: apply_options(),
            detected_at: None,
        },
        &mut AutoApprove,
        &mut |_| {},
    )
    .unwrap()
}

#[test]
fn a_postgres_check_verifies_the_promoted_database_on_the_real_postgresql() {
    if !crate::common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = std::env::var("PG_CONN_STR").unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let table = format!("h2_rows_{}", std::process::id());
    let (client, driver) = rt
        .block_on(tokio_postgres::connect(&conn, tokio_postgres::NoTls))
        .unwrap();
    rt.spawn(driver);
    rt.block_on(client.batch_execute(&format!(
        "DROP TABLE IF EXISTS {table}; CREATE TABLE {table} (n int); INSERT INTO {table} VALUES (1), (2), (3);"
    )))
    .unwrap();
    let checks = format!(
        r#"health_check "primary" {{
  site = "b"
  postgres {{
    connection = var.db
    query      = "SELECT pg_is_in_recovery()"
    expect     = false
  }}
}}
health_check "rows" {{
  site     = "b"
  attempts = 1
  postgres {{
    connection = var.db
    query      = "SELECT count(*) FROM {table}"
    expect     = 3
  }}
}}
health_check "missing_rows" {{
  site     = "b"
  attempts = 2
  interval = "100ms"
  postgres {{
    connection = var.db
    query      = "SELECT count(*) FROM {table}"
    expect     = 4
  }}
}}
"#
    );
    let outcome = checked_failover(&[("db", &conn)], &checks);
    rt.block_on(client.batch_execute(&format!("DROP TABLE {table}")))
        .unwrap();
    let FailoverOutcome::Complete { drill, .. } = &outcome else {
        panic!("not complete: {outcome:?}")
    };
    let results: Vec<(&str, bool, &str, u32)> = drill
        .health
        .iter()
        .map(|c| (c.name.as_str(), c.passed, c.detail.as_str(), c.attempts))
        .collect();
    assert_eq!(
        results,
        vec![
            ("missing_rows", false, "got 3, expected 4", 2),
            ("primary", true, "got false", 1),
            ("rows", true, "got 3", 1),
        ]
    );
    assert!(outcome.unhealthy());
    // The connection string is never part of what is shown.
    assert!(
        drill
            .health
            .iter()
            .all(|c| !c.what.contains(&conn) && !c.detail.contains(&conn))
    );
}

#[test]
fn a_failover_with_json_streams_events_for_chat_ops_and_an_unhealthy_run_exits_3() {
    let d = crate::failover::Drill::new();
    // westeurope's agent service fails its health: the failover completes,
    // unhealthy, exit 3.
    d.admin(
        "PATCH",
        "faults",
        serde_json::json!({"unhealthy_services": ["gateway.westeurope.aiwf.example.com/api/agents/health"]}),
    );
    let runbook = d.stack().join("runbook.tf");
    let text = std::fs::read_to_string(&runbook).unwrap().replace(
        "  url           = \"https://gateway.westeurope.aiwf.example.com/api/agents/health\"\n  expect_status = 200\n",
        "  url           = \"https://gateway.westeurope.aiwf.example.com/api/agents/health\"\n  expect_status = 200\n  interval      = \"100ms\"\n  attempts      = 2\n",
    );
    std::fs::write(&runbook, text).unwrap();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
        "--json",
    ]);
    assert_eq!(code, 3, "{out}\n{err}");
    let events: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    let first = |t: &str| {
        types
            .iter()
            .position(|x| *x == t)
            .unwrap_or_else(|| panic!("no {t}: {types:?}"))
    };
    assert!(first("failover_planned") < first("runbook_start"));
    assert!(first("runbook_start") < first("phase_start"));
    assert!(first("phase_done") < first("verify_start"));
    assert!(first("verify_start") < first("health_check"));
    assert_eq!(types.last(), Some(&"runbook_outcome"));
    let outcome = events.last().unwrap();
    assert_eq!(outcome["status"], "completed_unhealthy");
    let failed: Vec<&str> = outcome["report"]["health_checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["healthy"] == false)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(failed, vec!["westeurope_agent"]);
    // The move itself is recorded.
    assert_eq!(d.record()["active"], "westeurope");
}

#[test]
fn secret_urls_are_never_shown_in_events_or_reports() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (addr, got) = receiver(&rt);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        r#"variable "probe" {
  type      = string
  sensitive = true
}
variable "hook" {
  type      = string
  sensitive = true
}
failover_group "g" {
  sites  = ["a", "b"]
  active = "a"
}
resource "terraform_data" "site" {
  input = failover_group.g.active
}
notification "n" {
  format = "slack"
  url    = var.hook
}
health_check "probe" {
  site = "b"
  url  = var.probe
}
"#,
    )
    .unwrap();
    let env = vec![
        (
            "TF_VAR_probe".to_string(),
            format!("http://{addr}/health?token=SECRET1"),
        ),
        (
            "TF_VAR_hook".to_string(),
            format!("http://{addr}/hook/SECRET2"),
        ),
    ];
    let mut engine = start(dir.path(), &env, "apply");
    plan_and_apply(
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
    drop(engine);
    let mut engine = start(dir.path(), &env, "failover");
    let mut told = String::new();
    let mut live = drinfra::render::live::Live::new();
    let outcome = failover(
        &mut engine,
        &FailoverOptions {
            group: "g".into(),
            to: "b".into(),
            forced: false,
            only: None,
            plan_only: false,
            reason: String::new(),
            refresh: false,
            targets: vec![],
            apply: apply_options(),
            detected_at: None,
        },
        &mut AutoApprove,
        &mut |e| {
            if let drinfra::ops::Event::Runbook(r) = &e {
                // What is shown: the live view's lines and JSON events.
                for line in live.on(r) {
                    told.push_str(&line);
                }
                if let Some(j) = drinfra::render::live::json(r) {
                    told.push_str(&j.to_string());
                }
            }
        },
    )
    .unwrap();
    let FailoverOutcome::Complete { drill, .. } = &outcome else {
        panic!("not complete: {outcome:?}")
    };
    assert!(!outcome.unhealthy(), "{:?}", drill.health);
    assert_eq!(drill.health[0].what, "GET http://127.0.0.1/(sensitive)");
    // The webhook got its messages (the start, the phase, the completion).
    assert!(
        got.lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == "/hook/SECRET2")
            .count()
            >= 3
    );
    let report =
        drinfra::render::drill::to_json(drill).to_string() + &drinfra::render::drill::render(drill);
    for text in [&told, &report] {
        assert!(
            !text.contains("SECRET1") && !text.contains("SECRET2"),
            "{text}"
        );
    }
}
