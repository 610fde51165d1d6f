//! The probes of src/probes.rs: representation similarity against closed forms, the input
//! gradient against central finite differences in f64 (as tests/gradcheck.rs), and the output
//! change under a weight perturbation.

use residual_lab::config::*;
use residual_lab::net::Network;
use residual_lab::norm::Mode;
use residual_lab::probes::{batch_similarity, input_gradients, output_change, representation};
use residual_lab::rng::Rng;

/// A `(batch, w)` column-major matrix from rows.
fn col_major(rows: &[Vec<f64>]) -> Vec<f64> {
    let (b, w) = (rows.len(), rows[0].len());
    let mut out = vec![0.0; b * w];
    for (a, r) in rows.iter().enumerate() {
        for u in 0..w {
            out[a + u * b] = r[u];
        }
    }
    out
}

#[test]
fn similarity_of_orthogonal_rows_is_zero_cosine_and_full_stable_rank() {
    // 5 orthogonal rows of equal norm in R^8: cosine 0, every singular value equal, stable rank 5.
    let rows: Vec<Vec<f64>> = (0..5).map(|a| (0..8).map(|u| if u == a { 3.0 } else { 0.0 }).collect()).collect();
    let (c, s) = batch_similarity(&col_major(&rows), 5, 8);
    assert!(c.abs() < 1e-15, "{c}");
    assert!((s - 5.0).abs() < 1e-12, "{s}");
}

#[test]
fn similarity_of_rank_one_rows_is_one() {
    // rows that are positive multiples of one vector: cosine 1, stable rank 1.
    let v = [0.3, -1.2, 2.0, 0.5];
    let rows: Vec<Vec<f64>> = [1.0, 2.5, 0.1].iter().map(|k| v.iter().map(|x| k * x).collect()).collect();
    let (c, s) = batch_similarity(&col_major(&rows), 3, 4);
    assert!((c - 1.0).abs() < 1e-12, "{c}");
    assert!((s - 1.0).abs() < 1e-12, "{s}");
}

#[test]
fn similarity_of_two_rows_at_an_angle() {
    // two unit rows at angle t: cosine cos t; G has eigenvalues 1 +- cos t, so the stable rank is
    // 2 / (1 + |cos t|).
    for t in [0.3f64, 1.0, 2.0] {
        let rows = vec![vec![1.0, 0.0, 0.0], vec![t.cos(), t.sin(), 0.0]];
        let (c, s) = batch_similarity(&col_major(&rows), 2, 3);
        assert!((c - t.cos()).abs() < 1e-14, "{t}: {c}");
        assert!((s - 2.0 / (1.0 + t.cos().abs())).abs() < 1e-12, "{t}: {s}");
    }
}

#[test]
fn stable_rank_of_a_gaussian_matrix_follows_marchenko_pastur() {
    // H (B x W) with i.i.d. N(0, 1) entries: ||H||_F^2 ~ B W and ||H||_2^2 ~ (sqrt(B) + sqrt(W))^2
    // (the edge of the Marchenko-Pastur law), so the stable rank ~ B W / (sqrt(B) + sqrt(W))^2:
    // 200 * 800 / (14.1 + 28.3)^2 = 88.9. Finite-size fluctuations of the top eigenvalue are
    // O(W^(-2/3)) relative: a 3% tolerance.
    let (b, w) = (200, 800);
    let mut rng = Rng::new(3);
    let h: Vec<f64> = (0..b * w).map(|_| rng.normal()).collect();
    let (c, s) = batch_similarity(&h, b, w);
    let expected = (b * w) as f64 / ((b as f64).sqrt() + (w as f64).sqrt()).powi(2);
    assert!((s / expected - 1.0).abs() < 0.03, "stable rank {s}, Marchenko-Pastur {expected}");
    assert!(c.abs() < 0.01, "independent rows: mean cosine {c}");
}

