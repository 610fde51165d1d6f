//! The trainer: owns the network, optimizer, data and the one seeded RNG. `step` trains on the
//! next mini-batch (reshuffled every epoch) and returns the per-layer report; nothing is
//! allocated per step once the trainer is built.

use crate::config::{Config, DatasetName};
use crate::data::Dataset;
use crate::error::{LabError, Result};
use crate::json::{self, J};
use crate::float_text::{Dbg, Disp};
use crate::loss::{mean_squared_error, softmax_cross_entropy};
use crate::net::Network;
use crate::norm::Mode;
use crate::optim::Optimizer;
use crate::rng::Rng;
use crate::stats::{moments, rms, sum_sq, Divergence, DivergenceKind, StepReport};

pub struct Trainer {
    pub config: Config,
    pub net: Network<f32>,
    pub optimizer: Optimizer,
    pub data: Dataset,
    rng: Rng,
    /// Training-set indices in this epoch's order, and the position of the next batch.
    order: Vec<u32>,
    cursor: usize,
    step: u64,
    halted: Option<Divergence>,
    /// The first divergence of a run that keeps stepping (`stop_on_divergence: false`).
    first_divergence: Option<Divergence>,
    report: StepReport,
    // Preallocated batch buffers, `(batch, features)` column-major.
    x_batch: Vec<f32>,
    labels: Vec<u32>,
    targets: Vec<f32>,
    d_out_grad: Vec<f32>,
    /// ||delta||^2 per parameter tensor, from the optimizer.
    update_sq: Vec<f64>,
    /// ||p||^2 per parameter tensor (from the optimizer's pass, or `refresh_param_sq`).
    param_sq: Vec<f64>,
    /// ||grad||^2 per parameter tensor, from the last backward pass.
    grad_sq: Vec<f64>,
}

/// Loss and accuracy over a whole split.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct SplitMetrics {
    pub loss: f64,
    pub accuracy: Option<f64>,
    pub n: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Evaluation {
    pub train: SplitMetrics,
    pub test: SplitMetrics,
}

/// Everything needed to continue a run bit for bit.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize), serde(deny_unknown_fields))]
pub struct TrainerState {
    pub format: String,
    pub config: Config,
    pub params: Vec<f32>,
    /// BatchNorm running mean and variance of every norm, in forward order.
    pub running_stats: Vec<f64>,
    pub optimizer: Optimizer,
    pub rng: Rng,
    pub order: Vec<u32>,
    pub cursor: usize,
    pub step: u64,
    /// Present only for caller-supplied data (built-in data is regenerated from the seed).
    pub data: Option<Dataset>,
    pub halted: Option<Divergence>,
}

pub const STATE_FORMAT: &str = "residual-lab-state/1";

/// Saved state from its JSON form (json.rs), field by field with serde's rules and messages:
/// every field required but `data` and `halted` (null or missing: none), unknown keys rejected
/// at the top and skipped inside (as the derived readers did).
impl TrainerState {
    const FIELDS: &'static [&'static str] =
        &["format", "config", "params", "running_stats", "optimizer", "rng", "order", "cursor", "step", "data", "halted"];

    pub fn from_j(j: &J) -> json::Res<TrainerState> {
        let mut st = TrainerState {
            format: String::new(),
            config: Config::default(),
            params: Vec::new(),
            running_stats: Vec::new(),
            optimizer: Optimizer::new(&Config::default().optimizer, 0),
            rng: Rng::new(0),
            order: Vec::new(),
            cursor: 0,
            step: 0,
            data: None,
            halted: None,
        };
        let seen = json::fields("", j, "struct TrainerState", Self::FIELDS, true, true, |k, p, v| {
            match k {
                0 => st.format = json::string_of(p, v)?,
                1 => st.config = Config::from_j(p, v)?,
                2 => st.params = json::vec_f32(p, v)?,
                3 => st.running_stats = json::vec_f64(p, v)?,
                4 => st.optimizer = optimizer_from_j(p, v)?,
                5 => st.rng = rng_from_j(p, v)?,
                6 => st.order = json::vec_u32(p, v)?,
                7 => st.cursor = json::usize_of(p, v)?,
                8 => st.step = json::uint_of(p, v, u64::MAX, "u64")?,
                9 => st.data = json::opt(p, Some(v), dataset_from_j)?,
                _ => st.halted = json::opt(p, Some(v), divergence_from_j)?,
            }
            Ok(())
        })?;
        json::require("", &seen[..9], Self::FIELDS)?;
        Ok(st)
    }
}

