//! Quadrature, maps, fixed points and phase diagrams against closed forms and brute force.

use super::*;
use crate::config::{ActivationKind, BranchScale, Config, InitKind, NetKind, NormKind};
use super::phi::tanh;

pub(super) fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

pub(super) fn cfg(kind: NetKind, init: InitKind, act: ActivationKind, depth: usize) -> Config {
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
    let gelu = fixed_point(Phi::new(ActivationKind::Gelu), 3.0, 0.5);
    assert!(gelu.q_star.is_infinite() && close(gelu.chi1, 1.5, 1e-12));
}


/// Sigmoid has an edge of chaos, far out: phi' <= 1/4 and E[phi^2] >= 1/4 (so q* >= s_w2 / 4)
/// keep chi1 < 1 until s_w2 ~ 103 at s_b2 = 0. Checked by the definition: chi1(q*) = 1 there,
/// with q* a fixed point of the length map (Poole et al. 2016, eq. 3), and the sign change of
/// chi1 - 1 on either side.
#[test]
fn sigmoid_critical_point() {
    let sigmoid = Phi::new(ActivationKind::Sigmoid);
    let crit = critical_sw2(sigmoid, 0.0).expect("sigmoid has an edge of chaos");
    eprintln!("sigmoid critical s_w2 at s_b2 = 0: {crit:.4}");
    assert!((100.0..106.0).contains(&crit), "{crit}");
    let fp = fixed_point(sigmoid, crit, 0.0);
    assert!(close(length_map(sigmoid, crit, 0.0, fp.q_star), fp.q_star, 1e-10));
    assert!(fp.q_star >= crit / 4.0);
    assert!(close(chi1(sigmoid, crit, fp.q_star), 1.0, 1e-8), "chi1 = {}", fp.chi1);
    assert!(fixed_point(sigmoid, 0.95 * crit, 0.0).chi1 < 1.0 && fixed_point(sigmoid, 1.05 * crit, 0.0).chi1 > 1.0);
    assert!(critical_sw2(sigmoid, 0.3).unwrap() > crit);
}

/// The length depth scale (Schoenholz et al. 2017, sec. 3): xi_q^-1 = -ln(chi1 + s_w2
/// E[phi'' phi]) at q*. Closed form for ReLU (the length map is q' = s_w2 q / 2 + s_b2, slope
/// s_w2 / 2); for tanh, sigmoid and GELU against a brute-force iteration of the length map,
/// whose distance to q* shrinks by exp(-1/xi_q) per layer.
#[test]
fn length_depth_scale() {
    let relu = Phi::new(ActivationKind::Relu);
    let fp = fixed_point(relu, 1.5, 0.1);
    assert!(close(fp.q_star, 0.4, 1e-12));
    assert!(close(fp.xi_q, -1.0 / 0.75f64.ln(), 1e-12), "{}", fp.xi_q);
    // ReLU at s_w2 = 2, s_b2 = 0: the length map is the identity. q* is the starting q
    // (not 0), nothing relaxes (xi_q infinite), and chi1 = 1.
    let edge = fixed_point(relu, 2.0, 0.0);
    assert_eq!((edge.q_star, edge.xi_q, edge.chi1), (1.0, f64::INFINITY, 1.0));
    for q in [0.3, 1.0, 7.0] {
        assert_eq!(length_map(relu, 2.0, 0.0, q), q);
    }
    assert_eq!(fixed_point(relu, 3.0, 0.1).xi_q, f64::INFINITY);
    for (kind, sw2, sb2) in [(ActivationKind::Tanh, 1.5, 0.05), (ActivationKind::Tanh, 3.0, 0.2), (ActivationKind::Sigmoid, 20.0, 0.1), (ActivationKind::Gelu, 1.2, 0.3)] {
        let phi = Phi::new(kind);
        let fp = fixed_point(phi, sw2, sb2);
        let mut q = fp.q_star * (1.0 + 1e-5);
        let mut gap = q - fp.q_star;
        let mut rate = 0.0;
        for _ in 0..3 {
            q = length_map(phi, sw2, sb2, q);
            let next = q - fp.q_star;
            rate = next / gap;
            gap = next;
        }
        let brute = -1.0 / rate.ln();
        eprintln!("{kind:?} ({sw2}, {sb2}): q* {:.6}, xi_q {:.6}, iterated {brute:.6}", fp.q_star, fp.xi_q);
        assert!(fp.xi_q.is_finite() && close(fp.xi_q, brute, 1e-3), "{kind:?}: xi_q {} vs iteration {brute}", fp.xi_q);
    }
    let pd = phase_diagram(Phi::new(ActivationKind::Tanh), (1.0, 2.0), (0.05, 0.1), 3, 2).unwrap();
    assert!(close(pd.xi_q[4], fixed_point(Phi::new(ActivationKind::Tanh), 1.5, 0.1).xi_q, 1e-3));
}

/// ReLU has no chaotic phase, and at s_b2 = 0 its ordered-phase xi_c is only formal: the
/// correlation map (Cho & Saul 2009 arc-cosine kernel; Poole et al. 2016) does not depend on
/// s_w2 there, has slope 1 at c = 1, and pulls every pair of inputs toward c = 1
/// polynomially: two orthogonal inputs reach c = 0.988 after 50 layers at s_w2 = 1 as at
/// s_w2 = 2 (the edge) and s_w2 = 3 (unbounded q), although -1/ln(chi1) = 1.44 at s_w2 = 1.
#[test]
fn relu_correlations_converge_in_every_phase() {
    let relu = Phi::new(ActivationKind::Relu);
    let after = |sw2: f64, layers: usize| (0..layers).fold(0.0, |c, _| correlation_map(relu, sw2, 0.0, 1.0, c));
    let c50 = after(2.0, 50);
    eprintln!("relu, s_b2 = 0: c after 50 layers from 0: {c50:.5}");
    assert!((0.9875..0.9885).contains(&c50), "{c50}");
    for sw2 in [1.0, 3.0] {
        assert!(close(after(sw2, 50), c50, 1e-12));
    }
    // Slope 1 at c = 1: 1 - c falls like 1/l^2, not exponentially.
    let (c100, c200) = (after(2.0, 100), after(2.0, 200));
    let ratio = (1.0 - c100) / (1.0 - c200);
    assert!((3.5..4.5).contains(&ratio), "(1 - c_100) / (1 - c_200) = {ratio}");
    assert!(close(fixed_point(relu, 1.0, 0.0).xi_c, 1.0 / 2f64.ln(), 1e-12));
    // With s_b2 > 0 the ordered phase's correlations do relax at the rate chi1 = s_w2 / 2.
    let fp = fixed_point(relu, 1.0, 0.1);
    let (q, c0) = (fp.q_star, 0.9);
    let c1 = correlation_map(relu, 1.0, 0.1, q, c0);
    let c2 = correlation_map(relu, 1.0, 0.1, q, 1.0 - 1e-6);
    assert!(c1 > c0 && close((1.0 - c2) / 1e-6, 0.5, 1e-3), "{}", (1.0 - c2) / 1e-6);
}
