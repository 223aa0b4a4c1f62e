//! The loaded configuration: modules and the blocks they declare, with the
//! expressions kept as syntax (evaluated later) and every name's span.

use std::collections::BTreeMap;
use std::path::PathBuf;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Body;

use crate::diag::{FileId, Span};
use crate::lang::Type;
use crate::lang::refs::Reference;

/// An expression and the file it came from.
#[derive(Debug, Clone)]
pub struct Expr {
    pub file: FileId,
    pub expr: Expression,
}

impl Expr {
    pub fn span(&self) -> Option<Span> {
        hcl_edit::Span::span(&self.expr).map(|r| Span::new(self.file, r))
    }
}

/// A block body kept as syntax (resource arguments, provider settings).
#[derive(Debug, Clone)]
pub struct BodyExpr {
    pub file: FileId,
    pub body: Body,
}

#[derive(Debug, Clone)]
pub struct Validation {
    pub condition: Expr,
    pub error_message: Expr,
}

#[derive(Debug, Clone)]
pub struct Variable {
    pub name: String,
    pub span: Span,
    pub ty: Type,
    /// Whether a `type` was written (decides how `-var` strings parse).
    pub has_type: bool,
    pub default: Option<Expr>,
    pub description: Option<String>,
    pub sensitive: bool,
    /// `ephemeral = true`: its value is never persisted (state, plan
    /// files), so it may be used only where nothing is recorded.
    pub ephemeral: bool,
    pub nullable: bool,
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub span: Span,
    pub value: Expr,
}

#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub span: Span,
    pub value: Expr,
    pub description: Option<String>,
    pub sensitive: bool,
    /// `ephemeral = true` (child modules only).
    pub ephemeral: bool,
    pub depends_on: Vec<Reference>,
    /// `precondition` blocks, checked before the value is used.
    pub preconditions: Vec<Validation>,
}

/// A `check` block: assertions whose failures are warnings, never errors.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub span: Span,
    pub asserts: Vec<Validation>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mode {
    Managed,
    Data,
    /// `ephemeral "TYPE" "NAME"`: opened each run (plan and apply), its
    /// result never persisted and usable only where nothing is recorded.
    Ephemeral,
}

/// `ignore_changes`: nothing, everything, or listed attribute paths.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    Paths(Vec<Vec<String>>),
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle {
    pub prevent_destroy: bool,
    /// Where `prevent_destroy` is written (errors that refuse a destroy point there).
    pub prevent_destroy_span: Option<Span>,
    pub create_before_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    pub replace_triggered_by: Vec<Expr>,
    /// `precondition` blocks, checked when the instance is planned.
    pub preconditions: Vec<Validation>,
    /// `postcondition` blocks, checked against the object (`self`) when
    /// the plan knows its values, else once it is applied or read.
    pub postconditions: Vec<Validation>,
}

#[derive(Debug, Clone)]
pub struct Resource {
    pub mode: Mode,
    pub ty: String,
    pub name: String,
    /// The name label.
    pub span: Span,
    /// The type label.
    pub type_span: Span,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<(FileId, Reference)>,
    /// The `provider` meta-argument: which provider configuration manages
    /// it (by default the unaliased one of the provider its type implies).
    pub provider: Option<ProviderRef>,
    pub lifecycle: Lifecycle,
    pub body: BodyExpr,
}

