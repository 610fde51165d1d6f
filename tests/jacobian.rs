//! The stream Jacobian J = dh_L/dh_0 and its singular values.

use nalgebra::DMatrix;
use residual_lab::config::*;
use residual_lab::jacobian::{stream_jacobian, stream_jacobian_at_batch, Spectrum};
use residual_lab::net::Network;
use residual_lab::norm::Mode;
use residual_lab::rng::Rng;

/// For a linear plain net, J is the product of the block weights W_L ... W_1 (each [out][in]).
#[test]
fn linear_net_jacobian_is_the_weight_product() {
    let m = ModelConfig { kind: NetKind::Plain, activation: ActivationKind::Linear, depth: 5, width: 7, init: InitKind::XavierNormal, ..Default::default() };
    let mut net = Network::<f64>::new(&m, 3, 2, 4, &mut Rng::new(5));
    let mut product = DMatrix::<f64>::identity(7, 7);
    for l in 0..5 {
        let info = net.infos.iter().find(|i| i.name == format!("blocks.{l}.fc1.weight")).unwrap();
        let w = DMatrix::from_row_slice(7, 7, info.span.of(&net.params));
        product = w * product;
    }
    let j = stream_jacobian(&mut net, &[0.3, -0.1, 0.7]);
    assert!((j - product).amax() < 1e-12);
}

/// Bachlechner et al. 2020 (ReZero): with alpha = 0 every block is the identity, J = I.
#[test]
fn rezero_at_init_is_an_isometry() {
    let m = ModelConfig { init: InitKind::Rezero, depth: 20, width: 16, ..Default::default() };
    let mut net = Network::<f32>::new(&m, 2, 2, 8, &mut Rng::new(1));
    let s = Spectrum::of(&stream_jacobian(&mut net, &[0.5, -0.5]));
    assert!(s.singular_values.iter().all(|&v| v == 1.0), "{:?}", s.singular_values);
    assert_eq!(s.normalized_var, 0.0);
}

/// Saxe et al. 2014 / Pennington et al. 2017: a deep linear net with orthogonal weights is an
/// exact isometry: every singular value is 1 (up to f32 rounding over 50 products).
#[test]
fn orthogonal_linear_net_is_an_isometry() {
    let m = ModelConfig { kind: NetKind::Plain, activation: ActivationKind::Linear, init: InitKind::Orthogonal, depth: 50, width: 32, ..Default::default() };
    let mut net = Network::<f32>::new(&m, 2, 2, 32, &mut Rng::new(2));
    let s = Spectrum::of(&stream_jacobian(&mut net, &[0.1, 0.2]));
    assert!(s.singular_values.iter().all(|&v| (v - 1.0).abs() < 1e-4), "{:?}", s.singular_values);
}

/// Pennington et al. 2017: for ReLU nets with Gaussian (He) weights the spread of J's squared
/// singular values grows with depth (no dynamical isometry), even though their mean stays ~1.
#[test]
fn he_relu_plain_spectrum_spreads_with_depth() {
    let spread = |depth: usize| -> f64 {
        let m = ModelConfig { kind: NetKind::Plain, depth, width: 64, ..Default::default() };
        let mut total = 0.0;
        for seed in 0..6 {
            let mut net = Network::<f32>::new(&m, 2, 2, 64, &mut Rng::new(seed));
            total += Spectrum::of(&stream_jacobian(&mut net, &[0.6, -0.8])).normalized_var;
        }
        total / 6.0
    };
    let (s2, s8, s32) = (spread(2), spread(8), spread(32));
    assert!(s2 < s8 && s8 < s32, "normalized variance by depth 2, 8, 32: {s2} {s8} {s32}");
    assert!(s32 > 3.0 * s2, "{s2} -> {s32}");
}

/// Zhang et al. 2019 (Fixup): each branch's last layer starts at 0, so every block is the
/// identity at init and J = I, as with ReZero (and SkipInit, De & Smith 2020, whose alpha also
/// starts at 0).
#[test]
fn fixup_at_init_is_an_isometry() {
    for branch_layers in [1, 2] {
        let m = ModelConfig { init: InitKind::Fixup, depth: 20, width: 16, branch_layers, branch_scale: BranchScale::One, ..Default::default() };
        let mut net = Network::<f32>::new(&m, 2, 2, 8, &mut Rng::new(3));
        let s = Spectrum::of(&stream_jacobian(&mut net, &[0.5, -0.5]));
        assert!(s.singular_values.iter().all(|&v| v == 1.0), "{:?}", s.singular_values);
        assert_eq!((s.mean_sq, s.normalized_var), (1.0, 0.0));
    }
}

