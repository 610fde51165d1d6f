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

/// The single-core ceiling: 12 independent f32x4 chains acc = acc * x + y, registers only
/// (12 are needed to hide the multiply and add latencies; 8 give less).
/// `peak` is `peak_loop` or `peak_loop_fused`.
fn peak_gflops(peak: fn(usize, f32, f32) -> [residual_lab::simd::V; 12]) -> f64 {
    let iters = 200_000usize;
    let secs = time(1, || {
        std::hint::black_box(peak(iters, std::hint::black_box(1.000_001), std::hint::black_box(0.999_999)));
    });
    (iters * 12 * 8) as f64 / secs / 1e9
}

/// Its own function, called many times: V8 runs a wasm function's first calls in its baseline
/// compiler and has no on-stack replacement, so a loop inlined into a function called once
/// would never be optimized.
#[inline(never)]
fn peak_loop(iters: usize, x: f32, y: f32) -> [residual_lab::simd::V; 12] {
    use residual_lab::simd::{add, mul, splat};
    let (x, y) = (splat(x), splat(y));
    // Distinct starting values, or the compiler merges identical chains.
    let s = |k: u8| splat(std::hint::black_box(k as f32));
    let (mut a0, mut a1, mut a2, mut a3, mut a4, mut a5) = (s(0), s(1), s(2), s(3), s(4), s(5));
    let (mut a6, mut a7, mut a8, mut a9, mut a10, mut a11) = (s(6), s(7), s(8), s(9), s(10), s(11));
    for _ in 0..iters {
        a0 = add(mul(a0, x), y); a1 = add(mul(a1, x), y); a2 = add(mul(a2, x), y);
        a3 = add(mul(a3, x), y); a4 = add(mul(a4, x), y); a5 = add(mul(a5, x), y);
        a6 = add(mul(a6, x), y); a7 = add(mul(a7, x), y); a8 = add(mul(a8, x), y);
        a9 = add(mul(a9, x), y); a10 = add(mul(a10, x), y); a11 = add(mul(a11, x), y);
    }
    [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11]
}

/// The fused ceiling: the same 12 chains as acc = madd(acc, x, y) (one instruction each in a
/// fused build: relaxed SIMD in wasm, FMA natively).
#[inline(never)]
fn peak_loop_fused(iters: usize, x: f32, y: f32) -> [residual_lab::simd::V; 12] {
    use residual_lab::simd::{madd, splat};
    let (x, y) = (splat(x), splat(y));
    let s = |k: u8| splat(std::hint::black_box(k as f32));
    let mut a: [residual_lab::simd::V; 12] = std::array::from_fn(|k| s(k as u8));
    for _ in 0..iters {
        for acc in a.iter_mut() {
            *acc = madd(*acc, x, y);
        }
    }
    a
}

fn main() {
    println!("single-core f32x4 mul+add peak: {:.2} GFLOP/s", peak_gflops(peak_loop));
    if residual_lab::simd::FUSED {
        println!("single-core f32x4 fused multiply-add peak: {:.2} GFLOP/s", peak_gflops(peak_loop_fused));
    }
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
    // The same products over a deep net's distinct buffers, in a training step's order (all
    // forwards, then all backwards): what they reach when weights and stored activations come
    // from outer caches instead of staying hot in L1/L2.
    println!("{:<14} {:>12} {:>12}", "deep chain", "layers", "GF/s");
    for &(b, w, layers) in &[(128usize, 64usize, 128usize), (64, 128, 32), (256, 128, 32)] {
        let mut acts: Vec<Vec<f32>> = (0..=layers).map(|l| (0..b * w).map(|i| (((i + l) * 7919) % 101) as f32 / 1010.0 - 0.05).collect()).collect();
        let wts: Vec<Vec<f32>> = (0..layers).map(|l| (0..w * w).map(|i| (((i + l) * 104729) % 97) as f32 / 970.0 - 0.05).collect()).collect();
        let mut dws: Vec<Vec<f32>> = (0..layers).map(|_| vec![0f32; w * w]).collect();
        let (mut g, mut g2, mut xt) = (vec![0.01f32; b * w], vec![0f32; b * w], vec![0f32; b * w]);
        let flops = 3.0 * 2.0 * (b * w * w * layers) as f64;
        let secs = time(1, || {
            for l in 0..layers {
                let (x, y) = acts.split_at_mut(l + 1);
                matmul_nn(&mut y[0], &x[l], &wts[l], b, w, w);
            }
            for l in (0..layers).rev() {
                transpose(&acts[l], &mut xt, b, w);
                matmul_nn(&mut dws[l], &xt, &g, w, b, w);
                matmul_nt(&mut g2, &g, &wts[l], b, w, w);
                std::mem::swap(&mut g, &mut g2);
            }
        });
        println!("{:<14} {:>12} {:>12.2}", format!("{b} x {w}"), layers, flops / secs / 1e9);
    }
}
