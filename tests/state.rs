//! Determinism, serialization, divergence and the weights API.

use residual_lab::config::*;
use residual_lab::Trainer;

fn small(kind: NetKind, norm: NormKind) -> Config {
    let mut c = Config::default();
    c.model.kind = kind;
    c.model.depth = 6;
    c.model.width = 16;
    c.model.norm = norm;
    c.batch_size = 32;
    c.data.n = 200; // 160 train points: an epoch is 5 steps, so reshuffling is exercised
    c
}

/// A plain linear net with s_w^2 = 100: q grows 100x per layer and overflows f32 in the first
/// forward pass.
fn exploding() -> Config {
    let mut c = small(NetKind::Plain, NormKind::None);
    c.model.depth = 40;
    c.model.activation = ActivationKind::Linear;
    c.model.init = InitKind::Custom;
    c.model.sigma_w2 = 100.0;
    c
}

/// SGD with lr 10: the weights blow up within a few steps.
fn lr_blowup() -> Config {
    let mut c = small(NetKind::Plain, NormKind::None);
    c.optimizer.kind = OptimizerKind::Sgd;
    c.optimizer.lr = 10.0;
    c.model.init = InitKind::Custom;
    c.model.sigma_w2 = 6.0;
    c
}

#[test]
fn same_config_same_reports() {
    for (kind, norm) in [(NetKind::Plain, NormKind::Batch), (NetKind::Residual, NormKind::Layer), (NetKind::Residual, NormKind::None)] {
        let mut a = Trainer::new(small(kind, norm)).unwrap();
        let mut b = Trainer::new(small(kind, norm)).unwrap();
        for _ in 0..30 {
            assert_eq!(a.step(), b.step());
        }
        assert_eq!(a.evaluate(), b.evaluate());
    }
}

#[test]
fn different_seeds_differ() {
    let mut c = small(NetKind::Residual, NormKind::None);
    let mut a = Trainer::new(c.clone()).unwrap();
    c.seed = 7;
    let mut b = Trainer::new(c).unwrap();
    assert_ne!(a.step().loss, b.step().loss);
}

/// A trainer restored from JSON mid-run continues bit for bit (BatchNorm running statistics,
/// Adam moments, the RNG and the epoch order included).
#[test]
fn restore_mid_run_continues_identically() {
    for opt in [OptimizerKind::Adam, OptimizerKind::Momentum, OptimizerKind::Sgd, OptimizerKind::Adamw] {
        let mut c = small(NetKind::Residual, NormKind::Batch);
        c.optimizer.kind = opt;
        c.optimizer.weight_decay = 0.01;
        let mut a = Trainer::new(c).unwrap();
        a.train(13);
        let json = a.to_json().unwrap();
        let mut b = Trainer::from_json(&json).unwrap();
        let again = b.to_json().unwrap();
        let first_diff = again.bytes().zip(json.bytes()).position(|(x, y)| x != y);
        assert!(again == json, "{opt:?}: save of a restored trainer differs at byte {first_diff:?}: {:?}", first_diff.map(|i| &json[i.saturating_sub(60)..(i + 20).min(json.len())]));
        for _ in 0..20 {
            assert_eq!(a.step(), b.step(), "{opt:?}");
        }
        assert_eq!(a.evaluate(), b.evaluate());
    }
}

#[test]
fn corrupted_state_is_rejected_with_a_message() {
    let mut a = Trainer::new(small(NetKind::Residual, NormKind::None)).unwrap();
    a.train(3);
    let json = a.to_json().unwrap();
    for cut in [0, 1, 10, json.len() / 2, json.len() - 1] {
        let e = Trainer::from_json(&json[..cut]).err().expect("truncated state must fail");
        assert!(!e.to_string().is_empty());
    }
    let bad = json.replacen("\"cursor\":", "\"cursor\":99999", 1);
    assert!(Trainer::from_json(&bad).is_err());
    let bad = json.replacen("\"depth\":6", "\"depth\":7", 1);
    assert!(Trainer::from_json(&bad).err().unwrap().to_string().contains("params"));
}