/// BatchNorm held at a batch's statistics: J (times the stem's weight) is the derivative of the
/// train-mode forward of one example with respect to its input, up to the example's own
/// effect on its batch's mean and variance, which is O(1/batch). Checked against central
/// differences of the full train-mode (probe) forward of a batch of 4096 in f64, for plain and
/// pre-norm residual BatchNorm nets. The eval-mode Jacobian (running statistics 0 and 1 at
/// init) is a different map, far off.
#[test]
fn batchnorm_jacobian_is_the_train_mode_derivative_at_fixed_statistics() {
    let (w, batch) = (16, 4096);
    for kind in [NetKind::Plain, NetKind::Residual] {
        let m = ModelConfig { kind, norm: NormKind::Batch, depth: 6, width: w, branch_scale: BranchScale::One, ..Default::default() };
        let mut net = Network::<f64>::new(&m, 2, 2, batch, &mut Rng::new(11));
        let mut rng = Rng::new(12);
        let mut xs: Vec<f64> = (0..2 * batch).map(|_| rng.normal()).collect(); // (batch, 2) column-major
        let x0 = [xs[0], xs[batch]];
        let j = stream_jacobian_at_batch(&mut net, &x0, &xs, batch);
        let stem = net.infos.iter().find(|i| i.name == "stem.weight").unwrap();
        let w_stem = DMatrix::from_row_slice(w, 2, stem.span.of(&net.params));
        let analytic = &j * &w_stem; // dh_L/dx for example 0
        let mut numeric = DMatrix::<f64>::zeros(w, 2);
        let depth = m.depth;
        for f in 0..2 {
            let eps = 1e-5;
            let mut h_at = |delta: f64| -> Vec<f64> {
                xs[f * batch] = x0[f] + delta;
                net.forward(&xs, batch, Mode::Probe, 0.1);
                (0..w).map(|u| net.stream(depth, batch)[u * batch]).collect()
            };
            let (plus, minus) = (h_at(eps), h_at(-eps));
            xs[f * batch] = x0[f];
            for u in 0..w {
                numeric[(u, f)] = (plus[u] - minus[u]) / (2.0 * eps);
            }
        }
        let err = (&analytic - &numeric).norm() / numeric.norm();
        let eval = stream_jacobian(&mut net, &x0) * &w_stem;
        let eval_err = (&eval - &numeric).norm() / numeric.norm();
        eprintln!("{kind:?}: |J_held W0 - finite differences| / |fd| = {err:.2e}; eval-mode J: {eval_err:.2e}");
        assert!(err < 5e-3, "{kind:?}: {err}");
        assert!(eval_err > 0.3, "{kind:?}: {eval_err}");
    }
}

/// Pre-BatchNorm residual nets, h <- h + alpha F(BN(h)) (De & Smith 2020): BatchNorm divides
/// the branch input by the batch standard deviation sigma_{l,u} of each unit, so under the
/// gradient-independence assumption (Schoenholz et al. 2017) the mean squared singular value
/// of J grows by 1 + alpha^2 chi_F <1/sigma_{l,u}^2>_u per block, chi_F = 2 for a He/He ReLU
/// branch: the growth of the stream's batch variance, which is q_L / q_0 when the stream
/// carries no per-unit mean. Width 128, 128-dimensional Gaussian inputs (so that each unit's
/// batch variance is close to the mean-field one), 32 blocks, 4 seeds.
#[test]
fn pre_batchnorm_spectrum_tracks_the_stream_growth() {
    use residual_lab::theory::{branch_gain, Branch, Phi};
    use residual_lab::Trainer;
    let (w, d_in, depth, batch) = (128, 128, 32, 256);
    let chi_f = branch_gain(Phi::new(ActivationKind::Relu), Branch { layers: 2, sw2_in: 2.0, sw2_out: 2.0, sb2: 0.0 }, 1.0);
    assert_eq!(chi_f, 2.0);
    for scale in [BranchScale::One, BranchScale::InvSqrtDepth] {
        let alpha2 = if scale == BranchScale::One { 1.0 } else { 1.0 / depth as f64 };
        for seed in 0..4u32 {
            let mut c = Config::default();
            c.model = ModelConfig { depth, width: w, norm: NormKind::Batch, norm_position: NormPosition::Pre, branch_scale: scale, ..Default::default() };
            c.batch_size = batch;
            c.seed = seed;
            let mut t = Trainer::new(c).unwrap();
            let mut rng = Rng::new(100 + seed as u64);
            let n = 512;
            let x: Vec<f32> = (0..n * d_in).map(|_| rng.normal() as f32).collect();
            let y: Vec<f32> = (0..n).map(|i| (i % 2) as f32).collect();
            t.set_data(x, y, d_in).unwrap();
            let s = t.jacobian_spectrum();
            let q = t.probe().layers.act_mean_sq.clone();
            let b = batch.min(t.data.n_train);
            let mut predicted = 1.0;
            for l in 0..depth {
                let h = t.net.stream(l, b);
                let mut inv_var = 0.0;
                for u in 0..w {
                    let col = &h[u * b..(u + 1) * b];
                    let mean = col.iter().map(|&v| v as f64).sum::<f64>() / b as f64;
                    let var = col.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / b as f64;
                    inv_var += 1.0 / (var + 1e-5) / w as f64;
                }
                predicted *= 1.0 + alpha2 * chi_f * inv_var;
            }
            let growth = (q[depth] / q[0]) as f64;
            eprintln!("{scale:?} seed {seed}: mean s^2 {:.3}, prod(1 + a^2 chi_F <1/sigma^2>) {predicted:.3}, q_L/q_0 {growth:.3}", s.mean_sq);
            assert!((s.mean_sq / predicted).ln().abs() < 0.25, "{scale:?} seed {seed}: {} vs {predicted}", s.mean_sq);
            // Tracks q_L / q_0: above it by the per-unit batch means BatchNorm removes (each ReLU
            // branch gives every unit a batch mean carrying 1/pi of its variance), nowhere
            // near the un-normalized (1 + 2 alpha^2)^L.
            let excess = (s.mean_sq / growth).ln();
            assert!((-0.25..1.5).contains(&excess), "{scale:?} seed {seed}: ln(mean s^2 / (q_L/q_0)) = {excess}");
        }
    }
}

