//! hashicorp/random, null, time, local and http carried natively: whole
//! applies through the command line, replacement by keepers and triggers,
//! sensitive results, imports in the providers' formats, located errors,
//! and the http data source against a server the test runs on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn drinfra(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_drinfra"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("drinfra runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into(),
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

fn stack(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    dir
}

fn apply(dir: &Path) -> Run {
    let r = drinfra(dir, &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    r
}

fn state(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("drinfra.tfstate")).unwrap()).unwrap()
}

fn attrs(dir: &Path, addr: &str) -> serde_json::Value {
    state(dir)["resources"][addr]["attributes"].clone()
}

const ALL: &str = r#"
terraform {
  required_providers {
    random = { source = "hashicorp/random", version = "~> 3.6" }
    null   = { source = "hashicorp/null" }
    time   = { source = "hashicorp/time" }
    local  = { source = "hashicorp/local" }
  }
}
provider "random" {}
variable "k" { default = "a" }
resource "random_string" "s" {
  length      = 12
  special     = false
  min_upper   = 4
  min_numeric = 3
  keepers     = { k = var.k }
}
resource "random_password" "p" {
  length           = 20
  override_special = "_%"
  min_special      = 2
}
resource "random_id" "i" {
  byte_length = 4
  prefix      = "x-"
}
resource "random_pet" "pet" {
  length    = 3
  separator = "_"
}
resource "random_integer" "n" {
  min  = 10
  max  = 12
  seed = "fixed"
}
resource "random_uuid" "u" {}
resource "random_shuffle" "sh" {
  input        = ["a", "b", "c"]
  result_count = 2
}
resource "null_resource" "n" {
  triggers = { s = random_string.s.result }
}
resource "time_static" "t" {
  rfc3339 = "2024-01-31T10:00:00Z"
}
resource "time_rotating" "r" {
  rfc3339         = "2024-01-31T10:00:00Z"
  rotation_months = 1
  rotation_years  = 100
}
resource "local_file" "f" {
  filename        = "out/pet.txt"
  content         = random_pet.pet.id
  file_permission = "0640"
}
data "local_file" "f" {
  filename = "main.tf"
}
output "pet" { value = random_pet.pet.id }
output "password" {
  value     = random_password.p.result
  sensitive = true
}
output "day" { value = time_static.t.day }
output "file" { value = data.local_file.f.content_sha256 }
"#;

