//! Conversions to and from JS values, and the serde views of the core's results that cross to
//! JS, with their series as `Float32Array`s.

use super::args::set;
use crate::error::{path_of, LabError};
use crate::stats::{Divergence, HeadStats, StepReport};
use js_sys::{Float32Array, Object};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::prelude::*;

pub(super) fn err(e: LabError) -> JsError {
    JsError::new(&e.to_string())
}

pub(super) fn invalid(field: &str, msg: impl Into<String>) -> JsError {
    err(LabError::invalid(field, msg))
}

/// A Rust value as a JS value: structs become plain objects, `None` becomes `null`.
pub(super) fn to_js<T: Serialize + ?Sized>(v: &T) -> JsValue {
    // Our report types hold only numbers, strings, options and sequences of them: cannot fail.
    v.serialize(&serde_wasm_bindgen::Serializer::new().serialize_missing_as_null(true)).unwrap_or(JsValue::NULL)
}

/// A JS value as a `T`, with the field path in the error (`model.depth: invalid type: ...`).
pub(super) fn from_js<T: DeserializeOwned>(v: JsValue, root: &str) -> Result<T, JsError> {
    serde_path_to_error::deserialize(serde_wasm_bindgen::Deserializer::from(v)).map_err(|e| {
        let path = path_of(e.path());
        de_error(e.into_inner(), &path, root)
    })
}

/// A deserialization error at `path` (under `root` when empty) as a JS Error naming the field.
pub(super) fn de_error(e: serde_wasm_bindgen::Error, path: &str, root: &str) -> JsError {
    // serde-wasm-bindgen's error is a JS Error; its message is what serde said.
    let js: JsValue = e.into();
    let message = js.dyn_ref::<js_sys::Error>().map_or_else(|| format!("{js:?}"), |e| String::from(e.message()));
    invalid(if path.is_empty() { root } else { path }, message)
}

pub(super) fn f32_array(xs: &[f32]) -> JsValue {
    Float32Array::from(xs).into()
}

pub(super) fn f64s_as_f32(xs: &[f64]) -> JsValue {
    f32_array(&xs.iter().map(|&x| x as f32).collect::<Vec<_>>())
}

// ---------------------------------------------------------------------------------------------
// What crosses to JS: serde views of the core's results, with their series as Float32Arrays.
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
pub(super) struct ReportJs<'a> {
    pub(super) step: u64,
    pub(super) loss: f64,
    pub(super) accuracy: Option<f64>,
    pub(super) grad_norm: f64,
    pub(super) diverged: &'a Option<Divergence>,
    /// `{ act_mean: Float32Array, ... }`, one value per stream position.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) layers: JsValue,
    pub(super) head: &'a HeadStats,
}

pub(super) fn report_to_js(r: &StepReport) -> JsValue {
    let layers = Object::new();
    for (name, values) in r.layers.named() {
        set(&layers, name, f32_array(values));
    }
    to_js(&ReportJs { step: r.step, loss: r.loss, accuracy: r.accuracy, grad_norm: r.grad_norm, diverged: &r.diverged, layers: layers.into(), head: &r.head })
}

#[derive(Serialize)]
pub(super) struct DataJs {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) x: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) y: JsValue,
    pub(super) d_in: usize,
    pub(super) d_out: usize,
    pub(super) n_train: usize,
    pub(super) classification: bool,
}

#[derive(Serialize)]
pub(super) struct TheoryJs<'a> {
    pub(super) supported: bool,
    pub(super) reason: &'a str,
    pub(super) input_second_moment: f64,
    pub(super) notes: &'a [String],
    /// E[h_l^2] per layer, or null.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) second_moment: JsValue,
    pub(super) second_moment_reason: &'a str,
    /// RMS of dL/dh_l relative to the top, or null.
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) grad_rms_relative: JsValue,
    pub(super) grad_reason: &'a str,
}

#[derive(Serialize)]
pub(super) struct SpectrumJs {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) singular_values: JsValue,
    pub(super) max: f64,
    pub(super) mean_sq: f64,
    pub(super) normalized_var: f64,
}

#[derive(Serialize)]
pub(super) struct BandJs {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) mean: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) median: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) geo_mean: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) p10: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) p90: JsValue,
}

impl BandJs {
    pub(super) fn of(b: &crate::sweep::Band) -> BandJs {
        BandJs { mean: f64s_as_f32(&b.mean), median: f64s_as_f32(&b.median), geo_mean: f64s_as_f32(&b.geo_mean), p10: f64s_as_f32(&b.p10), p90: f64s_as_f32(&b.p90) }
    }
}

#[derive(Serialize)]
pub(super) struct SweepJs {
    pub(super) seeds: usize,
    pub(super) diverged: usize,
    pub(super) act_mean_sq: BandJs,
    pub(super) grad_rms: BandJs,
}

#[derive(Serialize)]
pub(super) struct PhaseJs {
    pub(super) nx: usize,
    pub(super) ny: usize,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) sw2: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) sb2: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) q_star: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) chi1: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) xi_c: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) xi_q: JsValue,
}

#[derive(Serialize)]
pub(super) struct RepresentationJs {
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) mean_cosine: JsValue,
    #[serde(with = "serde_wasm_bindgen::preserve")]
    pub(super) stable_rank: JsValue,
}

