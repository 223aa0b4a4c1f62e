//! Round trips, parts, Terraform's key quoting, typed errors, no panics.

use std::fmt;
use std::str::FromStr;

use super::*;

fn round_trip<T>(text: &str)
where
    T: FromStr<Err = AddrError> + fmt::Display + fmt::Debug,
{
    let v: T = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
    assert_eq!(v.to_string(), text);
}

#[test]
fn instances_round_trip() {
    for text in [
        "azurerm_x.y",
        "azurerm_x.y[0]",
        "azurerm_x.y[\"k\"]",
        "data.azurerm_client_config.current",
        "data.t.n[3]",
        "module.a.t.n",
        "module.a[\"x\"].module.b[0].azurerm_x.y[\"k\"]",
        "module.a[\"x.y\"].module.b[2].terraform_data.n[\"k\"]",
        "module.m-1.t_2.n-3",
        "t.n[\"quote \\\" and \\\\ backslash\"]",
        "t.n[\"line\\nbreak\\ttab\\r\"]",
        "t.n[\"$${not} %%{a} $ % $$x $\"]",
        "t.n[\"\\u0001\\u200b\"]",
        "t.n[\"héllo 世界\"]",
        "t.n[\"\"]",
        "t.n[-1]",
    ] {
        round_trip::<AbsResourceInstance>(text);
    }
}

#[test]
fn parts_round_trip() {
    round_trip::<ModulePath>("");
    round_trip::<ModulePath>("module.a");
    round_trip::<ModulePath>("module.a[\"x\"].module.b[0]");
    round_trip::<Resource>("t.n");
    round_trip::<Resource>("data.t.n");
    round_trip::<AbsResource>("module.a[1].data.t.n");
    round_trip::<InstanceKey>("");
    round_trip::<InstanceKey>("[7]");
    round_trip::<InstanceKey>("[\"a]b\"]");
}

#[test]
fn parses_into_parts() {
    let a: AbsResourceInstance = "module.a[\"x.y\"].module.b[2].terraform_data.n[\"k\"]"
        .parse()
        .unwrap();
    assert_eq!(
        a.module,
        ModulePath(vec![
            ("a".to_string(), InstanceKey::Str("x.y".into())),
            ("b".to_string(), InstanceKey::Int(2))
        ])
    );
    assert_eq!(a.resource.to_string(), "terraform_data.n");
    assert_eq!(a.resource.mode, Mode::Managed);
    assert_eq!(a.key, InstanceKey::Str("k".into()));
    let d: AbsResourceInstance = "data.t.n".parse().unwrap();
    assert_eq!((d.resource.mode, d.resource.ty.as_str()), (Mode::Data, "t"));
    // A resource whose type is `data` is not a data source.
    let m: AbsResourceInstance = "data.n".parse().unwrap();
    assert_eq!(
        (m.resource.mode, m.resource.ty.as_str()),
        (Mode::Managed, "data")
    );
    // A module's key with a dot and a bracket in it.
    let q: AbsResourceInstance = "module.m[\"a.b]\"].t.n".parse().unwrap();
    assert_eq!(q.module[0].1, InstanceKey::Str("a.b]".into()));
    assert_eq!(q.resource().to_string(), "module.m[\"a.b]\"].t.n");
}

#[test]
fn keys_print_as_terraform_does() {
    let k = |s: &str| InstanceKey::Str(s.into()).to_string();
    assert_eq!(k("a\"b"), "[\"a\\\"b\"]");
    assert_eq!(k("${x}"), "[\"$${x}\"]");
    assert_eq!(k("%{x}"), "[\"%%{x}\"]");
    assert_eq!(k("\u{7}"), "[\"\\u0007\"]");
    assert_eq!(InstanceKey::Int(3).to_string(), "[3]");
    assert_eq!(InstanceKey::None.to_string(), "");
    assert_eq!(
        InstanceKey::Str("x".into()).to_json(),
        Some(serde_json::json!("x"))
    );
    assert_eq!(InstanceKey::Int(0).to_json(), Some(serde_json::json!(0)));
}

#[test]
fn within_matches_instances_and_module_contents() {
    assert!(within("t.n", "t.n"));
    assert!(within("t.n[0]", "t.n"));
    assert!(within("module.a.t.n", "module.a"));
    assert!(within("module.a[\"k\"].t.n", "module.a"));
    assert!(!within("t.nn", "t.n"));
    assert!(!within("module.ab.t.n", "module.a"));
}

#[test]
fn malformed_addresses_are_typed_errors() {
    let bad = [
        "",
        ".",
        "t",
        "t.",
        "t..n",
        "t.n[",
        "t.n[]",
        "t.n[x]",
        "t.n[\"k]",
        "t.n[\"k\"",
        "t.n[0",
        "t.n[0]x",
        "t.n[0].",
        "t.n[\"\\q\"]",
        "t.n[\"\\u12\"]",
        "t.n[\"\\ud800\"]",
        "t.n[99999999999999999999]",
        "module.",
        "module.a",
        "module.a.",
        "module.a[0]",
        "module.a[0]t.n",
        "1t.n",
        "t.n extra",
        "data.",
        "data.t.",
    ];
    for text in bad {
        assert!(
            text.parse::<AbsResourceInstance>().is_err(),
            "{text:?} parsed"
        );
    }
    assert_eq!(
        "module.a".parse::<AbsResourceInstance>(),
        Err(AddrError::NotAResource("module.a".into()))
    );
    assert_eq!(
        "".parse::<AbsResourceInstance>(),
        Err(AddrError::Empty("".into()))
    );
    assert!(matches!(
        "t.n[0]".parse::<AbsResource>(),
        Err(AddrError::UnexpectedKey(_))
    ));
    assert!("module.a.".parse::<ModulePath>().is_err());
    assert!("module.a.t.n".parse::<ModulePath>().is_err());
}

#[test]
fn never_panics_on_arbitrary_text() {
    let pieces = [
        "module", ".", "[", "]", "\"", "\\", "0", "-", "a", "data", "$", "{", "é", "\\u",
    ];
    // Every string of up to four pieces.
    let mut texts = vec![String::new()];
    for _ in 0..4 {
        texts = texts
            .iter()
            .flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}")))
            .collect();
        for t in &texts {
            let _ = t.parse::<AbsResourceInstance>();
            let _ = t.parse::<ModulePath>();
            let _ = t.parse::<InstanceKey>();
            if let Ok(a) = t.parse::<AbsResourceInstance>() {
                assert_eq!(a.to_string().parse::<AbsResourceInstance>(), Ok(a));
            }
        }
    }
}
