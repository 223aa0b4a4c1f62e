//! `drinfra emulator serve` and `drinfra emulator fault ...`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use serde_json::json;

use super::args::Env;
use drinfra::emulator::{self, Options, Settings};

#[derive(Subcommand)]
pub enum EmulatorCommand {
    /// Run the ARM emulator until interrupted.
    Serve(ServeArgs),
    /// Switch faults on and off in a running emulator.
    #[command(subcommand)]
    Fault(FaultCommand),
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (loopback only).
    #[arg(long, default_value = "127.0.0.1:8443")]
    addr: std::net::SocketAddr,
    /// Where to keep data, the CA certificate and credentials.
    #[arg(long, default_value = "state/emulator")]
    data: PathBuf,
    /// Simulated seconds per real second (600: ten minutes a second).
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Serve plain HTTP instead of HTTPS (for debugging on loopback).
    #[arg(long)]
    insecure_http: bool,
}

#[derive(Args)]
pub struct Target {
    /// The emulator's URL.
    #[arg(
        long,
        env = "DRINFRA_EMULATOR_URL",
        default_value = "https://localhost:8443"
    )]
    url: String,
    /// The emulator's data directory (for its CA certificate).
    #[arg(long, default_value = "state/emulator")]
    data: PathBuf,
}

#[derive(Subcommand)]
pub enum FaultCommand {
    /// Take a region down: its resources fail (or time out) and its operations stall.
    RegionDown {
        region: String,
        /// `error` (503 at once) or `timeout` (hang, then 504).
        #[arg(long, default_value = "error")]
        mode: String,
        #[command(flatten)]
        target: Target,
    },
    /// Bring a region back.
    RegionUp {
        region: String,
        #[command(flatten)]
        target: Target,
    },
    /// Answer a share of requests with transient 429/500/503.
    Transient {
        #[arg(long)]
        rate: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        target: Target,
    },
    /// Make the next operation matching a type or id fail after it started.
    FailNext {
        #[arg(long, default_value = "")]
        matches: String,
        #[arg(long, default_value = "InternalServerError")]
        code: String,
        #[arg(long, default_value = "")]
        message: String,
        #[command(flatten)]
        target: Target,
    },
    /// Clear every fault.
    Clear {
        #[command(flatten)]
        target: Target,
    },
    /// Show the faults in force.
    Show {
        #[command(flatten)]
        target: Target,
    },
}

pub fn run(env: &Env, c: EmulatorCommand) -> anyhow::Result<ExitCode> {
    let rt = drinfra::ops::session::runtime()?;
    match c {
        EmulatorCommand::Serve(a) => {
            if !a.addr.ip().is_loopback() {
                bail!(
                    "the emulator listens on loopback addresses only, not {}",
                    a.addr.ip()
                );
            }
            let data = if a.data.is_absolute() {
                a.data.clone()
            } else {
                env.dir.join(&a.data)
            };
            let opts = Options {
                data_dir: data.clone(),
                tls: !a.insecure_http,
                settings: Settings {
                    time_scale: a.time_scale,
                    ..Settings::default()
                },
            };
            rt.block_on(async {
                let running = emulator::start(opts, a.addr).await?;
                println!("drinfra ARM emulator listening on {}", running.url);
                println!("  data:        {}", data.display());
                if running.ca_pem.is_some() {
                    println!("  CA:          {}", data.join("ca.pem").display());
                }
                println!(
                    "  credentials: {} (tenant, client id and secret for the token endpoint)",
                    data.join("credentials.json").display()
                );
                println!("  time scale:  {}x", a.time_scale);
                let _ = tokio::signal::ctrl_c().await;
                running.stop().await;
                Ok::<_, anyhow::Error>(())
            })?;
            Ok(ExitCode::SUCCESS)
        }
        EmulatorCommand::Fault(f) => {
            let (target, method, path, body) = match &f {
                FaultCommand::RegionDown {
                    region,
                    mode,
                    target,
                } => (
                    target,
                    "PATCH",
                    "faults",
                    Some(json!({"region_mode": mode, "__down": region})),
                ),
                FaultCommand::RegionUp { region, target } => (
                    target,
                    "POST",
                    "faults/region-up",
                    Some(json!({"region": region})),
                ),
                FaultCommand::Transient { rate, seed, target } => (
                    target,
                    "PATCH",
                    "faults",
                    Some(json!({"transient_rate": rate, "transient_seed": seed})),
                ),
                FaultCommand::FailNext {
                    matches,
                    code,
                    message,
                    target,
                } => (
                    target,
                    "FAILNEXT",
                    "faults",
                    Some(json!({"matches": matches, "code": code, "message": message})),
                ),
                FaultCommand::Clear { target } => (target, "DELETE", "faults", None),
                FaultCommand::Show { target } => (target, "GET", "faults", None),
            };
            let data = if target.data.is_absolute() {
                target.data.clone()
            } else {
                env.dir.join(&target.data)
            };
            let ca = std::fs::read_to_string(data.join("ca.pem")).ok();
            let client = emulator::client(ca.as_deref())?;
            let base = target.url.trim_end_matches('/').to_string();
            let out = rt
                .block_on(async {
                    let url = |p: &str| format!("{base}/admin/{p}");
                    let resp = match (method, body) {
                        ("PATCH", Some(mut b)) => {
                            if let Some(region) =
                                b.get("__down").and_then(|r| r.as_str()).map(str::to_string)
                            {
                                b.as_object_mut().map(|m| m.remove("__down"));
                                client.patch(url("faults")).json(&b).send().await?;
                                client
                                    .post(url("faults/region-down"))
                                    .json(&json!({"region": region}))
                                    .send()
                                    .await?
                            } else {
                                client.patch(url(path)).json(&b).send().await?
                            }
                        }
                        ("FAILNEXT", Some(rule)) => {
                            let cur: serde_json::Value =
                                client.get(url("faults")).send().await?.json().await?;
                            let mut rules = cur.get("fail_next").cloned().unwrap_or(json!([]));
                            if let Some(a) = rules.as_array_mut() {
                                a.push(rule)
                            }
                            client
                                .patch(url("faults"))
                                .json(&json!({"fail_next": rules}))
                                .send()
                                .await?
                        }
                        ("POST", Some(b)) => client.post(url(path)).json(&b).send().await?,
                        ("DELETE", _) => client.delete(url(path)).send().await?,
                        _ => client.get(url(path)).send().await?,
                    };
                    let status = resp.status();
                    let text = resp.text().await?;
                    Ok::<_, anyhow::Error>((status, text))
                })
                .with_context(|| format!("cannot reach the emulator at {base}"))?;
            if !out.0.is_success() {
                bail!("the emulator answered {}: {}", out.0, out.1);
            }
            let faults: serde_json::Value = if out.1.is_empty() {
                rt.block_on(async {
                    client
                        .get(format!("{base}/admin/faults"))
                        .send()
                        .await?
                        .json()
                        .await
                })
                .unwrap_or(json!({}))
            } else {
                serde_json::from_str(&out.1).unwrap_or(json!({}))
            };
            println!("{}", serde_json::to_string_pretty(&faults)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}