#[test]
fn every_builtin_type_applies_and_then_plans_no_changes() {
    let dir = stack(ALL);
    let d = dir.path();
    let r = apply(d);
    assert!(
        r.stdout.contains("password = (sensitive value)"),
        "{}",
        r.stdout
    );
    let s = attrs(d, "random_string.s");
    let result = s["result"].as_str().unwrap();
    assert_eq!(result.len(), 12);
    assert!(
        result.chars().all(|c| c.is_ascii_alphanumeric()),
        "{result}"
    );
    assert!(result.chars().filter(char::is_ascii_uppercase).count() >= 4);
    assert!(result.chars().filter(char::is_ascii_digit).count() >= 3);
    assert_eq!(s["id"], s["result"]);
    assert_eq!(s["special"], false);
    assert_eq!(s["lower"], true);
    let st = state(d);
    assert_eq!(
        st["resources"]["random_string.s"]["provider"],
        "provider[\"registry.terraform.io/hashicorp/random\"]"
    );
    let p = &st["resources"]["random_password.p"];
    assert_eq!(p["attributes"]["id"], "none");
    assert_eq!(
        p["sensitive_paths"],
        serde_json::json!([["bcrypt_hash"], ["result"]])
    );
    let pw = p["attributes"]["result"].as_str().unwrap();
    let hash = p["attributes"]["bcrypt_hash"].as_str().unwrap();
    assert!(hash.starts_with("$2a$10$"), "{hash}");
    assert!(bcrypt::verify(pw, hash).unwrap());
    assert_eq!(pw.len(), 20);
    assert!(
        pw.chars().filter(|c| "_%".contains(*c)).count() >= 2,
        "{pw}"
    );
    assert!(
        pw.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_%".contains(c)),
        "{pw}"
    );
    assert!(!r.stdout.contains(pw));
    let i = attrs(d, "random_id.i");
    assert!(i["hex"].as_str().unwrap().starts_with("x-"));
    assert_eq!(i["hex"].as_str().unwrap().len(), 2 + 8);
    assert!(!i["id"].as_str().unwrap().starts_with("x-"));
    let pet = attrs(d, "random_pet.pet")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(pet.split('_').count(), 3, "{pet}");
    assert_eq!(std::fs::read_to_string(d.join("out/pet.txt")).unwrap(), pet);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("out/pet.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    let n = attrs(d, "random_integer.n")["result"].as_f64().unwrap();
    assert!((10.0..=12.0).contains(&n));
    assert_eq!(
        attrs(d, "random_shuffle.sh")["result"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        attrs(d, "random_uuid.u")["result"].as_str().unwrap().len(),
        36
    );
    assert!(
        attrs(d, "null_resource.n")["id"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .is_ok()
    );
    assert_eq!(attrs(d, "time_static.t")["unix"], 1706695200);
    assert_eq!(
        attrs(d, "time_rotating.r")["rotation_rfc3339"],
        "2124-03-02T10:00:00Z"
    );
    assert_eq!(
        attrs(d, "local_file.f")["content_md5"]
            .as_str()
            .unwrap()
            .len(),
        32
    );

    let again = drinfra(d, &["plan", "--detailed-exitcode"]);
    assert_eq!(again.code, 0, "{}\n{}", again.stdout, again.stderr);

    // A seed repeats the result in another stack.
    let other = stack(ALL);
    apply(other.path());
    assert_eq!(
        attrs(other.path(), "random_integer.n")["result"]
            .as_f64()
            .unwrap(),
        n
    );

    // keepers replace random_string, whose result replaces null_resource.
    let r = drinfra(d, &["apply", "--auto-approve", "--var", "k=b"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert_ne!(
        attrs(d, "random_string.s")["result"].as_str().unwrap(),
        result
    );
    assert_eq!(attrs(d, "random_pet.pet")["id"].as_str().unwrap(), pet);
    assert!(
        r.stdout
            .contains("Resources: 2 added, 0 changed, 2 destroyed"),
        "{}",
        r.stdout
    );

    // A written file that vanished is written again.
    std::fs::remove_file(d.join("out/pet.txt")).unwrap();
    let plan = drinfra(d, &["plan", "--var", "k=b"]);
    assert!(
        plan.stdout.contains("local_file.f will be created"),
        "{}",
        plan.stdout
    );

    // Destroy removes the file.
    apply(d);
    let r = drinfra(d, &["destroy", "--auto-approve", "--var", "k=b"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(!d.join("out/pet.txt").exists());
}

#[test]
fn misuse_is_refused_where_it_is_written() {
    let dir = stack(
        r#"
resource "random_string" "s" {
  length    = 2
  min_upper = 3
}
resource "random_integer" "i" {
  min = 5
  max = 1
}
resource "time_sleep" "w" {
  create_duration = "soon"
}
resource "local_file" "f" {
  filename = "x"
  content  = "a"
  source   = "b"
}
resource "random_bytes" "b" {
  length = 1
}
data "http" "h" {
  url    = "ftp://example.com"
  method = "PUT"
}
provider "time" {
  zone = "x"
}
"#,
    );
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    for want in [
        "main.tf:3:3: error: Invalid Attribute Value",
        "main.tf:8:3: error: Invalid Attribute Value",
        "main.tf:11:3: error: Invalid Attribute Value",
        "main.tf:16:3: error: Invalid Attribute Combination",
        "main.tf:18:10: error: Unsupported resource type",
        "random_bytes",
        "main.tf:22:3: error: Invalid Attribute Value",
        "main.tf:23:3: error: Invalid Attribute Value",
        "main.tf:26:3: error: Unsupported argument",
    ] {
        assert!(
            r.stderr.contains(want) || r.stdout.contains(want),
            "{want}\n{}{}",
            r.stdout,
            r.stderr
        );
    }
    assert!(!dir.path().join("drinfra.tfstate").exists());

    let other = stack(
        r#"
terraform {
  required_providers {
    random = { source = "acme/random" }
  }
}
resource "random_uuid" "u" {}
"#,
    );
    let r = drinfra(other.path(), &["plan"]);
    assert_eq!(r.code, 1);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("main.tf:7:10: error: Unsupported provider source"),
        "{all}"
    );
}

#[test]
fn imports_take_the_providers_id_formats() {
    let dir = stack(
        r#"
resource "random_string" "s" {
  length = 5
}
resource "random_password" "p" {
  length = 4
}
resource "random_integer" "n" {
  min = 1
  max = 9
}
resource "random_pet" "pet" {}
resource "time_static" "t" {}
"#,
    );
    let d = dir.path();
    let ok = |args: &[&str]| {
        let r = drinfra(d, args);
        assert_eq!(r.code, 0, "{args:?}\n{}\n{}", r.stdout, r.stderr);
    };
    ok(&["import", "random_string.s", "abcde"]);
    ok(&["import", "random_password.p", "s3cr"]);
    ok(&["import", "random_integer.n", "7,1,9"]);
    ok(&["import", "time_static.t", "2020-02-12T06:36:13Z"]);
    assert_eq!(attrs(d, "random_string.s")["result"], "abcde");
    assert_eq!(attrs(d, "random_string.s")["length"], 5);
    let st = state(d);
    assert_eq!(
        st["resources"]["random_password.p"]["sensitive_paths"],
        serde_json::json!([["bcrypt_hash"], ["result"]])
    );
    let hash = attrs(d, "random_password.p")["bcrypt_hash"].clone();
    assert!(bcrypt::verify("s3cr", hash.as_str().unwrap()).unwrap());
    assert_eq!(attrs(d, "random_integer.n")["result"], 7);
    assert_eq!(attrs(d, "time_static.t")["year"], 2020);
    let bad = drinfra(d, &["import", "random_pet.pet", "x"]);
    assert_ne!(bad.code, 0);
    assert!(format!("{}{}", bad.stdout, bad.stderr).contains("does not support import"));
    let bad = drinfra(d, &["import", "random_integer.n", "12,1,9"]);
    assert_ne!(bad.code, 0);
    // Imported as configured: nothing to change.
    let r = drinfra(
        d,
        &[
            "plan",
            "--detailed-exitcode",
            "--target",
            "random_string.s",
            "--target",
            "random_integer.n",
        ],
    );
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn time_sleep_waits_on_create_and_destroy() {
    let dir = stack(
        r#"
resource "time_sleep" "w" {
  create_duration  = "1s"
  destroy_duration = "500ms"
}
"#,
    );
    let started = std::time::Instant::now();
    apply(dir.path());
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let started = std::time::Instant::now();
    let r = drinfra(dir.path(), &["destroy", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_millis(500));
}

/// A loopback HTTP server answering `count` requests: `/flaky` fails with
/// 503 once, `/echo` returns the method, a header and the body it got.
fn serve(count: usize) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let mut flaky_failed = false;
        for stream in listener.incoming().take(count) {
            let Ok(mut s) = stream else { continue };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, mut body) = loop {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break (String::from_utf8_lossy(&buf).to_string(), Vec::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break (
                        String::from_utf8_lossy(&buf[..i]).to_string(),
                        buf[i + 4..].to_vec(),
                    );
                }
            };
            let len: usize = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse().unwrap_or(0))
                })
                .unwrap_or(0);
            while body.len() < len {
                let n = s.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            let first = head.lines().next().unwrap_or_default().to_string();
            log.lock().unwrap().push(first.clone());
            let path = first.split(' ').nth(1).unwrap_or("/");
            let header = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("x-who:")
                        .map(|v| v.trim().to_string())
                })
                .unwrap_or_default();
            let (status, text) = match path {
                "/flaky" if !flaky_failed => {
                    flaky_failed = true;
                    ("503 Service Unavailable", "later".to_string())
                }
                "/echo" => (
                    "200 OK",
                    format!(
                        "{} {header} {}",
                        first.split(' ').next().unwrap_or(""),
                        String::from_utf8_lossy(&body)
                    ),
                ),
                "/missing" => ("404 Not Found", "no".to_string()),
                _ => ("200 OK", "{\"ok\":true}".to_string()),
            };
            let _ = write!(
                s,
                "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nX-Multi: a\r\nX-Multi: b\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                text.len()
            );
        }
    });
    (addr, seen)
}

