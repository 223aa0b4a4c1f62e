//! Root module input values, gathered with Terraform's precedence (lowest
//! first): `TF_VAR_*` then `DRINFRA_VAR_*` environment variables,
//! `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in
//! name order, then `--var` and `--var-file` in command-line order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use hcl_edit::structure::Structure;

use super::load::{parse_file, utf8_text};
use super::model::Config;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::lang::{Evaluator, Scope, Type, Value};

/// One `--var` or `--var-file` option, in the order given.
#[derive(Debug, Clone)]
pub enum CliInput {
    Var(String),
    File(PathBuf),
}

/// A value for a root variable and where it came from.
#[derive(Debug, Clone)]
pub struct InputValue {
    pub value: Value,
    pub span: Option<Span>,
    pub origin: String,
}

pub type Inputs = BTreeMap<String, InputValue>;

/// Gathers input values. `env` is the process environment (passed in so
/// tests control it).
pub fn collect(
    config: &mut Config,
    dir: &Path,
    cli: &[CliInput],
    env: &[(String, String)],
) -> (Inputs, Diagnostics) {
    let mut out = Inputs::new();
    let mut diags = Diagnostics::default();
    let declared: BTreeMap<String, (bool, Type)> = config
        .root()
        .variables
        .iter()
        .map(|(k, v)| (k.clone(), (v.has_type, v.ty.clone())))
        .collect();

    for prefix in ["TF_VAR_", "DRINFRA_VAR_"] {
        for (k, v) in env {
            if let Some(name) = k.strip_prefix(prefix)
                && let Some((_, ty)) = declared.get(name)
            {
                match raw_value(v, ty) {
                    Ok(value) => {
                        out.insert(
                            name.to_string(),
                            InputValue {
                                value,
                                span: None,
                                origin: format!("environment variable {k}"),
                            },
                        );
                    }
                    Err(e) => diags.push(
                        Diagnostic::error(format!(
                            "Invalid value for variable {name:?} from environment variable {k}"
                        ))
                        .with_detail(e.to_string()),
                    ),
                }
            }
        }
    }

    let mut files: Vec<PathBuf> = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let p = dir.join(name);
        if p.is_file() {
            files.push(p);
        }
    }
    let mut autos: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                        n.ends_with(".auto.tfvars") || n.ends_with(".auto.tfvars.json")
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    autos.sort();
    files.extend(autos);
    for f in files {
        read_var_file(config, &f, &declared, false, &mut out, &mut diags);
    }

    for input in cli {
        match input {
            CliInput::File(f) => {
                let path = if f.is_absolute() {
                    f.clone()
                } else {
                    dir.join(f)
                };
                read_var_file(config, &path, &declared, true, &mut out, &mut diags);
            }
            CliInput::Var(kv) => {
                let Some((name, raw)) = kv.split_once('=') else {
                    diags.push(
                        // Not quoted: an option without "=" may be a
                        // secret typed on its own.
                        Diagnostic::error("Invalid --var option")
                            .with_detail("The given --var option is not correctly specified (it is not repeated here, in case it holds a secret). Must be a variable name and value separated by an equals sign, like --var='key=value'."),
                    );
                    continue;
                };
                let name = name.trim();
                match declared.get(name) {
                    None => diags.push(Diagnostic::error(format!("Value for undeclared variable {name:?}")).with_detail(format!("A variable named {name:?} was assigned on the command line, but the root module does not declare a variable of that name. To use this value, add a \"variable\" block to the configuration."))),
                    Some((_, ty)) => match raw_value(raw, ty) {
                        Ok(value) => {
                            out.insert(name.to_string(), InputValue { value, span: None, origin: format!("--var {name}=...") });
                        }
                        Err(e) => diags.push(Diagnostic::error(format!("Invalid value for variable {name:?} in --var")).with_detail(e.to_string())),
                    },
                }
            }
        }
    }
    (out, diags)
}

/// Why a value from the command line or environment is not a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RawValueError {
    #[error("{message} (at column {column})")]
    Syntax { message: String, column: usize },
    #[error("{summary}: {detail}")]
    Eval { summary: String, detail: String },
}

