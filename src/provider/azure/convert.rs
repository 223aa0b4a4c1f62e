//! The mapping between azurerm-style arguments and ARM bodies, declared
//! per type as a table of [`Arg`]s: where each argument lives in the ARM
//! body, how values convert, and how it behaves in plans (required,
//! computed, forces replacement, sensitive, write-only, create-only).

use std::collections::BTreeMap;

use serde_json::{Map, Value as J, json};

use crate::lang::{Type, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Num,
    Bool,
    StrMap,
    StrList,
    NumList,
    /// One nested block (`default_node_pool { ... }`).
    Block(&'static [Arg]),
    /// Repeated nested blocks (`custom_header { ... }` written many
    /// times) <-> a JSON array of objects, in order.
    BlockList(&'static [Arg]),
    /// Repeated blocks mapped by the type's own code (classic Front Door).
    Blocks,
}

impl Kind {
    /// Written as nested blocks in HCL (a list of objects in values).
    pub const fn is_block(self) -> bool {
        matches!(self, Kind::Block(_) | Kind::BlockList(_) | Kind::Blocks)
    }
}

/// How a value converts between HCL and ARM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conv {
    Plain,
    /// `East US` and `eastus` are the same region.
    Location,
    /// HCL bool <-> `"Enabled"` / `"Disabled"`.
    Enabled,
    /// HCL bool <-> `"true"` / `"false"` strings.
    BoolString,
    /// `storage_mb` <-> `storageSizeGB`.
    MbToGb,
    /// list of addresses <-> `[{"ipv4Address": ...}]`.
    Ipv4Records,
    /// Compared without regard to case (Azure normalises some enums).
    CaseInsensitive,
    /// HCL bool <-> its negation (`run_command_enabled` <->
    /// `disableRunCommand`).
    Not,
    /// list of strings <-> the keys of an object (`identity_ids` <->
    /// `userAssignedIdentities: {id: {}}`).
    KeySet,
    /// list of strings <-> `[{field: s}]`, in order (`outbound_ip_address_ids`
    /// <-> `publicIPs: [{"id": ...}]`).
    Wrapped(&'static str),
    /// number <-> its decimal string (Redis' `"rdb-backup-frequency"`).
    NumString,
    /// map <-> `[{key_field: k, value_field: v}]` (`node_public_ip_tags`
    /// <-> `ipTags: [{"ipTagType": k, "tag": v}]`).
    Pairs(&'static str, &'static str),
    /// list of strings <-> one string joined by the separator (`bypass`
    /// <-> `"AzureServices, Logging"`; SMB `versions` <-> `"SMB3.0;SMB3.1.1"`).
    Joined(&'static str),
    /// HCL bool <-> the negated `"true"` / `"false"` string
    /// (`authentication_enabled` <-> `"authnotrequired"`).
    NotBoolString,
    /// list of `"200-299"` strings <-> `[{"min": 200, "max": 299}]`.
    Ranges,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arg {
    pub name: &'static str,
    /// Dot-separated path in the ARM body; empty for config-only arguments.
    pub path: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Set by Azure when not given (or always, when `read_only`).
    pub computed: bool,
    pub read_only: bool,
    pub force_new: bool,
    pub sensitive: bool,
    /// Azure never returns it: state keeps what was sent.
    pub write_only: bool,
    /// Sent only on create; later changes are ignored, never a replacement.
    pub create_only: bool,
    pub conv: Conv,
    /// For a block: the path (inside it) set to `true` while the block is
    /// written and `false` once it is removed; a block Azure reports with
    /// it not `true` reads as absent (AKS add-ons' `enabled`).
    pub switch: &'static str,
    /// A Terraform write-only argument (`administrator_password_wo`): sent
    /// on create and whenever the named version argument changes, never
    /// kept in state.
    pub wo_version: &'static str,
    /// azurerm's default (an HCL value as JSON) for an optional argument:
    /// sent when the configuration leaves it out, and compared for drift.
    pub default: &'static str,
}

pub const fn arg(name: &'static str, path: &'static str, kind: Kind) -> Arg {
    Arg {
        name,
        path,
        kind,
        required: false,
        computed: false,
        read_only: false,
        force_new: false,
        sensitive: false,
        write_only: false,
        create_only: false,
        conv: Conv::Plain,
        switch: "",
        wo_version: "",
        default: "",
    }
}

impl Arg {
    pub const fn req(mut self) -> Arg {
        self.required = true;
        self
    }
    pub const fn computed(mut self) -> Arg {
        self.computed = true;
        self
    }
    pub const fn read_only(mut self) -> Arg {
        self.read_only = true;
        self.computed = true;
        self
    }
    pub const fn force_new(mut self) -> Arg {
        self.force_new = true;
        self
    }
    pub const fn secret(mut self) -> Arg {
        self.sensitive = true;
        self.write_only = true;
        self
    }
    /// A secret azurerm exports (an access key, a kubeconfig): computed,
    /// sensitive, read by its own request (`secrets.rs`), never sent.
    pub const fn exported_secret(mut self) -> Arg {
        self.read_only = true;
        self.computed = true;
        self.sensitive = true;
        self
    }
    pub const fn create_only(mut self) -> Arg {
        self.create_only = true;
        self
    }
    pub const fn conv(mut self, c: Conv) -> Arg {
        self.conv = c;
        self
    }
    /// azurerm's default: the argument is no longer left to Azure.
    pub const fn default(mut self, json: &'static str) -> Arg {
        self.default = json;
        self.computed = false;
        self
    }
    pub const fn write_only_with(mut self, version_arg: &'static str) -> Arg {
        self.sensitive = true;
        self.wo_version = version_arg;
        self
    }
    pub const fn switch(mut self, path: &'static str) -> Arg {
        self.switch = path;
        self
    }
}

pub fn s(name: &'static str, path: &'static str) -> Arg {
    arg(name, path, Kind::Str)
}

// ---- JSON paths ----

pub fn get_path<'a>(j: &'a J, path: &str) -> Option<&'a J> {
    let mut cur = j;
    for seg in path.split('.') {
        cur = match cur {
            J::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            J::Object(m) => m.get(seg).or_else(|| {
                m.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(seg))
                    .map(|(_, v)| v)
            })?,
            _ => return None,
        };
    }
    Some(cur)
}

pub fn set_path(j: &mut J, path: &str, v: J) {
    let segs: Vec<&str> = path.split('.').collect();
    let mut cur = j;
    for (i, seg) in segs.iter().enumerate() {
        let last = i + 1 == segs.len();
        if let Ok(idx) = seg.parse::<usize>() {
            if !cur.is_array() {
                *cur = J::Array(vec![]);
            }
            let a = cur.as_array_mut().expect("array");
            while a.len() <= idx {
                a.push(json!({}));
            }
            if last {
                a[idx] = v;
                return;
            }
            cur = &mut a[idx];
        } else {
            if !cur.is_object() {
                *cur = J::Object(Map::new());
            }
            let m = cur.as_object_mut().expect("object");
            if last {
                m.insert(seg.to_string(), v);
                return;
            }
            cur = m.entry(seg.to_string()).or_insert(J::Null);
        }
    }
}

// ---- value conversion ----

fn to_arm(a: &Arg, v: &Value) -> Option<J> {
    let typed = normalize(a, v);
    let (v, _) = typed.unmark();
    if v.is_null() || !v.is_wholly_known() {
        return None;
    }
    Some(match (a.conv, v) {
        (Conv::Location, Value::String(s)) => J::String(s.to_lowercase().replace(' ', "")),
        (Conv::Enabled, Value::Bool(b)) => {
            J::String(if *b { "Enabled" } else { "Disabled" }.into())
        }
        (Conv::BoolString, Value::Bool(b)) => J::String(b.to_string()),
        (Conv::Not, Value::Bool(b)) => J::Bool(!b),
        (Conv::NotBoolString, Value::Bool(b)) => J::String((!b).to_string()),
        (Conv::Ranges, _) => J::Array(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|x| match x.unmark().0 {
                    Value::String(s) => {
                        let (lo, hi) = s.split_once('-').unwrap_or((s, s));
                        Some(json!({
                            "min": lo.trim().parse::<i64>().ok()?,
                            "max": hi.trim().parse::<i64>().ok()?,
                        }))
                    }
                    _ => None,
                })
                .collect(),
        ),
        (Conv::Joined(sep), _) => J::String(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|x| match x.unmark().0 {
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join(sep),
        ),
        (Conv::NumString, Value::Number(_)) => J::String(v.to_json().to_string()),
        (Conv::KeySet, _) => J::Object(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|x| match x.unmark().0 {
                    Value::String(s) => Some((s.clone(), json!({}))),
                    _ => None,
                })
                .collect(),
        ),
        (Conv::Pairs(kf, vf), _) => J::Array(
            v.as_mapping()
                .map(|m| {
                    m.iter()
                        .map(|(k, x)| json!({ kf: k, vf: x.to_json() }))
                        .collect()
                })
                .unwrap_or_default(),
        ),
        (Conv::Wrapped(field), _) => J::Array(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .map(|x| json!({ field: x.to_json() }))
                .collect(),
        ),
        (Conv::MbToGb, Value::Number(n)) => json!((n / 1024.0).round() as i64),
        (Conv::Ipv4Records, _) => J::Array(
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .map(|x| json!({"ipv4Address": x.to_json()}))
                .collect(),
        ),
        _ => v.to_json(),
    })
}

