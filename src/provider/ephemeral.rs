//! The ephemeral resource types drinfra opens (`ephemeral "TYPE" "NAME"`),
//! each where its real provider has one: hashicorp/random's
//! `random_password` and azurerm's `azurerm_key_vault_secret`. Any other
//! type (azurerm's other key vault types among them) is refused.

use super::ArgProblem;
use super::builtin::random;
use crate::config::model::Resource;
use crate::diag::Diagnostic;
use crate::lang::Value;

pub const TYPES: &[&str] = &[random::EPHEMERAL_PASSWORD, "azurerm_key_vault_secret"];

/// The arguments azurerm's ephemeral key vault secret takes.
const SECRET_ARGS: &[&str] = &["name", "key_vault_id", "version"];

/// Problems with an ephemeral resource's evaluated arguments.
pub fn validate(ty: &str, config: &Value) -> Vec<ArgProblem> {
    let (args, required): (&[&str], &[&str]) = if ty == random::EPHEMERAL_PASSWORD {
        (random::EPHEMERAL_ARGS, &["length"])
    } else {
        (SECRET_ARGS, &["name", "key_vault_id"])
    };
    let cfg = config.unmark().0.as_mapping().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for k in cfg.keys().filter(|k| !args.contains(&k.as_str())) {
        out.push(ArgProblem {
            argument: Some(k.clone()),
            summary: "Unsupported argument".into(),
            detail: format!(
                "An argument named {k:?} is not expected here: ephemeral {ty:?} takes {}.",
                args.join(", ")
            ),
        });
    }
    for k in required
        .iter()
        .filter(|k| cfg.get(**k).is_none_or(Value::is_null))
    {
        out.push(ArgProblem {
            argument: None,
            summary: "Missing required argument".into(),
            detail: format!("The argument {k:?} is required, but no definition was found."),
        });
    }
    if ty == random::EPHEMERAL_PASSWORD && out.is_empty() {
        out.extend(random::check(ty, &cfg));
    }
    out
}

/// The diagnostic for an ephemeral type drinfra does not open, at its
/// type label.
pub fn unsupported(r: &Resource) -> Diagnostic {
    Diagnostic::error("Unsupported ephemeral resource type")
        .with_detail(format!(
            "drinfra opens the ephemeral resource types {} only; {:?} is refused rather than ignored.",
            TYPES.iter().map(|t| format!("{t:?}")).collect::<Vec<_>>().join(" and "),
            r.ty
        ))
        .at(Some(r.type_span.clone()))
}
