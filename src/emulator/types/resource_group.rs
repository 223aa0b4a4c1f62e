//! Microsoft.Resources/resourceGroups

use serde_json::Value as J;

use super::*;

fn name(n: &str) -> Result<(), InvalidName> {
    if n.ends_with('.') {
        return Err(InvalidName(format!(
            "Resource group name '{n}' must not end with a period."
        )));
    }
    name_rule(n, 1, 90, "-_.()", "a resource group")
}

fn check(_: &Ctx, body: &mut J) -> Result<Write, ArmError> {
    body.as_object_mut().map(|m| m.remove("properties"));
    Ok(Write::body(body.clone()))
}

/// A group holding a geo-replicated (linked) cache cannot be deleted.
fn check_delete(ctx: &Ctx, row: &Row) -> Result<Vec<(String, String, Option<J>)>, ArmError> {
    let sub = ctx.path.subscription.clone();
    for link in ctx
        .store
        .of_type("Microsoft.Cache/redis/linkedServers", &sub)
        .map_err(internal)?
    {
        let target = str_prop(&link.body, &["linkedRedisCacheId"])
            .unwrap_or_default()
            .to_lowercase();
        let rg = row.id.to_lowercase();
        if link.id.to_lowercase().starts_with(&format!("{rg}/"))
            || target.starts_with(&format!("{rg}/"))
        {
            return Err(ArmError::conflict(
                "Conflict",
                format!(
                    "Resource group '{}' contains a geo-replicated Redis cache ({}); unlink it before deleting the group.",
                    ctx.path.name(),
                    link.id
                ),
            ));
        }
    }
    Ok(vec![])
}

pub fn spec() -> Spec {
    Spec {
        lro_delete: Lro::Location,
        delete_secs: 60.0,
        located: true,
        check_delete,
        ..Spec::plain(
            "Microsoft.Resources/resourceGroups",
            // Every stable Microsoft.Resources api-version that serves
            // resource groups (azure-rest-api-specs, resources.json):
            // azapi's examples still create their groups at 2020-06-01.
            &[
                "2024-11-01",
                "2025-04-01",
                "2024-07-01",
                "2024-03-01",
                "2023-07-01",
                "2022-09-01",
                "2021-04-01",
                "2021-01-01",
                "2020-10-01",
                "2020-08-01",
                "2020-06-01",
                "2019-10-01",
                "2019-08-01",
                "2019-07-01",
                "2019-05-10",
                "2019-05-01",
                "2019-03-01",
                "2018-05-01",
                "2018-02-01",
                "2017-05-10",
                "2016-09-01",
                "2016-07-01",
                "2016-02-01",
                "2015-11-01",
            ],
            name,
            check,
        )
    }
}
