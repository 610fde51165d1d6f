//! Datasets. Built-in ones are generated from the trainer's seeded `Rng`; custom data comes
//! from the caller and is validated. Points are stored row-major `[n][d_in]` (as a caller
//! passes them); the first `n_train` rows are the training set, the rest the test set.

use crate::config::{Config, DatasetName, MAX_CLASSES, MAX_DATA, MAX_INPUT_DIM};
use crate::error::{num, LabError, Result};
use crate::rng::Rng;
use std::f64::consts::PI;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dataset {
    /// `[n][d_in]` row-major.
    pub x: Vec<f32>,
    /// Class index per point (classification) or `[n][d_out]` targets (regression).
    pub y: Vec<f32>,
    pub d_in: usize,
    /// Classes (classification) or target dimension (regression).
    pub d_out: usize,
    pub classification: bool,
    pub n_train: usize,
}

impl Dataset {
    pub fn n(&self) -> usize {
        self.x.len() / self.d_in
    }

    /// Generates a built-in dataset: `n` points, shuffled, split by `test_fraction`. The digits
    /// are read, not generated: all 1,797, in a split that no seed changes (`digits.rs`).
    pub fn generate(cfg: &Config, rng: &mut Rng) -> Dataset {
        let d = &cfg.data;
        if d.name == DatasetName::Digits {
            return crate::digits::dataset(d.test_fraction);
        }
        let n = d.n;
        let noise = d.noise;
        let k = cfg.builtin_classes();
        let mut pts: Vec<([f64; 2], f64)> = Vec::with_capacity(n);
        for i in 0..n {
            let p = match d.name {
                DatasetName::Spiral => {
                    // Arm c of k, radius t in [0, 1), 1.5 turns; coordinates jittered by
                    // N(0, (noise t)^2), so the arms stay apart near the centre where they meet.
                    let c = i % k;
                    let t = (i / k) as f64 / (n.div_ceil(k)) as f64;
                    let theta = 2.0 * PI * c as f64 / k as f64 + 3.0 * PI * t;
                    let s = noise * t;
                    ([t * libm::cos(theta) + s * rng.normal(), t * libm::sin(theta) + s * rng.normal()], c as f64)
                }
                DatasetName::Circles => {
                    // Class 0 on the circle of radius 0.5, class 1 on radius 1.
                    let c = i % 2;
                    let r = if c == 0 { 0.5 } else { 1.0 };
                    let a = rng.uniform_in(0.0, 2.0 * PI);
                    ([r * libm::cos(a) + noise * rng.normal(), r * libm::sin(a) + noise * rng.normal()], c as f64)
                }
                DatasetName::Xor => {
                    let (u, v) = (rng.uniform_in(-1.0, 1.0), rng.uniform_in(-1.0, 1.0));
                    let c = ((u > 0.0) != (v > 0.0)) as usize;
                    ([u + noise * rng.normal(), v + noise * rng.normal()], c as f64)
                }
                DatasetName::Blobs => {
                    // k Gaussian blobs of std `noise` around points on the circle of radius 0.7.
                    let c = i % k;
                    let a = 2.0 * PI * c as f64 / k as f64;
                    ([0.7 * libm::cos(a) + noise * rng.normal(), 0.7 * libm::sin(a) + noise * rng.normal()], c as f64)
                }
                DatasetName::Regression => {
                    // y = sin(3x) + N(0, noise^2), x uniform in [-1, 1].
                    let x = rng.uniform_in(-1.0, 1.0);
                    ([x, 0.0], libm::sin(3.0 * x) + noise * rng.normal())
                }
                DatasetName::Custom => unreachable!("custom data comes from set_data"),
                DatasetName::Digits => unreachable!("digits are read above"),
            };
            pts.push(p);
        }
        rng.shuffle(&mut pts);
        let regression = d.name == DatasetName::Regression;
        let d_in = if regression { 1 } else { 2 };
        let mut x = Vec::with_capacity(n * d_in);
        let mut y = Vec::with_capacity(n);
        for (p, label) in &pts {
            x.extend(p[..d_in].iter().map(|&v| v as f32));
            y.push(*label as f32);
        }
        Dataset { x, y, d_in, d_out: if regression { 1 } else { k }, classification: !regression, n_train: split(n, d.test_fraction) }
    }

    /// Validates caller-supplied data. `x` is `[n][d_in]` row-major; `y` holds n class indices
    /// (classification) or `[n][d_out]` targets (regression). The points are used in the
    /// order given: the first `n_train` for training.
    pub fn custom(x: Vec<f32>, y: Vec<f32>, d_in: usize, classification: bool, test_fraction: f64) -> Result<Dataset> {
        if d_in == 0 || d_in > MAX_INPUT_DIM {
            return Err(LabError::invalid("d_in", format!("{d_in} is out of range; allowed 1 to {MAX_INPUT_DIM}")));
        }
        if x.is_empty() || x.len() % d_in != 0 {
            return Err(LabError::invalid("x", format!("length {} is not a positive multiple of d_in = {d_in}", x.len())));
        }
        let n = x.len() / d_in;
        if !(4..=MAX_DATA).contains(&n) {
            return Err(LabError::invalid("x", format!("{n} points; allowed 4 to {MAX_DATA} (as data.n)")));
        }
        if let Some(i) = x.iter().position(|v| !v.is_finite()) {
            return Err(LabError::invalid("x", format!("x[{i}] = {} is not finite", num(x[i]))));
        }
        if let Some(i) = y.iter().position(|v| !v.is_finite()) {
            return Err(LabError::invalid("y", format!("y[{i}] = {} is not finite", num(y[i]))));
        }
        let d_out = if classification {
            if y.len() != n {
                return Err(LabError::invalid("y", format!("length {} must equal the number of points {n} (one class index each)", y.len())));
            }
            if let Some(i) = y.iter().position(|&v| v < 0.0 || v.fract() != 0.0 || v >= MAX_CLASSES as f32) {
                return Err(LabError::invalid("y", format!("y[{i}] = {} is not a class index in 0 to {}", num(y[i]), MAX_CLASSES - 1)));
            }
            (y.iter().fold(0.0f32, |m, &v| m.max(v)) as usize + 1).max(2)
        } else {
            if y.is_empty() || y.len() % n != 0 {
                return Err(LabError::invalid("y", format!("length {} must be a positive multiple of the number of points {n}", y.len())));
            }
            let d_out = y.len() / n;
            if d_out > MAX_CLASSES {
                return Err(LabError::invalid("y", format!("{d_out} targets per point; allowed 1 to {MAX_CLASSES}")));
            }
            d_out
        };
        Ok(Dataset { x, y, d_in, d_out, classification, n_train: split(n, test_fraction) })
    }
}

/// Training points for a test fraction: at least one of each side when possible.
pub(crate) fn split(n: usize, test_fraction: f64) -> usize {
    let n_test = (n as f64 * test_fraction).round() as usize;
    if test_fraction > 0.0 { n - n_test.clamp(1, n - 1) } else { n }
}