/// A string from the command line or environment: taken literally for
/// primitive or unconstrained types, parsed as an expression otherwise.
fn raw_value(raw: &str, ty: &Type) -> Result<Value, RawValueError> {
    if ty.is_primitive() || *ty == Type::Dynamic {
        return Ok(Value::String(raw.to_string()));
    }
    let expr = hcl_edit::parser::parse_expr(raw).map_err(|e| RawValueError::Syntax {
        message: e.message().to_string(),
        column: e.location().column(),
    })?;
    let ev = Evaluator::new(crate::diag::FileId(u32::MAX), PathBuf::from("."));
    ev.eval(&expr, &Scope::default())
        .map_err(|e| RawValueError::Eval {
            summary: e.summary,
            detail: e.detail,
        })
}

fn read_var_file(
    config: &mut Config,
    path: &Path,
    declared: &BTreeMap<String, (bool, Type)>,
    explicit: bool,
    out: &mut Inputs,
    diags: &mut Diagnostics,
) {
    // Regular files only, size-limited, as the file functions read: a
    // named pipe would block, a device never end.
    let shown = path.display().to_string();
    let bytes = match crate::lang::functions::file::read_regular_file(path, &shown) {
        Ok(b) => b,
        Err(e) => {
            diags.push(
                Diagnostic::error(format!("Failed to read variables file {shown}"))
                    .with_detail(e.to_string()),
            );
            return;
        }
    };
    let text = match utf8_text(&mut config.sources, path, bytes) {
        Ok(t) => t,
        Err(d) => {
            diags.push(d);
            return;
        }
    };
    let origin = path.display().to_string();
    let undeclared = |name: &str, span: Option<Span>, diags: &mut Diagnostics| {
        let d = if explicit {
            Diagnostic::error(format!("Value for undeclared variable {name:?}"))
        } else {
            Diagnostic::warning(format!("Value for undeclared variable {name:?}"))
        };
        diags.push(d.with_detail(format!("The root module does not declare a variable named {name:?} but a value was found in file {origin:?}.")).at(span));
    };
    if path.extension().is_some_and(|e| e == "json") {
        let id = config.sources.add(path.to_path_buf(), text.clone());
        let json: serde_json::Value = match serde_json::from_str(&text) {
            Ok(j) => j,
            Err(e) => {
                let f = config.sources.get(id);
                let off = f.offset_of(e.line(), e.column());
                diags.push(
                    Diagnostic::error("Invalid JSON in variables file")
                        .with_detail(e.to_string())
                        .at(Some(Span::new(id, off..off + 1))),
                );
                return;
            }
        };
        let Some(obj) = json.as_object() else {
            diags.push(
                Diagnostic::error("Invalid variables file")
                    .with_detail("The root of a .tfvars.json file must be an object.")
                    .at(Some(Span::new(id, 0..1))),
            );
            return;
        };
        for (k, v) in obj {
            if declared.contains_key(k) {
                out.insert(
                    k.clone(),
                    InputValue {
                        value: Value::from_json(v),
                        span: None,
                        origin: origin.clone(),
                    },
                );
            } else {
                undeclared(k, None, diags);
            }
        }
        return;
    }
    let (file, parsed) = parse_file(&mut config.sources, path.to_path_buf(), text);
    let body = match parsed {
        Ok(b) => b,
        Err(d) => {
            diags.push(d);
            return;
        }
    };
    let ev = Evaluator::new(file, path.parent().unwrap_or(Path::new(".")).to_path_buf());
    for s in body.iter() {
        match s {
            Structure::Attribute(a) => {
                let name = a.key.value().as_str();
                let span = hcl_edit::Span::span(&a.key).map(|r| Span::new(file, r));
                if !declared.contains_key(name) {
                    undeclared(name, span, diags);
                    continue;
                }
                match ev.eval(&a.value, &Scope::default()) {
                    Ok(value) => {
                        let vspan = hcl_edit::Span::span(&a.value).map(|r| Span::new(file, r));
                        out.insert(name.to_string(), InputValue { value, span: vspan, origin: origin.clone() });
                    }
                    Err(e) => {
                        let mut d = e.into_diagnostic();
                        d.detail = Some(format!("{} Variables files may contain only literal values.", d.detail.unwrap_or_default()));
                        diags.push(d);
                    }
                }
            }
            Structure::Block(b) => diags.push(
                Diagnostic::error("Unexpected block in variables file")
                    .with_detail("A variables file may contain only attribute assignments, like name = \"value\".")
                    .at(hcl_edit::Span::span(&b.ident).map(|r| Span::new(file, r))),
            ),
        }
    }
}
