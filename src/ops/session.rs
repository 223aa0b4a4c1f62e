//! Opening a stack for an operation: configuration loaded and checked,
//! backend chosen (and the same as last initialised), state locked; then
//! a runtime and the providers connected to their clouds.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{CliInput, Stack};
use crate::diag::Diagnostics;
use crate::provider::Providers;
use crate::provider::azure::setup::{EmbeddedRequest, Endpoint};
use crate::state::lock::{self, LockInfo};
use crate::state::{Backend, select};

use super::error::{Error, Result, Stop};
use super::event::{Event, Events};

/// Makes a future that resolves when the user asks to stop (Ctrl-C or
/// SIGTERM in the CLI); see [`never()`] for callers without signals.
pub type InterruptFn = fn() -> Pin<Box<dyn Future<Output = ()>>>;

/// An interrupt that never comes.
pub fn never() -> Pin<Box<dyn Future<Output = ()>>> {
    Box::pin(std::future::pending())
}

/// Why the caller could not start an embedded emulator.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Starts one embedded emulator and says how the provider reaches it,
/// with a handle that keeps it running as long as the providers live.
pub type StartEmulator = dyn Fn(
        &EmbeddedRequest,
        &tokio::runtime::Runtime,
    ) -> std::result::Result<(Endpoint, Box<dyn Any + Send + Sync>), BoxError>
    + Send
    + Sync;

/// The caller's way to start embedded emulators. The CLI gives one built on
/// `drinfra::emulator::start`: the emulator is a separate server, which
/// ops never starts itself.
#[derive(Clone)]
pub struct EmulatorStarter(pub Arc<StartEmulator>);

impl fmt::Debug for EmulatorStarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmulatorStarter")
    }
}

/// What opening a session needs from its caller.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The stack's directory (also the working directory of `file`
    /// functions and relative paths).
    pub dir: PathBuf,
    /// `--var` and `--var-file`, in command-line order.
    pub inputs: Vec<CliInput>,
    /// The process environment (`ARM_*`, `TF_VAR_*`, state keys, ...).
    pub env: Vec<(String, String)>,
    /// What the lock says is running ("plan", "apply", "failover", ...).
    pub operation: String,
    /// Run every check validate runs (not only those before the first
    /// error), the DR plan's rules included.
    pub validate_all: bool,
    /// How long to wait for the state lock.
    pub lock_timeout: Duration,
    /// Take the state lock (Terraform's `-lock`). Only a command that
    /// writes no state may run without it: [`Session::open`] refuses
    /// `false` for any other.
    pub lock: bool,
    /// Starts the embedded emulators a configuration asks for; without it
    /// such a configuration is refused.
    pub emulators: Option<EmulatorStarter>,
}

/// A loaded stack with its backend, the state lock held until
/// [`Session::release`] or drop.
pub struct Session {
    pub stack: Stack,
    pub backend: Box<dyn Backend>,
    pub dir: PathBuf,
    pub env: Vec<(String, String)>,
    emulators: Option<EmulatorStarter>,
    lock: Option<LockInfo>,
}

impl Session {
    /// Loads and checks the stack, then takes the state lock.
    pub fn open(opts: &SessionOptions, events: Events<'_>) -> Result<Session> {
        let mut stack = crate::ops::validate::open(&opts.dir, &opts.inputs, &opts.env);
        if opts.validate_all {
            // Every problem at once, as validate reports them: not only
            // those found before the first error.
            let eval = crate::ops::validate::check_all(
                &mut stack,
                &opts.dir,
                Some(&Providers::builtin()),
                true,
            );
            stack
                .diags
                .extend(crate::failover::rules::check(&stack.config, &eval));
        }
        report_diags(events, &stack, &stack.diags);
        if stack.diags.has_errors() {
            return Err(Error::Stopped(Stop::InvalidConfig));
        }
        let backend = match select::backend_for(&stack.config, &opts.dir, &opts.env) {
            Ok(b) => b,
            Err(d) => {
                let mut ds = Diagnostics::default();
                ds.push(d);
                report_diags(events, &stack, &ds);
                return Err(Error::Stopped(Stop::Unusable));
            }
        };
        let spec = select::spec_for(&stack.config, &opts.dir).ok().flatten();
        super::memo::check_unchanged(&opts.dir, backend.as_ref(), spec.as_ref())?;
        if !opts.lock {
            if opts.operation != "plan" {
                return Err(Error::Refused(format!(
                    "-lock=false is refused for {}: drinfra holds the state lock whenever a command may write state (its journal and serials must not interleave with another run's). Use -lock-timeout to wait for the lock, or `drinfra force-unlock` for one left by a run that is gone",
                    opts.operation
                )));
            }
            return Ok(Session {
                stack,
                backend,
                dir: opts.dir.clone(),
                env: opts.env.clone(),
                emulators: opts.emulators.clone(),
                lock: None,
            });
        }
        let info = LockInfo::for_operation(&opts.operation, &backend.describe(), &opts.env)?;
        // Both callbacks report through the one event sink.
        let sink = std::cell::RefCell::new(&mut *events);
        lock::acquire(
            backend.as_ref(),
            &info,
            opts.lock_timeout,
            &mut |h| (*sink.borrow_mut())(Event::LockWaiting(h)),
            &mut |h| (*sink.borrow_mut())(Event::LockBroken(h)),
        )
        .map_err(Error::Locked)?;
        Ok(Session {
            stack,
            backend,
            dir: opts.dir.clone(),
            env: opts.env.clone(),
            emulators: opts.emulators.clone(),
            lock: Some(info),
        })
    }

