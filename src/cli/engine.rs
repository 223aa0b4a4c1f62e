//! `drinfra plan`, `apply` and `destroy`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::args::{CommonArgs, Env, OutputArgs, exit, failed};
use drinfra::ops::apply::{apply_saved, plan_and_apply};
use drinfra::ops::{self, Engine, Error, Question};
use drinfra::render::view::prompt::TerminalConfirm;
use drinfra::render::view::{PlanFormat, View};

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
    /// Destroy everything the state records (as `drinfra destroy`).
    #[arg(long)]
    destroy: bool,
}

#[derive(Args)]
pub struct DestroyArgs {
    #[command(flatten)]
    common: CommonArgs,
    #[arg(long)]
    auto_approve: bool,
}

pub fn run_plan(env: &Env, a: PlanArgs) -> anyhow::Result<ExitCode> {
    let mut view = a.common.view(env);
    let session = a.common.session(env, "plan", true)?;
    let planned = match ops::plan::run(&session, &a.common.plan(a.destroy), &mut |e| view.event(e))
    {
        Ok(p) => p,
        Err(e) => return failed(&view, e),
    };
    view.plan(&planned.plan, a.output.format());
    view.compact_warnings_end();
    if let Some(out) = &a.out {
        view.json = a.output.json;
        if let Some(n) = ops::plan::save(out, &planned.plan, &env.vars)? {
            view.unencrypted(&n);
        }
        view.plan_saved(out);
    }
    Ok(
        if a.detailed_exitcode && planned.plan.has_resource_changes() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        },
    )
}

pub fn run_apply(env: &Env, a: ApplyArgs) -> anyhow::Result<ExitCode> {
    let mut view = a.common.view(env);
    view.json = a.json;
    let opts = a.common.apply(env)?;
    if let Some(file) = &a.plan_file {
        if !a.common.vars.ordered().is_empty() {
            anyhow::bail!(
                "can't set variables when applying a saved plan: -var and -var-file cannot be used with a saved plan file, because it includes the variable values that were set when it was created"
            );
        }
        if a.destroy || !a.common.terraform.replace.is_empty() || !a.common.targets.is_empty() {
            anyhow::bail!(
                "a saved plan is applied as planned: -destroy, -replace and -target belong to the plan command that made it"
            );
        }
        let plan = ops::plan::read(file, &env.vars)?;
        let session = a.common.session(env, "apply", false)?;
        let mut events = |e: ops::Event<'_>| view.event(e);
        let result = Engine::start(&session, &mut events)
            .and_then(|mut engine| apply_saved(&mut engine, &plan, &opts, &mut events));
        return match result {
            Ok(report) => Ok(exit(view.applied(&report))),
            Err(Error::Stale(why)) => {
                view.stale(file, &why);
                Ok(ExitCode::from(1))
            }
            Err(e) => failed(&view, e),
        };
    }
    if a.json {
        view.planned = PlanFormat::Json;
    }
    run(env, &a.common, a.destroy, a.auto_approve, view)
}

pub fn run_destroy(env: &Env, a: DestroyArgs) -> anyhow::Result<ExitCode> {
    let view = a.common.view(env);
    run(env, &a.common, true, a.auto_approve, view)
}

/// Plans, shows the plan, asks, applies: apply, or destroy.
fn run(
    env: &Env,
    common: &CommonArgs,
    destroy: bool,
    auto_approve: bool,
    mut view: View,
) -> anyhow::Result<ExitCode> {
    let (operation, what, action) = match destroy {
        false => ("apply", "Apply", "perform these actions"),
        true if common.targets.is_empty() => ("destroy", "Destroy", "destroy all resources"),
        true => (
            "destroy",
            "Destroy",
            "destroy the targeted resources and what depends on them",
        ),
    };
    let question = Question::Proceed {
        action: action.into(),
    };
    // Destroy plans what the state records; it need not validate first.
    let session = common.session(env, operation, !destroy)?;
    let opts = common.apply(env)?;
    let mut confirm = TerminalConfirm {
        style: env.style,
        auto_approve,
    };
    let mut events = |e: ops::Event<'_>| view.event(e);
    let result = Engine::start(&session, &mut events).and_then(|mut engine| {
        plan_and_apply(
            &mut engine,
            &common.plan(destroy),
            &opts,
            question,
            &mut confirm,
            &mut events,
        )
    });
    match result {
        Ok(outcome) => Ok(exit(view.apply_outcome(&outcome, what))),
        Err(e) => failed(&view, e),
    }
}
