//! Blocks on the W-wide stream.
//! Plain:    h <- phi(N(Linear(h)))                          (a `Seq`)
//! Residual: h <- h + alpha * F(h)   or   h <- N(h + alpha * F(h))  (post-norm)
//!           F = Linear . phi . [N]            (1 layer:  W phi(N(h)) + b)
//!           F = Linear . phi . Linear . [N]   (2 layers: W2 phi(W1 N(h) + b1) + b2)
//! Fixup adds scalar biases before each Linear and activation and one after the multiplier.

use crate::norm::{Mode, Norm};
use crate::params::Span;
use crate::scalar::Scalar;
use crate::seq::{Scratch, Seq};

#[derive(Clone, Copy, Debug)]
pub enum Alpha {
    Fixed(f64),
    /// A learnable scalar (ReZero / SkipInit / Fixup multiplier).
    Learned(Span),
}

impl Alpha {
    pub fn value<T: Scalar>(&self, params: &[T]) -> T {
        match *self {
            Alpha::Fixed(a) => T::from_f64(a),
            Alpha::Learned(s) => params[s.offset],
        }
    }
}

#[derive(Clone, Debug)]
pub enum Block<T> {
    Plain(Seq<T>),
    Residual(Residual<T>),
}

#[derive(Clone, Debug)]
pub struct Residual<T> {
    pub branch: Seq<T>,
    pub alpha: Alpha,
    /// Fixup's scalar bias after the multiplier.
    pub out_bias: Option<Span>,
    pub post_norm: Option<Norm>,
    /// h + alpha F(h) (+ c): the block output without post-norm, the post-norm's input with it.
    sum: Vec<T>,
    /// The post-norm's output (only used with post-norm).
    out: Vec<T>,
}

impl<T: Scalar> Residual<T> {
    pub fn new(branch: Seq<T>, alpha: Alpha, out_bias: Option<Span>, post_norm: Option<Norm>, width: usize, capacity: usize) -> Self {
        let out = if post_norm.is_some() { vec![T::ZERO; width * capacity] } else { Vec::new() };
        Residual { branch, alpha, out_bias, post_norm, sum: vec![T::ZERO; width * capacity], out }
    }
}

impl<T: Scalar> Block<T> {
    pub fn forward(&mut self, params: &[T], h: &[T], batch: usize, mode: Mode, bn_momentum: f64) {
        match self {
            Block::Plain(seq) => seq.forward(params, h, batch, mode, bn_momentum),
            Block::Residual(r) => {
                r.branch.forward(params, h, batch, mode, bn_momentum);
                let n = h.len();
                let f = r.branch.output(batch);
                let alpha = r.alpha.value(params);
                let c = r.out_bias.map_or(T::ZERO, |s| params[s.offset]);
                for ((si, &hi), &fi) in r.sum[..n].iter_mut().zip(h).zip(f) {
                    *si = hi + alpha * fi + c;
                }
                if let Some(norm) = &mut r.post_norm {
                    norm.forward(params, &r.sum[..n], &mut r.out[..n], batch, mode, bn_momentum);
                }
            }
        }
    }

    /// h_l, `(batch, width)`.
    pub fn output(&self, batch: usize, width: usize) -> &[T] {
        match self {
            Block::Plain(seq) => seq.output(batch),
            Block::Residual(r) => {
                if r.post_norm.is_some() { &r.out[..batch * width] } else { &r.sum[..batch * width] }
            }
        }
    }

    /// From dL/dh_out, writes parameter gradients and dL/dh_in.
    pub fn backward(&self, params: &[T], grads: &mut [T], h: &[T], d_out: &[T], d_in: &mut [T], batch: usize, s: &mut Scratch<T>) {
        match self {
            Block::Plain(seq) => seq.backward(params, grads, h, d_out, Some(d_in), batch, &mut s.ping, &mut s.pong, &mut s.x_t),
            Block::Residual(r) => {
                let n = h.len();
                let d_sum: &[T] = match &r.post_norm {
                    Some(norm) => {
                        norm.backward(params, grads, d_out, &mut s.d_sum[..n], batch);
                        &s.d_sum[..n]
                    }
                    None => d_out,
                };
                let f = r.branch.output(batch);
                // d/d alpha of h + alpha F: sum(d_sum * F); d/dc: sum(d_sum).
                if let Alpha::Learned(span) = r.alpha {
                    grads[span.offset] = (0..n).fold(T::ZERO, |acc, i| acc + d_sum[i] * f[i]);
                }
                if let Some(span) = r.out_bias {
                    grads[span.offset] = d_sum.iter().fold(T::ZERO, |acc, &v| acc + v);
                }
                let alpha = r.alpha.value(params);
                for (db, &ds) in s.d_branch[..n].iter_mut().zip(d_sum) {
                    *db = alpha * ds;
                }
                r.branch.backward(params, grads, h, &s.d_branch[..n], Some(&mut d_in[..n]), batch, &mut s.ping, &mut s.pong, &mut s.x_t);
                // The identity path.
                for (di, &ds) in d_in[..n].iter_mut().zip(d_sum) {
                    *di += ds;
                }
            }
        }
    }

    pub fn dead_fraction(&self, h: &[T], batch: usize) -> f64 {
        match self {
            Block::Plain(seq) => seq.dead_fraction(h, batch),
            Block::Residual(r) => r.branch.dead_fraction(h, batch),
        }
    }

    pub fn norms(&self) -> Vec<&Norm> {
        match self {
            Block::Plain(seq) => seq.norms().collect(),
            Block::Residual(r) => r.branch.norms().chain(r.post_norm.iter()).collect(),
        }
    }
    pub fn norms_mut(&mut self) -> Vec<&mut Norm> {
        match self {
            Block::Plain(seq) => seq.norms_mut().collect(),
            Block::Residual(r) => r.branch.norms_mut().chain(r.post_norm.iter_mut()).collect(),
        }
    }
}
