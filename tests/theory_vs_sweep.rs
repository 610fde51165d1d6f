//! Mean-field predictions (src/theory) against the measured depth sweep (src/sweep.rs):
//! width 256, 32 seeds, 12 blocks, at init. Mean-field theory predicts expectations over the
//! weights, so the sweep's arithmetic mean over seeds is compared, as profiles relative to
//! layer 0 (log(q_l/q_0)), so that each seed's sample of inputs cancels.
//!
//! Tolerance in log space at layer l: per seed, ln q_l wanders with variance ~ 5 l / W for
//! ReLU (Hanin & Rolnick 2018), so q_l / E[q_l] has relative variance ~ exp(5 l / W) - 1 and
//! the mean of 32 seeds a relative standard error of sqrt((exp(5 l / W) - 1) / 32). We allow
//! 4 standard errors + 0.05.

use residual_lab::config::*;
use residual_lab::sweep::{depth_sweep, sweep_samples};
use residual_lab::theory::{predict_profile, predict_profile_for_input};
use residual_lab::Trainer;

const W: usize = 256;
const L: usize = 12;
const SEEDS: usize = 32;

fn config(f: impl Fn(&mut ModelConfig)) -> Config {
    let mut c = Config::default();
    c.model = ModelConfig { depth: L, width: W, branch_scale: BranchScale::One, ..Default::default() };
    f(&mut c.model);
    c.batch_size = 16;
    c
}

fn tol(l: usize) -> f64 {
    let l = l as f64;
    4.0 * (((5.0 * l / W as f64).exp() - 1.0) / SEEDS as f64).sqrt() + 0.05
}

/// Checks the forward profile, and the backward one when `grad` (the gradient needs a
/// nonzero head and a theory that covers it).
fn check(name: &str, c: Config, grad: bool) {
    let t = Trainer::new(c.clone()).unwrap();
    let d = &t.data;
    let n = d.n_train * d.d_in;
    let q_x = d.x[..n].iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / n as f64;
    let theory = predict_profile_for_input(&c, d.d_in, q_x);
    let sweep = depth_sweep(&c, SEEDS).unwrap();
    assert_eq!(sweep.diverged, 0, "{name}");
    let q_pred = &theory.second_moment.values;
    assert!(theory.second_moment.supported, "{name}: {}", theory.second_moment.reason);
    let q_meas = &sweep.act_mean_sq.mean;
    for l in 1..=L {
        let pred = (q_pred[l] / q_pred[0]).ln();
        let meas = (q_meas[l] / q_meas[0]).ln();
        assert!((pred - meas).abs() < tol(l), "{name}: log(q_{l}/q_0) predicted {pred:.3}, measured {meas:.3}, tolerance {:.3}", tol(l));
    }
    if grad {
        assert!(theory.grad_mean_square.supported, "{name}: {}", theory.grad_mean_square.reason);
        let g_pred = &theory.grad_mean_square.values; // mean square, 1 at l = L
        let g_meas = &sweep.grad_rms.mean; // root mean square over seeds
        for l in 0..L {
            let pred = 0.5 * g_pred[l].ln();
            let meas = (g_meas[l] / g_meas[L]).ln();
            let t = tol(L - l);
            assert!((pred - meas).abs() < t, "{name}: log(g_{l}/g_L) predicted {pred:.3}, measured {meas:.3}, tolerance {t:.3}");
        }
    }
}

/// Poole et al. 2016 / He et al. 2015: plain ReLU, q_{l+1} = s_w^2 q_l / 2.
#[test]
fn plain_relu_he_and_xavier() {
    check("plain He", config(|m| m.kind = NetKind::Plain), true);
    check("plain Xavier", config(|m| { m.kind = NetKind::Plain; m.init = InitKind::XavierNormal; }), true);
}

/// Yang & Schoenholz 2017: h + W2 relu(W1 h) adds the branch variance: x(1 + s1 s2 / 2) per
/// block, 3 for He/He and 1.5 for LeCun/LeCun.
#[test]
fn residual_without_norm() {
    check("residual He/He", config(|_| {}), true);
    check("residual LeCun/LeCun", config(|m| m.init = InitKind::LecunNormal), true);
}

/// De & Smith 2020: BatchNorm first in the branch makes the growth linear (forward only: the
/// theory does not model BatchNorm's batch-coupled backward).
#[test]
fn residual_batchnorm_pre() {
    check("residual pre-BN", config(|m| m.norm = NormKind::Batch), false);
}

/// Fixup (Zhang et al. 2019) and ReZero (Bachlechner et al. 2020): flat. Fixup's head is 0 at
/// init, so its gradients are exactly 0 and only the forward profile is compared.
#[test]
fn fixup_and_rezero_are_flat() {
    check("fixup", config(|m| m.init = InitKind::Fixup), false);
    check("rezero", config(|m| m.init = InitKind::Rezero), true);
}