#[test]
fn the_http_data_source_reads_while_planning() {
    let (base, seen) = serve(5);
    let dir = stack(&format!(
        r#"
data "http" "ok" {{
  url = "{base}/ok"
}}
data "http" "echo" {{
  url             = "{base}/echo"
  method          = "POST"
  request_headers = {{ X-Who = "drinfra" }}
  request_body    = "hello"
}}
data "http" "flaky" {{
  url = "{base}/flaky"
  retry {{
    attempts     = 2
    min_delay_ms = 10
  }}
}}
data "http" "missing" {{
  url = "{base}/missing"
}}
output "ok" {{ value = jsondecode(data.http.ok.response_body).ok }}
output "echo" {{ value = data.http.echo.response_body }}
output "flaky" {{ value = data.http.flaky.status_code }}
output "missing" {{ value = data.http.missing.status_code }}
output "multi" {{ value = data.http.ok.response_headers["X-Multi"] }}
output "b64" {{ value = data.http.ok.response_body_base64 }}
"#
    ));
    let r = apply(dir.path());
    let out = drinfra(dir.path(), &["output", "--json"]);
    let o: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|_| panic!("{}\n{}", out.stdout, r.stdout));
    assert_eq!(o["ok"]["value"], true);
    assert_eq!(o["echo"]["value"], "POST drinfra hello");
    assert_eq!(o["flaky"]["value"], 200);
    assert_eq!(o["missing"]["value"], 404);
    assert_eq!(o["multi"]["value"], "a, b");
    assert_eq!(o["b64"]["value"], "eyJvayI6dHJ1ZX0=");
    // The server saw the retry: two requests for /flaky.
    let log = seen.lock().unwrap().clone();
    assert_eq!(
        log.iter().filter(|l| l.contains("/flaky")).count(),
        2,
        "{log:?}"
    );
}

