//! Linear layer y = x W^T + b, forward and backward side by side.
//!
//! Batch layout: activations are `(batch, features)` column-major (one column per feature,
//! the batch contiguous within it). The weight is stored `[out][in]` row-major (PyTorch's
//! layout), which is the column-major `(in, out)` matrix W^T, so the forward pass is a
//! plain product X (B x in) * W^T (in x out).

use crate::matmul::{matmul_nn, matmul_nt, transpose};
use crate::params::Span;
use crate::scalar::Scalar;

#[derive(Clone, Debug)]
pub struct Linear {
    pub fan_in: usize,
    pub fan_out: usize,
    pub weight: Span,
    pub bias: Span,
}

impl Linear {
    /// y (B x out) = x (B x in) W^T + b.
    pub fn forward<T: Scalar>(&self, params: &[T], x: &[T], y: &mut [T], batch: usize) {
        let w_t = self.weight.of(params);
        let b = self.bias.of(params);
        matmul_nn(y, x, w_t, batch, self.fan_in, self.fan_out);
        for j in 0..self.fan_out {
            let bj = b[j];
            for v in &mut y[j * batch..(j + 1) * batch] {
                *v += bj;
            }
        }
    }

    /// dW^T (in x out) = x^T dy; db = column sums of dy; dx (B x in) = dy W (if asked).
    /// `x_t` is scratch of at least batch * fan_in entries.
    pub fn backward<T: Scalar>(&self, params: &[T], grads: &mut [T], x: &[T], dy: &[T], dx: Option<&mut [T]>, batch: usize, x_t: &mut [T]) {
        // x^T dy as a plain product on a transposed copy of x (an O(B in) copy that lets the
        // O(B in out) product stream contiguous columns; the dot-product form is 2-4x slower).
        let x_t = &mut x_t[..batch * self.fan_in];
        transpose(x, x_t, batch, self.fan_in);
        matmul_nn(self.weight.of_mut(grads), x_t, dy, self.fan_in, batch, self.fan_out);
        column_sums(dy, batch, self.bias.of_mut(grads));
        if let Some(dx) = dx {
            matmul_nt(dx, dy, self.weight.of(params), batch, self.fan_out, self.fan_in);
        }
    }
}

/// out[j] = sum over the batch of column j of `m` (batch x out.len()), each summed in order,
/// eight columns at a time so that eight independent additions are in flight instead of one
/// long dependency chain.
pub fn column_sums<T: Scalar>(m: &[T], batch: usize, out: &mut [T]) {
    const C: usize = 8;
    let n = out.len();
    let mut j = 0;
    while j + C <= n {
        let cols: [&[T]; C] = std::array::from_fn(|c| &m[(j + c) * batch..(j + c + 1) * batch]);
        let mut acc = [T::ZERO; C];
        for p in 0..batch {
            for c in 0..C {
                acc[c] += cols[c][p];
            }
        }
        out[j..j + C].copy_from_slice(&acc);
        j += C;
    }
    for (jj, o) in out.iter_mut().enumerate().skip(j) {
        *o = m[jj * batch..(jj + 1) * batch].iter().fold(T::ZERO, |s, &v| s + v);
    }
}
