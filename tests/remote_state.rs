//! `terraform_remote_state`: one stack reads another's root outputs
//! through the local, pg and azurerm backends (the last two against the
//! shared PostgreSQL and Azurite, skipped without them), with `defaults`,
//! sensitive outputs kept sensitive, and misuse refused where written.

use std::path::Path;

use super::common;

fn drinfra(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let r = common::drinfra_env(dir, args, env);
    (r.code, r.out)
}

const PRODUCER: &str = r#"
output "vnet" { value = "vnet-1" }
output "ids" { value = { a = 1 } }
output "secret" {
  value     = "s3cr3t"
  sensitive = true
}
"#;

fn consumer(backend: &str, config: &str) -> String {
    format!(
        r#"
data "terraform_remote_state" "net" {{
  backend = "{backend}"
  config = {{
{config}
  }}
  defaults = {{
    extra = "d"
    vnet  = "none"
  }}
}}
output "vnet" {{ value = data.terraform_remote_state.net.outputs.vnet }}
output "extra" {{ value = data.terraform_remote_state.net.outputs.extra }}
output "a" {{ value = data.terraform_remote_state.net.outputs.ids.a }}
output "s" {{
  value     = data.terraform_remote_state.net.outputs.secret
  sensitive = true
}}
"#
    )
}

/// Applies `producer` in one directory and `consumer` in another; the
/// consumer's outputs as JSON.
fn read_through(producer: &str, consumer: &str, env: &[(&str, &str)]) -> serde_json::Value {
    let tmp = tempfile::tempdir().unwrap();
    let (p, c) = (tmp.path().join("net"), tmp.path().join("app"));
    std::fs::create_dir_all(&p).unwrap();
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(p.join("main.tf"), producer).unwrap();
    std::fs::write(c.join("main.tf"), consumer).unwrap();
    let (code, out) = drinfra(&p, &["apply", "--auto-approve"], env);
    assert_eq!(code, 0, "{out}");
    let (code, out) = drinfra(&c, &["apply", "--auto-approve"], env);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("s = (sensitive value)"), "{out}");
    assert!(!out.contains("s3cr3t"), "{out}");
    let (_, json) = drinfra(&c, &["output", "--json"], env);
    serde_json::from_str(&json).unwrap_or_else(|_| panic!("{json}"))
}

fn check(o: &serde_json::Value) {
    assert_eq!(o["vnet"]["value"], "vnet-1");
    assert_eq!(o["extra"]["value"], "d");
    assert_eq!(o["a"]["value"], 1);
    assert_eq!(o["s"]["value"], "s3cr3t");
    assert_eq!(o["s"]["sensitive"], true);
}

#[test]
fn outputs_of_a_local_state_over_defaults() {
    let o = read_through(
        PRODUCER,
        &consumer("local", "    path = \"../net/drinfra.tfstate\""),
        &[],
    );
    check(&o);
}

#[test]
fn a_missing_state_is_an_error_and_misuse_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.tf"),
        "data \"terraform_remote_state\" \"x\" {\n  backend = \"local\"\n  config = { path = \"nothing.tfstate\" }\n  defaults = { v = 1 }\n}\noutput \"v\" { value = data.terraform_remote_state.x.outputs.v }\n",
    )
    .unwrap();
    // As Terraform 1.15: no state is an error, even with defaults.
    let (code, out) = drinfra(tmp.path(), &["plan"], &[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("main.tf:1:31: error: Cannot read data.terraform_remote_state.x"),
        "{out}"
    );
    assert!(out.contains("Unable to find remote state: No stored state was found for the given workspace in the given backend."), "{out}");
    std::fs::write(
        tmp.path().join("main.tf"),
        "data \"terraform_remote_state\" \"x\" {\n  backend   = \"s3\"\n  workspace = \"prod\"\n  colour    = 1\n}\n",
    )
    .unwrap();
    let (code, out) = drinfra(tmp.path(), &["plan"], &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("main.tf:4:3: error: Unsupported argument"),
        "{out}"
    );
    std::fs::write(
        tmp.path().join("main.tf"),
        "data \"terraform_remote_state\" \"x\" {\n  backend   = \"s3\"\n  workspace = \"prod\"\n}\n",
    )
    .unwrap();
    let (code, out) = drinfra(tmp.path(), &["plan"], &[]);
    assert_eq!(code, 1);
    assert!(
        out.contains("main.tf:2:3: error: Invalid backend configuration"),
        "{out}"
    );
}