fn from_arm(a: &Arg, j: &J) -> Value {
    match (a.conv, j) {
        (_, J::Null) => Value::Null,
        (Conv::Enabled, J::String(s)) => Value::Bool(s.eq_ignore_ascii_case("Enabled")),
        (Conv::BoolString, J::String(s)) => Value::Bool(s.eq_ignore_ascii_case("true")),
        (Conv::Not, J::Bool(b)) => Value::Bool(!b),
        (Conv::NotBoolString, J::String(s)) => Value::Bool(!s.eq_ignore_ascii_case("true")),
        (Conv::Ranges, J::Array(xs)) => Value::List(
            xs.iter()
                .map(|r| Value::String(format!("{}-{}", r["min"], r["max"])))
                .collect(),
        ),
        (Conv::Joined(sep), J::String(s)) => Value::List(
            s.split(sep.trim())
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(|x| Value::String(x.to_string()))
                .collect(),
        ),
        (Conv::NumString, J::String(s)) => s
            .parse::<f64>()
            .map(Value::Number)
            .unwrap_or_else(|_| Value::String(s.clone())),
        (Conv::KeySet, J::Object(m)) => {
            Value::List(m.keys().map(|k| Value::String(k.clone())).collect())
        }
        (Conv::Pairs(kf, vf), J::Array(xs)) => Value::Map(
            xs.iter()
                .filter_map(|x| {
                    Some((
                        x.get(kf)?.as_str()?.to_string(),
                        Value::from_json(x.get(vf)?),
                    ))
                })
                .collect(),
        ),
        (Conv::Wrapped(field), J::Array(xs)) => Value::List(
            xs.iter()
                .filter_map(|x| get_path(x, field).map(Value::from_json))
                .collect(),
        ),
        (Conv::MbToGb, J::Number(n)) => Value::Number(n.as_f64().unwrap_or(0.0) * 1024.0),
        (Conv::Ipv4Records, J::Array(xs)) => {
            let mut ips: Vec<Value> = xs
                .iter()
                .filter_map(|x| {
                    x["ipv4Address"]
                        .as_str()
                        .map(|s| Value::String(s.to_string()))
                })
                .collect();
            ips.sort_by(Value::total_cmp);
            Value::Set(ips)
        }
        _ => match a.kind {
            Kind::StrList | Kind::NumList => Value::List(
                j.as_array()
                    .map(|xs| xs.iter().map(Value::from_json).collect())
                    .unwrap_or_default(),
            ),
            Kind::StrMap => Value::Map(
                j.as_object()
                    .map(|m| {
                        m.iter()
                            .map(|(k, v)| (k.clone(), Value::from_json(v)))
                            .collect()
                    })
                    .unwrap_or_default(),
            ),
            _ => Value::from_json(j),
        },
    }
}

