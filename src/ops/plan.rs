//! Planning a stack, and saving and reading plan files.

use std::path::Path;

use crate::plan::Plan;
use crate::plan::planner::{self, PlanOptions as PlannerOptions};
use crate::state::{State, UnencryptedSecrets};

use super::error::{Error, Result, Stop};
use super::event::{Event, Events};
use super::session::{Engine, SessionOptions};

/// What to plan (`plan`'s flags).
#[derive(Debug, Clone)]
pub struct PlanOptions {
    /// Plan to destroy everything the state records.
    pub destroy: bool,
    /// Only bring the state in line with the real objects.
    pub refresh_only: bool,
    /// Read every recorded object first.
    pub refresh: bool,
    /// Limit to these addresses and what they depend on.
    pub targets: Vec<String>,
    pub parallelism: usize,
    /// Instances to replace even without a change (`-replace=ADDR`).
    pub replace: Vec<String>,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            destroy: false,
            refresh_only: false,
            refresh: true,
            targets: vec![],
            parallelism: 32,
            replace: vec![],
        }
    }
}

/// A plan, with the state it was made against.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    pub prior: Option<State>,
}

/// Plans the engine's stack against its recorded state, failover groups
/// standing as recorded (or as an older state's resources tell).
pub fn plan(engine: &Engine, opts: &PlanOptions, events: Events<'_>) -> Result<Planned> {
    let s = &engine.session;
    let prior = s.backend.load()?;
    s.announce(&engine.providers, events);
    report_foreign(s, prior.as_ref(), events);
    // A state from before placements were recorded: tell from its
    // resources where the last apply placed each group, if that is clear.
    let placed = prior
        .as_ref()
        .filter(|st| {
            !st.resources.is_empty()
                && s.stack
                    .config
                    .root()
                    .failover_groups
                    .keys()
                    .any(|g| !st.failover_groups.contains_key(g))
        })
        .map(|st| {
            crate::failover::with_inferred(&s.stack.config, &s.stack.inputs, &s.dir, st.clone())
        });
    let failover = crate::failover::views(&s.stack.config, placed.as_ref().or(prior.as_ref()))
        .map_err(|ds| {
            events(Event::Diagnostics {
                diags: &ds,
                sources: &s.stack.config.sources,
            });
            Error::Stopped(Stop::InvalidConfig)
        })?;
    let opts = PlannerOptions {
        destroy: opts.destroy,
        refresh_only: opts.refresh_only,
        refresh: opts.refresh,
        targets: opts.targets.clone(),
        parallelism: opts.parallelism,
        failover: crate::failover::placements_of(&failover),
        phased: false,
        replace: opts.replace.clone(),
    };
    let (plan, diags) = engine.rt.block_on(planner::plan(
        &s.stack.config,
        &s.stack.inputs,
        &s.dir,
        prior.as_ref(),
        &engine.providers,
        &opts,
    ));
    engine.report_requests(events);
    super::session::report_diags(events, &s.stack, &diags);
    match plan {
        Some(plan) if !diags.has_errors() => Ok(Planned { plan, prior }),
        _ => Err(Error::Stopped(Stop::PlanFailed)),
    }
}

/// Says which resources of an adopted Terraform state drinfra leaves
/// alone (types it does not manage, data sources).
fn report_foreign(s: &super::session::Session, prior: Option<&State>, events: Events<'_>) {
    let Some(st) = prior.filter(|st| !st.foreign.is_empty()) else {
        return;
    };
    let addrs = crate::state::tfstate::foreign_addresses(st);
    let mut ds = crate::diag::Diagnostics::default();
    ds.push(
        crate::diag::Diagnostic::warning("Resources left alone").with_detail(format!(
            "The state (adopted from Terraform's) records {} instance(s) drinfra does not manage; they are not planned, and are kept for `state pull -terraform`: {}",
            addrs.len(),
            addrs.join(", ")
        )),
    );
    events(Event::Diagnostics {
        diags: &ds,
        sources: &s.stack.config.sources,
    });
}

/// `drinfra plan`: opens the stack, plans, and releases the state lock.
pub fn run(session: &SessionOptions, opts: &PlanOptions, events: Events<'_>) -> Result<Planned> {
    let mut engine = Engine::start(session, events)?;
    let planned = plan(&engine, opts, events)?;
    engine.session.release();
    Ok(planned)
}

/// Saves `plan`, sealed when encryption is on (`env` holds the keys);
/// returns the notice due when it holds sensitive values and is not.
pub fn save(
    path: &Path,
    plan: &Plan,
    env: &[(String, String)],
) -> Result<Option<UnencryptedSecrets>> {
    let cipher = crate::state::crypto::Cipher::from_env(env)?;
    let text = cipher.seal(&serde_json::to_vec(plan)?)?;
    let tmp = path.with_extension("tmp");
    let cannot_write = |p: &Path| {
        let what = format!("cannot write {}", p.display());
        move |source| Error::File { what, source }
    };
    std::fs::write(&tmp, text).map_err(cannot_write(&tmp))?;
    std::fs::rename(&tmp, path).map_err(cannot_write(path))?;
    Ok(
        (!cipher.enabled() && plan.holds_secrets()).then(|| UnencryptedSecrets {
            what: format!("The saved plan {}", path.display()),
        }),
    )
}

/// Reads a plan saved by [`save`].
pub fn read(path: &Path, env: &[(String, String)]) -> Result<Plan> {
    let raw = std::fs::read(path).map_err(|source| Error::File {
        what: format!("cannot read plan file {}", path.display()),
        source,
    })?;
    let cipher = crate::state::crypto::Cipher::from_env(env)?;
    Ok(Plan::decode(&raw, &cipher, &path.display().to_string())?)
}
