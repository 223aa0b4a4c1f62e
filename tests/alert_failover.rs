//! The DR plan's step 10 as part of a failover: each site's alert rules
//! follow its role (on while active, off on standby), so a failover turns
//! the DR site's rules on and the old primary's off in its traffic phase,
//! and a failback turns them back. Checked in the emulator: the rules'
//! `enabled` as ARM serves them, and when the writes reached it.

use crate::failover::Drill;

const SUB: &str = "00000000-0000-0000-0000-000000000001";

/// `enabled` of each of a site's three rules, as the cloud has them.
fn rules(d: &Drill, site: &str) -> Vec<bool> {
    let rg =
        format!("/subscriptions/{SUB}/resourceGroups/rg-aiwf-{site}/providers/Microsoft.Insights");
    [
        (
            format!("{rg}/metricAlerts/aks-cpu-aiwf-{site}"),
            "2018-03-01",
        ),
        (
            format!("{rg}/metricAlerts/db-cpu-aiwf-{site}"),
            "2018-03-01",
        ),
        (
            format!("{rg}/activityLogAlerts/ops-failed-aiwf-{site}"),
            "2020-10-01",
        ),
    ]
    .iter()
    .map(|(id, api)| {
        let body = d.get(id, api);
        body["properties"]["enabled"]
            .as_bool()
            .unwrap_or_else(|| panic!("{id}: {body}"))
    })
    .collect()
}

fn first_write(reqs: &[(String, String)], needle: &str) -> usize {
    reqs.iter()
        .position(|(m, p)| m != "GET" && p.contains(needle))
        .unwrap_or_else(|| panic!("no write to {needle} in {reqs:?}"))
}

#[test]
fn a_failover_turns_the_dr_sites_alert_rules_on_and_the_old_primarys_off() {
    let d = Drill::new();
    assert_eq!(rules(&d, "eastus"), [true, true, true]);
    assert_eq!(rules(&d, "westeurope"), [false, false, false]);
    // Reviewed first: the rules change in the traffic phase.
    let (code, out, err) = d.run(&["failover", "platform", "--to", "westeurope", "--plan-only"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let traffic = out.find("traffic").unwrap_or_else(|| panic!("{out}"));
    let rule = out
        .find("module.westeurope.azurerm_monitor_metric_alert.aks_cpu")
        .unwrap_or_else(|| panic!("{out}"));
    assert!(traffic < rule, "{out}");
    d.requests();
    let (code, out, err) = d.run(&[
        "failover",
        "platform",
        "--to",
        "westeurope",
        "--planned",
        "--auto-approve",
    ]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(rules(&d, "westeurope"), [true, true, true], "DR site on");
    assert_eq!(
        rules(&d, "eastus"),
        [false, false, false],
        "old primary off"
    );
    // After capacity (the DR pools scaled up), with traffic, before clean-up.
    let reqs = d.requests();
    let scale_up = first_write(&reqs, "aks-aiwf-westeurope/agentpools/application");
    let scale_down = first_write(&reqs, "aks-aiwf-eastus/agentpools/application");
    for rule in [
        "metricalerts/aks-cpu-aiwf-westeurope",
        "metricalerts/db-cpu-aiwf-westeurope",
        "activitylogalerts/ops-failed-aiwf-westeurope",
        "metricalerts/aks-cpu-aiwf-eastus",
        "activitylogalerts/ops-failed-aiwf-eastus",
    ] {
        let at = first_write(&reqs, rule);
        assert!(
            scale_up < at && at < scale_down,
            "{rule} at {at}: after scale-up {scale_up}, before clean-up {scale_down}"
        );
    }

    let (code, out, err) = d.run(&["failback", "platform", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert_eq!(
        rules(&d, "eastus"),
        [true, true, true],
        "home site on again"
    );
    assert_eq!(rules(&d, "westeurope"), [false, false, false]);
}
