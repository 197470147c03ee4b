//! The counting allocator against allocations we know exactly.
//!
//! This test binary has no test harness (`harness = false` in Cargo.toml):
//! libtest would run each test on a thread of its own while its main thread
//! allocates for bookkeeping, and since the counters are process-wide those
//! allocations would land in our counts at random. Here `main` is the only
//! thread, so every count is exact.

#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use counting_allocator::{CountingAllocator, Counts, snapshot};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::new();

fn main() {
    let tests: [(&str, fn()); 4] = [
        (
            "three_vectors_count_three_allocations_and_their_bytes",
            three_vectors_count_three_allocations_and_their_bytes,
        ),
        (
            "a_growing_vector_counts_each_realloc_with_its_new_size",
            a_growing_vector_counts_each_realloc_with_its_new_size,
        ),
        (
            "dropping_counts_deallocations",
            dropping_counts_deallocations,
        ),
        (
            "nothing_is_counted_while_counting_is_off",
            nothing_is_counted_while_counting_is_off,
        ),
    ];
    for (name, test) in tests {
        test();
        println!("test {name} ... ok");
    }
    println!("test result: ok. {} passed", tests.len());
}

/// Runs `work` with counting on, and returns what it allocated.
fn counted(work: impl FnOnce()) -> Counts {
    counting_allocator::enable();
    let before = snapshot();
    work();
    let after = snapshot();
    counting_allocator::disable();
    after.since(&before)
}

fn three_vectors_count_three_allocations_and_their_bytes() {
    let mut kept = Vec::new();
    let spent = counted(|| {
        // Capacities allocate exactly what they ask for: u8 is one byte,
        // u64 eight.
        let a: Vec<u8> = Vec::with_capacity(100);
        let b: Vec<u64> = Vec::with_capacity(25);
        let c: Vec<u8> = Vec::with_capacity(300);
        kept = black_box(vec![a.capacity(), b.capacity(), c.capacity()]);
        // `kept` itself is a fourth allocation of 3 usizes; it is dropped
        // after counting stops.
    });
    assert_eq!(spent.allocations, 4, "{spent:?}");
    assert_eq!(
        spent.bytes_allocated,
        100 + 25 * 8 + 300 + 3 * std::mem::size_of::<usize>() as u64,
        "{spent:?}"
    );
    assert_eq!(spent.reallocations, 0, "{spent:?}");
    // a, b and c were dropped inside the closure.
    assert_eq!(spent.deallocations, 3, "{spent:?}");
    assert_eq!(kept, [100, 25, 300]);
}

fn a_growing_vector_counts_each_realloc_with_its_new_size() {
    let mut kept = Vec::new();
    let spent = counted(|| {
        let mut v: Vec<u8> = Vec::with_capacity(8);
        v.extend_from_slice(&[1; 8]);
        v.reserve_exact(8); // realloc to 16
        v.extend_from_slice(&[2; 8]);
        v.reserve_exact(16); // realloc to 32
        kept = black_box(v);
    });
    assert_eq!(spent.allocations, 3, "{spent:?}");
    assert_eq!(spent.reallocations, 2, "{spent:?}");
    assert_eq!(spent.bytes_allocated, 8 + 16 + 32, "{spent:?}");
    assert_eq!(spent.deallocations, 0, "{spent:?}");
    assert_eq!(kept.capacity(), 32);
}

fn dropping_counts_deallocations() {
    let boxes: Vec<Box<u64>> = (0..5).map(Box::new).collect();
    let spent = counted(|| drop(black_box(boxes)));
    // Five boxes and the vector that held them.
    assert_eq!(spent.deallocations, 6, "{spent:?}");
    assert_eq!(spent.allocations, 0, "{spent:?}");
}

fn nothing_is_counted_while_counting_is_off() {
    counting_allocator::disable();
    let before = snapshot();
    let v: Vec<u8> = black_box(Vec::with_capacity(1000));
    drop(v);
    assert_eq!(snapshot().since(&before), Counts::default());
    assert!(!counting_allocator::is_enabled());
}
