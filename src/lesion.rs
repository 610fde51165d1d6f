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
    Ok(net.forward_skipping(x, batch, mode, 0.1, |l| removed[l]))
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

/// `Trainer::evaluate` with the blocks `removed` (one flag per block) deleted at test time.
pub fn evaluate_without(t: &mut Trainer, removed: &[bool]) -> Result<Evaluation> {
    let (n_train, n) = (t.data.n_train, t.data.n());
    Ok(Evaluation { train: metrics_without(t, removed, 0, n_train)?, test: metrics_without(t, removed, n_train, n)? })
}

/// Mean loss and accuracy over data rows `from..to` with the blocks `removed` deleted.
pub fn metrics_without(t: &mut Trainer, removed: &[bool], from: usize, to: usize) -> Result<SplitMetrics> {
    check_mask(&t.net, removed, "removed")?;
    Ok(t.evaluate_rows(from, to, removed))
}
