//! Replacements forced from inside nested blocks. azurerm marks some
//! arguments of a block as forcing a new resource
//! (`default_node_pool.gpu_driver`); Terraform's SDK then plans a
//! replacement when that argument's value changes, and names the nested
//! attribute (`default_node_pool[0].gpu_driver`) as the cause. The tables
//! carry the same flags (`Arg::force_new` in `Block`, `BlockList` and the
//! repeated blocks a type maps with its own code), so this walks them.
//!
//! Rules, kept with the top-level ones in `rules.rs`:
//! - only an element present before and after is compared argument by
//!   argument; adding or removing a whole element is decided by the
//!   block's own flag (a force-new block replaces, through the top-level
//!   rule or, nested, here);
//! - an argument the configuration leaves out of a block is no change
//!   (as `convert::same` compares blocks: Azure fills in the rest);
//! - create-only arguments never replace (they are sent on create only).

use std::collections::BTreeMap;

use super::convert::{self, Arg, Kind};
use super::types::{self, RepeatedBlock};
use crate::lang::Value;

type Fields = BTreeMap<String, Value>;

/// One block's tables: its arguments and the repeated blocks inside it.
#[derive(Clone, Copy)]
struct Table<'a> {
    args: &'a [Arg],
    nested: &'a [RepeatedBlock],
}

/// The nested paths (`["default_node_pool", "0", "gpu_driver"]`) whose
/// change replaces an object of type `ty`, from its prior attributes and
/// its configured ones (azurerm's defaults filled in). A block that
/// forces replacement as a whole is left to the top-level rule.
pub(super) fn paths(ty: &str, args: &[Arg], old: &Fields, cfg: &Fields) -> Vec<Vec<String>> {
    let reps = types::repeated_blocks(ty);
    let mut out = Vec::new();
    for a in args {
        if a.read_only || a.create_only || a.force_new || !a.wo_version.is_empty() {
            continue;
        }
        let table = match a.kind {
            Kind::Block(sub) | Kind::BlockList(sub) => Table {
                args: sub,
                nested: &[],
            },
            Kind::Blocks => match reps.iter().find(|r| r.name == a.name) {
                Some(r) => Table {
                    args: r.args,
                    nested: &r.nested,
                },
                None => continue,
            },
            _ => continue,
        };
        let Some(want) = cfg.get(a.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let have = old.get(a.name).cloned().unwrap_or(Value::Null);
        if a.kind != Kind::Blocks && convert::same(a, want, &have) {
            continue;
        }
        elements(
            &[a.name.to_string()],
            table,
            &blocks(&have),
            &blocks(want),
            &mut out,
        );
    }
    out
}

/// The elements of a block value (a list of objects).
fn blocks(v: &Value) -> Vec<Fields> {
    v.unmark()
        .0
        .as_seq()
        .unwrap_or(&[])
        .iter()
        .map(|b| b.unmark().0.as_mapping().cloned().unwrap_or_default())
        .collect()
}

/// Compares the elements present on both sides, index by index.
fn elements(
    at: &[String],
    table: Table<'_>,
    old: &[Fields],
    new: &[Fields],
    out: &mut Vec<Vec<String>>,
) {
    for (i, (o, n)) in old.iter().zip(new).enumerate() {
        let mut here = at.to_vec();
        here.push(i.to_string());
        element(&here, table, o, n, out);
    }
}

/// One element: its force-new arguments that change, and the blocks
/// inside it.
fn element(
    at: &[String],
    table: Table<'_>,
    old: &Fields,
    new: &Fields,
    out: &mut Vec<Vec<String>>,
) {
    let path = |name: &str| {
        let mut p = at.to_vec();
        p.push(name.to_string());
        p
    };
    for s in table.args {
        if s.read_only || s.create_only {
            continue;
        }
        let Some(want) = new.get(s.name).filter(|v| !v.is_null()) else {
            continue;
        };
        let have = old.get(s.name).cloned().unwrap_or(Value::Null);
        if convert::same(s, want, &have) {
            continue;
        }
        match s.kind {
            _ if s.force_new => out.push(path(s.name)),
            Kind::Block(sub) | Kind::BlockList(sub) => elements(
                &path(s.name),
                Table {
                    args: sub,
                    nested: &[],
                },
                &blocks(&have),
                &blocks(want),
                out,
            ),
            _ => {}
        }
    }
    for r in table.nested {
        let want = new.get(r.name).map(blocks).unwrap_or_default();
        let have = old.get(r.name).map(blocks).unwrap_or_default();
        elements(
            &path(r.name),
            Table {
                args: r.args,
                nested: &r.nested,
            },
            &have,
            &want,
            out,
        );
    }
}