/// Normalises a config value so equal meanings compare equal.
pub fn normalize(a: &Arg, v: &Value) -> Value {
    let (inner, marked) = v.unmark();
    let out = match (a.conv, inner) {
        (Conv::Location, Value::String(s)) => Value::String(s.to_lowercase().replace(' ', "")),
        (Conv::Ipv4Records, _) if inner.as_seq().is_some() => {
            let mut xs = inner.as_seq().unwrap_or(&[]).to_vec();
            xs.sort_by(Value::total_cmp);
            Value::Set(xs)
        }
        (_, Value::Tuple(xs)) if matches!(a.kind, Kind::StrList | Kind::NumList) => {
            Value::List(xs.clone())
        }
        (_, Value::Object(m)) if matches!(a.kind, Kind::StrMap) => Value::Map(m.clone()),
        // A primitive takes its schema type, as a Terraform provider's
        // does: `"5"` for a number argument is the number 5.
        _ if matches!(a.kind, Kind::Num | Kind::Bool | Kind::Str) => {
            crate::lang::convert::convert(inner, &type_of(a)).unwrap_or_else(|_| inner.clone())
        }
        _ => inner.clone(),
    };
    out.mark_if(marked)
}

/// The planned value of argument `a` from its configuration: normalised,
/// and each written block given the computed sub-arguments it leaves out.
pub fn planned(a: &Arg, v: &Value) -> Value {
    let mut m = BTreeMap::from([(a.name.to_string(), normalize(a, v))]);
    unknown_computed(std::slice::from_ref(a), &mut m);
    m.remove(a.name).unwrap_or(Value::Null)
}

