//! Decoding `failover_group` blocks: sites, the active site, storage
//! accounts and components, every problem reported with its place.

use std::collections::BTreeMap;

use hcl_edit::structure::Block;

use super::super::model::*;
use super::{Loader, err, span_of};
use crate::diag::{FileId, Span};
use crate::lang::{Type, Value};

impl Loader {
    /// `objectives = { NAME = { rto = "30m", rpo = "15m", resources = [...] } }`.
    fn decode_objectives(&mut self, file: FileId, b: &Block) -> Vec<Objective> {
        let Some(a) = self.attr(&b.body, "objectives") else {
            return vec![];
        };
        let at = span_of(file, &a.value);
        // An object: components may differ in which targets they give.
        let m = match self.literal(file, a, &Type::Dynamic) {
            Some(Value::Object(m) | Value::Map(m)) => m,
            Some(_) => {
                self.diags.push(err(
                    "Invalid objectives",
                    "objectives must be a map of components: { auth = { rto = \"30m\", rpo = \"15m\" } }.",
                    at,
                ));
                return vec![];
            }
            None => return vec![],
        };
        let mut out = Vec::new();
        for (component, v) in m {
            let (Value::Object(fields) | Value::Map(fields)) = v else {
                self.diags.push(err(
                    "Invalid objectives",
                    format!("objectives.{component} must be an object like {{ rto = \"30m\", rpo = \"15m\" }}."),
                    at.clone(),
                ));
                continue;
            };
            let mut o = Objective {
                component: component.clone(),
                ..Objective::default()
            };
            for (k, v) in fields {
                match (k.as_str(), v) {
                    ("rto" | "rpo", Value::String(text)) => {
                        let d = crate::timefmt::parse_duration(&text).filter(|d| !d.is_zero());
                        if d.is_none() {
                            self.diags.push(err(
                                "Invalid duration",
                                format!("objectives.{component}.{k} = {text:?} is not a duration like \"90m\" or \"1h30m\"."),
                                at.clone(),
                            ));
                        }
                        if k == "rto" {
                            o.rto = d;
                        } else {
                            o.rpo = d;
                        }
                    }
                    ("resources", Value::List(xs) | Value::Tuple(xs)) => {
                        o.resources = xs
                            .into_iter()
                            .filter_map(|x| match x {
                                Value::String(s) => Some(s),
                                _ => None,
                            })
                            .collect();
                    }
                    (k, _) => self.diags.push(err(
                        "Invalid objectives",
                        format!("objectives.{component}.{k}: expected rto, rpo (durations) or resources (a list of types or addresses)."),
                        at.clone(),
                    )),
                }
            }
            out.push(o);
        }
        out
    }

