//! Command-line parsing and dispatch.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use drinfra::render::style::Style;

use args::Env;

mod args;
mod check;
mod console;
mod drill;
mod embedded;
mod emulator;
mod engine;
mod failback;
mod failover;
mod flags;
mod fmt;
mod import_cmd;
mod init;
mod state_cmd;
mod taint;
mod validate;
mod version;
mod workspace;

#[derive(Parser)]
#[command(
    name = "drinfra",
    version,
    about = "Plan, apply and fail over a disaster-recovery platform on Azure, from Terraform-language stacks."
)]
pub struct Cli {
    /// Run as if started in DIR (Terraform's -chdir=DIR).
    #[arg(short = 'C', long = "chdir", global = true, value_name = "DIR")]
    chdir: Option<PathBuf>,
    /// Never colour the output (NO_COLOR is honoured too).
    #[arg(long, global = true)]
    no_color: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Remember the stack's backend; move the state when it changes.
    Init(init::InitArgs),
    /// Check the configuration and evaluate it, reporting every error.
    Validate(validate::ValidateArgs),
    /// Check the DR objectives against what the configuration delivers.
    Check(check::CheckArgs),
    /// Rewrite configuration files in the canonical layout.
    Fmt(fmt::FmtArgs),
    /// Evaluate expressions read from standard input in the root module.
    Console(console::ConsoleArgs),
    /// Show what apply would change.
    Plan(engine::PlanArgs),
    /// Make the changes (from a saved plan, or planning first).
    Apply(engine::ApplyArgs),
    /// Destroy everything the state records.
    Destroy(engine::DestroyArgs),
    /// Fail a failover group over to another site, in ordered phases.
    Failover(failover::FailoverArgs),
    /// Return a failed-over group to its home site: re-seed, swap, re-seed.
    Failback(failback::FailbackArgs),
    /// Run one of the DR plan's drills and judge it against its criteria.
    Drill(drill::DrillArgs),
    /// Bring an existing object under management.
    Import(import_cmd::ImportArgs),
    /// Inspect and edit the state.
    #[command(subcommand)]
    State(state_cmd::StateCommand),
    /// Print root outputs from the state.
    Output(state_cmd::OutputArgs),
    /// Show the state, or a saved plan.
    Show(state_cmd::ShowArgs),
    /// Remove a state lock left by a run that is gone.
    ForceUnlock(state_cmd::ForceUnlockArgs),
    /// Print the resource dependency graph.
    Graph(state_cmd::GraphArgs),
    /// The local Azure Resource Manager emulator.
    #[command(subcommand)]
    Emulator(emulator::EmulatorCommand),
    /// Mark a resource instance for replacement at the next plan.
    Taint(taint::TaintArgs),
    /// Clear a resource instance's taint mark.
    Untaint(taint::TaintArgs),
    /// List the providers the configuration and the state need.
    Providers(version::ProvidersArgs),
    /// Manage workspaces (separate states of one stack).
    #[command(subcommand)]
    Workspace(workspace::WorkspaceCommand),
    /// Print the version.
    Version(version::VersionArgs),
}

pub fn main() -> ExitCode {
    // Terraform's spellings (`-auto-approve`, `-var=x=1`, `-lock=false`)
    // become clap's before clap parses: see flags.rs.
    let args = match flags::normalize_and_keep(Cli::command(), std::env::args_os().collect()) {
        Ok(a) => a,
        Err(e) => {
            eprint!("{}", e.render());
            return ExitCode::from(1);
        }
    };
    let cli = Cli::parse_from(args);
    let color = !cli.no_color
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::io::stderr().is_terminal();
    if let Some(dir) = &cli.chdir
        && let Err(e) = std::env::set_current_dir(dir)
    {
        eprintln!("error: cannot change to directory {}: {e}", dir.display());
        return ExitCode::from(1);
    }
    let dir = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let env = Env {
        dir,
        style: Style { color },
        vars: std::env::vars().collect(),
    };
    let result = match cli.command {
        Command::Init(a) => init::run(&env, a),
        Command::Validate(a) => validate::run(&env, a),
        Command::Check(a) => check::run(&env, a),
        Command::Fmt(a) => fmt::run(&env, a),
        Command::Console(a) => console::run(&env, a),
        Command::Plan(a) => engine::run_plan(&env, a),
        Command::Apply(a) => engine::run_apply(&env, a),
        Command::Destroy(a) => engine::run_destroy(&env, a),
        Command::Import(a) => import_cmd::run(&env, a),
        Command::Failover(a) => failover::run_failover(&env, a),
        Command::Failback(a) => failback::run_failback(&env, a),
        Command::Drill(a) => drill::run(&env, a),
        Command::State(c) => state_cmd::run_state(&env, c),
        Command::Output(a) => state_cmd::run_output(&env, a),
        Command::Show(a) => state_cmd::run_show(&env, a),
        Command::ForceUnlock(a) => state_cmd::run_force_unlock(&env, a),
        Command::Graph(a) => state_cmd::run_graph(&env, a),
        Command::Emulator(c) => emulator::run(&env, c),
        Command::Taint(a) => taint::run(&env, a, true),
        Command::Untaint(a) => taint::run(&env, a, false),
        Command::Providers(a) => version::run_providers(&env, a),
        Command::Workspace(c) => workspace::run(&env, c),
        Command::Version(a) => version::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{}: {e:#}", env.style.red_bold("error"));
            ExitCode::from(1)
        }
    }
}
