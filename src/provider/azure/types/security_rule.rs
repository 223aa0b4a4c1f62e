//! A network security group's rules: one argument table for a rule's
//! properties, shared by the group's inline `security_rule` blocks and the
//! separate `azurerm_network_security_rule` resource (a child of the
//! group, `Microsoft.Network/networkSecurityGroups/securityRules`), so the
//! two map a rule the same way.

use std::collections::BTreeMap;

use super::common::{NAME, RG};
use super::repeated;
use crate::lang::Value;
use crate::provider::ArgProblem;
use crate::provider::azure::convert::{Arg, Conv, Kind, arg};
use crate::provider::azure::typedef::{Attrs, IdRule, TypeDef, def};

/// A rule's arguments below its name (paths relative to the rule).
const PROPERTIES: [Arg; 15] = [
    arg("description", "properties.description", Kind::Str),
    arg("priority", "properties.priority", Kind::Num).req(),
    arg("direction", "properties.direction", Kind::Str).req(),
    arg("access", "properties.access", Kind::Str).req(),
    arg("protocol", "properties.protocol", Kind::Str).req(),
    arg("source_port_range", "properties.sourcePortRange", Kind::Str),
    arg(
        "source_port_ranges",
        "properties.sourcePortRanges",
        Kind::StrList,
    ),
    arg(
        "destination_port_range",
        "properties.destinationPortRange",
        Kind::Str,
    ),
    arg(
        "destination_port_ranges",
        "properties.destinationPortRanges",
        Kind::StrList,
    ),
    arg(
        "source_address_prefix",
        "properties.sourceAddressPrefix",
        Kind::Str,
    ),
    arg(
        "source_address_prefixes",
        "properties.sourceAddressPrefixes",
        Kind::StrList,
    ),
    arg(
        "destination_address_prefix",
        "properties.destinationAddressPrefix",
        Kind::Str,
    ),
    arg(
        "destination_address_prefixes",
        "properties.destinationAddressPrefixes",
        Kind::StrList,
    ),
    arg(
        "source_application_security_group_ids",
        "properties.sourceApplicationSecurityGroups",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
    arg(
        "destination_application_security_group_ids",
        "properties.destinationApplicationSecurityGroups",
        Kind::StrList,
    )
    .conv(Conv::Wrapped("id")),
];

/// `head` then `tail`, at compile time (`N` must be their total length).
const fn join<const A: usize, const B: usize, const N: usize>(
    head: [Arg; A],
    tail: [Arg; B],
) -> [Arg; N] {
    assert!(A + B == N && B > 0);
    let mut out = [tail[0]; N];
    let mut i = 0;
    while i < A {
        out[i] = head[i];
        i += 1;
    }
    let mut j = 0;
    while j < B {
        out[A + j] = tail[j];
        j += 1;
    }
    out
}

/// An inline `security_rule` block of `azurerm_network_security_group`.
pub(super) const INLINE: &[Arg] =
    &join::<1, 15, 16>([arg("name", "name", Kind::Str).req()], PROPERTIES);

/// `azurerm_network_security_rule`: the group by name and group.
const RULE: &[Arg] = &join::<3, 15, 18>(
    [
        NAME,
        RG,
        arg("network_security_group_name", "", Kind::Str)
            .req()
            .force_new(),
    ],
    PROPERTIES,
);

/// The protocols azurerm accepts (spelt as here: its check is
/// case-sensitive).
const PROTOCOLS: &[&str] = &["*", "Tcp", "Udp", "Icmp", "Ah", "Esp"];

/// Arguments of the separate resource that azurerm lets only one of be set.
const EXCLUSIVE: &[(&str, &str)] = &[
    ("source_port_range", "source_port_ranges"),
    ("destination_port_range", "destination_port_ranges"),
];

fn text<'a>(rule: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a str> {
    match rule.get(k).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// azurerm's checks of one rule's values, `prefix` naming where it is.
fn check_rule(rule: &BTreeMap<String, Value>, prefix: &str, out: &mut Vec<ArgProblem>) {
    if let Some(p) = text(rule, "protocol")
        && !PROTOCOLS.contains(&p)
    {
        out.push(ArgProblem {
            argument: Some(format!("{prefix}protocol")),
            summary: "Invalid value".into(),
            detail: format!(
                "expected {prefix}protocol to be one of [{}], got {p}",
                PROTOCOLS
                    .iter()
                    .map(|p| format!("{p:?}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        });
    }
}

/// Values azurerm refuses before any request, in the resource and in the
/// group's inline blocks.
pub(super) fn check(ty: &str, a: &Attrs, out: &mut Vec<ArgProblem>) {
    match ty {
        "azurerm_network_security_rule" => {
            check_rule(a, "", out);
            let set = |k: &str| a.get(k).is_some_and(|v| !v.is_null());
            for (one, other) in EXCLUSIVE {
                if set(one) && set(other) {
                    out.push(ArgProblem {
                        argument: Some(one.to_string()),
                        summary: "Conflicting configuration arguments".into(),
                        detail: format!("\"{one}\": conflicts with {other}"),
                    });
                }
            }
        }
        "azurerm_network_security_group" => {
            for b in repeated::blocks(a, "security_rule") {
                check_rule(b, "security_rule.", out);
            }
        }
        _ => {}
    }
}

pub(super) fn defs() -> Vec<TypeDef> {
    vec![def(
        "azurerm_network_security_rule",
        "Microsoft.Network/networkSecurityGroups/securityRules",
        // The api-version the group's type pins.
        "2024-05-01",
        RULE,
        IdRule::InNamedParent {
            parent_type: "Microsoft.Network/networkSecurityGroups",
            parent_arg: "network_security_group_name",
            segment: "securityRules",
        },
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(ty: &str, pairs: &[(&str, &str)]) -> Vec<String> {
        let a: Attrs = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
            .collect();
        let mut out = vec![];
        check(ty, &a, &mut out);
        out.into_iter().map(|p| p.detail).collect()
    }

    #[test]
    fn azurerm_refuses_an_unknown_protocol_and_both_port_forms() {
        let rule = "azurerm_network_security_rule";
        assert!(problems(rule, &[("protocol", "Tcp")]).is_empty());
        assert_eq!(
            problems(rule, &[("protocol", "tcp")]),
            [r#"expected protocol to be one of ["*" "Tcp" "Udp" "Icmp" "Ah" "Esp"], got tcp"#]
        );
        assert_eq!(
            problems(
                rule,
                &[("source_port_range", "*"), ("source_port_ranges", "22")]
            ),
            [r#""source_port_range": conflicts with source_port_ranges"#]
        );
        let mut nsg = Attrs::new();
        nsg.insert(
            "security_rule".into(),
            Value::List(vec![Value::Object(BTreeMap::from([(
                "protocol".to_string(),
                Value::String("TCP".into()),
            )]))]),
        );
        let mut out = vec![];
        check("azurerm_network_security_group", &nsg, &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].argument.as_deref(), Some("security_rule.protocol"));
    }

    #[test]
    fn the_inline_block_and_the_resource_share_the_rule_table() {
        assert_eq!(INLINE[0].name, "name");
        assert_eq!(&INLINE[1..], &PROPERTIES[..]);
        let names: Vec<_> = RULE[..3].iter().map(|a| a.name).collect();
        assert_eq!(
            names,
            ["name", "resource_group_name", "network_security_group_name"]
        );
        assert!(RULE[..3].iter().all(|a| a.force_new && a.required));
        assert_eq!(&RULE[3..], &PROPERTIES[..]);
    }
}
