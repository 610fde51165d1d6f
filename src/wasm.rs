//! The JavaScript API: the only file that uses wasm-bindgen. It converts JS values to core
//! types and back, and turns every core error into a JS `Error` whose message names the
//! field. Every argument is validated here or in the core, so nothing a caller passes can
//! panic the module (a panic would abort the instance as `RuntimeError: unreachable`).

use crate::config::Config;
use crate::error::LabError;
use crate::float_text::{Disp, Exp};
use crate::json::J;
use crate::stats::StepReport;
use crate::trainer::{Evaluation, SplitMetrics, Trainer};
use js_sys::{Array, Float32Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("lab-types.d.ts");

fn err(e: LabError) -> JsError {
    JsError::new(&e.to_string())
}
fn invalid(field: &str, msg: impl Into<String>) -> JsError {
    err(LabError::invalid(field, msg))
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    // Reflect.set on a plain object we created cannot fail.
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

fn f32_array(xs: &[f32]) -> Float32Array {
    Float32Array::from(xs)
}

fn opt_number(x: Option<f64>) -> JsValue {
    match x {
        Some(v) if v.is_finite() => JsValue::from_f64(v),
        _ => JsValue::NULL,
    }
}

fn report_to_js(r: &StepReport) -> JsValue {
    let o = Object::new();
    set(&o, "step", r.step as f64);
    set(&o, "loss", r.loss);
    set(&o, "accuracy", opt_number(r.accuracy));
    set(&o, "grad_norm", r.grad_norm);
    match &r.diverged {
        None => set(&o, "diverged", JsValue::NULL),
        Some(d) => {
            let dv = Object::new();
            set(&dv, "step", d.step as f64);
            set(&dv, "layer", d.layer as f64);
            set(&dv, "what", d.what.as_str());
            set(&o, "diverged", dv);
        }
    }
    let layers = Object::new();
    for (name, values) in r.layers.named() {
        set(&layers, name, f32_array(values));
    }
    set(&o, "layers", layers);
    let head = Object::new();
    set(&head, "weight_grad_norm", r.head.weight_grad_norm);
    set(&head, "weight_norm", r.head.weight_norm);
    set(&head, "update_ratio", r.head.update_ratio);
    set(&o, "head", head);
    o.into()
}

/// `{ name: Float32Array }` from the trainer's (name, shape, values) list.
fn named_arrays(list: Vec<(String, Vec<usize>, &[f32])>) -> JsValue {
    let o = Object::new();
    for (name, _, vals) in list {
        set(&o, &name, f32_array(vals));
    }
    o.into()
}

fn split_to_js(m: &SplitMetrics) -> JsValue {
    let o = Object::new();
    set(&o, "loss", m.loss);
    set(&o, "accuracy", opt_number(m.accuracy));
    set(&o, "n", m.n as f64);
    o.into()
}

fn evaluation_to_js(e: &Evaluation) -> JsValue {
    let o = Object::new();
    set(&o, "train", split_to_js(&e.train));
    set(&o, "test", split_to_js(&e.test));
    o.into()
}

/// An integer argument in [lo, hi]; `undefined` gives `default` when there is one.
fn int_arg(name: &str, v: &JsValue, lo: f64, hi: f64, default: Option<f64>) -> Result<f64, JsError> {
    if v.is_undefined() || v.is_null() {
        if let Some(d) = default {
            return Ok(d);
        }
    }
    match v.as_f64() {
        Some(x) if x.is_finite() && x.fract() == 0.0 && x >= lo && x <= hi => Ok(x),
        _ => Err(invalid(name, format!("{} is not an integer in {} to {}", describe(v), Disp(lo), Disp(hi)))),
    }
}

fn number_arg(name: &str, v: &JsValue) -> Result<f64, JsError> {
    v.as_f64().ok_or_else(|| invalid(name, format!("{} is not a number", describe(v))))
}

fn describe(v: &JsValue) -> String {
    if let Some(s) = v.as_string() {
        let short: String = s.chars().take(40).collect();
        return format!("{short:?}");
    }
    if let Some(x) = v.as_f64() {
        // 1e300, not 301 digits
        return if x != 0.0 && (x.abs() >= 1e16 || x.abs() < 1e-6) { Exp(x).to_string() } else { Disp(x).to_string() };
    }
    if v.is_undefined() {
        return "undefined".into();
    }
    if v.is_null() {
        return "null".into();
    }
    if Array::is_array(v) {
        return "an array".into();
    }
    if v.is_bigint() {
        return "a BigInt".into();
    }
    if v.is_symbol() {
        return "a symbol".into();
    }
    if v.is_function() {
        return "a function".into();
    }
    "an object".into()
}

/// Longest array accepted from JS (64 Mi values), checked before anything is read.
const MAX_ARRAY_LEN: f64 = 67_108_864.0;

/// Reads `obj[key]`, turning a throwing getter or proxy trap into an error (an uncaught JS
/// exception would unwind through the wasm frames and leave the Lab borrowed for good).
fn get(obj: &JsValue, key: &JsValue, field: &str) -> Result<JsValue, JsError> {
    Reflect::get(obj, key).map_err(|_| invalid(field, "could not be read (a getter or proxy threw)"))
}

/// A Float32Array, a Float64Array or an array of numbers, as f32 values.
fn f32_vec(name: &str, v: &JsValue) -> Result<Vec<f32>, JsError> {
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(a.to_vec());
    }
    if let Some(a) = v.dyn_ref::<js_sys::Float64Array>() {
        return Ok(a.to_vec().into_iter().map(|x| x as f32).collect());
    }
    if Array::is_array(v) {
        let len = get(v, &JsValue::from_str("length"), name)?.as_f64().unwrap_or(-1.0);
        if !(0.0..=MAX_ARRAY_LEN).contains(&len) {
            return Err(invalid(name, format!("array length {} is out of range; allowed 0 to {}", Disp(len), Disp(MAX_ARRAY_LEN))));
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
fn is_plain_object(v: &JsValue) -> bool {
    if !v.is_object() || Array::is_array(v) || v.is_function() {
        return false;
    }
    let proto = Object::get_prototype_of(v);
    proto.is_null() || Object::get_prototype_of(&proto).is_null()
}

/// Own string keys of a plain object, read without running user code that could throw.
fn own_keys(v: &JsValue, field: &str) -> Result<Vec<String>, JsError> {
    let keys = Reflect::own_keys(v).map_err(|_| invalid(field, "could not list its keys (a proxy threw)"))?;
    Ok(keys.iter().filter_map(|k| k.as_string()).collect())
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

fn opt(v: Option<impl Into<JsValue>>) -> JsValue {
    v.map(Into::into).unwrap_or(JsValue::UNDEFINED)
}

/// A network being trained: owns the model, the optimizer, the data and the seeded RNG.
#[wasm_bindgen]
pub struct Lab {
    inner: Trainer,
}

#[wasm_bindgen]
impl Lab {
    /// Builds a lab from a config object in the core's schema (every field optional; see
    /// `LabConfig`). Throws an `Error` naming the field, the value and the allowed range.
    #[wasm_bindgen(constructor)]
    pub fn new(config: Option<ConfigArg>) -> Result<Lab, JsError> {
        let config = config_from_js(&opt(config))?;
        Ok(Lab { inner: Trainer::new(config).map_err(err)? })
    }

    /// One training step (forward, backward, update) on the next mini-batch.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn train_step(&mut self) -> JsValue {
        report_to_js(self.inner.step())
    }

    /// `n` training steps (1 to 100000); returns the last report. Stops early on divergence.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn train(&mut self, n: Option<NumberArg>) -> Result<JsValue, JsError> {
        let n = int_arg("n", &opt(n), 1.0, 100_000.0, Some(1.0))? as usize;
        Ok(report_to_js(self.inner.train(n)))
    }

    /// The same report measured on a fixed batch (the first batch_size training points),
    /// without updating anything.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn probe(&mut self) -> JsValue {
        report_to_js(self.inner.probe())
    }

    /// Mean loss and accuracy on the train and test splits (BatchNorm uses running statistics).
    #[wasm_bindgen(unchecked_return_type = "{ train: SplitMetrics, test: SplitMetrics }")]
    pub fn evaluate(&mut self) -> JsValue {
        evaluation_to_js(&self.inner.evaluate())
    }

    /// Outputs for points `x` (n * d_in values, row-major): class probabilities
    /// (n * classes) or regression outputs (n * d_out), row-major.
    pub fn predict(&mut self, #[wasm_bindgen(unchecked_param_type = "Float32Array | number[]")] x: JsValue) -> Result<Float32Array, JsError> {
        let x = f32_vec("x", &x)?;
        Ok(f32_array(&self.inner.predict(&x).map_err(err)?))
    }

    /// Class probabilities on a res x res grid over bounds [xmin, xmax, ymin, ymax]; the
    /// value for grid point (i along x, j along y from ymin) and class k is at
    /// `(j * res + i) * classes + k`. Needs 2-D inputs.
    pub fn predict_grid(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] res: JsValue, #[wasm_bindgen(unchecked_param_type = "number[]")] bounds: JsValue) -> Result<Float32Array, JsError> {
        let res = int_arg("res", &res, 2.0, 512.0, None)? as usize;
        let b = f32_vec("bounds", &bounds)?;
        if b.len() != 4 {
            return Err(invalid("bounds", format!("has {} values; expected [xmin, xmax, ymin, ymax]", b.len())));
        }
        let bounds = [b[0] as f64, b[1] as f64, b[2] as f64, b[3] as f64];
        Ok(f32_array(&self.inner.predict_grid(res, bounds).map_err(err)?))
    }

    /// Replaces the data: `x` (n * d_in, row-major), `y` (n class indices, or n * d_out
    /// targets when the config's loss is "mse"). Rebuilds the network for the new sizes.
    pub fn set_data(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array | number[]")] x: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Float32Array | number[]")] y: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] d_in: JsValue,
    ) -> Result<(), JsError> {
        let d_in = int_arg("d_in", &d_in, 1.0, crate::config::MAX_INPUT_DIM as f64, None)? as usize;
        let x = f32_vec("x", &x)?;
        let y = f32_vec("y", &y)?;
        self.inner.set_data(x, y, d_in).map_err(err)
    }

    /// The data: `{ x, y, d_in, d_out, n_train, classification }`; the first n_train rows
    /// are the training split.
    #[wasm_bindgen(unchecked_return_type = "LabData")]
    pub fn data(&self) -> JsValue {
        let d = &self.inner.data;
        let o = Object::new();
        set(&o, "x", f32_array(&d.x));
        set(&o, "y", f32_array(&d.y));
        set(&o, "d_in", d.d_in as f64);
        set(&o, "d_out", d.d_out as f64);
        set(&o, "n_train", d.n_train as f64);
        set(&o, "classification", d.classification);
        o.into()
    }

    /// Every parameter by name (`stem.weight`, `blocks.0.fc1.weight`, ...), as Float32Arrays.
    /// Linear weights are `[out][in]` row-major, PyTorch's `nn.Linear.weight`.
    #[wasm_bindgen(unchecked_return_type = "Record<string, Float32Array>")]
    pub fn get_weights(&self) -> JsValue {
        named_arrays(self.inner.weights())
    }

    /// The gradients of the last step or probe, same names and layout as `get_weights`.
    #[wasm_bindgen(unchecked_return_type = "Record<string, Float32Array>")]
    pub fn gradients(&self) -> JsValue {
        named_arrays(self.inner.gradients())
    }

    /// Name, shape and layer of every parameter tensor, in storage order.
    #[wasm_bindgen(unchecked_return_type = "{ name: string, shape: number[], layer: number }[]")]
    pub fn param_info(&self) -> JsValue {
        let arr = Array::new();
        for info in &self.inner.net.infos {
            let o = Object::new();
            set(&o, "name", info.name.as_str());
            let shape = Array::new();
            for &s in &info.shape {
                shape.push(&JsValue::from_f64(s as f64));
            }
            set(&o, "shape", shape);
            set(&o, "layer", info.layer as f64);
            arr.push(&o);
        }
        arr.into()
    }

    /// Sets every parameter from an object like `get_weights()` returns. All names must be
    /// present exactly once with the right lengths; nothing changes otherwise.
    pub fn set_weights(&mut self, #[wasm_bindgen(unchecked_param_type = "Record<string, Float32Array | number[]>")] weights: JsValue) -> Result<(), JsError> {
        if !is_plain_object(&weights) {
            return Err(invalid("weights", format!("{} is not a plain object of named arrays", describe(&weights))));
        }
        let mut named = Vec::new();
        for name in own_keys(&weights, "weights")? {
            let vals = f32_vec(&name, &get(&weights, &JsValue::from_str(&name), &name)?)?;
            named.push((name, vals));
        }
        self.inner.set_weights(&named).map_err(err)
    }

    /// The full config, defaults filled in.
    #[wasm_bindgen(unchecked_return_type = "LabConfig")]
    pub fn config(&self) -> Result<JsValue, JsError> {
        // Through JSON: the module already writes the config as JSON (saved state).
        let mut w = crate::json::W::default();
        self.inner.config.write_json(&mut w);
        js_sys::JSON::parse(&w.0).map_err(|_| JsError::new("config: JSON.parse failed"))
    }

    /// Changes the learning rate without resetting anything.
    pub fn set_lr(&mut self, #[wasm_bindgen(unchecked_param_type = "number")] lr: JsValue) -> Result<(), JsError> {
        let lr = number_arg("optimizer.lr", &lr)?;
        self.inner.set_lr(lr).map_err(err)
    }

    /// Steps done so far.
    pub fn step_count(&self) -> f64 {
        self.inner.step_count() as f64
    }

    /// The whole trainer state (config, weights, optimizer state, step, RNG) as JSON;
    /// `Lab.from_json` restores it and training continues bit for bit.
    pub fn to_json(&self) -> Result<String, JsError> {
        self.inner.to_json().map_err(err)
    }

    /// The mean-field prediction for this net at init (infinite width; Poole et al. 2016,
    /// Schoenholz et al. 2017, Yang & Schoenholz 2017): the second moment of h_l and the RMS
    /// of dL/dh_l relative to its value at the top (l = depth), both depth+1 long, for this
    /// data's input second moment. A curve the theory cannot give is `null`, with its reason.
    #[wasm_bindgen(unchecked_return_type = "TheoryProfileJs")]
    pub fn theory(&self) -> JsValue {
        let d = &self.inner.data;
        let n = d.n_train.max(1) * d.d_in;
        let q_x = d.x[..n].iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / n as f64;
        let p = crate::theory::predict_profile_for_input(&self.inner.config, d.d_in, q_x);
        let o = Object::new();
        set(&o, "supported", p.supported);
        set(&o, "reason", p.reason.as_str());
        set(&o, "input_second_moment", q_x);
        let notes = Array::new();
        for note in &p.notes {
            notes.push(&JsValue::from_str(note));
        }
        set(&o, "notes", notes);
        let curve = |c: &crate::theory::Curve, sqrt: bool| -> JsValue {
            if !c.supported {
                return JsValue::NULL;
            }
            let v: Vec<f32> = c.values.iter().map(|&x| (if sqrt { x.sqrt() } else { x }) as f32).collect();
            f32_array(&v).into()
        };
        set(&o, "second_moment", curve(&p.second_moment, false));
        set(&o, "second_moment_reason", p.second_moment.reason.as_str());
        set(&o, "grad_rms_relative", curve(&p.grad_mean_square, true));
        set(&o, "grad_reason", p.grad_mean_square.reason.as_str());
        o.into()
    }

    /// Singular values of the stream's input-output Jacobian dh_L/dh_0 (W x W) at the first
    /// training point (BatchNorm held at the probe batch's mean and variance), largest first,
    /// with `max`, `mean_sq` (mean squared singular value) and `normalized_var`
    /// (Var(s^2)/mean(s^2)^2; dynamical isometry, Pennington et al. 2017, is 0 with mean_sq 1).
    #[wasm_bindgen(unchecked_return_type = "{ singular_values: Float32Array, max: number, mean_sq: number, normalized_var: number }")]
    pub fn jacobian_spectrum(&mut self) -> JsValue {
        let s = self.inner.jacobian_spectrum();
        let o = Object::new();
        let sv: Vec<f32> = s.singular_values.iter().map(|&v| v as f32).collect();
        set(&o, "singular_values", f32_array(&sv));
        set(&o, "max", s.max);
        set(&o, "mean_sq", s.mean_sq);
        set(&o, "normalized_var", s.normalized_var);
        o.into()
    }

    /// Depth sweep at init: this config probed for `seeds` seeds (config.seed, +1, ...; 1 to
    /// 64): per layer, the mean (what mean-field theory predicts: the arithmetic mean of the
    /// second moment, the root mean square of the gradient RMS), the median, the geometric
    /// mean and the 10% / 90% quantiles of the second moment of h_l (`act_mean_sq`) and of the
    /// RMS of dL/dh_l (`grad_rms`). Does not touch this lab.
    #[wasm_bindgen(unchecked_return_type = "DepthSweepJs")]
    pub fn depth_sweep(&self, seeds: Option<NumberArg>) -> Result<JsValue, JsError> {
        let seeds = int_arg("seeds", &opt(seeds), 1.0, 64.0, Some(32.0))? as usize;
        if self.inner.config.data.name == crate::config::DatasetName::Custom {
            return Err(invalid("depth_sweep", "needs a built-in dataset (fresh nets regenerate their data from each seed)"));
        }
        let s = crate::sweep::depth_sweep(&self.inner.config, seeds).map_err(err)?;
        let band = |b: &crate::sweep::Band| -> JsValue {
            let o = Object::new();
            let f = |v: &[f64]| f32_array(&v.iter().map(|&x| x as f32).collect::<Vec<_>>());
            set(&o, "mean", f(&b.mean));
            set(&o, "median", f(&b.median));
            set(&o, "geo_mean", f(&b.geo_mean));
            set(&o, "p10", f(&b.p10));
            set(&o, "p90", f(&b.p90));
            o.into()
        };
        let o = Object::new();
        set(&o, "seeds", s.seeds as f64);
        set(&o, "diverged", s.diverged as f64);
        set(&o, "act_mean_sq", band(&s.act_mean_sq));
        set(&o, "grad_rms", band(&s.grad_rms));
        Ok(o.into())
    }

    /// Order-to-chaos phase diagram of a plain net (Poole et al. 2016; Schoenholz et al.
    /// 2017) over s_w^2 in [sw2_min, sw2_max] (nx points) and s_b^2 in [sb2_min, sb2_max]
    /// (ny points): chi_1 at the fixed point q*, the correlation depth scale
    /// xi_c = -1/ln(chi_c) (Infinity at criticality) and the length depth scale xi_q
    /// (Schoenholz et al. 2017, sec. 3), row-major `iy * nx + ix`.
    #[wasm_bindgen(unchecked_return_type = "PhaseDiagramJs")]
    pub fn phase_diagram(
        #[wasm_bindgen(unchecked_param_type = "string")] activation: JsValue,
        #[wasm_bindgen(unchecked_param_type = "[number, number]")] sw2_range: JsValue,
        #[wasm_bindgen(unchecked_param_type = "[number, number]")] sb2_range: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] nx: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] ny: JsValue,
    ) -> Result<JsValue, JsError> {
        let phi = crate::theory::Phi::new(activation_arg(&activation)?);
        let range = |name: &str, v: &JsValue| -> Result<(f64, f64), JsError> {
            let r = f32_vec(name, v)?;
            if r.len() != 2 {
                return Err(invalid(name, format!("has {} values; expected [min, max]", r.len())));
            }
            Ok((r[0] as f64, r[1] as f64))
        };
        let max = crate::theory::MAX_PHASE_GRID as f64;
        let nx = int_arg("nx", &nx, 2.0, max, None)? as usize;
        let ny = int_arg("ny", &ny, 2.0, max, None)? as usize;
        let pd = crate::theory::phase_diagram(phi, range("sw2_range", &sw2_range)?, range("sb2_range", &sb2_range)?, nx, ny).map_err(err)?;
        let f = |v: &[f64]| f32_array(&v.iter().map(|&x| x as f32).collect::<Vec<_>>());
        let o = Object::new();
        set(&o, "nx", nx as f64);
        set(&o, "ny", ny as f64);
        set(&o, "sw2", f(&pd.sw2));
        set(&o, "sb2", f(&pd.sb2));
        set(&o, "q_star", f(&pd.q_star));
        set(&o, "chi1", f(&pd.chi1));
        set(&o, "xi_c", f(&pd.xi_c));
        set(&o, "xi_q", f(&pd.xi_q));
        Ok(o.into())
    }

    /// The s_w^2 where chi_1 = 1 (the edge of chaos) for this activation and s_b^2, or null.
    pub fn critical_sw2(#[wasm_bindgen(unchecked_param_type = "string")] activation: JsValue, #[wasm_bindgen(unchecked_param_type = "number")] sb2: JsValue) -> Result<Option<f64>, JsError> {
        let phi = crate::theory::Phi::new(activation_arg(&activation)?);
        let sb2 = number_arg("sb2", &sb2)?;
        if !(sb2.is_finite() && (0.0..=100.0).contains(&sb2)) {
            return Err(invalid("sb2", format!("{} is out of range; allowed 0 to 100", Disp(sb2))));
        }
        Ok(crate::theory::critical_sw2(phi, sb2))
    }

    /// Restores a lab saved with `to_json`.
    pub fn from_json(#[wasm_bindgen(unchecked_param_type = "string")] json: JsValue) -> Result<Lab, JsError> {
        let s = json.as_string().ok_or_else(|| invalid("json", format!("{} is not a string", describe(&json))))?;
        Ok(Lab { inner: Trainer::from_json(&s).map_err(err)? })
    }

    /// Starts over from the config, optionally with a new seed (integer 0 to 4294967295).
    pub fn reset(&mut self, seed: Option<NumberArg>) -> Result<(), JsError> {
        let seed = opt(seed);
        let seed = if seed.is_undefined() || seed.is_null() { None } else { Some(int_arg("seed", &seed, 0.0, u32::MAX as f64, None)? as u32) };
        self.inner.reset(seed).map_err(err)
    }
}