impl TrainerState {
    /// JSON as serde_json wrote the derived form (fields in declaration order, NaN and
    /// infinities as `null`, `data` and `halted` as `null` when absent).
    pub fn to_json(&self) -> String {
        let mut w = json::W::default();
        w.open();
        w.field("format", self.format.as_str());
        w.key("config");
        self.config.write_json(&mut w);
        w.key("params");
        w.arr(&self.params, json::W::f32);
        w.key("running_stats");
        w.arr(&self.running_stats, json::W::f64);
        let o = &self.optimizer;
        w.key("optimizer");
        w.open();
        w.key("cfg");
        o.cfg.write_json(&mut w);
        w.field("t", o.t);
        w.key("m");
        w.arr(&o.m, json::W::f32);
        w.key("v");
        w.arr(&o.v, json::W::f32);
        w.end();
        w.key("rng");
        w.open();
        w.key("s");
        w.arr(&self.rng.words(), json::W::uint);
        w.end();
        w.key("order");
        w.arr(&self.order, |w, i| w.uint(i as u64));
        w.field("cursor", self.cursor as u64);
        w.field("step", self.step);
        w.key("data");
        match &self.data {
            None => w.null(),
            Some(d) => {
                w.open();
                w.key("x");
                w.arr(&d.x, json::W::f32);
                w.key("y");
                w.arr(&d.y, json::W::f32);
                w.field("d_in", d.d_in as u64);
                w.field("d_out", d.d_out as u64);
                w.field("classification", d.classification);
                w.field("n_train", d.n_train as u64);
                w.end();
            }
        }
        w.key("halted");
        match &self.halted {
            None => w.null(),
            Some(d) => {
                w.open();
                w.field("step", d.step);
                w.field("layer", d.layer as u64);
                w.field("what", d.what.as_str());
                w.end();
            }
        }
        w.end();
        w.0
    }
}

fn optimizer_from_j(path: &str, j: &J) -> json::Res<Optimizer> {
    const FIELDS: &[&str] = &["cfg", "t", "m", "v"];
    let mut o = Optimizer::new(&Config::default().optimizer, 0);
    let seen = json::fields(path, j, "struct Optimizer", FIELDS, false, true, |k, p, v| {
        match k {
            0 => o.cfg = crate::config::OptimizerConfig::from_j(p, v)?,
            1 => o.t = json::uint_of(p, v, u64::MAX, "u64")?,
            2 => o.m = json::vec_f32(p, v)?,
            _ => o.v = json::vec_f32(p, v)?,
        }
        Ok(())
    })?;
    json::require(path, &seen, FIELDS)?;
    Ok(o)
}

fn rng_from_j(path: &str, j: &J) -> json::Res<Rng> {
    const FIELDS: &[&str] = &["s"];
    let mut words = [0u64; 4];
    let seen = json::fields(path, j, "struct Rng", FIELDS, false, true, |_, p, v| {
        const WHAT: &str = "an array of length 4";
        if !matches!(v, J::Arr(_) | J::F64s(_)) {
            return json::invalid_type(p, v, WHAT);
        }
        let mut n = 0;
        json::each(p, v, |q, x| {
            if n == 4 {
                return Err((p.to_string(), "trailing characters".to_string()));
            }
            words[n] = json::uint_of(q, x, u64::MAX, "u64")?;
            n += 1;
            Ok(())
        })?;
        if n < 4 {
            return Err((p.to_string(), format!("invalid length {n}, expected {WHAT}")));
        }
        Ok(())
    })?;
    json::require(path, &seen, FIELDS)?;
    Ok(Rng::from_words(words))
}

fn dataset_from_j(path: &str, j: &J) -> json::Res<Dataset> {
    const FIELDS: &[&str] = &["x", "y", "d_in", "d_out", "classification", "n_train"];
    let mut d = Dataset { x: Vec::new(), y: Vec::new(), d_in: 0, d_out: 0, classification: false, n_train: 0 };
    let seen = json::fields(path, j, "struct Dataset", FIELDS, false, true, |k, p, v| {
        match k {
            0 => d.x = json::vec_f32(p, v)?,
            1 => d.y = json::vec_f32(p, v)?,
            2 => d.d_in = json::usize_of(p, v)?,
            3 => d.d_out = json::usize_of(p, v)?,
            4 => d.classification = json::bool_of(p, v)?,
            _ => d.n_train = json::usize_of(p, v)?,
        }
        Ok(())
    })?;
    json::require(path, &seen, FIELDS)?;
    Ok(d)
}

fn divergence_from_j(path: &str, j: &J) -> json::Res<Divergence> {
    const FIELDS: &[&str] = &["step", "layer", "what"];
    const KINDS: &[DivergenceKind] = &[DivergenceKind::Activation, DivergenceKind::Loss, DivergenceKind::Gradient, DivergenceKind::Parameter];
    let names: Vec<&str> = KINDS.iter().map(|k| k.as_str()).collect();
    let mut d = Divergence { step: 0, layer: 0, what: DivergenceKind::Loss };
    let seen = json::fields(path, j, "struct Divergence", FIELDS, false, true, |k, p, v| {
        match k {
            0 => d.step = json::uint_of(p, v, u64::MAX, "u64")?,
            1 => d.layer = json::usize_of(p, v)?,
            _ => d.what = json::enum_of(p, v, &names, KINDS)?,
        }
        Ok(())
    })?;
    json::require(path, &seen, FIELDS)?;
    Ok(d)
}

impl Trainer {
    /// Validates the config, generates the data and builds the network, all from `config.seed`.
    pub fn new(config: Config) -> Result<Trainer> {
        config.validate()?;
        if config.data.name == DatasetName::Custom {
            return Err(LabError::invalid("data.name", "\"custom\" data is supplied with set_data after construction; start from a built-in dataset"));
        }
        let mut rng = Rng::new(config.seed as u64);
        let data = Dataset::generate(&config, &mut rng);
        Ok(Self::build(config, data, rng))
    }

