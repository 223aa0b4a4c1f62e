//! `drinfra plan`, `apply` and `destroy`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;

use super::{Env, VarArgs};
use drinfra::apply::{self, ApplyOptions};
use drinfra::config::Stack;
use drinfra::diag::Diagnostics;
use drinfra::plan::Plan;
use drinfra::plan::planner::{self, PlanOptions};
use drinfra::provider::Providers;
use drinfra::render::{diagnostics, plan as plan_render, progress::Progress};
use drinfra::state::lock::{self, LockInfo};
use drinfra::state::{Backend, State, select};

#[derive(Args, Debug, Default)]
pub struct CommonArgs {
    #[command(flatten)]
    pub vars: VarArgs,
    /// Limit to this resource or module address and what it depends on (repeatable).
    #[arg(long = "target", value_name = "ADDR")]
    pub targets: Vec<String>,
    /// Only bring the state in line with the real objects; change nothing.
    #[arg(long)]
    pub refresh_only: bool,
    /// Do not read the real objects first; trust the state.
    #[arg(long)]
    pub no_refresh: bool,
    /// How many operations may run at once.
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub parallelism: usize,
    /// How long to wait for the state lock (e.g. 30s, 5m).
    #[arg(long, default_value = "0s", value_name = "DURATION")]
    pub lock_timeout: String,
    /// After Ctrl-C or SIGTERM: how long to keep following operations
    /// already running in the cloud before recording them in state for the
    /// next apply to resume (e.g. 30s, 5m).
    #[arg(long, default_value = "60s", value_name = "DURATION")]
    pub interrupt_grace: String,
    /// Also report the requests made to the cloud.
    #[arg(long)]
    pub verbose: bool,
}

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    common: CommonArgs,
    /// Save the plan to FILE for `drinfra apply FILE`.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 0 for no changes, 2 for changes, 1 for errors.
    #[arg(long)]
    detailed_exitcode: bool,
    /// Plan to destroy everything the state records.
    #[arg(long)]
    destroy: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// How to show a plan.
#[derive(Args, Debug, Default, Clone, Copy)]
pub struct OutputArgs {
    /// Machine-readable events, one JSON object per line.
    #[arg(long, conflicts_with_all = ["markdown", "compact"])]
    pub json: bool,
    /// Markdown for a pull-request comment.
    #[arg(long, conflicts_with = "compact")]
    pub markdown: bool,
    /// One line per resource.
    #[arg(long)]
    pub compact: bool,
}

/// Prints a plan the way the flags ask.
pub fn print_plan(env: &Env, plan: &Plan, out: OutputArgs) {
    if out.json {
        for e in drinfra::render::events::plan(plan) {
            println!("{e}");
        }
    } else if out.markdown {
        print!(
            "{}",
            drinfra::render::plan_markdown::render(plan, drinfra::render::plan_markdown::BUDGET)
        );
    } else if out.compact {
        print!("{}", plan_render::render_compact(plan, env.style));
    } else {
        print!("{}", plan_render::render(plan, env.style));
    }
}

#[derive(Args)]
pub struct ApplyArgs {
    /// A plan saved with `drinfra plan --out FILE`.
    plan_file: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
    /// Do not ask for confirmation.
    #[arg(long)]
    auto_approve: bool,
    /// Machine-readable events, one JSON object per line.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long)]
    auto_approve: bool,
}

/// A flag's duration: `30s`, `5m`, `1h30m`, or a bare number of seconds.
pub fn parse_duration(s: &str) -> anyhow::Result<Duration> {
    let s = s.trim();
    if let Ok(secs) = s.parse::<f64>()
        && secs >= 0.0
        && secs.is_finite()
    {
        return Ok(Duration::from_secs_f64(secs));
    }
    drinfra::timefmt::parse_duration(s)
        .ok_or_else(|| anyhow::anyhow!("invalid duration {s:?}: use a number with s, m or h"))
}