/// Schoenholz et al. 2017: tanh at the edge of chaos (s_b^2 = 0.05, s_w^2 = 1.76) keeps the
/// gradient flat (chi_1 = 1) while q settles at its fixed point.
#[test]
fn tanh_at_criticality() {
    let c = config(|m| {
        m.kind = NetKind::Plain;
        m.activation = ActivationKind::Tanh;
        m.init = InitKind::Custom;
        m.sigma_w2 = 1.76;
        m.sigma_b2 = 0.05;
    });
    check("tanh critical", c, true);
}

/// Mean and standard error of the mean.
fn mean_se(xs: &[f64]) -> (f64, f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

/// Hanin & Rolnick 2018: in a He-initialized plain ReLU net, E[q_L] = q_0 at any width (each
/// layer preserves the second moment in expectation), while ln(q_L / q_0) spreads with
/// variance ~ 5L/W, so a typical seed (the geometric mean) sits ~ exp(-5L/(2W)) below the mean.
/// L = 30, W = 128, 256 seeds: the arithmetic mean matches the mean-field E[q_L] within its
/// sampling error; the geometric mean does not, and sits about exp(-5L/(2W)) = 0.56 below.
#[test]
fn plain_he_relu_mean_is_the_prediction_geometric_mean_is_below() {
    let (depth, width, seeds) = (30, 128, 256);
    let mut c = Config::default();
    c.model = ModelConfig { kind: NetKind::Plain, depth, width, ..Default::default() };
    c.batch_size = 16;
    let theory = predict_profile(&c);
    let ratio_pred = theory.second_moment.values[depth] / theory.second_moment.values[0];
    assert_eq!(ratio_pred, 1.0);
    let s = sweep_samples(&c, seeds).unwrap();
    assert_eq!(s.diverged, 0);
    let (q0, q_l) = (&s.act_mean_sq[0], &s.act_mean_sq[depth]);
    // Paired per seed: E[q_L | h_0] = (q_L / q_0)_theory q_0.
    let diffs: Vec<f64> = q_l.iter().zip(q0).map(|(l, z)| l - ratio_pred * z).collect();
    let (d, se) = mean_se(&diffs);
    let mean_q0 = q0.iter().sum::<f64>() / seeds as f64;
    eprintln!("mean q_L - theory = {d:.4} +- {se:.4} (mean q_0 {mean_q0:.4})");
    assert!(d.abs() < 3.5 * se, "mean of q_L - E[q_L] = {d} with standard error {se}");
    assert!(se < 0.15 * mean_q0, "the test has power: standard error {se} vs q_0 {mean_q0}");
    // The summary the page draws: Band::mean, not the geometric mean.
    let band = depth_sweep(&c, seeds).unwrap().act_mean_sq;
    assert!((band.mean[depth] - q_l.iter().sum::<f64>() / seeds as f64).abs() < 1e-12);
    // Geometric mean of q_L / q_0 against the mean: ln gap ~ -Var(ln)/2 ~ -5L/(2W).
    let logs: Vec<f64> = q_l.iter().zip(q0).map(|(l, z)| (l / z).ln()).collect();
    let (mean_log, _) = mean_se(&logs);
    let var_log = logs.iter().map(|v| (v - mean_log).powi(2)).sum::<f64>() / (seeds - 1) as f64;
    let (mean_ratio, _) = mean_se(&q_l.iter().zip(q0).map(|(l, z)| l / z).collect::<Vec<_>>());
    let gap = mean_log - mean_ratio.ln();
    let hanin = -5.0 * depth as f64 / (2.0 * width as f64);
    eprintln!("ln(geo mean / mean) = {gap:.3}, -Var(ln)/2 = {:.3}, -5L/(2W) = {hanin:.3}; geo/mean = {:.3}", -var_log / 2.0, gap.exp());
    assert!(gap < -0.25, "the geometric mean sits clearly below the mean: {gap}");
    assert!((gap - hanin).abs() < 0.25, "ln(geo mean / mean) = {gap}, Hanin & Rolnick -5L/(2W) = {hanin}");
}

/// Orthogonal init (Saxe et al. 2014): W = gain x a Haar semi-orthogonal matrix, so
/// Var (W x)_i = gain^2 min(fan_in, fan_out) / fan_out q_x. The 2 -> W stem has orthonormal
/// columns: ||W x||^2 = gain^2 ||x||^2 exactly, spread over W units. With the probe batch =
/// every training point (the q_x the theory uses), the measured q_0 equals the prediction to
/// rounding; deeper layers (square orthogonal layers, s = gain^2 = 2 for ReLU) stay within the
/// sampling error of the mean over seeds. Plain and residual (alpha = 1) nets.
#[test]
fn orthogonal_init_profile() {
    for kind in [NetKind::Plain, NetKind::Residual] {
        let mut c = config(|m| {
            m.kind = kind;
            m.init = InitKind::Orthogonal;
            m.width = 128;
        });
        c.batch_size = c.data.n; // at least n_train: the probe batch is the whole training set
        let t = Trainer::new(c.clone()).unwrap();
        let d = &t.data;
        let q_x = d.x[..d.n_train * d.d_in].iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / (d.n_train * d.d_in) as f64;
        let theory = predict_profile_for_input(&c, d.d_in, q_x).second_moment.values;
        assert!((theory[0] / (2.0 * 2.0 / 128.0 * q_x) - 1.0).abs() < 1e-12, "stem: gain^2 d_in / W q_x");
        let s = sweep_samples(&c, 16).unwrap();
        // Each seed draws its own data: compare q_l / q_0 per seed, and q_0 with the seed's own q_x.
        for (k, &q0) in s.act_mean_sq[0].iter().enumerate() {
            let mut ck = c.clone();
            ck.seed = c.seed + k as u32;
            let tk = Trainer::new(ck.clone()).unwrap();
            let dk = &tk.data;
            let qx = dk.x[..dk.n_train * dk.d_in].iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / (dk.n_train * dk.d_in) as f64;
            let pred = predict_profile_for_input(&ck, dk.d_in, qx).second_moment.values[0];
            assert!((q0 / pred - 1.0).abs() < 1e-4, "{kind:?} seed {k}: q_0 measured {q0}, predicted {pred}");
        }
        for l in 1..=L {
            let ratios: Vec<f64> = s.act_mean_sq[l].iter().zip(&s.act_mean_sq[0]).map(|(a, b)| a / b).collect();
            let (m, se) = mean_se(&ratios);
            let pred = theory[l] / theory[0];
            eprintln!("{kind:?} l = {l}: mean q_l/q_0 {m:.4} +- {se:.4}, theory {pred:.4}");
            assert!((m - pred).abs() < 4.0 * se + 0.05 * pred, "{kind:?} l = {l}: measured {m} +- {se}, theory {pred}");
        }
    }
}

/// Mean field predicts per input; the trainer's statistics average over a batch. For a pre-norm
/// ReLU net (the post- vs pre-norm preset's right net: 50 blocks, LayerNorm, alpha = 1) the
/// gradient's mean square grows toward layer 0 as q_L / q_l per input, so inputs near the
/// origin (small q_0) dominate the batch average: the curve averaged over the inputs matches
/// the probe over the whole training set, the curve at the inputs' mean second moment is
/// several times too low.
#[test]
fn pre_norm_gradient_is_the_average_over_inputs() {
    use residual_lab::theory::predict_profile_for_inputs;
    let mut c = Config::default();
    c.model = ModelConfig { depth: 50, width: 128, norm: NormKind::Layer, norm_position: NormPosition::Pre, branch_scale: BranchScale::One, ..Default::default() };
    c.data.n = 320;
    c.batch_size = 256; // the whole training split (256 of 320 points)
    // Per seed (each seed draws its own spiral): measured and predicted layer-0 RMS / top.
    let (mut measured, mut averaged, mut at_mean) = (Vec::new(), Vec::new(), Vec::new());
    for seed in 0..12 {
        c.seed = seed;
        let mut t = Trainer::new(c.clone()).unwrap();
        let r = t.probe();
        measured.push((r.layers.grad_rms[0] / r.layers.grad_rms[50]) as f64);
        let d = &t.data;
        let per_input: Vec<f64> = d.x[..d.n_train * d.d_in].chunks(d.d_in).map(|r| r.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / d.d_in as f64).collect();
        averaged.push(predict_profile_for_inputs(&c, d.d_in, &per_input).grad_mean_square.values[0].sqrt());
        let mean_qx = per_input.iter().sum::<f64>() / per_input.len() as f64;
        at_mean.push(predict_profile_for_input(&c, d.d_in, mean_qx).grad_mean_square.values[0].sqrt());
    }
    let geo = |xs: &[f64]| (xs.iter().map(|v| v.ln()).sum::<f64>() / xs.len() as f64).exp();
    let ratio: Vec<f64> = measured.iter().zip(&averaged).map(|(m, a)| m / a).collect();
    let (geo, averaged, at_mean) = (geo(&ratio), geo(&averaged), geo(&at_mean));
    eprintln!("layer-0 gradient RMS / top: measured {measured:?}; measured / averaged theory {ratio:?} (geometric mean {geo:.2}); averaged theory {averaged:.1}, theory at the mean input {at_mean:.1} (geometric means over seeds)");
    assert!(geo.ln().abs() < 0.3, "measured / averaged theory = {geo} (geometric mean over seeds)");
    assert!(averaged > 2.0 * at_mean, "the average over inputs should differ from the curve at the mean input ({averaged} vs {at_mean})");
}
