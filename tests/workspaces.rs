//! Workspaces as Terraform keeps them: `workspace` commands,
//! `TF_WORKSPACE`, `terraform.workspace`, and each backend's layout (local
//! `terraform.tfstate.d/NAME/`, the azurerm backend's `<key>env:NAME`
//! blob, a pg row per workspace).

use std::path::Path;

use drinfra::state::Backend;

use super::common;
use super::terraform_cli::{drinfra, drinfra_with, stack};

const WS_STACK: &str = "resource \"terraform_data\" \"a\" {\n  input = terraform.workspace\n}\n\noutput \"w\" {\n  value = terraform.workspace\n}\n";

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

#[test]
fn local_workspaces_keep_their_states_apart() {
    let dir = stack(WS_STACK);
    let d = dir.path();
    assert_eq!(drinfra(d, &["workspace", "show"]).stdout, "default\n");
    assert_eq!(drinfra(d, &["apply", "-auto-approve"]).code, 0);
    let new = drinfra(d, &["workspace", "new", "staging"]);
    assert_eq!(
        new.stdout,
        "Created and switched to workspace \"staging\"!\n"
    );
    assert_eq!(drinfra(d, &["workspace", "new", "staging"]).code, 1);
    assert_eq!(drinfra(d, &["workspace", "new", "a/b"]).code, 1);
    assert_eq!(drinfra(d, &["apply", "-auto-approve"]).code, 0);
    assert!(d.join("drinfra.tfstate.d/staging/drinfra.tfstate").exists());
    assert_eq!(drinfra(d, &["output", "-raw", "w"]).stdout, "staging");
    assert_eq!(
        drinfra(d, &["workspace", "list"]).stdout,
        "  default\n* staging\n\n"
    );
    // TF_WORKSPACE wins, and select is refused while it is set.
    let env = [("TF_WORKSPACE", "default")];
    assert_eq!(
        drinfra_with(d, &["output", "-raw", "w"], &env, None).stdout,
        "default"
    );
    let r = drinfra_with(d, &["workspace", "select", "staging"], &env, None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("TF_WORKSPACE"), "{}", r.stderr);
    assert_eq!(drinfra(d, &["workspace", "select", "nope"]).code, 1);
    assert_eq!(
        drinfra(d, &["workspace", "select", "-or-create", "nope"]).code,
        0
    );
    assert_eq!(drinfra(d, &["workspace", "select", "default"]).code, 0);
    assert_eq!(drinfra(d, &["output", "-raw", "w"]).stdout, "default");
    // Not empty: refused without -force; the default one never.
    assert_eq!(drinfra(d, &["workspace", "delete", "staging"]).code, 1);
    assert_eq!(drinfra(d, &["workspace", "delete", "default"]).code, 1);
    assert_eq!(
        drinfra(d, &["workspace", "delete", "-force", "staging"]).code,
        0
    );
    assert!(!d.join("drinfra.tfstate.d/staging").exists());
    assert_eq!(drinfra(d, &["state", "list"]).stdout, "terraform_data.a\n");
}

#[test]
fn a_terraform_workspace_is_adopted_where_terraform_put_it() {
    let dir = stack(WS_STACK);
    let d = dir.path();
    let ws = d.join("terraform.tfstate.d/dev");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("terraform.tfstate"),
        r#"{"version": 4, "terraform_version": "1.15.5", "serial": 1, "lineage": "l-1",
            "outputs": {"w": {"value": "dev", "type": "string"}},
            "resources": [{"mode": "managed", "type": "terraform_data", "name": "a",
              "provider": "provider[\"terraform.io/builtin/terraform\"]",
              "instances": [{"schema_version": 0, "attributes": {"id": "x",
                "input": {"value": "dev", "type": "string"},
                "output": {"value": "dev", "type": "string"}, "triggers_replace": null}}]}]}"#,
    )
    .unwrap();
    assert!(
        drinfra(d, &["workspace", "list"])
            .stdout
            .contains("  dev\n")
    );
    assert_eq!(drinfra(d, &["workspace", "select", "dev"]).code, 0);
    let plan = drinfra(d, &["plan", "-detailed-exitcode"]);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
}

fn applied_in(dir: &Path, ws: &str, env: &[(&str, &str)]) {
    let mut env = env.to_vec();
    env.push(("TF_WORKSPACE", ws));
    let r = drinfra_with(dir, &["apply", "-auto-approve"], &env, None);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

#[test]
fn azurerm_backend_keeps_a_workspace_at_key_env_name() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let endpoint = std::env::var("AZURITE_BLOB_ENDPOINT").unwrap();
    let account = std::env::var("AZURITE_ACCOUNT").unwrap();
    let key = std::env::var("AZURITE_KEY").unwrap();
    let container = unique("ws");
    let dir = stack(&format!(
        "terraform {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{account}\"\n    container_name       = \"{container}\"\n    key                  = \"app.tfstate\"\n    endpoint             = \"{endpoint}\"\n  }}\n}}\n\n{WS_STACK}"
    ));
    let env = [("ARM_ACCESS_KEY", key.as_str())];
    applied_in(dir.path(), "dev", &env);
    let blob = |k: &str| {
        drinfra::state::azblob::BlobBackend::connect(
            drinfra::state::azblob::BlobConfig {
                endpoint: endpoint.clone(),
                account: account.clone(),
                container: container.clone(),
                key: k.into(),
                access_key: Some(key.clone()),
                sas_token: None,
                azuread: None,
            },
            Default::default(),
        )
        .unwrap()
    };
    let dev = blob("app.tfstateenv:dev")
        .load()
        .unwrap()
        .expect("dev's state");
    assert_eq!(dev.outputs["w"].value, "dev");
    assert!(blob("app.tfstate").load().unwrap().is_none());
}

#[test]
fn pg_backend_keeps_a_row_per_workspace() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = std::env::var("PG_CONN_STR").unwrap();
    let schema = unique("ws_");
    let dir = stack(&format!(
        "terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n    name        = \"app\"\n  }}\n}}\n\n{WS_STACK}"
    ));
    let env = [("PG_CONN_STR", conn.as_str())];
    applied_in(dir.path(), "dev", &env);
    applied_in(dir.path(), "default", &env);
    let row = |name: &str| {
        drinfra::state::pg::PgBackend::connect(&conn, &schema, name, Default::default())
            .unwrap()
            .load()
            .unwrap()
            .expect("a state")
    };
    assert_eq!(row("appenv:dev").outputs["w"].value, "dev");
    assert_eq!(row("app").outputs["w"].value, "default");
}
