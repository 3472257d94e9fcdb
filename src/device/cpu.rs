//! The CPU path: the reference implementation in [`crate::logistic`] and the training loop in
//! [`train`], run on all cores with sums in a fixed order. It is the fallback when no GPU is
//! present and the yardstick every GPU kernel is tested against. Its layout mirrors
//! [`super::gpu`]: `train.rs` beside `gpu/train.rs`.

mod byte_product;
mod test_loss;
pub mod train;

/// The CPU, through rayon's thread pool.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cpu;

impl Cpu {
    /// "CPU (2 threads)".
    pub fn describe(&self) -> String {
        format!("CPU ({} threads)", rayon::current_num_threads())
    }
}
