//! The last step of selection: among the servers in the latency window, choose two at random
//! (distinct) and keep the one with fewer operations in flight (server-selection spec,
//! "operationCount-based selection within the latency window").

use rand::Rng;

use crate::core::address::ServerAddress;

/// Picks a server from `in_window`: two distinct random choices, the one with the lower
/// `operation_count` wins (ties: the first drawn, itself random). `None` when the window is
/// empty. The rng is an argument so the core stays deterministic under test.
pub fn pick<R: Rng>(
    in_window: &[ServerAddress],
    operation_count: impl Fn(&ServerAddress) -> u64,
    rng: &mut R,
) -> Option<ServerAddress> {
    match in_window.len() {
        0 => None,
        1 => Some(in_window[0].clone()),
        n => {
            let first = rng.gen_range(0..n);
            let mut second = rng.gen_range(0..n - 1);
            if second >= first {
                second += 1;
            }
            let (a, b) = (&in_window[first], &in_window[second]);
            Some(
                if operation_count(b) < operation_count(a) {
                    b
                } else {
                    a
                }
                .clone(),
            )
        }
    }
}
