//! Mean-field predictions (src/theory.rs) against the measured depth sweep (src/sweep.rs):
//! width 256, 32 seeds, 12 blocks, at init. Compared as profiles relative to layer 0
//! (log(q_l/q_0)), so the finite sample of inputs in the probe batch cancels.
//!
//! Tolerance in log space at layer l: per seed, log q_l wanders with variance ~ 5 l / W for
//! ReLU (Hanin & Rolnick 2018), so the mean of 32 seeds has sd sqrt(5 l / W / 32) and is biased
//! low by ~ 2.5 l / W (E log = log E - Var/2). We allow 4 sd + the bias + 0.05.

use residual_lab::config::*;
use residual_lab::sweep::depth_sweep;
use residual_lab::theory::predict_profile_for_input;
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
    4.0 * (5.0 * l / W as f64 / SEEDS as f64).sqrt() + 2.5 * l / W as f64 + 0.05
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
    let q_meas = &sweep.act_mean_sq.geo_mean;
    for l in 1..=L {
        let pred = (q_pred[l] / q_pred[0]).ln();
        let meas = (q_meas[l] / q_meas[0]).ln();
        assert!((pred - meas).abs() < tol(l), "{name}: log(q_{l}/q_0) predicted {pred:.3}, measured {meas:.3}, tolerance {:.3}", tol(l));
    }
    if grad {
        assert!(theory.grad_mean_square.supported, "{name}: {}", theory.grad_mean_square.reason);
        let g_pred = &theory.grad_mean_square.values; // mean square, 1 at l = L
        let g_meas = &sweep.grad_rms.geo_mean;
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
