//! The JavaScript API: the only file that uses wasm-bindgen. It converts JS values to core
//! types and back, and turns every core error into a JS `Error` whose message names the
//! field. Every argument is validated here or in the core, so nothing a caller passes can
//! panic the module (a panic would abort the instance as `RuntimeError: unreachable`).

use crate::config::{path_error, Config};
use crate::error::LabError;
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
        _ => Err(invalid(name, format!("{} is not an integer in {lo} to {hi}", describe(v)))),
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
        return format!("{x}");
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
    "an object".into()
}

/// A Float32Array, or an array of numbers, as f32 values.
fn f32_vec(name: &str, v: &JsValue) -> Result<Vec<f32>, JsError> {
    if let Some(a) = v.dyn_ref::<Float32Array>() {
        return Ok(a.to_vec());
    }
    if Array::is_array(v) || v.is_instance_of::<js_sys::Float64Array>() {
        let arr = Array::from(v);
        let mut out = Vec::with_capacity(arr.length() as usize);
        for (i, x) in arr.iter().enumerate() {
            match x.as_f64() {
                Some(f) => out.push(f as f32),
                None => return Err(invalid(name, format!("element {i} is {}, not a number", describe(&x)))),
            }
        }
        return Ok(out);
    }
    Err(invalid(name, format!("{} is not a Float32Array or an array of numbers", describe(v))))
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
    pub fn new(#[wasm_bindgen(unchecked_param_type = "LabConfig | undefined")] config: JsValue) -> Result<Lab, JsError> {
        let config = config_from_js(&config)?;
        Ok(Lab { inner: Trainer::new(config).map_err(err)? })
    }

    /// One training step (forward, backward, update) on the next mini-batch.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn train_step(&mut self) -> JsValue {
        report_to_js(self.inner.step())
    }

    /// `n` training steps (1 to 100000); returns the last report. Stops early on divergence.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn train(&mut self, n: JsValue) -> Result<JsValue, JsError> {
        let n = int_arg("n", &n, 1.0, 100_000.0, Some(1.0))? as usize;
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
    pub fn predict_grid(&mut self, res: JsValue, #[wasm_bindgen(unchecked_param_type = "number[]")] bounds: JsValue) -> Result<Float32Array, JsError> {
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
    pub fn set_data(&mut self, x: JsValue, y: JsValue, d_in: JsValue) -> Result<(), JsError> {
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
        let o = Object::new();
        for (name, _, vals) in self.inner.weights() {
            set(&o, &name, f32_array(vals));
        }
        o.into()
    }

    /// The gradients of the last step or probe, same names and layout as `get_weights`.
    #[wasm_bindgen(unchecked_return_type = "Record<string, Float32Array>")]
    pub fn gradients(&self) -> JsValue {
        let o = Object::new();
        for (name, _, vals) in self.inner.gradients() {
            set(&o, &name, f32_array(vals));
        }
        o.into()
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
        if !weights.is_object() || Array::is_array(&weights) {
            return Err(invalid("weights", format!("{} is not an object of named arrays", describe(&weights))));
        }
        let entries = Object::entries(weights.unchecked_ref());
        let mut named = Vec::with_capacity(entries.length() as usize);
        for e in entries.iter() {
            let pair = Array::from(&e);
            let name = pair.get(0).as_string().unwrap_or_default();
            let vals = f32_vec(&name, &pair.get(1))?;
            named.push((name, vals));
        }
        self.inner.set_weights(&named).map_err(err)
    }

    /// The full config, defaults filled in.
    #[wasm_bindgen(unchecked_return_type = "LabConfig")]
    pub fn config(&self) -> Result<JsValue, JsError> {
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        serde::Serialize::serialize(&self.inner.config, &ser).map_err(|e| JsError::new(&e.to_string()))
    }

    /// Changes the learning rate without resetting anything.
    pub fn set_lr(&mut self, lr: JsValue) -> Result<(), JsError> {
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

    /// Restores a lab saved with `to_json`.
    pub fn from_json(json: JsValue) -> Result<Lab, JsError> {
        let s = json.as_string().ok_or_else(|| invalid("json", format!("{} is not a string", describe(&json))))?;
        Ok(Lab { inner: Trainer::from_json(&s).map_err(err)? })
    }

    /// Starts over from the config, optionally with a new seed (integer 0 to 4294967295).
    pub fn reset(&mut self, seed: JsValue) -> Result<(), JsError> {
        let seed = if seed.is_undefined() || seed.is_null() { None } else { Some(int_arg("seed", &seed, 0.0, u32::MAX as f64, None)? as u32) };
        self.inner.reset(seed).map_err(err)
    }
}

/// Parses a JS config object with the field path in every error, then validates it.
fn config_from_js(v: &JsValue) -> Result<Config, JsError> {
    if v.is_undefined() || v.is_null() {
        return Ok(Config::default());
    }
    if !v.is_object() || Array::is_array(v) {
        return Err(invalid("config", format!("{} is not an object", describe(v))));
    }
    // serde-wasm-bindgen reads only the fields a struct names, so unknown keys are caught here.
    let schema = serde_json::to_value(Config::default()).map_err(|e| JsError::new(&e.to_string()))?;
    check_keys(v, &schema, "")?;
    let de = serde_wasm_bindgen::Deserializer::from(v.clone());
    let config: Config = serde_path_to_error::deserialize(de).map_err(|e| {
        let e = path_error(e);
        // serde-wasm-bindgen's messages start with "Error: ".
        match e {
            LabError::Invalid { field, message } => invalid(&field, message.trim_start_matches("Error: ")),
            other => err(other),
        }
    })?;
    config.validate().map_err(err)?;
    Ok(config)
}

/// Rejects keys of `v` that the schema (the default config as JSON) does not have.
fn check_keys(v: &JsValue, schema: &serde_json::Value, path: &str) -> Result<(), JsError> {
    let serde_json::Value::Object(fields) = schema else { return Ok(()) };
    if !v.is_object() || Array::is_array(v) {
        return Ok(()); // a wrong type is reported by the deserializer with its path
    }
    for key in Object::keys(v.unchecked_ref::<Object>()).iter() {
        let k = key.as_string().unwrap_or_default();
        let p = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
        match fields.get(&k) {
            None => {
                let allowed: Vec<String> = fields.keys().map(|f| format!("`{f}`")).collect();
                return Err(invalid(&p, format!("unknown field `{k}`, expected one of {}", allowed.join(", "))));
            }
            Some(sub) => {
                let child = Reflect::get(v, &key).map_err(|_| invalid(&p, "could not be read"))?;
                check_keys(&child, sub, &p)?;
            }
        }
    }
    Ok(())
}

/// Logs panics to the console (there should be none: every input is validated).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("residual-lab panic: {info}")));
    }));
}
