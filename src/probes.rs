//! Probes of a network at fixed parameters, for the experiments of the depth literature:
//!
//! * [`representation`]: per stream position l, how alike the batch's representations h_l are:
//!   the mean pairwise cosine between samples and the stable rank of the `(batch, W)` matrix
//!   (rank collapse: Daneshmand et al. 2020; Noci et al. 2022);
//! * [`input_gradients`]: d f_k / d x for every input of a list (shattered gradients: Balduzzi
//!   et al. 2017);
//! * [`output_change`]: how far the outputs move when every weight matrix moves by a fixed
//!   relative amount (post-LN amplification: Liu et al. 2020).
//!
//! Samples never interact here: BatchNorm runs on its running statistics (`Mode::Eval`) except
//! in [`representation`], which takes the mode (a fresh net's rank with BatchNorm is measured
//! on batch statistics, as the papers do).

use crate::error::{LabError, Result};
use crate::net::Network;
use crate::norm::Mode;
use crate::params::Role;
use crate::rng::Rng;
use crate::scalar::Scalar;
use nalgebra::DMatrix;

/// Per stream position l = 0 (stem output) ..= L: how alike the batch's representations are.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Representation {
    /// Mean over sample pairs a < b of cos(h_l[a], h_l[b]); pairs with a zero vector are left
    /// out (NaN when every pair is).
    pub mean_cosine: Vec<f64>,
    /// ||H_l||_F^2 / ||H_l||_2^2 of the `(batch, W)` matrix H_l: between 1 (all samples on one
    /// line) and min(batch, W) (orthogonal samples of equal norm). 0 for H_l = 0.
    pub stable_rank: Vec<f64>,
}

/// The Gram matrix G = H H^T (`batch x batch`, f64) of a `(batch, w)` column-major matrix.
fn gram<T: Scalar>(h: &[T], batch: usize, w: usize) -> DMatrix<f64> {
    let mut g = DMatrix::<f64>::zeros(batch, batch);
    let mut col = vec![0.0f64; batch];
    for u in 0..w {
        for (c, v) in col.iter_mut().zip(&h[u * batch..(u + 1) * batch]) {
            *c = v.to_f64();
        }
        for b in 0..batch {
            let hb = col[b];
            if hb == 0.0 {
                continue;
            }
            for a in b..batch {
                g[(a, b)] += col[a] * hb;
            }
        }
    }
    for b in 0..batch {
        for a in b + 1..batch {
            g[(b, a)] = g[(a, b)];
        }
    }
    g
}

/// (mean pairwise cosine, stable rank) of a `(batch, w)` column-major matrix.
pub fn batch_similarity<T: Scalar>(h: &[T], batch: usize, w: usize) -> (f64, f64) {
    let g = gram(h, batch, w);
    let (mut sum, mut pairs) = (0.0, 0usize);
    for a in 0..batch {
        for b in a + 1..batch {
            let d = g[(a, a)] * g[(b, b)];
            if d > 0.0 {
                sum += g[(a, b)] / d.sqrt();
                pairs += 1;
            }
        }
    }
    let cosine = if pairs > 0 { sum / pairs as f64 } else { f64::NAN };
    let trace = g.trace();
    // ||H||_2^2 is G's largest eigenvalue (G is positive semi-definite).
    let top = if trace > 0.0 && trace.is_finite() { g.symmetric_eigenvalues().max() } else { 0.0 };
    let stable_rank = if top > 0.0 { trace / top } else if trace == 0.0 { 0.0 } else { f64::NAN };
    (cosine, stable_rank)
}

/// Forward pass of the batch `x` (`(batch, d_in)` column-major) in `mode`, then the similarity
/// of h_l at every stream position.
pub fn representation<T: Scalar>(net: &mut Network<T>, x: &[T], batch: usize, mode: Mode) -> Result<Representation> {
    check_batch(net, x, batch)?;
    net.forward(x, batch, mode, 0.1);
    let w = net.width();
    let (mut mean_cosine, mut stable_rank) = (Vec::new(), Vec::new());
    for l in 0..=net.blocks.len() {
        let (c, s) = batch_similarity(net.stream(l, batch), batch, w);
        mean_cosine.push(c);
        stable_rank.push(s);
    }
    Ok(Representation { mean_cosine, stable_rank })
}

fn check_batch<T>(net: &Network<T>, x: &[T], batch: usize) -> Result<()> {
    if batch < 2 || batch > net.capacity {
        return Err(LabError::invalid("batch", format!("{batch} samples; allowed 2 to {} (the net's capacity)", net.capacity)));
    }
    if x.len() != batch * net.d_in {
        return Err(LabError::invalid("x", format!("has {} values; expected batch x d_in = {}", x.len(), batch * net.d_in)));
    }
    Ok(())
}

