//! The utility providers drinfra carries natively, as Terraform users
//! know them from the registry: hashicorp/random, hashicorp/null,
//! hashicorp/time, hashicorp/local and hashicorp/http (its data source).
//! Each family answers the `Provider` trait from a table of its types
//! (`spec.rs`) plus what only it does (generating values, files, HTTP).
//! They need no cloud: `Providers::builtin` holds them all.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{ArgProblem, BoxFut, Planned, Provider, ProviderError, ResourceSchema, TypeFacts};
use crate::lang::Value;

pub mod clock;
pub mod http;
pub mod local;
pub mod null;
pub mod pet;
pub mod random;
pub mod spec;
pub mod terraform;
pub mod time;

pub use clock::CloudClock;
use spec::TypeSpec;

/// One of the built-in provider families.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Random,
    Null,
    Time,
    Local,
    Http,
}

impl Family {
    pub const ALL: [Family; 5] = [
        Family::Random,
        Family::Null,
        Family::Time,
        Family::Local,
        Family::Http,
    ];

    /// The provider's source address.
    pub fn source(self) -> &'static str {
        match self {
            Family::Random => random::NAME,
            Family::Null => null::NAME,
            Family::Time => time::NAME,
            Family::Local => local::NAME,
            Family::Http => http::NAME,
        }
    }

    /// The names of its resource types (`data`: data sources).
    pub fn types(self, data: bool) -> Vec<&'static str> {
        let list = if data {
            self.data_sources()
        } else {
            self.resources()
        };
        list.iter().map(|t| t.ty).collect()
    }

    fn resources(self) -> &'static [TypeSpec] {
        match self {
            Family::Random => random::TYPES,
            Family::Null => null::TYPES,
            Family::Time => time::TYPES,
            Family::Local => local::TYPES,
            Family::Http => &[],
        }
    }

    fn data_sources(self) -> &'static [TypeSpec] {
        match self {
            Family::Local => local::DATA,
            Family::Http => http::DATA,
            _ => &[],
        }
    }
}

/// The table of managed type `ty`, if a built-in provider has it.
pub fn resource_spec(ty: &str) -> Option<(Family, &'static TypeSpec)> {
    Family::ALL
        .iter()
        .find_map(|f| f.resources().iter().find(|t| t.ty == ty).map(|t| (*f, t)))
}

/// The table of data source `ty`, if a built-in provider has it.
pub fn data_spec(ty: &str) -> Option<(Family, &'static TypeSpec)> {
    Family::ALL.iter().find_map(|f| {
        f.data_sources()
            .iter()
            .find(|t| t.ty == ty)
            .map(|t| (*f, t))
    })
}

/// Whether a built-in provider manages `ty` (or reads it, for `data`).
pub fn has(data: bool, ty: &str) -> bool {
    if data {
        data_spec(ty).is_some()
    } else {
        resource_spec(ty).is_some()
    }
}

/// The problems with one instance's configuration, without a client.
pub fn validate(data: bool, ty: &str, config: &Value) -> Vec<ArgProblem> {
    let found = if data {
        data_spec(ty)
    } else {
        resource_spec(ty)
    };
    let Some((family, spec)) = found else {
        return vec![];
    };
    let config = prepare(ty, config);
    match spec.normalize(&config) {
        Ok(cfg) => family_check(family, data, ty, &cfg),
        Err(p) => p,
    }
}

fn prepare(ty: &str, config: &Value) -> Value {
    if matches!(ty, "random_string" | "random_password") {
        random::pair_numeric(config)
    } else {
        config.clone()
    }
}

fn family_check(
    family: Family,
    data: bool,
    ty: &str,
    cfg: &BTreeMap<String, Value>,
) -> Vec<ArgProblem> {
    match family {
        Family::Random => random::check(ty, cfg),
        Family::Time => time::check(ty, cfg),
        Family::Local if data => vec![],
        Family::Local => local::check(ty, cfg),
        Family::Http => http::check(cfg),
        Family::Null => vec![],
    }
}

fn invalid(problems: Vec<ArgProblem>) -> ProviderError {
    ProviderError::Invalid(
        problems
            .iter()
            .map(|p| format!("{}: {}", p.summary, p.detail))
            .collect::<Vec<_>>()
            .join("; "),
    )
}

