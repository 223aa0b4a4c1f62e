//! The pg backend over TLS, against a throwaway PostgreSQL started here
//! with `ssl=on` and only `hostssl` lines in pg_hba.conf (so a session in
//! the clear is refused), its certificate for `localhost` signed by a CA
//! made here.

use std::path::{Path, PathBuf};
use std::process::Command;

use drinfra::state::pg::PgBackend;
use drinfra::state::{Backend, State};
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

fn bin_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("postgres").exists() && p.join("initdb").exists())
        .collect();
    // Highest major version last ("9" < "16" numerically).
    dirs.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name()?.to_str()?.parse::<u32>().ok())
            .unwrap_or(0)
    });
    dirs.pop()
}

/// A CA: its certificate PEM and its issuer for leaf certificates.
fn ca(name: &str) -> (String, Issuer<'static, KeyPair>) {
    let mut p = CertificateParams::default();
    p.distinguished_name.push(DnType::CommonName, name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let key = KeyPair::generate().unwrap();
    let pem = p.self_signed(&key).unwrap().pem();
    (pem, Issuer::new(p, key))
}

/// PostgreSQL as the `postgres` user when running as root (it refuses
/// root), else as ourselves.
fn as_server_user(program: &Path) -> Command {
    if unsafe { libc::geteuid() } == 0 {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

struct Server {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = as_server_user(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(&self.data)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

impl Server {
    fn conn(&self, host: &str, extra: &str) -> String {
        format!(
            "host={host} port={} user=drinfra dbname=postgres connect_timeout=10 {extra}",
            self.port
        )
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }
}

fn run(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Starts the server (None: PostgreSQL is not installed and the services
/// are not required).
fn start() -> Option<Server> {
    let Some(bin) = bin_dir() else {
        assert!(
            std::env::var_os("DRINFRA_REQUIRE_SERVICES").is_none(),
            "PostgreSQL's binaries (/usr/lib/postgresql/*/bin) are missing"
        );
        eprintln!("skipped: PostgreSQL's binaries (/usr/lib/postgresql/*/bin) are missing");
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path();
    let (ca_pem, issuer) = ca("pg_tls test CA");
    let (other_ca_pem, _) = ca("pg_tls other CA");
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let leaf_key = KeyPair::generate().unwrap();
    let leaf_pem = leaf.signed_by(&leaf_key, &issuer).unwrap().pem();
    std::fs::write(path.join("ca.pem"), ca_pem).unwrap();
    std::fs::write(path.join("other-ca.pem"), other_ca_pem).unwrap();
    std::fs::write(path.join("server.crt"), leaf_pem).unwrap();
    std::fs::write(path.join("server.key"), leaf_key.serialize_pem()).unwrap();
    // A client certificate for the user drinfra (PostgreSQL's `cert`
    // method matches the common name to the user).
    let mut client = CertificateParams::default();
    client
        .distinguished_name
        .push(DnType::CommonName, "drinfra");
    let client_key = KeyPair::generate().unwrap();
    let client_pem = client.signed_by(&client_key, &issuer).unwrap().pem();
    std::fs::write(path.join("client.crt"), client_pem).unwrap();
    std::fs::write(path.join("client.key"), client_key.serialize_pem()).unwrap();
    let data = path.join("data");
    if unsafe { libc::geteuid() } == 0 {
        run(Command::new("chown").args(["-R", "postgres"]).arg(path));
    }
    {
        use std::os::unix::fs::PermissionsExt;
        // PostgreSQL wants its key private.
        for key in ["server.key", "client.key"] {
            let _ =
                std::fs::set_permissions(path.join(key), std::fs::Permissions::from_mode(0o600));
        }
    }
    run(as_server_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "drinfra", "--auth=trust", "--no-sync"]));
    // TLS sessions only: one in the clear finds no pg_hba.conf line; the
    // database template1 takes only a client certificate.
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all trust\nhostssl template1 all 127.0.0.1/32 cert\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
    )
    .unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let opts = format!(
        "-c listen_addresses=127.0.0.1 -p {port} -k {} -c ssl=on -c ssl_cert_file={} -c ssl_key_file={} -c ssl_ca_file={} -c fsync=off",
        path.display(),
        path.join("server.crt").display(),
        path.join("server.key").display(),
        path.join("ca.pem").display()
    );
    let server = Server {
        bin: bin.clone(),
        data: data.clone(),
        port,
        dir,
    };
    run(as_server_user(&bin.join("pg_ctl"))
        .arg("-D")
        .arg(&data)
        .arg("-l")
        .arg(data.join("server.log"))
        .args(["-w", "-o", &opts, "start"]));
    Some(server)
}

fn connect(conn: &str, schema: &str) -> Result<PgBackend, String> {
    PgBackend::connect(conn, schema, "stack", Default::default()).map_err(|e| e.to_string())
}

/// A server that answers PostgreSQL's TLS request with "no", as one
/// without `ssl=on` does.
fn plaintext_server() -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in listener.incoming().map_while(Result::ok) {
            let mut request = [0u8; 8];
            if s.read_exact(&mut request).is_ok() {
                let _ = s.write_all(b"N");
            }
        }
    });
    port
}

#[test]
fn pg_state_over_tls_as_lib_pq() {
    let Some(server) = start() else { return };
    let schema = "tls_state";
    let (ca, other_ca) = (server.file("ca.pem"), server.file("other-ca.pem"));

    // require: encrypted, the certificate not checked; state round-trips.
    let b = connect(&server.conn("127.0.0.1", "sslmode=require"), schema).unwrap();
    let mut state = State::new().unwrap();
    state.serial = 7;
    b.compact(&state).unwrap();
    assert_eq!(b.load().unwrap().unwrap().serial, 7);
    drop(b);

    // No sslmode is lib/pq's default, require: TLS, so the hostssl-only
    // server takes it.
    let b = connect(&server.conn("127.0.0.1", ""), schema).unwrap();
    assert_eq!(b.load().unwrap().unwrap().lineage, state.lineage);
    drop(b);

    // verify-full: the right root and the certificate's name connect.
    let b = connect(
        &server.conn(
            "localhost",
            &format!("sslmode=verify-full sslrootcert={ca}"),
        ),
        schema,
    )
    .unwrap();
    state.serial = 8;
    b.compact(&state).unwrap();
    drop(b);

    // The name on the certificate (localhost) is not 127.0.0.1: verify-full
    // refuses it, verify-ca (the chain only) does not.
    let err = connect(
        &server.conn(
            "127.0.0.1",
            &format!("sslmode=verify-full sslrootcert={ca}"),
        ),
        schema,
    )
    .err()
    .expect("should be refused");
    assert!(
        err.contains("sslmode=verify-full") && err.contains("TLS"),
        "{err}"
    );
    let url = format!(
        "postgres://drinfra@127.0.0.1:{}/postgres?sslmode=verify-ca&sslrootcert={}",
        server.port,
        ca.replace('/', "%2F")
    );
    assert_eq!(
        connect(&url, schema)
            .unwrap()
            .load()
            .unwrap()
            .unwrap()
            .serial,
        8
    );

    // A root that did not sign the certificate: refused, and said why.
    for mode in ["verify-full", "verify-ca", "require"] {
        let err = connect(
            &server.conn(
                "localhost",
                &format!("sslmode={mode} sslrootcert={other_ca}"),
            ),
            schema,
        )
        .err()
        .expect("should be refused");
        assert!(
            err.contains(&format!("sslmode={mode}, sslrootcert={other_ca}"))
                && err.contains("UnknownIssuer"),
            "{mode}: {err}"
        );
    }

    // disable against a server that takes TLS sessions only: the server's
    // refusal, named.
    let err = connect(&server.conn("127.0.0.1", "sslmode=disable"), schema)
        .err()
        .expect("should be refused");
    assert!(
        err.contains("pg_hba.conf") && err.contains("no encryption"),
        "{err}"
    );

    // Modes lib/pq refuses, and unknown ones, are refused before connecting.
    for (mode, says) in [("prefer", "lib/pq"), ("verify_full", "unknown value")] {
        let err = connect(
            &server.conn("127.0.0.1", &format!("sslmode={mode}")),
            schema,
        )
        .err()
        .expect("should be refused");
        assert!(
            err.contains("sslmode") && err.contains(says),
            "{mode}: {err}"
        );
    }

    // A client certificate, where the server asks for one; its key must
    // be private, as libpq and lib/pq require.
    let cert_db = |extra: &str| {
        server
            .conn("localhost", extra)
            .replace("dbname=postgres", "dbname=template1")
    };
    let err = connect(&cert_db(""), "tls_cert")
        .err()
        .expect("should be refused");
    assert!(err.contains("requires a valid client certificate"), "{err}");
    let (cert, key) = (server.file("client.crt"), server.file("client.key"));
    let with_cert = cert_db(&format!("sslcert={cert} sslkey={key}"));
    connect(&with_cert, "tls_cert").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let err = connect(&with_cert, "tls_cert")
        .err()
        .expect("should be refused");
    assert!(
        err.contains(&format!("sslkey {key}")) && err.contains("0600"),
        "{err}"
    );

    // None of the failures changed the state.
    let b = connect(&server.conn("127.0.0.1", ""), schema).unwrap();
    let now = b.load().unwrap().unwrap();
    assert_eq!((now.serial, now.lineage), (8, state.lineage));
}

#[test]
fn a_server_without_tls_is_named_as_such() {
    let port = plaintext_server();
    let err = connect(
        &format!("host=127.0.0.1 port={port} user=drinfra dbname=postgres"),
        "tls_state",
    )
    .err()
    .expect("should be refused");
    assert!(
        err.contains("does not accept TLS")
            && err.contains("sslmode=require")
            && err.contains("sslmode=disable"),
        "{err}"
    );
}

/// Terraform and drinfra, given the same backend block with no sslmode
/// and then an sslmode lib/pq does not know, refuse alike: TLS is asked
/// for by default, and `prefer` is not a mode.
#[test]
fn terraform_and_drinfra_agree_on_the_default_and_on_prefer() {
    let Some(py) = crate::terraform_cli::terraform_python() else {
        return;
    };
    let port = plaintext_server();
    for (extra, terraform_says, drinfra_says) in [
        (
            "",
            "SSL is not enabled on the server",
            "does not accept TLS",
        ),
        (
            " sslmode=prefer",
            "unsupported sslmode \"prefer\"",
            "\"prefer\" is not supported",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("main.tf"),
            format!(
                "terraform {{\n  backend \"pg\" {{\n    conn_str = \"host=127.0.0.1 port={port} user=drinfra dbname=postgres connect_timeout=5{extra}\"\n  }}\n}}\n"
            ),
        )
        .unwrap();
        let tf = crate::terraform_cli::terraform(&py, dir.path(), &["init", "-input=false"]);
        assert_ne!(tf.code, 0);
        assert!(
            tf.stderr.contains(terraform_says) || tf.stdout.contains(terraform_says),
            "Terraform: {}{}",
            tf.stdout,
            tf.stderr
        );
        let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
            .arg("-C")
            .arg(dir.path())
            .args(["init", "-input=false"])
            .env("NO_COLOR", "1")
            .env_remove("PG_CONN_STR")
            .env_remove("PGSSLMODE")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{err}");
        assert!(err.contains(drinfra_says), "drinfra: {err}");
    }
}

/// The failover's database checks connect as the pg backend does: a
/// connection string with `sslmode=require` (as Azure's portal writes
/// them) reaches the TLS-only server; `sslmode=disable` is refused by it,
/// said plainly, and the connection string is never shown.
#[test]
fn a_failover_database_check_connects_over_tls_as_lib_pq() {
    use drinfra::ops::failover::FailoverOutcome;

    let Some(server) = start() else { return };
    let (tls, clear) = (
        server.conn("127.0.0.1", "sslmode=require"),
        server.conn("127.0.0.1", "sslmode=disable"),
    );
    let outcome = crate::runbook_steps::checked_failover(
        &[("tls", &tls), ("clear", &clear)],
        r#"health_check "over_tls" {
  site     = "b"
  attempts = 1
  postgres {
    connection = var.tls
    query      = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
    expect     = true
  }
}
health_check "in_the_clear" {
  site     = "b"
  attempts = 1
  postgres {
    connection = var.clear
    query      = "SELECT 1"
    expect     = 1
  }
}
"#,
    );
    let FailoverOutcome::Complete { drill, .. } = &outcome else {
        panic!("not complete: {outcome:?}")
    };
    let results: Vec<(&str, bool, &str)> = drill
        .health
        .iter()
        .map(|c| (c.name.as_str(), c.passed, c.detail.as_str()))
        .collect();
    assert_eq!(results.len(), 2, "{results:?}");
    assert_eq!(results[1], ("over_tls", true, "got true"));
    let (name, passed, detail) = results[0];
    assert_eq!((name, passed), ("in_the_clear", false));
    assert!(
        detail.starts_with("cannot connect to PostgreSQL")
            && detail.contains("pg_hba.conf")
            && detail.contains("no encryption")
            && detail.contains("drop sslmode=disable"),
        "{detail}"
    );
    for c in &drill.health {
        for secret in [&tls, &clear] {
            assert!(!c.what.contains(secret.as_str()) && !c.detail.contains(secret.as_str()));
        }
    }
}
