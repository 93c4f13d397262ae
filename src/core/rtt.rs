//! The round-trip-time moving average of the server-selection spec (alpha 0.2).

/// Weight of a new sample in the exponentially weighted moving average.
pub const RTT_ALPHA: f64 = 0.2;

/// Folds a new RTT sample into the average. `None` (no average yet, e.g. after the server was
/// marked Unknown) starts the average at the sample.
pub fn next_average(previous_ms: Option<f64>, sample_ms: f64) -> f64 {
    match previous_ms {
        None => sample_ms,
        Some(avg) => RTT_ALPHA * sample_ms + (1.0 - RTT_ALPHA) * avg,
    }
}

/// Minimum RTT over the last samples, as the server monitoring spec keeps it (up to 10 samples,
/// reported once at least 2 exist).
#[derive(Debug, Clone, Default)]
pub struct MinRtt {
    samples: std::collections::VecDeque<f64>,
}

impl MinRtt {
    /// Number of samples kept.
    pub const WINDOW: usize = 10;

    /// Adds a sample, dropping the oldest past the window.
    pub fn add(&mut self, sample_ms: f64) {
        if self.samples.len() == Self::WINDOW {
            self.samples.pop_front();
        }
        self.samples.push_back(sample_ms);
    }

    /// The minimum, once at least two samples exist.
    pub fn min(&self) -> Option<f64> {
        if self.samples.len() < 2 {
            return None;
        }
        self.samples.iter().copied().reduce(f64::min)
    }

    /// Forgets every sample (the server went Unknown).
    pub fn reset(&mut self) {
        self.samples.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn average_starts_at_first_sample_then_weights() {
        assert_eq!(next_average(None, 10.0), 10.0);
        assert!((next_average(Some(10.0), 20.0) - 12.0).abs() < 1e-9);
    }

    #[test]
    fn min_rtt_needs_two_samples_and_slides() {
        let mut m = MinRtt::default();
        m.add(5.0);
        assert_eq!(m.min(), None);
        m.add(7.0);
        assert_eq!(m.min(), Some(5.0));
        for _ in 0..10 {
            m.add(9.0);
        }
        assert_eq!(m.min(), Some(9.0));
    }
}
