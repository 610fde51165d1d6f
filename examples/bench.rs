//! The peer benchmark's workload (bench/peers/README.md, code in bench/peers/page/workload.js)
//! reproduced here: the same spiral data (mulberry32(42)), He-normal weights (mulberry32(43)),
//! batches in order, plain SGD lr 0.01, residual blocks h + fc2(relu(fc1(h))), 20 warm-up and
//! 200 timed steps. Prints median ms per step, GFLOP/s (FLOPs = 6 B sum(fan_in fan_out)) and
//! the losses at steps 0, 1, 2, 19, which match the browser peers' `loss_at_step`.
//!
//! Natively: cargo run --release --example bench [config-filter] [timed-steps]
//! In wasm (the same code, for the native/wasm ratio without a browser in between):
//!   RUSTFLAGS="-C target-feature=+simd128" cargo build --release --example bench --target wasm32-wasip1
//!   node bench/wasi-run.mjs target/wasm32-wasip1/release/examples/bench.wasm
//! The residual nets overflow to NaN within a few steps, as in every peer; the trainer keeps
//! stepping through them (`stop_on_divergence: false`), so the same arithmetic is timed.
//! A third argument `scaled` runs the residual nets with alpha = 1/sqrt(L) instead, which
//! stay finite (same FLOPs, different numbers).

use residual_lab::config::*;
use residual_lab::Trainer;
use std::f64::consts::PI;
use std::time::Instant;

const CONFIGS: [(NetKind, usize, usize, usize); 8] = [
    (NetKind::Plain, 8, 32, 64),
    (NetKind::Residual, 8, 32, 64),
    (NetKind::Plain, 32, 32, 64),
    (NetKind::Residual, 32, 32, 64),
    (NetKind::Residual, 16, 128, 64),
    (NetKind::Residual, 16, 128, 256),
    (NetKind::Plain, 64, 64, 128),
    (NetKind::Residual, 64, 64, 128),
];
const N_POINTS: usize = 512;

/// workload.js `mulberry32`: floats in [0, 1).
fn mulberry32(seed: u32) -> impl FnMut() -> f64 {
    let mut a = seed;
    move || {
        a = a.wrapping_add(0x6D2B_79F5);
        let mut t = (a ^ (a >> 15)).wrapping_mul(1 | a);
        t = t.wrapping_add((t ^ (t >> 7)).wrapping_mul(61 | t)) ^ t;
        (t ^ (t >> 14)) as f64 / 4_294_967_296.0
    }
}

/// workload.js `makeSpiral`: x row-major [N][2], labels alternate 0, 1.
fn spiral() -> (Vec<f32>, Vec<f32>) {
    let mut rng = mulberry32(42);
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for i in 0..N_POINTS {
        let c = (i % 2) as f64;
        let t = (i / 2) as f64 / (N_POINTS / 2) as f64;
        let theta = c * PI + 3.0 * PI * t + 0.3 * (rng() - 0.5);
        x.extend([(t * theta.cos()) as f32, (t * theta.sin()) as f32]);
        y.push(c as f32);
    }
    (x, y)
}

/// workload.js `heInit`, converted from its [fan_in][fan_out] layout to PyTorch's [out][in].
fn he_weights(kind: NetKind, depth: usize, width: usize) -> Vec<(String, Vec<f32>)> {
    let mut names = vec![("stem".to_string(), 2, width)];
    for l in 0..depth {
        names.push((format!("blocks.{l}.fc1"), width, width));
        if kind == NetKind::Residual {
            names.push((format!("blocks.{l}.fc2"), width, width));
        }
    }
    names.push(("head".to_string(), width, 2));
    let mut rng = mulberry32(43);
    let mut out = Vec::new();
    for (name, fan_in, fan_out) in names {
        let std = (2.0 / fan_in as f64).sqrt();
        let mut w = vec![0f32; fan_in * fan_out];
        for i in 0..fan_in {
            for o in 0..fan_out {
                let (u1, u2) = (rng(), rng());
                let z = (-2.0 * (1.0 - u1).ln()).sqrt() * (2.0 * PI * u2).cos();
                w[o * fan_in + i] = (std * z) as f32;
            }
        }
        out.push((format!("{name}.weight"), w));
        out.push((format!("{name}.bias"), vec![0.0; fan_out]));
    }
    out
}

fn main() {
    // Optional filter (substring of the config name) and timed step count, e.g. for a profiler:
    // valgrind --tool=callgrind target/release/examples/bench residual-l16-w128-b64 20
    let args: Vec<String> = std::env::args().collect();
    let filter = args.get(1).cloned().unwrap_or_default();
    let timed: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    // "scaled": residual branches scaled by 1/sqrt(L), so the nets stay finite (same FLOPs).
    let scaled = args.get(3).is_some_and(|s| s == "scaled");
    let (x, y) = spiral();
    println!("{:<24} {:>9} {:>9} {:>8}   loss at steps 0, 1, 2, 19", "config", "median ms", "mean ms", "GFLOP/s");
    for (kind, depth, width, batch) in CONFIGS {
        let name = format!("{}-L{depth}-W{width}-B{batch}", if kind == NetKind::Plain { "plain" } else { "residual" });
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
            branch_scale: if scaled { BranchScale::InvSqrtDepth } else { BranchScale::One },
            branch_layers: 2,
            ..Default::default()
        };
        c.optimizer = OptimizerConfig { kind: OptimizerKind::Sgd, lr: 0.01, ..Default::default() };
        c.data = DataConfig { name: DatasetName::Spiral, n: N_POINTS, test_fraction: 0.0, shuffle: false, ..Default::default() };
        c.batch_size = batch;
        c.stop_on_divergence = false;
        let mut t = Trainer::new(c).expect("valid config");
        t.set_data(x.clone(), y.clone(), 2).expect("spiral data");
        t.set_weights(&he_weights(kind, depth, width)).expect("He weights");
        let mut losses = Vec::new();
        for _ in 0..20 {
            losses.push(t.step().loss);
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
        let median = times[timed / 2];
        let linears = if kind == NetKind::Plain { depth } else { 2 * depth };
        let flops = 6.0 * batch as f64 * (2 * width + linears * width * width + width * 2) as f64;
        let shown: Vec<String> = [0, 1, 2, 19].iter().map(|&s| format!("{:.6}", losses[s])).collect();
        println!("{name:<24} {median:>9.3} {mean:>9.3} {:>8.2}   {}", flops / median / 1e6, shown.join(" "));
    }
}
