//! The scalar the network is generic over: `f32` for training, `f64` for gradient checks.
//!
//! Transcendentals go through the pure-Rust `libm` crate on every target, so native and
//! wasm builds round identically (the platform libm of a native build may differ in the
//! last bit from the one compiled into wasm).

use std::fmt::Debug;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

pub trait Scalar:
    Copy
    + Default
    + Debug
    + PartialOrd
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Send
    + Sync
    + 'static
{
    const ZERO: Self;
    const ONE: Self;
    fn from_f64(x: f64) -> Self;
    fn to_f64(self) -> f64;
    fn exp(self) -> Self;
    fn ln(self) -> Self;
    fn tanh(self) -> Self;
    fn sqrt(self) -> Self;
    fn erf(self) -> Self;
    fn is_finite(self) -> bool;
    /// The slice as `f32`s when `Self` is `f32` (the matrix kernels take a SIMD path then).
    fn as_f32(s: &[Self]) -> Option<&[f32]>;
    fn as_f32_mut(s: &mut [Self]) -> Option<&mut [f32]>;
    #[inline]
    fn max(self, other: Self) -> Self {
        if self > other { self } else { other }
    }
}

impl Scalar for f32 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline] fn from_f64(x: f64) -> Self { x as f32 }
    #[inline] fn to_f64(self) -> f64 { self as f64 }
    #[inline] fn exp(self) -> Self { libm::expf(self) }
    #[inline] fn ln(self) -> Self { libm::logf(self) }
    #[inline] fn tanh(self) -> Self { libm::tanhf(self) }
    #[inline] fn sqrt(self) -> Self { f32::sqrt(self) }
    #[inline] fn erf(self) -> Self { libm::erff(self) }
    #[inline] fn is_finite(self) -> bool { f32::is_finite(self) }
    #[inline] fn as_f32(s: &[Self]) -> Option<&[f32]> { Some(s) }
    #[inline] fn as_f32_mut(s: &mut [Self]) -> Option<&mut [f32]> { Some(s) }
}

impl Scalar for f64 {
    const ZERO: Self = 0.0;
    const ONE: Self = 1.0;
    #[inline] fn from_f64(x: f64) -> Self { x }
    #[inline] fn to_f64(self) -> f64 { self }
    #[inline] fn exp(self) -> Self { libm::exp(self) }
    #[inline] fn ln(self) -> Self { libm::log(self) }
    #[inline] fn tanh(self) -> Self { libm::tanh(self) }
    #[inline] fn sqrt(self) -> Self { f64::sqrt(self) }
    #[inline] fn erf(self) -> Self { libm::erf(self) }
    #[inline] fn is_finite(self) -> bool { f64::is_finite(self) }
    #[inline] fn as_f32(_: &[Self]) -> Option<&[f32]> { None }
    #[inline] fn as_f32_mut(_: &mut [Self]) -> Option<&mut [f32]> { None }
}
