//! The embedded emulator, started by the command line for a configuration
//! that asks for it (the library never starts it: it is a separate server
//! reached over HTTPS, even in the same process).

use std::sync::Arc;

use drinfra::ops::session::{BoxError, EmulatorStarter};
use drinfra::provider::azure::setup::{EmbeddedRequest, EmulatorCredentials, Endpoint};

/// Starts each requested emulator on a loopback port with TLS.
pub fn starter() -> EmulatorStarter {
    EmulatorStarter(Arc::new(start))
}

fn start(
    want: &EmbeddedRequest,
    rt: &tokio::runtime::Runtime,
) -> Result<(Endpoint, Box<dyn std::any::Any + Send + Sync>), BoxError> {
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
        .map_err(|e| format!("starting the embedded emulator: {e}"))?;
    let endpoint = Endpoint {
        url: running.url.clone(),
        ca_pem: running.ca_pem.clone(),
        credentials: EmulatorCredentials::read(&want.data_dir)?,
    };
    Ok((endpoint, Box::new(running)))
}
