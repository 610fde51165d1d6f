//! The three matrix products of a Linear layer, on column-major slices.
//!
//! Written out (instead of nalgebra's `gemm`) for two reasons: the summation order is fixed
//! in the source, so native and wasm builds give bit-identical results (matrixmultiply picks
//! an FMA kernel natively, which rounds differently), and nothing is allocated (matrixmultiply
//! allocates packing buffers on every call). The inner loops run over contiguous memory in the
//! order LLVM vectorizes without reassociating floats (simd128 in wasm, AVX natively).
//!
//! Shapes: `(rows, cols)`, column-major, so element (r, c) of an `m x n` matrix is `a[r + c*m]`.

use crate::scalar::Scalar;

/// C (m x n) = A (m x k) * B (k x n).
pub fn matmul_nn<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= k * n);
    for j in 0..n {
        let cj = &mut c[j * m..(j + 1) * m];
        cj.fill(T::ZERO);
        let bj = &b[j * k..(j + 1) * k];
        let mut p = 0;
        // Four columns of A per pass: one load and store of C per four multiply-adds.
        while p + 4 <= k {
            let (a0, a1, a2, a3) = (&a[p * m..][..m], &a[(p + 1) * m..][..m], &a[(p + 2) * m..][..m], &a[(p + 3) * m..][..m]);
            let (b0, b1, b2, b3) = (bj[p], bj[p + 1], bj[p + 2], bj[p + 3]);
            for i in 0..m {
                cj[i] += a0[i] * b0 + a1[i] * b1 + a2[i] * b2 + a3[i] * b3;
            }
            p += 4;
        }
        while p < k {
            let ap = &a[p * m..][..m];
            let bp = bj[p];
            for i in 0..m {
                cj[i] += ap[i] * bp;
            }
            p += 1;
        }
    }
}

/// C (m x n) = A (m x k) * B^T, where B is stored as a (n x k) matrix.
pub fn matmul_nt<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= n * k);
    for j in 0..n {
        let cj = &mut c[j * m..(j + 1) * m];
        cj.fill(T::ZERO);
        // B^T[p, j] = B[j, p] = b[j + p*n].
        let mut p = 0;
        while p + 4 <= k {
            let (a0, a1, a2, a3) = (&a[p * m..][..m], &a[(p + 1) * m..][..m], &a[(p + 2) * m..][..m], &a[(p + 3) * m..][..m]);
            let (b0, b1, b2, b3) = (b[j + p * n], b[j + (p + 1) * n], b[j + (p + 2) * n], b[j + (p + 3) * n]);
            for i in 0..m {
                cj[i] += a0[i] * b0 + a1[i] * b1 + a2[i] * b2 + a3[i] * b3;
            }
            p += 4;
        }
        while p < k {
            let ap = &a[p * m..][..m];
            let bp = b[j + p * n];
            for i in 0..m {
                cj[i] += ap[i] * bp;
            }
            p += 1;
        }
    }
}

/// C (m x n) = A^T * B, where A is stored as a (k x m) matrix and B is (k x n):
/// every entry is a dot product of two contiguous columns of length k.
pub fn matmul_tn<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= k * m && b.len() >= k * n);
    for j in 0..n {
        let bj = &b[j * k..(j + 1) * k];
        for i in 0..m {
            c[i + j * m] = dot(&a[i * k..(i + 1) * k], bj);
        }
    }
}

/// Dot product with eight independent partial sums (a fixed order, so it vectorizes
/// deterministically), combined pairwise at the end.
#[inline]
pub fn dot<T: Scalar>(x: &[T], y: &[T]) -> T {
    let n = x.len().min(y.len());
    let mut acc = [T::ZERO; 8];
    let chunks = n / 8;
    for c in 0..chunks {
        let xs = &x[c * 8..c * 8 + 8];
        let ys = &y[c * 8..c * 8 + 8];
        for l in 0..8 {
            acc[l] += xs[l] * ys[l];
        }
    }
    let mut tail = T::ZERO;
    for i in chunks * 8..n {
        tail += x[i] * y[i];
    }
    ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::DMatrix;

    fn random(m: usize, n: usize, seed: u64) -> DMatrix<f64> {
        let mut rng = crate::rng::Rng::new(seed);
        DMatrix::from_fn(m, n, |_, _| rng.normal())
    }

    /// Oracle: nalgebra's own products.
    #[test]
    fn products_match_nalgebra() {
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (17, 9, 13), (64, 32, 32), (5, 4, 7)] {
            let a = random(m, k, 1);
            let b = random(k, n, 2);
            let mut c = vec![0.0; m * n];
            matmul_nn(&mut c, a.as_slice(), b.as_slice(), m, k, n);
            assert!((DMatrix::from_column_slice(m, n, &c) - &a * &b).amax() < 1e-12);

            let bt = b.transpose(); // (n x k)
            matmul_nt(&mut c, a.as_slice(), bt.as_slice(), m, k, n);
            assert!((DMatrix::from_column_slice(m, n, &c) - &a * &b).amax() < 1e-12);

            let at = a.transpose(); // (k x m)
            matmul_tn(&mut c, at.as_slice(), b.as_slice(), m, k, n);
            assert!((DMatrix::from_column_slice(m, n, &c) - &a * &b).amax() < 1e-12);
        }
    }
}
