//! `drinfra check` on the platform and on weakened copies of it, and plan
//! reviews that name the DR objective a change breaks.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value as J;

use crate::common::copy_dir;

/// A copy of the platform stack and its modules.
fn platform() -> tempfile::TempDir {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("stacks"), &root.path().join("stacks"));
    copy_dir(&repo.join("modules"), &root.path().join("modules"));
    root
}

fn run(root: &Path, args: &[&str], emulator_url: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    c.arg("-C")
        .arg(root.join("stacks/platform"))
        .arg("--no-color")
        .args(args);
    if let Some(u) = emulator_url {
        c.env("DRINFRA_EMULATOR_URL", u);
    }
    let o = c.output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into(),
        String::from_utf8_lossy(&o.stderr).into(),
    )
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let p = root.join(file);
    let text = std::fs::read_to_string(&p).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&p, text.replace(from, to)).unwrap();
}

/// 1-based line of the first line of `file` that starts (after spaces)
/// with `needle`, and the column where it starts.
fn place(root: &Path, file: &str, needle: &str) -> (u64, u64) {
    let text = std::fs::read_to_string(root.join(file)).unwrap();
    for (i, l) in text.lines().enumerate() {
        if l.trim_start().starts_with(needle) {
            return ((i + 1) as u64, (l.len() - l.trim_start().len() + 1) as u64);
        }
    }
    panic!("{needle:?} not in {file}");
}

#[test]
fn the_platform_meets_its_own_objectives() {
    let root = platform();
    let (code, out, err) = run(root.path(), &["check", "--json"], None);
    assert_eq!(code, 0, "{out}\n{err}");
    let doc: J = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["ok"], true);
    let blocking: Vec<&J> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["blocking"] == true)
        .collect();
    assert!(blocking.is_empty(), "{blocking:#?}");
    let g = &doc["groups"][0];
    assert_eq!(g["group"], "platform");
    assert_eq!(g["rto_seconds"], 90 * 60);
    assert_eq!(g["rpo_seconds"], 15 * 60);
    assert!(g["estimate_seconds"].as_u64().unwrap() <= 90 * 60, "{g}");
    // The human form says the same with exit 0.
    let (code, out, err) = run(root.path(), &["check"], None);
    assert_eq!(code, 0, "{out}\n{err}");
}

