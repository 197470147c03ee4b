//! # counting-allocator: how many heap allocations does a request cost?
//!
//! A `#[global_allocator]` that hands every request for memory to the
//! system allocator ([`std::alloc::System`], i.e. `malloc`) and, when
//! counting is switched on, adds one to a few atomic counters on the way.
//! The `bench-harness` binary installs it, so the server
//! children it starts (`bench-harness serve --probe`) count their own
//! allocations; the harness reads the counters before and after N requests
//! and divides the difference by N.
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOCATOR: counting_allocator::CountingAllocator =
//!     counting_allocator::CountingAllocator::new();
//!
//! counting_allocator::enable();
//! let before = counting_allocator::snapshot();
//! let v: Vec<u8> = Vec::with_capacity(100);
//! let spent = counting_allocator::snapshot().since(&before);
//! assert_eq!((spent.allocations, spent.bytes_allocated), (1, 100));
//! ```
//!
//! What is counted, and why this way:
//!
//! - **allocations**: calls to `alloc`, `alloc_zeroed` *and* `realloc`. A
//!   `realloc` may move the block, and it is a trip into `malloc` either
//!   way, so it counts as an allocation (this is what dhat's "total blocks"
//!   does too). `reallocations` says how many of them were reallocs.
//! - **bytes_allocated**: the size asked for by each of those calls (for a
//!   `realloc`, the new size). A `Vec` that grows 8 → 16 → 32 bytes counts
//!   56 bytes: the allocator was asked for 56 bytes in total, even though
//!   32 are held at the end.
//! - **deallocations**: calls to `dealloc`. Per request it should equal the
//!   non-realloc allocations, or the server keeps memory per request.
//!
//! The counters are process-wide (every thread counts), because a server's
//! request may allocate on several threads (tokio's blocking pool runs the
//! SQLite queries). `Relaxed` atomics are enough: each counter is a tally
//! on its own, nobody orders one counter against another.
//!
//! Counting is **off** until [`enable`] is called: then each allocation
//! costs one relaxed load and a not-taken branch more than plain `System`.
//! That matters because the same binary also serves under callgrind and
//! under `compare`, where the counters would otherwise be measured too.
//!
//! Where it simplifies: no per-thread or per-call-site breakdown (dhat and
//! heaptrack do that); only totals, which is what "allocations per request"
//! needs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static ENABLED: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static REALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static DEALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static BYTES_ALLOCATED: AtomicU64 = AtomicU64::new(0);

/// The system allocator with counters. Install it with `#[global_allocator]`;
/// there is nothing to configure.
#[derive(Debug, Default, Clone, Copy)]
pub struct CountingAllocator;

impl CountingAllocator {
    /// A `const fn`, as a `static` initialiser needs.
    pub const fn new() -> CountingAllocator {
        CountingAllocator
    }
}

/// Counts one allocation of `size` bytes, if counting is on.
#[inline]
fn count_allocation(size: usize) {
    if ENABLED.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        BYTES_ALLOCATED.fetch_add(size as u64, Ordering::Relaxed);
    }
}

// ANCHOR: global_alloc
// SAFETY: every method passes its arguments unchanged to `System`, which
// upholds `GlobalAlloc`'s contract, and returns what `System` returned. The
// only addition is updating atomic counters, which never allocates (so it
// cannot recurse into the allocator) and never unwinds.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_allocation(layout.size());
        // SAFETY: the caller's guarantees about `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_allocation(layout.size());
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ENABLED.load(Ordering::Relaxed) {
            REALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        count_allocation(new_size);
        // SAFETY: `ptr` was allocated by us, i.e. by `System`, with `layout`
        // (the caller guarantees that); the rest is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ENABLED.load(Ordering::Relaxed) {
            DEALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: `ptr` came from `System` with this `layout`, as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}
// ANCHOR_END: global_alloc

/// Starts counting (counters keep their values; they are never reset, so
/// readers take differences of [`snapshot`]s).
pub fn enable() {
    ENABLED.store(true, Ordering::Relaxed);
}

/// Stops counting.
pub fn disable() {
    ENABLED.store(false, Ordering::Relaxed);
}

/// Whether counting is on.
pub fn is_enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The counters at one moment. Take two and subtract ([`Counts::since`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    /// `alloc` + `alloc_zeroed` + `realloc` calls.
    pub allocations: u64,
    /// Of which `realloc` calls.
    pub reallocations: u64,
    /// `dealloc` calls.
    pub deallocations: u64,
    /// Bytes asked for by those allocations (new size for a `realloc`).
    pub bytes_allocated: u64,
}

impl Counts {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &Counts) -> Counts {
        Counts {
            allocations: self.allocations.wrapping_sub(earlier.allocations),
            reallocations: self.reallocations.wrapping_sub(earlier.reallocations),
            deallocations: self.deallocations.wrapping_sub(earlier.deallocations),
            bytes_allocated: self.bytes_allocated.wrapping_sub(earlier.bytes_allocated),
        }
    }
}

/// Reads the counters. Concurrent allocations on other threads may land on
/// either side of the read; a difference over many requests makes that
/// negligible.
pub fn snapshot() -> Counts {
    Counts {
        allocations: ALLOCATIONS.load(Ordering::Relaxed),
        reallocations: REALLOCATIONS.load(Ordering::Relaxed),
        deallocations: DEALLOCATIONS.load(Ordering::Relaxed),
        bytes_allocated: BYTES_ALLOCATED.load(Ordering::Relaxed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_difference_of_snapshots_is_per_counter() {
        let earlier = Counts {
            allocations: 10,
            reallocations: 2,
            deallocations: 7,
            bytes_allocated: 1000,
        };
        let later = Counts {
            allocations: 25,
            reallocations: 3,
            deallocations: 20,
            bytes_allocated: 2500,
        };
        assert_eq!(
            later.since(&earlier),
            Counts {
                allocations: 15,
                reallocations: 1,
                deallocations: 13,
                bytes_allocated: 1500,
            }
        );
    }
}
