//! The shipped digits (data/digits/digits.bin) against the numbers scikit-learn gives for
//! `load_digits()` (printed by data/digits/make_digits.py, scikit-learn 1.9.1), the fixed
//! split and the input scaling, and the training result the README states: a residual net
//! reaches at least 95% test accuracy in a stated number of steps.

use residual_lab::config::{Config, DatasetName, LossKind, NetKind, NormKind, NormPosition, OptimizerKind};
use residual_lab::digits::{dataset, raw, split_order, DIGITS_N, DIGITS_PIXELS};
use residual_lab::Trainer;

#[test]
fn the_file_decodes_to_scikit_learns_digits() {
    let (pixels, labels) = raw();
    assert_eq!((pixels.len(), labels.len()), (DIGITS_N * DIGITS_PIXELS, DIGITS_N));
    // make_digits.py: np.bincount(y)
    let mut counts = [0usize; 10];
    for &l in &labels {
        counts[l as usize] += 1;
    }
    assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    // make_digits.py: x.sum(), (x * x).sum(), x.max()
    assert_eq!(pixels.iter().map(|&p| p as u64).sum::<u64>(), 561_718);
    assert_eq!(pixels.iter().map(|&p| (p as u64).pow(2)).sum::<u64>(), 6_907_012);
    assert_eq!(*pixels.iter().max().unwrap(), 16);
    // make_digits.py: x[0] (a zero), the last image's sum (an eight)
    let first: [u8; 64] = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0, 0, 3, 15, 2, 0, 11, 8, 0, 0, 4, 12, 0, 0, 8, 8, 0, 0, 5, 8, 0, 0, 9, 8, 0, 0, 4, 11, 0, 1, 12, 7, 0, 0, 2, 14, 5, 10, 12, 0, 0, 0, 0, 6, 13, 10, 0, 0, 0];
    assert_eq!(&pixels[..64], &first[..]);
    assert_eq!(labels[0], 0);
    assert_eq!(pixels[(DIGITS_N - 1) * 64..].iter().map(|&p| p as u32).sum::<u32>(), 392);
    assert_eq!(labels[DIGITS_N - 1], 8);
    // make_digits.py: per-class pixel sums (a label shifted by one image would change them)
    let mut per_class = [0u64; 10];
    for (i, &l) in labels.iter().enumerate() {
        per_class[l as usize] += pixels[i * 64..(i + 1) * 64].iter().map(|&p| p as u64).sum::<u64>();
    }
    assert_eq!(per_class, [56415, 57007, 55566, 56151, 56239, 55915, 56336, 54289, 57408, 56392]);
}

#[test]
fn the_split_is_fixed_and_the_inputs_standardized_on_the_training_split() {
    let order = split_order();
    let mut seen = order.clone();
    seen.sort_unstable();
    assert_eq!(seen, (0..DIGITS_N).collect::<Vec<_>>(), "a permutation");
    let d = dataset(0.2);
    assert_eq!((d.n(), d.d_in, d.d_out, d.n_train), (1797, 64, 10, 1438));
    // Mean 0 and second moment 1 over every pixel of the training images (f32 rounding only).
    let train = &d.x[..d.n_train * 64];
    let mean = train.iter().map(|&v| v as f64).sum::<f64>() / train.len() as f64;
    let ms = train.iter().map(|&v| (v as f64).powi(2)).sum::<f64>() / train.len() as f64;
    assert!(mean.abs() < 1e-6 && (ms - 1.0).abs() < 1e-5, "mean {mean}, second moment {ms}");
    // Every pixel goes through one increasing affine map: the blank pixel is the lowest value,
    // 16 the highest, and row i of the data is image order[i] of the file.
    let (pixels, labels) = raw();
    let (lo, hi) = d.x.iter().fold((f32::MAX, f32::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    for (row, &i) in order.iter().enumerate().step_by(97) {
        assert_eq!(d.y[row], labels[i] as f32);
        for p in 0..64 {
            let v = d.x[row * 64 + p];
            let expect = lo + (hi - lo) * pixels[i * 64 + p] as f32 / 16.0;
            assert!((v - expect).abs() < 1e-5, "row {row} pixel {p}: {v} vs {expect}");
        }
    }
    // Every class is in both splits.
    for k in 0..10 {
        assert!(d.y[..d.n_train].contains(&(k as f32)) && d.y[d.n_train..].contains(&(k as f32)), "class {k}");
    }
}

#[test]
fn digits_by_name_ignore_the_seed_for_the_split_and_report_their_size() {
    let cfg = |seed| Config::from_json(&format!(r#"{{"data":{{"name":"digits"}},"seed":{seed}}}"#)).unwrap();
    let a = Trainer::new(cfg(1)).unwrap();
    let b = Trainer::new(cfg(2)).unwrap();
    assert_eq!(a.data, b.data, "the same images and split for every seed");
    assert_eq!((a.config.data.n, a.config.data.classes), (1797, 10), "the config says what the data is");
    assert_ne!(a.net.params, b.net.params, "the seed still sets the init");
    // A saved run restores with its data.
    let back = Trainer::from_json(&a.to_json().unwrap()).unwrap();
    assert_eq!(back.data, a.data);
    // Digits have class labels: mse is refused, naming the field.
    let msg = Config::from_json(r#"{"data":{"name":"digits"},"loss":"mse"}"#).unwrap_err().to_string();
    assert!(msg.starts_with("loss: ") && msg.contains("digits"), "{msg}");
}

/// The README's digits number: this net reaches >= 95% test accuracy after DIGITS_STEPS steps
/// (batches of 64: about 9 epochs of the 1,438 training images), for each of these seeds.
const DIGITS_STEPS: usize = 200;
const SEEDS: [u32; 4] = [42, 1, 2, 3];

/// 8 residual blocks x 64, pre-LayerNorm, Adam at the default lr 0.003, batch 64.
fn digits_config(seed: u32) -> Config {
    let mut c = Config::default();
    c.data.name = DatasetName::Digits;
    c.model.kind = NetKind::Residual;
    c.model.depth = 8;
    c.model.width = 64;
    c.model.norm = NormKind::Layer;
    c.model.norm_position = NormPosition::Pre;
    c.optimizer.kind = OptimizerKind::Adam;
    c.optimizer.lr = 0.003;
    c.batch_size = 64;
    c.loss = LossKind::Auto;
    c.seed = seed;
    c
}

#[test]
fn a_residual_net_reaches_95_percent_on_the_test_split() {
    for seed in SEEDS {
        let mut t = Trainer::new(digits_config(seed)).unwrap();
        let before = t.evaluate();
        // At init the net is near chance: about 1 in 10 right.
        assert!(before.test.accuracy.unwrap() < 0.3, "seed {seed}: {before:?}");
        let start = std::time::Instant::now();
        t.train(DIGITS_STEPS);
        let ms = start.elapsed().as_secs_f64() * 1e3 / DIGITS_STEPS as f64;
        let after = t.evaluate();
        let acc = after.test.accuracy.unwrap();
        println!(
            "digits, seed {seed}: {DIGITS_STEPS} steps, test accuracy {acc:.4} ({} of {}), train {:.4}, test loss {:.4}, {ms:.3} ms/step",
            (acc * after.test.n as f64).round(),
            after.test.n,
            after.train.accuracy.unwrap(),
            after.test.loss
        );
        assert!(t.halted().is_none());
        assert_eq!(after.test.n, 359);
        assert!(acc >= 0.95, "seed {seed}: test accuracy {acc} after {DIGITS_STEPS} steps");
    }
}
