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

/// PG_CONN_STR for Terraform, whose lib/pq asks for TLS unless told not to.
pub(crate) fn terraform_conn() -> String {
    match pg_conn() {
        url if url.contains("://") => url,
        kv => format!("{kv} sslmode=disable"),
    }
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}",
        &drinfra::random::uuid_v4().unwrap().replace('-', "")[..12]
    )
}

/// Runs SQL with psql on PG_CONN_STR's database; its output, trimmed.
pub(crate) fn psql(sql: &str) -> String {
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

/// drinfra in `dir` with PG_CONN_STR and `env`.
fn drinfra_in(dir: &std::path::Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C")
        .arg(dir)
        .args(args)
        .env("PG_CONN_STR", pg_conn())
        .env("NO_COLOR", "1")
        .env_remove("TF_WORKSPACE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.stdin(Stdio::null()).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// Terraform's skip_schema_creation / skip_table_creation /
/// skip_index_creation (or PG_SKIP_*): nothing is created, and what is
/// missing is named with the SQL that creates it; once it is there, the
/// backend works without creating anything.
#[test]
fn skip_creation_options_create_nothing_and_name_what_is_missing() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let schema = unique("skip");
    let dir = tempfile::tempdir().unwrap();
    let main = |args: &str| {
        format!(
            "terraform {{\n  backend \"pg\" {{\n{args}  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = 1\n}}\n"
        )
    };
    let write = |args: &str| std::fs::write(dir.path().join("main.tf"), main(args)).unwrap();
    let schemas = || {
        psql(&format!(
            "SELECT count(*) FROM pg_namespace WHERE nspname = '{schema}'"
        ))
    };
    // No schema: refused, as Terraform refuses (`schema "..." does not exist`).
    write(&format!(
        "    schema_name          = \"{schema}\"\n    skip_schema_creation = true\n"
    ));
    let (code, err) = drinfra_in(dir.path(), &["plan"], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("schema \"{schema}\" does not exist"))
            && err.contains("skip_schema_creation is set"),
        "{err}"
    );
    // Terraform 1.15 refuses the same, before creating anything.
    if let Some(py) = crate::terraform_cli::terraform_python() {
        let conn = terraform_conn();
        let r = crate::terraform_cli::terraform_with(
            &py,
            dir.path(),
            &["init", "-input=false"],
            &[("PG_CONN_STR", conn.as_str())],
        );
        assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
        assert!(
            r.stderr
                .contains(&format!("pq: schema \"{schema}\" does not exist")),
            "{}",
            r.stderr
        );
    }
    // The same from Terraform's environment variables; a value that is
    // not a boolean is refused as Terraform refuses it.
    write("");
    let by_env = [
        ("PG_SCHEMA_NAME", schema.as_str()),
        ("PG_SKIP_SCHEMA_CREATION", "T"),
    ];
    let (code, err2) = drinfra_in(dir.path(), &["plan"], &by_env);
    assert_eq!(code, 1, "{err2}");
    assert!(
        err2.contains(&format!("schema \"{schema}\" does not exist")),
        "{err2}"
    );
    let bad = [
        ("PG_SCHEMA_NAME", schema.as_str()),
        ("PG_SKIP_SCHEMA_CREATION", "yes"),
    ];
    let (code, err3) = drinfra_in(dir.path(), &["plan"], &bad);
    assert_eq!(code, 1, "{err3}");
    assert!(
        err3.contains("invalid value for \"skip_schema_creation\""),
        "{err3}"
    );
    assert_eq!(schemas(), "0", "no schema was created");

    // The schema, but no tables: each missing table named, none created.
    psql(&format!("CREATE SCHEMA {schema}"));
    write(&format!(
        "    schema_name         = \"{schema}\"\n    skip_table_creation = true\n"
    ));
    let (code, err) = drinfra_in(dir.path(), &["plan"], &[]);
    assert_eq!(code, 1, "{err}");
    for t in ["states", "journal", "locks"] {
        assert!(err.contains(&format!("{schema}.{t}")), "{t}: {err}");
    }
    let tables = || {
        psql(&format!(
            "SELECT count(*) FROM pg_tables WHERE schemaname = '{schema}'"
        ))
    };
    assert_eq!(tables(), "0", "no table was created");
    // The SQL in the message creates them; then everything works with all
    // three options set, and nothing more is created.
    let ddl: Vec<&str> = err
        .lines()
        .filter_map(|l| l.find("CREATE TABLE").map(|i| &l[i..]))
        .collect();
    assert_eq!(ddl.len(), 3, "{err}");
    psql(&ddl.join(" "));
    write(&format!(
        "    schema_name          = \"{schema}\"\n    skip_schema_creation = true\n    skip_table_creation  = true\n    skip_index_creation  = true\n"
    ));
    let (code, err) = drinfra_in(dir.path(), &["apply", "-auto-approve"], &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tables(), "3");
    assert_eq!(
        psql(&format!(
            "SELECT count(*) FROM {schema}.states WHERE snapshot IS NOT NULL"
        )),
        "1",
        "the state was written"
    );
}

/// As Terraform's pg backend (lib/pq): what the connection string leaves
/// out, or all of it when there is none, comes from libpq's PG* variables.
#[test]
fn libpq_environment_variables_complete_the_connection() {
    if !common::services_available(&["PG_CONN_STR"]) {
        return;
    }
    let parsed: tokio_postgres::Config = pg_conn().parse().unwrap();
    let host = match &parsed.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(h) => h.clone(),
        tokio_postgres::config::Host::Unix(p) => p.display().to_string(),
    };
    let port = parsed
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let password = parsed
        .get_password()
        .map(|p| String::from_utf8_lossy(p).to_string())
        .unwrap_or_default();
    let dir = tempfile::tempdir().unwrap();
    let schema = unique("libpq");
    std::fs::write(
        dir.path().join("main.tf"),
        format!("terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n\nresource \"terraform_data\" \"a\" {{\n  input = 1\n}}\n"),
    )
    .unwrap();
    let env = [
        ("PG_CONN_STR", ""),
        ("PGHOST", host.as_str()),
        ("PGPORT", port.as_str()),
        ("PGUSER", parsed.get_user().unwrap_or_default()),
        ("PGPASSWORD", password.as_str()),
        ("PGDATABASE", parsed.get_dbname().unwrap_or_default()),
        // The test server speaks no TLS, and lib/pq's default is require.
        ("PGSSLMODE", "disable"),
    ];
    let (code, err) = drinfra_in(dir.path(), &["apply", "-auto-approve"], &env);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        psql(&format!("SELECT count(*) FROM {schema}.states")),
        "1",
        "the state is in the database PG* named"
    );
    // Nothing that reaches a server: the error says where it looked.
    let (code, err) = drinfra_in(
        dir.path(),
        &["plan"],
        &[
            ("PG_CONN_STR", ""),
            ("PGHOST", "127.0.0.1"),
            ("PGPORT", "1"),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("neither conn_str nor PG_CONN_STR is set"),
        "{err}"
    );
}