impl Resource {
    /// `type.name`, `data.type.name` or `ephemeral.type.name`.
    pub fn key(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.ty, self.name),
            Mode::Data => format!("data.{}.{}", self.ty, self.name),
            Mode::Ephemeral => format!("ephemeral.{}.{}", self.ty, self.name),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ModuleCall {
    pub name: String,
    pub span: Span,
    pub source: String,
    /// Where `source` is written (the block's name label when it is missing).
    pub source_span: Span,
    /// A registry module's `version` constraint, and where it is written.
    pub version: Option<(String, Span)>,
    /// Index of the called module in [`Config::modules`]; `usize::MAX`
    /// when the module could not be loaded (already reported), so that
    /// references to the call are not reported again as undeclared.
    pub child: usize,
    pub count: Option<Expr>,
    pub for_each: Option<Expr>,
    pub depends_on: Vec<(FileId, Reference)>,
    pub inputs: BTreeMap<String, (Span, Expr)>,
    /// `providers = { CHILD = PARENT }`: the configuration the parent
    /// passes for each provider configuration the child names.
    pub providers: Vec<PassedProvider>,
}

/// One entry of a module call's `providers` map.
#[derive(Debug, Clone)]
pub struct PassedProvider {
    pub in_child: ProviderRef,
    pub in_parent: ProviderRef,
}

/// A reference to a provider configuration by local name and alias:
/// `azurerm` or `azurerm.dr`.
#[derive(Debug, Clone)]
pub struct ProviderRef {
    pub name: String,
    pub alias: Option<String>,
    pub span: Span,
}

impl ProviderRef {
    /// `azurerm` or `azurerm.dr`.
    pub fn key(&self) -> String {
        match &self.alias {
            Some(a) => format!("{}.{a}", self.name),
            None => self.name.clone(),
        }
    }
}

/// An entry of `required_providers` in a `terraform` block.
#[derive(Debug, Clone)]
pub struct RequiredProvider {
    pub name: String,
    pub span: Span,
    pub source: Option<String>,
    /// The `version` constraint as written, with its place.
    pub version: Option<(String, Span)>,
    /// `configuration_aliases = [azurerm.dr]`: aliased configurations the
    /// module expects its callers to pass.
    pub aliases: Vec<ProviderRef>,
}

#[derive(Debug, Clone)]
pub struct Moved {
    pub span: Span,
    pub from: Expr,
    pub to: Expr,
}

/// A `removed` block: with `lifecycle { destroy = true }` (the default) the
/// objects it names are destroyed like any resource no longer configured;
/// with `destroy = false` they are forgotten (dropped from state, left in
/// the cloud).
#[derive(Debug, Clone)]
pub struct Removed {
    pub span: Span,
    pub from: Expr,
    pub destroy: bool,
}

impl Removed {
    /// `from` as written, without whitespace: `module.a.type.name`.
    pub fn from_text(&self, sources: &crate::diag::SourceMap) -> String {
        let src = sources.text(self.from.file);
        self.from
            .span()
            .and_then(|s| src.get(s.range))
            .map(|t| t.split_whitespace().collect())
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone)]
pub struct Import {
    pub span: Span,
    pub to: Expr,
    pub id: Expr,
    /// `for_each`: one import per element, `to` and `id` seeing `each`.
    pub for_each: Option<Expr>,
    /// Must name the target resource's provider configuration.
    pub provider: Option<ProviderRef>,
}

#[derive(Debug, Clone)]
pub struct ProviderBlock {
    pub name: String,
    pub alias: Option<String>,
    pub span: Span,
    pub body: BodyExpr,
}

/// `backend "TYPE" { ... }` in a `drinfra` or `terraform` block.
#[derive(Debug, Clone)]
pub struct BackendBlock {
    pub kind: String,
    pub span: Span,
    pub body: BodyExpr,
}

/// `failover_group "NAME" { sites = [...], active = "..." }`: a pair (or
/// more) of sites and which one is active; modules read each site's role.
#[derive(Debug, Clone)]
pub struct FailoverGroup {
    pub name: String,
    pub span: Span,
    pub sites: Vec<String>,
    pub active: String,
    pub active_span: Span,
    pub description: Option<String>,
    /// `storage_accounts = { SITE = ["ADDRESS", ...] }`: accounts that fail
    /// over to their secondary region when SITE stops being active, and
    /// back when it returns.
    pub storage_accounts: BTreeMap<String, Vec<String>>,
    /// Where `storage_accounts` is written (the providers check its
    /// addresses' types).
    pub storage_accounts_span: Option<Span>,
    /// `components = ["database", "cache", ...]`: parts of the platform a
    /// failover can move on their own (`--only database`); modules read
    /// each component's roles from `failover_group.NAME.components`.
    pub components: Vec<String>,
    /// `rto = "90m"`, `rpo = "15m"`: the targets drill reports measure
    /// against.
    pub rto: Option<std::time::Duration>,
    pub rpo: Option<std::time::Duration>,
    /// `objectives = { NAME = { rto = "30m", rpo = "15m", resources =
    /// [...] } }`: the DR plan's per-component targets, by name.
    pub objectives: Vec<Objective>,
}

/// One component's recovery targets (docs/drill-reports.md).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Objective {
    pub component: String,
    pub rto: Option<std::time::Duration>,
    pub rpo: Option<std::time::Duration>,
    /// Resource types or addresses (module paths included) whose steps
    /// recover the component: it is back when the last of them is done.
    /// Empty: it is back when the whole failover's traffic is verified.
    pub resources: Vec<String>,
}

