//! Mean-field signal-propagation theory: what an infinitely wide network of the configured
//! shape should do at initialisation, to draw next to what the trainer measures.
//!
//! Everything here is f64 and deterministic (transcendentals through `libm`, as in `scalar.rs`).
//!
//! * Gaussian expectations E over z ~ N(0,1): [`gauss_expect`] uses a cached Gauss–Hermite
//!   rule for the probabilists' weight (Golub & Welsch 1969), right for integrands smooth on
//!   the scale of 1. Expectations of an activation at variance q, E[f(sqrt(q) z)], use a
//!   sinh-mapped trapezoid rule instead, whose accuracy (~1e-10) does not degrade as q grows;
//!   Gauss–Hermite's does (see [`Quadrature::gauss_hermite`]). ReLU, leaky ReLU and linear
//!   use closed forms throughout.
//! * Single-layer maps of a fully connected layer `z = W y + b`, `y = phi(z_prev)`, with
//!   `Var W_ij = s_w2 / fan_in`, `Var b_i = s_b2`:
//!   - length map (Poole et al. 2016, eq. 3): `q' = s_w2 E[phi(sqrt(q) z)^2] + s_b2`;
//!   - correlation map (Poole et al. 2016; Schoenholz et al. 2017):
//!     `c' = (s_w2 E[phi(u1) phi(u2)] + s_b2) / q'`, `u1 = sqrt(q) z1`,
//!     `u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2)`;
//!   - `chi1 = s_w2 E[phi'(sqrt(q*) z)^2]` (Schoenholz et al. 2017, eq. 5): the slope of the
//!     correlation map at c = 1, and the per-layer factor of the backward mean square;
//!   - `chi_c = s_w2 E[phi'(u1) phi'(u2)]` at the fixed point (q*, c*) and the correlation
//!     depth scale `xi_c = -1 / ln(chi_c)` (Schoenholz et al. 2017, eq. 9), infinite at chi_c = 1.
//! * [`predict_profile`]: the depth profile of the stream's second moment and of the relative
//!   mean square of dL/dh_l for plain and residual nets (Yang & Schoenholz 2017 for residual
//!   nets; De & Smith 2020 for normalised branches; Zhang et al. 2019 Fixup; Bachlechner et
//!   al. 2020 ReZero). Configurations the theory here does not cover say so (`supported:
//!   false` with a reason) instead of guessing.
//! * [`phase_diagram`] and [`critical_sw2`]: the order/chaos phase diagram in (s_w2, s_b2).
//!
//! Backward quantities use the gradient-independence assumption of Schoenholz et al. 2017
//! (weights in the backward pass treated as independent of the forward ones), exact at
//! infinite width for these architectures.

use crate::config::{ActivationKind, BranchScale, Config, DatasetName, InitKind, ModelConfig, NetKind, NormKind, NormPosition};
use crate::error::{LabError, Result};
use crate::float_text::Disp;
use nalgebra::{DMatrix, SymmetricEigen};
use std::f64::consts::{FRAC_1_SQRT_2, PI};
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------------
// Quadrature
// ---------------------------------------------------------------------------------------------

/// Nodes of the cached Gauss–Hermite rule behind [`gauss_expect`].
pub const GAUSS_HERMITE_NODES: usize = 96;

/// Step of the sinh-mapped trapezoid rule for the public maps and the profile (relative error
/// about 1e-10 for tanh, sigmoid and GELU at any variance).
pub const FINE_STEP: f64 = 0.2;
/// Step for [`phase_diagram`] (about 1e-6): the 2-D product rule costs n^2 activation calls.
pub const COARSE_STEP: f64 = 0.35;

/// How a fixed-point solve trades accuracy for time: the quadrature step and the Newton step
/// below which the iteration stops (Newton's error after such a step is ~10 tol^2).
#[derive(Clone, Copy, Debug)]
struct Precision {
    step: f64,
    newton_tol: f64,
}

const FINE: Precision = Precision { step: FINE_STEP, newton_tol: 1e-8 };
const COARSE: Precision = Precision { step: COARSE_STEP, newton_tol: 1e-4 };

/// Where the sinh-mapped rule truncates the normal: |z| <= 9 (tail mass 2e-19).
const Z_MAX: f64 = 9.0;
const INV_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// A quadrature rule for the standard normal: `E[f(z)] ≈ Σ w_i f(x_i)`, z ~ N(0, 1).
#[derive(Clone, Debug, PartialEq)]
pub struct Quadrature {
    pub nodes: Vec<f64>,
    pub weights: Vec<f64>,
}

impl Quadrature {
    /// Gauss–Hermite for the probabilists' weight, by Golub & Welsch (1969): the nodes are the
    /// eigenvalues of the Jacobi matrix of the monic recurrence
    /// `He_{k+1}(x) = x He_k(x) - k He_{k-1}(x)` (zero diagonal, off-diagonal sqrt(k)); each
    /// weight is the squared first component of the unit eigenvector. Exact for polynomials
    /// of degree <= 2n - 1. Made exactly symmetric about 0, so odd moments vanish.
    ///
    /// Its nodes are spaced about pi / sqrt(2n) near 0, so it cannot resolve phi(sqrt(q) z)
    /// once sqrt(q) is large: with 96 nodes E[tanh'(sqrt(q) z)^2] is off by 4e-4 at q = 4, 1%
    /// at q = 8 and 90% at q = 100. Activation expectations therefore use
    /// [`Quadrature::normal_sinh`].
    pub fn gauss_hermite(n: usize) -> Quadrature {
        let n = n.max(1);
        let mut jacobi = DMatrix::<f64>::zeros(n, n);
        for k in 1..n {
            let b = (k as f64).sqrt();
            jacobi[(k - 1, k)] = b;
            jacobi[(k, k - 1)] = b;
        }
        let eig = SymmetricEigen::new(jacobi);
        let mut pairs: Vec<(f64, f64)> =
            (0..n).map(|i| (eig.eigenvalues[i], eig.eigenvectors[(0, i)].powi(2))).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        for i in 0..n / 2 {
            let j = n - 1 - i;
            let x = 0.5 * (pairs[j].0 - pairs[i].0);
            let w = 0.5 * (pairs[i].1 + pairs[j].1);
            pairs[i] = (-x, w);
            pairs[j] = (x, w);
        }
        if n % 2 == 1 {
            pairs[n / 2].0 = 0.0;
        }
        Quadrature::normalised(pairs)
    }

    /// A trapezoid rule in t after the substitution z = scale * sinh(t) (the sinh
    /// transformation for integrands with a narrow feature at 0), for E[f(z)] when f varies on
    /// the length `scale` <= 1 near z = 0 and slowly further out. For f(z) = g(sqrt(q) z) with g
    /// analytic within |Im u| < pi/2 of the real axis (tanh, sigmoid, GELU), scale =
    /// 1/sqrt(q) makes the transformed integrand analytic and bounded in |Im t| < pi/4, so the
    /// error falls like exp(-pi^2 / (2 step)) for every q: ~1e-10 at step 0.2, with 31 nodes
    /// for q <= 1, 53 at q = 100 and 169 at q = 1e12. Weights renormalised to sum to 1.
    pub fn normal_sinh(scale: f64, step: f64) -> Quadrature {
        let scale = if scale.is_finite() && scale > 0.0 { scale.min(1.0) } else { 1.0 };
        let step = if step.is_finite() && step > 0.0 { step.clamp(0.01, 1.0) } else { FINE_STEP };
        let t_max = libm::asinh(Z_MAX / scale);
        let half = (t_max / step).ceil().max(1.0) as i64;
        let h = t_max / half as f64;
        // Nodes for t >= 0 (e^t by repeated multiplication), mirrored so the rule is exactly
        // symmetric.
        let growth = libm::exp(h);
        let mut e = 1.0;
        let positive: Vec<(f64, f64)> = (0..=half)
            .map(|_| {
                let (sinh, cosh) = (0.5 * (e - 1.0 / e), 0.5 * (e + 1.0 / e));
                e *= growth;
                let z = scale * sinh;
                (z, h * scale * cosh * INV_SQRT_2PI * libm::exp(-0.5 * z * z))
            })
            .collect();
        let pairs = positive.iter().rev().map(|&(z, w)| (-z, w)).chain(positive[1..].iter().copied()).collect();
        Quadrature::normalised(pairs)
    }

    /// The rule for E[g(sqrt(q) z)] with g varying on a unit length: scale min(1, 1/sqrt(q)).
    fn for_variance(q: f64, step: f64) -> Quadrature {
        Quadrature::normal_sinh(if q > 1.0 { 1.0 / q.sqrt() } else { 1.0 }, step)
    }

    fn normalised(pairs: Vec<(f64, f64)>) -> Quadrature {
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        Quadrature { nodes: pairs.iter().map(|p| p.0).collect(), weights: pairs.iter().map(|p| p.1 / total).collect() }
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// E[f(z)], z ~ N(0, 1).
    pub fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.nodes.iter().zip(&self.weights).map(|(&x, &w)| w * f(x)).sum()
    }

    /// E[f(z1, z2)] for independent z1, z2 ~ N(0, 1) (product rule, n^2 points).
    pub fn expect2(&self, f: impl Fn(f64, f64) -> f64) -> f64 {
        let mut total = 0.0;
        for (&x1, &w1) in self.nodes.iter().zip(&self.weights) {
            let inner: f64 = self.nodes.iter().zip(&self.weights).map(|(&x2, &w2)| w2 * f(x1, x2)).sum();
            total += w1 * inner;
        }
        total
    }
}

/// The cached [`GAUSS_HERMITE_NODES`]-node Gauss–Hermite rule.
pub fn gauss_hermite_rule() -> &'static Quadrature {
    static RULE: OnceLock<Quadrature> = OnceLock::new();
    RULE.get_or_init(|| Quadrature::gauss_hermite(GAUSS_HERMITE_NODES))
}

/// E[f(z)], z ~ N(0, 1), by the cached Gauss–Hermite rule: accurate for f smooth on the
/// scale of 1 (polynomials of degree < 192 exactly).
pub fn gauss_expect(f: impl Fn(f64) -> f64) -> f64 {
    gauss_hermite_rule().expect(f)
}

/// E[f(z1, z2)] over two independent standard normals, by the Gauss–Hermite product rule.
pub fn gauss_expect2(f: impl Fn(f64, f64) -> f64) -> f64 {
    gauss_hermite_rule().expect2(f)
}

