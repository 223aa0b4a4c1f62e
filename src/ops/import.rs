//! `import ADDRESS ID`: brings an existing object under management.

use crate::state::{Change, Record, State};

use super::error::{Error, Result};
use super::event::{Event, Events};
use super::session::{Session, SessionOptions};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The resource instance address to record the object under.
    pub address: String,
    /// The object's id in its cloud (an ARM resource id for azurerm types).
    pub id: String,
}

/// Reads the object and records it in state under its address.
pub fn import(session: &SessionOptions, opts: &ImportOptions, events: Events<'_>) -> Result<()> {
    let s = Session::open(session, events)?;
    let resource = (opts.address.parse::<crate::addrs::AbsResourceInstance>())
        .map(|t| t.resource.to_string())
        .unwrap_or_default();
    let Some(target) = s.stack.config.root().resources.get(&resource) else {
        return Err(Error::Refused(format!(
            "{} has no resource block in the configuration; write it first, then import",
            opts.address
        )));
    };
    let config_addr = crate::config::providers::resolve(&s.stack.config)
        .0
        .of(0, target);
    let ty = resource.split('.').next().unwrap_or_default().to_string();
    let mut engine = s.connect(events)?;
    let s = &mut engine.session;
    let mut state = State::or_new(s.backend.load()?)?;
    if state.resources.contains_key(&opts.address) {
        return Err(Error::Refused(format!(
            "{} is already managed; remove it from the state first to import another object",
            opts.address
        )));
    }
    let provider = engine.providers.for_config(&config_addr, &ty)?;
    let mut rs = engine.rt.block_on(crate::apply::import(
        provider.as_ref(),
        &opts.address,
        &ty,
        &opts.id,
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
    if let Some(n) = crate::state::unencrypted_notice(&state, s.backend.as_ref()) {
        events(Event::Unencrypted(&n));
    }
    Ok(())
}