/// The payload a notification target expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotifyFormat {
    /// A Slack incoming webhook (`{"text": ...}` with blocks).
    Slack,
    /// A Microsoft Teams incoming webhook (a MessageCard).
    Teams,
    /// Any endpoint taking drinfra's own JSON document.
    Webhook,
}

impl NotifyFormat {
    pub fn name(self) -> &'static str {
        match self {
            NotifyFormat::Slack => "slack",
            NotifyFormat::Teams => "teams",
            NotifyFormat::Webhook => "webhook",
        }
    }
}

/// `notification "NAME" { format = "slack", url = var.slack_webhook }`:
/// where failovers and failbacks post as they go. The URL is a secret
/// (it carries the webhook's token): it is evaluated when a run starts
/// and never shown.
#[derive(Debug, Clone)]
pub struct Notification {
    pub name: String,
    pub span: Span,
    pub format: NotifyFormat,
    pub url: Expr,
}

/// `health_check "NAME" { site = "...", url = "...", ... }` or with a
/// `postgres { ... }` block: what the verify phase checks on `site` once
/// traffic has moved there.
#[derive(Debug, Clone)]
pub struct HealthCheck {
    pub name: String,
    pub span: Span,
    pub site: String,
    pub site_span: Span,
    pub kind: CheckKind,
    /// Time between attempts.
    pub interval: std::time::Duration,
    /// One attempt's limit.
    pub timeout: std::time::Duration,
    /// Attempts before the check counts as failed (at least 1).
    pub attempts: u32,
}

/// What a health check asks.
#[derive(Debug, Clone)]
pub enum CheckKind {
    /// An HTTP(S) GET answered with `expect_status` (and `body_match` in
    /// the body, when given).
    Http {
        url: Expr,
        expect_status: u16,
        body_match: Option<String>,
    },
    /// A query on a PostgreSQL server whose first column of the first row,
    /// as text, must equal `expect` (`SELECT pg_is_in_recovery()` = `false`).
    Postgres {
        connection: Expr,
        query: String,
        expect: String,
    },
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub backend: Option<BackendBlock>,
    /// `required_providers` entries, keyed by local name.
    pub required_providers: BTreeMap<String, RequiredProvider>,
    pub required_version: Option<(Span, String)>,
}

/// One module: a directory of configuration files.
#[derive(Debug, Clone, Default)]
pub struct Module {
    pub dir: PathBuf,
    pub files: Vec<FileId>,
    /// Whether a file of the module could not be read or parsed (already
    /// reported): what it declares is unknown, so a reference to something
    /// undeclared may be a consequence of that error and is not reported.
    pub incomplete: bool,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Local>,
    pub outputs: BTreeMap<String, Output>,
    /// Keyed by [`Resource::key`].
    pub resources: BTreeMap<String, Resource>,
    pub module_calls: BTreeMap<String, ModuleCall>,
    pub moved: Vec<Moved>,
    pub imports: Vec<Import>,
    pub checks: Vec<Check>,
    pub removed: Vec<Removed>,
    pub providers: Vec<ProviderBlock>,
    pub settings: Settings,
    pub failover_groups: BTreeMap<String, FailoverGroup>,
    /// Failover groups declared with problems (reported where they are),
    /// so references to them are not reported again as undeclared.
    pub broken_failover_groups: std::collections::BTreeSet<String>,
    /// `notification "NAME"` blocks: where a failover tells the team.
    pub notifications: BTreeMap<String, Notification>,
    /// `health_check "NAME"` blocks: what a failover verifies on a site.
    pub health_checks: BTreeMap<String, HealthCheck>,
}

/// A whole configuration: the root module (index 0) and every module it
/// calls, directly or not, each loaded once per call site.
#[derive(Debug, Default)]
pub struct Config {
    pub sources: crate::diag::SourceMap,
    pub modules: Vec<Module>,
    /// The selected workspace (`terraform.workspace`); empty: `default`.
    pub workspace: String,
}

impl Config {
    pub fn root(&self) -> &Module {
        &self.modules[0]
    }
}