    /// Replaces the data with the caller's and rebuilds the network for its input and output
    /// sizes (from the same seed). `y`: class indices unless `config.loss` is "mse".
    pub fn set_data(&mut self, x: Vec<f32>, y: Vec<f32>, d_in: usize) -> Result<()> {
        let classification = self.config.loss != crate::config::LossKind::Mse;
        let data = Dataset::custom(x, y, d_in, classification, self.config.data.test_fraction)?;
        let params = self.config.param_count(data.d_in, data.d_out);
        if params > crate::config::MAX_PARAMS {
            return Err(LabError::invalid("d_in", format!("the net would have {params} parameters, more than the cap of {}", crate::config::MAX_PARAMS)));
        }
        let mut config = self.config.clone();
        config.data.name = DatasetName::Custom;
        config.data.n = data.n();
        if classification {
            config.data.classes = data.d_out;
            config.loss = crate::config::LossKind::CrossEntropy;
        }
        let rng = Rng::new(config.seed as u64);
        *self = Self::build(config, data, rng);
        Ok(())
    }

    fn build(config: Config, data: Dataset, mut rng: Rng) -> Trainer {
        let b = config.batch_size;
        let net = Network::<f32>::new(&config.model, data.d_in, data.d_out, b, &mut rng);
        let optimizer = Optimizer::new(&config.optimizer, net.params.len());
        let mut order: Vec<u32> = (0..data.n_train as u32).collect();
        if config.data.shuffle {
            rng.shuffle(&mut order);
        }
        let depth = config.model.depth;
        let (d_in, d_out) = (data.d_in, data.d_out);
        let n_tensors = net.infos.len();
        let mut t = Trainer {
            config,
            net,
            optimizer,
            data,
            rng,
            order,
            cursor: 0,
            step: 0,
            halted: None,
            first_divergence: None,
            report: StepReport::new(depth),
            x_batch: vec![0.0; b * d_in],
            labels: vec![0; b],
            targets: vec![0.0; b * d_out],
            d_out_grad: vec![0.0; b * d_out],
            update_sq: vec![0.0; n_tensors],
            param_sq: vec![0.0; n_tensors],
            grad_sq: vec![0.0; n_tensors],
        };
        t.refresh_param_sq();
        t.fill_weight_norms();
        t
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }
    pub fn report(&self) -> &StepReport {
        &self.report
    }
    pub fn halted(&self) -> Option<&Divergence> {
        self.halted.as_ref()
    }
    /// Changes the learning rate without touching anything else.
    pub fn set_lr(&mut self, lr: f64) -> Result<()> {
        let mut c = self.config.clone();
        c.optimizer.lr = lr;
        c.validate()?;
        self.config.optimizer.lr = lr;
        self.optimizer.cfg.lr = lr;
        Ok(())
    }

    /// Copies rows `idx` of the data into the batch buffers.
    fn gather(&mut self, rows: impl Iterator<Item = usize>) -> usize {
        let d = &self.data;
        let cap = self.config.batch_size;
        let mut b = 0;
        for (k, r) in rows.enumerate() {
            for f in 0..d.d_in {
                self.x_batch[k + f * cap] = d.x[r * d.d_in + f];
            }
            if d.classification {
                self.labels[k] = d.y[r] as u32;
            } else {
                for o in 0..d.d_out {
                    self.targets[k + o * cap] = d.y[r * d.d_out + o];
                }
            }
            b = k + 1;
        }
        // Compact the column-major buffers when the batch is short of the capacity.
        if b < cap {
            for f in 1..d.d_in {
                self.x_batch.copy_within(f * cap..f * cap + b, f * b);
            }
            for o in 1..d.d_out {
                self.targets.copy_within(o * cap..o * cap + b, o * b);
            }
        }
        b
    }

    /// Forward, loss and its gradient on the gathered batch. Returns (loss, correct).
    fn forward_loss(&mut self, batch: usize, mode: Mode) -> (f64, usize) {
        let out = self.net.forward(&self.x_batch[..batch * self.data.d_in], batch, mode, self.config.bn_momentum);
        if self.data.classification {
            softmax_cross_entropy(out, &self.labels[..batch], self.data.d_out, batch, &mut self.d_out_grad)
        } else {
            (mean_squared_error(out, &self.targets[..batch * self.data.d_out], batch, self.data.d_out, &mut self.d_out_grad), 0)
        }
    }

    /// One training step on the next mini-batch. After a divergence the trainer is halted:
    /// the parameters stay those before the diverging step and every further call returns the
    /// same report (unless `stop_on_divergence` is false: then it keeps stepping through the
    /// NaNs and every report names the first divergence).
    pub fn step(&mut self) -> &StepReport {
        self.step_with(true)
    }

