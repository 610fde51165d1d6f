//! Per-kernel timing of the three matrix products of a Linear layer's training step, at the
//! shapes of the peer benchmark (forward X W^T, weight gradient X^T dY, input gradient dY W).
//! Run: cargo run --release --example kernels
use residual_lab::matmul::{matmul_nn, matmul_nt, transpose};
use std::time::Instant;

fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..reps / 10 + 1 {
        f();
    }
    let mut best = f64::INFINITY;
    for _ in 0..40 {
        let t = Instant::now();
        for _ in 0..reps {
            f();
        }
        best = best.min(t.elapsed().as_secs_f64() / reps as f64);
    }
    best
}

/// The single-core ceiling: 12 independent f32x4 accumulators, each a mul + add per step
/// (registers only; 12 are needed to hide the add latency).
fn peak_gflops() -> f64 {
    use residual_lab::simd;
    let iters = 200_000usize;
    let run = || {
        let mut acc = [simd::splat(0.0); 12];
        let x = simd::splat(std::hint::black_box(1.000_001));
        let y = simd::splat(std::hint::black_box(0.999_999));
        for _ in 0..iters {
            for a in acc.iter_mut() {
                *a = simd::add(simd::mul(*a, x), y);
            }
        }
        std::hint::black_box(acc);
    };
    let secs = time(1, run);
    (iters * 12 * 8) as f64 / secs / 1e9
}

fn main() {
    println!("single-core f32x4 mul+add peak: {:.2} GFLOP/s", peak_gflops());
    println!("{:<14} {:>12} {:>12} {:>12} {:>12}", "B x W", "fwd GF/s", "dW GF/s", "dX GF/s", "transpose %");
    for &(b, w) in &[(64usize, 32usize), (64, 64), (128, 64), (64, 128), (256, 128), (32, 16)] {
        let x: Vec<f32> = (0..b * w).map(|i| ((i * 7919) % 101) as f32 / 101.0 - 0.5).collect();
        let wt: Vec<f32> = (0..w * w).map(|i| ((i * 104729) % 97) as f32 / 97.0 - 0.5).collect();
        let dy = x.clone();
        let mut y = vec![0f32; b * w];
        let mut xt = vec![0f32; b * w];
        let mut dw = vec![0f32; w * w];
        let flops = 2.0 * (b * w * w) as f64;
        let reps = (2e7 / flops) as usize + 1; // ~1 ms per timed run: best of 40 short runs
        let fwd = time(reps, || matmul_nn(&mut y, &x, &wt, b, w, w));
        let tr = time(reps, || transpose(&x, &mut xt, b, w));
        let dwt = time(reps, || { transpose(&x, &mut xt, b, w); matmul_nn(&mut dw, &xt, &dy, w, b, w) });
        let dx = time(reps, || matmul_nt(&mut y, &dy, &wt, b, w, w));
        println!("{:<14} {:>12.2} {:>12.2} {:>12.2} {:>12.1}", format!("{b} x {w}"), flops / fwd / 1e9, flops / dwt / 1e9, flops / dx / 1e9, 100.0 * tr / dwt);
    }
}
