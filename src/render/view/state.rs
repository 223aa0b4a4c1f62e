//! What the state commands show: init, import, the state's contents,
//! outputs.

use crate::lang::Value;
use crate::ops::import::ImportOptions;
use crate::ops::init::InitOutcome;
use crate::render::{plan as plan_text, value};
use crate::state::{OutputState, ResourceState, State};

use super::{PlanFormat, View};

/// How `output NAME` prints a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Human,
    Json,
    /// The bare value, for shells (primitives only).
    Raw,
}

/// How `show FILE` prints a saved plan.
#[derive(Debug, Clone, Copy)]
pub enum ShowFormat<'a> {
    Plan(PlanFormat),
    /// Terraform's plan JSON, with the configuration when there is one.
    Terraform(Option<&'a crate::config::Config>),
}

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("--raw supports only primitive values; use --json")]
    NotPrimitive,
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

/// Recorded attributes without the null ones, for display.
fn shown(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.into_iter().filter(|(_, x)| !x.is_null()).collect()),
        other => other,
    }
}

/// A root output's value as the state and apply summaries show it.
fn output_text(o: &OutputState, sensitive: &str) -> String {
    if o.sensitive {
        sensitive.into()
    } else {
        value::render(&Value::from_json(&o.value))
    }
}

/// A key as Terraform's state rendering writes it: bare when it is an
/// identifier, quoted otherwise.
fn key_text(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && k.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if ident {
        k.to_string()
    } else {
        serde_json::Value::String(k.to_string()).to_string()
    }
}

/// A value as `state show` and `show` write it: four spaces a level,
/// `=` aligned within a block, each closing bracket under its line.
pub fn state_value_text(v: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent + 4);
    let close = " ".repeat(indent);
    match v {
        Value::Object(m) | Value::Map(m) if m.is_empty() => "{}".into(),
        Value::Object(m) | Value::Map(m) => {
            let width = m.keys().map(|k| key_text(k).len()).max().unwrap_or(0);
            let mut out = String::from("{\n");
            for (k, x) in m {
                out.push_str(&format!(
                    "{pad}{:width$} = {}\n",
                    key_text(k),
                    state_value_text(x, indent + 4)
                ));
            }
            out.push_str(&close);
            out.push('}');
            out
        }
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) if xs.is_empty() => "[]".into(),
        Value::List(xs) | Value::Tuple(xs) | Value::Set(xs) => {
            let mut out = String::from("[\n");
            for x in xs {
                out.push_str(&format!("{pad}{},\n", state_value_text(x, indent + 4)));
            }
            out.push_str(&close);
            out.push(']');
            out
        }
        other => plan_text::value_text(other, indent),
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
        let kind = if rs.mode == "data" {
            "data"
        } else {
            "resource"
        };
        println!(
            "# {}:\n{kind} \"{}\" \"{}\" {}",
            rs.address,
            rs.ty,
            rs.name,
            state_value_text(&shown(rs.value()), 0)
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
            println!("\nOutputs:\n");
            for (k, o) in &state.outputs {
                let v = if o.sensitive {
                    "(sensitive value)".to_string()
                } else {
                    state_value_text(&Value::from_json(&o.value), 0)
                };
                println!("{k} = {v}");
            }
        }
    }

    /// Every root output, as `output` lists them (Terraform marks
    /// sensitive ones `<sensitive>`), or as one JSON document.
    pub fn outputs(&self, state: &State, json: bool) -> Result<(), serde_json::Error> {
        if json {
            let doc: serde_json::Map<String, serde_json::Value> = state
                .outputs
                .iter()
                .map(|(k, o)| {
                    (
                        k.clone(),
                        serde_json::json!({
                            "sensitive": o.sensitive,
                            "type": o.ty.clone().unwrap_or_else(|| crate::state::tfstate::type_of_json(&o.value)),
                            "value": o.value,
                        }),
                    )
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&doc)?);
            return Ok(());
        }
        for (k, o) in &state.outputs {
            println!("{k} = {}", output_text(o, "<sensitive>"));
        }
        Ok(())
    }

    /// One root output's value, as `output NAME` prints it.
    pub fn output(&self, o: &OutputState, format: OutputFormat) -> Result<(), OutputError> {
        match format {
            OutputFormat::Json => println!("{}", serde_json::to_string(&o.value)?),
            // As Terraform's -raw: the bare value, no newline after it,
            // so shells can use it as it is.
            OutputFormat::Raw => match &o.value {
                serde_json::Value::String(s) => print!("{s}"),
                serde_json::Value::Number(_) | serde_json::Value::Bool(_) => print!("{}", o.value),
                _ => return Err(OutputError::NotPrimitive),
            },
            // As Terraform: an output asked for by name is printed, sensitive
            // or not (the list of all outputs masks it).
            OutputFormat::Human => println!("{}", value::render(&Value::from_json(&o.value))),
        }
        Ok(())
    }

    /// The state as `show` prints it: text, or Terraform's state JSON.
    pub fn show_state(&self, state: &State, json: bool) -> Result<(), serde_json::Error> {
        if json {
            println!(
                "{}",
                serde_json::to_string(&crate::render::plan_json::state(state))?
            );
        } else {
            self.state(state);
        }
        Ok(())
    }

    /// A saved plan as `show FILE` prints it: as a plan, or Terraform's plan
    /// JSON (`config`: the stack's configuration, when there is one).
    pub fn show_plan(
        &self,
        plan: &crate::plan::Plan,
        format: ShowFormat<'_>,
    ) -> Result<(), serde_json::Error> {
        match format {
            ShowFormat::Terraform(config) => println!(
                "{}",
                serde_json::to_string(&crate::render::plan_json::plan(
                    plan,
                    plan.prior_state.as_ref(),
                    config
                ))?
            ),
            ShowFormat::Plan(f) => self.plan(plan, f),
        }
        Ok(())
    }
}
