//! The JavaScript API, the only module that uses wasm-bindgen: this file holds the `Lab` class,
//! `views.rs` and `args.rs` the conversions, `experiments.rs` the Experiments page's units.
//! Configs and small results cross the boundary through serde-wasm-bindgen; per-layer series,
//! grids and weights as `Float32Array`s. Every core error becomes a JS `Error` whose message names the field, and
//! every argument is checked here or in the core, so nothing a caller passes can panic the
//! module (a panic would abort the instance as `RuntimeError: unreachable`).

use crate::config::DatasetName;
use crate::error::num;
use crate::trainer::Trainer;
use js_sys::{Float32Array, Object};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("../lab-types.d.ts");

mod args;
mod views;
#[cfg(feature = "experiments")]
mod experiments;

use args::*;
use views::*;

// ---------------------------------------------------------------------------------------------
// The Lab
// ---------------------------------------------------------------------------------------------

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
        to_js(&self.inner.evaluate())
    }

    /// Outputs for points `x` (n * d_in values, row-major): class probabilities
    /// (n * classes) or regression outputs (n * d_out), row-major.
    pub fn predict(&mut self, #[wasm_bindgen(unchecked_param_type = "Float32Array | number[]")] x: JsValue) -> Result<Float32Array, JsError> {
        let x = f32_vec("x", &x)?;
        Ok(Float32Array::from(&self.inner.predict(&x).map_err(err)?[..]))
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
        Ok(Float32Array::from(&self.inner.predict_grid(res, bounds).map_err(err)?[..]))
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
        to_js(&DataJs { x: f32_array(&d.x), y: f32_array(&d.y), d_in: d.d_in, d_out: d.d_out, n_train: d.n_train, classification: d.classification })
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
        to_js(&self.inner.net.infos)
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
    #[wasm_bindgen(unchecked_return_type = "ResolvedLabConfig")]
    pub fn config(&self) -> JsValue {
        to_js(&self.inner.config)
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

    /// The mean-field prediction for this net at init (infinite width; Poole et al. 2016,
    /// Schoenholz et al. 2017, Yang & Schoenholz 2017): the second moment of h_l and the RMS
    /// of dL/dh_l relative to its value at the top (l = depth), both depth+1 long, averaged over
    /// the training inputs as the measured statistics average over the batch. A curve the
    /// theory cannot give is `null`, with its reason.
    #[wasm_bindgen(unchecked_return_type = "TheoryProfileJs")]
    pub fn theory(&self) -> JsValue {
        let d = &self.inner.data;
        // Each training input's second moment per feature, |x_i|^2 / d_in.
        let q_x: Vec<f64> = d.x[..d.n_train * d.d_in].chunks(d.d_in).map(|row| row.iter().map(|&v| (v as f64) * (v as f64)).sum::<f64>() / d.d_in as f64).collect();
        let p = crate::theory::predict_profile_for_inputs(&self.inner.config, d.d_in, &q_x);
        let curve = |c: &crate::theory::Curve, sqrt: bool| -> JsValue {
            if !c.supported {
                return JsValue::NULL;
            }
            f32_array(&c.values.iter().map(|&x| (if sqrt { x.sqrt() } else { x }) as f32).collect::<Vec<_>>())
        };
        to_js(&TheoryJs {
            supported: p.supported,
            reason: &p.reason,
            input_second_moment: p.input_second_moment,
            notes: &p.notes,
            second_moment: curve(&p.second_moment, false),
            second_moment_reason: &p.second_moment.reason,
            grad_rms_relative: curve(&p.grad_mean_square, true),
            grad_reason: &p.grad_mean_square.reason,
        })
    }

    /// Singular values of the stream's input-output Jacobian dh_L/dh_0 (W x W) at the first
    /// training point (BatchNorm held at the probe batch's mean and variance), largest first,
    /// with `max`, `mean_sq` (mean squared singular value) and `normalized_var`
    /// (Var(s^2)/mean(s^2)^2; dynamical isometry, Pennington et al. 2017, is 0 with mean_sq 1).
    #[wasm_bindgen(unchecked_return_type = "{ singular_values: Float32Array, max: number, mean_sq: number, normalized_var: number }")]
    pub fn jacobian_spectrum(&mut self) -> JsValue {
        let s = self.inner.jacobian_spectrum();
        to_js(&SpectrumJs { singular_values: f64s_as_f32(&s.singular_values), max: s.max, mean_sq: s.mean_sq, normalized_var: s.normalized_var })
    }

    /// Depth sweep at init: this config probed for `seeds` seeds (config.seed, +1, ...; 1 to
    /// 64): per layer, the mean (what mean-field theory predicts: the arithmetic mean of the
    /// second moment, the root mean square of the gradient RMS), the median, the geometric
    /// mean and the 10% / 90% quantiles of the second moment of h_l (`act_mean_sq`) and of the
    /// RMS of dL/dh_l (`grad_rms`). Does not touch this lab.
    #[wasm_bindgen(unchecked_return_type = "DepthSweepJs")]
    pub fn depth_sweep(&self, seeds: Option<NumberArg>) -> Result<JsValue, JsError> {
        let seeds = int_arg("seeds", &opt(seeds), 1.0, 64.0, Some(32.0))? as usize;
        if self.inner.config.data.name == DatasetName::Custom {
            return Err(invalid("depth_sweep", "needs a built-in dataset (fresh nets regenerate their data from each seed)"));
        }
        let s = crate::sweep::depth_sweep(&self.inner.config, seeds).map_err(err)?;
        Ok(to_js(&SweepJs { seeds: s.seeds, diverged: s.diverged, act_mean_sq: BandJs::of(&s.act_mean_sq), grad_rms: BandJs::of(&s.grad_rms) }))
    }

    /// Order-to-chaos phase diagram of a plain net (Poole et al. 2016; Schoenholz et al.
    /// 2017) over s_w^2 in [sw2_min, sw2_max] (nx points) and s_b^2 in [sb2_min, sb2_max]
    /// (ny points): chi_1 at the fixed point q*, the correlation depth scale
    /// xi_c = -1/ln(chi_c) (Infinity at criticality) and the length depth scale xi_q
    /// (Schoenholz et al. 2017, sec. 3), row-major `iy * nx + ix`.
    #[wasm_bindgen(unchecked_return_type = "PhaseDiagramJs")]
    pub fn phase_diagram(
        #[wasm_bindgen(unchecked_param_type = "Activation")] activation: JsValue,
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
        Ok(to_js(&PhaseJs {
            nx,
            ny,
            sw2: f64s_as_f32(&pd.sw2),
            sb2: f64s_as_f32(&pd.sb2),
            q_star: f64s_as_f32(&pd.q_star),
            chi1: f64s_as_f32(&pd.chi1),
            xi_c: f64s_as_f32(&pd.xi_c),
            xi_q: f64s_as_f32(&pd.xi_q),
        }))
    }

    /// The s_w^2 where chi_1 = 1 (the edge of chaos) for this activation and s_b^2, or null.
    #[wasm_bindgen(unchecked_return_type = "number | null")]
    pub fn critical_sw2(#[wasm_bindgen(unchecked_param_type = "Activation")] activation: JsValue, #[wasm_bindgen(unchecked_param_type = "number")] sb2: JsValue) -> Result<JsValue, JsError> {
        let phi = crate::theory::Phi::new(activation_arg(&activation)?);
        let sb2 = number_arg("sb2", &sb2)?;
        if !(sb2.is_finite() && (0.0..=100.0).contains(&sb2)) {
            return Err(invalid("sb2", format!("{} is out of range; allowed 0 to 100", num(sb2))));
        }
        Ok(crate::theory::critical_sw2(phi, sb2).map_or(JsValue::NULL, JsValue::from_f64))
    }

    /// How alike the representations of the first batch (the one `probe` measures) are at every
    /// stream position l = 0..depth, BatchNorm on batch statistics: `mean_cosine`, the mean
    /// over sample pairs of cos(h_l[a], h_l[b]), and `stable_rank`, ||H_l||_F^2 / ||H_l||_2^2
    /// of the (batch, width) matrix H_l (1: every sample on one line). Rank collapse:
    /// Daneshmand et al. 2020; Noci et al. 2022.
    #[wasm_bindgen(unchecked_return_type = "{ mean_cosine: Float32Array, stable_rank: Float32Array }")]
    pub fn representation(&mut self) -> Result<JsValue, JsError> {
        let (x, b) = self.inner.probe_inputs();
        let r = crate::probes::representation(&mut self.inner.net, &x, b, crate::norm::Mode::Probe).map_err(err)?;
        Ok(to_js(&RepresentationJs { mean_cosine: f64s_as_f32(&r.mean_cosine), stable_rank: f64s_as_f32(&r.stable_rank) }))
    }

    /// d f_k / d x at each of the points `x` (n * d_in values, row-major), f_k = output unit
    /// `output` (default 0) of the head (a logit, or a regression output), BatchNorm on running
    /// statistics: n * d_in values, row-major. Along a path of inputs it shows whether the
    /// gradient is smooth or shattered (Balduzzi et al. 2017).
    pub fn input_gradients(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Float32Array | number[]")] x: JsValue,
        output: Option<NumberArg>,
    ) -> Result<Float32Array, JsError> {
        let d_out = self.inner.data.d_out;
        let k = int_arg("output", &opt(output), 0.0, (d_out - 1) as f64, Some(0.0))? as usize;
        let x = f32_vec("x", &x)?;
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(invalid("x", format!("x[{i}] = {} is not finite", num(x[i]))));
        }
        Ok(Float32Array::from(&crate::probes::input_gradients(&mut self.inner.net, &x, k).map_err(err)?[..]))
    }

    /// `evaluate()` with the given blocks deleted at test time (block numbers 1 to depth; a
    /// deleted block passes its input through: a residual block loses its branch, a plain
    /// block its layer). Veit et al. 2016.
    #[wasm_bindgen(unchecked_return_type = "{ train: SplitMetrics, test: SplitMetrics }")]
    pub fn evaluate_without(&mut self, #[wasm_bindgen(unchecked_param_type = "number[]")] blocks: JsValue) -> Result<JsValue, JsError> {
        let depth = self.inner.config.model.depth;
        let list = f32_vec("blocks", &blocks)?;
        let mut removed = vec![false; depth];
        for (i, &b) in list.iter().enumerate() {
            if !(b.fract() == 0.0 && b >= 1.0 && b as usize <= depth) {
                return Err(invalid("blocks", format!("element {i} is {}, not a block number in 1 to {depth}", num(b))));
            }
            removed[b as usize - 1] = true;
        }
        Ok(to_js(&crate::lesion::evaluate_without(&mut self.inner, &removed).map_err(err)?))
    }

    /// How much the outputs on the first batch move when every block weight matrix W moves
    /// by a random delta with ||delta|| = rel ||W|| (rel in (0, 1], default 0.01): the mean
    /// over `draws` draws (1 to 64, default 8) of ||f(W + delta) - f(W)|| / ||f(W)||, BatchNorm
    /// on running statistics. Post-LN amplification: Liu et al. 2020. Nothing is changed.
    pub fn output_change(&mut self, rel: Option<NumberArg>, draws: Option<NumberArg>) -> Result<f64, JsError> {
        let rel = opt(rel);
        let rel = if rel.is_undefined() || rel.is_null() { 0.01 } else { number_arg("rel", &rel)? };
        let draws = int_arg("draws", &opt(draws), 1.0, 64.0, Some(8.0))? as usize;
        let (x, b) = self.inner.probe_inputs();
        let mut rng = crate::rng::Rng::new(self.inner.config.seed as u64 ^ 0x6f75_7470_7574);
        crate::probes::output_change(&mut self.inner.net, &x, b, rel, draws, &mut rng).map_err(err)
    }
}

/// `{ name: Float32Array }` from the trainer's (name, shape, values) list.
fn named_arrays(list: Vec<(String, Vec<usize>, &[f32])>) -> JsValue {
    let o = Object::new();
    for (name, _, vals) in list {
        set(&o, &name, f32_array(vals));
    }
    o.into()
}

/// Logs panics to the console (there should be none: every input is validated).
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&JsValue::from_str(&format!("residual-lab panic: {info}")));
    }));
}