pub fn show_diags(env: &Env, stack_sources: &drinfra::diag::SourceMap, d: &Diagnostics) {
    if !d.is_empty() {
        eprint!(
            "{}",
            diagnostics::render_all(d, stack_sources, &env.dir, env.style)
        );
    }
}

/// A loaded stack with its backend, state lock held.
pub struct Session {
    pub stack: Stack,
    pub backend: Box<dyn Backend>,
    pub lock: Option<LockInfo>,
}

impl Session {
    pub fn release(&mut self) {
        if let Some(l) = self.lock.take() {
            let _ = self.backend.unlock(&l.id);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.release();
    }
}

/// Loads and checks the stack, then takes the state lock.
pub fn open_session(
    env: &Env,
    common: &CommonArgs,
    operation: &str,
    validate_all: bool,
) -> anyhow::Result<Result<Session, ExitCode>> {
    let mut stack = drinfra::ops::validate::open(&env.dir, &common.vars.ordered(), &env.vars);
    if validate_all {
        // Every problem at once, as validate reports them: not only those
        // found before the first error.
        let eval = drinfra::ops::validate::check_all(
            &mut stack,
            &env.dir,
            Some(&Providers::builtin()),
            true,
        );
        stack
            .diags
            .extend(drinfra::failover::rules::check(&stack.config, &eval));
    }
    if stack.diags.has_errors() {
        show_diags(env, &stack.config.sources, &stack.diags);
        eprintln!("\nNothing was changed.");
        return Ok(Err(ExitCode::from(1)));
    }
    show_diags(env, &stack.config.sources, &stack.diags);
    let backend = match select::backend_for(&stack.config, &env.dir, &env.vars) {
        Ok(b) => b,
        Err(d) => {
            let mut ds = Diagnostics::default();
            ds.push(d);
            show_diags(env, &stack.config.sources, &ds);
            return Ok(Err(ExitCode::from(1)));
        }
    };
    let spec = select::spec_for(&stack.config, &env.dir).ok().flatten();
    super::init::check_unchanged(&env.dir, backend.as_ref(), spec.as_ref())?;
    let timeout = parse_duration(&common.lock_timeout)?;
    let info = LockInfo::for_operation(operation, &backend.describe(), &env.vars)?;
    let style = env.style;
    lock::acquire(
        backend.as_ref(),
        &info,
        timeout,
        &mut |h| {
            eprintln!(
                "{}: waiting up to {} for the state lock held by {} ({}, pid {}, since {}{})",
                style.bold("lock"),
                common.lock_timeout,
                h.who,
                h.operation,
                h.pid,
                h.created,
                h.ci_run_url
                    .as_ref()
                    .map(|u| format!(", {u}"))
                    .unwrap_or_default()
            )
        },
        &mut |h| {
            eprintln!(
                "{}: breaking a stale lock left by {} (pid {} is no longer running)",
                style.bold("lock"),
                h.who,
                h.pid
            )
        },
    )
    .map_err(|e| match &e {
        drinfra::state::LockError::Held(h) if !h.id.is_empty() => anyhow::anyhow!(
            "{e}. If that run is gone for good, remove the lock with `drinfra force-unlock {}`.",
            h.id
        ),
        drinfra::state::LockError::Held(h) => anyhow::anyhow!(
            "{e}. The lock records no ID (at {}); if that run is gone for good, remove it by hand.",
            h.path
        ),
        _ => anyhow::anyhow!("{e}"),
    })?;
    Ok(Ok(Session {
        stack,
        backend,
        lock: Some(info),
    }))
}

/// What every command that talks to the cloud starts with: the session
/// (configuration loaded, state locked), a runtime and the providers.
pub fn start(
    env: &Env,
    common: &CommonArgs,
    operation: &str,
    validate_all: bool,
) -> anyhow::Result<Result<(Session, tokio::runtime::Runtime, Providers), ExitCode>> {
    let s = match open_session(env, common, operation, validate_all)? {
        Ok(s) => s,
        Err(code) => return Ok(Err(code)),
    };
    let rt = runtime()?;
    Ok(build_providers(env, &s, &rt)?.map(|providers| (s, rt, providers)))
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The providers a stack needs, the Azure one connected to its cloud.
pub fn build_providers(
    env: &Env,
    s: &Session,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<Result<Providers, ExitCode>> {
    let mut providers = Providers::builtin();
    if drinfra::provider::azure::setup::used(&s.stack.config) {
        // One provider per azurerm configuration (the default and each alias).
        let settings = match drinfra::provider::azure::setup::all_settings(
            &s.stack.config,
            &s.stack.inputs,
            &env.dir,
            &env.vars,
        ) {
            Ok(st) => st,
            Err(d) => {
                show_diags(env, &s.stack.config.sources, &d);
                return Ok(Err(ExitCode::from(1)));
            }
        };
        let started = start_embedded_emulators(&settings, env, rt, &mut providers)?;
        for (addr, azure) in rt
            .block_on(drinfra::provider::azure::setup::providers(
                &settings, &env.dir, &env.vars, &started,
            ))
            .map_err(|e| anyhow::anyhow!("{e}"))?
        {
            providers.add_config(addr, std::sync::Arc::new(azure));
        }
    }
    Ok(Ok(providers))
}

/// Starts the embedded emulators the azurerm configurations want (one per
/// data directory), kept running as long as `providers` lives.
fn start_embedded_emulators(
    settings: &[(
        drinfra::provider::ProviderConfigAddr,
        drinfra::provider::azure::setup::Settings,
    )],
    env: &Env,
    rt: &tokio::runtime::Runtime,
    providers: &mut Providers,
) -> anyhow::Result<
    Vec<(
        std::path::PathBuf,
        drinfra::provider::azure::setup::Endpoint,
    )>,
> {
    use drinfra::provider::azure::setup;
    let mut started = Vec::new();
    for want in setup::embedded_requests(settings, &env.dir, &env.vars) {
        let opts = drinfra::emulator::Options {
            data_dir: want.data_dir.clone(),
            tls: true,
            settings: drinfra::emulator::Settings {
                time_scale: want.time_scale,
                ..drinfra::emulator::Settings::default()
            },
        };
        let running = rt
            .block_on(drinfra::emulator::start(opts, ([127, 0, 0, 1], 0).into()))
            .map_err(|e| anyhow::anyhow!("starting the embedded emulator: {e}"))?;
        let endpoint = setup::Endpoint {
            url: running.url.clone(),
            ca_pem: running.ca_pem.clone(),
            credentials: setup::EmulatorCredentials::read(&want.data_dir)
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        providers.hold(running);
        started.push((want.data_dir, endpoint));
    }
    Ok(started)
}

fn cloud_banner(env: &Env, s: &Session, providers: &Providers) {
    let clouds: Vec<String> = providers
        .configs()
        .filter(|(_, p)| p.name() != "terraform.io/builtin/terraform")
        .map(|(a, p)| {
            if a.alias.is_some() {
                format!("{}: {}", a.short(), p.describe())
            } else {
                p.describe()
            }
        })
        .collect();
    let cloud = if clouds.is_empty() {
        "built-in resources only".to_string()
    } else {
        clouds.join("; ")
    };
    eprintln!(
        "{}",
        env.style
            .dim(&format!("Cloud: {cloud}. State: {}.", s.backend.describe()))
    );
}

pub fn report_requests(env: &Env, providers: &Providers, verbose: bool) {
    if !verbose {
        return;
    }
    for p in providers.all() {
        if let Some((requests, throttled)) = p.request_counts() {
            eprintln!(
                "{}",
                env.style.dim(&format!(
                    "{}: {requests} requests, {throttled} throttled (429)",
                    p.describe()
                ))
            );
        }
    }
}

fn make_plan(
    env: &Env,
    s: &Session,
    common: &CommonArgs,
    destroy: bool,
    rt: &tokio::runtime::Runtime,
    providers: &Providers,
) -> anyhow::Result<Result<(Plan, Option<State>), ExitCode>> {
    let prior = s.backend.load()?;
    cloud_banner(env, s, providers);
    // A state from before placements were recorded: tell from its
    // resources where the last apply placed each group, if that is clear.
    let placed = prior
        .as_ref()
        .filter(|st| {
            !st.resources.is_empty()
                && s.stack
                    .config
                    .root()
                    .failover_groups
                    .keys()
                    .any(|g| !st.failover_groups.contains_key(g))
        })
        .map(|st| {
            drinfra::failover::with_inferred(&s.stack.config, &s.stack.inputs, &env.dir, st.clone())
        });
    let failover =
        match drinfra::failover::views(&s.stack.config, placed.as_ref().or(prior.as_ref())) {
            Ok(v) => v,
            Err(ds) => {
                show_diags(env, &s.stack.config.sources, &ds);
                eprintln!("\nNothing was changed.");
                return Ok(Err(ExitCode::from(1)));
            }
        };
    let opts = PlanOptions {
        destroy,
        refresh_only: common.refresh_only,
        refresh: !common.no_refresh,
        targets: common.targets.clone(),
        parallelism: common.parallelism,
        failover,
        phased: false,
    };
    let (plan, diags) = rt.block_on(planner::plan(
        &s.stack.config,
        &s.stack.inputs,
        &env.dir,
        prior.as_ref(),
        providers,
        &opts,
    ));
    report_requests(env, providers, common.verbose);
    show_diags(env, &s.stack.config.sources, &diags);
    match plan {
        Some(p) if !diags.has_errors() => Ok(Ok((p, prior))),
        _ => {
            eprintln!("\nPlanning failed; nothing was changed.");
            Ok(Err(ExitCode::from(1)))
        }
    }
}

pub fn run_plan(env: &Env, a: PlanArgs) -> anyhow::Result<ExitCode> {
    let (mut s, rt, providers) = match start(env, &a.common, "plan", true)? {
        Ok(started) => started,
        Err(code) => return Ok(code),
    };
    let (plan, _) = match make_plan(env, &s, &a.common, a.destroy, &rt, &providers)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    s.release();
    if a.output.json {
        println!("{}", drinfra::render::events::version());
    }
    print_plan(env, &plan, a.output);
    if let Some(out) = &a.out {
        JSON_EVENTS.store(a.output.json, std::sync::atomic::Ordering::SeqCst);
        let notice = write_plan(out, &plan)?;
        notify_unencrypted(env, notice.as_ref());
        println!(
            "\nSaved the plan to {}. To apply it: drinfra apply {}",
            out.display(),
            out.display()
        );
    }
    Ok(if a.detailed_exitcode && plan.has_resource_changes() {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Saves `plan`, sealed when encryption is on; returns the notice due when
/// it holds sensitive values and is not.
pub fn write_plan(
    path: &Path,
    plan: &Plan,
) -> anyhow::Result<Option<drinfra::state::UnencryptedSecrets>> {
    let cipher = drinfra::state::crypto::Cipher::from_env(&std::env::vars().collect::<Vec<_>>())?;
    let text = cipher.seal(&serde_json::to_vec(plan)?)?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(
        (!cipher.enabled() && plan.holds_secrets()).then(|| drinfra::state::UnencryptedSecrets {
            what: format!("The saved plan {}", path.display()),
        }),
    )
}

pub fn read_plan(path: &Path) -> anyhow::Result<Plan> {
    let raw =
        std::fs::read(path).with_context(|| format!("cannot read plan file {}", path.display()))?;
    let cipher = drinfra::state::crypto::Cipher::from_env(&std::env::vars().collect::<Vec<_>>())?;
    Ok(Plan::decode(&raw, &cipher, &path.display().to_string())?)
}

fn confirm(env: &Env, question: &str, auto_approve: bool) -> anyhow::Result<bool> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        bail!(
            "refusing to {question} without --auto-approve: standard input is not a terminal, so nobody can confirm"
        );
    }
    print!(
        "\n{}\n  Only 'yes' will be accepted.\n\n  Enter a value: ",
        env.style.bold(&format!("Do you want to {question}?"))
    );
    std::io::stdout().flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim() == "yes")
}

/// Resolves on Ctrl-C or SIGTERM.
async fn interrupted() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(t) => t,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Applies `plan` to the session's stack and backend with the common
/// flags; Ctrl-C or SIGTERM stops it the graceful way. `defer` accepts
/// failures as deferred (a failover's unreachable region).
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_plan(
    env: &Env,
    s: &Session,
    plan: &Plan,
    prior: Option<State>,
    providers: &Providers,
    rt: &tokio::runtime::Runtime,
    common: &CommonArgs,
    defer: Option<fn(&drinfra::provider::ProviderError) -> bool>,
    events: &mut dyn FnMut(apply::Event),
) -> anyhow::Result<apply::ApplyReport> {
    let opts = ApplyOptions {
        parallelism: common.parallelism,
        defer,
        grace: Some(parse_duration(&common.interrupt_grace)?),
    };
    let report = rt.block_on(apply::apply(
        plan,
        &s.stack.config,
        &s.stack.inputs,
        &env.dir,
        s.backend.as_ref(),
        prior,
        providers,
        &opts,
        events,
        interrupted(),
    ))?;
    notify_unencrypted(env, report.unencrypted.as_ref());
    Ok(report)
}

static JSON_EVENTS: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Prints, once per command, that sensitive values were written
/// unencrypted (state or plan file) and how to turn encryption on: a
/// warning line on stderr, or a diagnostic event when the command streams
/// JSON events.
pub fn notify_unencrypted(env: &Env, notice: Option<&drinfra::state::UnencryptedSecrets>) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if let Some(n) = notice.filter(|_| !SAID.swap(true, std::sync::atomic::Ordering::SeqCst)) {
        if JSON_EVENTS.load(std::sync::atomic::Ordering::SeqCst) {
            println!("{}", drinfra::render::events::unencrypted(n));
        } else {
            eprintln!("{}: {n}.", env.style.bold("warning"));
        }
    }
}

#[allow(clippy::too_many_arguments)] // the command's whole context; slated for the ops layer (#13)
fn execute(
    env: &Env,
    s: &mut Session,
    plan: &Plan,
    prior: Option<State>,
    common: &CommonArgs,
    rt: &tokio::runtime::Runtime,
    providers: &Providers,
    json: bool,
) -> anyhow::Result<ExitCode> {
    JSON_EVENTS.store(json, std::sync::atomic::Ordering::SeqCst);
    let total = apply::steps(plan).len();
    let mut progress = Progress::new(std::io::stdout().is_terminal() && !json, total);
    let report = apply_plan(env, s, plan, prior, providers, rt, common, None, &mut |e| {
        if json {
            println!("{}", drinfra::render::events::apply(&e));
        } else {
            progress.event(&e)
        }
    })?;
    progress.finish();
    // Remember where this apply placed each failover group, so a later
    // edit of its active site is refused as a role change (still locked).
    for (group, record) in
        drinfra::failover::placements(&s.stack.config, &report.state, &super::failover::who(env))
    {
        if let Err(e) = super::failover::save_record(s, &group, record) {
            eprintln!(
                "{}: could not record where this apply placed failover group {group:?}: {e:#}",
                env.style.bold("warning")
            );
        }
    }
    s.release();
    report_requests(env, providers, common.verbose);
    show_diags(env, &s.stack.config.sources, &report.diags);
    if json {
        println!("{}", drinfra::render::events::apply_summary(&report));
        return Ok(if report.ok() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let (mut added, mut changed, mut destroyed) = (0, 0, 0);
    for step in &report.done {
        match step.kind {
            apply::StepKind::Create => added += 1,
            apply::StepKind::Update => changed += 1,
            apply::StepKind::Delete => destroyed += 1,
            apply::StepKind::Read => {}
        }
    }
    if report.ok() {
        println!("\n{}", env.style.paint("1;32", &format!("Apply complete! Resources: {added} added, {changed} changed, {destroyed} destroyed.")));
        if !report.state.outputs.is_empty() {
            println!("\nOutputs:\n");
            for (k, o) in &report.state.outputs {
                let v = if o.sensitive {
                    "(sensitive value)".into()
                } else {
                    drinfra::render::value::render(&drinfra::lang::Value::from_json(&o.value))
                };
                println!("{k} = {v}");
            }
        }
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "\n{} {} done, {} failed, {} skipped{}. Every completed step is recorded; run apply again to converge.",
            env.style.red_bold("Apply incomplete:"),
            report.done.len(),
            report.failed.len(),
            report.skipped.len(),
            if report.interrupted {
                ", interrupted"
            } else {
                ""
            }
        );
        for (step, err) in &report.failed {
            eprintln!("  failed: {step}: {err}");
        }
        if !report.left_running.is_empty() {
            eprintln!(
                "  {} step(s) still running in the cloud are recorded in state; the next apply follows them to their end instead of sending them again:",
                report.left_running.len()
            );
            for step in &report.left_running {
                eprintln!("    {step}");
            }
        }
        Ok(ExitCode::from(1))
    }
}

pub fn run_apply(env: &Env, a: ApplyArgs) -> anyhow::Result<ExitCode> {
    if let Some(file) = &a.plan_file {
        let plan = read_plan(file)?;
        let (mut s, rt, providers) = match start(env, &a.common, "apply", false)? {
            Ok(started) => started,
            Err(code) => return Ok(code),
        };
        cloud_banner(env, &s, &providers);
        let prior = s.backend.load()?;
        let digest = planner::config_digest(&s.stack.config, &s.stack.inputs);
        if let Err(why) = apply::check_plan_is_current(&plan, prior.as_ref(), &digest) {
            eprintln!(
                "{}: the saved plan {} is stale: {why}.\nNothing was changed. Make a new plan with `drinfra plan --out {}`.",
                env.style.red_bold("error"),
                file.display(),
                file.display()
            );
            return Ok(ExitCode::from(1));
        }
        return execute(
            env, &mut s, &plan, prior, &a.common, &rt, &providers, a.json,
        );
    }
    let (mut s, rt, providers) = match start(env, &a.common, "apply", true)? {
        Ok(started) => started,
        Err(code) => return Ok(code),
    };
    let (plan, prior) = match make_plan(env, &s, &a.common, false, &rt, &providers)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    if a.json {
        println!("{}", drinfra::render::events::version());
    }
    print_plan(
        env,
        &plan,
        OutputArgs {
            json: a.json,
            ..OutputArgs::default()
        },
    );
    // Objects found deleted outside drinfra are still to be forgotten.
    if !plan.has_changes() && plan.vanished().next().is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    if !confirm(env, "perform these actions", a.auto_approve)? {
        println!("\nApply cancelled.");
        return Ok(ExitCode::from(1));
    }
    execute(
        env, &mut s, &plan, prior, &a.common, &rt, &providers, a.json,
    )
}

pub fn run_destroy(env: &Env, a: DestroyArgs) -> anyhow::Result<ExitCode> {
    let (mut s, rt, providers) = match start(env, &a.common, "destroy", false)? {
        Ok(started) => started,
        Err(code) => return Ok(code),
    };
    let (plan, prior) = match make_plan(env, &s, &a.common, true, &rt, &providers)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    print!("{}", plan_render::render(&plan, env.style));
    if !plan.has_changes() && plan.vanished().next().is_none() {
        return Ok(ExitCode::SUCCESS);
    }
    let what = if a.common.targets.is_empty() {
        "destroy all resources"
    } else {
        "destroy the targeted resources and what depends on them"
    };
    if !confirm(env, what, a.auto_approve)? {
        println!("\nDestroy cancelled.");
        return Ok(ExitCode::from(1));
    }
    execute(env, &mut s, &plan, prior, &a.common, &rt, &providers, false)
}