fn activation_arg(v: &JsValue) -> Result<crate::config::ActivationKind, JsError> {
    let name = v.as_string().ok_or_else(|| invalid("activation", format!("{} is not a string", describe(v))))?;
    use crate::config::ActivationKind as A;
    A::NAMES
        .iter()
        .position(|n| *n == name)
        .map(|k| A::ALL[k])
        .ok_or_else(|| invalid("activation", format!("{name:?} is not one of relu, leaky_relu, tanh, linear, gelu, sigmoid")))
}

/// Parses a JS config object with the field path in every error, then validates it.
///
/// The object is written out as JSON (by `sanitize`, which walks the default config's JSON
/// tree, `Config::template`) and read by the same reader as `Config::from_json` and saved
/// state: one reader of the config types in the module.
fn config_from_js(v: &JsValue) -> Result<Config, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Config::default());
    }
    let schema = Config::template();
    let mut json = crate::json::W::default();
    let mut nonfinite = Vec::new();
    sanitize(v, &schema, "", &mut json, &mut nonfinite)?;
    let config = Config::deserialize_json(&json.0).map_err(|e| match e {
        // The JSON is ours: a position in it means nothing to the caller.
        LabError::Invalid { field, message } => invalid(&field, strip_position(&message)),
        other => err(other),
    })?;
    match config.validate() {
        // A non-finite number went in as NON_FINITE, which every float field's range check
        // rejects: name the caller's value in the message.
        Err(LabError::Invalid { field, message }) => match nonfinite.iter().find(|(p, _)| *p == field) {
            Some((_, x)) => Err(invalid(&field, message.replacen(&Disp(NON_FINITE).to_string(), &Disp(*x).to_string(), 1))),
            None => Err(invalid(&field, message)),
        },
        Err(e) => Err(err(e)),
        Ok(()) => match nonfinite.first() {
            Some((p, x)) => Err(invalid(p, format!("{} is not a finite number", Disp(*x)))),
            None => Ok(config),
        },
    }
}

