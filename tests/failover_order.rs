//! Order and timing of a forced failover of `stacks/platform`, read from
//! the emulator's own record: when its clock says each promotion finished
//! (the operation's end time), and which requests reached a dead region.

use serde_json::{Value as J, json};

use super::failover::Drill;

/// Requests logged since the last drain: (method, path, status, simulated time).
fn log(d: &Drill) -> Vec<(String, String, u16, f64)> {
    d.admin("DELETE", "requests", json!({}))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["method"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
                e["status"].as_u64().unwrap() as u16,
                e["at"].as_f64().unwrap(),
            )
        })
        .collect()
}

/// When (simulated seconds) the operation started by the first write of
/// `method` to a path ending in `target` finished, by the emulator's clock:
/// the end time its status URL reports.
fn finished(d: &Drill, log: &[(String, String, u16, f64)], method: &str, target: &str) -> f64 {
    // The operation's own provider namespace (operations of others run alongside).
    let ns = target.split('/').next().unwrap_or_default().to_lowercase();
    let at = log
        .iter()
        .position(|(m, p, ..)| m == method && p.to_lowercase().ends_with(&target.to_lowercase()))
        .unwrap_or_else(|| panic!("no {method} {target} in {log:?}"));
    let op = log[at + 1..]
        .iter()
        .filter(|(_, p, ..)| {
            p.to_lowercase()
                .contains(&format!("/providers/{ns}/locations/"))
        })
        .find_map(|(_, p, ..)| {
            p.split_once("/operationStatuses/")
                .or_else(|| p.split_once("/operationResults/"))
                .map(|(base, id)| format!("{base}/operationStatuses/{id}"))
        })
        .unwrap_or_else(|| panic!("no operation followed {method} {target}"));
    let status: J = d.get(&op, "2021-04-01");
    assert_eq!(status["status"], "Succeeded", "{status}");
    drinfra::timefmt::parse_rfc3339(status["endTime"].as_str().unwrap()).unwrap() as f64
}

#[test]
fn forced_failover_brings_postgres_and_redis_up_within_their_targets_while_storage_fails_over() {
    let d = Drill::new();
    // Slow enough that the run's own real time is small next to Azure's
    // durations (the storage failover's hour is 18 real seconds).
    d.admin("PATCH", "settings", json!({"time_scale": 200.0}));
    d.admin("POST", "faults/region-down", json!({"region": "eastus"}));
    log(&d);
    let start = d.admin("GET", "time", json!({}))["now"].as_f64().unwrap();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--forced",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let log = log(&d);
    let minutes = |t: f64| (t - start) / 60.0;
    // The DR plan's per-component targets, by the emulator's clock.
    let redis = minutes(finished(
        &d,
        &log,
        "DELETE",
        "Microsoft.Cache/redis/redis-aiwf-eastus/linkedServers/redis-aiwf-westeurope",
    ));
    let postgres = minutes(finished(
        &d,
        &log,
        "PATCH",
        "Microsoft.DBforPostgreSQL/flexibleServers/pg-aiwf-westeurope",
    ));
    let storage = minutes(finished(
        &d,
        &log,
        "POST",
        "Microsoft.Storage/storageAccounts/staiwfeastus/failover",
    ));
    eprintln!(
        "simulated minutes from the command's start: Redis {redis:.1}, PostgreSQL {postgres:.1}, storage {storage:.1}"
    );
    assert!(redis < 30.0, "Redis up after {redis:.1} min (target 30)");
    assert!(
        postgres < 60.0,
        "PostgreSQL up after {postgres:.1} min (target 60)"
    );
    assert!(
        storage > postgres && storage > redis,
        "the storage failover (an hour, unplanned) ran alongside, not first"
    );
    assert_eq!(
        d.storage("eastus")["properties"]["primaryLocation"],
        "westus"
    );
    // One write promotes the replica and carries the plan's other changes:
    // no second update after the promotion.
    let pg_writes: Vec<_> = log
        .iter()
        .filter(|(m, p, ..)| m != "GET" && p.ends_with("/flexibleServers/pg-aiwf-westeurope"))
        .collect();
    assert_eq!(pg_writes.len(), 1, "{pg_writes:?}");
    assert_eq!(d.pg_role("westeurope"), "None");
    // The dead region: one request's retries tell drinfra it is down; the
    // rest of the run defers work there without asking again.
    // The workloads' refresh lists the old primary cluster's credentials
    // alongside the first request there (they run in parallel): that one
    // is asked once too (one request's retries), and not counted below.
    let (credentials, dead): (Vec<_>, Vec<_>) = log
        .iter()
        .filter(|(_, _, s, _)| *s == 503)
        .partition(|(_, p, ..)| p.ends_with("/listClusterUserCredential"));
    assert!(credentials.len() <= 3, "{credentials:?}");
    let distinct: std::collections::BTreeSet<_> = dead.iter().map(|(m, p, ..)| (m, p)).collect();
    assert!(
        distinct.len() <= 1 && dead.len() <= 3,
        "requests into eastus after it was known down: {dead:?}"
    );
    assert!(
        out.contains("Deferred (unreachable, not failed)") && out.contains("module.eastus."),
        "{out}"
    );
}

