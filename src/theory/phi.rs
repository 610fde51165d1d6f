//! Activations in f64 for the theory: values, derivatives and closed forms where phi is
//! positively homogeneous.

use super::quadrature::{Quadrature, FINE_STEP, INV_SQRT_2PI};
use crate::config::{ActivationKind, ModelConfig};
use std::f64::consts::FRAC_1_SQRT_2;

/// An activation function with its parameter (the leaky-ReLU slope), in f64 for the theory.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Phi {
    pub kind: ActivationKind,
    /// Negative slope; used only by `leaky_relu`.
    pub leaky_slope: f64,
}

impl Phi {
    /// With the config's default leaky slope.
    pub fn new(kind: ActivationKind) -> Phi {
        Phi { kind, leaky_slope: ModelConfig::default().leaky_slope }
    }

    pub fn from_model(m: &ModelConfig) -> Phi {
        Phi { kind: m.activation, leaky_slope: m.leaky_slope }
    }

    /// (phi(x), phi'(x), phi''(x)) from one evaluation of the transcendentals. ReLU's
    /// derivative at 0 is 0, as in the trainer; GELU is the exact form x Phi(x).
    #[inline]
    pub fn eval(self, x: f64) -> (f64, f64, f64) {
        match self.kind {
            ActivationKind::Relu => {
                if x > 0.0 { (x, 1.0, 0.0) } else { (0.0, 0.0, 0.0) }
            }
            ActivationKind::LeakyRelu => {
                let a = self.leaky_slope;
                if x > 0.0 { (x, 1.0, 0.0) } else { (a * x, a, 0.0) }
            }
            ActivationKind::Linear => (x, 1.0, 0.0),
            ActivationKind::Tanh => {
                let t = tanh(x);
                let d = 1.0 - t * t;
                (t, d, -2.0 * t * d)
            }
            ActivationKind::Sigmoid => {
                let s = if x >= 0.0 { 1.0 / (1.0 + libm::exp(-x)) } else { let e = libm::exp(x); e / (1.0 + e) };
                let d = s * (1.0 - s);
                (s, d, d * (1.0 - 2.0 * s))
            }
            ActivationKind::Gelu => {
                let cdf = 0.5 * libm::erfc(-x * FRAC_1_SQRT_2);
                let pdf = INV_SQRT_2PI * libm::exp(-0.5 * x * x);
                (x * cdf, cdf + x * pdf, pdf * (2.0 - x * x))
            }
        }
    }

    /// (phi, phi') at x and at -x from one evaluation: tanh is odd, sigmoid(-x) =
    /// 1 - sigmoid(x), gelu(-x) = gelu(x) - x and gelu'(-x) = 1 - gelu'(x).
    #[inline]
    pub(super) fn eval_pm(self, x: f64) -> ((f64, f64), (f64, f64)) {
        let (p, d, _) = self.eval(x);
        let minus = match self.kind {
            ActivationKind::Tanh | ActivationKind::Linear => (-p, d),
            ActivationKind::Sigmoid => (1.0 - p, d),
            ActivationKind::Gelu => (p - x, 1.0 - d),
            ActivationKind::Relu | ActivationKind::LeakyRelu => {
                let (pm, dm, _) = self.eval(-x);
                (pm, dm)
            }
        };
        ((p, d), minus)
    }

    pub fn value(self, x: f64) -> f64 {
        self.eval(x).0
    }

    pub fn deriv(self, x: f64) -> f64 {
        self.eval(x).1
    }

    /// For positively homogeneous phi (relu, leaky_relu, linear), `E[phi(sqrt(q) z)^2] / q`
    /// and `E[phi'(sqrt(q) z)^2]`, both independent of q. These closed forms replace the
    /// quadrature (whose nodes would sit on either side of the kink anyway).
    pub fn homogeneous_gains(self) -> Option<(f64, f64)> {
        match self.kind {
            ActivationKind::Relu => Some((0.5, 0.5)),
            ActivationKind::LeakyRelu => {
                let g = 0.5 * (1.0 + self.leaky_slope * self.leaky_slope);
                Some((g, g))
            }
            ActivationKind::Linear => Some((1.0, 1.0)),
            _ => None,
        }
    }

    /// lim_{q -> inf} E[phi'(sqrt(q) z)^2]: the chi1 per unit s_w2 of a layer whose input
    /// variance has grown without bound. GELU tends to ReLU; tanh and sigmoid saturate.
    pub(super) fn dphi2_at_infinity(self) -> f64 {
        match self.homogeneous_gains() {
            Some((_, g)) => g,
            None if self.kind == ActivationKind::Gelu => 0.5,
            None => 0.0,
        }
    }

    /// E[phi(sqrt(q) z)] (the mean a post-activation carries), closed form where phi is
    /// homogeneous: relu sqrt(q / 2pi), leaky (1 - a) sqrt(q / 2pi).
    pub(super) fn mean(self, q: f64) -> f64 {
        let s = q.max(0.0).sqrt();
        match self.kind {
            ActivationKind::Relu => s * INV_SQRT_2PI,
            ActivationKind::LeakyRelu => (1.0 - self.leaky_slope) * s * INV_SQRT_2PI,
            ActivationKind::Linear => 0.0,
            _ => Quadrature::for_variance(q, FINE_STEP).expect(|z| self.value(s * z)),
        }
    }
}

/// tanh through one `exp` where that is exact to a few ulp (|x| >= 1/2: 1 - 2/(e^{2|x|} + 1)
/// loses at most a bit), `libm::tanh` near 0. The quadratures spend most of their time here,
/// and `libm::tanh` (via expm1) is about three times slower.
#[inline]
pub(super) fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a < 0.5 {
        return libm::tanh(x);
    }
    let t = 1.0 - 2.0 / (libm::exp(2.0 * a) + 1.0);
    if x < 0.0 { -t } else { t }
}
