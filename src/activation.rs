//! Elementwise activations phi: forward and derivative side by side.

use crate::config::ActivationKind;
use crate::scalar::Scalar;

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Activation {
    pub kind: ActivationKind,
    pub leaky_slope: f64,
}

const INV_SQRT_2: f64 = std::f64::consts::FRAC_1_SQRT_2;
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

impl Activation {
    pub fn new(kind: ActivationKind, leaky_slope: f64) -> Self {
        Activation { kind, leaky_slope }
    }

    /// Whether units can be "dead" (output exactly 0 on a whole batch).
    pub fn can_die(&self) -> bool {
        matches!(self.kind, ActivationKind::Relu | ActivationKind::LeakyRelu)
    }

    #[inline]
    pub fn value<T: Scalar>(&self, z: T) -> T {
        match self.kind {
            ActivationKind::Relu => z.max(T::ZERO),
            ActivationKind::LeakyRelu => if z > T::ZERO { z } else { T::from_f64(self.leaky_slope) * z },
            ActivationKind::Tanh => z.tanh(),
            ActivationKind::Linear => z,
            // Exact GELU, x Phi(x) (PyTorch's default, not the tanh approximation).
            ActivationKind::Gelu => z * T::from_f64(0.5) * (T::ONE + (z * T::from_f64(INV_SQRT_2)).erf()),
            ActivationKind::Sigmoid => T::ONE / (T::ONE + (-z).exp()),
        }
    }

    /// phi'(z); `a` = phi(z) is passed in so tanh and sigmoid reuse it.
    #[inline]
    pub fn derivative<T: Scalar>(&self, z: T, a: T) -> T {
        match self.kind {
            // The kink at 0 takes the derivative 0, as PyTorch does.
            ActivationKind::Relu => if z > T::ZERO { T::ONE } else { T::ZERO },
            ActivationKind::LeakyRelu => if z > T::ZERO { T::ONE } else { T::from_f64(self.leaky_slope) },
            ActivationKind::Tanh => T::ONE - a * a,
            ActivationKind::Linear => T::ONE,
            // d/dz [z Phi(z)] = Phi(z) + z phi(z).
            ActivationKind::Gelu => {
                let cdf = T::from_f64(0.5) * (T::ONE + (z * T::from_f64(INV_SQRT_2)).erf());
                cdf + z * T::from_f64(INV_SQRT_2PI) * (T::from_f64(-0.5) * z * z).exp()
            }
            ActivationKind::Sigmoid => a * (T::ONE - a),
        }
    }

    /// a = phi(z), elementwise. The kind is matched once, outside the loop, so the loops of
    /// the piecewise-linear kinds vectorize.
    pub fn forward<T: Scalar>(&self, z: &[T], a: &mut [T]) {
        let (a, z) = (&mut a[..z.len()], z);
        match self.kind {
            ActivationKind::Linear => a.copy_from_slice(z),
            ActivationKind::Relu => a.iter_mut().zip(z).for_each(|(ai, &zi)| *ai = if zi > T::ZERO { zi } else { T::ZERO }),
            ActivationKind::LeakyRelu => {
                let slope = T::from_f64(self.leaky_slope);
                a.iter_mut().zip(z).for_each(|(ai, &zi)| *ai = if zi > T::ZERO { zi } else { slope * zi });
            }
            _ => a.iter_mut().zip(z).for_each(|(ai, &zi)| *ai = self.value(zi)),
        }
    }

    /// dz = da * phi'(z), elementwise (kind matched once, as in `forward`).
    pub fn backward<T: Scalar>(&self, z: &[T], a: &[T], da: &[T], dz: &mut [T]) {
        let n = dz.len();
        let (z, a, da) = (&z[..n], &a[..n], &da[..n]);
        match self.kind {
            ActivationKind::Linear => dz.copy_from_slice(da),
            ActivationKind::Relu => {
                for i in 0..n {
                    dz[i] = da[i] * if z[i] > T::ZERO { T::ONE } else { T::ZERO };
                }
            }
            ActivationKind::LeakyRelu => {
                let slope = T::from_f64(self.leaky_slope);
                for i in 0..n {
                    dz[i] = da[i] * if z[i] > T::ZERO { T::ONE } else { slope };
                }
            }
            _ => {
                for i in 0..n {
                    dz[i] = da[i] * self.derivative(z[i], a[i]);
                }
            }
        }
    }
}