/// `workspace` names the state read, as in Terraform: another workspace's
/// outputs, and "default" when left out even while the reading stack has
/// another workspace selected (it read the reader's own workspace). Was
/// refused for any workspace but "default".
#[test]
fn a_named_workspace_is_read_and_the_default_is_default() {
    let tmp = tempfile::tempdir().unwrap();
    let (p, c) = (tmp.path().join("net"), tmp.path().join("app"));
    std::fs::create_dir_all(&p).unwrap();
    std::fs::create_dir_all(&c).unwrap();
    std::fs::write(
        p.join("main.tf"),
        "output \"ws\" { value = terraform.workspace }\n",
    )
    .unwrap();
    let (code, out) = drinfra(&p, &["apply", "--auto-approve"], &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = drinfra(&p, &["workspace", "new", "staging"], &[]);
    assert_eq!(code, 0, "{out}");
    let (code, out) = drinfra(&p, &["apply", "--auto-approve"], &[]);
    assert_eq!(code, 0, "{out}");
    std::fs::write(
        c.join("main.tf"),
        "data \"terraform_remote_state\" \"s\" {\n  backend   = \"local\"\n  workspace = \"staging\"\n  config    = { path = \"../net/drinfra.tfstate\", workspace_dir = \"../net/drinfra.tfstate.d\" }\n}\ndata \"terraform_remote_state\" \"d\" {\n  backend = \"local\"\n  config  = { path = \"../net/drinfra.tfstate\" }\n}\noutput \"s\" { value = data.terraform_remote_state.s.outputs.ws }\noutput \"d\" { value = data.terraform_remote_state.d.outputs.ws }\n",
    )
    .unwrap();
    // The reader has staging selected too: "d" must still read default.
    for env in [&[][..], &[("TF_WORKSPACE", "staging")][..]] {
        let (code, out) = drinfra(&c, &["apply", "--auto-approve"], env);
        assert_eq!(code, 0, "{out}");
        let (_, json) = drinfra(&c, &["output", "--json"], env);
        let o: serde_json::Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("{json}"));
        assert_eq!(o["s"]["value"], "staging", "{json}");
        assert_eq!(o["d"]["value"], "default", "{json}");
    }
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}", std::process::id())
}

#[test]
fn outputs_of_a_pg_state() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = std::env::var("PG_CONN_STR").unwrap();
    let schema = unique("remote_state");
    let producer = format!(
        "drinfra {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n    name = \"net\"\n  }}\n}}\n{PRODUCER}"
    );
    let consumer = consumer(
        "pg",
        &format!("    conn_str = \"{conn}\"\n    schema_name = \"{schema}\"\n    name = \"net\""),
    );
    check(&read_through(
        &producer,
        &consumer,
        &[("PG_CONN_STR", &conn)],
    ));
}

#[test]
fn outputs_of_an_azurerm_state() {
    if !common::services_available(&["AZURITE_BLOB_ENDPOINT"]) {
        return;
    }
    let get = |k: &str| std::env::var(k).unwrap();
    let (endpoint, account, key) = (
        get("AZURITE_BLOB_ENDPOINT"),
        get("AZURITE_ACCOUNT"),
        get("AZURITE_KEY"),
    );
    let container = unique("remote").replace('_', "-");
    let args = format!(
        "storage_account_name = \"{account}\"\n    container_name = \"{container}\"\n    key = \"net.tfstate\"\n    endpoint = \"{endpoint}\""
    );
    let producer =
        format!("drinfra {{\n  backend \"azurerm\" {{\n    {args}\n  }}\n}}\n{PRODUCER}");
    check(&read_through(
        &producer,
        &consumer("azurerm", &format!("    {args}")),
        &[("ARM_ACCESS_KEY", &key)],
    ));
}
