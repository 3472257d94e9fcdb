//! The order of the training samples in each epoch: one `StdRng` from the seed, one order
//! vector shuffled in place. The CPU and GPU training paths both draw it here, so every device
//! sees the same batches.

use crate::train::Shuffle;
use ndarray_rand::rand::SeedableRng;
use ndarray_rand::rand::rngs::StdRng;
use ndarray_rand::rand::seq::SliceRandom;

/// Sample orders, epoch after epoch.
pub struct Orders {
    order: Vec<usize>,
    rng: Option<StdRng>,
    shuffle: Shuffle,
    epoch: usize,
}

impl Orders {
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

    /// The next epoch's order when it changes (`order[k]` is the sample in position `k`);
    /// `None` when the previous order (or, first, the data's own order) still holds.
    pub fn next_epoch(&mut self) -> Option<&[usize]> {
        let epoch = self.epoch;
        self.epoch += 1;
        let reshuffle = match self.shuffle {
            Shuffle::Never => false,
            Shuffle::Once(_) => epoch == 0,
            Shuffle::EveryEpoch(_) => true,
        };
        let rng = self.rng.as_mut()?;
        if !reshuffle {
            return None;
        }
        self.order.shuffle(rng);
        Some(&self.order)
    }

    /// The order of the epoch [`Orders::next_epoch`] last started.
    pub fn current(&self) -> &[usize] {
        &self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn once_shuffles_only_the_first_epoch() {
        let mut o = Orders::new(10, Shuffle::Once(3));
        let first = o.next_epoch().map(<[usize]>::to_vec);
        assert!(first.is_some());
        assert_eq!(o.next_epoch(), None);
    }

    #[test]
    fn every_epoch_draws_a_new_order_from_the_same_stream() {
        let mut o = Orders::new(50, Shuffle::EveryEpoch(1));
        let a = o.next_epoch().map(<[usize]>::to_vec);
        let b = o.next_epoch().map(<[usize]>::to_vec);
        assert_ne!(a, b);
        let mut again = Orders::new(50, Shuffle::EveryEpoch(1));
        assert_eq!(again.next_epoch().map(<[usize]>::to_vec), a);
    }

    #[test]
    fn never_keeps_the_data_order() {
        let mut o = Orders::new(5, Shuffle::Never);
        assert_eq!(o.next_epoch(), None);
    }
}