#[test]
fn a_weakened_platform_fails_with_located_gaps() {
    let root = platform();
    let site = "modules/site/main.tf";
    edit(
        root.path(),
        site,
        "  geo_redundant_backup_enabled = true\n",
        "",
    );
    edit(
        root.path(),
        site,
        "account_replication_type        = \"GRS\"",
        "account_replication_type        = \"LRS\"",
    );
    edit(
        root.path(),
        "modules/edge/main.tf",
        "ttl                 = 60\n  record              = azurerm_cdn_frontdoor_endpoint",
        "ttl                 = 3600\n  record              = azurerm_cdn_frontdoor_endpoint",
    );
    // The DR plan's AOF persistence on the geo-replicated caches.
    edit(
        root.path(),
        site,
        "  zones               = var.zones\n",
        "  zones               = var.zones\n  redis_configuration {\n    aof_backup_enabled = true\n  }\n",
    );
    let (code, out, err) = run(root.path(), &["check", "--json"], None);
    assert_ne!(code, 0, "{out}\n{err}");
    let doc: J = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["ok"], false);
    let findings = doc["findings"].as_array().unwrap();
    let at = |address: &str, argument: Option<&str>| -> &J {
        findings
            .iter()
            .find(|f| f["address"] == address && f["argument"].as_str() == argument)
            .unwrap_or_else(|| panic!("no finding for {address} {argument:?}: {findings:#?}"))
    };
    let located = |f: &J, file: &str, (line, col): (u64, u64)| {
        assert_eq!(f["blocking"], true, "{f}");
        assert!(
            f["range"]["filename"].as_str().unwrap().ends_with(file),
            "{f}"
        );
        assert_eq!(f["range"]["start"]["line"], line, "{f}");
        assert_eq!(f["range"]["start"]["column"], col, "{f}");
    };
    for site_name in ["eastus", "westeurope"] {
        // Storage without geo-redundancy: at the argument.
        let f = at(
            &format!("module.{site_name}.azurerm_storage_account.data"),
            Some("account_replication_type"),
        );
        assert_eq!(f["objective"], "RPO");
        located(
            f,
            site,
            place(root.path(), site, "account_replication_type"),
        );
        // No geo-redundant backup: the argument is not written, so the
        // resource's type label.
        let f = at(
            &format!("module.{site_name}.azurerm_postgresql_flexible_server.db"),
            Some("geo_redundant_backup_enabled"),
        );
        assert_eq!(f["objective"], "RPO");
        let (line, _) = place(
            root.path(),
            site,
            "resource \"azurerm_postgresql_flexible_server\"",
        );
        located(f, site, (line, 10));
    }
    let f = at("module.edge.azurerm_dns_cname_record.api", Some("ttl"));
    assert_eq!(f["objective"], "RTO");
    let text = std::fs::read_to_string(root.path().join("modules/edge/main.tf")).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("ttl                 = 3600"))
        .unwrap() as u64
        + 1;
    located(f, "modules/edge/main.tf", (line, 3));
    // Azure's rule for persistence on a linked cache, at the cache.
    let redis = findings
        .iter()
        .find(|f| {
            f["summary"]
                .as_str()
                .unwrap()
                .contains("Redis persistence and geo-replication")
        })
        .unwrap_or_else(|| panic!("{findings:#?}"));
    let (line, _) = place(root.path(), site, "resource \"azurerm_redis_cache\"");
    assert_eq!(redis["range"]["start"]["line"], line, "{redis}");
    assert_eq!(redis["blocking"], true);
    // The DNS TTL counts in the estimate, still within RTO here.
    assert_eq!(doc["groups"][0]["parts"]["dns"], 3600);
    // Human output names the file, line and column too.
    let (code, _, err) = run(root.path(), &["check"], None);
    assert_eq!(code, 1);
    let (l, c) = place(root.path(), site, "account_replication_type");
    assert!(
        err.contains(&format!("modules/site/main.tf:{l}:{c}: error: RPO")),
        "{err}"
    );
}

#[test]
fn a_failover_estimate_beyond_the_rto_fails() {
    let root = platform();
    edit(
        root.path(),
        "stacks/platform/main.tf",
        "rto         = \"90m\"",
        "rto         = \"20m\"",
    );
    let (code, out, err) = run(root.path(), &["check", "--json"], None);
    assert_eq!(code, 1, "{out}\n{err}");
    let doc: J = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["groups"][0]["meets_rto"], false);
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["argument"] == "rto")
        .unwrap();
    assert_eq!(f["objective"], "RTO");
    assert!(
        f["range"]["filename"]
            .as_str()
            .unwrap()
            .ends_with("main.tf")
    );
}