#[test]
fn zero_rows_are_left_out_of_the_cosine() {
    let rows = vec![vec![1.0, 0.0], vec![0.0, 0.0], vec![1.0, 1.0]];
    let (c, _) = batch_similarity(&col_major(&rows), 3, 2);
    assert!((c - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-14, "{c}");
    let (c0, s0) = batch_similarity(&[0.0f64; 6], 3, 2);
    assert!(c0.is_nan() && s0 == 0.0);
}

#[test]
fn representation_measures_every_stream_position() {
    let m = ModelConfig { kind: NetKind::Residual, depth: 4, width: 12, norm: NormKind::Batch, ..Default::default() };
    let mut rng = Rng::new(5);
    let mut net = Network::<f64>::new(&m, 3, 2, 10, &mut rng);
    let x: Vec<f64> = (0..30).map(|_| rng.normal()).collect();
    let r = representation(&mut net, &x, 10, Mode::Probe).unwrap();
    assert_eq!(r.mean_cosine.len(), 5);
    for l in 0..=4 {
        let (c, s) = batch_similarity(net.stream(l, 10), 10, 12);
        assert_eq!((r.mean_cosine[l], r.stable_rank[l]), (c, s), "layer {l}");
        assert!((1.0..=10.0).contains(&s), "layer {l}: stable rank {s}");
    }
    assert!(representation(&mut net, &x, 11, Mode::Probe).unwrap_err().to_string().starts_with("batch:"));
    assert!(representation(&mut net, &x[..29], 10, Mode::Probe).unwrap_err().to_string().starts_with("x:"));
}

const H: f64 = 1e-6;

/// d f_k / d x from `input_gradients` against central differences of f_k, every input and
/// coordinate, in f64: relative tolerance 1e-5 as in tests/gradcheck.rs (truncation ~1e-12,
/// rounding ~1e-10). Parameters are moved off their init so no branch is trivially zero.
fn check_input_gradient(m: ModelConfig) {
    let (n, d_in, d_out, cap) = (7, 3, 3, 4); // n > capacity: two forward chunks
    let mut rng = Rng::new(17);
    let mut net = Network::<f64>::new(&m, d_in, d_out, cap, &mut rng);
    for p in net.params.iter_mut() {
        *p += 0.2 * rng.normal();
    }
    // BatchNorm in eval mode: give the running statistics values other than (0, 1).
    for norm in net.norms_mut() {
        for (mu, var) in norm.running_mean.iter_mut().zip(norm.running_var.iter_mut()) {
            *mu = 0.3 * rng.normal();
            *var = 0.5 + rng.uniform();
        }
    }
    let xs: Vec<f64> = (0..n * d_in).map(|_| rng.normal()).collect();
    let grads_before = net.grads.clone();
    for k in [0, 2] {
        let g = input_gradients(&mut net, &xs, k).unwrap();
        assert_eq!(net.grads, grads_before, "parameter gradients restored");
        for i in 0..n {
            for f in 0..d_in {
                let f_at = |net: &mut Network<f64>, v: f64| {
                    let mut x = xs[i * d_in..(i + 1) * d_in].to_vec();
                    x[f] = v;
                    net.forward(&x, 1, Mode::Eval, 0.1)[k]
                };
                let x0 = xs[i * d_in + f];
                let numeric = (f_at(&mut net, x0 + H) - f_at(&mut net, x0 - H)) / (2.0 * H);
                let analytic = g[i * d_in + f];
                assert!((analytic - numeric).abs() <= 1e-5 * (analytic.abs() + numeric.abs()) + 1e-8, "{m:?}\n  d f_{k}/d x[{i}][{f}]: {analytic} vs finite difference {numeric}");
            }
        }
    }
}

#[test]
fn input_gradients_match_finite_differences() {
    let base = ModelConfig { depth: 3, width: 6, leaky_slope: 0.1, branch_scale: BranchScale::One, ..Default::default() };
    for act in [ActivationKind::Relu, ActivationKind::LeakyRelu, ActivationKind::Tanh, ActivationKind::Gelu] {
        check_input_gradient(ModelConfig { kind: NetKind::Plain, activation: act, ..base.clone() });
        check_input_gradient(ModelConfig { kind: NetKind::Residual, activation: act, ..base.clone() });
    }
    for norm in [NormKind::Batch, NormKind::Layer, NormKind::Rms] {
        check_input_gradient(ModelConfig { kind: NetKind::Plain, activation: ActivationKind::Tanh, norm, ..base.clone() });
        for pos in [NormPosition::Pre, NormPosition::Post] {
            check_input_gradient(ModelConfig { kind: NetKind::Residual, norm, norm_position: pos, final_norm: true, ..base.clone() });
        }
    }
}

#[test]
fn input_gradients_reject_bad_arguments() {
    let mut rng = Rng::new(1);
    let mut net = Network::<f32>::new(&ModelConfig::default(), 2, 3, 8, &mut rng);
    assert!(input_gradients(&mut net, &[0.0; 5], 0).unwrap_err().to_string().starts_with("x:"));
    assert!(input_gradients(&mut net, &[0.0; 4], 3).unwrap_err().to_string().starts_with("output:"));
}

fn post_ln(depth: usize) -> ModelConfig {
    ModelConfig { kind: NetKind::Residual, depth, width: 16, norm: NormKind::Layer, norm_position: NormPosition::Post, branch_scale: BranchScale::One, init: InitKind::XavierNormal, ..Default::default() }
}

#[test]
fn output_change_is_linear_in_small_perturbations_and_leaves_the_net_unchanged() {
    let mut rng = Rng::new(9);
    let mut net = Network::<f64>::new(&post_ln(6), 4, 3, 8, &mut rng);
    let x: Vec<f64> = (0..32).map(|_| rng.normal()).collect();
    let params = net.params.clone();
    let out = net.forward(&x, 8, Mode::Eval, 0.1).to_vec();
    // The same random directions at two sizes (same rng seed): in the linear regime the
    // change scales with the size, to O(rel) relative.
    let a = output_change(&mut net, &x, 8, 1e-4, 3, &mut Rng::new(1)).unwrap();
    let b = output_change(&mut net, &x, 8, 1e-5, 3, &mut Rng::new(1)).unwrap();
    assert!(a > 0.0 && (a / b / 10.0 - 1.0).abs() < 1e-3, "{a} {b}");
    assert_eq!(net.params, params, "parameters restored");
    assert_eq!(net.forward(&x, 8, Mode::Eval, 0.1), &out[..]);
    // Deterministic for a given generator.
    assert_eq!(a, output_change(&mut net, &x, 8, 1e-4, 3, &mut Rng::new(1)).unwrap());
    assert!(output_change(&mut net, &x, 8, 0.0, 3, &mut Rng::new(1)).unwrap_err().to_string().starts_with("rel:"));
    assert!(output_change(&mut net, &x, 8, 0.1, 0, &mut Rng::new(1)).unwrap_err().to_string().starts_with("draws:"));
}

#[test]
fn output_change_matches_the_perturbation_made_by_hand() {
    // The definition, redone by hand for a net with two blocks: draw each block weight's
    // direction from the same generator in the same order, scale it to rel * ||W||, move the
    // weights, and compare outputs. Stem and head weights do not move.
    let m = ModelConfig { kind: NetKind::Plain, depth: 2, width: 5, activation: ActivationKind::Tanh, init: InitKind::XavierNormal, ..Default::default() };
    let mut rng = Rng::new(2);
    let mut net = Network::<f64>::new(&m, 3, 2, 4, &mut rng);
    let x: Vec<f64> = (0..12).map(|_| rng.normal()).collect();
    let rel = 0.1;
    let measured = output_change(&mut net, &x, 4, rel, 1, &mut Rng::new(8)).unwrap();
    let before = net.forward(&x, 4, Mode::Eval, 0.1).to_vec();
    let mut draw = Rng::new(8);
    let mut moved = net.params.clone();
    for name in ["blocks.0.fc1.weight", "blocks.1.fc1.weight"] {
        let span = net.infos.iter().find(|i| i.name == name).unwrap().span;
        let w_norm = span.of(&net.params).iter().map(|v| v * v).sum::<f64>().sqrt();
        let dir: Vec<f64> = (0..span.len).map(|_| draw.normal()).collect();
        let d_norm = dir.iter().map(|v| v * v).sum::<f64>().sqrt();
        for (p, d) in span.of_mut(&mut moved).iter_mut().zip(&dir) {
            *p += rel * w_norm / d_norm * d;
        }
    }
    let saved = std::mem::replace(&mut net.params, moved);
    let after = net.forward(&x, 4, Mode::Eval, 0.1).to_vec();
    net.params = saved;
    let norm = |v: &[f64]| v.iter().map(|a| a * a).sum::<f64>().sqrt();
    let diff: Vec<f64> = after.iter().zip(&before).map(|(a, b)| a - b).collect();
    let expected = norm(&diff) / norm(&before);
    assert!((measured - expected).abs() <= 1e-12 * expected, "{measured} vs {expected}");
}
