//! One helper thread for the matrix products, in the threads build (wasm with shared memory:
//! `-C target-feature=+atomics`, see scripts/build.sh). The columns of a large product's C are
//! claimed in chunks by the caller and the helper alike, and the caller returns when all are
//! done. Every entry of C is summed exactly as on one thread (chunks start at the kernel's
//! column blocks), so the results are the same bit for bit whoever computes them.
//!
//! The helper is a Web Worker that instantiates the same module on the same memory and calls
//! `run_helper()`, which never returns: it spins on the job counter for a while after each job
//! (the products of a step come microseconds apart) and then sleeps in `memory.atomic.wait32`.
//! The caller only spins (a page's main thread may not wait). Every other build has no helper:
//! `helpers()` is 0 and the products run on the caller's thread.

/// Products smaller than this many multiply-adds stay on one thread: the hand-off costs about
/// a microsecond, a 64 x 32 x 32 product a few.
pub const MIN_MADDS: usize = 1 << 17;

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod imp {
    use crate::matmul::Gemm;
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use std::sync::atomic::Ordering::{Relaxed, SeqCst};
    use std::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, AtomicUsize};

    static HELPERS: AtomicUsize = AtomicUsize::new(0);
    /// Bumped by the caller for every job: what a sleeping helper waits on.
    static SEQ: AtomicI32 = AtomicI32::new(0);
    /// The job's number (high 32 bits) and its next unclaimed column (low 32 bits).
    static NEXT: AtomicU64 = AtomicU64::new(0);
    /// Helpers inside a job: the caller returns only when this is 0 and every column is claimed.
    static INSIDE: AtomicU32 = AtomicU32::new(0);
    /// The job: c, a, b, m, k, b_row, b_col, column count n, columns per claim.
    static JOB: [AtomicUsize; 9] = [const { AtomicUsize::new(0) }; 9];
    /// Polls of the job counter before the helper goes to sleep (about a millisecond).
    const SPINS: u32 = 1 << 20;
    const COLS: u64 = 0xffff_ffff;

    /// Helper threads running (0 or 1).
    pub fn helpers() -> usize {
        HELPERS.load(Relaxed)
    }

    /// All n columns of `g`, claimed `chunk` at a time (a multiple of the kernel's column block)
    /// by the caller and the helper alike: a helper that is asleep or slowed down by the
    /// machine costs the caller at most the chunk it holds.
    pub(crate) unsafe fn split(g: &Gemm, n: usize, chunk: usize) {
        let seq = SEQ.load(Relaxed).wrapping_add(1);
        let job = [g.c as usize, g.a as usize, g.b as usize, g.m, g.k, g.b_row, g.b_col, n, chunk];
        for (slot, v) in JOB.iter().zip(job) {
            slot.store(v, Relaxed);
        }
        NEXT.store(((seq as u32 as u64) << 32) | 0, SeqCst); // publishes the fields above
        SEQ.store(seq, SeqCst);
        memory_atomic_notify(SEQ.as_ptr(), 1);
        loop {
            let j = (NEXT.fetch_add(chunk as u64, SeqCst) & COLS) as usize;
            if j >= n {
                break;
            }
            g.columns(j..(j + chunk).min(n));
        }
        while INSIDE.load(SeqCst) != 0 {
            std::hint::spin_loop();
        }
    }

    pub fn run_helper() -> ! {
        let mut seen = SEQ.load(SeqCst);
        HELPERS.fetch_add(1, SeqCst);
        loop {
            let mut spins = 0;
            loop {
                let now = SEQ.load(SeqCst);
                if now != seen {
                    seen = now;
                    break;
                }
                spins += 1;
                if spins >= SPINS {
                    // SAFETY: SEQ is a live static; the wait returns when SEQ changes or is notified.
                    unsafe { memory_atomic_wait32(SEQ.as_ptr(), seen, -1) };
                    spins = 0;
                } else {
                    std::hint::spin_loop();
                }
            }
            INSIDE.fetch_add(1, SeqCst);
            loop {
                let v = NEXT.load(SeqCst);
                let (job, j) = ((v >> 32) as u32, (v & COLS) as usize);
                let (n, chunk) = (JOB[7].load(SeqCst), JOB[8].load(SeqCst));
                if job != seen as u32 || j >= n {
                    break; // a newer job (seen again at the top), or nothing left
                }
                if NEXT.compare_exchange(v, v + chunk as u64, SeqCst, SeqCst).is_err() {
                    continue;
                }
                // Claimed under this job's number: its fields stay put until INSIDE is 0.
                let f = |i: usize| JOB[i].load(SeqCst);
                let g = Gemm { c: f(0) as *mut f32, a: f(1) as *const f32, b: f(2) as *const f32, m: f(3), k: f(4), b_row: f(5), b_col: f(6) };
                // SAFETY: the caller checked the extents and returns only after INSIDE is 0;
                // the columns claimed here are nobody else's.
                unsafe { g.columns(j..(j + chunk).min(n)) };
            }
            INSIDE.fetch_sub(1, SeqCst);
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
mod imp {
    use crate::matmul::Gemm;

    pub fn helpers() -> usize {
        0
    }

    pub(crate) unsafe fn split(_: &Gemm, _: usize, _: usize) {
        unreachable!("no helper thread in this build")
    }
}

pub use imp::helpers;
pub(crate) use imp::split;
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub use imp::run_helper;