    /// A step; `full: false` skips the per-layer statistics (for the steps of `train(n)`
    /// whose report nobody reads). Divergence is still checked every step.
    fn step_with(&mut self, full: bool) -> &StepReport {
        if self.halted.is_some() {
            return &self.report;
        }
        let b = self.config.batch_size.min(self.data.n_train);
        if self.cursor + b > self.order.len() {
            if self.config.data.shuffle {
                self.rng.shuffle(&mut self.order);
            }
            self.cursor = 0;
        }
        let order = std::mem::take(&mut self.order);
        let batch = self.gather(order[self.cursor..self.cursor + b].iter().map(|&i| i as usize));
        self.order = order;
        self.cursor += b;
        self.measure(batch, Mode::Train, full);
        let stop = self.config.stop_on_divergence;
        if self.report.diverged.is_some() && stop {
            self.halted = self.report.diverged.clone();
            return &self.report;
        }
        let grad_norm = self.grad_sq.iter().sum::<f64>().sqrt();
        self.optimizer.clip(&mut self.net.grads, grad_norm);
        self.report.grad_norm = grad_norm;
        self.optimizer.step(&mut self.net.params, &self.net.grads, &self.net.infos, &mut self.update_sq, &mut self.param_sq);
        self.step += 1;
        self.report.step = self.step;
        if let Some(k) = self.param_sq.iter().position(|sq| !sq.is_finite()) {
            let info = &self.net.infos[k];
            if self.report.diverged.is_none() {
                self.report.diverged = Some(Divergence { step: self.step, layer: info.layer.min(self.config.model.depth + 1), what: DivergenceKind::Parameter });
            }
            if stop {
                self.halted = self.report.diverged.clone();
            }
        }
        if !stop {
            self.first_divergence = self.first_divergence.take().or(self.report.diverged.take());
            self.report.diverged = self.first_divergence.clone();
        }
        self.fill_weight_norms();
        &self.report
    }

    /// `n` steps; returns the last report (stops early on divergence). Only the last step
    /// (or a diverging one) computes the per-layer statistics.
    pub fn train(&mut self, n: usize) -> &StepReport {
        for i in 0..n {
            self.step_with(i + 1 == n);
            if self.halted.is_some() {
                break;
            }
        }
        &self.report
    }

    /// The report on a fixed batch (the first `batch_size` training points) with batch
    /// statistics and gradients, without any update. Gradients land in `net.grads`.
    pub fn probe(&mut self) -> &StepReport {
        let b = self.config.batch_size.min(self.data.n_train);
        let batch = self.gather(0..b);
        let halted = self.halted.clone().or(self.first_divergence.clone());
        self.measure(batch, Mode::Probe, true);
        self.report.step = self.step;
        if self.report.diverged.is_none() {
            self.report.diverged = halted;
        }
        &self.report
    }

    /// Forward, loss, backward and the statistics on the gathered batch. Without `full`, only
    /// the loss and the gradients; if either is not finite, the step is measured in full after
    /// all, which finds the divergence exactly as a full step does: the forward's buffers are
    /// still intact and the backward is deterministic. (A non-finite activation always shows
    /// in the loss or in a weight gradient: every stream feeds a Linear layer.) A run that
    /// steps on through the NaNs (`stop_on_divergence: false`) has its first divergence
    /// already: its later steps are not measured again, which would double their cost.
    fn measure(&mut self, batch: usize, mode: Mode, full: bool) {
        let (loss, correct) = self.forward_loss(batch, mode);
        let r = &mut self.report;
        r.step = self.step;
        r.diverged = None;
        r.loss = loss;
        r.accuracy = self.data.classification.then(|| correct as f64 / batch as f64);
        if !full {
            self.backward(batch, false);
            let known = self.first_divergence.is_some();
            if known || (loss.is_finite() && self.grad_sq.iter().all(|g| g.is_finite())) {
                self.fill_weight_grad_norms();
                return;
            }
        }
        self.forward_stats(batch, loss);
        if self.report.diverged.is_some() && self.config.stop_on_divergence {
            return;
        }
        self.backward(batch, true);
        let depth = self.config.model.depth;
        let r = &mut self.report;
        // Backprop runs from the head down: the first non-finite gradient is the highest layer's.
        if r.diverged.is_none() {
            if let Some(k) = (0..self.grad_sq.len()).rev().find(|&k| !self.grad_sq[k].is_finite()) {
                r.diverged = Some(Divergence { step: self.step + 1, layer: self.net.infos[k].layer.min(depth + 1), what: DivergenceKind::Gradient });
            }
        }
        self.fill_weight_grad_norms();
    }

    fn fill_weight_grad_norms(&mut self) {
        let depth = self.config.model.depth;
        let r = &mut self.report;
        for l in 0..=depth {
            r.layers.weight_grad_norm[l] = self.net.layer_norm(l, &self.grad_sq) as f32;
        }
        r.head.weight_grad_norm = self.net.layer_norm(depth + 1, &self.grad_sq) as f32;
    }

