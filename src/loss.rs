//! Losses on the head output `(batch, d_out)` column-major: mean softmax cross-entropy and
//! mean squared error (mean over batch and outputs, as PyTorch's `MSELoss`). Each returns the
//! loss and writes dL/dlogits beside it.

use crate::scalar::Scalar;

/// Mean softmax cross-entropy over the batch. `labels[b]` is the class of sample b.
/// Returns (loss, number of correct argmax predictions).
pub fn softmax_cross_entropy<T: Scalar>(logits: &[T], labels: &[u32], classes: usize, batch: usize, d_logits: &mut [T]) -> (f64, usize) {
    let mut loss = 0.0f64;
    let mut correct = 0;
    let inv_b = T::from_f64(1.0 / batch as f64);
    for b in 0..batch {
        // Shift by the max for stability; p_k = exp(z_k - m) / sum.
        let mut m = logits[b];
        let mut arg = 0;
        for k in 1..classes {
            let z = logits[b + k * batch];
            if z > m {
                m = z;
                arg = k;
            }
        }
        let mut sum = T::ZERO;
        for k in 0..classes {
            let e = (logits[b + k * batch] - m).exp();
            d_logits[b + k * batch] = e;
            sum += e;
        }
        let y = labels[b] as usize;
        // -log p_y = log(sum) - (z_y - m)
        loss += (sum.ln() - (logits[b + y * batch] - m)).to_f64();
        for k in 0..classes {
            let p = d_logits[b + k * batch] / sum;
            let target = if k == y { T::ONE } else { T::ZERO };
            d_logits[b + k * batch] = (p - target) * inv_b;
        }
        if arg == y && m.is_finite() {
            correct += 1;
        }
    }
    (loss / batch as f64, correct)
}

/// Mean squared error, mean over all batch x d_out entries.
pub fn mean_squared_error<T: Scalar>(out: &[T], targets: &[T], batch: usize, d_out: usize, d_out_grad: &mut [T]) -> f64 {
    let n = batch * d_out;
    let scale = T::from_f64(2.0 / n as f64);
    let mut loss = 0.0f64;
    for i in 0..n {
        let e = out[i] - targets[i];
        loss += (e * e).to_f64();
        d_out_grad[i] = scale * e;
    }
    loss / n as f64
}