/// Stands in for NaN and +-Infinity in float fields (JSON has no such numbers): below every
/// float field's allowed range, so `Config::validate` rejects it.
const NON_FINITE: f64 = -f64::MAX;

/// Fields that serde-wasm-bindgen read as 32-bit integers, which did not take a BigInt.
const U32_FIELDS: &[&str] = &["seed"];

/// Syntax errors of the JSON reader (json.rs, as serde_json's) end in " at line L column C".
fn strip_position(m: &str) -> &str {
    match m.rfind(" at line ") {
        Some(i) if m[i + 9..].split(" column ").all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) => &m[..i],
        _ => m,
    }
}

/// Writes `v` as JSON into `out`, holding only the schema's keys: every section must be a
/// plain object, unknown keys are rejected, `undefined` values are dropped (so they take the
/// default, as a missing key does), and each value is read once through calls that catch a
/// throwing getter. Leaves go through `leaf_json`.
fn sanitize(v: &JsValue, schema: &J, path: &str, out: &mut crate::json::W, nonfinite: &mut Vec<(String, f64)>) -> Result<(), JsError> {
    let J::Obj(fields) = schema else { return leaf_json(v, schema, path, out, nonfinite, 0) };
    let here = if path.is_empty() { "config" } else { path };
    if !is_plain_object(v) {
        return Err(invalid(here, format!("{} is not a plain object", describe(v))));
    }
    out.0.push('{');
    let mut first = true;
    for k in own_keys(v, here)? {
        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        let Some((_, sub)) = fields.iter().find(|(f, _)| *f == k) else {
            // In alphabetical order, as serde_json's map of the template listed them.
            let mut allowed: Vec<String> = fields.iter().map(|(f, _)| format!("`{f}`")).collect();
            allowed.sort();
            return Err(invalid(&p, format!("unknown field `{k}`, expected one of {}", allowed.join(", "))));
        };
        let child = get(v, &JsValue::from_str(&k), &p)?;
        if !child.is_undefined() {
            if !first {
                out.0.push(',');
            }
            first = false;
            out.str(&k);
            out.0.push(':');
            sanitize(&child, sub, &p, out, nonfinite)?;
        }
    }
    out.0.push('}');
    Ok(())
}