    /// Per-layer forward statistics, and an activation or loss divergence.
    fn forward_stats(&mut self, batch: usize, loss: f64) {
        let depth = self.config.model.depth;
        let step_id = self.step + 1;
        let r = &mut self.report;
        for l in 0..=depth {
            let (mean, ms, var, bad) = moments(self.net.stream(l, batch));
            r.layers.act_mean[l] = mean as f32;
            r.layers.act_mean_sq[l] = ms as f32;
            r.layers.act_var[l] = var as f32;
            r.layers.nonfinite[l] = bad as f32;
            r.layers.dead_frac[l] = self.net.dead_fraction(l, batch) as f32;
            r.layers.grad_rms[l] = f32::NAN;
            if bad > 0 && r.diverged.is_none() {
                r.diverged = Some(Divergence { step: step_id, layer: l, what: DivergenceKind::Activation });
            }
        }
        if r.diverged.is_none() && !loss.is_finite() {
            r.diverged = Some(Divergence { step: step_id, layer: depth + 1, what: DivergenceKind::Loss });
        }
    }

    /// Backpropagation into `net.grads`, then ||grad||^2 per parameter tensor into `grad_sq`;
    /// with `stats`, the RMS and non-finite count of dL/dh_l per layer into the report.
    fn backward(&mut self, batch: usize, stats: bool) {
        let x = &self.x_batch[..batch * self.data.d_in];
        let layers = &mut self.report.layers;
        self.net.backward(x, &self.d_out_grad, batch, |l, d| {
            if stats {
                let (g, bad) = rms(d);
                layers.grad_rms[l] = g as f32;
                layers.nonfinite[l] += bad as f32;
            }
        }, None);
        tensor_sq(&self.net.infos, &self.net.grads, &mut self.grad_sq);
    }

    /// `param_sq` for parameters that did not come from an optimizer step.
    fn refresh_param_sq(&mut self) {
        tensor_sq(&self.net.infos, &self.net.params, &mut self.param_sq);
    }

    /// Weight norms and update ratios (from the optimizer's last update) per layer.
    fn fill_weight_norms(&mut self) {
        let depth = self.config.model.depth;
        let r = &mut self.report;
        for l in 0..=depth + 1 {
            let w = self.net.layer_norm(l, &self.param_sq);
            let u = self.net.layer_norm(l, &self.update_sq);
            let ratio = if w > 0.0 { (u / w) as f32 } else { 0.0 };
            if l <= depth {
                r.layers.weight_norm[l] = w as f32;
                r.layers.update_ratio[l] = ratio;
            } else {
                r.head.weight_norm = w as f32;
                r.head.update_ratio = ratio;
            }
        }
    }

    /// Mean loss and accuracy over the train and the test split, with running statistics.
    pub fn evaluate(&mut self) -> Evaluation {
        let n_train = self.data.n_train;
        let n = self.data.n();
        Evaluation { train: self.evaluate_rows(0, n_train), test: self.evaluate_rows(n_train, n) }
    }

    fn evaluate_rows(&mut self, from: usize, to: usize) -> SplitMetrics {
        let cap = self.config.batch_size;
        let (mut loss_sum, mut correct) = (0.0, 0usize);
        let mut start = from;
        while start < to {
            let end = (start + cap).min(to);
            let batch = self.gather(start..end);
            let (loss, c) = self.forward_loss(batch, Mode::Eval);
            loss_sum += loss * batch as f64;
            correct += c;
            start = end;
        }
        let count = to - from;
        let denom = count.max(1) as f64;
        SplitMetrics {
            loss: if count == 0 { 0.0 } else { loss_sum / denom },
            accuracy: self.data.classification.then(|| if count == 0 { 0.0 } else { correct as f64 / denom }),
            n: count,
        }
    }

