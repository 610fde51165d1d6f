//! Fixed points of the length and correlation maps, and the edge of chaos.

use super::maps::{depth_scale, moments, CrossMoments};
use super::phi::Phi;
use super::quadrature::{Precision, FINE, FINE_STEP};

/// The mean-field fixed point of one (s_w2, s_b2) and its stability.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize, serde::Deserialize))]
pub struct FixedPoint {
    /// The fixed point the length map reaches when iterated from q = 1 (the map is increasing,
    /// so this is a stable one; for tanh and sigmoid it is the only one, GELU can also have
    /// an unstable one above it). Infinite when the variance grows without bound (e.g. ReLU
    /// with s_w2 > 2); 0 when the map contracts to 0 (s_b2 = 0, phi(0) = 0 and
    /// s_w2 phi'(0)^2 <= 1, except the next case). For a homogeneous phi with s_w2 E[phi^2]/q
    /// = 1 and s_b2 = 0 (ReLU at s_w2 = 2) the length map is the identity: every q is a fixed
    /// point and q* is the starting q (1, or the solver's starting guess).
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
    /// at the edge of chaos (and when q* is infinite). When q* = 0 (s_b2 = 0 in the ordered
    /// phase) it is only formal: the correlation map's slope at c = 1 is chi1 q / q', which
    /// tends to 1 as q -> 0, so correlations approach 1 more slowly than exp(-l / xi_c).
    pub xi_c: f64,
    /// The length depth scale (Schoenholz et al. 2017, sec. 3): q_l - q* decays like
    /// exp(-l / xi_q), with `xi_q^-1 = -ln(chi1 + s_w2 E[phi''(u) phi(u)])` at u ~ N(0, q*),
    /// the slope of the length map at q*. Infinite when that slope is >= 1 (q* infinite, or
    /// ReLU at s_w2 = 2 and s_b2 = 0, where the length map is the identity).
    pub xi_q: f64,
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
        let start = if guess.is_finite() && guess > 0.0 { guess } else { 1.0 };
        return if k < 1.0 { sb2 / (1.0 - k) } else if sb2 == 0.0 && k == 1.0 { start } else { f64::INFINITY };
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

pub(super) fn fixed_point_with(phi: Phi, sw2: f64, sb2: f64, prec: Precision, q_guess: f64, c_guess: f64) -> FixedPoint {
    let q_star = solve_q_star(phi, sw2, sb2, prec, q_guess);
    if !q_star.is_finite() {
        let chi1 = sw2 * phi.dphi2_at_infinity();
        return FixedPoint { q_star, chi1, c_star: 1.0, chi_c: 1.0, xi_c: f64::INFINITY, xi_q: f64::INFINITY };
    }
    // The length map's slope at q*: s_w2 d/dq E[phi^2] = s_w2 E[phi'^2 + phi phi''] (Price's
    // theorem) = chi1 + s_w2 E[phi'' phi].
    let xi_q = depth_scale(sw2 * moments(phi, q_star, prec.step).dq_phi2);
    if let Some((_, gd)) = phi.homogeneous_gains() {
        // No chaotic phase: chi1 > 1 means q* = inf (handled above).
        let chi1 = sw2 * gd;
        return FixedPoint { q_star, chi1, c_star: 1.0, chi_c: chi1, xi_c: depth_scale(chi1), xi_q };
    }
    let cross = CrossMoments::new(phi, q_star, prec.step);
    let chi1 = sw2 * cross.dphi2();
    if chi1 <= 1.0 {
        return FixedPoint { q_star, chi1, c_star: 1.0, chi_c: chi1, xi_c: depth_scale(chi1), xi_q };
    }
    let (c_star, chi_c) = solve_c_star(&cross, sw2, sb2, prec.newton_tol, c_guess);
    FixedPoint { q_star, chi1, c_star, chi_c, xi_c: depth_scale(chi_c), xi_q }
}

/// q*, chi1, c*, chi_c, xi_c and xi_q of one (s_w2, s_b2) (Schoenholz et al. 2017, eq. 5 and
/// 9 and sec. 3).
pub fn fixed_point(phi: Phi, sw2: f64, sb2: f64) -> FixedPoint {
    fixed_point_with(phi, sw2, sb2, FINE, 1.0, 0.5)
}

/// The edge of chaos: the s_w2 at which chi1(q*) = 1 for this s_b2 (Schoenholz et al. 2017,
/// Fig. 1; Poole et al. 2016), by bisection in log s_w2 over [1e-3, 1e3]. None if chi1 - 1
/// does not change sign there, or for a negative or non-finite s_b2. Sigmoid's phi' <= 1/4
/// puts its edge far out: s_w2 ~ 103 at s_b2 = 0, where q* ~ 46 (phi >= 0 with phi(0) = 1/2
/// gives E[phi^2] >= 1/4, so q* >= s_w2 / 4 and phi' is small where the inputs fall).
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
