//! Microsoft.OperationsManagement/solutions: a solution added to a Log
//! Analytics workspace. Its workspace exists, in the solution's resource
//! group; the solution is named `{solution}({workspace name})` and its
//! plan carries the same name; the workspace and the plan are fixed once
//! made.

use serde_json::Value as J;

use super::*;

const VERSIONS: &[&str] = &["2015-11-01-preview"];

fn solution_name(n: &str) -> Result<(), InvalidName> {
    name_rule(n, 1, 260, "-_.()", "a solution")
}

fn bad(target: &str, message: String) -> ArmError {
    ArmError::bad_request("InvalidParameter", message).with_target(target)
}

fn check_solution(ctx: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    let name = ctx.path.name();
    require(
        body,
        &["workspaceResourceId"],
        " (the solution's workspace)",
    )?;
    let workspace_id = str_prop(body, &["workspaceResourceId"])
        .unwrap_or_default()
        .to_string();
    let target = "properties.workspaceResourceId";
    let workspace = ctx.get(&workspace_id)?.filter(|w| {
        w.ty.eq_ignore_ascii_case("Microsoft.OperationalInsights/workspaces")
    });
    let Some(workspace) = workspace else {
        return Err(bad(
            target,
            format!("The workspace '{workspace_id}' was not found."),
        ));
    };
    let rg = ctx.path.resource_group.clone().unwrap_or_default();
    if !crate::emulator::arm::rg_of(&workspace.id).eq_ignore_ascii_case(&rg) {
        return Err(bad(
            target,
            format!(
                "The workspace '{workspace_id}' is not in resource group '{rg}': a solution and its workspace are in the same resource group."
            ),
        ));
    }
    let workspace_name = workspace.id.rsplit('/').next().unwrap_or_default();
    if !name
        .to_lowercase()
        .ends_with(&format!("({})", workspace_name.to_lowercase()))
    {
        return Err(bad(
            "name",
            format!(
                "The solution name '{name}' must have the form 'SolutionType({workspace_name})'."
            ),
        ));
    }
    let plan = body.get("plan").filter(|p| p.is_object());
    for f in ["name", "publisher", "product"] {
        if plan.and_then(|p| p.get(f)).and_then(J::as_str).is_none() {
            return Err(bad(
                &format!("plan.{f}"),
                format!("The solution's plan needs '{f}'."),
            ));
        }
    }
    let plan_name = plan.and_then(|p| p["name"].as_str()).unwrap_or_default();
    if !plan_name.eq_ignore_ascii_case(&name) {
        return Err(bad(
            "plan.name",
            format!("The plan name '{plan_name}' must be the solution's name '{name}'."),
        ));
    }
    immutable(ctx, body, &["workspaceResourceId"], "InvalidParameter")?;
    if let Some(old) = ctx.existing
        && old.body.get("plan") != body.get("plan")
    {
        return Err(bad(
            "plan",
            "The plan of an existing solution cannot be changed.".into(),
        ));
    }
    let p = props(body);
    p.entry("containedResources").or_insert(J::Array(vec![]));
    p.entry("referencedResources").or_insert(J::Array(vec![]));
    Ok(Write::body(body.clone()))
}

pub fn spec() -> Spec {
    Spec {
        located: true,
        ..Spec::plain(
            "Microsoft.OperationsManagement/solutions",
            VERSIONS,
            solution_name,
            check_solution,
        )
    }
}
