//! Module sources fetched by `drinfra init`: git repositories the test
//! makes (tags, `?ref=`, `?depth=`, `//subdir`), and a module registry
//! the test serves over TLS on loopback (service discovery, versions,
//! `X-Terraform-Get` to git and to a .tar.gz archive), trusted through
//! `SSL_CERT_FILE` as Terraform's would be. Plans then run offline from
//! `.drinfra/modules`.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

struct Run {
    code: i32,
    out: String,
}

fn drinfra(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drinfra"));
    cmd.arg("-C").arg(dir).args(args).stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("drinfra runs");
    Run {
        code: o.status.code().unwrap_or(-1),
        out: format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    }
}

fn git(dir: &Path, args: &[&str]) {
    let o = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@t")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@t")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A repository whose `mods/net` module says which tag it is.
fn repo(root: &Path) -> PathBuf {
    let r = root.join("repo");
    std::fs::create_dir_all(r.join("mods/net")).unwrap();
    git(&r, &["init", "-q", "-b", "main"]);
    for tag in ["v1.0.0", "v1.2.0", "v2.0.0"] {
        std::fs::write(
            r.join("mods/net/main.tf"),
            format!("variable \"n\" {{}}\noutput \"v\" {{ value = \"{tag}-${{var.n}}\" }}\n"),
        )
        .unwrap();
        git(&r, &["add", "-A"]);
        git(&r, &["commit", "-q", "-m", tag]);
        git(&r, &["tag", tag]);
    }
    r
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(dir.join(".drinfra/modules/modules.json")).unwrap(),
    )
    .unwrap()
}

fn output(dir: &Path, env: &[(&str, &str)]) -> serde_json::Value {
    let r = drinfra(dir, &["apply", "--auto-approve"], env);
    assert_eq!(r.code, 0, "{}", r.out);
    let o = drinfra(dir, &["output", "--json"], env);
    serde_json::from_str(&o.out).unwrap_or_else(|_| panic!("{}", o.out))
}

#[test]
fn git_sources_install_at_their_ref_and_plans_need_init() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    let stack = tmp.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    let url = format!("file://{}", r.display());
    let write = |reference: &str| {
        std::fs::write(
            stack.join("main.tf"),
            format!(
                "module \"net\" {{\n  source = \"git::{url}//mods/net?{reference}\"\n  n      = \"a\"\n}}\nmodule \"shallow\" {{\n  source = \"git::{url}//mods/net?ref=v2.0.0&depth=1\"\n  n      = \"b\"\n}}\noutput \"v\" {{ value = [module.net.v, module.shallow.v] }}\n"
            ),
        )
        .unwrap();
    };
    write("ref=v1.0.0");
    let before = drinfra(&stack, &["plan"], &[]);
    assert_eq!(before.code, 1);
    assert!(
        before
            .out
            .contains("main.tf:2:12: error: Module not installed"),
        "{}",
        before.out
    );
    assert!(
        before.out.contains("Run \"drinfra init\""),
        "{}",
        before.out
    );

    let init = drinfra(&stack, &["init"], &[]);
    assert_eq!(init.code, 0, "{}", init.out);
    assert!(init.out.contains("- net: installed git::"), "{}", init.out);
    // Terraform 1.15 writes the same entries (with .terraform/modules).
    let m = manifest(&stack);
    assert_eq!(
        m["Modules"][0],
        serde_json::json!({"Key": "", "Source": "", "Dir": "."})
    );
    assert_eq!(m["Modules"][1]["Key"], "net");
    assert_eq!(m["Modules"][1]["Dir"], ".drinfra/modules/net/mods/net");
    assert_eq!(m["Modules"][2]["Dir"], ".drinfra/modules/shallow/mods/net");
    assert_eq!(m["Modules"][1]["Resolved"].as_str().unwrap().len(), 40);
    let o = output(&stack, &[]);
    assert_eq!(o["v"]["value"], serde_json::json!(["v1.0.0-a", "v2.0.0-b"]));

    // Offline: the repository can go; plans use what init fetched, and a
    // second init reuses it.
    std::fs::rename(&r, tmp.path().join("gone")).unwrap();
    let plan = drinfra(&stack, &["plan", "--detailed-exitcode"], &[]);
    assert_eq!(plan.code, 0, "{}", plan.out);
    let again = drinfra(&stack, &["init"], &[]);
    assert_eq!(again.code, 0, "{}", again.out);
    assert!(again.out.contains("- net: reusing"), "{}", again.out);
    std::fs::rename(tmp.path().join("gone"), &r).unwrap();

    // A changed ref needs init again; init fetches it.
    write("ref=v1.2.0");
    let stale = drinfra(&stack, &["plan"], &[]);
    assert_eq!(stale.code, 1);
    assert!(
        stale.out.contains("error: Module source has changed"),
        "{}",
        stale.out
    );
    assert_eq!(drinfra(&stack, &["init"], &[]).code, 0);
    let o = output(&stack, &[]);
    assert_eq!(o["v"]["value"][0], "v1.2.0-a");

    // A ref that does not exist fails init with git's reason.
    write("ref=v9");
    let bad = drinfra(&stack, &["init"], &[]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.out.contains("installing module \"net\"") && bad.out.contains("v9"),
        "{}",
        bad.out
    );
}

