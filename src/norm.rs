//! Normalization layers with a learnable gain and bias: BatchNorm (statistics over the batch,
//! per unit), LayerNorm and RMSNorm (statistics over the units, per sample).
//! Forward and backward side by side; the cache holds the normalized input and 1/std.
//!
//! Batch layout as everywhere: `(batch, width)` column-major, element (b, u) at `b + u*batch`.

use crate::config::NormKind;
use crate::params::Span;
use crate::scalar::Scalar;

pub const NORM_EPS: f64 = 1e-5;

/// Which statistics a forward pass uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Batch statistics; BatchNorm updates its running statistics.
    Train,
    /// Batch statistics; nothing is updated (the lab's probe).
    Probe,
    /// Running statistics (BatchNorm); what `evaluate` and `predict` use.
    Eval,
    /// Batch statistics, which BatchNorm then stores as its running statistics (the biased
    /// variance the forward divides by), so that an `Eval` forward applies exactly this batch's
    /// affine map to other inputs (`jacobian.rs`). The caller saves and restores the running
    /// statistics around it.
    Hold,
}

#[derive(Clone, Debug)]
pub struct Norm {
    pub kind: NormKind,
    pub width: usize,
    pub gain: Span,
    pub bias: Span,
    /// BatchNorm running mean and variance (unbiased), per unit.
    pub running_mean: Vec<T64>,
    pub running_var: Vec<T64>,
    /// Normalized input x_hat, `(batch, width)`.
    xhat: Vec<T64>,
    /// 1/sqrt(var + eps): per unit (batch norm, or running in eval) or per sample (layer, rms).
    inv_std: Vec<T64>,
    /// Whether the last forward used running statistics (its backward is then a plain scale).
    used_running: bool,
}

/// Norm caches are kept in f64: they are O(width * batch), cheap next to the matmuls, and it
/// keeps one non-generic struct. Inputs and outputs are in the network's scalar.
type T64 = f64;

impl Norm {
    pub fn new(kind: NormKind, width: usize, capacity: usize, gain: Span, bias: Span) -> Self {
        assert!(kind != NormKind::None);
        let stat_len = width.max(capacity);
        Norm {
            kind,
            width,
            gain,
            bias,
            running_mean: vec![0.0; if kind == NormKind::Batch { width } else { 0 }],
            running_var: vec![1.0; if kind == NormKind::Batch { width } else { 0 }],
            xhat: vec![0.0; width * capacity],
            inv_std: vec![0.0; stat_len],
            used_running: false,
        }
    }

    pub fn forward<T: Scalar>(&mut self, params: &[T], x: &[T], y: &mut [T], batch: usize, mode: Mode, bn_momentum: f64) {
        let w = self.width;
        let eps = NORM_EPS;
        self.used_running = false;
        match self.kind {
            NormKind::None => unreachable!(),
            NormKind::Batch if mode == Mode::Eval => {
                self.used_running = true;
                for u in 0..w {
                    let inv = 1.0 / (self.running_var[u] + eps).sqrt();
                    self.inv_std[u] = inv;
                    let mu = self.running_mean[u];
                    for b in 0..batch {
                        self.xhat[b + u * batch] = (x[b + u * batch].to_f64() - mu) * inv;
                    }
                }
            }
            NormKind::Batch => {
                let n = batch as f64;
                for u in 0..w {
                    let col = &x[u * batch..(u + 1) * batch];
                    let mu = col.iter().map(|v| v.to_f64()).sum::<f64>() / n;
                    let var = col.iter().map(|v| { let d = v.to_f64() - mu; d * d }).sum::<f64>() / n;
                    let inv = 1.0 / (var + eps).sqrt();
                    self.inv_std[u] = inv;
                    for b in 0..batch {
                        self.xhat[b + u * batch] = (col[b].to_f64() - mu) * inv;
                    }
                    if mode == Mode::Hold {
                        self.running_mean[u] = mu;
                        self.running_var[u] = var;
                    }
                    if mode == Mode::Train {
                        let unbiased = if batch > 1 { var * n / (n - 1.0) } else { var };
                        self.running_mean[u] = (1.0 - bn_momentum) * self.running_mean[u] + bn_momentum * mu;
                        self.running_var[u] = (1.0 - bn_momentum) * self.running_var[u] + bn_momentum * unbiased;
                    }
                }
            }
            NormKind::Layer | NormKind::Rms => {
                let n = w as f64;
                let centre = self.kind == NormKind::Layer;
                for b in 0..batch {
                    let mu = if centre { (0..w).map(|u| x[b + u * batch].to_f64()).sum::<f64>() / n } else { 0.0 };
                    let ms = (0..w).map(|u| { let d = x[b + u * batch].to_f64() - mu; d * d }).sum::<f64>() / n;
                    let inv = 1.0 / (ms + eps).sqrt();
                    self.inv_std[b] = inv;
                    for u in 0..w {
                        self.xhat[b + u * batch] = (x[b + u * batch].to_f64() - mu) * inv;
                    }
                }
            }
        }
        let g = self.gain.of(params);
        let beta = self.bias.of(params);
        for u in 0..w {
            let (gu, bu) = (g[u].to_f64(), beta[u].to_f64());
            for b in 0..batch {
                y[b + u * batch] = T::from_f64(self.xhat[b + u * batch] * gu + bu);
            }
        }
    }

