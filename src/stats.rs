//! What one step reports: per-layer statistics of the stream h_l (l = 0 is the stem output,
//! l = 1..=L block l's output) and of dL/dh_l, plus loss, accuracy and divergence.
//! The report is allocated once per trainer and overwritten each step.

use crate::scalar::Scalar;
use serde::{Deserialize, Serialize};

/// One value per stream position l = 0..=L (length depth + 1).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// Mean of h_l over batch and units.
    pub act_mean: Vec<f32>,
    /// Mean of h_l^2 over batch and units (the mean-field q of the stream).
    pub act_mean_sq: Vec<f32>,
    /// Variance of h_l over batch and units: act_mean_sq - act_mean^2.
    pub act_var: Vec<f32>,
    /// Fraction of the block's ReLU units that are off (pre-activation <= 0) for every
    /// sample of the batch; 0 for other activations and for the stem without activation.
    pub dead_frac: Vec<f32>,
    /// Root mean square of dL/dh_l over batch and units (L = the batch-mean loss).
    pub grad_rms: Vec<f32>,
    /// Frobenius norm of the gradient of layer l's Linear weights (all of a block's linears).
    pub weight_grad_norm: Vec<f32>,
    /// Frobenius norm of layer l's Linear weights (after the update).
    pub weight_norm: Vec<f32>,
    /// ||delta W|| / ||W|| of the last update, for layer l's Linear weights.
    pub update_ratio: Vec<f32>,
    /// Number of NaN or Inf entries in h_l and dL/dh_l.
    pub nonfinite: Vec<f32>,
}

impl LayerStats {
    pub fn new(n: usize) -> Self {
        let z = || vec![0.0f32; n];
        LayerStats {
            act_mean: z(),
            act_mean_sq: z(),
            act_var: z(),
            dead_frac: z(),
            grad_rms: z(),
            weight_grad_norm: z(),
            weight_norm: z(),
            update_ratio: z(),
            nonfinite: z(),
        }
    }

    /// The statistics by name, in a fixed order (the JS API's keys).
    pub fn named(&self) -> [(&'static str, &[f32]); 9] {
        [
            ("act_mean", &self.act_mean),
            ("act_mean_sq", &self.act_mean_sq),
            ("act_var", &self.act_var),
            ("dead_frac", &self.dead_frac),
            ("grad_rms", &self.grad_rms),
            ("weight_grad_norm", &self.weight_grad_norm),
            ("weight_norm", &self.weight_norm),
            ("update_ratio", &self.update_ratio),
            ("nonfinite", &self.nonfinite),
        ]
    }
}

/// The head's weight statistics (not part of the per-layer arrays).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct HeadStats {
    pub weight_grad_norm: f32,
    pub weight_norm: f32,
    pub update_ratio: f32,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Divergence {
    /// The step (1-based) at which a non-finite value first appeared.
    pub step: u64,
    /// Stream position 0..=L, or L+1 for the head and the loss.
    pub layer: usize,
    /// Where the non-finite value showed first.
    pub what: DivergenceKind,
}

/// A `&'static` tag rather than a `String`: a run that keeps stepping through NaNs
/// (`stop_on_divergence: false`) reports it on every step without allocating.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DivergenceKind {
    Activation,
    Loss,
    Gradient,
    Parameter,
}

impl DivergenceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DivergenceKind::Activation => "activation",
            DivergenceKind::Loss => "loss",
            DivergenceKind::Gradient => "gradient",
            DivergenceKind::Parameter => "parameter",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    /// Updates applied so far.
    pub step: u64,
    /// Mean loss of this step's batch.
    pub loss: f64,
    /// Fraction of the batch classified correctly (None for regression).
    pub accuracy: Option<f64>,
    /// Global gradient norm before clipping.
    pub grad_norm: f64,
    pub diverged: Option<Divergence>,
    pub layers: LayerStats,
    pub head: HeadStats,
}

impl StepReport {
    pub fn new(depth: usize) -> Self {
        StepReport { step: 0, loss: 0.0, accuracy: None, grad_norm: 0.0, diverged: None, layers: LayerStats::new(depth + 1), head: HeadStats::default() }
    }
}

/// Sums of x and x^2 in f64 with four independent accumulators (a fixed order: the same
/// result on every target, and not one long chain of dependent additions).
fn sums<T: Scalar>(xs: &[T]) -> (f64, f64) {
    let mut s = [0.0f64; 4];
    let mut s2 = [0.0f64; 4];
    let chunks = xs.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            let v = c[l].to_f64();
            s[l] += v;
            s2[l] += v * v;
        }
    }
    let (mut ts, mut ts2) = (0.0, 0.0);
    for &v in tail {
        let v = v.to_f64();
        ts += v;
        ts2 += v * v;
    }
    ((s[0] + s[2]) + (s[1] + s[3]) + ts, (s2[0] + s2[2]) + (s2[1] + s2[3]) + ts2)
}

/// Sum of squares in f64 (the order of `sums`); NaN or Inf if any entry is.
pub fn sum_sq<T: Scalar>(xs: &[T]) -> f64 {
    sums(xs).1
}

/// Number of NaN or Inf entries (only called when a sum came out non-finite).
fn count_nonfinite<T: Scalar>(xs: &[T]) -> usize {
    xs.iter().filter(|v| !v.is_finite()).count()
}

/// Mean, second moment, variance and non-finite count of a buffer. A non-finite entry makes
/// the f64 sums non-finite (f32 squares cannot overflow f64), so finite buffers never pay for
/// the count. The variance takes a second pass around the mean (no cancellation).
pub fn moments<T: Scalar>(xs: &[T]) -> (f64, f64, f64, usize) {
    let n = xs.len().max(1) as f64;
    let (s, s2) = sums(xs);
    if !(s.is_finite() && s2.is_finite()) {
        return (f64::NAN, f64::NAN, f64::NAN, count_nonfinite(xs));
    }
    let mean = s / n;
    let mut d2 = [0.0f64; 4];
    let chunks = xs.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        for l in 0..4 {
            let d = c[l].to_f64() - mean;
            d2[l] += d * d;
        }
    }
    let tail_d2: f64 = tail.iter().map(|&v| { let d = v.to_f64() - mean; d * d }).sum();
    let var = ((d2[0] + d2[2]) + (d2[1] + d2[3]) + tail_d2) / n;
    (mean, s2 / n, var, 0)
}

/// RMS and non-finite count (one pass).
pub fn rms<T: Scalar>(xs: &[T]) -> (f64, usize) {
    let n = xs.len().max(1) as f64;
    let (s, s2) = sums(xs);
    if !(s.is_finite() && s2.is_finite()) {
        return (f64::NAN, count_nonfinite(xs));
    }
    ((s2 / n).sqrt(), 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_and_rms_against_direct_formulas() {
        let xs: Vec<f32> = (0..37).map(|i| (i as f32 * 0.37).sin() * 3.0 + 1.0).collect();
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&v| v as f64).sum::<f64>() / n;
        let ms = xs.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / n;
        let var = xs.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        let (m, q, v, bad) = moments(&xs);
        assert!((m - mean).abs() < 1e-12 && (q - ms).abs() < 1e-12 && (v - var).abs() < 1e-12 && bad == 0);
        assert!((rms(&xs).0 - ms.sqrt()).abs() < 1e-12);
        let mut ys = xs.clone();
        ys[5] = f32::NAN;
        ys[30] = f32::INFINITY;
        ys[31] = f32::NEG_INFINITY;
        assert_eq!(moments(&ys).3, 3);
        assert_eq!(rms(&ys).1, 3);
    }
}