/// `init` reads module calls as loading does: from `.tf.json` files too,
/// with override files merged (here a JSON override moves the call to
/// another tag).
#[test]
fn init_installs_json_module_calls_with_overrides_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    let stack = tmp.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    let url = format!("git::file://{}//mods/net", r.display());
    std::fs::write(
        stack.join("main.tf.json"),
        format!(
            r#"{{"module": {{"net": {{"source": "{url}?ref=v1.0.0", "n": "j"}}}},
 "output": {{"v": {{"value": "${{module.net.v}}"}}}}}}"#
        ),
    )
    .unwrap();
    std::fs::write(
        stack.join("net_override.tf.json"),
        format!(r#"{{"module": {{"net": {{"source": "{url}?ref=v1.2.0"}}}}}}"#),
    )
    .unwrap();
    let init = drinfra(&stack, &["init"], &[]);
    assert_eq!(init.code, 0, "{}", init.out);
    assert_eq!(manifest(&stack)["Modules"].as_array().unwrap().len(), 2);
    let o = output(&stack, &[]);
    assert_eq!(o["v"]["value"], "v1.2.0-j");
}

#[test]
fn misused_sources_are_refused_where_they_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("main.tf"),
        "module \"a\" {\n  source = \"s3::https://b.example.com/x.zip\"\n}\nmodule \"b\" {\n  source  = \"git::https://example.com/r.git\"\n  version = \"1.0.0\"\n}\n",
    )
    .unwrap();
    let r = drinfra(tmp.path(), &["plan"], &[]);
    assert_eq!(r.code, 1);
    assert!(
        r.out
            .contains("main.tf:2:12: error: Invalid module source address"),
        "{}",
        r.out
    );
    assert!(
        r.out
            .contains("main.tf:6:3: error: Invalid version argument"),
        "{}",
        r.out
    );
}

