//! The emulator's state, behind one lock.
//!
//! Everything a request may read or change is one [`World`] under one
//! `Mutex`: the SQLite store, the simulated clock, settings, faults, the
//! throttle buckets, tokens and the request log. A request takes the lock
//! once, does its work synchronously, and lets go before anything awaits
//! (a region outage's hang, the next request's body); the guard is not
//! `Send`, so the compiler refuses a handler that would hold it across an
//! `.await` in the spawned connection task. One lock gives each request a
//! consistent view (its settings, faults and store agree) and leaves no
//! lock order to get wrong; the cost, requests served one at a time, is
//! what the single SQLite connection imposed already. What never changes
//! after start (credentials, the URL) sits outside it.

use std::sync::{Arc, Mutex, MutexGuard};

use super::identity::Tokens;
use crate::emulator::arm::ArmError;
use crate::emulator::clock::Clock;
use crate::emulator::store::Store;
use crate::emulator::throttle::Buckets;
use crate::emulator::types;
use crate::emulator::{Credentials, Faults, LogEntry, Settings};

pub(crate) struct World {
    pub store: Store,
    pub clock: Clock,
    pub settings: Settings,
    pub buckets: Buckets,
    pub faults: Faults,
    /// The transient-fault generator's state (xorshift64*), reseeded with
    /// the faults.
    pub transient_rng: u64,
    pub tokens: Tokens,
    pub log: Vec<LogEntry>,
}

pub(crate) struct Shared {
    /// Fixed at start, so outside the lock.
    pub creds: Arc<Credentials>,
    /// The emulator's own URL (for metadata and operation URLs).
    pub base_url: String,
    /// The CA clients trust (with TLS), for the kubeconfigs it hands out.
    pub ca_pem: Option<String>,
    world: Mutex<World>,
}

/// The seed of the transient-fault generator before any is set.
const INITIAL_RNG: u64 = 0x9e3779b97f4a7c15;

impl Shared {
    pub fn new(
        store: Store,
        settings: Settings,
        sim_start: Option<f64>,
        creds: Credentials,
        base_url: String,
        ca_pem: Option<String>,
    ) -> Shared {
        Shared {
            creds: Arc::new(creds),
            base_url,
            ca_pem,
            world: Mutex::new(World {
                store,
                clock: Clock::new(settings.time_scale, sim_start),
                buckets: Buckets::new(settings.throttle),
                settings,
                faults: Faults::none(),
                transient_rng: INITIAL_RNG,
                tokens: Tokens::default(),
                log: Vec::new(),
            }),
        }
    }

    /// The world, locked for one request's synchronous work.
    pub fn world(&self) -> Result<MutexGuard<'_, World>, ArmError> {
        self.world
            .lock()
            .map_err(|_| types::internal("store lock poisoned"))
    }
}
