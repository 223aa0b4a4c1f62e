//! Workspaces as Terraform keeps them: `workspace` commands,
//! `TF_WORKSPACE`, `terraform.workspace`, and each backend's layout (local
//! `terraform.tfstate.d/NAME/`, the azurerm backend's `<key>env:NAME`
//! blob, a pg row per workspace).

use std::path::Path;

use drinfra::state::Backend;

use super::common;
use super::terraform_cli::{Run, drinfra, drinfra_with, stack, terraform, terraform_python};

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
    assert!(
        new.stdout
            .starts_with("Created and switched to workspace \"staging\"!\n\nYou're now on a new, empty workspace."),
        "{}",
        new.stdout
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

/// What a workspace command said, comparable across the two tools: one
/// line of words, Terraform's name for itself read as drinfra's, the
/// boxes and the `Error:`/`error:` prefixes left out.
fn said(r: &Run) -> String {
    format!("{}\n{}", r.stdout, r.stderr)
        .replace("Terraform", "drinfra")
        .replace("terraform", "drinfra")
        .replace("Error:", "")
        .replace("error:", "")
        .split_whitespace()
        .filter(|w| !matches!(*w, "╷" | "│" | "╵"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The workspace commands against Terraform 1.15 on the local backend:
/// the same exit codes, listings (names, order, the `*`) and messages.
#[test]
fn workspace_commands_say_what_terraform_says() {
    let Some(py) = terraform_python() else {
        return;
    };
    let tf = stack(WS_STACK);
    let dr = stack(WS_STACK);
    assert_eq!(terraform(&py, tf.path(), &["init"]).code, 0);
    let steps: &[&[&str]] = &[
        &["workspace", "new", "b"],
        &["workspace", "new", "b"],
        &["workspace", "new", "a/b"],
        &["apply", "-auto-approve"],
        &["workspace", "new", "c"],
        &["workspace", "list"],
        &["workspace", "show"],
        &["workspace", "select", "default"],
        &["workspace", "delete", "default"],
        &["workspace", "select", "b"],
        &["workspace", "delete", "b"],
        &["workspace", "select", "default"],
        &["workspace", "delete", "b"],
        &["workspace", "delete", "-force", "b"],
        &["workspace", "delete", "c"],
        &["workspace", "select", "nope"],
        &["workspace", "delete", "nope"],
        &["workspace", "select", "-or-create", "d"],
        &["workspace", "list"],
    ];
    for s in steps {
        let s = &[*s, &["-no-color"]].concat();
        let t = terraform(&py, tf.path(), s);
        let d = drinfra(dr.path(), s);
        assert_eq!(
            t.code, d.code,
            "{s:?}: terraform {}{}\ndrinfra {}{}",
            t.stdout, t.stderr, d.stdout, d.stderr
        );
        if s[0] == "apply" {
            continue;
        }
        assert_eq!(said(&d), said(&t), "{s:?}");
        if s[1] == "list" || s[1] == "show" {
            assert_eq!(d.stdout, t.stdout, "{s:?}");
        }
    }
}

/// A remote backend's workspace commands, run through the CLI: `new`
/// writes an empty state (so `list` shows it, as Terraform's remote
/// backends do), `delete` refuses the selected workspace and a non-empty
/// one without `-force`, and removes the state where it is kept.
fn remote_workspace_commands(dir: &Path, env: &[(&str, &str)], state_of: &dyn Fn(&str) -> bool) {
    let run = |args: &[&str]| drinfra_with(dir, args, env, None);
    let r = run(&["workspace", "new", "b"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(state_of("b"), "new writes b's (empty) state");
    assert_eq!(run(&["workspace", "new", "b"]).code, 1);
    let r = run(&["apply", "-auto-approve"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(run(&["workspace", "new", "a"]).code, 0);
    assert_eq!(
        run(&["workspace", "list"]).stdout,
        "  default\n* a\n  b\n\n"
    );
    // The selected one cannot be deleted.
    let r = run(&["workspace", "delete", "a"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("is your active workspace"),
        "{}",
        r.stderr
    );
    assert_eq!(run(&["workspace", "select", "default"]).code, 0);
    assert_eq!(
        run(&["workspace", "list"]).stdout,
        "* default\n  a\n  b\n\n"
    );
    // b records terraform_data.a: refused without -force, nothing deleted.
    let r = run(&["workspace", "delete", "b"]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("Workspace is not empty") && r.stderr.contains("  - terraform_data.a"),
        "{}",
        r.stderr
    );
    assert!(state_of("b"));
    let r = run(&["workspace", "delete", "-force", "b"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains("WARNING: \"b\" was non-empty."),
        "{}",
        r.stdout
    );
    assert!(!state_of("b"), "b's state is gone");
    assert_eq!(run(&["workspace", "delete", "a"]).code, 0);
    assert!(!state_of("a"));
    assert_eq!(run(&["workspace", "list"]).stdout, "* default\n\n");
    let r = run(&["workspace", "select", "b"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("doesn't exist"), "{}", r.stderr);
    assert_eq!(run(&["workspace", "delete", "default"]).code, 1);
}

#[test]
fn azurerm_backend_workspaces_are_listed_and_deleted_as_terraform_keeps_them() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let endpoint = std::env::var("AZURITE_BLOB_ENDPOINT").unwrap();
    let account = std::env::var("AZURITE_ACCOUNT").unwrap();
    let key = std::env::var("AZURITE_KEY").unwrap();
    let container = unique("wsl");
    let dir = stack(&format!(
        "terraform {{\n  backend \"azurerm\" {{\n    storage_account_name = \"{account}\"\n    container_name       = \"{container}\"\n    key                  = \"app.tfstate\"\n    endpoint             = \"{endpoint}\"\n  }}\n}}\n\n{WS_STACK}"
    ));
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
    let state_of = |ws: &str| {
        blob(&format!("app.tfstateenv:{ws}"))
            .load()
            .unwrap()
            .is_some()
    };
    remote_workspace_commands(dir.path(), &[("ARM_ACCESS_KEY", key.as_str())], &state_of);
    // A workspace whose state another client wrote at `<key>env:NAME`
    // (as Terraform names it) is listed.
    blob("app.tfstateenv:tf")
        .compact(&drinfra::state::State::new().unwrap())
        .unwrap();
    let env = [("ARM_ACCESS_KEY", key.as_str())];
    assert_eq!(
        drinfra_with(dir.path(), &["workspace", "list"], &env, None).stdout,
        "* default\n  tf\n\n"
    );
}

#[test]
fn pg_backend_workspaces_are_listed_and_deleted_row_by_row() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = std::env::var("PG_CONN_STR").unwrap();
    let schema = unique("wsl_");
    let dir = stack(&format!(
        "terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n    name        = \"app\"\n  }}\n}}\n\n{WS_STACK}"
    ));
    let state_of = |ws: &str| {
        drinfra::state::pg::PgBackend::connect(
            &conn,
            &schema,
            &format!("appenv:{ws}"),
            Default::default(),
        )
        .unwrap()
        .load()
        .unwrap()
        .is_some()
    };
    remote_workspace_commands(dir.path(), &[("PG_CONN_STR", conn.as_str())], &state_of);
}