/// The key an import stub carries its id under until `read` turns it into
/// the object (the trait's `import_stub` cannot fail; `read` can).
const IMPORT_KEY: &str = "__drinfra_import_id";

/// One built-in provider.
pub struct Builtin {
    family: Family,
    clock: Arc<CloudClock>,
}

impl Builtin {
    pub fn new(family: Family, clock: Arc<CloudClock>) -> Builtin {
        Builtin { family, clock }
    }

    /// The table of resource type `ty` (`data`: of data source `ty`).
    fn spec_of(&self, ty: &str, data: bool) -> Result<&'static TypeSpec, ProviderError> {
        let list = if data {
            self.family.data_sources()
        } else {
            self.family.resources()
        };
        list.iter()
            .find(|t| t.ty == ty)
            .ok_or_else(|| ProviderError::UnknownType(ty.to_string()))
    }

    /// The table of `ty`, a resource type if it is one, else a data source.
    fn spec(&self, ty: &str) -> Result<&'static TypeSpec, ProviderError> {
        self.spec_of(ty, false).or_else(|_| self.spec_of(ty, true))
    }

    fn normalized(
        &self,
        ty: &str,
        config: &Value,
        data: bool,
    ) -> Result<BTreeMap<String, Value>, ProviderError> {
        let spec = self.spec_of(ty, data)?;
        let cfg = spec.normalize(&prepare(ty, config)).map_err(invalid)?;
        let problems = family_check(self.family, data, ty, &cfg);
        if problems.is_empty() {
            Ok(cfg)
        } else {
            Err(invalid(problems))
        }
    }
}

fn mapping(v: &Value) -> BTreeMap<String, Value> {
    v.unmark().0.as_mapping().cloned().unwrap_or_default()
}

impl Provider for Builtin {
    fn name(&self) -> &'static str {
        self.family.source()
    }

    fn handles(&self, ty: &str) -> bool {
        self.spec(ty).is_ok()
    }

    fn facts(&self) -> &'static dyn TypeFacts {
        &FACTS
    }

    fn schema(&self, ty: &str) -> Option<ResourceSchema> {
        self.spec(ty).ok().map(TypeSpec::schema)
    }

    fn validate(&self, ty: &str, config: &Value) -> Vec<ArgProblem> {
        validate(resource_spec(ty).is_none(), ty, config)
    }

    fn plan(
        &self,
        ty: &str,
        prior: Option<&Value>,
        config: &Value,
    ) -> Result<Planned, ProviderError> {
        let cfg = self.normalized(ty, config, false)?;
        let mut planned = self.spec_of(ty, false)?.plan(prior, &cfg);
        if self.family == Family::Time {
            time::after_plan(ty, &mut planned);
        }
        Ok(planned)
    }

    fn read<'a>(
        &'a self,
        ty: &'a str,
        current: &'a Value,
    ) -> BoxFut<'a, Result<Option<Value>, ProviderError>> {
        Box::pin(async move {
            let m = mapping(current);
            if let Some(Value::String(id)) = m.get(IMPORT_KEY) {
                let imported = match self.family {
                    Family::Random => random::import(ty, id),
                    Family::Time => time::import(ty, id),
                    _ => Err(format!(
                        "{ty} does not support import ({} cannot import it either)",
                        self.family.source()
                    )),
                }
                .map_err(ProviderError::Invalid)?;
                // Arguments the import does not determine are null, as
                // the provider leaves them.
                let mut full: BTreeMap<String, Value> = self
                    .spec_of(ty, false)?
                    .attrs
                    .iter()
                    .map(|a| (a.name.to_string(), Value::Null))
                    .collect();
                full.extend(imported);
                return Ok(Some(Value::Object(full)));
            }
            match self.family {
                Family::Time => Ok(time::read(ty, m)),
                Family::Local => Ok(local::read(ty, m)),
                _ => Ok(Some(current.clone())),
            }
        })
    }

    fn create<'a>(
        &'a self,
        ty: &'a str,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let mut m = mapping(planned);
            match self.family {
                Family::Random => random::generate(ty, &mut m)?,
                Family::Null => null::generate(&mut m)?,
                Family::Time => time::create(ty, &mut m, &self.clock).await?,
                Family::Local => local::create(&mut m)?,
                Family::Http => return Err(ProviderError::UnknownType(ty.to_string())),
            }
            Ok(Value::Object(m))
        })
    }

    fn update<'a>(
        &'a self,
        ty: &'a str,
        _prior: &'a Value,
        planned: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let mut m = mapping(planned);
            if self.family == Family::Time {
                time::update(ty, &mut m);
            }
            Ok(Value::Object(m))
        })
    }

    fn delete<'a>(
        &'a self,
        ty: &'a str,
        prior: &'a Value,
    ) -> BoxFut<'a, Result<(), ProviderError>> {
        Box::pin(async move {
            let m = mapping(prior);
            match self.family {
                Family::Time => time::delete(ty, &m, &self.clock).await,
                Family::Local => local::delete(&m),
                _ => Ok(()),
            }
        })
    }

    fn read_data<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            let cfg = self.normalized(ty, config, true)?;
            match self.family {
                Family::Local => local::read_file(cfg),
                Family::Http => http::read(cfg).await,
                _ => Err(ProviderError::Invalid(format!(
                    "{} has no data source {ty:?}",
                    self.name()
                ))),
            }
        })
    }

    fn open_ephemeral<'a>(
        &'a self,
        ty: &'a str,
        config: &'a Value,
    ) -> BoxFut<'a, Result<Value, ProviderError>> {
        Box::pin(async move {
            if self.family != Family::Random || ty != random::EPHEMERAL_PASSWORD {
                return Err(super::no_ephemeral(self.name(), ty));
            }
            random::open_password(self.normalized(ty, config, false)?)
        })
    }

    fn import_stub(&self, _ty: &str, id: &str) -> Value {
        Value::Object([(IMPORT_KEY.to_string(), Value::String(id.to_string()))].into())
    }

    fn describe(&self) -> String {
        self.name()
            .trim_start_matches("registry.terraform.io/")
            .to_string()
    }
}

