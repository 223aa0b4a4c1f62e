//! The commands as library functions (cargo's commands -> ops split):
//! each operation takes typed options, reports what happens as typed
//! [`Event`]s through a callback the caller gives, asks its questions
//! through [`Confirm`], and returns a typed outcome. Operations never
//! print; the CLI parses flags, calls one operation and hands what it
//! returns to a view (`render::view`). State writes (failover records,
//! migrations, imports, state edits) happen here.
//!
//! Entry points: [`session::Engine::start`] (configuration checked, state
//! locked, providers connected), [`plan::run`] / [`plan::plan`],
//! [`apply::plan_and_apply`], [`apply::apply_saved`], [`failover::failover`],
//! [`failback::failback`], [`import::import`], [`init::init`],
//! [`state_edit`]'s `rm`, `mv` and `push`, [`console::evaluate`],
//! [`check::check`] (DR objectives against the configuration).
//!
//! Files depend on each other one way: `error`, `checked`, `report`,
//! `intent` and `memo` at the bottom; `event`, `prompt`, `session`; `record`, `plan`;
//! `apply`; `notify`, `verify`, `watch` (the runbook's own steps);
//! `runbook`; `failover` and `failback` on top.

pub mod apply;
pub mod backend_config;
pub mod check;
pub mod checked;
pub mod cloud_time;
pub mod console;
pub mod drill;
pub mod error;
pub mod event;
pub mod failback;
pub mod failover;
pub mod import;
pub mod init;
pub mod intent;
pub mod memo;
pub mod modules;
pub mod notify;
pub mod plan;
pub mod prompt;
pub mod record;
pub mod report;
mod rpo;
pub mod runbook;
pub mod session;
pub mod state_edit;
pub mod validate;
pub mod verify;
mod watch;
pub mod workspace;

pub use error::{Error, Result, Stop};
pub use event::{Event, Events};
pub use prompt::{Confirm, Question};
pub use session::{Engine, Session, SessionOptions};