    /// Gradients of gain and bias, and dx, from dy. Uses the cache of the last forward.
    pub fn backward<T: Scalar>(&self, params: &[T], grads: &mut [T], dy: &[T], dx: &mut [T], batch: usize) {
        let w = self.width;
        {
            let dg = self.gain.of_mut(grads);
            for u in 0..w {
                dg[u] = T::from_f64((0..batch).map(|b| dy[b + u * batch].to_f64() * self.xhat[b + u * batch]).sum());
            }
        }
        {
            let db = self.bias.of_mut(grads);
            for u in 0..w {
                db[u] = T::from_f64((0..batch).map(|b| dy[b + u * batch].to_f64()).sum());
            }
        }
        let g = self.gain.of(params);
        // With dxh = dy * gain, over the N values that share a statistic:
        // centred (batch, layer): dx = inv/N (N dxh - sum dxh - xhat sum(dxh xhat));
        // rms:                    dx = inv/N (N dxh - xhat sum(dxh xhat)).
        match self.kind {
            NormKind::None => unreachable!(),
            NormKind::Batch if self.used_running => {
                for u in 0..w {
                    let s = g[u].to_f64() * self.inv_std[u];
                    for b in 0..batch {
                        dx[b + u * batch] = T::from_f64(dy[b + u * batch].to_f64() * s);
                    }
                }
            }
            NormKind::Batch => {
                let n = batch as f64;
                for u in 0..w {
                    let gu = g[u].to_f64();
                    let (mut sum, mut sum_x) = (0.0, 0.0);
                    for b in 0..batch {
                        let d = dy[b + u * batch].to_f64() * gu;
                        sum += d;
                        sum_x += d * self.xhat[b + u * batch];
                    }
                    let inv = self.inv_std[u];
                    for b in 0..batch {
                        let i = b + u * batch;
                        let d = dy[i].to_f64() * gu;
                        dx[i] = T::from_f64(inv / n * (n * d - sum - self.xhat[i] * sum_x));
                    }
                }
            }
            NormKind::Layer | NormKind::Rms => {
                let n = w as f64;
                let centre = self.kind == NormKind::Layer;
                for b in 0..batch {
                    let (mut sum, mut sum_x) = (0.0, 0.0);
                    for u in 0..w {
                        let i = b + u * batch;
                        let d = dy[i].to_f64() * g[u].to_f64();
                        sum += d;
                        sum_x += d * self.xhat[i];
                    }
                    if !centre {
                        sum = 0.0;
                    }
                    let inv = self.inv_std[b];
                    for u in 0..w {
                        let i = b + u * batch;
                        let d = dy[i].to_f64() * g[u].to_f64();
                        dx[i] = T::from_f64(inv / n * (n * d - sum - self.xhat[i] * sum_x));
                    }
                }
            }
        }
    }
}
