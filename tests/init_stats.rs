//! Init statistics: the empirical weight variance of each scheme against its formula, and
//! orthogonal init giving W^T W = g^2 I.

use residual_lab::config::*;
use residual_lab::net::Network;
use residual_lab::params::Role;
use residual_lab::rng::Rng;

const W: usize = 128;

fn block_weights(init: InitKind, kind: NetKind, m: &ModelConfig) -> Vec<Vec<f32>> {
    let m = ModelConfig { init, kind, width: W, depth: 4, ..m.clone() };
    let net = Network::<f32>::new(&m, W, 2, 8, &mut Rng::new(3));
    net.infos.iter().filter(|i| i.role == Role::Weight && i.name.starts_with("blocks")).map(|i| i.span.of(&net.params).to_vec()).collect()
}

fn variance(ws: &[Vec<f32>]) -> f64 {
    let all: Vec<f64> = ws.iter().flatten().map(|&v| v as f64).collect();
    let n = all.len() as f64;
    let mean = all.iter().sum::<f64>() / n;
    all.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n
}

/// Each scheme's variance for a square W x W layer (fan_in = fan_out = W), within 3% (the
/// sample variance of 4 x 16384 draws has a relative standard error of about sqrt(2/65536) = 0.6%).
#[test]
fn weight_variance_matches_each_formula() {
    let m = ModelConfig { sigma_w2: 1.7, ..Default::default() };
    let n = W as f64;
    let cases = [
        (InitKind::XavierUniform, 2.0 / (n + n)), // Glorot & Bengio 2010: 2/(fan_in+fan_out)
        (InitKind::XavierNormal, 2.0 / (n + n)),
        (InitKind::HeNormal, 2.0 / n), // He et al. 2015: 2/fan_in
        (InitKind::HeUniform, 2.0 / n),
        (InitKind::LecunNormal, 1.0 / n), // LeCun et al. 1998: 1/fan_in
        (InitKind::Custom, 1.7 / n),      // sigma_w^2 / fan_in
        (InitKind::Orthogonal, 2.0 / n),  // gain^2 = 2 for ReLU, rows of norm 1: var = g^2/n
    ];
    for (init, expected) in cases {
        for kind in [NetKind::Plain, NetKind::Residual] {
            let v = variance(&block_weights(init, kind, &m));
            assert!((v / expected - 1.0).abs() < 0.03, "{init:?} {kind:?}: variance {v}, formula {expected}");
        }
    }
}

#[test]
fn fixup_zeroes_last_branch_layer_and_scales_the_rest() {
    let m = ModelConfig { depth: 16, width: W, init: InitKind::Fixup, ..Default::default() };
    let net = Network::<f32>::new(&m, W, 2, 8, &mut Rng::new(3));
    let weights = |suffix: &str| -> Vec<Vec<f32>> {
        net.infos.iter().filter(|i| i.name.ends_with(suffix)).map(|i| i.span.of(&net.params).to_vec()).collect()
    };
    assert!(weights("fc2.weight").iter().flatten().all(|&v| v == 0.0));
    assert!(weights("head.weight").iter().flatten().all(|&v| v == 0.0));
    // Zhang et al. 2019, Fixup rule 2: He variance scaled by L^(-2/(2m-2)) = 1/16 for L = 16, m = 2.
    let v = variance(&weights("fc1.weight"));
    let expected = 2.0 / W as f64 / 16.0;
    assert!((v / expected - 1.0).abs() < 0.03, "fixup fc1 variance {v} vs {expected}");
}

#[test]
fn orthogonal_gives_identity_gram() {
    for act in [ActivationKind::Linear, ActivationKind::Relu] {
        let g2 = if act == ActivationKind::Relu { 2.0 } else { 1.0 };
        let m = ModelConfig { init: InitKind::Orthogonal, activation: act, kind: NetKind::Plain, width: 16, depth: 2, ..Default::default() };
        let net = Network::<f64>::new(&m, 5, 3, 4, &mut Rng::new(9));
        for info in net.infos.iter().filter(|i| i.role == Role::Weight) {
            let (rows, cols) = (info.shape[0], info.shape[1]);
            let w = nalgebra::DMatrix::from_row_slice(rows, cols, info.span.of(&net.params));
            // W^T W = g^2 I when rows >= cols (orthonormal columns), W W^T = g^2 I otherwise.
            let gram = if rows >= cols { w.transpose() * &w } else { &w * w.transpose() };
            let eye = nalgebra::DMatrix::<f64>::identity(gram.nrows(), gram.ncols()) * g2;
            assert!((gram - eye).amax() < 1e-12, "{} ({rows}x{cols})", info.name);
        }
    }
}