/// Gives the blocks `m` holds (a resource's or a block's attributes, as
/// configured) the computed sub-arguments they leave out, unknown until
/// Azure reports them, at any depth: as Terraform plans a nested computed
/// attribute (`identity[0].principal_id`), so a reference to one is
/// "known after apply" rather than missing.
pub fn unknown_computed(args: &[Arg], m: &mut BTreeMap<String, Value>) {
    each_block(args, m, &mut |sub, inner| {
        for s in sub.iter().filter(|s| s.computed) {
            if inner.get(s.name).is_none_or(Value::is_null) {
                inner.insert(s.name.to_string(), Value::Unknown(type_of(s)));
            }
        }
    });
}

/// `m` (planned attributes) without the unknown computed sub-arguments
/// [`unknown_computed`] put in its blocks: what is sent is what the
/// configuration wrote; Azure fills in the rest.
pub fn strip_unknown_computed(args: &[Arg], m: &mut BTreeMap<String, Value>) {
    each_block(args, m, &mut |sub, inner| {
        inner.retain(|k, v| {
            !(matches!(v, Value::Unknown(_)) && sub.iter().any(|s| s.name == k && s.computed))
        });
    });
}

/// A block's (or a resource's) attributes by name.
type Fields = BTreeMap<String, Value>;

/// Calls `f` with each block `m` holds (its argument table and its
/// attributes), outer blocks before the blocks inside them.
fn each_block(
    args: &[Arg],
    m: &mut BTreeMap<String, Value>,
    f: &mut dyn FnMut(&[Arg], &mut Fields),
) {
    for a in args {
        let (Kind::Block(sub) | Kind::BlockList(sub)) = a.kind else {
            continue;
        };
        let Some(Value::List(blocks) | Value::Tuple(blocks)) = m.get_mut(a.name) else {
            continue;
        };
        for b in blocks.iter_mut() {
            if let Value::Object(inner) = b {
                f(sub, inner);
                each_block(sub, inner, f);
            }
        }
    }
}

/// Writes every argument present in `cfg` into `body`.
pub fn write_args(args: &[Arg], cfg: &BTreeMap<String, Value>, body: &mut J, creating: bool) {
    for a in args {
        if a.path.is_empty() || a.read_only || (a.create_only && !creating) {
            continue;
        }
        let Some(v) = cfg.get(a.name) else { continue };
        match a.kind {
            Kind::Block(sub) => {
                let Some(first) = v
                    .as_seq()
                    .and_then(|xs| xs.first())
                    .and_then(|b| b.as_mapping())
                else {
                    // A removed switched block is turned off.
                    if !a.switch.is_empty()
                        && v.as_seq().is_some_and(|s| s.is_empty())
                        && get_path(body, a.path).is_some_and(J::is_object)
                    {
                        set_path(body, &format!("{}.{}", a.path, a.switch), J::Bool(false));
                    }
                    continue;
                };
                let mut inner = get_path(body, a.path).cloned().unwrap_or(json!({}));
                write_args(sub, first, &mut inner, creating);
                if !a.switch.is_empty() {
                    set_path(&mut inner, a.switch, J::Bool(true));
                }
                set_path(body, a.path, inner);
            }
            Kind::BlockList(sub) => {
                if !v.is_wholly_known() {
                    continue;
                }
                let items = v
                    .as_seq()
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|b| b.as_mapping())
                    .map(|m| {
                        let mut inner = json!({});
                        write_args(sub, m, &mut inner, creating);
                        inner
                    })
                    .collect();
                set_path(body, a.path, J::Array(items));
            }
            _ => {
                if let Some(j) = to_arm(a, v) {
                    set_path(body, a.path, j);
                }
            }
        }
    }
}

