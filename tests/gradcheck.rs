//! Gradient check: every backward pass against central finite differences, in f64.
//!
//! For each architecture variant the loss is L(theta) on a fixed random batch; the analytic
//! gradient (backward) of every parameter and of the input is compared with
//! (L(theta + h e_i) - L(theta - h e_i)) / 2h, h = 1e-6. In f64 the truncation error is
//! O(h^2) ~ 1e-12 and the rounding error ~ 1e-16 / h = 1e-10, so a relative tolerance of
//! 1e-5 leaves three orders of margin while any wrong term in a derivative (typically O(1)
//! relative) fails. Parameters are perturbed away from their init (so zero-initialized Fixup
//! layers and ReZero's alpha = 0 do not hide a branch's gradients) and inputs avoid ReLU kinks
//! with probability ~1.

use residual_lab::config::*;
use residual_lab::loss::{mean_squared_error, softmax_cross_entropy};
use residual_lab::net::Network;
use residual_lab::norm::Mode;
use residual_lab::rng::Rng;

const B: usize = 6;
const D_IN: usize = 3;
const D_OUT: usize = 3;
const H: f64 = 1e-6;

struct Problem {
    x: Vec<f64>,
    labels: Vec<u32>,
    targets: Vec<f64>,
    classification: bool,
}

fn loss(net: &mut Network<f64>, p: &Problem, x: &[f64], grad: Option<&mut [f64]>) -> f64 {
    let mut d = vec![0.0; B * D_OUT];
    let out = net.forward(x, B, Mode::Probe, 0.1).to_vec();
    let l = if p.classification {
        softmax_cross_entropy(&out, &p.labels, D_OUT, B, &mut d).0
    } else {
        mean_squared_error(&out, &p.targets, B, D_OUT, &mut d)
    };
    if let Some(g) = grad {
        net.backward(x, &d, B, |_, _| {}, Some(g));
    }
    l
}

fn check(m: ModelConfig, classification: bool) {
    let label = format!("{m:?} classification={classification}");
    let mut rng = Rng::new(11);
    let mut net = Network::<f64>::new(&m, D_IN, D_OUT, B, &mut rng);
    for v in net.params.iter_mut() {
        *v += 0.2 * rng.normal();
    }
    let p = Problem {
        x: (0..B * D_IN).map(|_| rng.normal()).collect(),
        labels: (0..B).map(|b| (b % D_OUT) as u32).collect(),
        targets: (0..B * D_OUT).map(|_| rng.normal()).collect(),
        classification,
    };
    let mut dx = vec![0.0; B * D_IN];
    let x = p.x.clone();
    loss(&mut net, &p, &x, Some(&mut dx));
    let grads = net.grads.clone();
    let close = |a: f64, n: f64| (a - n).abs() <= 1e-5 * (a.abs() + n.abs()) + 1e-8;

    for info in net.infos.clone() {
        for i in info.span.offset..info.span.offset + info.span.len {
            let orig = net.params[i];
            net.params[i] = orig + H;
            let lp = loss(&mut net, &p, &x, None);
            net.params[i] = orig - H;
            let lm = loss(&mut net, &p, &x, None);
            net.params[i] = orig;
            let numeric = (lp - lm) / (2.0 * H);
            assert!(close(grads[i], numeric), "{label}\n  d/d{}[{}]: backward {} vs finite difference {numeric}", info.name, i - info.span.offset, grads[i]);
        }
    }
    for i in 0..x.len() {
        let mut xp = x.clone();
        xp[i] += H;
        let lp = loss(&mut net, &p, &xp, None);
        xp[i] -= 2.0 * H;
        let lm = loss(&mut net, &p, &xp, None);
        let numeric = (lp - lm) / (2.0 * H);
        assert!(close(dx[i], numeric), "{label}\n  d/dx[{i}]: backward {} vs finite difference {numeric}", dx[i]);
    }
}

const ACTS: [ActivationKind; 6] = [
    ActivationKind::Relu,
    ActivationKind::LeakyRelu,
    ActivationKind::Tanh,
    ActivationKind::Linear,
    ActivationKind::Gelu,
    ActivationKind::Sigmoid,
];
const NORMS: [NormKind; 4] = [NormKind::None, NormKind::Batch, NormKind::Layer, NormKind::Rms];

fn base() -> ModelConfig {
    ModelConfig { depth: 3, width: 5, leaky_slope: 0.1, branch_scale: BranchScale::One, ..Default::default() }
}

#[test]
fn plain_every_activation_and_norm() {
    for act in ACTS {
        for norm in NORMS {
            check(ModelConfig { kind: NetKind::Plain, activation: act, norm, ..base() }, true);
        }
    }
}

#[test]
fn residual_every_activation_norm_position_and_branch() {
    for act in ACTS {
        for norm in NORMS {
            for pos in [NormPosition::Pre, NormPosition::Post] {
                if norm == NormKind::None && pos == NormPosition::Post {
                    continue;
                }
                for branch_layers in [1, 2] {
                    check(ModelConfig { kind: NetKind::Residual, activation: act, norm, norm_position: pos, branch_layers, ..base() }, true);
                }
            }
        }
    }
}

#[test]
fn both_losses() {
    for kind in [NetKind::Plain, NetKind::Residual] {
        check(ModelConfig { kind, activation: ActivationKind::Tanh, ..base() }, false);
        check(ModelConfig { kind, activation: ActivationKind::Gelu, ..base() }, true);
    }
}

#[test]
fn learnable_scalars_rezero_fixup_and_options() {
    for branch_layers in [1, 2] {
        check(ModelConfig { init: InitKind::Rezero, branch_layers, ..base() }, true);
        check(ModelConfig { init: InitKind::Fixup, branch_layers, ..base() }, true);
        check(ModelConfig { init: InitKind::Fixup, branch_layers, activation: ActivationKind::Tanh, ..base() }, false);
        check(ModelConfig { branch_scale: BranchScale::Learnable, branch_layers, ..base() }, true);
        check(ModelConfig { branch_scale: BranchScale::InvSqrtDepth, branch_layers, ..base() }, true);
    }
    for norm in NORMS {
        check(ModelConfig { final_norm: true, norm, stem_activation: true, ..base() }, true);
        check(ModelConfig { kind: NetKind::Plain, final_norm: true, norm, stem_activation: true, activation: ActivationKind::Tanh, ..base() }, false);
    }
}

#[test]
fn every_init() {
    for init in [
        InitKind::XavierUniform,
        InitKind::XavierNormal,
        InitKind::HeNormal,
        InitKind::HeUniform,
        InitKind::LecunNormal,
        InitKind::Orthogonal,
        InitKind::Custom,
    ] {
        for kind in [NetKind::Plain, NetKind::Residual] {
            check(ModelConfig { kind, init, sigma_b2: 0.05, activation: ActivationKind::Tanh, ..base() }, true);
        }
    }
}