    /// Releases the state lock (idempotent).
    pub fn release(&mut self) {
        if let Some(l) = self.lock.take() {
            let _ = self.backend.unlock(&l.id);
        }
    }

    /// The runtime and providers for talking to the clouds.
    pub fn connect(self, events: Events<'_>) -> Result<Engine> {
        let rt = runtime()?;
        let providers = providers(&self, &rt, events)?;
        Ok(Engine {
            session: self,
            rt,
            providers,
        })
    }

    /// Tells the caller what this session talks to.
    pub fn announce(&self, providers: &Providers, events: Events<'_>) {
        let clouds = providers
            .configs()
            .filter(|(_, p)| {
                p.name() != "terraform.io/builtin/terraform"
                    && crate::provider::builtin::family_of_source(p.name()).is_none()
            })
            .map(|(a, p)| {
                if a.alias.is_some() {
                    format!("{}: {}", a.short(), p.describe())
                } else {
                    p.describe()
                }
            })
            .fold(Vec::new(), |mut seen: Vec<String>, c| {
                // azapi goes through azurerm's cloud: say it once.
                if !seen.contains(&c) {
                    seen.push(c);
                }
                seen
            });
        events(Event::Connected {
            clouds,
            state: self.backend.describe(),
        });
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.release();
    }
}

/// A session with its runtime and providers: what every operation that
/// talks to the cloud works with.
pub struct Engine {
    pub session: Session,
    pub rt: tokio::runtime::Runtime,
    pub providers: Providers,
}

impl Engine {
    /// Opens the session and connects its providers.
    pub fn start(opts: &SessionOptions, events: Events<'_>) -> Result<Engine> {
        Session::open(opts, events)?.connect(events)
    }

    /// Reports each provider's request counts so far.
    pub fn report_requests(&self, events: Events<'_>) {
        for p in self.providers.all() {
            if let Some((requests, throttled)) = p.request_counts() {
                events(Event::Requests {
                    provider: p.describe(),
                    requests,
                    throttled,
                });
            }
        }
    }
}

/// Reports `diags` (when there are any) against the stack's sources.
pub(super) fn report_diags(events: Events<'_>, stack: &Stack, diags: &Diagnostics) {
    if diags.is_empty() {
        return;
    }
    events(Event::Diagnostics {
        diags,
        sources: &stack.config.sources,
    });
}

/// The runtime operations run their cloud calls on.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The providers a stack needs, the Azure one connected to its cloud.
fn providers(s: &Session, rt: &tokio::runtime::Runtime, events: Events<'_>) -> Result<Providers> {
    use crate::provider::azure::setup;
    use crate::provider::kubernetes::{ClusterAccess, KubernetesProvider};
    let mut providers = Providers::builtin();
    providers.add_builtin_aliases(&s.stack.config);
    providers.read_remote_states_with(std::sync::Arc::new(
        crate::state::remote_state::RemoteStates {
            dir: s.dir.clone(),
            env: s.env.clone(),
        },
    ));
    if setup::used(&s.stack.config) {
        // One provider per azurerm configuration (the default and each alias).
        let settings = match setup::all_settings(&s.stack.config, &s.stack.inputs, &s.dir, &s.env) {
            Ok(st) => st,
            Err(d) => {
                report_diags(events, &s.stack, &d);
                return Err(Error::Stopped(Stop::Unusable));
            }
        };
        let mut started = Vec::new();
        for want in setup::embedded_requests(&settings, &s.dir, &s.env) {
            let Some(start) = &s.emulators else {
                return Err(Error::Setup(format!(
                    "the configuration asks for the embedded emulator (data in {}), which only the drinfra command starts",
                    want.data_dir.display()
                )));
            };
            let (endpoint, handle) =
                (start.0)(&want, rt).map_err(|e| Error::Setup(e.to_string()))?;
            providers.hold(handle);
            started.push((want.data_dir, endpoint));
        }
        let mut clusters: Option<std::sync::Arc<dyn ClusterAccess>> = None;
        let mut default_azure = None;
        for (addr, azure) in rt
            .block_on(setup::providers(&settings, &s.dir, &s.env, &started))
            .map_err(|e| Error::Setup(e.to_string()))?
        {
            let azure = std::sync::Arc::new(azure);
            if addr.alias.is_none() {
                // time_sleep waits on the cloud's clock (the emulator's
                // simulated time runs faster than wall time).
                providers.follow_cloud_clock(azure.clone());
            }
            // Clusters' workloads are reached through the default azurerm
            // configuration's credentials.
            if addr.alias.is_none() || clusters.is_none() {
                clusters = Some(azure.clone());
            }
            if addr.alias.is_none() {
                default_azure = Some(azure.clone());
            }
            providers.add_config(addr, azure);
        }
        // Only a stack that declares workloads talks to their clusters.
        let workloads = s.stack.config.modules.iter().any(|m| {
            m.resources
                .values()
                .any(|r| crate::provider::kubernetes::handles(&r.ty))
        });
        if let (Some(access), true) = (clusters, workloads) {
            providers.add(std::sync::Arc::new(KubernetesProvider::new(access)));
        }
        // azapi resources go through the default azurerm configuration's
        // client and sign-in.
        if let Some(azure) = default_azure {
            providers.add(std::sync::Arc::new(
                crate::provider::azapi::AzapiProvider::new(azure),
            ));
        }
    }
    Ok(providers)
}
