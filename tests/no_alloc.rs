//! A training step allocates nothing once the trainer is built: a counting global allocator
//! watches `step()`, `probe()` and `train(n)` for every layer kind.

use residual_lab::config::*;
use residual_lab::Trainer;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;
static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f();
    COUNTING.store(false, Ordering::SeqCst);
    ALLOCATIONS.load(Ordering::SeqCst)
}

#[test]
fn steps_allocate_nothing() {
    let mut configs = Vec::new();
    for kind in [NetKind::Plain, NetKind::Residual] {
        for norm in [NormKind::None, NormKind::Batch, NormKind::Layer, NormKind::Rms] {
            for opt in [OptimizerKind::Sgd, OptimizerKind::Momentum, OptimizerKind::Adam, OptimizerKind::Adamw] {
                let mut c = Config::default();
                c.model.kind = kind;
                c.model.norm = norm;
                c.model.depth = 4;
                c.model.width = 16;
                c.model.final_norm = norm != NormKind::None;
                c.optimizer.kind = opt;
                c.optimizer.clip_norm = 1.0;
                c.batch_size = 48; // 410 training points: the last batch of an epoch wraps
                configs.push(c);
            }
        }
    }
    let mut fixup = Config::default();
    fixup.model.init = InitKind::Fixup;
    configs.push(fixup);
    // Stepping through NaNs (a benchmark setting): every step after the first reports the
    // divergence, which must not allocate either. He/He residual blocks at alpha 1 with a
    // large learning rate overflow within the warm-up step or the first few.
    let mut nan = Config::default();
    nan.model.kind = NetKind::Residual;
    nan.model.depth = 32;
    nan.model.init = InitKind::HeNormal;
    nan.model.branch_scale = BranchScale::One;
    nan.optimizer.kind = OptimizerKind::Sgd;
    nan.optimizer.lr = 1.0;
    nan.stop_on_divergence = false;
    configs.push(nan);
    for c in configs {
        let label = format!("{:?} {:?} {:?}", c.model.kind, c.model.norm, c.optimizer.kind);
        let mut t = Trainer::new(c).unwrap();
        t.step(); // warm up (nothing is lazily allocated, but be fair)
        let n = allocations_during(|| {
            for _ in 0..20 {
                t.step();
            }
            t.probe();
            t.train(5);
        });
        assert_eq!(n, 0, "{label}: {n} allocations in 26 steps");
        if !t.config.stop_on_divergence {
            assert!(t.report().diverged.is_some(), "{label}: the NaN case must diverge");
        }
    }
}
