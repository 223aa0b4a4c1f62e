//! `drinfra state ...`, `output`, `show`, `force-unlock`, `graph`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

use super::Env;
use super::engine::{parse_duration, read_plan, show_diags};
use drinfra::lang::Value;
use drinfra::render::{plan as plan_render, value};
use drinfra::state::lock::{self, LockInfo};
use drinfra::state::{Backend, Change, Record, State, select};

#[derive(Subcommand)]
pub enum StateCommand {
    /// List recorded resource instances.
    List,
    /// Show one recorded instance's attributes.
    Show { address: String },
    /// Forget instances (the real objects are left alone).
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
    },
    /// Print the whole state as JSON (decrypted).
    Pull,
    /// Replace the state with a file's (same lineage, not older).
    Push {
        file: PathBuf,
        /// Push even with a different lineage or an older serial.
        #[arg(long)]
        force: bool,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
    },
    /// Rename an instance, or every instance under a prefix.
    Mv {
        source: String,
        destination: String,
        #[arg(long, default_value = "0s")]
        lock_timeout: String,
    },
}

#[derive(Args)]
pub struct OutputArgs {
    name: Option<String>,
    #[arg(long)]
    json: bool,
    /// Print a string output without quotes.
    #[arg(long)]
    raw: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// A saved plan file; without it, the current state.
    plan_file: Option<PathBuf>,
    /// Terraform's JSON (plan format 1.2, or state format 1.0).
    #[arg(long, conflicts_with_all = ["markdown", "compact"])]
    json: bool,
    /// Markdown for a pull-request comment (plans only).
    #[arg(long, conflicts_with = "compact")]
    markdown: bool,
    /// One line per resource (plans only).
    #[arg(long)]
    compact: bool,
}

#[derive(Args)]
pub struct ForceUnlockArgs {
    /// The lock ID printed by the run that could not take the lock.
    id: String,
}

#[derive(Args)]
pub struct GraphArgs {
    #[arg(long, default_value = "dot", value_parser = ["dot", "mermaid"])]
    format: String,
}

fn backend(env: &Env) -> anyhow::Result<Result<Box<dyn Backend>, ExitCode>> {
    let (config, diags) = drinfra::config::load(&env.dir);
    if diags.has_errors() {
        show_diags(env, &config.sources, &diags);
        return Ok(Err(ExitCode::from(1)));
    }
    match select::backend_for(&config, &env.dir, &env.vars) {
        Ok(b) => Ok(Ok(b)),
        Err(d) => {
            let mut ds = drinfra::diag::Diagnostics::default();
            ds.push(d);
            show_diags(env, &config.sources, &ds);
            Ok(Err(ExitCode::from(1)))
        }
    }
}

/// Recorded attributes without the null ones, for display.
fn shown(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, x)| !x.is_null()).collect()),
        other => other,
    }
}

fn load(b: &dyn Backend) -> anyhow::Result<State> {
    Ok(State::or_new(b.load()?)?)
}

/// Writes `next` as a new serial under the lock.
fn rewrite(
    env: &Env,
    b: &dyn Backend,
    timeout: &str,
    op: &str,
    edit: impl FnOnce(&mut State) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let info = LockInfo::for_operation(op, &b.describe(), &env.vars)?;
    lock::acquire(b, &info, parse_duration(timeout)?, &mut |_| {}, &mut |_| {})?;
    let result = (|| {
        let mut state = load(b)?;
        edit(&mut state)?;
        state.serial = state.next_serial()?;
        b.append(&[Record {
            serial: state.serial,
            change: Change::Replace(Box::new(state.clone())),
        }])?;
        b.compact(&state)?;
        super::engine::notify_unencrypted(
            env,
            drinfra::state::unencrypted_notice(&state, b).as_ref(),
        );
        Ok(())
    })();
    b.unlock(&info.id)?;
    result
}

