//! `descent`: the library behind the course book *Logistic Regression and Optimization*.
//!
//! The book's chapters call it from their `rust,run` cells: MNIST loading ([`data`]),
//! logistic regression ([`logistic`]), GD/SGD training ([`train`]), the optimisers of
//! `torch.optim` ([`optim`]), 2-D landscapes with exact gradients ([`landscape`]), the compute
//! device ([`device`]) and figures ([`figure`]), handed to the page through [`cell`]. Points,
//! paths and grids of the plane ([`plane`]) are the plain data those modules share.
#![warn(missing_docs)]

/// The `ndarray` this library is built on, so a chapter needs no second copy.
pub use ndarray;

#[cfg(feature = "native")]
pub mod cell;
#[cfg(feature = "native")]
pub mod data;
#[cfg(feature = "native")]
pub mod device;
#[cfg(feature = "native")]
pub mod figure;
pub mod landscape;
#[cfg(feature = "native")]
pub mod logistic;
pub mod optim;
pub mod plane;
#[cfg(feature = "native")]
pub mod prelude;
#[cfg(feature = "native")]
pub mod train;