    /// Outputs for `x` (`[n][d_in]` row-major): class probabilities (classification) or
    /// predicted targets (regression), `[n][d_out]` row-major. Uses running statistics.
    pub fn predict(&mut self, x: &[f32]) -> Result<Vec<f32>> {
        let d_in = self.data.d_in;
        if x.is_empty() || x.len() % d_in != 0 {
            return Err(LabError::invalid("x", format!("length {} is not a positive multiple of d_in = {d_in}", x.len())));
        }
        let n = x.len() / d_in;
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(LabError::invalid("x", format!("x[{i}] = {} is not finite", Disp(x[i]))));
        }
        let d_out = self.data.d_out;
        let cap = self.config.batch_size;
        let mut out = vec![0.0f32; n * d_out];
        let mut start = 0;
        while start < n {
            let b = cap.min(n - start);
            for k in 0..b {
                for f in 0..d_in {
                    self.x_batch[k + f * b] = x[(start + k) * d_in + f];
                }
            }
            let y = self.net.forward(&self.x_batch[..b * d_in], b, Mode::Eval, self.config.bn_momentum);
            for k in 0..b {
                if self.data.classification {
                    let m = (0..d_out).map(|o| y[k + o * b]).fold(f32::NEG_INFINITY, f32::max);
                    let sum: f32 = (0..d_out).map(|o| libm::expf(y[k + o * b] - m)).sum();
                    for o in 0..d_out {
                        out[(start + k) * d_out + o] = libm::expf(y[k + o * b] - m) / sum;
                    }
                } else {
                    for o in 0..d_out {
                        out[(start + k) * d_out + o] = y[k + o * b];
                    }
                }
            }
            start += b;
        }
        Ok(out)
    }

    /// Class probabilities on a `res x res` grid over [xmin, xmax] x [ymin, ymax]; point
    /// (i, j) (i along x, j along y from ymin) at `((j * res + i) * classes + k)`.
    pub fn predict_grid(&mut self, res: usize, bounds: [f64; 4]) -> Result<Vec<f32>> {
        if self.data.d_in != 2 {
            return Err(LabError::invalid("predict_grid", format!("needs 2-D inputs; the data has d_in = {}", self.data.d_in)));
        }
        if !(2..=512).contains(&res) {
            return Err(LabError::invalid("res", format!("{res} is out of range; allowed 2 to 512")));
        }
        let [x0, x1, y0, y1] = bounds;
        if !bounds.iter().all(|v| v.is_finite()) || x1 <= x0 || y1 <= y0 {
            return Err(LabError::invalid("bounds", format!("[{}, {}, {}, {}] must be finite with xmin < xmax and ymin < ymax", Dbg(x0), Dbg(x1), Dbg(y0), Dbg(y1))));
        }
        let mut xs = Vec::with_capacity(res * res * 2);
        for j in 0..res {
            for i in 0..res {
                xs.push((x0 + (x1 - x0) * i as f64 / (res - 1) as f64) as f32);
                xs.push((y0 + (y1 - y0) * j as f64 / (res - 1) as f64) as f32);
            }
        }
        self.predict(&xs)
    }

    /// Singular values of the stream's input-output Jacobian dh_L/dh_0 at the first
    /// training point, with BatchNorm held at the statistics of the probe batch (the first
    /// `batch_size` training points; see `jacobian.rs`).
    pub fn jacobian_spectrum(&mut self) -> crate::jacobian::Spectrum {
        let b = self.gather(0..self.config.batch_size.min(self.data.n_train));
        let x = self.data.x[..self.data.d_in].to_vec();
        let j = crate::jacobian::stream_jacobian_at_batch(&mut self.net, &x, &self.x_batch[..b * self.data.d_in], b);
        crate::jacobian::Spectrum::of(&j)
    }

    /// Named parameters: (name, shape, values). Weights are `[out][in]` row-major, as
    /// PyTorch's `nn.Linear.weight`.
    pub fn weights(&self) -> Vec<(String, Vec<usize>, &[f32])> {
        self.net.infos.iter().map(|i| (i.name.clone(), i.shape.clone(), i.span.of(&self.net.params))).collect()
    }
    /// The parameter gradients of the last step or probe, same names and layout.
    pub fn gradients(&self) -> Vec<(String, Vec<usize>, &[f32])> {
        self.net.infos.iter().map(|i| (i.name.clone(), i.shape.clone(), i.span.of(&self.net.grads))).collect()
    }

    /// Sets every parameter; the set must name each tensor exactly once with the right length
    /// and finite values. Nothing changes unless all of it is valid.
    pub fn set_weights(&mut self, named: &[(String, Vec<f32>)]) -> Result<()> {
        let mut seen = vec![false; self.net.infos.len()];
        for (name, vals) in named {
            let k = self.net.infos.iter().position(|i| &i.name == name).ok_or_else(|| LabError::invalid(name.clone(), "unknown parameter name"))?;
            if seen[k] {
                return Err(LabError::invalid(name.clone(), "given twice"));
            }
            seen[k] = true;
            let info = &self.net.infos[k];
            if vals.len() != info.span.len {
                return Err(LabError::invalid(name.clone(), format!("has {} values; expected {} (shape {:?})", vals.len(), info.span.len, info.shape)));
            }
            if let Some(i) = vals.iter().position(|v| !v.is_finite()) {
                return Err(LabError::invalid(name.clone(), format!("value {i} is {} (not finite)", Disp(vals[i]))));
            }
        }
        if let Some(k) = seen.iter().position(|s| !s) {
            return Err(LabError::invalid(self.net.infos[k].name.clone(), "missing"));
        }
        for (name, vals) in named {
            let info = self.net.infos.iter().find(|i| &i.name == name).unwrap();
            info.span.of_mut(&mut self.net.params).copy_from_slice(vals);
        }
        self.refresh_param_sq();
        self.fill_weight_norms();
        Ok(())
    }

    /// Starts over from the config (with a new seed if given).
    pub fn reset(&mut self, seed: Option<u32>) -> Result<()> {
        let mut c = self.config.clone();
        if let Some(s) = seed {
            c.seed = s;
        }
        if c.data.name == DatasetName::Custom {
            let (data, rng) = (self.data.clone(), Rng::new(c.seed as u64));
            *self = Self::build(c, data, rng);
            Ok(())
        } else {
            *self = Trainer::new(c)?;
            Ok(())
        }
    }

    pub fn state(&self) -> Result<TrainerState> {
        if let Some(k) = self.param_sq.iter().position(|sq| !sq.is_finite()) {
            let info = &self.net.infos[k];
            return Err(LabError::State(format!("cannot save: parameter {} is not finite (the run diverged)", info.name)));
        }
        let mut running = Vec::new();
        for n in self.net.norms() {
            running.extend_from_slice(&n.running_mean);
            running.extend_from_slice(&n.running_var);
        }
        Ok(TrainerState {
            format: STATE_FORMAT.into(),
            config: self.config.clone(),
            params: self.net.params.clone(),
            running_stats: running,
            optimizer: self.optimizer.clone(),
            rng: self.rng.clone(),
            order: self.order.clone(),
            cursor: self.cursor,
            step: self.step,
            data: (self.config.data.name == DatasetName::Custom).then(|| self.data.clone()),
            halted: self.halted.clone(),
        })
    }

    pub fn to_json(&self) -> Result<String> {
        Ok(self.state()?.to_json())
    }

    pub fn from_json(s: &str) -> Result<Trainer> {
        let st = json::parse(s).and_then(|j| TrainerState::from_j(&j)).map_err(|(path, e)| {
            let path = if path.is_empty() { "." } else { &path };
            LabError::State(format!("{path}: {e}"))
        })?;
        Self::from_state(st)
    }

    pub fn from_state(st: TrainerState) -> Result<Trainer> {
        if st.format != STATE_FORMAT {
            return Err(LabError::State(format!("format {:?} is not {STATE_FORMAT:?}", st.format)));
        }
        st.config.validate()?;
        let mut t = match (&st.data, st.config.data.name) {
            (Some(d), DatasetName::Custom) => {
                let data = Dataset::custom(d.x.clone(), d.y.clone(), d.d_in, d.classification, st.config.data.test_fraction)
                    .map_err(|e| LabError::State(format!("data: {e}")))?;
                if data.n_train != d.n_train || data.d_out != d.d_out {
                    return Err(LabError::State("data: split or output size does not match".into()));
                }
                let rng = Rng::new(st.config.seed as u64);
                Self::build(st.config.clone(), data, rng)
            }
            (None, DatasetName::Custom) => return Err(LabError::State("config says custom data but the state has none".into())),
            _ => Trainer::new(st.config.clone())?,
        };
        let bad = |what: &str| LabError::State(format!("{what} does not match the config"));
        if st.params.len() != t.net.params.len() {
            return Err(bad("params length"));
        }
        if st.params.iter().any(|v| !v.is_finite()) {
            return Err(LabError::State("params contain non-finite values".into()));
        }
        let running_len: usize = t.net.norms().iter().map(|n| n.running_mean.len() * 2).sum();
        if st.running_stats.len() != running_len {
            return Err(bad("running_stats length"));
        }
        if st.optimizer.cfg != st.config.optimizer || st.optimizer.m.len() != t.optimizer.m.len() || st.optimizer.v.len() != t.optimizer.v.len() {
            return Err(bad("optimizer state"));
        }
        let mut check = vec![false; t.data.n_train];
        for &i in &st.order {
            if (i as usize) >= check.len() || std::mem::replace(&mut check[i as usize], true) {
                return Err(bad("order (not a permutation of the training points)"));
            }
        }
        if st.order.len() != t.data.n_train || st.cursor > st.order.len() {
            return Err(bad("order length or cursor"));
        }
        // Steps are reported to JS as numbers: keep them exact there.
        const MAX_STEP: u64 = 1 << 53;
        if st.step > MAX_STEP || st.optimizer.t > MAX_STEP {
            return Err(LabError::State(format!("step {} is out of range; allowed 0 to {MAX_STEP}", st.step)));
        }
        if let Some(d) = &st.halted {
            if d.layer > st.config.model.depth + 1 || d.step > st.step + 1 {
                return Err(LabError::State(format!("halted: {d:?} is not a divergence of this run")));
            }
        }
        t.net.params = st.params;
        let mut k = 0;
        for n in t.net.norms_mut() {
            let w = n.running_mean.len();
            n.running_mean.copy_from_slice(&st.running_stats[k..k + w]);
            n.running_var.copy_from_slice(&st.running_stats[k + w..k + 2 * w]);
            k += 2 * w;
        }
        t.optimizer = st.optimizer;
        t.rng = st.rng;
        t.order = st.order;
        t.cursor = st.cursor;
        t.step = st.step;
        t.halted = st.halted.clone();
        t.report.step = st.step;
        t.report.diverged = st.halted;
        t.refresh_param_sq();
        t.fill_weight_norms();
        Ok(t)
    }
}

