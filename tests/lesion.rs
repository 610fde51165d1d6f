//! Lesions and paths (src/lesion.rs), in f64: a deleted block equals a block whose branch is
//! exactly zero; the path gradients of all 2^L branch patterns sum to the full dL/dh_0 (the
//! unrolled-paths identity of Veit et al. 2016), which tests/gradcheck.rs checks against finite
//! differences.

use residual_lab::config::*;
use residual_lab::lesion::{evaluate_without, forward_without, path_gradient};
use residual_lab::loss::softmax_cross_entropy;
use residual_lab::net::Network;
use residual_lab::norm::Mode;
use residual_lab::rng::Rng;
use residual_lab::trainer::Trainer;

const B: usize = 5;
const D_IN: usize = 3;
const D_OUT: usize = 3;

fn net(m: &ModelConfig, seed: u64) -> (Network<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut net = Network::<f64>::new(m, D_IN, D_OUT, B, &mut rng);
    for p in net.params.iter_mut() {
        *p += 0.2 * rng.normal();
    }
    let x = (0..B * D_IN).map(|_| rng.normal()).collect();
    (net, x)
}

fn residual(depth: usize, branch_layers: usize) -> ModelConfig {
    ModelConfig { kind: NetKind::Residual, depth, width: 6, branch_layers, branch_scale: BranchScale::InvSqrtDepth, ..Default::default() }
}

#[test]
fn deleting_nothing_is_the_full_forward_pass() {
    for m in [residual(4, 2), ModelConfig { kind: NetKind::Plain, depth: 4, width: 6, norm: NormKind::Batch, ..Default::default() }] {
        let (mut net, x) = net(&m, 1);
        let full = net.forward(&x, B, Mode::Eval, 0.1).to_vec();
        let lesioned = forward_without(&mut net, &x, B, Mode::Eval, &[false; 4]).unwrap().to_vec();
        assert_eq!(full, lesioned);
    }
}

#[test]
fn deleting_a_block_equals_zeroing_its_branch() {
    // A residual block whose last branch layer is exactly zero adds nothing: h_l = h_{l-1}.
    for branch_layers in [1, 2] {
        for k in 0..4 {
            let m = residual(4, branch_layers);
            let (mut net, x) = net(&m, 2);
            let lesioned = forward_without(&mut net, &x, B, Mode::Eval, &[k == 0, k == 1, k == 2, k == 3]).unwrap().to_vec();
            let last = if branch_layers == 2 { "fc2" } else { "fc1" };
            for suffix in ["weight", "bias"] {
                let name = format!("blocks.{k}.{last}.{suffix}");
                let span = net.infos.iter().find(|i| i.name == name).unwrap().span;
                span.of_mut(&mut net.params).fill(0.0);
            }
            let zeroed = net.forward(&x, B, Mode::Eval, 0.1).to_vec();
            for (a, b) in lesioned.iter().zip(&zeroed) {
                assert!((a - b).abs() <= 1e-14 * (1.0 + b.abs()), "block {k}, {branch_layers} layers: {a} vs {b}");
            }
        }
    }
}

#[test]
fn deleting_every_block_leaves_stem_and_head() {
    // Plain net with every layer deleted: the head sees the stem's output directly.
    let m = ModelConfig { kind: NetKind::Plain, depth: 3, width: 6, ..Default::default() };
    let (mut net, x) = net(&m, 3);
    let out = forward_without(&mut net, &x, B, Mode::Eval, &[true; 3]).unwrap().to_vec();
    let h0 = net.stream(0, B).to_vec();
    let w = net.infos.iter().find(|i| i.name == "head.weight").unwrap().span.of(&net.params).to_vec();
    let b = net.infos.iter().find(|i| i.name == "head.bias").unwrap().span.of(&net.params).to_vec();
    for s in 0..B {
        for o in 0..D_OUT {
            let y: f64 = (0..6).map(|u| w[o * 6 + u] * h0[s + u * B]).sum::<f64>() + b[o];
            assert!((out[s + o * B] - y).abs() < 1e-12, "{} vs {y}", out[s + o * B]);
        }
    }
    assert!(forward_without(&mut net, &x, B, Mode::Eval, &[true; 2]).unwrap_err().to_string().starts_with("removed:"));
}

