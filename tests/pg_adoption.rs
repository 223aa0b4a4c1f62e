//! Terraform's pg backend state adopted by drinfra's pg backend: rows of
//! `"SCHEMA".states` (`name` = workspace, `data` = state format 4) read
//! until drinfra writes its own, per workspace, never a silent fresh
//! start; handed back with `state pull -terraform` + `terraform state
//! push`.

use super::common;
use super::terraform_cli::{drinfra_with, stack, terraform_python, terraform_with};

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

/// Runs SQL statements against the test database.
fn sql(conn: &str, text: &str) -> Vec<Vec<Option<String>>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (client, connection) = tokio_postgres::connect(conn, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let mut rows = Vec::new();
        for m in client.simple_query(text).await.unwrap() {
            if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
                rows.push((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect());
            }
        }
        rows
    })
}

const STACK: &str = "resource \"terraform_data\" \"a\" {\n  input = terraform.workspace\n}\n\noutput \"w\" {\n  value = terraform.workspace\n}\n";

/// Terraform's state for workspace `ws` of STACK, with a resource of a
/// type drinfra does not manage.
fn tf_state(ws: &str, serial: u64) -> String {
    format!(
        r#"{{"version": 4, "terraform_version": "1.15.5", "serial": {serial},
  "lineage": "22222222-2222-4333-8444-{ws:0>12}",
  "outputs": {{"w": {{"value": "{ws}", "type": "string"}}}},
  "resources": [
    {{"mode": "managed", "type": "terraform_data", "name": "a",
     "provider": "provider[\"terraform.io/builtin/terraform\"]",
     "instances": [{{"schema_version": 0,
       "attributes": {{"id": "6a3c0000-0000-4000-8000-000000000001",
                      "input": {{"value": "{ws}", "type": "string"}},
                      "output": {{"value": "{ws}", "type": "string"}}, "triggers_replace": null}},
       "sensitive_attributes": []}}]}},
    {{"mode": "managed", "type": "aws_s3_bucket", "name": "logs",
     "provider": "provider[\"registry.terraform.io/hashicorp/aws\"]",
     "instances": [{{"schema_version": 0, "attributes": {{"id": "logs"}}}}]}}
  ]}}"#
    )
}

#[test]
fn terraform_pg_rows_are_adopted_per_workspace() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = std::env::var("PG_CONN_STR").unwrap();
    let schema = unique("tfpg_");
    // Terraform's layout (internal/backend/remote-state/pg): one table
    // `states` (id, name, data) in the schema, a row per workspace.
    sql(
        &conn,
        &format!(
            "CREATE SCHEMA {schema}; CREATE TABLE {schema}.states (id bigserial PRIMARY KEY, name text UNIQUE, data text);
             INSERT INTO {schema}.states (name, data) VALUES ('default', $${}$$), ('dev', $${}$$);",
            tf_state("default", 4),
            tf_state("dev", 2)
        ),
    );
    let dir = stack(&format!(
        "terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n\n{STACK}"
    ));
    let d = dir.path();
    // Terraform's pg lock is an advisory lock on the workspace row's id,
    // one key space for the whole database: the Terraform rows of other
    // tests' schemas (ids 1, 2, ...) share it, so commands that lock wait
    // (-lock-timeout) rather than fail while a parallel test holds one.
    let env = [("PG_CONN_STR", conn.as_str())];
    let dev = [("PG_CONN_STR", conn.as_str()), ("TF_WORKSPACE", "dev")];
    // Each workspace plans no changes against Terraform's row, and names
    // what it leaves alone.
    for env in [&env[..], &dev[..]] {
        let plan = drinfra_with(
            d,
            &["plan", "-detailed-exitcode", "-lock-timeout=30s"],
            env,
            None,
        );
        assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
        assert!(
            plan.stderr.contains("Resources left alone")
                && plan.stderr.contains("aws_s3_bucket.logs"),
            "{}",
            plan.stderr
        );
    }
    assert_eq!(
        drinfra_with(d, &["workspace", "list"], &env, None).stdout,
        "* default\n  dev\n\n"
    );
    assert_eq!(
        drinfra_with(d, &["output", "-raw", "w"], &dev, None).stdout,
        "dev"
    );
    // A change: drinfra's own rows (beside Terraform's table, which it
    // leaves as it was) continue Terraform's lineage and serial.
    std::fs::write(
        d.join("main.tf"),
        format!(
            "terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = \"changed\"\n}}\n"
        ),
    )
    .unwrap();
    let r = drinfra_with(
        d,
        &["apply", "-auto-approve", "-lock-timeout=30s"],
        &env,
        None,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let rows = sql(
        &conn,
        &format!("SELECT name, data FROM {schema}.states ORDER BY name"),
    );
    assert_eq!(rows[0][1].as_deref(), Some(tf_state("default", 4).as_str()));
    let back = drinfra_with(d, &["state", "pull", "-terraform"], &env, None);
    let back: serde_json::Value = serde_json::from_str(&back.stdout).unwrap();
    assert_eq!(back["lineage"], "22222222-2222-4333-8444-00000default");
    assert!(back["serial"].as_u64().unwrap() > 4, "{back}");
    assert_eq!(back["resources"].as_array().unwrap().len(), 2, "{back}");
    // dev still reads Terraform's row.
    let plan = drinfra_with(d, &["state", "list"], &dev, None);
    assert_eq!(plan.stdout, "terraform_data.a\n");
    // Terraform writes its row again after the take-over: refused, not
    // overlooked.
    sql(
        &conn,
        &format!(
            "UPDATE {schema}.states SET data = $${}$$ WHERE name = 'default'",
            tf_state("default", 99)
        ),
    );
    let r = drinfra_with(d, &["plan"], &env, None);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("is newer than"), "{}", r.stderr);
}

