//! Lesions and paths (Veit et al. 2016, "Residual networks behave like ensembles of relatively
//! shallow networks"):
//!
//! * [`forward_without`]: the network with a set of blocks deleted at test time. A deleted
//!   block passes its input through unchanged (h_l = h_{l-1}): for a residual block that
//!   removes its branch and keeps the skip, for a plain block it removes the layer.
//! * [`evaluate_without`]: the trainer's loss and accuracy with those blocks deleted.
//! * [`path_gradient`]: dL/dh_0 carried by the paths of one branch pattern only. Unrolled, a
//!   residual net of L blocks h_l = h_{l-1} + alpha F_l(h_{l-1}) is a sum over 2^L paths, each
//!   going through the branch or the skip of every block; backpropagating through the branch
//!   alone at the blocks in `through_branch` and through the skip alone at the others gives
//!   the gradient of exactly the paths of that pattern (Veit et al.'s Sec. 5 measurement). The
//!   2^L patterns' gradients sum to the full dL/dh_0.

use crate::block::Block;
use crate::error::{LabError, Result};
use crate::loss::{mean_squared_error, softmax_cross_entropy};
use crate::net::Network;
use crate::norm::Mode;
use crate::scalar::Scalar;
use crate::trainer::{Evaluation, SplitMetrics, Trainer};

fn check_mask<T>(net: &Network<T>, mask: &[bool], field: &str) -> Result<()> {
    if mask.len() != net.blocks.len() {
        return Err(LabError::invalid(field, format!("has {} entries; the net has {} blocks", mask.len(), net.blocks.len())));
    }
    Ok(())
}

/// Forward pass of `batch` samples `x` (`(batch, d_in)` column-major) with the blocks `removed`
/// (one flag per block) deleted; returns the head output `(batch, d_out)`.
pub fn forward_without<'a, T: Scalar>(net: &'a mut Network<T>, x: &[T], batch: usize, mode: Mode, removed: &[bool]) -> Result<&'a [T]> {
    check_mask(net, removed, "removed")?;
    if batch == 0 || batch > net.capacity || x.len() < batch * net.d_in {
        return Err(LabError::invalid("batch", format!("{batch} samples; allowed 1 to {} with batch x d_in inputs", net.capacity)));
    }
    let w = net.width();
    let Network { params, stem, blocks, head, .. } = net;
    stem.forward(params, x, batch, mode, 0.1);
    let mut last: Option<usize> = None;
    for l in 0..blocks.len() {
        if removed[l] {
            continue;
        }
        let (before, rest) = blocks.split_at_mut(l);
        let h = match last {
            None => stem.output(batch),
            Some(k) => before[k].output(batch, w),
        };
        rest[0].forward(params, h, batch, mode, 0.1);
        last = Some(l);
    }
    let h_top = match last {
        None => stem.output(batch),
        Some(k) => blocks[k].output(batch, w),
    };
    head.forward(params, h_top, batch, mode, 0.1);
    Ok(head.output(batch))
}