/// d f_k(x) / d x for each of the `n` inputs `xs` (`[n][d_in]` row-major), where f_k is output
/// unit `k` of the head (a logit, or a regression output), BatchNorm on running statistics.
/// Returns `[n][d_in]` row-major. The parameter gradients are left as they were.
pub fn input_gradients<T: Scalar>(net: &mut Network<T>, xs: &[T], k: usize) -> Result<Vec<T>> {
    let (d_in, d_out, cap) = (net.d_in, net.d_out, net.capacity);
    if xs.is_empty() || xs.len() % d_in != 0 {
        return Err(LabError::invalid("x", format!("length {} is not a positive multiple of d_in = {d_in}", xs.len())));
    }
    if k >= d_out {
        return Err(LabError::invalid("output", format!("{k} is out of range; the net has {d_out} outputs")));
    }
    let n = xs.len() / d_in;
    let saved = net.grads.clone();
    let mut out = vec![T::ZERO; n * d_in];
    let mut x = vec![T::ZERO; cap * d_in];
    let mut seed = vec![T::ZERO; cap * d_out];
    let mut dx = vec![T::ZERO; cap * d_in];
    let mut start = 0;
    while start < n {
        let b = cap.min(n - start);
        for s in 0..b {
            for f in 0..d_in {
                x[s + f * b] = xs[(start + s) * d_in + f];
            }
        }
        net.forward(&x[..b * d_in], b, Mode::Eval, 0.1);
        // dL/d output = e_k for every sample: backprop then gives d f_k / d x sample by sample.
        seed[..b * d_out].fill(T::ZERO);
        seed[k * b..(k + 1) * b].fill(T::ONE);
        net.backward(&x[..b * d_in], &seed[..b * d_out], b, |_, _| {}, Some(&mut dx[..b * d_in]));
        for s in 0..b {
            for f in 0..d_in {
                out[(start + s) * d_in + f] = dx[s + f * b];
            }
        }
        start += b;
    }
    net.grads = saved;
    Ok(out)
}

/// How far the outputs move when every Linear weight matrix W of the blocks (layers 1..=L)
/// moves by `delta` with `||delta||_F = rel * ||W||_F`, delta's direction uniformly random
/// (Gaussian entries, rescaled): the mean over `draws` draws of ||f(x; W + delta) - f(x; W)||_F
/// / ||f(x; W)||_F on the batch `x` (`(batch, d_in)` column-major), BatchNorm on running
/// statistics. Parameters are restored afterwards.
pub fn output_change<T: Scalar>(net: &mut Network<T>, x: &[T], batch: usize, rel: f64, draws: usize, rng: &mut Rng) -> Result<f64> {
    check_batch(net, x, batch)?;
    if !(rel.is_finite() && rel > 0.0 && rel <= 1.0) {
        return Err(LabError::invalid("rel", format!("{rel} is out of range; allowed (0, 1]")));
    }
    if draws == 0 {
        return Err(LabError::invalid("draws", "must be at least 1"));
    }
    let depth = net.blocks.len();
    let before: Vec<f64> = net.forward(x, batch, Mode::Eval, 0.1).iter().map(|v| v.to_f64()).collect();
    let norm = before.iter().map(|v| v * v).sum::<f64>().sqrt();
    let saved = net.params.clone();
    let spans: Vec<_> = net.infos.iter().filter(|i| i.role == Role::Weight && (1..=depth).contains(&i.layer)).map(|i| i.span).collect();
    let mut total = 0.0;
    let mut dir = Vec::new();
    for _ in 0..draws {
        for span in &spans {
            let w = span.of(&saved);
            let w_norm = w.iter().map(|v| v.to_f64() * v.to_f64()).sum::<f64>().sqrt();
            dir.clear();
            dir.extend((0..span.len).map(|_| rng.normal()));
            let d_norm = dir.iter().map(|v| v * v).sum::<f64>().sqrt();
            let scale = if d_norm > 0.0 { rel * w_norm / d_norm } else { 0.0 };
            for ((p, &w0), d) in span.of_mut(&mut net.params).iter_mut().zip(w).zip(&dir) {
                *p = T::from_f64(w0.to_f64() + scale * d);
            }
        }
        let after = net.forward(x, batch, Mode::Eval, 0.1);
        let diff = after.iter().zip(&before).map(|(a, b)| (a.to_f64() - b).powi(2)).sum::<f64>().sqrt();
        total += if norm > 0.0 { diff / norm } else { f64::NAN };
    }
    net.params = saved;
    Ok(total / draws as f64)
}
