//! `validate`: every check that needs no cloud, on a stack directory.
//! Configuration, the providers' offline checks and the dependency graph
//! each do their part; this is where they meet.

use std::path::Path;

use crate::config::evaluate::{Evaluation, Schemas, evaluate};
use crate::config::{self, CliInput, Stack};
use crate::plan;
use crate::provider::offline;

/// Loads the stack in `dir`, gathers its inputs and runs the static checks,
/// the providers' checks of their own blocks included.
pub fn open(dir: &Path, cli: &[CliInput], env: &[(String, String)]) -> Stack {
    config::open_with(
        dir,
        cli,
        env,
        &offline::load_checks,
        &offline::NESTED_BLOCKS,
    )
}

/// Loads, checks and evaluates everything. With `require_inputs` unset a
/// root variable without a value is unknown rather than an error, as in
/// `terraform validate`.
pub fn validate(
    dir: &Path,
    cli: &[CliInput],
    env: &[(String, String)],
    cwd: &Path,
    require_inputs: bool,
) -> (Stack, Evaluation) {
    validate_with(dir, cli, env, cwd, require_inputs, None)
}

/// [`validate`] with provider schemas, so computed attributes are known to exist.
pub fn validate_with(
    dir: &Path,
    cli: &[CliInput],
    env: &[(String, String)],
    cwd: &Path,
    require_inputs: bool,
    schemas: Option<&dyn Schemas>,
) -> (Stack, Evaluation) {
    let mut stack = open(dir, cli, env);
    let eval = check_all(&mut stack, cwd, schemas, require_inputs);
    (stack, eval)
}

/// Every check that needs no cloud, on a loaded stack, whatever was found
/// before (each problem is reported once, and references to something
/// already reported as broken are not reported again): evaluation,
/// dependency cycles (at the references that close them), and the
/// providers' offline checks (resource types, arguments). Adds what it
/// finds to the stack's diagnostics.
pub fn check_all(
    stack: &mut Stack,
    cwd: &Path,
    schemas: Option<&dyn Schemas>,
    require_inputs: bool,
) -> Evaluation {
    if stack.config.modules.is_empty() || stack.config.root().files.is_empty() {
        return Evaluation::default();
    }
    let mut eval = evaluate(&stack.config, &stack.inputs, cwd, schemas, require_inputs);
    let mut found = std::mem::take(&mut eval.diags);
    let cycles = plan::deps::build(&stack.config).cycle_diagnostics(&stack.config);
    if !cycles.is_empty() {
        // The graph names every cycle with its references; evaluation's
        // own report of the same loop would only repeat it.
        found
            .items
            .retain(|d| d.summary != "Cycle in configuration");
        found.extend(cycles);
    }
    stack.diags.extend(found);
    stack.diags.extend(offline::check(&stack.config, &eval));
    stack
        .diags
        .extend(offline::provider_blocks(&stack.config, &stack.inputs, cwd));
    eval
}
