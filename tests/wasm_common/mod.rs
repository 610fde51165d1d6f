//! Helpers shared by the wasm-bindgen tests of the JS API (tests/wasm_api.rs, tests/wasm_state.rs).
#![allow(dead_code)]

use js_sys::{Array, Float32Array, Object, Reflect, JSON};
use residual_lab::wasm::Lab;
use wasm_bindgen::prelude::*;

// ---------------------------------------------------------------------------------------
// Helpers

/// A JS value from JSON text.
/// An optional JS argument as the binding's typed `Option` (`undefined` passes through).
pub fn arg<T: JsCast>(v: JsValue) -> Option<T> {
    Some(v.unchecked_into())
}

pub fn js(json: &str) -> JsValue {
    JSON::parse(json).unwrap_or_else(|_| panic!("bad JSON in a test: {json}"))
}

pub fn num(x: f64) -> JsValue {
    JsValue::from_f64(x)
}

pub fn undef() -> JsValue {
    JsValue::UNDEFINED
}

/// `{ section: { key: value } }`, for values JSON cannot write (NaN, Infinity, undefined).
pub fn nested(section: &str, key: &str, value: JsValue) -> JsValue {
    let inner = Object::new();
    Reflect::set(&inner, &key.into(), &value).unwrap();
    let outer = Object::new();
    Reflect::set(&outer, &section.into(), &inner).unwrap();
    outer.into()
}

pub fn get(obj: &JsValue, key: &str) -> JsValue {
    Reflect::get(obj, &JsValue::from_str(key)).unwrap()
}

pub fn get_f64(obj: &JsValue, key: &str) -> f64 {
    get(obj, key).as_f64().unwrap_or_else(|| panic!("{key} is not a number"))
}

pub fn f32s(v: &JsValue) -> Vec<f32> {
    v.dyn_ref::<Float32Array>().expect("a Float32Array").to_vec()
}

pub fn arr(xs: &[f64]) -> JsValue {
    xs.iter().map(|&x| JsValue::from_f64(x)).collect::<Array>().into()
}

/// The message of an error, checking it is a JS `Error`.
pub fn message(e: JsError) -> String {
    let v: JsValue = e.into();
    let e = v.dyn_into::<js_sys::Error>().expect("errors are JS Error objects");
    let m: String = e.message().into();
    assert!(!m.is_empty(), "empty error message");
    m
}

pub fn ok<T>(r: Result<T, JsError>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("unexpected error: {}", message(e)),
    }
}

/// Asserts `r` failed with a message starting with `field` (": " follows the field).
#[track_caller]
pub fn fails<T>(r: Result<T, JsError>, field: &str) -> String {
    match r {
        Ok(_) => panic!("expected an error naming {field}, got Ok"),
        Err(e) => {
            let m = message(e);
            assert!(m.starts_with(&format!("{field}: ")), "message {m:?} should start with {field:?}");
            m
        }
    }
}

pub const SMALL: &str = r#"{"model":{"depth":4,"width":16},"batch_size":32,"data":{"n":256},"seed":7}"#;

pub fn small() -> Lab {
    ok(Lab::new(arg(js(SMALL))))
}

pub fn lab(json: &str) -> Lab {
    ok(Lab::new(arg(js(json))))
}

pub fn loss_of(report: &JsValue) -> f64 {
    get_f64(report, "loss")
}

pub fn losses(lab: &mut Lab, n: usize) -> Vec<f64> {
    (0..n).map(|_| loss_of(&lab.train_step())).collect()
}

/// A bad call must leave the lab training normally.
#[track_caller]
pub fn still_works(lab: &mut Lab) {
    let before = lab.step_count();
    let l = loss_of(&lab.train_step());
    assert!(l.is_finite(), "loss {l} after an error");
    assert_eq!(lab.step_count(), before + 1.0);
}

pub fn depth_of(lab: &Lab) -> usize {
    get_f64(&get(&lab.config(), "model"), "depth") as usize
}

/// Grid of points covering the spiral data.
pub fn some_points() -> Vec<f32> {
    (0..40).map(|i| ((i * 37) % 23) as f32 / 11.5 - 1.0).collect()
}