/// out[k] = ||buf's span of tensor k||^2, for every parameter tensor.
fn tensor_sq(infos: &[crate::params::ParamInfo], buf: &[f32], out: &mut [f64]) {
    for (sq, info) in out.iter_mut().zip(infos) {
        *sq = sum_sq(info.span.of(buf));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written writer gives serde_json's text byte for byte: built-in and custom
    /// data, a halted run, all optimizers, odd floats and non-finite moments (`null`).
    #[test]
    fn state_writer_matches_serde_json() {
        let mut states = Vec::new();
        for (k, opt) in [crate::config::OptimizerKind::Sgd, crate::config::OptimizerKind::Momentum, crate::config::OptimizerKind::Adam, crate::config::OptimizerKind::Adamw]
            .into_iter()
            .enumerate()
        {
            let mut cfg = Config::default();
            cfg.model.depth = 2;
            cfg.model.width = 4;
            cfg.model.norm = crate::config::NormKind::Batch;
            cfg.data.n = 16;
            cfg.batch_size = 4;
            cfg.optimizer.kind = opt;
            cfg.optimizer.eps = 1e-300;
            cfg.optimizer.weight_decay = 0.1 + 0.2;
            cfg.seed = u32::MAX - k as u32;
            let mut t = Trainer::new(cfg).unwrap();
            t.train(3 + k);
            states.push(t.state().unwrap());
            if k == 1 {
                t.set_data(vec![0.5, -1.25, 3.0, 1e-7, 2.5, 0.0, -0.0, 7.0, 1e30, -3.5], (0..10).map(|i| (i % 3) as f32).collect(), 1).unwrap();
                t.train(2);
                states.push(t.state().unwrap());
            }
        }
        let mut cfg = Config::default();
        cfg.model.kind = crate::config::NetKind::Plain;
        cfg.optimizer.kind = crate::config::OptimizerKind::Sgd;
        cfg.optimizer.lr = 10.0;
        cfg.model.init = crate::config::InitKind::Custom;
        cfg.model.sigma_w2 = 6.0;
        let mut t = Trainer::new(cfg).unwrap();
        t.train(50);
        assert!(t.halted().is_some());
        let mut st = t.state().unwrap();
        states.push(st.clone());
        st.optimizer.m = vec![f32::NAN, f32::INFINITY, -f32::INFINITY, f32::MIN_POSITIVE, 1e-45, -0.0];
        st.running_stats = vec![f64::NAN, -f64::INFINITY, 5e-324, f64::MAX];
        st.format = "a \"quoted\" \\ \u{1} \n é".into();
        states.push(st);
        for st in &states {
            assert_eq!(st.to_json(), serde_json::to_string(st).unwrap());
        }
    }

    /// The hand-written state reader accepts and rejects what serde's derived reader did, with
    /// the same values and messages (less serde_json's position).
    #[test]
    fn state_reader_matches_serde_derive() {
        let mut cfg = Config::default();
        cfg.model.depth = 2;
        cfg.model.width = 4;
        cfg.data.n = 16;
        cfg.batch_size = 4;
        let mut t = Trainer::new(cfg).unwrap();
        t.train(3);
        let json = t.to_json().unwrap();
        let st: serde_json::Value = serde_json::from_str(&json).unwrap();
        let values = [
            "0", "1", "-1", "1.5", "1e300", "18446744073709551615", "18446744073709551616", "\"x\"", "true", "null", "[]", "{}", "[1]",
            "[1,2,3,4]", "[1,2,3]", "[1,2,3,4,5]", "[1.5,2,3,4]", "[-1,2,3,4]", "[\"a\"]", "[null]", "[0.5,1]", "[1,0.5]",
            r#"{"step":1,"layer":2,"what":"loss"}"#, r#"{"step":1,"layer":2,"what":"x"}"#, r#"{"step":1}"#, r#"{"s":[1,2,3,4]}"#,
            r#"{"s":[1,2,3,4],"t":1}"#, r#"{"x":[0.5],"y":[1],"d_in":1,"d_out":2,"classification":true,"n_train":1,"z":0}"#,
            r#"{"cfg":{},"t":1,"m":[],"v":[0.5]}"#, r#"{"cfg":{"lr":"x"},"t":1,"m":[],"v":[]}"#, r#"{"cfg":{},"t":-1,"m":[],"v":[]}"#,
        ];
        let mut texts = vec![json.clone(), format!("{},\"extra\":1}}", &json[..json.len() - 1])];
        let obj = st.as_object().unwrap();
        for key in obj.keys().cloned().chain(["data".to_string(), "halted".to_string()]) {
            let mut m = obj.clone();
            m.remove(&key);
            texts.push(serde_json::to_string(&m).unwrap());
            for v in values {
                let mut m = obj.clone();
                m.insert(key.clone(), serde_json::from_str(v).unwrap_or(serde_json::Value::Null));
                let mut text = serde_json::to_string(&m).unwrap();
                // serde_json::Value cannot hold 1e300 as written, nor u64 > 2^64: splice the text
                text = text.replace(&format!("\"{key}\":{}", serde_json::to_string(&m[&key]).unwrap()), &format!("\"{key}\":{v}"));
                texts.push(text);
            }
        }
        // inside the optimizer and the rng
        for (outer, inner) in [("optimizer", "t"), ("optimizer", "m"), ("optimizer", "cfg"), ("rng", "s")] {
            for v in values {
                let mut m = obj.clone();
                m[outer][inner] = serde_json::from_str(v).unwrap_or(serde_json::Value::Null);
                texts.push(serde_json::to_string(&m).unwrap());
            }
        }
        let strip = |m: String| match m.rfind(" at line ") {
            Some(i) => m[..i].to_string(),
            None => m,
        };
        let mut differ = Vec::new();
        for text in &texts {
            let old = serde_json::from_str::<TrainerState>(text).map_err(|e| strip(e.to_string()));
            let new = json::parse(text).and_then(|j| TrainerState::from_j(&j)).map_err(|(_, m)| m);
            if old != new {
                differ.push(format!("{}\n  serde: {:?}\n  new:   {:?}", text.chars().take(60).collect::<String>(), old.map(|_| ()), new.map(|_| ())));
            }
        }
        assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), texts.len(), differ.join("\n"));
    }
}
