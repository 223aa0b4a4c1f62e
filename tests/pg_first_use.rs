//! The PostgreSQL backend on first use under concurrency, its errors, and
//! its lock holder under a race (needs PG_CONN_STR, as tests/backends.rs).

use crate::common;

use std::process::{Command, Stdio};
use std::time::Duration;

use drinfra::state::lock::{self, LockInfo};
use drinfra::state::pg::PgBackend;
use drinfra::state::{Backend, LockError};

fn pg_conn() -> String {
    std::env::var("PG_CONN_STR")
        .expect("PG_CONN_STR is not set: run ./scripts/test.sh, which starts PostgreSQL")
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

fn psql(sql: &str) -> String {
    let out = Command::new("psql")
        .arg(pg_conn())
        .args(["-tA", "-c", sql])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn ten_concurrent_first_uses_of_a_new_schema_all_connect() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    for round in 0..3 {
        let schema = unique(&format!("first{round}"));
        let threads: Vec<_> = (0..10)
            .map(|n| {
                let (conn, schema) = (pg_conn(), schema.clone());
                std::thread::spawn(move || {
                    PgBackend::connect(&conn, &schema, &format!("s{n}"), Default::default())
                        .map(|b| b.load().map(|_| ()))
                })
            })
            .collect();
        for t in threads {
            match t.join().unwrap() {
                Ok(Ok(())) => {}
                Ok(Err(e)) | Err(e) => panic!("round {round}: {e}"),
            }
        }
    }
}

#[test]
fn ten_applies_started_at_once_on_a_new_schema_all_succeed() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let schema = unique("apply10");
    std::fs::write(dir.path().join("main.tf"), format!("drinfra {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\nresource \"terraform_data\" \"a\" {{\n  input = 1\n}}\n")).unwrap();
    let children: Vec<_> = (0..10)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_drinfra"))
                .arg("-C")
                .arg(dir.path())
                .args(["apply", "--auto-approve", "--lock-timeout", "120s"])
                .env("PG_CONN_STR", pg_conn())
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn postgresql_errors_carry_the_servers_message() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let conn = format!("{} dbname=drinfra_no_such_db", pg_conn());
    let err = PgBackend::connect(&conn, "x", "s", Default::default())
        .err()
        .expect("no such database")
        .to_string();
    assert!(
        err.contains("database \"drinfra_no_such_db\" does not exist") && err.contains("3D000"),
        "{err}"
    );
    assert!(!err.ends_with("db error"), "{err}");
    // A failing statement after connecting says what the server said too,
    // and leaves the connection usable.
    let schema = unique("err");
    let b = PgBackend::connect(&pg_conn(), &schema, "s", Default::default()).unwrap();
    psql(&format!("DROP TABLE {schema}.journal"));
    let err = b
        .append(&[drinfra::state::Record {
            serial: 1,
            change: drinfra::state::Change::Remove("x".into()),
        }])
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("42P01") && err.contains("does not exist"),
        "{err}"
    );
    psql(&format!(
        "CREATE TABLE {schema}.journal (name TEXT NOT NULL, seq BIGSERIAL, record BYTEA NOT NULL, PRIMARY KEY (name, seq))"
    ));
    assert!(b.load().is_ok(), "the failed transaction was ended");
}

#[test]
fn a_previous_holders_row_is_never_taken_for_the_current_holder() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let schema = unique("row");
    let a = PgBackend::connect(&pg_conn(), &schema, "s", Default::default()).unwrap();
    let mine = LockInfo::for_operation("apply", "t", &[]).unwrap();
    a.lock(&mine).unwrap();
    // As between another session taking the advisory lock and writing its
    // row: the row still describes a dead holder on this host.
    let mut child = Command::new("true").spawn().unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let mut stale = LockInfo::for_operation("apply", "t", &[]).unwrap();
    stale.id = "dead-6".into();
    stale.pid = dead;
    psql(&format!(
        "UPDATE {schema}.locks SET info = '{}', backend_pid = 1 WHERE name = 's'",
        serde_json::to_string(&stale).unwrap()
    ));
    let b = PgBackend::connect(&pg_conn(), &schema, "s", Default::default()).unwrap();
    let r = lock::acquire(
        &b,
        &LockInfo::for_operation("apply", "t", &[]).unwrap(),
        Duration::from_millis(1500),
        &mut |_| {},
        &mut |_| {},
    );
    match r {
        Err(LockError::Held(h)) => assert_ne!(h.id, "dead-6", "the stale row is not the holder"),
        other => panic!("the live holder keeps its lock: {other:?}"),
    }
    // The live holder's session was not ended.
    assert!(a.load().is_ok(), "holder's session survives");
    let held: u32 = psql("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")
        .parse()
        .unwrap();
    assert!(held >= 1);
}
