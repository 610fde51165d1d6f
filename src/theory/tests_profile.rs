//! Predicted depth profiles against closed forms and against finite-width random networks.

use super::*;
use super::tests_maps::{cfg, close};
use crate::config::{ActivationKind, BranchScale, InitKind, NetKind, NormKind, NormPosition};
use nalgebra::DMatrix;
use std::f64::consts::PI;

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
        // The closed form neglects the norms' eps (1e-5; the profile keeps it): relative
        // differences up to eps / q_0.
        for (l, &v) in h.iter().enumerate() {
            assert!(close(v, 2.0 + l as f64 * alpha2 * v1, 1e-5), "{norm:?} l = {l}: {v}");
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

/// The numbers the presets and the README quote. alpha = 1/sqrt(L) with a He/He ReLU branch
/// (v(q) = 2q, Yang & Schoenholz 2017): the stream grows by (1 + 2/L)^L, 6.93 at L = 30 and
/// 7.11 at L = 50 and 7.37 at L = 1000, increasing toward e^2 = 7.39 and never above it: bounded, not flat.
/// Pre-LayerNorm with alpha = 1 (De & Smith 2020): q_l = q_0 + 2l and the gradient's mean
/// square grows toward layer 0 as q_L / q_l, x17 in RMS at l = 0 for L = 50 and the spiral's
/// q_x = 1/6 (q_0 = 1/3).
#[test]
fn quoted_growth_factors() {
    let mut last = 0.0;
    for (depth, expected) in [(30, 6.93), (50, 7.11), (1000, 7.374)] {
        let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, depth);
        c.model.branch_scale = BranchScale::InvSqrtDepth;
        let q = predict_profile(&c).second_moment.values;
        let growth = q[depth] / q[0];
        assert!(close(growth, (1.0 + 2.0 / depth as f64).powi(depth as i32), 1e-10));
        assert!((growth - expected).abs() < 0.005 && growth > last && growth < 2f64.exp(), "L = {depth}: {growth}");
        last = growth;
    }
    let mut c = cfg(NetKind::Residual, InitKind::HeNormal, ActivationKind::Relu, 50);
    c.model.norm = NormKind::Layer;
    c.model.norm_position = NormPosition::Pre;
    let p = predict_profile_for_input(&c, 2, 1.0 / 6.0);
    let (q, g) = (&p.second_moment.values, &p.grad_mean_square.values);
    // closed forms without the norm's eps (1e-5): relative differences up to eps / q_0 = 3e-5
    for l in 0..=50 {
        assert!(close(q[l], 1.0 / 3.0 + 2.0 * l as f64, 1e-4));
        assert!(close(g[l], q[50] / q[l], 1e-4));
    }
    assert!((g[0].sqrt() - 17.35).abs() < 0.01, "{}", g[0].sqrt());
}
