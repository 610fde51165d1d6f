//! Arguments from JS: numbers, arrays and the config object, checked so that nothing a caller
//! passes can panic the module or run its code while the Lab is borrowed.

use super::views::{err, from_js, invalid};
use crate::config::{ActivationKind, Config};
use crate::error::num;
use js_sys::{Array, Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

pub(super) fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Reflect.set on a plain object we created cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// An integer argument in [lo, hi]; `undefined` or `null` gives `default` when there is one.
pub(super) fn int_arg(name: &str, v: &JsValue, lo: f64, hi: f64, default: Option<f64>) -> Result<f64, JsError> {
    if v.is_undefined() || v.is_null() {
        if let Some(d) = default {
            return Ok(d);
        }
    }
    match v.as_f64() {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x >= lo && x <= hi => Ok(x),
        _ => Err(invalid(name, format!("{} is not an integer in {} to {}", describe(v), num(lo), num(hi)))),
    }
}

pub(super) fn number_arg(name: &str, v: &JsValue) -> Result<f64, JsError> {
    v.as_f64().ok_or_else(|| invalid(name, format!("{} is not a number", describe(v))))
}

/// A short description of a JS value for messages: `"abc"`, `1e300`, `an array`, ...
pub(super) fn describe(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        return format!("{short:?}");
    }
    if let Some(x) = v.as_f64() {
        return num(x);
    }
    let what = match v.js_typeof().as_string().as_deref() {
        Some("undefined") => "undefined",
        Some("bigint") => "a BigInt",
        Some("symbol") => "a symbol",
        Some("function") => "a function",
        Some("boolean") => return format!("{}", v.as_bool() == Some(true)),
        _ if v.is_null() => "null",
        _ if Array::is_array(v) => "an array",
        _ => "an object",
    };
    what.into()
}

/// Longest array accepted from JS (64 Mi values), checked before anything is read.
pub(super) const MAX_ARRAY_LEN: f64 = 67_108_864.0;

/// Reads `obj[key]`, turning a throwing getter or proxy trap into an error (an uncaught JS
/// exception would unwind through the wasm frames and leave the Lab borrowed for good).
pub(super) fn get(obj: &JsValue, key: &JsValue, field: &str) -> Result<JsValue, JsError> {
    Reflect::get(obj, key).map_err(|_| invalid(field, "could not be read (a getter or proxy threw)"))
}

/// A Float32Array, a Float64Array or an array of numbers, as f32 values.
pub(super) fn f32_vec(name: &str, v: &JsValue) -> Result<Vec<f32>, JsError> {
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec().into_iter().map(|x| x as f32).collect());
    }
    if Array::is_array(v) {
        let len = get(v, &JsValue::from_str("length"), name)?.as_f64().unwrap_or(-1.0);
        if !(0.0..=MAX_ARRAY_LEN).contains(&len) {
            return Err(invalid(name, format!("array length {} is out of range; allowed 0 to {}", num(len), num(MAX_ARRAY_LEN))));
        }
        let mut out = Vec::with_capacity(len as usize);
        for i in 0..len as u32 {
            let x = get(v, &JsValue::from(i), name)?;
            match x.as_f64() {
                Some(f) => out.push(f as f32),
                None => return Err(invalid(name, format!("element {i} is {}, not a number", describe(&x)))),
            }
        }
        return Ok(out);
    }
    Err(invalid(name, format!("{} is not a Float32Array or an array of numbers", describe(v))))
}

/// A plain object (`{...}`, no class instance such as Map, Date or an array).
pub(super) fn is_plain_object(v: &JsValue) -> bool {
    if !v.is_object() || Array::is_array(v) || v.is_function() {
        return false;
    }
    let proto = Object::get_prototype_of(v);
    proto.is_null() || Object::get_prototype_of(&proto).is_null()
}

/// Own keys of an object, read without running user code that could throw; a symbol key is
/// reported as its description.
pub(super) fn own_keys(v: &JsValue, field: &str) -> Result<Vec<String>, JsError> {
    let keys = Reflect::own_keys(v).map_err(|_| invalid(field, "could not list its keys (a proxy threw)"))?;
    Ok(keys.iter().map(|k| k.as_string().unwrap_or_else(|| format!("{:?}", k))).collect())
}

/// Parses a JS config object, then validates it. serde-wasm-bindgen looks up only the fields
/// a struct declares (unknown keys would be ignored, `deny_unknown_fields` notwithstanding),
/// reads values through getters that may throw, and takes an explicit `undefined` as a value.
/// So the object is first copied against the schema (the default config's serde tree): every
/// section a plain object, no unknown key, each value read once through a call that catches,
/// `undefined` dropped (it means "default", as a missing key does), only primitives as leaves.
pub(super) fn config_from_js(v: &JsValue) -> Result<Config, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Config::default());
    }
    let schema = serde_json::to_value(Config::default()).map_err(|e| JsError::new(&e.to_string()))?;
    let copy = copy_against_schema(v, &schema, "")?;
    let config: Config = from_js(copy, "config")?;
    config.validate().map_err(err)?;
    Ok(config)
}

pub(super) fn copy_against_schema(v: &JsValue, schema: &serde_json::Value, path: &str) -> Result<JsValue, JsError> {
    let Some(fields) = schema.as_object() else {
        let primitive = v.as_f64().is_some() || v.is_string() || v.as_bool().is_some() || v.is_bigint() || v.is_null();
        if !primitive {
            let expected = match schema {
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Bool(_) => "a boolean",
                _ => "a number",
            };
            return Err(invalid(path, format!("invalid type: {}, expected {expected}", describe(v))));
        }
        return Ok(v.clone());
    };
    let here = if path.is_empty() { "config" } else { path };
    if !is_plain_object(v) {
        return Err(invalid(here, format!("{} is not a plain object", describe(v))));
    }
    let copy = Object::new();
    for key in own_keys(v, here)? {
        let sub_path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
        let Some(sub_schema) = fields.get(&key) else {
            let expected: Vec<String> = fields.keys().map(|f| format!("`{f}`")).collect();
            return Err(invalid(&sub_path, format!("unknown field `{key}`, expected one of {}", expected.join(", "))));
        };
        let value = get(v, &JsValue::from_str(&key), &sub_path)?;
        if !value.is_undefined() {
            set(&copy, &key, copy_against_schema(&value, sub_schema, &sub_path)?);
        }
    }
    Ok(copy.into())
}

#[wasm_bindgen]
extern "C" {
    /// A config object (validated by the Lab, not by the binding).
    #[wasm_bindgen(typescript_type = "LabConfig")]
    pub type ConfigArg;
    /// A number (validated by the Lab).
    #[wasm_bindgen(typescript_type = "number")]
    pub type NumberArg;
}

pub(super) fn opt(v: Option<impl Into<JsValue>>) -> JsValue {
    v.map(Into::into).unwrap_or(JsValue::UNDEFINED)
}

pub(super) fn activation_arg(v: &JsValue) -> Result<ActivationKind, JsError> {
    if !v.is_string() {
        return Err(invalid("activation", format!("{} is not a string", describe(v))));
    }
    from_js(v.clone(), "activation")
}
