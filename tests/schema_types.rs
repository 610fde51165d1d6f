//! The hand-written TypeScript types of the config (src/lab-types.d.ts) against the Rust
//! schema, so a field is written once in Rust (plus its doc line there): the same field names
//! per section, string-literal unions equal to serde's variant names, every default in the
//! doc's "(default)" equal to `Config::default()`, and every range the doc states equal to the
//! one `Config::validate` enforces.

use residual_lab::config::Config;
use serde_json::Value;

const DTS: &str = include_str!("../src/lab-types.d.ts");

/// (field, type, doc) of each field of `export interface <name> { ... }`.
fn interface(name: &str) -> Vec<(String, String, String)> {
    let start = DTS.find(&format!("export interface {name} {{")).unwrap_or_else(|| panic!("no interface {name}"));
    let body = &DTS[start..];
    let body = &body[body.find('{').unwrap() + 1..body.find("\n}").unwrap()];
    let mut out = Vec::new();
    let mut doc = String::new();
    let mut in_doc = false;
    for line in body.lines().map(str::trim) {
        if line.starts_with("/**") {
            doc.clear();
            in_doc = true;
        }
        if in_doc {
            doc.push_str(line.trim_start_matches("/**").trim_start_matches('*').trim_end_matches("*/").trim());
            doc.push(' ');
            in_doc = !line.ends_with("*/");
            continue;
        }
        if let Some((field, ty)) = line.split_once("?:") {
            out.push((field.trim().to_string(), ty.trim().trim_end_matches(';').to_string(), doc.trim().to_string()));
            doc.clear();
        }
    }
    out
}

/// serde's variant names of the enum at `path` (read from its "unknown variant" message).
fn variants(path: &[&str]) -> Vec<String> {
    let mut cfg = serde_json::to_value(Config::default()).unwrap();
    let mut at = &mut cfg;
    for key in path {
        at = at.get_mut(*key).unwrap();
    }
    *at = Value::String("\u{1}".into());
    let msg = Config::from_json(&cfg.to_string()).unwrap_err().to_string();
    let expected = msg.split("expected").nth(1).unwrap_or_else(|| panic!("{msg}"));
    expected.split('`').skip(1).step_by(2).map(String::from).collect()
}

/// The range `Config::validate` states for `path` ("1 to 10000", "(0, 10]"), from its message.
fn validated_range(path: &[&str]) -> Option<String> {
    let mut cfg = serde_json::to_value(Config::default()).unwrap();
    let mut at = &mut cfg;
    for key in path {
        at = at.get_mut(*key).unwrap();
    }
    *at = serde_json::json!(-1e9);
    let msg = match serde_json::from_value::<Config>(cfg) {
        Ok(c) => c.validate().err()?.to_string(),
        Err(_) => {
            // an unsigned field: try a huge value instead
            let mut cfg = serde_json::to_value(Config::default()).unwrap();
            let mut at = &mut cfg;
            for key in path {
                at = at.get_mut(*key).unwrap();
            }
            *at = serde_json::json!(u32::MAX);
            serde_json::from_value::<Config>(cfg).ok()?.validate().err()?.to_string()
        }
    };
    let range = msg.split("allowed ").nth(1)?;
    Some(range.trim_start_matches("a finite number in ").to_string())
}

fn default_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("\"{s}\""),
        Value::Number(n) => {
            let f = n.as_f64().unwrap();
            if f != 0.0 && f.abs() < 1e-3 { format!("{f:e}") } else { n.to_string().trim_end_matches(".0").to_string() }
        }
        other => other.to_string(),
    }
}

#[test]
fn config_types_match_the_rust_schema() {
    let schema = serde_json::to_value(Config::default()).unwrap();
    let sections = [("LabConfig", None), ("ModelConfig", Some("model")), ("OptimizerConfig", Some("optimizer")), ("DataConfig", Some("data"))];
    let mut checked = 0;
    let mut problems = Vec::new();
    for (iface, section) in sections {
        let fields = interface(iface);
        let rust = match section {
            Some(s) => schema[s].as_object().unwrap().clone(),
            None => schema.as_object().unwrap().clone(),
        };
        let ts_names: Vec<&str> = fields.iter().map(|f| f.0.as_str()).collect();
        let rust_names: Vec<&str> = rust.keys().map(String::as_str).collect();
        let (mut a, mut b) = (ts_names.clone(), rust_names.clone());
        a.sort();
        b.sort();
        assert_eq!(a, b, "{iface}: the .d.ts fields differ from the Rust schema's");
        for (field, ty, doc) in &fields {
            let path: Vec<&str> = section.into_iter().chain([field.as_str()]).collect();
            let default = &rust[field];
            if default.is_object() {
                continue; // a section, checked as its own interface
            }
            if ty.starts_with('"') {
                let mut ts: Vec<String> = ty.split('|').map(|t| t.trim().trim_matches('"').to_string()).collect();
                let mut rs = variants(&path);
                ts.sort();
                rs.sort();
                assert_eq!(ts, rs, "{}: the union differs from serde's variants", path.join("."));
            }
            let want = format!("({})", default_text(default));
            if !doc.ends_with(&want) {
                problems.push(format!("{}: doc {doc:?} should end with the default {want}", path.join(".")));
            }
            if default.is_number() {
                if let Some(range) = validated_range(&path) {
                    if !doc.contains(&range) {
                        problems.push(format!("{}: doc {doc:?} should state the allowed range {range:?}", path.join(".")));
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(checked >= 30, "{checked}");
}
