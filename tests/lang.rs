//! Expression semantics that the parity corpus cannot show: unknown and
//! sensitive values, conversion failures, function errors.

use std::path::PathBuf;

use drinfra::diag::FileId;
use drinfra::lang::convert::convert;
use drinfra::lang::{Evaluator, Scope, Type, Value};

fn scope() -> Scope {
    Scope::default()
        .with("u", Value::unknown())
        .with("us", Value::Unknown(Type::String))
        .with("s", Value::String("secret".into()).sensitive())
        .with(
            "l",
            Value::Tuple(vec![Value::Number(1.0), Value::unknown()]),
        )
}

fn eval(src: &str) -> Result<Value, String> {
    let expr = hcl_edit::parser::parse_expr(src).map_err(|e| e.to_string())?;
    Evaluator::new(FileId(0), PathBuf::from("."))
        .eval(&expr, &scope())
        .map_err(|e| format!("{}: {}", e.summary, e.detail))
}

#[test]
fn unknowns_propagate_and_never_become_strings() {
    for src in [
        "u + 1",
        "\"x-${us}\"",
        "upper(us)",
        "u == 1",
        "u ? 1 : 2",
        "[for x in u : x]",
        "jsonencode(l)",
        "join(\",\", [us])",
        "u.attr",
        "u[0]",
    ] {
        let v = eval(src).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert!(!v.is_wholly_known(), "{src} gave {v:?}");
        assert!(!matches!(v, Value::String(_)), "{src} became a string");
    }
}

#[test]
fn structure_stays_known_around_unknown_elements() {
    assert_eq!(eval("length(l)").unwrap(), Value::Number(2.0));
    assert_eq!(eval("l[0]").unwrap(), Value::Number(1.0));
    assert_eq!(eval("false && u").unwrap(), Value::Bool(false));
    assert_eq!(eval("true || u").unwrap(), Value::Bool(true));
}

#[test]
fn sensitive_marks_survive_operations() {
    for src in [
        "upper(s)",
        "\"pre-${s}\"",
        "length(s)",
        "s == \"x\"",
        "{ a = s }.a",
        "[s][0]",
    ] {
        let v = eval(src).unwrap();
        assert!(v.is_sensitive_anywhere(), "{src} lost its mark: {v:?}");
    }
}

#[test]
fn conversion_rules() {
    assert_eq!(
        convert(&Value::Number(5.0), &Type::String).unwrap(),
        Value::String("5".into())
    );
    assert_eq!(
        convert(&Value::String("true".into()), &Type::Bool).unwrap(),
        Value::Bool(true)
    );
    assert!(convert(&Value::String("yes".into()), &Type::Bool).is_err());
    assert!(convert(&Value::String("1x".into()), &Type::Number).is_err());
    let mixed = Value::Tuple(vec![Value::Number(1.0), Value::String("a".into())]);
    assert_eq!(
        convert(&mixed, &Type::List(Box::new(Type::Dynamic))).unwrap(),
        Value::List(vec![Value::String("1".into()), Value::String("a".into())])
    );
    let unknown = convert(&Value::unknown(), &Type::Number).unwrap();
    assert_eq!(unknown, Value::Unknown(Type::Number));
}

#[test]
fn errors_name_the_problem() {
    let cases = [
        ("1 + \"a\"", "a number is required"),
        ("[1][3]", "the collection has 1 elements"),
        ("{a = 1}.b", "does not have an attribute named \"b\""),
        (
            "lookup({}, \"k\")",
            "the given object has no attribute \"k\"",
        ),
        ("lookup(tomap({}), \"k\")", "lookup failed to find key"),
        ("element([], 0)", "empty list"),
        ("index([\"a\"], \"z\")", "item not found"),
        ("regex(\"[\", \"x\")", "invalid regular expression"),
        ("jsondecode(\"{\")", "invalid JSON"),
        ("range(0, 5000)", "more than 1024 values"),
        (
            "cidrsubnet(\"10.0.0.0/30\", 4, 0)",
            "insufficient address space",
        ),
        ("format(\"%d\", 1.5)", "whole number"),
        ("one([1, 2])", "zero or one elements"),
        ("true ? 1 : [2]", "Inconsistent conditional result types"),
        ("{ for x in [1, 1] : x => x }", "Duplicate object key"),
        ("try(nope(1), 2)", "no function named"),
        ("coalesce(null, \"\")", "no non-null"),
        ("tonumber(\"abc\")", "cannot convert"),
        ("base64decode(\"!!\")", "failed to decode base64"),
        ("upper(1, 2)", "expects only 1 argument"),
    ];
    for (src, want) in cases {
        match eval(src) {
            Ok(v) => panic!("{src} should fail, gave {v:?}"),
            Err(e) => assert!(e.contains(want), "{src}: {e:?} does not mention {want:?}"),
        }
    }
}

#[test]
fn try_and_can_catch_errors() {
    assert_eq!(
        eval("try({a = 1}.b, \"x\")").unwrap(),
        Value::String("x".into())
    );
    assert_eq!(eval("can([][0])").unwrap(), Value::Bool(false));
    assert_eq!(eval("can(us)").unwrap(), Value::Unknown(Type::Bool));
}

#[test]
fn every_listed_function_exists() {
    for name in drinfra::lang::functions::NAMES {
        if *name == "try" || *name == "can" {
            continue;
        }
        assert!(drinfra::lang::functions::lookup(name).is_some(), "{name}");
    }
    let issue = "format formatlist join split lower upper title replace substr trim trimspace trimprefix trimsuffix startswith endswith strcontains regex regexall length lookup merge concat flatten keys values contains distinct element index slice sort reverse toset tolist tomap tostring tonumber tobool zipmap coalesce coalescelist compact range setproduct setunion one try can min max abs ceil floor parseint jsonencode jsondecode yamlencode base64encode base64decode md5 sha1 sha256 file fileexists templatefile cidrsubnet cidrhost cidrnetmask";
    for name in issue.split(' ') {
        assert!(
            drinfra::lang::functions::NAMES.contains(&name),
            "{name} missing"
        );
    }
}

#[test]
fn no_panic_on_odd_input() {
    for src in [
        "substr(\"\", -5, 3)",
        "cidrhost(\"::/0\", 1)",
        "parseint(\"\", 10)",
        "format(\"%\")",
        "split(\"\", \"é\")",
        "slice([1], 2, 1)",
        "element([1], -1)",
        "range(1, 2, 0)",
        "setproduct()",
        "merge(null, {})",
        "[1][-1]",
        "10 % 0",
        "-\"x\"",
    ] {
        let _ = eval(src);
    }
}