/// A config leaf (or, at depth > 0, something nested in a wrong-typed leaf) as JSON, so that
/// the JSON reader accepts what serde-wasm-bindgen accepted and names the field in what it rejects:
/// integers are written as integers only where JS has them exactly (safe integers), a BigInt
/// only into 64-bit integer fields, non-finite numbers into float fields as NON_FINITE.
fn leaf_json(v: &JsValue, schema: &J, path: &str, out: &mut crate::json::W, nonfinite: &mut Vec<(String, f64)>, depth: usize) -> Result<(), JsError> {
    use std::fmt::Write;
    let float_field = depth == 0 && matches!(schema, J::F(_));
    let int_field = depth == 0 && matches!(schema, J::U(_));
    if depth == 0 && matches!(schema, J::Str(_)) && !v.is_string() && !(is_plain_object(v) && own_keys(v, path)?.len() == 1) {
        // An enum takes its name, or serde's `{ "name": null }`; the reader's message for
        // anything else would be serde_json's bare "expected value".
        return Err(invalid(path, format!("invalid type: {}, expected a string", describe(v))));
    }
    if let Some(s) = v.as_string() {
        out.str(&s);
    } else if let Some(b) = v.as_bool() {
        out.0.push_str(if b { "true" } else { "false" });
    } else if v.is_null() || (depth > 0 && v.is_undefined()) {
        out.0.push_str("null");
    } else if let Some(x) = v.as_f64() {
        if !x.is_finite() {
            if !float_field {
                return Err(invalid(path, format!("invalid type: floating point `{}`, expected {}", Disp(x), expected(schema, depth))));
            }
            nonfinite.push((path.to_string(), x));
            let _ = write!(out.0, "{}", Exp(NON_FINITE));
        } else if !float_field && x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_991.0 {
            let _ = write!(out.0, "{}", x as i64); // a safe integer (-0 is 0)
        } else if x == 0.0 {
            out.0.push_str(if x.is_sign_negative() { "-0.0" } else { "0.0" });
        } else {
            let _ = write!(out.0, "{}", Exp(x)); // shortest round-trip digits, always a float literal
        }
    } else if v.is_bigint() && int_field && !U32_FIELDS.contains(&path) {
        let s: String = js_sys::BigInt::unchecked_from_js_ref(v).to_string(10).map(String::from).unwrap_or_default();
        out.0.push_str(&s);
    } else if depth < 8 && Array::is_array(v) {
        let len = get(v, &JsValue::from_str("length"), path)?.as_f64().unwrap_or(0.0).min(64.0) as u32;
        out.0.push('[');
        for i in 0..len {
            if i > 0 {
                out.0.push(',');
            }
            leaf_json(&get(v, &JsValue::from(i), path)?, schema, path, out, nonfinite, depth + 1)?;
        }
        out.0.push(']');
    } else if depth < 8 && is_plain_object(v) {
        out.0.push('{');
        for (i, k) in own_keys(v, path)?.iter().enumerate() {
            if i > 0 {
                out.0.push(',');
            }
            out.str(k);
            out.0.push(':');
            leaf_json(&get(v, &JsValue::from_str(k), path)?, schema, path, out, nonfinite, depth + 1)?;
        }
        out.0.push('}');
    } else {
        return Err(invalid(path, format!("invalid type: {}, expected {}", describe(v), expected(schema, depth))));
    }
    Ok(())
}

/// What a leaf of this schema value takes, for messages.
fn expected(schema: &J, depth: usize) -> &'static str {
    match schema {
        _ if depth > 0 => "a JSON value",
        J::F(_) => "a number",
        J::U(_) => "an integer",
        J::Str(_) => "a string",
        J::Bool(_) => "a boolean",
        _ => "a JSON value",
    }
}


/// The threads build only: turns the calling Web Worker, which instantiated this module on the
/// caller's shared memory, into the helper thread of the matrix products (see `pool.rs`).
/// Never returns.
#[cfg(target_feature = "atomics")]
#[wasm_bindgen]
pub fn run_helper() {
    crate::pool::run_helper()
}

/// Helper threads working for this module's products: 0, or 1 in the threads build once its
/// helper runs.
#[wasm_bindgen]
pub fn helper_threads() -> u32 {
    crate::pool::helpers() as u32
}

/// Logs panics to the console (there should be none: every input is validated).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("residual-lab panic: {info}")));
    }));
}
