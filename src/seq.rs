//! A sequence of primitive ops (Linear, activation, norm, scalar bias), each with its output
//! buffer. Plain blocks, residual branches, the stem and the head are all `Seq`s: a residual
//! block is composed from the same primitives as a plain one.

use crate::activation::Activation;
use crate::linear::Linear;
use crate::norm::{Mode, Norm};
use crate::params::Span;
use crate::scalar::Scalar;

#[derive(Clone, Debug)]
pub enum Op {
    Linear(Linear),
    Act(Activation),
    Norm(Norm),
    /// y = x + c with one learnable scalar c (Fixup's scalar biases).
    ScalarBias(Span),
}

impl Op {
    fn out_width(&self, in_width: usize) -> usize {
        match self {
            Op::Linear(l) => l.fan_out,
            _ => in_width,
        }
    }
}

/// Transient gradient buffers shared by all blocks of a network, each `capacity * max_width`.
pub struct Scratch<T> {
    pub ping: Vec<T>,
    pub pong: Vec<T>,
    /// Gradient at a residual block's sum (after the post-norm's backward).
    pub d_sum: Vec<T>,
    /// Gradient at a residual branch's output (alpha * d_sum).
    pub d_branch: Vec<T>,
    /// A Linear layer's input, transposed, for its weight gradient.
    pub x_t: Vec<T>,
}

impl<T: Scalar> Scratch<T> {
    pub fn new(len: usize) -> Self {
        Scratch { ping: vec![T::ZERO; len], pong: vec![T::ZERO; len], d_sum: vec![T::ZERO; len], d_branch: vec![T::ZERO; len], x_t: vec![T::ZERO; len] }
    }
}

#[derive(Clone, Debug)]
pub struct Seq<T> {
    pub ops: Vec<Op>,
    pub in_width: usize,
    /// outs[i]: output of ops[i], `(batch, width_i)` column-major, sized for the capacity.
    outs: Vec<Vec<T>>,
    widths: Vec<usize>,
}

impl<T: Scalar> Seq<T> {
    pub fn new(ops: Vec<Op>, in_width: usize, capacity: usize) -> Self {
        let mut widths = Vec::with_capacity(ops.len());
        let mut w = in_width;
        for op in &ops {
            w = op.out_width(w);
            widths.push(w);
        }
        let outs = widths.iter().map(|&w| vec![T::ZERO; w * capacity]).collect();
        Seq { ops, in_width, outs, widths }
    }

    pub fn out_width(&self) -> usize {
        *self.widths.last().unwrap_or(&self.in_width)
    }

    /// The output of the last op (`input` itself for an empty sequence is not supported).
    pub fn output(&self, batch: usize) -> &[T] {
        let w = self.out_width();
        &self.outs.last().expect("empty Seq")[..batch * w]
    }

    pub fn forward(&mut self, params: &[T], input: &[T], batch: usize, mode: Mode, bn_momentum: f64) {
        for i in 0..self.ops.len() {
            let (before, rest) = self.outs.split_at_mut(i);
            let in_w = if i == 0 { self.in_width } else { self.widths[i - 1] };
            let x = if i == 0 { &input[..batch * in_w] } else { &before[i - 1][..batch * in_w] };
            let y = &mut rest[0][..batch * self.widths[i]];
            match &mut self.ops[i] {
                Op::Linear(l) => l.forward(params, x, y, batch),
                Op::Act(a) => a.forward(x, y),
                Op::Norm(n) => n.forward(params, x, y, batch, mode, bn_momentum),
                Op::ScalarBias(c) => {
                    let c = params[c.offset];
                    for (yi, &xi) in y.iter_mut().zip(x) {
                        *yi = xi + c;
                    }
                }
            }
        }
    }