/// The provider's duration model is the emulator's: every type the
/// emulator serves with a duration has the same create, update, delete
/// and named other durations in `provider::azure::facts`.
#[test]
fn the_providers_estimates_use_the_emulators_durations() {
    use drinfra::provider::azure::facts::{DURATIONS, OTHER_DURATIONS};
    let d = Drill::bare();
    let model = d.admin("GET", "durations", json!({}));
    let mut compared = 0;
    for t in model.as_array().unwrap() {
        let ty = t["type"].as_str().unwrap();
        let secs = |k: &str| t[k].as_f64().unwrap();
        let mine = DURATIONS.iter().find(|(a, ..)| a.eq_ignore_ascii_case(ty));
        match mine {
            Some(&(_, create, update, delete)) => {
                assert_eq!(
                    (create, update, delete),
                    (secs("create"), secs("update"), secs("delete")),
                    "{ty}"
                );
                compared += 1;
            }
            // A type the provider does not list takes a few seconds.
            None => assert!(
                ["create", "update", "delete"]
                    .iter()
                    .all(|k| secs(k) <= 5.0),
                "{ty} has durations the provider does not know: {t}"
            ),
        }
        for (name, v) in t["other"].as_object().unwrap() {
            let mine = OTHER_DURATIONS
                .iter()
                .find(|(a, n, _)| a.eq_ignore_ascii_case(ty) && n == name)
                .unwrap_or_else(|| panic!("{ty} {name} is not in the provider's model"));
            assert_eq!(mine.2, v.as_f64().unwrap(), "{ty} {name}");
        }
    }
    assert_eq!(
        compared,
        DURATIONS.len(),
        "every listed type is one the emulator serves"
    );
}

/// A failback's estimate against the emulator's clock: re-seeding two
/// replicas and bringing storage home take hours, and the estimate says so.
#[test]
fn a_failbacks_estimate_matches_its_cloud_time() {
    let d = Drill::new();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    d.admin("PATCH", "settings", json!({"time_scale": 400.0}));
    let report = d.root.path().join("failback.json");
    let start = d.admin("GET", "time", json!({}))["now"].as_f64().unwrap();
    let (code, out, err) = d.run(&[
        "failback",
        "platform",
        "--auto-approve",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let took = d.admin("GET", "time", json!({}))["now"].as_f64().unwrap() - start;
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let expected = json["expected_secs"]
        .as_f64()
        .unwrap_or_else(|| panic!("no estimate in {json}"))
        / 60.0;
    let took = took / 60.0;
    eprintln!("failback: estimated {expected} min, took {took:.0} simulated min");
    assert!(
        (took - expected).abs() <= expected * 0.25,
        "estimated {expected} min, the emulator's clock says {took:.0} min"
    );
    // Regression: the RTO counted the re-seed stages too. It counts the
    // swap back only (docs/drill-reports.md): it starts when stage 2 does.
    let swap_began = json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"].as_str().unwrap_or("").starts_with("stage 2/3"))
        .unwrap_or_else(|| panic!("no swap stage in {json}"))["at"]
        .clone();
    assert_eq!(json["rto"]["confirmed"], swap_began, "{json}");
    assert_ne!(json["rto"]["confirmed"], json["started"], "{json}");
    let (rto, run) = (
        json["rto"]["total_secs"].as_f64().unwrap(),
        json["run_secs"].as_f64().unwrap(),
    );
    assert!(
        rto + 600.0 < run,
        "RTO {rto} s, the whole failback {run} s: the re-seeds take far longer than 10 min"
    );
}

/// A planned failover: the storage account's own update (its tags and
/// role) waits in the cloud until the account failover ends, half an hour
/// later. It used to sit in the data phase and so held capacity and traffic
/// back; it now runs in clean-up, and the emulator's record shows the
/// traffic phase's last write answered before the account's update.
#[test]
fn traffic_does_not_wait_for_a_planned_storage_account_failover() {
    let d = Drill::new();
    log(&d);
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    let log = log(&d);
    let last_write = |needle: &str| {
        log.iter()
            .filter(|(m, p, ..)| m != "GET" && p.to_lowercase().contains(needle))
            .map(|(.., at)| *at)
            .fold(f64::MIN, f64::max)
    };
    let traffic = last_write("microsoft.cdn/profiles");
    let account = log
        .iter()
        .filter(|(m, p, ..)| {
            (m == "PUT" || m == "PATCH")
                && p.to_lowercase()
                    .contains("microsoft.storage/storageaccounts")
                && !p.to_lowercase().contains("/failover")
        })
        .map(|(.., at)| *at)
        .fold(f64::MIN, f64::max);
    assert!(traffic > f64::MIN && account > f64::MIN, "{log:?}");
    assert!(
        traffic < account,
        "traffic's last write at {traffic}, the account's update at {account}"
    );
}
