use super::*;

fn parse(text: &str) -> (SourceMap, Result<Body, Vec<Diagnostic>>) {
    let mut sources = SourceMap::default();
    let (_, r) = parse_json_file(
        &mut sources,
        "main.tf.json".into(),
        text.to_string(),
        &super::super::NoSchemas,
    );
    (sources, r.map(|(body, _)| body))
}

fn at(text: &str, e: &impl hcl_edit::Span) -> String {
    text[hcl_edit::Span::span(e).expect("span")].to_string()
}

#[test]
fn blocks_labels_and_expressions_keep_their_places() {
    let text = r#"{"resource": {"terraform_data": {"a": {"input": "${var.x}-a", "count": 2,
      "depends_on": ["terraform_data.b"], "//": "ignored"}}},
      "variable": {"v": {"default": "${literal}", "type": "list(string)"}}}"#;
    let (_, body) = parse(text);
    let body = body.expect("parses");
    let r = body.get_blocks("resource").next().expect("resource");
    assert_eq!(r.labels.len(), 2);
    assert_eq!(at(text, &r.labels[0]), "terraform_data");
    assert_eq!(at(text, &r.ident), "resource");
    let input = r.body.get_attribute("input").expect("input");
    assert_eq!(at(text, &input.key), "input");
    assert_eq!(at(text, &input.value), r#""${var.x}-a""#);
    assert!(matches!(input.value, Expression::StringTemplate(_)));
    let dep = r.body.get_attribute("depends_on").expect("depends_on");
    let Expression::Array(a) = &dep.value else {
        panic!("array")
    };
    let first = a.iter().next().expect("one");
    assert!(matches!(first, Expression::Traversal(_)), "{first:?}");
    assert_eq!(at(text, first), "terraform_data.b");
    assert!(r.body.get_attribute("//").is_none());
    let v = body.get_blocks("variable").next().expect("variable");
    let d = v.body.get_attribute("default").expect("default");
    assert_eq!(d.value.as_str(), Some("${literal}"));
    assert_eq!(at(text, &d.value), r#""${literal}""#);
    let ty = v.body.get_attribute("type").expect("type");
    assert!(
        matches!(ty.value, Expression::FuncCall(_)),
        "{:?}",
        ty.value
    );
}

#[test]
fn arrays_of_bodies_are_several_blocks() {
    let text = r#"[{"locals": [{"a": 1}, {"b": "x\"y"}]}, {"output": {"o": [{"value": 1}]}}]"#;
    let (_, body) = parse(text);
    let body = body.expect("parses");
    assert_eq!(body.get_blocks("locals").count(), 2);
    let b = body.get_blocks("locals").nth(1).expect("second");
    assert_eq!(
        b.body.get_attribute("b").unwrap().value.as_str(),
        Some("x\"y")
    );
    assert_eq!(body.get_blocks("output").count(), 1);
}

#[test]
fn escaped_templates_keep_their_meaning() {
    let text = r#"{"locals": {"a": "${lookup(var.m, \"k\")}\ttab \"q\""}}"#;
    let (_, body) = parse(text);
    let body = body.expect("parses");
    let l = body.get_blocks("locals").next().unwrap();
    let v = &l.body.get_attribute("a").unwrap().value;
    let Expression::StringTemplate(t) = v else {
        panic!("{v:?}")
    };
    let shown = t.to_string();
    assert!(shown.contains("lookup(var.m, \"k\")"), "{shown}");
    assert!(shown.ends_with("}\ttab \"q\""), "{shown}");
}

#[test]
fn problems_point_into_the_file() {
    for (text, summary, place) in [
        (
            r#"{"foo": {}}"#,
            "Extraneous JSON object property",
            "\"foo\"",
        ),
        (r#"{"resource": "x"}"#, "Incorrect JSON value type", "\""),
        (r#"{"locals": {"a": "${var.x"}}"#, "Invalid expression", ""),
        (
            r#"{"locals": {"a": 1, "a": 2}}"#,
            "Duplicate attribute definition",
            "\"a\": 2",
        ),
        (
            r#"{"locals": {"my key": 1}}"#,
            "Invalid local value name",
            "\"my key\"",
        ),
        (r#""x""#, "Root value must be object", "\""),
        (
            r#"{"locals": {"a": 1e999}}"#,
            "Number out of range",
            "1e999",
        ),
    ] {
        let (sources, r) = parse(text);
        let diags = r.expect_err(text);
        let d = &diags[0];
        assert_eq!(d.summary, summary, "{text}");
        let span = d.span.clone().expect("span");
        let shown = &sources.text(span.file)[span.range];
        assert!(shown.starts_with(place), "{text}: {shown:?}");
    }
}

#[test]
fn no_input_panics() {
    let samples = [
        "",
        "{",
        "[",
        "[{}]",
        "{\"locals\": {\"a\": \"${\"}}",
        "{\"variable\": {\"v\": []}}",
        "{\"resource\": {\"t\": {\"n\": [1]}}}",
        "{\"locals\": {\"for\": [for]}}",
        "{\"locals\": {\"a\": \"\\ud800\"}}",
        "{\"moved\": {\"from\": \"#\", \"to\": \"\"}}",
        "{\"locals\": {\"a\": {\"\\\"\": \"%{if}\"}}}",
    ];
    for s in samples {
        let _ = parse(s);
    }
}

/// A schema for tests: `identity`, `site_config` and, inside it, `cors`
/// are nested blocks of resource type `t`.
struct Schema;

impl NestedBlocks for Schema {
    fn is_block(&self, mode: crate::config::model::Mode, ty: &str, path: &[&str]) -> bool {
        mode == crate::config::model::Mode::Managed
            && ty == "t"
            && matches!(
                path,
                ["identity"] | ["site_config"] | ["site_config", "cors"]
            )
    }
}

#[test]
fn the_schema_given_decides_which_objects_are_nested_blocks() {
    let text = r#"{"resource": {"t": {"a": {
      "identity": {"type": "x"},
      "tags": {"k": "v"},
      "site_config": [{"cors": {"origins": ["o"]}}, {"dynamic": {"cors": {
        "for_each": [1], "content": {"origins": ["p"], "inner": {"k": 1}}}}}],
      "lifecycle": null}},
      "u": {"b": {"identity": {"type": "y"}}}},
      "data": {"t": {"d": {"identity": {"type": "z"}}}}}"#;
    let mut sources = SourceMap::default();
    let (_, r) = parse_json_file(&mut sources, "main.tf.json".into(), text.into(), &Schema);
    let (body, _) = r.expect("parses");
    let mut resources = body.get_blocks("resource");
    let a = resources.next().expect("t.a");
    assert_eq!(a.body.get_blocks("identity").count(), 1);
    assert!(a.body.get_attribute("tags").is_some());
    // A null body declares no block.
    assert_eq!(a.body.get_blocks("lifecycle").count(), 0);
    let sites: Vec<_> = a.body.get_blocks("site_config").collect();
    assert_eq!(sites.len(), 2);
    assert_eq!(sites[0].body.get_blocks("cors").count(), 1);
    let dynamic = sites[1].body.get_blocks("dynamic").next().expect("dynamic");
    let content = dynamic.body.get_blocks("content").next().expect("content");
    assert!(content.body.get_attribute("inner").is_some());
    // Another type, and data sources, by what the schema says of them.
    let b = resources.next().expect("u.b");
    assert!(b.body.get_attribute("identity").is_some());
    let d = body.get_blocks("data").next().expect("data");
    assert!(d.body.get_attribute("identity").is_some());
}
