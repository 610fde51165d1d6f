//! What the experiments share: the summary types, a training run that advances in slices and
//! records its curve, and orthogonal weights of a chosen scale.

use crate::config::Config;
use crate::error::Result;
use crate::params::Role;
use crate::rng::Rng;
use crate::trainer::Trainer;
use serde::{Deserialize, Serialize};

use super::{Job, UnitResult};

/// One headline number: what the paper reported beside what this run measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable name (tests and the page look findings up by it).
    pub key: String,
    /// What the number is, in words.
    pub label: String,
    /// The paper's (or the theory's) value, as text: "6", "about 0.4", "chance".
    pub paper: String,
    pub measured: f64,
}

/// A curve to draw beside the measurement (a theory line, a fitted boundary).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NamedCurve {
    pub name: String,
    pub x: Vec<f64>,
    pub y: Vec<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub findings: Vec<Finding>,
    pub curves: Vec<NamedCurve>,
}

impl Summary {
    pub fn finding(&self, key: &str) -> Option<f64> {
        self.findings.iter().find(|f| f.key == key).map(|f| f.measured)
    }
}

pub(super) fn finding(key: &str, label: impl Into<String>, paper: impl Into<String>, measured: f64) -> Finding {
    Finding { key: key.into(), label: label.into(), paper: paper.into(), measured }
}

/// A training curve: the training split's mean loss and accuracy (BatchNorm on running
/// statistics) after `step` updates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Curve {
    pub step: Vec<f64>,
    pub loss: Vec<f64>,
    pub accuracy: Vec<f64>,
}

impl Curve {
    /// Mean of the last quarter of the recorded training losses (the curve's noise averaged);
    /// NaN for a net that diverged.
    pub fn final_loss(&self, diverged: bool) -> f64 {
        if diverged { f64::NAN } else { tail(&self.loss) }
    }
}

/// A unit that is one training run: its result is `out` with what the run measured so far
/// written in by `fill` when it is read (the curve is copied then, not after every slice).
pub struct RunJob<T> {
    run: TrainRun,
    out: T,
    fill: fn(&TrainRun, &mut T),
    wrap: fn(T) -> UnitResult,
}

impl<T> RunJob<T> {
    pub(super) fn new(run: TrainRun, out: T, fill: fn(&TrainRun, &mut T), wrap: fn(T) -> UnitResult) -> RunJob<T> {
        RunJob { run, out, fill, wrap }
    }
}

impl<T: Clone> Job for RunJob<T> {
    fn advance(&mut self) -> Result<bool> {
        self.run.advance()
    }
    fn progress(&self) -> f64 {
        self.run.progress()
    }
    fn result(&self) -> UnitResult {
        let mut out = self.out.clone();
        (self.fill)(&self.run, &mut out);
        (self.wrap)(out)
    }
}

/// A trainer run for `total` steps in slices of `every`, evaluating the training split after
/// each slice (and at step 0). Stops early at a divergence, or once the training accuracy
/// reaches `stop_at_accuracy`.
pub(super) struct TrainRun {
    pub trainer: Trainer,
    pub total: usize,
    pub every: usize,
    pub curve: Curve,
    pub diverged: bool,
    pub stop_at_accuracy: Option<f64>,
    /// The first step at which the training accuracy was at least `stop_at_accuracy`.
    pub reached_at: Option<usize>,
    /// Divide the learning rate by 10 at half and at three quarters of the steps (He et al.
    /// 2016's schedule), so the final loss is not the learning rate's noise floor.
    pub lr_drops: bool,
    /// Train the first `warmup` steps at a tenth of the learning rate (He et al. 2016 warm up
    /// their 110-layer net so).
    pub warmup: usize,
    base_lr: f64,
    done: usize,
    finished: bool,
}

impl TrainRun {
    pub fn new(config: Config, total: usize, every: usize) -> Result<TrainRun> {
        let trainer = Trainer::new(config)?;
        Ok(TrainRun::from_trainer(trainer, total, every))
    }

    pub fn from_trainer(trainer: Trainer, total: usize, every: usize) -> TrainRun {
        let base_lr = trainer.config.optimizer.lr;
        let mut run = TrainRun { trainer, total, every: every.max(1), curve: Curve::default(), diverged: false, stop_at_accuracy: None, reached_at: None, lr_drops: false, warmup: 0, base_lr, done: 0, finished: false };
        // A BatchNorm net's running statistics are meaningless before training: no step-0 point.
        if run.trainer.config.model.norm != crate::config::NormKind::Batch {
            run.record();
        }
        run
    }

