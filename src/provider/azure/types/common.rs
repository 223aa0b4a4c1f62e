//! Arguments most azurerm types share.

use crate::provider::azure::convert::{Arg, Conv, Kind, arg};

pub(super) const NAME: Arg = arg("name", "", Kind::Str).req().force_new();
pub(super) const RG: Arg = arg("resource_group_name", "", Kind::Str).req().force_new();
pub(super) const LOCATION: Arg = arg("location", "location", Kind::Str)
    .req()
    .force_new()
    .conv(Conv::Location);
pub(super) const TAGS: Arg = arg("tags", "tags", Kind::StrMap);
