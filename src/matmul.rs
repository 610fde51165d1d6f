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

/// Rows of C per register tile (two f32x4 vectors) and columns of C per tile.
const MR: usize = 8;
const NR: usize = 4;

/// C (m x n) = A (m x k) * B (k x n).
pub fn matmul_nn<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= k * n);
    // B(p, j) = b[p + j*k]: column j of B is contiguous.
    tiled_a_columns(c, a, m, k, n, |p, j| b[p + j * k], |j0| {
        let cols: [&[T]; NR] = std::array::from_fn(|jj| &b[(j0 + jj) * k..(j0 + jj + 1) * k]);
        move |p: usize| -> [T; NR] { std::array::from_fn(|jj| cols[jj][p]) }
    });
}

/// C (m x n) = A (m x k) * B^T, where B is stored as a (n x k) matrix.
pub fn matmul_nt<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= n * k);
    // B^T(p, j) = B(j, p) = b[j + p*n]: for a fixed p, the tile's NR values are contiguous.
    tiled_a_columns(c, a, m, k, n, |p, j| b[j + p * n], |j0| {
        move |p: usize| -> [T; NR] { b[j0 + p * n..j0 + p * n + NR].try_into().unwrap() }
    });
}

/// C = A * B with A column-major (m x k) read in place and B given elementwise (`b_at`) and
/// as NR-wide rows of a column tile (`b_tile(j0)(p)` = B(p, j0..j0+NR)).
/// Register tile: MR x NR accumulators of C, summed over p in order, one broadcast of B(p, j)
/// per column and one contiguous load of A(i..i+MR, p) per p.
#[inline(always)]
fn tiled_a_columns<T: Scalar, F: Fn(usize) -> [T; NR]>(
    c: &mut [T],
    a: &[T],
    m: usize,
    k: usize,
    n: usize,
    b_at: impl Fn(usize, usize) -> T,
    b_tile: impl Fn(usize) -> F,
) {
    let m_full = m - m % MR;
    let n_full = n - n % NR;
    let a = &a[..m * k];
    let mut j0 = 0;
    while j0 < n_full {
        let tile = b_tile(j0);
        let mut i0 = 0;
        while i0 < m_full {
            let mut acc = [[T::ZERO; MR]; NR];
            for (p, a_col) in a.chunks_exact(m).enumerate() {
                let ap: &[T; MR] = a_col[i0..i0 + MR].try_into().unwrap();
                let bp = tile(p);
                for jj in 0..NR {
                    for r in 0..MR {
                        acc[jj][r] += ap[r] * bp[jj];
                    }
                }
            }
            for (jj, acc_j) in acc.iter().enumerate() {
                c[i0 + (j0 + jj) * m..i0 + (j0 + jj) * m + MR].copy_from_slice(acc_j);
            }
            i0 += MR;
        }
        edge(c, a, m, k, m_full..m, j0..j0 + NR, &b_at);
        j0 += NR;
    }
    edge(c, a, m, k, 0..m, n_full..n, &b_at);
}

/// The rows and columns left over by the tiles, one entry at a time (same order over p).
fn edge<T: Scalar>(c: &mut [T], a: &[T], m: usize, k: usize, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>, b: &impl Fn(usize, usize) -> T) {
    for j in cols {
        for i in rows.clone() {
            let mut s = T::ZERO;
            for p in 0..k {
                s += a[i + p * m] * b(p, j);
            }
            c[i + j * m] = s;
        }
    }
}

/// C (m x n) = A^T * B, where A is stored as a (k x m) matrix and B is (k x n): every entry
/// is a dot product of two contiguous columns of length k. Tiles of 2 x 4 entries share their
/// loads; each entry keeps four partial sums (p mod 4) combined in a fixed order.
pub fn matmul_tn<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    debug_assert!(c.len() >= m * n && a.len() >= k * m && b.len() >= k * n);
    const IB: usize = 2;
    const JB: usize = 4;
    const L: usize = 4;
    let k_full = k - k % L;
    let m_full = m - m % IB;
    let n_full = n - n % JB;
    let finish = |acc: &[T; L], i: usize, j: usize| -> T {
        let mut tail = T::ZERO;
        for p in k_full..k {
            tail += a[p + i * k] * b[p + j * k];
        }
        (acc[0] + acc[2]) + (acc[1] + acc[3]) + tail
    };
    let mut j0 = 0;
    while j0 < n_full {
        let mut i0 = 0;
        while i0 < m_full {
            let mut acc = [[[T::ZERO; L]; JB]; IB];
            let mut p = 0;
            while p < k_full {
                let xs: [&[T; L]; IB] = std::array::from_fn(|ii| a[p + (i0 + ii) * k..p + (i0 + ii) * k + L].try_into().unwrap());
                let ys: [&[T; L]; JB] = std::array::from_fn(|jj| b[p + (j0 + jj) * k..p + (j0 + jj) * k + L].try_into().unwrap());
                for ii in 0..IB {
                    for jj in 0..JB {
                        for l in 0..L {
                            acc[ii][jj][l] += xs[ii][l] * ys[jj][l];
                        }
                    }
                }
                p += L;
            }
            for ii in 0..IB {
                for jj in 0..JB {
                    c[(i0 + ii) + (j0 + jj) * m] = finish(&acc[ii][jj], i0 + ii, j0 + jj);
                }
            }
            i0 += IB;
        }
        for i in m_full..m {
            for j in j0..j0 + JB {
                c[i + j * m] = dot(&a[i * k..(i + 1) * k], &b[j * k..(j + 1) * k]);
            }
        }
        j0 += JB;
    }
    for j in n_full..n {
        for i in 0..m {
            c[i + j * m] = dot(&a[i * k..(i + 1) * k], &b[j * k..(j + 1) * k]);
        }
    }
}

/// out (cols x rows) = in (rows x cols)^T, both column-major.
pub fn transpose<T: Scalar>(input: &[T], out: &mut [T], rows: usize, cols: usize) {
    for c in 0..cols {
        for r in 0..rows {
            out[c + r * cols] = input[r + c * rows];
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
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (17, 9, 13), (64, 32, 32), (5, 4, 7), (16, 8, 4), (9, 7, 6), (64, 2, 33)] {
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
