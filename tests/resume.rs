//! An apply interrupted while Azure is still working: once the grace
//! period is over, the operation's polling URL is recorded in state, and
//! the next apply follows it to its end instead of sending the request
//! again (no duplicate create).

use std::io::Read;
use std::process::{Command, Stdio};

use drinfra::emulator::{self, Options, Settings};
use serde_json::{Value as J, json};

const STACK: &str = r#"
provider "azurerm" {
  features {}
}
resource "azurerm_resource_group" "db" {
  name     = "rg-resume"
  location = "westeurope"
}

resource "azurerm_postgresql_flexible_server" "db" {
  name                   = "pg-resume"
  location               = azurerm_resource_group.db.location
  resource_group_name    = azurerm_resource_group.db.name
  version                = "16"
  sku_name               = "GP_Standard_D2ds_v5"
  storage_mb             = 32768
  administrator_login    = "pgadmin"
  administrator_password = "change-me-in-a-secret-store"
}
"#;

struct Run {
    dir: tempfile::TempDir,
    emu: emulator::Running,
    rt: tokio::runtime::Runtime,
    http: reqwest::Client,
}

impl Run {
    fn new(time_scale: f64) -> Run {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let emu = rt
            .block_on(emulator::start(
                Options {
                    data_dir: dir.path().join("emu"),
                    tls: true,
                    settings: Settings {
                        time_scale,
                        ..Settings::default()
                    },
                },
                "127.0.0.1:0".parse().unwrap(),
            ))
            .unwrap();
        let http = emulator::client(emu.ca_pem.as_deref()).unwrap();
        std::fs::create_dir_all(dir.path().join("stack")).unwrap();
        std::fs::write(dir.path().join("stack/main.tf"), STACK).unwrap();
        Run { dir, emu, rt, http }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
        c.arg("-C")
            .arg(self.dir.path().join("stack"))
            .args(args)
            .env("DRINFRA_EMULATOR_URL", &self.emu.url)
            .env("DRINFRA_EMULATOR_DATA_DIR", self.dir.path().join("emu"))
            .env_remove("ARM_SUBSCRIPTION_ID");
        c
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let o = self.cmd(args).output().unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into(),
            String::from_utf8_lossy(&o.stderr).into(),
        )
    }

    /// Requests since the last call, as (method, lower-cased path).
    fn requests(&self) -> Vec<(String, String)> {
        self.rt.block_on(async {
            // Drained in one call, so no request logged in between is lost.
            let url = format!("{}/admin/requests", self.emu.url);
            let log: J = self
                .http
                .delete(&url)
                .json(&json!({}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            log.as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e["method"].as_str().unwrap().to_string(),
                        e["path"].as_str().unwrap().to_lowercase(),
                    )
                })
                .collect()
        })
    }

    /// Stops the emulator and starts it again on a new port, with the same
    /// data, as the embedded emulator does on every run.
    fn restart_on_a_new_port(&mut self) {
        let old_port = self.emu.addr.port();
        let fresh = crate::common::start_emulator(&self.rt, self.dir.path().join("emu"), 200.0);
        let old = std::mem::replace(&mut self.emu, fresh);
        self.rt.block_on(old.stop());
        assert_ne!(self.emu.addr.port(), old_port);
        self.http = emulator::client(self.emu.ca_pem.as_deref()).unwrap();
    }

    /// Starts an apply, interrupts it (no grace) once the server's PUT was
    /// accepted, and checks that the operation was recorded.
    fn interrupt_during_the_server_create(&self) {
        let mut child = self
            .cmd(&["apply", "--auto-approve", "--interrupt-grace", "0s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
        let mut seen = Vec::new();
        while puts_to_server(&seen) == 0 {
            assert!(
                std::time::Instant::now() < deadline,
                "the server was never PUT: {seen:?}"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "the apply ended before the server was PUT: {seen:?}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
            seen.extend(self.requests());
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
        Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        let status = child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(status.code(), Some(1), "{out}");
        assert!(
            out.contains("create still running in the cloud; recorded in state"),
            "{out}"
        );
    }

    /// Snapshot and journal as text (a killed run leaves its journal).
    fn state_or_journal(&self) -> String {
        let read = |f: &str| {
            std::fs::read_to_string(self.dir.path().join("stack").join(f))
                .unwrap_or_default()
                .replace([' ', '\n'], "")
        };
        format!(
            "{}{}",
            read("drinfra.tfstate"),
            read("drinfra.tfstate.journal")
        )
    }

    fn state(&self) -> J {
        serde_json::from_str(
            &std::fs::read_to_string(self.dir.path().join("stack/drinfra.tfstate")).unwrap(),
        )
        .unwrap()
    }
}

fn puts_to_server(reqs: &[(String, String)]) -> usize {
    reqs.iter()
        .filter(|(m, p)| m == "PUT" && p.ends_with("/flexibleservers/pg-resume"))
        .count()
}

#[test]
fn an_operation_left_running_is_followed_by_the_next_apply_not_repeated() {
    // 600 simulated seconds for a server: about 3 s here.
    let r = Run::new(200.0);
    let mut child = r
        .cmd(&["apply", "--auto-approve", "--interrupt-grace", "0s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Interrupt once the server's PUT has been accepted.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen = Vec::new();
    while puts_to_server(&seen) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never PUT: {seen:?}"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the apply ended before the server was PUT: {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        seen.extend(r.requests());
    }
    std::thread::sleep(std::time::Duration::from_millis(200));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let (mut out, mut err) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{out}\n{err}");
    assert!(out.contains("azurerm_postgresql_flexible_server.db: create still running in the cloud; recorded in state"), "{out}");
    assert!(
        err.contains("1 step(s) still running in the cloud are recorded in state"),
        "{err}"
    );

    let state = r.state();
    let all = state["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("no operations recorded: {state}"));
    // The create was announced before it was sent (an intent), then left running.
    assert!(
        all.iter().any(|o| o["style"] == "create-intent"
            && o["address"] == "azurerm_postgresql_flexible_server.db"),
        "{all:?}"
    );
    let ops: Vec<&J> = all
        .iter()
        .filter(|o| o["style"] != "create-intent")
        .collect();
    assert_eq!(ops.len(), 1, "{ops:?}");
    assert_eq!(ops[0]["address"], "azurerm_postgresql_flexible_server.db");
    assert_eq!(
        (ops[0]["method"].as_str(), ops[0]["style"].as_str()),
        (Some("PUT"), Some("azure-asyncoperation"))
    );
    // Recorded relative to the ARM endpoint: no host or port of this run.
    assert!(
        ops[0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/subscriptions/"),
        "{ops:?}"
    );
    assert!(
        state["resources"]
            .get("azurerm_postgresql_flexible_server.db")
            .is_none(),
        "not recorded as created yet"
    );
    r.requests();

    // The plan says what the next apply will do with it.
    let (code, out, err) = r.run(&["plan"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        out.contains("follows the PUT an interrupted apply left running"),
        "{out}"
    );

    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let reqs = r.requests();
    assert_eq!(
        puts_to_server(&reqs),
        0,
        "the server was not PUT again: {reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|(m, p)| m == "GET" && p.contains("operation")),
        "the recorded operation was polled: {reqs:?}"
    );
    let state = r.state();
    assert!(
        state.get("operations").is_none(),
        "nothing left running: {state}"
    );
    assert_eq!(
        state["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["name"],
        "pg-resume"
    );
    assert_eq!(r.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn a_left_running_operation_is_resumed_on_a_new_emulator_port() {
    let mut r = Run::new(200.0);
    r.interrupt_during_the_server_create();
    let state = r.state();
    let op = state["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["style"] == "azure-asyncoperation")
        .unwrap_or_else(|| panic!("{state}"));
    let url = op["url"].as_str().unwrap().to_string();
    assert!(
        !url.contains(&r.emu.addr.port().to_string()) && url.starts_with("/subscriptions/"),
        "{url}"
    );
    // The next run meets the emulator on another port (as an embedded one does).
    r.restart_on_a_new_port();
    r.requests();
    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let reqs = r.requests();
    assert_eq!(
        puts_to_server(&reqs),
        0,
        "followed, not sent again: {reqs:?}"
    );
    assert!(
        reqs.iter()
            .any(|(m, p)| m == "GET" && p.contains("operationstatuses")),
        "{reqs:?}"
    );
    let state = r.state();
    assert!(state.get("operations").is_none(), "{state}");
    assert_eq!(
        state["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["name"],
        "pg-resume"
    );
}

#[test]
fn a_recorded_polling_url_on_another_host_is_never_followed() {
    let r = Run::new(200.0);
    r.interrupt_during_the_server_create();
    // A trap where the recorded URL now points: any connection fails the test.
    let trap = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    trap.set_nonblocking(true).unwrap();
    let path = r.dir.path().join("stack/drinfra.tfstate");
    let mut state = r.state();
    let at = state["operations"]
        .as_array()
        .unwrap()
        .iter()
        .position(|o| o["style"] == "azure-asyncoperation")
        .unwrap_or_else(|| panic!("{state}"));
    let url = state["operations"][at]["url"].as_str().unwrap().to_string();
    state["operations"][at]["url"] = J::String(format!(
        "https://127.0.0.1:{}{url}",
        trap.local_addr().unwrap().port()
    ));
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let _ = std::fs::remove_file(r.dir.path().join("stack/drinfra.tfstate.journal"));
    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert!(
        trap.accept().is_err(),
        "a token was sent to a host that is not the ARM endpoint"
    );
    assert_eq!(code, 0, "the request is sent again instead: {out}\n{err}");
    assert_eq!(
        r.state()["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["name"],
        "pg-resume"
    );
}

/// With provider aliases (issue #12): the operation an interrupted apply
/// leaves running is recorded with the provider configuration that
/// started it, and the next apply follows it through that configuration
/// (its subscription), not the default one.
#[test]
fn an_operation_left_running_under_an_alias_is_followed_through_that_configuration() {
    const DR: &str = "00000000-0000-0000-0000-000000000002";
    let r = Run::new(200.0);
    let aliased = format!(
        "provider \"azurerm\" {{\n  alias           = \"dr\"\n  features {{}}\n  subscription_id = \"{DR}\"\n}}\n{}",
        STACK
            .replace(
                "resource \"azurerm_resource_group\" \"db\" {",
                "resource \"azurerm_resource_group\" \"db\" {\n  provider = azurerm.dr"
            )
            .replace(
                "resource \"azurerm_postgresql_flexible_server\" \"db\" {",
                "resource \"azurerm_postgresql_flexible_server\" \"db\" {\n  provider = azurerm.dr"
            )
    );
    std::fs::write(r.dir.path().join("stack/main.tf"), aliased).unwrap();
    let mut child = r
        .cmd(&["apply", "--auto-approve", "--interrupt-grace", "0s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mut seen = Vec::new();
    while puts_to_server(&seen) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never PUT: {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        seen.extend(r.requests());
    }
    assert!(
        seen.iter()
            .any(|(m, p)| m == "PUT" && p.starts_with(&format!("/subscriptions/{DR}/"))),
        "created in the DR subscription: {seen:?}"
    );
    std::thread::sleep(std::time::Duration::from_millis(200));
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(1));
    let state = r.state();
    let all = state["operations"]
        .as_array()
        .unwrap_or_else(|| panic!("no operations recorded: {state}"));
    // The create intent and the operation left running both name the DR configuration.
    assert!(
        all.iter()
            .all(|o| o["provider"] == "provider[\"registry.terraform.io/hashicorp/azurerm\"].dr"),
        "{all:?}"
    );
    let ops: Vec<&J> = all
        .iter()
        .filter(|o| o["style"] != "create-intent")
        .collect();
    assert_eq!(ops.len(), 1, "{ops:?}");
    r.requests();
    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let reqs = r.requests();
    assert_eq!(
        puts_to_server(&reqs),
        0,
        "the server was not PUT again: {reqs:?}"
    );
    let state = r.state();
    assert!(
        state.get("operations").is_none(),
        "nothing left running: {state}"
    );
    let id = state["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(id.starts_with(&format!("/subscriptions/{DR}/")), "{id}");
    assert_eq!(r.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn a_create_killed_after_its_put_is_adopted_by_the_next_apply_not_refused() {
    let r = Run::new(200.0);
    let mut child = r
        .cmd(&["apply", "--auto-approve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut seen = Vec::new();
    while puts_to_server(&seen) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the server was never PUT: {seen:?}"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the apply ended before the server was PUT: {seen:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
        seen.extend(r.requests());
    }
    // Killed while Azure creates the server: its record was never written.
    child.kill().unwrap();
    child.wait().unwrap();
    let state = r.state_or_journal();
    assert!(
        !state.contains("\"azurerm_postgresql_flexible_server.db\":{\"address\""),
        "not recorded as created"
    );
    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert_eq!(
        code, 0,
        "the object the killed run was creating is adopted: {out}\n{err}"
    );
    assert!(
        !out.contains("already exists") && !err.contains("already exists"),
        "{out}\n{err}"
    );
    assert_eq!(
        r.state()["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["name"],
        "pg-resume"
    );
    assert_eq!(r.run(&["plan", "--detailed-exitcode"]).0, 0);
}

#[test]
fn destroy_with_every_object_already_gone_still_cleans_state() {
    let r = Run::new(1.0e6);
    std::fs::write(r.dir.path().join("stack/main.tf"), "provider \"azurerm\" {\n  features {}\n}\nresource \"azurerm_resource_group\" \"a\" {\n  name     = \"rg-gone\"\n  location = \"eastus\"\n}\n").unwrap();
    let (code, out, err) = r.run(&["apply", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    // Deleted in the portal.
    r.rt.block_on(async {
        let c = &r.emu.credentials;
        let tok: J = r
            .http
            .post(format!("{}/{}/oauth2/v2.0/token", r.emu.url, c.tenant_id))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", c.client_id.as_str()),
                ("client_secret", c.client_secret.as_str()),
            ])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let url = format!(
            "{}/subscriptions/{}/resourceGroups/rg-gone?api-version=2024-11-01",
            r.emu.url, c.subscription_id
        );
        r.http
            .delete(&url)
            .bearer_auth(tok["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        for _ in 0..100 {
            if r.http
                .get(&url)
                .bearer_auth(tok["access_token"].as_str().unwrap())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
                == 404
            {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    });
    let (code, out, err) = r.run(&["destroy", "--auto-approve"]);
    assert_eq!(code, 0, "{out}\n{err}");
    let state = r.state();
    assert!(
        state["resources"].as_object().is_none_or(|m| m.is_empty()),
        "the stale entry is gone: {state}"
    );
}

/// The issue's scenario exactly: SIGTERM during an apply against the
/// embedded emulator, then apply again (a new embedded emulator, on a new
/// random port, over the same data).
#[test]
fn sigterm_against_the_embedded_emulator_then_apply_again_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let stack = dir.path().join("stack");
    std::fs::create_dir_all(&stack).unwrap();
    std::fs::write(stack.join("main.tf"), STACK).unwrap();
    let cmd = |args: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_drinfra"));
        c.arg("-C")
            .arg(&stack)
            .args(args)
            .env("DRINFRA_EMULATOR_TIME_SCALE", "120")
            .env_remove("DRINFRA_EMULATOR_URL")
            .env_remove("DRINFRA_EMULATOR_DATA_DIR");
        for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("ARM_")) {
            c.env_remove(k);
        }
        c
    };
    let mut child = cmd(&["apply", "--auto-approve", "--interrupt-grace", "0s"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the embedded emulator runs the server's create.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "the server's create never started"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
        let running = emulator::store::Store::open(&stack.join(".drinfra/emulator"))
            .ok()
            .and_then(|s| s.running_ops().ok())
            .unwrap_or_default();
        if running.iter().any(|op| {
            op.resource
                .to_lowercase()
                .ends_with("/flexibleservers/pg-resume")
        }) {
            break;
        }
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(status.code(), Some(1), "{out}");
    assert!(
        out.contains("create still running in the cloud; recorded in state"),
        "{out}"
    );
    let o = cmd(&["apply", "--auto-approve"]).output().unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert_eq!(o.status.code(), Some(0), "{out}\n{err}");
    assert!(
        !out.contains("cannot reach") && !err.contains("cannot reach"),
        "{out}\n{err}"
    );
    let state: J =
        serde_json::from_str(&std::fs::read_to_string(stack.join("drinfra.tfstate")).unwrap())
            .unwrap();
    assert_eq!(
        state["resources"]["azurerm_postgresql_flexible_server.db"]["attributes"]["name"],
        "pg-resume"
    );
    assert!(state.get("operations").is_none(), "{state}");
}