    fn record(&mut self) {
        let e = self.trainer.evaluate().train;
        self.curve.step.push(self.done as f64);
        self.curve.loss.push(e.loss);
        let acc = e.accuracy.unwrap_or(f64::NAN);
        self.curve.accuracy.push(acc);
        if let Some(target) = self.stop_at_accuracy {
            if acc >= target && self.reached_at.is_none() {
                self.reached_at = Some(self.done);
            }
        }
    }

    /// Trains the next slice; true when the run is over.
    pub fn advance(&mut self) -> crate::error::Result<bool> {
        if self.finished {
            return Ok(true);
        }
        // Slices end where the learning rate changes; each slice runs at the rate of its start.
        let mut n = self.every.min(self.total - self.done);
        for c in self.lr_changes() {
            if self.done < c {
                n = n.min(c - self.done);
            }
        }
        let lr = self.lr_at(self.done);
        if lr != self.trainer.config.optimizer.lr {
            self.trainer.set_lr(lr)?;
        }
        if n > 0 {
            let r = self.trainer.train(n);
            self.diverged = r.diverged.is_some();
            self.done = self.trainer.step_count() as usize;
            if self.diverged {
                self.finished = true;
                return Ok(true);
            }
            self.record();
        }
        self.finished = self.done >= self.total || self.reached_at.is_some();
        Ok(self.finished)
    }

    /// The steps at which the scheduled learning rate changes: the end of the warm-up and the
    /// two drops (`usize::MAX`: no drop).
    fn lr_changes(&self) -> [usize; 3] {
        let drop = |step: usize| if self.lr_drops { step } else { usize::MAX };
        [self.warmup, drop(self.total / 2), drop(self.total * 3 / 4)]
    }

    /// The scheduled learning rate at `step`: a tenth during the warm-up, a tenth more after
    /// each drop.
    fn lr_at(&self, step: usize) -> f64 {
        let [warmup, drops @ ..] = self.lr_changes();
        let mut lr = if step < warmup { self.base_lr / 10.0 } else { self.base_lr };
        for drop in drops {
            if step >= drop {
                lr /= 10.0;
            }
        }
        lr
    }

    pub fn steps_done(&self) -> usize {
        self.done
    }

    pub fn progress(&self) -> f64 {
        if self.finished { 1.0 } else { self.done as f64 / self.total.max(1) as f64 }
    }

    pub fn last_loss(&self) -> f64 {
        *self.curve.loss.last().unwrap_or(&f64::NAN)
    }

    pub fn last_accuracy(&self) -> f64 {
        *self.curve.accuracy.last().unwrap_or(&f64::NAN)
    }
}

/// Replaces every block's Linear weights (layers 1..=L) with sqrt(sw2) times a Haar-random
/// orthogonal matrix, and their biases with N(0, sb2) draws: orthogonal weights of the mean-field
/// scale sw2 (entries of variance sw2 / W, as a Gaussian init with that s_w^2), which the
/// config's `orthogonal` init offers only at the gain its activation implies.
pub(super) fn orthogonal_blocks(trainer: &mut Trainer, sw2: f64, sb2: f64, seed: u64) {
    let mut rng = Rng::new(seed);
    let net = &mut trainer.net;
    let depth = net.blocks.len();
    let infos = net.infos.clone();
    for info in infos.iter().filter(|i| (1..=depth).contains(&i.layer)) {
        match info.role {
            Role::Weight => {
                let (rows, cols) = (info.shape[0], info.shape[1]);
                let mut w = vec![0.0f64; rows * cols];
                crate::init::orthogonal(&mut w, rows, cols, sw2.sqrt(), &mut rng);
                for (p, v) in info.span.of_mut(&mut net.params).iter_mut().zip(&w) {
                    *p = *v as f32;
                }
            }
            Role::Bias => {
                for p in info.span.of_mut(&mut net.params) {
                    *p = (sb2.sqrt() * rng.normal()) as f32;
                }
            }
            _ => {}
        }
    }
    trainer.refresh_param_sq();
    trainer.fill_weight_norms();
}

/// Mean of the last quarter of a curve's values (at least the last one; NaN when empty): a
/// final loss with the step-to-step noise averaged.
pub fn tail(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let t = &values[values.len() - (values.len() / 4).max(1)..];
    t.iter().sum::<f64>() / t.len() as f64
}

/// Mean of the finite values (NaN if there are none).
pub(super) fn mean(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut n) = (0.0, 0usize);
    for x in xs {
        if x.is_finite() {
            s += x;
            n += 1;
        }
    }
    if n > 0 { s / n as f64 } else { f64::NAN }
}

/// Least-squares slope of y on x.
pub(super) fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    sxy / sxx
}