// ---------------------------------------------------------------------------------------------
// Activations
// ---------------------------------------------------------------------------------------------

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
    fn eval_pm(self, x: f64) -> ((f64, f64), (f64, f64)) {
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
    fn dphi2_at_infinity(self) -> f64 {
        match self.homogeneous_gains() {
            Some((_, g)) => g,
            None if self.kind == ActivationKind::Gelu => 0.5,
            None => 0.0,
        }
    }

    /// E[phi(sqrt(q) z)] (the mean a post-activation carries), closed form where phi is
    /// homogeneous: relu sqrt(q / 2pi), leaky (1 - a) sqrt(q / 2pi).
    fn mean(self, q: f64) -> f64 {
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
fn tanh(x: f64) -> f64 {
    let a = x.abs();
    if a < 0.5 {
        return libm::tanh(x);
    }
    let t = 1.0 - 2.0 / (libm::exp(2.0 * a) + 1.0);
    if x < 0.0 { -t } else { t }
}

// ---------------------------------------------------------------------------------------------
// Single-layer maps
// ---------------------------------------------------------------------------------------------

/// Gaussian moments of phi at input variance q.
#[derive(Clone, Copy, Debug)]
struct Moments {
    /// E[phi(u)^2], u ~ N(0, q).
    phi2: f64,
    /// E[phi'(u)^2].
    dphi2: f64,
    /// d/dq E[phi(u)^2] = E[phi'(u)^2 + phi(u) phi''(u)] (Price's theorem: d/dq E[g] = E[g'']/2).
    dq_phi2: f64,
}

/// Moments of phi at variance q, by the closed forms or the sinh-mapped rule of this `step`.
fn moments(phi: Phi, q: f64, step: f64) -> Moments {
    if let Some((g, gd)) = phi.homogeneous_gains() {
        return Moments { phi2: g * q, dphi2: gd, dq_phi2: g };
    }
    if q == f64::INFINITY {
        // Limits, so an overflowing profile carries inf rather than NaN.
        return match phi.kind {
            ActivationKind::Gelu => Moments { phi2: q, dphi2: 0.5, dq_phi2: 0.5 },
            ActivationKind::Sigmoid => Moments { phi2: 0.5, dphi2: 0.0, dq_phi2: 0.0 },
            _ => Moments { phi2: 1.0, dphi2: 0.0, dq_phi2: 0.0 },
        };
    }
    let s = q.max(0.0).sqrt();
    let rule = Quadrature::for_variance(q, step);
    if phi.kind == ActivationKind::Gelu {
        // GELU grows like ReLU. Split off the ReLU part exactly, so that q' - q keeps its
        // precision at large q (where it decides whether q* exists): by symmetry of u,
        // E[gelu(u)^2] = q/2 - E[u^2 Phi(u) Phi(-u)] and E[gelu'(u)^2] = 1/2 - E[d (1 - d)]
        // with d = gelu'(u); both corrections are concentrated at |u| < 5.
        let (mut relu_gap, mut slope_gap, mut curvature) = (0.0, 0.0, 0.0);
        for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
            let u = s * x;
            let tail = 0.5 * libm::erfc(u.abs() * FRAC_1_SQRT_2); // Phi(-|u|)
            let (cdf, ccdf) = if u >= 0.0 { (1.0 - tail, tail) } else { (tail, 1.0 - tail) };
            let pdf = INV_SQRT_2PI * libm::exp(-0.5 * u * u);
            let (p, d, dd) = (u * cdf, cdf + u * pdf, pdf * (2.0 - u * u));
            relu_gap += w * u * u * cdf * ccdf;
            slope_gap += w * d * (1.0 - d);
            curvature += w * p * dd;
        }
        let dphi2 = 0.5 - slope_gap;
        return Moments { phi2: 0.5 * q - relu_gap, dphi2, dq_phi2: dphi2 + curvature };
    }
    let (mut phi2, mut dphi2, mut dq) = (0.0, 0.0, 0.0);
    for (&x, &w) in rule.nodes.iter().zip(&rule.weights) {
        let (p, d, dd) = phi.eval(s * x);
        phi2 += w * p * p;
        dphi2 += w * d * d;
        dq += w * (d * d + p * dd);
    }
    Moments { phi2, dphi2, dq_phi2: dq }
}

/// E[phi(sqrt(q) z)^2], z ~ N(0, 1): the second moment of a post-activation whose
/// pre-activation has variance q.
pub fn gaussian_phi2(phi: Phi, q: f64) -> f64 {
    moments(phi, q, FINE_STEP).phi2
}

/// E[phi'(sqrt(q) z)^2].
pub fn gaussian_dphi2(phi: Phi, q: f64) -> f64 {
    moments(phi, q, FINE_STEP).dphi2
}

/// The length map (Poole et al. 2016, eq. 3): the pre-activation variance of the next layer,
/// `q' = s_w2 E[phi(sqrt(q) z)^2] + s_b2`.
pub fn length_map(phi: Phi, sw2: f64, sb2: f64, q: f64) -> f64 {
    sw2 * gaussian_phi2(phi, q) + sb2
}

/// `chi1 = s_w2 E[phi'(sqrt(q) z)^2]` (Schoenholz et al. 2017, eq. 5; Poole et al. 2016):
/// at the fixed point q*, the slope of the correlation map at c = 1 and the factor by which
/// the mean square of the gradient grows per layer, going down.
pub fn chi1(phi: Phi, sw2: f64, q: f64) -> f64 {
    sw2 * gaussian_dphi2(phi, q)
}

/// Arc-cosine kernel of degree 1 (Cho & Saul 2009): E[relu(u1) relu(u2)] for u1, u2 of
/// variance q and correlation c.
fn relu_kernel(q: f64, c: f64) -> f64 {
    let c = c.clamp(-1.0, 1.0);
    q / (2.0 * PI) * ((1.0 - c * c).max(0.0).sqrt() + (PI - libm::acos(c)) * c)
}

/// The two-input expectations at one variance q, with the outer activation values cached so
/// that iterating over c costs only the inner n^2 calls.
struct CrossMoments {
    phi: Phi,
    q: f64,
    rule: Quadrature,
    /// (phi(u1), phi'(u1)) at the outer nodes u1 = sqrt(q) z1.
    outer: Vec<(f64, f64)>,
    /// E[phi(u)^2] by the same rule (the c = 1 value, so c'(1) = 1 to rounding).
    phi2: f64,
}

impl CrossMoments {
    fn new(phi: Phi, q: f64, step: f64) -> CrossMoments {
        let rule = Quadrature::for_variance(q, step);
        let s = q.max(0.0).sqrt();
        let outer: Vec<(f64, f64)> = rule.nodes.iter().map(|&x| { let (p, d, _) = phi.eval(s * x); (p, d) }).collect();
        let phi2 = match phi.homogeneous_gains() {
            Some((g, _)) => g * q,
            None => outer.iter().zip(&rule.weights).map(|(o, &w)| w * o.0 * o.0).sum(),
        };
        CrossMoments { phi, q, rule, outer, phi2 }
    }

    /// E[phi'(u)^2] (the c = 1 value of the derivative moment).
    fn dphi2(&self) -> f64 {
        match self.phi.homogeneous_gains() {
            Some((_, gd)) => gd,
            None => self.outer.iter().zip(&self.rule.weights).map(|(o, &w)| w * o.1 * o.1).sum(),
        }
    }

    /// (E[phi(u1) phi(u2)], E[phi'(u1) phi'(u2)]) with u1 = sqrt(q) z1,
    /// u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2). Closed forms for relu / leaky_relu / linear
    /// (leaky = relu(x) - a relu(-x); relu(-u1), relu(-u2) have correlation c and relu(u1),
    /// relu(-u2) correlation -c); the product rule otherwise.
    fn at(&self, c: f64) -> (f64, f64) {
        let (phi, q) = (self.phi, self.q);
        let c = c.clamp(-1.0, 1.0);
        let both_positive = (PI - libm::acos(c)) / (2.0 * PI); // P(u1 > 0, u2 > 0)
        match phi.kind {
            ActivationKind::Relu => return (relu_kernel(q, c), both_positive),
            ActivationKind::LeakyRelu => {
                let a = phi.leaky_slope;
                let opposite = 0.5 - both_positive; // P(u1 > 0, u2 < 0)
                return (
                    (1.0 + a * a) * relu_kernel(q, c) - 2.0 * a * relu_kernel(q, -c),
                    (1.0 + a * a) * both_positive + 2.0 * a * opposite,
                );
            }
            ActivationKind::Linear => return (q * c, 1.0),
            _ => {}
        }
        let s = q.max(0.0).sqrt();
        let sc = (1.0 - c * c).max(0.0).sqrt();
        let (nodes, weights, outer) = (&self.rule.nodes, &self.rule.weights, &self.outer);
        let n = nodes.len();
        let (mut e, mut ed) = (0.0, 0.0);
        // The rule is symmetric, so node (i, j) and its mirror (n-1-i, n-1-j) have the same
        // weight and opposite u2: one activation call serves both.
        for i in 0..n / 2 {
            let ((p1, d1), (p1m, d1m)) = (outer[i], outer[n - 1 - i]);
            let (mut inner, mut inner_d) = (0.0, 0.0);
            for (&x2, &w2) in nodes.iter().zip(weights) {
                let ((p2, d2), (p2m, d2m)) = phi.eval_pm(s * (c * nodes[i] + sc * x2));
                inner += w2 * (p1 * p2 + p1m * p2m);
                inner_d += w2 * (d1 * d2 + d1m * d2m);
            }
            e += weights[i] * inner;
            ed += weights[i] * inner_d;
        }
        if n % 2 == 1 {
            let mid = n / 2;
            let (p1, d1) = outer[mid];
            for (&x2, &w2) in nodes.iter().zip(weights) {
                let (p2, d2, _) = phi.eval(s * (c * nodes[mid] + sc * x2));
                e += weights[mid] * w2 * p1 * p2;
                ed += weights[mid] * w2 * d1 * d2;
            }
        }
        (e, ed)
    }

    /// c' and dc'/dc of the correlation map for two inputs of equal variance q.
    fn map_and_slope(&self, sw2: f64, sb2: f64, c: f64) -> (f64, f64) {
        let (e12, d12) = self.at(c);
        let q_next = sw2 * self.phi2 + sb2;
        if q_next <= 0.0 {
            return (1.0, 1.0);
        }
        // Price's theorem: d/dc E[phi(u1) phi(u2)] = q E[phi'(u1) phi'(u2)].
        ((sw2 * e12 + sb2) / q_next, sw2 * self.q * d12 / q_next)
    }
}

/// The correlation map (Poole et al. 2016; Schoenholz et al. 2017): the correlation
/// c' between the next layer's pre-activations of two inputs whose pre-activations have
/// variance q and correlation c. Product quadrature (about 31^2–45^2 points for q up to 100)
/// or the arc-cosine closed forms.
pub fn correlation_map(phi: Phi, sw2: f64, sb2: f64, q: f64, c: f64) -> f64 {
    CrossMoments::new(phi, q, FINE_STEP).map_and_slope(sw2, sb2, c).0
}

/// `chi_c = s_w2 E[phi'(u1) phi'(u2)]` (Schoenholz et al. 2017, eq. 9) at variance q and
/// correlation c; at the fixed point (q*, c*) it is the slope of the correlation map there.
pub fn chi_c(phi: Phi, sw2: f64, q: f64, c: f64) -> f64 {
    sw2 * CrossMoments::new(phi, q, FINE_STEP).at(c).1
}

/// The depth scale of a per-layer contraction factor chi: `-1 / ln(chi)` (Schoenholz et al.
/// 2017, eq. 9), infinite for chi >= 1 (no exponential decay) and 0 for chi <= 0.
pub fn depth_scale(chi: f64) -> f64 {
    if chi.is_nan() {
        f64::NAN
    } else if chi >= 1.0 {
        f64::INFINITY
    } else if chi <= 0.0 {
        0.0
    } else {
        -1.0 / libm::log(chi)
    }
}

// ---------------------------------------------------------------------------------------------
// Fixed points
// ---------------------------------------------------------------------------------------------

/// The mean-field fixed point of one (s_w2, s_b2) and its stability.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct FixedPoint {
    /// The fixed point the length map reaches when iterated from q = 1 (the map is increasing,
    /// so this is a stable one; for tanh and sigmoid it is the only one, GELU can also have
    /// an unstable one above it). Infinite when the variance grows without bound (e.g. ReLU
    /// with s_w2 > 2); 0 when the map contracts to 0 (s_b2 = 0, phi(0) = 0 and
    /// s_w2 phi'(0)^2 <= 1).
    pub q_star: f64,
    /// chi1 at q* (for q* = inf, its limit s_w2 lim E[phi'^2]). < 1: ordered (gradients
    /// vanish), > 1: chaotic (they explode), = 1: the edge of chaos.
    pub chi1: f64,
    /// The stable fixed point of the correlation map: 1 in the ordered phase, < 1 in the
    /// chaotic phase.
    pub c_star: f64,
    /// `s_w2 E[phi'(u1) phi'(u2)]` at (q*, c*); equals chi1 in the ordered phase. Set to 1 when
    /// q* is infinite (the correlation map of an unbounded homogeneous net has slope 1 at c = 1).
    pub chi_c: f64,
    /// `-1 / ln(chi_c)`: over how many layers a correlation between inputs relaxes; infinite
    /// at the edge of chaos (and when q* is infinite).
    pub xi_c: f64,
}

