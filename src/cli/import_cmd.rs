//! `drinfra import ADDRESS ID`.

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;

use super::Env;
use super::engine::{CommonArgs, build_providers, open_session, runtime};
use drinfra::state::{Change, Record};

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
    let mut s = match open_session(env, &a.common, "import", false)? {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let resource = (a.address.parse::<drinfra::addrs::AbsResourceInstance>())
        .map(|t| t.resource.to_string())
        .unwrap_or_default();
    let Some(target) = s.stack.config.root().resources.get(&resource) else {
        bail!(
            "{} has no resource block in the configuration; write it first, then import",
            a.address
        );
    };
    let config_addr = drinfra::config::providers::resolve(&s.stack.config)
        .0
        .of(0, target);
    let ty = resource.split('.').next().unwrap_or_default().to_string();
    let rt = runtime()?;
    let providers = match build_providers(env, &s, &rt)? {
        Ok(p) => p,
        Err(code) => return Ok(code),
    };
    let mut state = drinfra::state::State::or_new(s.backend.load()?)?;
    if state.resources.contains_key(&a.address) {
        bail!(
            "{} is already managed; remove it from the state first to import another object",
            a.address
        );
    }
    let provider = providers.for_config(&config_addr, &ty)?;
    let mut rs = rt.block_on(drinfra::apply::import(
        provider.as_ref(),
        &a.address,
        &ty,
        &a.id,
    ))?;
    rs.provider = config_addr.to_string();
    state.serial = state.next_serial()?;
    let rec = Record {
        serial: state.serial,
        change: Change::Put(Box::new(rs)),
    };
    s.backend.append(std::slice::from_ref(&rec))?;
    state.apply_record(&rec);
    s.backend.compact(&state)?;
    s.release();
    super::engine::notify_unencrypted(
        env,
        drinfra::state::unencrypted_notice(&state, s.backend.as_ref()).as_ref(),
    );
    println!(
        "Imported {} as {}. Run plan to see how its configuration compares.",
        a.id, a.address
    );
    Ok(ExitCode::SUCCESS)
}
