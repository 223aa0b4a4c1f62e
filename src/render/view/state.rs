//! What the state commands show: init, import, the state's contents,
//! outputs.

use crate::lang::Value;
use crate::ops::import::ImportOptions;
use crate::ops::init::InitOutcome;
use crate::render::{plan as plan_text, value};
use crate::state::{ResourceState, State};

use super::View;

/// Recorded attributes without the null ones, for display.
fn shown(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, x)| !x.is_null()).collect()),
        other => other,
    }
}

/// A root output's value as the state and apply summaries show it.
fn output_text(o: &crate::state::OutputState, sensitive: &str) -> String {
    if o.sensitive {
        sensitive.into()
    } else {
        value::render(&Value::from_json(&o.value))
    }
}

impl View {
    pub fn initialised(&self, outcome: &InitOutcome) {
        match outcome {
            InitOutcome::Initialised { backend } => println!("Initialised: {backend}."),
            InitOutcome::NothingToMigrate { backend } => {
                println!("No state in the old backend; now using {backend}.")
            }
            InitOutcome::Migrated {
                resources,
                from,
                to,
                backups,
            } => println!(
                "Migrated {resources} resource(s) from {from} to {to}; the old copy is left in place and a backup is in {}.",
                backups.display()
            ),
        }
    }

    pub fn imported(&self, opts: &ImportOptions) {
        println!(
            "Imported {} as {}. Run plan to see how its configuration compares.",
            opts.id, opts.address
        );
    }

    /// One recorded instance, as `state show` prints it.
    pub fn instance(&self, rs: &ResourceState) {
        println!(
            "# {}:\nresource \"{}\" \"{}\" {}",
            rs.address,
            rs.ty,
            rs.name,
            plan_text::value_text(&shown(rs.value()), 0)
        );
    }

    /// The whole state, as `show` prints it.
    pub fn state(&self, state: &State) {
        if state.resources.is_empty() && state.outputs.is_empty() {
            println!("The state is empty.");
        }
        for rs in state.resources.values() {
            self.instance(rs);
            println!();
        }
        if !state.outputs.is_empty() {
            println!("Outputs:\n");
            for (k, o) in &state.outputs {
                println!("{k} = {}", output_text(o, "(sensitive value)"));
            }
        }
    }

    /// Every root output, as `output` lists them (Terraform marks
    /// sensitive ones `<sensitive>`).
    pub fn outputs(&self, state: &State) {
        for (k, o) in &state.outputs {
            println!("{k} = {}", output_text(o, "<sensitive>"));
        }
    }

    /// One root output's value, as `output NAME` prints it.
    pub fn output(&self, o: &crate::state::OutputState) {
        println!("{}", output_text(o, "(sensitive value)"));
    }
}
