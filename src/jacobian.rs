//! The input-output Jacobian of the residual stream, J = dh_L/dh_0 (W x W), and its singular
//! values (dynamical isometry, Pennington et al. 2017: trainable deep nets keep the squared
//! singular values of J concentrated around 1).
//!
//! J is built by backpropagating the basis vectors e_i from h_L: each gives J^T e_i, the i-th
//! row of J. The basis vectors ride in the batch dimension (the same input repeated), with
//! BatchNorm applying fixed statistics so that the samples do not interact.
//!
//! Which statistics: [`stream_jacobian`] uses BatchNorm's running statistics (eval mode), which
//! are (0, 1) at init, so there BatchNorm is the identity and the spectrum would be that of an
//! un-normalized net. [`stream_jacobian_at_batch`] instead holds each BatchNorm at the mean and
//! variance of a given batch (the trainer's probe batch): J is then the Jacobian of the map
//! the train-mode forward applies to one example of that batch, with the batch statistics
//! treated as constants. The full per-example derivative would add, per BatchNorm layer, the
//! example's own effect on its batch's mean and variance, a correction of relative size
//! 1/batch; holding them fixed keeps J a property of the function the layers compute (as in
//! eval mode, but with the statistics the net actually trains with), and it is the map whose
//! depth profile the probe's gradient statistics measure. LayerNorm and RMSNorm are per
//! example and enter J in full either way.

use crate::norm::Mode;
use crate::scalar::Scalar;
use crate::net::Network;
use nalgebra::DMatrix;

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Spectrum {
    /// Singular values of J, largest first (W of them).
    pub singular_values: Vec<f64>,
    /// Largest singular value.
    pub max: f64,
    /// Mean of the squared singular values, tr(J^T J)/W.
    pub mean_sq: f64,
    /// Var(s^2) / mean(s^2)^2: 0 for perfect isometry (all s equal).
    pub normalized_var: f64,
}

impl Spectrum {
    pub fn of(j: &DMatrix<f64>) -> Spectrum {
        // Unordered: nalgebra's own ordering panics on a NaN singular value and is one more
        // sort in the wasm; this is the same sort as sweep.rs's (one instantiation).
        let mut s: Vec<f64> = j.singular_values_unordered().iter().copied().collect();
        s.sort_unstable_by(f64::total_cmp);
        s.reverse();
        let n = s.len().max(1) as f64;
        let mean_sq = s.iter().map(|v| v * v).sum::<f64>() / n;
        let var = s.iter().map(|v| (v * v - mean_sq).powi(2)).sum::<f64>() / n;
        Spectrum {
            max: s.first().copied().unwrap_or(0.0),
            mean_sq,
            normalized_var: if mean_sq > 0.0 { var / (mean_sq * mean_sq) } else { 0.0 },
            singular_values: s,
        }
    }
}

/// J = dh_L/dh_0 at the input `x` with every BatchNorm held at the statistics of `batch_x`
/// (`batch` samples, `(batch, d_in)` column-major): see the module notes. The running
/// statistics and the parameter gradients are restored afterwards. Without BatchNorm this is
/// [`stream_jacobian`].
pub fn stream_jacobian_at_batch<T: Scalar>(net: &mut Network<T>, x: &[T], batch_x: &[T], batch: usize) -> DMatrix<f64> {
    let saved: Vec<(Vec<f64>, Vec<f64>)> = net.norms().iter().map(|n| (n.running_mean.clone(), n.running_var.clone())).collect();
    if saved.iter().any(|(mean, _)| !mean.is_empty()) {
        net.forward(batch_x, batch, Mode::Hold, 0.0);
    }
    let j = stream_jacobian(net, x);
    for (norm, (mean, var)) in net.norms_mut().into_iter().zip(saved) {
        norm.running_mean = mean;
        norm.running_var = var;
    }
    j
}

/// J = dh_L/dh_0 at the input `x` (one sample, d_in values), with BatchNorm at its running
/// statistics. Uses `net.capacity` samples per pass; parameter gradients are restored
/// afterwards.
pub fn stream_jacobian<T: Scalar>(net: &mut Network<T>, x: &[T]) -> DMatrix<f64> {
    let w = net.width();
    let d_in = net.d_in;
    let cap = net.capacity;
    let saved_grads = net.grads.clone();
    let mut j = DMatrix::<f64>::zeros(w, w);
    let mut xs = vec![T::ZERO; cap * d_in];
    let mut d_top = vec![T::ZERO; cap * w];
    let mut d_bottom = vec![T::ZERO; cap * w];
    let mut i0 = 0;
    while i0 < w {
        let b = cap.min(w - i0);
        for f in 0..d_in {
            xs[f * b..(f + 1) * b].fill(x[f]);
        }
        net.forward(&xs[..b * d_in], b, Mode::Eval, 0.1);
        d_top[..b * w].fill(T::ZERO);
        for k in 0..b {
            d_top[k + (i0 + k) * b] = T::ONE; // sample k carries e_{i0+k}
        }
        net.stream_backward(&d_top[..b * w], &mut d_bottom[..b * w], b);
        for k in 0..b {
            for u in 0..w {
                j[(i0 + k, u)] = d_bottom[k + u * b].to_f64();
            }
        }
        i0 += b;
    }
    net.grads = saved_grads;
    j
}
