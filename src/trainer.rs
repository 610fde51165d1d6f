//! The trainer: owns the network, optimizer, data and the one seeded RNG. `step` trains on the
//! next mini-batch (reshuffled every epoch) and returns the per-layer report; nothing is
//! allocated per step once the trainer is built.

use crate::config::{Config, DatasetName};
use crate::data::Dataset;
use crate::error::{LabError, Result};
use crate::error::num;
use crate::loss::{mean_squared_error, softmax_cross_entropy};
use crate::net::Network;
use crate::norm::Mode;
use crate::optim::Optimizer;
use crate::rng::Rng;
use serde::Serialize;
use crate::stats::{moments, rms, sum_sq, Divergence, DivergenceKind, StepReport};

pub struct Trainer {
    pub config: Config,
    pub net: Network<f32>,
    pub optimizer: Optimizer,
    pub data: Dataset,
    pub(crate) rng: Rng,
    /// Training-set indices in this epoch's order, and the position of the next batch.
    pub(crate) order: Vec<u32>,
    pub(crate) cursor: usize,
    pub(crate) step: u64,
    pub(crate) halted: Option<Divergence>,
    /// The first divergence of a run that keeps stepping (`stop_on_divergence: false`).
    pub(crate) first_divergence: Option<Divergence>,
    pub(crate) report: StepReport,
    // Preallocated batch buffers, `(batch, features)` column-major.
    x_batch: Vec<f32>,
    labels: Vec<u32>,
    targets: Vec<f32>,
    d_out_grad: Vec<f32>,
    /// ||delta||^2 per parameter tensor, from the optimizer.
    update_sq: Vec<f64>,
    /// ||p||^2 per parameter tensor (from the optimizer's pass, or `refresh_param_sq`).
    pub(crate) param_sq: Vec<f64>,
    /// ||grad||^2 per parameter tensor, from the last backward pass.
    grad_sq: Vec<f64>,
}

/// Loss and accuracy over a whole split.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SplitMetrics {
    pub loss: f64,
    pub accuracy: Option<f64>,
    pub n: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Evaluation {
    pub train: SplitMetrics,
    pub test: SplitMetrics,
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
        let mut config = config;
        if config.data.name == DatasetName::Digits {
            // The config says what the data is: all the images, ten classes.
            config.data.n = data.n();
            config.data.classes = data.d_out;
        }
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

    pub(crate) fn build(config: Config, data: Dataset, mut rng: Rng) -> Trainer {
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

    /// Gathers the probe batch: the first `batch_size` training points (fewer if the split is
    /// smaller). Returns its size.
    fn gather_probe_batch(&mut self) -> usize {
        self.gather(0..self.config.batch_size.min(self.data.n_train))
    }

    /// The probe batch's inputs, `(batch, d_in)` column-major, and its size: the batch
    /// `probe()` measures, for the probes of `probes.rs`.
    pub fn probe_inputs(&mut self) -> (Vec<f32>, usize) {
        let b = self.gather_probe_batch();
        (self.x_batch[..b * self.data.d_in].to_vec(), b)
    }

    /// Forward, loss and its gradient on the gathered batch, with the blocks flagged in
    /// `removed` deleted (none when it is empty). Returns (loss, correct).
    fn forward_loss(&mut self, batch: usize, mode: Mode, removed: &[bool]) -> (f64, usize) {
        let skip = |l: usize| removed.get(l).copied().unwrap_or(false);
        let out = self.net.forward_skipping(&self.x_batch[..batch * self.data.d_in], batch, mode, self.config.bn_momentum, skip);
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
        let batch = self.gather_probe_batch();
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
        let (loss, correct) = self.forward_loss(batch, mode, &[]);
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
    pub(crate) fn refresh_param_sq(&mut self) {
        tensor_sq(&self.net.infos, &self.net.params, &mut self.param_sq);
    }

    /// Weight norms and update ratios (from the optimizer's last update) per layer.
    pub(crate) fn fill_weight_norms(&mut self) {
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
        Evaluation { train: self.evaluate_rows(0, n_train, &[]), test: self.evaluate_rows(n_train, n, &[]) }
    }

    /// Mean loss and accuracy over data rows `from..to`, with the blocks flagged in `removed`
    /// (none when empty; else one flag per block, checked by `lesion.rs`) deleted.
    pub(crate) fn evaluate_rows(&mut self, from: usize, to: usize, removed: &[bool]) -> SplitMetrics {
        let cap = self.config.batch_size;
        let (mut loss_sum, mut correct) = (0.0, 0usize);
        let mut start = from;
        while start < to {
            let end = (start + cap).min(to);
            let batch = self.gather(start..end);
            let (loss, c) = self.forward_loss(batch, Mode::Eval, removed);
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
            return Err(LabError::invalid("x", format!("x[{i}] = {} is not finite", num(x[i]))));
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
            return Err(LabError::invalid("bounds", format!("[{}, {}, {}, {}] must be finite with xmin < xmax and ymin < ymax", num(x0), num(x1), num(y0), num(y1))));
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
        let b = self.gather_probe_batch();
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
                return Err(LabError::invalid(name.clone(), format!("value {i} is {} (not finite)", num(vals[i]))));
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
}

/// out[k] = ||buf's span of tensor k||^2, for every parameter tensor.
fn tensor_sq(infos: &[crate::params::ParamInfo], buf: &[f32], out: &mut [f64]) {
    for (sq, info) in out.iter_mut().zip(infos) {
        *sq = sum_sq(info.span.of(buf));
    }
}
