//! The matrix products of a Linear layer (and the transpose its weight gradient uses), on
//! column-major slices.
//!
//! Written out (instead of nalgebra's `gemm`) for two reasons: the summation order is fixed
//! in the source, so native and wasm builds give bit-identical results (matrixmultiply picks
//! an FMA kernel natively, which rounds differently), and nothing is allocated (matrixmultiply
//! allocates packing buffers on every call). f32 runs an explicit f32x4 register-tile kernel
//! (`crate::simd`: simd128 in wasm, SSE natively); f64 (the gradient checks) a plain loop that
//! sums in the same order. In a fused build (`simd::FUSED`: relaxed SIMD in wasm, FMA natively)
//! the tiles accumulate with fused multiply-adds; the last m % 4 rows (the plain loop) never do.
//!
//! Shapes: `(rows, cols)`, column-major, so element (r, c) of an `m x n` matrix is `a[r + c*m]`.

use crate::scalar::Scalar;
use crate::simd::{self, V};

/// C (m x n) = A (m x k) * B (k x n).
pub fn matmul_nn<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= k * n);
    gemm(c, a, b, m, k, n, 1, k) // B(p, j) = b[p + j*k]
}

/// C (m x n) = A (m x k) * B^T, where B is stored as a (n x k) matrix.
pub fn matmul_nt<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize) {
    assert!(c.len() >= m * n && a.len() >= m * k && b.len() >= n * k);
    gemm(c, a, b, m, k, n, n, 1) // B^T(p, j) = B(j, p) = b[j + p*n]
}

/// C = A * B with A column-major (m x k) and B(p, j) = b[p*b_row + j*b_col]: the f32 kernel,
/// or, for f64 (the gradient checks), the plain loop, which sums in the same order.
fn gemm<T: Scalar>(c: &mut [T], a: &[T], b: &[T], m: usize, k: usize, n: usize, b_row: usize, b_col: usize) {
    if let (Some(a32), Some(b32)) = (T::as_f32(a), T::as_f32(b)) {
        return gemm_f32(T::as_f32_mut(c).unwrap(), a32, b32, m, k, n, b_row, b_col);
    }
    assert!(c.len() >= m * n && a.len() >= m * k && (k == 0 || n == 0 || b.len() > (k - 1) * b_row + (n - 1) * b_col));
    // SAFETY: the extents are asserted above.
    unsafe { gemm_entries(c.as_mut_ptr(), a.as_ptr(), b.as_ptr(), m, k, b_row, b_col, 0..m, 0..n) };
}

/// Entries (rows x cols) of C one at a time, each summed over p in order. By pointer, so the
/// f32 kernel's helper thread (`Gemm::columns`) runs the same loop.
unsafe fn gemm_entries<T: Scalar>(c: *mut T, a: *const T, b: *const T, m: usize, k: usize, b_row: usize, b_col: usize, rows: std::ops::Range<usize>, cols: std::ops::Range<usize>) {
    for j in cols {
        for i in rows.clone() {
            let mut s = T::ZERO;
            for p in 0..k {
                s += *a.add(i + p * m) * *b.add(p * b_row + j * b_col);
            }
            *c.add(i + j * m) = s;
        }
    }
}

/// Vectors of C rows per register tile of the f32 kernel, and columns of C per tile:
/// 2 x 4 = 8 accumulators, 2 loads of A and 4 broadcasts of B per step over p.
const MV32: usize = 2;
const NR32: usize = 4;

/// f32 C (m x n) = A (m x k) * B with A column-major and B(p, j) = b[p*b_row + j*b_col].
/// Every entry of C is summed over p in order, with a separate multiply and add (fused in a
/// fused build), so the result is the same as the scalar loops' bit for bit, on every target.
fn gemm_f32(c: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, b_row: usize, b_col: usize) {
    if m == 0 || n == 0 {
        return;
    }
    assert!(c.len() >= m * n && a.len() >= m * k && (k == 0 || b.len() > (k - 1) * b_row + (n - 1) * b_col));
    let g = Gemm { c: c.as_mut_ptr(), a: a.as_ptr(), b: b.as_ptr(), m, k, b_row, b_col };
    // SAFETY: every tile stays inside the m x n, m x k and (k, n) extents asserted above.
    unsafe { g.columns(0..n) }
}

/// One f32 product's operands, by pointer, so a helper thread can compute some of its columns.
pub(crate) struct Gemm {
    pub(crate) c: *mut f32,
    pub(crate) a: *const f32,
    pub(crate) b: *const f32,
    pub(crate) m: usize,
    pub(crate) k: usize,
    pub(crate) b_row: usize,
    pub(crate) b_col: usize,
}

impl Gemm {
    /// Columns `cols` of C (cols.start a multiple of 4 or the first column): register tiles,
    /// then the last m % 4 rows one entry at a time, each summed over p in order (never fused).
    pub(crate) unsafe fn columns(&self, cols: std::ops::Range<usize>) {
        let mut j = cols.start;
        while j + NR32 <= cols.end {
            self.column_block::<NR32>(j);
            j += NR32;
        }
        while j < cols.end {
            self.column_block::<1>(j);
            j += 1;
        }
        gemm_entries(self.c, self.a, self.b, self.m, self.k, self.b_row, self.b_col, self.m - self.m % simd::LANES..self.m, cols);
    }