/// Largest variance treated as finite; the length map beyond it is "unbounded".
const Q_MAX: f64 = 1e12;
/// Below this a fixed point is treated as 0.
const Q_MIN: f64 = 1e-30;

/// The fixed point of the length map reached from q = `guess` (see [`FixedPoint::q_star`]),
/// by a safeguarded Newton iteration on `G(q) = s_w2 E[phi^2] + s_b2 - q` that keeps a
/// bracket G(lo) > 0 > G(hi) and falls back to geometric bisection / expansion: from where
/// G > 0 it searches upwards, from where G < 0 downwards, as the iterated map would move.
fn solve_q_star(phi: Phi, sw2: f64, sb2: f64, prec: Precision, guess: f64) -> f64 {
    if let Some((g, _)) = phi.homogeneous_gains() {
        // q' = k q + s_b2 with k = s_w2 g.
        let k = sw2 * g;
        return if k < 1.0 { sb2 / (1.0 - k) } else if sb2 == 0.0 && k == 1.0 { 0.0 } else { f64::INFINITY };
    }
    // G(0) = 0 and G'(0) = s_w2 phi'(0)^2 - 1 <= 0: zero is a stable fixed point, the one
    // reached from any start where G < 0.
    let (p0, d0, _) = phi.eval(0.0);
    let zero_is_stable = sw2 * p0 * p0 + sb2 == 0.0 && sw2 * d0 * d0 <= 1.0;
    // Activations that grow like ReLU (GELU) with s_w2 lim E[phi'^2] >= 1: G' = s_w2/2 - 1 -
    // s_w2 d/dq E[u^2 Phi(u) Phi(-u)] and that expectation falls for q > ~1.7, so once
    // q >= 4 with G > 0 and G' >= 0, G never comes back down.
    let grows_without_bound = sw2 * phi.dphi2_at_infinity() >= 1.0;
    let (mut lo, mut hi) = (0.0_f64, f64::INFINITY);
    let mut q = if guess.is_finite() && guess > Q_MIN { guess } else { 1.0 };
    for iteration in 0..200 {
        let m = moments(phi, q, prec.step);
        let g = sw2 * m.phi2 + sb2 - q;
        let dg = sw2 * m.dq_phi2 - 1.0;
        if g > 0.0 {
            lo = q;
        } else {
            hi = q;
        }
        if (iteration == 0 && g <= 0.0 && zero_is_stable) || hi < Q_MIN {
            return 0.0;
        }
        if lo > Q_MAX || (grows_without_bound && g > 0.0 && dg >= 0.0 && q >= 4.0) {
            return f64::INFINITY;
        }
        if g.abs() <= 1e-13 * q {
            return q;
        }
        let newton = q - g / dg;
        // Newton while it stays inside the bracket; without an upper end, only for a few steps
        // (G > 0 and nearly flat would let it creep upwards for ever).
        let newton_ok = newton.is_finite() && newton > lo && newton < hi && (hi.is_finite() || iteration < 8);
        if newton_ok {
            // A small step means convergence only near a proper root: bracketed, or where
            // G' is not ~0.
            if (newton - q).abs() <= prec.newton_tol * q && (hi.is_finite() || dg.abs() > 1e-3) {
                return if newton > Q_MAX { f64::INFINITY } else { newton };
            }
            q = newton;
        } else if !hi.is_finite() {
            q = 4.0 * lo.max(Q_MIN);
        } else if lo > 0.0 {
            q = (lo * hi).sqrt();
        } else {
            q = 0.25 * hi;
        }
    }
    if hi.is_finite() { q } else { f64::INFINITY }
}

/// The stable fixed point c* of the correlation map at q* in the chaotic phase (chi1 > 1,
/// where c = 1 is unstable): the root of H(c) = c' - c in [0, 1). H(0) >= 0 (c'(0) =
/// (s_w2 E[phi]^2 + s_b2) / q* >= 0) and H < 0 just below 1. Safeguarded Newton with
/// H' = dc'/dc - 1, bisecting when a step leaves the bracket. Returns c* and the slope dc'/dc
/// there (= chi_c at q*), taken from the last evaluation (within `newton_tol` of c*).
fn solve_c_star(cross: &CrossMoments, sw2: f64, sb2: f64, newton_tol: f64, guess: f64) -> (f64, f64) {
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    let mut c = if guess.is_finite() && (0.0..1.0).contains(&guess) { guess } else { 0.0 };
    for _ in 0..100 {
        let (next_c, slope) = cross.map_and_slope(sw2, sb2, c);
        let h = next_c - c;
        if h >= 0.0 {
            lo = c;
        } else {
            hi = c;
        }
        if h.abs() <= 1e-14 || hi - lo <= 1e-14 {
            return (c, slope);
        }
        let newton = c - h / (slope - 1.0);
        if newton.is_finite() && newton > lo && newton < hi {
            if (newton - c).abs() <= newton_tol {
                return (newton, slope);
            }
            c = newton;
        } else {
            c = 0.5 * (lo + hi);
        }
    }
    let slope = cross.map_and_slope(sw2, sb2, c).1;
    (c, slope)
}

fn fixed_point_with(phi: Phi, sw2: f64, sb2: f64, prec: Precision, q_guess: f64, c_guess: f64) -> FixedPoint {
    let q_star = solve_q_star(phi, sw2, sb2, prec, q_guess);
    if !q_star.is_finite() {
        return FixedPoint { q_star, chi1: sw2 * phi.dphi2_at_infinity(), c_star: 1.0, chi_c: 1.0, xi_c: f64::INFINITY };
    }
    if let Some((_, gd)) = phi.homogeneous_gains() {
        // No chaotic phase: chi1 > 1 means q* = inf (handled above).
        let chi1 = sw2 * gd;
        return FixedPoint { q_star, chi1, c_star: 1.0, chi_c: chi1, xi_c: depth_scale(chi1) };
    }
    let cross = CrossMoments::new(phi, q_star, prec.step);
    let chi1 = sw2 * cross.dphi2();
    if chi1 <= 1.0 {
        return FixedPoint { q_star, chi1, c_star: 1.0, chi_c: chi1, xi_c: depth_scale(chi1) };
    }
    let (c_star, chi_c) = solve_c_star(&cross, sw2, sb2, prec.newton_tol, c_guess);
    FixedPoint { q_star, chi1, c_star, chi_c, xi_c: depth_scale(chi_c) }
}

/// q*, chi1, c*, chi_c and xi_c of one (s_w2, s_b2) (Schoenholz et al. 2017, eq. 5 and 9).
pub fn fixed_point(phi: Phi, sw2: f64, sb2: f64) -> FixedPoint {
    fixed_point_with(phi, sw2, sb2, FINE, 1.0, 0.5)
}

/// The edge of chaos: the s_w2 at which chi1(q*) = 1 for this s_b2 (Schoenholz et al. 2017,
/// Fig. 1; Poole et al. 2016), by bisection in log s_w2 over [1e-3, 1e3]. None if chi1 - 1
/// does not change sign there (e.g. sigmoid, whose phi' <= 1/4 keeps chi1 < 1 until s_w2
/// is in the hundreds), or for a negative or non-finite s_b2.
pub fn critical_sw2(phi: Phi, sb2: f64) -> Option<f64> {
    if !(sb2.is_finite() && sb2 >= 0.0) {
        return None;
    }
    let excess = |sw2: f64, guess: f64| {
        let q = solve_q_star(phi, sw2, sb2, FINE, guess);
        let chi = if q.is_finite() { sw2 * moments(phi, q, FINE_STEP).dphi2 } else { sw2 * phi.dphi2_at_infinity() };
        (chi - 1.0, q)
    };
    let (mut lo, mut hi) = (1e-3_f64, 1e3_f64);
    let (e_lo, _) = excess(lo, 1.0);
    let (e_hi, _) = excess(hi, 1.0);
    if e_lo == 0.0 {
        return Some(lo);
    }
    if e_lo.signum() == e_hi.signum() {
        return None;
    }
    let mut q_guess = 1.0;
    while hi / lo - 1.0 > 1e-13 {
        let mid = (lo * hi).sqrt();
        let (e, q) = excess(mid, q_guess);
        if q.is_finite() && q > 0.0 {
            q_guess = q;
        }
        if e == 0.0 {
            return Some(mid);
        }
        if e.signum() == e_lo.signum() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo * hi).sqrt())
}

// ---------------------------------------------------------------------------------------------
// Phase diagram
// ---------------------------------------------------------------------------------------------

/// Largest number of points per side of a phase diagram.
pub const MAX_PHASE_GRID: usize = 512;

/// The order/chaos phase diagram over a grid of (s_w2, s_b2) (Poole et al. 2016;
/// Schoenholz et al. 2017, Fig. 1). Grids are row-major: the value at (sw2[ix], sb2[iy]) is at
/// index `iy * nx + ix`. Infinite values (xi_c at the edge of chaos, q_star when unbounded)
/// serialize as `null` with serde_json.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct PhaseDiagram {
    pub activation: Phi,
    pub nx: usize,
    pub ny: usize,
    /// The nx values of s_w2 (columns), evenly spaced, both ends included.
    pub sw2: Vec<f64>,
    /// The ny values of s_b2 (rows).
    pub sb2: Vec<f64>,
    pub q_star: Vec<f64>,
    /// chi1 at q*: < 1 ordered, > 1 chaotic.
    pub chi1: Vec<f64>,
    pub c_star: Vec<f64>,
    /// The correlation depth scale xi_c (layers).
    pub xi_c: Vec<f64>,
}

fn grid_axis(field: &str, range: (f64, f64), n: usize, lowest: f64, open_low: bool) -> Result<Vec<f64>> {
    let (a, b) = range;
    let low_ok = if open_low { a > lowest } else { a >= lowest };
    if !(a.is_finite() && b.is_finite() && low_ok && a <= b && b <= 1e3) {
        let lb = if open_low { "(" } else { "[" };
        return Err(LabError::invalid(
            field,
            format!("({}, {}) is not a range; allowed finite lo <= hi within {lb}{}, 1000]", Disp(a), Disp(b), Disp(lowest)),
        ));
    }
    if n == 0 || n > MAX_PHASE_GRID {
        return Err(LabError::invalid(format!("{field} points"), format!("{n} is out of range; allowed 1 to {MAX_PHASE_GRID}")));
    }
    Ok((0..n).map(|i| if n == 1 { a } else { a + (b - a) * i as f64 / (n - 1) as f64 }).collect())
}

