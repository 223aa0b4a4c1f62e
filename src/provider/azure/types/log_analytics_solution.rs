//! `azurerm_log_analytics_solution`: a solution (Container Insights,
//! Security, ...) added to a Log Analytics workspace,
//! `Microsoft.OperationsManagement/solutions`. Its ARM name, and its
//! plan's name, are `{solution_name}({workspace_name})`, as azurerm
//! composes them.

use serde_json::{Value as J, json};

use super::common::{LOCATION, RG, TAGS};
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, attr_str, def};

const PLAN: &[Arg] = &[
    // Set by drinfra to the solution's ARM name, as azurerm does.
    arg("name", "name", Kind::Str).read_only(),
    arg("publisher", "publisher", Kind::Str).req().force_new(),
    arg("product", "product", Kind::Str).req().force_new(),
    arg("promotion_code", "promotionCode", Kind::Str).force_new(),
];

const SOLUTION: &[Arg] = &[
    arg("solution_name", "", Kind::Str).req().force_new(),
    arg("workspace_name", "", Kind::Str).req().force_new(),
    arg(
        "workspace_resource_id",
        "properties.workspaceResourceId",
        Kind::Str,
    )
    .req()
    .force_new()
    .conv(Conv::CaseInsensitive),
    LOCATION,
    RG,
    arg("plan", "plan", Kind::Block(PLAN)).req(),
    TAGS,
];

fn to_body(a: &Attrs, body: &mut J) {
    if let (Some(solution), Some(workspace)) =
        (attr_str(a, "solution_name"), attr_str(a, "workspace_name"))
        && body["plan"].is_object()
    {
        body["plan"]["name"] = json!(format!("{solution}({workspace})"));
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![TypeDef {
        to_body: Some(to_body),
        ..def(
            "azurerm_log_analytics_solution",
            "Microsoft.OperationsManagement/solutions",
            // azurerm's SDK package for the type.
            "2015-11-01-preview",
            SOLUTION,
            IdRule::Composed {
                first: "solution_name",
                second: "workspace_name",
            },
        )
    }]
}