/// The lab's pre-BatchNorm preset (32 blocks of width 32, alpha = 1, spiral data): at init the
/// eval-mode Jacobian sees BatchNorm as the identity (running statistics 0 and 1), so its mean
/// s^2 is that of an un-normalized He/He net, ~3^32; the lab's spectrum, at the probe batch's
/// statistics, is orders of magnitude below it.
#[test]
fn pre_batchnorm_preset_spectrum_is_not_the_unnormalized_one() {
    use residual_lab::Trainer;
    let mut c = Config::default();
    c.model = ModelConfig { depth: 32, norm: NormKind::Batch, norm_position: NormPosition::Pre, branch_scale: BranchScale::One, ..Default::default() };
    let mut t = Trainer::new(c).unwrap();
    let x0 = t.data.x[..2].to_vec();
    let eval = Spectrum::of(&stream_jacobian(&mut t.net, &x0));
    let held = t.jacobian_spectrum();
    eprintln!("pre-BN preset: eval-mode mean s^2 {:.3e}, at the probe batch's statistics {:.3e}", eval.mean_sq, held.mean_sq);
    assert!(eval.mean_sq > 1e12, "{}", eval.mean_sq);
    assert!(held.mean_sq < 1e6, "{}", held.mean_sq);
    // The running statistics are restored: evaluate() is unchanged by the spectrum.
    let before = t.evaluate();
    t.jacobian_spectrum();
    assert_eq!(t.evaluate(), before);
}

/// Yang & Schoenholz 2017 ("Mean field residual networks: on the edge of chaos"): with tanh
/// branches a residual net's gradients grow sub-exponentially with depth, unlike ReLU's x3 per
/// He/He block: tanh saturates, so each branch adds a bounded variance while the stream
/// grows, and its gain chi_F(q_l) falls. Measured mean s^2 of J (LeCun tanh branches,
/// alpha = 1, width 128, 4 seeds) against the mean-field backward profile for the Jacobian's
/// own input point (the theory's grad_mean_square at l = 0, for q_x = that point's second
/// moment), and the per-block growth ln(mean s^2) / L falling from L = 10 to L = 80.
#[test]
fn tanh_residual_jacobian_grows_subexponentially() {
    use residual_lab::theory::predict_profile_for_input;
    use residual_lab::Trainer;
    let per_block = |depth: usize| -> f64 {
        let mut log_ratio = 0.0;
        let mut per_block = 0.0;
        for seed in 0..4u32 {
            let mut c = Config::default();
            c.model = ModelConfig { depth, width: 128, activation: ActivationKind::Tanh, init: InitKind::LecunNormal, branch_scale: BranchScale::One, ..Default::default() };
            c.batch_size = 16;
            c.seed = seed;
            let mut t = Trainer::new(c.clone()).unwrap();
            let s = t.jacobian_spectrum();
            let x0 = &t.data.x[..2];
            let q_x = (x0[0] as f64).powi(2) / 2.0 + (x0[1] as f64).powi(2) / 2.0;
            let predicted = predict_profile_for_input(&c, 2, q_x).grad_mean_square.values[0];
            eprintln!("tanh L = {depth} seed {seed}: mean s^2 {:.2}, mean-field {predicted:.2}", s.mean_sq);
            log_ratio += (s.mean_sq / predicted).ln() / 4.0;
            per_block += s.mean_sq.ln() / depth as f64 / 4.0;
        }
        assert!(log_ratio.abs() < 0.5, "L = {depth}: mean ln(measured / mean-field) = {log_ratio}");
        per_block
    };
    let (short, long) = (per_block(10), per_block(80));
    eprintln!("ln(mean s^2) per block: {short:.3} at L = 10, {long:.3} at L = 80 (ReLU He/He: ln 3 = 1.099 at any L)");
    assert!(long < 0.6 * short, "{short} -> {long}");
    assert!(short < 0.5 * 3f64.ln());
}