/// What the built-in providers know of their types without a client.
pub struct Facts;

pub static FACTS: Facts = Facts;

impl TypeFacts for Facts {
    fn computed_attributes(&self, ty: &str) -> Option<Vec<String>> {
        resource_spec(ty)
            .or_else(|| data_spec(ty))
            .map(|(_, s)| s.computed_names())
    }

    fn mark_sensitive(&self, ty: &str, value: Value) -> Value {
        match resource_spec(ty).or_else(|| data_spec(ty)) {
            Some((_, s)) => s.mark(value),
            None => value,
        }
    }
}

/// Every built-in provider, sharing one clock.
pub fn all(clock: &Arc<CloudClock>) -> Vec<Arc<dyn Provider>> {
    Family::ALL
        .iter()
        .map(|f| Arc::new(Builtin::new(*f, clock.clone())) as Arc<dyn Provider>)
        .collect()
}

/// The built-in provider whose source is `source`, if one is.
pub fn family_of_source(source: &str) -> Option<Family> {
    Family::ALL.iter().copied().find(|f| f.source() == source)
}

/// A `provider "random"` (etc.) block: these providers take no settings
/// (only the meta-arguments `alias` and the legacy `version`).
pub fn check_block(
    family: Family,
    p: &crate::config::model::ProviderBlock,
) -> crate::diag::Diagnostics {
    use crate::diag::{Diagnostic, Span};
    let mut diags = crate::diag::Diagnostics::default();
    let at = |x: &dyn hcl_edit::Span| x.span().map(|r| Span::new(p.body.file, r));
    let name = family.source().trim_start_matches("registry.terraform.io/");
    for a in p.body.body.attributes() {
        let key = a.key.value().as_str();
        if !matches!(key, "alias" | "version") {
            diags.push(
                Diagnostic::error("Unsupported argument")
                    .with_detail(format!("An argument named {key:?} is not expected here: the {name} provider takes no configuration."))
                    .at(at(&a.key)),
            );
        }
    }
    for b in p.body.body.blocks() {
        diags.push(
            Diagnostic::error("Unsupported block type")
                .with_detail(format!("Blocks of type {:?} are not expected here: the {name} provider takes no configuration.", b.ident.value().as_str()))
                .at(at(&b.ident)),
        );
    }
    diags
}