    /// A `failover_group` block: its sites, roles and components.
    pub(super) fn decode_failover_group(
        &mut self,
        file: FileId,
        b: &Block,
        m: &mut Module,
        span: Span,
    ) {
        let Some(l) = self.labels(file, b, &["name"]) else {
            return;
        };
        self.check_body(
            file,
            &b.body,
            &[
                "sites",
                "active",
                "description",
                "storage_accounts",
                "components",
                "rto",
                "rpo",
                "objectives",
            ],
            &[],
            "failover_group",
        );
        // Every problem with sites and active is reported; a group
        // that cannot be decoded is remembered as declared, so that
        // references to it are not each reported as undeclared.
        let sites: Option<Vec<String>> = match self.attr(&b.body, "sites") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A failover_group needs sites = [\"site-a\", \"site-b\"].",
                    span.clone(),
                ));
                None
            }
            Some(a) => match self.literal(file, a, &Type::List(Box::new(Type::String))) {
                Some(Value::List(xs)) => Some(
                    xs.into_iter()
                        .filter_map(|x| {
                            if let Value::String(s) = x {
                                Some(s)
                            } else {
                                None
                            }
                        })
                        .collect(),
                ),
                _ => None, // reported by literal
            },
        };
        let active: Option<(String, Span)> = match self.attr(&b.body, "active") {
            None => {
                self.diags.push(err(
                    "Missing required argument",
                    "A failover_group needs active = one of its sites.",
                    span.clone(),
                ));
                None
            }
            Some(a) => match self.literal(file, a, &Type::String) {
                Some(Value::String(s)) => Some((s, span_of(file, &a.value))),
                _ => None,
            },
        };
        if let Some(sites) = &sites {
            if sites.len() < 2 {
                self.diags.push(err(
                    "Invalid failover group",
                    "A failover group needs at least two sites.",
                    span.clone(),
                ));
            }
            if let Some((active, active_span)) = &active
                && !sites.contains(active)
            {
                self.diags.push(err(
                    "Invalid active site",
                    format!(
                        "{active:?} is not one of the group's sites ({}).",
                        sites.join(", ")
                    ),
                    active_span.clone(),
                ));
            }
        }
        let (Some(sites), Some((active, active_span))) = (sites, active) else {
            m.broken_failover_groups.insert(l[0].clone());
            return;
        };
        if sites.len() < 2 || !sites.contains(&active) {
            m.broken_failover_groups.insert(l[0].clone());
            return;
        }
        let description = self.literal_string(file, &b.body, "description");
        let mut storage_accounts = BTreeMap::new();
        let mut storage_accounts_span = None;
        if let Some(a) = self.attr(&b.body, "storage_accounts") {
            let at = span_of(file, &a.value);
            storage_accounts_span = Some(at.clone());
            if let Some(Value::Map(m)) = self.literal(
                file,
                a,
                &Type::Map(Box::new(Type::List(Box::new(Type::String)))),
            ) {
                for (site, list) in m {
                    if !sites.contains(&site) {
                        self.diags.push(err(
                            "Invalid storage_accounts",
                            format!(
                                "{site:?} is not one of the group's sites ({}).",
                                sites.join(", ")
                            ),
                            at.clone(),
                        ));
                        continue;
                    }
                    let addrs: Vec<String> = if let Value::List(xs) = list {
                        xs.into_iter()
                            .filter_map(|x| {
                                if let Value::String(s) = x {
                                    Some(s)
                                } else {
                                    None
                                }
                            })
                            .collect()
                    } else {
                        vec![]
                    };
                    storage_accounts.insert(site, addrs);
                }
            }
        }
        let mut components = Vec::new();
        if let Some(a) = self.attr(&b.body, "components") {
            let at = span_of(file, &a.value);
            if let Some(Value::List(xs)) =
                self.literal(file, a, &Type::List(Box::new(Type::String)))
            {
                for x in xs {
                    let Value::String(name) = x else { continue };
                    if ["traffic", "data", "storage"].contains(&name.as_str()) {
                        self.diags.push(err("Invalid components", format!("{name:?} is built in (`--only {name}`) and cannot be declared as a component."), at.clone()));
                    } else if name.is_empty()
                        || !name
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                    {
                        self.diags.push(err(
                            "Invalid components",
                            format!(
                                "{name:?} is not a valid component name (letters, digits, _ and -)."
                            ),
                            at.clone(),
                        ));
                    } else if components.contains(&name) {
                        self.diags.push(err(
                            "Invalid components",
                            format!("{name:?} is listed twice."),
                            at.clone(),
                        ));
                    } else {
                        components.push(name);
                    }
                }
            }
        }
        let mut target = |name: &str| {
            let a = self.attr(&b.body, name)?;
            let at = span_of(file, &a.value);
            let Some(Value::String(text)) = self.literal(file, a, &Type::String) else {
                return None;
            };
            let d = crate::timefmt::parse_duration(&text).filter(|d| !d.is_zero());
            if d.is_none() {
                self.diags.push(err(
                    "Invalid duration",
                    format!("{name} = {text:?} is not a duration like \"90m\" or \"1h30m\"."),
                    at,
                ));
            }
            d
        };
        let (rto, rpo) = (target("rto"), target("rpo"));
        let objectives = self.decode_objectives(file, b);
        if m.failover_groups.contains_key(&l[0]) {
            let prev = m.failover_groups[&l[0]].span.clone();
            self.duplicate("failover group", &l[0], &prev, span);
        } else {
            m.failover_groups.insert(
                l[0].clone(),
                FailoverGroup {
                    name: l[0].clone(),
                    span,
                    sites,
                    active,
                    active_span,
                    description,
                    storage_accounts,
                    storage_accounts_span,
                    components,
                    rto,
                    rpo,
                    objectives,
                },
            );
        }
    }
}