/// The part of dL/dh_0 (`(batch, W)`, written to `d_h0`) carried by the paths that go through
/// the branch of exactly the blocks in `through_branch` and through the skip of all others,
/// for the loss gradient `d_logits` (`(batch, d_out)`) at the head output. Call it after a
/// forward pass of the whole net on the batch (the blocks' caches are read; many patterns can
/// follow one forward pass). Needs residual blocks without post-norm (a post-norm does not
/// split into paths). The parameter gradients are left as they were.
pub fn path_gradient<T: Scalar>(net: &mut Network<T>, d_logits: &[T], batch: usize, through_branch: &[bool], d_h0: &mut [T]) -> Result<()> {
    check_mask(net, through_branch, "through_branch")?;
    for (l, b) in net.blocks.iter().enumerate() {
        match b {
            Block::Residual(r) if r.post_norm.is_none() => {}
            _ => return Err(LabError::invalid("model", format!("block {l} is not a residual block without post-norm; paths need h + alpha F(h)"))),
        }
    }
    let (w, d_out) = (net.width(), net.d_out);
    if batch == 0 || batch > net.capacity || d_logits.len() < batch * d_out || d_h0.len() < batch * w {
        return Err(LabError::invalid("batch", format!("{batch} samples; allowed 1 to {} with matching buffers", net.capacity)));
    }
    let saved = net.grads.clone();
    let n = batch * w;
    let len = batch * w.max(net.d_in).max(d_out);
    let (mut ping, mut pong, mut x_t) = (vec![T::ZERO; len], vec![T::ZERO; len], vec![T::ZERO; len]);
    let mut d = vec![T::ZERO; n];
    let mut d_next = vec![T::ZERO; n];
    let Network { params, grads, stem, blocks, head, .. } = &mut *net;
    let h_top = match blocks.last() {
        None => stem.output(batch),
        Some(b) => b.output(batch, w),
    };
    head.backward(params, grads, h_top, d_logits, Some(&mut d[..]), batch, &mut ping, &mut pong, &mut x_t);
    for l in (0..blocks.len()).rev() {
        if !through_branch[l] {
            continue; // the skip alone: dL/dh_{l-1} = dL/dh_l
        }
        let Block::Residual(r) = &blocks[l] else { unreachable!("checked above") };
        let h_in = if l == 0 { stem.output(batch) } else { blocks[l - 1].output(batch, w) };
        let alpha = r.alpha.value(params);
        for v in d.iter_mut() {
            *v = alpha * *v;
        }
        r.branch.backward(params, grads, h_in, &d, Some(&mut d_next[..]), batch, &mut ping, &mut pong, &mut x_t);
        std::mem::swap(&mut d, &mut d_next);
    }
    d_h0[..n].copy_from_slice(&d);
    net.grads = saved;
    Ok(())
}

/// Mean loss and accuracy over rows `from..to` of the trainer's data with the blocks `removed`
/// deleted (BatchNorm on running statistics, as `Trainer::evaluate`).
pub fn metrics_without(t: &mut Trainer, removed: &[bool], from: usize, to: usize) -> Result<SplitMetrics> {
    let (d_in, d_out, cap) = (t.data.d_in, t.data.d_out, t.config.batch_size);
    let classification = t.data.classification;
    let mut x = vec![0.0f32; cap * d_in];
    let mut labels = vec![0u32; cap];
    let mut targets = vec![0.0f32; cap * d_out];
    let mut d = vec![0.0f32; cap * d_out];
    let (mut loss_sum, mut correct, mut start) = (0.0, 0usize, from);
    while start < to {
        let b = cap.min(to - start);
        for s in 0..b {
            let r = start + s;
            for f in 0..d_in {
                x[s + f * b] = t.data.x[r * d_in + f];
            }
            if classification {
                labels[s] = t.data.y[r] as u32;
            } else {
                for o in 0..d_out {
                    targets[s + o * b] = t.data.y[r * d_out + o];
                }
            }
        }
        let out = forward_without(&mut t.net, &x[..b * d_in], b, Mode::Eval, removed)?;
        let (loss, c) = if classification {
            softmax_cross_entropy(out, &labels[..b], d_out, b, &mut d)
        } else {
            (mean_squared_error(out, &targets[..b * d_out], b, d_out, &mut d), 0)
        };
        loss_sum += loss * b as f64;
        correct += c;
        start += b;
    }
    let n = to - from;
    let denom = n.max(1) as f64;
    Ok(SplitMetrics { loss: if n == 0 { 0.0 } else { loss_sum / denom }, accuracy: classification.then(|| correct as f64 / denom), n })
}

/// `Trainer::evaluate` with the blocks `removed` (one flag per block) deleted at test time.
pub fn evaluate_without(t: &mut Trainer, removed: &[bool]) -> Result<Evaluation> {
    let (n_train, n) = (t.data.n_train, t.data.n());
    Ok(Evaluation { train: metrics_without(t, removed, 0, n_train)?, test: metrics_without(t, removed, n_train, n)? })
}
