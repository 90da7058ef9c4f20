//! Bounds that keep hostile images from exhausting memory or time.
//!
//! Per-layer and per-file limits stop one oversized thing; the image-wide budgets
//! ([`Limits::max_captured_bytes`], [`Limits::max_packages`]) stop many small things that add up
//! (thousands of files, the same layer listed hundreds of times). Catalogers read their part of
//! these limits too ([`Limits::max_parse_bytes`], [`Limits::max_packages_per_file`]), so one
//! struct holds every bound an image scan obeys.

use std::sync::{Condvar, Mutex, PoisonError};

/// Limits applied while reading an image. Defaults suit real images with generous headroom.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest uncompressed layer, in bytes. GNU sparse files count at their expanded size.
    pub max_layer_bytes: u64,
    /// Largest uncompressed/compressed ratio accepted once a layer passes `ratio_floor_bytes`
    /// (the expanded size of sparse files counts as uncompressed bytes).
    pub max_compression_ratio: u64,
    /// Uncompressed size below which the ratio is not checked (sparse files compress well).
    pub ratio_floor_bytes: u64,
    /// Largest file whose contents are read into memory for a cataloger.
    pub max_file_bytes: u64,
    /// Most tar entries in one layer.
    pub max_entries_per_layer: u64,
    /// Largest JSON document (manifest, index, config) read from an image.
    pub max_json_bytes: u64,
    /// Most layers in one image, counting a layer listed twice twice.
    pub max_layers: usize,
    /// Most bytes of file contents kept in memory for the catalogers across all layers of one
    /// image (the capture budget); reads in flight count too, except that one file read alone
    /// may pass it while it is reduced (see [`CaptureBudget`]). Files that do not fit are not
    /// kept; each is reported.
    pub max_captured_bytes: u64,
    /// Largest text manifest, lockfile or package database a cataloger parses (binary formats
    /// reduced while the layer streams are bounded by `max_file_bytes` only).
    pub max_parse_bytes: u64,
    /// Most packages one file may yield.
    pub max_packages_per_file: usize,
    /// Most packages in one image (the package budget).
    pub max_packages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_layer_bytes: 32 << 30,
            max_compression_ratio: 200,
            ratio_floor_bytes: 256 << 20,
            max_file_bytes: 256 << 20,
            max_entries_per_layer: 4_000_000,
            max_json_bytes: 16 << 20,
            max_layers: 512,
            max_captured_bytes: 256 << 20,
            max_parse_bytes: 32 << 20,
            max_packages_per_file: 50_000,
            max_packages: 100_000,
        }
    }
}

/// The capture budget of one image read ([`Limits::max_captured_bytes`]), shared by the threads
/// reading its layers. A file is read only once its size is reserved; what the filter keeps
/// after reducing it stays charged (if it fits), the rest is given back. A reservation that does
/// not fit waits while other reads are in flight (they give bytes back when they finish); read
/// alone, a file may pass the budget for as long as it is reduced (a 200 MB binary kept as its
/// few KiB of build information), so the outcome does not depend on how many threads read at
/// once, and memory stays within the budget plus one file ([`Limits::max_file_bytes`]).
#[derive(Debug)]
pub struct CaptureBudget {
    max: u64,
    state: Mutex<Spent>,
    freed: Condvar,
}

#[derive(Debug, Default)]
struct Spent {
    kept: u64,
    in_flight: u64,
}

impl CaptureBudget {
    pub fn new(max: u64) -> CaptureBudget {
        CaptureBudget {
            max,
            state: Mutex::new(Spent::default()),
            freed: Condvar::new(),
        }
    }

    /// The budget `limits` sets.
    pub fn of(limits: &Limits) -> CaptureBudget {
        CaptureBudget::new(limits.max_captured_bytes)
    }

    /// The size of the budget, in bytes.
    pub fn max(&self) -> u64 {
        self.max
    }

    /// Bytes kept so far.
    pub fn kept(&self) -> u64 {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .kept
    }

    /// Reserves `bytes` for a file about to be read: at once when they fit, else once no other
    /// read is in flight. Whether the file may be kept is [`Reservation::keep`]'s answer.
    pub fn reserve(&self, bytes: u64) -> Reservation<'_> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            let used = state.kept.saturating_add(state.in_flight);
            if used.saturating_add(bytes) <= self.max || state.in_flight == 0 {
                state.in_flight = state.in_flight.saturating_add(bytes);
                return Reservation {
                    budget: self,
                    bytes,
                };
            }
            state = self
                .freed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Bytes reserved for one file being read; given back when dropped unless [`Reservation::keep`]
/// charges (part of) them for good.
#[derive(Debug)]
pub struct Reservation<'a> {
    budget: &'a CaptureBudget,
    bytes: u64,
}

impl Reservation<'_> {
    /// Charges `kept` bytes for good and gives the rest back; false (nothing charged) when
    /// they do not fit in the budget with what is kept already: the file is not kept.
    pub fn keep(self, kept: u64) -> bool {
        let mut state = self
            .budget
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let total = state.kept.saturating_add(kept);
        let fits = total <= self.budget.max;
        if fits {
            state.kept = total;
        }
        // Drop gives the whole reservation back from in_flight.
        fits
    }
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        let mut state = self
            .budget
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.in_flight = state.in_flight.saturating_sub(self.bytes);
        drop(state);
        self.budget.freed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_wait_for_reads_in_flight_and_only_what_fits_is_kept() {
        let budget = CaptureBudget::new(100);
        assert!(budget.reserve(60).keep(10));
        assert_eq!(budget.kept(), 10);
        // Read alone, a file may pass the budget while it is reduced; kept, it may not.
        assert!(budget.reserve(500).keep(20));
        assert!(!budget.reserve(91).keep(91));
        assert_eq!(budget.kept(), 30);
        let b = budget.reserve(70);
        std::thread::scope(|s| {
            // Does not fit while `b` is in flight: waits for it.
            let waiter = s.spawn(|| budget.reserve(50).keep(50));
            std::thread::sleep(std::time::Duration::from_millis(20));
            drop(b);
            assert!(waiter.join().unwrap_or(false));
        });
        assert_eq!(budget.kept(), 80);
    }
}