/// Terraform itself keeps the state in PostgreSQL (two workspaces);
/// drinfra plans no changes in each, applies a change, and hands the
/// state back with `state pull -terraform` and `terraform state push`;
/// Terraform then plans no changes.
#[test]
fn adoption_round_trip_through_terraforms_pg_backend() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let Some(py) = terraform_python() else {
        return;
    };
    let conn = std::env::var("PG_CONN_STR").unwrap();
    // Terraform's lib/pq asks for TLS unless told not to.
    let tf_conn = if conn.contains("://") {
        conn.clone()
    } else {
        format!("{conn} sslmode=disable")
    };
    let schema = unique("tfrt_");
    let main = |input: &str| {
        format!(
            "terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = {input}\n}}\n\noutput \"w\" {{\n  value = terraform_data.a.output\n}}\n"
        )
    };
    let dir = stack(&main("terraform.workspace"));
    let d = dir.path();
    let tf_env = [("PG_CONN_STR", tf_conn.as_str())];
    // Every Terraform lock on the database also takes advisory key -1,
    // which another Terraform (a parallel test) may hold for a moment.
    let ok = |r: super::terraform_cli::Run, what: &str| {
        assert_eq!(r.code, 0, "{what}: {}{}", r.stdout, r.stderr);
        r
    };
    ok(
        terraform_with(
            &py,
            d,
            &["init", "-input=false", "-lock-timeout=30s"],
            &tf_env,
        ),
        "terraform init",
    );
    ok(
        terraform_with(
            &py,
            d,
            &["apply", "-auto-approve", "-lock-timeout=30s"],
            &tf_env,
        ),
        "terraform apply",
    );
    ok(
        terraform_with(
            &py,
            d,
            &["workspace", "new", "-lock-timeout=30s", "dev"],
            &tf_env,
        ),
        "workspace new",
    );
    ok(
        terraform_with(
            &py,
            d,
            &["apply", "-auto-approve", "-lock-timeout=30s"],
            &tf_env,
        ),
        "terraform apply dev",
    );
    ok(
        terraform_with(&py, d, &["workspace", "select", "default"], &tf_env),
        "select",
    );
    let env = [("PG_CONN_STR", conn.as_str())];
    let dev = [("PG_CONN_STR", conn.as_str()), ("TF_WORKSPACE", "dev")];
    for e in [&env[..], &dev[..]] {
        let plan = drinfra_with(
            d,
            &["plan", "-detailed-exitcode", "-lock-timeout=30s"],
            e,
            None,
        );
        assert_eq!(
            plan.code, 0,
            "drinfra plans no changes: {}{}",
            plan.stdout, plan.stderr
        );
    }
    assert_eq!(
        drinfra_with(d, &["workspace", "list"], &env, None).stdout,
        ok(
            terraform_with(&py, d, &["workspace", "list"], &tf_env),
            "list"
        )
        .stdout
    );
    std::fs::write(d.join("main.tf"), main("\"changed\"")).unwrap();
    ok(
        drinfra_with(
            d,
            &["apply", "-auto-approve", "-lock-timeout=30s"],
            &env,
            None,
        ),
        "drinfra apply",
    );
    let back = ok(
        drinfra_with(d, &["state", "pull", "-terraform"], &env, None),
        "state pull -terraform",
    );
    std::fs::write(d.join("back.tfstate"), &back.stdout).unwrap();
    ok(
        terraform_with(
            &py,
            d,
            &["state", "push", "-lock-timeout=30s", "back.tfstate"],
            &tf_env,
        ),
        "terraform state push",
    );
    let t = terraform_with(
        &py,
        d,
        &["plan", "-detailed-exitcode", "-lock-timeout=30s"],
        &tf_env,
    );
    assert_eq!(
        t.code, 0,
        "Terraform plans no changes: {}{}",
        t.stdout, t.stderr
    );
    let out = ok(
        terraform_with(&py, d, &["output", "-raw", "w"], &tf_env),
        "output",
    );
    assert_eq!(out.stdout, "changed");
}