/// The registry: `acme/net/azurerm` in versions 1.0.0, 1.2.0 and 2.0.0
/// from the git repository at the matching tag, and `acme/app/azurerm`
/// 0.1.0 as a .tar.gz served here.
fn serve_registry(
    tls_dir: &Path,
    repo: &Path,
    archive: Vec<u8>,
) -> (String, Arc<Mutex<Vec<String>>>) {
    let (_, config) = drinfra::emulator::tls::server_config(tls_dir).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let repo = format!("file://{}", repo.display());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(tcp) = stream else { continue };
            let Ok(conn) = rustls::ServerConnection::new(config.clone()) else {
                continue;
            };
            let mut s = rustls::StreamOwned::new(conn, tcp);
            let mut buf = Vec::new();
            let mut chunk = [0u8; 2048];
            while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let head = String::from_utf8_lossy(&buf).to_string();
            let path = head.split(' ').nth(1).unwrap_or("/").to_string();
            log.lock().unwrap().push(path.clone());
            let (status, headers, body): (&str, String, Vec<u8>) = match path.as_str() {
                "/.well-known/terraform.json" => ("200 OK", String::new(), br#"{"modules.v1":"/v1/modules/"}"#.to_vec()),
                "/v1/modules/acme/net/azurerm/versions" => ("200 OK", String::new(), br#"{"modules":[{"versions":[{"version":"1.0.0"},{"version":"2.0.0"},{"version":"1.2.0"}]}]}"#.to_vec()),
                "/v1/modules/acme/app/azurerm/versions" => ("200 OK", String::new(), br#"{"modules":[{"versions":[{"version":"0.1.0"}]}]}"#.to_vec()),
                "/v1/modules/acme/app/azurerm/0.1.0/download" => ("204 No Content", "X-Terraform-Get: /files/app.tar.gz\r\n".into(), vec![]),
                "/files/app.tar.gz" => ("200 OK", String::new(), archive.clone()),
                p if p.starts_with("/v1/modules/acme/net/azurerm/") && p.ends_with("/download") => {
                    let v = p.split('/').nth(6).unwrap_or_default();
                    ("204 No Content", format!("X-Terraform-Get: git::{repo}?ref=v{v}\r\n"), vec![])
                }
                _ => ("404 Not Found", String::new(), b"{}".to_vec()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = s.write_all(&body);
            let _ = s.flush();
            s.conn.send_close_notify();
            let _ = s.flush();
        }
    });
    (host, seen)
}

#[test]
fn registry_modules_resolve_versions_and_download_over_tls() {
    let tmp = tempfile::tempdir().unwrap();
    let r = repo(tmp.path());
    // The archive module: app/main.tf inside a .tar.gz.
    let src = tmp.path().join("app-src/app");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("main.tf"), "output \"v\" { value = \"app\" }\n").unwrap();
    let tgz = tmp.path().join("app.tar.gz");
    let ok = Command::new("tar")
        .args([
            "-czf",
            &tgz.to_string_lossy(),
            "-C",
            &tmp.path().join("app-src").to_string_lossy(),
            "app",
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let tls = tmp.path().join("tls");
    std::fs::create_dir_all(&tls).unwrap();
    let (host, seen) = serve_registry(&tls, &r, std::fs::read(&tgz).unwrap());
    let ca = tls.join("ca.pem").to_string_lossy().to_string();
    let env = [("SSL_CERT_FILE", ca.as_str())];
    let stack = tmp.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    std::fs::write(
        stack.join("main.tf"),
        format!("module \"net\" {{\n  source  = \"{host}/acme/net/azurerm//mods/net\"\n  version = \"~> 1.0\"\n  n       = \"r\"\n}}\nmodule \"app\" {{\n  source = \"{host}/acme/app/azurerm//app\"\n}}\noutput \"v\" {{ value = [module.net.v, module.app.v] }}\n"),
    )
    .unwrap();
    // Without the CA, TLS verification fails: never silently skipped.
    let untrusted = drinfra(&stack, &["init"], &[("SSL_CERT_FILE", "/nonexistent.pem")]);
    assert_ne!(untrusted.code, 0, "{}", untrusted.out);
    let init = drinfra(&stack, &["init"], &env);
    assert_eq!(init.code, 0, "{}", init.out);
    assert!(
        init.out.contains("- net: installed") && init.out.contains(" 1.2.0"),
        "{}",
        init.out
    );
    let m = manifest(&stack);
    assert_eq!(m["Modules"][1]["Version"], "1.2.0");
    assert!(
        m["Modules"][2]["Resolved"]
            .as_str()
            .unwrap()
            .contains("sha256:"),
        "{m}"
    );
    let o = output(&stack, &[]);
    assert_eq!(o["v"]["value"], serde_json::json!(["v1.2.0-r", "app"]));
    let log = seen.lock().unwrap().clone();
    assert!(
        log.contains(&"/v1/modules/acme/net/azurerm/1.2.0/download".to_string()),
        "{log:?}"
    );

    // A constraint the installed version no longer meets needs init.
    let text = std::fs::read_to_string(stack.join("main.tf"))
        .unwrap()
        .replace("~> 1.0", ">= 2.0");
    std::fs::write(stack.join("main.tf"), text).unwrap();
    let stale = drinfra(&stack, &["plan"], &[]);
    assert!(
        stale
            .out
            .contains("main.tf:3:13: error: Module version requirements have changed"),
        "{}",
        stale.out
    );
    assert_eq!(drinfra(&stack, &["init"], &env).code, 0);
    assert_eq!(manifest(&stack)["Modules"][1]["Version"], "2.0.0");
    let none = std::fs::read_to_string(stack.join("main.tf"))
        .unwrap()
        .replace(">= 2.0", "> 5");
    std::fs::write(stack.join("main.tf"), none).unwrap();
    let r = drinfra(&stack, &["init"], &env);
    assert_ne!(r.code, 0);
    assert!(
        r.out.contains("no version of") && r.out.contains("available: 2.0.0, 1.2.0, 1.0.0"),
        "{}",
        r.out
    );
}
