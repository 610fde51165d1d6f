//! Native benchmark of `Trainer::step` on the workload of shared/bench/peers/README.md:
//! spiral N = 512, He-normal init, ReLU stem, plain SGD lr 0.01, 20 warm-up and 200 timed
//! steps, FLOPs per step = 6 B sum(fan_in fan_out).
//!
//! One difference: the spec's residual nets (alpha = 1, He/He) diverge within a few steps
//! and our trainer halts on divergence (it would then time nothing), so the residual configs
//! use alpha = 1/sqrt(L). The arithmetic per step is the same.
//!
//! Run: cargo run --release --example bench

use residual_lab::config::*;
use residual_lab::Trainer;
use std::time::Instant;

fn main() {
    let configs = [
        (NetKind::Plain, 8, 32, 64),
        (NetKind::Residual, 8, 32, 64),
        (NetKind::Plain, 32, 32, 64),
        (NetKind::Residual, 32, 32, 64),
        (NetKind::Residual, 16, 128, 64),
        (NetKind::Residual, 16, 128, 256),
        (NetKind::Plain, 64, 64, 128),
        (NetKind::Residual, 64, 64, 128),
    ];
    // Optional filter (substring of the config name) and timed step count, e.g. for a profiler:
    // valgrind --tool=callgrind target/release/examples/bench w128-b64 20
    let args: Vec<String> = std::env::args().collect();
    let filter = args.get(1).cloned().unwrap_or_default();
    let timed: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    println!("{:<22} {:>10} {:>10} {:>9}", "config", "ms/step", "median", "GFLOP/s");
    for (kind, depth, width, batch) in configs {
        let name = format!("{:?}-L{depth}-W{width}-B{batch}", kind).to_lowercase();
        if !name.contains(&filter) {
            continue;
        }
        let mut c = Config::default();
        c.model = ModelConfig {
            kind,
            depth,
            width,
            init: InitKind::HeNormal,
            stem_activation: true,
            branch_scale: BranchScale::InvSqrtDepth,
            branch_layers: 2,
            ..Default::default()
        };
        c.optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.01, ..Default::default() };
        c.data = DataConfig { name: DatasetName::Spiral, n: 512, test_fraction: 0.0, ..Default::default() };
        c.batch_size = batch;
        let mut t = Trainer::new(c).expect("valid config");
        for _ in 0..20 {
            t.step();
        }
        let mut times = Vec::with_capacity(timed);
        let start = Instant::now();
        for _ in 0..timed {
            let s = Instant::now();
            t.step();
            times.push(s.elapsed().as_secs_f64() * 1e3);
        }
        let mean = start.elapsed().as_secs_f64() * 1e3 / timed as f64;
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let linears = match kind {
            NetKind::Plain => depth,
            NetKind::Residual => 2 * depth,
        };
        let macs = 2 * width + linears * width * width + width * 2;
        let flops = 6.0 * batch as f64 * macs as f64;
        assert!(t.halted().is_none(), "{name} diverged");
        println!("{name:<22} {mean:>10.3} {:>10.3} {:>9.2}", times[timed / 2], flops / mean / 1e6);
    }
}