#[test]
fn the_http_data_source_fails_clearly_when_nothing_answers() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = stack(&format!(
        "data \"http\" \"x\" {{\n  url = \"http://127.0.0.1:{port}/\"\n}}\n"
    ));
    let r = drinfra(dir.path(), &["plan"]);
    assert_eq!(r.code, 1);
    let all = format!("{}{}", r.stdout, r.stderr);
    assert!(
        all.contains("main.tf:1:13: error: Cannot read data.http.x")
            && all.contains("Error making request"),
        "{all}"
    );
}

#[test]
fn time_sleep_waits_on_the_emulators_clock() {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let data = dir.path().join("emu");
    // 1,000 simulated seconds per real one: ten minutes pass in 0.6s.
    let emu = crate::common::start_emulator(&rt, data.clone(), 1.0e3);
    let stack = dir.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    std::fs::write(
        stack.join("main.tf"),
        format!(
            "provider \"azurerm\" {{\n  features {{}}\n  emulator_url      = \"{}\"\n  emulator_data_dir = \"{}\"\n}}\nresource \"azurerm_resource_group\" \"rg\" {{\n  name     = \"rg-sleep\"\n  location = \"westeurope\"\n}}\nresource \"time_sleep\" \"settle\" {{\n  depends_on      = [azurerm_resource_group.rg]\n  create_duration = \"10m\"\n}}\n",
            emu.url,
            data.display()
        ),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let r = drinfra(&stack, &["apply", "--auto-approve"]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    // Far less than ten minutes of wall time, yet they passed in the cloud.
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let created = attrs(&stack, "time_sleep.settle")["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(created.ends_with('Z'), "{created}");
    let log = r.stdout.clone() + &r.stderr;
    assert!(
        log.contains("time_sleep.settle: Creation complete"),
        "{log}"
    );
    // The emulator's own record: its clock now stands at least ten
    // (simulated) minutes after the resource group's PUT, the sleep
    // having followed it (without the sleep, the apply ends within a
    // fraction of that).
    let http = drinfra::emulator::client(emu.ca_pem.as_deref()).unwrap();
    let get = |path: &str| -> serde_json::Value {
        let url = format!("{}/admin/{path}", emu.url);
        rt.block_on(async { http.get(&url).send().await.unwrap().json().await.unwrap() })
    };
    let now = get("time")["now"].as_f64().unwrap();
    let log = get("requests");
    let put = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["method"] == "PUT"
                && e["path"]
                    .as_str()
                    .unwrap()
                    .to_lowercase()
                    .contains("resourcegroups/rg-sleep")
        })
        .unwrap_or_else(|| panic!("{log}"));
    let put_at = put["at"].as_f64().unwrap();
    assert!(now - put_at >= 600.0, "{put_at} -> {now}");
    assert!(now - put_at < 3000.0, "{put_at} -> {now}");
}
