//! Configuration: loading stack directories into a model, input variables,
//! static checks, evaluation of the module tree, and formatting.

pub mod check;
pub mod ephemeral;
pub mod evaluate;
pub mod fmt;
pub mod load;
pub mod model;
pub mod providers;
pub mod vars;
pub mod version;

use std::path::Path;

pub use evaluate::{Evaluation, evaluate};
pub use load::load;
pub use model::{Config, Expr, Module};
pub use vars::{CliInput, Inputs};

use crate::diag::Diagnostics;

/// A loaded stack with its input values and everything found wrong so far.
pub struct Stack {
    pub config: Config,
    pub inputs: Inputs,
    pub diags: Diagnostics,
}

/// Loads the stack in `dir`, gathers its inputs and runs the static checks.
pub fn open(dir: &Path, cli: &[CliInput], env: &[(String, String)]) -> Stack {
    let (mut config, mut diags) = load(dir);
    if config.modules.is_empty() || config.root().files.is_empty() {
        return Stack {
            config,
            inputs: Inputs::new(),
            diags,
        };
    }
    diags.extend(check::check(&config));
    diags.extend(ephemeral::check(&config));
    diags.extend(providers::check(&config));
    let (inputs, more) = vars::collect(&mut config, dir, cli, env);
    diags.extend(more);
    Stack {
        config,
        inputs,
        diags,
    }
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
    schemas: Option<&dyn evaluate::Schemas>,
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
    schemas: Option<&dyn evaluate::Schemas>,
    require_inputs: bool,
) -> Evaluation {
    if stack.config.modules.is_empty() || stack.config.root().files.is_empty() {
        return Evaluation::default();
    }
    let mut eval = evaluate(&stack.config, &stack.inputs, cwd, schemas, require_inputs);
    let mut found = std::mem::take(&mut eval.diags);
    let cycles = crate::plan::deps::build(&stack.config).cycle_diagnostics(&stack.config);
    if !cycles.is_empty() {
        // The graph names every cycle with its references; evaluation's
        // own report of the same loop would only repeat it.
        found
            .items
            .retain(|d| d.summary != "Cycle in configuration");
        found.extend(cycles);
    }
    stack.diags.extend(found);
    stack
        .diags
        .extend(crate::provider::offline::check(&stack.config, &eval));
    stack
        .diags
        .extend(crate::provider::offline::provider_blocks(
            &stack.config,
            &stack.inputs,
            cwd,
        ));
    eval
}
