//! The DR plan's rules for the services it uses, checked on the evaluated
//! configuration, so `validate` reports a contradiction at its place
//! before the cloud refuses it halfway through an apply. Each provider
//! knows its services' rules (`TypeFacts::check_configuration`).

use crate::config::Config;
use crate::config::evaluate::Evaluation;
use crate::diag::Diagnostics;
use crate::provider::all_type_facts;

/// Checks every evaluated resource instance against the DR rules.
pub fn check(config: &Config, eval: &Evaluation) -> Diagnostics {
    let mut d = Diagnostics::default();
    for f in all_type_facts() {
        d.extend(f.check_configuration(config, eval));
    }
    d
}