/// dL/dh_0 of the full backward pass.
fn full_d_h0(net: &mut Network<f64>, x: &[f64], d_logits: &[f64]) -> Vec<f64> {
    let mut d0 = Vec::new();
    net.backward(x, d_logits, B, |l, d| if l == 0 { d0 = d.to_vec() }, None);
    d0
}

#[test]
fn path_gradients_of_all_patterns_sum_to_the_full_gradient() {
    let labels: Vec<u32> = (0..B as u32).map(|b| b % 3).collect();
    let cases = [
        residual(4, 2),
        residual(4, 1),
        ModelConfig { norm: NormKind::Layer, norm_position: NormPosition::Pre, ..residual(3, 2) },
        ModelConfig { branch_scale: BranchScale::Learnable, activation: ActivationKind::Tanh, ..residual(3, 1) },
        ModelConfig { init: InitKind::Fixup, ..residual(3, 2) },
    ];
    for m in cases {
        let (mut net, x) = net(&m, 4);
        let depth = m.depth;
        let out = net.forward(&x, B, Mode::Probe, 0.1).to_vec();
        let mut d_logits = vec![0.0; B * D_OUT];
        softmax_cross_entropy(&out, &labels, D_OUT, B, &mut d_logits);
        let full = full_d_h0(&mut net, &x, &d_logits);
        net.forward(&x, B, Mode::Probe, 0.1);
        let grads = net.grads.clone();
        let mut sum = vec![0.0; B * 6];
        let mut d = vec![0.0; B * 6];
        for pattern in 0..1u32 << depth {
            let mask: Vec<bool> = (0..depth).map(|l| pattern >> l & 1 == 1).collect();
            path_gradient(&mut net, &d_logits, B, &mask, &mut d).unwrap();
            for (s, v) in sum.iter_mut().zip(&d) {
                *s += v;
            }
            if pattern == 0 {
                // the all-skip path: dL/dh_0 = dL/dh_L
                let mut top = Vec::new();
                net.backward(&x, &d_logits, B, |l, g| if l == depth { top = g.to_vec() }, None);
                net.forward(&x, B, Mode::Probe, 0.1);
                assert_eq!(d, top, "{m:?}: the path through every skip");
            }
        }
        for (a, b) in sum.iter().zip(&full) {
            assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{m:?}: sum over paths {a} vs dL/dh_0 {b}");
        }
        assert_ne!(full, vec![0.0; B * 6]);
        net.grads = grads.clone();
        path_gradient(&mut net, &d_logits, B, &vec![true; depth], &mut d).unwrap();
        assert_eq!(net.grads, grads, "parameter gradients left as they were");
    }
}

#[test]
fn path_gradients_need_residual_blocks_without_post_norm() {
    let d_logits = vec![0.0; B * D_OUT];
    let mut d = vec![0.0; B * 6];
    for m in [
        ModelConfig { kind: NetKind::Plain, depth: 2, width: 6, ..Default::default() },
        ModelConfig { norm: NormKind::Layer, norm_position: NormPosition::Post, ..residual(2, 2) },
    ] {
        let (mut net, _) = net(&m, 5);
        assert!(path_gradient(&mut net, &d_logits, B, &[true, false], &mut d).unwrap_err().to_string().starts_with("model:"));
    }
    let (mut net, _) = net(&residual(2, 2), 5);
    assert!(path_gradient(&mut net, &d_logits, B, &[true], &mut d).unwrap_err().to_string().starts_with("through_branch:"));
}

#[test]
fn evaluate_without_nothing_is_evaluate() {
    let cfg = Config { model: ModelConfig { kind: NetKind::Plain, depth: 4, norm: NormKind::Batch, ..Default::default() }, ..Config::default() };
    let mut t = Trainer::new(cfg).unwrap();
    t.train(20);
    let e = t.evaluate();
    assert_eq!(evaluate_without(&mut t, &[false; 4]).unwrap(), e);
    let lesioned = evaluate_without(&mut t, &[false, true, false, false]).unwrap();
    assert_ne!(lesioned.train.loss, e.train.loss);
    assert_eq!((lesioned.train.n, lesioned.test.n), (e.train.n, e.test.n));
}