pub fn run_state(env: &Env, c: StateCommand) -> anyhow::Result<ExitCode> {
    let b = match backend(env)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    match c {
        StateCommand::List => {
            for addr in load(b.as_ref())?.resources.keys() {
                println!("{addr}");
            }
        }
        StateCommand::Show { address } => {
            let state = load(b.as_ref())?;
            let Some(rs) = state.resources.get(&address) else {
                bail!("no instance {address:?} in the state")
            };
            println!(
                "# {address}:\nresource \"{}\" \"{}\" {}",
                rs.ty,
                rs.name,
                plan_render::value_text(&shown(rs.value()), 0)
            );
        }
        StateCommand::Pull => {
            println!("{}", serde_json::to_string_pretty(&load(b.as_ref())?)?);
        }
        StateCommand::Push {
            file,
            force,
            lock_timeout,
        } => {
            let raw =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let cipher = drinfra::state::crypto::Cipher::from_env(&env.vars)?;
            let pushed: State =
                drinfra::state::decode_snapshot(&raw, &cipher, &file.display().to_string())?;
            let info = LockInfo::for_operation("state push", &b.describe(), &env.vars)?;
            lock::acquire(
                b.as_ref(),
                &info,
                parse_duration(&lock_timeout)?,
                &mut |_| {},
                &mut |_| {},
            )?;
            let result = (|| {
                let current = b.load()?;
                if let Some(cur) = &current {
                    if cur.lineage != pushed.lineage && !force {
                        bail!(
                            "refusing to push: lineage {} differs from the current state's {} (a different stack's state?); use --force to replace it anyway",
                            pushed.lineage,
                            cur.lineage
                        );
                    }
                    if pushed.serial < cur.serial && !force {
                        bail!(
                            "refusing to push: serial {} is older than the current state's {}; use --force to go back",
                            pushed.serial,
                            cur.serial
                        );
                    }
                }
                let mut next = pushed.clone();
                // A forced push of another lineage starts that lineage's own count.
                next.serial = match &current {
                    Some(c) if c.lineage == pushed.lineage => c.next_serial()?.max(pushed.serial),
                    _ => pushed.serial,
                };
                b.append(&[Record {
                    serial: next.serial,
                    change: Change::Replace(Box::new(next.clone())),
                }])?;
                b.compact(&next)?;
                super::engine::notify_unencrypted(
                    env,
                    drinfra::state::unencrypted_notice(&next, b.as_ref()).as_ref(),
                );
                Ok(next.serial)
            })();
            b.unlock(&info.id)?;
            println!("Pushed {} as serial {}.", file.display(), result?);
        }
        StateCommand::Rm {
            addresses,
            lock_timeout,
        } => {
            let mut removed = 0;
            rewrite(env, b.as_ref(), &lock_timeout, "state rm", |s| {
                for a in &addresses {
                    let before = s.resources.len();
                    s.resources.retain(|k, _| {
                        !(k == a
                            || k.starts_with(&format!("{a}["))
                            || k.starts_with(&format!("{a}.")))
                    });
                    if s.resources.len() == before {
                        bail!("no instance matches {a:?}; nothing was changed");
                    }
                    removed += before - s.resources.len();
                }
                Ok(())
            })?;
            println!(
                "Removed {removed} instance(s) from the state. The real objects were not touched."
            );
        }
        StateCommand::Mv {
            source,
            destination,
            lock_timeout,
        } => {
            let mut moved = 0;
            rewrite(env, b.as_ref(), &lock_timeout, "state mv", |s| {
                let matching: Vec<String> = s
                    .resources
                    .keys()
                    .filter(|k| {
                        *k == &source
                            || k.starts_with(&format!("{source}["))
                            || k.starts_with(&format!("{source}."))
                    })
                    .cloned()
                    .collect();
                if matching.is_empty() {
                    bail!("no instance matches {source:?}; nothing was changed");
                }
                for old in matching {
                    let new = format!("{destination}{}", &old[source.len()..]);
                    if s.resources.contains_key(&new) {
                        bail!("{new} already exists in the state; nothing was changed");
                    }
                    let mut rs = s.resources.remove(&old).context("entry")?;
                    rs.address = new.clone();
                    if let Ok(a) = new.parse::<drinfra::addrs::AbsResourceInstance>() {
                        rs.module = a.module.to_string();
                        rs.name = a.resource.name;
                    }
                    s.resources.insert(new, rs);
                    moved += 1;
                }
                Ok(())
            })?;
            println!("Moved {moved} instance(s).");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_output(env: &Env, a: OutputArgs) -> anyhow::Result<ExitCode> {
    let b = match backend(env)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let state = load(b.as_ref())?;
    match &a.name {
        Some(n) => {
            let Some(o) = state.outputs.get(n) else {
                bail!("no output named {n:?} in the state")
            };
            if a.json {
                println!("{}", serde_json::to_string(&o.value)?);
            } else if a.raw {
                // As Terraform's -raw: the bare value, no newline after it,
                // so shells can use it as it is.
                match &o.value {
                    serde_json::Value::String(s) => print!("{s}"),
                    serde_json::Value::Number(_) | serde_json::Value::Bool(_) => {
                        print!("{}", o.value)
                    }
                    _ => bail!("--raw supports only primitive values; use --json"),
                }
            } else if o.sensitive {
                println!("(sensitive value)");
            } else {
                println!("{}", value::render(&Value::from_json(&o.value)));
            }
        }
        None if a.json => {
            let doc: serde_json::Map<String, serde_json::Value> = state
                .outputs
                .iter()
                .map(|(k, o)| {
                    (
                        k.clone(),
                        serde_json::json!({"sensitive": o.sensitive, "value": o.value}),
                    )
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&doc)?);
        }
        None => {
            for (k, o) in &state.outputs {
                // Terraform's `output` listing marks them `<sensitive>`.
                let v = if o.sensitive {
                    "<sensitive>".into()
                } else {
                    value::render(&Value::from_json(&o.value))
                };
                println!("{k} = {v}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_show(env: &Env, a: ShowArgs) -> anyhow::Result<ExitCode> {
    if let Some(f) = a.plan_file {
        let plan = read_plan(&f)?;
        if a.json {
            let (config, _) = drinfra::config::load(&env.dir);
            let cfg =
                (!config.modules.is_empty() && !config.root().files.is_empty()).then_some(&config);
            println!(
                "{}",
                serde_json::to_string(&drinfra::render::plan_json::plan(
                    &plan,
                    plan.prior_state.as_ref(),
                    cfg
                ))?
            );
        } else {
            super::engine::print_plan(
                env,
                &plan,
                super::engine::OutputArgs {
                    json: false,
                    markdown: a.markdown,
                    compact: a.compact,
                },
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let b = match backend(env)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    let state = load(b.as_ref())?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string(&drinfra::render::plan_json::state(&state))?
        );
        return Ok(ExitCode::SUCCESS);
    }
    if state.resources.is_empty() && state.outputs.is_empty() {
        println!("The state is empty.");
    }
    for rs in state.resources.values() {
        println!(
            "# {}:\nresource \"{}\" \"{}\" {}\n",
            rs.address,
            rs.ty,
            rs.name,
            plan_render::value_text(&shown(rs.value()), 0)
        );
    }
    if !state.outputs.is_empty() {
        println!("Outputs:\n");
        for (k, o) in &state.outputs {
            let v = if o.sensitive {
                "(sensitive value)".into()
            } else {
                value::render(&Value::from_json(&o.value))
            };
            println!("{k} = {v}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn run_force_unlock(env: &Env, a: ForceUnlockArgs) -> anyhow::Result<ExitCode> {
    let b = match backend(env)? {
        Ok(b) => b,
        Err(code) => return Ok(code),
    };
    b.unlock(&a.id)?;
    println!("The state lock {} was removed.", a.id);
    Ok(ExitCode::SUCCESS)
}

pub fn run_graph(env: &Env, a: GraphArgs) -> anyhow::Result<ExitCode> {
    let stack = drinfra::ops::validate::open(&env.dir, &[], &env.vars);
    if stack.diags.has_errors() {
        show_diags(env, &stack.config.sources, &stack.diags);
        return Ok(ExitCode::from(1));
    }
    let deps = drinfra::plan::deps::build(&stack.config);
    if let Err(cycles) = deps.graph.order() {
        for c in cycles {
            eprintln!(
                "error: cycle: {}",
                c.iter()
                    .map(|n| format!("{}{n}", deps.module_names[n.module]))
                    .collect::<Vec<_>>()
                    .join(" <-> ")
            );
        }
        return Ok(ExitCode::from(1));
    }
    let g = deps.resource_graph();
    print!(
        "{}",
        if a.format == "dot" {
            g.to_dot()
        } else {
            g.to_mermaid()
        }
    );
    Ok(ExitCode::SUCCESS)
}