    /// Backpropagates `d_out` (gradient at the output) through the ops, writing parameter
    /// gradients into `grads` and the gradient at the input into `d_input` (if given).
    pub fn backward(
        &self,
        params: &[T],
        grads: &mut [T],
        input: &[T],
        d_out: &[T],
        mut d_input: Option<&mut [T]>,
        batch: usize,
        ping: &mut [T],
        pong: &mut [T],
        x_t: &mut [T],
    ) {
        // The gradient flows d_out -> ping -> pong -> ping ...; the first op writes d_input.
        let mut cur_in_ping: Option<bool> = None; // None: the current gradient is d_out
        for i in (0..self.ops.len()).rev() {
            let in_w = if i == 0 { self.in_width } else { self.widths[i - 1] };
            let x = if i == 0 { &input[..batch * in_w] } else { &self.outs[i - 1][..batch * in_w] };
            let y = &self.outs[i][..batch * self.widths[i]];
            let n_out = batch * self.widths[i];
            let n_in = batch * in_w;
            let (dy, dx): (&[T], Option<&mut [T]>) = match cur_in_ping {
                None => (&d_out[..n_out], if i == 0 { d_input.as_deref_mut().map(|d| &mut d[..n_in]) } else { Some(&mut ping[..n_in]) }),
                Some(true) => (&ping[..n_out], if i == 0 { d_input.as_deref_mut().map(|d| &mut d[..n_in]) } else { Some(&mut pong[..n_in]) }),
                Some(false) => (&pong[..n_out], if i == 0 { d_input.as_deref_mut().map(|d| &mut d[..n_in]) } else { Some(&mut ping[..n_in]) }),
            };
            match &self.ops[i] {
                Op::Linear(l) => l.backward(params, grads, x, dy, dx, batch, x_t),
                Op::Act(a) => {
                    if let Some(dx) = dx {
                        a.backward(x, y, dy, dx);
                    }
                }
                Op::Norm(n) => {
                    // The norm's dx is needed for its own parameter gradients only through dy,
                    // but a norm is never first without an input gradient being wanted.
                    if let Some(dx) = dx {
                        n.backward(params, grads, dy, dx, batch);
                    }
                }
                Op::ScalarBias(c) => {
                    grads[c.offset] = dy.iter().fold(T::ZERO, |s, &v| s + v);
                    if let Some(dx) = dx {
                        dx.copy_from_slice(dy);
                    }
                }
            }
            cur_in_ping = Some(match cur_in_ping {
                None | Some(false) => true,
                Some(true) => false,
            });
        }
    }

    /// Fraction of units whose first activation is off (z <= 0) for every sample of the
    /// batch; 0 when the sequence has no ReLU-like activation.
    pub fn dead_fraction(&self, input: &[T], batch: usize) -> f64 {
        for (i, op) in self.ops.iter().enumerate() {
            if let Op::Act(a) = op {
                if !a.can_die() {
                    return 0.0;
                }
                let w = if i == 0 { self.in_width } else { self.widths[i - 1] };
                let z = if i == 0 { input } else { &self.outs[i - 1] };
                let dead = (0..w).filter(|&u| all_nonpositive(&z[u * batch..(u + 1) * batch])).count();
                return dead as f64 / w as f64;
            }
        }
        0.0
    }

    pub fn norms_mut(&mut self) -> impl Iterator<Item = &mut Norm> {
        self.ops.iter_mut().filter_map(|op| if let Op::Norm(n) = op { Some(n) } else { None })
    }
    pub fn norms(&self) -> impl Iterator<Item = &Norm> {
        self.ops.iter().filter_map(|op| if let Op::Norm(n) = op { Some(n) } else { None })
    }
}

/// Whether every entry is <= 0 (false at a NaN); f32 four entries at a time.
fn all_nonpositive<T: Scalar>(xs: &[T]) -> bool {
    let Some(xs) = T::as_f32(xs) else { return xs.iter().all(|&v| v <= T::ZERO) };
    let quads = xs.chunks_exact(crate::simd::LANES);
    let tail = quads.remainder();
    let zero = crate::simd::splat(0.0);
    // SAFETY: each quad holds four f32.
    quads.into_iter().all(|q| crate::simd::all_le(unsafe { crate::simd::load(q.as_ptr()) }, zero)) && tail.iter().all(|&v| v <= 0.0)
}

#[cfg(test)]
mod tests {
    use super::all_nonpositive;

    /// The f32 path (four at a time) against the scalar rule, with the odd entry at every
    /// position of lengths that do and do not fill whole quads.
    #[test]
    fn all_nonpositive_matches_the_scalar_rule() {
        for n in [0, 1, 3, 4, 5, 8, 13, 128] {
            for odd in [1.0f32, 1e-45, f32::NAN, -f32::NAN, f32::INFINITY, -0.0, 0.0, -3.0, f32::NEG_INFINITY] {
                for pos in 0..n {
                    let mut xs = vec![-1.0f32; n];
                    xs[pos] = odd;
                    let want = xs.iter().all(|&v| v <= 0.0);
                    assert_eq!(all_nonpositive(&xs), want, "n {n} odd {odd} at {pos}");
                    let xs64: Vec<f64> = xs.iter().map(|&v| v as f64).collect();
                    assert_eq!(all_nonpositive(&xs64), want);
                }
            }
        }
    }
}
