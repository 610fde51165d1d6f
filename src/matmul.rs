//! The matrix products of a Linear layer (and the transpose its weight gradient uses), on
//! column-major slices.
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

/// out (cols x rows) = in (rows x cols)^T, both column-major.
pub fn transpose<T: Scalar>(input: &[T], out: &mut [T], rows: usize, cols: usize) {
    for c in 0..cols {
        for r in 0..rows {
            out[c + r * cols] = input[r + c * rows];
        }
    }
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

            let mut t = vec![0.0; m * k];
            transpose(a.as_slice(), &mut t, m, k);
            assert_eq!(DMatrix::from_column_slice(k, m, &t), a.transpose());
        }
    }
}
