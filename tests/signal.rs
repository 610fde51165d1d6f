//! Signal propagation at init against mean-field theory, measured on the stream h_l at width
//! 256 over 24 seeds.
//!
//! Finite width: per layer, log q fluctuates with variance about 5/width for ReLU (Hanin &
//! Rolnick 2018), so over L layers a single seed's log(q_L/q_1) has sd sqrt(5L/W) and the mean
//! of log over S seeds (the log of the geometric mean) has sd sqrt(5L/W/S); it is also biased
//! low by about L * 2.5/W (E log q = log E q - Var/2). The tolerances below are built from
//! these two numbers; they are about 1/10 of the effects tested (a factor 2 per layer, or the
//! difference between x2 and x3 per block).

use residual_lab::config::*;
use residual_lab::net::Network;
use residual_lab::norm::Mode;
use residual_lab::rng::Rng;
use residual_lab::stats::moments;

const W: usize = 256;
const B: usize = 32;
const SEEDS: u64 = 20;

/// Mean over seeds of log q_l (q = second moment of h_l), l = 0..=L.
fn mean_log_q(m: &ModelConfig, tweak: impl Fn(&mut Network<f32>)) -> Vec<f64> {
    let mut acc = vec![0.0; m.depth + 1];
    for seed in 0..SEEDS {
        let mut rng = Rng::new(1000 + seed);
        let mut net = Network::<f32>::new(m, W, 2, B, &mut rng);
        tweak(&mut net);
        let x: Vec<f32> = (0..B * W).map(|_| rng.normal() as f32).collect();
        net.forward(&x, B, Mode::Probe, 0.1);
        for (l, a) in acc.iter_mut().enumerate() {
            let (_, q, _, bad) = moments(net.stream(l, B));
            assert_eq!(bad, 0);
            *a += q.ln() / SEEDS as f64;
        }
    }
    acc
}

/// Tolerance in log space over `layers` layers: 4 sd of the seed mean plus the finite-width bias.
fn tol(layers: usize) -> f64 {
    let l = layers as f64;
    4.0 * (5.0 * l / W as f64 / SEEDS as f64).sqrt() + 2.5 * l / W as f64
}

fn plain(init: InitKind) -> ModelConfig {
    ModelConfig { kind: NetKind::Plain, depth: 20, width: W, init, activation: ActivationKind::Relu, ..Default::default() }
}

/// He et al. 2015, eq. 10: with Var[w] = 2/fan_in a ReLU layer keeps q (q_l = q_{l-1}).
#[test]
fn plain_relu_he_keeps_the_second_moment_flat() {
    let lq = mean_log_q(&plain(InitKind::HeNormal), |_| {});
    let drift = lq[20] - lq[1];
    assert!(drift.abs() < tol(19), "log(q_20/q_1) = {drift}, tolerance {}", tol(19));
}

/// Glorot & Bengio 2010 init gives s_w^2 = 1 for a square layer; with ReLU,
/// q_l = q_{l-1} / 2 (He et al. 2015, eq. 10 with the factor 1/2 left in).
#[test]
fn plain_relu_xavier_halves_per_layer() {
    let lq = mean_log_q(&plain(InitKind::XavierNormal), |_| {});
    let per_layer = ((lq[20] - lq[1]) / 19.0).exp();
    assert!((per_layer.ln() - 0.5f64.ln()).abs() < tol(19) / 19.0, "factor per layer {per_layer}, theory 0.5");
}

fn residual(init: InitKind) -> ModelConfig {
    ModelConfig { kind: NetKind::Residual, depth: 20, width: W, init, branch_layers: 2, branch_scale: BranchScale::One, ..Default::default() }
}

/// Yang & Schoenholz 2017 (variances of the two paths add): for h + W2 relu(W1 h) the stream
/// grows by 1 + s1^2 s2^2 / 2 per block. He then He: x3.
#[test]
fn residual_he_he_grows_threefold_per_block() {
    let lq = mean_log_q(&residual(InitKind::HeNormal), |_| {});
    let per_block = ((lq[20] - lq[1]) / 19.0).exp();
    assert!((per_block.ln() - 3f64.ln()).abs() < tol(19) / 19.0, "factor per block {per_block}, theory 3");
}

/// Same with the second branch layer LeCun-initialized (s2^2 = 1): x2 per block.
#[test]
fn residual_he_lecun_grows_twofold_per_block() {
    let lq = mean_log_q(&residual(InitKind::HeNormal), |net| {
        // Turn every fc2 from He (2/fan_in) into LeCun (1/fan_in).
        for info in net.infos.clone().iter().filter(|i| i.name.ends_with("fc2.weight")) {
            info.span.of_mut(&mut net.params).iter_mut().for_each(|w| *w /= 2f32.sqrt());
        }
    });
    let per_block = ((lq[20] - lq[1]) / 19.0).exp();
    assert!((per_block.ln() - 2f64.ln()).abs() < tol(19) / 19.0, "factor per block {per_block}, theory 2");
}

/// De & Smith 2020 (Batch normalization biases residual blocks towards the identity): with BN
/// first in the branch, each block adds the branch's output variance v to the stream, whatever
/// the stream's scale: q_l = q_0 + l v. Here v = s2^2 E[relu(z)^2] with z ~ N(0, s1^2) = 2,
/// and q_0 = 2 (He stem on unit-variance inputs): q_l = 2 + 2 l, linear not geometric.
#[test]
fn residual_batchnorm_pre_grows_linearly() {
    let m = ModelConfig { norm: NormKind::Batch, norm_position: NormPosition::Pre, ..residual(InitKind::HeNormal) };
    let lq = mean_log_q(&m, |_| {});
    for l in [5, 10, 15, 20] {
        let q = lq[l].exp();
        let theory = 2.0 + 2.0 * l as f64;
        assert!((q / theory).ln().abs() < 0.1, "q_{l} = {q}, theory {theory}");
    }
}

/// ReZero (Bachlechner et al. 2020; alpha = 0) and Fixup (Zhang et al. 2019; last branch layer
/// 0) make every block the identity at init: the stream is exactly flat.
#[test]
fn rezero_and_fixup_are_exactly_flat() {
    for init in [InitKind::Rezero, InitKind::Fixup] {
        let lq = mean_log_q(&residual(init), |_| {});
        for l in 1..=20 {
            assert_eq!(lq[l], lq[0], "{init:?} layer {l}");
        }
    }
}