#[test]
fn a_plan_that_weakens_the_dr_posture_says_which_objective_it_breaks() {
    let root = platform();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let emu = crate::common::start_emulator(&rt, root.path().join("state/emulator"), 1.0e6);
    let url = emu.url.clone();
    let (code, out, err) = run(root.path(), &["apply", "--auto-approve"], Some(&url));
    assert_eq!(code, 0, "{out}\n{err}");
    // Both storage accounts GRS -> LRS, both servers shrunk.
    let site = "modules/site/main.tf";
    edit(
        root.path(),
        site,
        "account_replication_type        = \"GRS\"",
        "account_replication_type        = \"LRS\"",
    );
    edit(
        root.path(),
        site,
        "\"GP_Standard_D8ds_v5\"",
        "\"GP_Standard_D4ds_v5\"",
    );
    let (code, out, err) = run(root.path(), &["plan"], Some(&url));
    assert_eq!(code, 0, "{out}\n{err}");
    let risky = out
        .split("Destructive and data-affecting changes:")
        .nth(1)
        .and_then(|s| s.split("\n\n").next())
        .unwrap_or_else(|| panic!("no risky changes listed:\n{out}"));
    for s in ["eastus", "westeurope"] {
        let line = |addr: &str| {
            risky
                .lines()
                .find(|l| l.contains(addr))
                .unwrap_or_else(|| panic!("{addr} not listed as risky:\n{risky}"))
                .to_string()
        };
        let storage = line(&format!("module.{s}.azurerm_storage_account.data"));
        assert!(
            storage.contains("weakens RPO") && storage.contains("GRS -> LRS"),
            "{storage}"
        );
        let db = line(&format!("module.{s}.azurerm_postgresql_flexible_server.db"));
        assert!(
            db.contains("weakens RTO") && db.contains("restarts"),
            "{db}"
        );
    }
    // The Markdown review lists them too.
    let (code, md, err) = run(root.path(), &["plan", "--markdown"], Some(&url));
    assert_eq!(code, 0, "{md}\n{err}");
    assert!(md.contains("weakens RPO"), "{md}");
    assert!(md.contains("weakens RTO"), "{md}");
    drop(emu);
}

#[test]
fn a_dr_pool_that_cannot_reach_production_size_is_a_gap() {
    let root = platform();
    let site = "modules/site/main.tf";
    edit(
        root.path(),
        site,
        "max_count             = local.capacity_active ? var.sizes.code_active.max : null",
        "max_count             = local.capacity_active ? var.sizes.code_active.max : 10",
    );
    let (code, out, err) = run(root.path(), &["check", "--json"], None);
    assert_eq!(code, 1, "{out}\n{err}");
    let doc: J = serde_json::from_str(&out).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["argument"] == "max_count")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(
        f["address"],
        "module.westeurope.azurerm_kubernetes_cluster_node_pool.code_execution"
    );
    assert_eq!(f["objective"], "RTO");
    let (line, col) = place(
        root.path(),
        site,
        "max_count             = local.capacity_active ? var.sizes.code_active",
    );
    assert_eq!(f["range"]["start"]["line"], line);
    assert_eq!(f["range"]["start"]["column"], col);
}

/// A read replica with no virtual endpoint pairing it with its primary
/// cannot be switched over (Azure refuses a planned promotion without
/// one): `check` says so at the replica's declaration.
#[test]
fn a_replica_without_a_virtual_endpoint_cannot_be_switched_over() {
    let root = platform();
    let main = root.path().join("stacks/platform/main.tf");
    let text = std::fs::read_to_string(&main).unwrap();
    let start = text
        .find("resource \"azurerm_postgresql_flexible_server_virtual_endpoint\"")
        .unwrap();
    let end = start + text[start..].find("\n}\n").unwrap() + 3;
    let without = format!("{}{}", &text[..start], &text[end..]).replace(
        "azurerm_postgresql_flexible_server_virtual_endpoint.writer.name",
        "\"pg-aiwf\"",
    );
    std::fs::write(&main, without).unwrap();
    let (code, out, err) = run(root.path(), &["check", "--json"], None);
    assert_ne!(code, 0, "{out}\n{err}");
    let doc: J = serde_json::from_str(&out).unwrap();
    let f = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["address"] == "module.westeurope.azurerm_postgresql_flexible_server.db")
        .unwrap_or_else(|| panic!("{doc:#}"));
    assert_eq!(
        (f["objective"].as_str(), f["blocking"].as_bool()),
        (Some("RTO"), Some(true)),
        "{f}"
    );
    assert!(
        f["range"]["filename"]
            .as_str()
            .unwrap()
            .ends_with("modules/site/main.tf"),
        "{f}"
    );
    let (line, _) = place(
        root.path(),
        "modules/site/main.tf",
        "resource \"azurerm_postgresql_flexible_server\"",
    );
    assert_eq!(f["range"]["start"]["line"], line, "{f}");
}