/// The phase diagram of `phi` on an nx x ny grid spanning `sw2_range` x `sb2_range` (both ends
/// included; s_w2 > 0, s_b2 >= 0, at most 1000). Uses [`COARSE_STEP`] and looser Newton
/// tolerances than [`fixed_point`] (q*, chi1 to ~1e-5 relative), and starts each cell's solves
/// from an extrapolation of its left neighbours' fixed points.
pub fn phase_diagram(phi: Phi, sw2_range: (f64, f64), sb2_range: (f64, f64), nx: usize, ny: usize) -> Result<PhaseDiagram> {
    let sw2 = grid_axis("sw2_range", sw2_range, nx, 0.0, true)?;
    let sb2 = grid_axis("sb2_range", sb2_range, ny, 0.0, false)?;
    if phi.kind == ActivationKind::LeakyRelu && !(phi.leaky_slope.is_finite() && (0.0..=1.0).contains(&phi.leaky_slope)) {
        return Err(LabError::invalid("leaky_slope", format!("{} is out of range; allowed [0, 1]", Disp(phi.leaky_slope))));
    }
    let cells = nx * ny;
    let (mut q_star, mut chi1, mut c_star, mut xi_c) =
        (Vec::with_capacity(cells), Vec::with_capacity(cells), Vec::with_capacity(cells), Vec::with_capacity(cells));
    for &bias2 in &sb2 {
        // Warm starts: polynomial extrapolation from the cells to the left (the grid is evenly
        // spaced), so that one or two Newton steps usually suffice.
        let mut prev: Vec<FixedPoint> = Vec::with_capacity(nx);
        for &weight2 in &sw2 {
            let recent = &prev[prev.len().saturating_sub(3)..];
            let q_known: Vec<f64> = recent.iter().map(|p| p.q_star).filter(|q| q.is_finite() && *q > 0.0).collect();
            let c_known: Vec<f64> = recent.iter().map(|p| p.c_star).filter(|&c| c < 1.0).collect();
            let q_guess = if phi.kind == ActivationKind::Gelu || q_known.len() < recent.len() {
                // GELU can have two fixed points and q* is defined from q = 1 (a neighbour's
                // q* could start below the unstable one where q = 1 lies above it).
                1.0
            } else {
                extrapolate(&q_known).max(0.5 * q_known.last().copied().unwrap_or(1.0))
            };
            let c_guess = if c_known.len() == recent.len() && !c_known.is_empty() { extrapolate(&c_known).clamp(0.0, 0.999) } else { 0.5 };
            let fp = fixed_point_with(phi, weight2, bias2, COARSE, q_guess, c_guess);
            prev.push(fp);
            q_star.push(fp.q_star);
            chi1.push(fp.chi1);
            c_star.push(fp.c_star);
            xi_c.push(fp.xi_c);
        }
    }
    Ok(PhaseDiagram { activation: phi, nx, ny, sw2, sb2, q_star, chi1, c_star, xi_c })
}

/// The next value of an evenly spaced sequence from its last one, two or three values
/// (constant, linear or quadratic extrapolation).
fn extrapolate(values: &[f64]) -> f64 {
    match values {
        [.., a, b, c] => 3.0 * c - 3.0 * b + a,
        [a, b] => 2.0 * b - a,
        [a] => *a,
        [] => 1.0,
    }
}

// ---------------------------------------------------------------------------------------------
// Residual branches
// ---------------------------------------------------------------------------------------------

/// The weight scales of a residual branch F (fan-in normalised: Var W = s / fan_in).
/// 1 layer: `F(x) = W phi(x) + b` (Var W = sw2_out; sw2_in unused).
/// 2 layers: `F(x) = W2 phi(W1 x + b1) + b2` (Var W1 = sw2_in, Var W2 = sw2_out).
/// Every bias has variance sb2.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Branch {
    pub layers: usize,
    pub sw2_in: f64,
    pub sw2_out: f64,
    pub sb2: f64,
}

/// Output variance v(q) of a branch whose input x is zero-mean Gaussian with second moment q
/// per unit (Yang & Schoenholz 2017): 1 layer `s E[phi(sqrt(q) z)^2] + s_b2`; 2 layers
/// `s2 E[phi(sqrt(s1 q + s_b2) z)^2] + s_b2` (the inner pre-activation is Gaussian whatever
/// x's distribution). The stream then grows as q <- q + alpha^2 v(q).
pub fn branch_variance(phi: Phi, branch: Branch, q: f64) -> f64 {
    let inner = if branch.layers >= 2 { branch.sw2_in * q + branch.sb2 } else { q };
    branch.sw2_out * moments(phi, inner, FINE_STEP).phi2 + branch.sb2
}

/// The branch's Jacobian gain chi_F(q) = E||J_F^T g||^2 / E||g||^2 for an input of second
/// moment q: 1 layer `s E[phi'(sqrt(q) z)^2]`; 2 layers `s1 s2 E[phi'(sqrt(s1 q + s_b2) z)^2]`.
/// The backward mean square grows by 1 + alpha^2 chi_F per block, going down.
pub fn branch_gain(phi: Phi, branch: Branch, q: f64) -> f64 {
    if branch.layers >= 2 {
        branch.sw2_in * branch.sw2_out * moments(phi, branch.sw2_in * q + branch.sb2, FINE_STEP).dphi2
    } else {
        branch.sw2_out * moments(phi, q, FINE_STEP).dphi2
    }
}

// ---------------------------------------------------------------------------------------------
// Depth profile of a configured net
// ---------------------------------------------------------------------------------------------

/// One predicted curve over the layers l = 0..=L.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct Curve {
    pub supported: bool,
    /// Why the theory gives no curve; empty when `supported`.
    pub reason: String,
    /// One value per layer l = 0..=L; empty when not supported. May hold `inf` when the
    /// prediction overflows f64 (serde_json writes it as null).
    pub values: Vec<f64>,
}

impl Curve {
    fn from(result: std::result::Result<Vec<f64>, String>) -> Curve {
        match result {
            Ok(values) => Curve { supported: true, reason: String::new(), values },
            Err(reason) => Curve { supported: false, reason, values: Vec::new() },
        }
    }
}

/// The mean-field prediction for a configured net at initialisation, at infinite width.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct TheoryProfile {
    /// Both curves are given.
    pub supported: bool,
    /// Why not, when `supported` is false (the curves' reasons joined); empty otherwise.
    pub reason: String,
    /// L: the curves have L + 1 values.
    pub depth: usize,
    /// d_in assumed for the stem (matters for Xavier and orthogonal stems only).
    pub input_dim: usize,
    /// q_x: the assumed second moment of each input feature.
    pub input_second_moment: f64,
    /// alpha of the residual branches at init (None for plain nets).
    pub branch_multiplier: Option<f64>,
    /// Mean over units of E[h_l^2], l = 0 (stem output) ..= L (block outputs).
    pub second_moment: Curve,
    /// Mean square of dL/dh_l relative to the top (values[L] = 1); its square root is the
    /// relative RMS the trainer reports. The head and the loss set the absolute scale.
    pub grad_mean_square: Curve,
    /// What the numbers assume, in words.
    pub notes: Vec<String>,
}

/// The weight scale s (Var W = s / fan_in) an init gives a Linear(fan_in -> fan_out) that is
/// not a Fixup-zeroed layer; must match `init.rs`.
fn weight_scale(m: &ModelConfig, fan_in: usize, fan_out: usize) -> f64 {
    let (fi, fo) = (fan_in.max(1) as f64, fan_out.max(1) as f64);
    match m.init {
        // Var = 2 / (fan_in + fan_out): s = 2 fan_in / (fan_in + fan_out), 1 when square.
        InitKind::XavierUniform | InitKind::XavierNormal => 2.0 * fi / (fi + fo),
        InitKind::HeNormal | InitKind::HeUniform | InitKind::Rezero | InitKind::Fixup => 2.0,
        InitKind::LecunNormal => 1.0,
        // gain * a semi-orthogonal matrix: orthonormal rows (fan_out <= fan_in) keep each
        // unit's row norm at gain, orthonormal columns (fan_out > fan_in) keep ||W x|| =
        // gain ||x||, i.e. s = gain^2 fan_in / fan_out. Square layers: s = gain^2.
        InitKind::Orthogonal => crate::init::orthogonal_gain2(m.activation) * fi.min(fo) / fi,
        InitKind::Custom => m.sigma_w2,
    }
}

/// d_in of the built-in datasets: 1 for regression, 2 for the others (custom data: assumed 2).
pub fn default_input_dim(cfg: &Config) -> usize {
    match cfg.data.name {
        DatasetName::Regression => 1,
        _ => 2,
    }
}

/// [`predict_profile_for_input`] with the built-in dataset's input dimension and q_x = 1.
pub fn predict_profile(cfg: &Config) -> TheoryProfile {
    predict_profile_for_input(cfg, default_input_dim(cfg), 1.0)
}

/// The depth profile of the forward second moment and of the relative backward mean square
/// for `cfg`, at infinite width and at initialisation, for inputs with d_in features of
/// second moment q_x each.
///
/// Stem: pre-activation variance `q_0 = s_stem q_x + s_b2`; h_0 is that pre-activation, or
/// phi of it when `model.stem_activation` (second moment E[phi(sqrt(q_0) z)^2]).
///
/// Plain blocks `h <- phi(N(W h + b))`:
/// * no norm (Poole et al. 2016, eq. 3): `q_{l+1} = s E[h_l^2] + s_b2`,
///   `E[h_{l+1}^2] = E[phi(sqrt(q_{l+1}) z)^2]`; backward factor chi1(q_{l+1}) =
///   `s E[phi'(sqrt(q_{l+1}) z)^2]` (Schoenholz et al. 2017).
/// * layer / rms norm: N makes the pre-activation N(0, 1) over units, so
///   `E[h^2] = E[phi(z)^2]`; backward factor `s E[phi'(z)^2] / (s E[h_l^2] + s_b2)`
///   (the norm divides the gradient by the pre-norm standard deviation).
/// * batch norm: forward only, and only for relu / leaky_relu / linear (by symmetry of the
///   normalised pre-activation E[phi(y)^2] = g E[y^2] = g whatever y's distribution).
///
/// Residual blocks `h <- h + alpha F(h)` (Yang & Schoenholz 2017): branch output is
/// zero-mean and uncorrelated with h, so second moments add.
/// * no norm: `q_{l+1} = q_l + alpha^2 v(q_l)`; backward factor `1 + alpha^2 chi_F(q_l)`
///   (He/He 2-layer ReLU: x3 per block both ways; He/LeCun: x2).
/// * pre-norm, layer / rms: the branch input has second moment exactly 1, so
///   `q_{l+1} = q_l + alpha^2 v(1)`: linear growth (De & Smith 2020). Backward factor
///   `1 + alpha^2 chi_F(1) / sigma_l^2` with sigma_l^2 the variance of h_l over units (the
///   norm's Jacobian scales by 1/sigma_l); for ReLU without biases this gives
///   grad_ms_l = q_L / q_l.
/// * pre-norm, batch: forward as above for relu / leaky_relu / linear; backward unsupported.
/// * ReZero (alpha = 0) and Fixup (last branch layer 0): flat, q_l = q_0, factor 1.
/// * post-norm: unsupported.
pub fn predict_profile_for_input(cfg: &Config, input_dim: usize, input_second_moment: f64) -> TheoryProfile {
    let m = &cfg.model;
    let phi = Phi::from_model(m);
    let mut notes = vec![
        "mean-field prediction: infinite width, at initialisation, Gaussian weights with the init's variance".to_string(),
        format!("inputs: {input_dim} features of second moment {} each", Disp(input_second_moment)),
        "gradient: relative to the top block (the head and the loss set its scale); gradient-independence assumption (Schoenholz et al. 2017)".to_string(),
    ];
    if m.norm != NormKind::None {
        notes.push("norms: affine at init (gain 1, shift 0), eps neglected".to_string());
    }
    if m.init == InitKind::Fixup {
        notes.push("fixup: the head is zero at init, so the measured dL/dh_l is exactly 0 at step 0; the flat relative profile applies once the head has moved".to_string());
    }
    let branch_multiplier = (m.kind == NetKind::Residual).then(|| branch_multiplier(m));
    let (forward, backward) = profile_curves(m, phi, input_dim, input_second_moment);
    let (second_moment, grad_mean_square) = (Curve::from(forward), Curve::from(backward));
    let supported = second_moment.supported && grad_mean_square.supported;
    let reason = [&second_moment, &grad_mean_square]
        .iter()
        .zip(["second_moment", "grad_mean_square"])
        .filter(|(c, _)| !c.supported)
        .map(|(c, name)| format!("{name}: {}", c.reason))
        .collect::<Vec<_>>()
        .join("; ");
    TheoryProfile {
        supported,
        reason,
        depth: m.depth,
        input_dim,
        input_second_moment,
        branch_multiplier,
        second_moment,
        grad_mean_square,
        notes,
    }
}

