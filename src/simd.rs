//! Four f32 lanes with just what the matrix kernels, the optimizers and the f32 sums of squares
//! need: simd128 in wasm, SSE on x86_64 (part of its baseline), plain arrays elsewhere. Each
//! lane of add, sub, mul, div and sqrt rounds exactly like the scalar f32 operation; `all_le`
//! is true when every lane of a is <= that of b (false for a NaN, as the scalar comparison).
//!
//! `madd(a, b, c)` = a * b + c is the one operation that depends on the build: a separate
//! multiply and add by default, so each lane rounds exactly like scalar f32 code and every
//! target gives the same bits; fused (one rounding) in a build with relaxed SIMD in wasm or
//! FMA on x86_64, which is faster (half the arithmetic instructions in the matrix kernel) and
//! gives the same bits as every other fused build. `FUSED` says which.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod imp {
    use core::arch::wasm32::*;
    pub type V = v128;
    #[inline(always)] pub fn splat(x: f32) -> V { f32x4_splat(x) }
    #[inline(always)] pub unsafe fn load(p: *const f32) -> V { v128_load(p as *const v128) }
    #[inline(always)] pub unsafe fn store(p: *mut f32, v: V) { v128_store(p as *mut v128, v) }
    #[inline(always)] pub fn add(a: V, b: V) -> V { f32x4_add(a, b) }
    #[inline(always)] pub fn mul(a: V, b: V) -> V { f32x4_mul(a, b) }
    #[inline(always)] pub fn sub(a: V, b: V) -> V { f32x4_sub(a, b) }
    #[inline(always)] pub fn div(a: V, b: V) -> V { f32x4_div(a, b) }
    #[inline(always)] pub fn sqrt(a: V) -> V { f32x4_sqrt(a) }
    #[inline(always)] pub fn all_le(a: V, b: V) -> bool { i32x4_all_true(f32x4_le(a, b)) }
    #[cfg(target_feature = "relaxed-simd")]
    #[inline(always)] pub fn madd(a: V, b: V, c: V) -> V { f32x4_relaxed_madd(a, b, c) }
    #[cfg(not(target_feature = "relaxed-simd"))]
    #[inline(always)] pub fn madd(a: V, b: V, c: V) -> V { add(mul(a, b), c) }
    pub const FUSED: bool = cfg!(target_feature = "relaxed-simd");
    #[inline(always)]
    pub fn transpose4([a, b, c, d]: [V; 4]) -> [V; 4] {
        let (ab_lo, ab_hi) = (i32x4_shuffle::<0, 4, 1, 5>(a, b), i32x4_shuffle::<2, 6, 3, 7>(a, b));
        let (cd_lo, cd_hi) = (i32x4_shuffle::<0, 4, 1, 5>(c, d), i32x4_shuffle::<2, 6, 3, 7>(c, d));
        [
            i32x4_shuffle::<0, 1, 4, 5>(ab_lo, cd_lo),
            i32x4_shuffle::<2, 3, 6, 7>(ab_lo, cd_lo),
            i32x4_shuffle::<0, 1, 4, 5>(ab_hi, cd_hi),
            i32x4_shuffle::<2, 3, 6, 7>(ab_hi, cd_hi),
        ]
    }
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::x86_64::*;
    pub type V = __m128;
    // SSE is part of the x86_64 baseline, so these intrinsics are always available.
    #[inline(always)] pub fn splat(x: f32) -> V { unsafe { _mm_set1_ps(x) } }
    #[inline(always)] pub unsafe fn load(p: *const f32) -> V { _mm_loadu_ps(p) }
    #[inline(always)] pub unsafe fn store(p: *mut f32, v: V) { _mm_storeu_ps(p, v) }
    #[inline(always)] pub fn add(a: V, b: V) -> V { unsafe { _mm_add_ps(a, b) } }
    #[inline(always)] pub fn mul(a: V, b: V) -> V { unsafe { _mm_mul_ps(a, b) } }
    #[inline(always)] pub fn sub(a: V, b: V) -> V { unsafe { _mm_sub_ps(a, b) } }
    #[inline(always)] pub fn div(a: V, b: V) -> V { unsafe { _mm_div_ps(a, b) } }
    #[inline(always)] pub fn sqrt(a: V) -> V { unsafe { _mm_sqrt_ps(a) } }
    #[inline(always)] pub fn all_le(a: V, b: V) -> bool { unsafe { _mm_movemask_ps(_mm_cmple_ps(a, b)) == 0xF } }
    #[cfg(target_feature = "fma")]
    #[inline(always)] pub fn madd(a: V, b: V, c: V) -> V { unsafe { _mm_fmadd_ps(a, b, c) } }
    #[cfg(not(target_feature = "fma"))]
    #[inline(always)] pub fn madd(a: V, b: V, c: V) -> V { add(mul(a, b), c) }
    pub const FUSED: bool = cfg!(target_feature = "fma");
    #[inline(always)]
    pub fn transpose4([a, b, c, d]: [V; 4]) -> [V; 4] {
        unsafe {
            let (ab_lo, ab_hi) = (_mm_unpacklo_ps(a, b), _mm_unpackhi_ps(a, b));
            let (cd_lo, cd_hi) = (_mm_unpacklo_ps(c, d), _mm_unpackhi_ps(c, d));
            [_mm_movelh_ps(ab_lo, cd_lo), _mm_movehl_ps(cd_lo, ab_lo), _mm_movelh_ps(ab_hi, cd_hi), _mm_movehl_ps(cd_hi, ab_hi)]
        }
    }
}

