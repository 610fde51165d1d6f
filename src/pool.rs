//! One helper thread for the matrix products, in the threads build (wasm with shared memory:
//! `-C target-feature=+atomics`, see scripts/build.sh). A large product is split by columns of
//! C: the caller computes the first half, the helper the rest, and the caller returns when
//! both are done. Every entry of C is summed exactly as on one thread (the split falls between
//! the kernel's column blocks), so the results are the same bit for bit.
//!
//! The helper is a Web Worker that instantiates the same module on the same memory and calls
//! `run_helper()`, which never returns: it spins on the job counter for a while after each job
//! (the products of a step come microseconds apart) and then sleeps in `memory.atomic.wait32`.
//! The caller only spins (a page's main thread may not wait). Every other build has no helper:
//! `available()` is false and the products run on the caller's thread.

/// Products smaller than this many multiply-adds stay on one thread: the hand-off costs about
/// a microsecond, a 64 x 32 x 32 product a few.
pub const MIN_MADDS: usize = 1 << 17;

#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
mod imp {
    use crate::matmul::Gemm;
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use std::sync::atomic::AtomicI32;
    use std::sync::atomic::AtomicUsize;
    use std::sync::atomic::Ordering::{Acquire, Relaxed, Release};

    static HELPERS: AtomicUsize = AtomicUsize::new(0);
    /// Bumped by the caller for every job; the helper stores it in DONE when the job is done.
    static SEQ: AtomicI32 = AtomicI32::new(0);
    static DONE: AtomicI32 = AtomicI32::new(0);
    /// The job: c, a, b, m, k, b_row, b_col, first column, end column.
    static JOB: [AtomicUsize; 9] = [const { AtomicUsize::new(0) }; 9];
    /// Polls of the job counter before the helper goes to sleep (about 100 us).
    const SPINS: u32 = 1 << 20;

    pub fn available() -> bool {
        HELPERS.load(Relaxed) > 0
    }

    /// Helper threads running (0 or 1).
    pub fn helpers() -> usize {
        HELPERS.load(Relaxed)
    }

    /// Columns `cols` of `g` on the helper while the caller runs `mine`.
    pub(crate) unsafe fn split(g: &Gemm, cols: std::ops::Range<usize>, mine: impl FnOnce()) {
        let job = [g.c as usize, g.a as usize, g.b as usize, g.m, g.k, g.b_row, g.b_col, cols.start, cols.end];
        for (slot, v) in JOB.iter().zip(job) {
            slot.store(v, Relaxed);
        }
        let seq = SEQ.load(Relaxed).wrapping_add(1);
        SEQ.store(seq, Release);
        memory_atomic_notify(SEQ.as_ptr(), 1);
        mine();
        while DONE.load(Acquire) != seq {
            std::hint::spin_loop();
        }
    }

    pub fn run_helper() -> ! {
        let mut seen = SEQ.load(Acquire);
        HELPERS.fetch_add(1, Release);
        loop {
            let mut spins = 0;
            loop {
                let now = SEQ.load(Acquire);
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
            let j = |i: usize| JOB[i].load(Relaxed);
            let g = Gemm { c: j(0) as *mut f32, a: j(1) as *const f32, b: j(2) as *const f32, m: j(3), k: j(4), b_row: j(5), b_col: j(6) };
            // SAFETY: the caller checked the extents and waits for DONE before its slices go away;
            // its own columns are disjoint from these.
            unsafe { g.columns(j(7)..j(8)) };
            DONE.store(seen, Release);
        }
    }
}

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
mod imp {
    use crate::matmul::Gemm;

    pub fn available() -> bool {
        false
    }

    pub fn helpers() -> usize {
        0
    }

    pub(crate) unsafe fn split(_: &Gemm, _: std::ops::Range<usize>, _: impl FnOnce()) {
        unreachable!("no helper thread in this build")
    }
}

pub use imp::{available, helpers};
pub(crate) use imp::split;
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
pub use imp::run_helper;