/// alpha at init, as `net.rs` sets it: ReZero 0; Fixup's multiplier and a learnable scalar 1;
/// otherwise 1 or 1/sqrt(L).
fn branch_multiplier(m: &ModelConfig) -> f64 {
    match (m.init, m.branch_scale) {
        (InitKind::Rezero, _) => 0.0,
        (InitKind::Fixup, _) | (_, BranchScale::Learnable) | (_, BranchScale::One) => 1.0,
        (_, BranchScale::InvSqrtDepth) => 1.0 / (m.depth.max(1) as f64).sqrt(),
    }
}

type CurveResult = std::result::Result<Vec<f64>, String>;

fn profile_curves(m: &ModelConfig, phi: Phi, input_dim: usize, qx: f64) -> (CurveResult, CurveResult) {
    let both = |reason: String| (Err(reason.clone()), Err(reason));
    if input_dim == 0 || !(qx.is_finite() && qx >= 0.0) {
        return both(format!("input_dim = {input_dim} and input_second_moment = {}: need d_in >= 1 and a finite q_x >= 0", Disp(qx)));
    }
    if !(m.sigma_w2.is_finite() && m.sigma_w2 > 0.0 && m.sigma_b2.is_finite() && m.sigma_b2 >= 0.0 && m.leaky_slope.is_finite()) {
        return both("model.sigma_w2, model.sigma_b2 or model.leaky_slope is out of range".to_string());
    }
    let depth = m.depth;
    let width = m.width.max(1);
    let sb2 = if m.init == InitKind::Custom { m.sigma_b2 } else { 0.0 };
    let s_stem = weight_scale(m, input_dim, width);
    let s_hidden = weight_scale(m, width, width);
    let homogeneous = phi.homogeneous_gains();

    // Stem.
    let q0 = s_stem * qx + sb2;
    let h0 = if m.stem_activation { moments(phi, q0, FINE_STEP).phi2 } else { q0 };
    // Mean over units of h_0 (nonzero after relu): LayerNorm subtracts it.
    let mean0 = if m.stem_activation { phi.mean(q0) } else { 0.0 };

    match m.kind {
        NetKind::Plain => {
            if matches!(m.init, InitKind::Fixup | InitKind::Rezero) {
                return both(format!("init {} initialises residual branches; it needs model.kind = residual", m.init.name()));
            }
            let mut second = Vec::with_capacity(depth + 1);
            let mut factors = Vec::with_capacity(depth); // factors[l]: backward gain of block l+1
            second.push(h0);
            let mut h = h0;
            for _ in 0..depth {
                let q_pre = s_hidden * h + sb2;
                match m.norm {
                    NormKind::None => {
                        let mo = moments(phi, q_pre, FINE_STEP);
                        h = mo.phi2;
                        factors.push(s_hidden * mo.dphi2);
                    }
                    NormKind::Layer | NormKind::Rms | NormKind::Batch => {
                        let mo = moments(phi, 1.0, FINE_STEP);
                        h = mo.phi2;
                        factors.push(if q_pre > 0.0 { s_hidden * mo.dphi2 / q_pre } else { f64::INFINITY });
                    }
                }
                second.push(h);
            }
            if m.norm == NormKind::Batch {
                let forward = if homogeneous.is_some() {
                    Ok(second)
                } else {
                    Err(batch_norm_forward_reason(phi))
                };
                return (forward, Err(batch_norm_backward_reason()));
            }
            (Ok(second), Ok(backward_from_factors(&factors)))
        }
        NetKind::Residual => {
            if m.norm != NormKind::None && m.norm_position == NormPosition::Post {
                return both(
                    "post-norm (h <- N(h + alpha F(h))) is not covered by this theory: the norm rescales the identity path every block".to_string(),
                );
            }
            let alpha = branch_multiplier(m);
            let flat = m.init == InitKind::Rezero || m.init == InitKind::Fixup || alpha == 0.0;
            if flat {
                // ReZero: alpha = 0; Fixup: the branch's last layer is 0. Either way F = 0 and
                // its Jacobian is 0 at init: h_l = h_0 and dL/dh_l = dL/dh_L.
                return (Ok(vec![h0; depth + 1]), Ok(vec![1.0; depth + 1]));
            }
            let branch = Branch { layers: m.branch_layers, sw2_in: s_hidden, sw2_out: s_hidden, sb2 };
            let a2 = alpha * alpha;
            let stream_gaussian = !m.stem_activation || m.activation == ActivationKind::Linear;
            if m.branch_layers < 2 && !stream_gaussian {
                return both(format!(
                    "a 1-layer branch applies phi (after the norm, if any) directly to the stream, and with model.stem_activation the stream (phi(z_0) plus Gaussian branch outputs) is not Gaussian; use 2 branch layers or no stem activation for a {} prediction",
                    m.activation.name()
                ));
            }
            let mut second = Vec::with_capacity(depth + 1);
            let mut factors = Vec::with_capacity(depth);
            second.push(h0);
            let mut q = h0;
            match m.norm {
                NormKind::None => {
                    for _ in 0..depth {
                        let v = branch_variance(phi, branch, q);
                        factors.push(1.0 + a2 * branch_gain(phi, branch, q));
                        q += a2 * v;
                        second.push(q);
                    }
                    (Ok(second), Ok(backward_from_factors(&factors)))
                }
                NormKind::Layer | NormKind::Rms | NormKind::Batch => {
                    // The branch input N(h) has second moment 1 per unit whatever q is.
                    let v1 = branch_variance(phi, branch, 1.0);
                    let gain1 = branch_gain(phi, branch, 1.0);
                    let centred = m.norm == NormKind::Layer;
                    for _ in 0..depth {
                        // Variance over units of h_l: LayerNorm removes the mean over units
                        // (nonzero only through the stem activation); RMSNorm divides by the RMS.
                        let sigma2 = if centred { q - mean0 * mean0 } else { q };
                        factors.push(if sigma2 > 0.0 { 1.0 + a2 * gain1 / sigma2 } else { f64::INFINITY });
                        q += a2 * v1;
                        second.push(q);
                    }
                    if m.norm == NormKind::Batch {
                        let forward = if homogeneous.is_some() { Ok(second) } else { Err(batch_norm_forward_reason(phi)) };
                        return (forward, Err(batch_norm_backward_reason()));
                    }
                    (Ok(second), Ok(backward_from_factors(&factors)))
                }
            }
        }
    }
}

fn batch_norm_forward_reason(phi: Phi) -> String {
    format!(
        "batch norm makes each unit's batch second moment 1 but not each example's; for {}, E[phi^2] then depends on how that spreads over the batch (exact only for relu, leaky_relu and linear)",
        phi.kind.name()
    )
}

fn batch_norm_backward_reason() -> String {
    "batch norm couples the examples of a batch: the backward map depends on the batch size and on per-unit batch means (Yang et al. 2019, A Mean Field Theory of Batch Normalization), which this theory does not model".to_string()
}