#[cfg(not(any(all(target_arch = "wasm32", target_feature = "simd128"), target_arch = "x86_64")))]
mod imp {
    pub type V = [f32; 4];
    #[inline(always)] pub fn splat(x: f32) -> V { [x; 4] }
    #[inline(always)] pub unsafe fn load(p: *const f32) -> V { (p as *const [f32; 4]).read_unaligned() }
    #[inline(always)] pub unsafe fn store(p: *mut f32, v: V) { (p as *mut [f32; 4]).write_unaligned(v) }
    #[inline(always)] pub fn add(a: V, b: V) -> V { std::array::from_fn(|i| a[i] + b[i]) }
    #[inline(always)] pub fn mul(a: V, b: V) -> V { std::array::from_fn(|i| a[i] * b[i]) }
    #[inline(always)] pub fn sub(a: V, b: V) -> V { std::array::from_fn(|i| a[i] - b[i]) }
    #[inline(always)] pub fn div(a: V, b: V) -> V { std::array::from_fn(|i| a[i] / b[i]) }
    #[inline(always)] pub fn sqrt(a: V) -> V { a.map(f32::sqrt) }
    #[inline(always)] pub fn all_le(a: V, b: V) -> bool { (0..4).all(|i| a[i] <= b[i]) }
    #[inline(always)] pub fn madd(a: V, b: V, c: V) -> V { add(mul(a, b), c) }
    pub const FUSED: bool = false;
    #[inline(always)]
    pub fn transpose4(v: [V; 4]) -> [V; 4] { std::array::from_fn(|i| std::array::from_fn(|k| v[k][i])) }
}

/// The 4 x 4 transpose of four vectors: lane i of result k is lane k of input i.
pub use imp::transpose4;
pub use imp::{add, all_le, div, load, madd, mul, splat, sqrt, store, sub, FUSED, V};

/// Lanes per vector.
pub const LANES: usize = 4;

/// The vector of four values, and back.
#[inline(always)]
pub fn from_array(a: [f32; 4]) -> V {
    // SAFETY: `a` holds four f32.
    unsafe { load(a.as_ptr()) }
}
/// The four values' sum in a fixed order, (a0 + a2) + (a1 + a3): that of a vector's lanes
/// added pairwise, the same on every target.
#[inline(always)]
pub fn sum4(a: [f32; 4]) -> f32 {
    (a[0] + a[2]) + (a[1] + a[3])
}
#[inline(always)]
pub fn to_array(v: V) -> [f32; 4] {
    let mut a = [0f32; 4];
    // SAFETY: `a` holds four f32.
    unsafe { store(a.as_mut_ptr(), v) };
    a
}