/// Reads every argument from an ARM body into attributes.
pub fn read_args(args: &[Arg], body: &J, out: &mut BTreeMap<String, Value>) {
    for a in args {
        if a.path.is_empty() {
            continue;
        }
        match a.kind {
            Kind::Block(sub) => match get_path(body, a.path) {
                Some(inner)
                    if inner.is_object()
                        && (a.switch.is_empty()
                            || get_path(inner, a.switch).and_then(J::as_bool) == Some(true)) =>
                {
                    let mut m = BTreeMap::new();
                    read_args(sub, inner, &mut m);
                    // An object holding none of the block's arguments (one
                    // that other arguments share, like AKS's
                    // apiServerAccessProfile) is no block, as azurerm reads it.
                    let empty = m
                        .values()
                        .all(|v| v.is_null() || v.as_seq().is_some_and(|s| s.is_empty()));
                    let blocks = if empty && !sub.is_empty() {
                        vec![]
                    } else {
                        vec![Value::Object(m)]
                    };
                    out.insert(a.name.to_string(), Value::List(blocks));
                }
                _ => {
                    out.insert(a.name.to_string(), Value::List(vec![]));
                }
            },
            Kind::BlockList(sub) => {
                let items = get_path(body, a.path)
                    .and_then(J::as_array)
                    .map(|xs| {
                        xs.iter()
                            .filter(|x| x.is_object())
                            .map(|x| {
                                let mut m = BTreeMap::new();
                                read_args(sub, x, &mut m);
                                Value::Object(m)
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                out.insert(a.name.to_string(), Value::List(items));
            }
            _ => {
                let v = get_path(body, a.path)
                    .map(|j| from_arm(a, j))
                    .unwrap_or(Value::Null);
                // What Azure leaves out of its answer is at its default
                // (`disableRunCommand` absent: run commands enabled).
                let v = match (v, a.default) {
                    (Value::Null, d) if !d.is_empty() => serde_json::from_str::<J>(d)
                        .map(|j| Value::from_json(&j))
                        .unwrap_or(Value::Null),
                    (v, _) => v,
                };
                out.insert(a.name.to_string(), v);
            }
        }
    }
}

/// Marks the sensitive arguments in `m` (a resource's or a block's
/// attributes), at any depth of nested blocks.
pub fn mark_sensitive(args: &[Arg], m: &mut BTreeMap<String, Value>) {
    for a in args {
        let Some(v) = m.remove(a.name) else { continue };
        let v = match (a.kind, v) {
            (_, v) if a.sensitive && !v.is_null() => v.sensitive(),
            (Kind::Block(sub) | Kind::BlockList(sub), Value::List(blocks)) => Value::List(
                blocks
                    .into_iter()
                    .map(|b| match b {
                        Value::Object(mut inner) => {
                            mark_sensitive(sub, &mut inner);
                            Value::Object(inner)
                        }
                        other => other,
                    })
                    .collect(),
            ),
            (_, v) => v,
        };
        m.insert(a.name.to_string(), v);
    }
}

/// The type of an argument's value when unknown.
pub fn type_of(a: &Arg) -> Type {
    match a.kind {
        Kind::Str => Type::String,
        Kind::Num => Type::Number,
        Kind::Bool => Type::Bool,
        Kind::StrMap => Type::Map(Box::new(Type::String)),
        Kind::StrList => Type::List(Box::new(Type::String)),
        Kind::NumList => Type::List(Box::new(Type::Number)),
        Kind::Block(_) | Kind::BlockList(_) | Kind::Blocks => Type::List(Box::new(Type::Dynamic)),
    }
}

/// Whether two attribute values mean the same thing for argument `a`.
pub fn same(a: &Arg, x: &Value, y: &Value) -> bool {
    let (x, y) = (normalize(a, x), normalize(a, y));
    if !x.is_wholly_known() || !y.is_wholly_known() {
        return false;
    }
    let (xu, yu) = (x.unmark().0.to_json(), y.unmark().0.to_json());
    if a.conv == Conv::CaseInsensitive {
        return xu.to_string().to_lowercase() == yu.to_string().to_lowercase();
    }
    if a.kind == Kind::Blocks {
        return json_subset(&xu, &yu);
    }
    if let Kind::Block(sub) = a.kind {
        let first = |v: &Value| {
            v.as_seq()
                .and_then(|s| s.first())
                .and_then(|b| b.as_mapping())
                .cloned()
                .unwrap_or_default()
        };
        let (fx, fy) = (first(&x), first(&y));
        return same_block(sub, &fx, &fy);
    }
    if let Kind::BlockList(sub) = a.kind {
        let blocks = |v: &Value| -> Vec<BTreeMap<String, Value>> {
            v.as_seq()
                .unwrap_or(&[])
                .iter()
                .map(|b| b.as_mapping().cloned().unwrap_or_default())
                .collect()
        };
        let (bx, by) = (blocks(&x), blocks(&y));
        return bx.len() == by.len() && bx.iter().zip(&by).all(|(p, q)| same_block(sub, p, q));
    }
    xu == yu
        || (xu.is_null() && (yu == J::Array(vec![]) || yu == J::Object(Map::new())))
        || (yu.is_null() && (xu == J::Array(vec![]) || xu == J::Object(Map::new())))
}

/// Whether block `y` holds every sub-argument block `x` sets (the
/// configuration's block first; Azure fills in the rest).
fn same_block(sub: &[Arg], x: &BTreeMap<String, Value>, y: &BTreeMap<String, Value>) -> bool {
    sub.iter().all(|s| match (x.get(s.name), y.get(s.name)) {
        (Some(p), Some(q)) => same(s, p, q),
        (None, _) | (Some(Value::Null), _) => true,
        (Some(_), None) => false,
    })
}

/// Whether everything `config` sets (ignoring nulls) holds in `actual`.
pub fn json_subset(config: &J, actual: &J) -> bool {
    match (config, actual) {
        (J::Null, _) => true,
        (J::Object(c), J::Object(a)) => c
            .iter()
            .all(|(k, v)| json_subset(v, a.get(k).unwrap_or(&J::Null))),
        (J::Array(c), J::Array(a)) => {
            c.len() == a.len() && c.iter().zip(a).all(|(x, y)| json_subset(x, y))
        }
        (J::Number(x), J::Number(y)) => x.as_f64() == y.as_f64(),
        _ => config == actual,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_conversions() {
        let mut b = json!({});
        set_path(&mut b, "properties.agentPoolProfiles.0.count", json!(3));
        assert_eq!(
            get_path(&b, "properties.agentPoolProfiles.0.count"),
            Some(&json!(3))
        );
        let a = s("location", "location").conv(Conv::Location);
        assert!(same(
            &a,
            &Value::String("East US".into()),
            &Value::String("eastus".into())
        ));
        let e = arg("enabled", "properties.enabledState", Kind::Bool).conv(Conv::Enabled);
        assert_eq!(to_arm(&e, &Value::Bool(false)), Some(json!("Disabled")));
        assert_eq!(from_arm(&e, &json!("Enabled")), Value::Bool(true));
        let mb =
            arg("storage_mb", "properties.storage.storageSizeGB", Kind::Num).conv(Conv::MbToGb);
        assert_eq!(to_arm(&mb, &Value::Number(1048576.0)), Some(json!(1024)));
    }

    /// Regression: `node_count = "3"` passed validation (it converts) but
    /// was sent to ARM as the string "3".
    #[test]
    fn primitives_are_sent_as_their_schema_type() {
        let n = arg("node_count", "properties.count", Kind::Num);
        assert_eq!(to_arm(&n, &Value::String("3".into())), Some(json!(3)));
        let b = arg("enabled", "properties.enabled", Kind::Bool);
        assert_eq!(to_arm(&b, &Value::String("true".into())), Some(json!(true)));
        let s = arg("name", "name", Kind::Str);
        assert_eq!(to_arm(&s, &Value::Number(5.0)), Some(json!("5")));
        assert!(same(&n, &Value::String("3".into()), &Value::Number(3.0)));
    }
}
