//! Integration tests of the foundation: the real MNIST files, the loader's errors on damaged
//! copies, and parity with the PyTorch tutorial (`tests/data/gd-sgd`, copied from
//! `shared/reference`).

mod bad_input;
mod parity;
mod training;
