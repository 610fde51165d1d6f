//! Single-layer maps of a fully connected layer: the length map, chi1, the correlation map
//! and chi_c (Poole et al. 2016; Schoenholz et al. 2017).

use super::phi::Phi;
use super::quadrature::{Quadrature, FINE_STEP, INV_SQRT_2PI};
use crate::config::ActivationKind;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// Gaussian moments of phi at input variance q.
#[derive(Clone, Copy, Debug)]
pub(super) struct Moments {
    /// E[phi(u)^2], u ~ N(0, q).
    pub(super) phi2: f64,
    /// E[phi'(u)^2].
    pub(super) dphi2: f64,
    /// d/dq E[phi(u)^2] = E[phi'(u)^2 + phi(u) phi''(u)] (Price's theorem: d/dq E[g] = E[g'']/2).
    pub(super) dq_phi2: f64,
}

/// Moments of phi at variance q, by the closed forms or the sinh-mapped rule of this `step`.
pub(super) fn moments(phi: Phi, q: f64, step: f64) -> Moments {
    if let Some((g, gd)) = phi.homogeneous_gains() {
        if q == 0.0 {
            // A pre-activation that is exactly 0 (an input at the origin, no biases): phi'(0)^2,
            // 0 for ReLU as in the trainer, not the Gaussian average.
            let (_, d0, _) = phi.eval(0.0);
            return Moments { phi2: 0.0, dphi2: d0 * d0, dq_phi2: g };
        }
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
pub(super) struct CrossMoments {
    phi: Phi,
    q: f64,
    rule: Quadrature,
    /// (phi(u1), phi'(u1)) at the outer nodes u1 = sqrt(q) z1.
    outer: Vec<(f64, f64)>,
    /// E[phi(u)^2] by the same rule (the c = 1 value, so c'(1) = 1 to rounding).
    phi2: f64,
}

impl CrossMoments {
    pub(super) fn new(phi: Phi, q: f64, step: f64) -> CrossMoments {
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
    pub(super) fn dphi2(&self) -> f64 {
        match self.phi.homogeneous_gains() {
            Some((_, gd)) => gd,
            None => self.outer.iter().zip(&self.rule.weights).map(|(o, &w)| w * o.1 * o.1).sum(),
        }
    }

    /// (E[phi(u1) phi(u2)], E[phi'(u1) phi'(u2)]) with u1 = sqrt(q) z1,
    /// u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2). Closed forms for relu / leaky_relu / linear
    /// (leaky = relu(x) - a relu(-x); relu(-u1), relu(-u2) have correlation c and relu(u1),
    /// relu(-u2) correlation -c); the product rule otherwise.
    pub(super) fn at(&self, c: f64) -> (f64, f64) {
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
    pub(super) fn map_and_slope(&self, sw2: f64, sb2: f64, c: f64) -> (f64, f64) {
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