/// An exploding config (plain linear net, s_w^2 = 100: q grows 100x per layer) overflows f32
/// in the forward pass at the first step; the report names the step and the layer, and the
/// trainer stays halted with its parameters untouched.
#[test]
fn explosion_is_reported_with_step_and_layer() {
    let mut t = Trainer::new(exploding()).unwrap();
    let before = t.net.params.clone();
    let d = t.step().diverged.clone().expect("must diverge");
    assert_eq!((d.step, d.what.as_str()), (1, "activation"));
    // q_0 ~ 100 and x100 per layer: |h| overflows f32 (3.4e38) when q passes ~1e77, near layer 38.
    assert!((34..=40).contains(&d.layer), "layer {}", d.layer);
    assert!(t.report().layers.nonfinite[d.layer] > 0.0);
    assert_eq!(t.step().diverged, Some(d));
    assert_eq!(t.net.params, before);
    assert_eq!(t.step_count(), 0);
    assert!(t.to_json().is_ok(), "a halted run with finite weights can still be saved");
}

/// A learning rate far too large for SGD blows the weights up within a few steps.
#[test]
fn learning_rate_blowup_is_reported() {
    let mut t = Trainer::new(lr_blowup()).unwrap();
    let r = t.train(200).clone();
    let d = r.diverged.expect("must diverge");
    assert!(d.step >= 1 && d.step <= 200);
    assert!(["activation", "loss", "gradient", "parameter"].contains(&d.what.as_str()));
    assert!(t.halted().is_some());
}

/// `train(n)` skips the per-layer statistics of all but its last step; it must still end
/// exactly where n calls of `step()` end: the same report, parameters and optimizer state,
/// and on a diverging run the same divergence (step, layer, what) and halted parameters.
#[test]
fn train_n_equals_n_single_steps() {
    let mut cases = vec![small(NetKind::Plain, NormKind::Batch), small(NetKind::Residual, NormKind::Layer), small(NetKind::Residual, NormKind::None), exploding(), lr_blowup()];
    let mut clipped = small(NetKind::Residual, NormKind::None);
    clipped.optimizer.clip_norm = 0.5;
    cases.push(clipped);
    // stepping on through the NaNs: the steps after the first divergence are not re-measured
    let mut stepping = lr_blowup();
    stepping.stop_on_divergence = false;
    cases.push(stepping);
    for c in cases {
        let stepping_on = !c.stop_on_divergence;
        let mut a = Trainer::new(c.clone()).unwrap();
        let mut b = Trainer::new(c).unwrap();
        let ra = format!("{:?}", a.train(37));
        for _ in 0..37 {
            b.step();
        }
        assert_eq!(ra, format!("{:?}", b.report()), "reports differ");
        assert_eq!(a.net.params.len(), b.net.params.len());
        assert!(a.net.params.iter().zip(&b.net.params).all(|(x, y)| x.to_bits() == y.to_bits()), "parameters differ");
        assert_eq!(a.optimizer, b.optimizer);
        assert_eq!(format!("{:?}", a.halted()), format!("{:?}", b.halted()));
        if stepping_on {
            let first = a.report().diverged.clone().expect("the stepping case must diverge");
            assert!(first.step < 30, "diverges early enough to step on through NaNs ({first:?})");
        }
    }
}

/// `stop_on_divergence: false` (for benchmarks) keeps stepping through the NaNs: the step
/// count goes on, every report names the first divergence, and the updates keep changing the
/// (non-finite) parameters.
#[test]
fn stepping_through_a_divergence_when_asked() {
    let mut c = lr_blowup();
    let mut halting = Trainer::new(c.clone()).unwrap();
    let first = halting.train(200).diverged.clone().expect("must diverge");
    c.stop_on_divergence = false;
    let mut t = Trainer::new(c).unwrap();
    for _ in 0..first.step + 10 {
        t.step();
    }
    assert!(t.halted().is_none());
    assert_eq!(t.step_count(), first.step + 10, "every call is a step");
    assert_eq!(t.report().diverged, Some(first), "the report names the first divergence");
    assert!(t.net.params.iter().any(|v| !v.is_finite()));
    assert!(t.to_json().is_err(), "non-finite weights cannot be saved");
}

