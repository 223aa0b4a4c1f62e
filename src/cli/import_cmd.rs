//! `drinfra import ADDRESS ID`.

use std::process::ExitCode;

use clap::Args;

use super::args::{CommonArgs, Env, failed};
use drinfra::ops::import::{ImportOptions, import};

#[derive(Args)]
pub struct ImportArgs {
    /// The resource instance address to record the object under.
    address: String,
    /// The object's id in its cloud (an ARM resource id for azurerm types).
    id: String,
    #[command(flatten)]
    common: CommonArgs,
}

pub fn run(env: &Env, a: ImportArgs) -> anyhow::Result<ExitCode> {
    if !a.common.terraform.replace.is_empty() {
        anyhow::bail!("-replace plans a replacement; import records an existing object");
    }
    let mut view = a.common.view(env);
    let session = a.common.session(env, "import", false)?;
    let opts = ImportOptions {
        address: a.address,
        id: a.id,
    };
    match import(&session, &opts, &mut |e| view.event(e)) {
        Ok(()) => {
            view.imported(&opts);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => failed(&view, e),
    }
}
