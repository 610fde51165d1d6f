//! The stream Jacobian J = dh_L/dh_0 and its singular values.

use nalgebra::DMatrix;
use residual_lab::config::*;
use residual_lab::jacobian::{stream_jacobian, Spectrum};
use residual_lab::net::Network;
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