/// Relative mean square of dL/dh_l from per-block backward gains: g_L = 1,
/// g_l = g_{l+1} * factors[l] (block l+1 maps h_l to h_{l+1}).
fn backward_from_factors(factors: &[f64]) -> Vec<f64> {
    let depth = factors.len();
    let mut g = vec![1.0; depth + 1];
    for l in (0..depth).rev() {
        g[l] = g[l + 1] * factors[l];
    }
    g
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    fn cfg(kind: NetKind, init: InitKind, act: ActivationKind, depth: usize) -> Config {
        let mut c = Config::default();
        c.model.kind = kind;
        c.model.init = init;
        c.model.activation = act;
        c.model.depth = depth;
        c.model.norm = NormKind::None;
        c.model.branch_scale = BranchScale::One;
        c.model.branch_layers = 2;
        c
    }

    /// Gauss–Hermite (Golub & Welsch 1969) and the sinh-mapped trapezoid rule against the
    /// normal moments E[z^2k] = (2k-1)!! and E[cos z] = exp(-1/2).
    #[test]
    fn quadrature_matches_gaussian_moments() {
        assert_eq!(gauss_hermite_rule().len(), GAUSS_HERMITE_NODES);
        assert!(close(gauss_expect(|_| 1.0), 1.0, 1e-14));
        assert!(close(gauss_expect(|z| z * z), 1.0, 1e-12));
        assert!(close(gauss_expect(|z| z.powi(4)), 3.0, 1e-12));
        assert!(close(gauss_expect(|z| z.powi(6)), 15.0, 1e-12));
        assert!(close(gauss_expect(|z| z.powi(10)), 945.0, 1e-11));
        assert!(gauss_expect(|z| z.powi(3)).abs() < 1e-13);
        assert!(close(gauss_expect(libm::cos), (-0.5f64).exp(), 1e-12));
        // Product rule: E[z1^2 z2^2] = 1, E[(z1 + z2)^4] = 3 * 2^2 = 12.
        assert!(close(gauss_expect2(|a, b| a * a * b * b), 1.0, 1e-12));
        assert!(close(gauss_expect2(|a, b| (a + b).powi(4)), 12.0, 1e-12));
        // The sinh-mapped rule at several scales.
        for &scale in &[1.0, 0.3, 0.01] {
            let r = Quadrature::normal_sinh(scale, FINE_STEP);
            // Accuracy falls like exp(-pi^2 / (2 step)) times the integrand's growth in the strip.
            assert!(close(r.expect(|z| z * z), 1.0, 1e-9), "scale {scale}");
            assert!(close(r.expect(|z| z.powi(4)), 3.0, 3e-8), "scale {scale}");
            assert!(close(r.expect(libm::cos), (-0.5f64).exp(), 3e-9), "scale {scale}");
        }
    }

    /// The exp-based tanh agrees with libm's to a few ulp.
    #[test]
    fn fast_tanh_matches_libm() {
        for i in -20_000..=20_000 {
            let x = i as f64 * 1e-3;
            let (ours, reference) = (tanh(x), libm::tanh(x));
            assert!((ours - reference).abs() <= 4.0 * f64::EPSILON * reference.abs(), "x = {x}: {ours} vs {reference}");
        }
        assert_eq!(tanh(800.0), 1.0);
        assert_eq!(tanh(-800.0), -1.0);
    }

    /// The sinh-mapped rule against Gauss–Hermite where the latter is exact enough (q = 0.5),
    /// and against a brute-force trapezoid where Gauss–Hermite fails (q = 50): E[tanh'(u)^2].
    #[test]
    fn activation_moments_are_accurate_at_large_variance() {
        let tanh = Phi::new(ActivationKind::Tanh);
        let q = 0.5;
        let gh = gauss_expect(|z| tanh.deriv(f64::sqrt(q) * z).powi(2));
        assert!(close(gaussian_dphi2(tanh, q), gh, 1e-10));
        let q = 50.0;
        let s = f64::sqrt(q);
        let h = 1e-4;
        let brute: f64 = (-100_000..=100_000)
            .map(|i| {
                let z = i as f64 * h;
                h * INV_SQRT_2PI * libm::exp(-0.5 * z * z) * tanh.deriv(s * z).powi(2)
            })
            .sum();
        assert!(close(gaussian_dphi2(tanh, q), brute, 1e-8), "{} vs {brute}", gaussian_dphi2(tanh, q));
        // Gauss–Hermite is far off here, which is why it is not used for activations.
        let gh = gauss_expect(|z| tanh.deriv(s * z).powi(2));
        assert!((gh - brute).abs() > 1e-2 * brute);
    }

    /// ReLU and linear closed forms (Poole et al. 2016, eq. 3 with phi = relu: E[relu(sqrt(q) z)^2] = q/2;
    /// He et al. 2015: chi1 = s_w2 / 2), and the quadrature reproducing them.
    #[test]
    fn relu_and_linear_closed_forms() {
        let relu = Phi::new(ActivationKind::Relu);
        let lin = Phi::new(ActivationKind::Linear);
        for &q in &[0.01, 0.5, 1.0, 3.7, 100.0] {
            let s = f64::sqrt(q);
            let quad = gauss_expect(|z| relu.value(s * z).powi(2));
            assert!(close(quad, q / 2.0, 1e-12), "q = {q}: quadrature {quad}");
            assert!(close(gaussian_phi2(relu, q), q / 2.0, 1e-15));
            assert!(close(gauss_expect(|z| relu.deriv(s * z).powi(2)), 0.5, 1e-12));
            assert!(close(gaussian_phi2(lin, q), q, 1e-15));
            assert!(close(gauss_expect(|z| lin.value(s * z).powi(2)), q, 1e-12));
        }
        for &sw2 in &[1.0, 2.0, 3.0] {
            assert!(close(chi1(relu, sw2, 0.7), sw2 / 2.0, 1e-15));
            assert!(close(chi1(lin, sw2, 0.7), sw2, 1e-15));
            assert!(close(length_map(relu, sw2, 0.1, 2.0), sw2 + 0.1, 1e-15));
        }
        let leaky = Phi { kind: ActivationKind::LeakyRelu, leaky_slope: 0.2 };
        let quad = gauss_expect(|z| leaky.value(1.5 * z).powi(2));
        assert!(close(quad, gaussian_phi2(leaky, 2.25), 1e-12));
    }

    /// The arc-cosine closed forms of the correlation map (Cho & Saul 2009) against the 2-D
    /// product rule, and the correlation map's ends: c' = 1 at c = 1 at the fixed point.
    #[test]
    fn correlation_map_closed_forms_match_product_rule() {
        for phi in [Phi::new(ActivationKind::Relu), Phi { kind: ActivationKind::LeakyRelu, leaky_slope: 0.3 }] {
            for &c in &[-0.6, 0.0, 0.4, 0.9] {
                let (e, ed) = CrossMoments::new(phi, 1.3, FINE_STEP).at(c);
                let s = f64::sqrt(1.3);
                let sc = (1.0 - c * c).sqrt();
                let quad = gauss_expect2(|a, b| phi.value(s * a) * phi.value(s * (c * a + sc * b)));
                let quad_d = gauss_expect2(|a, b| phi.deriv(s * a) * phi.deriv(s * (c * a + sc * b)));
                // The kink limits the product rule to a few digits.
                assert!((e - quad).abs() < 3e-3 * 1.3, "{phi:?} c = {c}: {e} vs {quad}");
                assert!((ed - quad_d).abs() < 1e-2, "{phi:?} c = {c}: {ed} vs {quad_d}");
            }
        }
        let tanh = Phi::new(ActivationKind::Tanh);
        let fp = fixed_point(tanh, 1.5, 0.05);
        assert!(close(correlation_map(tanh, 1.5, 0.05, fp.q_star, 1.0), 1.0, 1e-10));
        // At the fixed point chi_c(c = 1) is chi1 (Schoenholz et al. 2017, eq. 5 vs eq. 9).
        assert!(close(chi_c(tanh, 1.5, fp.q_star, 1.0), fp.chi1, 1e-12));
    }

    /// Tanh edge of chaos (Schoenholz et al. 2017, Fig. 1; Poole et al. 2016): at
    /// s_b2 = 0.05 the critical s_w2 is about 1.76, and chi1(q*) = 1 there.
    #[test]
    fn tanh_critical_line() {
        let tanh = Phi::new(ActivationKind::Tanh);
        let crit = critical_sw2(tanh, 0.05).expect("tanh has a critical line");
        eprintln!("tanh critical s_w2 at s_b2 = 0.05: {crit:.6}");
        assert!((1.70..=1.80).contains(&crit), "critical s_w2 = {crit}");
        let fp = fixed_point(tanh, crit, 0.05);
        assert!(close(fp.chi1, 1.0, 1e-9), "chi1 at the critical point = {}", fp.chi1);
        assert!(fp.xi_c > 1e6, "xi_c at the critical point = {}", fp.xi_c);
        // s_b2 = 0: the critical point is s_w2 = 1 (q* = 0 and tanh'(0) = 1).
        assert!(close(critical_sw2(tanh, 0.0).unwrap(), 1.0, 1e-6));
        // ReLU: chi1 = s_w2 / 2 for every s_b2.
        assert!(close(critical_sw2(Phi::new(ActivationKind::Relu), 0.3).unwrap(), 2.0, 1e-9));
        // Ordered below, chaotic above; c* < 1 only in the chaotic phase.
        let ordered = fixed_point(tanh, crit * 0.8, 0.05);
        let chaotic = fixed_point(tanh, crit * 1.3, 0.05);
        assert!(ordered.chi1 < 1.0 && ordered.c_star == 1.0 && ordered.chi_c == ordered.chi1);
        assert!(chaotic.chi1 > 1.0 && chaotic.c_star < 1.0 && chaotic.chi_c < 1.0);
        assert!(close(correlation_map(tanh, crit * 1.3, 0.05, chaotic.q_star, chaotic.c_star), chaotic.c_star, 1e-9));
        // s_b2 = 0, odd phi, chaotic: c* = 0.
        assert!(fixed_point(tanh, 2.0, 0.0).c_star.abs() < 1e-9);
    }

    /// Plain ReLU nets (He et al. 2015; Poole et al. 2016 eq. 3): He keeps the second moment and
    /// the gradient flat; Xavier halves both per layer (the gradient going down).
    #[test]
    fn plain_relu_he_flat_xavier_halves() {
        let he = predict_profile(&cfg(NetKind::Plain, InitKind::HeNormal, ActivationKind::Relu, 10));
        assert!(he.supported, "{}", he.reason);
        assert_eq!(he.second_moment.values.len(), 11);
        for &v in &he.second_moment.values {
            assert!(close(v, 2.0, 1e-12), "{:?}", he.second_moment.values);
        }
        for &g in &he.grad_mean_square.values {
            assert!(close(g, 1.0, 1e-12));
        }
        let xa = predict_profile(&cfg(NetKind::Plain, InitKind::XavierNormal, ActivationKind::Relu, 10));
        let h = &xa.second_moment.values;
        // Stem 2 -> 32 under Xavier: s = 2 * 2 / 34.
        assert!(close(h[0], 4.0 / 34.0, 1e-12));
        for l in 0..10 {
            assert!(close(h[l + 1] / h[l], 0.5, 1e-12));
        }
        let g = &xa.grad_mean_square.values;
        assert_eq!(g[10], 1.0);
        assert!(close(g[0], 0.5f64.powi(10), 1e-12));
    }

    /// Residual ReLU without norm (Yang & Schoenholz 2017): variances add, He/He 2-layer
    /// branch gives v(q) = 2q, x3 per block forward and backward.
    #[test]
    fn residual_he_he_triples() {
        let c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, 6);
        let p = predict_profile(&c);
        assert!(p.supported, "{}", p.reason);
        let h = &p.second_moment.values;
        let g = &p.grad_mean_square.values;
        for l in 0..6 {
            assert!(close(h[l + 1] / h[l], 3.0, 1e-12));
            assert!(close(g[l] / g[l + 1], 3.0, 1e-12));
        }
        // 1-layer He branch: v(q) = 2 q/2 = q, x2 per block.
        let mut c1 = c.clone();
        c1.model.branch_layers = 1;
        let p1 = predict_profile(&c1);
        assert!(close(p1.second_moment.values[3] / p1.second_moment.values[2], 2.0, 1e-12));
        // alpha = 1/sqrt(L): (1 + 2/L)^L.
        let mut cs = c.clone();
        cs.model.branch_scale = BranchScale::InvSqrtDepth;
        let ps = predict_profile(&cs);
        assert!(close(ps.second_moment.values[6] / ps.second_moment.values[0], (1.0f64 + 2.0 / 6.0).powi(6), 1e-12));
        assert_eq!(ps.branch_multiplier, Some(1.0 / 6f64.sqrt()));
    }

    /// He then LeCun inside the branch (s1 = 2, s2 = 1): v(q) = q, so 1 + v/q = 2 per block
    /// (Yang & Schoenholz 2017; the DESIGN's "He/LeCun: x2").
    #[test]
    fn branch_variance_he_lecun_doubles() {
        let relu = Phi::new(ActivationKind::Relu);
        let he_lecun = Branch { layers: 2, sw2_in: 2.0, sw2_out: 1.0, sb2: 0.0 };
        let he_he = Branch { layers: 2, sw2_in: 2.0, sw2_out: 2.0, sb2: 0.0 };
        for &q in &[0.3, 1.0, 7.0] {
            assert!(close(1.0 + branch_variance(relu, he_lecun, q) / q, 2.0, 1e-12));
            assert!(close(1.0 + branch_variance(relu, he_he, q) / q, 3.0, 1e-12));
            assert!(close(branch_gain(relu, he_lecun, q), 1.0, 1e-12));
        }
    }

    /// ReZero (Bachlechner et al. 2020, alpha = 0) and Fixup (Zhang et al. 2019, last branch
    /// layer 0) keep the stream and the gradient flat.
    #[test]
    fn rezero_and_fixup_are_flat() {
        for init in [InitKind::Rezero, InitKind::Fixup] {
            let p = predict_profile(&cfg(NetKind::Residual, init, ActivationKind::Relu, 12));
            assert!(p.supported, "{}", p.reason);
            assert!(p.second_moment.values.iter().all(|&v| close(v, 2.0, 1e-15)), "{init:?}");
            assert!(p.grad_mean_square.values.iter().all(|&v| v == 1.0));
        }
        let p = predict_profile(&cfg(NetKind::Residual, InitKind::Rezero, ActivationKind::Relu, 3));
        assert_eq!(p.branch_multiplier, Some(0.0));
    }

    /// Pre-norm branch (De & Smith 2020): the branch sees a unit-variance input, so
    /// q_l = q_0 + l alpha^2 v(1) (linear growth); for ReLU the backward mean square is q_L / q_l.
    #[test]
    fn pre_norm_grows_linearly() {
        let relu = Phi::new(ActivationKind::Relu);
        for norm in [NormKind::Batch, NormKind::Layer, NormKind::Rms] {
            let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, 8);
            c.model.norm = norm;
            c.model.norm_position = NormPosition::Pre;
            c.model.branch_scale = BranchScale::InvSqrtDepth;
            let p = predict_profile(&c);
            let alpha2 = 1.0 / 8.0;
            let v1 = branch_variance(relu, Branch { layers: 2, sw2_in: 2.0, sw2_out: 2.0, sb2: 0.0 }, 1.0);
            assert!(close(v1, 2.0, 1e-12));
            let h = &p.second_moment.values;
            assert!(p.second_moment.supported);
            for (l, &v) in h.iter().enumerate() {
                assert!(close(v, 2.0 + l as f64 * alpha2 * v1, 1e-12), "{norm:?} l = {l}: {v}");
            }
            if norm == NormKind::Batch {
                assert!(!p.grad_mean_square.supported && p.grad_mean_square.reason.contains("batch"));
                assert!(!p.supported && !p.reason.is_empty());
            } else {
                for (l, &g) in p.grad_mean_square.values.iter().enumerate() {
                    assert!(close(g, h[8] / h[l], 1e-12), "{norm:?} l = {l}: {g}");
                }
            }
        }
    }

    /// Configurations outside the theory say so (post-norm; batch norm with tanh).
    #[test]
    fn unsupported_configs_say_why() {
        let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, 4);
        c.model.norm = NormKind::Layer;
        c.model.norm_position = NormPosition::Post;
        let p = predict_profile(&c);
        assert!(!p.supported && !p.second_moment.supported && p.second_moment.values.is_empty());
        assert!(p.reason.contains("post-norm"), "{}", p.reason);
        let mut c = cfg(NetKind::Plain, InitKind::XavierNormal, ActivationKind::Tanh, 4);
        c.model.norm = NormKind::Batch;
        let p = predict_profile(&c);
        assert!(!p.second_moment.supported && p.second_moment.reason.contains("tanh"), "{}", p.second_moment.reason);
        let json = serde_json::to_value(&p).unwrap();
        assert_eq!(json["supported"], false);
        assert!(json["second_moment"]["reason"].as_str().unwrap().contains("batch norm"));
        assert!(json.get("grad_mean_square").is_some() && json.get("branch_multiplier").is_some());
    }

    /// A deep plain tanh net settles at the length map's fixed point (Poole et al. 2016,
    /// eq. 3): E[h^2] -> (q* - s_b2) / s_w2, and its gradient shrinks by chi1(q*) per layer.
    #[test]
    fn plain_tanh_reaches_fixed_point() {
        let mut c = cfg(NetKind::Plain, InitKind::Custom, ActivationKind::Tanh, 200);
        c.model.sigma_w2 = 1.3;
        c.model.sigma_b2 = 0.05;
        let p = predict_profile(&c);
        let fp = fixed_point(Phi::new(ActivationKind::Tanh), 1.3, 0.05);
        let h = &p.second_moment.values;
        assert!(close(h[200], (fp.q_star - 0.05) / 1.3, 1e-9), "{} vs q* {}", h[200], fp.q_star);
        let g = &p.grad_mean_square.values;
        assert!(close(g[150] / g[151], fp.chi1, 1e-9));
        assert!(fp.chi1 < 1.0);
    }

    /// The phase diagram (Schoenholz et al. 2017, Fig. 1): chi1 crosses 1 where critical_sw2
    /// says, and xi_c peaks there; it must be fast.
    #[test]
    fn phase_diagram_tanh() {
        let tanh = Phi::new(ActivationKind::Tanh);
        let start = std::time::Instant::now();
        let pd = phase_diagram(tanh, (0.5, 4.0), (0.0, 0.5), 60, 60).unwrap();
        let elapsed = start.elapsed();
        eprintln!("tanh 60x60 phase diagram: {elapsed:?}");
        assert!(elapsed.as_millis() < 1000, "too slow: {elapsed:?}");
        assert_eq!(pd.chi1.len(), 3600);
        // Row of s_b2 closest to 0.05 (iy = 6 -> 0.0508).
        let iy = 6;
        let b = pd.sb2[iy];
        let crit = critical_sw2(tanh, b).unwrap();
        let row = &pd.chi1[iy * 60..(iy + 1) * 60];
        for (ix, &chi) in row.iter().enumerate() {
            let w = pd.sw2[ix];
            if (w - crit).abs() > 0.03 {
                assert_eq!(chi > 1.0, w > crit, "s_w2 = {w}, crit = {crit}, chi1 = {chi}");
            }
        }
        // Coarse rule vs fine rule.
        let fine = fixed_point(tanh, pd.sw2[40], b);
        assert!(close(pd.chi1[iy * 60 + 40], fine.chi1, 1e-3));
        assert!(close(pd.xi_c[iy * 60 + 40], fine.xi_c, 1e-2), "{} vs {}", pd.xi_c[iy * 60 + 40], fine.xi_c);
        let xi_row = &pd.xi_c[iy * 60..(iy + 1) * 60];
        let peak = (0..60).max_by(|&a, &b| xi_row[a].total_cmp(&xi_row[b])).unwrap();
        assert!((pd.sw2[peak] - crit).abs() < 0.07, "xi peak at {} vs crit {crit}", pd.sw2[peak]);
        assert!(phase_diagram(tanh, (0.0, 4.0), (0.0, 0.5), 10, 10).is_err());
        assert!(phase_diagram(tanh, (1.0, 4.0), (0.0, f64::NAN), 10, 10).is_err());
        assert!(phase_diagram(tanh, (1.0, 4.0), (0.0, 0.5), 0, 10).is_err());
    }

    /// The 2-D product rule (sinh-mapped) against a brute-force double trapezoid for tanh at a
    /// variance where Gauss–Hermite is already off (the correlation map's integral, Poole et al. 2016).
    #[test]
    fn product_rule_matches_brute_force() {
        let tanh = Phi::new(ActivationKind::Tanh);
        let (q, c) = (4.0, 0.5);
        let (s, sc) = (2.0, f64::sqrt(0.75));
        let h = 4e-3;
        let n = (9.0 / h) as i64;
        let mut brute = (0.0, 0.0);
        for i in -n..=n {
            let z1 = i as f64 * h;
            let w1 = h * INV_SQRT_2PI * libm::exp(-0.5 * z1 * z1);
            let (p1, d1, _) = tanh.eval(s * z1);
            for j in -n..=n {
                let z2 = j as f64 * h;
                let w = w1 * h * INV_SQRT_2PI * libm::exp(-0.5 * z2 * z2);
                let (p2, d2, _) = tanh.eval(s * (c * z1 + sc * z2));
                brute.0 += w * p1 * p2;
                brute.1 += w * d1 * d2;
            }
        }
        let (e, ed) = CrossMoments::new(tanh, q, FINE_STEP).at(c);
        assert!(close(e, brute.0, 1e-8), "{e} vs {}", brute.0);
        assert!(close(ed, brute.1, 1e-8), "{ed} vs {}", brute.1);
        assert!(close(chi_c(tanh, 1.0, q, c), brute.1, 1e-8));
    }

    /// ReLU, leaky ReLU and linear phase diagrams from the closed forms: chi1 = s_w2 (1 + a^2)/2,
    /// no chaotic phase (c* = 1), xi_c = -1/ln chi1 below the critical line (He et al. 2015).
    #[test]
    fn homogeneous_phase_diagrams() {
        let pd = phase_diagram(Phi::new(ActivationKind::Relu), (1.0, 3.0), (0.0, 0.2), 5, 3).unwrap();
        for iy in 0..3 {
            for ix in 0..5 {
                let k = iy * 5 + ix;
                assert!(close(pd.chi1[k], pd.sw2[ix] / 2.0, 1e-15));
                assert_eq!(pd.c_star[k], 1.0);
                if pd.sw2[ix] < 2.0 {
                    assert!(close(pd.xi_c[k], -1.0 / (pd.sw2[ix] / 2.0).ln(), 1e-12));
                } else {
                    assert_eq!(pd.xi_c[k], f64::INFINITY);
                }
            }
        }
        // q* = s_b2 / (1 - s_w2/2) below the line, unbounded above it.
        assert!(close(pd.q_star[2 * 5], 0.2 / 0.5, 1e-12));
        assert_eq!(pd.q_star[2 * 5 + 4], f64::INFINITY);
        let leaky = Phi { kind: ActivationKind::LeakyRelu, leaky_slope: 0.5 };
        assert!(close(critical_sw2(leaky, 0.1).unwrap(), 2.0 / 1.25, 1e-9));
        assert!(close(critical_sw2(Phi::new(ActivationKind::Linear), 0.1).unwrap(), 1.0, 1e-9));
        // JSON: infinities become null.
        let json = serde_json::to_value(&pd).unwrap();
        assert!(json["xi_c"][14].is_null() && json["activation"]["kind"] == "relu");
    }

    /// GELU and sigmoid: the solvers terminate with sane values (no closed forms to compare
    /// with; GELU tends to ReLU at large q, so its chi1 tends to s_w2 / 2).
    #[test]
    fn gelu_and_sigmoid_fixed_points_are_sane() {
        for kind in [ActivationKind::Gelu, ActivationKind::Sigmoid] {
            let phi = Phi::new(kind);
            let pd = phase_diagram(phi, (0.5, 6.0), (0.0, 1.0), 12, 6).unwrap();
            for k in 0..pd.chi1.len() {
                assert!(pd.chi1[k].is_finite() && pd.chi1[k] > 0.0, "{kind:?} cell {k}: {:?}", pd.chi1[k]);
                assert!(pd.q_star[k] >= 0.0 && (0.0..=1.0).contains(&pd.c_star[k]) && pd.xi_c[k] >= 0.0);
                let fp = fixed_point(phi, pd.sw2[k % 12], pd.sb2[k / 12]);
                assert_eq!(pd.q_star[k].is_finite(), fp.q_star.is_finite(), "{kind:?} cell {k}: {} vs {}", pd.q_star[k], fp.q_star);
                if pd.q_star[k].is_finite() {
                    assert!(close(length_map(phi, pd.sw2[k % 12], pd.sb2[k / 12], fp.q_star), fp.q_star, 1e-9));
                    assert!(close(pd.q_star[k], fp.q_star, 1e-4), "{kind:?} cell {k}: {} vs {}", pd.q_star[k], fp.q_star);
                }
            }
        }
        // Sigmoid: phi' <= 1/4 keeps chi1 below 1 up to s_w2 ~ 1e2.
        let crit = critical_sw2(Phi::new(ActivationKind::Sigmoid), 0.0);
        assert!(crit.is_none_or(|w| w > 16.0), "{crit:?}");
        let gelu = fixed_point(Phi::new(ActivationKind::Gelu), 3.0, 0.5);
        assert!(gelu.q_star.is_infinite() && close(gelu.chi1, 1.5, 1e-12));
    }

    /// Every config the schema allows gives either a finite, positive curve of L+1 values or
    /// a reason, and never panics.
    #[test]
    fn every_config_is_answered() {
        use crate::config::{DatasetName, NormPosition};
        let acts = [ActivationKind::Relu, ActivationKind::LeakyRelu, ActivationKind::Tanh, ActivationKind::Linear, ActivationKind::Gelu, ActivationKind::Sigmoid];
        let norms = [NormKind::None, NormKind::Batch, NormKind::Layer, NormKind::Rms];
        let inits = [
            InitKind::XavierUniform, InitKind::XavierNormal, InitKind::HeNormal, InitKind::HeUniform, InitKind::LecunNormal,
            InitKind::Orthogonal, InitKind::Fixup, InitKind::Rezero, InitKind::Custom,
        ];
        let mut supported = 0;
        for kind in [NetKind::Plain, NetKind::Residual] {
            for act in acts {
                for norm in norms {
                    for pos in [NormPosition::Pre, NormPosition::Post] {
                        for init in inits {
                            for stem_activation in [false, true] {
                                for branch_layers in [1, 2] {
                                    let mut c = cfg(kind, init, act, 3);
                                    c.model.norm = norm;
                                    c.model.norm_position = pos;
                                    c.model.stem_activation = stem_activation;
                                    c.model.branch_layers = branch_layers;
                                    c.model.sigma_b2 = 0.1;
                                    c.data.name = DatasetName::Custom;
                                    let p = predict_profile(&c);
                                    for curve in [&p.second_moment, &p.grad_mean_square] {
                                        if curve.supported {
                                            assert_eq!(curve.values.len(), 4, "{c:?}");
                                            assert!(curve.values.iter().all(|v| v.is_finite() && *v > 0.0), "{c:?}: {:?}", curve.values);
                                        } else {
                                            assert!(!curve.reason.is_empty() && curve.values.is_empty());
                                        }
                                    }
                                    assert_eq!(p.supported, p.reason.is_empty());
                                    supported += usize::from(p.supported);
                                }
                            }
                        }
                    }
                }
            }
        }
        assert!(supported > 1000, "{supported}");
        // A profile that overflows f64 carries inf, not NaN (He/He GELU: about x2.7 per block).
        let mut deep = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Gelu, 2000);
        deep.model.width = 8;
        let p = predict_profile(&deep);
        assert_eq!(p.second_moment.values[2000], f64::INFINITY);
        assert!(p.second_moment.values.iter().chain(&p.grad_mean_square.values).all(|v| !v.is_nan()));
        // Degenerate arguments give reasons, not panics.
        let c = cfg(NetKind::Plain, InitKind::HeNormal, ActivationKind::Relu, 0);
        assert_eq!(predict_profile(&c).second_moment.values, vec![2.0]);
        assert!(!predict_profile_for_input(&c, 0, 1.0).supported);
        assert!(!predict_profile_for_input(&c, 2, f64::NAN).supported);
    }

    // ---- finite-width simulation: the theory against an actual random network -------------

    struct Sim {
        kind: NetKind,
        phi: Phi,
        layer_norm: bool,
        stem_w2: f64,
        hidden_w2: f64,
        alpha: f64,
        width: usize,
        depth: usize,
        batch: usize,
    }

    fn gaussian(rng: &mut crate::rng::Rng, rows: usize, cols: usize, var: f64) -> DMatrix<f64> {
        let sd = var.sqrt();
        DMatrix::from_fn(rows, cols, |_, _| sd * rng.normal())
    }

    /// LayerNorm over each column (a sample): (y, 1/sigma per column).
    fn layer_norm(z: &DMatrix<f64>) -> (DMatrix<f64>, Vec<f64>) {
        let mut y = z.clone();
        let mut inv = Vec::new();
        for mut col in y.column_iter_mut() {
            let mean = col.mean();
            col.add_scalar_mut(-mean);
            let i = 1.0 / (col.norm_squared() / col.len() as f64).sqrt();
            col *= i;
            inv.push(i);
        }
        (y, inv)
    }

    /// LayerNorm backward: g_z = (g_y - mean(g_y) - y mean(g_y y)) / sigma, per column.
    fn layer_norm_back(g_y: &DMatrix<f64>, y: &DMatrix<f64>, inv: &[f64]) -> DMatrix<f64> {
        let mut g = g_y.clone();
        for (j, mut col) in g.column_iter_mut().enumerate() {
            let yc = y.column(j);
            let n = yc.len() as f64;
            let (mean_g, mean_gy) = (col.mean(), col.dot(&yc) / n);
            for i in 0..col.len() {
                col[i] = (col[i] - mean_g - yc[i] * mean_gy) * inv[j];
            }
        }
        g
    }

    fn mean_square(m: &DMatrix<f64>) -> f64 {
        m.norm_squared() / m.len() as f64
    }

    /// Forward second moments of h_0..h_L and mean squares of dL/dh_l for L = <r, h_L> with a
    /// Gaussian r, relative to l = L. Inputs: 2 features on the circle of radius sqrt(2), so
    /// every input has second moment exactly 1 per feature. No biases.
    fn simulate(sim: &Sim) -> (Vec<f64>, Vec<f64>) {
        let mut rng = crate::rng::Rng::new(12345);
        let (w, b) = (sim.width, sim.batch);
        let x = DMatrix::from_fn(2, b, |i, j| {
            let th = 2.0 * PI * j as f64 / b as f64 + 0.1;
            f64::sqrt(2.0) * if i == 0 { th.cos() } else { th.sin() }
        });
        let apply = |m: &DMatrix<f64>, f: &dyn Fn(f64) -> f64| m.map(f);
        let phi = sim.phi;
        // Stem with orthogonal columns scaled so that (1/W) W0^T W0 = (s_stem / 2) I exactly:
        // with only two inputs a Gaussian stem's own sampling noise (~6% at W = 512) would
        // shift every layer.
        let mut w0 = gaussian(&mut rng, w, 2, 1.0);
        let c0 = w0.column(0).normalize();
        let c1 = w0.column(1) - &c0 * c0.dot(&w0.column(1));
        w0.set_column(0, &c0);
        w0.set_column(1, &c1.normalize());
        w0 *= (sim.stem_w2 * w as f64 / 2.0).sqrt();
        let mut hs = vec![w0 * &x];
        // Per block: (weights, normalised input or pre-activation, 1/sigma, inner pre-activation).
        let mut cache = Vec::new();
        for _ in 0..sim.depth {
            let h = hs.last().unwrap().clone();
            match sim.kind {
                NetKind::Plain => {
                    let wt = gaussian(&mut rng, w, w, sim.hidden_w2 / w as f64);
                    let z = &wt * &h;
                    let (y, inv) = if sim.layer_norm { layer_norm(&z) } else { (z.clone(), vec![1.0; b]) };
                    hs.push(apply(&y, &|v| phi.value(v)));
                    cache.push((vec![wt], y, inv, z));
                }
                NetKind::Residual => {
                    let (w1, w2) = (gaussian(&mut rng, w, w, sim.hidden_w2 / w as f64), gaussian(&mut rng, w, w, sim.hidden_w2 / w as f64));
                    let (y, inv) = if sim.layer_norm { layer_norm(&h) } else { (h.clone(), vec![1.0; b]) };
                    let u = &w1 * &y;
                    let f = &w2 * apply(&u, &|v| phi.value(v));
                    hs.push(&h + f * sim.alpha);
                    cache.push((vec![w1, w2], y, inv, u));
                }
            }
        }
        let mut g = gaussian(&mut rng, w, b, 1.0);
        let mut grads = vec![mean_square(&g)];
        for (ws, y, inv, pre) in cache.iter().rev() {
            g = match sim.kind {
                NetKind::Plain => {
                    let g_y = g.component_mul(&apply(y, &|v| phi.deriv(v)));
                    let g_z = if sim.layer_norm { layer_norm_back(&g_y, y, inv) } else { g_y };
                    ws[0].transpose() * g_z
                }
                NetKind::Residual => {
                    let g_u = (ws[1].transpose() * &g * sim.alpha).component_mul(&apply(pre, &|v| phi.deriv(v)));
                    let g_y = ws[0].transpose() * g_u;
                    let g_h = if sim.layer_norm { layer_norm_back(&g_y, y, inv) } else { g_y };
                    &g + g_h
                }
            };
            grads.push(mean_square(&g));
        }
        grads.reverse();
        let top = grads[sim.depth];
        (hs.iter().map(mean_square).collect(), grads.iter().map(|g| g / top).collect())
    }

    fn assert_profile_matches(name: &str, p: &TheoryProfile, sim: &Sim, tol_fwd: f64, tol_bwd: f64) {
        assert!(p.supported, "{name}: {}", p.reason);
        let (fwd, bwd) = simulate(sim);
        eprintln!("{name}: theory {:?}\n  sim {:?}", p.second_moment.values, fwd);
        eprintln!("{name}: theory {:?}\n  sim {:?}", p.grad_mean_square.values, bwd);
        for l in 0..=sim.depth {
            assert!(close(fwd[l], p.second_moment.values[l], tol_fwd), "{name} forward l = {l}: sim {} theory {}", fwd[l], p.second_moment.values[l]);
            assert!(close(bwd[l], p.grad_mean_square.values[l], tol_bwd), "{name} backward l = {l}: sim {} theory {}", bwd[l], p.grad_mean_square.values[l]);
        }
    }

    /// Plain tanh nets at finite width against the length map and chi1 (Poole et al. 2016,
    /// eq. 3; Schoenholz et al. 2017, eq. 5 and the backward mean field), without norm and with
    /// LayerNorm (gradient divided by the pre-norm standard deviation).
    #[test]
    fn simulated_plain_tanh_matches_theory() {
        let tanh = Phi::new(ActivationKind::Tanh);
        let mut c = cfg(NetKind::Plain, InitKind::Custom, ActivationKind::Tanh, 6);
        c.model.sigma_w2 = 1.5;
        c.model.sigma_b2 = 0.0;
        c.model.width = 512;
        let sim = Sim { kind: NetKind::Plain, phi: tanh, layer_norm: false, stem_w2: 1.5, hidden_w2: 1.5, alpha: 1.0, width: 512, depth: 6, batch: 32 };
        assert_profile_matches("plain tanh", &predict_profile(&c), &sim, 0.08, 0.1);
        let mut c = cfg(NetKind::Plain, InitKind::XavierNormal, ActivationKind::Tanh, 6);
        c.model.norm = NormKind::Layer;
        c.model.width = 512;
        let sim = Sim { layer_norm: true, stem_w2: 4.0 / 514.0, hidden_w2: 1.0, ..sim };
        assert_profile_matches("plain tanh layer norm", &predict_profile(&c), &sim, 0.08, 0.1);
    }

    /// Residual nets at finite width: He/He ReLU without norm (x3 per block; Yang & Schoenholz
    /// 2017) and with pre-LayerNorm (linear growth, De & Smith 2020; gradient q_L / q_l), and a
    /// tanh branch with alpha = 1/sqrt(L).
    #[test]
    fn simulated_residual_matches_theory() {
        let relu = Phi::new(ActivationKind::Relu);
        let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, 5);
        c.model.width = 512;
        let sim = Sim { kind: NetKind::Residual, phi: relu, layer_norm: false, stem_w2: 2.0, hidden_w2: 2.0, alpha: 1.0, width: 512, depth: 5, batch: 32 };
        assert_profile_matches("residual relu", &predict_profile(&c), &sim, 0.1, 0.15);
        c.model.norm = NormKind::Layer;
        let sim = Sim { layer_norm: true, ..sim };
        assert_profile_matches("residual relu pre-LN", &predict_profile(&c), &sim, 0.1, 0.15);
        let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Tanh, 5);
        c.model.width = 512;
        c.model.branch_scale = BranchScale::InvSqrtDepth;
        let sim = Sim { phi: Phi::new(ActivationKind::Tanh), layer_norm: false, alpha: 1.0 / 5f64.sqrt(), ..sim };
        assert_profile_matches("residual tanh", &predict_profile(&c), &sim, 0.05, 0.1);
    }
}