    /// Columns j0..j0+NC of C, rows 0..m - m % 4: full register tiles down the rows, then
    /// one-vector tiles.
    #[inline(always)]
    unsafe fn column_block<const NC: usize>(&self, j0: usize) {
        let mut i = 0;
        while i + simd::LANES * MV32 <= self.m {
            self.tile::<MV32, NC>(i, j0);
            i += simd::LANES * MV32;
        }
        while i + simd::LANES <= self.m {
            self.tile::<1, NC>(i, j0);
            i += simd::LANES;
        }
    }

    /// C(i0..i0+4*MV, j0..j0+NC) in MV x NC accumulators held in registers.
    #[inline(always)]
    unsafe fn tile<const MV: usize, const NC: usize>(&self, i0: usize, j0: usize) {
        let mut acc = [[simd::splat(0.0); MV]; NC];
        let mut ap = self.a.add(i0);
        let mut bp = self.b.add(j0 * self.b_col);
        for _ in 0..self.k {
            let av: [V; MV] = std::array::from_fn(|v| simd::load(ap.add(v * simd::LANES)));
            for (jj, acc_j) in acc.iter_mut().enumerate() {
                let bv = simd::splat(*bp.add(jj * self.b_col));
                for (acc_v, &a_v) in acc_j.iter_mut().zip(&av) {
                    *acc_v = simd::madd(a_v, bv, *acc_v);
                }
            }
            ap = ap.wrapping_add(self.m);
            bp = bp.wrapping_add(self.b_row);
        }
        for (jj, acc_j) in acc.iter().enumerate() {
            for (v, &acc_v) in acc_j.iter().enumerate() {
                simd::store(self.c.add(i0 + v * simd::LANES + (j0 + jj) * self.m), acc_v);
            }
        }
    }
}

/// out (cols x rows) = in (rows x cols)^T, both column-major. f32 goes 4 x 4 blocks at a time
/// through vector shuffles (a plain copy is strided on one side, slow in wasm).
pub fn transpose<T: Scalar>(input: &[T], out: &mut [T], rows: usize, cols: usize) {
    let (input, out) = (&input[..rows * cols], &mut out[..rows * cols]);
    let (mut r4, mut c4) = (0, 0);
    if let Some(inp) = T::as_f32(input) {
        let o = T::as_f32_mut(out).unwrap();
        (r4, c4) = (rows - rows % 4, cols - cols % 4);
        for c in (0..c4).step_by(4) {
            for r in (0..r4).step_by(4) {
                // SAFETY: rows r..r+4 of columns c..c+4 of `input` and rows c..c+4 of columns
                // r..r+4 of `out` are inside the slices (r + 4 <= rows, c + 4 <= cols).
                unsafe {
                    let v = std::array::from_fn(|k| simd::load(inp.as_ptr().add(r + (c + k) * rows)));
                    for (i, t) in simd::transpose4(v).into_iter().enumerate() {
                        simd::store(o.as_mut_ptr().add(c + (r + i) * cols), t);
                    }
                }
            }
        }
    }
    // What the 4 x 4 blocks left: all of it for f64, the edge rows and columns for f32.
    for c in 0..cols {
        let r_start = if c < c4 { r4 } else { 0 };
        for r in r_start..rows {
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

    /// The f32 SIMD kernel against a naive loop that sums over p in the same order: equal bit
    /// for bit, on shapes that are and are not multiples of the vector width and tile sizes.
    #[test]
    fn f32_kernel_matches_naive_loop_bitwise() {
        let mut rng = crate::rng::Rng::new(7);
        for &(m, k, n) in &[(1, 1, 1), (3, 5, 2), (4, 1, 4), (7, 3, 5), (8, 8, 4), (9, 7, 6), (12, 5, 9), (17, 9, 13),
            (33, 2, 7), (64, 32, 32), (64, 128, 128), (31, 64, 3), (5, 0, 3), (0, 4, 4), (4, 4, 0)] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.normal() as f32).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.normal() as f32).collect();
            let naive = |b_at: &dyn Fn(usize, usize) -> f32| -> Vec<f32> {
                let mut c = vec![0f32; m * n];
                for j in 0..n {
                    for i in 0..m {
                        let mut s = 0f32;
                        for p in 0..k {
                            // A fused build fuses in the 4-row tiles, not in the last m % 4 rows.
                            s = if simd::FUSED && i < m - m % 4 { a[i + p * m].mul_add(b_at(p, j), s) } else { s + a[i + p * m] * b_at(p, j) };
                        }
                        c[i + j * m] = s;
                    }
                }
                c
            };
            let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            let mut t = vec![f32::NAN; m * k];
            transpose(&a, &mut t, m, k);
            assert!((0..m).all(|i| (0..k).all(|p| t[p + i * k] == a[i + p * m])), "transpose {m}x{k}");
            let mut c = vec![f32::NAN; m * n];
            matmul_nn(&mut c, &a, &b, m, k, n);
            assert_eq!(bits(&c), bits(&naive(&|p, j| b[p + j * k])), "nn {m}x{k}x{n}");
            // The same numbers as a (n x k) matrix B, used transposed.
            let mut c = vec![f32::NAN; m * n];
            matmul_nt(&mut c, &a, &b, m, k, n);
            assert_eq!(bits(&c), bits(&naive(&|p, j| b[j + p * n])), "nt {m}x{k}x{n}");
        }
    }
}
