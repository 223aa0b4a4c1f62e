//! Configuration: loading stack directories into a model, input variables,
//! static checks, evaluation of the module tree, and formatting.

pub mod check;
pub mod ephemeral;
pub mod evaluate;
pub mod fmt;
pub mod load;
pub mod model;
pub mod modsource;
pub mod providers;
pub mod vars;
pub mod version;
pub mod workspace;

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

/// Loads the stack in `dir`, gathers its inputs and runs the static checks
/// (without the providers' checks: see [`open_with`]).
pub fn open(dir: &Path, cli: &[CliInput], env: &[(String, String)]) -> Stack {
    open_with(dir, cli, env, &|_| Diagnostics::default(), &load::NoSchemas)
}

/// [`open`], with `provider_checks` run among the static checks: what only
/// the providers can judge (their blocks' arguments, the types failover
/// groups name), since configuration knows no provider; `nested` is their
/// answer to which `.tf.json` resource properties are nested blocks.
pub fn open_with(
    dir: &Path,
    cli: &[CliInput],
    env: &[(String, String)],
    provider_checks: &dyn Fn(&Config) -> Diagnostics,
    nested: &'static dyn load::NestedBlocks,
) -> Stack {
    let (mut config, mut diags) = load::load_with(dir, nested);
    config.workspace = workspace::current(dir, env);
    if config.modules.is_empty() || config.root().files.is_empty() {
        return Stack {
            config,
            inputs: Inputs::new(),
            diags,
        };
    }
    diags.extend(check::check(&config));
    diags.extend(ephemeral::check(&config));
    diags.extend(provider_checks(&config));
    diags.extend(providers::check(&config));
    let (inputs, more) = vars::collect(&mut config, dir, cli, env);
    diags.extend(more);
    Stack {
        config,
        inputs,
        diags,
    }
}
