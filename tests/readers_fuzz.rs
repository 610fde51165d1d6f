//! Property tests of the readers that take text from outside: the config (JSON) and saved
//! state. Random JSON values, random edits of valid configs and random damage to a saved state
//! go through them: none may panic, and every rejection names where it is (a config field
//! path, or `state: <path>`). Over 100,000 inputs per `cargo test` run.

use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngSeed, TestRunner};
use residual_lab::config::Config;
use residual_lab::Trainer;
use serde_json::{json, Map, Value};

/// Any JSON value, a few levels deep, with the keys and strings of the config schema among
/// random ones so that edits often land on real fields.
fn any_json() -> impl Strategy<Value = Value> {
    let words = prop_oneof![
        Just("model".to_string()),
        Just("depth".to_string()),
        Just("optimizer".to_string()),
        Just("lr".to_string()),
        Just("data".to_string()),
        Just("seed".to_string()),
        Just("relu".to_string()),
        Just("he_normal".to_string()),
        "[a-z_]{0,8}",
        ".{0,4}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        (0u32..20_000).prop_map(|u| json!(u)),
        words.clone().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((words.clone(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// The field a message names: the text before the first ": ".
fn named_field(msg: &str) -> &str {
    msg.split(": ").next().unwrap_or("")
}

/// A rejection of a config names "config" (the whole value), a field of the schema, or a key
/// that is in the input (an unknown field is named by its own path).
fn names_a_field(msg: &str, input: &Value) -> bool {
    let field = named_field(msg);
    if field == "config" || field.starts_with("config[") {
        return true;
    }
    let schema = serde_json::to_value(Config::default()).unwrap();
    // `data[0]`: an element of the field `data` (serde also reads a struct from a sequence)
    let path: Vec<&str> = field.split('.').map(|s| s.split('[').next().unwrap_or(s)).filter(|s| !s.is_empty()).collect();
    let lookup = |root: &Value| path.iter().try_fold(root, |v, k| v.get(*k)).is_some();
    // an unknown key is named by its own path, which ends with the key (it may hold any
    // character, ": " too, so the message is matched against the input's keys)
    let unknown_key = keys_of(input).iter().any(|k| msg.contains(&format!("{k}: unknown field `{k}`")));
    unknown_key || (!path.is_empty() && (lookup(&schema) || lookup(input)))
}

/// Every object key anywhere in `v`.
fn keys_of(v: &Value) -> Vec<&str> {
    match v {
        Value::Object(m) => m.iter().flat_map(|(k, sub)| std::iter::once(k.as_str()).chain(keys_of(sub))).collect(),
        Value::Array(a) => a.iter().flat_map(keys_of).collect(),
        _ => Vec::new(),
    }
}

/// A fixed seed, so that every CI run checks the same inputs; `PROPTEST_RNG_SEED=n` explores others.
fn runner(cases: u32) -> TestRunner {
    let rng_seed = match std::env::var("PROPTEST_RNG_SEED") {
        Ok(_) => RunnerConfig::default().rng_seed,
        Err(_) => RngSeed::Fixed(0x5eed_1ab),
    };
    TestRunner::new(RunnerConfig { cases, failure_persistence: None, rng_seed, ..RunnerConfig::default() })
}

/// 50,000 random JSON values as configs.
#[test]
fn random_json_is_read_or_rejected_with_its_field() {
    runner(50_000)
        .run(&any_json(), |v| {
            let text = v.to_string();
            if let Err(e) = Config::from_json(&text) {
                let msg = e.to_string();
                prop_assert!(names_a_field(&msg, &v), "{text} -> {msg}");
            }
            Ok(())
        })
        .unwrap();
}

/// Every path of the default config's JSON tree: `["model", "depth"]`, ...
fn leaf_paths(v: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Object(m) => {
            for (k, sub) in m {
                prefix.push(k.clone());
                leaf_paths(sub, prefix, out);
                prefix.pop();
            }
        }
        _ => out.push(prefix.clone()),
    }
}

/// 40,000 valid configs with one to three fields replaced by random values: each is read and
/// validated, or rejected naming a field of the schema.
#[test]
fn edited_configs_are_read_or_rejected_with_a_schema_field() {
    let schema = serde_json::to_value(Config::default()).unwrap();
    let mut paths = Vec::new();
    leaf_paths(&schema, &mut Vec::new(), &mut paths);
    let edits = prop::collection::vec((0..paths.len(), any_json()), 1..4);
    runner(40_000)
        .run(&edits, |edits| {
            let mut cfg = schema.clone();
            for (k, value) in &edits {
                let path = &paths[*k];
                let mut at = &mut cfg;
                for key in &path[..path.len() - 1] {
                    at = at.get_mut(key).unwrap();
                }
                at[path.last().unwrap()] = value.clone();
            }
            let text = cfg.to_string();
            match Config::from_json(&text) {
                Ok(c) => prop_assert!(c.validate().is_ok()),
                Err(e) => {
                    let msg = e.to_string();
                    prop_assert!(names_a_field(&msg, &cfg), "{text} -> {msg}");
                }
            }
            Ok(())
        })
        .unwrap();
}

/// 12,000 damaged saved states (a value replaced anywhere, or the text cut or spliced): each is
/// restored or rejected with `state: <where>` or a config field; a restored one trains on.
#[test]
fn damaged_states_are_restored_or_rejected() {
    let mut cfg = Config::default();
    cfg.model.depth = 2;
    cfg.model.width = 4;
    cfg.model.norm = residual_lab::config::NormKind::Batch;
    cfg.data.n = 16;
    cfg.batch_size = 4;
    let mut t = Trainer::new(cfg).unwrap();
    t.train(3);
    let text = t.to_json().unwrap();
    let state: Value = serde_json::from_str(&text).unwrap();
    let mut paths = Vec::new();
    leaf_paths(&state, &mut Vec::new(), &mut paths);
    let damage = prop_oneof![
        (0..paths.len(), any_json()).prop_map(|(k, v)| (0, k, v, 0usize)),
        (0..text.len()).prop_map(|cut| (1, 0, Value::Null, cut)),
        (0..text.len(), any_json()).prop_map(|(at, v)| (2, 0, v, at)),
    ];
    runner(12_000)
        .run(&damage, |(how, k, value, at)| {
            let damaged = match how {
                0 => {
                    let mut s = state.clone();
                    let path = &paths[k];
                    let mut node = &mut s;
                    for key in &path[..path.len() - 1] {
                        node = node.get_mut(key).unwrap();
                    }
                    node[path.last().unwrap()] = value;
                    s.to_string()
                }
                1 => text[..at].to_string(),
                _ => format!("{}{}{}", &text[..at], value, &text[at..]),
            };
            match Trainer::from_json(&damaged) {
                Ok(mut restored) => {
                    restored.step();
                }
                Err(e) => {
                    let msg = e.to_string();
                    let field = named_field(&msg);
                    prop_assert!(field == "state" || names_a_field(&msg, &json!({})), "{msg}");
                }
            }
            Ok(())
        })
        .unwrap();
}

/// Text after the saved state, or a second value, is an error (serde_json reads to the end).
#[test]
fn trailing_text_after_a_state_is_an_error() {
    let t = Trainer::new(Config::default()).unwrap();
    let text = t.to_json().unwrap();
    for tail in [" junk", "{}", " 1", ",", "\u{0}"] {
        let e = Trainer::from_json(&format!("{text}{tail}")).err().expect(tail);
        assert!(e.to_string().starts_with("state: "), "{e}");
    }
    assert!(Trainer::from_json(&format!("  {text}\n\t ")).is_ok(), "whitespace around the value is fine");
}

/// Every f32 bit pattern a state can hold (finite) comes back with the same bits through
/// serde_json's shortest digits and its float_roundtrip reader.
#[test]
fn f32_params_round_trip_bit_for_bit() {
    runner(20_000)
        .run(&prop::collection::vec(any::<u32>(), 1..64), |bits| {
            let xs: Vec<f32> = bits.iter().map(|&b| f32::from_bits(b)).filter(|x| x.is_finite()).collect();
            let back: Vec<f32> = serde_json::from_str(&serde_json::to_string(&xs).unwrap()).unwrap();
            prop_assert_eq!(xs.iter().map(|x| x.to_bits()).collect::<Vec<_>>(), back.iter().map(|x| x.to_bits()).collect::<Vec<_>>());
            Ok(())
        })
        .unwrap();
}

/// A key that holds the separator ": " is named whole (found by the fuzzer).
#[test]
fn an_unknown_key_with_a_colon_is_named() {
    let input = json!({ ": ": null });
    let msg = Config::from_json(&input.to_string()).unwrap_err().to_string();
    assert!(msg.starts_with(": : unknown field `: `"), "{msg}");
    assert!(names_a_field(&msg, &input), "{msg}");
}
