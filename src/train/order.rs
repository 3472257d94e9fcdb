//! The order of the training samples in each epoch: one `StdRng` from the seed, one order
//! vector shuffled in place. The CPU and GPU training paths both draw it here, and an author's
//! own loop can too, so every one of them sees the same batches.

use super::Shuffle;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::seq::SliceRandom;
use std::slice::ChunksExact;

/// Sample orders, epoch after epoch ([`super::TrainConfig::sample_order`]).
#[derive(Debug, Clone)]
pub struct SampleOrder {
    order: Vec<usize>,
    rng: Option<StdRng>,
    shuffle: Shuffle,
    epoch: usize,
}

impl SampleOrder {
    /// Orders of `n` samples under `shuffle`.
    pub fn new(n: usize, shuffle: Shuffle) -> Self {
        let rng = match shuffle {
            Shuffle::Never => None,
            Shuffle::Once(seed) | Shuffle::EveryEpoch(seed) => Some(StdRng::seed_from_u64(seed)),
        };
        Self {
            order: (0..n).collect(),
            rng,
            shuffle,
            epoch: 0,
        }
    }

    /// Starts the next epoch and returns its batches of `batch_size` sample indices, in order;
    /// the last `n mod batch_size` samples of the order are left out, as in training.
    // ANCHOR: batches
    pub fn next_epoch(&mut self, batch_size: usize) -> ChunksExact<'_, usize> {
        self.advance();
        self.order.chunks_exact(batch_size.max(1))
    }
    // ANCHOR_END: batches

    /// Starts the next epoch; `true` when its order differs from the previous epoch's (or,
    /// first, from the data's own order).
    pub(crate) fn advance(&mut self) -> bool {
        let epoch = self.epoch;
        self.epoch += 1;
        let reshuffle = match self.shuffle {
            Shuffle::Never => false,
            Shuffle::Once(_) => epoch == 0,
            Shuffle::EveryEpoch(_) => true,
        };
        match self.rng.as_mut() {
            Some(rng) if reshuffle => {
                self.order.shuffle(rng);
                true
            }
            _ => false,
        }
    }

    /// The order of the epoch started last (`order[k]` is the sample in position `k`).
    pub fn current(&self) -> &[usize] {
        &self.order
    }

    /// Epochs started so far.
    pub fn epochs(&self) -> usize {
        self.epoch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_shuffles_only_the_first_epoch() {
        let mut o = SampleOrder::new(10, Shuffle::Once(3));
        assert!(o.advance());
        let first = o.current().to_vec();
        assert!(!o.advance());
        assert_eq!(o.current(), first);
    }

    #[test]
    fn every_epoch_draws_a_new_order_from_the_same_stream() {
        let mut o = SampleOrder::new(50, Shuffle::EveryEpoch(1));
        o.advance();
        let a = o.current().to_vec();
        o.advance();
        assert_ne!(o.current(), a);
        let mut again = SampleOrder::new(50, Shuffle::EveryEpoch(1));
        again.advance();
        assert_eq!(again.current(), a);
    }

    #[test]
    fn never_keeps_the_data_order() {
        let mut o = SampleOrder::new(5, Shuffle::Never);
        assert!(!o.advance());
        assert_eq!(o.current(), [0, 1, 2, 3, 4]);
    }

    #[test]
    fn batches_leave_out_the_remainder() {
        let mut o = SampleOrder::new(7, Shuffle::Never);
        let batches: Vec<&[usize]> = o.next_epoch(3).collect();
        assert_eq!(batches, [&[0, 1, 2][..], &[3, 4, 5][..]]);
        assert_eq!(o.epochs(), 1);
    }
}
