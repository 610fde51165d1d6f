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

/// Entries per block of the f32 statistics: summed in f32 (four lanes, which vectorize), then
/// the block sums are added in f64. A block of 64 keeps the relative rounding of a sum below
/// 16 * 2^-24 = 1e-6, far under what the charts show, at a third of the cost of f64 per entry.
pub const BLOCK: usize = 64;

/// Sums of x and x^2: for f32, in blocks (see `BLOCK`); a block whose f32 sum of squares
/// overflows is summed again in f64, so the result is finite exactly when every entry is (an
/// f32 square overflows f32 from 1.8e19, never f64; while the squares are finite, 64 entries
/// cannot overflow the plain sum). The same order on every target.
fn sums<T: Scalar>(xs: &[T]) -> (f64, f64) {
    match T::as_f32(xs) {
        Some(xs32) => shifted_sums(xs32, 0.0),
        None => sums_f64(xs),
    }
}

/// Sums of d = x - k and d^2 over f32 entries: f32 within blocks of `BLOCK`, f64 across them.
/// An infinite block sum of squares may be an f32 overflow of finite entries: that block is
/// redone in f64 (an infinite entry stays infinite). A NaN one comes from a NaN entry, which
/// f64 cannot fix.
fn shifted_sums(xs: &[f32], k: f32) -> (f64, f64) {
    let (mut d, mut d2) = (0.0f64, 0.0f64);
    for block in xs.chunks(BLOCK) {
        let (b, b2) = block_sums(block, k);
        if b2 != f32::INFINITY {
            d += b as f64;
            d2 += b2 as f64;
        } else {
            for &v in block {
                let dv = v as f64 - k as f64;
                d += dv;
                d2 += dv * dv;
            }
        }
    }
    (d, d2)
}

/// f32 sums of (x - shift) and (x - shift)^2 over a block, in four lanes (explicit vectors:
/// left to itself the compiler pairs each sum with its square instead of four entries).
#[inline(always)]
fn block_sums(block: &[f32], shift: f32) -> (f32, f32) {
    use crate::simd::{add, from_array, mul, splat, to_array};
    let (mut a, mut a2) = (splat(0.0), splat(0.0));
    let neg = splat(-shift); // x + (-s) is x - s exactly
    let quads = block.chunks_exact(4);
    let tail = quads.remainder();
    for q in quads {
        let d = add(from_array([q[0], q[1], q[2], q[3]]), neg);
        a = add(a, d);
        a2 = add(a2, mul(d, d));
    }
    let (mut a, mut a2) = (to_array(a), to_array(a2));
    for (l, &v) in tail.iter().enumerate() {
        let d = v - shift;
        a[l] += d;
        a2[l] += d * d;
    }
    (crate::simd::sum4(a), crate::simd::sum4(a2))
}

/// Sums of x and x^2 in f64 with four independent accumulators.
fn sums_f64<T: Scalar>(xs: &[T]) -> (f64, f64) {
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
/// the count. f32 buffers (the trainer's) take one pass (`moments_f32`); f64 buffers a second
/// pass around the mean.
pub fn moments<T: Scalar>(xs: &[T]) -> (f64, f64, f64, usize) {
    let n = xs.len().max(1) as f64;
    if let Some(xs32) = T::as_f32(xs) {
        return moments_f32(xs32, n);
    }
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

/// `moments` of f32 entries in one pass: sums of d = x - K and d^2 around K = xs[0], in f32
/// blocks (`BLOCK`). K is one of the values, so |mean - K| is of the order of the spread and
/// var = E[d^2] - E[d]^2 does not cancel; E[x^2] = var + mean^2 adds two positive terms. The
/// relative error grows with ((mean - K) / sd)^2: 1e-7 typically, 1e-3 when the first value
/// lies 20 standard deviations out (tested).
fn moments_f32(xs: &[f32], n: f64) -> (f64, f64, f64, usize) {
    let k = xs.first().copied().unwrap_or(0.0);
    let (d, d2) = shifted_sums(xs, k);
    if !(k.is_finite() && d.is_finite() && d2.is_finite()) {
        return (f64::NAN, f64::NAN, f64::NAN, count_nonfinite(xs));
    }
    let (mean_d, mean_d2) = (d / n, d2 / n);
    let mean = k as f64 + mean_d;
    let var = (mean_d2 - mean_d * mean_d).max(0.0);
    (mean, var + mean * mean, var, 0)
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

    /// Mean, second moment and variance in f64 straight from the definitions.
    fn direct(xs: &[f32]) -> (f64, f64, f64) {
        let n = xs.len() as f64;
        let mean = xs.iter().map(|&v| v as f64).sum::<f64>() / n;
        let ms = xs.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / n;
        let var = xs.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
        (mean, ms, var)
    }

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-30)
    }

    #[test]
    fn moments_and_rms_against_direct_formulas() {
        // Shorter than a block, several blocks with a ragged tail, and values whose f32 squares
        // overflow (1e20^2 > f32::MAX), which must still give finite f64 moments.
        for xs in [
            (0..37).map(|i| (i as f32 * 0.37).sin() * 3.0 + 1.0).collect::<Vec<f32>>(),
            (0..1003).map(|i| (i as f32 * 0.11).cos() * 2.0 - 0.5).collect(),
            (0..300).map(|i| if i % 7 == 0 { 1e20 } else { i as f32 }).collect(),
        ] {
            let (mean, ms, var) = direct(&xs);
            let (m, q, v, bad) = moments(&xs);
            // f32 block sums: relative rounding below 16 * 2^-24 per block (see BLOCK).
            assert!(close(m, mean, 2e-6) && close(q, ms, 2e-6) && close(v, var, 2e-6) && bad == 0, "{m} {q} {v} vs {mean} {ms} {var}");
            assert!(close(rms(&xs).0, ms.sqrt(), 2e-6));
            assert!(close(sum_sq(&xs), ms * xs.len() as f64, 2e-6));
        }
        let mut ys: Vec<f32> = (0..37).map(|i| i as f32).collect();
        ys[5] = f32::NAN;
        ys[30] = f32::INFINITY;
        ys[31] = f32::NEG_INFINITY;
        assert_eq!(moments(&ys).3, 3);
        assert_eq!(rms(&ys).1, 3);
        // f64 buffers (the gradient checks) are summed in f64 throughout.
        let zs: Vec<f64> = (0..37).map(|i| (i as f64 * 0.37).sin() * 3.0 + 1.0).collect();
        let zs32: Vec<f32> = zs.iter().map(|&v| v as f32).collect();
        let mean = zs.iter().sum::<f64>() / 37.0;
        assert!((moments(&zs).0 - mean).abs() < 1e-14 && close(moments(&zs).2, direct(&zs32).2, 1e-6));
    }

    /// A large mean and a small spread: the sums around the first value keep their precision;
    /// and a first value far out in the tail (20 standard deviations) costs three digits.
    #[test]
    fn variance_without_cancellation() {
        let xs: Vec<f32> = (0..500).map(|i| 1000.0 + 1e-3 * ((i % 11) as f32 - 5.0)).collect();
        let (_, ms, var) = direct(&xs);
        let (_, q, v, _) = moments(&xs);
        assert!(close(v, var, 1e-4) && close(q, ms, 1e-6), "{v} vs {var}, {q} vs {ms}");
        let mut ys: Vec<f32> = (0..500).map(|i| (i as f32 * 0.7).sin()).collect();
        ys[0] = 20.0 * 0.7;
        let (_, _, var) = direct(&ys);
        assert!(close(moments(&ys).2, var, 1e-3), "{} vs {var}", moments(&ys).2);
    }
}