#[test]
fn weights_round_trip_and_validation() {
    let mut t = Trainer::new(small(NetKind::Residual, NormKind::Rms)).unwrap();
    t.train(5);
    let named: Vec<(String, Vec<f32>)> = t.weights().into_iter().map(|(n, _, v)| (n, v.to_vec())).collect();
    let x = [0.1f32, -0.2, 0.5, 0.3];
    let p1 = t.predict(&x).unwrap();
    let mut u = Trainer::new(small(NetKind::Residual, NormKind::Rms)).unwrap();
    u.set_weights(&named).unwrap();
    assert_eq!(u.predict(&x).unwrap(), p1);
    // PyTorch layout: stem.weight is [out = width][in = 2].
    assert_eq!(t.weights()[0].1, vec![16, 2]);

    let mut missing = named.clone();
    missing.pop();
    assert!(u.set_weights(&missing).unwrap_err().to_string().contains("missing"));
    let mut extra = named.clone();
    extra.push(("blocks.99.fc1.weight".into(), vec![0.0]));
    assert!(u.set_weights(&extra).unwrap_err().to_string().starts_with("blocks.99.fc1.weight"));
    let mut short = named.clone();
    short[0].1.pop();
    assert!(u.set_weights(&short).unwrap_err().to_string().starts_with("stem.weight"));
    let mut nan = named;
    nan[1].1[0] = f32::NAN;
    assert!(u.set_weights(&nan).is_err());
    assert_eq!(u.predict(&x).unwrap(), p1, "a rejected set_weights changes nothing");
}

#[test]
fn custom_data_and_regression() {
    let mut t = Trainer::new(small(NetKind::Residual, NormKind::None)).unwrap();
    // XOR-like 3-D data with 3 classes.
    let n = 90;
    let x: Vec<f32> = (0..n * 3).map(|i| ((i * 37 % 17) as f32 / 8.0) - 1.0).collect();
    let y: Vec<f32> = (0..n).map(|i| (i % 3) as f32).collect();
    t.set_data(x.clone(), y, 3).unwrap();
    assert_eq!((t.data.d_in, t.data.d_out), (3, 3));
    assert_eq!(t.predict(&x[..6]).unwrap().len(), 6);
    let r = t.step();
    assert!(r.loss.is_finite());
    assert!(t.set_data(x.clone(), vec![0.5; n], 3).unwrap_err().to_string().starts_with("y"));
    assert!(t.set_data(x[..5].to_vec(), vec![0.0; 2], 3).unwrap_err().to_string().starts_with("x"));

    let mut c = small(NetKind::Residual, NormKind::None);
    c.data.name = DatasetName::Regression;
    c.data.n = 256;
    c.optimizer.lr = 0.01;
    let mut t = Trainer::new(c).unwrap();
    let first = t.step().loss;
    t.train(1500);
    let e = t.evaluate();
    assert!(e.train.accuracy.is_none());
    assert!(e.train.loss < first / 5.0, "regression loss {} from {first}", e.train.loss);
}

#[test]
fn reset_reproduces_and_set_lr_keeps_state() {
    let mut t = Trainer::new(small(NetKind::Residual, NormKind::None)).unwrap();
    let l1 = t.step().loss;
    t.train(4);
    t.set_lr(0.0001).unwrap();
    assert_eq!(t.step_count(), 5);
    assert!(t.set_lr(f64::NAN).is_err());
    t.reset(None).unwrap();
    assert_eq!(t.step_count(), 0);
    assert_eq!(t.step().loss, l1);
    t.reset(Some(5)).unwrap();
    assert_ne!(t.step().loss, l1);
}

#[test]
fn probe_changes_nothing() {
    let mut t = Trainer::new(small(NetKind::Plain, NormKind::Batch)).unwrap();
    t.train(3);
    let json = t.to_json().unwrap();
    let r = t.probe().clone();
    assert_eq!(r.layers.act_var.len(), 7);
    assert!(r.layers.grad_rms.iter().all(|g| g.is_finite() && *g > 0.0));
    assert_eq!(t.to_json().unwrap(), json);
}
