//! The degradation problem (He et al. 2016, "Deep Residual Learning for Image Recognition",
//! Fig. 1 and Fig. 4 left): plain nets *with* BatchNorm train to a higher training loss when
//! made deeper, so the deeper net is worse at optimization, not at generalization; the
//! residual versions of the same depths do not degrade. The lab's "degradation" preset shows
//! the plain pair (10 and 50 layers); this test trains them and their residual versions with
//! the page's defaults (spiral, 512 points, Adam 0.003, batch 64, width 32, He init).

use residual_lab::config::*;
use residual_lab::Trainer;

const DEPTHS: (usize, usize) = (10, 50);
const STEPS: usize = 600;
/// The training loss is averaged over the last few evaluations, so one noisy Adam step does not
/// decide a comparison.
const LAST: [usize; 3] = [400, 500, 600];

fn train_loss(kind: NetKind, depth: usize, seed: u32) -> f64 {
    let mut c = Config::default();
    c.model = ModelConfig { kind, depth, norm: NormKind::Batch, ..Default::default() };
    c.seed = seed;
    let mut t = Trainer::new(c).unwrap();
    let mut done = 0;
    let mut total = 0.0;
    for at in LAST {
        let r = t.train(at - done);
        assert!(r.diverged.is_none(), "{kind:?} {depth}: {:?}", r.diverged);
        done = at;
        total += t.evaluate().train.loss;
    }
    assert_eq!(done, STEPS);
    total / LAST.len() as f64
}

#[test]
fn deeper_plain_batchnorm_net_trains_worse_residual_does_not() {
    for seed in [42, 1, 2] {
        let (plain_shallow, plain_deep) = (train_loss(NetKind::Plain, DEPTHS.0, seed), train_loss(NetKind::Plain, DEPTHS.1, seed));
        let (res_shallow, res_deep) = (train_loss(NetKind::Residual, DEPTHS.0, seed), train_loss(NetKind::Residual, DEPTHS.1, seed));
        eprintln!(
            "seed {seed}, training loss at steps {LAST:?} (mean): plain+BN {} layers {plain_shallow:.3}, {} layers {plain_deep:.3}; residual+BN {res_shallow:.3}, {res_deep:.3}",
            DEPTHS.0, DEPTHS.1
        );
        assert!(plain_deep > 4.0 * plain_shallow, "seed {seed}: plain+BN {plain_deep} (deep) vs {plain_shallow}");
        assert!(res_deep < 2.0 * res_shallow, "seed {seed}: residual+BN {res_deep} (deep) vs {res_shallow}");
        assert!(res_deep < 0.25 * plain_deep, "seed {seed}: residual {res_deep} vs plain {plain_deep} at depth {}", DEPTHS.1);
    }
}
