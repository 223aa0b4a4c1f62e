//! Arguments most azurerm types share.

use crate::provider::azure::convert::{Arg, Conv, Kind, arg};

pub(super) const NAME: Arg = arg("name", "", Kind::Str).req().force_new();
pub(super) const RG: Arg = arg("resource_group_name", "", Kind::Str).req().force_new();
pub(super) const LOCATION: Arg = arg("location", "location", Kind::Str)
    .req()
    .force_new()
    .conv(Conv::Location);
pub(super) const TAGS: Arg = arg("tags", "tags", Kind::StrMap);

/// azurerm's `identity` block <-> ARM's managed identity envelope.
pub(super) const IDENTITY_ARGS: &[Arg] = &[
    arg("type", "type", Kind::Str)
        .req()
        .conv(Conv::CaseInsensitive),
    arg("identity_ids", "userAssignedIdentities", Kind::StrList).conv(Conv::KeySet),
    arg("principal_id", "principalId", Kind::Str).read_only(),
    arg("tenant_id", "tenantId", Kind::Str).read_only(),
];
pub(super) const IDENTITY: Arg = arg("identity", "identity", Kind::Block(IDENTITY_ARGS));
